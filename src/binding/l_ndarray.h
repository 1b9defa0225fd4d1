/* l_ndarray.h: ll.ndarray, the typed host array, as seen by the other binding files: take an
 * array (or anything array-like) from the stack, read its bytes, shape and dtype, and push
 * new arrays, including arrays over storage that something else owns (a mapped buffer).
 * Not for: the Lua-facing behaviour, which docs/ndarray.md describes. */
#ifndef LL_L_NDARRAY_H
#define LL_L_NDARRAY_H

#include <stdbool.h>
#include <stdint.h>

#include <lua.h>

#include "lluvia/dtype.h"
#include "lluvia/error.h"
#include "lluvia/host_memory.h"

#define LL_NDARRAY_T "lluvia.ndarray"      /* registry name of the metatable */
#define LL_NDARRAY_MAX_DIMS 16

typedef struct ll_ndarray ll_ndarray;

/* The bytes behind an array are an ll_host_memory (host_memory.h), shared by the array and
 * its views (reshape, view) and counted by reference. Storage ends once: when the array
 * that created it is released, closed or collected (ll_host_memory_end), or when its
 * memory's owner revokes it (ll_host_memory_revoke); from then on every access to the
 * array and its views raises `lluvia: ndarray has been released`. */

/* Sets ll.ndarray in the module table at the top of the stack. */
int ll_lua_open_ndarray(lua_State *L);

/* ---- taking arrays from the stack ---------------------------------------------------- */

/* The array at idx, released or not; NULL if the value is not an ndarray. */
ll_ndarray *ll_lua_to_ndarray(lua_State *L, int idx);

/* The array at idx; `bad argument #idx (ndarray expected, got ...)` if it is not one,
 * `lluvia: ndarray has been released` if it has been released. */
ll_ndarray *ll_lua_check_ndarray(lua_State *L, int idx);

/* The data of the ndarray at idx, for a caller that must not raise (it holds a new object
 * to undo): NULL with LL_E_STATE "ndarray has been released" in err once a finalizer
 * released it. idx must hold an ndarray (one ll_lua_check_arraylike pushed, say). */
void *ll_lua_live_ndarray_data(lua_State *L, int idx, ll_error *err);

/* The storage of the ndarray at idx (ended or not: ll_host_memory_alive says), whose first
 * byte is the array's, for the core's transfers that may import it (ll_buffer_write_from).
 * idx must hold an ndarray. */
ll_host_memory *ll_lua_ndarray_storage(lua_State *L, int idx);

/* Anything array-like at idx, as a live array: an ndarray as is; a Lua table converted as
 * ll.ndarray.fromTable(t, dtype) with dtype `table_dtype`, or inferred as fromTable does when
 * table_dtype is -1; a string as a 1-D uint8 copy of its bytes. Always pushes exactly one
 * value, the array (the same userdata when idx held one), which keeps a converted array
 * alive while the caller uses it. Argument errors name idx. */
ll_ndarray *ll_lua_check_arraylike(lua_State *L, int idx, int table_dtype);

/* ---- making arrays ------------------------------------------------------------------- */

/* Pushes a new zero-filled array of `ndim` (1..LL_NDARRAY_MAX_DIMS) positive dimensions.
 * Raises `lluvia: ...` for an invalid shape, a byte size overflowing 64 bits or an
 * allocation failure. */
ll_ndarray *ll_lua_push_ndarray(lua_State *L, int ndim, const int64_t *shape, ll_dtype dtype);

/* Foreign storage, in two steps, so that nothing can run Lua code between the moment the
 * owner's memory is looked up and the moment the array holds it:
 *
 * ll_lua_push_ndarray_unbound pushes an array of that shape that reads as released until
 * bound; the value at stack index `parent` (0: none) is kept alive as long as the array or
 * any of its views is. Raises like ll_lua_push_ndarray (pushing may run finalizers: look the
 * owner's memory up only after it).
 *
 * ll_ndarray_bind_foreign gives such an array `data`, which something else owns
 * (product(shape) * size bytes). `hook(ud)` (may be NULL) is called when the array side ends
 * the storage. When `storage` is not NULL, *storage receives a reference the caller must
 * release (ll_host_memory_release), which lets it revoke the storage later. Never raises
 * or runs Lua code; false (nothing retained or called) when out of memory, or when the array
 * was bound before or has been released. */
ll_ndarray *ll_lua_push_ndarray_unbound(lua_State *L, int ndim, const int64_t *shape,
                                        ll_dtype dtype, int parent);
bool ll_ndarray_bind_foreign(ll_ndarray *a, void *data, ll_host_memory_hook hook, void *ud,
                             ll_host_memory **storage);

/* ---- reading an array ----------------------------------------------------------------- */

/* Checks the array's invariants (dimensions, element count and byte size against its
 * dtype and storage), then its storage's (ll_host_memory_validate); a released array is
 * valid. True if all hold; else false with LL_E_STATE and a description in err. For
 * ll._debug.validate. */
bool ll_ndarray_validate(const ll_ndarray *a, ll_error *err);

/* A data pointer stays valid until the next call that may run Lua code or the collector
 * (any allocation can run finalizers, and a finalizer may release the array): read it
 * again after such calls. */

void *ll_ndarray_data(const ll_ndarray *a);        /* NULL once released */
uint64_t ll_ndarray_nbytes(const ll_ndarray *a);   /* count * element size */
int64_t ll_ndarray_count(const ll_ndarray *a);     /* elements */
int ll_ndarray_ndim(const ll_ndarray *a);
const int64_t *ll_ndarray_shape(const ll_ndarray *a); /* ndim entries, row-major */
ll_dtype ll_ndarray_dtype(const ll_ndarray *a);
bool ll_ndarray_alive(const ll_ndarray *a);

/* The array's storage with a new reference (NULL once released). */
ll_host_memory *ll_ndarray_storage_of(ll_ndarray *a);

#endif
