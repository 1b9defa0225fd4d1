-- repl_spec.lua: the lluvia-lua REPL: the global ll it announces, results printed as lua
-- does with tables through ll.pretty, line editing and history through readline on a
-- terminal (a pty made by script(1)), plain stdin otherwise; ll.help.
local ll = require "lluvia"
local support = require "support"
local run, run_host, quote = support.run, support.run_host, support.quote

-- The host's REPL on a terminal: script(1) gives it a pty whose input is `keys`.
local function on_terminal(keys, env)
  local parts = {}
  for k, v in pairs(env or {}) do parts[#parts + 1] = k .. "=" .. quote(v) end
  parts[#parts + 1] = quote(support.host)
  local out, err, code = run("script -qefc " .. quote(table.concat(parts, " ")) .. " /dev/null",
    keys)
  -- without carriage returns and readline's bracketed-paste switches
  out = out:gsub("\r", ""):gsub("\27%[%?2004[hl]", "")
  return out, err, code
end

describe("the REPL", function()
  it("has the module as the global ll, and says so", function()
    local out, err, code = run_host({"-i"}, "print(ll == require('lluvia'), ll._VERSION)\n")
    assert.are.equal(0, code, err)
    assert.is_truthy(out:find('\nll = require "lluvia" (ll.help() lists what it has)\n', 1, true),
      out)
    assert.is_truthy(out:find("> true\tlluvia ", 1, true), out)
  end)

  it("leaves a global ll that a script made alone", function()
    local out, err, code = run_host({"-e", "ll = 5", "-i"}, "print(ll)\n")
    assert.are.equal(0, code, err)
    assert.is_falsy(out:find('ll = require "lluvia"', 1, true), out)
    assert.is_truthy(out:find("> 5\n", 1, true), out)
  end)

  it("prints results as lua does, tables readably through ll.pretty", function()
    local out, err, code = run_host({"-i"}, table.concat({
      "return 1, 'a', nil",
      "return {b = {1, 2}, a = 'x'}",
      "t = {name = 't'} t.self = t return t",
      "return ll.deviceMemoryStats()",
      "return ll.createSession()",
      "local big = {} for i = 1, 40 do big['k' .. i] = i end return big",
    }, "\n") .. "\n")
    assert.are.equal(0, code, err)
    assert.is_truthy(out:find("> 1\ta\tnil\n", 1, true), out)
    assert.is_truthy(out:find('> {a = "x", b = {1, 2}}\n', 1, true), out)
    assert.is_truthy(out:find('> {name = "t", self = <cycle>}\n', 1, true), out)
    assert.is_truthy(out:find(ll.pretty(ll.deviceMemoryStats()):match("^[^\n]*"), 1, true), out)
    assert.is_truthy(out:find("liveAllocations = ", 1, true), out)
    assert.is_truthy(out:find("> lluvia.Session(", 1, true), out)
    assert.is_truthy(out:find("{\n  k1 = 1,\n  k10 = 10,\n", 1, true), out)
  end)

  it("keeps lua's errors and multi-line statements", function()
    local out, err, code = run_host({"-i"}, "error('boom')\nfor i = 1,\n2 do print(i) end\n")
    assert.are.equal(0, code, err)
    assert.is_truthy(err:find("stdin:1: boom", 1, true), err)
    assert.is_truthy(out:find(">> 1\n2\n", 1, true), out)
  end)

  describe("on a terminal", function()
    local history
    before_each(function() history = os.tmpname() os.remove(history) end)
    after_each(function() os.remove(history) end)

    it("edits lines with readline: the up arrow recalls the last statement", function()
      local out, err, code = on_terminal("print(6 * 7)\n\27[A\n", {LLUVIA_HISTORY = history})
      assert.are.equal(0, code, err)
      local _, n = out:gsub("\n42\n", "\n42\n")
      assert.are.equal(2, n, out)
      local _, prompts = out:gsub("> print%(6 %* 7%)\n", "")
      assert.are.equal(2, prompts, out) -- readline showed the recalled line
    end)

    it("keeps the history in $LLUVIA_HISTORY across sessions", function()
      on_terminal("x = 1\nreturn 'first'\n", {LLUVIA_HISTORY = history})
      local f = assert(io.open(history, "r"), "no history file")
      local text = f:read("a")
      f:close()
      assert.is_truthy(text:find("x = 1\n", 1, true), text)
      assert.is_truthy(text:find("return 'first'", 1, true), text)
      -- the next session starts with it: one up arrow is the last line of the last one
      local out = on_terminal("\27[A\n", {LLUVIA_HISTORY = history})
      assert.is_truthy(out:find("\nfirst\n", 1, true), out)
    end)

    it("reads plain stdin when LLUVIA_READLINE=0, as lua without readline", function()
      local out = on_terminal("print(6 * 7)\n\27[A\n", {LLUVIA_READLINE = "0",
        LLUVIA_HISTORY = history})
      local _, n = out:gsub("\n> 42\n", "")
      assert.are.equal(1, n, out) -- the arrow is no recall: the escape is read as Lua
      assert.is_truthy(out:find("\n> stdin:", 1, true), out)
      assert.is_nil(io.open(history, "r"))
    end)
  end)
end)

describe("ll.help", function()
  local function help_text(...)
    local lines = {}
    local saved = print
    _G.print = function(...)
      local parts = table.pack(...)
      for i = 1, parts.n do parts[i] = tostring(parts[i]) end
      lines[#lines + 1] = table.concat(parts, "\t")
    end
    local ok, err = pcall(ll.help, ...)
    _G.print = saved
    assert(ok, err)
    return table.concat(lines, "\n")
  end

  local function objects()
    local s = support.compute_session([[
      #version 450
      layout(local_size_x = 1) in;
      layout(binding = 0) buffer B { uint x[]; };
      void main() { x[0] = 1u; }
    ]])
    local mem = s:createMemory({"HostVisible"})
    local img = support.image_memory(s):createImage({4, 4, 4}, "Uint8")
    local program = s:compileProgram([[
      #version 450
      layout(local_size_x = 1) in;
      layout(binding = 0) buffer B { uint x[]; };
      void main() { x[0] = 1u; }
    ]])
    return {Session = s, Memory = mem, Buffer = mem:createBuffer(16), Image = img,
      ImageView = img:createImageView(), Program = program,
      CommandBuffer = s:createCommandBuffer(), ndarray = ll.ndarray({2}),
      ComputeNode = s:createComputeNode{program = program, functionName = "main",
        ports = {{binding = 0, name = "b", direction = "In", type = "Buffer"}}}}
  end

  it("lists every method of each class, with a line each", function()
    local registry = debug.getregistry()
    for name, obj in pairs(objects()) do
      local text = help_text(obj)
      assert.is_truthy(text:find("^lluvia%." .. name .. ": "), text)
      assert.is_truthy(text:find("\nmethods:\n", 1, true) and text:find("\nfields:\n", 1, true))
      for method in pairs(registry["lluvia." .. name .. ".methods"] or {}) do
        if not method:find("^_") then
          assert.is_truthy(text:find("\n  :" .. method .. "[%( ]"),
            ("%s:%s has no line in lua/help.lua CLASSES"):format(name, method))
        end
      end
      assert.are.equal(text, help_text("lluvia." .. name))
      assert.are.equal(text, help_text(name))
    end
  end)

  it("lists each documented field of a class, and each reads on an object", function()
    for name, obj in pairs(objects()) do
      local text = help_text(obj)
      for field in text:gmatch("\n  %.([%w_]+)") do
        local ok, err = pcall(function() return obj[field] end)
        assert(ok, name .. "." .. field .. ": " .. tostring(err))
      end
    end
    assert.is_truthy(help_text("Buffer"):find("\n  .size ", 1, true))
  end)

  it("lists every function of the module, and gives one's line by name or value", function()
    local text = help_text()
    for name, v in pairs(ll) do
      if type(v) == "function" and not name:find("^_") then
        assert.is_truthy(text:find("\n  ll." .. name .. "(", 1, true),
          ("ll.%s has no line in lua/help.lua FUNCTIONS"):format(name))
      end
    end
    assert.is_truthy(text:find("classes: Buffer, ", 1, true), text)
    local line = help_text("createSession")
    assert.is_truthy(line:find("^ll%.createSession%(options%): "), line)
    assert.are.equal(line, help_text(ll.createSession))
    assert.are.equal(line, help_text("ll.createSession"))
  end)

  it("gives a node builder's doc by name", function()
    local s = support.session()
    local text = help_text("lluvia/color/RGBA2Gray", s)
    assert.are.equal("node builder lluvia/color/RGBA2Gray:\n" .. s:help("lluvia/color/RGBA2Gray"),
      text)
  end)

  it("refuses what it cannot describe, naming it", function()
    support.raises("bad argument #1 to 'help' (no class, function or node builder named "
      .. "'nothing')", ll.help, "nothing")
    support.raises("bad argument #1 to 'help' (an lluvia object, a function of ll or a name "
      .. "expected, got number)", ll.help, 3)
  end)
end)
