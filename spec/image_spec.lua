-- image_spec.lua: API.md "Memory" (createImage, createImageFromHost, shape rules) and
-- "Image and ImageView" (the Image half): fields, formats, transfers, clear, copyTo,
-- changeLayout, lifetime, and the staging path.
local ll = require "lluvia"
local support = require "support"

local DTYPES = {"uint8", "int8", "uint16", "int16", "float16", "uint32", "int32", "float32",
  "uint64", "int64", "float64"}
local CHANNEL_TYPES = {"Uint8", "Int8", "Uint16", "Int16", "Float16", "Uint32", "Int32",
  "Float32", "Uint64", "Int64", "Float64"}
local ELEMENT_SIZE = {uint8 = 1, int8 = 1, uint16 = 2, int16 = 2, float16 = 2, uint32 = 4,
  int32 = 4, float32 = 4, uint64 = 8, int64 = 8, float64 = 8}
local FORMAT_PREFIX = {"R8", "R8G8", "R8G8B8", "R8G8B8A8"}
local SUFFIX = {Uint8 = "UINT", Int8 = "SINT", Uint16 = "UINT", Int16 = "SINT",
  Float16 = "SFLOAT", Uint32 = "UINT", Int32 = "SINT", Float32 = "SFLOAT", Uint64 = "UINT",
  Int64 = "SINT", Float64 = "SFLOAT"}
local BITS = {Uint8 = 8, Int8 = 8, Uint16 = 16, Int16 = 16, Float16 = 16, Uint32 = 32,
  Int32 = 32, Float32 = 32, Uint64 = 64, Int64 = 64, Float64 = 64}

-- The VkFormat lluvia uses for a channel type and count: VK_FORMAT_R32G32_SFLOAT, ...
local function vk_format(channel_type, channels)
  local bits = BITS[channel_type]
  local name = ""
  for i = 1, channels do name = name .. ("RGBA"):sub(i, i) .. bits end
  return "VK_FORMAT_" .. name .. "_" .. SUFFIX[channel_type]
end
assert(vk_format("Uint8", 4) == "VK_FORMAT_" .. FORMAT_PREFIX[4] .. "_UINT")

local function session(options) return support.session(options) end

local function memory(options)
  return session(options):createMemory({"DeviceLocal"})
end

-- True if the device can hold an image of this shape, type and usage (what createImage
-- asks before creating).
local function supported(shape, channel_type, usage)
  return (session():isImageFormatSupported(shape, channel_type, usage))
end

-- An array of `shape` and `dtype` holding 1, 2, 3, ... (wrapping to stay in range).
local function counting(shape, dtype)
  local a = ll.ndarray(shape, dtype)
  local limit = (dtype == "int8" and 100) or (dtype == "uint8" and 250) or 1000
  for i = 1, #a do a[i] = (i * 7) % limit - ((dtype:sub(1, 1) == "i") and limit // 2 or 0) end
  return a
end

local same_array = support.same_array

describe("Memory:createImage", function()
  support.no_validation_messages()

  it("reads the shape by lluvia's rules", function()
    local mem = memory()
    local cases = {
      {{8}, {1, 1, 8, 1}},
      {{4, 8}, {1, 4, 8, 1}},
      {{4, 8, 2}, {1, 4, 8, 2}},
      {{3, 4, 8, 4}, {3, 4, 8, 4}},
      {{1, 1, 8, 1}, {1, 1, 8, 1}},
    }
    for _, case in ipairs(cases) do
      local img <close> = mem:createImage(case[1])
      assert.are.same(case[2], img.shape)
      assert.are.equal(case[2][1], img.depth)
      assert.are.equal(case[2][2], img.height)
      assert.are.equal(case[2][3], img.width)
      assert.are.equal(case[2][4], img.channels)
    end
  end)

  it("defaults to Uint8 and {Storage, Sampled, TransferSrc, TransferDst}, in layout General",
    function()
      local img <close> = memory():createImage({4, 4})
      assert.are.equal("Uint8", img.channelType)
      assert.are.equal("uint8", img.dtype)
      assert.are.same({"TransferSrc", "TransferDst", "Sampled", "Storage"}, img.usageFlags)
      assert.are.equal("General", img.layout)
      assert.are.equal("VK_FORMAT_R8_UINT", img.format)
    end)

  it("reports size (allocation bytes), minimumSize (tightly packed) and allocationInfo",
    function()
      local mem = memory()
      local img <close> = mem:createImage({3, 5, 7, 4}, "Float32")
      assert.are.equal(3 * 5 * 7 * 4 * 4, img.minimumSize)
      local info = img.allocationInfo
      assert.are.equal(info.size, img.size)
      assert.is_true(img.size >= img.minimumSize)
      assert.are.equal(0, info.page)
      assert.is_true(info.offset >= 0 and info.leftPadding >= 0)
      assert.are.equal(mem, img.memory)
      assert.is_true(rawequal(mem, img.memory))
      assert.is_true(mem.stats.objects >= 1)
    end)

  it("uses lluvia's format table for every channel type and count, as the device allows",
    function()
      local mem = memory()
      for _, ct in ipairs(CHANNEL_TYPES) do
        for c = 1, 4 do
          local format = vk_format(ct, c)
          if supported({2, 2, c}, ct) then
            local img <close> = mem:createImage({2, 2, c}, ct)
            assert.are.equal(format, img.format)
            assert.are.equal(ct, img.channelType)
            assert.are.equal(2 * 2 * c * BITS[ct] // 8, img.minimumSize)
          else
            local msg = support.raises("lluvia: " .. format .. " is not supported",
              mem.createImage, mem, {2, 2, c}, ct)
            assert.is_truthy(msg:find("VK_ERROR_FORMAT_NOT_SUPPORTED", 1, true))
            assert.is_truthy(msg:find("usage {TransferSrc, TransferDst, Sampled, Storage}", 1,
              true))
          end
        end
      end
    end)

  it("takes either spelling of the channel type, case-insensitively", function()
    local mem = memory()
    for _, name in ipairs({"Float32", "float32", "FLOAT32"}) do
      local img <close> = mem:createImage({2, 2}, name)
      assert.are.equal("Float32", img.channelType)
    end
  end)

  it("takes usage flags as a name or a list, and reads them back in enumeration order",
    function()
      local mem = memory()
      local a <close> = mem:createImage({4}, "Uint8", "Storage")
      assert.are.same({"Storage"}, a.usageFlags)
      local b <close> = mem:createImage({4}, "Uint8", {"TransferDst", "Sampled", "TransferSrc"})
      assert.are.same({"TransferSrc", "TransferDst", "Sampled"}, b.usageFlags)
    end)

  it("accepts a trailing options table", function()
    local mem = memory()
    local a <close> = mem:createImage({2, 3}, {channelType = "Int16"})
    assert.are.equal("Int16", a.channelType)
    local b <close> = mem:createImage({2, 3}, "Float32", {usageFlags = {"Sampled", "TransferDst"}})
    assert.are.same({"TransferDst", "Sampled"}, b.usageFlags)
    support.raises("unknown option 'channeltype'", mem.createImage, mem, {2},
      {channeltype = "Int8"})
    support.raises("option channelType repeats argument #2", mem.createImage, mem, {2}, "Int8",
      {channelType = "Int8"})
  end)

  it("gives an object larger than the page size a page of its own", function()
    local mem = session():createMemory({"DeviceLocal"}, 4096)
    local img <close> = mem:createImage({64, 64, 4}) -- 16 KiB
    assert.is_true(img.size > mem.pageSize)
    assert.are.equal(1, mem.pageCount)
  end)

  describe("errors", function()
    it("rejects a shape that is not a table of 1 to 4 positive integers", function()
      local mem = memory()
      support.raises("bad argument #1 to 'createImage' (shape must be a table of 1 to 4 "
        .. "positive integers, got 8)", function() return mem:createImage(8) end)
      support.raises("shape must have 1 to 4 entries, got 0", mem.createImage, mem, {})
      support.raises("shape must have 1 to 4 entries, got 5", mem.createImage, mem,
        {1, 2, 3, 4, 1})
      support.raises("shape[2] must be a positive integer, got 0", mem.createImage, mem, {4, 0})
      support.raises("shape[1] must be a positive integer, got -3", mem.createImage, mem, {-3})
      support.raises("shape[2] must be a positive integer, got 2.5", mem.createImage, mem,
        {4, 2.5})
      support.raises("shape[1] must be a positive integer, got '4'", mem.createImage, mem,
        {"4"})
    end)

    it("rejects channels outside 1 to 4", function()
      local mem = memory()
      support.raises("bad argument #1 to 'createImage' (channels must be 1 to 4, got 5)",
        function() return mem:createImage({4, 4, 5}) end)
      support.raises("channels must be 1 to 4, got 8", mem.createImage, mem, {2, 4, 4, 8})
    end)

    it("rejects unknown channel types and usage flags, listing the valid ones", function()
      local mem = memory()
      support.raises("bad argument #2 to 'createImage' (unknown channelType 'Uint128' "
        .. "(expected one of: uint8, int8", function() return mem:createImage({4}, "Uint128") end)
      support.raises("unknown ImageUsageFlagBits 'Storrage'", mem.createImage, mem, {4},
        "Uint8", {"Storrage"})
      support.raises("usageFlags must name at least one usage", mem.createImage, mem, {4},
        "Uint8", {})
    end)

    it("names the VkFormat and the usage the device refuses, suggesting 4 channels", function()
      local mem = memory()
      if supported({4, 4, 3}, "Uint8") then return end
      local msg = support.raises("lluvia: VK_FORMAT_R8G8B8_UINT is not supported",
        mem.createImage, mem, {4, 4, 3})
      assert.is_truthy(msg:find("usage {TransferSrc, TransferDst, Sampled, Storage}", 1, true))
      assert.is_truthy(msg:find("use 4 channels", 1, true))
      local stats = mem.stats
      assert.are.equal(0, stats.objects) -- nothing left behind
    end)

    it("names exactly the usage bits a 3-channel 32-bit format is refused", function()
      local mem = memory()
      local transfer = {"TransferSrc", "TransferDst"}
      local ok_transfer = supported({4, 4, 3}, "Float32", transfer)
      local ok_storage = supported({4, 4, 3}, "Float32", "Storage")
      if ok_transfer then
        local img <close> = mem:createImage({4, 4, 3}, "Float32", transfer)
        assert.are.equal("VK_FORMAT_R32G32B32_SFLOAT", img.format)
      end
      if not ok_storage then
        local msg = support.raises("VK_FORMAT_R32G32B32_SFLOAT is not supported",
          mem.createImage, mem, {4, 4, 3}, "Float32")
        assert.is_truthy(msg:find("Storage", 1, true))
      end
    end)

    it("refuses an extent beyond the device's limits with a lluvia: error", function()
      local mem = memory()
      support.raises("larger than the device allows", mem.createImage, mem, {1 << 30})
      assert.are.equal(0, mem.stats.objects)
    end)

    it("answers isImageFormatSupported with false and the message createImage raises",
      function()
        local s = session()
        assert.is_true(s:isImageFormatSupported({4, 4, 4}, "Uint8"))
        local ok, msg = s:isImageFormatSupported({1 << 30}, "Uint8")
        assert.is_false(ok)
        assert.is_truthy(msg:find("^lluvia: "))
        support.raises("channels must be 1 to 4", s.isImageFormatSupported, s, {4, 4, 5})
      end)

    -- VUID-VkImageCreateInfo-usage-00963 and -00966, which the device query does not check.
    it("refuses TransientAttachment without an attachment or with another usage", function()
      local mem = memory()
      support.raises("bad argument #3 to 'createImage' (usageFlags {TransientAttachment}: "
        .. "TransientAttachment needs ColorAttachment, DepthStencilAttachment or "
        .. "InputAttachment too (VUID-VkImageCreateInfo-usage-00966))",
        function() return mem:createImage({4, 4}, "Uint8", {"TransientAttachment"}) end)
      support.raises("bad argument #3 to 'createImage' (usageFlags {Storage, "
        .. "TransientAttachment}: TransientAttachment cannot be combined with {Storage}, "
        .. "only with ColorAttachment, DepthStencilAttachment and InputAttachment "
        .. "(VUID-VkImageCreateInfo-usage-00963))",
        function() return mem:createImage({4, 4}, "Uint8", {"TransientAttachment", "Storage"}) end)
      support.raises("bad argument #2 to 'createImage' (usageFlags {Sampled, ColorAttachment, "
        .. "TransientAttachment}: TransientAttachment cannot be combined with {Sampled}",
        function()
          return mem:createImage({4, 4}, {usageFlags = {"TransientAttachment", "Sampled",
            "ColorAttachment"}})
        end)
      support.raises("bad argument #2 to 'createImageFromHost' (usageFlags {TransferDst, "
        .. "TransientAttachment}: TransientAttachment cannot be combined with {TransferDst}",
        function()
          return mem:createImageFromHost(ll.ndarray({4, 4}, "uint8"), {"TransientAttachment",
            "TransferDst"})
        end)
      support.raises("bad argument #2 to 'createImageViewFromHost' (usageFlags {TransferDst, "
        .. "Storage, TransientAttachment}: TransientAttachment cannot be combined",
        function()
          return mem:createImageViewFromHost(ll.ndarray({4, 4}, "uint8"),
            {"TransientAttachment", "Storage", "TransferDst"})
        end)
      assert.are.equal(0, mem.stats.objects)
      assert.are.equal(0, mem.pageCount)
    end)

    it("answers isImageFormatSupported false for usage Vulkan forbids", function()
      local s = session()
      local ok, msg = s:isImageFormatSupported({4, 4}, "Uint8", {"TransientAttachment"})
      assert.is_false(ok)
      assert.is_truthy(msg:find("usage-00966", 1, true))
      ok, msg = s:isImageFormatSupported({4, 4}, "Uint8", {"TransientAttachment", "Storage"})
      assert.is_false(ok)
      assert.is_truthy(msg:find("usage-00963", 1, true))
      ok, msg = s:isImageFormatSupported({4, 4}, "Uint8", {})
      assert.is_false(ok)
      assert.is_truthy(msg:find("at least one usage", 1, true))
    end)

    it("creates a TransientAttachment image with ColorAttachment", function()
      local usage = {"TransientAttachment", "ColorAttachment"}
      assert.is_true(session():isImageFormatSupported({4, 4, 4}, "Float32", usage))
      local img <close> = memory():createImage({4, 4, 4}, "Float32", usage)
      assert.are.same({"ColorAttachment", "TransientAttachment"}, img.usageFlags)
    end)

    it("raises on a released Memory", function()
      local mem = session():createMemory({"DeviceLocal"})
      mem:release()
      support.raises("lluvia: Memory has been released", mem.createImage, mem, {4})
    end)
  end)
end)

describe("Memory:createImageFromHost", function()
  support.no_validation_messages()

  it("takes shape from the array and channel type from its dtype, copying the pixels",
    function()
      local mem = memory()
      local arr = counting({3, 5, 4}, "float32")
      local img <close> = mem:createImageFromHost(arr)
      assert.are.same({1, 3, 5, 4}, img.shape)
      assert.are.equal("Float32", img.channelType)
      same_array(arr, img:toHost())
    end)

  it("round-trips every dtype the device can hold, and names the format of the others",
    function()
      local mem = memory()
      for i, dtype in ipairs(DTYPES) do
        for c = 1, 4 do
          local shape = c == 1 and {3, 5} or {3, 5, c} -- as toHost shapes them
          local arr = counting(shape, dtype)
          if supported(shape, CHANNEL_TYPES[i]) then
            local img <close> = mem:createImageFromHost(arr)
            assert.are.equal(CHANNEL_TYPES[i], img.channelType)
            assert.are.equal(15 * c * ELEMENT_SIZE[dtype], img.minimumSize)
            same_array(arr, img:toHost())
          else
            support.raises("lluvia: " .. vk_format(CHANNEL_TYPES[i], c), mem.createImageFromHost,
              mem, arr)
          end
        end
      end
    end)

  it("round-trips float16 values exactly, infinities and subnormals included", function()
    local mem = memory()
    local arr = ll.ndarray({2, 4}, "float16")
    local values = {0.5, -2, 65504, -65504, 1 / 0, -1 / 0, 2 ^ -24, 0.333251953125}
    for i, v in ipairs(values) do arr[i] = v end
    local img <close> = mem:createImageFromHost(arr)
    assert.are.equal("VK_FORMAT_R16_SFLOAT", img.format)
    local out = img:toHost()
    same_array(arr, out)
    for i, v in ipairs(values) do assert.are.equal(v, out[i]) end
  end)

  it("round-trips a 3D image", function()
    local mem = memory()
    local arr = counting({4, 3, 5, 2}, "int16")
    local img <close> = mem:createImageFromHost(arr)
    assert.are.same({4, 3, 5, 2}, img.shape)
    same_array(arr, img:toHost())
    local one <close> = mem:createImageFromHost(counting({3, 2, 2, 1}, "uint8"))
    same_array(counting({3, 2, 2, 1}, "uint8"), one:toHost())
  end)

  it("takes plain tables (as ll.ndarray.fromTable) and strings (1-D uint8)", function()
    local mem = memory()
    local s = "\1\2\3\250"
    local a <close> = mem:createImageFromHost(s)
    assert.are.same({1, 1, 4, 1}, a.shape)
    assert.are.equal(s, a:toHost():tostring())
    local t = {{1.5, 2.5}, {3.5, 4.5}} -- float64 unless given a dtype
    if supported({2, 2}, "Float64") then
      local b <close> = mem:createImageFromHost(t)
      assert.are.same(t, b:toHost():totable())
    else
      support.raises("lluvia: VK_FORMAT_R64_SFLOAT", mem.createImageFromHost, mem, t)
    end
  end)

  it("takes usage flags positionally or in an options table", function()
    local mem = memory()
    local arr = counting({4, 4}, "uint8")
    local a <close> = mem:createImageFromHost(arr, {"TransferDst", "TransferSrc"})
    assert.are.same({"TransferSrc", "TransferDst"}, a.usageFlags)
    local b <close> = mem:createImageFromHost(arr, {usageFlags = {"TransferDst", "Sampled"}})
    assert.are.same({"TransferDst", "Sampled"}, b.usageFlags)
    same_array(arr, a:toHost())
  end)

  it("rejects arrays that are not 1 to 4 dimensions and flags without TransferDst", function()
    local mem = memory()
    support.raises("array must have 1 to 4 dimensions for an image, got shape {1, 1, 1, 1, 2}",
      mem.createImageFromHost, mem, ll.ndarray({1, 1, 1, 1, 2}, "uint8"))
    support.raises("channels must be 1 to 4, got 5", mem.createImageFromHost, mem,
      ll.ndarray({2, 2, 5}, "uint8"))
    support.raises("usageFlags must include TransferDst", mem.createImageFromHost, mem,
      ll.ndarray({2, 2}, "uint8"), {"Storage", "TransferSrc"})
    support.raises("bad argument #1 to 'createImageFromHost'",
      function() return mem:createImageFromHost(42) end)
    assert.are.equal(0, mem.stats.objects)
  end)
end)

describe("Image:toHost", function()
  support.no_validation_messages()

  it("shapes arrays as lluvia does", function()
    local mem = memory()
    local cases = {
      {{8}, {8}},
      {{4, 8}, {4, 8}},
      {{4, 8, 2}, {4, 8, 2}},
      {{1, 8, 2}, {1, 1, 8, 2}},    -- height 1 with channels: 4-D, as lluvia
      {{1, 1, 8, 1}, {8}},
      {{3, 1, 8, 1}, {3, 1, 8, 1}},
      {{3, 4, 8, 1}, {3, 4, 8, 1}},
      {{1, 4, 8, 1}, {4, 8}},
    }
    for _, case in ipairs(cases) do
      local img <close> = mem:createImage(case[1], "Uint16")
      local out = img:toHost()
      assert.are.same(case[2], out.shape)
      assert.are.equal("uint16", out.dtype)
    end
  end)

  it("fills and returns an output array of a shape that reads as the image's", function()
    local mem = memory()
    local arr = counting({4, 6}, "int32")
    local img <close> = mem:createImageFromHost(arr)
    local out = ll.ndarray({4, 6}, "int32")
    assert.is_true(rawequal(out, img:toHost(out)))
    same_array(arr, out)
    local four = ll.ndarray({1, 4, 6, 1}, "int32") -- the same image by the shape rules
    img:toHost(four)
    assert.are.equal(arr:tostring(), four:tostring())
  end)

  it("rejects an output of another shape or dtype, or that is not an ndarray", function()
    local mem = memory()
    local img <close> = mem:createImage({4, 6}, "Int32")
    support.raises("bad argument #1 to 'toHost' (array shape {6, 4} does not match the "
      .. "image's shape {1, 4, 6, 1} (depth, height, width, channels): expected {4, 6})",
      function() return img:toHost(ll.ndarray({6, 4}, "int32")) end)
    support.raises("array dtype must be int32 for a Int32 image, got float32", img.toHost, img,
      ll.ndarray({4, 6}, "float32"))
    support.raises("ndarray expected", img.toHost, img, {{1}})
  end)

  it("needs TransferSrc usage", function()
    local img <close> = memory():createImage({4}, "Uint8", {"TransferDst", "Storage"})
    support.raises("toHost needs an image with TransferSrc usage, this one has "
      .. "{TransferDst, Storage}", img.toHost, img)
  end)
end)

describe("Image:fromHost", function()
  support.no_validation_messages()

  it("copies an array of the image's shape and dtype", function()
    local mem = memory()
    local img <close> = mem:createImage({2, 3, 4, 2}, "Float32")
    local arr = counting({2, 3, 4, 2}, "float32")
    img:fromHost(arr)
    same_array(arr, img:toHost())
  end)

  it("converts tables with the image's dtype", function()
    local mem = memory()
    local img <close> = mem:createImage({2, 2}, "Float32")
    img:fromHost({{0.5, 1.5}, {2.5, 3.5}})
    assert.are.same({{0.5, 1.5}, {2.5, 3.5}}, img:toHost():totable())
    local u8 <close> = mem:createImage({3}, "Uint8")
    support.raises("bad argument #1 to 'fromHost'", function() u8:fromHost({1, 2, 300}) end)
  end)

  it("rejects every mismatch of shape, and a mismatch of dtype", function()
    local mem = memory()
    local img <close> = mem:createImage({2, 3, 4, 2}, "Float32")
    local bad = {
      {2, 3, 5, 2}, -- width
      {2, 4, 4, 2}, -- height
      {2, 3, 4, 1}, -- channels
      {3, 3, 4, 2}, -- depth
      {3, 4, 2},    -- a 2-D image of the same height, width and channels
      {48},
    }
    for _, shape in ipairs(bad) do
      support.raises("does not match the image's shape {2, 3, 4, 2}", img.fromHost, img,
        ll.ndarray(shape, "float32"))
    end
    support.raises("bad argument #1 to 'fromHost' (array dtype must be float32 for a Float32 "
      .. "image, got int32)", function() img:fromHost(ll.ndarray({2, 3, 4, 2}, "int32")) end)
    local one <close> = mem:createImage({8}, "Uint8")
    support.raises("does not match", one.fromHost, one, ll.ndarray({2, 4}, "uint8"))
    support.raises("does not match", one.fromHost, one, ll.ndarray({8, 2}, "uint8"))
    one:fromHost(ll.ndarray({1, 1, 8, 1}, "uint8")) -- the same shape, by the rules
  end)

  it("needs TransferDst usage", function()
    local img <close> = memory():createImage({4}, "Uint8", {"TransferSrc", "Storage"})
    support.raises("fromHost needs an image with TransferDst usage", img.fromHost, img,
      ll.ndarray({4}, "uint8"))
  end)
end)

describe("Image:clear", function()
  support.no_validation_messages()

  it("sets every texel to zero, in every supported format", function()
    local mem = memory()
    for i, dtype in ipairs(DTYPES) do
      if supported({3, 4, 4}, CHANNEL_TYPES[i]) then
        local img <close> = mem:createImageFromHost(counting({3, 4, 4}, dtype))
        img:clear()
        same_array(ll.ndarray({3, 4, 4}, dtype), img:toHost())
        assert.are.equal("General", img.layout)
      end
    end
  end)

  it("needs TransferDst usage", function()
    local img <close> = memory():createImage({4}, "Uint8", {"TransferSrc", "Storage"})
    support.raises("clear needs an image with TransferDst usage", img.clear, img)
  end)
end)

describe("Image:copyTo", function()
  support.no_validation_messages()

  it("copies into an image or an image view", function()
    local mem = memory()
    local arr = counting({2, 5, 3, 4}, "uint16")
    local src <close> = mem:createImageFromHost(arr)
    local dst <close> = mem:createImage({2, 5, 3, 4}, "Uint16")
    src:copyTo(dst)
    same_array(arr, dst:toHost())
    local other <close> = mem:createImage({2, 5, 3, 4}, "Uint16")
    local view <close> = other:createImageView()
    src:copyTo(view)
    same_array(arr, other:toHost())
    assert.are.equal("General", src.layout)
    assert.are.equal("General", dst.layout)
  end)

  it("does nothing when copying an image onto itself", function()
    local mem = memory()
    local arr = counting({4, 4}, "uint8")
    local img <close> = mem:createImageFromHost(arr)
    img:copyTo(img)
    img:copyTo(img:createImageView())
    same_array(arr, img:toHost())
  end)

  it("rejects another shape, another format or something that is not an image", function()
    local mem = memory()
    local src <close> = mem:createImage({4, 4}, "Uint8")
    local wide <close> = mem:createImage({4, 5}, "Uint8")
    local float <close> = mem:createImage({4, 4}, "Float32")
    support.raises("bad argument #1 to 'copyTo' (copyTo needs an image of the same shape "
      .. "{1, 4, 4, 1}, got {1, 4, 5, 1})", function() src:copyTo(wide) end)
    support.raises("copyTo needs an image of the same format VK_FORMAT_R8_UINT, got "
      .. "VK_FORMAT_R32_SFLOAT", src.copyTo, src, float)
    support.raises("Image or ImageView expected, got", src.copyTo, src, {})
  end)

  -- One rule with buf:copy (docs/image.md): only images of one session.
  it("refuses a destination of another session, on the same device or another", function()
    local src <close> = memory():createImage({4}, "Uint8")
    local other = memory({stagingSize = 1 << 20}) -- another session, the same VkDevice
    local dst <close> = other:createImage({4}, "Uint8")
    support.raises("bad argument #1 to 'copyTo' (the destination of copyTo belongs to another "
      .. "session on the same device: copies are made only between objects of one session)",
      function() src:copyTo(dst) end)
    -- Sessions with and without the validation layer have their own VkInstance and so
    -- their own VkDevice.
    local out, err = support.run_host({"-e", [[
      local ll = require "lluvia"
      local a = ll.createSession({enableDebug = true}):createMemory({"DeviceLocal"})
      local b = ll.createSession({enableDebug = false}):createMemory({"DeviceLocal"})
      print(select(2, pcall(function()
        a:createImage({4}):copyTo(b:createImage({4}):createImageView())
      end)))]]}, nil, {LLUVIA_ENABLE_DEBUG = "0"})
    assert.are.equal("", err)
    assert.is_truthy(out:find("bad argument #1 to 'copyTo' (the destination of copyTo belongs "
      .. "to another session on another device", 1, true))
  end)

  it("needs TransferSrc on the source and TransferDst on the destination", function()
    local mem = memory()
    local a <close> = mem:createImage({4}, "Uint8", {"TransferDst", "Storage"})
    local b <close> = mem:createImage({4}, "Uint8", {"TransferSrc", "Storage"})
    support.raises("copyTo needs an image with TransferSrc usage", a.copyTo, a, b)
    support.raises("bad argument #1 to 'copyTo' (copyTo (destination) needs an image with "
      .. "TransferDst usage", function() b:copyTo(b:createImageView()) end)
    local c <close> = mem:createImage({4}, "Uint8", {"TransferSrc", "Storage"})
    support.raises("copyTo (destination) needs an image with TransferDst usage", b.copyTo, b, c)
  end)
end)

describe("Image:changeLayout", function()
  support.no_validation_messages()

  it("changes to every layout the usage allows, and transfers keep working", function()
    local mem = memory()
    local arr = counting({3, 4, 4}, "float32")
    local img <close> = mem:createImageFromHost(arr)
    for _, layout in ipairs({"TransferSrcOptimal", "TransferDstOptimal",
        "ShaderReadOnlyOptimal", "General", "ShaderReadOnlyOptimal"}) do
      img:changeLayout(layout)
      assert.are.equal(layout, img.layout)
      same_array(arr, img:toHost())
      img:fromHost(arr)
      img:clear()
      img:fromHost(arr)
      assert.are.equal(layout, img.layout)
    end
    local copy <close> = mem:createImage({3, 4, 4}, "Float32")
    copy:changeLayout("TransferSrcOptimal")
    img:copyTo(copy)
    assert.are.equal("TransferSrcOptimal", copy.layout)
    same_array(arr, copy:toHost())
  end)

  it("rejects Undefined and Preinitialized, unknown names and layouts the usage forbids",
    function()
      local img <close> = memory():createImage({4}, "Uint8", {"Storage", "TransferDst"})
      support.raises("bad argument #1 to 'changeLayout' (an image cannot be changed to layout "
        .. "Undefined", function() img:changeLayout("Undefined") end)
      support.raises("cannot be changed to layout Preinitialized", img.changeLayout, img,
        "Preinitialized")
      support.raises("unknown ImageLayout 'Generl'", img.changeLayout, img, "Generl")
      support.raises("layout ShaderReadOnlyOptimal needs an image with Sampled usage",
        img.changeLayout, img, "ShaderReadOnlyOptimal")
      support.raises("layout TransferSrcOptimal needs an image with TransferSrc usage",
        img.changeLayout, img, "TransferSrcOptimal")
      assert.are.equal("General", img.layout)
    end)
end)

describe("Image lifetime", function()
  support.no_validation_messages()

  it("prints itself", function()
    local img = memory():createImage({2, 3, 4}, "Float32")
    assert.is_truthy(tostring(img):find(
      "^lluvia%.Image%({1, 2, 3, 4} Float32 2D, General, %d+ bytes%)$"))
    img:release()
    assert.are.equal("lluvia.Image (released)", tostring(img))
  end)

  it("raises on any use after release, and releases twice harmlessly", function()
    local mem = memory()
    local img = mem:createImage({4})
    img:release()
    img:release()
    support.raises("lluvia: Image has been released", function() return img.width end)
    support.raises("lluvia: Image has been released", img.toHost, img)
    support.raises("lluvia: Image has been released", img.createImageView, img)
    local other <close> = mem:createImage({4})
    support.raises("lluvia: Image has been released", other.copyTo, other, img)
    assert.are.equal(1, mem.stats.objects) -- only `other`
  end)

  it("gives its room back when closed or collected", function()
    local mem = session():createMemory({"DeviceLocal"})
    do
      local img <close> = mem:createImage({16, 16})
      assert.are.equal(1, mem.stats.objects)
    end
    assert.are.equal(0, mem.stats.objects)
    mem:createImage({16, 16})
    collectgarbage()
    collectgarbage()
    assert.are.equal(0, mem.stats.objects)
  end)

  it("keeps its Memory alive", function()
    local img = session():createMemory({"DeviceLocal"}):createImage({4, 4})
    collectgarbage()
    collectgarbage()
    img:fromHost(counting({4, 4}, "uint8"))
    same_array(counting({4, 4}, "uint8"), img:toHost())
    assert.is_true(img.memory.pageCount >= 1)
  end)

  it("refuses writes to its fields", function()
    local img <close> = memory():createImage({4})
    assert.has_error(function() img.width = 3 end)
  end)
end)

describe("Image transfers through staging", function()
  support.no_validation_messages()

  -- Staging buffers of a few texels split transfers into chunks that start and end
  -- inside rows and slices.
  for _, staging in ipairs({64, 200, 4096}) do
    it(("round-trip 1D, 2D and 3D images with stagingSize %d"):format(staging), function()
      local s = session({forceStaging = true, stagingSize = staging})
      local mem = s:createMemory({"DeviceLocal"})
      for _, case in ipairs({{{37}, "uint8"}, {{5, 7, 3, 2}, "float32"}, {{9, 11, 4}, "int16"},
          {{3, 5, 2}, "uint8"}, {{2, 3, 5, 4}, "uint32"}}) do
        local arr = counting(case[1], case[2])
        local img <close> = mem:createImageFromHost(arr)
        same_array(arr, img:toHost())
        local back = ll.ndarray(arr.shape, case[2])
        img:toHost(back)
        same_array(arr, back)
      end
    end)
  end

  it("works in host-visible memory, or refuses it cleanly where the device does", function()
    local s = session({forceStaging = true})
    local mem = s:createMemory({"HostVisible"})
    local arr = counting({6, 7, 4}, "uint8")
    if support.takes_images(mem) then -- lavapipe: every memory type takes images
      local img = mem:createImageFromHost(arr)
      same_array(arr, img:toHost())
      img:release()
    else -- NVIDIA: optimal-tiling images live only in DeviceLocal memory types
      support.raises("lluvia: the object cannot live in this Memory", mem.createImageFromHost,
        mem, arr)
      assert.are.equal(0, mem.pageCount)
      assert.are.equal(0, mem.stats.objects)
    end
  end)
end)
