/* page_index.h: a Memory's page numbers, filed by the largest block each page can hand out
 * to each kind of object (an order: blocks of min_block << order), and the numbers no page
 * holds. Finding a page for an object, or the lowest free number for a new page, costs
 * O(log64 pages). Not for: placing objects inside a page (buddy.h) or owning pages (memory.c). */
#ifndef LL_PAGE_INDEX_H
#define LL_PAGE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lluvia/buddy.h"
#include "lluvia/error.h"

typedef struct ll_page_index ll_page_index;

/* Orders 0 .. LL_PAGE_INDEX_MAX_ORDERS-1 can be filed under. */
#define LL_PAGE_INDEX_MAX_ORDERS 64
/* The order of a page that has no block for a kind, or is filed under none. */
#define LL_PAGE_INDEX_NONE (-1)

/* An index of `orders` orders (1 .. LL_PAGE_INDEX_MAX_ORDERS) and no page numbers yet.
 * Errors: LL_E_ARGUMENT, LL_E_HOST_MEMORY. */
ll_page_index *ll_page_index_create(uint32_t orders, ll_error *err);
void ll_page_index_destroy(ll_page_index *index);

/* Page numbers 0 .. capacity-1 exist in the index. */
uint32_t ll_page_index_capacity(const ll_page_index *index);

/* Makes numbers up to capacity-1 exist; the new ones are free. O(capacity): grow it
 * geometrically. LL_E_HOST_MEMORY leaves the index as it was. */
bool ll_page_index_reserve(ll_page_index *index, uint32_t capacity, ll_error *err);

/* The lowest free number; false when every number below the capacity is taken. */
bool ll_page_index_lowest_free(const ll_page_index *index, uint32_t *number);

/* Takes a free number for a new page, filed under no order for either kind. */
void ll_page_index_take(ll_page_index *index, uint32_t number);

/* Frees a taken number, dropping it from every order. */
void ll_page_index_release(ll_page_index *index, uint32_t number);

/* Files the taken page `number` under `order` for `kind` (LL_PAGE_INDEX_NONE: none). */
void ll_page_index_set(ll_page_index *index, uint32_t number, ll_buddy_kind kind, int order);

/* True when no page holds `number` (or it is beyond the capacity). */
bool ll_page_index_is_free(const ll_page_index *index, uint32_t number);

/* The order page `number` is filed under for `kind`; LL_PAGE_INDEX_NONE if none. */
int ll_page_index_order(const ll_page_index *index, uint32_t number, ll_buddy_kind kind);

/* The lowest-numbered page filed under exactly `order` for `kind`. */
bool ll_page_index_first_at(const ll_page_index *index, ll_buddy_kind kind, uint32_t order,
                            uint32_t *number);

/* The highest order any page is filed under, for either kind; LL_PAGE_INDEX_NONE if none. */
int ll_page_index_top_order(const ll_page_index *index);

/* The lowest order >= min_order with a page filed for `kind`, and its lowest-numbered page
 * (the best fit for a block of order min_order). */
bool ll_page_index_find(const ll_page_index *index, ll_buddy_kind kind, uint32_t min_order,
                        uint32_t *number, uint32_t *order);

/* Checks that the sets, the orders recorded per number and the summary masks agree;
 * LL_E_STATE describing the first that does not. O(capacity * orders / 64). */
bool ll_page_index_validate(const ll_page_index *index, ll_error *err);

#endif
