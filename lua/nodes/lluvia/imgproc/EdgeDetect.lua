-- lluvia/imgproc/EdgeDetect: edges of an 8-bit picture, a container of gray -> GaussianBlur
-- -> Sobel magnitude -> threshold: one dispatch (EdgeDetect_rgba or EdgeDetect_gray, over
-- EdgeDetect.glsl's shared tiles) where the blur's radius fits the tile, else three (the
-- staged pipeline). Not for: the stages' arithmetic (their own nodes, GaussianBlur.glsl and
-- Sobel.glsl, which EdgeDetect.glsl follows).
local kit = ll._nodeKit

-- EdgeDetect.glsl's workgroup, the tile of pixels it makes, and the largest radius its
-- shared memory holds.
local GROUP, TILE = {16, 16}, {32, 16}
local MAX_FUSED_RADIUS = 6

local FUSED_DOC = [[
out_magnitude (Float32 C1): lluvia/imgproc/Sobel's magnitude of in_%s's gray blurred by
lluvia/imgproc/GaussianBlur; out_edges (Uint8 C1): 255 where it reaches the threshold, else
0.%s Push constants int radius (0 to %d), float sigma, float threshold. The workgroup is fixed
at %dx%d (localShape must stay so) and makes a tile of %dx%d pixels in shared memory: the
grid is the image's size over the tile's.
]]

local function fusedDoc(input, grayDoc)
  return FUSED_DOC:format(input, grayDoc, MAX_FUSED_RADIUS, GROUP[1], GROUP[2], TILE[1], TILE[2])
end

kit.computeBuilder{name = "lluvia/imgproc/EdgeDetect_rgba", localShape = GROUP,
  doc = "lluvia/imgproc/EdgeDetect in one dispatch, for an RGBA (Uint8 C4) input.\n\n" ..
    fusedDoc("rgba", " out_gray (Uint8 C1): lluvia/color/RGBA2Gray's gray."),
  ports = {{"in_rgba", ll.PortDirection.In}, {"out_gray", ll.PortDirection.Out},
    {"out_magnitude", ll.PortDirection.Out}, {"out_edges", ll.PortDirection.Out}}}

kit.computeBuilder{name = "lluvia/imgproc/EdgeDetect_gray", localShape = GROUP,
  doc = "lluvia/imgproc/EdgeDetect in one dispatch, for a gray (Uint8 C1) input.\n\n" ..
    fusedDoc("gray", ""),
  ports = {{"in_gray", ll.PortDirection.In}, {"out_magnitude", ll.PortDirection.Out},
    {"out_edges", ll.PortDirection.Out}}}

kit.computeBuilder("lluvia/imgproc/EdgeDetect_sobel", [[
lluvia/imgproc/EdgeDetect's last stage: Sobel magnitude and threshold in one dispatch.

in_gray (a sampled view, Float32 C1) to out_magnitude (Float32 C1), lluvia/imgproc/Sobel's
magnitude, and out_edges (Uint8 C1): 255 where that magnitude reaches the push constant
threshold (a float), else 0. The gradient is not written.
]], {{"in_gray", ll.PortDirection.In, type = ll.PortType.SampledImageView},
  {"out_magnitude", ll.PortDirection.Out}, {"out_edges", ll.PortDirection.Out}})

kit.computeBuilder("lluvia/imgproc/EdgeDetect_grayblur", [[
lluvia/imgproc/EdgeDetect's first stage for in_rgba: RGBA2Gray and the blur's x pass.

in_rgba (Uint8 C4) to out_gray (Uint8 C1, lluvia/color/RGBA2Gray's) and out_blur (Float32
C1): that gray blurred along x as lluvia/imgproc/GaussianBlur's first pass (push constants
int radius, float sigma).
]], {{"in_rgba", ll.PortDirection.In}, {"out_gray", ll.PortDirection.Out},
  {"out_blur", ll.PortDirection.Out}})

local builder = ll.class(ll.ContainerNodeBuilder)
builder.name = "lluvia/imgproc/EdgeDetect"
builder.doc = [[
Edges of an 8-bit picture: gray, Gaussian blur, Sobel magnitude, threshold.

The RGBA input is made gray by lluvia/color/RGBA2Gray (BT.601 luma, truncated), blurred by
lluvia/imgproc/GaussianBlur (sigma, radius ceil(3 sigma)), and lluvia/imgproc/Sobel's
gradient magnitude of the blurred gray (in gray levels) is out_magnitude; out_edges is 255
where that magnitude reaches threshold, else 0. On a GPU all of it is one dispatch (the
child node "edges") while the radius is at most 6 (sigma <= 2), else three:
"gray_blur_x" (or, for in_gray, the GaussianBlur "blur"), "blur_y" and "sobel".

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
  fused      = 1 (0 on a CPU device such as lavapipe, where it is faster): 0 runs the
               three dispatches at any radius (to time or inspect the stages); the
               outputs are the same up to float rounding.
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

-- A Float32 C1 image of w x h in memory, between two stages.
local function between(memory, w, h)
  return memory:createImageView(ll.ImageDescriptor.new(1, h, w, 1, "Float32"),
    ll.ImageViewDescriptor.new(ll.ImageAddressMode.ClampToEdge, ll.ImageFilterMode.Nearest,
      false, false))
end

-- The input, checked: the view bound to in_rgba, or nil and the one bound to in_gray (then
-- also bound to out_gray).
local function input(node)
  local rgba, gray = kit.bound(node, "in_rgba"), kit.bound(node, "in_gray")
  if rgba ~= nil and gray ~= nil then
    error(("bad argument #1 to 'init' (%s: ports 'in_rgba' and 'in_gray' are both bound: " ..
      "bind one)"):format(builder.name), 0)
  end
  if gray ~= nil then
    gray = kit.input(node, "in_gray", {channelTypes = {"Uint8"}, channels = {1}})
    if kit.bound(node, "out_gray") ~= gray then node:bind("out_gray", gray) end
    return nil, gray
  end
  if rgba == nil then
    error(("bad argument #1 to 'init' (%s: port 'in_rgba' (or 'in_gray') is not bound: bind " ..
      "an ImageView to it before init)"):format(builder.name), 0)
  end
  return kit.input(node, "in_rgba", {channelTypes = {"Uint8"}, channels = {4}}), nil
end

-- The staged pipeline's blurred gray: for in_rgba, child nodes "gray_blur_x" (RGBA2Gray and
-- the x pass, one dispatch) and "blur_y"; for in_gray, the child GaussianBlur "blur".
local function blurredGray(node, rgba, gray, sigma, radius)
  if gray ~= nil then
    local blur = ll.createContainerNode("lluvia/imgproc/GaussianBlur")
    blur:setParameter("sigma", sigma)
    blur:bind("in_image", gray)
    blur:init()
    node:bindNode("blur", blur)
    return gray, blur:getPort("out_image")
  end
  local w, h, memory = rgba.width, rgba.height, rgba.memory
  gray = kit.sizedOutput(node, "out_gray", memory, w, h, 1, "Uint8")
  local x, y = between(memory, w, h), between(memory, w, h)
  local pc = ll.PushConstants.new()
  pc:pushInt32(radius)
  pc:pushFloat(sigma)
  node:bindNode("gray_blur_x", kit.computeNode("lluvia/imgproc/EdgeDetect_grayblur",
    {in_rgba = rgba, out_gray = gray, out_blur = x}, pc, w, h))
  node:bindNode("blur_y", kit.computeNode("lluvia/imgproc/GaussianBlur_float",
    {in_image = kit.sampled(x), out_image = y}, kit.blurPassConstants(0, 1, radius, sigma), w, h))
  return gray, y
end

-- fused's default: 1, but 0 on a CPU device (lavapipe), where the one dispatch's shared
-- memory and barriers cost more than the three dispatches' traffic saves (bench_edges.lua:
-- the one dispatch 1.3x slower there at 3840x2160, 2.4x faster on an H200).
local function fusedDefault()
  return ll.activeSession.deviceType == "Cpu" and 0 or 1
end

function builder.onNodeInit(node)
  local threshold = kit.number(node, "threshold", 100)
  local sigma = kit.number(node, "sigma", 1.4)
  local fused = kit.integer(node, "fused", fusedDefault())
  if not (sigma > 0) then kit.parameterError(node, "sigma", "must be > 0, got %s", tostring(sigma)) end
  if fused ~= 0 and fused ~= 1 then
    kit.parameterError(node, "fused", "must be 0 or 1, got %s", tostring(fused))
  end
  local radius = math.ceil(3 * sigma)
  local rgba, gray = input(node)
  local source = rgba or gray
  local w, h, memory = source.width, source.height, source.memory
  if fused == 1 and radius <= MAX_FUSED_RADIUS then
    local pc = ll.PushConstants.new()
    pc:pushInt32(radius)
    pc:pushFloat(sigma)
    pc:pushFloat(threshold)
    local ports = {
      out_magnitude = kit.sizedOutput(node, "out_magnitude", memory, w, h, 1, "Float32"),
      out_edges = kit.sizedOutput(node, "out_edges", memory, w, h, 1, "Uint8"),
    }
    local name = "lluvia/imgproc/EdgeDetect_gray"
    if rgba ~= nil then
      name = "lluvia/imgproc/EdgeDetect_rgba"
      ports.in_rgba = rgba
      ports.out_gray = kit.sizedOutput(node, "out_gray", memory, w, h, 1, "Uint8")
    else
      ports.in_gray = gray
    end
    node:bindNode("edges", kit.computeNode(name, ports, pc, w, h, TILE))
    return
  end
  local _, blurred = blurredGray(node, rgba, gray, sigma, radius)
  local magnitude = kit.sizedOutput(node, "out_magnitude", memory, w, h, 1, "Float32")
  local edges = kit.sizedOutput(node, "out_edges", memory, w, h, 1, "Uint8")
  local pc = ll.PushConstants.new()
  pc:pushFloat(threshold)
  node:bindNode("sobel", kit.computeNode("lluvia/imgproc/EdgeDetect_sobel",
    {in_gray = kit.sampled(blurred), out_magnitude = magnitude, out_edges = edges}, pc, w, h))
end

function builder.onNodeRecord(node, cb)
  if pcall(node.getNode, node, "edges") then
    cb:run(node:getNode("edges"))
  elseif pcall(node.getNode, node, "blur") then
    kit.recordInOrder(node, cb, {"blur", "sobel"})
  else
    kit.recordInOrder(node, cb, {"gray_blur_x", "blur_y", "sobel"})
  end
end

ll.registerNodeBuilder(builder)
