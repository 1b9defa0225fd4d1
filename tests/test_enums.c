/* test_enums.c: the core's enumeration tables (lluvia/enums.h): look-ups, the flags text the
 * core's messages use, and that every message about flags or modes is built from them. */
#include <string.h>

#include <volk.h>

#include "lluvia/dtype.h"
#include "lluvia/enums.h"
#include "lluvia/format.h"
#include "lluvia/memory.h"
#include "test_util.h"

static void test_find_and_name(void)
{
    const ll_enum_entry *e = ll_enum_find(&ll_enum_channel_type, "float32", false);
    CHECK(e != NULL && e->value == LL_FLOAT32 && strcmp(e->name, "Float32") == 0);
    CHECK(ll_enum_find(&ll_enum_image_usage, "storage", false) == NULL); /* case matters */
    CHECK(ll_enum_find(&ll_enum_image_usage, "Storage", false)->value ==
          VK_IMAGE_USAGE_STORAGE_BIT);
    /* Protected is printed, never taken from a script */
    CHECK(ll_enum_find(&ll_enum_memory_property, "Protected", false) == NULL);
    CHECK(ll_enum_find(&ll_enum_memory_property, "Protected", true) != NULL);
    CHECK(strcmp(ll_enum_name(&ll_enum_address_mode, VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE),
                 "ClampToEdge") == 0);
    CHECK(ll_enum_name(&ll_enum_address_mode, 99) == NULL);
    int n = 0;
    for (int i = 0; ll_enums[i] != NULL; i++)
        n++;
    CHECK(n == 17);
}

/* Kinds match in any case, flags exactly; every table is found by its name. */
static void test_kinds_and_tables(void)
{
    CHECK(ll_enum_find(&ll_enum_image_layout, "general", false)->value ==
          VK_IMAGE_LAYOUT_GENERAL);
    CHECK(ll_enum_find(&ll_enum_port_type, "sampledimageview", false)->value == 2);
    CHECK(ll_enum_find(&ll_enum_memory_property, "hostvisible", false) == NULL);
    CHECK(ll_enum_find(&ll_enum_channel_count, "C4", false)->value == 4);
    CHECK(ll_enum_image_usage.kind == LL_ENUM_FLAGS);
    CHECK(ll_enum_float_precision.kind == LL_ENUM_NUMBERS);
    CHECK(ll_enum_compute_dimension.kind == LL_ENUM_NAMES);
    for (int i = 0; ll_enums[i] != NULL; i++) {
        CHECK(ll_enum_by_table(ll_enums[i]->table) == ll_enums[i]);
        CHECK(ll_enums[i]->case_insensitive == (ll_enums[i]->kind == LL_ENUM_NAMES));
    }
    CHECK(ll_enum_by_table("NoSuchTable") == NULL);
}

static void test_flags_text(void)
{
    char buf[160];
    CHECK(strcmp(ll_enum_flags_text(&ll_enum_memory_property,
                                    VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |
                                        VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT,
                                    buf, sizeof buf), "{HostVisible, HostCoherent}") == 0);
    CHECK(strcmp(ll_enum_flags_text(&ll_enum_memory_property,
                                    VK_MEMORY_PROPERTY_PROTECTED_BIT | 0x100, buf, sizeof buf),
                 "{Protected, 0x100}") == 0);
    CHECK(strcmp(ll_enum_flags_text(&ll_enum_buffer_usage, 0, buf, sizeof buf), "{}") == 0);
    /* truncation keeps a terminated string */
    char small[8];
    ll_enum_flags_text(&ll_enum_image_usage, 0xff, small, sizeof small);
    CHECK(strlen(small) == sizeof small - 1);
    CHECK(ll_enum_bits(&ll_enum_image_usage) == 0xff);
}

/* The core's own texts come from the same tables. */
static void test_messages_use_the_tables(void)
{
    char a[160], b[160];
    for (uint32_t bit = 1; bit != 0 && bit <= 0x100; bit <<= 1) {
        ll_memory_flags_text(bit, a, sizeof a);
        CHECK_MSG(strcmp(a, ll_enum_flags_text(&ll_enum_memory_property, bit, b, sizeof b)) == 0,
                  "%s", a);
        ll_image_usage_text(bit, a, sizeof a);
        CHECK_MSG(strcmp(a, ll_enum_flags_text(&ll_enum_image_usage, bit, b, sizeof b)) == 0,
                  "%s", a);
    }
    for (int t = 0; t < LL_DTYPE_COUNT; t++)
        CHECK(strcmp(ll_enum_name(&ll_enum_channel_type, (uint32_t)t),
                     ll_dtype_channel_name((ll_dtype)t)) == 0);
}

int main(void)
{
    test_find_and_name();
    test_kinds_and_tables();
    test_flags_text();
    test_messages_use_the_tables();
    return test_finish("enums");
}
