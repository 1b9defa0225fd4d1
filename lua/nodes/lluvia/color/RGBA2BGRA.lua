-- lluvia/color/RGBA2BGRA (shaders/nodes/lluvia/color/RGBA2BGRA.comp).
local kit = ll._nodeKit

kit.mapBuilder{
  name = "lluvia/color/RGBA2BGRA",
  doc = [[
Swaps the red and blue channels of an 8-bit RGBA image (RGBA to BGRA, or back).
]],
  input = {"in_rgba", 4, "Uint8"},
  output = {"out_bgra", 4, "Uint8", doc = "Channels B, G, R, A."},
}
