/* base64.c: RFC 4648 base64 decoding (base64.h). */
#include "lluvia/base64.h"

#include <ctype.h>

/* The 6-bit value of an alphabet character, or -1. */
static int sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static size_t padding(const char *text, size_t length)
{
    size_t pad = 0;
    while (pad < 2 && pad < length && text[length - 1 - pad] == '=')
        pad++;
    return pad;
}

size_t ll_base64_decoded_size(const char *text, size_t length)
{
    if (length % 4 != 0)
        return 0;
    return length / 4 * 3 - padding(text, length);
}

static bool bad_char(ll_error *err, const char *text, size_t i)
{
    unsigned char c = (unsigned char)text[i];
    if (c == '=')
        ll_fail(err, LL_E_ARGUMENT, "invalid base64: padding '=' at offset %zu before the end",
                i);
    else if (isprint(c))
        ll_fail(err, LL_E_ARGUMENT, "invalid base64: character '%c' at offset %zu", c, i);
    else
        ll_fail(err, LL_E_ARGUMENT, "invalid base64: byte 0x%02x at offset %zu", c, i);
    return ll_error_blame(err, 1);
}

bool ll_base64_decode(const char *text, size_t length, uint8_t *out, size_t *size,
                      ll_error *err)
{
    if (length % 4 != 0) {
        ll_fail(err, LL_E_ARGUMENT,
                "invalid base64: length must be a multiple of 4, got %zu characters", length);
        return ll_error_blame(err, 1);
    }
    size_t pad = padding(text, length);
    size_t data = length - pad; /* characters that carry bits */
    /* Check everything before writing anything: out stays as it was on failure. */
    for (size_t i = 0; i < data; i++)
        if (sextet((unsigned char)text[i]) < 0)
            return bad_char(err, text, i);
    if (pad > 0) {
        /* The last data character's low bits (4 with "==", 2 with "=") must be zero. */
        unsigned mask = pad == 2 ? 0x0f : 0x03;
        if ((unsigned)sextet((unsigned char)text[data - 1]) & mask) {
            ll_fail(err, LL_E_ARGUMENT,
                    "invalid base64: bits set after the last byte at offset %zu", data - 1);
            return ll_error_blame(err, 1);
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < length; i += 4) {
        uint32_t v = 0;
        size_t k = 0;
        for (; k < 4 && i + k < data; k++)
            v = v << 6 | (uint32_t)sextet((unsigned char)text[i + k]);
        v <<= 6 * (4 - k);
        /* k characters carry k * 6 bits: 4 -> 3 bytes, 3 -> 2, 2 -> 1 */
        for (size_t b = 0; b + 1 < k; b++)
            out[n++] = (uint8_t)(v >> (16 - 8 * b));
    }
    *size = n;
    return true;
}
