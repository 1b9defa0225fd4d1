/* format.c: the format table of lluvia's images and the device-support queries. The table
 * is indexed by ll_dtype (ChannelType order) and channel count; nothing else maps formats. */
#include "lluvia/format.h"

#include <stdio.h>

#include "context.h"
#include "lluvia/enums.h"
#include "vk_util.h"

typedef struct format_entry {
    VkFormat format;
    const char *name;
} format_entry;

#define F(f) {f, #f}
/* Rows in ll_dtype order, columns 1 to 4 channels. */
static const format_entry table[LL_DTYPE_COUNT][LL_MAX_CHANNELS] = {
    [LL_UINT8] = {F(VK_FORMAT_R8_UINT), F(VK_FORMAT_R8G8_UINT), F(VK_FORMAT_R8G8B8_UINT),
                  F(VK_FORMAT_R8G8B8A8_UINT)},
    [LL_INT8] = {F(VK_FORMAT_R8_SINT), F(VK_FORMAT_R8G8_SINT), F(VK_FORMAT_R8G8B8_SINT),
                 F(VK_FORMAT_R8G8B8A8_SINT)},
    [LL_UINT16] = {F(VK_FORMAT_R16_UINT), F(VK_FORMAT_R16G16_UINT),
                   F(VK_FORMAT_R16G16B16_UINT), F(VK_FORMAT_R16G16B16A16_UINT)},
    [LL_INT16] = {F(VK_FORMAT_R16_SINT), F(VK_FORMAT_R16G16_SINT),
                  F(VK_FORMAT_R16G16B16_SINT), F(VK_FORMAT_R16G16B16A16_SINT)},
    [LL_FLOAT16] = {F(VK_FORMAT_R16_SFLOAT), F(VK_FORMAT_R16G16_SFLOAT),
                    F(VK_FORMAT_R16G16B16_SFLOAT), F(VK_FORMAT_R16G16B16A16_SFLOAT)},
    [LL_UINT32] = {F(VK_FORMAT_R32_UINT), F(VK_FORMAT_R32G32_UINT),
                   F(VK_FORMAT_R32G32B32_UINT), F(VK_FORMAT_R32G32B32A32_UINT)},
    [LL_INT32] = {F(VK_FORMAT_R32_SINT), F(VK_FORMAT_R32G32_SINT),
                  F(VK_FORMAT_R32G32B32_SINT), F(VK_FORMAT_R32G32B32A32_SINT)},
    [LL_FLOAT32] = {F(VK_FORMAT_R32_SFLOAT), F(VK_FORMAT_R32G32_SFLOAT),
                    F(VK_FORMAT_R32G32B32_SFLOAT), F(VK_FORMAT_R32G32B32A32_SFLOAT)},
    [LL_UINT64] = {F(VK_FORMAT_R64_UINT), F(VK_FORMAT_R64G64_UINT),
                   F(VK_FORMAT_R64G64B64_UINT), F(VK_FORMAT_R64G64B64A64_UINT)},
    [LL_INT64] = {F(VK_FORMAT_R64_SINT), F(VK_FORMAT_R64G64_SINT),
                  F(VK_FORMAT_R64G64B64_SINT), F(VK_FORMAT_R64G64B64A64_SINT)},
    [LL_FLOAT64] = {F(VK_FORMAT_R64_SFLOAT), F(VK_FORMAT_R64G64_SFLOAT),
                    F(VK_FORMAT_R64G64B64_SFLOAT), F(VK_FORMAT_R64G64B64A64_SFLOAT)},
};
#undef F

VkFormat ll_format_of(ll_dtype type, uint32_t channels)
{
    if ((unsigned)type >= LL_DTYPE_COUNT || channels < 1 || channels > LL_MAX_CHANNELS)
        return VK_FORMAT_UNDEFINED;
    return table[type][channels - 1].format;
}

static const format_entry *find(VkFormat format, ll_dtype *type, uint32_t *channels)
{
    for (int t = 0; t < LL_DTYPE_COUNT; t++)
        for (uint32_t c = 0; c < LL_MAX_CHANNELS; c++)
            if (table[t][c].format == format) {
                if (type != NULL)
                    *type = (ll_dtype)t;
                if (channels != NULL)
                    *channels = c + 1;
                return &table[t][c];
            }
    return NULL;
}

bool ll_format_split(VkFormat format, ll_dtype *type, uint32_t *channels)
{
    return format != VK_FORMAT_UNDEFINED && find(format, type, channels) != NULL;
}

uint32_t ll_format_texel_size(VkFormat format)
{
    ll_dtype type;
    uint32_t channels;
    if (!ll_format_split(format, &type, &channels))
        return 0;
    return channels * (uint32_t)ll_dtype_size(type);
}

const char *ll_format_name(VkFormat format)
{
    if (format == VK_FORMAT_UNDEFINED)
        return "VK_FORMAT_UNDEFINED";
    const format_entry *e = find(format, NULL, NULL);
    if (e != NULL)
        return e->name;
    static _Thread_local char other[32];
    snprintf(other, sizeof other, "VkFormat(%d)", (int)format);
    return other;
}

const char *ll_image_usage_text(VkImageUsageFlags usage, char *buf, size_t size)
{
    return ll_enum_flags_text(&ll_enum_image_usage, usage, buf, size);
}

#define KNOWN_USAGES ll_enum_bits(&ll_enum_image_usage)
/* What TransientAttachment may come with, and needs one of (-00963, -00966). */
#define TRANSIENT_PARTNERS (VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | \
                            VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT | \
                            VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT)
/* Usages that bound the extent by the framebuffer limits (-00964, -00965). */
#define ATTACHMENT_USAGES (TRANSIENT_PARTNERS | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT)

bool ll_image_check_usage(const ll_session *session, VkImageUsageFlags usage,
                          const VkExtent3D *extent, ll_error *err)
{
    char text[160], other[160];
    if (usage == 0)
        return ll_fail(err, LL_E_ARGUMENT, "usageFlags must name at least one usage");
    ll_image_usage_text(usage, text, sizeof text);
    if (usage & ~KNOWN_USAGES)
        return ll_fail(err, LL_E_ARGUMENT, "usageFlags %s has bits that are not image usages",
                       text);
    if (usage & VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT) {
        VkImageUsageFlags extra = usage & ~ATTACHMENT_USAGES;
        if (extra != 0)
            return ll_fail(err, LL_E_ARGUMENT, "usageFlags %s: TransientAttachment cannot be "
                           "combined with %s, only with ColorAttachment, "
                           "DepthStencilAttachment and InputAttachment "
                           "(VUID-VkImageCreateInfo-usage-00963)",
                           text, ll_image_usage_text(extra, other, sizeof other));
        if (!(usage & TRANSIENT_PARTNERS))
            return ll_fail(err, LL_E_ARGUMENT, "usageFlags %s: TransientAttachment needs "
                           "ColorAttachment, DepthStencilAttachment or InputAttachment too "
                           "(VUID-VkImageCreateInfo-usage-00966)", text);
    }
    if (session == NULL || extent == NULL || !(usage & ATTACHMENT_USAGES))
        return true;
    const VkPhysicalDeviceLimits *limits = &ll_session_properties(session)->limits;
    if (extent->width > limits->maxFramebufferWidth ||
        extent->height > limits->maxFramebufferHeight)
        return ll_fail(err, LL_E_UNSUPPORTED, "an image with usage %s is at most %ux%u (width "
                       "x height: the device's largest framebuffer), got %ux%u "
                       "(VUID-VkImageCreateInfo-usage-00964)", text,
                       limits->maxFramebufferWidth, limits->maxFramebufferHeight,
                       extent->width, extent->height);
    return true;
}

VkFormatFeatureFlags ll_format_features(const ll_session *session, VkFormat format,
                                        VkImageTiling tiling)
{
    VkFormatProperties props;
    vkGetPhysicalDeviceFormatProperties(ll_device_physical(ll_session_device(session)), format, &props);
    return tiling == VK_IMAGE_TILING_LINEAR ? props.linearTilingFeatures
                                            : props.optimalTilingFeatures;
}

static const char *tiling_name(VkImageTiling tiling)
{
    return tiling == VK_IMAGE_TILING_LINEAR ? "linear" : "optimal";
}

static const char *type_name(VkImageType type)
{
    switch (type) {
    case VK_IMAGE_TYPE_1D: return "1D";
    case VK_IMAGE_TYPE_2D: return "2D";
    default: return "3D";
    }
}

static VkResult query(const ll_session *session, VkFormat format, VkImageType type,
                      VkImageTiling tiling, VkImageUsageFlags usage,
                      VkImageFormatProperties *props)
{
    return vkGetPhysicalDeviceImageFormatProperties(ll_device_physical(ll_session_device(session)), format, type,
                                                    tiling, usage, 0, props);
}

/* The message for a format, type, tiling and usage the device refuses: the usage bits it
 * refuses one by one where some are, else the whole combination. */
static bool unsupported(const ll_session *session, VkFormat format, VkImageType type,
                        VkImageTiling tiling, VkImageUsageFlags usage, ll_error *err)
{
    VkImageUsageFlags refused = 0;
    for (unsigned i = 0; i < 32; i++) {
        VkImageUsageFlags bit = 1u << i;
        VkImageFormatProperties props;
        if ((usage & bit) && query(session, format, type, tiling, bit, &props) != VK_SUCCESS)
            refused |= bit;
    }
    char asked[160], bad[160];
    ll_image_usage_text(usage, asked, sizeof asked);
    ll_image_usage_text(refused != 0 ? refused : usage, bad, sizeof bad);
    ll_dtype ctype;
    uint32_t channels = 0;
    ll_format_split(format, &ctype, &channels);
    const char *hint = "";
    if (channels == 3)
        hint = "; 3-channel formats are seldom supported, use 4 channels";
    return ll_fail(err, LL_E_UNSUPPORTED,
                   "%s is not supported for a %s image with %s tiling and usage %s (the "
                   "device refuses %s): VK_ERROR_FORMAT_NOT_SUPPORTED%s",
                   ll_format_name(format), type_name(type), tiling_name(tiling), asked, bad,
                   hint);
}

/* *acc *= v; false (leaving *acc) when the product does not fit 64 bits. */
static bool mul_fits(uint64_t *acc, uint64_t v)
{
    if (v != 0 && *acc > UINT64_MAX / v)
        return false;
    *acc *= v;
    return true;
}

bool ll_format_check_image(const ll_session *session, VkFormat format, VkImageType type,
                           VkImageTiling tiling, VkImageUsageFlags usage,
                           const VkExtent3D *extent, ll_error *err)
{
    if (format == VK_FORMAT_UNDEFINED)
        return ll_fail(err, LL_E_ARGUMENT, "no image format for this channel type and count");
    if (!ll_image_check_usage(session, usage, extent, err))
        return false;
    VkImageFormatProperties props;
    VkResult r = LL_VK(query(session, format, type, tiling, usage, &props));
    if (r == VK_ERROR_FORMAT_NOT_SUPPORTED)
        return unsupported(session, format, type, tiling, usage, err);
    if (r != VK_SUCCESS)
        return ll_fail_vk(err, r, "vkGetPhysicalDeviceImageFormatProperties");
    if (extent->width > props.maxExtent.width || extent->height > props.maxExtent.height ||
        extent->depth > props.maxExtent.depth)
        return ll_fail(err, LL_E_UNSUPPORTED,
                       "a %s image of %ux%ux%u (width x height x depth) texels of %s is "
                       "larger than the device allows (%ux%ux%u)",
                       type_name(type), extent->width, extent->height, extent->depth,
                       ll_format_name(format), props.maxExtent.width, props.maxExtent.height,
                       props.maxExtent.depth);
    /* Each factor is below 2^32 but their product need not fit 64 bits. */
    uint64_t bytes = extent->width;
    bool fits = mul_fits(&bytes, extent->height) && mul_fits(&bytes, extent->depth) &&
                mul_fits(&bytes, ll_format_texel_size(format));
    if (!fits || bytes > props.maxResourceSize) {
        char need[48] = "more than 2^64";
        if (fits)
            snprintf(need, sizeof need, "at least %llu", (unsigned long long)bytes);
        return ll_fail(err, LL_E_UNSUPPORTED,
                       "a %s image of %ux%ux%u texels of %s needs %s bytes, more than the "
                       "device's largest image (%llu bytes)",
                       type_name(type), extent->width, extent->height, extent->depth,
                       ll_format_name(format), need, (unsigned long long)props.maxResourceSize);
    }
    return true;
}
