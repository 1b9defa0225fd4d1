/* zip_archive.c: zip archives through libzip (zip_archive.h). */
#include "lluvia/zip_archive.h"

#include <string.h>

#include <zip.h>

#include "lluvia/fault.h"

struct ll_zip {
    zip_t *archive;
    size_t count;
    zip_uint64_t *index;   /* the libzip index of each file */
    const char **names;    /* libzip's strings, valid while the archive is open */
    char path[];           /* for messages */
};

bool ll_zip_name_is_safe(const char *name)
{
    if (name == NULL || name[0] == '\0' || name[0] == '/')
        return false;
    const char *p = name;
    while (*p != '\0') {
        const char *end = strchr(p, '/');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (len == 0)
            return false; /* "a//b" */
        if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        if (memchr(p, '\\', len) != NULL)
            return false;
        if (end == NULL)
            break;
        p = end + 1; /* a trailing '/' ends the loop here */
    }
    return true;
}

static bool fail_libzip(ll_error *err, const char *path, const char *what, int code)
{
    zip_error_t ze;
    zip_error_init_with_code(&ze, code);
    ll_fail(err, LL_E_FILE, "%s '%s': %s", what, path, zip_error_strerror(&ze));
    zip_error_fini(&ze);
    return ll_error_blame(err, 1);
}

/* Lists the files of z->archive into z->index and z->names, checking each entry. */
static bool list_entries(ll_zip *z, ll_error *err)
{
    zip_int64_t n = zip_get_num_entries(z->archive, 0);
    if (n < 0)
        return ll_fail(err, LL_E_FILE, "cannot list the zip archive '%s'", z->path);
    z->index = ll_calloc((size_t)n + 1, sizeof *z->index);
    z->names = ll_calloc((size_t)n + 1, sizeof *z->names);
    if (z->index == NULL || z->names == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory listing '%s'", z->path);
    for (zip_uint64_t i = 0; i < (zip_uint64_t)n; i++) {
        zip_stat_t st;
        if (zip_stat_index(z->archive, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME))
            return ll_fail(err, LL_E_FILE, "zip archive '%s': entry %llu is unreadable",
                           z->path, (unsigned long long)i);
        if (!ll_zip_name_is_safe(st.name))
            return ll_fail(err, LL_E_FILE,
                           "zip archive '%s': entry name '%s' is not a safe relative path",
                           z->path, st.name);
        size_t len = strlen(st.name);
        if (st.name[len - 1] == '/')
            continue; /* a folder */
        if ((st.valid & ZIP_STAT_SIZE) && st.size > LL_ZIP_ENTRY_MAX)
            return ll_fail(err, LL_E_FILE,
                           "zip archive '%s': entry '%s' is %llu bytes, above the %zu MiB "
                           "an entry may hold", z->path, st.name,
                           (unsigned long long)st.size, LL_ZIP_ENTRY_MAX >> 20);
        z->index[z->count] = i;
        z->names[z->count] = st.name;
        z->count++;
    }
    return true;
}

ll_zip *ll_zip_open(const char *path, ll_error *err)
{
    size_t plen = strlen(path) + 1;
    ll_zip *z = ll_calloc(1, sizeof *z + plen);
    if (z == NULL) {
        ll_fail(err, LL_E_HOST_MEMORY, "out of host memory opening '%s'", path);
        return NULL;
    }
    memcpy(z->path, path, plen);
    int code = 0;
    z->archive = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (z->archive == NULL) {
        fail_libzip(err, path, "cannot open the zip archive", code);
        goto fail;
    }
    if (!list_entries(z, err)) {
        ll_error_blame(err, 1);
        goto fail;
    }
    return z;
fail:
    ll_zip_close(z);
    return NULL;
}

size_t ll_zip_count(const ll_zip *zip)
{
    return zip->count;
}

const char *ll_zip_name(const ll_zip *zip, size_t i)
{
    return i < zip->count ? zip->names[i] : NULL;
}

bool ll_zip_read(ll_zip *zip, size_t i, char **data, size_t *size, ll_error *err)
{
    if (i >= zip->count)
        return ll_fail(err, LL_E_FILE, "zip archive '%s' has no file %zu", zip->path, i);
    const char *name = zip->names[i];
    zip_stat_t st;
    if (zip_stat_index(zip->archive, zip->index[i], 0, &st) != 0 ||
        !(st.valid & ZIP_STAT_SIZE) || st.size > LL_ZIP_ENTRY_MAX) {
        ll_fail(err, LL_E_FILE, "zip archive '%s': entry '%s' has no readable size",
                zip->path, name);
        return ll_error_blame(err, 1);
    }
    size_t n = (size_t)st.size;
    char *buf = ll_malloc(n + 1);
    if (buf == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory reading '%s' from '%s'",
                       name, zip->path);
    zip_file_t *f = zip_fopen_index(zip->archive, zip->index[i], 0);
    zip_int64_t got = f != NULL ? zip_fread(f, buf, n) : -1;
    /* A short read, a longer entry than its header says, or a failed CRC at close. */
    char extra;
    bool ok = got == (zip_int64_t)n && (n == 0 || zip_fread(f, &extra, 1) == 0);
    ok = (f != NULL && zip_fclose(f) == 0) && ok;
    if (!ok) {
        zip_error_t *ze = zip_get_error(zip->archive);
        ll_fail(err, LL_E_FILE, "zip archive '%s': entry '%s' is damaged (%s)", zip->path,
                name, zip_error_strerror(ze));
        zip_error_clear(zip->archive);
        ll_free(buf);
        return ll_error_blame(err, 1);
    }
    buf[n] = '\0';
    *data = buf;
    *size = n;
    return true;
}

void ll_zip_close(ll_zip *zip)
{
    if (zip == NULL)
        return;
    if (zip->archive != NULL)
        zip_discard(zip->archive); /* read only: nothing to write back */
    ll_free(zip->index);
    ll_free(zip->names);
    ll_free(zip);
}

bool ll_zip_write(const char *path, size_t n, const char *const *names,
                  const void *const *data, const size_t *sizes, ll_error *err)
{
    int code = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (z == NULL)
        return fail_libzip(err, path, "cannot create the zip archive", code);
    for (size_t i = 0; i < n; i++) {
        zip_source_t *src = zip_source_buffer(z, data[i], sizes[i], 0);
        if (src == NULL || zip_file_add(z, names[i], src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) < 0) {
            zip_source_free(src);
            ll_fail(err, LL_E_FILE, "zip archive '%s': cannot add '%s': %s", path,
                    names[i], zip_strerror(z));
            zip_discard(z);
            return false;
        }
    }
    if (zip_close(z) != 0) {
        ll_fail(err, LL_E_FILE, "cannot write the zip archive '%s': %s", path,
                zip_strerror(z));
        zip_discard(z);
        return ll_error_blame(err, 1);
    }
    return true;
}
