/* host_import.h: host storage of arrays (host_memory.h) imported into a session's device
 * with VK_EXT_external_memory_host, as a VkBuffer over the array's own pages that the copy
 * engine reads and writes. Made on the first transfer that wants it and cached with the
 * storage, one per session; an import ends with whichever goes first, the storage (its
 * memory is not freed before its imports are) or the session. Not for: deciding when to
 * import (buffer.c), or foreign memory, which is never imported. */
#ifndef LL_HOST_IMPORT_H
#define LL_HOST_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <volk.h>

#include "lluvia/error.h"
#include "lluvia/host_memory.h"
#include "lluvia/session.h"

typedef struct ll_host_import ll_host_import;

/* Whether `host` can be imported into the session's device: the extension is enabled, the
 * storage is the core's (not foreign), alive, and its start and capacity are multiples of
 * minImportedHostPointerAlignment. */
bool ll_host_import_possible(const ll_session *session, const ll_host_memory *host);

/* Whether a transfer of `size` bytes between `host` and an object of the session should
 * go through the storage's import (session.h, ll_transfer_path): the path is IMPORT, or
 * AUTO for an object the host cannot map (`mappable` false) and size reaches
 * LL_IMPORT_THRESHOLD; and the import is possible. */
bool ll_host_import_wanted(const ll_session *session, const ll_host_memory *host,
                           uint64_t size, bool mappable);

/* The buffer over the whole of `host`'s capacity in the session's device, imported now or
 * found in the cache. Errors (nothing cached): LL_E_UNSUPPORTED when the import is not
 * possible or no coherent host-visible type takes the pointer, device-memory and Vulkan
 * errors otherwise. The buffer is valid until the storage ends or the session goes: the
 * caller holds both across its use. Thread-safe. */
bool ll_host_import_buffer(ll_session *session, ll_host_memory *host, VkBuffer *out,
                           ll_error *err);

/* Ends every import of `host` (host_memory.c calls it before freeing the memory). */
void ll_host_import_end_all(ll_host_memory *host);

/* Imports live now and made so far, process-wide (ll._debug.transferStats). */
void ll_host_import_counts(uint64_t *live, uint64_t *total);

/* The head of `host`'s list of imports, which host_import.c alone reads and writes (under
 * its lock); host_memory.c keeps it. */
ll_host_import **ll_host_memory_imports(ll_host_memory *host);

#endif
