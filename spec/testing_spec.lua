-- testing_spec.lua: docs/testing.md: ll.testing's array assertions, as busted failures and
-- as plain errors, and examples/testing, a user's project with its own .busted run under
-- lluvia-lua.
local ll = require "lluvia"
local support = require "spec.support"

local T = ll.testing
local F = ll.ndarray.fromTable

-- The message of a failed assertion (busted.fail raises a table with it).
local function failure(fn, ...)
  local ok, err = pcall(fn, ...)
  assert.is_false(ok, "expected the assertion to fail")
  return type(err) == "table" and tostring(err.message) or tostring(err)
end

describe("ll.testing.assert_equal_arrays", function()
  it("passes for the same shape, dtype and values, NaN equal to NaN", function()
    local a = F({{1, 2, 3}, {4, 5, 6}}, "uint8")
    assert.is_true(T.assert_equal_arrays(a, a:copy()))
    assert.is_true(T.assert_equal_arrays(F({0 / 0, 1}), F({0 / 0, 1})))
  end)

  it("lists the first differing elements with their indices and both values", function()
    local a = ll.ndarray({4, 5}, "int16")
    local b = a:copy()
    for i = 1, 7 do b[i * 2] = -i end
    local msg = failure(T.assert_equal_arrays, a, b, "after blur")
    assert.is_truthy(msg:find("after blur: arrays differ: 7 of 20 elements (shape {4, 5}, int16 vs "
      .. "int16)\n  at {1, 2} (flat 2): 0 vs -1\n  at {1, 4} (flat 4): 0 vs -2\n", 1, true), msg)
    assert.is_truthy(msg:find("  at {2, 5} (flat 10): 0 vs -5\n  ... and 2 more", 1, true), msg)
  end)

  it("names a difference of shape or dtype", function()
    local a = F({{1, 2}, {3, 4}}, "uint8")
    assert.is_truthy(failure(T.assert_equal_arrays, a, a:reshape({4})):find(
      "arrays differ in shape: {2, 2} vs {4}", 1, true))
    assert.is_truthy(failure(T.assert_equal_arrays, a, a:astype("int8")):find(
      "arrays differ in dtype: uint8 vs int8", 1, true))
  end)

  it("shows floats that print alike with all their digits", function()
    local msg = failure(T.assert_equal_arrays, F({0.1}, "float64"), F({0.1}, "float32"):astype("float64"))
    assert.is_truthy(msg:find("0.1 vs 0.10000000149011612", 1, true), msg)
  end)

  it("refuses what is not an array", function()
    support.raises("bad argument #2 to 'assert_equal_arrays' (ndarray expected, got table)",
      T.assert_equal_arrays, F({1}), {1})
  end)
end)

describe("ll.testing.assert_allclose", function()
  it("uses allclose's rtol and atol, tol as rtol or a table", function()
    local a = F({1, 100}, "float32")
    assert.is_true(T.assert_allclose(a, a:astype("float64")))
    local b = F({1.001, 100.1}, "float32")
    local msg = failure(T.assert_allclose, a, b)
    assert.is_truthy(msg:find("arrays not close (rtol 1e-05, atol 1e-08): 2 of 2 elements", 1, true), msg)
    assert.is_true(T.assert_allclose(a, b, 1e-2))
    assert.is_true(T.assert_allclose(a, b, {rtol = 0, atol = 0.2}))
    assert.is_truthy(failure(T.assert_allclose, a, b, {rtol = 0, atol = 0.01}):find(
      "  at {2} (flat 2): 100.0 vs 100.09999847412109", 1, true))
  end)

  it("takes NaN as equal to NaN unless equalNan = false", function()
    local n = F({0 / 0, 1})
    assert.is_true(T.assert_allclose(n, n:copy()))
    assert.is_truthy(failure(T.assert_allclose, n, n:copy(), {equalNan = false}):find(
      "1 of 2 elements", 1, true))
  end)
end)

describe("ll.testing without busted", function()
  it("raises a plain error naming the caller's line", function()
    local script = support.tmpfile([[
local ll = require "lluvia"
local a = ll.ndarray.fromTable({1, 2, 3}, "uint8")
ll.testing.assert_equal_arrays(a, ll.ndarray.fromTable({1, 9, 3}, "uint8"))
]])
    local _, err, code = support.run_host({script})
    os.remove(script)
    assert.are_not.equal(0, code)
    assert.is_truthy(err:find(":3: arrays differ: 1 of 3 elements (shape {3}, uint8 vs uint8)\n"
      .. "  at {2} (flat 2): 2 vs 9", 1, true), err)
  end)
end)

describe("examples/testing, a user's project with its own .busted", function()
  local dir = support.host:match("^(.*)/[^/]*$") or "."
  local function busted(env)
    -- busted through the host, so that no `lua` need be on PATH (busted's own #! line
    -- asks for one; the .busted file then keeps it under lluvia-lua).
    return support.run("cd examples/testing && " .. env .. " PATH=" .. support.quote(dir)
      .. ":\"$PATH\" lluvia-lua \"$(command -v busted)\"")
  end

  it("runs its specs under lluvia-lua", function()
    local out, err, code = busted("")
    assert.are.equal(0, code, out .. err)
    assert.is_truthy(out:find("2 successes / 0 failures / 0 errors", 1, true), out)
  end)

  it("counts a failed array assertion as a failure with the diff", function()
    local out = busted("EXAMPLE_FAILS=1")
    assert.is_truthy(out:find("2 successes / 1 failure / 0 errors", 1, true), out)
    assert.is_truthy(out:find("spec/brighten_spec.lua:20: arrays differ: 3 of 3 elements", 1, true), out)
    assert.is_truthy(out:find("at {1, 1, 2} (flat 2): 255 vs 100", 1, true), out)
  end)
end)
