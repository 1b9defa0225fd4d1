-- compute.lua: what running a node costs: session:run(node) of one image shader over a
-- bound 1920x1080 RGBA image, node:run(), and a command buffer recorded once and run by
-- session:run(cb), against the reference build/bench/bench_compute measures in C on the
-- same device just before: the same dispatch recorded once into a raw command buffer,
-- submitted with vkQueueSubmit and waited for (and the core's ll_compute_node_run).
-- Not a test: it asserts nothing. Run from the repository root:
--   build/lluvia-lua bench/compute.lua [--quick]
-- $LLUVIA_BUILD names another build directory; LLUVIA_DEVICE picks the device.
local build = os.getenv("LLUVIA_BUILD") or "build"
package.cpath = build .. "/?.so;" .. build .. "/bench/?.so;" .. package.cpath
package.path = "bench/?.lua;" .. package.path
local ll = require "lluvia"
local now = require("benchfloor").now
local benchtable = require "benchtable"

local quick = arg and arg[1] == "--quick"
local BUDGET = quick and 0.1 or 0.5

-- Best (least) seconds of f(): 5 runs, more while the budget lasts, at most 5000.
local function best(f) return benchtable.best(f, now, 5, BUDGET, 5000) end

local ref, device_name = {}, "?"
do
  local p = assert(io.popen(("%s/bench/bench_compute%s"):format(build,
    quick and " --quick" or "")))
  for line in p:lines() do
    local key, value = line:match("^(%S+) %d+ (.*)$")
    if key == "device" then device_name = value elseif key then ref[key] = tonumber(value) end
  end
  assert(p:close(), "bench_compute failed")
end

-- The shader bench_compute.c runs too.
local f = assert(io.open("bench/invert.comp"))
local SHADER = f:read("a")
f:close()

local session = ll.createSession()
local mem = session:createMemory({"DeviceLocal"})
local usage = {"Storage", "TransferDst"}
local a = mem:createImage({1080, 1920, 4}, "Uint8", usage)
local b = mem:createImage({1080, 1920, 4}, "Uint8", usage)
local node = session:compileComputeNode{glsl = SHADER, localShape = {32, 32, 1}}
node:bind("in_image", a:createImageView())
node:bind("out_image", b:createImageView())
node:configureGridShape({1920, 1080, 1})
node:init()
local cb = session:createCommandBuffer()
cb:begin()
cb:run(node)
cb:ends()

local raw = ref.raw_submit_wait
local t = benchtable.new({"operation (1920x1080 RGBA, one dispatch)", "ours", "reference",
  "ratio"})
local function us(s) return ("%.1f us"):format(s * 1e6) end
local function row(name, seconds)
  t:row(name, us(seconds), us(raw) .. " (raw vkQueueSubmit + wait)",
    ("%.2f"):format(seconds / raw))
end
row("session:run(node)", best(function() session:run(node) end))
row("node:run()", best(function() node:run() end))
row("session:run(cb), cb recorded once", best(function() session:run(cb) end))
row("ll_compute_node_run (C core)", ref.core_run)
print(("compute benchmark on %s, best of at least 5 runs%s"):format(device_name,
  quick and " (quick)" or ""))
t:print()
