/* session.h: a Session, lluvia's entry point: the chosen device, its memory types, the lock
 * its commands are recorded and submitted under, and the objects other parts of the core
 * attach to it. Several sessions with the same options share one VkInstance and VkDevice
 * (device.h) but are separate objects. Not for: memory placement (memory.h), command
 * buffers (commands.h) or transfers (staging.h). */
#ifndef LL_SESSION_H
#define LL_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include <volk.h>

#include "lluvia/device.h"
#include "lluvia/error.h"

/* How buffer transfers reach device memory (docs/memory.md, Transfer paths). AUTO: memcpy
 * through the mapping of host-visible memory; else the array's own pages imported
 * (VK_EXT_external_memory_host) for arrays of LL_IMPORT_THRESHOLD bytes and up, one
 * vkCmdUpdateBuffer for writes of up to 64 KiB, the staging buffer for the rest. DIRECT:
 * as AUTO. STAGING: every transfer through staging (= force_staging). IMPORT: as AUTO for
 * memory the host cannot map, also for host-visible memory (with no threshold), so that
 * those paths run on devices whose memory is all host-visible (lavapipe). */
typedef enum ll_transfer_path {
    LL_TRANSFER_AUTO = 0,
    LL_TRANSFER_DIRECT,
    LL_TRANSFER_STAGING,
    LL_TRANSFER_IMPORT,
} ll_transfer_path;

/* Arrays from this many bytes up are imported on their first transfer (AUTO). */
#define LL_IMPORT_THRESHOLD (1u << 20)

typedef struct ll_session_options {
    bool enable_debug;          /* Khronos validation layer, where installed */
    const char *device;         /* NULL: $LLUVIA_DEVICE, else the first discrete GPU, else 0 */
    bool force_staging;         /* route every transfer through staging (also $LLUVIA_FORCE_STAGING) */
    bool simulate_non_coherent; /* flush and invalidate coherent memory as if it were not
                                   (also $LLUVIA_SIMULATE_NONCOHERENT): for tests */
    uint64_t buffer_image_granularity; /* 0: the device's; else a larger power of two (tests) */
    uint64_t staging_size;      /* bytes of the staging buffer; 0: LL_DEFAULT_STAGING_SIZE */
    bool device_only;           /* Memories asked for as DeviceLocal (and not HostVisible)
                                   are not host-visible, as on discrete GPUs, even where the
                                   type is (also $LLUVIA_DEVICE_ONLY): for tests */
    ll_transfer_path transfer_path; /* force_staging is STAGING (with DIRECT or IMPORT:
                                       LL_E_ARGUMENT); AUTO: $LLUVIA_TRANSFER_PATH (auto,
                                       direct, staging, import) if set. A path other than
                                       AUTO wins over $LLUVIA_FORCE_STAGING */
} ll_session_options;

#define LL_DEFAULT_STAGING_SIZE (16u << 20)

/* Opaque: other files use the accessors below. */
typedef struct ll_session ll_session;

/* Creates a session; NULL and err on failure. */
ll_session *ll_session_create(const ll_session_options *options, ll_error *err);

/* Reference counting: objects made from a session retain it. */
void ll_session_retain(ll_session *session);
void ll_session_release(ll_session *session);

/* The device it uses (shared with other sessions of the same options), and its parts. */
ll_device *ll_session_device(const ll_session *session);
VkDevice ll_session_vk(const ll_session *session);
const VkPhysicalDeviceProperties *ll_session_properties(const ll_session *session);
const VkPhysicalDeviceMemoryProperties *ll_session_memory_properties(const ll_session *session);

/* A good workgroup shape for a compute of `dimension` (1, 2 or 3) axes, within the limits
 * of a device whose workgroups hold at most `max_invocations` invocations and max_size[i]
 * along axis i: D1 (min(invocations, size x), 1, 1); D2 the largest square the invocations
 * hold, widened along y when x is capped ((32, 32, 1) for 1024); D3 a depth of up to 4,
 * then D2's rule over what remains ((16, 16, 4) for 1024). Every axis is at least 1. */
void ll_good_local_shape(uint32_t max_invocations, const uint32_t max_size[3],
                         unsigned dimension, uint32_t shape[3]);

/* ll_good_local_shape with the session's device limits (maxComputeWorkGroupInvocations,
 * maxComputeWorkGroupSize). */
void ll_session_good_local_shape(const ll_session *session, unsigned dimension,
                                 uint32_t shape[3]);

/* The device's id, as ll_enumerate_devices lists it. */
uint32_t ll_session_device_id(const ll_session *session);

/* The options in force: whether every transfer goes through staging (the option or
 * $LLUVIA_FORCE_STAGING), the bufferImageGranularity that placement keeps (the device's or
 * the larger one asked for), and the staging buffer's size in bytes. */
bool ll_session_force_staging(const ll_session *session);
ll_transfer_path ll_session_transfer_path(const ll_session *session);
/* "auto", "direct", "staging", "import"; NULL for another value. */
const char *ll_transfer_path_name(ll_transfer_path path);
/* The path named `name` (the names above); LL_E_ARGUMENT naming `what` and the value. */
bool ll_transfer_path_parse(const char *name, const char *what, ll_transfer_path *out,
                            ll_error *err);
/* Whether Memories asked for as DeviceLocal are treated as not host-visible. */
bool ll_session_device_only(const ll_session *session);
/* Whether the session's Memories treat coherent memory as non-coherent. */
bool ll_session_simulates_non_coherent(const ll_session *session);
VkDeviceSize ll_session_granularity(const ll_session *session);
VkDeviceSize ll_session_staging_size(const ll_session *session);

/* Checks the session's invariants (device, attachments, granularity, staging size). True
 * if all hold; else false with LL_E_STATE and a description in err (when not NULL). For
 * tests and ll._debug.validate. */
bool ll_session_validate(const ll_session *session, ll_error *err);

/* Whether the validation layer is on for this session. */
bool ll_session_validation_enabled(const ll_session *session);

/* The rule for an operation on objects of two sessions (copies): both must be of this one
 * session, on the same device or not. A session's commands are recorded and ordered under
 * its own command lock, which also guards its images' layouts, so an operation cannot take
 * part in two sessions' streams. LL_E_ARGUMENT naming `what` (the operand of `other`) and
 * whether other is on the same VkDevice; true when other is session. */
bool ll_session_check_same(const ll_session *session, const ll_session *other,
                           const char *what, ll_error *err);

/* True once the validation layer reported a warning or error since the session was made
 * (counted per VkInstance: sessions sharing one see each other's messages). */
bool ll_session_has_warnings(const ll_session *session);

/* The session's command lock: held while one-shot commands of the session are recorded
 * and submitted (commands.h, staging.h) and while any command buffer of it is submitted;
 * it guards the tracked layouts of the session's images. Not recursive. */
void ll_session_lock_commands(ll_session *session);
void ll_session_unlock_commands(ll_session *session);

/* Attachments: objects other parts of the core hang off a session (the staging buffer, the
 * one-shot command buffer, ...) without session.c knowing them. `key` is any address the
 * owner chooses (a static of its file); `destroy(object)` runs when the session is
 * released, attachments in the reverse order of their attaching. LL_E_STATE when the key
 * is attached already, LL_E_HOST_MEMORY; on failure nothing is attached. Thread-safe. */
bool ll_session_attach(ll_session *session, const void *key, void *object,
                       void (*destroy)(void *object), ll_error *err);

/* The object attached under key, or NULL. Thread-safe. */
void *ll_session_attachment(ll_session *session, const void *key);

/* The object attached under key, made by make(session, err) and attached on first use
 * (when another thread attaches one first, ours is destroyed and theirs returned). NULL
 * and err when make or attaching fails. Thread-safe. */
void *ll_session_attachment_made(ll_session *session, const void *key,
                                 void *(*make)(ll_session *session, ll_error *err),
                                 void (*destroy)(void *object), ll_error *err);

#endif
