/* bench_memory.c: how placement in a Memory (memory.h) costs as its page count grows, side
 * by side in one run with the naive way it replaced (try every page's buddy allocator in
 * page order, look for another empty page by walking them all) and with the same work at a
 * small page count. Not a test: it asserts nothing. Run from the repository root:
 *   build/bench/bench_memory            ($BENCH_REPS: repetitions, the best reported) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lluvia/device_memory.h"
#include "lluvia/memory.h"

#define PAGE 4096u
#define MIN_BLOCK 256u /* the Memory's smallest block for 4 KiB pages */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void die(const char *what, const ll_error *err)
{
    fprintf(stderr, "bench_memory: %s: %s\n", what, err->message);
    exit(1);
}

/* ---- the naive way, as memory.c placed objects before its page index ------------------ */

typedef struct naive_page {
    VkDeviceMemory memory;
    void *mapped;
    ll_buddy *buddy; /* NULL: no page at this number */
} naive_page;

typedef struct naive {
    ll_session *session;
    uint32_t type;
    bool mappable;
    naive_page *pages;
    uint32_t slots;
} naive;

static void naive_page_drop(naive *n, naive_page *p)
{
    if (p->mapped != NULL)
        vkUnmapMemory(ll_session_vk(n->session), p->memory);
    ll_device_memory_free(n->session, p->memory, PAGE);
    ll_buddy_destroy(p->buddy);
    memset(p, 0, sizeof *p);
}

/* First page, in page order, whose allocator takes the object; else a new page in the
 * lowest free number. */
static uint32_t naive_alloc(naive *n, uint64_t size, uint64_t *offset)
{
    ll_buddy_allocation a;
    for (uint32_t i = 0; i < n->slots; i++)
        if (n->pages[i].buddy != NULL &&
            ll_buddy_alloc(n->pages[i].buddy, size, 1, LL_BUDDY_LINEAR, &a, NULL)) {
            *offset = a.offset;
            return i;
        }
    uint32_t slot = 0;
    while (slot < n->slots && n->pages[slot].buddy != NULL)
        slot++;
    if (slot == n->slots) {
        uint32_t grown = n->slots ? n->slots * 2 : 4;
        n->pages = realloc(n->pages, grown * sizeof *n->pages);
        memset(n->pages + n->slots, 0, (grown - n->slots) * sizeof *n->pages);
        n->slots = grown;
    }
    ll_error err;
    naive_page *p = &n->pages[slot];
    p->buddy = ll_buddy_create(PAGE, MIN_BLOCK, 1, &err);
    if (p->buddy == NULL ||
        !ll_device_memory_allocate(n->session, n->type, PAGE, "a naive page", &p->memory, &err))
        die("naive page", &err);
    if (n->mappable)
        vkMapMemory(ll_session_vk(n->session), p->memory, 0, VK_WHOLE_SIZE, 0, &p->mapped);
    ll_buddy_alloc(p->buddy, size, 1, LL_BUDDY_LINEAR, &a, NULL);
    *offset = a.offset;
    return slot;
}

/* Frees; an empty page goes unless no other page is empty (found by walking them all). */
static void naive_free(naive *n, uint32_t page, uint64_t offset)
{
    naive_page *p = &n->pages[page];
    ll_buddy_free(p->buddy, offset, NULL);
    if (!ll_buddy_is_empty(p->buddy))
        return;
    for (uint32_t i = 0; i < n->slots; i++)
        if (i != page && n->pages[i].buddy != NULL && ll_buddy_is_empty(n->pages[i].buddy)) {
            naive_page_drop(n, p);
            return;
        }
}

static void naive_drop_all(naive *n)
{
    for (uint32_t i = 0; i < n->slots; i++)
        if (n->pages[i].buddy != NULL)
            naive_page_drop(n, &n->pages[i]);
    free(n->pages);
    n->pages = NULL;
    n->slots = 0;
}

/* ---- workloads ---------------------------------------------------------------------------- */

static ll_session *session;
static int reps = 3;

/* Object i's size: with `mixed`, 256 B to 4 KiB in a fixed pattern; else a whole page. */
static uint64_t size_of(uint64_t i, bool mixed)
{
    return mixed ? (uint64_t)MIN_BLOCK << (i * 7 % 5) : PAGE;
}

/* Seconds to place `count` objects in a new Memory of 4 KiB pages and free them in a
 * scattered order (ours), best of reps. */
static double ours_create_free(uint32_t count, bool mixed)
{
    double best = 1e30;
    ll_allocation *a = malloc(count * sizeof *a);
    for (int r = 0; r < reps; r++) {
        ll_error err;
        ll_memory *m = ll_memory_create(session, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, PAGE,
                                        false, &err);
        if (m == NULL)
            die("ll_memory_create", &err);
        double t0 = now();
        for (uint32_t i = 0; i < count; i++) {
            VkMemoryRequirements req = {size_of(i, mixed), 16, 1u << ll_memory_type_index(m)};
            if (!ll_memory_allocate(m, &req, LL_BUDDY_LINEAR, &a[i], &err))
                die("ll_memory_allocate", &err);
        }
        for (uint32_t i = 0; i < count; i++)
            ll_memory_free(m, &a[(uint64_t)i * 7919 % count]);
        double t = now() - t0;
        ll_memory_release(m);
        if (t < best)
            best = t;
    }
    free(a);
    return best;
}

/* The same with the naive way. 7919 is prime, so i * 7919 % count visits every object
 * when count is not a multiple of it. */
static double naive_create_free(uint32_t count, bool mixed)
{
    double best = 1e30;
    uint32_t *page = malloc(count * sizeof *page);
    uint64_t *offset = malloc(count * sizeof *offset);
    ll_error err;
    ll_memory *probe = ll_memory_create(session, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, PAGE,
                                        false, &err);
    if (probe == NULL)
        die("ll_memory_create", &err);
    naive n = {session, ll_memory_type_index(probe), true, NULL, 0};
    ll_memory_release(probe);
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        for (uint32_t i = 0; i < count; i++)
            page[i] = naive_alloc(&n, size_of(i, mixed), &offset[i]);
        for (uint32_t i = 0; i < count; i++) {
            uint64_t at = (uint64_t)i * 7919 % count;
            naive_free(&n, page[at], offset[at]);
        }
        double t = now() - t0;
        naive_drop_all(&n);
        if (t < best)
            best = t;
    }
    free(page);
    free(offset);
    return best;
}

/* Seconds per free+allocate pair of one object among `live` live mixed objects: the cost
 * of placement alone (no page is made or freed once the Memory is full). */
static double ours_churn(uint32_t live, uint32_t pairs)
{
    ll_error err;
    ll_memory *m = ll_memory_create(session, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, PAGE, false,
                                    &err);
    if (m == NULL)
        die("ll_memory_create", &err);
    ll_allocation *a = malloc(live * sizeof *a);
    uint32_t type_bits = 1u << ll_memory_type_index(m);
    for (uint32_t i = 0; i < live; i++) {
        VkMemoryRequirements req = {size_of(i, true), 16, type_bits};
        if (!ll_memory_allocate(m, &req, LL_BUDDY_LINEAR, &a[i], &err))
            die("ll_memory_allocate", &err);
    }
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        for (uint32_t i = 0; i < pairs; i++) {
            uint32_t at = (uint32_t)((uint64_t)i * 7919 % live);
            VkMemoryRequirements req = {size_of(at, true), 16, type_bits};
            ll_memory_free(m, &a[at]);
            if (!ll_memory_allocate(m, &req, LL_BUDDY_LINEAR, &a[at], &err))
                die("ll_memory_allocate", &err);
        }
        double t = (now() - t0) / pairs;
        if (t < best)
            best = t;
    }
    for (uint32_t i = 0; i < live; i++)
        ll_memory_free(m, &a[i]);
    ll_memory_release(m);
    free(a);
    return best;
}

/* ---- the table ---------------------------------------------------------------------------- */

static void row(const char *operation, double ours, const char *unit, double scale,
                double reference, const char *reference_name)
{
    char o[32], ref[64];
    snprintf(o, sizeof o, "%.2f %s", ours * scale, unit);
    snprintf(ref, sizeof ref, "%.2f %s (%s)", reference * scale, unit, reference_name);
    printf("%-58s  %-12s  %-32s  %.2f\n", operation, o, ref, ours / reference);
}

int main(void)
{
    const char *env = getenv("BENCH_REPS");
    if (env != NULL && atoi(env) > 0)
        reps = atoi(env);
    ll_session_options opts = {0};
    ll_error err;
    session = ll_session_create(&opts, &err);
    if (session == NULL)
        die("ll_session_create", &err);
    printf("Memory placement benchmark: 4 KiB pages, best of %d runs, %s\n", reps,
           ll_session_properties(session)->deviceName);
    printf("%-58s  %-12s  %-32s  %s\n", "operation", "ours", "reference", "ratio");
    printf("%-58s  %-12s  %-32s  %s\n", "----------------------------------------------------------",
           "------------", "--------------------------------", "-----");

    static const uint32_t naive_counts[] = {3000, 12000, 24000};
    for (size_t i = 0; i < sizeof naive_counts / sizeof naive_counts[0]; i++) {
        char op[96];
        uint32_t n = naive_counts[i];
        snprintf(op, sizeof op, "create+free %u objects of 4 KiB (a page each)", n);
        row(op, ours_create_free(n, false), "ms", 1e3, naive_create_free(n, false),
            "naive scan");
    }
    double small = ours_create_free(1000, true) / 1000;
    double large = ours_create_free(100000, true) / 100000;
    row("create+free 100,000 objects of 256 B-4 KiB, per object", large, "us", 1e6, small,
        "1,000 objects");
    small = ours_create_free(1000, false) / 1000;
    large = ours_create_free(100000, false) / 100000;
    row("create+free 100,000 objects of 4 KiB (a page each), per object", large, "us", 1e6,
        small, "1,000 objects");
    row("free+create 1 among 100,000 live objects, per pair", ours_churn(100000, 200000), "us",
        1e6, ours_churn(5, 200000), "among 5, in 2 pages");
    ll_session_release(session);
    return 0;
}
