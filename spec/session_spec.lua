-- session_spec.lua: API.md "Session": devices, createSession and its options, memory type
-- flags, validation, lifetime. (Enumerations: enums_spec.lua.)
local ll = require "lluvia"
local support = require "support"

describe("ll.getAvailableDevices", function()
  it("lists at least one device with id, name, deviceType and apiVersion", function()
    local devices = ll.getAvailableDevices()
    assert.is_true(#devices >= 1)
    for i, d in ipairs(devices) do
      assert.are.equal(i - 1, d.id)
      assert.is_string(d.name)
      assert.is_truthy(({DiscreteGpu = 1, IntegratedGpu = 1, VirtualGpu = 1, Cpu = 1,
        Other = 1})[d.deviceType])
      assert.is_truthy(d.apiVersion:match("^%d+%.%d+%.%d+$"))
    end
  end)
end)

describe("ll.createSession", function()
  support.no_validation_messages()

  it("opens the default device", function()
    local s <close> = ll.createSession()
    assert.is_string(s.deviceName)
    assert.is_string(s.deviceType)
    local devices = ll.getAvailableDevices()
    local expected = devices[1]
    for _, d in ipairs(devices) do
      if d.deviceType == "DiscreteGpu" then expected = d break end
    end
    if not os.getenv("LLUVIA_DEVICE") then
      assert.are.equal(expected.name, s.deviceName)
      assert.are.equal(expected.id, s.deviceId)
    end
  end)

  it("chooses a device by id and by a case-insensitive name substring", function()
    local d = ll.getAvailableDevices()[1]
    local by_id <close> = ll.createSession{device = d.id}
    assert.are.equal(d.name, by_id.deviceName)
    local by_name <close> = ll.createSession{device = d.name:sub(1, 4):upper()}
    assert.are.equal(d.name, by_name.deviceName)
  end)

  it("rejects a device that does not exist, naming it and listing the devices", function()
    local msg = support.raises("no device matches 'no such gpu'", ll.createSession,
      {device = "no such gpu"})
    assert.is_truthy(msg:find("bad argument #1 to '[%w.]*createSession'"))
    assert.is_truthy(msg:find(ll.getAvailableDevices()[1].name, 1, true))
    support.raises("no device matches '99'", ll.createSession, {device = 99})
    support.raises("device id must be an integer >= 0, got -1", ll.createSession, {device = -1})
    support.raises("device must be an id or a name, got true", ll.createSession, {device = true})
  end)

  it("rejects unknown options and mistyped ones", function()
    support.raises("unknown option 'enableDebgu'", ll.createSession, {enableDebgu = true})
    support.raises("enableDebug must be a boolean, got 1", ll.createSession, {enableDebug = 1})
    support.raises("bufferImageGranularity must be a power of two, got 1000",
      ll.createSession, {bufferImageGranularity = 1000})
    support.raises("stagingSize must be a positive integer, got 0", ll.createSession,
      {stagingSize = 0})
    support.raises("stagingSize must be a positive integer, got '65536'", ll.createSession,
      {stagingSize = "65536"})
    support.raises("bufferImageGranularity must be a positive integer, got 1.5",
      ll.createSession, {bufferImageGranularity = 1.5})
    support.raises("table expected, got string", ll.createSession, "debug")
  end)

  it("turns the validation layer on with enableDebug", function()
    local s = support.session()
    assert.is_true(s.validationEnabled)
    assert.is_false(s:hasReceivedVulkanWarningMessages())
  end)

  it("takes forceStaging, stagingSize and a larger bufferImageGranularity", function()
    local s <close> = ll.createSession{forceStaging = true, stagingSize = 1 << 20,
      bufferImageGranularity = 4096, enableDebug = true}
    assert.is_true(s.forceStaging)
    assert.are.equal(1 << 20, s.stagingSize)
    assert.are.equal(4096, s.bufferImageGranularity)
  end)

  it("gives sessions with the same options separate objects", function()
    local a <close> = ll.createSession{enableDebug = true}
    local b <close> = ll.createSession{enableDebug = true}
    assert.are_not.equal(a, b)
    a:release()
    assert.is_string(b.deviceName) -- b still works after a is released
    assert.are.same(support.session():getSupportedMemoryPropertyFlags(),
      b:getSupportedMemoryPropertyFlags())
  end)
end)

describe("Session", function()
  support.no_validation_messages()

  it("lists one table of flag names per memory type", function()
    local flags = support.session():getSupportedMemoryPropertyFlags()
    assert.is_true(#flags >= 1)
    local order = {DeviceLocal = 1, HostVisible = 2, HostCoherent = 3, HostCached = 4,
      LazilyAllocated = 5}
    for _, list in ipairs(flags) do
      local last = 0
      for _, name in ipairs(list) do
        assert.is_truthy(order[name], name)
        assert.is_true(order[name] > last, "flags in the enumeration's order")
        last = order[name]
      end
    end
  end)

  it("raises on every use after release, and releases twice quietly", function()
    local s = ll.createSession{enableDebug = true}
    s:release()
    s:release()
    support.raises("lluvia: Session has been released", function() return s.deviceName end)
    support.raises("lluvia: Session has been released", s.getSupportedMemoryPropertyFlags, s)
    assert.are.equal("lluvia.Session (released)", tostring(s))
  end)

  it("closes with <close> and is collected without release", function()
    local name
    do
      local s <close> = ll.createSession{enableDebug = true}
      name = s.deviceName
    end
    assert.is_string(name)
    ll.createSession{enableDebug = true} -- dropped: __gc releases it
    collectgarbage()
    collectgarbage()
  end)

  it("has read-only fields and a readable tostring", function()
    local s = support.session()
    support.raises("lluvia: lluvia.Session field 'deviceName' is read-only",
      function() s.deviceName = "x" end)
    assert.is_truthy(tostring(s):find("lluvia.Session(", 1, true))
    assert.are.equal("lluvia.Session", getmetatable(s))
  end)

  it("rejects methods called on other values", function()
    local s = support.session()
    support.raises("Session expected, got 42", s.getSupportedMemoryPropertyFlags, 42)
  end)
end)

describe("no Vulkan device", function()
  it("is a lluvia: error that says how to get one", function()
    local _, err, code = support.run_host({"-e", "require('lluvia').createSession()"}, nil,
      {VK_DRIVER_FILES = "/nonexistent.json", VK_ICD_FILENAMES = "/nonexistent.json"})
    assert.are_not.equal(0, code)
    assert.is_truthy(err:find("lluvia:", 1, true), err)
    assert.is_truthy(err:find("mesa-vulkan-drivers", 1, true), err)
  end)
end)

describe("environment flags", function()
  -- The host prints what a session made with no options has in force.
  local script = [[
    local s = require('lluvia').createSession()
    print(s.forceStaging, s.validationEnabled)
  ]]
  local function session_with(env)
    return support.run_host({"-e", script}, nil, env)
  end

  it("take 1, true, yes and on, in any case, as on", function()
    for _, v in ipairs({"1", "true", "TRUE", "Yes", "on", "On"}) do
      local out, err, code = session_with({LLUVIA_FORCE_STAGING = v, LLUVIA_ENABLE_DEBUG = "0"})
      assert.are.equal(0, code, err)
      assert.are.equal("true\tfalse\n", out, v)
    end
  end)

  it("take 0, false, no, off and empty, in any case, as off", function()
    for _, v in ipairs({"0", "false", "FALSE", "no", "No", "off", "OFF", ""}) do
      local out, err, code = session_with({LLUVIA_FORCE_STAGING = v, LLUVIA_ENABLE_DEBUG = v})
      assert.are.equal(0, code, err)
      assert.are.equal("false\tfalse\n", out, v)
    end
  end)

  it("turn validation on with yes as with 1", function()
    local one = session_with({LLUVIA_ENABLE_DEBUG = "1"})
    local yes = session_with({LLUVIA_ENABLE_DEBUG = "yes"})
    assert.are.equal(one, yes)
    assert.is_truthy(yes:find("\ttrue\n", 1, true), yes) -- the specs run with the layer
  end)

  it("refuse any other value, naming the variable and the value", function()
    for name, v in pairs({LLUVIA_FORCE_STAGING = "maybe", LLUVIA_ENABLE_DEBUG = "2",
                          LLUVIA_VALIDATE_SYNC = "sometimes"}) do
      local out, err, code = session_with({[name] = v})
      assert.are_not.equal(0, code)
      assert.are.equal("", out)
      local want = ("%s must be one of 1, 0, true, false, yes, no, on, off; got '%s'")
        :format(name, v)
      assert.is_truthy(err:find("bad argument #1 to 'createSession' (" .. want .. ")", 1, true),
        err)
    end
  end)
end)

describe("ll.clock", function()
  it("is a monotonic clock in seconds that advances", function()
    local t0 = ll.clock()
    assert.are.equal("float", math.type(t0))
    local t1
    repeat t1 = ll.clock() until t1 > t0
    assert.is_true(t1 - t0 < 1, "advances by small steps")
  end)
end)
