---@meta lluvia
-- types/lluvia.d.lua: LuaLS definitions of `require "lluvia"` (completion and hover in
-- editors: add this folder to "workspace.library"). docs/api.md is the reference, with the
-- errors and examples; spec/docs_coverage_spec.lua checks that both cover every export.

---@alias lluvia.Flags string|integer|(string|integer)[]
---@alias lluvia.Array ll.ndarray|table|string

---@class ll
---@field _VERSION string `"lluvia X.Y.Z"`: the module's version (CMake's project version)
---@field nodeBuilders table the table of registered builders by name (lluvia's), read-only to scripts by convention
local ll = {}

--- list of `{id, name, deviceType, apiVersion}` for every Vulkan device; `lluvia:` error without a Vulkan driver
---@return table[]
function ll.getAvailableDevices() end

--- new Session. Options (defaults): `enableDebug` (false), `device` (id or part of a name; `--device`, `LLUVIA_DEVICE`, first discrete GPU, first device), `forceStaging` (false), `transferPath` ("auto", "direct", "staging", "import"), `stagingSize` (16 MiB), `bufferImageGranularity` (device's), `loadNodeLibrary` (true), `simulateNonCoherent` (false), `deviceOnly` (false; [session.md](session.md)). An unknown option, a bad value or a bad `LLUVIA_*` flag is an argument error naming it; no device matching is a `lluvia:` error
---@param options table?
---@return ll.Session
function ll.createSession(options) end

--- seconds of `CLOCK_MONOTONIC` as a float, for timing on the host
---@return number
function ll.clock() end

--- calls `fn` `warmup` (1) times untimed, then `reps` (10) times timed with `ll.clock`; prints `<name>: best, median, spread` unless `print = false`; returns `{best, median, mean, worst, spread, reps}` in seconds; options `name` ("benchmark"); bad options are argument errors naming them
---@param fn any
---@param options table?
---@return table
function ll.benchmark(fn, options) end

--- a device without a session (default: the one a session would choose): `id`, `name`, `deviceType`, `apiVersion`, `driverName`, `driverInfo`, `driverVersion`, `vendorID`, `deviceID`, `memoryHeaps`, `memoryTypes`, `limits`, `extensions` ([session.md](session.md)); an unknown id is an argument error
---@param id any?
---@return table
function ll.deviceInfo(id) end

--- every live Memory of the state (`memories[i]`, as `mem.stats` plus flags), their `total` and `device` (`ll.deviceMemoryStats()`); prints readably
---@return table
function ll.memorySummary() end

--- prints one line for each method and field of an object or class (`"Buffer"`), the line of a module function (its name or value), a node builder's doc (the builders `session`, else the active session, sees), or with no argument every function and class; returns nothing
---@param what any?
---@param session ll.Session?
function ll.help(what, session) end

--- the text of any value for a person: tables with sorted keys, on one line when they fit in 78 columns; options `depth` (6), `indent` (" ")
---@param value any
---@param options table?
---@return string
function ll.pretty(value, options) end

--- validation warnings and errors seen by the process so far
---@return integer
function ll.debugMessageCount() end

--- `{liveBytes, liveAllocations, totalAllocations, budget?, pacedCollections, retryCollections}` of every device of the process
---@return table
function ll.deviceMemoryStats() end

--- allocations past `bytes` of live device memory fail as out of device memory; nil lifts the cap; a negative or non-integer is an argument error
---@param bytes integer?
function ll.setDeviceMemoryBudget(bytes) end

--- PNG or JPEG file -> uint8 (uint16 for 16-bit PNG) `ll.ndarray` `{h, w, c}`; `options.channels` (1 to 4) forces the channel count; missing, truncated or non-image files are `lluvia:` errors naming the path
---@param path string
---@param options table?
---@return ll.ndarray
function ll.readImage(path, options) end

--- writes `arr` (`{h, w}` or `{h, w, c}`, uint8; PNG also uint16) as PNG or JPEG by the extension; `options.quality` 1..100 (90) for JPEG (1 or 3 channels); atomic (temporary file renamed)
---@param path string
---@param arr lluvia.Array
---@param options table?
function ll.writeImage(path, arr, options) end

--- RFC 4648 base64 -> 1-D uint8 `ll.ndarray`; a bad character or length is an argument error naming the position
---@param text string
---@return ll.ndarray
function ll.fromBase64(text) end

--- a new class table: a shallow copy of `base`'s members with `__index` pointing to itself (lluvia's `ll.class`)
---@param base table?
---@return table
function ll.class(base) end

--- registers a builder (a table with a non-empty `name`, `type`, `newDescriptor`, ...) for every session; a bad builder is an argument error naming the field
---@param builder table
function ll.registerNodeBuilder(builder) end

--- the registered builder, or nil
---@param name string
---@return table?
function ll.getNodeBuilder(name) end

--- list of `{name, type, summary}` of every builder, sorted by name
---@return table[]
function ll.getNodeBuilderDescriptors() end

--- writes its arguments, tab-separated, to stderr as a debug line (builder scripts' log)
---@param ... any
function ll.logd(...) end

--- the active session's program `name`, or nil (builder scripts' global; outside a builder: the session that loaded the script; no session is a `lluvia:` error)
---@param name string
---@return ll.Program?
function ll.getProgram(name) end

--- `session:createComputeNode` on the active session
---@param nameOrDescriptor string|table
---@return ll.ComputeNode
function ll.createComputeNode(nameOrDescriptor) end

--- `session:createContainerNode` on the active session
---@param nameOrDescriptor string|table
---@return ll.ContainerNode
function ll.createContainerNode(nameOrDescriptor) end

--- `session:createCommandBuffer` on the active session
---@return ll.CommandBuffer
function ll.createCommandBuffer() end

--- the active session's own host-visible Memory
---@return ll.Memory
function ll.getHostMemory() end

--- the active session's own device-local Memory
---@return ll.Memory
function ll.getDeviceMemory() end

--- records, submits and waits for `node` on the active session
---@param node ll.ComputeNode|ll.ContainerNode
function ll.run(node) end

--- submits a finished command buffer and waits
---@param cb ll.CommandBuffer
function ll.runCommandBuffer(cb) end

--- the active session's `getGoodComputeLocalShape`
---@param dimension string
---@return ll.vec3ui
function ll.getGoodComputeLocalShape(dimension) end

--- `ll.FloatPrecision` value -> ChannelType name (FP16 -> Float16, ...); another value is an argument error
---@param precision integer
---@return string
function ll.floatPrecisionToImageChannelType(precision) end

---@enum ll.BufferUsageFlagBits
ll.BufferUsageFlagBits = {TransferSrc = 1, TransferDst = 2, UniformTexelBuffer = 4, StorageTexelBuffer = 8, UniformBuffer = 16, StorageBuffer = 32, IndexBuffer = 64, VertexBuffer = 128, IndirectBuffer = 256}

---@enum ll.ImageUsageFlagBits
ll.ImageUsageFlagBits = {TransferSrc = 1, TransferDst = 2, Sampled = 4, Storage = 8, ColorAttachment = 16, DepthStencilAttachment = 32, TransientAttachment = 64, InputAttachment = 128}

---@enum ll.MemoryPropertyFlagBits
ll.MemoryPropertyFlagBits = {DeviceLocal = 1, HostVisible = 2, HostCoherent = 4, HostCached = 8, LazilyAllocated = 16}

---@enum ll.ChannelType
ll.ChannelType = {Uint8 = "Uint8", Int8 = "Int8", Uint16 = "Uint16", Int16 = "Int16", Float16 = "Float16", Uint32 = "Uint32", Int32 = "Int32", Float32 = "Float32", Uint64 = "Uint64", Int64 = "Int64", Float64 = "Float64", uint8 = "uint8"}

---@enum ll.ChannelCount
ll.ChannelCount = {C1 = 1, C2 = 2, C3 = 3, C4 = 4}

---@enum ll.FloatPrecision
ll.FloatPrecision = {FP16 = 0, FP32 = 1, FP64 = 2}

---@enum ll.ImageLayout
ll.ImageLayout = {Undefined = "Undefined", General = "General", TransferSrcOptimal = "TransferSrcOptimal", TransferDstOptimal = "TransferDstOptimal", ShaderReadOnlyOptimal = "ShaderReadOnlyOptimal", Preinitialized = "Preinitialized"}

---@enum ll.ImageFilterMode
ll.ImageFilterMode = {Nearest = "Nearest", Linear = "Linear"}

---@enum ll.ImageAddressMode
ll.ImageAddressMode = {Repeat = "Repeat", MirroredRepeat = "MirroredRepeat", ClampToEdge = "ClampToEdge", ClampToBorder = "ClampToBorder", MirrorClampToEdge = "MirrorClampToEdge"}

---@enum ll.ImageTiling
ll.ImageTiling = {Optimal = "Optimal", Linear = "Linear"}

---@enum ll.PortDirection
ll.PortDirection = {In = "In", Out = "Out"}

---@enum ll.PortType
ll.PortType = {Buffer = "Buffer", ImageView = "ImageView", SampledImageView = "SampledImageView", UniformBuffer = "UniformBuffer"}

---@enum ll.ComputeDimension
ll.ComputeDimension = {D1 = "D1", D2 = "D2", D3 = "D3"}

---@enum ll.NodeType
ll.NodeType = {Compute = "Compute", Container = "Container"}

---@enum ll.NodeState
ll.NodeState = {Created = "Created", Init = "Init"}

---@enum ll.ObjectType
ll.ObjectType = {Buffer = "Buffer", Image = "Image", ImageView = "ImageView"}

---@enum ll.ParameterType
ll.ParameterType = {Int = "Int", Float = "Float", String = "String"}

--- array assertions for users' own tests (docs/testing.md)
ll.testing = {}

--- same shape, dtype and values (NaN equal to NaN); else fails listing the first differing elements
---@param a ll.ndarray
---@param b ll.ndarray
---@param message string?
---@return true
function ll.testing.assert_equal_arrays(a, b, message) end

--- same shape and a:allclose(b) (tol: rtol, or {rtol, atol, equalNan}); else fails listing the first elements not close
---@param a ll.ndarray
---@param b ll.ndarray
---@param tol number|table?
---@param message string?
---@return true
function ll.testing.assert_allclose(a, b, tol, message) end

---@class ll.ndarray
---@overload fun(shape: integer[]|integer, dtype?: string): ll.ndarray
---@operator len: integer
---@field [integer] number
---@field shape integer[] the shape as a new table
---@field dtype string the dtype name
---@field ndim integer the number of dimensions
---@field nbytes integer the byte size (`#a` is the element count)
ll.ndarray = {}

--- from nested tables (shape inferred; ragged input is an argument error naming the position); without dtype int64 if all integers, else float64
---@param t table
---@param dtype string?
---@return ll.ndarray
function ll.ndarray.fromTable(t, dtype) end

--- copy of raw bytes, dtype "uint8", 1-D without shape; `#bytes` must equal the byte size
---@param bytes string
---@param shape integer[]|integer?
---@param dtype string?
---@return ll.ndarray
function ll.ndarray.fromString(bytes, shape, dtype) end

--- element at 1-based n-d indices; out of bounds is an argument error (`arr[i]` is the flat form)
---@param i integer
---@param ... any
---@return number
function ll.ndarray:get(i, ...) end

--- stores `v` (range-checked for the dtype) at n-d indices
---@param v any
---@param i integer
---@param ... any
function ll.ndarray:set(v, i, ...) end

--- the element count, as `#a` (lluvia's vector)
---@return integer
function ll.ndarray:size() end

--- nested Lua tables
---@return table
function ll.ndarray:totable() end

--- the raw bytes as a string
---@return string
function ll.ndarray:tostring() end

--- every element = `v`; returns the array
---@param v any
---@return ll.ndarray
function ll.ndarray:fill(v) end

--- a view with the same bytes and another shape of the same count
---@param shape integer[]|integer
---@return ll.ndarray
function ll.ndarray:reshape(shape) end

--- a view of the same bytes as another dtype (byte size must divide)
---@param dtype string?
---@return ll.ndarray
function ll.ndarray:view(dtype) end

--- a new array owning a copy of the bytes
---@return ll.ndarray
function ll.ndarray:copy() end

--- converted copy of the same shape; options (also positional) `round` ("trunc" default, "nearest" ties to even, "floor", "ceil"), `saturate` (true: clamp; false: an out-of-range value is a `lluvia:` error naming it), `scale` (1: multiply first)
---@param dtype string?
---@param options table?
---@return ll.ndarray
function ll.ndarray:astype(dtype, options) end

--- least element: an integer for integer dtypes, a float for floats; NaN propagates
---@return number
function ll.ndarray:min() end

--- largest element
---@return number
function ll.ndarray:max() end

--- exact integer sum for integer dtypes (one that does not fit 64 bits is a `lluvia:` error), pairwise float sum for floats
---@return number
function ll.ndarray:sum() end

--- arithmetic mean as a float
---@return number
function ll.ndarray:mean() end

--- same shape, dtype and values (`==` is the same)
---@param other any
---@return boolean
function ll.ndarray:equals(other) end

--- `numpy.allclose`: same shape and `abs(a - b) <= atol + rtol * abs(b)` everywhere; options `rtol` (1e-5), `atol` (1e-8), `equalNan` (false), positional too; when not, false and the first flat index that is not
---@param other any
---@param options table?
---@return boolean, integer?
function ll.ndarray:allclose(other, options) end

--- entries start .. start + length - 1 of axis dim: a view when contiguous, else a copy
---@param dim integer
---@param start integer
---@param length integer
---@return ll.ndarray
function ll.ndarray:narrow(dim, start, length) end

--- a copy of rows y.. and columns x.. of an {h, w} or {h, w, c} array
---@param y integer
---@param x integer
---@param h integer
---@param w integer
---@return ll.ndarray
function ll.ndarray:crop(y, x, h, w) end

--- {..., c} -> {..., n}, added channels = fill (default full intensity: 255 for uint8, 1.0 for floats)
---@param n integer
---@param fill number?
---@return ll.ndarray
function ll.ndarray:padChannels(n, fill) end

--- writes a 1- to 3-D array to the default output as aligned rows with a footer
function ll.ndarray:show() end

--- frees the storage now (views keep it alive)
function ll.ndarray:release() end

---@class ll.Session
---@field deviceName string the device's name
---@field deviceType string "DiscreteGpu", "IntegratedGpu", "VirtualGpu", "Cpu" or "Other"
---@field deviceId integer the device's id in `ll.getAvailableDevices()`
---@field apiVersion string the device's Vulkan version, "1.3.255"
---@field validationEnabled boolean whether the validation layer is on
---@field forceStaging boolean whether every transfer is staged
---@field transferPath string the transfer path in force ("auto", "direct", "staging", "import")
---@field deviceOnly boolean whether memory asked for as DeviceLocal is treated as not host-visible
---@field simulateNonCoherent boolean whether host memory is flushed as if not coherent
---@field bufferImageGranularity integer bytes between buffers and images in a page
---@field stagingSize integer bytes of the staging buffer
local Session = {}

--- new Memory on the first memory type whose flags include `flags` ({"DeviceLocal"}; equal when `exactFlagsMatch`, false); `pageSize` 32 MiB (0: a page per object; below 4096 warns); no such type is a `lluvia:` error
---@param flags lluvia.Flags?
---@param pageSize integer?
---@param exactFlagsMatch boolean?
---@return ll.Memory
function Session:createMemory(flags, pageSize, exactFlagsMatch) end

--- one list of flag names per memory type
---@return string[][]
function Session:getSupportedMemoryPropertyFlags() end

--- the session's host-visible Memory, made on first use
---@return ll.Memory
function Session:getHostMemory() end

--- the session's device-local Memory, made on first use
---@return ll.Memory
function Session:getDeviceMemory() end

--- true, or false and the `lluvia:` reason, for an image of that shape, channel type ("Uint8") and usage (default image usage)
---@param shape integer[]|integer
---@param channelType string?
---@param usageFlags lluvia.Flags?
---@return boolean, string?
function Session:isImageFormatSupported(shape, channelType, usageFlags) end

--- true once the validation layer reported a warning or error
---@return boolean
function Session:hasReceivedVulkanWarningMessages() end

--- an `ll.vec3ui` workgroup shape for D1, D2 or D3 from the device's limits
---@param dimension string
---@return ll.vec3ui
function Session:getGoodComputeLocalShape(dimension) end

--- GLSL compute source -> Program; options `includeDirs`, `defines`, `name`; a compile error is a `lluvia:` error with glslang's log
---@param glsl string
---@param options table?
---@return ll.Program
function Session:compileProgram(glsl, options) end

--- Program from SPIR-V bytes or a `.spv` path, validated first; malformed SPIR-V is a `lluvia:` error
---@param spirv string
---@return ll.Program
function Session:createProgram(spirv) end

--- registers `program` under `name`
---@param name string
---@param program ll.Program
function Session:setProgram(name, program) end

--- the program registered (or built in) as `name`, or nil
---@param name string
---@return ll.Program?
function Session:getProgram(name) end

--- ComputeNode by builder name, `ll.ComputeNodeDescriptor` or a plain table of its fields; bad descriptors are argument errors
---@param nameOrDescriptor string|table
---@return ll.ComputeNode
function Session:createComputeNode(nameOrDescriptor) end

--- compiles `options.glsl` and creates a node (`ports`, `localShape`, `gridShape`, `includeDirs`, `defines`, `name`, `functionName`, `pushConstants`)
---@param options table?
---@return ll.ComputeNode
function Session:compileComputeNode(options) end

--- ContainerNode by builder name, descriptor or table
---@param nameOrDescriptor string|table
---@return ll.ContainerNode
function Session:createContainerNode(nameOrDescriptor) end

--- a new CommandBuffer
---@return ll.CommandBuffer
function Session:createCommandBuffer() end

--- records, submits and waits for nodes (in order, one submission, barriers between) or a finished command buffer; unbound ports, released objects and zero grids are argument errors
---@param ... any
function Session:run(...) end

--- runs a builder script with `ll` in its environment
---@param code string
---@param chunkname string?
function Session:script(code, chunkname) end

--- runs a builder script file
---@param path string
function Session:scriptFile(path) end

--- a directory or `.zip` node library: `.lua` run as scripts, `.spv`/`.comp` registered by path; `options.includeDirs`; failures are `lluvia:` errors naming the file
---@param path string
---@param options table?
function Session:loadLibrary(path, options) end

--- the builder the session sees under `name`, or nil
---@param name string
---@return table?
function Session:getNodeBuilder(name) end

--- list of `{name, type, summary}`
---@return table[]
function Session:getNodeBuilderDescriptors() end

--- the `doc` of builder `name`; an unknown name is an argument error
---@param name string
---@return string
function Session:help(name) end

--- drops the session (the device goes with its last object)
function Session:release() end

---@class ll.Memory
---@field memoryFlags string[] the memory type's flags, a list of names
---@field pageSize integer bytes per page (0: a page per object)
---@field pageCount integer pages allocated now
---@field isMappable boolean whether it is host-visible
---@field stats table `{pages, bytesReserved, bytesInUse, objects, largestFreeBlock}`
---@field session ll.Session the Session
---@field memoryTypeIndex integer the Vulkan memory type index
local Memory = {}

--- true if the 0-based page exists and can be mapped
---@param page integer
---@return boolean
function Memory:isPageMappable(page) end

--- Buffer of `size` > 0 bytes; usage {"StorageBuffer", "TransferSrc", "TransferDst"}
---@param size integer
---@param usageFlags lluvia.Flags?
---@return ll.Buffer
function Memory:createBuffer(size, usageFlags) end

--- Buffer holding a copy of `arr` (staged if not host-visible)
---@param arr lluvia.Array
---@param usageFlags lluvia.Flags?
---@return ll.Buffer
function Memory:createBufferFromHost(arr, usageFlags) end

--- Buffer of the byte size of an array, table, string, Buffer or Image; content undefined
---@param other any
---@param usageFlags lluvia.Flags?
---@return ll.Buffer
function Memory:createBufferLike(other, usageFlags) end

--- Image in layout General; channelType "Uint8", usage {"Storage", "Sampled", "TransferSrc", "TransferDst"}; or `createImage(imageDescriptor)`; an unsupported format is a `lluvia:` error naming it
---@param shape integer[]|integer
---@param channelType string?
---@param usageFlags lluvia.Flags?
---@return ll.Image
function Memory:createImage(shape, channelType, usageFlags) end

--- Image shaped and typed as `arr`, with its content
---@param arr lluvia.Array
---@param usageFlags lluvia.Flags?
---@return ll.Image
function Memory:createImageFromHost(arr, usageFlags) end

--- lluvia's form: an image and its view in one call
---@param imageDescriptor ll.ImageDescriptor
---@param viewDescriptor ll.ImageViewDescriptor
---@return ll.ImageView
function Memory:createImageView(imageDescriptor, viewDescriptor) end

--- `createImageFromHost` then `createImageView` (positional, or an options table after `arr`)
---@param arr lluvia.Array
---@param usageFlags lluvia.Flags?
---@param filterMode string?
---@param addressMode string?
---@param normalizedCoordinates boolean?
---@param sampled boolean?
---@return ll.ImageView
function Memory:createImageViewFromHost(arr, usageFlags, filterMode, addressMode, normalizedCoordinates, sampled) end

--- drops the Memory (its pages go with its last object)
function Memory:release() end

---@class ll.Buffer
---@field size integer bytes
---@field usageFlags string[] usage, a list of names
---@field memory ll.Memory the Memory
---@field isMappable boolean whether `map` works
---@field allocationInfo {page: integer, offset: integer, leftPadding: integer, size: integer} `{page, offset, leftPadding, size}` (0-based page)
local Buffer = {}

--- the bytes as a 1-D ndarray of dtype ("uint8"), or into a given array of the same byte size
---@param dtypeOrArray string|ll.ndarray|nil
---@return ll.ndarray
function Buffer:toHost(dtypeOrArray) end

--- writes `arr` (byte sizes must be equal: an argument error otherwise)
---@param arr lluvia.Array
function Buffer:fromHost(arr) end

--- a copy in a new Buffer of the same Memory, or into `output`
---@param output any?
---@return ll.Buffer
function Buffer:copy(output) end

--- an ndarray aliasing the mapped bytes until closed; dtype "uint8"; not mappable is a `lluvia:` error
---@param dtype string?
---@return ll.ndarray
function Buffer:map(dtype) end

--- lluvia's name: writes bytes into a mappable buffer
---@param bytes string
function Buffer:mapAndSetFromVectorUint8(bytes) end

--- frees its allocation
function Buffer:release() end

---@class ll.Image
---@field width integer pixels
---@field height integer pixels
---@field depth integer pixels (1 for 2-D)
---@field channels integer 1 to 4
---@field channelCount integer lluvia's name of `channels`
---@field shape integer[] `{d, h, w, c}`
---@field channelType string ChannelType name
---@field dtype string the dtype name of the channel type
---@field format string the Vulkan format's name
---@field layout string the tracked layout, an `ll.ImageLayout` name
---@field usageFlags string[] usage, a list of names
---@field tiling string "Optimal"
---@field size integer allocation bytes
---@field minimumSize integer tightly packed bytes
---@field allocationInfo {page: integer, offset: integer, leftPadding: integer, size: integer} `{page, offset, leftPadding, size}`
---@field memory ll.Memory the Memory
---@field descriptor any its `ll.ImageDescriptor`
local Image = {}

--- the pixels as an ndarray shaped by the shape rules, or into `output`
---@param output any?
---@return ll.ndarray
function Image:toHost(output) end

--- writes pixels (shape and dtype must match)
---@param arr lluvia.Array
function Image:fromHost(arr) end

--- sets every pixel to 0
function Image:clear() end

--- copies the pixels (same shape and format)
---@param imageOrView ll.Image|ll.ImageView
function Image:copyTo(imageOrView) end

--- transitions to an `ll.ImageLayout`
---@param layout string
function Image:changeLayout(layout) end

--- lluvia's name of `changeLayout`
---@param layout string
function Image:changeImageLayout(layout) end

--- ImageView; defaults "Nearest", "Repeat", false, false (or an options table, or an `ll.ImageViewDescriptor`); a sampled view of an unsupported filter is a `lluvia:` error
---@param filterMode string?
---@param addressMode string?
---@param normalizedCoordinates boolean?
---@param sampled boolean?
---@return ll.ImageView
function Image:createImageView(filterMode, addressMode, normalizedCoordinates, sampled) end

--- frees its allocation (views keep it alive)
function Image:release() end

---@class ll.ImageView: ll.Image
---@field image ll.Image the Image
---@field filterMode string "Nearest" or "Linear"
---@field addressMode string the U address mode
---@field addressModeU string address mode along x
---@field addressModeV string address mode along y
---@field addressModeW string address mode along z
---@field normalizedCoordinates boolean whether coordinates are 0..1
---@field isSampled boolean whether it has a sampler
---@field sampled boolean the same as `isSampled`
---@field imageDescriptor ll.ImageDescriptor its image's `ll.ImageDescriptor`
local ImageView = {}

---@class ll.Program
---@field session ll.Session the Session
---@field localSize integer[] `{x, y, z}` from the SPIR-V
---@field bindings table[] list of `{binding, set, name, type}` (type a PortType)
---@field pushConstantSize integer bytes of push constants
---@field entryPoints string[] list of entry point names
local Program = {}

--- drops the program
function Program:release() end

---@class ll.Node
---@field descriptor any its descriptor (a copy)
---@field state string "Created" or "Init"
---@field type string "Compute" or "Container"
---@field ports table[] list of `{name, binding, type, direction}`
---@field builderName string the builder's name
local Node = {}

--- binds an object to a port (compute nodes check it against the port; containers take any name)
---@param name string
---@param object ll.Buffer|ll.ImageView|ll.Image
function Node:bind(name, object) end

--- the bound object; unbound is an error
---@param name string
function Node:getPort(name) end

--- runs the builder's `onNodeInit` (compute nodes then make the pipeline); twice is an error
function Node:init() end

--- records the node into a recording CommandBuffer; requires `init`
---@param cb ll.CommandBuffer
function Node:record(cb) end

--- records, submits, waits
function Node:run() end

--- sets a parameter
---@param name string
---@param value any
function Node:setParameter(name, value) end

--- a parameter's value
---@param name string
function Node:getParameter(name) end

--- drops the node
function Node:release() end

---@class ll.ComputeNode: ll.Node
---@field gridShape ll.vec3ui settable `ll.vec3ui` of workgroups (a table `{x, y, z}` is taken)
---@field gridX integer settable grid along x (`gridY`, `gridZ` likewise)
---@field gridY integer settable grid along y
---@field gridZ integer settable grid along z
---@field localShape ll.vec3ui the workgroup `ll.vec3ui`
---@field localX integer workgroup size along x (`localY`, `localZ` likewise)
---@field localY integer workgroup size along y
---@field localZ integer workgroup size along z
---@field pushConstants ll.PushConstants settable `ll.PushConstants` (an ndarray or bytes are taken)
---@field program ll.Program the Program
---@field functionName string the entry point
local ComputeNode = {}

--- `gridShape = ceil(global / localShape)`
---@param global ll.vec3ui|integer[]
function ComputeNode:configureGridShape(global) end

---@class ll.ContainerNode: ll.Node
local ContainerNode = {}

--- keeps a child node
---@param name string
---@param child ll.ComputeNode|ll.ContainerNode
function ContainerNode:bindNode(name, child) end

--- a child node; unknown is an error
---@param name string
---@return ll.ComputeNode|ll.ContainerNode
function ContainerNode:getNode(name) end

---@class ll.CommandBuffer
---@field isRecording boolean between `begin` and `ends`
local CommandBuffer = {}

--- starts recording (resets)
function CommandBuffer:begin() end

--- ends recording (lluvia's name)
function CommandBuffer:ends() end

--- the same as `ends`
function CommandBuffer:finish() end

--- records `node`
---@param node ll.ComputeNode|ll.ContainerNode
function CommandBuffer:run(node) end

--- a full compute/transfer memory barrier
function CommandBuffer:memoryBarrier() end

--- records a layout transition
---@param image ll.Image|ll.ImageView
---@param layout string
function CommandBuffer:changeImageLayout(image, layout) end

--- records a clear to 0
---@param imageOrView ll.Image|ll.ImageView
function CommandBuffer:clearImage(imageOrView) end

--- records a copy
---@param buffer ll.Buffer
---@param image ll.Image|ll.ImageView
function CommandBuffer:copyBufferToImage(buffer, image) end

--- records a copy
---@param src any
---@param dst any
function CommandBuffer:copyImageToImage(src, dst) end

--- records a copy
---@param src any
---@param dst any
function CommandBuffer:copyBuffer(src, dst) end

--- records a GPU timestamp, returns its number from 1 (256 at most; no timestamps on the queue is a `lluvia:` error)
---@return integer
function CommandBuffer:timestamp() end

--- after a run: nanoseconds of each timestamp since the first
---@return integer[]
function CommandBuffer:timestamps() end

--- frees it
function CommandBuffer:release() end

---@class ll.vec3ui
---@field x integer settable; `v[1]` reads it too (`y`, `z` likewise)
---@field y integer settable
---@field z integer settable
ll.vec3ui = {}

--- `()` -> (0, 0, 0), `(n)` -> (n, n, n), `(x, y, z)`, `(v)` copies; integers 0..2^32-1
---@param x number
---@param y integer
---@param z integer
---@return ll.vec3ui
function ll.vec3ui.new(x, y, z) end

--- a vec3ui from a vec3ui or a table `{x, y, z}`
---@param v any
---@return ll.vec3ui
function ll.vec3ui.from(v) end

---@class ll.PushConstants
---@field size integer bytes
---@field bytes string the bytes as a string
---@field float number settable: the block as one float32
---@field int32 integer settable: the block as one int32
ll.PushConstants = {}

--- empty push constants, or a copy of bytes, an ndarray or PushConstants
---@param from any?
---@return ll.PushConstants
function ll.PushConstants.new(from) end

--- PushConstants from PushConstants, bytes or an ndarray
---@param v any
---@return ll.PushConstants
function ll.PushConstants.from(v) end

--- appends a float32
---@param x number
function ll.PushConstants:pushFloat(x) end

--- appends an int32
---@param i integer
function ll.PushConstants:pushInt32(i) end

---@class ll.Parameter
---@field type string its ParameterType
---@field value any its value
ll.Parameter = {}

--- a typed parameter (`ll.ParameterType`; numbers default to Float); also `ll.Parameter(value, type)`
---@param value any
---@param type string?
---@return ll.Parameter
function ll.Parameter.new(value, type) end

--- the value
function ll.Parameter:get() end

--- sets a value of its type
---@param value any
function ll.Parameter:set(value) end

---@class ll.PortDescriptor
---@field binding integer its binding number
---@field name string its name
---@field direction string In or Out
---@field type string its PortType
---@field checks table its checks, a table
ll.PortDescriptor = {}

--- a node port
---@param binding integer
---@param name string
---@param direction string
---@param portType string
---@return ll.PortDescriptor
function ll.PortDescriptor.new(binding, name, direction, portType) end

--- check applied at bind; returns the port
---@param cc integer
---@return ll.PortDescriptor
function ll.PortDescriptor:checkImageChannelCountIs(cc) end

--- check applied at bind
---@param ct string
---@return ll.PortDescriptor
function ll.PortDescriptor:checkImageChannelTypeIs(ct) end

--- check applied at bind
---@param list string[]
---@return ll.PortDescriptor
function ll.PortDescriptor:checkImageChannelTypeIsAnyOf(list) end

--- check applied at bind
---@param b boolean
---@return ll.PortDescriptor
function ll.PortDescriptor:checkImageViewNormalizedCoordinatesIs(b) end

--- true, or false and the reason, for binding `object`
---@param object ll.Buffer|ll.ImageView|ll.Image
---@return boolean, string?
function ll.PortDescriptor:isValid(object) end

---@class ll.ComputeNodeDescriptor
---@field builderName string settable string
---@field program ll.Program settable Program
---@field functionName string settable string ("main")
---@field localShape ll.vec3ui settable vec3ui
---@field gridShape ll.vec3ui settable vec3ui
---@field pushConstants ll.PushConstants settable PushConstants
---@field ports table[] list of its ports
---@field parameters table table of its parameters
ll.ComputeNodeDescriptor = {}

--- empty names, no program, shapes (1, 1, 1)
---@return ll.ComputeNodeDescriptor
function ll.ComputeNodeDescriptor.new() end

--- builderName, program `name .. ".comp"`, functionName "main", a good local shape for `dimension`
---@param name string
---@param dimension string
function ll.ComputeNodeDescriptor:init(name, dimension) end

--- adds a port (by name; a repeated name replaces)
---@param port ll.PortDescriptor
function ll.ComputeNodeDescriptor:addPort(port) end

--- the port, or an error
---@param name string
---@return ll.PortDescriptor
function ll.ComputeNodeDescriptor:getPort(name) end

--- `gridShape = ceil(global / localShape)`
---@param global ll.vec3ui|integer[]
function ll.ComputeNodeDescriptor:configureGridShape(global) end

--- a typed parameter (numbers as Float)
---@param name string
---@param value any
function ll.ComputeNodeDescriptor:setParameter(name, value) end

--- a parameter's value
---@param name string
function ll.ComputeNodeDescriptor:getParameter(name) end

---@class ll.ContainerNodeDescriptor
---@field builderName string settable string
---@field ports table[] list of its ports
---@field parameters table table of its parameters
ll.ContainerNodeDescriptor = {}

--- `builderName`, ports and parameters
---@return ll.ContainerNodeDescriptor
function ll.ContainerNodeDescriptor.new() end

--- adds a port (documentation only)
---@param port ll.PortDescriptor
function ll.ContainerNodeDescriptor:addPort(port) end

--- a port
---@param name string
---@return ll.PortDescriptor
function ll.ContainerNodeDescriptor:getPort(name) end

--- sets a parameter
---@param name string
---@param value any
function ll.ContainerNodeDescriptor:setParameter(name, value) end

--- a parameter's value
---@param name string
function ll.ContainerNodeDescriptor:getParameter(name) end

---@class ll.ImageDescriptor
---@field width integer settable
---@field height integer settable
---@field depth integer settable
---@field channelCount integer settable, a ChannelCount number
---@field channelType string settable ChannelType
---@field usageFlags string[] settable number (Storage, Sampled, TransferSrc, TransferDst)
---@field tiling string settable ImageTiling
---@field shape integer[] `{x = width, y = height, z = depth}` as a vec3ui
ll.ImageDescriptor = {}

--- `()`, `(other)` or `(depth, height, width, channelCount, channelType)`; defaults 1, 1, 1, C1, Uint8
---@param ... any
---@return ll.ImageDescriptor
function ll.ImageDescriptor.new(...) end

---@class ll.ImageViewDescriptor
---@field filterMode string settable
---@field addressModeU string settable
---@field addressModeV string settable
---@field addressModeW string settable
---@field normalizedCoordinates boolean settable boolean
---@field isSampled boolean settable boolean
ll.ImageViewDescriptor = {}

--- defaults Repeat, Nearest, false, false; or `(other)`
---@param addressMode string?
---@param filterMode string?
---@param normalizedCoordinates boolean?
---@param isSampled boolean?
---@return ll.ImageViewDescriptor
function ll.ImageViewDescriptor.new(addressMode, filterMode, normalizedCoordinates, isSampled) end

--- sets U, V and W
---@param mode string
function ll.ImageViewDescriptor:setAddressMode(mode) end

---@class ll.ComputeNodeBuilder
---@field type string "Compute"
---@field name string the builder's name ("" until set)
---@field doc string its documentation ("")
ll.ComputeNodeBuilder = {}

--- returns the node's descriptor; raises until a builder overrides it
function ll.ComputeNodeBuilder.newDescriptor() end

--- called by `node:init()`; does nothing by default
---@param node ll.ComputeNode|ll.ContainerNode
function ll.ComputeNodeBuilder.onNodeInit(node) end

---@class ll.ContainerNodeBuilder
---@field type string "Container"
---@field name string the builder's name
---@field doc string its documentation
ll.ContainerNodeBuilder = {}

--- returns the container's descriptor
function ll.ContainerNodeBuilder.newDescriptor() end

--- makes and binds the children
---@param node ll.ComputeNode|ll.ContainerNode
function ll.ContainerNodeBuilder.onNodeInit(node) end

--- records the children
---@param node ll.ComputeNode|ll.ContainerNode
---@param cb ll.CommandBuffer
function ll.ContainerNodeBuilder.onNodeRecord(node, cb) end

return ll
