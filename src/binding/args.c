/* args.c: the argument kit of args.h: one integer policy, booleans, dtypes, shapes and the
 * reader of trailing options tables. Not for: objects, enumerations or flags (binding.c,
 * l_enums.c). */
#include "args.h"

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "binding.h"

/* ---- integers and booleans -------------------------------------------------------- */

bool ll_lua_tointeger(lua_State *L, int idx, lua_Integer *out)
{
    if (lua_type(L, idx) != LUA_TNUMBER)
        return false;
    int isint;
    *out = lua_tointegerx(L, idx, &isint);
    return isint != 0;
}

static int integer_error(lua_State *L, int idx, int arg, const char *what, lua_Integer min)
{
    if (min == 1)
        return ll_lua_argerror(L, arg, "%s must be a positive integer, got %s", what,
                               ll_lua_describe(L, idx));
    return ll_lua_argerror(L, arg, "%s must be an integer >= %I, got %s", what, min,
                           ll_lua_describe(L, idx));
}

lua_Integer ll_lua_check_integer(lua_State *L, int idx, int arg, const char *what,
                                 lua_Integer min)
{
    lua_Integer v = 0;
    if (!ll_lua_tointeger(L, idx, &v) || v < min)
        integer_error(L, idx, arg, what, min);
    return v;
}

lua_Integer ll_lua_check_integer_in(lua_State *L, int idx, int arg, const char *what,
                                    lua_Integer min, lua_Integer max)
{
    lua_Integer v = 0;
    if (!ll_lua_tointeger(L, idx, &v) || v < min || v > max)
        ll_lua_argerror(L, arg, "%s must be an integer from %I to %I, got %s", what, min, max,
                        ll_lua_describe(L, idx));
    return v;
}

lua_Integer ll_lua_opt_integer(lua_State *L, int idx, int arg, const char *what,
                               lua_Integer min, lua_Integer def)
{
    return lua_isnoneornil(L, idx) ? def : ll_lua_check_integer(L, idx, arg, what, min);
}

bool ll_lua_opt_boolean(lua_State *L, int idx, int arg, const char *what, bool def)
{
    int t = lua_type(L, idx);
    if (t == LUA_TNONE || t == LUA_TNIL)
        return def;
    if (t != LUA_TBOOLEAN)
        ll_lua_argerror(L, arg, "%s must be a boolean, got %s", what, ll_lua_describe(L, idx));
    return lua_toboolean(L, idx);
}

/* ---- dtypes --------------------------------------------------------------------------- */

ll_dtype ll_lua_opt_dtype(lua_State *L, int idx, int arg, const char *what, ll_dtype def)
{
    if (lua_isnoneornil(L, idx))
        return def;
    size_t len;
    const char *s = lua_type(L, idx) == LUA_TSTRING ? lua_tolstring(L, idx, &len) : NULL;
    ll_dtype t = def;
    if (s == NULL || !ll_dtype_parse(s, len, &t))
        ll_lua_argerror(L, arg, "unknown %s %s (expected one of: %s, or their ChannelType "
                        "names)", what, ll_lua_describe(L, idx), ll_dtype_names());
    return t;
}

/* ---- shapes --------------------------------------------------------------------------- */

const char *ll_dims_text(char *buf, size_t size, const int64_t *dims, int n)
{
    int shown = n < 16 ? n : 16;
    size_t used = (size_t)snprintf(buf, size, "{");
    for (int i = 0; i < shown && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", i ? ", " : "",
                                 (long long)dims[i]);
    if (used < size)
        snprintf(buf + used, size - used, n > shown ? ", ...}" : "}");
    return buf;
}

int ll_lua_check_dims(lua_State *L, int arg, int64_t *dims, int max_dims, bool allow_infer)
{
    if (lua_type(L, arg) != LUA_TTABLE)
        ll_lua_argerror(L, arg, "shape must be a table of 1 to %d positive integers, got %s",
                        max_dims, ll_lua_describe(L, arg));
    lua_Integer n = ll_lua_check_list(L, arg, arg, "shape");
    if (n < 1 || n > max_dims)
        ll_lua_argerror(L, arg, "shape must have 1 to %d entries, got %I", max_dims, n);
    bool inferred = false;
    for (int k = 0; k < (int)n; k++) {
        lua_rawgeti(L, arg, k + 1);
        lua_Integer v = 0;
        bool ok = ll_lua_tointeger(L, -1, &v) &&
                  (v >= 1 || (allow_infer && v == -1 && !inferred));
        if (!ok)
            ll_lua_argerror(L, arg, "shape[%d] must be a positive integer%s, got %s", k + 1,
                            allow_infer ? " (or one -1)" : "", ll_lua_describe(L, -1));
        inferred = inferred || v == -1;
        dims[k] = v;
        lua_pop(L, 1);
    }
    return (int)n;
}

/* ---- lists and options tables --------------------------------------------------------- */

/* Raises: the table at idx has the keys that are not list entries. */
static int mixed_error(lua_State *L, int idx, int arg)
{
    idx = lua_absindex(L, idx);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    int n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);
        lua_Integer k;
        if (lua_isinteger(L, -1) && (k = lua_tointeger(L, -1)) >= 1)
            continue;
        if (n++ > 0)
            luaL_addstring(&b, ", ");
        lua_pushstring(L, ll_lua_describe(L, -1)); /* luaL_Buffer takes values at the top */
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    return ll_lua_argerror(L, arg, "a table mixes list entries and keys: unexpected key%s %s "
                           "(a list takes values only; options go in a table of their own)",
                           n > 1 ? "s" : "", lua_tostring(L, -1));
}

/* The entries of the table at idx: how many are list entries (keys 1, 2, ...), the
 * largest of those keys, and how many keys are something else. */
static void count_keys(lua_State *L, int idx, lua_Integer *list, lua_Integer *max,
                       lua_Integer *other)
{
    idx = lua_absindex(L, idx);
    *list = *max = *other = 0;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);
        lua_Integer k;
        if (lua_isinteger(L, -1) && (k = lua_tointeger(L, -1)) >= 1) {
            (*list)++;
            if (k > *max)
                *max = k;
        } else {
            (*other)++;
        }
    }
}

lua_Integer ll_lua_check_list(lua_State *L, int idx, int arg, const char *what)
{
    lua_Integer list, max, other;
    count_keys(L, idx, &list, &max, &other);
    if (other > 0)
        mixed_error(L, idx, arg);
    if (list != max)
        ll_lua_argerror(L, arg, "%s must be a list without holes, got an entry at [%I] "
                        "and %I entries", what, max, list);
    return list;
}

void ll_lua_check_options(lua_State *L, int arg, const char *const allowed[])
{
    luaL_checktype(L, arg, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, arg) != 0) {
        bool known = false;
        if (lua_type(L, -2) == LUA_TSTRING) {
            const char *key = lua_tostring(L, -2);
            for (int i = 0; allowed[i] != NULL && !known; i++)
                known = strcmp(key, allowed[i]) == 0;
        }
        if (!known) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (int i = 0; allowed[i] != NULL; i++) {
                if (i > 0)
                    luaL_addstring(&b, ", ");
                luaL_addstring(&b, allowed[i]);
            }
            luaL_pushresult(&b);
            ll_lua_argerror(L, arg, "unknown option %s (options are: %s)",
                            ll_lua_describe(L, -3), lua_tostring(L, -1));
        }
        lua_pop(L, 1);
    }
}

static bool is_named(const char *name, const char *const names[])
{
    for (int i = 0; names != NULL && names[i] != NULL; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

void ll_lua_params_open(lua_State *L, ll_lua_params *p, int first, const char *const names[],
                        const char *const list_params[])
{
    p->first = first;
    p->names = names;
    p->table = 0;
    p->copy = 0;
    int count = 0;
    while (names[count] != NULL)
        count++;
    int top = lua_gettop(L);
    while (top >= first && lua_isnil(L, top))
        top--;
    lua_settop(L, top);
    if (top >= first && lua_type(L, top) == LUA_TTABLE) {
        /* the parameter a positional argument at top would be */
        const char *at = top - first < count ? names[top - first] : NULL;
        lua_Integer list, max, other;
        count_keys(L, top, &list, &max, &other);
        if (other > 0 && list > 0)
            mixed_error(L, top, top);
        if (other > 0 || (list == 0 && (at == NULL || !is_named(at, list_params)))) {
            ll_lua_check_options(L, top, names);
            p->table = top;
        }
    }
    int positional = (p->table != 0 ? p->table : top + 1) - first;
    if (positional > count)
        ll_lua_argerror(L, first + count, "at most %d arguments expected, got %s after them",
                        first - 2 + count, ll_lua_describe(L, first + count));
    if (p->table == 0)
        return;
    lua_pushvalue(L, top);
    p->copy = lua_gettop(L);
    for (int i = 0; i < positional; i++) {
        if (lua_getfield(L, p->copy, names[i]) != LUA_TNIL)
            ll_lua_argerror(L, top, "option %s repeats argument #%d", names[i], first + i - 1);
        lua_pop(L, 1);
    }
}

int ll_lua_param(lua_State *L, const ll_lua_params *p, int i)
{
    int pos = p->first + i;
    if (p->table == 0 || pos < p->table)
        return pos;
    lua_getfield(L, p->copy, p->names[i]);
    lua_replace(L, p->table);
    return p->table;
}
