-- enums.lua: builds the enumeration tables of API.md (ll.ChannelType and friends) from the
-- lists the C side gives. A kind maps each name to itself (ll.ChannelType.Uint8 == "Uint8"),
-- a flags table to its Vulkan bit (ll.ImageUsageFlagBits.Storage == 8), a table of numbers
-- to its value (ll.ChannelCount.C4 == 4). Each table is read-only; reading an unknown name
-- is an error that lists the valid ones.
local ll, lists = ...

local function enumeration(tname, names, values)
  local byname = {}
  for i, name in ipairs(names) do byname[name] = values[i] end
  return setmetatable({}, {
    __index = function(_, key)
      local v = byname[key]
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
        if name then return name, values[i] end
      end
    end,
    __len = function() return #names end,
    __metatable = tname,
  })
end

for tname, list in pairs(lists) do
  ll[tname] = enumeration(tname, list.names, list.values)
end
