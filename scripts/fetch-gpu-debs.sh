#!/usr/bin/env bash
# Downloads (here, on Debian 12) the packages that scripts/gpu-check.sh unpacks on a bare
# GPU machine: the Vulkan loader and GL dispatch libraries into .gl/, Lua, busted, the
# validation layer, SPIRV-Cross's shared library (program reflection; gpu-check.sh puts
# .dev's libraries on LD_LIBRARY_PATH), glslangValidator (glslang-tools: the specs' and
# the compat runner's SPIR-V made outside lluvia-lua; gpu-check.sh puts .dev's usr/bin on
# PATH) and libzip4's libssl3, absent from a bare CUDA image, into .dev/. Both folders are git-ignored
# (.git/info/exclude).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .gl .dev
(cd .gl && apt-get download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
(cd .dev && apt-get download liblua5.4-0 lua5.4 libreadline8 readline-common libyaml-0-2 \
  lua-busted lua-cliargs lua-dkjson lua-filesystem lua-luassert lua-mediator lua-penlight \
  lua-say lua-system lua-term vulkan-validationlayers libspirv-cross-c-shared0 \
  libzip4 libssl3 libspng0 libturbojpeg0 glslang-tools)
