/* test_image.c: the core image, view and format code without Lua: the shape rules, the
 * toHost shapes, the format table, creation, transfers in odd chunk sizes, clears, copies,
 * layouts, views, and failures that leave nothing behind. ll_image_validate after each step;
 * no validation message anywhere. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lluvia/format.h"
#include "lluvia/image.h"
#include "lluvia/image_view.h"
#include "lluvia/memory.h"
#include "lluvia/sampler.h"
#include "lluvia/session.h"
#include "test_util.h"

/* One address mode for the three axes of a view or sampler description. */
#define ALL(mode) {(mode), (mode), (mode)}

#define VALID(img)                                                                     \
    do {                                                                               \
        ll_error verr_;                                                                \
        CHECK_MSG(ll_image_validate((img), &verr_), "%s", verr_.message);              \
    } while (0)

static void test_shape_rules(void)
{
    ll_image_shape s;
    ll_error err;
    CHECK(ll_image_shape_from_dims((int64_t[]){7}, 1, &s, &err));
    CHECK(s.depth == 1 && s.height == 1 && s.width == 7 && s.channels == 1);
    CHECK(ll_image_shape_from_dims((int64_t[]){3, 7}, 2, &s, &err));
    CHECK(s.depth == 1 && s.height == 3 && s.width == 7 && s.channels == 1);
    CHECK(ll_image_shape_from_dims((int64_t[]){3, 7, 2}, 3, &s, &err));
    CHECK(s.depth == 1 && s.height == 3 && s.width == 7 && s.channels == 2);
    CHECK(ll_image_shape_from_dims((int64_t[]){5, 3, 7, 4}, 4, &s, &err));
    CHECK(s.depth == 5 && s.height == 3 && s.width == 7 && s.channels == 4);

    CHECK(!ll_image_shape_from_dims((int64_t[]){1}, 0, &s, &err) && err.code == LL_E_ARGUMENT);
    CHECK(!ll_image_shape_from_dims((int64_t[]){1, 1, 1, 1, 1}, 5, &s, &err));
    CHECK(!ll_image_shape_from_dims((int64_t[]){4, 4, 5}, 3, &s, &err));
    CHECK(strcmp(err.message, "channels must be 1 to 4, got 5") == 0);
    CHECK(!ll_image_shape_from_dims((int64_t[]){4, 0}, 2, &s, &err));
    CHECK(!ll_image_shape_from_dims((int64_t[]){-1}, 1, &s, &err));
    CHECK(!ll_image_shape_from_dims((int64_t[]){1ll << 32}, 1, &s, &err));

    uint64_t d[4];
    CHECK(ll_image_host_dims(&(ll_image_shape){1, 1, 7, 1}, d) == 1 && d[0] == 7);
    CHECK(ll_image_host_dims(&(ll_image_shape){1, 3, 7, 1}, d) == 2 && d[0] == 3 && d[1] == 7);
    CHECK(ll_image_host_dims(&(ll_image_shape){1, 3, 7, 2}, d) == 3 && d[2] == 2);
    CHECK(ll_image_host_dims(&(ll_image_shape){1, 1, 7, 2}, d) == 4 && d[0] == 1 && d[3] == 2);
    CHECK(ll_image_host_dims(&(ll_image_shape){2, 1, 7, 1}, d) == 4 && d[0] == 2);

    CHECK(ll_image_type_of(&(ll_image_shape){1, 1, 7, 4}) == VK_IMAGE_TYPE_1D);
    CHECK(ll_image_type_of(&(ll_image_shape){1, 2, 7, 1}) == VK_IMAGE_TYPE_2D);
    CHECK(ll_image_type_of(&(ll_image_shape){2, 1, 7, 1}) == VK_IMAGE_TYPE_3D);
}

static void test_format_table(void)
{
    CHECK(ll_format_of(LL_UINT8, 1) == VK_FORMAT_R8_UINT);
    CHECK(ll_format_of(LL_INT8, 4) == VK_FORMAT_R8G8B8A8_SINT);
    CHECK(ll_format_of(LL_FLOAT16, 2) == VK_FORMAT_R16G16_SFLOAT);
    CHECK(ll_format_of(LL_UINT32, 3) == VK_FORMAT_R32G32B32_UINT);
    CHECK(ll_format_of(LL_FLOAT64, 4) == VK_FORMAT_R64G64B64A64_SFLOAT);
    CHECK(ll_format_of(LL_INT64, 1) == VK_FORMAT_R64_SINT);
    CHECK(ll_format_of(LL_UINT8, 0) == VK_FORMAT_UNDEFINED);
    CHECK(ll_format_of(LL_UINT8, 5) == VK_FORMAT_UNDEFINED);
    CHECK(ll_format_of((ll_dtype)LL_DTYPE_COUNT, 1) == VK_FORMAT_UNDEFINED);
    for (int t = 0; t < LL_DTYPE_COUNT; t++)
        for (uint32_t c = 1; c <= 4; c++) {
            VkFormat f = ll_format_of((ll_dtype)t, c);
            ll_dtype back;
            uint32_t channels;
            CHECK(ll_format_split(f, &back, &channels) && back == (ll_dtype)t && channels == c);
            CHECK(ll_format_texel_size(f) == c * ll_dtype_size((ll_dtype)t));
            CHECK(strncmp(ll_format_name(f), "VK_FORMAT_R", 11) == 0);
        }
    CHECK(strcmp(ll_format_name(VK_FORMAT_R16G16B16A16_SFLOAT),
                 "VK_FORMAT_R16G16B16A16_SFLOAT") == 0);
    CHECK(strcmp(ll_format_name(VK_FORMAT_B8G8R8A8_UNORM), "VkFormat(44)") == 0);
    CHECK(ll_format_texel_size(VK_FORMAT_B8G8R8A8_UNORM) == 0);
    char buf[128];
    CHECK(strcmp(ll_image_usage_text(VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                                     buf, sizeof buf), "{TransferSrc, Storage}") == 0);
    CHECK(strcmp(ll_image_usage_text(0, buf, sizeof buf), "{}") == 0);
}

enum { THREADS = 4 };

/* Runs fn on THREADS threads, thread i on args + i * size, and waits for them all. */
static void run_threads(void *(*fn)(void *), void *args, size_t size)
{
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        CHECK(pthread_create(&threads[i], NULL, fn, (char *)args + (size_t)i * size) == 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
}

/* A DeviceLocal Memory of 1 MiB pages in s; NULL (a failed check) if it cannot be made. */
static ll_memory *device_memory(ll_session *s)
{
    ll_error err;
    ll_memory *mem = ll_memory_create(s, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 1 << 20, false,
                                      &err);
    CHECK_MSG(mem != NULL, "%s", err.message);
    return mem;
}

static void fill_pattern(unsigned char *p, uint64_t n, unsigned seed)
{
    for (uint64_t i = 0; i < n; i++)
        p[i] = (unsigned char)((i * 31 + seed) % 251);
}

/* Uploads a pattern and reads it back in a session whose staging buffer holds `staging`
 * bytes, so chunks start and end inside rows and slices. */
static void round_trip(ll_memory *mem, ll_image_shape shape, ll_dtype type)
{
    ll_error err;
    ll_image *img = ll_image_create(mem, &shape, type, VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
                                    VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_STORAGE_BIT,
                                    &err);
    CHECK_MSG(img != NULL, "%s", err.message);
    if (img == NULL)
        return;
    VALID(img);
    uint64_t n = ll_image_minimum_size(img);
    unsigned char *in = malloc(n), *out = calloc(1, n);
    fill_pattern(in, n, shape.width);
    CHECK_MSG(ll_image_upload(img, in, n, &err), "%s", err.message);
    CHECK_MSG(ll_image_download(img, out, n, &err), "%s", err.message);
    CHECK(memcmp(in, out, n) == 0);
    CHECK(ll_image_layout(img) == VK_IMAGE_LAYOUT_GENERAL);
    VALID(img);
    CHECK(!ll_image_upload(img, in, n - 1, &err) && err.code == LL_E_ARGUMENT);
    free(in);
    free(out);
    ll_image_release(img);
}

static void test_transfers(void)
{
    static const uint64_t staging_sizes[] = {16, 100, 4096, 0};
    for (size_t i = 0; i < sizeof staging_sizes / sizeof staging_sizes[0]; i++) {
        ll_error err;
        ll_session_options opts = {.enable_debug = true, .staging_size = staging_sizes[i]};
        ll_session *s = ll_session_create(&opts, &err);
        CHECK_MSG(s != NULL, "%s", err.message);
        if (s == NULL)
            return;
        ll_memory *mem = device_memory(s);
        round_trip(mem, (ll_image_shape){1, 1, 37, 1}, LL_UINT8);
        round_trip(mem, (ll_image_shape){1, 5, 7, 2}, LL_UINT8);
        round_trip(mem, (ll_image_shape){3, 5, 7, 4}, LL_FLOAT32);
        round_trip(mem, (ll_image_shape){4, 3, 5, 1}, LL_INT16);
        round_trip(mem, (ll_image_shape){2, 9, 3, 2}, LL_FLOAT16);
        CHECK(!ll_session_has_warnings(s));
        ll_memory_release(mem);
        ll_session_release(s);
    }
}

static void test_operations(ll_session *s)
{
    ll_error err;
    ll_memory *mem = device_memory(s);
    if (mem == NULL)
        return;
    VkImageUsageFlags all = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT |
                            VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_STORAGE_BIT;
    ll_image_shape shape = {1, 6, 5, 4};
    ll_image *a = ll_image_create(mem, &shape, LL_UINT16, all, &err);
    ll_image *b = ll_image_create(mem, &shape, LL_UINT16, all, &err);
    CHECK_MSG(a != NULL && b != NULL, "%s", err.message);
    if (a == NULL || b == NULL)
        return;
    CHECK(ll_image_minimum_size(a) == 6 * 5 * 4 * 2);
    CHECK(ll_image_allocation(a)->size >= ll_image_minimum_size(a));
    uint64_t n = ll_image_minimum_size(a);
    unsigned char *in = malloc(n), *out = malloc(n), *zero = calloc(1, n);
    fill_pattern(in, n, 3);
    CHECK(ll_image_upload(a, in, n, &err));
    CHECK_MSG(ll_image_change_layout(b, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, &err), "%s",
              err.message);
    CHECK_MSG(ll_image_copy(a, b, &err), "%s", err.message);
    CHECK(ll_image_layout(b) == VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
    CHECK(ll_image_download(b, out, n, &err) && memcmp(in, out, n) == 0);
    CHECK(ll_image_clear(b, &err));
    CHECK(ll_image_download(b, out, n, &err) && memcmp(zero, out, n) == 0);
    CHECK(ll_image_copy(a, a, &err)); /* onto itself: nothing */
    VALID(a);
    VALID(b);

    CHECK(!ll_image_change_layout(a, VK_IMAGE_LAYOUT_UNDEFINED, &err));
    CHECK(err.code == LL_E_ARGUMENT && ll_image_layout(a) == VK_IMAGE_LAYOUT_GENERAL);
    CHECK(!ll_image_change_layout(a, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR, &err));

    ll_image_shape other = {1, 6, 5, 2};
    ll_image *c = ll_image_create(mem, &other, LL_UINT16, all, &err);
    CHECK(c != NULL);
    CHECK(!ll_image_copy(a, c, &err) && err.code == LL_E_ARGUMENT);
    CHECK(err.operand == 2); /* the destination is at fault: the binding blames it */
    ll_image_shape one_row = {1, 1, 4, 1};
    ll_image *d = ll_image_create(mem, &one_row, LL_UINT8, VK_IMAGE_USAGE_TRANSFER_DST_BIT, &err);
    ll_image *e = ll_image_create(mem, &one_row, LL_UINT8, VK_IMAGE_USAGE_TRANSFER_SRC_BIT, &err);
    CHECK(d != NULL && e != NULL);
    CHECK(!ll_image_copy(d, e, &err) && err.operand == 1); /* d lacks TransferSrc */
    CHECK(!ll_image_copy(e, e, &err) && err.operand == 2); /* e lacks TransferDst */
    ll_image_release(d);
    ll_image_release(e);
    ll_image_release(c);

    /* Views and samplers. */
    ll_image_view_desc sampled = {VK_FILTER_NEAREST, ALL(VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE),
                                  false, true};
    ll_image_view *v = ll_image_view_create(a, &sampled, &err);
    CHECK_MSG(v != NULL, "%s", err.message);
    if (v != NULL) {
        CHECK(ll_image_view_sampler(v) != VK_NULL_HANDLE);
        ll_error verr;
        CHECK_MSG(ll_image_view_validate(v, &verr), "%s", verr.message);
    }
    VkFormat af = ll_image_format(a);
    VkImageType at = ll_image_type(a);
    VkImageUsageFlags au = ll_image_usage(a);
    ll_image_view_desc bad = {VK_FILTER_NEAREST, ALL(VK_SAMPLER_ADDRESS_MODE_REPEAT), false, true};
    ll_image_view_field field;
    CHECK(!ll_image_view_check(s, af, at, au, &bad, &field, &err));
    CHECK(err.code == LL_E_ARGUMENT && field == LL_VIEW_ADDRESS_MODE);
    CHECK(ll_image_view_create(a, &bad, &err) == NULL);
    ll_image_view_desc linear = {VK_FILTER_LINEAR, ALL(VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE), true,
                                 true};
    CHECK(!ll_image_view_check(s, af, at, au, &linear, &field, &err));
    CHECK(err.code == LL_E_UNSUPPORTED && field == LL_VIEW_FILTER); /* integer formats */
    ll_image_view_desc plain = {VK_FILTER_NEAREST, ALL(VK_SAMPLER_ADDRESS_MODE_REPEAT), false,
                                false};
    CHECK(ll_image_view_check(s, af, at, au, &plain, NULL, &err));
    CHECK(!ll_image_view_check(s, af, at, VK_IMAGE_USAGE_TRANSFER_SRC_BIT, &plain, &field,
                               &err) && field == LL_VIEW_IMAGE);
    /* One address mode per axis: each is checked and named where they differ. */
    ll_image_view_desc axes = {VK_FILTER_NEAREST,
                               {VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
                                VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER,
                                VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE},
                               false, true};
    ll_image_view *mixed = ll_image_view_create(a, &axes, &err);
    CHECK_MSG(mixed != NULL, "%s", err.message);
    CHECK(mixed == NULL || ll_image_view_get_desc(mixed)->address_mode[1] ==
                               VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER);
    CHECK(mixed == NULL || v == NULL ||
          ll_image_view_sampler(mixed) != ll_image_view_sampler(v)); /* distinct states */
    ll_image_view_release(mixed);
    axes.address_mode[1] = VK_SAMPLER_ADDRESS_MODE_REPEAT;
    CHECK(!ll_image_view_check(s, af, at, au, &axes, &field, &err) &&
          field == LL_VIEW_ADDRESS_MODE);
    CHECK_MSG(strstr(err.message, "address mode Repeat of axis V needs normalized") != NULL,
              "%s", err.message);
    axes.address_mode[2] = (VkSamplerAddressMode)99;
    CHECK(!ll_image_view_check(s, af, at, au, &axes, &field, &err) &&
          strstr(err.message, "unknown address mode 99") != NULL);

    /* The view holds the image: releasing the caller's reference keeps it. */
    ll_memory_stats st;
    ll_image_release(a);
    ll_memory_get_stats(mem, &st);
    CHECK(st.objects == (v != NULL ? 2u : 1u));
    ll_image_view_release(v);
    ll_image_release(b);
    ll_memory_get_stats(mem, &st);
    CHECK(st.objects == 0);
    free(in);
    free(out);
    free(zero);
    ll_memory_release(mem);
}

static void test_failures_leave_nothing(ll_session *s)
{
    ll_error err;
    ll_memory *mem = device_memory(s);
    if (mem == NULL)
        return;
    ll_image_shape big = {1, 1, 1u << 30, 1};
    CHECK(ll_image_create(mem, &big, LL_UINT8, VK_IMAGE_USAGE_STORAGE_BIT, &err) == NULL);
    CHECK(err.code == LL_E_UNSUPPORTED);
    ll_image_shape five = {1, 2, 2, 5};
    CHECK(ll_image_create(mem, &five, LL_UINT8, VK_IMAGE_USAGE_STORAGE_BIT, &err) == NULL);
    CHECK(err.code == LL_E_ARGUMENT);
    ll_image_shape ok = {1, 2, 2, 1};
    CHECK(ll_image_create(mem, &ok, LL_UINT8, 0, &err) == NULL && err.code == LL_E_ARGUMENT);
    ll_memory_stats st;
    ll_memory_get_stats(mem, &st);
    CHECK(st.objects == 0);
    ll_memory_release(mem);
}

/* Vulkan's usage rules that the device query does not check: one function, used by
 * ll_format_check_image and so by ll_image_create. */
static void test_usage_rules(ll_session *s)
{
    const VkImageUsageFlags transient = VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT;
    const VkImageUsageFlags color = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT;
    VkExtent3D small = {4, 4, 1};
    ll_error err;
    CHECK(!ll_image_check_usage(NULL, 0, NULL, &err) && err.code == LL_E_ARGUMENT);
    CHECK(!ll_image_check_usage(NULL, 1u << 20, NULL, &err) && err.code == LL_E_ARGUMENT);
    CHECK(!ll_image_check_usage(NULL, transient, NULL, &err) && err.code == LL_E_ARGUMENT);
    CHECK(strstr(err.message, "usage-00966") != NULL);
    CHECK(!ll_image_check_usage(s, transient | color | VK_IMAGE_USAGE_STORAGE_BIT, &small,
                                &err) && err.code == LL_E_ARGUMENT);
    CHECK(strstr(err.message, "usage-00963") != NULL);
    CHECK(ll_image_check_usage(s, transient | color, &small, &err));
    CHECK(ll_image_check_usage(s, transient | VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT, &small,
                               &err));
    CHECK(ll_image_check_usage(s, VK_IMAGE_USAGE_STORAGE_BIT, &small, &err));

    /* Attachments are bounded by the framebuffer limits (-00964, -00965), others not. */
    const VkPhysicalDeviceLimits *limits = &ll_session_properties(s)->limits;
    VkExtent3D wide = {limits->maxFramebufferWidth + 1, 1, 1};
    VkExtent3D tall = {1, limits->maxFramebufferHeight + 1, 1};
    CHECK(!ll_image_check_usage(s, color, &wide, &err) && err.code == LL_E_UNSUPPORTED);
    CHECK(!ll_image_check_usage(s, VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT, &tall, &err) &&
          err.code == LL_E_UNSUPPORTED);
    CHECK(ll_image_check_usage(s, VK_IMAGE_USAGE_STORAGE_BIT, &wide, &err));
    CHECK(ll_image_check_usage(NULL, color, NULL, &err)); /* no device: no limits */

    CHECK(!ll_format_check_image(s, VK_FORMAT_R8_UINT, VK_IMAGE_TYPE_2D,
                                 VK_IMAGE_TILING_OPTIMAL, transient, &small, &err) &&
          err.code == LL_E_ARGUMENT);
    ll_memory *mem = device_memory(s);
    if (mem == NULL)
        return;
    ll_image_shape shape = {1, 4, 4, 4};
    CHECK(ll_image_create(mem, &shape, LL_UINT8, transient | VK_IMAGE_USAGE_STORAGE_BIT,
                          &err) == NULL && err.code == LL_E_ARGUMENT);
    ll_image *ok = ll_image_create(mem, &shape, LL_FLOAT32, transient | color, &err);
    CHECK_MSG(ok != NULL, "%s", err.message);
    if (ok != NULL)
        VALID(ok);
    ll_image_release(ok);
    ll_memory_stats st;
    ll_memory_get_stats(mem, &st);
    CHECK(st.objects == 0);
    ll_memory_release(mem);
}

/* Copies only between objects of one session (ll_session_check_same): another session on
 * the same device is refused as an argument, and nothing is recorded. */
static void test_copy_between_sessions(ll_session *s)
{
    ll_error err;
    ll_session_options opts = {.enable_debug = true, .staging_size = 1 << 20};
    ll_session *other = ll_session_create(&opts, &err);
    CHECK_MSG(other != NULL, "%s", err.message);
    if (other == NULL)
        return;
    CHECK(ll_session_vk(other) == ll_session_vk(s)); /* same options: the same VkDevice */
    CHECK(ll_session_check_same(s, s, "it", &err));
    CHECK(!ll_session_check_same(s, other, "it", &err) && err.code == LL_E_ARGUMENT);
    CHECK(strstr(err.message, "another session on the same device") != NULL);
    ll_memory *a = device_memory(s);
    ll_memory *b = device_memory(other);
    ll_image_shape shape = {1, 2, 2, 1};
    VkImageUsageFlags usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
    ll_image *x = a != NULL ? ll_image_create(a, &shape, LL_UINT8, usage, &err) : NULL;
    ll_image *y = b != NULL ? ll_image_create(b, &shape, LL_UINT8, usage, &err) : NULL;
    CHECK_MSG(x != NULL && y != NULL, "%s", err.message);
    if (x != NULL && y != NULL) {
        CHECK(!ll_image_copy(x, y, &err) && err.code == LL_E_ARGUMENT);
        CHECK(strstr(err.message, "the destination of copyTo") != NULL);
        CHECK(err.operand == 2);
        VALID(x);
        VALID(y);
    }
    ll_image_release(x);
    ll_image_release(y);
    ll_memory_release(a);
    ll_memory_release(b);
    CHECK(!ll_session_has_warnings(other));
    ll_session_release(other);
}

/* Samplers are shared per session and state, counted against the device's limit. */
static void *churn_samplers(void *arg)
{
    ll_session *s = *(ll_session **)arg;
    static const VkSamplerAddressMode modes[] = {VK_SAMPLER_ADDRESS_MODE_REPEAT,
                                                 VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE};
    for (unsigned i = 0; i < 300; i++) {
        ll_sampler_desc d = {VK_FILTER_NEAREST, ALL(modes[i % 2]), true, i % 3 == 0};
        ll_error err;
        VkSampler a = ll_sampler_acquire(s, &d, &err);
        VkSampler b = ll_sampler_acquire(s, &d, &err);
        CHECK(a != VK_NULL_HANDLE && a == b);
        ll_sampler_release(s, a);
        ll_sampler_release(s, b);
    }
    return NULL;
}

/* A 4x4 image of `type` that can be sampled, or NULL (a failed check). */
static ll_image *sampled_image(ll_memory *mem, ll_dtype type)
{
    ll_error err;
    ll_image *image = ll_image_create(mem, &(ll_image_shape){1, 4, 4, 1}, type,
                                      VK_IMAGE_USAGE_SAMPLED_BIT, &err);
    CHECK_MSG(image != NULL, "%s", err.message);
    return image;
}

static void test_samplers(ll_session *s)
{
    ll_memory *mem = device_memory(s);
    ll_image *f = mem != NULL ? sampled_image(mem, LL_FLOAT32) : NULL;
    ll_image *u = mem != NULL ? sampled_image(mem, LL_UINT8) : NULL;
    if (f == NULL || u == NULL)
        return;
    ll_error err;
    uint32_t before = ll_sampler_count(s), process = ll_sampler_count(NULL);
    ll_image_view_desc clamp = {VK_FILTER_NEAREST, ALL(VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE),
                                false, true};
    enum { VIEWS = 50 };
    ll_image_view *views[VIEWS];
    for (int i = 0; i < VIEWS; i++) {
        views[i] = ll_image_view_create(f, &clamp, &err);
        CHECK_MSG(views[i] != NULL, "%s", err.message);
    }
    CHECK(ll_sampler_count(s) == before + 1);
    CHECK(ll_sampler_count(NULL) == process + 1);
    CHECK(views[0] != NULL && views[VIEWS - 1] != NULL &&
          ll_image_view_sampler(views[0]) == ll_image_view_sampler(views[VIEWS - 1]));
    ll_image_view *int_view = ll_image_view_create(u, &clamp, &err); /* integer border */
    CHECK(int_view != NULL && ll_sampler_count(s) == before + 2);

    /* At the limit: a new state fails and changes nothing; a known one is shared. */
    ll_sampler_set_limit(ll_sampler_count(NULL));
    ll_image_view_desc border = {VK_FILTER_NEAREST, ALL(VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER),
                                 false, true};
    CHECK(ll_image_view_create(f, &border, &err) == NULL && err.code == LL_E_DEVICE_MEMORY);
    CHECK(strstr(err.message, "maxSamplerAllocationCount") != NULL);
    CHECK(ll_sampler_count(s) == before + 2);
    ll_image_view *shared = ll_image_view_create(f, &clamp, &err);
    CHECK(shared != NULL);
    ll_image_view_release(shared);
    ll_sampler_set_limit(0);

    for (int i = 0; i < VIEWS; i++)
        ll_image_view_release(views[i]);
    ll_image_view_release(int_view);
    CHECK(ll_sampler_count(s) == before);

    ll_session *sessions[THREADS];
    for (int i = 0; i < THREADS; i++)
        sessions[i] = s;
    run_threads(churn_samplers, sessions, sizeof sessions[0]);
    CHECK(ll_sampler_count(s) == before);
    CHECK(ll_sampler_count(NULL) == process);
    ll_image_release(f);
    ll_image_release(u);
    ll_memory_release(mem);
}

/* Threads changing the layout of one image and clearing it: each command must start from
 * the layout the one before it left (the layout is updated under the command lock), else
 * the validation layer reports a layout mismatch. */
typedef struct layout_worker {
    ll_image *image;
    unsigned seed;
    int failures;
} layout_worker;

static void *change_layouts(void *arg)
{
    layout_worker *w = arg;
    static const VkImageLayout layouts[] = {VK_IMAGE_LAYOUT_GENERAL,
                                            VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                                            VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL};
    ll_error err;
    for (unsigned i = 0; i < 200; i++) {
        if (!ll_image_change_layout(w->image, layouts[(w->seed + i) % 3], &err))
            w->failures++;
        if (i % 7 == 0 && !ll_image_clear(w->image, &err))
            w->failures++;
    }
    return NULL;
}

static void test_layout_threads(ll_session *s)
{
    ll_error err;
    ll_memory *mem = device_memory(s);
    if (mem == NULL)
        return;
    ll_image_shape shape = {1, 8, 8, 1};
    ll_image *image = ll_image_create(mem, &shape, LL_UINT8, VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
                                      VK_IMAGE_USAGE_TRANSFER_DST_BIT, &err);
    CHECK_MSG(image != NULL, "%s", err.message);
    if (image != NULL) {
        layout_worker workers[THREADS];
        for (int i = 0; i < THREADS; i++)
            workers[i] = (layout_worker){.image = image, .seed = (unsigned)i};
        run_threads(change_layouts, workers, sizeof workers[0]);
        for (int i = 0; i < THREADS; i++)
            CHECK(workers[i].failures == 0);
        VALID(image);
        ll_image_release(image);
    }
    ll_memory_release(mem);
}

int main(void)
{
    test_shape_rules();
    test_format_table();
    ll_error err;
    ll_session_options opts = {.enable_debug = true};
    ll_session *s = ll_session_create(&opts, &err);
    CHECK_MSG(s != NULL, "%s", err.message);
    if (s != NULL) {
        test_operations(s);
        test_failures_leave_nothing(s);
        test_usage_rules(s);
        test_copy_between_sessions(s);
        test_samplers(s);
        test_layout_threads(s);
        CHECK(!ll_session_has_warnings(s));
        ll_session_release(s);
    }
    test_transfers();
    return test_finish("image");
}
