/* l_ndarray_ops.c: ll.ndarray's whole-array maths: astype, min, max, sum, mean, equals,
 * allclose and __eq, over the core's ndarray_ops.h, through l_ndarray.h's accessors. Not
 * for: element access, views or printing (l_ndarray.c). */
#include "l_ndarray_ops.h"

#include <math.h>
#include <string.h>

#include <lauxlib.h>

#include "binding.h"
#include "l_ndarray.h"
#include "lluvia/ndarray_ops.h"

/* Phase 2's look at an array checked in phase 1 (its userdata still on the stack): its
 * data, or a raised `lluvia: ndarray has been released` when a finalizer released it
 * since. Runs no Lua before it raises. */
static const void *data_of(lua_State *L, const ll_ndarray *a)
{
    const void *data = ll_ndarray_data(a);
    if (data == NULL)
        ll_lua_error(L, "ndarray has been released");
    return data;
}

static void push_scalar(lua_State *L, ll_scalar s)
{
    if (s.is_int)
        lua_pushinteger(L, s.i);
    else
        lua_pushnumber(L, s.d);
}

/* ---- astype ----------------------------------------------------------------------------- */

static ll_round check_round(lua_State *L, int idx)
{
    static const char *const names[] = {"trunc", "nearest", "floor", "ceil", NULL};
    if (lua_isnoneornil(L, idx))
        return LL_ROUND_TRUNC;
    if (lua_type(L, idx) == LUA_TSTRING) {
        const char *s = lua_tostring(L, idx);
        for (int k = 0; names[k] != NULL; k++)
            if (strcmp(s, names[k]) == 0)
                return (ll_round)k;
    }
    return ll_lua_argerror(L, idx, "round must be \"trunc\", \"nearest\", \"floor\" or \"ceil\", "
                           "got %s", ll_lua_describe(L, idx));
}

static double check_scale(lua_State *L, int idx)
{
    if (lua_isnoneornil(L, idx))
        return 1.0;
    double s = lua_type(L, idx) == LUA_TNUMBER ? lua_tonumber(L, idx) : NAN;
    if (!isfinite(s))
        ll_lua_argerror(L, idx, "scale must be a finite number, got %s", ll_lua_describe(L, idx));
    return s;
}

/* arr:astype(dtype, {round = "trunc", saturate = true, scale = 1}) */
static int nd_astype(lua_State *L)
{
    static const char *const names[] = {"round", "saturate", "scale", NULL};
    ll_ndarray *a = ll_lua_check_ndarray(L, 1);
    if (lua_isnoneornil(L, 2))
        return ll_lua_argerror(L, 2, "dtype expected, got %s", ll_lua_describe(L, 2));
    ll_dtype t = ll_lua_opt_dtype(L, 2, 2, "dtype", LL_FLOAT32);
    ll_lua_params p;
    ll_lua_params_open(L, &p, 3, names, NULL);
    ll_convert how;
    how.round = check_round(L, ll_lua_param(L, &p, 0));
    int sat = ll_lua_param(L, &p, 1);
    how.saturate = ll_lua_opt_boolean(L, sat, sat, "saturate", true);
    how.scale = check_scale(L, ll_lua_param(L, &p, 2));
    lua_settop(L, 1);
    a = ll_lua_check_ndarray(L, 1);
    int ndim = ll_ndarray_ndim(a);
    int64_t shape[LL_NDARRAY_MAX_DIMS];
    memcpy(shape, ll_ndarray_shape(a), (size_t)ndim * sizeof shape[0]);
    ll_ndarray *out = ll_lua_push_ndarray(L, ndim, shape, t); /* at 2 */

    const void *src = data_of(L, a);
    ll_error err;
    bool ok = ll_elements_convert(ll_ndarray_data(out), t, src, ll_ndarray_dtype(a),
                                  (uint64_t)ll_ndarray_count(a), &how, &err);

    return ok ? 1 : ll_lua_error(L, "astype: %s", err.message);
}

/* ---- reductions ------------------------------------------------------------------------- */

enum reduction { REDUCE_MIN, REDUCE_MAX, REDUCE_SUM, REDUCE_MEAN };

static int reduce(lua_State *L, enum reduction which)
{
    ll_ndarray *a = ll_lua_check_ndarray(L, 1);
    const void *data = data_of(L, a);
    ll_dtype t = ll_ndarray_dtype(a);
    uint64_t n = (uint64_t)ll_ndarray_count(a);
    ll_scalar s = {0};
    ll_error err;
    switch (which) {
    case REDUCE_MIN:
        s = ll_elements_min(data, t, n);
        break;
    case REDUCE_MAX:
        s = ll_elements_max(data, t, n);
        break;
    case REDUCE_SUM:
        if (!ll_elements_sum(data, t, n, &s, &err))
            return ll_lua_error(L, "%s", err.message);
        break;
    case REDUCE_MEAN:
        s.d = ll_elements_mean(data, t, n);
        break;
    }
    push_scalar(L, s);
    return 1;
}

static int nd_min(lua_State *L) { return reduce(L, REDUCE_MIN); }
static int nd_max(lua_State *L) { return reduce(L, REDUCE_MAX); }
static int nd_sum(lua_State *L) { return reduce(L, REDUCE_SUM); }
static int nd_mean(lua_State *L) { return reduce(L, REDUCE_MEAN); }

/* ---- comparisons ------------------------------------------------------------------------ */

static bool same_shape(const ll_ndarray *a, const ll_ndarray *b)
{
    int n = ll_ndarray_ndim(a);
    return n == ll_ndarray_ndim(b) &&
           memcmp(ll_ndarray_shape(a), ll_ndarray_shape(b), (size_t)n * sizeof(int64_t)) == 0;
}

/* a at 1 and b at 2, both checked live ndarrays. */
static bool arrays_equal(lua_State *L)
{
    ll_ndarray *a = ll_lua_check_ndarray(L, 1);
    ll_ndarray *b = ll_lua_check_ndarray(L, 2);
    if (!same_shape(a, b) || ll_ndarray_dtype(a) != ll_ndarray_dtype(b))
        return false;
    return ll_elements_equal(data_of(L, a), data_of(L, b), ll_ndarray_dtype(a),
                             (uint64_t)ll_ndarray_count(a));
}

/* arr:equals(other): same shape, dtype and values. */
static int nd_equals(lua_State *L)
{
    lua_pushboolean(L, arrays_equal(L));
    return 1;
}

/* __eq: Lua calls it for two userdata that are not the same one; anything that is not an
 * ndarray is not equal to one. */
static int nd_eq(lua_State *L)
{
    bool both = ll_lua_to_ndarray(L, 1) != NULL && ll_lua_to_ndarray(L, 2) != NULL;
    lua_pushboolean(L, both && arrays_equal(L));
    return 1;
}

static double check_tolerance(lua_State *L, int idx, const char *what, double def)
{
    if (lua_isnoneornil(L, idx))
        return def;
    double v = lua_type(L, idx) == LUA_TNUMBER ? lua_tonumber(L, idx) : NAN;
    if (!(v >= 0) || isinf(v))
        ll_lua_argerror(L, idx, "%s must be a finite number >= 0, got %s", what,
                        ll_lua_describe(L, idx));
    return v;
}

/* arr:allclose(other, rtol = 1e-5, atol = 1e-8, equalNan = false), numpy's: same shape,
 * and |a - b| <= atol + rtol * |b| for every pair. Returns the verdict and, when false, the
 * flat index of the first pair that is not close (nil for a shape that differs). */
static int nd_allclose(lua_State *L)
{
    static const char *const names[] = {"rtol", "atol", "equalNan", NULL};
    ll_lua_check_ndarray(L, 1);
    ll_lua_check_ndarray(L, 2);
    ll_lua_params p;
    ll_lua_params_open(L, &p, 3, names, NULL);
    double rtol = check_tolerance(L, ll_lua_param(L, &p, 0), "rtol", 1e-5);
    double atol = check_tolerance(L, ll_lua_param(L, &p, 1), "atol", 1e-8);
    int en = ll_lua_param(L, &p, 2);
    bool equal_nan = ll_lua_opt_boolean(L, en, en, "equalNan", false);
    lua_settop(L, 2);

    ll_ndarray *a = ll_lua_check_ndarray(L, 1);
    ll_ndarray *b = ll_lua_check_ndarray(L, 2);
    if (!same_shape(a, b)) {
        lua_pushboolean(L, false);
        return 1;
    }
    uint64_t n = (uint64_t)ll_ndarray_count(a);
    uint64_t k = ll_elements_first_far(data_of(L, a), ll_ndarray_dtype(a), data_of(L, b),
                                       ll_ndarray_dtype(b), n, rtol, atol, equal_nan);
    lua_pushboolean(L, k == n);
    if (k == n)
        return 1;
    lua_pushinteger(L, (lua_Integer)k + 1);
    return 2;
}

const luaL_Reg ll_ndarray_ops_methods[] = {
    {"astype", nd_astype}, {"min", nd_min},       {"max", nd_max},
    {"sum", nd_sum},       {"mean", nd_mean},     {"equals", nd_equals},
    {"allclose", nd_allclose}, {NULL, NULL},
};

const luaL_Reg ll_ndarray_ops_metamethods[] = {
    {"__eq", nd_eq},
    {NULL, NULL},
};
