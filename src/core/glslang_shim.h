/* glslang_shim.h: the one C++ file of the core (glslang_shim.cpp) as a C function: GLSL
 * compiled to SPIR-V by glslang's C++ API, with includes resolved by a C callback. Debian
 * 12's glslang (12.0) offers include callbacks only in its C++ API: its C interface
 * declares glsl_include_callbacks_t but glslang_shader_preprocess ignores them and reads
 * files itself. Not for: where includes are found, defines, the built-in library (glsl.c). */
#ifndef LL_GLSLANG_SHIM_H
#define LL_GLSLANG_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A file an #include resolved to: the name glslang's log shows, and its text. Owned by the
 * resolver: both stay valid until ll_glslang_compile returns. */
typedef struct ll_glslang_file {
    const char *name;
    const char *data;
    size_t length;
} ll_glslang_file;

/* Resolves `#include "header"` (system false) or `#include <header>` (system true) met in
 * the file named `includer`, at include depth `depth` (1 for the main source's includes).
 * True with *out filled; false when not found (glslang then reports the include). */
typedef bool (*ll_glslang_resolve)(void *context, const char *header, const char *includer,
                                   bool system, size_t depth, ll_glslang_file *out);

typedef enum ll_glslang_status {
    LL_GLSLANG_OK = 0,
    LL_GLSLANG_FAILED,    /* parse, link or SPIR-V generation failed: *log says why */
    LL_GLSLANG_NO_MEMORY  /* out of host memory (*log NULL) */
} ll_glslang_status;

/* Once per process, before any compile (glslang's InitializeProcess). */
void ll_glslang_initialize(void);

/* Compiles the compute shader `source` (length bytes) named `name`, with `preamble` before
 * its first line: GLSL 450 unless it says #version, Vulkan 1.0 rules, SPIR-V 1.0. OK: *words
 * (ll_malloc'd) holds *size bytes of SPIR-V and *log is NULL. FAILED: *log (ll_malloc'd)
 * holds glslang's log. */
ll_glslang_status ll_glslang_compile(const char *source, size_t length, const char *name,
                                     const char *preamble, ll_glslang_resolve resolve,
                                     void *context, uint32_t **words, size_t *size,
                                     char **log);

#ifdef __cplusplus
}
#endif

#endif
