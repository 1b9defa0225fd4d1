-- ndarray_narrow_spec.lua: docs/ndarray.md "Narrowing, cropping, padding": arr:narrow as a
-- view where the bytes stay contiguous and a copy elsewhere, arr:crop (a copy), and
-- arr:padChannels, with their errors and the lifetime of narrowed views.
local ll = require "lluvia"
local support = require "spec.support"

local function counting(shape, dtype)
  local a = ll.ndarray(shape, dtype or "int32")
  for i = 1, #a do a[i] = i end
  return a
end

describe("arr:narrow", function()
  it("is a view over the same bytes along the first axis", function()
    local a = counting({4, 3})
    local v = a:narrow(1, 2, 2)
    assert.are.same({{4, 5, 6}, {7, 8, 9}}, v:totable())
    v[1] = 100
    assert.are.equal(100, a[4])
    a[9] = -9
    assert.are.equal(-9, v[6])
    assert.is_true(ll._debug.validate(v))
  end)

  it("is a view along any axis whose outer axes are all 1", function()
    local a = counting({1, 6})
    local v = a:narrow(2, 3, 2)
    assert.are.same({{3, 4}}, v:totable())
    v[2] = 0
    assert.are.equal(0, a[4])
    local w = counting({1, 1, 4, 2}):narrow(3, 4, 1)
    assert.are.same({1, 1, 1, 2}, w.shape)
    assert.are.same({7, 8}, {w[1], w[2]})
  end)

  it("is a copy along an inner axis with outer axes longer than 1", function()
    local a = counting({4, 3})
    local c = a:narrow(2, 2, 2)
    assert.are.same({{2, 3}, {5, 6}, {8, 9}, {11, 12}}, c:totable())
    c[1] = -1
    assert.are.equal(2, a[2])
    assert.are.same({{{2}}, {{4}}}, counting({2, 2, 1}):narrow(2, 2, 1):totable())
  end)

  it("narrows views and keeps reshape and view working on the result", function()
    local a = counting({4, 2}, "uint16")
    local v = a:narrow(1, 2, 3):narrow(1, 2, 1)
    assert.are.same({{5, 6}}, v:totable())
    assert.are.same({2}, v:reshape({2}).shape)
    assert.are.equal(4, #v:view("uint8"))
  end)

  it("reads as released once the array that made the storage is released", function()
    local a = counting({4, 3})
    local v = a:narrow(1, 2, 2)
    a:release()
    support.raises("ndarray has been released", function() return v[1] end)
    assert.are.equal("ndarray(released)", tostring(v))
  end)

  it("outlives every other reference to the original", function()
    local v = counting({4, 3}):narrow(1, 4, 1)
    collectgarbage()
    collectgarbage()
    assert.are.same({{10, 11, 12}}, v:totable())
  end)

  it("makes buffers and reads them back through a narrowed view", function()
    local mem = support.session():createMemory({"HostVisible", "HostCoherent"}, 0)
    local a = counting({8, 1024}, "float32")
    local v = a:narrow(1, 3, 2)
    local buf = mem:createBufferFromHost(v)
    assert.are.equal(2 * 1024 * 4, buf.size)
    local back = buf:toHost("float32")
    assert.are.equal(2049.0, back[1])
    assert.are.equal(4096.0, back[2048])
    local out = ll.ndarray({8, 1024}, "float32"):narrow(1, 5, 2)
    buf:toHost(out)
    assert.are.equal(2049.0, out[1])
  end)

  it("checks dim, start and length", function()
    local a = counting({4, 3})
    support.raises("dim must be an integer from 1 to 2, got 3", a.narrow, a, 3, 1, 1)
    support.raises("start must be an integer from 1 to 4, got 0", a.narrow, a, 1, 0, 1)
    support.raises("length must be an integer from 1 to 2, got 3", a.narrow, a, 1, 3, 3)
    support.raises("length must be an integer from 1 to 4, got 'x'", a.narrow, a, 1, 1, "x")
  end)
end)

describe("arr:crop", function()
  it("copies a rectangle of an {h, w, c} or {h, w} array", function()
    local img = counting({3, 4, 3}, "uint8")
    local c = img:crop(2, 2, 2, 2)
    assert.are.same({{{16, 17, 18}, {19, 20, 21}}, {{28, 29, 30}, {31, 32, 33}}}, c:totable())
    c[1] = 0
    assert.are.equal(16, img:get(2, 2, 1))
    assert.are.same({{6, 7}}, counting({2, 4}):crop(2, 2, 1, 2):totable())
    local whole = counting({2, 2}):crop(1, 1, 2, 2)
    assert.are.same({{1, 2}, {3, 4}}, whole:totable())
  end)

  it("checks the rectangle and the array's shape", function()
    local img = counting({3, 4, 3}, "uint8")
    support.raises("y must be an integer from 1 to 3, got 4", img.crop, img, 4, 1, 1, 1)
    support.raises("w must be an integer from 1 to 2, got 3", img.crop, img, 1, 3, 1, 3)
    local flat = counting({5})
    support.raises("crop takes an {h, w} or {h, w, c} array, got shape {5}", flat.crop, flat, 1, 1, 1, 1)
  end)
end)

describe("arr:padChannels", function()
  it("adds channels set to full intensity: 255 for uint8, 1.0 for floats", function()
    local rgb = ll.ndarray.fromTable({{{1, 2, 3}, {4, 5, 6}}}, "uint8")
    local rgba = rgb:padChannels(4)
    assert.are.same({1, 2, 4}, rgba.shape)
    assert.are.same({{{1, 2, 3, 255}, {4, 5, 6, 255}}}, rgba:totable())
    assert.are.same({{0.5, 1.0, 1.0}}, ll.ndarray.fromTable({{0.5}}, "float16"):padChannels(3):totable())
    assert.are.same({{7, 32767}}, ll.ndarray.fromTable({{7}}, "int16"):padChannels(2):totable())
  end)

  it("takes a fill value, checked for the dtype", function()
    local rgb = ll.ndarray.fromTable({{{1, 2, 3}}}, "uint8")
    assert.are.same({{{1, 2, 3, 0, 0}}}, rgb:padChannels(5, 0):totable())
    assert.are.same({{{1, 2, 3}}}, rgb:padChannels(3):totable())
    support.raises("value 256 out of range for uint8", rgb.padChannels, rgb, 4, 256)
    support.raises("n must be at least the array's 3 channels (its last axis), got 2",
      rgb.padChannels, rgb, 2)
  end)
end)
