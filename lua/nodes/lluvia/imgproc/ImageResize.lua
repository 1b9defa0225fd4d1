-- lluvia/imgproc/ImageResize: bilinear resizing (OpenCV's INTER_LINEAR convention), a
-- container of one ImageResize_<class> node (the program that reads the channel type).
local kit = ll._nodeKit

for _, class in ipairs({"uint", "int", "float"}) do
  kit.computeBuilder("lluvia/imgproc/ImageResize_" .. class, ([[
lluvia/imgproc/ImageResize's dispatch for images of %s channels.

in_image (a sampled view) resized bilinearly to the size of out_image (same channels and
channel type).
]]):format(class), {{"in_image", ll.PortDirection.In, type = ll.PortType.SampledImageView}, {"out_image", ll.PortDirection.Out}})
end

local builder = ll.class(ll.ContainerNodeBuilder)
builder.name = "lluvia/imgproc/ImageResize"
builder.doc = [[
Bilinear resizing of an image to width x height.

Pixel centres are aligned, as OpenCV's INTER_LINEAR: output pixel x samples the input at
(x + 0.5) * inWidth / width - 0.5 (likewise y), between its four neighbours; outside the
image the edge pixels repeat. Integer channels are rounded to the nearest integer (halves
up); float channels are not rounded.

Ports
  in_image   ImageView, In: 1 to 4 channels of any 8-, 16- or 32-bit channel type.
  out_image  ImageView, Out: width x height, the input's channels and channel type;
             allocated in the input's Memory unless bound before init (then its size is
             the output's and width, height are not needed).

Parameters
  width, height: the output's size in pixels (integers > 0).
]]

function builder.newDescriptor()
  local desc = ll.ContainerNodeDescriptor.new()
  desc.builderName = builder.name
  desc:addPort(ll.PortDescriptor.new(0, "in_image", ll.PortDirection.In, ll.PortType.ImageView))
  desc:addPort(ll.PortDescriptor.new(1, "out_image", ll.PortDirection.Out, ll.PortType.ImageView))
  return desc
end

-- Parameter `name` as a size: an integer > 0.
local function size(node, name)
  local v = kit.integer(node, name, nil)
  if v == nil then
    kit.parameterError(node, name, "is needed (the output's size) unless out_image is bound before init")
  end
  if v <= 0 then kit.parameterError(node, name, "must be > 0, got %d", v) end
  return v
end

function builder.onNodeInit(node)
  local input, sampled = kit.input(node, "in_image", {sampledUsage = true, channelTypes = kit.channelTypes,
    channels = {1, 2, 3, 4}})
  local bound = kit.bound(node, "out_image")
  local w, h
  if bound ~= nil and getmetatable(bound) == "lluvia.ImageView" then
    w, h = bound.width, bound.height
  else
    w, h = size(node, "width"), size(node, "height")
  end
  local output = kit.sizedOutput(node, "out_image", input.memory, w, h, input.channels,
    input.channelType)
  node:bindNode("resize", kit.computeNode("lluvia/imgproc/ImageResize_" ..
    kit.class(input.channelType), {in_image = sampled, out_image = output}, nil, w, h))
end

function builder.onNodeRecord(node, cb)
  cb:run(node:getNode("resize"))
end

ll.registerNodeBuilder(builder)
