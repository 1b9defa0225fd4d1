-- lluvia/imgproc/EdgeDetect: edges of an 8-bit picture, a container of gray ->
-- GaussianBlur -> Sobel magnitude and threshold in one dispatch (EdgeDetect_sobel). Not for:
-- the stages' arithmetic (their own nodes and Sobel.glsl).
local kit = ll._nodeKit

kit.computeBuilder("lluvia/imgproc/EdgeDetect_sobel", [[
lluvia/imgproc/EdgeDetect's last stage: Sobel magnitude and threshold in one dispatch.

in_gray (a sampled view, Float32 C1) to out_magnitude (Float32 C1), lluvia/imgproc/Sobel's
magnitude, and out_edges (Uint8 C1): 255 where that magnitude reaches the push constant
threshold (a float), else 0. The gradient is not written.
]], {{"in_gray", ll.PortDirection.In, type = ll.PortType.SampledImageView},
  {"out_magnitude", ll.PortDirection.Out}, {"out_edges", ll.PortDirection.Out}})

local builder = ll.class(ll.ContainerNodeBuilder)
builder.name = "lluvia/imgproc/EdgeDetect"
builder.doc = [[
Edges of an 8-bit picture: gray, Gaussian blur, Sobel magnitude, threshold.

The RGBA input is made gray by lluvia/color/RGBA2Gray (BT.601 luma, truncated), blurred by
lluvia/imgproc/GaussianBlur (sigma, radius ceil(3 sigma)), and one dispatch gives
lluvia/imgproc/Sobel's gradient magnitude of the blurred gray (in gray levels) and
out_edges, 255 where that magnitude reaches threshold, else 0.

Ports (bind in_rgba or in_gray, not both)
  in_rgba        ImageView, In: Uint8 C4.
  in_gray        ImageView, In: Uint8 C1 (then out_gray is this image).
  out_gray       ImageView, Out: Uint8 C1.
  out_magnitude  ImageView, Out: Float32 C1.
  out_edges      ImageView, Out: Uint8 C1, 255 or 0.
  Outputs are allocated in the input's Memory unless bound before init.

Parameters
  sigma      = 1.4: the Gaussian's standard deviation in pixels (> 0).
  threshold  = 100: in gradient magnitude units (gray levels per pixel, Sobel-weighted).
]]

function builder.newDescriptor()
  local desc = ll.ContainerNodeDescriptor.new()
  desc.builderName = builder.name
  local ports = {{"in_rgba", ll.PortDirection.In}, {"in_gray", ll.PortDirection.In},
    {"out_gray", ll.PortDirection.Out}, {"out_magnitude", ll.PortDirection.Out},
    {"out_edges", ll.PortDirection.Out}}
  for i, p in ipairs(ports) do
    desc:addPort(ll.PortDescriptor.new(i - 1, p[1], p[2], ll.PortType.ImageView))
  end
  desc:setParameter("sigma", 1.4)
  desc:setParameter("threshold", 100)
  return desc
end

-- The gray input: in_gray itself, or in_rgba made gray by a child node "gray".
local function grayOf(node)
  local rgba, gray = kit.bound(node, "in_rgba"), kit.bound(node, "in_gray")
  if rgba ~= nil and gray ~= nil then
    error(("bad argument #1 to 'init' (%s: ports 'in_rgba' and 'in_gray' are both bound: " ..
      "bind one)"):format(builder.name), 0)
  end
  if gray ~= nil then
    gray = kit.input(node, "in_gray", {channelTypes = {"Uint8"}, channels = {1}})
    if kit.bound(node, "out_gray") ~= gray then node:bind("out_gray", gray) end
    return gray, nil
  end
  if rgba == nil then
    error(("bad argument #1 to 'init' (%s: port 'in_rgba' (or 'in_gray') is not bound: bind " ..
      "an ImageView to it before init)"):format(builder.name), 0)
  end
  rgba = kit.input(node, "in_rgba", {channelTypes = {"Uint8"}, channels = {4}})
  gray = kit.sizedOutput(node, "out_gray", rgba.memory, rgba.width, rgba.height, 1, "Uint8")
  local toGray = ll.createComputeNode("lluvia/color/RGBA2Gray")
  toGray:bind("in_rgba", rgba)
  toGray:bind("out_gray", gray)
  toGray:init()
  return gray, toGray
end

function builder.onNodeInit(node)
  local threshold = kit.number(node, "threshold", 100)
  local gray, toGray = grayOf(node)
  local w, h, memory = gray.width, gray.height, gray.memory
  local magnitude = kit.sizedOutput(node, "out_magnitude", memory, w, h, 1, "Float32")
  local edges = kit.sizedOutput(node, "out_edges", memory, w, h, 1, "Uint8")

  local blur = ll.createContainerNode("lluvia/imgproc/GaussianBlur")
  blur:setParameter("sigma", kit.number(node, "sigma", 1.4))
  blur:bind("in_image", gray)
  blur:init()
  local pc = ll.PushConstants.new()
  pc:pushFloat(threshold)

  if toGray ~= nil then node:bindNode("gray", toGray) end
  node:bindNode("blur", blur)
  node:bindNode("sobel", kit.computeNode("lluvia/imgproc/EdgeDetect_sobel",
    {in_gray = kit.sampled(blur:getPort("out_image")), out_magnitude = magnitude, out_edges = edges},
    pc, w, h))
end

function builder.onNodeRecord(node, cb)
  local stages = {"blur", "sobel"}
  if pcall(node.getNode, node, "gray") then table.insert(stages, 1, "gray") end
  kit.recordInOrder(node, cb, stages)
end

ll.registerNodeBuilder(builder)
