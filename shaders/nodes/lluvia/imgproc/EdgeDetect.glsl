// lluvia/imgproc/EdgeDetect.glsl: the whole of EdgeDetect in one dispatch, for the
// EdgeDetect_rgba and EdgeDetect_gray programs (which declare the input and define
// EDGE_GRAY(p), the gray level at an in-image pixel p, and EDGE_WRITE_GRAY(p, g) for the gray
// output, or nothing). Not for: the staged pipeline (EdgeDetect_grayblur, GaussianBlur_float,
// EdgeDetect_sobel) that EdgeDetect.lua uses for radii past EDGE_MAX_RADIUS.
//
// Each workgroup makes a tile of EDGE_TILE_X x EDGE_TILE_Y output pixels. It reads the gray of
// the tile and a border of radius + 1 pixels into shared memory once, blurs it along x, then
// along y, for the tile and a border of one pixel (what the Sobel stencil needs), and each
// invocation takes the Sobel magnitude of its own pixel from there. Every stage clamps its
// reads to the image, as the staged pipeline's ClampToEdge views do: a blurred value outside
// the image is the one at the nearest pixel inside it. The arithmetic is the staged
// pipeline's, in its order (GaussianBlur.glsl, Sobel.glsl).
//
// The workgroup is the tile, fixed here rather than by lluvia/core.glsl's specialization
// constants: the shared arrays are sized by it. The node's localShape must say the same
// (EdgeDetect.lua sets it), so that its grid covers the image.
#ifndef EDGE_TILE_X
#define EDGE_TILE_X 16
#endif
#ifndef EDGE_TILE_Y
#define EDGE_TILE_Y 16
#endif
layout(local_size_x = EDGE_TILE_X, local_size_y = EDGE_TILE_Y, local_size_z = 1) in;
// The largest blur radius the shared tile holds (EdgeDetect.lua's edgeMaxRadius).
#define EDGE_MAX_RADIUS 16

layout(binding = EDGE_BINDING_MAGNITUDE, r32f) uniform writeonly image2D out_magnitude;
layout(binding = EDGE_BINDING_EDGES, r8ui) uniform writeonly uimage2D out_edges;

layout(push_constant) uniform Params {
    int radius;      // taps on each side of the centre, 0 to EDGE_MAX_RADIUS
    float sigma;     // > 0
    float threshold; // an edge where the magnitude reaches it
} params;

// The gray of the tile and its border (rows of gw), then the x-blurred gray of every row of
// it, for the tile's columns and one more on each side (rows of EDGE_TILE_X + 2), then the
// blurred gray of the tile and a border of one.
#define EDGE_BORDER (EDGE_MAX_RADIUS + 1)
#define EDGE_SX (EDGE_TILE_X + 2)
#define EDGE_SY (EDGE_TILE_Y + 2)
shared float grayTile[(EDGE_TILE_X + 2 * EDGE_BORDER) * (EDGE_TILE_Y + 2 * EDGE_BORDER)];
shared float blurX[(EDGE_TILE_Y + 2 * EDGE_BORDER) * EDGE_SX];
shared float blurred[EDGE_SY * EDGE_SX];
shared float weight[EDGE_MAX_RADIUS + 1];
shared float weightSum;

void main()
{
    const ivec2 size = imageSize(out_magnitude);
    const ivec2 last = size - 1;
    const int r = clamp(params.radius, 0, EDGE_MAX_RADIUS);
    const int border = r + 1;
    const ivec2 origin = ivec2(gl_WorkGroupID.xy) * ivec2(EDGE_TILE_X, EDGE_TILE_Y);
    const int invocation = int(gl_LocalInvocationIndex);
    const int invocations = EDGE_TILE_X * EDGE_TILE_Y;

    // GaussianBlur.glsl's weights exp(-i^2 / (2 sigma^2)) and their sum, in its order.
    if (invocation == 0) {
        const float k = -0.5 / (params.sigma * params.sigma);
        float sum = 1.0;
        weight[0] = 1.0;
        for (int i = 1; i <= r; ++i) {
            weight[i] = exp(k * float(i * i));
            sum += 2.0 * weight[i];
        }
        weightSum = sum;
    }

    // The gray at every pixel of the tile and its border, clamped to the image.
    const int gw = EDGE_TILE_X + 2 * border;
    const int gh = EDGE_TILE_Y + 2 * border;
    const ivec2 grayOrigin = origin - border;
    for (int i = invocation; i < gw * gh; i += invocations) {
        const ivec2 p = grayOrigin + ivec2(i % gw, i / gw);
        grayTile[i] = EDGE_GRAY(clamp(p, ivec2(0), last));
    }
    barrier();

    // Along x, for every row of the gray tile and the tile's columns +- 1, each column
    // clamped to the image first (the blur at the nearest pixel inside it).
    for (int i = invocation; i < gh * EDGE_SX; i += invocations) {
        const int row = i / EDGE_SX;
        const int x = clamp(origin.x - 1 + i % EDGE_SX, 0, last.x) - grayOrigin.x;
        const int at = row * gw + x;
        float sum = grayTile[at];
        for (int t = 1; t <= r; ++t) {
            sum += weight[t] * (grayTile[at - t] + grayTile[at + t]);
        }
        blurX[i] = sum / weightSum;
    }
    barrier();

    // Along y, for the tile and a border of one, each row clamped to the image first.
    for (int i = invocation; i < EDGE_SY * EDGE_SX; i += invocations) {
        const int column = i % EDGE_SX;
        const int y = clamp(origin.y - 1 + i / EDGE_SX, 0, last.y) - grayOrigin.y;
        const int at = y * EDGE_SX + column;
        float sum = blurX[at];
        for (int t = 1; t <= r; ++t) {
            sum += weight[t] * (blurX[at - t * EDGE_SX] + blurX[at + t * EDGE_SX]);
        }
        blurred[i] = sum / weightSum;
    }
    barrier();

    const ivec2 local = ivec2(gl_LocalInvocationID.xy);
    const ivec2 c = origin + local;
    if (any(greaterThanEqual(c, size))) {
        return;
    }
    EDGE_WRITE_GRAY(c, grayTile[(local.y + border) * gw + local.x + border]);
    const int at = (local.y + 1) * EDGE_SX + local.x + 1;
    const float tl = blurred[at - EDGE_SX - 1], t = blurred[at - EDGE_SX],
                tr = blurred[at - EDGE_SX + 1], l = blurred[at - 1], rt = blurred[at + 1],
                bl = blurred[at + EDGE_SX - 1], b = blurred[at + EDGE_SX],
                br = blurred[at + EDGE_SX + 1];
    // Sobel.glsl's [-1 0 1; -2 0 2; -1 0 1] and its transpose.
    const float gx = (tr + 2.0 * rt + br) - (tl + 2.0 * l + bl);
    const float gy = (bl + 2.0 * b + br) - (tl + 2.0 * t + tr);
    const float magnitude = sqrt(gx * gx + gy * gy);
    imageStore(out_magnitude, c, vec4(magnitude));
    imageStore(out_edges, c, uvec4(magnitude >= params.threshold ? 255u : 0u));
}
