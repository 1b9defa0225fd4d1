-- ndarray_print_spec.lua: docs/ndarray.md "Printing": tostring(arr) past 100 elements (the
-- first and last three, min and max) and arr:show() (aligned rows, a footer).
local ll = require "lluvia"
local support = require "spec.support"

-- What arr:show() writes to the default output.
local function shown(arr)
  local path = os.tmpname()
  local previous = io.output()
  io.output(path)
  local ok, err = pcall(arr.show, arr)
  io.output():close()
  io.output(previous)
  local f = assert(io.open(path))
  local text = f:read("a")
  f:close()
  os.remove(path)
  assert(ok, err)
  return text
end

describe("tostring(arr)", function()
  it("lists every value up to 100 elements", function()
    local a = ll.ndarray({10, 10}, "uint8")
    assert.is_truthy(tostring(a):find("{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ", 1, true))
  end)

  it("past 100 elements shows the first and last three, flat, with min and max", function()
    local a = ll.ndarray(1000, "int32")
    for i = 1, #a do a[i] = i - 1 end
    assert.are.equal("ndarray(int32, {1000}, {0, 1, 2, ..., 997, 998, 999}, min 0, max 999)",
      tostring(a))
    a[500] = -7
    assert.are.equal("ndarray(int32, {10, 100}, {0, 1, 2, ..., 997, 998, 999}, min -7, max 999)",
      tostring(a:reshape({10, 100})))
    local f = a:astype("float32", {scale = 0.5})
    assert.are.equal("ndarray(float32, {1000}, {0.0, 0.5, 1.0, ..., 498.5, 499.0, 499.5}, "
      .. "min -3.5, max 499.5)", tostring(f))
  end)

  it("prints uint64 extremes above maxinteger exactly, and NaN as numpy's min does", function()
    local u = ll.ndarray.fromString(("\255"):rep(8 * 200), {200}, "uint64")
    u[3] = 5
    assert.is_truthy(tostring(u):find("min 5, max 18446744073709551615)", 1, true))
    local h = ll.ndarray(200, "float16")
    h[100] = 0 / 0
    assert.is_truthy(tostring(h):find("min nan, max nan)", 1, true))
  end)

  it("leaves min and max out past 2^27 elements, reading only the ends", function()
    local a = ll.ndarray({(1 << 27) + 1}, "uint8") -- lazily zero pages: reads commit nothing
    assert.are.equal("ndarray(uint8, {134217729}, {0, 0, 0, ..., 0, 0, 0})", tostring(a))
    a:release()
  end)
end)

describe("arr:show()", function()
  it("prints a 2-D array as aligned rows with a footer", function()
    local a = ll.ndarray.fromTable({{1, 2, 300}, {4, -5, 6}}, "int16")
    assert.are.equal("  1   2 300\n  4  -5   6\n[ll.ndarray int16 of size 2x3]\n", shown(a))
  end)

  it("prints a 3-D array as slices of the first axis, torch7's way", function()
    local a = ll.ndarray.fromTable({{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}, "uint8")
    assert.are.equal("(1,.,.) =\n  1   2\n  3   4\n\n(2,.,.) =\n  5   6\n  7   8\n"
      .. "[ll.ndarray uint8 of size 2x2x2]\n", shown(a))
  end)

  it("summarizes long axes around ... and prints floats with 4 decimals", function()
    local a = ll.ndarray({480, 640, 3}, "float32")
    a[1] = 0.5
    local text = shown(a)
    assert.is_truthy(text:find("^%(1,%.,%.%) =\n0%.5000 0%.0000 0%.0000\n"), text)
    assert.is_truthy(text:find("(...,.,.)", 1, true))
    assert.is_truthy(text:find("\n[ll.ndarray float32 of size 480x640x3]\n", 1, true))
    local lines = 0
    for _ in text:gmatch("\n") do lines = lines + 1 end
    assert.is_true(lines < 60)
  end)

  it("prints 1-D arrays as one row, refuses 4-D and released arrays", function()
    assert.are.equal("  7   8\n[ll.ndarray int8 of size 2]\n",
      shown(ll.ndarray.fromTable({7, 8}, "int8")))
    local a = ll.ndarray({1, 1, 1, 2})
    support.raises("show prints 1- to 3-D arrays, got shape {1, 1, 1, 2}: reshape it first",
      a.show, a)
    local r = ll.ndarray({2})
    r:release()
    support.raises("ndarray has been released", r.show, r)
  end)
end)
