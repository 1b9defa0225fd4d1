-- node_kit.lua: what the built-in node library's builders (lua/nodes) share: making an
-- output image in the input's Memory unless one is bound already, and the 2D grid over an
-- image; for the lluvia/imgproc containers, checking what is bound at init, reading
-- parameters, and making child compute nodes. Not for: builder scripts of users (lluvia's
-- API is theirs: docs/compute.md).
local ll = ...

local kit = {}
ll._nodeKit = kit

-- The view bound to `outName`, or a new one made in the Memory of the image bound to
-- `inName`: its size (or width x height where given), `channelCount` and `channelType`
-- (ll.ChannelType), storage (not sampled), in the General layout, bound to `outName`.
function kit.output(node, inName, outName, channelCount, channelType, width, height)
  local bound = kit.bound(node, outName)
  if bound ~= nil then return bound end
  local input = kit.input(node, inName, {})
  local imageDesc = ll.ImageDescriptor.new(input.depth, height or input.height,
    width or input.width, channelCount, channelType)
  local view = input.memory:createImageView(imageDesc, ll.ImageViewDescriptor.new())
  view:changeImageLayout(ll.ImageLayout.General)
  node:bind(outName, view)
  return view
end

-- The object bound to the port `name`, or nil.
function kit.bound(node, name)
  local ok, object = pcall(node.getPort, node, name)
  if ok then return object end
  return nil
end

-- Sets the grid to cover `view`'s width and height.
function kit.cover(node, view)
  node:configureGridShape(ll.vec3ui.new(view.width, view.height, 1))
end

-- Registers the builder of a 2D compute node: spec.name, spec.doc, spec.ports (a list of
-- {name, direction, check = function(port)?, type = PortType?}, numbered from 0),
-- spec.parameters ({name, value} in order, optional), spec.localShape ({x, y}, for a shader
-- whose workgroup size is fixed; default ll.getGoodComputeLocalShape's) and spec.init
-- (onNodeInit); or the same as arguments: kit.computeBuilder(name, doc, ports, parameters, init).
function kit.computeBuilder(spec, ...)
  if type(spec) ~= "table" then
    local doc, ports, parameters, init = ...
    spec = {name = spec, doc = doc, ports = ports, parameters = parameters, init = init}
  end
  local builder = ll.class(ll.ComputeNodeBuilder)
  builder.name, builder.doc = spec.name, spec.doc
  function builder.newDescriptor()
    local desc = ll.ComputeNodeDescriptor.new()
    desc:init(spec.name, ll.ComputeDimension.D2)
    if spec.localShape then
      desc.localShape = ll.vec3ui.new(spec.localShape[1], spec.localShape[2], 1)
    end
    for i, p in ipairs(spec.ports) do
      local port = ll.PortDescriptor.new(i - 1, p[1], p[2], p.type or ll.PortType.ImageView)
      if p.check then p.check(port) end
      desc:addPort(port)
    end
    for _, p in ipairs(spec.parameters or {}) do desc:setParameter(p[1], p[2]) end
    return desc
  end
  builder.onNodeInit = spec.init
  ll.registerNodeBuilder(builder)
  return builder
end

-- Registers the builder of a 2D node of one input and one output image of the input's
-- size: spec.name, spec.doc, spec.parameters as computeBuilder's; spec.input = {port,
-- channelCount, channelType or a list of them}; spec.output = {port, channelCount,
-- channelType or a list}, made (unless bound) with spec.output.make (a channel type, or a
-- function(node) giving one; default the first type listed); spec.prepare(node), if any,
-- runs first in onNodeInit (push constants, a variant) and may return the output's width
-- and height (spec.sizeDoc then says what they are).
function kit.mapBuilder(spec)
  local input, output = spec.input, spec.output
  local doc = spec.doc .. "\nInputs\n------\n" .. kit.portDoc(input) ..
    "\nOutputs\n-------\n" .. kit.portDoc(output) ..
    "    " .. (spec.sizeDoc or "Of the input's size") ..
    ", made in the input's Memory unless bound before init.\n"
  return kit.computeBuilder{
    name = spec.name, doc = doc, parameters = spec.parameters,
    ports = {
      {input[1], ll.PortDirection.In, check = kit.image(input[2], input[3])},
      {output[1], ll.PortDirection.Out, check = kit.image(output[2], output[3])},
    },
    init = function(node)
      local width, height
      if spec.prepare then width, height = spec.prepare(node) end
      local make = output.make or output[3]
      if type(make) == "function" then make = make(node) end
      if type(make) == "table" then make = make[1] end
      kit.cover(node, kit.output(node, input[1], output[1], output[2], make, width, height))
    end,
  }
end

-- The lines of a doc's Inputs or Outputs section for {port, channelCount, channelType(s)}.
function kit.portDoc(p)
  local types = type(p[3]) == "table" and table.concat(p[3], " or ") or p[3]
  return ("%s : ImageView\n    %s C%d image.%s\n"):format(p[1], types, p[2],
    p.doc and (" " .. p.doc) or "")
end

local formatPrefix = {[1] = "r", [2] = "rg", [4] = "rgba"}
local formatSuffix = {Uint8 = "8ui", Uint16 = "16ui", Uint32 = "32ui", Int8 = "8i",
  Int16 = "16i", Int32 = "32i", Float16 = "16f", Float32 = "32f"}

-- The GLSL image format of a view's channels ("r8ui", "rgba32f"), or nil for none.
function kit.format(view)
  local p, q = formatPrefix[view.channelCount], formatSuffix[view.channelType]
  return p and q and (p .. q) or nil
end

-- Makes the node run the variant of its shader that reads the format of the image bound to
-- `port` (CMakeLists.txt's "// variants:" line): X.comp holds the first format, X.<format>.comp
-- the others. The port's checks have made sure there is one.
function kit.useVariant(node, port)
  local format = kit.format(kit.input(node, port, {}))
  local name = node.descriptor.builderName
  local program = ll.getProgram(("%s.%s.comp"):format(name, format))
  if program ~= nil then node.program = program end
end

-- A port check: the image has `count` channels of the type `ctype` (or one of a list).
function kit.image(count, ctype)
  if count == nil and ctype == nil then return nil end
  return function(port)
    if count then port:checkImageChannelCountIs(count) end
    if type(ctype) == "table" then
      port:checkImageChannelTypeIsAnyOf(ctype)
    elseif ctype then
      port:checkImageChannelTypeIs(ctype)
    end
  end
end

---------------------------------------------------------------------------------------------
-- The image nodes of lluvia/imgproc: containers that check what is bound to them at init
-- (container ports are not checked by bind), pick a program by the input's channel type and
-- make their stages as child compute nodes.
---------------------------------------------------------------------------------------------

local function contains(list, v)
  for _, x in ipairs(list) do
    if x == v then return true end
  end
  return false
end

-- An argument error of node:init() about port `port` of the node `node`.
local function portError(node, port, fmt, ...)
  error(("bad argument #1 to 'init' (%s: port '%s' %s)"):format(node.builderName, port,
    fmt:format(...)), 0)
end

kit.portError = portError

-- A ContainerNodeDescriptor named `name` with the ports {name, direction} (ImageViews,
-- numbered from 0) and the parameters {name, value}, in order.
function kit.containerDescriptor(name, ports, parameters)
  local desc = ll.ContainerNodeDescriptor.new()
  desc.builderName = name
  for i, p in ipairs(ports) do
    desc:addPort(ll.PortDescriptor.new(i - 1, p[1], p[2], ll.PortType.ImageView))
  end
  for _, p in ipairs(parameters or {}) do desc:setParameter(p[1], p[2]) end
  return desc
end

-- An argument error of node:init() about parameter `name` of the node `node`.
function kit.parameterError(node, name, fmt, ...)
  error(("bad argument #1 to 'init' (%s: parameter '%s' %s)"):format(node.builderName, name,
    fmt:format(...)), 0)
end

-- Checks that `view` suits `port` (a 2D storage ImageView; `want.channelTypes`,
-- `want.channels`: the lists it may have); an argument error naming the port otherwise.
local function checkView(node, port, view, want)
  if getmetatable(view) ~= "lluvia.ImageView" then
    portError(node, port, "takes an ImageView, got %s", tostring(view))
  end
  if view.isSampled then
    portError(node, port, "takes a storage (not sampled) ImageView, got a sampled one")
  end
  if view.depth ~= 1 then
    portError(node, port, "takes a 2D image (depth 1), got depth %d", view.depth)
  end
  if want.channelTypes ~= nil and not contains(want.channelTypes, view.channelType) then
    portError(node, port, "image channel type must be one of %s, got %s",
      table.concat(want.channelTypes, ", "), view.channelType)
  end
  if want.channels ~= nil and not contains(want.channels, view.channels) then
    portError(node, port, "image channel count must be %s, got %d",
      table.concat(want.channels, " or "), view.channels)
  end
  if want.sampledUsage and not contains(view.image.usageFlags, "Sampled") then
    portError(node, port, "needs an image with Sampled usage (the node reads it through a " ..
      "sampled view), got one with {%s}", table.concat(view.image.usageFlags, ", "))
  end
  if want.width ~= nil and (view.width ~= want.width or view.height ~= want.height) then
    portError(node, port, "image must be %dx%d (width x height), got %dx%d", want.width,
      want.height, view.width, view.height)
  end
  return view
end

-- The ImageView bound to input `port`, checked against `want` (see checkView); with
-- `want.sampledUsage`, also a sampled view of its image (nearest, unnormalized: what
-- texelFetch reads).
function kit.input(node, port, want)
  local view = kit.bound(node, port)
  if view == nil then portError(node, port, "is not bound: bind an ImageView to it before init") end
  checkView(node, port, view, want)
  if want.sampledUsage then return view, kit.sampled(view) end
  return view
end

-- A sampled view of `view`'s image, for the programs that read it with texelFetch.
function kit.sampled(view)
  return view.image:createImageView(ll.ImageViewDescriptor.new(ll.ImageAddressMode.ClampToEdge,
    ll.ImageFilterMode.Nearest, false, true))
end

-- Output `port` of the image nodes: the ImageView bound to it, checked to be `width` x `height` with
-- `channels` channels of `channelType`, or a new one in `memory`, bound to the node.
function kit.sizedOutput(node, port, memory, width, height, channels, channelType)
  local view = kit.bound(node, port)
  if view ~= nil then
    return checkView(node, port, view, {channelTypes = {channelType}, channels = {channels},
      width = width, height = height})
  end
  view = memory:createImageView(
    ll.ImageDescriptor.new(1, height, width, channels, channelType),
    ll.ImageViewDescriptor.new(ll.ImageAddressMode.ClampToEdge, ll.ImageFilterMode.Nearest,
      false, false))
  node:bind(port, view)
  return view
end

-- Whether the node has a parameter `name` (set by its descriptor or by the script).
function kit.hasParameter(node, name)
  return node.descriptor.parameters[name] ~= nil
end

-- Parameter `name` as a number, or `default` where the node has none.
function kit.number(node, name, default)
  if not kit.hasParameter(node, name) then return default end
  local v = node:getParameter(name)
  if type(v) ~= "number" then kit.parameterError(node, name, "must be a number, got %s", tostring(v)) end
  return v
end

-- Parameter `name` as an integer (a float with an integral value is taken).
function kit.integer(node, name, default)
  local v = kit.number(node, name, default)
  if v == nil then return nil end
  local i = math.tointeger(v)
  if i == nil then kit.parameterError(node, name, "must be an integer, got %s", tostring(v)) end
  return i
end

-- The float output's channel type of parameter float_precision (FP16 or FP32).
function kit.floatType(node)
  local fp = kit.integer(node, "float_precision", ll.FloatPrecision.FP32)
  if fp ~= ll.FloatPrecision.FP16 and fp ~= ll.FloatPrecision.FP32 then
    kit.parameterError(node, "float_precision", "must be ll.FloatPrecision.FP16 (%d) or FP32 (%d), got %s",
      ll.FloatPrecision.FP16, ll.FloatPrecision.FP32, tostring(fp))
  end
  return ll.floatPrecisionToImageChannelType(fp)
end

-- The numeric class of a channel type, which picks a program's variant: uint, int or float.
local CLASSES = {Uint8 = "uint", Uint16 = "uint", Uint32 = "uint", Int8 = "int", Int16 = "int",
  Int32 = "int", Float16 = "float", Float32 = "float"}
function kit.class(channelType)
  return CLASSES[channelType]
end

-- The channel types the image nodes read: 8-, 16- and 32-bit integers and floats (64-bit
-- channels are not storage formats on the devices lluvia runs on).
kit.channelTypes = {"Uint8", "Int8", "Uint16", "Int16", "Float16", "Uint32", "Int32", "Float32"}

-- A compute node of builder `name`, its ports bound (`ports`: port -> object), its push
-- constants `pc` (an ll.PushConstants or nil), its grid covering width x height, inited.
-- `tile` ({x, y}, optional): the pixels one workgroup makes, where that is not its
-- localShape (a shader whose invocations make several pixels each).
function kit.computeNode(name, ports, pc, width, height, tile)
  local node = ll.createComputeNode(name)
  for port, object in pairs(ports) do node:bind(port, object) end
  if pc ~= nil then node.pushConstants = pc end
  if tile then
    node.gridShape = ll.vec3ui.new((width + tile[1] - 1) // tile[1], (height + tile[2] - 1) // tile[2], 1)
  else
    node:configureGridShape(ll.vec3ui.new(width, height, 1))
  end
  node:init()
  return node
end

-- The push constants of one GaussianBlur_<class> pass (GaussianBlur.glsl): ivec2 axis, int
-- radius, float sigma.
function kit.blurPassConstants(axisX, axisY, radius, sigma)
  local pc = ll.PushConstants.new()
  pc:pushInt32(axisX)
  pc:pushInt32(axisY)
  pc:pushInt32(radius)
  pc:pushFloat(sigma)
  return pc
end

-- Records the child nodes `names` of container `node` in order, a memory barrier between
-- each and the next.
function kit.recordInOrder(node, cb, names)
  for i, name in ipairs(names) do
    if i > 1 then cb:memoryBarrier() end
    cb:run(node:getNode(name))
  end
end
