/* l_image_file.c: ll.readImage and ll.writeImage: argument checks, the array made from a
 * file's header, and core errors as Lua errors (docs/image_files.md). Not for: decoding,
 * encoding or the files themselves (src/core/image_file.c). */
#include "l_image_file.h"

#include <string.h>

#include "binding.h"
#include "l_ndarray.h"
#include "lluvia/image_file.h"

/* A userdata holding the reader of readImage while it makes the array, so that an error
 * raised meanwhile (out of memory) leaves the reader to the collector, not leaked. */
#define READER_BOX_T "lluvia.imageReaderBox"

static int reader_box_gc(lua_State *L)
{
    ll_image_reader **box = luaL_checkudata(L, 1, READER_BOX_T);
    ll_image_reader_close(*box);
    *box = NULL;
    return 0;
}

/* The path at arg: a non-empty string without NUL bytes. */
static const char *check_path(lua_State *L, int arg)
{
    if (lua_type(L, arg) != LUA_TSTRING)
        ll_lua_argerror(L, arg, "path must be a string, got %s", ll_lua_describe(L, arg));
    size_t len;
    const char *path = lua_tolstring(L, arg, &len);
    if (len == 0)
        ll_lua_argerror(L, arg, "path must not be empty");
    if (strlen(path) != len)
        ll_lua_argerror(L, arg, "path must not contain a NUL byte, got %s",
                        ll_lua_describe(L, arg));
    return path;
}

/* The one option of a call (positional at `first`, or in a trailing options table named
 * names[0]): an integer from lo to hi, nil giving def; `expected` says what it must be.
 * *arg receives the argument its errors name. */
static lua_Integer check_option(lua_State *L, int first, const char *const names[],
                                lua_Integer lo, lua_Integer hi, lua_Integer def,
                                const char *expected, int *arg)
{
    ll_lua_params p;
    ll_lua_params_open(L, &p, first, names, NULL);
    *arg = ll_lua_param(L, &p, 0);
    lua_Integer v = def;
    if (!lua_isnoneornil(L, *arg) && (!ll_lua_tointeger(L, *arg, &v) || v < lo || v > hi))
        ll_lua_argerror(L, *arg, "%s must be %s, got %s", names[0], expected,
                        ll_lua_describe(L, *arg));
    return v;
}

/* ll.readImage(path, {channels = nil}) -> ndarray {h, w, c}, uint8 or uint16.
 * The array's shape comes from the file, so the file is read and its header parsed
 * (a core call, into the box) before the array is pushed; phase 2 then decodes into the
 * array, resolved again. */
static int l_read_image(lua_State *L)
{
    static const char *const names[] = {"channels", NULL};
    const char *path = check_path(L, 1);
    int arg;
    lua_Integer channels = check_option(L, 2, names, 1, 4, 0, "1, 2, 3 or 4 (nil: as stored)",
                                        &arg);
    lua_settop(L, 1); /* the path stays referenced */

    ll_image_reader **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    luaL_setmetatable(L, READER_BOX_T);
    ll_error err;
    *box = ll_image_reader_open(path, &err);
    if (*box == NULL)
        return ll_lua_raise(L, 0, &err);
    const ll_image_info *info = ll_image_reader_info(*box);
    uint32_t c = channels != 0 ? (uint32_t)channels : info->channels;
    int64_t shape[3] = {info->height, info->width, c};
    ll_lua_push_ndarray(L, 3, shape, info->dtype); /* may raise: the box closes the reader */

    box = luaL_checkudata(L, 2, READER_BOX_T);
    void *data = ll_lua_live_ndarray_data(L, 3, &err);
    bool ok = data != NULL &&
              ll_image_reader_decode(*box, c, data, ll_image_decoded_size(
                                         ll_image_reader_info(*box), c), &err);
    ll_image_reader_close(*box);
    *box = NULL;

    if (!ok)
        return ll_lua_raise(L, 0, &err);
    return 1;
}

/* ll.writeImage(path, arr, {quality = 90}): PNG or JPEG by the extension. */
static int l_write_image(lua_State *L)
{
    static const char *const names[] = {"quality", NULL};
    const char *path = check_path(L, 1);
    ll_image_format format;
    if (!ll_image_format_of_path(path, &format))
        ll_lua_argerror(L, 1, "path must end in .png, .jpg or .jpeg (any case), got %s",
                        ll_lua_describe(L, 1));
    int qarg;
    lua_Integer quality = check_option(L, 3, names, 1, 100, 90, "an integer from 1 to 100",
                                       &qarg);
    ll_ndarray *a = ll_lua_check_arraylike(L, 2, LL_UINT8);
    int array = lua_gettop(L);
    int ndim = ll_ndarray_ndim(a);
    const int64_t *shape = ll_ndarray_shape(a);
    if (ndim != 2 && ndim != 3) {
        char text[LL_DIMS_TEXT_MAX];
        ll_lua_argerror(L, 2, "shape must be {h, w} or {h, w, c}, got %s",
                        ll_dims_text(text, sizeof text, shape, ndim));
    }
    uint32_t dims[3] = {0, 0, 1};
    for (int k = 0; k < ndim; k++)
        dims[k] = shape[k] > UINT32_MAX ? UINT32_MAX : (uint32_t)shape[k];
    ll_image_pixels px = {NULL, dims[1], dims[0], dims[2], ll_ndarray_dtype(a)};
    ll_error err;
    if (!ll_image_check_pixels(format, &px, (int)quality, &err))
        return ll_lua_raise(L, err.operand == 3 ? qarg : 2, &err);

    px.data = ll_lua_live_ndarray_data(L, array, &err);
    bool ok = px.data != NULL && ll_image_write_file(path, &px, (int)quality, &err);

    if (!ok)
        return ll_lua_raise(L, 0, &err);
    return 0;
}

int ll_lua_open_image_file(lua_State *L)
{
    luaL_newmetatable(L, READER_BOX_T);
    lua_pushcfunction(L, reader_box_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, reader_box_gc);
    lua_setfield(L, -2, "__close");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_read_image);
    lua_setfield(L, -2, "readImage");
    lua_pushcfunction(L, l_write_image);
    lua_setfield(L, -2, "writeImage");
    return 0;
}
