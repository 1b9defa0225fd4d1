/* spirv.c: what a compute shader's SPIR-V says, without a device: validation by SPIRV-Tools
 * (Vulkan 1.0 rules), then reflection by SPIRV-Cross's C API (bindings, local size,
 * specialization constants, push constants, entry points). Not for: shader modules
 * (program.c) or GLSL (glsl.c). */
#include "lluvia/program.h"

#include <stdlib.h>
#include <string.h>

#include <spirv-tools/libspirv.h>
#include <spirv_cross/spirv_cross_c.h>

#include "lluvia/fault.h"

#define SPIRV_MAGIC 0x07230203u

VkDescriptorType ll_port_type_descriptor(ll_port_type type)
{
    switch (type) {
    case LL_PORT_BUFFER: return VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    case LL_PORT_IMAGE_VIEW: return VK_DESCRIPTOR_TYPE_STORAGE_IMAGE;
    case LL_PORT_SAMPLED_IMAGE_VIEW: return VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
    case LL_PORT_UNIFORM_BUFFER: return VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
    }
    return VK_DESCRIPTOR_TYPE_MAX_ENUM;
}

void ll_program_info_free(ll_program_info *info)
{
    if (info == NULL)
        return;
    for (size_t i = 0; i < info->binding_count; i++)
        ll_free((char *)info->bindings[i].name);
    for (size_t i = 0; i < info->entry_point_count; i++)
        ll_free(info->entry_points[i]);
    ll_free(info->bindings);
    ll_free(info->constants);
    ll_free(info->entry_points);
    ll_free(info);
}

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = ll_malloc(n);
    if (copy != NULL)
        memcpy(copy, s, n);
    return copy;
}

/* ---- validation ---------------------------------------------------------------------- */

static bool validate(const uint32_t *words, size_t count, ll_error *err)
{
    if (words[0] != SPIRV_MAGIC)
        return ll_fail(err, LL_E_PROGRAM, "invalid SPIR-V: magic number 0x%08x, expected "
                       "0x%08x (a SPIR-V module in this machine's byte order)",
                       (unsigned)words[0], SPIRV_MAGIC);
    spv_context context = spvContextCreate(SPV_ENV_VULKAN_1_0);
    if (context == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "SPIR-V validation: no memory for a context");
    spv_diagnostic diagnostic = NULL;
    spv_result_t result = spvValidateBinary(context, words, count, &diagnostic);
    bool ok = result == SPV_SUCCESS;
    if (!ok) {
        const char *message = diagnostic != NULL && diagnostic->error != NULL
                                  ? diagnostic->error : "the validator gave no reason";
        if (result == SPV_ERROR_OUT_OF_MEMORY)
            ll_fail(err, LL_E_HOST_MEMORY, "SPIR-V validation: out of host memory");
        else if (diagnostic != NULL && !diagnostic->isTextSource)
            ll_fail(err, LL_E_PROGRAM, "invalid SPIR-V: %s (word %zu)", message,
                    diagnostic->position.index);
        else
            ll_fail(err, LL_E_PROGRAM, "invalid SPIR-V: %s", message);
    }
    spvDiagnosticDestroy(diagnostic);
    spvContextDestroy(context);
    return ok;
}

/* ---- reflection ---------------------------------------------------------------------- */

typedef struct reflector {
    spvc_context context;
    spvc_compiler compiler;
    ll_program_info *info;
    ll_error *err;
} reflector;

static bool cross_failed(reflector *r, const char *what)
{
    const char *why = spvc_context_get_last_error_string(r->context);
    return ll_fail(r->err, LL_E_PROGRAM, "invalid SPIR-V: %s: %s", what,
                   why != NULL && why[0] != '\0' ? why : "SPIRV-Cross gave no reason");
}

/* A zeroed array of count + 1 entries for `what`; NULL with err filled. */
static void *new_list(reflector *r, size_t count, size_t size, const char *what)
{
    void *list = ll_calloc(count + 1, size);
    if (list == NULL)
        ll_fail(r->err, LL_E_HOST_MEMORY, "out of host memory for %s", what);
    return list;
}

static bool reflect_entry_points(reflector *r)
{
    const spvc_entry_point *points = NULL;
    size_t count = 0;
    if (spvc_compiler_get_entry_points(r->compiler, &points, &count) != SPVC_SUCCESS)
        return cross_failed(r, "entry points");
    ll_program_info *info = r->info;
    info->entry_points = new_list(r, count, sizeof *info->entry_points, "entry points");
    if (info->entry_points == NULL)
        return false;
    for (size_t i = 0; i < count; i++) {
        if (points[i].execution_model != SpvExecutionModelGLCompute)
            continue;
        char *name = copy_string(points[i].name);
        if (name == NULL)
            return ll_fail(r->err, LL_E_HOST_MEMORY, "out of host memory for entry points");
        info->entry_points[info->entry_point_count++] = name;
    }
    if (info->entry_point_count == 0)
        return ll_fail(r->err, LL_E_PROGRAM, "the SPIR-V module has no compute (GLCompute) "
                       "entry point");
    if (spvc_compiler_set_entry_point(r->compiler, info->entry_points[0],
                                      SpvExecutionModelGLCompute) != SPVC_SUCCESS)
        return cross_failed(r, "entry point");
    return true;
}

/* The local size: LocalSize's arguments, replaced axis by axis by the defaults of the
 * specialization constants that the WorkgroupSize built-in is made of. */
static bool reflect_local_size(reflector *r)
{
    ll_program_info *info = r->info;
    for (unsigned i = 0; i < 3; i++)
        info->local_size[i] = spvc_compiler_get_execution_mode_argument_by_index(
            r->compiler, SpvExecutionModeLocalSize, i);
    spvc_specialization_constant axes[3];
    memset(axes, 0, sizeof axes);
    spvc_compiler_get_work_group_size_specialization_constants(r->compiler, &axes[0], &axes[1],
                                                               &axes[2]);
    for (unsigned i = 0; i < 3; i++) {
        if (axes[i].id == 0)
            continue;
        spvc_constant c = spvc_compiler_get_constant_handle(r->compiler, axes[i].id);
        if (c == NULL)
            return cross_failed(r, "workgroup size");
        info->local_size[i] = spvc_constant_get_scalar_u32(c, 0, 0);
        if (spvc_compiler_has_decoration(r->compiler, axes[i].id, SpvDecorationSpecId)) {
            info->from_constant[i] = true;
            info->constant_id[i] = axes[i].constant_id;
        }
    }
    return true;
}

static int compare_constants(const void *a, const void *b)
{
    const ll_program_constant *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static bool reflect_constants(reflector *r)
{
    const spvc_specialization_constant *list = NULL;
    size_t count = 0;
    if (spvc_compiler_get_specialization_constants(r->compiler, &list, &count) != SPVC_SUCCESS)
        return cross_failed(r, "specialization constants");
    ll_program_info *info = r->info;
    info->constants = new_list(r, count, sizeof *info->constants, "constants");
    if (info->constants == NULL)
        return false;
    for (size_t i = 0; i < count; i++) {
        spvc_constant c = spvc_compiler_get_constant_handle(r->compiler, list[i].id);
        if (c == NULL)
            return cross_failed(r, "specialization constant");
        spvc_type type = spvc_compiler_get_type_handle(r->compiler, spvc_constant_get_type(c));
        if (type == NULL)
            return cross_failed(r, "specialization constant type");
        unsigned bits = spvc_type_get_bit_width(type);
        /* Vulkan passes a bool constant as a VkBool32. */
        uint32_t size = spvc_type_get_basetype(type) == SPVC_BASETYPE_BOOLEAN ? 4 : bits / 8;
        info->constants[info->constant_count++] = (ll_program_constant){list[i].constant_id,
                                                                        size};
    }
    qsort(info->constants, info->constant_count, sizeof *info->constants, compare_constants);
    return true;
}

/* The resource kinds SPIRV-Cross sorts a module's variables into, and what a compute node
 * makes of each: a port type, or a refusal that names the kind. */
static const struct kind {
    spvc_resource_type type;
    const char *name;
    bool bindable;
    ll_port_type port;
} kinds[] = {
    {SPVC_RESOURCE_TYPE_STORAGE_BUFFER, "storage buffer", true, LL_PORT_BUFFER},
    {SPVC_RESOURCE_TYPE_UNIFORM_BUFFER, "uniform buffer", true, LL_PORT_UNIFORM_BUFFER},
    {SPVC_RESOURCE_TYPE_STORAGE_IMAGE, "storage image", true, LL_PORT_IMAGE_VIEW},
    {SPVC_RESOURCE_TYPE_SAMPLED_IMAGE, "combined image sampler", true,
     LL_PORT_SAMPLED_IMAGE_VIEW},
    {SPVC_RESOURCE_TYPE_SEPARATE_IMAGE, "separate (sampled) image", false, 0},
    {SPVC_RESOURCE_TYPE_SEPARATE_SAMPLERS, "separate sampler", false, 0},
    {SPVC_RESOURCE_TYPE_SUBPASS_INPUT, "subpass input", false, 0},
    {SPVC_RESOURCE_TYPE_ATOMIC_COUNTER, "atomic counter", false, 0},
    {SPVC_RESOURCE_TYPE_ACCELERATION_STRUCTURE, "acceleration structure", false, 0},
};

static const char *resource_name(reflector *r, const spvc_reflected_resource *res)
{
    const char *name = spvc_compiler_get_name(r->compiler, res->id);
    if (name == NULL || name[0] == '\0')
        name = spvc_compiler_get_name(r->compiler, res->base_type_id);
    return name != NULL ? name : "";
}

static bool add_binding(reflector *r, const struct kind *k, const spvc_reflected_resource *res)
{
    const char *name = resource_name(r, res);
    uint32_t set = spvc_compiler_get_decoration(r->compiler, res->id,
                                                SpvDecorationDescriptorSet);
    uint32_t binding = spvc_compiler_get_decoration(r->compiler, res->id, SpvDecorationBinding);
    spvc_type type = spvc_compiler_get_type_handle(r->compiler, res->type_id);
    if (type == NULL)
        return cross_failed(r, "resource type");
    const char *why = NULL;
    if (!k->bindable)
        why = "a compute node binds storage and uniform buffers, storage images and "
              "combined image samplers only";
    else if (spvc_type_get_num_array_dimensions(type) > 0)
        why = "arrays of resources are not supported: declare one resource per binding";
    else if ((k->type == SPVC_RESOURCE_TYPE_STORAGE_IMAGE ||
              k->type == SPVC_RESOURCE_TYPE_SAMPLED_IMAGE) &&
             spvc_type_get_image_dimension(type) == SpvDimBuffer)
        why = "texel buffers are not supported: use a storage buffer";
    if (why != NULL)
        return ll_fail(r->err, LL_E_PROGRAM, "resource '%s' (set %u, binding %u) is a %s: %s",
                       name, (unsigned)set, (unsigned)binding, k->name, why);
    ll_program_info *info = r->info;
    for (size_t i = 0; i < info->binding_count; i++)
        if (info->bindings[i].set == set && info->bindings[i].binding == binding)
            return ll_fail(r->err, LL_E_PROGRAM, "resources '%s' and '%s' share set %u, "
                           "binding %u", info->bindings[i].name, name, (unsigned)set,
                           (unsigned)binding);
    char *copy = copy_string(name);
    if (copy == NULL)
        return ll_fail(r->err, LL_E_HOST_MEMORY, "out of host memory for binding names");
    info->bindings[info->binding_count++] = (ll_program_binding){set, binding, k->port, copy};
    return true;
}

static int compare_bindings(const void *a, const void *b)
{
    const ll_program_binding *x = a, *y = b;
    if (x->set != y->set)
        return (x->set > y->set) - (x->set < y->set);
    return (x->binding > y->binding) - (x->binding < y->binding);
}

static bool reflect_resources(reflector *r)
{
    spvc_resources resources = NULL;
    if (spvc_compiler_create_shader_resources(r->compiler, &resources) != SPVC_SUCCESS)
        return cross_failed(r, "resources");
    size_t total = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        const spvc_reflected_resource *list = NULL;
        size_t count = 0;
        if (spvc_resources_get_resource_list_for_type(resources, kinds[k].type, &list,
                                                      &count) != SPVC_SUCCESS)
            return cross_failed(r, "resources");
        total += count;
    }
    ll_program_info *info = r->info;
    info->bindings = new_list(r, total, sizeof *info->bindings, "bindings");
    if (info->bindings == NULL)
        return false;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        const spvc_reflected_resource *list = NULL;
        size_t count = 0;
        spvc_resources_get_resource_list_for_type(resources, kinds[k].type, &list, &count);
        for (size_t i = 0; i < count; i++)
            if (!add_binding(r, &kinds[k], &list[i]))
                return false;
    }
    qsort(info->bindings, info->binding_count, sizeof *info->bindings, compare_bindings);

    const spvc_reflected_resource *push = NULL;
    size_t push_count = 0;
    if (spvc_resources_get_resource_list_for_type(resources, SPVC_RESOURCE_TYPE_PUSH_CONSTANT,
                                                  &push, &push_count) != SPVC_SUCCESS)
        return cross_failed(r, "push constants");
    for (size_t i = 0; i < push_count; i++) {
        spvc_type type = spvc_compiler_get_type_handle(r->compiler, push[i].base_type_id);
        size_t size = 0;
        if (type == NULL ||
            spvc_compiler_get_declared_struct_size(r->compiler, type, &size) != SPVC_SUCCESS)
            return cross_failed(r, "push-constant block");
        if (size > info->push_constant_size)
            info->push_constant_size = (uint32_t)size;
    }
    return true;
}

static bool reflect(reflector *r, const uint32_t *words, size_t count)
{
    spvc_parsed_ir ir = NULL;
    if (spvc_context_create(&r->context) != SPVC_SUCCESS)
        return ll_fail(r->err, LL_E_HOST_MEMORY, "SPIR-V reflection: no memory for a context");
    if (spvc_context_parse_spirv(r->context, words, count, &ir) != SPVC_SUCCESS)
        return cross_failed(r, "parse");
    if (spvc_context_create_compiler(r->context, SPVC_BACKEND_NONE, ir,
                                     SPVC_CAPTURE_MODE_TAKE_OWNERSHIP, &r->compiler) !=
        SPVC_SUCCESS)
        return cross_failed(r, "reflection");
    return reflect_entry_points(r) && reflect_local_size(r) && reflect_constants(r) &&
           reflect_resources(r);
}

bool ll_spirv_reflect(const void *code, size_t size, ll_program_info **out, ll_error *err)
{
    if (size == 0 || size % 4 != 0 || size > LL_SPIRV_MAX_SIZE)
        return ll_fail(err, LL_E_PROGRAM, "invalid SPIR-V: %zu bytes (a module is a positive "
                       "multiple of 4 bytes, at most %zu)", size, LL_SPIRV_MAX_SIZE);
    if (size < 5 * 4)
        return ll_fail(err, LL_E_PROGRAM, "invalid SPIR-V: %zu bytes is shorter than a "
                       "module's header (20 bytes)", size);
    /* Bytes from a script need not be aligned for uint32_t. */
    uint32_t *words = ll_malloc(size);
    if (words == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory for %zu bytes of SPIR-V",
                       size);
    memcpy(words, code, size);
    reflector r = {NULL, NULL, NULL, err};
    bool ok = validate(words, size / 4, err);
    if (ok) {
        r.info = ll_calloc(1, sizeof *r.info);
        ok = r.info != NULL ||
             ll_fail(err, LL_E_HOST_MEMORY, "out of host memory for reflection");
    }
    ok = ok && reflect(&r, words, size / 4);
    if (r.context != NULL)
        spvc_context_destroy(r.context);
    ll_free(words);
    if (!ok) {
        ll_program_info_free(r.info);
        return false;
    }
    *out = r.info;
    return true;
}
