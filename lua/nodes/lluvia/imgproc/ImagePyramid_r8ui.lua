-- lluvia/imgproc/ImagePyramid_r8ui: a container of ImageDownsampleX_r8ui and
-- ImageDownsampleY_r8ui pairs, one per level above the base.
local kit = ll._nodeKit

local builder = ll.class(ll.ContainerNodeBuilder)
builder.name = "lluvia/imgproc/ImagePyramid_r8ui"
builder.doc = [[
Makes the levels of an image pyramid of an 8-bit gray image.

Level 0 is the input itself (bound, not copied); level i is level i - 1 halved along X by
lluvia/imgproc/ImageDownsampleX_r8ui, then along Y by lluvia/imgproc/ImageDownsampleY_r8ui
(children ImageDownsampleX_r8ui_i and ImageDownsampleY_r8ui_i), so it is
floor(W / 2^i) x floor(H / 2^i).

Parameters
----------
levels : int >= 1, default 1
    The number of levels, the input's included.

Inputs
------
in_gray : ImageView
    Uint8 C1 image, at least 2^(levels - 1) pixels on each side.

Outputs
-------
out_gray_0 ... out_gray_{levels - 1} : ImageView
    Uint8 C1 images: the levels, made in the input's Memory.
out_gray : ImageView
    The top level, out_gray_{levels - 1}.
]]

function builder.newDescriptor()
  return kit.containerDescriptor(builder.name,
    {{"in_gray", ll.PortDirection.In}, {"out_gray", ll.PortDirection.Out}}, {{"levels", 1}})
end

function builder.onNodeInit(node)
  local levels = kit.integer(node, "levels", 1)
  if levels < 1 then kit.parameterError(node, "levels", "must be >= 1, got %d", levels) end
  local level = kit.input(node, "in_gray", {channelTypes = {"Uint8"}, channels = {1}})
  local side = 1 << (levels - 1)
  if level.width < side or level.height < side then
    kit.portError(node, "in_gray", "image of %dx%d is too small for %d levels (each side at " ..
      "least %d)", level.width, level.height, levels, side)
  end
  node:bind("out_gray_0", level)
  for i = 1, levels - 1 do
    local downX = ll.createComputeNode("lluvia/imgproc/ImageDownsampleX_r8ui")
    downX:bind("in_gray", level)
    downX:init()
    local downY = ll.createComputeNode("lluvia/imgproc/ImageDownsampleY_r8ui")
    downY:bind("in_gray", downX:getPort("out_gray"))
    downY:init()
    node:bindNode(("ImageDownsampleX_r8ui_%d"):format(i), downX)
    node:bindNode(("ImageDownsampleY_r8ui_%d"):format(i), downY)
    level = downY:getPort("out_gray")
    node:bind(("out_gray_%d"):format(i), level)
  end
  node:bind("out_gray", level)
end

function builder.onNodeRecord(node, cb)
  local names = {}
  for i = 1, kit.integer(node, "levels", 1) - 1 do
    names[#names + 1] = ("ImageDownsampleX_r8ui_%d"):format(i)
    names[#names + 1] = ("ImageDownsampleY_r8ui_%d"):format(i)
  end
  kit.recordInOrder(node, cb, names)
end

ll.registerNodeBuilder(builder)
