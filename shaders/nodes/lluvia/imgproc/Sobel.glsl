// lluvia/imgproc/Sobel.glsl: the 3x3 Sobel gradient and its magnitude, for the
// Sobel_<class> programs (which define IN_IMAGE_TYPE) and EdgeDetect_sobel (which also
// defines SOBEL_EDGES: no gradient written, the thresholded magnitude instead). Not for:
// allocating the outputs (Sobel.lua, EdgeDetect.lua).
#include "lluvia/core.glsl"

// Read through a sampled view (texelFetch), so one program serves every format of its class.
layout(binding = 0) uniform IN_IMAGE_TYPE in_gray;
#ifdef SOBEL_EDGES
layout(binding = 1, r32f) uniform writeonly image2D out_magnitude;
layout(binding = 2, r8ui) uniform writeonly uimage2D out_edges;

layout(push_constant) uniform Params {
    float threshold;
} params;
#else
layout(binding = 1, rg32f) uniform writeonly image2D out_gradient;
layout(binding = 2, r32f) uniform writeonly image2D out_magnitude;
#endif

float value(const ivec2 p, const ivec2 last)
{
    return float(texelFetch(in_gray, clamp(p, ivec2(0), last), 0).r);
}

void main()
{
    const ivec2 c = LL_GLOBAL_COORDS_2D;
    const ivec2 size = imageSize(out_magnitude);
    if (any(greaterThanEqual(c, size))) {
        return;
    }
    const ivec2 last = size - 1;
    const float tl = value(c + ivec2(-1, -1), last), t = value(c + ivec2(0, -1), last),
                tr = value(c + ivec2(1, -1), last), l = value(c + ivec2(-1, 0), last),
                r = value(c + ivec2(1, 0), last), bl = value(c + ivec2(-1, 1), last),
                b = value(c + ivec2(0, 1), last), br = value(c + ivec2(1, 1), last);
    // [-1 0 1; -2 0 2; -1 0 1] and its transpose.
    const float gx = (tr + 2.0 * r + br) - (tl + 2.0 * l + bl);
    const float gy = (bl + 2.0 * b + br) - (tl + 2.0 * t + tr);
    const float magnitude = sqrt(gx * gx + gy * gy);
    imageStore(out_magnitude, c, vec4(magnitude));
#ifdef SOBEL_EDGES
    imageStore(out_edges, c, uvec4(magnitude >= params.threshold ? 255u : 0u));
#else
    imageStore(out_gradient, c, vec4(gx, gy, 0.0, 0.0));
#endif
}
