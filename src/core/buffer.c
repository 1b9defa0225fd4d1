/* buffer.c: creating buffers in a Memory, and moving their bytes: memcpy through the
 * mapping where the host sees the memory, staging otherwise, vkCmdCopyBuffer between
 * buffers. Not for: placement decisions (memory.c). */
#include "lluvia/buffer.h"

#include <stdatomic.h>
#include <string.h>

#include "host_import.h"
#include "staging.h"
#include "vk_util.h"

struct ll_buffer {
    atomic_int refs;
    ll_memory *memory;
    VkBuffer handle;
    uint64_t size;
    VkBufferUsageFlags usage;  /* as asked */
    ll_allocation allocation;
    atomic_uint open_views;    /* host views of the mapping (ll_buffer_open_view) */
};

ll_buffer *ll_buffer_create(ll_memory *memory, uint64_t size, VkBufferUsageFlags usage,
                            ll_error *err)
{
    if (size == 0)
        return ll_fail(err, LL_E_ARGUMENT, "size must be > 0, got 0"), NULL;
    ll_session *s = ll_memory_session(memory);
    const VkPhysicalDeviceMemoryProperties *props = ll_session_memory_properties(s);
    uint32_t heap = props->memoryTypes[ll_memory_type_index(memory)].heapIndex;
    /* Vulkan gives no useful answer for sizes beyond any heap (requirements may wrap). */
    if (size > props->memoryHeaps[heap].size)
        return ll_fail(err, LL_E_DEVICE_MEMORY, "cannot create a buffer of %llu bytes: the "
                       "Memory's heap %u holds %llu bytes (VK_ERROR_OUT_OF_DEVICE_MEMORY)",
                       (unsigned long long)size, heap,
                       (unsigned long long)props->memoryHeaps[heap].size), NULL;

    ll_buffer *b = ll_calloc(1, sizeof *b);
    if (b == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating a buffer"), NULL;
    VkDevice dev = ll_session_vk(s);
    VkBufferCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .size = size,
        .usage = usage | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    VkResult r = LL_VK(vkCreateBuffer(dev, &info, NULL, &b->handle));
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkCreateBuffer");
        goto fail_free;
    }
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(dev, b->handle, &req);
    if (!ll_memory_allocate(memory, &req, LL_BUDDY_LINEAR, &b->allocation, err))
        goto fail_buffer;
    r = LL_VK(vkBindBufferMemory(dev, b->handle, b->allocation.memory, b->allocation.offset));
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkBindBufferMemory");
        goto fail_allocation;
    }
    atomic_init(&b->refs, 1);
    atomic_init(&b->open_views, 0);
    b->memory = memory;
    b->size = size;
    b->usage = usage;
    ll_memory_retain(memory);
    return b;

fail_allocation:
    ll_memory_undo(memory, &b->allocation);
fail_buffer:
    vkDestroyBuffer(dev, b->handle, NULL);
fail_free:
    ll_free(b);
    return NULL;
}

void ll_buffer_retain(ll_buffer *b)
{
    atomic_fetch_add(&b->refs, 1);
}

/* Drops one reference; the last one destroys the buffer and gives its room back, as
 * ll_memory_undo does when `undo` (a page the buffer made goes too). */
static void drop(ll_buffer *b, bool undo)
{
    if (b == NULL || atomic_fetch_sub(&b->refs, 1) != 1)
        return;
    vkDestroyBuffer(ll_session_vk(ll_memory_session(b->memory)), b->handle, NULL);
    if (undo)
        ll_memory_undo(b->memory, &b->allocation);
    else
        ll_memory_free(b->memory, &b->allocation);
    ll_memory_release(b->memory);
    ll_free(b);
}

void ll_buffer_release(ll_buffer *b)
{
    drop(b, false);
}

void ll_buffer_discard(ll_buffer *b)
{
    drop(b, true);
}

ll_memory *ll_buffer_memory(const ll_buffer *b) { return b->memory; }
uint64_t ll_buffer_size(const ll_buffer *b) { return b->size; }
VkBufferUsageFlags ll_buffer_usage(const ll_buffer *b) { return b->usage; }
VkBuffer ll_buffer_vk(const ll_buffer *b) { return b->handle; }
const ll_allocation *ll_buffer_allocation(const ll_buffer *b) { return &b->allocation; }
bool ll_buffer_is_mappable(const ll_buffer *b) { return b->allocation.mapped != NULL; }
void *ll_buffer_mapped(const ll_buffer *b) { return b->allocation.mapped; }

bool ll_buffer_validate(const ll_buffer *b, ll_error *err)
{
    if (atomic_load(&b->refs) < 1)
        return ll_fail(err, LL_E_STATE, "buffer refs %d < 1", atomic_load(&b->refs));
    if (b->handle == VK_NULL_HANDLE || b->memory == NULL)
        return ll_fail(err, LL_E_STATE, "buffer has no VkBuffer or no Memory");
    if (b->size == 0 || b->allocation.memory == VK_NULL_HANDLE || b->allocation.size < b->size)
        return ll_fail(err, LL_E_STATE, "buffer of %llu bytes has an allocation of %llu bytes",
                       (unsigned long long)b->size, (unsigned long long)b->allocation.size);
    if ((b->allocation.mapped != NULL) != ll_memory_is_mappable(b->memory))
        return ll_fail(err, LL_E_STATE, "buffer is %smapped in %shost-visible memory",
                       b->allocation.mapped != NULL ? "" : "not ",
                       ll_memory_is_mappable(b->memory) ? "" : "non-");
    return ll_memory_validate(b->memory, err);
}

bool ll_buffer_flush(ll_buffer *b, uint64_t offset, uint64_t size, ll_error *err)
{
    return ll_memory_flush(b->memory, &b->allocation, offset, size, err);
}

bool ll_buffer_invalidate(ll_buffer *b, uint64_t offset, uint64_t size, ll_error *err)
{
    return ll_memory_invalidate(b->memory, &b->allocation, offset, size, err);
}

/* ---- open views ---------------------------------------------------------------------- */

/* What the host wrote through open views reaches the device (before the device touches
 * the buffer, or before an invalidate would drop it). */
static bool flush_views(ll_buffer *b, ll_error *err)
{
    if (atomic_load(&b->open_views) == 0)
        return true;
    return ll_buffer_flush(b, 0, b->size, err);
}

/* Open views see what the device wrote into [offset, +size). */
static bool invalidate_views(ll_buffer *b, uint64_t offset, uint64_t size, ll_error *err)
{
    if (atomic_load(&b->open_views) == 0)
        return true;
    return ll_buffer_invalidate(b, offset, size, err);
}

bool ll_buffer_open_view(ll_buffer *b, ll_error *err)
{
    if (!flush_views(b, err) || !ll_buffer_invalidate(b, 0, b->size, err))
        return false;
    atomic_fetch_add(&b->open_views, 1);
    return true;
}

bool ll_buffer_close_view(ll_buffer *b, ll_error *err)
{
    if (atomic_load(&b->open_views) == 0)
        return ll_fail(err, LL_E_STATE, "the buffer has no open view to close");
    atomic_fetch_sub(&b->open_views, 1);
    return ll_buffer_flush(b, 0, b->size, err);
}

uint32_t ll_buffer_open_views(const ll_buffer *b) { return atomic_load(&b->open_views); }

bool ll_buffer_uses_staging(const ll_buffer *b)
{
    ll_transfer_path path = ll_session_transfer_path(ll_memory_session(b->memory));
    return b->allocation.mapped == NULL || path == LL_TRANSFER_STAGING ||
           path == LL_TRANSFER_IMPORT;
}

/* ---- counters of the paths taken ------------------------------------------------------- */

typedef enum path { PATH_DIRECT, PATH_STAGING, PATH_UPDATE, PATH_IMPORT, PATHS } path;
static atomic_uint_fast64_t path_counts[PATHS];

static void count_path(path p)
{
    atomic_fetch_add(&path_counts[p], 1);
}

void ll_buffer_get_transfer_stats(ll_transfer_stats *out)
{
    *out = (ll_transfer_stats){
        .direct = atomic_load(&path_counts[PATH_DIRECT]),
        .staging = atomic_load(&path_counts[PATH_STAGING]),
        .update = atomic_load(&path_counts[PATH_UPDATE]),
        .import = atomic_load(&path_counts[PATH_IMPORT]),
    };
    ll_host_import_counts(&out->imports_live, &out->imports_made);
}

static bool check_range(const ll_buffer *b, uint64_t offset, uint64_t size, ll_error *err)
{
    if (offset > b->size || size > b->size - offset)
        return ll_fail(err, LL_E_ARGUMENT, "bytes [%llu, %llu + %llu) are outside the "
                       "buffer's %llu bytes", (unsigned long long)offset,
                       (unsigned long long)offset, (unsigned long long)size,
                       (unsigned long long)b->size);
    return true;
}

/* ---- recording ------------------------------------------------------------------------ */

/* Whatever ran before (shaders, copies, the host) is done with the range, its writes
 * visible to this copy. */
#define BEFORE_STAGES (VK_PIPELINE_STAGE_ALL_COMMANDS_BIT | VK_PIPELINE_STAGE_HOST_BIT)
#define BEFORE_WRITES (VK_ACCESS_MEMORY_WRITE_BIT | VK_ACCESS_HOST_WRITE_BIT)
/* What runs after (shaders, copies, the host through the mapping) sees this copy's writes. */
#define AFTER_STAGES (VK_PIPELINE_STAGE_ALL_COMMANDS_BIT | VK_PIPELINE_STAGE_HOST_BIT)
#define AFTER_ACCESS (VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT | \
                      VK_ACCESS_HOST_READ_BIT | VK_ACCESS_HOST_WRITE_BIT)

typedef struct chunk_target {
    VkBuffer buffer;
    uint64_t offset; /* of the transfer's first byte in the buffer */
} chunk_target;

static void record_upload(ll_commands *c, VkBuffer staging, VkDeviceSize staging_offset,
                          uint64_t done, uint64_t bytes, void *user)
{
    const chunk_target *t = user;
    uint64_t at = t->offset + done;
    ll_commands_buffer_barrier(c, t->buffer, at, bytes, BEFORE_STAGES, BEFORE_WRITES,
                               VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    VkBufferCopy region = {.srcOffset = staging_offset, .dstOffset = at, .size = bytes};
    vkCmdCopyBuffer(ll_commands_vk(c), staging, t->buffer, 1, &region);
    ll_commands_buffer_barrier(c, t->buffer, at, bytes, VK_PIPELINE_STAGE_TRANSFER_BIT,
                               VK_ACCESS_TRANSFER_WRITE_BIT, AFTER_STAGES, AFTER_ACCESS);
}

static void record_download(ll_commands *c, VkBuffer staging, VkDeviceSize staging_offset,
                            uint64_t done, uint64_t bytes, void *user)
{
    const chunk_target *t = user;
    uint64_t at = t->offset + done;
    ll_commands_buffer_barrier(c, t->buffer, at, bytes, BEFORE_STAGES, BEFORE_WRITES,
                               VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
    VkBufferCopy region = {.srcOffset = at, .dstOffset = staging_offset, .size = bytes};
    vkCmdCopyBuffer(ll_commands_vk(c), t->buffer, staging, 1, &region);
    /* Later writers wait for this read. */
    ll_commands_buffer_barrier(c, t->buffer, at, bytes, VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                               AFTER_STAGES, 0);
}

/* ---- transfers ------------------------------------------------------------------------ */

/* vkCmdUpdateBuffer's limits: at most 65536 bytes, offset and size multiples of 4. */
#define UPDATE_MAX 65536u

typedef struct update_job {
    VkBuffer buffer;
    uint64_t offset, size;
    const void *src;
} update_job;

static void record_update(ll_commands *c, void *user)
{
    const update_job *j = user;
    ll_commands_buffer_barrier(c, j->buffer, j->offset, j->size, BEFORE_STAGES, BEFORE_WRITES,
                               VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    vkCmdUpdateBuffer(ll_commands_vk(c), j->buffer, j->offset, j->size, j->src);
    ll_commands_buffer_barrier(c, j->buffer, j->offset, j->size, VK_PIPELINE_STAGE_TRANSFER_BIT,
                               VK_ACCESS_TRANSFER_WRITE_BIT, AFTER_STAGES, AFTER_ACCESS);
}

/* A write the device makes itself from the command buffer: small and 4-byte aligned. */
static bool update_fits(uint64_t offset, uint64_t size)
{
    return size <= UPDATE_MAX && offset % 4 == 0 && size % 4 == 0;
}

/* Writes through the device (memory the host cannot map, or a path that forces it): one
 * vkCmdUpdateBuffer for small writes unless staging is forced, else staging. */
static bool write_device(ll_buffer *b, uint64_t offset, const void *src, uint64_t size,
                         ll_error *err)
{
    ll_session *s = ll_memory_session(b->memory);
    if (!flush_views(b, err))
        return false;
    bool ok;
    if (ll_session_transfer_path(s) != LL_TRANSFER_STAGING && update_fits(offset, size)) {
        update_job j = {b->handle, offset, size, src};
        ok = ll_commands_run(s, record_update, &j, err);
        if (ok)
            count_path(PATH_UPDATE);
    } else {
        chunk_target t = {b->handle, offset};
        ok = ll_staging_upload(s, src, size, 1, record_upload, &t, err);
        if (ok)
            count_path(PATH_STAGING);
    }
    return ok && invalidate_views(b, offset, size, err);
}

bool ll_buffer_write(ll_buffer *b, uint64_t offset, const void *src, uint64_t size,
                     ll_error *err)
{
    if (!check_range(b, offset, size, err))
        return false;
    if (size == 0)
        return true;
    if (ll_buffer_uses_staging(b))
        return write_device(b, offset, src, size, err);
    memmove((unsigned char *)b->allocation.mapped + offset, src, size);
    count_path(PATH_DIRECT);
    return ll_buffer_flush(b, offset, size, err);
}

bool ll_buffer_read(ll_buffer *b, uint64_t offset, void *dst, uint64_t size, ll_error *err)
{
    if (!check_range(b, offset, size, err))
        return false;
    if (size == 0)
        return true;
    if (!flush_views(b, err))
        return false;
    if (ll_buffer_uses_staging(b)) {
        chunk_target t = {b->handle, offset};
        bool ok = ll_staging_download(ll_memory_session(b->memory), dst, size, 1,
                                      record_download, &t, err);
        if (ok)
            count_path(PATH_STAGING);
        return ok;
    }
    if (!ll_buffer_invalidate(b, offset, size, err))
        return false;
    memmove(dst, (const unsigned char *)b->allocation.mapped + offset, size);
    count_path(PATH_DIRECT);
    return true;
}

/* ---- transfers of an array's storage: imported where that pays ---------------------------- */

/* Whether a transfer of `size` bytes of `host` goes through its import: as
 * ll_host_import_wanted, except that small writes take vkCmdUpdateBuffer under IMPORT. */
static bool wants_import(const ll_buffer *b, const ll_host_memory *host, uint64_t size)
{
    ll_session *s = ll_memory_session(b->memory);
    if (ll_session_transfer_path(s) == LL_TRANSFER_IMPORT && update_fits(0, size))
        return false;
    return ll_host_import_wanted(s, host, size, b->allocation.mapped != NULL);
}

/* One vkCmdCopyBuffer between the imported storage and the buffer; false with *tried false
 * when the storage could not be imported (the caller goes on another path). */
static bool transfer_import(ll_buffer *b, uint64_t offset, ll_host_memory *host,
                            uint64_t size, bool upload, bool *tried, ll_error *err)
{
    ll_session *s = ll_memory_session(b->memory);
    VkBuffer imported;
    *tried = ll_host_import_buffer(s, host, &imported, NULL);
    if (!*tried)
        return false;
    chunk_target t = {b->handle, offset};
    bool ok = flush_views(b, err) &&
              ll_staging_run_imported(s, upload, imported, size,
                                      upload ? record_upload : record_download, &t, err) &&
              (!upload || invalidate_views(b, offset, size, err));
    if (ok)
        count_path(PATH_IMPORT);
    return ok;
}

static bool check_host(const ll_host_memory *host, uint64_t size, ll_error *err)
{
    if (!ll_host_memory_alive(host))
        return ll_fail(err, LL_E_STATE, "ndarray has been released");
    if (size > ll_host_memory_size(host))
        return ll_fail(err, LL_E_ARGUMENT, "%llu bytes do not fit the array's %llu",
                       (unsigned long long)size,
                       (unsigned long long)ll_host_memory_size(host));
    return true;
}

static bool transfer_host(ll_buffer *b, uint64_t offset, ll_host_memory *host, uint64_t size,
                          bool upload, ll_error *err)
{
    if (!check_host(host, size, err) || !check_range(b, offset, size, err))
        return false;
    bool tried = false;
    if (size > 0 && wants_import(b, host, size)) {
        bool ok = transfer_import(b, offset, host, size, upload, &tried, err);
        if (tried)
            return ok;
    }
    void *data = ll_host_memory_data(host);
    return upload ? ll_buffer_write(b, offset, data, size, err)
                  : ll_buffer_read(b, offset, data, size, err);
}

bool ll_buffer_write_from(ll_buffer *b, uint64_t offset, ll_host_memory *src, uint64_t size,
                          ll_error *err)
{
    return transfer_host(b, offset, src, size, true, err);
}

bool ll_buffer_read_into(ll_buffer *b, uint64_t offset, ll_host_memory *dst, uint64_t size,
                         ll_error *err)
{
    return transfer_host(b, offset, dst, size, false, err);
}

typedef struct copy_job {
    VkBuffer src, dst;
    VkBufferCopy region;
} copy_job;

static void record_copy(ll_commands *c, void *user)
{
    const copy_job *j = user;
    const VkBufferCopy *r = &j->region;
    ll_commands_buffer_barrier(c, j->src, r->srcOffset, r->size, BEFORE_STAGES,
                               BEFORE_WRITES, VK_PIPELINE_STAGE_TRANSFER_BIT,
                               VK_ACCESS_TRANSFER_READ_BIT);
    ll_commands_buffer_barrier(c, j->dst, r->dstOffset, r->size, BEFORE_STAGES,
                               BEFORE_WRITES, VK_PIPELINE_STAGE_TRANSFER_BIT,
                               VK_ACCESS_TRANSFER_WRITE_BIT);
    vkCmdCopyBuffer(ll_commands_vk(c), j->src, j->dst, 1, r);
    /* Later writers of the source wait for this read; everything after sees the copy. */
    ll_commands_buffer_barrier(c, j->src, r->srcOffset, r->size,
                               VK_PIPELINE_STAGE_TRANSFER_BIT, 0, AFTER_STAGES, 0);
    ll_commands_buffer_barrier(c, j->dst, r->dstOffset, r->size, VK_PIPELINE_STAGE_TRANSFER_BIT,
                               VK_ACCESS_TRANSFER_WRITE_BIT, AFTER_STAGES, AFTER_ACCESS);
}

bool ll_buffer_copy(ll_buffer *src, uint64_t src_offset, ll_buffer *dst,
                    uint64_t dst_offset, uint64_t size, ll_error *err)
{
    if (!check_range(src, src_offset, size, err) || !check_range(dst, dst_offset, size, err))
        return false;
    if (src == dst && src_offset < dst_offset + size && dst_offset < src_offset + size)
        return ll_fail(err, LL_E_ARGUMENT, "copying bytes [%llu, +%llu) of a buffer onto "
                       "[%llu, +%llu) of itself: the ranges overlap",
                       (unsigned long long)src_offset, (unsigned long long)size,
                       (unsigned long long)dst_offset, (unsigned long long)size);
    if (size == 0)
        return true;
    ll_session *s = ll_memory_session(src->memory);
    if (!ll_session_check_same(s, ll_memory_session(dst->memory), "the output buffer", err))
        return false;
    copy_job j = {
        .src = src->handle,
        .dst = dst->handle,
        .region = {.srcOffset = src_offset, .dstOffset = dst_offset, .size = size},
    };
    return flush_views(src, err) && flush_views(dst, err) &&
           ll_commands_run(s, record_copy, &j, err) &&
           invalidate_views(dst, dst_offset, size, err);
}
