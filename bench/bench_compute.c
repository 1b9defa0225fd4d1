/* bench_compute.c: the reference points of bench/compute.lua, measured in C on the default
 * device (or $LLUVIA_DEVICE): one dispatch of an image shader over a 1920x1080 RGBA image,
 * recorded once into a raw command buffer with its own pipeline and descriptor set, then
 * submitted with vkQueueSubmit and waited for with vkWaitForFences (the floor of any
 * runtime); and the core's own ll_compute_node_run of the same shader on the same image.
 * Not a test: it asserts nothing. Prints one figure a line, "key value" (seconds):
 *   build/bench/bench_compute [--quick] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_NAME "bench_compute"
#include "bench_util.h"
#include "context.h"
#include "lluvia/compute_node.h"
#include "lluvia/image_view.h"
#include "lluvia/program.h"

#define WIDTH 1920
#define HEIGHT 1080
#define LOCAL 32

/* The shader, which bench/compute.lua runs too (the benchmarks run from the repository's
 * root): out = 255 - in per channel. */
#define SHADER_PATH "bench/invert.comp"

static char *read_shader(size_t *size)
{
    FILE *f = fopen(SHADER_PATH, "rb");
    if (f == NULL)
        die(SHADER_PATH, "cannot open it (run from the repository's root)");
    static char text[1 << 14];
    *size = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[*size] = '\0';
    return text;
}

static double budget = 0.5; /* seconds of repetitions per figure */

/* Best seconds of f(user): at least 5 runs, more while the budget lasts, at most 5000. */
static double best_of(void (*f)(void *), void *user)
{
    return best_of_runs(f, user, 5, 5000, budget);
}

/* The raw path: everything made once, then submit + wait per run. */
typedef struct raw {
    ll_session *session;
    VkDevice dev;
    VkCommandPool pool;
    VkCommandBuffer cmd;
    VkFence fence;
    VkDescriptorSetLayout set_layout;
    VkDescriptorPool descriptor_pool;
    VkDescriptorSet set;
    VkPipelineLayout layout;
    VkPipeline pipeline;
} raw;

static void raw_make(raw *r, ll_session *s, ll_program *p, VkImageView in, VkImageView out)
{
    r->session = s;
    r->dev = ll_session_vk(s);
    VkDescriptorSetLayoutBinding b[2] = {
        {0, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
        {1, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
    };
    VkDescriptorSetLayoutCreateInfo sl = {VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                          NULL, 0, 2, b};
    check(vkCreateDescriptorSetLayout(r->dev, &sl, NULL, &r->set_layout), "set layout");
    VkDescriptorPoolSize size = {VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 2};
    VkDescriptorPoolCreateInfo dp = {VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, NULL, 0, 1,
                                     1, &size};
    check(vkCreateDescriptorPool(r->dev, &dp, NULL, &r->descriptor_pool), "descriptor pool");
    VkDescriptorSetAllocateInfo da = {VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, NULL,
                                      r->descriptor_pool, 1, &r->set_layout};
    check(vkAllocateDescriptorSets(r->dev, &da, &r->set), "descriptor set");
    VkDescriptorImageInfo images[2] = {{VK_NULL_HANDLE, in, VK_IMAGE_LAYOUT_GENERAL},
                                       {VK_NULL_HANDLE, out, VK_IMAGE_LAYOUT_GENERAL}};
    VkWriteDescriptorSet w = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, NULL, r->set, 0, 0, 2,
                              VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, images, NULL, NULL};
    vkUpdateDescriptorSets(r->dev, 1, &w, 0, NULL);
    VkPipelineLayoutCreateInfo pl = {VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, NULL, 0, 1,
                                     &r->set_layout, 0, NULL};
    check(vkCreatePipelineLayout(r->dev, &pl, NULL, &r->layout), "pipeline layout");
    const uint32_t local[3] = {LOCAL, LOCAL, 1};
    VkSpecializationMapEntry entries[3] = {{1, 0, 4}, {2, 4, 4}, {3, 8, 4}};
    VkSpecializationInfo spec = {3, entries, sizeof local, local};
    VkComputePipelineCreateInfo ci = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, NULL, 0,
                  VK_SHADER_STAGE_COMPUTE_BIT, ll_program_module(p), "main", &spec},
        .layout = r->layout,
        .basePipelineIndex = -1,
    };
    check(vkCreateComputePipelines(r->dev, VK_NULL_HANDLE, 1, &ci, NULL, &r->pipeline),
          "pipeline");
    VkCommandPoolCreateInfo cp = {VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO, NULL, 0,
                                  ll_device_queue_family(ll_session_device(s))};
    check(vkCreateCommandPool(r->dev, &cp, NULL, &r->pool), "command pool");
    VkCommandBufferAllocateInfo ca = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, NULL,
                                      r->pool, VK_COMMAND_BUFFER_LEVEL_PRIMARY, 1};
    check(vkAllocateCommandBuffers(r->dev, &ca, &r->cmd), "command buffer");
    VkFenceCreateInfo fi = {VK_STRUCTURE_TYPE_FENCE_CREATE_INFO, NULL, 0};
    check(vkCreateFence(r->dev, &fi, NULL, &r->fence), "fence");
    VkCommandBufferBeginInfo bi = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO, NULL, 0, NULL};
    check(vkBeginCommandBuffer(r->cmd, &bi), "begin");
    vkCmdBindPipeline(r->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, r->pipeline);
    vkCmdBindDescriptorSets(r->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, r->layout, 0, 1, &r->set, 0,
                            NULL);
    vkCmdDispatch(r->cmd, (WIDTH + LOCAL - 1) / LOCAL, (HEIGHT + LOCAL - 1) / LOCAL, 1);
    check(vkEndCommandBuffer(r->cmd), "end");
}

static void raw_run(void *user)
{
    raw *r = user;
    VkSubmitInfo submit = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1,
                           .pCommandBuffers = &r->cmd};
    check(ll_device_submit(ll_session_device(r->session), &submit, r->fence), "submit");
    check(vkWaitForFences(r->dev, 1, &r->fence, VK_TRUE, UINT64_MAX), "wait");
    check(vkResetFences(r->dev, 1, &r->fence), "reset");
}

static void raw_free(raw *r)
{
    vkDestroyFence(r->dev, r->fence, NULL);
    vkDestroyCommandPool(r->dev, r->pool, NULL);
    vkDestroyPipeline(r->dev, r->pipeline, NULL);
    vkDestroyPipelineLayout(r->dev, r->layout, NULL);
    vkDestroyDescriptorPool(r->dev, r->descriptor_pool, NULL);
    vkDestroyDescriptorSetLayout(r->dev, r->set_layout, NULL);
}

static void core_run(void *user)
{
    ll_error err;
    ll_compute_node *node = user;
    if (!ll_compute_node_run(&node, 1, &err))
        die("ll_compute_node_run", err.message);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--quick") == 0)
        budget = 0.1;
    ll_error err;
    ll_session_options opts = {0};
    ll_session *s = ll_session_create(&opts, &err);
    if (s == NULL)
        die("session", err.message);
    printf("device 0 %s\n", ll_session_properties(s)->deviceName);
    size_t shader_size;
    const char *shader = read_shader(&shader_size);
    ll_program *p = ll_program_compile(s, shader, shader_size, NULL, NULL, &err);
    if (p == NULL)
        die("compile", err.message);
    ll_memory *mem = ll_memory_create(s, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 32u << 20, false,
                                      &err);
    if (mem == NULL)
        die("memory", err.message);
    ll_image_shape shape = {1, HEIGHT, WIDTH, 4};
    VkImageUsageFlags usage = VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
    ll_image *in = ll_image_create(mem, &shape, LL_UINT8, usage, &err);
    ll_image *out = in != NULL ? ll_image_create(mem, &shape, LL_UINT8, usage, &err) : NULL;
    if (out == NULL)
        die("image", err.message);
    const VkSamplerAddressMode clamp = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    ll_image_view_desc vd = {.filter = VK_FILTER_NEAREST, .address_mode = {clamp, clamp, clamp}};
    ll_image_view *vin = ll_image_view_create(in, &vd, &err);
    ll_image_view *vout = vin != NULL ? ll_image_view_create(out, &vd, &err) : NULL;
    if (vout == NULL)
        die("view", err.message);

    raw r = {0};
    raw_make(&r, s, p, ll_image_view_handle(vin), ll_image_view_handle(vout));
    printf("raw_submit_wait 0 %.9g\n", best_of(raw_run, &r));
    raw_free(&r);

    ll_compute_node_desc d = {.program = p, .function_name = "main",
                              .local_shape = {LOCAL, LOCAL, 1}, .grid_shape = {1, 1, 1}};
    ll_compute_node *node = ll_compute_node_create(&d, &err);
    const uint32_t global[3] = {WIDTH, HEIGHT, 1};
    if (node == NULL || !ll_compute_node_bind_view(node, 0, vin, &err) ||
        !ll_compute_node_bind_view(node, 1, vout, &err) ||
        !ll_compute_node_configure_grid(node, global, &err) || !ll_compute_node_init(node, &err))
        die("node", err.message);
    printf("core_run 0 %.9g\n", best_of(core_run, node));
    ll_compute_node_release(node);

    ll_image_view_release(vin);
    ll_image_view_release(vout);
    ll_image_release(in);
    ll_image_release(out);
    ll_memory_release(mem);
    ll_program_release(p);
    ll_session_release(s);
    return 0;
}
