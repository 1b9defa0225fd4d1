/* lluvia.h: the entry point of the Lua module, for C applications that embed Lua and want
 * lluvia in their own states (luaL_requiref(L, "lluvia", luaopen_lluvia, 0)).
 * Not for: the C core (the other headers of include/lluvia/). */
#ifndef LLUVIA_H
#define LLUVIA_H

#include <lua.h>

/* Opens the module: pushes its table and returns 1, as a lua_CFunction. */
int luaopen_lluvia(lua_State *L);

#endif
