// lluvia/color/RGBA2BGRA: swaps the red and blue channels of an 8-bit RGBA image.
// Builder: lua/nodes/lluvia/color/RGBA2BGRA.lua; docs/nodes.md.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "lluvia/core.glsl"

layout(binding = 0, rgba8ui) uniform readonly uimage2D in_rgba;
layout(binding = 1, rgba8ui) uniform writeonly uimage2D out_bgra;

void main()
{
    const ivec2 p = LL_GLOBAL_COORDS_2D;
    if (any(greaterThanEqual(p, imageSize(out_bgra))))
        return;
    imageStore(out_bgra, p, imageLoad(in_rgba, p).bgra);
}
