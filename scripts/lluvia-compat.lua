-- lluvia-compat.lua: runs lluvia's own node library (its builder scripts and shaders, from
-- a lluvia checkout given on the command line: nothing is fetched) through lluvia-lua, as
-- lluvia's *_test.py files use each node: the same inputs, parameters, binds, init, run and
-- checks, translated to Lua. Counts the nodes that load, init and run with zero validation
-- messages, once with lluvia's GLSL library (lluvia/glsl/lib), once with the built-in one,
-- and, where glslangValidator is installed, once from a .zip in the layout of lluvia's
-- lluvia_node_library.zip (each .lua beside its shader's .comp.spv, as lluvia's build packs it).
-- Not for: the specs (spec/, which use the project's own nodes); this is a report.
--
--   lluvia-lua scripts/lluvia-compat.lua /tmp/lluvia [--verbose] [--only NAME]
--
-- where /tmp/lluvia holds lluvia's `lluvia` folder, for instance from a clone:
--   git -C <lluvia clone> archive HEAD lluvia | tar -x -C /tmp/lluvia
-- Exits 0 when every node with a test runs, 1 otherwise.
local ll = require "lluvia"

local checkout, verbose, only
do
  local i = 1
  while arg[i] do
    if arg[i] == "--verbose" then verbose = true
    elseif arg[i] == "--only" then i = i + 1; only = arg[i]
    elseif not checkout then checkout = arg[i]
    else io.stderr:write("lluvia-compat: unexpected argument ", arg[i], "\n") os.exit(2) end
    i = i + 1
  end
end
if not checkout then
  io.stderr:write("usage: lluvia-lua scripts/lluvia-compat.lua LLUVIA_CHECKOUT [--verbose] [--only NAME]\n")
  os.exit(2)
end
checkout = checkout:gsub("/+$", "")
local nodesDir = checkout .. "/lluvia/nodes"
local glslLib = checkout .. "/lluvia/glsl/lib"
local mouse = checkout .. "/lluvia/resources/mouse.jpg"

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end
if not exists(nodesDir .. "/lluvia/color/RGBA2Gray.lua") then
  io.stderr:write("lluvia-compat: no lluvia node library under ", nodesDir, "\n")
  os.exit(2)
end

local P = ll.Parameter

---------------------------------------------------------------------------------------------
-- Inputs, as the Python tests make them
---------------------------------------------------------------------------------------------

-- ll_util.readRGBA / readGray of lluvia/resources/mouse.jpg where ll.readImage exists;
-- otherwise a deterministic pattern of the same kind (the checks do not depend on it).
local function readImage(channels)
  if ll.readImage and exists(mouse) then
    local img = ll.readImage(mouse, {channels = channels})
    if channels == 1 then
      local s = img.shape
      return img:reshape({s[1], s[2]})
    end
    return img
  end
  local h, w = 480, 640
  local shape = channels == 1 and {h, w} or {h, w, channels}
  local a = ll.ndarray(shape, "uint8")
  for i = 1, #a do a[i] = (i * 7 + i // 641) % 256 end
  return a
end

local function astype(a, dtype)
  local out = ll.ndarray(a.shape, dtype)
  for i = 1, #a do out[i] = a[i] end
  return out
end

-- The uniform buffer of CameraUndistort_rgba8ui_test.py: K and K^-1 as std140 mat3
-- (three columns of vec4), then radial and tangential distortion (vec4 each, zero).
local function cameraBuffer(width, height)
  local cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
  local K = {{width, 0, cx}, {0, height, cy}, {0, 0, 1}}
  local Kinv = {{1 / width, 0, -cx / width}, {0, 1 / height, -cy / height}, {0, 0, 1}}
  local parts = {}
  for _, M in ipairs({K, Kinv}) do
    for c = 1, 3 do parts[#parts + 1] = string.pack("<ffff", M[1][c], M[2][c], M[3][c], 0) end
  end
  parts[#parts + 1] = string.pack("<ffffffff", 0, 0, 0, 0, 0, 0, 0, 0)
  return table.concat(parts)
end

local colormapOpts = {usageFlags = {"Sampled", "Storage", "TransferDst"},
  normalizedCoordinates = true, sampled = true}

---------------------------------------------------------------------------------------------
-- The cases: one per Python test function and parameter set
---------------------------------------------------------------------------------------------

-- A case: node, id, container, params ({name, value} set before binding), inputs
-- ({port, shape, dtype, opts} or {port, make = function(ctx)}), outputs ({port, ref,
-- channelType, channels, width = fn?, height = fn?} checked after init), check(node, ctx).
local cases = {}
local function case(c) cases[#cases + 1] = c end

local F = {[ll.FloatPrecision.FP32] = "Float32", [ll.FloatPrecision.FP16] = "Float16"}
local precisions = {{ll.FloatPrecision.FP32, "float32"}, {ll.FloatPrecision.FP16, "float16"}}

local function rgbaInput(port) return {port, make = function() return readImage(4) end} end

case{node = "lluvia/camera/CameraUndistort_rgba8ui", id = "goodUse",
  inputs = {
    {"in_rgba", {864, 1536, 4}, "uint8", {filterMode = "Nearest", addressMode = "ClampToEdge",
      normalizedCoordinates = false, sampled = true}},
    {"in_camera", buffer = function(ctx)
      local host = ctx.session:createMemory({"DeviceLocal", "HostVisible", "HostCoherent"})
      return host:createBufferFromHost(cameraBuffer(1536.0, 864.0),
        {"TransferSrc", "TransferDst", "UniformBuffer"})
    end},
  },
  outputs = {{"out_rgba", "in_rgba", "Uint8", 4}}}

case{node = "lluvia/color/BGRA2Gray", id = "goodUse", inputs = {rgbaInput("in_bgra")},
  outputs = {{"out_gray", "in_bgra", "Uint8", 1}}}
for _, dt in ipairs({"float32", "float16"}) do
  case{node = "lluvia/color/HSVA2RGBA", id = dt, inputs = {{"in_hsva", {640, 480, 4}, dt}},
    outputs = {{"out_rgba", "in_hsva", "Uint8", 4}}}
end
case{node = "lluvia/color/RGBA2BGRA", id = "goodUse", inputs = {rgbaInput("in_rgba")},
  outputs = {{"out_bgra", "in_rgba", "Uint8", 4}},
  check = function(node, ctx)
    local swapped = ctx.host.in_rgba:tostring():gsub("(.)(.)(.)(.)", "%3%2%1%4")
    assert(node:getPort("out_bgra"):toHost():tostring() == swapped, "out_bgra is not in_rgba with R and B swapped")
  end}
case{node = "lluvia/color/RGBA2Gray", id = "goodUse", inputs = {rgbaInput("in_rgba")},
  outputs = {{"out_gray", "in_rgba", "Uint8", 1}}}
case{node = "lluvia/color/RGBA2HSVA", id = "goodUse", inputs = {rgbaInput("in_rgba")},
  outputs = {{"out_hsva", "in_rgba", "Float32", 4}}}
case{node = "lluvia/color/RGBA2HSVA", id = "halfPrecision", inputs = {rgbaInput("in_rgba")},
  params = {{"float_precision", P(ll.FloatPrecision.FP16)}},
  outputs = {{"out_hsva", "in_rgba", "Float16", 4}}}

local function half(v) return math.floor(v / 2.0) end
case{node = "lluvia/imgproc/ImageDownsampleX_r8ui", id = "goodUse",
  inputs = {{"in_gray", {480, 641}, "uint8"}},
  outputs = {{"out_gray", "in_gray", "Uint8", 1, width = half}}}
case{node = "lluvia/imgproc/ImageDownsampleY_r8ui", id = "goodUse",
  inputs = {{"in_gray", {480, 641}, "uint8"}},
  outputs = {{"out_gray", "in_gray", "Uint8", 1, height = half}}}
case{node = "lluvia/imgproc/ImagePyramid_r8ui", id = "defaultLevels", container = true,
  inputs = {{"in_gray", {1920, 1080}, "uint8"}},
  outputs = {{"out_gray_0", "in_gray", "Uint8", 1}, {"out_gray", "in_gray", "Uint8", 1}}}
do
  local outs = {}
  for i = 0, 3 do
    local f = function(v) return math.floor(v / 2 ^ i) end
    outs[#outs + 1] = {"out_gray_" .. i, "in_gray", "Uint8", 1, width = f, height = f}
  end
  local top = function(v) return math.floor(v / 2 ^ 3) end
  outs[#outs + 1] = {"out_gray", "in_gray", "Uint8", 1, width = top, height = top}
  case{node = "lluvia/imgproc/ImagePyramid_r8ui", id = "severalLevels", container = true,
    params = {{"levels", P(4)}}, inputs = {{"in_gray", {1080, 1920}, "uint8"}}, outputs = outs}
end

for _, p in ipairs({
  {"Uint8", "Float16", 0.0, true}, {"Uint8", "Float32", 0.0, true},
  {"Uint16", "Float16", 0.0, true}, {"Uint16", "Float32", 0.0, true},
  {"Uint32", "Float16", 0.0, true}, {"Uint32", "Float32", 0.0, true},
  {"Uint8", "Float16", 255, false}, {"Uint8", "Float32", 255, true},
  {"Uint16", "Float16", 255, false}, {"Uint16", "Float32", 255, true},
  {"Uint32", "Float16", 255, false}, {"Uint32", "Float32", 255, true},
}) do
  local inType, outType, maxValue, checkPixels = p[1], p[2], p[3], p[4]
  case{node = "lluvia/math/normalize/ImageNormalize_uint_C1",
    id = ("%s_to_%s%s"):format(inType:lower(), outType:lower(), maxValue > 0 and "_normalized" or ""),
    inputs = {
      {"in_image_uint", make = function() return astype(readImage(1), inType:lower()) end},
      {"out_image_float", image = function(ctx)
        return ctx.memory:createImage(ctx.objects.in_image_uint.shape, outType):createImageView()
      end},
    },
    params = {{"max_value", P(maxValue)}},
    outputs = {{"out_image_float", "in_image_uint", outType, 1}},
    check = function(node, ctx)
      if not checkPixels then return end
      local input = ctx.objects.in_image_uint:toHost()
      local output = node:getPort("out_image_float"):toHost()
      for i = 1, #input do
        local expected = input[i]
        if maxValue > 0 then expected = expected / maxValue end
        local got = output[i]
        assert(math.abs(got - expected) <= 1e-8 + 1e-5 * math.abs(expected),
          ("pixel %d: expected %g, got %g"):format(i, expected, got))
      end
    end}
end

for _, p in ipairs(precisions) do
  for clear = 0, 1 do
    case{node = "lluvia/opticalflow/HornSchunck/HornSchunck", container = true,
      id = p[2] .. (clear == 1 and "_clear_history" or ""),
      params = {{"iterations", P(5)}, {"float_precision", P(p[1])}, {"clear_history", P(clear)}},
      inputs = {{"in_gray", {480, 640}, "uint8"}},
      outputs = {{"out_flow", "in_gray", F[p[1]], 2}, {"out_gray", "in_gray", F[p[1]], 1}}}
  end
  case{node = "lluvia/opticalflow/HornSchunck/ImageProcessor", id = p[2],
    inputs = {{"in_gray", {480, 640}, "uint8"}, {"in_gray_old", {480, 640}, p[2]}},
    params = {{"alpha", P(0.01)}, {"float_precision", P(p[1])}},
    outputs = {{"out_image_params", "in_gray", F[p[1]], 4}}}
  case{node = "lluvia/opticalflow/HornSchunck/NumericIteration", id = p[2],
    inputs = {{"in_flow", {480, 640, 2}, p[2]}, {"out_flow", {480, 640, 2}, p[2]},
      {"in_image_params", {480, 640, 4}, p[2]}}}

  local filterOuts = {{"out_flow", "in_gray", F[p[1]], 2}, {"out_gray", "in_gray", F[p[1]], 1}}
  case{node = "lluvia/opticalflow/flowfilter/FlowFilterDelta", container = true, id = p[2],
    inputs = {{"in_gray", {480, 640}, "uint8"}, {"in_flow", {240, 320, 2}, p[2]}},
    params = {{"maxflow", P(4)}, {"smooth_iterations", P(2)}, {"float_precision", P(p[1])}},
    outputs = {filterOuts[1], {"out_delta_flow", "in_gray", F[p[1]], 2}, filterOuts[2]}}
  case{node = "lluvia/opticalflow/flowfilter/FlowFilterSimple", container = true, id = p[2],
    inputs = {{"in_gray", {480, 640}, "uint8"}},
    params = {{"max_flow", P(4)}, {"smooth_iterations", P(2)}, {"float_precision", P(p[1])}},
    outputs = filterOuts}
  for _, levels in ipairs({1, 3}) do
    case{node = "lluvia/opticalflow/flowfilter/FlowFilter", container = true,
      id = ("%s_levels%d"):format(p[2], levels),
      inputs = {{"in_gray", {480, 640}, "uint8"}},
      params = {{"levels", P(levels)}, {"maxflow", P(4)}, {"smooth_iterations", P(2)},
        {"float_precision", P(p[1])}},
      outputs = filterOuts}
  end

  local payloadIn = {{"in_flow", {480, 640, 2}, p[2]}, {"in_gray", {480, 640}, p[2]},
    {"in_vector", {480, 640, 2}, p[2]}}
  local payloadOut = {{"out_flow", "in_flow", F[p[1]], 2}, {"out_gray", "in_gray", F[p[1]], 1},
    {"out_vector", "in_vector", F[p[1]], 2}}
  for _, axis in ipairs({"X", "Y"}) do
    case{node = "lluvia/opticalflow/flowfilter/FlowPredictPayload" .. axis, id = p[2],
      inputs = payloadIn, outputs = payloadOut}
    case{node = "lluvia/opticalflow/flowfilter/FlowPredict" .. axis, id = p[2],
      inputs = {payloadIn[1]}, outputs = {payloadOut[1]}}
  end
  case{node = "lluvia/opticalflow/flowfilter/FlowPredictPayload", container = true, id = p[2],
    params = {{"max_flow", P(4)}}, inputs = payloadIn, outputs = payloadOut}
  case{node = "lluvia/opticalflow/flowfilter/FlowPredict", container = true, id = p[2],
    params = {{"max_flow", P(4)}}, inputs = {payloadIn[1]}, outputs = {payloadOut[1]}}
  case{node = "lluvia/opticalflow/flowfilter/FlowSmooth", id = p[2],
    inputs = {payloadIn[1]}, outputs = {payloadOut[1]}}
  case{node = "lluvia/opticalflow/flowfilter/FlowUpdateDelta", id = p[2],
    inputs = {{"in_gray", {480, 640}, p[2]}, {"in_gradient", {480, 640, 2}, p[2]},
      {"in_delta_flow", {480, 640, 2}, p[2]}, {"in_gray_old", {480, 640}, p[2]},
      {"in_flow", {240, 320, 2}, p[2], {normalizedCoordinates = true, sampled = true}},
      {"out_gray", {480, 640}, p[2]}, {"out_delta_flow", {480, 640, 2}, p[2]}},
    outputs = {{"out_gray", "in_gray", F[p[1]], 1}}}
  case{node = "lluvia/opticalflow/flowfilter/FlowUpdate", id = p[2],
    inputs = {{"in_gray", {480, 640}, p[2]}, {"in_gradient", {480, 640, 2}, p[2]},
      {"in_flow", {480, 640, 2}, p[2]}, {"out_flow", {480, 640, 2}, p[2]}},
    outputs = {{"out_gray", "in_gray", F[p[1]], 1}}}
  case{node = "lluvia/opticalflow/flowfilter/ImageModel", id = p[2],
    params = {{"float_precision", P(p[1])}}, inputs = {{"in_gray", {480, 640}, "uint8"}},
    outputs = {{"out_gray", "in_gray", F[p[1]], 1}, {"out_gradient", "in_gray", F[p[1]], 2}}}
  case{node = "lluvia/viz/Flow2RGBA", id = p[2], params = {{"max_flow", P(1.0)}},
    inputs = {payloadIn[1]}, outputs = {{"out_rgba", "in_flow", "Uint8", 4}}}
end

local colormapParams = {{"min_value", P(0.0)}, {"max_value", P(1.0)}, {"alpha", P(1.0)},
  {"reverse", P(false)}}
for kind, dtypes in pairs({float = {"float16", "float32"}, int = {"int8", "int16", "int32"},
    uint = {"uint8", "uint16", "uint32"}}) do
  for _, dt in ipairs(dtypes) do
    case{node = "lluvia/viz/colormap/ColorMap_" .. kind, id = dt, params = colormapParams,
      inputs = {{"in_image", {480, 640, 1}, dt}, {"in_colormap", {1, 1, 256, 4}, "uint8", colormapOpts}},
      outputs = {{"out_rgba", "in_image", "Uint8", 4}}}
  end
end
for _, dt in ipairs({"uint8", "uint16", "uint32", "int8", "int16", "int32", "float16", "float32"}) do
  for _, map in ipairs({"viridis", "plasma", "inferno", "magma", "cividis", "gray", "purples",
      "blues", "greens", "oranges", "reds", "spectral", "coolwarm", "bwr", "seismic",
      "twilight", "hsv"}) do
    local params = {{"colormap", P(map)}}
    for _, p in ipairs(colormapParams) do params[#params + 1] = p end
    case{node = "lluvia/viz/colormap/ColorMap", container = true, id = dt .. "_" .. map,
      params = params, inputs = {{"in_image", {480, 640, 1}, dt}},
      outputs = {{"out_rgba", "in_image", "Uint8", 4}}}
  end
end

---------------------------------------------------------------------------------------------
-- Running
---------------------------------------------------------------------------------------------

local function makeInput(ctx, spec)
  if spec.buffer then return spec.buffer(ctx) end
  if spec.image then return spec.image(ctx) end
  local arr = spec.make and spec.make(ctx) or ll.ndarray(spec[2], spec[3])
  ctx.host[spec[1]] = arr
  if spec[4] then return ctx.memory:createImageViewFromHost(arr, spec[4]) end
  return ctx.memory:createImageViewFromHost(arr)
end

local function checkOutput(node, ctx, o)
  local port, ref, ct, channels = o[1], ctx.objects[o[2]], o[3], o[4]
  local out = node:getPort(port)
  assert(out ~= nil, port .. " is nil")
  local w = o.width and o.width(ref.width) or ref.width
  local h = o.height and o.height(ref.height) or ref.height
  assert(out.width == w, ("%s.width: expected %d, got %s"):format(port, w, tostring(out.width)))
  assert(out.height == h, ("%s.height: expected %d, got %s"):format(port, h, tostring(out.height)))
  assert(out.depth == ref.depth, port .. ".depth differs from " .. o[2] .. "'s")
  assert(out.channelType == ct, ("%s.channelType: expected %s, got %s"):format(port, ct, tostring(out.channelType)))
  assert(out.channels == channels, ("%s.channels: expected %d, got %s"):format(port, channels, tostring(out.channels)))
end

-- Runs one case in session; returns the stage it failed at (nil: passed) and the error.
local function runCase(session, c)
  local ctx = {session = session, objects = {}, host = {}}
  local stage = "create"
  local ok, err = xpcall(function()
    ctx.memory = session:createMemory({"DeviceLocal"}, 0)
    local node = c.container and session:createContainerNode(c.node) or session:createComputeNode(c.node)
    stage = "bind"
    for _, p in ipairs(c.params or {}) do node:setParameter(p[1], p[2]) end
    for _, spec in ipairs(c.inputs or {}) do
      local obj = makeInput(ctx, spec)
      ctx.objects[spec[1]] = obj
      node:bind(spec[1], obj)
    end
    stage = "init"
    node:init()
    stage = "check"
    for _, o in ipairs(c.outputs or {}) do checkOutput(node, ctx, o) end
    stage = "run"
    session:run(node)
    stage = "check"
    if c.check then c.check(node, ctx) end
  end, debug.traceback)
  if ok then return nil end
  return stage, err
end

local function countBy(list)
  local n = 0
  for _ in pairs(list) do n = n + 1 end
  return n
end

-- One pass: a session, the library (a folder or a zip) loaded, every case run. Returns
-- the counts.
local function pass(label, includeDirs, library)
  library = library or nodesDir
  print(("== %s"):format(label))
  local session = ll.createSession{enableDebug = true, loadNodeLibrary = false}
  print(("device: %s (%s); validation layer: %s; input picture: %s"):format(session.deviceName,
    session.deviceType, session.validationEnabled and "on" or "NOT AVAILABLE",
    (ll.readImage and exists(mouse)) and mouse or "a generated pattern"))
  local before = ll.debugMessageCount()
  local ok, err = pcall(session.loadLibrary, session, library, {includeDirs = includeDirs})
  if ok then
    print(("loadLibrary(%s): %d programs, %d scripts"):format(library, err.programs, err.scripts))
  elseif library ~= nodesDir then
    print("loadLibrary failed: " .. tostring(err))
  else
    print("loadLibrary failed: " .. tostring(err))
    -- file by file, to find what loads
    for line in io.popen("cd '" .. nodesDir .. "' && find . -name '*.comp' -o -name '*.lua' | sort"):lines() do
      local rel = line:sub(3)
      local path = nodesDir .. "/" .. rel
      local f = assert(io.open(path, "rb"))
      local text = f:read("a")
      f:close()
      local fok, ferr
      if rel:sub(-5) == ".comp" then
        local dirs = {nodesDir}
        for _, d in ipairs(includeDirs) do dirs[#dirs + 1] = d end
        fok, ferr = pcall(function()
          session:setProgram(rel, session:compileProgram(text, {includeDirs = dirs, name = rel}))
        end)
      else
        fok, ferr = pcall(session.scriptFile, session, path)
      end
      if not fok then print(("  %s: %s"):format(rel, tostring(ferr))) end
    end
  end
  local loadMessages = ll.debugMessageCount() - before

  local builders = {}
  for _, d in ipairs(session:getNodeBuilderDescriptors()) do builders[d.name] = d end
  local results = {} -- node -> {cases, initOk, runOk, failures}
  for _, c in ipairs(cases) do
    if not only or c.node == only then
      local r = results[c.node] or {cases = 0, init = 0, run = 0}
      results[c.node] = r
      r.cases = r.cases + 1
      local m0 = ll.debugMessageCount()
      local stage, cerr = runCase(session, c)
      local messages = ll.debugMessageCount() - m0
      collectgarbage()
      if stage == nil or (stage ~= "create" and stage ~= "bind" and stage ~= "init") then
        r.init = r.init + 1
      end
      if stage == nil and messages == 0 then
        r.run = r.run + 1
      else
        r.failure = r.failure or ("%s [%s]: %s%s"):format(c.id, stage or "validation",
          stage and tostring(cerr) or "", messages > 0 and (" (%d validation messages)"):format(messages) or "")
      end
    end
  end

  local names = {}
  for name in pairs(builders) do
    if not only or name == only then names[#names + 1] = name end
  end
  table.sort(names)
  local nLoad, nTested, nInit, nRun = 0, 0, 0, 0
  for _, name in ipairs(names) do
    local b = builders[name]
    local hasProgram = b.type == "Container" or session:getProgram(name .. ".comp") ~= nil
    if hasProgram then nLoad = nLoad + 1 end
    local r = results[name]
    local status
    if r then
      nTested = nTested + 1
      local initAll, runAll = r.init == r.cases, r.run == r.cases
      if initAll then nInit = nInit + 1 end
      if runAll then nRun = nRun + 1 end
      status = ("%d/%d cases init, %d/%d run"):format(r.init, r.cases, r.run, r.cases)
      if r.failure then
        local first = r.failure:match("^[^\n]*")
        status = status .. "; first failure: " .. (verbose and r.failure or first)
      end
    else
      -- Sobel.lua is broken upstream (it asks for a program named 'Sobel' and its
      -- onNodeInit reads an undefined out_gray): it must load and register, no more.
      local cok, cerr = pcall(session.createComputeNode, session, name)
      status = "no test (loads and registers only); createComputeNode: "
        .. (cok and "made" or ("fails as in lluvia: " .. tostring(cerr):match("^[^\n]*")))
    end
    print(("%-48s %s%s"):format(name, hasProgram and "" or "[no program] ", status))
  end
  for name in pairs(results) do
    if not builders[name] then print(("%-48s NOT LOADED"):format(name)) end
  end
  print(("%s: %d builders registered, %d with their program; of %d nodes with tests: %d init, %d run with zero validation messages (%d messages while loading)")
    :format(label, #names, nLoad, countBy(results), nInit, nRun, loadMessages))
  session:release()
  return {registered = #names, loaded = nLoad, tested = countBy(results), init = nInit, run = nRun}
end

-- lluvia_node_library.zip's layout, made here as lluvia's build makes it: every .comp
-- compiled by glslangValidator (which needs the include extension and "..." includes),
-- stored as <path>.spv beside the .lua files. Nil when glslangValidator is missing.
local function makeZip()
  local tmp = os.tmpname()
  os.remove(tmp)
  if not os.execute("command -v glslangValidator >/dev/null && mkdir -p '" .. tmp .. "'") then
    return nil
  end
  local entries = {}
  for line in io.popen("cd '" .. nodesDir .. "' && find . -name '*.comp' -o -name '*.lua' | sort"):lines() do
    local rel = line:sub(3)
    local f = assert(io.open(nodesDir .. "/" .. rel, "rb"))
    local text = f:read("a")
    f:close()
    if rel:sub(-4) == ".lua" then
      entries[#entries + 1] = {name = rel, data = text}
    else
      local src = text:gsub("#version 450", "#version 450\n#extension GL_GOOGLE_include_directive : enable", 1)
        :gsub("#include%s*<([^>]*)>", '#include "%1"')
      local comp = tmp .. "/shader.comp"
      local w = assert(io.open(comp, "wb"))
      w:write(src)
      w:close()
      local spv = tmp .. "/shader.spv"
      if not os.execute(("glslangValidator -V --target-env vulkan1.0 -I'%s' -o '%s' '%s' >/dev/null")
          :format(glslLib, spv, comp)) then
        print("glslangValidator failed on " .. rel)
      else
        local r = assert(io.open(spv, "rb"))
        entries[#entries + 1] = {name = rel .. ".spv", data = r:read("a")}
        r:close()
      end
    end
  end
  local zip = tmp .. "/lluvia_node_library.zip"
  ll._debug.writeZip(zip, entries)
  return zip, tmp
end

local results = {
  pass("lluvia's GLSL library (" .. glslLib .. ")", {glslLib}),
  pass("the built-in GLSL library", {}),
}
local zip, tmp = makeZip()
if zip then
  results[#results + 1] = pass("lluvia_node_library.zip's layout, SPIR-V by glslangValidator", {}, zip)
  os.execute("rm -rf '" .. tmp .. "'")
else
  print("== the zip pass needs glslangValidator (glslang-tools): skipped")
end
local allRun = true
for _, r in ipairs(results) do allRun = allRun and r.run == r.tested end
os.exit(allRun and 0 or 1, true) -- close the state: every object released
