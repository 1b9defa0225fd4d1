// lluvia/imgproc/EdgeDetect_grayblur.comp: EdgeDetect's first stage for an RGBA input:
// lluvia/color/RGBA2Gray (color.glsl) and GaussianBlur's x pass over that gray, in one
// dispatch: out_gray written once, the x-blurred gray (Float32) for the y pass.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "lluvia/core.glsl"
#include "lluvia/core/color.glsl"

layout(binding = 0, rgba8ui) uniform readonly uimage2D in_rgba;
layout(binding = 1, r8ui) uniform writeonly uimage2D out_gray;
layout(binding = 2, r32f) uniform writeonly image2D out_blur;

layout(push_constant) uniform Params {
    int radius;  // taps on each side of the centre
    float sigma; // > 0
} params;

float gray(const int x, const int y, const int lastX)
{
    return float(color_rgba2gray(imageLoad(in_rgba, ivec2(clamp(x, 0, lastX), y))));
}

void main()
{
    const ivec2 c = LL_GLOBAL_COORDS_2D;
    const ivec2 size = imageSize(out_gray);
    if (any(greaterThanEqual(c, size))) {
        return;
    }
    const uint centre = color_rgba2gray(imageLoad(in_rgba, c));
    imageStore(out_gray, c, uvec4(centre));
    // GaussianBlur.glsl's weights and order: exp(-i^2 / (2 sigma^2)), normalised at the end.
    const float k = -0.5 / (params.sigma * params.sigma);
    const int lastX = size.x - 1;
    float sum = float(centre);
    float weights = 1.0;
    for (int i = 1; i <= params.radius; ++i) {
        const float w = exp(k * float(i * i));
        sum += w * (gray(c.x - i, c.y, lastX) + gray(c.x + i, c.y, lastX));
        weights += 2.0 * w;
    }
    imageStore(out_blur, c, vec4(sum / weights));
}
