-- builders.lua: lluvia's node-builder system, as lluvia's library.lua offers it to builder
-- scripts: ll.class, the builder base classes, the registries, ll.activeSession and the
-- ll.* globals that act on it, ll.logd, and session:script/scriptFile/help.
-- Not for: descriptors, nodes or programs (C types), nor reading library files (l_library.c).
local ll, _, kit = ...
local addMethods = kit.addMethods

local globals = _ENV

-- The session whose builder is running, or whose script is loading; nil outside both.
-- A plain field, as in lluvia: ll._withSession sets it and puts the previous one back.
ll.activeSession = nil

-- What each session owns: its builders and the environment of its scripts. Weak keys:
-- an entry goes with its session, even where its builders refer back to it.
local perSession = setmetatable({}, {__mode = "k"})

-- Builders registered while no session was active: every session sees them.
local moduleBuilders = {}

local function sessionData(session)
  local d = perSession[session]
  if d == nil then
    local env = setmetatable({ll = ll}, {__index = globals})
    d = {builders = {}, env = env}
    perSession[session] = d
  end
  return d
end

local function describe(v)
  if type(v) == "string" then return ("'%s'"):format(v) end
  return tostring(v)
end

local function argError(n, fname, fmt, ...)
  error(("bad argument #%d to '%s' (%s)"):format(n, fname, fmt:format(...)), 3)
end

---------------------------------------------------------------------------------------------
-- Running under a session
---------------------------------------------------------------------------------------------

-- Adds the traceback where a string error was raised, once however deep the nesting.
local function withTraceback(e)
  if type(e) == "string" and not e:find("\nstack traceback:", 1, true) then
    return debug.traceback(e, 2)
  end
  return e
end

-- ll._withSession(session, fn, ...): fn(...) with ll.activeSession = session, then the
-- previous active session back, also when fn raises (the error propagates with the
-- traceback of where it was raised). Returns fn's results. The one way the binding runs a
-- builder's callbacks and a session's scripts.
function ll._withSession(session, fn, ...)
  if getmetatable(session) ~= "lluvia.Session" then
    argError(1, "_withSession", "Session expected, got %s", describe(session))
  end
  local previous = ll.activeSession
  ll.activeSession = session
  local r = table.pack(xpcall(fn, withTraceback, ...))
  ll.activeSession = previous
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

-- The active session, or a clear error naming the ll.* function that needed one.
local function active(fname)
  local s = ll.activeSession
  if s == nil then
    error(("lluvia: ll.%s needs an active session (ll.activeSession is nil): call it from "
      .. "a builder that a session runs, or from a script that session:script, "
      .. "session:scriptFile or session:loadLibrary runs, or set ll.activeSession"):format(fname), 3)
  end
  if getmetatable(s) ~= "lluvia.Session" then
    error(("lluvia: ll.%s: ll.activeSession must be a Session, got %s"):format(fname,
      describe(s)), 3)
  end
  return s
end

function ll.getProgram(name) return active("getProgram"):getProgram(name) end
function ll.createComputeNode(x) return active("createComputeNode"):createComputeNode(x) end
function ll.createContainerNode(x) return active("createContainerNode"):createContainerNode(x) end
function ll.createCommandBuffer() return active("createCommandBuffer"):createCommandBuffer() end
function ll.getHostMemory() return active("getHostMemory"):getHostMemory() end
function ll.getDeviceMemory() return active("getDeviceMemory"):getDeviceMemory() end
function ll.run(node) return active("run"):run(node) end
function ll.runCommandBuffer(cb) return active("runCommandBuffer"):run(cb) end
function ll.getGoodComputeLocalShape(dimension)
  return active("getGoodComputeLocalShape"):getGoodComputeLocalShape(dimension)
end

-- ll.FloatPrecision's numbers (FP16 = 0, FP32 = 1, FP64 = 2) to channel types.
local precisionTypes = {
  [ll.FloatPrecision.FP16] = ll.ChannelType.Float16,
  [ll.FloatPrecision.FP32] = ll.ChannelType.Float32,
  [ll.FloatPrecision.FP64] = ll.ChannelType.Float64,
}
local precisionNames = {FP16 = ll.FloatPrecision.FP16, FP32 = ll.FloatPrecision.FP32,
  FP64 = ll.FloatPrecision.FP64}

function ll.floatPrecisionToImageChannelType(precision)
  local n = precision
  if type(n) == "string" then n = precisionNames[n] end
  local t = math.type(n) and precisionTypes[n] or nil
  if t == nil and math.type(n) == "float" and n == math.floor(n) then
    t = precisionTypes[math.tointeger(n)]
  end
  if t == nil then
    argError(1, "floatPrecisionToImageChannelType",
      "floatPrecision must be ll.FloatPrecision.FP16, FP32 or FP64 (0, 1, 2), got %s",
      describe(precision))
  end
  return t
end

---------------------------------------------------------------------------------------------
-- Debug log
---------------------------------------------------------------------------------------------

-- LLUVIA_LOG=debug (any case) makes ll.logd write its arguments to stderr; anything else,
-- or nothing, keeps it silent. Read once, when the module loads.
local logLevel = (os and os.getenv and os.getenv("LLUVIA_LOG") or ""):lower()
local logDebug = logLevel == "debug"

function ll.logd(...)
  if not logDebug then return end
  local parts = table.pack(...)
  for i = 1, parts.n do parts[i] = tostring(parts[i]) end
  io.stderr:write("lluvia: debug: ", table.concat(parts, "\t", 1, parts.n), "\n")
end

---------------------------------------------------------------------------------------------
-- Classes and builders
---------------------------------------------------------------------------------------------

-- ll.class(base): a new class table holding a shallow copy of base's members, with
-- __index pointing to itself (lluvia's semantics: later changes to base are not seen).
function ll.class(base)
  if base ~= nil and type(base) ~= "table" then
    argError(1, "class", "base must be a table or nil, got %s", describe(base))
  end
  local c = {}
  if base then
    for k, v in pairs(base) do c[k] = v end
  end
  c.__index = c
  return c
end

-- A builder base class of lluvia's defaults: no doc, callbacks that do nothing, and a
-- newDescriptor that the builder must replace.
local function builderBase(nodeType, callbacks)
  local b = ll.class()
  b.type, b.doc, b.name = nodeType, "", ""
  function b.newDescriptor()
    error("lluvia: newDescriptor must be implemented by the builder", 2)
  end
  for _, name in ipairs(callbacks) do b[name] = function() end end
  return b
end

ll.ComputeNodeBuilder = builderBase(ll.NodeType.Compute, {"onNodeInit"})
ll.ContainerNodeBuilder = builderBase(ll.NodeType.Container, {"onNodeInit", "onNodeRecord"})

local nodeTypes = {[ll.NodeType.Compute] = true, [ll.NodeType.Container] = true}

-- The builder's problem, or nil when it can be registered.
local function builderProblem(b)
  if type(b) ~= "table" then
    return ("builder must be a table, got %s"):format(describe(b))
  end
  local name = b.name
  if type(name) ~= "string" or name == "" then
    return ("builder.name must be a non-empty string, got %s"):format(describe(name))
  end
  if not nodeTypes[b.type] then
    return ("builder '%s': type must be 'Compute' or 'Container' (ll.NodeType), got %s")
      :format(name, describe(b.type))
  end
  if b.doc ~= nil and type(b.doc) ~= "string" then
    return ("builder '%s': doc must be a string, got %s"):format(name, describe(b.doc))
  end
  for _, f in ipairs({"newDescriptor", "onNodeInit", "onNodeRecord"}) do
    local v = b[f]
    if (v ~= nil or f == "newDescriptor") and type(v) ~= "function" then
      return ("builder '%s': %s must be a function, got %s"):format(name, f, describe(v))
    end
  end
  return nil
end

-- The registry that registrations go to now: the active session's, else the module's.
local function currentRegistry()
  local s = ll.activeSession
  if s ~= nil then return sessionData(s).builders end
  return moduleBuilders
end

local function register(fname, builder)
  local problem = builderProblem(builder)
  if problem then error(("bad argument #1 to '%s' (%s)"):format(fname, problem), 3) end
  local registry = currentRegistry()
  if registry[builder.name] ~= nil then
    ll.logd("registerNodeBuilder", "replacing builder", builder.name)
  end
  registry[builder.name] = builder
  return builder
end

function ll.registerNodeBuilder(builder)
  return register("registerNodeBuilder", builder)
end

-- The builder named `name` that `session` sees: its own, else the module's; nil if none.
local function findBuilder(session, name)
  if session ~= nil then
    local d = perSession[session]
    local b = d and d.builders[name]
    if b ~= nil then return b end
  end
  return moduleBuilders[name]
end

-- ll._findNodeBuilder(session, name): for the binding (createComputeNode by name,
-- node:init): the builder that session sees, or nil.
function ll._findNodeBuilder(session, name)
  return findBuilder(session, name)
end

local function checkName(fname, name)
  if type(name) ~= "string" then
    argError(1, fname, "name must be a string, got %s", describe(name))
  end
end

function ll.getNodeBuilder(name)
  checkName("getNodeBuilder", name)
  local b = findBuilder(ll.activeSession, name)
  if b == nil then
    error(("lluvia: no node builder named '%s'"):format(name), 2)
  end
  return b
end

-- Every builder a session sees (nil: outside any), name -> builder.
local function visibleBuilders(session)
  local all = {}
  for k, v in pairs(moduleBuilders) do all[k] = v end
  local d = session ~= nil and perSession[session] or nil
  if d then
    for k, v in pairs(d.builders) do all[k] = v end
  end
  return all
end

-- ll.nodeBuilders: name -> builder, as the active session sees them (its own over the
-- module's). Assigning registers (a builder) or removes (nil) in the current registry.
ll.nodeBuilders = setmetatable({}, {
  __index = function(_, name) return findBuilder(ll.activeSession, name) end,
  __newindex = function(_, name, builder)
    if builder == nil then
      checkName("nodeBuilders", name)
      currentRegistry()[name] = nil
      return
    end
    if type(builder) == "table" and builder.name ~= name then
      error(("bad argument #3 to 'nodeBuilders' (builder.name %s differs from the key %s)")
        :format(describe(builder.name), describe(name)), 2)
    end
    register("nodeBuilders", builder)
  end,
  __pairs = function()
    return next, visibleBuilders(ll.activeSession), nil
  end,
  __metatable = "lluvia.nodeBuilders",
})

local function sortedDescriptors(session)
  local all = visibleBuilders(session)
  local names = {}
  for k in pairs(all) do names[#names + 1] = k end
  table.sort(names, function(a, b)
    local la, lb = a:lower(), b:lower()
    if la ~= lb then return la < lb end
    return a < b
  end)
  local out = {}
  for i, name in ipairs(names) do
    local b = all[name]
    local doc = b.doc or ""
    out[i] = {name = name, type = b.type, summary = doc:match("^[^\n]*")}
  end
  return out
end

-- ll.getNodeBuilderDescriptors(): {name, type, summary} for every builder the active
-- session sees, sorted by name ignoring case; summary is the first line of doc.
function ll.getNodeBuilderDescriptors()
  return sortedDescriptors(ll.activeSession)
end

---------------------------------------------------------------------------------------------
-- Session methods: scripts and help
---------------------------------------------------------------------------------------------

local SESSION = "lluvia.Session"

local function checkSession(fname, s)
  if getmetatable(s) ~= SESSION then
    error(("calling '%s' on bad self (Session expected, got %s)"):format(fname, describe(s)), 3)
  end
  local _ = s.deviceId -- raises "lluvia: Session has been released" for a released one
end

-- For library.lua, which runs after this file: the same checks of sessions and strings.
kit.checkSession = checkSession

local function checkString(fname, n, what, v)
  if type(v) ~= "string" then
    argError(n, fname, "%s must be a string, got %s", what, describe(v))
  end
end

-- Loads Lua text in the session's environment and runs it with the session active.
local function runScript(session, code, chunkname)
  local chunk, err = load(code, chunkname, "t", sessionData(session).env)
  if not chunk then error("lluvia: " .. err, 3) end
  return ll._withSession(session, chunk)
end

-- session:script(code, chunkname?): runs Lua text as a builder script. Its environment is
-- the session's own table, whose globals fall back to the real ones (_G) and where `ll`
-- is the module: what one script defines globally, the session's next scripts see, and
-- no other session does. Returns what the chunk returns.
local function script(session, code, chunkname)
  checkSession("script", session)
  checkString("script", 1, "code", code)
  if chunkname ~= nil then checkString("script", 2, "chunkname", chunkname) end
  return runScript(session, code, chunkname or "=(script)")
end

-- session:scriptFile(path): as script, with the file's text.
local function scriptFile(session, path)
  checkSession("scriptFile", session)
  checkString("scriptFile", 1, "path", path)
  local f, err = io.open(path, "rb")
  if not f then error(("lluvia: cannot open builder script: %s"):format(err), 2) end
  local code, rerr = f:read("a")
  f:close()
  if not code then error(("lluvia: cannot read builder script %s: %s"):format(path, rerr), 2) end
  return runScript(session, code, "@" .. path)
end

-- session:help(name): the doc of the builder the session sees under `name`.
local function help(session, name)
  checkSession("help", session)
  checkString("help", 1, "name", name)
  local b = findBuilder(session, name)
  if b == nil then error(("lluvia: no node builder named '%s'"):format(name), 2) end
  return b.doc or ""
end

-- session:getNodeBuilderDescriptors(): as ll.getNodeBuilderDescriptors, for this session.
local function descriptors(session)
  checkSession("getNodeBuilderDescriptors", session)
  return sortedDescriptors(session)
end

-- session:getNodeBuilder(name): the builder this session sees under `name`, or nil.
local function getBuilder(session, name)
  checkSession("getNodeBuilder", session)
  checkString("getNodeBuilder", 1, "name", name)
  return findBuilder(session, name)
end

-- The environment of a session's scripts (session:loadLibrary runs its files there).
function ll._scriptEnvironment(session)
  return sessionData(session).env
end

kit.checkString = checkString

addMethods(SESSION, {
  script = script,
  scriptFile = scriptFile,
  help = help,
  getNodeBuilderDescriptors = descriptors,
  getNodeBuilder = getBuilder,
})
