/* l_buffer.c: the Lua Buffer type and the Memory methods that create buffers; transfers
 * to and from ll.ndarray, copies, and mapped views that end when their buffer does.
 * Not for: placement or staging, which the core does (buffer.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "lluvia/dtype.h"
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
    uint64_t bytes;
    map_view *prev, *next;
};

static lua_buffer *check_lua_buffer(lua_State *L, int idx)
{
    ll_lua_check_object(L, idx, LL_BUFFER_T, "Buffer");
    return lua_touserdata(L, idx);
}

ll_buffer *ll_lua_check_buffer(lua_State *L, int idx)
{
    return ll_lua_check_object(L, idx, LL_BUFFER_T, "Buffer");
}

ll_buffer *ll_lua_to_buffer(lua_State *L, int idx)
{
    ll_lua_object *o = ll_lua_to_object(L, idx, LL_BUFFER_T);
    return o != NULL ? o->ptr : NULL;
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

/* What a new buffer is made in. Read when the buffer is made, never before: making the
 * userdata, or the collection run on a retry, may run finalizers, which may release the
 * Memory or the Buffer a copy is made of (a script's __gc can). */
typedef struct create_args {
    ll_lua_object *memory; /* the Memory userdata, or NULL ... */
    ll_lua_object *source; /* ... the Buffer userdata whose memory it is (copy) */
    uint64_t size;
    VkBufferUsageFlags usage;
    ll_buffer *out;
} create_args;

static bool create_buffer(void *user, ll_error *err)
{
    create_args *a = user;
    ll_memory *memory;
    if (a->source != NULL) {
        if (a->source->ptr == NULL)
            return ll_fail(err, LL_E_STATE, "Buffer has been released");
        memory = ll_buffer_memory(a->source->ptr);
    } else {
        if (a->memory->ptr == NULL)
            return ll_fail(err, LL_E_STATE, "Memory has been released");
        memory = a->memory->ptr;
    }
    a->out = ll_buffer_create(memory, a->size, a->usage, err);
    return a->out != NULL;
}

/* Pushes a new Buffer of `size` bytes (user value 1: the Memory userdata at memory_idx),
 * made in that Memory or, when source_idx is not 0, in the memory of the Buffer there.
 * Runs a collection and retries once when the device is out of memory. */
static ll_buffer *push_new_buffer(lua_State *L, int memory_idx, int source_idx, uint64_t size,
                                  VkBufferUsageFlags usage, int arg)
{
    memory_idx = lua_absindex(L, memory_idx);
    create_args a = {.size = size, .usage = usage};
    a.memory = lua_touserdata(L, memory_idx);
    a.source = source_idx != 0 ? lua_touserdata(L, source_idx) : NULL;
    lua_buffer *ub = lua_newuserdatauv(L, sizeof *ub, 1);
    ub->object.ptr = NULL;
    ub->views = NULL;
    luaL_setmetatable(L, LL_BUFFER_T);
    lua_pushvalue(L, memory_idx);
    ll_lua_set_parent(L, -2, 1);
    ll_error err;
    if (!ll_lua_create_with_retry(L, create_buffer, &a, &err))
        ll_lua_raise(L, arg, &err);
    ub->object.ptr = a.out;
    ll_lua_device_memory_added(L, ll_buffer_allocation(a.out)->size);
    return a.out;
}

/* Discards the new Buffer at the top of the stack, whose filling failed, so that its
 * Memory is as it was before the create (ll_buffer_discard), then raises err. */
static int fail_new_buffer(lua_State *L, int arg, const ll_error *err)
{
    lua_buffer *ub = lua_touserdata(L, -1);
    ll_buffer_discard(ub->object.ptr);
    ub->object.ptr = NULL;
    return ll_lua_raise(L, arg, err);
}

static int memory_create_buffer(lua_State *L)
{
    ll_lua_check_memory(L, 1); /* read again when the buffer is made */
    uint64_t size = check_size(L, 2);
    VkBufferUsageFlags usage = ll_lua_check_flags(L, 3, &ll_enum_buffer_usage, DEFAULT_USAGE);
    push_new_buffer(L, 1, 0, size, usage, 2);
    return 1;
}

static int memory_create_buffer_from_host(lua_State *L)
{
    ll_lua_check_memory(L, 1); /* read again when the buffer is made */
    VkBufferUsageFlags usage = ll_lua_check_flags(L, 3, &ll_enum_buffer_usage, DEFAULT_USAGE);
    ll_ndarray *arr = ll_lua_check_arraylike(L, 2, -1); /* pushed: kept alive */
    int arr_idx = lua_gettop(L);
    uint64_t size = ll_ndarray_nbytes(arr);
    if (size == 0)
        return ll_lua_argerror(L, 2, "the array is empty: a buffer needs at least 1 byte");
    ll_buffer *b = push_new_buffer(L, 1, 0, size, usage, 2);
    /* making the buffer may have run finalizers, which may have released the array */
    ll_error err;
    const void *data = ll_lua_live_ndarray_data(L, arr_idx, &err);
    if (data == NULL || !ll_buffer_write(b, 0, data, size, &err))
        return fail_new_buffer(L, 0, &err);
    return 1;
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
    ll_lua_check_memory(L, 1); /* read again when the buffer is made */
    VkBufferUsageFlags usage = ll_lua_check_flags(L, 3, &ll_enum_buffer_usage, DEFAULT_USAGE);
    uint64_t size = size_like(L, 2);
    if (size == 0)
        return ll_lua_argerror(L, 2, "%s has 0 bytes: a buffer needs at least 1",
                               ll_lua_describe(L, 2));
    push_new_buffer(L, 1, 0, size, usage, 2);
    return 1;
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
        ll_buffer_flush(v->owner->object.ptr, 0, v->bytes, NULL);
    view_unlink(v);
    if (v->storage != NULL)
        ll_host_memory_release(v->storage);
    free(v);
}

/* The buffer ends: every view over it is revoked (later access raises). */
static void revoke_views(lua_buffer *ub)
{
    while (ub->views != NULL) {
        map_view *v = ub->views;
        ub->views = v->next;
        if (v->storage != NULL) {
            ll_host_memory_revoke(v->storage);
            ll_host_memory_release(v->storage);
        }
        free(v);
    }
}

static int buffer_map(lua_State *L)
{
    lua_buffer *ub = check_lua_buffer(L, 1);
    ll_buffer *b = ub->object.ptr;
    ll_dtype t = check_dtype(L, 2);
    if (!ll_buffer_is_mappable(b)) {
        char flags[128];
        ll_memory_flags_text(ll_memory_flags(ll_buffer_memory(b)), flags, sizeof flags);
        return ll_lua_error(L, "cannot map the buffer: its memory %s is not host-visible "
                            "(use toHost and fromHost, which go through staging)", flags);
    }
    int64_t count = element_count(L, 2, ll_buffer_size(b), t);
    /* The array first, over no storage yet: making it may run finalizers, which may release
     * this buffer. From here on nothing runs Lua until the view is linked. */
    ll_ndarray *arr = ll_lua_push_ndarray_unbound(L, 1, &count, t, 1);
    b = ll_lua_check_buffer(L, 1);
    ll_error err;
    if (!ll_buffer_invalidate(b, 0, ll_buffer_size(b), &err))
        return ll_lua_raise(L, 0, &err);
    map_view *v = calloc(1, sizeof *v);
    if (v == NULL)
        return ll_lua_error(L, "out of host memory mapping a buffer");
    if (!ll_ndarray_bind_foreign(arr, ll_buffer_mapped(b), view_ended, v, &v->storage)) {
        free(v);
        return ll_lua_error(L, "out of host memory mapping a buffer");
    }
    v->owner = ub;
    v->bytes = ll_buffer_size(b);
    v->next = ub->views;
    if (ub->views != NULL)
        ub->views->prev = v;
    ub->views = v;
    return 1;
}

/* ---- transfers ------------------------------------------------------------------------ */

static int buffer_to_host(lua_State *L)
{
    ll_buffer *b = ll_lua_check_buffer(L, 1);
    uint64_t size = ll_buffer_size(b);
    ll_ndarray *out;
    if (lua_isnoneornil(L, 2) || lua_type(L, 2) == LUA_TSTRING) {
        ll_dtype t = check_dtype(L, 2);
        int64_t count = element_count(L, 2, size, t);
        out = ll_lua_push_ndarray(L, 1, &count, t);
        /* making the array may have run finalizers, which may have released the buffer */
        b = ll_lua_check_buffer(L, 1);
    } else if (ll_lua_to_ndarray(L, 2) != NULL) {
        out = ll_lua_check_ndarray(L, 2);
        if (ll_ndarray_nbytes(out) != size)
            return ll_lua_argerror(L, 2, "the output array has %I bytes, the buffer %I "
                                   "(byte sizes must be equal)",
                                   (lua_Integer)ll_ndarray_nbytes(out), (lua_Integer)size);
        lua_pushvalue(L, 2);
    } else {
        return ll_lua_argerror(L, 2, "dtype name or output ndarray expected, got %s",
                               ll_lua_describe(L, 2));
    }
    ll_error err;
    if (!ll_buffer_read(b, 0, ll_ndarray_data(out), size, &err))
        return ll_lua_raise(L, 0, &err);
    return 1;
}

static int buffer_from_host(lua_State *L)
{
    ll_lua_check_buffer(L, 1);
    ll_ndarray *arr = ll_lua_check_arraylike(L, 2, -1);
    /* converting a table or string may have run finalizers, which may release the buffer */
    ll_buffer *b = ll_lua_check_buffer(L, 1);
    uint64_t size = ll_buffer_size(b);
    if (ll_ndarray_nbytes(arr) != size)
        return ll_lua_argerror(L, 2, "the array has %I bytes, the buffer %I (byte sizes must "
                               "be equal)", (lua_Integer)ll_ndarray_nbytes(arr),
                               (lua_Integer)size);
    ll_error err;
    if (!ll_buffer_write(b, 0, ll_ndarray_data(arr), size, &err))
        return ll_lua_raise(L, 0, &err);
    return 0;
}

static int buffer_copy(lua_State *L)
{
    ll_buffer *b = ll_lua_check_buffer(L, 1);
    uint64_t size = ll_buffer_size(b);
    ll_buffer *dst;
    if (lua_isnoneornil(L, 2)) {
        lua_getiuservalue(L, 1, 1); /* a copy lives in the same Memory */
        dst = push_new_buffer(L, -1, 1, size, ll_buffer_usage(b), 0);
        /* making the copy may have run finalizers, which may have released this buffer */
        b = ll_lua_to_buffer(L, 1);
        if (b == NULL) {
            ll_error err;
            ll_fail(&err, LL_E_STATE, "Buffer has been released");
            return fail_new_buffer(L, 0, &err);
        }
    } else {
        dst = ll_lua_check_buffer(L, 2);
        if (dst == b)
            return ll_lua_argerror(L, 2, "the output is this buffer");
        if (ll_buffer_size(dst) != size)
            return ll_lua_argerror(L, 2, "the output has %I bytes, this buffer %I (sizes "
                                   "must be equal)", (lua_Integer)ll_buffer_size(dst),
                                   (lua_Integer)size);
        lua_pushvalue(L, 2);
    }
    ll_error err;
    if (!ll_buffer_copy(b, 0, dst, 0, size, &err)) /* argument errors: the output's */
        return lua_isnoneornil(L, 2) ? fail_new_buffer(L, 2, &err) : ll_lua_raise(L, 2, &err);
    return 1;
}

/* ---- the Buffer type ------------------------------------------------------------------ */

static void buffer_release(ll_lua_object *o)
{
    revoke_views((lua_buffer *)o);
    ll_buffer_release(o->ptr);
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
    static const ll_lua_class buffer_class = {
        LL_BUFFER_T, methods, buffer_get, buffer_release, buffer_describe,
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
