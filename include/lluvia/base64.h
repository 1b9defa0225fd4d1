/* base64.h: decoding base64 text (RFC 4648, section 4: the standard alphabet, with
 * padding), as lluvia's ll.fromBase64 does for the colour maps its builders embed.
 * Not for: the URL-safe alphabet, line breaks or whitespace (each is an error). */
#ifndef LL_BASE64_H
#define LL_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lluvia/error.h"

/* The bytes that `length` characters of valid base64 decode to (length / 4 * 3, less the
 * padding); 0 when length is not a multiple of 4. */
size_t ll_base64_decoded_size(const char *text, size_t length);

/* Decodes `length` characters of `text` into out, which has room for
 * ll_base64_decoded_size(text, length) bytes; *size receives the bytes written. The text
 * must be canonical RFC 4648 base64: a multiple of 4 characters of A-Z a-z 0-9 + /, with
 * one or two '=' only at the very end, and zero bits after the last byte. Errors
 * (LL_E_ARGUMENT, operand 1), each naming the offset: a length that is not a multiple of 4,
 * a character outside the alphabet, padding before the end, bits set after the last byte.
 * out is left as it was on failure. */
bool ll_base64_decode(const char *text, size_t length, uint8_t *out, size_t *size,
                      ll_error *err);

#endif
