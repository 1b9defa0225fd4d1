-- command_buffer_spec.lua: API.md "Nodes", session:createCommandBuffer: begin, ends/finish,
-- run(node), memoryBarrier, changeImageLayout, clearImage, copyBufferToImage,
-- copyImageToImage, copyBuffer, timestamp, timestamps, submitted by session:run(cb) any
-- number of times; and the refusals: commands outside a recording, objects of another
-- session, buffers that no longer match what they were recorded for.
local ll = require "lluvia"
local support = require "support"

-- out[i] = in[i] + 1
local INC = [[
#version 450
#include <lluvia/core.glsl>
layout(binding = 0) buffer in_v { float v[]; };
void main() { v[LL_GLOBAL_COORDS_1D] += 1.0; }
]]

describe("command buffers", function()
  support.no_validation_messages()
  local s, mem, inc, imem -- imem: the images' Memory

  setup(function()
    s, mem, inc = support.compute_session(INC)
    imem = support.image_memory(s)
  end)

  local function inc_node(buffer)
    local node = s:createComputeNode{program = inc, localShape = {4, 1, 1}}
    node:bind("in_v", buffer)
    node:configureGridShape({buffer.size // 4, 1, 1})
    node:init()
    return node
  end

  it("records once and runs many times", function()
    local v = mem:createBufferFromHost(ll.ndarray.fromTable({1, 2, 3, 4}, "float32"))
    local node = inc_node(v)
    local cb = s:createCommandBuffer()
    assert.are.equal("lluvia.CommandBuffer", getmetatable(cb))
    assert.is_false(cb.isRecording)
    cb:begin()
    assert.is_true(cb.isRecording)
    cb:run(node)
    cb:memoryBarrier()
    cb:run(node)
    cb:ends()
    for _ = 1, 3 do s:run(cb) end
    assert.are.same({7, 8, 9, 10}, v:toHost("float32"):totable())
    cb:begin()          -- recorded again: what was recorded before is dropped
    cb:run(node)
    cb:finish()
    ll.activeSession = s -- ll.runCommandBuffer acts on the active session
    ll.runCommandBuffer(cb)
    ll.activeSession = nil
    assert.are.same({8, 9, 10, 11}, v:toHost("float32"):totable())
    assert.truthy(tostring(cb):find("lluvia.CommandBuffer(", 1, true))
  end)

  it("copies buffers and images, clears and changes layouts", function()
    local bytes = ll.ndarray({3, 5}, "uint8")
    for i = 1, #bytes do bytes[i] = i end
    local src = mem:createBufferFromHost(bytes)
    local a = imem:createImage({3, 5})
    local b = imem:createImage({3, 5})
    local copy = mem:createBuffer(src.size)
    local cb = s:createCommandBuffer()
    cb:begin()
    cb:copyBuffer(src, copy)
    cb:copyBufferToImage(src, a)
    cb:copyImageToImage(a, b:createImageView())
    cb:clearImage(a:createImageView())
    cb:changeImageLayout(b, ll.ImageLayout.ShaderReadOnlyOptimal)
    cb:ends()
    s:run(cb)
    assert.are.equal("ShaderReadOnlyOptimal", b.layout)
    assert.are.equal("General", a.layout)
    assert.are.same(bytes:totable(), b:toHost():totable())
    assert.are.equal(0, a:toHost()[15])
    assert.are.equal(bytes:tostring(), copy:toHost():tostring())
  end)

  it("refuses commands outside a recording and submits of unfinished buffers", function()
    local cb = s:createCommandBuffer()
    local v = mem:createBuffer(16)
    support.raises("memoryBarrier needs a command buffer being recorded: call begin() first",
      cb.memoryBarrier, cb)
    support.raises("ends needs a command buffer being recorded", cb.ends, cb)
    support.raises("has not been recorded", s.run, s, cb)
    cb:begin()
    support.raises("being recorded already", cb.begin, cb)
    support.raises("the command buffer is being recorded: call ends()", s.run, s, cb)
    support.raises("bad argument #1 to 'run' (a ComputeNode or a ContainerNode expected, got 42)",
      function() cb:run(42) end)
    support.raises("copyBuffer needs a destination of at least 16 bytes, got 4",
      cb.copyBuffer, cb, v, mem:createBuffer(4))
    support.raises("bad argument #2 to 'changeImageLayout'", function()
      cb:changeImageLayout(imem:createImage({2, 2}), "Undefined")
    end)
    support.raises("bad argument #1 to 'clearImage' (an Image or an ImageView expected, got 42)",
      function() cb:clearImage(42) end)
    support.raises("copyBufferToImage needs a buffer of at least 16 bytes", function()
      cb:copyBufferToImage(mem:createBuffer(4), imem:createImage({4, 4}))
    end)
    cb:ends()
    s:run(cb)
  end)

  it("refuses a buffer whose node was bound again, or whose image moved", function()
    local v = mem:createBuffer(16)
    local node = inc_node(v)
    local cb = s:createCommandBuffer()
    cb:begin()
    cb:run(node)
    cb:ends()
    s:run(cb)
    node:bind("in_v", mem:createBuffer(16))
    support.raises("was bound again after it was recorded: record the command buffer again",
      s.run, s, cb)
    local img = imem:createImage({2, 2})
    cb:begin()
    cb:clearImage(img)
    cb:ends()
    img:changeLayout("TransferSrcOptimal")
    support.raises("recorded for an image in layout General, which is in layout " ..
      "TransferSrcOptimal now", s.run, s, cb)
  end)

  it("refuses objects and nodes of another session", function()
    local other = ll.createSession{enableDebug = true}
    local om = other:createMemory({"HostVisible"})
    local cb = s:createCommandBuffer()
    cb:begin()
    support.raises("another session", cb.clearImage, cb,
      support.image_memory(other):createImage({2, 2}))
    local onode = other:createComputeNode{program = other:compileProgram(INC)}
    onode:bind("in_v", om:createBuffer(16))
    onode:init()
    support.raises("another session", cb.run, cb, onode)
    cb:ends()
    s:run(cb)
  end)

  it("keeps what it recorded alive", function()
    local v = mem:createBufferFromHost(ll.ndarray.fromTable({1, 2, 3, 4}, "float32"))
    local cb = s:createCommandBuffer()
    cb:begin()
    do
      local node = inc_node(v)
      cb:run(node)
      local img = imem:createImage({2, 2})
      cb:clearImage(img)
    end
    cb:ends()
    collectgarbage()
    collectgarbage()
    s:run(cb)
    assert.are.same({2, 3, 4, 5}, v:toHost("float32"):totable())
  end)

  it("writes timestamps between commands and reads them after a run, in nanoseconds", function()
    local v = mem:createBufferFromHost(ll.ndarray.fromTable({1, 2, 3, 4}, "float32"))
    local node = inc_node(v)
    local cb = s:createCommandBuffer()
    cb:begin()
    assert.are.equal(1, cb:timestamp())
    cb:run(node)
    assert.are.equal(2, cb:timestamp())
    cb:memoryBarrier()
    cb:run(node)
    assert.are.equal(3, cb:timestamp())
    cb:ends()
    support.raises("timestamps are read after it ran", cb.timestamps, cb)
    for _ = 1, 2 do
      s:run(cb)
      local t = cb:timestamps()
      assert.are.equal(3, #t)
      assert.are.equal(0, t[1])
      assert.is_true(t[2] >= t[1] and t[3] >= t[2], "timestamps in order")
    end
    assert.are.same({5, 6, 7, 8}, v:toHost("float32"):totable())
    cb:begin()          -- a new recording has no timestamps until it runs
    support.raises("timestamps are read after it ran", cb.timestamps, cb)
    cb:run(node)
    cb:ends()
    s:run(cb)
    assert.are.same({}, cb:timestamps())
  end)

  it("refuses a timestamp outside a recording and past 256 of them", function()
    local cb = s:createCommandBuffer()
    support.raises("timestamp needs a command buffer being recorded", cb.timestamp, cb)
    cb:begin()
    for i = 1, 256 do assert.are.equal(i, cb:timestamp()) end
    support.raises("a command buffer holds at most 256 timestamps", cb.timestamp, cb)
    cb:ends()
    s:run(cb)
    assert.are.equal(256, #cb:timestamps())
  end)
end)
