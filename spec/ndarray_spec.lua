-- ndarray_spec.lua: API.md "Host arrays": ll.ndarray, fromTable, fromString, the fields,
-- element access, totable/tostring/fill/reshape/view/copy, release, and every error path.
local ll = require "lluvia"

local DTYPES = {"uint8", "int8", "uint16", "int16", "float16", "uint32", "int32", "float32",
  "uint64", "int64", "float64"}
local SIZES = {uint8 = 1, int8 = 1, uint16 = 2, int16 = 2, float16 = 2, uint32 = 4, int32 = 4,
  float32 = 4, uint64 = 8, int64 = 8, float64 = 8}
local INT_RANGES = {
  uint8 = {0, 255}, int8 = {-128, 127}, uint16 = {0, 65535}, int16 = {-32768, 32767},
  uint32 = {0, 4294967295}, int32 = {-2147483648, 2147483647},
  int64 = {math.mininteger, math.maxinteger}, uint64 = {0, math.maxinteger},
}

-- fn must raise an error whose message contains `text` (plain).
local function fails(text, fn, ...)
  local ok, err = pcall(fn, ...)
  assert.is_false(ok, "expected an error containing: " .. text)
  err = tostring(err)
  assert.is_truthy(err:find(text, 1, true),
    ("expected the error to contain\n  %s\nbut it was\n  %s"):format(text, err))
  return err
end

local RELEASED = "lluvia: ndarray has been released"

describe("ll.ndarray(shape, dtype)", function()
  it("is callable and carries fromTable and fromString", function()
    assert.are.equal("table", type(ll.ndarray))
    assert.is_function(ll.ndarray.fromTable)
    assert.is_function(ll.ndarray.fromString)
  end)

  it("makes a zero-filled float32 array by default", function()
    local a = ll.ndarray({2, 3})
    assert.are.equal("float32", a.dtype)
    assert.are.same({2, 3}, a.shape)
    assert.are.equal(2, a.ndim)
    assert.are.equal(24, a.nbytes)
    assert.are.equal(6, #a)
    for i = 1, #a do assert.are.equal(0.0, a[i]) end
  end)

  it("makes every dtype with its element size", function()
    for _, dt in ipairs(DTYPES) do
      local a = ll.ndarray({3, 5}, dt)
      assert.are.equal(dt, a.dtype)
      assert.are.equal(15 * SIZES[dt], a.nbytes)
      assert.are.equal(0, a[15])
    end
  end)

  it("accepts ChannelType spellings, case-insensitively", function()
    assert.are.equal("float32", ll.ndarray({1}, "Float32").dtype)
    assert.are.equal("float32", ll.ndarray({1}, "FLOAT32").dtype)
    assert.are.equal("uint16", ll.ndarray({1}, "uInT16").dtype)
    if ll.ChannelType then
      assert.are.equal("float16", ll.ndarray({1}, ll.ChannelType.Float16).dtype)
    end
  end)

  it("accepts a single integer as a 1-D shape and integral floats as dimensions", function()
    assert.are.same({7}, ll.ndarray(7, "uint8").shape)
    assert.are.same({2, 4}, ll.ndarray({2.0, 4}, "uint8").shape)
  end)

  it("makes up to 16 dimensions", function()
    local shape = {}
    for k = 1, 16 do shape[k] = 1 end
    shape[16] = 3
    local a = ll.ndarray(shape, "int8")
    assert.are.equal(16, a.ndim)
    assert.are.equal(3, #a)
  end)

  it("rejects a shape that is not a table", function()
    fails("bad argument #1 to 'ndarray' (shape must be a table of 1 to 16 positive "
      .. "integers, got 'x')",
      function() return ll.ndarray("x") end)
  end)

  it("rejects an empty shape", function()
    fails("shape must have 1 to 16 entries, got 0", function() return ll.ndarray({}) end)
  end)

  it("rejects more than 16 dimensions", function()
    local shape = {}
    for k = 1, 17 do shape[k] = 1 end
    fails("shape must have 1 to 16 entries, got 17", function() return ll.ndarray(shape) end)
  end)

  it("rejects zero, negative and fractional dimensions", function()
    fails("shape[2] must be a positive integer, got 0", function() return ll.ndarray({2, 0}) end)
    fails("shape[1] must be a positive integer, got -3", function() return ll.ndarray({-3}) end)
    fails("shape[1] must be a positive integer, got 1.5", function() return ll.ndarray({1.5}) end)
    fails("shape[1] must be a positive integer, got 'two'", function() return ll.ndarray({"two"}) end)
    fails("shape must be a positive integer or a table of them, got 0",
      function() return ll.ndarray(0) end)
  end)

  it("rejects an unknown dtype, listing the valid ones", function()
    local err = fails("bad argument #2 to 'ndarray' (unknown dtype 'float'",
      function() return ll.ndarray({2}, "float") end)
    assert.is_truthy(err:find("uint8, int8, uint16, int16, float16, uint32, int32, float32, " ..
      "uint64, int64, float64", 1, true))
    fails("unknown dtype 42", function() return ll.ndarray({2}, 42) end)
  end)

  it("rejects a shape whose byte size overflows 64 bits, without wrapping", function()
    fails("shape {4294967296, 4294967296} of uint8 is too large: its byte size overflows",
      function() return ll.ndarray({2^32, 2^32}, "uint8") end)
    fails("is too large", function() return ll.ndarray({2^31, 2^31, 2}, "float64") end)
    fails("is too large", function() return ll.ndarray({math.maxinteger, 2}, "uint8") end)
  end)

  it("reports a shape that cannot be allocated as a lluvia: error", function()
    -- 2^50 bytes: beyond any machine's address space
    fails("lluvia: cannot allocate 1125899906842624 bytes for an ndarray of shape " ..
      "{33554432, 33554432} (uint8)", function() return ll.ndarray({2^25, 2^25}, "uint8") end)
  end)

  it("refuses more than the largest storage, 2^48 bytes, in every build", function()
    fails("lluvia: cannot allocate 562949953421312 bytes for an ndarray of shape " ..
      "{562949953421312} (uint8): more than the largest storage, 281474976710656 bytes",
      function() return ll.ndarray({1 << 49}, "uint8") end)
  end)

  it("reports a size the system refuses as a lluvia: error, under AddressSanitizer too", function()
    -- 2^48 bytes: no 47-bit user address space maps it; large storage is an anonymous
    -- mapping, which no allocator limit (ASan's is 2^40 bytes) applies to
    fails("lluvia: cannot allocate 281474976710656 bytes for an ndarray of shape " ..
      "{281474976710656} (uint8): out of host memory",
      function() return ll.ndarray({1 << 48}, "uint8") end)
  end)

  it("has the metatable hidden behind a name", function()
    assert.are.equal("ll.ndarray", getmetatable(ll.ndarray({1})))
    assert.are.equal("ll.ndarray", getmetatable(ll.ndarray))
  end)
end)

-- Resident bytes of this process: /proc/self/statm's second field, in 4 KiB pages.
local function resident_bytes()
  local f = assert(io.open("/proc/self/statm"))
  local _, resident = f:read("n", "n")
  f:close()
  return resident * 4096
end

describe("zero-filled storage", function()
  it("commits no memory when a 4 GiB array is made, and reads as zeros", function()
    local GiB = 1 << 30
    collectgarbage()
    local before = resident_bytes()
    local a <close> = ll.ndarray({GiB}, "float32")
    local grown = resident_bytes() - before
    assert.is_true(grown < 64 << 20, ("making it committed %d bytes"):format(grown))
    assert.are.equal(GiB, #a)
    assert.are.equal(0.0, a[1])
    assert.are.equal(0.0, a[GiB // 2 + 7])
    assert.are.equal(0.0, a[GiB])
    a[GiB] = 1.5
    assert.are.equal(1.5, a[GiB])
    -- only the pages read or written became resident
    assert.is_true(resident_bytes() - before < 64 << 20)
  end)

  it("makes {1 << 41} uint8 a clean error, or an array that commits nothing", function()
    -- a kernel that does not overcommit 2 TiB refuses the mapping: a lluvia: error; one that
    -- overcommits without limit (vm.overcommit_memory = 1) maps it, and nothing touches it
    local before = resident_bytes()
    local ok, a = pcall(ll.ndarray, {1 << 41}, "uint8")
    if ok then
      assert.are.equal(1 << 41, #a)
      assert.are.equal(0, a[1])
      assert.are.equal(0, a[1 << 41])
      assert.is_true(resident_bytes() - before < 64 << 20)
      a:release()
    else
      assert.are.equal("lluvia: cannot allocate 2199023255552 bytes for an ndarray of shape " ..
        "{2199023255552} (uint8): out of host memory", a)
    end
  end)
end)

describe("fields", function()
  it("returns shape as a new table each time", function()
    local a = ll.ndarray({2, 3, 4}, "uint8")
    local s = a.shape
    s[1] = 99
    assert.are.same({2, 3, 4}, a.shape)
  end)

  it("gives nil for an unknown field", function()
    assert.is_nil(ll.ndarray({1}).nothing)
  end)

  it("are read-only", function()
    local a = ll.ndarray({1})
    fails("ndarray index must be an integer, got 'dtype'", function() a.dtype = "uint8" end)
  end)
end)

describe("arr[i]", function()
  it("reads and writes flat, 1-based, in row-major order", function()
    local a = ll.ndarray({2, 3}, "int32")
    for i = 1, 6 do a[i] = i * 10 end
    assert.are.equal(10, a[1])
    assert.are.equal(60, a[6])
    assert.are.equal(30, a:get(1, 3))
    assert.are.equal(40, a:get(2, 1))
  end)

  it("reads integers from integer dtypes and floats from float dtypes", function()
    for _, dt in ipairs(DTYPES) do
      local a = ll.ndarray({1}, dt)
      a[1] = 3
      local want = dt:find("float") and "float" or "integer"
      assert.are.equal(want, math.type(a[1]), dt)
      assert.are.equal(3, a[1])
    end
  end)

  it("holds the extremes of every integer dtype", function()
    for dt, r in pairs(INT_RANGES) do
      local a = ll.ndarray({2}, dt)
      a[1], a[2] = r[1], r[2]
      assert.are.equal(r[1], a[1], dt)
      assert.are.equal(r[2], a[2], dt)
    end
  end)

  it("accepts integral floats for integer dtypes and as indices", function()
    local a = ll.ndarray({3}, "int16")
    a[2.0] = -7.0
    assert.are.equal(-7, a[2])
    assert.are.equal("integer", math.type(a[2.0]))
  end)

  it("refuses numeric strings as indices, as every integer argument does (args.h)", function()
    local a = ll.ndarray({3}, "int16")
    fails("ndarray index must be an integer, got '2'", function() a["2"] = 5 end)
    assert.is_nil(a["2"]) -- a string key is a field name, and there is no such field
    assert.are.equal(0, a[2])
    fails("ndarray index must be an integer, got '1.5'", function() a["1.5"] = 1 end)
  end)

  it("rejects an index out of bounds, reading and writing", function()
    local a = ll.ndarray({2, 3}, "uint8")
    fails("index 0 out of bounds (1..6)", function() return a[0] end)
    fails("index 7 out of bounds (1..6)", function() return a[7] end)
    fails("index -1 out of bounds (1..6)", function() return a[-1] end)
    fails("index 7 out of bounds (1..6)", function() a[7] = 1 end)
    fails("index 0 out of bounds (1..6)", function() a[0] = 1 end)
    fails("index " .. math.mininteger .. " out of bounds", function() return a[math.mininteger] end)
  end)

  it("rejects an index that is not an integer", function()
    local a = ll.ndarray({3}, "uint8")
    fails("ndarray index must be an integer, got 1.5", function() return a[1.5] end)
    fails("ndarray index must be an integer, got 1.5", function() a[1.5] = 1 end)
    fails("ndarray index must be an integer, got true", function() return a[true] end)
  end)

  for dt, r in pairs(INT_RANGES) do
    it("rejects values out of range for " .. dt, function()
      local a = ll.ndarray({4}, dt)
      if r[1] > math.mininteger then
        fails(("bad argument #3 to 'newindex' (value %d out of range for %s"):format(r[1] - 1, dt),
          function() a[2] = r[1] - 1 end)
      end
      if dt ~= "int64" and dt ~= "uint64" then
        fails(("value %d out of range for %s"):format(r[2] + 1, dt), function() a[3] = r[2] + 1 end)
      end
      fails("value 1e+300 out of range for " .. dt .. " (", function() a[1] = 1e300 end)
      fails("value inf out of range for " .. dt, function() a[1] = math.huge end)
      assert.are.equal(0, a[2]) -- a failed store changes nothing
    end)
  end

  it("names the index, the value and the dtype", function()
    local a = ll.ndarray({4}, "uint8")
    fails("(value 300 out of range for uint8 (0..255) at index 3)", function() a[3] = 300 end)
  end)

  it("rejects non-integers and NaN for integer dtypes", function()
    for dt in pairs(INT_RANGES) do
      local a = ll.ndarray({2}, dt)
      fails("value 1.5 not an integer for " .. dt .. " at index 2", function() a[2] = 1.5 end)
      fails("not an integer for " .. dt .. " at index 1", function() a[1] = 0 / 0 end)
      fails("value 0.25 not an integer", function() a[1] = 0.25 end)
    end
  end)

  it("rejects values that are not numbers, strings included", function()
    local a = ll.ndarray({2}, "float64")
    fails("value '1' not a number for float64 at index 1", function() a[1] = "1" end)
    fails("value true not a number for float64 at index 2", function() a[2] = true end)
    fails("value nil not a number for float64 at index 2", function() a[2] = nil end)
    fails("not a number for float64 at index 2", function() a[2] = {} end)
  end)

  describe("float16", function()
    it("rounds to nearest, ties to even", function()
      local a = ll.ndarray({6}, "float16")
      a[1], a[2], a[3] = 2049, 2051, 1 + 2^-11
      assert.are.equal(2048.0, a[1])
      assert.are.equal(2052.0, a[2])
      assert.are.equal(1.0, a[3])
      a[4] = 0.1
      assert.are.equal(0.0999755859375, a[4])
      a[5] = 65519
      assert.are.equal(65504.0, a[5])
      a[6] = 1 + 3 * 2^-11
      assert.are.equal(1 + 2^-9, a[6])
    end)

    it("keeps infinities, NaN, signed zero and subnormals", function()
      local a = ll.ndarray({6}, "float16")
      a[1], a[2], a[3], a[4], a[5], a[6] = math.huge, -math.huge, 0 / 0, -0.0, 2^-24, 2^-26
      assert.are.equal(math.huge, a[1])
      assert.are.equal(-math.huge, a[2])
      assert.are_not.equal(a[3], a[3])
      assert.are.equal(-math.huge, 1 / a[4])
      assert.are.equal(2^-24, a[5])
      assert.are.equal(0.0, a[6])
    end)

    it("rejects a finite value that rounds to infinity", function()
      local a = ll.ndarray({1}, "float16")
      fails("value 65520 out of range for float16", function() a[1] = 65520 end)
      fails("value -100000.0 out of range for float16", function() a[1] = -1e5 end)
    end)

    it("stores the exact IEEE bits", function()
      local a = ll.ndarray({3}, "float16")
      a[1], a[2], a[3] = 1.0, -2.0, 65504
      assert.are.equal("\x00\x3c\x00\xc0\xff\x7b", a:tostring())
    end)
  end)

  describe("float32", function()
    it("rounds to the nearest float32", function()
      local a = ll.ndarray({2}, "float32")
      a[1] = 0.1
      assert.are.equal(0.10000000149011612, a[1])
      a[2] = 16777217
      assert.are.equal(16777216.0, a[2])
    end)

    it("rejects a finite value that rounds to infinity, keeps inf and NaN", function()
      local a = ll.ndarray({2}, "float32")
      fails("value 1e+39 out of range for float32", function() a[1] = 1e39 end)
      a[1], a[2] = -math.huge, 0 / 0
      assert.are.equal(-math.huge, a[1])
      assert.are_not.equal(a[2], a[2])
    end)
  end)

  describe("64-bit integers", function()
    it("rejects 2^63 for int64 but takes -2^63", function()
      local a = ll.ndarray({1}, "int64")
      fails("out of range for int64", function() a[1] = 2.0^63 end)
      a[1] = -(2.0^63)
      assert.are.equal(math.mininteger, a[1])
    end)

    it("uint64: integers 0..maxinteger read back as integers", function()
      local a = ll.ndarray({1}, "uint64")
      a[1] = math.maxinteger
      assert.are.equal(math.maxinteger, a[1])
      assert.are.equal("integer", math.type(a[1]))
    end)

    it("uint64: integral floats in [2^63, 2^64) are stored exactly and read back as floats",
      function()
        local a = ll.ndarray({2}, "uint64")
        a[1] = 2.0^63
        a[2] = 2.0^64 - 2048
        assert.are.equal("float", math.type(a[1]))
        assert.are.equal(2.0^63, a[1])
        assert.are.equal(2.0^64 - 2048, a[2])
        assert.are.equal("\0\0\0\0\0\0\0\x80" .. "\0\xf8\xff\xff\xff\xff\xff\xff", a:tostring())
      end)

    it("uint64: values above maxinteger from bytes read as the nearest float, print exactly",
      function()
        local a = ll.ndarray.fromString(("\xff"):rep(8), {1}, "uint64")
        assert.are.equal(2.0^64, a[1])
        assert.is_truthy(tostring(a):find("18446744073709551615", 1, true))
      end)

    it("uint64: negative values and 2^64 are errors", function()
      local a = ll.ndarray({1}, "uint64")
      fails("value -1 out of range for uint64", function() a[1] = -1 end)
      fails("out of range for uint64", function() a[1] = 2.0^64 end)
      fails("out of range for uint64", function() a[1] = math.mininteger end)
    end)
  end)
end)

describe("arr:get and arr:set", function()
  it("address n-d elements, 1-based, row-major", function()
    local a = ll.ndarray({2, 3, 4}, "int32")
    for i = 1, #a do a[i] = i end
    assert.are.equal(1, a:get(1, 1, 1))
    assert.are.equal(2, a:get(1, 1, 2))
    assert.are.equal(5, a:get(1, 2, 1))
    assert.are.equal(13, a:get(2, 1, 1))
    assert.are.equal(24, a:get(2, 3, 4))
    a:set(-5, 2, 2, 3)
    assert.are.equal(-5, a[(2 - 1) * 12 + (2 - 1) * 4 + 3])
  end)

  it("work on 1-D arrays with one index", function()
    local a = ll.ndarray({3}, "float64")
    a:set(2.5, 3)
    assert.are.equal(2.5, a:get(3))
  end)

  it("reject the wrong number of indices", function()
    local a = ll.ndarray({2, 3}, "uint8")
    fails("bad argument #2 to 'get' (expected 2 indices for a 2-D array, got 1)",
      function() return a:get(1) end)
    fails("expected 2 indices for a 2-D array, got 3", function() return a:get(1, 1, 1) end)
    fails("expected 2 indices for a 2-D array, got 0", function() return a:get() end)
    fails("expected 2 indices for a 2-D array, got 1", function() a:set(1, 1) end)
  end)

  it("reject an index out of bounds on any axis", function()
    local a = ll.ndarray({2, 3}, "uint8")
    fails("bad argument #2 to 'get' (index 4 out of bounds for axis 2 (1..3))",
      function() return a:get(1, 4) end)
    fails("index 0 out of bounds for axis 1 (1..2)", function() return a:get(0, 1) end)
    fails("index 3 out of bounds for axis 1 (1..2)", function() a:set(1, 3, 1) end)
  end)

  it("reject an index that is not an integer", function()
    local a = ll.ndarray({2, 3}, "uint8")
    fails("index must be an integer, got 1.5", function() return a:get(1, 1.5) end)
    fails("index must be an integer, got 'a'", function() return a:get("a", 1) end)
  end)

  it("refuse numeric strings as indices, and take integral floats", function()
    local a = ll.ndarray({2, 3}, "uint8")
    fails("bad argument #2 to 'set' (index must be an integer, got '2')",
      function() a:set(7, "2", "3") end)
    fails("index must be an integer, got '3'", function() return a:get(2, "3") end)
    a:set(7, 2.0, 3)
    assert.are.equal(7, a:get(2, 3.0))
  end)

  it("reject a value the dtype cannot hold, naming the n-d index", function()
    local a = ll.ndarray({2, 3}, "uint8")
    fails("bad argument #1 to 'set' (value 300 out of range for uint8 (0..255) at index {1, 2})",
      function() a:set(300, 1, 2) end)
    fails("value 1.5 not an integer for uint8 at index {2, 3}", function() a:set(1.5, 2, 3) end)
    fails("value 'x' not a number for uint8 at index {2, 3}", function() a:set("x", 2, 3) end)
    assert.are.equal(0, a:get(1, 2))
  end)

  it("reject a call on something that is not an ndarray", function()
    local a = ll.ndarray({2}, "uint8")
    fails("ndarray expected, got", function() return a.get({}, 1) end)
  end)
end)

describe("pairs(arr)", function()
  it("iterates i, arr[i] in order", function()
    local a = ll.ndarray.fromTable({4, 5, 6}, "uint8")
    local seen = {}
    for i, v in pairs(a) do seen[#seen + 1] = i * 100 + v end
    assert.are.same({104, 205, 306}, seen)
  end)
end)

describe("ll.ndarray.fromTable", function()
  it("infers int64 when every value is an integer", function()
    local a = ll.ndarray.fromTable({{1, 2, 3}, {4, 5, 6}})
    assert.are.equal("int64", a.dtype)
    assert.are.same({2, 3}, a.shape)
    assert.are.same({{1, 2, 3}, {4, 5, 6}}, a:totable())
  end)

  it("infers float64 when any value is a float, converting the integers before it", function()
    local a = ll.ndarray.fromTable({{1, 2}, {3, 4.5}, {5, 6}})
    assert.are.equal("float64", a.dtype)
    assert.are.same({{1.0, 2.0}, {3.0, 4.5}, {5.0, 6.0}}, a:totable())
    assert.are.equal("float", math.type(a[1]))
    local b = ll.ndarray.fromTable({2^53 + 1, 0.5})
    assert.are.equal(2^53, b[1]) -- the one rounding of int64 -> float64
  end)

  it("takes a dtype, either spelling", function()
    local a = ll.ndarray.fromTable({1, 2, 3}, "Uint8")
    assert.are.equal("uint8", a.dtype)
    assert.are.equal("\1\2\3", a:tostring())
    assert.are.equal("float32", ll.ndarray.fromTable({1.5}, "float32").dtype)
  end)

  it("makes 1-D, 3-D and deeper arrays", function()
    assert.are.same({4}, ll.ndarray.fromTable({1, 2, 3, 4}).shape)
    local t = {{{1, 2}, {3, 4}, {5, 6}}, {{7, 8}, {9, 10}, {11, 12}}}
    local a = ll.ndarray.fromTable(t, "int16")
    assert.are.same({2, 3, 2}, a.shape)
    assert.are.equal(10, a:get(2, 2, 2))
    assert.are.same(t, a:totable())
  end)

  it("rejects ragged tables: a shorter row", function()
    fails("bad argument #1 to 'fromTable' (ragged nested table: length 1 at index 2, expected 2)",
      function() return ll.ndarray.fromTable({{1, 2}, {3}}) end)
    fails("ragged nested table: length 3 at index {1, 2}, expected 2",
      function() return ll.ndarray.fromTable({{{1, 2}, {3, 4, 5}}}) end)
  end)

  it("rejects ragged tables: a number where a row was expected", function()
    fails("ragged nested table: number at index 2 where a table of length 2 was expected",
      function() return ll.ndarray.fromTable({{1, 2}, 3}) end)
  end)

  it("rejects ragged tables: a row where a number was expected", function()
    fails("ragged nested table: a table at index {2, 2} where a number was expected",
      function() return ll.ndarray.fromTable({{1, 2}, {3, {4}}}) end)
  end)

  it("rejects values that are not numbers, and holes", function()
    fails("value 'a' not a number for int64 at index 2",
      function() return ll.ndarray.fromTable({1, "a"}) end)
    fails("value nil not a number for int64 at index {1, 2}",
      function() return ll.ndarray.fromTable({{1, nil, 3}, {4, 5, 6}}) end)
  end)

  it("rejects values the dtype cannot hold, naming the index", function()
    fails("value 300 out of range for uint8 (0..255) at index {2, 1}",
      function() return ll.ndarray.fromTable({{1, 2}, {300, 4}}, "uint8") end)
    fails("value 0.5 not an integer for int32 at index 3",
      function() return ll.ndarray.fromTable({1, 2, 0.5}, "int32") end)
  end)

  it("rejects empty tables", function()
    fails("empty table: every dimension must be at least 1",
      function() return ll.ndarray.fromTable({}) end)
    fails("empty table at index 1: every dimension must be at least 1",
      function() return ll.ndarray.fromTable({{}}) end)
  end)

  it("rejects tables nested deeper than 16 levels", function()
    local t = 1
    for _ = 1, 17 do t = {t} end
    fails("table nested deeper than 16 levels", function() return ll.ndarray.fromTable(t) end)
  end)

  it("rejects what is not a table, and an unknown dtype", function()
    fails("bad argument #1 to 'fromTable' (table expected",
      function() return ll.ndarray.fromTable("abc") end)
    fails("bad argument #2 to 'fromTable' (unknown dtype 'f32'",
      function() return ll.ndarray.fromTable({1}, "f32") end)
  end)

  it("round-trips totable for every dtype", function()
    for _, dt in ipairs(DTYPES) do
      local t = {{1, 2, 3}, {4, 5, 6}}
      assert.are.same(t, ll.ndarray.fromTable(t, dt):totable(), dt)
    end
  end)
end)

describe("ll.ndarray.fromString", function()
  it("makes an array of the given shape and dtype from raw bytes", function()
    local a = ll.ndarray.fromString("\1\0\2\0\3\0\4\0\5\0\6\0", {2, 3}, "uint16")
    assert.are.same({{1, 2, 3}, {4, 5, 6}}, a:totable())
  end)

  it("defaults to a 1-D uint8 array of every byte", function()
    local a = ll.ndarray.fromString("abc")
    assert.are.equal("uint8", a.dtype)
    assert.are.same({3}, a.shape)
    assert.are.equal(98, a[2])
    assert.are.same({2}, ll.ndarray.fromString("abcdefgh", nil, "float32").shape)
  end)

  it("round-trips tostring", function()
    local a = ll.ndarray({3, 4}, "float32")
    for i = 1, #a do a[i] = i / 4 end
    local b = ll.ndarray.fromString(a:tostring(), a.shape, a.dtype)
    assert.are.same(a:totable(), b:totable())
  end)

  it("rejects a byte count that does not match the shape", function()
    fails("bad argument #1 to 'fromString' (#bytes is 5, but shape {2, 2} of uint16 needs 8 bytes)",
      function() return ll.ndarray.fromString("abcde", {2, 2}, "uint16") end)
    fails("#bytes is 3, but shape {4294967296, 4294967296} of uint8 needs more than 2^63 bytes",
      function() return ll.ndarray.fromString("abc", {2^32, 2^32}) end)
    fails("5 bytes do not make a 1-D float32 array",
      function() return ll.ndarray.fromString("abcde", nil, "float32") end)
    fails("0 bytes do not make a 1-D uint8 array",
      function() return ll.ndarray.fromString("") end)
  end)

  it("rejects what is not a string, a bad shape and a bad dtype", function()
    fails("bad argument #1 to 'fromString' (string expected, got 42)",
      function() return ll.ndarray.fromString(42, {2}) end)
    fails("bad argument #2 to 'fromString' (shape[1] must be a positive integer",
      function() return ll.ndarray.fromString("ab", {0}) end)
    fails("bad argument #3 to 'fromString' (unknown dtype 'byte'",
      function() return ll.ndarray.fromString("ab", {2}, "byte") end)
  end)
end)

describe("arr:totable", function()
  it("gives a flat list for 1-D arrays and nested tables otherwise", function()
    assert.are.same({0, 0}, ll.ndarray({2}, "int8"):totable())
    assert.are.same({{{0}, {0}}}, ll.ndarray({1, 2, 1}, "int8"):totable())
  end)

  it("reads uint64 above maxinteger as floats", function()
    local a = ll.ndarray({2}, "uint64")
    a[1], a[2] = 2.0^63, 1
    local t = a:totable()
    assert.are.equal("float", math.type(t[1]))
    assert.are.equal("integer", math.type(t[2]))
  end)
end)

describe("arr:tostring", function()
  it("gives the raw bytes, little-endian, row-major", function()
    local a = ll.ndarray({2, 2}, "uint16")
    a:set(0x0102, 1, 2)
    local s = a:tostring()
    assert.are.equal(8, #s)
    assert.are.equal("\0\0\2\1\0\0\0\0", s)
  end)

  it("gives a large array's bytes in one string", function()
    local a = ll.ndarray({256, 256, 4}, "uint8"):fill(7)
    local s = a:tostring()
    assert.are.equal(a.nbytes, #s)
    assert.are.equal(("\7"):rep(64), s:sub(-64))
  end)
end)

describe("arr:fill", function()
  it("sets every element and returns the array", function()
    local a = ll.ndarray({3, 3}, "int16")
    assert.are.equal(a, a:fill(-2))
    for i = 1, #a do assert.are.equal(-2, a[i]) end
  end)

  it("fills multi-byte patterns of every dtype", function()
    for _, dt in ipairs(DTYPES) do
      local a = ll.ndarray({37}, dt):fill(5)
      for i = 1, #a do assert.are.equal(5, a[i], dt) end
    end
    local f = ll.ndarray({3}, "float32"):fill(0.1)
    assert.are.equal(0.10000000149011612, f[3])
  end)

  it("rejects a value the dtype cannot hold, changing nothing", function()
    local a = ll.ndarray({2}, "uint8")
    fails("bad argument #1 to 'fill' (value 256 out of range for uint8 (0..255))",
      function() a:fill(256) end)
    fails("value 0.5 not an integer for uint8", function() a:fill(0.5) end)
    fails("value 'x' not a number for uint8", function() a:fill("x") end)
    fails("bad argument #1 to 'fill' (value expected)", function() a:fill() end)
    assert.are.equal(0, a[1])
  end)
end)

describe("arr:reshape", function()
  it("shares the bytes under a new shape", function()
    local a = ll.ndarray({2, 3}, "int32")
    local r = a:reshape({3, 2})
    assert.are.same({3, 2}, r.shape)
    r:set(9, 3, 2)
    assert.are.equal(9, a:get(2, 3))
    a[1] = 4
    assert.are.equal(4, r[1])
  end)

  it("infers one -1 dimension", function()
    assert.are.same({4, 3}, ll.ndarray({2, 6}):reshape({4, -1}).shape)
    assert.are.same({12}, ll.ndarray({2, 6}):reshape({-1}).shape)
  end)

  it("rejects a different element count", function()
    fails("bad argument #1 to 'reshape' (cannot reshape an array of shape {2, 3} (6 elements) " ..
      "to {4, 2})",
      function() return ll.ndarray({2, 3}):reshape({4, 2}) end)
    fails("cannot reshape an array of shape {2, 3} (6 elements) to {4, -1}",
      function() return ll.ndarray({2, 3}):reshape({4, -1}) end)
  end)

  it("rejects two -1 entries and bad dimensions", function()
    fails("shape[2] must be a positive integer (or one -1), got -1",
      function() return ll.ndarray({2, 3}):reshape({-1, -1}) end)
    fails("shape[1] must be a positive integer (or one -1), got 0",
      function() return ll.ndarray({2, 3}):reshape({0, 6}) end)
  end)

  it("keeps the storage alive after the original is gone", function()
    local r = ll.ndarray({4}, "uint8"):fill(3):reshape({2, 2})
    collectgarbage()
    collectgarbage()
    assert.are.equal(3, r:get(2, 2))
  end)
end)

describe("arr:view", function()
  it("reinterprets the same bytes, scaling the last axis", function()
    local a = ll.ndarray({2, 2}, "float32")
    a[1] = 1.0
    local u = a:view("uint32")
    assert.are.same({2, 2}, u.shape)
    assert.are.equal(0x3f800000, u[1])
    local b = a:view("uint8")
    assert.are.same({2, 8}, b.shape)
    assert.are.equal(0x3f, b[4])
    local d = a:view("float64")
    assert.are.same({2, 1}, d.shape)
    b[16] = 0x40
    assert.are.equal(0x40000000, u[4])
  end)

  it("takes ChannelType spellings", function()
    assert.are.equal("int16", ll.ndarray({2}, "uint16"):view("Int16").dtype)
  end)

  it("rejects a last axis whose bytes do not divide", function()
    fails("bad argument #1 to 'view' (cannot view a uint8 array of shape {2, 3} as uint16: " ..
      "the last axis holds 3 bytes, not a multiple of 2)",
      function() return ll.ndarray({2, 3}, "uint8"):view("uint16") end)
  end)

  it("rejects a missing or unknown dtype", function()
    fails("dtype expected, got no value", function() return ll.ndarray({2}):view() end)
    fails("unknown dtype 'int128'", function() return ll.ndarray({2}):view("int128") end)
  end)
end)

describe("arr:copy", function()
  it("copies into new storage of the same shape and dtype", function()
    local a = ll.ndarray.fromTable({{1, 2}, {3, 4}}, "float16")
    local c = a:copy()
    assert.are.same(a.shape, c.shape)
    assert.are.equal("float16", c.dtype)
    c[1] = 9
    assert.are.equal(1, a[1])
    a:release()
    assert.are.equal(2, c[2])
  end)
end)

describe("tostring(arr)", function()
  it("shows dtype, shape and the values of small arrays", function()
    local a = ll.ndarray.fromTable({{1, 2, 3}, {4, 5, 6}}, "uint8")
    assert.are.equal("ndarray(uint8, {2, 3}, {{1, 2, 3}, {4, 5, 6}})", tostring(a))
    local f = ll.ndarray.fromTable({0.1, 2, -1 / 0, 0 / 0, 65504}, "float16")
    assert.are.equal("ndarray(float16, {5}, {0.1, 2.0, -inf, nan, 65504.0})", tostring(f))
    local g = ll.ndarray.fromTable({0.1, 1e20}, "float32")
    assert.are.equal("ndarray(float32, {2}, {0.1, 1e+20})", tostring(g))
  end)

  it("summarizes large arrays: the first and last values, min and max", function()
    assert.are.equal("ndarray(uint8, {2160, 3840, 4}, {0, 0, 0, ..., 0, 0, 0}, min 0, max 0)",
      tostring(ll.ndarray({2160, 3840, 4}, "uint8")))
  end)

  it("says when the array has been released", function()
    local a = ll.ndarray({1})
    a:release()
    assert.are.equal("ndarray(released)", tostring(a))
  end)
end)

describe("arr:release", function()
  local function all_uses(a)
    return {
      function() return a[1] end,
      function() a[1] = 1 end,
      function() return #a end,
      function() return a.shape end,
      function() return a.dtype end,
      function() return a.ndim end,
      function() return a.nbytes end,
      function() return a:get(1, 1) end,
      function() a:set(1, 1, 1) end,
      function() return a:totable() end,
      function() return a:tostring() end,
      function() return a:fill(0) end,
      function() return a:reshape({4}) end,
      function() return a:view("uint8") end,
      function() return a:copy() end,
      function() for _ in pairs(a) do end end,
    }
  end

  it("makes every later use an error", function()
    local a = ll.ndarray({2, 2}, "int32")
    a:release()
    for _, use in ipairs(all_uses(a)) do fails(RELEASED, use) end
  end)

  it("is idempotent", function()
    local a = ll.ndarray({2})
    a:release()
    a:release()
  end)

  it("ends every view of the array", function()
    local a = ll.ndarray({2, 2}, "int32")
    local r = a:reshape({4}):reshape({2, 2})
    local v = a:view("uint8"):reshape({2, 2, 4}):view("int32")
    a:release()
    for _, use in ipairs(all_uses(r)) do fails(RELEASED, use) end
    for _, use in ipairs(all_uses(v)) do fails(RELEASED, use) end
  end)

  it("of a view ends that view only", function()
    local a = ll.ndarray({2, 2}, "int32")
    local r = a:reshape({4})
    r:release()
    fails(RELEASED, function() return r[1] end)
    a[1] = 5
    assert.are.equal(5, a[1])
  end)

  it("runs for <close> variables", function()
    local keep
    do
      local a <close> = ll.ndarray({4}, "uint8")
      keep = a:reshape({2, 2})
      a[1] = 1
    end
    fails(RELEASED, function() return keep[1] end)
  end)

  it("lets the collector free arrays and views in any order", function()
    for _ = 1, 50 do
      local a = ll.ndarray({64, 1024}, "uint8")
      local v = a:view("float32")
      local r = v:reshape({-1})
      if math.random() < 0.5 then a = nil else r = nil end
      collectgarbage()
      assert.is_true(a == nil or a.nbytes == 65536)
      assert.is_true(r == nil or #r == 16384)
    end
    collectgarbage()
  end)
end)
