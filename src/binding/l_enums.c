/* l_enums.c: the checks that turn enumeration names, numbers and lists from Lua into values,
 * and flags back into lists of names, over the core's tables (lluvia/enums.h); and the same
 * checks offered to the embedded Lua parts (ll_lua_push_enum_kit). */
#include <stdio.h>
#include <string.h>

#include "binding.h"

static const ll_enum_entry *find(const ll_enum *e, const char *name)
{
    return ll_enum_find(e, name, false);
}

/* Pushes "A, B, C", the names a script may use, or with `values` "A = 1, B = 2". */
static const char *push_names(lua_State *L, const ll_enum *e, bool values)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    bool first = true;
    for (const ll_enum_entry *it = e->entries; it->name != NULL; it++) {
        if (it->core_only)
            continue;
        if (values)
            lua_pushfstring(L, "%s%s = %d", first ? "" : ", ", it->name, (int)it->value);
        else
            lua_pushfstring(L, "%s%s", first ? "" : ", ", it->name);
        luaL_addvalue(&b);
        first = false;
    }
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

/* Each parse reads the value at idx; on failure it pushes the message and returns false. */

static bool unknown_name(lua_State *L, const ll_enum *e, int idx)
{
    const char *what = ll_lua_describe(L, idx);
    const char *names = push_names(L, e, false);
    lua_pushfstring(L, "unknown %s %s (expected one of: %s)", e->table, what, names);
    lua_remove(L, -2);
    return false;
}

/* A name (kinds, flags) or, for ll.ChannelCount and friends, also one of the values. */
static bool parse_enum(lua_State *L, int idx, const ll_enum *e, uint32_t *out)
{
    idx = lua_absindex(L, idx);
    if (e->kind == LL_ENUM_NUMBERS && lua_type(L, idx) == LUA_TNUMBER) {
        lua_Integer v;
        if (ll_lua_tointeger(L, idx, &v))
            for (const ll_enum_entry *it = e->entries; it->name != NULL; it++)
                if (!it->core_only && (lua_Integer)it->value == v)
                    return *out = it->value, true;
        const char *what = ll_lua_describe(L, idx);
        const char *values = push_names(L, e, true);
        lua_pushfstring(L, "unknown %s %s (expected one of: %s)", e->table, what, values);
        lua_remove(L, -2);
        return false;
    }
    if (lua_type(L, idx) != LUA_TSTRING) {
        const char *what = ll_lua_describe(L, idx);
        const char *names = push_names(L, e, false);
        lua_pushfstring(L, "%s name expected, got %s (expected one of: %s)", e->table, what,
                        names);
        lua_remove(L, -2);
        return false;
    }
    const ll_enum_entry *it = find(e, lua_tostring(L, idx));
    if (it == NULL)
        return unknown_name(L, e, idx);
    *out = it->value;
    return true;
}

/* One flags value: a name or a number whose bits all have names. */
static bool parse_flag(lua_State *L, int idx, const ll_enum *e, uint32_t *out)
{
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) == LUA_TSTRING)
        return parse_enum(L, idx, e, out);
    lua_Integer v;
    uint32_t named = 0;
    for (const ll_enum_entry *it = e->entries; it->name != NULL; it++)
        if (!it->core_only)
            named |= it->value;
    if (!ll_lua_tointeger(L, idx, &v) || v < 0 || v > (lua_Integer)UINT32_MAX) {
        const char *what = ll_lua_describe(L, idx);
        lua_pushfstring(L, "%s must be a name, a number of OR-ed bits or a list of them, got "
                        "%s", e->table, what);
        return false;
    }
    uint32_t bits = (uint32_t)v;
    if (bits & ~named) {
        char head[128];
        snprintf(head, sizeof head, "unknown %s bits 0x%x in %lld", e->table,
                 (unsigned)(bits & ~named), (long long)v);
        const char *list = push_names(L, e, true);
        lua_pushfstring(L, "%s (the bits are: %s)", head, list);
        lua_remove(L, -2);
        return false;
    }
    *out = bits;
    return true;
}

static bool parse_flags(lua_State *L, int idx, const ll_enum *e, uint32_t *out)
{
    idx = lua_absindex(L, idx);
    int t = lua_type(L, idx);
    if (t == LUA_TSTRING || t == LUA_TNUMBER)
        return parse_flag(L, idx, e, out);
    if (t != LUA_TTABLE) {
        const char *what = ll_lua_describe(L, idx);
        lua_pushfstring(L, "%s name, number or list expected, got %s", e->table, what);
        return false;
    }
    uint32_t flags = 0;
    lua_Integer n = ll_lua_check_list(L, idx, idx, e->table);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, idx, i);
        t = lua_type(L, -1);
        if (t != LUA_TSTRING && t != LUA_TNUMBER) {
            const char *what = ll_lua_describe(L, -1);
            lua_pushfstring(L, "%s names or numbers expected, got %s at [%d]", e->table, what,
                            (int)i);
            lua_remove(L, -2);
            return false;
        }
        uint32_t one;
        if (!parse_flag(L, -1, e, &one)) {
            lua_remove(L, -2);
            return false;
        }
        flags |= one;
        lua_pop(L, 1);
    }
    *out = flags;
    return true;
}

uint32_t ll_lua_check_enum(lua_State *L, int arg, const ll_enum *e, int none_ok,
                           uint32_t def)
{
    if (none_ok && lua_isnoneornil(L, arg))
        return def;
    uint32_t v = 0;
    if (!parse_enum(L, arg, e, &v))
        luaL_argerror(L, arg, lua_tostring(L, -1));
    return v;
}

uint32_t ll_lua_check_flags(lua_State *L, int arg, const ll_enum *e, uint32_t def)
{
    if (lua_isnoneornil(L, arg))
        return def;
    uint32_t v = 0;
    if (!parse_flags(L, arg, e, &v))
        luaL_argerror(L, arg, lua_tostring(L, -1));
    return v;
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

/* ---- the checks for the embedded Lua parts ------------------------------------------- */

static const ll_enum *kit_table(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    const ll_enum *e = ll_enum_by_table(name);
    if (e == NULL)
        luaL_error(L, "internal: no enumeration %s", name);
    return e;
}

typedef bool (*parse_fn)(lua_State *L, int idx, const ll_enum *e, uint32_t *out);

/* Runs a parse on kit argument 2: true with the value in *out, or false with nil and the
 * message pushed (the kit function returns them). */
static bool kit_parse(lua_State *L, parse_fn parse, const ll_enum *e, uint32_t *out)
{
    lua_settop(L, 2);
    if (parse(L, 2, e, out))
        return true;
    lua_pushnil(L);
    lua_insert(L, -2);
    return false;
}

/* kit.enum(table, value) -> the name (kinds) or the value (numbers), or nil, message */
static int kit_enum(lua_State *L)
{
    const ll_enum *e = kit_table(L);
    uint32_t v;
    if (!kit_parse(L, parse_enum, e, &v))
        return 2;
    if (e->kind == LL_ENUM_NAMES)
        lua_pushstring(L, ll_enum_name(e, v));
    else
        lua_pushinteger(L, v);
    return 1;
}

/* kit.flags(table, value) -> the bits, or nil, message */
static int kit_flags(lua_State *L)
{
    const ll_enum *e = kit_table(L);
    uint32_t v;
    if (!kit_parse(L, parse_flags, e, &v))
        return 2;
    lua_pushinteger(L, v);
    return 1;
}

/* kit.flagNames(table, bits) -> the list of names of the bits */
static int kit_flag_names(lua_State *L)
{
    const ll_enum *e = kit_table(L);
    ll_lua_push_flags(L, e, (uint32_t)luaL_checkinteger(L, 2));
    return 1;
}

/* kit.channelType(value) -> the ChannelType name of a dtype or channel type (either
 * spelling, any case), or nil, message */
static int kit_channel_type(lua_State *L)
{
    lua_settop(L, 1);
    size_t len;
    const char *s = lua_type(L, 1) == LUA_TSTRING ? lua_tolstring(L, 1, &len) : NULL;
    ll_dtype t;
    if (s != NULL && ll_dtype_parse(s, len, &t)) {
        lua_pushstring(L, ll_dtype_channel_name(t));
        return 1;
    }
    lua_pushnil(L);
    lua_pushfstring(L, "unknown channelType %s (expected one of: %s, or their ChannelType "
                    "names)", ll_lua_describe(L, 1), ll_dtype_names());
    return 2;
}

void ll_lua_push_enum_kit(lua_State *L)
{
    static const luaL_Reg kit[] = {
        {"enum", kit_enum},
        {"flags", kit_flags},
        {"flagNames", kit_flag_names},
        {"channelType", kit_channel_type},
        {NULL, NULL},
    };
    luaL_newlib(L, kit);
}
