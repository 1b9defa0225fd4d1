// lluvia/imgproc/EdgeDetect_threshold.comp: EdgeDetect's last stage: 255 where the gradient
// magnitude reaches the threshold, else 0.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "lluvia/core.glsl"

layout(binding = 0, r32f) uniform readonly image2D in_magnitude;
layout(binding = 1, r8ui) uniform writeonly uimage2D out_edges;

layout(push_constant) uniform Params {
    float threshold;
} params;

void main()
{
    const ivec2 coords = LL_GLOBAL_COORDS_2D;
    if (any(greaterThanEqual(coords, imageSize(out_edges)))) {
        return;
    }
    const float magnitude = imageLoad(in_magnitude, coords).r;
    imageStore(out_edges, coords, uvec4(magnitude >= params.threshold ? 255u : 0u));
}
