/* file_tree.c: listing and reading the files of a folder tree (file_tree.h). */
#include "lluvia/file_tree.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lluvia/fault.h"
#include "lluvia/zip_archive.h"

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

/* root/name (ll_malloc'd), or NULL. */
static char *under(const char *root, const char *name, size_t name_len)
{
    size_t rlen = strlen(root);
    char *p = ll_malloc(rlen + 1 + name_len + 1);
    if (p != NULL) {
        memcpy(p, root, rlen);
        p[rlen] = '/';
        memcpy(p + rlen + 1, name, name_len);
        p[rlen + 1 + name_len] = '\0';
    }
    return p;
}

/* Makes the folders of name under root (each may exist already). */
static bool make_parents(const char *root, const char *name, ll_error *err)
{
    for (const char *slash = strchr(name, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        char *dir = under(root, name, (size_t)(slash - name));
        if (dir == NULL)
            return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory writing '%s'", name);
        bool ok = mkdir(dir, 0700) == 0 || errno == EEXIST;
        if (!ok)
            fail_path(err, "cannot make the folder", dir, errno);
        ll_free(dir);
        if (!ok)
            return false;
    }
    return true;
}

static bool write_one(const char *root, const char *name, const void *data, size_t size,
                      ll_error *err)
{
    if (!make_parents(root, name, err))
        return false;
    char *path = under(root, name, strlen(name));
    if (path == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory writing '%s'", name);
    FILE *f = fopen(path, "wbx"); /* never through something already there */
    bool ok = f != NULL && fwrite(data, 1, size, f) == size;
    int errnum = errno;
    ok = (f != NULL && fclose(f) == 0) && ok;
    if (!ok)
        fail_path(err, "cannot write", path, errnum);
    ll_free(path);
    return ok;
}

bool ll_file_tree_write_temp(size_t n, const char *const *names, const void *const *data,
                             const size_t *sizes, char **root, ll_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (!ll_zip_name_is_safe(names[i]) || names[i][strlen(names[i]) - 1] == '/') {
            ll_fail(err, LL_E_ARGUMENT, "'%s' is not a safe relative file name", names[i]);
            return ll_error_blame(err, 2);
        }
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    static const char pattern[] = "lluvia-library-XXXXXX";
    char *dir = under(tmp, pattern, sizeof pattern - 1);
    if (dir == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory for a temporary folder");
    if (mkdtemp(dir) == NULL) {
        fail_path(err, "cannot make a temporary folder in", tmp, errno);
        ll_free(dir);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (!write_one(dir, names[i], data[i], sizes[i], err)) {
            ll_file_tree_remove_temp(dir, i + 1, names);
            return false;
        }
    *root = dir;
    return true;
}

void ll_file_tree_remove_temp(char *root, size_t n, const char *const *names)
{
    if (root == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        char *path = under(root, names[i], strlen(names[i]));
        if (path != NULL)
            unlink(path);
        ll_free(path);
    }
    /* The folders, deepest first for each name; one still holding another's files stays
     * until that name's turn. */
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        for (size_t len = strlen(name); len > 0; len--) {
            if (name[len - 1] != '/' || len == 1)
                continue;
            char *dir = under(root, name, len - 1);
            if (dir != NULL)
                rmdir(dir);
            ll_free(dir);
        }
    }
    rmdir(root);
    ll_free(root);
}
