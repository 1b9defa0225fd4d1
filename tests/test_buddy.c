/* test_buddy.c: hand-written cases for the buddy allocator (buddy.h), one group per
 * requirement: creation, non-power-of-two regions, alignment, errors leaving the state
 * unchanged, merging, granularity, metadata bound. Randomized checks: test_buddy_stress.c. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lluvia/buddy.h"
#include "test_util.h"

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)

static bool valid(const ll_buddy *b)
{
    ll_error err;
    bool ok = ll_buddy_validate(b, &err);
    CHECK_MSG(ok, "validate: %s", err.message);
    return ok;
}

static bool stats_equal(const ll_buddy_stats *x, const ll_buddy_stats *y)
{
    return memcmp(x, y, sizeof *x) == 0;
}

/* The free blocks of an empty allocator: one top-level block per set bit of N. */
static void check_initial(const ll_buddy *b, uint64_t region, uint64_t min_block)
{
    ll_buddy_stats s;
    ll_buddy_get_stats(b, &s);
    uint64_t n = region / min_block;
    CHECK(ll_buddy_is_empty(b));
    CHECK(s.region_size == region);
    CHECK(s.bytes_in_use == 0 && s.bytes_requested == 0 && s.live_objects == 0);
    CHECK(s.bytes_free == n * min_block);
    CHECK(s.unusable_bytes == region % min_block);
    uint32_t top = 63 - (uint32_t)__builtin_clzll(n);
    CHECK(s.order_count == top + 1);
    CHECK(s.largest_free_block == min_block << top);
    for (uint32_t j = 0; j < LL_BUDDY_MAX_ORDERS; j++)
        CHECK_MSG(s.free_blocks_per_order[j] == (j <= top ? (n >> j & 1) : 0),
                  "order %u: %" PRIu64 " free blocks", j, s.free_blocks_per_order[j]);
    valid(b);
}

static ll_buddy_allocation must_alloc(ll_buddy *b, uint64_t size, uint64_t align,
                                      ll_buddy_kind kind)
{
    ll_buddy_allocation a = {UINT64_MAX, UINT64_MAX, 0};
    ll_error err;
    bool ok = ll_buddy_alloc(b, size, align, kind, &a, &err);
    CHECK_MSG(ok, "alloc(%" PRIu64 ", %" PRIu64 ", %d): %s", size, align, (int)kind,
              err.message);
    if (ok) {
        CHECK(a.offset % align == 0);
        CHECK(a.block_offset == a.offset);
        CHECK(a.block_size >= size && (a.block_size & (a.block_size - 1)) == 0);
    }
    return a;
}

/* alloc must fail with `code`, changing nothing. */
static void must_not_alloc(ll_buddy *b, uint64_t size, uint64_t align, int kind,
                           ll_status code, const char *needle)
{
    ll_buddy_stats before, after;
    ll_buddy_get_stats(b, &before);
    ll_buddy_allocation a = {1, 2, 3};
    ll_error err;
    ll_error_clear(&err);
    bool ok = ll_buddy_alloc(b, size, align, (ll_buddy_kind)kind, &a, &err);
    CHECK_MSG(!ok, "alloc(%" PRIu64 ", %" PRIu64 ", %d) succeeded at %" PRIu64, size, align,
              kind, a.offset);
    CHECK_MSG(err.code == code, "code %s, message %s", ll_status_name(err.code), err.message);
    CHECK_MSG(needle == NULL || strstr(err.message, needle) != NULL, "message '%s' lacks '%s'",
              err.message, needle);
    ll_buddy_get_stats(b, &after);
    CHECK(stats_equal(&before, &after));
    valid(b);
}

static void must_free(ll_buddy *b, uint64_t offset)
{
    ll_error err;
    bool ok = ll_buddy_free(b, offset, &err);
    CHECK_MSG(ok, "free(%" PRIu64 "): %s", offset, err.message);
}

static void must_not_free(ll_buddy *b, uint64_t offset, const char *needle)
{
    ll_buddy_stats before, after;
    ll_buddy_get_stats(b, &before);
    ll_error err;
    ll_error_clear(&err);
    CHECK_MSG(!ll_buddy_free(b, offset, &err), "free(%" PRIu64 ") succeeded", offset);
    CHECK(err.code == LL_E_ARGUMENT);
    CHECK_MSG(strstr(err.message, needle) != NULL, "message '%s' lacks '%s'", err.message,
              needle);
    ll_buddy_get_stats(b, &after);
    CHECK(stats_equal(&before, &after));
    valid(b);
}

static void create_fails(uint64_t region, uint64_t min_block, uint64_t gran, ll_status code,
                         const char *needle)
{
    ll_error err;
    ll_error_clear(&err);
    ll_buddy *b = ll_buddy_create(region, min_block, gran, &err);
    CHECK_MSG(b == NULL, "create(%" PRIu64 ", %" PRIu64 ", %" PRIu64 ") succeeded", region,
              min_block, gran);
    ll_buddy_destroy(b);
    CHECK_MSG(err.code == code, "code %s: %s", ll_status_name(err.code), err.message);
    CHECK_MSG(strstr(err.message, needle) != NULL, "message '%s' lacks '%s'", err.message,
              needle);
}

static ll_buddy *must_create(uint64_t region, uint64_t min_block, uint64_t gran)
{
    ll_error err;
    ll_buddy *b = ll_buddy_create(region, min_block, gran, &err);
    CHECK_MSG(b != NULL, "create(%" PRIu64 ", %" PRIu64 ", %" PRIu64 "): %s", region,
              min_block, gran, err.message);
    if (b == NULL)
        exit(test_finish("buddy"));
    return b;
}

/* No two live objects of different kinds touch one granularity page, none overlap. */
typedef struct object {
    uint64_t offset, size;
    ll_buddy_kind kind;
} object;

static void check_objects(const object *o, size_t count, uint64_t region, uint64_t gran)
{
    for (size_t x = 0; x < count; x++) {
        CHECK(o[x].offset + o[x].size <= region);
        for (size_t y = x + 1; y < count; y++) {
            const object *p = &o[x], *q = &o[y];
            CHECK_MSG(p->offset + p->size <= q->offset || q->offset + q->size <= p->offset,
                      "overlap at %" PRIu64 " and %" PRIu64, p->offset, q->offset);
            if (p->kind != q->kind) {
                uint64_t p0 = p->offset / gran, p1 = (p->offset + p->size - 1) / gran;
                uint64_t q0 = q->offset / gran, q1 = (q->offset + q->size - 1) / gran;
                CHECK_MSG(p1 < q0 || q1 < p0, "kinds share a page: %" PRIu64 " and %" PRIu64,
                          p->offset, q->offset);
            }
        }
    }
}

static void test_create_errors(void)
{
    create_fails(1024, 0, 1, LL_E_ARGUMENT, "min_block must be a power of two, got 0");
    create_fails(1024, 48, 1, LL_E_ARGUMENT, "min_block must be a power of two, got 48");
    create_fails(1024, 64, 0, LL_E_ARGUMENT, "granularity must be a power of two, got 0");
    create_fails(1024, 64, 1000, LL_E_ARGUMENT, "granularity must be a power of two, got 1000");
    create_fails(0, 64, 1, LL_E_ARGUMENT, "region_size must be >= min_block (64), got 0");
    create_fails(63, 64, 1, LL_E_ARGUMENT, "region_size must be >= min_block (64), got 63");
    create_fails(UINT64_MAX, 1, 1, LL_E_HOST_MEMORY, "region_size 18446744073709551615");
    create_fails(UINT64_C(1) << 62, 2, 4096, LL_E_HOST_MEMORY, "min_block 2");
    /* Accepted extremes. */
    ll_buddy *b = must_create(1, 1, 1);
    check_initial(b, 1, 1);
    ll_buddy_allocation a = must_alloc(b, 1, UINT64_C(1) << 63, LL_BUDDY_OPTIMAL);
    CHECK(a.offset == 0 && a.block_size == 1);
    must_not_alloc(b, 1, 1, LL_BUDDY_OPTIMAL, LL_E_STATE, "no free block of 1 bytes");
    must_free(b, 0);
    check_initial(b, 1, 1);
    ll_buddy_destroy(b);
    b = must_create(UINT64_MAX, UINT64_C(1) << 63, UINT64_C(1) << 63);
    check_initial(b, UINT64_MAX, UINT64_C(1) << 63);
    a = must_alloc(b, UINT64_C(1) << 63, UINT64_C(1) << 63, LL_BUDDY_LINEAR);
    CHECK(a.offset == 0 && a.block_size == UINT64_C(1) << 63);
    must_not_alloc(b, 1, 1, LL_BUDDY_LINEAR, LL_E_STATE, "no free block");
    must_not_free(b, UINT64_C(1) << 63, "outside the usable region");
    must_free(b, 0);
    ll_buddy_destroy(b);
    ll_buddy_destroy(NULL);
}

static void test_metadata_bound(void)
{
    CHECK(ll_buddy_metadata_bytes(1024, 0) == UINT64_MAX);
    CHECK(ll_buddy_metadata_bytes(1024, 3) == UINT64_MAX);
    CHECK(ll_buddy_metadata_bytes(10, 64) == UINT64_MAX);
    CHECK(ll_buddy_metadata_bytes(UINT64_MAX, 1) == UINT64_MAX);
    /* The documented bound: (1 + slack width) + 0.52 bytes per min block + 32 KiB. */
    struct { uint64_t region, min_block; } cases[] = {
        {64 * GIB, 256}, {64 * GIB, 4096}, {1000000, 256}, {1, 1}, {256 * MIB, 1},
        {4 * GIB, 65536}, {UINT64_MAX, UINT64_C(1) << 30},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint64_t n = cases[c].region / cases[c].min_block;
        uint32_t shift = (uint32_t)__builtin_ctzll(cases[c].min_block);
        uint64_t width = shift <= 8 ? 1 : (shift + 7) / 8;
        uint64_t bound = ll_buddy_metadata_bytes(cases[c].region, cases[c].min_block);
        uint64_t formula = n * (1 + width) + n * 52 / 100 + 32 * KIB;
        CHECK_MSG(bound <= formula, "region %" PRIu64 " min %" PRIu64 ": %" PRIu64 " > %" PRIu64,
                  cases[c].region, cases[c].min_block, bound, formula);
        CHECK(bound >= n * (1 + width));
    }
    /* 64 GiB at 256-byte min blocks: 2^28 min blocks, well under 1% of the region. */
    CHECK(ll_buddy_metadata_bytes(64 * GIB, 256) < 64 * GIB / 100);
    uint64_t grans[] = {1, 256, 1024, 4096, 65536, MIB, UINT64_C(1) << 40};
    for (size_t x = 0; x < sizeof grans / sizeof grans[0]; x++) {
        ll_buddy *b = must_create(1000000, 256, grans[x]);
        CHECK(ll_buddy_host_bytes(b) <= ll_buddy_metadata_bytes(1000000, 256));
        CHECK(ll_buddy_host_bytes(b) > 3906);
        ll_buddy_destroy(b);
    }
}

static void test_power_of_two_region(void)
{
    ll_buddy *b = must_create(MIB, 256, 1);
    check_initial(b, MIB, 256);
    ll_buddy_allocation a = must_alloc(b, MIB, 1, LL_BUDDY_LINEAR);
    CHECK(a.offset == 0 && a.block_size == MIB);
    ll_buddy_stats s;
    ll_buddy_get_stats(b, &s);
    CHECK(s.bytes_in_use == MIB && s.bytes_free == 0 && s.largest_free_block == 0);
    CHECK(s.live_objects == 1 && s.bytes_requested == MIB);
    must_not_alloc(b, 1, 1, LL_BUDDY_LINEAR, LL_E_STATE,
                   "no free block of 1 bytes (largest free block 0");
    must_free(b, 0);
    check_initial(b, MIB, 256);

    /* Fill with min blocks, free in a scrambled order: merges leave one block. */
    enum { COUNT = 4096 };
    static uint64_t offsets[COUNT];
    static unsigned char seen[COUNT];
    memset(seen, 0, sizeof seen);
    for (int x = 0; x < COUNT; x++) {
        a = must_alloc(b, 1 + (uint64_t)x % 256, 1, (ll_buddy_kind)(x & 1));
        CHECK(a.block_size == 256 && a.offset < MIB);
        CHECK(!seen[a.offset / 256]);
        seen[a.offset / 256] = 1;
        offsets[x] = a.offset;
    }
    ll_buddy_get_stats(b, &s);
    CHECK(s.bytes_in_use == MIB && s.live_objects == COUNT);
    CHECK(s.bytes_requested == 16 * (255 * 256 / 2 + 256)); /* 16 rounds of 1..256 */
    valid(b);
    must_not_alloc(b, 1, 1, LL_BUDDY_LINEAR, LL_E_STATE, "no free block");
    for (int x = 0; x < COUNT; x++) {
        must_free(b, offsets[(x * 1237) % COUNT]); /* 1237 is odd: a permutation */
        if (x % 512 == 0)
            valid(b);
    }
    check_initial(b, MIB, 256);

    /* Requests round up to a power of two and the block size is reported. */
    a = must_alloc(b, 257, 1, LL_BUDDY_LINEAR);
    CHECK(a.block_size == 512);
    must_not_alloc(b, 512 * KIB + 1, 1, LL_BUDDY_LINEAR, LL_E_STATE, "largest free block 524288");
    ll_buddy_destroy(b);
}

static void test_partial_region(void)
{
    /* A 1,000,000-byte page: 3906 min blocks of 256 (blocks of 2048+1024+512+256+64+2 min
     * blocks), 64 bytes unusable. */
    ll_buddy *b = must_create(1000000, 256, 1);
    check_initial(b, 1000000, 256);
    ll_buddy_stats s;
    ll_buddy_get_stats(b, &s);
    CHECK(s.bytes_free == 999936 && s.unusable_bytes == 64);
    CHECK(s.free_blocks_per_order[11] == 1 && s.free_blocks_per_order[1] == 1);
    CHECK(s.free_blocks_per_order[0] == 0 && s.free_blocks_per_order[2] == 0);

    /* Every min block is usable. */
    static uint64_t offsets[3906];
    for (int x = 0; x < 3906; x++)
        offsets[x] = must_alloc(b, 200, 1, LL_BUDDY_LINEAR).offset;
    ll_buddy_get_stats(b, &s);
    CHECK(s.bytes_free == 0 && s.bytes_in_use == 999936 && s.bytes_requested == 3906 * 200);
    must_not_alloc(b, 1, 1, LL_BUDDY_LINEAR, LL_E_STATE, "no free block");
    valid(b);
    for (int x = 3905; x >= 0; x--)
        must_free(b, offsets[x]);
    check_initial(b, 1000000, 256);

    /* Largest first: every top-level block at once. */
    uint64_t sizes[] = {512 * KIB, 256 * KIB, 128 * KIB, 64 * KIB, 16 * KIB, 512};
    uint64_t expect[] = {0, 512 * KIB, 768 * KIB, 896 * KIB, 960 * KIB, 976 * KIB};
    for (int x = 0; x < 6; x++) {
        ll_buddy_allocation a = must_alloc(b, sizes[x], 1, LL_BUDDY_OPTIMAL);
        CHECK(a.offset == expect[x] && a.block_size == sizes[x]);
        offsets[x] = a.offset;
    }
    must_not_alloc(b, 1, 1, LL_BUDDY_OPTIMAL, LL_E_STATE, "no free block");
    for (int x = 0; x < 6; x++)
        must_free(b, offsets[x]);
    check_initial(b, 1000000, 256);
    /* More than the largest top-level block cannot be had, even though it is free. */
    must_not_alloc(b, 512 * KIB + 1, 1, LL_BUDDY_LINEAR, LL_E_STATE,
                   "largest free block 524288");
    ll_buddy_destroy(b);

    /* A region that is not a multiple of min_block, and one of a single min block. */
    b = must_create(1000, 64, 1);
    check_initial(b, 1000, 64);
    ll_buddy_get_stats(b, &s);
    CHECK(s.unusable_bytes == 40 && s.bytes_free == 960);
    ll_buddy_destroy(b);
    b = must_create(100, 64, 4096);
    check_initial(b, 100, 64);
    CHECK(must_alloc(b, 64, 1, LL_BUDDY_LINEAR).offset == 0);
    must_not_alloc(b, 1, 1, LL_BUDDY_OPTIMAL, LL_E_STATE, "no free block");
    must_free(b, 0);
    CHECK(must_alloc(b, 1, 64, LL_BUDDY_OPTIMAL).offset == 0);
    ll_buddy_destroy(b);
}

static void test_alignment(void)
{
    ll_buddy *b = must_create(MIB, 256, 1);
    /* Alignments above the region: only offset 0 qualifies. */
    ll_buddy_allocation a = must_alloc(b, 1, UINT64_C(1) << 63, LL_BUDDY_LINEAR);
    CHECK(a.offset == 0 && a.block_size == 256);
    must_not_alloc(b, 1, UINT64_C(1) << 63, LL_BUDDY_LINEAR, LL_E_STATE, "no free block");
    must_not_alloc(b, 1, 2 * MIB, LL_BUDDY_LINEAR, LL_E_STATE, "alignment 2097152");
    must_not_alloc(b, 1, MIB, LL_BUDDY_LINEAR, LL_E_STATE, "no free block");
    /* Alignment larger than the size: the block stays small. */
    ll_buddy_allocation c = must_alloc(b, 1, 512 * KIB, LL_BUDDY_LINEAR);
    CHECK(c.offset == 512 * KIB && c.block_size == 256);
    ll_buddy_allocation d = must_alloc(b, 300, 64 * KIB, LL_BUDDY_OPTIMAL);
    CHECK(d.offset == 64 * KIB && d.block_size == 512);
    ll_buddy_stats s;
    ll_buddy_get_stats(b, &s);
    CHECK(s.bytes_in_use == 256 + 256 + 512);
    valid(b);
    /* Every power of two up to the region on a fresh allocator, with small and big sizes. */
    must_free(b, 0);
    must_free(b, c.offset);
    must_free(b, d.offset);
    check_initial(b, MIB, 256);
    object live[64];
    size_t count = 0;
    for (uint32_t k = 21; k-- > 0;) {
        uint64_t align = UINT64_C(1) << k;
        a = must_alloc(b, 1 + k * 100, align, (ll_buddy_kind)(k & 1));
        CHECK(a.offset % align == 0);
        live[count++] = (object){a.offset, 1 + k * 100, (ll_buddy_kind)(k & 1)};
    }
    check_objects(live, count, MIB, 1);
    valid(b);
    for (size_t x = 0; x < count; x++)
        must_free(b, live[x].offset);
    check_initial(b, MIB, 256);

    /* Invalid alignments. */
    must_not_alloc(b, 1, 0, LL_BUDDY_LINEAR, LL_E_ARGUMENT, "alignment must be a power of two, got 0");
    must_not_alloc(b, 1, 3, LL_BUDDY_LINEAR, LL_E_ARGUMENT, "got 3");
    must_not_alloc(b, 1, UINT64_MAX, LL_BUDDY_LINEAR, LL_E_ARGUMENT, "got 18446744073709551615");
    must_not_alloc(b, 1, (UINT64_C(1) << 63) + 1, LL_BUDDY_LINEAR, LL_E_ARGUMENT, "power of two");
    ll_buddy_destroy(b);

    /* A non-power-of-two region: top-level blocks are naturally aligned too (the 256 KiB
     * block at 512 KiB serves a 512 KiB alignment), and alignments beyond the largest block
     * get offset 0. */
    b = must_create(1000000, 256, 1);
    c = must_alloc(b, 1, 512 * KIB, LL_BUDDY_LINEAR);
    CHECK(c.offset == 512 * KIB && c.block_size == 256);
    a = must_alloc(b, 1, MIB, LL_BUDDY_LINEAR);
    CHECK(a.offset == 0 && a.block_size == 256);
    d = must_alloc(b, 16 * KIB, 16 * KIB, LL_BUDDY_LINEAR);
    CHECK(d.offset % (16 * KIB) == 0);
    must_not_alloc(b, 1, 2 * MIB, LL_BUDDY_LINEAR, LL_E_STATE, "no free block");
    valid(b);
    ll_buddy_destroy(b);
}

static void test_size_and_kind_errors(void)
{
    ll_buddy *b = must_create(MIB, 256, 4096);
    ll_buddy_allocation keep = must_alloc(b, 1000, 256, LL_BUDDY_LINEAR);
    must_not_alloc(b, 0, 1, LL_BUDDY_LINEAR, LL_E_ARGUMENT, "size must be > 0, got 0");
    must_not_alloc(b, UINT64_MAX, 1, LL_BUDDY_LINEAR, LL_E_STATE,
                   "no free block of 18446744073709551615 bytes");
    must_not_alloc(b, UINT64_MAX, UINT64_C(1) << 63, LL_BUDDY_OPTIMAL, LL_E_STATE, "no free block");
    must_not_alloc(b, (UINT64_C(1) << 63) + 1, 1, LL_BUDDY_LINEAR, LL_E_STATE, "no free block");
    must_not_alloc(b, MIB + 1, 1, LL_BUDDY_LINEAR, LL_E_STATE, "no free block");
    must_not_alloc(b, MIB, 1, LL_BUDDY_LINEAR, LL_E_STATE, "largest free block 524288");
    must_not_alloc(b, 1, 1, 2, LL_E_ARGUMENT, "kind must be LL_BUDDY_LINEAR or LL_BUDDY_OPTIMAL, got 2");
    must_not_alloc(b, 1, 1, -1, LL_E_ARGUMENT, "got -1");
    ll_error err;
    CHECK(!ll_buddy_alloc(b, 1, 1, LL_BUDDY_LINEAR, NULL, &err) && err.code == LL_E_ARGUMENT);
    ll_buddy_allocation a;
    CHECK(!ll_buddy_alloc(NULL, 1, 1, LL_BUDDY_LINEAR, &a, &err) && err.code == LL_E_ARGUMENT);
    CHECK(!ll_buddy_alloc(b, 0, 1, LL_BUDDY_LINEAR, &a, NULL)); /* err may be NULL */
    CHECK(!ll_buddy_free(NULL, 0, &err) && err.code == LL_E_ARGUMENT);
    must_free(b, keep.offset);
    check_initial(b, MIB, 256);
    ll_buddy_destroy(b);
}

static void test_free_errors(void)
{
    ll_buddy *b = must_create(MIB, 256, 1024);
    ll_buddy_allocation a = must_alloc(b, 4096, 1, LL_BUDDY_LINEAR);
    ll_buddy_allocation c = must_alloc(b, 10, 1, LL_BUDDY_OPTIMAL);
    must_not_free(b, a.offset + 256, "inside a live block");
    must_not_free(b, a.offset + 1, "not a multiple of min_block");
    must_not_free(b, c.offset + 100, "not a multiple of min_block");
    must_not_free(b, MIB, "outside the usable region");
    must_not_free(b, UINT64_MAX, "not a multiple of min_block");
    must_not_free(b, UINT64_MAX - 255, "outside the usable region");
    must_not_free(b, c.offset + 256, "free memory: double free, or never returned");
    must_free(b, a.offset);
    must_not_free(b, a.offset, "double free");
    must_free(b, c.offset);
    must_not_free(b, c.offset, "double free");
    must_not_free(b, 0, "double free");
    check_initial(b, MIB, 256);
    ll_error err;
    CHECK(!ll_buddy_free(b, 12345, NULL)); /* err may be NULL */
    CHECK(!ll_buddy_query(b, 0, NULL, NULL, NULL, &err) && err.code == LL_E_ARGUMENT);
    ll_buddy_destroy(b);
}

static void test_merge(void)
{
    ll_buddy *b = must_create(4096, 1024, 1);
    uint64_t off[4];
    for (int x = 0; x < 4; x++)
        off[x] = must_alloc(b, 1024, 1, LL_BUDDY_LINEAR).offset;
    CHECK(off[0] == 0 && off[1] == 1024 && off[2] == 2048 && off[3] == 3072);
    ll_buddy_stats s;
    must_free(b, off[0]);
    must_free(b, off[2]);
    ll_buddy_get_stats(b, &s);
    CHECK(s.free_blocks_per_order[0] == 2 && s.free_blocks_per_order[1] == 0);
    CHECK(s.largest_free_block == 1024);
    valid(b);
    must_free(b, off[1]); /* 0 and 1 merge at once */
    ll_buddy_get_stats(b, &s);
    CHECK(s.free_blocks_per_order[0] == 1 && s.free_blocks_per_order[1] == 1);
    CHECK(s.largest_free_block == 2048);
    valid(b);
    /* A 2048 request takes the merged pair, not two loose halves. */
    uint64_t big = must_alloc(b, 2048, 1, LL_BUDDY_OPTIMAL).offset;
    CHECK(big == 0);
    must_free(b, big);
    must_free(b, off[3]);
    check_initial(b, 4096, 1024);
    ll_buddy_destroy(b);
}

static void test_granularity(uint64_t gran)
{
    const uint64_t region = 256 * KIB, mb = 256;
    ll_buddy *b = must_create(region, mb, gran);
    object live[1100];
    size_t count = 0;

    /* Small buffers are not padded to the granularity. */
    ll_buddy_allocation l0 = must_alloc(b, 100, 1, LL_BUDDY_LINEAR);
    CHECK(l0.offset == 0 && l0.block_size == 256);
    live[count++] = (object){l0.offset, 100, LL_BUDDY_LINEAR};
    ll_buddy_allocation o0 = must_alloc(b, 100, 1, LL_BUDDY_OPTIMAL);
    CHECK(o0.offset == gran && o0.block_size == 256);
    live[count++] = (object){o0.offset, 100, LL_BUDDY_OPTIMAL};
    ll_buddy_allocation l1 = must_alloc(b, 256, 1, LL_BUDDY_LINEAR);
    CHECK(l1.offset == 256); /* same granule as l0 */
    live[count++] = (object){l1.offset, 256, LL_BUDDY_LINEAR};
    ll_buddy_allocation o1 = must_alloc(b, 200, 1, LL_BUDDY_OPTIMAL);
    CHECK(o1.offset == gran + 256);
    live[count++] = (object){o1.offset, 200, LL_BUDDY_OPTIMAL};
    valid(b);

    /* Fill granule 0 with linear objects; the next goes to a fresh granule. */
    for (uint64_t x = 2; x < gran / mb; x++) {
        ll_buddy_allocation a = must_alloc(b, 256, 1, LL_BUDDY_LINEAR);
        CHECK(a.offset < gran);
        live[count++] = (object){a.offset, 256, LL_BUDDY_LINEAR};
    }
    ll_buddy_allocation l2 = must_alloc(b, 1, 1, LL_BUDDY_LINEAR);
    CHECK(l2.offset == 2 * gran);
    live[count++] = (object){l2.offset, 1, LL_BUDDY_LINEAR};
    /* Objects of a granule or more take whole granules, next to either kind. */
    ll_buddy_allocation big_o = must_alloc(b, gran, 1, LL_BUDDY_OPTIMAL);
    CHECK(big_o.offset % gran == 0 && big_o.block_size == gran);
    live[count++] = (object){big_o.offset, gran, LL_BUDDY_OPTIMAL};
    ll_buddy_allocation big_l = must_alloc(b, gran + 1, 1, LL_BUDDY_LINEAR);
    CHECK(big_l.offset % gran == 0 && big_l.block_size == 2 * gran);
    live[count++] = (object){big_l.offset, gran + 1, LL_BUDDY_LINEAR};
    check_objects(live, count, region, gran);
    valid(b);

    /* Many small objects of both kinds, interleaved. */
    for (int x = 0; x < 100; x++) {
        ll_buddy_kind kind = (ll_buddy_kind)((x / 3) & 1);
        uint64_t size = 1 + (uint64_t)(x * 37) % 700;
        ll_buddy_allocation a = must_alloc(b, size, 1, kind);
        live[count++] = (object){a.offset, size, kind};
    }
    check_objects(live, count, region, gran);
    valid(b);

    /* Freeing every object of granule 0 untags it: optimal objects may use it again. */
    size_t kept = 0;
    for (size_t x = 0; x < count; x++) {
        if (live[x].offset < gran)
            must_free(b, live[x].offset);
        else
            live[kept++] = live[x];
    }
    count = kept;
    valid(b);
    /* Fill every free byte with optimal min blocks: granule 0 must be among them. */
    bool used_granule0 = false;
    ll_buddy_allocation a;
    ll_error err;
    while (ll_buddy_alloc(b, 256, 1, LL_BUDDY_OPTIMAL, &a, &err)) {
        used_granule0 |= a.offset < gran;
        live[count++] = (object){a.offset, 256, LL_BUDDY_OPTIMAL};
        CHECK(count < sizeof live / sizeof live[0]);
        if (count >= sizeof live / sizeof live[0])
            break;
    }
    CHECK(err.code == LL_E_STATE);
    CHECK(used_granule0);
    check_objects(live, count, region, gran);
    valid(b);
    for (size_t x = 0; x < count; x++)
        must_free(b, live[x].offset);
    check_initial(b, region, mb);
    ll_buddy_destroy(b);

    /* A region with a partial last granule: three granules and a half. */
    b = must_create(3 * gran + gran / 2, mb, gran);
    check_initial(b, 3 * gran + gran / 2, mb);
    uint64_t g0 = must_alloc(b, gran, 1, LL_BUDDY_OPTIMAL).offset;
    uint64_t g1 = must_alloc(b, gran, 1, LL_BUDDY_OPTIMAL).offset;
    uint64_t g2 = must_alloc(b, gran, 1, LL_BUDDY_OPTIMAL).offset;
    CHECK(g0 + g1 + g2 == 3 * gran); /* 0, gran, 2 gran in some order */
    uint64_t t = must_alloc(b, 10, 1, LL_BUDDY_LINEAR).offset;
    CHECK(t == 3 * gran);
    uint64_t t2 = must_alloc(b, gran / 4, 1, LL_BUDDY_LINEAR).offset;
    CHECK(t2 >= 3 * gran);
    must_not_alloc(b, 10, 1, LL_BUDDY_OPTIMAL, LL_E_STATE, "kind optimal");
    must_free(b, t);
    must_not_alloc(b, 10, 1, LL_BUDDY_OPTIMAL, LL_E_STATE, "no free block");
    must_free(b, t2);
    /* The tail is empty again and serves the other kind. */
    t = must_alloc(b, 10, 1, LL_BUDDY_OPTIMAL).offset;
    CHECK(t == 3 * gran);
    must_not_alloc(b, 10, 1, LL_BUDDY_LINEAR, LL_E_STATE, "kind linear");
    must_free(b, g0);
    t2 = must_alloc(b, 10, 1, LL_BUDDY_LINEAR).offset;
    CHECK(t2 == g0);
    must_free(b, t);
    must_free(b, t2);
    must_free(b, g1);
    must_free(b, g2);
    check_initial(b, 3 * gran + gran / 2, mb);
    ll_buddy_destroy(b);

    /* A granularity larger than the region: one kind at a time. */
    b = must_create(gran / 2, mb, gran);
    uint64_t x0 = must_alloc(b, 1, 1, LL_BUDDY_LINEAR).offset;
    uint64_t x1 = must_alloc(b, 1, 1, LL_BUDDY_LINEAR).offset;
    must_not_alloc(b, 1, 1, LL_BUDDY_OPTIMAL, LL_E_STATE, "no free block");
    must_free(b, x0);
    must_not_alloc(b, 1, 1, LL_BUDDY_OPTIMAL, LL_E_STATE, "no free block");
    must_free(b, x1);
    CHECK(must_alloc(b, 1, 1, LL_BUDDY_OPTIMAL).offset == 0);
    ll_buddy_destroy(b);
}

static void test_no_granularity(void)
{
    uint64_t grans[] = {1, 64, 256};
    for (size_t x = 0; x < 3; x++) {
        ll_buddy *b = must_create(4096, 256, grans[x]);
        CHECK(must_alloc(b, 1, 1, LL_BUDDY_LINEAR).offset == 0);
        CHECK(must_alloc(b, 1, 1, LL_BUDDY_OPTIMAL).offset == 256);
        CHECK(must_alloc(b, 1, 1, LL_BUDDY_LINEAR).offset == 512);
        valid(b);
        ll_buddy_destroy(b);
    }
}

static void test_query(void)
{
    ll_buddy *b = must_create(MIB, 512, 4096);
    ll_buddy_allocation a = must_alloc(b, 3000, 1024, LL_BUDDY_OPTIMAL), q;
    uint64_t size = 0;
    ll_buddy_kind kind = LL_BUDDY_LINEAR;
    ll_error err;
    CHECK(ll_buddy_query(b, a.offset, &q, &size, &kind, &err));
    CHECK(q.offset == a.offset && q.block_size == 4096 && size == 3000);
    CHECK(kind == LL_BUDDY_OPTIMAL);
    CHECK(ll_buddy_query(b, a.offset, NULL, NULL, NULL, &err));
    must_free(b, a.offset);
    CHECK(!ll_buddy_query(b, a.offset, &q, &size, &kind, &err) && err.code == LL_E_ARGUMENT);
    CHECK(strcmp(ll_buddy_kind_name(LL_BUDDY_LINEAR), "linear") == 0);
    CHECK(strcmp(ll_buddy_kind_name(LL_BUDDY_OPTIMAL), "optimal") == 0);
    CHECK(strcmp(ll_buddy_kind_name((ll_buddy_kind)7), "unknown") == 0);
    /* Large min blocks store big slack values exactly. */
    ll_buddy_destroy(b);
    b = must_create(UINT64_C(1) << 40, UINT64_C(1) << 20, 1);
    a = must_alloc(b, 1, 1, LL_BUDDY_LINEAR);
    CHECK(ll_buddy_query(b, a.offset, NULL, &size, NULL, &err) && size == 1);
    a = must_alloc(b, (UINT64_C(1) << 38) + 1, 1, LL_BUDDY_LINEAR);
    CHECK(a.block_size == UINT64_C(1) << 39);
    CHECK(ll_buddy_query(b, a.offset, NULL, &size, NULL, &err) && size == (UINT64_C(1) << 38) + 1);
    ll_buddy_stats s;
    ll_buddy_get_stats(b, &s);
    CHECK(s.bytes_requested == (UINT64_C(1) << 38) + 2);
    valid(b);
    ll_buddy_destroy(b);
}

static void test_validate_api(void)
{
    ll_error err;
    CHECK(!ll_buddy_validate(NULL, &err));
    CHECK(err.code == LL_E_STATE && strstr(err.message, "NULL") != NULL);
    CHECK(!ll_buddy_validate(NULL, NULL));
    ll_buddy *b = must_create(8192, 256, 1024);
    CHECK(ll_buddy_validate(b, NULL));
    ll_error_clear(&err);
    CHECK(ll_buddy_validate(b, &err) && err.code == LL_OK && err.message[0] == '\0');
    CHECK(ll_buddy_is_empty(NULL));
    ll_buddy_stats s;
    ll_buddy_get_stats(NULL, &s);
    CHECK(s.region_size == 0);
    ll_buddy_get_stats(b, NULL);
    ll_buddy_destroy(b);
}

/* A 4 GiB region of 256-byte blocks (2^24 min blocks): creation is cheap, operations cost
 * O(log) each, validation walks everything. */
static void test_large_region(void)
{
    ll_buddy *b = must_create(4 * GIB + 12345, 256, 65536);
    uint64_t off[64];
    for (int x = 0; x < 64; x++)
        off[x] = must_alloc(b, (uint64_t)1 << (x % 25), UINT64_C(1) << (x % 17),
                            (ll_buddy_kind)(x % 2)).offset;
    valid(b);
    /* Cost: a million operations among 2^24 min blocks. A scan over the blocks per
     * operation would take hours; the bitmaps take well under a second. */
    uint64_t state = 1;
    for (int x = 0; x < 500000; x++) {
        state = state * UINT64_C(6364136223846793005) + 1442695040888963407u;
        ll_buddy_allocation a;
        ll_error err;
        uint64_t size = 1 + (state >> 40) % (1u << (state >> 60));
        if (!ll_buddy_alloc(b, size, 256, (ll_buddy_kind)(x & 1), &a, &err) ||
            !ll_buddy_free(b, a.offset, &err)) {
            CHECK_MSG(0, "step %d: %s", x, err.message);
            break;
        }
    }
    valid(b);
    for (int x = 0; x < 64; x++)
        must_free(b, off[x]);
    check_initial(b, 4 * GIB + 12345, 256);
    ll_buddy_destroy(b);
}

/* Every size and alignment on small empty regions of every length: alloc succeeds exactly
 * when the block fits the largest top-level block, and filling leaves no fitting block. */
static void test_exhaustive_small(void)
{
    for (uint64_t n = 1; n <= 40; n++) {
        ll_buddy *b = must_create(n * 4, 4, 8);
        uint32_t top = 63 - (uint32_t)__builtin_clzll(n);
        for (uint64_t size = 1; size <= n * 4 + 5; size++) {
            for (uint32_t ak = 0; ak <= 9; ak++) {
                uint64_t align = UINT64_C(1) << ak;
                uint64_t blocks = (size + 3) / 4;
                uint32_t k = blocks <= 1 ? 0 : 64 - (uint32_t)__builtin_clzll(blocks - 1);
                ll_buddy_allocation a;
                ll_error err;
                bool ok = ll_buddy_alloc(b, size, align, (ll_buddy_kind)(ak & 1), &a, &err);
                CHECK_MSG(ok == (k <= top), "n %" PRIu64 " size %" PRIu64 " align %" PRIu64, n,
                          size, align);
                if (!ok)
                    continue;
                CHECK(a.offset % align == 0 && a.block_size == UINT64_C(4) << k);
                /* Fill with the same request, then no free block of that order is left. */
                uint64_t offs[64];
                int count = 0;
                offs[count++] = a.offset;
                while (count < 64 && ll_buddy_alloc(b, size, 1, LL_BUDDY_LINEAR, &a, &err))
                    offs[count++] = a.offset;
                CHECK(count < 64);
                ll_buddy_stats s;
                ll_buddy_get_stats(b, &s);
                /* (An order-0 optimal block may leave order-0 room only optimal can use.) */
                CHECK(s.largest_free_block < (UINT64_C(4) << k) || (k == 0 && (ak & 1) == 1));
                valid(b);
                for (int x = count; x-- > 0;)
                    must_free(b, offs[x]);
            }
        }
        check_initial(b, n * 4, 4);
        ll_buddy_destroy(b);
    }
}

/* ll_buddy_largest_free_for: per kind, below the granule a granule tagged with one kind
 * serves only that kind; at and above it, blocks serve both. */
static void test_largest_free_for(void)
{
    const uint64_t gran = 1024, mb = 256;
    ll_buddy *b = must_create(2 * gran, mb, gran); /* two granules */
    CHECK(ll_buddy_largest_free_for(b, LL_BUDDY_LINEAR) == 2 * gran);
    CHECK(ll_buddy_largest_free_for(b, LL_BUDDY_OPTIMAL) == 2 * gran);
    CHECK(ll_buddy_largest_free_for(b, (ll_buddy_kind)7) == 0);
    CHECK(ll_buddy_largest_free_for(NULL, LL_BUDDY_LINEAR) == 0);
    ll_buddy_allocation l = must_alloc(b, 100, 1, LL_BUDDY_LINEAR); /* tags granule 0 */
    CHECK(ll_buddy_largest_free_for(b, LL_BUDDY_LINEAR) == gran);
    CHECK(ll_buddy_largest_free_for(b, LL_BUDDY_OPTIMAL) == gran);
    ll_buddy_allocation o = must_alloc(b, gran, 1, LL_BUDDY_OPTIMAL); /* granule 1, whole */
    /* Left: 768 bytes of granule 0, linear only. */
    CHECK(ll_buddy_largest_free_for(b, LL_BUDDY_LINEAR) == 512);
    CHECK(ll_buddy_largest_free_for(b, LL_BUDDY_OPTIMAL) == 0);
    ll_buddy_allocation a;
    CHECK(!ll_buddy_alloc(b, 1, 1, LL_BUDDY_OPTIMAL, &a, NULL));
    ll_buddy_allocation l2 = must_alloc(b, 512, 512, LL_BUDDY_LINEAR);
    CHECK(ll_buddy_largest_free_for(b, LL_BUDDY_LINEAR) == 256);
    must_free(b, o.offset);
    must_free(b, l2.offset);
    must_free(b, l.offset);
    CHECK(ll_buddy_largest_free_for(b, LL_BUDDY_OPTIMAL) == 2 * gran);
    valid(b);
    ll_buddy_destroy(b);
}

int main(void)
{
    test_create_errors();
    test_metadata_bound();
    test_power_of_two_region();
    test_partial_region();
    test_alignment();
    test_size_and_kind_errors();
    test_free_errors();
    test_merge();
    test_granularity(1024);
    test_granularity(4096);
    test_no_granularity();
    test_largest_free_for();
    test_query();
    test_validate_api();
    test_large_region();
    test_exhaustive_small();
    return test_finish("buddy");
}
