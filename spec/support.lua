-- support.lua: what the specs share: sessions with validation on, the check that a test
-- produced no Vulkan validation message, and running the host as a subprocess.
local ll = require "lluvia"
local luassert = require "luassert"

local support = {}

-- The host binary the specs run under (scripts/test.sh sets LLUVIA_HOST).
support.host = os.getenv("LLUVIA_HOST") or "build/lluvia-lua"

local sessions = {}

-- A session with the validation layer on, shared by every spec asking the same options
-- (sessions are cheap to share; creating one with validation costs tens of milliseconds).
function support.session(options)
  options = options or {}
  local key = {}
  for k, v in pairs(options) do key[#key + 1] = k .. "=" .. tostring(v) end
  table.sort(key)
  key = table.concat(key, ",")
  if not sessions[key] then
    local o = {enableDebug = true}
    for k, v in pairs(options) do o[k] = v end
    sessions[key] = ll.createSession(o)
  end
  return sessions[key]
end

-- Call inside a describe block: every test in it fails if the validation layer reported
-- a warning or an error while it ran.
function support.no_validation_messages()
  local busted = require "busted"
  local before
  busted.before_each(function() before = ll.debugMessageCount() end)
  busted.after_each(function()
    luassert.are.equal(before, ll.debugMessageCount(),
      "the Vulkan validation layer reported messages (see stderr)")
  end)
end

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end
support.quote = shell_quote

-- Runs a shell command; returns stdout, stderr and the exit code.
function support.run(command, stdin)
  local out, err = os.tmpname(), os.tmpname()
  local full = command .. " >" .. out .. " 2>" .. err
  if stdin then
    local inp = os.tmpname()
    local f = assert(io.open(inp, "w"))
    f:write(stdin)
    f:close()
    full = full .. " <" .. inp
  else
    full = full .. " </dev/null"
  end
  local _, _, code = os.execute(full)
  local function slurp(path)
    local f = assert(io.open(path, "r"))
    local s = f:read("a")
    f:close()
    os.remove(path)
    return s
  end
  return slurp(out), slurp(err), code
end

-- Runs the host with the given argument list (each quoted).
function support.run_host(args, stdin, env)
  local parts = {}
  for k, v in pairs(env or {}) do parts[#parts + 1] = k .. "=" .. shell_quote(v) end
  parts[#parts + 1] = shell_quote(support.host)
  for _, a in ipairs(args) do parts[#parts + 1] = shell_quote(a) end
  return support.run(table.concat(parts, " "), stdin)
end

-- Asserts that two ll.ndarrays have the same shape, dtype and bytes.
function support.same_array(a, b)
  luassert.are.same(a.shape, b.shape)
  luassert.are.equal(a.dtype, b.dtype)
  luassert.is_true(a:tostring() == b:tostring(), "array contents differ")
end

-- A new temporary file holding `contents`; returns its path.
function support.tmpfile(contents)
  local name = os.tmpname()
  local f = assert(io.open(name, "wb"))
  f:write(contents)
  f:close()
  return name
end

-- A new empty folder under /tmp.
function support.tmpdir()
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p '" .. dir .. "'"))
  return dir
end

-- The whole contents of a file, in binary.
function support.read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

function support.write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

-- The SPIR-V bytes of a GLSL compute source, and the path of the .spv file (in a new
-- folder), compiled by glslangValidator (glslang-tools): a module made outside lluvia-lua,
-- as lluvia's build makes its .spv files. It finds shaders/lib's "..." includes.
function support.spirv(source)
  local dir = support.tmpdir()
  support.write(dir .. "/shader.comp", source)
  local out, err, code = support.run("glslangValidator -V -Ishaders/lib -o '" .. dir ..
    "/shader.spv' '" .. dir .. "/shader.comp'")
  if code ~= 0 then
    os.execute("rm -rf '" .. dir .. "'")
    error(code == 127 and "glslangValidator (glslang-tools) is not on PATH" or
      "glslangValidator failed (exit " .. tostring(code) .. "): " .. out .. err, 2)
  end
  local f = assert(io.open(dir .. "/shader.spv", "rb"))
  local bytes = f:read("a")
  f:close()
  return bytes, dir .. "/shader.spv"
end

-- A new session with the validation layer on, a host-visible coherent Memory of it and a
-- program compiled from `glsl`: what the compute specs start from.
function support.compute_session(glsl)
  local s = ll.createSession{enableDebug = true}
  return s, s:createMemory({"HostVisible", "HostCoherent"}), s:compileProgram(glsl)
end

-- A Memory for images: DeviceLocal, which takes optimal-tiling images on every device.
-- Host-visible memory types may refuse them (NVIDIA's do: an image's memoryTypeBits
-- there are DeviceLocal types only), so a spec makes its images here unless it means to
-- test another Memory, and then asks support.takes_images. `session` defaults to the
-- shared one; pageSize is createMemory's.
function support.image_memory(session, pageSize)
  return (session or support.session()):createMemory({"DeviceLocal"}, pageSize)
end

-- Whether `mem` takes optimal-tiling images on this device: true, or false and the
-- clean refusal's message, having made and released one small image to find out.
function support.takes_images(mem)
  local ok, img = pcall(mem.createImage, mem, {1, 1})
  if not ok then
    luassert.is_truthy(tostring(img):find("lluvia: the object cannot live in this Memory", 1,
      true), img)
    return false, img
  end
  img:release()
  return true
end

-- Expects fn to raise an error whose message contains `fragment` (plain text).
function support.raises(fragment, fn, ...)
  local ok, msg = pcall(fn, ...)
  assert(not ok, "expected an error containing '" .. fragment .. "', got success")
  msg = tostring(msg)
  assert(msg:find(fragment, 1, true),
    "expected an error containing '" .. fragment .. "', got: " .. msg)
  return msg
end

return support
