/* l_session.c: the Lua Session type, ll.createSession, ll.getAvailableDevices and
 * ll.debugMessageCount. Memory creation (createMemory) is added by l_memory.c. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "binding.h"
#include "l_builders.h"
#include "l_session.h"
#include "lluvia/session.h"

#define MAX_LISTED_DEVICES 64

ll_session *ll_lua_check_session(lua_State *L, int idx)
{
    return ll_lua_check_object(L, idx, LL_SESSION_T, "Session");
}

static void push_version(lua_State *L, uint32_t v)
{
    lua_pushfstring(L, "%d.%d.%d", (int)VK_API_VERSION_MAJOR(v), (int)VK_API_VERSION_MINOR(v),
                    (int)VK_API_VERSION_PATCH(v));
}

static int l_get_available_devices(lua_State *L)
{
    ll_device_info list[MAX_LISTED_DEVICES];
    uint32_t n;
    ll_error err;
    if (!ll_enumerate_devices(list, MAX_LISTED_DEVICES, &n, &err))
        return ll_lua_raise(L, 0, &err);
    if (n > MAX_LISTED_DEVICES)
        n = MAX_LISTED_DEVICES;
    lua_createtable(L, (int)n, 0);
    for (uint32_t i = 0; i < n; i++) {
        lua_createtable(L, 0, 4);
        lua_pushinteger(L, list[i].id);
        lua_setfield(L, -2, "id");
        lua_pushstring(L, list[i].name);
        lua_setfield(L, -2, "name");
        lua_pushstring(L, ll_device_type_name(list[i].type));
        lua_setfield(L, -2, "deviceType");
        push_version(L, list[i].api_version);
        lua_setfield(L, -2, "apiVersion");
        ll_lua_set_info(L);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    ll_lua_set_info(L);
    return 1;
}

static const char *const session_options[] = {
    "enableDebug", "device", "forceStaging", "bufferImageGranularity", "stagingSize",
    "simulateNonCoherent", "transferPath", "loadNodeLibrary", "deviceOnly", NULL,
};

/* The options of ll.createSession are fields of the table at 1. */
static uint64_t opt_size(lua_State *L, const char *field, uint64_t def)
{
    lua_getfield(L, 1, field);
    uint64_t v = (uint64_t)ll_lua_opt_integer(L, -1, 1, field, 1, (lua_Integer)def);
    lua_pop(L, 1);
    return v;
}

static bool opt_bool(lua_State *L, const char *field)
{
    lua_getfield(L, 1, field);
    bool v = ll_lua_opt_boolean(L, -1, 1, field, false);
    lua_pop(L, 1);
    return v;
}

static int l_create_session(lua_State *L)
{
    ll_session_options opts = {0};
    char device[32];
    bool node_library = true;
    if (!lua_isnoneornil(L, 1)) {
        ll_lua_check_options(L, 1, session_options);
        opts.enable_debug = opt_bool(L, "enableDebug");
        opts.force_staging = opt_bool(L, "forceStaging");
        opts.simulate_non_coherent = opt_bool(L, "simulateNonCoherent");
        opts.device_only = opt_bool(L, "deviceOnly");
        opts.buffer_image_granularity = opt_size(L, "bufferImageGranularity", 0);
        opts.staging_size = opt_size(L, "stagingSize", 0);
        if (lua_getfield(L, 1, "transferPath") != LUA_TNIL) {
            ll_error perr;
            const char *name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
            if (name == NULL)
                ll_lua_argerror(L, 1, "transferPath must be one of auto, direct, staging, "
                                "import, got %s", ll_lua_describe(L, -1));
            if (!ll_transfer_path_parse(name, "transferPath", &opts.transfer_path, &perr))
                ll_lua_argerror(L, 1, "%s", perr.message);
        }
        lua_getfield(L, 1, "loadNodeLibrary");
        node_library = ll_lua_opt_boolean(L, -1, 1, "loadNodeLibrary", true);
        lua_pop(L, 1);
        switch (lua_getfield(L, 1, "device")) {
        case LUA_TNIL:
            break;
        case LUA_TNUMBER:
            snprintf(device, sizeof device, "%lld",
                     (long long)ll_lua_check_integer(L, -1, 1, "device id", 0));
            opts.device = device;
            break;
        case LUA_TSTRING:
            opts.device = lua_tostring(L, -1); /* stays on the stack until we return */
            break;
        default:
            ll_lua_argerror(L, 1, "device must be an id or a name, got %s",
                            ll_lua_describe(L, -1));
        }
    }
    /* user values: the session's host and device Memory (getHostMemory, l_memory.c) */
    ll_lua_object *o = ll_lua_push_object(L, LL_SESSION_T, NULL, 2);

    ll_error err;
    o->ptr = ll_session_create(&opts, &err);

    if (o->ptr == NULL)
        return ll_lua_raise(L, 1, &err);
    if (node_library) { /* the built-in node library (lua/library.lua); may raise */
        int session = lua_gettop(L);
        ll_lua_push_module(L);
        lua_getfield(L, -1, "_loadNodeLibrary");
        lua_pushvalue(L, session);
        lua_call(L, 1, 0);
        lua_settop(L, session);
    }
    return 1;
}

static int l_debug_message_count(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)ll_debug_message_count());
    return 1;
}

static void session_release(ll_lua_object *o)
{
    ll_session_release(o->ptr);
}

static void session_describe(const void *ptr, char *buf, size_t size)
{
    const VkPhysicalDeviceProperties *p = ll_session_properties(ptr);
    snprintf(buf, size, "%s, %s", p->deviceName, ll_device_type_name(p->deviceType));
}

static int session_get_memory_flags(lua_State *L)
{
    ll_session *s = ll_lua_check_session(L, 1);
    /* phase 2: copied before the tables are made, which runs Lua */
    const VkPhysicalDeviceMemoryProperties props = *ll_session_memory_properties(s), *m = &props;
    lua_createtable(L, (int)m->memoryTypeCount, 0);
    for (uint32_t i = 0; i < m->memoryTypeCount; i++) {
        ll_lua_push_flags(L, &ll_enum_memory_property, m->memoryTypes[i].propertyFlags);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int session_has_warnings(lua_State *L)
{
    lua_pushboolean(L, ll_session_has_warnings(ll_lua_check_session(L, 1)));
    return 1;
}

/* session:getGoodComputeLocalShape(dimension) -> ll.vec3ui (ll_good_local_shape) */
static int session_good_local_shape(lua_State *L)
{
    ll_session *s = ll_lua_check_session(L, 1);
    uint32_t dimension = ll_lua_check_enum(L, 2, &ll_enum_compute_dimension, 0, 0);
    uint32_t shape[3];
    ll_session_good_local_shape(s, dimension, shape);
    for (int i = 0; i < 3; i++)
        lua_pushinteger(L, shape[i]);
    ll_lua_new_instance(L, "lluvia.vec3ui", 3);
    return 1;
}

static int session_get(lua_State *L)
{
    ll_session *s = ll_lua_check_session(L, 1);
    const char *key = lua_tostring(L, 2);
    if (key == NULL)
        return 0;
    const VkPhysicalDeviceProperties *p = ll_session_properties(s);
    if (strcmp(key, "deviceName") == 0)
        lua_pushstring(L, p->deviceName);
    else if (strcmp(key, "deviceType") == 0)
        lua_pushstring(L, ll_device_type_name(p->deviceType));
    else if (strcmp(key, "deviceId") == 0)
        lua_pushinteger(L, ll_session_device_id(s));
    else if (strcmp(key, "apiVersion") == 0)
        push_version(L, p->apiVersion);
    else if (strcmp(key, "validationEnabled") == 0)
        lua_pushboolean(L, ll_session_validation_enabled(s));
    else if (strcmp(key, "forceStaging") == 0)
        lua_pushboolean(L, ll_session_force_staging(s));
    else if (strcmp(key, "transferPath") == 0)
        lua_pushstring(L, ll_transfer_path_name(ll_session_transfer_path(s)));
    else if (strcmp(key, "simulateNonCoherent") == 0)
        lua_pushboolean(L, ll_session_simulates_non_coherent(s));
    else if (strcmp(key, "deviceOnly") == 0)
        lua_pushboolean(L, ll_session_device_only(s));
    else if (strcmp(key, "bufferImageGranularity") == 0)
        lua_pushinteger(L, (lua_Integer)ll_session_granularity(s));
    else if (strcmp(key, "stagingSize") == 0)
        lua_pushinteger(L, (lua_Integer)ll_session_staging_size(s));
    else
        return 0;
    return 1;
}

/* ll.clock() -> seconds of a monotonic clock (CLOCK_MONOTONIC), for timing on the host:
 * os.clock counts the process's CPU time, which a device's own threads (lavapipe) inflate. */
static int l_clock(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
    return 1;
}

int ll_lua_open_session(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"getSupportedMemoryPropertyFlags", session_get_memory_flags},
        {"hasReceivedVulkanWarningMessages", session_has_warnings},
        {"getGoodComputeLocalShape", session_good_local_shape},
        {NULL, NULL},
    };
    static const char *const fields[] = {
        "deviceName", "deviceType", "deviceId", "apiVersion", "validationEnabled", "forceStaging",
        "transferPath", "simulateNonCoherent", "bufferImageGranularity", "stagingSize", NULL,
    };
    static const ll_lua_class session_class = {LL_SESSION_T, methods, session_get,
                                               session_release, session_describe, fields,
                                               NULL};
    ll_lua_new_class(L, &session_class);
    static const luaL_Reg functions[] = {
        {"createSession", l_create_session},
        {"getAvailableDevices", l_get_available_devices},
        {"debugMessageCount", l_debug_message_count},
        {"clock", l_clock},
        {NULL, NULL},
    };
    luaL_setfuncs(L, functions, 0);
    return 0;
}
