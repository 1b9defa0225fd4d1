-- lluvia/color/RGBA2HSVA (shaders/nodes/lluvia/color/RGBA2HSVA.comp).
local kit = ll._nodeKit

kit.mapBuilder{
  name = "lluvia/color/RGBA2HSVA",
  doc = [[
Converts an 8-bit RGBA image to HSVA (the hexcone model).

With r, g, b, a the channels over 255, V = max(r, g, b), C = V - min(r, g, b):
H = 60 degrees times (g - b) / C mod 6, 2 + (b - r) / C or 4 + (r - g) / C where r, g or b
is the largest, in radians in [0, 2 pi), and 0 where C <= min_chroma; S = C / V (0 where V
is 0); A = a.

Parameters
----------
min_chroma : float in [0, 1], default 0.0
    Colours of at most this chroma are gray: hue 0.
float_precision : ll.FloatPrecision, default FP32
    The channel type of out_hsva: FP16 (Float16) or FP32 (Float32).
]],
  input = {"in_rgba", 4, "Uint8"},
  output = {"out_hsva", 4, {"Float16", "Float32"}, make = kit.floatType,
    doc = "H, S, V, A; the type float_precision says."},
  parameters = {{"min_chroma", 0.0}, {"float_precision", ll.FloatPrecision.FP32}},
  prepare = function(node)
    local pc = ll.PushConstants.new()
    local minChroma = kit.number(node, "min_chroma", 0)
    if not (minChroma >= 0 and minChroma <= 1) then
      kit.parameterError(node, "min_chroma", "must be in [0, 1], got %s", tostring(minChroma))
    end
    pc:pushFloat(minChroma)
    kit.floatType(node)
    node.pushConstants = pc
  end,
}
