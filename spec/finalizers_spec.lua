-- finalizers_spec.lua: API.md "Conventions": objects may be released by Lua code that runs in
-- the middle of a call (a finalizer run by an allocation or a collection of the binding, an
-- options table's metamethod); the call then raises `lluvia: <Type> has been released`
-- instead of using what is gone.
local ll = require "lluvia"
local support = require "support"

-- Runs f with the collector stopped, a garbage object whose finalizer runs `on_gc`, and a
-- device memory budget that makes the first allocation fail: the binding then runs a full
-- collection (which calls the finalizer) and retries.
local function with_finalizer_on_retry(on_gc, f)
  collectgarbage("stop")
  local ran = false
  setmetatable({}, {__gc = function()
    ran = true
    on_gc()
    ll.setDeviceMemoryBudget(nil)
  end})
  ll.setDeviceMemoryBudget(1)
  local ok, err = pcall(f)
  ll.setDeviceMemoryBudget(nil)
  collectgarbage("restart")
  assert.is_true(ran, "the finalizer did not run during the call")
  return ok, err
end

-- Runs f with a collector that steps on nearly every allocation, so that the finalizers of
-- garbage made before each call run inside the binding's own allocations.
local function with_eager_collector(f)
  collectgarbage("incremental", 0, 1000)
  local ok, err = pcall(f)
  collectgarbage("incremental", 200, 100)
  if not ok then error(err, 0) end
end

local function assert_released(type_name, ok, err)
  assert.is_false(ok)
  assert.matches("lluvia: " .. type_name .. " has been released", err, 1, true)
end

-- Runs each call; one that fails must say that `what` has been released.
local function work_or_released(calls, what)
  for _, call in ipairs(calls) do
    local ok, err = pcall(call)
    if not ok then assert.matches(what .. " has been released", err, 1, true) end
  end
end

local function mappable_memory(pageSize)
  return support.session():createMemory({"HostVisible"}, pageSize)
end

-- DeviceLocal memory takes optimal-tiling images on every device (NVIDIA's host-visible
-- types take none).
local function image_memory(pageSize)
  return support.session():createMemory({"DeviceLocal"}, pageSize)
end

describe("a finalizer releasing what a call uses", function()
  support.no_validation_messages()

  it("mem:createBuffer raises when the Memory goes", function()
    local mem = mappable_memory(4096)
    assert_released("Memory", with_finalizer_on_retry(function() mem:release() end,
      function() return mem:createBuffer(1024) end))
  end)

  it("mem:createBufferFromHost raises when the array goes", function()
    local mem <close> = mappable_memory(4096)
    local arr = ll.ndarray({1024}, "uint8")
    assert_released("ndarray", with_finalizer_on_retry(function() arr:release() end,
      function() return mem:createBufferFromHost(arr) end))
    collectgarbage() -- the buffer made before the array was found released
    assert.are.equal(0, mem.stats.objects)
  end)

  it("buf:copy raises when the buffer goes", function()
    local mem <close> = mappable_memory(4096)
    local buf = mem:createBuffer(4096)
    assert_released("Buffer", with_finalizer_on_retry(function() buf:release() end,
      function() return buf:copy() end))
  end)

  it("mem:createImage raises when the Memory goes", function()
    local mem = image_memory(4096)
    assert_released("Memory", with_finalizer_on_retry(function() mem:release() end,
      function() return mem:createImage({4, 4}) end))
  end)

  it("mem:createImageFromHost raises when the array goes", function()
    local mem <close> = image_memory(4096)
    local a = ll.ndarray({4, 4}, "uint8")
    assert_released("ndarray", with_finalizer_on_retry(function() a:release() end,
      function() return mem:createImageFromHost(a) end))
  end)

  it("mem:createImageViewFromHost raises when the array goes", function()
    local mem <close> = image_memory(4096)
    local a = ll.ndarray({4, 4}, "uint8")
    assert_released("ndarray", with_finalizer_on_retry(function() a:release() end,
      function() return mem:createImageViewFromHost(a) end))
  end)

  -- A fresh session that stages every transfer and has no staging buffer yet, so that a
  -- transfer's first device allocation is its staging buffer, which the budget refuses;
  -- its Memory of `flags` with a page made (for the object `make` puts there).
  local function staged(flags, make)
    local s = ll.createSession({enableDebug = true, transferPath = "staging",
                                stagingSize = 64 << 10})
    local mem = s:createMemory(flags, 1 << 20)
    return s, mem, make(mem)
  end

  for _, case in ipairs({
    {"buf:fromHost", "Buffer", {"HostVisible"}, function(m) return m:createBuffer(64) end,
     function(buf, arr) return buf:fromHost(arr) end},
    {"buf:fromHost", "ndarray", {"HostVisible"}, function(m) return m:createBuffer(64) end,
     function(buf, arr) return buf:fromHost(arr) end},
    {"buf:toHost", "Buffer", {"HostVisible"}, function(m) return m:createBuffer(64) end,
     function(buf, arr) return buf:toHost(arr) end},
    {"buf:toHost", "ndarray", {"HostVisible"}, function(m) return m:createBuffer(64) end,
     function(buf, arr) return buf:toHost(arr) end},
    {"buf:mapAndSetFromVectorUint8", "Buffer", {"HostVisible"},
     function(m) return m:createBuffer(64) end,
     function(buf, arr) return buf:mapAndSetFromVectorUint8(arr) end},
    {"buf:mapAndSetFromVectorUint8", "ndarray", {"HostVisible"},
     function(m) return m:createBuffer(64) end,
     function(buf, arr) return buf:mapAndSetFromVectorUint8(arr) end},
    {"mem:createBufferFromHost", "ndarray", {"HostVisible"},
     function(m) return m:createBuffer(64) end,
     function(buf, arr) return buf.memory:createBufferFromHost(arr) end},
    {"img:fromHost", "Image", {"DeviceLocal"}, function(m) return m:createImage({4, 4, 4}) end,
     function(img, arr) return img:fromHost(arr) end},
    {"img:toHost", "ndarray", {"DeviceLocal"}, function(m) return m:createImage({4, 4, 4}) end,
     function(img, arr) return img:toHost(arr) end},
    {"view:toHost", "ImageView", {"DeviceLocal"},
     function(m) return m:createImage({4, 4, 4}):createImageView() end,
     function(view, arr) return view:toHost(arr) end},
    {"mem:createImageFromHost", "ndarray", {"DeviceLocal"},
     function(m) return m:createImage({4, 4, 4}) end,
     function(img, arr) return img.memory:createImageFromHost(arr) end},
    {"mem:createImageViewFromHost", "ndarray", {"DeviceLocal"},
     function(m) return m:createImage({4, 4, 4}) end,
     function(img, arr) return img.memory:createImageViewFromHost(arr) end},
  }) do
    local name, what, flags, make, call = table.unpack(case)
    it(name .. " raises when the " .. what .. " goes during its staging retry", function()
      local s, mem, obj = staged(flags, make)
      local arr = ll.ndarray(flags[1] == "DeviceLocal" and {4, 4, 4} or {64}, "uint8")
      local victim = what == "ndarray" and arr or obj
      assert_released(what, with_finalizer_on_retry(function() victim:release() end,
        function() return call(obj, arr) end))
      if what ~= "ImageView" then
        obj:release()
        collectgarbage() -- a new object made before the array was found released
        assert.are.equal(0, mem.stats.objects)
      end
      arr:release()
      mem:release()
      s:release()
    end)
  end

  it("buf:toHost, buf:map and the fields raise or work, never use a released buffer", function()
    local mem <close> = mappable_memory()
    with_eager_collector(function()
      for _ = 1, 200 do
        local buf = mem:createBuffer(1 << 16)
        setmetatable({}, {__gc = function() buf:release() end})
        for _, call in ipairs{
          function() return buf:toHost() end,
          function() return buf:map("float32")[1] end,
          function() return buf.allocationInfo.size end,
          function() return buf:fromHost(string.rep("x", 1 << 16)) end,
          function() return tostring(buf) end,
        } do
          local ok, err = pcall(call)
          if not ok then assert.matches("has been released", err, 1, true) end
        end
      end
    end)
  end)

  it("image methods and fields raise or work, never use a released image", function()
    local mem <close> = image_memory()
    with_eager_collector(function()
      for _ = 1, 100 do
        local img = mem:createImage({4, 4, 2})
        local view = img:createImageView()
        local objects = {img, view}
        for k = 1, 2 do setmetatable({}, {__gc = function() objects[k]:release() end}) end
        for _, call in ipairs{
          function() return img:toHost() end, function() return view:toHost() end,
          function() return img.shape[1] end, function() return view.shape[1] end,
          function() return img.allocationInfo.size end,
          function() return tostring(img) end, function() return tostring(view) end,
          function() return img:fromHost(ll.ndarray({4, 4, 2}, "uint8")) end,
          function() return img:createImageView() end,
        } do
          local ok, err = pcall(call)
          if not ok then assert.matches("has been released", err, 1, true) end
        end
      end
    end)
  end)

  it("copies, clears, layout changes and buffers like others never use a released object",
    function()
      local mem <close> = image_memory()
      local host <close> = mappable_memory()
      with_eager_collector(function()
        for _ = 1, 60 do
          local a, b = mem:createImage({4, 4}), mem:createImage({4, 4})
          local x, y = host:createBuffer(256), host:createBuffer(256)
          local objects = {a, b, x, y}
          for k = 1, 4 do setmetatable({}, {__gc = function() objects[k]:release() end}) end
          work_or_released({
            function() return a:copyTo(b) end, function() return b:clear() end,
            function() return a:changeLayout("TransferSrcOptimal") end,
            function() return x:copy(y) end, function() return x:copy() end,
            function() return host:createBufferLike(x) end,
            function() return host:createBufferLike(a) end,
          }, "")
        end
      end)
    end)

  it("arr:totable, arr:copy and tostring never read a released array", function()
    with_eager_collector(function()
      for _ = 1, 200 do
        local arr = ll.ndarray({8, 8}, "int32")
        setmetatable({}, {__gc = function() arr:release() end})
        work_or_released({
          function() return arr:totable()[8][8] end,
          function() return arr:copy()[64] end,
          function() return tostring(arr) end,
        }, "ndarray")
      end
    end)
  end)

  it("session:getSupportedMemoryPropertyFlags never reads a released session", function()
    with_eager_collector(function()
      for _ = 1, 50 do
        local s = ll.createSession()
        setmetatable({}, {__gc = function() s:release() end})
        local ok, err = pcall(s.getSupportedMemoryPropertyFlags, s)
        if ok then assert.is_true(#err >= 1) else assert.matches("released", err, 1, true) end
      end
    end)
  end)
end)

describe("an options table whose metamethod releases the object", function()
  support.no_validation_messages()
  it("session:createMemory raises when the session goes", function()
    local s = ll.createSession()
    local options = setmetatable({pageSize = 4096}, {__index = function() s:release() end})
    assert_released("Session", pcall(s.createMemory, s, options))
  end)

  it("img:createImageView raises when the image goes", function()
    local mem <close> = image_memory()
    local img = mem:createImage({4, 4})
    local options = setmetatable({sampled = false}, {__index = function() img:release() end})
    assert_released("Image", pcall(img.createImageView, img, options))
  end)
end)

describe("objects made while the state closes", function()
  -- Lua 5.4 finalizes nothing made once lua_close has begun: the binding's sentinel, older
  -- than every object of the module, releases them. The probes are older still, so they
  -- run after it and see what is left.
  local script = [[
    local ll
    local probe = setmetatable({}, {__gc = function()
      local d = ll.deviceMemoryStats()
      print(("at exit: %d allocations, %d bytes live"):format(d.liveAllocations, d.liveBytes))
    end})
    local late = setmetatable({}, {__gc = function()
      print("after the sentinel: " .. select(2, pcall(ll.createSession)))
    end})
    ll = require "lluvia"
    local s = ll.createSession()
    local mem = s:createMemory({"HostVisible"}, 4096)
    local keep = {}
    for i = 1, 3 do
      keep[i] = setmetatable({}, {__gc = function()
        local s2 = ll.createSession()
        local m2 = s2:createMemory({"HostVisible"}, 4096)
        _G["made" .. i] = {m2:createBuffer(100), mem:createBuffer(100 + i),
                           ll.ndarray({1000}, "float32"), m2:createBuffer(64):map("uint8"),
                           s2:createMemory({"DeviceLocal"}, 1 << 20):createImage({4, 4})}
      end})
    end
    print("running")
  ]]

  it("are released with the state: no device memory, buffer or session outlives it", function()
    local out, err, code = support.run_host({"-e", script})
    assert.are.equal("running\n" ..
      "after the sentinel: lluvia: the Lua state is closing: no new objects\n" ..
      "at exit: 0 allocations, 0 bytes live\n", (out:gsub("[^\n]*:%d+: lluvia", "lluvia")))
    assert.are.equal("", err) -- under the sanitizer build, no leak report either
    assert.are.equal(0, code)
  end)
end)
