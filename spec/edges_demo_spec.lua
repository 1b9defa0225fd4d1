-- edges_demo_spec.lua: the README's first command's demo, examples/edges.lua, runs on the
-- repository's picture on the default device with the validation layer silent, prints the
-- time of every stage and writes the edge image; its command-line errors.
local ll = require "lluvia"
local support = require "support"

describe("examples/edges.lua", function()
  it("writes the edges of examples/data/picture.png and prints each stage's time", function()
    local out = support.tmpdir() .. "/edges.png"
    local stdout, err, code = support.run_host({"examples/edges.lua",
      "examples/data/picture.png", out}, nil, {LLUVIA_ENABLE_DEBUG = "1"})
    assert.are.equal(0, code, err)
    assert.are.equal("", err)
    for _, stage in ipairs({"upload", "download", "total"}) do
      assert.is_truthy(stdout:find("\n  " .. stage .. " +[%d.]+ ms"), stage .. " in:\n" .. stdout)
    end
    -- EdgeDetect's child nodes: one dispatch on a GPU, three on a CPU device.
    local children = support.session().deviceType == "Cpu" and {"gray_blur_x", "blur_y", "sobel"} or {"edges"}
    for _, stage in ipairs(children) do
      assert.is_truthy(stdout:find("\n  " .. stage .. " +[%d.]+ ms"), stage .. " in:\n" .. stdout)
    end
    assert.is_truthy(stdout:find("(GPU timestamps)", 1, true) or stdout:find("(host clock)", 1, true))
    local edges = ll.readImage(out)
    assert.are.same({480, 640, 1}, edges.shape)
    local counts = {[0] = 0, [255] = 0}
    for i = 1, #edges do
      local v = edges[i]
      assert(v == 0 or v == 255, "pixel " .. i .. " is " .. v)
      counts[v] = counts[v] + 1
    end
    -- The picture's shapes have edges; most of it is smooth.
    assert.is_true(counts[255] > 1000 and counts[255] < #edges // 10, tostring(counts[255]))
    local share = stdout:match("(%d+%.%d)%% edge pixels")
    assert.are.equal(("%.1f"):format(100 * counts[255] / #edges), share)
  end)

  it("takes --sigma and --threshold: a higher threshold finds fewer edges", function()
    local dir = support.tmpdir()
    local function edgeCount(threshold)
      local out = dir .. "/t" .. threshold .. ".png"
      local _, err, code = support.run_host({"examples/edges.lua", "examples/data/picture.png",
        out, "--sigma", "2", "--threshold", tostring(threshold)})
      assert.are.equal(0, code, err)
      local img, n = ll.readImage(out), 0
      for i = 1, #img do if img[i] == 255 then n = n + 1 end end
      return n
    end
    assert.is_true(edgeCount(50) > edgeCount(200))
  end)

  it("writes the same edges with --fused 1 and --fused 0, timing each one's stages", function()
    local dir = support.tmpdir()
    local images = {}
    for _, fused in ipairs({"1", "0"}) do
      local out = dir .. "/f" .. fused .. ".png"
      local stdout, err, code = support.run_host({"examples/edges.lua", "examples/data/picture.png",
        out, "--fused", fused}, nil, {LLUVIA_ENABLE_DEBUG = "1"})
      assert.are.equal(0, code, err)
      assert.are.equal("", err)
      for _, stage in ipairs(fused == "1" and {"edges"} or {"gray_blur_x", "blur_y", "sobel"}) do
        assert.is_truthy(stdout:find("\n  " .. stage .. " +[%d.]+ ms"), stage .. " in:\n" .. stdout)
      end
      images[#images + 1] = ll.readImage(out)
    end
    -- Magnitudes a rounding apart may fall either side of the threshold: a few pixels at most.
    local differ = 0
    for i = 1, #images[1] do
      if images[1][i] ~= images[2][i] then differ = differ + 1 end
    end
    assert.is_true(differ <= 10, differ .. " pixels differ")
  end)

  it("says how to call it, and names a missing picture", function()
    local _, err, code = support.run_host({"examples/edges.lua", "only-one.png"})
    assert.are_not.equal(0, code)
    assert.is_truthy(err:find("usage: edges.lua in.png out.png", 1, true), err)
    _, err, code = support.run_host({"examples/edges.lua", "in.png", "out.png", "--bogus"})
    assert.are_not.equal(0, code)
    assert.is_truthy(err:find("unknown option --bogus", 1, true), err)
    _, err, code = support.run_host({"examples/edges.lua", "no/such.png", support.tmpdir() .. "/o.png"})
    assert.are_not.equal(0, code)
    assert.is_truthy(err:find("no/such.png", 1, true), err)
  end)
end)

describe("bench/bench_edges.lua", function()
  it("times every node of EdgeDetect with GPU timestamps, on a small picture, validation silent", function()
    local out, err, code = support.run_host({"bench/bench_edges.lua", "--width", "64",
      "--height", "48", "--runs", "1", "--no-torch"}, nil, {LLUVIA_ENABLE_DEBUG = "1"})
    assert.are.equal(0, code, err)
    assert.are.equal("", err)
    for _, row in ipairs({"fused = 1 (one dispatch)", "fused = 0: RGBA2Gray, blur x",
        "fused = 0: GaussianBlur y", "fused = 0: Sobel, threshold", "fused = 1 (one run)",
        "fused = 0 (one run)"}) do
      assert.is_truthy(out:find("\n" .. row:gsub("[()]", "%%%0") .. " +[%d.]+ +[%d.]+ +[%d.]+ +[%d.e+-]+%%"),
        row .. " in:\n" .. out)
    end
    -- 10 bytes a pixel fused (4 + 1 + 4 + 1): 64 x 48 x 10 = 30720 bytes; 26 in three
    -- dispatches (4 + 1 + 4, 4 + 4, 4 + 4 + 1): 79872 bytes.
    assert.is_truthy(out:find("fused = 1 %(one run%) +[%d.]+ +0%.031 "), out)
    assert.is_truthy(out:find("fused = 0 %(one run%) +[%d.]+ +0%.080 "), out)
    assert.is_truthy(out:find("ratio fused = 0 %(three dispatches%) / fused = 1 %(one%): [%d.]+"), out)
    local default = support.session().deviceType == "Cpu" and 0 or 1
    assert.is_truthy(out:find(("EdgeDetect (this device's default, fused = %d), data on the device: "):format(default), 1, true), out)
    assert.is_truthy(out:find("PyTorch: not run (--no-torch)", 1, true), out)
  end)
end)

describe("examples/pyramid.lua", function()
  it("writes each level of the picture's pyramid, each half the one before", function()
    local prefix = support.tmpdir() .. "/level"
    local out, err, code = support.run_host({"examples/pyramid.lua", "examples/data/picture.png",
      prefix, "--levels", "4"}, nil, {LLUVIA_ENABLE_DEBUG = "1"})
    assert.are.equal(0, code, err)
    assert.are.equal("", err)
    local gray = ll.readImage("examples/data/picture.png", {channels = 1})
    local w, h = 640, 480
    for level = 0, 3 do
      local img = ll.readImage(("%s_%d.png"):format(prefix, level))
      assert.are.same({h, w, 1}, img.shape, "level " .. level)
      assert.is_truthy(out:find(("level %d: %dx%d"):format(level, w, h), 1, true), out)
      w, h = w // 2, h // 2
    end
    -- Level 0 is the gray picture itself.
    assert.are.equal(gray:reshape({480, 640, 1}):tostring(), ll.readImage(prefix .. "_0.png"):tostring())
  end)

  it("refuses a --levels that is not an integer >= 1", function()
    local _, err, code = support.run_host({"examples/pyramid.lua", "examples/data/picture.png",
      support.tmpdir() .. "/p", "--levels", "0"})
    assert.are_not.equal(0, code)
    assert.is_truthy(err:find("--levels takes an integer >= 1, got '0'", 1, true), err)
  end)
end)
