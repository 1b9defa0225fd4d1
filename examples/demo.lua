-- demo.lua: a tour of lluvia-lua on the default device: the devices, the session, its
-- memory types. Run: build/lluvia-lua examples/demo.lua
local ll = require "lluvia"

print("Vulkan devices:")
for _, d in ipairs(ll.getAvailableDevices()) do
  print(("  %d  %-13s Vulkan %-8s %s"):format(d.id, d.deviceType, d.apiVersion, d.name))
end

local session <close> = ll.createSession()
print(("\nsession: %s (%s)"):format(session.deviceName, session.deviceType))

print("memory types:")
for i, flags in ipairs(session:getSupportedMemoryPropertyFlags()) do
  print(("  %d  %s"):format(i - 1, table.concat(flags, " | ")))
end
