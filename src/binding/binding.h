/* binding.h: helpers every Lua type of the binding shares: classes (metatables with
 * methods and read-only fields), object userdata whose parents live in user values,
 * enumerations and flags by name, and raising core errors as Lua errors.
 * Not for: any one type's behaviour (l_<type>.c). */
#ifndef LL_BINDING_H
#define LL_BINDING_H

#include <stdbool.h>
#include <stdint.h>

#include <lauxlib.h>
#include <lua.h>

#include "lluvia/enums.h"
#include "lluvia/error.h"

#include "args.h"

/* ---- errors ---------------------------------------------------------------------- */

/* Raises err: "lluvia: <message>" for device and memory-system failures; for
 * LL_E_ARGUMENT, a `bad argument #arg` error when arg > 0. Never returns. */
int ll_lua_raise(lua_State *L, int arg, const ll_error *err);

/* Raises `lluvia: <formatted>` (lua_pushfstring's specifiers), with the position of the
 * calling Lua code in front as luaL_error does: the one way the binding raises a device,
 * memory-system or state failure. Never returns. */
int ll_lua_error(lua_State *L, const char *fmt, ...);

/* Pushes "lluvia: <message>", the text of a failure returned rather than raised
 * (isImageFormatSupported's second result). Returns it. */
const char *ll_lua_push_error(lua_State *L, const ll_error *err);

/* Raises `bad argument #arg to 'fn' (<formatted>)`. Never returns. */
int ll_lua_argerror(lua_State *L, int arg, const char *fmt, ...);

/* A short printable form of the value at idx, for messages: "42", "'abc'", "nil",
 * "table". Pushes nothing; the result is valid until the value is popped. */
const char *ll_lua_describe(lua_State *L, int idx);

/* ---- the state's live objects (live.c) ------------------------------------------- */

/* A node of the state's list of userdata that hold core objects: linked when the userdata
 * is made, unlinked when it is released. When the state closes, a sentinel finalized after
 * every object of the module releases those still linked, so that objects Lua never
 * finalizes (made by finalizers once lua_close has begun) go too. O(1) either way. */
typedef struct ll_lua_live ll_lua_live;
struct ll_lua_live {
    ll_lua_live *prev, *next;            /* NULL when not linked */
    void (*release)(ll_lua_live *node);  /* releases what the userdata holds; runs no Lua */
};

/* Makes the sentinel and the empty list, once per state: the first thing luaopen_lluvia
 * does, so that the sentinel is older than every object (Lua finalizes newest first). */
void ll_lua_open_live(lua_State *L);

/* Links the node of a userdata just made (it must hold no core object yet). Raises
 * `lluvia: the Lua state is closing` once the sentinel has run. */
void ll_lua_live_link(lua_State *L, ll_lua_live *node, void (*release)(ll_lua_live *node));

/* Unlinks the node; nothing when it is not linked. */
void ll_lua_live_unlink(ll_lua_live *node);

/* ---- classes and objects ---------------------------------------------------------- */

/* A class's field reader: called as getter(L) with the object at 1 and the key at 2 when
 * the key is not a method; pushes the value and returns 1, or returns 0 for nil. */
typedef int (*ll_lua_getter)(lua_State *L);

typedef struct ll_lua_object ll_lua_object;

/* Room for the text a class's describe writes. */
#define LL_LUA_DESCRIBE_MAX 320

/* A class of core objects. Release and printing are written once, here: `release()`,
 * `__close` and `__gc` call `release` on a live object and mark it released (a second call
 * does nothing); `__tostring` shows "<tname>(<describe>)" for a live object and
 * "<tname> (released)" for a released one. Neither hook may raise or run Lua code. */
typedef struct ll_lua_class {
    const char *tname;         /* registry name of the metatable: "lluvia.Buffer" */
    const luaL_Reg *methods;   /* `release` is added */
    ll_lua_getter getter;      /* fields; may be NULL */
    void (*release)(ll_lua_object *o);                    /* o->ptr is not NULL */
    void (*describe)(const void *ptr, char *buf, size_t size); /* "16 bytes, page 0" */
    const char *const *fields; /* the names the getter answers, NULL-terminated; may be NULL */
    /* Device bytes the object holds, handed back to the collector's pace when it is
     * released (ll_lua_device_memory_released); NULL for objects that hold none. */
    uint64_t (*device_bytes)(const void *ptr);
} ll_lua_class;

/* Creates the metatable cls->tname (registry) with __index dispatching to the methods then
 * to the getter, release/__gc/__close, __tostring, and __metatable. `cls` must outlive the
 * state (a static). Leaves nothing on the stack. */
void ll_lua_new_class(lua_State *L, const ll_lua_class *cls);

/* The registry's list of classes (ll._debug.classes, ll.help): records that the class
 * `name` ("Session", "ndarray", "ImageDescriptor") has the methods of the table at
 * methods_idx (0: none; the table itself is kept, so methods added later are seen) and the
 * fields `fields` (NULL-terminated; may be NULL), merged with what was recorded before.
 * ll_lua_new_class records its class; the Lua parts record theirs with kit.describeClass. */
void ll_lua_record_class(lua_State *L, const char *name, int methods_idx,
                         const char *const *fields);

/* Pushes the registry's table {[name] = {methods = table, fields = {[field] = true}}}. */
void ll_lua_push_classes(lua_State *L);

/* kit.describeClass(name, methods?, fields?): ll_lua_record_class from Lua (fields: a list
 * of names). */
int ll_lua_kit_describe_class(lua_State *L);

/* Adds methods to an existing class (another file's type offering a constructor there:
 * createMemory on Session, say). */
void ll_lua_add_methods(lua_State *L, const char *tname, const luaL_Reg *methods);

/* The userdata of every core object: the core pointer, NULL once released. Parents are
 * kept alive in the userdata's user values (1..nparents). */
struct ll_lua_object {
    void *ptr;
    const ll_lua_class *cls;  /* whose release the state's close calls */
    ll_lua_live live;         /* on the state's list while not released */
};

/* Pushes a new object userdata of class tname holding ptr, with room for nuv user values. */
ll_lua_object *ll_lua_push_object(lua_State *L, const char *tname, void *ptr, int nuv);

/* Pushes a new userdata of `size` bytes (a struct that starts with an ll_lua_object) of
 * class tname, holding no core object yet, on the state's list. The rest is zeroed. */
ll_lua_object *ll_lua_new_object(lua_State *L, const char *tname, size_t size, int nuv);

/* The object at idx if it is of class tname (else a `bad argument` error naming `label`);
 * raises `lluvia: <label> has been released` when released. */
void *ll_lua_check_object(lua_State *L, int idx, const char *tname, const char *label);

/* Phase 2 of the lifetime rule (docs/ARCHITECTURE.md): the core pointer of the object
 * userdata at idx, which phase 1 checked, or NULL with LL_E_STATE "<label> has been
 * released" in err when Lua code phase 1 ran (a finalizer, an options table's __index)
 * released it. Runs no Lua and never raises. */
void *ll_lua_resolve(lua_State *L, int idx, const char *label, ll_error *err);

/* The object userdata at idx if of class tname, released or not; NULL if another value. */
ll_lua_object *ll_lua_to_object(lua_State *L, int idx, const char *tname);

/* Stores the value at the top of the stack as user value n of the userdata at idx (pops). */
void ll_lua_set_parent(lua_State *L, int idx, int n);

/* ---- values made in Lua (lua/descriptors.lua) ------------------------------------- */

/* The descriptors (ll.vec3ui, ll.ImageDescriptor, ...) are Lua tables whose metatable the
 * Lua side registers under its name ("lluvia.ImageDescriptor") with kit.register. */

/* kit.register(tname, metatable): registry[tname] = metatable. */
int ll_lua_kit_register(lua_State *L);

/* Whether the value at idx is an instance of the registered Lua class tname. Runs no Lua. */
bool ll_lua_is_instance(lua_State *L, int idx, const char *tname);

/* Calls the class's constructor (its metatable's __new, as ll.<Name>.new) with the nargs
 * values on top of the stack, which it pops, and pushes the result. */
void ll_lua_new_instance(lua_State *L, const char *tname, int nargs);

/* ---- enumerations ----------------------------------------------------------------- */

/* The tables are the core's (lluvia/enums.h); names marked core_only are not taken. */

/* The value named by the string at arg (kinds match in any case); an unknown name, or a
 * value that is not a string, is an argument error that lists the valid ones. For
 * LL_ENUM_NUMBERS enumerations (ll.ChannelCount) one of the numbers is taken too. With
 * `none_ok`, nil/none returns `def`. */
uint32_t ll_lua_check_enum(lua_State *L, int arg, const ll_enum *e, int none_ok,
                           uint32_t def);

/* Flags from a name, a number (bits OR-ed; a bit without a name is refused, naming it) or
 * a list of names and numbers at arg; nil/none gives `def`. */
uint32_t ll_lua_check_flags(lua_State *L, int arg, const ll_enum *e, uint32_t def);

/* Pushes the flags as a list of names in the enumeration's order. */
void ll_lua_push_flags(lua_State *L, const ll_enum *e, uint32_t flags);

/* Pushes the table of checks the embedded Lua parts use, each returning the value or nil
 * and the message the C checks raise: enum(table, v), flags(table, v),
 * flagNames(table, bits), channelType(v). */
void ll_lua_push_enum_kit(lua_State *L);

/* ---- module parts ----------------------------------------------------------------- */

int ll_lua_open_session(lua_State *L);
int ll_lua_open_device(lua_State *L);  /* l_device.c: ll.deviceInfo */

/* Gives the table on top of the stack the metatable of the module's info tables
 * (lua/pretty.lua: printed through ll.pretty), once the Lua parts have registered it. */
void ll_lua_set_info(lua_State *L);

#endif
