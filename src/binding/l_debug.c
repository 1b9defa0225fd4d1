/* l_debug.c: ll._debug, hooks for specs: fault injection (fault.h) and the core's validate
 * on any object. Not for: applications; nothing here is part of the API, and its shape may
 * change with the tests that use it (docs/faults.md). */
#include <string.h>

#include "binding.h"
#include "l_buffer.h"
#include "l_command_buffer.h"
#include "l_compute_node.h"
#include "l_debug.h"
#include "l_image.h"
#include "l_memory.h"
#include "l_ndarray.h"
#include "l_program.h"
#include "l_session.h"
#include "lluvia/buffer.h"
#include "lluvia/fault.h"
#include "lluvia/image.h"
#include "lluvia/image_view.h"
#include "lluvia/sampler.h"

/* ll._debug.failAfter(n, kind): the n-th host allocation ("host") or checked Vulkan call
 * ("vulkan") of the core from now on fails, once. n = 0 disarms the kind. */
static int l_fail_after(lua_State *L)
{
    lua_Integer n = ll_lua_check_integer(L, 1, 1, "n", 0);
    const char *name = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
    ll_fault_kind kind;
    if (name == NULL || !ll_fault_kind_parse(name, &kind))
        return ll_lua_argerror(L, 2, "kind must be 'host', 'vulkan' or 'deviceMemory', got %s",
                               ll_lua_describe(L, 2));
    ll_fault_fail_after(kind, (uint64_t)n);
    return 0;
}

/* ll._debug.faultsFired(): the faults fired since the last clearFaults. */
static int l_faults_fired(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)ll_fault_fired());
    return 1;
}

/* ll._debug.clearFaults(): disarms every kind and sets the fired count to 0. */
static int l_clear_faults(lua_State *L)
{
    (void)L;
    ll_fault_clear();
    return 0;
}

/* ll._debug.samplerCount(session?): the distinct VkSamplers the session holds, or with no
 * argument those of every session of the process (sampler.h). */
static int l_sampler_count(lua_State *L)
{
    ll_session *s = lua_isnoneornil(L, 1) ? NULL : ll_lua_check_session(L, 1);
    lua_pushinteger(L, (lua_Integer)ll_sampler_count(s));
    return 1;
}

/* ll._debug.setSamplerLimit(n): at most n samplers in the process (n below the device's
 * maxSamplerAllocationCount); 0 restores the device's limit. */
static int l_set_sampler_limit(lua_State *L)
{
    lua_Integer n = ll_lua_check_integer_in(L, 1, 1, "n", 0, UINT32_MAX);
    ll_sampler_set_limit((uint32_t)n);
    return 0;
}

/* ll._debug.coherenceStats(): {flushes, invalidates}, the vkFlushMappedMemoryRanges and
 * vkInvalidateMappedMemoryRanges calls of every Memory so far (docs/memory.md, Mapping). */
static int l_coherence_stats(lua_State *L)
{
    ll_coherence_stats st;
    ll_memory_get_coherence_stats(&st);
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, (lua_Integer)st.flushes);
    lua_setfield(L, -2, "flushes");
    lua_pushinteger(L, (lua_Integer)st.invalidates);
    lua_setfield(L, -2, "invalidates");
    return 1;
}

/* ll._debug.transferStats(): {direct, staging, update, import, importsLive, importsMade}:
 * buffer transfers by the path they took so far, and imported arrays (docs/memory.md,
 * Transfer paths). */
static int l_transfer_stats(lua_State *L)
{
    ll_transfer_stats st;
    ll_buffer_get_transfer_stats(&st);
    const struct { const char *name; uint64_t v; } fields[] = {
        {"direct", st.direct}, {"staging", st.staging}, {"update", st.update},
        {"import", st.import}, {"importsLive", st.imports_live},
        {"importsMade", st.imports_made},
    };
    lua_createtable(L, 0, 6);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        lua_pushinteger(L, (lua_Integer)fields[i].v);
        lua_setfield(L, -2, fields[i].name);
    }
    return 1;
}

static bool validate_session(const void *p, ll_error *err) { return ll_session_validate(p, err); }
static bool validate_memory(const void *p, ll_error *err) { return ll_memory_validate(p, err); }
static bool validate_buffer(const void *p, ll_error *err) { return ll_buffer_validate(p, err); }
static bool validate_image(const void *p, ll_error *err) { return ll_image_validate(p, err); }
static bool validate_view(const void *p, ll_error *err) { return ll_image_view_validate(p, err); }
static bool validate_program(const void *p, ll_error *err) { return ll_program_validate(p, err); }
static bool validate_node(const void *p, ll_error *err) { return ll_compute_node_validate(p, err); }
static bool validate_cb(const void *p, ll_error *err) { return ll_command_buffer_validate(p, err); }

static const struct validated {
    const char *tname;
    const char *label;
    bool (*validate)(const void *object, ll_error *err);
} validated[] = {
    {LL_SESSION_T, "Session", validate_session},
    {LL_MEMORY_T, "Memory", validate_memory},
    {LL_BUFFER_T, "Buffer", validate_buffer},
    {LL_IMAGE_T, "Image", validate_image},
    {LL_IMAGE_VIEW_T, "ImageView", validate_view},
    {LL_PROGRAM_T, "Program", validate_program},
    {LL_COMPUTE_NODE_T, "ComputeNode", validate_node},
    {LL_COMMAND_BUFFER_T, "CommandBuffer", validate_cb},
};

static int push_validation(lua_State *L, bool valid, const ll_error *err)
{
    lua_pushboolean(L, valid);
    if (valid)
        return 1;
    ll_lua_push_error(L, err);
    return 2;
}

/* ll._debug.validate(obj): true when the object's invariants hold, else false and
 * "lluvia: <what is wrong>". A released object raises, as any use of it does; a released
 * ndarray (whose storage ended) is checked as such. */
static int l_validate(lua_State *L)
{
    ll_error err;
    const ll_ndarray *array = ll_lua_to_ndarray(L, 1);
    if (array != NULL)
        return push_validation(L, ll_ndarray_validate(array, &err), &err);
    for (size_t i = 0; i < sizeof validated / sizeof validated[0]; i++) {
        const struct validated *v = &validated[i];
        if (ll_lua_to_object(L, 1, v->tname) == NULL)
            continue;
        void *object = ll_lua_check_object(L, 1, v->tname, v->label);
        return push_validation(L, v->validate(object, &err), &err);
    }
    return ll_lua_argerror(L, 1, "Session, Memory, Buffer, Image, ImageView, Program, "
                           "ComputeNode, CommandBuffer or ndarray expected, got %s",
                           ll_lua_describe(L, 1));
}

/* Pushes the sorted list of the string keys of the table at idx whose values are
 * functions (want_functions) or anything (not want_functions). Insertion sort: a class has
 * a few dozen names at most. */
static void push_sorted_keys(lua_State *L, int idx, bool want_functions)
{
    idx = lua_absindex(L, idx);
    lua_newtable(L);
    int list = lua_gettop(L);
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        if (lua_type(L, -2) == LUA_TSTRING && (!want_functions || lua_isfunction(L, -1))) {
            lua_Integer i = n++;
            for (; i > 0; i--) { /* shift the names after the new one up by one */
                lua_rawgeti(L, list, i);
                bool after = strcmp(lua_tostring(L, -1), lua_tostring(L, -3)) > 0;
                if (!after) {
                    lua_pop(L, 1);
                    break;
                }
                lua_rawseti(L, list, i + 1);
            }
            lua_pushvalue(L, -2);
            lua_rawseti(L, list, i + 1);
        }
        lua_pop(L, 1);
    }
}

/* ll._debug.classes(): {[name] = {methods = {...}, fields = {...}}}, each list sorted: every
 * class of the module, with the methods and fields scripts reach on its instances (protected
 * metatables hide them from scripts; ll_lua_record_class). */
static int l_classes(lua_State *L)
{
    lua_newtable(L);
    int result = lua_gettop(L);
    ll_lua_push_classes(L);
    int classes = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, classes) != 0) {
        int record = lua_gettop(L);
        lua_createtable(L, 0, 2);
        if (lua_getfield(L, record, "methods") == LUA_TTABLE)
            push_sorted_keys(L, -1, true);
        else
            lua_newtable(L);
        lua_setfield(L, -3, "methods");
        lua_pop(L, 1);
        lua_getfield(L, record, "fields");
        push_sorted_keys(L, -1, false);
        lua_setfield(L, -3, "fields");
        lua_pop(L, 1);
        lua_pushvalue(L, record - 1);
        lua_insert(L, -2);
        lua_rawset(L, result);
        lua_pop(L, 1);
    }
    lua_settop(L, result);
    return 1;
}

int ll_lua_open_debug(lua_State *L)
{
    static const luaL_Reg functions[] = {
        {"failAfter", l_fail_after},
        {"faultsFired", l_faults_fired},
        {"clearFaults", l_clear_faults},
        {"validate", l_validate},
        {"samplerCount", l_sampler_count},
        {"setSamplerLimit", l_set_sampler_limit},
        {"coherenceStats", l_coherence_stats},
        {"transferStats", l_transfer_stats},
        {"classes", l_classes},
        {NULL, NULL},
    };
    luaL_newlib(L, functions);
    lua_setfield(L, -2, "_debug");
    return 0;
}
