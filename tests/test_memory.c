/* test_memory.c: the core Memory, Buffer and staging without Lua: memory-type choice,
 * placement and pages, failure atomicity, mapping ranges, transfers (direct and staged, in
 * chunks) and threads hammering one Memory. Runs with the validation layer on. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lluvia/buffer.h"
#include "lluvia/device_memory.h"
#include "lluvia/memory.h"
#include "staging.h"
#include "test_util.h"

#define MiB (1024ull * 1024ull)

static ll_session *session_with(const ll_session_options *opts)
{
    ll_error err;
    ll_session *s = ll_session_create(opts, &err);
    CHECK_MSG(s != NULL, "%s", err.message);
    return s;
}

static void check_valid(const ll_memory *m)
{
    ll_error err;
    CHECK_MSG(ll_memory_validate(m, &err), "%s", err.message);
}

static VkMemoryRequirements req_of(ll_memory *m, uint64_t size, uint64_t alignment)
{
    return (VkMemoryRequirements){
        .size = size,
        .alignment = alignment,
        .memoryTypeBits = 1u << ll_memory_type_index(m),
    };
}

static void test_create(ll_session *s)
{
    ll_error err;
    CHECK(ll_memory_create(s, VK_MEMORY_PROPERTY_PROTECTED_BIT, 1024, false, &err) == NULL);
    CHECK(err.code == LL_E_UNSUPPORTED);
    CHECK_MSG(strstr(err.message, "{Protected}") != NULL, "%s", err.message);

    const VkPhysicalDeviceMemoryProperties *p = ll_session_memory_properties(s);
    /* The first type whose flags include the asked ones, in Vulkan's order. */
    for (uint32_t i = 0; i < p->memoryTypeCount; i++) {
        VkMemoryPropertyFlags f = p->memoryTypes[i].propertyFlags;
        ll_memory *m = ll_memory_create(s, f, 4096, true, &err);
        CHECK_MSG(m != NULL, "%s", err.message);
        if (m == NULL)
            continue;
        CHECK(ll_memory_flags(m) == f);
        CHECK(p->memoryTypes[ll_memory_type_index(m)].propertyFlags == f);
        CHECK(ll_memory_type_index(m) <= i);
        CHECK(ll_memory_page_size(m) == 4096);
        CHECK(ll_memory_page_count(m) == 0);
        CHECK(ll_memory_is_mappable(m) == !!(f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT));
        CHECK(!ll_memory_is_page_mappable(m, 0));
        ll_memory_release(m);
    }
    ll_memory *any = ll_memory_create(s, 0, 4096, false, &err);
    CHECK(any != NULL && ll_memory_type_index(any) == 0);
    ll_memory_release(any);
}

static void test_placement(ll_session *s)
{
    ll_error err;
    ll_memory *m = ll_memory_create(s, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, 64 * 1024,
                                    false, &err);
    CHECK_MSG(m != NULL, "%s", err.message);
    if (m == NULL)
        return;
    ll_allocation a[8];
    for (int i = 0; i < 8; i++) {
        VkMemoryRequirements r = req_of(m, 1000 + (uint64_t)i, 1u << (i + 2));
        CHECK_MSG(ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &a[i], &err), "%s", err.message);
        CHECK(a[i].page == 0);
        CHECK(a[i].offset % (1u << (i + 2)) == 0);
        CHECK(a[i].size == 1000 + (uint64_t)i);
        CHECK(a[i].mapped != NULL);
        check_valid(m);
    }
    for (int i = 0; i < 8; i++)
        for (int j = i + 1; j < 8; j++)
            CHECK(a[i].offset + a[i].size <= a[j].offset || a[j].offset + a[j].size <= a[i].offset);
    ll_memory_stats st;
    ll_memory_get_stats(m, &st);
    CHECK(st.pages == 1 && st.bytes_reserved == 64 * 1024 && st.objects == 8);
    CHECK(st.bytes_in_use == 8 * 1024);
    CHECK(st.largest_free_block == 32 * 1024);
    CHECK(ll_memory_is_page_mappable(m, 0) && !ll_memory_is_page_mappable(m, 1));

    /* Larger than a page: a page of its own, sized to it. */
    ll_allocation big;
    VkMemoryRequirements r = req_of(m, 100 * 1024 + 3, 64);
    CHECK(ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &big, &err));
    CHECK(big.page == 1 && big.offset == 0 && big.left_padding == 0);
    ll_memory_get_stats(m, &st);
    CHECK(st.pages == 2 && st.bytes_reserved == 64 * 1024 + 100 * 1024 + 3);
    CHECK(ll_memory_page_count(m) == 2);
    check_valid(m);

    /* A page fills, the next object goes to a new page (number 2), then page 1 goes. */
    ll_allocation half;
    r = req_of(m, 32 * 1024, 16);
    CHECK(ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &half, &err));
    CHECK(half.page == 0);
    ll_allocation next;
    CHECK(ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &next, &err));
    CHECK(next.page == 2);
    ll_memory_free(m, &big);
    CHECK(ll_memory_page_count(m) == 2 && !ll_memory_is_page_mappable(m, 1));
    CHECK(ll_memory_is_page_mappable(m, 2));
    check_valid(m);
    /* The free page number is reused. */
    ll_allocation again;
    r = req_of(m, 40 * 1024, 16);
    CHECK(ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &again, &err));
    CHECK(again.page == 1);
    ll_memory_free(m, &again);
    CHECK(ll_memory_page_count(m) == 3); /* page 1, empty, is the one kept */
    ll_memory_free(m, &next);            /* page 2 empties: page 1 is kept already */
    CHECK(ll_memory_page_count(m) == 2 && !ll_memory_is_page_mappable(m, 2));
    check_valid(m);

    for (int i = 0; i < 8; i++)
        ll_memory_free(m, &a[i]);
    ll_memory_free(m, &half);
    ll_memory_get_stats(m, &st);
    CHECK(st.pages == 1 && st.objects == 0 && st.bytes_in_use == 0); /* one kept */
    check_valid(m);
    ll_memory_release(m);
}

static void test_failure_atomicity(ll_session *s)
{
    ll_error err;
    ll_memory *m = ll_memory_create(s, 0, 1 * MiB, false, &err);
    if (m == NULL)
        return;
    ll_allocation a, keep;
    VkMemoryRequirements r = req_of(m, 4096, 256);
    CHECK(ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &keep, &err));
    ll_memory_stats before, after;
    ll_memory_get_stats(m, &before);

    r.memoryTypeBits = ~(1u << ll_memory_type_index(m));
    CHECK(!ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &a, &err));
    CHECK(err.code == LL_E_UNSUPPORTED);
    r = req_of(m, 0, 1);
    CHECK(!ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &a, &err) && err.code == LL_E_ARGUMENT);
    r = req_of(m, 100, 3);
    CHECK(!ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &a, &err) && err.code == LL_E_ARGUMENT);
    r = req_of(m, 1ull << 62, 1);
    CHECK(!ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &a, &err));
    CHECK_MSG(err.code == LL_E_DEVICE_MEMORY, "%s", err.message);
    /* larger than the heap: the message says what the memory was for */
    CHECK_MSG(strstr(err.message, "bytes of device memory for page 1 of a Memory of {") &&
              strstr(err.message, "}, a page of its own for an object of "
                                  "4611686018427387904 bytes: memory heap"), "%s", err.message);
    CHECK(ll_buffer_create(m, 0, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, &err) == NULL);
    CHECK(err.code == LL_E_ARGUMENT && strcmp(err.message, "size must be > 0, got 0") == 0);
    CHECK(ll_buffer_create(m, (1ull << 63) - 1, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, &err) == NULL);
    CHECK_MSG(err.code == LL_E_DEVICE_MEMORY, "%s", err.message);
    CHECK(strstr(err.message, "VK_ERROR_OUT_OF_DEVICE_MEMORY") != NULL);

    ll_memory_get_stats(m, &after);
    CHECK(memcmp(&before, &after, sizeof before) == 0);
    check_valid(m);
    ll_memory_free(m, &keep);
    ll_memory_release(m);
}

/* A creation that fails after placing its object (a failed bind) gives the room back
 * with ll_memory_undo: a page the allocation made goes too, instead of staying as the kept
 * empty page, so the Memory is as it was. */
static void test_undo(ll_session *s)
{
    ll_error err;
    ll_memory *m = ll_memory_create(s, 0, 1 * MiB, false, &err);
    if (m == NULL)
        return;
    ll_allocation a, b;
    VkMemoryRequirements r = req_of(m, 4096, 256);
    CHECK(ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &a, &err) && a.new_page);
    CHECK(ll_memory_page_count(m) == 1);
    ll_memory_undo(m, &a);
    CHECK(ll_memory_page_count(m) == 0);
    check_valid(m);

    /* On a page that was there before: the page stays. */
    CHECK(ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &a, &err) && a.new_page);
    CHECK(ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &b, &err) && !b.new_page);
    ll_memory_stats before, after;
    ll_memory_free(m, &a);
    ll_memory_get_stats(m, &before);
    CHECK(ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &a, &err) && !a.new_page);
    ll_memory_undo(m, &a);
    ll_memory_get_stats(m, &after);
    CHECK(memcmp(&before, &after, sizeof before) == 0);
    ll_memory_free(m, &b); /* free keeps the one empty page, undo would not */
    CHECK(ll_memory_page_count(m) == 1);
    check_valid(m);

    /* A dedicated page (larger than a page) goes either way. */
    r = req_of(m, 2 * MiB, 256);
    CHECK(ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &a, &err) && a.new_page);
    CHECK(ll_memory_page_count(m) == 2);
    ll_memory_undo(m, &a);
    CHECK(ll_memory_page_count(m) == 1);
    check_valid(m);
    ll_memory_release(m);
}

/* A Memory of any type with pages of page_size bytes, or NULL (a failed check). */
static ll_memory *paged_memory(ll_session *s, uint64_t page_size)
{
    ll_error err;
    ll_memory *m = ll_memory_create(s, 0, page_size, false, &err);
    CHECK_MSG(m != NULL, "%s", err.message);
    if (m != NULL)
        CHECK(ll_memory_page_size(m) == page_size);
    return m;
}

static void test_odd_page_size(ll_session *s)
{
    ll_error err;
    ll_memory *m = paged_memory(s, 1000);
    if (m == NULL)
        return;
    ll_allocation small, whole;
    VkMemoryRequirements r = req_of(m, 100, 16);
    CHECK_MSG(ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &small, &err), "%s", err.message);
    ll_memory_stats st;
    ll_memory_get_stats(m, &st);
    CHECK(st.pages == 1 && st.bytes_reserved == 1000);
    r = req_of(m, 1000, 16); /* fits the page but no block of it: a page of its own */
    CHECK(ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &whole, &err));
    CHECK(whole.page == 1 && whole.offset == 0);
    check_valid(m);
    ll_memory_free(m, &whole);
    ll_memory_free(m, &small);
    CHECK(ll_memory_page_count(m) == 1);
    check_valid(m);
    ll_memory_release(m);

    ll_memory *tiny = ll_memory_create(s, 0, 1, false, &err);
    CHECK(tiny != NULL);
    if (tiny != NULL) {
        r = req_of(tiny, 64, 16);
        CHECK(ll_memory_allocate(tiny, &r, LL_BUDDY_LINEAR, &small, &err));
        CHECK(small.page == 0 && ll_memory_page_count(tiny) == 1);
        ll_memory_free(tiny, &small);
        CHECK(ll_memory_page_count(tiny) == 0);
        ll_memory_release(tiny);
    }
}

/* pageSize 0: every object gets a page of its own, of exactly its size. */
static void test_page_per_object(ll_session *s)
{
    ll_memory *m = paged_memory(s, 0);
    if (m == NULL)
        return;
    const uint64_t sizes[2] = {100, 1};
    ll_allocation a[2];
    for (uint32_t i = 0; i < 2; i++) {
        ll_error err;
        VkMemoryRequirements r = req_of(m, sizes[i], 1);
        ll_buddy_kind kind = i == 0 ? LL_BUDDY_LINEAR : LL_BUDDY_OPTIMAL;
        CHECK_MSG(ll_memory_allocate(m, &r, kind, &a[i], &err), "%s", err.message);
        CHECK(a[i].page == i && a[i].offset == 0 && a[i].size == sizes[i]);
    }
    ll_memory_stats st;
    ll_memory_get_stats(m, &st);
    CHECK(st.pages == 2 && st.bytes_reserved == 101);
    check_valid(m);
    ll_memory_free(m, &a[0]);
    CHECK(ll_memory_page_count(m) == 1);
    ll_memory_free(m, &a[1]);
    CHECK(ll_memory_page_count(m) == 0);
    check_valid(m);
    ll_memory_release(m);
}

static void test_granularity(void)
{
    ll_session_options opts = {.buffer_image_granularity = 4096};
    ll_session *s = session_with(&opts);
    if (s == NULL)
        return;
    ll_error err;
    ll_memory *m = ll_memory_create(s, 0, 1 * MiB, false, &err);
    ll_allocation lin, opt, lin2;
    VkMemoryRequirements r = req_of(m, 100, 16);
    CHECK(ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &lin, &err));
    r = req_of(m, 300, 16);
    CHECK(ll_memory_allocate(m, &r, LL_BUDDY_OPTIMAL, &opt, &err));
    CHECK(lin.page == opt.page);
    CHECK(lin.offset / 4096 != opt.offset / 4096 &&
          lin.offset / 4096 != (opt.offset + opt.size - 1) / 4096);
    r = req_of(m, 100, 16);
    CHECK(ll_memory_allocate(m, &r, LL_BUDDY_LINEAR, &lin2, &err));
    CHECK(lin2.offset / 4096 != opt.offset / 4096);
    check_valid(m);
    ll_memory_free(m, &lin);
    ll_memory_free(m, &opt);
    ll_memory_free(m, &lin2);
    ll_memory_release(m);
    ll_session_release(s);
}

static unsigned next_random(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return (*state >> 16) & 0x7fff;
}

/* The page index: many pages, the one with room is found without walking them, the best
 * fit is taken, and random work over thousands of pages keeps the index valid. */
static void test_many_pages(void)
{
    ll_session_options opts = {.buffer_image_granularity = 1024};
    ll_session *s = session_with(&opts);
    if (s == NULL)
        return;
    ll_error err;
    ll_memory *m = ll_memory_create(s, 0, 4096, false, &err);
    check_valid(m); /* an index of no pages yet */
    enum { FULL = 64 };
    ll_allocation full[FULL], a, b;
    VkMemoryRequirements page = req_of(m, 4096, 16);
    for (int i = 0; i < FULL; i++) {
        CHECK(ll_memory_allocate(m, &page, LL_BUDDY_LINEAR, &full[i], &err));
        CHECK(full[i].page == (uint32_t)i && full[i].new_page);
    }
    ll_memory_free(m, &full[37]); /* kept: the one empty page */
    CHECK(ll_memory_page_count(m) == FULL);
    CHECK(ll_memory_allocate(m, &page, LL_BUDDY_OPTIMAL, &full[37], &err));
    CHECK(full[37].page == 37 && !full[37].new_page);
    ll_memory_free(m, &full[10]); /* kept */
    ll_memory_free(m, &full[50]); /* another empty page: returned */
    CHECK(ll_memory_page_count(m) == FULL - 1);
    check_valid(m);
    CHECK(ll_memory_allocate(m, &page, LL_BUDDY_LINEAR, &full[10], &err) && full[10].page == 10);
    CHECK(ll_memory_allocate(m, &page, LL_BUDDY_LINEAR, &full[50], &err) && full[50].page == 50);
    CHECK(full[50].new_page);
    /* Best fit: half of page 64 is used, page 65 is empty; 2 KiB goes to page 64. */
    VkMemoryRequirements half = req_of(m, 2048, 16);
    CHECK(ll_memory_allocate(m, &half, LL_BUDDY_LINEAR, &a, &err) && a.page == FULL);
    CHECK(ll_memory_allocate(m, &page, LL_BUDDY_LINEAR, &b, &err) && b.page == FULL + 1);
    ll_memory_free(m, &b);
    CHECK(ll_memory_allocate(m, &half, LL_BUDDY_LINEAR, &b, &err) && b.page == FULL);
    ll_memory_free(m, &a);
    ll_memory_free(m, &b);
    for (int i = 0; i < FULL; i++)
        ll_memory_free(m, &full[i]);
    CHECK(ll_memory_page_count(m) == 1);
    check_valid(m);

    /* Random work of both kinds, sizes and alignments over a few thousand pages. */
    enum { SLOTS = 8192, STEPS = 60000 };
    ll_allocation *held = calloc(SLOTS, sizeof *held);
    bool *live = calloc(SLOTS, sizeof *live);
    unsigned seed = 99;
    uint64_t objects = 0;
    for (int step = 0; step < STEPS && held != NULL && live != NULL; step++) {
        int i = (int)(next_random(&seed) % SLOTS);
        if (live[i]) {
            ll_memory_free(m, &held[i]);
            live[i] = false;
            objects--;
        } else {
            VkMemoryRequirements r = req_of(m, 1 + next_random(&seed) % 4096,
                                            1u << next_random(&seed) % 11);
            ll_buddy_kind kind = next_random(&seed) % 3 ? LL_BUDDY_LINEAR : LL_BUDDY_OPTIMAL;
            CHECK_MSG(ll_memory_allocate(m, &r, kind, &held[i], &err), "%s", err.message);
            CHECK(held[i].offset % r.alignment == 0);
            live[i] = true;
            objects++;
        }
        if (step % 5000 == 0)
            check_valid(m);
    }
    ll_memory_stats st;
    ll_memory_get_stats(m, &st);
    CHECK(st.objects == objects && st.pages > 1000);
    check_valid(m);
    for (int i = 0; i < SLOTS && live != NULL; i++)
        if (live[i])
            ll_memory_free(m, &held[i]);
    ll_memory_get_stats(m, &st);
    CHECK(st.objects == 0 && st.pages == 1);
    check_valid(m);
    free(held);
    free(live);
    ll_memory_release(m);
    ll_session_release(s);
}

/* Open views on (simulated) non-coherent memory: flushed before an invalidate could drop
 * their writes, counted, and closed once each. */
static void test_open_views(void)
{
    ll_session_options opts = {.simulate_non_coherent = true};
    ll_session *s = session_with(&opts);
    if (s == NULL)
        return;
    ll_error err;
    ll_memory *m = ll_memory_create(s, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, 65536, false, &err);
    ll_buffer *b = m != NULL ? ll_buffer_create(m, 256, 0, &err) : NULL;
    CHECK_MSG(b != NULL, "%s", err.message);
    if (b == NULL) {
        ll_memory_release(m);
        ll_session_release(s);
        return;
    }
    CHECK(ll_memory_needs_sync(m) && ll_session_simulates_non_coherent(s));
    CHECK(!ll_buffer_close_view(b, &err) && err.code == LL_E_STATE);
    ll_coherence_stats c0, c1;
    unsigned char bytes[16];
    ll_memory_get_coherence_stats(&c0);
    CHECK(ll_buffer_open_view(b, &err));                 /* invalidate */
    CHECK(ll_buffer_open_view(b, &err));                 /* flush the first, invalidate */
    CHECK(ll_buffer_open_views(b) == 2);
    CHECK(ll_buffer_read(b, 0, bytes, sizeof bytes, &err)); /* flush, invalidate */
    ll_memory_get_coherence_stats(&c1);
    uint64_t direct = !ll_buffer_uses_staging(b); /* a staged read invalidates staging only */
    CHECK(c1.flushes - c0.flushes == 2 && c1.invalidates - c0.invalidates == 2 + direct);
    CHECK(ll_buffer_close_view(b, &err) && ll_buffer_close_view(b, &err)); /* two flushes */
    CHECK(ll_buffer_open_views(b) == 0);
    CHECK(ll_buffer_read(b, 0, bytes, sizeof bytes, &err)); /* no view: invalidate only */
    ll_memory_get_coherence_stats(&c0);
    CHECK(c0.flushes - c1.flushes == 2 && c0.invalidates - c1.invalidates == direct);
    CHECK(!ll_session_has_warnings(s));
    ll_buffer_release(b);
    ll_memory_release(m);
    ll_session_release(s);
}

static void test_mapped_range(void)
{
    VkMappedMemoryRange r;
    VkDeviceMemory mem = VK_NULL_HANDLE;
    CHECK(ll_mapped_range(mem, 4096, 64, 100, 10, &r));
    CHECK(r.offset == 64 && r.size == 64);
    CHECK(ll_mapped_range(mem, 4096, 64, 0, 4096, &r) && r.offset == 0 && r.size == VK_WHOLE_SIZE);
    CHECK(ll_mapped_range(mem, 1000, 64, 990, 10, &r) && r.offset == 960 && r.size == VK_WHOLE_SIZE);
    CHECK(ll_mapped_range(mem, 1000, 64, 900, 10, &r) && r.offset == 896 && r.size == 64);
    CHECK(!ll_mapped_range(mem, 1000, 64, 900, 0, &r));
    CHECK(!ll_mapped_range(mem, 1000, 64, 1000, 1, &r));
}

static void fill_pattern(unsigned char *p, uint64_t n, unsigned seed)
{
    for (uint64_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 7 + seed);
}

static void test_buffers(ll_session *s, uint64_t size)
{
    ll_error err;
    ll_memory *m = ll_memory_create(s, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 1 * MiB, false,
                                    &err);
    CHECK_MSG(m != NULL, "%s", err.message);
    if (m == NULL)
        return;
    ll_buffer *a = ll_buffer_create(m, size, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, &err);
    ll_buffer *b = ll_buffer_create(m, size, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, &err);
    CHECK_MSG(a != NULL && b != NULL, "%s", err.message);
    if (a == NULL || b == NULL)
        return;
    CHECK(ll_buffer_size(a) == size);
    CHECK(ll_buffer_usage(a) == VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    CHECK(ll_buffer_uses_staging(a) == (ll_session_force_staging(s) || !ll_memory_is_mappable(m)));
    const ll_allocation *al = ll_buffer_allocation(a);
    CHECK(al->size >= size);

    unsigned char *in = malloc(size), *out = malloc(size);
    fill_pattern(in, size, 3);
    CHECK_MSG(ll_buffer_write(a, 0, in, size, &err), "%s", err.message);
    memset(out, 0, size);
    CHECK_MSG(ll_buffer_read(a, 0, out, size, &err), "%s", err.message);
    CHECK(memcmp(in, out, size) == 0);
    CHECK_MSG(ll_buffer_copy(a, 0, b, 0, size, &err), "%s", err.message);
    memset(out, 0, size);
    CHECK(ll_buffer_read(b, 0, out, size, &err) && memcmp(in, out, size) == 0);
    /* part of a buffer */
    CHECK(ll_buffer_read(b, size / 3, out, size / 2, &err));
    CHECK(memcmp(in + size / 3, out, size / 2) == 0);
    CHECK(!ll_buffer_read(b, size - 1, out, 2, &err) && err.code == LL_E_ARGUMENT);
    CHECK(!ll_buffer_copy(a, 0, a, 1, 2, &err) && err.code == LL_E_ARGUMENT);
    free(in);
    free(out);
    ll_memory_release(m); /* the buffers keep it alive */
    ll_buffer_release(a);
    ll_buffer_release(b);
}

static void test_staging_reuse(void)
{
    ll_session_options opts = {.force_staging = true, .staging_size = 4096 + 100};
    ll_session *s = session_with(&opts);
    if (s == NULL)
        return;
    test_buffers(s, 3 * 4096 + 17); /* several chunks in both slots, an odd tail */
    ll_device_memory_stats before, after;
    ll_device_memory_get_stats(&before);
    test_buffers(s, 10000);
    test_buffers(s, 1);
    ll_device_memory_get_stats(&after);
    /* Two Memories of one page and 4 buffers each, no staging buffer allocated again. */
    CHECK(after.total_allocations - before.total_allocations == 2);
    CHECK(after.live_bytes == before.live_bytes);
    ll_session_release(s);
}

/* ---- staging with units ------------------------------------------------------------ */

typedef struct chunk_log {
    VkBuffer buffer;
    bool upload;
    uint64_t unit, staging_size;
    uint64_t next;      /* the byte the next chunk must start at */
    int chunks, bad;
} chunk_log;

static void record_logged(ll_commands *c, VkBuffer staging, VkDeviceSize staging_offset,
                          uint64_t done, uint64_t bytes, void *user)
{
    chunk_log *log = user;
    VkCommandBuffer cmd = ll_commands_vk(c);
    log->chunks++;
    if (done != log->next || bytes == 0 || bytes % log->unit != 0 ||
        staging_offset % log->unit != 0 || staging_offset + bytes > log->staging_size)
        log->bad++;
    log->next = done + bytes;
    VkMemoryBarrier all = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = VK_ACCESS_MEMORY_WRITE_BIT,
        .dstAccessMask = VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT,
    };
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                         VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, 0, 1, &all, 0, NULL, 0, NULL);
    VkBufferCopy region = {
        .srcOffset = log->upload ? staging_offset : done,
        .dstOffset = log->upload ? done : staging_offset,
        .size = bytes,
    };
    if (log->upload)
        vkCmdCopyBuffer(cmd, staging, log->buffer, 1, &region);
    else
        vkCmdCopyBuffer(cmd, log->buffer, staging, 1, &region);
    all.srcAccessMask = VK_ACCESS_MEMORY_WRITE_BIT;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                         VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, 0, 1, &all, 0, NULL, 0, NULL);
}

static void test_staging_units(void)
{
    ll_session_options opts = {.staging_size = 1000};
    ll_session *s = session_with(&opts);
    if (s == NULL)
        return;
    ll_error err;
    ll_memory *m = ll_memory_create(s, 0, 1 * MiB, false, &err);
    ll_buffer *b = ll_buffer_create(m, 30000, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, &err);
    CHECK_MSG(b != NULL, "%s", err.message);
    if (b == NULL)
        return;
    unsigned char *in = malloc(30000), *out = malloc(30000);
    fill_pattern(in, 30000, 5);
    /* Chunks: bytes, two slots of 256 (aligned); 100-byte units, two slots of 500;
     * 700- and 1000-byte units, one slot of one unit. */
    const uint64_t units[] = {1, 100, 700, 1000};
    const uint64_t chunk[] = {256, 500, 700, 1000};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        uint64_t unit = units[i], size = 30000 / unit * unit;
        chunk_log up = {ll_buffer_vk(b), true, unit, 1000, 0, 0, 0};
        CHECK_MSG(ll_staging_upload(s, in, size, unit, record_logged, &up, &err), "%s",
                  err.message);
        CHECK(up.bad == 0 && up.next == size);
        CHECK(up.chunks == (int)((size + chunk[i] - 1) / chunk[i]));
        memset(out, 0, size);
        chunk_log down = {ll_buffer_vk(b), false, unit, 1000, 0, 0, 0};
        CHECK_MSG(ll_staging_download(s, out, size, unit, record_logged, &down, &err), "%s",
                  err.message);
        CHECK(down.bad == 0 && down.next == size && down.chunks == up.chunks);
        CHECK(memcmp(in, out, size) == 0);
    }
    chunk_log none = {ll_buffer_vk(b), true, 1001, 1000, 0, 0, 0};
    CHECK(!ll_staging_upload(s, in, 1001, 1001, record_logged, &none, &err));
    CHECK(err.code == LL_E_ARGUMENT && none.chunks == 0);
    CHECK(ll_staging_upload(s, in, 0, 1, record_logged, &none, &err) && none.chunks == 0);
    free(in);
    free(out);
    ll_buffer_release(b);
    ll_memory_release(m);
    CHECK(!ll_session_has_warnings(s));
    ll_session_release(s);
}

/* ---- threads ------------------------------------------------------------------------ */

#define THREADS 8
#define ROUNDS 3000
#define HELD 16

typedef struct worker {
    ll_memory *memory;
    unsigned seed;
    int failures;
} worker;

static void *hammer(void *arg)
{
    worker *w = arg;
    ll_allocation held[HELD];
    bool live[HELD] = {0};
    unsigned char mark[HELD];
    for (int round = 0; round < ROUNDS; round++) {
        int i = (int)(next_random(&w->seed) % HELD);
        if (live[i]) {
            /* Nobody else wrote into our bytes while we held them. */
            unsigned char *p = held[i].mapped;
            for (uint64_t k = 0; p != NULL && k < held[i].size; k++)
                if (p[k] != mark[i])
                    w->failures++, k = held[i].size;
            ll_memory_free(w->memory, &held[i]);
            live[i] = false;
            continue;
        }
        uint64_t size = 1 + next_random(&w->seed) % (next_random(&w->seed) % 8 ? 5000 : 300000);
        VkMemoryRequirements r = {
            .size = size,
            .alignment = 1u << (next_random(&w->seed) % 9),
            .memoryTypeBits = 1u << ll_memory_type_index(w->memory),
        };
        ll_buddy_kind kind = next_random(&w->seed) % 4 ? LL_BUDDY_LINEAR : LL_BUDDY_OPTIMAL;
        ll_error err;
        if (!ll_memory_allocate(w->memory, &r, kind, &held[i], &err)) {
            w->failures++;
            continue;
        }
        if (held[i].offset % r.alignment != 0)
            w->failures++;
        mark[i] = (unsigned char)next_random(&w->seed);
        if (held[i].mapped != NULL)
            memset(held[i].mapped, mark[i], size);
        live[i] = true;
        ll_memory_stats st;
        ll_memory_get_stats(w->memory, &st);
        (void)ll_memory_page_count(w->memory);
    }
    for (int i = 0; i < HELD; i++)
        if (live[i])
            ll_memory_free(w->memory, &held[i]);
    return NULL;
}

static void test_threads(ll_session *s)
{
    ll_error err;
    ll_memory *m = ll_memory_create(s, 0, 256 * 1024, false, &err);
    if (m == NULL)
        return;
    pthread_t threads[THREADS];
    worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){.memory = m, .seed = 1234u + (unsigned)i * 77u};
        CHECK(pthread_create(&threads[i], NULL, hammer, &workers[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        CHECK_MSG(workers[i].failures == 0, "worker %d: %d failures", i, workers[i].failures);
    }
    ll_memory_stats st;
    ll_memory_get_stats(m, &st);
    CHECK(st.objects == 0 && st.bytes_in_use == 0 && st.pages <= 1);
    check_valid(m);
    ll_memory_release(m);
}

int main(void)
{
    setenv("LLUVIA_ENABLE_DEBUG", "1", 1);
    ll_session *s = session_with(NULL);
    if (s == NULL)
        return test_finish("memory");
    test_create(s);
    test_placement(s);
    test_failure_atomicity(s);
    test_undo(s);
    test_odd_page_size(s);
    test_page_per_object(s);
    test_granularity();
    test_many_pages();
    test_open_views();
    test_mapped_range();
    test_buffers(s, 100000);
    test_staging_reuse();
    test_staging_units();
    test_threads(s);
    ll_device_memory_stats dm;
    ll_device_memory_get_stats(&dm);
    CHECK(!ll_session_has_warnings(s));
    ll_session_release(s);
    ll_device_memory_get_stats(&dm);
    CHECK_MSG(dm.live_allocations == 0 && dm.live_bytes == 0, "%llu allocations live",
              (unsigned long long)dm.live_allocations);
    return test_finish("memory");
}
