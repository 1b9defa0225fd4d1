// lluvia/color/RGBA2Gray: 8-bit RGBA to 8-bit gray, BT.601 luma truncated (color.glsl).
// Builder: lua/nodes/lluvia/color/RGBA2Gray.lua; docs/nodes.md.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "lluvia/core.glsl"
#include "lluvia/core/color.glsl"

layout(binding = 0, rgba8ui) uniform readonly uimage2D in_rgba;
layout(binding = 1, r8ui) uniform writeonly uimage2D out_gray;

void main()
{
    const ivec2 p = LL_GLOBAL_COORDS_2D;
    if (any(greaterThanEqual(p, imageSize(out_gray))))
        return;
    imageStore(out_gray, p, uvec4(color_rgba2gray(imageLoad(in_rgba, p))));
}
