-- image_file_spec.lua: API.md "Image files": ll.readImage and ll.writeImage, PNG and JPEG
-- round trips of every channel count and type, forced channel counts each way, the files
-- libspng decodes in their several layouts (crafted here byte by byte), every kind of bad
-- file, atomic writes, and every bad argument.
local ll = require "lluvia"
local support = require "support"

local raises = support.raises

-- fn(...) must raise `bad argument #n to '<...name>' (<text>...`: called through pcall, Lua
-- names the function 'lluvia.<name>'; called from Lua code, '<name>'.
local function argfails(n, name, text, fn, ...)
  local msg = raises(name .. "' (" .. text, fn, ...)
  assert.is_truthy(msg:find("bad argument #" .. n .. " to '", 1, true), msg)
  return msg
end

-- ---- files and folders -------------------------------------------------------------------

local function new_dir()
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir " .. support.quote(dir)))
  return dir
end

local function remove_dir(dir)
  os.execute("rm -rf " .. support.quote(dir))
end

local function list_dir(dir)
  local p = assert(io.popen("ls -A " .. support.quote(dir)))
  local names = {}
  for name in p:lines() do names[#names + 1] = name end
  p:close()
  table.sort(names)
  return names
end

local read_bytes = support.read

local function write_bytes(path, bytes)
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
end

-- ---- arrays --------------------------------------------------------------------------------

local MAX = {uint8 = 255, uint16 = 65535}

-- A smooth picture with some variation in every channel: JPEG keeps it within a few levels.
local function smooth(h, w, c, dtype)
  local a = ll.ndarray({h, w, c}, dtype or "uint8")
  local max = MAX[a.dtype]
  for y = 1, h do
    for x = 1, w do
      for k = 1, c do
        local v = (x - 1) / (w - 1) * (0.3 + 0.2 * k) + (y - 1) / (h - 1) * (0.7 - 0.2 * k)
        a:set(math.floor(v / 1.0001 * max * 0.9 + max * 0.05 + 0.5), y, x, k)
      end
    end
  end
  return a
end

-- Every value of the dtype's range turns up somewhere (the extremes included).
local function busy(h, w, c, dtype)
  local a = ll.ndarray({h, w, c}, dtype)
  local max = MAX[dtype]
  for i = 1, #a do a[i] = (i * 7919 + i * i * 31) % (max + 1) end
  a[1], a[#a] = 0, max
  return a
end

local function max_difference(a, b)
  assert.are.same(a.shape, b.shape)
  local worst, sum = 0, 0
  for i = 1, #a do
    local d = math.abs(a[i] - b[i])
    sum = sum + d
    if d > worst then worst = d end
  end
  return worst, sum / #a
end

-- ---- PNG and JPEG bytes, crafted ---------------------------------------------------------

local CRC_TABLE = {}
for n = 0, 255 do
  local c = n
  for _ = 1, 8 do c = (c & 1) ~= 0 and (0xEDB88320 ~ (c >> 1)) or (c >> 1) end
  CRC_TABLE[n] = c
end

local function crc32(s)
  local c = 0xFFFFFFFF
  for i = 1, #s do c = CRC_TABLE[(c ~ s:byte(i)) & 0xFF] ~ (c >> 8) end
  return c ~ 0xFFFFFFFF
end

local function chunk(kind, data)
  return string.pack(">I4", #data) .. kind .. data .. string.pack(">I4", crc32(kind .. data))
end

-- zlib with stored (uncompressed) deflate blocks.
local function zlib_stored(data)
  local out, a, b = {"\x78\x01"}, 1, 0
  for i = 1, #data do
    a = (a + data:byte(i)) % 65521
    b = (b + a) % 65521
  end
  local pos = 1
  repeat
    local piece = data:sub(pos, pos + 65534)
    pos = pos + #piece
    local last = pos > #data and 1 or 0
    out[#out + 1] = string.pack("<BI2I2", last, #piece, ~#piece & 0xFFFF) .. piece
  until pos > #data
  out[#out + 1] = string.pack(">I4", (b << 16) | a)
  return table.concat(out)
end

local PNG_SIGNATURE = "\x89PNG\r\n\x1a\n"

-- A PNG of the given header and rows (each row's bytes without its filter byte), with the
-- chunks in `extra` (PLTE, tRNS) before the image data.
local function craft_png(w, h, depth, color_type, rows, extra)
  local raw = {}
  for i, row in ipairs(rows) do raw[i] = "\0" .. row end
  return PNG_SIGNATURE
    .. chunk("IHDR", string.pack(">I4I4BBBBB", w, h, depth, color_type, 0, 0, 0))
    .. table.concat(extra or {})
    .. chunk("IDAT", zlib_stored(table.concat(raw)))
    .. chunk("IEND", "")
end

-- The bytes of a PNG with its IHDR width and height replaced (CRC recomputed).
local function png_with_size(bytes, w, h)
  local ihdr = "IHDR" .. string.pack(">I4I4", w, h) .. bytes:sub(25, 29)
  return bytes:sub(1, 8) .. string.pack(">I4", 13) .. ihdr .. string.pack(">I4", crc32(ihdr))
    .. bytes:sub(34)
end

-- The bytes of a baseline JPEG with its SOF0 height and width replaced.
local function jpeg_with_size(bytes, w, h)
  local at = assert(bytes:find("\xFF\xC0", 3, true), "no SOF0 marker")
  return bytes:sub(1, at + 4) .. string.pack(">I2I2", h, w) .. bytes:sub(at + 9)
end

-- Runs call() with the n-th host allocation of the core failing (ll._debug.failAfter), for
-- n = 1, 2, ... until it runs through with no fault reached; each failure must be one fault
-- and a lluvia: error. after(ok, result) looks at every round.
local function each_host_fault(what, call, after)
  local fault = ll._debug
  local n, done = 0, false
  while not done do
    n = n + 1
    assert(n < 200, what .. " never ran through")
    fault.clearFaults()
    fault.failAfter(n, "host")
    local ok, res = pcall(call)
    local fired = fault.faultsFired()
    fault.clearFaults()
    if ok then
      done = fired == 0
    else
      assert.are.equal(1, fired)
      assert.is_truthy(tostring(res):find("lluvia: ", 1, true), res)
    end
    after(ok, res)
  end
  assert.is_true(n > 2, what .. ": no allocation was reached")
end

-- ---- the specs ---------------------------------------------------------------------------

-- Every file of the specs goes into one folder, removed at the end.
local dir
setup(function() dir = new_dir() end)
teardown(function() remove_dir(dir) end)

-- A new empty folder in it, for a spec that looks at every file of its folder.
local function subdir(name)
  local d = dir .. "/" .. name
  assert(os.execute("mkdir " .. support.quote(d)))
  return d
end

-- fn(a, path, dtype, c) for a busy array of every dtype and channel count PNG takes,
-- written to path.
local function each_png(h, w, fn)
  for _, dtype in ipairs{"uint8", "uint16"} do
    for c = 1, 4 do
      local a = busy(h, w, c, dtype)
      local path = ("%s/each_%s_%d.png"):format(dir, dtype, c)
      ll.writeImage(path, a)
      fn(a, path, dtype, c)
    end
  end
end

describe("ll.writeImage and ll.readImage", function()

  it("round-trip PNG of 1 to 4 channels, uint8 and uint16, exactly", function()
    each_png(7, 13, function(a, path) support.same_array(a, ll.readImage(path)) end)
  end)

  it("write a {h, w} array as one channel, read back as {h, w, 1}", function()
    local a = ll.ndarray.fromTable({{0, 1, 2}, {253, 254, 255}}, "uint8")
    ll.writeImage(dir .. "/hw.png", a)
    local b = ll.readImage(dir .. "/hw.png")
    assert.are.same({2, 3, 1}, b.shape)
    assert.are.equal(a:tostring(), b:tostring())
  end)

  it("take a plain table as uint8", function()
    ll.writeImage(dir .. "/table.png", {{10, 20}, {30, 40}})
    local b = ll.readImage(dir .. "/table.png")
    assert.are.equal("uint8", b.dtype)
    assert.are.same({{{10}, {20}}, {{30}, {40}}}, b:totable())
  end)

  it("round-trip JPEG of 1 and 3 channels within 4 levels on average, 24 at most", function()
    for _, c in ipairs{1, 3} do
      local a = smooth(48, 64, c)
      local path = ("%s/rt_%d.jpg"):format(dir, c)
      ll.writeImage(path, a, {quality = 95})
      local b = ll.readImage(path)
      assert.are.equal("uint8", b.dtype)
      local worst, mean = max_difference(a, b)
      assert.is_true(mean <= 4, ("mean difference %.2f"):format(mean))
      assert.is_true(worst <= 24, ("largest difference %d"):format(worst))
    end
  end)

  it("write smaller JPEGs at lower quality (positional or in the options table)", function()
    local a = busy(32, 32, 3, "uint8")
    ll.writeImage(dir .. "/q95.jpg", a, {quality = 95})
    ll.writeImage(dir .. "/q10.jpg", a, 10)
    ll.writeImage(dir .. "/qdefault.jpg", a)
    local s95, s10 = #read_bytes(dir .. "/q95.jpg"), #read_bytes(dir .. "/q10.jpg")
    local s90 = #read_bytes(dir .. "/qdefault.jpg")
    assert.is_true(s10 < s90 and s90 < s95, ("sizes %d, %d, %d"):format(s10, s90, s95))
  end)

  it("take the extension in any case and detect the format by its bytes", function()
    local a = busy(5, 6, 3, "uint8")
    for _, name in ipairs{"up.PNG", "mixed.Png", "up.JPG", "long.jpeg", "up.JPEG"} do
      ll.writeImage(dir .. "/" .. name, a)
    end
    assert.are.equal("\x89PNG", read_bytes(dir .. "/up.PNG"):sub(1, 4))
    assert.are.equal("\xFF\xD8\xFF", read_bytes(dir .. "/long.jpeg"):sub(1, 3))
    -- a PNG named .jpg, a JPEG named .png, and no extension at all
    os.rename(dir .. "/up.PNG", dir .. "/png_named.jpg")
    os.rename(dir .. "/up.JPG", dir .. "/jpeg_named.png")
    os.rename(dir .. "/mixed.Png", dir .. "/noext")
    support.same_array(a, ll.readImage(dir .. "/png_named.jpg"))
    support.same_array(a, ll.readImage(dir .. "/noext"))
    local j = ll.readImage(dir .. "/jpeg_named.png")
    assert.are.same({5, 6, 3}, j.shape)
  end)

  it("replace an existing file, keeping its permission bits", function()
    local path = dir .. "/mode.png"
    ll.writeImage(path, busy(3, 3, 1, "uint8"))
    assert(os.execute("chmod 640 " .. support.quote(path)))
    local a = busy(4, 4, 3, "uint8")
    ll.writeImage(path, a)
    support.same_array(a, ll.readImage(path))
    local out = support.run("stat -c %a " .. support.quote(path))
    assert.are.equal("640", out:match("%d+"))
  end)
end)

-- The documented conversions, computed here from the stored pixel.
local function expected_pixel(px, cin, cout, max)
  local r, g, b, a, y = px[1], px[1], px[1], max, px[1]
  if cin >= 3 then
    g, b = px[2], px[3]
    y = (19595 * r + 38470 * g + 7471 * b + 32768) >> 16
  end
  if cin == 2 or cin == 4 then a = px[cin] end
  if cout == 1 then return {y} end
  if cout == 2 then return {y, a} end
  if cout == 3 then return {r, g, b} end
  return {r, g, b, a}
end

describe("the example picture (examples/data/picture.png)", function()
  it("read as 640x480 RGB with edges in it, and as RGBA", function()
    local p = ll.readImage("examples/data/picture.png")
    assert.are.same({480, 640, 3}, p.shape)
    assert.are.equal("uint8", p.dtype)
    -- the foot of the house's wall, above the grass, at column 120: a strong edge
    local wall, grass = p:get(370, 120, 1), p:get(400, 120, 1)
    assert.is_true(math.abs(wall - grass) > 60, ("wall %d, grass %d"):format(wall, grass))
    assert.are.same({480, 640, 4}, ll.readImage("examples/data/picture.png", 4).shape)
  end)
end)

describe("ll.readImage(path, {channels = n})", function()

  it("convert every stored count to every count, uint8 and uint16", function()
    each_png(6, 5, function(a, path, dtype, cin)
      for cout = 1, 4 do
        local b = ll.readImage(path, {channels = cout})
        assert.are.same({6, 5, cout}, b.shape)
        assert.are.equal(dtype, b.dtype)
        for y = 1, 6 do
          for x = 1, 5 do
            local px = {}
            for k = 1, cin do px[k] = a:get(y, x, k) end
            local want = expected_pixel(px, cin, cout, MAX[dtype])
            for k = 1, cout do
              local got = b:get(y, x, k)
              if got ~= want[k] then
                error(("%s %d -> %d channels at (%d, %d, %d): got %d, want %d"):format(
                  dtype, cin, cout, y, x, k, got, want[k]))
              end
            end
          end
        end
      end
    end)
  end)

  it("pad a 640x480 RGB picture to RGBA with alpha 255", function()
    local a = busy(480, 640, 3, "uint8")
    ll.writeImage(dir .. "/big.png", a)
    local b = ll.readImage(dir .. "/big.png", 4)
    assert.are.same({480, 640, 4}, b.shape)
    local ra, rb = a:tostring(), b:tostring()
    for _, i in ipairs{0, 1, 1000, 640 * 480 - 1} do
      assert.are.equal(ra:sub(3 * i + 1, 3 * i + 3), rb:sub(4 * i + 1, 4 * i + 3))
      assert.are.equal(255, rb:byte(4 * i + 4))
    end
    assert.is_nil(rb:gsub("...(.)", "%1"):find("[^\xFF]"))
  end)

  it("convert JPEG gray to RGB and RGB to gray", function()
    local g = smooth(16, 16, 1)
    ll.writeImage(dir .. "/g.jpg", g, 100)
    local stored = ll.readImage(dir .. "/g.jpg")
    local rgb = ll.readImage(dir .. "/g.jpg", {channels = 3})
    assert.are.same({16, 16, 3}, rgb.shape)
    for i = 1, #stored do
      for k = 1, 3 do assert.are.equal(stored[i], rgb[3 * (i - 1) + k]) end
    end
    local c = smooth(16, 16, 3)
    ll.writeImage(dir .. "/c.jpg", c, 100)
    local cs = ll.readImage(dir .. "/c.jpg")
    local gray = ll.readImage(dir .. "/c.jpg", {channels = 1})
    for i = 1, 16 * 16 do
      local want = expected_pixel({cs[3 * i - 2], cs[3 * i - 1], cs[3 * i]}, 3, 1, 255)[1]
      assert.are.equal(want, gray[i])
    end
  end)
end)

describe("ll.readImage of PNG layouts", function()

  local function read_crafted(name, bytes, channels)
    local path = dir .. "/" .. name
    write_bytes(path, bytes)
    return ll.readImage(path, channels and {channels = channels})
  end

  it("read 16-bit samples (stored big-endian) as their values", function()
    local b = read_crafted("g16.png", craft_png(2, 1, 16, 0, {"\x12\x34\xAB\xCD"}))
    assert.are.equal("uint16", b.dtype)
    assert.are.same({{{0x1234}, {0xABCD}}}, b:totable())
  end)

  it("scale 1-bit gray to 0 and 255", function()
    local b = read_crafted("g1.png", craft_png(8, 1, 1, 0, {"\xA0"}))
    assert.are.same({1, 8, 1}, b.shape)
    local v = {}
    for i = 1, 8 do v[i] = b[i] end
    assert.are.same({255, 0, 255, 0, 0, 0, 0, 0}, v)
  end)

  it("read a palette as RGB, and with tRNS as RGBA", function()
    local plte = chunk("PLTE", "\10\20\30\200\100\50")
    local b = read_crafted("p.png", craft_png(2, 1, 8, 3, {"\0\1"}, {plte}))
    assert.are.same({{{10, 20, 30}, {200, 100, 50}}}, b:totable())
    local t = read_crafted("pt.png", craft_png(2, 1, 8, 3, {"\0\1"}, {plte, chunk("tRNS", "\128")}))
    assert.are.same({{{10, 20, 30, 128}, {200, 100, 50, 255}}}, t:totable())
  end)

  it("read gray with tRNS as gray and alpha", function()
    local b = read_crafted("gt.png", craft_png(3, 1, 8, 0, {"\7\8\7"}, {chunk("tRNS", "\0\7")}))
    assert.are.same({{{7, 0}, {8, 255}, {7, 0}}}, b:totable())
    assert.are.same({1, 3, 4}, read_crafted("gt4.png",
      craft_png(3, 1, 8, 0, {"\7\8\7"}, {chunk("tRNS", "\0\7")}), 4).shape)
  end)

  it("read gray and alpha (color type 4), 8 and 16 bits", function()
    local b = read_crafted("ga.png", craft_png(1, 1, 8, 4, {"\50\60"}))
    assert.are.same({{{50, 60}}}, b:totable())
    local d = read_crafted("ga16.png", craft_png(1, 1, 16, 4, {"\1\2\3\4"}))
    assert.are.same({{{0x0102, 0x0304}}}, d:totable())
  end)
end)

describe("ll.readImage of bad files", function()
  local png, jpeg
  setup(function()
    ll.writeImage(dir .. "/good.png", busy(20, 30, 3, "uint8"))
    ll.writeImage(dir .. "/good.jpg", smooth(20, 30, 3))
    png, jpeg = read_bytes(dir .. "/good.png"), read_bytes(dir .. "/good.jpg")
  end)

  -- readImage(path) must fail with a lluvia: error naming the path and saying `why`.
  local function refuses(path, why)
    local msg = raises("cannot read image '" .. path .. "': " .. why, ll.readImage, path)
    assert.is_truthy(msg:find("lluvia: ", 1, true), msg)
  end

  local function refuses_bytes(name, bytes, why)
    local path = dir .. "/" .. name
    write_bytes(path, bytes)
    refuses(path, why)
  end

  it("refuse a missing file", function()
    refuses(dir .. "/missing.png", "cannot open it: No such file or directory")
  end)

  it("refuse a directory, and a FIFO without waiting for a writer", function()
    assert(os.execute("mkdir " .. support.quote(dir .. "/folder.png")))
    refuses(dir .. "/folder.png", "it is a directory")
    assert(os.execute("mkfifo " .. support.quote(dir .. "/fifo.png")))
    refuses(dir .. "/fifo.png", "it is not a regular file")
  end)

  it("refuse an empty file and a file that is not an image", function()
    refuses_bytes("empty.png", "", "the file is empty")
    refuses_bytes("text.png", "hello, world\n", "not a PNG or JPEG file")
    local noise = {}
    for i = 1, 4096 do noise[i] = string.char((i * 7919 + (i * i) % 251) % 256) end
    refuses_bytes("noise.jpg", table.concat(noise), "not a PNG or JPEG file")
    refuses_bytes("sig.png", PNG_SIGNATURE, "truncated or corrupt PNG")
    refuses_bytes("soi.jpg", "\xFF\xD8\xFF", "truncated or corrupt JPEG (no frame header)")
  end)

  it("refuse a PNG truncated at several points", function()
    refuses_bytes("cut4.png", png:sub(1, 4), "not a PNG or JPEG file")
    for _, n in ipairs{12, 20, 33, 40, #png // 2, #png - 20, #png - 12} do
      refuses_bytes(("cut%d.png"):format(n), png:sub(1, n), "truncated or corrupt PNG")
    end
  end)

  it("refuse a JPEG truncated at several points", function()
    refuses_bytes("cut2.jpg", jpeg:sub(1, 2), "not a PNG or JPEG file")
    for _, n in ipairs{10, 100, #jpeg // 2, #jpeg - 2} do
      refuses_bytes(("cut%d.jpg"):format(n), jpeg:sub(1, n), "truncated or corrupt JPEG")
    end
  end)

  it("refuse a PNG whose image data is corrupt", function()
    local at = png:find("IDAT", 1, true)
    local bad = png:sub(1, at + 9) .. "\0\0\0\0\0\0" .. png:sub(at + 16)
    refuses_bytes("corrupt.png", bad, "truncated or corrupt PNG")
  end)

  it("refuse images of no pixels", function()
    refuses_bytes("w0.png", png_with_size(png, 0, 20), "a PNG of no pixels (0x20)")
    refuses_bytes("00.png", png_with_size(png, 0, 0), "a PNG of no pixels (0x0)")
    refuses_bytes("h0.jpg", jpeg_with_size(jpeg, 30, 0), "truncated or corrupt JPEG")
  end)

  it("refuse absurd dimensions in a crafted header before allocating them", function()
    refuses_bytes("huge.png", png_with_size(png, 60000, 60000),
      "a PNG of 60000x60000 pixels is beyond the limit (65535 a side, 2^28 pixels in all)")
    refuses_bytes("wide.png", png_with_size(png, 70000, 1),
      "a PNG of 70000x1 pixels is beyond the limit")
    refuses_bytes("huge.jpg", jpeg_with_size(jpeg, 60000, 60000),
      "a JPEG of 60000x60000 pixels is beyond the limit")
  end)
end)

describe("ll.writeImage is atomic", function()

  -- A file of old contents, alone in a new folder.
  local function prepare(name)
    local d = subdir(name .. ".d")
    local path = d .. "/" .. name
    write_bytes(path, "the old contents")
    return path, d
  end

  it("leave an existing file as it was after a bad argument", function()
    local path, d = prepare("keep.jpg")
    raises("JPEG takes 1 or 3 channels", ll.writeImage, path, busy(4, 4, 4, "uint8"))
    raises("quality", ll.writeImage, path, busy(4, 4, 3, "uint8"), 0)
    assert.are.equal("the old contents", read_bytes(path))
    assert.are.same({"keep.jpg"}, list_dir(d))
  end)

  it("leave no temporary file when the rename fails (the target is a folder)", function()
    local d = subdir("taken")
    local target = d .. "/taken.png"
    assert(os.execute("mkdir " .. support.quote(target)))
    write_bytes(target .. "/inside", "x")
    local msg = raises("cannot write image '" .. target .. "': cannot rename", ll.writeImage,
      target, busy(4, 4, 3, "uint8"))
    assert.is_truthy(msg:find("lluvia: ", 1, true))
    assert.are.same({"taken.png"}, list_dir(d))
    assert.are.same({"inside"}, list_dir(target))
  end)

  it("refuse a folder that does not exist", function()
    raises("cannot write image '" .. dir .. "/no/such.png': cannot create a temporary file",
      ll.writeImage, dir .. "/no/such.png", busy(2, 2, 1, "uint8"))
  end)

  it("leave the file as it was when any host allocation fails", function()
    for _, name in ipairs{"fault.png", "fault.jpg"} do
      local path, d = prepare(name)
      local a = busy(9, 7, 3, "uint8")
      each_host_fault("the write", function() ll.writeImage(path, a) end, function(ok)
        assert.are.same({name}, list_dir(d))
        if ok then
          assert.are.same(a.shape, ll.readImage(path).shape)
          write_bytes(path, "the old contents")
        else
          assert.are.equal("the old contents", read_bytes(path))
        end
      end)
    end
  end)
end)

describe("ll.readImage under allocation failures", function()
  it("fail cleanly at each host allocation, then read the picture", function()
    for _, name in ipairs{"f.png", "f.jpg"} do
      local path = dir .. "/" .. name
      ll.writeImage(path, smooth(9, 7, 3))
      each_host_fault("the read", function() return ll.readImage(path, {channels = 1}) end,
        function(ok, res)
          if ok then assert.are.same({9, 7, 1}, res.shape) end
        end)
    end
  end)
end)

describe("bad arguments", function()
  local a = busy(4, 5, 3, "uint8")

  it("readImage: the path", function()
    argfails(1, "readImage", "path must be a string, got nil)", ll.readImage, nil)
    argfails(1, "readImage", "path must be a string, got 42)", ll.readImage, 42)
    argfails(1, "readImage", "path must not be empty)", ll.readImage, "")
    raises("path must not contain a NUL byte", ll.readImage, "a\0b.png")
  end)

  it("readImage: channels", function()
    ll.writeImage(dir .. "/c.png", a)
    for _, bad in ipairs{0, 5, 2.5, "3", true} do
      argfails(2, "readImage", "channels must be 1, 2, 3 or 4 (nil: as "
        .. "stored), got", ll.readImage, dir .. "/c.png", {channels = bad})
    end
    raises("channels must be 1, 2, 3 or 4", ll.readImage, dir .. "/c.png", 7)
    argfails(2, "readImage", "unknown option 'chanels'", ll.readImage, dir .. "/c.png",
      {chanels = 3})
  end)

  it("writeImage: the extension", function()
    local before = list_dir(dir)
    for _, name in ipairs{"x.bmp", "x", "png", "x.png.gz", "x.jpe"} do
      argfails(1, "writeImage", "path must end in .png, .jpg or .jpeg (any "
        .. "case), got '" .. dir .. "/" .. name .. "')", ll.writeImage, dir .. "/" .. name, a)
    end
    raises("path must be a string, got nil", ll.writeImage, nil, a)
    assert.are.same(before, list_dir(dir))
  end)

  it("writeImage: the dtype", function()
    local before = list_dir(dir)
    for _, dtype in ipairs{"int8", "float32", "uint32", "int16"} do
      argfails(2, "writeImage", "dtype must be uint8 or uint16 for PNG, got "
        .. dtype .. ")", ll.writeImage, dir .. "/d.png", ll.ndarray({2, 2}, dtype))
    end
    argfails(2, "writeImage", "dtype must be uint8 for JPEG, got uint16)",
      ll.writeImage, dir .. "/d.jpg", ll.ndarray({2, 2}, "uint16"))
  end)

  it("writeImage: the shape and channels", function()
    local before = list_dir(dir)
    argfails(2, "writeImage", "shape must be {h, w} or {h, w, c}, got {6})",
      ll.writeImage, dir .. "/s.png", ll.ndarray({6}, "uint8"))
    raises("shape must be {h, w} or {h, w, c}, got {1, 2, 2, 3}",
      ll.writeImage, dir .. "/s.png", ll.ndarray({1, 2, 2, 3}, "uint8"))
    argfails(2, "writeImage", "PNG takes 1 to 4 channels, got 5)",
      ll.writeImage, dir .. "/s.png", ll.ndarray({2, 2, 5}, "uint8"))
    for _, c in ipairs{2, 4} do
      argfails(2, "writeImage", "JPEG takes 1 or 3 channels (gray or RGB), got "
        .. c .. ")", ll.writeImage, dir .. "/s.jpg", ll.ndarray({2, 2, c}, "uint8"))
    end
    argfails(2, "writeImage", "an image of 70000x1 pixels is beyond the limit",
      ll.writeImage, dir .. "/s.png", ll.ndarray({1, 70000}, "uint8"))
    argfails(2, "writeImage", "ndarray, table or string expected, got nil)",
      ll.writeImage, dir .. "/s.png", nil)
    assert.are.same(before, list_dir(dir))
  end)

  it("writeImage: quality", function()
    local before = list_dir(dir)
    for _, bad in ipairs{0, 101, -5, 2.5, "90", false} do
      argfails(3, "writeImage", "quality must be an integer from 1 to 100, got",
        ll.writeImage, dir .. "/q.jpg", a, {quality = bad})
    end
    raises("quality must be an integer from 1 to 100, got 0", ll.writeImage, dir .. "/q.jpg",
      a, 0)
    argfails(3, "writeImage", "unknown option 'qualty'", ll.writeImage, dir .. "/q.jpg", a,
      {qualty = 5})
    assert.are.same(before, list_dir(dir))
  end)
end)
