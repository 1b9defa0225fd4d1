/* l_debug.h: ll._debug, the hooks specs use to drive failure paths and check invariants. */
#ifndef LL_L_DEBUG_H
#define LL_L_DEBUG_H

#include <lua.h>

/* Sets ll._debug in the module table on top of the stack. */
int ll_lua_open_debug(lua_State *L);

#endif
