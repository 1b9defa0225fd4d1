/* host_memory.h: a block of host memory that arrays (ll.ndarray) are views of: memory the
 * core allocates (small blocks from the heap, large ones page-aligned in whole pages, the
 * largest mapped lazily so that zeros cost nothing until written), or foreign memory that
 * its owner (a mapped buffer, say) can revoke. Reference counted; the memory itself ends
 * once, before the record does. Page-aligned blocks are what VK_EXT_external_memory_host
 * imports. Not for: device memory (device_memory.h), element types (dtype.h). */
#ifndef LL_HOST_MEMORY_H
#define LL_HOST_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lluvia/error.h"

/* Every block the core allocates starts on this boundary. */
#define LL_HOST_MEMORY_ALIGNMENT 64
/* From this many bytes up, a block starts on a page (LL_HOST_MEMORY_PAGE bytes, or the
 * system's page where larger) and its capacity is a whole number of pages. */
#define LL_HOST_MEMORY_PAGE_THRESHOLD 65536
#define LL_HOST_MEMORY_PAGE 4096 /* the usual minImportedHostPointerAlignment */
/* From this many bytes up, a block is an anonymous mapping of its own: the kernel hands
 * zero pages out as they are first touched, so a zero-filled block commits nothing when
 * made, and the kernel (not the allocator) decides whether the size can be had. */
#define LL_HOST_MEMORY_MAP_THRESHOLD (32ull << 20)
/* The largest block: 256 TiB, what a 48-bit address space holds. Larger sizes fail with
 * LL_E_HOST_MEMORY without asking the system, the same way in every build. */
#define LL_HOST_MEMORY_MAX_BYTES (UINT64_C(1) << 48)

typedef struct ll_host_memory ll_host_memory;

typedef enum ll_host_memory_kind {
    LL_HOST_MEMORY_OWNED,   /* the core's, LL_HOST_MEMORY_ALIGNMENT-aligned */
    LL_HOST_MEMORY_PAGES,   /* the core's, page-aligned, capacity in whole pages */
    LL_HOST_MEMORY_FOREIGN, /* someone else's, which its owner may revoke */
} ll_host_memory_kind;

/* Called once, with `ud`, when the holder ends foreign memory (ll_host_memory_end, or the
 * last release). Not called when the owner revoked it. May release a reference it holds
 * to the same record. Must not fail. */
typedef void (*ll_host_memory_hook)(void *ud);

/* A block of `size` bytes (> 0) the core allocates; `zero`: it reads as zeros (else only
 * the padding up to the capacity is zero). Large blocks are made without touching them.
 * LL_E_ARGUMENT for size 0; LL_E_HOST_MEMORY, naming the size, beyond
 * LL_HOST_MEMORY_MAX_BYTES or when the system refuses. One reference. */
ll_host_memory *ll_host_memory_create(uint64_t size, bool zero, ll_error *err);

/* A record over `size` bytes at `data`, which something else owns and keeps until it
 * revokes the record or `hook` is called. LL_E_ARGUMENT for NULL data; LL_E_HOST_MEMORY
 * when the record cannot be allocated. One reference. */
ll_host_memory *ll_host_memory_wrap(void *data, uint64_t size, ll_host_memory_hook hook,
                                    void *ud, ll_error *err);

/* A record over `size` bytes of `parent`'s memory from byte `offset` on (a narrowed view of
 * an array): it retains the parent, and ends when the parent ends (revoked: whatever the
 * devices imported of it is let go first) or when its own last reference goes. LL_E_STATE
 * when the parent has ended, LL_E_ARGUMENT when the range passes the parent's size,
 * LL_E_HOST_MEMORY when the record cannot be allocated. One reference. Not thread-safe
 * against ending or releasing the parent. */
ll_host_memory *ll_host_memory_slice(ll_host_memory *parent, uint64_t offset, uint64_t size,
                                     ll_error *err);

/* A record that has always ended (data NULL, size 0), shared and never freed: retain,
 * release, end and revoke do nothing to it. Holders point at it instead of NULL, so that
 * "is it alive" is one load of the data pointer. */
ll_host_memory *ll_host_memory_ended(void);

/* References: the record is freed with the last one, which ends the memory if it is
 * still alive (as ll_host_memory_end). Not thread-safe against ending the same record. */
void ll_host_memory_retain(ll_host_memory *memory);
void ll_host_memory_release(ll_host_memory *memory); /* NULL: nothing */

/* The holder is done: the core's memory is freed, foreign memory's hook is called. Every
 * later look at the data gives NULL. Idempotent. */
void ll_host_memory_end(ll_host_memory *memory);

/* The owner's memory is gone: ends the record without calling the hook (the core's memory
 * is freed as by ll_host_memory_end). Idempotent. */
void ll_host_memory_revoke(ll_host_memory *memory);

/* The bytes, NULL once ended. Inline because every element access of an array reads it:
 * the data pointer is the record's first member (host_memory.c asserts it). */
static inline void *ll_host_memory_data(const ll_host_memory *memory)
{
    return *(void *const *)(const void *)memory;
}

static inline bool ll_host_memory_alive(const ll_host_memory *memory)
{
    return ll_host_memory_data(memory) != NULL;
}

uint64_t ll_host_memory_size(const ll_host_memory *memory);      /* bytes asked for */
uint64_t ll_host_memory_capacity(const ll_host_memory *memory);  /* usable, >= size */
uint64_t ll_host_memory_alignment(const ll_host_memory *memory); /* data's, a power of 2 */
ll_host_memory_kind ll_host_memory_kind_of(const ll_host_memory *memory);
/* Whether the block is a mapping of its own (zero pages committed as first touched). */
bool ll_host_memory_is_mapped(const ll_host_memory *memory);
int ll_host_memory_refs(const ll_host_memory *memory); /* for tests */

/* Checks the record's invariants (alignment, capacity, kind). True if all hold; else false
 * with LL_E_STATE and a description in err (when not NULL). For tests and
 * ll._debug.validate. */
bool ll_host_memory_validate(const ll_host_memory *memory, ll_error *err);

#endif
