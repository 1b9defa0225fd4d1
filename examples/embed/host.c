/* host.c: a C application that embeds Lua 5.4 and opens lluvia in its own state
 * (docs/embedding.md). Build against the installed kit:
 *   cc host.c $(pkg-config --cflags --libs lua5.4-lluvia) -o host && ./host script.lua */
#include <stdio.h>

#include <lauxlib.h>
#include <lualib.h>
#include <lluvia.h>

int main(int argc, char **argv)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    luaL_requiref(L, "lluvia", luaopen_lluvia, 0); /* package.loaded.lluvia, as require does */
    lua_pop(L, 1);
    const char *script = argc > 1 ? argv[1] : "print(require('lluvia')._VERSION)";
    int status = argc > 1 ? luaL_dofile(L, script) : luaL_dostring(L, script);
    if (status != LUA_OK)
        fprintf(stderr, "host: %s\n", lua_tostring(L, -1));
    lua_close(L);
    return status == LUA_OK ? 0 : 1;
}
