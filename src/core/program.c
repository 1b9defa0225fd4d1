/* program.c: the Program object: SPIR-V that passed ll_spirv_reflect, kept with what it
 * reflects and made into a VkShaderModule of a session. Not for: validation and reflection
 * (spirv.c) or compiling GLSL (glsl.c). */
#include "lluvia/program.h"

#include <stdatomic.h>
#include <string.h>

#include "lluvia/fault.h"
#include "lluvia/file_tree.h"
#include "vk_util.h"

struct ll_program {
    atomic_int refs;
    ll_session *session;     /* retained */
    VkShaderModule module;
    uint32_t *code;          /* the SPIR-V, size bytes */
    size_t size;
    ll_program_info *info;
};

ll_program *ll_program_create(ll_session *session, const void *code, size_t size,
                              ll_error *err)
{
    ll_program_info *info = NULL;
    if (!ll_spirv_reflect(code, size, &info, err))
        return NULL;
    ll_program *program = ll_calloc(1, sizeof *program);
    if (program == NULL) {
        ll_fail(err, LL_E_HOST_MEMORY, "out of host memory creating a program");
        goto fail_info;
    }
    atomic_init(&program->refs, 1);
    program->session = session;
    program->info = info;
    program->size = size;
    program->code = ll_malloc(size);
    if (program->code == NULL) {
        ll_fail(err, LL_E_HOST_MEMORY, "out of host memory for %zu bytes of SPIR-V", size);
        goto fail_program;
    }
    memcpy(program->code, code, size);
    VkShaderModuleCreateInfo create = {
        .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
        .codeSize = size,
        .pCode = program->code,
    };
    VkResult r = LL_VK(vkCreateShaderModule(ll_session_vk(session), &create, NULL,
                                            &program->module));
    if (r != VK_SUCCESS) {
        ll_fail_vk(err, r, "vkCreateShaderModule");
        goto fail_code;
    }
    ll_session_retain(session);
    return program;

fail_code:
    ll_free(program->code);
fail_program:
    ll_free(program);
fail_info:
    ll_program_info_free(info);
    return NULL;
}

ll_program *ll_program_load(ll_session *session, const char *path, ll_error *err)
{
    char *data = NULL;
    size_t size = 0;
    if (!ll_file_read(path, &data, &size, err))
        return ll_error_blame(err, 2), NULL;
    ll_program *program = ll_program_create(session, data, size, err);
    ll_free(data);
    return program;
}

ll_program *ll_program_compile(ll_session *session, const char *source, size_t length,
                               const ll_compile_options *options, char **log, ll_error *err)
{
    uint32_t *words = NULL;
    size_t size = 0;
    if (!ll_glsl_compile(source, length, options, &words, &size, log, err)) {
        if (err != NULL && err->operand != LL_OPERAND_NONE)
            ll_error_blame(err, err->operand + 1); /* this function's session comes first */
        return NULL;
    }
    ll_program *program = ll_program_create(session, words, size, err);
    ll_free(words);
    return program;
}

void ll_program_retain(ll_program *program)
{
    atomic_fetch_add(&program->refs, 1);
}

void ll_program_release(ll_program *program)
{
    if (program == NULL || atomic_fetch_sub(&program->refs, 1) != 1)
        return;
    vkDestroyShaderModule(ll_session_vk(program->session), program->module, NULL);
    ll_session_release(program->session);
    ll_program_info_free(program->info);
    ll_free(program->code);
    ll_free(program);
}

ll_session *ll_program_session(const ll_program *program) { return program->session; }
VkShaderModule ll_program_module(const ll_program *program) { return program->module; }
const ll_program_info *ll_program_reflection(const ll_program *program)
{
    return program->info;
}

const uint32_t *ll_program_spirv(const ll_program *program, size_t *size)
{
    *size = program->size;
    return program->code;
}

const ll_program_binding *ll_program_find_binding(const ll_program *program, uint32_t set,
                                                  uint32_t binding)
{
    const ll_program_info *info = program->info;
    for (size_t i = 0; i < info->binding_count; i++)
        if (info->bindings[i].set == set && info->bindings[i].binding == binding)
            return &info->bindings[i];
    return NULL;
}

bool ll_program_has_entry_point(const ll_program *program, const char *name)
{
    const ll_program_info *info = program->info;
    for (size_t i = 0; i < info->entry_point_count; i++)
        if (strcmp(info->entry_points[i], name) == 0)
            return true;
    return false;
}

bool ll_program_validate(const ll_program *program, ll_error *err)
{
    if (atomic_load(&program->refs) < 1)
        return ll_fail(err, LL_E_STATE, "program refs %d < 1", atomic_load(&program->refs));
    if (program->session == NULL || program->module == VK_NULL_HANDLE || program->info == NULL)
        return ll_fail(err, LL_E_STATE, "program has no session, module or reflection");
    if (program->code == NULL || program->size == 0 || program->size % 4 != 0)
        return ll_fail(err, LL_E_STATE, "program holds %zu bytes of SPIR-V", program->size);
    const ll_program_info *info = program->info;
    if (info->entry_point_count == 0)
        return ll_fail(err, LL_E_STATE, "program has no entry point");
    for (size_t i = 1; i < info->binding_count; i++) {
        const ll_program_binding *a = &info->bindings[i - 1], *b = &info->bindings[i];
        if (a->set > b->set || (a->set == b->set && a->binding >= b->binding))
            return ll_fail(err, LL_E_STATE, "program bindings out of order at %zu", i);
    }
    for (size_t i = 0; i < info->binding_count; i++)
        if ((unsigned)info->bindings[i].type > LL_PORT_UNIFORM_BUFFER ||
            info->bindings[i].name == NULL)
            return ll_fail(err, LL_E_STATE, "program binding %zu has no type or name", i);
    for (size_t i = 0; i < 3; i++)
        if (info->local_size[i] == 0)
            return ll_fail(err, LL_E_STATE, "program local size %zu is 0", i);
    return true;
}
