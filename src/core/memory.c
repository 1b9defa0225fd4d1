/* memory.c: Memory, a pool of pages (one VkDeviceMemory each) of one memory type, with a
 * buddy allocator per page, an index of the pages by their largest free block
 * (page_index.h) and persistent mapping of host-visible pages. One lock per Memory makes it
 * safe to share between threads. Not for: Vulkan buffers or images, transfers, or
 * the accounting of device memory (device_memory.c). */
#include "lluvia/memory.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lluvia/device_memory.h"
#include "lluvia/enums.h"
#include "page_index.h"
#include "vk_util.h"

/* The smallest block a page hands out: a common minStorageBufferOffsetAlignment, so that
 * small buffers do not share blocks they could not be bound to anyway. */
#define MIN_BLOCK 256u
/* Pages have at most this many smallest blocks, which bounds a page's host metadata. */
#define MAX_BLOCKS_PER_PAGE_LOG2 16

typedef struct ll_page {
    VkDeviceMemory memory;
    uint64_t size;
    void *mapped;       /* the whole page, when the memory is host-visible */
    ll_buddy *buddy;    /* NULL on a dedicated page, which holds one object at offset 0 */
    bool dedicated_used;
} ll_page;

struct ll_memory {
    atomic_int refs;
    ll_session *session;
    VkMemoryPropertyFlags flags;   /* the memory type's */
    bool mappable;           /* host-visible and not made device-only: ll_memory_is_mappable */
    uint32_t type_index;
    uint64_t page_size;
    uint64_t min_block;      /* of each standard page's buddy allocator */
    uint64_t largest_block;  /* the largest block a standard page can hand out */
    uint32_t orders;         /* of a standard page: blocks of min_block << 0 .. orders-1 */
    bool needs_sync;         /* flush and invalidate: ll_memory_needs_sync */
    VkDeviceSize atom;       /* nonCoherentAtomSize */
    pthread_mutex_t lock;    /* guards everything below */
    ll_page **pages;         /* indexed by page number; NULL where no page lives */
    uint32_t slots;          /* length of pages */
    uint32_t live;           /* pages that exist */
    uint32_t empty;          /* standard pages with no object */
    uint64_t bytes_reserved; /* the stats, kept as objects come and go: */
    uint64_t bytes_in_use;   /* ll_memory_get_stats reads them, ll_memory_validate */
    uint64_t objects;        /* recounts them */
    /* Standard pages by their largest free block per kind, and the free page numbers:
     * placement and new page numbers without a walk over the pages. */
    ll_page_index *index;
};

/* ---- names -------------------------------------------------------------------------- */

void ll_memory_flags_text(VkMemoryPropertyFlags flags, char *buf, size_t size)
{
    ll_enum_flags_text(&ll_enum_memory_property, flags, buf, size);
}

/* ---- creation ------------------------------------------------------------------------ */

static uint64_t floor_pow2(uint64_t v)
{
    uint64_t p = 1;
    while (p <= v / 2)
        p <<= 1;
    return p;
}

static uint32_t floor_log2(uint64_t v) { return 63u - (uint32_t)__builtin_clzll(v); }

ll_memory *ll_memory_create(ll_session *session, VkMemoryPropertyFlags flags,
                            uint64_t page_size, bool exact, ll_error *err)
{
    const VkPhysicalDeviceMemoryProperties *props = ll_session_memory_properties(session);
    uint32_t type = UINT32_MAX;
    for (uint32_t i = 0; i < props->memoryTypeCount && type == UINT32_MAX; i++) {
        VkMemoryPropertyFlags have = props->memoryTypes[i].propertyFlags;
        if (exact ? have == flags : (have & flags) == flags)
            type = i;
    }
    if (type == UINT32_MAX) {
        char want[128], list[320] = "";
        ll_memory_flags_text(flags, want, sizeof want);
        for (uint32_t i = 0; i < props->memoryTypeCount; i++) {
            char one[128];
            ll_memory_flags_text(props->memoryTypes[i].propertyFlags, one, sizeof one);
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", one);
        }
        return ll_fail(err, LL_E_UNSUPPORTED, "no memory type of the device has flags %s%s "
                       "(its memory types: %s)", want, exact ? " exactly" : "", list), NULL;
    }

    ll_memory *m = ll_calloc(1, sizeof *m);
    if (m == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating a Memory"), NULL;
    m->page_size = page_size;
    /* pageSize 0: no standard page; every object goes to a dedicated one (the index and
     * block sizes are those of a one-block page, never used) */
    m->largest_block = page_size == 0 ? 0 : floor_pow2(page_size);
    uint64_t min_block = MIN_BLOCK;
    while (min_block < (page_size >> MAX_BLOCKS_PER_PAGE_LOG2))
        min_block <<= 1;
    m->min_block = min_block < m->largest_block || page_size == 0 ? min_block
                                                                  : m->largest_block;
    m->orders = page_size == 0 ? 1 : floor_log2(m->largest_block / m->min_block) + 1;
    m->index = ll_page_index_create(m->orders, err);
    if (m->index == NULL) {
        ll_free(m);
        return NULL;
    }
    if (pthread_mutex_init(&m->lock, NULL) != 0) {
        ll_page_index_destroy(m->index);
        ll_free(m);
        return ll_fail(err, LL_E_HOST_MEMORY, "cannot create the Memory's lock"), NULL;
    }
    atomic_init(&m->refs, 1);
    m->session = session;
    m->flags = props->memoryTypes[type].propertyFlags;
    /* deviceOnly: memory asked for as DeviceLocal is not host-visible, as a discrete GPU's
     * DeviceLocal types are not, even where the type is (lavapipe's one type is all) */
    m->mappable = (m->flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) &&
                  !(ll_session_device_only(session) &&
                    (flags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) &&
                    !(flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT));
    m->type_index = type;
    m->atom = ll_session_properties(session)->limits.nonCoherentAtomSize;
    m->needs_sync = m->mappable &&
                    (!(m->flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) ||
                     ll_session_simulates_non_coherent(session));
    ll_session_retain(session);
    return m;
}

static void page_destroy(ll_memory *m, ll_page *p)
{
    if (p->mapped != NULL)
        vkUnmapMemory(ll_session_vk(m->session), p->memory);
    ll_device_memory_free(m->session, p->memory, p->size);
    ll_buddy_destroy(p->buddy);
    ll_free(p);
}

void ll_memory_retain(ll_memory *memory)
{
    atomic_fetch_add(&memory->refs, 1);
}

void ll_memory_release(ll_memory *m)
{
    if (m == NULL || atomic_fetch_sub(&m->refs, 1) != 1)
        return;
    /* Every object retains its Memory, so only empty pages can remain. */
    for (uint32_t i = 0; i < m->slots; i++)
        if (m->pages[i] != NULL)
            page_destroy(m, m->pages[i]);
    ll_free(m->pages);
    ll_page_index_destroy(m->index);
    pthread_mutex_destroy(&m->lock);
    ll_session_release(m->session);
    ll_free(m);
}

/* ---- queries ------------------------------------------------------------------------- */

ll_session *ll_memory_session(const ll_memory *m) { return m->session; }
VkMemoryPropertyFlags ll_memory_flags(const ll_memory *m) { return m->flags; }
uint32_t ll_memory_type_index(const ll_memory *m) { return m->type_index; }
uint64_t ll_memory_page_size(const ll_memory *m) { return m->page_size; }

bool ll_memory_is_mappable(const ll_memory *m)
{
    return m->mappable;
}

/* The queries lock a Memory they do not change: the lock is not part of its value. */
static void lock(const ll_memory *m)
{
    pthread_mutex_lock((pthread_mutex_t *)&m->lock);
}

static void unlock(const ll_memory *m)
{
    pthread_mutex_unlock((pthread_mutex_t *)&m->lock);
}

uint32_t ll_memory_page_count(const ll_memory *m)
{
    lock(m);
    uint32_t n = m->live;
    unlock(m);
    return n;
}

bool ll_memory_is_page_mappable(const ll_memory *m, uint64_t page)
{
    lock(m);
    bool ok = page < m->slots && m->pages[page] != NULL && ll_memory_is_mappable(m);
    unlock(m);
    return ok;
}

static bool page_is_empty(const ll_page *p)
{
    return p->buddy != NULL ? ll_buddy_is_empty(p->buddy) : !p->dedicated_used;
}

/* The largest block any standard page can hand out: the index's top order. */
static uint64_t largest_free_block(const ll_memory *m)
{
    int top = ll_page_index_top_order(m->index);
    return top == LL_PAGE_INDEX_NONE ? 0 : m->min_block << top;
}

void ll_memory_get_stats(const ll_memory *m, ll_memory_stats *out)
{
    /* Field by field over zeroes: the padding after `pages` is zero too, so that stats
     * compare with memcmp (a compound literal leaves padding unspecified). */
    memset(out, 0, sizeof *out);
    lock(m);
    out->pages = m->live;
    out->bytes_reserved = m->bytes_reserved;
    out->bytes_in_use = m->bytes_in_use;
    out->objects = m->objects;
    out->largest_free_block = largest_free_block(m);
    unlock(m);
}

/* The stats counted from the pages, for validate. Called with the lock held. */
static void recount(const ll_memory *m, ll_memory_stats *out)
{
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < m->slots; i++) {
        const ll_page *p = m->pages[i];
        if (p == NULL)
            continue;
        out->pages++;
        out->bytes_reserved += p->size;
        if (p->buddy != NULL) {
            ll_buddy_stats b;
            ll_buddy_get_stats(p->buddy, &b);
            out->bytes_in_use += b.bytes_in_use;
            out->objects += b.live_objects;
            if (b.largest_free_block > out->largest_free_block)
                out->largest_free_block = b.largest_free_block;
        } else if (p->dedicated_used) {
            out->bytes_in_use += p->size;
            out->objects++;
        }
    }
}

/* The order a standard page is indexed under for `kind`: its largest free block's. */
static int page_order(const ll_memory *m, const ll_page *p, ll_buddy_kind kind)
{
    uint64_t bytes = ll_buddy_largest_free_for(p->buddy, kind);
    return bytes == 0 ? LL_PAGE_INDEX_NONE : (int)floor_log2(bytes / m->min_block);
}

/* One page against the index: a standard page under its largest free blocks, a dedicated
 * one under none. */
static bool page_indexed(const ll_memory *m, uint32_t i, const ll_page *p, ll_error *err)
{
    for (int kind = 0; kind < 2; kind++) {
        int want = p->buddy != NULL ? page_order(m, p, (ll_buddy_kind)kind) : LL_PAGE_INDEX_NONE;
        int filed = ll_page_index_order(m->index, i, (ll_buddy_kind)kind);
        if (filed != want)
            return ll_fail(err, LL_E_STATE, "page %u is indexed under order %d for %s "
                           "objects, its largest free block has order %d", i, filed,
                           ll_buddy_kind_name((ll_buddy_kind)kind), want);
    }
    return true;
}

bool ll_memory_validate(const ll_memory *m, ll_error *err)
{
    ll_error e; /* filled under the lock, copied to err after */
    bool ok = true;
    lock(m);
    uint32_t live = 0, empty_standard = 0;
    if (ll_page_index_capacity(m->index) != m->slots)
        ok = ll_fail(&e, LL_E_STATE, "the page index holds %u numbers, the table %u",
                     ll_page_index_capacity(m->index), m->slots);
    for (uint32_t i = 0; i < m->slots && ok; i++) {
        const ll_page *p = m->pages[i];
        if (ll_page_index_is_free(m->index, i) != (p == NULL)) {
            ok = ll_fail(&e, LL_E_STATE, "page number %u is %s but indexed as %s", i,
                         p == NULL ? "free" : "in use", p == NULL ? "in use" : "free");
            break;
        }
        if (p == NULL)
            continue;
        live++;
        if (p->memory == VK_NULL_HANDLE || p->size == 0) {
            ok = ll_fail(&e, LL_E_STATE, "page %u has no memory", i);
        } else if (ll_memory_is_mappable(m) != (p->mapped != NULL)) {
            ok = ll_fail(&e, LL_E_STATE, "page %u is %smapped on %shost-visible memory", i,
                         p->mapped ? "" : "not ", ll_memory_is_mappable(m) ? "" : "non-");
        } else if (p->buddy != NULL) {
            if (p->size != m->page_size)
                ok = ll_fail(&e, LL_E_STATE, "page %u has %llu bytes, not pageSize", i,
                             (unsigned long long)p->size);
            else if (!ll_buddy_validate(p->buddy, &e))
                ok = false;
            else if (ll_buddy_is_empty(p->buddy))
                empty_standard++;
        } else if (!p->dedicated_used) {
            ok = ll_fail(&e, LL_E_STATE, "dedicated page %u is empty", i);
        }
        if (ok)
            ok = page_indexed(m, i, p, &e);
    }
    if (ok)
        ok = ll_page_index_validate(m->index, &e);
    if (ok && live != m->live)
        ok = ll_fail(&e, LL_E_STATE, "%u pages counted, %u live", m->live, live);
    ll_memory_stats counted, kept = {m->live, m->bytes_reserved, m->bytes_in_use, m->objects,
                                     largest_free_block(m)};
    recount(m, &counted);
    if (ok && (counted.pages != kept.pages || counted.bytes_reserved != kept.bytes_reserved ||
               counted.bytes_in_use != kept.bytes_in_use || counted.objects != kept.objects ||
               counted.largest_free_block != kept.largest_free_block))
        ok = ll_fail(&e, LL_E_STATE, "stats kept: %u pages, %llu bytes reserved, %llu in use, "
                     "%llu objects, largest free block %llu; counted: %u, %llu, %llu, %llu, "
                     "%llu", kept.pages, (unsigned long long)kept.bytes_reserved,
                     (unsigned long long)kept.bytes_in_use, (unsigned long long)kept.objects,
                     (unsigned long long)kept.largest_free_block, counted.pages,
                     (unsigned long long)counted.bytes_reserved,
                     (unsigned long long)counted.bytes_in_use,
                     (unsigned long long)counted.objects,
                     (unsigned long long)counted.largest_free_block);
    if (ok && empty_standard != m->empty)
        ok = ll_fail(&e, LL_E_STATE, "%u empty pages counted, %u found", m->empty,
                     empty_standard);
    if (ok && empty_standard > 1)
        ok = ll_fail(&e, LL_E_STATE, "%u empty pages kept (at most 1)", empty_standard);
    unlock(m);
    if (!ok && err != NULL)
        *err = e;
    return ok;
}

/* ---- placement ----------------------------------------------------------------------- */

/* Files a standard page in the index under its largest free blocks, and keeps the count
 * of empty pages: after each change to the page's allocator, `was_empty` being whether it
 * was empty before. */
static void page_changed(ll_memory *m, uint32_t number, bool was_empty)
{
    const ll_page *p = m->pages[number];
    ll_page_index_set(m->index, number, LL_BUDDY_LINEAR, page_order(m, p, LL_BUDDY_LINEAR));
    ll_page_index_set(m->index, number, LL_BUDDY_OPTIMAL, page_order(m, p, LL_BUDDY_OPTIMAL));
    bool empty = ll_buddy_is_empty(p->buddy);
    if (empty != was_empty) {
        if (empty)
            m->empty++;
        else
            m->empty--;
    }
}

/* Room for more page numbers: the table and the index, doubled. Called with the lock held. */
static bool grow_slots(ll_memory *m, ll_error *err)
{
    if (m->slots == UINT32_MAX)
        return ll_fail(err, LL_E_DEVICE_MEMORY, "a Memory holds at most %u pages", UINT32_MAX);
    uint32_t grown = m->slots ? (m->slots > UINT32_MAX / 2 ? UINT32_MAX : m->slots * 2) : 4;
    ll_page **pages = ll_realloc(m->pages, grown * sizeof *pages);
    if (pages == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory adding a page");
    /* The larger table is kept either way; m->slots says how much of it is in use. */
    m->pages = pages;
    if (!ll_page_index_reserve(m->index, grown, err))
        return false;
    for (uint32_t i = m->slots; i < grown; i++)
        pages[i] = NULL;
    m->slots = grown;
    return true;
}

/* Makes a page of `size` bytes in the lowest free page number; a buddy allocator over it
 * unless `dedicated`. Called with the lock held. */
static ll_page *page_create(ll_memory *m, uint64_t size, bool dedicated, uint32_t *number,
                            ll_error *err)
{
    uint32_t slot;
    if (!ll_page_index_lowest_free(m->index, &slot)) {
        if (!grow_slots(m, err))
            return NULL;
        bool found = ll_page_index_lowest_free(m->index, &slot);
        assert(found);
        (void)found;
    }
    ll_page *p = ll_calloc(1, sizeof *p);
    if (p == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory adding a page"), NULL;
    p->size = size;
    if (!dedicated) {
        p->buddy = ll_buddy_create(size, m->min_block, ll_session_granularity(m->session), err);
        if (p->buddy == NULL)
            goto fail_free;
    }
    char flags[128], purpose[256];
    ll_memory_flags_text(m->flags, flags, sizeof flags);
    int n = snprintf(purpose, sizeof purpose, "page %u of a Memory of %s", slot, flags);
    if (dedicated && n > 0 && (size_t)n < sizeof purpose)
        snprintf(purpose + n, sizeof purpose - (size_t)n, ", a page of its own for an object "
                 "of %llu bytes", (unsigned long long)size);
    if (!ll_device_memory_allocate(m->session, m->type_index, size, purpose, &p->memory, err))
        goto fail_buddy;
    if (ll_memory_is_mappable(m)) {
        VkResult r = LL_VK(vkMapMemory(ll_session_vk(m->session), p->memory, 0, VK_WHOLE_SIZE,
                                       0, &p->mapped));
        if (r != VK_SUCCESS) {
            ll_fail_vk(err, r, "vkMapMemory of a new page");
            p->mapped = NULL;
            goto fail_memory;
        }
    }
    m->pages[slot] = p;
    m->live++;
    m->bytes_reserved += size;
    ll_page_index_take(m->index, slot);
    if (!dedicated)
        page_changed(m, slot, false); /* counts it as empty */
    *number = slot;
    return p;

fail_memory:
    ll_device_memory_free(m->session, p->memory, p->size);
fail_buddy:
    ll_buddy_destroy(p->buddy);
fail_free:
    ll_free(p);
    return NULL;
}

static void page_remove(ll_memory *m, uint32_t number)
{
    ll_page *p = m->pages[number];
    if (p->buddy != NULL && ll_buddy_is_empty(p->buddy))
        m->empty--;
    ll_page_index_release(m->index, number);
    m->live--;
    m->bytes_reserved -= p->size;
    page_destroy(m, p);
    m->pages[number] = NULL;
}

static void fill(uint32_t number, const ll_page *p, uint64_t offset, uint64_t block_offset,
                 uint64_t size, bool new_page, ll_allocation *out)
{
    *out = (ll_allocation){
        .new_page = new_page,
        .page = number,
        .offset = offset,
        .left_padding = offset - block_offset,
        .size = size,
        .memory = p->memory,
        .mapped = p->mapped != NULL ? (char *)p->mapped + offset : NULL,
    };
}

/* Places the object in standard page `number`, if it has room. */
static bool place_in(ll_memory *m, uint32_t number, uint64_t size, uint64_t alignment,
                     ll_buddy_kind kind, bool new_page, ll_allocation *out, ll_error *err)
{
    ll_page *p = m->pages[number];
    bool was_empty = ll_buddy_is_empty(p->buddy);
    ll_buddy_allocation a;
    if (!ll_buddy_alloc(p->buddy, size, alignment, kind, &a, err))
        return false;
    page_changed(m, number, was_empty);
    m->bytes_in_use += a.block_size;
    m->objects++;
    fill(number, p, a.offset, a.block_offset, size, new_page, out);
    return true;
}

/* Places the object in a page that exists, through the index: the page whose largest
 * block for `kind` is the smallest that fits (among those, the lowest-numbered). A page
 * whose largest block is at least the size and the alignment always takes it; below the
 * alignment's order a block may still happen to be aligned, so the first page of each of
 * those orders is tried too: O(orders) tries, whatever the page count. */
static bool place_in_existing(ll_memory *m, uint64_t size, uint64_t alignment,
                              ll_buddy_kind kind, ll_allocation *out)
{
    uint64_t blocks = (size - 1) / m->min_block + 1;
    uint32_t k = blocks <= 1 ? 0 : floor_log2(blocks - 1) + 1;
    uint32_t a = alignment <= m->min_block ? 0 : floor_log2(alignment / m->min_block);
    uint32_t number;
    for (uint32_t o = k; o < a && o < m->orders; o++)
        if (ll_page_index_first_at(m->index, kind, o, &number) &&
            place_in(m, number, size, alignment, kind, false, out, NULL))
            return true;
    if (!ll_page_index_find(m->index, kind, k > a ? k : a, &number, NULL))
        return false;
    bool placed = place_in(m, number, size, alignment, kind, false, out, NULL);
    assert(placed); /* ll_buddy_largest_free_for's promise */
    return placed;
}

bool ll_memory_allocate(ll_memory *m, const VkMemoryRequirements *req, ll_buddy_kind kind,
                        ll_allocation *out, ll_error *err)
{
    if (!(req->memoryTypeBits & (1u << m->type_index))) {
        char flags[128];
        ll_memory_flags_text(m->flags, flags, sizeof flags);
        return ll_fail(err, LL_E_UNSUPPORTED, "the object cannot live in this Memory: its "
                       "memory requirements allow memory types 0x%x, this Memory is type %u %s",
                       req->memoryTypeBits, m->type_index, flags);
    }
    if (req->size == 0)
        return ll_fail(err, LL_E_ARGUMENT, "size must be > 0, got 0");
    uint64_t alignment = req->alignment ? req->alignment : 1;
    if (alignment & (alignment - 1))
        return ll_fail(err, LL_E_ARGUMENT, "alignment must be a power of two, got %llu",
                       (unsigned long long)alignment);

    lock(m);
    uint32_t number;
    ll_page *p;
    if (req->size > m->largest_block || m->largest_block < m->min_block) {
        /* Larger than any block of a page: a page of its own, sized to it. */
        p = page_create(m, req->size, true, &number, err);
        if (p == NULL)
            goto fail;
        p->dedicated_used = true;
        m->bytes_in_use += p->size;
        m->objects++;
        fill(number, p, 0, 0, req->size, true, out);
        unlock(m);
        return true;
    }
    if (place_in_existing(m, req->size, alignment, kind, out)) {
        unlock(m);
        return true;
    }
    p = page_create(m, m->page_size, false, &number, err);
    if (p == NULL)
        goto fail;
    if (!place_in(m, number, req->size, alignment, kind, true, out, err)) {
        page_remove(m, number);
        goto fail;
    }
    unlock(m);
    return true;

fail:
    unlock(m);
    return false;
}

static void give_back(ll_memory *m, const ll_allocation *a, bool undo)
{
    if (a == NULL || a->memory == VK_NULL_HANDLE)
        return;
    lock(m);
    assert(a->page < m->slots && m->pages[a->page] != NULL);
    ll_page *p = m->pages[a->page];
    assert(p->memory == a->memory);
    if (p->buddy != NULL) {
        ll_buddy_allocation block;
        bool freed = ll_buddy_query(p->buddy, a->offset, &block, NULL, NULL, NULL) &&
                     ll_buddy_free(p->buddy, a->offset, NULL);
        assert(freed);
        (void)freed;
        m->bytes_in_use -= block.block_size;
        page_changed(m, a->page, false);
    } else {
        p->dedicated_used = false;
        m->bytes_in_use -= p->size;
    }
    m->objects--;
    /* Keep one empty standard page, so that a loop creating and dropping one object does
     * not allocate device memory each time; dedicated pages fit only their one object.
     * m->empty counts this page too. */
    if (page_is_empty(p) && (p->buddy == NULL || (undo && a->new_page) || m->empty > 1))
        page_remove(m, a->page);
    unlock(m);
}

void ll_memory_free(ll_memory *m, const ll_allocation *a)
{
    give_back(m, a, false);
}

void ll_memory_undo(ll_memory *m, const ll_allocation *a)
{
    give_back(m, a, true);
}

/* ---- coherence ----------------------------------------------------------------------- */

static atomic_uint_fast64_t flush_calls, invalidate_calls;

bool ll_memory_needs_sync(const ll_memory *m) { return m->needs_sync; }

void ll_memory_get_coherence_stats(ll_coherence_stats *out)
{
    out->flushes = atomic_load(&flush_calls);
    out->invalidates = atomic_load(&invalidate_calls);
}

static bool sync_range(ll_memory *m, const ll_allocation *a, uint64_t offset, uint64_t size,
                       bool flush, ll_error *err)
{
    if (!m->needs_sync)
        return true;
    if (offset > a->size || size > a->size - offset)
        return ll_fail(err, LL_E_ARGUMENT, "range [%llu, +%llu) is outside the object's %llu "
                       "bytes", (unsigned long long)offset, (unsigned long long)size,
                       (unsigned long long)a->size);
    lock(m);
    uint64_t page_size = m->pages[a->page]->size;
    unlock(m);
    VkMappedMemoryRange range;
    if (!ll_mapped_range(a->memory, page_size, m->atom, a->offset + offset, size, &range))
        return true;
    VkDevice dev = ll_session_vk(m->session);
    VkResult r = flush ? LL_VK(vkFlushMappedMemoryRanges(dev, 1, &range))
                       : LL_VK(vkInvalidateMappedMemoryRanges(dev, 1, &range));
    atomic_fetch_add(flush ? &flush_calls : &invalidate_calls, 1);
    if (r != VK_SUCCESS)
        return ll_fail_vk(err, r, flush ? "vkFlushMappedMemoryRanges"
                                        : "vkInvalidateMappedMemoryRanges");
    return true;
}

bool ll_memory_flush(ll_memory *m, const ll_allocation *a, uint64_t offset, uint64_t size,
                     ll_error *err)
{
    return sync_range(m, a, offset, size, true, err);
}

bool ll_memory_invalidate(ll_memory *m, const ll_allocation *a, uint64_t offset,
                          uint64_t size, ll_error *err)
{
    return sync_range(m, a, offset, size, false, err);
}
