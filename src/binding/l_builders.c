/* l_builders.c: the C side of the node-builder system (l_builders.h): calls into the
 * functions lua/builders.lua defines on the module. */
#include "l_builders.h"

#include <lauxlib.h>

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
