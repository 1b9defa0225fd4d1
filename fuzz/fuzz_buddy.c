/* fuzz_buddy.c: libFuzzer target for the buddy allocator. The input chooses the region,
 * min block and granularity, then a sequence of allocs, frees, bogus frees and drains; a
 * shadow model of live ranges checks every result, ll_buddy_validate runs after every
 * step, and any inconsistency abort()s. tests/test_buddy_regress.c replays saved inputs
 * through the same function. Not for: speed measurements. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lluvia/buddy.h"

#define FUZZ_MAX_BLOCKS 1024 /* keeps validate after every step cheap */

typedef struct fuzz_object {
    uint64_t offset, size, block_offset, block_size;
    ll_buddy_kind kind;
} fuzz_object;

typedef struct fuzz_input {
    const uint8_t *data;
    size_t size, at;
} fuzz_input;

typedef struct fuzz_state {
    ll_buddy *b;
    uint64_t region, min_block, granularity;
    fuzz_object live[FUZZ_MAX_BLOCKS];
    size_t live_count;
    uint64_t in_use, requested;
    uint64_t step;
} fuzz_state;

static uint8_t fuzz_byte(fuzz_input *in) { return in->at < in->size ? in->data[in->at++] : 0; }

static uint64_t fuzz_bytes(fuzz_input *in, int n)
{
    uint64_t v = 0;
    for (int k = 0; k < n; k++)
        v |= (uint64_t)fuzz_byte(in) << (8 * k);
    return v;
}

static void fuzz_die(const fuzz_state *s, const char *what, uint64_t a, uint64_t b)
{
    fprintf(stderr,
            "fuzz_buddy: %s (%" PRIu64 ", %" PRIu64 ") at step %" PRIu64 "; region %" PRIu64
            " min_block %" PRIu64 " granularity %" PRIu64 "\n",
            what, a, b, s->step, s->region, s->min_block, s->granularity);
    abort();
}

static uint32_t fuzz_log2_ceil(uint64_t x)
{
    return x <= 1 ? 0 : 64 - (uint32_t)__builtin_clzll(x - 1);
}

static void fuzz_check_all(fuzz_state *s)
{
    ll_error err;
    if (!ll_buddy_validate(s->b, &err)) {
        fprintf(stderr, "fuzz_buddy: validate: %s\n", err.message);
        fuzz_die(s, "validate failed", 0, 0);
    }
    ll_buddy_stats st;
    ll_buddy_get_stats(s->b, &st);
    uint64_t usable = s->region - s->region % s->min_block;
    if (st.region_size != s->region || st.unusable_bytes != s->region % s->min_block)
        fuzz_die(s, "region stats", st.region_size, st.unusable_bytes);
    if (st.live_objects != s->live_count)
        fuzz_die(s, "live objects", st.live_objects, s->live_count);
    if (st.bytes_in_use != s->in_use || st.bytes_free != usable - s->in_use)
        fuzz_die(s, "bytes in use", st.bytes_in_use, s->in_use);
    if (st.bytes_requested != s->requested)
        fuzz_die(s, "bytes requested", st.bytes_requested, s->requested);
    if (ll_buddy_is_empty(s->b) != (s->live_count == 0))
        fuzz_die(s, "is_empty", s->live_count, 0);
    uint64_t sum = 0, largest = 0;
    for (uint32_t j = 0; j < st.order_count; j++) {
        sum += st.free_blocks_per_order[j] * (s->min_block << j);
        if (st.free_blocks_per_order[j] != 0)
            largest = s->min_block << j;
    }
    if (sum != st.bytes_free || largest != st.largest_free_block)
        fuzz_die(s, "per-order free blocks", sum, st.bytes_free);
    if (s->live_count == 0) {
        uint64_t n = s->region / s->min_block;
        for (uint32_t j = 0; j < st.order_count; j++)
            if (st.free_blocks_per_order[j] != (n >> j & 1))
                fuzz_die(s, "empty allocator is not its initial blocks", j,
                         st.free_blocks_per_order[j]);
    }
}

static void fuzz_alloc(fuzz_state *s, fuzz_input *in)
{
    uint8_t e = fuzz_byte(in) % 66, ae = fuzz_byte(in) % 67, kb = fuzz_byte(in);
    uint64_t frac = fuzz_bytes(in, 2);
    uint64_t size;
    if (e == 64)
        size = 0;
    else if (e == 65)
        size = UINT64_MAX - frac;
    else {
        uint64_t base = UINT64_C(1) << e;
        size = base + (e >= 16 ? (base >> 16) * frac : (frac << e) >> 16);
    }
    uint64_t alignment = ae < 64 ? UINT64_C(1) << ae : ae == 64 ? 0 : 3 + frac * 2;
    ll_buddy_kind kind = (ll_buddy_kind)(kb == 255 ? 2 : kb & 1);
    bool bad_args = size == 0 || (alignment & (alignment - 1)) != 0 || alignment == 0 ||
                    kind > LL_BUDDY_OPTIMAL;

    ll_buddy_stats before, after;
    ll_buddy_get_stats(s->b, &before);
    ll_buddy_allocation a;
    ll_error err;
    bool ok = ll_buddy_alloc(s->b, size, alignment, kind, &a, &err);
    if (!ok) {
        ll_buddy_get_stats(s->b, &after);
        if (memcmp(&before, &after, sizeof before) != 0)
            fuzz_die(s, "failed alloc changed the stats", size, alignment);
        if (bad_args != (err.code == LL_E_ARGUMENT))
            fuzz_die(s, "alloc error code", size, err.code);
        if (!bad_args) {
            if (err.code != LL_E_STATE || strncmp(err.message, "no free block of ", 17) != 0)
                fuzz_die(s, "alloc failure message", size, alignment);
            uint32_t top = 63 - (uint32_t)__builtin_clzll(s->region / s->min_block);
            uint32_t k = fuzz_log2_ceil((size - 1) / s->min_block + 1);
            if (k <= top && s->live_count == 0)
                fuzz_die(s, "alloc failed on an empty allocator", size, alignment);
            uint32_t ao = alignment <= s->min_block
                              ? 0 : 63 - (uint32_t)__builtin_clzll(alignment / s->min_block);
            uint32_t need = k > ao ? k : ao;
            bool any_kind = s->granularity <= s->min_block ||
                            (k <= top && (s->min_block << k) >= s->granularity);
            if (any_kind && need <= top && before.largest_free_block >= s->min_block << need)
                fuzz_die(s, "alloc failed with a fitting free block", size, alignment);
        }
        return;
    }
    if (bad_args)
        fuzz_die(s, "alloc accepted bad arguments", size, alignment);
    fuzz_object o = {a.offset, size, a.block_offset, a.block_size, kind};
    if (o.offset % alignment != 0)
        fuzz_die(s, "misaligned", o.offset, alignment);
    if (o.block_size < s->min_block || (o.block_size & (o.block_size - 1)) != 0 ||
        o.block_offset % o.block_size != 0 || o.block_offset > s->region ||
        o.block_size > s->region - o.block_offset)
        fuzz_die(s, "bad block", o.block_offset, o.block_size);
    if (o.offset < o.block_offset || o.size > o.block_size ||
        o.offset - o.block_offset > o.block_size - o.size)
        fuzz_die(s, "object outside its block", o.offset, o.size);
    if (o.block_size > s->min_block && o.block_size / 2 >= o.size)
        fuzz_die(s, "block larger than needed", o.block_size, o.size);
    uint64_t g = s->granularity;
    for (size_t x = 0; x < s->live_count; x++) {
        const fuzz_object *p = &s->live[x];
        if (p->block_offset < o.block_offset + o.block_size &&
            o.block_offset < p->block_offset + p->block_size)
            fuzz_die(s, "blocks overlap", o.block_offset, p->block_offset);
        if (p->kind != o.kind && p->offset / g <= (o.offset + o.size - 1) / g &&
            o.offset / g <= (p->offset + p->size - 1) / g)
            fuzz_die(s, "kinds share a granularity page", o.offset, p->offset);
    }
    if (s->live_count == FUZZ_MAX_BLOCKS)
        fuzz_die(s, "more live objects than min blocks", s->live_count, 0);
    s->live[s->live_count++] = o;
    s->in_use += o.block_size;
    s->requested += o.size;
}

static void fuzz_free_at(fuzz_state *s, size_t x)
{
    ll_error err;
    if (!ll_buddy_free(s->b, s->live[x].offset, &err)) {
        fprintf(stderr, "fuzz_buddy: %s\n", err.message);
        fuzz_die(s, "free of a live object failed", s->live[x].offset, 0);
    }
    s->in_use -= s->live[x].block_size;
    s->requested -= s->live[x].size;
    s->live[x] = s->live[--s->live_count];
}

static void fuzz_bogus_free(fuzz_state *s, fuzz_input *in)
{
    uint8_t how = fuzz_byte(in);
    uint64_t offset;
    if ((how & 3) == 0 && s->live_count > 0)
        offset = s->live[fuzz_byte(in) % s->live_count].offset + 1 + fuzz_byte(in);
    else if ((how & 3) == 1)
        offset = (fuzz_bytes(in, 2) % (s->region / s->min_block + 2)) * s->min_block;
    else
        offset = fuzz_bytes(in, 8);
    for (size_t x = 0; x < s->live_count; x++)
        if (s->live[x].offset == offset)
            return;
    ll_buddy_stats before, after;
    ll_buddy_get_stats(s->b, &before);
    ll_error err;
    if (ll_buddy_free(s->b, offset, &err) || err.code != LL_E_ARGUMENT)
        fuzz_die(s, "bogus free accepted", offset, 0);
    ll_buddy_get_stats(s->b, &after);
    if (memcmp(&before, &after, sizeof before) != 0)
        fuzz_die(s, "bogus free changed the stats", offset, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_state s; /* large: not on the stack */
    fuzz_input in = {data, size, 0};
    memset(&s, 0, sizeof s);

    /* Header: min block 2^0..2^15 or, with the top bit, 2^40..2^63; 1..FUZZ_MAX_BLOCKS min
     * blocks plus a ragged end; granularity 2^0..2^63. */
    uint8_t h0 = fuzz_byte(&in);
    uint32_t shift = (h0 & 0x80) ? 40 + (h0 & 0x7f) % 24 : h0 % 16;
    uint64_t n = 1 + fuzz_bytes(&in, 2) % FUZZ_MAX_BLOCKS;
    uint64_t ragged = fuzz_bytes(&in, 8);
    s.min_block = UINT64_C(1) << shift;
    if (n > (UINT64_MAX >> shift))
        n = UINT64_MAX >> shift;
    s.region = n << shift;
    if (UINT64_MAX - s.region >= s.min_block - 1)
        s.region += ragged % s.min_block;
    uint8_t gb = fuzz_byte(&in);
    s.granularity = UINT64_C(1) << ((gb & 0x80) ? shift + (gb & 0x7f) % (64 - shift) : gb % 24);

    ll_error err;
    s.b = ll_buddy_create(s.region, s.min_block, s.granularity, &err);
    if (s.b == NULL) {
        fprintf(stderr, "fuzz_buddy: create: %s\n", err.message);
        fuzz_die(&s, "create failed", s.region, s.min_block);
    }
    if (ll_buddy_host_bytes(s.b) > ll_buddy_metadata_bytes(s.region, s.min_block))
        fuzz_die(&s, "metadata above its bound", ll_buddy_host_bytes(s.b), 0);
    fuzz_check_all(&s);

    while (in.at < in.size) {
        uint8_t op = fuzz_byte(&in);
        s.step++;
        switch (op % 8) {
        case 0: case 1: case 2: case 3:
            fuzz_alloc(&s, &in);
            break;
        case 4: case 5:
            if (s.live_count > 0)
                fuzz_free_at(&s, fuzz_bytes(&in, 2) % s.live_count);
            break;
        case 6:
            fuzz_bogus_free(&s, &in);
            break;
        case 7:
            while (s.live_count > 0)
                fuzz_free_at(&s, s.live_count - 1);
            break;
        }
        fuzz_check_all(&s);
    }
    while (s.live_count > 0)
        fuzz_free_at(&s, 0);
    fuzz_check_all(&s);
    ll_buddy_destroy(s.b);
    return 0;
}
