/* image_commands.h: what image.c records into a command buffer that its caller is
 * recording (a compute node's dispatch, a command buffer of the script's): layout changes,
 * clears and copies, and the layout an image has at a point of the recording.
 * Not for: the session's one-shot operations on images (image.h). */
#ifndef LL_IMAGE_COMMANDS_H
#define LL_IMAGE_COMMANDS_H

#include <stdbool.h>

#include <volk.h>

#include "commands.h"
#include "lluvia/buffer.h"
#include "lluvia/error.h"
#include "lluvia/image.h"

/* LL_E_ARGUMENT for a layout the image cannot be changed to (ll_image_change_layout's
 * rules). */
bool ll_image_check_layout(const ll_image *image, VkImageLayout layout, ll_error *err);

/* The image's layout at this point of c's recording. */
VkImageLayout ll_image_recorded_layout(ll_commands *c, ll_image *image);

/* Records a move of the image to `layout` (to itself: a barrier that keeps it, so that c
 * checks at submit that the image is still in the layout it was recorded for), after every
 * earlier command's writes and before every later command. The layout must pass
 * ll_image_check_layout. */
void ll_image_record_layout(ll_commands *c, ll_image *image, VkImageLayout layout);

/* The checks of ll_image_clear and ll_image_copy, then records the operation; the layouts
 * are as they were after it. Errors blame (ll_error.operand) as those functions do. */
bool ll_image_record_clear(ll_commands *c, ll_image *image, ll_error *err);
bool ll_image_record_copy(ll_commands *c, ll_image *src, ll_image *dst, ll_error *err);

/* Records a copy of the first minimum_size bytes of src (texels row-major, tightly
 * packed) into dst, after every earlier write to src. LL_E_ARGUMENT blaming src (1) when it
 * is smaller than that or of another session, dst (2) without TransferDst usage. */
bool ll_image_record_copy_from_buffer(ll_commands *c, ll_buffer *src, ll_image *dst,
                                      ll_error *err);

#endif
