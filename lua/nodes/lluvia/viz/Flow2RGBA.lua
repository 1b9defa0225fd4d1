-- lluvia/viz/Flow2RGBA (shaders/nodes/lluvia/viz/Flow2RGBA.comp).
local kit = ll._nodeKit

kit.mapBuilder{
  name = "lluvia/viz/Flow2RGBA",
  doc = [[
Colours a 2D flow field: direction as hue, norm as saturation and value.

With n = |flow| / max_flow and s = min(n, 1): a pixel whose flow is NaN or infinite is white,
one with s < 1e-3 is black; others are the HSV colour of hue atan2(y, x) (in [0, 2 pi)),
saturation s, value max(1 + 0.3 ln s, 0) for n <= 1 and 0.8 past it, alpha 255 (as
lluvia/color/HSVA2RGBA converts it).

Parameters
----------
max_flow : float > 0, default 1.0
    The norm that saturates the colour.
]],
  input = {"in_flow", 2, {"Float16", "Float32"}, doc = "The flow (x, y) of each pixel."},
  output = {"out_rgba", 4, "Uint8"},
  parameters = {{"max_flow", 1.0}},
  prepare = function(node)
    kit.useVariant(node, "in_flow")
    local maxFlow = kit.number(node, "max_flow", 1.0)
    if not (maxFlow > 0 and maxFlow < math.huge) then
      kit.parameterError(node, "max_flow", "must be a finite number > 0, got %s", tostring(maxFlow))
    end
    local pc = ll.PushConstants.new()
    pc:pushFloat(maxFlow)
    node.pushConstants = pc
  end,
}
