-- transfers_spec.lua: docs/memory.md "Transfer paths": buf:fromHost / buf:toHost /
-- createBufferFromHost by every path (memcpy through the mapping, staging, one
-- vkCmdUpdateBuffer, one copy from or to the array's own pages imported with
-- VK_EXT_external_memory_host), each forced with the session option transferPath so that
-- all of them run on lavapipe (whose memory is all host-visible); the import cached with
-- the array, and arrays and sessions collectable in any order. ll._debug.transferStats()
-- counts the transfers by path and the imports.
local ll = require "lluvia"
local support = require "support"

local stats = ll._debug.transferStats
local MiB = 1 << 20
-- LLUVIA_FORCE_STAGING=1 (the second run of scripts/test.sh) makes "auto" sessions stage;
-- a path asked for by name wins over it.
local FORCED = os.getenv("LLUVIA_FORCE_STAGING") == "1"

-- Runs f and returns what transferStats counted meanwhile.
local function counted(f)
  local before = stats()
  f()
  local after, d = stats(), {}
  for k, v in pairs(after) do d[k] = v - before[k] end
  return d
end

local function pattern(n, seed)
  local a = ll.ndarray({n}, "uint8")
  for i = 1, n, 61 do a[i] = (i * seed) % 251 end
  a[n] = seed % 256
  return a
end

local function import_possible()
  -- An import made by a session that asks for them is the test of the device's extension.
  local s = support.session({transferPath = "import"})
  local buf <close> = s:createMemory({"DeviceLocal"}):createBuffer(MiB)
  local a <close> = ll.ndarray({MiB}, "uint8")
  return counted(function() buf:fromHost(a) end).import == 1
end

describe("transferPath", function()
  support.no_validation_messages()

  it("is a session option and field: auto, direct, staging, import", function()
    for _, p in ipairs{"direct", "staging", "import"} do
      assert.are.equal(p, support.session({transferPath = p}).transferPath)
    end
    assert.are.equal(FORCED and "staging" or "auto", support.session().transferPath)
    assert.is_true(support.session({transferPath = "staging"}).forceStaging)
    assert.is_false(support.session({transferPath = "import"}).forceStaging)
  end)

  it("rejects an unknown path, a non-string and a contradiction, naming them", function()
    local ok, e = pcall(ll.createSession, {transferPath = "fast"})
    assert.is_false(ok)
    assert.matches("transferPath must be one of auto, direct, staging, import, got 'fast'", e)
    ok, e = pcall(ll.createSession, {transferPath = 3})
    assert.is_false(ok)
    assert.matches("transferPath must be one of .*got 3", e)
    ok, e = pcall(ll.createSession, {transferPath = "import", forceStaging = true})
    assert.is_false(ok)
    assert.matches("forceStaging = true contradicts transferPath 'import'", e)
  end)

  it("LLUVIA_TRANSFER_PATH sets it, and a bad value fails the session", function()
    local function run(env, code)
      local cmd = ("%s %s -e %q 2>&1"):format(env, support.host, code)
      local p = io.popen(cmd)
      local out = p:read("a")
      p:close()
      return out
    end
    assert.matches("import", run("LLUVIA_TRANSFER_PATH=import",
      'print(require("lluvia").createSession().transferPath)'))
    assert.matches("LLUVIA_TRANSFER_PATH must be one of auto, direct, staging, import, got 'x'",
      run("LLUVIA_TRANSFER_PATH=x", 'require("lluvia").createSession()'))
    -- the options come first: forceStaging is not contradicted by the environment
    assert.matches("staging", run("LLUVIA_TRANSFER_PATH=import",
      'print(require("lluvia").createSession{forceStaging = true}.transferPath)'))
    assert.matches("direct", run("LLUVIA_TRANSFER_PATH=import",
      'print(require("lluvia").createSession{transferPath = "direct"}.transferPath)'))
  end)
end)

describe("every transfer path", function()
  support.no_validation_messages()

  -- Sizes around each path's limits: tiny, not a multiple of 4, vkCmdUpdateBuffer's
  -- 65536, just past it (page-aligned storage), the import threshold, several staging
  -- chunks (stagingSize 1 MiB).
  local SIZES = {4, 6, 4096, 65536, 65540, MiB, 3 * MiB + 20}
  for _, path in ipairs{"auto", "direct", "staging", "import"} do
    for _, flags in ipairs{{"DeviceLocal"}, {"HostVisible"}} do
      it(("moves the bytes exactly (%s, %s)"):format(path, flags[1]), function()
        local mem = support.session({transferPath = path, stagingSize = MiB}):createMemory(flags)
        for _, n in ipairs(SIZES) do
          local src <close> = pattern(n, n % 7 + 3)
          local buf <close> = mem:createBuffer(n)
          buf:fromHost(src)
          local out <close> = ll.ndarray({n}, "uint8")
          support.same_array(src, buf:toHost(out))
          support.same_array(src, buf:toHost())
          local made <close> = mem:createBufferFromHost(src)
          support.same_array(src, made:toHost())
        end
      end)
    end
  end

  it("direct (and auto on host-visible memory) copies through the mapping", function()
    for _, path in ipairs{"direct", "auto"} do
      local mem = support.session({transferPath = path}):createMemory({"HostVisible"})
      local buf <close> = mem:createBuffer(MiB)
      local a <close> = pattern(MiB, 5)
      local d = counted(function() buf:fromHost(a); buf:toHost(a) end)
      local staged = FORCED and path == "auto"
      assert.are.same(staged and {0, 2, 0, 0} or {2, 0, 0, 0},
        {d.direct, d.staging, d.update, d.import}, path)
    end
  end)

  it("staging stages every transfer, small writes too", function()
    local mem = support.session({transferPath = "staging"}):createMemory({"DeviceLocal"})
    local buf <close> = mem:createBuffer(4096)
    local a <close> = pattern(4096, 5)
    local d = counted(function() buf:fromHost(a); buf:toHost(a) end)
    assert.are.same({0, 2, 0, 0}, {d.direct, d.staging, d.update, d.import})
  end)

  it("import writes up to 64 KiB in multiples of 4 with vkCmdUpdateBuffer, else stages", function()
    local mem = support.session({transferPath = "import"}):createMemory({"DeviceLocal"})
    for _, case in ipairs{{4, 1, 0}, {65536, 1, 0}, {6, 0, 1}, {4098, 0, 1}} do
      local n, update, staging = case[1], case[2], case[3]
      local buf <close> = mem:createBuffer(n)
      local a <close> = pattern(n, 9)
      local d = counted(function() buf:fromHost(a) end)
      assert.are.same({update, staging, 0}, {d.update, d.staging, d.import}, "size " .. n)
      support.same_array(a, buf:toHost())
    end
  end)
end)

describe("imported arrays", function()
  support.no_validation_messages()
  if not import_possible() then
    it("cannot be tested: the device has no VK_EXT_external_memory_host", function()
      assert.is_nil(ll.createSession{enableDebug = true}.deviceName:find("llvmpipe"),
        "lavapipe has the extension: imports must work there")
    end)
    return
  end

  local function import_memory(flags)
    return support.session({transferPath = "import"}):createMemory(flags or {"DeviceLocal"})
  end

  it("are imported once, on the first transfer, and copied with no memcpy", function()
    local buf <close> = import_memory():createBuffer(2 * MiB)
    local a <close> = pattern(2 * MiB, 3)
    local out <close> = ll.ndarray({2 * MiB}, "uint8")
    local d = counted(function() buf:fromHost(a) end)
    assert.are.same({1, 1, 0, 0}, {d.import, d.importsMade, d.staging, d.direct})
    d = counted(function() buf:fromHost(a); buf:toHost(out); buf:toHost(out) end)
    assert.are.same({3, 1, 0}, {d.import, d.importsMade, d.staging})
    support.same_array(a, out)
  end)

  it("see writes made to the array after the import, and toHost's bytes", function()
    local buf <close> = import_memory():createBuffer(MiB)
    local a <close> = pattern(MiB, 3)
    buf:fromHost(a)
    a[1], a[MiB] = 200, 201
    buf:fromHost(a)
    local out <close> = ll.ndarray({MiB}, "uint8")
    buf:toHost(out)
    assert.are.same({200, 201}, {out[1], out[MiB]})
    out[7] = 99 -- the host writes an imported array as any other
    buf:toHost(out)
    assert.are.equal(a[7], out[7])
  end)

  it("end with the array", function()
    local buf <close> = import_memory():createBuffer(MiB)
    collectgarbage(); collectgarbage()
    local live = stats().importsLive
    local a = pattern(MiB, 4)
    buf:fromHost(a)
    assert.are.equal(live + 1, stats().importsLive)
    a:release()
    assert.are.equal(live, stats().importsLive)
    local b = pattern(MiB, 5)
    buf:fromHost(b)
    b = nil
    collectgarbage(); collectgarbage()
    assert.are.equal(live, stats().importsLive)
  end)

  it("end with the session, and the array stays valid and imports again elsewhere", function()
    collectgarbage(); collectgarbage()
    local live = stats().importsLive
    local a <close> = pattern(MiB, 6)
    do
      local s <close> = ll.createSession{enableDebug = true, transferPath = "import"}
      local buf <close> = s:createMemory({"DeviceLocal"}):createBuffer(MiB)
      buf:fromHost(a)
      assert.are.equal(live + 1, stats().importsLive)
    end
    collectgarbage(); collectgarbage() -- the Memory, which holds the session
    assert.are.equal(live, stats().importsLive)
    a[1] = 77
    assert.are.equal(77, a[1])
    local buf <close> = import_memory():createBuffer(MiB)
    buf:fromHost(a)
    assert.are.equal(live + 1, stats().importsLive)
    support.same_array(a, buf:toHost())
  end)

  it("are collectable with their sessions in any order", function()
    collectgarbage(); collectgarbage()
    local live = stats().importsLive
    for order = 1, 2 do
      local s = ll.createSession{enableDebug = true, transferPath = "import"}
      local mem = s:createMemory({"DeviceLocal"})
      local buf = mem:createBuffer(MiB)
      local a = pattern(MiB, order)
      buf:fromHost(a)
      if order == 1 then s, mem, buf = nil, nil, nil; collectgarbage(); collectgarbage() end
      a = nil
      collectgarbage(); collectgarbage()
      s, mem, buf = nil, nil, nil
      collectgarbage(); collectgarbage()
      assert.are.equal(live, stats().importsLive, "order " .. order)
    end
  end)

  it("are not made of foreign memory (a mapped view), which stages", function()
    local mapped <close> = import_memory({"HostVisible"}):createBuffer(MiB)
    local src = pattern(MiB, 8)
    mapped:fromHost(src)
    local buf <close> = import_memory():createBuffer(MiB)
    local view <close> = mapped:map("uint8")
    local d = counted(function() buf:fromHost(view) end)
    assert.are.same({0, 1, 0}, {d.import, d.staging, d.importsMade})
    support.same_array(src, buf:toHost())
  end)

  it("leave the buffer as it was when the array has been released", function()
    local buf <close> = import_memory():createBuffer(MiB)
    local a = pattern(MiB, 2)
    buf:fromHost(a)
    local b = pattern(MiB, 3)
    b:release()
    local ok, e = pcall(buf.fromHost, buf, b)
    assert.is_false(ok)
    assert.matches("ndarray has been released", e)
    ok, e = pcall(buf.toHost, buf, b)
    assert.is_false(ok)
    assert.matches("ndarray has been released", e)
    support.same_array(a, buf:toHost())
  end)

  it("pass by default (auto) only where the host cannot map the memory", function()
    local mem = support.session():createMemory({"DeviceLocal"})
    local buf <close> = mem:createBuffer(MiB)
    local a <close> = pattern(MiB, 1)
    local d = counted(function() buf:fromHost(a) end)
    if mem.isMappable or FORCED then
      assert.are.equal(0, d.import)
    else
      assert.are.equal(1, d.import)
    end
  end)
end)

describe("images and imported arrays", function()
  support.no_validation_messages()

  for _, case in ipairs{{{256, 256, 4}, "uint8", "Uint8"}, {{64, 300, 4}, "float32", "Float32"},
                        {{33, 17, 4}, "uint8", "Uint8"}} do
    it(("move the texels exactly through the import (%s %s)"):format(
      table.concat(case[1], "x"), case[2]), function()
      local mem = support.session({transferPath = "import"}):createMemory({"DeviceLocal"})
      local img <close> = mem:createImage(case[1], case[3])
      local n = case[1][1] * case[1][2] * case[1][3]
      local src <close> = ll.ndarray(case[1], case[2])
      local flat = src:reshape({n})
      for i = 1, n, 7 do flat[i] = i % 200 end
      local out <close> = ll.ndarray(case[1], case[2])
      local d = counted(function() img:fromHost(src); img:toHost(out) end)
      -- storage of 64 KiB and more is page-aligned and imported; smaller arrays stage
      local bytes = n * (case[2] == "uint8" and 1 or 4)
      assert.are.equal(bytes >= 65536 and 2 or 0, d.importsMade)
      support.same_array(src, out)
      support.same_array(src, img:toHost())
    end)
  end
end)
