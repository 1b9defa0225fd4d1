#!/usr/bin/env bash
# Runs the specs on a machine with a real GPU where nothing is installed (how the
# closing notes' real-GPU runs were made): unpacks the Vulkan loader (.gl/) and the Lua,
# busted and validation-layer packages (.dev/) that scripts/fetch-gpu-debs.sh downloaded,
# then runs `lluvia-lua --list-devices` and busted with the validation layer on, as is and
# with forceStaging. Expects a build made on a Debian 12 machine in build/ (or
# $LLUVIA_BUILD); arguments go to busted.
set -uo pipefail
cd "$(dirname "$0")/.."

for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
root=/tmp/lluvia-debs
mkdir -p "$root"
for f in .dev/*.deb; do dpkg -x "$f" "$root"; done
export PATH="$root/usr/bin:$PATH"
export LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LUA_PATH="$root/usr/share/lua/5.4/?.lua;$root/usr/share/lua/5.4/?/init.lua;;"
export LUA_CPATH="$root/usr/lib/x86_64-linux-gnu/lua/5.4/?.so;;"
export VK_ADD_LAYER_PATH="$root/usr/share/vulkan/explicit_layer.d"
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES=$icd

build=${LLUVIA_BUILD:-build}
export LLUVIA_ENABLE_DEBUG=1 LLUVIA_HOST="$PWD/$build/lluvia-lua"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null
"$LLUVIA_HOST" --list-devices || exit 1
status=0
for staging in 0 1; do
  echo "== busted, LLUVIA_FORCE_STAGING=$staging"
  LLUVIA_FORCE_STAGING=$staging "$LLUVIA_HOST" "$root/usr/bin/busted" --ignore-lua \
    "$@" || status=1
done
exit $status
