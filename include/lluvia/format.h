/* format.h: lluvia's image formats: the ChannelType x channel count -> VkFormat table, texel
 * sizes and names, and asking the device whether it can hold an image of a format, tiling
 * and usage. Not for: creating images (image.h). */
#ifndef LL_FORMAT_H
#define LL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <volk.h>

#include "lluvia/dtype.h"
#include "lluvia/error.h"
#include "lluvia/session.h"

#define LL_MAX_CHANNELS 4

/* The format of an image whose texels hold `channels` (1 to 4) values of `type`: the UINT,
 * SINT and SFLOAT formats (R8_UINT ... R64G64B64A64_SFLOAT, Float16 -> R16..._SFLOAT).
 * VK_FORMAT_UNDEFINED for a channel count or type outside the table. */
VkFormat ll_format_of(ll_dtype type, uint32_t channels);

/* The channel type and count of a format of the table; false for any other format. */
bool ll_format_split(VkFormat format, ll_dtype *type, uint32_t *channels);

/* Bytes per texel of a format of the table (channels * element size); 0 for others. */
uint32_t ll_format_texel_size(VkFormat format);

/* "VK_FORMAT_R8G8B8A8_UINT" for the formats of the table, "VK_FORMAT_UNDEFINED" for
 * VK_FORMAT_UNDEFINED, "VkFormat(<number>)" (a static buffer) for any other. */
const char *ll_format_name(VkFormat format);

/* Writes the names of the usage bits, in VkImageUsageFlagBits order and as the Lua API
 * spells them, to buf: "{Storage, Sampled}" ("{}" for none). Returns buf. */
const char *ll_image_usage_text(VkImageUsageFlags usage, char *buf, size_t size);

/* Vulkan's rules for an image's usage flags that vkGetPhysicalDeviceImageFormatProperties
 * does not check (VUID-VkImageCreateInfo-usage-*): LL_E_ARGUMENT for no usage, bits other
 * than the eight lluvia names, TransientAttachment with a usage other than ColorAttachment,
 * DepthStencilAttachment and InputAttachment (-00963) or with none of them (-00966).
 * With a session and an extent, also LL_E_UNSUPPORTED for an attachment usage on an image
 * wider or taller than the device's framebuffers (-00964, -00965); pass NULL for both to
 * check only the rules that hold on every device. ll_format_check_image applies it. */
bool ll_image_check_usage(const ll_session *session, VkImageUsageFlags usage,
                          const VkExtent3D *extent, ll_error *err);

/* The format features the device offers for `format` with `tiling`. */
VkFormatFeatureFlags ll_format_features(const ll_session *session, VkFormat format,
                                        VkImageTiling tiling);

/* Whether the device can create an image of this format, type, tiling, usage and extent:
 * first ll_image_check_usage, then the device's answer. On failure LL_E_UNSUPPORTED with a message naming the format, the tiling and the usage
 * bits it cannot offer (suggesting 4 channels for a 3-channel format), or the largest
 * extent it can (an extent beyond the device's limits). Touches nothing. */
bool ll_format_check_image(const ll_session *session, VkFormat format, VkImageType type,
                           VkImageTiling tiling, VkImageUsageFlags usage,
                           const VkExtent3D *extent, ll_error *err);

#endif
