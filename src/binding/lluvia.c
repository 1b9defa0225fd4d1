/* lluvia.c: luaopen_lluvia, the module's entry point: builds the module table from each
 * type's open function, the enumeration tables, and the embedded pure-Lua parts (lua/),
 * each run as f(ll, enum_lists, kit) (kit: enumeration checks and addMethods): enums.lua first, then the others in name order. */
#include <string.h>

#include "lluvia/lluvia.h"

#include "binding.h"
#include "l_buffer.h"
#include "l_builders.h"
#include "l_command_buffer.h"
#include "l_compute_node.h"
#include "l_debug.h"
#include "l_image.h"
#include "l_image_file.h"
#include "l_memory.h"
#include "l_ndarray.h"
#include "l_program.h"

/* Generated from the files in lua/ by cmake/embed.cmake. */
extern const struct ll_embedded ll_embedded_lua[];

/* Pushes {<table> = {kind = "names" | "flags" | "numbers", names = {...}, values = {...}}}
 * for every enumeration (values[i] is the value of names[i]: the name itself for kinds),
 * which the embedded Lua part (lua/enums.lua) turns into the read-only tables ll.<table>. */
static void push_enum_lists(lua_State *L)
{
    static const char *const kinds[] = {"names", "flags", "numbers"};
    lua_newtable(L);
    for (int i = 0; ll_enums[i] != NULL; i++) {
        const ll_enum *e = ll_enums[i];
        lua_createtable(L, 0, 3);
        lua_pushstring(L, kinds[e->kind]);
        lua_setfield(L, -2, "kind");
        lua_newtable(L); /* names */
        lua_newtable(L); /* values */
        int n = 0;
        for (const ll_enum_entry *it = e->entries; it->name != NULL; it++) {
            if (it->core_only)
                continue;
            n++;
            lua_pushstring(L, it->name);
            lua_rawseti(L, -3, n);
            if (e->kind == LL_ENUM_NAMES)
                lua_pushstring(L, it->name);
            else
                lua_pushinteger(L, it->value);
            lua_rawseti(L, -2, n);
        }
        lua_setfield(L, -3, "values");
        lua_setfield(L, -2, "names");
        lua_setfield(L, -2, e->table);
    }
}

/* kit.addMethods(tname, {name = function, ...}): adds Lua functions to the methods of the
 * class tname (lua/builders.lua adds session:script, say), as ll_lua_add_methods does for
 * C functions. */
static int l_add_methods(lua_State *L)
{
    const char *tname = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_pushfstring(L, "%s.methods", tname);
    if (lua_rawget(L, LUA_REGISTRYINDEX) != LUA_TTABLE)
        return ll_lua_error(L, "internal: class %s is not registered", tname);
    lua_pushnil(L);
    while (lua_next(L, 2) != 0) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -4);
    }
    return 0;
}

/* Runs the embedded chunk `name` as f(ll, enum_lists, kit). */
static void run_embedded(lua_State *L, const struct ll_embedded *chunk, int module, int lists,
                         int kit)
{
    char chunkname[64] = "=lluvia/";
    strncat(chunkname, chunk->name, sizeof chunkname - strlen(chunkname) - 5);
    strcat(chunkname, ".lua");
    if (luaL_loadbufferx(L, chunk->source, chunk->length, chunkname, "t") != LUA_OK)
        lua_error(L);
    lua_pushvalue(L, module);
    lua_pushvalue(L, lists);
    lua_pushvalue(L, kit);
    lua_call(L, 3, 0);
}

int luaopen_lluvia(lua_State *L)
{
    ll_lua_open_live(L); /* first: its sentinel must be older than every object */
    lua_newtable(L);
    int module = lua_gettop(L);
    ll_lua_open_session(L);
    ll_lua_open_device(L);
    ll_lua_open_ndarray(L);
    ll_lua_open_memory(L);
    ll_lua_open_buffer(L);
    ll_lua_open_image(L);
    ll_lua_open_image_file(L);
    ll_lua_open_program(L);
    ll_lua_open_compute_node(L);
    ll_lua_open_command_buffer(L);
    ll_lua_open_debug(L);
    ll_lua_open_builders(L);
    ll_lua_open_library(L);
    /* Each further type's open function goes here, in dependency order. */

    push_enum_lists(L);
    int lists = lua_gettop(L);
    ll_lua_push_enum_kit(L);
    lua_pushcfunction(L, ll_lua_kit_register);
    lua_setfield(L, -2, "register");
    int kit = lua_gettop(L);
    lua_pushcfunction(L, l_add_methods);
    lua_setfield(L, kit, "addMethods");
    lua_getfield(L, LUA_REGISTRYINDEX, LL_MEMORIES_KEY);
    lua_setfield(L, kit, "memories");
    lua_pushcfunction(L, ll_lua_kit_describe_class);
    lua_setfield(L, kit, "describeClass");
    /* enums.lua first (the others use the tables it makes), then the rest in name order */
    for (const struct ll_embedded *chunk = ll_embedded_lua; chunk->name != NULL; chunk++)
        if (strcmp(chunk->name, "enums") == 0)
            run_embedded(L, chunk, module, lists, kit);
    for (const struct ll_embedded *chunk = ll_embedded_lua; chunk->name != NULL; chunk++)
        if (strcmp(chunk->name, "enums") != 0)
            run_embedded(L, chunk, module, lists, kit);
    lua_pushvalue(L, module); /* for the binding's calls into the Lua parts (l_builders.h) */
    lua_setfield(L, LUA_REGISTRYINDEX, LL_MODULE_KEY);
    lua_pushliteral(L, "lluvia " LLUVIA_VERSION);
    lua_setfield(L, module, "_VERSION");
    lua_settop(L, module);
    return 1;
}
