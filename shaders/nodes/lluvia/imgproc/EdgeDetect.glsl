// lluvia/imgproc/EdgeDetect.glsl: the whole of EdgeDetect in one dispatch, for the
// EdgeDetect_rgba and EdgeDetect_gray programs (which declare the input and define
// EDGE_GRAY(p), the gray level at an in-image pixel p, and EDGE_WRITE_GRAY(p, g) for the gray
// output, or nothing). Not for: the staged pipeline (EdgeDetect_grayblur, GaussianBlur_float,
// EdgeDetect_sobel) that EdgeDetect.lua uses for radii past EDGE_MAX_RADIUS.
//
// Each workgroup makes a tile of EDGE_TILE_X x EDGE_TILE_Y output pixels. It reads the gray of
// the tile and a border of radius + 1 pixels into shared memory once, blurs it along x, then
// along y, for the tile and a border of one pixel (what the Sobel stencil needs), and takes
// the Sobel magnitude of the tile's pixels from there. Every stage clamps its reads to the
// image, as the staged pipeline's ClampToEdge views do: a blurred value outside the image is
// the one at the nearest pixel inside it. The arithmetic is the staged pipeline's, in its
// order (GaussianBlur.glsl, Sobel.glsl), so the outputs are the same up to float rounding
// (a compiler may round exp() or contract a multiply-add differently: on an H200 the
// magnitudes differ by 6e-5 relative at most, on lavapipe not at all).
//
// The sizes are what measured fastest on an NVIDIA H200 (BENCHMARKS.md): occupancy there
// falls with the shared memory a workgroup takes, so the arrays are sized for a radius of
// at most 6 (sigma <= 2) and the tile is 32 x 16 pixels, two for each of 16 x 16
// invocations. The workgroup is fixed here rather than by lluvia/core.glsl's
// specialization constants; the node's localShape must say the same (EdgeDetect.lua sets
// it) and its grid is the image's size over the tile's.
#define EDGE_TILE_X 32
#define EDGE_TILE_Y 16
#define EDGE_GROUP_X 16
#define EDGE_GROUP_Y 16
// The blur passes make runs of EDGE_RUN_X (along x) and EDGE_RUN_Y (along y) values per
// invocation and step, the taps sliding along registers.
#define EDGE_RUN_X 2
#define EDGE_RUN_Y 3
#define EDGE_INVOCATIONS (EDGE_GROUP_X * EDGE_GROUP_Y)
#define EDGE_PIXELS ((EDGE_TILE_X / EDGE_GROUP_X) * (EDGE_TILE_Y / EDGE_GROUP_Y))
// The largest blur radius the shared tile holds (EdgeDetect.lua's MAX_FUSED_RADIUS).
#define EDGE_MAX_RADIUS 6
layout(local_size_x = EDGE_GROUP_X, local_size_y = EDGE_GROUP_Y, local_size_z = 1) in;

layout(binding = EDGE_BINDING_MAGNITUDE, r32f) uniform writeonly image2D out_magnitude;
layout(binding = EDGE_BINDING_EDGES, r8ui) uniform writeonly uimage2D out_edges;

layout(push_constant) uniform Params {
    int radius;      // taps on each side of the centre, 0 to EDGE_MAX_RADIUS
    float sigma;     // > 0
    float threshold; // an edge where the magnitude reaches it
} params;

// The gray of the tile and its border (rows of gw), then the x-blurred gray of every row of
// it for the tile's columns and one more on each side (rows of EDGE_SX), then the blurred
// gray of the tile and a border of one, in the gray's memory (not needed by then).
#define EDGE_BORDER (EDGE_MAX_RADIUS + 1)
#define EDGE_SX (EDGE_TILE_X + 2)
#define EDGE_SY (EDGE_TILE_Y + 2)
shared float grayTile[(EDGE_TILE_X + 2 * EDGE_BORDER) * (EDGE_TILE_Y + 2 * EDGE_BORDER)];
shared float blurX[(EDGE_TILE_Y + 2 * EDGE_BORDER) * EDGE_SX];
#define blurred grayTile

void main()
{
    const ivec2 size = imageSize(out_magnitude);
    const ivec2 last = size - 1;
    const int r = clamp(params.radius, 0, EDGE_MAX_RADIUS);
    const int border = r + 1;
    const ivec2 origin = ivec2(gl_WorkGroupID.xy) * ivec2(EDGE_TILE_X, EDGE_TILE_Y);
    const ivec2 local = ivec2(gl_LocalInvocationID.xy);
    const int invocation = int(gl_LocalInvocationIndex);

    // GaussianBlur.glsl's weights exp(-i^2 / (2 sigma^2)) and their sum, in its order, in
    // each invocation's registers: the tap loops (EDGE_TAPS) have a fixed count, so the
    // compiler unrolls them and the weights stay registers; a tap past r is skipped.
    float weight[EDGE_MAX_RADIUS + 1];
    float weightSum = 1.0;
    {
        const float k = -0.5 / (params.sigma * params.sigma);
        weight[0] = 1.0;
        for (int i = 1; i <= EDGE_MAX_RADIUS; ++i) {
            weight[i] = exp(k * float(i * i));
            if (i <= r) {
                weightSum += 2.0 * weight[i];
            }
        }
    }
#define EDGE_TAPS(t) for (int t = 1; t <= EDGE_MAX_RADIUS; ++t) if (t <= r)

    // The gray at every pixel of the tile and its border, clamped to the image.
    const int gw = EDGE_TILE_X + 2 * border;
    const int gh = EDGE_TILE_Y + 2 * border;
    const ivec2 grayOrigin = origin - border;
    for (int y = local.y; y < gh; y += EDGE_GROUP_Y) {
        for (int x = local.x; x < gw; x += EDGE_GROUP_X) {
            grayTile[y * gw + x] = EDGE_GRAY(clamp(grayOrigin + ivec2(x, y), ivec2(0), last));
        }
    }
    barrier();

    // Along x, for every row of the gray tile and the tile's columns +- 1, each column
    // clamped to the image first (the blur at the nearest pixel inside it). A run of
    // EDGE_RUN_X columns, none clamped, reads each tap once: the left (L) and right (R)
    // neighbours of the run slide along registers, one shared read each per tap.
    const int runsX = (EDGE_SX + EDGE_RUN_X - 1) / EDGE_RUN_X;
    for (int i = invocation; i < gh * runsX; i += EDGE_INVOCATIONS) {
        const int row = i / runsX;
        const int sx = (i % runsX) * EDGE_RUN_X;
        const int x = origin.x - 1 + sx;
        if (x >= 0 && x + EDGE_RUN_X - 1 <= last.x && sx + EDGE_RUN_X <= EDGE_SX) {
            const int at = row * gw + x - grayOrigin.x;
            float o[EDGE_RUN_X], L[EDGE_RUN_X], R[EDGE_RUN_X];
            for (int k = 0; k < EDGE_RUN_X; ++k) o[k] = grayTile[at + k];
            L[0] = grayTile[at - 1];
            for (int k = 1; k < EDGE_RUN_X; ++k) L[k] = o[k - 1];
            for (int k = 0; k < EDGE_RUN_X - 1; ++k) R[k] = o[k + 1];
            R[EDGE_RUN_X - 1] = grayTile[at + EDGE_RUN_X];
            EDGE_TAPS(t) {
                if (t > 1) {
                    for (int k = EDGE_RUN_X - 1; k > 0; --k) L[k] = L[k - 1];
                    L[0] = grayTile[at - t];
                    for (int k = 0; k < EDGE_RUN_X - 1; ++k) R[k] = R[k + 1];
                    R[EDGE_RUN_X - 1] = grayTile[at + EDGE_RUN_X - 1 + t];
                }
                const float w = weight[t];
                for (int k = 0; k < EDGE_RUN_X; ++k) o[k] += w * (L[k] + R[k]);
            }
            for (int k = 0; k < EDGE_RUN_X; ++k) {
                blurX[row * EDGE_SX + sx + k] = o[k] / weightSum;
            }
        } else {
            for (int k = 0; k < EDGE_RUN_X && sx + k < EDGE_SX; ++k) {
                const int at = row * gw + clamp(x + k, 0, last.x) - grayOrigin.x;
                float sum = grayTile[at];
                EDGE_TAPS(t) {
                    sum += weight[t] * (grayTile[at - t] + grayTile[at + t]);
                }
                blurX[row * EDGE_SX + sx + k] = sum / weightSum;
            }
        }
    }
    // This invocation's pixels' gray, kept before blurred takes the gray's memory.
    float own[EDGE_PIXELS];
    int n = 0;
    for (int y = local.y; y < EDGE_TILE_Y; y += EDGE_GROUP_Y) {
        for (int x = local.x; x < EDGE_TILE_X; x += EDGE_GROUP_X) {
            own[n++] = grayTile[(y + border) * gw + x + border];
        }
    }
    barrier();

    // Along y, for the tile and a border of one, each row clamped to the image first; runs of
    // EDGE_RUN_Y rows, none clamped, as along x (the up (U) and down (D) neighbours).
    const int runsY = (EDGE_SY + EDGE_RUN_Y - 1) / EDGE_RUN_Y;
    for (int i = invocation; i < runsY * EDGE_SX; i += EDGE_INVOCATIONS) {
        const int column = i % EDGE_SX;
        const int sy = (i / EDGE_SX) * EDGE_RUN_Y;
        const int y = origin.y - 1 + sy;
        if (y >= 0 && y + EDGE_RUN_Y - 1 <= last.y && sy + EDGE_RUN_Y <= EDGE_SY) {
            const int at = (y - grayOrigin.y) * EDGE_SX + column;
            float o[EDGE_RUN_Y], U[EDGE_RUN_Y], D[EDGE_RUN_Y];
            for (int k = 0; k < EDGE_RUN_Y; ++k) o[k] = blurX[at + k * EDGE_SX];
            U[0] = blurX[at - EDGE_SX];
            for (int k = 1; k < EDGE_RUN_Y; ++k) U[k] = o[k - 1];
            for (int k = 0; k < EDGE_RUN_Y - 1; ++k) D[k] = o[k + 1];
            D[EDGE_RUN_Y - 1] = blurX[at + EDGE_RUN_Y * EDGE_SX];
            EDGE_TAPS(t) {
                if (t > 1) {
                    for (int k = EDGE_RUN_Y - 1; k > 0; --k) U[k] = U[k - 1];
                    U[0] = blurX[at - t * EDGE_SX];
                    for (int k = 0; k < EDGE_RUN_Y - 1; ++k) D[k] = D[k + 1];
                    D[EDGE_RUN_Y - 1] = blurX[at + (EDGE_RUN_Y - 1 + t) * EDGE_SX];
                }
                const float w = weight[t];
                for (int k = 0; k < EDGE_RUN_Y; ++k) o[k] += w * (U[k] + D[k]);
            }
            for (int k = 0; k < EDGE_RUN_Y; ++k) {
                blurred[(sy + k) * EDGE_SX + column] = o[k] / weightSum;
            }
        } else {
            for (int k = 0; k < EDGE_RUN_Y && sy + k < EDGE_SY; ++k) {
                const int at = (clamp(y + k, 0, last.y) - grayOrigin.y) * EDGE_SX + column;
                float sum = blurX[at];
                EDGE_TAPS(t) {
                    sum += weight[t] * (blurX[at - t * EDGE_SX] + blurX[at + t * EDGE_SX]);
                }
                blurred[(sy + k) * EDGE_SX + column] = sum / weightSum;
            }
        }
    }
    barrier();

    n = 0;
    for (int y = local.y; y < EDGE_TILE_Y; y += EDGE_GROUP_Y) {
        for (int x = local.x; x < EDGE_TILE_X; x += EDGE_GROUP_X) {
            const float gray = own[n++];
            const ivec2 c = origin + ivec2(x, y);
            if (any(greaterThanEqual(c, size))) {
                continue;
            }
            EDGE_WRITE_GRAY(c, gray);
            const int at = (y + 1) * EDGE_SX + x + 1;
            const float tl = blurred[at - EDGE_SX - 1], t = blurred[at - EDGE_SX],
                        tr = blurred[at - EDGE_SX + 1], l = blurred[at - 1],
                        rt = blurred[at + 1], bl = blurred[at + EDGE_SX - 1],
                        b = blurred[at + EDGE_SX], br = blurred[at + EDGE_SX + 1];
            // Sobel.glsl's [-1 0 1; -2 0 2; -1 0 1] and its transpose.
            const float gx = (tr + 2.0 * rt + br) - (tl + 2.0 * l + bl);
            const float gy = (bl + 2.0 * b + br) - (tl + 2.0 * t + tr);
            const float magnitude = sqrt(gx * gx + gy * gy);
            imageStore(out_magnitude, c, vec4(magnitude));
            imageStore(out_edges, c, uvec4(magnitude >= params.threshold ? 255u : 0u));
        }
    }
}
