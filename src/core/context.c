/* context.c: the Vulkan loader, and the instances and devices that sessions share.
 * Everything here is guarded by one process-wide lock; creation happens on first use and
 * destruction when the last reference goes. The debug messenger is the only place in the
 * core that writes to stderr: validation messages are meant to be seen. */
#include "context.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pin_loaded.h"
#include "vk_util.h"

#define VALIDATION_LAYER "VK_LAYER_KHRONOS_validation"
#define NO_DEVICE_HINT \
    "install a Vulkan driver: on Debian, `apt-get install mesa-vulkan-drivers` gives the " \
    "CPU device lavapipe"

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

static pthread_mutex_t context_lock = PTHREAD_MUTEX_INITIALIZER;
static bool loader_ready;
static ll_instance *instances[2]; /* [debug] */
static ll_device *devices;
static atomic_uint_fast64_t total_messages;

static bool loader_init_locked(ll_error *err)
{
    if (loader_ready)
        return true;
    VkResult r = volkInitialize();
    if (r != VK_SUCCESS)
        return ll_fail(err, LL_E_UNSUPPORTED,
                       "the Vulkan loader libvulkan.so.1 was not found (%s); on Debian, "
                       "`apt-get install libvulkan1 mesa-vulkan-drivers`",
                       ll_vk_result_name(r));
    loader_ready = true;
    return true;
}

static const char *severity_name(VkDebugUtilsMessageSeverityFlagBitsEXT severity)
{
    if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)
        return "error";
    if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT)
        return "warning";
    if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_INFO_BIT_EXT)
        return "info";
    return "verbose";
}

static VKAPI_ATTR VkBool32 VKAPI_CALL on_debug_message(
    VkDebugUtilsMessageSeverityFlagBitsEXT severity, VkDebugUtilsMessageTypeFlagsEXT types,
    const VkDebugUtilsMessengerCallbackDataEXT *data, void *user)
{
    (void)types;
    ll_instance *instance = user;
    if (severity & (VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                    VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)) {
        atomic_fetch_add(&instance->messages, 1);
        atomic_fetch_add(&total_messages, 1);
    }
    fprintf(stderr, "lluvia: vulkan %s [%s]: %s\n", severity_name(severity),
            data->pMessageIdName ? data->pMessageIdName : "no id",
            data->pMessage ? data->pMessage : "");
    return VK_FALSE;
}

uint64_t ll_debug_message_count(void)
{
    return atomic_load(&total_messages);
}

/* Whether the layer `name` is installed, in *found; false with err when the loader cannot
 * say (out of memory): a debug session never silently goes without validation. */
static bool find_layer(const char *name, bool *found, ll_error *err)
{
    *found = false;
    uint32_t n = 0;
    VkResult r = LL_VK(vkEnumerateInstanceLayerProperties(&n, NULL));
    if (r != VK_SUCCESS)
        return ll_fail_vk(err, r, "vkEnumerateInstanceLayerProperties");
    if (n == 0)
        return true;
    VkLayerProperties *layers = ll_calloc(n, sizeof *layers);
    if (layers == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory listing Vulkan layers");
    r = LL_VK(vkEnumerateInstanceLayerProperties(&n, layers));
    for (uint32_t i = 0; r >= 0 && i < n && !*found; i++)
        *found = strcmp(layers[i].layerName, name) == 0;
    ll_free(layers);
    return r >= 0 ? true : ll_fail_vk(err, r, "vkEnumerateInstanceLayerProperties");
}

/* The extensions of the physical device, or of the instance for VK_NULL_HANDLE. */
static VkResult enumerate_extensions(VkPhysicalDevice physical, uint32_t *n,
                                     VkExtensionProperties *ext)
{
    return LL_VK(physical != VK_NULL_HANDLE
                     ? vkEnumerateDeviceExtensionProperties(physical, NULL, n, ext)
                     : vkEnumerateInstanceExtensionProperties(NULL, n, ext));
}

/* Whether the physical device (VK_NULL_HANDLE: the instance) offers the extension `name`,
 * in *found; false with err when it cannot be listed (out of memory). */
static bool find_extension(VkPhysicalDevice physical, const char *name, bool *found,
                           ll_error *err)
{
    const char *what = physical != VK_NULL_HANDLE ? "vkEnumerateDeviceExtensionProperties"
                                                  : "vkEnumerateInstanceExtensionProperties";
    *found = false;
    uint32_t n = 0;
    VkResult r = enumerate_extensions(physical, &n, NULL);
    if (r != VK_SUCCESS)
        return ll_fail_vk(err, r, what);
    if (n == 0)
        return true;
    VkExtensionProperties *ext = ll_calloc(n, sizeof *ext);
    if (ext == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory listing Vulkan extensions");
    r = enumerate_extensions(physical, &n, ext);
    for (uint32_t i = 0; r >= 0 && i < n && !*found; i++)
        *found = strcmp(ext[i].extensionName, name) == 0;
    ll_free(ext);
    return r >= 0 ? true : ll_fail_vk(err, r, what);
}

static ll_instance *instance_create(bool debug, ll_error *err)
{
    ll_instance *instance = ll_calloc(1, sizeof *instance);
    if (instance == NULL) {
        ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating a Vulkan instance");
        return NULL;
    }
    instance->debug = debug;
    uint32_t version = VK_API_VERSION_1_0;
    VkResult r = vkEnumerateInstanceVersion != NULL
                     ? LL_VK(vkEnumerateInstanceVersion(&version)) : VK_SUCCESS;
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkEnumerateInstanceVersion");
        goto fail_free;
    }
    if (version < VK_API_VERSION_1_1) {
        ll_fail(err, LL_E_UNSUPPORTED, "the Vulkan loader supports only Vulkan %u.%u; "
                "lluvia needs 1.1", VK_API_VERSION_MAJOR(version), VK_API_VERSION_MINOR(version));
        goto fail_free;
    }
    instance->api_version = version > VK_API_VERSION_1_3 ? VK_API_VERSION_1_3 : version;

    const char *layers[1];
    uint32_t layer_count = 0;
    const char *extensions[2];
    uint32_t extension_count = 0;
    bool validation = false, messenger = false;
    if (debug && (!find_layer(VALIDATION_LAYER, &validation, err) ||
                  !find_extension(VK_NULL_HANDLE, VK_EXT_DEBUG_UTILS_EXTENSION_NAME, &messenger,
                                  err)))
        goto fail_free;
    if (validation) {
        layers[layer_count++] = VALIDATION_LAYER;
        instance->validation = true;
    }
    if (messenger)
        extensions[extension_count++] = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;

    VkDebugUtilsMessengerCreateInfoEXT messenger_info = {
        .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
        .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                           VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
        .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                       VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                       VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT,
        .pfnUserCallback = on_debug_message,
        .pUserData = instance,
    };
    /* Synchronization validation is opt-in: it is slow, and precise. */
    VkValidationFeatureEnableEXT sync = VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT;
    VkValidationFeaturesEXT features = {
        .sType = VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT,
        .enabledValidationFeatureCount = 1,
        .pEnabledValidationFeatures = &sync,
    };
    /* ll_session_create has refused a value of LLUVIA_VALIDATE_SYNC that is not a flag. */
    bool validate_sync;
    ll_env_flag("LLUVIA_VALIDATE_SYNC", &validate_sync, NULL);
    if (messenger && instance->validation && validate_sync)
        messenger_info.pNext = &features;

    VkApplicationInfo app = {
        .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
        .pApplicationName = "lluvia-lua",
        .pEngineName = "lluvia-lua",
        .apiVersion = instance->api_version,
    };
    VkInstanceCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
        .pNext = messenger ? &messenger_info : NULL,
        .pApplicationInfo = &app,
        .enabledLayerCount = layer_count,
        .ppEnabledLayerNames = layers,
        .enabledExtensionCount = extension_count,
        .ppEnabledExtensionNames = extensions,
    };
    /* The driver and layers this loads stay loaded when the instance goes: reloading a
     * driver in every instance exhausts static TLS on some (pin_loaded.c). */
    unsigned loaded = ll_loaded_object_count();
    r = LL_VK(vkCreateInstance(&info, NULL, &instance->handle));
    ll_pin_loaded_since(loaded);
    if (r != VK_SUCCESS) {
        if (r == VK_ERROR_INCOMPATIBLE_DRIVER)
            ll_fail(err, LL_E_UNSUPPORTED, "no Vulkan driver is installed (vkCreateInstance: "
                    "%s); %s", ll_vk_result_name(r), NO_DEVICE_HINT);
        else
            ll_fail_vk(err, r, "vkCreateInstance");
        goto fail_free;
    }
    /* The first instance loads volk's global pointers: they are the loader's trampolines,
     * which dispatch on the object they get and so serve every instance and device. The
     * debug-utils entry points exist only where the extension is on: keep them per
     * instance. */
    if (volkGetLoadedInstance() == VK_NULL_HANDLE)
        volkLoadInstance(instance->handle);
    if (messenger) {
        PFN_vkCreateDebugUtilsMessengerEXT create = (PFN_vkCreateDebugUtilsMessengerEXT)
            vkGetInstanceProcAddr(instance->handle, "vkCreateDebugUtilsMessengerEXT");
        instance->destroy_messenger = (PFN_vkDestroyDebugUtilsMessengerEXT)
            vkGetInstanceProcAddr(instance->handle, "vkDestroyDebugUtilsMessengerEXT");
        messenger_info.pNext = NULL;
        r = create != NULL && instance->destroy_messenger != NULL
                ? LL_VK(create(instance->handle, &messenger_info, NULL, &instance->messenger))
                : VK_ERROR_EXTENSION_NOT_PRESENT;
        if (r != VK_SUCCESS) {
            ll_fail_vk(err, r, "vkCreateDebugUtilsMessengerEXT");
            vkDestroyInstance(instance->handle, NULL);
            goto fail_free;
        }
    }
    return instance;

fail_free:
    ll_free(instance);
    return NULL;
}

static void instance_destroy(ll_instance *instance)
{
    if (instance->messenger != VK_NULL_HANDLE)
        instance->destroy_messenger(instance->handle, instance->messenger, NULL);
    vkDestroyInstance(instance->handle, NULL);
    ll_free(instance);
}

static ll_instance *instance_acquire_locked(bool debug, ll_error *err)
{
    if (!loader_init_locked(err))
        return NULL;
    ll_instance *instance = instances[debug];
    if (instance == NULL) {
        instance = instance_create(debug, err);
        if (instance == NULL)
            return NULL;
        instances[debug] = instance;
    }
    instance->refs++;
    return instance;
}

static void instance_release_locked(ll_instance *instance)
{
    if (--instance->refs > 0)
        return;
    instances[instance->debug] = NULL;
    instance_destroy(instance);
}

ll_instance *ll_instance_acquire(bool debug, ll_error *err)
{
    pthread_mutex_lock(&context_lock);
    ll_instance *instance = instance_acquire_locked(debug, err);
    pthread_mutex_unlock(&context_lock);
    return instance;
}

void ll_instance_release(ll_instance *instance)
{
    if (instance == NULL)
        return;
    pthread_mutex_lock(&context_lock);
    instance_release_locked(instance);
    pthread_mutex_unlock(&context_lock);
}

/* The physical devices of an instance, in a malloc'ed array. */
static bool physical_devices(VkInstance instance, VkPhysicalDevice **out, uint32_t *count,
                             ll_error *err)
{
    *out = NULL;
    *count = 0;
    uint32_t n = 0;
    VkResult r = LL_VK(vkEnumeratePhysicalDevices(instance, &n, NULL));
    if (r != VK_SUCCESS)
        return ll_fail_vk(err, r, "vkEnumeratePhysicalDevices");
    if (n == 0)
        return ll_fail(err, LL_E_UNSUPPORTED, "no Vulkan device found; %s", NO_DEVICE_HINT);
    VkPhysicalDevice *list = ll_calloc(n, sizeof *list);
    if (list == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory listing devices");
    r = LL_VK(vkEnumeratePhysicalDevices(instance, &n, list));
    if (r < 0) {
        ll_free(list);
        return ll_fail_vk(err, r, "vkEnumeratePhysicalDevices");
    }
    *out = list;
    *count = n;
    return true;
}

/* Calls visit(list, n, user, err) with the physical devices of a non-debug instance, held
 * for the call; false with err when they cannot be listed or visit fails. */
static bool with_physical_devices(bool (*visit)(VkPhysicalDevice *list, uint32_t n,
                                                void *user, ll_error *err),
                                  void *user, ll_error *err)
{
    ll_instance *instance = ll_instance_acquire(false, err);
    if (instance == NULL)
        return false;
    VkPhysicalDevice *list;
    uint32_t n;
    bool ok = physical_devices(instance->handle, &list, &n, err);
    if (ok) {
        ok = visit(list, n, user, err);
        ll_free(list);
    }
    ll_instance_release(instance);
    return ok;
}

typedef struct device_list {
    ll_device_info *out;
    uint32_t capacity, *count;
} device_list;

static bool list_visit(VkPhysicalDevice *list, uint32_t n, void *user, ll_error *err)
{
    (void)err;
    device_list *d = user;
    for (uint32_t i = 0; i < n && i < d->capacity; i++) {
        VkPhysicalDeviceProperties p;
        vkGetPhysicalDeviceProperties(list[i], &p);
        d->out[i].id = i;
        snprintf(d->out[i].name, sizeof d->out[i].name, "%s", p.deviceName);
        d->out[i].type = p.deviceType;
        d->out[i].api_version = p.apiVersion;
    }
    *d->count = n;
    return true;
}

bool ll_enumerate_devices(ll_device_info *out, uint32_t capacity, uint32_t *count,
                          ll_error *err)
{
    *count = 0;
    device_list d = {out, capacity, count};
    return with_physical_devices(list_visit, &d, err);
}

const char *const ll_notable_device_extensions[] = {
    VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME,
    VK_KHR_SAMPLER_MIRROR_CLAMP_TO_EDGE_EXTENSION_NAME,
    VK_EXT_MEMORY_BUDGET_EXTENSION_NAME,
    "VK_KHR_portability_subset",
    VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME,
    VK_KHR_16BIT_STORAGE_EXTENSION_NAME,
    VK_KHR_8BIT_STORAGE_EXTENSION_NAME,
    VK_EXT_SHADER_ATOMIC_FLOAT_EXTENSION_NAME,
    VK_KHR_SYNCHRONIZATION_2_EXTENSION_NAME,
    VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME,
    NULL,
};
_Static_assert(sizeof ll_notable_device_extensions / sizeof *ll_notable_device_extensions <=
                   LL_NOTABLE_EXTENSIONS_MAX + 1,
               "ll_device_details.extensions has room for every notable extension");

static bool describe_physical(VkPhysicalDevice physical, uint32_t id, ll_device_details *out,
                              ll_error *err)
{
    memset(out, 0, sizeof *out);
    VkPhysicalDeviceProperties p;
    vkGetPhysicalDeviceProperties(physical, &p);
    VkPhysicalDeviceDriverProperties driver = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES,
    };
    if (p.apiVersion >= VK_API_VERSION_1_2) {
        VkPhysicalDeviceProperties2 p2 = {
            .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
            .pNext = &driver,
        };
        vkGetPhysicalDeviceProperties2(physical, &p2);
    }
    out->info.id = id;
    snprintf(out->info.name, sizeof out->info.name, "%s", p.deviceName);
    out->info.type = p.deviceType;
    out->info.api_version = p.apiVersion;
    out->vendor_id = p.vendorID;
    out->device_id = p.deviceID;
    out->driver_version = p.driverVersion;
    snprintf(out->driver_name, sizeof out->driver_name, "%s", driver.driverName);
    snprintf(out->driver_info, sizeof out->driver_info, "%s", driver.driverInfo);
    out->limits = p.limits;
    vkGetPhysicalDeviceMemoryProperties(physical, &out->memory);
    for (int i = 0; ll_notable_device_extensions[i] != NULL; i++)
        if (!find_extension(physical, ll_notable_device_extensions[i], &out->extensions[i], err))
            return false;
    return true;
}

typedef struct device_describe {
    uint32_t id;
    ll_device_details *out;
} device_describe;

static bool describe_visit(VkPhysicalDevice *list, uint32_t n, void *user, ll_error *err)
{
    device_describe *d = user;
    if (d->id >= n)
        return ll_fail(err, LL_E_ARGUMENT, "id must be a device id from 0 to %u, got %u",
                       n - 1, d->id), ll_error_blame(err, 1);
    return describe_physical(list[d->id], d->id, d->out, err);
}

bool ll_device_describe(uint32_t id, ll_device_details *out, ll_error *err)
{
    device_describe d = {id, out};
    return with_physical_devices(describe_visit, &d, err);
}

static bool contains_nocase(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *h = haystack; *h != '\0'; h++) {
        size_t i = 0;
        while (i < n && h[i] != '\0' &&
               tolower((unsigned char)h[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

bool ll_choose_device(const char *spec, uint32_t *index, ll_error *err)
{
    enum { MAX_DEVICES = 64 };
    ll_device_info list[MAX_DEVICES];
    uint32_t n;
    if (!ll_enumerate_devices(list, MAX_DEVICES, &n, err))
        return false;
    if (n > MAX_DEVICES)
        n = MAX_DEVICES;
    if (spec == NULL || spec[0] == '\0') {
        *index = 0;
        for (uint32_t i = 0; i < n; i++)
            if (list[i].type == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU) {
                *index = i;
                break;
            }
        return true;
    }
    char *end;
    unsigned long id = strtoul(spec, &end, 10);
    if (*end == '\0' && isdigit((unsigned char)spec[0])) {
        if (id < n) {
            *index = (uint32_t)id;
            return true;
        }
    } else {
        for (uint32_t i = 0; i < n; i++)
            if (contains_nocase(list[i].name, spec)) {
                *index = i;
                return true;
            }
    }
    char names[256] = "";
    size_t used = 0;
    for (uint32_t i = 0; i < n && used < sizeof names; i++) {
        int w = snprintf(names + used, sizeof names - used, "%s%u: %s", i ? ", " : "", i,
                         list[i].name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return ll_fail(err, LL_E_ARGUMENT, "no device matches '%s' (devices: %s)", spec, names);
}

static bool pick_queue_family(VkPhysicalDevice physical, uint32_t *family, ll_error *err)
{
    uint32_t n = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(physical, &n, NULL);
    VkQueueFamilyProperties *families = ll_calloc(n ? n : 1, sizeof *families);
    if (families == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory listing queue families");
    vkGetPhysicalDeviceQueueFamilyProperties(physical, &n, families);
    bool found = false;
    /* A compute queue also does transfers; prefer the universal one (graphics + compute),
     * which every implementation has and which accepts every image layout transition. */
    for (int pass = 0; pass < 2 && !found; pass++)
        for (uint32_t i = 0; i < n && !found; i++) {
            VkQueueFlags f = families[i].queueFlags;
            bool ok = (f & VK_QUEUE_COMPUTE_BIT) && (pass == 1 || (f & VK_QUEUE_GRAPHICS_BIT));
            if (ok && families[i].queueCount > 0) {
                *family = i;
                found = true;
            }
        }
    ll_free(families);
    return found ? true : ll_fail(err, LL_E_UNSUPPORTED, "the device has no compute queue");
}

static ll_device *device_create(ll_instance *instance, uint32_t index, ll_error *err)
{
    VkPhysicalDevice *list;
    uint32_t n;
    if (!physical_devices(instance->handle, &list, &n, err))
        return NULL;
    if (index >= n) {
        ll_free(list);
        ll_fail(err, LL_E_ARGUMENT, "device id %u does not exist (%u devices)", index, n);
        return NULL;
    }
    ll_device *device = ll_calloc(1, sizeof *device);
    if (device == NULL) {
        ll_free(list);
        ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating a device");
        return NULL;
    }
    device->instance = instance;
    device->index = index;
    device->physical = list[index];
    ll_free(list);
    vkGetPhysicalDeviceProperties(device->physical, &device->properties);
    vkGetPhysicalDeviceMemoryProperties(device->physical, &device->memory);
    if (device->properties.apiVersion < VK_API_VERSION_1_1) {
        ll_fail(err, LL_E_UNSUPPORTED, "device '%s' supports only Vulkan 1.0; lluvia needs 1.1",
                device->properties.deviceName);
        goto fail_free;
    }
    if (!pick_queue_family(device->physical, &device->queue_family, err))
        goto fail_free;

    const char *extensions[2];
    uint32_t extension_count = 0;
    /* Samplers may use the address mode MirrorClampToEdge only with this (image.c). */
    if (!find_extension(device->physical, VK_KHR_SAMPLER_MIRROR_CLAMP_TO_EDGE_EXTENSION_NAME,
                        &device->sampler_mirror_clamp_to_edge, err) ||
        !find_extension(device->physical, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME,
                        &device->external_memory_host, err))
        goto fail_free;
    if (device->sampler_mirror_clamp_to_edge)
        extensions[extension_count++] = VK_KHR_SAMPLER_MIRROR_CLAMP_TO_EDGE_EXTENSION_NAME;
    if (device->external_memory_host) {
        extensions[extension_count++] = VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME;
        VkPhysicalDeviceExternalMemoryHostPropertiesEXT host = {
            .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT,
        };
        VkPhysicalDeviceProperties2 props2 = {
            .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
            .pNext = &host,
        };
        vkGetPhysicalDeviceProperties2(device->physical, &props2);
        device->min_imported_host_pointer_alignment = host.minImportedHostPointerAlignment;
    }

    /* The features compute shaders commonly need, where the device has them. */
    VkPhysicalDeviceFeatures supported;
    vkGetPhysicalDeviceFeatures(device->physical, &supported);
    VkPhysicalDeviceFeatures enabled = {
        .shaderInt64 = supported.shaderInt64,
        .shaderInt16 = supported.shaderInt16,
        .shaderFloat64 = supported.shaderFloat64,
        .shaderStorageImageExtendedFormats = supported.shaderStorageImageExtendedFormats,
        .shaderStorageImageReadWithoutFormat = supported.shaderStorageImageReadWithoutFormat,
        .shaderStorageImageWriteWithoutFormat = supported.shaderStorageImageWriteWithoutFormat,
    };
    float priority = 1.0f;
    VkDeviceQueueCreateInfo queue = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
        .queueFamilyIndex = device->queue_family,
        .queueCount = 1,
        .pQueuePriorities = &priority,
    };
    VkDeviceCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
        .queueCreateInfoCount = 1,
        .pQueueCreateInfos = &queue,
        .enabledExtensionCount = extension_count,
        .ppEnabledExtensionNames = extensions,
        .pEnabledFeatures = &enabled,
    };
    unsigned loaded = ll_loaded_object_count(); /* as for the instance (pin_loaded.c) */
    VkResult r = LL_VK(vkCreateDevice(device->physical, &info, NULL, &device->handle));
    ll_pin_loaded_since(loaded);
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkCreateDevice");
        goto fail_free;
    }
    vkGetDeviceQueue(device->handle, device->queue_family, 0, &device->queue);
    if (pthread_mutex_init(&device->queue_lock, NULL) != 0) {
        ll_fail(err, LL_E_HOST_MEMORY, "cannot create the queue lock");
        vkDestroyDevice(device->handle, NULL);
        goto fail_free;
    }
    return device;

fail_free:
    ll_free(device);
    return NULL;
}

ll_device *ll_device_acquire(bool debug, uint32_t index, ll_error *err)
{
    pthread_mutex_lock(&context_lock);
    ll_device *device = NULL;
    ll_instance *instance = instance_acquire_locked(debug, err);
    if (instance == NULL)
        goto done;
    for (ll_device *d = devices; d != NULL; d = d->next)
        if (d->instance == instance && d->index == index) {
            d->refs++;
            device = d;
            instance_release_locked(instance); /* the device holds one already */
            goto done;
        }
    device = device_create(instance, index, err);
    if (device == NULL) {
        instance_release_locked(instance);
        goto done;
    }
    device->refs = 1;
    device->next = devices;
    devices = device;
done:
    pthread_mutex_unlock(&context_lock);
    return device;
}

void ll_device_release(ll_device *device)
{
    if (device == NULL)
        return;
    pthread_mutex_lock(&context_lock);
    if (--device->refs == 0) {
        for (ll_device **p = &devices; *p != NULL; p = &(*p)->next)
            if (*p == device) {
                *p = device->next;
                break;
            }
        vkDeviceWaitIdle(device->handle);
        vkDestroyDevice(device->handle, NULL);
        pthread_mutex_destroy(&device->queue_lock);
        instance_release_locked(device->instance);
        ll_free(device);
    }
    pthread_mutex_unlock(&context_lock);
}

uint32_t ll_device_queue_family(const ll_device *device)
{
    return device->queue_family;
}

VkResult ll_device_submit(ll_device *device, const VkSubmitInfo *submit, VkFence fence)
{
    pthread_mutex_lock(&device->queue_lock);
    VkResult r = LL_VK(vkQueueSubmit(device->queue, 1, submit, fence));
    pthread_mutex_unlock(&device->queue_lock);
    return r;
}

VkDevice ll_device_vk(const ll_device *d) { return d->handle; }
VkPhysicalDevice ll_device_physical(const ll_device *d) { return d->physical; }
const VkPhysicalDeviceProperties *ll_device_properties(const ll_device *d)
{
    return &d->properties;
}
const VkPhysicalDeviceMemoryProperties *ll_device_memory_properties(const ll_device *d)
{
    return &d->memory;
}
uint32_t ll_device_index(const ll_device *d) { return d->index; }
bool ll_device_has_mirror_clamp_to_edge(const ll_device *d)
{
    return d->sampler_mirror_clamp_to_edge;
}
VkDeviceSize ll_device_host_import_alignment(const ll_device *d)
{
    return d->external_memory_host ? d->min_imported_host_pointer_alignment : 0;
}
bool ll_device_validation_enabled(const ll_device *d) { return d->instance->validation; }
uint64_t ll_device_message_count(const ll_device *d)
{
    return atomic_load(&d->instance->messages);
}

const char *ll_device_type_name(VkPhysicalDeviceType type)
{
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "DiscreteGpu";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "IntegratedGpu";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "VirtualGpu";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "Cpu";
    default: return "Other";
    }
}
