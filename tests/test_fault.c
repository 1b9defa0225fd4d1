/* test_fault.c: the fault-injection switch (fault.h) without a device: the n-th hook of a
 * kind fails once, kinds count apart, clearing disarms, ll_realloc leaves its block as it
 * was, and a thread's faults never fire in another thread. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lluvia/fault.h"
#include "test_util.h"

static void test_nth_fails_once(void)
{
    ll_fault_clear();
    CHECK(atomic_load(&ll_fault_armed_threads) == 0);
    ll_fault_fail_after(LL_FAULT_HOST, 3);
    CHECK(atomic_load(&ll_fault_armed_threads) == 1);
    void *a = ll_malloc(8), *b = ll_calloc(2, 8), *c = ll_malloc(8), *d = ll_malloc(8);
    CHECK(a != NULL && b != NULL && c == NULL && d != NULL);
    CHECK(ll_fault_fired() == 1);
    CHECK(atomic_load(&ll_fault_armed_threads) == 0); /* fired: disarmed again */
    ll_free(a);
    ll_free(b);
    ll_free(d);
    ll_fault_clear();
    CHECK(ll_fault_fired() == 0);
}

static void test_kinds_count_apart(void)
{
    ll_fault_clear();
    ll_fault_fail_after(LL_FAULT_VULKAN, 2);
    void *a = ll_malloc(8); /* a host hook does not count for the Vulkan kind */
    CHECK(a != NULL);
    CHECK(!ll_fault_hit(LL_FAULT_VULKAN));
    CHECK(ll_fault_hit(LL_FAULT_VULKAN));
    CHECK(!ll_fault_hit(LL_FAULT_VULKAN));
    CHECK(ll_fault_fired() == 1);
    ll_free(a);

    ll_fault_fail_after(LL_FAULT_HOST, 1);
    ll_fault_fail_after(LL_FAULT_VULKAN, 1);
    CHECK(atomic_load(&ll_fault_armed_threads) == 1); /* one thread, two kinds */
    ll_fault_fail_after(LL_FAULT_VULKAN, 0);
    CHECK(atomic_load(&ll_fault_armed_threads) == 1);
    CHECK(ll_malloc(8) == NULL);
    CHECK(atomic_load(&ll_fault_armed_threads) == 0);
    CHECK(ll_fault_fired() == 2);
    ll_fault_clear();
}

static void test_vulkan_kinds(void)
{
    /* Both Vulkan kinds count every checked Vulkan call, each with its own countdown. */
    ll_fault_clear();
    ll_fault_fail_after(LL_FAULT_DEVICE_MEMORY, 2);
    ll_fault_fail_after(LL_FAULT_VULKAN, 3);
    CHECK(!ll_fault_hit_vulkan());
    CHECK(ll_fault_hit_vulkan() && ll_fault_vulkan_kind() == LL_FAULT_DEVICE_MEMORY);
    CHECK(ll_fault_hit_vulkan() && ll_fault_vulkan_kind() == LL_FAULT_VULKAN);
    CHECK(!ll_fault_hit_vulkan());
    CHECK(ll_fault_fired() == 2);
    CHECK(atomic_load(&ll_fault_armed_threads) == 0);
    ll_fault_clear();
}

static void test_clear_disarms(void)
{
    ll_fault_fail_after(LL_FAULT_HOST, 1);
    ll_fault_clear();
    CHECK(atomic_load(&ll_fault_armed_threads) == 0);
    void *a = ll_malloc(8);
    CHECK(a != NULL && ll_fault_fired() == 0);
    ll_free(a);
}

static void test_realloc_keeps_block(void)
{
    char *a = ll_malloc(4);
    CHECK(a != NULL);
    if (a == NULL)
        return;
    memcpy(a, "abc", 4);
    ll_fault_fail_after(LL_FAULT_HOST, 1);
    CHECK(ll_realloc(a, 1 << 20) == NULL);
    CHECK(strcmp(a, "abc") == 0); /* still ours, unchanged */
    char *b = ll_realloc(a, 8);
    CHECK(b != NULL && strcmp(b, "abc") == 0);
    ll_free(b);
    ll_fault_clear();
}

static void test_names(void)
{
    ll_fault_kind k;
    CHECK(ll_fault_kind_parse("host", &k) && k == LL_FAULT_HOST);
    CHECK(ll_fault_kind_parse("vulkan", &k) && k == LL_FAULT_VULKAN);
    CHECK(!ll_fault_kind_parse("Host", &k) && !ll_fault_kind_parse("", &k));
    CHECK(ll_fault_kind_parse("deviceMemory", &k) && k == LL_FAULT_DEVICE_MEMORY);
    CHECK(strcmp(ll_fault_kind_name(LL_FAULT_VULKAN), "vulkan") == 0);
    CHECK(strcmp(ll_fault_kind_name(LL_FAULT_DEVICE_MEMORY), "deviceMemory") == 0);
}

static void *other_thread(void *arg)
{
    (void)arg;
    /* The main thread is armed: this thread's hooks take the slow path, but count nothing. */
    void *p[4];
    bool all = true;
    for (int i = 0; i < 4; i++)
        all = (p[i] = ll_malloc(8)) != NULL && all;
    for (int i = 0; i < 4; i++)
        ll_free(p[i]);
    return all && ll_fault_fired() == 0 ? (void *)1 : NULL;
}

static void test_per_thread(void)
{
    ll_fault_clear();
    ll_fault_fail_after(LL_FAULT_HOST, 1);
    pthread_t t;
    void *result = NULL;
    CHECK(pthread_create(&t, NULL, other_thread, NULL) == 0);
    CHECK(pthread_join(t, &result) == 0);
    CHECK(result == (void *)1);
    CHECK(ll_malloc(8) == NULL); /* still armed here */
    CHECK(ll_fault_fired() == 1);
    ll_fault_clear();
}

int main(void)
{
    test_nth_fails_once();
    test_kinds_count_apart();
    test_vulkan_kinds();
    test_clear_disarms();
    test_realloc_keeps_block();
    test_names();
    test_per_thread();
    return test_finish("fault");
}
