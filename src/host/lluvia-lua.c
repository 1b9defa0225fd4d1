/* lluvia-lua.c: the standalone host. Behaves like the stock lua(1) interpreter of Lua 5.4
 * (options -e -l -i -v -E -W, --, -, LUA_INIT, the arg table, tracebacks and exit status)
 * with `lluvia` in package.preload, plus --list-devices, --list-nodes and --device ID|NAME.
 * Not for: anything of the module itself (src/binding). */
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "lluvia/device.h"
#include "lluvia/lluvia.h"

#define PROMPT "> "
#define PROMPT2 ">> "
#define LINE_BUFFER_SIZE 512
#define EOF_MARK "<eof>"

static const char *progname = "lluvia-lua";
static lua_State *global_state;

/* ---- messages --------------------------------------------------------------------- */

static void print_usage(const char *badoption)
{
    if (badoption[1] == 'e' || badoption[1] == 'l')
        fprintf(stderr, "%s: '%s' needs argument\n", progname, badoption);
    else if (strcmp(badoption, "--device") == 0)
        fprintf(stderr, "%s: '--device' needs argument\n", progname);
    else
        fprintf(stderr, "%s: unrecognized option '%s'\n", progname, badoption);
    fprintf(stderr,
            "usage: %s [options] [script [args]]\n"
            "Available options are:\n"
            "  -e stat   execute string 'stat'\n"
            "  -i        enter interactive mode after executing 'script'\n"
            "  -l mod    require library 'mod' into global 'mod'\n"
            "  -l g=mod  require library 'mod' into global 'g'\n"
            "  -v        show version information\n"
            "  -E        ignore environment variables\n"
            "  -W        turn warnings on\n"
            "  --list-devices  list the Vulkan devices and exit (with -v: each in detail)\n"
            "  --list-nodes    list the built-in nodes (name, type, summary) and exit\n"
            "  --device ID|NAME  default device for ll.createSession\n"
            "  --        stop handling options\n"
            "  -         stop handling options and execute stdin\n",
            progname);
}

static void print_message(const char *name, const char *msg)
{
    if (name != NULL)
        fprintf(stderr, "%s: ", name);
    fprintf(stderr, "%s\n", msg);
    fflush(stderr);
}

/* Prints the error message at the top of the stack, if the status is an error. */
static int report(lua_State *L, int status)
{
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        print_message(progname, msg != NULL ? msg : "(error object is not a string)");
        lua_pop(L, 1);
    }
    return status;
}

static void print_version(void)
{
    printf("%s (lluvia-lua %s)\n", LUA_COPYRIGHT, LLUVIA_VERSION);
    fflush(stdout);
}

/* ---- running chunks ----------------------------------------------------------------- */

static void stop_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

static void on_sigint(int sig)
{
    signal(sig, SIG_DFL); /* a second Ctrl-C kills the process */
    lua_sethook(global_state, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/* Message handler: adds a traceback to string messages, or uses __tostring. */
static int msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Calls the function below the narg arguments on the stack, with the message handler and
 * Ctrl-C turned into an error. */
static int docall(lua_State *L, int narg, int nres)
{
    int base = lua_gettop(L) - narg;
    lua_pushcfunction(L, msghandler);
    lua_insert(L, base);
    global_state = L;
    signal(SIGINT, on_sigint);
    int status = lua_pcall(L, narg, nres, base);
    signal(SIGINT, SIG_DFL);
    lua_remove(L, base);
    return status;
}

static int dochunk(lua_State *L, int status)
{
    if (status == LUA_OK)
        status = docall(L, 0, 0);
    return report(L, status);
}

static int dofile(lua_State *L, const char *name)
{
    return dochunk(L, luaL_loadfile(L, name));
}

static int dostring(lua_State *L, const char *s, const char *name)
{
    return dochunk(L, luaL_loadbuffer(L, s, strlen(s), name));
}

/* -l [g=]mod: require mod and store it in the global g (mod by default). */
static int dolibrary(lua_State *L, char *global)
{
    char *mod = strchr(global, '=');
    if (mod == NULL) {
        mod = global;
    } else {
        *mod = '\0';
        mod++;
    }
    lua_getglobal(L, "require");
    lua_pushstring(L, mod);
    int status = docall(L, 1, 1);
    if (status == LUA_OK)
        lua_setglobal(L, global);
    return report(L, status);
}

/* ---- the arg table and the script ------------------------------------------------- */

static void create_arg_table(lua_State *L, char **argv, int argc, int script)
{
    if (script == argc)
        script = 0; /* no script: arg[0] is the program */
    lua_createtable(L, argc - (script + 1) > 0 ? argc - (script + 1) : 0, script + 1);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - script);
    }
    lua_setglobal(L, "arg");
}

static int push_script_args(lua_State *L)
{
    if (lua_getglobal(L, "arg") != LUA_TTABLE)
        luaL_error(L, "'arg' is not a table");
    int n = (int)luaL_len(L, -1);
    luaL_checkstack(L, n + 3, "too many arguments to script");
    for (int i = 1; i <= n; i++)
        lua_rawgeti(L, -i, i);
    lua_remove(L, -n - 1);
    return n;
}

static int handle_script(lua_State *L, char **argv)
{
    const char *fname = argv[0];
    if (strcmp(fname, "-") == 0 && strcmp(argv[-1], "--") != 0)
        fname = NULL; /* stdin */
    int status = luaL_loadfile(L, fname);
    if (status == LUA_OK) {
        int n = push_script_args(L);
        status = docall(L, n, LUA_MULTRET);
    }
    return report(L, status);
}

/* ---- options ------------------------------------------------------------------------ */

enum {
    HAS_ERROR = 1, HAS_I = 2, HAS_V = 4, HAS_E = 8, HAS_BIG_E = 16, HAS_LIST = 32,
    HAS_LIST_NODES = 64,
};

/* Scans the options; returns the flags and sets *first to the index of the script (argc
 * when there is none); on a bad option, *first is the index of the offending option. */
static int collect_args(char **argv, int *first)
{
    int args = 0;
    int i;
    for (i = 1; argv[i] != NULL; i++) {
        *first = i;
        if (argv[i][0] != '-')
            return args;
        if (strcmp(argv[i], "--list-devices") == 0) {
            args |= HAS_LIST;
            continue;
        }
        if (strcmp(argv[i], "--list-nodes") == 0) {
            args |= HAS_LIST_NODES;
            continue;
        }
        if (strcmp(argv[i], "--device") == 0) {
            if (argv[i + 1] == NULL || argv[i + 1][0] == '-')
                return HAS_ERROR;
            i++;
            continue;
        }
        switch (argv[i][1]) {
        case '-':
            if (argv[i][2] != '\0')
                return HAS_ERROR;
            *first = i + 1;
            return args;
        case '\0':
            return args; /* '-': the script is stdin */
        case 'E':
            if (argv[i][2] != '\0')
                return HAS_ERROR;
            args |= HAS_BIG_E;
            break;
        case 'W':
            if (argv[i][2] != '\0')
                return HAS_ERROR;
            break;
        case 'i':
            args |= HAS_I; /* -i implies -v */
            /* fall through */
        case 'v':
            if (argv[i][2] != '\0')
                return HAS_ERROR;
            args |= HAS_V;
            break;
        case 'e':
            args |= HAS_E;
            /* fall through */
        case 'l':
            if (argv[i][2] == '\0') {
                i++;
                if (argv[i] == NULL || argv[i][0] == '-')
                    return HAS_ERROR;
            }
            break;
        default:
            return HAS_ERROR;
        }
    }
    *first = i;
    return args;
}

/* Runs -e, -l, -W and --device in order; returns 0 on an error. */
static int run_args(lua_State *L, char **argv, int n)
{
    for (int i = 1; i < n; i++) {
        if (strcmp(argv[i], "--device") == 0) {
            i++;
            continue;
        }
        if (strcmp(argv[i], "--list-devices") == 0 || strcmp(argv[i], "--list-nodes") == 0)
            continue;
        char option = argv[i][1];
        switch (option) {
        case 'e':
        case 'l': {
            char *extra = argv[i] + 2;
            if (*extra == '\0')
                extra = argv[++i];
            int status = option == 'e' ? dostring(L, extra, "=(command line)")
                                       : dolibrary(L, extra);
            if (status != LUA_OK)
                return 0;
            break;
        }
        case 'W':
            lua_warning(L, "@on", 0);
            break;
        }
    }
    return 1;
}

static void apply_device_option(char **argv, int n)
{
    for (int i = 1; i < n; i++)
        if (strcmp(argv[i], "--device") == 0 && argv[i + 1] != NULL)
            setenv("LLUVIA_DEVICE", argv[++i], 1);
}

static int handle_luainit(lua_State *L)
{
    const char *name = "=LUA_INIT_5_4";
    const char *init = getenv(name + 1);
    if (init == NULL) {
        name = "=LUA_INIT";
        init = getenv(name + 1);
    }
    if (init == NULL)
        return LUA_OK;
    if (init[0] == '@')
        return dofile(L, init + 1);
    return dostring(L, init, name);
}

/* --list-devices -v: each device as ll.deviceInfo describes it, printed as ll.pretty does
 * (the same text the REPL shows for ll.deviceInfo(id)). */
static const char LIST_DEVICES_VERBOSE[] =
    "local ll = require 'lluvia'\n"
    "for _, d in ipairs(ll.getAvailableDevices()) do print(ll.pretty(ll.deviceInfo(d.id))) end";

static int list_devices(void)
{
    enum { MAX = 64 };
    ll_device_info list[MAX];
    uint32_t n;
    ll_error err;
    if (!ll_enumerate_devices(list, MAX, &n, &err)) {
        fprintf(stderr, "%s: lluvia: %s\n", progname, err.message);
        return 0;
    }
    for (uint32_t i = 0; i < n && i < MAX; i++)
        printf("%u\t%s\t%u.%u.%u\t%s\n", list[i].id, ll_device_type_name(list[i].type),
               VK_API_VERSION_MAJOR(list[i].api_version),
               VK_API_VERSION_MINOR(list[i].api_version),
               VK_API_VERSION_PATCH(list[i].api_version), list[i].name);
    fflush(stdout);
    return 1;
}

/* The builders a session of the default device sees (the built-in node library), one line
 * each: name, type and the first line of the doc, tab-separated, sorted by name. */
static const char list_nodes_chunk[] =
    "local ll = require('lluvia')\n"
    "local s <close> = ll.createSession()\n"
    "for _, d in ipairs(s:getNodeBuilderDescriptors()) do\n"
    "  io.write(d.name, '\\t', d.type, '\\t', d.summary, '\\n')\n"
    "end\n";

/* ---- the REPL ----------------------------------------------------------------------- */

/* Line editing and history through GNU readline, loaded at run time (libreadline8 comes
 * with Debian's lua5.4, but the host does not need it): on a terminal when the library is
 * there and $LLUVIA_READLINE is not "0", else plain stdin, as lua.c without readline.
 * History stays in memory, and in the file $LLUVIA_HISTORY when that is set (read at the
 * start, written at the end, kept to its last HISTORY_LINES lines). */
#define READLINE_LIBRARY "libreadline.so.8"
#define HISTORY_LINES 1000

static struct {
    char *(*readline)(const char *prompt);
    void (*add_history)(const char *line);
    int (*read_history)(const char *file);
    int (*write_history)(const char *file);
    int (*truncate_file)(const char *file, int lines);
    const char *history_file;
} rl;

static void load_readline(void)
{
    memset(&rl, 0, sizeof rl);
    const char *off = getenv("LLUVIA_READLINE"); /* "0": plain stdin on a terminal too */
    if (!isatty(0) || (off != NULL && strcmp(off, "0") == 0))
        return;
    void *lib = dlopen(READLINE_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL)
        return;
    /* POSIX's way to take a function from dlsym's void * */
    *(void **)&rl.readline = dlsym(lib, "readline");
    *(void **)&rl.add_history = dlsym(lib, "add_history");
    *(void **)&rl.read_history = dlsym(lib, "read_history");
    *(void **)&rl.write_history = dlsym(lib, "write_history");
    *(void **)&rl.truncate_file = dlsym(lib, "history_truncate_file");
    if (rl.readline == NULL || rl.add_history == NULL) {
        memset(&rl, 0, sizeof rl);
        dlclose(lib);
        return;
    }
    const char **name = dlsym(lib, "rl_readline_name"); /* for ~/.inputrc's $if */
    if (name != NULL)
        *name = "lluvia-lua";
    rl.history_file = getenv("LLUVIA_HISTORY");
    if (rl.history_file != NULL && rl.history_file[0] != '\0' && rl.read_history != NULL)
        rl.read_history(rl.history_file); /* a missing file is an empty history */
    /* the library stays loaded for the life of the process */
}

static void save_history(void)
{
    if (rl.history_file == NULL || rl.history_file[0] == '\0' || rl.write_history == NULL)
        return;
    if (rl.write_history(rl.history_file) == 0 && rl.truncate_file != NULL)
        rl.truncate_file(rl.history_file, HISTORY_LINES);
}

/* The statement at the top of the stack, into the history (lua.c's lua_saveline). */
static void save_line(lua_State *L)
{
    size_t len;
    const char *line = lua_tolstring(L, -1, &len);
    if (rl.add_history != NULL && line != NULL && len > 0)
        rl.add_history(line);
}

/* Pushes the prompt: _PROMPT or _PROMPT2 when set, as lua.c. */
static const char *push_prompt(lua_State *L, int first)
{
    if (lua_getglobal(L, first ? "_PROMPT" : "_PROMPT2") == LUA_TNIL) {
        lua_pop(L, 1);
        return lua_pushstring(L, first ? PROMPT : PROMPT2);
    }
    const char *p = luaL_tolstring(L, -1, NULL);
    lua_remove(L, -2);
    return p;
}

/* Reads a line with readline into a new string on the stack; 0 at end of input. */
static int push_readline(lua_State *L, int first)
{
    char *line = rl.readline(push_prompt(L, first));
    lua_pop(L, 1);
    if (line == NULL)
        return 0;
    lua_pushstring(L, line);
    free(line);
    return 1;
}

/* Reads a line into a new string on the stack; 0 at end of input. */
static int push_line(lua_State *L, int first)
{
    if (rl.readline != NULL)
        return push_readline(L, first);
    char buffer[LINE_BUFFER_SIZE];
    fputs(push_prompt(L, first), stdout);
    lua_pop(L, 1);
    fflush(stdout);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    int got = 0;
    while (fgets(buffer, sizeof buffer, stdin) != NULL) {
        got = 1;
        size_t len = strlen(buffer);
        if (len > 0 && buffer[len - 1] == '\n') {
            luaL_addlstring(&b, buffer, len - 1);
            break;
        }
        luaL_addlstring(&b, buffer, len);
    }
    luaL_pushresult(&b);
    if (!got) {
        lua_pop(L, 1);
        return 0;
    }
    return 1;
}

/* Tries the line at the top as `return <line>`. */
static int add_return(lua_State *L)
{
    const char *line = lua_tostring(L, -1);
    const char *retline = lua_pushfstring(L, "return %s;", line);
    int status = luaL_loadbuffer(L, retline, strlen(retline), "=stdin");
    if (status == LUA_OK) {
        lua_remove(L, -2); /* the modified line */
        lua_pushvalue(L, -2);
        save_line(L);
        lua_pop(L, 1);
    } else
        lua_pop(L, 2);     /* the result and the modified line */
    return status;
}

static int incomplete(lua_State *L, int status)
{
    if (status == LUA_ERRSYNTAX) {
        size_t lmsg;
        const char *msg = lua_tolstring(L, -1, &lmsg);
        size_t lmark = sizeof(EOF_MARK) - 1;
        if (lmsg >= lmark && strcmp(msg + lmsg - lmark, EOF_MARK) == 0) {
            lua_pop(L, 1);
            return 1;
        }
    }
    return 0;
}

/* Reads more lines while the statement is incomplete. */
static int multiline(lua_State *L)
{
    for (;;) {
        size_t len;
        const char *line = lua_tolstring(L, 1, &len);
        int status = luaL_loadbuffer(L, line, len, "=stdin");
        if (!incomplete(L, status) || !push_line(L, 0)) {
            lua_pushvalue(L, 1);
            save_line(L);
            lua_pop(L, 1);
            return status;
        }
        lua_pushliteral(L, "\n");
        lua_insert(L, -2);
        lua_concat(L, 3);
    }
}

/* Reads a statement; returns -1 at end of input, else the load status, with the chunk
 * (or the error) at the top. */
static int load_line(lua_State *L)
{
    lua_settop(L, 0);
    if (!push_line(L, 1))
        return -1;
    int status = add_return(L);
    if (status != LUA_OK)
        status = multiline(L);
    lua_remove(L, 1); /* the line */
    return status;
}

/* Replaces each table among the n results at 1..n by its text as ll.pretty writes it
 * (sorted keys, nested tables indented), when the module is loaded. */
static void pretty_tables(lua_State *L, int n)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    int pretty = lua_getfield(L, -1, "lluvia") == LUA_TTABLE &&
                 lua_getfield(L, -1, "pretty") == LUA_TFUNCTION;
    for (int i = 1; pretty && i <= n; i++) {
        if (lua_type(L, i) != LUA_TTABLE)
            continue;
        lua_pushvalue(L, -1);
        lua_pushvalue(L, i);
        if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TSTRING)
            lua_replace(L, i);
        else
            lua_pop(L, 1); /* the error: the table prints as print does */
    }
    lua_settop(L, n);
}

static void print_results(lua_State *L)
{
    int n = lua_gettop(L);
    if (n > 0) {
        luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
        pretty_tables(L, n);
        lua_getglobal(L, "print");
        lua_insert(L, 1);
        if (lua_pcall(L, n, 0, 0) != LUA_OK)
            print_message(progname, lua_pushfstring(L, "error calling 'print' (%s)",
                                                    lua_tostring(L, -1)));
    }
}

/* The REPL's global `ll`: the module, unless a script took the name; says so. */
static void announce_ll(lua_State *L)
{
    int taken = lua_getglobal(L, "ll") != LUA_TNIL;
    lua_pop(L, 1);
    if (taken)
        return;
    lua_getglobal(L, "require");
    lua_pushliteral(L, "lluvia");
    if (docall(L, 1, 1) != LUA_OK) {
        report(L, LUA_ERRRUN);
        return;
    }
    lua_setglobal(L, "ll");
    printf("ll = require \"lluvia\" (ll.help() lists what it has)\n");
    fflush(stdout);
}

static void do_repl(lua_State *L)
{
    const char *oldprogname = progname;
    progname = NULL; /* no program name before interactive errors, like lua */
    load_readline();
    announce_ll(L);
    int status;
    while ((status = load_line(L)) != -1) {
        if (status == LUA_OK)
            status = docall(L, 0, LUA_MULTRET);
        if (status == LUA_OK)
            print_results(L);
        else
            report(L, status);
    }
    lua_settop(L, 0);
    save_history();
    fputs("\n", stdout);
    fflush(stdout);
    progname = oldprogname;
}

/* ---- main --------------------------------------------------------------------------- */

static int pmain(lua_State *L)
{
    int argc = (int)lua_tointeger(L, 1);
    char **argv = lua_touserdata(L, 2);
    int script = 0;
    int args = collect_args(argv, &script);
    luaL_checkversion(L);
    if (argv[0] != NULL && argv[0][0] != '\0')
        progname = argv[0];
    if (args == HAS_ERROR) {
        print_usage(argv[script]);
        return 0;
    }
    if (args & HAS_V)
        print_version();
    apply_device_option(argv, script);
    if ((args & HAS_LIST) && !(args & HAS_V)) {
        lua_pushboolean(L, list_devices());
        return 1;
    }
    if (args & HAS_BIG_E) {
        lua_pushboolean(L, 1);
        lua_setfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
    }
    luaL_openlibs(L);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_lluvia);
    lua_setfield(L, -2, "lluvia");
    lua_pop(L, 1);
    if (args & HAS_LIST_NODES) {
        lua_pushboolean(L, dostring(L, list_nodes_chunk, "=--list-nodes") == LUA_OK);
        return 1;
    }
    if (args & HAS_LIST) { /* --list-devices -v */
        lua_pushboolean(L, dostring(L, LIST_DEVICES_VERBOSE, "=--list-devices") == LUA_OK);
        return 1;
    }
    create_arg_table(L, argv, argc, script);
    lua_gc(L, LUA_GCRESTART);
    lua_gc(L, LUA_GCGEN, 0, 0);
    if (!(args & HAS_BIG_E) && handle_luainit(L) != LUA_OK)
        return 0;
    if (!run_args(L, argv, script))
        return 0;
    if (script < argc && handle_script(L, argv + script) != LUA_OK)
        return 0;
    if (args & HAS_I) {
        do_repl(L);
    } else if (script == argc && !(args & (HAS_E | HAS_V))) {
        if (isatty(0)) {
            print_version();
            do_repl(L);
        } else if (dofile(L, NULL) != LUA_OK) {
            return 0;
        }
    }
    lua_pushboolean(L, 1);
    return 1;
}

int main(int argc, char **argv)
{
    lua_State *L = luaL_newstate();
    if (L == NULL) {
        print_message(argv[0], "cannot create state: not enough memory");
        return EXIT_FAILURE;
    }
    lua_gc(L, LUA_GCSTOP);
    lua_pushcfunction(L, pmain);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    int status = lua_pcall(L, 2, 1, 0);
    int result = lua_toboolean(L, -1);
    report(L, status);
    lua_close(L);
    return (result && status == LUA_OK) ? EXIT_SUCCESS : EXIT_FAILURE;
}
