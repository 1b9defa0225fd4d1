/* dtype.h: the element types of host arrays and images (numpy's names, lluvia's ChannelType
 * order), their sizes and names, exact IEEE binary16 conversion, and the range and exactness
 * rules for storing a number into an element. Not for: arrays themselves (src/binding/l_ndarray.c)
 * or anything Lua. */
#ifndef LL_DTYPE_H
#define LL_DTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Numbered as lluvia's ChannelType; ll_enum_channel_type (src/binding/enums.c) relies on it. */
typedef enum ll_dtype {
    LL_UINT8 = 0,
    LL_INT8,
    LL_UINT16,
    LL_INT16,
    LL_FLOAT16,
    LL_UINT32,
    LL_INT32,
    LL_FLOAT32,
    LL_UINT64,
    LL_INT64,
    LL_FLOAT64
} ll_dtype;

#define LL_DTYPE_COUNT 11

/* Bytes per element: 1, 2, 4 or 8. */
size_t ll_dtype_size(ll_dtype t);

/* numpy's name, "float32"; NULL for a value outside the enumeration. */
const char *ll_dtype_name(ll_dtype t);

/* lluvia's ChannelType name, "Float32"; NULL for a value outside the enumeration. */
const char *ll_dtype_channel_name(ll_dtype t);

/* Parses either spelling, case-insensitively ("float32", "Float32", "FLOAT32"). Returns
 * false, leaving *out alone, for any other string. `len` is the string's length (names
 * containing a NUL never match). */
bool ll_dtype_parse(const char *s, size_t len, ll_dtype *out);

/* All valid names, for error messages: "uint8, int8, ..., float64". */
const char *ll_dtype_names(void);

bool ll_dtype_is_float(ll_dtype t);
bool ll_dtype_is_signed(ll_dtype t); /* the signed integers and the floats */

/* The values a dtype holds, for messages: "0..255", "-128..127", "finite |v| <= 65504". */
const char *ll_dtype_range_text(ll_dtype t);

/* ---- IEEE 754 binary16 ----------------------------------------------------------------- */

/* Exact: every half is a double. Inline: it sits on the element read path. */
static inline double ll_half_to_double(uint16_t h)
{
    uint64_t sign = (uint64_t)(h & 0x8000u) << 48;
    unsigned exp = (h >> 10) & 0x1fu;
    uint64_t frac = h & 0x3ffu;
    uint64_t bits;
    if (exp == 0) { /* zero or subnormal: frac * 2^-24, exact in a double */
        double v = (double)frac * 0x1p-24;
        return sign ? -v : v;
    }
    if (exp == 0x1f) /* infinity or NaN, payload kept bit for bit */
        bits = sign | UINT64_C(0x7ff) << 52 | frac << 42;
    else /* rebias the exponent (15 -> 1023), widen the fraction (10 -> 52 bits) */
        bits = sign | (uint64_t)(exp - 15 + 1023) << 52 | frac << 42;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* Round to nearest, ties to even, in one rounding from the double (no double rounding
 * through float). Magnitudes that round past 65504 give infinity; NaN gives a quiet NaN
 * keeping the sign and the top payload bits; subnormal halfs are produced, not flushed. */
uint16_t ll_half_from_double(double d);

/* ---- storing numbers into elements ------------------------------------------------------ */

typedef enum ll_fit {
    LL_FIT_OK = 0,
    LL_FIT_RANGE,       /* outside the dtype's range (for floats: a finite value rounding to inf) */
    LL_FIT_FRACTION,    /* not an integer, for an integer dtype */
    LL_FIT_NAN          /* NaN, for an integer dtype */
} ll_fit;

/* Whether the dtype holds v: integers exactly; float16/float32 after rounding to nearest
 * (rounding is not an error, but a finite value that rounds to infinity is LL_FIT_RANGE);
 * float64 after rounding. */
ll_fit ll_dtype_fit_int(ll_dtype t, int64_t v);

/* Whether the dtype holds v: for integer dtypes v must be integral, not NaN and in range
 * (uint64 takes integral values in [0, 2^64)); floats as for ll_dtype_fit_int, with
 * infinities and NaN stored as given. */
ll_fit ll_dtype_fit_double(ll_dtype t, double v);

/* Per-dtype element access, for loops that convert many elements. `dst`/`src` need no
 * alignment. A store writes nothing and returns the reason when the value does not fit. */
typedef ll_fit (*ll_store_int_fn)(void *dst, int64_t v);
typedef ll_fit (*ll_store_double_fn)(void *dst, double v);
/* Returns true with the value in *i when it is an integer that fits int64 (integer dtypes;
 * uint64 values above INT64_MAX are returned as a double instead), else false with the
 * value in *d (floats). */
typedef bool (*ll_load_fn)(const void *src, int64_t *i, double *d);

typedef struct ll_dtype_codec {
    ll_store_int_fn store_int;
    ll_store_double_fn store_double;
    ll_load_fn load;
} ll_dtype_codec;

/* The codec of t; t must be a valid dtype. */
const ll_dtype_codec *ll_dtype_codec_of(ll_dtype t);

/* Writes `count` copies of the `size`-byte element at `elem` (size 1, 2, 4 or 8) from dst
 * on. dst must be aligned to `size`. */
void ll_fill_elements(void *dst, uint64_t count, const void *elem, size_t size);

#endif
