/* bench_util.h: what the C benchmarks share: a monotonic clock, dying on a failure with
 * the benchmark's name (BENCH_NAME, defined before including), and the best time of
 * repeated runs. Not for: the core; benchmarks only. */
#ifndef LL_BENCH_UTIL_H
#define LL_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <volk.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void die(const char *what, const char *detail)
{
    fprintf(stderr, BENCH_NAME ": %s: %s\n", what, detail);
    exit(1);
}

static void check(VkResult r, const char *what)
{
    if (r != VK_SUCCESS)
        die(what, "Vulkan call failed");
}

/* Best seconds of f(user): at least min_runs runs, more while `budget` seconds last, at
 * most max_runs. */
static double best_of_runs(void (*f)(void *), void *user, int min_runs, int max_runs,
                           double budget)
{
    double best = 1e30, start = now();
    for (int r = 0; r < max_runs; r++) {
        double t0 = now();
        f(user);
        double t = now() - t0;
        if (t < best)
            best = t;
        if (r + 1 >= min_runs && now() - start > budget)
            break;
    }
    return best;
}

#endif
