-- docs_coverage_spec.lua: everything the module exports is documented, as luv's docscov.sh
-- checks its docs. The exports are found by walking the module table and the classes
-- (ll._debug.classes(): protected metatables hide methods from scripts); each must have an
-- entry in docs/api.md (the first code span of a heading or of a table row's first cell)
-- and a definition in types/lluvia.d.lua (LuaLS). Names starting with `_` are internal,
-- except ll._VERSION; ll._debug's functions are documented in docs/faults.md.
local ll = require "lluvia"
local support = require "support"

local read = support.read

local function internal(name) return name:sub(1, 1) == "_" and name ~= "_VERSION" end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do
    if type(k) == "string" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  return keys
end

-- An enumeration table: names mapping to strings or numbers, nothing else.
local function is_enum(t)
  local any = false
  for _, v in pairs(t) do -- pairs: enumerations are read-only proxies
    if type(v) ~= "string" and type(v) ~= "number" then return false end
    any = true
  end
  return any
end

-- The exports: {kind = "function" | "field" | "enum" | "member", name = "ll.x" | "Class",
-- member = "m"?, values = {...}?}.
local function exports()
  local list = {}
  for _, k in ipairs(sorted_keys(ll)) do
    local v = ll[k]
    if not internal(k) then
      local name = "ll." .. k
      if type(v) == "table" and k ~= "nodeBuilders" and is_enum(v) then
        list[#list + 1] = {kind = "enum", name = name, values = sorted_keys(v)}
      else
        list[#list + 1] = {kind = type(v) == "function" and "function" or "field", name = name}
        if type(v) == "table" and k ~= "nodeBuilders" then -- a class or a namespace
          for _, m in ipairs(sorted_keys(v)) do
            if not internal(m) then
              list[#list + 1] = {kind = "member", name = k, member = m, qualified = name}
            end
          end
        end
      end
    end
  end
  for _, cname in ipairs(sorted_keys(ll._debug.classes())) do
    local c = ll._debug.classes()[cname]
    for _, group in ipairs({c.methods, c.fields}) do
      for _, m in ipairs(group) do
        if not internal(m) then
          list[#list + 1] = {kind = "member", name = cname, member = m}
        end
      end
    end
  end
  return list
end

-- The names a Markdown page documents: the first code span of each heading and of each
-- table row's first cell, up to a '(', '{', '[' or space; and each such line's text.
local function documented(path)
  local names = {}
  for line in read(path):gmatch("[^\n]+") do
    local span
    if line:match("^#") then
      span = line:match("`([^`]+)`")
    elseif line:match("^|") then
      span = line:match("^|%s*`([^`]+)`")
    end
    if span then
      local name = span:match("^[^%s%(%{%[]+")
      if name then names[name] = (names[name] or "") .. line .. "\n" end
    end
  end
  return names
end

local function documented_as(names, e)
  if e.kind ~= "member" then return names[e.name] ~= nil end
  local cname = e.name:gsub("^ll%.", "")
  for _, form in ipairs({cname .. ":" .. e.member, cname .. "." .. e.member,
      "ll." .. cname .. "." .. e.member, "ll." .. cname .. ":" .. e.member}) do
    if names[form] then return true end
  end
  return false
end

local function label(e)
  return e.kind == "member" and e.name .. ":" .. e.member or e.name
end

describe("docs/api.md", function()
  local names = documented("docs/api.md")

  it("documents every function, field, class member and enumeration the module exports", function()
    local missing = {}
    for _, e in ipairs(exports()) do
      if not documented_as(names, e) then missing[#missing + 1] = label(e) end
    end
    assert.are.same({}, missing)
  end)

  it("lists every value of each enumeration on its line", function()
    local missing = {}
    for _, e in ipairs(exports()) do
      if e.kind == "enum" and names[e.name] then
        for _, v in ipairs(e.values) do
          if not names[e.name]:find("`" .. v .. "`", 1, true) then
            missing[#missing + 1] = e.name .. "." .. v
          end
        end
      end
    end
    assert.are.same({}, missing)
  end)

  it("finds a missing export (the check can fail)", function()
    assert.is_false(documented_as(names, {kind = "function", name = "ll.noSuchFunction"}))
    assert.is_false(documented_as(names, {kind = "member", name = "Session", member = "nope"}))
    assert.is_true(documented_as(names, {kind = "member", name = "Session", member = "createMemory"}))
  end)

  it("links only to pages of the repository, from the README and every page of docs/", function()
    local paths = {"README.md"}
    local out, err, code = support.run("ls docs/*.md")
    assert(code == 0, err)
    for path in out:gmatch("%S+") do paths[#paths + 1] = path end
    assert.is_true(#paths > 10)
    for _, path in ipairs(paths) do
      local text = read(path)
      assert.is_nil(text:find("../shared/API.md", 1, true), path)
      assert.is_nil(text:find("](http", 1, true), path)
    end
  end)
end)

describe("docs/faults.md", function()
  it("documents every function of ll._debug", function()
    local names = documented("docs/faults.md")
    local missing = {}
    for _, k in ipairs(sorted_keys(ll._debug)) do
      if not names["ll._debug." .. k] then missing[#missing + 1] = "ll._debug." .. k end
    end
    assert.are.same({}, missing)
  end)
end)

-- The definitions of types/lluvia.d.lua: `---@class ll.X` starts class X (ll.Session,
-- ll.ndarray, ...), whose `---@field name` lines and `function X:m(` / `function X.m(`
-- definitions (X the class's local) are its members, and so are those of its parent
-- (`---@class ll.ImageView: ll.Image`); `function ll.f(`, `---@field` of class ll and
-- `ll.name = ` define module functions and fields.
local function definitions(path)
  local defs, class, parents = {}, nil, {}
  for line in read(path):gmatch("[^\n]+") do
    local c, parent = line:match("^%-%-%-@class%s+([%w_%.]+)%s*:?%s*([%w_%.]*)")
    if c then
      class = c == "ll" and "ll" or c:gsub("^ll%.", "")
      if parent ~= "" then parents[class] = parent:gsub("^ll%.", "") end
    end
    local f = line:match("^%-%-%-@field%s+([%w_]+)")
    if f and class then defs[(class == "ll" and "ll." or class .. ".") .. f] = true end
    local owner, m = line:match("^function%s+([%w_%.]+)[:%.]([%w_]+)%s*%(")
    if owner then defs[owner:gsub("^ll%.", "") .. "." .. m] = true end
    local owner2, m2 = line:match("^function%s+ll%.([%w_]+)[:%.]([%w_]+)%s*%(")
    if owner2 then defs[owner2 .. "." .. m2] = true end
    local g = line:match("^function%s+ll%.([%w_]+)%s*%(")
    if g then defs["ll." .. g] = true end
    local v = line:match("^ll%.([%w_]+)%s*=")
    if v then defs["ll." .. v] = true end
  end
  return setmetatable(defs, {__index = function(_, key) -- a member of the parent class
    local cname, member = key:match("^([%w_]+)%.([%w_]+)$")
    local parent = cname and parents[cname]
    return parent and defs[parent .. "." .. member] or nil
  end})
end

describe("types/lluvia.d.lua", function()
  local defs = definitions("types/lluvia.d.lua")

  it("is a LuaLS definition file", function()
    assert.truthy(read("types/lluvia.d.lua"):match("^%-%-%-@meta"))
  end)

  it("defines every export docs/api.md documents", function()
    local missing = {}
    for _, e in ipairs(exports()) do
      local key = e.kind == "member" and e.name:gsub("^ll%.", "") .. "." .. e.member or e.name
      if not defs[key] then missing[#missing + 1] = label(e) end
    end
    assert.are.same({}, missing)
  end)

  it("finds a missing definition (the check can fail)", function()
    assert.is_nil(defs["Session.noSuchMethod"])
    assert.is_true(defs["ImageView.toHost"]) -- through ll.ImageView: ll.Image
    assert.is_true(defs["Session.createMemory"])
    assert.is_true(defs["ll.createSession"])
  end)
end)

describe("ll._debug.classes", function()
  it("lists the methods and fields of each class, sorted", function()
    local c = ll._debug.classes()
    assert.is_table(c.Session)
    assert.truthy(c.Session.methods[1])
    local seen = {}
    for _, m in ipairs(c.Buffer.methods) do seen[m] = true end
    assert.is_true(seen.toHost and seen.release and seen.mapAndSetFromVectorUint8)
    assert.are.same({"allocationInfo", "isMappable", "memory", "size", "usageFlags"},
      c.Buffer.fields)
    assert.are.same({"dtype", "nbytes", "ndim", "shape"}, c.ndarray.fields)
    for _, list in ipairs({c.Image.methods, c.ImageView.fields}) do
      for i = 2, #list do assert.is_true(list[i - 1] < list[i]) end
    end
  end)

  it("lists fields that objects answer", function()
    local session <close> = ll.createSession()
    local mem <close> = session:createMemory({"HostVisible", "HostCoherent"}, 1 << 16)
    local buf <close> = mem:createBuffer(64)
    local imem <close> = support.image_memory(session, 1 << 16)
    local img <close> = imem:createImage({4, 4, 1}, "Uint8")
    local view <close> = img:createImageView("Nearest", "Repeat", false, false)
    local objects = {Session = session, Memory = mem, Buffer = buf, Image = img,
      ImageView = view, ndarray = ll.ndarray({2}, "float32")}
    local c = ll._debug.classes()
    for cname, obj in pairs(objects) do
      for _, f in ipairs(c[cname].fields) do
        assert.is_not_nil(obj[f], cname .. "." .. f)
      end
    end
  end)
end)
