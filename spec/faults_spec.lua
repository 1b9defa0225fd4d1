-- faults_spec.lua: every failure path of the create calls, driven by fault injection
-- (ll._debug.failAfter, docs/faults.md), as SQLite's do_malloc_test does it: for n = 1, 2,
-- ... the n-th host allocation, then the n-th checked Vulkan call of the core fails, until
-- the call runs through with no fault reached. After every injected failure the error is a
-- clean `lluvia:` error, the Memories' stats and the process's live device memory are as
-- before, and every object involved still validates (ll._debug.validate).
local ll = require "lluvia"
local support = require "support"

local fault = ll._debug
local KINDS = {"host", "vulkan", "deviceMemory"}
local MAX_N = 1000 -- far more hooks than any create call reaches
local PAGE = 1 << 20

-- What a failed call must leave as it was.
local function snapshot(memories)
  local d = ll.deviceMemoryStats()
  local s = {liveBytes = d.liveBytes, liveAllocations = d.liveAllocations, memories = {}}
  for i, m in ipairs(memories) do s.memories[i] = m.stats end
  return s
end

local function release_all(list)
  for i = #list, 1, -1 do list[i]:release() end
end

local function assert_valid(obj, context)
  local ok, why = fault.validate(obj)
  assert(ok, context .. ": " .. tostring(obj) .. " does not validate: " .. tostring(why))
end

-- Drives every failure path of one call. Each round, t.setup() returns a context:
-- {memories = {...} whose stats must not change, validate = {...} objects that must stay
-- valid, owned = {...} released after the round}; t.call(ctx) makes the object;
-- t.check(result, ctx) looks at a success, which is then released (t.release, or
-- result:release()). With t.caches, what the session keeps of a failed call (its staging
-- buffer) is let through the device check right after the failure; every round must still
-- end with the process's device memory as it began. Returns the failures per kind.
local function drive(t)
  -- A first round without faults makes what sessions keep (staging buffers), so that
  -- every round after it starts from the same state.
  local warm = t.setup and t.setup() or {}
  local result = t.call(warm)
  if t.check then t.check(result, warm) end -- checks may make them too (toHost: staging)
  if t.release then t.release(result) else result:release() end
  release_all(warm.owned or {})
  collectgarbage() -- earlier garbage must not be finalized (freeing memory) in a round
  collectgarbage()
  local failures = {}
  for _, kind in ipairs(KINDS) do
    failures[kind] = 0
    local n, done = 0, false
    while not done do
      n = n + 1
      assert(n <= MAX_N, kind .. " faults: the call never ran through")
      local context = ("%s fault %d"):format(kind, n)
      local outer = snapshot({})
      local ctx = t.setup and t.setup() or {}
      local memories = ctx.memories or {}
      local before = snapshot(memories)
      fault.clearFaults()
      fault.failAfter(n, kind)
      local ok, result = pcall(t.call, ctx)
      local fired = fault.faultsFired()
      fault.clearFaults()
      if ok then
        if type(result) == "userdata" then assert_valid(result, context) end
        if t.check then t.check(result, ctx) end
        if t.release then t.release(result) else result:release() end
        done = fired == 0
      else
        assert(fired == 1, context .. ": failed with no fault fired: " .. tostring(result))
        local message = tostring(result):gsub("^[^:]*:%d+: ", "") -- where it was raised
        assert(message:find("^lluvia: "), context .. ": not a lluvia: error: " .. message)
        local after = snapshot(memories)
        if t.caches then before.liveBytes, after.liveBytes = 0, 0 end
        if t.caches then before.liveAllocations, after.liveAllocations = 0, 0 end
        assert.are.same(before, after, context .. ": " .. message)
        failures[kind] = failures[kind] + 1
      end
      for _, obj in ipairs(ctx.validate or {}) do assert_valid(obj, context) end
      for _, m in ipairs(memories) do assert_valid(m, context) end
      release_all(ctx.owned or {})
      assert.are.same(outer, snapshot({}), context .. ": device memory left after the round")
    end
  end
  return failures
end

describe("ll._debug", function()
  support.no_validation_messages()
  after_each(function() fault.clearFaults() end)

  it("failAfter makes the n-th host allocation of the core fail, once", function()
    local mem <close> = support.session():createMemory({"HostVisible"}, PAGE)
    fault.failAfter(1, "host")
    support.raises("lluvia: out of host memory creating a buffer", mem.createBuffer, mem, 16)
    assert.are.equal(1, fault.faultsFired())
    local buf <close> = mem:createBuffer(16) -- disarmed once fired
    assert.are.equal(1, fault.faultsFired())
    fault.clearFaults()
    assert.are.equal(0, fault.faultsFired())
  end)

  it("failAfter makes the n-th checked Vulkan call fail with VK_ERROR_OUT_OF_HOST_MEMORY",
    function()
      local mem <close> = support.session():createMemory({"HostVisible"}, PAGE)
      fault.failAfter(1, "vulkan")
      support.raises("lluvia: vkCreateBuffer: VK_ERROR_OUT_OF_HOST_MEMORY", mem.createBuffer,
        mem, 16)
      assert.are.equal(1, fault.faultsFired())
    end)

  it("failAfter 'deviceMemory' fails it with VK_ERROR_OUT_OF_DEVICE_MEMORY, which a create " ..
    "survives by collecting and trying again", function()
      local mem <close> = support.session():createMemory({"HostVisible"}, PAGE)
      local before = ll.deviceMemoryStats().retryCollections
      fault.failAfter(1, "deviceMemory")
      local buf <close> = mem:createBuffer(16)
      assert.are.equal(1, fault.faultsFired())
      assert.are.equal(before + 1, ll.deviceMemoryStats().retryCollections)
      fault.clearFaults()
      local out = mem:createBuffer(16)
      fault.failAfter(1, "deviceMemory") -- a copy is not retried
      support.raises(": VK_ERROR_OUT_OF_DEVICE_MEMORY", buf.copy, buf, out)
      out:release()
    end)

  it("a fault not reached fires nothing, and clearFaults disarms it", function()
    local mem <close> = support.session():createMemory({"HostVisible"}, PAGE)
    fault.failAfter(MAX_N, "vulkan")
    local a <close> = mem:createBuffer(16)
    assert.are.equal(0, fault.faultsFired())
    fault.failAfter(1, "host")
    fault.failAfter(0, "host")
    local b <close> = mem:createBuffer(16)
    fault.clearFaults()
    for _ = 1, 3 do mem:createBuffer(16):release() end
    assert.are.equal(0, fault.faultsFired())
  end)

  it("failAfter refuses bad arguments", function()
    local function fail_after(...) fault.failAfter(...) end
    support.raises("bad argument #1 to 'failAfter' (n must be an integer >= 0, got -1)",
      fail_after, -1, "host")
    support.raises("bad argument #1 to 'failAfter' (n must be an integer >= 0, got '1')",
      fail_after, "1", "host")
    local kinds = "kind must be 'host', 'vulkan' or 'deviceMemory', got "
    support.raises("bad argument #2 to 'failAfter' (" .. kinds .. "'device')", fail_after, 1,
      "device")
    support.raises("bad argument #2 to 'failAfter' (" .. kinds .. "nil)", fail_after, 1, nil)
    support.raises("bad argument #2 to 'failAfter' (" .. kinds .. "no value)", fail_after, 1)
    assert.are.equal(0, fault.faultsFired())
  end)

  it("validate checks Sessions, Memories, Buffers, Images, ImageViews, Programs and ndarrays",
    function()
      local s = support.session()
      local mem <close> = s:createMemory({"HostVisible"}, PAGE)
      local buf <close> = mem:createBuffer(64)
      local imem <close> = support.image_memory(s, PAGE)
      local img <close> = imem:createImage({4, 4}, "Uint8")
      local view <close> = img:createImageView()
      local program <close> = s:compileProgram("#version 450\nvoid main() {}\n")
      local arr = ll.ndarray({2, 3}, "float32")
      local mapped <close> = buf:map("uint32")
      for _, obj in ipairs({s, mem, imem, buf, img, view, program, arr, arr:reshape({6}),
                            mapped}) do
        assert.are.same({true}, {fault.validate(obj)})
      end
      arr:release() -- a released array is valid: its storage ended
      assert.are.same({true}, {fault.validate(arr)})
    end)

  it("validate refuses other values and released objects", function()
    local function validate(...) return fault.validate(...) end
    support.raises("bad argument #1 to 'validate' (Session, Memory, Buffer, Image, ImageView, " ..
      "Program, ComputeNode, CommandBuffer or ndarray expected, got 42)", validate, 42)
    support.raises("bad argument #1 to 'validate'", validate, {1, 2})
    local mem = support.session():createMemory()
    mem:release()
    support.raises("lluvia: Memory has been released", fault.validate, mem)
  end)
end)

describe("every failure path leaves everything as it was", function()
  support.no_validation_messages()
  after_each(function() fault.clearFaults() end)

  -- A shared session whose staging buffer exists already, so that a transfer's failure can
  -- be checked for leaving the device memory exactly as it was.
  local function staged_session()
    local s = support.session({forceStaging = true})
    local mem <close> = s:createMemory({"DeviceLocal"}, PAGE)
    local buf <close> = mem:createBuffer(16)
    buf:fromHost(ll.ndarray({16}, "uint8"))
    return s
  end

  local function memory_ctx(flags, session)
    local mem = (session or support.session()):createMemory(flags, PAGE)
    return {mem = mem, memories = {mem}, owned = {mem}}
  end

  -- A context with a Memory and `make(mem)`'s object in it, made before the faults.
  local function with(flags, session, make)
    return function()
      local ctx = memory_ctx(flags, session and session())
      ctx.object = make(ctx.mem)
      table.insert(ctx.owned, ctx.object)
      ctx.validate = {ctx.object}
      return ctx
    end
  end

  local function bytes(n, seed)
    local a = ll.ndarray({n}, "uint8")
    for i = 1, n do a[i] = (i * 7 + seed) % 251 end
    return a
  end

  local function nothing() end

  -- Drives buf:fromHost(source) on the buffer that setup() makes, then buf:toHost() on one
  -- that holds source already, checking what comes back. Returns both drives' failures.
  local function drive_round_trip(setup, source)
    local up = drive({
      setup = setup,
      call = function(ctx) return ctx.object:fromHost(source) end,
      release = nothing,
    })
    local down = drive({
      setup = function()
        local ctx = setup()
        ctx.object:fromHost(source)
        return ctx
      end,
      call = function(ctx) return ctx.object:toHost() end,
      check = function(result) support.same_array(source, result) end,
    })
    return up, down
  end

  it("ll.createSession", function()
    local failures = drive({
      call = function() return ll.createSession({enableDebug = true}) end,
      check = function(s) assert_valid(s, "created") end,
    })
    assert.is_true(failures.host >= 1 and failures.vulkan >= 3)
  end)

  it("ll.createSession in a fresh process, which makes the instance and device too", function()
    local out, err, code = support.run_host({"spec/faults_session.lua"})
    assert.are.equal(0, code, err)
    local host, vulkan = out:match("host (%d+) vulkan (%d+)")
    assert.is_truthy(host, out)
    assert.is_true(tonumber(host) >= 5 and tonumber(vulkan) >= 8, out)
  end)

  it("session:createMemory", function()
    local failures = drive({
      call = function() return support.session():createMemory({"HostVisible"}, PAGE) end,
      check = function(mem) assert_valid(mem, "created") end,
    })
    assert.is_true(failures.host >= 1)
  end)

  for _, flags in ipairs({{"DeviceLocal"}, {"HostVisible"}}) do
    local name = table.concat(flags, ", ")

    it("mem:createBuffer in a new page (" .. name .. ")", function()
      local failures = drive({
        setup = function() return memory_ctx(flags) end,
        call = function(ctx) return ctx.mem:createBuffer(1000) end,
        check = function(buf, ctx)
          assert_valid(buf, "created")
          assert.are.equal(1, ctx.mem.stats.objects)
        end,
      })
      -- host: the buffer, the page, its buddy allocator; Vulkan: create, allocate, bind
      assert.is_true(failures.host >= 3 and failures.vulkan >= 3)
    end)

    it("mem:createBuffer in a page with room (" .. name .. ")", function()
      local failures = drive({
        setup = with(flags, nil, function(mem) return mem:createBuffer(1000) end),
        call = function(ctx) return ctx.mem:createBuffer(1000) end,
        check = function(buf, ctx) assert.are.equal(2, ctx.mem.stats.objects) end,
      })
      assert.is_true(failures.host >= 1 and failures.vulkan >= 2)
    end)

    it("mem:createBufferFromHost (" .. name .. ", staged)", function()
      local source = bytes(3000, 1)
      local failures = drive({
        setup = function() return memory_ctx(flags, staged_session()) end,
        call = function(ctx) return ctx.mem:createBufferFromHost(source) end,
        check = function(buf) support.same_array(source, buf:toHost()) end,
      })
      assert.is_true(failures.host >= 3 and failures.vulkan >= 6)
    end)

    it("buf:map (" .. name .. ")", function()
      if name == "DeviceLocal" then return end -- mapping needs HostVisible memory
      local failures = drive({
        setup = with(flags, nil, function(mem) return mem:createBuffer(64) end),
        call = function(ctx) return ctx.object:map("uint32") end,
        check = function(view) assert.are.equal(16, #view) end,
      })
      assert.is_true(failures.host >= 2) -- the view's record and its storage
    end)
  end

  it("mem:createBufferFromHost straight through the mapping (HostVisible)", function()
    local source = bytes(3000, 2)
    local failures = drive({
      setup = function() return memory_ctx({"HostVisible"}) end,
      call = function(ctx) return ctx.mem:createBufferFromHost(source) end,
      check = function(buf) support.same_array(source, buf:toHost()) end,
    })
    assert.is_true(failures.host >= 3 and failures.vulkan >= 3)
  end)

  it("buf:fromHost and buf:toHost through staging", function()
    local source = bytes(4096, 3)
    local setup = with({"DeviceLocal"}, staged_session,
      function(mem) return mem:createBuffer(4096) end)
    local up, down = drive_round_trip(setup, source)
    assert.is_true(up.vulkan >= 4 and down.vulkan >= 4)
  end)

  it("buf:fromHost and buf:toHost of an imported array (transferPath import)", function()
    local function session() return support.session({transferPath = "import"}) end
    local n = 1 << 20
    local source = bytes(n, 5)
    do -- the session's staging buffer, which a failed import falls back on, made beforehand
      local mem <close> = session():createMemory({"DeviceLocal"}, PAGE)
      local odd <close> = mem:createBuffer(6) -- not a multiple of 4: staged
      odd:fromHost(bytes(6, 1))
    end
    local with_buffer = with({"DeviceLocal"}, session, function(mem) return mem:createBuffer(n) end)
    -- A fresh array each round, so that every round imports it (the import is cached with
    -- the array, and a failed copy leaves it there until the array goes: caches).
    local function setup()
      local ctx = with_buffer()
      ctx.array = source:copy()
      table.insert(ctx.owned, ctx.array)
      return ctx
    end
    local made = ll._debug.transferStats().importsMade
    local up = drive({
      caches = true,
      setup = setup,
      call = function(ctx) return ctx.object:fromHost(ctx.array) end,
      check = function(_, ctx)
        local out <close> = ll.ndarray({n}, "uint8") -- imported too: released here
        support.same_array(source, ctx.object:toHost(out))
      end,
      release = nothing,
    })
    local down = drive({
      caches = true,
      setup = function()
        local ctx = setup()
        ctx.object:fromHost(source)
        return ctx
      end,
      call = function(ctx) return ctx.object:toHost(ctx.array:fill(0) or ctx.array) end,
      check = function(result) support.same_array(source, result) end,
      release = nothing,
    })
    -- the pointer's properties, the buffer, the import, the bind, then the copy's own
    -- A failed import falls back on staging and succeeds (no failure counted); the copy's
    -- own calls fail the transfer. Every round imported its array.
    assert.is_true(up.vulkan >= 3 and down.vulkan >= 3)
    assert.is_true(ll._debug.transferStats().importsMade - made >= up.vulkan + down.vulkan)
  end)

  it("transfers through the mapping of non-coherent memory (simulateNonCoherent)", function()
    local function session() return support.session({simulateNonCoherent = true}) end
    local source = bytes(1000, 8)
    local setup = with({"HostVisible"}, session, function(mem) return mem:createBuffer(1000) end)
    local up, down = drive_round_trip(setup, source)
    local map = drive({
      setup = setup,
      call = function(ctx) return ctx.object:map("uint8") end,
    })
    local made = drive({
      setup = function() return memory_ctx({"HostVisible"}, session()) end,
      call = function(ctx) return ctx.mem:createBufferFromHost(source) end,
      check = function(buf) support.same_array(source, buf:toHost()) end,
    })
    -- each flushes or invalidates the range, a checked Vulkan call of its own
    assert.is_true(up.vulkan >= 1 and down.vulkan >= 1 and map.vulkan >= 1)
    assert.is_true(made.vulkan >= 4)
  end)

  it("the first transfer of a session, which makes its staging buffer", function()
    local failures = drive({
      caches = true, -- the staging buffer made before a later step failed stays
      setup = function()
        local s = ll.createSession({enableDebug = true, forceStaging = true})
        local ctx = memory_ctx({"DeviceLocal"}, s)
        ctx.object = ctx.mem:createBuffer(256)
        table.insert(ctx.owned, 1, s)
        table.insert(ctx.owned, ctx.object)
        ctx.validate = {s, ctx.object}
        return ctx
      end,
      call = function(ctx) return ctx.object:fromHost(bytes(256, 4)) end,
      release = nothing,
    })
    assert.is_true(failures.host >= 4 and failures.vulkan >= 10)
  end)

  it("buf:copy() into a new buffer, and buf:copy(out)", function()
    local source = bytes(2048, 5)
    local setup = with({"DeviceLocal"}, nil, function(mem)
      return mem:createBufferFromHost(source)
    end)
    local new = drive({
      setup = setup,
      call = function(ctx) return ctx.object:copy() end,
      check = function(copy) support.same_array(source, copy:toHost()) end,
    })
    local into = drive({
      setup = function()
        local ctx = setup()
        ctx.out = ctx.mem:createBuffer(2048)
        table.insert(ctx.owned, ctx.out)
        table.insert(ctx.validate, ctx.out)
        return ctx
      end,
      call = function(ctx) return ctx.object:copy(ctx.out) end,
      check = function(out) support.same_array(source, out:toHost()) end,
      release = nothing,
    })
    assert.is_true(new.host >= 1 and new.vulkan >= 5 and into.vulkan >= 4)
  end)

  it("mem:createImage", function()
    local failures = drive({
      setup = function() return memory_ctx({"DeviceLocal"}) end,
      call = function(ctx) return ctx.mem:createImage({8, 8, 4}, "Uint8") end,
      check = function(img) assert_valid(img, "created") end,
    })
    assert.is_true(failures.host >= 3 and failures.vulkan >= 7)
  end)

  it("mem:createImageFromHost, img:toHost and img:fromHost", function()
    local source = bytes(256, 6):reshape({8, 8, 4})
    local made = drive({
      setup = function() return memory_ctx({"DeviceLocal"}) end,
      call = function(ctx) return ctx.mem:createImageFromHost(source) end,
      check = function(img) support.same_array(source, img:toHost()) end,
    })
    local setup = with({"DeviceLocal"}, nil, function(mem)
      return mem:createImageFromHost(source)
    end)
    local down = drive({
      setup = setup,
      call = function(ctx) return ctx.object:toHost() end,
      check = function(result) support.same_array(source, result) end,
    })
    local up = drive({
      setup = setup,
      call = function(ctx) return ctx.object:fromHost(source) end,
      release = nothing,
    })
    assert.is_true(made.vulkan >= 10 and down.vulkan >= 4 and up.vulkan >= 4)
  end)

  it("createImageFromHost, img:fromHost and img:toHost of imported arrays", function()
    local function session() return support.session({transferPath = "import"}) end
    local shape = {128, 128, 4} -- 64 KiB: page-aligned storage, imported
    local source = bytes(128 * 128 * 4, 2):reshape(shape)
    do -- the staging buffer a failed import falls back on, made beforehand
      local mem <close> = session():createMemory({"DeviceLocal"}, PAGE)
      local img <close> = mem:createImage({2, 2, 4})
      img:fromHost(bytes(16, 1):reshape({2, 2, 4}))
    end
    local made_before = ll._debug.transferStats().importsMade
    -- Fresh arrays each round: each is imported in its round (caches: a failed copy leaves
    -- the array's import until the array goes).
    local function fresh(ctx)
      ctx.array = source:copy()
      table.insert(ctx.owned, ctx.array)
      return ctx
    end
    local made = drive({
      caches = true,
      setup = function() return fresh(memory_ctx({"DeviceLocal"}, session())) end,
      call = function(ctx) return ctx.mem:createImageFromHost(ctx.array) end,
      check = function(img, ctx)
        img:toHost(ctx.array)
        support.same_array(source, ctx.array)
      end,
    })
    local with_image = with({"DeviceLocal"}, session, function(mem)
      return mem:createImageFromHost(source)
    end)
    local down = drive({
      caches = true,
      setup = function() return fresh(with_image()) end,
      call = function(ctx) return ctx.object:toHost(ctx.array) end,
      check = function(result) support.same_array(source, result) end,
      release = nothing,
    })
    local up = drive({
      caches = true,
      setup = function() return fresh(with_image()) end,
      call = function(ctx) return ctx.object:fromHost(ctx.array) end,
      release = nothing,
    })
    assert.is_true(made.vulkan >= 6 and down.vulkan >= 3 and up.vulkan >= 3)
    assert.is_true(ll._debug.transferStats().importsMade - made_before >=
      made.vulkan + down.vulkan + up.vulkan)
  end)

  it("img:createImageView, sampled and not", function()
    local setup = with({"DeviceLocal"}, nil, function(mem)
      return mem:createImage({8, 8, 4}, "Uint8")
    end)
    for _, sampled in ipairs({false, true}) do
      local failures = drive({
        setup = setup,
        call = function(ctx)
          return ctx.object:createImageView({sampled = sampled, normalizedCoordinates = true})
        end,
        check = function(view) assert_valid(view, "created") end,
      })
      assert.is_true(failures.host >= 1 and failures.vulkan >= (sampled and 2 or 1))
    end
  end)

  -- A view and the image made for it, which view.image holds.
  local function release_view_and_image(view)
    local img = view.image
    view:release()
    img:release()
  end

  it("mem:createImageViewFromHost", function()
    local source = ll.ndarray({8, 8, 4}, "uint8")
    local failures = drive({
      setup = function() return memory_ctx({"DeviceLocal"}) end,
      call = function(ctx) return ctx.mem:createImageViewFromHost(source, {sampled = true}) end,
      check = function(view) assert_valid(view, "created") end,
      release = release_view_and_image,
    })
    assert.is_true(failures.host >= 4 and failures.vulkan >= 12)
  end)

  it("mem:createImageView(imageDescriptor, viewDescriptor)", function()
    local desc = ll.ImageDescriptor.new(1, 8, 8, ll.ChannelCount.C4, "Uint8")
    local view_desc = ll.ImageViewDescriptor.new("ClampToEdge", "Nearest", true, true)
    local failures = drive({
      setup = function() return memory_ctx({"DeviceLocal"}) end,
      call = function(ctx) return ctx.mem:createImageView(desc, view_desc) end,
      check = function(view) assert_valid(view, "created") end,
      release = release_view_and_image,
    })
    assert.is_true(failures.host >= 4 and failures.vulkan >= 12)
  end)

  it("img:copyTo", function()
    local source = bytes(256, 7):reshape({8, 8, 4})
    local failures = drive({
      setup = function()
        local ctx = memory_ctx({"DeviceLocal"})
        ctx.object = ctx.mem:createImageFromHost(source)
        ctx.out = ctx.mem:createImage({8, 8, 4}, "Uint8")
        for _, o in ipairs({ctx.object, ctx.out}) do table.insert(ctx.owned, o) end
        ctx.validate = {ctx.object, ctx.out}
        return ctx
      end,
      call = function(ctx) return ctx.object:copyTo(ctx.out) end,
      release = nothing,
    })
    assert.is_true(failures.vulkan >= 4)
  end)

  local PROGRAM = "#version 450\n#extension GL_GOOGLE_include_directive : enable\n" ..
    "#include \"lluvia/core.glsl\"\nlayout(binding = 0) buffer B { float v[]; } values;\n" ..
    "void main() { values.v[LL_GLOBAL_COORDS_1D] = 1.0; }\n"

  it("session:compileProgram", function()
    local failures = drive({
      call = function() return support.session():compileProgram(PROGRAM) end,
      check = function(p) assert.are.equal("values", p.bindings[1].name) end,
    })
    -- host: the preamble, the library file, SPIR-V, reflection; Vulkan: the module
    assert.is_true(failures.host >= 5 and failures.vulkan >= 1)
  end)

  it("session:createProgram, from bytes and from a path", function()
    local bytes, path = support.spirv(PROGRAM)
    for _, spirv in ipairs({bytes, path}) do
      local failures = drive({
        call = function() return support.session():createProgram(spirv) end,
        check = function(p) assert.are.same({1, 1, 1}, p.localSize) end,
      })
      assert.is_true(failures.host >= 4 and failures.vulkan >= 1)
    end
    os.remove(path)
  end)

  -- A compute node of PROGRAM, uninitialized, with its buffer bound.
  local function node_context()
    local s = support.session()
    local mem = s:createMemory({"HostVisible"}, PAGE)
    local node = s:createComputeNode{program = s:compileProgram(PROGRAM)}
    local buf = mem:createBuffer(64)
    node:bind("values", buf)
    node.gridX = 16
    return {memories = {mem}, validate = {buf}, owned = {node, buf, mem}, node = node,
      buffer = buf}
  end
  local nothing = function() end
  local function initialized_context()
    local ctx = node_context()
    ctx.node:init()
    return ctx
  end

  it("session:createComputeNode", function()
    local failures = drive({
      setup = function()
        local program = support.session():compileProgram(PROGRAM)
        return {program = program, owned = {program}}
      end,
      call = function(ctx)
        return support.session():createComputeNode{program = ctx.program}
      end,
      check = function(node) assert.are.equal("values", node.ports[1].name) end,
    })
    -- host: the node, its name, ports, layouts; Vulkan: set layout, pipeline layout, set
    assert.is_true(failures.host >= 4 and failures.vulkan >= 3)
  end)

  it("node:init and node:run", function()
    local failures = drive({
      setup = node_context,
      call = function(ctx) ctx.node:init() return ctx.node end,
      check = function(node) assert.are.equal("Init", node.state) end,
      release = nothing,
    })
    assert.is_true(failures.vulkan >= 1)
    failures = drive({
      setup = initialized_context,
      call = function(ctx) ctx.node:run() return ctx end,
      check = function(ctx) assert.are.equal(1, ctx.buffer:toHost("float32")[16]) end,
      release = nothing,
    })
    assert.is_true(failures.vulkan >= 2)
  end)

  it("session:createCommandBuffer, and recording and running it", function()
    local failures = drive({
      call = function() return support.session():createCommandBuffer() end,
    })
    assert.is_true(failures.host >= 1 and failures.vulkan >= 3)
    failures = drive({
      setup = initialized_context,
      call = function(ctx)
        local cb = support.session():createCommandBuffer()
        ctx.owned[#ctx.owned + 1] = cb
        cb:begin()
        cb:run(ctx.node)
        cb:ends()
        support.session():run(cb)
        return cb
      end,
      release = nothing,
    })
    assert.is_true(failures.host >= 2 and failures.vulkan >= 5)
  end)

  it("cb:timestamp (its query pool) and cb:timestamps", function()
    local failures = drive({
      setup = initialized_context,
      call = function(ctx)
        local cb = support.session():createCommandBuffer()
        ctx.owned[#ctx.owned + 1] = cb
        cb:begin()
        cb:timestamp()
        cb:run(ctx.node)
        cb:timestamp()
        cb:ends()
        support.session():run(cb)
        assert.are.equal(2, #cb:timestamps())
        return cb
      end,
      release = nothing,
    })
    assert.is_true(failures.vulkan >= 7)
  end)
end)

-- Creates that make their object and then fail to fill it (the upload's staging buffer
-- refused by the budget, here) must leave the Memory as it was: no object until the next
-- collection, no page kept.
describe("a create whose upload fails", function()
  support.no_validation_messages()
  after_each(function() ll.setDeviceMemoryBudget(nil) end)

  -- A fresh session that stages every transfer and has no staging buffer yet, a Memory of
  -- it, and a budget that holds one more page and no staging buffer.
  local function starved()
    local s = ll.createSession({enableDebug = true, forceStaging = true})
    local mem = s:createMemory({"DeviceLocal"}, PAGE)
    ll.setDeviceMemoryBudget(ll.deviceMemoryStats().liveBytes + PAGE)
    return s, mem
  end

  local function assert_as_before(mem, before, message)
    assert.matches("lluvia: cannot allocate", message)
    assert.are.same(before, snapshot({mem}))
    assert.are.equal(0, mem.pageCount)
    assert_valid(mem, "after the failure")
  end

  for _, case in ipairs({
    {"createBufferFromHost", {1000}, "leaves no buffer behind"},
    {"createImageFromHost", {16, 16}, "keeps no page"},
    {"createImageViewFromHost", {16, 16}, "keeps no page"},
  }) do
    local method, shape, what = case[1], case[2], case[3]
    it("mem:" .. method .. " " .. what, function()
      local s, m = starved()
      local session <close> = s
      local mem <close> = m
      local before = snapshot({mem})
      local ok, message = pcall(mem[method], mem, ll.ndarray(shape, "uint8"))
      assert.is_false(ok)
      assert_as_before(mem, before, message)
    end)
  end
end)

-- Transfers that stage survive the device running out of memory as creates do: the
-- staging buffer a session makes on its first transfer is refused while garbage holds
-- device memory, the binding runs a full collection (freeing the garbage) and tries once
-- more (docs/memory.md, "Lifetime and the collector").
describe("a staged transfer out of device memory", function()
  support.no_validation_messages()
  after_each(function()
    ll.setDeviceMemoryBudget(nil)
    collectgarbage("restart")
  end)

  local STAGING = 64 << 10

  -- Garbage holding a page of device memory: a Memory with a buffer, both unreachable once
  -- this returns.
  local function make_garbage(s)
    s:createMemory({"HostVisible"}, PAGE):createBuffer(16)
  end

  -- A fresh session that stages every transfer and has no staging buffer yet; a Memory of
  -- it for buffers and one for images, each with a page made; with the collector stopped,
  -- garbage holding a page, and a budget with room for everything but the staging buffer.
  local function starved()
    local s = ll.createSession({enableDebug = true, transferPath = "staging",
                                stagingSize = STAGING})
    local ctx = {session = s, mem = s:createMemory({"HostVisible"}, PAGE),
                 images = s:createMemory({"DeviceLocal"}, PAGE)}
    ctx.buf = ctx.mem:createBuffer(4096)
    ctx.img = ctx.images:createImage({4, 4, 4})
    ctx.img:clear()
    collectgarbage()
    collectgarbage()
    collectgarbage("stop")
    make_garbage(s)
    ll.setDeviceMemoryBudget(ll.deviceMemoryStats().liveBytes + STAGING // 2)
    return ctx
  end

  local function close(ctx)
    ll.setDeviceMemoryBudget(nil)
    collectgarbage("restart")
    for _, k in ipairs({"img", "buf", "images", "mem", "session"}) do ctx[k]:release() end
  end

  local function bytes(n, first)
    local a = ll.ndarray({n}, "uint8")
    for i = 1, n do a[i] = (first + i) % 256 end
    return a
  end

  local source = bytes(4096, 3)
  local pixels = bytes(64, 5):reshape({4, 4, 4})
  for _, case in ipairs({
    {"buf:fromHost", function(c)
      c.buf:fromHost(source)
      return function() support.same_array(source, c.buf:toHost()) end
    end},
    {"buf:toHost", function(c)
      local mapped = c.buf:map("uint8")
      mapped:fill(7)
      mapped:release()
      local out = c.buf:toHost()
      return function() assert.are.equal(7, out[4096]) end
    end},
    {"buf:mapAndSetFromVectorUint8", function(c)
      c.buf:mapAndSetFromVectorUint8(source)
      return function() support.same_array(source, c.buf:toHost()) end
    end},
    {"mem:createBufferFromHost", function(c)
      local b = c.mem:createBufferFromHost(source)
      return function() support.same_array(source, b:toHost()) b:release() end
    end},
    {"img:fromHost", function(c)
      c.img:fromHost(pixels)
      return function() support.same_array(pixels, c.img:toHost()) end
    end},
    {"img:toHost", function(c)
      local out = c.img:toHost()
      return function() assert.are.same({4, 4, 4}, out.shape) end
    end},
    {"view:fromHost", function(c)
      local view <close> = c.img:createImageView()
      view:fromHost(pixels)
      return function() support.same_array(pixels, c.img:toHost()) end
    end},
    {"mem:createImageFromHost", function(c)
      local img = c.images:createImageFromHost(pixels)
      return function() support.same_array(pixels, img:toHost()) img:release() end
    end},
    {"mem:createImageViewFromHost", function(c)
      local view = c.images:createImageViewFromHost(pixels)
      return function() support.same_array(pixels, view:toHost()) view:release() end
    end},
  }) do
    local name, call = case[1], case[2]
    it(name .. " collects, tries once more and succeeds", function()
      local ctx = starved()
      local before = ll.deviceMemoryStats().retryCollections
      local ok, check = pcall(call, ctx)
      local retries = ll.deviceMemoryStats().retryCollections - before
      ll.setDeviceMemoryBudget(nil)
      assert(ok, tostring(check))
      assert.are.equal(1, retries)
      check()
      close(ctx)
    end)
  end

  it("a fault on the staging buffer's first Vulkan call is survived the same way", function()
    local s <close> = ll.createSession({enableDebug = true, transferPath = "staging",
                                        stagingSize = STAGING})
    local mem <close> = s:createMemory({"HostVisible"}, PAGE)
    local buf <close> = mem:createBuffer(4096)
    local before = ll.deviceMemoryStats().retryCollections
    fault.failAfter(1, "deviceMemory")
    buf:fromHost(source)
    assert.are.equal(1, fault.faultsFired())
    fault.clearFaults()
    assert.are.equal(before + 1, ll.deviceMemoryStats().retryCollections)
    support.same_array(source, buf:toHost())
  end)

  it("raises lluvia: ... out of device memory, as it was, when collecting does not help",
    function()
      local ctx = starved()
      collectgarbage("restart")
      collectgarbage() -- no garbage left to free
      ll.setDeviceMemoryBudget(ll.deviceMemoryStats().liveBytes + STAGING // 2)
      local before = snapshot({ctx.mem})
      local retries = ll.deviceMemoryStats().retryCollections
      local message = support.raises("lluvia: cannot allocate", ctx.buf.fromHost, ctx.buf,
        source)
      assert.is_truthy(message:find("staging buffer", 1, true), message)
      assert.are.equal(retries + 1, ll.deviceMemoryStats().retryCollections)
      assert.are.same(before, snapshot({ctx.mem}))
      assert_valid(ctx.buf, "after the failure")
      close(ctx)
    end)
end)
