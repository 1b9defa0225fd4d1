#!/usr/bin/env bash
# Builds lluvia-lua and runs every test: the C unit tests (ctest), then the busted specs
# under the built host with the Vulkan validation layer on, once as they are, once with
# every transfer forced through the staging path, and once with DeviceLocal memory made
# not host-visible (LLUVIA_DEVICE_ONLY), as on a discrete GPU. The last line is the total:
# "N passed, N failed".
#   scripts/test.sh              the usual build (build/)
#   scripts/test.sh --sanitize   AddressSanitizer + UBSan build (build-asan/)
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1

build=build
task=default
sanitize=OFF
if [ "${1:-}" = "--sanitize" ]; then
  build=build-asan
  task=asan
  sanitize=ON
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  # Stock lua5.4 is not instrumented: it loads the instrumented module with the ASan
  # runtime preloaded, and leaves the leak check to the host runs (see keep_loaded.c).
  export LLUVIA_STOCK_LUA="env LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0 lua5.4"
fi

cmake -S . -B "$build" -DLLUVIA_SANITIZE=$sanitize -DLLUVIA_WERROR=ON >/dev/null || exit 1
cmake --build "$build" -j"$(nproc)" || exit 1

export LLUVIA_ENABLE_DEBUG=1 # every session gets the validation layer
export LLUVIA_HOST="$root/$build/lluvia-lua"

passed=0
failed=0
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# ctest: "100% tests passed, 0 tests failed out of 5"
ctest --test-dir "$build" --output-on-failure 2>&1 | tee "$logs/ctest"
ctest_status=${PIPESTATUS[0]}
line=$(grep -E 'tests failed out of' "$logs/ctest" | tail -n 1)
if [[ $line =~ ([0-9]+)\ tests\ failed\ out\ of\ ([0-9]+) ]]; then
  passed=$((passed + BASH_REMATCH[2] - BASH_REMATCH[1]))
  failed=$((failed + BASH_REMATCH[1]))
elif [ "$ctest_status" -ne 0 ]; then
  failed=$((failed + 1))
fi

# busted: "37 successes / 0 failures / 0 errors / 0 pending : 0.47 seconds"
run_busted() {
  local name=$1
  shift
  echo "== busted ($name)"
  env "$@" busted --run="$task" 2>&1 | tee "$logs/busted"
  local status=${PIPESTATUS[0]}
  local summary
  summary=$(grep -E '[0-9]+ successes? / [0-9]+ failures? / [0-9]+ errors?' "$logs/busted" | tail -n 1)
  if [[ $summary =~ ([0-9]+)\ successes?\ /\ ([0-9]+)\ failures?\ /\ ([0-9]+)\ errors? ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2] + BASH_REMATCH[3]))
    if [ "$status" -ne 0 ] && [ $((BASH_REMATCH[2] + BASH_REMATCH[3])) -eq 0 ]; then
      failed=$((failed + 1)) # busted failed without counting it (a crash at exit, a leak)
    fi
  else
    failed=$((failed + 1)) # busted died before its summary
  fi
}
run_busted "validation layer on" LLUVIA_FORCE_STAGING=0
run_busted "validation layer on, forceStaging" LLUVIA_FORCE_STAGING=1
run_busted "validation layer on, deviceOnly" LLUVIA_FORCE_STAGING=0 LLUVIA_DEVICE_ONLY=1

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
