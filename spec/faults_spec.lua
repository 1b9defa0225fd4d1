-- faults_spec.lua: every failure path of the create calls, driven by fault injection
-- (ll._debug.failAfter, docs/faults.md), as SQLite's do_malloc_test does it: for n = 1, 2,
-- ... the n-th host allocation, then the n-th checked Vulkan call of the core fails, until
-- the call runs through with no fault reached. After every injected failure the error is a
-- clean `lluvia:` error, the Memories' stats and the process's live device memory are as
-- before, and every object involved still validates (ll._debug.validate).
local ll = require "lluvia"
local support = require "support"

local fault = ll._debug
local KINDS = {"host", "vulkan"}
local MAX_N = 1000 -- far more hooks than any create call reaches
local PAGE = 1 << 20

-- What a failed call must leave as it was.
local function snapshot(memories)
  local d = ll.deviceMemoryStats()
  local s = {liveBytes = d.liveBytes, liveAllocations = d.liveAllocations, memories = {}}
  for i, m in ipairs(memories) do s.memories[i] = m.stats end
  return s
end

local function release_all(list)
  for i = #list, 1, -1 do list[i]:release() end
end

local function assert_valid(obj, context)
  local ok, why = fault.validate(obj)
  assert(ok, context .. ": " .. tostring(obj) .. " does not validate: " .. tostring(why))
end

-- Drives every failure path of one call. t.setup() returns a context: {memories = {...}
-- whose stats must not change, validate = {...} objects that must stay valid, owned = {...}
-- released after each round}; t.call(ctx) makes the object; t.check(result, ctx) looks at
-- a success, which is then released (t.release, or result:release()). Returns the
-- number of injected failures per kind.
local function drive(t)
  local failures = {}
  for _, kind in ipairs(KINDS) do
    failures[kind] = 0
    local n, done = 0, false
    while not done do
      n = n + 1
      assert(n <= MAX_N, kind .. " faults: the call never ran through")
      local ctx = t.setup and t.setup() or {}
      local memories = ctx.memories or {}
      local before = snapshot(memories)
      fault.clearFaults()
      fault.failAfter(n, kind)
      local ok, result = pcall(t.call, ctx)
      local fired = fault.faultsFired()
      fault.clearFaults()
      local context = ("%s fault %d"):format(kind, n)
      if ok then
        if t.check then t.check(result, ctx) end
        if t.release then t.release(result) else result:release() end
        done = fired == 0
      else
        assert(fired == 1, context .. ": failed with no fault fired: " .. tostring(result))
        local message = tostring(result):gsub("^[^:]*:%d+: ", "") -- where it was raised
        assert(message:find("^lluvia: "), context .. ": not a lluvia: error: " .. message)
        assert.are.same(before, snapshot(memories), context .. ": " .. tostring(result))
        failures[kind] = failures[kind] + 1
      end
      for _, obj in ipairs(ctx.validate or {}) do assert_valid(obj, context) end
      for _, m in ipairs(memories) do assert_valid(m, context) end
      release_all(ctx.owned or {})
    end
  end
  return failures
end

describe("ll._debug", function()
  support.no_validation_messages()
  after_each(function() fault.clearFaults() end)

  it("failAfter makes the n-th host allocation of the core fail, once", function()
    local mem <close> = support.session():createMemory({"HostVisible"}, PAGE)
    fault.failAfter(1, "host")
    support.raises("lluvia: out of host memory creating a buffer", mem.createBuffer, mem, 16)
    assert.are.equal(1, fault.faultsFired())
    local buf <close> = mem:createBuffer(16) -- disarmed once fired
    assert.are.equal(1, fault.faultsFired())
    fault.clearFaults()
    assert.are.equal(0, fault.faultsFired())
  end)

  it("failAfter makes the n-th checked Vulkan call fail with VK_ERROR_OUT_OF_HOST_MEMORY",
    function()
      local mem <close> = support.session():createMemory({"HostVisible"}, PAGE)
      fault.failAfter(1, "vulkan")
      support.raises("lluvia: vkCreateBuffer: VK_ERROR_OUT_OF_HOST_MEMORY", mem.createBuffer,
        mem, 16)
      assert.are.equal(1, fault.faultsFired())
    end)

  it("a fault not reached fires nothing, and clearFaults disarms it", function()
    local mem <close> = support.session():createMemory({"HostVisible"}, PAGE)
    fault.failAfter(MAX_N, "vulkan")
    local a <close> = mem:createBuffer(16)
    assert.are.equal(0, fault.faultsFired())
    fault.failAfter(1, "host")
    fault.failAfter(0, "host")
    local b <close> = mem:createBuffer(16)
    fault.clearFaults()
    for _ = 1, 3 do mem:createBuffer(16):release() end
    assert.are.equal(0, fault.faultsFired())
  end)

  it("failAfter refuses bad arguments", function()
    local function fail_after(...) fault.failAfter(...) end
    support.raises("bad argument #1 to 'failAfter' (n must be an integer >= 0, got -1)",
      fail_after, -1, "host")
    support.raises("bad argument #1 to 'failAfter' (n must be an integer >= 0, got '1')",
      fail_after, "1", "host")
    support.raises("bad argument #2 to 'failAfter' (kind must be 'host' or 'vulkan', got " ..
      "'device')", fail_after, 1, "device")
    support.raises("bad argument #2 to 'failAfter' (kind must be 'host' or 'vulkan', got nil)",
      fail_after, 1, nil)
    assert.are.equal(0, fault.faultsFired())
  end)

  it("validate checks Sessions, Memories, Buffers, Images and ImageViews", function()
    local s = support.session()
    local mem <close> = s:createMemory({"HostVisible"}, PAGE)
    local buf <close> = mem:createBuffer(64)
    local img <close> = mem:createImage({4, 4}, "Uint8")
    local view <close> = img:createImageView()
    for _, obj in ipairs({s, mem, buf, img, view}) do
      assert.are.same({true}, {fault.validate(obj)})
    end
  end)

  it("validate refuses other values and released objects", function()
    local function validate(...) return fault.validate(...) end
    support.raises("bad argument #1 to 'validate' (Session, Memory, Buffer, Image or " ..
      "ImageView expected, got 42)", validate, 42)
    support.raises("bad argument #1 to 'validate'", validate, ll.ndarray({2}, "uint8"))
    local mem = support.session():createMemory()
    mem:release()
    support.raises("lluvia: Memory has been released", fault.validate, mem)
  end)
end)

describe("every failure path leaves everything as it was", function()
  support.no_validation_messages()
  after_each(function() fault.clearFaults() end)

  local function memory_ctx(flags)
    local mem = support.session():createMemory(flags, PAGE)
    return {mem = mem, memories = {mem}, owned = {mem}}
  end

  for _, flags in ipairs({{"DeviceLocal"}, {"HostVisible"}}) do
    local name = table.concat(flags, ", ")

    it("mem:createBuffer in a new page (" .. name .. ")", function()
      local failures = drive({
        setup = function() return memory_ctx(flags) end,
        call = function(ctx) return ctx.mem:createBuffer(1000) end,
        check = function(buf, ctx)
          assert_valid(buf, "created")
          assert.are.equal(1, ctx.mem.stats.objects)
        end,
      })
      assert.is_true(failures.host >= 1 and failures.vulkan >= 2)
    end)

    it("mem:createBuffer in a page with room (" .. name .. ")", function()
      local failures = drive({
        setup = function()
          local ctx = memory_ctx(flags)
          local first = ctx.mem:createBuffer(1000)
          table.insert(ctx.owned, first)
          ctx.validate = {first}
          return ctx
        end,
        call = function(ctx) return ctx.mem:createBuffer(1000) end,
        check = function(buf, ctx) assert.are.equal(2, ctx.mem.stats.objects) end,
      })
      assert.is_true(failures.host >= 1 and failures.vulkan >= 2)
    end)
  end
end)

-- Creates that make their object and then fail to fill it (the upload's staging buffer
-- refused by the budget, here) must leave the Memory as it was: no object until the next
-- collection, no page kept.
describe("a create whose upload fails", function()
  support.no_validation_messages()
  after_each(function() ll.setDeviceMemoryBudget(nil) end)

  -- A fresh session that stages every transfer and has no staging buffer yet, a Memory of
  -- it, and a budget that holds one more page and no staging buffer.
  local function starved()
    local s = ll.createSession({enableDebug = true, forceStaging = true})
    local mem = s:createMemory({"DeviceLocal"}, PAGE)
    ll.setDeviceMemoryBudget(ll.deviceMemoryStats().liveBytes + PAGE)
    return s, mem
  end

  local function assert_as_before(mem, before, message)
    assert.matches("lluvia: cannot allocate", message)
    assert.are.same(before, snapshot({mem}))
    assert.are.equal(0, mem.pageCount)
    assert_valid(mem, "after the failure")
  end

  for _, case in ipairs({
    {"createBufferFromHost", {1000}, "leaves no buffer behind"},
    {"createImageFromHost", {16, 16}, "keeps no page"},
    {"createImageViewFromHost", {16, 16}, "keeps no page"},
  }) do
    local method, shape, what = case[1], case[2], case[3]
    it("mem:" .. method .. " " .. what, function()
      local s, m = starved()
      local session <close> = s
      local mem <close> = m
      local before = snapshot({mem})
      local ok, message = pcall(mem[method], mem, ll.ndarray(shape, "uint8"))
      assert.is_false(ok)
      assert_as_before(mem, before, message)
    end)
  end
end)
