-- lluvia-scm-1.rockspec: builds the module (lluvia.so) and the host (lluvia-lua) with the
-- project's CMake build, luarocks' CMake back end:
--   luarocks --lua-version 5.4 make rockspec/lluvia-scm-1.rockspec --tree /tmp/tree
-- (Debian's luarocks defaults to Lua 5.1; the module needs 5.4). Run from the checkout.
rockspec_format = "3.0"
package = "lluvia"
version = "scm-1"
source = {
  url = "git+file://.", -- `luarocks make` builds the checkout it runs in
}
description = {
  summary = "GPU memory and compute runtime (Vulkan) driven from Lua 5.4",
  detailed = [[
lluvia-lua places buffers and images inside large pages of Vulkan memory with its own
buddy allocator, compiles and runs compute nodes (GLSL, a built-in node library), reads
and writes PNG and JPEG, and offers ll.ndarray as its host arrays. Needs Lua 5.4 (not
LuaJIT) and a Vulkan driver (lavapipe, mesa-vulkan-drivers, on machines without a GPU).
]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.4, < 5.5",
}
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    CMAKE_INSTALL_PREFIX = "$(PREFIX)",
    LUA_INCDIR = "$(LUA_INCDIR)",
    LLUVIA_LUA_CMOD_DIR = "$(LIBDIR)", -- luarocks deploys it to <tree>/lib/lua/5.4
    CMAKE_INSTALL_BINDIR = "$(BINDIR)",
    LLUVIA_BUILD_TESTS = "OFF",
    LLUVIA_BUILD_BENCH = "OFF",
    LLUVIA_INSTALL_KIT = "OFF", -- the C embedding kit is cmake --install's (docs/embedding.md)
  },
}
test = {
  type = "busted",
}
