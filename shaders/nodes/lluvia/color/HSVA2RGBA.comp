// variants: rgba32f rgba16f
// lluvia/color/HSVA2RGBA: float HSVA (hue in radians) to 8-bit RGBA, rounded (color.glsl).
// One program per input format (LL_FORMAT: CMakeLists.txt). Builder:
// lua/nodes/lluvia/color/HSVA2RGBA.lua; docs/nodes.md.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "lluvia/core.glsl"
#include "lluvia/core/color.glsl"

layout(binding = 0, LL_FORMAT) uniform readonly image2D in_hsva;
layout(binding = 1, rgba8ui) uniform writeonly uimage2D out_rgba;

void main()
{
    const ivec2 p = LL_GLOBAL_COORDS_2D;
    if (any(greaterThanEqual(p, imageSize(out_rgba))))
        return;
    imageStore(out_rgba, p, color_hsva2rgba(imageLoad(in_hsva, p)));
}
