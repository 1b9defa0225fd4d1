-- coherence_spec.lua: docs/memory.md "Mapping" on memory that is not HostCoherent: what the
-- host writes through an open buf:map() view reaches every later device read and transfer,
-- and views see what the device wrote. lavapipe's memory is all coherent, so the session
-- option simulateNonCoherent makes its Memories flush and invalidate as if it were not (the
-- real calls, which the validation layer checks); ll._debug.coherenceStats() counts them.
-- Every case also runs on each memory type of the device that really is not coherent
-- (NVIDIA's HostCached types).
local ll = require "lluvia"
local support = require "support"

local counts = ll._debug.coherenceStats

-- The Memories the cases run on: lavapipe's (or any device's) host-visible memory under a
-- simulating session, and every host-visible type that is not coherent.
local function memories()
  local list = {{name = "simulated", make = function()
    return support.session({simulateNonCoherent = true}):createMemory({"HostVisible"}, 1 << 16)
  end}}
  local plain = support.session()
  for _, flags in ipairs(plain:getSupportedMemoryPropertyFlags()) do
    local set = {}
    for _, f in ipairs(flags) do set[f] = true end
    if set.HostVisible and not set.HostCoherent then
      list[#list + 1] = {name = table.concat(flags, "+"), make = function()
        return plain:createMemory(flags, 1 << 16, true)
      end}
    end
  end
  return list
end

-- Runs f and returns how many flushes and invalidates it made.
local function counted(f)
  local before = counts()
  f()
  local after = counts()
  return after.flushes - before.flushes, after.invalidates - before.invalidates
end

describe("simulateNonCoherent", function()
  support.no_validation_messages()

  it("is a session option, read back, off by default", function()
    assert.is_true(support.session({simulateNonCoherent = true}).simulateNonCoherent)
    local s = ll.createSession({simulateNonCoherent = false})
    assert.is_false(s.simulateNonCoherent)
    s:release()
    support.raises("createSession' (simulateNonCoherent must be a boolean, got 1)",
      ll.createSession, {simulateNonCoherent = 1})
  end)

  it("is also LLUVIA_SIMULATE_NONCOHERENT, whose misspellings are refused", function()
    local script = "local ll = require 'lluvia'\n" ..
      "print(ll.createSession().simulateNonCoherent)\n"
    local out, err, code = support.run_host({"-e", script}, nil,
      {LLUVIA_SIMULATE_NONCOHERENT = "yes", LLUVIA_ENABLE_DEBUG = "0"})
    assert.are.equal("true\n", out)
    assert.are.equal(0, code, err)
    out, err = support.run_host({"-e", script}, nil, {LLUVIA_SIMULATE_NONCOHERENT = "maybe"})
    assert.are.equal("", out)
    assert.is_truthy(err:find("LLUVIA_SIMULATE_NONCOHERENT must be one of", 1, true))
  end)

  it("leaves coherent memory alone when off", function()
    local script = [[
      local ll = require "lluvia"
      local mem = ll.createSession():createMemory({"HostVisible", "HostCoherent"}, 1 << 16)
      local a, out = mem:createBuffer(256), mem:createBuffer(256)
      local before = ll._debug.coherenceStats()
      local v = a:map()
      v[1] = 1
      a:copy(out)
      v:release()
      local after = ll._debug.coherenceStats()
      print(out:toHost()[1], after.flushes - before.flushes, after.invalidates - before.invalidates)
    ]]
    local out, err, code = support.run_host({"-e", script}, nil,
      {LLUVIA_SIMULATE_NONCOHERENT = "0"})
    assert.are.equal("1\t0\t0\n", out)
    assert.are.equal(0, code, err)
  end)
end)

describe("the staging buffer under simulateNonCoherent", function()
  support.no_validation_messages()

  it("flushes and invalidates each chunk, rounded to nonCoherentAtomSize", function()
    local s = support.session({simulateNonCoherent = true, forceStaging = true,
      stagingSize = 4096})
    local mem <close> = s:createMemory({"HostVisible"}, 1 << 16)
    local src = ll.ndarray({10001}, "uint8")
    for i = 1, #src do src[i] = i * 7 % 251 end
    local b <close> = mem:createBufferFromHost(src) -- in chunks of at most 2 KiB
    support.same_array(src, b:toHost())
  end)
end)

-- A new Memory of kind m, a buffer of `size` bytes in it and an open uint8 view of the
-- buffer whose byte `at` holds `value`.
local function viewed(m, size, at, value)
  local mem = m.make()
  local buf = mem:createBuffer(size)
  local view = buf:map("uint8")
  view[at] = value
  return mem, buf, view
end

for _, m in ipairs(memories()) do
  describe("an open view on non-coherent memory (" .. m.name .. ")", function()
    support.no_validation_messages()

    it("is flushed before a device copy reads the buffer", function()
      local mem <close>, a, v = viewed(m, 256, 1, 42)
      local out <close> = mem:createBuffer(256)
      v[256] = 43
      local flushes, invalidates = counted(function() a:copy(out) end)
      assert.are.same({1, 0}, {flushes, invalidates})
      local got = out:toHost()
      assert.are.same({42, 43}, {got[1], got[256]})
    end)

    it("sees what a device copy wrote into its buffer", function()
      local mem <close> = m.make()
      local a <close> = mem:createBufferFromHost(ll.ndarray({256}, "uint8"):fill(9))
      local out <close> = mem:createBuffer(256)
      local v <close> = out:map("uint8")
      v[2] = 1
      local flushes, invalidates = counted(function() a:copy(out) end)
      assert.are.same({1, 1}, {flushes, invalidates}) -- out's view: flushed, invalidated
      assert.are.same({9, 9}, {v[1], v[2]})
    end)

    it("is flushed before toHost invalidates or reads through staging", function()
      local mem <close>, a, v = viewed(m, 64, 1, 7)
      local got
      local flushes, invalidates = counted(function() got = a:toHost() end)
      assert.are.equal(7, got[1])
      assert.are.equal(1, flushes)
      -- the staging buffer's own invalidates are not a Memory's
      assert.are.equal(mem.session.forceStaging and 0 or 1, invalidates)
    end)

    it("keeps its writes when a second view opens", function()
      local _ <close>, a, v1 = viewed(m, 64, 5, 5)
      local v2
      local flushes, invalidates = counted(function() v2 = a:map("uint8") end)
      assert.are.same({1, 1}, {flushes, invalidates})
      assert.are.equal(5, v2[5])
      v2:release()
    end)

    it("sees fromHost's bytes, and is flushed when it closes", function()
      local mem <close>, a, v = viewed(m, 16, 1, 3)
      local flushes, invalidates = counted(function()
        a:fromHost(ll.ndarray({16}, "uint8"):fill(8))
      end)
      assert.are.equal(8, v[1])
      assert.are.equal(1, flushes)
      assert.are.equal(mem.session.forceStaging and 1 or 0, invalidates)
      flushes = counted(function() v:release() end)
      assert.are.equal(1, flushes)
      flushes = counted(function() a:copy(a:copy()) end) -- no view left: nothing to flush
      assert.are.equal(0, flushes)
    end)
  end)
end
