-- bench_ndarray.lua: how fast ll.ndarray is, side by side with its reference points, in
-- one run: element access against a plain Lua table and against the bare C metamethod pair
-- (the floor any userdata pays), bulk operations against memset/memcpy of the same bytes,
-- and fromTable/totable against copying the same nested table in Lua.
-- Not a test: it asserts nothing. Run from the repository root, under the host or, with
-- the module, under the stock interpreter:
--   build/lluvia-lua bench/bench_ndarray.lua
--   lua5.4 bench/bench_ndarray.lua
-- $LLUVIA_BUILD names another build directory (lluvia.so there, benchfloor.so in its
-- bench/); $BENCH_REPS sets the repetitions, the best of which is reported.
local build = os.getenv("LLUVIA_BUILD") or "build"
package.cpath = build .. "/?.so;" .. build .. "/bench/?.so;" .. package.cpath
package.path = "bench/?.lua;" .. package.path
local ll = require "lluvia"
local floor = require "benchfloor"
local now = floor.now

local N = 1000000                -- elements of the access loops
local REPS = tonumber(os.getenv("BENCH_REPS")) or 7
local IMAGE = {3840, 2160, 4}    -- uint8, the bulk operations
local IMAGE_BYTES = 3840 * 2160 * 4
local ROWS, COLS = 1000, 1000    -- fromTable / totable

-- Best (least) seconds of reps runs of f(r); `after(result)` runs untimed after each.
local function best(f, after)
  local t_best = math.huge
  for r = 1, REPS do
    collectgarbage()
    local t0 = now()
    local result = f(r)
    local t = now() - t0
    if after then after(result) end
    if t < t_best then t_best = t end
  end
  return t_best
end

-- ---- the table ---------------------------------------------------------------------------

local results = require("benchtable").new({"operation", "ours", "reference", "ratio",
  "target", ""})
local function row(...) results:row(...) end

local function ns_per(t, n) return ("%.1f ns/elem"):format(t / n * 1e9) end
local function ms(t) return ("%.2f ms"):format(t * 1e3) end
local function mps(t, n) return ("%.1f M/s"):format(n / t / 1e6) end

local function ratio_row(operation, t_ours, t_ref, ref_name, n, limit)
  local ratio = t_ours / t_ref
  local target, met = "", ""
  if limit then
    target = ("<= %.2f"):format(limit)
    met = ratio <= limit and "met" or "MISSED"
  end
  local fmt = n and function(t) return ns_per(t, n) end or ms
  row(operation, fmt(t_ours), fmt(t_ref) .. " (" .. ref_name .. ")", ("%.2f"):format(ratio),
    target, met)
end

-- ---- element access -------------------------------------------------------------------------

local function read_loop(x, n)
  local s = 0
  for i = 1, n do s = s + x[i] end
  return s
end

local function write_loop(x, n)
  for i = 1, n do x[i] = i & 63 end
end

local function rw_loop(x, n)
  for i = 1, n do x[i] = x[i] + 1 end
end

local loops = {
  {"read   s = s + x[i]", read_loop},
  {"write  x[i] = i & 63", write_loop},
  {"update x[i] = x[i] + 1", rw_loop},
}

local plain = {}
for i = 1, N do plain[i] = 0.0 end
local bare = floor.new(N)
local arrays = {}
for _, dt in ipairs{"float64", "float32", "float16", "int32", "uint8"} do
  arrays[dt] = ll.ndarray({N}, dt)
end

for _, l in ipairs(loops) do
  local name, loop = l[1], l[2]
  local t_table = best(function() return loop(plain, N) end)
  local t_bare = best(function() return loop(bare, N) end)
  local t_ours = best(function() return loop(arrays.float64, N) end)
  ratio_row(name .. " (float64)", t_ours, t_bare, "bare C pair", N, 1.25)
  ratio_row(name .. " (float64)", t_ours, t_table, "Lua table", N)
  if loop == rw_loop then
    ratio_row("bare C pair: " .. name, t_bare, t_table, "Lua table", N)
    for _, dt in ipairs{"float32", "float16", "int32", "uint8"} do
      arrays[dt]:fill(0)
      local t = best(function() return loop(arrays[dt], N) end)
      ratio_row(name .. " (" .. dt .. ")", t, t_bare, "bare C pair", N, 1.25)
    end
  end
end

-- ---- bulk operations ----------------------------------------------------------------------------

local image = ll.ndarray(IMAGE, "uint8")
image:fill(1) -- touch every page before timing
local t_fill = best(function(r) return image:fill(r & 0xff) end)
ratio_row("fill 3840x2160x4 uint8", t_fill, floor.memset(IMAGE_BYTES, REPS), "memset", nil, 1.5)

local t_alloc_copy = floor.alloc_memcpy(IMAGE_BYTES, REPS)
local t_copy = floor.memcpy(IMAGE_BYTES, REPS)

local t_tostring = best(function() return image:tostring() end)
ratio_row("tostring 3840x2160x4 uint8", t_tostring, t_alloc_copy, "malloc+memcpy", nil, 1.5)
ratio_row("tostring 3840x2160x4 uint8", t_tostring, t_copy, "memcpy, no alloc", nil)

local bytes = image:tostring()
local t_from = best(function() return ll.ndarray.fromString(bytes, IMAGE, "uint8") end,
  function(a) a:release() end)
ratio_row("fromString 3840x2160x4 uint8", t_from, t_alloc_copy, "malloc+memcpy", nil, 1.5)
ratio_row("fromString 3840x2160x4 uint8", t_from, t_copy, "memcpy, no alloc", nil)

local t_clone = best(function() return image:copy() end, function(a) a:release() end)
ratio_row("copy 3840x2160x4 uint8", t_clone, t_alloc_copy, "malloc+memcpy", nil, 1.5)
bytes = nil

-- ---- fromTable / totable ----------------------------------------------------------------------

local ints, floats = {}, {}
for i = 1, ROWS do
  local ri, rf = {}, {}
  for j = 1, COLS do
    ri[j] = i * j
    rf[j] = i * j + 0.5
  end
  ints[i], floats[i] = ri, rf
end

local function lua_copy(t)
  local out = {}
  for i = 1, #t do
    local src, dst = t[i], {}
    for j = 1, #src do dst[j] = src[j] end
    out[i] = dst
  end
  return out
end

local COUNT = ROWS * COLS
local t_lua_copy = best(function() return lua_copy(ints) end)

local function table_row(operation, t)
  local rate = COUNT / t / 1e6
  row(operation, mps(t, COUNT), mps(t_lua_copy, COUNT) .. " (Lua nested copy)",
    ("%.2f"):format(t / t_lua_copy), ">= 20 M/s", rate >= 20 and "met" or "MISSED")
end

table_row("fromTable 1000x1000 ints -> int64 (inferred)",
  best(function() return ll.ndarray.fromTable(ints) end, function(a) a:release() end))
table_row("fromTable 1000x1000 floats -> float64 (inferred)",
  best(function() return ll.ndarray.fromTable(floats) end, function(a) a:release() end))
table_row("fromTable 1000x1000 floats -> float32",
  best(function() return ll.ndarray.fromTable(floats, "float32") end, function(a) a:release() end))
table_row("fromTable 1000x1000 ints -> uint32",
  best(function() return ll.ndarray.fromTable(ints, "uint32") end, function(a) a:release() end))
local a64 = ll.ndarray.fromTable(ints)
local a32 = ll.ndarray.fromTable(floats, "float32")
table_row("totable 1000x1000 int64", best(function() return a64:totable() end))
table_row("totable 1000x1000 float32", best(function() return a32:totable() end))


-- ---- whole-array maths (astype, reductions, comparisons) against the Lua loop ------------

local PIXELS = {480, 640, 4}     -- 1.2 M uint8 elements: one RGBA picture
local NPIX = 480 * 640 * 4
local pic = ll.ndarray(PIXELS, "uint8")
for i = 1, NPIX do pic[i] = (i * 7) & 255 end
local picf = pic:astype("float32", {scale = 1 / 255})

local function loop_row(operation, t_ours, t_lua)
  ratio_row(operation, t_ours, t_lua, "Lua loop", NPIX)
end

loop_row("astype uint8 -> float32, scale 1/255",
  best(function() return pic:astype("float32", {scale = 1 / 255}) end, function(a) a:release() end),
  best(function()
    local out = ll.ndarray(PIXELS, "float32")
    for i = 1, NPIX do out[i] = pic[i] / 255 end
    return out
  end, function(a) a:release() end))
loop_row("astype float32 -> uint8, nearest, saturate",
  best(function() return picf:astype("uint8", {scale = 255, round = "nearest"}) end,
    function(a) a:release() end),
  best(function()
    local out = ll.ndarray(PIXELS, "uint8")
    for i = 1, NPIX do
      local v = math.floor(picf[i] * 255 + 0.5)
      out[i] = v < 0 and 0 or v > 255 and 255 or v
    end
    return out
  end, function(a) a:release() end))
loop_row("sum uint8", best(function() return pic:sum() end),
  best(function() local s = 0 for i = 1, NPIX do s = s + pic[i] end return s end))
loop_row("max float32", best(function() return picf:max() end),
  best(function()
    local m = picf[1]
    for i = 2, NPIX do local v = picf[i] if v > m then m = v end end
    return m
  end))
local pic2 = pic:copy()
loop_row("equals uint8", best(function() return pic:equals(pic2) end),
  best(function() for i = 1, NPIX do if pic[i] ~= pic2[i] then return false end end return true end))
loop_row("allclose float32", best(function() return picf:allclose(picf) end),
  best(function()
    for i = 1, NPIX do
      local x, y = picf[i], picf[i]
      if math.abs(x - y) > 1e-8 + 1e-5 * math.abs(y) then return false end
    end
    return true
  end))

local RGB = {480, 640, 3}
local rgb = ll.ndarray(RGB, "uint8")
rgb:fill(7)
loop_row("padChannels 480x640x3 -> x4 uint8",
  best(function() return rgb:padChannels(4) end, function(a) a:release() end),
  best(function()
    local out = ll.ndarray(PIXELS, "uint8")
    local k = 1
    for i = 1, 480 * 640 * 3, 3 do
      out[k], out[k + 1], out[k + 2], out[k + 3] = rgb[i], rgb[i + 1], rgb[i + 2], 255
      k = k + 4
    end
    return out
  end, function(a) a:release() end))
loop_row("crop 480x640x4 -> 240x320x4 uint8 (per whole-picture element)",
  best(function() return pic:crop(121, 161, 240, 320) end, function(a) a:release() end),
  best(function()
    local out = ll.ndarray({240, 320, 4}, "uint8")
    local k = 1
    for y = 121, 360 do
      local row = ((y - 1) * 640 + 160) * 4
      for j = 1, 320 * 4 do out[k] = pic[row + j]; k = k + 1 end
    end
    return out
  end, function(a) a:release() end))
loop_row("narrow rows 480x640x4 (a view)",
  best(function() return pic:narrow(1, 100, 200) end),
  best(function()
    local out = ll.ndarray({200, 640, 4}, "uint8")
    local base = 99 * 640 * 4
    for j = 1, 200 * 640 * 4 do out[j] = pic[base + j] end
    return out
  end, function(a) a:release() end))

print(("ll.ndarray benchmark: %s, best of %d runs, access loops over %d elements")
  :format(_VERSION, REPS, N))
results:print()
