/* staging.c: the session's staging buffer and the chunked transfers through it. The buffer
 * is host-visible memory of its own, made on first use, attached to the session, and split
 * in two slots, each with its own one-shot command buffer (commands.h): while the device
 * copies chunk k out of one slot, the host fills (or drains) the other, so large transfers
 * run as a pipeline; the host's copies of large chunks are spread over its cores
 * (parallel_copy.h). Not for: memory the host maps directly. */
#include "staging.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "lluvia/device_memory.h"
#include "parallel_copy.h"
#include "vk_util.h"

#define SLOTS 2
/* Slot offsets are kept multiples of this (and of nonCoherentAtomSize), comfortably above
 * any buffer-image copy's offset alignment. */
#define SLOT_ALIGNMENT 256u

typedef struct ll_staging {
    ll_session *session;
    VkBuffer buffer;
    VkDeviceMemory memory;
    uint64_t memory_size;   /* of the allocation, >= the buffer's size */
    uint64_t size;          /* the session's staging size */
    void *mapped;
    bool coherent;
    VkDeviceSize atom;
    ll_commands *slot[SLOTS];
} ll_staging;

static const char staging_key = 0; /* its address names the attachment */

/* ---- the staging buffer -------------------------------------------------------------- */

static void staging_destroy(void *object)
{
    ll_staging *st = object;
    ll_session *s = st->session;
    VkDevice dev = ll_session_vk(s);
    for (int i = 0; i < SLOTS; i++)
        ll_commands_destroy(st->slot[i]); /* waits for what is in flight */
    if (st->buffer != VK_NULL_HANDLE)
        vkDestroyBuffer(dev, st->buffer, NULL);
    if (st->mapped != NULL)
        vkUnmapMemory(dev, st->memory);
    ll_device_memory_free(s, st->memory, st->memory_size);
    ll_free(st);
}

/* The first host-visible type the buffer may use, preferring coherent memory. */
static uint32_t staging_memory_type(const ll_session *s, uint32_t allowed)
{
    const VkPhysicalDeviceMemoryProperties *p = ll_session_memory_properties(s);
    const VkMemoryPropertyFlags wanted[] = {
        VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
        VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT,
    };
    for (size_t w = 0; w < sizeof wanted / sizeof wanted[0]; w++)
        for (uint32_t i = 0; i < p->memoryTypeCount; i++)
            if ((allowed & (1u << i)) && (p->memoryTypes[i].propertyFlags & wanted[w]) == wanted[w])
                return i;
    return UINT32_MAX;
}

/* Creates the session's staging buffer if it has none. Called with the command lock held. */
static bool staging_get(ll_session *s, ll_staging **out, ll_error *err)
{
    ll_staging *st = ll_session_attachment(s, &staging_key);
    if (st != NULL) {
        *out = st;
        return true;
    }
    st = ll_calloc(1, sizeof *st);
    if (st == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating the staging buffer");
    st->session = s;
    st->size = ll_session_staging_size(s);
    st->atom = ll_session_properties(s)->limits.nonCoherentAtomSize;
    VkDevice dev = ll_session_vk(s);

    VkBufferCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .size = st->size,
        .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    VkResult r = LL_VK(vkCreateBuffer(dev, &info, NULL, &st->buffer));
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkCreateBuffer of the staging buffer");
        goto fail;
    }
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(dev, st->buffer, &req);
    uint32_t type = staging_memory_type(s, req.memoryTypeBits);
    if (type == UINT32_MAX) {
        ll_fail(err, LL_E_UNSUPPORTED, "no host-visible memory type can hold the staging "
                "buffer (memoryTypeBits 0x%x)", req.memoryTypeBits);
        goto fail;
    }
    char purpose[96];
    snprintf(purpose, sizeof purpose, "the staging buffer of a session (stagingSize %llu)",
             (unsigned long long)st->size);
    if (!ll_device_memory_allocate(s, type, req.size, purpose, &st->memory, err))
        goto fail;
    st->memory_size = req.size;
    st->coherent = (ll_session_memory_properties(s)->memoryTypes[type].propertyFlags &
                    VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) != 0 &&
                   !ll_session_simulates_non_coherent(s);
    r = LL_VK(vkBindBufferMemory(dev, st->buffer, st->memory, 0));
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkBindBufferMemory of the staging buffer");
        goto fail;
    }
    r = LL_VK(vkMapMemory(dev, st->memory, 0, VK_WHOLE_SIZE, 0, &st->mapped));
    if (r != VK_SUCCESS) {
        st->mapped = NULL;
        ll_fail_vk(err, r, "vkMapMemory of the staging buffer");
        goto fail;
    }
    for (int i = 0; i < SLOTS; i++) {
        st->slot[i] = ll_commands_create(s, LL_COMMANDS_ONE_SHOT, err);
        if (st->slot[i] == NULL)
            goto fail;
    }
    if (!ll_session_attach(s, &staging_key, st, staging_destroy, err))
        goto fail;
    *out = st;
    return true;

fail:
    staging_destroy(st); /* everything it made so far; the session is as before */
    return false;
}

/* ---- one transfer ---------------------------------------------------------------------- */

typedef struct transfer {
    ll_session *s;
    ll_staging *st;
    bool upload;
    uint64_t slot_size;           /* bytes per chunk, a multiple of the unit */
    int slots;                    /* 1 or 2 */
    ll_staging_record record;
    void *user;
    uint64_t chunk_done[SLOTS];   /* the chunk each slot holds: its first byte */
    uint64_t chunk_bytes[SLOTS];
} transfer;

static uint64_t slot_offset(const transfer *t, int slot)
{
    return (uint64_t)slot * t->slot_size;
}

/* Chooses the chunk size: half the buffer where a unit fits twice, else all of it. */
static bool plan(transfer *t, uint64_t unit, ll_error *err)
{
    uint64_t size = t->st->size;
    if (unit == 0)
        unit = 1;
    if (unit > size)
        return ll_fail(err, LL_E_ARGUMENT, "a transfer unit of %llu bytes does not fit the "
                       "staging buffer's %llu bytes (session option stagingSize)",
                       (unsigned long long)unit, (unsigned long long)size);
    uint64_t align = t->st->atom > SLOT_ALIGNMENT ? t->st->atom : SLOT_ALIGNMENT;
    /* The second slot starts at slot_size: a multiple of the unit (bufferOffset rules of
     * image copies) and, where possible, of the alignment (flush ranges). */
    uint64_t half = size / 2 / unit * unit;
    if (align <= UINT64_MAX / unit && half / (align * unit) > 0)
        half = half / (align * unit) * (align * unit);
    if (half > 0) {
        t->slots = SLOTS;
        t->slot_size = half;
    } else {
        t->slots = 1;
        t->slot_size = size / unit * unit;
    }
    return true;
}

static bool wait_slot(transfer *t, int slot, ll_error *err)
{
    return ll_commands_wait(t->st->slot[slot], err);
}

/* Waits for whatever is still in flight, after a failure: the device must be done with
 * the staging buffer and the object before the caller goes on. */
static void drain(transfer *t)
{
    for (int i = 0; i < SLOTS; i++)
        wait_slot(t, i, NULL);
}

static bool sync_slot(transfer *t, int slot, bool flush, ll_error *err)
{
    ll_staging *st = t->st;
    if (st->coherent)
        return true;
    VkMappedMemoryRange range;
    if (!ll_mapped_range(st->memory, st->memory_size, st->atom, slot_offset(t, slot),
                         t->chunk_bytes[slot], &range))
        return true;
    VkDevice dev = ll_session_vk(t->s);
    VkResult r = flush ? LL_VK(vkFlushMappedMemoryRanges(dev, 1, &range))
                       : LL_VK(vkInvalidateMappedMemoryRanges(dev, 1, &range));
    return r == VK_SUCCESS ? true : ll_fail_vk(err, r, "flushing the staging buffer");
}

/* Records and submits the chunk that slot holds. */
static bool submit_slot(transfer *t, int slot, ll_error *err)
{
    ll_staging *st = t->st;
    ll_commands *c = st->slot[slot];
    if (!ll_commands_begin(c, err))
        return false;
    uint64_t off = slot_offset(t, slot), bytes = t->chunk_bytes[slot];
    VkAccessFlags copy_access = t->upload ? VK_ACCESS_TRANSFER_READ_BIT
                                          : VK_ACCESS_TRANSFER_WRITE_BIT;
    /* The slot was last used by an earlier submission (a copy in either direction) or the
     * host: order this chunk's copy after those. */
    ll_commands_buffer_barrier(c, st->buffer, off, bytes,
                               VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                               VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_HOST_WRITE_BIT,
                               VK_PIPELINE_STAGE_TRANSFER_BIT, copy_access);
    t->record(c, st->buffer, off, t->chunk_done[slot], bytes, t->user);
    if (!t->upload)
        ll_commands_buffer_barrier(c, st->buffer, off, bytes, VK_PIPELINE_STAGE_TRANSFER_BIT,
                                   VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
                                   VK_ACCESS_HOST_READ_BIT);
    if (ll_commands_submit_async(c, err))
        return true;
    ll_commands_abort(c);
    return false;
}

/* Upload: fill slot k%2 while the device copies out of the other, then submit it. */
static bool run_upload(transfer *t, const unsigned char *src, uint64_t size, ll_error *err)
{
    uint64_t done = 0;
    for (uint64_t k = 0; done < size; k++) {
        int slot = (int)(k % (uint64_t)t->slots);
        if (!wait_slot(t, slot, err))
            return false;
        uint64_t bytes = size - done < t->slot_size ? size - done : t->slot_size;
        t->chunk_done[slot] = done;
        t->chunk_bytes[slot] = bytes;
        ll_parallel_copy((unsigned char *)t->st->mapped + slot_offset(t, slot), src + done,
                         (size_t)bytes);
        if (!sync_slot(t, slot, true, err) || !submit_slot(t, slot, err))
            return false;
        done += bytes;
    }
    for (int i = 0; i < t->slots; i++)
        if (!wait_slot(t, i, err))
            return false;
    return true;
}

/* Waits for the chunk in slot and copies it out to the host. */
static bool drain_slot(transfer *t, int slot, unsigned char *dst, ll_error *err)
{
    if (!wait_slot(t, slot, err) || !sync_slot(t, slot, false, err))
        return false;
    ll_parallel_copy(dst + t->chunk_done[slot],
                     (unsigned char *)t->st->mapped + slot_offset(t, slot),
                     (size_t)t->chunk_bytes[slot]);
    return true;
}

/* Download: submit chunk k, then drain chunk k-1 while the device copies chunk k. */
static bool run_download(transfer *t, unsigned char *dst, uint64_t size, ll_error *err)
{
    uint64_t done = 0;
    int in_flight = -1; /* the slot submitted last and not drained yet */
    for (uint64_t k = 0; done < size; k++) {
        int slot = (int)(k % (uint64_t)t->slots);
        if (slot == in_flight) { /* one slot: nothing to overlap with */
            if (!drain_slot(t, slot, dst, err))
                return false;
            in_flight = -1;
        }
        uint64_t bytes = size - done < t->slot_size ? size - done : t->slot_size;
        t->chunk_done[slot] = done;
        t->chunk_bytes[slot] = bytes;
        if (!submit_slot(t, slot, err))
            return false;
        done += bytes;
        if (in_flight >= 0 && !drain_slot(t, in_flight, dst, err))
            return false;
        in_flight = slot;
    }
    return in_flight < 0 || drain_slot(t, in_flight, dst, err);
}

static bool transfer_run(ll_session *s, bool upload, void *host, uint64_t size, uint64_t unit,
                         ll_staging_record record, void *user, ll_error *err)
{
    if (size == 0)
        return true;
    if (host == NULL || record == NULL)
        return ll_fail(err, LL_E_ARGUMENT, "staging transfer without %s",
                       host == NULL ? "host memory" : "a record function");
    ll_session_lock_commands(s);
    transfer t = {.s = s, .upload = upload, .record = record, .user = user};
    bool ok = staging_get(s, &t.st, err) && plan(&t, unit, err);
    if (ok)
        ok = upload ? run_upload(&t, host, size, err) : run_download(&t, host, size, err);
    if (!ok && t.st != NULL)
        drain(&t);
    ll_session_unlock_commands(s);
    return ok;
}

bool ll_staging_upload(ll_session *s, const void *src, uint64_t size, uint64_t unit,
                       ll_staging_record record, void *user, ll_error *err)
{
    return transfer_run(s, true, (void *)src, size, unit, record, user, err);
}

bool ll_staging_download(ll_session *s, void *dst, uint64_t size, uint64_t unit,
                         ll_staging_record record, void *user, ll_error *err)
{
    return transfer_run(s, false, dst, size, unit, record, user, err);
}

/* ---- transfers without the staging buffer ------------------------------------------------ */

typedef struct imported_job {
    bool upload;
    VkBuffer host;
    uint64_t size;
    ll_staging_record record;
    void *user;
} imported_job;

static void record_imported(ll_commands *c, void *user)
{
    const imported_job *j = user;
    /* The host's writes before the submit are visible to it; a download's copy waits for
     * the host's earlier reads of the array and makes its writes visible to the host. */
    if (!j->upload)
        ll_commands_buffer_barrier(c, j->host, 0, j->size, VK_PIPELINE_STAGE_HOST_BIT,
                                   VK_ACCESS_HOST_READ_BIT | VK_ACCESS_HOST_WRITE_BIT,
                                   VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    j->record(c, j->host, 0, 0, j->size, j->user);
    if (!j->upload)
        ll_commands_buffer_barrier(c, j->host, 0, j->size, VK_PIPELINE_STAGE_TRANSFER_BIT,
                                   VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
                                   VK_ACCESS_HOST_READ_BIT);
}

bool ll_staging_run_imported(ll_session *s, bool upload, VkBuffer host, uint64_t size,
                             ll_staging_record record, void *user, ll_error *err)
{
    imported_job j = {upload, host, size, record, user};
    return ll_commands_run(s, record_imported, &j, err);
}
