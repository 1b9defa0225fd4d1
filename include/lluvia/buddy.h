/* buddy.h: a buddy allocator of offsets inside one region of device memory, with all of
 * its metadata in host memory, Vulkan alignment and bufferImageGranularity handled here.
 * Not for: creating or binding Vulkan memory (memory.h); it only hands out numbers.
 * Design, metadata bound and costs: docs/buddy.md. */
#ifndef LL_BUDDY_H
#define LL_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lluvia/error.h"

typedef struct ll_buddy ll_buddy;

/* What kind of Vulkan object an allocation holds. Linear (buffers, linear images) and
 * optimal (optimal-tiling images) objects never share one granularity-sized page. */
typedef enum ll_buddy_kind { LL_BUDDY_LINEAR = 0, LL_BUDDY_OPTIMAL = 1 } ll_buddy_kind;

typedef struct ll_buddy_allocation {
    uint64_t offset;       /* where the object starts: aligned as asked; pass this to free */
    uint64_t block_offset; /* start of the block reserved for it (offset - block_offset =
                              left padding; always 0 here, see docs/buddy.md) */
    uint64_t block_size;   /* bytes reserved (a power of two >= size, >= min_block) */
} ll_buddy_allocation;

#define LL_BUDDY_MAX_ORDERS 64

typedef struct ll_buddy_stats {
    uint64_t region_size;        /* as given to create */
    uint64_t bytes_in_use;       /* sum of reserved block sizes */
    uint64_t bytes_requested;    /* sum of the sizes asked by live allocations */
    uint64_t bytes_free;         /* sum of free block sizes */
    uint64_t largest_free_block; /* bytes; 0 when full */
    uint64_t live_objects;
    uint64_t unusable_bytes;     /* the tail no block can cover: region_size % min_block */
    uint32_t order_count;        /* orders 0 .. order_count-1 exist */
    uint64_t free_blocks_per_order[LL_BUDDY_MAX_ORDERS]; /* order 0 = min_block */
} ll_buddy_stats;

/* Creates an allocator over [0, region_size). min_block and granularity are powers of two;
 * region_size >= min_block and need not be a power of two (it is covered by blocks of
 * descending power-of-two sizes; region_size % min_block bytes stay unusable).
 * granularity <= min_block means no linear/optimal constraint. All metadata (at most
 * ll_buddy_metadata_bytes(region_size, min_block) bytes) is allocated here.
 * Errors: LL_E_ARGUMENT naming the parameter and value; LL_E_HOST_MEMORY. */
ll_buddy *ll_buddy_create(uint64_t region_size, uint64_t min_block, uint64_t granularity,
                          ll_error *err);

/* Frees the allocator and its metadata (live allocations are simply forgotten). NULL: no-op. */
void ll_buddy_destroy(ll_buddy *b);

/* Reserves a block for an object of `size` bytes whose offset is a multiple of `alignment`
 * (any power of two, also larger than size or than the region) and that shares no
 * granularity page with an object of the other kind. Fills *out and returns true.
 * Errors (nothing changes): LL_E_ARGUMENT for size 0, an alignment that is not a power of
 * two, an unknown kind or NULL pointers; LL_E_STATE "no free block of N bytes ..." when no
 * suitable free block exists. O(log(region / min_block)), no heap allocation. */
bool ll_buddy_alloc(ll_buddy *b, uint64_t size, uint64_t alignment, ll_buddy_kind kind,
                    ll_buddy_allocation *out, ll_error *err);

/* Releases the allocation starting at `offset` and merges its block with free buddies at
 * once. Errors (nothing changes): LL_E_ARGUMENT when offset is not the offset of a live
 * allocation (double free, never returned, inside a block, outside the region).
 * O(log(region / min_block)), no heap allocation. */
bool ll_buddy_free(ll_buddy *b, uint64_t offset, ll_error *err);

/* Fills *out with the current numbers. O(orders). */
void ll_buddy_get_stats(const ll_buddy *b, ll_buddy_stats *out);

/* Checks every invariant (block tiling, merge state, free sets, granularity tags, counters)
 * by walking all metadata: O(region / min_block). Returns true if all hold; else false
 * with LL_E_STATE and a description in err (when not NULL). For tests. */
bool ll_buddy_validate(const ll_buddy *b, ll_error *err);

/* The most host memory, in bytes, that ll_buddy_create(region_size, min_block, any
 * granularity) allocates: at most N * (1.52 + w) + 32 KiB for N = region_size / min_block
 * min blocks and w = max(1, ceil(log2(min_block) / 8)). UINT64_MAX when that does not fit
 * in 64 bits, min_block is not a power of two or region_size < min_block. */
uint64_t ll_buddy_metadata_bytes(uint64_t region_size, uint64_t min_block);

/* True when no allocation is live (NULL counts as empty). */
bool ll_buddy_is_empty(const ll_buddy *b);

/* The largest block an allocation of `kind` can get now, in bytes (0 when none): an
 * allocation of that kind succeeds when its size and its alignment are both at most this,
 * and fails when its size is larger. What a pool of allocators indexes them by. O(orders). */
uint64_t ll_buddy_largest_free_for(const ll_buddy *b, ll_buddy_kind kind);

/* Additions. */

/* The host memory this allocator actually holds (<= ll_buddy_metadata_bytes). */
uint64_t ll_buddy_host_bytes(const ll_buddy *b);

/* Describes the live allocation at `offset`: its block (*out), the size asked and its kind
 * (each pointer may be NULL). Error LL_E_ARGUMENT when offset is not a live allocation. */
bool ll_buddy_query(const ll_buddy *b, uint64_t offset, ll_buddy_allocation *out,
                    uint64_t *size, ll_buddy_kind *kind, ll_error *err);

/* "linear" or "optimal" ("unknown" otherwise). */
const char *ll_buddy_kind_name(ll_buddy_kind kind);

#endif
