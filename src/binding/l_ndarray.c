/* l_ndarray.c: ll.ndarray, the typed, contiguous, row-major host array: the userdata over
 * its storage (host_memory.h), its metamethods, and the C functions l_ndarray.h offers the
 * other types. Not for: allocating the bytes (src/core/host_memory.c), element conversion
 * rules (src/core/dtype.c) or device memory. */
#include "l_ndarray.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "binding.h"
#include "l_ndarray_ops.h"
#include "lluvia/ndarray_ops.h"

_Static_assert(sizeof(lua_Integer) == sizeof(int64_t), "lluvia needs 64-bit Lua integers");


#define REPR_MAX_ELEMENTS 100 /* __tostring lists the values of arrays this small */

/* User values of the userdata. */
#define UV_OWNER 1  /* views: the array that owns the storage */
#define UV_PARENT 2 /* foreign storage: the object its memory belongs to */
#define UV_COUNT 2

/* For the few helpers of the element fast paths, which the compiler would otherwise call
 * out of line because they are used in several places. */
#define HOT_INLINE static inline __attribute__((always_inline))

/* Not a ll_fit: the value was not a number at all. */
#define FIT_NOT_NUMBER (-1)

/* ---- the array header ----------------------------------------------------------------- */

struct ll_ndarray {
    ll_host_memory *storage; /* ll_host_memory_ended() once released */
    /* the dtype's stores, copied here so that a store makes one indirect call */
    ll_store_int_fn store_int;
    ll_store_double_fn store_double;
    int64_t count;
    uint64_t nbytes;
    size_t elsize;
    ll_dtype dtype;
    int ndim;
    bool owner;    /* created the storage: releasing it ends the storage */
    bool is_float; /* float16/32/64: stores convert values to double first */
    int64_t shape[LL_NDARRAY_MAX_DIMS];
    ll_lua_live live; /* on the state's list while it holds storage */
};

static void set_dtype(ll_ndarray *a, ll_dtype t)
{
    const ll_dtype_codec *c = ll_dtype_codec_of(t);
    a->dtype = t;
    a->elsize = ll_dtype_size(t);
    a->store_int = c->store_int;
    a->store_double = c->store_double;
    a->is_float = ll_dtype_is_float(t);
}

/* Element count and byte size of a shape; false when either passes INT64_MAX. */
static bool shape_size(int ndim, const int64_t *shape, size_t elsize, int64_t *count,
                       uint64_t *nbytes)
{
    int64_t n = 1;
    for (int k = 0; k < ndim; k++) {
        if (shape[k] > INT64_MAX / n)
            return false;
        n *= shape[k];
    }
    if ((uint64_t)n > (uint64_t)INT64_MAX / elsize)
        return false;
    *count = n;
    *nbytes = (uint64_t)n * elsize;
    return true;
}

static void push_shape_string(lua_State *L, int ndim, const int64_t *shape)
{
    char text[LL_DIMS_TEXT_MAX];
    lua_pushstring(L, ll_dims_text(text, sizeof text, shape, ndim));
}

static void array_release(ll_ndarray *a);

/* What the state's close calls for an array no finalizer released (live.c). */
static void array_release_live(ll_lua_live *node)
{
    array_release((ll_ndarray *)((char *)node - offsetof(ll_ndarray, live)));
}

/* Pushes a new userdata, not yet holding storage (it reads as released, so a collection
 * or an error before it is complete does nothing), on the state's list of live objects. */
static ll_ndarray *push_header(lua_State *L, int ndim, const int64_t *shape, ll_dtype t)
{
    ll_ndarray *a = lua_newuserdatauv(L, sizeof *a, UV_COUNT);
    memset(a, 0, sizeof *a);
    a->storage = ll_host_memory_ended();
    a->ndim = ndim;
    memcpy(a->shape, shape, (size_t)ndim * sizeof shape[0]);
    set_dtype(a, t);
    luaL_setmetatable(L, LL_NDARRAY_T);
    ll_lua_live_link(L, &a->live, array_release_live);
    return a;
}

/* Tells the collector about storage it cannot see, so that big garbage arrays go soon. */
static void account_external(lua_State *L, uint64_t nbytes)
{
    if (nbytes < LL_HOST_MEMORY_PAGE_THRESHOLD || !lua_gc(L, LUA_GCISRUNNING))
        return;
    uint64_t kib = nbytes >> 10;
    lua_gc(L, LUA_GCSTEP, (int)(kib > INT_MAX ? INT_MAX : kib));
}

/* Pushes a new array with its own storage. The shape must be valid. `arg` > 0: errors are
 * argument errors of that argument; else `lluvia:` errors. */
static ll_ndarray *push_new(lua_State *L, int ndim, const int64_t *shape, ll_dtype t, bool zero,
                            int arg)
{
    int64_t count = 0;
    uint64_t nbytes = 0;
    if (!shape_size(ndim, shape, ll_dtype_size(t), &count, &nbytes)) {
        push_shape_string(L, ndim, shape);
        const char *msg = lua_pushfstring(L, "shape %s of %s is too large: its byte size "
                                          "overflows a 64-bit integer",
                                          lua_tostring(L, -1), ll_dtype_name(t));
        if (arg > 0)
            luaL_argerror(L, arg, msg);
        ll_lua_error(L, "%s", msg);
    }
    ll_ndarray *a = push_header(L, ndim, shape, t);
    bool too_large = nbytes > LL_HOST_MEMORY_MAX_BYTES;
    ll_host_memory *s = too_large ? NULL : ll_host_memory_create(nbytes, zero, NULL);
    if (s == NULL && !too_large) {
        /* garbage arrays may hold the memory: collect them and try once more */
        lua_gc(L, LUA_GCCOLLECT);
        s = ll_host_memory_create(nbytes, zero, NULL);
    }
    if (s == NULL) {
        push_shape_string(L, ndim, shape);
        if (too_large)
            ll_lua_error(L, "cannot allocate %I bytes for an ndarray of shape %s (%s): "
                       "more than the largest storage, %I bytes (2^48)", (lua_Integer)nbytes,
                       lua_tostring(L, -1), ll_dtype_name(t),
                       (lua_Integer)LL_HOST_MEMORY_MAX_BYTES);
        ll_lua_error(L, "cannot allocate %I bytes for an ndarray of shape %s (%s): out "
                   "of host memory", (lua_Integer)nbytes, lua_tostring(L, -1), ll_dtype_name(t));
    }
    a->storage = s;
    a->owner = true;
    a->count = count;
    a->nbytes = nbytes;
    account_external(L, nbytes);
    return a;
}

static void array_release(ll_ndarray *a)
{
    ll_lua_live_unlink(&a->live);
    ll_host_memory *s = a->storage;
    if (s == ll_host_memory_ended())
        return;
    a->storage = ll_host_memory_ended();
    if (a->owner)
        ll_host_memory_end(s);
    ll_host_memory_release(s);
}

/* ---- argument helpers ----------------------------------------------------------------- */

static int not_ndarray(lua_State *L, int idx);

/* The array at idx of a method of ours (upvalue 1: the metatable): identity by comparing
 * metatables, no registry look-up. Does not check that it is alive. */
static ll_ndarray *self_at(lua_State *L, int idx)
{
    ll_ndarray *a = lua_touserdata(L, idx);
    if (a == NULL || !lua_getmetatable(L, idx))
        not_ndarray(L, idx);
    bool ours = lua_rawequal(L, -1, lua_upvalueindex(1));
    lua_pop(L, 1);
    if (!ours)
        not_ndarray(L, idx);
    return a;
}

static int not_ndarray(lua_State *L, int idx)
{
    return ll_lua_argerror(L, idx, "ndarray expected, got %s", ll_lua_describe(L, idx));
}

/* The array at arg 1 of __index, __newindex and __len. Lua calls these metamethods only
 * with a value whose metatable holds them, and __metatable keeps scripts from reaching
 * them, so arg 1 is one of our arrays: checking its metatable again would cost a fifth of
 * an element access (measured: bench/bench_ndarray.lua). Only the debug library can pass
 * anything else, and it can as well give any userdata our metatable (debug.setmetatable),
 * which no check of a metatable, luaL_checkudata's included, can tell: the debug library
 * is outside what the binding can defend (docs/ndarray.md). A value that is not a userdata
 * at all is still refused. */
HOT_INLINE ll_ndarray *element_self(lua_State *L)
{
    ll_ndarray *a = lua_touserdata(L, 1);
    if (a == NULL)
        not_ndarray(L, 1);
    return a;
}

static unsigned char *live_data(lua_State *L, const ll_ndarray *a)
{
    unsigned char *data = ll_host_memory_data(a->storage);
    if (data == NULL)
        ll_lua_error(L, "ndarray has been released");
    return data;
}

static ll_dtype check_dtype(lua_State *L, int arg, ll_dtype def)
{
    return ll_lua_opt_dtype(L, arg, arg, "dtype", def);
}

/* An index or a dimension at idx, by the binding's one integer policy (args.h). */
static bool to_integer(lua_State *L, int idx, lua_Integer *out)
{
    return ll_lua_tointeger(L, idx, out);
}

/* A shape at arg: a table of 1..LL_NDARRAY_MAX_DIMS positive integers, or one positive
 * integer for a 1-D shape. `allow_infer`: one entry may be -1 (reshape). Returns ndim. */
static int check_shape(lua_State *L, int arg, int64_t *shape, bool allow_infer)
{
    lua_Integer n;
    if (lua_type(L, arg) == LUA_TNUMBER) {
        if (!to_integer(L, arg, &n) || n < 1)
            ll_lua_argerror(L, arg, "shape must be a positive integer or a table of them, got %s",
                            ll_lua_describe(L, arg));
        shape[0] = n;
        return 1;
    }
    return ll_lua_check_dims(L, arg, shape, LL_NDARRAY_MAX_DIMS, allow_infer);
}

/* " at index 5" or " at index {1, 2}" for messages. */
static const char *format_index(char *buf, size_t size, int n, const int64_t *idx)
{
    char dims[LL_DIMS_TEXT_MAX];
    if (n == 1)
        snprintf(buf, size, " at index %lld", (long long)idx[0]);
    else
        snprintf(buf, size, " at index %s", ll_dims_text(dims, sizeof dims, idx, n));
    return buf;
}

#define INDEX_TEXT_MAX (LL_DIMS_TEXT_MAX + 16)

/* Raises the argument error for a value (at vidx) the dtype cannot hold. */
static int value_error(lua_State *L, int arg, int vidx, int fit, ll_dtype t, const char *where)
{
    const char *v = ll_lua_describe(L, vidx);
    switch (fit) {
    case LL_FIT_RANGE:
        return ll_lua_argerror(L, arg, "value %s out of range for %s (%s)%s", v,
                               ll_dtype_name(t), ll_dtype_range_text(t), where);
    case LL_FIT_FRACTION:
    case LL_FIT_NAN:
        return ll_lua_argerror(L, arg, "value %s not an integer for %s%s", v, ll_dtype_name(t),
                               where);
    default:
        return ll_lua_argerror(L, arg, "value %s not a number for %s%s", v, ll_dtype_name(t),
                               where);
    }
}

/* Stores the number at vidx into p; the reason it does not fit otherwise. Only numbers
 * are taken, never strings. Two calls into Lua for the usual value: integers into integer
 * dtypes as integers; any number into float dtypes as a double, except an integer beyond
 * 2^53, which is read again as an integer so that it is rounded once, to the dtype. */
HOT_INLINE int store_value(lua_State *L, const ll_ndarray *a, unsigned char *p, int vidx)
{
    if (a->is_float) {
        if (lua_type(L, vidx) != LUA_TNUMBER)
            return FIT_NOT_NUMBER;
        double v = lua_tonumber(L, vidx);
        if (fabs(v) >= 0x1p53 && lua_isinteger(L, vidx))
            return a->store_int(p, lua_tointeger(L, vidx));
        return a->store_double(p, v);
    }
    if (lua_isinteger(L, vidx))
        return a->store_int(p, lua_tointeger(L, vidx));
    if (lua_type(L, vidx) == LUA_TNUMBER)
        return a->store_double(p, lua_tonumber(L, vidx));
    return FIT_NOT_NUMBER;
}

/* A switch rather than the codec's load: inlined, it saves an indirect call and the
 * out-parameters on the hottest path there is (measured: bench/bench_ndarray.lua). */
HOT_INLINE void push_element(lua_State *L, const ll_ndarray *a, const unsigned char *p)
{
    switch (a->dtype) {
    case LL_UINT8:
        lua_pushinteger(L, *p);
        return;
    case LL_INT8:
        lua_pushinteger(L, (int8_t)*p);
        return;
#define PUSH_AS(T, push)                                                                  \
    {                                                                                     \
        T v;                                                                              \
        memcpy(&v, p, sizeof v);                                                          \
        push(L, v);                                                                       \
        return;                                                                           \
    }
    case LL_UINT16:
        PUSH_AS(uint16_t, lua_pushinteger)
    case LL_INT16:
        PUSH_AS(int16_t, lua_pushinteger)
    case LL_UINT32:
        PUSH_AS(uint32_t, lua_pushinteger)
    case LL_INT32:
        PUSH_AS(int32_t, lua_pushinteger)
    case LL_INT64:
        PUSH_AS(int64_t, lua_pushinteger)
    case LL_FLOAT32:
        PUSH_AS(float, lua_pushnumber)
    case LL_FLOAT64:
        PUSH_AS(double, lua_pushnumber)
#undef PUSH_AS
    case LL_FLOAT16: {
        uint16_t h;
        memcpy(&h, p, sizeof h);
        lua_pushnumber(L, ll_half_to_double(h));
        return;
    }
    case LL_UINT64: {
        uint64_t v;
        memcpy(&v, p, sizeof v);
        if (v <= (uint64_t)INT64_MAX)
            lua_pushinteger(L, (lua_Integer)v);
        else /* beyond Lua's integers: the nearest float (docs/ndarray.md) */
            lua_pushnumber(L, (lua_Number)v);
        return;
    }
    }
}

/* ---- element access ------------------------------------------------------------------- */

static int flat_index_error(lua_State *L, const ll_ndarray *a, int arg)
{
    lua_Integer i;
    if (!to_integer(L, arg, &i))
        return ll_lua_argerror(L, arg, "ndarray index must be an integer, got %s",
                               ll_lua_describe(L, arg));
    return ll_lua_argerror(L, arg, "index %I out of bounds (1..%I)", i, (lua_Integer)a->count);
}

/* A flat 1-based index at arg, checked against the bounds; 0-based. */
static int64_t check_flat_index(lua_State *L, const ll_ndarray *a, int arg)
{
    lua_Integer i;
    if (!to_integer(L, arg, &i) || (lua_Unsigned)i - 1u >= (lua_Unsigned)a->count)
        flat_index_error(L, a, arg);
    return i - 1;
}

static const char *const field_names[] = {"shape", "dtype", "ndim", "nbytes", NULL};

static int push_field(lua_State *L, ll_ndarray *a, int which)
{
    live_data(L, a);
    switch (which) {
    case 0:
        lua_createtable(L, a->ndim, 0);
        for (int k = 0; k < a->ndim; k++) {
            lua_pushinteger(L, a->shape[k]);
            lua_rawseti(L, -2, k + 1);
        }
        return 1;
    case 1:
        lua_pushstring(L, ll_dtype_name(a->dtype));
        return 1;
    case 2:
        lua_pushinteger(L, a->ndim);
        return 1;
    default:
        lua_pushinteger(L, (lua_Integer)a->nbytes);
        return 1;
    }
}

/* Keys that are not integers: methods (upvalue 2), fields, then integral floats as
 * indices (strings are never indices: args.h). */
static int index_slow(lua_State *L, ll_ndarray *a)
{
    if (lua_type(L, 2) == LUA_TSTRING) {
        lua_pushvalue(L, 2);
        if (lua_rawget(L, lua_upvalueindex(2)) != LUA_TNIL)
            return 1;
        const char *key = lua_tostring(L, 2);
        for (int k = 0; field_names[k] != NULL; k++)
            if (strcmp(key, field_names[k]) == 0)
                return push_field(L, a, k);
        return 0; /* any other name: nil, as for a missing field */
    }
    unsigned char *data = live_data(L, a);
    int64_t i = check_flat_index(L, a, 2);
    push_element(L, a, data + (size_t)i * a->elsize);
    return 1;
}

/* Whether __index was called by ipairs' iterator (upvalue 3: the base library's, taken
 * when the module opened; nil when it had no ipairs). Only the error path asks. */
static bool called_by_ipairs(lua_State *L)
{
    lua_Debug ar;
    if (lua_isnil(L, lua_upvalueindex(3)) || !lua_getstack(L, 1, &ar))
        return false;
    lua_getinfo(L, "f", &ar); /* pushes the caller: a value that exists, no allocation */
    bool ipairs = lua_rawequal(L, -1, lua_upvalueindex(3));
    lua_pop(L, 1);
    return ipairs;
}

/* __index: integer keys first, with every check the API promises: the array is alive and
 * the index in bounds. The one exception: ipairs asks for #arr + 1 to learn that the array
 * ended, and gets nil, so that `for i, v in ipairs(arr)` stops cleanly; `arr[#arr + 1]`
 * anywhere else is the bounds error (docs/ndarray.md). */
static int nd_index(lua_State *L)
{
    ll_ndarray *a = element_self(L);
    if (lua_isinteger(L, 2)) {
        lua_Integer i = lua_tointeger(L, 2);
        unsigned char *data = live_data(L, a);
        if ((lua_Unsigned)i - 1u >= (lua_Unsigned)a->count) {
            if (i == a->count + 1 && called_by_ipairs(L))
                return 0;
            return flat_index_error(L, a, 2);
        }
        push_element(L, a, data + (size_t)(i - 1) * a->elsize);
        return 1;
    }
    return index_slow(L, a);
}

static int newindex_value_error(lua_State *L, const ll_ndarray *a, lua_Integer i, int fit)
{
    char where[INDEX_TEXT_MAX];
    int64_t at = i;
    return value_error(L, 3, 3, fit, a->dtype, format_index(where, sizeof where, 1, &at));
}

/* __newindex: as __index, and the value must fit the dtype. */
static int nd_newindex(lua_State *L)
{
    ll_ndarray *a = element_self(L);
    unsigned char *data = live_data(L, a);
    lua_Integer i;
    if (!to_integer(L, 2, &i) || (lua_Unsigned)i - 1u >= (lua_Unsigned)a->count)
        return flat_index_error(L, a, 2);
    int fit = store_value(L, a, data + (size_t)(i - 1) * a->elsize, 3);
    if (fit != LL_FIT_OK)
        return newindex_value_error(L, a, i, fit);
    return 0;
}

static int nd_len(lua_State *L)
{
    ll_ndarray *a = element_self(L);
    live_data(L, a);
    lua_pushinteger(L, a->count);
    return 1;
}

/* The n-d indices at first.. (exactly ndim of them), as a 0-based flat offset; idx gets
 * the 1-based indices for messages. */
static int64_t check_nd_indices(lua_State *L, const ll_ndarray *a, int first, int64_t *idx)
{
    int given = lua_gettop(L) - first + 1;
    if (given != a->ndim)
        ll_lua_argerror(L, first + (given < a->ndim ? given : a->ndim),
                        "expected %d indices for a %d-D array, got %d", a->ndim, a->ndim,
                        given < 0 ? 0 : given);
    int64_t offset = 0;
    for (int k = 0; k < a->ndim; k++) {
        int arg = first + k;
        lua_Integer i;
        if (!to_integer(L, arg, &i))
            ll_lua_argerror(L, arg, "index must be an integer, got %s", ll_lua_describe(L, arg));
        if (i < 1 || i > a->shape[k])
            ll_lua_argerror(L, arg, "index %I out of bounds for axis %d (1..%I)", i, k + 1,
                            (lua_Integer)a->shape[k]);
        idx[k] = i;
        offset = offset * a->shape[k] + (i - 1);
    }
    return offset;
}

/* arr:get(i, j, ...) */
static int nd_get(lua_State *L)
{
    ll_ndarray *a = self_at(L, 1);
    unsigned char *data = live_data(L, a);
    int64_t idx[LL_NDARRAY_MAX_DIMS];
    int64_t offset = check_nd_indices(L, a, 2, idx);
    push_element(L, a, data + (size_t)offset * a->elsize);
    return 1;
}

/* arr:set(v, i, j, ...) */
static int nd_set(lua_State *L)
{
    ll_ndarray *a = self_at(L, 1);
    unsigned char *data = live_data(L, a);
    luaL_checkany(L, 2);
    int64_t idx[LL_NDARRAY_MAX_DIMS];
    int64_t offset = check_nd_indices(L, a, 3, idx);
    int fit = store_value(L, a, data + (size_t)offset * a->elsize, 2);
    if (fit != LL_FIT_OK) {
        char where[INDEX_TEXT_MAX];
        value_error(L, 2, 2, fit, a->dtype, format_index(where, sizeof where, a->ndim, idx));
    }
    return 0;
}

/* pairs(arr): i, arr[i] for i = 1, #arr */
static int pairs_next(lua_State *L)
{
    ll_ndarray *a = self_at(L, 1);
    unsigned char *data = live_data(L, a);
    lua_Integer i = ll_lua_check_integer(L, 2, 2, "index", 0);
    if (i < 0 || i >= a->count)
        return 0;
    lua_pushinteger(L, i + 1);
    push_element(L, a, data + (size_t)i * a->elsize);
    return 2;
}

static int nd_pairs(lua_State *L)
{
    self_at(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushcclosure(L, pairs_next, 1);
    lua_pushvalue(L, 1);
    lua_pushinteger(L, 0);
    return 3;
}

/* ---- whole-array methods --------------------------------------------------------------- */

/* totable, phase 1: the nested tables of the array's shape, the rows (the innermost
 * level) made empty with room for their values. */
static void push_skeleton(lua_State *L, const ll_ndarray *a, int level)
{
    int64_t n = a->shape[level];
    lua_createtable(L, (int)n, 0);
    if (level == a->ndim - 1)
        return;
    for (int64_t j = 1; j <= n; j++) {
        push_skeleton(L, a, level + 1);
        lua_rawseti(L, -2, j);
    }
}

/* totable, phase 2: fills the rows of the skeleton at the top from *p on. Runs no Lua:
 * numbers go into room the rows already have. */
static void fill_rows(lua_State *L, const ll_ndarray *a, int level, const unsigned char **p)
{
    int64_t n = a->shape[level];
    for (int64_t j = 1; j <= n; j++) {
        if (level == a->ndim - 1) {
            push_element(L, a, *p);
            *p += a->elsize;
        } else {
            lua_rawgeti(L, -1, j);
            fill_rows(L, a, level + 1, p);
        }
        lua_rawseti(L, -2, j);
    }
}

static int nd_totable(lua_State *L)
{
    ll_ndarray *a = self_at(L, 1);
    live_data(L, a);
    luaL_checkstack(L, a->ndim + 4, "ndarray too deep");
    for (int k = 0; k < a->ndim; k++)
        if (a->shape[k] > INT_MAX)
            return ll_lua_error(L, "an axis of %I entries is too long for a Lua table",
                                (lua_Integer)a->shape[k]);
    push_skeleton(L, a, 0);

    const unsigned char *p = ll_host_memory_data(a->storage);
    if (p != NULL)
        fill_rows(L, a, 0, &p);

    return p != NULL ? 1 : ll_lua_error(L, "ndarray has been released");
}

static int nd_tostring(lua_State *L)
{
    ll_ndarray *a = self_at(L, 1);
    unsigned char *data = live_data(L, a);
    lua_pushlstring(L, (const char *)data, (size_t)a->nbytes);
    return 1;
}

static int nd_fill(lua_State *L)
{
    ll_ndarray *a = self_at(L, 1);
    unsigned char *data = live_data(L, a);
    luaL_checkany(L, 2);
    unsigned char elem[8];
    int fit = store_value(L, a, elem, 2);
    if (fit != LL_FIT_OK)
        value_error(L, 2, 2, fit, a->dtype, "");
    ll_fill_elements(data, (uint64_t)a->count, elem, a->elsize);
    lua_settop(L, 1);
    return 1;
}

/* Pushes a new header over a's storage (reshape, view), keeping a's owner alive. */
static ll_ndarray *push_view(lua_State *L, int self, const ll_ndarray *a, int ndim,
                             const int64_t *shape, ll_dtype t)
{
    ll_ndarray *v = push_header(L, ndim, shape, t);
    if (a->owner)
        lua_pushvalue(L, self);
    else
        lua_getiuservalue(L, self, UV_OWNER);
    lua_setiuservalue(L, -2, UV_OWNER);
    v->count = a->count * (int64_t)a->elsize / (int64_t)v->elsize;
    v->nbytes = a->nbytes;
    v->owner = false;
    v->storage = a->storage;
    ll_host_memory_retain(v->storage);
    return v;
}

/* arr:reshape(shape): same bytes, new shape; one entry may be -1. */
static int nd_reshape(lua_State *L)
{
    ll_ndarray *a = self_at(L, 1);
    live_data(L, a);
    int64_t shape[LL_NDARRAY_MAX_DIMS];
    int ndim = check_shape(L, 2, shape, true);
    int64_t known = 1;
    int infer = -1;
    bool overflow = false;
    for (int k = 0; k < ndim; k++) {
        if (shape[k] == -1)
            infer = k;
        else if (shape[k] > INT64_MAX / known)
            overflow = true;
        else
            known *= shape[k];
    }
    if (infer >= 0 && !overflow && a->count % known == 0)
        shape[infer] = a->count / known;
    int64_t count = 0;
    uint64_t nbytes = 0;
    if (overflow || (infer >= 0 && a->count % known != 0) ||
        !shape_size(ndim, shape, a->elsize, &count, &nbytes) || count != a->count) {
        if (infer >= 0)
            shape[infer] = -1;
        push_shape_string(L, a->ndim, a->shape);
        const char *from = lua_tostring(L, -1);
        push_shape_string(L, ndim, shape);
        return ll_lua_argerror(L, 2, "cannot reshape an array of shape %s (%I elements) to %s",
                               from, (lua_Integer)a->count, lua_tostring(L, -1));
    }
    push_view(L, 1, a, ndim, shape, a->dtype);
    return 1;
}

/* arr:view(dtype): same bytes, new dtype; the last axis scales as in numpy. */
static int nd_view(lua_State *L)
{
    ll_ndarray *a = self_at(L, 1);
    live_data(L, a);
    if (lua_isnoneornil(L, 2))
        ll_lua_argerror(L, 2, "dtype expected, got %s", ll_lua_describe(L, 2));
    ll_dtype t = check_dtype(L, 2, a->dtype);
    size_t size = ll_dtype_size(t);
    int64_t shape[LL_NDARRAY_MAX_DIMS];
    memcpy(shape, a->shape, sizeof shape);
    int last = a->ndim - 1;
    uint64_t last_bytes = (uint64_t)a->shape[last] * a->elsize;
    if (last_bytes % size != 0) {
        push_shape_string(L, a->ndim, a->shape);
        return ll_lua_argerror(L, 2,
                               "cannot view a %s array of shape %s as %s: the last axis holds "
                               "%I bytes, not a multiple of %d",
                               ll_dtype_name(a->dtype), lua_tostring(L, -1), ll_dtype_name(t),
                               (lua_Integer)last_bytes, (int)size);
    }
    shape[last] = (int64_t)(last_bytes / size);
    push_view(L, 1, a, a->ndim, shape, t);
    return 1;
}

/* arr:copy(): a new array that owns a copy of the bytes. */
static int nd_copy(lua_State *L)
{
    ll_ndarray *a = self_at(L, 1);
    live_data(L, a);
    ll_ndarray *c = push_new(L, a->ndim, a->shape, a->dtype, false, 0);

    const void *data = ll_host_memory_data(a->storage);
    if (data != NULL)
        memcpy(ll_host_memory_data(c->storage), data, (size_t)a->nbytes);

    return data != NULL ? 1 : ll_lua_error(L, "ndarray has been released");
}

/* Bytes of one entry of axis `axis` (from 0): the elements of the axes after it. */
static uint64_t axis_stride(const ll_ndarray *a, int axis)
{
    uint64_t n = a->elsize;
    for (int k = axis + 1; k < a->ndim; k++)
        n *= (uint64_t)a->shape[k];
    return n;
}

/* arr:narrow(dim, start, length): the entries start .. start + length - 1 of axis dim. A view
 * over the same bytes when they are contiguous (dim 1, or every axis before dim of size 1),
 * else a copy. */
static int nd_narrow(lua_State *L)
{
    ll_ndarray *a = self_at(L, 1);
    live_data(L, a);
    int dim = (int)ll_lua_check_integer_in(L, 2, 2, "dim", 1, a->ndim);
    int64_t n = a->shape[dim - 1];
    int64_t start = ll_lua_check_integer_in(L, 3, 3, "start", 1, n);
    int64_t length = ll_lua_check_integer_in(L, 4, 4, "length", 1, n - start + 1);
    int64_t shape[LL_NDARRAY_MAX_DIMS];
    memcpy(shape, a->shape, sizeof shape);
    shape[dim - 1] = length;
    bool contiguous = true;
    for (int k = 0; k < dim - 1; k++)
        contiguous = contiguous && a->shape[k] == 1;
    lua_settop(L, 1);
    ll_ndarray *out;
    if (contiguous) {
        out = push_view(L, 1, a, a->ndim, shape, a->dtype); /* over the whole storage, for now */
        ll_host_memory_release(out->storage);
        out->storage = ll_host_memory_ended();
    } else {
        out = push_new(L, a->ndim, shape, a->dtype, false, 0);
    }

    unsigned char *data = ll_host_memory_data(a->storage);
    uint64_t stride = axis_stride(a, dim - 1);
    ll_host_memory *slice = NULL;
    if (data != NULL && contiguous)
        slice = ll_host_memory_slice(a->storage, (uint64_t)(start - 1) * stride,
                                     (uint64_t)length * stride, NULL);
    else if (data != NULL)
        ll_elements_narrow(ll_host_memory_data(out->storage), data, a->ndim, a->shape, a->elsize,
                           dim - 1, start - 1, length);

    if (data == NULL || (contiguous && slice == NULL))
        return ll_lua_error(L, data == NULL ? "ndarray has been released"
                                            : "out of host memory for a view");
    if (contiguous) {
        out->storage = slice;
        out->count = (int64_t)((uint64_t)length * stride / a->elsize);
        out->nbytes = (uint64_t)length * stride;
    }
    return 1;
}

/* arr:crop(y, x, h, w): rows y .. y + h - 1 and columns x .. x + w - 1 of an {h, w} or
 * {h, w, c} array, as a new array (a copy, always). */
static int nd_crop(lua_State *L)
{
    ll_ndarray *a = self_at(L, 1);
    live_data(L, a);
    if (a->ndim != 2 && a->ndim != 3) {
        push_shape_string(L, a->ndim, a->shape);
        return ll_lua_argerror(L, 1, "crop takes an {h, w} or {h, w, c} array, got shape %s",
                               lua_tostring(L, -1));
    }
    int64_t rows = a->shape[0], cols = a->shape[1];
    int64_t y = ll_lua_check_integer_in(L, 2, 2, "y", 1, rows);
    int64_t x = ll_lua_check_integer_in(L, 3, 3, "x", 1, cols);
    int64_t h = ll_lua_check_integer_in(L, 4, 4, "h", 1, rows - y + 1);
    int64_t w = ll_lua_check_integer_in(L, 5, 5, "w", 1, cols - x + 1);
    int64_t shape[LL_NDARRAY_MAX_DIMS];
    memcpy(shape, a->shape, sizeof shape);
    shape[0] = h;
    shape[1] = w;
    lua_settop(L, 1);
    ll_ndarray *out = push_new(L, a->ndim, shape, a->dtype, false, 0);

    unsigned char *data = ll_host_memory_data(a->storage);
    if (data != NULL) {
        int64_t block[LL_NDARRAY_MAX_DIMS]; /* rows y .. y + h - 1, whole, then narrowed */
        memcpy(block, a->shape, sizeof block);
        block[0] = h;
        ll_elements_narrow(ll_host_memory_data(out->storage),
                           data + (uint64_t)(y - 1) * axis_stride(a, 0), a->ndim, block,
                           a->elsize, 1, x - 1, w);
    }

    return data != NULL ? 1 : ll_lua_error(L, "ndarray has been released");
}

/* The default of padChannels: full intensity, what an opaque alpha channel holds: the
 * dtype's largest value for integers (255 for uint8), 1.0 for floats. */
static void opaque_fill(const ll_ndarray *a, unsigned char *elem)
{
    if (a->is_float) {
        a->store_double(elem, 1.0);
        return;
    }
    static const uint64_t max[LL_DTYPE_COUNT] = {
        [LL_UINT8] = UINT8_MAX,   [LL_INT8] = INT8_MAX,   [LL_UINT16] = UINT16_MAX,
        [LL_INT16] = INT16_MAX,   [LL_UINT32] = UINT32_MAX, [LL_INT32] = INT32_MAX,
        [LL_UINT64] = UINT64_MAX, [LL_INT64] = INT64_MAX,
    };
    memcpy(elem, &max[a->dtype], a->elsize); /* little-endian: the low bytes */
}

/* arr:padChannels(n, fill = full intensity): {..., c} -> {..., n}, the channels after c
 * set to fill (an RGB picture becomes RGBA with an opaque alpha). A new array. */
static int nd_pad_channels(lua_State *L)
{
    ll_ndarray *a = self_at(L, 1);
    live_data(L, a);
    int64_t c = a->shape[a->ndim - 1];
    int64_t n = ll_lua_check_integer(L, 2, 2, "n", 1);
    if (n < c)
        return ll_lua_argerror(L, 2, "n must be at least the array's %I channels (its last "
                               "axis), got %I", (lua_Integer)c, (lua_Integer)n);
    unsigned char fill[8];
    if (lua_isnoneornil(L, 3)) {
        opaque_fill(a, fill);
    } else {
        int fit = store_value(L, a, fill, 3);
        if (fit != LL_FIT_OK)
            value_error(L, 3, 3, fit, a->dtype, "");
    }
    int64_t shape[LL_NDARRAY_MAX_DIMS];
    memcpy(shape, a->shape, sizeof shape);
    shape[a->ndim - 1] = n;
    lua_settop(L, 1);
    ll_ndarray *out = push_new(L, a->ndim, shape, a->dtype, false, 0);

    const unsigned char *data = ll_host_memory_data(a->storage);
    if (data != NULL)
        ll_elements_pad_channels(ll_host_memory_data(out->storage), data,
                                 (uint64_t)(a->count / c), a->elsize, c, n, fill);

    return data != NULL ? 1 : ll_lua_error(L, "ndarray has been released");
}

/* release(), __close and __gc. Idempotent. Dropping the user values lets the owner of a
 * released view, or the parent of foreign storage, go before the view itself does. */
static int nd_release(lua_State *L)
{
    ll_ndarray *a = self_at(L, 1);
    array_release(a);
    lua_pushnil(L);
    lua_setiuservalue(L, 1, UV_OWNER);
    lua_pushnil(L);
    lua_setiuservalue(L, 1, UV_PARENT);
    return 0;
}

/* Integral values in full; others as the shortest decimal that reads back as the same
 * element of the dtype. */
static void format_float(char *buf, size_t size, double d, ll_dtype t)
{
    if (isnan(d)) {
        snprintf(buf, size, "nan");
        return;
    }
    if (isinf(d)) {
        snprintf(buf, size, d < 0 ? "-inf" : "inf");
        return;
    }
    if (d == floor(d) && fabs(d) < 1e16) { /* integral: all digits, as Lua prints 2.0 */
        snprintf(buf, size, "%.1f", d);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        double back = strtod(buf, NULL);
        bool same = t == LL_FLOAT16   ? ll_half_from_double(back) == ll_half_from_double(d)
                    : t == LL_FLOAT32 ? (float)back == (float)d
                                      : back == d;
        if (same)
            break;
    }
    if (strpbrk(buf, ".eninf") == NULL) /* looks like an integer: say it is a float */
        strncat(buf, ".0", size - strlen(buf) - 1);
}

static void format_element(char *buf, size_t size, const ll_ndarray *a, const unsigned char *p)
{
    int64_t i;
    double d;
    if (a->dtype == LL_UINT64) {
        uint64_t u;
        memcpy(&u, p, sizeof u);
        snprintf(buf, size, "%llu", (unsigned long long)u);
    } else if (ll_dtype_codec_of(a->dtype)->load(p, &i, &d)) {
        snprintf(buf, size, "%lld", (long long)i);
    } else {
        format_float(buf, size, d, a->dtype);
    }
}

static void add_values(luaL_Buffer *b, const ll_ndarray *a, int level, const unsigned char **p)
{
    luaL_addchar(b, '{');
    for (int64_t j = 0; j < a->shape[level]; j++) {
        if (j > 0)
            luaL_addstring(b, ", ");
        if (level < a->ndim - 1) {
            add_values(b, a, level + 1, p);
        } else {
            char num[48];
            format_element(num, sizeof num, a, *p);
            luaL_addstring(b, num);
            *p += a->elsize;
        }
    }
    luaL_addchar(b, '}');
}

/* How many elements a summary shows at each end, as numpy's `[0 1 2 ... 997 998 999]`. */
#define REPR_EDGE 3
/* Up to this many elements a summary also reads every one for min and max (about 0.1 s at
 * memory speed); larger arrays show only their ends, so that printing stays quick. */
#define REPR_EXTREMES_MAX (INT64_C(1) << 27)

/* The least or greatest uint64 element, exactly (ll_scalar holds it as a rounded double). */
static uint64_t extreme_uint64(const unsigned char *data, int64_t count, bool want_max)
{
    uint64_t best = want_max ? 0 : UINT64_MAX;
    for (int64_t k = 0; k < count; k++) {
        uint64_t u;
        memcpy(&u, data + (size_t)k * 8, sizeof u);
        best = (want_max ? u > best : u < best) ? u : best;
    }
    return best;
}

/* Phase 2 of a summary: "{h0, h1, h2, ..., t0, t1, t2}, min m, max M", the first and last
 * elements in flat row-major order and the extremes. */
static void format_summary(char *out, size_t size, const ll_ndarray *a, const unsigned char *data)
{
    char num[48];
    size_t used = 0;
    out[0] = '\0';
#define APPEND(s) (used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%s", (s)))
    APPEND("{");
    for (int k = 0; k < 2 * REPR_EDGE; k++) {
        int64_t i = k < REPR_EDGE ? k : a->count - 2 * REPR_EDGE + k;
        format_element(num, sizeof num, a, data + (size_t)i * a->elsize);
        APPEND(k == 0 ? "" : k == REPR_EDGE ? ", ..., " : ", ");
        APPEND(num);
    }
    if (a->count > REPR_EXTREMES_MAX) {
        APPEND("}");
        return;
    }
    ll_scalar lo = ll_elements_min(data, a->dtype, (uint64_t)a->count);
    ll_scalar hi = ll_elements_max(data, a->dtype, (uint64_t)a->count);
    for (int k = 0; k < 2; k++) {
        ll_scalar v = k == 0 ? lo : hi;
        if (v.is_int)
            snprintf(num, sizeof num, "%lld", (long long)v.i);
        else if (a->dtype == LL_UINT64) /* above maxinteger: printed exactly */
            snprintf(num, sizeof num, "%llu",
                     (unsigned long long)extreme_uint64(data, a->count, k == 1));
        else
            format_float(num, sizeof num, v.d, a->dtype);
        APPEND(k == 0 ? "}, min " : ", max ");
        APPEND(num);
    }
#undef APPEND
}

/* __tostring: ndarray(uint8, {2, 3}, {{1, 2, 3}, {4, 5, 6}}) up to 100 elements; past that
 * the first and last three, flat, and the extremes: ndarray(uint8, {1000}, {0, 1, 2, ...,
 * 997, 998, 999}, min 0, max 999). Never raises for a released array. */
static int nd_repr(lua_State *L)
{
    ll_ndarray *a = self_at(L, 1);
    if (ll_host_memory_data(a->storage) == NULL) {
        lua_pushliteral(L, "ndarray(released)");
        return 1;
    }
    /* phase 2: the values are copied or formatted before the string is built, which runs Lua */
    unsigned char values[REPR_MAX_ELEMENTS * 8];
    char summary[2 * REPR_EDGE * 48 + 160];
    bool small = a->count <= REPR_MAX_ELEMENTS;
    if (small)
        memcpy(values, ll_host_memory_data(a->storage), (size_t)a->nbytes);
    else
        format_summary(summary, sizeof summary, a, ll_host_memory_data(a->storage));
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "ndarray(");
    luaL_addstring(&b, ll_dtype_name(a->dtype));
    luaL_addstring(&b, ", ");
    push_shape_string(L, a->ndim, a->shape);
    luaL_addvalue(&b);
    if (small) {
        const unsigned char *p = values;
        luaL_addstring(&b, ", ");
        add_values(&b, a, 0, &p);
    } else {
        luaL_addstring(&b, ", ");
        luaL_addstring(&b, summary);
    }
    luaL_addchar(&b, ')');
    luaL_pushresult(&b);
    return 1;
}

/* ---- constructors --------------------------------------------------------------------- */

/* ll.ndarray(4, 4): dimensions given one by one, as torch.Tensor(4, 4) takes them; the
 * second would be read as a dtype. Says how to write the shape. */
static int dimensions_error(lua_State *L)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    int n = lua_gettop(L);
    for (int k = 1; k <= n && lua_type(L, k) == LUA_TNUMBER; k++) {
        if (k > 1)
            luaL_addstring(&b, ", ");
        luaL_tolstring(L, k, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    return luaL_error(L, "bad argument #1 to 'ndarray' (the shape must be one table of "
                      "positive integers, got the numbers %s: write ll.ndarray({%s}) or "
                      "ll.ndarray({%s}, \"uint8\"))", lua_tostring(L, -1), lua_tostring(L, -1),
                      lua_tostring(L, -1));
}

/* ll.ndarray(shape, dtype = "float32"), through the __call of the ll.ndarray table. */
static int nd_call(lua_State *L)
{
    lua_remove(L, 1); /* the ll.ndarray table: arguments count from the shape */
    if (lua_type(L, 1) == LUA_TNUMBER && lua_type(L, 2) == LUA_TNUMBER)
        dimensions_error(L);
    int64_t shape[LL_NDARRAY_MAX_DIMS];
    int ndim = check_shape(L, 1, shape, false);
    ll_dtype t = check_dtype(L, 2, LL_FLOAT32);
    push_new(L, ndim, shape, t, true, 1);
    return 1;
}

typedef struct table_fill {
    ll_ndarray *a;
    int arg;           /* the argument holding the table, for messages */
    bool infer;        /* dtype not given: int64 until the first float */
    unsigned char *p;  /* next element */
    int64_t idx[LL_NDARRAY_MAX_DIMS];
} table_fill;

/* Releases the half-built array before raising, so its memory goes now. */
static int table_error(lua_State *L, table_fill *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *msg = lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    array_release(f->a);
    return luaL_argerror(L, f->arg, msg);
}

static int table_value_error(lua_State *L, table_fill *f, int level, int fit)
{
    char where[INDEX_TEXT_MAX];
    format_index(where, sizeof where, level + 1, f->idx);
    if (lua_type(L, -1) == LUA_TTABLE)
        return table_error(L, f, "ragged nested table: a table%s where a number was expected",
                           where);
    ll_dtype t = f->a->dtype;
    array_release(f->a);
    return value_error(L, f->arg, -1, fit, t, where);
}

/* The first float of an inferred table: what was stored as int64 becomes float64. */
static void switch_to_float64(table_fill *f)
{
    unsigned char *data = ll_host_memory_data(f->a->storage);
    for (unsigned char *q = data; q < f->p; q += 8) {
        int64_t i;
        memcpy(&i, q, sizeof i);
        double d = (double)i;
        memcpy(q, &d, sizeof d);
    }
    set_dtype(f->a, LL_FLOAT64);
    f->infer = false;
}

static void fill_from_table(lua_State *L, table_fill *f, int level, int t)
{
    ll_ndarray *a = f->a;
    int64_t n = a->shape[level];
    if (level < a->ndim - 1) {
        int64_t inner = a->shape[level + 1];
        for (int64_t j = 1; j <= n; j++) {
            f->idx[level] = j;
            char where[INDEX_TEXT_MAX];
            if (lua_rawgeti(L, t, j) != LUA_TTABLE)
                table_error(L, f, "ragged nested table: %s%s where a table of length %I was "
                            "expected", luaL_typename(L, -1),
                            format_index(where, sizeof where, level + 1, f->idx),
                            (lua_Integer)inner);
            lua_Unsigned len = lua_rawlen(L, -1);
            if (len != (lua_Unsigned)inner)
                table_error(L, f, "ragged nested table: length %I%s, expected %I",
                            (lua_Integer)len,
                            format_index(where, sizeof where, level + 1, f->idx),
                            (lua_Integer)inner);
            fill_from_table(L, f, level + 1, lua_gettop(L));
            lua_pop(L, 1);
        }
        return;
    }
    unsigned char *p = f->p;
    size_t size = a->elsize;
    for (int64_t j = 1; j <= n; j++, p += size) {
        int fit;
        lua_rawgeti(L, t, j);
        if (lua_isinteger(L, -1)) {
            fit = a->store_int(p, lua_tointeger(L, -1));
        } else if (lua_type(L, -1) == LUA_TNUMBER) {
            if (f->infer) {
                f->p = p;
                switch_to_float64(f);
            }
            fit = a->store_double(p, lua_tonumber(L, -1));
        } else {
            fit = FIT_NOT_NUMBER;
        }
        if (fit != LL_FIT_OK) {
            f->idx[level] = j;
            table_value_error(L, f, level, fit);
        }
        lua_pop(L, 1);
    }
    f->p = p;
}

/* Pushes the array made from the nested table at arg; t < 0 infers the dtype. */
static ll_ndarray *push_from_table(lua_State *L, int arg, int t)
{
    arg = lua_absindex(L, arg);
    int64_t shape[LL_NDARRAY_MAX_DIMS];
    int ndim = 0;
    luaL_checkstack(L, LL_NDARRAY_MAX_DIMS + 8, "nested table");
    /* the shape: the lengths along the first elements */
    lua_pushvalue(L, arg);
    for (;;) {
        lua_Unsigned len = lua_rawlen(L, -1);
        if (len == 0) {
            char where[INDEX_TEXT_MAX] = "";
            int64_t ones[LL_NDARRAY_MAX_DIMS] = {1, 1, 1, 1, 1, 1, 1, 1,
                                                 1, 1, 1, 1, 1, 1, 1, 1};
            if (ndim > 0)
                format_index(where, sizeof where, ndim, ones);
            ll_lua_argerror(L, arg, "empty table%s: every dimension must be at least 1",
                            where);
        }
        if (ndim == LL_NDARRAY_MAX_DIMS)
            ll_lua_argerror(L, arg, "table nested deeper than %d levels", LL_NDARRAY_MAX_DIMS);
        shape[ndim++] = (int64_t)len;
        if (lua_rawgeti(L, -1, 1) != LUA_TTABLE)
            break;
    }
    lua_pop(L, ndim + 1);

    table_fill f = {.arg = arg, .infer = t < 0};
    f.a = push_new(L, ndim, shape, t < 0 ? LL_INT64 : (ll_dtype)t, false, arg);
    f.p = ll_host_memory_data(f.a->storage);
    fill_from_table(L, &f, 0, arg);
    return f.a;
}

/* ll.ndarray.fromTable(t, dtype?) */
static int nd_from_table(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int t = lua_isnoneornil(L, 2) ? -1 : (int)check_dtype(L, 2, LL_FLOAT64);
    push_from_table(L, 1, t);
    return 1;
}

/* ll.ndarray.fromString(bytes, shape?, dtype = "uint8") */
static int nd_from_string(lua_State *L)
{
    if (lua_type(L, 1) != LUA_TSTRING)
        ll_lua_argerror(L, 1, "string expected, got %s", ll_lua_describe(L, 1));
    size_t len;
    const char *bytes = lua_tolstring(L, 1, &len);
    ll_dtype t = check_dtype(L, 3, LL_UINT8);
    size_t size = ll_dtype_size(t);
    int64_t shape[LL_NDARRAY_MAX_DIMS];
    int ndim;
    if (lua_isnoneornil(L, 2)) {
        if (len == 0 || len % size != 0)
            ll_lua_argerror(L, 1, "%I bytes do not make a 1-D %s array (%d bytes each, at "
                            "least one)", (lua_Integer)len, ll_dtype_name(t), (int)size);
        ndim = 1;
        shape[0] = (int64_t)(len / size);
    } else {
        ndim = check_shape(L, 2, shape, false);
    }
    int64_t count = 0;
    uint64_t nbytes = 0;
    if (!shape_size(ndim, shape, size, &count, &nbytes) || nbytes != len) {
        bool fits = shape_size(ndim, shape, size, &count, &nbytes);
        const char *need = fits ? lua_pushfstring(L, "%I", (lua_Integer)nbytes)
                                : "more than 2^63";
        push_shape_string(L, ndim, shape);
        ll_lua_argerror(L, 1, "#bytes is %I, but shape %s of %s needs %s bytes",
                        (lua_Integer)len, lua_tostring(L, -1), ll_dtype_name(t), need);
    }
    ll_ndarray *a = push_new(L, ndim, shape, t, false, 2);
    /* the string is on the stack: still there */
    memcpy(ll_host_memory_data(a->storage), bytes, len);
    return 1;
}

/* ---- the C interface -------------------------------------------------------------------- */

ll_ndarray *ll_lua_to_ndarray(lua_State *L, int idx)
{
    return luaL_testudata(L, idx, LL_NDARRAY_T);
}

ll_ndarray *ll_lua_check_ndarray(lua_State *L, int idx)
{
    ll_ndarray *a = ll_lua_to_ndarray(L, idx);
    if (a == NULL)
        ll_lua_argerror(L, idx, "ndarray expected, got %s", ll_lua_describe(L, idx));
    live_data(L, a);
    return a;
}

bool ll_ndarray_validate(const ll_ndarray *a, ll_error *err)
{
    if (a->ndim < 1 || a->ndim > LL_NDARRAY_MAX_DIMS)
        return ll_fail(err, LL_E_STATE, "ndarray has %d dimensions", a->ndim);
    int64_t count = 1;
    for (int i = 0; i < a->ndim; i++) {
        if (a->shape[i] <= 0 || count > INT64_MAX / a->shape[i])
            return ll_fail(err, LL_E_STATE, "ndarray dimension %d is %lld", i + 1,
                           (long long)a->shape[i]);
        count *= a->shape[i];
    }
    if (a->count != count || a->elsize != ll_dtype_size(a->dtype) ||
        a->nbytes != (uint64_t)count * a->elsize)
        return ll_fail(err, LL_E_STATE, "ndarray of %lld elements has count %lld and %llu "
                       "bytes", (long long)count, (long long)a->count,
                       (unsigned long long)a->nbytes);
    if (ll_host_memory_data(a->storage) != NULL && a->nbytes > ll_host_memory_size(a->storage))
        return ll_fail(err, LL_E_STATE, "ndarray of %llu bytes over storage of %llu",
                       (unsigned long long)a->nbytes,
                       (unsigned long long)ll_host_memory_size(a->storage));
    return ll_host_memory_validate(a->storage, err);
}

void *ll_lua_live_ndarray_data(lua_State *L, int idx, ll_error *err)
{
    void *data = ll_host_memory_data(ll_lua_to_ndarray(L, idx)->storage);
    if (data == NULL)
        ll_fail(err, LL_E_STATE, "ndarray has been released");
    return data;
}

ll_host_memory *ll_lua_ndarray_storage(lua_State *L, int idx)
{
    return ll_lua_to_ndarray(L, idx)->storage;
}

ll_ndarray *ll_lua_check_arraylike(lua_State *L, int idx, int table_dtype)
{
    idx = lua_absindex(L, idx);
    ll_ndarray *a = ll_lua_to_ndarray(L, idx);
    if (a != NULL) {
        live_data(L, a);
        lua_pushvalue(L, idx);
        return a;
    }
    switch (lua_type(L, idx)) {
    case LUA_TTABLE:
        return push_from_table(L, idx, table_dtype >= 0 && table_dtype < LL_DTYPE_COUNT
                                            ? table_dtype : -1);
    case LUA_TSTRING: {
        size_t len;
        const char *bytes = lua_tolstring(L, idx, &len);
        if (len == 0)
            ll_lua_argerror(L, idx, "empty string: an array needs at least one byte");
        int64_t shape[1] = {(int64_t)len};
        a = push_new(L, 1, shape, LL_UINT8, false, idx);
        memcpy(ll_host_memory_data(a->storage), bytes, len);
        return a;
    }
    default:
        ll_lua_argerror(L, idx, "ndarray, table or string expected, got %s",
                        ll_lua_describe(L, idx));
        return NULL;
    }
}

static void check_c_shape(lua_State *L, int ndim, const int64_t *shape)
{
    if (ndim < 1 || ndim > LL_NDARRAY_MAX_DIMS)
        ll_lua_error(L, "an ndarray has 1 to %d dimensions, not %d", LL_NDARRAY_MAX_DIMS,
                   ndim);
    for (int k = 0; k < ndim; k++)
        if (shape[k] < 1)
            ll_lua_error(L, "ndarray dimension %d must be positive, got %I", k + 1,
                       (lua_Integer)shape[k]);
}

ll_ndarray *ll_lua_push_ndarray(lua_State *L, int ndim, const int64_t *shape, ll_dtype dtype)
{
    check_c_shape(L, ndim, shape);
    return push_new(L, ndim, shape, dtype, true, 0);
}

ll_ndarray *ll_lua_push_ndarray_unbound(lua_State *L, int ndim, const int64_t *shape,
                                        ll_dtype dtype, int parent)
{
    if (parent != 0)
        parent = lua_absindex(L, parent);
    check_c_shape(L, ndim, shape);
    int64_t count = 0;
    uint64_t nbytes = 0;
    if (!shape_size(ndim, shape, ll_dtype_size(dtype), &count, &nbytes))
        ll_lua_error(L, "invalid foreign storage for an ndarray");
    ll_ndarray *a = push_header(L, ndim, shape, dtype);
    if (parent != 0) {
        lua_pushvalue(L, parent);
        lua_setiuservalue(L, -2, UV_PARENT);
    }
    return a;
}

bool ll_ndarray_bind_foreign(ll_ndarray *a, void *data, ll_host_memory_hook hook, void *ud,
                             ll_host_memory **storage)
{
    int64_t count = 0;
    uint64_t nbytes = 0;
    if (a->storage != ll_host_memory_ended() || a->count != 0 || data == NULL ||
        !shape_size(a->ndim, a->shape, a->elsize, &count, &nbytes))
        return false;
    ll_host_memory *s = ll_host_memory_wrap(data, nbytes, hook, ud, NULL);
    if (s == NULL)
        return false;
    a->storage = s;
    a->owner = true;
    a->count = count;
    a->nbytes = nbytes;
    if (storage != NULL) {
        ll_host_memory_retain(s);
        *storage = s;
    }
    return true;
}

void *ll_ndarray_data(const ll_ndarray *a)
{
    return ll_host_memory_data(a->storage);
}

uint64_t ll_ndarray_nbytes(const ll_ndarray *a)
{
    return a->nbytes;
}

int64_t ll_ndarray_count(const ll_ndarray *a)
{
    return a->count;
}

int ll_ndarray_ndim(const ll_ndarray *a)
{
    return a->ndim;
}

const int64_t *ll_ndarray_shape(const ll_ndarray *a)
{
    return a->shape;
}

ll_dtype ll_ndarray_dtype(const ll_ndarray *a)
{
    return a->dtype;
}

bool ll_ndarray_alive(const ll_ndarray *a)
{
    return ll_host_memory_data(a->storage) != NULL;
}

ll_host_memory *ll_ndarray_storage_of(ll_ndarray *a)
{
    if (ll_host_memory_data(a->storage) == NULL)
        return NULL;
    ll_host_memory_retain(a->storage);
    return a->storage;
}

/* ---- registration ---------------------------------------------------------------------- */

static const luaL_Reg methods[] = {
    {"get", nd_get},         {"set", nd_set},       {"totable", nd_totable},
    {"tostring", nd_tostring}, {"fill", nd_fill},   {"reshape", nd_reshape},
    {"view", nd_view},       {"copy", nd_copy},     {"release", nd_release},
    {"narrow", nd_narrow},   {"crop", nd_crop},     {"padChannels", nd_pad_channels},
    {"size", nd_len}, /* as #arr: lluvia's fromBase64 gives a vector, whose size() scripts call */
    {NULL, NULL},
};

static const luaL_Reg metamethods[] = {
    {"__newindex", nd_newindex}, {"__len", nd_len},     {"__gc", nd_release},
    {"__close", nd_release},     {"__tostring", nd_repr}, {"__pairs", nd_pairs},
    {NULL, NULL},
};

static const luaL_Reg constructors[] = {
    {"fromTable", nd_from_table},
    {"fromString", nd_from_string},
    {NULL, NULL},
};

/* The function ipairs iterates with (the first value ipairs returns), or nil when the
 * state has no ipairs. */
static void push_ipairs_iterator(lua_State *L)
{
    if (lua_getglobal(L, "ipairs") != LUA_TFUNCTION) {
        lua_pop(L, 1);
        lua_pushnil(L);
        return;
    }
    lua_newtable(L);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK || !lua_iscfunction(L, -1)) {
        lua_pop(L, 1);
        lua_pushnil(L);
    }
}

int ll_lua_open_ndarray(lua_State *L)
{
    int module = lua_gettop(L);
    luaL_newmetatable(L, LL_NDARRAY_T);
    int mt = lua_gettop(L);

    lua_newtable(L); /* methods, each with the metatable as upvalue 1 */
    lua_pushvalue(L, mt);
    luaL_setfuncs(L, methods, 1);
    luaL_setfuncs(L, ll_ndarray_ops_methods, 0);
    ll_lua_record_class(L, "ndarray", -1, field_names);
    lua_pushvalue(L, -1); /* where kit.addMethods finds them (lua/ndarray_show.lua) */
    lua_setfield(L, LUA_REGISTRYINDEX, LL_NDARRAY_T ".methods");
    lua_pushvalue(L, mt);
    lua_insert(L, -2);
    push_ipairs_iterator(L);
    lua_pushcclosure(L, nd_index, 3); /* upvalues: metatable, methods, ipairs' iterator */
    lua_setfield(L, mt, "__index");

    lua_pushvalue(L, mt);
    luaL_setfuncs(L, metamethods, 1);
    luaL_setfuncs(L, ll_ndarray_ops_metamethods, 0);
    /* scripts see a name, never the metamethods */
    lua_pushliteral(L, "ll.ndarray");
    lua_setfield(L, mt, "__metatable");

    lua_newtable(L); /* ll.ndarray: callable, with the other constructors as fields */
    lua_pushvalue(L, mt);
    luaL_setfuncs(L, constructors, 1);
    lua_newtable(L);
    lua_pushvalue(L, mt);
    lua_pushcclosure(L, nd_call, 1);
    lua_setfield(L, -2, "__call");
    lua_pushliteral(L, "ll.ndarray");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_setfield(L, module, "ndarray");

    lua_settop(L, module);
    return 0;
}
