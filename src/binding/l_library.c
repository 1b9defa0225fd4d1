/* l_library.c: what session:loadLibrary (lua/library.lua) reads: every file of a node
 * library, from a folder (file_tree.h) or a .zip archive (zip_archive.h), as
 * ll._libraryFiles(path) -> kind ("folder" | "zip"), {{name = ..., data = ...}, ...}
 * sorted by name; and the built-in node library's builders, embedded at build time, in the
 * same form, as ll._nodeLibraryFiles(). Not for: registering programs or builders (the Lua
 * side does). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "binding.h"
#include "l_builders.h"
#include "lluvia/fault.h"
#include "lluvia/file_tree.h"
#include "lluvia/zip_archive.h"

/* One file read, until it is pushed. */
typedef struct entry {
    const char *name; /* in files.names or the archive */
    char *data;
    size_t size;
} entry;

/* Everything read, held by a to-be-closed userdata until pushed: an error while pushing
 * (Lua out of memory) frees it all the same. */
typedef struct files {
    entry *entries;
    size_t count;
    char **names; /* a folder's listing */
    size_t name_count;
    ll_zip *zip;
} files;

static int files_free(lua_State *L)
{
    files *f = lua_touserdata(L, 1);
    for (size_t i = 0; i < f->count; i++)
        ll_free(f->entries[i].data);
    ll_free(f->entries);
    ll_file_tree_free(f->names, f->name_count);
    ll_zip_close(f->zip);
    memset(f, 0, sizeof *f);
    return 0;
}

static bool read_folder(const char *root, files *f, ll_error *err)
{
    if (!ll_file_tree_list(root, &f->names, &f->name_count, err))
        return false;
    f->entries = ll_calloc(f->name_count + 1, sizeof *f->entries);
    if (f->entries == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory reading '%s'", root);
    size_t rlen = strlen(root);
    for (size_t i = 0; i < f->name_count; i++) {
        size_t plen = rlen + 1 + strlen(f->names[i]) + 1;
        char *path = ll_malloc(plen);
        if (path == NULL)
            return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory reading '%s'", root);
        snprintf(path, plen, "%s/%s", root, f->names[i]);
        entry *e = &f->entries[f->count];
        bool ok = ll_file_read(path, &e->data, &e->size, err);
        ll_free(path);
        if (!ok)
            return false;
        e->name = f->names[i];
        f->count++;
    }
    return true;
}

static int compare_entries(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

static bool read_zip(const char *path, files *f, ll_error *err)
{
    f->zip = ll_zip_open(path, err);
    if (f->zip == NULL)
        return false;
    size_t n = ll_zip_count(f->zip);
    f->entries = ll_calloc(n + 1, sizeof *f->entries);
    if (f->entries == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory reading '%s'", path);
    for (size_t i = 0; i < n; i++) {
        entry *e = &f->entries[f->count];
        if (!ll_zip_read(f->zip, i, &e->data, &e->size, err))
            return false;
        e->name = ll_zip_name(f->zip, i);
        f->count++;
    }
    qsort(f->entries, f->count, sizeof *f->entries, compare_entries);
    return true;
}

/* Pushes a zeroed userdata of `size` bytes whose __close and __gc call `release`: a guard
 * that frees what C holds while Lua may raise. */
static void *push_guard(lua_State *L, size_t size, const char *tname, lua_CFunction release)
{
    void *p = lua_newuserdatauv(L, size, 0);
    memset(p, 0, size);
    if (luaL_newmetatable(L, tname)) {
        lua_pushcfunction(L, release);
        lua_setfield(L, -2, "__close");
        lua_pushcfunction(L, release);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return p;
}

/* ll._libraryFiles(path) -> kind, files. */
static int l_library_files(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    files *f = push_guard(L, sizeof *f, "lluvia.libraryFiles", files_free);
    lua_toclose(L, -1);
    struct stat st;
    bool found = stat(path, &st) == 0;
    int errnum = errno;
    bool folder = found && S_ISDIR(st.st_mode);

    ll_error err;
    bool ok;
    if (!found)
        ok = ll_fail(&err, LL_E_FILE, "cannot open the library '%s': %s (a folder or a "
                     ".zip archive is expected)", path, strerror(errnum));
    else
        ok = folder ? read_folder(path, f, &err) : read_zip(path, f, &err);

    if (!ok)
        return ll_lua_raise(L, 0, &err);
    lua_pushstring(L, folder ? "folder" : "zip");
    lua_createtable(L, (int)f->count, 0);
    for (size_t i = 0; i < f->count; i++) {
        lua_createtable(L, 0, 2);
        lua_pushstring(L, f->entries[i].name);
        lua_setfield(L, -2, "name");
        lua_pushlstring(L, f->entries[i].data, f->entries[i].size);
        lua_setfield(L, -2, "data");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 2;
}

/* What ll._extractLibrary wrote, removed when the guard is closed or collected. */
typedef struct extracted {
    char *root;
    size_t count;
    char **names;
} extracted;

static int extracted_remove(lua_State *L)
{
    extracted *x = lua_touserdata(L, 1);
    ll_file_tree_remove_temp(x->root, x->count, (const char *const *)x->names);
    for (size_t i = 0; i < x->count; i++)
        ll_free(x->names[i]);
    ll_free(x->names);
    memset(x, 0, sizeof *x);
    return 0;
}

/* ll._extractLibrary({{name = ..., data = ...}, ...}) -> root, guard: the files written in
 * a new private folder (ll_file_tree_write_temp), for a zip library's shaders to include
 * one another; closing the guard (or collecting it) removes them. */
static int l_extract_library(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t n = (size_t)luaL_len(L, 1);
    extracted *x = push_guard(L, sizeof *x, "lluvia.extractedLibrary", extracted_remove);
    int guard = lua_gettop(L);
    const void **data = lua_newuserdatauv(L, (n + 1) * sizeof *data, 0);
    size_t *sizes = lua_newuserdatauv(L, (n + 1) * sizeof *sizes, 0);
    x->names = ll_calloc(n + 1, sizeof *x->names);
    if (x->names == NULL)
        return ll_lua_error(L, "out of host memory extracting a library");
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, 1, (lua_Integer)i + 1);
        lua_getfield(L, -1, "name");
        lua_getfield(L, -2, "data");
        size_t len;
        const char *name = luaL_checklstring(L, -2, &len);
        data[i] = luaL_checklstring(L, -1, &sizes[i]);
        lua_pop(L, 3); /* the strings stay referenced by the entry, itself by arg 1 */
        x->names[i] = ll_malloc(len + 1);
        if (x->names[i] == NULL)
            return ll_lua_error(L, "out of host memory extracting a library");
        memcpy(x->names[i], name, len + 1);
        x->count = i + 1;
    }

    ll_error err;
    char *root = NULL;
    bool ok = ll_file_tree_write_temp(n, (const char *const *)x->names, data, sizes, &root,
                                      &err);

    if (!ok)
        return ll_lua_raise(L, 0, &err); /* root is NULL: the guard frees the names only */
    x->root = root;
    lua_pushstring(L, root);
    lua_pushvalue(L, guard);
    return 2;
}

/* ll._debug.writeZip(path, {{name = ..., data = ...}, ...}): writes a zip archive, for the
 * specs of loadLibrary (zip_archive.h's ll_zip_write). Names are taken as they are, unsafe
 * ones too, so that specs can make the archives loadLibrary must refuse. */
static int l_write_zip(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    size_t n = (size_t)luaL_len(L, 2);
    const char **names = lua_newuserdatauv(L, (n + 1) * sizeof *names, 0);
    const void **data = lua_newuserdatauv(L, (n + 1) * sizeof *data, 0);
    size_t *sizes = lua_newuserdatauv(L, (n + 1) * sizeof *sizes, 0);
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, 2, (lua_Integer)i + 1);
        luaL_checktype(L, -1, LUA_TTABLE);
        lua_getfield(L, -1, "name");
        lua_getfield(L, -2, "data");
        names[i] = luaL_checkstring(L, -2);
        data[i] = luaL_checklstring(L, -1, &sizes[i]);
        lua_pop(L, 2); /* the strings stay referenced by the entry table, itself by arg 2 */
        lua_pop(L, 1);
    }

    ll_error err;
    bool ok = ll_zip_write(path, n, names, data, sizes, &err);

    if (!ok)
        return ll_lua_raise(L, 0, &err);
    return 0;
}

/* ll._nodeLibraryFiles() -> {{name = ..., data = ...}, ...}: the built-in node library's
 * builder scripts in name order (its programs are made on demand: l_program.c). */
static int l_node_library_files(lua_State *L)
{
    lua_newtable(L);
    for (const struct ll_embedded *f = ll_embedded_node_builders; f->name != NULL; f++) {
        lua_createtable(L, 0, 2);
        lua_pushstring(L, f->name);
        lua_setfield(L, -2, "name");
        lua_pushlstring(L, f->source, f->length);
        lua_setfield(L, -2, "data");
        lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    }
    return 1;
}

int ll_lua_open_library(lua_State *L)
{
    lua_pushcfunction(L, l_library_files);
    lua_setfield(L, -2, "_libraryFiles");
    lua_pushcfunction(L, l_extract_library);
    lua_setfield(L, -2, "_extractLibrary");
    lua_pushcfunction(L, l_node_library_files);
    lua_setfield(L, -2, "_nodeLibraryFiles");
    if (lua_getfield(L, -1, "_debug") == LUA_TTABLE) {
        lua_pushcfunction(L, l_write_zip);
        lua_setfield(L, -2, "writeZip");
    }
    lua_pop(L, 1);
    return 0;
}
