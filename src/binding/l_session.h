/* l_session.h: the Session userdata, for the files that create objects from a session. */
#ifndef LL_L_SESSION_H
#define LL_L_SESSION_H

#include <lua.h>

#include "lluvia/session.h"

#define LL_SESSION_T "lluvia.Session"

/* The live session at idx (raises if it is not one or has been released). */
ll_session *ll_lua_check_session(lua_State *L, int idx);

#endif
