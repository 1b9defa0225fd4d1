/* l_builders.c: the C side of the node-builder system (l_builders.h): calls into the
 * functions lua/builders.lua defines on the module, and the C functions builder scripts
 * call: ll.fromBase64 and buffer:mapAndSetFromVectorUint8. */
#include "l_builders.h"

#include <lauxlib.h>

#include "binding.h"
#include "l_buffer.h"
#include "l_memory.h"
#include "l_ndarray.h"
#include "lluvia/base64.h"
#include "lluvia/buffer.h"

void ll_lua_push_module(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, LL_MODULE_KEY);
}

void ll_lua_push_node_builder(lua_State *L, int session_idx, const char *name)
{
    session_idx = lua_absindex(L, session_idx);
    ll_lua_push_module(L);
    lua_getfield(L, -1, "_findNodeBuilder");
    lua_remove(L, -2);
    lua_pushvalue(L, session_idx);
    lua_pushstring(L, name);
    lua_call(L, 2, 1);
}

void ll_lua_call_in_session(lua_State *L, int session_idx, int nargs, int nresults)
{
    session_idx = lua_absindex(L, session_idx);
    int fn = lua_gettop(L) - nargs;
    ll_lua_push_module(L);
    lua_getfield(L, -1, "_withSession");
    lua_remove(L, -2);
    lua_insert(L, fn);             /* _withSession, fn, args... */
    lua_pushvalue(L, session_idx);
    lua_insert(L, fn + 1);         /* _withSession, session, fn, args... */
    lua_call(L, nargs + 2, nresults);
}

/* ll.fromBase64(text) -> a 1-D uint8 ll.ndarray of the decoded bytes (lluvia returns a
 * std::vector<uint8_t>: `#v` and `v:size()` give its length). */
static int l_from_base64(lua_State *L)
{
    size_t length;
    const char *text = luaL_checklstring(L, 1, &length);
    size_t n = ll_base64_decoded_size(text, length);
    ll_error err;
    if (n == 0) {
        size_t unused;
        uint8_t none;
        if (length == 0)
            return ll_lua_argerror(L, 1, "base64 text is empty: an ndarray holds at least one "
                                         "byte");
        if (!ll_base64_decode(text, length, &none, &unused, &err))
            return ll_lua_raise(L, 1, &err);
    }
    ll_ndarray *a = ll_lua_push_ndarray(L, 1, (const int64_t[]){(int64_t)n}, LL_UINT8);

    /* the text stays on the stack at 1: its pointer is still valid */
    size_t written;
    if (!ll_base64_decode(text, length, ll_ndarray_data(a), &written, &err))
        return ll_lua_raise(L, 1, &err);
    return 1;
}

/* The write of buffer_set_from_vector: the Buffer at 1, the array at `array`. */
typedef struct set_job {
    lua_State *L;
    int array;
    uint64_t nbytes, size; /* 0 until both are resolved */
} set_job;

/* Phase 2, run again after the collection of a retry (which runs Lua): resolves the buffer
 * and the array on each try. Bytes that do not fit are an LL_E_ARGUMENT (not retried); the
 * caller words that error from nbytes and size. */
static bool set_bytes(void *user, ll_error *err)
{
    set_job *j = user;
    ll_buffer *b = ll_lua_resolve(j->L, 1, "Buffer", err);
    void *data = b != NULL ? ll_lua_live_ndarray_data(j->L, j->array, err) : NULL;
    if (data == NULL)
        return false;
    j->nbytes = ll_ndarray_nbytes(ll_lua_to_ndarray(j->L, j->array));
    j->size = ll_buffer_size(b);
    if (j->nbytes > j->size)
        return ll_fail(err, LL_E_ARGUMENT, "the bytes do not fit");
    return ll_buffer_write(b, 0, data, j->nbytes, err);
}

/* buffer:mapAndSetFromVectorUint8(bytes): lluvia's name for writing bytes (an ndarray, a
 * table or a string) at the start of a buffer; more bytes than the buffer holds is an
 * argument error. Buffers that are not mappable are written through staging. */
static int buffer_set_from_vector(lua_State *L)
{
    ll_lua_check_buffer(L, 1);
    ll_lua_check_arraylike(L, 2, LL_UINT8);

    ll_error err;
    set_job j = {L, lua_gettop(L), 0, 0};
    bool ok = ll_lua_with_retry(L, set_bytes, &j, &err);

    if (ok)
        return 0;
    if (j.nbytes > j.size)
        return ll_lua_argerror(L, 2, "%I bytes do not fit in a buffer of %I bytes",
                               (lua_Integer)j.nbytes, (lua_Integer)j.size);
    return ll_lua_raise(L, 2, &err);
}

int ll_lua_open_builders(lua_State *L)
{
    lua_pushcfunction(L, l_from_base64);
    lua_setfield(L, -2, "fromBase64");
    static const luaL_Reg buffer_methods[] = {
        {"mapAndSetFromVectorUint8", buffer_set_from_vector},
        {NULL, NULL},
    };
    ll_lua_add_methods(L, LL_BUFFER_T, buffer_methods);
    return 0;
}
