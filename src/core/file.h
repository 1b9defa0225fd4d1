/* file.h: reading a whole regular file into memory, for the core's files that take paths
 * (SPIR-V modules, GLSL includes). Not for: image files or anything written. */
#ifndef LL_FILE_H
#define LL_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "lluvia/error.h"

/* The largest file read: 1 GiB (a shader is kilobytes). */
#define LL_FILE_MAX ((size_t)1 << 30)

/* Reads the regular file at path: *data (ll_malloc'd, NUL-terminated after its *size
 * bytes; ll_free it). LL_E_ARGUMENT "cannot read '<path>': <why>" for a file that is
 * missing, not a regular file, unreadable or above LL_FILE_MAX; LL_E_HOST_MEMORY. */
bool ll_read_file(const char *path, char **data, size_t *size, ll_error *err);

/* Whether path names a regular file (one ll_read_file may read). */
bool ll_is_file(const char *path);

#endif
