/* l_program.h: the Program userdata and the session's program registry, for the files that
 * take programs (compute nodes, descriptors, ll.getProgram). */
#ifndef LL_L_PROGRAM_H
#define LL_L_PROGRAM_H

#include <lua.h>

#include "lluvia/program.h"

#define LL_PROGRAM_T "lluvia.Program"

/* The live Program at idx (raises if it is not one or has been released). */
ll_program *ll_lua_check_program(lua_State *L, int idx);

/* Pushes the Program registered under `name` in the registry of the session at
 * session_idx (session:setProgram), or nil. Reads plain tables only (no metamethods); like
 * any allocation, interning `name` may let the collector run finalizers. */
void ll_lua_push_registered_program(lua_State *L, int session_idx, const char *name);

/* Registers the Program class and session:compileProgram, createProgram, setProgram and
 * getProgram (the module table on top of the stack). */
int ll_lua_open_program(lua_State *L);

#endif
