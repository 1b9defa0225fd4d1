/* session.c: creating and releasing sessions, their command lock, and the objects attached
 * to them. Not for: command buffers (commands.c) or what is attached (staging.c, ...). */
#include "lluvia/session.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "vk_util.h"

/* One object hung off a session (ll_session_attach). */
typedef struct ll_attachment {
    const void *key;
    void *object;
    void (*destroy)(void *object);
    struct ll_attachment *next;
} ll_attachment;

struct ll_session {
    atomic_int refs;
    ll_device *device;          /* shared; VkDevice, queue, properties */
    uint64_t messages_at_start; /* of the device's instance, when the session was made */
    bool force_staging;
    ll_transfer_path transfer_path;
    bool simulate_non_coherent;
    bool device_only;
    VkDeviceSize granularity;   /* bufferImageGranularity in force */
    VkDeviceSize staging_size;
    pthread_mutex_t command_lock; /* see ll_session_lock_commands */
    pthread_mutex_t attachment_lock;
    ll_attachment *attachments; /* newest first */
};

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
    /* Every flag is read here, so that a misspelt one fails the session, not later. */
    bool env_debug, env_staging, env_sync; /* env_sync is read again by the instance */
    bool env_non_coherent, env_device_only;
    if (!ll_env_flag("LLUVIA_ENABLE_DEBUG", &env_debug, err) ||
        !ll_env_flag("LLUVIA_DEVICE_ONLY", &env_device_only, err) ||
        !ll_env_flag("LLUVIA_FORCE_STAGING", &env_staging, err) ||
        !ll_env_flag("LLUVIA_SIMULATE_NONCOHERENT", &env_non_coherent, err) ||
        !ll_env_flag("LLUVIA_VALIDATE_SYNC", &env_sync, err))
        return NULL;
    bool debug = options->enable_debug || env_debug;
    /* The options first (forceStaging is the path "staging"), then the environment. */
    ll_transfer_path path = options->transfer_path;
    if (ll_transfer_path_name(path) == NULL)
        return ll_fail(err, LL_E_ARGUMENT, "transferPath must be one of auto, direct, staging, "
                       "import, got %d", (int)path), NULL;
    if (options->force_staging && path != LL_TRANSFER_AUTO && path != LL_TRANSFER_STAGING)
        return ll_fail(err, LL_E_ARGUMENT, "forceStaging = true contradicts transferPath "
                       "'%s'", ll_transfer_path_name(path)), NULL;
    if (options->force_staging)
        path = LL_TRANSFER_STAGING;
    const char *env_path = getenv("LLUVIA_TRANSFER_PATH");
    if (path == LL_TRANSFER_AUTO && env_path != NULL && env_path[0] != '\0' &&
        !ll_transfer_path_parse(env_path, "LLUVIA_TRANSFER_PATH", &path, err))
        return NULL;
    uint32_t index;
    if (!ll_choose_device(spec, &index, err))
        return NULL;

    ll_session *s = ll_calloc(1, sizeof *s);
    if (s == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating a session"), NULL;
    atomic_init(&s->refs, 1);
    s->device = ll_device_acquire(debug, index, err);
    if (s->device == NULL)
        goto fail_free;
    s->messages_at_start = ll_device_message_count(s->device);
    /* A path asked for by name wins over $LLUVIA_FORCE_STAGING (specs of the other paths
     * run under it too); forceStaging is the path "staging". */
    s->transfer_path = path != LL_TRANSFER_AUTO ? path
                       : env_staging ? LL_TRANSFER_STAGING : LL_TRANSFER_AUTO;
    s->force_staging = s->transfer_path == LL_TRANSFER_STAGING;
    s->simulate_non_coherent = options->simulate_non_coherent || env_non_coherent;
    s->device_only = options->device_only || env_device_only;
    s->staging_size = options->staging_size ? options->staging_size : LL_DEFAULT_STAGING_SIZE;
    const VkPhysicalDeviceLimits *limits = &ll_device_properties(s->device)->limits;
    VkDeviceSize device_granularity = limits->bufferImageGranularity;
    s->granularity = granularity > device_granularity ? granularity : device_granularity;

    if (pthread_mutex_init(&s->command_lock, NULL) != 0) {
        ll_fail(err, LL_E_HOST_MEMORY, "cannot create the session's command lock");
        goto fail_device;
    }
    if (pthread_mutex_init(&s->attachment_lock, NULL) != 0) {
        ll_fail(err, LL_E_HOST_MEMORY, "cannot create the session's attachment lock");
        goto fail_command_lock;
    }
    return s;

fail_command_lock:
    pthread_mutex_destroy(&s->command_lock);
fail_device:
    ll_device_release(s->device);
fail_free:
    ll_free(s);
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
    while (s->attachments != NULL) { /* newest first */
        ll_attachment *a = s->attachments;
        s->attachments = a->next;
        a->destroy(a->object);
        ll_free(a);
    }
    pthread_mutex_destroy(&s->attachment_lock);
    pthread_mutex_destroy(&s->command_lock);
    ll_device_release(s->device);
    ll_free(s);
}

/* Each attachment has an object and a destroy function, and a key of its own. */
static bool attachments_valid(const ll_session *s)
{
    pthread_mutex_t *lock = (pthread_mutex_t *)&s->attachment_lock; /* not part of its value */
    pthread_mutex_lock(lock);
    bool ok = true;
    for (const ll_attachment *a = s->attachments; a != NULL && ok; a = a->next) {
        ok = a->object != NULL && a->destroy != NULL;
        for (const ll_attachment *b = a->next; b != NULL && ok; b = b->next)
            ok = b->key != a->key;
    }
    pthread_mutex_unlock(lock);
    return ok;
}

bool ll_session_validate(const ll_session *s, ll_error *err)
{
    if (atomic_load(&s->refs) < 1)
        return ll_fail(err, LL_E_STATE, "session refs %d < 1", atomic_load(&s->refs));
    if (s->device == NULL || ll_device_vk(s->device) == VK_NULL_HANDLE)
        return ll_fail(err, LL_E_STATE, "session has no device");
    if (!attachments_valid(s))
        return ll_fail(err, LL_E_STATE, "session has an attachment without an object or a "
                       "destroy function, or two of one key");
    VkDeviceSize device_granularity = ll_device_properties(s->device)->limits.bufferImageGranularity;
    if (!is_power_of_two(s->granularity) || s->granularity < device_granularity)
        return ll_fail(err, LL_E_STATE, "session granularity %llu is not a power of two >= "
                       "the device's %llu", (unsigned long long)s->granularity,
                       (unsigned long long)device_granularity);
    if (s->staging_size == 0)
        return ll_fail(err, LL_E_STATE, "session staging size is 0");
    return true;
}

ll_device *ll_session_device(const ll_session *s) { return s->device; }
VkDevice ll_session_vk(const ll_session *s) { return ll_device_vk(s->device); }
static uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static uint32_t at_least_1(uint32_t v) { return v == 0 ? 1 : v; }

static uint32_t isqrt(uint32_t n)
{
    uint32_t r = 0;
    while ((uint64_t)(r + 1) * (r + 1) <= n)
        r++;
    return r;
}

/* The widest x and then y within `invocations` (x at most a square's side). */
static void good_2d(uint32_t invocations, const uint32_t max_size[3], uint32_t shape[3])
{
    shape[0] = at_least_1(min_u32(isqrt(invocations), max_size[0]));
    shape[1] = at_least_1(min_u32(invocations / shape[0], max_size[1]));
}

/* Deepest workgroup a D3 shape is given: lluvia's choice. */
#define GOOD_DEPTH 4

void ll_good_local_shape(uint32_t max_invocations, const uint32_t max_size[3],
                         unsigned dimension, uint32_t shape[3])
{
    uint32_t inv = at_least_1(max_invocations);
    shape[0] = shape[1] = shape[2] = 1;
    if (dimension <= 1) {
        shape[0] = at_least_1(min_u32(inv, max_size[0]));
    } else if (dimension == 2) {
        good_2d(inv, max_size, shape);
    } else {
        shape[2] = at_least_1(min_u32(min_u32(GOOD_DEPTH, max_size[2]), inv));
        good_2d(inv / shape[2], max_size, shape);
    }
}

void ll_session_good_local_shape(const ll_session *s, unsigned dimension, uint32_t shape[3])
{
    const VkPhysicalDeviceLimits *l = &ll_session_properties(s)->limits;
    ll_good_local_shape(l->maxComputeWorkGroupInvocations, l->maxComputeWorkGroupSize,
                        dimension, shape);
}

const VkPhysicalDeviceProperties *ll_session_properties(const ll_session *s)
{
    return ll_device_properties(s->device);
}
const VkPhysicalDeviceMemoryProperties *ll_session_memory_properties(const ll_session *s)
{
    return ll_device_memory_properties(s->device);
}
uint32_t ll_session_device_id(const ll_session *s) { return ll_device_index(s->device); }
bool ll_session_force_staging(const ll_session *s) { return s->force_staging; }
ll_transfer_path ll_session_transfer_path(const ll_session *s) { return s->transfer_path; }

static const char *const path_names[] = {"auto", "direct", "staging", "import"};

const char *ll_transfer_path_name(ll_transfer_path path)
{
    return (unsigned)path < sizeof path_names / sizeof path_names[0] ? path_names[path] : NULL;
}

bool ll_transfer_path_parse(const char *name, const char *what, ll_transfer_path *out,
                            ll_error *err)
{
    for (unsigned i = 0; i < sizeof path_names / sizeof path_names[0]; i++)
        if (strcmp(name, path_names[i]) == 0) {
            *out = (ll_transfer_path)i;
            return true;
        }
    return ll_fail(err, LL_E_ARGUMENT, "%s must be one of auto, direct, staging, import, got "
                   "'%s'", what, name);
}
bool ll_session_simulates_non_coherent(const ll_session *s) { return s->simulate_non_coherent; }
bool ll_session_device_only(const ll_session *s) { return s->device_only; }
VkDeviceSize ll_session_granularity(const ll_session *s) { return s->granularity; }
VkDeviceSize ll_session_staging_size(const ll_session *s) { return s->staging_size; }

bool ll_session_validation_enabled(const ll_session *session)
{
    return ll_device_validation_enabled(session->device);
}

bool ll_session_check_same(const ll_session *session, const ll_session *other,
                           const char *what, ll_error *err)
{
    if (other == session)
        return true;
    return ll_fail(err, LL_E_ARGUMENT, "%s belongs to another session %s: copies are made "
                   "only between objects of one session", what,
                   other->device == session->device ? "on the same device"
                                                    : "on another device");
}

bool ll_session_has_warnings(const ll_session *session)
{
    return ll_device_message_count(session->device) > session->messages_at_start;
}

void ll_session_lock_commands(ll_session *s)
{
    pthread_mutex_lock(&s->command_lock);
}

void ll_session_unlock_commands(ll_session *s)
{
    pthread_mutex_unlock(&s->command_lock);
}

static ll_attachment *find_attachment(const ll_session *s, const void *key)
{
    for (ll_attachment *a = s->attachments; a != NULL; a = a->next)
        if (a->key == key)
            return a;
    return NULL;
}

bool ll_session_attach(ll_session *s, const void *key, void *object,
                       void (*destroy)(void *object), ll_error *err)
{
    ll_attachment *a = ll_malloc(sizeof *a);
    if (a == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory attaching to a session");
    *a = (ll_attachment){.key = key, .object = object, .destroy = destroy};
    pthread_mutex_lock(&s->attachment_lock);
    bool taken = find_attachment(s, key) != NULL;
    if (!taken) {
        a->next = s->attachments;
        s->attachments = a;
    }
    pthread_mutex_unlock(&s->attachment_lock);
    if (taken) {
        ll_free(a);
        return ll_fail(err, LL_E_STATE, "the session has an attachment of this key already");
    }
    return true;
}

void *ll_session_attachment(ll_session *s, const void *key)
{
    pthread_mutex_lock(&s->attachment_lock);
    ll_attachment *a = find_attachment(s, key);
    void *object = a != NULL ? a->object : NULL;
    pthread_mutex_unlock(&s->attachment_lock);
    return object;
}

void *ll_session_attachment_made(ll_session *s, const void *key,
                                 void *(*make)(ll_session *session, ll_error *err),
                                 void (*destroy)(void *object), ll_error *err)
{
    void *object = ll_session_attachment(s, key);
    if (object != NULL)
        return object;
    object = make(s, err);
    if (object == NULL)
        return NULL;
    if (ll_session_attach(s, key, object, destroy, err))
        return object;
    destroy(object);
    /* Another thread may have attached its object first: then that one serves. */
    return ll_session_attachment(s, key); /* NULL: err says why attaching failed */
}
