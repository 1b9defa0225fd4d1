/* test_dtype.c: unit tests of dtype.c: names and parsing, sizes, every binary16 value both
 * ways, round-to-nearest-even at every tie, and the range/exactness rules of the codecs.
 * Not for: arrays (spec/ndarray_spec.lua). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "lluvia/dtype.h"
#include "test_util.h"

static uint64_t bits_of(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static bool parses(const char *s, ll_dtype want)
{
    ll_dtype t = (ll_dtype)-1;
    return ll_dtype_parse(s, strlen(s), &t) && t == want;
}

static void test_names(void)
{
    static const char *const numpy[LL_DTYPE_COUNT] = {
        "uint8", "int8", "uint16", "int16", "float16", "uint32",
        "int32", "float32", "uint64", "int64", "float64"};
    static const char *const channel[LL_DTYPE_COUNT] = {
        "Uint8", "Int8", "Uint16", "Int16", "Float16", "Uint32",
        "Int32", "Float32", "Uint64", "Int64", "Float64"};
    static const size_t sizes[LL_DTYPE_COUNT] = {1, 1, 2, 2, 2, 4, 4, 4, 8, 8, 8};
    for (int t = 0; t < LL_DTYPE_COUNT; t++) {
        CHECK(strcmp(ll_dtype_name((ll_dtype)t), numpy[t]) == 0);
        CHECK(strcmp(ll_dtype_channel_name((ll_dtype)t), channel[t]) == 0);
        CHECK(ll_dtype_size((ll_dtype)t) == sizes[t]);
        CHECK(parses(numpy[t], (ll_dtype)t));
        CHECK(parses(channel[t], (ll_dtype)t));
        char upper[16];
        size_t n = strlen(numpy[t]);
        for (size_t i = 0; i <= n; i++)
            upper[i] = (char)(numpy[t][i] >= 'a' && numpy[t][i] <= 'z' ? numpy[t][i] - 32
                                                                       : numpy[t][i]);
        CHECK(parses(upper, (ll_dtype)t));
        CHECK(strstr(ll_dtype_names(), numpy[t]) != NULL);
    }
    CHECK(ll_dtype_name(LL_DTYPE_COUNT) == NULL);
    CHECK(ll_dtype_size((ll_dtype)-1) == 0);

    ll_dtype t = LL_INT16;
    CHECK(!ll_dtype_parse("float", 5, &t));
    CHECK(!ll_dtype_parse("float322", 8, &t));
    CHECK(!ll_dtype_parse("", 0, &t));
    CHECK(!ll_dtype_parse("uint8\0x", 7, &t)); /* an embedded NUL never matches */
    CHECK(!ll_dtype_parse("float32 ", 8, &t));
    CHECK(ll_dtype_parse("float32 ", 7, &t) && t == LL_FLOAT32); /* len bounds the name */
    CHECK(t == LL_FLOAT32);

    CHECK(ll_dtype_is_float(LL_FLOAT16) && ll_dtype_is_float(LL_FLOAT32) &&
          ll_dtype_is_float(LL_FLOAT64) && !ll_dtype_is_float(LL_INT64));
    CHECK(ll_dtype_is_signed(LL_INT8) && !ll_dtype_is_signed(LL_UINT64));
}

static bool is_half_nan(uint16_t h)
{
    return (h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0;
}

/* Every one of the 65536 halfs: to double and back is the identity, bit for bit (NaN
 * payloads and signs included), and the doubles are the values IEEE 754 defines. */
static void test_half_exhaustive(void)
{
    int mismatches = 0;
    for (uint32_t h = 0; h <= 0xffffu; h++) {
        double d = ll_half_to_double((uint16_t)h);
        uint16_t back = ll_half_from_double(d);
        if (back != h)
            mismatches++;
        unsigned exp = (h >> 10) & 0x1fu, frac = h & 0x3ffu;
        double want;
        if (exp == 0)
            want = ldexp(frac, -24);
        else if (exp == 31)
            want = frac ? NAN : INFINITY;
        else
            want = ldexp(frac + 1024, (int)exp - 25);
        if (h & 0x8000u)
            want = -want;
        if (is_half_nan((uint16_t)h)) {
            CHECK_MSG(isnan(d), "half 0x%04x", (unsigned)h);
        } else {
            CHECK_MSG(bits_of(d) == bits_of(want), "half 0x%04x -> %.17g, want %.17g",
                      (unsigned)h, d, want);
        }
    }
    CHECK_MSG(mismatches == 0, "%d halfs did not round trip", mismatches);
}

/* Between every two neighbouring finite halfs of one sign, the midpoint goes to the one
 * with the even significand, and anything a hair off the midpoint to the nearer one. */
static void test_half_ties(void)
{
    int bad = 0;
    for (uint32_t sign = 0; sign <= 0x8000u; sign += 0x8000u) {
        for (uint32_t h = 0; h < 0x7bffu; h++) {
            uint16_t lo = (uint16_t)(sign | h), hi = (uint16_t)(sign | (h + 1));
            double a = ll_half_to_double(lo), b = ll_half_to_double(hi);
            double mid = (a + b) / 2; /* exact: both have few significant bits */
            uint16_t even = (h & 1u) ? hi : lo;
            if (ll_half_from_double(mid) != even)
                bad++;
            double toward_lo = nextafter(mid, a), toward_hi = nextafter(mid, b);
            if (ll_half_from_double(toward_lo) != lo || ll_half_from_double(toward_hi) != hi)
                bad++;
        }
    }
    CHECK_MSG(bad == 0, "%d ties or near-ties rounded wrongly", bad);

    /* The edges named in IEEE 754 and numpy. */
    CHECK(ll_half_from_double(65504.0) == 0x7bffu);
    CHECK(ll_half_from_double(65519.999) == 0x7bffu);
    CHECK(ll_half_from_double(65520.0) == 0x7c00u); /* the tie above max goes to inf */
    CHECK(ll_half_from_double(-65520.0) == 0xfc00u);
    CHECK(ll_half_from_double(1e300) == 0x7c00u);
    CHECK(ll_half_from_double(INFINITY) == 0x7c00u);
    CHECK(ll_half_from_double(-INFINITY) == 0xfc00u);
    CHECK(is_half_nan(ll_half_from_double(NAN)));
    CHECK(ll_half_from_double(-0.0) == 0x8000u);
    CHECK(ll_half_from_double(0x1p-24) == 0x0001u);  /* smallest subnormal */
    CHECK(ll_half_from_double(0x1p-25) == 0x0000u);  /* half of it: tie to even (0) */
    CHECK(ll_half_from_double(0x1.0000000000001p-25) == 0x0001u);
    CHECK(ll_half_from_double(0x1.8p-24) == 0x0002u); /* 1.5 units: tie to even (2) */
    CHECK(ll_half_from_double(0x1p-14) == 0x0400u);  /* smallest normal */
    CHECK(ll_half_from_double(0x1.ffcp-15) == 0x0400u); /* 1023.5 units: tie, up to normal */
    CHECK(ll_half_from_double(DBL_MIN / 4) == 0x0000u); /* a double subnormal */
    CHECK(ll_half_from_double(1.0) == 0x3c00u);
    CHECK(ll_half_from_double(1.0 + 0x1p-11) == 0x3c00u); /* tie: 1.0 is even */
    CHECK(ll_half_from_double(1.0 + 3 * 0x1p-11) == 0x3c02u); /* tie: up to even */
    CHECK(ll_half_from_double(2049.0) == ll_half_from_double(2048.0));
    CHECK(ll_half_from_double(2051.0) == ll_half_from_double(2052.0));
    CHECK(ll_half_to_double(0x3555u) == 0x1.554p-2); /* 0.333251953125 */
}

#if defined(__FLT16_MANT_DIG__)
/* Where the compiler has _Float16, it must agree on many pseudo-random doubles. */
static void test_half_against_compiler(void)
{
    uint64_t x = 0x9e3779b97f4a7c15u;
    int bad = 0;
    for (int i = 0; i < 1000000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        /* doubles spread over half's exponent range and a little beyond */
        double d = ldexp((double)(x >> 11) / 9007199254740992.0, (int)(x % 48) - 30);
        if (x & 1)
            d = -d;
        _Float16 f = (_Float16)d;
        uint16_t want;
        memcpy(&want, &f, sizeof want);
        if (ll_half_from_double(d) != want)
            bad++;
    }
    CHECK_MSG(bad == 0, "%d doubles disagree with the compiler's _Float16", bad);
}
#endif

static ll_fit store_d(ll_dtype t, double v, void *out)
{
    return ll_dtype_codec_of(t)->store_double(out, v);
}

static ll_fit store_i(ll_dtype t, int64_t v, void *out)
{
    return ll_dtype_codec_of(t)->store_int(out, v);
}

static void test_integer_ranges(void)
{
    struct {
        ll_dtype t;
        int64_t lo, hi;
    } cases[] = {
        {LL_UINT8, 0, 255},
        {LL_INT8, -128, 127},
        {LL_UINT16, 0, 65535},
        {LL_INT16, -32768, 32767},
        {LL_UINT32, 0, 4294967295},
        {LL_INT32, INT32_MIN, INT32_MAX},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        ll_dtype t = cases[k].t;
        const ll_dtype_codec *c = ll_dtype_codec_of(t);
        unsigned char buf[8] = {0};
        int64_t i;
        double d;
        CHECK(store_i(t, cases[k].lo, buf) == LL_FIT_OK);
        CHECK(c->load(buf, &i, &d) && i == cases[k].lo);
        CHECK(store_i(t, cases[k].hi, buf) == LL_FIT_OK);
        CHECK(c->load(buf, &i, &d) && i == cases[k].hi);
        CHECK(store_i(t, cases[k].lo - 1, buf) == LL_FIT_RANGE);
        CHECK(store_i(t, cases[k].hi + 1, buf) == LL_FIT_RANGE);
        CHECK(c->load(buf, &i, &d) && i == cases[k].hi); /* a failed store writes nothing */
        CHECK(store_i(t, INT64_MIN, buf) == LL_FIT_RANGE);
        CHECK(store_i(t, INT64_MAX, buf) == LL_FIT_RANGE);
        CHECK(store_d(t, (double)cases[k].hi, buf) == LL_FIT_OK);
        CHECK(store_d(t, (double)cases[k].lo, buf) == LL_FIT_OK);
        CHECK(c->load(buf, &i, &d) && i == cases[k].lo);
        CHECK(store_d(t, (double)cases[k].hi + 1, buf) == LL_FIT_RANGE);
        CHECK(store_d(t, (double)cases[k].lo - 1, buf) == LL_FIT_RANGE);
        CHECK(store_d(t, 1.5, buf) == LL_FIT_FRACTION);
        CHECK(store_d(t, 0x1p-1074, buf) == LL_FIT_FRACTION);
        CHECK(store_d(t, NAN, buf) == LL_FIT_NAN);
        CHECK(store_d(t, INFINITY, buf) == LL_FIT_RANGE);
        CHECK(store_d(t, -INFINITY, buf) == LL_FIT_RANGE);
        CHECK(store_d(t, 1e300, buf) == LL_FIT_RANGE);
        CHECK(store_d(t, -0.0, buf) == LL_FIT_OK);
        CHECK(c->load(buf, &i, &d) && i == 0);
        CHECK(ll_dtype_fit_int(t, cases[k].hi) == LL_FIT_OK);
        CHECK(ll_dtype_fit_double(t, 2.0) == LL_FIT_OK);
    }
}

static void test_64bit_integers(void)
{
    unsigned char buf[8];
    int64_t i;
    double d;
    const ll_dtype_codec *s = ll_dtype_codec_of(LL_INT64), *u = ll_dtype_codec_of(LL_UINT64);

    CHECK(s->store_int(buf, INT64_MIN) == LL_FIT_OK && s->load(buf, &i, &d) && i == INT64_MIN);
    CHECK(s->store_int(buf, INT64_MAX) == LL_FIT_OK && s->load(buf, &i, &d) && i == INT64_MAX);
    CHECK(s->store_double(buf, -0x1p63) == LL_FIT_OK && s->load(buf, &i, &d) && i == INT64_MIN);
    CHECK(s->store_double(buf, 0x1p63) == LL_FIT_RANGE);
    CHECK(s->store_double(buf, 0x1.fffffffffffffp62) == LL_FIT_OK);
    CHECK(s->store_double(buf, -0.5) == LL_FIT_FRACTION);
    CHECK(s->store_double(buf, NAN) == LL_FIT_NAN);

    /* uint64: integers 0..INT64_MAX, integral doubles in [0, 2^64); reads above INT64_MAX
     * come back as doubles. */
    CHECK(u->store_int(buf, -1) == LL_FIT_RANGE);
    CHECK(u->store_int(buf, INT64_MAX) == LL_FIT_OK && u->load(buf, &i, &d) && i == INT64_MAX);
    CHECK(u->store_double(buf, 0x1p63) == LL_FIT_OK);
    CHECK(!u->load(buf, &i, &d) && d == 0x1p63);
    uint64_t raw;
    memcpy(&raw, buf, sizeof raw);
    CHECK(raw == UINT64_C(1) << 63);
    CHECK(u->store_double(buf, 0x1.fffffffffffffp63) == LL_FIT_OK);
    memcpy(&raw, buf, sizeof raw);
    CHECK(raw == UINT64_C(0xfffffffffffff800));
    CHECK(u->store_double(buf, 0x1p64) == LL_FIT_RANGE);
    CHECK(u->store_double(buf, -1.0) == LL_FIT_RANGE);
    CHECK(u->store_double(buf, -0.0) == LL_FIT_OK);
    CHECK(u->store_double(buf, 0.25) == LL_FIT_FRACTION);
    raw = UINT64_MAX;
    memcpy(buf, &raw, sizeof raw);
    CHECK(!u->load(buf, &i, &d) && d == 0x1p64); /* rounded to the nearest double */
}

static void test_floats(void)
{
    unsigned char buf[8];
    int64_t i;
    double d;
    const ll_dtype_codec *h = ll_dtype_codec_of(LL_FLOAT16);
    const ll_dtype_codec *f = ll_dtype_codec_of(LL_FLOAT32);
    const ll_dtype_codec *g = ll_dtype_codec_of(LL_FLOAT64);

    /* rounding is allowed; a finite value rounding to infinity is out of range */
    CHECK(h->store_double(buf, 0.1) == LL_FIT_OK && !h->load(buf, &i, &d) &&
          d == ll_half_to_double(ll_half_from_double(0.1)));
    CHECK(h->store_double(buf, 65519.0) == LL_FIT_OK && !h->load(buf, &i, &d) && d == 65504.0);
    CHECK(h->store_double(buf, 65520.0) == LL_FIT_RANGE);
    CHECK(h->store_int(buf, 65504) == LL_FIT_OK);
    CHECK(h->store_int(buf, 70000) == LL_FIT_RANGE);
    CHECK(h->store_int(buf, INT64_MIN) == LL_FIT_RANGE);
    CHECK(h->store_double(buf, INFINITY) == LL_FIT_OK && !h->load(buf, &i, &d) && isinf(d));
    CHECK(h->store_double(buf, NAN) == LL_FIT_OK && !h->load(buf, &i, &d) && isnan(d));
    CHECK(h->store_double(buf, 1e-10) == LL_FIT_OK && !h->load(buf, &i, &d) && d == 0.0);

    CHECK(f->store_double(buf, 0.1) == LL_FIT_OK && !f->load(buf, &i, &d) && d == (float)0.1);
    CHECK(f->store_double(buf, FLT_MAX) == LL_FIT_OK);
    CHECK(f->store_double(buf, 1e39) == LL_FIT_RANGE);
    CHECK(f->store_double(buf, -1e39) == LL_FIT_RANGE);
    CHECK(f->store_double(buf, -INFINITY) == LL_FIT_OK && !f->load(buf, &i, &d) && d < 0 &&
          isinf(d));
    CHECK(f->store_double(buf, NAN) == LL_FIT_OK && !f->load(buf, &i, &d) && isnan(d));
    CHECK(f->store_int(buf, INT64_MAX) == LL_FIT_OK && !f->load(buf, &i, &d) && d == 0x1p63);
    CHECK(f->store_int(buf, 16777217) == LL_FIT_OK && !f->load(buf, &i, &d) &&
          d == 16777216.0); /* ties to even */

    CHECK(g->store_double(buf, 1e308) == LL_FIT_OK && !g->load(buf, &i, &d) && d == 1e308);
    CHECK(g->store_int(buf, (INT64_C(1) << 53) + 1) == LL_FIT_OK && !g->load(buf, &i, &d) &&
          d == 0x1p53);
    CHECK(ll_dtype_fit_double(LL_FLOAT64, NAN) == LL_FIT_OK);
}

static void test_fill(void)
{
    _Alignas(64) unsigned char buf[256];
    for (size_t size = 1; size <= 8; size *= 2) {
        for (size_t offset = 0; offset < 16; offset += size) {
            for (uint64_t count = 0; count < 24; count++) {
                unsigned char elem[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
                memset(buf, 0xee, sizeof buf);
                ll_fill_elements(buf + offset, count, elem, size);
                bool ok = true;
                for (size_t k = 0; k < sizeof buf; k++) {
                    size_t rel = k - offset;
                    bool inside = k >= offset && rel < count * size;
                    unsigned char want = inside ? elem[rel % size] : 0xee;
                    ok = ok && buf[k] == want;
                }
                CHECK_MSG(ok, "size %zu offset %zu count %llu", size, offset,
                          (unsigned long long)count);
            }
        }
    }
    unsigned char same[4] = {7, 7, 7, 7};
    memset(buf, 0xee, sizeof buf);
    ll_fill_elements(buf, 10, same, 4);
    CHECK(buf[0] == 7 && buf[39] == 7 && buf[40] == 0xee);
}

int main(void)
{
    test_names();
    test_half_exhaustive();
    test_half_ties();
#if defined(__FLT16_MANT_DIG__)
    test_half_against_compiler();
#endif
    test_integer_ranges();
    test_64bit_integers();
    test_floats();
    test_fill();
    return test_finish("dtype");
}
