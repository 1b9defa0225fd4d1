// lluvia/imgproc/GaussianBlur.glsl: one pass of the separable Gaussian blur, along
// params.axis, for the GaussianBlur_<class> programs (which define IN_IMAGE_TYPE). Not for:
// choosing the pass or allocating images (GaussianBlur.lua does both).
#include "lluvia/core.glsl"

// The input is read through a sampled view (texelFetch: any format of IN_IMAGE_TYPE's class)
// and the output written without a format (shaderStorageImageWriteWithoutFormat), so one
// program serves every channel count.
layout(binding = 0) uniform IN_IMAGE_TYPE in_image;
layout(binding = 1) uniform writeonly image2D out_image;

layout(push_constant) uniform Params {
    ivec2 axis;  // (1, 0): along x; (0, 1): along y
    int radius;  // taps on each side of the centre
    float sigma; // > 0
} params;

void main()
{
    const ivec2 coords = LL_GLOBAL_COORDS_2D;
    const ivec2 size = imageSize(out_image);
    if (any(greaterThanEqual(coords, size))) {
        return;
    }

    // exp(-i^2 / (2 sigma^2)), summed with the values and divided by its own sum at the
    // end, so the weights are normalised to 1 in the shader's own arithmetic.
    const float k = -0.5 / (params.sigma * params.sigma);
    const ivec2 last = size - 1;
    vec4 sum = vec4(texelFetch(in_image, coords, 0));
    float weights = 1.0;
    for (int i = 1; i <= params.radius; ++i) {
        const float w = exp(k * float(i * i));
        const ivec2 offset = i * params.axis;
        sum += w * (vec4(texelFetch(in_image, clamp(coords - offset, ivec2(0), last), 0)) +
                    vec4(texelFetch(in_image, clamp(coords + offset, ivec2(0), last), 0)));
        weights += 2.0 * w;
    }
    imageStore(out_image, coords, sum / weights);
}
