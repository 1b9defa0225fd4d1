/* binding.c: the shared helpers of binding.h: errors, classes, objects, options. */
#include "binding.h"
#include "l_memory.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

int ll_lua_raise(lua_State *L, int arg, const ll_error *err)
{
    if (err->code == LL_E_ARGUMENT && arg > 0)
        return luaL_argerror(L, arg, err->message);
    return ll_lua_error(L, "%s", err->message);
}

const char *ll_lua_push_error(lua_State *L, const ll_error *err)
{
    return lua_pushfstring(L, "lluvia: %s", err->message);
}

int ll_lua_error(lua_State *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lua_pushliteral(L, "lluvia: ");
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    lua_concat(L, 2);
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
    return lua_error(L);
}

int ll_lua_argerror(lua_State *L, int arg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    return luaL_argerror(L, arg, lua_tostring(L, -1));
}

/* Strings longer than this are shown cut, ending in "...". */
#define DESCRIBE_MAX 40

const char *ll_lua_describe(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
    case LUA_TBOOLEAN:
    case LUA_TNIL:
        luaL_tolstring(L, idx, NULL);
        break;
    case LUA_TNONE: /* luaL_tolstring would give "no value: (nil)" */
        lua_pushliteral(L, "no value");
        break;
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        if (n > DESCRIBE_MAX) { /* lua_pushfstring has no precision: cut it first */
            lua_pushlstring(L, s, DESCRIBE_MAX - 3);
            lua_pushfstring(L, "'%s...'", lua_tostring(L, -1));
            lua_remove(L, -2);
        } else {
            lua_pushfstring(L, "'%s'", s);
        }
        break;
    }
    default:
        luaL_tolstring(L, idx, NULL);
        break;
    }
    /* Keep the string referenced from the registry until the next call: messages built
     * from it are raised right away. */
    lua_setfield(L, LUA_REGISTRYINDEX, "lluvia.describe");
    lua_getfield(L, LUA_REGISTRYINDEX, "lluvia.describe");
    const char *s = lua_tostring(L, -1);
    lua_pop(L, 1);
    return s;
}

/* ---- classes and objects ---------------------------------------------------------- */

static int class_index(lua_State *L)
{
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    /* Fields have string names; a getter is never handed a key whose conversion to a
     * string would allocate (and so could run finalizers between its reads). */
    if (lua_type(L, 2) != LUA_TSTRING)
        return 0;
    lua_CFunction getter = lua_tocfunction(L, lua_upvalueindex(2));
    return getter != NULL ? getter(L) : 0;
}

static int class_newindex(lua_State *L)
{
    const char *tname = luaL_typename(L, 1);
    if (luaL_getmetafield(L, 1, "__name") == LUA_TSTRING)
        tname = lua_tostring(L, -1);
    return ll_lua_error(L, "%s field '%s' is read-only", tname,
                      luaL_tolstring(L, 2, NULL));
}

/* The one way an object's core pointer is released: by release(), __gc, __close, or the
 * state's close (live.c). */
static void object_release(ll_lua_object *o)
{
    ll_lua_live_unlink(&o->live);
    if (o->ptr != NULL)
        o->cls->release(o);
    o->ptr = NULL;
}

static void object_release_live(ll_lua_live *node)
{
    object_release((ll_lua_object *)((char *)node - offsetof(ll_lua_object, live)));
}

/* release(), __gc, __close; upvalue 1: the class. */
static int class_release(lua_State *L)
{
    const ll_lua_class *cls = lua_touserdata(L, lua_upvalueindex(1));
    ll_lua_object *o = luaL_checkudata(L, 1, cls->tname);
    if (o->ptr != NULL && cls->device_bytes != NULL)
        ll_lua_device_memory_released(L, cls->device_bytes(o->ptr));
    object_release(o);
    return 0;
}

/* __tostring; upvalue 1: the class. The text is made first, in C: pushing runs no Lua
 * before it is complete. */
static int class_tostring(lua_State *L)
{
    const ll_lua_class *cls = lua_touserdata(L, lua_upvalueindex(1));
    ll_lua_object *o = luaL_checkudata(L, 1, cls->tname);
    if (o->ptr == NULL) {
        lua_pushfstring(L, "%s (released)", cls->tname);
        return 1;
    }
    char text[LL_LUA_DESCRIBE_MAX];
    cls->describe(o->ptr, text, sizeof text);
    lua_pushfstring(L, "%s(%s)", cls->tname, text);
    return 1;
}

/* metatable[&CLASS_KEY]: the class, for ll_lua_new_object (a key scripts cannot name). */
static const char CLASS_KEY = 0;

void ll_lua_new_class(lua_State *L, const ll_lua_class *cls)
{
    luaL_newmetatable(L, cls->tname);
    lua_pushlightuserdata(L, (void *)cls);
    lua_rawsetp(L, -2, &CLASS_KEY);
    lua_newtable(L); /* methods */
    if (cls->methods != NULL)
        luaL_setfuncs(L, cls->methods, 0);
    lua_pushlightuserdata(L, (void *)cls);
    lua_pushcclosure(L, class_release, 1);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "release");
    lua_pushvalue(L, -1);
    lua_setfield(L, -4, "__gc");
    lua_setfield(L, -3, "__close");
    lua_pushfstring(L, "%s.methods", cls->tname); /* registry[key] = methods, for add_methods */
    lua_pushvalue(L, -2);
    lua_rawset(L, LUA_REGISTRYINDEX);
    const char *dot = strchr(cls->tname, '.');
    ll_lua_record_class(L, dot != NULL ? dot + 1 : cls->tname, -1, cls->fields);
    if (cls->getter != NULL)
        lua_pushcfunction(L, cls->getter);
    else
        lua_pushnil(L);
    lua_pushcclosure(L, class_index, 2);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, class_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushlightuserdata(L, (void *)cls);
    lua_pushcclosure(L, class_tostring, 1);
    lua_setfield(L, -2, "__tostring");
    /* Scripts see the class name, never the metamethods themselves. */
    lua_pushstring(L, cls->tname);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}

#define CLASSES_KEY "lluvia.classes"

void ll_lua_push_classes(lua_State *L)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, CLASSES_KEY) == LUA_TTABLE)
        return;
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, CLASSES_KEY);
}

/* Pushes the record of class `name`, made empty ({fields = {}}) when there is none. */
static void push_class_record(lua_State *L, const char *name)
{
    ll_lua_push_classes(L);
    if (lua_getfield(L, -1, name) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_createtable(L, 0, 2);
        lua_newtable(L);
        lua_setfield(L, -2, "fields");
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, name);
    }
    lua_remove(L, -2);
}

void ll_lua_record_class(lua_State *L, const char *name, int methods_idx,
                         const char *const *fields)
{
    if (methods_idx != 0)
        methods_idx = lua_absindex(L, methods_idx);
    push_class_record(L, name);
    if (methods_idx != 0) {
        lua_pushvalue(L, methods_idx);
        lua_setfield(L, -2, "methods");
    }
    lua_getfield(L, -1, "fields");
    for (int i = 0; fields != NULL && fields[i] != NULL; i++) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, fields[i]);
    }
    lua_pop(L, 2);
}

int ll_lua_kit_describe_class(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    if (!lua_isnoneornil(L, 2))
        luaL_checktype(L, 2, LUA_TTABLE);
    if (!lua_isnoneornil(L, 3))
        luaL_checktype(L, 3, LUA_TTABLE);
    ll_lua_record_class(L, name, lua_istable(L, 2) ? 2 : 0, NULL);
    if (!lua_istable(L, 3))
        return 0;
    push_class_record(L, name);
    lua_getfield(L, -1, "fields");
    for (lua_Integer i = 1; lua_rawgeti(L, 3, i) == LUA_TSTRING; i++) {
        lua_pushboolean(L, 1);
        lua_rawset(L, -3);
    }
    return 0;
}

void ll_lua_add_methods(lua_State *L, const char *tname, const luaL_Reg *methods)
{
    lua_pushfstring(L, "%s.methods", tname);
    if (lua_rawget(L, LUA_REGISTRYINDEX) != LUA_TTABLE)
        ll_lua_error(L, "internal: class %s is not registered", tname);
    luaL_setfuncs(L, methods, 0);
    lua_pop(L, 1);
}

ll_lua_object *ll_lua_new_object(lua_State *L, const char *tname, size_t size, int nuv)
{
    ll_lua_object *o = lua_newuserdatauv(L, size, nuv);
    memset(o, 0, size);
    luaL_setmetatable(L, tname);
    lua_getmetatable(L, -1);
    lua_rawgetp(L, -1, &CLASS_KEY);
    o->cls = lua_touserdata(L, -1);
    lua_pop(L, 2);
    ll_lua_live_link(L, &o->live, object_release_live);
    return o;
}

ll_lua_object *ll_lua_push_object(lua_State *L, const char *tname, void *ptr, int nuv)
{
    ll_lua_object *o = ll_lua_new_object(L, tname, sizeof *o, nuv);
    o->ptr = ptr;
    return o;
}

ll_lua_object *ll_lua_to_object(lua_State *L, int idx, const char *tname)
{
    return luaL_testudata(L, idx, tname);
}

void *ll_lua_check_object(lua_State *L, int idx, const char *tname, const char *label)
{
    ll_lua_object *o = luaL_testudata(L, idx, tname);
    if (o == NULL)
        ll_lua_argerror(L, idx, "%s expected, got %s", label, ll_lua_describe(L, idx));
    if (o->ptr == NULL)
        ll_lua_error(L, "%s has been released", label);
    return o->ptr;
}

void *ll_lua_resolve(lua_State *L, int idx, const char *label, ll_error *err)
{
    ll_lua_object *o = lua_touserdata(L, idx);
    if (o == NULL || o->ptr == NULL) {
        ll_fail(err, LL_E_STATE, "%s has been released", label);
        return NULL;
    }
    return o->ptr;
}

void ll_lua_set_parent(lua_State *L, int idx, int n)
{
    lua_setiuservalue(L, idx, n);
}

/* ---- values made in Lua ------------------------------------------------------------------ */

int ll_lua_kit_register(lua_State *L)
{
    luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    lua_rawset(L, LUA_REGISTRYINDEX);
    return 0;
}

void ll_lua_set_info(lua_State *L)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, "lluvia.Info") == LUA_TTABLE)
        lua_setmetatable(L, -2);
    else
        lua_pop(L, 1);
}

bool ll_lua_is_instance(lua_State *L, int idx, const char *tname)
{
    if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx))
        return false;
    lua_pushstring(L, tname);
    lua_rawget(L, LUA_REGISTRYINDEX);
    bool same = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return same;
}

void ll_lua_new_instance(lua_State *L, const char *tname, int nargs)
{
    lua_pushstring(L, tname);
    if (lua_rawget(L, LUA_REGISTRYINDEX) != LUA_TTABLE)
        ll_lua_error(L, "internal: class %s is not registered", tname);
    lua_pushliteral(L, "__new");
    lua_rawget(L, -2);
    lua_remove(L, -2);
    lua_insert(L, -1 - nargs);
    lua_call(L, nargs, 1);
}
