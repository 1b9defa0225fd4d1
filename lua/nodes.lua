-- nodes.lua: lluvia's nodes as builder scripts use them: session:createComputeNode (by
-- builder name, descriptor or table), compileComputeNode, createContainerNode, node:init
-- (the builder's onNodeInit, then the pipeline), parameters, container nodes, cb:run and
-- session:run. Not for: what reaches the device (l_compute_node.c, l_command_buffer.c),
-- descriptors (descriptors.lua) or the builder registries (builders.lua).
local ll, _, kit = ...
local addMethods = kit.addMethods

local SESSION, NODE, CB = "lluvia.Session", "lluvia.ComputeNode", "lluvia.CommandBuffer"
local CONTAINER = "lluvia.ContainerNode"

local function describe(v)
  if type(v) == "string" then return ("'%s'"):format(v) end
  local mt = getmetatable(v)
  if type(mt) == "string" then return mt end
  return tostring(v)
end

local function argError(n, fname, fmt, ...)
  error(("bad argument #%d to '%s' (%s)"):format(n, fname, fmt:format(...)), 3)
end

local function checkSession(fname, s)
  if getmetatable(s) ~= SESSION then
    error(("bad argument #1 to '%s' (Session expected, got %s)"):format(fname, describe(s)), 3)
  end
end

-- The message of an error, without the position Lua put in front of it.
local function bare(e)
  e = tostring(e)
  return (e:gsub("^[^\n:]*:%d+: ", ""))
end

-- The builder `name` of the session, or an argument error.
local function builderOf(session, name, fname, nodeType)
  local b = ll._findNodeBuilder(session, name)
  if b == nil then argError(1, fname, "no node builder named '%s'", name) end
  if b.type ~= nodeType then
    argError(1, fname, "node builder '%s' makes %s nodes: use create%sNode", name, b.type,
      b.type)
  end
  return b
end

---------------------------------------------------------------------------------------------
-- Descriptors
---------------------------------------------------------------------------------------------

local COMPUTE_FIELDS = {"builderName", "functionName", "program", "localShape", "gridShape",
  "pushConstants"}

-- A port of a plain table: an ll.PortDescriptor, or {binding, name, direction, type}.
local function portOf(p, i)
  if getmetatable(p) == "lluvia.PortDescriptor" then return p end
  if type(p) ~= "table" then
    error(("ports[%d] must be an ll.PortDescriptor or a table {binding, name, direction, " ..
      "type}, got %s"):format(i, describe(p)), 0)
  end
  return ll.PortDescriptor.new(p.binding, p.name, p.direction or ll.PortDirection.In, p.type)
end

-- The ports a program's SPIR-V declares, named by their GLSL variables (out_* are Out).
local function portsOfProgram(program)
  local ports = {}
  for _, b in ipairs(program.bindings) do
    local name = b.name ~= "" and b.name or ("binding" .. b.binding)
    local dir = name:find("^out") and ll.PortDirection.Out or ll.PortDirection.In
    ports[#ports + 1] = ll.PortDescriptor.new(b.binding, name, dir, b.type)
  end
  return ports
end

local TABLE_KEYS = {builderName = true, functionName = true, program = true, localShape = true,
  gridShape = true, pushConstants = true, ports = true, parameters = true}

-- A ComputeNodeDescriptor of a plain table with its fields (ports omitted: the program's).
local function descriptorOfTable(t)
  for k in pairs(t) do
    if not TABLE_KEYS[k] then
      error(("unknown field %s in a node description (fields: builderName, functionName, " ..
        "gridShape, localShape, parameters, ports, program, pushConstants)"):format(
        describe(k)), 0)
    end
  end
  local d = ll.ComputeNodeDescriptor.new()
  d.functionName = "main"
  for _, k in ipairs(COMPUTE_FIELDS) do
    if t[k] ~= nil then d[k] = t[k] end
  end
  local ports = t.ports
  if ports == nil and d.program ~= nil then ports = portsOfProgram(d.program) end
  if ports ~= nil and type(ports) ~= "table" then
    error(("ports must be a list of ports, got %s"):format(describe(ports)), 0)
  end
  for i, p in ipairs(ports or {}) do d:addPort(portOf(p, i)) end
  if t.parameters ~= nil then
    if type(t.parameters) ~= "table" then
      error(("parameters must be a table name -> value, got %s"):format(
        describe(t.parameters)), 0)
    end
    for k, v in pairs(t.parameters) do d:setParameter(k, v) end
  end
  return d
end

-- A copy of a descriptor of either kind (the node's own, as lluvia's nodes hold).
local function copyDescriptor(desc)
  local compute = getmetatable(desc) == "lluvia.ComputeNodeDescriptor"
  local c = compute and ll.ComputeNodeDescriptor.new() or ll.ContainerNodeDescriptor.new()
  c.builderName = desc.builderName
  if compute then
    for _, k in ipairs(COMPUTE_FIELDS) do c[k] = desc[k] end
  end
  for _, p in ipairs(desc.ports) do c:addPort(p) end
  for k, p in pairs(desc.parameters) do c:setParameter(k, p) end
  return c
end

local function portList(desc)
  local list = {}
  for _, p in ipairs(desc.ports) do
    list[#list + 1] = {name = p.name, binding = p.binding, type = p.type,
      direction = p.direction}
  end
  return list
end

---------------------------------------------------------------------------------------------
-- Compute nodes
---------------------------------------------------------------------------------------------

-- Fields the node's C side reads from here (extra.fields[key](node)).
local computeFields = {
  ports = function(node) return portList(node:_extra().descriptor) end,
  state = function(node) return node:_extra().state end,
  builderName = function(node) return node:_extra().descriptor.builderName end,
  descriptor = function(node)
    local d = node:_extra().descriptor
    d.gridShape, d.pushConstants = node.gridShape, node.pushConstants
    return d
  end,
}

do
  local names = {}
  for k in pairs(computeFields) do names[#names + 1] = k end
  kit.describeClass("ComputeNode", nil, names)
end

local function newComputeNode(session, desc)
  local program = desc.program
  if program == nil then
    argError(1, "createComputeNode", "descriptor '%s' has no program (register '%s.comp' " ..
      "with session:setProgram before making the descriptor, or set desc.program)",
      desc.builderName, desc.builderName)
  end
  local own = copyDescriptor(desc)
  local l, g = own.localShape, own.gridShape
  local spec = {program = program, functionName = own.functionName,
    localShape = {l.x, l.y, l.z}, gridShape = {g.x, g.y, g.z},
    pushConstants = own.pushConstants.bytes, ports = portList(own)}
  local portDescriptors = {}
  for _, p in ipairs(own.ports) do portDescriptors[p.name] = p end
  local extra = {bound = {}, portDescriptors = portDescriptors, descriptor = own,
    fields = computeFields, state = ll.NodeState.Created, session = session}
  return session:_newComputeNode(spec, extra)
end

-- The descriptor a create is given: by builder name (its newDescriptor() run with the
-- session active), a descriptor of the class, or a plain table (ofTable's).
local function descriptorOf(session, x, fname, nodeType, ofTable)
  local class = "ll." .. nodeType .. "NodeDescriptor"
  local tname = "lluvia." .. nodeType .. "NodeDescriptor"
  if type(x) == "string" then
    local b = builderOf(session, x, fname, nodeType)
    local desc = ll._withSession(session, b.newDescriptor)
    if getmetatable(desc) ~= tname then
      error(("lluvia: node builder '%s': newDescriptor() must return an %s, got %s"):format(
        x, class, describe(desc)), 3)
    end
    return desc
  elseif getmetatable(x) == tname then
    return x
  elseif type(x) == "table" and getmetatable(x) == nil then
    local ok, r = pcall(ofTable, x)
    if not ok then error(("bad argument #1 to '%s' (%s)"):format(fname, bare(r)), 3) end
    return r
  end
  error(("bad argument #1 to '%s' (a builder name, an %s or a table expected, got %s)"):format(
    fname, class, describe(x)), 3)
end

-- session:createComputeNode(nameOrDescriptor)
local function createComputeNode(session, x)
  checkSession("createComputeNode", session)
  return newComputeNode(session, descriptorOf(session, x, "createComputeNode",
    ll.NodeType.Compute, descriptorOfTable))
end

-- session:compileComputeNode{glsl = src, ports = ..., localShape = ..., gridShape = ...,
-- includeDirs = ..., defines = ..., name = ..., functionName = ..., pushConstants = ...}
local COMPILE_KEYS = {glsl = true, includeDirs = true, defines = true, name = true}
local function compileComputeNode(session, t)
  checkSession("compileComputeNode", session)
  if type(t) ~= "table" or getmetatable(t) ~= nil then
    argError(1, "compileComputeNode", "a table {glsl = source, ...} expected, got %s",
      describe(t))
  end
  if type(t.glsl) ~= "string" then
    argError(1, "compileComputeNode", "glsl must be the shader's source, got %s",
      describe(t.glsl))
  end
  local node = {}
  for k, v in pairs(t) do
    if not COMPILE_KEYS[k] then node[k] = v end
  end
  if node.program ~= nil then
    argError(1, "compileComputeNode", "program is made from glsl: give one or the other")
  end
  node.program = session:compileProgram(t.glsl, {includeDirs = t.includeDirs,
    defines = t.defines, name = t.name})
  return createComputeNode(session, node)
end

-- The node's builder (by its descriptor's builderName), or nil for a node made without one.
local function builderOfNode(e)
  local name = e.descriptor.builderName
  if name == "" then return nil end
  return ll._findNodeBuilder(e.session, name)
end

-- Runs the builder's onNodeInit; a node whose onNodeInit raised stays uninitialized for good.
local function runInit(node, e)
  if e.state == ll.NodeState.Init then
    error("lluvia: the node is initialized already: init runs once", 3)
  end
  if e.failed then
    error("lluvia: the node's onNodeInit failed earlier: make a new node", 3)
  end
  local b = builderOfNode(e)
  if b ~= nil and b.onNodeInit ~= nil then
    e.failed = true
    ll._withSession(e.session, b.onNodeInit, node)
    e.failed = nil
  end
end

local function computeInit(node)
  local e = node:_extra()
  runInit(node, e)
  node:_initPipeline()
  e.state = ll.NodeState.Init
end

local function setParameter(node, name, value)
  node:_extra().descriptor:setParameter(name, value)
end

local function getParameter(node, name)
  return node:_extra().descriptor:getParameter(name)
end

local function runNode(node)
  local e = node:_extra()
  return e.session:run(node)
end

addMethods(NODE, {
  init = computeInit,
  setParameter = setParameter,
  getParameter = getParameter,
  run = runNode,
})

---------------------------------------------------------------------------------------------
-- Container nodes
---------------------------------------------------------------------------------------------

local containers = setmetatable({}, {__mode = "k"})
local Container = {}
local containerMt = {__metatable = CONTAINER, __name = CONTAINER}

local function live(c, fname)
  local s = containers[c]
  if s == nil then
    error(("bad argument #1 to '%s' (ContainerNode expected, got %s)"):format(fname,
      describe(c)), 3)
  end
  if s.released then error("lluvia: ContainerNode has been released", 3) end
  return s
end

local containerFields = {
  descriptor = function(s) return s.descriptor end,
  state = function(s) return s.state end,
  type = function() return ll.NodeType.Container end,
  ports = function(s) return portList(s.descriptor) end,
  builderName = function(s) return s.descriptor.builderName end,
}

containerMt.__index = function(c, k)
  local m = Container[k]
  if m ~= nil then return m end
  local f = containerFields[k]
  if f ~= nil then return f(live(c, "index")) end
end
do
  local names = {}
  for k in pairs(containerFields) do names[#names + 1] = k end
  kit.describeClass("ContainerNode", Container, names)
end

containerMt.__newindex = function(_, k)
  error(("lluvia: ContainerNode field %s is read-only"):format(describe(k)), 2)
end
containerMt.__tostring = function(c)
  local s = containers[c]
  if s == nil or s.released then return CONTAINER .. " (released)" end
  return ("%s('%s', %s)"):format(CONTAINER, s.descriptor.builderName, s.state)
end

function Container:release()
  local s = containers[self]
  if s == nil then return end
  s.released, s.objects, s.nodes = true, {}, {}
end
containerMt.__gc = function(c) Container.release(c) end
containerMt.__close = containerMt.__gc

local function checkName(fname, name)
  if type(name) ~= "string" then
    error(("bad argument #1 to '%s' (name must be a string, got %s)"):format(fname,
      describe(name)), 3)
  end
end

function Container:bind(name, object)
  local s = live(self, "bind")
  checkName("bind", name)
  if object == nil then
    error("bad argument #2 to 'bind' (an object expected, got nil)", 2)
  end
  s.objects[name] = object
end

-- The entry `name` of the container's table `what` (objects or nodes), or an argument
-- error saying `missing`.
local function entry(c, fname, what, name, missing)
  local s = live(c, fname)
  checkName(fname, name)
  local v = s[what][name]
  if v == nil then
    error(("bad argument #1 to '%s' (%s)"):format(fname, missing:format(name)), 3)
  end
  return v
end

function Container:getPort(name)
  return entry(self, "getPort", "objects", name, "port '%s' has no object bound to it")
end

local function isNode(v)
  local mt = getmetatable(v)
  return mt == NODE or mt == CONTAINER
end

function Container:bindNode(name, node)
  local s = live(self, "bindNode")
  checkName("bindNode", name)
  if not isNode(node) then
    error(("bad argument #2 to 'bindNode' (a ComputeNode or a ContainerNode expected, got %s)")
      :format(describe(node)), 2)
  end
  s.nodes[name] = node
end

function Container:getNode(name)
  return entry(self, "getNode", "nodes", name, "no node named '%s' in the container")
end

function Container:init()
  local s = live(self, "init")
  runInit(self, s)
  s.state = ll.NodeState.Init
end

-- Calls the builder's onNodeRecord(node, cb); an error in it aborts the command buffer, so
-- that no half-recorded buffer survives.
function Container:record(cb)
  local s = live(self, "record")
  if getmetatable(cb) ~= CB then
    error(("bad argument #1 to 'record' (CommandBuffer expected, got %s)"):format(
      describe(cb)), 2)
  end
  if s.state ~= ll.NodeState.Init then
    error("lluvia: the node is not initialized: call init() before recording or running it", 2)
  end
  local b = builderOfNode(s)
  if b == nil or b.onNodeRecord == nil then return end
  local ok, e = pcall(ll._withSession, s.session, b.onNodeRecord, self, cb)
  if not ok then
    cb:_abort()
    error(e, 0)
  end
end

function Container:run()
  local s = live(self, "run")
  return s.session:run(self)
end

function Container:setParameter(name, value)
  live(self, "setParameter").descriptor:setParameter(name, value)
end

function Container:getParameter(name)
  return live(self, "getParameter").descriptor:getParameter(name)
end

local function descriptorOfContainerTable(t)
  local d = ll.ContainerNodeDescriptor.new()
  for k, v in pairs(t) do
    if k == "builderName" then d.builderName = v
    elseif k == "ports" then for i, p in ipairs(v) do d:addPort(portOf(p, i)) end
    elseif k == "parameters" then for pk, pv in pairs(v) do d:setParameter(pk, pv) end
    else error(("unknown field %s in a container description (fields: builderName, " ..
      "parameters, ports)"):format(describe(k)), 0) end
  end
  return d
end

-- session:createContainerNode(nameOrDescriptor)
local function createContainerNode(session, x)
  checkSession("createContainerNode", session)
  local desc = descriptorOf(session, x, "createContainerNode", ll.NodeType.Container,
    descriptorOfContainerTable)
  local c = setmetatable({}, containerMt)
  containers[c] = {descriptor = copyDescriptor(desc), state = ll.NodeState.Created,
    objects = {}, nodes = {}, session = session}
  return c
end

---------------------------------------------------------------------------------------------
-- Running
---------------------------------------------------------------------------------------------

-- cb:run(node): a compute node's dispatch, or a container's onNodeRecord.
local function cbRun(cb, node)
  if getmetatable(node) ~= NODE and getmetatable(node) ~= CONTAINER then
    error(("bad argument #1 to 'run' (a ComputeNode or a ContainerNode expected, got %s)")
      :format(describe(node)), 2)
  end
  node:record(cb)
end

addMethods(CB, {run = cbRun})

-- session:run(commandBuffer) or session:run(node, ...): nodes run in order, in one
-- submission, with a barrier between them.
local function run(session, ...)
  checkSession("run", session)
  local n = select("#", ...)
  local first = ...
  if n == 1 and getmetatable(first) == CB then return first:_submit() end
  if n == 0 then argError(1, "run", "a node or a CommandBuffer expected, got none") end
  local compute = true
  for i = 1, n do
    local x = select(i, ...)
    if not isNode(x) then
      argError(i, "run", "a ComputeNode or a ContainerNode expected, got %s", describe(x))
    end
    compute = compute and getmetatable(x) == NODE
  end
  if compute then return session:_runNodes(...) end
  local cb <close> = session:createCommandBuffer()
  cb:begin()
  for i = 1, n do
    if i > 1 then cb:memoryBarrier() end
    local ok, e = pcall(cbRun, cb, (select(i, ...)))
    if not ok then
      cb:_abort()
      error(e, 0)
    end
  end
  cb:ends()
  cb:_submit()
end

addMethods(SESSION, {
  createComputeNode = createComputeNode,
  compileComputeNode = compileComputeNode,
  createContainerNode = createContainerNode,
  run = run,
})
