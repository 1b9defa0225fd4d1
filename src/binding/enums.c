/* enums.c: the enumerations of API.md as name <-> Vulkan value tables, and the checks
 * that turn names (or lists of names) from Lua into values. */
#include <string.h>
#include <strings.h>

#include <volk.h>

#include "binding.h"

static const ll_lua_enum_entry buffer_usage[] = {
    {"IndexBuffer", VK_BUFFER_USAGE_INDEX_BUFFER_BIT},
    {"IndirectBuffer", VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT},
    {"StorageBuffer", VK_BUFFER_USAGE_STORAGE_BUFFER_BIT},
    {"StorageTexelBuffer", VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT},
    {"TransferDst", VK_BUFFER_USAGE_TRANSFER_DST_BIT},
    {"TransferSrc", VK_BUFFER_USAGE_TRANSFER_SRC_BIT},
    {"UniformBuffer", VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT},
    {"UniformTexelBuffer", VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT},
    {"VertexBuffer", VK_BUFFER_USAGE_VERTEX_BUFFER_BIT},
    {NULL, 0},
};

static const ll_lua_enum_entry image_usage[] = {
    {"TransferSrc", VK_IMAGE_USAGE_TRANSFER_SRC_BIT},
    {"TransferDst", VK_IMAGE_USAGE_TRANSFER_DST_BIT},
    {"Sampled", VK_IMAGE_USAGE_SAMPLED_BIT},
    {"Storage", VK_IMAGE_USAGE_STORAGE_BIT},
    {"ColorAttachment", VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT},
    {"DepthStencilAttachment", VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT},
    {"TransientAttachment", VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT},
    {"InputAttachment", VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT},
    {NULL, 0},
};

static const ll_lua_enum_entry memory_property[] = {
    {"DeviceLocal", VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT},
    {"HostVisible", VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT},
    {"HostCoherent", VK_MEMORY_PROPERTY_HOST_COHERENT_BIT},
    {"HostCached", VK_MEMORY_PROPERTY_HOST_CACHED_BIT},
    {"LazilyAllocated", VK_MEMORY_PROPERTY_LAZILY_ALLOCATED_BIT},
    {NULL, 0},
};

/* Values are ll_dtype numbers (dtype.h), which follow this order. */
static const ll_lua_enum_entry channel_type[] = {
    {"Uint8", 0}, {"Int8", 1}, {"Uint16", 2}, {"Int16", 3}, {"Float16", 4}, {"Uint32", 5},
    {"Int32", 6}, {"Float32", 7}, {"Uint64", 8}, {"Int64", 9}, {"Float64", 10}, {NULL, 0},
};

static const ll_lua_enum_entry image_layout[] = {
    {"Undefined", VK_IMAGE_LAYOUT_UNDEFINED},
    {"General", VK_IMAGE_LAYOUT_GENERAL},
    {"TransferSrcOptimal", VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL},
    {"TransferDstOptimal", VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL},
    {"ShaderReadOnlyOptimal", VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL},
    {"Preinitialized", VK_IMAGE_LAYOUT_PREINITIALIZED},
    {NULL, 0},
};

static const ll_lua_enum_entry filter_mode[] = {
    {"Nearest", VK_FILTER_NEAREST},
    {"Linear", VK_FILTER_LINEAR},
    {NULL, 0},
};

static const ll_lua_enum_entry address_mode[] = {
    {"Repeat", VK_SAMPLER_ADDRESS_MODE_REPEAT},
    {"MirroredRepeat", VK_SAMPLER_ADDRESS_MODE_MIRRORED_REPEAT},
    {"ClampToEdge", VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE},
    {"ClampToBorder", VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER},
    {"MirrorClampToEdge", VK_SAMPLER_ADDRESS_MODE_MIRROR_CLAMP_TO_EDGE},
    {NULL, 0},
};

const ll_lua_enum ll_enum_buffer_usage = {"BufferUsageFlagBits", buffer_usage, 0};
const ll_lua_enum ll_enum_image_usage = {"ImageUsageFlagBits", image_usage, 0};
const ll_lua_enum ll_enum_memory_property = {"MemoryPropertyFlagBits", memory_property, 0};
const ll_lua_enum ll_enum_channel_type = {"ChannelType", channel_type, 1};
const ll_lua_enum ll_enum_image_layout = {"ImageLayout", image_layout, 0};
const ll_lua_enum ll_enum_filter_mode = {"ImageFilterMode", filter_mode, 0};
const ll_lua_enum ll_enum_address_mode = {"ImageAddressMode", address_mode, 0};

const ll_lua_enum *const ll_enums[] = {
    &ll_enum_buffer_usage, &ll_enum_image_usage, &ll_enum_memory_property,
    &ll_enum_channel_type, &ll_enum_image_layout, &ll_enum_filter_mode,
    &ll_enum_address_mode, NULL,
};

static const ll_lua_enum_entry *find(const ll_lua_enum *e, const char *name)
{
    for (const ll_lua_enum_entry *it = e->entries; it->name != NULL; it++)
        if (e->case_insensitive ? strcasecmp(it->name, name) == 0 : strcmp(it->name, name) == 0)
            return it;
    return NULL;
}

const char *ll_lua_enum_name(const ll_lua_enum *e, uint32_t value)
{
    for (const ll_lua_enum_entry *it = e->entries; it->name != NULL; it++)
        if (it->value == value)
            return it->name;
    return NULL;
}

static int unknown_name(lua_State *L, int arg, const ll_lua_enum *e, int idx)
{
    luaL_Buffer b;
    const char *what = ll_lua_describe(L, idx);
    luaL_buffinit(L, &b);
    for (const ll_lua_enum_entry *it = e->entries; it->name != NULL; it++) {
        if (it != e->entries)
            luaL_addstring(&b, ", ");
        luaL_addstring(&b, it->name);
    }
    luaL_pushresult(&b);
    return ll_lua_argerror(L, arg, "unknown %s %s (expected one of: %s)", e->table, what,
                           lua_tostring(L, -1));
}

uint32_t ll_lua_check_enum(lua_State *L, int arg, const ll_lua_enum *e, int none_ok,
                           uint32_t def)
{
    if (none_ok && lua_isnoneornil(L, arg))
        return def;
    if (lua_type(L, arg) != LUA_TSTRING)
        return (uint32_t)ll_lua_argerror(L, arg, "%s name expected, got %s", e->table,
                                         ll_lua_describe(L, arg));
    const ll_lua_enum_entry *it = find(e, lua_tostring(L, arg));
    if (it == NULL)
        return (uint32_t)unknown_name(L, arg, e, arg);
    return it->value;
}

uint32_t ll_lua_check_flags(lua_State *L, int arg, const ll_lua_enum *e, uint32_t def)
{
    int t = lua_type(L, arg);
    if (t == LUA_TNONE || t == LUA_TNIL)
        return def;
    if (t == LUA_TSTRING)
        return ll_lua_check_enum(L, arg, e, 0, 0);
    if (t != LUA_TTABLE)
        return (uint32_t)ll_lua_argerror(L, arg, "%s name or list of names expected, got %s",
                                         e->table, ll_lua_describe(L, arg));
    uint32_t flags = 0;
    lua_Integer n = ll_lua_check_list(L, arg, arg, e->table);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, arg, i);
        if (lua_type(L, -1) != LUA_TSTRING)
            return (uint32_t)ll_lua_argerror(L, arg, "%s names expected, got %s at [%d]",
                                             e->table, ll_lua_describe(L, -1), (int)i);
        const ll_lua_enum_entry *it = find(e, lua_tostring(L, -1));
        if (it == NULL)
            return (uint32_t)unknown_name(L, arg, e, -1);
        flags |= it->value;
        lua_pop(L, 1);
    }
    return flags;
}

void ll_lua_push_flags(lua_State *L, const ll_lua_enum *e, uint32_t flags)
{
    lua_newtable(L);
    int n = 0;
    for (const ll_lua_enum_entry *it = e->entries; it->name != NULL; it++)
        if (it->value != 0 && (flags & it->value) == it->value) {
            lua_pushstring(L, it->name);
            lua_rawseti(L, -2, ++n);
        }
}
