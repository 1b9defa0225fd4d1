/* image.c: creating images, and the commands that move texels and layouts: uploads and
 * downloads through staging.h, clears, copies, layout changes. Every command is bracketed
 * by barriers that order it after all earlier device work and before all later work, so
 * sessions need no other tracking. Not for: views and samplers (image_view.c), formats
 * (format.c). */
#include "lluvia/image.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "commands.h"
#include "image_commands.h"
#include "lluvia/format.h"
#include "host_import.h"
#include "staging.h"
#include "vk_util.h"

struct ll_image {
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
    VkImageLayout layout;       /* tracked by commands.h, under the command lock */
    uint64_t row_bytes;         /* width * texel size */
    uint64_t minimum_size;      /* tightly packed bytes: row_bytes * height * depth */
};

/* ---- shapes ------------------------------------------------------------------------- */

bool ll_image_shape_from_dims(const int64_t *dims, size_t ndim, ll_image_shape *out,
                              ll_error *err)
{
    if (ndim < 1 || ndim > 4)
        return ll_fail(err, LL_E_ARGUMENT, "shape must have 1 to 4 entries, got %zu", ndim);
    for (size_t i = 0; i < ndim; i++)
        if (dims[i] <= 0 || dims[i] > (int64_t)UINT32_MAX)
            return ll_fail(err, LL_E_ARGUMENT,
                           "shape entries must be positive integers below 2^32, got %lld "
                           "at [%zu]", (long long)dims[i], i + 1);
    ll_image_shape s = {1, 1, 1, 1};
    switch (ndim) {
    case 1: s.width = (uint32_t)dims[0]; break;
    case 2: s.height = (uint32_t)dims[0]; s.width = (uint32_t)dims[1]; break;
    case 3:
        s.height = (uint32_t)dims[0];
        s.width = (uint32_t)dims[1];
        s.channels = (uint32_t)dims[2];
        break;
    default:
        s.depth = (uint32_t)dims[0];
        s.height = (uint32_t)dims[1];
        s.width = (uint32_t)dims[2];
        s.channels = (uint32_t)dims[3];
        break;
    }
    if (s.channels > LL_MAX_CHANNELS)
        return ll_fail(err, LL_E_ARGUMENT, "channels must be 1 to 4, got %u", s.channels);
    *out = s;
    return true;
}

size_t ll_image_host_dims(const ll_image_shape *s, uint64_t dims[4])
{
    if (s->depth == 1 && s->channels == 1 && s->height == 1) {
        dims[0] = s->width;
        return 1;
    }
    if (s->depth == 1 && s->channels == 1) {
        dims[0] = s->height;
        dims[1] = s->width;
        return 2;
    }
    if (s->depth == 1 && s->height != 1) {
        dims[0] = s->height;
        dims[1] = s->width;
        dims[2] = s->channels;
        return 3;
    }
    dims[0] = s->depth;
    dims[1] = s->height;
    dims[2] = s->width;
    dims[3] = s->channels;
    return 4;
}

VkImageType ll_image_type_of(const ll_image_shape *s)
{
    if (s->depth == 1 && s->height == 1)
        return VK_IMAGE_TYPE_1D;
    return s->depth == 1 ? VK_IMAGE_TYPE_2D : VK_IMAGE_TYPE_3D;
}

/* ---- barriers ------------------------------------------------------------------------ */

static const VkImageSubresourceRange whole_image = {
    .aspectMask = VK_IMAGE_ASPECT_COLOR_BIT,
    .levelCount = 1,
    .layerCount = 1,
};

static const VkImageSubresourceLayers whole_layer = {
    .aspectMask = VK_IMAGE_ASPECT_COLOR_BIT,
    .layerCount = 1,
};

/* Every device access a barrier may need to wait for, or make visible to. */
#define ANY_ACCESS (VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT)

/* Moves the image from its layout to `to` for a transfer command whose accesses are
 * `access`, after every earlier command's writes. Returns the layout it had. */
static VkImageLayout begin_transfer(ll_commands *c, ll_image *image, VkImageLayout to,
                                    VkAccessFlags access)
{
    VkImageLayout back = ll_commands_image_layout(c, &image->layout);
    ll_commands_change_layout(c, image->handle, &image->layout, to,
                              VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                              VK_PIPELINE_STAGE_TRANSFER_BIT, access);
    return back;
}

/* Moves the image back to layout `back`, making the transfer's writes visible to every
 * later command. */
static void end_transfer(ll_commands *c, ll_image *image, VkImageLayout back,
                         VkAccessFlags access)
{
    ll_commands_change_layout(c, image->handle, &image->layout, back,
                              VK_PIPELINE_STAGE_TRANSFER_BIT,
                              access & VK_ACCESS_TRANSFER_WRITE_BIT,
                              VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, ANY_ACCESS);
}

/* A layout change ordered after every earlier command and before every later one. */
static void change_layout(ll_commands *c, ll_image *image, VkImageLayout to)
{
    ll_commands_change_layout(c, image->handle, &image->layout, to,
                              VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                              VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, ANY_ACCESS);
}

/* ---- images -------------------------------------------------------------------------- */

static void record_initial_layout(ll_commands *c, void *user)
{
    /* From Undefined, the layout of a new image: the content is discarded. The memory may
     * have held an object freed a moment ago, so wait for every earlier write to it. */
    change_layout(c, user, VK_IMAGE_LAYOUT_GENERAL);
}

static bool checked_mul(uint64_t a, uint64_t b, uint64_t *out)
{
    if (a != 0 && b > UINT64_MAX / a)
        return false;
    *out = a * b;
    return true;
}

ll_image *ll_image_create(ll_memory *memory, const ll_image_shape *shape, ll_dtype type,
                          VkImageUsageFlags usage, ll_error *err)
{
    if (shape->channels < 1 || shape->channels > LL_MAX_CHANNELS)
        return ll_fail(err, LL_E_ARGUMENT, "channels must be 1 to 4, got %u",
                       shape->channels), NULL;
    if (shape->width == 0 || shape->height == 0 || shape->depth == 0)
        return ll_fail(err, LL_E_ARGUMENT, "image dimensions must be positive, got %ux%ux%u",
                       shape->width, shape->height, shape->depth), NULL;
    if ((unsigned)type >= LL_DTYPE_COUNT)
        return ll_fail(err, LL_E_ARGUMENT, "unknown channel type %d", (int)type), NULL;

    ll_session *session = ll_memory_session(memory);
    VkDevice dev = ll_session_vk(session);
    VkFormat format = ll_format_of(type, shape->channels);
    VkImageType image_type = ll_image_type_of(shape);
    VkExtent3D extent = {shape->width, shape->height, shape->depth};
    if (!ll_format_check_image(session, format, image_type, VK_IMAGE_TILING_OPTIMAL, usage,
                               &extent, err))
        return NULL;
    uint64_t row_bytes, slice_bytes, minimum_size;
    if (!checked_mul(shape->width, ll_format_texel_size(format), &row_bytes) ||
        !checked_mul(row_bytes, shape->height, &slice_bytes) ||
        !checked_mul(slice_bytes, shape->depth, &minimum_size))
        return ll_fail(err, LL_E_ARGUMENT, "image of %ux%ux%u texels is too large",
                       shape->width, shape->height, shape->depth), NULL;

    ll_image *image = ll_calloc(1, sizeof *image);
    if (image == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating an image"), NULL;
    atomic_init(&image->refs, 1);
    image->memory = memory;
    image->session = session;
    image->shape = *shape;
    image->channel_type = type;
    image->format = format;
    image->type = image_type;
    image->tiling = VK_IMAGE_TILING_OPTIMAL;
    image->usage = usage;
    image->layout = VK_IMAGE_LAYOUT_UNDEFINED;
    image->row_bytes = row_bytes;
    image->minimum_size = minimum_size;

    VkImageCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
        .imageType = image_type,
        .format = format,
        .extent = extent,
        .mipLevels = 1,
        .arrayLayers = 1,
        .samples = VK_SAMPLE_COUNT_1_BIT,
        .tiling = VK_IMAGE_TILING_OPTIMAL,
        .usage = usage,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
        .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
    };
    VkResult r = LL_VK(vkCreateImage(dev, &info, NULL, &image->handle));
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkCreateImage");
        goto fail_free;
    }
    VkMemoryRequirements req;
    vkGetImageMemoryRequirements(dev, image->handle, &req);
    if (!ll_memory_allocate(memory, &req, LL_BUDDY_OPTIMAL, &image->allocation, err))
        goto fail_image;
    r = LL_VK(vkBindImageMemory(dev, image->handle, image->allocation.memory,
                                image->allocation.offset));
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkBindImageMemory");
        goto fail_memory;
    }
    if (!ll_commands_run(session, record_initial_layout, image, err))
        goto fail_memory;
    ll_memory_retain(memory);
    return image;

fail_memory:
    ll_memory_undo(memory, &image->allocation);
fail_image:
    vkDestroyImage(dev, image->handle, NULL);
fail_free:
    ll_free(image);
    return NULL;
}

void ll_image_retain(ll_image *image)
{
    atomic_fetch_add(&image->refs, 1);
}

/* Drops one reference; the last one destroys the image and gives its room back, as
 * ll_memory_undo does when `undo` (a page the image made goes too). */
static void drop(ll_image *image, bool undo)
{
    if (image == NULL || atomic_fetch_sub(&image->refs, 1) != 1)
        return;
    /* Every command on it was waited for: nothing of the device uses it now. */
    vkDestroyImage(ll_session_vk(image->session), image->handle, NULL);
    if (undo)
        ll_memory_undo(image->memory, &image->allocation);
    else
        ll_memory_free(image->memory, &image->allocation);
    ll_memory_release(image->memory);
    ll_free(image);
}

void ll_image_release(ll_image *image)
{
    drop(image, false);
}

void ll_image_discard(ll_image *image)
{
    drop(image, true);
}

ll_session *ll_image_session(const ll_image *image) { return image->session; }
ll_memory *ll_image_memory(const ll_image *image) { return image->memory; }
VkImage ll_image_handle(const ll_image *image) { return image->handle; }
const ll_image_shape *ll_image_get_shape(const ll_image *image) { return &image->shape; }
ll_dtype ll_image_channel_type(const ll_image *image) { return image->channel_type; }
VkFormat ll_image_format(const ll_image *image) { return image->format; }
VkImageType ll_image_type(const ll_image *image) { return image->type; }
VkImageUsageFlags ll_image_usage(const ll_image *image) { return image->usage; }
VkImageLayout ll_image_layout(const ll_image *image) { return image->layout; }
const ll_allocation *ll_image_allocation(const ll_image *image) { return &image->allocation; }
uint64_t ll_image_minimum_size(const ll_image *image) { return image->minimum_size; }

static bool need_usage(const ll_image *image, VkImageUsageFlags bit, const char *name,
                       const char *what, ll_error *err)
{
    if (image->usage & bit)
        return true;
    char usage[160];
    return ll_fail(err, LL_E_ARGUMENT, "%s needs an image with %s usage, this one has %s",
                   what, name, ll_image_usage_text(image->usage, usage, sizeof usage));
}

/* ---- uploads and downloads ---------------------------------------------------------- */

typedef struct transfer {
    ll_image *image;
    bool upload;
} transfer;

/* At most five boxes cover a run of texels in row-major order: the rest of a row, the rest
 * of a slice, whole slices, whole rows, the start of a row. */
#define MAX_BOXES 5

/* Splits texels [first, first + count) of the image into boxes (VkBufferImageCopy
 * regions) whose buffer offsets start at base. Returns the number of boxes. */
static uint32_t texel_boxes(const ll_image *image, uint64_t first, uint64_t count,
                            VkDeviceSize base, VkBufferImageCopy out[MAX_BOXES])
{
    const uint64_t w = image->shape.width, h = image->shape.height;
    const uint64_t texel = ll_format_texel_size(image->format);
    uint64_t t = first, end = first + count;
    uint32_t n = 0;
    while (t < end) {
        assert(n < MAX_BOXES);
        uint64_t x = t % w, row = t / w, y = row % h, z = row / h, left = end - t;
        VkExtent3D e;
        if (x != 0 || left < w)
            e = (VkExtent3D){(uint32_t)(left < w - x ? left : w - x), 1, 1};
        else if (y != 0 || left < w * h)
            e = (VkExtent3D){(uint32_t)w,
                             (uint32_t)(left / w < h - y ? left / w : h - y), 1};
        else
            e = (VkExtent3D){(uint32_t)w, (uint32_t)h, (uint32_t)(left / (w * h))};
        out[n++] = (VkBufferImageCopy){
            .bufferOffset = base + (t - first) * texel,
            .imageSubresource = whole_layer,
            .imageOffset = {(int32_t)x, (int32_t)y, (int32_t)z},
            .imageExtent = e,
        };
        t += (uint64_t)e.width * e.height * e.depth;
    }
    return n;
}

static void record_transfer(ll_commands *c, VkBuffer staging, VkDeviceSize staging_offset,
                            uint64_t done, uint64_t bytes, void *user)
{
    const transfer *t = user;
    ll_image *image = t->image;
    const uint64_t texel = ll_format_texel_size(image->format);
    /* staging.c hands out chunks of whole texels (unit) at offsets a texel can start at. */
    assert(done % texel == 0 && bytes % texel == 0 && staging_offset % texel == 0);
    VkBufferImageCopy boxes[MAX_BOXES];
    uint32_t n = texel_boxes(image, done / texel, bytes / texel, staging_offset, boxes);

    VkImageLayout layout = t->upload ? VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL
                                     : VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    VkAccessFlags access = t->upload ? VK_ACCESS_TRANSFER_WRITE_BIT
                                     : VK_ACCESS_TRANSFER_READ_BIT;
    VkImageLayout back = begin_transfer(c, image, layout, access);
    if (t->upload)
        vkCmdCopyBufferToImage(ll_commands_vk(c), staging, image->handle, layout, n, boxes);
    else /* staging.c makes the copy's writes visible to the host */
        vkCmdCopyImageToBuffer(ll_commands_vk(c), image->handle, layout, staging, n, boxes);
    end_transfer(c, image, back, access);
}

static bool check_transfer(const ll_image *image, uint64_t size, const char *what,
                           ll_error *err)
{
    if (size != image->minimum_size)
        return ll_fail(err, LL_E_ARGUMENT, "%s needs %llu bytes for this image, got %llu", what,
                       (unsigned long long)image->minimum_size, (unsigned long long)size);
    uint64_t texel = ll_format_texel_size(image->format);
    if (texel > ll_session_staging_size(image->session))
        return ll_fail(err, LL_E_STATE, "a texel (%llu bytes) does not fit in the session's "
                       "staging buffer (%llu bytes)", (unsigned long long)texel,
                       (unsigned long long)ll_session_staging_size(image->session));
    return true;
}

static bool check_direction(const ll_image *image, bool upload, uint64_t size, ll_error *err)
{
    return upload ? need_usage(image, VK_IMAGE_USAGE_TRANSFER_DST_BIT, "TransferDst",
                               "fromHost", err) && check_transfer(image, size, "fromHost", err)
                  : need_usage(image, VK_IMAGE_USAGE_TRANSFER_SRC_BIT, "TransferSrc",
                               "toHost", err) && check_transfer(image, size, "toHost", err);
}

bool ll_image_upload(ll_image *image, const void *src, uint64_t size, ll_error *err)
{
    if (!check_direction(image, true, size, err))
        return false;
    transfer t = {image, true};
    return ll_staging_upload(image->session, src, size, ll_format_texel_size(image->format),
                             record_transfer, &t, err);
}

bool ll_image_download(ll_image *image, void *dst, uint64_t size, ll_error *err)
{
    if (!check_direction(image, false, size, err))
        return false;
    transfer t = {image, false};
    return ll_staging_download(image->session, dst, size, ll_format_texel_size(image->format),
                               record_transfer, &t, err);
}

/* Through the storage's import where the transfer path wants it (images are never mapped
 * for transfers) and the import can be made; else staged. */
static bool transfer_host(ll_image *image, ll_host_memory *host, uint64_t size, bool upload,
                          ll_error *err)
{
    if (!ll_host_memory_alive(host))
        return ll_fail(err, LL_E_STATE, "ndarray has been released");
    if (!check_direction(image, upload, size, err))
        return false;
    VkBuffer imported;
    if (size <= ll_host_memory_size(host) &&
        ll_host_import_wanted(image->session, host, size, false) &&
        ll_host_import_buffer(image->session, host, &imported, NULL)) {
        transfer t = {image, upload};
        return ll_staging_run_imported(image->session, upload, imported, size, record_transfer,
                                       &t, err);
    }
    void *data = ll_host_memory_data(host);
    return upload ? ll_image_upload(image, data, size, err)
                  : ll_image_download(image, data, size, err);
}

bool ll_image_upload_from(ll_image *image, ll_host_memory *src, uint64_t size, ll_error *err)
{
    return transfer_host(image, src, size, true, err);
}

bool ll_image_download_into(ll_image *image, ll_host_memory *dst, uint64_t size,
                            ll_error *err)
{
    return transfer_host(image, dst, size, false, err);
}

/* ---- clear, copy, layout ------------------------------------------------------------- */

static void record_clear(ll_commands *c, void *user)
{
    ll_image *image = user;
    VkImageLayout layout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
    VkAccessFlags access = VK_ACCESS_TRANSFER_WRITE_BIT;
    /* All zero bits: zero in every UINT, SINT and SFLOAT format. */
    VkClearColorValue zero = {{0}};
    VkImageLayout back = begin_transfer(c, image, layout, access);
    vkCmdClearColorImage(ll_commands_vk(c), image->handle, layout, &zero, 1, &whole_image);
    end_transfer(c, image, back, access);
}

bool ll_image_clear(ll_image *image, ll_error *err)
{
    if (!need_usage(image, VK_IMAGE_USAGE_TRANSFER_DST_BIT, "TransferDst", "clear", err))
        return false;
    return ll_commands_run(image->session, record_clear, image, err);
}

bool ll_image_record_clear(ll_commands *c, ll_image *image, ll_error *err)
{
    if (!need_usage(image, VK_IMAGE_USAGE_TRANSFER_DST_BIT, "TransferDst", "clear", err))
        return false;
    record_clear(c, image);
    return true;
}

static void record_copy(ll_commands *c, void *user)
{
    ll_image *const *images = user; /* src, dst */
    const VkImageLayout layouts[2] = {VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                                      VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL};
    const VkAccessFlags access[2] = {VK_ACCESS_TRANSFER_READ_BIT,
                                     VK_ACCESS_TRANSFER_WRITE_BIT};
    const ll_image_shape *s = &images[0]->shape;
    VkImageCopy region = {
        .srcSubresource = whole_layer,
        .dstSubresource = whole_layer,
        .extent = {s->width, s->height, s->depth},
    };
    VkImageLayout back[2];
    for (int i = 0; i < 2; i++)
        back[i] = begin_transfer(c, images[i], layouts[i], access[i]);
    vkCmdCopyImage(ll_commands_vk(c), images[0]->handle, layouts[0], images[1]->handle,
                   layouts[1], 1, &region);
    for (int i = 0; i < 2; i++)
        end_transfer(c, images[i], back[i], access[i]);
}

static bool check_copy(const ll_image *src, const ll_image *dst, ll_error *err)
{
    const ll_image_shape *a = &src->shape, *b = &dst->shape;
    if (a->depth != b->depth || a->height != b->height || a->width != b->width ||
        a->channels != b->channels)
        return ll_fail(err, LL_E_ARGUMENT, "copyTo needs an image of the same shape {%u, %u, "
                       "%u, %u}, got {%u, %u, %u, %u}", a->depth, a->height, a->width,
                       a->channels, b->depth, b->height, b->width, b->channels),
               ll_error_blame(err, 2);
    if (src->format != dst->format)
        return ll_fail(err, LL_E_ARGUMENT, "copyTo needs an image of the same format %s, got %s",
                       ll_format_name(src->format), ll_format_name(dst->format)),
               ll_error_blame(err, 2);
    if (!ll_session_check_same(src->session, dst->session, "the destination of copyTo", err))
        return ll_error_blame(err, 2);
    if (!need_usage(src, VK_IMAGE_USAGE_TRANSFER_SRC_BIT, "TransferSrc", "copyTo", err))
        return ll_error_blame(err, 1);
    if (!need_usage(dst, VK_IMAGE_USAGE_TRANSFER_DST_BIT, "TransferDst",
                    "copyTo (destination)", err))
        return ll_error_blame(err, 2);
    return true;
}

bool ll_image_copy(ll_image *src, ll_image *dst, ll_error *err)
{
    if (!check_copy(src, dst, err))
        return false;
    if (src == dst)
        return true;
    ll_image *images[2] = {src, dst};
    return ll_commands_run(src->session, record_copy, images, err);
}

bool ll_image_record_copy(ll_commands *c, ll_image *src, ll_image *dst, ll_error *err)
{
    if (!check_copy(src, dst, err))
        return false;
    if (src != dst) {
        ll_image *images[2] = {src, dst};
        record_copy(c, images);
    }
    return true;
}

bool ll_image_record_copy_from_buffer(ll_commands *c, ll_buffer *src, ll_image *dst,
                                      ll_error *err)
{
    if (!ll_session_check_same(dst->session, ll_memory_session(ll_buffer_memory(src)),
                               "the buffer of copyBufferToImage", err))
        return ll_error_blame(err, 1);
    if (ll_buffer_size(src) < dst->minimum_size)
        return ll_fail(err, LL_E_ARGUMENT, "copyBufferToImage needs a buffer of at least %llu "
                       "bytes for this image, got %llu", (unsigned long long)dst->minimum_size,
                       (unsigned long long)ll_buffer_size(src)),
               ll_error_blame(err, 1);
    if (!need_usage(dst, VK_IMAGE_USAGE_TRANSFER_DST_BIT, "TransferDst", "copyBufferToImage",
                    err))
        return ll_error_blame(err, 2);
    VkBufferImageCopy boxes[MAX_BOXES];
    const uint64_t texels = (uint64_t)dst->shape.width * dst->shape.height * dst->shape.depth;
    uint32_t n = texel_boxes(dst, 0, texels, 0, boxes);
    VkImageLayout layout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
    VkAccessFlags access = VK_ACCESS_TRANSFER_WRITE_BIT;
    /* The buffer's earlier writes (a dispatch's, a copy's) before the copy reads it. */
    ll_commands_memory_barrier(c, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                               VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
    VkImageLayout back = begin_transfer(c, dst, layout, access);
    vkCmdCopyBufferToImage(ll_commands_vk(c), ll_buffer_vk(src), dst->handle, layout, n, boxes);
    end_transfer(c, dst, back, access);
    return true;
}

typedef struct layout_change {
    ll_image *image;
    VkImageLayout layout;
} layout_change;

static void record_layout(ll_commands *c, void *user)
{
    const layout_change *change = user;
    change_layout(c, change->image, change->layout);
}

bool ll_image_check_layout(const ll_image *image, VkImageLayout layout, ll_error *err)
{
    switch (layout) {
    case VK_IMAGE_LAYOUT_GENERAL:
        break;
    case VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL:
        if (!need_usage(image, VK_IMAGE_USAGE_TRANSFER_SRC_BIT, "TransferSrc",
                        "layout TransferSrcOptimal", err))
            return false;
        break;
    case VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL:
        if (!need_usage(image, VK_IMAGE_USAGE_TRANSFER_DST_BIT, "TransferDst",
                        "layout TransferDstOptimal", err))
            return false;
        break;
    case VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL:
        if (!need_usage(image, VK_IMAGE_USAGE_SAMPLED_BIT, "Sampled",
                        "layout ShaderReadOnlyOptimal", err))
            return false;
        break;
    case VK_IMAGE_LAYOUT_UNDEFINED:
    case VK_IMAGE_LAYOUT_PREINITIALIZED:
        return ll_fail(err, LL_E_ARGUMENT, "an image cannot be changed to layout %s "
                       "(Vulkan allows it only as an initial layout)",
                       layout == VK_IMAGE_LAYOUT_UNDEFINED ? "Undefined" : "Preinitialized");
    default:
        return ll_fail(err, LL_E_ARGUMENT, "unsupported image layout %d", (int)layout);
    }
    return true;
}

VkImageLayout ll_image_recorded_layout(ll_commands *c, ll_image *image)
{
    return ll_commands_image_layout(c, &image->layout);
}

void ll_image_record_layout(ll_commands *c, ll_image *image, VkImageLayout layout)
{
    change_layout(c, image, layout);
}

bool ll_image_change_layout(ll_image *image, VkImageLayout layout, ll_error *err)
{
    if (!ll_image_check_layout(image, layout, err))
        return false;
    /* The module commits the new layout only if the submit succeeds. */
    layout_change change = {.image = image, .layout = layout};
    return ll_commands_run(image->session, record_layout, &change, err);
}

bool ll_image_validate(const ll_image *image, ll_error *err)
{
    const ll_image_shape *s = &image->shape;
    if (atomic_load(&image->refs) < 1)
        return ll_fail(err, LL_E_STATE, "image refs %d < 1", atomic_load(&image->refs));
    if (image->handle == VK_NULL_HANDLE || image->memory == NULL)
        return ll_fail(err, LL_E_STATE, "image has no VkImage or no memory");
    if (s->channels < 1 || s->channels > LL_MAX_CHANNELS || s->width == 0 ||
        s->height == 0 || s->depth == 0)
        return ll_fail(err, LL_E_STATE, "image shape {%u, %u, %u, %u} is invalid", s->depth,
                       s->height, s->width, s->channels);
    if (image->format != ll_format_of(image->channel_type, s->channels))
        return ll_fail(err, LL_E_STATE, "image format %s does not match channel type %d x %u",
                       ll_format_name(image->format), (int)image->channel_type, s->channels);
    if (image->type != ll_image_type_of(s))
        return ll_fail(err, LL_E_STATE, "image type %d does not match its shape",
                       (int)image->type);
    uint64_t texel = ll_format_texel_size(image->format);
    if (image->row_bytes != s->width * texel ||
        image->minimum_size != image->row_bytes * s->height * s->depth)
        return ll_fail(err, LL_E_STATE, "image sizes (row %llu, minimum %llu) are wrong",
                       (unsigned long long)image->row_bytes,
                       (unsigned long long)image->minimum_size);
    if (image->allocation.memory == VK_NULL_HANDLE || image->allocation.size == 0)
        return ll_fail(err, LL_E_STATE, "image has no allocation");
    switch (image->layout) {
    case VK_IMAGE_LAYOUT_GENERAL:
    case VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL:
    case VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL:
    case VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL:
        break;
    default:
        return ll_fail(err, LL_E_STATE, "image layout %d is not one it can be left in",
                       (int)image->layout);
    }
    return true;
}
