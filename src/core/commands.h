/* commands.h: command buffers of a session, one-shot or reusable, the barriers recorded into
 * them, and the layouts of images they change, committed only by a successful submit.
 * Not for: what is recorded between the barriers (copies, clears, dispatches: the callers'
 * files), or transfers through the staging buffer (staging.h). */
#ifndef LL_COMMANDS_H
#define LL_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>

#include <volk.h>

#include "lluvia/error.h"
#include "lluvia/session.h"

typedef struct ll_commands ll_commands;

typedef enum ll_commands_kind {
    /* Recorded for one submission and recorded again for the next. Recorded and submitted
     * while the caller holds the session's command lock (ll_session_lock_commands). */
    LL_COMMANDS_ONE_SHOT,
    /* Recorded once, submitted any number of times. Recorded without the command lock;
     * ll_commands_submit takes it. */
    LL_COMMANDS_REUSABLE
} ll_commands_kind;

/* A command buffer with its own command pool and fence. NULL and err on failure. */
ll_commands *ll_commands_create(ll_session *session, ll_commands_kind kind, ll_error *err);

/* Waits for a pending submission, then frees the buffer. NULL does nothing. */
void ll_commands_destroy(ll_commands *commands);

/* Starts recording, dropping what was recorded before (waits for a pending submission
 * first). */
bool ll_commands_begin(ll_commands *commands, ll_error *err);

/* The buffer to record commands into between ll_commands_begin and the submit. */
VkCommandBuffer ll_commands_vk(const ll_commands *commands);

/* True between ll_commands_begin and the end of the recording (submit or abort). */
bool ll_commands_recording(const ll_commands *commands);

/* ---- barriers ------------------------------------------------------------------------- */

/* A barrier on bytes [offset, offset + size) of one buffer. */
void ll_commands_buffer_barrier(ll_commands *commands, VkBuffer buffer, uint64_t offset,
                                uint64_t size, VkPipelineStageFlags src_stage,
                                VkAccessFlags src_access, VkPipelineStageFlags dst_stage,
                                VkAccessFlags dst_access);

/* A barrier on all memory (VkMemoryBarrier). */
void ll_commands_memory_barrier(ll_commands *commands, VkPipelineStageFlags src_stage,
                                VkAccessFlags src_access, VkPipelineStageFlags dst_stage,
                                VkAccessFlags dst_access);

/* ---- tracked image layouts -------------------------------------------------------------
 * An image's tracked layout (`*tracked`, a field of the image that this module alone
 * writes) is its layout after every command buffer submitted so far; it is read and written
 * only under the session's command lock. A command buffer remembers, for each image it
 * changes, the layout the image had when the buffer first touched it and the layout it has
 * at the buffer's end. A submit commits the end layouts once the queue accepted the buffer;
 * a failed submit and an abort leave every tracked layout as it was. A reusable buffer is
 * submitted only while each image is still in the layout it was recorded for (LL_E_STATE
 * otherwise). Images are whole: one mip level, one layer, the color aspect. */

/* The layout the image has at this point of the recording. */
VkImageLayout ll_commands_image_layout(ll_commands *commands, VkImageLayout *tracked);

/* Records a barrier that moves the image from its layout at this point of the recording to
 * `to` (to itself: a barrier that keeps the layout). A failure to remember the image (out
 * of host memory) is reported by the submit, which then submits nothing. */
void ll_commands_change_layout(ll_commands *commands, VkImage image, VkImageLayout *tracked,
                               VkImageLayout to, VkPipelineStageFlags src_stage,
                               VkAccessFlags src_access, VkPipelineStageFlags dst_stage,
                               VkAccessFlags dst_access);

/* ---- submitting ------------------------------------------------------------------------ */

/* Ends the recording (a submit ends it too): the buffer is then ready to submit. Errors as
 * the submit's: LL_E_STATE for a buffer never begun, LL_E_HOST_MEMORY for a recording that
 * could not remember an image (then dropped), the Vulkan failure. */
bool ll_commands_end(ll_commands *commands, ll_error *err);

/* Ends the recording if it is under way, submits the buffer and waits for the device to
 * run it. A failure before the queue accepted the buffer commits nothing; a failed wait
 * after that leaves the layouts committed, since the device runs the buffer all the same.
 * A one-shot buffer is begun again before its next submit. */
bool ll_commands_submit(ll_commands *commands, ll_error *err);

/* As ll_commands_submit, without the wait: ll_commands_wait (or begin, or destroy) waits. */
bool ll_commands_submit_async(ll_commands *commands, ll_error *err);

/* Waits for the last submission, if it is still pending. */
bool ll_commands_wait(ll_commands *commands, ll_error *err);

/* Drops a recording under way (one that failed half-way, say): nothing of it is submitted
 * or committed. */
void ll_commands_abort(ll_commands *commands);

/* ---- the session's one-shot commands ---------------------------------------------------- */

/* Takes the session's command lock and begins its one-shot buffer (made on first use and
 * attached to the session). End with ll_commands_submit_once or ll_commands_abort_once,
 * which release the lock. NULL and err (lock released) on failure. */
ll_commands *ll_commands_begin_once(ll_session *session, ll_error *err);
bool ll_commands_submit_once(ll_commands *commands, ll_error *err);
void ll_commands_abort_once(ll_commands *commands);

/* Begins the session's one-shot buffer, calls record(commands, user) and submits it. */
typedef void (*ll_commands_record)(ll_commands *commands, void *user);
bool ll_commands_run(ll_session *session, ll_commands_record record, void *user,
                     ll_error *err);

/* The commands of a script's command buffer (lluvia/command_buffer.h), for the core files
 * that record into it. */
typedef struct ll_command_buffer ll_command_buffer;
ll_commands *ll_command_buffer_commands(ll_command_buffer *cb);

#endif
