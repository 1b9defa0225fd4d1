/* context.h: the process-wide Vulkan state that sessions share: the loader, one VkInstance
 * per debug setting and one VkDevice per physical device and instance, each reference
 * counted and destroyed when its last session goes. Not for: per-session state (session.h). */
#ifndef LL_CONTEXT_H
#define LL_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include <volk.h>

#include "lluvia/device.h"
#include "lluvia/error.h"

typedef struct ll_instance ll_instance; /* opaque outside context.c */

/* The shared instance for `debug`, created on first use. */
ll_instance *ll_instance_acquire(bool debug, ll_error *err);
void ll_instance_release(ll_instance *instance);

/* The shared device `index` of an instance of setting `debug`, created on first use. */
ll_device *ll_device_acquire(bool debug, uint32_t index, ll_error *err);
void ll_device_release(ll_device *device);

/* ---- a device's parts ------------------------------------------------------------------ */

/* Its position in vkEnumeratePhysicalDevices (the id of ll_enumerate_devices). */
uint32_t ll_device_index(const ll_device *device);

/* The logical device, and the physical device it was made of. */
VkDevice ll_device_vk(const ll_device *device);
VkPhysicalDevice ll_device_physical(const ll_device *device);

/* What the physical device reports: vkGetPhysicalDeviceProperties and
 * vkGetPhysicalDeviceMemoryProperties, read once when the device was made. */
const VkPhysicalDeviceProperties *ll_device_properties(const ll_device *device);
const VkPhysicalDeviceMemoryProperties *ll_device_memory_properties(const ll_device *device);

/* Whether VK_KHR_sampler_mirror_clamp_to_edge is enabled. */
bool ll_device_has_mirror_clamp_to_edge(const ll_device *device);

/* minImportedHostPointerAlignment where VK_EXT_external_memory_host is enabled, else 0
 * (host pointers cannot be imported). */
VkDeviceSize ll_device_host_import_alignment(const ll_device *device);

/* Whether the validation layer is on for the device's instance, and the validation
 * warnings and errors that instance has received so far. */
bool ll_device_validation_enabled(const ll_device *device);
uint64_t ll_device_message_count(const ll_device *device);

/* The queue family of the device's queue. */
uint32_t ll_device_queue_family(const ll_device *device);

/* vkQueueSubmit of one batch to the device's queue, under its queue lock. */
VkResult ll_device_submit(ll_device *device, const VkSubmitInfo *submit, VkFence fence);

#endif
