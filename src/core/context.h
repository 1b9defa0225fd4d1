/* context.h: the process-wide Vulkan state that sessions share: the loader, one VkInstance
 * per debug setting and one VkDevice per physical device and instance, each reference
 * counted and destroyed when its last session goes. Not for: per-session state (session.h). */
#ifndef LL_CONTEXT_H
#define LL_CONTEXT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <volk.h>

#include "lluvia/error.h"

typedef struct ll_instance {
    int refs;                     /* guarded by the context lock */
    bool debug;                   /* created with enableDebug */
    bool validation;              /* VK_LAYER_KHRONOS_validation is on */
    VkInstance handle;
    VkDebugUtilsMessengerEXT messenger;
    PFN_vkDestroyDebugUtilsMessengerEXT destroy_messenger; /* this instance's own */
    uint32_t api_version;
    atomic_uint_fast64_t messages; /* validation warnings and errors received */
} ll_instance;

typedef struct ll_device {
    int refs;                     /* guarded by the context lock */
    ll_instance *instance;
    uint32_t index;               /* position in vkEnumeratePhysicalDevices */
    VkPhysicalDevice physical;
    VkPhysicalDeviceProperties properties;
    VkPhysicalDeviceMemoryProperties memory;
    VkDevice handle;
    uint32_t queue_family;
    VkQueue queue;
    pthread_mutex_t queue_lock;   /* vkQueueSubmit needs the queue externally synchronized */
    bool external_memory_host;    /* VK_EXT_external_memory_host is enabled */
    VkDeviceSize min_imported_host_pointer_alignment;
    bool sampler_mirror_clamp_to_edge; /* VK_KHR_sampler_mirror_clamp_to_edge is enabled */
    struct ll_device *next;
} ll_device;

/* One entry of the device list. */
typedef struct ll_device_info {
    uint32_t id;                  /* 0-based position in Vulkan's enumeration */
    char name[VK_MAX_PHYSICAL_DEVICE_NAME_SIZE];
    VkPhysicalDeviceType type;
    uint32_t api_version;
} ll_device_info;

/* Lists the physical devices. *count receives the number of devices; at most capacity
 * entries are written to out. Fails with LL_E_UNSUPPORTED when there is no Vulkan loader
 * or no device, with a message that says how to get one. */
bool ll_enumerate_devices(ll_device_info *out, uint32_t capacity, uint32_t *count,
                          ll_error *err);

/* Chooses a device: `spec` is NULL (the first discrete GPU, else the first device), a
 * decimal id, or a case-insensitive substring of a device name. */
bool ll_choose_device(const char *spec, uint32_t *index, ll_error *err);

/* The shared instance for `debug`, created on first use. */
ll_instance *ll_instance_acquire(bool debug, ll_error *err);
void ll_instance_release(ll_instance *instance);

/* The shared device `index` of an instance of setting `debug`, created on first use. */
ll_device *ll_device_acquire(bool debug, uint32_t index, ll_error *err);
void ll_device_release(ll_device *device);

/* The queue family of the device's queue. */
uint32_t ll_device_queue_family(const ll_device *device);

/* vkQueueSubmit of one batch to the device's queue, under its queue lock. */
VkResult ll_device_submit(ll_device *device, const VkSubmitInfo *submit, VkFence fence);

/* Validation warnings and errors received by every instance of this process so far. */
uint64_t ll_debug_message_count(void);

#endif
