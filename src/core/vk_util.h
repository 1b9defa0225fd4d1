/* vk_util.h: small helpers around Vulkan results and enumerations shared by the core.
 * Not for: anything that owns Vulkan objects. */
#ifndef LL_VK_UTIL_H
#define LL_VK_UTIL_H

#include <volk.h>

#include "lluvia/error.h"
#include "lluvia/fault.h"

/* Every Vulkan call whose VkResult the core checks goes through one of these two, so that
 * fault injection (fault.h) can make it fail with VK_ERROR_OUT_OF_HOST_MEMORY (or, for
 * LL_FAULT_DEVICE_MEMORY, VK_ERROR_OUT_OF_DEVICE_MEMORY):
 *   LL_VK(call): when the fault fires, `call` is not made. Its outputs stay as they were,
 *     so a vkCreate*'s handle must be VK_NULL_HANDLE before the call (calloc'ed or set).
 *   LL_VK_AFTER(call): the call is made, then the fault replaces its result. For calls
 *     whose skipping would leave a state no real failure leaves: vkEndCommandBuffer (a
 *     failed end leaves the buffer invalid, which the next begin accepts; a skipped one
 *     leaves it recording) and vkWaitForFences (a skipped wait leaves work in flight that
 *     the failure path would then free under the device).
 * Calls in release and cleanup paths, whose results nothing can act on, are not hooked. */
#define LL_VK(call) (ll_fault_hit_vulkan() ? ll_vk_fault_result() : (call))
#define LL_VK_AFTER(call) ll_vk_after(call)

/* The result of the Vulkan fault that fired: out of host or of device memory. */
static inline VkResult ll_vk_fault_result(void)
{
    return ll_fault_vulkan_kind() == LL_FAULT_DEVICE_MEMORY ? VK_ERROR_OUT_OF_DEVICE_MEMORY
                                                            : VK_ERROR_OUT_OF_HOST_MEMORY;
}

static inline VkResult ll_vk_after(VkResult result)
{
    return ll_fault_hit_vulkan() ? ll_vk_fault_result() : result;
}

/* "VK_ERROR_OUT_OF_DEVICE_MEMORY" for VK_ERROR_OUT_OF_DEVICE_MEMORY, etc. */
const char *ll_vk_result_name(VkResult result);

/* The ll_status that a failed VkResult maps to (LL_E_DEVICE_MEMORY for the out-of-memory
 * results, LL_E_UNSUPPORTED for the not-supported ones, else LL_E_DEVICE). */
ll_status ll_vk_status(VkResult result);

/* Fills err with "<what>: <result name>" and returns false. */
bool ll_fail_vk(ll_error *err, VkResult result, const char *what);

/* Reads a boolean environment variable into *on: 1, true, yes and on (in any case) are
 * true; 0, false, no, off, the empty string and an unset variable are false. Any other
 * value leaves *on false and fails with LL_E_ARGUMENT naming the variable and the value. */
bool ll_env_flag(const char *name, bool *on, ll_error *err);

#endif
