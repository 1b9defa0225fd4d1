/* dtype.c: element types: sizes, names, binary16 conversion, and the per-dtype codecs that
 * store a number only when the dtype can hold it. Not for: arrays or Lua values. */
#include "lluvia/dtype.h"

#include <math.h>
#include <string.h>

typedef struct dtype_info {
    const char *name;
    const char *channel_name;
    const char *range_text;
    size_t size;
    bool is_float;
    bool is_signed;
} dtype_info;

static const dtype_info infos[LL_DTYPE_COUNT] = {
    [LL_UINT8] = {"uint8", "Uint8", "0..255", 1, false, false},
    [LL_INT8] = {"int8", "Int8", "-128..127", 1, false, true},
    [LL_UINT16] = {"uint16", "Uint16", "0..65535", 2, false, false},
    [LL_INT16] = {"int16", "Int16", "-32768..32767", 2, false, true},
    [LL_FLOAT16] = {"float16", "Float16", "finite |v| < 65520", 2, true, true},
    [LL_UINT32] = {"uint32", "Uint32", "0..4294967295", 4, false, false},
    [LL_INT32] = {"int32", "Int32", "-2147483648..2147483647", 4, false, true},
    [LL_FLOAT32] = {"float32", "Float32", "finite |v| <= 3.4028235e+38", 4, true, true},
    [LL_UINT64] = {"uint64", "Uint64", "0..18446744073709551615", 8, false, false},
    [LL_INT64] = {"int64", "Int64", "-9223372036854775808..9223372036854775807", 8, false,
                  true},
    [LL_FLOAT64] = {"float64", "Float64", "any number", 8, true, true},
};

static bool valid(ll_dtype t)
{
    return (unsigned)t < LL_DTYPE_COUNT;
}

size_t ll_dtype_size(ll_dtype t)
{
    return valid(t) ? infos[t].size : 0;
}

const char *ll_dtype_name(ll_dtype t)
{
    return valid(t) ? infos[t].name : NULL;
}

const char *ll_dtype_channel_name(ll_dtype t)
{
    return valid(t) ? infos[t].channel_name : NULL;
}

const char *ll_dtype_range_text(ll_dtype t)
{
    return valid(t) ? infos[t].range_text : "";
}

bool ll_dtype_is_float(ll_dtype t)
{
    return valid(t) && infos[t].is_float;
}

bool ll_dtype_is_signed(ll_dtype t)
{
    return valid(t) && infos[t].is_signed;
}

const char *ll_dtype_names(void)
{
    return "uint8, int8, uint16, int16, float16, uint32, int32, float32, uint64, int64, "
           "float64";
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Both spellings differ only in case, so one case-insensitive compare covers them. */
bool ll_dtype_parse(const char *s, size_t len, ll_dtype *out)
{
    for (int t = 0; t < LL_DTYPE_COUNT; t++) {
        const char *name = infos[t].name;
        size_t i = 0;
        while (i < len && name[i] != '\0' && lower((unsigned char)s[i]) == name[i])
            i++;
        if (i == len && name[i] == '\0') {
            *out = (ll_dtype)t;
            return true;
        }
    }
    return false;
}

/* ---- binary16 ------------------------------------------------------------------------- */

#define DOUBLE_FRAC_BITS 52
#define HALF_FRAC_BITS 10
#define HALF_EXP_BIAS 15
#define DOUBLE_EXP_BIAS 1023
#define HALF_INF 0x7c00u
#define HALF_QUIET 0x0200u

static uint64_t double_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* m >> s rounded to nearest, ties to even; m < 2^53, s >= 1. */
static uint64_t shift_round_even(uint64_t m, int s)
{
    if (s > 54) /* m < 2^53 <= 2^(s-2): less than a quarter of the last place */
        return 0;
    uint64_t q = m >> s;
    uint64_t rem = m & ((UINT64_C(1) << s) - 1);
    uint64_t half = UINT64_C(1) << (s - 1);
    if (rem > half || (rem == half && (q & 1u)))
        q++;
    return q;
}

uint16_t ll_half_from_double(double d)
{
    uint64_t b = double_bits(d);
    uint16_t sign = (uint16_t)((b >> 48) & 0x8000u);
    int exp = (int)((b >> DOUBLE_FRAC_BITS) & 0x7ffu);
    uint64_t frac = b & ((UINT64_C(1) << DOUBLE_FRAC_BITS) - 1);

    if (exp == 0x7ff) {
        if (frac == 0)
            return sign | HALF_INF;
        /* NaN: keep the top payload bits; a payload only in the low bits becomes quiet */
        uint16_t payload = (uint16_t)(frac >> (DOUBLE_FRAC_BITS - HALF_FRAC_BITS));
        return sign | HALF_INF | (payload != 0 ? payload : HALF_QUIET);
    }
    if (exp == 0) /* zero, or a double subnormal far below half's smallest subnormal */
        return sign;

    int e = exp - DOUBLE_EXP_BIAS;
    uint64_t m = frac | UINT64_C(1) << DOUBLE_FRAC_BITS; /* 53 significant bits */
    if (e > HALF_EXP_BIAS)
        return sign | HALF_INF;
    if (e >= 1 - HALF_EXP_BIAS) {
        /* normal: keep 11 significant bits; a carry out of them moves into the exponent,
         * and out of the largest exponent into infinity's encoding */
        uint64_t q = shift_round_even(m, DOUBLE_FRAC_BITS - HALF_FRAC_BITS);
        uint32_t h = ((uint32_t)(e + HALF_EXP_BIAS) << HALF_FRAC_BITS) + (uint32_t)(q - 0x400u);
        return sign | (uint16_t)(h >= HALF_INF ? HALF_INF : h);
    }
    /* subnormal: count units of 2^-24; value = m * 2^(e-52), so shift by 52 - 24 - e.
     * Rounding up to 0x400 yields the smallest normal, whose encoding is exactly 0x400. */
    uint64_t q = shift_round_even(m, DOUBLE_FRAC_BITS - 24 - e);
    return sign | (uint16_t)q;
}

/* ---- codecs -------------------------------------------------------------------------- */

/* Integer dtypes narrower than 64 bits: range first (in double, exact for these bounds),
 * then integrality by converting back, which the range check made well defined. */
#define SMALL_INT_CODEC(name, T, LO, HI)                                                  \
    static ll_fit store_int_##name(void *dst, int64_t v)                                  \
    {                                                                                     \
        if (v < (LO) || v > (HI))                                                         \
            return LL_FIT_RANGE;                                                          \
        T x = (T)v;                                                                       \
        memcpy(dst, &x, sizeof x);                                                        \
        return LL_FIT_OK;                                                                 \
    }                                                                                     \
    static ll_fit store_double_##name(void *dst, double v)                                \
    {                                                                                     \
        if (v != v)                                                                       \
            return LL_FIT_NAN;                                                            \
        if (!(v >= (double)(LO) && v <= (double)(HI)))                                    \
            return LL_FIT_RANGE;                                                          \
        T x = (T)v;                                                                       \
        if ((double)x != v)                                                               \
            return LL_FIT_FRACTION;                                                       \
        memcpy(dst, &x, sizeof x);                                                        \
        return LL_FIT_OK;                                                                 \
    }                                                                                     \
    static bool load_##name(const void *src, int64_t *i, double *d)                       \
    {                                                                                     \
        (void)d;                                                                          \
        T x;                                                                              \
        memcpy(&x, src, sizeof x);                                                        \
        *i = x;                                                                           \
        return true;                                                                      \
    }

SMALL_INT_CODEC(uint8, uint8_t, 0, UINT8_MAX)
SMALL_INT_CODEC(int8, int8_t, INT8_MIN, INT8_MAX)
SMALL_INT_CODEC(uint16, uint16_t, 0, UINT16_MAX)
SMALL_INT_CODEC(int16, int16_t, INT16_MIN, INT16_MAX)
SMALL_INT_CODEC(uint32, uint32_t, 0, UINT32_MAX)
SMALL_INT_CODEC(int32, int32_t, INT32_MIN, INT32_MAX)

#define TWO_POW_63 9223372036854775808.0
#define TWO_POW_64 18446744073709551616.0

static ll_fit store_int_int64(void *dst, int64_t v)
{
    memcpy(dst, &v, sizeof v);
    return LL_FIT_OK;
}

static ll_fit store_double_int64(void *dst, double v)
{
    if (v != v)
        return LL_FIT_NAN;
    if (!(v >= -TWO_POW_63 && v < TWO_POW_63))
        return LL_FIT_RANGE;
    int64_t x = (int64_t)v;
    if ((double)x != v)
        return LL_FIT_FRACTION;
    memcpy(dst, &x, sizeof x);
    return LL_FIT_OK;
}

static bool load_int64(const void *src, int64_t *i, double *d)
{
    (void)d;
    memcpy(i, src, sizeof *i);
    return true;
}

static ll_fit store_int_uint64(void *dst, int64_t v)
{
    if (v < 0)
        return LL_FIT_RANGE;
    uint64_t x = (uint64_t)v;
    memcpy(dst, &x, sizeof x);
    return LL_FIT_OK;
}

static ll_fit store_double_uint64(void *dst, double v)
{
    if (v != v)
        return LL_FIT_NAN;
    if (!(v >= 0.0 && v < TWO_POW_64))
        return LL_FIT_RANGE;
    uint64_t x = (uint64_t)v;
    if ((double)x != v)
        return LL_FIT_FRACTION;
    memcpy(dst, &x, sizeof x);
    return LL_FIT_OK;
}

/* Values above INT64_MAX do not fit a Lua integer: they come back as (rounded) doubles. */
static bool load_uint64(const void *src, int64_t *i, double *d)
{
    uint64_t x;
    memcpy(&x, src, sizeof x);
    if (x <= (uint64_t)INT64_MAX) {
        *i = (int64_t)x;
        return true;
    }
    *d = (double)x;
    return false;
}

static ll_fit store_double_float16(void *dst, double v)
{
    uint16_t h = ll_half_from_double(v);
    if ((h & 0x7fffu) == HALF_INF && !isinf(v))
        return LL_FIT_RANGE;
    memcpy(dst, &h, sizeof h);
    return LL_FIT_OK;
}

/* |v| <= 2^53 converts exactly to double; beyond that it is far outside half's range, so
 * the one rounding of int64 -> double cannot change the outcome. */
static ll_fit store_int_float16(void *dst, int64_t v)
{
    return store_double_float16(dst, (double)v);
}

static bool load_float16(const void *src, int64_t *i, double *d)
{
    (void)i;
    uint16_t h;
    memcpy(&h, src, sizeof h);
    *d = ll_half_to_double(h);
    return false;
}

static ll_fit store_double_float32(void *dst, double v)
{
    float f = (float)v;
    if (isinf(f) && !isinf(v))
        return LL_FIT_RANGE;
    memcpy(dst, &f, sizeof f);
    return LL_FIT_OK;
}

/* Converted directly, so int64 -> float rounds once. Every int64 is below FLT_MAX. */
static ll_fit store_int_float32(void *dst, int64_t v)
{
    float f = (float)v;
    memcpy(dst, &f, sizeof f);
    return LL_FIT_OK;
}

static bool load_float32(const void *src, int64_t *i, double *d)
{
    (void)i;
    float f;
    memcpy(&f, src, sizeof f);
    *d = f;
    return false;
}

static ll_fit store_double_float64(void *dst, double v)
{
    memcpy(dst, &v, sizeof v);
    return LL_FIT_OK;
}

static ll_fit store_int_float64(void *dst, int64_t v)
{
    double x = (double)v;
    memcpy(dst, &x, sizeof x);
    return LL_FIT_OK;
}

static bool load_float64(const void *src, int64_t *i, double *d)
{
    (void)i;
    memcpy(d, src, sizeof *d);
    return false;
}

#define CODEC(name) {store_int_##name, store_double_##name, load_##name}

static const ll_dtype_codec codecs[LL_DTYPE_COUNT] = {
    [LL_UINT8] = CODEC(uint8),     [LL_INT8] = CODEC(int8),       [LL_UINT16] = CODEC(uint16),
    [LL_INT16] = CODEC(int16),     [LL_FLOAT16] = CODEC(float16), [LL_UINT32] = CODEC(uint32),
    [LL_INT32] = CODEC(int32),     [LL_FLOAT32] = CODEC(float32), [LL_UINT64] = CODEC(uint64),
    [LL_INT64] = CODEC(int64),     [LL_FLOAT64] = CODEC(float64),
};

const ll_dtype_codec *ll_dtype_codec_of(ll_dtype t)
{
    return &codecs[valid(t) ? t : LL_UINT8];
}

ll_fit ll_dtype_fit_int(ll_dtype t, int64_t v)
{
    unsigned char scratch[8];
    return ll_dtype_codec_of(t)->store_int(scratch, v);
}

ll_fit ll_dtype_fit_double(ll_dtype t, double v)
{
    unsigned char scratch[8];
    return ll_dtype_codec_of(t)->store_double(scratch, v);
}

/* ---- fill ---------------------------------------------------------------------------- */

void ll_fill_elements(void *dst, uint64_t count, const void *elem, size_t size)
{
    const unsigned char *e = elem;
    bool same_bytes = true;
    for (size_t k = 1; k < size; k++)
        same_bytes = same_bytes && e[k] == e[0];
    if (same_bytes) { /* bytes, zero, and any repeated byte: memset is the fastest store */
        memset(dst, e[0], count * size);
        return;
    }
    /* Replicate the element into a 64-bit word and store words; dst is size-aligned, so
     * the words fall on element boundaries after an unaligned head. */
    uint64_t word;
    for (size_t k = 0; k < sizeof word; k += size)
        memcpy((unsigned char *)&word + k, e, size);
    unsigned char *p = dst;
    uint64_t n = count * size;
    while (n > 0 && ((uintptr_t)p & (sizeof word - 1)) != 0) {
        memcpy(p, e, size);
        p += size;
        n -= size;
    }
    for (; n >= sizeof word; n -= sizeof word, p += sizeof word)
        memcpy(p, &word, sizeof word);
    for (; n > 0; n -= size, p += size)
        memcpy(p, e, size);
}
