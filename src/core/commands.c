/* commands.c: command buffers, barriers and tracked image layouts (commands.h), and the
 * session's one-shot buffer, kept as an attachment of the session. Not for: what the
 * buffers hold between barriers. */
#include "commands.h"

#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "vk_util.h"

/* Images a buffer can change before it needs the heap: a copy changes two. */
#define INLINE_IMAGES 4

typedef enum state {
    STATE_INITIAL,    /* nothing recorded, or dropped */
    STATE_RECORDING,
    STATE_EXECUTABLE, /* ended: a reusable buffer, submitted or not */
} state;

/* One image the buffer changes. */
typedef struct image_use {
    VkImageLayout *tracked;
    VkImageLayout first;  /* when the buffer first touched it: what the buffer expects */
    VkImageLayout last;   /* at the buffer's end so far */
} image_use;

struct ll_commands {
    ll_session *session;
    ll_commands_kind kind;
    VkCommandPool pool;
    VkCommandBuffer cmd;
    VkFence fence;
    state state;
    bool pending;             /* submitted, fence not waited for yet */
    bool record_failed;       /* an image could not be remembered: the submit refuses */
    image_use inline_images[INLINE_IMAGES];
    image_use *images;        /* inline_images, or a malloc'ed array */
    size_t image_count, image_capacity;
};

ll_commands *ll_commands_create(ll_session *s, ll_commands_kind kind, ll_error *err)
{
    ll_commands *c = ll_calloc(1, sizeof *c);
    if (c == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating a command buffer"),
               NULL;
    c->session = s;
    c->kind = kind;
    c->images = c->inline_images;
    c->image_capacity = INLINE_IMAGES;
    VkDevice dev = ll_session_vk(s);
    VkCommandPoolCreateInfo pool_info = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
        .flags = kind == LL_COMMANDS_ONE_SHOT ? VK_COMMAND_POOL_CREATE_TRANSIENT_BIT : 0,
        .queueFamilyIndex = ll_device_queue_family(ll_session_device(s)),
    };
    VkResult r = LL_VK(vkCreateCommandPool(dev, &pool_info, NULL, &c->pool));
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkCreateCommandPool");
        goto fail_free;
    }
    VkCommandBufferAllocateInfo cmd_info = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = c->pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 1,
    };
    r = LL_VK(vkAllocateCommandBuffers(dev, &cmd_info, &c->cmd));
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkAllocateCommandBuffers");
        goto fail_pool;
    }
    VkFenceCreateInfo fence_info = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    r = LL_VK(vkCreateFence(dev, &fence_info, NULL, &c->fence));
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkCreateFence");
        goto fail_pool;
    }
    return c;

fail_pool:
    vkDestroyCommandPool(dev, c->pool, NULL); /* frees the command buffer */
fail_free:
    ll_free(c);
    return NULL;
}

static void forget_images(ll_commands *c)
{
    if (c->images != c->inline_images)
        ll_free(c->images);
    c->images = c->inline_images;
    c->image_capacity = INLINE_IMAGES;
    c->image_count = 0;
    c->record_failed = false;
}

void ll_commands_destroy(ll_commands *c)
{
    if (c == NULL)
        return;
    VkDevice dev = ll_session_vk(c->session);
    if (c->pending)
        vkWaitForFences(dev, 1, &c->fence, VK_TRUE, UINT64_MAX);
    if (c->state == STATE_RECORDING)
        vkEndCommandBuffer(c->cmd);
    vkDestroyFence(dev, c->fence, NULL);
    vkDestroyCommandPool(dev, c->pool, NULL);
    forget_images(c);
    ll_free(c);
}

bool ll_commands_wait(ll_commands *c, ll_error *err)
{
    if (!c->pending)
        return true;
    VkResult r = LL_VK_AFTER(vkWaitForFences(ll_session_vk(c->session), 1, &c->fence, VK_TRUE,
                                             UINT64_MAX));
    if (r != VK_SUCCESS)
        return ll_fail_vk(err, r, "vkWaitForFences");
    c->pending = false;
    return true;
}

bool ll_commands_begin(ll_commands *c, ll_error *err)
{
    if (c->state == STATE_RECORDING)
        return ll_fail(err, LL_E_STATE, "the command buffer is being recorded already");
    if (!ll_commands_wait(c, err))
        return false;
    forget_images(c);
    c->state = STATE_INITIAL;
    VkResult r = LL_VK(vkResetCommandPool(ll_session_vk(c->session), c->pool, 0));
    if (r != VK_SUCCESS)
        return ll_fail_vk(err, r, "vkResetCommandPool");
    VkCommandBufferBeginInfo begin = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
        .flags = c->kind == LL_COMMANDS_ONE_SHOT ? VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT
                                                 : 0,
    };
    r = LL_VK(vkBeginCommandBuffer(c->cmd, &begin));
    if (r != VK_SUCCESS)
        return ll_fail_vk(err, r, "vkBeginCommandBuffer");
    c->state = STATE_RECORDING;
    return true;
}

VkCommandBuffer ll_commands_vk(const ll_commands *c)
{
    return c->cmd;
}

bool ll_commands_recording(const ll_commands *c)
{
    return c->state == STATE_RECORDING;
}

/* ---- barriers ------------------------------------------------------------------------- */

void ll_commands_buffer_barrier(ll_commands *c, VkBuffer buffer, uint64_t offset,
                                uint64_t size, VkPipelineStageFlags src_stage,
                                VkAccessFlags src_access, VkPipelineStageFlags dst_stage,
                                VkAccessFlags dst_access)
{
    VkBufferMemoryBarrier barrier = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER,
        .srcAccessMask = src_access,
        .dstAccessMask = dst_access,
        .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
        .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
        .buffer = buffer,
        .offset = offset,
        .size = size,
    };
    vkCmdPipelineBarrier(c->cmd, src_stage, dst_stage, 0, 0, NULL, 1, &barrier, 0, NULL);
}

void ll_commands_memory_barrier(ll_commands *c, VkPipelineStageFlags src_stage,
                                VkAccessFlags src_access, VkPipelineStageFlags dst_stage,
                                VkAccessFlags dst_access)
{
    const VkMemoryBarrier all = {VK_STRUCTURE_TYPE_MEMORY_BARRIER, NULL, src_access, dst_access};
    vkCmdPipelineBarrier(c->cmd, src_stage, dst_stage, 0, 1, &all, 0, NULL, 0, NULL);
}

/* ---- tracked image layouts ------------------------------------------------------------- */

static image_use *find_image(ll_commands *c, const VkImageLayout *tracked)
{
    for (size_t i = 0; i < c->image_count; i++)
        if (c->images[i].tracked == tracked)
            return &c->images[i];
    return NULL;
}

/* The tracked layout now. One-shot buffers are recorded under the command lock already. */
static VkImageLayout read_tracked(ll_commands *c, const VkImageLayout *tracked)
{
    if (c->kind == LL_COMMANDS_ONE_SHOT)
        return *tracked;
    ll_session_lock_commands(c->session);
    VkImageLayout layout = *tracked;
    ll_session_unlock_commands(c->session);
    return layout;
}

VkImageLayout ll_commands_image_layout(ll_commands *c, VkImageLayout *tracked)
{
    const image_use *use = find_image(c, tracked);
    return use != NULL ? use->last : read_tracked(c, tracked);
}

/* The entry of an image, added on its first use; NULL when out of host memory. */
static image_use *use_image(ll_commands *c, VkImageLayout *tracked)
{
    image_use *use = find_image(c, tracked);
    if (use != NULL)
        return use;
    if (c->image_count == c->image_capacity) {
        size_t capacity = c->image_capacity * 2;
        image_use *grown = ll_malloc(capacity * sizeof *grown);
        if (grown == NULL)
            return NULL;
        memcpy(grown, c->images, c->image_count * sizeof *grown);
        if (c->images != c->inline_images)
            ll_free(c->images);
        c->images = grown;
        c->image_capacity = capacity;
    }
    use = &c->images[c->image_count++];
    use->tracked = tracked;
    use->first = use->last = read_tracked(c, tracked);
    return use;
}

void ll_commands_change_layout(ll_commands *c, VkImage image, VkImageLayout *tracked,
                               VkImageLayout to, VkPipelineStageFlags src_stage,
                               VkAccessFlags src_access, VkPipelineStageFlags dst_stage,
                               VkAccessFlags dst_access)
{
    image_use *use = use_image(c, tracked);
    if (use == NULL) {
        c->record_failed = true;
        return;
    }
    VkImageMemoryBarrier barrier = {
        .sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
        .srcAccessMask = src_access,
        .dstAccessMask = dst_access,
        .oldLayout = use->last,
        .newLayout = to,
        .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
        .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
        .image = image,
        .subresourceRange = {.aspectMask = VK_IMAGE_ASPECT_COLOR_BIT, .levelCount = 1,
                             .layerCount = 1},
    };
    vkCmdPipelineBarrier(c->cmd, src_stage, dst_stage, 0, 0, NULL, 0, NULL, 1, &barrier);
    use->last = to;
}

/* ---- submitting ------------------------------------------------------------------------ */

static const char *layout_name(VkImageLayout layout)
{
    switch (layout) {
    case VK_IMAGE_LAYOUT_UNDEFINED: return "Undefined";
    case VK_IMAGE_LAYOUT_GENERAL: return "General";
    case VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL: return "TransferSrcOptimal";
    case VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL: return "TransferDstOptimal";
    case VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL: return "ShaderReadOnlyOptimal";
    default: return "another layout";
    }
}

/* Under the command lock: every image is in the layout the buffer was recorded for. */
static bool check_layouts(const ll_commands *c, ll_error *err)
{
    for (size_t i = 0; i < c->image_count; i++) {
        const image_use *use = &c->images[i];
        if (*use->tracked != use->first)
            return ll_fail(err, LL_E_STATE, "the command buffer was recorded for an image in "
                           "layout %s, which is in layout %s now", layout_name(use->first),
                           layout_name(*use->tracked));
    }
    return true;
}

/* Ends the recording; a one-shot buffer that fails here is dropped. */
static bool end_recording(ll_commands *c, ll_error *err)
{
    if (c->state == STATE_INITIAL)
        return ll_fail(err, LL_E_STATE, c->kind == LL_COMMANDS_ONE_SHOT
                       ? "a one-shot command buffer must be begun again before each submit"
                       : "the command buffer has not been recorded");
    if (c->state == STATE_EXECUTABLE)
        return true;
    if (c->record_failed) {
        ll_commands_abort(c);
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory recording commands");
    }
    VkResult r = LL_VK_AFTER(vkEndCommandBuffer(c->cmd));
    if (r != VK_SUCCESS) {
        c->state = STATE_INITIAL;
        return ll_fail_vk(err, r, "vkEndCommandBuffer");
    }
    c->state = STATE_EXECUTABLE;
    return true;
}

bool ll_commands_end(ll_commands *c, ll_error *err)
{
    return end_recording(c, err);
}

/* With the command lock held. */
static bool submit_locked(ll_commands *c, ll_error *err)
{
    if (!end_recording(c, err) || !ll_commands_wait(c, err) || !check_layouts(c, err))
        return false;
    /* Reset before the submit, not after the wait: a failed reset then never leaves a
     * signaled fence for the next submit. */
    VkResult r = LL_VK(vkResetFences(ll_session_vk(c->session), 1, &c->fence));
    if (r != VK_SUCCESS)
        return ll_fail_vk(err, r, "vkResetFences");
    VkSubmitInfo submit = {
        .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
        .commandBufferCount = 1,
        .pCommandBuffers = &c->cmd,
    };
    r = ll_device_submit(ll_session_device(c->session), &submit, c->fence);
    if (r != VK_SUCCESS)
        return ll_fail_vk(err, r, "vkQueueSubmit");
    c->pending = true;
    /* Accepted: later submissions run after it, so they start from its layouts. */
    for (size_t i = 0; i < c->image_count; i++)
        *c->images[i].tracked = c->images[i].last;
    if (c->kind == LL_COMMANDS_ONE_SHOT)
        c->state = STATE_INITIAL; /* spent: begin it again */
    return true;
}

bool ll_commands_submit_async(ll_commands *c, ll_error *err)
{
    if (c->kind == LL_COMMANDS_ONE_SHOT)
        return submit_locked(c, err);
    ll_session_lock_commands(c->session);
    bool ok = submit_locked(c, err);
    ll_session_unlock_commands(c->session);
    return ok;
}

bool ll_commands_submit(ll_commands *c, ll_error *err)
{
    return ll_commands_submit_async(c, err) && ll_commands_wait(c, err);
}

void ll_commands_abort(ll_commands *c)
{
    if (c->state == STATE_RECORDING)
        vkEndCommandBuffer(c->cmd);
    c->state = STATE_INITIAL;
    forget_images(c);
}

/* ---- the session's one-shot commands ---------------------------------------------------- */

static const char once_key = 0; /* its address names the attachment */

static void destroy_once(void *object)
{
    ll_commands_destroy(object);
}

ll_commands *ll_commands_begin_once(ll_session *s, ll_error *err)
{
    ll_session_lock_commands(s);
    ll_commands *c = ll_session_attachment(s, &once_key);
    if (c == NULL) {
        c = ll_commands_create(s, LL_COMMANDS_ONE_SHOT, err);
        if (c != NULL && !ll_session_attach(s, &once_key, c, destroy_once, err)) {
            ll_commands_destroy(c);
            c = NULL;
        }
    }
    if (c == NULL || !ll_commands_begin(c, err)) {
        ll_session_unlock_commands(s);
        return NULL;
    }
    return c;
}

bool ll_commands_submit_once(ll_commands *c, ll_error *err)
{
    bool ok = ll_commands_submit(c, err);
    if (!ok)
        ll_commands_abort(c);
    ll_session_unlock_commands(c->session);
    return ok;
}

void ll_commands_abort_once(ll_commands *c)
{
    ll_commands_abort(c);
    ll_session_unlock_commands(c->session);
}

bool ll_commands_run(ll_session *s, ll_commands_record record, void *user, ll_error *err)
{
    ll_commands *c = ll_commands_begin_once(s, err);
    if (c == NULL)
        return false;
    record(c, user);
    return ll_commands_submit_once(c, err);
}
