/* l_image.c: the Lua Image and ImageView types, Memory's createImage, createImageFromHost
 * and createImageViewFromHost, and Session's isImageFormatSupported. Arguments are checked
 * here; image.c does the work. Not for: host arrays (l_ndarray.c) or formats (format.c). */
#include <stdio.h>
#include <string.h>

#include "binding.h"
#include "lluvia/format.h"
#include "lluvia/image.h"
#include "l_image.h"
#include "l_memory.h"
#include "l_ndarray.h"
#include "l_session.h"

#define DEFAULT_USAGE (VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_SAMPLED_BIT | \
                       VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT)

/* ---- taking images from the stack -------------------------------------------------- */

ll_image *ll_lua_check_image(lua_State *L, int idx)
{
    return ll_lua_check_object(L, idx, LL_IMAGE_T, "Image");
}

ll_image_view *ll_lua_check_image_view(lua_State *L, int idx)
{
    return ll_lua_check_object(L, idx, LL_IMAGE_VIEW_T, "ImageView");
}

ll_image *ll_lua_to_any_image(lua_State *L, int idx)
{
    if (ll_lua_to_object(L, idx, LL_IMAGE_T) != NULL)
        return ll_lua_check_image(L, idx);
    if (ll_lua_to_object(L, idx, LL_IMAGE_VIEW_T) != NULL)
        return ll_image_view_image(ll_lua_check_image_view(L, idx));
    return NULL;
}

bool ll_lua_image_size(lua_State *L, int idx, uint64_t *bytes)
{
    ll_image *image = ll_lua_to_any_image(L, idx);
    if (image == NULL)
        return false;
    *bytes = ll_image_allocation(image)->size;
    return true;
}

/* The image of an Image or ImageView at idx, or an argument error. */
static ll_image *check_any_image(lua_State *L, int idx)
{
    ll_image *image = ll_lua_to_any_image(L, idx);
    if (image == NULL)
        ll_lua_argerror(L, idx, "Image or ImageView expected, got %s", ll_lua_describe(L, idx));
    return image;
}

/* ---- arguments ----------------------------------------------------------------------- */

/* Image usage flags (default DEFAULT_USAGE), refused as an argument error when Vulkan
 * forbids the combination on every device (ll_image_check_usage). */
static VkImageUsageFlags check_usage(lua_State *L, int arg)
{
    VkImageUsageFlags usage = ll_lua_check_flags(L, arg, &ll_enum_image_usage, DEFAULT_USAGE);
    ll_error err;
    if (!ll_image_check_usage(NULL, usage, NULL, &err))
        ll_lua_raise(L, arg, &err);
    return usage;
}

static ll_dtype check_channel_type(lua_State *L, int arg)
{
    return ll_lua_opt_dtype(L, arg, arg, "channelType", LL_UINT8);
}

/* A shape table of 1 to 4 positive integers, by lluvia's rules. */
static ll_image_shape check_shape(lua_State *L, int arg)
{
    int64_t dims[4];
    int n = ll_lua_check_dims(L, arg, dims, 4, false);
    ll_image_shape shape;
    ll_error err;
    if (!ll_image_shape_from_dims(dims, (size_t)n, &shape, &err))
        ll_lua_raise(L, arg, &err);
    return shape;
}

static const char *image_shape_text(char *buf, size_t size, const ll_image_shape *s)
{
    int64_t dims[4] = {s->depth, s->height, s->width, s->channels};
    return ll_dims_text(buf, size, dims, 4);
}

static const char *host_shape_text(char *buf, size_t size, const ll_image_shape *s)
{
    uint64_t host[4];
    int64_t dims[4];
    size_t n = ll_image_host_dims(s, host);
    for (size_t i = 0; i < n; i++)
        dims[i] = (int64_t)host[i];
    return ll_dims_text(buf, size, dims, (int)n);
}

/* An argument error unless the array fits the image: its dtype is the channel type and its
 * shape, read by the shape rules, is the image's. */
static void check_array_fits(lua_State *L, int arg, const ll_image *image, ll_ndarray *a)
{
    ll_dtype want = ll_image_channel_type(image);
    const ll_image_shape *is = ll_image_get_shape(image);
    if (ll_ndarray_dtype(a) != want)
        ll_lua_argerror(L, arg, "array dtype must be %s for a %s image, got %s",
                        ll_dtype_name(want), ll_dtype_channel_name(want),
                        ll_dtype_name(ll_ndarray_dtype(a)));
    int ndim = ll_ndarray_ndim(a);
    const int64_t *dims = ll_ndarray_shape(a);
    ll_image_shape s;
    if (ndim >= 1 && ndim <= 4 && ll_image_shape_from_dims(dims, (size_t)ndim, &s, NULL) &&
        s.depth == is->depth && s.height == is->height && s.width == is->width &&
        s.channels == is->channels)
        return;
    char got[LL_DIMS_TEXT_MAX], shape[64], host[64];
    ll_lua_argerror(L, arg, "array shape %s does not match the image's shape %s "
                    "(depth, height, width, channels): expected %s",
                    ll_dims_text(got, sizeof got, dims, ndim),
                    image_shape_text(shape, sizeof shape, is),
                    host_shape_text(host, sizeof host, is));
}

/* ---- creating ------------------------------------------------------------------------ */

/* What phase 2 makes an image of, in the Memory userdata at stack index 1. */
typedef struct create_image {
    lua_State *L;
    ll_image_shape shape;
    ll_dtype type;
    VkImageUsageFlags usage;
    ll_image *image;
} create_image;

/* Phase 2, run again after the collection of a retry (which runs Lua). */
static bool do_create_image(void *user, ll_error *err)
{
    create_image *c = user;
    ll_memory *memory = ll_lua_resolve(c->L, 1, "Memory", err);
    c->image = memory != NULL ? ll_image_create(memory, &c->shape, c->type, c->usage, err)
                              : NULL;
    return c->image != NULL;
}

/* Phase 1: pushes an object userdata of class tname, not holding anything yet, whose
 * parent (user value 1) is the value at parent_idx. */
static ll_lua_object *push_empty(lua_State *L, const char *tname, int parent_idx)
{
    parent_idx = lua_absindex(L, parent_idx);
    ll_lua_object *o = ll_lua_push_object(L, tname, NULL, 1);
    lua_pushvalue(L, parent_idx);
    ll_lua_set_parent(L, -2, 1);
    return o;
}

/* Phase 2: makes the image of c into the empty Image userdata o, with a collection and one
 * more try when the device is out of memory. */
static bool make_image(lua_State *L, ll_lua_object *o, create_image *c, ll_error *err)
{
    c->L = L;
    if (!ll_lua_with_retry(L, do_create_image, c, err))
        return false;
    o->ptr = c->image;
    return true;
}

/* Phase 2, when filling the new image failed: discards it, leaving its Memory as before
 * (ll_image_discard). Returns false. */
static bool discard_image(ll_lua_object *o)
{
    if (o->ptr != NULL)
        ll_image_discard(o->ptr);
    o->ptr = NULL;
    return false;
}

/* Phase 3 of a create: the new image at image_idx exists, and the value at the top is the
 * result; the collector is told about the device memory (which may collect: last). */
static int new_image_done(lua_State *L, int image_idx)
{
    ll_lua_object *o = lua_touserdata(L, image_idx);
    ll_lua_device_memory_added(L, ll_image_allocation(o->ptr)->size);
    return 1;
}

/* Phase 2: the image of the Image or ImageView at idx (checked in phase 1), or NULL with
 * err when it has been released since. */
static ll_image *resolve_any_image(lua_State *L, int idx, ll_error *err)
{
    if (ll_lua_to_object(L, idx, LL_IMAGE_T) != NULL)
        return ll_lua_resolve(L, idx, "Image", err);
    ll_image_view *view = ll_lua_resolve(L, idx, "ImageView", err);
    return view != NULL ? ll_image_view_image(view) : NULL;
}

/* Phase 2 of a transfer (ll_lua_transfer_with_retry; always staged or imported): resolves
 * the Image or ImageView at idx, moves `bytes` between its image and host. */
static bool move_pixels(lua_State *L, int idx, ll_host_memory *host, uint64_t bytes,
                        bool upload, ll_error *err)
{
    ll_image *image = resolve_any_image(L, idx, err);
    if (image == NULL)
        return false;
    return upload ? ll_image_upload_from(image, host, bytes, err)
                  : ll_image_download_into(image, host, bytes, err);
}

/* A view request and, for each part of it (ll_image_view_field), the argument that gave
 * it, for errors. */
typedef struct view_args {
    ll_image_view_desc desc;
    int arg[LL_VIEW_SAMPLED + 1];
    bool address_defaulted;    /* no addressMode given: the error must not blame one */
} view_args;

/* ---- lluvia's descriptors (lua/descriptors.lua) ---------------------------------------- */

#define IMAGE_DESCRIPTOR_T "lluvia.ImageDescriptor"
#define VIEW_DESCRIPTOR_T "lluvia.ImageViewDescriptor"

/* The name in field `key` of the descriptor at arg, as a value of e. The descriptor checked
 * it when it was set; this check keeps the C side from trusting Lua. */
static uint32_t name_field(lua_State *L, int arg, const ll_enum *e, const char *key)
{
    lua_getfield(L, arg, key);
    const ll_enum_entry *it =
        lua_type(L, -1) == LUA_TSTRING ? ll_enum_find(e, lua_tostring(L, -1), false) : NULL;
    if (it == NULL)
        ll_lua_argerror(L, arg, "%s must be a %s name, got %s", key, e->table,
                        ll_lua_describe(L, -1));
    lua_pop(L, 1);
    return it->value;
}

static bool bool_field(lua_State *L, int arg, const char *key)
{
    lua_getfield(L, arg, key);
    if (!lua_isboolean(L, -1))
        ll_lua_argerror(L, arg, "%s must be a boolean, got %s", key, ll_lua_describe(L, -1));
    bool v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* The image an ll.ImageDescriptor at arg describes: shape, channel type and usage (the
 * usage refused, naming arg, where Vulkan forbids it). lluvia-lua makes Optimal images
 * only: tiling Linear is an argument error. */
static void check_image_descriptor(lua_State *L, int arg, create_image *c)
{
    static const char *const keys[4] = {"depth", "height", "width", "channelCount"};
    int64_t dims[4];
    for (int i = 0; i < 4; i++) {
        lua_getfield(L, arg, keys[i]);
        dims[i] = ll_lua_check_integer(L, -1, arg, keys[i], 1);
        lua_pop(L, 1);
    }
    ll_error err;
    if (!ll_image_shape_from_dims(dims, 4, &c->shape, &err))
        ll_lua_raise(L, arg, &err);
    lua_getfield(L, arg, "channelType");
    c->type = ll_lua_opt_dtype(L, -1, arg, "channelType", LL_UINT8);
    lua_getfield(L, arg, "usageFlags");
    lua_Integer usage = 0;
    if (!ll_lua_tointeger(L, -1, &usage) || usage < 0 || usage > (lua_Integer)UINT32_MAX)
        ll_lua_argerror(L, arg, "usageFlags must be a number of bits, got %s",
                        ll_lua_describe(L, -1));
    lua_pop(L, 2);
    c->usage = (VkImageUsageFlags)usage;
    if (!ll_image_check_usage(NULL, c->usage, NULL, &err))
        ll_lua_raise(L, arg, &err);
    if (name_field(L, arg, &ll_enum_image_tiling, "tiling") != VK_IMAGE_TILING_OPTIMAL)
        ll_lua_argerror(L, arg, "tiling Linear is not supported: lluvia-lua makes Optimal "
                        "images only");
}

/* The view an ll.ImageViewDescriptor at arg describes; every part's argument is arg. */
static void check_view_descriptor(lua_State *L, int arg, view_args *a)
{
    static const char *const axes[3] = {"addressModeU", "addressModeV", "addressModeW"};
    ll_image_view_desc *d = &a->desc;
    for (int f = LL_VIEW_FILTER; f <= LL_VIEW_SAMPLED; f++)
        a->arg[f] = arg;
    a->address_defaulted = false; /* a descriptor states its modes */
    d->filter = (VkFilter)name_field(L, arg, &ll_enum_filter_mode, "filterMode");
    for (int i = 0; i < 3; i++)
        d->address_mode[i] =
            (VkSamplerAddressMode)name_field(L, arg, &ll_enum_address_mode, axes[i]);
    d->normalized_coordinates = bool_field(L, arg, "normalizedCoordinates");
    d->sampled = bool_field(L, arg, "isSampled");
}

/* Pushes a new ll.ImageDescriptor of the image. Everything is read before anything is
 * pushed: pushing may run finalizers, which may release the image. */
static void push_image_descriptor(lua_State *L, const ll_image *image)
{
    const ll_image_shape s = *ll_image_get_shape(image);
    const char *type = ll_dtype_channel_name(ll_image_channel_type(image));
    VkImageUsageFlags usage = ll_image_usage(image);
    const uint32_t dims[4] = {s.depth, s.height, s.width, s.channels};
    for (int i = 0; i < 4; i++)
        lua_pushinteger(L, dims[i]);
    lua_pushstring(L, type);
    lua_pushinteger(L, (lua_Integer)usage);
    lua_pushliteral(L, "Optimal");
    ll_lua_new_instance(L, IMAGE_DESCRIPTOR_T, 7);
}

/* Pushes a new ll.ImageViewDescriptor of what the view was made with. */
static void push_view_descriptor(lua_State *L, const ll_image_view *view)
{
    const ll_image_view_desc d = *ll_image_view_get_desc(view);
    lua_pushstring(L, ll_enum_name(&ll_enum_address_mode, (uint32_t)d.address_mode[0]));
    lua_pushstring(L, ll_enum_name(&ll_enum_filter_mode, (uint32_t)d.filter));
    lua_pushboolean(L, d.normalized_coordinates);
    lua_pushboolean(L, d.sampled);
    ll_lua_new_instance(L, VIEW_DESCRIPTOR_T, 4);
    lua_pushstring(L, ll_enum_name(&ll_enum_address_mode, (uint32_t)d.address_mode[1]));
    lua_setfield(L, -2, "addressModeV");
    lua_pushstring(L, ll_enum_name(&ll_enum_address_mode, (uint32_t)d.address_mode[2]));
    lua_setfield(L, -2, "addressModeW");
}

static int memory_create_image(lua_State *L)
{
    static const char *const names[] = {"channelType", "usageFlags", NULL};
    static const char *const lists[] = {"usageFlags", NULL};
    ll_lua_check_memory(L, 1);
    create_image c = {0};
    if (ll_lua_is_instance(L, 2, IMAGE_DESCRIPTOR_T)) {
        /* lluvia's form, createImage(imageDescriptor): further arguments are ignored, as
         * lluvia's binding ignores them (its scripts pass a layout and usage flags) */
        check_image_descriptor(L, 2, &c);
    } else {
        c.shape = check_shape(L, 2);
        ll_lua_params p;
        ll_lua_params_open(L, &p, 3, names, lists);
        c.type = check_channel_type(L, ll_lua_param(L, &p, 0));
        c.usage = check_usage(L, ll_lua_param(L, &p, 1));
    }
    lua_settop(L, 2);
    ll_lua_object *o = push_empty(L, LL_IMAGE_T, 1); /* at 3 */

    ll_error err;
    bool ok = make_image(L, o, &c, &err);

    return ok ? new_image_done(L, 3) : ll_lua_raise(L, 2, &err);
}

/* Whether the device makes an image of c, with optimal tiling, in the Memory at 1. */
static bool image_supported(lua_State *L, const create_image *c, ll_error *err)
{
    ll_session *session = ll_memory_session(ll_lua_check_memory(L, 1));
    VkExtent3D extent = {c->shape.width, c->shape.height, c->shape.depth};
    return ll_format_check_image(session, ll_format_of(c->type, c->shape.channels),
                                 ll_image_type_of(&c->shape), VK_IMAGE_TILING_OPTIMAL, c->usage,
                                 &extent, err);
}

/* A 64-bit array (what a Lua table of numbers becomes) that the device has no image format
 * for: the device's refusal, as any unsupported format is (LL_E_UNSUPPORTED: `lluvia:`),
 * followed by how to make the array the image wants. c->usage must be set. */
static void check_64bit_host_image(lua_State *L, const create_image *c)
{
    ll_error err;
    if (ll_dtype_size(c->type) != 8 || image_supported(L, c, &err))
        return;
    ll_lua_error(L, "%s; the array is %s: a Lua table of integers becomes int64 and one of "
                 "floats float64: make the array with ll.ndarray.fromTable(t, \"uint8\") (or "
                 "\"float32\"), or convert it with arr:astype(\"uint8\")", err.message,
                 ll_dtype_name(c->type));
}

/* The array-like at arg as an image's content: its shape by the shape rules and its dtype
 * as channel type (checked with the device when 64-bit: c->usage must be set). Pushes the
 * array (ll_lua_check_arraylike). */
static ll_ndarray *check_host_image(lua_State *L, int arg, create_image *c)
{
    ll_ndarray *a = ll_lua_check_arraylike(L, arg, -1);
    int ndim = ll_ndarray_ndim(a);
    char got[LL_DIMS_TEXT_MAX];
    if (ndim < 1 || ndim > 4)
        ll_lua_argerror(L, arg, "array must have 1 to 4 dimensions for an image, got shape %s",
                        ll_dims_text(got, sizeof got, ll_ndarray_shape(a), ndim));
    ll_error err;
    if (!ll_image_shape_from_dims(ll_ndarray_shape(a), (size_t)ndim, &c->shape, &err))
        ll_lua_raise(L, arg, &err);
    c->type = ll_ndarray_dtype(a);
    check_64bit_host_image(L, c);
    return a;
}

static void need_transfer_dst(lua_State *L, int arg, VkImageUsageFlags usage)
{
    if (!(usage & VK_IMAGE_USAGE_TRANSFER_DST_BIT))
        ll_lua_argerror(L, arg, "usageFlags must include TransferDst to copy the array in");
}

static int memory_create_image_from_host(lua_State *L)
{
    static const char *const names[] = {"usageFlags", NULL};
    static const char *const lists[] = {"usageFlags", NULL};
    ll_lua_check_memory(L, 1);
    create_image c = {0};
    ll_lua_params p;
    ll_lua_params_open(L, &p, 3, names, lists);
    int usage_arg = ll_lua_param(L, &p, 0);
    c.usage = check_usage(L, usage_arg);
    need_transfer_dst(L, usage_arg, c.usage);
    lua_settop(L, 2);
    uint64_t bytes = ll_ndarray_nbytes(check_host_image(L, 2, &c)); /* at 3 */
    ll_lua_object *o = push_empty(L, LL_IMAGE_T, 1); /* at 4 */

    ll_error err;
    bool ok = make_image(L, o, &c, &err);
    if (ok) {
        ok = ll_lua_transfer_with_retry(L, move_pixels, 4, 3, bytes, true, &err) ||
             discard_image(o);
    }

    return ok ? new_image_done(L, 4) : ll_lua_raise(L, 2, &err);
}


/* Reads filterMode, addressMode, normalizedCoordinates and sampled: optional parameters
 * first .. first + 3. args->arg[LL_VIEW_IMAGE] is left to the caller. */
static void check_view_args(lua_State *L, const ll_lua_params *p, int first,
                            VkSamplerAddressMode def_address, view_args *a)
{
    ll_image_view_desc *d = &a->desc;
    a->arg[LL_VIEW_FILTER] = ll_lua_param(L, p, first);
    d->filter = (VkFilter)ll_lua_check_enum(L, a->arg[LL_VIEW_FILTER], &ll_enum_filter_mode, 1,
                                            VK_FILTER_NEAREST);
    a->arg[LL_VIEW_ADDRESS_MODE] = ll_lua_param(L, p, first + 1);
    a->address_defaulted = lua_isnoneornil(L, a->arg[LL_VIEW_ADDRESS_MODE]);
    VkSamplerAddressMode mode = (VkSamplerAddressMode)ll_lua_check_enum(
        L, a->arg[LL_VIEW_ADDRESS_MODE], &ll_enum_address_mode, 1, def_address);
    d->address_mode[0] = d->address_mode[1] = d->address_mode[2] = mode;
    a->arg[LL_VIEW_NORMALIZED] = ll_lua_param(L, p, first + 2);
    d->normalized_coordinates = ll_lua_opt_boolean(L, a->arg[LL_VIEW_NORMALIZED],
                                                   a->arg[LL_VIEW_NORMALIZED],
                                                   "normalizedCoordinates", false);
    a->arg[LL_VIEW_SAMPLED] = ll_lua_param(L, p, first + 3);
    d->sampled = ll_lua_opt_boolean(L, a->arg[LL_VIEW_SAMPLED], a->arg[LL_VIEW_SAMPLED], "sampled",
                                     false);
}

/* Raises, naming the argument at fault, unless the view can be made of such an image. */
static void check_view(lua_State *L, const ll_session *session, VkFormat format,
                       VkImageType type, VkImageUsageFlags usage, const view_args *a)
{
    ll_image_view_field field;
    ll_error err;
    if (ll_image_view_check(session, format, type, usage, &a->desc, &field, &err))
        return;
    if (field == LL_VIEW_ADDRESS_MODE && a->address_defaulted)
        /* the address mode is the default: blame what the user gave, sampled = true */
        ll_lua_argerror(L, a->arg[LL_VIEW_SAMPLED],
                        "sampled = true with unnormalized coordinates needs addressMode "
                        "ClampToEdge or ClampToBorder, and addressMode was not given (its "
                        "default is %s): give addressMode = \"ClampToEdge\" or "
                        "normalizedCoordinates = true",
                        ll_enum_name(&ll_enum_address_mode,
                                     (uint32_t)a->desc.address_mode[0]));
    ll_lua_raise(L, a->arg[field], &err);
}

/* Phase 2: makes the view desc of the image whose userdata is at image_idx into the empty
 * ImageView userdata o. */
static bool make_view(lua_State *L, ll_lua_object *o, int image_idx,
                      const ll_image_view_desc *desc, ll_error *err)
{
    ll_image *image = ll_lua_resolve(L, image_idx, "Image", err);
    o->ptr = image != NULL ? ll_image_view_create(image, desc, err) : NULL;
    return o->ptr != NULL;
}

/* Raises, naming the argument at fault (image_arg for the image's format and size), unless
 * an image of c and a view of it as va says can be made in the Memory at 1: a create checks
 * everything before it makes the image (the Memory checked again, after conversions). */
static void check_image_and_view(lua_State *L, const create_image *c, const view_args *va,
                                 int image_arg)
{
    ll_error err;
    if (!image_supported(L, c, &err))
        ll_lua_raise(L, image_arg, &err);
    check_view(L, ll_memory_session(ll_lua_check_memory(L, 1)), ll_format_of(c->type, c->shape.channels),
               ll_image_type_of(&c->shape), c->usage, va);
}

/* memory:createImageView(imageDescriptor, viewDescriptor): lluvia's; a new image in layout
 * General and a view of it. Further arguments are ignored, as in lluvia. */
static int memory_create_image_view(lua_State *L)
{
    ll_lua_check_memory(L, 1);
    if (!ll_lua_is_instance(L, 2, IMAGE_DESCRIPTOR_T))
        return ll_lua_argerror(L, 2, "ll.ImageDescriptor expected, got %s",
                               ll_lua_describe(L, 2));
    if (!ll_lua_is_instance(L, 3, VIEW_DESCRIPTOR_T))
        return ll_lua_argerror(L, 3, "ll.ImageViewDescriptor expected, got %s",
                               ll_lua_describe(L, 3));
    create_image c = {0};
    check_image_descriptor(L, 2, &c);
    view_args va;
    va.arg[LL_VIEW_IMAGE] = 2;
    check_view_descriptor(L, 3, &va);
    check_image_and_view(L, &c, &va, 2);
    lua_settop(L, 1);
    ll_lua_object *o = push_empty(L, LL_IMAGE_T, 1);          /* at 2 */
    ll_lua_object *view = push_empty(L, LL_IMAGE_VIEW_T, 2); /* at 3 */

    ll_error err;
    bool ok = make_image(L, o, &c, &err);
    if (ok)
        ok = make_view(L, view, 2, &va.desc, &err) || discard_image(o);

    return ok ? new_image_done(L, 2) : ll_lua_raise(L, 2, &err);
}

static int memory_create_image_view_from_host(lua_State *L)
{
    static const char *const names[] = {"usageFlags", "filterMode", "addressMode",
                                        "normalizedCoordinates", "sampled", NULL};
    static const char *const lists[] = {"usageFlags", NULL};
    ll_lua_check_memory(L, 1);
    create_image c = {0};
    ll_lua_params p;
    ll_lua_params_open(L, &p, 3, names, lists);
    view_args va;
    va.arg[LL_VIEW_IMAGE] = ll_lua_param(L, &p, 0);
    c.usage = check_usage(L, va.arg[LL_VIEW_IMAGE]);
    need_transfer_dst(L, va.arg[LL_VIEW_IMAGE], c.usage);
    check_view_args(L, &p, 1, VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE, &va);
    lua_settop(L, 2);
    uint64_t bytes = ll_ndarray_nbytes(check_host_image(L, 2, &c)); /* at 3 */
    check_image_and_view(L, &c, &va, 2);
    ll_error err;
    ll_lua_object *o = push_empty(L, LL_IMAGE_T, 1);          /* at 4 */
    ll_lua_object *view = push_empty(L, LL_IMAGE_VIEW_T, 4); /* at 5 */

    bool ok = make_image(L, o, &c, &err);
    if (ok) {
        ok = (ll_lua_transfer_with_retry(L, move_pixels, 4, 3, bytes, true, &err) &&
              make_view(L, view, 4, &va.desc, &err)) ||
             discard_image(o);
    }

    return ok ? new_image_done(L, 4) : ll_lua_raise(L, 2, &err);
}

static int session_is_image_format_supported(lua_State *L)
{
    ll_session *s = ll_lua_check_session(L, 1);
    ll_image_shape shape = check_shape(L, 2);
    ll_dtype type = check_channel_type(L, 3);
    VkImageUsageFlags usage = ll_lua_check_flags(L, 4, &ll_enum_image_usage, DEFAULT_USAGE);
    VkExtent3D extent = {shape.width, shape.height, shape.depth};
    ll_error err;
    if (!ll_image_check_usage(NULL, usage, NULL, &err)) { /* no device takes it */
        lua_pushboolean(L, 0);
        lua_pushstring(L, err.message);
        return 2;
    }
    if (ll_format_check_image(s, ll_format_of(type, shape.channels), ll_image_type_of(&shape),
                              VK_IMAGE_TILING_OPTIMAL, usage, &extent, &err)) {
        lua_pushboolean(L, 1);
        return 1;
    }
    if (err.code != LL_E_UNSUPPORTED)
        return ll_lua_raise(L, 4, &err);
    lua_pushboolean(L, 0);
    ll_lua_push_error(L, &err);
    return 2;
}

/* ---- Image and ImageView methods (both act on the image) --------------------------- */

static int image_to_host(lua_State *L)
{
    ll_image *image = check_any_image(L, 1);
    if (lua_isnoneornil(L, 2)) {
        uint64_t host[4];
        int64_t dims[4];
        size_t n = ll_image_host_dims(ll_image_get_shape(image), host);
        for (size_t i = 0; i < n; i++)
            dims[i] = (int64_t)host[i];
        lua_settop(L, 1);
        ll_lua_push_ndarray(L, (int)n, dims, ll_image_channel_type(image));
    } else {
        check_array_fits(L, 2, image, ll_lua_check_ndarray(L, 2));
        lua_settop(L, 2);
    }

    ll_error err;
    uint64_t bytes = ll_ndarray_nbytes(ll_lua_to_ndarray(L, 2));
    bool ok = ll_lua_transfer_with_retry(L, move_pixels, 1, 2, bytes, false, &err);

    return ok ? 1 : ll_lua_raise(L, 1, &err);
}

static int image_from_host(lua_State *L)
{
    ll_image *image = check_any_image(L, 1);
    lua_settop(L, 2);
    ll_ndarray *a = ll_lua_check_arraylike(L, 2, (int)ll_image_channel_type(image)); /* at 3 */
    check_array_fits(L, 2, check_any_image(L, 1), a);

    ll_error err;
    bool ok = ll_lua_transfer_with_retry(L, move_pixels, 1, 3, ll_ndarray_nbytes(a), true, &err);

    return ok ? 0 : ll_lua_raise(L, 1, &err);
}

static int image_clear(lua_State *L)
{
    check_any_image(L, 1);

    ll_error err;
    ll_image *image = resolve_any_image(L, 1, &err);
    bool ok = image != NULL && ll_image_clear(image, &err);

    return ok ? 0 : ll_lua_raise(L, 1, &err);
}

static int image_copy_to(lua_State *L)
{
    check_any_image(L, 1);
    check_any_image(L, 2);

    ll_error err;
    ll_image *src = resolve_any_image(L, 1, &err);
    ll_image *dst = src != NULL ? resolve_any_image(L, 2, &err) : NULL;
    bool ok = dst != NULL && ll_image_copy(src, dst, &err);

    return ok ? 0 : ll_lua_raise(L, err.operand == 2 ? 2 : 1, &err);
}

static int image_change_layout(lua_State *L)
{
    check_any_image(L, 1);
    VkImageLayout layout = (VkImageLayout)ll_lua_check_enum(L, 2, &ll_enum_image_layout, 0, 0);

    ll_error err;
    ll_image *image = resolve_any_image(L, 1, &err);
    bool ok = image != NULL && ll_image_change_layout(image, layout, &err);

    return ok ? 0 : ll_lua_raise(L, 2, &err);
}

static int image_create_view(lua_State *L)
{
    static const char *const names[] = {"filterMode", "addressMode", "normalizedCoordinates",
                                        "sampled", NULL};
    ll_lua_check_image(L, 1);
    view_args va;
    va.arg[LL_VIEW_IMAGE] = 1;
    if (ll_lua_is_instance(L, 2, VIEW_DESCRIPTOR_T)) {
        /* lluvia's form, createImageView(viewDescriptor): further arguments are ignored */
        check_view_descriptor(L, 2, &va);
    } else {
        ll_lua_params p;
        ll_lua_params_open(L, &p, 2, names, NULL);
        check_view_args(L, &p, 0, VK_SAMPLER_ADDRESS_MODE_REPEAT, &va);
    }
    ll_image *image = ll_lua_check_image(L, 1); /* checked after the options were read */
    check_view(L, ll_image_session(image), ll_image_format(image), ll_image_type(image),
               ll_image_usage(image), &va);
    lua_settop(L, 1);
    ll_lua_object *view = push_empty(L, LL_IMAGE_VIEW_T, 1);

    ll_error err;
    bool ok = make_view(L, view, 1, &va.desc, &err);

    return ok ? 1 : ll_lua_raise(L, 1, &err);
}

/* ---- fields -------------------------------------------------------------------------- */

/* The fields of images, and of views (which also answer every image field). */
#define IMAGE_FIELD_NAMES                                                                   \
    "width", "height", "depth", "channels", "channelCount", "tiling", "descriptor", "shape",   \
        "channelType", "dtype", "format", "layout", "usageFlags", "size", "minimumSize",      \
        "allocationInfo", "memory"
static const char *const IMAGE_FIELDS[] = {IMAGE_FIELD_NAMES, NULL};
static const char *const VIEW_FIELDS[] = {
    IMAGE_FIELD_NAMES, "image", "filterMode", "addressMode", "addressModeU", "addressModeV",
    "addressModeW", "imageDescriptor", "normalizedCoordinates", "isSampled", "sampled", NULL,
};

/* Pushes the image field `key` of the image whose userdata is at image_idx; 0 when there
 * is no such field. */
static int push_image_field(lua_State *L, ll_image *image, int image_idx, const char *key)
{
    const ll_image_shape *s = ll_image_get_shape(image);
    if (strcmp(key, "width") == 0)
        lua_pushinteger(L, s->width);
    else if (strcmp(key, "height") == 0)
        lua_pushinteger(L, s->height);
    else if (strcmp(key, "depth") == 0)
        lua_pushinteger(L, s->depth);
    else if (strcmp(key, "channels") == 0 || strcmp(key, "channelCount") == 0)
        lua_pushinteger(L, s->channels);
    else if (strcmp(key, "tiling") == 0)
        lua_pushliteral(L, "Optimal");
    else if (strcmp(key, "descriptor") == 0)
        push_image_descriptor(L, image);
    else if (strcmp(key, "shape") == 0) {
        /* phase 2: read before the table is made, which runs Lua */
        const uint32_t dims[4] = {s->depth, s->height, s->width, s->channels};
        lua_createtable(L, 4, 0);
        for (int i = 0; i < 4; i++) {
            lua_pushinteger(L, dims[i]);
            lua_rawseti(L, -2, i + 1);
        }
    } else if (strcmp(key, "channelType") == 0)
        lua_pushstring(L, ll_dtype_channel_name(ll_image_channel_type(image)));
    else if (strcmp(key, "dtype") == 0)
        lua_pushstring(L, ll_dtype_name(ll_image_channel_type(image)));
    else if (strcmp(key, "format") == 0)
        lua_pushstring(L, ll_format_name(ll_image_format(image)));
    else if (strcmp(key, "layout") == 0)
        lua_pushstring(L, ll_enum_name(&ll_enum_image_layout,
                                           (uint32_t)ll_image_layout(image)));
    else if (strcmp(key, "usageFlags") == 0)
        ll_lua_push_flags(L, &ll_enum_image_usage, ll_image_usage(image));
    else if (strcmp(key, "size") == 0)
        lua_pushinteger(L, (lua_Integer)ll_image_allocation(image)->size);
    else if (strcmp(key, "minimumSize") == 0)
        lua_pushinteger(L, (lua_Integer)ll_image_minimum_size(image));
    else if (strcmp(key, "allocationInfo") == 0)
        ll_lua_push_allocation(L, ll_image_allocation(image));
    else if (strcmp(key, "memory") == 0)
        lua_getiuservalue(L, image_idx, 1);
    else
        return 0;
    return 1;
}

static int image_get(lua_State *L)
{
    ll_image *image = ll_lua_check_image(L, 1);
    const char *key = lua_tostring(L, 2);
    return key != NULL ? push_image_field(L, image, 1, key) : 0;
}

static int view_get(lua_State *L)
{
    ll_image_view *view = ll_lua_check_image_view(L, 1);
    const char *key = lua_tostring(L, 2);
    if (key == NULL)
        return 0;
    const ll_image_view_desc *d = ll_image_view_get_desc(view);
    if (strcmp(key, "image") == 0)
        lua_getiuservalue(L, 1, 1);
    else if (strcmp(key, "filterMode") == 0)
        lua_pushstring(L, ll_enum_name(&ll_enum_filter_mode, (uint32_t)d->filter));
    else if (strcmp(key, "addressMode") == 0 || strcmp(key, "addressModeU") == 0)
        lua_pushstring(L, ll_enum_name(&ll_enum_address_mode, (uint32_t)d->address_mode[0]));
    else if (strcmp(key, "addressModeV") == 0)
        lua_pushstring(L, ll_enum_name(&ll_enum_address_mode, (uint32_t)d->address_mode[1]));
    else if (strcmp(key, "addressModeW") == 0)
        lua_pushstring(L, ll_enum_name(&ll_enum_address_mode, (uint32_t)d->address_mode[2]));
    else if (strcmp(key, "descriptor") == 0)
        push_view_descriptor(L, view);
    else if (strcmp(key, "imageDescriptor") == 0)
        push_image_descriptor(L, ll_image_view_image(view));
    else if (strcmp(key, "normalizedCoordinates") == 0)
        lua_pushboolean(L, d->normalized_coordinates);
    else if (strcmp(key, "isSampled") == 0 || strcmp(key, "sampled") == 0)
        lua_pushboolean(L, d->sampled);
    else if (strcmp(key, "memory") == 0) {
        /* The image's memory, through the Image userdata (released or not). */
        lua_getiuservalue(L, 1, 1);
        lua_getiuservalue(L, -1, 1);
    } else
        return push_image_field(L, ll_image_view_image(view), 0, key);
    return 1;
}

/* ---- lifetime and printing ------------------------------------------------------------ */

static void image_release(ll_lua_object *o)
{
    ll_image_release(o->ptr);
}

static void view_release(ll_lua_object *o)
{
    ll_image_view_release(o->ptr);
}

/* "{1, 4, 4, 1} Uint8 2D, General, 64 bytes" */
static size_t image_text(const ll_image *image, char *buf, size_t size)
{
    char shape[LL_DIMS_TEXT_MAX];
    VkImageType type = ll_image_type(image);
    int n = snprintf(buf, size, "%s %s %s, %s, %llu bytes",
                     image_shape_text(shape, sizeof shape, ll_image_get_shape(image)),
                     ll_dtype_channel_name(ll_image_channel_type(image)),
                     type == VK_IMAGE_TYPE_1D   ? "1D"
                     : type == VK_IMAGE_TYPE_2D ? "2D"
                                                : "3D",
                     ll_enum_name(&ll_enum_image_layout, (uint32_t)ll_image_layout(image)),
                     (unsigned long long)ll_image_allocation(image)->size);
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static uint64_t image_device_bytes(const void *ptr)
{
    return ll_image_allocation(ptr)->size;
}

static void image_describe(const void *ptr, char *buf, size_t size)
{
    image_text(ptr, buf, size);
}

static void view_describe(const void *ptr, char *buf, size_t size)
{
    const ll_image_view_desc *d = ll_image_view_get_desc(ptr);
    size_t n = image_text(ll_image_view_image(ptr), buf, size);
    const char *u = ll_enum_name(&ll_enum_address_mode, (uint32_t)d->address_mode[0]);
    const char *v = ll_enum_name(&ll_enum_address_mode, (uint32_t)d->address_mode[1]);
    const char *w = ll_enum_name(&ll_enum_address_mode, (uint32_t)d->address_mode[2]);
    char modes[96];
    if (u == v && v == w)
        snprintf(modes, sizeof modes, "%s", u);
    else
        snprintf(modes, sizeof modes, "%s/%s/%s", u, v, w);
    if (d->sampled)
        snprintf(buf + n, size - n, "; sampled, %s, %s, %s coordinates",
                 ll_enum_name(&ll_enum_filter_mode, (uint32_t)d->filter), modes,
                 d->normalized_coordinates ? "normalized" : "unnormalized");
    else
        snprintf(buf + n, size - n, "; not sampled");
}

/* ---- registration --------------------------------------------------------------------- */

int ll_lua_open_image(lua_State *L)
{
    static const luaL_Reg image_methods[] = {
        {"toHost", image_to_host},
        {"fromHost", image_from_host},
        {"clear", image_clear},
        {"copyTo", image_copy_to},
        {"changeLayout", image_change_layout},
        {"changeImageLayout", image_change_layout},
        {"createImageView", image_create_view},
        {NULL, NULL},
    };
    static const ll_lua_class image_class = {
        LL_IMAGE_T, image_methods, image_get, image_release, image_describe, IMAGE_FIELDS,
        image_device_bytes,
    };
    ll_lua_new_class(L, &image_class);
    static const luaL_Reg view_methods[] = {
        {"toHost", image_to_host},
        {"fromHost", image_from_host},
        {"clear", image_clear},
        {"copyTo", image_copy_to},
        {"changeLayout", image_change_layout},
        {"changeImageLayout", image_change_layout},
        {NULL, NULL},
    };
    static const ll_lua_class view_class = {
        LL_IMAGE_VIEW_T, view_methods, view_get, view_release, view_describe, VIEW_FIELDS, NULL,
    };
    ll_lua_new_class(L, &view_class);
    static const luaL_Reg memory_methods[] = {
        {"createImage", memory_create_image},
        {"createImageFromHost", memory_create_image_from_host},
        {"createImageViewFromHost", memory_create_image_view_from_host},
        {"createImageView", memory_create_image_view},
        {NULL, NULL},
    };
    ll_lua_add_methods(L, LL_MEMORY_T, memory_methods);
    static const luaL_Reg session_methods[] = {
        {"isImageFormatSupported", session_is_image_format_supported},
        {NULL, NULL},
    };
    ll_lua_add_methods(L, LL_SESSION_T, session_methods);
    return 0;
}
