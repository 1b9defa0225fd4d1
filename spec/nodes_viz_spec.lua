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

  describe("colormap/ColorMap", function()
    local tables = ll._nodeKit.colorMaps
    -- Entry i (0-based) of the named table: {r, g, b, a}.
    local function entry(name, i)
      local bytes = ll.fromBase64(tables[name])
      return {bytes[4 * i + 1], bytes[4 * i + 2], bytes[4 * i + 3], bytes[4 * i + 4]}
    end

    it("holds viridis, magma, inferno, plasma and gray as published, 256 entries each", function()
      local ends = {viridis = {"440154", "fde725"}, magma = {"000004", "fcfdbf"},
        inferno = {"000004", "fcffa4"}, plasma = {"0d0887", "f0f921"}, gray = {"000000", "ffffff"}}
      for name, hex in pairs(ends) do
        assert.are.equal(1024, #ll.fromBase64(tables[name]))
        for j, i in ipairs({0, 255}) do
          local e = entry(name, i)
          assert.are.equal(hex[j], ("%02x%02x%02x"):format(e[1], e[2], e[3]), name .. " entry " .. i)
        end
      end
      for i = 0, 255 do assert.are.same({i, i, i, 255}, entry("gray", i)) end
    end)

    -- Runs ColorMap on `a` with `parameters`; checks every pixel against the entry
    -- min(floor(256 t), 255) of the table, exactly.
    local function check(a, parameters, lo, hi)
      local node = s:createContainerNode("lluvia/viz/colormap/ColorMap")
      for k, v in pairs(parameters) do node:setParameter(k, v) end
      node:bind("in_image", N.upload(s, a))
      node:init()
      node:run()
      local name, alpha = parameters.colormap or "viridis", parameters.alpha or 1.0
      local h, w = a.shape[1], a.shape[2]
      N.check(node:getPort("out_rgba"):toHost(), h, w, 4, function(y, x, k)
        local t = math.min(math.max((a:get(y, x) - lo) / (hi - lo), 0), 1)
        if (parameters.reverse or 0) ~= 0 then t = 1 - t end
        if k == 4 then return math.floor(alpha * 255 + 0.5) end
        return entry(name, math.min(math.floor(t * 256), 255))[k]
      end)
      return node
    end

    -- Values in the middle of the table's buckets, and past both ends.
    local function values(dtype, lo, hi)
      return N.array(4, 70, nil, dtype, function(y, x)
        local i = (y - 1) * 70 + x - 1
        if i == 0 then return lo end
        if i == 1 then return hi end
        local v = lo + ((i * 37) % 256 + 0.5) / 256 * (hi - lo)
        return dtype:find("float") and v or math.floor(v)
      end)
    end

    for _, case in ipairs({{"uint8", 0, 255, "viridis"}, {"uint16", 0, 65535, "magma"},
                           {"int8", -128, 127, "inferno"}, {"int32", -1000, 1000, "plasma"},
                           {"float32", -2, 3, "gray"}, {"float16", 0, 1, "viridis"}}) do
      local dtype, lo, hi, name = case[1], case[2], case[3], case[4]
      it("maps " .. dtype .. " through " .. name .. ", exact at every pixel", function()
        local node = check(values(dtype, lo, hi), {colormap = name, min_value = lo, max_value = hi}, lo, hi)
        assert.is_truthy(node:getNode("ColorMap"))
      end)
    end

    it("reverses the table, sets alpha, and clamps past min_value and max_value", function()
      local a = values("float32", -1, 2)
      check(a, {colormap = "magma", min_value = 0, max_value = 1, reverse = 1.0, alpha = 0.5}, 0, 1)
    end)

    it("refuses an unknown colormap, max_value <= min_value, alpha past 1 and bad inputs at init", function()
      local function init(parameters, object)
        local node = s:createContainerNode("lluvia/viz/colormap/ColorMap")
        for k, v in pairs(parameters) do node:setParameter(k, v) end
        if object then node:bind("in_image", object) end
        local ok, e = pcall(node.init, node)
        assert.is_false(ok)
        return e
      end
      local gray = N.upload(s, N.randomBytes(4, 4))
      assert.is_truthy(init({colormap = "nope"}, gray):find("parameter 'colormap' must be one of", 1, true))
      assert.is_truthy(init({min_value = 1, max_value = 1}, gray):find(
        "parameter 'max_value' must be greater than min_value", 1, true))
      assert.is_truthy(init({alpha = 2}, gray):find("parameter 'alpha' must be in [0, 1], got 2", 1, true))
      assert.is_truthy(init({}, N.upload(s, N.randomBytes(4, 4, 4))):find(
        "port 'in_image' image channel count must be 1, got 4", 1, true))
      assert.is_truthy(init({}, nil):find("port 'in_image' is not bound", 1, true))
    end)
  end)

  N.refusalSpecs(s, "lluvia/viz/", {
    {"Flow2RGBA", {{"in_flow", N.upload(s, N.array(4, 4, 4, "float32", function() return 0 end)),
      "channel count must be 2, got 4"}, {"in_flow", N.upload(s, N.randomBytes(4, 4, 2)),
      "channel type must be one of"}}, "in_flow"},
    {"colormap/ColorMap_uint", {{"in_image", N.upload(s, N.array(4, 4, nil, "float32", function() return 0 end)),
      "channel type must be one of"}, {"in_colormap", N.upload(s, N.randomBytes(1, 256, 4)), "SampledImageView"}},
      "in_image"},
  })
end)
