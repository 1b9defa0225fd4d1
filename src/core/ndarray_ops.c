/* ndarray_ops.c: element conversion (rounding, saturation, scale), min/max/sum/mean and
 * comparisons over contiguous elements, one loop per dtype where it matters. Not for:
 * storing Lua numbers (dtype.c's codecs) or shapes. */
#include "lluvia/ndarray_ops.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef __int128 ll_i128; /* exact sums and ranges of 64-bit integers */

#define HALF_MAX_BITS 0x7bffu /* 65504, the largest finite binary16 */
#define HALF_INF_BITS 0x7c00u
#define TWO_POW_63 9223372036854775808.0
#define TWO_POW_64 18446744073709551616.0

/* ---- reading elements ----------------------------------------------------------------- */

#define LOAD(T, p, k) ({ T v_; memcpy(&v_, (const unsigned char *)(p) + (k) * sizeof v_, sizeof v_); v_; })

/* Integer dtypes: the element exactly. */
static ll_i128 load_int(const void *p, ll_dtype t, uint64_t k)
{
    switch (t) {
    case LL_UINT8: return LOAD(uint8_t, p, k);
    case LL_INT8: return LOAD(int8_t, p, k);
    case LL_UINT16: return LOAD(uint16_t, p, k);
    case LL_INT16: return LOAD(int16_t, p, k);
    case LL_UINT32: return LOAD(uint32_t, p, k);
    case LL_INT32: return LOAD(int32_t, p, k);
    case LL_UINT64: return LOAD(uint64_t, p, k);
    default: return LOAD(int64_t, p, k);
    }
}

double ll_element_as_double(const void *p, ll_dtype t, uint64_t k)
{
    switch (t) {
    case LL_FLOAT16: return ll_half_to_double(LOAD(uint16_t, p, k));
    case LL_FLOAT32: return LOAD(float, p, k);
    case LL_FLOAT64: return LOAD(double, p, k);
    default: return (double)load_int(p, t, k);
    }
}

/* The range of an integer dtype. */
static void int_range(ll_dtype t, ll_i128 *lo, ll_i128 *hi)
{
    switch (t) {
    case LL_UINT8: *lo = 0; *hi = UINT8_MAX; return;
    case LL_INT8: *lo = INT8_MIN; *hi = INT8_MAX; return;
    case LL_UINT16: *lo = 0; *hi = UINT16_MAX; return;
    case LL_INT16: *lo = INT16_MIN; *hi = INT16_MAX; return;
    case LL_UINT32: *lo = 0; *hi = UINT32_MAX; return;
    case LL_INT32: *lo = INT32_MIN; *hi = INT32_MAX; return;
    case LL_UINT64: *lo = 0; *hi = UINT64_MAX; return;
    default: *lo = INT64_MIN; *hi = INT64_MAX; return;
    }
}

/* ---- writing elements ----------------------------------------------------------------- */

static void store_int(void *p, ll_dtype t, uint64_t k, ll_i128 v)
{
    unsigned char *q = p;
#define STORE(T) { T x = (T)v; memcpy(q + k * sizeof x, &x, sizeof x); return; }
    switch (t) {
    case LL_UINT8: STORE(uint8_t)
    case LL_INT8: STORE(int8_t)
    case LL_UINT16: STORE(uint16_t)
    case LL_INT16: STORE(int16_t)
    case LL_UINT32: STORE(uint32_t)
    case LL_INT32: STORE(int32_t)
    case LL_UINT64: STORE(uint64_t)
    default: STORE(int64_t)
    }
#undef STORE
}

/* The shortest decimal that reads back as v, for messages. */
static const char *shortest(char *buf, size_t size, double v)
{
    if (v == floor(v) && fabs(v) < 1e16) { /* integral: every digit */
        snprintf(buf, size, "%.0f", v);
        return buf;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

static bool conversion_error(ll_error *err, ll_dtype dt, uint64_t k, double v, bool nan)
{
    char text[32];
    if (nan)
        return ll_fail(err, LL_E_ARGUMENT, "value nan at index %llu cannot become %s "
                       "(saturate = true makes it 0)", (unsigned long long)k + 1,
                       ll_dtype_name(dt));
    return ll_fail(err, LL_E_ARGUMENT, "value %s at index %llu out of range for %s (%s) "
                   "(saturate = true clamps it)", shortest(text, sizeof text, v),
                   (unsigned long long)k + 1,
                   ll_dtype_name(dt), ll_dtype_range_text(dt));
}

/* A double into a float dtype, rounded to nearest; a finite value beyond the range
 * saturates to the largest finite magnitude or is an error. */
static bool store_float(void *p, ll_dtype t, uint64_t k, double d, bool saturate,
                        ll_error *err)
{
    unsigned char *q = p;
    if (t == LL_FLOAT64) {
        memcpy(q + k * 8, &d, 8);
        return true;
    }
    if (t == LL_FLOAT32) {
        float f = (float)d;
        if (isinf(f) && !isinf(d)) {
            if (!saturate)
                return conversion_error(err, t, k, d, false);
            f = d < 0 ? -FLT_MAX : FLT_MAX;
        }
        memcpy(q + k * 4, &f, 4);
        return true;
    }
    uint16_t h = ll_half_from_double(d);
    if ((h & 0x7fffu) == HALF_INF_BITS && !isinf(d)) {
        if (!saturate)
            return conversion_error(err, t, k, d, false);
        h = (uint16_t)((h & 0x8000u) | HALF_MAX_BITS);
    }
    memcpy(q + k * 2, &h, 2);
    return true;
}

static double round_as(double d, ll_round mode)
{
    switch (mode) {
    case LL_ROUND_NEAREST: return nearbyint(d); /* the default FE_TONEAREST: ties to even */
    case LL_ROUND_FLOOR: return floor(d);
    case LL_ROUND_CEIL: return ceil(d);
    default: return trunc(d);
    }
}

/* A double into an integer dtype: rounded, then range-checked. */
static bool store_double_as_int(void *p, ll_dtype t, uint64_t k, double d, const ll_convert *how,
                                ll_error *err)
{
    ll_i128 lo, hi;
    int_range(t, &lo, &hi);
    if (isnan(d)) {
        if (!how->saturate)
            return conversion_error(err, t, k, d, true);
        store_int(p, t, k, 0);
        return true;
    }
    double r = round_as(d, how->round);
    /* the upper bounds as doubles: 2^64 and 2^63 are exact, smaller ones too */
    double top = t == LL_UINT64 ? TWO_POW_64 : t == LL_INT64 ? TWO_POW_63 : (double)hi + 1.0;
    ll_i128 v;
    if (r < (double)lo || r >= top) {
        if (!how->saturate)
            return conversion_error(err, t, k, d, false);
        v = r < (double)lo ? lo : hi;
    } else {
        v = (ll_i128)r;
    }
    store_int(p, t, k, v);
    return true;
}

/* The two conversions image work runs most, pixels to floats and back, in loops the
 * compiler keeps tight (the general path switches on both dtypes per element); the same
 * results as the general path. */
static bool convert_fast(void *dst, ll_dtype dt, const void *src, ll_dtype st, uint64_t count,
                         const ll_convert *how)
{
    if (st == LL_UINT8 && dt == LL_FLOAT32) {
        const uint8_t *s = src;
        unsigned char *d = dst;
        for (uint64_t k = 0; k < count; k++) {
            float f = (float)((double)s[k] * how->scale);
            memcpy(d + k * 4, &f, 4);
        }
        return true;
    }
    if (st == LL_FLOAT32 && dt == LL_UINT8 && how->saturate) {
        const unsigned char *s = src;
        uint8_t *d = dst;
        for (uint64_t k = 0; k < count; k++) {
            float f;
            memcpy(&f, s + k * 4, 4);
            double v = (double)f * how->scale;
            v = v != v ? 0.0 : round_as(v, how->round);
            d[k] = (uint8_t)(v < 0.0 ? 0.0 : v > 255.0 ? 255.0 : v);
        }
        return true;
    }
    return false;
}

bool ll_elements_convert(void *dst, ll_dtype dt, const void *src, ll_dtype st, uint64_t count,
                         const ll_convert *how, ll_error *err)
{
    if (convert_fast(dst, dt, src, st, count, how))
        return true;
    bool exact_ints = !ll_dtype_is_float(st) && how->scale == 1.0;
    if (dt == st && how->scale == 1.0) {
        memcpy(dst, src, (size_t)(count * ll_dtype_size(st)));
        return true;
    }
    if (exact_ints && !ll_dtype_is_float(dt)) {
        ll_i128 lo, hi;
        int_range(dt, &lo, &hi);
        for (uint64_t k = 0; k < count; k++) {
            ll_i128 v = load_int(src, st, k);
            if (v < lo || v > hi) {
                if (!how->saturate)
                    return conversion_error(err, dt, k, (double)v, false);
                v = v < lo ? lo : hi;
            }
            store_int(dst, dt, k, v);
        }
        return true;
    }
    bool to_float = ll_dtype_is_float(dt);
    for (uint64_t k = 0; k < count; k++) {
        /* integers convert once to double (int128 -> double rounds once) */
        double d = ll_element_as_double(src, st, k);
        if (how->scale != 1.0)
            d *= how->scale;
        bool ok = to_float ? store_float(dst, dt, k, d, how->saturate, err)
                           : store_double_as_int(dst, dt, k, d, how, err);
        if (!ok)
            return false;
    }
    return true;
}

/* ---- reductions ------------------------------------------------------------------------- */

static ll_scalar scalar_of_int(ll_i128 v)
{
    if (v > INT64_MAX) /* only uint64 gets here: the nearest double, as element reads */
        return (ll_scalar){.is_int = false, .d = (double)v};
    return (ll_scalar){.is_int = true, .i = (int64_t)v};
}

static ll_scalar extreme(const void *src, ll_dtype t, uint64_t count, bool want_max)
{
    if (ll_dtype_is_float(t)) {
        double best = ll_element_as_double(src, t, 0);
        for (uint64_t k = 0; k < count; k++) {
            double v = ll_element_as_double(src, t, k);
            if (isnan(v))
                return (ll_scalar){.d = v};
            if (want_max ? v > best : v < best)
                best = v;
        }
        return (ll_scalar){.d = best};
    }
    ll_i128 best = load_int(src, t, 0);
    for (uint64_t k = 1; k < count; k++) {
        ll_i128 v = load_int(src, t, k);
        if (want_max ? v > best : v < best)
            best = v;
    }
    return scalar_of_int(best);
}

ll_scalar ll_elements_min(const void *src, ll_dtype t, uint64_t count)
{
    return extreme(src, t, count, false);
}

ll_scalar ll_elements_max(const void *src, ll_dtype t, uint64_t count)
{
    return extreme(src, t, count, true);
}

#define PAIRWISE_BLOCK 128 /* numpy's: below it a plain loop, above it halves */

static double pairwise_sum(const void *src, ll_dtype t, uint64_t first, uint64_t n)
{
    if (n <= PAIRWISE_BLOCK) {
        double s = 0.0;
        for (uint64_t k = first; k < first + n; k++)
            s += ll_element_as_double(src, t, k);
        return s;
    }
    uint64_t half = n / 2;
    return pairwise_sum(src, t, first, half) + pairwise_sum(src, t, first + half, n - half);
}

static ll_i128 int_sum(const void *src, ll_dtype t, uint64_t count)
{
    ll_i128 s = 0;
    for (uint64_t k = 0; k < count; k++)
        s += load_int(src, t, k);
    return s;
}

bool ll_elements_sum(const void *src, ll_dtype t, uint64_t count, ll_scalar *out, ll_error *err)
{
    if (ll_dtype_is_float(t)) {
        *out = (ll_scalar){.d = pairwise_sum(src, t, 0, count)};
        return true;
    }
    ll_i128 s = int_sum(src, t, count);
    if (s > INT64_MAX || s < INT64_MIN)
        return ll_fail(err, LL_E_ARGUMENT, "the sum of the %s array (about %.17g) does not fit "
                       "a 64-bit integer: arr:astype(\"float64\"):sum() gives it as a float, "
                       "rounded", ll_dtype_name(t), (double)s);
    *out = (ll_scalar){.is_int = true, .i = (int64_t)s};
    return true;
}

double ll_elements_mean(const void *src, ll_dtype t, uint64_t count)
{
    if (ll_dtype_is_float(t))
        return pairwise_sum(src, t, 0, count) / (double)count;
    return (double)int_sum(src, t, count) / (double)count;
}

/* ---- comparisons ------------------------------------------------------------------------ */

bool ll_elements_equal(const void *a, const void *b, ll_dtype t, uint64_t count)
{
    if (!ll_dtype_is_float(t))
        return memcmp(a, b, (size_t)(count * ll_dtype_size(t))) == 0;
    for (uint64_t k = 0; k < count; k++)
        if (ll_element_as_double(a, t, k) != ll_element_as_double(b, t, k))
            return false;
    return true;
}

static bool close_values(double x, double y, double rtol, double atol, bool equal_nan)
{
    if (isnan(x) || isnan(y))
        return equal_nan && isnan(x) && isnan(y);
    if (isinf(x) || isinf(y))
        return x == y;
    return fabs(x - y) <= atol + rtol * fabs(y);
}

uint64_t ll_elements_first_far(const void *a, ll_dtype at, const void *b, ll_dtype bt,
                               uint64_t count, double rtol, double atol, bool equal_nan)
{
    for (uint64_t k = 0; k < count; k++)
        if (!close_values(ll_element_as_double(a, at, k), ll_element_as_double(b, bt, k), rtol,
                          atol, equal_nan))
            return k;
    return count;
}

/* ---- reshaping copies -------------------------------------------------------------------- */

void ll_elements_narrow(void *dst, const void *src, int ndim, const int64_t *shape,
                        size_t elsize, int axis, int64_t start, int64_t length)
{
    uint64_t outer = 1, inner = elsize;
    for (int k = 0; k < axis; k++)
        outer *= (uint64_t)shape[k];
    for (int k = axis + 1; k < ndim; k++)
        inner *= (uint64_t)shape[k];
    const unsigned char *s = (const unsigned char *)src + (uint64_t)start * inner;
    unsigned char *d = dst;
    size_t run = (size_t)((uint64_t)length * inner);
    for (uint64_t o = 0; o < outer; o++) {
        memcpy(d, s, run);
        d += run;
        s += (uint64_t)shape[axis] * inner;
    }
}

void ll_elements_pad_channels(void *dst, const void *src, uint64_t pixels, size_t elsize,
                              int64_t from, int64_t to, const void *fill)
{
    const unsigned char *s = src;
    unsigned char *d = dst;
    size_t keep = (size_t)from * elsize;
    for (uint64_t p = 0; p < pixels; p++) {
        memcpy(d, s, keep);
        for (int64_t c = from; c < to; c++)
            memcpy(d + (size_t)c * elsize, fill, elsize);
        s += keep;
        d += (size_t)to * elsize;
    }
}
