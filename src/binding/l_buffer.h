/* l_buffer.h: the Buffer userdata, for the files that take buffers from Lua (compute nodes
 * binding them, say). Not for: creating buffers, which Memory methods do (l_buffer.c). */
#ifndef LL_L_BUFFER_H
#define LL_L_BUFFER_H

#include <lua.h>

#include "lluvia/buffer.h"

#define LL_BUFFER_T "lluvia.Buffer"

/* The live Buffer at idx (raises if it is not one or has been released). */
ll_buffer *ll_lua_check_buffer(lua_State *L, int idx);

/* Registers the Buffer class and the Memory methods that create buffers (createBuffer,
 * createBufferFromHost, createBufferLike). Call after ll_lua_open_memory. */
int ll_lua_open_buffer(lua_State *L);

#endif
