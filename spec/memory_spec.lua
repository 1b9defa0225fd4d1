-- memory_spec.lua: API.md "Session" (createMemory) and "Memory": memory-type choice, pages,
-- mappability, stats, lifetime, and how the binding keeps the collector in pace with device
-- memory. Buffers themselves are in buffer_spec.lua.
local ll = require "lluvia"
local support = require "support"

local MiB = 1 << 20

-- The 0-based index of the first memory type whose flags include (or equal) `wanted`.
local function first_type(session, wanted, exact)
  local set = {}
  for _, f in ipairs(wanted) do set[f] = true end
  for i, flags in ipairs(session:getSupportedMemoryPropertyFlags()) do
    local have, n = {}, 0
    for _, f in ipairs(flags) do have[f] = true; n = n + 1 end
    local ok = true
    for f in pairs(set) do ok = ok and have[f] end
    if exact then
      local m = 0
      for _ in pairs(set) do m = m + 1 end
      ok = ok and m == n
    end
    if ok then return i - 1, flags end
  end
end

local function host_visible_memory(pageSize)
  return support.session():createMemory({"HostVisible"}, pageSize)
end

describe("session:createMemory", function()
  support.no_validation_messages()

  it("defaults to DeviceLocal, 32 MiB pages and no exact match, with no page yet", function()
    local s = support.session()
    local mem <close> = s:createMemory()
    local index, flags = first_type(s, {"DeviceLocal"})
    assert.are.equal(index, mem.memoryTypeIndex)
    assert.are.same(flags, mem.memoryFlags)
    assert.are.equal(32 * MiB, mem.pageSize)
    assert.are.equal(0, mem.pageCount)
    assert.are.same({pages = 0, bytesReserved = 0, bytesInUse = 0, objects = 0,
      largestFreeBlock = 0}, mem.stats)
  end)

  it("takes the first memory type, in Vulkan's order, whose flags include the asked ones",
    function()
      local s = support.session()
      for _, flags in ipairs(s:getSupportedMemoryPropertyFlags()) do
        for _, f in ipairs(flags) do
          local mem <close> = s:createMemory({f})
          local index, expected = first_type(s, {f})
          assert.are.equal(index, mem.memoryTypeIndex)
          assert.are.same(expected, mem.memoryFlags)
        end
        local mem <close> = s:createMemory(flags, nil, true)
        assert.are.same(flags, mem.memoryFlags)
        assert.are.equal(first_type(s, flags, true), mem.memoryTypeIndex)
      end
    end)

  it("takes one flag name, a list in any order, or an empty list", function()
    local s = support.session()
    local one <close> = s:createMemory("HostVisible")
    local list <close> = s:createMemory({"HostCoherent", "HostVisible"})
    assert.are.same(one.memoryFlags, host_visible_memory().memoryFlags)
    assert.are.equal(first_type(s, {"HostVisible", "HostCoherent"}), list.memoryTypeIndex)
    local any <close> = s:createMemory({})
    assert.are.equal(0, any.memoryTypeIndex)
  end)

  it("reads flags back as names in the enumeration's order", function()
    local mem <close> = host_visible_memory()
    local order = {DeviceLocal = 1, HostVisible = 2, HostCoherent = 3, HostCached = 4,
      LazilyAllocated = 5}
    local last = 0
    for _, name in ipairs(mem.memoryFlags) do
      assert.is_true(order[name] > last)
      last = order[name]
    end
    assert.is_true(mem.isMappable)
  end)

  it("takes any positive page size, powers of two or not, and reads it back", function()
    local s = support.session()
    for _, size in ipairs({1, 3, 1000, 4096, 3 * 5 * 7 * 11 * 13, 100 * MiB + 1}) do
      local mem <close> = s:createMemory({"HostVisible"}, size)
      assert.are.equal(size, mem.pageSize)
    end
    local float <close> = s:createMemory({"HostVisible"}, 4096.0)
    assert.are.equal(4096, float.pageSize)
    assert.is_true(math.type(float.pageSize) == "integer")
  end)

  it("warns once of a page size below 4096 bytes, never of 0 (one page per object)",
    function()
      local function stderr_of(code)
        local _, err, status = support.run_host({"-e", "local ll = require 'lluvia' "
          .. "local s = ll.createSession() " .. code})
        assert.are.equal(0, status, err)
        return err
      end
      local err = stderr_of("print(s:createMemory({'HostVisible'}, 32).pageSize) "
        .. "s:createMemory({'HostVisible'}, 100)")
      local text = "lluvia: warning: createMemory with pageSize 32: pages of fewer than 4096 "
        .. "bytes hold few objects"
      assert.is_truthy(err:find(text, 1, true), err)
      assert.is_truthy(err:find("0: one page per object", 1, true), err)
      local _, count = err:gsub("lluvia: warning: createMemory", "")
      assert.are.equal(1, count, err)
      for _, quiet in ipairs({"s:createMemory({'HostVisible'}, 0)",
                              "s:createMemory({'HostVisible'}, 4096)",
                              "s:createMemory({'HostVisible'})"}) do
        assert.are.equal("", stderr_of(quiet))
      end
    end)

  it("takes a trailing options table", function()
    local s = support.session()
    local mem <close> = s:createMemory{flags = "HostVisible", pageSize = 12345}
    assert.are.equal(12345, mem.pageSize)
    assert.is_true(mem.isMappable)
    local mixed <close> = s:createMemory({"HostVisible"}, {pageSize = 777, exactFlagsMatch = false})
    assert.are.equal(777, mixed.pageSize)
    support.raises("unknown option 'pagesize'", s.createMemory, s, {pagesize = 1})
    support.raises("option pageSize repeats argument #2", s.createMemory, s, "HostVisible", 1024,
      {pageSize = 1})
  end)

  it("rejects a page size that is not an integer >= 0", function()
    local s = support.session()
    for _, bad in ipairs({-1, 1.5, "4096", true}) do
      local msg = support.raises("pageSize must be an integer >= 0, got",
        function() return s:createMemory({"HostVisible"}, bad) end)
      assert.is_truthy(msg:find("bad argument #2 to 'createMemory'", 1, true), msg)
    end
    support.raises("pageSize must be an integer >= 0, got -4096", s.createMemory, s,
      {pageSize = -4096})
  end)

  it("takes pageSize 0 as one page per object, of exactly its size (lluvia's tests)",
    function()
      local s = support.session()
      local mem <close> = s:createMemory(ll.MemoryPropertyFlagBits.DeviceLocal, 0) -- images too
      assert.are.equal(0, mem.pageSize)
      local a <close> = mem:createBuffer(1000)
      local b <close> = mem:createBuffer(24)
      local img <close> = mem:createImage({4, 4})
      assert.are.same({0, 1, 2}, {a.allocationInfo.page, b.allocationInfo.page,
        img.allocationInfo.page})
      assert.are.same({0, 0, 0}, {a.allocationInfo.offset, b.allocationInfo.offset,
        img.allocationInfo.offset})
      assert.are.equal(3, mem.pageCount)
      assert.are.equal(a.allocationInfo.size + b.allocationInfo.size + img.allocationInfo.size,
        mem.stats.bytesReserved)
      a:fromHost(string.rep("x", 1000))
      assert.are.equal(string.rep("x", 1000), a:toHost():tostring())
      b:release()
      assert.are.equal(2, mem.pageCount)
      assert.is_true(ll._debug.validate(mem))
    end)

  it("rejects unknown flag names, listing the valid ones", function()
    local s = support.session()
    local msg = support.raises("unknown MemoryPropertyFlagBits 'HostVisibel'",
      function() return s:createMemory({"HostVisibel"}) end)
    assert.is_truthy(msg:find("DeviceLocal, HostVisible, HostCoherent, HostCached, " ..
      "LazilyAllocated", 1, true), msg)
    assert.is_truthy(msg:find("bad argument #1 to 'createMemory'", 1, true), msg)
    support.raises("MemoryPropertyFlagBits name, number or list expected, got true",
      s.createMemory, s, true)
  end)

  it("rejects a non-boolean exactFlagsMatch and extra arguments", function()
    local s = support.session()
    support.raises("exactFlagsMatch must be a boolean, got 1", s.createMemory, s,
      {"HostVisible"}, 1024, 1)
    support.raises("at most 3 arguments expected", s.createMemory, s, {"HostVisible"}, 1024,
      false, "extra")
  end)

  it("is a lluvia: error when no memory type has the flags", function()
    local s = support.session()
    -- No memory type is both lazily allocated and host-visible (Vulkan forbids it).
    local msg = support.raises("lluvia: no memory type of the device has flags " ..
      "{HostVisible, LazilyAllocated}", s.createMemory, s, {"HostVisible", "LazilyAllocated"})
    assert.is_truthy(msg:find("its memory types:", 1, true), msg)
    local flags = s:getSupportedMemoryPropertyFlags()
    if not first_type(s, {"HostVisible"}, true) then
      support.raises("lluvia: no memory type of the device has flags {HostVisible} exactly",
        s.createMemory, s, {"HostVisible"}, nil, true)
    end
    assert.is_true(#flags >= 1)
  end)

  it("raises on a released session", function()
    local s = ll.createSession{enableDebug = true}
    s:release()
    support.raises("lluvia: Session has been released", s.createMemory, s)
  end)
end)

describe("Memory", function()
  support.no_validation_messages()

  it("has read-only fields and a readable tostring", function()
    local mem <close> = host_visible_memory(4096)
    assert.are.equal("lluvia.Memory", getmetatable(mem))
    assert.is_truthy(tostring(mem):find("lluvia.Memory({", 1, true))
    assert.is_truthy(tostring(mem):find("pageSize 4096, 0 pages", 1, true))
    support.raises("read-only", function() mem.pageSize = 1 end)
    assert.are.equal(support.session(), mem.session)
    assert.is_nil(mem.noSuchField)
  end)

  it("counts pages, objects and bytes in stats", function()
    local mem <close> = host_visible_memory(64 * 1024)
    local a = mem:createBuffer(1000)
    local b = mem:createBuffer(3000)
    local st = mem.stats
    assert.are.equal(1, st.pages)
    assert.are.equal(1, mem.pageCount)
    assert.are.equal(64 * 1024, st.bytesReserved)
    assert.are.equal(2, st.objects)
    assert.is_true(st.bytesInUse >= 4000 and st.bytesInUse <= 64 * 1024)
    assert.is_true(st.largestFreeBlock > 0 and st.largestFreeBlock <= 64 * 1024 - st.bytesInUse)
    a:release()
    b:release()
    st = mem.stats
    assert.are.same({pages = 1, bytesReserved = 64 * 1024, bytesInUse = 0, objects = 0,
      largestFreeBlock = 64 * 1024}, st)
  end)

  it("gives an object larger than pageSize a page of its own, sized to it", function()
    local mem <close> = host_visible_memory(4096)
    local small = mem:createBuffer(100)
    local big = mem:createBuffer(10000)
    assert.are.equal(0, small.allocationInfo.page)
    assert.are.equal(1, big.allocationInfo.page)
    assert.are.equal(0, big.allocationInfo.offset)
    assert.are.equal(4096 + big.allocationInfo.size, mem.stats.bytesReserved)
    assert.is_true(big.allocationInfo.size >= 10000)
    assert.are.equal(2, mem.pageCount)
    big:release()
    assert.are.equal(1, mem.pageCount) -- a page of its own is not kept
    assert.is_false(mem:isPageMappable(1))
    small:release()
  end)

  it("returns empty pages to the device but keeps one, with stable page numbers", function()
    local mem <close> = host_visible_memory(4096)
    local bufs = {}
    for i = 1, 4 do bufs[i] = mem:createBuffer(4096) end -- each fills a page
    for i = 1, 4 do assert.are.equal(i - 1, bufs[i].allocationInfo.page) end
    assert.are.equal(4, mem.pageCount)
    bufs[2]:release()
    assert.are.equal(4, mem.pageCount) -- page 1 empty: kept
    bufs[3]:release()
    assert.are.equal(3, mem.pageCount) -- page 2 empty too: returned
    assert.is_true(mem:isPageMappable(1))
    assert.is_false(mem:isPageMappable(2))
    assert.are.equal(3, bufs[4].allocationInfo.page) -- unchanged
    local again = mem:createBuffer(4096)
    assert.are.equal(1, again.allocationInfo.page) -- the kept page is reused
    local another = mem:createBuffer(4096)
    assert.are.equal(2, another.allocationInfo.page) -- the lowest free number
    for _, b in ipairs({bufs[1], bufs[4], again, another}) do b:release() end
    assert.are.equal(1, mem.pageCount)
    assert.are.equal(0, mem.stats.objects)
  end)

  it("places and releases 100,000 objects in 4 KiB pages, a page opened only when none has room",
    function()
    local mem <close> = host_visible_memory(4096)
    local N = 100000
    local bufs, blocks = {}, 0
    for i = 0, N - 1 do
      local b = mem:createBuffer(256 << (i * 7 % 5)) -- 256 B to 4 KiB
      local block = 256
      while block < b.allocationInfo.size do block = block * 2 end
      blocks = blocks + block
      bufs[i + 1] = b
    end
    local st = mem.stats
    assert.are.equal(N, st.objects)
    assert.are.equal(blocks, st.bytesInUse)
    -- Blocks of powers of two placed best-fit fill every page: the page count is the least
    -- that holds them, so no page was opened while one had room.
    assert.are.equal(math.ceil(blocks / 4096), st.pages)
    assert.is_true(ll._debug.validate(mem)) -- the page index agrees with every page
    for i = 0, N - 1 do bufs[i * 7919 % N + 1]:release() end -- a scattered order
    assert.is_true(ll._debug.validate(mem))
    assert.are.same({pages = 1, bytesReserved = 4096, bytesInUse = 0, objects = 0,
      largestFreeBlock = 4096}, mem.stats)
  end)

  describe("isPageMappable", function()
    support.no_validation_messages()

    it("is true exactly for pages that exist in host-visible memory", function()
      local mem <close> = host_visible_memory(4096)
      assert.is_false(mem:isPageMappable(0))
      local b <close> = mem:createBuffer(16)
      assert.is_true(mem:isPageMappable(0))
      assert.is_false(mem:isPageMappable(1))
      assert.is_false(mem:isPageMappable(1 << 40))
      assert.is_true(mem:isPageMappable(0.0))
      local s = support.session()
      for i, flags in ipairs(s:getSupportedMemoryPropertyFlags()) do
        local m <close> = s:createMemory(flags, 4096, true)
        local visible = false
        for _, f in ipairs(flags) do visible = visible or f == "HostVisible" end
        assert.are.equal(visible, m.isMappable)
        -- Some types hold no buffers (lazily allocated ones, say): a lluvia: error.
        local ok, x = pcall(m.createBuffer, m, 16)
        if ok then
          assert.are.equal(visible, m:isPageMappable(0), "memory type " .. (i - 1))
          x:release()
        else
          assert.is_truthy(tostring(x):find("lluvia: the object cannot live in this Memory",
            1, true), x)
        end
      end
    end)

    it("rejects a negative or non-integer page", function()
      local mem <close> = host_visible_memory()
      for _, bad in ipairs({-1, 0.5, "0", nil}) do
        local msg = support.raises("page must be an integer >= 0, got",
          function() return mem:isPageMappable(bad) end)
        assert.is_truthy(msg:find("bad argument #1 to 'isPageMappable'", 1, true), msg)
      end
      support.raises("page must be an integer >= 0, got no value", mem.isPageMappable, mem)
    end)
  end)

  it("raises on every use after release, and releases twice quietly", function()
    local mem = host_visible_memory()
    mem:release()
    mem:release()
    support.raises("lluvia: Memory has been released", function() return mem.pageSize end)
    support.raises("lluvia: Memory has been released", mem.isPageMappable, mem, 0)
    support.raises("lluvia: Memory has been released", mem.createBuffer, mem, 16)
    assert.are.equal("lluvia.Memory (released)", tostring(mem))
  end)

  it("closes with <close>, and is collected without release", function()
    local s = support.session()
    do
      local mem <close> = s:createMemory("HostVisible")
      mem:createBuffer(16)
    end
    s:createMemory("HostVisible"):createBuffer(16)
    collectgarbage()
    collectgarbage()
  end)

  it("is kept alive by its buffers, and keeps its session alive", function()
    local buf
    do
      local s = ll.createSession{enableDebug = true}
      local mem = s:createMemory("HostVisible", 4096)
      buf = mem:createBuffer(64)
    end
    collectgarbage()
    collectgarbage()
    buf:fromHost(string.rep("x", 64))
    assert.are.equal(string.rep("x", 64), buf:toHost():tostring())
    assert.are.equal(1, buf.memory.pageCount)
    assert.is_string(buf.memory.session.deviceName)
    buf:release()
    -- a released Memory still lives in the core while its buffers do
    local mem = host_visible_memory(4096)
    local b = mem:createBuffer(64)
    mem:release()
    b:fromHost(string.rep("y", 64))
    assert.are.equal(string.rep("y", 64), b:toHost():tostring())
    assert.are.equal(mem, b.memory)
  end)
end)

describe("device memory and the collector", function()
  support.no_validation_messages()

  after_each(function() ll.setDeviceMemoryBudget(nil) end)

  it("reports the process's device memory", function()
    local before = ll.deviceMemoryStats()
    local mem <close> = host_visible_memory(MiB)
    local b = mem:createBuffer(16)
    local during = ll.deviceMemoryStats()
    assert.are.equal(before.liveBytes + MiB, during.liveBytes)
    assert.are.equal(before.liveAllocations + 1, during.liveAllocations)
    assert.are.equal(before.totalAllocations + 1, during.totalAllocations)
    b:release()
    mem:release()
    assert.are.equal(before.liveBytes, ll.deviceMemoryStats().liveBytes)
  end)

  it("collects dropped buffers in time: 150 x 32 MiB never hold 1 GiB", function()
    collectgarbage()
    local mem <close> = support.session():createMemory() -- DeviceLocal
    local base = ll.deviceMemoryStats().liveBytes
    local most, most_reserved = 0, 0
    for i = 1, 150 do
      local b = mem:createBuffer(32 * MiB) -- dropped without release
      assert.are.equal(32 * MiB, b.size)
      most = math.max(most, ll.deviceMemoryStats().liveBytes - base)
      most_reserved = math.max(most_reserved, mem.stats.bytesReserved)
    end
    assert.is_true(most <= 1024 * MiB, ("%d MiB held"):format(most // MiB))
    assert.is_true(most_reserved <= 1024 * MiB)
    assert.is_true(ll.deviceMemoryStats().pacedCollections > 0)
    collectgarbage()
    assert.is_true(mem.pageCount <= 1)
  end)

  it("released buffers and images do not count towards a paced collection", function()
    collectgarbage()
    local mem <close> = support.session():createMemory() -- DeviceLocal
    local before = ll.deviceMemoryStats().pacedCollections
    for _ = 1, 64 do -- 64 x 16 MiB: 4 times the 256 MiB that paces a collection
      local b = mem:createBuffer(16 * MiB)
      b:release()
      local img <close> = mem:createImage({2048, 2048, 1, 4}) -- 16 MiB, closed
    end
    -- At most the one that earlier specs' dropped objects had brought close (without
    -- handing the released bytes back: one per 256 MiB, 8 or more).
    assert.is_true(ll.deviceMemoryStats().pacedCollections <= before + 1)
    before = ll.deviceMemoryStats().pacedCollections
    for _ = 1, 64 do mem:createBuffer(16 * MiB) end -- dropped: these do
    assert.is_true(ll.deviceMemoryStats().pacedCollections > before)
  end)

  it("runs a full collection and retries once when the device is out of memory", function()
    collectgarbage()
    local mem <close> = support.session():createMemory(nil, 8 * MiB)
    local before = ll.deviceMemoryStats()
    ll.setDeviceMemoryBudget(before.liveBytes + 20 * MiB)
    for _ = 1, 5 do mem:createBuffer(8 * MiB) end -- garbage; the third needs the collector
    local after = ll.deviceMemoryStats()
    assert.is_true(after.retryCollections > before.retryCollections)
    assert.is_true(after.liveBytes <= before.liveBytes + 20 * MiB)
  end)

  it("raises lluvia: ... out of device memory when collecting does not help", function()
    collectgarbage()
    local mem <close> = support.session():createMemory(nil, 8 * MiB)
    local keep = mem:createBuffer(16)
    local stats = mem.stats
    local before = ll.deviceMemoryStats()
    ll.setDeviceMemoryBudget(before.liveBytes + 4 * MiB)
    local msg = support.raises("lluvia:", mem.createBuffer, mem, 6 * MiB)
    assert.is_truthy(msg:find("VK_ERROR_OUT_OF_DEVICE_MEMORY", 1, true), msg)
    assert.are.equal(before.retryCollections + 1, ll.deviceMemoryStats().retryCollections)
    assert.are.same(stats, mem.stats) -- as it was
    support.raises("lluvia:", mem.createBuffer, mem, 16 * MiB) -- a page of its own
    assert.are.same(stats, mem.stats)
    keep:release()
  end)

  it("says which page a failed device allocation was for", function()
    collectgarbage()
    local mem <close> = support.session():createMemory(nil, 8 * MiB)
    local keep = mem:createBuffer(16) -- page 0
    ll.setDeviceMemoryBudget(ll.deviceMemoryStats().liveBytes + 4 * MiB)
    local msg = support.raises("lluvia: cannot allocate 8388608 bytes of device memory for " ..
      "page 1 of a Memory of {DeviceLocal", mem.createBuffer, mem, 6 * MiB)
    assert.is_truthy(msg:find("budget", 1, true), msg)
    support.raises("of device memory for page 1 of a Memory of {DeviceLocal",
      mem.createBuffer, mem, 16 * MiB)
    support.raises("}, a page of its own for an object of 16777216 bytes",
      mem.createBuffer, mem, 16 * MiB)
    keep:release()
  end)

  it("says when a failed device allocation was for the staging buffer", function()
    collectgarbage()
    -- a session of its own: its staging buffer is made on the first staged transfer
    local s = ll.createSession{enableDebug = true, forceStaging = true, stagingSize = 8 * MiB}
    local mem <close> = s:createMemory({"DeviceLocal"})
    local buf <close> = mem:createBuffer(64)
    ll.setDeviceMemoryBudget(ll.deviceMemoryStats().liveBytes + MiB)
    local msg = support.raises("of device memory for the staging buffer of a session " ..
      "(stagingSize 8388608)", buf.fromHost, buf, string.rep("x", 64))
    assert.is_truthy(msg:find("^lluvia: cannot allocate %d+ bytes"), msg)
    support.raises("for the staging buffer of a session (stagingSize 8388608)", buf.toHost, buf)
    ll.setDeviceMemoryBudget(nil)
    buf:fromHost(string.rep("x", 64))
    assert.are.equal(string.rep("x", 64), buf:toHost():tostring())
  end)

  it("rejects a budget that is not a positive integer", function()
    support.raises("budget must be a positive integer, got 0",
      ll.setDeviceMemoryBudget, 0)
  end)
end)

describe("session:getHostMemory and session:getDeviceMemory", function()
  support.no_validation_messages()

  it("give one HostVisible | HostCoherent and one DeviceLocal Memory per session, kept",
    function()
      local s <close> = ll.createSession{enableDebug = true}
      local host = s:getHostMemory()
      assert.are.equal(host, s:getHostMemory())
      assert.is_true(host.isMappable)
      local flags = {}
      for _, f in ipairs(host.memoryFlags) do flags[f] = true end
      assert.is_true(flags.HostVisible and flags.HostCoherent)
      local device = s:getDeviceMemory()
      assert.are.equal(device, s:getDeviceMemory())
      assert.are_not.equal(host, device)
      local f = {}
      for _, name in ipairs(device.memoryFlags) do f[name] = true end
      assert.is_true(f.DeviceLocal)
      assert.are.equal(32 << 20, host.pageSize)
      local other = support.session()
      assert.are_not.equal(host, other:getHostMemory())
      local b <close> = host:createBuffer(16)
      b:fromHost(string.rep("z", 16))
      assert.are.equal(string.rep("z", 16), b:toHost():tostring())
    end)

  it("keep the session alive and are collected with it", function()
    local s = ll.createSession{enableDebug = true}
    local host = s:getHostMemory()
    s = nil
    collectgarbage()
    do
      local b <close> = host:createBuffer(16) -- the Memory keeps its session
      assert.are.equal(16, b.size)
    end
    host = nil
    collectgarbage()
    collectgarbage()
  end)

  it("refuse a released session", function()
    local s = ll.createSession{enableDebug = true}
    s:release()
    support.raises("lluvia: Session has been released", s.getHostMemory, s)
    support.raises("Session expected, got 42", s.getDeviceMemory, 42)
  end)
end)

describe("deviceOnly", function()
  support.no_validation_messages()

  local function staged(fn)
    local before = ll._debug.transferStats()
    fn()
    local after = ll._debug.transferStats()
    return after.staging - before.staging, after.direct - before.direct
  end

  it("makes memory asked for as DeviceLocal not host-visible, as on a discrete GPU", function()
    local s = support.session({deviceOnly = true})
    assert.is_true(s.deviceOnly)
    for _, mem in ipairs({s:createMemory(), s:createMemory({"DeviceLocal"}), s:getDeviceMemory()}) do
      assert.is_false(mem.isMappable)
      local buf <close> = mem:createBuffer(1 << 17)
      assert.is_false(buf.isMappable)
      assert.is_false(mem:isPageMappable(0))
      support.raises("cannot map the buffer: its memory {DeviceLocal", buf.map, buf)
      -- Where the memory type is host-visible (lavapipe), deviceOnly is what refuses the map
      -- and the message says so; where it is not (a discrete GPU), the map is refused as
      -- on any device-only memory.
      local own = false
      for _, f in ipairs(mem.memoryFlags) do own = own or f == "HostVisible" end
      local why = own and "is not host-visible under deviceOnly" or "is not host-visible"
      local msg = support.raises(why, buf.map, buf)
      assert.is_truthy(msg:find("use toHost and fromHost", 1, true), msg)
      if own then
        assert.is_truthy(tostring(mem):find("not mappable (deviceOnly)", 1, true))
      end
      -- transfers still work, through staging (never a memcpy through a mapping)
      local a = ll.ndarray({1 << 17}, "uint8")
      for i = 1, #a, 997 do a[i] = i % 251 end
      local staging, direct = staged(function()
        buf:fromHost(a)
        support.same_array(a, buf:toHost())
      end)
      assert.is_true(staging >= 1, "transfers through staging")
      assert.are.equal(0, direct)
    end
  end)

  it("leaves memory asked for as HostVisible mappable", function()
    local s = support.session({deviceOnly = true})
    for _, flags in ipairs({{"HostVisible"}, {"DeviceLocal", "HostVisible"}}) do
      local mem <close> = s:createMemory(flags)
      assert.is_true(mem.isMappable)
      local buf <close> = mem:createBuffer(16)
      assert.are.equal(16, #buf:map())
    end
    assert.is_true(s:getHostMemory().isMappable)
  end)

  it("is off by default, and the same rule for a session made with LLUVIA_DEVICE_ONLY=1",
    function()
      local env = (os.getenv("LLUVIA_DEVICE_ONLY") or ""):lower()
      local on = env == "1" or env == "true" or env == "yes" or env == "on"
      assert.are.equal(on, support.session().deviceOnly)
      local code = "local ll = require 'lluvia' local s = ll.createSession() "
        .. "print(s.deviceOnly, s:createMemory().isMappable, "
        .. "s:createMemory({'HostVisible'}).isMappable)"
      local out, err, status = support.run_host({"-e", code}, nil, {LLUVIA_DEVICE_ONLY = "1"})
      assert.are.equal(0, status, err)
      assert.are.equal("true\tfalse\ttrue\n", out)
      out, err, status = support.run_host({"-e", code}, nil, {LLUVIA_DEVICE_ONLY = "0"})
      assert.are.equal(0, status, err)
      -- without it, DeviceLocal memory is mappable where its type is host-visible
      local visible = false
      for _, flags in ipairs(support.session():getSupportedMemoryPropertyFlags()) do
        local set = {}
        for _, f in ipairs(flags) do set[f] = true end
        if set.DeviceLocal then visible = set.HostVisible == true break end
      end
      assert.are.equal("false\t" .. tostring(visible) .. "\ttrue\n", out)
    end)

  it("refuses values that are not booleans, naming the option or the variable", function()
    support.raises("deviceOnly must be a boolean, got 1", ll.createSession, {deviceOnly = 1})
    local _, err, status = support.run_host({"-e", "require('lluvia').createSession()"}, nil,
      {LLUVIA_DEVICE_ONLY = "maybe"})
    assert.are.equal(1, status)
    assert.is_truthy(err:find("LLUVIA_DEVICE_ONLY must be one of 1, 0, true, false, yes, no, "
      .. "on, off; got 'maybe'", 1, true), err)
  end)
end)
