/* image.h: Images (optimal-tiling Vulkan images placed in a Memory) and their transfers,
 * clears, copies and layout changes. An image retains its Memory. Layout is tracked per
 * image: every operation leaves the image in a known layout. Not for: views and samplers
 * (image_view.h), host arrays, formats (format.h) or placement (memory.h). */
#ifndef LL_IMAGE_H
#define LL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <volk.h>

#include "lluvia/dtype.h"
#include "lluvia/error.h"
#include "lluvia/host_memory.h"
#include "lluvia/memory.h"

/* ---- shapes ------------------------------------------------------------------------- */

typedef struct ll_image_shape {
    uint32_t depth, height, width, channels;
} ll_image_shape;

/* lluvia's shape rules: {w} -> 1, 1, w, 1; {h, w} -> 1, h, w, 1; {h, w, c} -> 1, h, w, c;
 * {d, h, w, c} -> d, h, w, c. LL_E_ARGUMENT for another count of dimensions, a dimension
 * that is not positive or exceeds 2^32 - 1, or channels outside 1..4. */
bool ll_image_shape_from_dims(const int64_t *dims, size_t ndim, ll_image_shape *out,
                              ll_error *err);

/* The shape of the host array an image reads back to, as lluvia's toHost: {w} when height,
 * depth and channels are 1; {h, w} when depth and channels are 1 (height > 1); {h, w, c}
 * when depth is 1 (height and channels > 1); else {d, h, w, c}. Returns the count. */
size_t ll_image_host_dims(const ll_image_shape *shape, uint64_t dims[4]);

/* 1D when height and depth are 1, 2D when depth is 1, else 3D. */
VkImageType ll_image_type_of(const ll_image_shape *shape);

/* ---- images -------------------------------------------------------------------------- */

/* Opaque: other files use the accessors below. */
typedef struct ll_image ll_image;

/* Creates an optimal-tiling image in `memory` (placed by its buddy allocator) and changes
 * it to layout General, as lluvia does; its content is undefined. Asks the device first:
 * a format, usage and extent it cannot hold is LL_E_UNSUPPORTED naming the VkFormat and
 * the usage. LL_E_ARGUMENT for a channel count outside 1..4, a type outside the table or
 * a usage Vulkan forbids (ll_image_check_usage). Retains memory. NULL and err on failure, with nothing left behind. */
ll_image *ll_image_create(ll_memory *memory, const ll_image_shape *shape, ll_dtype type,
                          VkImageUsageFlags usage, ll_error *err);
void ll_image_retain(ll_image *image);
void ll_image_release(ll_image *image);

/* Releases an image just made whose making the caller could not finish (its upload, or
 * the view made with it, failed): as ll_image_release, but the room goes back as
 * ll_memory_undo gives it, so that a page the image made is freed too and the Memory is
 * as it was before ll_image_create. */
void ll_image_discard(ll_image *image);

/* What the image is; each is fixed at creation, except the layout (changed only by the
 * session's commands, under its command lock). */
ll_session *ll_image_session(const ll_image *image);
ll_memory *ll_image_memory(const ll_image *image);
VkImage ll_image_handle(const ll_image *image);
const ll_image_shape *ll_image_get_shape(const ll_image *image);
ll_dtype ll_image_channel_type(const ll_image *image);
VkFormat ll_image_format(const ll_image *image);
VkImageType ll_image_type(const ll_image *image);
VkImageUsageFlags ll_image_usage(const ll_image *image);
VkImageLayout ll_image_layout(const ll_image *image);
/* Where it lives; allocation->size is what the device asked for (img.size). */
const ll_allocation *ll_image_allocation(const ll_image *image);
/* Tightly packed bytes of its texels: width * texel size * height * depth. */
uint64_t ll_image_minimum_size(const ll_image *image);

/* Copies `size` bytes (which must equal minimum_size: texels row-major, depth then height
 * then width then channel) from src into the image, through the session's staging
 * buffer. Needs TransferDst usage (LL_E_ARGUMENT otherwise). The layout is unchanged. */
bool ll_image_upload(ll_image *image, const void *src, uint64_t size, ll_error *err);

/* Copies the image's texels into dst (`size` = minimum_size bytes), through staging.
 * Needs TransferSrc usage. The layout is unchanged. */
bool ll_image_download(ll_image *image, void *dst, uint64_t size, ll_error *err);

/* As ll_image_upload and ll_image_download, between the first `size` bytes of an array's
 * storage and the image: where the session's transfer path says so (ll_buffer_write_from,
 * buffer.h) through the storage imported once, one vkCmdCopyBufferToImage (or back) with no
 * staging and no memcpy; otherwise as the two above. LL_E_STATE when the storage ended. */
bool ll_image_upload_from(ll_image *image, ll_host_memory *src, uint64_t size, ll_error *err);
bool ll_image_download_into(ll_image *image, ll_host_memory *dst, uint64_t size,
                            ll_error *err);

/* Sets every texel to zero. Needs TransferDst usage. The layout is unchanged. */
bool ll_image_clear(ll_image *image, ll_error *err);

/* Copies src's texels into dst: same shape, format and session (LL_E_ARGUMENT otherwise;
 * the session rule is ll_session_check_same's),
 * src with TransferSrc and dst with TransferDst usage. Copying an image onto itself does
 * nothing. Both layouts are unchanged. Argument errors blame (ll_error.operand) src (1)
 * for its usage, dst (2) for everything else. */
bool ll_image_copy(ll_image *src, ll_image *dst, ll_error *err);

/* Changes the layout, with a barrier that orders it after every earlier command and
 * before every later one. LL_E_ARGUMENT for Undefined or Preinitialized (Vulkan cannot
 * change to them), for a layout the image's usage does not allow (TransferSrcOptimal
 * needs TransferSrc, TransferDstOptimal TransferDst, ShaderReadOnlyOptimal Sampled) and
 * for layouts other than General, the two transfer layouts and ShaderReadOnlyOptimal. */
bool ll_image_change_layout(ll_image *image, VkImageLayout layout, ll_error *err);

/* Checks the image's invariants; false with a description in err. For tests. */
bool ll_image_validate(const ll_image *image, ll_error *err);

#endif
