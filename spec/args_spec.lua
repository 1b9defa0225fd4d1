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
    local msg = support.raises("bad argument #1 to 'createBuffer' (size must be a positive "
      .. "integer, got '" .. string.rep("y", 37) .. "...')",
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
                   "ll_lua_error"}
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

  -- Which argument a core error is about comes from ll_error.operand (errors as data).
  it("never pick an argument from the text of a core message", function()
    local p = assert(io.popen("cat src/binding/*.c"))
    local src = p:read("a")
    p:close()
    assert.is_true(#src > 10000, "binding sources not found")
    for call in src:gmatch("%f[%w_]str%w*%b()") do
      assert.is_falsy(call:find("message", 1, true), "the binding reads a message: " .. call)
    end
    assert.is_truthy(src:find("err.operand", 1, true))
  end)
end)

describe("integers and booleans", function()
  support.no_validation_messages()

  it("take integral floats for sizes, pages, shapes, indices and ids", function()
    local s = support.session()
    local mem <close> = s:createMemory({"HostVisible"}, 4096.0)
    assert.are.equal(4096, mem.pageSize)
    local buf <close> = mem:createBuffer(16.0)
    assert.are.equal(16, buf.size)
    assert.is_false(mem:isPageMappable(7.0))
    assert.are.same({2, 3}, ll.ndarray({2.0, 3.0}).shape)
    local imem <close> = support.image_memory(s)
    local img <close> = imem:createImage({4.0, 2})
    assert.are.equal(4, img.height)
    local a = ll.ndarray({2, 2}, "uint8")
    a[2.0] = 5
    a:set(6, 2.0, 2.0)
    assert.are.equal(6, a[4])
    local id = ll.getAvailableDevices()[1].id
    local by_float <close> = ll.createSession{device = id + 0.0}
    assert.are.equal(id, by_float.deviceId)
  end)

  it("refuse numeric strings everywhere, with one wording", function()
    local s = support.session()
    local mem <close> = s:createMemory({"HostVisible"})
    support.raises("size must be a positive integer, got '16'", mem.createBuffer, mem, "16")
    support.raises("pageSize must be an integer >= 0, got '4096'", s.createMemory, s,
      {"HostVisible"}, "4096")
    support.raises("page must be an integer >= 0, got '0'", mem.isPageMappable, mem, "0")
    support.raises("shape[1] must be a positive integer, got '2'", ll.ndarray, {"2", "3"})
    support.raises("shape[1] must be a positive integer, got '4'", mem.createImage, mem,
      {"4", "4"})
    support.raises("stagingSize must be a positive integer, got '65536'", ll.createSession,
      {stagingSize = "65536"})
    support.raises("device id must be an integer >= 0, got 0.5", ll.createSession,
      {device = 0.5})
    support.raises("budget must be a positive integer, got '1'", ll.setDeviceMemoryBudget, "1")
    local a = ll.ndarray({2}, "uint8")
    support.raises("ndarray index must be an integer, got '1'", function() a["1"] = 1 end)
  end)

  it("leave booleans true, false or nil, never a number or a string", function()
    local s = support.session()
    local mem <close> = s:createMemory({"DeviceLocal"})
    support.raises("exactFlagsMatch must be a boolean, got 1", s.createMemory, s,
      {"DeviceLocal"}, 1024, 1)
    support.raises("enableDebug must be a boolean, got 'yes'", ll.createSession,
      {enableDebug = "yes"})
    local img <close> = mem:createImage({4, 4})
    support.raises("sampled must be a boolean, got 0", img.createImageView, img, {sampled = 0})
  end)
end)

describe("dtypes and channel types", function()
  it("are refused with one wording wherever they are taken", function()
    local s = support.session()
    local mem <close> = s:createMemory({"HostVisible"})
    local buf <close> = mem:createBuffer(16)
    local tail = "(expected one of: uint8, int8, uint16, int16, float16, uint32, int32, "
      .. "float32, uint64, int64, float64, or their ChannelType names)"
    support.raises("unknown dtype 'f32' " .. tail, ll.ndarray, {2}, "f32")
    support.raises("unknown dtype 'f32' " .. tail, ll.ndarray.fromTable, {1}, "f32")
    support.raises("unknown dtype 'f32' " .. tail, ll.ndarray.fromString, "ab", nil, "f32")
    support.raises("unknown dtype 'f32' " .. tail, buf.toHost, buf, "f32")
    support.raises("unknown dtype 'f32' " .. tail, buf.map, buf, "f32")
    support.raises("unknown channelType 'f32' " .. tail, mem.createImage, mem, {4}, "f32")
    support.raises("unknown channelType 'f32' " .. tail, s.isImageFormatSupported, s, {4}, "f32")
    support.raises("unknown channelType 42 " .. tail, mem.createImage, mem, {4}, {channelType = 42})
  end)

  it("take either spelling, in any case", function()
    local mem <close> = support.image_memory()
    local img <close> = mem:createImage({4}, "float32")
    assert.are.equal("Float32", img.channelType)
    assert.are.equal("int16", ll.ndarray({2}, "INT16").dtype)
  end)
end)

describe("flags lists and options tables", function()
  support.no_validation_messages()

  local function memory() -- its objects are images too
    return support.image_memory()
  end

  it("refuse a table that mixes list entries and keys, naming the keys", function()
    local s = support.session()
    local msg = support.raises("bad argument #1 to 'createMemory' (a table mixes list entries "
      .. "and keys: unexpected key 'pageSize'",
      function() return s:createMemory({"HostVisible", pageSize = 4096}) end)
    assert.is_truthy(msg:find("options go in a table of their own", 1, true), msg)
    msg = support.raises("unexpected keys '", s.createMemory, s, {"HostVisible", a = 1, b = 2})
    assert.is_truthy(msg:find("'a'", 1, true) and msg:find("'b'", 1, true), msg)
    support.raises("unexpected key 'pageSize'", s.createMemory, s, {"HostVisible"},
      {4096, pageSize = 4096})
    local mem <close> = memory()
    support.raises("unexpected key 'foo'", mem.createBuffer, mem, 16, {"StorageBuffer", foo = 1})
    support.raises("unexpected key 'usageFlags'", mem.createImage, mem, {4}, "Uint8",
      {"Storage", usageFlags = {"Storage"}})
    support.raises("unexpected key 'channelType'", mem.createImage, mem, {4},
      {"Int8", channelType = "Int8"})
    local arr = ll.ndarray({4}, "uint8")
    support.raises("unexpected key 'x'", mem.createBufferFromHost, mem, arr, {"TransferSrc", x = 1})
    support.raises("unexpected key 'x'", mem.createBufferLike, mem, arr, {"TransferSrc", x = 1})
    support.raises("unexpected key 'sampled'", mem.createImageFromHost, mem, arr,
      {"TransferDst", sampled = true})
    support.raises("unexpected key 'sampled'", mem.createImageViewFromHost, mem, arr,
      {"TransferDst", sampled = true})
    support.raises("unexpected key 'x'", s.isImageFormatSupported, s, {4}, "Uint8",
      {"Storage", x = 1})
    local img <close> = mem:createImage({4, 4})
    support.raises("unexpected key 'sampled'", img.createImageView, img,
      {"Linear", sampled = true})
    support.raises("unknown option 1", ll.createSession, {"x", enableDebug = true})
    assert.are.equal(0, mem.stats.objects - 1) -- only img: nothing made by the failed calls
  end)

  it("refuse a flags list with holes", function()
    local mem <close> = memory()
    support.raises("BufferUsageFlagBits must be a list without holes", mem.createBuffer, mem, 16,
      {[1] = "StorageBuffer", [3] = "TransferSrc"})
  end)

  it("refuse more positional arguments than the call takes", function()
    local s = support.session()
    local mem <close> = memory()
    support.raises("bad argument #4 to 'createImage' (at most 3 arguments expected, got "
      .. "'extra' after them)",
      function() return mem:createImage({4}, "Uint8", "Storage", "extra") end)
    support.raises("at most 3 arguments expected", s.createMemory, s, {"HostVisible"}, 1024,
      false, "extra")
    local img <close> = mem:createImage({4, 4})
    support.raises("at most 4 arguments expected", img.createImageView, img, "Nearest",
      "Repeat", false, false, true)
  end)

  it("still take a trailing options table, and an empty list as a list", function()
    local s = support.session()
    local m <close> = s:createMemory({"DeviceLocal"}, {pageSize = 4096})
    assert.are.equal(4096, m.pageSize)
    local any <close> = s:createMemory({}, {pageSize = 8192})
    assert.are.equal(8192, any.pageSize)
    local img <close> = m:createImage({4}, {channelType = "Int8", usageFlags = {"Storage"}})
    assert.are.same({"Storage"}, img.usageFlags)
  end)
end)

describe("classes", function()
  support.no_validation_messages()

  it("print and release every object the same way", function()
    local s <close> = ll.createSession{enableDebug = true}
    local mem = support.image_memory(s)
    local buf = mem:createBuffer(16)
    local img = mem:createImage({4, 4})
    local view = img:createImageView()
    for _, case in ipairs({{s, "Session"}, {mem, "Memory"}, {buf, "Buffer"}, {img, "Image"},
                           {view, "ImageView"}}) do
      local obj, name = case[1], case[2]
      assert.is_truthy(tostring(obj):find("^lluvia%." .. name .. "%(.+%)$"), tostring(obj))
    end
    assert.are.equal("lluvia.Buffer(16 bytes, page 0, offset 0)", tostring(buf))
    assert.is_truthy(tostring(view):find("; not sampled)", 1, true), tostring(view))
    for _, obj in ipairs({view, img, buf, mem}) do
      local name = getmetatable(obj)
      obj:release()
      obj:release() -- a second release does nothing
      assert.are.equal(name .. " (released)", tostring(obj))
      getmetatable(obj) -- the class name stays readable
    end
    support.raises("lluvia: Buffer has been released", function() return buf.size end)
  end)
end)
