/* l_memory.h: the Memory userdata, and how objects created from Lua keep the collector in
 * pace with device memory it cannot see. Used by l_buffer.c and l_image.c. */
#ifndef LL_L_MEMORY_H
#define LL_L_MEMORY_H

#include <lua.h>

#include "lluvia/host_memory.h"
#include "lluvia/memory.h"

#define LL_MEMORY_T "lluvia.Memory"

/* registry[LL_MEMORIES_KEY]: every Memory userdata the state made, weak keys, each with
 * the number of its making (ll.memorySummary lists them in that order; lua/summary.lua). */
#define LL_MEMORIES_KEY "lluvia.memories"

/* The live Memory at idx (raises if it is not one or has been released). */
ll_memory *ll_lua_check_memory(lua_State *L, int idx);

/* Runs `call` (phase 2 of a create, or of a transfer, whose staging buffer a session makes
 * on its first one); when it fails with LL_E_DEVICE_MEMORY, runs a full collection (counted
 * in retryCollections) and calls it once more. The collection runs Lua: `call` resolves
 * every object it uses itself, on each try, and a failed try must leave everything as it
 * was. */
typedef bool (*ll_lua_retry_fn)(void *user, ll_error *err);
bool ll_lua_with_retry(lua_State *L, ll_lua_retry_fn call, void *user, ll_error *err);

/* Moves `bytes` between the object at object_idx (resolved by the function itself) and
 * host memory: a Buffer's or an Image's transfer. */
typedef bool (*ll_lua_transfer_fn)(lua_State *L, int object_idx, ll_host_memory *host,
                                   uint64_t bytes, bool upload, ll_error *err);

/* Phase 2 of a transfer between the object at object_idx and the array at array_idx
 * (checked in phase 1), through ll_lua_with_retry: the array's storage is resolved on each
 * try. False with err, everything as it was, otherwise. */
bool ll_lua_transfer_with_retry(lua_State *L, ll_lua_transfer_fn move, int object_idx,
                                int array_idx, uint64_t bytes, bool upload, ll_error *err);

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
