-- node_library_spec.lua: the built-in node library (docs/nodes.md) as ll.createSession
-- loads it: programs under their paths, builders with docs whose ports match their
-- shaders, loadNodeLibrary = false, and lluvia-lua --list-nodes. Each node's own results
-- are checked by spec/nodes_*_spec.lua.
local ll = require "lluvia"
local support = require "support"

-- The built-in builders a session sees, name -> builder.
local function builtins(s)
  local out = {}
  for _, d in ipairs(s:getNodeBuilderDescriptors()) do
    if d.name:find("^lluvia/") then out[d.name] = s:getNodeBuilder(d.name) end
  end
  return out
end

describe("the built-in node library", function()
  support.no_validation_messages()

  it("registers each program under its path, as loadLibrary does", function()
    local s = support.session()
    local p = s:getProgram("lluvia/color/RGBA2Gray.comp")
    assert.are.equal("lluvia.Program", getmetatable(p))
    local names = {}
    for _, b in ipairs(p.bindings) do names[b.binding + 1] = b.name end
    assert.are.same({"in_rgba", "out_gray"}, names)
  end)

  it("registers each builder, documented", function()
    local s = support.session()
    local all = builtins(s)
    assert.is_truthy(all["lluvia/color/RGBA2Gray"])
    for name, b in pairs(all) do
      assert.is_truthy(b.doc:match("^[^\n]+"), name .. " has no one-line summary")
      assert.are.equal(b.doc, s:help(name))
    end
  end)

  it("gives each compute node a program whose bindings are its ports, each in its doc", function()
    local s = support.session()
    for name, b in pairs(builtins(s)) do
      if b.type == "Compute" then
        local desc = ll._withSession(s, b.newDescriptor)
        assert.are.equal(s:getProgram(name .. ".comp"), desc.program, name)
        local ports, bindings = {}, {}
        for _, port in ipairs(desc.ports) do
          ports[port.binding + 1] = port.name
          assert.is_truthy(b.doc:find(port.name, 1, true), name .. " does not document " .. port.name)
        end
        for _, binding in ipairs(desc.program.bindings) do bindings[binding.binding + 1] = binding.name end
        assert.are.same(bindings, ports, name)
      end
    end
  end)

  it("is not loaded with loadNodeLibrary = false", function()
    local s <close> = ll.createSession({enableDebug = true, loadNodeLibrary = false})
    assert.is_nil(s:getProgram("lluvia/color/RGBA2Gray.comp"))
    assert.is_nil(s:getNodeBuilder("lluvia/color/RGBA2Gray"))
    assert.are.same({}, builtins(s))
  end)

  it("is loaded with loadNodeLibrary = true, and each session has its own", function()
    local s <close> = ll.createSession({enableDebug = true, loadNodeLibrary = true})
    local p = s:getProgram("lluvia/color/RGBA2Gray.comp")
    assert.is_truthy(p)
    assert.are_not.equal(support.session():getProgram("lluvia/color/RGBA2Gray.comp"), p)
  end)

  it("gives each session builders of its own, from the same compiled scripts", function()
    local a <close> = ll.createSession({enableDebug = true})
    local b <close> = ll.createSession({enableDebug = true})
    local ba, bb = a:getNodeBuilder("lluvia/color/RGBA2Gray"), b:getNodeBuilder("lluvia/color/RGBA2Gray")
    assert.are_not.equal(ba, bb)
    ba.doc = "changed in a"
    assert.are_not.equal("changed in a", b:help("lluvia/color/RGBA2Gray"))
    assert.are.equal(support.session():help("lluvia/color/RGBA2Gray"), b:help("lluvia/color/RGBA2Gray"))
  end)

  it("refuses a loadNodeLibrary that is not a boolean", function()
    support.raises("loadNodeLibrary", ll.createSession, {loadNodeLibrary = "yes"})
  end)
end)

describe("lluvia-lua --list-nodes", function()
  it("lists every built-in node with its type and summary, and exits", function()
    local out, err, code = support.run_host({"--list-nodes", "-e", "print('not run')"})
    assert.are.equal(0, code, err)
    local s = support.session()
    local lines = {}
    for _, d in ipairs(s:getNodeBuilderDescriptors()) do
      if d.name:find("^lluvia/") then
        lines[#lines + 1] = ("%s\t%s\t%s"):format(d.name, d.type, d.summary)
      end
    end
    assert.are.equal(table.concat(lines, "\n") .. "\n", out)
    assert.is_truthy(out:find("lluvia/color/RGBA2Gray\tCompute\tConverts", 1, true))
  end)
end)
