/* device.h: the Vulkan devices lluvia can use: listing them (id, type, Vulkan version,
 * name) and choosing one by id or name, for applications and the host's --list-devices.
 * A device is opaque; sessions share one per physical device (context.h inside the core).
 * Not for: sessions (session.h). */
#ifndef LL_DEVICE_H
#define LL_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <volk.h>

#include "lluvia/error.h"

typedef struct ll_device ll_device;

/* One entry of the device list. */
typedef struct ll_device_info {
    uint32_t id;                  /* 0-based position in Vulkan's enumeration */
    char name[VK_MAX_PHYSICAL_DEVICE_NAME_SIZE];
    VkPhysicalDeviceType type;
    uint32_t api_version;         /* VK_API_VERSION_MAJOR/MINOR/PATCH take it apart */
} ll_device_info;

/* Lists the physical devices. *count receives the number of devices; at most capacity
 * entries are written to out. Fails with LL_E_UNSUPPORTED when there is no Vulkan loader
 * or no device, with a message that says how to get one. */
bool ll_enumerate_devices(ll_device_info *out, uint32_t capacity, uint32_t *count,
                          ll_error *err);

/* Chooses a device: `spec` is NULL (the first discrete GPU, else the first device), a
 * decimal id, or a case-insensitive substring of a device name. */
bool ll_choose_device(const char *spec, uint32_t *index, ll_error *err);

/* "DiscreteGpu", "IntegratedGpu", "VirtualGpu", "Cpu" or "Other". */
const char *ll_device_type_name(VkPhysicalDeviceType type);

/* The extensions ll_device_describe reports on, NULL-ended: those that change what lluvia
 * can do on a device (transfer paths, sampler modes, budgets, portability). */
extern const char *const ll_notable_device_extensions[];
#define LL_NOTABLE_EXTENSIONS_MAX 16

/* Everything ll.deviceInfo and `lluvia-lua --list-devices -v` show of one device. */
typedef struct ll_device_details {
    ll_device_info info;
    uint32_t vendor_id, device_id, driver_version;   /* as the driver gives them */
    char driver_name[VK_MAX_DRIVER_NAME_SIZE];       /* "" below Vulkan 1.2 */
    char driver_info[VK_MAX_DRIVER_INFO_SIZE];
    VkPhysicalDeviceLimits limits;
    VkPhysicalDeviceMemoryProperties memory;
    bool extensions[LL_NOTABLE_EXTENSIONS_MAX];      /* [i]: ll_notable_device_extensions[i] offered */
} ll_device_details;

/* Describes device `id` (ll_enumerate_devices' numbering) without creating a device.
 * LL_E_ARGUMENT naming `id` when there is no such device. */
bool ll_device_describe(uint32_t id, ll_device_details *out, ll_error *err);

/* Validation warnings and errors received by every instance of this process so far. */
uint64_t ll_debug_message_count(void);

#endif
