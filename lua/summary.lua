-- summary.lua: ll.memorySummary(), every live Memory of this Lua state (flags, pages,
-- bytes reserved and in use, objects) with their totals and the process's device-memory
-- statistics, for a person asking where the memory went.
-- Not for: checks by code (mem.stats and ll.deviceMemoryStats give the same numbers).
local ll, _, kit = ...

local memories = kit.memories -- userdata -> the number of its making (l_memory.c)

local function describe(mem)
  local stats = mem.stats -- raises for a released Memory
  return setmetatable({
    flags = mem.memoryFlags, memoryTypeIndex = mem.memoryTypeIndex,
    pageSize = mem.pageSize, isMappable = mem.isMappable, pages = stats.pages,
    bytesReserved = stats.bytesReserved, bytesInUse = stats.bytesInUse,
    objects = stats.objects, largestFreeBlock = stats.largestFreeBlock,
  }, kit.info)
end

--- ll.memorySummary(): {memories = {one table per live Memory, oldest first}, total =
--- {memories, pages, bytesReserved, bytesInUse, objects}, device = ll.deviceMemoryStats()}.
function ll.memorySummary()
  local live = {}
  for mem, n in pairs(memories) do
    if type(mem) == "userdata" then live[#live + 1] = {mem = mem, n = n} end
  end
  table.sort(live, function(a, b) return a.n < b.n end)
  local list = {}
  local total = setmetatable({memories = 0, pages = 0, bytesReserved = 0, bytesInUse = 0,
    objects = 0}, kit.info)
  for _, entry in ipairs(live) do
    local ok, info = pcall(describe, entry.mem)
    if ok then
      list[#list + 1] = info
      total.memories = total.memories + 1
      for _, key in ipairs({"pages", "bytesReserved", "bytesInUse", "objects"}) do
        total[key] = total[key] + info[key]
      end
    end
  end
  return setmetatable({memories = setmetatable(list, kit.info), total = total,
    device = ll.deviceMemoryStats()}, kit.info)
end
