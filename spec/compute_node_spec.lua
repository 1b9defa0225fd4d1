-- compute_node_spec.lua: API.md "Nodes": session:createComputeNode (by builder name,
-- descriptor or table), compileComputeNode, bind, getPort, ports, init, the shape and push
-- constant fields, parameters, record, run; container nodes; and the safety rules of
-- issue 12 point 5 (checks before the driver, released and unbound objects, zero grids,
-- errors in builder callbacks, collection in any order). Shaders are this file's own.
local ll = require "lluvia"
local support = require "support"

-- c[i] = scale * (a[i] + b[i]) for i < count
local ADD = [[
#version 450
#include <lluvia/core.glsl>
layout(binding = 0) buffer in_a { float a[]; };
layout(binding = 1) buffer in_b { float b[]; };
layout(binding = 2) buffer out_c { float c[]; };
layout(push_constant) uniform PC { float scale; uint count; } pc;
void main() {
    uint i = LL_GLOBAL_COORDS_1D;
    if (i < pc.count) c[i] = pc.scale * (a[i] + b[i]);
}
]]

-- out = 255 - in, for an r8ui image
local INVERT = [[
#version 450
#include <lluvia/core.glsl>
layout(binding = 0, r8ui) uniform readonly uimage2D in_image;
layout(binding = 1, r8ui) uniform writeonly uimage2D out_image;
void main() {
    ivec2 p = LL_GLOBAL_COORDS_2D;
    if (any(greaterThanEqual(p, imageSize(in_image)))) return;
    imageStore(out_image, p, uvec4(255u - imageLoad(in_image, p).x));
}
]]

-- out[0] = texel (0, 0) of a sampled float image + params.v
local SAMPLE = [[
#version 450
#include <lluvia/core.glsl>
layout(binding = 0) uniform sampler2D in_texture;
layout(binding = 1) uniform Params { vec4 v; } params;
layout(binding = 2) buffer out_b { vec4 o[]; };
void main() { o[0] = texture(in_texture, vec2(0.5)) + params.v; }
]]

local function floats(t) return ll.ndarray.fromTable(t, "float32") end

local function pc_of(scale, count)
  local pc = ll.PushConstants.new()
  pc:pushFloat(scale)
  pc:pushInt32(count)
  return pc
end

local function add_ports()
  return {
    {binding = 0, name = "in_a", type = "Buffer"},
    {binding = 1, name = "in_b", type = "Buffer"},
    {binding = 2, name = "out_c", direction = "Out", type = "Buffer"},
  }
end

describe("compute nodes", function()
  support.no_validation_messages()
  local s, mem, add, imem -- imem: the images' Memory

  setup(function()
    s, mem, add = support.compute_session(ADD)
    imem = support.image_memory(s)
  end)

  -- An add node over three buffers of n floats, bound and initialized.
  local function add_node(n)
    local node = s:createComputeNode{program = add, ports = add_ports(),
      localShape = {32, 1, 1}}
    local a = mem:createBufferFromHost(floats((function()
      local t = {} for i = 1, n do t[i] = i end return t end)()))
    local b = mem:createBufferFromHost(floats((function()
      local t = {} for i = 1, n do t[i] = 10 * i end return t end)()))
    local c = mem:createBuffer(4 * n)
    node:bind("in_a", a)
    node:bind("in_b", b)
    node:bind("out_c", c)
    node.pushConstants = pc_of(1, n)
    node:configureGridShape({n, 1, 1})
    node:init()
    return node, a, b, c
  end

  -- Registers in s a builder `name` of the add shader (registered as name .. ".comp")
  -- whose descriptor has the three ports, then runs `more` (Lua, with `d` the descriptor),
  -- and whose onNodeInit(node) runs `init`; `after` is script text run after it is
  -- registered (with `b` the builder).
  local function add_builder(name, init, more, after)
    s:setProgram(name .. ".comp", add)
    s:script(([[
      local b = ll.class(ll.ComputeNodeBuilder)
      b.name = %q
      function b.newDescriptor()
        local d = ll.ComputeNodeDescriptor.new()
        d:init(b.name, ll.ComputeDimension.D1)
        d:addPort(ll.PortDescriptor.new(0, "in_a", ll.PortDirection.In, ll.PortType.Buffer))
        d:addPort(ll.PortDescriptor.new(1, "in_b", ll.PortDirection.In, ll.PortType.Buffer))
        d:addPort(ll.PortDescriptor.new(2, "out_c", ll.PortDirection.Out, ll.PortType.Buffer))
        %s
        return d
      end
      function b.onNodeInit(node)
        %s
      end
      ll.registerNodeBuilder(b)
      %s
    ]]):format(name, more or "", init or "", after or ""))
  end

  describe("session:createComputeNode", function()
    it("takes a table; without ports they come from the SPIR-V, named by the variables", function()
      local node = s:createComputeNode{program = add, localShape = {32, 1, 1}}
      assert.are.same({
        {name = "in_a", binding = 0, type = "Buffer", direction = "In"},
        {name = "in_b", binding = 1, type = "Buffer", direction = "In"},
        {name = "out_c", binding = 2, type = "Buffer", direction = "Out"},
      }, node.ports)
      assert.are.equal("main", node.functionName)
      assert.are.equal(add, node.program)
      assert.are.equal("Created", node.state)
      assert.are.equal("Compute", node.type)
      assert.are.equal("lluvia.ComputeNode", getmetatable(node))
      assert.truthy(tostring(node):find("lluvia.ComputeNode(main, 3 ports", 1, true))
    end)

    it("takes an ll.ComputeNodeDescriptor", function()
      local d = ll.ComputeNodeDescriptor.new()
      d.program, d.functionName, d.builderName = add, "main", "spec/Add"
      d.localShape = ll.vec3ui.new(16, 1, 1)
      for _, p in ipairs(add_ports()) do
        d:addPort(ll.PortDescriptor.new(p.binding, p.name, p.direction or "In", p.type))
      end
      d:setParameter("alpha", 0.5)
      local node = s:createComputeNode(d)
      assert.are.equal(16, node.localShape.x)
      assert.are.equal(16, node.localX)
      assert.are.equal("spec/Add", node.descriptor.builderName)
      assert.are.equal(0.5, node:getParameter("alpha"))
      d:setParameter("alpha", 2) -- the node keeps its own copy
      assert.are.equal(0.5, node:getParameter("alpha"))
    end)

    it("takes a builder name and runs its newDescriptor with the session active", function()
      local seen
      add_builder("spec/NamedAdd", nil, "SEEN = ll.activeSession")
      local node = s:createComputeNode("spec/NamedAdd")
      seen = s:script("return SEEN")
      assert.are.equal(s, seen)
      assert.is_nil(ll.activeSession)
      assert.are.equal(3, #node.ports)
    end)

    it("refuses what would reach the driver wrong, naming the field or port", function()
      support.raises("bad argument #1 to 'createComputeNode' (descriptor '' has no program",
        s.createComputeNode, s, {ports = add_ports()})
      support.raises("functionName must not be empty", s.createComputeNode, s,
        {program = add, functionName = ""})
      support.raises("no compute entry point named 'other'", s.createComputeNode, s,
        {program = add, functionName = "other"})
      support.raises("localShape.y must be > 0, got 0", s.createComputeNode, s,
        {program = add, localShape = {1, 0, 1}})
      support.raises("maxComputeWorkGroupInvocations", s.createComputeNode, s,
        {program = add, localShape = {1024, 1024, 1}})
      local ports = add_ports()
      ports[3].binding = 3
      support.raises("port 'out_c' has binding 3: the bindings of 3 ports must be 0 to 2",
        s.createComputeNode, s, {program = add, ports = ports})
      ports = add_ports()
      ports[2].type = "ImageView"
      support.raises("port 'in_b' is a ImageView, but the shader's binding 1 ('in_b') is a Buffer",
        s.createComputeNode, s, {program = add, ports = ports})
      ports = add_ports()
      ports[3] = nil
      support.raises("the shader's binding 2 ('out_c', a Buffer) has no port",
        s.createComputeNode, s, {program = add, ports = ports})
      ports = add_ports()
      ports[4] = {binding = 3, name = "extra", type = "Buffer"}
      support.raises("port 'extra' has binding 3, which the shader does not declare",
        s.createComputeNode, s, {program = add, ports = ports})
      support.raises("larger than the shader's push-constant block (8 bytes)",
        s.createComputeNode, s, {program = add, pushConstants = string.rep("\0", 12)})
      support.raises("unknown field 'shape'", s.createComputeNode, s, {program = add, shape = 1})
      support.raises("ComputeNodeDescriptor.localShape must be", s.createComputeNode, s,
        {program = add, localShape = "big"})
      support.raises("a builder name, an ll.ComputeNodeDescriptor or a table expected, got 42",
        s.createComputeNode, s, 42)
      support.raises("no node builder named 'spec/Nope'", s.createComputeNode, s, "spec/Nope")
    end)
  end)

  describe("session:compileComputeNode", function()
    it("compiles and creates in one call", function()
      local node = s:compileComputeNode{glsl = INVERT, localShape = {8, 8, 1},
        gridShape = {2, 3, 1}}
      assert.are.same({2, 3, 1}, {node.gridX, node.gridY, node.gridZ})
      assert.are.equal("ImageView", node.ports[1].type)
      support.raises("glsl must be the shader's source", s.compileComputeNode, s, {})
      support.raises("compile failed", s.compileComputeNode, s, {glsl = "void main() { x }"})
    end)
  end)

  describe("node:bind and node:getPort", function()
    it("check the object against the port and write it at once; rebinding is allowed", function()
      local node, a, b, c = add_node(40)
      assert.are.equal(a, node:getPort("in_a"))
      node:run()
      local got = c:toHost("float32")
      assert.are.equal(11, got[1])
      assert.are.equal(440, got[40])
      node:bind("in_a", b) -- after init: c = b + b
      node:run()
      assert.are.equal(800, c:toHost("float32")[40])
      support.raises("bad argument #1 to 'bind' (the node has no port 'nope' (ports: in_a, in_b, out_c))",
        function() node:bind("nope", a) end)
      support.raises("bad argument #2 to 'bind' (a Buffer or an ImageView expected, got 42)",
        function() node:bind("in_a", 42) end)
      local img = imem:createImage({4, 4})
      support.raises("(bind a view of the image)", node.bind, node, "in_a", img)
      support.raises("takes a Buffer, got an ImageView", node.bind, node, "in_a",
        img:createImageView())
      support.raises("bad argument #1 to 'getPort' (port 'in_a' has no object bound to it)",
        function()
          local n = s:createComputeNode{program = add}
          return n:getPort("in_a")
        end)
      support.raises("the node has no port 'x'", node.getPort, node, "x")
    end)

    it("checks UniformBuffer usage, sampled or not, and the port's checks", function()
      local prog = s:compileProgram(SAMPLE)
      local node = s:createComputeNode{program = prog}
      assert.are.same({"SampledImageView", "UniformBuffer", "Buffer"},
        {node.ports[1].type, node.ports[2].type, node.ports[3].type})
      local storage = mem:createBuffer(16)
      support.raises("takes a buffer with UniformBuffer usage", node.bind, node, "params",
        storage)
      local img = imem:createImage({2, 2, 4}, "Float32")
      support.raises("takes a sampled ImageView, got one that is not sampled", node.bind, node,
        "in_texture", img:createImageView())
      local view = img:createImageView("Nearest", "ClampToEdge", false, true)
      img:clear()
      node:bind("in_texture", view)
      node:bind("params", mem:createBufferFromHost(floats({1, 2, 3, 4}), {"UniformBuffer"}))
      node:bind("out_b", storage)
      node:init()
      node:run()
      assert.are.same({1, 2, 3, 4}, storage:toHost("float32"):totable())

      local d = ll.ComputeNodeDescriptor.new()
      d.program, d.functionName = prog, "main"
      d:addPort(ll.PortDescriptor.new(0, "in_texture", "In", "SampledImageView")
        :checkImageChannelCountIs(ll.ChannelCount.C1))
      d:addPort(ll.PortDescriptor.new(1, "params", "In", "UniformBuffer"))
      d:addPort(ll.PortDescriptor.new(2, "out_b", "Out", "Buffer"))
      local checked = s:createComputeNode(d)
      support.raises("image channel count must be 1, got 4", checked.bind, checked,
        "in_texture", view)
    end)
  end)

  describe("node:init", function()
    it("runs the builder's onNodeInit with the session active, then makes the pipeline", function()
      add_builder("spec/InitAdd", [[
        local a = node:getPort("in_a")
        local n = a.size // 4
        local out = ll.activeSession:createMemory({"HostVisible"}):createBufferLike(a)
        node:bind("out_c", out)
        local pc = ll.PushConstants.new()
        pc:pushFloat(node:getParameter("scale"))
        pc:pushInt32(n)
        node.pushConstants = pc
        node:configureGridShape(ll.vec3ui.new(n, 1, 1))
      ]], 'd:setParameter("scale", 2)')
      local node = s:createComputeNode("spec/InitAdd")
      local a = mem:createBufferFromHost(floats({1, 2, 3}))
      node:bind("in_a", a)
      node:bind("in_b", a)
      node:setParameter("scale", 10)
      node:init()
      assert.are.equal("Init", node.state)
      node:run()
      assert.are.same({20, 40, 60}, node:getPort("out_c"):toHost("float32"):totable())
      support.raises("lluvia: the node is initialized already: init runs once", node.init, node)
    end)

    it("lets a Lua error of onNodeInit through with its traceback; the node stays safe", function()
      add_builder("spec/BadInit", 'error("spec: no outputs")')
      local node = s:createComputeNode("spec/BadInit")
      local msg = support.raises("spec: no outputs", node.init, node)
      assert.truthy(msg:find("stack traceback", 1, true))
      assert.is_nil(ll.activeSession)
      assert.are.equal("Created", node.state)
      support.raises("lluvia: the node's onNodeInit failed earlier", node.init, node)
      support.raises("the node is not initialized: call init()", node.run, node)
      node:release()
      assert.are.equal("lluvia.ComputeNode (released)", tostring(node))
      collectgarbage()
    end)

    it("nests: an onNodeInit creates, inits and runs other nodes", function()
      add_builder("spec/Outer", [[
        local inner = ll.createComputeNode("spec/Outer.inner")
        local a = node:getPort("in_a")
        inner:bind("in_a", a)
        inner:bind("in_b", a)
        inner:bind("out_c", node:getPort("in_b"))
        local pc = ll.PushConstants.new()
        pc:pushFloat(1)
        pc:pushInt32(a.size // 4)
        inner.pushConstants = pc
        inner:init()
        ll.run(inner)                    -- in_b = 2 a, before the outer node runs
        node.pushConstants = pc
        node:configureGridShape({a.size // 4, 1, 1})
        NESTED = ll.activeSession
      ]], nil, [[
        local inner = ll.class(ll.ComputeNodeBuilder)
        inner.name = "spec/Outer.inner"
        function inner.newDescriptor()
          local d = b.newDescriptor()
          d.builderName = inner.name
          return d
        end
        ll.registerNodeBuilder(inner)
      ]])
      local node = s:createComputeNode("spec/Outer")
      local a = mem:createBufferFromHost(floats({1, 2}))
      local b = mem:createBuffer(8)
      local c = mem:createBuffer(8)
      node:bind("in_a", a)
      node:bind("in_b", b)
      node:bind("out_c", c)
      node:init()
      node:run()
      assert.are.same({3, 6}, c:toHost("float32"):totable())
      assert.are.equal(s, s:script("return NESTED"))
      assert.is_nil(ll.activeSession)
    end)
  end)

  describe("the node's fields", function()
    it("gridShape, gridX and pushConstants are settable; the others are not", function()
      local node = s:createComputeNode{program = add, localShape = {32, 1, 1}}
      node:configureGridShape(ll.vec3ui.new(100, 1, 1))
      assert.are.same({4, 1, 1}, {table.unpack(node.gridShape)})
      node.gridShape = {5, 6, 7}
      assert.are.same({5, 6, 7}, {node.gridX, node.gridY, node.gridZ})
      node.gridX = 9
      assert.are.equal(9, node.gridShape.x)
      assert.are.equal(9, node.descriptor.gridShape.x)
      support.raises("maxComputeWorkGroupCount", function() node.gridY = 0xffffffff end)
      node.pushConstants = pc_of(2, 3)
      assert.are.equal(8, node.pushConstants.size)
      node.pushConstants = string.pack("<fI4", 1, 2)
      assert.are.equal(string.pack("<fI4", 1, 2), node.pushConstants.bytes)
      node.pushConstants = ll.ndarray.fromTable({7, 8}, "int32")
      assert.are.equal(string.pack("<i4i4", 7, 8), node.pushConstants.bytes)
      assert.are.equal(string.pack("<i4i4", 7, 8), node.descriptor.pushConstants.bytes)
      support.raises("larger than the shader's push-constant block", function()
        node.pushConstants = string.rep("x", 16)
      end)
      support.raises("pushConstants must be an ll.PushConstants", function()
        node.pushConstants = 42
      end)
      support.raises("ComputeNode field 'localShape' is read-only", function()
        node.localShape = {1, 1, 1}
      end)
    end)

    it("setParameter and getParameter act on the node's copy of the descriptor", function()
      local d = ll.ComputeNodeDescriptor.new()
      d.program, d.functionName = add, "main"
      local node = s:createComputeNode{program = add, parameters = {k = 1}}
      node:setParameter("k", 3)
      node:setParameter("name", "x")
      assert.are.equal(3.0, node:getParameter("k"))
      assert.are.equal("x", node.descriptor:getParameter("name"))
      support.raises("no parameter 'nope'", node.getParameter, node, "nope")
      assert.is_nil(d.parameters.k)
    end)
  end)

  describe("session:run and node:run", function()
    it("runs several nodes in order in one submission, with a barrier between them", function()
      local first, a, b, c = add_node(64)     -- c = a + b
      local second = s:createComputeNode{program = add, ports = add_ports(),
        localShape = {32, 1, 1}}
      second:bind("in_a", c)
      second:bind("in_b", c)
      second:bind("out_c", a)                 -- a = 2 c
      second.pushConstants = pc_of(1, 64)
      second:configureGridShape({64, 1, 1})
      second:init()
      s:run(first, second)
      assert.are.equal(2 * (64 + 640), a:toHost("float32")[64])
      support.raises("bad argument #2 to 'run' (a ComputeNode or a ContainerNode expected",
        s.run, s, first, 42)
      support.raises("a node or a CommandBuffer expected, got none", s.run, s)
    end)

    it("refuses an unbound port, a released object and a zero grid, naming them", function()
      local node = s:createComputeNode{program = add, ports = add_ports()}
      node:init()
      support.raises("bad argument #1 to 'run' (port 'in_a' (binding 0) is not bound)",
        function() node:run() end)
      local a = mem:createBuffer(16)
      node:bind("in_a", a)
      node:bind("in_b", mem:createBuffer(16))
      node:bind("out_c", mem:createBuffer(16))
      node.gridX = 0
      support.raises("gridShape has gridX = 0", node.run, node)
      node.gridX = 1
      node:run()
      a:release()
      support.raises("port 'in_a': the Buffer bound to it has been released", node.run, node)
      support.raises("has been released", s.run, s, node)
      local cb = s:createCommandBuffer()
      cb:begin()
      support.raises("port 'in_a': the Buffer bound to it has been released", cb.run, cb, node)
      node:bind("in_a", mem:createBuffer(16))
      node:bind("in_b", mem:createBuffer(16))
      cb:run(node)
      cb:ends()
      s:run(cb)
    end)

    it("refuses a node recorded or run before init", function()
      local node = s:createComputeNode{program = add}
      support.raises("the node is not initialized: call init() before recording or running it",
        node.run, node)
      local cb = s:createCommandBuffer()
      cb:begin()
      support.raises("the node is not initialized", cb.run, cb, node)
    end)

    it("runs an image node: storage images in General", function()
      local node = s:compileComputeNode{glsl = INVERT, localShape = {8, 8, 1}}
      local h, w = 21, 37
      local arr = ll.ndarray({h, w}, "uint8")
      for i = 1, #arr do arr[i] = (i * 7) % 256 end
      local img = imem:createImageFromHost(arr)
      local out = imem:createImage({h, w})
      node:bind("in_image", img:createImageView())
      node:bind("out_image", out:createImageView())
      node:configureGridShape({w, h, 1})
      node:init()
      img:changeLayout("TransferSrcOptimal") -- the dispatch moves it back to General
      node:run()
      assert.are.equal("General", img.layout)
      local back = out:toHost()
      local wrong = 0
      for i = 1, #arr do if back[i] ~= 255 - arr[i] then wrong = wrong + 1 end end
      assert.are.equal(0, wrong)
    end)
  end)

  -- Registers in s a container builder `name` whose descriptor gets `more` (Lua, with `d`
  -- the descriptor) and whose onNodeInit and onNodeRecord(node, cb) run `init`, `record`.
  local function container_builder(name, more, init, record)
    s:script(([[
      local c = ll.class(ll.ContainerNodeBuilder)
      c.name = %q
      function c.newDescriptor()
        local d = ll.ContainerNodeDescriptor.new()
        d.builderName = c.name
        %s
        return d
      end
      function c.onNodeInit(node) %s end
      function c.onNodeRecord(node, cb) %s end
      ll.registerNodeBuilder(c)
    ]]):format(name, more or "", init or "", record or ""))
  end

  describe("container nodes", function()
    it("bind anything, keep their children alive, and record through onNodeRecord", function()
      s:setProgram("spec/Child.comp", add)
      container_builder("spec/Twice", [[
        d:addPort(ll.PortDescriptor.new(0, "in_a", ll.PortDirection.In, ll.PortType.Buffer))
      ]], [[
        local a = node:getPort("in_a")
        for _, name in ipairs({"first", "second"}) do
          local child = ll.createComputeNode{program = ll.getProgram("spec/Child.comp"),
            localShape = {32, 1, 1}}
          child:bind("in_a", a)
          child:bind("in_b", a)
          child:bind("out_c", a)
          local pc = ll.PushConstants.new()
          pc:pushFloat(1)
          pc:pushInt32(a.size // 4)
          child.pushConstants = pc
          child:configureGridShape({a.size // 4, 1, 1})
          child:init()
          node:bindNode(name, child)
        end
      ]], [[
        RECORDING = ll.activeSession
        cb:run(node:getNode("first"))
        cb:memoryBarrier()
        cb:run(node:getNode("second"))
      ]])
      local node = s:createContainerNode("spec/Twice")
      assert.are.equal("lluvia.ContainerNode", getmetatable(node))
      assert.are.equal("Container", node.type)
      assert.are.equal("in_a", node.ports[1].name)
      local a = mem:createBufferFromHost(floats({1, 2, 3}))
      node:bind("in_a", a)
      node:bind("anything", 42)
      assert.are.equal(42, node:getPort("anything"))
      support.raises("the node is not initialized", node.run, node)
      node:init()
      collectgarbage()
      collectgarbage()
      assert.are.equal("lluvia.ComputeNode", getmetatable(node:getNode("first")))
      node:run()                            -- a = 4 a
      assert.are.same({4, 8, 12}, a:toHost("float32"):totable())
      assert.are.equal(s, s:script("return RECORDING"))
      s:run(node, node:getNode("first"))    -- a = 4 a, then 2 a
      assert.are.same({32, 64, 96}, a:toHost("float32"):totable())
      support.raises("no node named 'third'", node.getNode, node, "third")
      support.raises("a ComputeNode or a ContainerNode expected", node.bindNode, node, "x", 1)
      node:release()
      support.raises("ContainerNode has been released", node.run, node)
    end)

    it("an error in onNodeRecord aborts the command buffer: nothing half-recorded", function()
      container_builder("spec/BadRecord", nil, nil, [[
        cb:memoryBarrier()
        error("spec: recording failed")
      ]])
      local node = s:createContainerNode("spec/BadRecord")
      node:init()
      local cb = s:createCommandBuffer()
      cb:begin()
      local msg = support.raises("spec: recording failed", cb.run, cb, node)
      assert.truthy(msg:find("stack traceback", 1, true))
      assert.is_false(cb.isRecording)
      support.raises("ends needs a command buffer being recorded", cb.ends, cb)
      support.raises("spec: recording failed", node.run, node)
      assert.is_nil(ll.activeSession)
      cb:begin()
      cb:memoryBarrier()
      cb:ends()
      s:run(cb)
    end)
  end)

  describe("docs/compute.md's example", function()
    it("runs in the host and prints the result", function()
      local f = assert(io.open("docs/compute.md"))
      local text = f:read("a")
      f:close()
      local example = text:match("### Writing a node: a complete example.-```lua\n(.-)```")
      assert.truthy(example, "the example is in docs/compute.md")
      local out, err, code = support.run_host({"-"}, example, {LLUVIA_ENABLE_DEBUG = "1"})
      assert.are.equal(0, code, err)
      assert.are.equal("10.0 20.0 30.0 40.0\n", out)
      assert.are.equal("", err)
    end)
  end)

  describe("collection", function()
    it("collects nodes, buffers, programs and command buffers in any order", function()
      for order = 1, 3 do
        local s2 = ll.createSession{enableDebug = true}
        local m2 = s2:createMemory({"HostVisible"})
        local p2 = s2:compileProgram(ADD)
        local node = s2:createComputeNode{program = p2}
        local buf = m2:createBuffer(16)
        node:bind("in_a", buf)
        node:bind("in_b", buf)
        node:bind("out_c", buf)
        node:init()
        local cb = s2:createCommandBuffer()
        cb:begin()
        cb:run(node)
        cb:ends()
        local objects = {s2, m2, p2, node, buf, cb}
        if order == 2 then for _, o in ipairs(objects) do o:release() end end
        if order == 3 then for i = #objects, 1, -1 do objects[i]:release() end end
        s2, m2, p2, node, buf, cb, objects = nil, nil, nil, nil, nil, nil, nil
        collectgarbage()
        collectgarbage()
      end
    end)
  end)
end)

describe("node.program", function()
  support.no_validation_messages()
  -- c[i] = a[i] - b[i]: ADD's layout, another body.
  local SUB = ADD:gsub("pc%.scale %* %(a%[i%] %+ b%[i%]%)", "a[i] - b[i]")

  it("is replaced before init by a program of the same layout, which then runs", function()
    local s = support.session()
    local mem = s:getHostMemory()
    local node = s:compileComputeNode{glsl = ADD, localShape = {4, 1, 1}}
    local sub = s:compileProgram(SUB)
    node.program = sub
    assert.are.equal(sub, node.program)
    local a = mem:createBuffer(16)
    local b = mem:createBuffer(16)
    local c = mem:createBuffer(16)
    a:fromHost(ll.ndarray({4}, "float32", {5, 6, 7, 8}))
    b:fromHost(ll.ndarray({4}, "float32", {1, 1, 2, 2}))
    node:bind("in_a", a)
    node:bind("in_b", b)
    node:bind("out_c", c)
    local pc = ll.PushConstants.new()
    pc:pushFloat(3)
    pc:pushInt32(4)
    node.pushConstants = pc
    node:init()
    node:run()
    support.same_array(ll.ndarray({4}, "float32", {4, 5, 5, 6}), c:toHost("float32"))
  end)

  it("refuses another layout, a non-program, and any change after init", function()
    local s = support.session()
    local node = s:compileComputeNode{glsl = ADD}
    local other = s:compileProgram([[
#version 450
#include <lluvia/core.glsl>
layout(binding = 0) buffer in_a { float a[]; };
layout(push_constant) uniform PC { float scale; uint count; } pc;
void main() { a[0] = pc.scale; }
]])
    support.raises("ComputeNode.program: the program has 1 bindings, the node 3 ports",
      function() node.program = other end)
    support.raises("Program", function() node.program = 42 end)
    local program = node.program
    node:bind("in_a", s:getHostMemory():createBuffer(16))
    node:bind("in_b", s:getHostMemory():createBuffer(16))
    node:bind("out_c", s:getHostMemory():createBuffer(16))
    node:init()
    support.raises("cannot change", function() node.program = s:compileProgram(SUB) end)
    assert.are.equal(program, node.program)
  end)
end)
