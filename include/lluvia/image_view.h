/* image_view.h: ImageViews: a VkImageView of a whole image and, when sampled, a VkSampler
 * with the filter, address and coordinate modes asked for. A view retains its image.
 * Not for: the image itself or its transfers (image.h). */
#ifndef LL_IMAGE_VIEW_H
#define LL_IMAGE_VIEW_H

#include <stdbool.h>

#include <volk.h>

#include "lluvia/error.h"
#include "lluvia/image.h"
#include "lluvia/session.h"

typedef struct ll_image_view_desc {
    VkFilter filter;                 /* VK_FILTER_NEAREST or VK_FILTER_LINEAR */
    VkSamplerAddressMode address_mode[3]; /* for U, V and W: they may differ */
    bool normalized_coordinates;
    bool sampled;                    /* create a VkSampler too */
} ll_image_view_desc;

/* Opaque: other files use the accessors below. */
typedef struct ll_image_view ll_image_view;

/* What a refused view description is wrong about. */
typedef enum ll_image_view_field {
    LL_VIEW_IMAGE,          /* the image: its usage */
    LL_VIEW_FILTER,
    LL_VIEW_ADDRESS_MODE,
    LL_VIEW_NORMALIZED,     /* normalized_coordinates */
    LL_VIEW_SAMPLED
} ll_image_view_field;

/* Whether a view described by desc can be made of an image of this format, type and usage
 * (so callers can ask before making the image). LL_E_ARGUMENT when: the usage has nothing
 * a view can serve (Sampled, Storage, an attachment); sampled without Sampled usage;
 * unnormalized coordinates with an address mode (of any axis) other than ClampToEdge or
 * ClampToBorder (Vulkan forbids them) or with a 3D image; an unknown filter or address mode.
 * LL_E_UNSUPPORTED when the format cannot be filtered linearly, or MirrorClampToEdge is
 * asked of a device that does not enable it. Filter, address and coordinate modes are
 * checked only for sampled views: without a sampler they are only recorded. On failure
 * *field (when not NULL) says which part of the request is at fault. */
bool ll_image_view_check(const ll_session *session, VkFormat format, VkImageType type,
                         VkImageUsageFlags usage, const ll_image_view_desc *desc,
                         ll_image_view_field *field, ll_error *err);

/* Creates a view of the whole image (1D, 2D or 3D as the image) and, when desc->sampled,
 * its sampler, after ll_image_view_check. Retains the image. */
ll_image_view *ll_image_view_create(ll_image *image, const ll_image_view_desc *desc,
                                    ll_error *err);
void ll_image_view_retain(ll_image_view *view);
void ll_image_view_release(ll_image_view *view);

/* The image it views (the view holds a reference), what it was made with, its VkImageView
 * and its VkSampler (VK_NULL_HANDLE unless desc->sampled). */
ll_image *ll_image_view_image(const ll_image_view *view);
const ll_image_view_desc *ll_image_view_get_desc(const ll_image_view *view);
VkImageView ll_image_view_handle(const ll_image_view *view);
VkSampler ll_image_view_sampler(const ll_image_view *view);

/* Checks the view's invariants; false with a description in err. For tests. */
bool ll_image_view_validate(const ll_image_view *view, ll_error *err);

#endif
