/* buddy.c: the buddy allocator of buddy.h. Free blocks live in hierarchical bitmaps, one
 * per order (two per order below the granule, one per kind); each min block has a head
 * byte. Not for: anything Vulkan; see docs/buddy.md for the design and its bounds. */
#include "lluvia/buddy.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "lluvia/fault.h"

/* Head byte of each min block: 0 inside a block, else the block's state in the top two
 * bits and its order in the low six. */
#define HEAD_FREE 0x40u
#define HEAD_LINEAR 0x80u
#define HEAD_OPTIMAL 0xC0u
#define HEAD_STATE 0xC0u
#define HEAD_ORDER 0x3Fu

/* Metadata above 1 TiB is refused before asking malloc (sanitizers abort on such sizes). */
#define MAX_METADATA_BYTES (UINT64_C(1) << 40)

#define TAIL_UNTAGGED 2

struct ll_buddy {
    uint64_t region_size;
    uint64_t min_block;
    uint64_t granularity;
    uint64_t blocks;         /* N: min blocks covered by top-level blocks */
    uint32_t min_shift;      /* log2(min_block) */
    uint32_t top_order;      /* K: order of the largest (first) top-level block */
    uint32_t granule_order;  /* g: blocks of lower orders are sub-granule; 0: no constraint */
    uint32_t slack_width;    /* bytes of slack storage per min block */
    uint8_t *head;           /* [blocks] */
    uint8_t *slack;          /* [blocks * slack_width]: block size - size, per live block */
    uint64_t *words;         /* every bitset's words */
    uint64_t host_bytes;
    uint64_t free_count[LL_BUDDY_MAX_ORDERS];
    /* The tail: top-level blocks of orders below g, all inside one partial granule. Its
     * whole free top-level blocks are tracked in a mask rather than the sets, so that the
     * tail can change kind in O(1) once it empties. */
    uint64_t tail_full;      /* bit j: the tail has a top-level block of order j */
    uint64_t tail_free;      /* bit j: and it is free and whole */
    int tail_kind;           /* kind of the tail's objects, or TAIL_UNTAGGED when empty */
    uint64_t bytes_in_use;
    uint64_t bytes_requested;
    uint64_t live;
    /* Free blocks: sets[j][kind] for j < g (a sub-granule block serves only the kind its
     * granule is tagged with), sets[j][0] for j >= g; j = 0 .. top_order, allocated with
     * the struct (a Memory of small pages holds many allocators: only their orders). */
    ll_bitset sets[][2];
};

/* ---- bit arithmetic ------------------------------------------------------------------ */

static bool is_pow2(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

static uint32_t floor_log2(uint64_t x) { return 63u - (uint32_t)__builtin_clzll(x); }

/* Smallest k with 2^k >= x, for x >= 1 (64 when x > 2^63). */
static uint32_t ceil_log2(uint64_t x) { return x <= 1 ? 0 : floor_log2(x - 1) + 1; }

static uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    return (b != 0 && a > UINT64_MAX / b) ? UINT64_MAX : a * b;
}

/* ---- layout -------------------------------------------------------------------------- */

/* Slack (block size - size) of an order-0 block is < min_block: it needs log2(min_block)
 * bits. Larger blocks spread theirs over their min blocks' bytes (docs/buddy.md). */
static uint32_t slack_width_for(uint32_t min_shift) { return min_shift <= 8 ? 1 : (min_shift + 7) / 8; }

/* Host bytes for N min blocks with two sets at the orders below g and one above. */
static uint64_t layout_bytes(uint64_t blocks, uint32_t min_shift, uint32_t g, uint64_t *words_out)
{
    uint32_t top = floor_log2(blocks);
    uint64_t words = 0;
    for (uint32_t j = 0; j <= top; j++)
        words = sat_add(words, sat_mul(j < g ? 2 : 1, ll_bitset_words(blocks >> j)));
    if (words_out != NULL)
        *words_out = words;
    uint64_t bytes = sizeof(ll_buddy) + ((uint64_t)top + 1) * sizeof(ll_bitset[2]);
    bytes = sat_add(bytes, blocks);
    bytes = sat_add(bytes, sat_mul(blocks, slack_width_for(min_shift)));
    bytes = sat_add(bytes, sat_mul(words, sizeof(uint64_t)));
    return bytes;
}

uint64_t ll_buddy_metadata_bytes(uint64_t region_size, uint64_t min_block)
{
    if (!is_pow2(min_block) || region_size < min_block)
        return UINT64_MAX;
    uint32_t shift = floor_log2(min_block);
    /* The worst granularity puts every order below the granule: two sets everywhere. */
    return layout_bytes(region_size >> shift, shift, LL_BUDDY_MAX_ORDERS, NULL);
}

/* Where the top-level block of order j starts (the blocks run in descending order). */
static uint64_t top_start(uint64_t blocks, uint32_t j)
{
    return j >= 63 ? 0 : (blocks >> (j + 1)) << (j + 1);
}

/* Is block (i, j) a top-level block, which has no buddy? */
static bool is_top(const ll_buddy *b, uint64_t i, uint32_t j)
{
    return (b->blocks >> j & 1) != 0 && i == top_start(b->blocks, j);
}

static bool in_tail_top(const ll_buddy *b, uint64_t i, uint32_t j)
{
    return j < b->granule_order && is_top(b, i, j);
}

static ll_bitset *set_of(ll_buddy *b, uint32_t j, int kind)
{
    return &b->sets[j][j < b->granule_order ? kind : 0];
}

static const ll_bitset *cset_of(const ll_buddy *b, uint32_t j, int kind)
{
    return &b->sets[j][j < b->granule_order ? kind : 0];
}

static bool tail_serves(const ll_buddy *b, int kind)
{
    return b->tail_kind == TAIL_UNTAGGED || b->tail_kind == kind;
}

/* Slack is stored least significant byte first; blocks of order 3 and up have 8 bytes of
 * it, which a little-endian host moves as one word (the byte loops were a sixth of an
 * alloc + free pair's instructions on the churn trace). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SLACK_WORDS 1
#else
#define SLACK_WORDS 0
#endif

static void slack_store(ll_buddy *b, uint64_t i, uint32_t j, uint64_t slack)
{
    uint64_t n = j >= 3 ? 8 : ((uint64_t)b->slack_width << j);
    if (n > 8)
        n = 8;
    uint8_t *p = b->slack + i * b->slack_width;
    if (SLACK_WORDS && n == 8) {
        memcpy(p, &slack, 8);
        return;
    }
    for (uint64_t k = 0; k < n; k++, slack >>= 8)
        p[k] = (uint8_t)slack;
}

static uint64_t slack_load(const ll_buddy *b, uint64_t i, uint32_t j)
{
    uint64_t n = j >= 3 ? 8 : ((uint64_t)b->slack_width << j);
    if (n > 8)
        n = 8;
    const uint8_t *p = b->slack + i * b->slack_width;
    uint64_t slack = 0;
    if (SLACK_WORDS && n == 8) {
        memcpy(&slack, p, 8);
        return slack;
    }
    for (uint64_t k = n; k-- > 0;)
        slack = slack << 8 | p[k];
    return slack;
}

static uint64_t largest_free(const ll_buddy *b)
{
    for (uint32_t j = b->top_order + 1; j-- > 0;)
        if (b->free_count[j] != 0)
            return b->min_block << j;
    return 0;
}

/* ---- create / destroy ---------------------------------------------------------------- */

ll_buddy *ll_buddy_create(uint64_t region_size, uint64_t min_block, uint64_t granularity,
                          ll_error *err)
{
    if (!is_pow2(min_block)) {
        ll_fail(err, LL_E_ARGUMENT, "min_block must be a power of two, got %" PRIu64, min_block);
        return NULL;
    }
    if (!is_pow2(granularity)) {
        ll_fail(err, LL_E_ARGUMENT, "granularity must be a power of two, got %" PRIu64,
                granularity);
        return NULL;
    }
    if (region_size < min_block) {
        ll_fail(err, LL_E_ARGUMENT,
                "region_size must be >= min_block (%" PRIu64 "), got %" PRIu64, min_block,
                region_size);
        return NULL;
    }
    uint32_t shift = floor_log2(min_block);
    uint64_t blocks = region_size >> shift;
    uint32_t g = granularity > min_block ? floor_log2(granularity) - shift : 0;
    uint64_t words;
    uint64_t bytes = layout_bytes(blocks, shift, g, &words);
    if (bytes > MAX_METADATA_BYTES || (uint64_t)(size_t)bytes != bytes) {
        ll_fail(err, LL_E_HOST_MEMORY,
                "buddy metadata for region_size %" PRIu64 " and min_block %" PRIu64
                " would take %" PRIu64 " bytes of host memory (limit %" PRIu64 ")",
                region_size, min_block, bytes, MAX_METADATA_BYTES);
        return NULL;
    }

    uint32_t top = floor_log2(blocks);
    ll_buddy *b = ll_calloc(1, sizeof *b + ((size_t)top + 1) * sizeof b->sets[0]);
    if (b == NULL)
        goto fail;
    /* calloc: pages that are never touched are never made resident. */
    b->head = ll_calloc((size_t)blocks, 1);
    if (b->head == NULL)
        goto fail;
    b->slack_width = slack_width_for(shift);
    b->slack = ll_calloc((size_t)blocks, b->slack_width);
    if (b->slack == NULL)
        goto fail;
    b->words = ll_calloc((size_t)words, sizeof(uint64_t));
    if (b->words == NULL)
        goto fail;

    b->region_size = region_size;
    b->min_block = min_block;
    b->granularity = granularity;
    b->blocks = blocks;
    b->min_shift = shift;
    b->top_order = top;
    b->granule_order = g;
    b->host_bytes = bytes;
    uint64_t used = 0;
    for (uint32_t j = 0; j <= b->top_order; j++)
        for (int kind = 0; kind < (j < g ? 2 : 1); kind++)
            used += ll_bitset_init(&b->sets[j][kind], blocks >> j, b->words + used);

    b->tail_full = g == 0 ? 0 : blocks & ((UINT64_C(1) << g) - 1);
    b->tail_free = b->tail_full;
    b->tail_kind = TAIL_UNTAGGED;
    for (uint32_t j = 0; j <= b->top_order; j++) {
        if ((blocks >> j & 1) == 0)
            continue;
        uint64_t i = top_start(blocks, j);
        b->head[i] = (uint8_t)(HEAD_FREE | j);
        b->free_count[j]++;
        if (j >= g)
            ll_bitset_insert(&b->sets[j][0], i >> j);
    }
    return b;

fail:
    ll_buddy_destroy(b);
    ll_fail(err, LL_E_HOST_MEMORY,
            "cannot allocate %" PRIu64 " bytes of buddy metadata (region_size %" PRIu64
            ", min_block %" PRIu64 ")",
            bytes, region_size, min_block);
    return NULL;
}

void ll_buddy_destroy(ll_buddy *b)
{
    if (b == NULL)
        return;
    ll_free(b->words);
    ll_free(b->slack);
    ll_free(b->head);
    ll_free(b);
}

/* ---- alloc --------------------------------------------------------------------------- */

/* Finds a free block of order >= k that serves `kind` and starts at a multiple of 2^a min
 * blocks: of the smallest order that has one, the lowest-addressed. Blocks are naturally
 * aligned, so at orders >= a any block will do; at orders below a only the lowest block of
 * the order is tried (O(1) per order: an aligned block further up that order's set is
 * missed, and a larger block is split instead). Offset 0, aligned to everything, is always
 * the lowest block of its order. */
static bool find_block(const ll_buddy *b, uint32_t k, uint32_t a, int kind, uint64_t *at,
                       uint32_t *order)
{
    uint64_t misaligned = (UINT64_C(1) << a) - 1;
    for (uint32_t j = k; j <= b->top_order; j++) {
        uint64_t x;
        if (ll_bitset_first(cset_of(b, j, kind), &x) && ((x << j) & misaligned) == 0) {
            *at = x << j;
            *order = j;
            return true;
        }
        if (j < b->granule_order && (b->tail_free >> j & 1) != 0 && tail_serves(b, kind) &&
            (top_start(b->blocks, j) & misaligned) == 0) {
            *at = top_start(b->blocks, j);
            *order = j;
            return true;
        }
    }
    return false;
}

bool ll_buddy_alloc(ll_buddy *b, uint64_t size, uint64_t alignment, ll_buddy_kind kind,
                    ll_buddy_allocation *out, ll_error *err)
{
    if (b == NULL)
        return ll_fail(err, LL_E_ARGUMENT, "buddy allocator must not be NULL");
    if (out == NULL)
        return ll_fail(err, LL_E_ARGUMENT, "out must not be NULL");
    if (size == 0)
        return ll_fail(err, LL_E_ARGUMENT, "size must be > 0, got 0");
    if (!is_pow2(alignment))
        return ll_fail(err, LL_E_ARGUMENT, "alignment must be a power of two, got %" PRIu64,
                       alignment);
    if (kind != LL_BUDDY_LINEAR && kind != LL_BUDDY_OPTIMAL)
        return ll_fail(err, LL_E_ARGUMENT,
                       "kind must be LL_BUDDY_LINEAR or LL_BUDDY_OPTIMAL, got %d", (int)kind);

    uint32_t k = ceil_log2(((size - 1) >> b->min_shift) + 1);
    uint32_t a = alignment <= b->min_block ? 0 : floor_log2(alignment) - b->min_shift;
    uint64_t i;
    uint32_t j;
    if (k > b->top_order || !find_block(b, k, a, (int)kind, &i, &j))
        return ll_fail(err, LL_E_STATE,
                       "no free block of %" PRIu64 " bytes (largest free block %" PRIu64
                       "; alignment %" PRIu64 ", kind %s)",
                       size, largest_free(b), alignment, ll_buddy_kind_name(kind));

    /* Commit: nothing below can fail. */
    if (in_tail_top(b, i, j)) {
        b->tail_free &= ~(UINT64_C(1) << j);
        b->tail_kind = (int)kind;
    } else {
        ll_bitset_remove(set_of(b, j, (int)kind), i >> j);
    }
    b->free_count[j]--;
    /* Keep the left half, free the right one; below g the halves join the kind's sets,
     * which is what tags a granule. */
    while (j > k) {
        j--;
        uint64_t r = i + (UINT64_C(1) << j);
        b->head[r] = (uint8_t)(HEAD_FREE | j);
        ll_bitset_insert(set_of(b, j, (int)kind), r >> j);
        b->free_count[j]++;
    }
    uint64_t block_size = b->min_block << k;
    b->head[i] = (uint8_t)((kind == LL_BUDDY_OPTIMAL ? HEAD_OPTIMAL : HEAD_LINEAR) | k);
    slack_store(b, i, k, block_size - size);
    b->bytes_in_use += block_size;
    b->bytes_requested += size;
    b->live++;

    out->offset = i << b->min_shift;
    out->block_offset = out->offset;
    out->block_size = block_size;
    return true;
}

/* ---- free ---------------------------------------------------------------------------- */

/* The block containing min block i: the first head met clearing low bits of i. */
static uint64_t containing_block(const ll_buddy *b, uint64_t i)
{
    for (uint32_t j = 1; j <= b->top_order; j++) {
        uint64_t c = i & ~((UINT64_C(1) << j) - 1);
        if (b->head[c] != 0)
            return c;
    }
    return 0;
}

/* Finds the live allocation at `offset`: its min block index and head byte. */
static bool lookup(const ll_buddy *b, uint64_t offset, uint64_t *index, uint8_t *head,
                   ll_error *err)
{
    const char *why;
    uint64_t i = offset >> b->min_shift;
    if ((offset & (b->min_block - 1)) != 0)
        why = "not a multiple of min_block";
    else if (i >= b->blocks)
        why = "outside the usable region";
    else if (b->head[i] == 0 && (b->head[containing_block(b, i)] & HEAD_STATE) != HEAD_FREE)
        why = "inside a live block";
    else if ((b->head[i] & HEAD_STATE) == HEAD_FREE || b->head[i] == 0)
        why = "free memory: double free, or never returned";
    else {
        *index = i;
        *head = b->head[i];
        return true;
    }
    return ll_fail(err, LL_E_ARGUMENT, "offset %" PRIu64 " is not a live allocation (%s)",
                   offset, why);
}

bool ll_buddy_free(ll_buddy *b, uint64_t offset, ll_error *err)
{
    if (b == NULL)
        return ll_fail(err, LL_E_ARGUMENT, "buddy allocator must not be NULL");
    uint64_t i;
    uint8_t h;
    if (!lookup(b, offset, &i, &h, err))
        return false;
    uint32_t j = h & HEAD_ORDER;
    int kind = (h & HEAD_STATE) == HEAD_OPTIMAL ? LL_BUDDY_OPTIMAL : LL_BUDDY_LINEAR;
    uint64_t block_size = b->min_block << j;
    b->bytes_in_use -= block_size;
    b->bytes_requested -= block_size - slack_load(b, i, j);
    b->live--;

    /* Merge while the buddy is a whole free block. Below g the buddy lies in the same
     * granule, so it sits in this kind's set. */
    b->head[i] = 0;
    while (!is_top(b, i, j)) {
        uint64_t buddy = i ^ (UINT64_C(1) << j);
        if (b->head[buddy] != (HEAD_FREE | j))
            break;
        ll_bitset_remove(set_of(b, j, kind), buddy >> j);
        b->free_count[j]--;
        b->head[buddy] = 0;
        i &= ~(UINT64_C(1) << j);
        j++;
    }
    b->head[i] = (uint8_t)(HEAD_FREE | j);
    b->free_count[j]++;
    if (in_tail_top(b, i, j)) {
        b->tail_free |= UINT64_C(1) << j;
        if (b->tail_free == b->tail_full)
            b->tail_kind = TAIL_UNTAGGED;
    } else {
        ll_bitset_insert(set_of(b, j, kind), i >> j);
    }
    return true;
}

/* ---- queries ------------------------------------------------------------------------- */

bool ll_buddy_query(const ll_buddy *b, uint64_t offset, ll_buddy_allocation *out,
                    uint64_t *size, ll_buddy_kind *kind, ll_error *err)
{
    if (b == NULL)
        return ll_fail(err, LL_E_ARGUMENT, "buddy allocator must not be NULL");
    uint64_t i;
    uint8_t h;
    if (!lookup(b, offset, &i, &h, err))
        return false;
    uint32_t j = h & HEAD_ORDER;
    uint64_t block_size = b->min_block << j;
    if (out != NULL) {
        out->offset = offset;
        out->block_offset = offset;
        out->block_size = block_size;
    }
    if (size != NULL)
        *size = block_size - slack_load(b, i, j);
    if (kind != NULL)
        *kind = (h & HEAD_STATE) == HEAD_OPTIMAL ? LL_BUDDY_OPTIMAL : LL_BUDDY_LINEAR;
    return true;
}

void ll_buddy_get_stats(const ll_buddy *b, ll_buddy_stats *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof *out);
    if (b == NULL)
        return;
    uint64_t usable = b->blocks << b->min_shift;
    out->region_size = b->region_size;
    out->bytes_in_use = b->bytes_in_use;
    out->bytes_requested = b->bytes_requested;
    out->bytes_free = usable - b->bytes_in_use;
    out->largest_free_block = largest_free(b);
    out->live_objects = b->live;
    out->unusable_bytes = b->region_size - usable;
    out->order_count = b->top_order + 1;
    for (uint32_t j = 0; j <= b->top_order; j++)
        out->free_blocks_per_order[j] = b->free_count[j];
}

bool ll_buddy_is_empty(const ll_buddy *b) { return b == NULL || b->live == 0; }

uint64_t ll_buddy_largest_free_for(const ll_buddy *b, ll_buddy_kind kind)
{
    if (b == NULL || (kind != LL_BUDDY_LINEAR && kind != LL_BUDDY_OPTIMAL))
        return 0;
    /* The orders find_block looks at, from the top: the first one that serves `kind`. */
    for (uint32_t j = b->top_order + 1; j-- > 0;) {
        if (!ll_bitset_is_empty(cset_of(b, j, (int)kind)) ||
            (j < b->granule_order && (b->tail_free >> j & 1) != 0 && tail_serves(b, (int)kind)))
            return b->min_block << j;
    }
    return 0;
}

uint64_t ll_buddy_host_bytes(const ll_buddy *b) { return b == NULL ? 0 : b->host_bytes; }

const char *ll_buddy_kind_name(ll_buddy_kind kind)
{
    switch (kind) {
    case LL_BUDDY_LINEAR: return "linear";
    case LL_BUDDY_OPTIMAL: return "optimal";
    }
    return "unknown";
}

/* ---- validate ------------------------------------------------------------------------ */

#define BAD(...) return ll_fail(err, LL_E_STATE, __VA_ARGS__)

bool ll_buddy_validate(const ll_buddy *b, ll_error *err)
{
    if (b == NULL)
        BAD("allocator is NULL");
    const uint64_t n = b->blocks, m = b->min_block;
    const uint32_t g = b->granule_order;
    if (n == 0 || n != b->region_size >> b->min_shift || m != UINT64_C(1) << b->min_shift)
        BAD("geometry: region_size %" PRIu64 ", min_block %" PRIu64 ", blocks %" PRIu64,
            b->region_size, m, n);
    if (b->top_order != floor_log2(n))
        BAD("top order %" PRIu32 " for %" PRIu64 " min blocks", b->top_order, n);
    if (b->tail_full != (g == 0 ? 0 : n & ((UINT64_C(1) << g) - 1)) ||
        (b->tail_free & ~b->tail_full) != 0)
        BAD("tail masks full %#" PRIx64 " free %#" PRIx64, b->tail_full, b->tail_free);
    if (b->tail_kind < 0 || b->tail_kind > TAIL_UNTAGGED)
        BAD("tail kind %d", b->tail_kind);

    uint64_t in_sets = 0;
    for (uint32_t j = 0; j <= b->top_order; j++)
        for (int kind = 0; kind < 2; kind++) {
            const ll_bitset *s = &b->sets[j][kind];
            bool exists = kind == 0 || j < g;
            if (exists != (s->levels != 0))
                BAD("free set of order %" PRIu32 " kind %d %s", j, kind,
                    exists ? "missing" : "unexpected");
            if (exists && (s->bits != n >> j || !ll_bitset_check(s, &in_sets)))
                BAD("free set of order %" PRIu32 " kind %d: summary levels disagree", j, kind);
        }

    uint64_t free_count[LL_BUDDY_MAX_ORDERS] = {0};
    uint64_t in_use = 0, requested = 0, live = 0, should_be_in_sets = 0;
    uint64_t granule = UINT64_MAX;  /* granule whose sub-granule blocks are being walked */
    unsigned granule_kinds = 0;     /* bit per kind seen there (allocated or free set) */
    unsigned tail_alloc_kinds = 0;
    bool have_prev = false;
    uint64_t prev_end = 0;
    int prev_kind = 0;
    for (uint64_t i = 0; i < n;) {
        uint8_t h = b->head[i];
        uint32_t j = h & HEAD_ORDER;
        unsigned state = h & HEAD_STATE;
        if (state == 0)
            BAD("min block %" PRIu64 " (offset %" PRIu64 ") starts no block", i, i * m);
        if (j > b->top_order || (i & ((UINT64_C(1) << j) - 1)) != 0 ||
            (UINT64_C(1) << j) > n - i)
            BAD("block at min block %" PRIu64 " of order %" PRIu32 " is misplaced", i, j);
        uint64_t len = UINT64_C(1) << j;
        for (uint64_t x = i + 1; x < i + len; x++)
            if (b->head[x] != 0)
                BAD("min block %" PRIu64 " inside block %" PRIu64 " has head %#x", x, i,
                    b->head[x]);
        bool tail_top = in_tail_top(b, i, j);
        int kind;
        if (state == HEAD_FREE) {
            free_count[j]++;
            if (!is_top(b, i, j)) {
                uint64_t buddy = i ^ len;
                if (b->head[buddy] == (HEAD_FREE | j))
                    BAD("free buddies %" PRIu64 " and %" PRIu64 " of order %" PRIu32
                        " not merged", i, buddy, j);
            }
            if (j >= g) {
                kind = -1;
                should_be_in_sets++;
                if (!ll_bitset_test(&b->sets[j][0], i >> j))
                    BAD("free block %" PRIu64 " of order %" PRIu32 " not in its free set", i, j);
            } else if (tail_top) {
                kind = -1;
                if ((b->tail_free >> j & 1) == 0)
                    BAD("free tail block %" PRIu64 " of order %" PRIu32 " not in the tail mask",
                        i, j);
                if (ll_bitset_test(&b->sets[j][0], i >> j) || ll_bitset_test(&b->sets[j][1], i >> j))
                    BAD("free tail block %" PRIu64 " is also in a free set", i);
            } else {
                bool lin = ll_bitset_test(&b->sets[j][0], i >> j);
                bool opt = ll_bitset_test(&b->sets[j][1], i >> j);
                if (lin == opt)
                    BAD("free block %" PRIu64 " of order %" PRIu32 " is in %s kind's set", i,
                        j, lin ? "both" : "neither");
                kind = opt ? LL_BUDDY_OPTIMAL : LL_BUDDY_LINEAR;
                should_be_in_sets++;
            }
        } else {
            if (state != HEAD_LINEAR && state != HEAD_OPTIMAL)
                BAD("block %" PRIu64 " has state %#x", i, state);
            kind = state == HEAD_OPTIMAL ? LL_BUDDY_OPTIMAL : LL_BUDDY_LINEAR;
            uint64_t block_size = m << j, slack = slack_load(b, i, j);
            if (slack >= block_size || (j > 0 && block_size - slack <= block_size / 2))
                BAD("live block %" PRIu64 " of %" PRIu64 " bytes records size %" PRIu64, i,
                    block_size, block_size - slack);
            uint64_t offset = i * m, size = block_size - slack;
            if (have_prev && prev_kind != kind && b->granularity > 1 &&
                (prev_end - 1) / b->granularity == offset / b->granularity)
                BAD("%s object at %" PRIu64 " shares a granularity page with the %s object "
                    "ending at %" PRIu64, ll_buddy_kind_name((ll_buddy_kind)kind), offset,
                    ll_buddy_kind_name((ll_buddy_kind)prev_kind), prev_end);
            have_prev = true;
            prev_end = offset + size;
            prev_kind = kind;
            in_use += block_size;
            requested += size;
            live++;
            if (j < g && i >= top_start(n, g - 1))
                tail_alloc_kinds |= 1u << kind;
        }
        if (j < g && kind >= 0) {
            if (i >> g != granule) {
                granule = i >> g;
                granule_kinds = 0;
            }
            granule_kinds |= 1u << kind;
            if (granule_kinds == 3)
                BAD("granule at offset %" PRIu64 " serves both kinds", (i >> g << g) * m);
        }
        i += len;
    }

    for (uint32_t j = 0; j < LL_BUDDY_MAX_ORDERS; j++)
        if (free_count[j] != b->free_count[j])
            BAD("order %" PRIu32 ": %" PRIu64 " free blocks, counted %" PRIu64, j, free_count[j],
                b->free_count[j]);
    if (in_sets != should_be_in_sets)
        BAD("free sets hold %" PRIu64 " blocks, %" PRIu64 " expected", in_sets,
            should_be_in_sets);
    if (in_use != b->bytes_in_use || requested != b->bytes_requested || live != b->live)
        BAD("counters: in use %" PRIu64 "/%" PRIu64 ", requested %" PRIu64 "/%" PRIu64
            ", live %" PRIu64 "/%" PRIu64, in_use, b->bytes_in_use, requested,
            b->bytes_requested, live, b->live);
    if (tail_alloc_kinds == 0) {
        if (b->tail_kind != TAIL_UNTAGGED || b->tail_free != b->tail_full)
            BAD("empty tail is tagged %d with free mask %#" PRIx64, b->tail_kind, b->tail_free);
    } else if (tail_alloc_kinds != (1u << b->tail_kind)) {
        BAD("tail tagged %d holds objects of kinds %#x", b->tail_kind, tail_alloc_kinds);
    }
    for (uint32_t j = 0; j < g; j++)
        if ((b->tail_free >> j & 1) != 0 && b->head[top_start(n, j)] != (HEAD_FREE | j))
            BAD("tail mask says block of order %" PRIu32 " is free and whole; it is not", j);
    return true;
}
