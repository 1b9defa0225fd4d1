-- script.lua: what examples/embed/host.c runs in CI: a session, a buffer round trip.
local ll = require "lluvia"
local session <close> = ll.createSession()
local mem <close> = session:createMemory({"HostVisible", "HostCoherent"}, 1 << 20)
local a = ll.ndarray.fromTable({1, 2, 3, 4}, "float32")
local buf <close> = mem:createBufferFromHost(a)
assert(buf:toHost("float32"):equals(a))
print(ll._VERSION .. " embedded: " .. session.deviceName .. ", round trip ok")
