/* host_memory.c: host blocks for arrays: heap blocks aligned by hand, page-aligned blocks,
 * anonymous mappings for the largest (lazy zero pages), and foreign memory with revocation,
 * behind one reference-counted record. Not for: device memory, or what the bytes mean. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "lluvia/host_memory.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "host_import.h"
#include "lluvia/fault.h"

struct ll_host_memory {
    void *data;           /* first: ll_host_memory_data reads it inline; NULL once ended */
    void *block;          /* what malloc or mmap returned (the core's memory) */
    uint64_t block_bytes; /* of the mapping, for munmap */
    uint64_t size;
    uint64_t capacity;
    uint64_t alignment;
    atomic_int refs;
    ll_host_memory_kind kind;
    bool mapped;          /* block is a mapping of its own */
    bool never_freed;     /* the shared ended record */
    ll_host_memory_hook hook;
    void *ud;
    ll_host_import *imports; /* host_import.c's: the device buffers over these pages */
    ll_host_memory *parent;      /* a slice's: the record whose bytes it covers (retained) */
    ll_host_memory *slices;      /* the live slices of this record, a list through next_slice */
    ll_host_memory *next_slice;
};

_Static_assert(offsetof(struct ll_host_memory, data) == 0,
               "ll_host_memory_data reads the first member");

static ll_host_memory ended_record = {.refs = 1, .kind = LL_HOST_MEMORY_FOREIGN,
                                      .alignment = 1, .never_freed = true};

ll_host_memory *ll_host_memory_ended(void)
{
    return &ended_record;
}

static uint64_t round_up(uint64_t n, uint64_t to)
{
    return (n + to - 1) / to * to;
}

static uint64_t page_alignment(void)
{
    long sys = sysconf(_SC_PAGESIZE);
    return sys > LL_HOST_MEMORY_PAGE ? (uint64_t)sys : LL_HOST_MEMORY_PAGE;
}

/* An anonymous mapping: its pages read as zeros and are committed when first touched.
 * Without MAP_NORESERVE, so that a kernel that does not overcommit refuses a size it
 * cannot back here, rather than killing the process when the pages are touched. */
static bool map_block(ll_host_memory *h)
{
    if (h->capacity > SIZE_MAX || ll_fault_hit(LL_FAULT_HOST)) /* a host allocation too */
        return false;
    void *p = mmap(NULL, (size_t)h->capacity, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return false;
    h->block = p;
    h->block_bytes = h->capacity;
    h->data = p;
    h->mapped = true;
    return true;
}

/* A heap block over-allocated and aligned by hand: glibc hands a freed block of this size
 * back warm, while aligned_alloc of the same size maps fresh pages (a fault per page) each
 * time. */
static bool heap_block(ll_host_memory *h, bool zero)
{
    if (h->capacity + h->alignment > SIZE_MAX)
        return false;
    h->block = ll_malloc((size_t)(h->capacity + h->alignment));
    if (h->block == NULL)
        return false;
    uint64_t misalign = (uintptr_t)h->block % h->alignment;
    unsigned char *data = (unsigned char *)h->block + (misalign ? h->alignment - misalign : 0);
    if (zero)
        memset(data, 0, (size_t)h->capacity);
    else /* keep the padding defined: it may be handed to the device one day */
        memset(data + h->size, 0, (size_t)(h->capacity - h->size));
    h->data = data;
    return true;
}

ll_host_memory *ll_host_memory_create(uint64_t size, bool zero, ll_error *err)
{
    if (size == 0)
        return ll_fail(err, LL_E_ARGUMENT, "size must be > 0, got 0"), NULL;
    if (size > LL_HOST_MEMORY_MAX_BYTES)
        return ll_fail(err, LL_E_HOST_MEMORY, "cannot allocate %llu bytes of host memory: "
                       "more than the largest block, %llu bytes (2^48)",
                       (unsigned long long)size,
                       (unsigned long long)LL_HOST_MEMORY_MAX_BYTES), NULL;
    ll_host_memory *h = ll_malloc(sizeof *h);
    if (h == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory for a host memory record"),
               NULL;
    bool pages = size >= LL_HOST_MEMORY_PAGE_THRESHOLD;
    *h = (ll_host_memory){
        .size = size,
        .alignment = pages ? page_alignment() : LL_HOST_MEMORY_ALIGNMENT,
        .kind = pages ? LL_HOST_MEMORY_PAGES : LL_HOST_MEMORY_OWNED,
    };
    atomic_init(&h->refs, 1);
    h->capacity = round_up(size, h->alignment);
    bool ok = size >= LL_HOST_MEMORY_MAP_THRESHOLD ? map_block(h) : heap_block(h, zero);
    if (!ok) {
        ll_free(h);
        return ll_fail(err, LL_E_HOST_MEMORY, "cannot allocate %llu bytes of host memory: "
                       "the system refused", (unsigned long long)size), NULL;
    }
    return h;
}

ll_host_memory *ll_host_memory_wrap(void *data, uint64_t size, ll_host_memory_hook hook,
                                    void *ud, ll_error *err)
{
    if (data == NULL)
        return ll_fail(err, LL_E_ARGUMENT, "foreign host memory at NULL"), NULL;
    ll_host_memory *h = ll_malloc(sizeof *h);
    if (h == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory for a host memory record"),
               NULL;
    uintptr_t address = (uintptr_t)data;
    *h = (ll_host_memory){
        .data = data,
        .size = size,
        .capacity = size,
        .alignment = address ? address & (~address + 1) : 1, /* its lowest set bit */
        .kind = LL_HOST_MEMORY_FOREIGN,
        .hook = hook,
        .ud = ud,
    };
    atomic_init(&h->refs, 1);
    return h;
}

static void end(ll_host_memory *h, bool call_hook);

/* A slice's hook, when its last reference goes: off its parent's list, the parent released. */
static void slice_done(void *ud)
{
    ll_host_memory *h = ud, *p = h->parent;
    for (ll_host_memory **at = &p->slices; *at != NULL; at = &(*at)->next_slice)
        if (*at == h) {
            *at = h->next_slice;
            break;
        }
    h->parent = NULL;
    ll_host_memory_release(p);
}

ll_host_memory *ll_host_memory_slice(ll_host_memory *parent, uint64_t offset, uint64_t size,
                                     ll_error *err)
{
    if (parent->data == NULL)
        return ll_fail(err, LL_E_STATE, "host memory has ended"), NULL;
    if (size == 0 || offset > parent->size || size > parent->size - offset)
        return ll_fail(err, LL_E_ARGUMENT, "a slice of %llu bytes at %llu passes the %llu "
                       "bytes of its memory", (unsigned long long)size,
                       (unsigned long long)offset, (unsigned long long)parent->size), NULL;
    ll_host_memory *h = ll_host_memory_wrap((unsigned char *)parent->data + offset, size, NULL,
                                            NULL, err);
    if (h == NULL)
        return NULL;
    h->hook = slice_done;
    h->ud = h;
    h->parent = parent;
    ll_host_memory_retain(parent);
    h->next_slice = parent->slices;
    parent->slices = h;
    return h;
}

/* Ends the memory: the core's is freed; foreign memory's hook is called when the holder
 * ends it (`call_hook`), not when its owner revoked it. Slices end first, revoked; a slice
 * that ends on its own stays on its parent's list until its last reference goes. */
static void end(ll_host_memory *h, bool call_hook)
{
    if (h->data == NULL)
        return;
    for (ll_host_memory *s = h->slices; s != NULL; s = s->next_slice)
        end(s, false);
    if (h->imports != NULL) /* the devices let go of the pages before they are freed */
        ll_host_import_end_all(h);
    h->data = NULL;
    if (h->kind == LL_HOST_MEMORY_FOREIGN) {
        ll_host_memory_hook hook = h->hook;
        h->hook = NULL;
        if (call_hook && hook != NULL)
            hook(h->ud);
    } else if (h->mapped) {
        munmap(h->block, (size_t)h->block_bytes);
    } else {
        ll_free(h->block);
    }
    h->block = NULL;
}

void ll_host_memory_retain(ll_host_memory *h)
{
    if (!h->never_freed)
        atomic_fetch_add(&h->refs, 1);
}

void ll_host_memory_release(ll_host_memory *h)
{
    if (h == NULL || h->never_freed || atomic_fetch_sub(&h->refs, 1) != 1)
        return;
    end(h, true);
    if (h->parent != NULL) /* a revoked slice: its hook did not run */
        slice_done(h);
    ll_free(h);
}

void ll_host_memory_end(ll_host_memory *h)
{
    if (h != NULL && !h->never_freed)
        end(h, true);
}

void ll_host_memory_revoke(ll_host_memory *h)
{
    if (h != NULL && !h->never_freed)
        end(h, false);
}

uint64_t ll_host_memory_size(const ll_host_memory *h) { return h->size; }
uint64_t ll_host_memory_capacity(const ll_host_memory *h) { return h->capacity; }
uint64_t ll_host_memory_alignment(const ll_host_memory *h) { return h->alignment; }
ll_host_memory_kind ll_host_memory_kind_of(const ll_host_memory *h) { return h->kind; }
bool ll_host_memory_is_mapped(const ll_host_memory *h) { return h->mapped; }
int ll_host_memory_refs(const ll_host_memory *h) { return atomic_load(&h->refs); }
ll_host_import **ll_host_memory_imports(ll_host_memory *h) { return &h->imports; }

bool ll_host_memory_validate(const ll_host_memory *h, ll_error *err)
{
    uint64_t a = h->alignment;
    if (atomic_load(&h->refs) < 1)
        return ll_fail(err, LL_E_STATE, "host memory has %d references", atomic_load(&h->refs));
    if (a == 0 || (a & (a - 1)) != 0)
        return ll_fail(err, LL_E_STATE, "host memory alignment %llu is not a power of two",
                       (unsigned long long)a);
    if (h->data != NULL && (uintptr_t)h->data % a != 0)
        return ll_fail(err, LL_E_STATE, "host memory data %p is not %llu-aligned", h->data,
                       (unsigned long long)a);
    if (h->capacity < h->size)
        return ll_fail(err, LL_E_STATE, "host memory capacity %llu below size %llu",
                       (unsigned long long)h->capacity, (unsigned long long)h->size);
    if (h->kind != LL_HOST_MEMORY_FOREIGN && h->capacity % a != 0)
        return ll_fail(err, LL_E_STATE, "host memory capacity %llu is not a multiple of %llu",
                       (unsigned long long)h->capacity, (unsigned long long)a);
    if (h->kind == LL_HOST_MEMORY_PAGES && a < LL_HOST_MEMORY_PAGE)
        return ll_fail(err, LL_E_STATE, "page-aligned host memory aligned to %llu only",
                       (unsigned long long)a);
    if (h->kind == LL_HOST_MEMORY_FOREIGN ? h->block != NULL
                                          : (h->data == NULL) != (h->block == NULL))
        return ll_fail(err, LL_E_STATE, "host memory block %p for data %p of kind %d",
                       h->block, h->data, (int)h->kind);
    return true;
}
