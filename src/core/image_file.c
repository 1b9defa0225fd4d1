/* image_file.c: PNG (libspng) and JPEG (TurboJPEG) decoding and encoding in memory, the
 * channel conversions, and whole-file reads and atomic writes (image_file.h). Not for:
 * Lua, or device images. libspng allocates through ll_malloc (so fault injection reaches
 * it); TurboJPEG has no allocator hook and uses its own. */
#include "lluvia/image_file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spng.h>
#include <turbojpeg.h>

#include "lluvia/fault.h"

#define PNG_SIGNATURE "\x89PNG\r\n\x1a\n"
#define PNG_SIGNATURE_BYTES 8
/* A chunk longer than this, or more than this many bytes of ancillary chunks kept, is
 * refused: real files are far below, and libspng would otherwise allocate what a forged
 * length says. */
#define PNG_CHUNK_LIMIT (UINT32_C(64) << 20)
#define PNG_CACHE_LIMIT (UINT32_C(64) << 20)
/* Libjpeg's JFIF YCbCr weights, the usual luma, in 16-bit fixed point (they sum to 65536). */
#define LUMA_R 19595u
#define LUMA_G 38470u
#define LUMA_B 7471u
/* Attempts at a fresh temporary name before giving up (another writer took each one). */
#define TEMP_ATTEMPTS 100

/* libspng's allocations, through ll_malloc. libspng reports zlib's out-of-memory as a zlib
 * error, so a failed allocation is remembered here (per thread, cleared by each call that
 * makes a context) to tell it from corrupt data. */
static _Thread_local bool png_out_of_memory;

static void *png_malloc(size_t size)
{
    void *p = ll_malloc(size);
    png_out_of_memory |= p == NULL;
    return p;
}

static void *png_realloc(void *ptr, size_t size)
{
    void *p = ll_realloc(ptr, size);
    png_out_of_memory |= p == NULL && size != 0;
    return p;
}

static void *png_calloc(size_t count, size_t size)
{
    void *p = ll_calloc(count, size);
    png_out_of_memory |= p == NULL;
    return p;
}

static struct spng_alloc png_alloc = {png_malloc, png_realloc, png_calloc, ll_free};

static spng_ctx *png_new_context(int flags)
{
    png_out_of_memory = false;
    return spng_ctx_new2(&png_alloc, flags);
}

const char *ll_image_format_name(ll_image_format format)
{
    return format == LL_IMAGE_JPEG ? "JPEG" : "PNG";
}

bool ll_image_detect(const void *bytes, size_t size, ll_image_format *format)
{
    const unsigned char *b = bytes;
    if (size >= PNG_SIGNATURE_BYTES && memcmp(b, PNG_SIGNATURE, PNG_SIGNATURE_BYTES) == 0) {
        *format = LL_IMAGE_PNG;
        return true;
    }
    if (size >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) {
        *format = LL_IMAGE_JPEG;
        return true;
    }
    return false;
}

bool ll_image_format_of_path(const char *path, ll_image_format *format)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash != NULL ? slash + 1 : path, '.');
    if (dot == NULL)
        return false;
    if (strcasecmp(dot, ".png") == 0)
        *format = LL_IMAGE_PNG;
    else if (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0)
        *format = LL_IMAGE_JPEG;
    else
        return false;
    return true;
}

/* `what`: "PNG", "JPEG", or "an image" for pixels to write. */
static bool check_dimensions(const char *what, uint64_t width, uint64_t height, ll_error *err)
{
    if (width == 0 || height == 0)
        return ll_fail(err, LL_E_FILE, "%s of no pixels (%" PRIu64 "x%" PRIu64 ")", what,
                       width, height);
    if (width > LL_IMAGE_MAX_SIDE || height > LL_IMAGE_MAX_SIDE ||
        width * height > LL_IMAGE_MAX_PIXELS)
        return ll_fail(err, LL_E_FILE, "%s of %" PRIu64 "x%" PRIu64 " pixels is beyond the "
                       "limit (%u a side, 2^28 pixels in all)", what, width, height,
                       LL_IMAGE_MAX_SIDE);
    return true;
}

uint64_t ll_image_decoded_size(const ll_image_info *info, uint32_t channels)
{
    return (uint64_t)info->width * info->height * channels * ll_dtype_size(info->dtype);
}

/* ---- channel conversions ------------------------------------------------------------------ */

/* Converts n pixels of `cin` channels at src to `cout` channels at dst. dst may be src:
 * widening walks from the last pixel back, narrowing from the first on, so that no pixel
 * is overwritten before it is read. */
#define DEFINE_CONVERT(name, T, OPAQUE)                                                   \
    static void name(const T *src, uint32_t cin, T *dst, uint32_t cout, uint64_t n)      \
    {                                                                                     \
        bool backwards = cout > cin;                                                      \
        for (uint64_t k = 0; k < n; k++) {                                                \
            uint64_t i = backwards ? n - 1 - k : k;                                       \
            const T *s = src + i * cin;                                                   \
            uint32_t r = s[0], g = s[0], b = s[0], a = OPAQUE, y = s[0];                  \
            if (cin >= 3) {                                                               \
                g = s[1];                                                                 \
                b = s[2];                                                                 \
                y = (uint32_t)((LUMA_R * (uint64_t)r + LUMA_G * (uint64_t)g +             \
                                LUMA_B * (uint64_t)b + 32768u) >> 16);                    \
            }                                                                             \
            if (cin == 2 || cin == 4)                                                     \
                a = s[cin - 1];                                                           \
            T *d = dst + i * cout;                                                        \
            switch (cout) {                                                               \
            case 1: d[0] = (T)y; break;                                                   \
            case 2: d[0] = (T)y; d[1] = (T)a; break;                                      \
            case 3: d[0] = (T)r; d[1] = (T)g; d[2] = (T)b; break;                         \
            default: d[0] = (T)r; d[1] = (T)g; d[2] = (T)b; d[3] = (T)a; break;           \
            }                                                                             \
        }                                                                                 \
    }

DEFINE_CONVERT(convert8, uint8_t, 0xFFu)
DEFINE_CONVERT(convert16, uint16_t, 0xFFFFu)

static void convert_channels(const void *src, uint32_t cin, void *dst, uint32_t cout,
                             uint64_t n, ll_dtype dtype)
{
    if (dtype == LL_UINT16)
        convert16(src, cin, dst, cout, n);
    else
        convert8(src, cin, dst, cout, n);
}

/* ---- PNG ---------------------------------------------------------------------------------- */

static spng_ctx *png_open(const void *bytes, size_t size, ll_error *err)
{
    spng_ctx *ctx = png_new_context(0);
    if (ctx == NULL) {
        ll_fail(err, LL_E_HOST_MEMORY, "out of host memory for a PNG decoder");
        return NULL;
    }
    int r = spng_set_png_buffer(ctx, bytes, size);
    if (r == 0)
        r = spng_set_image_limits(ctx, LL_IMAGE_MAX_SIDE, LL_IMAGE_MAX_SIDE);
    if (r == 0)
        r = spng_set_chunk_limits(ctx, PNG_CHUNK_LIMIT, PNG_CACHE_LIMIT);
    if (r != 0) {
        spng_ctx_free(ctx);
        ll_fail(err, LL_E_FILE, "cannot set up the PNG decoder (spng: %s)", spng_strerror(r));
        return NULL;
    }
    return ctx;
}

static bool png_error(int r, ll_error *err)
{
    if (r == SPNG_EMEM || png_out_of_memory)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory decoding a PNG");
    return ll_fail(err, LL_E_FILE, "truncated or corrupt PNG (spng: %s)", spng_strerror(r));
}

/* How the file's pixels are decoded to keep their channels: the libspng format and its
 * channel count and type. libspng's gray formats take only gray of up to 8 bits (GA16:
 * 16-bit gray), its SPNG_FMT_PNG is the stored layout in host byte order. */
typedef struct png_layout {
    int fmt;
    int flags;
    uint32_t channels;
    ll_dtype dtype;
} png_layout;

static png_layout png_layout_of(const struct spng_ihdr *h, bool trns)
{
    bool deep = h->bit_depth == 16;
    png_layout l = {SPNG_FMT_PNG, trns ? SPNG_DECODE_TRNS : 0, 0, deep ? LL_UINT16 : LL_UINT8};
    switch (h->color_type) {
    case SPNG_COLOR_TYPE_GRAYSCALE:
        l.channels = trns ? 2 : 1;
        l.fmt = trns ? (deep ? SPNG_FMT_GA16 : SPNG_FMT_GA8) : (deep ? SPNG_FMT_PNG : SPNG_FMT_G8);
        break;
    case SPNG_COLOR_TYPE_TRUECOLOR:
        l.channels = trns ? 4 : 3;
        l.fmt = trns ? (deep ? SPNG_FMT_RGBA16 : SPNG_FMT_RGBA8) : (deep ? SPNG_FMT_PNG : SPNG_FMT_RGB8);
        break;
    case SPNG_COLOR_TYPE_INDEXED:
        l.channels = trns ? 4 : 3;
        l.fmt = trns ? SPNG_FMT_RGBA8 : SPNG_FMT_RGB8;
        break;
    case SPNG_COLOR_TYPE_GRAYSCALE_ALPHA:
        l.channels = 2;
        break;
    default: /* SPNG_COLOR_TYPE_TRUECOLOR_ALPHA: libspng checked the header */
        l.channels = 4;
        break;
    }
    return l;
}

/* The header of the PNG at ctx, checked, and how to decode it. */
static bool png_header(spng_ctx *ctx, const void *bytes, size_t size, ll_image_info *info,
                       png_layout *layout, ll_error *err)
{
    /* The dimensions first, from the IHDR chunk itself (signature, length, "IHDR", width,
     * height), so that an image of no pixels or of absurd size gets our message. */
    const unsigned char *b = bytes;
    if (size >= 24 && memcmp(b + 12, "IHDR", 4) == 0) {
        uint64_t w = (uint64_t)b[16] << 24 | (uint64_t)b[17] << 16 | (uint64_t)b[18] << 8 | b[19];
        uint64_t h = (uint64_t)b[20] << 24 | (uint64_t)b[21] << 16 | (uint64_t)b[22] << 8 | b[23];
        if (!check_dimensions("a PNG", w, h, err))
            return false;
    }
    struct spng_ihdr ihdr;
    int r = spng_get_ihdr(ctx, &ihdr);
    if (r != 0)
        return png_error(r, err);
    if (!check_dimensions("a PNG", ihdr.width, ihdr.height, err))
        return false;
    struct spng_trns trns;
    r = spng_get_trns(ctx, &trns);
    if (r != 0 && r != SPNG_ECHUNKAVAIL)
        return png_error(r, err);
    *layout = png_layout_of(&ihdr, r == 0);
    info->format = LL_IMAGE_PNG;
    info->width = ihdr.width;
    info->height = ihdr.height;
    info->channels = layout->channels;
    info->dtype = layout->dtype;
    return true;
}

static bool png_probe(const void *bytes, size_t size, ll_image_info *info, ll_error *err)
{
    spng_ctx *ctx = png_open(bytes, size, err);
    if (ctx == NULL)
        return false;
    png_layout layout;
    bool ok = png_header(ctx, bytes, size, info, &layout, err);
    spng_ctx_free(ctx);
    return ok;
}

/* Decodes into out (the stored channels, `out_size` bytes). */
static bool png_decode(const void *bytes, size_t size, void *out, uint64_t out_size,
                       ll_error *err)
{
    spng_ctx *ctx = png_open(bytes, size, err);
    if (ctx == NULL)
        return false;
    ll_image_info info;
    png_layout layout;
    bool ok = png_header(ctx, bytes, size, &info, &layout, err);
    size_t need = 0;
    int r = ok ? spng_decoded_image_size(ctx, layout.fmt, &need) : 0;
    if (ok && (r != 0 || need != out_size))
        ok = r != 0 ? png_error(r, err)
                    : ll_fail(err, LL_E_STATE, "PNG decoder wants %zu bytes, not %" PRIu64,
                              need, out_size);
    if (ok) {
        r = spng_decode_image(ctx, out, (size_t)out_size, layout.fmt, layout.flags);
        /* Asking for a chunk that may follow the image data makes libspng read the
         * chunks up to IEND, so that a file cut short after its image data is refused. */
        struct spng_time time;
        if (r == 0 && (r = spng_get_time(ctx, &time)) == SPNG_ECHUNKAVAIL)
            r = 0;
        if (r != 0)
            ok = png_error(r, err);
    }
    spng_ctx_free(ctx);
    return ok;
}

static bool png_encode(const ll_image_pixels *px, void **out, size_t *out_size, ll_error *err)
{
    static const uint8_t color_types[] = {SPNG_COLOR_TYPE_GRAYSCALE,
        SPNG_COLOR_TYPE_GRAYSCALE_ALPHA, SPNG_COLOR_TYPE_TRUECOLOR,
        SPNG_COLOR_TYPE_TRUECOLOR_ALPHA};
    spng_ctx *ctx = png_new_context(SPNG_CTX_ENCODER);
    if (ctx == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory for a PNG encoder");
    struct spng_ihdr ihdr = {
        .width = px->width,
        .height = px->height,
        .bit_depth = px->dtype == LL_UINT16 ? 16 : 8,
        .color_type = color_types[px->channels - 1],
    };
    size_t len = (size_t)px->width * px->height * px->channels * ll_dtype_size(px->dtype);
    int r = spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
    if (r == 0)
        r = spng_set_ihdr(ctx, &ihdr);
    if (r == 0)
        r = spng_encode_image(ctx, px->data, len, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
    void *buf = NULL;
    if (r == 0)
        buf = spng_get_png_buffer(ctx, out_size, &r);
    spng_ctx_free(ctx);
    if (buf == NULL) {
        if (r == SPNG_EMEM || r == 0 || png_out_of_memory)
            return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory encoding a PNG");
        return ll_fail(err, LL_E_STATE, "cannot encode the PNG (spng: %s)", spng_strerror(r));
    }
    *out = buf; /* allocated with png_alloc: ll_free frees it */
    return true;
}

/* ---- JPEG --------------------------------------------------------------------------------- */

/* A JPEG the decoder warns about (data cut short, corrupt entropy data) is an error, and
 * so is one of more progressive scans than libjpeg-turbo's sane limit. */
#define JPEG_DECODE_FLAGS (TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS | TJFLAG_ACCURATEDCT)

static bool jpeg_error(tjhandle h, ll_error *err)
{
    return ll_fail(err, LL_E_FILE, "truncated or corrupt JPEG (libjpeg-turbo: %s)",
                   tjGetErrorStr2(h));
}

static bool jpeg_header(tjhandle h, const void *bytes, size_t size, ll_image_info *info,
                        ll_error *err)
{
    int w = 0, hh = 0, subsamp = 0, colorspace = 0;
    if (tjDecompressHeader3(h, bytes, (unsigned long)size, &w, &hh, &subsamp, &colorspace) != 0)
        return jpeg_error(h, err);
    if (w <= 0 || hh <= 0) /* a header cut short before the frame: no error from libjpeg */
        return ll_fail(err, LL_E_FILE, "truncated or corrupt JPEG (no frame header)");
    if (!check_dimensions("a JPEG", (uint64_t)w, (uint64_t)hh, err))
        return false;
    if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK)
        return ll_fail(err, LL_E_UNSUPPORTED, "CMYK JPEG images are not supported");
    info->format = LL_IMAGE_JPEG;
    info->width = (uint32_t)w;
    info->height = (uint32_t)hh;
    info->channels = colorspace == TJCS_GRAY ? 1 : 3;
    info->dtype = LL_UINT8;
    return true;
}

static tjhandle jpeg_open(bool compress, ll_error *err)
{
    tjhandle h = ll_fault_hit(LL_FAULT_HOST) ? NULL
                 : compress ? tjInitCompress() : tjInitDecompress();
    if (h == NULL)
        ll_fail(err, LL_E_HOST_MEMORY, "out of host memory for a JPEG %s",
                compress ? "encoder" : "decoder");
    return h;
}

static bool jpeg_probe(const void *bytes, size_t size, ll_image_info *info, ll_error *err)
{
    tjhandle h = jpeg_open(false, err);
    if (h == NULL)
        return false;
    bool ok = jpeg_header(h, bytes, size, info, err);
    tjDestroy(h);
    return ok;
}

static bool jpeg_decode(const void *bytes, size_t size, void *out, ll_error *err)
{
    tjhandle h = jpeg_open(false, err);
    if (h == NULL)
        return false;
    ll_image_info info;
    bool ok = jpeg_header(h, bytes, size, &info, err);
    if (ok && tjDecompress2(h, bytes, (unsigned long)size, out, (int)info.width, 0,
                            (int)info.height, info.channels == 1 ? TJPF_GRAY : TJPF_RGB,
                            JPEG_DECODE_FLAGS) != 0)
        ok = jpeg_error(h, err);
    tjDestroy(h);
    return ok;
}

static bool jpeg_encode(const ll_image_pixels *px, int quality, void **out, size_t *out_size,
                        ll_error *err)
{
    int subsamp = px->channels == 1 ? TJSAMP_GRAY : TJSAMP_444;
    unsigned long cap = tjBufSize((int)px->width, (int)px->height, subsamp);
    if (cap == (unsigned long)-1)
        return ll_fail(err, LL_E_STATE, "cannot size the JPEG (libjpeg-turbo: %s)",
                       tjGetErrorStr2(NULL));
    unsigned char *buf = ll_malloc(cap);
    if (buf == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory for a JPEG of %lu bytes",
                       cap);
    tjhandle h = jpeg_open(true, err);
    if (h == NULL) {
        ll_free(buf);
        return false;
    }
    unsigned long len = cap;
    bool ok = tjCompress2(h, px->data, (int)px->width, 0, (int)px->height,
                          px->channels == 1 ? TJPF_GRAY : TJPF_RGB, &buf, &len, subsamp, quality,
                          TJFLAG_NOREALLOC | TJFLAG_ACCURATEDCT) == 0;
    if (!ok) {
        ll_fail(err, LL_E_STATE, "cannot encode the JPEG (libjpeg-turbo: %s)",
                tjGetErrorStr2(h));
        ll_free(buf);
    }
    tjDestroy(h);
    if (ok) {
        *out = buf;
        *out_size = len;
    }
    return ok;
}

/* ---- in memory ---------------------------------------------------------------------------- */

bool ll_image_probe(const void *bytes, size_t size, ll_image_info *info, ll_error *err)
{
    ll_image_format format;
    if (bytes == NULL || !ll_image_detect(bytes, size, &format))
        return ll_fail(err, LL_E_FILE, "not a PNG or JPEG file (no PNG or JPEG signature)");
    return format == LL_IMAGE_PNG ? png_probe(bytes, size, info, err)
                                  : jpeg_probe(bytes, size, info, err);
}

bool ll_image_decode(const void *bytes, size_t size, uint32_t channels, void *out,
                     uint64_t out_size, ll_error *err)
{
    ll_image_info info;
    if (!ll_image_probe(bytes, size, &info, err))
        return false;
    uint32_t cout = channels == 0 ? info.channels : channels;
    if (cout > 4) {
        ll_fail(err, LL_E_ARGUMENT, "channels must be 0 to 4, got %" PRIu32, channels);
        return ll_error_blame(err, 3);
    }
    if (out == NULL || out_size != ll_image_decoded_size(&info, cout)) {
        ll_fail(err, LL_E_ARGUMENT, "out_size must be %" PRIu64 " bytes (%" PRIu32 "x%" PRIu32
                "x%" PRIu32 " %s), got %" PRIu64, ll_image_decoded_size(&info, cout),
                info.height, info.width, cout, ll_dtype_name(info.dtype), out_size);
        return ll_error_blame(err, 5);
    }
    /* Decode the stored channels straight into out when they fit there (then widen in
     * place), else into a temporary block. */
    uint64_t stored = ll_image_decoded_size(&info, info.channels);
    void *tmp = NULL;
    if (stored > out_size) {
        tmp = stored <= SIZE_MAX ? ll_malloc((size_t)stored) : NULL;
        if (tmp == NULL)
            return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory decoding %" PRIu64
                           " bytes", stored);
    }
    void *dst = tmp != NULL ? tmp : out;
    bool ok = info.format == LL_IMAGE_PNG ? png_decode(bytes, size, dst, stored, err)
                                          : jpeg_decode(bytes, size, dst, err);
    if (ok && cout != info.channels)
        convert_channels(dst, info.channels, out, cout, (uint64_t)info.width * info.height,
                         info.dtype);
    ll_free(tmp);
    return ok;
}

bool ll_image_check_pixels(ll_image_format format, const ll_image_pixels *px, int quality,
                           ll_error *err)
{
    bool png = format == LL_IMAGE_PNG;
    if (px->dtype != LL_UINT8 && !(png && px->dtype == LL_UINT16))
        ll_fail(err, LL_E_ARGUMENT, "dtype must be %s, got %s",
                png ? "uint8 or uint16 for PNG" : "uint8 for JPEG", ll_dtype_name(px->dtype));
    else if (png && (px->channels < 1 || px->channels > 4))
        ll_fail(err, LL_E_ARGUMENT, "PNG takes 1 to 4 channels, got %" PRIu32, px->channels);
    else if (!png && px->channels != 1 && px->channels != 3)
        ll_fail(err, LL_E_ARGUMENT, "JPEG takes 1 or 3 channels (gray or RGB), got %" PRIu32,
                px->channels);
    else if (!check_dimensions("an image", px->width, px->height, err)) {
        if (err != NULL)
            err->code = LL_E_ARGUMENT; /* the caller's pixels, not a file */
    } else if (!png && (px->width > LL_IMAGE_JPEG_MAX_SIDE || px->height > LL_IMAGE_JPEG_MAX_SIDE))
        ll_fail(err, LL_E_ARGUMENT, "JPEG holds at most %u pixels a side, got %" PRIu32 "x%"
                PRIu32, LL_IMAGE_JPEG_MAX_SIDE, px->width, px->height);
    else if (quality < 1 || quality > 100) {
        ll_fail(err, LL_E_ARGUMENT, "quality must be 1 to 100, got %d", quality);
        return ll_error_blame(err, 3);
    } else
        return true;
    return ll_error_blame(err, 2);
}

bool ll_image_encode(ll_image_format format, const ll_image_pixels *px, int quality,
                     void **out, size_t *out_size, ll_error *err)
{
    if (!ll_image_check_pixels(format, px, quality, err))
        return false;
    return format == LL_IMAGE_PNG ? png_encode(px, out, out_size, err)
                                  : jpeg_encode(px, quality, out, out_size, err);
}

/* ---- files -------------------------------------------------------------------------------- */

struct ll_image_reader {
    char *path;
    void *bytes;
    size_t size;
    ll_image_info info;
};

/* Puts "cannot <verb> image '<path>': " before the message already in err (cut to fit). */
static bool name_path(ll_error *err, const char *verb, const char *path)
{
    if (err == NULL)
        return false;
    char prefix[LL_ERROR_MESSAGE_MAX];
    int n = snprintf(prefix, sizeof prefix, "cannot %s image '%s': ", verb, path);
    size_t p = n < 0 ? 0 : (size_t)n < sizeof prefix ? (size_t)n : sizeof prefix - 1;
    size_t keep = strlen(err->message);
    if (keep > sizeof err->message - 1 - p)
        keep = sizeof err->message - 1 - p;
    memmove(err->message + p, err->message, keep);
    memcpy(err->message, prefix, p);
    err->message[p + keep] = '\0';
    return false;
}

static bool fail_errno(ll_error *err, int e, const char *what)
{
    char text[128];
    if (strerror_r(e, text, sizeof text) != 0)
        snprintf(text, sizeof text, "error %d", e);
    return ll_fail(err, e == ENOMEM ? LL_E_HOST_MEMORY : LL_E_FILE, "%s: %s", what, text);
}

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = ll_malloc(n);
    if (c != NULL)
        memcpy(c, s, n);
    return c;
}

/* Reads the whole regular file at fd into a new block. */
static bool read_all(int fd, void **bytes, size_t *size, ll_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return fail_errno(err, errno, "cannot stat it");
    if (S_ISDIR(st.st_mode))
        return ll_fail(err, LL_E_FILE, "it is a directory");
    if (!S_ISREG(st.st_mode))
        return ll_fail(err, LL_E_FILE, "it is not a regular file");
    if (st.st_size == 0)
        return ll_fail(err, LL_E_FILE, "the file is empty");
    if ((uint64_t)st.st_size > LL_IMAGE_MAX_FILE_BYTES)
        return ll_fail(err, LL_E_FILE, "the file has %jd bytes, more than the limit of 2^30",
                       (intmax_t)st.st_size);
    size_t cap = (size_t)st.st_size;
    unsigned char *buf = ll_malloc(cap);
    if (buf == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory for %zu bytes", cap);
    size_t got = 0;
    while (got < cap) { /* a file that shrank meanwhile is read as it is now */
        ssize_t n = read(fd, buf + got, cap - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            ll_free(buf);
            return fail_errno(err, e, "cannot read it");
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    *bytes = buf;
    *size = got;
    return true;
}

ll_image_reader *ll_image_reader_open(const char *path, ll_error *err)
{
    ll_image_reader *r = ll_calloc(1, sizeof *r);
    char *copy = r != NULL ? copy_string(path) : NULL;
    if (copy == NULL) {
        ll_free(r);
        ll_fail(err, LL_E_HOST_MEMORY, "out of host memory");
        name_path(err, "read", path);
        return NULL;
    }
    r->path = copy;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (read_all refuses it) */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    bool ok = fd >= 0 ? read_all(fd, &r->bytes, &r->size, err)
                      : fail_errno(err, errno, "cannot open it");
    if (fd >= 0)
        close(fd);
    if (ok)
        ok = ll_image_probe(r->bytes, r->size, &r->info, err);
    if (!ok) {
        name_path(err, "read", path);
        ll_image_reader_close(r);
        return NULL;
    }
    return r;
}

const ll_image_info *ll_image_reader_info(const ll_image_reader *reader)
{
    return &reader->info;
}

bool ll_image_reader_decode(const ll_image_reader *reader, uint32_t channels, void *out,
                            uint64_t out_size, ll_error *err)
{
    if (ll_image_decode(reader->bytes, reader->size, channels, out, out_size, err))
        return true;
    return name_path(err, "read", reader->path);
}

void ll_image_reader_close(ll_image_reader *reader)
{
    if (reader == NULL)
        return;
    ll_free(reader->bytes);
    ll_free(reader->path);
    ll_free(reader);
}

static bool write_all(int fd, const unsigned char *bytes, size_t size, ll_error *err)
{
    while (size > 0) {
        ssize_t n = write(fd, bytes, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail_errno(err, errno, "cannot write the temporary file");
        bytes += n;
        size -= (size_t)n;
    }
    if (fsync(fd) != 0)
        return fail_errno(err, errno, "cannot flush the temporary file");
    return true;
}

/* Creates a new temporary file beside path; its name goes to *temp (ll_free it). */
static int create_temp(const char *path, char **temp, ll_error *err)
{
    static atomic_uint counter;
    const char *slash = strrchr(path, '/');
    size_t dir = slash != NULL ? (size_t)(slash - path) + 1 : 0;
    size_t room = strlen(path) + 64;
    char *name = ll_malloc(room);
    if (name == NULL) {
        ll_fail(err, LL_E_HOST_MEMORY, "out of host memory");
        return -1;
    }
    /* the same mode as the file being replaced, else 0666 less the umask */
    struct stat st;
    bool replace = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    int fd = -1;
    for (int attempt = 0; attempt < TEMP_ATTEMPTS && fd < 0; attempt++) {
        snprintf(name, room, "%.*s.%s.%ld.%u.tmp", (int)dir, path, path + dir, (long)getpid(),
                 atomic_fetch_add(&counter, 1u));
        fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        if (errno == EEXIST)
            ll_fail(err, LL_E_FILE, "cannot find a free temporary name in its folder");
        else
            fail_errno(err, errno, "cannot create a temporary file in its folder");
        ll_free(name);
        return -1;
    }
    if (replace && fchmod(fd, st.st_mode & 07777) != 0) {
        fail_errno(err, errno, "cannot set the temporary file's mode");
        close(fd);
        unlink(name);
        ll_free(name);
        return -1;
    }
    *temp = name;
    return fd;
}

static bool save_atomically(const char *path, const void *bytes, size_t size, ll_error *err)
{
    char *temp = NULL;
    int fd = create_temp(path, &temp, err);
    if (fd < 0)
        return false;
    bool ok = write_all(fd, bytes, size, err);
    if (close(fd) != 0 && ok)
        ok = fail_errno(err, errno, "cannot close the temporary file");
    if (ok && rename(temp, path) != 0)
        ok = fail_errno(err, errno, "cannot rename the temporary file over it");
    if (!ok)
        unlink(temp);
    ll_free(temp);
    return ok;
}

bool ll_image_write_file(const char *path, const ll_image_pixels *px, int quality,
                         ll_error *err)
{
    ll_image_format format;
    if (!ll_image_format_of_path(path, &format)) {
        ll_fail(err, LL_E_ARGUMENT, "path must end in .png, .jpg or .jpeg (any case), got '%s'",
                path);
        return ll_error_blame(err, 1);
    }
    void *bytes = NULL;
    size_t size = 0;
    if (!ll_image_check_pixels(format, px, quality, err))
        return false;
    if (!ll_image_encode(format, px, quality, &bytes, &size, err))
        return name_path(err, "write", path);
    bool ok = save_atomically(path, bytes, size, err);
    ll_free(bytes);
    return ok || name_path(err, "write", path);
}
