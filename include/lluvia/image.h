/* image.h: Images (optimal-tiling Vulkan images placed in a Memory), ImageViews (a
 * VkImageView and, when sampled, a VkSampler) and their transfers. An image retains its
 * Memory, a view retains its image. Layout is tracked per image: every operation leaves
 * the image in a known layout. Not for: host arrays, formats (format.h) or placement
 * (memory.h). */
#ifndef LL_IMAGE_H
#define LL_IMAGE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <volk.h>

#include "lluvia/dtype.h"
#include "lluvia/error.h"
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

typedef struct ll_image {
    atomic_int refs;
    ll_memory *memory;          /* retained */
    ll_session *session;        /* the memory's; kept alive by it */
    VkImage handle;
    ll_allocation allocation;   /* where it lives; allocation.size = img.size */
    ll_image_shape shape;
    ll_dtype channel_type;
    VkFormat format;
    VkImageType type;
    VkImageTiling tiling;       /* always optimal */
    VkImageUsageFlags usage;
    VkImageLayout layout;       /* changed only under the session's command lock */
    uint64_t row_bytes;         /* width * texel size */
    uint64_t minimum_size;      /* tightly packed bytes: row_bytes * height * depth */
} ll_image;

/* Creates an optimal-tiling image in `memory` (placed by its buddy allocator) and changes
 * it to layout General, as lluvia does; its content is undefined. Asks the device first:
 * a format, usage and extent it cannot hold is LL_E_UNSUPPORTED naming the VkFormat and
 * the usage. LL_E_ARGUMENT for a channel count outside 1..4, a type outside the table or
 * no usage. Retains memory. NULL and err on failure, with nothing left behind. */
ll_image *ll_image_create(ll_memory *memory, const ll_image_shape *shape, ll_dtype type,
                          VkImageUsageFlags usage, ll_error *err);
void ll_image_retain(ll_image *image);
void ll_image_release(ll_image *image);

/* Copies `size` bytes (which must equal minimum_size: texels row-major, depth then height
 * then width then channel) from src into the image, through the session's staging
 * buffer. Needs TransferDst usage (LL_E_ARGUMENT otherwise). The layout is unchanged. */
bool ll_image_upload(ll_image *image, const void *src, uint64_t size, ll_error *err);

/* Copies the image's texels into dst (`size` = minimum_size bytes), through staging.
 * Needs TransferSrc usage. The layout is unchanged. */
bool ll_image_download(ll_image *image, void *dst, uint64_t size, ll_error *err);

/* Sets every texel to zero. Needs TransferDst usage. The layout is unchanged. */
bool ll_image_clear(ll_image *image, ll_error *err);

/* Copies src's texels into dst: same shape, format and session (LL_E_ARGUMENT otherwise),
 * src with TransferSrc and dst with TransferDst usage. Copying an image onto itself does
 * nothing. Both layouts are unchanged. */
bool ll_image_copy(ll_image *src, ll_image *dst, ll_error *err);

/* Changes the layout, with a barrier that orders it after every earlier command and
 * before every later one. LL_E_ARGUMENT for Undefined or Preinitialized (Vulkan cannot
 * change to them), for a layout the image's usage does not allow (TransferSrcOptimal
 * needs TransferSrc, TransferDstOptimal TransferDst, ShaderReadOnlyOptimal Sampled) and
 * for layouts other than General, the two transfer layouts and ShaderReadOnlyOptimal. */
bool ll_image_change_layout(ll_image *image, VkImageLayout layout, ll_error *err);

/* Checks the image's invariants; false with a description in err. For tests. */
bool ll_image_validate(const ll_image *image, ll_error *err);

/* ---- views --------------------------------------------------------------------------- */

typedef struct ll_image_view_desc {
    VkFilter filter;                 /* VK_FILTER_NEAREST or VK_FILTER_LINEAR */
    VkSamplerAddressMode address_mode; /* for U, V and W */
    bool normalized_coordinates;
    bool sampled;                    /* create a VkSampler too */
} ll_image_view_desc;

typedef struct ll_image_view {
    atomic_int refs;
    ll_image *image;                 /* retained */
    VkImageView handle;
    VkSampler sampler;               /* VK_NULL_HANDLE unless desc.sampled */
    ll_image_view_desc desc;
} ll_image_view;

/* What a refused view description is wrong about. */
typedef enum ll_image_view_field {
    LL_VIEW_IMAGE,          /* the image: its usage */
    LL_VIEW_FILTER,
    LL_VIEW_ADDRESS_MODE,
    LL_VIEW_NORMALIZED,     /* normalized_coordinates */
    LL_VIEW_SAMPLED
} ll_image_view_field;

/* Whether a view described by desc can be made of an image of this format, type and usage
 * (so callers can ask before making the image). LL_E_ARGUMENT when: the usage has nothing
 * a view can serve (Sampled, Storage, an attachment); sampled without Sampled usage;
 * unnormalized coordinates with an address mode other than ClampToEdge or ClampToBorder
 * (Vulkan forbids them) or with a 3D image; an unknown filter or address mode.
 * LL_E_UNSUPPORTED when the format cannot be filtered linearly, or MirrorClampToEdge is
 * asked of a device that does not enable it. Filter, address and coordinate modes are
 * checked only for sampled views: without a sampler they are only recorded. On failure
 * *field (when not NULL) says which part of the request is at fault. */
bool ll_image_view_check(const ll_session *session, VkFormat format, VkImageType type,
                         VkImageUsageFlags usage, const ll_image_view_desc *desc,
                         ll_image_view_field *field, ll_error *err);

/* Creates a view of the whole image (1D, 2D or 3D as the image) and, when desc->sampled,
 * its sampler, after ll_image_view_check. Retains the image. */
ll_image_view *ll_image_view_create(ll_image *image, const ll_image_view_desc *desc,
                                    ll_error *err);
void ll_image_view_retain(ll_image_view *view);
void ll_image_view_release(ll_image_view *view);

/* Checks the view's invariants; false with a description in err. For tests. */
bool ll_image_view_validate(const ll_image_view *view, ll_error *err);

#endif
