/* command_buffer.c: the command buffers scripts record (lluvia/command_buffer.h): a reusable
 * ll_commands, the objects its commands use, kept until it is begun again, and the checks
 * those objects ask for at each submit. Not for: barriers and tracked layouts (commands.c)
 * or what a dispatch records (compute_node.c). */
#include "lluvia/command_buffer.h"

#include <stdatomic.h>

#include "commands.h"
#include "context.h"
#include "image_commands.h"
#include "lluvia/fault.h"
#include "vk_util.h"

typedef struct kept {
    void *obj;
    void (*release)(void *obj);
    ll_command_buffer_check check;
    uint64_t stamp;
} kept;

struct ll_command_buffer {
    atomic_int refs;
    ll_session *session;       /* retained */
    ll_commands *commands;
    kept *kept;
    size_t kept_count, kept_capacity;
    VkQueryPool timestamps;     /* made by the first timestamp; VK_NULL_HANDLE before */
    uint32_t timestamp_count;   /* written by the recording */
    bool timestamps_run;        /* the recording ran since it was ended: results exist */
};

ll_command_buffer *ll_command_buffer_create(ll_session *s, ll_error *err)
{
    ll_command_buffer *cb = ll_calloc(1, sizeof *cb);
    if (cb == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating a command buffer"),
               NULL;
    cb->commands = ll_commands_create(s, LL_COMMANDS_REUSABLE, err);
    if (cb->commands == NULL) {
        ll_free(cb);
        return NULL;
    }
    atomic_init(&cb->refs, 1);
    cb->session = s;
    ll_session_retain(s);
    return cb;
}

static void drop_kept(ll_command_buffer *cb)
{
    for (size_t i = cb->kept_count; i > 0; i--)
        cb->kept[i - 1].release(cb->kept[i - 1].obj);
    cb->kept_count = 0;
}

void ll_command_buffer_retain(ll_command_buffer *cb)
{
    atomic_fetch_add(&cb->refs, 1);
}

void ll_command_buffer_release(ll_command_buffer *cb)
{
    if (cb == NULL || atomic_fetch_sub(&cb->refs, 1) != 1)
        return;
    ll_commands_destroy(cb->commands); /* waits for a pending submission */
    if (cb->timestamps != VK_NULL_HANDLE)
        vkDestroyQueryPool(ll_session_vk(cb->session), cb->timestamps, NULL);
    drop_kept(cb);
    ll_free(cb->kept);
    ll_session_release(cb->session);
    ll_free(cb);
}

ll_session *ll_command_buffer_session(const ll_command_buffer *cb)
{
    return cb->session;
}

ll_commands *ll_command_buffer_commands(ll_command_buffer *cb)
{
    return cb->commands;
}

bool ll_command_buffer_recording(const ll_command_buffer *cb)
{
    return ll_commands_recording(cb->commands);
}

bool ll_command_buffer_begin(ll_command_buffer *cb, ll_error *err)
{
    if (ll_commands_recording(cb->commands))
        return ll_fail(err, LL_E_STATE, "the command buffer is being recorded already: end it "
                       "first");
    if (!ll_commands_begin(cb->commands, err))
        return false;
    drop_kept(cb);
    cb->timestamp_count = 0;
    cb->timestamps_run = false;
    return true;
}

static bool need_recording(const ll_command_buffer *cb, const char *what, ll_error *err)
{
    if (ll_commands_recording(cb->commands))
        return true;
    return ll_fail(err, LL_E_STATE, "%s needs a command buffer being recorded: call begin() "
                   "first", what);
}

bool ll_command_buffer_end(ll_command_buffer *cb, ll_error *err)
{
    if (!need_recording(cb, "ends", err))
        return false;
    return ll_commands_end(cb->commands, err);
}

void ll_command_buffer_abort(ll_command_buffer *cb)
{
    ll_commands_abort(cb->commands);
    drop_kept(cb);
    cb->timestamp_count = 0;
    cb->timestamps_run = false;
}

bool ll_command_buffer_keep(ll_command_buffer *cb, void *obj, void (*release)(void *obj),
                            ll_command_buffer_check check, uint64_t stamp, ll_error *err)
{
    if (cb->kept_count == cb->kept_capacity) {
        size_t capacity = cb->kept_capacity == 0 ? 8 : cb->kept_capacity * 2;
        kept *grown = ll_realloc(cb->kept, capacity * sizeof *grown);
        if (grown == NULL)
            return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory recording a command");
        cb->kept = grown;
        cb->kept_capacity = capacity;
    }
    cb->kept[cb->kept_count++] = (kept){obj, release, check, stamp};
    return true;
}

static void release_buffer(void *obj)
{
    ll_buffer_release(obj);
}

static void release_image(void *obj)
{
    ll_image_release(obj);
}

/* Keeps obj, which the caller retained for it: released again when keeping fails. */
static bool keep_retained(ll_command_buffer *cb, void *obj, void (*release)(void *obj),
                          ll_error *err)
{
    if (ll_command_buffer_keep(cb, obj, release, NULL, 0, err))
        return true;
    release(obj);
    return false;
}

static bool keep_buffer(ll_command_buffer *cb, ll_buffer *buffer, ll_error *err)
{
    ll_buffer_retain(buffer);
    return keep_retained(cb, buffer, release_buffer, err);
}

static bool keep_image(ll_command_buffer *cb, ll_image *image, ll_error *err)
{
    ll_image_retain(image);
    return keep_retained(cb, image, release_image, err);
}

/* Commands keep their objects before they record them, so that nothing recorded is ever
 * unkept; one that fails its checks after keeping leaves them kept until the next begin. */

/* The buffer is recording and an object of the command (its operand) is of its session. */
static bool can_record(const ll_command_buffer *cb, const char *what, const ll_session *s,
                       int operand, ll_error *err)
{
    if (!need_recording(cb, what, err))
        return false;
    if (ll_session_check_same(cb->session, s, "an object of the command", err))
        return true;
    return ll_error_blame(err, operand);
}

bool ll_command_buffer_memory_barrier(ll_command_buffer *cb, ll_error *err)
{
    if (!need_recording(cb, "memoryBarrier", err))
        return false;
    ll_commands_memory_barrier(cb->commands, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                               VK_ACCESS_MEMORY_WRITE_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                               VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT);
    return true;
}

bool ll_command_buffer_change_layout(ll_command_buffer *cb, ll_image *image,
                                     VkImageLayout layout, ll_error *err)
{
    if (!can_record(cb, "changeImageLayout", ll_image_session(image), 1, err))
        return false;
    if (!ll_image_check_layout(image, layout, err))
        return ll_error_blame(err, 2);
    if (!keep_image(cb, image, err))
        return false;
    ll_image_record_layout(cb->commands, image, layout);
    return true;
}

bool ll_command_buffer_clear_image(ll_command_buffer *cb, ll_image *image, ll_error *err)
{
    if (!can_record(cb, "clearImage", ll_image_session(image), 1, err))
        return false;
    if (!keep_image(cb, image, err))
        return false;
    if (!ll_image_record_clear(cb->commands, image, err))
        return ll_error_blame(err, 1);
    return true;
}

bool ll_command_buffer_copy_buffer_to_image(ll_command_buffer *cb, ll_buffer *src,
                                            ll_image *dst, ll_error *err)
{
    if (!can_record(cb, "copyBufferToImage", ll_image_session(dst), 2, err) ||
        !keep_buffer(cb, src, err) || !keep_image(cb, dst, err))
        return false;
    return ll_image_record_copy_from_buffer(cb->commands, src, dst, err);
}

bool ll_command_buffer_copy_image(ll_command_buffer *cb, ll_image *src, ll_image *dst,
                                  ll_error *err)
{
    if (!can_record(cb, "copyImageToImage", ll_image_session(src), 1, err) ||
        !keep_image(cb, src, err) || !keep_image(cb, dst, err))
        return false;
    return ll_image_record_copy(cb->commands, src, dst, err);
}

bool ll_command_buffer_copy_buffer(ll_command_buffer *cb, ll_buffer *src, ll_buffer *dst,
                                   ll_error *err)
{
    if (!can_record(cb, "copyBuffer", ll_memory_session(ll_buffer_memory(src)), 1, err) ||
        !can_record(cb, "copyBuffer", ll_memory_session(ll_buffer_memory(dst)), 2, err))
        return false;
    uint64_t size = ll_buffer_size(src);
    if (ll_buffer_size(dst) < size)
        return ll_fail(err, LL_E_ARGUMENT, "copyBuffer needs a destination of at least %llu "
                       "bytes, got %llu", (unsigned long long)size,
                       (unsigned long long)ll_buffer_size(dst)),
               ll_error_blame(err, 2);
    if (src == dst)
        return ll_fail(err, LL_E_ARGUMENT, "copyBuffer cannot copy a buffer onto itself"),
               ll_error_blame(err, 2);
    if (!keep_buffer(cb, src, err) || !keep_buffer(cb, dst, err))
        return false;
    VkCommandBuffer vk = ll_commands_vk(cb->commands);
    ll_commands_memory_barrier(cb->commands, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                               VK_ACCESS_MEMORY_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                               VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT);
    VkBufferCopy region = {.size = size};
    vkCmdCopyBuffer(vk, ll_buffer_vk(src), ll_buffer_vk(dst), 1, &region);
    ll_commands_memory_barrier(cb->commands, VK_PIPELINE_STAGE_TRANSFER_BIT,
                               VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                               VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT);
    return true;
}

bool ll_command_buffer_submit(ll_command_buffer *cb, ll_error *err)
{
    if (ll_commands_recording(cb->commands))
        return ll_fail(err, LL_E_STATE, "the command buffer is being recorded: call ends() "
                       "before running it");
    for (size_t i = 0; i < cb->kept_count; i++) {
        const kept *k = &cb->kept[i];
        if (k->check != NULL && !k->check(k->obj, k->stamp, err))
            return false;
    }
    if (!ll_commands_submit(cb->commands, err))
        return false;
    cb->timestamps_run = true;
    return true;
}

/* The device's timestamp bits on the session's queue: 0 where it has no timestamps. */
static uint32_t timestamp_bits(const ll_session *s)
{
    const ll_device *device = ll_session_device(s);
    VkPhysicalDevice physical = ll_device_physical(device);
    uint32_t family = ll_device_queue_family(device), count = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, NULL);
    VkQueueFamilyProperties families[32];
    if (count > 32)
        count = 32;
    vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, families);
    return family < count ? families[family].timestampValidBits : 0;
}

bool ll_command_buffer_timestamp(ll_command_buffer *cb, uint32_t *index, ll_error *err)
{
    if (!need_recording(cb, "timestamp", err))
        return false;
    if (cb->timestamp_count == LL_COMMAND_BUFFER_MAX_TIMESTAMPS)
        return ll_fail(err, LL_E_ARGUMENT, "a command buffer holds at most %d timestamps",
                       LL_COMMAND_BUFFER_MAX_TIMESTAMPS);
    if (cb->timestamps == VK_NULL_HANDLE) {
        if (timestamp_bits(cb->session) == 0)
            return ll_fail(err, LL_E_UNSUPPORTED, "the device has no timestamps on its compute "
                           "queue (timestampValidBits is 0)");
        VkQueryPoolCreateInfo info = {
            .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
            .queryType = VK_QUERY_TYPE_TIMESTAMP,
            .queryCount = LL_COMMAND_BUFFER_MAX_TIMESTAMPS,
        };
        VkResult r = LL_VK(vkCreateQueryPool(ll_session_vk(cb->session), &info, NULL,
                                             &cb->timestamps));
        if (r != VK_SUCCESS)
            return ll_fail_vk(err, r, "vkCreateQueryPool (timestamps)");
    }
    VkCommandBuffer vk = ll_commands_vk(cb->commands);
    if (cb->timestamp_count == 0)
        vkCmdResetQueryPool(vk, cb->timestamps, 0, LL_COMMAND_BUFFER_MAX_TIMESTAMPS);
    /* Written once every command before it has finished. */
    vkCmdWriteTimestamp(vk, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, cb->timestamps,
                        cb->timestamp_count);
    *index = cb->timestamp_count++;
    return true;
}

bool ll_command_buffer_timestamps(const ll_command_buffer *cb, double *ns, uint32_t capacity,
                                  uint32_t *count, ll_error *err)
{
    if (ll_commands_recording(cb->commands) || !cb->timestamps_run)
        return ll_fail(err, LL_E_STATE, "the command buffer's timestamps are read after it "
                       "ran: end it and run it first");
    uint32_t n = cb->timestamp_count < capacity ? cb->timestamp_count : capacity;
    *count = n;
    if (n == 0)
        return true;
    uint64_t ticks[LL_COMMAND_BUFFER_MAX_TIMESTAMPS];
    VkResult r = LL_VK(vkGetQueryPoolResults(ll_session_vk(cb->session), cb->timestamps, 0, n,
                                             sizeof ticks, ticks, sizeof ticks[0],
                                             VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
    if (r != VK_SUCCESS)
        return ll_fail_vk(err, r, "vkGetQueryPoolResults (timestamps)");
    uint32_t bits = timestamp_bits(cb->session);
    uint64_t mask = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    double period = ll_device_properties(ll_session_device(cb->session))->limits.timestampPeriod;
    for (uint32_t i = 0; i < n; i++)
        ns[i] = (double)((ticks[i] - ticks[0]) & mask) * period;
    return true;
}

bool ll_command_buffer_validate(const ll_command_buffer *cb, ll_error *err)
{
    if (cb->commands == NULL || cb->session == NULL)
        return ll_fail(err, LL_E_STATE, "command buffer without its commands or session");
    if (cb->kept_count > cb->kept_capacity || (cb->kept_capacity > 0 && cb->kept == NULL))
        return ll_fail(err, LL_E_STATE, "command buffer keeps %zu objects in room for %zu",
                       cb->kept_count, cb->kept_capacity);
    if (cb->timestamp_count > LL_COMMAND_BUFFER_MAX_TIMESTAMPS ||
        (cb->timestamp_count > 0 && cb->timestamps == VK_NULL_HANDLE))
        return ll_fail(err, LL_E_STATE, "command buffer has %u timestamps without their pool",
                       cb->timestamp_count);
    for (size_t i = 0; i < cb->kept_count; i++)
        if (cb->kept[i].obj == NULL || cb->kept[i].release == NULL)
            return ll_fail(err, LL_E_STATE, "command buffer keeps an empty entry %zu", i);
    return true;
}
