/* l_buffer.c: the Lua Buffer type and the Memory methods that create buffers; transfers
 * to and from ll.ndarray, copies, and mapped views that end when their buffer does.
 * Not for: placement or staging, which the core does (buffer.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "lluvia/dtype.h"
#include "lluvia/fault.h"
#include "l_buffer.h"
#include "l_image.h"
#include "l_memory.h"
#include "l_ndarray.h"

#define DEFAULT_USAGE (VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | \
                       VK_BUFFER_USAGE_TRANSFER_DST_BIT)

typedef struct map_view map_view;

/* The Buffer userdata: the object (first, so the binding helpers read it) and its live
 * mapped views, which end when the buffer does. User value 1: the Memory userdata. */
typedef struct lua_buffer {
    ll_lua_object object;
    map_view *views;
} lua_buffer;

/* One ndarray over the buffer's mapped bytes. */
struct map_view {
    lua_buffer *owner;
    ll_host_memory *storage;     /* NULL until the array exists */
    map_view *prev, *next;
};

ll_buffer *ll_lua_check_buffer(lua_State *L, int idx)
{
    return ll_lua_check_object(L, idx, LL_BUFFER_T, "Buffer");
}

/* ---- argument checks ------------------------------------------------------------------ */

static uint64_t check_size(lua_State *L, int arg)
{
    return (uint64_t)ll_lua_check_integer(L, arg, arg, "size", 1);
}

static ll_dtype check_dtype(lua_State *L, int arg)
{
    return ll_lua_opt_dtype(L, arg, arg, "dtype", LL_UINT8);
}

/* Elements of dtype t in `size` bytes; an argument error when they do not divide it. */
static int64_t element_count(lua_State *L, int arg, uint64_t size, ll_dtype t)
{
    uint64_t es = ll_dtype_size(t);
    if (size % es != 0)
        ll_lua_argerror(L, arg, "the buffer's %I bytes are not a whole number of %s elements "
                        "(%d bytes each)", (lua_Integer)size, ll_dtype_name(t), (int)es);
    return (int64_t)(size / es);
}

/* ---- creating buffers ----------------------------------------------------------------- */

/* Phase 1: pushes a new Buffer userdata, not holding a buffer yet, whose parent (user value
 * 1) is the Memory userdata at memory_idx. */
static lua_buffer *push_empty_buffer(lua_State *L, int memory_idx)
{
    memory_idx = lua_absindex(L, memory_idx);
    lua_buffer *ub = (lua_buffer *)ll_lua_new_object(L, LL_BUFFER_T, sizeof *ub, 1);
    lua_pushvalue(L, memory_idx);
    ll_lua_set_parent(L, -2, 1);
    return ub;
}

/* What phase 2 makes a buffer in: the Memory userdata at memory_idx or, when source_idx is
 * not 0, the memory of the Buffer there (a copy). */
typedef struct create_args {
    lua_State *L;
    int memory_idx, source_idx;
    uint64_t size;
    VkBufferUsageFlags usage;
    ll_buffer *out;
} create_args;

/* Phase 2, run again after the collection of a retry (which runs Lua): resolves the
 * Memory or the source and makes the buffer. */
static bool create_buffer(void *user, ll_error *err)
{
    create_args *a = user;
    ll_memory *memory;
    if (a->source_idx != 0) {
        ll_buffer *source = ll_lua_resolve(a->L, a->source_idx, "Buffer", err);
        memory = source != NULL ? ll_buffer_memory(source) : NULL;
    } else {
        memory = ll_lua_resolve(a->L, a->memory_idx, "Memory", err);
    }
    a->out = memory != NULL ? ll_buffer_create(memory, a->size, a->usage, err) : NULL;
    return a->out != NULL;
}

/* Phase 2: makes the buffer of `a` into the empty Buffer userdata ub, with a collection and
 * one more try when the device is out of memory. False with err otherwise. */
static bool make_buffer(lua_State *L, lua_buffer *ub, create_args *a, ll_error *err)
{
    a->L = L;
    if (!ll_lua_with_retry(L, create_buffer, a, err))
        return false;
    ub->object.ptr = a->out;
    return true;
}

/* Phase 2, when filling the new buffer failed: discards it, so that its Memory is as it
 * was before the create (ll_buffer_discard). Returns false. */
static bool discard_buffer(lua_buffer *ub)
{
    if (ub->object.ptr != NULL)
        ll_buffer_discard(ub->object.ptr);
    ub->object.ptr = NULL;
    return false;
}

/* Phase 2 of a transfer (ll_lua_transfer_with_retry): resolves the Buffer at idx, moves
 * `size` bytes from or to the start of host. */
static bool move_bytes(lua_State *L, int idx, ll_host_memory *host, uint64_t size,
                       bool upload, ll_error *err)
{
    ll_buffer *b = ll_lua_resolve(L, idx, "Buffer", err);
    if (b == NULL)
        return false;
    return upload ? ll_buffer_write_from(b, 0, host, size, err)
                  : ll_buffer_read_into(b, 0, host, size, err);
}

/* Phase 3: the new buffer exists; the collector is told about its device memory (which
 * may collect, so this comes after everything else). */
static int new_buffer_done(lua_State *L, const lua_buffer *ub)
{
    ll_lua_device_memory_added(L, ll_buffer_allocation(ub->object.ptr)->size);
    return 1;
}

/* Phases 1 (the userdata) to 3 of a new buffer of `size` bytes in the Memory at 1; errors
 * name argument 2. */
static int new_buffer_in_memory(lua_State *L, uint64_t size, VkBufferUsageFlags usage)
{
    lua_buffer *ub = push_empty_buffer(L, 1);

    create_args a = {.memory_idx = 1, .size = size, .usage = usage};
    ll_error err;
    bool ok = make_buffer(L, ub, &a, &err);

    return ok ? new_buffer_done(L, ub) : ll_lua_raise(L, 2, &err);
}

static int memory_create_buffer(lua_State *L)
{
    ll_lua_check_memory(L, 1);
    uint64_t size = check_size(L, 2);
    VkBufferUsageFlags usage = ll_lua_check_flags(L, 3, &ll_enum_buffer_usage, DEFAULT_USAGE);
    return new_buffer_in_memory(L, size, usage);
}

static int memory_create_buffer_from_host(lua_State *L)
{
    ll_lua_check_memory(L, 1);
    VkBufferUsageFlags usage = ll_lua_check_flags(L, 3, &ll_enum_buffer_usage, DEFAULT_USAGE);
    lua_settop(L, 2);
    ll_ndarray *arr = ll_lua_check_arraylike(L, 2, -1); /* at 3: kept alive */
    uint64_t size = ll_ndarray_nbytes(arr);
    if (size == 0)
        return ll_lua_argerror(L, 2, "the array is empty: a buffer needs at least 1 byte");
    lua_buffer *ub = push_empty_buffer(L, 1); /* at 4 */

    create_args a = {.memory_idx = 1, .size = size, .usage = usage};
    ll_error err;
    int arg = 2;
    bool ok = make_buffer(L, ub, &a, &err);
    if (ok) {
        ok = ll_lua_transfer_with_retry(L, move_bytes, 4, 3, size, true, &err) ||
             discard_buffer(ub);
        arg = 0;
    }

    return ok ? new_buffer_done(L, ub) : ll_lua_raise(L, arg, &err);
}

/* The byte size of the array, table, string, Buffer or Image at idx. */
static uint64_t size_like(lua_State *L, int idx)
{
    if (ll_lua_to_object(L, idx, LL_BUFFER_T) != NULL)
        return ll_buffer_size(ll_lua_check_buffer(L, idx));
    if (lua_type(L, idx) == LUA_TSTRING)
        return lua_rawlen(L, idx);
    if (ll_lua_to_ndarray(L, idx) != NULL)
        return ll_ndarray_nbytes(ll_lua_check_ndarray(L, idx));
    if (lua_type(L, idx) == LUA_TTABLE) {
        uint64_t n = ll_ndarray_nbytes(ll_lua_check_arraylike(L, idx, -1));
        lua_pop(L, 1);
        return n;
    }
    uint64_t bytes;
    if (ll_lua_image_size(L, idx, &bytes)) /* an Image or ImageView: img.size */
        return bytes;
    return (uint64_t)ll_lua_argerror(L, idx, "array, table, string, Buffer or Image expected, "
                                     "got %s", ll_lua_describe(L, idx));
}

static int memory_create_buffer_like(lua_State *L)
{
    ll_lua_check_memory(L, 1);
    VkBufferUsageFlags usage = ll_lua_check_flags(L, 3, &ll_enum_buffer_usage, DEFAULT_USAGE);
    uint64_t size = size_like(L, 2);
    if (size == 0)
        return ll_lua_argerror(L, 2, "%s has 0 bytes: a buffer needs at least 1",
                               ll_lua_describe(L, 2));
    return new_buffer_in_memory(L, size, usage);
}

/* ---- mapped views --------------------------------------------------------------------- */

static void view_unlink(map_view *v)
{
    if (v->prev != NULL)
        v->prev->next = v->next;
    else
        v->owner->views = v->next;
    if (v->next != NULL)
        v->next->prev = v->prev;
}

/* The array side ended the view (closed, released or collected): the host's writes go to
 * the device (non-coherent memory), and the view is forgotten. Never raises. */
static void view_ended(void *ud)
{
    map_view *v = ud;
    if (v->owner->object.ptr != NULL)
        ll_buffer_close_view(v->owner->object.ptr, NULL);
    view_unlink(v);
    if (v->storage != NULL)
        ll_host_memory_release(v->storage);
    ll_free(v);
}

/* The buffer ends: every view over it is revoked (later access raises). */
static void revoke_views(lua_buffer *ub)
{
    while (ub->views != NULL) {
        map_view *v = ub->views;
        ub->views = v->next;
        ll_buffer_close_view(ub->object.ptr, NULL);
        if (v->storage != NULL) {
            ll_host_memory_revoke(v->storage);
            ll_host_memory_release(v->storage);
        }
        ll_free(v);
    }
}

/* Phase 2 of map: links a view of the buffer ub over its mapped bytes to the unbound
 * array arr. False with err when out of host memory. */
static bool link_view(lua_buffer *ub, ll_ndarray *arr, ll_error *err)
{
    ll_buffer *b = ub->object.ptr;
    map_view *v = ll_calloc(1, sizeof *v);
    if (v != NULL && ll_ndarray_bind_foreign(arr, ll_buffer_mapped(b), view_ended, v,
                                             &v->storage)) {
        v->owner = ub;
        v->next = ub->views;
        if (ub->views != NULL)
            ub->views->prev = v;
        ub->views = v;
        return true;
    }
    ll_free(v);
    return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory mapping a buffer");
}

static int buffer_map(lua_State *L)
{
    ll_buffer *b = ll_lua_check_buffer(L, 1);
    ll_dtype t = check_dtype(L, 2);
    if (!ll_buffer_is_mappable(b)) {
        char flags[128];
        const ll_memory *m = ll_buffer_memory(b);
        ll_memory_flags_text(ll_memory_flags(m), flags, sizeof flags);
        return ll_lua_error(L, "cannot map the buffer: its memory %s is not host-visible%s "
                            "(use toHost and fromHost, which go through staging)", flags,
                            ll_memory_flags(m) & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT
                                ? " under deviceOnly (LLUVIA_DEVICE_ONLY), as DeviceLocal "
                                  "memory is on a discrete GPU"
                                : "");
    }
    int64_t count = element_count(L, 2, ll_buffer_size(b), t);
    ll_ndarray *arr = ll_lua_push_ndarray_unbound(L, 1, &count, t, 1);

    ll_error err;
    b = ll_lua_resolve(L, 1, "Buffer", &err);
    if (b == NULL || !ll_buffer_open_view(b, &err))
        return ll_lua_raise(L, 0, &err);
    if (!link_view(lua_touserdata(L, 1), arr, &err)) {
        ll_buffer_close_view(b, NULL);
        return ll_lua_raise(L, 0, &err);
    }
    return 1;
}

/* ---- transfers ------------------------------------------------------------------------ */

static int buffer_to_host(lua_State *L)
{
    ll_buffer *b = ll_lua_check_buffer(L, 1);
    uint64_t size = ll_buffer_size(b);
    if (lua_isnoneornil(L, 2) || lua_type(L, 2) == LUA_TSTRING) {
        ll_dtype t = check_dtype(L, 2);
        int64_t count = element_count(L, 2, size, t);
        ll_lua_push_ndarray(L, 1, &count, t);
    } else if (ll_lua_to_ndarray(L, 2) != NULL) {
        ll_ndarray *out = ll_lua_check_ndarray(L, 2);
        if (ll_ndarray_nbytes(out) != size)
            return ll_lua_argerror(L, 2, "the output array has %I bytes, the buffer %I "
                                   "(byte sizes must be equal)",
                                   (lua_Integer)ll_ndarray_nbytes(out), (lua_Integer)size);
        lua_pushvalue(L, 2);
    } else {
        return ll_lua_argerror(L, 2, "dtype name or output ndarray expected, got %s",
                               ll_lua_describe(L, 2));
    }
    int out = lua_gettop(L);

    ll_error err;
    bool ok = ll_lua_transfer_with_retry(L, move_bytes, 1, out, size, false, &err);

    return ok ? 1 : ll_lua_raise(L, 0, &err);
}

static int buffer_from_host(lua_State *L)
{
    ll_lua_check_buffer(L, 1);
    lua_settop(L, 2);
    ll_ndarray *arr = ll_lua_check_arraylike(L, 2, -1); /* at 3 */
    uint64_t size = ll_buffer_size(ll_lua_check_buffer(L, 1));
    if (ll_ndarray_nbytes(arr) != size)
        return ll_lua_argerror(L, 2, "the array has %I bytes, the buffer %I (byte sizes must "
                               "be equal)", (lua_Integer)ll_ndarray_nbytes(arr),
                               (lua_Integer)size);

    ll_error err;
    bool ok = ll_lua_transfer_with_retry(L, move_bytes, 1, 3, size, true, &err);

    return ok ? 0 : ll_lua_raise(L, 0, &err);
}

static int buffer_copy(lua_State *L)
{
    ll_buffer *b = ll_lua_check_buffer(L, 1);
    uint64_t size = ll_buffer_size(b);
    VkBufferUsageFlags usage = ll_buffer_usage(b);
    bool new_output = lua_isnoneornil(L, 2);
    lua_settop(L, 2);
    if (new_output) {
        lua_getiuservalue(L, 1, 1); /* a copy lives in the same Memory: at 3 */
        push_empty_buffer(L, 3);
    } else {
        ll_buffer *dst = ll_lua_check_buffer(L, 2);
        if (dst == b)
            return ll_lua_argerror(L, 2, "the output is this buffer");
        if (ll_buffer_size(dst) != size)
            return ll_lua_argerror(L, 2, "the output has %I bytes, this buffer %I (sizes "
                                   "must be equal)", (lua_Integer)ll_buffer_size(dst),
                                   (lua_Integer)size);
        lua_pushvalue(L, 2);
    }
    int out = lua_gettop(L);

    ll_error err;
    bool ok = true;
    if (new_output) {
        create_args a = {.source_idx = 1, .size = size, .usage = usage};
        ok = make_buffer(L, lua_touserdata(L, out), &a, &err);
    }
    /* resolved after the buffer is made: a retry's collection runs Lua */
    ll_buffer *src = ok ? ll_lua_resolve(L, 1, "Buffer", &err) : NULL;
    ll_buffer *dst = src != NULL ? ll_lua_resolve(L, out, "Buffer", &err) : NULL;
    ok = dst != NULL && ll_buffer_copy(src, 0, dst, 0, size, &err);
    if (!ok && new_output)
        discard_buffer(lua_touserdata(L, out));

    if (!ok) /* argument errors: the output's */
        return ll_lua_raise(L, 2, &err);
    return new_output ? new_buffer_done(L, lua_touserdata(L, out)) : 1;
}

/* ---- the Buffer type ------------------------------------------------------------------ */

static void buffer_release(ll_lua_object *o)
{
    revoke_views((lua_buffer *)o);
    ll_buffer_release(o->ptr);
}

static uint64_t buffer_device_bytes(const void *ptr)
{
    return ll_buffer_allocation(ptr)->size;
}

static void buffer_describe(const void *ptr, char *buf, size_t size)
{
    const ll_allocation *a = ll_buffer_allocation(ptr);
    snprintf(buf, size, "%llu bytes, page %llu, offset %llu",
             (unsigned long long)ll_buffer_size(ptr), (unsigned long long)a->page,
             (unsigned long long)a->offset);
}

static int buffer_get(lua_State *L)
{
    ll_buffer *b = ll_lua_check_buffer(L, 1);
    const char *key = lua_tostring(L, 2);
    if (key == NULL)
        return 0;
    if (strcmp(key, "size") == 0)
        lua_pushinteger(L, (lua_Integer)ll_buffer_size(b));
    else if (strcmp(key, "usageFlags") == 0)
        ll_lua_push_flags(L, &ll_enum_buffer_usage, ll_buffer_usage(b));
    else if (strcmp(key, "memory") == 0)
        lua_getiuservalue(L, 1, 1);
    else if (strcmp(key, "isMappable") == 0)
        lua_pushboolean(L, ll_buffer_is_mappable(b));
    else if (strcmp(key, "allocationInfo") == 0)
        ll_lua_push_allocation(L, ll_buffer_allocation(b));
    else
        return 0;
    return 1;
}

int ll_lua_open_buffer(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"toHost", buffer_to_host},
        {"fromHost", buffer_from_host},
        {"copy", buffer_copy},
        {"map", buffer_map},
        {NULL, NULL},
    };
    static const char *const fields[] = {"size", "usageFlags", "memory", "isMappable",
                                         "allocationInfo", NULL};
    static const ll_lua_class buffer_class = {
        LL_BUFFER_T, methods, buffer_get, buffer_release, buffer_describe, fields,
        buffer_device_bytes,
    };
    ll_lua_new_class(L, &buffer_class);
    static const luaL_Reg memory_methods[] = {
        {"createBuffer", memory_create_buffer},
        {"createBufferFromHost", memory_create_buffer_from_host},
        {"createBufferLike", memory_create_buffer_like},
        {NULL, NULL},
    };
    ll_lua_add_methods(L, LL_MEMORY_T, memory_methods);
    return 0;
}
