/* args.h: the binding's argument kit: every check that turns a Lua argument into a C value
 * (integers, booleans, dtypes, shapes) and the reader of trailing options tables, each with
 * one policy and one wording for every call. Not for: objects (binding.h) or enumerations
 * and flags (binding.h, l_enums.c).
 *
 * Each check reads the value at stack index `idx` and, when it is wrong, raises
 * `bad argument #arg to 'fn' (<what> must be ..., got <value>)`: `arg` is the argument the
 * value came from (an options table, a shape table, or the value itself). */
#ifndef LL_ARGS_H
#define LL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "lluvia/dtype.h"

/* ---- integers and booleans -------------------------------------------------------- */

/* The one integer policy (sizes, shapes, indices, pages, ids, budgets): a Lua integer, or
 * a float with an integral value (2.0). Strings, numeric or not, are refused, as are
 * booleans and everything else. False when the value is not such a number. */
bool ll_lua_tointeger(lua_State *L, int idx, lua_Integer *out);

/* The integer at idx, at least `min`; otherwise an argument error of arg:
 * "<what> must be a positive integer, got ..." (min 1) or "<what> must be an integer >= min,
 * got ...". */
lua_Integer ll_lua_check_integer(lua_State *L, int idx, int arg, const char *what,
                                 lua_Integer min);

/* The integer at idx, from min to max; otherwise "<what> must be an integer from min to max,
 * got ...". */
lua_Integer ll_lua_check_integer_in(lua_State *L, int idx, int arg, const char *what,
                                    lua_Integer min, lua_Integer max);

/* As ll_lua_check_integer; nil or none gives def. */
lua_Integer ll_lua_opt_integer(lua_State *L, int idx, int arg, const char *what,
                               lua_Integer min, lua_Integer def);

/* A boolean; nil or none gives def; anything else (1, "yes") is an argument error:
 * "<what> must be a boolean, got ...". */
bool ll_lua_opt_boolean(lua_State *L, int idx, int arg, const char *what, bool def);

/* ---- dtypes and channel types ----------------------------------------------------- */

/* A dtype or ChannelType name, either spelling, any case ("float32", "Float32"); nil or
 * none gives def. Anything else: "unknown <what> <value> (expected one of: uint8, ...,
 * float64, or their ChannelType names)". `what` is the parameter: "dtype", "channelType". */
ll_dtype ll_lua_opt_dtype(lua_State *L, int idx, int arg, const char *what, ll_dtype def);

/* ---- shapes --------------------------------------------------------------------------- */

/* Room for the text of any shape or index list of up to 16 entries. */
#define LL_DIMS_TEXT_MAX (16 * 22 + 8)

/* "{2, 3}" for n dimensions (n > 16 shows the first 16 and "..."); returns buf. */
const char *ll_dims_text(char *buf, size_t size, const int64_t *dims, int n);

/* The entries of the shape table at arg, each checked as an integer: "shape[k] must be a
 * positive integer, got ..." (with `allow_infer`, one entry may be -1: "(or one -1)").
 * The table must have 1 to max_dims entries: "shape must have 1 to max_dims entries, got n".
 * Returns the number of entries. A table is required: "shape must be a table of 1 to
 * max_dims positive integers, got ...". */
int ll_lua_check_dims(lua_State *L, int arg, int64_t *dims, int max_dims, bool allow_infer);

/* ---- trailing options tables ---------------------------------------------------------- */

/* Optional parameters given positionally or in a trailing options table, as in
 * `mem:createImageViewFromHost(arr, {sampled = true})`. The one rule: the last argument,
 * at or after `first`, is an options table when it is a table with keys that are not list
 * entries; a table with both list entries and keys (`{"HostVisible", pageSize = 4096}`) is
 * an argument error naming the keys, never read as either; an empty table is an options
 * table unless the parameter at its position takes a list (`list_params`). Each option key
 * must be one of `names`; an option may not repeat a positional argument; more positional
 * arguments than `names` is an error (counted for a method: self is not an argument).
 * Trailing nils are ignored. */
typedef struct ll_lua_params {
    int first;                 /* stack index of the first optional parameter */
    int table;                 /* stack index of the options table, 0 when none */
    int copy;                  /* where a copy of the table is kept while reading it */
    const char *const *names;  /* the optional parameters' names, NULL-ended */
} ll_lua_params;

/* Opens the optional parameters first.. named `names`; `list_params` (NULL-ended, may be
 * NULL) are the names of those that take a list (flags). */
void ll_lua_params_open(lua_State *L, ll_lua_params *p, int first, const char *const names[],
                        const char *const list_params[]);

/* Makes the value of optional parameter i available at a stack index and returns it; that
 * index is also the argument that errors about the value name. */
int ll_lua_param(lua_State *L, const ll_lua_params *p, int i);

/* Checks that every key of the options table at arg is one of `allowed` (NULL-ended);
 * an unknown key is an argument error that names it and lists the allowed ones. */
void ll_lua_check_options(lua_State *L, int arg, const char *const allowed[]);

/* Raises an argument error of arg if the table at idx, taken as a list, has keys that
 * are not its entries 1..n (`{"HostVisible", pageSize = 4096}`, holes): they would be
 * silently dropped. Returns n. */
lua_Integer ll_lua_check_list(lua_State *L, int idx, int arg, const char *what);

#endif
