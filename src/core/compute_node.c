/* compute_node.c: compute nodes (lluvia/compute_node.h): the checks of a description
 * against the program and the device's limits, the descriptor set layout, pipeline layout
 * and pipeline, the descriptor writes of bind, and what a dispatch records. Not for: the
 * descriptor pools (descriptor_pool.c) or command buffers (command_buffer.c, commands.c). */
#include "lluvia/compute_node.h"

#include <stdatomic.h>
#include <string.h>

#include "commands.h"
#include "descriptor_pool.h"
#include "image_commands.h"
#include "lluvia/fault.h"
#include "vk_util.h"

typedef struct bound {
    ll_buffer *buffer;     /* retained, or NULL */
    ll_image_view *view;   /* retained, or NULL */
    VkImageLayout layout;  /* the layout the view's descriptor was written for */
} bound;

struct ll_compute_node {
    atomic_int refs;
    ll_session *session;   /* the program's; kept alive by it */
    ll_program *program;   /* retained */
    char *function;
    ll_node_port *ports;   /* port i at binding i; names owned */
    bound *bound;
    size_t port_count;
    uint32_t local[3];
    uint32_t grid[3];
    uint8_t *push;         /* the shader's block, push_block bytes */
    uint32_t push_block;
    size_t push_used;      /* bytes set last */
    VkDescriptorSetLayout set_layout;
    VkPipelineLayout layout;
    VkPipeline pipeline;   /* VK_NULL_HANDLE until init */
    ll_descriptor_set set;
    uint64_t generation;   /* binds since creation */
};

/* ---- checks ---------------------------------------------------------------------------- */

static const char *port_type_name(ll_port_type type)
{
    switch (type) {
    case LL_PORT_BUFFER: return "Buffer";
    case LL_PORT_IMAGE_VIEW: return "ImageView";
    case LL_PORT_SAMPLED_IMAGE_VIEW: return "SampledImageView";
    case LL_PORT_UNIFORM_BUFFER: return "UniformBuffer";
    }
    return "an unknown port type";
}

static int kind_of(ll_port_type type)
{
    switch (type) {
    case LL_PORT_BUFFER: return 0;
    case LL_PORT_UNIFORM_BUFFER: return 1;
    case LL_PORT_IMAGE_VIEW: return 2;
    case LL_PORT_SAMPLED_IMAGE_VIEW: return 3;
    }
    return -1;
}

static bool blame_port(ll_error *err, size_t index)
{
    return ll_error_blame(err, LL_NODE_OPERAND_PORT + (int)index);
}

static bool check_shape(const ll_session *s, const uint32_t local[3], const uint32_t grid[3],
                        ll_error *err)
{
    const VkPhysicalDeviceLimits *l = &ll_session_properties(s)->limits;
    static const char axes[3] = {'x', 'y', 'z'};
    uint64_t invocations = 1;
    for (int i = 0; i < 3; i++) {
        if (local[i] == 0)
            return ll_fail(err, LL_E_ARGUMENT, "localShape.%c must be > 0, got 0", axes[i]),
                   ll_error_blame(err, LL_NODE_OPERAND_LOCAL_SHAPE);
        if (local[i] > l->maxComputeWorkGroupSize[i])
            return ll_fail(err, LL_E_ARGUMENT, "localShape.%c is %u, past the device's "
                           "maxComputeWorkGroupSize[%d] (%u)", axes[i], local[i], i,
                           l->maxComputeWorkGroupSize[i]),
                   ll_error_blame(err, LL_NODE_OPERAND_LOCAL_SHAPE);
        invocations *= local[i];
    }
    if (invocations > l->maxComputeWorkGroupInvocations)
        return ll_fail(err, LL_E_ARGUMENT, "localShape {%u, %u, %u} is %llu invocations, past "
                       "the device's maxComputeWorkGroupInvocations (%u)", local[0], local[1],
                       local[2], (unsigned long long)invocations,
                       l->maxComputeWorkGroupInvocations),
               ll_error_blame(err, LL_NODE_OPERAND_LOCAL_SHAPE);
    for (int i = 0; i < 3; i++)
        if (grid[i] > l->maxComputeWorkGroupCount[i])
            return ll_fail(err, LL_E_ARGUMENT, "gridShape.%c is %u, past the device's "
                           "maxComputeWorkGroupCount[%d] (%u)", axes[i], grid[i], i,
                           l->maxComputeWorkGroupCount[i]),
                   ll_error_blame(err, LL_NODE_OPERAND_GRID_SHAPE);
    return true;
}

static bool check_push_size(const ll_compute_node *node, size_t size, ll_error *err)
{
    uint32_t max = ll_session_properties(node->session)->limits.maxPushConstantsSize;
    if (size > max)
        return ll_fail(err, LL_E_ARGUMENT, "pushConstants of %zu bytes are past the device's "
                       "maxPushConstantsSize (%u bytes)", size, max),
               ll_error_blame(err, LL_NODE_OPERAND_PUSH_CONSTANTS);
    if (size > node->push_block)
        return ll_fail(err, LL_E_ARGUMENT, "pushConstants of %zu bytes are larger than the "
                       "shader's push-constant block (%u bytes)", size, node->push_block),
               ll_error_blame(err, LL_NODE_OPERAND_PUSH_CONSTANTS);
    return true;
}

/* The ports of desc (or of the program), copied into node->ports in binding order, each
 * agreeing with the shader. */
static bool take_ports(ll_compute_node *node, const ll_compute_node_desc *desc, ll_error *err)
{
    const ll_program_info *info = ll_program_reflection(node->program);
    for (size_t i = 0; i < info->binding_count; i++)
        if (info->bindings[i].set != 0)
            return ll_fail(err, LL_E_ARGUMENT, "the shader's '%s' is in descriptor set %u "
                           "(binding %u): a node's ports are bindings of set 0",
                           info->bindings[i].name, info->bindings[i].set,
                           info->bindings[i].binding),
                   ll_error_blame(err, LL_NODE_OPERAND_PROGRAM);
    size_t n = desc->ports != NULL ? desc->port_count : info->binding_count;
    node->port_count = n;
    if (n == 0)
        return true;
    node->ports = ll_calloc(n, sizeof *node->ports);
    node->bound = ll_calloc(n, sizeof *node->bound);
    if (node->ports == NULL || node->bound == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory for %zu ports", n);
    for (size_t i = 0; i < n; i++) {
        ll_node_port p;
        if (desc->ports != NULL) {
            p = desc->ports[i];
        } else {
            const ll_program_binding *b = &info->bindings[i];
            p = (ll_node_port){b->name, b->binding, b->type};
        }
        const char *name = p.name != NULL ? p.name : "";
        if (p.binding >= n)
            return ll_fail(err, LL_E_ARGUMENT, "port '%s' has binding %u: the bindings of %zu "
                           "ports must be 0 to %zu", name, p.binding, n, n - 1),
                   blame_port(err, i);
        if (kind_of(p.type) < 0)
            return ll_fail(err, LL_E_ARGUMENT, "port '%s' has an unknown type %d", name,
                           (int)p.type),
                   blame_port(err, i);
        if (node->ports[p.binding].name != NULL)
            return ll_fail(err, LL_E_ARGUMENT, "ports '%s' and '%s' both have binding %u",
                           node->ports[p.binding].name, name, p.binding),
                   blame_port(err, i);
        for (size_t j = 0; j < n; j++)
            if (node->ports[j].name != NULL && strcmp(node->ports[j].name, name) == 0)
                return ll_fail(err, LL_E_ARGUMENT, "two ports are named '%s'", name),
                       blame_port(err, i);
        const ll_program_binding *b = ll_program_find_binding(node->program, 0, p.binding);
        if (b == NULL)
            return ll_fail(err, LL_E_ARGUMENT, "port '%s' has binding %u, which the shader "
                           "does not declare", name, p.binding),
                   blame_port(err, i);
        if (b->type != p.type)
            return ll_fail(err, LL_E_ARGUMENT, "port '%s' is a %s, but the shader's binding %u "
                           "('%s') is a %s", name, port_type_name(p.type), p.binding, b->name,
                           port_type_name(b->type)),
                   blame_port(err, i);
        size_t len = strlen(name);
        char *copy = ll_malloc(len + 1);
        if (copy == NULL)
            return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory for port names");
        memcpy(copy, name, len + 1);
        node->ports[p.binding] = (ll_node_port){copy, p.binding, p.type};
    }
    /* n ports at distinct bindings 0 .. n-1, all the shader's: it may have more. */
    for (size_t i = 0; i < info->binding_count; i++)
        if (info->bindings[i].binding >= n)
            return ll_fail(err, LL_E_ARGUMENT, "the shader's binding %u ('%s', a %s) has no "
                           "port", info->bindings[i].binding, info->bindings[i].name,
                           port_type_name(info->bindings[i].type)),
                   ll_error_blame(err, LL_NODE_OPERAND_PORTS);
    return true;
}

/* The descriptors of each kind, against the device's per-stage limits. */
static bool count_descriptors(const ll_compute_node *node, uint32_t counts[LL_DESCRIPTOR_KINDS],
                              ll_error *err)
{
    memset(counts, 0, LL_DESCRIPTOR_KINDS * sizeof *counts);
    for (size_t i = 0; i < node->port_count; i++)
        counts[kind_of(node->ports[i].type)]++;
    const VkPhysicalDeviceLimits *l = &ll_session_properties(node->session)->limits;
    const struct {
        uint32_t count, limit;
        const char *name;
    } checks[] = {
        {counts[0], l->maxPerStageDescriptorStorageBuffers, "maxPerStageDescriptorStorageBuffers"},
        {counts[1], l->maxPerStageDescriptorUniformBuffers, "maxPerStageDescriptorUniformBuffers"},
        {counts[2], l->maxPerStageDescriptorStorageImages, "maxPerStageDescriptorStorageImages"},
        {counts[3], l->maxPerStageDescriptorSampledImages, "maxPerStageDescriptorSampledImages"},
        {counts[3], l->maxPerStageDescriptorSamplers, "maxPerStageDescriptorSamplers"},
        {counts[0], l->maxDescriptorSetStorageBuffers, "maxDescriptorSetStorageBuffers"},
        {counts[1], l->maxDescriptorSetUniformBuffers, "maxDescriptorSetUniformBuffers"},
        {counts[2], l->maxDescriptorSetStorageImages, "maxDescriptorSetStorageImages"},
        {counts[3], l->maxDescriptorSetSampledImages, "maxDescriptorSetSampledImages"},
        {(uint32_t)node->port_count, l->maxPerStageResources, "maxPerStageResources"},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        if (checks[i].count > checks[i].limit)
            return ll_fail(err, LL_E_ARGUMENT, "the node has %u descriptors where the device's "
                           "%s is %u", checks[i].count, checks[i].name, checks[i].limit),
                   ll_error_blame(err, LL_NODE_OPERAND_PORTS);
    return true;
}

/* ---- creation --------------------------------------------------------------------------- */

static bool make_layouts(ll_compute_node *node, ll_error *err)
{
    VkDevice dev = ll_session_vk(node->session);
    VkDescriptorSetLayoutBinding *bindings = NULL;
    if (node->port_count > 0) {
        bindings = ll_calloc(node->port_count, sizeof *bindings);
        if (bindings == NULL)
            return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory for a set layout");
    }
    for (size_t i = 0; i < node->port_count; i++)
        bindings[i] = (VkDescriptorSetLayoutBinding){
            .binding = (uint32_t)i,
            .descriptorType = ll_descriptor_kinds[kind_of(node->ports[i].type)],
            .descriptorCount = 1,
            .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
        };
    VkDescriptorSetLayoutCreateInfo set_info = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
        .bindingCount = (uint32_t)node->port_count,
        .pBindings = bindings,
    };
    VkResult r = LL_VK(vkCreateDescriptorSetLayout(dev, &set_info, NULL, &node->set_layout));
    ll_free(bindings);
    if (r != VK_SUCCESS)
        return ll_fail_vk(err, r, "vkCreateDescriptorSetLayout");
    VkPushConstantRange range = {VK_SHADER_STAGE_COMPUTE_BIT, 0, node->push_block};
    VkPipelineLayoutCreateInfo layout_info = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
        .setLayoutCount = 1,
        .pSetLayouts = &node->set_layout,
        .pushConstantRangeCount = node->push_block > 0 ? 1 : 0,
        .pPushConstantRanges = &range,
    };
    r = LL_VK(vkCreatePipelineLayout(dev, &layout_info, NULL, &node->layout));
    if (r != VK_SUCCESS)
        return ll_fail_vk(err, r, "vkCreatePipelineLayout");
    return true;
}

/* Frees what a node holds; for a node whose making failed half-way too. */
static void destroy(ll_compute_node *node)
{
    VkDevice dev = ll_session_vk(node->session);
    for (size_t i = 0; i < node->port_count; i++) {
        if (node->bound != NULL) {
            ll_buffer_release(node->bound[i].buffer);
            ll_image_view_release(node->bound[i].view);
        }
        if (node->ports != NULL)
            ll_free((char *)node->ports[i].name);
    }
    ll_descriptor_set_free(node->session, &node->set);
    vkDestroyPipeline(dev, node->pipeline, NULL);
    vkDestroyPipelineLayout(dev, node->layout, NULL);
    vkDestroyDescriptorSetLayout(dev, node->set_layout, NULL);
    ll_free(node->bound);
    ll_free(node->ports);
    ll_free(node->push);
    ll_free(node->function);
    ll_program_release(node->program);
    ll_free(node);
}

ll_compute_node *ll_compute_node_create(const ll_compute_node_desc *desc, ll_error *err)
{
    if (desc->program == NULL)
        return ll_fail(err, LL_E_ARGUMENT, "a compute node needs a program, got none"),
               ll_error_blame(err, LL_NODE_OPERAND_PROGRAM), NULL;
    const char *fn = desc->function_name;
    if (fn == NULL || fn[0] == '\0')
        return ll_fail(err, LL_E_ARGUMENT, "functionName must not be empty"),
               ll_error_blame(err, LL_NODE_OPERAND_FUNCTION), NULL;
    if (!ll_program_has_entry_point(desc->program, fn))
        return ll_fail(err, LL_E_ARGUMENT, "the program has no compute entry point named "
                       "'%.64s'", fn),
               ll_error_blame(err, LL_NODE_OPERAND_FUNCTION), NULL;
    ll_session *s = ll_program_session(desc->program);
    if (!check_shape(s, desc->local_shape, desc->grid_shape, err))
        return NULL;

    ll_compute_node *node = ll_calloc(1, sizeof *node);
    if (node == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating a compute node"),
               NULL;
    atomic_init(&node->refs, 1);
    node->session = s;
    node->program = desc->program;
    ll_program_retain(desc->program);
    memcpy(node->local, desc->local_shape, sizeof node->local);
    memcpy(node->grid, desc->grid_shape, sizeof node->grid);
    /* Vulkan's ranges are multiples of 4 bytes; a block's size is one already. */
    node->push_block = (ll_program_reflection(desc->program)->push_constant_size + 3u) & ~3u;
    uint32_t counts[LL_DESCRIPTOR_KINDS];
    size_t fn_len = strlen(fn);
    node->function = ll_malloc(fn_len + 1);
    if (node->function == NULL) {
        ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating a compute node");
        goto fail;
    }
    memcpy(node->function, fn, fn_len + 1);
    uint32_t max_push = ll_session_properties(s)->limits.maxPushConstantsSize;
    if (node->push_block > max_push) {
        ll_fail(err, LL_E_ARGUMENT, "the shader's push-constant block of %u bytes is past the "
                "device's maxPushConstantsSize (%u bytes)", node->push_block, max_push);
        ll_error_blame(err, LL_NODE_OPERAND_PROGRAM);
        goto fail;
    }
    if (!check_push_size(node, desc->push_constant_size, err) || !take_ports(node, desc, err) ||
        !count_descriptors(node, counts, err))
        goto fail;
    if (node->push_block > 0) {
        node->push = ll_calloc(1, node->push_block);
        if (node->push == NULL) {
            ll_fail(err, LL_E_HOST_MEMORY, "out of host memory for push constants");
            goto fail;
        }
        if (desc->push_constant_size > 0)
            memcpy(node->push, desc->push_constants, desc->push_constant_size);
        node->push_used = desc->push_constant_size;
    }
    if (!make_layouts(node, err) ||
        !ll_descriptor_set_allocate(s, node->set_layout, counts, &node->set, err))
        goto fail;
    return node;

fail:
    destroy(node);
    return NULL;
}

bool ll_compute_node_set_program(ll_compute_node *node, ll_program *program, ll_error *err)
{
    if (ll_compute_node_initialized(node))
        return ll_fail(err, LL_E_STATE, "the program of an initialized node cannot change");
    if (!ll_session_check_same(node->session, ll_program_session(program), "program", err))
        return ll_error_blame(err, LL_NODE_OPERAND_PROGRAM);
    if (!ll_program_has_entry_point(program, node->function))
        return ll_fail(err, LL_E_ARGUMENT, "the program has no compute entry point named "
                       "'%.64s'", node->function),
               ll_error_blame(err, LL_NODE_OPERAND_PROGRAM);
    const ll_program_info *info = ll_program_reflection(program);
    uint32_t block = (info->push_constant_size + 3u) & ~3u;
    if (block != node->push_block)
        return ll_fail(err, LL_E_ARGUMENT, "the program's push-constant block of %u bytes "
                       "differs from the node's (%u bytes)", block, node->push_block),
               ll_error_blame(err, LL_NODE_OPERAND_PROGRAM);
    if (info->binding_count != node->port_count)
        return ll_fail(err, LL_E_ARGUMENT, "the program has %zu bindings, the node %zu ports",
                       info->binding_count, node->port_count),
               ll_error_blame(err, LL_NODE_OPERAND_PROGRAM);
    for (size_t i = 0; i < node->port_count; i++) {
        const ll_program_binding *b = ll_program_find_binding(program, 0, (uint32_t)i);
        if (b == NULL || b->type != node->ports[i].type)
            return ll_fail(err, LL_E_ARGUMENT, "port '%s' is a %s at binding %zu, but the "
                           "program's binding %zu is %s%s", node->ports[i].name,
                           port_type_name(node->ports[i].type), i, i,
                           b != NULL ? "a " : "missing",
                           b != NULL ? port_type_name(b->type) : ""),
                   ll_error_blame(err, LL_NODE_OPERAND_PROGRAM);
    }
    ll_program_retain(program);
    ll_program_release(node->program);
    node->program = program;
    return true;
}

void ll_compute_node_retain(ll_compute_node *node)
{
    atomic_fetch_add(&node->refs, 1);
}

void ll_compute_node_release(ll_compute_node *node)
{
    if (node != NULL && atomic_fetch_sub(&node->refs, 1) == 1)
        destroy(node);
}

ll_session *ll_compute_node_session(const ll_compute_node *node) { return node->session; }
ll_program *ll_compute_node_program(const ll_compute_node *node) { return node->program; }
const char *ll_compute_node_function(const ll_compute_node *node) { return node->function; }
size_t ll_compute_node_port_count(const ll_compute_node *node) { return node->port_count; }
bool ll_compute_node_initialized(const ll_compute_node *node) { return node->pipeline != VK_NULL_HANDLE; }
uint64_t ll_compute_node_generation(const ll_compute_node *node) { return node->generation; }

const ll_node_port *ll_compute_node_port(const ll_compute_node *node, size_t index)
{
    return index < node->port_count ? &node->ports[index] : NULL;
}

int ll_compute_node_find_port(const ll_compute_node *node, const char *name)
{
    for (size_t i = 0; i < node->port_count; i++)
        if (strcmp(node->ports[i].name, name) == 0)
            return (int)i;
    return -1;
}

void ll_compute_node_bound(const ll_compute_node *node, size_t index, ll_buffer **buffer,
                           ll_image_view **view)
{
    *buffer = index < node->port_count ? node->bound[index].buffer : NULL;
    *view = index < node->port_count ? node->bound[index].view : NULL;
}

/* ---- binding ---------------------------------------------------------------------------- */

/* Port index, when it exists, is of type a or b and the object is of the node's session;
 * NULL and err otherwise. */
static const ll_node_port *bindable(const ll_compute_node *node, size_t index, ll_port_type a,
                                    ll_port_type b, const ll_session *session, ll_error *err)
{
    if (index >= node->port_count)
        return ll_fail(err, LL_E_ARGUMENT, "the node has no port %zu (it has %zu)", index,
                       node->port_count),
               ll_error_blame(err, LL_NODE_OPERAND_PORTS), NULL;
    const ll_node_port *port = &node->ports[index];
    if (port->type != a && port->type != b)
        return ll_fail(err, LL_E_ARGUMENT, "port '%s' is a %s port, got %s", port->name,
                       port_type_name(port->type),
                       a == LL_PORT_BUFFER ? "a Buffer" : "an ImageView"),
               ll_error_blame(err, LL_NODE_OPERAND_OBJECT), NULL;
    if (!ll_session_check_same(node->session, session, "the object bound", err))
        return ll_error_blame(err, LL_NODE_OPERAND_OBJECT), NULL;
    return port;
}

/* Writes port index's descriptor: a buffer's or an image's. */
static void write_descriptor(ll_compute_node *node, size_t index,
                             const VkDescriptorBufferInfo *buffer,
                             const VkDescriptorImageInfo *image)
{
    VkWriteDescriptorSet write = {
        .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
        .dstSet = node->set.set,
        .dstBinding = (uint32_t)index,
        .descriptorCount = 1,
        .descriptorType = ll_descriptor_kinds[kind_of(node->ports[index].type)],
        .pBufferInfo = buffer,
        .pImageInfo = image,
    };
    vkUpdateDescriptorSets(ll_session_vk(node->session), 1, &write, 0, NULL);
}

static void replace(ll_compute_node *node, size_t index, ll_buffer *buffer,
                    ll_image_view *view, VkImageLayout layout)
{
    bound *b = &node->bound[index];
    ll_buffer_release(b->buffer);
    ll_image_view_release(b->view);
    *b = (bound){buffer, view, layout};
    node->generation++;
}

bool ll_compute_node_bind_buffer(ll_compute_node *node, size_t index, ll_buffer *buffer,
                                 ll_error *err)
{
    const ll_node_port *port = bindable(node, index, LL_PORT_BUFFER, LL_PORT_UNIFORM_BUFFER,
                                        ll_memory_session(ll_buffer_memory(buffer)), err);
    if (port == NULL)
        return false;
    bool uniform = port->type == LL_PORT_UNIFORM_BUFFER;
    VkBufferUsageFlags need = uniform ? VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT
                                      : VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    if (!(ll_buffer_usage(buffer) & need))
        return ll_fail(err, LL_E_ARGUMENT, "port '%s' needs a buffer with %s usage", port->name,
                       uniform ? "UniformBuffer" : "StorageBuffer"),
               ll_error_blame(err, LL_NODE_OPERAND_OBJECT);
    const VkPhysicalDeviceLimits *l = &ll_session_properties(node->session)->limits;
    uint64_t range = uniform ? l->maxUniformBufferRange : l->maxStorageBufferRange;
    if (ll_buffer_size(buffer) > range)
        return ll_fail(err, LL_E_ARGUMENT, "port '%s' takes at most %llu bytes (the device's "
                       "%s), got a buffer of %llu", port->name, (unsigned long long)range,
                       uniform ? "maxUniformBufferRange" : "maxStorageBufferRange",
                       (unsigned long long)ll_buffer_size(buffer)),
               ll_error_blame(err, LL_NODE_OPERAND_OBJECT);
    VkDescriptorBufferInfo info = {ll_buffer_vk(buffer), 0, ll_buffer_size(buffer)};
    ll_buffer_retain(buffer);
    write_descriptor(node, index, &info, NULL);
    replace(node, index, buffer, NULL, VK_IMAGE_LAYOUT_UNDEFINED);
    return true;
}

bool ll_compute_node_bind_view(ll_compute_node *node, size_t index, ll_image_view *view,
                               ll_error *err)
{
    ll_image *image = ll_image_view_image(view);
    const ll_node_port *port = bindable(node, index, LL_PORT_IMAGE_VIEW,
                                        LL_PORT_SAMPLED_IMAGE_VIEW, ll_image_session(image), err);
    if (port == NULL)
        return false;
    bool sampled = port->type == LL_PORT_SAMPLED_IMAGE_VIEW;
    if (sampled && ll_image_view_sampler(view) == VK_NULL_HANDLE)
        return ll_fail(err, LL_E_ARGUMENT, "port '%s' is a SampledImageView port, got a view "
                       "that is not sampled (create it with sampled = true)", port->name),
               ll_error_blame(err, LL_NODE_OPERAND_OBJECT);
    if (!sampled && !(ll_image_usage(image) & VK_IMAGE_USAGE_STORAGE_BIT))
        return ll_fail(err, LL_E_ARGUMENT, "port '%s' is an ImageView port, which needs an "
                       "image with Storage usage", port->name),
               ll_error_blame(err, LL_NODE_OPERAND_OBJECT);
    VkImageLayout layout = VK_IMAGE_LAYOUT_GENERAL;
    if (sampled) {
        ll_session_lock_commands(node->session);
        VkImageLayout now = ll_image_layout(image);
        ll_session_unlock_commands(node->session);
        if (now == VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL)
            layout = now;
    }
    VkDescriptorImageInfo info = {
        .sampler = sampled ? ll_image_view_sampler(view) : VK_NULL_HANDLE,
        .imageView = ll_image_view_handle(view),
        .imageLayout = layout,
    };
    write_descriptor(node, index, NULL, &info);
    ll_image_view_retain(view);
    replace(node, index, NULL, view, layout);
    return true;
}

/* ---- shapes and push constants ----------------------------------------------------------- */

void ll_compute_node_grid(const ll_compute_node *node, uint32_t out[3])
{
    memcpy(out, node->grid, sizeof node->grid);
}

void ll_compute_node_local(const ll_compute_node *node, uint32_t out[3])
{
    memcpy(out, node->local, sizeof node->local);
}

bool ll_compute_node_set_grid(ll_compute_node *node, const uint32_t grid[3], ll_error *err)
{
    if (!check_shape(node->session, node->local, grid, err))
        return false;
    memcpy(node->grid, grid, sizeof node->grid);
    return true;
}

bool ll_compute_node_configure_grid(ll_compute_node *node, const uint32_t global[3],
                                    ll_error *err)
{
    uint32_t grid[3];
    for (int i = 0; i < 3; i++)
        grid[i] = (uint32_t)(((uint64_t)global[i] + node->local[i] - 1) / node->local[i]);
    return ll_compute_node_set_grid(node, grid, err);
}

const void *ll_compute_node_push_constants(const ll_compute_node *node, size_t *size)
{
    *size = node->push_used;
    return node->push;
}

bool ll_compute_node_set_push_constants(ll_compute_node *node, const void *data, size_t size,
                                        ll_error *err)
{
    if (!check_push_size(node, size, err))
        return false;
    if (node->push_block > 0) {
        memset(node->push, 0, node->push_block);
        if (size > 0)
            memcpy(node->push, data, size);
    }
    node->push_used = size;
    return true;
}

/* ---- init ------------------------------------------------------------------------------ */

bool ll_compute_node_init(ll_compute_node *node, ll_error *err)
{
    if (node->pipeline != VK_NULL_HANDLE)
        return ll_fail(err, LL_E_STATE, "the node is initialized already: init runs once");
    /* Constants 1 to 3 hold the local shape, where the shader declares them. */
    const ll_program_info *info = ll_program_reflection(node->program);
    VkSpecializationMapEntry entries[3];
    uint32_t n = 0;
    for (size_t i = 0; i < info->constant_count; i++) {
        uint32_t id = info->constants[i].id;
        if (id >= 1 && id <= 3 && info->constants[i].size == sizeof(uint32_t))
            entries[n++] = (VkSpecializationMapEntry){id, (id - 1) * sizeof(uint32_t),
                                                      sizeof(uint32_t)};
    }
    VkSpecializationInfo spec = {n, entries, sizeof node->local, node->local};
    VkComputePipelineCreateInfo create = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .stage = {
            .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
            .stage = VK_SHADER_STAGE_COMPUTE_BIT,
            .module = ll_program_module(node->program),
            .pName = node->function,
            .pSpecializationInfo = n > 0 ? &spec : NULL,
        },
        .layout = node->layout,
        .basePipelineIndex = -1,
    };
    VkPipeline pipeline = VK_NULL_HANDLE;
    VkResult r = LL_VK(vkCreateComputePipelines(ll_session_vk(node->session), VK_NULL_HANDLE, 1,
                                                &create, NULL, &pipeline));
    if (r != VK_SUCCESS)
        return ll_fail_vk(err, r, "vkCreateComputePipelines");
    node->pipeline = pipeline;
    return true;
}

/* ---- recording ---------------------------------------------------------------------------- */

bool ll_compute_node_check_ready(const ll_compute_node *node, ll_error *err)
{
    if (node->pipeline == VK_NULL_HANDLE)
        return ll_fail(err, LL_E_STATE, "the node is not initialized: call init() before "
                       "recording or running it");
    for (size_t i = 0; i < node->port_count; i++)
        if (node->bound[i].buffer == NULL && node->bound[i].view == NULL)
            return ll_fail(err, LL_E_ARGUMENT, "port '%s' (binding %zu) is not bound",
                           node->ports[i].name, i),
                   blame_port(err, i);
    static const char axes[3] = {'X', 'Y', 'Z'};
    for (int i = 0; i < 3; i++)
        if (node->grid[i] == 0)
            return ll_fail(err, LL_E_ARGUMENT, "gridShape has grid%c = 0: every axis must be "
                           "> 0 (configureGridShape sets it)", axes[i]),
                   ll_error_blame(err, LL_NODE_OPERAND_GRID_SHAPE);
    return true;
}

#define ANY_ACCESS (VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT)

static void record_into(const ll_compute_node *node, ll_commands *c)
{
    for (size_t i = 0; i < node->port_count; i++)
        if (node->bound[i].view != NULL)
            ll_image_record_layout(c, ll_image_view_image(node->bound[i].view),
                                   node->bound[i].layout);
    ll_commands_memory_barrier(c, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                               VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                               VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                                   VK_ACCESS_UNIFORM_READ_BIT);
    VkCommandBuffer vk = ll_commands_vk(c);
    vkCmdBindPipeline(vk, VK_PIPELINE_BIND_POINT_COMPUTE, node->pipeline);
    vkCmdBindDescriptorSets(vk, VK_PIPELINE_BIND_POINT_COMPUTE, node->layout, 0, 1,
                            &node->set.set, 0, NULL);
    if (node->push_block > 0)
        vkCmdPushConstants(vk, node->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, node->push_block,
                           node->push);
    vkCmdDispatch(vk, node->grid[0], node->grid[1], node->grid[2]);
    ll_commands_memory_barrier(c, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                               VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                               ANY_ACCESS);
}

static void release_kept(void *obj)
{
    ll_compute_node_release(obj);
}

static bool check_generation(void *obj, uint64_t stamp, ll_error *err)
{
    const ll_compute_node *node = obj;
    if (node->generation == stamp)
        return true;
    return ll_fail(err, LL_E_STATE, "a node of the command buffer was bound again after it "
                   "was recorded: record the command buffer again");
}

bool ll_compute_node_record(ll_compute_node *node, ll_command_buffer *cb, ll_error *err)
{
    if (!ll_command_buffer_recording(cb))
        return ll_fail(err, LL_E_STATE, "recording a node needs a command buffer being "
                       "recorded: call begin() first");
    if (!ll_session_check_same(ll_command_buffer_session(cb), node->session,
                               "the node recorded", err) ||
        !ll_compute_node_check_ready(node, err))
        return false;
    ll_compute_node_retain(node);
    if (!ll_command_buffer_keep(cb, node, release_kept, check_generation, node->generation,
                                err)) {
        ll_compute_node_release(node);
        return false;
    }
    record_into(node, ll_command_buffer_commands(cb));
    return true;
}

bool ll_compute_node_run(ll_compute_node *const *nodes, size_t count, ll_error *err)
{
    if (count == 0)
        return true;
    ll_session *s = nodes[0]->session;
    for (size_t i = 0; i < count; i++)
        if (!ll_session_check_same(s, nodes[i]->session, "a node run", err) ||
            !ll_compute_node_check_ready(nodes[i], err))
            return false;
    ll_commands *c = ll_commands_begin_once(s, err);
    if (c == NULL)
        return false;
    for (size_t i = 0; i < count; i++)
        record_into(nodes[i], c);
    return ll_commands_submit_once(c, err);
}

/* ---- validation ----------------------------------------------------------------------------- */

bool ll_compute_node_validate(const ll_compute_node *node, ll_error *err)
{
    if (node->set_layout == VK_NULL_HANDLE || node->layout == VK_NULL_HANDLE ||
        node->set.set == VK_NULL_HANDLE)
        return ll_fail(err, LL_E_STATE, "compute node without its layouts or descriptor set");
    if (node->push_block > 0 && node->push == NULL)
        return ll_fail(err, LL_E_STATE, "compute node without its push-constant block");
    for (size_t i = 0; i < node->port_count; i++) {
        const ll_node_port *p = &node->ports[i];
        if (p->binding != i || p->name == NULL)
            return ll_fail(err, LL_E_STATE, "port %zu is at binding %u", i, p->binding);
        const bound *b = &node->bound[i];
        bool buffer_port = p->type == LL_PORT_BUFFER || p->type == LL_PORT_UNIFORM_BUFFER;
        if ((b->buffer != NULL && (b->view != NULL || !buffer_port)) ||
            (b->view != NULL && buffer_port))
            return ll_fail(err, LL_E_STATE, "port '%s' holds an object of another kind",
                           p->name);
    }
    return true;
}
