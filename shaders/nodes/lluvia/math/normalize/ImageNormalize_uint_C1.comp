// variants: r8ui r16ui r32ui
// lluvia/math/normalize/ImageNormalize_uint_C1: an unsigned integer image to float, divided
// by max_value where it is > 0. One program per input format (LL_FORMAT: CMakeLists.txt);
// the output (Float16 or Float32) is written without a format. Builder:
// lua/nodes/lluvia/math/normalize/ImageNormalize_uint_C1.lua; docs/nodes.md.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "lluvia/core.glsl"

layout(binding = 0, LL_FORMAT) uniform readonly uimage2D in_image_uint;
layout(binding = 1) uniform writeonly image2D out_image_float;

layout(push_constant) uniform parameters {
    float maxValue;
};

void main()
{
    const ivec2 p = LL_GLOBAL_COORDS_2D;
    if (any(greaterThanEqual(p, imageSize(out_image_float))))
        return;
    const float v = float(imageLoad(in_image_uint, p).r);
    imageStore(out_image_float, p, vec4(maxValue > 0.0 ? v / maxValue : v));
}
