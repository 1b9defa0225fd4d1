/* vk_util.h: small helpers around Vulkan results and enumerations shared by the core.
 * Not for: anything that owns Vulkan objects. */
#ifndef LL_VK_UTIL_H
#define LL_VK_UTIL_H

#include <volk.h>

#include "lluvia/error.h"

/* "VK_ERROR_OUT_OF_DEVICE_MEMORY" for VK_ERROR_OUT_OF_DEVICE_MEMORY, etc. */
const char *ll_vk_result_name(VkResult result);

/* The ll_status that a failed VkResult maps to (LL_E_DEVICE_MEMORY for the out-of-memory
 * results, LL_E_UNSUPPORTED for the not-supported ones, else LL_E_DEVICE). */
ll_status ll_vk_status(VkResult result);

/* Fills err with "<what>: <result name>" and returns false. */
bool ll_fail_vk(ll_error *err, VkResult result, const char *what);

/* Records a barrier on [offset, offset + size) of one buffer. */
void ll_vk_buffer_barrier(VkCommandBuffer cmd, VkBuffer buffer, uint64_t offset, uint64_t size,
                          VkPipelineStageFlags src_stage, VkAccessFlags src_access,
                          VkPipelineStageFlags dst_stage, VkAccessFlags dst_access);

/* True when the environment variable is set, non-empty and not "0". */
bool ll_env_flag(const char *name);

/* "DiscreteGpu", "IntegratedGpu", "VirtualGpu", "Cpu" or "Other". */
const char *ll_vk_device_type_name(VkPhysicalDeviceType type);

#endif
