/* test_session.c: the core Session without Lua: device choice, shared contexts, one-shot
 * command submission, and errors that leave nothing behind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "lluvia/session.h"
#include "test_util.h"
#include "vk_util.h"

static void test_devices(void)
{
    ll_device_info list[8];
    uint32_t n = 0;
    ll_error err;
    CHECK_MSG(ll_enumerate_devices(list, 8, &n, &err), "%s", err.message);
    CHECK(n >= 1);
    uint32_t index = 99;
    CHECK(ll_choose_device(NULL, &index, &err) && index < n);
    CHECK(ll_choose_device("0", &index, &err) && index == 0);
    CHECK(!ll_choose_device("no such device", &index, &err));
    CHECK(err.code == LL_E_ARGUMENT);
    CHECK(strstr(err.message, "no device matches 'no such device'") != NULL);
    CHECK(!ll_choose_device("4000000000", &index, &err) && err.code == LL_E_ARGUMENT);
    CHECK(strcmp(ll_device_type_name(VK_PHYSICAL_DEVICE_TYPE_CPU), "Cpu") == 0);
    CHECK(strcmp(ll_device_type_name(VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU), "DiscreteGpu") == 0);
    CHECK(strcmp(ll_device_type_name((VkPhysicalDeviceType)99), "Other") == 0);
}

static void test_shared_device(void)
{
    ll_error err;
    ll_session_options opts = {.enable_debug = true};
    ll_session *a = ll_session_create(&opts, &err);
    ll_session *b = ll_session_create(&opts, &err);
    CHECK_MSG(a != NULL && b != NULL, "%s", err.message);
    if (a == NULL || b == NULL)
        return;
    CHECK(a != b);
    CHECK(ll_session_device(a) == ll_session_device(b)); /* one VkDevice for both */
    CHECK(ll_session_vk(a) == ll_session_vk(b));
    CHECK(ll_session_device_id(a) == ll_session_device_id(b));
    CHECK(!ll_session_force_staging(a) || getenv("LLUVIA_FORCE_STAGING") != NULL);
    CHECK(ll_session_staging_size(a) == LL_DEFAULT_STAGING_SIZE);
    ll_commands *ca = ll_commands_begin_once(a, &err);
    ll_commands *cb = ll_commands_begin_once(b, &err);
    CHECK(ca != NULL && cb != NULL && ll_commands_vk(ca) != ll_commands_vk(cb));
    if (ca != NULL)
        ll_commands_abort_once(ca);
    if (cb != NULL)
        ll_commands_abort_once(cb);
    CHECK(ll_session_validation_enabled(a));
    ll_session_release(a);
    /* b still works after a is gone */
    ll_commands *c = ll_commands_begin_once(b, &err);
    CHECK_MSG(c != NULL, "%s", err.message);
    if (c != NULL)
        CHECK_MSG(ll_commands_submit_once(c, &err), "%s", err.message);
    c = ll_commands_begin_once(b, &err);
    CHECK(c != NULL);
    if (c != NULL)
        ll_commands_abort_once(c);
    CHECK(!ll_session_has_warnings(b));
    ll_session_release(b);
}

static void test_bad_options(void)
{
    ll_error err;
    ll_session_options opts = {.buffer_image_granularity = 3000};
    CHECK(ll_session_create(&opts, &err) == NULL);
    CHECK(err.code == LL_E_ARGUMENT);
    ll_session_options bad_device = {.device = "definitely-not-a-gpu"};
    CHECK(ll_session_create(&bad_device, &err) == NULL);
    CHECK(err.code == LL_E_ARGUMENT);
}

static void test_granularity(void)
{
    ll_error err;
    ll_session_options opts = {.buffer_image_granularity = 4096};
    ll_session *s = ll_session_create(&opts, &err);
    CHECK_MSG(s != NULL, "%s", err.message);
    if (s == NULL)
        return;
    CHECK(ll_session_granularity(s) == 4096);
    ll_session_release(s);
}

/* A deliberate misuse is counted for hasReceivedVulkanWarningMessages and printed to
 * stderr with its message id. */
static void test_validation_messages(void)
{
    ll_error err;
    ll_session_options opts = {.enable_debug = true};
    ll_session *s = ll_session_create(&opts, &err);
    CHECK_MSG(s != NULL, "%s", err.message);
    if (s == NULL)
        return;
    CHECK(!ll_session_has_warnings(s));
    uint64_t before = ll_debug_message_count();

    char path[] = "/tmp/lluvia-test-stderr-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    VkBufferCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .size = 0, /* invalid: VUID-VkBufferCreateInfo-size-00912 */
        .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
    };
    VkBuffer buffer = VK_NULL_HANDLE;
    VkResult r = vkCreateBuffer(ll_session_vk(s), &info, NULL, &buffer);
    if (r == VK_SUCCESS && buffer != VK_NULL_HANDLE)
        vkDestroyBuffer(ll_session_vk(s), buffer, NULL);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);

    char text[4096] = "";
    FILE *f = fdopen(fd, "r");
    if (f != NULL) {
        rewind(f);
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = '\0';
        fclose(f);
    }
    unlink(path);
    CHECK(ll_session_has_warnings(s));
    CHECK(ll_debug_message_count() > before);
    CHECK_MSG(strstr(text, "lluvia: vulkan error [VUID-VkBufferCreateInfo-size-00912]") != NULL,
              "stderr was: %s", text);

    /* A session made afterwards starts with a clean record. */
    ll_session *t = ll_session_create(&opts, &err);
    CHECK(t != NULL && !ll_session_has_warnings(t));
    ll_session_release(t);
    ll_session_release(s);
}

/* LLUVIA_FORCE_STAGING (as the other flags) in every usual spelling, both ways; anything
 * else fails the session with the variable and the value. */
static void test_env_flags(void)
{
    const char *saved = getenv("LLUVIA_FORCE_STAGING");
    char *keep = saved != NULL ? strdup(saved) : NULL;
    static const char *const on[] = {"1", "true", "TRUE", "Yes", "on", "ON"};
    static const char *const off[] = {"0", "false", "False", "no", "NO", "off", ""};
    ll_error err;
    for (size_t i = 0; i < sizeof on / sizeof on[0] + sizeof off / sizeof off[0]; i++) {
        bool want = i < sizeof on / sizeof on[0];
        const char *v = want ? on[i] : off[i - sizeof on / sizeof on[0]];
        setenv("LLUVIA_FORCE_STAGING", v, 1);
        bool flag = !want;
        CHECK_MSG(ll_env_flag("LLUVIA_FORCE_STAGING", &flag, &err) && flag == want, "'%s'", v);
        ll_session *s = ll_session_create(NULL, &err);
        CHECK_MSG(s != NULL, "'%s': %s", v, err.message);
        if (s != NULL)
            CHECK_MSG(ll_session_force_staging(s) == want, "'%s'", v);
        ll_session_release(s);
    }
    unsetenv("LLUVIA_FORCE_STAGING");
    bool flag = true;
    CHECK(ll_env_flag("LLUVIA_FORCE_STAGING", &flag, &err) && !flag);

    static const char *const bad[] = {"maybe", "2", "yes ", "tru", "-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("LLUVIA_FORCE_STAGING", bad[i], 1);
        flag = true;
        CHECK(!ll_env_flag("LLUVIA_FORCE_STAGING", &flag, &err) && !flag);
        CHECK(ll_session_create(NULL, &err) == NULL && err.code == LL_E_ARGUMENT);
        char want[128];
        snprintf(want, sizeof want, "LLUVIA_FORCE_STAGING must be one of 1, 0, true, false, "
                 "yes, no, on, off; got '%s'", bad[i]);
        CHECK_MSG(strcmp(err.message, want) == 0, "%s", err.message);
    }
    unsetenv("LLUVIA_FORCE_STAGING");
    /* The other two fail the session the same way. */
    setenv("LLUVIA_VALIDATE_SYNC", "sometimes", 1);
    CHECK(ll_session_create(NULL, &err) == NULL && err.code == LL_E_ARGUMENT);
    CHECK(strstr(err.message, "LLUVIA_VALIDATE_SYNC must be one of") != NULL &&
          strstr(err.message, "got 'sometimes'") != NULL);
    unsetenv("LLUVIA_VALIDATE_SYNC");
    setenv("LLUVIA_ENABLE_DEBUG", "enabled", 1);
    CHECK(ll_session_create(NULL, &err) == NULL && err.code == LL_E_ARGUMENT);
    CHECK(strstr(err.message, "LLUVIA_ENABLE_DEBUG must be one of") != NULL);
    setenv("LLUVIA_ENABLE_DEBUG", "1", 1);
    /* A long value is shown cut. */
    char longer[200];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    setenv("LLUVIA_FORCE_STAGING", longer, 1);
    CHECK(!ll_env_flag("LLUVIA_FORCE_STAGING", &flag, &err) && strstr(err.message, "...'") == NULL
          && strstr(err.message, "xxx'...") != NULL);
    if (keep != NULL)
        setenv("LLUVIA_FORCE_STAGING", keep, 1);
    else
        unsetenv("LLUVIA_FORCE_STAGING");
    free(keep);
}

/* Good workgroup shapes from device limits, with no device involved. */
static void test_good_local_shape(void)
{
    uint32_t shape[3];
    const uint32_t common[3] = {1024, 1024, 64};
    ll_good_local_shape(1024, common, 2, shape);
    CHECK(shape[0] == 32 && shape[1] == 32 && shape[2] == 1);
    ll_good_local_shape(1024, common, 1, shape);
    CHECK(shape[0] == 1024 && shape[1] == 1 && shape[2] == 1);
    ll_good_local_shape(1024, common, 3, shape);
    CHECK(shape[0] == 16 && shape[1] == 16 && shape[2] == 4);
    ll_good_local_shape(256, common, 2, shape);
    CHECK(shape[0] == 16 && shape[1] == 16 && shape[2] == 1);
    const uint32_t narrow[3] = {8, 1024, 1};
    ll_good_local_shape(1024, narrow, 2, shape); /* x capped: y takes the rest */
    CHECK(shape[0] == 8 && shape[1] == 128 && shape[2] == 1);
    ll_good_local_shape(1024, narrow, 3, shape); /* no depth allowed */
    CHECK(shape[0] == 8 && shape[1] == 128 && shape[2] == 1);
    ll_good_local_shape(1024, narrow, 1, shape);
    CHECK(shape[0] == 8 && shape[1] == 1 && shape[2] == 1);
    ll_good_local_shape(128, common, 3, shape); /* 32 per layer: 5 x 6 */
    CHECK(shape[0] == 5 && shape[1] == 6 && shape[2] == 4);
    CHECK(shape[0] * shape[1] * shape[2] <= 128);
}

int main(void)
{
    setenv("LLUVIA_ENABLE_DEBUG", "1", 1);
    test_good_local_shape();
    test_devices();
    test_shared_device();
    test_bad_options();
    test_granularity();
    test_validation_messages();
    test_env_flags();
    return test_finish("session");
}
