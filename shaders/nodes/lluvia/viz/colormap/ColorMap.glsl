// ColorMap.glsl: the body of lluvia/viz/colormap/ColorMap_float, _int and _uint, which
// define LL_IMAGE (image2D, iimage2D, uimage2D) and get LL_FORMAT, the input's format, from
// their "// variants:" line. Each pixel's value, scaled from [min_value, max_value] to
// [0, 1] and clamped (reversed where reverse is not 0), picks entry min(floor(256 t), 255)
// of the 256-entry table in_colormap; alpha is the push constant's.
#include "lluvia/core.glsl"

layout(binding = 0, LL_FORMAT) uniform readonly LL_IMAGE in_image;
layout(binding = 1) uniform usampler1D in_colormap;
layout(binding = 2, rgba8ui) uniform writeonly uimage2D out_rgba;

layout(push_constant) uniform parameters {
    float minValue;
    float maxValue;
    float alpha;
    float reverse;
};

void main()
{
    const ivec2 p = LL_GLOBAL_COORDS_2D;
    if (any(greaterThanEqual(p, imageSize(out_rgba))))
        return;
    const float v = float(imageLoad(in_image, p).r);
    float t = clamp((v - minValue) / (maxValue - minValue), 0.0, 1.0);
    if (reverse != 0.0)
        t = 1.0 - t;
    const int entry = min(int(t * 256.0), 255);
    const uvec3 rgb = texelFetch(in_colormap, entry, 0).rgb;
    imageStore(out_rgba, p, uvec4(rgb, uint(clamp(alpha, 0.0, 1.0) * 255.0 + 0.5)));
}
