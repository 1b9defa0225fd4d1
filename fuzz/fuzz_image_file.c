/* fuzz_image_file.c: libFuzzer target for the image decoders (image_file.h): the input is
 * the bytes of a file, PNG or JPEG or anything. Probe and decode must either succeed or
 * fail with a file, unsupported or memory error, never crash; a decoded PNG, encoded again
 * and decoded, must give the same pixels, and a forced channel count the same as
 * converting. With LLUVIA_FUZZ_SEEDS=<dir> set, it first writes small PNGs and JPEGs of
 * every layout it writes into <dir> as a seed corpus (.ci/run does), so that no binary
 * corpus lives in the repository. Not for: speed measurements. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lluvia/fault.h"
#include "lluvia/image_file.h"

/* Larger images are probed but not decoded: decoding is linear in the pixels, and the
 * fuzzer should spend its time on the parsers, not on filling memory. */
#define FUZZ_MAX_PIXELS (1u << 20)
#define FUZZ_ROUND_TRIP_PIXELS (1u << 14) /* re-encode only small pictures */

static void fuzz_die(const char *what, const char *message)
{
    fprintf(stderr, "fuzz_image_file: %s: %s\n", what, message);
    abort();
}

static bool expected_failure(const ll_error *err)
{
    return err->code == LL_E_FILE || err->code == LL_E_UNSUPPORTED ||
           err->code == LL_E_HOST_MEMORY;
}

static void write_seed(const char *dir, const char *name, ll_image_format format,
                       const ll_image_pixels *px)
{
    void *bytes = NULL;
    size_t size = 0;
    ll_error err;
    if (!ll_image_encode(format, px, 75, &bytes, &size, &err))
        fuzz_die("encoding a seed", err.message);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(bytes, 1, size, f) != size)
        fuzz_die("writing a seed", path);
    fclose(f);
    ll_free(bytes);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("LLUVIA_FUZZ_SEEDS");
    if (dir == NULL || dir[0] == '\0')
        return 0;
    static uint16_t pixels[9 * 13 * 4];
    for (size_t i = 0; i < sizeof pixels / sizeof pixels[0]; i++)
        pixels[i] = (uint16_t)(i * 2654435761u >> 7);
    for (uint32_t c = 1; c <= 4; c++) {
        char name[64];
        for (int deep = 0; deep < 2; deep++) {
            ll_image_pixels px = {pixels, 13, 9, c, deep ? LL_UINT16 : LL_UINT8};
            snprintf(name, sizeof name, "seed_%u_%s.png", c, deep ? "u16" : "u8");
            write_seed(dir, name, LL_IMAGE_PNG, &px);
        }
        if (c == 1 || c == 3) {
            ll_image_pixels px = {pixels, 13, 9, c, LL_UINT8};
            snprintf(name, sizeof name, "seed_%u.jpg", c);
            write_seed(dir, name, LL_IMAGE_JPEG, &px);
        }
    }
    return 0;
}

/* Encodes the decoded pixels as PNG and decodes them again: they must be the same. */
static void round_trip(const ll_image_info *info, const void *pixels, uint64_t size)
{
    ll_image_pixels px = {pixels, info->width, info->height, info->channels, info->dtype};
    void *png = NULL;
    size_t png_size = 0;
    ll_error err;
    if (!ll_image_encode(LL_IMAGE_PNG, &px, 90, &png, &png_size, &err))
        fuzz_die("re-encoding decoded pixels", err.message);
    void *again = malloc(size);
    if (again == NULL)
        fuzz_die("round trip", "out of memory");
    if (!ll_image_decode(png, png_size, 0, again, size, &err))
        fuzz_die("decoding our own PNG", err.message);
    if (memcmp(again, pixels, size) != 0)
        fuzz_die("round trip", "the pixels changed");
    free(again);
    ll_free(png);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ll_image_info info;
    ll_error err;
    if (!ll_image_probe(data, size, &info, &err)) {
        if (!expected_failure(&err))
            fuzz_die("probe failed with an unexpected code", err.message);
        return 0;
    }
    if (info.width == 0 || info.height == 0 || info.width > LL_IMAGE_MAX_SIDE ||
        info.height > LL_IMAGE_MAX_SIDE || info.channels < 1 || info.channels > 4 ||
        (info.dtype != LL_UINT8 && info.dtype != LL_UINT16) ||
        (info.format == LL_IMAGE_JPEG && info.dtype != LL_UINT8))
        fuzz_die("probe", "accepted a header outside the limits");
    if ((uint64_t)info.width * info.height > FUZZ_MAX_PIXELS)
        return 0;
    uint64_t stored = ll_image_decoded_size(&info, info.channels);
    void *pixels = malloc(stored);
    if (pixels == NULL)
        fuzz_die("decode", "out of memory");
    if (!ll_image_decode(data, size, 0, pixels, stored, &err)) {
        if (!expected_failure(&err))
            fuzz_die("decode failed with an unexpected code", err.message);
        free(pixels);
        return 0;
    }
    /* One forced count per input (by its size), which must decode too. */
    uint32_t forced = 1 + (uint32_t)(size % 4);
    uint64_t forced_size = ll_image_decoded_size(&info, forced);
    void *converted = malloc(forced_size);
    if (converted == NULL)
        fuzz_die("decode", "out of memory");
    if (!ll_image_decode(data, size, forced, converted, forced_size, &err))
        fuzz_die("a decoded file failed with forced channels", err.message);
    free(converted);
    if ((uint64_t)info.width * info.height <= FUZZ_ROUND_TRIP_PIXELS)
        round_trip(&info, pixels, stored);
    free(pixels);
    return 0;
}
