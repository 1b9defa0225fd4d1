-- nodes_color_spec.lua: the built-in lluvia/color/* nodes (docs/nodes.md), each run on a
-- small image and checked pixel by pixel against a host reference, and their bad inputs.
local ll = require "lluvia"
local support = require "support"
local N = require "node_support"

local H, W = 7, 9

-- BT.601 luma, truncated, of 8-bit r, g, b: exact in integers.
local function luma(r, g, b) return (299 * r + 587 * g + 114 * b) // 1000 end

-- The HSVA of 8-bit r, g, b, a (docs/nodes.md), in doubles.
local function hsva(r, g, b, a, minChroma)
  local R, G, B = r / 255, g / 255, b / 255
  local V = math.max(R, G, B)
  local C = V - math.min(R, G, B)
  local sixths = 0
  if C > (minChroma or 0) then
    local largest = math.max(r, g, b)
    if largest == r then sixths = ((G - B) / C) % 6
    elseif largest == g then sixths = 2 + (B - R) / C
    else sixths = 4 + (R - G) / C end
  end
  return sixths * math.pi / 3, V > 0 and C / V or 0, V, a / 255
end

-- An image with grays, primaries and random colours: every branch of the conversions.
local function colours()
  local next = N.bytes(7)
  local fixed = {{0, 0, 0, 0}, {255, 255, 255, 255}, {255, 0, 0, 10}, {0, 255, 0, 20},
    {0, 0, 255, 30}, {128, 128, 128, 40}, {255, 255, 0, 50}, {0, 255, 255, 60},
    {255, 0, 255, 70}, {200, 10, 12, 80}, {12, 10, 200, 90}}
  return N.array(H, W, 4, "uint8", function(y, x, k)
    local i = (y - 1) * W + x
    if fixed[i] then return fixed[i][k] end
    return next()
  end)
end

describe("lluvia/color nodes", function()
  support.no_validation_messages()
  local s = N.session()
  local rgba = colours()
  local view = N.upload(s, rgba)
  local function px(y, x, k) return rgba:get(y, x, k) end
  -- Checks `out` against the luma of `image`'s channels r, g, b (1-based channel numbers).
  local function checkLuma(out, image, h, w, r, g, b)
    N.check(out:toHost(), h, w, 1, function(y, x)
      return luma(image:get(y, x, r), image:get(y, x, g), image:get(y, x, b))
    end)
  end

  describe("RGBA2Gray", function()
    it("is BT.601 luma truncated, exact at every pixel", function()
      local node = N.run(s, "lluvia/color/RGBA2Gray", {in_rgba = view})
      checkLuma(node:getPort("out_gray"), rgba, H, W, 1, 2, 3)
    end)

    it("is exact where the luma is an integer: grays stay themselves", function()
      local gray = N.array(16, 16, 4, "uint8", function(y, x, k)
        return k == 4 and 255 or (y - 1) * 16 + x - 1
      end)
      local node = N.run(s, "lluvia/color/RGBA2Gray", {in_rgba = N.upload(s, gray)})
      N.check(node:getPort("out_gray"):toHost(), 16, 16, 1, function(y, x)
        return (y - 1) * 16 + x - 1
      end)
    end)

    it("writes into an out_gray bound before init, of the input's size", function()
      local out = N.upload(s, N.array(H, W, nil, "uint8", function() return 7 end))
      local node = N.run(s, "lluvia/color/RGBA2Gray", {in_rgba = view, out_gray = out})
      assert.are.equal(out, node:getPort("out_gray"))
      checkLuma(out, rgba, H, W, 1, 2, 3)
    end)

  end)

  describe("BGRA2Gray", function()
    it("is the luma of channels in B, G, R order, exact at every pixel", function()
      local node = N.run(s, "lluvia/color/BGRA2Gray", {in_bgra = view})
      checkLuma(node:getPort("out_gray"), rgba, H, W, 3, 2, 1)
    end)

  end)

  describe("RGBA2BGRA", function()
    it("swaps red and blue, exact at every pixel", function()
      local node = N.run(s, "lluvia/color/RGBA2BGRA", {in_rgba = view})
      local swap = {3, 2, 1, 4}
      N.check(node:getPort("out_bgra"):toHost(), H, W, 4, function(y, x, k)
        return px(y, x, swap[k])
      end)
    end)

  end)

  describe("RGBA2HSVA", function()
    it("gives hue in radians, saturation, value and alpha within 1e-5 (Float32)", function()
      local node = N.run(s, "lluvia/color/RGBA2HSVA", {in_rgba = view})
      local out = node:getPort("out_hsva")
      assert.are.equal("Float32", out.channelType)
      N.check(out:toHost(), H, W, 4, function(y, x, k)
        return (select(k, hsva(px(y, x, 1), px(y, x, 2), px(y, x, 3), px(y, x, 4))))
      end, 1e-5)
    end)

    it("sets hue 0 at or below min_chroma, and makes Float16 with float_precision FP16", function()
      local node = N.run(s, "lluvia/color/RGBA2HSVA", {in_rgba = view},
        {min_chroma = 0.5, float_precision = ll.FloatPrecision.FP16})
      local out = node:getPort("out_hsva")
      assert.are.equal("Float16", out.channelType)
      -- Float16 holds 11 significant bits: 2 pi is kept to within 2^-8.
      N.check(out:toHost(), H, W, 4, function(y, x, k)
        return (select(k, hsva(px(y, x, 1), px(y, x, 2), px(y, x, 3), px(y, x, 4), 0.5)))
      end, 4e-3)
    end)

    it("refuses min_chroma outside [0, 1] and float_precision FP64 at init", function()
      for _, case in ipairs({{"min_chroma", 1.5, "parameter 'min_chroma' must be in [0, 1], got 1.5"},
                             {"float_precision", ll.FloatPrecision.FP64, "float_precision"}}) do
        local node = s:createComputeNode("lluvia/color/RGBA2HSVA")
        node:bind("in_rgba", view)
        node:setParameter(case[1], case[2])
        support.raises(case[3], node.init, node)
      end
    end)

  end)

  describe("HSVA2RGBA", function()
    -- The HSVA of `rgba` as an array of `dtype`.
    local function hsvaOf(dtype)
      return N.array(H, W, 4, dtype, function(y, x, k)
        return (select(k, hsva(px(y, x, 1), px(y, x, 2), px(y, x, 3), px(y, x, 4))))
      end)
    end

    it("inverts RGBA2HSVA: every pixel back exactly from Float32", function()
      local node = N.run(s, "lluvia/color/HSVA2RGBA", {in_hsva = N.upload(s, hsvaOf("float32"))})
      N.check(node:getPort("out_rgba"):toHost(), H, W, 4, px)
    end)

    it("takes Float16, within the 1/255 it rounds to", function()
      local node = N.run(s, "lluvia/color/HSVA2RGBA", {in_hsva = N.upload(s, hsvaOf("float16"))})
      N.check(node:getPort("out_rgba"):toHost(), H, W, 4, px, 2)
    end)

  end)

  -- Each node's bad inputs: {node, {{port, object, fragment}, ...}, required input}.
  local f32 = function() return 0 end
  N.refusalSpecs(s, "lluvia/color/", {
    {"RGBA2Gray", {{"in_rgba", N.upload(s, N.randomBytes(4, 4, 1)), "channel count must be 4, got 1"},
      {"in_rgba", N.upload(s, N.array(4, 4, 4, "float32", f32)), "channel type must be Uint8, got Float32"},
      {"out_gray", view, "channel count must be 1, got 4"}}, "in_rgba"},
    {"BGRA2Gray", {{"in_bgra", N.upload(s, N.randomBytes(4, 4, 2)), "channel count must be 4, got 2"},
      {"in_bgra", N.upload(s, N.array(4, 4, 4, "uint16", f32)), "channel type must be Uint8, got Uint16"}},
      "in_bgra"},
    {"RGBA2BGRA", {{"in_rgba", N.upload(s, N.randomBytes(4, 4, 1)), "channel count must be 4, got 1"}},
      "in_rgba"},
    {"RGBA2HSVA", {{"in_rgba", N.upload(s, N.array(4, 4, 4, "float32", f32)),
      "channel type must be Uint8, got Float32"}, {"out_hsva", view, "Float16"}}, "in_rgba"},
    {"HSVA2RGBA", {{"in_hsva", view, "channel type must be one of"},
      {"in_hsva", N.upload(s, N.array(4, 4, 2, "float32", f32)), "channel count must be 4, got 2"}},
      "in_hsva"},
  })
end)
