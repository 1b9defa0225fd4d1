-- node_support.lua: what the specs of the built-in nodes (nodes_*_spec.lua) share: test
-- images made on the host, running a node on them, reading its outputs back, comparing
-- every pixel with a host reference, and the bad-input checks every node must pass.
local ll = require "lluvia"
local support = require "support"
local assert = require "luassert"

local M = {}

function M.session() return support.session() end

-- A deterministic pseudo-random sequence of integers in [0, 255] (an LCG's high bits).
function M.bytes(seed)
  local state = seed or 1
  return function()
    state = (state * 1103515245 + 12345) % 2147483648
    return state // 65536 % 256
  end
end

-- An ndarray shaped {h, w, c} (or {h, w} where c is nil) of `dtype`, each element f(y, x, k)
-- (1-based indices).
function M.array(h, w, c, dtype, f)
  local shape = c and {h, w, c} or {h, w}
  local a = ll.ndarray(shape, dtype)
  for y = 1, h do
    for x = 1, w do
      for k = 1, c or 1 do
        if c then a:set(f(y, x, k), y, x, k) else a:set(f(y, x, 1), y, x) end
      end
    end
  end
  return a
end

-- A Uint8 image of pseudo-random bytes.
function M.randomBytes(h, w, c, seed)
  local next = M.bytes(seed)
  return M.array(h, w, c, "uint8", function() return next() end)
end

-- The element (y, x, k) of an array shaped {h, w, c} or {h, w}.
function M.get(a, y, x, k)
  if #a.shape == 2 then return a:get(y, x) end
  return a:get(y, x, k)
end

-- A storage ImageView of the session's device memory holding `arr`.
function M.upload(s, arr)
  return s:getDeviceMemory():createImageViewFromHost(arr)
end

-- Runs the builder `name` with `inputs` (port -> object) bound and `parameters` set; returns
-- the node.
function M.run(s, name, inputs, parameters)
  local node = s:createComputeNode(name)
  for k, v in pairs(parameters or {}) do node:setParameter(k, v) end
  for port, object in pairs(inputs) do node:bind(port, object) end
  node:init()
  node:run()
  return node
end

-- Asserts that every element of `out` equals expect(y, x, k) (exactly, or within `tol`
-- where given), with the shape {h, w, c}; names the first pixel that differs.
function M.check(out, h, w, c, expect, tol)
  local shape = out.shape
  assert.are.equal(h, shape[1])
  assert.are.equal(w, shape[2])
  assert.are.equal(c, shape[3] or 1)
  for y = 1, h do
    for x = 1, w do
      for k = 1, c do
        local got, want = M.get(out, y, x, k), expect(y, x, k)
        local ok = tol and math.abs(got - want) <= tol or got == want
        if not ok then
          error(("pixel (y %d, x %d, channel %d): got %s, expected %s%s"):format(y, x, k,
            tostring(got), tostring(want), tol and (" within " .. tol) or ""), 2)
        end
      end
    end
  end
end

-- The bad inputs every node refuses: for each {port, object, fragment} of `cases`, binding
-- object to port is an argument error naming the port (and fragment); and init with
-- `required` unbound is an argument error naming it.
function M.refuses(s, name, cases, required)
  for _, case in ipairs(cases) do
    local node = s:createComputeNode(name)
    local msg = support.raises("port '" .. case[1] .. "'", node.bind, node, case[1], case[2])
    assert.is_truthy(msg:find("bad argument", 1, true), msg)
    assert.is_truthy(msg:find(case[3], 1, true), msg)
  end
  if required then
    local node = s:createComputeNode(name)
    local msg = support.raises("port '" .. required .. "'", node.init, node)
    assert.is_truthy(msg:find("bad argument", 1, true), msg)
  end
end

-- One busted `it` per case {node, {{port, object, fragment}, ...}, required input}: M.refuses
-- of "<prefix><node>".
function M.refusalSpecs(s, prefix, cases)
  local it = require("busted").it
  for _, case in ipairs(cases) do
    it(case[1] .. " refuses wrong channel counts and types, and an unbound input, naming the port", function()
      M.refuses(s, prefix .. case[1], case[2], case[3])
    end)
  end
end

return M
