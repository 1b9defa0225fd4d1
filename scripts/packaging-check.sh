#!/usr/bin/env bash
# The packages from a clean clone of HEAD (CI, .ci/run):
#   1. luarocks make of rockspec/lluvia-scm-1.rockspec into a tree, then stock lua5.4 loads
#      the module from it;
#   2. cmake --install into a temporary prefix, the embedding example (examples/embed)
#      built against the installed kit with pkg-config and run, then the uninstall target
#      leaves nothing under the prefix.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$root" "$work/src"
cd "$work/src"

echo "== luarocks make (clean clone)"
if ! luarocks --lua-version 5.4 make rockspec/lluvia-scm-1.rockspec --tree "$work/tree" \
    >"$work/rock.log" 2>&1; then
  tail -n 40 "$work/rock.log"
  exit 1
fi
LUA_CPATH="$work/tree/lib/lua/5.4/?.so" lua5.4 -e 'print(require"lluvia"._VERSION)'

echo "== embedding kit (cmake --install, pkg-config, examples/embed/host.c)"
# luarocks' build folder, configured again for a kit: no second build of the same sources.
build=build.luarocks
cmake -S . -B "$build" -DLLUVIA_INSTALL_KIT=ON -DLLUVIA_LUA_CMOD_DIR=lib/lua/5.4 \
  -DCMAKE_INSTALL_BINDIR=bin >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
cmake --install "$build" --prefix "$work/prefix" >/dev/null
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
# shellcheck disable=SC2046 # pkg-config's flags are words
cc -Wall -Wextra -Werror examples/embed/host.c $(pkg-config --cflags --libs lua5.4-lluvia) \
  -o "$work/host"
"$work/host" examples/embed/script.lua
cmake --build "$build" --target uninstall >/dev/null
left=$(find "$work/prefix" -type f | wc -l)
if [ "$left" -ne 0 ]; then
  echo "uninstall left $left files under the prefix:"
  find "$work/prefix" -type f
  exit 1
fi
echo "packaging: ok"
