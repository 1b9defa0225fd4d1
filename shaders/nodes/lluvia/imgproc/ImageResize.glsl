// lluvia/imgproc/ImageResize.glsl: bilinear resizing with pixel centres aligned (OpenCV's
// INTER_LINEAR), for the ImageResize_<class> programs (which define IMAGE_TYPE, VALUE_TYPE
// and ROUND). Not for: allocating the output (ImageResize.lua).
#include "lluvia/core.glsl"

// The input is read through a sampled view (texelFetch) and the output written without a
// format, so one program serves every format of its class.
layout(binding = 0) uniform SAMPLER_TYPE in_image;
layout(binding = 1) uniform writeonly IMAGE_TYPE out_image;

vec4 fetch(const ivec2 p)
{
    return vec4(texelFetch(in_image, p, 0));
}

void main()
{
    const ivec2 coords = LL_GLOBAL_COORDS_2D;
    const ivec2 outSize = imageSize(out_image);
    if (any(greaterThanEqual(coords, outSize))) {
        return;
    }
    const ivec2 inSize = textureSize(in_image, 0);
    const ivec2 last = inSize - 1;

    // The output pixel's centre in input pixels: (x + 0.5) * in / out - 0.5; outside the
    // image the edge pixels repeat (clamping both neighbours), as INTER_LINEAR's borders.
    const vec2 source = (vec2(coords) + 0.5) * (vec2(inSize) / vec2(outSize)) - 0.5;
    const vec2 base = floor(source);
    const vec2 f = source - base;
    const ivec2 p0 = clamp(ivec2(base), ivec2(0), last);
    const ivec2 p1 = clamp(ivec2(base) + 1, ivec2(0), last);

    const vec4 top = mix(fetch(p0), fetch(ivec2(p1.x, p0.y)), f.x);
    const vec4 bottom = mix(fetch(ivec2(p0.x, p1.y)), fetch(p1), f.x);
    imageStore(out_image, coords, VALUE_TYPE(ROUND(mix(top, bottom, f.y))));
}
