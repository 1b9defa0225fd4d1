-- testing.lua: ll.testing, array assertions for users' own tests (numpy.testing's
-- assert_array_equal and assert_allclose): a failure names the shapes, the dtypes or the
-- first differing elements with their indices and both values. Raised as a busted failure
-- when busted is running, as a plain error() otherwise. Not for: the comparisons
-- themselves (ndarray:equals and ndarray:allclose, src/core/ndarray_ops.c).
local ll = ...

local SHOWN = 5 -- differing elements listed in a message

local testing = {}

-- Raises the failure; `depth`: how many functions of this file stand between fail and the
-- user's call, so that the message names the user's line. Under busted (loaded: a test is
-- running), busted.fail makes it a failure in busted's count; otherwise a plain error().
local function fail(message, depth)
  local busted = package.loaded.busted
  if type(busted) == "table" and type(busted.fail) == "function" then
    busted.fail(message, depth + 2)
  end
  error(message, depth + 2)
end

local function is_array(v)
  return getmetatable(v) == "ll.ndarray"
end

local function shape_text(shape)
  return "{" .. table.concat(shape, ", ") .. "}"
end

-- The n-d index (1-based) of flat index k of shape.
local function nd_index(shape, k)
  local idx, rest = {}, k - 1
  for d = #shape, 1, -1 do
    idx[d] = rest % shape[d] + 1
    rest = rest // shape[d]
  end
  return idx
end

local function value_text(v)
  if math.type(v) == "float" and v == v and v ~= math.huge and v ~= -math.huge then
    local short = tostring(v)
    if tonumber(short) ~= v then return ("%.17g"):format(v) end
    return short
  end
  return tostring(v)
end

local function check_arrays(a, b, fname)
  if not is_array(a) then
    error(("bad argument #1 to '%s' (ndarray expected, got %s)"):format(fname, type(a)), 3)
  end
  if not is_array(b) then
    error(("bad argument #2 to '%s' (ndarray expected, got %s)"):format(fname, type(b)), 3)
  end
  local sa, sb = a.shape, b.shape
  if shape_text(sa) ~= shape_text(sb) then
    fail(("arrays differ in shape: %s vs %s"):format(shape_text(sa), shape_text(sb)), 2)
  end
  return sa
end

-- Lists the elements from `first` on for which differs(x, y) holds; fails with them.
local function report(a, b, shape, first, differs, what, message)
  local lines, count = {}, 0
  for k = first, #a do
    local x, y = a[k], b[k]
    if differs(x, y) then
      count = count + 1
      if count <= SHOWN then
        lines[#lines + 1] = ("  at %s (flat %d): %s vs %s"):format(shape_text(nd_index(shape, k)),
          k, value_text(x), value_text(y))
      end
    end
  end
  if count == 0 then return end
  if count > SHOWN then lines[#lines + 1] = ("  ... and %d more"):format(count - SHOWN) end
  fail(("%s%s: %d of %d elements (shape %s, %s vs %s)\n%s"):format(
    message and message .. ": " or "", what, count, #a, shape_text(shape), a.dtype, b.dtype,
    table.concat(lines, "\n")), 2)
end

local function both_nan(x, y) return x ~= x and y ~= y end

-- assert_equal_arrays(a, b, message?): the same shape, dtype and values (NaN equal to NaN,
-- as numpy.testing.assert_array_equal).
function testing.assert_equal_arrays(a, b, message)
  local shape = check_arrays(a, b, "assert_equal_arrays")
  if a.dtype ~= b.dtype then
    fail(("%sarrays differ in dtype: %s vs %s"):format(message and message .. ": " or "",
      a.dtype, b.dtype), 1)
  end
  if a:equals(b) then return true end
  report(a, b, shape, 1, function(x, y) return x ~= y and not both_nan(x, y) end,
    "arrays differ", message)
  return true
end

-- assert_allclose(a, b, tol?, message?): the same shape and |a - b| <= atol + rtol * |b|
-- everywhere (ndarray:allclose); tol is rtol, or a table {rtol = 1e-5, atol = 1e-8,
-- equalNan = true}. NaN is equal to NaN unless equalNan = false, as in numpy.testing.
function testing.assert_allclose(a, b, tol, message)
  local shape = check_arrays(a, b, "assert_allclose")
  local o = type(tol) == "table" and tol or {rtol = tol}
  local rtol, atol = o.rtol or 1e-5, o.atol or 1e-8
  local equal_nan = o.equalNan ~= false
  local ok, first = a:allclose(b, {rtol = rtol, atol = atol, equalNan = equal_nan})
  if ok then return true end
  report(a, b, shape, first, function(x, y)
    if x ~= x or y ~= y then return not (equal_nan and both_nan(x, y)) end
    if x == y then return false end
    return not (math.abs(x - y) <= atol + rtol * math.abs(y))
  end, ("arrays not close (rtol %g, atol %g)"):format(rtol, atol), message)
  return true
end

ll.testing = testing
