/* enums.h: the names of the enumerations the API shows (ll.ChannelType, ll.*FlagBits, ...)
 * and their Vulkan (or ll_dtype) values, in one table each: the binding builds the Lua
 * tables from them, and the core's messages print flags and modes with them.
 * Not for: parsing Lua values (src/binding/enums.c). */
#ifndef LL_ENUMS_H
#define LL_ENUMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ll_enum_entry {
    const char *name;
    uint32_t value;
    bool core_only; /* printed in messages, not offered to scripts (Protected memory) */
} ll_enum_entry;

typedef struct ll_enum {
    const char *table;            /* "ChannelType": the name of ll.<table> */
    const ll_enum_entry *entries; /* in the API's order, ended by {NULL} */
    bool case_insensitive;        /* names match in any case (channel types) */
} ll_enum;

extern const ll_enum ll_enum_buffer_usage;    /* VkBufferUsageFlagBits */
extern const ll_enum ll_enum_image_usage;     /* VkImageUsageFlagBits, lowest bit first */
extern const ll_enum ll_enum_memory_property; /* VkMemoryPropertyFlagBits, lowest bit first */
extern const ll_enum ll_enum_channel_type;    /* ll_dtype, in ChannelType order */
extern const ll_enum ll_enum_image_layout;    /* VkImageLayout */
extern const ll_enum ll_enum_filter_mode;     /* VkFilter */
extern const ll_enum ll_enum_address_mode;    /* VkSamplerAddressMode */
extern const ll_enum *const ll_enums[];       /* all of the above, NULL-ended */

/* The entry named `name` (in any case where the enumeration says so), or NULL. Entries
 * marked core_only are found only when `core_only_too`. */
const ll_enum_entry *ll_enum_find(const ll_enum *e, const char *name, bool core_only_too);

/* The name of a value, or NULL. */
const char *ll_enum_name(const ll_enum *e, uint32_t value);

/* Every value of a flags enumeration OR-ed together: the bits it names. */
uint32_t ll_enum_bits(const ll_enum *e);

/* "{HostVisible, HostCoherent}": the names of the bits set in flags, in the table's order,
 * then any bit without a name as 0x...; "{}" for none. Truncated to size; returns buf. */
const char *ll_enum_flags_text(const ll_enum *e, uint32_t flags, char *buf, size_t size);

#endif
