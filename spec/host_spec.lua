-- host_spec.lua: the lluvia-lua host behaves like lua5.4 (arguments, -e, -l, -v, -, -i,
-- exit status, tracebacks), loads C modules built for lua5.4, preloads lluvia, and adds
-- --list-devices and --device. Stock lua5.4 loads the module too.
local support = require "support"
local run_host, run, quote = support.run_host, support.run, support.quote

local tmpfile = support.tmpfile

-- Runs the same arguments under lua5.4 and under the host.
local function both(args, stdin)
  local parts = {}
  for _, a in ipairs(args) do parts[#parts + 1] = quote(a) end
  local lua_out, lua_err, lua_code = run("lua5.4 " .. table.concat(parts, " "), stdin)
  local out, err, code = run_host(args, stdin)
  return {out = lua_out, err = lua_err, code = lua_code}, {out = out, err = err, code = code}
end

describe("lluvia-lua", function()
  local script
  setup(function()
    script = tmpfile([[
      print("n", select("#", ...), ...)
      for i = -3, #arg do print(i, arg[i]) end
    ]])
  end)
  teardown(function() os.remove(script) end)

  it("passes script arguments as ... and the arg table, like lua", function()
    local lua, host = both({script, "a", "b c", ""})
    assert.are.equal(0, host.code)
    -- arg[-1] is the interpreter's own name, the only line that may differ.
    local function strip(s) return (s:gsub("\n%-1\t[^\n]*", "")) end
    assert.are.equal(strip(lua.out), strip(host.out))
    assert.is_truthy(host.out:find("n\t3\ta\tb c\t\n", 1, true))
    assert.is_truthy(host.out:find("0\t" .. script, 1, true))
  end)

  it("runs -e statements in order with the script after them", function()
    local lua, host = both({"-e", "x = 1", "-e", "print(x + 1)", script, "z"})
    assert.are.equal(lua.code, host.code)
    assert.is_truthy(host.out:find("^2\n"))
    assert.is_truthy(host.out:find("n\t1\tz", 1, true))
  end)

  it("loads a library with -l into a global, and -l g=mod", function()
    local _, host = both({"-l", "string", "-e", "print(string.rep('x', 3))"})
    assert.are.equal("xxx\n", host.out)
    local lua2, host2 = both({"-l", "s=string", "-e", "print(s.upper('ok'))"})
    assert.are.equal(lua2.out, host2.out)
  end)

  it("prints its version with -v like lua, and exits 0", function()
    local lua, host = both({"-v"})
    assert.are.equal(0, host.code)
    assert.are.equal(lua.out:match("^(Lua 5%.4%.%d+)"), host.out:match("^(Lua 5%.4%.%d+)"))
  end)

  it("shows the same version in its banner as ll._VERSION", function()
    local out, _, code = run_host({"-v", "-e", "print(require('lluvia')._VERSION)"})
    assert.are.equal(0, code)
    local version = out:match("\nlluvia (%d+%.%d+%.%d+)\n")
    assert.is_truthy(version, out)
    assert.is_truthy(out:find("(lluvia-lua " .. version .. ")", 1, true), out)
  end)

  it("exits 1 with the message and a traceback on an error, like lua", function()
    local bad = tmpfile("local function f() error('boom') end\nf()\n")
    local lua, host = both({bad})
    os.remove(bad)
    assert.are.equal(1, lua.code)
    assert.are.equal(1, host.code)
    assert.is_truthy(host.err:find(bad .. ":1: boom", 1, true), host.err)
    assert.is_truthy(host.err:find("stack traceback:", 1, true))
    local lua2, host2 = both({"-e", "error('x', 0)"})
    assert.are.equal(lua2.code, host2.code)
    assert.is_truthy(host2.err:find(": x\n", 1, true), host2.err)
  end)

  it("exits with os.exit's status", function()
    local _, host = both({"-e", "os.exit(7)"})
    assert.are.equal(7, host.code)
    local _, host2 = both({"-e", "os.exit(false)"})
    assert.are.equal(1, host2.code)
  end)

  it("reports a missing script and bad options like lua", function()
    local lua, host = both({"/nonexistent/script.lua"})
    assert.are.equal(lua.code, host.code)
    assert.is_truthy(host.err:find("cannot open /nonexistent/script.lua", 1, true))
    local lua2, host2 = both({"-x"})
    assert.are.equal(lua2.code, host2.code)
    assert.is_truthy(host2.err:find("unrecognized option '-x'", 1, true))
    assert.is_truthy(host2.err:find("usage:", 1, true))
    local _, host3 = both({"-e"})
    assert.are.equal(1, host3.code)
    assert.is_truthy(host3.err:find("'-e' needs argument", 1, true))
  end)

  it("runs stdin with - and when stdin is not a terminal", function()
    local _, host = both({"-", "q"}, "print('from stdin', ...)")
    assert.are.equal("from stdin\tq\n", host.out)
    local _, host2 = both({}, "print(1 + 1)")
    assert.are.equal("2\n", host2.out)
  end)

  it("runs a REPL with -i that prints expression values", function()
    local _, host = both({"-i"}, "x = 20\nx + 1\nfunction f()\nreturn 5 end\nf()\n")
    assert.is_truthy(host.out:find("21", 1, true), host.out)
    assert.is_truthy(host.out:find("5", 1, true), host.out)
    assert.are.equal(0, host.code)
  end)

  it("honours LUA_INIT and ignores it with -E", function()
    local out = run_host({"-e", "print(X)"}, nil, {LUA_INIT = "X = 'init'"})
    assert.are.equal("init\n", out)
    local out2 = run_host({"-E", "-e", "print(X)"}, nil, {LUA_INIT = "X = 'init'"})
    assert.are.equal("nil\n", out2)
  end)

  it("preloads lluvia and loads C modules installed for lua5.4", function()
    local out, err, code = run_host({"-e", [[
      assert(package.preload.lluvia)
      local ll = require "lluvia"
      assert(type(ll.createSession) == "function")
      local lfs = require "lfs"
      print(type(lfs.currentdir()))
    ]]})
    assert.are.equal(0, code, err)
    assert.are.equal("string\n", out)
  end)

  it("lists devices with --list-devices", function()
    local out, err, code = run_host({"--list-devices"})
    assert.are.equal(0, code, err)
    local ll = require "lluvia"
    for _, d in ipairs(ll.getAvailableDevices()) do
      assert.is_truthy(out:find(d.id .. "\t" .. d.deviceType, 1, true), out)
      assert.is_truthy(out:find(d.name, 1, true), out)
    end
  end)

  it("lists every device in detail with --list-devices -v, as ll.deviceInfo shows it",
    function()
      local out, err, code = run_host({"--list-devices", "-v"})
      assert.are.equal(0, code, err)
      local ll = require "lluvia"
      for _, d in ipairs(ll.getAvailableDevices()) do
        assert.is_truthy(out:find(ll.pretty(ll.deviceInfo(d.id)), 1, true), out)
      end
      for _, key in ipairs({"driverName", "memoryHeaps", "memoryTypes", "maxImageDimension2D",
                            "maxComputeWorkGroupCount", "nonCoherentAtomSize",
                            "VK_EXT_external_memory_host"}) do
        assert.is_truthy(out:find(key, 1, true), key .. " missing from: " .. out)
      end
      assert.is_truthy(out:find("^Lua 5%.4"), out) -- -v keeps its banner
    end)

  it("sets the default device with --device", function()
    local ll = require "lluvia"
    local d = ll.getAvailableDevices()[1]
    local out, err, code = run_host({"--device", tostring(d.id), "-e",
      "print(require('lluvia').createSession().deviceName)"})
    assert.are.equal(0, code, err)
    assert.are.equal(d.name .. "\n", out)
    local _, err2, code2 = run_host({"--device", "no-such-device", "-e",
      "require('lluvia').createSession()"})
    assert.are.equal(1, code2)
    assert.is_truthy(err2:find("no device matches 'no-such-device'", 1, true), err2)
    local _, err3, code3 = run_host({"--device"})
    assert.are.equal(1, code3)
    assert.is_truthy(err3:find("'--device' needs argument", 1, true), err3)
  end)
end)

describe("stock lua5.4", function()
  it("loads lluvia.so through package.cpath", function()
    local dir = support.host:match("^(.*)/[^/]*$") or "."
    local lua = os.getenv("LLUVIA_STOCK_LUA") or "lua5.4"
    local out, err, code = run(lua .. " -e " .. quote(
      "package.cpath = '" .. dir .. "/?.so;' .. package.cpath " ..
      "local ll = require 'lluvia' print(ll.ChannelType.Uint8, #ll.getAvailableDevices() > 0)"))
    assert.are.equal(0, code, err)
    assert.are.equal("Uint8\ttrue\n", out)
  end)
end)
