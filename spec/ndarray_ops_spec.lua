-- ndarray_ops_spec.lua: docs/ndarray.md "Converting and reducing": arr:astype with its
-- rounding modes, saturation and scale (NaN, infinities, -0.0 and out-of-range values at
-- every edge), min, max, sum, mean, equals, allclose and ==, and their errors.
local ll = require "lluvia"
local support = require "spec.support"

local F = ll.ndarray.fromTable
local nan, inf = 0 / 0, math.huge

local function values(a) return a:totable() end

describe("arr:astype", function()
  local f = F({-1.5, -0.5, 0.5, 1.5, 2.5, 254.6, 300, -0.0, nan, inf, -inf}, "float32")

  it("truncates float -> int by default and saturates to the target's range", function()
    assert.are.same({0, 0, 0, 1, 2, 254, 255, 0, 0, 255, 0}, values(f:astype("uint8")))
    assert.are.same({-1, 0, 0, 1, 2, 127, 127, 0, 0, 127, -128}, values(f:astype("int8")))
  end)

  it("rounds to nearest with ties to even, floor and ceil", function()
    assert.are.same({0, 0, 0, 2, 2, 255, 255, 0, 0, 255, 0},
      values(f:astype("uint8", {round = "nearest"})))
    assert.are.same({-2, -1, 0, 1, 2, 127, 127, 0, 0, 127, -128},
      values(f:astype("int8", {round = "floor"})))
    assert.are.same({-1, 0, 1, 2, 3, 127, 127, 0, 0, 127, -128},
      values(f:astype("int8", {round = "ceil"})))
    assert.are.same({-2, -0, 0, 2, 2}, values(F({-2.5, -0.5, 0.5, 1.5, 2.5}):astype("int32", "nearest")))
  end)

  it("with saturate = false refuses NaN and out-of-range values, naming value and index", function()
    support.raises("astype: value -1.5 at index 1 out of range for uint8 (0..255)",
      f.astype, f, "uint8", {saturate = false})
    local g = F({1, nan}, "float64")
    support.raises("value nan at index 2 cannot become int16", g.astype, g, "int16", {saturate = false})
    local h = F({1, 2^63}, "float64")
    support.raises("at index 2 out of range for int64", h.astype, h, "int64", {saturate = false})
    assert.are.same({1, 2}, values(F({1.9, 2.2}):astype("uint8", {saturate = false})))
  end)

  it("saturates 64-bit targets at their exact ends", function()
    local h = F({2^63, -2^63, 2^64, -1}, "float64")
    assert.are.same({math.maxinteger, math.mininteger, math.maxinteger, -1}, values(h:astype("int64")))
    local u = h:astype("uint64")
    assert.is_truthy(tostring(u):find("{9223372036854775808, 0, 18446744073709551615, 0}", 1, true))
  end)

  it("keeps integer -> integer exact, 64-bit values included, and saturates", function()
    local i = F({math.maxinteger, math.mininteger, 300, -5})
    assert.are.same({math.maxinteger, math.mininteger, 300, -5}, values(i:astype("int64")))
    assert.are.same({255, 0, 255, 0}, values(i:astype("uint8")))
    assert.are.same({32767, -32768, 300, -5}, values(i:astype("int16")))
    local u = ll.ndarray.fromString(("\255"):rep(8), {1}, "uint64")
    assert.are.same({math.maxinteger}, values(u:astype("int64")))
    support.raises("out of range for int64", u.astype, u, "int64", {saturate = false})
  end)

  it("scales before converting: uint8 -> float32 with 1/255 and back", function()
    local u = F({0, 51, 128, 255}, "uint8")
    local x = u:astype("float32", {scale = 1 / 255})
    assert.are.equal("float32", x.dtype)
    assert.are.same({4}, x.shape)
    assert.are.equal(0.0, x[1])
    assert.are.equal(1.0, x[4])
    assert.is_true(math.abs(x[2] - 0.2) < 1e-7)
    assert.are.same({0, 51, 128, 255}, values(x:astype("uint8", {scale = 255, round = "nearest"})))
  end)

  it("keeps infinities, NaN and -0.0 for float targets, saturates finite overflow", function()
    local d = F({1e39, -1e39, inf, -0.0, nan, 70000}, "float64")
    local s = d:astype("float32")
    assert.are.equal(3.4028234663852886e38, s[1])
    assert.are.equal(-3.4028234663852886e38, s[2])
    assert.are.equal(inf, s[3])
    assert.are.equal("-0.0", tostring(s[4]))
    assert.is_true(s[5] ~= s[5])
    local h = d:astype("float16")
    assert.are.equal(65504.0, h[1])
    assert.are.equal(65504.0, h[6])
    local e = F({1, 70000})
    support.raises("value 70000 at index 2 out of range for float16", e.astype, e, "float16",
      {saturate = false})
    support.raises("value 1e+39 at index 1 out of range for float32", d.astype, d, "float32",
      {saturate = false})
  end)

  it("keeps the shape and makes a new array, even to the same dtype", function()
    local a = ll.ndarray({2, 3}, "uint8")
    local b = a:astype("uint8")
    b[1] = 9
    assert.are.same({{0, 0, 0}, {0, 0, 0}}, a:totable())
    assert.are.same({{9, 0, 0}, {0, 0, 0}}, b:totable())
  end)

  it("checks its arguments", function()
    support.raises("dtype expected, got no value", f.astype, f)
    support.raises("unknown dtype 'f32'", f.astype, f, "f32")
    support.raises("round must be \"trunc\", \"nearest\", \"floor\" or \"ceil\", got 'up'",
      f.astype, f, "uint8", {round = "up"})
    support.raises("saturate must be a boolean, got 1", f.astype, f, "uint8", {saturate = 1})
    support.raises("scale must be a finite number, got inf", f.astype, f, "uint8", {scale = inf})
    support.raises("unknown option 'bogus'", f.astype, f, "uint8", {bogus = 1})
    local r = ll.ndarray({2})
    r:release()
    support.raises("ndarray has been released", r.astype, r, "uint8")
  end)
end)

describe("arr:min, arr:max", function()
  it("give integers for integer dtypes and floats for float ones", function()
    local a = F({3, -7, 12, 0}, "int16")
    assert.are.equal(-7, a:min())
    assert.are.equal(12, a:max())
    assert.is_true(math.type(a:min()) == "integer")
    local h = F({0.5, -2.25, 65504}, "float16")
    assert.are.equal(-2.25, h:min())
    assert.are.equal(65504.0, h:max())
  end)

  it("propagate NaN as numpy does", function()
    local a = F({1, nan, 3}, "float32")
    assert.is_true(a:min() ~= a:min())
    assert.is_true(a:max() ~= a:max())
  end)

  it("read uint64 above maxinteger as the nearest float", function()
    local u = ll.ndarray.fromString(("\255"):rep(8) .. ("\0"):rep(8), {2}, "uint64")
    assert.are.equal(0, u:min())
    assert.are.equal(2^64, u:max())
  end)
end)

describe("arr:sum, arr:mean", function()
  it("sum integers exactly as an integer", function()
    local a = ll.ndarray({1000}, "uint8")
    a:fill(255)
    assert.are.equal(255000, a:sum())
    assert.is_true(math.type(a:sum()) == "integer")
    local big = F({math.maxinteger, -1, 1})
    assert.are.equal(math.maxinteger, big:sum())
  end)

  it("report an integer sum beyond 64 bits, pointing at astype", function()
    local big = F({math.maxinteger, 1})
    support.raises("the sum of the int64 array (about 9.2233720368547758e+18) does not fit a "
      .. "64-bit integer: arr:astype(\"float64\"):sum()", big.sum, big)
    assert.are.equal(2^63, big:astype("float64"):sum())
  end)

  it("sum floats pairwise in double, float16 included", function()
    local a = ll.ndarray({100000}, "float32")
    a:fill(0.1)
    assert.is_true(math.abs(a:sum() - 10000.000149011612) < 1e-6)
    assert.are.equal(6.0, F({1, 2, 3}, "float16"):sum())
  end)

  it("mean is a float, exact from the integer sum", function()
    assert.are.equal(2.5, F({1, 2, 3, 4}, "uint8"):mean())
    assert.are.equal(2^63, F({math.maxinteger, math.maxinteger}):mean())
    assert.is_true(math.type(F({2, 2}):mean()) == "float")
  end)
end)

describe("arr:equals and ==", function()
  it("are true for the same shape, dtype and values", function()
    local a = F({{1, 2}, {3, 4}}, "uint8")
    assert.is_true(a:equals(a:copy()))
    assert.is_true(a == a:copy())
    assert.is_true(a ~= a:astype("int16"))
    assert.is_false(a == a:reshape({4}))
    local b = a:copy()
    b[4] = 5
    assert.is_false(a == b)
  end)

  it("compare floats by value: NaN equals nothing, -0.0 equals 0.0", function()
    assert.is_false(F({nan}) == F({nan}))
    assert.is_true(F({-0.0}) == F({0.0}))
  end)

  it("== is false against anything that is not an ndarray; equals refuses it", function()
    local a = F({1})
    assert.is_false(a == io.stdout)
    support.raises("ndarray expected, got table", a.equals, a, {1})
  end)
end)

describe("arr:allclose", function()
  it("uses numpy's test |a - b| <= atol + rtol * |b|, with numpy's defaults", function()
    local a = F({1.0, 100.0})
    assert.is_true(a:allclose(F({1.0 + 1e-6, 100.0})))
    local ok, at = a:allclose(F({1.0, 100.01}))
    assert.is_false(ok)
    assert.are.equal(2, at)
    assert.is_true(a:allclose(F({1.0, 100.01}), 1e-3))
    assert.is_true(a:allclose(F({1.5, 100.5}), {rtol = 0, atol = 0.5}))
  end)

  it("compares across dtypes, and is false for another shape", function()
    local u = F({0, 128, 255}, "uint8")
    assert.is_true(u:allclose(u:astype("float16")))
    assert.is_false(u:allclose(F({0, 128})))
  end)

  it("takes the same infinity as close, NaN only with equalNan", function()
    assert.is_true(F({inf, -inf}):allclose(F({inf, -inf})))
    assert.is_false(F({inf}):allclose(F({-inf})))
    assert.is_false(F({nan}):allclose(F({nan})))
    assert.is_true(F({nan}):allclose(F({nan}), {equalNan = true}))
  end)

  it("checks its tolerances", function()
    local a = F({1})
    support.raises("rtol must be a finite number >= 0, got -1", a.allclose, a, a, -1)
    support.raises("atol must be a finite number >= 0, got 'x'", a.allclose, a, a, {atol = "x"})
  end)
end)
