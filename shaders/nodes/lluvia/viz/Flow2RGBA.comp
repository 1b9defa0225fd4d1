// variants: rg32f rg16f
// lluvia/viz/Flow2RGBA: a 2D flow field as colour on the HSV wheel (direction as hue, norm as
// saturation and value). One program per input format (LL_FORMAT: CMakeLists.txt). Builder:
// lua/nodes/lluvia/viz/Flow2RGBA.lua; docs/nodes.md.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "lluvia/core.glsl"
#include "lluvia/core/color.glsl"

layout(binding = 0, LL_FORMAT) uniform readonly image2D in_flow;
layout(binding = 1, rgba8ui) uniform writeonly uimage2D out_rgba;

layout(push_constant) uniform parameters {
    float maxFlow;
};

const float TWO_PI = 6.28318530718;

void main()
{
    const ivec2 p = LL_GLOBAL_COORDS_2D;
    if (any(greaterThanEqual(p, imageSize(out_rgba))))
        return;
    const vec2 flow = imageLoad(in_flow, p).xy;
    uvec4 rgba;
    if (any(isnan(flow)) || any(isinf(flow))) {
        rgba = uvec4(255u);
    } else {
        const float norm = length(flow) / maxFlow;
        const float saturation = min(norm, 1.0);
        if (saturation < 1e-3) {
            rgba = uvec4(0u, 0u, 0u, 255u);
        } else {
            const float hue = mod(atan(flow.y, flow.x), TWO_PI);
            const float value = norm <= 1.0 ? max(1.0 + 0.3 * log(saturation), 0.0) : 0.8;
            rgba = color_hsva2rgba(vec4(hue, saturation, value, 1.0));
        }
    }
    imageStore(out_rgba, p, rgba);
}
