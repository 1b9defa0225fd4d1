-- program_spec.lua: API.md "Compute", the Programs table: session:compileProgram (glslang
-- in-process, #include through includeDirs and the built-in GLSL library, defines, errors
-- with file and line), session:createProgram (SPIR-V bytes or a path, validated before the
-- driver sees it), the registry (setProgram, getProgram), and a Program's fields.
local ll = require "lluvia"
local support = require "support"

local KINDS = [[
#version 450
#include <lluvia/core.glsl>
layout(binding = 0) buffer out_buffer { float data[]; } out_values;
layout(binding = 1) buffer Anonymous { float more[]; };
layout(binding = 2, rgba8) uniform writeonly image2D out_image;
layout(binding = 3) uniform sampler2D in_texture;
layout(binding = 4) uniform Params { vec4 a; } params;
layout(push_constant) uniform PC { float x; int y; vec2 z; } pc;
void main() {
    out_values.data[LL_GLOBAL_COORDS_1D] = more[0] + texture(in_texture, vec2(0)).x + pc.x
        + params.a.x;
    imageStore(out_image, LL_GLOBAL_COORDS_2D, vec4(1));
}
]]

local KINDS_BINDINGS = {
  {binding = 0, set = 0, name = "out_values", type = "Buffer"},
  {binding = 1, set = 0, name = "Anonymous", type = "Buffer"},
  {binding = 2, set = 0, name = "out_image", type = "ImageView"},
  {binding = 3, set = 0, name = "in_texture", type = "SampledImageView"},
  {binding = 4, set = 0, name = "params", type = "UniformBuffer"},
}

-- A shader whose local size x is ANSWER, which the included files define as they like.
local function answering(include)
  return "#version 450\n#include " .. include .. "\n" ..
    "layout(local_size_x = ANSWER) in;\nvoid main() {}\n"
end

local tmpdir, write = support.tmpdir, support.write

describe("session:compileProgram", function()
  support.no_validation_messages()

  it("compiles GLSL in-process and reflects bindings, local size, push constants", function()
    local p <close> = support.session():compileProgram(KINDS)
    assert.are.same({1, 1, 1}, p.localSize) -- lluvia/core.glsl's default, constants 1..3
    assert.are.same(KINDS_BINDINGS, p.bindings)
    assert.are.equal(16, p.pushConstantSize)
    assert.are.same({"main"}, p.entryPoints)
    assert.are.equal(ll.PortType.SampledImageView, p.bindings[4].type)
  end)

  it("reads a fixed local size, and a program with no resources", function()
    local p <close> = support.session():compileProgram(
      "#version 450\nlayout(local_size_x = 8, local_size_y = 4) in;\nvoid main() {}\n")
    assert.are.same({8, 4, 1}, p.localSize)
    assert.are.same({}, p.bindings)
    assert.are.equal(0, p.pushConstantSize)
  end)

  it("compiles without #version as GLSL 450, and without the include extension", function()
    local p <close> = support.session():compileProgram(
      "#include \"lluvia/core.glsl\"\nvoid main() {}\n")
    assert.are.same({1, 1, 1}, p.localSize)
  end)

  it("serves the built-in GLSL library: core, core/color, core/camera", function()
    local p <close> = support.session():compileProgram([[
#version 450
#include <lluvia/core.glsl>
#include <lluvia/core/color.glsl>
#include <lluvia/core/camera.glsl>
layout(binding = 0, rgba8ui) uniform uimage2D img;
layout(std140, binding = 1) uniform C { ll_camera camera; } cam;
layout(constant_id = LL_SPECIALIZATION_BEGIN) const float k = 1.0;
void main() {
  const ivec2 c = LL_GLOBAL_COORDS_2D;
  vec2 a = ll_camera_standardInterpolationCoordinates(cam.camera, vec2(c));
  vec2 b = ll_camera_fisheyeInterpolationCoordinates(cam.camera, vec2(c) * k);
  uvec4 w = color_hsva2rgba(color_rgba2hsva(imageLoad(img, c), 0.0));
  imageStore(img, ivec2(a + b), uvec4(color_rgba2gray(w)));
}
]])
    assert.are.same({"img", "cam"}, {p.bindings[1].name, p.bindings[2].name})
    assert.are.same({"ImageView", "UniformBuffer"}, {p.bindings[1].type, p.bindings[2].type})
  end)

  describe("#include", function()
    local root, a, b, src
    setup(function()
      root = tmpdir()
      a, b, src = root .. "/a", root .. "/b", root .. "/src"
      assert(os.execute("mkdir -p '" .. a .. "/lluvia' '" .. b .. "' '" .. src .. "'"))
      write(a .. "/answer.glsl", "#define ANSWER 1\n")
      write(b .. "/answer.glsl", "#define ANSWER 2\n")
      write(b .. "/only_b.glsl", "#include \"answer.glsl\"\n")
      write(src .. "/answer.glsl", "#define ANSWER 3\n")
      write(a .. "/lluvia/core.glsl", "#define ANSWER 6\n")
      write(a .. "/broken.glsl", "\nint f() { return 1 }\n")
    end)
    teardown(function() os.execute("rm -rf '" .. root .. "'") end)

    local function answer(source, options)
      local p <close> = support.session():compileProgram(source, options)
      return p.localSize[1]
    end

    it("resolves \"...\" in the including file's folder first", function()
      assert.are.equal(3, answer(answering('"answer.glsl"'),
        {includeDirs = {a, b}, name = src .. "/main.comp"}))
    end)

    it("resolves <...> and \"...\" through includeDirs in order", function()
      assert.are.equal(1, answer(answering("<answer.glsl>"),
        {includeDirs = {a, b}, name = src .. "/main.comp"}))
      assert.are.equal(2, answer(answering("<answer.glsl>"), {includeDirs = {b, a}}))
      assert.are.equal(1, answer(answering('"answer.glsl"'), {includeDirs = {a, b}}))
    end)

    it("starts an included file's own \"...\" includes in its folder", function()
      assert.are.equal(2, answer(answering("<only_b.glsl>"), {includeDirs = {a, b}}))
    end)

    it("takes an absolute path as that file only", function()
      assert.are.equal(2, answer(answering('"' .. b .. '/answer.glsl"'),
        {includeDirs = {a}, name = src .. "/main.comp"}))
    end)

    it("looks in includeDirs before the built-in library", function()
      assert.are.equal(6, answer(answering("<lluvia/core.glsl>"), {includeDirs = {a}}))
    end)

    it("reports a missing include with the including file and line", function()
      local msg = support.raises("lluvia: m.comp: compile failed:",
        support.session().compileProgram, support.session(),
        "#version 450\n\n#include \"nowhere.glsl\"\nvoid main() {}\n", {name = "m.comp"})
      assert.is_truthy(msg:find("m.comp:3", 1, true), msg)
      assert.is_truthy(msg:find("nowhere.glsl", 1, true), msg)
    end)

    it("reports an error in an included file with that file's path and line", function()
      support.raises(a .. "/broken.glsl:2", support.session().compileProgram,
        support.session(), "#version 450\n#include <broken.glsl>\nvoid main() {}\n",
        {includeDirs = {a}, name = "m.comp"})
    end)
  end)

  describe("defines", function()
    it("defines NAME = value (strings, integers, floats) and true as a bare NAME", function()
      local p <close> = support.session():compileProgram([[
#version 450
#ifdef FLAG
layout(local_size_x = X, local_size_y = Y) in;
layout(constant_id = 4) const float f = F;
#endif
void main() {}
]], {defines = {FLAG = true, X = 4, Y = "2", F = 1.5}})
      assert.are.same({4, 2, 1}, p.localSize)
    end)

    it("refuses names that are not identifiers and values of other types", function()
      local s = support.session()
      support.raises("bad argument #2 to 'compileProgram' (define '1x=2' must be NAME or " ..
        "NAME=value with NAME an identifier)", function()
          return s:compileProgram("void main() {}", {defines = {["1x"] = 2}})
        end)
      support.raises("bad argument #2 to 'compileProgram' (defines.X must be a string, a " ..
        "number or true, got false)", function()
          return s:compileProgram("void main() {}", {defines = {X = false}})
        end)
      support.raises("bad argument #2 to 'compileProgram' (defines' keys must be names, got 1)",
        function() return s:compileProgram("void main() {}", {defines = {"X"}}) end)
      support.raises("bad argument #2 to 'compileProgram' (defines must be a table " ..
        "{NAME = value}, got 'X=1')",
        function() return s:compileProgram("void main() {}", {defines = "X=1"}) end)
    end)
  end)

  describe("errors", function()
    it("is a lluvia: error carrying glslang's log with file and line", function()
      local s = support.session()
      local msg = support.raises("lluvia: shaders/bad.comp: compile failed: ", function()
        return s:compileProgram("#version 450\nvoid main() {\n    float x = 1.0\n}\n",
          {name = "shaders/bad.comp"})
      end)
      assert.is_truthy(msg:find("ERROR: shaders/bad.comp:4:", 1, true), msg)
    end)

    it("names the source program.comp when no name is given", function()
      support.raises("ERROR: program.comp:1:", function()
        return support.session():compileProgram("void main() { undeclared = 1; }")
      end)
    end)

    it("carries the whole log, however long", function()
      local long = "undeclared_" .. ("x"):rep(900) -- glslang's longest name is 1024
      local msg = support.raises("No code generated", function()
        return support.session():compileProgram("void main() { " .. long .. " = 1; }")
      end)
      assert.is_truthy(msg:find(long, 1, true))
    end)

    it("refuses a source with a NUL byte, naming its offset", function()
      support.raises("bad argument #1 to 'compileProgram' (program.comp: the source has a " ..
        "NUL byte at offset 13)", function()
          return support.session():compileProgram("void main(){}\0")
        end)
    end)

    it("refuses options it does not know, and options of the wrong type", function()
      local s = support.session()
      local function compile(options)
        return function() return s:compileProgram("void main() {}", options) end
      end
      support.raises("bad argument #2 to 'compileProgram' (unknown option 'foo' (options " ..
        "are: includeDirs, defines, name))", compile({foo = 1}))
      support.raises("bad argument #2 to 'compileProgram' (includeDirs must be a list of " ..
        "folder names, got 'dir')", compile({includeDirs = "dir"}))
      support.raises("bad argument #2 to 'compileProgram' (includeDirs[2] must be a folder " ..
        "name, got 3)", compile({includeDirs = {"a", 3}}))
      support.raises("bad argument #2 to 'compileProgram' (name must be a string, got 7)",
        compile({name = 7}))
      support.raises("bad argument #1 to 'compileProgram' (string expected, got no value)",
        function() return s:compileProgram() end)
    end)

    it("refuses resources a compute node cannot bind, naming them", function()
      support.raises("lluvia: resource 'tex' (set 1, binding 2) is a separate (sampled) " ..
        "image", function()
          return support.session():compileProgram([[
#version 450
layout(set = 1, binding = 2) uniform texture2D tex;
layout(binding = 3) uniform sampler smp;
void main() { vec4 v = texture(sampler2D(tex, smp), vec2(0)); }
]])
        end)
      support.raises("lluvia: resource 'tb' (set 0, binding 1) is a storage image: texel " ..
        "buffers are not supported", function()
          return support.session():compileProgram([[
#version 450
layout(binding = 1, r32f) uniform imageBuffer tb;
void main() { imageStore(tb, 0, vec4(1)); }
]])
        end)
    end)
  end)
end)

describe("session:createProgram", function()
  support.no_validation_messages()
  local bytes, path
  -- path is nil where setup failed: that failure is the one to see
  teardown(function()
    if path then os.execute("rm -rf '" .. path:gsub("/shader.spv$", "") .. "'") end
  end)
  setup(function()
    -- glslangValidator takes "..." includes only, and needs the extension enabled
    bytes, path = support.spirv((KINDS:gsub("#include <lluvia/core.glsl>",
      '#extension GL_GOOGLE_include_directive : enable\n#include "lluvia/core.glsl"')))
  end)

  it("takes SPIR-V bytes (a string with NUL bytes, as every module has)", function()
    local p <close> = support.session():createProgram(bytes)
    assert.are.same(KINDS_BINDINGS, p.bindings)
    assert.are.same({1, 1, 1}, p.localSize)
    assert.are.equal(16, p.pushConstantSize)
    assert.are.same({"main"}, p.entryPoints)
  end)

  it("takes a path (a string without NUL bytes) and reads the file", function()
    local p <close> = support.session():createProgram(path)
    assert.are.same(KINDS_BINDINGS, p.bindings)
  end)

  it("refuses a path it cannot read, naming it", function()
    local s = support.session()
    support.raises("lluvia: cannot open '/nowhere/x.spv': No such file or directory",
      s.createProgram, s, "/nowhere/x.spv")
    support.raises("lluvia: cannot read '/tmp': not a regular file", s.createProgram, s, "/tmp")
  end)

  it("validates the module before the driver sees it: truncated", function()
    local s = support.session()
    support.raises("lluvia: invalid SPIR-V: ", s.createProgram, s,
      bytes:sub(1, (#bytes // 8) * 4))
    support.raises("lluvia: invalid SPIR-V: 12 bytes is shorter than a module's header",
      s.createProgram, s, bytes:sub(1, 12))
    support.raises("lluvia: invalid SPIR-V: 7 bytes (a module is a positive multiple of 4 " ..
      "bytes", s.createProgram, s, bytes:sub(1, 7))
  end)

  it("validates the module: wrong magic number, wrong byte order", function()
    local s = support.session()
    support.raises("lluvia: invalid SPIR-V: magic number 0x78563412", s.createProgram, s,
      "\x12\x34\x56\x78" .. bytes:sub(5))
    local swapped = bytes:gsub("(.)(.)(.)(.)", "%4%3%2%1")
    support.raises("lluvia: invalid SPIR-V: magic number 0x03022307", s.createProgram, s,
      swapped)
  end)

  it("validates the module: random bytes, and random words after a valid header", function()
    local s = support.session()
    math.randomseed(12)
    for _ = 1, 20 do
      local junk = {}
      for i = 1, 64 do junk[i] = string.char(math.random(0, 255)) end
      junk[1] = "\0"
      support.raises("lluvia: invalid SPIR-V: ", s.createProgram, s, table.concat(junk))
    end
    for _ = 1, 20 do
      local words = {}
      for i = 1, (#bytes - 20) // 4 do words[i] = string.pack("<I4", math.random(0, 1 << 31)) end
      local ok, err = pcall(s.createProgram, s, bytes:sub(1, 20) .. table.concat(words))
      assert.is_false(ok)
      assert.is_truthy(tostring(err):find("lluvia: invalid SPIR-V: ", 1, true), err)
    end
  end)

  it("refuses a value that is not a string", function()
    local s = support.session()
    support.raises("bad argument #1 to 'createProgram' (string expected, got table)",
      function() return s:createProgram({}) end)
  end)
end)

describe("the program registry", function()
  support.no_validation_messages()

  it("setProgram registers under a name, getProgram returns it, nil for unknown", function()
    local s = ll.createSession({enableDebug = true})
    local p = s:compileProgram("void main() {}")
    s:setProgram("lluvia/Test.comp", p)
    assert.are.equal(p, s:getProgram("lluvia/Test.comp"))
    assert.is_nil(s:getProgram("lluvia/Other.comp"))
    local q = s:compileProgram("void main() {}")
    s:setProgram("lluvia/Test.comp", q) -- a name set again is replaced
    assert.are.equal(q, s:getProgram("lluvia/Test.comp"))
    s:release()
  end)

  it("keeps its programs alive, and is per session", function()
    local s = ll.createSession({enableDebug = true})
    s:setProgram("kept.comp", s:compileProgram("layout(local_size_x = 3) in; void main() {}"))
    collectgarbage()
    collectgarbage()
    assert.are.same({3, 1, 1}, s:getProgram("kept.comp").localSize)
    assert.is_nil(support.session():getProgram("kept.comp"))
    s:release()
  end)

  it("refuses what is not a Program, or a program of another session", function()
    local s = support.session()
    support.raises("bad argument #2 to 'setProgram' (Program expected, got table",
      function() s:setProgram("x", {}) end)
    local other = ll.createSession({enableDebug = true})
    local p <close> = other:compileProgram("void main() {}")
    support.raises("bad argument #2 to 'setProgram' (program", function()
      s:setProgram("x", p)
    end)
    support.raises("bad argument #1 to 'getProgram' (string expected, got no value)", function()
      return s:getProgram()
    end)
    other:release()
  end)

  it("lets a session and its programs be collected together", function()
    local weak = setmetatable({}, {__mode = "v"})
    do
      local s = ll.createSession({enableDebug = true})
      s:setProgram("a.comp", s:compileProgram("void main() {}"))
      weak.session, weak.program = s, s:getProgram("a.comp")
    end
    collectgarbage()
    collectgarbage()
    assert.is_nil(weak.session)
    assert.is_nil(weak.program)
  end)
end)

describe("a Program", function()
  support.no_validation_messages()

  it("prints what it reflects, and is released once", function()
    local p = support.session():compileProgram(KINDS)
    assert.are.equal("lluvia.Program(main, local size 1x1x1, 5 bindings, 16 bytes of push " ..
      "constants)", tostring(p))
    p:release()
    p:release()
    assert.are.equal("lluvia.Program (released)", tostring(p))
    support.raises("lluvia: Program has been released", function() return p.bindings end)
  end)

  it("keeps its session alive", function()
    local p
    do
      local s = ll.createSession({enableDebug = true})
      p = s:compileProgram("layout(local_size_x = 5) in; void main() {}")
    end
    collectgarbage()
    collectgarbage()
    assert.are.same({5, 1, 1}, p.localSize)
    assert.is_truthy(tostring(p.session):find("lluvia.Session", 1, true))
    p:release()
  end)

  it("raises or works when a finalizer releases it or its session mid-call", function()
    collectgarbage("incremental", 0, 1000) -- a collector step on nearly every allocation
    local ok, err = pcall(function()
      for _ = 1, 40 do
        local s = ll.createSession({enableDebug = true})
        local p = s:compileProgram(KINDS)
        local objects = {p, s}
        for k = 1, 2 do setmetatable({}, {__gc = function() objects[k]:release() end}) end
        for _, call in ipairs({
          function() return p.bindings[5].name end,
          function() return p.localSize[3] + p.pushConstantSize end,
          function() return p.entryPoints[1] end,
          function() return tostring(p) end,
          function() s:setProgram("x", p) end,
          function() return s:getProgram("x") end,
          function() return s:compileProgram(KINDS, {name = "k.comp", defines = {X = 1}}) end,
          function() return s:createProgram("/nowhere.spv") end,
        }) do
          local cok, cerr = pcall(call)
          if not cok and not tostring(cerr):find("has been released", 1, true) then
            assert.matches("cannot open '/nowhere.spv'", cerr, 1, true)
          end
        end
        s:release()
      end
    end)
    collectgarbage("incremental", 200, 100)
    assert(ok, err)
  end)

  it("gives new tables each time, and nil for unknown fields", function()
    local p <close> = support.session():compileProgram(KINDS)
    local b = p.bindings
    b[1].name = "changed"
    assert.are.equal("out_values", p.bindings[1].name)
    assert.is_nil(p.nothing)
  end)
end)
