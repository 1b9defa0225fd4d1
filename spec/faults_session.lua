-- faults_session.lua: run by faults_spec.lua in a fresh lluvia-lua process, where no
-- session exists yet, so that ll.createSession makes its Vulkan instance and device too:
-- every failure path of that, driven by fault injection (docs/faults.md). Prints
-- "host N vulkan M" (the injected failures of each kind); raises at the first problem.
local ll = require "lluvia"
local fault = ll._debug

local counts, validation = {}, {}
for _, kind in ipairs({"host", "vulkan", "deviceMemory"}) do
  counts[kind] = 0
  for n = 1, 1000 do
    local context = ("%s fault %d"):format(kind, n)
    fault.clearFaults()
    fault.failAfter(n, kind)
    local ok, s = pcall(ll.createSession, {enableDebug = true})
    local fired = fault.faultsFired()
    fault.clearFaults()
    if ok then
      assert(fault.validate(s))
      validation[#validation + 1] = s.validationEnabled
      s:release()
    else
      assert(fired == 1, context .. ": failed with no fault fired: " .. tostring(s))
      assert(tostring(s):find("^lluvia: "), context .. ": not a lluvia: error: " .. tostring(s))
      counts[kind] = counts[kind] + 1
    end
    local d = ll.deviceMemoryStats()
    assert(d.liveBytes == 0 and d.liveAllocations == 0, context .. ": device memory left")
    if ok and fired == 0 then break end
  end
end
-- A session that got through never went without the validation layer it asked for.
for i = 2, #validation do assert(validation[i] == validation[1], "validation differs") end
assert(ll.debugMessageCount() == 0, "the validation layer reported messages (see stderr)")
print(("host %d vulkan %d"):format(counts.host, counts.vulkan))
