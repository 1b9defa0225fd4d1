/* enums.c: the enumeration tables of enums.h and the lookups over them. Not for: Lua
 * values (src/binding/enums.c). */
#include "lluvia/enums.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <volk.h>

#include "lluvia/dtype.h"

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

const ll_enum ll_enum_buffer_usage = {"BufferUsageFlagBits", buffer_usage, false};
const ll_enum ll_enum_image_usage = {"ImageUsageFlagBits", image_usage, false};
const ll_enum ll_enum_memory_property = {"MemoryPropertyFlagBits", memory_property, false};
const ll_enum ll_enum_channel_type = {"ChannelType", channel_type, true};
const ll_enum ll_enum_image_layout = {"ImageLayout", image_layout, false};
const ll_enum ll_enum_filter_mode = {"ImageFilterMode", filter_mode, false};
const ll_enum ll_enum_address_mode = {"ImageAddressMode", address_mode, false};

const ll_enum *const ll_enums[] = {
    &ll_enum_buffer_usage, &ll_enum_image_usage, &ll_enum_memory_property,
    &ll_enum_channel_type, &ll_enum_image_layout, &ll_enum_filter_mode,
    &ll_enum_address_mode, NULL,
};

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
