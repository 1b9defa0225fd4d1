/* test_buddy_stress.c: millions of random buddy operations (sizes 1 byte to past the
 * region, any alignment, both kinds, random and bogus frees) checked after every step
 * against a reference model: the sorted list of live [offset, size, kind] ranges.
 * Usage: test_buddy_stress [total_ops [seed]]. Not for: hand-written cases (test_buddy.c). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lluvia/buddy.h"
#include "test_util.h"

#define DEFAULT_OPS 5000000
#define MAX_LIVE 4096 /* the model's array; allocation is biased down before this */

typedef struct object {
    uint64_t offset, size, block_offset, block_size;
    ll_buddy_kind kind;
} object;

typedef struct config {
    uint64_t region, min_block, granularity;
    uint64_t validate_every;
} config;

/* Regions: powers of two and not, with and without a tail granule, granularity none, 1024,
 * 4096, 64 KiB and larger than the region. Validation (O(region / min_block)) runs every
 * step on the smallest regions, about every N/64 steps on the others, and after each drain
 * (free everything: the initial blocks must be back); the model is compared every step. */
static const config configs[] = {
    {1000000, 256, 4096, 64},
    {1000000, 256, 1024, 64},
    {UINT64_C(1) << 16, 16, 1, 64},
    {UINT64_C(1) << 16, 64, 1024, 16},
    {3 * 4096 + 2048 + 512 + 17, 128, 4096, 2},
    {3 * 1024 + 768 + 3, 64, 1024, 1},
    {200, 4, 4096, 1},
    {4096, 1, 4096, 64},
    {(UINT64_C(1) << 20) + 12345, 64, 1024, 256},
    {(UINT64_C(1) << 26) + 7 * 65536 + 4096 * 3, 256, 65536, 4096},
    {(UINT64_C(1) << 60) + (UINT64_C(1) << 52), UINT64_C(1) << 44, UINT64_C(1) << 46, 1024},
    {UINT64_MAX, UINT64_C(1) << 54, UINT64_C(1) << 63, 16},
};

static uint64_t rng_state;

static uint64_t rng(void) /* splitmix64 */
{
    uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t n) { return n == 0 ? 0 : rng() % n; }

static uint32_t log2_floor(uint64_t x) { return 63 - (uint32_t)__builtin_clzll(x); }

static uint32_t log2_ceil(uint64_t x) { return x <= 1 ? 0 : log2_floor(x - 1) + 1; }

/* The model. */
static object live[MAX_LIVE];
static size_t live_count;
static uint64_t model_in_use, model_requested;

/* First index whose offset is >= offset. */
static size_t lower_bound(uint64_t offset)
{
    size_t lo = 0, hi = live_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (live[mid].offset < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool is_live(uint64_t offset)
{
    size_t at = lower_bound(offset);
    return at < live_count && live[at].offset == offset;
}

static const config *cfg;
static uint64_t step;
static bool failed;

#define FAIL(...)                                                                        \
    do {                                                                                 \
        CHECK_MSG(0, __VA_ARGS__);                                                       \
        fprintf(stderr, "  config region %" PRIu64 " min_block %" PRIu64                 \
                " granularity %" PRIu64 ", step %" PRIu64 "\n",                           \
                cfg->region, cfg->min_block, cfg->granularity, step);                    \
        failed = true;                                                                   \
        return;                                                                          \
    } while (0)

/* Checks a fresh allocation against the live ranges and inserts it. */
static void model_insert(const object *o, uint64_t alignment)
{
    uint64_t g = cfg->granularity;
    if (o->offset % alignment != 0)
        FAIL("offset %" PRIu64 " not aligned to %" PRIu64, o->offset, alignment);
    if (o->block_size == 0 || (o->block_size & (o->block_size - 1)) != 0 ||
        o->block_size < cfg->min_block || o->block_offset % o->block_size != 0)
        FAIL("bad block %" PRIu64 "+%" PRIu64, o->block_offset, o->block_size);
    if (o->block_offset > cfg->region || o->block_size > cfg->region - o->block_offset)
        FAIL("block %" PRIu64 "+%" PRIu64 " outside the region", o->block_offset,
             o->block_size);
    if (o->offset < o->block_offset || o->size > o->block_size ||
        o->offset - o->block_offset > o->block_size - o->size)
        FAIL("object %" PRIu64 "+%" PRIu64 " outside its block", o->offset, o->size);
    if (o->block_size / 2 >= o->size && o->block_size > cfg->min_block)
        FAIL("block of %" PRIu64 " for %" PRIu64 " bytes", o->block_size, o->size);
    size_t at = lower_bound(o->offset);
    if (at > 0) {
        const object *l = &live[at - 1];
        if (l->block_offset + l->block_size > o->block_offset)
            FAIL("block at %" PRIu64 " overlaps block at %" PRIu64, o->block_offset,
                 l->block_offset);
    }
    if (at < live_count && o->block_offset + o->block_size > live[at].block_offset)
        FAIL("block at %" PRIu64 " overlaps block at %" PRIu64, o->block_offset,
             live[at].block_offset);
    /* Granularity: neighbours touching the first or last page must be of the same kind. */
    uint64_t first_page = o->offset / g, last_page = (o->offset + o->size - 1) / g;
    for (size_t x = at; x-- > 0;) {
        if ((live[x].offset + live[x].size - 1) / g < first_page)
            break;
        if (live[x].kind != o->kind)
            FAIL("%s object at %" PRIu64 " shares page %" PRIu64 " with one at %" PRIu64,
                 ll_buddy_kind_name(o->kind), o->offset, first_page, live[x].offset);
    }
    for (size_t x = at; x < live_count; x++) {
        if (live[x].offset / g > last_page)
            break;
        if (live[x].kind != o->kind)
            FAIL("%s object at %" PRIu64 " shares page %" PRIu64 " with one at %" PRIu64,
                 ll_buddy_kind_name(o->kind), o->offset, last_page, live[x].offset);
    }
    if (live_count == MAX_LIVE)
        FAIL("model full");
    memmove(&live[at + 1], &live[at], (live_count - at) * sizeof live[0]);
    live[at] = *o;
    live_count++;
    model_in_use += o->block_size;
    model_requested += o->size;
}

static void model_remove(size_t at)
{
    model_in_use -= live[at].block_size;
    model_requested -= live[at].size;
    memmove(&live[at], &live[at + 1], (live_count - at - 1) * sizeof live[0]);
    live_count--;
}

static void check_stats(const ll_buddy *b)
{
    ll_buddy_stats s;
    ll_buddy_get_stats(b, &s);
    uint64_t usable = cfg->region - cfg->region % cfg->min_block;
    if (s.region_size != cfg->region || s.unusable_bytes != cfg->region % cfg->min_block)
        FAIL("region %" PRIu64 " unusable %" PRIu64, s.region_size, s.unusable_bytes);
    if (s.live_objects != live_count || s.bytes_in_use != model_in_use ||
        s.bytes_requested != model_requested || s.bytes_free != usable - model_in_use)
        FAIL("stats live %" PRIu64 "/%zu in use %" PRIu64 "/%" PRIu64 " requested %" PRIu64
             "/%" PRIu64 " free %" PRIu64,
             s.live_objects, live_count, s.bytes_in_use, model_in_use, s.bytes_requested,
             model_requested, s.bytes_free);
    if (ll_buddy_is_empty(b) != (live_count == 0))
        FAIL("is_empty disagrees");
    uint64_t sum = 0, largest = 0;
    for (uint32_t j = 0; j < LL_BUDDY_MAX_ORDERS; j++) {
        if (j >= s.order_count && s.free_blocks_per_order[j] != 0)
            FAIL("free blocks at order %u beyond order_count %u", j, s.order_count);
        sum += s.free_blocks_per_order[j] * (cfg->min_block << (j < s.order_count ? j : 0));
        if (s.free_blocks_per_order[j] != 0)
            largest = cfg->min_block << j;
    }
    if (sum != s.bytes_free || largest != s.largest_free_block)
        FAIL("per-order free %" PRIu64 " vs %" PRIu64 ", largest %" PRIu64 " vs %" PRIu64, sum,
             s.bytes_free, largest, s.largest_free_block);
    if (live_count == 0) {
        uint64_t n = cfg->region / cfg->min_block;
        for (uint32_t j = 0; j < s.order_count; j++)
            if (s.free_blocks_per_order[j] != (n >> j & 1))
                FAIL("empty allocator: %" PRIu64 " free blocks of order %u", s.free_blocks_per_order[j], j);
    }
}

static void do_validate(const ll_buddy *b)
{
    ll_error err;
    if (!ll_buddy_validate(b, &err))
        FAIL("validate: %s", err.message);
}

/* Sizes from 1 byte to a little past the region, roughly log-uniform. */
static uint64_t random_size(void)
{
    uint64_t r = below(100);
    if (r < 2)
        return cfg->region - below(2);
    if (r < 3 && cfg->region < UINT64_MAX - 4)
        return cfg->region + 1 + below(3);
    if (r < 4)
        return UINT64_MAX - below(2);
    uint32_t top = log2_floor(cfg->region);
    uint32_t e = (uint32_t)below(top + 1);
    uint64_t lo = UINT64_C(1) << e;
    return lo + below(lo); /* may exceed the region: fine, that is a failure to check */
}

static uint64_t random_alignment(void)
{
    uint64_t r = below(100);
    if (r < 40)
        return 1;
    if (r < 42)
        return UINT64_C(1) << 63;
    uint32_t top = log2_floor(cfg->region) + 2;
    if (top > 63)
        top = 63;
    return UINT64_C(1) << below(top + 1);
}

static struct {
    uint64_t allocs, alloc_fail, frees, bogus, drains, validates, max_live;
} counts;

static void op_alloc(ll_buddy *b)
{
    uint64_t size = random_size(), alignment = random_alignment();
    ll_buddy_kind kind = (ll_buddy_kind)below(2);
    ll_buddy_allocation a;
    ll_error err;
    ll_error_clear(&err);
    uint64_t largest = ll_buddy_largest_free_for(b, kind);
    bool ok = ll_buddy_alloc(b, size, alignment, kind, &a, &err);
    counts.allocs++;
    /* ll_buddy_largest_free_for's promise, which the Memory's page index relies on. */
    if (!ok && size <= largest && alignment <= largest)
        FAIL("alloc(%" PRIu64 ", %" PRIu64 ", %d) failed; largest free for the kind %" PRIu64,
             size, alignment, (int)kind, largest);
    if (ok && size > largest)
        FAIL("alloc(%" PRIu64 ", %" PRIu64 ", %d) succeeded; largest free for the kind %" PRIu64,
             size, alignment, (int)kind, largest);
    uint64_t n = cfg->region / cfg->min_block;
    uint32_t top = log2_floor(n);
    uint64_t blocks = (size - 1) / cfg->min_block + 1;
    uint32_t k = log2_ceil(blocks);
    if (ok) {
        if (k > top)
            FAIL("alloc of %" PRIu64 " bytes succeeded beyond the largest block", size);
        object o = {a.offset, size, a.block_offset, a.block_size, kind};
        model_insert(&o, alignment);
        if (live_count > counts.max_live)
            counts.max_live = live_count;
        return;
    }
    counts.alloc_fail++;
    if (err.code != LL_E_STATE || strncmp(err.message, "no free block of ", 17) != 0)
        FAIL("alloc(%" PRIu64 ", %" PRIu64 ") failed with %s: %s", size, alignment,
             ll_status_name(err.code), err.message);
    if (k > top)
        return;
    if (live_count == 0)
        FAIL("alloc(%" PRIu64 ", %" PRIu64 ", %d) failed on an empty allocator: %s", size,
             alignment, (int)kind, err.message);
    /* Blocks of at least a granule serve any kind, and blocks of order >= the alignment's
     * are all aligned: failing means no free block that big. */
    uint32_t a_order = alignment <= cfg->min_block ? 0 : log2_floor(alignment / cfg->min_block);
    uint32_t need = k > a_order ? k : a_order;
    bool kind_free = cfg->granularity <= cfg->min_block ||
                     (cfg->min_block << k) >= cfg->granularity;
    if (kind_free && need <= top) {
        ll_buddy_stats s;
        ll_buddy_get_stats(b, &s);
        if (s.largest_free_block >= cfg->min_block << need)
            FAIL("alloc(%" PRIu64 ", %" PRIu64 ") failed with a free block of %" PRIu64, size,
                 alignment, s.largest_free_block);
    }
}

static uint64_t freed_ring[16];

static void op_free(ll_buddy *b)
{
    size_t at = (size_t)below(live_count);
    uint64_t offset = live[at].offset;
    ll_error err;
    if (!ll_buddy_free(b, offset, &err))
        FAIL("free(%" PRIu64 "): %s", offset, err.message);
    freed_ring[counts.frees % 16] = offset;
    counts.frees++;
    model_remove(at);
}

/* A free that must fail and change nothing. */
static void op_bogus_free(ll_buddy *b)
{
    uint64_t offset;
    uint64_t r = below(4);
    if (r == 0)
        offset = freed_ring[below(16)];
    else if (r == 1 && live_count > 0)
        offset = live[below(live_count)].offset + 1 + below(cfg->min_block * 2);
    else if (r == 2)
        offset = below(cfg->region) / cfg->min_block * cfg->min_block;
    else
        offset = rng();
    if (is_live(offset))
        return;
    ll_buddy_stats before, after;
    ll_buddy_get_stats(b, &before);
    ll_error err;
    if (ll_buddy_free(b, offset, &err))
        FAIL("free of %" PRIu64 ", not live, succeeded", offset);
    if (err.code != LL_E_ARGUMENT)
        FAIL("bogus free: %s", ll_status_name(err.code));
    ll_buddy_get_stats(b, &after);
    if (memcmp(&before, &after, sizeof before) != 0)
        FAIL("bogus free of %" PRIu64 " changed the stats", offset);
    counts.bogus++;
}

/* Bad arguments fail with LL_E_ARGUMENT. */
static void op_bad_alloc(ll_buddy *b)
{
    ll_buddy_allocation a;
    ll_error err;
    uint64_t r = below(3);
    bool ok;
    if (r == 0)
        ok = ll_buddy_alloc(b, 0, 1, LL_BUDDY_LINEAR, &a, &err);
    else if (r == 1)
        ok = ll_buddy_alloc(b, 1 + below(100), (rng() | 1) << below(8) | (UINT64_C(3) << 20),
                            LL_BUDDY_LINEAR, &a, &err);
    else
        ok = ll_buddy_alloc(b, 1, 1, (ll_buddy_kind)(2 + below(5)), &a, &err);
    if (ok || err.code != LL_E_ARGUMENT)
        FAIL("bad alloc %" PRIu64 " accepted or wrong code", r);
}

static void run_config(uint64_t ops)
{
    ll_error err;
    ll_buddy *b = ll_buddy_create(cfg->region, cfg->min_block, cfg->granularity, &err);
    if (b == NULL) {
        step = 0;
        FAIL("create: %s", err.message);
    }
    memset(&counts, 0, sizeof counts);
    memset(freed_ring, 0, sizeof freed_ring);
    live_count = 0;
    model_in_use = model_requested = 0;
    /* Phases: the alloc probability swings between filling and draining. */
    uint64_t alloc_percent = 60;
    for (step = 0; step < ops && !failed; step++) {
        if (step % 5000 == 0)
            alloc_percent = 20 + below(70);
        uint64_t r = below(1000);
        if (r < 3) {
            op_bad_alloc(b);
        } else if (r < 30) {
            op_bogus_free(b);
        } else if (r < 31) {
            while (live_count > 0 && !failed)
                op_free(b);
            counts.drains++;
            if (!failed) {
                do_validate(b); /* and check_stats below compares with the initial blocks */
                counts.validates++;
            }
        } else if (live_count == 0 ||
                   (live_count < MAX_LIVE - 1 && below(100) < alloc_percent)) {
            op_alloc(b);
        } else {
            op_free(b);
        }
        if (failed)
            break;
        test_checks++; /* one model comparison per step */
        check_stats(b);
        if (!failed && step % cfg->validate_every == 0) {
            do_validate(b);
            counts.validates++;
        }
    }
    while (!failed && live_count > 0)
        op_free(b);
    if (!failed) {
        check_stats(b);
        do_validate(b);
    }
    printf("region %20" PRIu64 " min %20" PRIu64 " gran %20" PRIu64 ": %8" PRIu64
           " ops, %7" PRIu64 " allocs (%7" PRIu64 " failed), %7" PRIu64 " frees, %6" PRIu64
           " bogus, %4" PRIu64 " drains, %7" PRIu64 " validates, max live %" PRIu64 "\n",
           cfg->region, cfg->min_block, cfg->granularity, ops, counts.allocs,
           counts.alloc_fail, counts.frees, counts.bogus, counts.drains, counts.validates,
           counts.max_live);
    ll_buddy_destroy(b);
}

int main(int argc, char **argv)
{
    uint64_t total = DEFAULT_OPS, seed = 1;
    if (argc > 1)
        total = strtoull(argv[1], NULL, 0);
    if (argc > 2)
        seed = strtoull(argv[2], NULL, 0);
    size_t n = sizeof configs / sizeof configs[0];
    printf("buddy stress: %" PRIu64 " operations, seed %" PRIu64 "\n", total, seed);
    for (size_t c = 0; c < n && !failed; c++) {
        cfg = &configs[c];
        rng_state = seed * 1000003 + c;
        run_config(total / n);
    }
    return test_finish("buddy_stress");
}
