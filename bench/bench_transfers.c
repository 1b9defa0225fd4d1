/* bench_transfers.c: the reference points of bench/transfers.lua, measured in C on the
 * default device (or $LLUVIA_DEVICE), and the C core's own figures: raw vkCmdCopyBuffer
 * between preallocated host-visible and device-local buffers, memcpy of the same bytes into
 * and out of mapped memory, a 4 KiB round trip of two raw submits, one 4 KiB upload step by
 * step (re-recorded, with our barriers, vkCmdUpdateBuffer), buffer create + release
 * pairs (the core's ll_buffer_create, one vkAllocateMemory per buffer, the bare
 * vkCreateBuffer + bind + destroy loop), and the buddy allocator against a first-fit free
 * list (the original lluvia's algorithm) on three traces. Not a test: it asserts nothing.
 * Prints one figure a line, "key bytes value" (seconds, or a fraction), for transfers.lua:
 *   build/bench/bench_transfers [--quick] [--max BYTES] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_NAME "bench_transfers"
#include "bench_util.h"
#include "context.h"
#include "lluvia/buddy.h"
#include "lluvia/buffer.h"
#include "lluvia/device_memory.h"
#include "lluvia/memory.h"
#include "parallel_copy.h"

static ll_session *session;
static VkDevice dev;
static bool quick;
static double budget = 0.25; /* seconds of repetitions per figure, after the first three */

/* Best seconds of f(user): at least 3 runs (2 with --quick), more while the budget lasts,
 * at most 2000. */
static double best_of(void (*f)(void *), void *user)
{
    return best_of_runs(f, user, quick ? 2 : 3, 2000, budget);
}

/* ---- raw Vulkan: buffers, memory types, one command buffer ------------------------------ */

/* The first type with all of `want` and none of `avoid` among `bits`; else with `want`. */
static uint32_t memory_type(uint32_t bits, VkMemoryPropertyFlags want, VkMemoryPropertyFlags avoid)
{
    const VkPhysicalDeviceMemoryProperties *p = ll_session_memory_properties(session);
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < p->memoryTypeCount; i++) {
            VkMemoryPropertyFlags f = p->memoryTypes[i].propertyFlags;
            if ((bits & (1u << i)) && (f & want) == want && (pass == 1 || (f & avoid) == 0))
                return i;
        }
    die("memory type", "none has the flags asked");
    return 0;
}

typedef struct raw_buffer {
    VkBuffer buffer;
    VkDeviceMemory memory;
    void *mapped;
} raw_buffer;

static raw_buffer raw_create(uint64_t size, bool host_visible)
{
    raw_buffer b = {0};
    VkBufferCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .size = size,
        .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    check(vkCreateBuffer(dev, &info, NULL, &b.buffer), "vkCreateBuffer");
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(dev, b.buffer, &req);
    VkMemoryAllocateInfo alloc = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .allocationSize = req.size,
        .memoryTypeIndex = host_visible
            ? memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                                  VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                          VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)
            : memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                          VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT),
    };
    check(vkAllocateMemory(dev, &alloc, NULL, &b.memory), "vkAllocateMemory");
    check(vkBindBufferMemory(dev, b.buffer, b.memory, 0), "vkBindBufferMemory");
    if (host_visible)
        check(vkMapMemory(dev, b.memory, 0, VK_WHOLE_SIZE, 0, &b.mapped), "vkMapMemory");
    return b;
}

static void raw_destroy(raw_buffer *b)
{
    vkDestroyBuffer(dev, b->buffer, NULL);
    vkFreeMemory(dev, b->memory, NULL);
}

typedef struct raw_commands {
    VkCommandPool pool;
    VkCommandBuffer cb;
    VkFence fence;
} raw_commands;

static raw_commands commands_create(void)
{
    raw_commands c = {0};
    VkCommandPoolCreateInfo pool = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
        .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
        .queueFamilyIndex = ll_device_queue_family(ll_session_device(session)),
    };
    check(vkCreateCommandPool(dev, &pool, NULL, &c.pool), "vkCreateCommandPool");
    VkCommandBufferAllocateInfo cb = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = c.pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 1,
    };
    check(vkAllocateCommandBuffers(dev, &cb, &c.cb), "vkAllocateCommandBuffers");
    VkFenceCreateInfo fence = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    check(vkCreateFence(dev, &fence, NULL, &c.fence), "vkCreateFence");
    return c;
}

static void commands_destroy(raw_commands *c)
{
    vkDestroyFence(dev, c->fence, NULL);
    vkDestroyCommandPool(dev, c->pool, NULL);
}

/* Records one copy of `size` bytes from src to dst, reused for every submit. */
static void record_copy(raw_commands *c, VkBuffer src, VkBuffer dst, uint64_t size)
{
    VkCommandBufferBeginInfo begin = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    check(vkBeginCommandBuffer(c->cb, &begin), "vkBeginCommandBuffer");
    VkBufferCopy region = {.size = size};
    vkCmdCopyBuffer(c->cb, src, dst, 1, &region);
    check(vkEndCommandBuffer(c->cb), "vkEndCommandBuffer");
}

static void submit_wait(void *user)
{
    raw_commands *c = user;
    VkSubmitInfo submit = {
        .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
        .commandBufferCount = 1,
        .pCommandBuffers = &c->cb,
    };
    check(ll_device_submit(ll_session_device(session), &submit, c->fence), "vkQueueSubmit");
    check(vkWaitForFences(dev, 1, &c->fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
    check(vkResetFences(dev, 1, &c->fence), "vkResetFences");
}

/* ---- transfers ---------------------------------------------------------------------------- */

typedef struct copy_job {
    void *dst;
    const void *src;
    size_t size;
} copy_job;

static void run_memcpy(void *user)
{
    copy_job *j = user;
    memcpy(j->dst, j->src, j->size);
    __asm__ volatile("" : : "r"(j->dst) : "memory");
}

static void run_parallel_copy(void *user)
{
    copy_job *j = user;
    ll_parallel_copy(j->dst, j->src, j->size);
    __asm__ volatile("" : : "r"(j->dst) : "memory");
}

static void transfers(uint64_t size)
{
    raw_buffer host = raw_create(size, true), device = raw_create(size, false);
    raw_commands up = commands_create(), down = commands_create();
    record_copy(&up, host.buffer, device.buffer, size);
    record_copy(&down, device.buffer, host.buffer, size);
    unsigned char *array = malloc(size);
    if (array == NULL)
        die("malloc", "out of host memory");
    memset(array, 1, size);
    memset(host.mapped, 2, size);
    printf("raw_up %llu %.9g\n", (unsigned long long)size, best_of(submit_wait, &up));
    printf("raw_down %llu %.9g\n", (unsigned long long)size, best_of(submit_wait, &down));
    copy_job to_mapped = {host.mapped, array, size}, from_mapped = {array, host.mapped, size};
    printf("memcpy_up %llu %.9g\n", (unsigned long long)size, best_of(run_memcpy, &to_mapped));
    printf("memcpy_down %llu %.9g\n", (unsigned long long)size,
           best_of(run_memcpy, &from_mapped));
    printf("parallel_copy_up %llu %.9g\n", (unsigned long long)size,
           best_of(run_parallel_copy, &to_mapped));
    fflush(stdout);
    free(array);
    commands_destroy(&up);
    commands_destroy(&down);
    raw_destroy(&host);
    raw_destroy(&device);
}

typedef struct round_trip {
    raw_commands *up, *down;
} round_trip;

static void run_round_trip(void *user)
{
    round_trip *t = user;
    submit_wait(t->up);
    submit_wait(t->down);
}

/* 4 KiB host-visible -> device-local, then back: two submits, each waited for. */
static void round_trip_4k(void)
{
    raw_buffer host = raw_create(4096, true), device = raw_create(4096, false);
    raw_commands up = commands_create(), down = commands_create();
    record_copy(&up, host.buffer, device.buffer, 4096);
    record_copy(&down, device.buffer, host.buffer, 4096);
    round_trip t = {&up, &down};
    printf("raw_round_trip 4096 %.9g\n", best_of(run_round_trip, &t));
    commands_destroy(&up);
    commands_destroy(&down);
    raw_destroy(&host);
    raw_destroy(&device);
}

/* ---- one 4 KiB upload, step by step: where a submit's time goes ----------------------- */

/* Our path's barriers around a transfer write (buffer.c): whatever ran before, host
 * included, then whatever runs after. */
#define STEP_STAGES (VK_PIPELINE_STAGE_ALL_COMMANDS_BIT | VK_PIPELINE_STAGE_HOST_BIT)

typedef struct upload_step {
    raw_commands *c;
    VkBuffer src, dst;
    const void *data; /* for vkCmdUpdateBuffer */
    bool update, barriers;
} upload_step;

static void step_barrier(VkCommandBuffer cb, VkBuffer dst, VkPipelineStageFlags src_stage,
                         VkAccessFlags src_access, VkPipelineStageFlags dst_stage,
                         VkAccessFlags dst_access)
{
    const VkBufferMemoryBarrier b = {VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER, NULL, src_access,
                                     dst_access, VK_QUEUE_FAMILY_IGNORED,
                                     VK_QUEUE_FAMILY_IGNORED, dst, 0, 4096};
    vkCmdPipelineBarrier(cb, src_stage, dst_stage, 0, 0, NULL, 1, &b, 0, NULL);
}

/* What ll_commands_run does for one write, without the runtime around it: reset the pool,
 * record (one-time), end, reset the fence, submit, wait. */
static void run_upload_step(void *user)
{
    upload_step *u = user;
    VkCommandBuffer cb = u->c->cb;
    check(vkResetCommandPool(dev, u->c->pool, 0), "vkResetCommandPool");
    VkCommandBufferBeginInfo begin = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                      .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT};
    check(vkBeginCommandBuffer(cb, &begin), "vkBeginCommandBuffer");
    if (u->barriers)
        step_barrier(cb, u->dst, STEP_STAGES, VK_ACCESS_MEMORY_WRITE_BIT |
                     VK_ACCESS_HOST_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                     VK_ACCESS_TRANSFER_WRITE_BIT);
    if (u->update) {
        vkCmdUpdateBuffer(cb, u->dst, 0, 4096, u->data);
    } else {
        VkBufferCopy region = {.size = 4096};
        vkCmdCopyBuffer(cb, u->src, u->dst, 1, &region);
    }
    if (u->barriers)
        step_barrier(cb, u->dst, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     STEP_STAGES, VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT |
                     VK_ACCESS_HOST_READ_BIT | VK_ACCESS_HOST_WRITE_BIT);
    check(vkEndCommandBuffer(cb), "vkEndCommandBuffer");
    submit_wait(u->c);
}

/* Prints step_copy (re-recorded vkCmdCopyBuffer), step_copy_barriers (with our two
 * barriers), step_update (vkCmdUpdateBuffer), step_update_barriers (our [update] path's
 * commands), each one submit and fence wait of 4 KiB into device-local memory. */
static void upload_steps(void)
{
    raw_buffer host = raw_create(4096, true), device = raw_create(4096, false);
    raw_commands c = commands_create();
    static unsigned char data[4096];
    memset(data, 3, sizeof data);
    const char *names[] = {"step_copy", "step_copy_barriers", "step_update",
                           "step_update_barriers"};
    for (int i = 0; i < 4; i++) {
        upload_step u = {&c, host.buffer, device.buffer, data, i >= 2, i % 2 == 1};
        printf("%s 4096 %.9g\n", names[i], best_of(run_upload_step, &u));
    }
    fflush(stdout);
    commands_destroy(&c);
    raw_destroy(&host);
    raw_destroy(&device);
}

/* ---- create + release --------------------------------------------------------------------- */

#define PAIRS 256 /* per timed run */

typedef struct pairs_job {
    uint64_t size;
    ll_memory *memory;
    uint32_t type;
    VkDeviceMemory backing; /* for the bare loop */
} pairs_job;

static void core_pairs(void *user)
{
    pairs_job *j = user;
    ll_error err;
    for (int i = 0; i < PAIRS; i++) {
        ll_buffer *b = ll_buffer_create(j->memory, j->size, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                                        &err);
        if (b == NULL)
            die("ll_buffer_create", err.message);
        ll_buffer_release(b);
    }
}

static VkBuffer plain_buffer(uint64_t size)
{
    VkBufferCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .size = size,
        .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                 VK_BUFFER_USAGE_TRANSFER_DST_BIT,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    VkBuffer b;
    check(vkCreateBuffer(dev, &info, NULL, &b), "vkCreateBuffer");
    return b;
}

/* vkCreateBuffer + bind + destroy, the memory either allocated and freed for each buffer
 * (one vkAllocateMemory per buffer) or one block made beforehand (the bare loop). */
static void vulkan_pairs(pairs_job *j, bool allocate)
{
    for (int i = 0; i < PAIRS; i++) {
        VkBuffer b = plain_buffer(j->size);
        VkMemoryRequirements req;
        vkGetBufferMemoryRequirements(dev, b, &req);
        VkDeviceMemory m = j->backing;
        VkMemoryAllocateInfo alloc = {
            .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
            .allocationSize = req.size,
            .memoryTypeIndex = j->type,
        };
        if (allocate)
            check(vkAllocateMemory(dev, &alloc, NULL, &m), "vkAllocateMemory");
        check(vkBindBufferMemory(dev, b, m, 0), "vkBindBufferMemory");
        vkDestroyBuffer(dev, b, NULL);
        if (allocate)
            vkFreeMemory(dev, m, NULL);
    }
}

static void allocate_pairs(void *user) { vulkan_pairs(user, true); }
static void bare_pairs(void *user) { vulkan_pairs(user, false); }

static void create_release(uint64_t size)
{
    ll_error err;
    pairs_job j = {.size = size};
    j.memory = ll_memory_create(session, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 32u << 20, false,
                                &err);
    if (j.memory == NULL)
        die("ll_memory_create", err.message);
    VkBuffer probe = plain_buffer(size);
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(dev, probe, &req);
    vkDestroyBuffer(dev, probe, NULL);
    j.type = ll_memory_type_index(j.memory);
    VkMemoryAllocateInfo alloc = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .allocationSize = req.size,
        .memoryTypeIndex = j.type,
    };
    check(vkAllocateMemory(dev, &alloc, NULL, &j.backing), "vkAllocateMemory");
    printf("core_pair %llu %.9g\n", (unsigned long long)size, best_of(core_pairs, &j) / PAIRS);
    printf("allocate_pair %llu %.9g\n", (unsigned long long)size,
           best_of(allocate_pairs, &j) / PAIRS);
    printf("bare_pair %llu %.9g\n", (unsigned long long)size, best_of(bare_pairs, &j) / PAIRS);
    fflush(stdout);
    vkFreeMemory(dev, j.backing, NULL);
    ll_memory_release(j.memory);
}

/* ---- allocators: the buddy allocator against a first-fit free list ---------------------- */

/* The original lluvia's placement: free intervals sorted by offset, the first that holds
 * the aligned request taken (its head and tail stay free), neighbours merged on free. */
typedef struct interval {
    uint64_t offset, size;
} interval;

typedef struct first_fit {
    interval *free;
    size_t count, capacity;
} first_fit;

static void ff_init(first_fit *f, uint64_t region)
{
    f->capacity = 1024;
    f->free = malloc(f->capacity * sizeof *f->free);
    f->free[0] = (interval){0, region};
    f->count = 1;
}

static void ff_insert_at(first_fit *f, size_t at, interval v)
{
    if (f->count == f->capacity) {
        f->capacity *= 2;
        f->free = realloc(f->free, f->capacity * sizeof *f->free);
    }
    memmove(f->free + at + 1, f->free + at, (f->count - at) * sizeof *f->free);
    f->free[at] = v;
    f->count++;
}

static void ff_remove_at(first_fit *f, size_t at)
{
    memmove(f->free + at, f->free + at + 1, (f->count - at - 1) * sizeof *f->free);
    f->count--;
}

static bool ff_alloc(first_fit *f, uint64_t size, uint64_t alignment, uint64_t *offset)
{
    for (size_t i = 0; i < f->count; i++) {
        interval v = f->free[i];
        uint64_t at = (v.offset + alignment - 1) / alignment * alignment;
        if (at - v.offset + size > v.size)
            continue;
        uint64_t head = at - v.offset, tail = v.size - head - size;
        ff_remove_at(f, i);
        if (tail > 0)
            ff_insert_at(f, i, (interval){at + size, tail});
        if (head > 0)
            ff_insert_at(f, i, (interval){v.offset, head});
        *offset = at;
        return true;
    }
    return false;
}

static void ff_free(first_fit *f, uint64_t offset, uint64_t size)
{
    size_t lo = 0, hi = f->count; /* the first interval after offset */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (f->free[mid].offset < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    interval v = {offset, size};
    if (lo < f->count && v.offset + v.size == f->free[lo].offset) {
        v.size += f->free[lo].size;
        ff_remove_at(f, lo);
    }
    if (lo > 0 && f->free[lo - 1].offset + f->free[lo - 1].size == v.offset) {
        f->free[lo - 1].size += v.size;
        return;
    }
    ff_insert_at(f, lo, v);
}

static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Sizes of a trace: churn, 256 B to 64 KiB (log-uniform) with 256-byte alignment; images,
 * 64 KiB to 8 MiB with 1 KiB alignment (optimal tiling, bufferImageGranularity 1024). */
typedef struct trace {
    const char *name;
    uint64_t region, min_block, granularity, alignment;
    int min_log, max_log;
    ll_buddy_kind kind;
    uint32_t live, rounds, batch;
} trace;

static uint64_t trace_size(const trace *t)
{
    int log = t->min_log + (int)(rng() % (uint64_t)(t->max_log - t->min_log + 1));
    uint64_t base = 1ull << log;
    return base + rng() % base; /* [2^log, 2^(log+1)) */
}

typedef struct slot {
    uint64_t offset, size;
} slot;

/* ns per allocation and per free, ours and first-fit's: `live` objects placed, then
 * `rounds` times `batch` of them freed (every other one from a moving start) and placed
 * again with new sizes; the batches timed apart. */
static void allocator_trace(const trace *t)
{
    slot *s = malloc(t->live * sizeof *s);
    for (int which = 0; which < 2; which++) {
        ll_error err;
        ll_buddy *b = NULL;
        first_fit f = {0};
        if (which == 0) {
            b = ll_buddy_create(t->region, t->min_block, t->granularity, &err);
            if (b == NULL)
                die("ll_buddy_create", err.message);
        } else {
            ff_init(&f, t->region);
        }
        rng_state = 0x9e3779b97f4a7c15ull;
        double alloc_time = 0, free_time = 0;
        uint64_t allocs = 0, frees = 0;
        for (uint32_t i = 0; i < t->live; i++) {
            s[i].size = trace_size(t);
            if (which == 0) {
                ll_buddy_allocation a;
                if (!ll_buddy_alloc(b, s[i].size, t->alignment, t->kind, &a, &err))
                    die("trace fill (buddy)", err.message);
                s[i].offset = a.offset;
            } else if (!ff_alloc(&f, s[i].size, t->alignment, &s[i].offset)) {
                die("trace fill (first fit)", "region full");
            }
        }
        for (uint32_t r = 0; r < t->rounds; r++) {
            uint32_t start = (uint32_t)(rng() % t->live);
            double t0 = now();
            for (uint32_t k = 0; k < t->batch; k++) {
                slot *o = &s[(start + 2 * k) % t->live];
                if (which == 0)
                    ll_buddy_free(b, o->offset, NULL);
                else
                    ff_free(&f, o->offset, o->size);
            }
            double t1 = now();
            for (uint32_t k = 0; k < t->batch; k++) {
                slot *o = &s[(start + 2 * k) % t->live];
                o->size = trace_size(t);
                bool ok;
                if (which == 0) {
                    ll_buddy_allocation a;
                    ok = ll_buddy_alloc(b, o->size, t->alignment, t->kind, &a, NULL);
                    o->offset = a.offset;
                } else {
                    ok = ff_alloc(&f, o->size, t->alignment, &o->offset);
                }
                if (!ok) /* keep the object out of the trace: size 0 frees nothing */
                    die(t->name, "the region filled up: make it larger");
            }
            double t2 = now();
            free_time += t1 - t0;
            alloc_time += t2 - t1;
            frees += t->batch;
            allocs += t->batch;
        }
        const char *who = which == 0 ? "buddy" : "first_fit";
        printf("%s_%s_alloc 0 %.9g\n", who, t->name, alloc_time / (double)allocs);
        printf("%s_%s_free 0 %.9g\n", who, t->name, free_time / (double)frees);
        ll_buddy_destroy(b);
        free(f.free);
    }
    free(s);
    fflush(stdout);
}

/* The buddy block a request of `size` bytes takes: the power of two at or above it, 256 B
 * at least (the page's smallest block). */
static uint64_t block_of(uint64_t size)
{
    uint64_t block = 256;
    while (block < size)
        block *= 2;
    return block;
}

/* Fragmentation: one 32 MiB page, objects of 256 B to 1 MiB (log-uniform) placed, and a
 * random earlier one freed after every second placement, until the first placement fails:
 * the fraction of the page the live objects' sizes make up then. */
static void fragmentation(void)
{
    const uint64_t region = 32u << 20;
    const uint32_t cap = 1u << 20;
    trace t = {.min_log = 8, .max_log = 19};
    slot *s = malloc(cap * sizeof *s);
    for (int which = 0; which < 2; which++) {
        ll_error err;
        ll_buddy *b = which == 0 ? ll_buddy_create(region, 256, 1, &err) : NULL;
        first_fit f = {0};
        if (which == 0 && b == NULL)
            die("ll_buddy_create", err.message);
        if (which == 1)
            ff_init(&f, region);
        rng_state = 0x2545f4914f6cdd1dull;
        uint32_t n = 0;
        uint64_t live = 0, blocks = 0, failed = 0; /* blocks: live sizes rounded up */
        for (uint32_t step = 0; n < cap; step++) {
            uint64_t size = trace_size(&t);
            failed = size;
            bool ok;
            if (which == 0) {
                ll_buddy_allocation a;
                ok = ll_buddy_alloc(b, size, 256, LL_BUDDY_LINEAR, &a, NULL);
                s[n].offset = a.offset;
            } else {
                ok = ff_alloc(&f, size, 256, &s[n].offset);
            }
            if (!ok)
                break;
            s[n].size = size;
            live += size;
            blocks += block_of(size);
            n++;
            if (step % 2 == 1) {
                uint32_t at = (uint32_t)(rng() % n);
                if (which == 0)
                    ll_buddy_free(b, s[at].offset, NULL);
                else
                    ff_free(&f, s[at].offset, s[at].size);
                live -= s[at].size;
                blocks -= block_of(s[at].size);
                s[at] = s[--n];
            }
        }
        const char *who = which == 0 ? "buddy" : "first_fit";
        printf("%s_live_at_failure 0 %.6f\n", who, (double)live / (double)region);
        /* What the buddy's blocks of the same live objects would cover, and the failed
         * request's block: rounding (internal) against placement (external) loss. */
        printf("%s_blocks_at_failure 0 %.6f\n", who, (double)blocks / (double)region);
        printf("%s_failed_block 0 %.6f\n", who, (double)block_of(failed) / (double)region);
        ll_buddy_destroy(b);
        free(f.free);
    }
    free(s);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    uint64_t max = 1ull << 30;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            quick = true;
            budget = 0.05;
            max = 16u << 20;
        } else if (strcmp(argv[i], "--max") == 0 && i + 1 < argc) {
            max = strtoull(argv[++i], NULL, 10);
        } else {
            die("usage", "bench_transfers [--quick] [--max BYTES]");
        }
    }
    ll_session_options opts = {0};
    ll_error err;
    session = ll_session_create(&opts, &err);
    if (session == NULL)
        die("ll_session_create", err.message);
    dev = ll_session_vk(session);
    printf("device 0 %s\n", ll_session_properties(session)->deviceName);

    for (uint64_t size = 4096; size <= max; size *= (size < (16u << 20) ? 16 : 4))
        transfers(size);
    round_trip_4k();
    upload_steps();
    static const uint64_t pair_sizes[] = {1024, 65536, 1u << 20};
    for (size_t i = 0; i < 3; i++)
        create_release(pair_sizes[i]);

    trace churn = {"churn", 128u << 20, 256, 1, 256, 8, 15, LL_BUDDY_LINEAR, 2000, 200, 500};
    trace image = {"image", 1u << 30, 1024, 1024, 1024, 16, 22, LL_BUDDY_OPTIMAL, 100, 200, 25};
    if (quick)
        churn.rounds = image.rounds = 20;
    allocator_trace(&churn);
    allocator_trace(&image);
    fragmentation();
    ll_session_release(session);
    return 0;
}
