/* test_image_file.c: unit tests of image_file.c: PNG and JPEG round trips in memory, the
 * header, the channel conversions, every prefix of a file refused cleanly, argument checks
 * and their blamed operands, readers and atomic writes on files, and each host allocation
 * failing in turn with nothing leaked (glibc's count of bytes in use is as before; under
 * AddressSanitizer its leak check covers the same). Not for: the Lua API
 * (spec/image_file_spec.lua). */
#define _DEFAULT_SOURCE /* mallinfo2 */
#include <dirent.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lluvia/fault.h"
#include "lluvia/image_file.h"
#include "test_util.h"

#define W 19
#define H 11
#define MAX_FAULTS 500 /* far more allocations than one call makes */

static uint8_t pixels8[H * W * 4];
static uint16_t pixels16[H * W * 4];

static void fill_pixels(void)
{
    for (size_t i = 0; i < sizeof pixels8; i++)
        pixels8[i] = (uint8_t)((i * 7919 + i * i * 31) % 256);
    for (size_t i = 0; i < H * W * 4; i++)
        pixels16[i] = (uint16_t)((i * 7919 + i * i * 31) % 65536);
}

/* Smooth content, which JPEG keeps within a few levels. */
static void fill_smooth(uint8_t *p, uint32_t c)
{
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++)
            for (uint32_t k = 0; k < c; k++)
                p[(y * W + x) * c + k] = (uint8_t)(40 + x * 6 + y * 5 + k * 10);
}

static size_t bytes_in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

static ll_image_pixels px_of(const void *data, uint32_t c, ll_dtype t)
{
    return (ll_image_pixels){data, W, H, c, t};
}

static bool encode(ll_image_format f, ll_image_pixels px, void **out, size_t *size)
{
    ll_error err;
    bool ok = ll_image_encode(f, &px, 90, out, size, &err);
    CHECK_MSG(ok, "%s", err.message);
    return ok;
}

static void test_detect_and_paths(void)
{
    ll_image_format f = 0;
    CHECK(ll_image_detect("\x89PNG\r\n\x1a\n", 8, &f) && f == LL_IMAGE_PNG);
    CHECK(ll_image_detect("\xFF\xD8\xFF\xE0", 4, &f) && f == LL_IMAGE_JPEG);
    CHECK(!ll_image_detect("\x89PNG\r\n\x1a", 7, &f));
    CHECK(!ll_image_detect("\xFF\xD8", 2, &f));
    CHECK(!ll_image_detect("GIF89a", 6, &f));
    CHECK(ll_image_format_of_path("a/b.PNG", &f) && f == LL_IMAGE_PNG);
    CHECK(ll_image_format_of_path("x.Jpeg", &f) && f == LL_IMAGE_JPEG);
    CHECK(ll_image_format_of_path("x.jpg", &f) && f == LL_IMAGE_JPEG);
    CHECK(!ll_image_format_of_path("x.png/", &f));
    CHECK(!ll_image_format_of_path("dir.png/x", &f));
    CHECK(!ll_image_format_of_path("png", &f));
    CHECK(!ll_image_format_of_path("x.gif", &f));
    CHECK(strcmp(ll_image_format_name(LL_IMAGE_JPEG), "JPEG") == 0);
}

/* Encodes src in `format`, checks the header, decodes the stored channels into out. */
static bool decode_own(ll_image_format format, const void *src, uint32_t c, ll_dtype t,
                       void *out, uint64_t out_size)
{
    void *bytes = NULL;
    size_t size = 0;
    if (!encode(format, px_of(src, c, t), &bytes, &size))
        return false;
    ll_image_info info;
    ll_error err;
    bool ok = ll_image_probe(bytes, size, &info, &err);
    CHECK_MSG(ok, "%s", err.message);
    CHECK(info.format == format && info.width == W && info.height == H);
    CHECK(info.channels == c && info.dtype == t);
    CHECK(ll_image_decoded_size(&info, c) == out_size);
    ok = ok && ll_image_decode(bytes, size, 0, out, out_size, &err);
    CHECK_MSG(ok, "%s", err.message);
    ll_free(bytes);
    return ok;
}

static void test_png_round_trips(void)
{
    for (int deep = 0; deep < 2; deep++) {
        for (uint32_t c = 1; c <= 4; c++) {
            ll_dtype t = deep ? LL_UINT16 : LL_UINT8;
            const void *src = deep ? (const void *)pixels16 : pixels8;
            uint64_t n = (uint64_t)W * H * c * (deep ? 2 : 1);
            void *back = malloc(n);
            if (decode_own(LL_IMAGE_PNG, src, c, t, back, n))
                CHECK_MSG(memcmp(back, src, n) == 0, "%" PRIu32 " channels, %s", c,
                          ll_dtype_name(t));
            free(back);
        }
    }
}

static void test_jpeg_round_trips(void)
{
    for (uint32_t c = 1; c <= 3; c += 2) {
        uint8_t src[H * W * 3], back[H * W * 3];
        fill_smooth(src, c);
        if (!decode_own(LL_IMAGE_JPEG, src, c, LL_UINT8, back, (uint64_t)H * W * c))
            continue;
        int worst = 0;
        for (size_t i = 0; i < (size_t)H * W * c; i++) {
            int d = abs((int)src[i] - (int)back[i]);
            worst = d > worst ? d : worst;
        }
        CHECK_MSG(worst <= 12, "JPEG of %" PRIu32 " channels off by %d", c, worst);
    }
}

/* Every forced count, against the documented rules, for one stored count. */
static void test_conversions(void)
{
    for (uint32_t cin = 1; cin <= 4; cin++) {
        void *png = NULL;
        size_t size = 0;
        if (!encode(LL_IMAGE_PNG, px_of(pixels8, cin, LL_UINT8), &png, &size))
            continue;
        for (uint32_t cout = 1; cout <= 4; cout++) {
            uint8_t out[H * W * 4];
            ll_error err;
            CHECK(ll_image_decode(png, size, cout, out, (uint64_t)H * W * cout, &err));
            for (size_t i = 0; i < (size_t)H * W; i++) {
                const uint8_t *s = pixels8 + i * cin;
                uint32_t r = s[0], g = cin >= 3 ? s[1] : s[0], b = cin >= 3 ? s[2] : s[0];
                uint32_t a = cin == 2 || cin == 4 ? s[cin - 1] : 255;
                uint32_t y = cin >= 3 ? (19595 * r + 38470 * g + 7471 * b + 32768) >> 16 : r;
                uint32_t want[4][4] = {{y}, {y, a}, {r, g, b}, {r, g, b, a}};
                for (uint32_t k = 0; k < cout; k++)
                    CHECK_MSG(out[i * cout + k] == want[cout - 1][k],
                              "%" PRIu32 " -> %" PRIu32 " pixel %zu channel %" PRIu32, cin,
                              cout, i, k);
            }
        }
        ll_free(png);
    }
}

/* Every prefix of a valid file is refused with LL_E_FILE (the last few bytes of PNG's
 * IEND CRC and JPEG's EOI aside: the image is complete without them). */
static void test_prefixes(void)
{
    for (int f = 0; f < 2; f++) {
        void *bytes = NULL;
        size_t size = 0;
        ll_image_format format = f == 0 ? LL_IMAGE_PNG : LL_IMAGE_JPEG;
        if (!encode(format, px_of(pixels8, 3, LL_UINT8), &bytes, &size))
            continue;
        uint8_t out[H * W * 3];
        size_t complete = f == 0 ? size - 4 : size - 2;
        int accepted = 0;
        for (size_t n = 0; n < complete; n++) {
            ll_error err;
            if (ll_image_decode(bytes, n, 3, out, sizeof out, &err)) {
                accepted++;
                continue;
            }
            CHECK_MSG(err.code == LL_E_FILE, "%s prefix %zu: %s", ll_image_format_name(format),
                      n, err.message);
        }
        CHECK_MSG(accepted == 0, "%d prefixes of a %s accepted", accepted,
                  ll_image_format_name(format));
        ll_free(bytes);
    }
}

static void test_arguments(void)
{
    void *png = NULL;
    size_t size = 0;
    if (!encode(LL_IMAGE_PNG, px_of(pixels8, 3, LL_UINT8), &png, &size))
        return;
    uint8_t out[H * W * 4];
    ll_error err;
    CHECK(!ll_image_decode(png, size, 5, out, sizeof out, &err));
    CHECK(err.code == LL_E_ARGUMENT && err.operand == 3);
    CHECK(!ll_image_decode(png, size, 3, out, sizeof out, &err));
    CHECK(err.code == LL_E_ARGUMENT && err.operand == 5);
    CHECK(!ll_image_decode(NULL, 0, 3, out, sizeof out, &err) && err.code == LL_E_FILE);
    CHECK(!ll_image_probe("\x89PNG", 4, &(ll_image_info){0}, &err) && err.code == LL_E_FILE);
    ll_free(png);

    ll_image_pixels px = px_of(pixels8, 3, LL_FLOAT32);
    CHECK(!ll_image_check_pixels(LL_IMAGE_PNG, &px, 90, &err) && err.operand == 2);
    CHECK(strstr(err.message, "uint8 or uint16 for PNG") != NULL);
    px = px_of(pixels16, 3, LL_UINT16);
    CHECK(!ll_image_check_pixels(LL_IMAGE_JPEG, &px, 90, &err) && err.operand == 2);
    CHECK(ll_image_check_pixels(LL_IMAGE_PNG, &px, 90, &err));
    px = px_of(pixels8, 4, LL_UINT8);
    CHECK(!ll_image_check_pixels(LL_IMAGE_JPEG, &px, 90, &err));
    CHECK(strstr(err.message, "JPEG takes 1 or 3 channels") != NULL);
    px.channels = 5;
    CHECK(!ll_image_check_pixels(LL_IMAGE_PNG, &px, 90, &err) && err.code == LL_E_ARGUMENT);
    px = px_of(pixels8, 1, LL_UINT8);
    CHECK(!ll_image_check_pixels(LL_IMAGE_JPEG, &px, 0, &err) && err.operand == 3);
    CHECK(!ll_image_check_pixels(LL_IMAGE_JPEG, &px, 101, &err) && err.operand == 3);
    px.width = 0;
    CHECK(!ll_image_check_pixels(LL_IMAGE_PNG, &px, 90, &err) && err.code == LL_E_ARGUMENT);
    px.width = 65500;
    px.height = 65500;
    CHECK(!ll_image_check_pixels(LL_IMAGE_PNG, &px, 90, &err) && err.operand == 2);
    CHECK(strstr(err.message, "beyond the limit") != NULL);
    px.width = 65501;
    px.height = 1;
    CHECK(!ll_image_check_pixels(LL_IMAGE_JPEG, &px, 90, &err));
    CHECK(strstr(err.message, "65500") != NULL);
}

static char dir[] = "/tmp/test_image_file.XXXXXX";

static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    int n = 0;
    if (d == NULL)
        return -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

static bool same_text(const char *path, const char *text)
{
    char buf[64] = "";
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strcmp(buf, text) == 0;
}

static void test_files(void)
{
    char path[256], sub[256];
    ll_error err;
    snprintf(path, sizeof path, "%s/a.png", dir);
    ll_image_pixels px = px_of(pixels8, 4, LL_UINT8);
    CHECK_MSG(ll_image_write_file(path, &px, 90, &err), "%s", err.message);
    ll_image_reader *r = ll_image_reader_open(path, &err);
    CHECK_MSG(r != NULL, "%s", err.message);
    if (r != NULL) {
        const ll_image_info *info = ll_image_reader_info(r);
        CHECK(info->channels == 4 && info->width == W && info->height == H);
        uint8_t out[H * W * 4];
        CHECK(ll_image_reader_decode(r, 0, out, sizeof out, &err));
        CHECK(memcmp(out, pixels8, sizeof out) == 0);
        CHECK(!ll_image_reader_decode(r, 0, out, 3, &err));
        CHECK(strstr(err.message, path) != NULL);
        ll_image_reader_close(r);
    }
    CHECK(count_entries(dir) == 1);
    remove(path);

    snprintf(path, sizeof path, "%s/missing.png", dir);
    CHECK(ll_image_reader_open(path, &err) == NULL && err.code == LL_E_FILE);
    CHECK(strstr(err.message, "cannot read image '") != NULL && strstr(err.message, path));
    CHECK(ll_image_reader_open(dir, &err) == NULL && strstr(err.message, "is a directory"));
    CHECK(ll_image_reader_open("/dev/null", &err) == NULL);
    CHECK(strstr(err.message, "not a regular file") != NULL);
    snprintf(path, sizeof path, "%s/empty.png", dir);
    write_text(path, "");
    CHECK(ll_image_reader_open(path, &err) == NULL && strstr(err.message, "is empty"));
    remove(path);

    /* a failing write leaves the old file and no temporary file */
    snprintf(path, sizeof path, "%s/keep.jpg", dir);
    write_text(path, "old");
    px = px_of(pixels8, 2, LL_UINT8);
    CHECK(!ll_image_write_file(path, &px, 90, &err) && err.code == LL_E_ARGUMENT);
    CHECK(same_text(path, "old"));
    snprintf(path, sizeof path, "%s/keep.gif", dir);
    CHECK(!ll_image_write_file(path, &px, 90, &err) && err.operand == 1);
    snprintf(sub, sizeof sub, "%s/taken.png", dir);
    CHECK(mkdir(sub, 0700) == 0);
    px = px_of(pixels8, 3, LL_UINT8);
    CHECK(!ll_image_write_file(sub, &px, 90, &err) && err.code == LL_E_FILE);
    CHECK(strstr(err.message, "cannot rename") != NULL);
    CHECK(count_entries(dir) == 2); /* keep.jpg and the folder */
    rmdir(sub);
    snprintf(path, sizeof path, "%s/keep.jpg", dir);
    remove(path);
}

/* Each host allocation of `call` failing in turn: LL_E_HOST_MEMORY, nothing leaked, the
 * folder as it was; then the call runs through. */
typedef bool (*faulted_call)(ll_error *err);

static void drive_faults(const char *what, faulted_call call)
{
    int failures = 0;
    for (uint64_t n = 1; n <= MAX_FAULTS; n++) {
        int entries = count_entries(dir);
        size_t before = bytes_in_use();
        ll_error err;
        ll_fault_clear();
        ll_fault_fail_after(LL_FAULT_HOST, n);
        bool ok = call(&err);
        uint64_t fired = ll_fault_fired();
        ll_fault_clear();
        if (ok) {
            CHECK_MSG(fired == 0, "%s: succeeded through fault %" PRIu64, what, n);
            break;
        }
        failures++;
        CHECK_MSG(fired == 1 && err.code == LL_E_HOST_MEMORY, "%s fault %" PRIu64 ": %s", what,
                  n, err.message);
        CHECK_MSG(bytes_in_use() == before, "%s fault %" PRIu64 ": %zu bytes leaked", what, n,
                  bytes_in_use() - before);
        CHECK_MSG(count_entries(dir) == entries, "%s fault %" PRIu64 ": a file left", what, n);
    }
    CHECK_MSG(failures >= 2, "%s: %d allocations reached", what, failures);
}

static void *fault_png;
static size_t fault_png_size;
static char fault_path[256];

static bool decode_png_gray(ll_error *err)
{
    uint8_t out[H * W];
    return ll_image_decode(fault_png, fault_png_size, 1, out, sizeof out, err);
}

/* Encodes 16-bit RGB as PNG or 8-bit RGB as JPEG, and frees the result. */
static bool encode_and_free(ll_image_format format, ll_error *err)
{
    bool png = format == LL_IMAGE_PNG;
    ll_image_pixels px = px_of(png ? (const void *)pixels16 : pixels8, 3,
                               png ? LL_UINT16 : LL_UINT8);
    void *out = NULL;
    size_t size = 0;
    bool ok = ll_image_encode(format, &px, 90, &out, &size, err);
    ll_free(out);
    return ok;
}

static bool encode_png(ll_error *err) { return encode_and_free(LL_IMAGE_PNG, err); }
static bool encode_jpeg(ll_error *err) { return encode_and_free(LL_IMAGE_JPEG, err); }

static bool read_file(ll_error *err)
{
    ll_image_reader *r = ll_image_reader_open(fault_path, err);
    if (r == NULL)
        return false;
    uint8_t out[H * W * 4];
    bool ok = ll_image_reader_decode(r, 4, out, sizeof out, err);
    ll_image_reader_close(r);
    return ok;
}

static bool write_file(ll_error *err)
{
    ll_image_pixels px = px_of(pixels8, 1, LL_UINT8);
    bool ok = ll_image_write_file(fault_path, &px, 90, err);
    if (!ok && !same_text(fault_path, "old"))
        CHECK_MSG(false, "a failed write changed %s", fault_path);
    return ok;
}

static void test_faults(void)
{
    if (!encode(LL_IMAGE_PNG, px_of(pixels8, 3, LL_UINT8), &fault_png, &fault_png_size))
        return;
    drive_faults("decode", decode_png_gray);
    drive_faults("encode PNG", encode_png);
    drive_faults("encode JPEG", encode_jpeg);
    snprintf(fault_path, sizeof fault_path, "%s/fault.png", dir);
    FILE *f = fopen(fault_path, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        fwrite(fault_png, 1, fault_png_size, f);
        fclose(f);
    }
    drive_faults("read", read_file);
    remove(fault_path);
    snprintf(fault_path, sizeof fault_path, "%s/fault.png", dir);
    write_text(fault_path, "old");
    drive_faults("write", write_file);
    remove(fault_path);
    ll_free(fault_png);
}

int main(void)
{
    fill_pixels();
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_detect_and_paths();
    test_png_round_trips();
    test_jpeg_round_trips();
    test_conversions();
    test_prefixes();
    test_arguments();
    test_files();
    test_faults();
    rmdir(dir);
    return test_finish("image_file");
}
