/* glslang_shim.cpp: glslang's C++ API behind one C function (glslang_shim.h): a TShader
 * with an Includer that asks a C callback, linked and turned into SPIR-V. No exception
 * leaves this file. Not for: anything else C++; the rest of the core is C. */
#include "glslang_shim.h"

#include <cstring>
#include <new>
#include <string>
#include <vector>

#include <glslang/Public/ResourceLimits.h>
#include <glslang/Public/ShaderLang.h>
#include <glslang/SPIRV/GlslangToSpv.h>

/* The core's allocator (lluvia/fault.h, a C11 header with atomics C++ does not read):
 * what this file hands back is ll_free'd by C. */
extern "C" void *ll_malloc(size_t size);
extern "C" void ll_free(void *ptr);

namespace {

class Includer : public glslang::TShader::Includer {
public:
    Includer(ll_glslang_resolve resolve, void *context) : resolve_(resolve), context_(context)
    {
    }

    IncludeResult *includeSystem(const char *header, const char *includer,
                                 size_t depth) override
    {
        return include(header, includer, true, depth);
    }

    IncludeResult *includeLocal(const char *header, const char *includer,
                                size_t depth) override
    {
        return include(header, includer, false, depth);
    }

    void releaseInclude(IncludeResult *result) override { delete result; }

private:
    IncludeResult *include(const char *header, const char *includer, bool system, size_t depth)
    {
        ll_glslang_file file = {nullptr, nullptr, 0};
        if (!resolve_(context_, header, includer != nullptr ? includer : "", system, depth,
                      &file))
            return nullptr;
        return new IncludeResult(file.name, file.data, file.length, nullptr);
    }

    ll_glslang_resolve resolve_;
    void *context_;
};

char *copy_log(const std::string &text)
{
    char *log = static_cast<char *>(ll_malloc(text.size() + 1));
    if (log != nullptr)
        std::memcpy(log, text.c_str(), text.size() + 1);
    return log;
}

ll_glslang_status fail(const std::string &text, char **log)
{
    *log = copy_log(text);
    return *log != nullptr ? LL_GLSLANG_FAILED : LL_GLSLANG_NO_MEMORY;
}

ll_glslang_status compile(const char *source, size_t length, const char *name,
                          const char *preamble, ll_glslang_resolve resolve, void *context,
                          uint32_t **words, size_t *size, char **log)
{
    const EShMessages messages = static_cast<EShMessages>(EShMsgSpvRules | EShMsgVulkanRules);
    glslang::TShader shader(EShLangCompute);
    const char *strings[] = {source};
    const int lengths[] = {static_cast<int>(length)};
    const char *names[] = {name};
    shader.setStringsWithLengthsAndNames(strings, lengths, names, 1);
    shader.setPreamble(preamble);
    shader.setEnvInput(glslang::EShSourceGlsl, EShLangCompute, glslang::EShClientVulkan, 100);
    shader.setEnvClient(glslang::EShClientVulkan, glslang::EShTargetVulkan_1_0);
    shader.setEnvTarget(glslang::EShTargetSpv, glslang::EShTargetSpv_1_0);
    Includer includer(resolve, context);
    if (!shader.parse(GetDefaultResources(), 450, ENoProfile, false, false, messages,
                      includer))
        return fail(std::string(shader.getInfoLog()) + shader.getInfoDebugLog(), log);

    glslang::TProgram program;
    program.addShader(&shader);
    if (!program.link(messages))
        return fail(std::string(shader.getInfoLog()) + program.getInfoLog(), log);

    std::vector<unsigned int> spirv;
    spv::SpvBuildLogger logger;
    glslang::SpvOptions options;
    glslang::GlslangToSpv(*program.getIntermediate(EShLangCompute), spirv, &logger, &options);
    std::string messages_text = logger.getAllMessages();
    if (spirv.empty())
        return fail("SPIR-V generation failed: " + messages_text, log);

    *size = spirv.size() * sizeof(unsigned int);
    *words = static_cast<uint32_t *>(ll_malloc(*size));
    if (*words == nullptr)
        return LL_GLSLANG_NO_MEMORY;
    std::memcpy(*words, spirv.data(), *size);
    return LL_GLSLANG_OK;
}

} // namespace

extern "C" void ll_glslang_initialize(void)
{
    glslang::InitializeProcess();
}

extern "C" ll_glslang_status ll_glslang_compile(const char *source, size_t length,
                                                const char *name, const char *preamble,
                                                ll_glslang_resolve resolve, void *context,
                                                uint32_t **words, size_t *size, char **log)
{
    *words = nullptr;
    *size = 0;
    *log = nullptr;
    try {
        return compile(source, length, name, preamble, resolve, context, words, size, log);
    } catch (const std::bad_alloc &) {
        ll_free(*words);
        ll_free(*log);
        *words = nullptr;
        *log = nullptr;
        return LL_GLSLANG_NO_MEMORY;
    } catch (...) {
        ll_free(*words);
        ll_free(*log);
        *words = nullptr;
        return fail("glslang failed with an exception", log);
    }
}
