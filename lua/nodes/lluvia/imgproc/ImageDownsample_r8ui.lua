-- lluvia/imgproc/ImageDownsampleX_r8ui and ImageDownsampleY_r8ui
-- (shaders/nodes/lluvia/imgproc/ImageDownsampleX_r8ui.comp, ImageDownsampleY_r8ui.comp).
local kit = ll._nodeKit

for _, axis in ipairs({
  {"X", "width", "floor(W / 2) x H", "in(2x - 1, y) + 2 in(2x, y) + in(2x + 1, y)"},
  {"Y", "height", "W x floor(H / 2)", "in(x, 2y - 1) + 2 in(x, 2y) + in(x, 2y + 1)"},
}) do
  local name, side, size, sum = axis[1], axis[2], axis[3], axis[4]
  kit.mapBuilder{
    name = ("lluvia/imgproc/ImageDownsample%s_r8ui"):format(name),
    doc = ([[
Halves an 8-bit gray image along %s, filtering with (1 2 1) / 4.

For an input of W x H the output is %s, and

    out(x, y) = floor((%s) / 4)

in integers (truncated), a neighbour past the input's edge taken as the edge pixel.
]]):format(name, size, sum),
    input = {"in_gray", 1, "Uint8"},
    output = {"out_gray", 1, "Uint8"},
    sizeDoc = size,
    prepare = function(node)
      local v = kit.input(node, "in_gray", {})
      if v[side] < 2 then
        kit.portError(node, "in_gray", "image %s must be at least 2, got %d", side, v[side])
      end
      if name == "X" then return v.width // 2, nil end
      return nil, v.height // 2
    end,
  }
end
