/* fault.h: fault injection for tests, as SQLite's do_malloc_test and Lua's testes/memerr.lua
 * do it: make the Nth host allocation, or the Nth checked Vulkan call, of the calling
 * thread fail, so that a test can drive every failure path of a create in turn. Every
 * allocation of the core goes through ll_malloc/ll_calloc/ll_realloc/ll_free, and every
 * Vulkan call whose VkResult the core checks goes through LL_VK or LL_VK_AFTER (vk_util.h).
 * Off by default; while no thread has a fault set, a hook costs one relaxed atomic load.
 * Not for: production error handling, or allocations of the binding's Lua state. */
#ifndef LL_FAULT_H
#define LL_FAULT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum ll_fault_kind {
    LL_FAULT_HOST = 0,          /* ll_malloc, ll_calloc, ll_realloc return NULL */
    LL_FAULT_VULKAN = 1,        /* a checked Vulkan call returns VK_ERROR_OUT_OF_HOST_MEMORY */
    LL_FAULT_DEVICE_MEMORY = 2, /* a checked Vulkan call returns VK_ERROR_OUT_OF_DEVICE_MEMORY
                                   (the calls LL_FAULT_VULKAN counts, counted apart) */
} ll_fault_kind;

#define LL_FAULT_KINDS 3

/* Arms the calling thread: its n-th hook of `kind` from now on fails (n = 1: the next
 * one), once; then the kind is disarmed again. n = 0 disarms the kind. The counts are per
 * thread: other threads are not affected. */
void ll_fault_fail_after(ll_fault_kind kind, uint64_t n);

/* Faults fired on the calling thread since the last ll_fault_clear. */
uint64_t ll_fault_fired(void);

/* Disarms every kind on the calling thread and sets its fired count to 0. */
void ll_fault_clear(void);

/* "host", "vulkan" or "deviceMemory"; ll_fault_kind_parse is its inverse (false for
 * other names). */
const char *ll_fault_kind_name(ll_fault_kind kind);
bool ll_fault_kind_parse(const char *name, ll_fault_kind *out);

/* Counts one hook of `kind` on the calling thread; true when this one must fail. Use
 * ll_fault_hit, which skips the call while no thread is armed. */
bool ll_fault_count(ll_fault_kind kind);

/* The number of threads with a fault armed (the hooks' fast path reads only this). */
extern atomic_int ll_fault_armed_threads;

static inline bool ll_fault_hit(ll_fault_kind kind)
{
    return atomic_load_explicit(&ll_fault_armed_threads, memory_order_relaxed) != 0 &&
           ll_fault_count(kind);
}

/* Counts one checked Vulkan call for both Vulkan kinds; true when one fires, and then
 * ll_fault_vulkan_kind says which (LL_FAULT_VULKAN or LL_FAULT_DEVICE_MEMORY). Use
 * ll_fault_hit_vulkan, which skips the count while no thread is armed. */
bool ll_fault_count_vulkan(void);
ll_fault_kind ll_fault_vulkan_kind(void);

static inline bool ll_fault_hit_vulkan(void)
{
    return atomic_load_explicit(&ll_fault_armed_threads, memory_order_relaxed) != 0 &&
           ll_fault_count_vulkan();
}

/* The core's allocator: malloc, calloc, realloc and free, failing when a host fault fires
 * (ll_realloc then leaves the block as it was). */
void *ll_malloc(size_t size);
void *ll_calloc(size_t count, size_t size);
void *ll_realloc(void *ptr, size_t size);
void ll_free(void *ptr);

#endif
