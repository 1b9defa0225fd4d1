/* host_import.c: arrays' host storage imported into devices (VK_EXT_external_memory_host),
 * cached on the storage, one import per session. Every import is on two lists, its
 * storage's and the process-wide one, both guarded by one lock (a leaf: nothing else is
 * taken while it is held); a session's imports end with the session (an attachment), a
 * storage's with the storage. Not for: the transfers themselves (buffer.c). */
#include "host_import.h"

#include <pthread.h>
#include <stdatomic.h>

#include "context.h"
#include "lluvia/device_memory.h"
#include "vk_util.h"

struct ll_host_import {
    ll_session *session;       /* not retained: the session ends its imports when it goes */
    ll_host_memory *host;
    VkBuffer buffer;
    VkDeviceMemory memory;
    ll_host_import *next_of_host;
    ll_host_import *prev, *next; /* every import */
};

static pthread_mutex_t import_lock = PTHREAD_MUTEX_INITIALIZER;
static ll_host_import *all_imports;
static atomic_uint_fast64_t live_count, total_count;
static const char registry_key = 0; /* its address names the session's attachment */

bool ll_host_import_possible(const ll_session *s, const ll_host_memory *h)
{
    VkDeviceSize align = ll_device_host_import_alignment(ll_session_device(s));
    return align != 0 && ll_host_memory_kind_of(h) != LL_HOST_MEMORY_FOREIGN &&
           ll_host_memory_alive(h) && (uintptr_t)ll_host_memory_data(h) % align == 0 &&
           ll_host_memory_capacity(h) % align == 0;
}

bool ll_host_import_wanted(const ll_session *s, const ll_host_memory *h, uint64_t size,
                           bool mappable)
{
    ll_transfer_path path = ll_session_transfer_path(s);
    bool wanted = path == LL_TRANSFER_IMPORT ||
                  (path == LL_TRANSFER_AUTO && !mappable && size >= LL_IMPORT_THRESHOLD);
    return wanted && ll_host_import_possible(s, h);
}

/* Destroys an import already off both lists. */
static void destroy(ll_host_import *im)
{
    VkDevice dev = ll_session_vk(im->session);
    vkDestroyBuffer(dev, im->buffer, NULL);
    ll_device_memory_free(im->session, im->memory, 0);
    ll_free(im);
    atomic_fetch_sub(&live_count, 1);
}

static void unlink_all_locked(ll_host_import *im)
{
    if (im->prev != NULL)
        im->prev->next = im->next;
    else
        all_imports = im->next;
    if (im->next != NULL)
        im->next->prev = im->prev;
}

static void unlink_host_locked(ll_host_import *im)
{
    ll_host_import **p = ll_host_memory_imports(im->host);
    while (*p != im)
        p = &(*p)->next_of_host;
    *p = im->next_of_host;
}

void ll_host_import_end_all(ll_host_memory *h)
{
    pthread_mutex_lock(&import_lock);
    ll_host_import *im = *ll_host_memory_imports(h);
    *ll_host_memory_imports(h) = NULL;
    while (im != NULL) {
        ll_host_import *next = im->next_of_host;
        unlink_all_locked(im);
        destroy(im);
        im = next;
    }
    pthread_mutex_unlock(&import_lock);
}

/* The session goes: its imports end, the storages stay valid (their next transfer imports
 * again, in another session). */
static void registry_destroy(void *object)
{
    ll_session *s = object;
    pthread_mutex_lock(&import_lock);
    ll_host_import *im = all_imports;
    while (im != NULL) {
        ll_host_import *next = im->next;
        if (im->session == s) {
            unlink_all_locked(im);
            unlink_host_locked(im);
            destroy(im);
        }
        im = next;
    }
    pthread_mutex_unlock(&import_lock);
}

/* The session's attachment that ends its imports, made before the import lock is taken
 * (the attachment lock is never taken under it). */
static bool registry_get(ll_session *s, ll_error *err)
{
    if (ll_session_attachment(s, &registry_key) != NULL)
        return true;
    ll_error mine;
    if (ll_session_attach(s, &registry_key, s, registry_destroy, &mine))
        return true;
    if (ll_session_attachment(s, &registry_key) != NULL) /* another thread attached it */
        return true;
    if (err != NULL)
        *err = mine;
    return false;
}

static ll_host_import *find_locked(ll_session *s, ll_host_memory *h)
{
    for (ll_host_import *im = *ll_host_memory_imports(h); im != NULL; im = im->next_of_host)
        if (im->session == s)
            return im;
    return NULL;
}

/* A coherent host-visible type among `bits` (the storage is read and written by the host
 * with no flush or invalidate). */
static uint32_t coherent_type(const ll_session *s, uint32_t bits)
{
    const VkPhysicalDeviceMemoryProperties *p = ll_session_memory_properties(s);
    const VkMemoryPropertyFlags want =
        VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    for (uint32_t i = 0; i < p->memoryTypeCount; i++)
        if ((bits & (1u << i)) && (p->memoryTypes[i].propertyFlags & want) == want)
            return i;
    return UINT32_MAX;
}

/* Makes the import; the caller holds the import lock. */
static ll_host_import *import_locked(ll_session *s, ll_host_memory *h, ll_error *err)
{
    VkDevice dev = ll_session_vk(s);
    void *data = ll_host_memory_data(h);
    uint64_t bytes = ll_host_memory_capacity(h);
    VkMemoryHostPointerPropertiesEXT props = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT,
    };
    VkResult r = LL_VK(vkGetMemoryHostPointerPropertiesEXT(
        dev, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT, data, &props));
    if (r != VK_SUCCESS)
        return ll_fail_vk(err, r, "vkGetMemoryHostPointerPropertiesEXT"), NULL;
    ll_host_import *im = ll_calloc(1, sizeof *im);
    if (im == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory importing an array"), NULL;
    im->session = s;
    im->host = h;
    VkExternalMemoryBufferCreateInfo external = {
        .sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
        .handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
    };
    VkBufferCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .pNext = &external,
        .size = bytes,
        .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    r = LL_VK(vkCreateBuffer(dev, &info, NULL, &im->buffer));
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkCreateBuffer over an imported array");
        goto fail;
    }
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(dev, im->buffer, &req);
    uint32_t type = coherent_type(s, req.memoryTypeBits & props.memoryTypeBits);
    if (type == UINT32_MAX || req.size > bytes) {
        ll_fail(err, LL_E_UNSUPPORTED, "no coherent host-visible memory type imports the "
                "array (types 0x%x, the buffer's 0x%x, %llu of %llu bytes)",
                props.memoryTypeBits, req.memoryTypeBits, (unsigned long long)req.size,
                (unsigned long long)bytes);
        goto fail;
    }
    if (!ll_device_memory_import(s, type, data, bytes, "an imported array", &im->memory, err))
        goto fail;
    r = LL_VK(vkBindBufferMemory(dev, im->buffer, im->memory, 0));
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkBindBufferMemory of an imported array");
        goto fail;
    }
    atomic_fetch_add(&live_count, 1);
    atomic_fetch_add(&total_count, 1);
    im->next_of_host = *ll_host_memory_imports(h);
    *ll_host_memory_imports(h) = im;
    im->next = all_imports;
    if (all_imports != NULL)
        all_imports->prev = im;
    all_imports = im;
    return im;

fail:
    if (im->buffer != VK_NULL_HANDLE)
        vkDestroyBuffer(dev, im->buffer, NULL);
    ll_device_memory_free(s, im->memory, 0);
    ll_free(im);
    return NULL;
}

bool ll_host_import_buffer(ll_session *s, ll_host_memory *h, VkBuffer *out, ll_error *err)
{
    if (!ll_host_import_possible(s, h))
        return ll_fail(err, LL_E_UNSUPPORTED, "the array's storage cannot be imported into "
                       "this device");
    if (!registry_get(s, err))
        return false;
    pthread_mutex_lock(&import_lock);
    ll_host_import *im = find_locked(s, h);
    if (im == NULL)
        im = import_locked(s, h, err);
    if (im != NULL)
        *out = im->buffer;
    pthread_mutex_unlock(&import_lock);
    return im != NULL;
}

void ll_host_import_counts(uint64_t *live, uint64_t *total)
{
    *live = atomic_load(&live_count);
    *total = atomic_load(&total_count);
}
