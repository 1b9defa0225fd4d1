-- lluvia/imgproc/GaussianBlur: the separable Gaussian blur, a container of two passes (x,
-- then y) of the GaussianBlur_<class> programs. Not for: the arithmetic (GaussianBlur.glsl).
local kit = ll._nodeKit

local CLASSES = {"uint", "int", "float"}
for _, class in ipairs(CLASSES) do
  kit.computeBuilder("lluvia/imgproc/GaussianBlur_" .. class, ([[
One pass of lluvia/imgproc/GaussianBlur over an image of %s channels.

in_image (a sampled view) blurred along the axis the push constants give (ivec2 axis, int
radius, float sigma) into out_image (a float image of the same size and channels).
]]):format(class), {{"in_image", ll.PortDirection.In, type = ll.PortType.SampledImageView}, {"out_image", ll.PortDirection.Out}})
end

local builder = ll.class(ll.ContainerNodeBuilder)
builder.name = "lluvia/imgproc/GaussianBlur"
builder.doc = [[
Separable Gaussian blur of an image, float output.

Two passes, along x then along y, each of 2 radius + 1 taps weighted exp(-i^2 / (2 sigma^2))
and normalised to 1; pixels outside the image are the nearest edge pixel's (borders clamp).

Ports
  in_image   ImageView, In: 1 to 4 channels of any 8-, 16- or 32-bit channel type.
  out_image  ImageView, Out: the input's size and channels, Float32 (Float16 with
             float_precision = FP16), values in the input's scale (not normalised to [0, 1]).
             Allocated in the input's Memory unless bound before init.

Parameters
  sigma            = 1.0: the standard deviation in pixels; must be > 0.
  radius           = ceil(3 sigma): taps on each side of the centre; must be >= 0.
  float_precision  = FP32: FP32 or FP16, the output's channel type.
]]

function builder.newDescriptor()
  local desc = ll.ContainerNodeDescriptor.new()
  desc.builderName = builder.name
  desc:addPort(ll.PortDescriptor.new(0, "in_image", ll.PortDirection.In, ll.PortType.ImageView))
  desc:addPort(ll.PortDescriptor.new(1, "out_image", ll.PortDirection.Out, ll.PortType.ImageView))
  desc:setParameter("sigma", 1.0)
  desc:setParameter("float_precision", ll.FloatPrecision.FP32)
  return desc
end

function builder.onNodeInit(node)
  local input, sampled = kit.input(node, "in_image", {sampledUsage = true, channelTypes = kit.channelTypes,
    channels = {1, 2, 3, 4}})
  local sigma = kit.number(node, "sigma", 1.0)
  if not (sigma > 0) then kit.parameterError(node, "sigma", "must be > 0, got %s", tostring(sigma)) end
  local radius = kit.integer(node, "radius", math.ceil(3 * sigma))
  if radius < 0 then kit.parameterError(node, "radius", "must be >= 0, got %d", radius) end
  local outType = kit.floatType(node)

  local w, h, c = input.width, input.height, input.channels
  local output = kit.sizedOutput(node, "out_image", input.memory, w, h, c, outType)
  -- The x pass keeps full precision whatever the output's: Float32 between the passes.
  local between = input.memory:createImageView(ll.ImageDescriptor.new(1, h, w, c, "Float32"),
    ll.ImageViewDescriptor.new(ll.ImageAddressMode.ClampToEdge, ll.ImageFilterMode.Nearest,
      false, false))
  node:bindNode("blur_x", kit.computeNode("lluvia/imgproc/GaussianBlur_" ..
    kit.class(input.channelType), {in_image = sampled, out_image = between},
    kit.blurPassConstants(1, 0, radius, sigma), w, h))
  node:bindNode("blur_y", kit.computeNode("lluvia/imgproc/GaussianBlur_float",
    {in_image = kit.sampled(between), out_image = output}, kit.blurPassConstants(0, 1, radius, sigma), w, h))
end

function builder.onNodeRecord(node, cb)
  kit.recordInOrder(node, cb, {"blur_x", "blur_y"})
end

ll.registerNodeBuilder(builder)
