/* l_command_buffer.c: the CommandBuffer userdata (lluvia's CommandBuffer): begin, ends
 * (finish), memoryBarrier, changeImageLayout, clearImage, copyBufferToImage,
 * copyImageToImage, copyBuffer, timestamp, timestamps, and session:createCommandBuffer. cb:run(node) and
 * session:run(cb) are lua/nodes.lua's, on _abort and _submit here. Not for: what a node
 * records (l_compute_node.c). */
#include <stdio.h>
#include <string.h>

#include "binding.h"
#include "l_buffer.h"
#include "l_command_buffer.h"
#include "l_image.h"
#include "l_session.h"

/* User values: the session, and a table of what the recording uses (kept until begin). */
enum { UV_SESSION = 1, UV_KEPT, UV_COUNT = UV_KEPT };

ll_command_buffer *ll_lua_check_command_buffer(lua_State *L, int idx)
{
    return ll_lua_check_object(L, idx, LL_COMMAND_BUFFER_T, "CommandBuffer");
}

void ll_lua_command_buffer_keep(lua_State *L, int cb, int idx)
{
    idx = lua_absindex(L, idx);
    lua_getiuservalue(L, cb, UV_KEPT);
    lua_pushvalue(L, idx);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

static int session_create_command_buffer(lua_State *L)
{
    ll_lua_check_session(L, 1);
    ll_lua_object *o = ll_lua_new_object(L, LL_COMMAND_BUFFER_T, sizeof *o, UV_COUNT);
    lua_newtable(L);
    ll_lua_set_parent(L, -2, UV_KEPT);

    ll_error err;
    ll_session *s = ll_lua_resolve(L, 1, "Session", &err);
    if (s != NULL)
        o->ptr = ll_command_buffer_create(s, &err);

    if (o->ptr == NULL)
        return ll_lua_raise(L, 0, &err);
    lua_pushvalue(L, 1);
    ll_lua_set_parent(L, -2, UV_SESSION);
    return 1;
}

/* Raises a command's failure: argument errors blame the argument of the operand at fault
 * (operand 1 is argument 1, after self). */
static int raise_command(lua_State *L, const ll_error *err)
{
    return ll_lua_raise(L, err->operand > 0 ? err->operand + 1 : 2, err);
}

/* A command buffer call without arguments: op(cb). */
static int cb_call(lua_State *L, bool (*op)(ll_command_buffer *cb, ll_error *err))
{
    ll_lua_check_command_buffer(L, 1);

    ll_error err;
    ll_command_buffer *cb = ll_lua_resolve(L, 1, "CommandBuffer", &err);
    bool ok = cb != NULL && op(cb, &err);

    if (!ok)
        return ll_lua_raise(L, 0, &err);
    return 0;
}

static int cb_begin(lua_State *L)
{
    cb_call(L, ll_command_buffer_begin);
    lua_newtable(L); /* what the new recording keeps */
    ll_lua_set_parent(L, 1, UV_KEPT);
    return 0;
}

static int cb_end(lua_State *L) { return cb_call(L, ll_command_buffer_end); }
static int cb_submit(lua_State *L) { return cb_call(L, ll_command_buffer_submit); }
static int cb_memory_barrier(lua_State *L) { return cb_call(L, ll_command_buffer_memory_barrier); }

/* cb:timestamp() -> the timestamp's number, from 1 (cb:timestamps()[n]). */
static int cb_timestamp(lua_State *L)
{
    ll_lua_check_command_buffer(L, 1);

    ll_error err;
    uint32_t index = 0;
    ll_command_buffer *cb = ll_lua_resolve(L, 1, "CommandBuffer", &err);
    bool ok = cb != NULL && ll_command_buffer_timestamp(cb, &index, &err);

    if (!ok)
        return ll_lua_raise(L, 0, &err);
    lua_pushinteger(L, (lua_Integer)index + 1);
    return 1;
}

/* cb:timestamps() -> the nanoseconds of each timestamp since the first, after a run. */
static int cb_timestamps(lua_State *L)
{
    ll_lua_check_command_buffer(L, 1);
    lua_createtable(L, LL_COMMAND_BUFFER_MAX_TIMESTAMPS, 0);

    ll_error err;
    double ns[LL_COMMAND_BUFFER_MAX_TIMESTAMPS];
    uint32_t count = 0;
    ll_command_buffer *cb = ll_lua_resolve(L, 1, "CommandBuffer", &err);
    bool ok = cb != NULL &&
              ll_command_buffer_timestamps(cb, ns, LL_COMMAND_BUFFER_MAX_TIMESTAMPS, &count, &err);

    if (!ok)
        return ll_lua_raise(L, 0, &err);
    for (uint32_t i = 0; i < count; i++) {
        lua_pushnumber(L, ns[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int cb_abort(lua_State *L)
{
    ll_command_buffer *cb = ll_lua_check_command_buffer(L, 1);
    ll_command_buffer_abort(cb);
    return 0;
}

/* An Image, or an ImageView's image, at idx (raises for anything else); keeps it. */
static void check_image_arg(lua_State *L, int idx)
{
    if (ll_lua_to_any_image(L, idx) == NULL)
        ll_lua_argerror(L, idx, "an Image or an ImageView expected, got %s",
                        ll_lua_describe(L, idx));
    ll_lua_command_buffer_keep(L, 1, idx);
}

/* Phase 2's image of the Image or ImageView at idx, or NULL with err. */
static ll_image *resolve_image(lua_State *L, int idx, ll_error *err)
{
    if (ll_lua_to_object(L, idx, LL_IMAGE_T) != NULL)
        return ll_lua_resolve(L, idx, "Image", err);
    ll_image_view *view = ll_lua_resolve(L, idx, "ImageView", err);
    return view != NULL ? ll_image_view_image(view) : NULL;
}

static int cb_change_image_layout(lua_State *L)
{
    ll_lua_check_command_buffer(L, 1);
    check_image_arg(L, 2);
    VkImageLayout layout = ll_lua_check_enum(L, 3, &ll_enum_image_layout, 0, 0);

    ll_error err;
    ll_command_buffer *cb = ll_lua_resolve(L, 1, "CommandBuffer", &err);
    ll_image *image = cb != NULL ? resolve_image(L, 2, &err) : NULL;
    bool ok = image != NULL && ll_command_buffer_change_layout(cb, image, layout, &err);

    if (!ok)
        return raise_command(L, &err);
    return 0;
}

static int cb_clear_image(lua_State *L)
{
    ll_lua_check_command_buffer(L, 1);
    check_image_arg(L, 2);

    ll_error err;
    ll_command_buffer *cb = ll_lua_resolve(L, 1, "CommandBuffer", &err);
    ll_image *image = cb != NULL ? resolve_image(L, 2, &err) : NULL;
    bool ok = image != NULL && ll_command_buffer_clear_image(cb, image, &err);

    if (!ok)
        return raise_command(L, &err);
    return 0;
}

static int cb_copy_buffer_to_image(lua_State *L)
{
    ll_lua_check_command_buffer(L, 1);
    ll_lua_check_buffer(L, 2);
    ll_lua_command_buffer_keep(L, 1, 2);
    check_image_arg(L, 3);

    ll_error err;
    ll_command_buffer *cb = ll_lua_resolve(L, 1, "CommandBuffer", &err);
    ll_buffer *src = cb != NULL ? ll_lua_resolve(L, 2, "Buffer", &err) : NULL;
    ll_image *dst = src != NULL ? resolve_image(L, 3, &err) : NULL;
    bool ok = dst != NULL && ll_command_buffer_copy_buffer_to_image(cb, src, dst, &err);

    if (!ok)
        return raise_command(L, &err);
    return 0;
}

static int cb_copy_image_to_image(lua_State *L)
{
    ll_lua_check_command_buffer(L, 1);
    check_image_arg(L, 2);
    check_image_arg(L, 3);

    ll_error err;
    ll_command_buffer *cb = ll_lua_resolve(L, 1, "CommandBuffer", &err);
    ll_image *src = cb != NULL ? resolve_image(L, 2, &err) : NULL;
    ll_image *dst = src != NULL ? resolve_image(L, 3, &err) : NULL;
    bool ok = dst != NULL && ll_command_buffer_copy_image(cb, src, dst, &err);

    if (!ok)
        return raise_command(L, &err);
    return 0;
}

static int cb_copy_buffer(lua_State *L)
{
    ll_lua_check_command_buffer(L, 1);
    ll_lua_check_buffer(L, 2);
    ll_lua_check_buffer(L, 3);
    ll_lua_command_buffer_keep(L, 1, 2);
    ll_lua_command_buffer_keep(L, 1, 3);

    ll_error err;
    ll_command_buffer *cb = ll_lua_resolve(L, 1, "CommandBuffer", &err);
    ll_buffer *src = cb != NULL ? ll_lua_resolve(L, 2, "Buffer", &err) : NULL;
    ll_buffer *dst = src != NULL ? ll_lua_resolve(L, 3, "Buffer", &err) : NULL;
    bool ok = dst != NULL && ll_command_buffer_copy_buffer(cb, src, dst, &err);

    if (!ok)
        return raise_command(L, &err);
    return 0;
}

static int cb_get(lua_State *L)
{
    ll_command_buffer *cb = ll_lua_check_command_buffer(L, 1);
    const char *key = lua_tostring(L, 2);
    if (strcmp(key, "isRecording") == 0) {
        lua_pushboolean(L, ll_command_buffer_recording(cb));
        return 1;
    }
    return 0;
}

static void cb_release(ll_lua_object *o)
{
    ll_command_buffer_release(o->ptr);
}

static void cb_describe(const void *ptr, char *buf, size_t size)
{
    snprintf(buf, size, "%s", ll_command_buffer_recording(ptr) ? "recording" : "not recording");
}

static const luaL_Reg cb_methods[] = {
    {"begin", cb_begin},
    {"ends", cb_end},
    {"finish", cb_end},
    {"memoryBarrier", cb_memory_barrier},
    {"changeImageLayout", cb_change_image_layout},
    {"clearImage", cb_clear_image},
    {"copyBufferToImage", cb_copy_buffer_to_image},
    {"copyImageToImage", cb_copy_image_to_image},
    {"copyBuffer", cb_copy_buffer},
    {"timestamp", cb_timestamp},
    {"timestamps", cb_timestamps},
    {"_abort", cb_abort},
    {"_submit", cb_submit},
    {NULL, NULL},
};

static const ll_lua_class cb_class = {
    .tname = LL_COMMAND_BUFFER_T,
    .methods = cb_methods,
    .fields = (const char *const[]){"isRecording", NULL},
    .getter = cb_get,
    .release = cb_release,
    .describe = cb_describe,
};

static const luaL_Reg session_methods[] = {
    {"createCommandBuffer", session_create_command_buffer},
    {NULL, NULL},
};

int ll_lua_open_command_buffer(lua_State *L)
{
    ll_lua_new_class(L, &cb_class);
    ll_lua_add_methods(L, LL_SESSION_T, session_methods);
    return 0;
}
