/* test_glsl_library.c: the built-in GLSL library (shaders/lib) computes what its comments
 * say, on the device: gray and HSVA of 8-bit colours against references computed here in
 * double precision, the HSVA round trip back to the same colour, known hues, and the camera
 * model's undistortion coordinates; LL_GLOBAL_COORDS_* and the local size from constants
 * 1..3 along the way. No validation message. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lluvia/buffer.h"
#include "lluvia/compute_node.h"
#include "lluvia/fault.h"
#include "lluvia/memory.h"
#include "lluvia/program.h"
#include "lluvia/session.h"
#include "test_util.h"

#define COUNT 64
#define PI 3.14159265358979323846

static const char *source =
    "#version 450\n"
    "#include <lluvia/core.glsl>\n"
    "#include <lluvia/core/color.glsl>\n"
    "#include <lluvia/core/camera.glsl>\n"
    "layout(binding = 0) buffer In { uvec4 v[]; } colors;\n"
    "layout(binding = 1) buffer Gray { uint v[]; } gray;\n"
    "layout(binding = 2) buffer Hsva { vec4 v[]; } hsva;\n"
    "layout(binding = 3) buffer Back { uvec4 v[]; } back;\n"
    "layout(std140, binding = 4) uniform Camera { ll_camera camera; } cam;\n"
    "layout(binding = 5) buffer Coords { vec4 v[]; } coords;\n"
    "layout(binding = 6) buffer Hues { vec4 v[]; } hues;\n"
    "layout(binding = 7) buffer HueRgba { uvec4 v[]; } hue_rgba;\n"
    "void main() {\n"
    "    const uint i = LL_GLOBAL_COORDS_1D;\n"
    "    const ivec2 c2 = LL_GLOBAL_COORDS_2D;\n"
    "    const ivec3 c3 = LL_GLOBAL_COORDS_3D;\n"
    "    if (i >= colors.v.length() || c2.y != 0 || c3.z != 0) return;\n"
    "    gray.v[i] = color_rgba2gray(colors.v[i]);\n"
    "    hsva.v[i] = color_rgba2hsva(colors.v[i], 0.0);\n"
    "    back.v[i] = color_hsva2rgba(hsva.v[i]);\n"
    "    const vec2 pix = vec2(float(i) * 6.0, float(i) * 5.0);\n"
    "    coords.v[i] = vec4(ll_camera_standardInterpolationCoordinates(cam.camera, pix),\n"
    "                       ll_camera_fisheyeInterpolationCoordinates(cam.camera, pix));\n"
    "    if (i < hues.v.length()) hue_rgba.v[i] = color_hsva2rgba(hues.v[i]);\n"
    "}\n";

/* std140 ll_camera: each mat3 column padded to a vec4. */
typedef struct camera {
    float K[3][4], Kinv[3][4];
    float radial[4], tangential[4];
} camera;

static const double fx = 500, fy = 480, cx = 96, cy = 64;
static const double k[4] = {0.05, -0.01, 0.002, 0.0005}, p[2] = {0.05, -0.04};

static camera make_camera(void)
{
    camera c;
    memset(&c, 0, sizeof c);
    /* column-major: K = [fx 0 cx; 0 fy cy; 0 0 1] */
    c.K[0][0] = (float)fx, c.K[1][1] = (float)fy, c.K[2][0] = (float)cx,
    c.K[2][1] = (float)cy, c.K[2][2] = 1;
    c.Kinv[0][0] = (float)(1 / fx), c.Kinv[1][1] = (float)(1 / fy),
    c.Kinv[2][0] = (float)(-cx / fx), c.Kinv[2][1] = (float)(-cy / fy), c.Kinv[2][2] = 1;
    for (int i = 0; i < 4; i++)
        c.radial[i] = (float)k[i];
    c.tangential[0] = (float)p[0], c.tangential[1] = (float)p[1];
    return c;
}

/* The references, in double precision. */
static void reference_hsva(const uint32_t rgba[4], double out[4])
{
    double r = rgba[0] / 255.0, g = rgba[1] / 255.0, b = rgba[2] / 255.0;
    double mx = fmax(r, fmax(g, b)), mn = fmin(r, fmin(g, b)), chroma = mx - mn, h = 0;
    if (chroma > 0) {
        if (mx == r)
            h = fmod((g - b) / chroma + 6.0, 6.0);
        else if (mx == g)
            h = (b - r) / chroma + 2;
        else
            h = (r - g) / chroma + 4;
    }
    out[0] = h * PI / 3, out[1] = mx > 0 ? chroma / mx : 0, out[2] = mx, out[3] = rgba[3] / 255.0;
}

static void reference_undistort(double u, double v, bool fisheye, double out[2])
{
    double x = (u - cx) / fx, y = (v - cy) / fy, r2 = x * x + y * y, dx, dy;
    if (fisheye) {
        double r = sqrt(r2), t = atan(r), t2 = t * t;
        double d = t * (1 + k[0] * t2 + k[1] * t2 * t2 + k[2] * pow(t2, 3) + k[3] * pow(t2, 4));
        double s = r > 1e-6 ? d / r : 1;
        dx = x * s, dy = y * s;
    } else {
        double radial = 1 + k[0] * r2 + k[1] * r2 * r2 + k[2] * r2 * r2 * r2;
        dx = x * radial + 2 * p[0] * x * y + p[1] * (r2 + 2 * x * x);
        dy = y * radial + p[0] * (r2 + 2 * y * y) + 2 * p[1] * x * y;
    }
    out[0] = fx * dx + cx, out[1] = fy * dy + cy;
}

static ll_buffer *buffer(ll_memory *mem, uint64_t size, VkBufferUsageFlags usage,
                         const void *data)
{
    ll_error err;
    ll_buffer *b = ll_buffer_create(mem, size, usage, &err);
    CHECK_MSG(b != NULL, "%s", err.message);
    if (b != NULL && data != NULL)
        CHECK_MSG(ll_buffer_write(b, 0, data, size, &err), "%s", err.message);
    return b;
}

static void run(ll_session *s)
{
    ll_error err;
    char *log = NULL;
    ll_program *prog = ll_program_compile(s, source, strlen(source), NULL, &log, &err);
    CHECK_MSG(prog != NULL, "%s", log != NULL ? log : err.message);
    ll_free(log);
    ll_memory *mem = ll_memory_create(s, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, 1 << 20, false,
                                      &err);
    CHECK_MSG(mem != NULL, "%s", err.message);
    if (prog == NULL || mem == NULL) {
        ll_program_release(prog);
        if (mem != NULL)
            ll_memory_release(mem);
        return;
    }

    uint32_t colors[COUNT][4];
    srand(3);
    static const uint32_t fixed[][4] = {{0, 0, 0, 255},   {255, 255, 255, 255}, {255, 0, 0, 0},
                                        {0, 255, 0, 128}, {0, 0, 255, 7},       {128, 128, 128, 1},
                                        {255, 255, 0, 9}, {0, 255, 255, 200},   {255, 0, 255, 3}};
    for (int i = 0; i < COUNT; i++)
        for (int c = 0; c < 4; c++)
            colors[i][c] = i < 9 ? fixed[i][c] : (uint32_t)(rand() % 256);
    float hues[6][4];
    for (int i = 0; i < 6; i++) { /* red, yellow, green, cyan, blue, magenta */
        hues[i][0] = (float)(i * PI / 3), hues[i][1] = 1, hues[i][2] = 1, hues[i][3] = 1;
    }
    static const uint32_t hue_rgb[6][3] = {{255, 0, 0},   {255, 255, 0}, {0, 255, 0},
                                           {0, 255, 255}, {0, 0, 255},   {255, 0, 255}};
    camera cam = make_camera();

    const VkBufferUsageFlags st = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    ll_buffer *b[8] = {
        buffer(mem, sizeof colors, st, colors),
        buffer(mem, COUNT * 4, st, NULL),
        buffer(mem, COUNT * 16, st, NULL),
        buffer(mem, COUNT * 16, st, NULL),
        buffer(mem, sizeof cam, VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT, &cam),
        buffer(mem, COUNT * 16, st, NULL),
        buffer(mem, sizeof hues, st, hues),
        buffer(mem, 6 * 16, st, NULL),
    };
    ll_compute_node_desc desc = {
        .program = prog, .function_name = "main",
        .local_shape = {16, 1, 1}, .grid_shape = {COUNT / 16, 1, 1},
    };
    ll_compute_node *node = ll_compute_node_create(&desc, &err);
    CHECK_MSG(node != NULL, "%s", err.message);
    for (size_t i = 0; node != NULL && i < 8; i++)
        CHECK_MSG(ll_compute_node_bind_buffer(node, i, b[i], &err), "%s", err.message);
    if (node != NULL) {
        CHECK_MSG(ll_compute_node_init(node, &err), "%s", err.message);
        CHECK_MSG(ll_compute_node_run(&node, 1, &err), "%s", err.message);
    }

    uint32_t gray[COUNT], back[COUNT][4], hue_out[6][4];
    float hsva[COUNT][4], coords[COUNT][4];
    CHECK(ll_buffer_read(b[1], 0, gray, sizeof gray, &err));
    CHECK(ll_buffer_read(b[2], 0, hsva, sizeof hsva, &err));
    CHECK(ll_buffer_read(b[3], 0, back, sizeof back, &err));
    CHECK(ll_buffer_read(b[5], 0, coords, sizeof coords, &err));
    CHECK(ll_buffer_read(b[7], 0, hue_out, sizeof hue_out, &err));
    for (int i = 0; i < COUNT; i++) {
        double luma = 0.299 * colors[i][0] + 0.587 * colors[i][1] + 0.114 * colors[i][2];
        CHECK_MSG(fabs(gray[i] - floor(luma)) <= 1, "gray of %d: %u, expected %g", i, gray[i],
                  luma);
        double h[4];
        reference_hsva(colors[i], h);
        for (int c = 0; c < 4; c++)
            CHECK_MSG(fabs(hsva[i][c] - h[c]) < 1e-4, "hsva[%d][%d]: %g, expected %g", i, c,
                      hsva[i][c], h[c]);
        CHECK_MSG(memcmp(back[i], colors[i], sizeof back[i]) == 0,
                  "round trip of %d: %u %u %u %u", i, back[i][0], back[i][1], back[i][2],
                  back[i][3]);
        double u = i * 6.0, v = i * 5.0, std[2], fish[2];
        reference_undistort(u, v, false, std);
        reference_undistort(u, v, true, fish);
        CHECK_MSG(fabs(coords[i][0] - std[0]) < 2e-3 && fabs(coords[i][1] - std[1]) < 2e-3,
                  "standard model at %d: %g %g, expected %g %g", i, coords[i][0], coords[i][1],
                  std[0], std[1]);
        CHECK_MSG(fabs(coords[i][2] - fish[0]) < 2e-3 && fabs(coords[i][3] - fish[1]) < 2e-3,
                  "fisheye model at %d: %g %g, expected %g %g", i, coords[i][2], coords[i][3],
                  fish[0], fish[1]);
    }
    CHECK(gray[0] == 0 && hsva[0][2] == 0 && hsva[0][1] == 0); /* black */
    CHECK(hsva[1][1] == 0 && hsva[1][2] == 1 && hsva[1][0] == 0); /* white: gray, hue 0 */
    for (int i = 0; i < 6; i++)
        CHECK_MSG(hue_out[i][0] == hue_rgb[i][0] && hue_out[i][1] == hue_rgb[i][1] &&
                      hue_out[i][2] == hue_rgb[i][2] && hue_out[i][3] == 255,
                  "hue %d: %u %u %u %u", i, hue_out[i][0], hue_out[i][1], hue_out[i][2],
                  hue_out[i][3]);

    ll_compute_node_release(node);
    for (int i = 0; i < 8; i++)
        ll_buffer_release(b[i]);
    ll_memory_release(mem);
    ll_program_release(prog);
}

int main(void)
{
    ll_error err;
    ll_session *s = ll_session_create(&(ll_session_options){.enable_debug = true}, &err);
    CHECK_MSG(s != NULL, "%s", err.message);
    if (s != NULL) {
        run(s);
        CHECK(!ll_session_has_warnings(s));
        ll_session_release(s);
    }
    return test_finish("glsl_library");
}
