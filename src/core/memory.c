/* memory.c: Memory, a pool of pages (one VkDeviceMemory each) of one memory type, with a
 * buddy allocator per page and persistent mapping of host-visible pages. One lock per Memory
 * makes it safe to share between threads. Not for: Vulkan buffers or images, transfers, or
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
    VkMemoryPropertyFlags flags;
    uint32_t type_index;
    uint64_t page_size;
    uint64_t min_block;      /* of each standard page's buddy allocator */
    uint64_t largest_block;  /* the largest block a standard page can hand out */
    VkDeviceSize atom;       /* nonCoherentAtomSize */
    pthread_mutex_t lock;    /* guards everything below */
    ll_page **pages;         /* indexed by page number; NULL where no page lives */
    uint32_t slots;          /* length of pages */
    uint32_t live;           /* pages that exist */
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

ll_memory *ll_memory_create(ll_session *session, VkMemoryPropertyFlags flags,
                            uint64_t page_size, bool exact, ll_error *err)
{
    if (page_size == 0)
        return ll_fail(err, LL_E_ARGUMENT, "pageSize must be > 0, got 0"), NULL;
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

    ll_memory *m = calloc(1, sizeof *m);
    if (m == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating a Memory"), NULL;
    if (pthread_mutex_init(&m->lock, NULL) != 0) {
        free(m);
        return ll_fail(err, LL_E_HOST_MEMORY, "cannot create the Memory's lock"), NULL;
    }
    atomic_init(&m->refs, 1);
    m->session = session;
    m->flags = props->memoryTypes[type].propertyFlags;
    m->type_index = type;
    m->page_size = page_size;
    m->largest_block = floor_pow2(page_size);
    uint64_t min_block = MIN_BLOCK;
    while (min_block < (page_size >> MAX_BLOCKS_PER_PAGE_LOG2))
        min_block <<= 1;
    m->min_block = min_block < m->largest_block ? min_block : m->largest_block;
    m->atom = ll_session_properties(session)->limits.nonCoherentAtomSize;
    ll_session_retain(session);
    return m;
}

static void page_destroy(ll_memory *m, ll_page *p)
{
    if (p->mapped != NULL)
        vkUnmapMemory(ll_session_vk(m->session), p->memory);
    ll_device_memory_free(m->session, p->memory, p->size);
    ll_buddy_destroy(p->buddy);
    free(p);
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
    free(m->pages);
    pthread_mutex_destroy(&m->lock);
    ll_session_release(m->session);
    free(m);
}

/* ---- queries ------------------------------------------------------------------------- */

ll_session *ll_memory_session(const ll_memory *m) { return m->session; }
VkMemoryPropertyFlags ll_memory_flags(const ll_memory *m) { return m->flags; }
uint32_t ll_memory_type_index(const ll_memory *m) { return m->type_index; }
uint64_t ll_memory_page_size(const ll_memory *m) { return m->page_size; }

bool ll_memory_is_mappable(const ll_memory *m)
{
    return (m->flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) != 0;
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

void ll_memory_get_stats(const ll_memory *m, ll_memory_stats *out)
{
    memset(out, 0, sizeof *out);
    lock(m);
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
    unlock(m);
}

bool ll_memory_validate(const ll_memory *m, ll_error *err)
{
    ll_error e; /* filled under the lock, copied to err after */
    bool ok = true;
    lock(m);
    uint32_t live = 0, empty_standard = 0;
    for (uint32_t i = 0; i < m->slots && ok; i++) {
        const ll_page *p = m->pages[i];
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
    }
    if (ok && live != m->live)
        ok = ll_fail(&e, LL_E_STATE, "%u pages counted, %u live", m->live, live);
    if (ok && empty_standard > 1)
        ok = ll_fail(&e, LL_E_STATE, "%u empty pages kept (at most 1)", empty_standard);
    unlock(m);
    if (!ok && err != NULL)
        *err = e;
    return ok;
}

/* ---- placement ----------------------------------------------------------------------- */

/* Makes a page of `size` bytes in the lowest free page number; a buddy allocator over it
 * unless `dedicated`. Called with the lock held. */
static ll_page *page_create(ll_memory *m, uint64_t size, bool dedicated, uint32_t *number,
                            ll_error *err)
{
    uint32_t slot = 0;
    while (slot < m->slots && m->pages[slot] != NULL)
        slot++;
    if (slot == m->slots) {
        if (m->slots == UINT32_MAX)
            return ll_fail(err, LL_E_DEVICE_MEMORY, "a Memory holds at most %u pages",
                           UINT32_MAX), NULL;
        uint32_t grown = m->slots ? (m->slots > UINT32_MAX / 2 ? UINT32_MAX : m->slots * 2) : 4;
        ll_page **pages = realloc(m->pages, grown * sizeof *pages);
        if (pages == NULL)
            return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory adding a page"), NULL;
        for (uint32_t i = m->slots; i < grown; i++)
            pages[i] = NULL;
        m->pages = pages;
        m->slots = grown;
    }
    ll_page *p = calloc(1, sizeof *p);
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
        VkResult r = vkMapMemory(ll_session_vk(m->session), p->memory, 0, VK_WHOLE_SIZE, 0,
                                 &p->mapped);
        if (r != VK_SUCCESS) {
            ll_fail_vk(err, r, "vkMapMemory of a new page");
            p->mapped = NULL;
            goto fail_memory;
        }
    }
    m->pages[slot] = p;
    m->live++;
    *number = slot;
    return p;

fail_memory:
    ll_device_memory_free(m->session, p->memory, p->size);
fail_buddy:
    ll_buddy_destroy(p->buddy);
fail_free:
    free(p);
    return NULL;
}

static void page_remove(ll_memory *m, uint32_t number)
{
    page_destroy(m, m->pages[number]);
    m->pages[number] = NULL;
    m->live--;
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
        fill(number, p, 0, 0, req->size, true, out);
        unlock(m);
        return true;
    }
    ll_buddy_allocation a;
    for (number = 0; number < m->slots; number++) {
        p = m->pages[number];
        if (p != NULL && p->buddy != NULL &&
            ll_buddy_alloc(p->buddy, req->size, alignment, kind, &a, NULL)) {
            fill(number, p, a.offset, a.block_offset, req->size, false, out);
            unlock(m);
            return true;
        }
    }
    p = page_create(m, m->page_size, false, &number, err);
    if (p == NULL)
        goto fail;
    if (!ll_buddy_alloc(p->buddy, req->size, alignment, kind, &a, err)) {
        page_remove(m, number);
        goto fail;
    }
    fill(number, p, a.offset, a.block_offset, req->size, true, out);
    unlock(m);
    return true;

fail:
    unlock(m);
    return false;
}

/* Whether a page other than `number` is an empty standard page. */
static bool other_empty_page(const ll_memory *m, uint32_t number)
{
    for (uint32_t i = 0; i < m->slots; i++)
        if (i != number && m->pages[i] != NULL && m->pages[i]->buddy != NULL &&
            ll_buddy_is_empty(m->pages[i]->buddy))
            return true;
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
        bool freed = ll_buddy_free(p->buddy, a->offset, NULL);
        assert(freed);
        (void)freed;
    } else {
        p->dedicated_used = false;
    }
    /* Keep one empty standard page, so that a loop creating and dropping one object does
     * not allocate device memory each time; dedicated pages fit only their one object. */
    if (page_is_empty(p) &&
        (p->buddy == NULL || (undo && a->new_page) || other_empty_page(m, a->page)))
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

static bool sync_range(ll_memory *m, const ll_allocation *a, uint64_t offset, uint64_t size,
                       bool flush, ll_error *err)
{
    if (!ll_memory_is_mappable(m) || (m->flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT))
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
    VkResult r = flush ? vkFlushMappedMemoryRanges(dev, 1, &range)
                       : vkInvalidateMappedMemoryRanges(dev, 1, &range);
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
