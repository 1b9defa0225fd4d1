-- imgproc_spec.lua: the built-in image-processing nodes (lluvia/imgproc/GaussianBlur, Sobel,
-- ImageResize, EdgeDetect): every output pixel against a reference computed here in Lua,
-- and the argument errors of bad inputs and parameters.
local ll = require "lluvia"
local support = require "support"

local session = support.session()
local memory = session:createMemory({"DeviceLocal"})

-- A deterministic pseudo-random image {h, w, c} of dtype, values in [lo, hi].
local function picture(h, w, c, dtype, lo, hi, seed)
  local arr = ll.ndarray({h, w, c}, dtype)
  local x = seed or 12345
  for i = 1, #arr do
    x = (x * 1103515245 + 12345) % 2147483648
    local v = lo + (x % 1000003) / 1000003 * (hi - lo)
    if dtype:find("int") then v = math.floor(v + 0.5) end
    arr[i] = v
  end
  return arr
end

-- arr's value at (y, x, channel), 1-based, with the coordinates clamped to the image.
local function at(arr, y, x, ch)
  local shape = arr.shape
  y = math.max(1, math.min(shape[1], y))
  x = math.max(1, math.min(shape[2], x))
  return arr:get(y, x, ch)
end

-- Asserts that `got` (an ndarray) is `want(y, x, ch)` everywhere within `tolerance(v)`.
local function assertEvery(got, want, tolerance, what)
  local shape = got.shape
  if #shape == 2 then shape[3] = 1 end
  local get = #got.shape == 2 and function(y, x) return got:get(y, x) end or
    function(y, x, ch) return got:get(y, x, ch) end
  for y = 1, shape[1] do
    for x = 1, shape[2] do
      for ch = 1, shape[3] do
        local g, w = get(y, x, ch), want(y, x, ch)
        if math.abs(g - w) > tolerance(w) then
          error(("%s: pixel (x %d, y %d, channel %d) is %.9g, expected %.9g"):format(what,
            x - 1, y - 1, ch, g, w), 2)
        end
      end
    end
  end
end

local function exact() return 0 end

---------------------------------------------------------------------------------------------
-- References
---------------------------------------------------------------------------------------------

-- The separable Gaussian of arr (sigma, radius), borders clamped: an ndarray of float64.
local function gaussianReference(arr, sigma, radius)
  local h, w, c = table.unpack(arr.shape)
  local weights, sum = {}, 0
  for i = -radius, radius do
    weights[i] = math.exp(-i * i / (2 * sigma * sigma))
    sum = sum + weights[i]
  end
  local pass = function(src, dy, dx)
    local out = ll.ndarray({h, w, c}, "float64")
    for y = 1, h do
      for x = 1, w do
        for ch = 1, c do
          local acc = 0
          for i = -radius, radius do acc = acc + weights[i] * at(src, y + i * dy, x + i * dx, ch) end
          out:set(acc / sum, y, x, ch)
        end
      end
    end
    return out
  end
  return pass(pass(arr, 0, 1), 1, 0)
end

-- Sobel's gx, gy of a gray arr {h, w, 1}, borders clamped.
local function sobelReference(arr, y, x)
  local v = function(dy, dx) return at(arr, y + dy, x + dx, 1) end
  local gx = (v(-1, 1) + 2 * v(0, 1) + v(1, 1)) - (v(-1, -1) + 2 * v(0, -1) + v(1, -1))
  local gy = (v(1, -1) + 2 * v(1, 0) + v(1, 1)) - (v(-1, -1) + 2 * v(-1, 0) + v(-1, 1))
  return gx, gy
end

-- Bilinear resizing of arr to outW x outH at (y, x, ch), pixel centres aligned (OpenCV's
-- INTER_LINEAR), before rounding.
local function resizeReference(arr, outW, outH, y, x, ch)
  local h, w = arr.shape[1], arr.shape[2]
  local sx = (x - 0.5) * w / outW - 0.5
  local sy = (y - 0.5) * h / outH - 0.5
  local x0, y0 = math.floor(sx), math.floor(sy)
  local fx, fy = sx - x0, sy - y0
  local v = function(yy, xx) return at(arr, yy + 1, xx + 1, ch) end
  local top = v(y0, x0) * (1 - fx) + v(y0, x0 + 1) * fx
  local bottom = v(y0 + 1, x0) * (1 - fx) + v(y0 + 1, x0 + 1) * fx
  return top * (1 - fy) + bottom * fy
end

local function view(arr) return memory:createImageViewFromHost(arr) end

local function node(name) return session:createContainerNode(name) end

-- Expects init of a `name` node with `params` set and `bindings` bound to raise `fragment`.
local function initError(name, fragment, params, bindings)
  local n = node(name)
  for k, v in pairs(params) do n:setParameter(k, v) end
  for _, b in ipairs(bindings) do n:bind(b[1], b[2]) end
  support.raises(fragment, n.init, n)
end

---------------------------------------------------------------------------------------------
-- GaussianBlur
---------------------------------------------------------------------------------------------

describe("lluvia/imgproc/GaussianBlur", function()
  support.no_validation_messages()

  -- Blurs arr with the parameters given; the output and the reference.
  local function blur(arr, params)
    local n = node("lluvia/imgproc/GaussianBlur")
    for k, v in pairs(params or {}) do n:setParameter(k, v) end
    n:bind("in_image", view(arr))
    n:init()
    n:run()
    return n, n:getPort("out_image")
  end

  -- Float32 output: within 1e-4 of the reference, relative to the value (at least 1e-4).
  local function f32(w) return 1e-4 * math.max(1, math.abs(w)) end

  for _, case in ipairs({
      {"Uint8 C1", {9, 11, 1}, "uint8", 0, 255},
      {"Uint16 C2", {6, 7, 2}, "uint16", 0, 65535},
      {"Int16 C4", {5, 6, 4}, "int16", -3000, 3000},
      {"Int8 C1", {5, 8, 1}, "int8", -128, 127},
      {"Uint32 C1", {4, 5, 1}, "uint32", 0, 100000},
      {"Int32 C2", {4, 5, 2}, "int32", -100000, 100000},
      {"Float16 C1", {5, 6, 1}, "float16", -2, 2},
      {"Float32 C4", {7, 5, 4}, "float32", -1, 1}}) do
    local label, shape, dtype, lo, hi = table.unpack(case)
    it("blurs " .. label .. " with sigma 1 (radius 3) into Float32 of the same channels", function()
      local arr = picture(shape[1], shape[2], shape[3], dtype, lo, hi)
      local _, out = blur(arr)
      assert.are.equal("Float32", out.channelType)
      assert.are.same({1, shape[1], shape[2], shape[3]}, out.shape)
      local ref = gaussianReference(arr, 1.0, 3)
      local got = out:toHost()
      if #got.shape == 2 then got = got:reshape({shape[1], shape[2], 1}) end
      assertEvery(got, function(y, x, ch) return ref:get(y, x, ch) end, f32, label)
    end)
  end

  it("takes sigma and radius, and a radius of 0 copies the input", function()
    local arr = picture(8, 9, 1, "uint8", 0, 255, 7)
    local _, out = blur(arr, {sigma = 2.5, radius = ll.Parameter(4)})
    local ref = gaussianReference(arr, 2.5, 4)
    assertEvery(out:toHost():reshape({8, 9, 1}), function(y, x, ch) return ref:get(y, x, ch) end,
      f32, "sigma 2.5 radius 4")
    local _, same = blur(arr, {radius = ll.Parameter(0)})
    assertEvery(same:toHost():reshape({8, 9, 1}), function(y, x, ch) return arr:get(y, x, ch) end,
      exact, "radius 0")
  end)

  it("defaults radius to ceil(3 sigma)", function()
    local arr = picture(6, 20, 1, "uint8", 0, 255, 9)
    local _, out = blur(arr, {sigma = 1.4})
    local ref = gaussianReference(arr, 1.4, 5)
    assertEvery(out:toHost():reshape({6, 20, 1}), function(y, x, ch) return ref:get(y, x, ch) end,
      f32, "sigma 1.4")
  end)

  it("writes Float16 with float_precision = FP16 (within Float16's rounding)", function()
    local arr = picture(5, 6, 2, "uint8", 0, 255, 3)
    local _, out = blur(arr, {float_precision = ll.FloatPrecision.FP16})
    assert.are.equal("Float16", out.channelType)
    local ref = gaussianReference(arr, 1.0, 3)
    -- Float16 keeps 11 significant bits: half a unit of the last place is 2^-11 relative.
    assertEvery(out:toHost(), function(y, x, ch) return ref:get(y, x, ch) end,
      function(w) return math.max(1e-3, math.abs(w) * 2 ^ -10) end, "FP16")
  end)

  it("writes into an out_image bound before init", function()
    local arr = picture(4, 4, 1, "uint8", 0, 255, 5)
    local out = memory:createImageView(ll.ImageDescriptor.new(1, 4, 4, ll.ChannelCount.C1, "Float32"),
      ll.ImageViewDescriptor.new())
    local n = node("lluvia/imgproc/GaussianBlur")
    n:bind("in_image", view(arr))
    n:bind("out_image", out)
    n:init()
    n:run()
    assert.are.equal(out, n:getPort("out_image"))
    local ref = gaussianReference(arr, 1.0, 3)
    assertEvery(out:toHost():reshape({4, 4, 1}), function(y, x, ch) return ref:get(y, x, ch) end,
      f32, "bound output")
  end)

  local function blurError(fragment, params, bindings)
    local list = {}
    for _, k in ipairs({"in_image", "out_image"}) do
      if bindings[k] then list[#list + 1] = {k, bindings[k]} end
    end
    initError("lluvia/imgproc/GaussianBlur", fragment, params, list)
  end

  it("refuses sigma <= 0 at init, naming the parameter", function()
    local v = view(picture(4, 4, 1, "uint8", 0, 255))
    blurError("parameter 'sigma' must be > 0, got 0.0", {sigma = 0}, {in_image = v})
    blurError("parameter 'sigma' must be > 0, got -1.0", {sigma = -1}, {in_image = v})
  end)

  it("refuses radius < 0 and a radius that is not an integer, naming the parameter", function()
    local v = view(picture(4, 4, 1, "uint8", 0, 255))
    blurError("parameter 'radius' must be >= 0, got -1", {radius = ll.Parameter(-1)}, {in_image = v})
    blurError("parameter 'radius' must be an integer, got 1.5", {radius = 1.5}, {in_image = v})
  end)

  it("refuses float_precision FP64, naming the parameter", function()
    local v = view(picture(4, 4, 1, "uint8", 0, 255))
    blurError("parameter 'float_precision' must be", {float_precision = ll.FloatPrecision.FP64},
      {in_image = v})
  end)

  it("refuses an unbound in_image, a buffer, a sampled view and a 3D image, naming the port", function()
    blurError("port 'in_image' is not bound", {}, {})
    blurError("port 'in_image' takes an ImageView, got lluvia.Buffer", {},
      {in_image = memory:createBuffer(64)})
    blurError("port 'in_image' takes a storage (not sampled) ImageView", {},
      {in_image = memory:createImageViewFromHost(picture(4, 4, 1, "uint8", 0, 255), {sampled = true})})
    blurError("port 'in_image' takes a 2D image (depth 1), got depth 2", {},
      {in_image = view(ll.ndarray({2, 4, 4, 1}, "uint8"))})
  end)

  it("refuses an image without Sampled usage, naming the port", function()
    local img = memory:createImage({4, 4, 1}, "uint8", {"Storage", "TransferDst"})
    blurError("port 'in_image' needs an image with Sampled usage", {}, {in_image = img:createImageView()})
  end)

  it("refuses a bound out_image of another size or channel type, naming the port", function()
    local v = view(picture(4, 4, 1, "uint8", 0, 255))
    blurError("port 'out_image' image must be 4x4 (width x height), got 5x4", {},
      {in_image = v, out_image = view(ll.ndarray({4, 5, 1}, "float32"))})
    blurError("port 'out_image' image channel type must be one of Float32, got Uint8", {},
      {in_image = v, out_image = view(ll.ndarray({4, 4, 1}, "uint8"))})
  end)
end)

---------------------------------------------------------------------------------------------
-- Sobel
---------------------------------------------------------------------------------------------

describe("lluvia/imgproc/Sobel", function()
  support.no_validation_messages()

  for _, case in ipairs({{"uint8", 0, 255}, {"uint16", 0, 65535}, {"float16", -4, 4},
      {"float32", -100, 100}}) do
    local dtype, lo, hi = table.unpack(case)
    it("gives the gradient (gx, gy) and its magnitude of a " .. dtype .. " image", function()
      local arr = picture(7, 9, 1, dtype, lo, hi, 11)
      local n = node("lluvia/imgproc/Sobel")
      n:bind("in_gray", view(arr))
      n:init()
      n:run()
      local gradient, magnitude = n:getPort("out_gradient"), n:getPort("out_magnitude")
      assert.are.same({"Float32", 2, "Float32", 1}, {gradient.channelType, gradient.channels,
        magnitude.channelType, magnitude.channels})
      -- Integer and float16 inputs: the sums are exact in float32; float32 inputs round.
      local tol = dtype == "float32" and function(w) return 1e-5 * math.max(1, math.abs(w)) end or exact
      local g = gradient:toHost()
      assertEvery(g, function(y, x, ch) return select(ch, sobelReference(arr, y, x)) end, tol,
        dtype .. " gradient")
      assertEvery(magnitude:toHost():reshape({7, 9, 1}), function(y, x)
        local gx, gy = sobelReference(arr, y, x)
        return math.sqrt(gx * gx + gy * gy)
      end, function(w) return 1e-6 * math.max(1, w) end, dtype .. " magnitude")
    end)
  end

  it("refuses in_gray of 4 channels or of Int16, an unbound in_gray and a bound out_gradient of one channel, naming the port", function()
    local SOBEL = "lluvia/imgproc/Sobel"
    initError(SOBEL, "port 'in_gray' image channel count must be 1, got 4", {},
      {{"in_gray", view(ll.ndarray({4, 4, 4}, "uint8"))}})
    initError(SOBEL, "port 'in_gray' image channel type must be one of Uint8, Uint16, Float16, " ..
      "Float32, got Int16", {}, {{"in_gray", view(ll.ndarray({4, 4, 1}, "int16"))}})
    initError(SOBEL, "port 'in_gray' is not bound", {}, {})
    initError(SOBEL, "port 'out_gradient' image channel count must be 2, got 1", {},
      {{"in_gray", view(ll.ndarray({4, 4, 1}, "uint8"))},
       {"out_gradient", view(ll.ndarray({4, 4, 1}, "float32"))}})
  end)
end)

---------------------------------------------------------------------------------------------
-- ImageResize
---------------------------------------------------------------------------------------------

describe("lluvia/imgproc/ImageResize", function()
  support.no_validation_messages()

  local function resize(arr, w, h, out)
    local n = node("lluvia/imgproc/ImageResize")
    n:bind("in_image", view(arr))
    if out then n:bind("out_image", out) else
      n:setParameter("width", w)
      n:setParameter("height", h)
    end
    n:init()
    n:run()
    return n:getPort("out_image")
  end

  local function rounded(arr, w, h)
    return function(y, x, ch) return math.floor(resizeReference(arr, w, h, y, x, ch) + 0.5) end
  end

  -- Scales that are powers of two give weights exact in float32: the rounding is exact.
  for _, case in ipairs({{"uint8", 1, 8, 6, 16, 12}, {"uint8", 4, 16, 12, 4, 3},
      {"int16", 2, 6, 6, 12, 3}, {"uint16", 1, 8, 4, 4, 8}}) do
    local dtype, c, w, h, ow, oh = table.unpack(case)
    it(("resizes %s C%d %dx%d to %dx%d exactly, rounding to nearest"):format(dtype, c, w, h, ow, oh), function()
      local arr = picture(h, w, c, dtype, dtype == "int16" and -1000 or 0, dtype == "int16" and 1000 or 255, w + c)
      local out = resize(arr, ow, oh)
      assert.are.same({1, oh, ow, c}, out.shape)
      assert.are.equal(ll.ChannelType[dtype:sub(1, 1):upper() .. dtype:sub(2)], out.channelType)
      local got = out:toHost()
      if c == 1 then got = got:reshape({oh, ow, 1}) end
      assertEvery(got, rounded(arr, ow, oh), exact, dtype)
    end)
  end

  it("resizes uint8 by any factor within one of the rounded reference", function()
    local arr = picture(7, 10, 1, "uint8", 0, 255, 5)
    local got = resize(arr, 13, 5):toHost():reshape({5, 13, 1})
    assertEvery(got, rounded(arr, 13, 5), function() return 1 end, "10x7 to 13x5")
  end)

  it("resizes float32 C4 without rounding (within 1e-5)", function()
    local arr = picture(5, 7, 4, "float32", -1, 1, 8)
    local got = resize(arr, 9, 3):toHost()
    assertEvery(got, function(y, x, ch) return resizeReference(arr, 9, 3, y, x, ch) end,
      function() return 1e-5 end, "float32")
  end)

  it("takes the size of an out_image bound before init", function()
    local arr = picture(4, 4, 1, "uint8", 0, 255, 2)
    local out = resize(arr, nil, nil, view(ll.ndarray({8, 2, 1}, "uint8")))
    assertEvery(out:toHost():reshape({8, 2, 1}), rounded(arr, 2, 8), exact, "bound")
  end)

  it("needs width and height (integers > 0) unless out_image is bound, naming the parameter", function()
    local RESIZE = "lluvia/imgproc/ImageResize"
    local input = {"in_image", view(ll.ndarray({4, 4, 1}, "uint8"))}
    initError(RESIZE, "parameter 'width' is needed", {}, {input})
    initError(RESIZE, "parameter 'width' must be > 0, got 0", {width = 0, height = 4}, {input})
    initError(RESIZE, "parameter 'height' must be an integer, got 2.5", {width = 4, height = 2.5},
      {input})
  end)

  it("refuses a bound out_image of another channel type or count, naming the port", function()
    local RESIZE = "lluvia/imgproc/ImageResize"
    local input = {"in_image", view(ll.ndarray({4, 4, 1}, "uint8"))}
    initError(RESIZE, "port 'out_image' image channel type must be one of Uint8, got Uint16", {},
      {input, {"out_image", view(ll.ndarray({2, 2, 1}, "uint16"))}})
    initError(RESIZE, "port 'out_image' image channel count must be 1, got 2", {},
      {input, {"out_image", view(ll.ndarray({2, 2, 2}, "uint8"))}})
  end)
end)

---------------------------------------------------------------------------------------------
-- EdgeDetect
---------------------------------------------------------------------------------------------

describe("lluvia/imgproc/EdgeDetect", function()
  support.no_validation_messages()

  -- Checks out_magnitude against the reference computed from out_gray, and out_edges
  -- against out_magnitude as read back (so a magnitude at the threshold is judged once).
  local function checkStages(n, gray, sigma, threshold)
    local h, w = gray.shape[1], gray.shape[2]
    local blurred = gaussianReference(gray:reshape({h, w, 1}), sigma, math.ceil(3 * sigma))
    local magnitude = n:getPort("out_magnitude"):toHost()
    assertEvery(magnitude:reshape({h, w, 1}), function(y, x)
      local gx, gy = sobelReference(blurred, y, x)
      return math.sqrt(gx * gx + gy * gy)
    end, function(v) return 1e-3 * math.max(1, v) end, "magnitude")
    local edges = n:getPort("out_edges"):toHost()
    assertEvery(edges:reshape({h, w, 1}), function(y, x)
      return magnitude:get(y, x) >= threshold and 255 or 0
    end, exact, "edges")
    return edges
  end

  it("makes an RGBA picture gray (BT.601, truncated), blurs it, and thresholds the Sobel magnitude", function()
    local rgba = picture(12, 16, 4, "uint8", 0, 255, 21)
    local n = node("lluvia/imgproc/EdgeDetect")
    n:bind("in_rgba", view(rgba))
    n:init()
    n:run()
    local gray = n:getPort("out_gray"):toHost()
    assertEvery(gray:reshape({12, 16, 1}), function(y, x)
      return (299 * rgba:get(y, x, 1) + 587 * rgba:get(y, x, 2) + 114 * rgba:get(y, x, 3)) // 1000
    end, exact, "gray")
    local edges = checkStages(n, gray, 1.4, 100)
    local count = 0
    for i = 1, #edges do if edges[i] == 255 then count = count + 1 end end
    assert.is_true(count > 0 and count < #edges, "some pixels are edges, not all")
  end)

  it("takes in_gray (then out_gray is it) and the sigma and threshold parameters", function()
    local arr = picture(10, 9, 1, "uint8", 0, 255, 4)
    local input = view(arr)
    local n = node("lluvia/imgproc/EdgeDetect")
    n:setParameter("sigma", 2)
    n:setParameter("threshold", 40)
    n:bind("in_gray", input)
    n:init()
    n:run()
    assert.are.equal(input, n:getPort("out_gray"))
    checkStages(n, arr:reshape({10, 9}), 2, 40)
  end)

  it("runs in a command buffer with other commands, again and again", function()
    local arr = picture(6, 6, 1, "uint8", 0, 255, 6)
    local n = node("lluvia/imgproc/EdgeDetect")
    n:bind("in_gray", view(arr))
    n:init()
    local cb = session:createCommandBuffer()
    cb:begin()
    cb:run(n)
    cb:ends()
    session:run(cb)
    session:run(cb)
    checkStages(n, arr:reshape({6, 6}), 1.4, 100)
  end)

  it("is fused by default on a GPU, not on a CPU device", function()
    local n = node("lluvia/imgproc/EdgeDetect")
    n:bind("in_gray", view(ll.ndarray({8, 8, 1}, "uint8")))
    n:init()
    assert.are.equal(session.deviceType ~= "Cpu", (pcall(n.getNode, n, "edges")), session.deviceType)
  end)

  it("is one dispatch (EdgeDetect_rgba or EdgeDetect_gray) with fused = 1, sharing its outputs", function()
    for _, case in ipairs({{"in_rgba", 4, "lluvia/imgproc/EdgeDetect_rgba"},
                           {"in_gray", 1, "lluvia/imgproc/EdgeDetect_gray"}}) do
      local n = node("lluvia/imgproc/EdgeDetect")
      n:setParameter("fused", 1)
      n:bind(case[1], view(ll.ndarray({8, 8, case[2]}, "uint8")))
      n:init()
      local edges = n:getNode("edges")
      assert.are.equal(case[3], edges.descriptor.builderName)
      -- 16 x 16 invocations make a tile of 32 x 16 pixels: the grid is the image's over that.
      assert.are.same({16, 16, 1}, {edges.localX, edges.localY, edges.localZ})
      assert.are.same({1, 1, 1}, {edges.gridX, edges.gridY, edges.gridZ})
      for _, port in ipairs({"out_magnitude", "out_edges", case[1]}) do
        assert.are.equal(n:getPort(port), edges:getPort(port))
      end
      if case[1] == "in_rgba" then assert.are.equal(n:getPort("out_gray"), edges:getPort("out_gray")) end
      for _, child in ipairs({"gray_blur_x", "blur_y", "blur", "sobel"}) do
        assert.is_false((pcall(n.getNode, n, child)), child)
      end
    end
  end)

  -- The fused shader's tiles: 32x16 pixels and a border of radius + 1 in shared memory.
  it("gives the staged pipeline's outputs over many tiles and partial ones, at radius 1 to 6", function()
    local rgba = picture(37, 70, 4, "uint8", 0, 255, 77)
    for _, sigma in ipairs({0.3, 1.4, 2}) do
      local n = node("lluvia/imgproc/EdgeDetect")
      n:setParameter("fused", 1)
      n:setParameter("sigma", sigma)
      n:setParameter("threshold", 30)
      n:bind("in_rgba", view(rgba))
      n:init()
      local edges = n:getNode("edges")
      assert.are.equal(math.ceil(3 * sigma), (string.unpack("<i4", edges.pushConstants.bytes)))
      assert.are.same({3, 3, 1}, {edges.gridX, edges.gridY, edges.gridZ})
      n:run()
      local gray = n:getPort("out_gray"):toHost()
      assertEvery(gray:reshape({37, 70, 1}), function(y, x)
        return (299 * rgba:get(y, x, 1) + 587 * rgba:get(y, x, 2) + 114 * rgba:get(y, x, 3)) // 1000
      end, exact, "gray")
      checkStages(n, gray, sigma, 30)
    end
  end)

  it("runs the three stages with fused = 0, and past radius 6, with the same outputs", function()
    local arr = picture(21, 19, 1, "uint8", 0, 255, 9)
    local results = {}
    for _, case in ipairs({{fused = 1, sigma = 1.4}, {fused = 0, sigma = 1.4}, {fused = 1, sigma = 2.1}}) do
      local n = node("lluvia/imgproc/EdgeDetect")
      n:setParameter("fused", case.fused)
      n:setParameter("sigma", case.sigma)
      n:bind("in_gray", view(arr))
      n:init()
      assert.are.equal(case.fused == 1 and case.sigma <= 2, (pcall(n.getNode, n, "edges")))
      n:run()
      checkStages(n, arr:reshape({21, 19}), case.sigma, 100)
      results[#results + 1] = n:getPort("out_magnitude"):toHost()
    end
    assertEvery(results[2]:reshape({21, 19, 1}), function(y, x) return results[1]:get(y, x) end,
      function(v) return 1e-4 * math.max(1, v) end, "fused against staged")
  end)

  it("has 3 dispatches for in_rgba (gray and blur x, blur y, Sobel with threshold), 3 for in_gray, with fused = 0", function()
    local n = node("lluvia/imgproc/EdgeDetect")
    n:setParameter("fused", 0)
    n:bind("in_rgba", view(ll.ndarray({8, 8, 4}, "uint8")))
    n:init()
    local first = n:getNode("gray_blur_x")
    assert.are.equal("lluvia/imgproc/EdgeDetect_grayblur", first.descriptor.builderName)
    assert.are.equal(n:getPort("out_gray"), first:getPort("out_gray"))
    assert.are.equal("lluvia/imgproc/GaussianBlur_float", n:getNode("blur_y").descriptor.builderName)
    assert.is_false((pcall(n.getNode, n, "gray")))
    assert.is_false((pcall(n.getNode, n, "blur")))
    assert.is_false((pcall(n.getNode, n, "edges")))
    local g = node("lluvia/imgproc/EdgeDetect")
    g:setParameter("fused", false) -- a boolean is an Int 0/1, as lluvia's parameters take it
    g:bind("in_gray", view(ll.ndarray({8, 8, 1}, "uint8")))
    g:init()
    local blur = g:getNode("blur")
    assert.is_truthy(blur:getNode("blur_x") and blur:getNode("blur_y"))
    for _, e in ipairs({n, g}) do
      -- One dispatch writes the magnitude and the edges, and no gradient.
      local sobel = e:getNode("sobel")
      assert.are.equal("lluvia/imgproc/EdgeDetect_sobel", sobel.descriptor.builderName)
      assert.are.equal(e:getPort("out_edges"), sobel:getPort("out_edges"))
      assert.are.equal(e:getPort("out_magnitude"), sobel:getPort("out_magnitude"))
      assert.is_false((pcall(sobel.getPort, sobel, "out_gradient")))
      assert.is_false((pcall(e.getNode, e, "threshold")))
    end
  end)

  it("refuses both inputs bound, none bound, an input of the wrong kind and a bound out_edges of another type, naming the port", function()
    local EDGES = "lluvia/imgproc/EdgeDetect"
    local rgba = {"in_rgba", view(ll.ndarray({4, 4, 4}, "uint8"))}
    local gray = {"in_gray", view(ll.ndarray({4, 4, 1}, "uint8"))}
    initError(EDGES, "port 'in_rgba' (or 'in_gray') is not bound", {}, {})
    initError(EDGES, "ports 'in_rgba' and 'in_gray' are both bound", {}, {rgba, gray})
    initError(EDGES, "port 'in_rgba' image channel count must be 4, got 1", {},
      {{"in_rgba", view(ll.ndarray({4, 4, 1}, "uint8"))}})
    initError(EDGES, "port 'in_gray' image channel type must be one of Uint8, got Uint16", {},
      {{"in_gray", view(ll.ndarray({4, 4, 1}, "uint16"))}})
    initError(EDGES, "port 'out_edges' image channel type must be one of Uint8, got Float32", {},
      {gray, {"out_edges", view(ll.ndarray({4, 4, 1}, "float32"))}})
    initError(EDGES, "port 'out_edges' image channel type must be one of Uint8, got Float32",
      {fused = 0}, {gray, {"out_edges", view(ll.ndarray({4, 4, 1}, "float32"))}})
    initError(EDGES, "parameter 'fused' must be 0 or 1, got 2", {fused = 2}, {gray})
    initError(EDGES, "parameter 'fused' must be an integer, got 0.5", {fused = 0.5}, {gray})
  end)
end)
