-- edges.lua: lluvia-lua's main job: the edges of a picture, found on the GPU by the built-in
-- node lluvia/imgproc/EdgeDetect (gray, Gaussian blur, Sobel magnitude, threshold), written as
-- an image, with the time of each stage. Not for: measuring (bench/bench_edges.lua does).
--   build/lluvia-lua examples/edges.lua in.png out.png [--device ID] [--sigma S] [--threshold T]
--       [--fused 0|1]
local ll = require "lluvia"
package.path = (arg[0]:match("^(.*)/") or ".") .. "/?.lua;" .. package.path
local cli = require "cli"

local USAGE = "usage: edges.lua in.png out.png [--device ID] [--sigma S] [--threshold T] [--fused 0|1]"

-- sigma, threshold and fused: the node's own defaults where not given (false: not given).
local paths, options = cli.parse(arg, USAGE, 2,
  {device = false, sigma = false, threshold = false, fused = false}, {"sigma", "threshold", "fused"})
local inPath, outPath = paths[1], paths[2]
local session <close> = ll.createSession{device = options.device or nil}
local memory <close> = session:createMemory({"DeviceLocal"})

local picture = ll.readImage(inPath, {channels = 4})
local height, width = picture.shape[1], picture.shape[2]
print(("%s: %dx%d on %s (%s)"):format(inPath, width, height, session.deviceName, session.deviceType))

local times = {} -- {stage, milliseconds, clock}
local function timed(stage, f)
  local t0 = ll.clock()
  local r = f()
  times[#times + 1] = {stage, (ll.clock() - t0) * 1e3, "host clock"}
  return r
end

local input = timed("upload", function() return memory:createImageViewFromHost(picture) end)

local edges = session:createContainerNode("lluvia/imgproc/EdgeDetect")
if options.sigma then edges:setParameter("sigma", options.sigma) end
if options.threshold then edges:setParameter("threshold", options.threshold) end
if options.fused then edges:setParameter("fused", options.fused) end
edges:bind("in_rgba", input)
edges:init()

-- Each stage is a child node of EdgeDetect: one ("edges") on a GPU, three on a CPU device or
-- with --fused 0 (the node's doc says why). One command buffer runs them all, with a
-- timestamp after each where the device has timestamps.
local STAGES = {"edges"}
if not pcall(edges.getNode, edges, "edges") then STAGES = {"gray_blur_x", "blur_y", "sobel"} end
local cb = session:createCommandBuffer()
cb:begin()
local stamped = pcall(cb.timestamp, cb)
for i, stage in ipairs(STAGES) do
  if i > 1 then cb:memoryBarrier() end
  cb:run(edges:getNode(stage))
  if stamped then cb:timestamp() end
end
cb:ends()
session:run(cb) -- once to warm the pipelines and caches, then timed
if stamped then
  session:run(cb)
  local t = cb:timestamps()
  for i, stage in ipairs(STAGES) do
    times[#times + 1] = {stage, (t[i + 1] - t[i]) / 1e6, "GPU timestamps"}
  end
else
  for _, stage in ipairs(STAGES) do
    local node = edges:getNode(stage)
    timed(stage, function() session:run(node) end)
  end
end

local result = timed("download", function() return edges:getPort("out_edges"):toHost() end)
timed("write", function() ll.writeImage(outPath, result) end)

local total = 0
for _, row in ipairs(times) do
  print(("  %-10s %9.3f ms  (%s)"):format(row[1], row[2], row[3]))
  total = total + row[2]
end
local count = 0
for i = 1, #result do
  if result[i] == 255 then count = count + 1 end
end
print(("  %-10s %9.3f ms"):format("total", total))
print(("wrote %s: %dx%d, %.1f%% edge pixels (sigma %g, threshold %g)"):format(outPath, width,
  height, 100 * count / #result, edges:getParameter("sigma"), edges:getParameter("threshold")))
