/* enums.h: the names of the enumerations the API shows (ll.ChannelType, ll.*FlagBits,
 * ll.PortType, ...) and their Vulkan (or ll_dtype, or lluvia-lua) values, in one table each:
 * the binding builds the Lua tables from them, and the core's messages print flags and
 * modes with them.
 * Not for: parsing Lua values (src/binding/l_enums.c). */
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

/* What the Lua table ll.<table> holds for each name, and what arguments take. */
typedef enum ll_enum_kind {
    LL_ENUM_NAMES,   /* kinds: each name maps to itself; arguments take names, in any case */
    LL_ENUM_FLAGS,   /* bits: each name maps to its Vulkan bit; arguments take names, numbers
                      * (bits OR-ed) or lists of both; names match exactly */
    LL_ENUM_NUMBERS, /* quantities (ll.ChannelCount): each name maps to its value */
} ll_enum_kind;

typedef struct ll_enum {
    const char *table;            /* "ChannelType": the name of ll.<table> */
    const ll_enum_entry *entries; /* in the API's order, ended by {NULL} */
    bool case_insensitive;        /* names match in any case (every kind) */
    ll_enum_kind kind;
} ll_enum;

extern const ll_enum ll_enum_buffer_usage;    /* VkBufferUsageFlagBits */
extern const ll_enum ll_enum_image_usage;     /* VkImageUsageFlagBits, lowest bit first */
extern const ll_enum ll_enum_memory_property; /* VkMemoryPropertyFlagBits, lowest bit first */
extern const ll_enum ll_enum_channel_type;    /* ll_dtype, in ChannelType order */
extern const ll_enum ll_enum_image_layout;    /* VkImageLayout */
extern const ll_enum ll_enum_filter_mode;     /* VkFilter */
extern const ll_enum ll_enum_address_mode;    /* VkSamplerAddressMode */
extern const ll_enum ll_enum_image_tiling;    /* VkImageTiling */
extern const ll_enum ll_enum_channel_count;   /* 1 to 4 (numbers) */
extern const ll_enum ll_enum_float_precision; /* FP16 = 0, FP32 = 1, FP64 = 2 (numbers) */
extern const ll_enum ll_enum_port_direction;  /* In = 0, Out = 1 */
extern const ll_enum ll_enum_port_type;       /* ll_port_type (lluvia/program.h) */
extern const ll_enum ll_enum_compute_dimension; /* D1 = 1, D2 = 2, D3 = 3 */
extern const ll_enum ll_enum_node_type;       /* Compute = 0, Container = 1 */
extern const ll_enum ll_enum_node_state;      /* Created = 0, Init = 1 */
extern const ll_enum ll_enum_object_type;     /* Buffer = 0, Image = 1, ImageView = 2 */
extern const ll_enum ll_enum_parameter_type;  /* Int = 0, Float = 1, String = 2 */
extern const ll_enum *const ll_enums[];       /* all of the above, NULL-ended */

/* The enumeration named `table` ("PortType"), or NULL. */
const ll_enum *ll_enum_by_table(const char *table);

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
