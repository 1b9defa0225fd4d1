-- descriptors_spec.lua: API.md "Descriptors": ll.vec3ui, ll.PushConstants, ll.Parameter,
-- ll.PortDescriptor and its checks, ll.ComputeNodeDescriptor, ll.ContainerNodeDescriptor,
-- ll.ImageDescriptor, ll.ImageViewDescriptor, session:getGoodComputeLocalShape.
local ll = require "lluvia"
local support = require "support"

local function xyz(v) return {v.x, v.y, v.z} end

describe("ll.vec3ui", function()
  it("is made from nothing, one number or three, and copies a vec3ui or a table", function()
    assert.are.same({0, 0, 0}, xyz(ll.vec3ui.new()))
    assert.are.same({7, 7, 7}, xyz(ll.vec3ui.new(7)))
    local v = ll.vec3ui.new(1, 2, 3)
    assert.are.same({1, 2, 3}, xyz(v))
    assert.are.same({1, 2, 3}, {v[1], v[2], v[3]})
    assert.are.equal(3, #v)
    assert.are.same({1, 2, 3}, {table.unpack(v)})
    local c = ll.vec3ui.new(v)
    c.x = 9
    assert.are.equal(1, v.x)
    assert.are.same({4, 5, 6}, xyz(ll.vec3ui.new({4, 5, 6.0})))
    assert.are.equal("lluvia.vec3ui", getmetatable(v))
    assert.are.equal("lluvia.vec3ui(1, 2, 3)", tostring(v))
  end)

  it("compares by value", function()
    assert.is_true(ll.vec3ui.new(1, 2, 3) == ll.vec3ui.new(1, 2, 3))
    assert.is_false(ll.vec3ui.new(1, 2, 3) == ll.vec3ui.new(1, 2, 4))
  end)

  it("has settable fields x, y, z and [1], [2], [3], checked", function()
    local v = ll.vec3ui.new(1, 2, 3)
    v.y = 20
    v[3] = 30.0
    assert.are.same({1, 20, 30}, xyz(v))
    assert.are.equal("integer", math.type(v.z))
    support.raises("vec3ui.x must be an integer in 0 .. 4294967295, got -1",
      function() v.x = -1 end)
    support.raises("vec3ui.y must be an integer in 0 .. 4294967295, got 1.5",
      function() v.y = 1.5 end)
    support.raises("vec3ui.x must be an integer in 0 .. 4294967295, got '4'",
      function() v[1] = "4" end)
    support.raises("got 4294967296", function() v.z = 1 << 32 end)
    support.raises("vec3ui has no field 'w'", function() v.w = 1 end)
    assert.are.same({1, 20, 30}, xyz(v))
  end)

  it("rejects bad constructor arguments, naming them", function()
    support.raises("bad argument #2 to 'new' (y must be an integer in 0 .. 4294967295, " ..
      "got -2)", ll.vec3ui.new, 1, -2, 3)
    support.raises("bad argument #1 to 'new' (v must be an ll.vec3ui or a table {x, y, z}, " ..
      "got table", ll.vec3ui.new, {1, 2})
    support.raises("v[3] must be an integer", ll.vec3ui.new, {1, 2, "x"})
  end)
end)

describe("session:getGoodComputeLocalShape", function()
  support.no_validation_messages()

  it("gives (32, 32, 1) for D2 where a workgroup holds 1024 invocations, and D1, D3 alike",
    function()
      local s = support.session()
      assert.are.same({32, 32, 1}, xyz(s:getGoodComputeLocalShape(ll.ComputeDimension.D2)))
      assert.are.same({1024, 1, 1}, xyz(s:getGoodComputeLocalShape("D1")))
      assert.are.same({16, 16, 4}, xyz(s:getGoodComputeLocalShape("d3")))
      assert.are.equal("lluvia.vec3ui", getmetatable(s:getGoodComputeLocalShape("D2")))
    end)

  it("takes a ComputeDimension name only", function()
    local s = support.session()
    support.raises("bad argument #1 to 'getGoodComputeLocalShape' (ComputeDimension name " ..
      "expected, got 2 (expected one of: D1, D2, D3))",
      function() return s:getGoodComputeLocalShape(2) end)
    support.raises("unknown ComputeDimension 'D4'",
      function() return s:getGoodComputeLocalShape("D4") end)
  end)
end)

describe("ll.PushConstants", function()
  it("appends 4 little-endian bytes per push", function()
    local pc = ll.PushConstants.new()
    assert.are.equal(0, pc.size)
    pc:pushFloat(1.5)
    pc:pushInt32(-2)
    pc:pushInt32(7.0)
    assert.are.equal(12, pc.size)
    assert.are.equal(string.pack("<f<i4<i4", 1.5, -2, 7), pc.bytes)
  end)

  it("replaces the whole block with .float or .int32, and reads a 4-byte block back", function()
    local pc = ll.PushConstants.new()
    pc:pushFloat(1)
    pc:pushFloat(2)
    pc.float = 0.25
    assert.are.equal(4, pc.size)
    assert.are.equal(0.25, pc.float)
    pc.int32 = 42
    assert.are.equal(42, pc.int32)
    assert.are.equal(string.pack("<i4", 42), pc.bytes)
    pc:pushInt32(1)
    support.raises("PushConstants.int32 reads a block of 4 bytes, this one has 8",
      function() return pc.int32 end)
  end)

  it("is made from another, a string of bytes or an ll.ndarray", function()
    local a = ll.PushConstants.new()
    a:pushFloat(3)
    local b = ll.PushConstants.new(a)
    b:pushFloat(4)
    assert.are.equal(4, a.size)
    assert.are.equal(8, b.size)
    assert.are.equal("abcd", ll.PushConstants.new("abcd").bytes)
    local arr = ll.ndarray({2}, "float32")
    arr[1], arr[2] = 1, 2
    assert.are.equal(string.pack("<ff", 1, 2), ll.PushConstants.new(arr).bytes)
    support.raises("bad argument #1 to 'new' (from must be an ll.PushConstants, a string " ..
      "of bytes or an ll.ndarray, got 42)", ll.PushConstants.new, 42)
  end)

  it("rejects values that do not fit", function()
    local pc = ll.PushConstants.new()
    support.raises("bad argument #1 to 'pushInt32' (i must be an integer in -2147483648 .. " ..
      "2147483647, got 2147483648)", function() pc:pushInt32(1 << 31) end)
    support.raises("i must be an integer", function() pc:pushInt32(1.5) end)
    support.raises("bad argument #1 to 'pushFloat' (x must be a number, got 'a')",
      function() pc:pushFloat("a") end)
    support.raises("x must fit a 32-bit float", function() pc:pushFloat(1e300) end)
    support.raises("PushConstants.float must be a number, got true",
      function() pc.float = true end)
    support.raises("PushConstants field 'size' is read-only", function() pc.size = 4 end)
    support.raises("calling 'pushFloat' on bad self", pc.pushFloat, {}, 1)
    assert.are.equal(0, pc.size)
    pc:pushFloat(math.huge)
    assert.are.equal(math.huge, pc.float)
  end)
end)

describe("ll.Parameter", function()
  it("types a value: an integer as Int, another number as Float, a boolean as Int 0/1, " ..
    "a string as String", function()
    assert.are.same({"Int", 1}, {ll.Parameter(1).type, ll.Parameter(1).value})
    assert.are.same({"Float", 1.5}, {ll.Parameter(1.5).type, ll.Parameter(1.5):get()})
    assert.are.same({"Float", 2.0}, {ll.Parameter(2.0).type, ll.Parameter(2.0):get()})
    assert.are.same({"Int", 1}, {ll.Parameter(true).type, ll.Parameter(true):get()})
    assert.are.same({"Int", 0}, {ll.Parameter(false).type, ll.Parameter(false):get()})
    assert.are.same({"String", "viridis"}, {ll.Parameter("viridis").type,
      ll.Parameter("viridis"):get()})
    assert.are.same({"Int", 0}, {ll.Parameter().type, ll.Parameter.new().value})
    assert.are.equal("Float", ll.Parameter(3, ll.ParameterType.Float).type)
    assert.are.equal("lluvia.Parameter", getmetatable(ll.Parameter(1)))
  end)

  it("stores Floats as 32-bit floats and Ints as 32-bit integers, as lluvia", function()
    assert.are.equal(string.unpack("<f", string.pack("<f", 0.1)), ll.Parameter(0.1):get())
    support.raises("bad argument #1 to 'Parameter' (value must be an integer in " ..
      "-2147483648 .. 2147483647, got 4294967296)", ll.Parameter, 1 << 32)
    support.raises("value must be an integer", ll.Parameter, 1.5, "Int")
    support.raises("value must be a string", ll.Parameter, 1, "String")
    support.raises("bad argument #2 to 'Parameter' (unknown ParameterType 'Double'",
      ll.Parameter, 1, "Double")
    support.raises("value must be a number, a boolean, a string or an ll.Parameter, got table",
      ll.Parameter, {})
  end)

  it("sets by lluvia's rule: any number becomes a Float", function()
    local p = ll.Parameter(1)
    p:set(2)
    assert.are.same({"Float", 2.0}, {p.type, p:get()})
    assert.are.equal("float", math.type(p:get()))
    p:set("s")
    assert.are.equal("String", p.type)
    support.raises("Parameter field 'type' is read-only", function() p.type = "Int" end)
  end)
end)

describe("ll.PortDescriptor", function()
  support.no_validation_messages()

  it("has binding, name, direction and type", function()
    local p = ll.PortDescriptor.new(2, "in_rgba", ll.PortDirection.In, ll.PortType.ImageView)
    assert.are.same({2, "in_rgba", "In", "ImageView"}, {p.binding, p.name, p.direction, p.type})
    local q = ll.PortDescriptor.new(0, "out", "out", "sampledimageview")
    assert.are.same({"Out", "SampledImageView"}, {q.direction, q.type})
    assert.are.equal("lluvia.PortDescriptor", getmetatable(p))
  end)

  it("rejects bad arguments, listing the valid names", function()
    support.raises("bad argument #1 to 'new' (binding must be an integer in 0 .. 4294967295, " ..
      "got -1)", ll.PortDescriptor.new, -1, "a", "In", "Buffer")
    support.raises("bad argument #2 to 'new' (name must be a string, got nil)",
      ll.PortDescriptor.new, 0, nil, "In", "Buffer")
    support.raises("bad argument #2 to 'new' (name must not be empty)",
      ll.PortDescriptor.new, 0, "", "In", "Buffer")
    support.raises("bad argument #3 to 'new' (PortDirection name expected, got 0 (expected " ..
      "one of: In, Out))", ll.PortDescriptor.new, 0, "a", 0, "Buffer")
    support.raises("bad argument #4 to 'new' (unknown PortType 'Image' (expected one of: " ..
      "Buffer, ImageView, SampledImageView, UniformBuffer))",
      ll.PortDescriptor.new, 0, "a", "In", "Image")
  end)

  it("keeps one check of each kind, the last one given, and returns the port", function()
    local p = ll.PortDescriptor.new(0, "in", "In", "ImageView")
    assert.are.equal(p, p:checkImageChannelCountIs(ll.ChannelCount.C4))
    assert.are.equal(p, p:checkImageChannelCountIs(ll.ChannelCount.C1))
    assert.are.equal(p, p:checkImageChannelTypeIsAnyOf({"Uint8", "float32"}))
    assert.are.equal(p, p:checkImageChannelTypeIs(ll.ChannelType.Float16))
    assert.are.equal(p, p:checkImageViewNormalizedCoordinatesIs(true))
    assert.are.same({channelCount = 1, channelTypes = {"Float16"}, normalizedCoordinates = true},
      p.checks)
    p:checkImageChannelTypeIsAnyOf({"uint8", ll.ChannelType.Int8})
    assert.are.same({"Uint8", "Int8"}, p.checks.channelTypes)
  end)

  it("rejects bad checks", function()
    local p = ll.PortDescriptor.new(0, "in", "In", "ImageView")
    support.raises("bad argument #1 to 'checkImageChannelCountIs' (unknown ChannelCount 5 " ..
      "(expected one of: C1 = 1, C2 = 2, C3 = 3, C4 = 4))",
      function() p:checkImageChannelCountIs(5) end)
    support.raises("bad argument #1 to 'checkImageChannelTypeIs' (channelType: unknown " ..
      "channelType 'Uint7'", function() p:checkImageChannelTypeIs("Uint7") end)
    support.raises("channelTypes must be a non-empty list of channel types, got table",
      function() p:checkImageChannelTypeIsAnyOf({}) end)
    support.raises("channelTypes[2]: unknown channelType 7",
      function() p:checkImageChannelTypeIsAnyOf({"Uint8", 7}) end)
    support.raises("normalizedCoordinates must be a boolean, got 1",
      function() p:checkImageViewNormalizedCoordinatesIs(1) end)
    assert.are.same({}, p.checks)
  end)

  describe("isValid", function()
    local mem, buffer, uniform, image, view, sampled
    before_each(function()
      mem = support.image_memory()
      buffer = mem:createBuffer(64)
      uniform = mem:createBuffer(64, {"UniformBuffer"})
      image = mem:createImage({4, 4, 4}, "Uint8")
      view = image:createImageView()
      sampled = image:createImageView("Nearest", "ClampToEdge", false, true)
    end)

    it("takes objects of the port's kind", function()
      assert.is_true(ll.PortDescriptor.new(0, "b", "In", "Buffer"):isValid(buffer))
      assert.is_true(ll.PortDescriptor.new(0, "u", "In", "UniformBuffer"):isValid(uniform))
      assert.is_true(ll.PortDescriptor.new(0, "v", "In", "ImageView"):isValid(view))
      assert.is_true(ll.PortDescriptor.new(0, "s", "In", "SampledImageView"):isValid(sampled))
    end)

    it("refuses other kinds with a message naming the port", function()
      local function refuses(port, object, fragment)
        local ok, msg = port:isValid(object)
        assert.is_false(ok)
        assert.is_truthy(msg:find(fragment, 1, true), msg)
      end
      local b = ll.PortDescriptor.new(3, "in_buf", "In", "Buffer")
      refuses(b, view, "port 'in_buf' (binding 3, Buffer): takes a Buffer, got an ImageView")
      refuses(b, 42, "port 'in_buf' (binding 3, Buffer): takes an object, got 42")
      refuses(ll.PortDescriptor.new(0, "u", "In", "UniformBuffer"), buffer,
        "port 'u' (binding 0, UniformBuffer): takes a buffer with UniformBuffer usage, got " ..
        "one with {StorageBuffer, TransferDst, TransferSrc}")
      local v = ll.PortDescriptor.new(1, "in_img", "In", "ImageView")
      refuses(v, image, "port 'in_img' (binding 1, ImageView): takes an ImageView, got an Image")
      refuses(v, buffer, "takes an ImageView, got a Buffer")
      refuses(v, sampled, "takes an ImageView that is not sampled, got a sampled one")
      refuses(ll.PortDescriptor.new(1, "s", "In", "SampledImageView"), view,
        "port 's' (binding 1, SampledImageView): takes a sampled ImageView, got one that is " ..
        "not sampled")
    end)

    it("applies the port's checks", function()
      local p = ll.PortDescriptor.new(0, "in_rgba", "In", "ImageView")
      assert.is_true(p:checkImageChannelCountIs(4):isValid(view))
      local ok, msg = p:checkImageChannelCountIs(ll.ChannelCount.C1):isValid(view)
      assert.is_false(ok)
      assert.are.equal("port 'in_rgba' (binding 0, ImageView): image channel count must be " ..
        "1, got 4", msg)
      p:checkImageChannelCountIs(4):checkImageChannelTypeIsAnyOf({"Float16", "Float32"})
      ok, msg = p:isValid(view)
      assert.are.equal("port 'in_rgba' (binding 0, ImageView): image channel type must be " ..
        "one of Float16, Float32, got Uint8", msg)
      p:checkImageChannelTypeIs("Uint8")
      assert.is_true(p:isValid(view))
      p:checkImageViewNormalizedCoordinatesIs(true)
      ok, msg = p:isValid(view)
      assert.are.equal("port 'in_rgba' (binding 0, ImageView): image view " ..
        "normalizedCoordinates must be true, got false", msg)
    end)
  end)
end)

describe("ll.ComputeNodeDescriptor", function()
  support.no_validation_messages()

  it("starts with empty names, no program and shapes (1, 1, 1)", function()
    local d = ll.ComputeNodeDescriptor.new()
    assert.are.same({"", ""}, {d.builderName, d.functionName})
    assert.is_nil(d.program)
    assert.are.same({1, 1, 1}, xyz(d.localShape))
    assert.are.same({1, 1, 1}, xyz(d.gridShape))
    assert.are.equal(0, d.pushConstants.size)
    assert.are.same({}, d.ports)
    assert.are.same({}, d.parameters)
    assert.are.equal("lluvia.ComputeNodeDescriptor", getmetatable(d))
  end)

  it("init names it, asks ll.getProgram for name .. '.comp' and takes the session's good " ..
    "local shape", function()
    local s = support.session()
    local asked
    local saved_session, saved_get = ll.activeSession, ll.getProgram
    ll.activeSession = s
    ll.getProgram = function(name) asked = name return nil end
    local d = ll.ComputeNodeDescriptor.new()
    d.gridShape = {5, 5, 5}
    local ok, err = pcall(d.init, d, "lluvia/color/RGBA2Gray", ll.ComputeDimension.D2)
    ll.activeSession, ll.getProgram = saved_session, saved_get
    assert(ok, err)
    assert.are.equal("lluvia/color/RGBA2Gray.comp", asked)
    assert.are.equal("lluvia/color/RGBA2Gray", d.builderName)
    assert.are.equal("main", d.functionName)
    assert.is_nil(d.program)
    assert.are.same(xyz(s:getGoodComputeLocalShape("D2")), xyz(d.localShape))
    assert.are.same({1, 1, 1}, xyz(d.gridShape))
  end)

  it("init checks its arguments", function()
    local d = ll.ComputeNodeDescriptor.new()
    support.raises("bad argument #2 to 'init' (ComputeDimension name expected, got 2",
      function() d:init("x", 2) end)
    support.raises("bad argument #1 to 'init' (name must be a string, got nil)",
      function() d:init(nil, "D2") end)
  end)

  it("keys ports by name: a repeated name replaces, and ports list by binding", function()
    local d = ll.ComputeNodeDescriptor.new()
    d:addPort(ll.PortDescriptor.new(1, "out", "Out", "ImageView"))
    d:addPort(ll.PortDescriptor.new(0, "in", "In", "Buffer"))
    local p = ll.PortDescriptor.new(2, "in", "In", "ImageView")
    assert.are.equal(d, d:addPort(p))
    p:checkImageChannelCountIs(4) -- after adding: the descriptor keeps its own copy
    local ports = d.ports
    assert.are.equal(2, #ports)
    assert.are.same({"out", 1}, {ports[1].name, ports[1].binding})
    assert.are.same({"in", 2, "ImageView"}, {ports[2].name, ports[2].binding, ports[2].type})
    assert.are.same({}, d:getPort("in").checks)
    support.raises("bad argument #1 to 'getPort' (no port 'nope'", function() d:getPort("nope") end)
    support.raises("bad argument #1 to 'addPort' (PortDescriptor expected, got 42)",
      function() d:addPort(42) end)
  end)

  it("types parameters as lluvia: numbers Float, booleans Int 0/1, strings String", function()
    local d = ll.ComputeNodeDescriptor.new()
    d:setParameter("alpha", 0.05)
    d:setParameter("levels", 3)
    d:setParameter("clear", true)
    d:setParameter("colormap", "viridis")
    d:setParameter("n", ll.Parameter(7))
    assert.are.equal("float", math.type(d:getParameter("levels")))
    assert.are.equal(3, d:getParameter("levels"))
    assert.are.equal(string.unpack("<f", string.pack("<f", 0.05)), d:getParameter("alpha"))
    assert.are.equal(1, d:getParameter("clear"))
    assert.are.equal("viridis", d:getParameter("colormap"))
    assert.are.equal("integer", math.type(d:getParameter("n")))
    local params = d.parameters
    assert.are.same({"Float", "Int", "String"},
      {params.levels.type, params.clear.type, params.colormap.type})
    d:setParameter("levels", 4)
    assert.are.equal(4, d:getParameter("levels"))
    support.raises("bad argument #1 to 'getParameter' (no parameter 'beta' in " ..
      "ComputeNodeDescriptor '' (parameters: alpha, clear, colormap, levels, n))",
      function() d:getParameter("beta") end)
    support.raises("bad argument #2 to 'setParameter' (value must be a number, a boolean, a " ..
      "string or an ll.Parameter, got nil)", function() d:setParameter("x") end)
    support.raises("bad argument #1 to 'setParameter' (name must be a string, got 1)",
      function() d:setParameter(1, 2) end)
  end)

  it("configureGridShape rounds global / localShape up on each axis", function()
    local d = ll.ComputeNodeDescriptor.new()
    d.localShape = ll.vec3ui.new(32, 32, 1)
    assert.are.equal(d, d:configureGridShape(ll.vec3ui.new(1920, 1081, 1)))
    assert.are.same({60, 34, 1}, xyz(d.gridShape))
    d:configureGridShape({1, 0, 3})
    assert.are.same({1, 0, 3}, xyz(d.gridShape))
    d.localShape = {0, 1, 1}
    support.raises("lluvia: configureGridShape needs a localShape without zeros, got (0, 1, 1)",
      function() d:configureGridShape({1, 1, 1}) end)
    support.raises("bad argument #1 to 'configureGridShape' (globalShape must be an " ..
      "ll.vec3ui or a table {x, y, z}, got 'x')", function() d:configureGridShape("x") end)
  end)

  it("checks every field assignment, naming the field and the value", function()
    local d = ll.ComputeNodeDescriptor.new()
    d.localShape = {8, 8, 1}
    d.builderName = "b"
    d.functionName = "f"
    d.program = nil
    d.pushConstants = "abcdefgh"
    assert.are.equal(8, d.pushConstants.size)
    local pc = ll.PushConstants.new()
    pc:pushFloat(1)
    d.pushConstants = pc
    pc:pushFloat(2) -- assignment copies
    assert.are.equal(4, d.pushConstants.size)
    d.localShape.y = 4 -- the field is the descriptor's own vec3ui
    assert.are.same({8, 4, 1}, xyz(d.localShape))
    support.raises("ComputeNodeDescriptor.localShape must be an ll.vec3ui or a table " ..
      "{x, y, z}, got 'big'", function() d.localShape = "big" end)
    support.raises("ComputeNodeDescriptor.gridShape[2] must be an integer in 0 .. 4294967295, " ..
      "got -1", function() d.gridShape = {1, -1, 1} end)
    support.raises("ComputeNodeDescriptor.builderName must be a string, got 3",
      function() d.builderName = 3 end)
    support.raises("ComputeNodeDescriptor.program must be a Program or nil, got 'p'",
      function() d.program = "p" end)
    support.raises("ComputeNodeDescriptor.pushConstants must be an ll.PushConstants, a string " ..
      "of bytes or an ll.ndarray, got 1", function() d.pushConstants = 1 end)
    support.raises("ComputeNodeDescriptor field 'ports' is read-only", function() d.ports = {} end)
    support.raises("ComputeNodeDescriptor has no field 'name'", function() d.name = "x" end)
    assert.are.same({"b", "f"}, {d.builderName, d.functionName})
  end)

  it("lets scripts add methods to the class, as lluvia's library.lua does", function()
    function ll.ComputeNodeDescriptor:describeForSpec() return "d:" .. self.builderName end
    local d = ll.ComputeNodeDescriptor.new()
    d.builderName = "x"
    assert.are.equal("d:x", d:describeForSpec())
    ll.ComputeNodeDescriptor.describeForSpec = nil
  end)
end)

describe("ll.ContainerNodeDescriptor", function()
  it("has builderName, ports and parameters", function()
    local d = ll.ContainerNodeDescriptor.new()
    assert.are.equal("", d.builderName)
    d.builderName = "lluvia/opticalflow/HornSchunck"
    d:addPort(ll.PortDescriptor.new(0, "in_gray", "In", "ImageView"))
    d:setParameter("iterations", 1)
    assert.are.equal(1, #d.ports)
    assert.are.equal(1.0, d:getParameter("iterations"))
    assert.are.equal("lluvia.ContainerNodeDescriptor", getmetatable(d))
    support.raises("ContainerNodeDescriptor has no field 'localShape'",
      function() d.localShape = {1, 1, 1} end)
    support.raises("no parameter 'alpha' in ContainerNodeDescriptor " ..
      "'lluvia/opticalflow/HornSchunck'", function() d:getParameter("alpha") end)
  end)
end)

describe("ll.ImageDescriptor", function()
  it("defaults to 1 x 1 x 1, C1, Uint8, Storage | Sampled | TransferSrc | TransferDst, Optimal",
    function()
      local d = ll.ImageDescriptor.new()
      assert.are.same({1, 1, 1, 1, "Uint8", 15, "Optimal"}, {d.width, d.height, d.depth,
        d.channelCount, d.channelType, d.usageFlags, d.tiling})
      assert.are.equal(ll.ImageUsageFlagBits.Storage | ll.ImageUsageFlagBits.Sampled |
        ll.ImageUsageFlagBits.TransferSrc | ll.ImageUsageFlagBits.TransferDst, d.usageFlags)
    end)

  it("is made from (depth, height, width, channelCount, channelType) or copied", function()
    local d = ll.ImageDescriptor.new(1, 480, 640, ll.ChannelCount.C4, ll.ChannelType.Float32)
    assert.are.same({640, 480, 1, 4, "Float32"}, {d.width, d.height, d.depth, d.channelCount,
      d.channelType})
    assert.are.same({640, 480, 1}, xyz(d.shape))
    local c = ll.ImageDescriptor.new(d)
    c.width = 10
    assert.are.equal(640, d.width)
    local u = ll.ImageDescriptor.new(2, 3, 4, 1, "uint16", {"Storage", "TransferDst"}, "Linear")
    assert.are.same({"Uint16", 10, "Linear"}, {u.channelType, u.usageFlags, u.tiling})
    support.raises("bad argument #3 to 'new' (width must be an integer in 1 .. 4294967295, " ..
      "got 0)", ll.ImageDescriptor.new, 1, 4, 0, 1, "Uint8")
    support.raises("bad argument #4 to 'new' (channelCount: unknown ChannelCount 5",
      ll.ImageDescriptor.new, 1, 4, 4, 5, "Uint8")
    support.raises("bad argument #4 to 'new' (ImageDescriptor.new takes (), (other) or " ..
      "(depth, height, width, channelCount, channelType[, usageFlags[, tiling]]), got 3 " ..
      "arguments)", ll.ImageDescriptor.new, 1, 2, 3)
  end)

  it("checks field assignments; usageFlags takes names, numbers or lists and reads a number",
    function()
      local d = ll.ImageDescriptor.new()
      d.channelType = "float16"
      d.channelCount = ll.ChannelCount.C2
      d.usageFlags = "Storage"
      assert.are.equal(8, d.usageFlags)
      d.usageFlags = {"Sampled", ll.ImageUsageFlagBits.TransferDst}
      assert.are.equal(6, d.usageFlags)
      d.usageFlags = ll.ImageUsageFlagBits.Storage | ll.ImageUsageFlagBits.TransferSrc
      assert.are.equal(9, d.usageFlags)
      d.tiling = "linear"
      assert.are.same({"Float16", 2, "Linear"}, {d.channelType, d.channelCount, d.tiling})
      support.raises("ImageDescriptor.height must be an integer in 1 .. 4294967295, got -3",
        function() d.height = -3 end)
      support.raises("ImageDescriptor.channelCount: unknown ChannelCount 0",
        function() d.channelCount = 0 end)
      support.raises("ImageDescriptor.channelType: unknown channelType 'rgba'",
        function() d.channelType = "rgba" end)
      support.raises("ImageDescriptor.usageFlags: unknown ImageUsageFlagBits bits 0x100 in 256",
        function() d.usageFlags = 256 end)
      support.raises("ImageDescriptor.usageFlags must be a name, a number or a list of them, " ..
        "got a table with keys that are not list entries",
        function() d.usageFlags = {"Storage", x = 1} end)
      support.raises("ImageDescriptor.tiling: unknown ImageTiling 'Tiled'",
        function() d.tiling = "Tiled" end)
      support.raises("ImageDescriptor field 'shape' is read-only", function() d.shape = {} end)
      assert.are.equal(9, d.usageFlags)
    end)
end)

describe("ll.ImageViewDescriptor", function()
  it("defaults to Nearest, Repeat, unnormalized, not sampled", function()
    local v = ll.ImageViewDescriptor.new()
    assert.are.same({"Nearest", "Repeat", "Repeat", "Repeat", false, false}, {v.filterMode,
      v.addressModeU, v.addressModeV, v.addressModeW, v.normalizedCoordinates, v.isSampled})
  end)

  it("is made from (addressMode, filterMode, normalizedCoordinates, isSampled) or copied",
    function()
      local v = ll.ImageViewDescriptor.new(ll.ImageAddressMode.MirroredRepeat,
        ll.ImageFilterMode.Linear, true, true)
      assert.are.same({"Linear", "MirroredRepeat", "MirroredRepeat", "MirroredRepeat", true,
        true}, {v.filterMode, v.addressModeU, v.addressModeV, v.addressModeW,
        v.normalizedCoordinates, v.isSampled})
      local c = ll.ImageViewDescriptor.new(v)
      c.isSampled = false
      assert.is_true(v.isSampled)
      support.raises("bad argument #1 to 'new' (unknown ImageAddressMode 'Wrap'",
        ll.ImageViewDescriptor.new, "Wrap")
      support.raises("bad argument #3 to 'new' (normalizedCoordinates must be a boolean, got 1)",
        ll.ImageViewDescriptor.new, "Repeat", "Nearest", 1)
    end)

  it("sets one address mode per axis, or all three with setAddressMode", function()
    local v = ll.ImageViewDescriptor.new()
    v.addressModeV = "ClampToEdge"
    assert.are.same({"Repeat", "ClampToEdge"}, {v.addressModeU, v.addressModeV})
    assert.are.equal(v, v:setAddressMode(ll.ImageAddressMode.ClampToBorder))
    assert.are.same({"ClampToBorder", "ClampToBorder", "ClampToBorder"},
      {v.addressModeU, v.addressModeV, v.addressModeW})
    support.raises("bad argument #1 to 'setAddressMode' (ImageAddressMode name expected, " ..
      "got 2", function() v:setAddressMode(2) end)
    support.raises("ImageViewDescriptor.filterMode: unknown ImageFilterMode 'Cubic'",
      function() v.filterMode = "Cubic" end)
    support.raises("ImageViewDescriptor.isSampled must be a boolean, got 'yes'",
      function() v.isSampled = "yes" end)
    assert.are.equal("ClampToBorder", v.addressModeU)
  end)
end)

describe("the active session", function()
  it("ll.getGoodComputeLocalShape and ll.getProgram need one", function()
    local saved = ll.activeSession
    ll.activeSession = nil
    local ok, err = pcall(ll.getGoodComputeLocalShape, "D2")
    ll.activeSession = saved
    assert.is_false(ok)
    assert.is_truthy(tostring(err):find("activeSession", 1, true), err)
    ll.activeSession = support.session()
    local shape = ll.getGoodComputeLocalShape("D2")
    ll.activeSession = saved
    assert.are.same({32, 32, 1}, xyz(shape))
  end)
end)

describe("lluvia's descriptor forms on Memory and images", function()
  support.no_validation_messages()

  local function memory()
    return support.image_memory()
  end

  it("memory:createImage(imageDescriptor) makes the image it describes, ignoring more " ..
    "arguments", function()
    local mem <close> = memory()
    local d = ll.ImageDescriptor.new(1, 4, 8, ll.ChannelCount.C2, ll.ChannelType.Float32)
    local img <close> = mem:createImage(d, ll.ImageLayout.General, ll.ImageUsageFlagBits.Storage)
    assert.are.same({1, 4, 8, 2}, img.shape)
    assert.are.same({"Float32", 2, "General"}, {img.channelType, img.channelCount, img.layout})
    assert.are.same({"TransferSrc", "TransferDst", "Sampled", "Storage"}, img.usageFlags)
    d.usageFlags = {"Storage", "TransferDst"}
    d.depth = 3
    local vol <close> = mem:createImage(d)
    assert.are.same({3, 4, 8, 2}, vol.shape)
    assert.is_truthy(tostring(vol):find("3D", 1, true))
    assert.are.same({"TransferDst", "Storage"}, vol.usageFlags)
    local line <close> = mem:createImage(ll.ImageDescriptor.new(1, 1, 16, 1, "Uint8"))
    assert.is_truthy(tostring(line):find("1D", 1, true))
  end)

  it("refuses what cannot be made, leaving the Memory as it was", function()
    local mem <close> = memory()
    local stats = mem.stats
    local d = ll.ImageDescriptor.new()
    d.tiling = "Linear"
    support.raises("bad argument #1 to 'createImage' (tiling Linear is not supported: " ..
      "lluvia-lua makes Optimal images only)", function() return mem:createImage(d) end)
    d.tiling = "Optimal"
    d.usageFlags = "TransientAttachment"
    support.raises("bad argument #1 to 'createImage' (usageFlags {TransientAttachment}",
      function() return mem:createImage(d) end)
    local v = ll.ImageViewDescriptor.new()
    support.raises("bad argument #1 to 'createImageView' (ll.ImageDescriptor expected, got 42)",
      function() return mem:createImageView(42, v) end)
    support.raises("bad argument #2 to 'createImageView' (ll.ImageViewDescriptor expected, " ..
      "got no value)", function() return mem:createImageView(ll.ImageDescriptor.new()) end)
    local sampled = ll.ImageViewDescriptor.new("Repeat", "Nearest", false, true)
    support.raises("bad argument #2 to 'createImageView' (address mode Repeat needs " ..
      "normalized coordinates", function()
        return mem:createImageView(ll.ImageDescriptor.new(1, 4, 4, 1, "Uint8"), sampled)
      end)
    assert.are.same(stats, mem.stats)
  end)

  it("memory:createImageView(imageDescriptor, viewDescriptor) makes an image and a view",
    function()
      local mem <close> = memory()
      local d = ll.ImageDescriptor.new(1, 8, 8, ll.ChannelCount.C4, "Uint8")
      local vd = ll.ImageViewDescriptor.new(ll.ImageAddressMode.MirroredRepeat,
        ll.ImageFilterMode.Nearest, true, true)
      vd.addressModeV = ll.ImageAddressMode.ClampToEdge
      local view <close> = mem:createImageView(d, vd, "ignored")
      assert.are.equal("lluvia.ImageView", getmetatable(view))
      assert.are.same({1, 8, 8, 4}, view.shape)
      assert.are.same({"MirroredRepeat", "ClampToEdge", "MirroredRepeat"},
        {view.addressModeU, view.addressModeV, view.addressModeW})
      assert.are.same({true, true, "Nearest"}, {view.isSampled, view.normalizedCoordinates,
        view.filterMode})
      assert.is_truthy(tostring(view):find("MirroredRepeat/ClampToEdge/MirroredRepeat", 1,
        true))
      assert.are.equal(1, mem.stats.objects)
    end)

  it("image:createImageView(viewDescriptor) takes lluvia's descriptor, ignoring more " ..
    "arguments", function()
    local mem <close> = memory()
    local img <close> = mem:createImage({4, 4})
    local view <close> = img:createImageView(ll.ImageViewDescriptor.new("ClampToBorder",
      "Nearest", false, true), "ignored")
    assert.are.same({"ClampToBorder", false, true}, {view.addressMode,
      view.normalizedCoordinates, view.isSampled})
    local axes = ll.ImageViewDescriptor.new("ClampToEdge", "Nearest", false, true)
    axes.addressModeW = "Repeat"
    support.raises("bad argument #1 to 'createImageView' (address mode Repeat of axis W " ..
      "needs normalized coordinates", function() return img:createImageView(axes) end)
  end)

  it("images and views have lluvia's channelCount, descriptor, imageDescriptor and " ..
    "changeImageLayout", function()
    local mem <close> = memory()
    local d = ll.ImageDescriptor.new(1, 4, 6, ll.ChannelCount.C2, "Uint16")
    d.usageFlags = {"Storage", "Sampled", "TransferDst"}
    local img <close> = mem:createImage(d)
    assert.are.equal(2, img.channelCount)
    local back = img.descriptor
    assert.are.equal("lluvia.ImageDescriptor", getmetatable(back))
    assert.are.same({6, 4, 1, 2, "Uint16", 14, "Optimal"}, {back.width, back.height,
      back.depth, back.channelCount, back.channelType, back.usageFlags, back.tiling})
    local vd = ll.ImageViewDescriptor.new("ClampToEdge", "Nearest", false, true)
    vd.addressModeU = "ClampToBorder"
    local view <close> = img:createImageView(vd)
    local vback = view.descriptor
    assert.are.equal("lluvia.ImageViewDescriptor", getmetatable(vback))
    assert.are.same({"Nearest", "ClampToBorder", "ClampToEdge", "ClampToEdge", false, true},
      {vback.filterMode, vback.addressModeU, vback.addressModeV, vback.addressModeW,
       vback.normalizedCoordinates, vback.isSampled})
    assert.are.equal(2, view.channelCount)
    assert.are.equal(6, view.imageDescriptor.width)
    -- the descriptors a view reads back make another like it (lluvia's scripts do this)
    local twin <close> = mem:createImageView(view.imageDescriptor, view.descriptor)
    assert.are.same(view.shape, twin.shape)
    assert.are.equal(tostring(view.descriptor), tostring(twin.descriptor))
    img:changeImageLayout(ll.ImageLayout.TransferDstOptimal)
    assert.are.equal("TransferDstOptimal", img.layout)
    view:changeImageLayout("General")
    assert.are.equal("General", img.layout)
    support.raises("bad argument #1 to 'changeImageLayout' (ImageLayout name expected, got 1",
      function() img:changeImageLayout(1) end)
  end)
end)
