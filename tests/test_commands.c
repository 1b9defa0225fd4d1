/* test_commands.c: the command module without Lua: one-shot and reusable command buffers,
 * tracked image layouts committed only by a successful submit, and the objects attached to
 * a session, destroyed in reverse order. Runs under the validation layer. */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "lluvia/buffer.h"
#include "lluvia/fault.h"
#include "lluvia/memory.h"
#include "lluvia/session.h"
#include "test_util.h"

/* A 4x4 image of its own memory, outside any Memory: the test tracks its layout itself. */
typedef struct test_image {
    VkImage handle;
    VkDeviceMemory memory;
    VkImageLayout layout; /* tracked by the command module */
} test_image;

static bool image_create(ll_session *s, test_image *img)
{
    VkDevice dev = ll_session_vk(s);
    VkImageCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
        .imageType = VK_IMAGE_TYPE_2D,
        .format = VK_FORMAT_R8_UINT,
        .extent = {4, 4, 1},
        .mipLevels = 1,
        .arrayLayers = 1,
        .samples = VK_SAMPLE_COUNT_1_BIT,
        .tiling = VK_IMAGE_TILING_OPTIMAL,
        .usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT |
                 VK_IMAGE_USAGE_SAMPLED_BIT,
        .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
    };
    if (vkCreateImage(dev, &info, NULL, &img->handle) != VK_SUCCESS)
        return false;
    VkMemoryRequirements req;
    vkGetImageMemoryRequirements(dev, img->handle, &req);
    uint32_t type = 0;
    while (!(req.memoryTypeBits & (1u << type)))
        type++;
    VkMemoryAllocateInfo alloc = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .allocationSize = req.size,
        .memoryTypeIndex = type,
    };
    if (vkAllocateMemory(dev, &alloc, NULL, &img->memory) != VK_SUCCESS) {
        vkDestroyImage(dev, img->handle, NULL);
        return false;
    }
    vkBindImageMemory(dev, img->handle, img->memory, 0);
    img->layout = VK_IMAGE_LAYOUT_UNDEFINED;
    return true;
}

static void image_destroy(ll_session *s, test_image *img)
{
    vkDestroyImage(ll_session_vk(s), img->handle, NULL);
    vkFreeMemory(ll_session_vk(s), img->memory, NULL);
}

static void change(ll_commands *c, test_image *img, VkImageLayout to)
{
    ll_commands_change_layout(c, img->handle, &img->layout, to,
                              VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                              VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                              VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT);
}

/* The session's one-shot buffer, begun; NULL (a failed check) when it cannot be. */
static ll_commands *begin_once(ll_session *s)
{
    ll_error err;
    ll_commands *c = ll_commands_begin_once(s, &err);
    CHECK_MSG(c != NULL, "%s", err.message);
    return c;
}

/* One-shot: the new layout is the image's once the submit succeeded. */
static void test_one_shot(ll_session *s, test_image *img)
{
    ll_error err;
    ll_commands *c = begin_once(s);
    if (c == NULL)
        return;
    CHECK(ll_commands_recording(c));
    change(c, img, VK_IMAGE_LAYOUT_GENERAL);
    CHECK(ll_commands_image_layout(c, &img->layout) == VK_IMAGE_LAYOUT_GENERAL);
    CHECK(img->layout == VK_IMAGE_LAYOUT_UNDEFINED); /* not before the submit */
    CHECK_MSG(ll_commands_submit_once(c, &err), "%s", err.message);
    CHECK(img->layout == VK_IMAGE_LAYOUT_GENERAL);
    CHECK(!ll_commands_recording(c));
    /* A spent one-shot buffer is begun again before it is submitted again. */
    ll_session_lock_commands(s);
    CHECK(!ll_commands_submit(c, &err) && err.code == LL_E_STATE);
    ll_session_unlock_commands(s);
}

/* Abort, after several changes: the tracked layout is the one before the recording. */
static void test_abort(ll_session *s, test_image *img)
{
    ll_error err;
    ll_commands *c = begin_once(s);
    if (c == NULL)
        return;
    change(c, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
    change(c, img, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
    CHECK(ll_commands_image_layout(c, &img->layout) == VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
    ll_commands_abort_once(c);
    CHECK(img->layout == VK_IMAGE_LAYOUT_GENERAL);
    /* The next recording starts from the tracked layout, not from the dropped one. */
    c = begin_once(s);
    if (c == NULL)
        return;
    CHECK(ll_commands_image_layout(c, &img->layout) == VK_IMAGE_LAYOUT_GENERAL);
    change(c, img, VK_IMAGE_LAYOUT_GENERAL);
    CHECK_MSG(ll_commands_submit_once(c, &err), "%s", err.message);
    CHECK(img->layout == VK_IMAGE_LAYOUT_GENERAL);
}

/* Each checked Vulkan call of a one-shot layout change failing in turn (the fresh session's
 * first command also makes its one-shot buffer): every failure before the queue accepted
 * the buffer leaves the layout as it was, and the next try works. */
static void record_to_transfer_src(ll_commands *c, void *user)
{
    change(c, user, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
}

static void test_vulkan_faults(test_image *img)
{
    ll_error err;
    bool done = false;
    for (uint64_t n = 1; n < 50 && !done; n++) {
        ll_session *s = ll_session_create(NULL, &err);
        CHECK_MSG(s != NULL, "%s", err.message);
        if (s == NULL)
            return;
        VkImageLayout before = img->layout;
        ll_fault_fail_after(LL_FAULT_VULKAN, n);
        done = ll_commands_run(s, record_to_transfer_src, img, &err);
        bool fired = ll_fault_fired() > 0;
        ll_fault_clear();
        if (done) {
            CHECK(!fired && img->layout == VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
        } else {
            CHECK_MSG(fired, "n = %llu: %s", (unsigned long long)n, err.message);
            /* Until the queue accepts the buffer nothing changes; once it has, the device
             * runs it, a failed wait notwithstanding, and later commands start from it. */
            bool accepted = strstr(err.message, "vkWaitForFences") != NULL;
            CHECK_MSG(img->layout == (accepted ? VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL : before),
                      "n = %llu: %s", (unsigned long long)n, err.message);
            CHECK(strstr(err.message, "VK_ERROR_OUT_OF_HOST_MEMORY") != NULL);
            CHECK_MSG(ll_commands_run(s, record_to_transfer_src, img, &err), "%s", err.message);
            CHECK(img->layout == VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
            ll_commands *c = begin_once(s); /* back, for the next round */
            if (c != NULL) {
                change(c, img, before);
                CHECK(ll_commands_submit_once(c, &err));
            }
        }
        CHECK(!ll_session_has_warnings(s));
        ll_session_release(s);
    }
    CHECK(done);
}

/* More images than a buffer holds without the heap: the buffer grows its list, and a host
 * allocation that fails while it grows makes the submit fail, changing no layout. */
#define MANY_IMAGES 9

static void change_all(ll_commands *c, test_image *images, VkImageLayout to)
{
    for (int i = 0; i < MANY_IMAGES; i++)
        change(c, &images[i], to);
}

static void test_many_images(ll_session *s)
{
    test_image images[MANY_IMAGES];
    int made = 0;
    while (made < MANY_IMAGES && image_create(s, &images[made]))
        made++;
    CHECK(made == MANY_IMAGES);
    ll_error err;
    ll_commands *c = made == MANY_IMAGES ? begin_once(s) : NULL;
    if (c != NULL) {
        ll_fault_fail_after(LL_FAULT_HOST, 1);
        change_all(c, images, VK_IMAGE_LAYOUT_GENERAL);
        CHECK(ll_fault_fired() == 1);
        ll_fault_clear();
        CHECK(!ll_commands_submit_once(c, &err) && err.code == LL_E_HOST_MEMORY);
        CHECK_MSG(strstr(err.message, "recording commands") != NULL, "%s", err.message);
        for (int i = 0; i < MANY_IMAGES; i++)
            CHECK(images[i].layout == VK_IMAGE_LAYOUT_UNDEFINED);
        c = begin_once(s);
    }
    if (c != NULL) {
        change_all(c, images, VK_IMAGE_LAYOUT_GENERAL);
        change_all(c, images, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
        CHECK_MSG(ll_commands_submit_once(c, &err), "%s", err.message);
        for (int i = 0; i < MANY_IMAGES; i++)
            CHECK(images[i].layout == VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
    }
    for (int i = 0; i < made; i++)
        image_destroy(s, &images[i]);
}

/* A reusable buffer that fills a host-visible buffer runs each time it is submitted. */
static void test_reusable_twice(ll_session *s, test_image *img)
{
    ll_error err;
    ll_memory *m = ll_memory_create(s, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                    VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, 1u << 20, false,
                                    &err);
    CHECK_MSG(m != NULL, "%s", err.message);
    if (m == NULL)
        return;
    ll_buffer *b = ll_buffer_create(m, 64, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, &err);
    CHECK_MSG(b != NULL, "%s", err.message);
    ll_commands *c = ll_commands_create(s, LL_COMMANDS_REUSABLE, &err);
    CHECK_MSG(c != NULL, "%s", err.message);
    if (b == NULL || c == NULL) {
        ll_commands_destroy(c);
        ll_buffer_release(b);
        ll_memory_release(m);
        return;
    }
    CHECK(!ll_commands_submit(c, &err) && err.code == LL_E_STATE); /* nothing recorded */
    CHECK(ll_commands_begin(c, &err));
    VkBuffer vb = ll_buffer_vk(b);
    ll_commands_buffer_barrier(c, vb, 0, 64, VK_PIPELINE_STAGE_HOST_BIT,
                               VK_ACCESS_HOST_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                               VK_ACCESS_TRANSFER_WRITE_BIT);
    vkCmdFillBuffer(ll_commands_vk(c), vb, 0, 64, 0x01020304u);
    ll_commands_buffer_barrier(c, vb, 0, 64, VK_PIPELINE_STAGE_TRANSFER_BIT,
                               VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
                               VK_ACCESS_HOST_READ_BIT | VK_ACCESS_HOST_WRITE_BIT);
    /* Out and back: the image ends as it starts, so every submit finds it as recorded. */
    change(c, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
    change(c, img, VK_IMAGE_LAYOUT_GENERAL);
    uint32_t *words = ll_buffer_mapped(b);
    for (int round = 0; round < 2; round++) {
        memset(words, 0, 64);
        CHECK_MSG(ll_commands_submit(c, &err), "round %d: %s", round, err.message);
        CHECK(words[0] == 0x01020304u && words[15] == 0x01020304u);
        CHECK(img->layout == VK_IMAGE_LAYOUT_GENERAL);
    }
    /* Submitted without a wait, then again: the second submit waits for the first. */
    CHECK(ll_commands_submit_async(c, &err));
    CHECK(ll_commands_submit(c, &err));
    ll_commands_destroy(c);

    /* One that changes the layout for good: a second submit finds the image elsewhere. */
    c = ll_commands_create(s, LL_COMMANDS_REUSABLE, &err);
    CHECK(c != NULL && ll_commands_begin(c, &err));
    if (c != NULL) {
        change(c, img, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
        CHECK(img->layout == VK_IMAGE_LAYOUT_GENERAL);
        CHECK_MSG(ll_commands_submit(c, &err), "%s", err.message);
        CHECK(img->layout == VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
        CHECK(!ll_commands_submit(c, &err) && err.code == LL_E_STATE);
        CHECK(strstr(err.message, "recorded for an image in layout General, which is in "
                     "layout ShaderReadOnlyOptimal now") != NULL);
        CHECK(img->layout == VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL); /* unchanged */
        ll_commands_destroy(c);
    }
    /* Back to General for the tests after this one. */
    ll_commands *once = begin_once(s);
    if (once != NULL) {
        change(once, img, VK_IMAGE_LAYOUT_GENERAL);
        CHECK(ll_commands_submit_once(once, &err));
    }
    ll_buffer_release(b);
    ll_memory_release(m);
}

/* ---- attachments ------------------------------------------------------------------------ */

static int destroyed[4];
static int destroyed_count;

static void log_destroy(void *object)
{
    destroyed[destroyed_count++] = *(int *)object;
}

static void test_attachments(void)
{
    ll_error err;
    ll_session *s = ll_session_create(NULL, &err);
    CHECK_MSG(s != NULL, "%s", err.message);
    if (s == NULL)
        return;
    static int objects[3] = {1, 2, 3};
    static const char keys[3] = {0};
    for (int i = 0; i < 3; i++)
        CHECK(ll_session_attach(s, &keys[i], &objects[i], log_destroy, &err));
    CHECK(!ll_session_attach(s, &keys[1], &objects[0], log_destroy, &err));
    CHECK(err.code == LL_E_STATE);
    CHECK(ll_session_attachment(s, &keys[1]) == &objects[1]);
    CHECK(ll_session_attachment(s, &destroyed) == NULL);
    ll_session_retain(s);
    ll_session_release(s);
    CHECK(destroyed_count == 0); /* still referenced */
    ll_session_release(s);
    CHECK(destroyed_count == 3);
    CHECK(destroyed[0] == 3 && destroyed[1] == 2 && destroyed[2] == 1);
}

int main(void)
{
    setenv("LLUVIA_ENABLE_DEBUG", "1", 1);
    ll_error err;
    ll_session *s = ll_session_create(NULL, &err);
    CHECK_MSG(s != NULL, "%s", err.message);
    if (s != NULL) {
        test_image img;
        CHECK(image_create(s, &img));
        test_one_shot(s, &img);
        test_abort(s, &img);
        test_reusable_twice(s, &img);
        test_vulkan_faults(&img);
        test_many_images(s);
        image_destroy(s, &img);
        CHECK(!ll_session_has_warnings(s));
        ll_session_release(s);
    }
    test_attachments();
    return test_finish("commands");
}
