/* parallel_copy.h: memcpy of large blocks spread over the host's cores, for the transfers
 * whose copy is on the critical path (staging slots, mapped memory): one thread's memcpy
 * reaches about 10 GB/s on a server, a fraction of what its memory and the bus carry.
 * Not for: overlapping ranges, or small blocks (copied in the calling thread). */
#ifndef LL_PARALLEL_COPY_H
#define LL_PARALLEL_COPY_H

#include <stddef.h>

/* Below this many bytes, one thread copies. */
#define LL_PARALLEL_COPY_MIN (4u << 20)

/* Copies n bytes; the ranges must not overlap. Up to one part per online core (at most
 * 8, each at least 2 MiB) runs on a thread of its own; a thread that cannot be started
 * leaves its part to the caller. Never fails. */
void ll_parallel_copy(void *dst, const void *src, size_t n);

#endif
