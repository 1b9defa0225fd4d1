-- buffer_spec.lua: API.md "Memory" (createBuffer, createBufferFromHost, createBufferLike) and
-- "Buffer": fields, placement, transfers to and from ll.ndarray, copies, mapping, the staging
-- path, and lifetime.
local ll = require "lluvia"
local support = require "support"

local MiB = 1 << 20
local DEFAULT_USAGE = {"StorageBuffer", "TransferDst", "TransferSrc"}

local function memory(pageSize, options)
  return support.session(options):createMemory({"HostVisible"}, pageSize)
end

local function iota(n, dtype)
  local a = ll.ndarray({n}, dtype or "float32")
  for i = 1, n do a[i] = i end
  return a
end

local function bytes(n, seed)
  local t = {}
  for i = 1, n do t[i] = string.char((i * 7 + (seed or 0)) % 256) end
  return table.concat(t)
end

-- A DeviceLocal memory type the host cannot map (none on lavapipe).
local function device_only_flags()
  for _, flags in ipairs(support.session():getSupportedMemoryPropertyFlags()) do
    local has = {}
    for _, f in ipairs(flags) do has[f] = true end
    if has.DeviceLocal and not has.HostVisible then return flags end
  end
end

describe("mem:createBuffer", function()
  support.no_validation_messages()

  it("makes a buffer of size bytes with lluvia's default usage flags", function()
    local mem <close> = memory()
    local buf <close> = mem:createBuffer(1000)
    assert.are.equal(1000, buf.size)
    assert.are.same(DEFAULT_USAGE, buf.usageFlags)
    assert.are.equal(mem, buf.memory)
    assert.is_true(buf.isMappable)
    assert.are.equal("lluvia.Buffer", getmetatable(buf))
  end)

  it("takes one usage name or a list, and reads flags back in the enumeration's order",
    function()
      local mem <close> = memory()
      local one <close> = mem:createBuffer(16, "UniformBuffer")
      assert.are.same({"UniformBuffer"}, one.usageFlags)
      local list <close> = mem:createBuffer(16, {"VertexBuffer", "TransferSrc", "IndexBuffer"})
      assert.are.same({"IndexBuffer", "TransferSrc", "VertexBuffer"}, list.usageFlags)
      local all = {}
      for name in pairs(ll.BufferUsageFlagBits) do all[#all + 1] = name end
      local every <close> = mem:createBuffer(16, all)
      assert.are.same(all, every.usageFlags)
    end)

  it("rejects a size that is not a positive integer", function()
    local mem <close> = memory()
    local msg = support.raises("size must be a positive integer, got 0",
      function() return mem:createBuffer(0) end)
    assert.are.equal("bad argument #1 to 'createBuffer' (size must be a positive integer, got 0)",
      msg:match("bad argument.*$"))
    support.raises("bad argument #1 to 'createBuffer' (size must be a positive integer, got -5)",
      function() mem:createBuffer(-5) end)
    support.raises("size must be a positive integer, got 1.5", mem.createBuffer, mem, 1.5)
    support.raises("size must be a positive integer, got '16'", mem.createBuffer, mem, "16")
    support.raises("size must be a positive integer, got nil", mem.createBuffer, mem, nil)
    assert.are.equal(0, mem.stats.objects)
  end)

  it("rejects unknown usage names, listing the valid ones", function()
    local mem <close> = memory()
    local msg = support.raises("unknown BufferUsageFlagBits 'Storage'",
      function() return mem:createBuffer(16, {"Storage"}) end)
    assert.is_truthy(msg:find("IndexBuffer, IndirectBuffer, StorageBuffer", 1, true), msg)
    assert.is_truthy(msg:find("bad argument #2 to 'createBuffer'", 1, true), msg)
  end)

  it("fails cleanly for sizes no heap holds, leaving the Memory as it was", function()
    local mem <close> = memory(4096)
    local keep <close> = mem:createBuffer(100)
    local stats = mem.stats
    for _, size in ipairs({1 << 62, math.maxinteger, (1 << 63) - 4096}) do
      local msg = support.raises("lluvia:", mem.createBuffer, mem, size)
      assert.is_truthy(msg:find("VK_ERROR_OUT_OF_DEVICE_MEMORY", 1, true), msg)
      assert.are.same(stats, mem.stats)
    end
  end)

  -- Only devices with a LazilyAllocated memory type (tiled GPUs) can show this here;
  -- tests/test_memory.c covers the same path on every device.
  local lazy
  for _, flags in ipairs(support.session():getSupportedMemoryPropertyFlags()) do
    for _, f in ipairs(flags) do
      if f == "LazilyAllocated" then lazy = flags end
    end
  end
  if lazy then
    it("is a lluvia: error where the memory type cannot hold buffers", function()
      local mem <close> = support.session():createMemory(lazy, nil, true)
      support.raises("lluvia: the object cannot live in this Memory", mem.createBuffer, mem, 16)
      assert.are.equal(0, mem.pageCount)
    end)
  end

  it("reports page, offset, leftPadding and size, honouring alignment", function()
    local mem <close> = memory(64 * 1024)
    local bufs = {}
    for i = 1, 10 do bufs[i] = mem:createBuffer(100 * i + 3) end
    for i, b in ipairs(bufs) do
      local a = b.allocationInfo
      assert.are.equal(0, a.page)
      assert.are.equal(0, a.leftPadding)
      assert.is_true(a.size >= b.size)
      assert.are.equal(0, a.offset % 16) -- buffers are aligned to at least 16 on every device
      for j = i + 1, #bufs do
        local c = bufs[j].allocationInfo
        assert.is_true(a.offset + a.size <= c.offset or c.offset + c.size <= a.offset)
      end
    end
    for _, b in ipairs(bufs) do b:release() end
  end)

  it("keeps buffers and optimal-tiling images apart by bufferImageGranularity", function()
    local s = support.session{bufferImageGranularity = 4096}
    -- DeviceLocal memory holds both buffers and optimal-tiling images on every device
    -- (NVIDIA's host-visible types take no optimal images).
    local mem <close> = s:createMemory({"DeviceLocal"}, MiB)
    local buf <close> = mem:createBuffer(100)
    local img <close> = mem:createImage({8, 8}, "Uint8")
    local buf2 <close> = mem:createBuffer(100)
    local b, i, b2 = buf.allocationInfo, img.allocationInfo, buf2.allocationInfo
    assert.are.equal(b.page, i.page)
    local function pages(a) return a.offset // 4096, (a.offset + a.size - 1) // 4096 end
    local ifirst, ilast = pages(i)
    for _, a in ipairs({b, b2}) do
      local first, last = pages(a)
      assert.is_true(last < ifirst or first > ilast, "a buffer shares a 4096-byte page " ..
        "with an image")
    end
  end)
end)

describe("mem:createBufferFromHost", function()
  support.no_validation_messages()

  it("copies an ndarray, a table or a string into a new buffer of its byte size", function()
    local mem <close> = memory()
    local a = iota(100, "float32")
    local fromArray <close> = mem:createBufferFromHost(a)
    assert.are.equal(400, fromArray.size)
    assert.are.same(a:totable(), fromArray:toHost("float32"):totable())
    assert.are.same(DEFAULT_USAGE, fromArray.usageFlags)

    local fromTable <close> = mem:createBufferFromHost({1, 2, 3})
    assert.are.equal(24, fromTable.size) -- int64, as ll.ndarray.fromTable infers
    assert.are.same({1, 2, 3}, fromTable:toHost("int64"):totable())

    local s = bytes(1001)
    local fromString <close> = mem:createBufferFromHost(s, {"UniformBuffer", "TransferSrc"})
    assert.are.equal(1001, fromString.size)
    assert.are.equal(s, fromString:toHost():tostring())
    assert.are.same({"TransferSrc", "UniformBuffer"}, fromString.usageFlags)
  end)

  it("rejects what is not an array, and empty arrays", function()
    local mem <close> = memory()
    support.raises("bad argument #1 to 'createBufferFromHost' (ndarray, table or string " ..
      "expected, got true)", function() return mem:createBufferFromHost(true) end)
    support.raises("empty string", mem.createBufferFromHost, mem, "")
    support.raises("unknown BufferUsageFlagBits", mem.createBufferFromHost, mem, "abc", "Nope")
    assert.are.equal(0, mem.stats.objects)
  end)
end)

describe("mem:createBufferLike", function()
  support.no_validation_messages()

  it("takes the byte size of an array, table, string or Buffer, with default usage",
    function()
      local mem <close> = memory()
      local other <close> = mem:createBuffer(123, "UniformBuffer")
      local cases = {
        {iota(10, "float64"), 80},
        {{1.5, 2.5}, 16},
        {{{1, 2}, {3, 4}}, 32},
        {"hello", 5},
        {other, 123},
      }
      for _, case in ipairs(cases) do
        local b <close> = mem:createBufferLike(case[1])
        assert.are.equal(case[2], b.size)
        assert.are.same(DEFAULT_USAGE, b.usageFlags)
      end
      local u <close> = mem:createBufferLike("abcd", "VertexBuffer")
      assert.are.same({"VertexBuffer"}, u.usageFlags)
    end)

  it("takes the size of an Image", function()
    local mem <close> = support.session():createMemory({"DeviceLocal"})
    local img <close> = mem:createImage({4, 4, 4}, "Float32")
    local b <close> = mem:createBufferLike(img)
    assert.are.equal(img.size, b.size)
  end)

  it("rejects other values and released objects", function()
    local mem <close> = memory()
    support.raises("array, table, string, Buffer or Image expected, got 42",
      mem.createBufferLike, mem, 42)
    support.raises("a buffer needs at least 1", mem.createBufferLike, mem, "")
    local b = mem:createBuffer(4)
    b:release()
    support.raises("lluvia: Buffer has been released", mem.createBufferLike, mem, b)
  end)
end)

describe("buf:toHost", function()
  support.no_validation_messages()

  it("returns the bytes as a 1-D uint8 ndarray by default", function()
    local mem <close> = memory()
    local s = bytes(77, 3)
    local b <close> = mem:createBufferFromHost(s)
    local out = b:toHost()
    assert.are.equal("uint8", out.dtype)
    assert.are.same({77}, out.shape)
    assert.are.equal(s, out:tostring())
  end)

  it("reads as any dtype that divides the size, either spelling", function()
    local mem <close> = memory()
    local b <close> = mem:createBufferFromHost(iota(6, "int32"))
    assert.are.same({1, 2, 3, 4, 5, 6}, b:toHost("int32"):totable())
    assert.are.same({6}, b:toHost("Int32").shape)
    assert.are.same({3}, b:toHost("float64").shape)
    support.raises("the buffer's 20 bytes are not a whole number of float64", function()
      local odd <close> = mem:createBuffer(20)
      return odd:toHost("float64")
    end)
    local msg = support.raises("unknown dtype 'float128'", b.toHost, b, "float128")
    assert.is_truthy(msg:find("uint8", 1, true) and msg:find("float64", 1, true), msg)
  end)

  it("fills an output array of equal byte size and returns it", function()
    local mem <close> = memory()
    local b <close> = mem:createBufferFromHost(iota(8, "float32"))
    local out = ll.ndarray({2, 4}, "float32")
    assert.are.equal(out, b:toHost(out))
    assert.are.same({{1, 2, 3, 4}, {5, 6, 7, 8}}, out:totable())
    support.raises("the output array has 36 bytes, the buffer 32 (byte sizes must be equal)",
      b.toHost, b, ll.ndarray({9}, "float32"))
    support.raises("dtype name or output ndarray expected, got true", b.toHost, b, true)
    local gone = ll.ndarray({8}, "float32")
    gone:release()
    support.raises("lluvia: ndarray has been released", b.toHost, b, gone)
  end)
end)

describe("buf:fromHost", function()
  support.no_validation_messages()

  it("copies an array, table or string of the same byte size", function()
    local mem <close> = memory()
    local b <close> = mem:createBuffer(16)
    b:fromHost(iota(4, "float32"))
    assert.are.same({1, 2, 3, 4}, b:toHost("float32"):totable())
    b:fromHost({7, 8})
    assert.are.same({7, 8}, b:toHost("int64"):totable())
    b:fromHost("0123456789abcdef")
    assert.are.equal("0123456789abcdef", b:toHost():tostring())
  end)

  it("rejects arrays whose byte size differs", function()
    local mem <close> = memory()
    local b <close> = mem:createBuffer(16)
    b:fromHost("0123456789abcdef")
    local msg = support.raises("the array has 12 bytes, the buffer 16 (byte sizes must be equal)",
      function() return b:fromHost(iota(3, "float32")) end)
    assert.is_truthy(msg:find("bad argument #1 to 'fromHost'", 1, true), msg)
    support.raises("byte sizes must be equal", b.fromHost, b, string.rep("x", 17))
    assert.are.equal("0123456789abcdef", b:toHost():tostring()) -- unchanged
  end)
end)

describe("buf:copy", function()
  support.no_validation_messages()

  it("returns a new buffer in the same memory with the same size, usage and content",
    function()
      local mem <close> = memory()
      local b <close> = mem:createBufferFromHost(bytes(5000, 1), {"StorageBuffer", "TransferSrc"})
      local c <close> = b:copy()
      assert.are_not.equal(b, c)
      assert.are.equal(mem, c.memory)
      assert.are.equal(5000, c.size)
      assert.are.same(b.usageFlags, c.usageFlags)
      assert.are.equal(bytes(5000, 1), c:toHost():tostring())
    end)

  it("copies into an output buffer of the same size, in another Memory too", function()
    local mem <close> = memory()
    local other <close> = support.session():createMemory({"DeviceLocal"}, 4096)
    local b <close> = mem:createBufferFromHost(bytes(300, 2))
    local out <close> = other:createBuffer(300)
    assert.are.equal(out, b:copy(out))
    assert.are.equal(bytes(300, 2), out:toHost():tostring())
  end)

  -- One rule with img:copyTo (docs/memory.md): only buffers of one session.
  it("rejects an output of another session, on the same device or another", function()
    local mem <close> = memory()
    local other <close> = support.session({stagingSize = 1 << 20}):createMemory({"DeviceLocal"})
    local b <close> = mem:createBuffer(16)
    local out <close> = other:createBuffer(16)
    support.raises("bad argument #1 to 'copy' (the output buffer belongs to another session on "
      .. "the same device: copies are made only between objects of one session)",
      function() b:copy(out) end)
    -- With and without the validation layer: two VkInstances, so two VkDevices.
    local stdout, stderr = support.run_host({"-e", [[
      local ll = require "lluvia"
      local function buffer(debug)
        return ll.createSession({enableDebug = debug}):createMemory({"DeviceLocal"})
          :createBuffer(16)
      end
      local ok, msg = pcall(function() buffer(false):copy(buffer(true)) end)
      print(ok, msg)]]}, nil, {LLUVIA_ENABLE_DEBUG = "0"})
    assert.are.equal("", stderr)
    assert.is_truthy(stdout:find("false\t.*bad argument #1 to 'copy' %(the output buffer "
      .. "belongs to another session on another device"))
  end)

  it("rejects an output of another size, itself, and non-buffers", function()
    local mem <close> = memory()
    local b <close> = mem:createBuffer(64)
    local small <close> = mem:createBuffer(32)
    support.raises("the output has 32 bytes, this buffer 64 (sizes must be equal)", b.copy, b,
      small)
    support.raises("the output is this buffer", b.copy, b, b)
    support.raises("Buffer expected, got 'x'", b.copy, b, "x")
    small:release()
    support.raises("lluvia: Buffer has been released", b.copy, b, small)
  end)
end)

describe("buf:map", function()
  support.no_validation_messages()

  it("returns an ndarray aliasing the buffer's bytes", function()
    local mem <close> = memory()
    local b <close> = mem:createBufferFromHost(iota(8, "float32"))
    local v <close> = b:map("float32")
    assert.are.same({8}, v.shape)
    assert.are.equal("float32", v.dtype)
    assert.are.equal(3, v[3])
    v[3] = 42
    assert.are.equal(42, b:toHost("float32")[3])
    b:fromHost(iota(8, "float32"))
    assert.are.equal(3, v[3])
    local raw = b:map()
    assert.are.equal("uint8", raw.dtype)
    assert.are.equal(32, #raw)
  end)

  it("maps many buffers on one page at the same time", function()
    local mem <close> = memory(MiB)
    local bufs, views = {}, {}
    for i = 1, 8 do
      bufs[i] = mem:createBuffer(64)
      views[i] = bufs[i]:map("int32")
      views[i]:fill(i)
    end
    assert.are.equal(1, mem.pageCount)
    for i = 1, 8 do
      assert.are.same({i, i, i, i}, {views[i][1], views[i][2], views[i][15], views[i][16]})
      assert.are.equal(i, bufs[i]:toHost("int32")[16])
    end
    local again = bufs[1]:map("int32") -- a second view of one buffer
    assert.are.equal(1, again[1])
    for i = 1, 8 do bufs[i]:release() end
  end)

  it("ends with <close>, and its view dies with the buffer", function()
    local mem <close> = memory()
    local b = mem:createBuffer(16)
    do
      local v <close> = b:map("int32")
      v[1] = 7
    end
    assert.are.equal(7, b:toHost("int32")[1])
    local v = b:map("int32")
    local reshaped = v:reshape({2, 2})
    b:release()
    support.raises("lluvia: ndarray has been released", function() return v[1] end)
    support.raises("lluvia: ndarray has been released", function() v[1] = 1 end)
    support.raises("lluvia: ndarray has been released", function() return reshaped:get(1, 1) end)
    v:release() -- quiet
  end)

  it("keeps its buffer alive", function()
    local mem <close> = memory()
    local v = mem:createBuffer(16):map("int32")
    collectgarbage()
    collectgarbage()
    v[4] = 9
    assert.are.equal(9, v[4])
    v = nil
    collectgarbage()
    collectgarbage()
    assert.are.equal(0, mem.stats.objects)
  end)

  it("rejects dtypes that do not divide the size, and unknown ones", function()
    local mem <close> = memory()
    local b <close> = mem:createBuffer(6)
    support.raises("the buffer's 6 bytes are not a whole number of float32 elements",
      b.map, b, "float32")
    support.raises("unknown dtype 'float8'", b.map, b, "float8")
  end)

  -- Device-only memory (DeviceLocal without HostVisible) exists on real GPUs, not on
  -- lavapipe; there forceStaging runs the same transfer path (see above).
  if device_only_flags() then
    it("is a lluvia: error on memory the host cannot map", function()
      local flags = device_only_flags()
      local mem <close> = support.session():createMemory(flags, nil, true)
      local b <close> = mem:createBuffer(16)
      assert.is_false(b.isMappable)
      support.raises("lluvia: cannot map the buffer", b.map, b)
    end)
  end
end)

describe("staging", function()
  support.no_validation_messages()

  local function roundtrip(mem, n)
    local data = bytes(n, n)
    local b <close> = mem:createBufferFromHost(data)
    assert.are.equal(data, b:toHost():tostring())
    local c <close> = b:copy()
    assert.are.equal(data, c:toHost():tostring())
    local half = n // 2
    if half > 0 then
      local out = ll.ndarray({half}, "uint8")
      local part <close> = mem:createBuffer(half)
      part:fromHost(data:sub(1, half))
      assert.are.equal(out, part:toHost(out))
      assert.are.equal(data:sub(1, half), out:tostring())
    end
  end

  it("moves data through a staging buffer smaller than the transfer, in chunks", function()
    local s = support.session{forceStaging = true, stagingSize = 4096}
    assert.is_true(s.forceStaging)
    local mem <close> = s:createMemory({"HostVisible"}, MiB)
    for _, n in ipairs({1, 7, 2048, 2049, 4096, 4097, 10000, 3 * 4096 + 17, 300000}) do
      roundtrip(mem, n)
    end
  end)

  it("reuses one staging buffer: no device memory is allocated per transfer", function()
    local s = support.session{forceStaging = true, stagingSize = 64 * 1024}
    local mem <close> = s:createMemory({"HostVisible"}, MiB)
    local b <close> = mem:createBuffer(200000)
    b:fromHost(bytes(200000)) -- the staging buffer exists from here on
    local before = ll.deviceMemoryStats()
    for i = 1, 10 do
      b:fromHost(bytes(200000, i))
      assert.are.equal(bytes(200000, i), b:toHost():tostring())
    end
    local after = ll.deviceMemoryStats()
    assert.are.equal(before.totalAllocations, after.totalAllocations)
    assert.are.equal(before.liveBytes, after.liveBytes)
  end)

  -- Device-only memory (DeviceLocal without HostVisible) exists on real GPUs, not on
  -- lavapipe; there forceStaging runs the same transfer path (see above).
  if device_only_flags() then
    it("is used for memory the host cannot map", function()
      local flags = device_only_flags()
      local mem <close> = support.session():createMemory(flags, nil, true)
      roundtrip(mem, 100000)
    end)
  end

  it("leaves mapping alone: map() still aliases host-visible memory", function()
    local s = support.session{forceStaging = true, stagingSize = 4096}
    local mem <close> = s:createMemory({"HostVisible"}, MiB)
    local b <close> = mem:createBufferFromHost(iota(4, "int32"))
    local v <close> = b:map("int32")
    assert.are.same({1, 2, 3, 4}, v:totable())
    v[2] = 20
    assert.are.same({1, 20, 3, 4}, b:toHost("int32"):totable())
  end)
end)

describe("Buffer", function()
  support.no_validation_messages()

  it("has read-only fields and a readable tostring", function()
    local mem <close> = memory()
    local b <close> = mem:createBuffer(1000)
    assert.is_truthy(tostring(b):find("lluvia.Buffer(1000 bytes, page 0, offset ", 1, true))
    support.raises("read-only", function() b.size = 1 end)
    assert.is_nil(b.nope)
    local info = b.allocationInfo
    info.page = 99 -- a fresh table each time
    assert.are.equal(0, b.allocationInfo.page)
  end)

  it("raises on every use after release, and releases twice quietly", function()
    local mem <close> = memory()
    local b = mem:createBuffer(16)
    b:release()
    b:release()
    for _, f in ipairs({
      function() return b.size end,
      function() return b.allocationInfo end,
      function() return b:toHost() end,
      function() return b:fromHost("0123456789abcdef") end,
      function() return b:copy() end,
      function() return b:map() end,
    }) do
      support.raises("lluvia: Buffer has been released", f)
    end
    assert.are.equal("lluvia.Buffer (released)", tostring(b))
    assert.are.equal(0, mem.stats.objects)
  end)

  it("closes with <close> and is collected without release", function()
    local mem <close> = memory(4096)
    do
      local b <close> = mem:createBuffer(16)
    end
    assert.are.equal(0, mem.stats.objects)
    mem:createBuffer(16)
    collectgarbage()
    collectgarbage()
    assert.are.equal(0, mem.stats.objects)
  end)

  it("rejects methods called on other values", function()
    local mem <close> = memory()
    local b <close> = mem:createBuffer(16)
    support.raises("Buffer expected, got 42", b.toHost, 42)
    support.raises("Memory expected, got 42", mem.createBuffer, 42, 16)
  end)
end)
