/* glsl.c: GLSL compute shaders compiled to SPIR-V: where #include finds its files (the
 * including file's folder, the include folders, the built-in library embedded from
 * shaders/lib), the defines and the preamble that spares shaders the include extension.
 * Not for: glslang itself (glslang_shim.cpp) or SPIR-V (spirv.c). */
#include "lluvia/program.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "glslang_shim.h"
#include "lluvia/fault.h"
#include "lluvia/file_tree.h"

/* The built-in library, generated from shaders/lib by cmake/embed.cmake. */
struct ll_embedded {
    const char *name;
    const char *source;
    size_t length;
};
extern const struct ll_embedded ll_embedded_glsl[];

/* Names of built-in files in glslang's log: "builtin:lluvia/core.glsl". */
#define BUILTIN_PREFIX "builtin:"
/* Deeper nesting than this is a loop (a file that includes itself, say). */
#define INCLUDE_DEPTH_MAX 32
/* glslang takes lengths as int. */
#define SOURCE_MAX ((size_t)1 << 30)

const char *ll_glsl_library_file(const char *path, size_t *length)
{
    for (const struct ll_embedded *e = ll_embedded_glsl; e->name != NULL; e++)
        if (strcmp(e->name, path) == 0) {
            if (length != NULL)
                *length = e->length;
            return e->source;
        }
    return NULL;
}

/* ---- include resolution -------------------------------------------------------------- */

/* A file read for an include, kept until the compile ends. */
typedef struct loaded {
    struct loaded *next;
    char *name;
    char *data;
} loaded;

typedef struct resolver {
    const char *const *include_dirs;
    loaded *files;
    bool out_of_memory;
    char note[LL_ERROR_MESSAGE_MAX]; /* why an include failed, beyond "cannot open" */
} resolver;

static char *join(const char *a, size_t alen, const char *sep, const char *b)
{
    size_t slen = strlen(sep), blen = strlen(b);
    char *s = ll_malloc(alen + slen + blen + 1);
    if (s == NULL)
        return NULL;
    memcpy(s, a, alen);
    memcpy(s + alen, sep, slen);
    memcpy(s + alen + slen, b, blen + 1);
    return s;
}

static bool keep(resolver *r, char *name, char *data, size_t length, ll_glslang_file *out)
{
    loaded *f = ll_malloc(sizeof *f);
    if (f == NULL) {
        r->out_of_memory = true;
        ll_free(name);
        ll_free(data);
        return false;
    }
    *f = (loaded){r->files, name, data};
    r->files = f;
    *out = (ll_glslang_file){name, data != NULL ? data : "", length};
    return true;
}

/* The built-in file at path, as glslang sees it. */
static bool from_library(resolver *r, const char *path, ll_glslang_file *out)
{
    size_t length = 0;
    const char *text = ll_glsl_library_file(path, &length);
    if (text == NULL)
        return false;
    char *name = join(BUILTIN_PREFIX, strlen(BUILTIN_PREFIX), "", path);
    if (name == NULL) {
        r->out_of_memory = true;
        return false;
    }
    if (!keep(r, name, NULL, length, out))
        return false;
    out->data = text;
    return true;
}

/* The regular file at path (ll_malloc'd; taken), read whole. A path that is no file is
 * just not found; one that is a file but cannot be read says why in the note. */
static bool from_disk(resolver *r, char *path, ll_glslang_file *out)
{
    char *data = NULL;
    size_t size = 0;
    ll_error err;
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        ll_free(path);
        return false;
    }
    if (!ll_file_read(path, &data, &size, &err)) {
        if (err.code == LL_E_HOST_MEMORY)
            r->out_of_memory = true;
        else
            snprintf(r->note, sizeof r->note, "%s", err.message);
        ll_free(path);
        return false;
    }
    return keep(r, path, data, size, out);
}

static bool in_folder(resolver *r, const char *folder, size_t len, const char *header,
                      ll_glslang_file *out)
{
    char *path = join(folder, len, len > 0 ? "/" : "", header);
    if (path == NULL) {
        r->out_of_memory = true;
        return false;
    }
    return from_disk(r, path, out);
}

static bool resolve(void *context, const char *header, const char *includer, bool system,
                    size_t depth, ll_glslang_file *out)
{
    resolver *r = context;
    if (r->out_of_memory)
        return false;
    if (depth > INCLUDE_DEPTH_MAX) {
        snprintf(r->note, sizeof r->note, "#include \"%s\" in %s: includes nest deeper than "
                 "%d (does a file include itself?)", header, includer, INCLUDE_DEPTH_MAX);
        return false;
    }
    if (header[0] == '/')
        return in_folder(r, "", 0, header, out);
    if (!system) {
        /* The including file's folder: in the library for a built-in file. */
        const char *slash = strrchr(includer, '/');
        size_t prefix = strlen(BUILTIN_PREFIX);
        if (strncmp(includer, BUILTIN_PREFIX, prefix) == 0) {
            if (slash != NULL) {
                char *path = join(includer + prefix, (size_t)(slash - includer) - prefix,
                                  "/", header);
                if (path == NULL) {
                    r->out_of_memory = true;
                    return false;
                }
                bool found = from_library(r, path, out);
                ll_free(path);
                if (found || r->out_of_memory)
                    return found;
            }
        } else if (slash != NULL && in_folder(r, includer, (size_t)(slash - includer), header,
                                                out)) {
            return true;
        }
    }
    for (const char *const *dir = r->include_dirs; dir != NULL && *dir != NULL; dir++) {
        size_t len = strlen(*dir);
        while (len > 1 && (*dir)[len - 1] == '/')
            len--;
        if (in_folder(r, *dir, len, header, out))
            return true;
        if (r->out_of_memory)
            return false;
    }
    return from_library(r, header, out);
}

static void free_files(resolver *r)
{
    while (r->files != NULL) {
        loaded *next = r->files->next;
        ll_free(r->files->name);
        ll_free(r->files->data);
        ll_free(r->files);
        r->files = next;
    }
}

/* ---- the preamble -------------------------------------------------------------------- */

static bool check_define(const char *define, ll_error *err)
{
    const char *eq = strchr(define, '=');
    size_t len = eq != NULL ? (size_t)(eq - define) : strlen(define);
    bool ok = len > 0 && (isalpha((unsigned char)define[0]) || define[0] == '_');
    for (size_t i = 1; ok && i < len; i++)
        ok = isalnum((unsigned char)define[i]) || define[i] == '_';
    if (!ok)
        return ll_fail(err, LL_E_ARGUMENT, "define '%.100s' must be NAME or NAME=value with "
                       "NAME an identifier", define), ll_error_blame(err, 3);
    if (strpbrk(define, "\r\n") != NULL)
        return ll_fail(err, LL_E_ARGUMENT, "define '%.100s' has a line break", define),
               ll_error_blame(err, 3);
    return true;
}

/* "#extension GL_GOOGLE_include_directive : enable", then "#define NAME value" per define:
 * glslang puts it after the source's #version. NULL and err on failure. */
static char *preamble(const char *const *defines, ll_error *err)
{
    static const char extension[] = "#extension GL_GOOGLE_include_directive : enable\n";
    size_t size = sizeof extension;
    for (const char *const *d = defines; d != NULL && *d != NULL; d++) {
        if (!check_define(*d, err))
            return NULL;
        size += strlen("#define  \n") + strlen(*d);
    }
    char *text = ll_malloc(size);
    if (text == NULL)
        return ll_fail(err, LL_E_HOST_MEMORY, "out of host memory for the defines"), NULL;
    size_t n = (size_t)snprintf(text, size, "%s", extension);
    for (const char *const *d = defines; d != NULL && *d != NULL; d++) {
        const char *eq = strchr(*d, '=');
        if (eq != NULL)
            n += (size_t)snprintf(text + n, size - n, "#define %.*s %s\n", (int)(eq - *d), *d,
                                  eq + 1);
        else
            n += (size_t)snprintf(text + n, size - n, "#define %s\n", *d);
    }
    return text;
}

/* ---- compiling ----------------------------------------------------------------------- */

static pthread_once_t initialized = PTHREAD_ONCE_INIT;

bool ll_glsl_compile(const char *source, size_t length, const ll_compile_options *options,
                     uint32_t **words, size_t *size, char **log, ll_error *err)
{
    static const ll_compile_options none = {NULL, NULL, NULL};
    if (options == NULL)
        options = &none;
    const char *name = options->name != NULL ? options->name : "program.comp";
    if (log != NULL)
        *log = NULL;
    if (length >= SOURCE_MAX)
        return ll_fail(err, LL_E_ARGUMENT, "%s: the source has %zu bytes, more than %zu", name,
                       length, SOURCE_MAX - 1), ll_error_blame(err, 1);
    const char *nul = memchr(source, '\0', length);
    if (nul != NULL)
        return ll_fail(err, LL_E_ARGUMENT, "%s: the source has a NUL byte at offset %zu",
                       name, (size_t)(nul - source)), ll_error_blame(err, 1);
    char *pre = preamble(options->defines, err);
    if (pre == NULL)
        return false;
    pthread_once(&initialized, ll_glslang_initialize);

    resolver r = {options->include_dirs, NULL, false, ""};
    char *text = NULL;
    ll_glslang_status status = ll_glslang_compile(source, length, name, pre, resolve, &r,
                                                  words, size, &text);
    bool ok = status == LL_GLSLANG_OK;
    if (!ok && status == LL_GLSLANG_FAILED && !r.out_of_memory) {
        /* The whole message: the name, why an include failed (glslang says only that it
         * could not open it), glslang's log. */
        const char *sep = r.note[0] != '\0' ? "\n" : "";
        size_t size = strlen(name) + strlen(r.note) + strlen(text) + 32;
        char *full = ll_malloc(size);
        if (full != NULL)
            snprintf(full, size, "%s: compile failed: %s%s%s", name, r.note, sep, text);
        ll_free(text);
        text = full;
        r.out_of_memory = text == NULL;
    }
    if (status == LL_GLSLANG_NO_MEMORY || (!ok && r.out_of_memory)) {
        ll_fail(err, LL_E_HOST_MEMORY, "%s: out of host memory compiling", name);
    } else if (!ok) {
        ll_fail(err, LL_E_PROGRAM, "%s", text);
        if (log != NULL) {
            *log = text;
            text = NULL;
        }
    }
    ll_free(text);
    ll_free(pre);
    free_files(&r);
    return ok;
}
