/* l_ndarray_ops.h: the methods and metamethods of ll.ndarray that l_ndarray_ops.c defines
 * (astype, min, max, sum, mean, equals, allclose, __eq), which ll_lua_open_ndarray adds to
 * the type. Not for: anything else of the type (l_ndarray.h). */
#ifndef LL_L_NDARRAY_OPS_H
#define LL_L_NDARRAY_OPS_H

#include <lauxlib.h>

extern const luaL_Reg ll_ndarray_ops_methods[];
extern const luaL_Reg ll_ndarray_ops_metamethods[];

#endif
