/* test_zip_archive.c: zip archives (zip_archive.h): written and read back, folder entries
 * left out, unsafe names refused, missing, foreign and damaged archives reported with
 * their path, and every host allocation of an open failing cleanly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "lluvia/fault.h"
#include "lluvia/zip_archive.h"
#include "test_util.h"

static char dir[] = "/tmp/ll_test_zip_XXXXXX";

static const char *path_of(const char *name)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static void write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    fwrite(data, 1, size, f);
    fclose(f);
}

static void test_names(void)
{
    const char *good[] = {"a", "a/b.lua", "lluvia/color/RGBA2Gray.comp.spv", "dir/", "..a", "a.."};
    const char *bad[] = {"", "/a", "../a", "a/../b", "a/..", "./a", "a/./b", "a//b", "a\\b",
                         "..", "."};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        CHECK_MSG(ll_zip_name_is_safe(good[i]), "%s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_MSG(!ll_zip_name_is_safe(bad[i]), "%s", bad[i]);
    CHECK(!ll_zip_name_is_safe(NULL));
}

static void test_round_trip(void)
{
    const char *names[] = {"lib/a.lua", "lib/sub/b.comp.spv", "empty"};
    const void *data[] = {"return 1", "\x03\x02\x23\x07", ""};
    const size_t sizes[] = {8, 4, 0};
    ll_error err;
    const char *path = path_of("lib.zip");
    CHECK(ll_zip_write(path, 3, names, data, sizes, &err));
    ll_zip *z = ll_zip_open(path, &err);
    CHECK_MSG(z != NULL, "%s", err.message);
    if (z == NULL)
        return;
    CHECK(ll_zip_count(z) == 3);
    for (size_t i = 0; i < 3; i++) {
        CHECK(strcmp(ll_zip_name(z, i), names[i]) == 0);
        char *got;
        size_t n;
        CHECK(ll_zip_read(z, i, &got, &n, &err));
        CHECK(n == sizes[i] && memcmp(got, data[i], n) == 0 && got[n] == '\0');
        ll_free(got);
    }
    CHECK(ll_zip_name(z, 3) == NULL);
    char *got;
    size_t n;
    CHECK(!ll_zip_read(z, 3, &got, &n, &err));
    ll_zip_close(z);
    ll_zip_close(NULL);
}

/* An archive with a folder entry and a file, written with libzip directly. */
static void test_folders_left_out(void)
{
    int code;
    const char *path = path_of("folders.zip");
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code);
    CHECK(za != NULL);
    CHECK(zip_dir_add(za, "lluvia", 0) >= 0);
    zip_source_t *src = zip_source_buffer(za, "x", 1, 0);
    CHECK(zip_file_add(za, "lluvia/x.lua", src, 0) >= 0);
    CHECK(zip_close(za) == 0);
    ll_error err;
    ll_zip *z = ll_zip_open(path, &err);
    CHECK(z != NULL && ll_zip_count(z) == 1 && strcmp(ll_zip_name(z, 0), "lluvia/x.lua") == 0);
    ll_zip_close(z);
}

static void expect_open_error(const char *path, const char *fragment)
{
    ll_error err;
    CHECK(ll_zip_open(path, &err) == NULL);
    CHECK(err.code == LL_E_FILE);
    CHECK(err.operand == 1);
    CHECK_MSG(strstr(err.message, fragment) != NULL, "%s", err.message);
    CHECK_MSG(strstr(err.message, path) != NULL, "%s", err.message);
}

static void test_bad_archives(void)
{
    expect_open_error(path_of("missing.zip"), "cannot open the zip archive");
    write_file(path_of("text.zip"), "not a zip archive at all", 24);
    expect_open_error(path_of("text.zip"), "Not a zip archive");

    const char *names[] = {"../evil.lua"};
    const void *data[] = {"x"};
    const size_t sizes[] = {1};
    ll_error err;
    CHECK(ll_zip_write(path_of("slip.zip"), 1, names, data, sizes, &err));
    expect_open_error(path_of("slip.zip"), "entry name '../evil.lua' is not a safe relative path");

    /* A truncated archive: the first half of a valid one. */
    const char *n2[] = {"a.lua"};
    char big[4096];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7);
    const void *d2[] = {big};
    const size_t s2[] = {sizeof big};
    CHECK(ll_zip_write(path_of("whole.zip"), 1, n2, d2, s2, &err));
    FILE *f = fopen(path_of("whole.zip"), "rb");
    char bytes[8192];
    size_t n = f != NULL ? fread(bytes, 1, sizeof bytes, f) : 0;
    if (f != NULL)
        fclose(f);
    write_file(path_of("cut.zip"), bytes, n / 2);
    expect_open_error(path_of("cut.zip"), "cut.zip");

    /* A damaged entry: one byte of the compressed data flipped (the CRC fails). */
    bytes[40] ^= 0x55;
    write_file(path_of("crc.zip"), bytes, n);
    ll_zip *z = ll_zip_open(path_of("crc.zip"), &err);
    CHECK_MSG(z != NULL || strstr(err.message, "crc.zip") != NULL, "%s", err.message);
    if (z != NULL) {
        char *got;
        size_t size;
        CHECK(!ll_zip_read(z, 0, &got, &size, &err));
        CHECK_MSG(strstr(err.message, "entry 'a.lua' is damaged") != NULL, "%s", err.message);
        ll_zip_close(z);
    }
}

static void test_open_faults(void)
{
    const char *names[] = {"a", "b"};
    const void *data[] = {"1", "2"};
    const size_t sizes[] = {1, 1};
    ll_error err;
    const char *path = path_of("faults.zip");
    CHECK(ll_zip_write(path, 2, names, data, sizes, &err));
    for (uint64_t n = 1;; n++) {
        ll_fault_clear();
        ll_fault_fail_after(LL_FAULT_HOST, n);
        ll_zip *z = ll_zip_open(path, &err);
        bool fired = ll_fault_fired() > 0;
        ll_fault_clear();
        if (!fired) {
            CHECK(z != NULL);
            ll_zip_close(z);
            break;
        }
        CHECK(z == NULL && err.code == LL_E_HOST_MEMORY);
    }
}

int main(void)
{
    if (mkdtemp(dir) == NULL)
        return 1;
    test_names();
    test_round_trip();
    test_folders_left_out();
    test_bad_archives();
    test_open_faults();
    const char *files[] = {"lib.zip", "folders.zip", "text.zip", "slip.zip", "whole.zip",
                           "cut.zip", "crc.zip", "faults.zip"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        unlink(path_of(files[i]));
    rmdir(dir);
    return test_finish("zip_archive");
}
