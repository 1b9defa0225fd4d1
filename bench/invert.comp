// invert.comp: bench/compute.lua's and bench_compute.c's shader: out = 255 - in, per
// channel of an RGBA Uint8 image.
#version 450
#include <lluvia/core.glsl>
layout(binding = 0, rgba8ui) uniform readonly uimage2D in_image;
layout(binding = 1, rgba8ui) uniform writeonly uimage2D out_image;
void main() {
    ivec2 p = LL_GLOBAL_COORDS_2D;
    if (any(greaterThanEqual(p, imageSize(in_image)))) return;
    imageStore(out_image, p, uvec4(255u) - imageLoad(in_image, p));
}
