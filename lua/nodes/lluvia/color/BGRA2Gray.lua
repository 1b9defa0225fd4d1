-- lluvia/color/BGRA2Gray (shaders/nodes/lluvia/color/BGRA2Gray.comp).
local kit = ll._nodeKit

kit.mapBuilder{
  name = "lluvia/color/BGRA2Gray",
  doc = [[
Converts an 8-bit BGRA image to 8-bit gray (BT.601 luma, truncated).

As lluvia/color/RGBA2Gray, with the channels in blue, green, red, alpha order:
gray = floor(0.299 R + 0.587 G + 0.114 B), exact; alpha is ignored.
]],
  input = {"in_bgra", 4, "Uint8", doc = "Channels B, G, R, A."},
  output = {"out_gray", 1, "Uint8"},
}
