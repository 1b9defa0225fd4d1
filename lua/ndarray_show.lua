-- ndarray_show.lua: arr:show(), an array printed as aligned rows with a footer, torch7's
-- way: `[ll.ndarray float32 of size 480x640x3]`. Long axes show their first and last three
-- entries around "...". Not for: tostring(arr) (src/binding/l_ndarray.c).
local _, _, kit = ...

local EDGE = 3      -- entries kept at each end of a long axis
local LONG = 10     -- an axis longer than this is summarized

-- The 1-based indices shown along an axis of n entries; false marks the "..." gap.
local function shown(n)
  if n <= LONG then
    local t = {}
    for i = 1, n do t[i] = i end
    return t
  end
  local t = {}
  for i = 1, EDGE do t[#t + 1] = i end
  t[#t + 1] = false
  for i = n - EDGE + 1, n do t[#t + 1] = i end
  return t
end

local function format(v)
  if math.type(v) == "integer" then return tostring(v) end
  if v ~= v then return "nan" end
  if v == math.huge then return "inf" end
  if v == -math.huge then return "-inf" end
  return ("%.4f"):format(v)
end

-- Lines of the 2-D matrix rows x cols, value(i, j) giving each entry, right-aligned.
local function matrix(rows, cols, value)
  local cells, width = {}, 3
  for r, i in ipairs(rows) do
    cells[r] = {}
    for c, j in ipairs(cols) do
      local text = (i and j) and format(value(i, j)) or "..."
      cells[r][c] = text
      if #text > width then width = #text end
    end
  end
  local lines = {}
  for r, row in ipairs(cells) do
    for c, text in ipairs(row) do row[c] = (" "):rep(width - #text) .. text end
    lines[r] = rows[r] and table.concat(row, " ") or (" "):rep(width - 3) .. "..."
  end
  return lines
end

local function show(arr)
  local shape = arr.shape -- raises for a released array
  local nd = #shape
  if nd > 3 then
    error(("bad argument #1 to 'show' (show prints 1- to 3-D arrays, got shape {%s}: " ..
      "reshape it first)"):format(table.concat(shape, ", ")), 2)
  end
  local lines = {}
  if nd == 1 then
    lines = matrix({1}, shown(shape[1]), function(_, j) return arr[j] end)
  elseif nd == 2 then
    lines = matrix(shown(shape[1]), shown(shape[2]), function(i, j) return arr:get(i, j) end)
  else
    for _, i in ipairs(shown(shape[1])) do
      if i then
        lines[#lines + 1] = ("(%d,.,.) ="):format(i)
        for _, line in ipairs(matrix(shown(shape[2]), shown(shape[3]),
            function(j, k) return arr:get(i, j, k) end)) do
          lines[#lines + 1] = line
        end
      else
        lines[#lines + 1] = "(...,.,.)"
      end
      lines[#lines + 1] = ""
    end
    lines[#lines] = nil
  end
  lines[#lines + 1] = ("[ll.ndarray %s of size %s]"):format(arr.dtype, table.concat(shape, "x"))
  io.write(table.concat(lines, "\n"), "\n")
end

kit.addMethods("lluvia.ndarray", {show = show})
