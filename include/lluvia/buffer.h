/* buffer.h: a Buffer, a VkBuffer placed in a Memory, and the transfers of its bytes: direct
 * through the Memory's persistent mapping where the host can see it, else (or when the
 * session forces it) through the session's staging buffer (staging.h).
 * Not for: placement (memory.h) or images (image.h). */
#ifndef LL_BUFFER_H
#define LL_BUFFER_H

#include <stdint.h>

#include <volk.h>

#include "lluvia/error.h"
#include "lluvia/host_memory.h"
#include "lluvia/memory.h"

typedef struct ll_buffer ll_buffer;

/* A buffer of `size` bytes (> 0) with `usage` in `memory`. The Vulkan buffer also gets
 * TRANSFER_SRC and TRANSFER_DST, so that reads, writes and copies work on every buffer;
 * ll_buffer_usage reports `usage` as given. Errors, leaving the Memory as it was:
 * LL_E_ARGUMENT for size 0, LL_E_UNSUPPORTED when the buffer's memory requirements exclude
 * the Memory's type, LL_E_DEVICE_MEMORY when the device is out of memory or the size is
 * beyond the Memory's heap. Retains the Memory. Thread-safe. */
ll_buffer *ll_buffer_create(ll_memory *memory, uint64_t size, VkBufferUsageFlags usage,
                            ll_error *err);
void ll_buffer_retain(ll_buffer *buffer);
void ll_buffer_release(ll_buffer *buffer);

/* Releases a buffer just made whose making the caller could not finish (its upload or
 * first copy failed): as ll_buffer_release, but the room goes back as ll_memory_undo
 * gives it, so that a page the buffer made is freed too and the Memory is as it was
 * before ll_buffer_create. */
void ll_buffer_discard(ll_buffer *buffer);

ll_memory *ll_buffer_memory(const ll_buffer *buffer);
uint64_t ll_buffer_size(const ll_buffer *buffer);
VkBufferUsageFlags ll_buffer_usage(const ll_buffer *buffer);
VkBuffer ll_buffer_vk(const ll_buffer *buffer);
const ll_allocation *ll_buffer_allocation(const ll_buffer *buffer);
bool ll_buffer_is_mappable(const ll_buffer *buffer);

/* The host address of the buffer's first byte (the page's persistent mapping); NULL when
 * the memory is not host-visible. Valid until the buffer is released. Around host access
 * through it, call ll_buffer_invalidate before reading and ll_buffer_flush after writing
 * (no-ops on coherent memory). */
void *ll_buffer_mapped(const ll_buffer *buffer);
bool ll_buffer_flush(ll_buffer *buffer, uint64_t offset, uint64_t size, ll_error *err);
bool ll_buffer_invalidate(ll_buffer *buffer, uint64_t offset, uint64_t size, ll_error *err);

/* A host view of the mapped bytes opens and closes (ll.ndarray views: buf:map). While a
 * view is open, host writes through it reach every later device read: the buffer is
 * flushed before each transfer or copy that reads or writes it on the device (and before
 * ll_buffer_read invalidates it), and invalidated after each that writes it, so that the
 * view sees the result. Opening flushes the views already open, then invalidates; closing
 * flushes. All of it no-ops on coherent memory (ll_memory_needs_sync). Thread-safe. */
bool ll_buffer_open_view(ll_buffer *buffer, ll_error *err);
bool ll_buffer_close_view(ll_buffer *buffer, ll_error *err);
uint32_t ll_buffer_open_views(const ll_buffer *buffer);

/* Checks the buffer's invariants (its handle, its allocation in the Memory, the mapping),
 * then its Memory's (ll_memory_validate). True if all hold; else false with LL_E_STATE and
 * a description in err (when not NULL). For tests and ll._debug.validate. */
bool ll_buffer_validate(const ll_buffer *buffer, ll_error *err);

/* Whether transfers of this buffer go through staging (memory the host cannot map, or a
 * session with force_staging). */
bool ll_buffer_uses_staging(const ll_buffer *buffer);

/* Copies `size` bytes between host memory and bytes [offset, offset+size) of the buffer
 * (open views: ll_buffer_open_view).
 * LL_E_ARGUMENT when the range is outside the buffer. */
bool ll_buffer_write(ll_buffer *buffer, uint64_t offset, const void *src, uint64_t size,
                     ll_error *err);
bool ll_buffer_read(ll_buffer *buffer, uint64_t offset, void *dst, uint64_t size,
                    ll_error *err);

/* As ll_buffer_write and ll_buffer_read, between the first `size` bytes of an array's
 * storage and the buffer, by the session's transfer path (session.h): where it says so,
 * the storage is imported once (host_import.h, cached with it) and the transfer is one
 * vkCmdCopyBuffer between it and the buffer, no memcpy; storage that cannot be imported
 * (foreign, small, a device without the extension, a failed import) goes the other ways.
 * LL_E_STATE when the storage has ended, LL_E_ARGUMENT when size exceeds it. Each transfer
 * is one submit or fails leaving the buffer's other bytes as they were. */
bool ll_buffer_write_from(ll_buffer *buffer, uint64_t offset, ll_host_memory *src,
                          uint64_t size, ll_error *err);
bool ll_buffer_read_into(ll_buffer *buffer, uint64_t offset, ll_host_memory *dst,
                         uint64_t size, ll_error *err);

/* How many buffer transfers took each path so far, process-wide (for tests and
 * ll._debug.transferStats): memcpy through the mapping, staging, one vkCmdUpdateBuffer,
 * one copy from or to an imported array; and the imported arrays live now and made. */
typedef struct ll_transfer_stats {
    uint64_t direct, staging, update, import;
    uint64_t imports_live, imports_made;
} ll_transfer_stats;
void ll_buffer_get_transfer_stats(ll_transfer_stats *out);

/* Copies `size` bytes from src at src_offset to dst at dst_offset on the device
 * (vkCmdCopyBuffer). LL_E_ARGUMENT when a range is outside its buffer, when src and dst
 * are one buffer and the ranges overlap, or when dst is of another session
 * (ll_session_check_same). */
bool ll_buffer_copy(ll_buffer *src, uint64_t src_offset, ll_buffer *dst,
                    uint64_t dst_offset, uint64_t size, ll_error *err);

#endif
