/* l_builders.h: the binding's way into the node-builder system of lua/builders.lua, for
 * the C files that run builders (compute and container nodes): finding a session's builder
 * by name, and calling a builder's function with that session active. Not for: the
 * registries themselves, which live in Lua (lua/builders.lua, docs/compute.md). */
#ifndef LL_L_BUILDERS_H
#define LL_L_BUILDERS_H

#include <stddef.h>

#include <lua.h>

/* Registry key of the module table (set by luaopen_lluvia). */
#define LL_MODULE_KEY "lluvia.module"

/* A file embedded at build time by cmake/embed.cmake; its tables end with a NULL name. */
struct ll_embedded {
    const char *name;
    const char *source;
    size_t length;
};

/* The built-in node library (docs/nodes.md): the SPIR-V of shaders/nodes under its path
 * and ".spv" ("lluvia/color/RGBA2Gray.comp.spv"), and the builder scripts of lua/nodes
 * ("lluvia/color/RGBA2Gray.lua"), each in name order. */
extern const struct ll_embedded ll_embedded_node_programs[], ll_embedded_node_builders[];

/* Pushes the module table. */
void ll_lua_push_module(lua_State *L);

/* Pushes the builder that the session at session_idx sees under `name` (its own, else
 * one registered outside any session), or nil. May run Lua. */
void ll_lua_push_node_builder(lua_State *L, int session_idx, const char *name);

/* Calls the function below the nargs arguments on top of the stack, with ll.activeSession
 * set to the session at session_idx and put back afterwards (ll._withSession): the way
 * every builder callback (newDescriptor, onNodeInit, onNodeRecord) is run. Pops the
 * function and its arguments and pushes nresults results (LUA_MULTRET: all). An error in
 * the function propagates, with its traceback, after the active session is put back. */
void ll_lua_call_in_session(lua_State *L, int session_idx, int nargs, int nresults);

/* Sets ll.fromBase64 in the module table at the top of the stack and adds
 * buffer:mapAndSetFromVectorUint8. Call after ll_lua_open_buffer. */
int ll_lua_open_builders(lua_State *L);

/* Sets ll._libraryFiles, ll._extractLibrary and ll._nodeLibraryFiles (l_library.c), which
 * lua/library.lua takes for loadLibrary and for the built-in node library. */
int ll_lua_open_library(lua_State *L);

#endif
