-- pretty.lua: ll.pretty(value, options), a readable text of any Lua value for people (the
-- REPL's results, --list-devices -v, the __tostring of the module's info and stats tables):
-- keys sorted, short tables on one line, nesting cut at a depth, cycles marked.
-- Not for: serialization (the text is not meant to be loaded back) or ndarrays' own printing.
local ll, _, kit = ...

local WIDTH = 78      -- a table whose one-line form fits in this many columns stays on one line
local DEPTH = 6       -- nesting shown by default; deeper tables print as {...}
local MAX_ITEMS = 200 -- entries shown of one table; the rest are counted

local function is_identifier(s)
  return type(s) == "string" and s:match("^[%a_][%w_]*$") ~= nil
end

local function scalar(v)
  local t = type(v)
  if t == "string" then
    return (string.format("%q", v):gsub("\\\n", "\\n"))
  elseif math.type(v) == "float" then
    if v ~= v then return "nan" end
    if v == math.huge then return "inf" elseif v == -math.huge then return "-inf" end
    local s = string.format("%.14g", v)
    return s:find("[%.eni]") and s or s .. ".0"
  end
  return tostring(v)
end

-- Keys in a stable order: the list part 1..n first, then numbers, then strings, then the
-- rest by their text.
local function sorted_keys(t)
  local n = 0
  while rawget(t, n + 1) ~= nil do n = n + 1 end
  local rest = {}
  for k in next, t do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then rest[#rest + 1] = k end
  end
  local rank = {number = 1, string = 2}
  table.sort(rest, function(a, b)
    local ra, rb = rank[type(a)] or 3, rank[type(b)] or 3
    if ra ~= rb then return ra < rb end
    if ra == 1 or ra == 2 then return a < b end
    return tostring(a) < tostring(b)
  end)
  return n, rest
end

local printable -- the metatable of the module's info tables (below)

local function own_tostring(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and mt ~= printable and rawget(mt, "__tostring") ~= nil
end

local function render(v, depth, max_depth, indent, seen)
  if type(v) ~= "table" or own_tostring(v) then
    return type(v) == "table" and tostring(v) or scalar(v)
  end
  if seen[v] then return "<cycle>" end
  if next(v) == nil then return "{}" end
  if depth >= max_depth then return "{...}" end
  seen[v] = true
  local n, rest = sorted_keys(v)
  local items = {}
  local function add(text)
    if #items < MAX_ITEMS then items[#items + 1] = text end
  end
  for i = 1, n do add(render(v[i], depth + 1, max_depth, indent, seen)) end
  for _, k in ipairs(rest) do
    local key = is_identifier(k) and k or "[" .. render(k, max_depth, max_depth, indent, seen) .. "]"
    add(key .. " = " .. render(rawget(v, k), depth + 1, max_depth, indent, seen))
  end
  local total = n + #rest
  if total > MAX_ITEMS then items[#items + 1] = "... (" .. (total - MAX_ITEMS) .. " more)" end
  seen[v] = nil
  local line = "{" .. table.concat(items, ", ") .. "}"
  if #line + #indent * depth <= WIDTH and not line:find("\n", 1, true) then return line end
  local pad = string.rep(indent, depth + 1)
  return "{\n" .. pad .. table.concat(items, ",\n" .. pad) .. ",\n"
    .. string.rep(indent, depth) .. "}"
end

--- ll.pretty(value, {depth = 6, indent = "  "}): the text of value; tables with sorted
--- keys, nested tables indented, those deeper than depth as {...}, a table met again inside
--- itself as <cycle>. Reads tables raw: no __index or __pairs runs.
function ll.pretty(value, options)
  local max_depth, indent = DEPTH, "  "
  if options ~= nil then
    if type(options) ~= "table" then
      error(string.format("bad argument #2 to 'pretty' (options must be a table, got %s)",
        type(options)), 2)
    end
    for k in pairs(options) do
      if k ~= "depth" and k ~= "indent" then
        error(string.format("bad argument #2 to 'pretty' (unknown option '%s' (expected "
          .. "depth, indent))", tostring(k)), 2)
      end
    end
    if options.depth ~= nil then
      if math.type(options.depth) ~= "integer" or options.depth < 1 then
        error(string.format("bad argument #2 to 'pretty' (depth must be a positive "
          .. "integer, got %s)", scalar(options.depth)), 2)
      end
      max_depth = options.depth
    end
    if options.indent ~= nil then
      if type(options.indent) ~= "string" then
        error(string.format("bad argument #2 to 'pretty' (indent must be a string, got %s)",
          type(options.indent)), 2)
      end
      indent = options.indent
    end
  end
  return render(value, 0, max_depth, indent, {})
end

-- The module's info and stats tables (ll.deviceInfo, ll.memorySummary, mem.stats, ...)
-- print through ll.pretty.
printable = {__tostring = function(t) return ll.pretty(t) end, __name = "lluvia.Info"}
kit.register("lluvia.Info", printable)
kit.info = printable
