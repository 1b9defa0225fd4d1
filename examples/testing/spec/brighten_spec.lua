-- brighten_spec.lua: the example project's spec, using ll.testing's array assertions.
local ll = require "lluvia"
local brighten = require("brighten").brighten

describe("brighten", function()
  it("scales and saturates at 255", function()
    local pixels = ll.ndarray.fromTable({{{10, 100, 200}, {0, 128, 255}}}, "uint8")
    local want = ll.ndarray.fromTable({{{20, 200, 255}, {0, 255, 255}}}, "uint8")
    ll.testing.assert_equal_arrays(brighten(pixels, 2), want)
  end)

  it("keeps a factor of 1 close to the identity in float", function()
    local pixels = ll.ndarray.fromTable({{{10, 100, 200}}}, "uint8")
    ll.testing.assert_allclose(brighten(pixels, 1):astype("float32"), pixels:astype("float32"))
  end)

  if os.getenv("EXAMPLE_FAILS") then
    it("reports the first differing elements", function()
      local pixels = ll.ndarray.fromTable({{{10, 100, 200}}}, "uint8")
      ll.testing.assert_equal_arrays(brighten(pixels, 3), pixels)
    end)
  end
end)
