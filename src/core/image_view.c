/* image_view.c: image views: checking a view request against Vulkan's rules and the
 * device, creating the VkImageView and taking the session's shared VkSampler for it
 * (sampler.c). Not for: images or their commands (image.c). */
#include "lluvia/image_view.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "lluvia/enums.h"
#include "lluvia/format.h"
#include "lluvia/sampler.h"
#include "context.h"
#include "vk_util.h"

struct ll_image_view {
    atomic_int refs;
    ll_image *image;                 /* retained */
    VkImageView handle;
    VkSampler sampler;               /* VK_NULL_HANDLE unless desc.sampled */
    ll_image_view_desc desc;
};

/* Usages a VkImageView can serve (VUID-VkImageViewCreateInfo-image-04441). */
#define VIEW_USAGES (VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_STORAGE_BIT | \
                     VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | \
                     VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT | \
                     VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT | \
                     VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT)

static bool refuse(ll_image_view_field *field, ll_image_view_field which)
{
    if (field != NULL)
        *field = which;
    return false;
}

/* " of axis V" where the axes' modes differ, "" where one mode serves all three. */
static const char *axis_text(const ll_image_view_desc *d, int axis)
{
    static const char *const names[3] = {" of axis U", " of axis V", " of axis W"};
    bool same = d->address_mode[0] == d->address_mode[1] &&
                d->address_mode[1] == d->address_mode[2];
    return same ? "" : names[axis];
}

bool ll_image_view_check(const ll_session *session, VkFormat format, VkImageType type,
                         VkImageUsageFlags usage, const ll_image_view_desc *d,
                         ll_image_view_field *field, ll_error *err)
{
    if (d->filter != VK_FILTER_NEAREST && d->filter != VK_FILTER_LINEAR)
        return ll_fail(err, LL_E_ARGUMENT, "unknown filter mode %d", (int)d->filter),
               refuse(field, LL_VIEW_FILTER);
    for (int axis = 0; axis < 3; axis++)
        if (ll_enum_name(&ll_enum_address_mode, (uint32_t)d->address_mode[axis]) == NULL)
            return ll_fail(err, LL_E_ARGUMENT, "unknown address mode %d",
                           (int)d->address_mode[axis]),
                   refuse(field, LL_VIEW_ADDRESS_MODE);
    char text[160];
    if (!(usage & VIEW_USAGES))
        return ll_fail(err, LL_E_ARGUMENT, "an image view needs an image with Sampled, Storage "
                       "or an attachment usage, this one has %s",
                       ll_image_usage_text(usage, text, sizeof text)),
               refuse(field, LL_VIEW_IMAGE);
    if (!d->sampled)
        return true; /* filter, address and coordinate modes matter only to a sampler */
    if (!(usage & VK_IMAGE_USAGE_SAMPLED_BIT))
        return ll_fail(err, LL_E_ARGUMENT, "a sampled image view needs an image with Sampled "
                       "usage, this one has %s", ll_image_usage_text(usage, text, sizeof text)),
               refuse(field, LL_VIEW_SAMPLED);
    if (!d->normalized_coordinates) {
        for (int axis = 0; axis < 3; axis++) {
            VkSamplerAddressMode m = d->address_mode[axis];
            if (m != VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE &&
                m != VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER)
                return ll_fail(err, LL_E_ARGUMENT, "address mode %s%s needs normalized "
                               "coordinates (Vulkan allows only ClampToEdge and ClampToBorder "
                               "with unnormalized coordinates)",
                               ll_enum_name(&ll_enum_address_mode, (uint32_t)m),
                               axis_text(d, axis)),
                       refuse(field, LL_VIEW_ADDRESS_MODE);
        }
        if (type == VK_IMAGE_TYPE_3D)
            return ll_fail(err, LL_E_ARGUMENT, "a 3D image needs normalized coordinates to be "
                           "sampled (Vulkan samples only 1D and 2D images with unnormalized "
                           "coordinates)"),
                   refuse(field, LL_VIEW_NORMALIZED);
    }
    if (d->filter == VK_FILTER_LINEAR &&
        !(ll_format_features(session, format, VK_IMAGE_TILING_OPTIMAL) &
          VK_FORMAT_FEATURE_SAMPLED_IMAGE_FILTER_LINEAR_BIT))
        return ll_fail(err, LL_E_UNSUPPORTED, "%s cannot be sampled with the Linear filter on "
                       "this device (no SAMPLED_IMAGE_FILTER_LINEAR feature): use Nearest",
                       ll_format_name(format)),
               refuse(field, LL_VIEW_FILTER);
    for (int axis = 0; axis < 3; axis++)
        if (d->address_mode[axis] == VK_SAMPLER_ADDRESS_MODE_MIRROR_CLAMP_TO_EDGE &&
            !ll_device_has_mirror_clamp_to_edge(ll_session_device(session)))
            return ll_fail(err, LL_E_UNSUPPORTED, "address mode MirrorClampToEdge%s needs "
                           "VK_KHR_sampler_mirror_clamp_to_edge, which the device does not "
                           "offer", axis_text(d, axis)),
                   refuse(field, LL_VIEW_ADDRESS_MODE);
    return true;
}

static bool check_view(const ll_image *image, const ll_image_view_desc *d, ll_error *err)
{
    return ll_image_view_check(ll_image_session(image), ll_image_format(image),
                               ll_image_type(image), ll_image_usage(image), d, NULL, err);
}

static VkImageViewType view_type(VkImageType type)
{
    switch (type) {
    case VK_IMAGE_TYPE_1D: return VK_IMAGE_VIEW_TYPE_1D;
    case VK_IMAGE_TYPE_2D: return VK_IMAGE_VIEW_TYPE_2D;
    default: return VK_IMAGE_VIEW_TYPE_3D;
    }
}

ll_image_view *ll_image_view_create(ll_image *image, const ll_image_view_desc *desc,
                                    ll_error *err)
{
    if (!check_view(image, desc, err))
        return NULL;
    VkDevice dev = ll_session_vk(ll_image_session(image));
    ll_image_view *view = ll_calloc(1, sizeof *view);
    if (view == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating an image view"),
               NULL;
    atomic_init(&view->refs, 1);
    view->image = image;
    view->desc = *desc;

    VkImageViewCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
        .image = ll_image_handle(image),
        .viewType = view_type(ll_image_type(image)),
        .format = ll_image_format(image),
        .components = {VK_COMPONENT_SWIZZLE_IDENTITY, VK_COMPONENT_SWIZZLE_IDENTITY,
                       VK_COMPONENT_SWIZZLE_IDENTITY, VK_COMPONENT_SWIZZLE_IDENTITY},
        .subresourceRange = {.aspectMask = VK_IMAGE_ASPECT_COLOR_BIT, .levelCount = 1,
                             .layerCount = 1},
    };
    VkResult r = LL_VK(vkCreateImageView(dev, &info, NULL, &view->handle));
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkCreateImageView");
        goto fail_free;
    }
    if (desc->sampled) {
        /* Integer formats read integer border colors; a float one would be undefined. */
        ll_sampler_desc sampler = {
            .filter = desc->filter,
            .address_mode = {desc->address_mode[0], desc->address_mode[1],
                             desc->address_mode[2]},
            .normalized_coordinates = desc->normalized_coordinates,
            .float_border = ll_dtype_is_float(ll_image_channel_type(image)),
        };
        view->sampler = ll_sampler_acquire(ll_image_session(image), &sampler, err);
        if (view->sampler == VK_NULL_HANDLE)
            goto fail_view;
    }
    ll_image_retain(image);
    return view;

fail_view:
    vkDestroyImageView(dev, view->handle, NULL);
fail_free:
    ll_free(view);
    return NULL;
}

void ll_image_view_retain(ll_image_view *view)
{
    atomic_fetch_add(&view->refs, 1);
}

void ll_image_view_release(ll_image_view *view)
{
    if (view == NULL || atomic_fetch_sub(&view->refs, 1) != 1)
        return;
    ll_session *session = ll_image_session(view->image);
    ll_sampler_release(session, view->sampler);
    vkDestroyImageView(ll_session_vk(session), view->handle, NULL);
    ll_image_release(view->image);
    ll_free(view);
}

ll_image *ll_image_view_image(const ll_image_view *view) { return view->image; }
const ll_image_view_desc *ll_image_view_get_desc(const ll_image_view *view)
{
    return &view->desc;
}
VkImageView ll_image_view_handle(const ll_image_view *view) { return view->handle; }
VkSampler ll_image_view_sampler(const ll_image_view *view) { return view->sampler; }

bool ll_image_view_validate(const ll_image_view *view, ll_error *err)
{
    if (atomic_load(&view->refs) < 1)
        return ll_fail(err, LL_E_STATE, "view refs %d < 1", atomic_load(&view->refs));
    if (view->image == NULL || view->handle == VK_NULL_HANDLE)
        return ll_fail(err, LL_E_STATE, "view has no image or no VkImageView");
    if ((view->sampler != VK_NULL_HANDLE) != view->desc.sampled)
        return ll_fail(err, LL_E_STATE, "view has %s sampler but sampled is %s",
                       view->sampler != VK_NULL_HANDLE ? "a" : "no",
                       view->desc.sampled ? "true" : "false");
    if (!check_view(view->image, &view->desc, err))
        return false;
    return ll_image_validate(view->image, err);
}
