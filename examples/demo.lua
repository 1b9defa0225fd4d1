-- demo.lua: a tour of lluvia-lua on the default device: the devices, the session and its
-- memory types, a Memory with buffers and an image placed in its pages, transfers, and a
-- mapped view. Run: build/lluvia-lua examples/demo.lua
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

-- Device memory: pages of 1 MiB, objects placed by the buddy allocator.
local mem <close> = session:createMemory({"DeviceLocal"}, 1 << 20)
local data = ll.ndarray({1024}, "float32")
for i = 1, #data do data[i] = i * 0.5 end
local buf <close> = mem:createBufferFromHost(data)
local back = buf:toHost("float32")
print(("\nbuffer: %d bytes at page %d offset %d, read back [1]=%g [1024]=%g"):format(
  buf.size, buf.allocationInfo.page, buf.allocationInfo.offset, back[1], back[1024]))

local pixels = ll.ndarray({480, 640, 4}, "uint8")
pixels:fill(200)
local img <close> = mem:createImageFromHost(pixels)
print(("image: %dx%d, %d channels of %s, %d bytes, layout %s"):format(img.width, img.height,
  img.channels, img.channelType, img.size, img.layout))
local view <close> = img:createImageView("Nearest", "ClampToEdge", false, true)
print(("view: %s, sampled=%s"):format(view.filterMode, tostring(view.isSampled)))

local s = mem.stats
print(("memory: %d page(s), %d bytes in use by %d objects, largest free block %d"):format(
  s.pages, s.bytesInUse, s.objects, s.largestFreeBlock))

-- Host-visible memory maps once, persistently: views alias the buffer's bytes.
local host <close> = session:createMemory({"HostVisible", "HostCoherent"})
local hb <close> = host:createBuffer(16) -- content undefined until written
do
  local v <close> = hb:map("int32")
  v:fill(0)
  v[1], v[4] = 7, 42
end
print(("mapped buffer reads back: %s"):format(tostring(hb:toHost("int32"))))
