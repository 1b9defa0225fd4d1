/* test_compute_node.c: compute nodes and command buffers without Lua: a buffer shader and
 * an image shader compiled through program.h, bound, run and read back (by session run and
 * by a recorded command buffer); every check of a description, a bind and a run; descriptor
 * pools that chain; and every injected failure of a create, an init and a run leaving
 * nothing behind. */
#include <stdlib.h>
#include <string.h>

#include "lluvia/buffer.h"
#include "lluvia/command_buffer.h"
#include "lluvia/compute_node.h"
#include "lluvia/fault.h"
#include "lluvia/image_view.h"
#include "lluvia/program.h"
#include "lluvia/session.h"
#include "descriptor_pool.h"
#include "test_util.h"

static uint32_t pool_count(ll_session *s)
{
    uint32_t pools, sets;
    ll_descriptor_pool_counts(s, &pools, &sets);
    return pools;
}

static uint32_t set_count(ll_session *s)
{
    uint32_t pools, sets;
    ll_descriptor_pool_counts(s, &pools, &sets);
    return sets;
}

#define VALID(n)                                                                       \
    do {                                                                               \
        ll_error verr_;                                                                \
        CHECK_MSG(ll_compute_node_validate((n), &verr_), "%s", verr_.message);         \
    } while (0)

/* The layout of add_source and sub_source: three buffers and a push-constant block. */
#define ABC_LAYOUT                                                                     \
    "#version 450\n"                                                                   \
    "#include <lluvia/core.glsl>\n"                                                    \
    "layout(binding = 0) buffer in_a { float a[]; };\n"                                \
    "layout(binding = 1) buffer in_b { float b[]; };\n"                                \
    "layout(binding = 2) buffer out_c { float c[]; };\n"                               \
    "layout(push_constant) uniform PC { float scale; uint count; } pc;\n"

/* out[i] = scale * (a[i] + b[i]) for i < count */
static const char *add_source =
    ABC_LAYOUT
    "void main() {\n"
    "    uint i = LL_GLOBAL_COORDS_1D;\n"
    "    if (i < pc.count) c[i] = pc.scale * (a[i] + b[i]);\n"
    "}\n";

/* out = 255 - in, texel by texel, of an r8ui image; a sampled port and a uniform too */
static const char *invert_source =
    "#version 450\n"
    "#include <lluvia/core.glsl>\n"
    "layout(binding = 0, r8ui) uniform readonly uimage2D in_image;\n"
    "layout(binding = 1, r8ui) uniform writeonly uimage2D out_image;\n"
    "void main() {\n"
    "    ivec2 p = LL_GLOBAL_COORDS_2D;\n"
    "    if (any(greaterThanEqual(p, imageSize(in_image)))) return;\n"
    "    imageStore(out_image, p, uvec4(255u - imageLoad(in_image, p).x));\n"
    "}\n";

static const char *kinds_source =
    "#version 450\n"
    "#include <lluvia/core.glsl>\n"
    "layout(binding = 0) uniform sampler2D in_texture;\n"
    "layout(binding = 1) uniform Params { vec4 v; } params;\n"
    "layout(binding = 2) buffer out_b { vec4 o[]; };\n"
    "void main() { o[0] = texture(in_texture, vec2(0.5)) + params.v; }\n";

static ll_program *compile(ll_session *s, const char *source)
{
    ll_error err;
    char *log = NULL;
    ll_program *p = ll_program_compile(s, source, strlen(source), NULL, &log, &err);
    CHECK_MSG(p != NULL, "%s", log != NULL ? log : err.message);
    ll_free(log);
    return p;
}

static ll_memory *memory(ll_session *s, VkMemoryPropertyFlags flags)
{
    ll_error err;
    ll_memory *mem = ll_memory_create(s, flags, 1 << 20, false, &err);
    CHECK_MSG(mem != NULL, "%s", err.message);
    return mem;
}

static ll_buffer *float_buffer(ll_memory *mem, const float *values, size_t count,
                               VkBufferUsageFlags usage)
{
    ll_error err;
    ll_buffer *b = ll_buffer_create(mem, count * sizeof(float), usage, &err);
    CHECK_MSG(b != NULL, "%s", err.message);
    if (b != NULL && values != NULL)
        CHECK_MSG(ll_buffer_write(b, 0, values, count * sizeof(float), &err), "%s", err.message);
    return b;
}

static const ll_node_port add_ports[] = {
    {"in_a", 0, LL_PORT_BUFFER},
    {"in_b", 1, LL_PORT_BUFFER},
    {"out_c", 2, LL_PORT_BUFFER},
};

static ll_compute_node_desc add_desc(ll_program *p)
{
    return (ll_compute_node_desc){
        .program = p,
        .function_name = "main",
        .ports = add_ports,
        .port_count = 3,
        .local_shape = {32, 1, 1},
        .grid_shape = {1, 1, 1},
    };
}

typedef struct pc {
    float scale;
    uint32_t count;
} pc;

#define COUNT 100

static void test_buffer_node(ll_session *s, ll_program *p, ll_memory *mem)
{
    ll_error err;
    float a[COUNT], b[COUNT], c[COUNT];
    for (int i = 0; i < COUNT; i++) {
        a[i] = (float)i;
        b[i] = 0.5f * (float)i;
    }
    const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    ll_buffer *ba = float_buffer(mem, a, COUNT, storage);
    ll_buffer *bb = float_buffer(mem, b, COUNT, storage);
    ll_buffer *bc = float_buffer(mem, NULL, COUNT, storage);
    ll_compute_node_desc d = add_desc(p);
    ll_compute_node *node = ll_compute_node_create(&d, &err);
    CHECK_MSG(node != NULL, "%s", err.message);
    if (node == NULL || ba == NULL || bb == NULL || bc == NULL)
        return;
    VALID(node);
    CHECK(ll_compute_node_port_count(node) == 3);
    CHECK(ll_compute_node_find_port(node, "in_b") == 1);
    CHECK(ll_compute_node_find_port(node, "nope") == -1);

    /* before init: refused */
    CHECK(!ll_compute_node_run(&node, 1, &err) && err.code == LL_E_STATE);
    CHECK(strstr(err.message, "init()") != NULL);
    CHECK(ll_compute_node_init(node, &err));
    CHECK(!ll_compute_node_init(node, &err) && err.code == LL_E_STATE);

    /* an unbound port names itself */
    CHECK(!ll_compute_node_run(&node, 1, &err) && err.code == LL_E_ARGUMENT);
    CHECK(err.operand == LL_NODE_OPERAND_PORT + 0 && strstr(err.message, "'in_a'") != NULL);
    CHECK(ll_compute_node_bind_buffer(node, 0, ba, &err));
    CHECK(ll_compute_node_bind_buffer(node, 1, bb, &err));
    CHECK(ll_compute_node_bind_buffer(node, 2, ba, &err)); /* rebound below */
    CHECK(ll_compute_node_bind_buffer(node, 2, bc, &err));
    VALID(node);

    /* a zero grid is refused at run, one past the device's count when set */
    uint32_t zero[3] = {0, 1, 1};
    CHECK(ll_compute_node_set_grid(node, zero, &err));
    CHECK(!ll_compute_node_run(&node, 1, &err) && err.operand == LL_NODE_OPERAND_GRID_SHAPE);
    CHECK(strstr(err.message, "gridX") != NULL);
    uint32_t huge[3] = {UINT32_MAX, 1, 1};
    CHECK(!ll_compute_node_set_grid(node, huge, &err));
    CHECK(err.operand == LL_NODE_OPERAND_GRID_SHAPE && strstr(err.message, "maxComputeWorkGroupCount"));
    uint32_t global[3] = {COUNT, 1, 1}, grid[3];
    CHECK(ll_compute_node_configure_grid(node, global, &err));
    ll_compute_node_grid(node, grid);
    CHECK(grid[0] == 4 && grid[1] == 1 && grid[2] == 1);

    /* push constants: at most the shader's block */
    pc constants = {2.0f, COUNT};
    char big[12] = {0};
    CHECK(!ll_compute_node_set_push_constants(node, big, sizeof big, &err));
    CHECK(err.operand == LL_NODE_OPERAND_PUSH_CONSTANTS && strstr(err.message, "8 bytes"));
    CHECK(ll_compute_node_set_push_constants(node, &constants, sizeof constants, &err));
    size_t pc_size = 0;
    CHECK(ll_compute_node_push_constants(node, &pc_size) != NULL && pc_size == sizeof constants);

    CHECK_MSG(ll_compute_node_run(&node, 1, &err), "%s", err.message);
    CHECK(ll_buffer_read(bc, 0, c, sizeof c, &err));
    int wrong = 0;
    for (int i = 0; i < COUNT; i++)
        wrong += c[i] != 2.0f * (a[i] + b[i]);
    CHECK(wrong == 0);

    /* the same through a recorded command buffer, twice, and two nodes in one run */
    constants.scale = 1.0f;
    CHECK(ll_compute_node_set_push_constants(node, &constants, sizeof constants, &err));
    ll_command_buffer *cb = ll_command_buffer_create(s, &err);
    CHECK_MSG(cb != NULL, "%s", err.message);
    CHECK(!ll_compute_node_record(node, cb, &err) && err.code == LL_E_STATE);
    CHECK(!ll_command_buffer_end(cb, &err) && err.code == LL_E_STATE);
    CHECK(!ll_command_buffer_submit(cb, &err) && err.code == LL_E_STATE);
    CHECK(ll_command_buffer_begin(cb, &err));
    CHECK(!ll_command_buffer_begin(cb, &err) && err.code == LL_E_STATE);
    CHECK(ll_compute_node_record(node, cb, &err));
    CHECK(!ll_command_buffer_submit(cb, &err) && strstr(err.message, "ends()") != NULL);
    CHECK(ll_command_buffer_memory_barrier(cb, &err));
    CHECK(ll_command_buffer_copy_buffer(cb, bc, ba, &err));
    CHECK(!ll_command_buffer_copy_buffer(cb, bc, bc, &err) && err.operand == 2);
    CHECK(ll_command_buffer_end(cb, &err));
    for (int round = 0; round < 2; round++)
        CHECK_MSG(ll_command_buffer_submit(cb, &err), "%s", err.message);
    /* a: a + b once (copied back from c), then c = a + b again with the new a */
    CHECK(ll_buffer_read(bc, 0, c, sizeof c, &err));
    wrong = 0;
    for (int i = 0; i < COUNT; i++)
        wrong += c[i] != (a[i] + b[i]) + b[i];
    CHECK(wrong == 0);
    /* bound again: the recorded buffer is refused until recorded again */
    CHECK(ll_compute_node_bind_buffer(node, 0, ba, &err));
    CHECK(!ll_command_buffer_submit(cb, &err) && err.code == LL_E_STATE);
    CHECK(strstr(err.message, "bound again") != NULL);
    ll_compute_node *two[2] = {node, node};
    CHECK_MSG(ll_compute_node_run(two, 2, &err), "%s", err.message);

    /* the command buffer keeps the node: released here, it is freed with the buffer */
    ll_compute_node_retain(node);
    CHECK(ll_command_buffer_begin(cb, &err) && ll_compute_node_record(node, cb, &err));
    ll_compute_node_release(node);
    CHECK(ll_command_buffer_end(cb, &err) && ll_command_buffer_submit(cb, &err));
    ll_command_buffer_release(cb);

    /* bind checks */
    ll_buffer *uniform_only = float_buffer(mem, NULL, 4, VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT);
    CHECK(!ll_compute_node_bind_buffer(node, 0, uniform_only, &err));
    CHECK(err.operand == LL_NODE_OPERAND_OBJECT && strstr(err.message, "StorageBuffer"));
    CHECK(!ll_compute_node_bind_buffer(node, 3, ba, &err) && err.code == LL_E_ARGUMENT);
    ll_buffer_release(uniform_only);
    VALID(node);

    ll_compute_node_release(node);
    ll_buffer_release(ba);
    ll_buffer_release(bb);
    ll_buffer_release(bc);
}

static void test_image_node(ll_session *s, ll_memory *mem)
{
    ll_error err;
    ll_program *p = compile(s, invert_source);
    if (p == NULL)
        return;
    enum { W = 37, H = 21 };
    ll_image_shape shape = {1, H, W, 1};
    VkImageUsageFlags usage = VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_SAMPLED_BIT |
                              VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
    ll_image *in = ll_image_create(mem, &shape, LL_UINT8, usage, &err);
    ll_image *out = ll_image_create(mem, &shape, LL_UINT8, usage, &err);
    CHECK(in != NULL && out != NULL);
    unsigned char pixels[W * H], back[W * H];
    for (int i = 0; i < W * H; i++)
        pixels[i] = (unsigned char)(i % 256);
    ll_buffer *src = ll_buffer_create(mem, sizeof pixels, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                                      &err);
    CHECK(src != NULL && ll_buffer_write(src, 0, pixels, sizeof pixels, &err));
    ll_image_view_desc vd = {VK_FILTER_NEAREST, {VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
                             VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
                             VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE}, true,
                             false};
    ll_image_view *vin = ll_image_view_create(in, &vd, &err);
    ll_image_view *vout = ll_image_view_create(out, &vd, &err);
    CHECK(vin != NULL && vout != NULL);
    ll_compute_node_desc d = {
        .program = p,
        .function_name = "main",
        .ports = NULL, /* from the shader: in_image, out_image */
        .local_shape = {8, 8, 1},
        .grid_shape = {1, 1, 1},
    };
    ll_compute_node *node = ll_compute_node_create(&d, &err);
    CHECK_MSG(node != NULL, "%s", err.message);
    if (node != NULL && vin != NULL && vout != NULL && src != NULL) {
        CHECK(strcmp(ll_compute_node_port(node, 0)->name, "in_image") == 0);
        CHECK(ll_compute_node_port(node, 1)->type == LL_PORT_IMAGE_VIEW);
        CHECK(ll_compute_node_bind_view(node, 0, vin, &err));
        CHECK(ll_compute_node_bind_view(node, 1, vout, &err));
        CHECK(!ll_compute_node_bind_buffer(node, 0, src, &err));
        CHECK(err.operand == LL_NODE_OPERAND_OBJECT && strstr(err.message, "ImageView port"));
        uint32_t global[3] = {W, H, 1};
        CHECK(ll_compute_node_configure_grid(node, global, &err));
        CHECK(ll_compute_node_init(node, &err));
        /* the input arrives by the command buffer, moved to a transfer layout and back by
         * the copy; another layout change leaves it where the node's barrier finds it */
        ll_command_buffer *cb = ll_command_buffer_create(s, &err);
        CHECK(cb != NULL && ll_command_buffer_begin(cb, &err));
        CHECK(ll_command_buffer_clear_image(cb, out, &err));
        CHECK_MSG(ll_command_buffer_copy_buffer_to_image(cb, src, in, &err), "%s", err.message);
        CHECK(ll_command_buffer_change_layout(cb, in, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                                              &err));
        CHECK(!ll_command_buffer_change_layout(cb, in, VK_IMAGE_LAYOUT_UNDEFINED, &err));
        CHECK(err.operand == 2);
        CHECK(ll_compute_node_record(node, cb, &err));
        CHECK(ll_command_buffer_end(cb, &err));
        CHECK_MSG(ll_command_buffer_submit(cb, &err), "%s", err.message);
        CHECK(ll_image_layout(in) == VK_IMAGE_LAYOUT_GENERAL);
        CHECK(ll_image_download(out, back, sizeof back, &err));
        int wrong = 0;
        for (int i = 0; i < W * H; i++)
            wrong += back[i] != 255 - pixels[i];
        CHECK(wrong == 0);
        /* the image moved since the recording: the buffer refuses to run */
        CHECK(ll_image_change_layout(in, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, &err));
        CHECK(!ll_command_buffer_submit(cb, &err) && err.code == LL_E_STATE);
        /* a session run moves it back to the layout of its descriptor */
        CHECK_MSG(ll_compute_node_run(&node, 1, &err), "%s", err.message);
        CHECK(ll_image_layout(in) == VK_IMAGE_LAYOUT_GENERAL);
        ll_command_buffer_release(cb);
    }
    ll_compute_node_release(node);
    ll_image_view_release(vin);
    ll_image_view_release(vout);
    ll_image_release(in);
    ll_image_release(out);
    ll_buffer_release(src);
    ll_program_release(p);
}

/* Buffers in `mem` (host-visible: the uniform's values are written through the mapping), the
 * image in `image_mem`: device-local memory, which takes optimal images on every device. */
static void test_kinds(ll_session *s, ll_memory *mem, ll_memory *image_mem)
{
    ll_error err;
    ll_program *p = compile(s, kinds_source);
    if (p == NULL)
        return;
    ll_compute_node_desc d = {.program = p, .function_name = "main", .local_shape = {1, 1, 1},
                              .grid_shape = {1, 1, 1}};
    ll_compute_node *node = ll_compute_node_create(&d, &err);
    CHECK_MSG(node != NULL, "%s", err.message);
    if (node == NULL)
        return;
    CHECK(ll_compute_node_port(node, 0)->type == LL_PORT_SAMPLED_IMAGE_VIEW);
    CHECK(ll_compute_node_port(node, 1)->type == LL_PORT_UNIFORM_BUFFER);
    ll_buffer *storage = float_buffer(mem, NULL, 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    float v[4] = {1, 2, 3, 4};
    ll_buffer *uniform = float_buffer(mem, v, 4, VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT);
    CHECK(!ll_compute_node_bind_buffer(node, 1, storage, &err));
    CHECK(strstr(err.message, "UniformBuffer usage") != NULL);
    CHECK(ll_compute_node_bind_buffer(node, 1, uniform, &err));
    CHECK(ll_compute_node_bind_buffer(node, 2, storage, &err));
    ll_image_shape shape = {1, 2, 2, 4};
    ll_image *img = ll_image_create(image_mem, &shape, LL_FLOAT32, VK_IMAGE_USAGE_SAMPLED_BIT |
                                    VK_IMAGE_USAGE_TRANSFER_DST_BIT, &err);
    CHECK(img != NULL && ll_image_clear(img, &err));
    ll_image_view_desc plain = {VK_FILTER_NEAREST, {VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
                                VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
                                VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE}, true,
                                false};
    ll_image_view_desc sampled = plain;
    sampled.sampled = true;
    ll_image_view *vp = ll_image_view_create(img, &plain, &err);
    ll_image_view *vs = ll_image_view_create(img, &sampled, &err);
    CHECK(vp != NULL && vs != NULL);
    CHECK(!ll_compute_node_bind_view(node, 0, vp, &err) && strstr(err.message, "not sampled"));
    CHECK(!ll_compute_node_bind_view(node, 2, vs, &err) && strstr(err.message, "Buffer port"));
    /* a sampled image in ShaderReadOnlyOptimal is written for that layout */
    CHECK(ll_image_change_layout(img, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, &err));
    CHECK(ll_compute_node_bind_view(node, 0, vs, &err));
    CHECK(ll_compute_node_init(node, &err));
    CHECK_MSG(ll_compute_node_run(&node, 1, &err), "%s", err.message);
    CHECK(ll_image_layout(img) == VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
    float o[4];
    CHECK(ll_buffer_read(storage, 0, o, sizeof o, &err));
    CHECK(o[0] == 1 && o[1] == 2 && o[2] == 3 && o[3] == 4);
    /* the node keeps what it binds */
    ll_image_view_release(vs);
    ll_image_release(img);
    ll_buffer_release(uniform);
    CHECK_MSG(ll_compute_node_run(&node, 1, &err), "%s", err.message);
    VALID(node);
    ll_compute_node_release(node);
    ll_image_view_release(vp);
    ll_buffer_release(storage);
    ll_program_release(p);
}

/* Every refusal of a description, each blaming its field or port. */
static void test_description_checks(ll_session *s, ll_program *p)
{
    ll_error err;
    const VkPhysicalDeviceLimits *l = &ll_session_properties(s)->limits;
#define REFUSED(d, op, text)                                                                \
    do {                                                                                    \
        ll_compute_node *n_ = ll_compute_node_create(&(d), &err);                           \
        CHECK(n_ == NULL);                                                                  \
        ll_compute_node_release(n_);                                                        \
        CHECK_MSG(err.code == LL_E_ARGUMENT && err.operand == (op), "%d %s", err.operand,   \
                  err.message);                                                             \
        CHECK_MSG(strstr(err.message, text) != NULL, "%s", err.message);                    \
    } while (0)
    ll_compute_node_desc d = add_desc(NULL);
    REFUSED(d, LL_NODE_OPERAND_PROGRAM, "needs a program");
    d = add_desc(p);
    d.function_name = "";
    REFUSED(d, LL_NODE_OPERAND_FUNCTION, "must not be empty");
    d.function_name = "other";
    REFUSED(d, LL_NODE_OPERAND_FUNCTION, "'other'");
    d = add_desc(p);
    d.local_shape[1] = 0;
    REFUSED(d, LL_NODE_OPERAND_LOCAL_SHAPE, "localShape.y must be > 0");
    d.local_shape[1] = l->maxComputeWorkGroupSize[1] + 1;
    REFUSED(d, LL_NODE_OPERAND_LOCAL_SHAPE, "maxComputeWorkGroupSize[1]");
    d = add_desc(p);
    d.local_shape[0] = l->maxComputeWorkGroupSize[0];
    d.local_shape[1] = l->maxComputeWorkGroupSize[1];
    if ((uint64_t)d.local_shape[0] * d.local_shape[1] > l->maxComputeWorkGroupInvocations)
        REFUSED(d, LL_NODE_OPERAND_LOCAL_SHAPE, "maxComputeWorkGroupInvocations");
    d = add_desc(p);
    d.grid_shape[2] = l->maxComputeWorkGroupCount[2] + 1u;
    if (d.grid_shape[2] != 0)
        REFUSED(d, LL_NODE_OPERAND_GRID_SHAPE, "maxComputeWorkGroupCount[2]");
    d = add_desc(p);
    char bytes[300] = {0};
    d.push_constants = bytes;
    d.push_constant_size = 12;
    REFUSED(d, LL_NODE_OPERAND_PUSH_CONSTANTS, "shader's push-constant block (8 bytes)");
    d.push_constant_size = l->maxPushConstantsSize + 4;
    if (d.push_constant_size <= sizeof bytes)
        REFUSED(d, LL_NODE_OPERAND_PUSH_CONSTANTS, "maxPushConstantsSize");

    ll_node_port ports[4];
    memcpy(ports, add_ports, sizeof add_ports);
    d = add_desc(p);
    d.ports = ports;
    ports[1].type = LL_PORT_IMAGE_VIEW;
    REFUSED(d, LL_NODE_OPERAND_PORT + 1, "port 'in_b' is a ImageView, but the shader's binding 1");
    memcpy(ports, add_ports, sizeof add_ports);
    ports[2].binding = 3; /* 0, 1, 3: not dense */
    REFUSED(d, LL_NODE_OPERAND_PORT + 2, "must be 0 to 2");
    memcpy(ports, add_ports, sizeof add_ports);
    ports[2].binding = 1;
    REFUSED(d, LL_NODE_OPERAND_PORT + 2, "both have binding 1");
    memcpy(ports, add_ports, sizeof add_ports);
    ports[2].name = "in_a";
    REFUSED(d, LL_NODE_OPERAND_PORT + 2, "two ports are named 'in_a'");
    d.port_count = 2; /* the shader's binding 2 has no port */
    memcpy(ports, add_ports, sizeof add_ports);
    REFUSED(d, LL_NODE_OPERAND_PORTS, "binding 2 ('out_c', a Buffer) has no port");
    ports[3] = (ll_node_port){"extra", 3, LL_PORT_BUFFER};
    d.port_count = 4; /* a port the shader has no binding of */
    REFUSED(d, LL_NODE_OPERAND_PORT + 3, "which the shader does not declare");
#undef REFUSED
}

/* In a session of its own, pools of two sets: nine nodes' sets chain five pools; sets
 * given back serve again. */
static void test_pools(void)
{
    ll_error err;
    ll_session_options opts = {.enable_debug = true};
    ll_session *s = ll_session_create(&opts, &err);
    CHECK_MSG(s != NULL, "%s", err.message);
    ll_program *p = s != NULL ? compile(s, add_source) : NULL;
    if (p == NULL) {
        ll_session_release(s);
        return;
    }
    ll_descriptor_pool_set_sets_per_pool(2);
    CHECK(pool_count(s) == 0);
    enum { N = 9 };
    ll_compute_node *nodes[N];
    ll_compute_node_desc d = add_desc(p);
    for (int i = 0; i < N; i++) {
        nodes[i] = ll_compute_node_create(&d, &err);
        CHECK_MSG(nodes[i] != NULL, "%s", err.message);
    }
    CHECK(set_count(s) == N);
    CHECK(pool_count(s) == 5);
    for (int i = 0; i < N; i++)
        ll_compute_node_release(nodes[i]);
    CHECK(set_count(s) == 0);
    for (int i = 0; i < N; i++)
        nodes[i] = ll_compute_node_create(&d, &err);
    CHECK(pool_count(s) == 5);
    CHECK(set_count(s) == N);
    for (int i = 0; i < N; i++)
        ll_compute_node_release(nodes[i]);
    ll_descriptor_pool_set_sets_per_pool(0);
    ll_program_release(p);
    CHECK(!ll_session_has_warnings(s));
    ll_session_release(s);
}

/* Each host allocation and Vulkan call of a create, an init and a run fails in turn:
 * nothing is left behind, and the node works once nothing fails. */
static void test_faults(ll_session *s, ll_program *p, ll_memory *mem)
{
    ll_error err;
    ll_compute_node_desc d = add_desc(p);
    ll_buffer *b = float_buffer(mem, NULL, COUNT, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    uint32_t sets = set_count(s);
    for (int kind = 0; kind < LL_FAULT_KINDS; kind++) {
        int failures = 0;
        for (uint64_t n = 1;; n++) {
            ll_fault_clear();
            ll_fault_fail_after((ll_fault_kind)kind, n);
            ll_compute_node *node = ll_compute_node_create(&d, &err);
            bool fired = ll_fault_fired() > 0;
            ll_fault_clear();
            if (!fired) {
                CHECK_MSG(node != NULL, "%s", err.message);
                ll_compute_node_release(node);
                break;
            }
            failures++;
            CHECK(node == NULL);
            CHECK_MSG(err.code == LL_E_HOST_MEMORY || err.code == LL_E_DEVICE_MEMORY, "%s",
                      err.message);
            CHECK(set_count(s) == sets);
        }
        CHECK(failures > 0);
        ll_compute_node *node = ll_compute_node_create(&d, &err);
        CHECK(node != NULL);
        if (node == NULL)
            continue;
        for (int i = 0; i < 3; i++)
            CHECK(ll_compute_node_bind_buffer(node, (size_t)i, b, &err));
        for (uint64_t n = 1;; n++) {
            ll_fault_clear();
            ll_fault_fail_after((ll_fault_kind)kind, n);
            bool ok = ll_compute_node_init(node, &err);
            bool fired = ll_fault_fired() > 0;
            ll_fault_clear();
            CHECK(ok == !fired);
            CHECK(ll_compute_node_initialized(node) == ok);
            if (ok)
                break;
        }
        for (uint64_t n = 1;; n++) {
            ll_fault_clear();
            ll_fault_fail_after((ll_fault_kind)kind, n);
            bool ok = ll_compute_node_run(&node, 1, &err);
            bool fired = ll_fault_fired() > 0;
            ll_fault_clear();
            CHECK_MSG(ok == !fired, "%s", err.message);
            if (!fired)
                break;
        }
        for (uint64_t n = 1;; n++) {
            ll_fault_clear();
            ll_fault_fail_after((ll_fault_kind)kind, n);
            ll_command_buffer *cb = ll_command_buffer_create(s, &err);
            bool ok = cb != NULL && ll_command_buffer_begin(cb, &err) &&
                      ll_compute_node_record(node, cb, &err) &&
                      ll_command_buffer_end(cb, &err) && ll_command_buffer_submit(cb, &err);
            bool fired = ll_fault_fired() > 0;
            ll_fault_clear();
            CHECK_MSG(ok == !fired, "%s", err.message);
            ll_command_buffer_release(cb);
            if (!fired)
                break;
        }
        VALID(node);
        ll_compute_node_release(node);
    }
    CHECK(set_count(s) == sets);
    ll_buffer_release(b);
}

/* out_c = a - b: add_source's layout, another body. */
static const char *sub_source =
    ABC_LAYOUT
    "void main() {\n"
    "    uint i = LL_GLOBAL_COORDS_1D;\n"
    "    if (i < pc.count) c[i] = a[i] - b[i];\n"
    "}\n";

/* ll_compute_node_set_program: a program of the same layout replaces the node's before
 * init and is the one run; another layout, or a change after init, is refused and leaves
 * the node as it was. */
static void test_set_program(ll_session *s, ll_program *add, ll_memory *mem)
{
    ll_error err;
    ll_program *sub = compile(s, sub_source);
    ll_program *other = compile(s, invert_source);
    ll_compute_node *node = ll_compute_node_create(&(ll_compute_node_desc){
        .program = add, .function_name = "main", .ports = add_ports, .port_count = 3,
        .local_shape = {32, 1, 1}, .grid_shape = {1, 1, 1}}, &err);
    CHECK_MSG(node != NULL, "%s", err.message);
    if (node == NULL || sub == NULL || other == NULL)
        goto done;
    CHECK(!ll_compute_node_set_program(node, other, &err));
    CHECK(err.code == LL_E_ARGUMENT && err.operand == LL_NODE_OPERAND_PROGRAM);
    CHECK(ll_compute_node_program(node) == add);
    CHECK_MSG(ll_compute_node_set_program(node, sub, &err), "%s", err.message);
    CHECK(ll_compute_node_program(node) == sub);
    VALID(node);

    float a[4] = {5, 6, 7, 8}, b[4] = {1, 1, 2, 2}, c[4] = {0};
    ll_buffer *ba = float_buffer(mem, a, 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    ll_buffer *bb = float_buffer(mem, b, 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    ll_buffer *bc = float_buffer(mem, NULL, 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    pc constants = {1.0f, 4};
    CHECK(ll_compute_node_bind_buffer(node, 0, ba, &err));
    CHECK(ll_compute_node_bind_buffer(node, 1, bb, &err));
    CHECK(ll_compute_node_bind_buffer(node, 2, bc, &err));
    CHECK(ll_compute_node_set_push_constants(node, &constants, sizeof constants, &err));
    CHECK_MSG(ll_compute_node_init(node, &err), "%s", err.message);
    CHECK_MSG(ll_compute_node_run(&node, 1, &err), "%s", err.message);
    CHECK(ll_buffer_read(bc, 0, c, sizeof c, &err));
    for (int i = 0; i < 4; i++)
        CHECK(c[i] == a[i] - b[i]);
    CHECK(!ll_compute_node_set_program(node, add, &err));
    CHECK(err.code == LL_E_STATE);
    CHECK(ll_compute_node_program(node) == sub);
    VALID(node);
    ll_buffer_release(ba);
    ll_buffer_release(bb);
    ll_buffer_release(bc);
done:
    ll_compute_node_release(node);
    ll_program_release(sub);
    ll_program_release(other);
}

int main(void)
{
    ll_error err;
    ll_session_options opts = {.enable_debug = true};
    ll_session *s = ll_session_create(&opts, &err);
    CHECK_MSG(s != NULL, "%s", err.message);
    if (s == NULL)
        return test_finish("compute_node");
    ll_program *add = compile(s, add_source);
    ll_memory *host = memory(s, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
    ll_memory *device = memory(s, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    if (add != NULL && host != NULL && device != NULL) {
        test_buffer_node(s, add, host);
        test_buffer_node(s, add, device);
        test_image_node(s, device);
        test_kinds(s, host, device);
        test_description_checks(s, add);
        test_set_program(s, add, host);
        test_faults(s, add, host);
    }
    ll_memory_release(host);
    ll_memory_release(device);
    ll_program_release(add);
    CHECK(!ll_session_has_warnings(s));
    ll_session_release(s);
    test_pools();
    return test_finish("compute_node");
}
