/* file_tree.c: listing and reading the files of a folder tree (file_tree.h). */
#include "lluvia/file_tree.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lluvia/fault.h"

typedef struct list {
    char **names;
    size_t count, capacity;
    size_t root_length; /* bytes of "root/" that each full path starts with */
} list;

static bool push_name(list *l, const char *full, ll_error *err)
{
    if (l->count == l->capacity) {
        size_t cap = l->capacity == 0 ? 16 : l->capacity * 2;
        char **grown = ll_realloc(l->names, cap * sizeof *grown);
        if (grown == NULL)
            return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory listing files");
        l->names = grown;
        l->capacity = cap;
    }
    const char *rel = full + l->root_length;
    size_t n = strlen(rel) + 1;
    char *copy = ll_malloc(n);
    if (copy == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory listing files");
    memcpy(copy, rel, n);
    l->names[l->count++] = copy;
    return true;
}

static bool fail_path(ll_error *err, const char *what, const char *path, int errnum)
{
    ll_fail(err, LL_E_FILE, "%s '%s': %s", what, path, strerror(errnum));
    return ll_error_blame(err, 1);
}

/* Adds the files below the folder `path` (a full path, which has room to grow in buf). */
static bool walk(list *l, char *path, size_t size, int depth, ll_error *err)
{
    if (depth > LL_FILE_TREE_DEPTH) {
        ll_fail(err, LL_E_FILE, "cannot list '%s': folders nest deeper than %d levels",
                path, LL_FILE_TREE_DEPTH);
        return ll_error_blame(err, 1);
    }
    DIR *d = opendir(path);
    if (d == NULL)
        return fail_path(err, "cannot list the folder", path, errno);
    size_t len = strlen(path);
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue; /* ".", "..", hidden files */
        size_t n = strlen(e->d_name);
        if (len + 1 + n + 1 > size) {
            ll_fail(err, LL_E_FILE, "cannot list '%s/%s': the path is too long", path,
                    e->d_name);
            ok = ll_error_blame(err, 1);
            break;
        }
        path[len] = '/';
        memcpy(path + len + 1, e->d_name, n + 1);
        struct stat st;
        if (stat(path, &st) != 0)
            ok = fail_path(err, "cannot read", path, errno);
        else if (S_ISDIR(st.st_mode))
            ok = walk(l, path, size, depth + 1, err);
        else if (S_ISREG(st.st_mode))
            ok = push_name(l, path, err);
        path[len] = '\0';
    }
    closedir(d);
    return ok;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool ll_file_tree_list(const char *root, char ***names, size_t *count, ll_error *err)
{
    struct stat st;
    if (stat(root, &st) != 0)
        return fail_path(err, "cannot open the folder", root, errno);
    if (!S_ISDIR(st.st_mode)) {
        ll_fail(err, LL_E_FILE, "'%s' is not a folder", root);
        return ll_error_blame(err, 1);
    }
    char path[4096];
    size_t rlen = strlen(root);
    while (rlen > 1 && root[rlen - 1] == '/')
        rlen--; /* "lib/" lists as "lib" */
    if (rlen + 2 > sizeof path) {
        ll_fail(err, LL_E_FILE, "cannot list '%s': the path is too long", root);
        return ll_error_blame(err, 1);
    }
    memcpy(path, root, rlen);
    path[rlen] = '\0';
    list l = {.root_length = rlen + 1};
    if (!walk(&l, path, sizeof path, 0, err)) {
        ll_file_tree_free(l.names, l.count);
        return false;
    }
    qsort(l.names, l.count, sizeof *l.names, compare_names);
    *names = l.names;
    *count = l.count;
    return true;
}

void ll_file_tree_free(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        ll_free(names[i]);
    ll_free(names);
}

bool ll_file_read(const char *path, char **data, size_t *size, ll_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return fail_path(err, "cannot open", path, errno);
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        ll_fail(err, LL_E_FILE, "cannot read '%s': not a regular file", path);
        return ll_error_blame(err, 1);
    }
    if ((uint64_t)st.st_size > LL_FILE_MAX) {
        fclose(f);
        ll_fail(err, LL_E_FILE, "cannot read '%s': %lld bytes, above the %zu MiB taken",
                path, (long long)st.st_size, LL_FILE_MAX >> 20);
        return ll_error_blame(err, 1);
    }
    size_t n = (size_t)st.st_size;
    char *buf = ll_malloc(n + 1);
    if (buf == NULL) {
        fclose(f);
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory reading '%s'", path);
    }
    size_t got = fread(buf, 1, n, f);
    bool failed = ferror(f) || got != n;
    fclose(f);
    if (failed) {
        ll_free(buf);
        ll_fail(err, LL_E_FILE, "cannot read '%s': short read", path);
        return ll_error_blame(err, 1);
    }
    buf[n] = '\0';
    *data = buf;
    *size = n;
    return true;
}
