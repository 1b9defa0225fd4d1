/* l_command_buffer.h: the CommandBuffer userdata, for the files that record into one
 * (compute nodes). Not for: the Lua-facing behaviour, which docs/compute.md describes. */
#ifndef LL_L_COMMAND_BUFFER_H
#define LL_L_COMMAND_BUFFER_H

#include <lua.h>

#include "lluvia/command_buffer.h"

#define LL_COMMAND_BUFFER_T "lluvia.CommandBuffer"

/* The live CommandBuffer at idx (raises if it is not one or has been released). */
ll_command_buffer *ll_lua_check_command_buffer(lua_State *L, int idx);

/* Keeps the value at idx (a node recorded) referenced by the command buffer at cb until
 * it is begun again. */
void ll_lua_command_buffer_keep(lua_State *L, int cb, int idx);

/* Registers the CommandBuffer class and session:createCommandBuffer. */
int ll_lua_open_command_buffer(lua_State *L);

#endif
