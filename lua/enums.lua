-- enums.lua: builds the enumeration tables of API.md (ll.ChannelType and friends) from the
-- names the C side lists. Each table maps a name to itself and is read-only; reading an
-- unknown name is an error that lists the valid ones.
local ll, lists = ...

local function enumeration(tname, names)
  local values = {}
  for _, name in ipairs(names) do values[name] = name end
  return setmetatable({}, {
    __index = function(_, key)
      local v = values[key]
      if v == nil then
        error(("lluvia: %s has no value %s (valid: %s)"):format(
          tname, tostring(key), table.concat(names, ", ")), 2)
      end
      return v
    end,
    __newindex = function() error(("lluvia: %s is read-only"):format(tname), 2) end,
    __pairs = function()
      local i = 0
      return function()
        i = i + 1
        local name = names[i]
        if name then return name, name end
      end
    end,
    __len = function() return #names end,
    __metatable = tname,
  })
end

for tname, names in pairs(lists) do
  ll[tname] = enumeration(tname, names)
end
