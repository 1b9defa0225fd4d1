-- library.lua: session:loadLibrary, lluvia's node libraries: a folder, or a .zip in the
-- layout of lluvia's lluvia_node_library.zip. Programs are made first (.spv registered as
-- their path without .spv, .comp compiled and registered under their path), then every
-- .lua runs as a builder script of the session; and the built-in node library, loaded for
-- ll.createSession. Not for: reading the files (l_library.c).
local ll, _, kit = ...
local addMethods, checkSession, checkString = kit.addMethods, kit.checkSession, kit.checkString

local libraryFiles, extractLibrary = ll._libraryFiles, ll._extractLibrary
local nodeLibraryFiles, deferNodePrograms = ll._nodeLibraryFiles, ll._deferNodePrograms
ll._libraryFiles, ll._extractLibrary = nil, nil
ll._nodeLibraryFiles, ll._deferNodePrograms = nil, nil

local function describe(v)
  if type(v) == "string" then return ("'%s'"):format(v) end
  return tostring(v)
end

-- What loadLibrary does with a file, by the end of its name.
local function kindOf(name)
  if name:sub(-4) == ".lua" then return "script" end
  if name:sub(-4) == ".spv" then return "spirv" end
  if name:sub(-5) == ".comp" then return "glsl" end
  return nil
end

-- Raises err (a message or an error object) as loadLibrary's, naming the file at fault
-- (unless the message does already).
local function fail(where, err)
  if type(err) == "string" then
    err = err:gsub("^lluvia: ", "")
    if not err:find(where, 1, true) then err = where .. ": " .. err end
    error("lluvia: loadLibrary: " .. err, 0)
  end
  error(err, 0)
end

-- The include folders of options.includeDirs (a list of strings), checked.
local function includeDirsOf(options)
  if options == nil then return {} end
  if type(options) ~= "table" then
    error(("bad argument #2 to 'loadLibrary' (options must be a table, got %s)"):format(describe(options)), 3)
  end
  for k in pairs(options) do
    if k ~= "includeDirs" then
      error(("bad argument #2 to 'loadLibrary' (unknown option %s (valid: includeDirs))"):format(describe(k)), 3)
    end
  end
  local dirs = options.includeDirs or {}
  if type(dirs) ~= "table" then
    error(("bad argument #2 to 'loadLibrary' (includeDirs must be a list of strings, got %s)"):format(describe(dirs)), 3)
  end
  local out = {}
  for i = 1, #dirs do
    if type(dirs[i]) ~= "string" then
      error(("bad argument #2 to 'loadLibrary' (includeDirs[%d] must be a string, got %s)"):format(i, describe(dirs[i])), 3)
    end
    out[i] = dirs[i]
  end
  return out
end

-- Runs each script ({where, data, binary?}, in order) in the session's environment with the
-- session active; an error stops there, naming the file. `binary` scripts are precompiled
-- chunks of our own (string.dump), loaded as such.
local function runScripts(session, scripts)
  local env = ll._scriptEnvironment(session)
  for _, s in ipairs(scripts) do
    local chunk, err = load(s.data, "@" .. s.where, s.binary and "b" or "t", env)
    if not chunk then fail(s.where, err) end
    ll._withSession(session, chunk)
  end
end

-- session:loadLibrary(path, {includeDirs = {...}}?) -> {programs = n, scripts = n}. Everything is read and every
-- program made before anything is registered: a file that cannot be read, SPIR-V that is
-- not valid or GLSL that does not compile leaves the session as it was. Scripts then run
-- in name order, each with the session active (.comp files include from the library's
-- folder, then includeDirs, then the built-in GLSL library); an error in one stops the loading, naming
-- the file, and what the scripts before it registered stays.
local function loadLibrary(session, path, options)
  checkSession("loadLibrary", session)
  checkString("loadLibrary", 1, "path", path)
  local extraDirs = includeDirsOf(options)
  local root = path:gsub("(.)/+$", "%1")
  local ok, kind, files = pcall(libraryFiles, root)
  if not ok then error(("lluvia: loadLibrary: %s"):format((kind:gsub("^lluvia: ", ""))), 2) end

  -- A zip's shaders include one another from a private copy of its files (not its scripts
  -- or SPIR-V), removed when loading ends; messages name the archive, not the copy.
  local base, guard = root, nil
  if kind == "zip" then
    local sources = {}
    for _, f in ipairs(files) do
      local k = kindOf(f.name)
      if k ~= "script" and k ~= "spirv" then sources[#sources + 1] = f end
    end
    for _, f in ipairs(files) do
      if kindOf(f.name) == "glsl" then
        local xok, dir, g = pcall(extractLibrary, sources)
        if not xok then error(("lluvia: loadLibrary: %s"):format((dir:gsub("^lluvia: ", ""))), 2) end
        base, guard = dir, g
        break
      end
    end
  end
  local _ <close> = guard
  local function named(e)
    if type(e) == "string" and base ~= root then
      e = e:gsub(base:gsub("%p", "%%%0") .. "/", (root:gsub("%%", "%%%%")) .. ":")
    end
    return e
  end

  local programs, scripts = {}, {}
  for _, f in ipairs(files) do
    local k = kindOf(f.name)
    local where = kind == "zip" and (root .. ":" .. f.name) or (root .. "/" .. f.name)
    if k == "spirv" then
      local pok, p = pcall(session.createProgram, session, f.data)
      if not pok then fail(where, p) end
      programs[#programs + 1] = {name = f.name:sub(1, -5), program = p}
    elseif k == "glsl" then
      local includeDirs = {base}
      for _, d in ipairs(extraDirs) do includeDirs[#includeDirs + 1] = d end
      local pok, p = pcall(session.compileProgram, session, f.data,
        {includeDirs = includeDirs, name = base .. "/" .. f.name})
      if not pok then fail(where, named(p)) end
      programs[#programs + 1] = {name = f.name, program = p}
    elseif k == "script" then
      scripts[#scripts + 1] = {where = where, data = f.data}
    end
  end

  for _, p in ipairs(programs) do session:setProgram(p.name, p.program) end
  runScripts(session, scripts)
  return {programs = #programs, scripts = #scripts}
end

-- ll._loadNodeLibrary(session): the built-in node library (docs/nodes.md: the SPIR-V of
-- shaders/nodes and the builders of lua/nodes, embedded at build time), which
-- ll.createSession loads unless loadNodeLibrary = false. The builders run now (about 0.2 ms
-- for the 27 of them on the development machine); each program is registered under
-- its path but made by the session's first getProgram of that name (a tenth of a
-- millisecond or more each: l_program.c).
-- Errors name the source file.
-- The builders compiled once per Lua state: each session loads their bytecode (string.dump
-- of the first compile), a seventh of the cost of parsing the text again.
local compiledBuilders

function ll._loadNodeLibrary(session)
  deferNodePrograms(session)
  if compiledBuilders == nil then
    local list = {}
    for i, f in ipairs(nodeLibraryFiles()) do
      local where = "lua/nodes/" .. f.name
      local chunk, err = load(f.data, "@" .. where, "t")
      if not chunk then fail(where, err) end
      list[i] = {where = where, data = string.dump(chunk), binary = true}
    end
    compiledBuilders = list
  end
  runScripts(session, compiledBuilders)
end

addMethods("lluvia.Session", {loadLibrary = loadLibrary})
