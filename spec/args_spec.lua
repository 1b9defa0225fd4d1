-- args_spec.lua: the binding's argument kit (docs/ARCHITECTURE.md "Binding conventions"):
-- one policy for integers, booleans, dtypes, flags lists and options tables across every
-- call, and messages that survive any value they describe.
local ll = require "lluvia"
local support = require "support"

local function memory()
  return support.session():createMemory({"HostVisible"})
end

describe("argument messages", function()
  support.no_validation_messages()

  it("describe a long string shortened, in the usual bad argument form", function()
    local mem <close> = memory()
    local msg = support.raises("bad argument #1 to 'createBuffer' (size must be an integer "
      .. "> 0, got '" .. string.rep("y", 37) .. "...')",
      function() return mem:createBuffer(string.rep("y", 41)) end)
    assert.is_nil(msg:find(string.rep("y", 38), 1, true))
    -- 40 characters are shown whole
    support.raises("got '" .. string.rep("z", 40) .. "')", mem.createBuffer, mem,
      string.rep("z", 40))
    -- an enumeration name, an option key and an ndarray dtype alike
    support.raises("unknown BufferUsageFlagBits '" .. string.rep("u", 37) .. "...'",
      mem.createBuffer, mem, 16, string.rep("u", 100))
    support.raises("unknown option '" .. string.rep("k", 37) .. "...'", mem.createImage, mem,
      {2}, {[string.rep("k", 50)] = 1})
    support.raises("'" .. string.rep("d", 37) .. "...'", ll.ndarray, {2}, string.rep("d", 60))
  end)

  -- lua_pushfstring and luaL_error know only %% %s %f %I %p %d %c %U: any other
  -- specifier in a format raises "invalid option" instead of the message.
  it("use only the format specifiers Lua's own formatter knows", function()
    local calls = {"lua_pushfstring", "lua_pushvfstring", "luaL_error", "ll_lua_argerror",
                   "ll_lua_raise_lluvia"}
    local dir = "src/binding/"
    local files = {}
    local p = assert(io.popen("ls " .. dir))
    for name in p:lines() do
      if name:match("%.c$") then files[#files + 1] = dir .. name end
    end
    p:close()
    assert.is_true(#files >= 5, "binding sources not found")
    local checked = 0
    for _, path in ipairs(files) do
      local f = assert(io.open(path))
      local src = f:read("a")
      f:close()
      for _, call in ipairs(calls) do
        for args in src:gmatch(call .. "%s*(%b())") do
          for lit in args:gmatch('"(.-[^\\])"') do
            for spec in lit:gmatch("%%(.)") do
              checked = checked + 1
              assert.is_truthy(("%sfIpdcU"):find(spec, 1, true),
                ("%s: %s(...) uses %%%s, which Lua's formatter lacks: %s"):format(
                  path, call, spec, lit))
            end
          end
        end
      end
    end
    assert.is_true(checked > 50, "too few formats found: " .. checked)
  end)
end)
