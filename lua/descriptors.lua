-- descriptors.lua: lluvia's descriptors as plain Lua values (API.md "Descriptors"):
-- ll.vec3ui, ll.PushConstants, ll.Parameter, ll.PortDescriptor (its checks, applied at bind
-- by port:isValid), ll.ComputeNodeDescriptor, ll.ContainerNodeDescriptor, ll.ImageDescriptor
-- and ll.ImageViewDescriptor. Every field assignment is checked. Not for: nodes, programs or
-- images themselves (the C binding), which read these through their fields.
local ll, _, kit = ...

local FLT_MAX = 3.4028234663852886e38
local UINT32_MAX = 0xffffffff

-- ---- values in messages and argument errors ---------------------------------------------

-- A short printable form, as the C binding's ll_lua_describe: '...' around strings.
local function describe(v)
  if type(v) == "string" then
    if #v > 40 then v = v:sub(1, 37) .. "..." end
    return "'" .. v .. "'"
  end
  return tostring(v)
end

-- Raises `bad argument #n to 'fn' (msg)` at the caller of the function that calls this.
local function argerror(n, fn, msg)
  error(("bad argument #%d to '%s' (%s)"):format(n, fn, msg), 3)
end

-- Raises `calling 'fn' on bad self (<cname> expected, got ...)`, as luaL_checkudata does.
local function bad_self(fn, cname, v)
  error(("calling '%s' on bad self (%s expected, got %s)"):format(fn, cname, describe(v)), 3)
end

-- Each check returns the value, converted, or nil and "<what> must be ..., got ...".

local function check_integer(v, what, min, max)
  local i = math.type(v) == "integer" and v or
            (math.type(v) == "float" and v == math.floor(v) and math.tointeger(v))
  if not i or i < min or (max and i > max) then
    local range = min == 1 and "a positive integer" or ("an integer >= %d"):format(min)
    if max then range = ("an integer in %d .. %d"):format(min, max) end
    return nil, ("%s must be %s, got %s"):format(what, range, describe(v))
  end
  return i
end

local function check_uint32(v, what) return check_integer(v, what, 0, UINT32_MAX) end

-- A check that v is of Lua type `t` ("a boolean", "a string").
local function check_type(t, noun)
  return function(v, what)
    if type(v) ~= t then return nil, ("%s must be %s, got %s"):format(what, noun, describe(v)) end
    return v
  end
end

local check_boolean = check_type("boolean", "a boolean")
local check_string = check_type("string", "a string")

-- A number that a 32-bit float holds (infinities and NaN included), rounded to it.
local function check_float(v, what)
  if type(v) ~= "number" then
    return nil, ("%s must be a number, got %s"):format(what, describe(v))
  end
  if v == v and v ~= math.huge and v ~= -math.huge and math.abs(v) > FLT_MAX then
    return nil, ("%s must fit a 32-bit float (|x| <= %g), got %s"):format(what, FLT_MAX,
      describe(v))
  end
  return (string.unpack("<f", string.pack("<f", v)))
end

local function check_int32(v, what) return check_integer(v, what, -0x80000000, 0x7fffffff) end

local function check_kind(tname)
  return function(v, what)
    local r, msg = kit.enum(tname, v)
    if r == nil then return nil, what .. ": " .. msg end
    return r
  end
end

-- A plain list: keys 1..n only (a table that mixes in other keys is refused, as in C).
local function is_list(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n == #t
end

local function check_flags(tname)
  return function(v, what)
    if type(v) == "table" and not is_list(v) then
      return nil, ("%s must be a name, a number or a list of them, got a table with keys " ..
        "that are not list entries"):format(what)
    end
    local r, msg = kit.flags(tname, v)
    if r == nil then return nil, what .. ": " .. msg end
    return r
  end
end

local function check_channel_type(v, what)
  local r, msg = kit.channelType(v)
  if r == nil then return nil, what .. ": " .. msg end
  return r
end

-- Raises an argument error of argument n of fn when a check (its results: ok, msg) failed;
-- returns the value otherwise. `_` is the argument, for the reader.
local function arg(n, fn, _, ok, msg)
  if ok == nil then argerror(n, fn, msg) end
  return ok
end

-- ---- classes -------------------------------------------------------------------------------

-- A class of value objects: instances are empty proxies whose state lives in `state`, so
-- that every assignment goes through __newindex and is checked. `fields[name]` is
-- {get = function(s) -> value, set = function(s, v) -> nil | message} (no set: read-only).
-- The class table holds the constructor and the methods (scripts may add their own, as
-- lluvia's library.lua does); the metatable is registered for the C side as "lluvia.<name>"
-- (kit.register), whose __new makes an instance as cls.new does.
local state = setmetatable({}, {__mode = "k"})

local function class(name, fields, tostr)
  local cls = {}
  local tname = "lluvia." .. name
  local field_names = {}
  for k in pairs(fields) do
    if type(k) == "string" then field_names[#field_names + 1] = k end
  end
  table.sort(field_names)
  local mt = {__name = tname, __metatable = tname}
  mt.__index = function(o, k)
    local m = cls[k]
    if m ~= nil then return m end
    local f = fields[k]
    if f ~= nil then return f.get(state[o]) end
    return nil
  end
  mt.__newindex = function(o, k, v)
    local f = fields[k]
    if f == nil then
      error(("lluvia: %s has no field %s (fields: %s)"):format(name, describe(k),
        table.concat(field_names, ", ")), 2)
    end
    if f.set == nil then error(("lluvia: %s field '%s' is read-only"):format(tname, k), 2) end
    local msg = f.set(state[o], v)
    if msg then error(("%s.%s"):format(name, msg), 2) end
  end
  mt.__tostring = function(o) return ("%s(%s)"):format(tname, tostr(state[o])) end
  mt.__new = function(...) return cls.new(...) end
  kit.register(tname, mt)
  kit.describeClass(name, cls, field_names)
  local function make(s)
    local o = setmetatable({}, mt)
    state[o] = s
    return o
  end
  -- The state of an instance of this class, or nil for any other value.
  local function of(v)
    if getmetatable(v) == tname then return state[v] end
  end
  return cls, make, of, mt
end

-- A field that reads s[key] and sets it through check(v, key).
local function plain(key, check)
  return {
    get = function(s) return s[key] end,
    set = check and function(s, v)
      local r, msg = check(v, key)
      if r == nil then return msg end
      s[key] = r
    end,
  }
end

-- A new instance (make) with a shallow copy of state s; nil when s is nil.
local function copy_state(s, make)
  if s == nil then return nil end
  local c = {}
  for k, v in pairs(s) do c[k] = v end
  return make(c)
end

local function read_only(key) return {get = function(s) return s[key] end} end

-- ---- ll.vec3ui -------------------------------------------------------------------------------

local vec3ui, make_vec, vec_of, vec_mt
do
  local axis = {x = "x", y = "y", z = "z", [1] = "x", [2] = "y", [3] = "z"}
  local fields = {}
  for k, key in pairs(axis) do fields[k] = plain(key, check_uint32) end
  vec3ui, make_vec, vec_of, vec_mt = class("vec3ui", fields,
    function(s) return ("%d, %d, %d"):format(s.x, s.y, s.z) end)
  vec_mt.__len = function() return 3 end
  vec_mt.__eq = function(a, b)
    local sa, sb = vec_of(a), vec_of(b)
    return sa and sb and sa.x == sb.x and sa.y == sb.y and sa.z == sb.z or false
  end
end

-- A vec3ui or a table {x, y, z} -> a new vec3ui, or nil, message.
local function to_vec3ui(v, what)
  local s = vec_of(v)
  if s then return make_vec({x = s.x, y = s.y, z = s.z}) end
  if type(v) ~= "table" or not is_list(v) or #v ~= 3 then
    return nil, ("%s must be an ll.vec3ui or a table {x, y, z}, got %s"):format(what,
      describe(v))
  end
  local out = {}
  for i, key in ipairs({"x", "y", "z"}) do
    local c, msg = check_uint32(v[i], ("%s[%d]"):format(what, i))
    if c == nil then return nil, msg end
    out[key] = c
  end
  return make_vec(out)
end

-- ll.vec3ui.new() -> (0, 0, 0); new(n) -> (n, n, n); new(x, y, z); new(v) copies a vec3ui
-- or a table {x, y, z}.
function vec3ui.new(...)
  local n = select("#", ...)
  local x, y, z = ...
  if n == 0 then return make_vec({x = 0, y = 0, z = 0}) end
  if n == 1 and type(x) == "table" then return arg(1, "new", x, to_vec3ui(x, "v")) end
  if n == 1 then y, z = x, x end
  return make_vec({x = arg(1, "new", x, check_uint32(x, "x")),
                   y = arg(2, "new", y, check_uint32(y, "y")),
                   z = arg(3, "new", z, check_uint32(z, "z"))})
end

-- The conversion used wherever a vec3ui is taken: a copy of a vec3ui or of {x, y, z}, or
-- nil and a message naming `what`.
vec3ui.from = to_vec3ui
ll.vec3ui = vec3ui

-- ---- ll.PushConstants -----------------------------------------------------------------------

local PushConstants, make_pc, pc_of
do
  local function block(s, fmt, what)
    if #s.bytes ~= 4 then
      error(("lluvia: PushConstants.%s reads a block of 4 bytes, this one has %d"):format(
        what, #s.bytes), 3)
    end
    return (string.unpack(fmt, s.bytes))
  end
  local function setter(check, fmt)
    return function(s, v)
      local r, msg = check(v, fmt == "<f" and "float" or "int32")
      if r == nil then return msg end
      s.bytes = string.pack(fmt, r)
    end
  end
  PushConstants, make_pc, pc_of = class("PushConstants", {
    size = {get = function(s) return #s.bytes end},
    bytes = {get = function(s) return s.bytes end},
    float = {get = function(s) return block(s, "<f", "float") end,
             set = setter(check_float, "<f")},
    int32 = {get = function(s) return block(s, "<i4", "int32") end,
             set = setter(check_int32, "<i4")},
  }, function(s) return ("%d bytes"):format(#s.bytes) end)
end

-- PushConstants, a string of bytes or an ll.ndarray (its bytes) -> a new PushConstants.
local function to_push_constants(v, what)
  local s = pc_of(v)
  if s then return make_pc({bytes = s.bytes}) end
  if type(v) == "string" then return make_pc({bytes = v}) end
  if getmetatable(v) == "ll.ndarray" then return make_pc({bytes = v:tostring()}) end
  return nil, ("%s must be an ll.PushConstants, a string of bytes or an ll.ndarray, got %s")
    :format(what, describe(v))
end

function PushConstants.new(from)
  if from == nil then return make_pc({bytes = ""}) end
  return arg(1, "new", from, to_push_constants(from, "from"))
end

function PushConstants:pushFloat(x)
  local s = pc_of(self) or bad_self("pushFloat", "PushConstants", self)
  s.bytes = s.bytes .. string.pack("<f", arg(1, "pushFloat", x, check_float(x, "x")))
end

function PushConstants:pushInt32(i)
  local s = pc_of(self) or bad_self("pushInt32", "PushConstants", self)
  s.bytes = s.bytes .. string.pack("<i4", arg(1, "pushInt32", i, check_int32(i, "i")))
end

PushConstants.from = to_push_constants
ll.PushConstants = PushConstants

-- ---- ll.Parameter ----------------------------------------------------------------------------

local Parameter, make_param, param_of
do
  Parameter, make_param, param_of = class("Parameter", {
    type = read_only("type"),
    value = read_only("value"),
  }, function(s) return ("%s %s"):format(s.type, describe(s.value)) end)
end

-- A typed value, or nil and a message. Without `ptype`, lluvia's rule: a number is a Float,
-- a boolean an Int 0/1, a string a String (or, with `integers`, an integer an Int).
local function to_parameter(v, what, ptype, integers)
  if ptype == nil then
    local p = param_of(v)
    if p then return {type = p.type, value = p.value} end
    if type(v) == "boolean" then return {type = "Int", value = v and 1 or 0} end
    if type(v) == "string" then return {type = "String", value = v} end
    if math.type(v) == "integer" and integers then ptype = "Int" else ptype = "Float" end
    if type(v) ~= "number" then
      return nil, ("%s must be a number, a boolean, a string or an ll.Parameter, got %s")
        :format(what, describe(v))
    end
  end
  local r, msg
  if ptype == "Int" then
    if type(v) == "boolean" then v = v and 1 or 0 end
    r, msg = check_int32(v, what)
  elseif ptype == "Float" then
    r, msg = check_float(v, what)
  else
    r, msg = check_string(v, what)
  end
  if r == nil then return nil, msg end
  return {type = ptype, value = r}
end

-- ll.Parameter(value, type?): an explicit Int for an integer (ll.Parameter(1)), a Float for
-- any other number, Int 0/1 for a boolean, a String for a string; `type` (a ParameterType)
-- forces one. ll.Parameter() is Int 0, as lluvia's default.
function Parameter.new(value, ptype)
  if ptype ~= nil then ptype = arg(2, "Parameter", ptype, kit.enum("ParameterType", ptype)) end
  if value == nil then value = (ptype == "String") and "" or 0 end
  return make_param(arg(1, "Parameter", value, to_parameter(value, "value", ptype, true)))
end

function Parameter:get() return (param_of(self) or bad_self("get", "Parameter", self)).value end

-- p:set(v): lluvia's rule (a number becomes a Float).
function Parameter:set(value)
  local s = param_of(self) or bad_self("set", "Parameter", self)
  local p = arg(1, "set", value, to_parameter(value, "value"))
  s.type, s.value = p.type, p.value
end

setmetatable(Parameter, {__call = function(_, ...) return Parameter.new(...) end})
ll.Parameter = Parameter

-- ---- ll.PortDescriptor -----------------------------------------------------------------------

local PortDescriptor, make_port, port_of
do
  local function checks_of(s)
    local c = {channelCount = s.channelCount, normalizedCoordinates = s.normalizedCoordinates}
    if s.channelTypes then
      c.channelTypes = table.move(s.channelTypes, 1, #s.channelTypes, 1, {})
    end
    return c
  end
  PortDescriptor, make_port, port_of = class("PortDescriptor", {
    binding = read_only("binding"),
    name = read_only("name"),
    direction = read_only("direction"),
    type = read_only("type"),
    checks = {get = checks_of},
  }, function(s) return ("'%s', binding %d, %s %s"):format(s.name, s.binding, s.direction,
    s.type) end)
end

local function copy_port(s)
  local c = {}
  for k, v in pairs(s) do c[k] = v end
  if s.channelTypes then c.channelTypes = table.move(s.channelTypes, 1, #s.channelTypes, 1, {}) end
  return make_port(c)
end

-- ll.PortDescriptor.new(binding, name, direction, portType)
function PortDescriptor.new(binding, name, direction, portType)
  local s = {}
  s.binding = arg(1, "new", binding, check_uint32(binding, "binding"))
  s.name = arg(2, "new", name, check_string(name, "name"))
  if name == "" then argerror(2, "new", "name must not be empty") end
  s.direction = arg(3, "new", direction, kit.enum("PortDirection", direction))
  s.type = arg(4, "new", portType, kit.enum("PortType", portType))
  return make_port(s)
end

local function self_port(self, fn)
  return port_of(self) or bad_self(fn, "PortDescriptor", self)
end

function PortDescriptor:checkImageChannelCountIs(cc)
  local s = self_port(self, "checkImageChannelCountIs")
  s.channelCount = arg(1, "checkImageChannelCountIs", cc, kit.enum("ChannelCount", cc))
  return self
end

function PortDescriptor:checkImageChannelTypeIs(ct)
  local s = self_port(self, "checkImageChannelTypeIs")
  s.channelTypes = {arg(1, "checkImageChannelTypeIs", ct, check_channel_type(ct, "channelType"))}
  return self
end

function PortDescriptor:checkImageChannelTypeIsAnyOf(list)
  local s = self_port(self, "checkImageChannelTypeIsAnyOf")
  if type(list) ~= "table" or not is_list(list) or #list == 0 then
    argerror(1, "checkImageChannelTypeIsAnyOf", "channelTypes must be a non-empty list of " ..
      "channel types, got " .. describe(list))
  end
  local types = {}
  for i, ct in ipairs(list) do
    types[i] = arg(1, "checkImageChannelTypeIsAnyOf", ct,
      check_channel_type(ct, ("channelTypes[%d]"):format(i)))
  end
  s.channelTypes = types
  return self
end

function PortDescriptor:checkImageViewNormalizedCoordinatesIs(b)
  local s = self_port(self, "checkImageViewNormalizedCoordinatesIs")
  s.normalizedCoordinates = arg(1, "checkImageViewNormalizedCoordinatesIs", b,
    check_boolean(b, "normalizedCoordinates"))
  return self
end

local object_kinds = {["lluvia.Buffer"] = "Buffer", ["lluvia.Image"] = "Image",
  ["lluvia.ImageView"] = "ImageView"}

-- port:isValid(object) -> true, or false and a message naming the port: whether `object`
-- may be bound to the port (its kind, UniformBuffer usage, sampled or not) and passes the
-- port's checks. Reading a released object's fields raises, as everywhere.
function PortDescriptor:isValid(object)
  local s = self_port(self, "isValid")
  local function fail(fmt, ...)
    return false, ("port '%s' (binding %d, %s): " .. fmt):format(s.name, s.binding, s.type, ...)
  end
  local kind = object_kinds[getmetatable(object)]
  if kind == nil then return fail("takes an object, got %s", describe(object)) end
  if s.type == "Buffer" or s.type == "UniformBuffer" then
    if kind ~= "Buffer" then return fail("takes a Buffer, got an %s", kind) end
    if s.type == "UniformBuffer" then
      for _, f in ipairs(object.usageFlags) do
        if f == "UniformBuffer" then return true end
      end
      return fail("takes a buffer with UniformBuffer usage, got one with {%s}",
        table.concat(object.usageFlags, ", "))
    end
    return true
  end
  if kind ~= "ImageView" then
    return fail("takes an ImageView, got a%s %s", kind == "Image" and "n" or "", kind)
  end
  if s.type == "SampledImageView" and not object.isSampled then
    return fail("takes a sampled ImageView, got one that is not sampled")
  elseif s.type == "ImageView" and object.isSampled then
    return fail("takes an ImageView that is not sampled, got a sampled one " ..
      "(that is a SampledImageView port's)")
  end
  if s.channelCount and object.channels ~= s.channelCount then
    return fail("image channel count must be %d, got %d", s.channelCount, object.channels)
  end
  if s.channelTypes then
    local ct, ok = object.channelType, false
    for _, t in ipairs(s.channelTypes) do ok = ok or t == ct end
    if not ok then
      return fail("image channel type must be %s%s, got %s", #s.channelTypes > 1 and
        "one of " or "", table.concat(s.channelTypes, ", "), ct)
    end
  end
  if s.normalizedCoordinates ~= nil and
     object.normalizedCoordinates ~= s.normalizedCoordinates then
    return fail("image view normalizedCoordinates must be %s, got %s",
      tostring(s.normalizedCoordinates), tostring(object.normalizedCoordinates))
  end
  return true
end

ll.PortDescriptor = PortDescriptor

-- ---- ports and parameters, shared by both node descriptors ---------------------------------

-- The methods addPort, getPort, setParameter, getParameter on `cls`, whose instances' state
-- `of` returns, with `ports` (a list sorted by binding) and `parameters` (name -> a copy of
-- each ll.Parameter) fields.
local function ports_and_parameters(cls, cname, of, fields)
  local function self_of(self, fn)
    return of(self) or bad_self(fn, cname, self)
  end
  function cls:addPort(port)
    local s = self_of(self, "addPort")
    local p = port_of(port) or argerror(1, "addPort", "PortDescriptor expected, got " ..
      describe(port))
    s.ports[p.name] = copy_port(p)
    return self
  end
  function cls:getPort(name)
    local s = self_of(self, "getPort")
    local p = s.ports[name]
    if p == nil then argerror(1, "getPort", ("no port %s in %s '%s'"):format(describe(name),
      cname, s.builderName)) end
    return copy_port(state[p])
  end
  function cls:setParameter(name, value)
    local s = self_of(self, "setParameter")
    arg(1, "setParameter", name, check_string(name, "name"))
    s.parameters[name] = arg(2, "setParameter", value, to_parameter(value, "value"))
    return self
  end
  function cls:getParameter(name)
    local s = self_of(self, "getParameter")
    local p = s.parameters[name]
    if p == nil then
      local names = {}
      for k in pairs(s.parameters) do names[#names + 1] = k end
      table.sort(names)
      argerror(1, "getParameter", ("no parameter %s in %s '%s' (parameters: %s)"):format(
        describe(name), cname, s.builderName, table.concat(names, ", ")))
    end
    return p.value
  end
  fields.ports = {get = function(s)
    local list = {}
    for _, p in pairs(s.ports) do list[#list + 1] = copy_port(state[p]) end
    table.sort(list, function(a, b)
      return state[a].binding < state[b].binding or
        (state[a].binding == state[b].binding and state[a].name < state[b].name)
    end)
    return list
  end}
  fields.parameters = {get = function(s)
    local t = {}
    for k, p in pairs(s.parameters) do t[k] = make_param({type = p.type, value = p.value}) end
    return t
  end}
  fields.builderName = plain("builderName", check_string)
end

-- ---- ll.ComputeNodeDescriptor ----------------------------------------------------------------

local ComputeNodeDescriptor, make_compute, compute_of
do
  local fields = {
    functionName = plain("functionName", check_string),
    program = plain("program", function(v, what)
      if v == nil or getmetatable(v) == "lluvia.Program" then return v or false end
      return nil, ("%s must be a Program or nil, got %s"):format(what, describe(v))
    end),
    localShape = plain("localShape", to_vec3ui),
    gridShape = plain("gridShape", to_vec3ui),
    pushConstants = plain("pushConstants", to_push_constants),
  }
  -- no program is stored as false (a state table keeps no nil), read back as nil
  fields.program.get = function(s) return s.program or nil end
  local of_ref = {}
  ports_and_parameters(of_ref, "ComputeNodeDescriptor", function(v) return compute_of(v) end,
    fields)
  ComputeNodeDescriptor, make_compute, compute_of = class("ComputeNodeDescriptor", fields,
    function(s) return ("'%s', %s"):format(s.builderName, s.functionName) end)
  for k, v in pairs(of_ref) do ComputeNodeDescriptor[k] = v end
end

function ComputeNodeDescriptor.new()
  return make_compute({builderName = "", functionName = "", program = false,
    localShape = make_vec({x = 1, y = 1, z = 1}), gridShape = make_vec({x = 1, y = 1, z = 1}),
    pushConstants = make_pc({bytes = ""}), ports = {}, parameters = {}})
end

-- desc:init(name, dimension): builderName = name, program = ll.getProgram(name .. ".comp"),
-- functionName = "main", localShape = ll.getGoodComputeLocalShape(dimension), gridShape =
-- (1, 1, 1), as lluvia's library does.
function ComputeNodeDescriptor:init(name, dimension)
  local s = compute_of(self) or bad_self("init", "ComputeNodeDescriptor", self)
  arg(1, "init", name, check_string(name, "name"))
  dimension = arg(2, "init", dimension, kit.enum("ComputeDimension", dimension))
  local program = ll.getProgram(name .. ".comp")
  local shape = arg(2, "init", dimension, to_vec3ui(ll.getGoodComputeLocalShape(dimension),
    "local shape"))
  self.program = program
  s.builderName, s.functionName = name, "main"
  s.localShape, s.gridShape = shape, make_vec({x = 1, y = 1, z = 1})
  return self
end

-- desc:configureGridShape(global): gridShape = ceil(global / localShape) per axis.
function ComputeNodeDescriptor:configureGridShape(global)
  local s = compute_of(self) or bad_self("configureGridShape", "ComputeNodeDescriptor", self)
  local g = state[arg(1, "configureGridShape", global, to_vec3ui(global, "globalShape"))]
  local l = state[s.localShape]
  local out = {}
  for _, k in ipairs({"x", "y", "z"}) do
    if l[k] == 0 then
      error(("lluvia: configureGridShape needs a localShape without zeros, got (%d, %d, %d)")
        :format(l.x, l.y, l.z), 2)
    end
    out[k] = (g[k] + l[k] - 1) // l[k]
  end
  s.gridShape = make_vec(out)
  return self
end

ll.ComputeNodeDescriptor = ComputeNodeDescriptor

-- ---- ll.ContainerNodeDescriptor --------------------------------------------------------------

local ContainerNodeDescriptor, make_container, container_of
do
  local fields, of_ref = {}, {}
  ports_and_parameters(of_ref, "ContainerNodeDescriptor",
    function(v) return container_of(v) end, fields)
  ContainerNodeDescriptor, make_container, container_of = class("ContainerNodeDescriptor",
    fields, function(s) return ("'%s'"):format(s.builderName) end)
  for k, v in pairs(of_ref) do ContainerNodeDescriptor[k] = v end
end

function ContainerNodeDescriptor.new()
  return make_container({builderName = "", ports = {}, parameters = {}})
end

ll.ContainerNodeDescriptor = ContainerNodeDescriptor

-- ---- ll.ImageDescriptor ----------------------------------------------------------------------

local ImageDescriptor, make_image, image_of, image_fields
local DEFAULT_IMAGE_USAGE = ll.ImageUsageFlagBits.Storage | ll.ImageUsageFlagBits.Sampled |
  ll.ImageUsageFlagBits.TransferSrc | ll.ImageUsageFlagBits.TransferDst
do
  local function dimension(v, what) return check_integer(v, what, 1, UINT32_MAX) end
  image_fields = {
    width = plain("width", dimension),
    height = plain("height", dimension),
    depth = plain("depth", dimension),
    channelCount = plain("channelCount", check_kind("ChannelCount")),
    channelType = plain("channelType", check_channel_type),
    usageFlags = plain("usageFlags", check_flags("ImageUsageFlagBits")),
    tiling = plain("tiling", check_kind("ImageTiling")),
    shape = {get = function(s) return make_vec({x = s.width, y = s.height, z = s.depth}) end},
  }
  ImageDescriptor, make_image, image_of = class("ImageDescriptor", image_fields, function(s)
    return ("%dx%dx%d, %d x %s"):format(s.width, s.height, s.depth, s.channelCount,
      s.channelType)
  end)
end

-- ll.ImageDescriptor.new(), .new(other), .new(depth, height, width, channelCount,
-- channelType, usageFlags?, tiling?): defaults 1 x 1 x 1, C1, Uint8, Storage | Sampled |
-- TransferSrc | TransferDst, Optimal.
function ImageDescriptor.new(...)
  local n = select("#", ...)
  local copy = n == 1 and copy_state(image_of(...), make_image)
  if copy then return copy end
  local s = {width = 1, height = 1, depth = 1, channelCount = 1, channelType = "Uint8",
    usageFlags = DEFAULT_IMAGE_USAGE, tiling = "Optimal"}
  local d = make_image(s)
  if n == 0 then return d end
  local names = {"depth", "height", "width", "channelCount", "channelType", "usageFlags",
    "tiling"}
  if n < 5 or n > 7 then
    argerror(n < 5 and n + 1 or 8, "new", ("ImageDescriptor.new takes (), (other) or (depth, " ..
      "height, width, channelCount, channelType[, usageFlags[, tiling]]), got %d arguments")
      :format(n))
  end
  local args = {...}
  for i = 1, n do
    local msg = image_fields[names[i]].set(s, args[i])
    if msg then argerror(i, "new", msg) end
  end
  return d
end

ll.ImageDescriptor = ImageDescriptor

-- ---- ll.ImageViewDescriptor ------------------------------------------------------------------

local ImageViewDescriptor, make_view, view_of
do
  local address = check_kind("ImageAddressMode")
  ImageViewDescriptor, make_view, view_of = class("ImageViewDescriptor", {
    filterMode = plain("filterMode", check_kind("ImageFilterMode")),
    addressModeU = plain("addressModeU", address),
    addressModeV = plain("addressModeV", address),
    addressModeW = plain("addressModeW", address),
    normalizedCoordinates = plain("normalizedCoordinates", check_boolean),
    isSampled = plain("isSampled", check_boolean),
  }, function(s) return ("%s, %s/%s/%s, %s, %s"):format(s.filterMode, s.addressModeU,
    s.addressModeV, s.addressModeW, s.normalizedCoordinates and "normalized" or
    "unnormalized", s.isSampled and "sampled" or "not sampled") end)
end

-- ll.ImageViewDescriptor.new(), .new(other), .new(addressMode, filterMode,
-- normalizedCoordinates, isSampled): defaults Repeat, Nearest, false, false.
function ImageViewDescriptor.new(...)
  local n = select("#", ...)
  local copy = n == 1 and copy_state(view_of(...), make_view)
  if copy then return copy end
  local mode, filter, normalized, sampled = ...
  local s = {filterMode = "Nearest", addressModeU = "Repeat", addressModeV = "Repeat",
    addressModeW = "Repeat", normalizedCoordinates = false, isSampled = false}
  if n > 4 then argerror(5, "new", ("ImageViewDescriptor.new takes at most 4 arguments, " ..
    "got %d"):format(n)) end
  if mode ~= nil then
    mode = arg(1, "new", mode, kit.enum("ImageAddressMode", mode))
    s.addressModeU, s.addressModeV, s.addressModeW = mode, mode, mode
  end
  if filter ~= nil then
    s.filterMode = arg(2, "new", filter, kit.enum("ImageFilterMode", filter))
  end
  if normalized ~= nil then
    s.normalizedCoordinates = arg(3, "new", normalized,
      check_boolean(normalized, "normalizedCoordinates"))
  end
  if sampled ~= nil then
    s.isSampled = arg(4, "new", sampled, check_boolean(sampled, "isSampled"))
  end
  return make_view(s)
end

-- view:setAddressMode(mode): the same mode for U, V and W.
function ImageViewDescriptor:setAddressMode(mode)
  local s = view_of(self) or bad_self("setAddressMode", "ImageViewDescriptor", self)
  mode = arg(1, "setAddressMode", mode, kit.enum("ImageAddressMode", mode))
  s.addressModeU, s.addressModeV, s.addressModeW = mode, mode, mode
  return self
end

ll.ImageViewDescriptor = ImageViewDescriptor
