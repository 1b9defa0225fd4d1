/* descriptor_pool.c: the session's descriptor pools (descriptor_pool.h), attached to the
 * session. Each pool counts what it has left, so a set is only asked of a pool with room
 * (asking past a pool's sizes is an error the validation layer reports, not a result);
 * VK_ERROR_OUT_OF_POOL_MEMORY and VK_ERROR_FRAGMENTED_POOL make the next pool serve.
 * Not for: layouts or descriptor writes (compute_node.c). */
#include "descriptor_pool.h"

#include <pthread.h>
#include <stdatomic.h>

#include "lluvia/fault.h"
#include "vk_util.h"

const VkDescriptorType ll_descriptor_kinds[LL_DESCRIPTOR_KINDS] = {
    VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
    VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER,
    VK_DESCRIPTOR_TYPE_STORAGE_IMAGE,
    VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER,
};

/* Sets per pool by default, and descriptors of each kind per set that a pool has room for
 * on average (a node has a handful of ports). */
#define DEFAULT_SETS_PER_POOL 64
#define DESCRIPTORS_PER_SET 4

typedef struct pool {
    struct pool *next;
    VkDescriptorPool handle;
    uint32_t sets_left;
    uint32_t left[LL_DESCRIPTOR_KINDS];
    uint32_t live;        /* sets allocated from it now */
} pool;

typedef struct pools {
    ll_session *session;
    pthread_mutex_t lock; /* guards the chain; a leaf */
    pool *first;          /* newest first */
    uint32_t count;
} pools;

static const char pools_key = 0; /* its address names the attachment */
static atomic_uint test_sets_per_pool;

void ll_descriptor_pool_set_sets_per_pool(uint32_t sets)
{
    atomic_store(&test_sets_per_pool, sets);
}

static void pools_destroy(void *object)
{
    pools *p = object;
    /* Nodes retain their program, and so the session: none outlives it. */
    for (pool *q = p->first, *next; q != NULL; q = next) {
        next = q->next;
        vkDestroyDescriptorPool(ll_session_vk(p->session), q->handle, NULL);
        ll_free(q);
    }
    pthread_mutex_destroy(&p->lock);
    ll_free(p);
}

static void *pools_make(ll_session *s, ll_error *err)
{
    pools *p = ll_calloc(1, sizeof *p);
    if (p == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating the descriptor "
                       "pools"), NULL;
    p->session = s;
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        ll_free(p);
        return ll_fail(err, LL_E_HOST_MEMORY, "cannot create the descriptor pools' lock"), NULL;
    }
    return p;
}

static bool has_room(const pool *q, const uint32_t counts[LL_DESCRIPTOR_KINDS])
{
    if (q->sets_left == 0)
        return false;
    for (int k = 0; k < LL_DESCRIPTOR_KINDS; k++)
        if (q->left[k] < counts[k])
            return false;
    return true;
}

/* A new pool at the head of the chain, with room for at least counts. */
static pool *add_pool(pools *p, const uint32_t counts[LL_DESCRIPTOR_KINDS], ll_error *err)
{
    pool *q = ll_calloc(1, sizeof *q);
    if (q == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating a descriptor pool"),
               NULL;
    uint32_t sets = atomic_load(&test_sets_per_pool);
    if (sets == 0)
        sets = DEFAULT_SETS_PER_POOL;
    VkDescriptorPoolSize sizes[LL_DESCRIPTOR_KINDS];
    for (int k = 0; k < LL_DESCRIPTOR_KINDS; k++) {
        uint32_t n = sets * DESCRIPTORS_PER_SET;
        q->left[k] = n > counts[k] ? n : counts[k];
        sizes[k] = (VkDescriptorPoolSize){ll_descriptor_kinds[k], q->left[k]};
    }
    q->sets_left = sets;
    VkDescriptorPoolCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
        .flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT,
        .maxSets = sets,
        .poolSizeCount = LL_DESCRIPTOR_KINDS,
        .pPoolSizes = sizes,
    };
    VkResult r = LL_VK(vkCreateDescriptorPool(ll_session_vk(p->session), &info, NULL,
                                              &q->handle));
    if (r != VK_SUCCESS) {
        ll_free(q);
        return ll_fail_vk(err, r, "vkCreateDescriptorPool"), NULL;
    }
    q->next = p->first;
    p->first = q;
    p->count++;
    return q;
}

/* VK_SUCCESS, or why q could not serve. */
static VkResult allocate_from(pools *p, pool *q, VkDescriptorSetLayout layout,
                              const uint32_t counts[LL_DESCRIPTOR_KINDS], VkDescriptorSet *set)
{
    VkDescriptorSetAllocateInfo info = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
        .descriptorPool = q->handle,
        .descriptorSetCount = 1,
        .pSetLayouts = &layout,
    };
    VkResult r = LL_VK(vkAllocateDescriptorSets(ll_session_vk(p->session), &info, set));
    if (r != VK_SUCCESS)
        return r;
    q->sets_left--;
    q->live++;
    for (int k = 0; k < LL_DESCRIPTOR_KINDS; k++)
        q->left[k] -= counts[k];
    return VK_SUCCESS;
}

static bool pool_exhausted(VkResult r)
{
    return r == VK_ERROR_OUT_OF_POOL_MEMORY || r == VK_ERROR_FRAGMENTED_POOL;
}

bool ll_descriptor_set_allocate(ll_session *s, VkDescriptorSetLayout layout,
                                const uint32_t counts[LL_DESCRIPTOR_KINDS],
                                ll_descriptor_set *out, ll_error *err)
{
    pools *p = ll_session_attachment_made(s, &pools_key, pools_make, pools_destroy, err);
    if (p == NULL)
        return false;
    VkDescriptorSet set = VK_NULL_HANDLE;
    pool *from = NULL;
    VkResult r = VK_SUCCESS;
    pthread_mutex_lock(&p->lock);
    for (pool *q = p->first; q != NULL && from == NULL; q = q->next) {
        if (!has_room(q, counts))
            continue;
        r = allocate_from(p, q, layout, counts, &set);
        if (r == VK_SUCCESS)
            from = q;
        else if (!pool_exhausted(r))
            break;
    }
    if (from == NULL && (r == VK_SUCCESS || pool_exhausted(r))) {
        pool *q = add_pool(p, counts, err);
        if (q == NULL) {
            pthread_mutex_unlock(&p->lock);
            return false;
        }
        /* A new pool that fails stays for the next set: it is empty, not broken. */
        r = allocate_from(p, q, layout, counts, &set);
        if (r == VK_SUCCESS)
            from = q;
    }
    pthread_mutex_unlock(&p->lock);
    if (from == NULL)
        return ll_fail_vk(err, r, "vkAllocateDescriptorSets");
    out->set = set;
    out->pool = from;
    for (int k = 0; k < LL_DESCRIPTOR_KINDS; k++)
        out->counts[k] = counts[k];
    return true;
}

void ll_descriptor_pool_counts(ll_session *s, uint32_t *pool_count, uint32_t *set_count)
{
    *pool_count = *set_count = 0;
    pools *p = ll_session_attachment(s, &pools_key);
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    *pool_count = p->count;
    for (const pool *q = p->first; q != NULL; q = q->next)
        *set_count += q->live;
    pthread_mutex_unlock(&p->lock);
}

void ll_descriptor_set_free(ll_session *s, ll_descriptor_set *set)
{
    if (set->pool == NULL)
        return;
    pools *p = ll_session_attachment(s, &pools_key);
    pool *q = set->pool;
    pthread_mutex_lock(&p->lock);
    vkFreeDescriptorSets(ll_session_vk(s), q->handle, 1, &set->set);
    q->sets_left++;
    q->live--;
    for (int k = 0; k < LL_DESCRIPTOR_KINDS; k++)
        q->left[k] += set->counts[k];
    pthread_mutex_unlock(&p->lock);
    set->pool = NULL;
    set->set = VK_NULL_HANDLE;
}
