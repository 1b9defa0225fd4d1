/* l_memory.h: the Memory userdata, and how objects created from Lua keep the collector in
 * pace with device memory it cannot see. Used by l_buffer.c and l_image.c. */
#ifndef LL_L_MEMORY_H
#define LL_L_MEMORY_H

#include <lua.h>

#include "lluvia/memory.h"

#define LL_MEMORY_T "lluvia.Memory"

/* registry[LL_MEMORIES_KEY]: every Memory userdata the state made, weak keys, each with
 * the number of its making (ll.memorySummary lists them in that order; lua/summary.lua). */
#define LL_MEMORIES_KEY "lluvia.memories"

/* The live Memory at idx (raises if it is not one or has been released). */
ll_memory *ll_lua_check_memory(lua_State *L, int idx);

/* Runs `create` (which allocates device memory through the Memory); when it fails with
 * LL_E_DEVICE_MEMORY, runs a full collection and tries once more. */
typedef bool (*ll_lua_create_fn)(void *user, ll_error *err);
bool ll_lua_create_with_retry(lua_State *L, ll_lua_create_fn create, void *user,
                              ll_error *err);

/* Tells the binding that `bytes` of device memory were just reserved for an object that
 * the Lua collector owns, so that garbage holding device memory is collected in time. */
void ll_lua_device_memory_added(lua_State *L, uint64_t bytes);

/* Tells the binding that an object holding `bytes` of device memory was released (by
 * release(), <close> or its collection): those bytes no longer count towards the next
 * paced collection, so that a create + release loop never pays for full collections. */
void ll_lua_device_memory_released(lua_State *L, uint64_t bytes);

/* Pushes an allocationInfo table: {page, offset, leftPadding, size}. */
void ll_lua_push_allocation(lua_State *L, const ll_allocation *allocation);

/* Additions. */

/* Registers the Memory class, session:createMemory and ll.deviceMemoryStats (the module
 * table on top of the stack). */
int ll_lua_open_memory(lua_State *L);

#endif
