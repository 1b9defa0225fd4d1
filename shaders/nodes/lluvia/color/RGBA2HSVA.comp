// lluvia/color/RGBA2HSVA: 8-bit RGBA to float HSVA (hue in radians; color.glsl). The output
// is Float16 or Float32, written without a format qualifier (shaderStorageImageWriteWithoutFormat).
// Builder: lua/nodes/lluvia/color/RGBA2HSVA.lua; docs/nodes.md.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "lluvia/core.glsl"
#include "lluvia/core/color.glsl"

layout(binding = 0, rgba8ui) uniform readonly uimage2D in_rgba;
layout(binding = 1) uniform writeonly image2D out_hsva;

layout(push_constant) uniform parameters {
    float minChroma;
};

void main()
{
    const ivec2 p = LL_GLOBAL_COORDS_2D;
    if (any(greaterThanEqual(p, imageSize(out_hsva))))
        return;
    imageStore(out_hsva, p, color_rgba2hsva(imageLoad(in_rgba, p), minChroma));
}
