/* l_compute_node.c: the ComputeNode userdata: session:_newComputeNode (what
 * session:createComputeNode in lua/nodes.lua calls with a normalized description), bind,
 * getPort, configureGridShape, record, the pipeline's init, the fields (gridShape, gridX and
 * pushConstants settable), and session:_runNodes. The builder parts (createComputeNode by
 * name, init's onNodeInit, parameters) are lua/nodes.lua's. Not for: command buffers
 * (l_command_buffer.c) or container nodes (lua/nodes.lua). */
#include <string.h>

#include "binding.h"
#include "l_buffer.h"
#include "l_command_buffer.h"
#include "l_compute_node.h"
#include "l_image.h"
#include "l_ndarray.h"
#include "l_program.h"
#include "l_session.h"
#include "lluvia/compute_node.h"

/* User values of a node. */
enum { UV_SESSION = 1, UV_PROGRAM, UV_EXTRA, UV_COUNT = UV_EXTRA };

/* The most ports a node description may have: more than any device's per-stage limits. */
#define MAX_PORTS 256

ll_compute_node *ll_lua_check_compute_node(lua_State *L, int idx)
{
    return ll_lua_check_object(L, idx, LL_COMPUTE_NODE_T, "ComputeNode");
}

/* Pushes field `key` of the node's extra table (lua/nodes.lua's), raw. */
static int push_extra(lua_State *L, int node, const char *key)
{
    lua_getiuservalue(L, node, UV_EXTRA);
    lua_pushstring(L, key);
    int t = lua_rawget(L, -2);
    lua_remove(L, -2);
    return t;
}

/* Raises the failure of a node call: argument errors as `bad argument #arg` (arg 0: as
 * the message of the function `fname` named, for calls the Lua side makes on the script's
 * behalf), others as lluvia: errors. */
static int raise_node(lua_State *L, int arg, const char *fname, const ll_error *err)
{
    if (err->code == LL_E_ARGUMENT && arg == 0)
        return luaL_error(L, "bad argument #1 to '%s' (%s)", fname, err->message);
    return ll_lua_raise(L, arg, err);
}

/* ---- session:_newComputeNode(spec, extra) -------------------------------------------------- */

/* A vec3ui or {x, y, z} at idx (read through __index: [1], [2], [3]) into out. */
static void check_shape3(lua_State *L, int idx, int arg, const char *what, uint32_t out[3])
{
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx))
        ll_lua_argerror(L, arg, "%s must be an ll.vec3ui or a table {x, y, z}, got %s", what,
                        ll_lua_describe(L, idx));
    for (int i = 0; i < 3; i++) {
        lua_geti(L, idx, i + 1);
        char label[48];
        snprintf(label, sizeof label, "%s[%d]", what, i + 1);
        out[i] = (uint32_t)ll_lua_check_integer_in(L, -1, arg, label, 0, UINT32_MAX);
        lua_pop(L, 1);
    }
}

/* Push constants at idx: an ll.PushConstants (its bytes), an ll.ndarray (its bytes) or a
 * string; nil: none. The bytes stay referenced at idx's slot replacement (anchor). */
static const char *check_push_constants(lua_State *L, int idx, int arg, size_t *size)
{
    idx = lua_absindex(L, idx);
    *size = 0;
    if (lua_isnoneornil(L, idx))
        return NULL;
    if (lua_type(L, idx) == LUA_TSTRING)
        return lua_tolstring(L, idx, size);
    if (ll_lua_to_ndarray(L, idx) != NULL) {
        lua_getfield(L, idx, "tostring");
        lua_pushvalue(L, idx);
        lua_call(L, 1, 1);
        lua_replace(L, idx);
        return lua_tolstring(L, idx, size);
    }
    if (ll_lua_is_instance(L, idx, "lluvia.PushConstants")) {
        lua_getfield(L, idx, "bytes");
        lua_replace(L, idx);
        if (lua_type(L, idx) == LUA_TSTRING)
            return lua_tolstring(L, idx, size);
    }
    ll_lua_argerror(L, arg, "pushConstants must be an ll.PushConstants, an ll.ndarray or a "
                    "string of bytes, got %s", ll_lua_describe(L, idx));
    return NULL;
}

static const char *const port_type_names[] = {"Buffer", "ImageView", "SampledImageView",
                                              "UniformBuffer", NULL};

/* The ports of spec.ports (a list of {name, binding, type}) into an array held by a
 * userdata pushed on the stack; their names stay referenced by the list. */
static ll_node_port *check_ports(lua_State *L, int list, size_t *count)
{
    lua_Integer n = ll_lua_check_list(L, list, 1, "ports");
    if (n > MAX_PORTS)
        ll_lua_argerror(L, 1, "a node has at most %d ports, got %d", MAX_PORTS, (int)n);
    ll_node_port *ports = lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof *ports, 0);
    int anchor = lua_gettop(L);
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_rawgeti(L, list, i) != LUA_TTABLE)
            ll_lua_argerror(L, 1, "ports[%d] must be a table, got %s", (int)i,
                            ll_lua_describe(L, -1));
        int p = lua_gettop(L);
        lua_getfield(L, p, "name");
        ports[i - 1].name = luaL_checkstring(L, -1); /* anchored in the port table */
        lua_getfield(L, p, "binding");
        ports[i - 1].binding = (uint32_t)ll_lua_check_integer_in(L, -1, 1, "port binding", 0,
                                                                  UINT32_MAX);
        lua_getfield(L, p, "type");
        ports[i - 1].type = (ll_port_type)luaL_checkoption(L, -1, NULL, port_type_names);
        lua_pop(L, 4);
    }
    lua_settop(L, anchor);
    *count = (size_t)n;
    return ports;
}

/* session:_newComputeNode(spec, extra): spec = {program, functionName, ports (nil: the
 * program's), localShape, gridShape, pushConstants}, a plain table; extra: the node's Lua
 * side (user value). Errors read as createComputeNode's: its description is argument 1. */
static int session_new_compute_node(lua_State *L)
{
    ll_lua_check_session(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE); /* spec: a plain table made by lua/nodes.lua */
    luaL_checktype(L, 3, LUA_TTABLE); /* extra: the node's Lua side */
    lua_settop(L, 3);
    ll_compute_node_desc desc = {0};
    lua_getfield(L, 2, "program");               /* 4 */
    ll_lua_check_program(L, 4);
    lua_getfield(L, 2, "functionName");          /* 5 */
    desc.function_name = luaL_checkstring(L, 5);
    lua_getfield(L, 2, "ports");                 /* 6 */
    if (!lua_isnil(L, 6))
        desc.ports = check_ports(L, 6, &desc.port_count);
    lua_settop(L, 7);                            /* 7: the ports' array, or nil */
    lua_getfield(L, 2, "localShape");            /* 8 */
    check_shape3(L, 8, 1, "localShape", desc.local_shape);
    lua_getfield(L, 2, "gridShape");             /* 9 */
    check_shape3(L, 9, 1, "gridShape", desc.grid_shape);
    lua_getfield(L, 2, "pushConstants");         /* 10 */
    desc.push_constants = check_push_constants(L, 10, 1, &desc.push_constant_size);
    ll_lua_object *o = ll_lua_new_object(L, LL_COMPUTE_NODE_T, sizeof *o, UV_COUNT); /* 11 */

    ll_error err;
    desc.program = ll_lua_resolve(L, 4, "Program", &err);
    if (desc.program != NULL)
        o->ptr = ll_compute_node_create(&desc, &err);

    if (o->ptr == NULL)
        return raise_node(L, 0, "createComputeNode", &err);
    lua_pushvalue(L, 1);
    ll_lua_set_parent(L, 11, UV_SESSION);
    lua_pushvalue(L, 4);
    ll_lua_set_parent(L, 11, UV_PROGRAM);
    lua_pushvalue(L, 3);
    ll_lua_set_parent(L, 11, UV_EXTRA);
    return 1;
}

/* ---- binding objects --------------------------------------------------------------------- */

/* Raises `lluvia: ...` naming the port whose bound object was released, if any: a node
 * runs only with every object it was given still alive in the script. Runs no Lua. */
static void check_bound_alive(lua_State *L, int node, ll_error *err, bool *ok)
{
    push_extra(L, node, "bound");
    int bound = lua_gettop(L);
    if (lua_istable(L, bound)) {
        lua_pushnil(L);
        while (*ok && lua_next(L, bound) != 0) {
            ll_lua_object *obj = lua_touserdata(L, -1);
            if (obj != NULL && obj->ptr == NULL && lua_type(L, -2) == LUA_TSTRING) {
                ll_fail(err, LL_E_ARGUMENT, "port '%s': the %s bound to it has been released; "
                        "bind a live object", lua_tostring(L, -2),
                        ll_lua_to_object(L, -1, LL_BUFFER_T) != NULL ? "Buffer" : "ImageView");
                *ok = false;
            }
            lua_pop(L, 1);
        }
    }
    lua_settop(L, bound - 1);
}

/* The port's descriptor (lua/descriptors.lua) checks the object, where the node has one. */
static void check_with_port(lua_State *L, int node, int name, int object)
{
    push_extra(L, node, "portDescriptors");
    if (lua_istable(L, -1)) {
        lua_pushvalue(L, name);
        if (lua_rawget(L, -2) == LUA_TTABLE) {
            lua_getfield(L, -1, "isValid");
            lua_insert(L, -2);
            lua_pushvalue(L, object);
            lua_call(L, 2, 2);
            if (!lua_toboolean(L, -2))
                ll_lua_argerror(L, object, "%s", luaL_optstring(L, -1, "invalid object"));
        }
    }
    lua_settop(L, object);
}

/* Pushes "a, b, c": the node's port names, for messages. */
static const char *push_port_names(lua_State *L, const ll_compute_node *node)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < ll_compute_node_port_count(node); i++) {
        if (i > 0)
            luaL_addstring(&b, ", ");
        luaL_addstring(&b, ll_compute_node_port(node, i)->name);
    }
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

/* The index of the port named by the string at arg; an argument error listing the ports
 * for another name. */
static size_t check_port(lua_State *L, const ll_compute_node *node, int arg)
{
    const char *name = luaL_checkstring(L, arg);
    int index = ll_compute_node_find_port(node, name);
    if (index < 0)
        ll_lua_argerror(L, arg, "the node has no port '%s' (ports: %s)", name,
                        push_port_names(L, node));
    return (size_t)index;
}

static int node_bind(lua_State *L)
{
    ll_compute_node *node = ll_lua_check_compute_node(L, 1);
    size_t index = check_port(L, node, 2);
    bool is_buffer = ll_lua_to_object(L, 3, LL_BUFFER_T) != NULL;
    if (!is_buffer && ll_lua_to_object(L, 3, LL_IMAGE_VIEW_T) == NULL)
        return ll_lua_argerror(L, 3, "a Buffer or an ImageView expected, got %s%s",
                               ll_lua_describe(L, 3),
                               ll_lua_to_object(L, 3, LL_IMAGE_T) != NULL
                                   ? " (bind a view of the image)" : "");
    ll_lua_check_object(L, 3, is_buffer ? LL_BUFFER_T : LL_IMAGE_VIEW_T,
                        is_buffer ? "Buffer" : "ImageView");
    lua_settop(L, 3);
    check_with_port(L, 1, 2, 3);
    push_extra(L, 1, "bound"); /* 4 */
    luaL_checktype(L, 4, LUA_TTABLE);

    ll_error err;
    bool ok = false;
    node = ll_lua_resolve(L, 1, "ComputeNode", &err);
    void *object = node != NULL ? ll_lua_resolve(L, 3, is_buffer ? "Buffer" : "ImageView", &err)
                                : NULL;
    if (object != NULL)
        ok = is_buffer ? ll_compute_node_bind_buffer(node, index, object, &err)
                       : ll_compute_node_bind_view(node, index, object, &err);

    if (!ok)
        return ll_lua_raise(L, err.operand == LL_NODE_OPERAND_OBJECT ? 3 : 2, &err);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 3);
    lua_rawset(L, 4);
    return 0;
}

static int node_get_port(lua_State *L)
{
    ll_compute_node *node = ll_lua_check_compute_node(L, 1);
    check_port(L, node, 2);
    push_extra(L, 1, "bound");
    lua_pushvalue(L, 2);
    if (lua_rawget(L, -2) == LUA_TNIL)
        return ll_lua_argerror(L, 2, "port '%s' has no object bound to it", lua_tostring(L, 2));
    return 1;
}

/* ---- shapes, init, record, run ------------------------------------------------------------- */

static int node_configure_grid_shape(lua_State *L)
{
    ll_lua_check_compute_node(L, 1);
    uint32_t global[3];
    check_shape3(L, 2, 2, "globalShape", global);

    ll_error err;
    ll_compute_node *node = ll_lua_resolve(L, 1, "ComputeNode", &err);
    bool ok = node != NULL && ll_compute_node_configure_grid(node, global, &err);

    if (!ok)
        return ll_lua_raise(L, 2, &err);
    return 0;
}

/* node:_extra(): the node's Lua side (lua/nodes.lua). */
static int node_extra(lua_State *L)
{
    ll_lua_check_compute_node(L, 1);
    lua_getiuservalue(L, 1, UV_EXTRA);
    return 1;
}

static int node_init_pipeline(lua_State *L)
{
    ll_lua_check_compute_node(L, 1);

    ll_error err;
    ll_compute_node *node = ll_lua_resolve(L, 1, "ComputeNode", &err);
    bool ok = node != NULL && ll_compute_node_init(node, &err);

    if (!ok)
        return ll_lua_raise(L, 0, &err);
    return 0;
}

/* Raises a failure of a run or record: argument errors name the port or field. */
static int raise_run(lua_State *L, const char *fname, const ll_error *err)
{
    return raise_node(L, 0, fname, err);
}

static int node_record(lua_State *L)
{
    ll_lua_check_compute_node(L, 1);
    ll_lua_check_command_buffer(L, 2);

    ll_error err;
    bool ok = true;
    check_bound_alive(L, 1, &err, &ok);
    ll_compute_node *node = ok ? ll_lua_resolve(L, 1, "ComputeNode", &err) : NULL;
    ll_command_buffer *cb = node != NULL ? ll_lua_resolve(L, 2, "CommandBuffer", &err) : NULL;
    ok = cb != NULL && ll_compute_node_record(node, cb, &err);

    if (!ok)
        return raise_run(L, "record", &err);
    ll_lua_command_buffer_keep(L, 2, 1);
    return 0;
}

/* session:_runNodes(node, ...): the compute nodes in order, in one submission. */
static int session_run_nodes(lua_State *L)
{
    ll_lua_check_session(L, 1);
    int n = lua_gettop(L) - 1;
    if (n > MAX_PORTS)
        return ll_lua_argerror(L, 2, "at most %d nodes run in one call, got %d", MAX_PORTS, n);
    for (int i = 2; i <= n + 1; i++)
        ll_lua_check_compute_node(L, i);

    ll_error err;
    bool ok = true;
    ll_compute_node *nodes[MAX_PORTS];
    for (int i = 0; i < n && ok; i++) {
        check_bound_alive(L, i + 2, &err, &ok);
        nodes[i] = ok ? ll_lua_resolve(L, i + 2, "ComputeNode", &err) : NULL;
        ok = ok && nodes[i] != NULL;
    }
    ok = ok && ll_compute_node_run(nodes, (size_t)n, &err);

    if (!ok)
        return raise_run(L, "run", &err);
    return 0;
}

/* ---- fields ---------------------------------------------------------------------------- */

static void push_vec3ui(lua_State *L, const uint32_t v[3])
{
    for (int i = 0; i < 3; i++)
        lua_pushinteger(L, v[i]);
    ll_lua_new_instance(L, "lluvia.vec3ui", 3);
}

static int axis_of(const char *key, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(key, prefix, n) != 0 || key[n] == '\0' || key[n + 1] != '\0')
        return -1;
    return key[n] == 'X' ? 0 : key[n] == 'Y' ? 1 : key[n] == 'Z' ? 2 : -1;
}

static int node_get(lua_State *L)
{
    ll_compute_node *node = ll_lua_check_compute_node(L, 1);
    const char *key = lua_tostring(L, 2);
    uint32_t v[3];
    int axis;
    if (strcmp(key, "gridShape") == 0 || strcmp(key, "localShape") == 0) {
        (key[0] == 'g' ? ll_compute_node_grid : ll_compute_node_local)(node, v);
        push_vec3ui(L, v);
    } else if ((axis = axis_of(key, "grid")) >= 0 || (axis = axis_of(key, "local")) >= 0) {
        (key[0] == 'g' ? ll_compute_node_grid : ll_compute_node_local)(node, v);
        lua_pushinteger(L, v[axis]);
    } else if (strcmp(key, "pushConstants") == 0) {
        size_t size;
        const void *data = ll_compute_node_push_constants(node, &size);
        lua_pushlstring(L, data != NULL ? data : "", size);
        ll_lua_new_instance(L, "lluvia.PushConstants", 1);
    } else if (strcmp(key, "program") == 0) {
        lua_getiuservalue(L, 1, UV_PROGRAM);
    } else if (strcmp(key, "functionName") == 0) {
        lua_pushstring(L, ll_compute_node_function(node));
    } else if (strcmp(key, "type") == 0) {
        lua_pushliteral(L, "Compute");
    } else {
        /* The fields lua/nodes.lua computes: extra.fields[key](node). */
        if (push_extra(L, 1, "fields") != LUA_TTABLE)
            return 0;
        lua_pushvalue(L, 2);
        if (lua_rawget(L, -2) != LUA_TFUNCTION)
            return 0;
        lua_pushvalue(L, 1);
        lua_call(L, 1, 1);
    }
    return 1;
}

/* node.program = p, before init (ll_compute_node_set_program). */
static int node_set_program(lua_State *L)
{
    ll_lua_check_program(L, 3);

    ll_error err;
    ll_compute_node *node = ll_lua_resolve(L, 1, "ComputeNode", &err);
    ll_program *program = node != NULL ? ll_lua_resolve(L, 3, "Program", &err) : NULL;
    bool ok = program != NULL && ll_compute_node_set_program(node, program, &err);

    if (!ok)
        return luaL_error(L, "ComputeNode.program: %s", err.message);
    lua_pushvalue(L, 3);
    ll_lua_set_parent(L, 1, UV_PROGRAM);
    return 0;
}

static int node_set(lua_State *L)
{
    ll_lua_check_compute_node(L, 1);
    const char *key = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
    uint32_t grid[3];
    int axis = -1;
    const char *push = NULL;
    size_t push_size = 0;
    if (key != NULL && strcmp(key, "program") == 0)
        return node_set_program(L);
    if (key != NULL && strcmp(key, "gridShape") == 0) {
        check_shape3(L, 3, 3, "gridShape", grid);
    } else if (key != NULL && (axis = axis_of(key, "grid")) >= 0) {
        ll_compute_node_grid(ll_lua_check_compute_node(L, 1), grid);
        grid[axis] = (uint32_t)ll_lua_check_integer_in(L, 3, 3, key, 0, UINT32_MAX);
    } else if (key != NULL && strcmp(key, "pushConstants") == 0) {
        lua_settop(L, 3);
        push = check_push_constants(L, 3, 3, &push_size);
        if (push == NULL)
            push = "";
    } else {
        return ll_lua_error(L, "ComputeNode field %s is read-only (settable: gridShape, "
                            "gridX, gridY, gridZ, pushConstants, program before init)",
                            ll_lua_describe(L, 2));
    }

    ll_error err;
    ll_compute_node *node = ll_lua_resolve(L, 1, "ComputeNode", &err);
    bool ok = node != NULL && (push != NULL
                                   ? ll_compute_node_set_push_constants(node, push, push_size,
                                                                        &err)
                                   : ll_compute_node_set_grid(node, grid, &err));

    if (!ok)
        return luaL_error(L, "ComputeNode.%s: %s", key, err.message);
    return 0;
}

/* ---- the class ------------------------------------------------------------------------- */

static void node_release(ll_lua_object *o)
{
    ll_compute_node_release(o->ptr);
}

static void node_describe(const void *ptr, char *buf, size_t size)
{
    const ll_compute_node *node = ptr;
    uint32_t grid[3];
    ll_compute_node_grid(node, grid);
    snprintf(buf, size, "%s, %zu ports, grid %u x %u x %u%s", ll_compute_node_function(node),
             ll_compute_node_port_count(node), grid[0], grid[1], grid[2],
             ll_compute_node_initialized(node) ? "" : ", not initialized");
}

static const luaL_Reg node_methods[] = {
    {"bind", node_bind},
    {"getPort", node_get_port},
    {"configureGridShape", node_configure_grid_shape},
    {"record", node_record},
    {"_initPipeline", node_init_pipeline},
    {"_extra", node_extra},
    {NULL, NULL},
};

/* The C getter's fields; lua/nodes.lua records its own (kit.describeClass). */
static const char *const node_fields[] = {
    "gridShape", "gridX", "gridY", "gridZ", "localShape", "localX", "localY", "localZ",
    "pushConstants", "program", "functionName", "type", NULL,
};

static const ll_lua_class node_class = {
    .tname = LL_COMPUTE_NODE_T,
    .methods = node_methods,
    .getter = node_get,
    .fields = node_fields,
    .release = node_release,
    .describe = node_describe,
};

static const luaL_Reg session_methods[] = {
    {"_newComputeNode", session_new_compute_node},
    {"_runNodes", session_run_nodes},
    {NULL, NULL},
};

int ll_lua_open_compute_node(lua_State *L)
{
    ll_lua_new_class(L, &node_class);
    luaL_getmetatable(L, LL_COMPUTE_NODE_T);
    lua_pushcfunction(L, node_set);
    lua_setfield(L, -2, "__newindex");
    lua_pop(L, 1);
    ll_lua_add_methods(L, LL_SESSION_T, session_methods);
    return 0;
}
