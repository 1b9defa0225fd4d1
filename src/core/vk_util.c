/* vk_util.c: names of Vulkan results, VkResult -> ll_error, and environment flags. */
#include "vk_util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *ll_vk_result_name(VkResult result)
{
    switch (result) {
#define NAME(r) case r: return #r
    NAME(VK_SUCCESS);
    NAME(VK_NOT_READY);
    NAME(VK_TIMEOUT);
    NAME(VK_EVENT_SET);
    NAME(VK_EVENT_RESET);
    NAME(VK_INCOMPLETE);
    NAME(VK_ERROR_OUT_OF_HOST_MEMORY);
    NAME(VK_ERROR_OUT_OF_DEVICE_MEMORY);
    NAME(VK_ERROR_INITIALIZATION_FAILED);
    NAME(VK_ERROR_DEVICE_LOST);
    NAME(VK_ERROR_MEMORY_MAP_FAILED);
    NAME(VK_ERROR_LAYER_NOT_PRESENT);
    NAME(VK_ERROR_EXTENSION_NOT_PRESENT);
    NAME(VK_ERROR_FEATURE_NOT_PRESENT);
    NAME(VK_ERROR_INCOMPATIBLE_DRIVER);
    NAME(VK_ERROR_TOO_MANY_OBJECTS);
    NAME(VK_ERROR_FORMAT_NOT_SUPPORTED);
    NAME(VK_ERROR_FRAGMENTED_POOL);
    NAME(VK_ERROR_UNKNOWN);
    NAME(VK_ERROR_OUT_OF_POOL_MEMORY);
    NAME(VK_ERROR_INVALID_EXTERNAL_HANDLE);
    NAME(VK_ERROR_FRAGMENTATION);
    NAME(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS);
#undef NAME
    default: return "VK_RESULT_UNKNOWN";
    }
}

ll_status ll_vk_status(VkResult result)
{
    switch (result) {
    case VK_SUCCESS: return LL_OK;
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
    case VK_ERROR_TOO_MANY_OBJECTS: return LL_E_DEVICE_MEMORY;
    case VK_ERROR_OUT_OF_HOST_MEMORY: return LL_E_HOST_MEMORY;
    case VK_ERROR_FORMAT_NOT_SUPPORTED:
    case VK_ERROR_FEATURE_NOT_PRESENT:
    case VK_ERROR_EXTENSION_NOT_PRESENT:
    case VK_ERROR_LAYER_NOT_PRESENT:
    case VK_ERROR_INCOMPATIBLE_DRIVER: return LL_E_UNSUPPORTED;
    default: return LL_E_DEVICE;
    }
}

bool ll_fail_vk(ll_error *err, VkResult result, const char *what)
{
    return ll_fail(err, ll_vk_status(result), "%s: %s", what, ll_vk_result_name(result));
}

bool ll_env_flag(const char *name, bool *on, ll_error *err)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off", ""};
    const char *v = getenv(name);
    *on = false;
    if (v == NULL)
        return true;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (strcasecmp(v, yes[i]) == 0) {
            *on = true;
            return true;
        }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (strcasecmp(v, no[i]) == 0)
            return true;
    /* The value is shown whole up to this many bytes: the message has room for it. */
    enum { SHOWN = 64 };
    return ll_fail(err, LL_E_ARGUMENT, "%s must be one of 1, 0, true, false, yes, no, on, "
                   "off; got '%.*s'%s", name, SHOWN, v, strlen(v) > SHOWN ? "..." : "");
}
