/* device_memory.c: the process-wide accounting of device memory (live bytes and
 * allocations, the budget) around vkAllocateMemory/vkFreeMemory, and mapped ranges rounded
 * to nonCoherentAtomSize. Not for: placement (memory.c) or transfers (staging.c). */
#include "lluvia/device_memory.h"

#include <assert.h>
#include <stdatomic.h>

#include "vk_util.h"

static atomic_uint_fast64_t device_live_bytes;
static atomic_uint_fast64_t device_live_allocations;
static atomic_uint_fast64_t device_total_allocations;
static atomic_uint_fast64_t device_budget; /* 0: none */

void ll_device_memory_get_stats(ll_device_memory_stats *out)
{
    out->live_bytes = atomic_load(&device_live_bytes);
    out->live_allocations = atomic_load(&device_live_allocations);
    out->total_allocations = atomic_load(&device_total_allocations);
    out->budget = atomic_load(&device_budget);
}

void ll_device_memory_set_budget(uint64_t bytes)
{
    atomic_store(&device_budget, bytes);
}

/* vkAllocateMemory of `size` bytes with `next` chained to the allocate info, `counted`
 * of them counted as device memory (0 for imported host memory). */
static bool allocate(ll_session *session, uint32_t type_index, uint64_t size, uint64_t counted,
                     const void *next, const char *purpose, VkDeviceMemory *out, ll_error *err)
{
    if (purpose == NULL)
        purpose = "the core";
    const VkPhysicalDeviceMemoryProperties *props = ll_session_memory_properties(session);
    assert(type_index < props->memoryTypeCount);
    uint32_t heap = props->memoryTypes[type_index].heapIndex;
    uint64_t heap_size = props->memoryHeaps[heap].size;
    /* Vulkan forbids asking for more than the heap holds; it is plain lack of memory. */
    if (size > heap_size)
        return ll_fail(err, LL_E_DEVICE_MEMORY, "cannot allocate %llu bytes of device memory "
                       "for %s: memory heap %u holds %llu bytes "
                       "(VK_ERROR_OUT_OF_DEVICE_MEMORY)", (unsigned long long)size, purpose,
                       heap, (unsigned long long)heap_size);
    uint32_t max_count = ll_session_properties(session)->limits.maxMemoryAllocationCount;
    if (atomic_load(&device_live_allocations) >= max_count)
        return ll_fail(err, LL_E_DEVICE_MEMORY, "cannot allocate device memory for %s: %u "
                       "allocations are live, the device's maxMemoryAllocationCount "
                       "(VK_ERROR_TOO_MANY_OBJECTS)", purpose, max_count);
    /* Counted before asking, so that threads racing for the budget cannot overshoot it. */
    uint64_t before = atomic_fetch_add(&device_live_bytes, counted);
    uint64_t budget = atomic_load(&device_budget);
    if (counted != 0 && budget != 0 && (before + counted > budget || before + counted < before)) {
        atomic_fetch_sub(&device_live_bytes, counted);
        return ll_fail(err, LL_E_DEVICE_MEMORY, "cannot allocate %llu bytes of device memory "
                       "for %s: %llu of the budget of %llu bytes are in use "
                       "(VK_ERROR_OUT_OF_DEVICE_MEMORY)", (unsigned long long)size, purpose,
                       (unsigned long long)before, (unsigned long long)budget);
    }
    VkMemoryAllocateInfo info = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .pNext = next,
        .allocationSize = size,
        .memoryTypeIndex = type_index,
    };
    *out = VK_NULL_HANDLE; /* as a skipped call (fault.h) leaves it */
    VkResult r = LL_VK(vkAllocateMemory(ll_session_vk(session), &info, NULL, out));
    if (r != VK_SUCCESS) {
        atomic_fetch_sub(&device_live_bytes, counted);
        return ll_fail(err, ll_vk_status(r), "vkAllocateMemory of %llu bytes on memory type "
                       "%u for %s: %s", (unsigned long long)size, type_index, purpose,
                       ll_vk_result_name(r));
    }
    atomic_fetch_add(&device_live_allocations, 1);
    atomic_fetch_add(&device_total_allocations, 1);
    return true;
}

bool ll_device_memory_allocate(ll_session *session, uint32_t type_index, uint64_t size,
                               const char *purpose, VkDeviceMemory *out, ll_error *err)
{
    return allocate(session, type_index, size, size, NULL, purpose, out, err);
}

bool ll_device_memory_import(ll_session *session, uint32_t type_index, void *host,
                             uint64_t size, const char *purpose, VkDeviceMemory *out,
                             ll_error *err)
{
    VkImportMemoryHostPointerInfoEXT import = {
        .sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT,
        .handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
        .pHostPointer = host,
    };
    return allocate(session, type_index, size, 0, &import, purpose, out, err);
}

void ll_device_memory_free(ll_session *session, VkDeviceMemory memory, uint64_t size)
{
    if (memory == VK_NULL_HANDLE)
        return;
    vkFreeMemory(ll_session_vk(session), memory, NULL);
    atomic_fetch_sub(&device_live_bytes, size);
    atomic_fetch_sub(&device_live_allocations, 1);
}

bool ll_mapped_range(VkDeviceMemory memory, uint64_t memory_size, VkDeviceSize atom,
                     uint64_t offset, uint64_t size, VkMappedMemoryRange *out)
{
    if (size == 0 || offset >= memory_size)
        return false;
    if (atom == 0)
        atom = 1;
    uint64_t end = size > memory_size - offset ? memory_size : offset + size;
    uint64_t start = offset - offset % atom;
    uint64_t rounded = end % atom ? end + (atom - end % atom) : end;
    *out = (VkMappedMemoryRange){
        .sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE,
        .memory = memory,
        .offset = start,
        /* Past the last whole atom, only "to the end of the memory" is valid. */
        .size = rounded >= memory_size || rounded < end ? VK_WHOLE_SIZE : rounded - start,
    };
    return true;
}
