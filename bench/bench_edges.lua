-- bench_edges.lua: lluvia/imgproc/EdgeDetect on a large RGBA picture (3840x2160 by default,
-- examples/data/picture.png resized on the device), timed per node with GPU timestamps: the
-- bytes each node reads and writes over its time, as a fraction of a memory-bandwidth bound,
-- for EdgeDetect's one dispatch (fused = 1) and its three (fused = 0), side by side; the
-- whole run of each with the data already on the device, the device's default (fused = 1
-- on a GPU) on the host clock too; and the ratio to PyTorch running the same pipeline
-- (bench/edges_torch.py) where python3 imports torch.
-- Not a test: it asserts nothing. Run from the repository root:
--   build/lluvia-lua bench/bench_edges.lua [--bandwidth B/s] [--width W] [--height H]
--       [--runs N] [--device ID] [--no-torch]
-- --bandwidth defaults to 4.8e12 B/s, the H200's datasheet figure.
package.path = "bench/?.lua;" .. package.path
local ll = require "lluvia"
local benchtable = require "benchtable"

local options = {bandwidth = 4.8e12, width = 3840, height = 2160, runs = 20}
do
  local i = 1
  while i <= #arg do
    local k = arg[i]:match("^%-%-(.+)$")
    if k == "no-torch" then
      options.noTorch = true
      i = i + 1
    elseif k == "device" then
      options.device = math.tointeger(tonumber(arg[i + 1])) or arg[i + 1]
      i = i + 2
    elseif k ~= nil and options[k] ~= nil and tonumber(arg[i + 1]) then
      options[k] = tonumber(arg[i + 1])
      i = i + 2
    else
      io.stderr:write("usage: bench_edges.lua [--bandwidth B/s] [--width W] [--height H] " ..
        "[--runs N] [--device ID] [--no-torch]\n")
      os.exit(2)
    end
  end
end
local W, H = math.tointeger(options.width), math.tointeger(options.height)

local session = ll.createSession{device = options.device}
local memory = session:createMemory({"DeviceLocal"})

-- The picture, resized on the device to W x H (RGBA Uint8).
local small = memory:createImageViewFromHost(ll.readImage("examples/data/picture.png", {channels = 4}))
local resize = session:createContainerNode("lluvia/imgproc/ImageResize")
resize:setParameter("width", W)
resize:setParameter("height", H)
resize:bind("in_image", small)
resize:init()
resize:run()
local picture = resize:getPort("out_image")

-- EdgeDetect as it runs by default (one dispatch) and with fused = 0 (three): the same
-- outputs (spec/imgproc_spec.lua), timed side by side.
local function edgeDetect(fused)
  local node = session:createContainerNode("lluvia/imgproc/EdgeDetect")
  if fused ~= nil then node:setParameter("fused", fused) end
  node:bind("in_rgba", picture)
  node:init()
  return node
end
-- The one this device gets by default (fused = 1 on a GPU, 0 on a CPU device) is one of them.
local default = edgeDetect(nil)
local defaultFused = pcall(default.getNode, default, "edges") and 1 or 0
local edges = defaultFused == 1 and default or edgeDetect(1)
local staged = defaultFused == 0 and default or edgeDetect(0)

-- The dispatches of each, in order, and the images each reads and writes.
local STAGES = {
  {"fused = 1 (one dispatch)", edges:getNode("edges"), {"in_rgba"},
    {"out_gray", "out_magnitude", "out_edges"}},
  {"fused = 0: RGBA2Gray, blur x", staged:getNode("gray_blur_x"), {"in_rgba"}, {"out_gray", "out_blur"}},
  {"fused = 0: GaussianBlur y", staged:getNode("blur_y"), {"in_image"}, {"out_image"}},
  {"fused = 0: Sobel, threshold", staged:getNode("sobel"), {"in_gray"}, {"out_magnitude", "out_edges"}},
}

local BYTES = {Uint8 = 1, Int8 = 1, Uint16 = 2, Int16 = 2, Float16 = 2, Uint32 = 4, Int32 = 4,
  Float32 = 4}
local function bytesOf(view) return view.width * view.height * view.channels * BYTES[view.channelType] end

-- Each image read once and written once: what the node must move at the least.
local function stageBytes(stage)
  local n = 0
  for _, list in ipairs({stage[3], stage[4]}) do
    for _, port in ipairs(list) do n = n + bytesOf(stage[2]:getPort(port)) end
  end
  return n
end

-- Min over the runs of each interval between consecutive timestamps of cb.
local function bestIntervals(cb, runs)
  session:run(cb) -- warm
  local best
  for _ = 1, runs do
    session:run(cb)
    local t = cb:timestamps()
    best = best or {}
    for i = 2, #t do best[i - 1] = math.min(best[i - 1] or math.huge, t[i] - t[i - 1]) end
  end
  return best
end

-- One command buffer: a timestamp before and after each dispatch, then around each whole
-- container's run.
local cb = session:createCommandBuffer()
cb:begin()
cb:timestamp()
for i, stage in ipairs(STAGES) do
  if i > 1 then cb:memoryBarrier() end
  cb:run(stage[2])
  cb:timestamp()
end
for _, node in ipairs({edges, staged}) do
  cb:memoryBarrier()
  cb:timestamp()
  cb:run(node)
  cb:timestamp()
end
cb:ends()

local runs = math.tointeger(options.runs)
local best = bestIntervals(cb, runs)
-- Intervals: one per stage, then (barrier, edges, barrier, staged) as 2 per container.
local edgesS, stagedS = best[#STAGES + 2] * 1e-9, best[#STAGES + 4] * 1e-9

-- The default's whole run as the host sees it: submit, wait.
local hostBest = math.huge
for _ = 1, runs do
  local t0 = ll.clock()
  session:run(default)
  hostBest = math.min(hostBest, ll.clock() - t0)
end

print(("EdgeDetect on %dx%d RGBA Uint8, %s (%s), best of %d runs; bound %.3g B/s"):format(W, H,
  session.deviceName, session.deviceType, runs, options.bandwidth))
print(("date %s UTC"):format(os.date("!%Y-%m-%d %H:%M")))
print()
local t = benchtable.new({"node", "ms (GPU)", "MB moved", "GB/s", "of bound"})
local function row(name, bytes, s)
  t:row(name, ("%.3f"):format(s * 1e3), ("%.3f"):format(bytes / 1e6),
    ("%.1f"):format(bytes / s / 1e9), ("%.3g%%"):format(100 * bytes / s / options.bandwidth))
end
local edgesBytes, stagedBytes = stageBytes(STAGES[1]), 0
for i, stage in ipairs(STAGES) do
  local bytes = stageBytes(stage)
  if i > 1 then stagedBytes = stagedBytes + bytes end
  row(stage[1], bytes, best[i] * 1e-9)
end
row("fused = 1 (one run)", edgesBytes, edgesS)
row("fused = 0 (one run)", stagedBytes, stagedS)
t:print()
print()
local wholeS = defaultFused == 1 and edgesS or stagedS
print(("EdgeDetect (this device's default, fused = %d), data on the device: %.3f ms by GPU " ..
  "timestamps, %.3f ms on the host clock (submit and wait)"):format(defaultFused, wholeS * 1e3,
  hostBest * 1e3))
print(("the bound's time for its bytes: %.3f ms"):format(
  (defaultFused == 1 and edgesBytes or stagedBytes) / options.bandwidth * 1e3))
print(("ratio fused = 0 (three dispatches) / fused = 1 (one): %.2f"):format(stagedS / edgesS))

-- PyTorch: the same pipeline (bench/edges_torch.py), where python3 has torch.
if options.noTorch then
  print("PyTorch: not run (--no-torch)")
elseif os.execute("python3 -c 'import torch' >/dev/null 2>&1") then
  local p = io.popen(("python3 bench/edges_torch.py --width %d --height %d --runs %d"):format(W, H, runs))
  local out = p:read("a")
  p:close()
  local ms = tonumber(out:match("eager_ms ([%d.]+)"))
  io.write(out)
  if ms then
    print(("ratio PyTorch eager / lluvia-lua EdgeDetect: %.2f"):format(ms / (wholeS * 1e3)))
  end
  local compiled = tonumber(out:match("compiled_ms ([%d.]+)"))
  if compiled then
    print(("ratio torch.compile / lluvia-lua EdgeDetect: %.2f"):format(compiled / (wholeS * 1e3)))
  end
else
  print("PyTorch not installed")
end
