/* page_index.c: the page index of page_index.h: one hierarchical bitset of page numbers
 * per (order, kind), one of free numbers, and a mask per kind of the orders that have a
 * page. Not for: anything about pages themselves (memory.c). */
#include "page_index.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "lluvia/fault.h"

#define KINDS 2

struct ll_page_index {
    uint32_t orders;
    uint32_t capacity;
    int8_t (*order)[KINDS]; /* [capacity]: what each number is filed under */
    ll_bitset *sets;        /* [orders * KINDS]: numbers filed under (order, kind) */
    ll_bitset free;         /* numbers no page holds */
    uint64_t nonempty[KINDS]; /* bit j: sets[j][kind] has a member */
    uint64_t *words;        /* every set's words */
};

static ll_bitset *set_of(ll_page_index *x, uint32_t order, int kind)
{
    return &x->sets[order * KINDS + (uint32_t)kind];
}

static const ll_bitset *cset_of(const ll_page_index *x, uint32_t order, int kind)
{
    return &x->sets[order * KINDS + (uint32_t)kind];
}

/* Words of one set: at least one, so that an empty set has a top word to read. */
static uint64_t set_words(uint32_t capacity)
{
    return ll_bitset_words(capacity ? capacity : 1);
}

ll_page_index *ll_page_index_create(uint32_t orders, ll_error *err)
{
    if (orders == 0 || orders > LL_PAGE_INDEX_MAX_ORDERS)
        return ll_fail(err, LL_E_ARGUMENT, "orders must be 1 to %d, got %u",
                       LL_PAGE_INDEX_MAX_ORDERS, orders), NULL;
    ll_page_index *x = ll_calloc(1, sizeof *x);
    if (x == NULL)
        goto fail;
    x->orders = orders;
    x->sets = ll_calloc((size_t)orders * KINDS, sizeof *x->sets);
    x->words = ll_calloc((size_t)set_words(0) * (orders * KINDS + 1), sizeof *x->words);
    if (x->sets == NULL || x->words == NULL)
        goto fail;
    uint64_t used = 0;
    for (uint32_t s = 0; s < orders * KINDS; s++)
        used += ll_bitset_init(&x->sets[s], 0, x->words + used);
    ll_bitset_init(&x->free, 0, x->words + used);
    return x;

fail:
    ll_page_index_destroy(x);
    return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating a page index"), NULL;
}

void ll_page_index_destroy(ll_page_index *x)
{
    if (x == NULL)
        return;
    ll_free(x->words);
    ll_free(x->sets);
    ll_free(x->order);
    ll_free(x);
}

uint32_t ll_page_index_capacity(const ll_page_index *x) { return x->capacity; }

bool ll_page_index_reserve(ll_page_index *x, uint32_t capacity, ll_error *err)
{
    if (capacity <= x->capacity)
        return true;
    uint64_t per_set = set_words(capacity);
    int8_t(*order)[KINDS] = ll_malloc((size_t)capacity * sizeof *order);
    uint64_t *words = ll_calloc((size_t)(per_set * (x->orders * KINDS + 1)), sizeof *words);
    if (order == NULL || words == NULL) {
        ll_free(order);
        ll_free(words);
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory indexing %u pages", capacity);
    }
    /* Commit: lay the sets out again over the new words and file every number anew. */
    const ll_bitset old_free = x->free;
    if (x->capacity != 0)
        memcpy(order, x->order, (size_t)x->capacity * sizeof *order);
    uint64_t used = 0;
    for (uint32_t s = 0; s < x->orders * KINDS; s++)
        used += ll_bitset_init(&x->sets[s], capacity, words + used);
    ll_bitset_init(&x->free, capacity, words + used);
    for (uint32_t n = 0; n < capacity; n++) {
        if (n >= x->capacity || ll_bitset_test(&old_free, n)) {
            ll_bitset_insert(&x->free, n);
            order[n][0] = order[n][1] = LL_PAGE_INDEX_NONE;
            continue;
        }
        for (int kind = 0; kind < KINDS; kind++)
            if (order[n][kind] != LL_PAGE_INDEX_NONE)
                ll_bitset_insert(set_of(x, (uint32_t)order[n][kind], kind), n);
    }
    ll_free(x->words);
    ll_free(x->order);
    x->words = words;
    x->order = order;
    x->capacity = capacity;
    return true;
}

bool ll_page_index_lowest_free(const ll_page_index *x, uint32_t *number)
{
    uint64_t n;
    if (!ll_bitset_first(&x->free, &n))
        return false;
    *number = (uint32_t)n;
    return true;
}

void ll_page_index_take(ll_page_index *x, uint32_t number)
{
    assert(number < x->capacity && ll_bitset_test(&x->free, number));
    ll_bitset_remove(&x->free, number);
    x->order[number][0] = x->order[number][1] = LL_PAGE_INDEX_NONE;
}

void ll_page_index_set(ll_page_index *x, uint32_t number, ll_buddy_kind kind, int order)
{
    assert(number < x->capacity && !ll_bitset_test(&x->free, number));
    assert(kind == LL_BUDDY_LINEAR || kind == LL_BUDDY_OPTIMAL);
    assert(order >= LL_PAGE_INDEX_NONE && order < (int)x->orders);
    int k = (int)kind, old = x->order[number][k];
    if (old == order)
        return;
    if (old != LL_PAGE_INDEX_NONE) {
        ll_bitset *s = set_of(x, (uint32_t)old, k);
        ll_bitset_remove(s, number);
        if (ll_bitset_is_empty(s))
            x->nonempty[k] &= ~(UINT64_C(1) << old);
    }
    if (order != LL_PAGE_INDEX_NONE) {
        ll_bitset_insert(set_of(x, (uint32_t)order, k), number);
        x->nonempty[k] |= UINT64_C(1) << order;
    }
    x->order[number][k] = (int8_t)order;
}

void ll_page_index_release(ll_page_index *x, uint32_t number)
{
    ll_page_index_set(x, number, LL_BUDDY_LINEAR, LL_PAGE_INDEX_NONE);
    ll_page_index_set(x, number, LL_BUDDY_OPTIMAL, LL_PAGE_INDEX_NONE);
    ll_bitset_insert(&x->free, number);
}

bool ll_page_index_is_free(const ll_page_index *x, uint32_t number)
{
    return number >= x->capacity || ll_bitset_test(&x->free, number);
}

int ll_page_index_order(const ll_page_index *x, uint32_t number, ll_buddy_kind kind)
{
    if (number >= x->capacity || ll_bitset_test(&x->free, number))
        return LL_PAGE_INDEX_NONE;
    return x->order[number][kind == LL_BUDDY_OPTIMAL];
}

bool ll_page_index_first_at(const ll_page_index *x, ll_buddy_kind kind, uint32_t order,
                            uint32_t *number)
{
    uint64_t n;
    if (order >= x->orders || !ll_bitset_first(cset_of(x, order, kind == LL_BUDDY_OPTIMAL), &n))
        return false;
    *number = (uint32_t)n;
    return true;
}

int ll_page_index_top_order(const ll_page_index *x)
{
    uint64_t any = x->nonempty[0] | x->nonempty[1];
    return any == 0 ? LL_PAGE_INDEX_NONE : 63 - __builtin_clzll(any);
}

bool ll_page_index_find(const ll_page_index *x, ll_buddy_kind kind, uint32_t min_order,
                        uint32_t *number, uint32_t *order)
{
    if (min_order >= x->orders)
        return false;
    uint64_t candidates = x->nonempty[kind == LL_BUDDY_OPTIMAL] & (~UINT64_C(0) << min_order);
    if (candidates == 0)
        return false;
    uint32_t j = (uint32_t)__builtin_ctzll(candidates);
    if (order != NULL)
        *order = j;
    return ll_page_index_first_at(x, kind, j, number);
}


bool ll_page_index_validate(const ll_page_index *x, ll_error *err)
{
    uint64_t members[KINDS] = {0}, free_members = 0;
    for (uint32_t j = 0; j < x->orders; j++)
        for (int kind = 0; kind < KINDS; kind++) {
            const ll_bitset *s = cset_of(x, j, kind);
            if (s->bits != x->capacity || !ll_bitset_check(s, &members[kind]))
                return ll_fail(err, LL_E_STATE, "page index: set of order %u kind %d is corrupt",
                           j, kind);
            if (((x->nonempty[kind] >> j & 1) != 0) == ll_bitset_is_empty(s))
                return ll_fail(err, LL_E_STATE, "page index: mask of kind %d disagrees at order %u",
                           kind, j);
        }
    if (x->orders < 64 && (x->nonempty[0] | x->nonempty[1]) >> x->orders != 0)
        return ll_fail(err, LL_E_STATE, "page index: mask beyond %u orders", x->orders);
    if (x->free.bits != x->capacity || !ll_bitset_check(&x->free, &free_members))
        return ll_fail(err, LL_E_STATE, "page index: free set is corrupt");
    uint64_t filed[KINDS] = {0}, free_count = 0;
    for (uint32_t n = 0; n < x->capacity; n++) {
        bool is_free = ll_bitset_test(&x->free, n);
        free_count += is_free;
        for (int kind = 0; kind < KINDS; kind++) {
            int o = x->order[n][kind];
            if (o < LL_PAGE_INDEX_NONE || o >= (int)x->orders || (is_free && o != LL_PAGE_INDEX_NONE))
                return ll_fail(err, LL_E_STATE, "page index: page %u kind %d filed under order %d%s",
                           n, kind, o, is_free ? " while free" : "");
            if (o != LL_PAGE_INDEX_NONE) {
                filed[kind]++;
                if (!ll_bitset_test(cset_of(x, (uint32_t)o, kind), n))
                    return ll_fail(err, LL_E_STATE, "page index: page %u missing from order %d "
                               "kind %d", n, o, kind);
            }
        }
    }
    if (free_count != free_members)
        return ll_fail(err, LL_E_STATE, "page index: %llu free numbers, %llu in the free set",
                   (unsigned long long)free_count, (unsigned long long)free_members);
    for (int kind = 0; kind < KINDS; kind++)
        if (filed[kind] != members[kind])
            return ll_fail(err, LL_E_STATE, "page index: kind %d has %llu pages filed, %llu in "
                       "its sets", kind, (unsigned long long)filed[kind],
                       (unsigned long long)members[kind]);
    return true;
}
