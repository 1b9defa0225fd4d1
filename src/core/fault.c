/* fault.c: the fault-injection switch of fault.h and the core's allocation wrappers. The
 * countdowns are thread-local, so a test arming its thread never disturbs another; one
 * process-wide count of armed threads keeps the hooks to a single load while it is 0.
 * Not for: deciding what a failure means (the call sites do). */
#include "lluvia/fault.h"

#include <stdlib.h>
#include <string.h>

atomic_int ll_fault_armed_threads;

static _Thread_local uint64_t countdown[LL_FAULT_KINDS]; /* 0: that kind is off */
static _Thread_local uint64_t fired;
static _Thread_local ll_fault_kind last_vulkan = LL_FAULT_VULKAN; /* the last Vulkan fault */

static bool thread_armed(void)
{
    for (int k = 0; k < LL_FAULT_KINDS; k++)
        if (countdown[k] != 0)
            return true;
    return false;
}

/* Sets one countdown, keeping the armed-thread count in step with this thread's state. */
static void set_countdown(ll_fault_kind kind, uint64_t n)
{
    bool was = thread_armed();
    countdown[kind] = n;
    bool now = thread_armed();
    if (now != was)
        atomic_fetch_add(&ll_fault_armed_threads, now ? 1 : -1);
}

void ll_fault_fail_after(ll_fault_kind kind, uint64_t n)
{
    if ((unsigned)kind < LL_FAULT_KINDS)
        set_countdown(kind, n);
}

uint64_t ll_fault_fired(void)
{
    return fired;
}

void ll_fault_clear(void)
{
    for (int k = 0; k < LL_FAULT_KINDS; k++)
        set_countdown((ll_fault_kind)k, 0);
    fired = 0;
}

bool ll_fault_count(ll_fault_kind kind)
{
    uint64_t n = countdown[kind];
    if (n == 0)
        return false;
    if (n > 1) {
        countdown[kind] = n - 1;
        return false;
    }
    set_countdown(kind, 0);
    fired++;
    return true;
}

bool ll_fault_count_vulkan(void)
{
    bool host = ll_fault_count(LL_FAULT_VULKAN);
    bool device = ll_fault_count(LL_FAULT_DEVICE_MEMORY);
    if (host || device)
        last_vulkan = host ? LL_FAULT_VULKAN : LL_FAULT_DEVICE_MEMORY;
    return host || device;
}

ll_fault_kind ll_fault_vulkan_kind(void)
{
    return last_vulkan;
}

static const char *const kind_names[LL_FAULT_KINDS] = {"host", "vulkan", "deviceMemory"};

const char *ll_fault_kind_name(ll_fault_kind kind)
{
    return (unsigned)kind < LL_FAULT_KINDS ? kind_names[kind] : "unknown";
}

bool ll_fault_kind_parse(const char *name, ll_fault_kind *out)
{
    for (int k = 0; k < LL_FAULT_KINDS; k++)
        if (strcmp(name, kind_names[k]) == 0) {
            *out = (ll_fault_kind)k;
            return true;
        }
    return false;
}

/* ---- the core's allocator ------------------------------------------------------------ */

void *ll_malloc(size_t size)
{
    return ll_fault_hit(LL_FAULT_HOST) ? NULL : malloc(size);
}

void *ll_calloc(size_t count, size_t size)
{
    return ll_fault_hit(LL_FAULT_HOST) ? NULL : calloc(count, size);
}

void *ll_realloc(void *ptr, size_t size)
{
    return ll_fault_hit(LL_FAULT_HOST) ? NULL : realloc(ptr, size);
}

void ll_free(void *ptr)
{
    free(ptr);
}
