-- edges.lua: lluvia-lua's main job: the edges of a picture, found on the GPU by the built-in
-- node lluvia/imgproc/EdgeDetect (gray, Gaussian blur, Sobel magnitude, threshold), written as
-- an image, with the time of each stage. Not for: measuring (bench/bench_edges.lua does).
--   build/lluvia-lua examples/edges.lua in.png out.png [--device ID] [--sigma S] [--threshold T]
local ll = require "lluvia"

local USAGE = "usage: edges.lua in.png out.png [--device ID] [--sigma S] [--threshold T]"

-- The command line: the input and output paths and the options.
local function parseArgs(argv)
  local options, paths, i = {}, {}, 1
  while i <= #argv do
    local a = argv[i]
    if a == "--device" or a == "--sigma" or a == "--threshold" then
      if argv[i + 1] == nil then error(a .. " needs a value\n" .. USAGE, 0) end
      options[a:sub(3)] = argv[i + 1]
      i = i + 2
    elseif a:sub(1, 2) == "--" then
      error("unknown option " .. a .. "\n" .. USAGE, 0)
    else
      paths[#paths + 1] = a
      i = i + 1
    end
  end
  if #paths ~= 2 then error(USAGE, 0) end
  for _, k in ipairs({"sigma", "threshold"}) do
    if options[k] ~= nil then
      options[k] = tonumber(options[k]) or error(("--%s takes a number, got '%s'"):format(k, options[k]), 0)
    end
  end
  -- A device is an id from ll.getAvailableDevices() or a part of its name.
  if options.device ~= nil then options.device = math.tointeger(tonumber(options.device)) or options.device end
  return paths[1], paths[2], options
end

local inPath, outPath, options = parseArgs(arg)
local session <close> = ll.createSession{device = options.device}
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
edges:bind("in_rgba", input)
edges:init()

-- Each stage is a child node of EdgeDetect; one command buffer runs them all, with a
-- timestamp after each where the device has timestamps.
local STAGES = {"gray", "blur", "sobel", "threshold"}
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
