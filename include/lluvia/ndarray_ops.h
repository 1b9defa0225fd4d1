/* ndarray_ops.h: whole-array maths on contiguous elements of one dtype (dtype.h): conversion
 * between dtypes with a rounding mode, saturation and a scale; min, max, sum and mean;
 * equality and closeness. Pure C over bytes: what ll.ndarray's astype, min, max, sum, mean,
 * equals and allclose run (docs/ndarray.md). Not for: shapes, views or anything Lua
 * (src/binding/l_ndarray.c). */
#ifndef LL_NDARRAY_OPS_H
#define LL_NDARRAY_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "lluvia/dtype.h"
#include "lluvia/error.h"

/* How a value that is not an integer becomes one (only integer targets round). */
typedef enum ll_round {
    LL_ROUND_TRUNC = 0, /* toward zero, as C's and numpy's casts */
    LL_ROUND_NEAREST,   /* to nearest, ties to even (IEEE 754, numpy.rint) */
    LL_ROUND_FLOOR,     /* toward -inf */
    LL_ROUND_CEIL       /* toward +inf */
} ll_round;

typedef struct ll_convert {
    ll_round round;
    /* true: values beyond the target's range become its nearest end (integers: 300 -> 255
     * for uint8; floats: the largest finite magnitude), NaN becomes 0 for integers;
     * false: such a value is an error naming it and its index. Nothing ever wraps. */
    bool saturate;
    double scale; /* each value is multiplied by it first (in double); 1 keeps integers exact */
} ll_convert;

/* Converts `count` elements of dtype st at src into dtype dt at dst (neither needs
 * alignment; they must not overlap). Integer to integer with scale 1 is exact (64-bit
 * values included); everything else goes through a double: value * scale, then rounded
 * (integer targets) or rounded to nearest (float targets). Float targets keep infinities,
 * NaN and -0.0. Without saturation, LL_E_ARGUMENT for the first value that does not fit
 * (its flat index counted from 1 in the message); dst is then partly written. */
bool ll_elements_convert(void *dst, ll_dtype dt, const void *src, ll_dtype st, uint64_t count,
                         const ll_convert *how, ll_error *err);

/* A reduction's result: an integer when is_int, else a double. */
typedef struct ll_scalar {
    bool is_int;
    int64_t i;
    double d;
} ll_scalar;

/* The least or greatest of count (>= 1) elements, in the element's own kind: integers for
 * integer dtypes (uint64 values above INT64_MAX as the nearest double), doubles for floats.
 * A NaN anywhere gives NaN, as numpy's min and max. */
ll_scalar ll_elements_min(const void *src, ll_dtype t, uint64_t count);
ll_scalar ll_elements_max(const void *src, ll_dtype t, uint64_t count);

/* The sum of count (>= 1) elements. Integer dtypes sum exactly (a 128-bit accumulator) and
 * give an integer; LL_E_ARGUMENT when the exact sum does not fit a 64-bit signed integer.
 * Floats sum pairwise in double (numpy's method: error growing with log n, not n). */
bool ll_elements_sum(const void *src, ll_dtype t, uint64_t count, ll_scalar *out,
                     ll_error *err);

/* The mean of count (>= 1) elements, a double: integers from their exact sum (one rounding),
 * floats from the pairwise sum. */
double ll_elements_mean(const void *src, ll_dtype t, uint64_t count);

/* Whether count elements of dtype t are equal value by value: integers bit for bit, floats
 * as IEEE == (NaN equals nothing, -0.0 equals 0.0). */
bool ll_elements_equal(const void *a, const void *b, ll_dtype t, uint64_t count);

/* The flat index (from 0) of the first element pair that is not close, or count when all
 * are: |a - b| <= atol + rtol * |b|, numpy.isclose's test, on the values as doubles (the
 * two dtypes may differ). Infinities are close to the same infinity only; NaN is close to
 * NaN only when equal_nan. */
uint64_t ll_elements_first_far(const void *a, ll_dtype at, const void *b, ll_dtype bt,
                               uint64_t count, double rtol, double atol, bool equal_nan);

/* Copies the block that keeps `length` entries from entry `start` (from 0) of axis `axis`
 * (from 0) of a contiguous row-major array of `ndim` dimensions `shape` with `elsize`-byte
 * elements, into dst (contiguous, that shape with `length` at `axis`). The range must be
 * valid. */
void ll_elements_narrow(void *dst, const void *src, int ndim, const int64_t *shape,
                        size_t elsize, int axis, int64_t start, int64_t length);

/* Copies `pixels` groups of `from` elements of elsize bytes into groups of `to` (> from)
 * elements, the added ones each a copy of the elsize bytes at `fill`. */
void ll_elements_pad_channels(void *dst, const void *src, uint64_t pixels, size_t elsize,
                              int64_t from, int64_t to, const void *fill);

/* The element at index k (from 0) as a double (uint64 and int64 beyond 2^53 rounded). */
double ll_element_as_double(const void *src, ll_dtype t, uint64_t k);

#endif
