/* command_buffer.h: command buffers a script records (lluvia's CommandBuffer): begin, the
 * commands, end, then submit any number of times. Each command is checked before it is
 * recorded; what it uses is kept alive until the buffer is begun again or destroyed.
 * Not for: the session's one-shot commands or barriers' mechanics (the core's commands.h). */
#ifndef LL_COMMAND_BUFFER_H
#define LL_COMMAND_BUFFER_H

#include <stdbool.h>

#include <volk.h>

#include "lluvia/buffer.h"
#include "lluvia/error.h"
#include "lluvia/image.h"
#include "lluvia/session.h"

typedef struct ll_command_buffer ll_command_buffer;

/* A reusable command buffer of the session (retained). NULL and err on failure. */
ll_command_buffer *ll_command_buffer_create(ll_session *session, ll_error *err);
void ll_command_buffer_retain(ll_command_buffer *cb);
void ll_command_buffer_release(ll_command_buffer *cb);
ll_session *ll_command_buffer_session(const ll_command_buffer *cb);

/* begin: starts recording, dropping what was recorded (and kept) before; LL_E_STATE while
 * recording. end: ends it; LL_E_STATE when not recording. abort: drops a recording under
 * way (a failed record half-way), leaving the buffer as never recorded. */
bool ll_command_buffer_begin(ll_command_buffer *cb, ll_error *err);
bool ll_command_buffer_end(ll_command_buffer *cb, ll_error *err);
void ll_command_buffer_abort(ll_command_buffer *cb);
bool ll_command_buffer_recording(const ll_command_buffer *cb);

/* Commands; each needs the buffer recording (LL_E_STATE otherwise) and objects of its
 * session. Argument errors blame (ll_error.operand) the object at fault: 1 for the first
 * object, 2 for the second. */
bool ll_command_buffer_memory_barrier(ll_command_buffer *cb, ll_error *err);
bool ll_command_buffer_change_layout(ll_command_buffer *cb, ll_image *image,
                                     VkImageLayout layout, ll_error *err);
bool ll_command_buffer_clear_image(ll_command_buffer *cb, ll_image *image, ll_error *err);
bool ll_command_buffer_copy_buffer_to_image(ll_command_buffer *cb, ll_buffer *src,
                                            ll_image *dst, ll_error *err);
bool ll_command_buffer_copy_image(ll_command_buffer *cb, ll_image *src, ll_image *dst,
                                  ll_error *err);
/* Copies all of src into the start of dst: LL_E_ARGUMENT (blaming dst) when dst is smaller. */
bool ll_command_buffer_copy_buffer(ll_command_buffer *cb, ll_buffer *src, ll_buffer *dst,
                                   ll_error *err);

/* Keeps obj until the buffer is begun again or destroyed (release(obj) then), and, when
 * check is not NULL, calls check(obj, stamp, err) at each submit: false refuses it. For
 * the recorders of other files (compute nodes). False (LL_E_HOST_MEMORY) without keeping:
 * the caller releases obj itself, and the recording fails. */
typedef bool (*ll_command_buffer_check)(void *obj, uint64_t stamp, ll_error *err);
bool ll_command_buffer_keep(ll_command_buffer *cb, void *obj, void (*release)(void *obj),
                            ll_command_buffer_check check, uint64_t stamp, ll_error *err);

/* Submits the ended buffer and waits. LL_E_STATE while recording or never recorded, when
 * a kept object's check fails, or when an image is no longer in the layout the buffer was
 * recorded for. */
bool ll_command_buffer_submit(ll_command_buffer *cb, ll_error *err);

/* Timestamps (vkCmdWriteTimestamp), for timing what a buffer records. timestamp records one
 * (written once every command recorded before it has finished) and gives its index, from 0;
 * the first of a recording also resets the buffer's query pool, made on first use.
 * LL_E_UNSUPPORTED where the queue has no timestamps (timestampValidBits 0), LL_E_ARGUMENT
 * past LL_COMMAND_BUFFER_MAX_TIMESTAMPS. timestamps, after the buffer ran (LL_E_STATE before),
 * waits for the results and gives the nanoseconds of each since the first (ns[0] is 0):
 * min(capacity, recorded) of them in *count. */
#define LL_COMMAND_BUFFER_MAX_TIMESTAMPS 256
bool ll_command_buffer_timestamp(ll_command_buffer *cb, uint32_t *index, ll_error *err);
bool ll_command_buffer_timestamps(const ll_command_buffer *cb, double *ns, uint32_t capacity,
                                  uint32_t *count, ll_error *err);

/* The buffer's invariants (its commands, what it keeps); false with LL_E_STATE. For tests. */
bool ll_command_buffer_validate(const ll_command_buffer *cb, ll_error *err);

#endif
