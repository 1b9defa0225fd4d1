-- help.lua: ll.help(obj or name), one line for each method and field of a class, each
-- module function, or the doc of a node builder, for people at the REPL. The classes'
-- metatables are protected, so their members are listed here: CLASSES is the documented
-- list of every class's methods and fields (spec/repl_spec.lua fails when a method a class
-- has is missing). Not for: the full reference (docs/), or anything code should parse.
local ll = ...

-- [class] = {doc, members}: members one a line, ":method(args)  what it does" or
-- ".field  what it holds" (two spaces before the description)
local CLASSES = {
  Session = {doc = "a Vulkan device chosen, and everything made from it (docs/session.md)", members = [[
:createMemory(flags, pageSize, exactFlagsMatch)  a new Memory of the first type with those flags
:getHostMemory()  the session's own HostVisible | HostCoherent Memory
:getDeviceMemory()  the session's own DeviceLocal Memory
:getSupportedMemoryPropertyFlags()  the flag names of each memory type
:isImageFormatSupported(channelType, channels, usage)  whether images of that format can be made
:getGoodComputeLocalShape(dimension)  a workgroup shape for D1, D2 or D3 (ll.vec3ui)
:compileProgram(glsl, options)  GLSL compiled in-process into a Program
:createProgram(bytesOrPath)  a Program from SPIR-V bytes or a .spv file
:setProgram(name, program)  registers a Program under a name
:getProgram(name)  the Program registered under name
:createComputeNode(nameOrDescriptor)  a ComputeNode from a builder, descriptor or table
:compileComputeNode(descriptor, glsl)  a ComputeNode from a descriptor and GLSL
:createContainerNode(name)  a container node from a builder
:createCommandBuffer()  a new CommandBuffer
:run(nodeOrCommandBuffer)  records and runs a node, or runs a command buffer, and waits
:script(code, chunkname)  runs builder code in the session's script environment
:scriptFile(path)  runs a builder script file
:loadLibrary(path, options)  registers the builders and programs of a folder or .zip
:help(name)  the doc of the node builder the session sees under name
:getNodeBuilder(name)  the builder the session sees under name, or nil
:getNodeBuilderDescriptors()  the descriptors of every builder the session sees
:hasReceivedVulkanWarningMessages()  true once the validation layer reported a problem
:release()  frees it now (also <close> and the collector)
.deviceName  the device's name
.deviceType  DiscreteGpu, IntegratedGpu, Cpu, ...
.deviceId  the device's id (ll.getAvailableDevices)
.apiVersion  the device's Vulkan version
.validationEnabled  whether the validation layer is on
.forceStaging  whether every transfer goes through staging
.transferPath  auto, direct, staging or import
.deviceOnly  whether DeviceLocal memory is treated as not host-visible
.simulateNonCoherent  whether coherent memory is flushed as if it were not
.bufferImageGranularity  the granularity placement keeps
.stagingSize  bytes of the staging buffer
]]},
  Memory = {doc = "pages of one memory type that buffers and images are placed in (docs/memory.md)", members = [[
:createBuffer(size, usageFlags)  a new Buffer of size bytes
:createBufferFromHost(arr, usageFlags)  a new Buffer holding a copy of arr
:createBufferLike(arr, usageFlags)  a new Buffer of arr's size, its content undefined
:createImage(shape, channelType, usageFlags)  a new Image (or from an ll.ImageDescriptor)
:createImageFromHost(arr, usageFlags)  a new Image holding a copy of arr
:createImageView(imageDescriptor, viewDescriptor)  lluvia's: a new image and a view of it
:createImageViewFromHost(arr, ...)  createImageFromHost, then createImageView
:isPageMappable(page)  whether page exists and is host-visible
:release()  drops the handle; pages go with their last object
.memoryFlags  the type's flags, as names
.pageSize  bytes per page (0: a page per object)
.pageCount  pages that exist now
.isMappable  whether its buffers can be mapped
.stats  {pages, bytesReserved, bytesInUse, objects, largestFreeBlock}
.session  the Session
.memoryTypeIndex  the Vulkan memory type index
]]},
  Buffer = {doc = "bytes in a Memory (docs/memory.md)", members = [[
:fromHost(arr, offset)  copies an ll.ndarray (or a string) in
:toHost(output, offset)  a new uint8 array of the content, or output filled
:map(dtype)  an ll.ndarray over the mapped bytes (host-visible memory only)
:mapAndSetFromVectorUint8(v)  lluvia's: copies a uint8 vector in through the mapping
:copy(dst, ...)  copies into another Buffer of the session
:release()  frees it now (also <close> and the collector)
.size  bytes
.usageFlags  usage flag names
.memory  the Memory it lives in
.isMappable  whether map works
.allocationInfo  {page, offset, leftPadding, size}
]]},
  Image = {doc = "a device image in a Memory (docs/image.md)", members = [[
:toHost(output)  a new array of the texels, or output filled
:fromHost(arr)  copies arr in
:clear()  every texel to zero
:copyTo(dst)  copies into an Image or ImageView of the same shape and format
:changeLayout(layout)  moves it to a layout (also changeImageLayout)
:changeImageLayout(layout)  lluvia's name of changeLayout
:createImageView(filterMode, addressMode, normalizedCoordinates, sampled)  a new ImageView
:release()  frees it now (also <close> and the collector)
.width  texels
.height  texels
.depth  texels
.channels  1 to 4 (also channelCount)
.channelCount  lluvia's name of channels
.shape  {depth, height, width, channels}
.channelType  "Float32", ...
.dtype  "float32", ...
.format  the VkFormat's name
.layout  the layout it is in now
.usageFlags  usage flag names
.tiling  "Optimal"
.descriptor  a new ll.ImageDescriptor of it
.size  bytes of its allocation
.minimumSize  bytes of its texels tightly packed
.allocationInfo  {page, offset, leftPadding, size}
.memory  the Memory it lives in
]]},
  ImageView = {doc = "a view of an Image, with a sampler when sampled (docs/image.md)", members = [[
:toHost(output)  as its image's
:fromHost(arr)  as its image's
:clear()  as its image's
:copyTo(dst)  as its image's
:changeLayout(layout)  as its image's
:changeImageLayout(layout)  as its image's
:release()  frees it now (also <close> and the collector)
.image  the Image it views
.filterMode  Nearest or Linear
.addressMode  the U axis's address mode
.addressModeU  address mode of U
.addressModeV  address mode of V
.addressModeW  address mode of W
.normalizedCoordinates  whether the sampler reads [0, 1] coordinates
.isSampled  whether it has a sampler (also sampled)
.descriptor  a new ll.ImageViewDescriptor of it
.imageDescriptor  a new ll.ImageDescriptor of its image
.memory  its image's Memory
.width  ... and the other fields of its image
]]},
  Program = {doc = "reflected SPIR-V and its shader module (docs/compute.md)", members = [[
:release()  frees it now (also <close> and the collector)
.session  the Session
.localSize  the shader's workgroup size
.bindings  the shader's bindings
.pushConstantSize  bytes of its push constants
.entryPoints  its entry points
]]},
  ComputeNode = {doc = "a compute shader with its bound objects and grid (docs/compute.md)", members = [[
:bind(port, object)  binds a Buffer, Image or ImageView to a port
:getPort(port)  the object bound to a port
:init()  runs the builder's onNodeInit and makes the pipeline
:configureGridShape(shape)  the grid from a global shape and the local size
:record(commandBuffer)  records the dispatch
:run()  records and runs it, and waits
:getParameter(name)  a parameter's value
:setParameter(name, value)  sets a parameter
:release()  frees it now (also <close> and the collector)
.gridShape  the dispatch's grid (settable)
.localShape  the workgroup size
.pushConstants  its ll.PushConstants (settable)
.program  its Program
.functionName  the entry point
.type  "Compute"
]]},
  CommandBuffer = {doc = "commands recorded once and run (docs/compute.md)", members = [[
:begin()  starts recording
:ends()  ends recording (also finish)
:finish()  ends recording
:run()  submits it and waits
:memoryBarrier()  a barrier between the commands before and after
:changeImageLayout(image, layout)  records a layout change
:clearImage(image)  records a clear to zero
:copyBuffer(src, dst)  records a buffer copy
:copyBufferToImage(src, dst)  records a buffer to image copy
:copyImageToImage(src, dst)  records an image copy
:timestamp()  records a GPU timestamp after the commands before it
:timestamps()  after a run: nanoseconds of each timestamp since the first
:release()  frees it now (also <close> and the collector)
.isRecording  between begin and ends
]]},
  ndarray = {doc = "a host array: shape, dtype, contiguous bytes (docs/ndarray.md)", members = [[
:get(i, j, ...)  the element at 1-based indices
:set(i, ..., value)  sets one
:totable()  nested Lua tables of the elements
:tostring()  its bytes as a string
:fill(value)  every element to value
:reshape(shape)  a view of another shape
:view(dtype)  a view of the bytes as another dtype
:copy()  a new array, a copy
:size()  the number of elements (as #arr)
:astype(dtype, {round, saturate, scale})  a new array converted to dtype
:min()  the least element
:max()  the greatest element
:sum()  the sum of the elements (exact for integer dtypes)
:mean()  the mean, a float
:equals(other)  same shape, dtype and values (also arr == other)
:allclose(other, {rtol, atol, equalNan})  every pair close (false and the first index if not)
:narrow(dim, start, length)  entries of one axis: a view when contiguous, else a copy
:crop(y, x, h, w)  a copy of a rectangle of an {h, w, c} array
:padChannels(n, fill)  {..., c} -> {..., n}, added channels full intensity (255, 1.0)
:show()  writes it as aligned rows with a footer
:release()  frees its storage now (also <close> and the collector)
.shape  {d1, d2, ...}
.dtype  "uint8", ..., "float64"
.ndim  the number of dimensions
.nbytes  bytes
]]},
}

-- Module functions, "name(args): what it does", one a line (ll.help() lists them).
local FUNCTION_LINES = [[
benchmark(fn, {reps, warmup}): best, median and spread of fn's run time
class(base): a class for node builders (lluvia's)
clock(): monotonic wall-clock seconds (time with this, not os.clock)
createCommandBuffer(): session:createCommandBuffer in the active session
createComputeNode(x): session:createComputeNode in the active session
createContainerNode(x): session:createContainerNode in the active session
createSession(options): a new Session (docs/session.md)
debugMessageCount(): validation messages seen by the process
deviceInfo(id): driver, heaps, memory types, limits and extensions of a device
deviceMemoryStats(): the process's device memory
floatPrecisionToImageChannelType(p): Float16/32/64's channel type
fromBase64(text): the decoded bytes as a uint8 ll.ndarray
getAvailableDevices(): {id, name, deviceType, apiVersion} per device
getDeviceMemory(): the active session's device Memory
getGoodComputeLocalShape(dimension): the active session's
getHostMemory(): the active session's host Memory
getNodeBuilder(name): the builder registered under name
getNodeBuilderDescriptors(): every builder's descriptor
getProgram(name): the active session's Program of that name
help(obj or name, session): the methods and fields of an object, a function's line, a builder's doc
logd(...): prints a debug line (lluvia's)
memorySummary(): every live Memory of this state, with totals
ndarray(shape, dtype): a new host array; ndarray.fromTable, ndarray.fromString
pretty(value, {depth}): a readable text of any value
readImage(path): a PNG or JPEG file as an ll.ndarray
registerNodeBuilder(builder): registers a node builder
run(node): session:run in the active session
runCommandBuffer(cb): runs a CommandBuffer in the active session
setDeviceMemoryBudget(bytes): caps the process's device memory
writeImage(path, arr): an ll.ndarray as a PNG or JPEG file
]]

-- The lists as the functions below read them: CLASSES[name].methods and .fields, each a
-- list of {"name(args)", "what"}; FUNCTIONS[name] = "name(args): what".
for _, c in pairs(CLASSES) do
  c.methods, c.fields = {}, {}
  for kind, entry, what in c.members:gmatch("([:.])(%S.-)  +([^\n]+)") do
    table.insert(kind == ":" and c.methods or c.fields, {entry, what})
  end
end
local FUNCTIONS = {}
for line in FUNCTION_LINES:gmatch("[^\n]+") do FUNCTIONS[line:match("^[%w_]+")] = line end

local function class_of(v)
  local t = type(v)
  if t == "userdata" or t == "table" then
    local ok, text = pcall(tostring, v)
    if ok and type(text) == "string" then
      local name = text:match("^lluvia%.(%w+)[%( ]") or text:match("^(ndarray)%(")
      if name and CLASSES[name] then return name end
    end
  end
  return nil
end

local function class_text(name)
  local c = CLASSES[name]
  local lines = {("lluvia.%s: %s"):format(name, c.doc), "methods:"}
  local width = 0
  for _, m in ipairs(c.methods) do width = math.max(width, #m[1]) end
  for _, f in ipairs(c.fields) do width = math.max(width, #f[1]) end
  local fmt = "  %-" .. math.min(width, 40) .. "s  %s"
  for _, m in ipairs(c.methods) do lines[#lines + 1] = fmt:format(":" .. m[1], m[2]) end
  lines[#lines + 1] = "fields:"
  for _, f in ipairs(c.fields) do lines[#lines + 1] = fmt:format("." .. f[1], f[2]) end
  return table.concat(lines, "\n")
end

local function module_text()
  local names = {}
  for name in pairs(FUNCTIONS) do names[#names + 1] = name end
  table.sort(names)
  local lines = {"lluvia " .. tostring(ll._VERSION):gsub("^lluvia ", "") .. ": ll.help(obj or name) for more",
    "functions:"}
  for _, name in ipairs(names) do lines[#lines + 1] = "  ll." .. FUNCTIONS[name] end
  local classes = {}
  for name in pairs(CLASSES) do classes[#classes + 1] = name end
  table.sort(classes)
  lines[#lines + 1] = "classes: " .. table.concat(classes, ", ")
  return table.concat(lines, "\n")
end

local function function_name(fn)
  for name, v in pairs(ll) do
    if v == fn and FUNCTIONS[name] then return name end
  end
end

--- ll.help(obj or name): prints the methods and fields of an object (or a class named
--- "Buffer"), the line of a module function (a name or the function), the doc of a node
--- builder by name (the builders `session`, else the active session, sees); ll.help()
--- lists the module's functions and classes. Returns nothing.
function ll.help(what, session)
  local text
  if what == nil then
    text = module_text()
  elseif class_of(what) then
    text = class_text(class_of(what))
  elseif type(what) == "function" and function_name(what) then
    text = "ll." .. FUNCTIONS[function_name(what)]
  elseif type(what) == "string" then
    local name = what:gsub("^ll%.", ""):gsub("^lluvia%.", "")
    if CLASSES[name] then
      text = class_text(name)
    elseif FUNCTIONS[name] then
      text = "ll." .. FUNCTIONS[name]
    else
      local builder = ll._findNodeBuilder(session or ll.activeSession, what)
      if builder == nil then
        error(("bad argument #1 to 'help' (no class, function or node builder named '%s')")
          :format(what), 2)
      end
      local doc = rawget(builder, "doc")
      text = ("node builder %s:\n%s"):format(what, doc ~= nil and doc ~= "" and tostring(doc)
        or "(no doc)")
    end
  else
    error(("bad argument #1 to 'help' (an lluvia object, a function of ll or a name "
      .. "expected, got %s)"):format(type(what)), 2)
  end
  print(text)
end
