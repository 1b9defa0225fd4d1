/* enums.c: the enumeration tables of enums.h and the lookups over them. Not for: Lua
 * values (src/binding/l_enums.c). */
#include "lluvia/enums.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <volk.h>

#include "lluvia/dtype.h"
#include "lluvia/program.h"

static const ll_enum_entry buffer_usage[] = {
    {"IndexBuffer", VK_BUFFER_USAGE_INDEX_BUFFER_BIT, false},
    {"IndirectBuffer", VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT, false},
    {"StorageBuffer", VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, false},
    {"StorageTexelBuffer", VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT, false},
    {"TransferDst", VK_BUFFER_USAGE_TRANSFER_DST_BIT, false},
    {"TransferSrc", VK_BUFFER_USAGE_TRANSFER_SRC_BIT, false},
    {"UniformBuffer", VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT, false},
    {"UniformTexelBuffer", VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT, false},
    {"VertexBuffer", VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, false},
    {NULL, 0, false},
};

static const ll_enum_entry image_usage[] = {
    {"TransferSrc", VK_IMAGE_USAGE_TRANSFER_SRC_BIT, false},
    {"TransferDst", VK_IMAGE_USAGE_TRANSFER_DST_BIT, false},
    {"Sampled", VK_IMAGE_USAGE_SAMPLED_BIT, false},
    {"Storage", VK_IMAGE_USAGE_STORAGE_BIT, false},
    {"ColorAttachment", VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT, false},
    {"DepthStencilAttachment", VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT, false},
    {"TransientAttachment", VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT, false},
    {"InputAttachment", VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT, false},
    {NULL, 0, false},
};

static const ll_enum_entry memory_property[] = {
    {"DeviceLocal", VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, false},
    {"HostVisible", VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, false},
    {"HostCoherent", VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, false},
    {"HostCached", VK_MEMORY_PROPERTY_HOST_CACHED_BIT, false},
    {"LazilyAllocated", VK_MEMORY_PROPERTY_LAZILY_ALLOCATED_BIT, false},
    {"Protected", VK_MEMORY_PROPERTY_PROTECTED_BIT, true},
    {NULL, 0, false},
};

static const ll_enum_entry channel_type[] = {
    {"Uint8", LL_UINT8, false},     {"Int8", LL_INT8, false},
    {"Uint16", LL_UINT16, false},   {"Int16", LL_INT16, false},
    {"Float16", LL_FLOAT16, false}, {"Uint32", LL_UINT32, false},
    {"Int32", LL_INT32, false},     {"Float32", LL_FLOAT32, false},
    {"Uint64", LL_UINT64, false},   {"Int64", LL_INT64, false},
    {"Float64", LL_FLOAT64, false}, {NULL, 0, false},
};

static const ll_enum_entry image_layout[] = {
    {"Undefined", VK_IMAGE_LAYOUT_UNDEFINED, false},
    {"General", VK_IMAGE_LAYOUT_GENERAL, false},
    {"TransferSrcOptimal", VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, false},
    {"TransferDstOptimal", VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, false},
    {"ShaderReadOnlyOptimal", VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, false},
    {"Preinitialized", VK_IMAGE_LAYOUT_PREINITIALIZED, false},
    {NULL, 0, false},
};

static const ll_enum_entry filter_mode[] = {
    {"Nearest", VK_FILTER_NEAREST, false},
    {"Linear", VK_FILTER_LINEAR, false},
    {NULL, 0, false},
};

static const ll_enum_entry address_mode[] = {
    {"Repeat", VK_SAMPLER_ADDRESS_MODE_REPEAT, false},
    {"MirroredRepeat", VK_SAMPLER_ADDRESS_MODE_MIRRORED_REPEAT, false},
    {"ClampToEdge", VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE, false},
    {"ClampToBorder", VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER, false},
    {"MirrorClampToEdge", VK_SAMPLER_ADDRESS_MODE_MIRROR_CLAMP_TO_EDGE, false},
    {NULL, 0, false},
};

static const ll_enum_entry image_tiling[] = {
    {"Optimal", VK_IMAGE_TILING_OPTIMAL, false},
    {"Linear", VK_IMAGE_TILING_LINEAR, false},
    {NULL, 0, false},
};

/* The enumerations below are lluvia's node system's; their values are lluvia-lua's. */

static const ll_enum_entry channel_count[] = {
    {"C1", 1, false}, {"C2", 2, false}, {"C3", 3, false}, {"C4", 4, false}, {NULL, 0, false},
};

static const ll_enum_entry float_precision[] = {
    {"FP16", 0, false}, {"FP32", 1, false}, {"FP64", 2, false}, {NULL, 0, false},
};

static const ll_enum_entry port_direction[] = {
    {"In", 0, false}, {"Out", 1, false}, {NULL, 0, false},
};

static const ll_enum_entry port_type[] = {
    {"Buffer", LL_PORT_BUFFER, false},
    {"ImageView", LL_PORT_IMAGE_VIEW, false},
    {"SampledImageView", LL_PORT_SAMPLED_IMAGE_VIEW, false},
    {"UniformBuffer", LL_PORT_UNIFORM_BUFFER, false},
    {NULL, 0, false},
};

static const ll_enum_entry compute_dimension[] = {
    {"D1", 1, false}, {"D2", 2, false}, {"D3", 3, false}, {NULL, 0, false},
};

static const ll_enum_entry node_type[] = {
    {"Compute", 0, false}, {"Container", 1, false}, {NULL, 0, false},
};

static const ll_enum_entry node_state[] = {
    {"Created", 0, false}, {"Init", 1, false}, {NULL, 0, false},
};

static const ll_enum_entry object_type[] = {
    {"Buffer", 0, false}, {"Image", 1, false}, {"ImageView", 2, false}, {NULL, 0, false},
};

static const ll_enum_entry parameter_type[] = {
    {"Int", 0, false}, {"Float", 1, false}, {"String", 2, false}, {NULL, 0, false},
};

#define FLAGS(table, entries) {table, entries, false, LL_ENUM_FLAGS}
#define NAMES(table, entries) {table, entries, true, LL_ENUM_NAMES}
#define NUMBERS(table, entries) {table, entries, false, LL_ENUM_NUMBERS}

const ll_enum ll_enum_buffer_usage = FLAGS("BufferUsageFlagBits", buffer_usage);
const ll_enum ll_enum_image_usage = FLAGS("ImageUsageFlagBits", image_usage);
const ll_enum ll_enum_memory_property = FLAGS("MemoryPropertyFlagBits", memory_property);
const ll_enum ll_enum_channel_type = NAMES("ChannelType", channel_type);
const ll_enum ll_enum_image_layout = NAMES("ImageLayout", image_layout);
const ll_enum ll_enum_filter_mode = NAMES("ImageFilterMode", filter_mode);
const ll_enum ll_enum_address_mode = NAMES("ImageAddressMode", address_mode);
const ll_enum ll_enum_image_tiling = NAMES("ImageTiling", image_tiling);
const ll_enum ll_enum_channel_count = NUMBERS("ChannelCount", channel_count);
const ll_enum ll_enum_float_precision = NUMBERS("FloatPrecision", float_precision);
const ll_enum ll_enum_port_direction = NAMES("PortDirection", port_direction);
const ll_enum ll_enum_port_type = NAMES("PortType", port_type);
const ll_enum ll_enum_compute_dimension = NAMES("ComputeDimension", compute_dimension);
const ll_enum ll_enum_node_type = NAMES("NodeType", node_type);
const ll_enum ll_enum_node_state = NAMES("NodeState", node_state);
const ll_enum ll_enum_object_type = NAMES("ObjectType", object_type);
const ll_enum ll_enum_parameter_type = NAMES("ParameterType", parameter_type);

const ll_enum *const ll_enums[] = {
    &ll_enum_buffer_usage,   &ll_enum_image_usage,     &ll_enum_memory_property,
    &ll_enum_channel_type,   &ll_enum_image_layout,    &ll_enum_filter_mode,
    &ll_enum_address_mode,   &ll_enum_image_tiling,    &ll_enum_channel_count,
    &ll_enum_float_precision, &ll_enum_port_direction, &ll_enum_port_type,
    &ll_enum_compute_dimension, &ll_enum_node_type,    &ll_enum_node_state,
    &ll_enum_object_type,    &ll_enum_parameter_type,  NULL,
};

const ll_enum *ll_enum_by_table(const char *table)
{
    for (int i = 0; ll_enums[i] != NULL; i++)
        if (strcmp(ll_enums[i]->table, table) == 0)
            return ll_enums[i];
    return NULL;
}

const ll_enum_entry *ll_enum_find(const ll_enum *e, const char *name, bool core_only_too)
{
    for (const ll_enum_entry *it = e->entries; it->name != NULL; it++) {
        if (it->core_only && !core_only_too)
            continue;
        if (e->case_insensitive ? strcasecmp(it->name, name) == 0 : strcmp(it->name, name) == 0)
            return it;
    }
    return NULL;
}

const char *ll_enum_name(const ll_enum *e, uint32_t value)
{
    for (const ll_enum_entry *it = e->entries; it->name != NULL; it++)
        if (it->value == value)
            return it->name;
    return NULL;
}

uint32_t ll_enum_bits(const ll_enum *e)
{
    uint32_t bits = 0;
    for (const ll_enum_entry *it = e->entries; it->name != NULL; it++)
        bits |= it->value;
    return bits;
}

const char *ll_enum_flags_text(const ll_enum *e, uint32_t flags, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    size_t n = (size_t)snprintf(buf, size, "{");
    bool first = true;
    uint32_t named = ll_enum_bits(e);
    for (const ll_enum_entry *it = e->entries; it->name != NULL && n < size; it++) {
        if (it->value == 0 || (flags & it->value) != it->value)
            continue;
        n += (size_t)snprintf(buf + n, size - n, "%s%s", first ? "" : ", ", it->name);
        first = false;
    }
    for (unsigned i = 0; i < 32 && n < size; i++) {
        uint32_t bit = 1u << i;
        if (!(flags & bit) || (named & bit))
            continue;
        n += (size_t)snprintf(buf + n, size - n, "%s0x%x", first ? "" : ", ", bit);
        first = false;
    }
    if (n < size)
        snprintf(buf + n, size - n, "}");
    return buf;
}
