-- brighten.lua: the example project's code under test: scales an RGB(A) uint8 picture's
-- brightness on the host, saturating at 255.
local M = {}

function M.brighten(pixels, factor)
  return pixels:astype("float32", {scale = factor}):astype("uint8", {round = "nearest"})
end

return M
