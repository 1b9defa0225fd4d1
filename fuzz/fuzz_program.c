/* fuzz_program.c: libFuzzer target for what session:createProgram does before a driver
 * sees anything: the input, taken as SPIR-V bytes, goes through validation (SPIRV-Tools)
 * and reflection (SPIRV-Cross) in ll_spirv_reflect, with no device. A module that passes
 * must reflect coherently (sorted distinct bindings, known port types, an entry point);
 * anything else abort()s. .ci/run seeds it with a compiled shader. Not for: modules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lluvia/program.h"

static void check(const ll_program_info *info)
{
    if (info->entry_point_count == 0 || info->entry_points[0] == NULL)
        abort();
    for (size_t i = 0; i < info->binding_count; i++) {
        const ll_program_binding *b = &info->bindings[i];
        if (b->name == NULL || (unsigned)b->type > LL_PORT_UNIFORM_BUFFER)
            abort();
        if (i > 0 && (b[-1].set > b->set || (b[-1].set == b->set && b[-1].binding >= b->binding)))
            abort();
    }
    for (size_t i = 1; i < info->constant_count; i++)
        if (info->constants[i - 1].id > info->constants[i].id)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ll_program_info *info = NULL;
    ll_error err;
    if (ll_spirv_reflect(data, size, &info, &err)) {
        check(info);
        ll_program_info_free(info);
    } else if (err.code != LL_E_PROGRAM && err.code != LL_E_HOST_MEMORY) {
        abort();
    } else if (strlen(err.message) >= sizeof err.message) {
        abort();
    }
    return 0;
}
