/* l_image.h: the Image and ImageView userdata, for the files that take them (createBufferLike,
 * compute node ports). Not for: the Lua-facing behaviour, which docs/image.md describes. */
#ifndef LL_L_IMAGE_H
#define LL_L_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include <lua.h>

#include "lluvia/image.h"
#include "lluvia/image_view.h"

#define LL_IMAGE_T "lluvia.Image"
#define LL_IMAGE_VIEW_T "lluvia.ImageView"

/* Registers the Image and ImageView classes and adds createImage, createImageFromHost and
 * createImageViewFromHost to Memory and isImageFormatSupported to Session. Must run after
 * ll_lua_open_memory. The module table is on top of the stack and stays there. */
int ll_lua_open_image(lua_State *L);

/* The live Image at idx (a `bad argument` error if it is not one; `lluvia: Image has been
 * released` if released). */
ll_image *ll_lua_check_image(lua_State *L, int idx);

/* The live ImageView at idx, likewise. */
ll_image_view *ll_lua_check_image_view(lua_State *L, int idx);

/* The image of the Image or ImageView at idx (raises if released); NULL, raising nothing,
 * for any other value. */
ll_image *ll_lua_to_any_image(lua_State *L, int idx);

/* True, with the image's `size` (its allocation bytes, what img.size reads, as lluvia's
 * createBufferLike uses) in *bytes, if idx holds an Image or an ImageView; false for any
 * other value. Raises if the image or view has been released. */
bool ll_lua_image_size(lua_State *L, int idx, uint64_t *bytes);

#endif
