-- cli.lua: the command lines of the examples: positional paths and --name value options.
-- Not for: anything a script of yours needs (it is the examples' own).
local M = {}

-- Parses argv: exactly `npaths` paths, and options `--name value` for the names of
-- `defaults` (their default values; false: none), the names listed in `numeric` taking
-- numbers. Raises the usage on anything else. Returns the list of paths and the options.
function M.parse(argv, usage, npaths, defaults, numeric)
  local options, paths, i = {}, {}, 1
  for k, v in pairs(defaults) do options[k] = v end
  while i <= #argv do
    local a = argv[i]
    local name = a:match("^%-%-(.+)$")
    if name == nil then
      paths[#paths + 1] = a
      i = i + 1
    elseif defaults[name] == nil then
      error("unknown option " .. a .. "\n" .. usage, 0)
    elseif argv[i + 1] == nil then
      error(a .. " needs a value\n" .. usage, 0)
    else
      options[name] = argv[i + 1]
      i = i + 2
    end
  end
  if #paths ~= npaths then error(usage, 0) end
  for _, k in ipairs(numeric or {}) do
    if options[k] then
      options[k] = tonumber(options[k]) or
        error(("--%s takes a number, got '%s'"):format(k, options[k]), 0)
    end
  end
  -- A device is an id from ll.getAvailableDevices() or a part of its name.
  if options.device then options.device = math.tointeger(tonumber(options.device)) or options.device end
  return paths, options
end

return M
