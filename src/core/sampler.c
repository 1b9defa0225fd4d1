/* sampler.c: the per-session cache of shared samplers (sampler.h), attached to the session
 * (ll_session_attach), and the process-wide count checked against the device's
 * maxSamplerAllocationCount. Not for: image views (image_view.c). */
#include "lluvia/sampler.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>

#include "lluvia/fault.h"
#include "vk_util.h"

typedef struct entry {
    ll_sampler_desc desc;
    VkSampler sampler;
    uint32_t refs;
} entry;

typedef struct cache {
    ll_session *session;
    pthread_mutex_t lock;   /* guards everything below */
    entry *entries;         /* the live samplers, in no order */
    uint32_t count, capacity;
} cache;

static const char cache_key = 0; /* its address names the attachment */

/* Samplers of every session of this process, counted as vkCreateSampler succeeds; like
 * device memory's allocation count (device_memory.c), one count for all devices, which is
 * exact for the usual one device and errs on the safe side for several. */
static atomic_uint live_samplers;
static atomic_uint test_limit; /* 0: the device's */

void ll_sampler_set_limit(uint32_t limit)
{
    atomic_store(&test_limit, limit);
}

static void cache_destroy(void *object)
{
    cache *c = object;
    /* Views retain their image, and so the session: none can outlive it. */
    for (uint32_t i = 0; i < c->count; i++) {
        vkDestroySampler(ll_session_vk(c->session), c->entries[i].sampler, NULL);
        atomic_fetch_sub(&live_samplers, 1);
    }
    pthread_mutex_destroy(&c->lock);
    ll_free(c->entries);
    ll_free(c);
}

static void *cache_make(ll_session *s, ll_error *err)
{
    cache *c = ll_calloc(1, sizeof *c);
    if (c == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating the sampler cache"),
               NULL;
    c->session = s;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        ll_free(c);
        return ll_fail(err, LL_E_HOST_MEMORY, "cannot create the sampler cache's lock"), NULL;
    }
    return c;
}

/* The session's cache, made and attached on first use. */
static cache *cache_of(ll_session *s, ll_error *err)
{
    return ll_session_attachment_made(s, &cache_key, cache_make, cache_destroy, err);
}

static bool same_desc(const ll_sampler_desc *a, const ll_sampler_desc *b)
{
    return a->filter == b->filter && a->address_mode[0] == b->address_mode[0] &&
           a->address_mode[1] == b->address_mode[1] &&
           a->address_mode[2] == b->address_mode[2] &&
           a->normalized_coordinates == b->normalized_coordinates &&
           a->float_border == b->float_border;
}

/* Counts one more sampler of this process, unless that would pass the limit. */
static bool count_one(const ll_session *s, ll_error *err)
{
    uint32_t device_limit = ll_session_properties(s)->limits.maxSamplerAllocationCount;
    uint32_t lowered = atomic_load(&test_limit);
    uint32_t limit = lowered != 0 && lowered < device_limit ? lowered : device_limit;
    uint32_t before = atomic_fetch_add(&live_samplers, 1);
    if (before < limit)
        return true;
    atomic_fetch_sub(&live_samplers, 1);
    return ll_fail(err, LL_E_DEVICE_MEMORY, "cannot create a sampler: %u distinct samplers "
                   "are live, the device's maxSamplerAllocationCount (%u%s); views with the "
                   "same filter, address mode and coordinates share one "
                   "(VK_ERROR_TOO_MANY_OBJECTS)", before, limit,
                   limit < device_limit ? ", lowered for a test" : "");
}

static VkSampler create_sampler(const ll_session *s, const ll_sampler_desc *d, ll_error *err)
{
    VkSamplerCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO,
        .magFilter = d->filter,
        .minFilter = d->filter,
        .mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST,
        .addressModeU = d->address_mode[0],
        .addressModeV = d->address_mode[1],
        .addressModeW = d->address_mode[2],
        .maxAnisotropy = 1.0f,
        .compareOp = VK_COMPARE_OP_NEVER,
        .minLod = 0.0f,
        .maxLod = 0.0f,
        .borderColor = d->float_border ? VK_BORDER_COLOR_FLOAT_TRANSPARENT_BLACK
                                       : VK_BORDER_COLOR_INT_TRANSPARENT_BLACK,
        .unnormalizedCoordinates = d->normalized_coordinates ? VK_FALSE : VK_TRUE,
    };
    VkSampler sampler = VK_NULL_HANDLE;
    VkResult r = LL_VK(vkCreateSampler(ll_session_vk(s), &info, NULL, &sampler));
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkCreateSampler");
        return VK_NULL_HANDLE;
    }
    return sampler;
}

/* A new entry for desc at the end of the cache, its sampler made; c->lock held. */
static entry *add_entry(cache *c, const ll_sampler_desc *desc, ll_error *err)
{
    if (c->count == c->capacity) {
        uint32_t capacity = c->capacity != 0 ? c->capacity * 2 : 8;
        entry *grown = ll_realloc(c->entries, capacity * sizeof *grown);
        if (grown == NULL)
            return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory adding a sampler"), NULL;
        c->entries = grown;
        c->capacity = capacity;
    }
    if (!count_one(c->session, err))
        return NULL;
    VkSampler sampler = create_sampler(c->session, desc, err);
    if (sampler == VK_NULL_HANDLE) {
        atomic_fetch_sub(&live_samplers, 1);
        return NULL;
    }
    entry *e = &c->entries[c->count++];
    *e = (entry){.desc = *desc, .sampler = sampler, .refs = 0};
    return e;
}

VkSampler ll_sampler_acquire(ll_session *session, const ll_sampler_desc *desc,
                             ll_error *err)
{
    cache *c = cache_of(session, err);
    if (c == NULL)
        return VK_NULL_HANDLE;
    pthread_mutex_lock(&c->lock);
    entry *e = NULL;
    for (uint32_t i = 0; i < c->count && e == NULL; i++)
        if (same_desc(&c->entries[i].desc, desc))
            e = &c->entries[i];
    if (e == NULL)
        e = add_entry(c, desc, err);
    VkSampler sampler = VK_NULL_HANDLE;
    if (e != NULL) {
        e->refs++;
        sampler = e->sampler;
    }
    pthread_mutex_unlock(&c->lock);
    return sampler;
}

void ll_sampler_release(ll_session *session, VkSampler sampler)
{
    if (sampler == VK_NULL_HANDLE)
        return;
    cache *c = ll_session_attachment(session, &cache_key);
    assert(c != NULL); /* every sampler comes from the session's cache */
    pthread_mutex_lock(&c->lock);
    for (uint32_t i = 0; i < c->count; i++) {
        entry *e = &c->entries[i];
        if (e->sampler != sampler)
            continue;
        assert(e->refs > 0);
        if (--e->refs == 0) {
            /* Every view using it was released after its last command was waited for. */
            vkDestroySampler(ll_session_vk(session), sampler, NULL);
            atomic_fetch_sub(&live_samplers, 1);
            *e = c->entries[--c->count];
        }
        break;
    }
    pthread_mutex_unlock(&c->lock);
}

uint32_t ll_sampler_count(ll_session *session)
{
    if (session == NULL)
        return atomic_load(&live_samplers);
    cache *c = ll_session_attachment(session, &cache_key);
    if (c == NULL)
        return 0;
    pthread_mutex_lock(&c->lock);
    uint32_t n = c->count;
    pthread_mutex_unlock(&c->lock);
    return n;
}
