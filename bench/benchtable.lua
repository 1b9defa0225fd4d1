-- benchtable.lua: the table the Lua benchmarks print: rows of cells, columns padded to
-- their widest cell, a rule under the heading; and the best time of repeated runs. Used by
-- bench/bench_ndarray.lua, bench/transfers.lua and bench/compute.lua (which put bench/ on
-- package.path).
local M = {}

-- A table with these column headings; t:row(cells...) adds a row, t:print() prints all.
function M.new(head)
  local t = {head = head, rows = {}}
  function t.row(self, ...)
    local r = table.pack(...)
    for c = 1, #self.head do r[c] = tostring(r[c] or "") end
    self.rows[#self.rows + 1] = r
  end
  function t.print(self)
    local width = {}
    for c = 1, #self.head do
      width[c] = #self.head[c]
      for _, r in ipairs(self.rows) do width[c] = math.max(width[c], #r[c]) end
    end
    local function line(r)
      local cells = {}
      for c = 1, #self.head do cells[c] = r[c] .. (" "):rep(width[c] - #r[c]) end
      print((table.concat(cells, "  "):gsub("%s+$", "")))
    end
    line(self.head)
    local rule = {}
    for c = 1, #self.head do rule[c] = ("-"):rep(width[c]) end
    line(rule)
    for _, r in ipairs(self.rows) do line(r) end
  end
  return t
end

-- Best (least) seconds of f(): min_reps runs, more while `budget` seconds last, at most
-- max_reps; now is the clock (benchfloor's).
function M.best(f, now, min_reps, budget, max_reps)
  local t_best, start = math.huge, now()
  collectgarbage()
  for r = 1, max_reps do
    local t0 = now()
    f()
    local t = now() - t0
    if t < t_best then t_best = t end
    if r >= min_reps and now() - start > budget then break end
  end
  return t_best
end

return M
