/* image_file.h: PNG and JPEG images to and from plain memory: the format by its magic
 * bytes, the header, decoding into a caller's buffer with the channel conversions
 * ll.readImage offers, encoding, and files (read whole, written atomically). PNG through
 * libspng, JPEG through libjpeg-turbo's TurboJPEG API. docs/image_files.md explains.
 * Not for: Lua (src/binding/l_image_file.c), device images (image.h). */
#ifndef LL_IMAGE_FILE_H
#define LL_IMAGE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lluvia/dtype.h"
#include "lluvia/error.h"

/* The largest image read or written: 65535 pixels a side (what a PNG reader can be asked
 * for, and above JPEG's own 65500), and 2^28 pixels in all (16384 x 16384; at most 2 GiB
 * of 16-bit RGBA), so that a small file with a forged header cannot ask for more. */
#define LL_IMAGE_MAX_SIDE 65535u
#define LL_IMAGE_MAX_PIXELS (UINT64_C(1) << 28)
/* JPEG's own limit a side (libjpeg's JPEG_MAX_DIMENSION). */
#define LL_IMAGE_JPEG_MAX_SIDE 65500u
/* The largest file read: 1 GiB. */
#define LL_IMAGE_MAX_FILE_BYTES (UINT64_C(1) << 30)

typedef enum ll_image_format {
    LL_IMAGE_PNG = 1,
    LL_IMAGE_JPEG = 2,
} ll_image_format;

/* What a file holds. */
typedef struct ll_image_info {
    ll_image_format format;
    uint32_t width, height;
    /* As stored: 1 gray, 2 gray and alpha, 3 RGB, 4 RGBA. A PNG palette is RGB, or RGBA
     * with a tRNS chunk; a tRNS chunk adds an alpha channel to gray and RGB too. */
    uint32_t channels;
    ll_dtype dtype; /* LL_UINT8, or LL_UINT16 for a 16-bit PNG */
} ll_image_info;

/* Pixels in memory: row-major, height x width x channels elements of dtype, packed. */
typedef struct ll_image_pixels {
    const void *data;
    uint32_t width, height, channels;
    ll_dtype dtype;
} ll_image_pixels;

/* "PNG" or "JPEG". */
const char *ll_image_format_name(ll_image_format format);

/* The format by the magic bytes (PNG's 8-byte signature, JPEG's FF D8 FF); false for
 * anything else. */
bool ll_image_detect(const void *bytes, size_t size, ll_image_format *format);

/* The format by the path's extension: .png, .jpg or .jpeg in any case; false otherwise. */
bool ll_image_format_of_path(const char *path, ll_image_format *format);

/* Reads the header of an encoded image. Fails with LL_E_FILE for bytes that are not a
 * PNG or JPEG, a truncated or corrupt header, an image of no pixels, or dimensions beyond
 * LL_IMAGE_MAX_SIDE / LL_IMAGE_MAX_PIXELS; LL_E_UNSUPPORTED for a CMYK JPEG. */
bool ll_image_probe(const void *bytes, size_t size, ll_image_info *info, ll_error *err);

/* Bytes of the image decoded to `channels` (1..4) channels. */
uint64_t ll_image_decoded_size(const ll_image_info *info, uint32_t channels);

/* Decodes into `out`, `out_size` bytes (ll_image_decoded_size). `channels` 0 keeps the
 * stored count; 1..4 converts (docs/image_files.md, "Channels"): gray to RGB copies the
 * gray value, RGB to gray is the luma 0.299 R + 0.587 G + 0.114 B (rounded), an added
 * alpha is opaque (255 or 65535), a dropped one is dropped (no blending). Pixel values are
 * as stored: gamma, colour profiles and EXIF orientation are not applied. Fails as
 * ll_image_probe, with LL_E_FILE for truncated or corrupt data (a JPEG the decoder warns
 * about included), LL_E_ARGUMENT (blaming `channels`, 3, or `out_size`, 5) for a wrong
 * count or size, LL_E_HOST_MEMORY. `out` may be partly written on failure. */
bool ll_image_decode(const void *bytes, size_t size, uint32_t channels, void *out,
                     uint64_t out_size, ll_error *err);

/* Whether `px` can be written in `format`: LL_E_ARGUMENT blaming px (2) for a dtype other
 * than uint8 (PNG: or uint16), channels other than 1..4 (JPEG: 1 or 3), or a size of no
 * pixels or beyond the limits; quality (3) must be 1..100. */
bool ll_image_check_pixels(ll_image_format format, const ll_image_pixels *px, int quality,
                           ll_error *err);

/* Encodes `px` (checked as ll_image_check_pixels). PNG is lossless (quality is not used);
 * JPEG uses `quality` and no chroma subsampling (4:4:4). On success *out holds *out_size
 * bytes from ll_malloc, which the caller frees with ll_free. */
bool ll_image_encode(ll_image_format format, const ll_image_pixels *px, int quality,
                     void **out, size_t *out_size, ll_error *err);

/* ---- files ------------------------------------------------------------------------------ */

/* An encoded file read into memory, with its header read. Every message of a reader names
 * its path: "cannot read image '<path>': ...". */
typedef struct ll_image_reader ll_image_reader;

/* Reads the whole of the regular file at `path` and its header. LL_E_FILE for a missing
 * or unreadable file, a directory or another non-regular file, an empty file, one larger
 * than LL_IMAGE_MAX_FILE_BYTES, and everything ll_image_probe refuses; LL_E_HOST_MEMORY. */
ll_image_reader *ll_image_reader_open(const char *path, ll_error *err);

const ll_image_info *ll_image_reader_info(const ll_image_reader *reader);

/* As ll_image_decode, of the reader's bytes. */
bool ll_image_reader_decode(const ll_image_reader *reader, uint32_t channels, void *out,
                            uint64_t out_size, ll_error *err);

void ll_image_reader_close(ll_image_reader *reader); /* NULL: nothing */

/* Encodes `px` in the format of the path's extension and writes it atomically: into a new
 * file in the same folder (".<name>.<pid>.<n>.tmp"), flushed to disk, then renamed over
 * `path`, so that a failure leaves an existing file as it was and no temporary file
 * behind. A file replaced keeps its permission bits; a new one gets 0666 less the umask;
 * a symbolic link at path is replaced, not followed.
 * LL_E_ARGUMENT as ll_image_check_pixels, or blaming the path (1) for an extension that
 * is not .png, .jpg or .jpeg; LL_E_FILE ("cannot write image '<path>': ...") when the
 * file cannot be written; LL_E_HOST_MEMORY. */
bool ll_image_write_file(const char *path, const ll_image_pixels *px, int quality,
                         ll_error *err);

#endif
