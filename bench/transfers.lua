-- transfers.lua: how fast data moves between ll.ndarray and the device, side by side in one
-- run with its reference points, which build/bench/bench_transfers measures in C on the same
-- device just before: a raw vkCmdCopyBuffer between preallocated host-visible and
-- device-local buffers, memcpy of the same bytes, two raw submits for a 4 KiB round trip,
-- vkAllocateMemory per buffer and the bare vkCreateBuffer + bind + destroy loop for buffer
-- create + release, and a first-fit free list for the buddy allocator.
-- Not a test: it asserts nothing. Run from the repository root:
--   build/lluvia-lua bench/transfers.lua [--quick] [--max BYTES] [--data FILE]
-- --quick: sizes up to 16 MiB and fewer repetitions; --max: the largest transfer (else
-- 1 GiB, capped by the host's available memory); --data: where the bandwidth figures go
-- for bench/plot.sh (default build/bench/transfers.dat). $LLUVIA_BUILD names another build
-- directory. Session options come from the environment as usual (LLUVIA_FORCE_STAGING=1,
-- LLUVIA_DEVICE=...); LLUVIA_TRANSFER_PATH picks a transfer path where the build has one.
local build = os.getenv("LLUVIA_BUILD") or "build"
package.cpath = build .. "/?.so;" .. build .. "/bench/?.so;" .. package.cpath
package.path = "bench/?.lua;" .. package.path
local ll = require "lluvia"
local now = require("benchfloor").now

local KiB, MiB, GiB = 1024, 1024 * 1024, 1024 * 1024 * 1024
local quick, max_bytes, data_file = false, GiB, build .. "/bench/transfers.dat"
local i = 1
while arg and arg[i] do
  if arg[i] == "--quick" then quick, max_bytes = true, 16 * MiB
  elseif arg[i] == "--max" then i = i + 1; max_bytes = math.tointeger(tonumber(arg[i]))
  elseif arg[i] == "--data" then i = i + 1; data_file = arg[i]
  else error("usage: transfers.lua [--quick] [--max BYTES] [--data FILE], got " .. arg[i]) end
  i = i + 1
end

-- Every transfer here holds its array twice on the host (in and out) and its buffer once
-- (on lavapipe, host memory too): keep 4x the largest size within what the host has free.
local function available_bytes()
  local f = io.open("/proc/meminfo")
  if not f then return math.maxinteger end
  local text = f:read("a")
  f:close()
  local kb = text:match("MemAvailable:%s+(%d+) kB")
  return kb and tonumber(kb) * 1024 or math.maxinteger
end
while max_bytes > 4 * KiB and 4 * max_bytes > available_bytes() do max_bytes = max_bytes // 4 end

local SIZES = {}
do
  local size = 4 * KiB
  while size <= max_bytes do
    SIZES[#SIZES + 1] = size
    size = size * (size < 16 * MiB and 16 or 4)
  end
end

local BUDGET = quick and 0.05 or 0.25 -- seconds of repetitions per figure, after the first
local MIN_REPS = quick and 2 or 3

-- Best (least) seconds of f(): MIN_REPS runs, more while the budget lasts, at most 2000.
local function best(f) return require("benchtable").best(f, now, MIN_REPS, BUDGET, 2000) end

-- best(f), and the transfer path f took most (ll._debug.transferStats), for the row names.
local PATHS = {"direct", "staging", "update", "import"}
local function timed_path(f)
  local before = ll._debug.transferStats()
  local t = best(f)
  local after, most, path = ll._debug.transferStats(), 0, "?"
  for _, p in ipairs(PATHS) do
    if after[p] - before[p] > most then most, path = after[p] - before[p], p end
  end
  return t, path
end

-- ---- the references, from the C helper --------------------------------------------------

local ref, device_name = {}, "?"
do
  local cmd = ("%s/bench/bench_transfers --max %d%s"):format(build, max_bytes,
    quick and " --quick" or "")
  local p = assert(io.popen(cmd))
  for line in p:lines() do
    local key, bytes, value = line:match("^(%S+) (%d+) (.*)$")
    if key == "device" then device_name = value
    elseif key then ref[key .. ":" .. bytes] = tonumber(value) end
  end
  assert(p:close(), "bench_transfers failed: " .. cmd)
end
local function reference(key, bytes)
  return ref[key .. ":" .. (bytes or 0)] or error("bench_transfers gave no " .. key)
end

-- ---- the table ----------------------------------------------------------------------------

local results = require("benchtable").new({"operation", "ours", "reference", "ratio",
  "target", ""})

local function size_name(n)
  if n >= GiB then return ("%d GiB"):format(n // GiB) end
  if n >= MiB then return ("%d MiB"):format(n // MiB) end
  return ("%d KiB"):format(n // KiB)
end
local function gbps(bytes, t) return bytes / t / 1e9 end

-- A row comparing rates (higher is better): ratio = ours / reference; `least` is the
-- ratio the target asks for, if any.
local function rate_row(operation, ours, unit, refv, ref_name, least, fmt)
  fmt = fmt or "%.2f %s"
  local ratio = ours / refv
  results:row(operation, fmt:format(ours, unit), fmt:format(refv, unit) .. " (" .. ref_name .. ")",
    ("%.2f"):format(ratio), least and (">= %.2fx"):format(least) or "",
    least and (ratio >= least and "met" or "MISSED") or "")
end

-- A row comparing times (lower is better): ratio = ours / reference; `limit`, if any, an
-- absolute target in the row's unit.
local function time_row(operation, ours, refv, ref_name, scale, unit, limit)
  results:row(operation, ("%.2f %s"):format(ours * scale, unit),
    ("%.2f %s (%s)"):format(refv * scale, unit, ref_name), ("%.2f"):format(ours / refv),
    limit and ("< %g %s"):format(limit, unit) or "",
    limit and (ours * scale < limit and "met" or "MISSED") or "")
end

-- ---- transfers -------------------------------------------------------------------------------

local session = ll.createSession()
local memories = {
  {name = "DeviceLocal", mem = session:createMemory({"DeviceLocal"})},
  {name = "HostVisible", mem = session:createMemory({"HostVisible", "HostCoherent"})},
}
local data = {}

local function fill_touch(a) a:fill(1) end -- every page touched before timing

for _, size in ipairs(SIZES) do
  local arr, out = ll.ndarray({size}, "uint8"), ll.ndarray({size}, "uint8")
  fill_touch(arr)
  fill_touch(out)
  local raw_up, raw_down = reference("raw_up", size), reference("raw_down", size)
  local mc_up, mc_down = reference("memcpy_up", size), reference("memcpy_down", size)
  local d = {size = size, raw_up = gbps(size, raw_up), raw_down = gbps(size, raw_down),
             memcpy_up = gbps(size, mc_up), memcpy_down = gbps(size, mc_down)}
  for _, m in ipairs(memories) do
    local buf = m.mem:createBuffer(size)
    local up, up_path = timed_path(function() buf:fromHost(arr) end)
    local down, down_path = timed_path(function() buf:toHost(out) end)
    buf:release()
    local name = size_name(size)
    local device = m.name == "DeviceLocal"
    -- Targets: device-local >= 0.95x the raw copy from 64 MiB, 0.9x at 1 MiB (the H200);
    -- host-visible >= 0.9x memcpy (lavapipe).
    local least = device and (size >= 64 * MiB and 0.95 or size == MiB and 0.9) or nil
    local up_name = ("fromHost %s %s [%s]"):format(name, m.name, up_path)
    local down_name = ("toHost   %s %s [%s]"):format(name, m.name, down_path)
    rate_row(up_name, gbps(size, up), "GB/s", gbps(size, raw_up), "vkCmdCopyBuffer", least)
    rate_row(up_name, gbps(size, up), "GB/s", gbps(size, mc_up), "memcpy",
      not device and 0.9 or nil)
    rate_row(down_name, gbps(size, down), "GB/s", gbps(size, raw_down), "vkCmdCopyBuffer", least)
    rate_row(down_name, gbps(size, down), "GB/s", gbps(size, mc_down), "memcpy",
      not device and 0.9 or nil)
    if device then d.ours_up, d.ours_down = gbps(size, up), gbps(size, down) end
  end
  -- staging's copy (parallel_copy.c): threads from 4 MiB up, against one memcpy
  rate_row(("staging's host copy %s (threads)"):format(size_name(size)),
    gbps(size, reference("parallel_copy_up", size)), "GB/s", gbps(size, mc_up), "memcpy")
  arr:release()
  out:release()
  data[#data + 1] = d
  collectgarbage()
end

-- Images: against the raw copy and memcpy of the same bytes (the largest measured size's
-- rate: the copy engine's, not a small transfer's).
local function nearest(bytes)
  local best_size = SIZES[1]
  for _, s in ipairs(SIZES) do if math.abs(s - bytes) < math.abs(best_size - bytes) then best_size = s end end
  return best_size
end
local images = {
  {"3840x2160x4 uint8", {2160, 3840, 4}, "uint8", "Uint8", 0.9},
  {"1920x1080x4 float32", {1080, 1920, 4}, "float32", "Float32"},
}
for _, im in ipairs(images) do
  local bytes = im[2][1] * im[2][2] * im[2][3] * (im[3] == "uint8" and 1 or 4)
  if 4 * bytes <= available_bytes() then
    local img = memories[1].mem:createImage(im[2], im[4])
    local arr, out = ll.ndarray(im[2], im[3]), ll.ndarray(im[2], im[3])
    fill_touch(arr)
    fill_touch(out)
    local up = best(function() img:fromHost(arr) end)
    local down = best(function() img:toHost(out) end)
    local s = nearest(bytes)
    local raw_up = reference("raw_up", s) * bytes / s
    local raw_down = reference("raw_down", s) * bytes / s
    time_row("img:fromHost " .. im[1], up, raw_up, "vkCmdCopyBuffer rate", 1e3, "ms", im[5])
    time_row("img:toHost   " .. im[1], down, raw_down, "vkCmdCopyBuffer rate", 1e3, "ms", im[5])
    time_row("img:fromHost " .. im[1], up, reference("memcpy_up", s) * bytes / s, "memcpy rate",
      1e3, "ms")
    img:release(); arr:release(); out:release()
  end
end

-- The first transfer of a new array: the import's cost included (docs/memory.md, "Why
-- 1 MiB"), against a session that stages the same transfer; each repetition a new array
-- (made and touched untimed).
do
  local staged = ll.createSession{transferPath = "staging"}
  local staged_mem = staged:createMemory({"DeviceLocal"})
  for _, size in ipairs{MiB, 16 * MiB, 256 * MiB} do
    if size <= max_bytes then
      local buf = memories[1].mem:createBuffer(size)
      local sbuf = staged_mem:createBuffer(size)
      local function first(b)
        local t_best, path = math.huge, "?"
        for _ = 1, MIN_REPS do
          local a = ll.ndarray({size}, "uint8")
          fill_touch(a)
          local before = ll._debug.transferStats()
          local t0 = now()
          b:fromHost(a)
          local t = now() - t0
          local after = ll._debug.transferStats()
          for _, p in ipairs(PATHS) do if after[p] > before[p] then path = p end end
          if t < t_best then t_best = t end
          a:release()
        end
        return t_best, path
      end
      local t, path = first(buf)
      local ts = first(sbuf)
      time_row(("first fromHost of a new %s array [%s]"):format(size_name(size), path), t, ts,
        "staged", 1e3, "ms")
      buf:release()
      sbuf:release()
    end
  end
  staged_mem:release()
  staged:release()
end

-- 4 KiB round trip: fromHost then toHost of a device-local buffer.
do
  local buf = memories[1].mem:createBuffer(4 * KiB)
  local arr, out = ll.ndarray({4 * KiB}, "uint8"), ll.ndarray({4 * KiB}, "uint8")
  local t = best(function() buf:fromHost(arr); buf:toHost(out) end)
  local _, up_path = timed_path(function() buf:fromHost(arr) end)
  local _, down_path = timed_path(function() buf:toHost(out) end)
  time_row(("fromHost + toHost 4 KiB DeviceLocal [%s + %s]"):format(up_path, down_path), t, reference("raw_round_trip", 4096),
    "two raw submits", 1e6, "us", 20)
  buf:release()
  -- One 4 KiB upload into device-local memory, one submit each, in raw Vulkan step by step
  -- (bench_transfers.c's upload_steps): what re-recording, our barriers and
  -- vkCmdUpdateBuffer each add to the prerecorded copy's submit.
  local raw = reference("raw_up", 4096)
  for _, step in ipairs{
    {"step_copy", "re-recorded copy"}, {"step_copy_barriers", "+ our two barriers"},
    {"step_update", "vkCmdUpdateBuffer"}, {"step_update_barriers", "+ barriers: [update]'s"}} do
    time_row(("  raw 4 KiB upload: %s"):format(step[2]), reference(step[1], 4096), raw,
      "prerecorded copy", 1e6, "us")
  end
end

-- ---- create + release ------------------------------------------------------------------------

local PAIRS = 256
for _, size in ipairs{KiB, 64 * KiB, MiB} do
  local mem = memories[1].mem
  local t = best(function()
    for _ = 1, PAIRS do mem:createBuffer(size):release() end
  end) / PAIRS
  local name = ("create + release %s DeviceLocal"):format(size_name(size))
  local target = size == 64 * KiB and 2e6 or nil
  local function pairs_row(what, ours, refv, ref_name)
    local ratio = ours / refv
    results:row(what, ("%.0f /s"):format(ours), ("%.0f /s (%s)"):format(refv, ref_name),
      ("%.2f"):format(ratio), target and ">= 2000000 /s" or "",
      target and (ours >= target and "met" or "MISSED") or "")
  end
  pairs_row(name .. " (Lua)", 1 / t, 1 / reference("allocate_pair", size),
    "vkAllocateMemory each")
  pairs_row(name .. " (Lua)", 1 / t, 1 / reference("bare_pair", size), "bare Vulkan loop")
  target = nil
  pairs_row(name .. " (C core)", 1 / reference("core_pair", size),
    1 / reference("allocate_pair", size), "vkAllocateMemory each")
  pairs_row(name .. " (C core)", 1 / reference("core_pair", size),
    1 / reference("bare_pair", size), "bare Vulkan loop")
end

-- ---- the buddy allocator -----------------------------------------------------------------------

for _, tr in ipairs{"churn", "image"} do
  for _, op in ipairs{"alloc", "free"} do
    local ours, ff = reference(("buddy_%s_%s"):format(tr, op)),
      reference(("first_fit_%s_%s"):format(tr, op))
    time_row(("buddy %s, %s trace"):format(op, tr), ours, ff, "first-fit list", 1e9, "ns")
  end
end
do
  local pair = reference("buddy_churn_alloc") + reference("buddy_churn_free")
  local ff = reference("first_fit_churn_alloc") + reference("first_fit_churn_free")
  time_row("buddy alloc + free, churn trace", pair, ff, "first-fit list", 1e9, "ns", 100)
  local live, ff_live = reference("buddy_live_at_failure"), reference("first_fit_live_at_failure")
  results:row("page live at first failure, mixed trace", ("%.1f %%"):format(live * 100),
    ("%.1f %% (first-fit list)"):format(ff_live * 100), ("%.2f"):format(live / ff_live),
    ">= 85 %", live >= 0.85 and "met" or "MISSED")
  -- The same live objects as power-of-two blocks, and the block the failed request needed:
  -- what rounding takes (blocks - live) against what placement leaves free (1 - blocks).
  local blocks, failed = reference("buddy_blocks_at_failure"), reference("buddy_failed_block")
  results:row("  their blocks; the failed request's block", ("%.1f %%"):format(blocks * 100),
    ("%.1f %% of the page"):format(failed * 100), "", "", "")
end

print(("Transfer benchmark: %s, %s%s, transfer path %s, sizes up to %s, best of %d+ runs (%.2f s each figure)")
  :format(device_name, _VERSION, os.getenv("LLUVIA_FORCE_STAGING") == "1" and
    ", LLUVIA_FORCE_STAGING=1" or "", session.transferPath, size_name(max_bytes), MIN_REPS, BUDGET))
print("ratio = ours / reference, in the row's unit (rates: higher is better; times: lower)")
results:print()

-- Bandwidth for bench/plot.sh: bytes, then GB/s of ours, the raw copy and memcpy, up/down.
local f = io.open(data_file, "w")
if f then
  f:write("# bytes ours_up ours_down raw_up raw_down memcpy_up memcpy_down (GB/s), ",
    device_name, "\n")
  for _, d in ipairs(data) do
    f:write(("%d %.4f %.4f %.4f %.4f %.4f %.4f\n"):format(d.size, d.ours_up, d.ours_down,
      d.raw_up, d.raw_down, d.memcpy_up, d.memcpy_down))
  end
  f:close()
end
