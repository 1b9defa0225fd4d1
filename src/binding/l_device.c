/* l_device.c: ll.deviceInfo(id), what a Vulkan device is (driver, ids, heaps, memory types,
 * the limits lluvia checks, the extensions that change its paths), for people and for
 * `lluvia-lua --list-devices -v`. Not for: the device list (l_session.c) or sessions. */
#include <stdlib.h>

#include "lluvia/device.h"

#include "binding.h"

static void push_version(lua_State *L, uint32_t v)
{
    lua_pushfstring(L, "%d.%d.%d", (int)VK_API_VERSION_MAJOR(v), (int)VK_API_VERSION_MINOR(v),
                    (int)VK_API_VERSION_PATCH(v));
}

static void set_integer(lua_State *L, const char *key, uint64_t v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, key);
}

static void set_string(lua_State *L, const char *key, const char *v)
{
    lua_pushstring(L, v);
    lua_setfield(L, -2, key);
}

static void set_triple(lua_State *L, const char *key, const uint32_t v[3])
{
    lua_createtable(L, 3, 0);
    for (int i = 0; i < 3; i++) {
        lua_pushinteger(L, v[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, key);
}

static void push_heaps(lua_State *L, const VkPhysicalDeviceMemoryProperties *m)
{
    lua_createtable(L, (int)m->memoryHeapCount, 0);
    for (uint32_t i = 0; i < m->memoryHeapCount; i++) {
        lua_createtable(L, 0, 2);
        set_integer(L, "size", m->memoryHeaps[i].size);
        lua_newtable(L);
        int n = 0;
        if (m->memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) {
            lua_pushliteral(L, "DeviceLocal");
            lua_rawseti(L, -2, ++n);
        }
        if (m->memoryHeaps[i].flags & VK_MEMORY_HEAP_MULTI_INSTANCE_BIT) {
            lua_pushliteral(L, "MultiInstance");
            lua_rawseti(L, -2, ++n);
        }
        lua_setfield(L, -2, "flags");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static void push_types(lua_State *L, const VkPhysicalDeviceMemoryProperties *m)
{
    lua_createtable(L, (int)m->memoryTypeCount, 0);
    for (uint32_t i = 0; i < m->memoryTypeCount; i++) {
        lua_createtable(L, 0, 2);
        set_integer(L, "heapIndex", m->memoryTypes[i].heapIndex);
        ll_lua_push_flags(L, &ll_enum_memory_property, m->memoryTypes[i].propertyFlags);
        lua_setfield(L, -2, "flags");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static void push_limits(lua_State *L, const VkPhysicalDeviceLimits *l)
{
    lua_createtable(L, 0, 16);
    set_integer(L, "maxImageDimension1D", l->maxImageDimension1D);
    set_integer(L, "maxImageDimension2D", l->maxImageDimension2D);
    set_integer(L, "maxImageDimension3D", l->maxImageDimension3D);
    set_integer(L, "maxComputeWorkGroupInvocations", l->maxComputeWorkGroupInvocations);
    set_triple(L, "maxComputeWorkGroupSize", l->maxComputeWorkGroupSize);
    set_triple(L, "maxComputeWorkGroupCount", l->maxComputeWorkGroupCount);
    set_integer(L, "maxComputeSharedMemorySize", l->maxComputeSharedMemorySize);
    set_integer(L, "maxPushConstantsSize", l->maxPushConstantsSize);
    set_integer(L, "maxSamplerAllocationCount", l->maxSamplerAllocationCount);
    set_integer(L, "maxMemoryAllocationCount", l->maxMemoryAllocationCount);
    set_integer(L, "maxStorageBufferRange", l->maxStorageBufferRange);
    set_integer(L, "maxUniformBufferRange", l->maxUniformBufferRange);
    set_integer(L, "maxBoundDescriptorSets", l->maxBoundDescriptorSets);
    set_integer(L, "bufferImageGranularity", l->bufferImageGranularity);
    set_integer(L, "nonCoherentAtomSize", l->nonCoherentAtomSize);
    set_integer(L, "minStorageBufferOffsetAlignment", l->minStorageBufferOffsetAlignment);
    lua_pushnumber(L, l->timestampPeriod);
    lua_setfield(L, -2, "timestampPeriod");
    lua_setfield(L, -2, "limits");
}

/* ll.deviceInfo(id): id as ll.getAvailableDevices lists it; nil: the device a session
 * would choose now (--device, LLUVIA_DEVICE, the first discrete GPU, the first device). */
static int l_device_info(lua_State *L)
{
    uint32_t id = 0;
    ll_error err;
    if (lua_isnoneornil(L, 1)) {
        if (!ll_choose_device(getenv("LLUVIA_DEVICE"), &id, &err))
            return ll_lua_raise(L, 0, &err);
    } else {
        id = (uint32_t)ll_lua_check_integer_in(L, 1, 1, "id", 0, UINT32_MAX);
    }
    ll_device_details details, *d = &details;
    if (!ll_device_describe(id, d, &err))
        return ll_lua_raise(L, 1, &err);

    lua_createtable(L, 0, 16);
    set_integer(L, "id", d->info.id);
    set_string(L, "name", d->info.name);
    set_string(L, "deviceType", ll_device_type_name(d->info.type));
    push_version(L, d->info.api_version);
    lua_setfield(L, -2, "apiVersion");
    set_integer(L, "vendorID", d->vendor_id);
    set_integer(L, "deviceID", d->device_id);
    set_integer(L, "driverVersion", d->driver_version);
    set_string(L, "driverName", d->driver_name);
    set_string(L, "driverInfo", d->driver_info);
    push_heaps(L, &d->memory);
    lua_setfield(L, -2, "memoryHeaps");
    push_types(L, &d->memory);
    lua_setfield(L, -2, "memoryTypes");
    push_limits(L, &d->limits);
    lua_newtable(L);
    for (int i = 0; ll_notable_device_extensions[i] != NULL; i++) {
        lua_pushboolean(L, d->extensions[i]);
        lua_setfield(L, -2, ll_notable_device_extensions[i]);
    }
    lua_setfield(L, -2, "extensions");
    ll_lua_set_info(L);
    return 1;
}

int ll_lua_open_device(lua_State *L)
{
    static const luaL_Reg functions[] = {
        {"deviceInfo", l_device_info},
        {NULL, NULL},
    };
    luaL_setfuncs(L, functions, 0);
    return 0;
}
