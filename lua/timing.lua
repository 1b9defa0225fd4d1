-- timing.lua: ll.benchmark(fn, options), the best, median and spread of a function's run
-- time over repeated runs, measured with ll.clock (monotonic wall time: os.clock counts the
-- CPU time of every thread, so a multithreaded copy looks several times slower).
-- Not for: profiling inside fn, or asserting speeds (specs never time anything).
local ll, _, kit = ...

local function duration(seconds)
  if seconds >= 1 then return string.format("%.3f s", seconds) end
  if seconds >= 1e-3 then return string.format("%.3f ms", seconds * 1e3) end
  return string.format("%.3f us", seconds * 1e6)
end

local function check_count(options, key, min, def)
  local v = options[key]
  if v == nil then return def end
  if math.type(v) == "float" and v == math.floor(v) then v = math.tointeger(v) end
  if math.type(v) ~= "integer" or v < min then
    error(string.format("bad argument #2 to 'benchmark' (%s must be an integer >= %d, got %s)",
      key, min, ll.pretty(options[key])), 3)
  end
  return v
end

local OPTIONS = {reps = true, warmup = true, name = true, print = true}

--- ll.benchmark(fn, {reps = 10, warmup = 1, name = "benchmark", print = true}): calls fn
--- warmup times untimed, then reps times, each timed with ll.clock; prints
--- "<name>: best ..., median ..., spread ... (n%) over <reps> runs" unless print = false,
--- and returns {best, median, mean, worst, spread, reps} in seconds (spread: worst - best).
function ll.benchmark(fn, options)
  if type(fn) ~= "function" and not (getmetatable(fn) or {}).__call then
    error(string.format("bad argument #1 to 'benchmark' (function expected, got %s)",
      type(fn)), 2)
  end
  options = options or {}
  if type(options) ~= "table" then
    error(string.format("bad argument #2 to 'benchmark' (options must be a table, got %s)",
      type(options)), 2)
  end
  for k in pairs(options) do
    if not OPTIONS[k] then
      error(string.format("bad argument #2 to 'benchmark' (unknown option '%s' (expected "
        .. "reps, warmup, name, print))", tostring(k)), 2)
    end
  end
  local reps = check_count(options, "reps", 1, 10)
  local warmup = check_count(options, "warmup", 0, 1)
  local name = options.name == nil and "benchmark" or tostring(options.name)
  for _ = 1, warmup do fn() end
  local times, clock = {}, ll.clock
  for i = 1, reps do
    local t0 = clock()
    fn()
    times[i] = clock() - t0
  end
  table.sort(times)
  local sum = 0
  for _, t in ipairs(times) do sum = sum + t end
  local mid = (reps + 1) // 2
  local median = reps % 2 == 1 and times[mid] or (times[mid] + times[mid + 1]) / 2
  local result = setmetatable({best = times[1], median = median, mean = sum / reps,
    worst = times[reps], spread = times[reps] - times[1], reps = reps}, kit.info)
  if options.print ~= false then
    local percent = median > 0 and (result.spread / median * 100) or 0
    print(string.format("%s: best %s, median %s, spread %s (%.0f%%) over %d runs", name,
      duration(result.best), duration(median), duration(result.spread), percent, reps))
  end
  return result
end
