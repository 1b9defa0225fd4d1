/* file.c: reading whole files (file.h). */
#include "file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lluvia/fault.h"

bool ll_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool ll_read_file(const char *path, char **data, size_t *size, ll_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return ll_fail(err, LL_E_ARGUMENT, "cannot read '%s': %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return ll_fail(err, LL_E_ARGUMENT, "cannot read '%s': not a regular file", path);
    if ((uint64_t)st.st_size > LL_FILE_MAX)
        return ll_fail(err, LL_E_ARGUMENT, "cannot read '%s': %lld bytes, more than %zu",
                       path, (long long)st.st_size, LL_FILE_MAX);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return ll_fail(err, LL_E_ARGUMENT, "cannot read '%s': %s", path, strerror(errno));
    size_t n = (size_t)st.st_size;
    char *buf = ll_malloc(n + 1);
    if (buf == NULL) {
        fclose(f);
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory reading '%s' (%zu bytes)",
                       path, n);
    }
    size_t got = fread(buf, 1, n, f);
    bool failed = ferror(f) != 0 || got != n;
    fclose(f);
    if (failed) {
        ll_free(buf);
        return ll_fail(err, LL_E_ARGUMENT, "cannot read '%s': %s", path,
                       got != n ? "it changed while being read" : strerror(errno));
    }
    buf[n] = '\0';
    *data = buf;
    *size = n;
    return true;
}
