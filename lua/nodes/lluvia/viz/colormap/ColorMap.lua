-- lluvia/viz/colormap/ColorMap (a container) and its stages ColorMap_float, ColorMap_int and
-- ColorMap_uint (shaders/nodes/lluvia/viz/colormap/ColorMap_*.comp); the tables are
-- lua/node_kit_colormaps.lua's.
local kit = ll._nodeKit

local PARAMETERS = [[
min_value : float, default 0.0; max_value : float, default 1.0
    The values mapped to the first and the last entry (max_value > min_value).
alpha : float in [0, 1], default 1.0
    The output's alpha (lluvia's ColorMap defaults to 0.0, transparent).
reverse : float, default 0.0
    Not 0: the table is read from its end.
]]

local CLASSES = {
  float = {"Float16", "Float32"},
  int = {"Int8", "Int16", "Int32"},
  uint = {"Uint8", "Uint16", "Uint32"},
}

-- The push constants of the parameters, checked.
local function pushConstants(node)
  local minValue, maxValue = kit.number(node, "min_value", 0.0), kit.number(node, "max_value", 1.0)
  if not (maxValue > minValue) then
    kit.parameterError(node, "max_value", "must be greater than min_value (%s), got %s",
      tostring(minValue), tostring(maxValue))
  end
  local alpha = kit.number(node, "alpha", 1.0)
  if not (alpha >= 0 and alpha <= 1) then
    kit.parameterError(node, "alpha", "must be in [0, 1], got %s", tostring(alpha))
  end
  local pc = ll.PushConstants.new()
  pc:pushFloat(minValue)
  pc:pushFloat(maxValue)
  pc:pushFloat(alpha)
  pc:pushFloat(kit.number(node, "reverse", 0.0))
  return pc
end

local DEFAULTS = {{"min_value", 0.0}, {"max_value", 1.0}, {"alpha", 1.0}, {"reverse", 0.0}}

for class, types in pairs(CLASSES) do
  local name = "lluvia/viz/colormap/ColorMap_" .. class
  kit.computeBuilder{
    name = name,
    doc = ([[
Colours a 1-channel %s image through a 256-entry colour table (ColorMap's stage).

With t = clamp((v - min_value) / (max_value - min_value), 0, 1), and 1 - t where reverse is
not 0: out = the table's entry min(floor(256 t), 255), alpha = round(255 alpha).

Parameters
----------
%s
Inputs
------
in_image : ImageView
    %s C1 image.
in_colormap : SampledImageView
    Uint8 C4 image of 256 x 1: the table.

Outputs
-------
out_rgba : ImageView
    Uint8 C4 image of in_image's size, made in its Memory unless bound before init.
]]):format(class, PARAMETERS, table.concat(types, ", ")),
    ports = {
      {"in_image", ll.PortDirection.In, check = kit.image(1, types)},
      {"in_colormap", ll.PortDirection.In, type = ll.PortType.SampledImageView,
        check = kit.image(4, "Uint8")},
      {"out_rgba", ll.PortDirection.Out, check = kit.image(4, "Uint8")},
    },
    parameters = DEFAULTS,
    init = function(node)
      kit.useVariant(node, "in_image")
      node.pushConstants = pushConstants(node)
      kit.cover(node, kit.output(node, "in_image", "out_rgba", 4, "Uint8"))
    end,
  }
end

local names = {}
for k in pairs(kit.colorMaps) do names[#names + 1] = k end
table.sort(names)

local builder = ll.class(ll.ContainerNodeBuilder)
builder.name = "lluvia/viz/colormap/ColorMap"
builder.doc = ([[
Colours a 1-channel image through a named colour map (viridis, magma, ...).

Runs ColorMap_uint, ColorMap_int or ColorMap_float (the child 'ColorMap', by the input's
channel type) with the table of `colormap`, sampled from matplotlib's definition at 256
points (scripts/make_colormaps.py).

Parameters
----------
colormap : string, default "viridis"
    One of: %s.
%s
Inputs
------
in_image : ImageView
    C1 image of Uint8, Uint16, Uint32, Int8, Int16, Int32, Float16 or Float32.

Outputs
-------
out_rgba : ImageView
    Uint8 C4 image of the input's size, made in its Memory unless bound before init.
]]):format(table.concat(names, ", "), PARAMETERS)

function builder.newDescriptor()
  local parameters = {{"colormap", "viridis"}}
  for _, p in ipairs(DEFAULTS) do parameters[#parameters + 1] = p end
  return kit.containerDescriptor(builder.name,
    {{"in_image", ll.PortDirection.In}, {"out_rgba", ll.PortDirection.Out}}, parameters)
end

function builder.onNodeInit(node)
  local all = {}
  for _, types in pairs(CLASSES) do
    for _, t in ipairs(types) do all[#all + 1] = t end
  end
  local input = kit.input(node, "in_image", {channelTypes = all, channels = {1}})
  local name = node:getParameter("colormap")
  local encoded = kit.colorMaps[name]
  if encoded == nil then
    kit.parameterError(node, "colormap", "must be one of %s, got %s", table.concat(names, ", "),
      tostring(name))
  end
  local lut = input.memory:createImageFromHost(ll.fromBase64(encoded):reshape({1, 256, 4}))
  local child = ll.createComputeNode("lluvia/viz/colormap/ColorMap_" .. kit.class(input.channelType))
  for _, p in ipairs(DEFAULTS) do child:setParameter(p[1], node:getParameter(p[1])) end
  child:bind("in_image", input)
  child:bind("in_colormap", lut:createImageView{sampled = true, addressMode = "ClampToEdge"})
  local out = kit.bound(node, "out_rgba")
  if out ~= nil then child:bind("out_rgba", out) end
  child:init()
  node:bindNode("ColorMap", child)
  node:bind("out_rgba", child:getPort("out_rgba"))
end

function builder.onNodeRecord(node, cb)
  cb:run(node:getNode("ColorMap"))
end

ll.registerNodeBuilder(builder)
