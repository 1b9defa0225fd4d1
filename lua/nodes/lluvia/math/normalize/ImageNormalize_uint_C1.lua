-- lluvia/math/normalize/ImageNormalize_uint_C1
-- (shaders/nodes/lluvia/math/normalize/ImageNormalize_uint_C1.comp).
local kit = ll._nodeKit

kit.mapBuilder{
  name = "lluvia/math/normalize/ImageNormalize_uint_C1",
  doc = [[
Converts a 1-channel unsigned integer image to float, divided by max_value.

out = in / max_value where max_value > 0, else float(in).

Parameters
----------
max_value : float, default 0.0
    The value that becomes 1.0 (255 for an 8-bit image, say); 0 or less keeps the values.
]],
  input = {"in_image_uint", 1, {"Uint8", "Uint16", "Uint32"}},
  output = {"out_image_float", 1, {"Float32", "Float16"}, doc = "Float32 where it is made."},
  parameters = {{"max_value", 0.0}},
  prepare = function(node)
    kit.useVariant(node, "in_image_uint")
    local pc = ll.PushConstants.new()
    pc:pushFloat(kit.number(node, "max_value", 0))
    node.pushConstants = pc
  end,
}
