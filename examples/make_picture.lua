-- make_picture.lua: draws the project's own example picture, a synthetic but photo-like
-- 640x480 RGB landscape (sky, sun, two mountain ridges, a lake, a field, a house, a tree,
-- a path) with soft edges, shading and grain, and writes it as PNG. Deterministic: the
-- same bytes every run. Not for: tests (the specs make their own images).
--   build/lluvia-lua examples/make_picture.lua [out.png]     (default examples/data/picture.png)
local ll = require "lluvia"

local W, H = 640, 480
local HORIZON = 292
local SAMPLES = 2 -- per side: 2x2 samples a pixel soften every edge as a lens would
local GRAIN = 2.0 -- amplitude of the sensor-like noise, in levels

local out = arg and arg[1] or "examples/data/picture.png"

local floor, sin, cos, exp, sqrt, abs = math.floor, math.sin, math.cos, math.exp, math.sqrt,
  math.abs

local function mix(a, b, t) return a + (b - a) * t end

local function clamp01(t) return t < 0 and 0 or t > 1 and 1 or t end

local function smoothstep(e0, e1, x)
  local t = clamp01((x - e0) / (e1 - e0))
  return t * t * (3 - 2 * t)
end

-- A smooth pseudo-random value noise in [0, 1), from a hash of the lattice corners.
local function hash(ix, iy)
  local h = (ix * 374761393 + iy * 668265263) & 0xFFFFFFFF
  h = ((h ~ (h >> 13)) * 1274126177) & 0xFFFFFFFF
  return ((h ~ (h >> 16)) & 0xFFFF) / 65536
end

local function value_noise(x, y)
  local ix, iy = floor(x), floor(y)
  local fx, fy = x - ix, y - iy
  fx, fy = fx * fx * (3 - 2 * fx), fy * fy * (3 - 2 * fy)
  local a, b = hash(ix, iy), hash(ix + 1, iy)
  local c, d = hash(ix, iy + 1), hash(ix + 1, iy + 1)
  return mix(mix(a, b, fx), mix(c, d, fx), fy)
end

local function fbm(x, y)
  return 0.5 * value_noise(x, y) + 0.3 * value_noise(2.1 * x, 2.1 * y)
    + 0.2 * value_noise(4.3 * x, 4.3 * y)
end

-- The ridges' heights above the horizon at column x.
local function far_ridge(x)
  return 112 + 38 * sin(x * 0.011 + 0.6) + 22 * sin(x * 0.027 + 2.0) + 9 * sin(x * 0.071)
end

local function near_ridge(x)
  return 52 + 30 * sin(x * 0.017 + 3.1) + 12 * sin(x * 0.043 + 1.2) + 5 * sin(x * 0.11 + 0.4)
end

local SUN_X, SUN_Y, SUN_R = 508, 92, 34

local function sky(x, y)
  local t = y / HORIZON
  local r, g, b = mix(38, 196, t ^ 1.6), mix(86, 212, t ^ 1.3), mix(168, 228, t)
  local d = sqrt((x - SUN_X) ^ 2 + (y - SUN_Y) ^ 2)
  local glow = exp(-d / 70) * 0.55
  r, g, b = mix(r, 255, glow), mix(g, 236, glow), mix(b, 190, glow)
  if d < SUN_R then return 255, 244, 206 end
  -- a few soft clouds
  local c = smoothstep(0.56, 0.72, fbm(x / 90, y / 38)) * (1 - t) * 0.8
  return mix(r, 246, c), mix(g, 246, c), mix(b, 250, c)
end

-- The house: walls, a roof, a door and two windows; light from the sun (upper right).
local HX0, HX1, HY0, HY1 = 96, 228, 300, 388
local ROOF_TOP = 244

local function house(x, y)
  local roof_half = (HX1 - HX0) / 2 + 12
  local cx = (HX0 + HX1) / 2
  if y >= ROOF_TOP and y < HY0 and abs(x - cx) <= roof_half * (y - ROOF_TOP) / (HY0 - ROOF_TOP) then
    local shade = x > cx and 1.0 or 0.72
    local tiles = ((floor((y - ROOF_TOP) / 7) % 2 == 0) and 0.94 or 1.0)
    return 150 * shade * tiles, 58 * shade * tiles, 44 * shade * tiles
  end
  if x >= HX0 and x < HX1 and y >= HY0 and y < HY1 then
    if x >= 148 and x < 176 and y >= 334 then return 84, 54, 36 end -- door
    for _, wx in ipairs{112, 194} do
      if x >= wx and x < wx + 22 and y >= 316 and y < 340 then
        local frame = x < wx + 2 or x >= wx + 20 or y < 318 or y >= 338 or abs(x - wx - 11) < 1
        if frame then return 238, 236, 228 end
        return 70, 98, 128 -- the sky in the glass, darker
      end
    end
    local shade = 0.86 + 0.14 * (x - HX0) / (HX1 - HX0)
    return 222 * shade, 206 * shade, 172 * shade
  end
  return nil
end

local TREE_X, TREE_Y, TREE_R = 330, 262, 46

local function tree(x, y)
  local dx, dy = x - TREE_X, y - TREE_Y
  local wobble = 3 * sin(math.atan(dy, dx) * 5) + 14 * (fbm(x / 11, y / 11) - 0.5)
  if dx * dx + dy * dy < (TREE_R + wobble) ^ 2 then
    local light = clamp01(0.55 + 0.45 * (dx * 0.6 - dy * 0.8) / TREE_R)
    local leaves = 0.75 + 0.5 * fbm(x / 4, y / 4)
    return 36 * light * leaves + 12, 92 * light * leaves + 20, 38 * light * leaves + 10
  end
  if x >= TREE_X - 7 and x < TREE_X + 7 and y >= TREE_Y + 30 and y < 370 then
    local shade = 0.7 + 0.3 * (x - TREE_X + 7) / 14
    return 92 * shade, 64 * shade, 40 * shade
  end
  return nil
end

local function lake(x, y)
  local dx, dy = (x - 470) / 150, (y - 352) / 30
  if dx * dx + dy * dy >= 1 then return nil end
  -- the sky reflected upside down, darkened, with ripples
  local ry = HORIZON - (y - HORIZON) * 1.6
  local r, g, b = sky(x, ry < 0 and 0 or ry)
  local ripple = 0.9 + 0.1 * sin(y * 1.7 + sin(x * 0.05) * 3)
  return r * 0.62 * ripple, g * 0.7 * ripple, b * 0.82 * ripple
end

local function path(x, y)
  -- a trapezoid from the door (narrow) to the bottom edge (wide)
  if y < HY1 then return nil end
  local t = (y - HY1) / (H - HY1)
  local cx = mix(162, 250, t)
  local half = mix(12, 70, t)
  if abs(x - cx) > half then return nil end
  local stones = 0.85 + 0.3 * fbm(x / 6, y / 3)
  return 168 * stones, 156 * stones, 136 * stones
end

local function ground(x, y)
  local t = (y - HORIZON) / (H - HORIZON)
  local g = fbm(x / 30, y / 12)
  local stripes = 0.92 + 0.08 * sin((x - 320) / (8 + 40 * t) + y * 0.02)
  local r = mix(118, 58, t) * (0.8 + 0.4 * g) * stripes
  local gg = mix(150, 104, t) * (0.8 + 0.4 * g) * stripes
  local b = mix(72, 36, t) * (0.8 + 0.4 * g) * stripes
  -- the house's and the tree's shadows, cast to the lower left
  local shadow = 1
  for _, s in ipairs{{HX0 + 24, HY1 + 2, 84, 8}, {TREE_X - 30, 374, 46, 9}} do
    local sx, sy = (x - s[1]) / s[3], (y - s[2]) / s[4]
    shadow = shadow * (1 - 0.34 * (1 - smoothstep(0.6, 1.0, sx * sx + sy * sy)))
  end
  return r * shadow, gg * shadow, b * shadow
end

local function scene(x, y)
  local r, g, b = house(x, y)
  if r then return r, g, b end
  r, g, b = tree(x, y)
  if r then return r, g, b end
  if y < HORIZON then
    local far, near = HORIZON - far_ridge(x), HORIZON - near_ridge(x)
    if y >= near then -- near ridge: dark green-grey, lit from the right
      local k = 0.8 + 0.3 * fbm(x / 14, y / 10)
      return 70 * k, 92 * k, 74 * k
    end
    if y >= far then -- far ridge: blue-grey, hazier near the foot
      local haze = smoothstep(far, HORIZON, y) * 0.35
      local k = 0.9 + 0.15 * fbm(x / 20, y / 14)
      return mix(104 * k, 170, haze), mix(118 * k, 186, haze), mix(146 * k, 210, haze)
    end
    return sky(x, y)
  end
  r, g, b = lake(x, y)
  if r then return r, g, b end
  r, g, b = path(x, y)
  if r then return r, g, b end
  return ground(x, y)
end

-- Grain: a small deterministic noise per pixel and channel.
local seed = 12345
local function grain()
  seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
  return ((seed >> 8) % 1024 / 1023 - 0.5) * 2 * GRAIN
end

local function level(v)
  v = floor(v + grain() + 0.5)
  return v < 0 and 0 or v > 255 and 255 or v
end

local rows, char, step = {}, string.char, 1 / SAMPLES
for y = 0, H - 1 do
  local row = {}
  for x = 0, W - 1 do
    local r, g, b = 0, 0, 0
    for sy = 0, SAMPLES - 1 do
      for sx = 0, SAMPLES - 1 do
        local pr, pg, pb = scene(x + (sx + 0.5) * step, y + (sy + 0.5) * step)
        r, g, b = r + pr, g + pg, b + pb
      end
    end
    -- a lens's vignette: the corners a little darker
    local cx, cy = (x - W / 2) / (W / 2), (y - H / 2) / (H / 2)
    local k = (1 - 0.16 * (cx * cx + cy * cy)) / (SAMPLES * SAMPLES)
    row[x + 1] = char(level(r * k), level(g * k), level(b * k))
  end
  rows[y + 1] = table.concat(row)
end

local picture = ll.ndarray.fromString(table.concat(rows), {H, W, 3}, "uint8")
ll.writeImage(out, picture)
print(("%s: %dx%d RGB"):format(out, W, H))
