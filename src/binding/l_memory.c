/* l_memory.c: the Lua Memory type, session:createMemory, ll.deviceMemoryStats, and how
 * objects made from Lua keep the collector in pace with device memory it cannot see.
 * Not for: buffers (l_buffer.c) or images (l_image.c), which only use what is here. */
#include <stdio.h>
#include <string.h>

#include "lluvia/device_memory.h"

#include "binding.h"
#include "l_memory.h"
#include "l_ndarray.h"
#include "l_session.h"

/* A full collection once this much device memory was reserved for collectable objects
 * since the last one, or once as much as was live after it, whichever is more: garbage
 * holding device memory then never exceeds about that much. */
#define GC_MIN_DEBT (256ull << 20)
static const char pace_key = 0; /* registry[&pace_key]: the state's gc_pace */

ll_memory *ll_lua_check_memory(lua_State *L, int idx)
{
    return ll_lua_check_object(L, idx, LL_MEMORY_T, "Memory");
}

void ll_lua_push_allocation(lua_State *L, const ll_allocation *allocation)
{
    const ll_allocation copy = *allocation, *a = &copy; /* phase 2: pushing runs Lua */
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, (lua_Integer)a->page);
    lua_setfield(L, -2, "page");
    lua_pushinteger(L, (lua_Integer)a->offset);
    lua_setfield(L, -2, "offset");
    lua_pushinteger(L, (lua_Integer)a->left_padding);
    lua_setfield(L, -2, "leftPadding");
    lua_pushinteger(L, (lua_Integer)a->size);
    lua_setfield(L, -2, "size");
    ll_lua_set_info(L);
}

/* ---- keeping the collector in pace -------------------------------------------------- */

typedef struct gc_pace {
    uint64_t debt;      /* device bytes reserved since the last collection */
    uint64_t threshold; /* debt that triggers the next one */
    uint64_t paced;     /* collections run because of the debt */
    uint64_t retried;   /* collections run because an allocation failed */
} gc_pace;

static gc_pace *get_pace(lua_State *L)
{
    gc_pace *p;
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &pace_key) == LUA_TUSERDATA) {
        p = lua_touserdata(L, -1);
    } else {
        lua_pop(L, 1);
        p = lua_newuserdatauv(L, sizeof *p, 0);
        memset(p, 0, sizeof *p);
        p->threshold = GC_MIN_DEBT;
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &pace_key);
    }
    lua_pop(L, 1); /* the registry keeps it */
    return p;
}

static void full_collection(lua_State *L, gc_pace *p)
{
    lua_gc(L, LUA_GCCOLLECT, 0);
    ll_device_memory_stats dm;
    ll_device_memory_get_stats(&dm);
    p->debt = 0;
    p->threshold = dm.live_bytes > GC_MIN_DEBT ? dm.live_bytes : GC_MIN_DEBT;
}

void ll_lua_device_memory_added(lua_State *L, uint64_t bytes)
{
    gc_pace *p = get_pace(L);
    p->debt = bytes > UINT64_MAX - p->debt ? UINT64_MAX : p->debt + bytes;
    if (p->debt >= p->threshold) {
        p->paced++;
        full_collection(L, p);
    }
}

void ll_lua_device_memory_released(lua_State *L, uint64_t bytes)
{
    /* Released memory is free again: it is not garbage the collector must find. At most the
     * debt, which only counts what was reserved since the last collection. */
    gc_pace *p = get_pace(L);
    p->debt = bytes < p->debt ? p->debt - bytes : 0;
}

bool ll_lua_with_retry(lua_State *L, ll_lua_retry_fn call, void *user, ll_error *err)
{
    if (call(user, err))
        return true;
    if (err->code != LL_E_DEVICE_MEMORY)
        return false;
    /* Unreachable objects may hold the memory that is missing: collect them, try again. */
    gc_pace *p = get_pace(L);
    p->retried++;
    full_collection(L, p);
    return call(user, err);
}

typedef struct transfer_call {
    lua_State *L;
    ll_lua_transfer_fn move;
    int object_idx, array_idx;
    uint64_t bytes;
    bool upload;
} transfer_call;

static bool run_transfer(void *user, ll_error *err)
{
    const transfer_call *t = user;
    ll_host_memory *host = ll_lua_ndarray_storage(t->L, t->array_idx); /* released: ended */
    return t->move(t->L, t->object_idx, host, t->bytes, t->upload, err);
}

bool ll_lua_transfer_with_retry(lua_State *L, ll_lua_transfer_fn move, int object_idx,
                                int array_idx, uint64_t bytes, bool upload, ll_error *err)
{
    transfer_call t = {L, move, object_idx, array_idx, bytes, upload};
    return ll_lua_with_retry(L, run_transfer, &t, err);
}

/* ---- session:createMemory ------------------------------------------------------------ */

#define DEFAULT_FLAGS VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT

/* Pages smaller than this hold few objects, and every page is one vkAllocateMemory of the
 * device's few thousand (maxMemoryAllocationCount): such a size is most likely a count of
 * something else, or kilobytes meant as bytes. Warned of once per state, not refused: the
 * size is legal. */
#define SMALL_PAGE_SIZE 4096u
#define SMALL_PAGE_WARNED_KEY "lluvia.small_page_warned"

static void warn_small_page(lua_State *L, uint64_t page_size)
{
    if (page_size == 0 || page_size >= SMALL_PAGE_SIZE)
        return;
    int warned = lua_getfield(L, LUA_REGISTRYINDEX, SMALL_PAGE_WARNED_KEY) != LUA_TNIL;
    lua_pop(L, 1);
    if (warned)
        return;
    lua_pushboolean(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, SMALL_PAGE_WARNED_KEY);
    fprintf(stderr,
            "lluvia: warning: createMemory with pageSize %llu: pages of fewer than %u bytes "
            "hold few objects, and each page is a device allocation of a limited number; "
            "pageSize is in bytes (0: one page per object, default 32 MiB) "
            "(shown once)\n",
            (unsigned long long)page_size, SMALL_PAGE_SIZE);
    fflush(stderr);
}

/* Adds the Memory userdata on top of the stack to the state's list (LL_MEMORIES_KEY). */
static void remember_memory(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, LL_MEMORIES_KEY);
    lua_getfield(L, -1, "count");
    lua_Integer n = lua_tointeger(L, -1) + 1;
    lua_pop(L, 1);
    lua_pushinteger(L, n);
    lua_setfield(L, -2, "count");
    lua_pushvalue(L, -2);
    lua_pushinteger(L, n);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

/* Pushes a new Memory of the session at stack index 1 (its parent). */
static int push_new_memory(lua_State *L, VkMemoryPropertyFlags flags, uint64_t page_size,
                           bool exact, int arg)
{
    ll_lua_object *o = ll_lua_push_object(L, LL_MEMORY_T, NULL, 1);
    lua_pushvalue(L, 1);
    ll_lua_set_parent(L, -2, 1);
    /* Read the session again: the options table's metamethods and making the userdata may
     * have run Lua code (finalizers included), which may have released it. */
    ll_session *s = ll_lua_check_session(L, 1);
    ll_error err;
    o->ptr = ll_memory_create(s, flags, page_size, exact, &err);
    if (o->ptr == NULL)
        return ll_lua_raise(L, arg, &err);
    remember_memory(L);
    return 1;
}

static int session_create_memory(lua_State *L)
{
    static const char *const names[] = {"flags", "pageSize", "exactFlagsMatch", NULL};
    static const char *const lists[] = {"flags", NULL};
    ll_lua_check_session(L, 1);
    ll_lua_params p;
    ll_lua_params_open(L, &p, 2, names, lists);
    VkMemoryPropertyFlags flags = ll_lua_check_flags(L, ll_lua_param(L, &p, 0),
                                                     &ll_enum_memory_property, DEFAULT_FLAGS);
    int arg = ll_lua_param(L, &p, 1);
    uint64_t page_size = (uint64_t)ll_lua_opt_integer(L, arg, arg, "pageSize", 0,
                                                      (lua_Integer)LL_DEFAULT_PAGE_SIZE);
    arg = ll_lua_param(L, &p, 2);
    bool exact = ll_lua_opt_boolean(L, arg, arg, "exactFlagsMatch", false);
    warn_small_page(L, page_size);
    lua_settop(L, 1);
    return push_new_memory(L, flags, page_size, exact, 2);
}

/* The session's Memory kept in its user value `uv`, made with `flags` on first use. */
static int session_kept_memory(lua_State *L, int uv, VkMemoryPropertyFlags flags)
{
    ll_lua_check_session(L, 1);
    lua_settop(L, 1);
    if (lua_getiuservalue(L, 1, uv) == LUA_TUSERDATA)
        return 1;
    lua_pop(L, 1);
    push_new_memory(L, flags, LL_DEFAULT_PAGE_SIZE, false, 1);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, 1, uv);
    return 1;
}

/* session:getHostMemory(): a HostVisible | HostCoherent Memory of the session, made on
 * first use and kept (lluvia's); getDeviceMemory(): likewise, DeviceLocal. */
static int session_get_host_memory(lua_State *L)
{
    return session_kept_memory(L, 1, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                         VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
}

static int session_get_device_memory(lua_State *L)
{
    return session_kept_memory(L, 2, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
}

/* ---- the Memory type ----------------------------------------------------------------- */

static void memory_release(ll_lua_object *o)
{
    ll_memory_release(o->ptr);
}

static void memory_describe(const void *ptr, char *buf, size_t size)
{
    char flags[128];
    ll_memory_flags_text(ll_memory_flags(ptr), flags, sizeof flags);
    ll_memory_stats st;
    ll_memory_get_stats(ptr, &st);
    bool device_only = (ll_memory_flags(ptr) & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) &&
                       !ll_memory_is_mappable(ptr);
    snprintf(buf, size, "%s%s, pageSize %llu, %llu pages, %llu objects", flags,
             device_only ? " not mappable (deviceOnly)" : "",
             (unsigned long long)ll_memory_page_size(ptr), (unsigned long long)st.pages,
             (unsigned long long)st.objects);
}

static int memory_is_page_mappable(lua_State *L)
{
    ll_memory *m = ll_lua_check_memory(L, 1);
    lua_Integer page = ll_lua_check_integer(L, 2, 2, "page", 0);
    lua_pushboolean(L, ll_memory_is_page_mappable(m, (uint64_t)page));
    return 1;
}

static void push_stats(lua_State *L, const ll_memory *m)
{
    ll_memory_stats st;
    ll_memory_get_stats(m, &st);
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, (lua_Integer)st.pages);
    lua_setfield(L, -2, "pages");
    lua_pushinteger(L, (lua_Integer)st.bytes_reserved);
    lua_setfield(L, -2, "bytesReserved");
    lua_pushinteger(L, (lua_Integer)st.bytes_in_use);
    lua_setfield(L, -2, "bytesInUse");
    lua_pushinteger(L, (lua_Integer)st.objects);
    lua_setfield(L, -2, "objects");
    lua_pushinteger(L, (lua_Integer)st.largest_free_block);
    lua_setfield(L, -2, "largestFreeBlock");
    ll_lua_set_info(L);
}

static int memory_get(lua_State *L)
{
    ll_memory *m = ll_lua_check_memory(L, 1);
    const char *key = lua_tostring(L, 2);
    if (key == NULL)
        return 0;
    if (strcmp(key, "memoryFlags") == 0)
        ll_lua_push_flags(L, &ll_enum_memory_property, ll_memory_flags(m));
    else if (strcmp(key, "pageSize") == 0)
        lua_pushinteger(L, (lua_Integer)ll_memory_page_size(m));
    else if (strcmp(key, "pageCount") == 0)
        lua_pushinteger(L, (lua_Integer)ll_memory_page_count(m));
    else if (strcmp(key, "isMappable") == 0)
        lua_pushboolean(L, ll_memory_is_mappable(m));
    else if (strcmp(key, "stats") == 0)
        push_stats(L, m);
    else if (strcmp(key, "session") == 0)
        lua_getiuservalue(L, 1, 1);
    else if (strcmp(key, "memoryTypeIndex") == 0)
        lua_pushinteger(L, (lua_Integer)ll_memory_type_index(m));
    else
        return 0;
    return 1;
}

/* ll.deviceMemoryStats(): the device memory of this process, over every session, and the
 * collections the binding ran to keep pace with it. */
static int l_device_memory_stats(lua_State *L)
{
    ll_device_memory_stats dm;
    ll_device_memory_get_stats(&dm);
    gc_pace *p = get_pace(L);
    lua_createtable(L, 0, 6);
    lua_pushinteger(L, (lua_Integer)dm.live_bytes);
    lua_setfield(L, -2, "liveBytes");
    lua_pushinteger(L, (lua_Integer)dm.live_allocations);
    lua_setfield(L, -2, "liveAllocations");
    lua_pushinteger(L, (lua_Integer)dm.total_allocations);
    lua_setfield(L, -2, "totalAllocations");
    if (dm.budget != 0) {
        lua_pushinteger(L, (lua_Integer)dm.budget);
        lua_setfield(L, -2, "budget");
    }
    lua_pushinteger(L, (lua_Integer)p->paced);
    lua_setfield(L, -2, "pacedCollections");
    lua_pushinteger(L, (lua_Integer)p->retried);
    lua_setfield(L, -2, "retryCollections");
    ll_lua_set_info(L);
    return 1;
}

/* ll.setDeviceMemoryBudget(bytes | nil): allocations that would take the process past
 * `bytes` of device memory fail as if the device were out of memory; nil lifts the cap. */
static int l_set_device_memory_budget(lua_State *L)
{
    ll_device_memory_set_budget((uint64_t)ll_lua_opt_integer(L, 1, 1, "budget", 1, 0));
    return 0;
}

int ll_lua_open_memory(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"isPageMappable", memory_is_page_mappable},
        {NULL, NULL},
    };
    static const char *const fields[] = {"memoryFlags", "pageSize", "pageCount", "isMappable",
                                         "stats", "session", "memoryTypeIndex", NULL};
    static const ll_lua_class memory_class = {
        LL_MEMORY_T, methods, memory_get, memory_release, memory_describe, fields, NULL,
    };
    ll_lua_new_class(L, &memory_class);
    lua_newtable(L); /* LL_MEMORIES_KEY */
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, LL_MEMORIES_KEY);
    static const luaL_Reg session_methods[] = {
        {"createMemory", session_create_memory},
        {"getHostMemory", session_get_host_memory},
        {"getDeviceMemory", session_get_device_memory},
        {NULL, NULL},
    };
    ll_lua_add_methods(L, LL_SESSION_T, session_methods);
    static const luaL_Reg functions[] = {
        {"deviceMemoryStats", l_device_memory_stats},
        {"setDeviceMemoryBudget", l_set_device_memory_budget},
        {NULL, NULL},
    };
    luaL_setfuncs(L, functions, 0);
    return 0;
}
