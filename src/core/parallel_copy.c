/* parallel_copy.c: a large memcpy split in parts, each on a thread of its own, the last
 * on the calling thread. Threads are started per call: at the sizes this runs for (4 MiB
 * and up, a millisecond or more of copying) starting one costs a few percent at most.
 * Not for: anything that must not wait for the whole copy. */
#include "parallel_copy.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define MAX_PARTS 8
#define MIN_PART (2u << 20)

typedef struct part {
    void *dst;
    const void *src;
    size_t n;
} part;

static void *copy_part(void *arg)
{
    part *p = arg;
    memcpy(p->dst, p->src, p->n);
    return NULL;
}

/* Online cores, asked once (sysconf reads /sys: microseconds). */
static size_t cores(void)
{
    static atomic_size_t known;
    size_t c = atomic_load_explicit(&known, memory_order_relaxed);
    if (c == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        c = n < 1 ? 1 : (size_t)n;
        atomic_store_explicit(&known, c, memory_order_relaxed);
    }
    return c;
}

void ll_parallel_copy(void *dst, const void *src, size_t n)
{
    if (n < LL_PARALLEL_COPY_MIN) {
        memcpy(dst, src, n);
        return;
    }
    size_t parts = n / MIN_PART, c = cores();
    if (parts > c)
        parts = c;
    if (parts > MAX_PARTS)
        parts = MAX_PARTS;
    if (parts <= 1) {
        memcpy(dst, src, n);
        return;
    }
    /* Parts of whole 4 KiB pages, the last takes the rest. */
    size_t each = n / parts / 4096 * 4096;
    part p[MAX_PARTS];
    pthread_t thread[MAX_PARTS];
    int started[MAX_PARTS] = {0};
    for (size_t i = 0; i < parts; i++) {
        size_t at = i * each;
        p[i] = (part){(unsigned char *)dst + at, (const unsigned char *)src + at,
                      i + 1 == parts ? n - at : each};
    }
    for (size_t i = 0; i + 1 < parts; i++)
        started[i] = pthread_create(&thread[i], NULL, copy_part, &p[i]) == 0;
    copy_part(&p[parts - 1]);
    for (size_t i = 0; i + 1 < parts; i++) {
        if (started[i])
            pthread_join(thread[i], NULL);
        else
            copy_part(&p[i]);
    }
}
