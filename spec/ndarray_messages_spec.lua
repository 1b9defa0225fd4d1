-- ndarray_messages_spec.lua: docs/ndarray.md's messages for the mistakes new users make
-- with arrays: dimensions given one by one, ipairs over an array, and a table of pixel
-- integers (int64) made into an image.
local ll = require "lluvia"
local support = require "spec.support"

describe("ll.ndarray(4, 4)", function()
  it("says the shape must be one table, and how to write it", function()
    support.raises("bad argument #1 to 'ndarray' (the shape must be one table of positive "
      .. "integers, got the numbers 4, 4: write ll.ndarray({4, 4}) or ll.ndarray({4, 4}, \"uint8\"))",
      function() return ll.ndarray(4, 4) end)
    support.raises("got the numbers 2, 3, 4: write ll.ndarray({2, 3, 4})",
      function() return ll.ndarray(2, 3, 4) end)
  end)

  it("still takes one number as a 1-D shape and a dtype after it", function()
    assert.are.same({4}, ll.ndarray(4).shape)
    assert.are.equal("uint8", ll.ndarray(4, "uint8").dtype)
    support.raises("unknown dtype 4", function() return ll.ndarray({4}, 4) end)
  end)
end)

describe("ipairs(arr)", function()
  it("stops cleanly after the last element", function()
    local seen = {}
    for i, v in ipairs(ll.ndarray.fromTable({10, 20, 30}, "int16")) do seen[i] = v end
    assert.are.same({10, 20, 30}, seen)
    local f = ll.ndarray({2, 2}, "float32")
    local n = 0
    for _ in ipairs(f) do n = n + 1 end
    assert.are.equal(4, n)
  end)

  it("leaves arr[#arr + 1] outside ipairs a bounds error", function()
    local a = ll.ndarray.fromTable({10, 20, 30}, "int16")
    support.raises("index 4 out of bounds (1..3)", function() return a[4] end)
    support.raises("index 5 out of bounds (1..3)", function() return a[5] end)
    support.raises("index 0 out of bounds (1..3)", function() return a[0] end)
    local sum = 0
    for i = 1, #a do sum = sum + a[i] end
    assert.are.equal(60, sum)
  end)

  it("raises on a released array", function()
    local a = ll.ndarray({2})
    a:release()
    support.raises("ndarray has been released", function() for _ in ipairs(a) do end end)
  end)
end)

describe("an image from a table of pixel integers", function()
  support.no_validation_messages()
  local mem = support.session():createMemory({"DeviceLocal"}, 0)
  local pixels = {{{1, 2, 3, 4}, {5, 6, 7, 8}}, {{9, 10, 11, 12}, {13, 14, 15, 16}}}
  local HINT = "a Lua table of integers becomes int64 and one of floats float64: make the "
    .. "array with ll.ndarray.fromTable(t, \"uint8\") (or \"float32\"), or convert it with "
    .. "arr:astype(\"uint8\")"

  it("says to make the array uint8 (createImageFromHost)", function()
    local err = support.raises("lluvia: VK_FORMAT_R64G64B64A64_SINT is not supported",
      function() return mem:createImageFromHost(pixels) end)
    assert.is_truthy(err:find("VK_ERROR_FORMAT_NOT_SUPPORTED; the array is int64: ", 1, true), err)
    assert.is_truthy(err:find(HINT, 1, true), err)
  end)

  it("says so for float64 arrays and createImageViewFromHost", function()
    support.raises("; the array is float64: ", mem.createImageFromHost, mem, ll.ndarray({2, 2, 4}, "float64"))
    support.raises(HINT, mem.createImageViewFromHost, mem, pixels)
  end)

  it("makes the image from the uint8 array the message points to", function()
    local img = mem:createImageFromHost(ll.ndarray.fromTable(pixels, "uint8"))
    assert.are.same(ll.ndarray.fromTable(pixels, "uint8"):totable(), img:toHost():totable())
    local img2 = mem:createImageFromHost(ll.ndarray.fromTable(pixels):astype("uint8"))
    assert.are.equal("uint8", img2:toHost().dtype)
  end)
end)
