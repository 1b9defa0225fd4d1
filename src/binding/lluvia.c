/* lluvia.c: luaopen_lluvia, the module's entry point: builds the module table from each
 * type's open function, the enumeration tables, and the embedded pure-Lua parts (lua/). */
#include <string.h>

#include "lluvia/lluvia.h"

#include "binding.h"
#include "l_buffer.h"
#include "l_debug.h"
#include "l_image.h"
#include "l_memory.h"
#include "l_ndarray.h"

/* Generated from the files in lua/ by cmake/embed_lua.cmake. */
extern const struct ll_embedded {
    const char *name;
    const char *source;
    size_t length;
} ll_embedded_lua[];

/* Pushes ll.<table> = {Name = "Name", ...} for every enumeration, as plain lists the
 * embedded Lua part (lua/enums.lua) turns into read-only tables. */
static void push_enum_lists(lua_State *L)
{
    lua_newtable(L);
    for (int i = 0; ll_enums[i] != NULL; i++) {
        lua_newtable(L);
        int n = 0;
        for (const ll_enum_entry *e = ll_enums[i]->entries; e->name != NULL; e++) {
            if (e->core_only)
                continue;
            lua_pushstring(L, e->name);
            lua_rawseti(L, -2, ++n);
        }
        lua_setfield(L, -2, ll_enums[i]->table);
    }
}

/* Runs the embedded chunk `name` as f(ll, enum_lists). */
static void run_embedded(lua_State *L, const struct ll_embedded *chunk, int module, int lists)
{
    char chunkname[64] = "=lluvia/";
    strncat(chunkname, chunk->name, sizeof chunkname - strlen(chunkname) - 5);
    strcat(chunkname, ".lua");
    if (luaL_loadbufferx(L, chunk->source, chunk->length, chunkname, "t") != LUA_OK)
        lua_error(L);
    lua_pushvalue(L, module);
    lua_pushvalue(L, lists);
    lua_call(L, 2, 0);
}

int luaopen_lluvia(lua_State *L)
{
    lua_newtable(L);
    int module = lua_gettop(L);
    ll_lua_open_session(L);
    ll_lua_open_ndarray(L);
    ll_lua_open_memory(L);
    ll_lua_open_buffer(L);
    ll_lua_open_image(L);
    ll_lua_open_debug(L);
    /* Each further type's open function goes here, in dependency order. */

    push_enum_lists(L);
    int lists = lua_gettop(L);
    for (const struct ll_embedded *chunk = ll_embedded_lua; chunk->name != NULL; chunk++)
        run_embedded(L, chunk, module, lists);
    lua_pushliteral(L, "lluvia " LLUVIA_VERSION);
    lua_setfield(L, module, "_VERSION");
    lua_settop(L, module);
    return 1;
}
