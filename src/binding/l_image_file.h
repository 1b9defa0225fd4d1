/* l_image_file.h: ll.readImage and ll.writeImage, PNG and JPEG files as ll.ndarray. */
#ifndef LL_L_IMAGE_FILE_H
#define LL_L_IMAGE_FILE_H

#include <lua.h>

/* Sets ll.readImage and ll.writeImage in the module table on top of the stack. */
int ll_lua_open_image_file(lua_State *L);

#endif
