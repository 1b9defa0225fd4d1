#!/usr/bin/env bash
# Installs every Debian package lluvia-lua needs to build, test and run (Debian 12).
# Idempotent: when everything is already installed it only checks and returns.
# Works as root or through sudo. Pass --dev to add what CI needs beside: the fuzzing
# toolchain (clang) and luarocks.
set -euo pipefail

packages=(
  build-essential cmake pkg-config       # compiler and build system
  lua5.4 liblua5.4-dev                   # Lua 5.4 interpreter and headers
  libvulkan-dev libvulkan-volk-dev       # Vulkan headers and the volk meta-loader
  glslang-tools glslang-dev              # GLSL -> SPIR-V, in-process (compute nodes)
  spirv-tools                            # SPIR-V validation (static SPIRV-Tools)
  libspirv-cross-c-shared-dev            # SPIR-V reflection (SPIRV-Cross's C API)
  libzip-dev                             # node libraries as .zip (session:loadLibrary)
  lua-busted                             # the spec runner
  mesa-vulkan-drivers                    # lavapipe: the CPU Vulkan device
  vulkan-validationlayers                # VK_LAYER_KHRONOS_validation for the specs
  libspng-dev                            # PNG files (ll.readImage, ll.writeImage)
  libturbojpeg0-dev                      # JPEG files, through libjpeg-turbo's TurboJPEG API
)
if [ "${1:-}" = "--dev" ]; then
  packages+=(clang libclang-rt-14-dev)  # libFuzzer target (-DLLUVIA_FUZZ=ON)
  packages+=(luarocks)                   # CI builds the rock (rockspec/) on a clean clone
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
