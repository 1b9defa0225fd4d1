-- packaging_spec.lua: what the packages promise (README "Installing"): lluvia.so exports
-- luaopen_lluvia alone while the host exports the Lua API for C modules, the rockspec's
-- shape, the man page's options against the host's usage text, the licence, and the
-- README's word on LuaJIT. The builds themselves (luarocks make, cmake --install, the
-- embedding example) run in .ci/run on a clean clone.
local support = require "support"

local build_dir = support.host:match("^(.*)/[^/]+$")

local function defined_dynamic_symbols(path)
  local out, err, code = support.run("nm -D --defined-only " .. support.quote(path))
  assert(code == 0, err)
  local names = {}
  for name in out:gmatch("%S+ [TDBRVWi] ([%w_@%.]+)") do names[#names + 1] = name end
  table.sort(names)
  return names
end

describe("lluvia.so", function()
  it("exports luaopen_lluvia and nothing else (hidden visibility, a version script)", function()
    assert.are.same({"luaopen_lluvia"}, defined_dynamic_symbols(build_dir .. "/lluvia.so"))
  end)
end)

describe("lluvia-lua", function()
  it("exports the Lua API, for the C modules it loads", function()
    local seen = {}
    for _, name in ipairs(defined_dynamic_symbols(support.host)) do seen[name] = true end
    assert.is_true(seen.lua_pushinteger and seen.luaL_checkinteger and seen.lua_newuserdatauv)
  end)
end)

describe("rockspec/lluvia-scm-1.rockspec", function()
  local spec = {}
  assert(loadfile("rockspec/lluvia-scm-1.rockspec", "t", spec))()

  it("builds with luarocks' CMake back end for Lua 5.4, tests with busted", function()
    assert.are.equal("lluvia", spec.package)
    assert.are.equal("scm-1", spec.version)
    assert.are.equal("cmake", spec.build.type)
    assert.are.equal("$(LIBDIR)", spec.build.variables.LLUVIA_LUA_CMOD_DIR)
    assert.are.equal("$(LUA_INCDIR)", spec.build.variables.LUA_INCDIR)
    assert.are.equal("busted", spec.test.type)
    assert.are.same({"lua >= 5.4, < 5.5"}, spec.dependencies)
    assert.are.equal("MIT", spec.description.license)
  end)
end)

describe("docs/lluvia-lua.1", function()
  it("documents every option of the host's usage text", function()
    local _, usage = support.run_host({"--no-such-option"})
    local page = support.read("docs/lluvia-lua.1"):gsub("\\%-", "-")
    local options = 0
    for option in usage:gmatch("\n  (%-%-?[%w%-]*)") do
      options = options + 1
      assert.truthy(page:find(".B " .. option, 1, true) or page:find(".BI " .. option, 1, true),
        option)
    end
    assert.is_true(options >= 12)
  end)
end)

describe("LICENSE and README", function()
  it("are MIT, and say that LuaJIT is not supported", function()
    local license = support.read("LICENSE")
    assert.truthy(license:find("MIT License", 1, true))
    assert.truthy(license:find("Copyright (c) 2026 the lluvia-lua authors", 1, true))
    assert.truthy(support.read("README.md"):find("LuaJIT is not supported", 1, true))
  end)
end)
