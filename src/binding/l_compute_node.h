/* l_compute_node.h: the ComputeNode userdata, for the files that take nodes (command
 * buffers). Not for: the Lua-facing behaviour, which docs/compute.md describes. */
#ifndef LL_L_COMPUTE_NODE_H
#define LL_L_COMPUTE_NODE_H

#include <lua.h>

#include "lluvia/compute_node.h"

#define LL_COMPUTE_NODE_T "lluvia.ComputeNode"

/* The live ComputeNode at idx (raises if it is not one or has been released). */
ll_compute_node *ll_lua_check_compute_node(lua_State *L, int idx);

/* Registers the ComputeNode class and session:_newComputeNode and _runNodes (lua/nodes.lua
 * builds session:createComputeNode and session:run on them). */
int ll_lua_open_compute_node(lua_State *L);

#endif
