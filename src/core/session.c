/* session.c: creating and releasing sessions, and their one-shot command submission. */
#include "lluvia/session.h"

#include <stdlib.h>
#include <string.h>

#include "vk_util.h"

static bool is_power_of_two(uint64_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

ll_session *ll_session_create(const ll_session_options *options, ll_error *err)
{
    ll_session_options defaults = {0};
    if (options == NULL)
        options = &defaults;
    uint64_t granularity = options->buffer_image_granularity;
    if (granularity != 0 && !is_power_of_two(granularity))
        return ll_fail(err, LL_E_ARGUMENT, "bufferImageGranularity must be a power of two, "
                       "got %llu", (unsigned long long)granularity), NULL;

    const char *spec = options->device;
    if (spec == NULL)
        spec = getenv("LLUVIA_DEVICE");
    bool debug = options->enable_debug || ll_env_flag("LLUVIA_ENABLE_DEBUG");
    uint32_t index;
    if (!ll_choose_device(spec, &index, err))
        return NULL;

    ll_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating a session"), NULL;
    atomic_init(&s->refs, 1);
    s->device = ll_device_acquire(debug, index, err);
    if (s->device == NULL)
        goto fail_free;
    s->messages_at_start = atomic_load(&s->device->instance->messages);
    s->force_staging = options->force_staging || ll_env_flag("LLUVIA_FORCE_STAGING");
    s->staging_size = options->staging_size ? options->staging_size : LL_DEFAULT_STAGING_SIZE;
    VkDeviceSize device_granularity = s->device->properties.limits.bufferImageGranularity;
    s->granularity = granularity > device_granularity ? granularity : device_granularity;

    VkDevice dev = s->device->handle;
    VkCommandPoolCreateInfo pool_info = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
        .flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT,
        .queueFamilyIndex = s->device->queue_family,
    };
    VkResult r = vkCreateCommandPool(dev, &pool_info, NULL, &s->command_pool);
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkCreateCommandPool");
        goto fail_device;
    }
    VkCommandBufferAllocateInfo cmd_info = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = s->command_pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 1,
    };
    r = vkAllocateCommandBuffers(dev, &cmd_info, &s->command_buffer);
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkAllocateCommandBuffers");
        goto fail_pool;
    }
    VkFenceCreateInfo fence_info = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    r = vkCreateFence(dev, &fence_info, NULL, &s->fence);
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkCreateFence");
        goto fail_pool;
    }
    if (pthread_mutex_init(&s->command_lock, NULL) != 0) {
        ll_fail(err, LL_E_HOST_MEMORY, "cannot create the session's command lock");
        goto fail_fence;
    }
    return s;

fail_fence:
    vkDestroyFence(dev, s->fence, NULL);
fail_pool:
    vkDestroyCommandPool(dev, s->command_pool, NULL);
fail_device:
    ll_device_release(s->device);
fail_free:
    free(s);
    return NULL;
}

void ll_session_retain(ll_session *session)
{
    atomic_fetch_add(&session->refs, 1);
}

void ll_session_release(ll_session *s)
{
    if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    VkDevice dev = s->device->handle;
    if (s->staging != NULL)
        s->staging_destroy(s);
    vkDestroyFence(dev, s->fence, NULL);
    vkDestroyCommandPool(dev, s->command_pool, NULL);
    pthread_mutex_destroy(&s->command_lock);
    ll_device_release(s->device);
    free(s);
}

bool ll_session_validate(const ll_session *s, ll_error *err)
{
    if (atomic_load(&s->refs) < 1)
        return ll_fail(err, LL_E_STATE, "session refs %d < 1", atomic_load(&s->refs));
    if (s->device == NULL || s->device->handle == VK_NULL_HANDLE)
        return ll_fail(err, LL_E_STATE, "session has no device");
    if (s->command_pool == VK_NULL_HANDLE || s->command_buffer == VK_NULL_HANDLE ||
        s->fence == VK_NULL_HANDLE)
        return ll_fail(err, LL_E_STATE, "session has no command pool, buffer or fence");
    VkDeviceSize device_granularity = s->device->properties.limits.bufferImageGranularity;
    if (!is_power_of_two(s->granularity) || s->granularity < device_granularity)
        return ll_fail(err, LL_E_STATE, "session granularity %llu is not a power of two >= "
                       "the device's %llu", (unsigned long long)s->granularity,
                       (unsigned long long)device_granularity);
    if (s->staging_size == 0)
        return ll_fail(err, LL_E_STATE, "session staging size is 0");
    return true;
}

bool ll_session_validation_enabled(const ll_session *session)
{
    return session->device->instance->validation;
}

bool ll_session_has_warnings(const ll_session *session)
{
    return atomic_load(&session->device->instance->messages) > session->messages_at_start;
}

bool ll_session_begin_commands(ll_session *s, VkCommandBuffer *cmd, ll_error *err)
{
    pthread_mutex_lock(&s->command_lock);
    VkResult r = vkResetCommandPool(s->device->handle, s->command_pool, 0);
    if (r != VK_SUCCESS) {
        pthread_mutex_unlock(&s->command_lock);
        return ll_fail_vk(err, r, "vkResetCommandPool");
    }
    VkCommandBufferBeginInfo begin = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
        .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
    };
    r = vkBeginCommandBuffer(s->command_buffer, &begin);
    if (r != VK_SUCCESS) {
        pthread_mutex_unlock(&s->command_lock);
        return ll_fail_vk(err, r, "vkBeginCommandBuffer");
    }
    *cmd = s->command_buffer;
    return true;
}

bool ll_session_submit_commands(ll_session *s, ll_error *err)
{
    bool ok = false;
    VkDevice dev = s->device->handle;
    VkResult r = vkEndCommandBuffer(s->command_buffer);
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkEndCommandBuffer");
        goto done;
    }
    /* Reset before the submit, not after the wait: a failed reset then never leaves a
     * signaled fence for the next submit. */
    r = vkResetFences(dev, 1, &s->fence);
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkResetFences");
        goto done;
    }
    VkSubmitInfo submit = {
        .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
        .commandBufferCount = 1,
        .pCommandBuffers = &s->command_buffer,
    };
    pthread_mutex_lock(&s->device->queue_lock);
    r = vkQueueSubmit(s->device->queue, 1, &submit, s->fence);
    pthread_mutex_unlock(&s->device->queue_lock);
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkQueueSubmit");
        goto done;
    }
    r = vkWaitForFences(dev, 1, &s->fence, VK_TRUE, UINT64_MAX);
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkWaitForFences");
        goto done;
    }
    ok = true;
done:
    pthread_mutex_unlock(&s->command_lock);
    return ok;
}

void ll_session_abort_commands(ll_session *s)
{
    vkEndCommandBuffer(s->command_buffer);
    pthread_mutex_unlock(&s->command_lock);
}
