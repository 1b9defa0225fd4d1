/* descriptor_pool.h: the descriptor sets of compute nodes, allocated from pools of the
 * session (an attachment) that grow by chaining: an exhausted or fragmented pool makes a
 * new one instead of failing. Not for: descriptor set layouts or writes (compute_node.c). */
#ifndef LL_DESCRIPTOR_POOL_H
#define LL_DESCRIPTOR_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include <volk.h>

#include "lluvia/error.h"
#include "lluvia/session.h"

/* The descriptor types a node's set holds, in this order. */
#define LL_DESCRIPTOR_KINDS 4
extern const VkDescriptorType ll_descriptor_kinds[LL_DESCRIPTOR_KINDS];

/* A set and the pool it came from (to free it into). */
typedef struct ll_descriptor_set {
    VkDescriptorSet set;
    void *pool;
    uint32_t counts[LL_DESCRIPTOR_KINDS]; /* what it takes of the pool */
} ll_descriptor_set;

/* Allocates a set of `layout`, whose bindings count counts[k] descriptors of
 * ll_descriptor_kinds[k], from the session's pools; a new pool (room for
 * ll_descriptor_pool_sets_per_pool sets, and at least counts) when none has room.
 * LL_E_HOST_MEMORY, or the Vulkan failure, with nothing changed. Thread-safe. */
bool ll_descriptor_set_allocate(ll_session *session, VkDescriptorSetLayout layout,
                                const uint32_t counts[LL_DESCRIPTOR_KINDS],
                                ll_descriptor_set *out, ll_error *err);

/* Gives a set back to its pool. A set with no pool does nothing. */
void ll_descriptor_set_free(ll_session *session, ll_descriptor_set *set);

/* The pools the session holds now, and the sets allocated from them. For tests. */
void ll_descriptor_pool_counts(ll_session *session, uint32_t *pools, uint32_t *sets);

/* Test hook: sets per new pool (0 restores the default), so chaining is testable. */
void ll_descriptor_pool_set_sets_per_pool(uint32_t sets);

#endif
