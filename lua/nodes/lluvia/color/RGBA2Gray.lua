-- lluvia/color/RGBA2Gray (shaders/nodes/lluvia/color/RGBA2Gray.comp).
local kit = ll._nodeKit

kit.computeBuilder("lluvia/color/RGBA2Gray", [[
Converts an 8-bit RGBA image to 8-bit gray (BT.601 luma, truncated).

gray = floor(0.299 R + 0.587 G + 0.114 B), computed exactly in integers; alpha is ignored.

Inputs
------
in_rgba : ImageView
    Uint8 C4 image (rgba8ui).

Outputs
-------
out_gray : ImageView
    Uint8 C1 image (r8ui) of the input's size, made in the input's Memory unless bound
    before init.
]], {
  {"in_rgba", ll.PortDirection.In, check = kit.image(ll.ChannelCount.C4, ll.ChannelType.Uint8)},
  {"out_gray", ll.PortDirection.Out},
}, nil, function(node)
  kit.cover(node, kit.output(node, "in_rgba", "out_gray", ll.ChannelCount.C1, ll.ChannelType.Uint8))
end)
