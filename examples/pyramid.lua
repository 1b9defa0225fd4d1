-- pyramid.lua: the levels of an image pyramid of a picture's gray, made on the GPU by the
-- built-in container node lluvia/imgproc/ImagePyramid_r8ui (each level half the one before,
-- by ImageDownsampleX_r8ui then ImageDownsampleY_r8ui), written as prefix_0.png (the gray
-- picture itself), prefix_1.png, ...
--   build/lluvia-lua examples/pyramid.lua in.png prefix [--levels N] [--device ID]
local ll = require "lluvia"
package.path = (arg[0]:match("^(.*)/") or ".") .. "/?.lua;" .. package.path
local cli = require "cli"

local USAGE = "usage: pyramid.lua in.png prefix [--levels N] [--device ID]"

local paths, options = cli.parse(arg, USAGE, 2, {levels = 4, device = false}, {"levels"})
local inPath, prefix = paths[1], paths[2]
if math.tointeger(options.levels) == nil or options.levels < 1 then
  error(("--levels takes an integer >= 1, got '%s'"):format(options.levels), 0)
end
local session <close> = ll.createSession{device = options.device or nil}
local memory <close> = session:createMemory({"DeviceLocal"})

local gray = ll.readImage(inPath, {channels = 1})
local pyramid = session:createContainerNode("lluvia/imgproc/ImagePyramid_r8ui")
pyramid:setParameter("levels", ll.Parameter(options.levels))
pyramid:bind("in_gray", memory:createImageViewFromHost(gray))
pyramid:init()
local t0 = ll.clock()
pyramid:run()
print(("%s: %d levels in %.3f ms on %s"):format(inPath, options.levels,
  (ll.clock() - t0) * 1e3, session.deviceName))

for level = 0, options.levels - 1 do
  local view = pyramid:getPort("out_gray_" .. level)
  local path = ("%s_%d.png"):format(prefix, level)
  ll.writeImage(path, view:toHost())
  print(("  level %d: %dx%d -> %s"):format(level, view.width, view.height, path))
end
