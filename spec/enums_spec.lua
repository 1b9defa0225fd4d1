-- enums_spec.lua: API.md "Enumerations" and "Enumerations added, and which enumerations are
-- numbers": the tables (kinds map to their names, flags to Vulkan's bits, counts and
-- precisions to numbers), and how arguments take them.
local ll = require "lluvia"
local support = require "support"

local kinds = {
  ChannelType = {"Uint8", "Int8", "Uint16", "Int16", "Float16", "Uint32", "Int32",
    "Float32", "Uint64", "Int64", "Float64"},
  ImageLayout = {"Undefined", "General", "TransferSrcOptimal", "TransferDstOptimal",
    "ShaderReadOnlyOptimal", "Preinitialized"},
  ImageFilterMode = {"Nearest", "Linear"},
  ImageAddressMode = {"Repeat", "MirroredRepeat", "ClampToEdge", "ClampToBorder",
    "MirrorClampToEdge"},
  ImageTiling = {"Optimal", "Linear"},
  PortDirection = {"In", "Out"},
  PortType = {"Buffer", "ImageView", "SampledImageView", "UniformBuffer"},
  ComputeDimension = {"D1", "D2", "D3"},
  NodeType = {"Compute", "Container"},
  NodeState = {"Created", "Init"},
  ObjectType = {"Buffer", "Image", "ImageView"},
  ParameterType = {"Int", "Float", "String"},
}

-- {name, value} in order
local numbers = {
  BufferUsageFlagBits = {{"IndexBuffer", 0x40}, {"IndirectBuffer", 0x100},
    {"StorageBuffer", 0x20}, {"StorageTexelBuffer", 0x8}, {"TransferDst", 0x2},
    {"TransferSrc", 0x1}, {"UniformBuffer", 0x10}, {"UniformTexelBuffer", 0x4},
    {"VertexBuffer", 0x80}},
  ImageUsageFlagBits = {{"TransferSrc", 1}, {"TransferDst", 2}, {"Sampled", 4},
    {"Storage", 8}, {"ColorAttachment", 16}, {"DepthStencilAttachment", 32},
    {"TransientAttachment", 64}, {"InputAttachment", 128}},
  MemoryPropertyFlagBits = {{"DeviceLocal", 1}, {"HostVisible", 2}, {"HostCoherent", 4},
    {"HostCached", 8}, {"LazilyAllocated", 16}},
  ChannelCount = {{"C1", 1}, {"C2", 2}, {"C3", 3}, {"C4", 4}},
  FloatPrecision = {{"FP16", 0}, {"FP32", 1}, {"FP64", 2}},
}

describe("enumerations", function()
  support.no_validation_messages()

  for tname, names in pairs(kinds) do
    it(tname .. " maps each name to itself, in order", function()
      local e = ll[tname]
      local seen = {}
      for k, v in pairs(e) do
        assert.are.equal(k, v)
        seen[#seen + 1] = k
      end
      assert.are.same(names, seen)
      assert.are.equal(#names, #e)
    end)
  end

  for tname, entries in pairs(numbers) do
    it(tname .. " maps each name to its number, in order", function()
      local e = ll[tname]
      local seen = {}
      for k, v in pairs(e) do
        assert.are.equal(math.type(v), "integer")
        seen[#seen + 1] = {k, v}
      end
      assert.are.same(entries, seen)
      assert.are.equal(#entries, #e)
    end)
  end

  it("let scripts do arithmetic on bits, as lluvia's do", function()
    assert.are.equal(8, ll.ImageUsageFlagBits.Storage)
    assert.are.equal(12, ll.ImageUsageFlagBits.Storage | ll.ImageUsageFlagBits.Sampled)
    assert.are.equal(4, ll.ChannelCount.C4)
    assert.are.equal(1, ll.FloatPrecision.FP32)
  end)

  it("raises for an unknown name, listing the valid ones", function()
    support.raises("ChannelType has no value Float128 (valid: Uint8, Int8,",
      function() return ll.ChannelType.Float128 end)
    support.raises("ImageUsageFlagBits has no value Storrage (valid: TransferSrc,",
      function() return ll.ImageUsageFlagBits.Storrage end)
  end)

  it("are read-only", function()
    support.raises("ChannelType is read-only", function() ll.ChannelType.X = "X" end)
    support.raises("ChannelCount is read-only", function() ll.ChannelCount.C5 = 5 end)
  end)
end)

describe("flags arguments", function()
  support.no_validation_messages()

  it("take a number of OR-ed bits and read back as names", function()
    local s = support.session()
    local mem <close> = s:createMemory(ll.MemoryPropertyFlagBits.HostVisible |
      ll.MemoryPropertyFlagBits.HostCoherent)
    assert.is_truthy(mem.isMappable)
    local buf <close> = mem:createBuffer(16, ll.BufferUsageFlagBits.UniformBuffer |
      ll.BufferUsageFlagBits.TransferDst)
    assert.are.same({"TransferDst", "UniformBuffer"}, buf.usageFlags)
    local imem <close> = support.image_memory(s)
    local img <close> = imem:createImage({4, 4}, "Uint8", ll.ImageUsageFlagBits.Storage)
    assert.are.same({"Storage"}, img.usageFlags)
  end)

  it("take a list mixing names and numbers", function()
    local s = support.session()
    local mem <close> = s:createMemory({"HostVisible", ll.MemoryPropertyFlagBits.HostCoherent})
    local buf <close> = mem:createBuffer(16, {ll.BufferUsageFlagBits.StorageBuffer,
      "TransferSrc", 2.0})
    assert.are.same({"StorageBuffer", "TransferDst", "TransferSrc"}, buf.usageFlags)
  end)

  it("refuse bits without a name, naming them", function()
    local s = support.session()
    local msg = support.raises("unknown MemoryPropertyFlagBits bits 0x20 in 42",
      function() return s:createMemory(42) end)
    assert.is_truthy(msg:find("bad argument #1 to 'createMemory'", 1, true), msg)
    assert.is_truthy(msg:find("DeviceLocal = 1, HostVisible = 2", 1, true), msg)
    local mem <close> = s:createMemory({"HostVisible"})
    support.raises("unknown BufferUsageFlagBits bits 0x200 in 544", mem.createBuffer, mem,
      16, {0x220})
    support.raises("unknown ImageUsageFlagBits bits 0x100 in 264", mem.createImage, mem,
      {4}, "Uint8", 0x108)
  end)

  it("refuse numbers that are not bits", function()
    local s = support.session()
    support.raises("MemoryPropertyFlagBits must be a name, a number of OR-ed bits or a " ..
      "list of them, got 1.5", s.createMemory, s, 1.5)
    support.raises("MemoryPropertyFlagBits must be a name, a number of OR-ed bits or a " ..
      "list of them, got -1", s.createMemory, s, -1)
    support.raises("got " .. tostring(1 << 40), s.createMemory, s, 1 << 40)
    support.raises("MemoryPropertyFlagBits names or numbers expected, got true at [2]",
      s.createMemory, s, {"HostVisible", true})
  end)
end)

describe("kind arguments", function()
  support.no_validation_messages()

  it("take their names in any case", function()
    local s = support.session()
    local mem <close> = support.image_memory(s)
    local img <close> = mem:createImage({4, 4})
    img:changeLayout("transfersrcoptimal")
    assert.are.equal("TransferSrcOptimal", img.layout)
    local view <close> = img:createImageView("NEAREST", "clamptoedge", true, true)
    assert.are.equal("Nearest", view.filterMode)
    assert.are.equal("ClampToEdge", view.addressMode)
  end)

  it("refuse numbers, listing the valid names", function()
    local s = support.session()
    local mem <close> = support.image_memory(s)
    local img <close> = mem:createImage({4, 4})
    local msg = support.raises("bad argument #1 to 'changeLayout' (ImageLayout name " ..
      "expected, got 1 (expected one of: Undefined, General,",
      function() img:changeLayout(1) end)
    assert.are.equal("General", img.layout, msg)
    support.raises("ImageFilterMode name expected, got 0 (expected one of: Nearest, Linear)",
      img.createImageView, img, 0)
  end)
end)
