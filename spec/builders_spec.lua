-- builders_spec.lua: API.md "Builders and libraries": ll.class, the builder base classes,
-- the registries (per session and module-wide), ll.activeSession and the ll.* globals,
-- ll.logd, session:script/scriptFile/help.
local ll = require "lluvia"
local support = require "support"

-- A fresh session: registries are per session, so tests that register do not share one.
local function fresh()
  return ll.createSession{enableDebug = true}
end

local tmpfile = support.tmpfile

-- A builder table of the given name, made as lluvia's scripts make theirs.
local function computeBuilder(name, doc)
  local b = ll.class(ll.ComputeNodeBuilder)
  b.name = name
  b.doc = doc
  function b.newDescriptor() return "descriptor of " .. name end
  return b
end

describe("ll.class", function()
  it("copies the base's members and points __index to itself", function()
    local base = {x = 1, f = function() return "f" end}
    local c = ll.class(base)
    assert.are.equal(1, c.x)
    assert.are.equal("f", c.f())
    assert.are.equal(c, c.__index)
    base.y = 2
    assert.is_nil(c.y) -- a copy, not a link (lluvia's semantics)
    local obj = setmetatable({}, c)
    assert.are.equal(1, obj.x)
  end)

  it("makes an empty class without a base", function()
    local c = ll.class()
    assert.are.equal(c, c.__index)
    assert.is_nil(next(c, "__index") ~= nil and next(c, "__index") or nil)
  end)

  it("refuses a base that is not a table", function()
    support.raises("bad argument #1 to 'class' (base must be a table or nil, got 42)",
      ll.class, 42)
  end)
end)

describe("ll.ComputeNodeBuilder and ll.ContainerNodeBuilder", function()
  it("have lluvia's defaults", function()
    assert.are.equal("Compute", ll.ComputeNodeBuilder.type)
    assert.are.equal("Container", ll.ContainerNodeBuilder.type)
    for _, B in ipairs({ll.ComputeNodeBuilder, ll.ContainerNodeBuilder}) do
      assert.are.equal("", B.doc)
      assert.are.equal("", B.name)
      assert.is_nil(B.onNodeInit({}))
      support.raises("newDescriptor must be implemented", B.newDescriptor)
    end
    assert.is_nil(ll.ContainerNodeBuilder.onNodeRecord({}, {}))
  end)

  it("are inherited through ll.class", function()
    local b = ll.class(ll.ContainerNodeBuilder)
    assert.are.equal("Container", b.type)
    assert.are.equal(ll.ContainerNodeBuilder.onNodeRecord, b.onNodeRecord)
  end)
end)

describe("ll.registerNodeBuilder", function()
  it("registers in the module outside any session, seen by every session", function()
    local b = computeBuilder("spec/ModuleWide", "Module wide.")
    assert.are.equal(b, ll.registerNodeBuilder(b))
    assert.are.equal(b, ll.getNodeBuilder("spec/ModuleWide"))
    assert.are.equal(b, ll.nodeBuilders["spec/ModuleWide"])
    local s <close> = fresh()
    assert.are.equal(b, s:getNodeBuilder("spec/ModuleWide"))
    assert.are.equal(b, ll._findNodeBuilder(s, "spec/ModuleWide"))
    ll.nodeBuilders["spec/ModuleWide"] = nil
    assert.is_nil(ll.nodeBuilders["spec/ModuleWide"])
  end)

  it("registers in the active session's registry, which no other session sees", function()
    local a <close> = fresh()
    local b <close> = fresh()
    local one, two = computeBuilder("spec/Same", "A's."), computeBuilder("spec/Same", "B's.")
    ll._withSession(a, ll.registerNodeBuilder, one)
    ll._withSession(b, ll.registerNodeBuilder, two)
    assert.are.equal(one, a:getNodeBuilder("spec/Same"))
    assert.are.equal(two, b:getNodeBuilder("spec/Same"))
    assert.are.equal("A's.", a:help("spec/Same"))
    assert.are.equal("B's.", b:help("spec/Same"))
    assert.is_nil(ll.nodeBuilders["spec/Same"]) -- not in the module's
    assert.are.equal(one, ll._withSession(a, ll.getNodeBuilder, "spec/Same"))
  end)

  it("lets a session's builder shadow a module-wide one of the same name", function()
    local global = ll.registerNodeBuilder(computeBuilder("spec/Shadow", "global"))
    local s <close> = fresh()
    local own = ll._withSession(s, ll.registerNodeBuilder, computeBuilder("spec/Shadow", "own"))
    assert.are.equal(own, s:getNodeBuilder("spec/Shadow"))
    assert.are.equal(global, ll.getNodeBuilder("spec/Shadow"))
    ll.nodeBuilders["spec/Shadow"] = nil
  end)

  it("replaces a builder registered again under its name", function()
    local s <close> = fresh()
    ll._withSession(s, ll.registerNodeBuilder, computeBuilder("spec/Again", "first"))
    ll._withSession(s, ll.registerNodeBuilder, computeBuilder("spec/Again", "second"))
    assert.are.equal("second", s:help("spec/Again"))
  end)

  it("refuses what is not a builder, saying why", function()
    support.raises("bad argument #1 to 'registerNodeBuilder' (builder must be a table, got nil)",
      ll.registerNodeBuilder)
    support.raises("(builder.name must be a non-empty string, got '')",
      ll.registerNodeBuilder, {name = "", type = "Compute", newDescriptor = print})
    support.raises("(builder.name must be a non-empty string, got 7)",
      ll.registerNodeBuilder, {name = 7})
    support.raises("builder 'x': type must be 'Compute' or 'Container' (ll.NodeType), got nil",
      ll.registerNodeBuilder, {name = "x", newDescriptor = print})
    support.raises("builder 'x': newDescriptor must be a function, got nil",
      ll.registerNodeBuilder, {name = "x", type = "Compute"})
    support.raises("builder 'x': onNodeInit must be a function, got 3",
      ll.registerNodeBuilder, {name = "x", type = "Compute", newDescriptor = print, onNodeInit = 3})
    support.raises("builder 'x': doc must be a string, got true",
      ll.registerNodeBuilder, {name = "x", type = "Compute", newDescriptor = print, doc = true})
    assert.is_nil(ll.nodeBuilders.x)
  end)
end)

describe("ll.getNodeBuilder", function()
  it("is an error for an unknown name and for a name that is not a string", function()
    support.raises("lluvia: no node builder named 'spec/Nothing'", ll.getNodeBuilder, "spec/Nothing")
    support.raises("bad argument #1 to 'getNodeBuilder' (name must be a string, got 3)",
      ll.getNodeBuilder, 3)
  end)
end)

describe("ll.nodeBuilders", function()
  it("registers by assignment and lists what the active session sees", function()
    local s <close> = fresh()
    local seen = s:script([[
      local b = ll.class(ll.ComputeNodeBuilder)
      b.name, b.newDescriptor = "spec/Assigned", function() end
      ll.nodeBuilders["spec/Assigned"] = b
      local seen = {}
      for name in pairs(ll.nodeBuilders) do seen[name] = true end
      return seen
    ]])
    assert.is_true(seen["spec/Assigned"])
    assert.is_nil(ll.nodeBuilders["spec/Assigned"])
    assert.is_truthy(s:getNodeBuilder("spec/Assigned"))
  end)

  it("refuses a builder under another name", function()
    support.raises("builder.name 'a' differs from the key 'b'", function()
      ll.nodeBuilders.b = computeBuilder("a", "")
    end)
  end)
end)

describe("ll.getNodeBuilderDescriptors", function()
  it("lists name, type and the first line of doc, sorted ignoring case", function()
    local s <close> = fresh()
    ll._withSession(s, function()
      ll.registerNodeBuilder(computeBuilder("spec/b", "Second.\nMore text."))
      ll.registerNodeBuilder(computeBuilder("spec/A", "First."))
      local c = ll.class(ll.ContainerNodeBuilder)
      c.name, c.doc = "spec/C", "\nstarts with a blank line"
      c.newDescriptor = function() end
      ll.registerNodeBuilder(c)
    end)
    local mine = {}
    for _, d in ipairs(s:getNodeBuilderDescriptors()) do
      if d.name:find("^spec/") then mine[#mine + 1] = d end
    end
    assert.are.same({
      {name = "spec/A", type = "Compute", summary = "First."},
      {name = "spec/b", type = "Compute", summary = "Second."},
      {name = "spec/C", type = "Container", summary = ""},
    }, mine)
    assert.are.same(mine, (function()
      local out = {}
      for _, d in ipairs(ll._withSession(s, ll.getNodeBuilderDescriptors)) do
        if d.name:find("^spec/") then out[#out + 1] = d end
      end
      return out
    end)())
  end)
end)

describe("ll.activeSession", function()
  it("is nil outside any session, and the session inside _withSession", function()
    local s <close> = fresh()
    assert.is_nil(ll.activeSession)
    assert.are.equal(s, ll._withSession(s, function() return ll.activeSession end))
    assert.is_nil(ll.activeSession)
  end)

  it("nests, and is put back after an error", function()
    local a <close> = fresh()
    local b <close> = fresh()
    ll._withSession(a, function()
      local ok, err = pcall(ll._withSession, b, function()
        assert.are.equal(b, ll.activeSession)
        error("inner failure")
      end)
      assert.is_false(ok)
      assert.is_truthy(err:find("inner failure", 1, true))
      assert.is_truthy(err:find("stack traceback:", 1, true))
      assert.are.equal(a, ll.activeSession)
    end)
    assert.is_nil(ll.activeSession)
  end)

  it("passes results and non-string errors through", function()
    local s <close> = fresh()
    assert.are.same({1, nil, 3}, {ll._withSession(s, function(x, y, z) return x, y, z end, 1, nil, 3)})
    local e = {}
    local ok, got = pcall(ll._withSession, s, function() error(e) end)
    assert.is_false(ok)
    assert.are.equal(e, got)
  end)

  it("is refused as nil", function()
    support.raises("bad argument #1 to '_withSession' (Session expected, got nil)",
      ll._withSession, nil, print)
  end)
end)

describe("the ll.* globals of builder scripts", function()
  local names = {"getProgram", "createComputeNode", "createContainerNode",
    "createCommandBuffer", "getHostMemory", "getDeviceMemory", "run", "runCommandBuffer",
    "getGoodComputeLocalShape"}

  it("are a clear error outside any session", function()
    for _, name in ipairs(names) do
      support.raises(("lluvia: ll.%s needs an active session"):format(name), ll[name], "x")
    end
  end)

  it("act on the active session", function()
    local s <close> = fresh()
    local other <close> = fresh()
    s:setProgram("spec/p.comp", s:compileProgram("#version 450\nvoid main() {}\n"))
    s:script([[
      local b = ll.class(ll.ContainerNodeBuilder)
      b.name = 'spec/Box'
      function b.newDescriptor()
        local d = ll.ContainerNodeDescriptor.new()
        d.builderName = b.name
        return d
      end
      ll.registerNodeBuilder(b)
    ]])
    ll._withSession(s, function()
      assert.are.equal(s:getProgram("spec/p.comp"), ll.getProgram("spec/p.comp"))
      assert.is_nil(ll.getProgram("spec/none.comp"))
      assert.are.equal(s:getHostMemory(), ll.getHostMemory())
      assert.are.equal(s:getDeviceMemory(), ll.getDeviceMemory())
      assert.are_not.equal(other:getDeviceMemory(), ll.getDeviceMemory())
      assert.are.same(s:getGoodComputeLocalShape("D2"), ll.getGoodComputeLocalShape("D2"))
      local box = ll.createContainerNode("spec/Box")
      assert.are.equal("spec/Box", box.descriptor.builderName)
      local cb = ll.createCommandBuffer()
      cb:begin()
      cb:memoryBarrier()
      cb:ends()
      ll.runCommandBuffer(cb)
    end)
    -- ll.createComputeNode and ll.run: "builders running nodes" below.
    ll._withSession(other, function()
      support.raises("no node builder named 'spec/Box'", ll.createContainerNode, "spec/Box")
    end)
  end)

  it("refuses an active session that is not a Session", function()
    ll.activeSession = {}
    local ok, err = pcall(ll.getProgram, "x")
    ll.activeSession = nil
    assert.is_false(ok)
    assert.is_truthy(err:find("lluvia: ll.getProgram: ll.activeSession must be a Session, got table", 1, true))
    support.raises("bad argument #1 to '_withSession' (Session expected, got 3)",
      ll._withSession, 3, print)
  end)
end)

describe("ll.floatPrecisionToImageChannelType", function()
  it("maps FP16, FP32 and FP64 to Float16, Float32 and Float64", function()
    assert.are.equal("Float16", ll.floatPrecisionToImageChannelType(0))
    assert.are.equal("Float32", ll.floatPrecisionToImageChannelType(1))
    assert.are.equal("Float64", ll.floatPrecisionToImageChannelType(2.0))
    assert.are.equal("Float32", ll.floatPrecisionToImageChannelType("FP32"))
  end)

  it("refuses anything else", function()
    for _, v in ipairs({3, -1, 1.5, "Float32", true}) do
      support.raises("floatPrecision must be ll.FloatPrecision.FP16, FP32 or FP64",
        ll.floatPrecisionToImageChannelType, v)
    end
  end)
end)

describe("ll.logd", function()
  -- What the host writes to stderr for one ll.logd call under LLUVIA_LOG=level.
  local function logged(level)
    local script = "require('lluvia').logd('tag', 1, nil, true) io.stdout:write('done')"
    local out, err, code = support.run_host({"-e", script}, nil, {LLUVIA_LOG = level})
    assert.are.equal(0, code)
    assert.are.equal("done", out)
    return err
  end

  it("is silent by default", function()
    assert.are.equal("", logged(""))
    assert.are.equal("", logged("info"))
  end)

  it("writes its arguments to stderr with LLUVIA_LOG=debug", function()
    assert.are.equal("lluvia: debug: tag\t1\tnil\ttrue\n", logged("Debug"))
  end)
end)

describe("session:script", function()
  support.no_validation_messages()

  it("runs a builder script with ll and the session active, as lluvia's scripts expect", function()
    local s <close> = fresh()
    local seen = s:script([[
      local builder = ll.class(ll.ComputeNodeBuilder)
      builder.name = 'spec/Scripted'
      builder.doc = 'Scripted.'
      function builder.newDescriptor() return 'd' end
      ll.registerNodeBuilder(builder)
      return ll.activeSession, select('#', ...)
    ]])
    assert.are.equal(s, seen)
    assert.is_nil(ll.activeSession)
    assert.are.equal("Scripted.", s:help("spec/Scripted"))
    assert.is_nil(ll.nodeBuilders["spec/Scripted"])
  end)

  it("gives each session its own globals, falling back to the real ones", function()
    local a <close> = fresh()
    local b <close> = fresh()
    a:script("specGlobal = 'a'")
    b:script("specGlobal = 'b'")
    assert.is_nil(rawget(_G, "specGlobal"))
    assert.are.equal("a", a:script("return specGlobal"))
    assert.are.equal("b", b:script("return specGlobal"))
    assert.are.equal(string.format, a:script("return string.format"))
    assert.are.equal(ll, a:script("return ll"))
  end)

  it("reports syntax errors and errors of the script, leaving no session active", function()
    local s <close> = fresh()
    support.raises("lluvia: [string \"spec\"]:1:", s.script, s, "local = 1", "spec")
    local msg = support.raises("(script):1: boom", s.script, s, "error('boom')")
    assert.is_truthy(msg:find("stack traceback:", 1, true))
    assert.is_nil(ll.activeSession)
  end)

  it("checks its arguments", function()
    local s <close> = fresh()
    support.raises("calling 'script' on bad self (Session expected, got 'x')", s.script, "x", "")
    support.raises("bad argument #1 to 'script' (code must be a string, got nil)", s.script, s)
    support.raises("bad argument #2 to 'script' (chunkname must be a string, got 1)",
      s.script, s, "", 1)
    support.raises("lluvia: Session has been released", function()
      local r = fresh()
      r:release()
      r:script("return 1")
    end)
  end)
end)

describe("session:scriptFile", function()
  it("runs a file as a builder script, naming it in errors", function()
    local s <close> = fresh()
    local path = tmpfile("local b = ll.class(ll.ContainerNodeBuilder)\n"
      .. "b.name = 'spec/FromFile'\nb.doc = 'From a file.'\n"
      .. "function b.newDescriptor() end\nll.registerNodeBuilder(b)\nreturn 'ok'\n")
    assert.are.equal("ok", s:scriptFile(path))
    assert.are.equal("Container", s:getNodeBuilder("spec/FromFile").type)
    os.remove(path)
    local bad = tmpfile("\n\nerror('line three')\n")
    support.raises(bad .. ":3: line three", s.scriptFile, s, bad)
    os.remove(bad)
  end)

  it("is a clear error for a missing file", function()
    local s <close> = fresh()
    support.raises("lluvia: cannot open builder script: /nonexistent/x.lua: No such file",
      s.scriptFile, s, "/nonexistent/x.lua")
    support.raises("bad argument #1 to 'scriptFile' (path must be a string, got nil)",
      s.scriptFile, s)
  end)
end)

describe("session:help", function()
  it("returns a builder's doc, and is an error for an unknown name", function()
    local s <close> = fresh()
    s:script("local b = ll.class(ll.ComputeNodeBuilder) b.name = 'spec/Help' "
      .. "b.doc = 'Line one.\\nLine two.' function b.newDescriptor() end ll.registerNodeBuilder(b)")
    assert.are.equal("Line one.\nLine two.", s:help("spec/Help"))
    support.raises("lluvia: no node builder named 'spec/None'", s.help, s, "spec/None")
    support.raises("bad argument #1 to 'help' (name must be a string, got nil)", s.help, s)
  end)
end)

describe("ll.fromBase64", function()
  it("decodes RFC 4648's test vectors to a uint8 ndarray with size()", function()
    local vectors = {["Zg=="] = "f", ["Zm8="] = "fo", Zm9v = "foo", ["Zm9vYg=="] = "foob",
      ["Zm9vYmE="] = "fooba", Zm9vYmFy = "foobar", ["+/+/"] = "\xfb\xff\xbf"}
    for text, bytes in pairs(vectors) do
      local v = ll.fromBase64(text)
      assert.are.equal("uint8", v.dtype)
      assert.are.same({#bytes}, v.shape)
      assert.are.equal(#bytes, v:size())
      assert.are.equal(bytes, v:tostring())
    end
  end)

  it("refuses text that is not canonical base64, naming the offset", function()
    local cases = {
      ["Zm9"] = "length must be a multiple of 4, got 3 characters",
      ["Zm9v!A=="] = "character '!' at offset 4",
      ["Zm9v\nZm9v"] = "length must be a multiple of 4",
      ["Zm\n9"] = "byte 0x0a at offset 2",
      ["Zg==Zg=="] = "padding '=' at offset 2 before the end",
      ["Zh=="] = "bits set after the last byte at offset 1",
      ["Zm-_"] = "character '-' at offset 2",
      [""] = "base64 text is empty",
    }
    for text, fragment in pairs(cases) do
      support.raises("bad argument #1 to", ll.fromBase64, text)
      support.raises(fragment, ll.fromBase64, text)
    end
    support.raises("bad argument #1", ll.fromBase64, {})
  end)
end)

describe("buffer:mapAndSetFromVectorUint8", function()
  support.no_validation_messages()

  it("writes bytes at the start of a buffer, mappable or not", function()
    local s = support.session()
    for _, flags in ipairs({{"HostVisible", "HostCoherent"}, {"DeviceLocal"}}) do
      local b = s:createMemory(flags):createBuffer(8)
      b:fromHost(("\0"):rep(8))
      b:mapAndSetFromVectorUint8(ll.fromBase64("Zm9vYmFy"))
      assert.are.equal("foobar\0\0", b:toHost():tostring())
      b:mapAndSetFromVectorUint8("xy")
      b:mapAndSetFromVectorUint8({65})
      assert.are.equal("Ayobar\0\0", b:toHost():tostring())
    end
  end)

  it("refuses more bytes than the buffer holds, leaving it as it was", function()
    local b = support.session():createMemory({"HostVisible"}):createBuffer(4)
    b:fromHost("abcd")
    support.raises("(5 bytes do not fit in a buffer of 4 bytes)",
      b.mapAndSetFromVectorUint8, b, "12345")
    support.raises("out of range for uint8", b.mapAndSetFromVectorUint8, b, {1, 256})
    assert.are.equal("abcd", b:toHost():tostring())
    b:release()
    support.raises("Buffer has been released", b.mapAndSetFromVectorUint8, b, "1")
  end)
end)

describe("session:loadLibrary", function()
  support.no_validation_messages()

  local function builderScript(name, doc)
    return ("local b = ll.class(ll.ComputeNodeBuilder)\nb.name = %q\nb.doc = %q\n"
      .. "function b.newDescriptor() return ll.activeSession end\nll.registerNodeBuilder(b)\n")
      :format(name, doc)
  end

  -- A folder tree of {relative path = contents}; returns its root.
  local function folder(files)
    local root = support.tmpdir()
    for name, data in pairs(files) do
      local dir = (root .. "/" .. name):match("^(.*)/[^/]*$")
      assert(os.execute("mkdir -p " .. support.quote(dir)))
      support.write(root .. "/" .. name, data)
    end
    return root
  end

  local function removeTree(root)
    assert(os.execute("rm -rf " .. support.quote(root)))
  end

  local function zip(files)
    local path = os.tmpname() .. ".zip"
    local list = {}
    for name, data in pairs(files) do list[#list + 1] = {name = name, data = data} end
    ll._debug.writeZip(path, list)
    return path
  end

  local library = {
    ["spec/color/Gray.lua"] = builderScript("spec/color/Gray", "Gray.\nFrom the library."),
    ["spec/Second.lua"] = builderScript("spec/Second", "Second."),
    ["spec/README.md"] = "not a script",
  }

  it("runs every .lua of a folder as a builder script of the session", function()
    local root = folder(library)
    local s <close> = fresh()
    assert.are.same({programs = 0, scripts = 2}, s:loadLibrary(root .. "/"))
    assert.are.equal("Gray.\nFrom the library.", s:help("spec/color/Gray"))
    assert.are.equal("Second.", s:help("spec/Second"))
    assert.is_nil(ll.nodeBuilders["spec/Second"])
    local other <close> = fresh()
    assert.is_nil(other:getNodeBuilder("spec/Second"))
    removeTree(root)
  end)

  it("leaves out hidden files and folders", function()
    local root = folder({[".hidden/x.lua"] = "error('hidden')", [".x.lua"] = "error('dot')",
      ["a.lua"] = builderScript("spec/Visible", "v")})
    local s <close> = fresh()
    assert.are.same({programs = 0, scripts = 1}, s:loadLibrary(root))
    removeTree(root)
  end)

  it("runs every .lua of a zip archive in lluvia's layout", function()
    local path = zip(library)
    local s <close> = fresh()
    assert.are.same({programs = 0, scripts = 2}, s:loadLibrary(path))
    assert.are.equal("Second.", s:help("spec/Second"))
    os.remove(path)
  end)

  it("names the file of a failing script, and stops there", function()
    local path = zip({["a.lua"] = builderScript("spec/A", "a"), ["b.lua"] = "\nerror('bad b')",
      ["c.lua"] = builderScript("spec/C", "c")})
    local s <close> = fresh()
    support.raises(path .. ":b.lua:2: bad b", s.loadLibrary, s, path)
    assert.is_truthy(s:getNodeBuilder("spec/A"))
    assert.is_nil(s:getNodeBuilder("spec/C"))
    assert.is_nil(ll.activeSession)
    os.remove(path)
    local root = folder({["x/syntax.lua"] = "local = 1"})
    support.raises("lluvia: loadLibrary: " .. root .. "/x/syntax.lua:1:", s.loadLibrary, s, root)
    removeTree(root)
  end)

  local header = "#define SPEC_VALUE 7u\n"
  local shader = [[
#version 450
#include <lluvia/core.glsl>
#include <spec/value.glsl>
layout(binding = 0) buffer Out { uint values[]; } out_buffer;
void main() { out_buffer.values[LL_GLOBAL_COORDS_1D] = SPEC_VALUE; }
]]

  it("compiles .comp files including from the library's folder and registers them", function()
    local spirv = support.spirv("#version 450\nlayout(binding = 0) buffer B { float x[]; } in_b;\n"
      .. "layout(binding = 1) buffer C { float y[]; } out_c;\nvoid main() { out_c.y[0] = in_b.x[0]; }\n")
    local root = folder({["spec/value.glsl"] = header, ["spec/lib/Fill.comp"] = shader,
      ["spec/lib/Copy.comp.spv"] = spirv, ["spec/lib/Fill.lua"] = builderScript("spec/lib/Fill", "f")})
    local s <close> = fresh()
    assert.are.same({programs = 2, scripts = 1}, s:loadLibrary(root))
    local fill = s:getProgram("spec/lib/Fill.comp")
    assert.are.same({{binding = 0, set = 0, name = "out_buffer", type = "Buffer"}}, fill.bindings)
    local copy = s:getProgram("spec/lib/Copy.comp")
    assert.are.equal(2, #copy.bindings)
    assert.is_nil(s:getProgram("spec/lib/Copy.comp.spv"))
    removeTree(root)
  end)

  it("looks for includes in includeDirs, after the library's folder", function()
    local headers = folder({["spec/value.glsl"] = header})
    local path = zip({["spec/Fill.comp"] = shader})
    local s <close> = fresh()
    support.raises("spec/value.glsl", s.loadLibrary, s, path)
    assert.are.same({programs = 1, scripts = 0}, s:loadLibrary(path, {includeDirs = {headers}}))
    assert.is_truthy(s:getProgram("spec/Fill.comp"))
    os.remove(path)
    removeTree(headers)
  end)

  it("registers nothing when a program cannot be made", function()
    local s <close> = fresh()
    for name, data in pairs({["x/Bad.comp"] = "#version 450\nvoid main() { undefined_call(); }\n",
        ["x/Bad.comp.spv"] = ("\3\2\35\7"):rep(8)}) do
      local root = folder({[name] = data, ["x/a.lua"] = builderScript("spec/NotRegistered", "n"),
        ["x/Good.comp"] = "#version 450\nvoid main() {}\n"})
      support.raises("lluvia: loadLibrary: " .. root .. "/" .. name, s.loadLibrary, s, root)
      assert.is_nil(s:getNodeBuilder("spec/NotRegistered"))
      assert.is_nil(s:getProgram("x/Good.comp"))
      removeTree(root)
    end
  end)

  it("compiles a zip's .comp files with the archive's other files to include", function()
    local path = zip({["lib/common/value.glsl"] = "#define SPEC_VALUE 3u\n",
      ["lib/a/A.comp"] = "#version 450\n#include \"../common/value.glsl\"\n"
        .. "#include <lib/common/value.glsl>\n"
        .. "layout(binding = 0) buffer B { uint x[]; } out_b;\nvoid main() { out_b.x[0] = SPEC_VALUE; }\n",
      ["lib/a/A.lua"] = builderScript("spec/zip/A", "a")})
    local s <close> = fresh()
    assert.are.same({programs = 1, scripts = 1}, s:loadLibrary(path))
    assert.is_truthy(s:getProgram("lib/a/A.comp"))
    os.remove(path)
    local bad = zip({["lib/v.glsl"] = "#define V 1\n",
      ["lib/Bad.comp"] = "#version 450\n#include <lib/v.glsl>\nvoid main() { nope(); }\n"})
    local msg = support.raises("lluvia: loadLibrary: " .. bad .. ":lib/Bad.comp: compile failed",
      s.loadLibrary, s, bad)
    assert.is_truthy(msg:find(bad .. ":lib/Bad.comp:3:", 1, true))
    assert.is_falsy(msg:find("lluvia-library-", 1, true)) -- the private copy is not named
    collectgarbage()
    local leftovers = io.popen("ls " .. support.quote(os.getenv("TMPDIR") or "/tmp")
      .. " | grep -c '^lluvia-library-'"):read("a")
    assert.are.equal("0", leftovers:match("%d+"))
    os.remove(bad)
  end)

  it("refuses archives with unsafe names, naming the entry", function()
    local s <close> = fresh()
    for _, name in ipairs({"../evil.lua", "/abs.lua", "a/../../b.lua", "a\\b.lua"}) do
      local path = zip({[name] = "error('ran')"})
      support.raises(("entry name '%s' is not a safe relative path"):format(name),
        s.loadLibrary, s, path)
      os.remove(path)
    end
  end)

  it("is a clear error for a missing path, a file that is not a zip, a damaged archive", function()
    local s <close> = fresh()
    support.raises("lluvia: loadLibrary: cannot open the library '/nonexistent/lib': No such file",
      s.loadLibrary, s, "/nonexistent/lib")
    local text = support.tmpfile("just text")
    support.raises(("cannot open the zip archive '%s': Not a zip archive"):format(text),
      s.loadLibrary, s, text)
    os.remove(text)
    local path = zip(library)
    local f = assert(io.open(path, "rb"))
    local bytes = f:read("a")
    f:close()
    local cut = support.tmpfile(bytes:sub(1, #bytes // 2))
    support.raises(cut, s.loadLibrary, s, cut)
    os.remove(cut)
    os.remove(path)
    support.raises("bad argument #1 to 'loadLibrary' (path must be a string, got nil)",
      s.loadLibrary, s)
    support.raises("calling 'loadLibrary' on bad self (Session expected, got 1)",
      s.loadLibrary, 1, "x")
    support.raises("bad argument #2 to 'loadLibrary' (unknown option 'include' (valid: includeDirs))",
      s.loadLibrary, s, "x", {include = {}})
    support.raises("bad argument #2 to 'loadLibrary' (includeDirs[2] must be a string, got 3)",
      s.loadLibrary, s, "x", {includeDirs = {"a", 3}})
    support.raises("bad argument #2 to 'loadLibrary' (options must be a table, got 'x')",
      s.loadLibrary, s, "x", "x")
  end)
end)

-- Builders that make, init and run other nodes from their callbacks (Lua -> C -> Lua), and
-- errors raised in callbacks, with the project's own scripts and shader.
describe("builders running nodes", function()
  support.no_validation_messages()

  local FILL = [[
#version 450
#include <lluvia/core.glsl>
layout(binding = 0) buffer Out { float values[]; } out_buffer;
layout(push_constant) uniform Params { float value; } params;
void main() {
  const uint i = LL_GLOBAL_COORDS_1D;
  if (i < out_buffer.values.length()) out_buffer.values[i] += params.value;
}
]]

  -- spec/Fill adds `value` to every float of out_buffer; it records which session was
  -- active in each callback.
  local FILL_LUA = [[
local builder = ll.class(ll.ComputeNodeBuilder)
builder.name = 'spec/Fill'
builder.doc = 'Adds value to out_buffer.'
seenSessions = {}

function builder.newDescriptor()
  seenSessions[#seenSessions + 1] = ll.activeSession
  local desc = ll.ComputeNodeDescriptor.new()
  desc:init(builder.name, ll.ComputeDimension.D1)
  desc:addPort(ll.PortDescriptor.new(0, 'out_buffer', ll.PortDirection.Out, ll.PortType.Buffer))
  desc:setParameter('value', 1.0)
  return desc
end

function builder.onNodeInit(node)
  seenSessions[#seenSessions + 1] = ll.activeSession
  if node:getParameter('value') < 0 then error('spec/Fill: value must be >= 0') end
  local pc = ll.PushConstants.new()
  pc:pushFloat(node:getParameter('value'))
  node.pushConstants = pc
  node:configureGridShape(ll.vec3ui.new(node:getPort('out_buffer').size // 4, 1, 1))
end

ll.registerNodeBuilder(builder)
]]

  -- spec/FillTwice (a container): its onNodeInit makes two spec/Fill nodes, runs the first
  -- right away (ll.run), and records the second from onNodeRecord.
  local TWICE_LUA = [[
local builder = ll.class(ll.ContainerNodeBuilder)
builder.name = 'spec/FillTwice'
builder.doc = 'Fills twice.'

function builder.newDescriptor()
  local desc = ll.ContainerNodeDescriptor.new()
  desc.builderName = builder.name
  desc:setParameter('value', 1.0)
  return desc
end

function builder.onNodeInit(node)
  local buffer = node:getPort('out_buffer')
  for i = 1, 2 do
    local fill = ll.createComputeNode('spec/Fill')
    fill:setParameter('value', node:getParameter('value') * i)
    fill:bind('out_buffer', buffer)
    fill:init()
    node:bindNode('fill' .. i, fill)
  end
  ll.run(node:getNode('fill1'))
  local cb = ll.createCommandBuffer()
  cb:begin()
  cb:memoryBarrier()
  cb:ends()
  ll.runCommandBuffer(cb)
end

function builder.onNodeRecord(node, cmdBuffer)
  cmdBuffer:run(node:getNode('fill2'))
end

ll.registerNodeBuilder(builder)
]]

  local function library()
    local root = support.tmpdir()
    assert(os.execute("mkdir -p " .. support.quote(root .. "/spec")))
    support.write(root .. "/spec/Fill.comp", FILL)
    support.write(root .. "/spec/Fill.lua", FILL_LUA)
    support.write(root .. "/spec/FillTwice.lua", TWICE_LUA)
    local s = fresh()
    s:loadLibrary(root)
    assert(os.execute("rm -rf " .. support.quote(root)))
    return s
  end

  local function floats(s, n)
    local b = s:createMemory({"DeviceLocal"}, 0):createBuffer(4 * n)
    b:fromHost(ll.ndarray({n}, "float32"))
    return b
  end

  it("run callbacks with their session active, nested Lua -> C -> Lua", function()
    local s <close> = library()
    local b = floats(s, 300)
    local twice = s:createContainerNode("spec/FillTwice")
    twice:setParameter("value", 1.5)
    twice:bind("out_buffer", b)
    twice:init()
    assert.is_nil(ll.activeSession)
    assert.are.same({1.5}, {b:toHost("float32")[300]}) -- fill1 ran inside onNodeInit
    s:run(twice)
    local out = b:toHost("float32")
    for i = 1, 300 do assert.are.equal(1.5 + 3.0, out[i]) end
    local seen = ll._scriptEnvironment(s).seenSessions
    assert.are.equal(4, #seen) -- two newDescriptor, two onNodeInit
    for _, x in ipairs(seen) do assert.are.equal(s, x) end
  end)

  it("act on the session running them, not the one that ran last", function()
    local a <close> = library()
    local b <close> = library()
    local bufA, bufB = floats(a, 4), floats(b, 4)
    local nodeB = b:createComputeNode("spec/Fill")
    nodeB:bind("out_buffer", bufB)
    ll._withSession(a, function()
      nodeB:init() -- b's node, initialized while a is active
      assert.are.equal(a, ll.activeSession)
    end)
    b:run(nodeB)
    assert.are.equal(1.0, bufB:toHost("float32")[1])
    assert.are.equal(0.0, bufA:toHost("float32")[1])
    local seen = ll._scriptEnvironment(b).seenSessions
    for _, x in ipairs(seen) do assert.are.equal(b, x) end
    assert.is_nil(ll._scriptEnvironment(a).seenSessions[1])
  end)

  -- A node of builder `name` of s, with value set and out_buffer bound: ready to init.
  local function ready(s, make, name, value)
    local node = make(s, name)
    node:setParameter("value", value)
    node:bind("out_buffer", floats(s, 4))
    return node
  end

  it("propagate errors of onNodeInit with the traceback, putting the session back", function()
    local s <close> = library()
    local node = ready(s, s.createComputeNode, "spec/Fill", -1.0)
    local msg = support.raises("spec/Fill: value must be >= 0", node.init, node)
    assert.is_truthy(msg:find("stack traceback:", 1, true))
    assert.is_truthy(msg:find("spec/Fill.lua:", 1, true))
    assert.is_nil(ll.activeSession)
    assert.has_error(function() s:run(node) end)
    node:release()
    collectgarbage()
  end)

  it("propagate errors of a nested node's init out of the outer one", function()
    local s <close> = library()
    local twice = ready(s, s.createContainerNode, "spec/FillTwice", -2.0)
    support.raises("spec/Fill: value must be >= 0", twice.init, twice)
    assert.is_nil(ll.activeSession)
  end)

  it("propagate errors of newDescriptor from createComputeNode", function()
    local s <close> = fresh()
    s:script([[
      local b = ll.class(ll.ComputeNodeBuilder)
      b.name = 'spec/BadDescriptor'
      function b.newDescriptor() error('no descriptor today') end
      ll.registerNodeBuilder(b)
    ]])
    support.raises("no descriptor today", s.createComputeNode, s, "spec/BadDescriptor")
    assert.is_nil(ll.activeSession)
  end)
end)
