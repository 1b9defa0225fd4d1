/* staging.h: transfers between host memory and device memory the host cannot map, through
 * one staging buffer the session owns and reuses (created on first use, never per
 * transfer), in chunks for transfers larger than it. Not for: host-visible memory, which
 * buffers copy to directly (unless the session forces staging). */
#ifndef LL_STAGING_H
#define LL_STAGING_H

#include <stdint.h>

#include <volk.h>

#include "commands.h"
#include "lluvia/error.h"
#include "lluvia/session.h"

/* Records the device side of one chunk into commands: the chunk holds bytes [done, done +
 * bytes) of the transfer and sits in `staging` at `staging_offset`. For an upload the
 * callback copies from staging to the object; for a download, from the object to staging.
 * It records whatever barriers the object needs around its copy. */
typedef void (*ll_staging_record)(ll_commands *commands, VkBuffer staging,
                                  VkDeviceSize staging_offset, uint64_t done, uint64_t bytes,
                                  void *user);

/* Copies `size` bytes from `src` to the device. Chunks are multiples of `unit` bytes (a
 * row of an image, say; 1 for buffers), so `unit` must not exceed the staging size. */
bool ll_staging_upload(ll_session *session, const void *src, uint64_t size, uint64_t unit,
                       ll_staging_record record, void *user, ll_error *err);

/* Copies `size` bytes from the device to `dst`, in the same way. */
bool ll_staging_download(ll_session *session, void *dst, uint64_t size, uint64_t unit,
                         ll_staging_record record, void *user, ll_error *err);

/* As the two above, with the host's bytes already in a buffer the device reads and writes
 * (an imported array, host_import.h), from its first byte: `record` runs once, for all
 * `size` bytes at offset 0, in one submit of the session's one-shot buffer, between
 * barriers that order the host's accesses of `host` around the copy. No staging buffer. */
bool ll_staging_run_imported(ll_session *session, bool upload, VkBuffer host, uint64_t size,
                             ll_staging_record record, void *user, ll_error *err);

#endif
