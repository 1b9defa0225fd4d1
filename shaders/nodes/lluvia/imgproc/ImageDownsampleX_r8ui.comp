// lluvia/imgproc/ImageDownsampleX_r8ui: halves an 8-bit gray image along X, filtering
// with (1 2 1) / 4 (truncated) around every second pixel, the input's edge clamped.
// Builder: lua/nodes/lluvia/imgproc/ImageDownsampleX_r8ui.lua; docs/nodes.md.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "lluvia/core.glsl"

layout(binding = 0, r8ui) uniform readonly uimage2D in_gray;
layout(binding = 1, r8ui) uniform writeonly uimage2D out_gray;

void main()
{
    const ivec2 p = LL_GLOBAL_COORDS_2D;
    if (any(greaterThanEqual(p, imageSize(out_gray))))
        return;
    const ivec2 step = ivec2(1, 0);
    const ivec2 last = imageSize(in_gray) - 1;
    const ivec2 centre = p * ivec2(2, 1);
    const uint c = imageLoad(in_gray, centre).r;
    const uint m = imageLoad(in_gray, clamp(centre - step, ivec2(0), last)).r;
    const uint n = imageLoad(in_gray, clamp(centre + step, ivec2(0), last)).r;
    imageStore(out_gray, p, uvec4((m + 2u * c + n) / 4u));
}
