-- info_spec.lua: timing and device information: ll.clock, ll.benchmark, ll.deviceInfo,
-- ll.memorySummary, ll.pretty and the info tables that print through it.
local ll = require "lluvia"
local support = require "support"

describe("ll.clock", function()
  it("is monotonic wall time in seconds, not CPU time", function()
    local t0 = ll.clock()
    assert.are.equal("float", math.type(t0))
    -- A sleeping child process uses no CPU time of ours: os.clock barely moves, ll.clock
    -- moves by the sleep.
    local c0 = os.clock()
    os.execute("sleep 0.2")
    local waited, cpu = ll.clock() - t0, os.clock() - c0
    assert.is_true(waited >= 0.19, "ll.clock moved " .. waited)
    assert.is_true(cpu < waited / 2, "os.clock " .. cpu .. " vs " .. waited)
    assert.is_true(ll.clock() >= t0 + waited)
  end)
end)

describe("ll.benchmark", function()
  it("runs warmup + reps times and returns best <= median <= worst", function()
    local calls = 0
    local r = ll.benchmark(function() calls = calls + 1 end, {reps = 7, warmup = 2,
      print = false})
    assert.are.equal(9, calls)
    assert.are.equal(7, r.reps)
    assert.is_true(r.best <= r.median and r.median <= r.worst)
    assert.is_true(r.best <= r.mean and r.mean <= r.worst)
    assert.are.equal(r.worst - r.best, r.spread)
    assert.is_truthy(tostring(r):find("median = ", 1, true), tostring(r))
  end)

  it("prints best, median and spread", function()
    local out, err, code = support.run_host({"-e", "local ll = require 'lluvia' "
      .. "ll.benchmark(function() end, {reps = 3, name = 'noop'})"})
    assert.are.equal(0, code, err)
    assert.is_truthy(out:match("^noop: best [%d.]+ [mu]?s, median [%d.]+ [mu]?s, spread "
      .. "[%d.]+ [mu]?s %(%d+%%%) over 3 runs\n$"), out)
  end)

  it("defaults to 10 runs after one warmup", function()
    local calls = 0
    local r = ll.benchmark(function() calls = calls + 1 end, {print = false})
    assert.are.equal(11, calls)
    assert.are.equal(10, r.reps)
  end)

  it("refuses bad arguments, naming them", function()
    support.raises("bad argument #1 to 'benchmark' (function expected, got nil)",
      ll.benchmark)
    support.raises("bad argument #2 to 'benchmark' (reps must be an integer >= 1, got 0)",
      ll.benchmark, function() end, {reps = 0})
    support.raises("warmup must be an integer >= 0, got -1", ll.benchmark, function() end,
      {warmup = -1})
    support.raises("reps must be an integer >= 1, got \"3\"", ll.benchmark, function() end,
      {reps = "3"})
    support.raises("unknown option 'rep' (expected reps, warmup, name, print)",
      ll.benchmark, function() end, {rep = 3})
    support.raises("options must be a table, got number", ll.benchmark, function() end, 3)
  end)
end)

describe("ll.deviceInfo", function()
  it("describes each device: driver, ids, heaps, memory types, limits, extensions", function()
    for _, d in ipairs(ll.getAvailableDevices()) do
      local info = ll.deviceInfo(d.id)
      assert.are.equal(d.name, info.name)
      assert.are.equal(d.deviceType, info.deviceType)
      assert.are.equal(d.apiVersion, info.apiVersion)
      assert.are.equal("string", type(info.driverName))
      assert.are.equal("integer", math.type(info.driverVersion))
      assert.are.equal("integer", math.type(info.vendorID))
      assert.is_true(#info.memoryHeaps >= 1 and info.memoryHeaps[1].size > 0)
      local s <close> = ll.createSession{device = d.id}
      local flags = s:getSupportedMemoryPropertyFlags()
      assert.are.equal(#flags, #info.memoryTypes)
      for i, t in ipairs(info.memoryTypes) do
        assert.are.same(flags[i], t.flags)
        assert.is_truthy(info.memoryHeaps[t.heapIndex + 1])
      end
      local l = info.limits
      for _, key in ipairs({"maxImageDimension2D", "maxComputeWorkGroupInvocations",
          "maxPushConstantsSize", "maxSamplerAllocationCount", "maxMemoryAllocationCount",
          "bufferImageGranularity", "nonCoherentAtomSize"}) do
        assert.are.equal("integer", math.type(l[key]), key)
      end
      assert.are.equal(3, #l.maxComputeWorkGroupSize)
      assert.are.equal(3, #l.maxComputeWorkGroupCount)
      assert.are.equal("float", math.type(l.timestampPeriod))
      assert.are.equal("boolean", type(info.extensions.VK_EXT_external_memory_host))
      assert.is_truthy(tostring(info):find("maxImageDimension2D = ", 1, true))
    end
  end)

  it("describes the default device without an id", function()
    local s <close> = ll.createSession()
    assert.are.equal(s.deviceName, ll.deviceInfo().name)
  end)

  it("refuses an id that is no device", function()
    local n = #ll.getAvailableDevices()
    support.raises("id must be a device id from 0 to " .. (n - 1) .. ", got " .. n,
      ll.deviceInfo, n)
    support.raises("id must be an integer from 0 to", ll.deviceInfo, -1)
    support.raises("id must be an integer from 0 to", ll.deviceInfo, "0")
  end)
end)

describe("ll.memorySummary", function()
  it("lists every live Memory of the state, oldest first, with totals", function()
    local s = support.session()
    local before = ll.memorySummary().total
    local a <close> = s:createMemory({"HostVisible"}, 1 << 20)
    local b <close> = s:createMemory({"DeviceLocal"}, 1 << 16)
    local gone = s:createMemory({"HostVisible"}, 4096)
    gone:release()
    local buf <close> = a:createBuffer(1000)
    local sum = ll.memorySummary()
    assert.are.equal(before.memories + 2, sum.total.memories)
    local last2 = {sum.memories[#sum.memories - 1], sum.memories[#sum.memories]}
    assert.are.equal(1 << 20, last2[1].pageSize)
    assert.are.equal(1, last2[1].pages)
    assert.are.equal(1, last2[1].objects)
    assert.are.equal(1 << 20, last2[1].bytesReserved)
    assert.is_true(last2[1].bytesInUse >= 1000)
    assert.are.same(a.memoryFlags, last2[1].flags)
    assert.are.equal(1 << 16, last2[2].pageSize)
    assert.are.equal(0, last2[2].objects)
    assert.are.equal(before.bytesReserved + (1 << 20), sum.total.bytesReserved)
    assert.are.equal(ll.deviceMemoryStats().liveBytes, sum.device.liveBytes)
    local text = tostring(sum)
    assert.is_truthy(text:find("bytesReserved = 1048576", 1, true), text)
  end)
end)

describe("ll.pretty", function()
  it("prints tables with sorted keys, short ones on one line, nested ones indented", function()
    assert.are.equal('{1, 2, "x", a = true, b = {c = 1.5}}',
      ll.pretty({b = {c = 1.5}, a = true, 1, 2, "x"}))
    local long = {}
    for i = 1, 30 do long["key" .. string.format("%02d", i)] = i end
    local text = ll.pretty({long = long})
    assert.is_truthy(text:find("^{\n  long = {\n    key01 = 1,\n    key02 = 2,\n"), text)
    assert.are.equal('{[2.5] = 2, ["a b"] = 1}', ll.pretty({["a b"] = 1, [2.5] = 2}))
  end)

  it("is safe with cycles and cuts at a depth", function()
    local t = {name = "t"}
    t.self = t
    t.child = {parent = t}
    assert.are.equal('{child = {parent = <cycle>}, name = "t", self = <cycle>}', ll.pretty(t))
    assert.are.equal("{a = {b = {...}}}", ll.pretty({a = {b = {c = {}}}}, {depth = 2}))
    local shared = {1}
    assert.are.equal("{{1}, {1}}", ll.pretty({shared, shared}))
  end)

  it("prints values that are not tables as Lua writes them", function()
    assert.are.equal('"a\\nb"', ll.pretty("a\nb"))
    assert.are.equal("3", ll.pretty(3))
    assert.are.equal("2.0", ll.pretty(2.0))
    assert.are.equal("nil", ll.pretty(nil))
    local s = support.session()
    assert.are.equal(tostring(s), ll.pretty(s))
    assert.is_truthy(ll.pretty({s}):find("lluvia.Session(", 1, true))
  end)

  it("refuses bad options", function()
    support.raises("bad argument #2 to 'pretty' (depth must be a positive integer, got 0)",
      ll.pretty, {}, {depth = 0})
    support.raises("unknown option 'deep'", ll.pretty, {}, {deep = 1})
  end)

  it("is how the module's info and stats tables print", function()
    local s = support.session()
    local mem <close> = s:createMemory({"HostVisible"})
    for _, t in ipairs({mem.stats, ll.deviceMemoryStats(), ll.getAvailableDevices(),
                        ll.getAvailableDevices()[1], ll.deviceInfo(0)}) do
      assert.are.equal(ll.pretty(t), tostring(t))
    end
  end)
end)
