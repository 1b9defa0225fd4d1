/* sampler.h: the samplers of image views, shared: a session holds one VkSampler per
 * distinct state (filter, address mode, coordinates, border), reference counted, so that
 * any number of views with the same state cost one of the device's few samplers
 * (maxSamplerAllocationCount: 4,000 on many GPUs). Not for: checking a view request
 * against Vulkan's rules (image_view.h), which happens before a sampler is asked for. */
#ifndef LL_SAMPLER_H
#define LL_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>

#include <volk.h>

#include "lluvia/error.h"
#include "lluvia/session.h"

/* Everything a lluvia sampler's VkSamplerCreateInfo is made of; two equal descriptions
 * (every field equal) share one VkSampler. */
typedef struct ll_sampler_desc {
    VkFilter filter;                    /* min and mag */
    VkSamplerAddressMode address_mode[3]; /* U, V and W */
    bool normalized_coordinates;
    bool float_border;                  /* transparent black: float, else integer */
} ll_sampler_desc;

/* The session's VkSampler for desc, made on first use and counted once more. Every
 * acquire is paired with an ll_sampler_release. LL_E_DEVICE_MEMORY when the samplers of
 * this process would exceed the device's maxSamplerAllocationCount (or the test limit),
 * naming it; LL_E_HOST_MEMORY, or the Vulkan failure. VK_NULL_HANDLE on failure, with
 * nothing changed. Thread-safe. */
VkSampler ll_sampler_acquire(ll_session *session, const ll_sampler_desc *desc,
                             ll_error *err);

/* Drops one reference to a sampler of ll_sampler_acquire; the last destroys it. */
void ll_sampler_release(ll_session *session, VkSampler sampler);

/* The distinct VkSamplers the session holds now; with session NULL, those of every session
 * of this process (what is counted against maxSamplerAllocationCount). For tests. */
uint32_t ll_sampler_count(ll_session *session);

/* Test hook: at most `limit` samplers in this process (lower than the device's limit, so
 * that exhaustion is testable without thousands of samplers); 0 restores the device's. */
void ll_sampler_set_limit(uint32_t limit);

#endif
