-- lluvia/imgproc/Sobel: the 3x3 Sobel gradient of a gray image and its magnitude, a
-- container of one Sobel_<class> node (the program that reads the input's channel type).
local kit = ll._nodeKit

for _, class in ipairs({"uint", "float"}) do
  kit.computeBuilder("lluvia/imgproc/Sobel_" .. class, ([[
lluvia/imgproc/Sobel's dispatch for a gray image of %s values.

in_gray (a sampled view, C1) to out_gradient (Float32 C2: gx, gy) and out_magnitude
(Float32 C1).
]]):format(class), {{"in_gray", ll.PortDirection.In, type = ll.PortType.SampledImageView}, {"out_gradient", ll.PortDirection.Out},
    {"out_magnitude", ll.PortDirection.Out}})
end

local builder = ll.class(ll.ContainerNodeBuilder)
builder.name = "lluvia/imgproc/Sobel"
builder.doc = [[
Sobel gradient (gx, gy) of a gray image and its magnitude.

gx is the 3x3 correlation with [-1 0 1; -2 0 2; -1 0 1], gy with its transpose, over the
input's values (Uint8 0 to 255, not normalised); magnitude = sqrt(gx^2 + gy^2). Pixels
outside the image are the nearest edge pixel's (borders clamp).

Ports
  in_gray        ImageView, In: C1, Uint8, Uint16, Float16 or Float32.
  out_gradient   ImageView, Out: Float32 C2 (gx, gy).
  out_magnitude  ImageView, Out: Float32 C1.
  Outputs are allocated in the input's Memory unless bound before init.

Parameters
  float_precision = FP32: the outputs' precision; only FP32 (lluvia's parameter, kept for
                    scripts that set it).
]]

function builder.newDescriptor()
  local desc = ll.ContainerNodeDescriptor.new()
  desc.builderName = builder.name
  desc:addPort(ll.PortDescriptor.new(0, "in_gray", ll.PortDirection.In, ll.PortType.ImageView))
  desc:addPort(ll.PortDescriptor.new(1, "out_gradient", ll.PortDirection.Out, ll.PortType.ImageView))
  desc:addPort(ll.PortDescriptor.new(2, "out_magnitude", ll.PortDirection.Out, ll.PortType.ImageView))
  desc:setParameter("float_precision", ll.FloatPrecision.FP32)
  return desc
end

function builder.onNodeInit(node)
  local input, sampled = kit.input(node, "in_gray", {sampledUsage = true,
    channelTypes = {"Uint8", "Uint16", "Float16", "Float32"},
    channels = {1}})
  if kit.floatType(node) ~= "Float32" then
    kit.parameterError(node, "float_precision", "must be FP32 (%d): Sobel's outputs are Float32",
      ll.FloatPrecision.FP32)
  end
  local w, h = input.width, input.height
  local gradient = kit.sizedOutput(node, "out_gradient", input.memory, w, h, 2, "Float32")
  local magnitude = kit.sizedOutput(node, "out_magnitude", input.memory, w, h, 1, "Float32")
  node:bindNode("sobel", kit.computeNode("lluvia/imgproc/Sobel_" .. kit.class(input.channelType),
    {in_gray = sampled, out_gradient = gradient, out_magnitude = magnitude}, nil, w, h))
end

function builder.onNodeRecord(node, cb)
  cb:run(node:getNode("sobel"))
end

ll.registerNodeBuilder(builder)
