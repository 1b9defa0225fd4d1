/* lluvia.h: the entry point of the Lua module, for C applications that embed Lua and want
 * lluvia in their own states (luaL_requiref(L, "lluvia", luaopen_lluvia, 0)); installed
 * as include/lua5.4/lluvia.h with liblluvia.a and lua5.4-lluvia.pc (docs/embedding.md).
 * Not for: the C core (the other headers of include/lluvia/). */
#ifndef LLUVIA_H
#define LLUVIA_H

#include <lua.h>

/* The one symbol lluvia.so exports (the project builds with hidden visibility). */
#define LLUVIA_API __attribute__((visibility("default")))

/* Opens the module: pushes its table and returns 1, as a lua_CFunction. */
LLUVIA_API int luaopen_lluvia(lua_State *L);

#endif
