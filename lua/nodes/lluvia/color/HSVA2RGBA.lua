-- lluvia/color/HSVA2RGBA (shaders/nodes/lluvia/color/HSVA2RGBA.comp).
local kit = ll._nodeKit

kit.mapBuilder{
  name = "lluvia/color/HSVA2RGBA",
  doc = [[
Converts an HSVA image (hue in radians) to 8-bit RGBA, the inverse of lluvia/color/RGBA2HSVA.

Each of r, g, b is V - V S clamp(min(k, 4 - k), 0, 1) with k = (n + 3 H / pi) mod 6 and n = 5,
3, 1; each channel (alpha too) is round(255 x), clamped to [0, 255].
]],
  input = {"in_hsva", 4, {"Float16", "Float32"}, doc = "H in [0, 2 pi), S, V, A in [0, 1]."},
  output = {"out_rgba", 4, "Uint8"},
  prepare = function(node) kit.useVariant(node, "in_hsva") end,
}
