/* test_util.h: the assertion macros of the C unit tests (ctest). A failed CHECK prints the
 * file, line and expression and counts a failure; main returns test_finish(). */
#ifndef LL_TEST_UTIL_H
#define LL_TEST_UTIL_H

#include <stdio.h>

static int test_failures;
static int test_checks;

#define CHECK(expr)                                                                   \
    do {                                                                              \
        test_checks++;                                                                \
        if (!(expr)) {                                                                \
            test_failures++;                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr);  \
        }                                                                             \
    } while (0)

#define CHECK_MSG(expr, ...)                                                          \
    do {                                                                              \
        test_checks++;                                                                \
        if (!(expr)) {                                                                \
            test_failures++;                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #expr);  \
            fprintf(stderr, __VA_ARGS__);                                             \
            fputc('\n', stderr);                                                      \
        }                                                                             \
    } while (0)

static inline int test_finish(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, test_checks, test_failures);
    return test_failures == 0 ? 0 : 1;
}

#endif
