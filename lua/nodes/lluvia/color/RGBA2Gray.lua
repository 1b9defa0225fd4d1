-- lluvia/color/RGBA2Gray (shaders/nodes/lluvia/color/RGBA2Gray.comp).
local kit = ll._nodeKit

kit.mapBuilder{
  name = "lluvia/color/RGBA2Gray",
  doc = [[
Converts an 8-bit RGBA image to 8-bit gray (BT.601 luma, truncated).

gray = floor(0.299 R + 0.587 G + 0.114 B), computed exactly in integers; alpha is ignored.
]],
  input = {"in_rgba", 4, "Uint8"},
  output = {"out_gray", 1, "Uint8"},
}
