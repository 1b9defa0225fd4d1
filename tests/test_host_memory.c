/* test_host_memory.c: unit tests of host_memory.c: heap, page-aligned and mapped blocks,
 * zero filling without committing memory, foreign memory with its hook and revocation,
 * reference counts, the shared ended record and the size limits. Not for: arrays
 * (spec/ndarray_spec.lua). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lluvia/fault.h"
#include "lluvia/host_memory.h"
#include "test_util.h"

#define MiB (1024ull * 1024ull)

static void check_valid(const ll_host_memory *h)
{
    ll_error err;
    CHECK_MSG(ll_host_memory_validate(h, &err), "%s", err.message);
}

static bool all_zero(const unsigned char *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

/* Resident bytes of this process (/proc/self/statm's second field, in pages). */
static uint64_t resident_bytes(void)
{
    unsigned long long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    CHECK(f != NULL);
    if (f == NULL)
        return 0;
    CHECK(fscanf(f, "%llu %llu", &size, &resident) == 2);
    fclose(f);
    return resident * 4096ull;
}

static void test_owned(void)
{
    ll_error err;
    ll_host_memory *h = ll_host_memory_create(100, true, &err);
    CHECK_MSG(h != NULL, "%s", err.message);
    if (h == NULL)
        return;
    check_valid(h);
    CHECK(ll_host_memory_kind_of(h) == LL_HOST_MEMORY_OWNED);
    CHECK(ll_host_memory_alive(h));
    CHECK(ll_host_memory_size(h) == 100);
    CHECK(ll_host_memory_capacity(h) == 128);
    CHECK(ll_host_memory_alignment(h) == LL_HOST_MEMORY_ALIGNMENT);
    CHECK((uintptr_t)ll_host_memory_data(h) % LL_HOST_MEMORY_ALIGNMENT == 0);
    CHECK(all_zero(ll_host_memory_data(h), 128));
    CHECK(!ll_host_memory_is_mapped(h));
    memset(ll_host_memory_data(h), 0xab, 100);
    ll_host_memory_release(h);

    /* not zeroed: the padding still is */
    h = ll_host_memory_create(33, false, &err);
    CHECK_MSG(h != NULL, "%s", err.message);
    if (h == NULL)
        return;
    CHECK(ll_host_memory_capacity(h) == 64);
    CHECK(all_zero((unsigned char *)ll_host_memory_data(h) + 33, 64 - 33));
    check_valid(h);
    ll_host_memory_release(h);
}

static void test_pages(void)
{
    ll_error err;
    uint64_t size = LL_HOST_MEMORY_PAGE_THRESHOLD + 1;
    ll_host_memory *h = ll_host_memory_create(size, false, &err);
    CHECK_MSG(h != NULL, "%s", err.message);
    if (h == NULL)
        return;
    check_valid(h);
    uint64_t page = ll_host_memory_alignment(h);
    CHECK(ll_host_memory_kind_of(h) == LL_HOST_MEMORY_PAGES);
    CHECK(page >= LL_HOST_MEMORY_PAGE && (page & (page - 1)) == 0);
    CHECK((uintptr_t)ll_host_memory_data(h) % page == 0);
    CHECK(ll_host_memory_capacity(h) % page == 0 && ll_host_memory_capacity(h) >= size);
    CHECK(ll_host_memory_capacity(h) - size < page);
    CHECK(all_zero((unsigned char *)ll_host_memory_data(h) + size,
                   ll_host_memory_capacity(h) - size));
    CHECK(!ll_host_memory_is_mapped(h));
    ll_host_memory_release(h);

    /* just below the threshold: heap alignment */
    h = ll_host_memory_create(LL_HOST_MEMORY_PAGE_THRESHOLD - 1, true, &err);
    CHECK(h != NULL && ll_host_memory_kind_of(h) == LL_HOST_MEMORY_OWNED);
    ll_host_memory_release(h);
}

/* A large zero block is a mapping of its own: making it commits nothing, reading gives
 * zeros, and only the pages written become resident. */
static void test_lazy_zero(void)
{
    ll_error err;
    uint64_t size = 1024 * MiB;
    uint64_t before = resident_bytes();
    ll_host_memory *h = ll_host_memory_create(size, true, &err);
    CHECK_MSG(h != NULL, "%s", err.message);
    if (h == NULL)
        return;
    uint64_t after = resident_bytes();
    check_valid(h);
    CHECK(ll_host_memory_is_mapped(h));
    CHECK(ll_host_memory_kind_of(h) == LL_HOST_MEMORY_PAGES);
    CHECK_MSG(after < before + 64 * MiB, "%llu bytes became resident",
              (unsigned long long)(after - before));
    unsigned char *p = ll_host_memory_data(h);
    CHECK(p[0] == 0 && p[size / 2] == 0 && p[size - 1] == 0);
    p[size - 1] = 7;
    CHECK(p[size - 1] == 7);
    ll_host_memory_release(h);

    /* at the threshold, not zeroed: mapped as well, padding zero */
    h = ll_host_memory_create(LL_HOST_MEMORY_MAP_THRESHOLD + 3, false, &err);
    CHECK_MSG(h != NULL, "%s", err.message);
    if (h == NULL)
        return;
    CHECK(ll_host_memory_is_mapped(h));
    CHECK(all_zero((unsigned char *)ll_host_memory_data(h) + LL_HOST_MEMORY_MAP_THRESHOLD + 3,
                   ll_host_memory_capacity(h) - LL_HOST_MEMORY_MAP_THRESHOLD - 3));
    check_valid(h);
    ll_host_memory_release(h);
}

static void test_limits(void)
{
    ll_error err;
    CHECK(ll_host_memory_create(0, true, &err) == NULL && err.code == LL_E_ARGUMENT);
    CHECK(strstr(err.message, "size must be > 0, got 0") != NULL);

    /* beyond the documented maximum: refused without asking the system */
    CHECK(ll_host_memory_create(LL_HOST_MEMORY_MAX_BYTES + 1, true, &err) == NULL);
    CHECK(err.code == LL_E_HOST_MEMORY);
    CHECK_MSG(strstr(err.message, "281474976710657 bytes") != NULL &&
              strstr(err.message, "largest block") != NULL, "%s", err.message);
    CHECK(ll_host_memory_create(UINT64_MAX, false, &err) == NULL &&
          err.code == LL_E_HOST_MEMORY);

    /* the maximum itself is more than a 47-bit user address space maps: the system refuses,
     * and the failure is an error (under AddressSanitizer too: no allocator limit applies) */
    CHECK(ll_host_memory_create(LL_HOST_MEMORY_MAX_BYTES, true, &err) == NULL);
    CHECK(err.code == LL_E_HOST_MEMORY);
    CHECK_MSG(strstr(err.message, "281474976710656 bytes") != NULL &&
              strstr(err.message, "the system refused") != NULL, "%s", err.message);
}

typedef struct hook_log {
    int calls;
    ll_host_memory *release_on_call; /* a reference the hook drops, as l_buffer.c's does */
} hook_log;

static void hook(void *ud)
{
    hook_log *log = ud;
    log->calls++;
    if (log->release_on_call != NULL) {
        ll_host_memory *h = log->release_on_call;
        log->release_on_call = NULL;
        ll_host_memory_release(h);
    }
}

static void test_foreign(void)
{
    ll_error err;
    _Alignas(256) unsigned char bytes[512];
    hook_log log = {0};

    CHECK(ll_host_memory_wrap(NULL, 4, hook, &log, &err) == NULL && err.code == LL_E_ARGUMENT);

    ll_host_memory *h = ll_host_memory_wrap(bytes, sizeof bytes, hook, &log, &err);
    CHECK_MSG(h != NULL, "%s", err.message);
    if (h == NULL)
        return;
    check_valid(h);
    CHECK(ll_host_memory_kind_of(h) == LL_HOST_MEMORY_FOREIGN);
    CHECK(ll_host_memory_data(h) == bytes);
    CHECK(ll_host_memory_size(h) == 512 && ll_host_memory_capacity(h) == 512);
    CHECK(ll_host_memory_alignment(h) >= 256);
    CHECK((uintptr_t)bytes % ll_host_memory_alignment(h) == 0);
    ll_host_memory *odd = ll_host_memory_wrap(bytes + 1, 3, NULL, NULL, &err);
    CHECK(odd != NULL && ll_host_memory_alignment(odd) == 1);
    check_valid(odd);
    ll_host_memory_release(odd);

    /* the holder ends it: the hook runs once, the data is gone, the record stays */
    ll_host_memory_retain(h);
    CHECK(ll_host_memory_refs(h) == 2);
    log.release_on_call = h;
    ll_host_memory_end(h);
    CHECK(log.calls == 1 && !ll_host_memory_alive(h) && ll_host_memory_data(h) == NULL);
    CHECK(ll_host_memory_refs(h) == 1);
    ll_host_memory_end(h);
    ll_host_memory_revoke(h);
    CHECK(log.calls == 1);
    check_valid(h);
    ll_host_memory_release(h);
    CHECK(log.calls == 1);

    /* the owner revokes it: no hook, then or at the last release */
    log = (hook_log){0};
    h = ll_host_memory_wrap(bytes, sizeof bytes, hook, &log, &err);
    CHECK(h != NULL);
    if (h == NULL)
        return;
    ll_host_memory_retain(h);
    ll_host_memory_revoke(h);
    CHECK(!ll_host_memory_alive(h) && log.calls == 0);
    ll_host_memory_release(h);
    ll_host_memory_release(h);
    CHECK(log.calls == 0);

    /* the last release of live foreign memory ends it, calling the hook */
    h = ll_host_memory_wrap(bytes, sizeof bytes, hook, &log, &err);
    CHECK(h != NULL);
    ll_host_memory_release(h);
    CHECK(log.calls == 1);
}

static void test_refs(void)
{
    ll_error err;
    ll_host_memory *h = ll_host_memory_create(1000, true, &err);
    CHECK(h != NULL);
    if (h == NULL)
        return;
    CHECK(ll_host_memory_refs(h) == 1);
    ll_host_memory_retain(h);
    ll_host_memory_retain(h);
    CHECK(ll_host_memory_refs(h) == 3);
    ll_host_memory_release(h);
    CHECK(ll_host_memory_refs(h) == 2 && ll_host_memory_alive(h));
    /* ending the core's memory frees it while references remain */
    ll_host_memory_end(h);
    CHECK(!ll_host_memory_alive(h) && ll_host_memory_refs(h) == 2);
    check_valid(h);
    ll_host_memory_release(h);
    ll_host_memory_release(h);

    /* revoking the core's memory frees it as well */
    h = ll_host_memory_create(LL_HOST_MEMORY_MAP_THRESHOLD, true, &err);
    CHECK(h != NULL);
    ll_host_memory_revoke(h);
    CHECK(h != NULL && !ll_host_memory_alive(h));
    ll_host_memory_release(h);
    ll_host_memory_release(NULL);
    ll_host_memory_revoke(NULL);
    ll_host_memory_end(NULL);
}

static void test_ended(void)
{
    ll_host_memory *e = ll_host_memory_ended();
    CHECK(e == ll_host_memory_ended());
    CHECK(!ll_host_memory_alive(e) && ll_host_memory_data(e) == NULL);
    CHECK(ll_host_memory_size(e) == 0);
    int refs = ll_host_memory_refs(e);
    ll_host_memory_retain(e);
    ll_host_memory_release(e);
    ll_host_memory_release(e);
    ll_host_memory_end(e);
    ll_host_memory_revoke(e);
    CHECK(ll_host_memory_refs(e) == refs);
    check_valid(e);
}

/* Each host allocation of a create fails in turn (the record, then the block: heap or
 * mapping) until the create succeeds; every failure is a clean LL_E_HOST_MEMORY. */
static void test_faults(void)
{
    const uint64_t sizes[] = {10, LL_HOST_MEMORY_PAGE_THRESHOLD, LL_HOST_MEMORY_MAP_THRESHOLD};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        ll_host_memory *h = NULL;
        uint64_t n = 1;
        for (; h == NULL && n < 10; n++) {
            ll_error err;
            ll_fault_clear();
            ll_fault_fail_after(LL_FAULT_HOST, n);
            h = ll_host_memory_create(sizes[i], true, &err);
            bool fired = ll_fault_fired() == 1;
            CHECK(fired == (h == NULL));
            if (h == NULL)
                CHECK_MSG(err.code == LL_E_HOST_MEMORY, "%s", err.message);
        }
        ll_fault_clear();
        CHECK_MSG(n == 4, "size %llu: created on try %llu, not after 2 failures",
                  (unsigned long long)sizes[i], (unsigned long long)(n - 1));
        if (h != NULL) {
            check_valid(h);
            CHECK(all_zero(ll_host_memory_data(h), ll_host_memory_size(h)));
        }
        ll_host_memory_release(h);
    }
    char byte;
    ll_error err;
    ll_fault_fail_after(LL_FAULT_HOST, 1);
    CHECK(ll_host_memory_wrap(&byte, 1, NULL, NULL, &err) == NULL);
    CHECK(err.code == LL_E_HOST_MEMORY && ll_fault_fired() == 1);
    ll_fault_clear();
}

/* Slices: the parent's bytes from an offset, ended with the parent (in either order of
 * release), a slice of a slice, and the bad ranges. */
static void test_slices(void)
{
    ll_error err;
    ll_host_memory *h = ll_host_memory_create(1000, true, &err);
    CHECK(h != NULL);
    ll_host_memory *s = ll_host_memory_slice(h, 100, 200, &err);
    CHECK(s != NULL);
    CHECK(ll_host_memory_data(s) == (unsigned char *)ll_host_memory_data(h) + 100);
    CHECK(ll_host_memory_size(s) == 200 && ll_host_memory_refs(h) == 2);
    CHECK(ll_host_memory_validate(s, &err));
    ll_host_memory *t = ll_host_memory_slice(s, 50, 150, &err);
    CHECK(t != NULL && ll_host_memory_data(t) == (unsigned char *)ll_host_memory_data(h) + 150);
    CHECK(ll_host_memory_slice(h, 900, 101, &err) == NULL && err.code == LL_E_ARGUMENT);
    CHECK(ll_host_memory_slice(h, 1001, 1, &err) == NULL && err.code == LL_E_ARGUMENT);
    CHECK(ll_host_memory_slice(h, 0, 0, &err) == NULL && err.code == LL_E_ARGUMENT);
    ll_host_memory_end(h); /* the array that made the storage is released */
    CHECK(ll_host_memory_data(s) == NULL && ll_host_memory_data(t) == NULL);
    CHECK(ll_host_memory_slice(h, 0, 1, &err) == NULL && err.code == LL_E_STATE);
    ll_host_memory_release(h);
    ll_host_memory_release(s); /* t still holds s, s holds h */
    ll_host_memory_release(t);

    h = ll_host_memory_create(100, false, &err);
    s = ll_host_memory_slice(h, 0, 10, &err);
    ll_host_memory_release(s); /* a slice that goes first leaves its parent's list */
    CHECK(ll_host_memory_refs(h) == 1);
    ll_host_memory_end(h);
    ll_host_memory_release(h);
}

int main(void)
{
    test_slices();
    test_owned();
    test_pages();
    test_lazy_zero();
    test_limits();
    test_foreign();
    test_refs();
    test_ended();
    test_faults();
    return test_finish("host_memory");
}
