-- imageview_spec.lua: API.md "Image and ImageView" (the ImageView half) and
-- Memory:createImageViewFromHost: views, samplers and their modes, the Vulkan rules on
-- unnormalized coordinates, transfers through a view, lifetime.
local ll = require "lluvia"
local support = require "support"

local function memory(options)
  return support.session(options):createMemory({"DeviceLocal"})
end

local function counting(shape, dtype)
  local a = ll.ndarray(shape, dtype)
  for i = 1, #a do a[i] = (i * 3) % 200 end
  return a
end

local same_array = support.same_array

local ADDRESS_MODES = {"Repeat", "MirroredRepeat", "ClampToEdge", "ClampToBorder",
  "MirrorClampToEdge"}

describe("Image:createImageView", function()
  support.no_validation_messages()

  it("defaults to Nearest, Repeat, unnormalized coordinates and no sampler", function()
    local img <close> = memory():createImage({4, 4})
    local view <close> = img:createImageView()
    assert.are.equal("Nearest", view.filterMode)
    assert.are.equal("Repeat", view.addressMode)
    assert.are.equal("Repeat", view.addressModeU)
    assert.are.equal("Repeat", view.addressModeV)
    assert.are.equal("Repeat", view.addressModeW)
    assert.is_false(view.normalizedCoordinates)
    assert.is_false(view.isSampled)
    assert.is_false(view.sampled)
    assert.is_true(rawequal(img, view.image))
  end)

  it("reads the image's fields through the view", function()
    local mem = memory()
    local img <close> = mem:createImage({2, 3, 4, 4}, "Float16", {"Sampled", "TransferSrc",
      "TransferDst"})
    local view <close> = img:createImageView()
    for _, field in ipairs({"width", "height", "depth", "channels", "channelType", "layout",
        "size", "minimumSize", "format", "dtype"}) do
      assert.are.equal(img[field], view[field], field)
    end
    assert.are.same(img.shape, view.shape)
    assert.are.same(img.usageFlags, view.usageFlags)
    assert.are.same(img.allocationInfo, view.allocationInfo)
    assert.is_true(rawequal(mem, view.memory))
  end)

  it("creates a sampler with the filter, address mode and coordinates asked for", function()
    local img <close> = memory():createImage({4, 4, 4}, "Float16")
    for _, filter in ipairs({"Nearest", "Linear"}) do
      for _, mode in ipairs(ADDRESS_MODES) do
        local ok, view = pcall(img.createImageView, img, filter, mode, true, true)
        if mode == "MirrorClampToEdge" and not ok then
          -- a device without VK_KHR_sampler_mirror_clamp_to_edge
          assert.is_truthy(tostring(view):find("lluvia: address mode MirrorClampToEdge needs",
            1, true))
        else
          assert.is_true(ok, tostring(view))
          assert.are.equal(filter, view.filterMode)
          assert.are.equal(mode, view.addressMode)
          assert.is_true(view.normalizedCoordinates)
          assert.is_true(view.isSampled)
          view:release()
        end
      end
    end
    for _, mode in ipairs({"ClampToEdge", "ClampToBorder"}) do
      local view <close> = img:createImageView("Linear", mode, false, true)
      assert.is_false(view.normalizedCoordinates)
    end
  end)

  it("accepts a trailing options table", function()
    local img <close> = memory():createImage({4, 4}, "Float16")
    local a <close> = img:createImageView({filterMode = "Linear", sampled = true,
      normalizedCoordinates = true})
    assert.are.equal("Linear", a.filterMode)
    assert.are.equal("Repeat", a.addressMode)
    assert.is_true(a.isSampled)
    local b <close> = img:createImageView("Nearest", {addressMode = "ClampToBorder",
      sampled = true})
    assert.are.equal("ClampToBorder", b.addressMode)
    local c <close> = img:createImageView({})
    assert.are.equal("Repeat", c.addressMode)
    assert.is_false(c.isSampled)
    support.raises("unknown option 'sampler'", img.createImageView, img, {sampler = true})
    support.raises("option filterMode repeats argument #1", img.createImageView, img, "Linear",
      {filterMode = "Linear"})
  end)

  it("makes views of 1D, 2D and 3D images, sampled and not", function()
    local mem = memory()
    for _, shape in ipairs({{8}, {4, 8}, {2, 4, 8, 1}}) do
      local img <close> = mem:createImage(shape, "Float32")
      local plain <close> = img:createImageView()
      local sampled <close> = img:createImageView("Nearest", "Repeat", true, true)
      assert.is_true(sampled.isSampled)
    end
  end)

  describe("errors", function()
    it("rejects unnormalized coordinates with Repeat or mirrored address modes, saying why",
      function()
        local img <close> = memory():createImage({4, 4}, "Float16")
        for _, mode in ipairs({"Repeat", "MirroredRepeat", "MirrorClampToEdge"}) do
          local msg = support.raises("bad argument #2 to 'createImageView' (address mode " .. mode
            .. " needs normalized coordinates (Vulkan allows only ClampToEdge and ClampToBorder "
            .. "with unnormalized coordinates))",
            function() return img:createImageView("Nearest", mode, false, true) end)
          assert.is_falsy(msg:find("VUID", 1, true))
        end
        -- Without a sampler the modes are only recorded.
        local view <close> = img:createImageView("Nearest", "Repeat", false, false)
        assert.is_false(view.isSampled)
      end)

    it("names sampled = true, not a default the user never gave, when the default address "
      .. "mode needs normalized coordinates", function()
        local img <close> = memory():createImage({4, 4}, "Float16")
        for _, call in ipairs({
          function() return img:createImageView{sampled = true} end,
          function() return img:createImageView{sampled = true, filterMode = "Nearest"} end,
          function() return img:createImageView("Nearest", nil, false, true) end,
        }) do
          local msg = support.raises("sampled = true with unnormalized coordinates needs "
            .. "addressMode ClampToEdge or ClampToBorder, and addressMode was not given (its "
            .. "default is Repeat): give addressMode = \"ClampToEdge\" or "
            .. "normalizedCoordinates = true", call)
          assert.is_falsy(msg:find("address mode Repeat needs", 1, true), msg)
        end
        -- The positional form names the sampled argument, #4.
        support.raises("bad argument #4 to 'createImageView' (sampled = true", function()
          return img:createImageView("Nearest", nil, false, true)
        end)
        -- Either fix the message offers works.
        local a <close> = img:createImageView{sampled = true, addressMode = "ClampToEdge"}
        local b <close> = img:createImageView{sampled = true, normalizedCoordinates = true}
        assert.is_true(a.isSampled and b.isSampled)
      end)

    it("rejects sampling a 3D image with unnormalized coordinates", function()
      local img <close> = memory():createImage({2, 4, 4, 1}, "Float16")
      support.raises("bad argument #3 to 'createImageView' (a 3D image needs normalized "
        .. "coordinates to be sampled", function()
          return img:createImageView("Nearest", "ClampToEdge", false, true)
        end)
    end)

    it("rejects Linear filtering of a format without the linear-filter feature", function()
      local img <close> = memory():createImage({4, 4}, "Uint8")
      support.raises("lluvia: VK_FORMAT_R8_UINT cannot be sampled with the Linear filter",
        img.createImageView, img, "Linear", "ClampToEdge", true, true)
      local view <close> = img:createImageView("Linear", "ClampToEdge", true, false)
      assert.are.equal("Linear", view.filterMode) -- no sampler: nothing to refuse
    end)

    it("needs Sampled usage for a sampler and a view usage for any view", function()
      local mem = memory()
      local storage <close> = mem:createImage({4, 4}, "Float16", {"Storage", "TransferDst"})
      support.raises("bad argument #4 to 'createImageView' (a sampled image view needs an "
        .. "image with Sampled usage, this one has {TransferDst, Storage})", function()
          return storage:createImageView("Nearest", "Repeat", true, true)
        end)
      local plain <close> = storage:createImageView()
      local transfer <close> = mem:createImage({4, 4}, "Float16", {"TransferSrc", "TransferDst"})
      support.raises("an image view needs an image with Sampled, Storage or an attachment "
        .. "usage, this one has {TransferSrc, TransferDst}", transfer.createImageView, transfer)
    end)

    it("rejects unknown names and non-boolean flags", function()
      local img <close> = memory():createImage({4})
      support.raises("unknown ImageFilterMode 'Cubic' (expected one of: Nearest, Linear)",
        img.createImageView, img, "Cubic")
      support.raises("unknown ImageAddressMode 'Wrap'", img.createImageView, img, "Nearest",
        "Wrap")
      support.raises("normalizedCoordinates must be a boolean, got 1", img.createImageView, img,
        "Nearest", "Repeat", 1)
      support.raises("sampled must be a boolean, got 'yes'", img.createImageView, img,
        {sampled = "yes"})
    end)
  end)
end)

describe("Memory:createImageViewFromHost", function()
  support.no_validation_messages()

  it("creates the image from the array and a view with the seed's defaults", function()
    local mem = memory()
    local arr = counting({4, 5, 4}, "float32")
    local view <close> = mem:createImageViewFromHost(arr)
    assert.are.equal("Nearest", view.filterMode)
    assert.are.equal("ClampToEdge", view.addressMode)
    assert.is_false(view.normalizedCoordinates)
    assert.is_false(view.isSampled)
    assert.are.same({1, 4, 5, 4}, view.shape)
    assert.are.equal("Float32", view.channelType)
    assert.are.same({"TransferSrc", "TransferDst", "Sampled", "Storage"}, view.usageFlags)
    same_array(arr, view:toHost())
    same_array(arr, view.image:toHost())
    assert.is_true(rawequal(mem, view.image.memory))
  end)

  it("takes every argument positionally", function()
    local arr = counting({4, 4, 4}, "float16")
    local view <close> = memory():createImageViewFromHost(arr, {"Sampled", "TransferDst",
      "TransferSrc"}, "Linear", "ClampToBorder", false, true)
    assert.are.equal("Linear", view.filterMode)
    assert.are.equal("ClampToBorder", view.addressMode)
    assert.is_false(view.normalizedCoordinates)
    assert.is_true(view.isSampled)
    assert.are.same({"TransferSrc", "TransferDst", "Sampled"}, view.usageFlags)
    same_array(arr, view:toHost())
  end)

  it("takes a trailing options table", function()
    local arr = counting({4, 4}, "float16")
    local view <close> = memory():createImageViewFromHost(arr, {filterMode = "Linear",
      sampled = true, normalizedCoordinates = true, addressMode = "MirroredRepeat"})
    assert.are.equal("Linear", view.filterMode)
    assert.are.equal("MirroredRepeat", view.addressMode)
    assert.is_true(view.isSampled and view.normalizedCoordinates)
    local flags <close> = memory():createImageViewFromHost(arr, {"Storage", "TransferDst"},
      {sampled = false})
    assert.are.same({"TransferDst", "Storage"}, flags.usageFlags)
  end)

  it("leaves nothing behind when the view cannot be made", function()
    local mem = memory()
    support.raises("bad argument #2 to 'createImageViewFromHost' (address mode Repeat needs "
      .. "normalized coordinates", function()
        return mem:createImageViewFromHost(counting({4, 4}, "uint8"), {addressMode = "Repeat",
          sampled = true})
      end)
    support.raises("bad argument #4 to 'createImageViewFromHost' (address mode MirroredRepeat "
      .. "needs normalized coordinates", function()
        return mem:createImageViewFromHost(counting({4, 4}, "uint8"), nil, nil,
          "MirroredRepeat", false, true)
      end)
    support.raises("bad argument #6 to 'createImageViewFromHost' (a sampled image view needs "
      .. "an image with Sampled usage", function()
        return mem:createImageViewFromHost(counting({4, 4}, "uint8"), {"Storage", "TransferDst"},
          "Nearest", "ClampToEdge", false, true)
      end)
    if not support.session():isImageFormatSupported({4, 4, 3}, "Uint8", {"Storage",
        "TransferDst"}) then
      support.raises("lluvia: VK_FORMAT_R8G8B8_UINT is not supported", function()
        return mem:createImageViewFromHost(counting({4, 4, 3}, "uint8"), {"Storage",
          "TransferDst"})
      end)
    end
    support.raises("usageFlags must include TransferDst", mem.createImageViewFromHost, mem,
      counting({4, 4}, "uint8"), {"Storage"})
    support.raises("lluvia: VK_FORMAT_R8_UINT cannot be sampled with the Linear filter",
      mem.createImageViewFromHost, mem, counting({4, 4}, "uint8"), nil, "Linear", nil, true,
      true)
    collectgarbage()
    assert.are.equal(0, mem.stats.objects)
  end)
end)

describe("ImageView transfers", function()
  support.no_validation_messages()

  it("toHost, fromHost, clear, copyTo and changeLayout act on the image", function()
    local mem = memory()
    local arr = counting({3, 4, 2}, "uint16")
    local img <close> = mem:createImage({3, 4, 2}, "Uint16")
    local view <close> = img:createImageView()
    view:fromHost(arr)
    same_array(arr, img:toHost())
    same_array(arr, view:toHost(ll.ndarray({3, 4, 2}, "uint16")))
    local other <close> = mem:createImage({3, 4, 2}, "Uint16")
    view:copyTo(other:createImageView())
    same_array(arr, other:toHost())
    view:changeLayout("ShaderReadOnlyOptimal")
    assert.are.equal("ShaderReadOnlyOptimal", img.layout)
    assert.are.equal("ShaderReadOnlyOptimal", view.layout)
    view:clear()
    same_array(ll.ndarray({3, 4, 2}, "uint16"), view:toHost())
    assert.are.equal("ShaderReadOnlyOptimal", view.layout)
    support.raises("does not match the image's shape", view.fromHost, view,
      ll.ndarray({4, 3, 2}, "uint16"))
  end)

  it("works through the staging path with a small staging buffer", function()
    local mem = memory({forceStaging = true, stagingSize = 96})
    local arr = counting({3, 5, 7, 4}, "uint8")
    local view <close> = mem:createImageViewFromHost(arr)
    same_array(arr, view:toHost())
  end)
end)

describe("ImageView lifetime", function()
  support.no_validation_messages()

  it("keeps its image alive", function()
    local arr = counting({4, 4}, "uint8")
    local view = memory():createImageViewFromHost(arr)
    collectgarbage()
    collectgarbage()
    same_array(arr, view:toHost())
    local img = memory():createImageFromHost(arr)
    local v2 = img:createImageView()
    img:release() -- the script's Image goes; the view's hold on the image stays
    same_array(arr, v2:toHost())
    support.raises("lluvia: Image has been released", function() return v2.image.width end)
  end)

  it("prints itself, releases, and raises on use after release", function()
    local img <close> = memory():createImage({4, 4}, "Float16")
    local view = img:createImageView("Linear", "ClampToEdge", true, true)
    assert.is_truthy(tostring(view):find("^lluvia%.ImageView%({1, 4, 4, 1} Float16 2D, General, "
      .. "%d+ bytes; sampled, Linear, ClampToEdge, normalized coordinates%)$"))
    local plain <close> = img:createImageView()
    assert.is_truthy(tostring(plain):find("; not sampled)", 1, true))
    view:release()
    view:release()
    assert.are.equal("lluvia.ImageView (released)", tostring(view))
    support.raises("lluvia: ImageView has been released", view.toHost, view)
    support.raises("lluvia: ImageView has been released", function() return view.filterMode end)
    support.raises("lluvia: ImageView has been released", img.copyTo, img, view)
  end)

  it("frees the image's room when the last of image and views goes", function()
    local mem = support.session():createMemory({"DeviceLocal"})
    local img = mem:createImage({8, 8})
    local view = img:createImageView()
    img:release()
    assert.are.equal(1, mem.stats.objects)
    view:release()
    assert.are.equal(0, mem.stats.objects)
  end)
end)

-- Samplers are a counted resource (maxSamplerAllocationCount: 4,000 on many GPUs): views
-- with the same sampler state share one VkSampler (docs/image.md, "Samplers").
describe("ImageView samplers", function()
  support.no_validation_messages()

  -- A session of its own, so that its sampler count is this test's alone.
  local function fresh_session() return ll.createSession({enableDebug = true}) end
  local function float_image(s)
    return s:createMemory({"DeviceLocal"}):createImage({4, 4}, "Float32")
  end

  local linear = {sampled = true, filterMode = "Linear", addressMode = "Repeat",
    normalizedCoordinates = true}

  it("makes one sampler for many views with the same state", function()
    local s <close> = fresh_session()
    local img <close> = float_image(s)
    local u8 <close> = s:createMemory({"DeviceLocal"}):createImage({4, 4}, "Uint8")
    assert.are.equal(0, ll._debug.samplerCount(s))
    local views = {}
    for i = 1, 300 do views[i] = img:createImageView(linear) end
    assert.are.equal(1, ll._debug.samplerCount(s))
    local clamp = img:createImageView({sampled = true, addressMode = "ClampToEdge"})
    assert.are.equal(2, ll._debug.samplerCount(s))
    local plain = img:createImageView() -- no sampler
    assert.are.equal(2, ll._debug.samplerCount(s))
    -- The same modes on an integer format read an integer border: another sampler.
    local int = u8:createImageView({sampled = true, addressMode = "ClampToEdge"})
    assert.are.equal(3, ll._debug.samplerCount(s))
    for i = 1, 299 do views[i]:release() end
    assert.are.equal(3, ll._debug.samplerCount(s))
    views[300]:release()
    clamp:release()
    int:release()
    plain:release()
    assert.are.equal(0, ll._debug.samplerCount(s))
    local again <close> = img:createImageView(linear)
    assert.are.equal(1, ll._debug.samplerCount(s))
    assert.is_true(ll._debug.validate(again))
  end)

  it("raises a lluvia: error naming the limit when distinct samplers run out", function()
    local s <close> = fresh_session()
    local img <close> = float_image(s)
    local first <close> = img:createImageView(linear)
    finally(function() ll._debug.setSamplerLimit(0) end)
    ll._debug.setSamplerLimit(ll._debug.samplerCount()) -- no new sampler in the process
    local msg = support.raises("lluvia: cannot create a sampler: ",
      function() return img:createImageView({sampled = true, addressMode = "ClampToEdge"}) end)
    assert.is_truthy(msg:find("%d+ distinct samplers are live, the device's "
      .. "maxSamplerAllocationCount %(%d+, lowered for a test%); views with the same filter"))
    support.raises("maxSamplerAllocationCount", function()
      return s:createMemory({"DeviceLocal"}):createImageViewFromHost(ll.ndarray({4, 4},
        "float32"), {sampled = true})
    end)
    -- The same state needs no new sampler, and views without one none at all.
    local shared <close> = img:createImageView(linear)
    local plain <close> = img:createImageView()
    assert.are.equal(1, ll._debug.samplerCount(s))
    assert.are.equal(1, img.memory.stats.objects)
    ll._debug.setSamplerLimit(0)
    local clamp <close> = img:createImageView({sampled = true, addressMode = "ClampToEdge"})
    assert.are.equal(2, ll._debug.samplerCount(s))
  end)

  it("checks the limit hook's argument", function()
    support.raises("(n must be an integer from 0 to 4294967295, got -1)",
      ll._debug.setSamplerLimit, -1)
    support.raises("got 1.5", ll._debug.setSamplerLimit, 1.5)
  end)
end)
