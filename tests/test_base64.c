/* test_base64.c: base64 decoding (base64.h) against RFC 4648's test vectors, and every
 * kind of invalid text. */
#include <string.h>

#include "lluvia/base64.h"
#include "test_util.h"

static void decodes(const char *text, const char *expected)
{
    uint8_t out[64];
    memset(out, 0xAA, sizeof out);
    size_t n = 12345;
    ll_error err;
    CHECK(ll_base64_decode(text, strlen(text), out, &n, &err));
    CHECK(n == strlen(expected));
    CHECK(n == ll_base64_decoded_size(text, strlen(text)));
    CHECK(memcmp(out, expected, n) == 0);
    CHECK(out[n] == 0xAA); /* nothing written past the decoded bytes */
}

static void refuses(const char *text, const char *fragment)
{
    uint8_t out[64];
    memset(out, 0xAA, sizeof out);
    size_t n = 12345;
    ll_error err;
    CHECK(!ll_base64_decode(text, strlen(text), out, &n, &err));
    CHECK(err.code == LL_E_ARGUMENT);
    CHECK(err.operand == 1);
    CHECK_MSG(strstr(err.message, fragment) != NULL, "%s", err.message);
    CHECK(n == 12345);
    CHECK(out[0] == 0xAA);
}

int main(void)
{
    /* RFC 4648, section 10 */
    decodes("", "");
    decodes("Zg==", "f");
    decodes("Zm8=", "fo");
    decodes("Zm9v", "foo");
    decodes("Zm9vYg==", "foob");
    decodes("Zm9vYmE=", "fooba");
    decodes("Zm9vYmFy", "foobar");
    decodes("+/+/", "\xfb\xff\xbf");

    refuses("Zm9", "length must be a multiple of 4, got 3 characters");
    refuses("Zm9v!A==", "character '!' at offset 4");
    refuses("Zm 9", "character ' ' at offset 2");
    refuses("Zm\n9", "byte 0x0a at offset 2");
    refuses("Zg==Zg==", "padding '=' at offset 2 before the end");
    refuses("Z===", "padding '=' at offset 1 before the end");
    refuses("Zh==", "bits set after the last byte at offset 1");
    refuses("Zm9=", "bits set after the last byte at offset 2");
    refuses("Zm-_", "character '-' at offset 2");
    return test_finish("base64");
}
