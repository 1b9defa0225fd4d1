-- node_kit.lua: what the built-in node library's builders (lua/nodes) share: making an
-- output image in the input's Memory unless one is bound already, and the 2D grid over an
-- image. Not for: builder scripts of users (lluvia's API is theirs: docs/compute.md).
local ll = ...

local kit = {}
ll._nodeKit = kit

-- The view bound to `outName`, or a new one made in the Memory of the image bound to
-- `inName`: its size, `channelCount` and `channelType` (ll.ChannelType), storage (not
-- sampled), in the General layout, bound to `outName`.
function kit.output(node, inName, outName, channelCount, channelType)
  local bound = kit.bound(node, outName)
  if bound ~= nil then return bound end
  local input = node:getPort(inName)
  local imageDesc = ll.ImageDescriptor.new(input.depth, input.height, input.width,
    channelCount, channelType)
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

-- A builder of a 2D compute node named `name`, documented by `doc`, whose ports are
-- `ports` (a list of {name, direction, check = function(port)}, numbered from 0), whose
-- parameters are `parameters` ({name, value} in order) and whose onNodeInit is `init`.
function kit.computeBuilder(name, doc, ports, parameters, init)
  local builder = ll.class(ll.ComputeNodeBuilder)
  builder.name, builder.doc = name, doc
  function builder.newDescriptor()
    local desc = ll.ComputeNodeDescriptor.new()
    desc:init(name, ll.ComputeDimension.D2)
    for i, p in ipairs(ports) do
      local port = ll.PortDescriptor.new(i - 1, p[1], p[2], p.type or ll.PortType.ImageView)
      if p.check then p.check(port) end
      desc:addPort(port)
    end
    for _, p in ipairs(parameters or {}) do desc:setParameter(p[1], p[2]) end
    return desc
  end
  builder.onNodeInit = init
  ll.registerNodeBuilder(builder)
  return builder
end

-- A port check: the image has `count` channels of the type `ctype` (or one of a list).
function kit.image(count, ctype)
  return function(port)
    if count then port:checkImageChannelCountIs(count) end
    if type(ctype) == "table" then
      port:checkImageChannelTypeIsAnyOf(ctype)
    elseif ctype then
      port:checkImageChannelTypeIs(ctype)
    end
  end
end
