/* bitset.h: a hierarchical set of small integers over caller-provided words, whose lowest
 * member is found in one step per 64x level; the buddy allocator's free sets and the
 * Memory's page index are made of it. Not for: owning memory (the caller lays sets out). */
#ifndef LL_BITSET_H
#define LL_BITSET_H

#include <stdbool.h>
#include <stdint.h>

/* 64^11 >= 2^64, so eleven summary levels cover any bit count. */
#define LL_BITSET_MAX_LEVELS 11

/* level[0] has one bit per position; each word of level[l+1] has one bit per word of
 * level[l], set when that word is not zero. The top level is one word. */
typedef struct ll_bitset {
    uint64_t *level[LL_BITSET_MAX_LEVELS];
    uint64_t bits;
    uint32_t levels;
} ll_bitset;

static inline uint64_t ll_bitset_div_up_64(uint64_t n) { return n / 64 + (n % 64 != 0); }

/* The words a set of `bits` positions needs (saturating at UINT64_MAX). */
static inline uint64_t ll_bitset_words(uint64_t bits)
{
    uint64_t total = 0, n = bits;
    do {
        n = ll_bitset_div_up_64(n);
        total = total > UINT64_MAX - n ? UINT64_MAX : total + n;
    } while (n > 1);
    return total;
}

/* Lays out an empty set of `bits` positions at `pool` (ll_bitset_words(bits) zeroed
 * words); returns the words used. */
static inline uint64_t ll_bitset_init(ll_bitset *s, uint64_t bits, uint64_t *pool)
{
    uint64_t used = 0, n = bits;
    s->bits = bits;
    s->levels = 0;
    do {
        n = ll_bitset_div_up_64(n);
        s->level[s->levels++] = pool + used;
        used += n;
    } while (n > 1);
    return used;
}

static inline bool ll_bitset_test(const ll_bitset *s, uint64_t x)
{
    return s->levels != 0 && x < s->bits && (s->level[0][x / 64] >> (x % 64) & 1) != 0;
}

static inline void ll_bitset_insert(ll_bitset *s, uint64_t x)
{
    for (uint32_t l = 0; l < s->levels; l++, x /= 64) {
        uint64_t *w = &s->level[l][x / 64];
        uint64_t was = *w;
        *w = was | UINT64_C(1) << (x % 64);
        if (was != 0)
            break;
    }
}

static inline void ll_bitset_remove(ll_bitset *s, uint64_t x)
{
    for (uint32_t l = 0; l < s->levels; l++, x /= 64) {
        uint64_t *w = &s->level[l][x / 64];
        *w &= ~(UINT64_C(1) << (x % 64));
        if (*w != 0)
            break;
    }
}

static inline bool ll_bitset_is_empty(const ll_bitset *s)
{
    return s->levels == 0 || s->level[s->levels - 1][0] == 0;
}

/* The lowest member, if any. */
static inline bool ll_bitset_first(const ll_bitset *s, uint64_t *x)
{
    if (ll_bitset_is_empty(s))
        return false;
    uint64_t at = 0;
    for (uint32_t l = s->levels; l-- > 0;)
        at = at * 64 + (uint64_t)__builtin_ctzll(s->level[l][at]);
    *x = at;
    return true;
}

/* Summary levels agree with the level below and nothing is set past the end; adds the
 * members to *members. For validate functions: O(bits / 64). */
static inline bool ll_bitset_check(const ll_bitset *s, uint64_t *members)
{
    uint64_t n = s->bits;
    for (uint32_t l = 0; l < s->levels; l++) {
        uint64_t words = ll_bitset_div_up_64(n);
        if (n % 64 != 0 && (s->level[l][words - 1] >> (n % 64)) != 0)
            return false;
        for (uint64_t w = 0; w < words; w++) {
            if (l == 0)
                *members += (uint64_t)__builtin_popcountll(s->level[0][w]);
            if (l + 1 < s->levels) {
                bool up = (s->level[l + 1][w / 64] >> (w % 64) & 1) != 0;
                if (up != (s->level[l][w] != 0))
                    return false;
            }
        }
        n = words;
    }
    return s->levels == 0 || n <= 1; /* 0: a set of no positions */
}

#endif
