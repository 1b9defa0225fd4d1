/* device_memory.h: every VkDeviceMemory the core allocates, counted process-wide against
 * an optional budget, and the flush/invalidate range of a mapped allocation. Memories'
 * pages (memory.h) and the staging buffer (staging.h) both allocate through here.
 * Not for: placing objects in memory (memory.h) or mapping it. */
#ifndef LL_DEVICE_MEMORY_H
#define LL_DEVICE_MEMORY_H

#include <stdint.h>

#include <volk.h>

#include "lluvia/error.h"
#include "lluvia/session.h"

/* Device memory of this process, over every session: what pages and staging buffers hold
 * now, how many vkAllocateMemory calls succeeded so far, and the budget in force. */
typedef struct ll_device_memory_stats {
    uint64_t live_bytes;
    uint64_t live_allocations;
    uint64_t total_allocations;
    uint64_t budget;            /* 0: none */
} ll_device_memory_stats;

void ll_device_memory_get_stats(ll_device_memory_stats *out);

/* Caps live_bytes: an allocation that would pass `bytes` fails with LL_E_DEVICE_MEMORY as
 * if the device were out of memory (0: no cap). For tests of out-of-memory paths, and for
 * applications that share the device. */
void ll_device_memory_set_budget(uint64_t bytes);

/* vkAllocateMemory with the accounting above; sizes beyond the memory type's heap and
 * allocations beyond maxMemoryAllocationCount or the budget fail with LL_E_DEVICE_MEMORY
 * without asking Vulkan. `purpose` says what the memory is for, in every message ("the
 * staging buffer of a session", "page 3 of a Memory of {DeviceLocal}"; NULL: "the core").
 * Every allocation of the core goes through these two. */
bool ll_device_memory_allocate(ll_session *session, uint32_t type_index, uint64_t size,
                               const char *purpose, VkDeviceMemory *out, ll_error *err);
void ll_device_memory_free(ll_session *session, VkDeviceMemory memory, uint64_t size);

/* Host memory imported as device memory (VK_EXT_external_memory_host): `size` bytes at
 * `host`, both multiples of minImportedHostPointerAlignment, into a type that
 * vkGetMemoryHostPointerPropertiesEXT allows. Counted as an allocation (the count limit),
 * not as device bytes: free it with ll_device_memory_free(session, memory, 0). */
bool ll_device_memory_import(ll_session *session, uint32_t type_index, void *host,
                             uint64_t size, const char *purpose, VkDeviceMemory *out,
                             ll_error *err);

/* The range to flush or invalidate for bytes [offset, offset+size) of a mapped memory of
 * memory_size bytes, rounded out to `atom` (nonCoherentAtomSize). False when empty. */
bool ll_mapped_range(VkDeviceMemory memory, uint64_t memory_size, VkDeviceSize atom,
                     uint64_t offset, uint64_t size, VkMappedMemoryRange *out);

#endif
