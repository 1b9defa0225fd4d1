/* memory.h: a Memory, lluvia's pool of Vulkan memory of one memory type, split into pages
 * (one VkDeviceMemory each) that the buddy allocator (buddy.h) places objects in. Buffers
 * (buffer.h) and images (image.h) ask it for room; they never compute offsets themselves.
 * Not for: creating Vulkan buffers or images, or transfers (staging.h). */
#ifndef LL_MEMORY_H
#define LL_MEMORY_H

#include <stdint.h>

#include <volk.h>

#include "lluvia/buddy.h"
#include "lluvia/error.h"
#include "lluvia/session.h"

typedef struct ll_memory ll_memory;

/* Where an object lives. */
typedef struct ll_allocation {
    uint32_t page;          /* 0-based page number, stable while the page lives */
    uint64_t offset;        /* where the object starts in the page: bind it here */
    uint64_t left_padding;  /* bytes between the start of its block and offset */
    uint64_t size;          /* bytes asked for (the memory requirements' size) */
    VkDeviceMemory memory;  /* the page's memory */
    void *mapped;           /* host address of `offset` when host-visible, else NULL */
    bool new_page;          /* the allocation made its page (see ll_memory_undo) */
} ll_allocation;

typedef struct ll_memory_stats {
    uint32_t pages;
    uint64_t bytes_reserved;     /* sum of page sizes */
    uint64_t bytes_in_use;       /* sum of block sizes handed out */
    uint64_t objects;            /* live allocations */
    uint64_t largest_free_block; /* over all pages */
} ll_memory_stats;

#define LL_DEFAULT_PAGE_SIZE (32ull << 20)

/* A Memory on the first memory type (Vulkan's order) whose flags include `flags` (equal
 * them when `exact`); LL_E_UNSUPPORTED naming the flags when none does. No page is
 * allocated until the first object. A page_size of 0 means one page per object, of
 * exactly the object's size (lluvia's tests use createMemory(flags, 0)). Retains the
 * session. */
ll_memory *ll_memory_create(ll_session *session, VkMemoryPropertyFlags flags,
                            uint64_t page_size, bool exact, ll_error *err);
void ll_memory_retain(ll_memory *memory);
void ll_memory_release(ll_memory *memory);

ll_session *ll_memory_session(const ll_memory *memory);
VkMemoryPropertyFlags ll_memory_flags(const ll_memory *memory);
uint32_t ll_memory_type_index(const ll_memory *memory);
uint64_t ll_memory_page_size(const ll_memory *memory);
uint32_t ll_memory_page_count(const ll_memory *memory);
bool ll_memory_is_mappable(const ll_memory *memory);
/* True when `page` exists and is host-visible. */
bool ll_memory_is_page_mappable(const ll_memory *memory, uint64_t page);
void ll_memory_get_stats(const ll_memory *memory, ll_memory_stats *out);

/* Places an object with these requirements (`kind`: linear for buffers and linear images,
 * optimal for optimal-tiling images, kept apart by bufferImageGranularity). Allocates a
 * page when none has room (an object larger than the page size gets a page of its own).
 * LL_E_UNSUPPORTED when memoryTypeBits excludes this memory's type; LL_E_DEVICE_MEMORY
 * when the device is out of memory. On failure nothing changes. Thread-safe. */
bool ll_memory_allocate(ll_memory *memory, const VkMemoryRequirements *requirements,
                        ll_buddy_kind kind, ll_allocation *out, ll_error *err);

/* Gives the room back; a page left empty is freed (one empty page may be kept). */
void ll_memory_free(ll_memory *memory, const ll_allocation *allocation);

/* Takes back an allocation whose object could not be made (a failed bind, say): as
 * ll_memory_free, but a page the allocation made is freed when empty rather than kept, so
 * that the failed creation leaves the Memory as it was. Thread-safe. */
void ll_memory_undo(ll_memory *memory, const ll_allocation *allocation);

/* For memory that is host-visible but not coherent: make host writes of [offset,
 * offset+size) of the allocation visible to the device, and device writes visible to the
 * host. Rounded out to nonCoherentAtomSize; no-ops on coherent memory (unless the session
 * simulates non-coherent memory: ll_memory_needs_sync). */
bool ll_memory_flush(ll_memory *memory, const ll_allocation *allocation, uint64_t offset,
                     uint64_t size, ll_error *err);
bool ll_memory_invalidate(ll_memory *memory, const ll_allocation *allocation,
                          uint64_t offset, uint64_t size, ll_error *err);

/* Whether flush and invalidate do anything: host-visible memory that is not HostCoherent,
 * or any host-visible memory of a session that simulates non-coherent memory. */
bool ll_memory_needs_sync(const ll_memory *memory);

/* The vkFlushMappedMemoryRanges and vkInvalidateMappedMemoryRanges calls every Memory of
 * the process made so far: for tests, which check when the host's writes are flushed. */
typedef struct ll_coherence_stats {
    uint64_t flushes;
    uint64_t invalidates;
} ll_coherence_stats;

void ll_memory_get_coherence_stats(ll_coherence_stats *out);

/* ---- additions ------------------------------------------------------------------------ */

/* Checks the Memory's invariants (page table, each page's buddy allocator, at most one
 * empty page kept). True if all hold; else false with LL_E_STATE and a description in err
 * (when not NULL). Thread-safe. For tests and ll._debug.validate. */
bool ll_memory_validate(const ll_memory *memory, ll_error *err);

/* "{DeviceLocal, HostVisible}": the flags as text, for messages. */
void ll_memory_flags_text(VkMemoryPropertyFlags flags, char *buf, size_t size);

#endif
