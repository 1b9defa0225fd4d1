-- nodes_imgproc_lluvia_spec.lua: the built-in nodes of lluvia's names in lluvia/imgproc and
-- lluvia/math (docs/nodes.md): ImageDownsampleX_r8ui, ImageDownsampleY_r8ui, the container
-- ImagePyramid_r8ui and ImageNormalize_uint_C1, each checked pixel by pixel against a host
-- reference, and their bad inputs.
local ll = require "lluvia"
local support = require "support"
local N = require "node_support"

-- The host reference of a downsampling along x (dx = 1) or y (dy = 1) of the {h, w} array a.
local function downsample(a, dx, dy)
  local h, w = a.shape[1], a.shape[2]
  local oh, ow = dy == 1 and h // 2 or h, dx == 1 and w // 2 or w
  local out = {}
  for y = 1, oh do
    out[y] = {}
    for x = 1, ow do
      local cy, cx = dy == 1 and 2 * y - 1 or y, dx == 1 and 2 * x - 1 or x
      local function at(yy, xx)
        return a:get(math.min(math.max(yy, 1), h), math.min(math.max(xx, 1), w))
      end
      out[y][x] = (at(cy - dy, cx - dx) + 2 * at(cy, cx) + at(cy + dy, cx + dx)) // 4
    end
  end
  return out, oh, ow
end

-- An ndarray {h, w} uint8 of a table of rows.
local function arrayOf(rows, h, w)
  return N.array(h, w, nil, "uint8", function(y, x) return rows[y][x] end)
end

describe("lluvia/imgproc and lluvia/math nodes of lluvia's names", function()
  support.no_validation_messages()
  local s = N.session()
  local gray = N.randomBytes(9, 13, nil, 3)

  for _, case in ipairs({{"X", 1, 0}, {"Y", 0, 1}}) do
    it("ImageDownsample" .. case[1] .. "_r8ui halves with (1 2 1) / 4, exact, odd sizes too", function()
      local node = N.run(s, "lluvia/imgproc/ImageDownsample" .. case[1] .. "_r8ui",
        {in_gray = N.upload(s, gray)})
      local want, h, w = downsample(gray, case[2], case[3])
      N.check(node:getPort("out_gray"):toHost(), h, w, 1, function(y, x) return want[y][x] end)
    end)
  end

  it("ImagePyramid_r8ui makes levels of X then Y halvings, the input as level 0", function()
    local input = N.upload(s, gray)
    local node = s:createContainerNode("lluvia/imgproc/ImagePyramid_r8ui")
    node:setParameter("levels", ll.Parameter.new(3, "Int"))
    node:bind("in_gray", input)
    node:init()
    node:run()
    assert.are.equal(input, node:getPort("out_gray_0"))
    local level = gray
    for i = 1, 2 do
      local rows, h, w = downsample(level, 1, 0)
      rows, h, w = downsample(arrayOf(rows, h, w), 0, 1)
      N.check(node:getPort("out_gray_" .. i):toHost(), h, w, 1, function(y, x) return rows[y][x] end)
      level = arrayOf(rows, h, w)
    end
    assert.are.equal(node:getPort("out_gray_2"), node:getPort("out_gray"))
    assert.is_truthy(node:getNode("ImageDownsampleY_r8ui_2"))
  end)

  it("ImagePyramid_r8ui with levels = 1 binds the input as out_gray", function()
    local input = N.upload(s, gray)
    local node = s:createContainerNode("lluvia/imgproc/ImagePyramid_r8ui")
    node:bind("in_gray", input)
    node:init()
    node:run()
    assert.are.equal(input, node:getPort("out_gray"))
  end)

  it("ImagePyramid_r8ui refuses levels < 1, too small an input, and a wrong input, naming them", function()
    local function init(levels, object)
      local node = s:createContainerNode("lluvia/imgproc/ImagePyramid_r8ui")
      node:setParameter("levels", levels)
      if object then node:bind("in_gray", object) end
      return pcall(node.init, node)
    end
    local _, e = init(0, N.upload(s, gray))
    assert.is_truthy(e:find("parameter 'levels' must be >= 1, got 0", 1, true), e)
    _, e = init(5, N.upload(s, gray))
    assert.is_truthy(e:find("port 'in_gray' image of 13x9 is too small for 5 levels", 1, true), e)
    _, e = init(2, N.upload(s, N.randomBytes(8, 8, 4)))
    assert.is_truthy(e:find("port 'in_gray' image channel count must be 1, got 4", 1, true), e)
    _, e = init(2, nil)
    assert.is_truthy(e:find("port 'in_gray' is not bound", 1, true), e)
  end)

  describe("ImageNormalize_uint_C1", function()
    for _, case in ipairs({{"uint8", 255}, {"uint16", 65535}, {"uint32", 1000}}) do
      it("divides " .. case[1] .. " by max_value within 1e-6 relative, and keeps values with 0", function()
        local next = N.bytes(11)
        local a = N.array(5, 6, nil, case[1], function() return next() * (case[2] // 255) end)
        local out = N.upload(s, N.array(5, 6, nil, "float32", function() return 0 end))
        N.run(s, "lluvia/math/normalize/ImageNormalize_uint_C1",
          {in_image_uint = N.upload(s, a), out_image_float = out}, {max_value = case[2]})
        N.check(out:toHost(), 5, 6, 1, function(y, x) return a:get(y, x) / case[2] end, 1e-6)
        local node = N.run(s, "lluvia/math/normalize/ImageNormalize_uint_C1",
          {in_image_uint = N.upload(s, a)})
        assert.are.equal("Float32", node:getPort("out_image_float").channelType)
        N.check(node:getPort("out_image_float"):toHost(), 5, 6, 1, function(y, x) return a:get(y, x) end)
      end)
    end

    it("writes Float16 into an out_image_float bound as Float16", function()
      local out = N.upload(s, N.array(9, 13, nil, "float16", function() return 0 end))
      N.run(s, "lluvia/math/normalize/ImageNormalize_uint_C1",
        {in_image_uint = N.upload(s, gray), out_image_float = out}, {max_value = 255})
      N.check(out:toHost(), 9, 13, 1, function(y, x) return gray:get(y, x) / 255 end, 1e-3)
    end)
  end)

  -- Each compute node's bad inputs: {node, {{port, object, fragment}, ...}, required input}.
  local z = function() return 0 end
  N.refusalSpecs(s, "lluvia/", {
    {"imgproc/ImageDownsampleX_r8ui", {{"in_gray", N.upload(s, N.randomBytes(4, 4, 4)), "channel count must be 1, got 4"},
      {"in_gray", N.upload(s, N.array(4, 4, nil, "uint16", z)), "channel type must be Uint8, got Uint16"}}, "in_gray"},
    {"imgproc/ImageDownsampleY_r8ui", {{"in_gray", N.upload(s, N.array(4, 4, nil, "float32", z)),
      "channel type must be Uint8, got Float32"}}, "in_gray"},
    {"math/normalize/ImageNormalize_uint_C1", {{"in_image_uint", N.upload(s, N.array(4, 4, nil, "int8", z)),
      "channel type must be one of"}, {"out_image_float", N.upload(s, N.randomBytes(4, 4)), "channel type must be one of"}},
      "in_image_uint"},
  })

  it("ImageDownsampleX_r8ui refuses an input 1 pixel wide, naming it", function()
    local node = s:createComputeNode("lluvia/imgproc/ImageDownsampleX_r8ui")
    node:bind("in_gray", N.upload(s, N.randomBytes(4, 1)))
    support.raises("port 'in_gray' image width must be at least 2, got 1", node.init, node)
  end)
end)
