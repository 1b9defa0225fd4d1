/* enums.c: the checks that turn enumeration names (or lists of names) from Lua into values,
 * and flags back into lists of names, over the core's tables (lluvia/enums.h). */
#include "binding.h"

static const ll_enum_entry *find(const ll_enum *e, const char *name)
{
    return ll_enum_find(e, name, false);
}

static int unknown_name(lua_State *L, int arg, const ll_enum *e, int idx)
{
    luaL_Buffer b;
    const char *what = ll_lua_describe(L, idx);
    luaL_buffinit(L, &b);
    bool first = true;
    for (const ll_enum_entry *it = e->entries; it->name != NULL; it++) {
        if (it->core_only)
            continue;
        if (!first)
            luaL_addstring(&b, ", ");
        luaL_addstring(&b, it->name);
        first = false;
    }
    luaL_pushresult(&b);
    return ll_lua_argerror(L, arg, "unknown %s %s (expected one of: %s)", e->table, what,
                           lua_tostring(L, -1));
}

uint32_t ll_lua_check_enum(lua_State *L, int arg, const ll_enum *e, int none_ok,
                           uint32_t def)
{
    if (none_ok && lua_isnoneornil(L, arg))
        return def;
    if (lua_type(L, arg) != LUA_TSTRING)
        return (uint32_t)ll_lua_argerror(L, arg, "%s name expected, got %s", e->table,
                                         ll_lua_describe(L, arg));
    const ll_enum_entry *it = find(e, lua_tostring(L, arg));
    if (it == NULL)
        return (uint32_t)unknown_name(L, arg, e, arg);
    return it->value;
}

uint32_t ll_lua_check_flags(lua_State *L, int arg, const ll_enum *e, uint32_t def)
{
    int t = lua_type(L, arg);
    if (t == LUA_TNONE || t == LUA_TNIL)
        return def;
    if (t == LUA_TSTRING)
        return ll_lua_check_enum(L, arg, e, 0, 0);
    if (t != LUA_TTABLE)
        return (uint32_t)ll_lua_argerror(L, arg, "%s name or list of names expected, got %s",
                                         e->table, ll_lua_describe(L, arg));
    uint32_t flags = 0;
    lua_Integer n = ll_lua_check_list(L, arg, arg, e->table);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, arg, i);
        if (lua_type(L, -1) != LUA_TSTRING)
            return (uint32_t)ll_lua_argerror(L, arg, "%s names expected, got %s at [%d]",
                                             e->table, ll_lua_describe(L, -1), (int)i);
        const ll_enum_entry *it = find(e, lua_tostring(L, -1));
        if (it == NULL)
            return (uint32_t)unknown_name(L, arg, e, -1);
        flags |= it->value;
        lua_pop(L, 1);
    }
    return flags;
}

void ll_lua_push_flags(lua_State *L, const ll_enum *e, uint32_t flags)
{
    lua_newtable(L);
    int n = 0;
    for (const ll_enum_entry *it = e->entries; it->name != NULL; it++)
        if (!it->core_only && it->value != 0 && (flags & it->value) == it->value) {
            lua_pushstring(L, it->name);
            lua_rawseti(L, -2, ++n);
        }
}
