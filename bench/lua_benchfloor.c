/* lua_benchfloor.c: the reference points of bench/bench_ndarray.lua, as a Lua C module
 * (benchfloor.so): the cheapest possible userdata element access (a bare C __index/__newindex
 * pair that only bounds-checks: no registry look-up, no luaL_checkudata, no dtype), the
 * memset/memcpy of the same bytes as the bulk operations, and a monotonic clock.
 * Not for: anything outside benchmarks; it trusts its arguments. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>

typedef struct floor_array {
    lua_Integer n;
    double v[];
} floor_array;

/* Keeps the compiler from dropping stores into memory nobody reads afterwards. */
static void escape(void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int floor_index(lua_State *L)
{
    floor_array *a = lua_touserdata(L, 1);
    lua_Integer i = lua_tointeger(L, 2);
    if ((lua_Unsigned)i - 1u >= (lua_Unsigned)a->n)
        return luaL_error(L, "index out of bounds");
    lua_pushnumber(L, a->v[i - 1]);
    return 1;
}

static int floor_newindex(lua_State *L)
{
    floor_array *a = lua_touserdata(L, 1);
    lua_Integer i = lua_tointeger(L, 2);
    if ((lua_Unsigned)i - 1u >= (lua_Unsigned)a->n)
        return luaL_error(L, "index out of bounds");
    a->v[i - 1] = lua_tonumber(L, 3);
    return 0;
}

/* benchfloor.new(n): a zero-filled userdata of n doubles with the bare pair. */
static int floor_new(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    floor_array *a = lua_newuserdatauv(L, sizeof *a + (size_t)n * sizeof(double), 0);
    a->n = n;
    memset(a->v, 0, (size_t)n * sizeof(double));
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_setmetatable(L, -2);
    return 1;
}

static int floor_now(lua_State *L)
{
    lua_pushnumber(L, now());
    return 1;
}

/* Touches every page first so that only the operation is timed. */
static void *touched(size_t n)
{
    void *p = malloc(n);
    if (p != NULL)
        memset(p, 1, n);
    return p;
}

/* benchfloor.memset(nbytes, reps): best seconds of one memset into touched memory. */
static int floor_memset(lua_State *L)
{
    size_t n = (size_t)luaL_checkinteger(L, 1);
    int reps = (int)luaL_checkinteger(L, 2);
    unsigned char *p = touched(n);
    if (p == NULL)
        return luaL_error(L, "out of memory");
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        memset(p, r & 0xff, n);
        escape(p);
        double t = now() - t0;
        best = t < best ? t : best;
    }
    free(p);
    lua_pushnumber(L, best);
    return 1;
}

/* benchfloor.memcpy(nbytes, reps): best seconds of one memcpy between touched buffers. */
static int floor_memcpy(lua_State *L)
{
    size_t n = (size_t)luaL_checkinteger(L, 1);
    int reps = (int)luaL_checkinteger(L, 2);
    unsigned char *src = touched(n), *dst = touched(n);
    if (src == NULL || dst == NULL) {
        free(src);
        free(dst);
        return luaL_error(L, "out of memory");
    }
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        memcpy(dst, src, n);
        escape(dst);
        double t = now() - t0;
        best = t < best ? t : best;
    }
    free(src);
    free(dst);
    lua_pushnumber(L, best);
    return 1;
}

/* benchfloor.alloc_memcpy(nbytes, reps): best seconds of malloc + memcpy into the new
 * (untouched) block: what making a new copy of the bytes costs. The free is not timed. */
static int floor_alloc_memcpy(lua_State *L)
{
    size_t n = (size_t)luaL_checkinteger(L, 1);
    int reps = (int)luaL_checkinteger(L, 2);
    unsigned char *src = touched(n);
    if (src == NULL)
        return luaL_error(L, "out of memory");
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        unsigned char *dst = malloc(n);
        if (dst == NULL) {
            free(src);
            return luaL_error(L, "out of memory");
        }
        memcpy(dst, src, n);
        escape(dst);
        double t = now() - t0;
        free(dst);
        best = t < best ? t : best;
    }
    free(src);
    lua_pushnumber(L, best);
    return 1;
}

/* Exported by hand: the build's flags hide every other symbol (-fvisibility=hidden). */
__attribute__((visibility("default"))) int luaopen_benchfloor(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"now", floor_now},
        {"memset", floor_memset},
        {"memcpy", floor_memcpy},
        {"alloc_memcpy", floor_alloc_memcpy},
        {NULL, NULL},
    };
    luaL_newlib(L, funcs);
    lua_newtable(L); /* the metatable of floor arrays */
    lua_pushcfunction(L, floor_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, floor_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcclosure(L, floor_new, 1);
    lua_setfield(L, -2, "new");
    return 1;
}
