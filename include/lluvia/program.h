/* program.h: Programs: a compute shader's SPIR-V, validated by SPIRV-Tools, reflected by
 * SPIRV-Cross (bindings, local size, push constants, entry points) and made into a
 * VkShaderModule of a session; and GLSL compiled to SPIR-V in-process by glslang, with
 * #include resolved against include folders and the built-in GLSL library (lluvia/...).
 * Not for: descriptor set layouts, pipelines or dispatches (compute nodes build them from
 * what a program reflects). */
#ifndef LL_PROGRAM_H
#define LL_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <volk.h>

#include "lluvia/error.h"
#include "lluvia/session.h"

/* ---- what a program's SPIR-V says ------------------------------------------------------ */

/* The kind of object a binding takes: ll.PortType (lluvia/enums.h: ll_enum_port_type). */
typedef enum ll_port_type {
    LL_PORT_BUFFER = 0,          /* storage buffer (VK_DESCRIPTOR_TYPE_STORAGE_BUFFER) */
    LL_PORT_IMAGE_VIEW,          /* storage image (VK_DESCRIPTOR_TYPE_STORAGE_IMAGE) */
    LL_PORT_SAMPLED_IMAGE_VIEW,  /* combined image sampler */
    LL_PORT_UNIFORM_BUFFER,      /* uniform buffer */
} ll_port_type;

/* The Vulkan descriptor type of a port type. */
VkDescriptorType ll_port_type_descriptor(ll_port_type type);

/* One resource the shader declares. */
typedef struct ll_program_binding {
    uint32_t set;
    uint32_t binding;
    ll_port_type type;
    const char *name; /* the GLSL variable's name, else its block's (type's) name, else "" */
} ll_program_binding;

/* One specialization constant the shader declares (layout(constant_id = id)). */
typedef struct ll_program_constant {
    uint32_t id;
    uint32_t size; /* bytes of its scalar type: 4 or 8 (1 for a bool, which Vulkan takes as 4) */
} ll_program_constant;

/* Everything reflected from a module; owned by whoever made it (ll_spirv_reflect) or by
 * the program (ll_program_reflection). Strings and arrays live as long as it does. */
typedef struct ll_program_info {
    /* The workgroup size of the first GLCompute entry point: its LocalSize, or the default
     * of the specialization constant that sets an axis (local_size_x_id = 1 ... in
     * lluvia/core.glsl). from_constant[i] tells which axes a constant sets and
     * constant_id[i] which constant (0 where from_constant[i] is false). */
    uint32_t local_size[3];
    bool from_constant[3];
    uint32_t constant_id[3];
    uint32_t push_constant_size;     /* bytes of the push-constant block, 0 when none */
    ll_program_binding *bindings;    /* sorted by set, then binding */
    size_t binding_count;
    ll_program_constant *constants;  /* sorted by id */
    size_t constant_count;
    char **entry_points;             /* GLCompute entry points, in the module's order */
    size_t entry_point_count;
} ll_program_info;

/* The longest module taken: 64 MiB (a compute shader is a few kilobytes). */
#define LL_SPIRV_MAX_SIZE ((size_t)64 << 20)

/* Validates `size` bytes of SPIR-V with SPIRV-Tools for the Vulkan 1.0 environment, then
 * reflects them with SPIRV-Cross. No device is involved. Errors: LL_E_PROGRAM "invalid
 * SPIR-V: <the validator's message>" (also for a size that is not a positive multiple of
 * 4, or above LL_SPIRV_MAX_SIZE); LL_E_PROGRAM for a module with no GLCompute entry point,
 * or a resource a compute node cannot bind (naming the resource, its set and binding and
 * its kind: separate images and samplers, texel buffers, ...), or two resources at one set
 * and binding; LL_E_HOST_MEMORY. On success *out holds the result, to free with
 * ll_program_info_free. */
bool ll_spirv_reflect(const void *code, size_t size, ll_program_info **out, ll_error *err);

/* Frees a result of ll_spirv_reflect. NULL does nothing. */
void ll_program_info_free(ll_program_info *info);

/* ---- GLSL -> SPIR-V -------------------------------------------------------------------- */

/* How a GLSL compute shader is compiled. Every field may be NULL. */
typedef struct ll_compile_options {
    /* The source's name in messages (glslang's log says "name:line"), and the folder its
     * "..." includes are first looked for in (the part before the last '/'; a name without
     * '/' has none). NULL: "program.comp". */
    const char *name;
    /* Folders searched in order for #include "..." (after the including file's folder) and
     * #include <...>, before the built-in library. NULL-ended. */
    const char *const *include_dirs;
    /* "NAME" or "NAME=value", defined before the source's first line. NULL-ended. */
    const char *const *defines;
} ll_compile_options;

/* Compiles GLSL compute source (GLSL 450 unless the source says #version; Vulkan 1.0, SPIR-V
 * 1.0) to SPIR-V, as glslc does: #include needs no #extension line. #include "f" is looked
 * for in the including file's folder, then include_dirs in order, then the built-in library;
 * #include <f> in include_dirs, then the built-in library. A file of the built-in library
 * is named "builtin:lluvia/core.glsl" in messages. On success *words (ll_malloc'd; ll_free
 * it) holds *size bytes of SPIR-V. Errors: LL_E_PROGRAM "<name>: compile failed: <glslang's
 * log>" (glslang's log says "ERROR: <file>:<line>: ..."), cut to the message's room, and
 * the whole message in *log when log is not NULL (ll_malloc'd; ll_free it; NULL after
 * any other failure or a success);
 * LL_E_ARGUMENT for a source with a NUL byte (blaming operand 1) or a define that is not
 * NAME or NAME=value with NAME an identifier (operand 3); LL_E_HOST_MEMORY. Thread-safe. */
bool ll_glsl_compile(const char *source, size_t length, const ll_compile_options *options,
                     uint32_t **words, size_t *size, char **log, ll_error *err);

/* The built-in GLSL library (shaders/lib, embedded at build time): the file named `path`
 * ("lluvia/core.glsl"), its length in *length; NULL when there is none. */
const char *ll_glsl_library_file(const char *path, size_t *length);

/* ---- programs ------------------------------------------------------------------------- */

/* Opaque: other files use the accessors below. Reference counted; retains its session. */
typedef struct ll_program ll_program;

/* A program of `size` bytes of SPIR-V: ll_spirv_reflect, then vkCreateShaderModule. Errors
 * as ll_spirv_reflect's, and LL_E_DEVICE / LL_E_HOST_MEMORY naming the Vulkan result. */
ll_program *ll_program_create(ll_session *session, const void *code, size_t size,
                              ll_error *err);

/* ll_program_create from the SPIR-V file at path, read by ll_file_read (file_tree.h): a
 * file that cannot be read (missing, a folder, ...) is LL_E_FILE naming the path and
 * why, blaming operand 2. */
ll_program *ll_program_load(ll_session *session, const char *path, ll_error *err);

/* ll_glsl_compile, then ll_program_create; *log as ll_glsl_compile's, and its argument
 * errors blame the source (operand 2) or the options (operand 4). */
ll_program *ll_program_compile(ll_session *session, const char *source, size_t length,
                               const ll_compile_options *options, char **log, ll_error *err);

void ll_program_retain(ll_program *program);
void ll_program_release(ll_program *program);

/* Its session (the program holds a reference), its VkShaderModule, what its SPIR-V says,
 * and the SPIR-V itself (size bytes). */
ll_session *ll_program_session(const ll_program *program);
VkShaderModule ll_program_module(const ll_program *program);
const ll_program_info *ll_program_reflection(const ll_program *program);
const uint32_t *ll_program_spirv(const ll_program *program, size_t *size);

/* The binding at (set, binding), or NULL. */
const ll_program_binding *ll_program_find_binding(const ll_program *program, uint32_t set,
                                                  uint32_t binding);

/* Whether the program has a GLCompute entry point named `name`. */
bool ll_program_has_entry_point(const ll_program *program, const char *name);

/* Checks the program's invariants (module, sorted and distinct bindings, entry points).
 * False with LL_E_STATE and what is wrong. */
bool ll_program_validate(const ll_program *program, ll_error *err);

#endif
