/* l_program.c: the Lua Program type (localSize, bindings, pushConstantSize, entryPoints),
 * session:compileProgram and session:createProgram, and the session's program registry
 * (setProgram, getProgram). Not for: compiling or reflecting (src/core: glsl.c, spirv.c). */
#include <string.h>

#include "lluvia/fault.h"

#include "binding.h"
#include "l_builders.h"
#include "l_program.h"
#include "l_session.h"

/* registry[&REGISTRY_KEY]: a table with weak keys, session userdata -> {name = Program}.
 * Weak keys make it an ephemeron table: a session whose programs (which keep it alive)
 * are reachable only through its own entry is still collected. */
static const char REGISTRY_KEY = 0;

/* registry[&DEFERRED_KEY]: weak keys, session userdata -> true for the sessions that load
 * the built-in node library: its programs are made on their first getProgram, so that a
 * session pays only for the nodes it uses (ll._deferNodePrograms). */
static const char DEFERRED_KEY = 0;

ll_program *ll_lua_check_program(lua_State *L, int idx)
{
    return ll_lua_check_object(L, idx, LL_PROGRAM_T, "Program");
}

/* ---- session:compileProgram ------------------------------------------------------------ */

/* The NULL-ended array of the strings in the list at idx (arg: the options table), kept
 * alive by the anchor table at `anchor`. */
static const char **check_include_dirs(lua_State *L, int idx, int arg, int anchor)
{
    if (lua_isnoneornil(L, idx))
        return NULL;
    if (!lua_istable(L, idx))
        ll_lua_argerror(L, arg, "includeDirs must be a list of folder names, got %s",
                        ll_lua_describe(L, idx));
    lua_Integer n = ll_lua_check_list(L, idx, arg, "includeDirs");
    const char **dirs = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *dirs, 0);
    lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_rawgeti(L, idx, i) != LUA_TSTRING)
            ll_lua_argerror(L, arg, "includeDirs[%d] must be a folder name, got %s", (int)i,
                            ll_lua_describe(L, -1));
        dirs[i - 1] = lua_tostring(L, -1);
        lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
    }
    dirs[n] = NULL;
    return dirs;
}

/* The defines table at idx ({NAME = value}: a string, a number, or true for a bare NAME)
 * as a NULL-ended array of "NAME=value" strings kept alive by the anchor table. */
static const char **check_defines(lua_State *L, int idx, int arg, int anchor)
{
    if (lua_isnoneornil(L, idx))
        return NULL;
    if (!lua_istable(L, idx))
        ll_lua_argerror(L, arg, "defines must be a table {NAME = value}, got %s",
                        ll_lua_describe(L, idx));
    size_t n = 0;
    for (lua_pushnil(L); lua_next(L, idx) != 0; lua_pop(L, 1))
        n++;
    const char **defines = lua_newuserdatauv(L, (n + 1) * sizeof *defines, 0);
    lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
    size_t i = 0;
    for (lua_pushnil(L); lua_next(L, idx) != 0 && i < n; lua_pop(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            ll_lua_argerror(L, arg, "defines' keys must be names, got %s",
                            ll_lua_describe(L, -2));
        const char *name = lua_tostring(L, -2);
        int t = lua_type(L, -1);
        if (t == LUA_TBOOLEAN && lua_toboolean(L, -1))
            lua_pushstring(L, name);
        else if (t == LUA_TSTRING)
            lua_pushfstring(L, "%s=%s", name, lua_tostring(L, -1));
        else if (t == LUA_TNUMBER && lua_isinteger(L, -1))
            lua_pushfstring(L, "%s=%I", name, lua_tointeger(L, -1));
        else if (t == LUA_TNUMBER)
            lua_pushfstring(L, "%s=%f", name, lua_tonumber(L, -1));
        else
            ll_lua_argerror(L, arg, "defines.%s must be a string, a number or true, got %s",
                            name, ll_lua_describe(L, -1));
        defines[i++] = lua_tostring(L, -1);
        lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
    }
    defines[i] = NULL;
    return defines;
}

static int session_compile_program(lua_State *L)
{
    static const char *const names[] = {"includeDirs", "defines", "name", NULL};
    static const char *const lists[] = {"includeDirs", NULL};
    ll_lua_check_session(L, 1);
    size_t length = 0;
    const char *source = luaL_checklstring(L, 2, &length);
    ll_lua_params p;
    ll_lua_params_open(L, &p, 3, names, lists);
    int top = lua_gettop(L);
    lua_settop(L, top > 5 ? top : 5); /* positional parameters 3..5 exist, as nil if absent */
    lua_newtable(L); /* anchors the strings the options give */
    int anchor = lua_gettop(L);
    ll_compile_options options = {NULL, NULL, NULL};
    int arg = ll_lua_param(L, &p, 0);
    options.include_dirs = check_include_dirs(L, arg, arg, anchor);
    int defines_arg = ll_lua_param(L, &p, 1);
    options.defines = check_defines(L, defines_arg, defines_arg, anchor);
    arg = ll_lua_param(L, &p, 2);
    if (!lua_isnoneornil(L, arg)) {
        if (lua_type(L, arg) != LUA_TSTRING)
            ll_lua_argerror(L, arg, "name must be a string, got %s", ll_lua_describe(L, arg));
        options.name = lua_tostring(L, arg);
        lua_pushvalue(L, arg);
        lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
    }
    ll_lua_object *o = ll_lua_push_object(L, LL_PROGRAM_T, NULL, 1);
    lua_pushvalue(L, 1);
    ll_lua_set_parent(L, -2, 1);

    ll_error err;
    char *log = NULL;
    ll_session *s = ll_lua_resolve(L, 1, "Session", &err);
    o->ptr = s != NULL ? ll_program_compile(s, source, length, &options, &log, &err) : NULL;

    if (o->ptr != NULL)
        return 1;
    if (log != NULL) { /* the whole log: err's message is cut to its room */
        lua_pushstring(L, log);
        ll_free(log);
        return ll_lua_error(L, "%s", lua_tostring(L, -1));
    }
    /* ll_program_compile blames the source (2) or the options (4): the defines */
    return ll_lua_raise(L, err.operand == 2 ? 2 : err.operand == 4 ? defines_arg : 0, &err);
}

/* ---- session:createProgram ------------------------------------------------------------- */

/* Pushes a new Program of the session at 1, made from SPIR-V bytes or loaded from a path;
 * raises on failure. */
static int push_new_program(lua_State *L, const char *bytes, size_t size, bool path)
{
    ll_lua_object *o = ll_lua_push_object(L, LL_PROGRAM_T, NULL, 1);
    lua_pushvalue(L, 1);
    ll_lua_set_parent(L, -2, 1);

    ll_error err;
    ll_session *s = ll_lua_resolve(L, 1, "Session", &err);
    if (s != NULL)
        o->ptr = path ? ll_program_load(s, bytes, &err) : ll_program_create(s, bytes, size, &err);

    return o->ptr != NULL ? 1 : ll_lua_raise(L, 0, &err);
}

static int session_create_program(lua_State *L)
{
    ll_lua_check_session(L, 1);
    size_t size = 0;
    const char *bytes = luaL_checklstring(L, 2, &size);
    /* SPIR-V always holds NUL bytes (its version word does): a string without one is a
     * path. */
    return push_new_program(L, bytes, size, memchr(bytes, '\0', size) == NULL);
}

/* ---- the registry --------------------------------------------------------------------- */

/* Pushes the session's table of programs; with `create`, makes it when missing, else
 * pushes nil for none. */
/* Pushes registry[key], a table with weak keys; with `create`, makes it when missing, else
 * pushes nil for none. Returns whether a table was pushed. */
static bool push_weak_table(lua_State *L, const void *key, bool create)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, key) == LUA_TTABLE)
        return true;
    lua_pop(L, 1);
    if (!create) {
        lua_pushnil(L);
        return false;
    }
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, key);
    return true;
}

static void push_programs(lua_State *L, int session_idx, bool create)
{
    session_idx = lua_absindex(L, session_idx);
    if (!push_weak_table(L, &REGISTRY_KEY, create))
        return;
    lua_pushvalue(L, session_idx);
    if (lua_rawget(L, -2) != LUA_TTABLE && create) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, session_idx);
        lua_pushvalue(L, -2);
        lua_rawset(L, -4);
    }
    lua_remove(L, -2);
}

void ll_lua_push_registered_program(lua_State *L, int session_idx, const char *name)
{
    push_programs(L, session_idx, false);
    if (lua_istable(L, -1))
        lua_getfield(L, -1, name); /* a plain table: no metamethods run */
    else
        lua_pushnil(L);
    lua_remove(L, -2);
}

static int session_set_program(lua_State *L)
{
    const char *name = luaL_checkstring(L, 2); /* first: a number becomes a string here */
    ll_session *s = ll_lua_check_session(L, 1);
    ll_program *p = ll_lua_check_program(L, 3);
    ll_error err;
    if (!ll_session_check_same(s, ll_program_session(p), "program", &err))
        return ll_lua_raise(L, 3, &err);
    lua_settop(L, 3);
    push_programs(L, 1, true);
    lua_pushvalue(L, 3);
    lua_setfield(L, -2, name);
    return 0;
}

/* The built-in node library's SPIR-V for the program `name` ("lluvia/color/RGBA2Gray.comp"
 * is embedded as "lluvia/color/RGBA2Gray.comp.spv"), or NULL. */
static const struct ll_embedded *node_library_program(const char *name)
{
    size_t n = strlen(name);
    for (const struct ll_embedded *e = ll_embedded_node_programs; e->name != NULL; e++)
        if (strncmp(e->name, name, n) == 0 && strcmp(e->name + n, ".spv") == 0)
            return e;
    return NULL;
}

/* Whether the session at idx makes the built-in node library's programs on demand. */
static bool defers_node_programs(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    bool deferred = false;
    if (push_weak_table(L, &DEFERRED_KEY, false)) {
        lua_pushvalue(L, idx);
        deferred = lua_rawget(L, -2) == LUA_TBOOLEAN;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return deferred;
}

/* session:getProgram(name): the registered Program, else (in a session that loads the
 * built-in node library) the library's program of that name, made now and registered. */
static int session_get_program(lua_State *L)
{
    ll_lua_check_session(L, 1);
    const char *name = luaL_checkstring(L, 2);
    lua_settop(L, 2);
    ll_lua_push_registered_program(L, 1, name);
    const struct ll_embedded *e;
    if (!lua_isnil(L, -1) || !defers_node_programs(L, 1) ||
        (e = node_library_program(name)) == NULL)
        return 1;
    lua_pop(L, 1);
    push_new_program(L, e->source, e->length, false);
    push_programs(L, 1, true);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
    return 1;
}

/* ll._deferNodePrograms(session): the session's getProgram makes the built-in node
 * library's programs when first asked (lua/library.lua, for ll.createSession). */
static int l_defer_node_programs(lua_State *L)
{
    ll_lua_check_session(L, 1);
    push_weak_table(L, &DEFERRED_KEY, true);
    lua_pushvalue(L, 1);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    return 0;
}

/* ---- the Program type ----------------------------------------------------------------- */

static void program_release(ll_lua_object *o)
{
    ll_program_release(o->ptr);
}

static void program_describe(const void *ptr, char *buf, size_t size)
{
    const ll_program_info *info = ll_program_reflection(ptr);
    snprintf(buf, size, "%s, local size %ux%ux%u, %zu bindings, %u bytes of push constants",
             info->entry_points[0], (unsigned)info->local_size[0],
             (unsigned)info->local_size[1], (unsigned)info->local_size[2],
             info->binding_count, (unsigned)info->push_constant_size);
}

/* What a field reads, copied out of the program before anything is pushed: pushing may
 * run a finalizer that releases it. */
typedef struct fields {
    uint32_t local_size[3];
    uint32_t push_constant_size;
    size_t binding_count, entry_point_count;
    ll_program_binding *bindings; /* names point into text */
    const char **entry_points;    /* into text */
    char text[];
} fields;

static size_t fields_size(const ll_program_info *info)
{
    size_t size = sizeof(fields) + info->binding_count * sizeof(ll_program_binding) +
                  info->entry_point_count * sizeof(char *);
    for (size_t i = 0; i < info->binding_count; i++)
        size += strlen(info->bindings[i].name) + 1;
    for (size_t i = 0; i < info->entry_point_count; i++)
        size += strlen(info->entry_points[i]) + 1;
    return size;
}

static char *copy_text(char *at, const char **to, const char *from)
{
    size_t n = strlen(from) + 1;
    memcpy(at, from, n);
    *to = at;
    return at + n;
}

/* Pushes a userdata holding the program's fields (the program at 1). */
static fields *push_fields(lua_State *L)
{
    size_t size = fields_size(ll_program_reflection(ll_lua_check_program(L, 1)));
    fields *f = lua_newuserdatauv(L, size, 0);

    ll_error err;
    ll_program *p = ll_lua_resolve(L, 1, "Program", &err);
    if (p == NULL)
        ll_lua_raise(L, 0, &err);
    const ll_program_info *info = ll_program_reflection(p);
    memcpy(f->local_size, info->local_size, sizeof f->local_size);
    f->push_constant_size = info->push_constant_size;
    f->binding_count = info->binding_count;
    f->entry_point_count = info->entry_point_count;
    char *at = f->text;
    f->bindings = (ll_program_binding *)(void *)at;
    at += info->binding_count * sizeof(ll_program_binding);
    f->entry_points = (const char **)(void *)at;
    at += info->entry_point_count * sizeof(char *);
    for (size_t i = 0; i < info->binding_count; i++) {
        f->bindings[i] = info->bindings[i];
        at = copy_text(at, &f->bindings[i].name, info->bindings[i].name);
    }
    for (size_t i = 0; i < info->entry_point_count; i++)
        at = copy_text(at, &f->entry_points[i], info->entry_points[i]);
    return f;
}

static void push_bindings(lua_State *L, const fields *f)
{
    lua_createtable(L, (int)f->binding_count, 0);
    for (size_t i = 0; i < f->binding_count; i++) {
        const ll_program_binding *b = &f->bindings[i];
        lua_createtable(L, 0, 4);
        lua_pushinteger(L, (lua_Integer)b->binding);
        lua_setfield(L, -2, "binding");
        lua_pushinteger(L, (lua_Integer)b->set);
        lua_setfield(L, -2, "set");
        lua_pushstring(L, b->name);
        lua_setfield(L, -2, "name");
        lua_pushstring(L, ll_enum_name(&ll_enum_port_type, (uint32_t)b->type));
        lua_setfield(L, -2, "type");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static int program_get(lua_State *L)
{
    ll_lua_check_program(L, 1);
    const char *key = lua_tostring(L, 2);
    if (key == NULL)
        return 0;
    if (strcmp(key, "session") == 0) {
        lua_getiuservalue(L, 1, 1);
        return 1;
    }
    if (strcmp(key, "localSize") != 0 && strcmp(key, "bindings") != 0 &&
        strcmp(key, "pushConstantSize") != 0 && strcmp(key, "entryPoints") != 0)
        return 0;
    const fields *f = push_fields(L);
    if (strcmp(key, "localSize") == 0) {
        lua_createtable(L, 3, 0);
        for (int i = 0; i < 3; i++) {
            lua_pushinteger(L, (lua_Integer)f->local_size[i]);
            lua_rawseti(L, -2, i + 1);
        }
    } else if (strcmp(key, "bindings") == 0) {
        push_bindings(L, f);
    } else if (strcmp(key, "pushConstantSize") == 0) {
        lua_pushinteger(L, (lua_Integer)f->push_constant_size);
    } else {
        lua_createtable(L, (int)f->entry_point_count, 0);
        for (size_t i = 0; i < f->entry_point_count; i++) {
            lua_pushstring(L, f->entry_points[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
    }
    return 1;
}

int ll_lua_open_program(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {NULL, NULL},
    };
    static const char *const fields[] = {"session", "localSize", "bindings",
                                         "pushConstantSize", "entryPoints", NULL};
    static const ll_lua_class program_class = {
        LL_PROGRAM_T, methods, program_get, program_release, program_describe, fields, NULL,
    };
    ll_lua_new_class(L, &program_class);
    static const luaL_Reg session_methods[] = {
        {"compileProgram", session_compile_program},
        {"createProgram", session_create_program},
        {"setProgram", session_set_program},
        {"getProgram", session_get_program},
        {NULL, NULL},
    };
    ll_lua_add_methods(L, LL_SESSION_T, session_methods);
    lua_pushcfunction(L, l_defer_node_programs);
    lua_setfield(L, -2, "_deferNodePrograms");
    return 0;
}
