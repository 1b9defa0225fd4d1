/* live.c: the list of a Lua state's live userdata that hold core objects, and the
 * sentinel that releases whatever is still on it when the state closes. Lua 5.4 finalizes
 * nothing made after lua_close begins (a finalizer that creates a buffer then), so without
 * it those objects, their Memory, session and device would outlive the state.
 * Not for: releasing objects during the run (their own __gc does: binding.c, l_ndarray.c). */
#include "binding.h"

/* The sentinel userdata: the list head (circular) and whether it has run. */
typedef struct live_list {
    ll_lua_live head;
    bool closed;
} live_list;

static const char LIVE_KEY = 0; /* registry[&LIVE_KEY]: the sentinel */

/* __gc of the sentinel, made before any object of the module and so finalized after all
 * of them: releases what is left, newest first (children before their parents), then
 * refuses new objects. */
static int live_close(lua_State *L)
{
    live_list *list = lua_touserdata(L, 1);
    while (list->head.next != &list->head) {
        ll_lua_live *n = list->head.next;
        ll_lua_live_unlink(n);
        n->release(n);
    }
    list->closed = true;
    return 0;
}

void ll_lua_open_live(lua_State *L)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &LIVE_KEY) == LUA_TUSERDATA) {
        lua_pop(L, 1); /* the module was opened before in this state */
        return;
    }
    lua_pop(L, 1);
    live_list *list = lua_newuserdatauv(L, sizeof *list, 0);
    list->head.prev = list->head.next = &list->head;
    list->head.release = NULL;
    list->closed = false;
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, live_close);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &LIVE_KEY);
}

void ll_lua_live_link(lua_State *L, ll_lua_live *node, void (*release)(ll_lua_live *node))
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &LIVE_KEY);
    live_list *list = lua_touserdata(L, -1);
    lua_pop(L, 1); /* the registry keeps it */
    node->prev = node->next = NULL;
    node->release = release;
    if (list == NULL || list->closed)
        ll_lua_error(L, "the Lua state is closing: no new objects");
    node->next = list->head.next;
    node->prev = &list->head;
    list->head.next->prev = node;
    list->head.next = node;
}

void ll_lua_live_unlink(ll_lua_live *node)
{
    if (node->next == NULL)
        return;
    node->prev->next = node->next;
    node->next->prev = node->prev;
    node->prev = node->next = NULL;
}
