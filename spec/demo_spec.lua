-- demo_spec.lua: examples/demo.lua, the tour of the memory layer, runs to the end on the
-- default device, with the validation layer silent.
local support = require "support"

describe("examples/demo.lua", function()
  it("runs, prints every part of the tour, and raises no validation message", function()
    local out, err, code = support.run_host({"examples/demo.lua"}, nil,
      {LLUVIA_ENABLE_DEBUG = "1"})
    assert.are.equal(0, code, err)
    assert.are.equal("", err)
    for _, part in ipairs({"Vulkan devices:", "session:", "memory types:", "buffer:",
        "read back [1]=0.5 [1024]=512", "image: 640x480", "view: Nearest, sampled=true",
        "memory:", "ndarray(int32, {4}, {7, 0, 0, 42})"}) do
      assert.is_truthy(out:find(part, 1, true), part)
    end
  end)
end)
