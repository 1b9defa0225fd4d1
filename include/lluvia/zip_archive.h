/* zip_archive.h: reading the files of a .zip archive (through libzip), as
 * session:loadLibrary does for lluvia's lluvia_node_library.zip; and writing one, for tests.
 * Entry names are checked when the archive opens: only relative paths that stay inside the
 * archive's root are taken (no zip-slip). Not for: updating archives in place. */
#ifndef LL_ZIP_ARCHIVE_H
#define LL_ZIP_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "lluvia/error.h"

/* The largest entry read: 64 MiB uncompressed (a node library's files are kilobytes). */
#define LL_ZIP_ENTRY_MAX ((size_t)64 << 20)

typedef struct ll_zip ll_zip;

/* Whether `name` is a safe relative path: non-empty, not starting with '/', without '\',
 * NUL, empty components ("a//b"), "." or ".." components. A trailing '/' (a folder) is
 * allowed. */
bool ll_zip_name_is_safe(const char *name);

/* Opens the archive at path for reading and lists its files (folder entries are left
 * out). Errors, each naming the path: a missing or unreadable file, a file that is not a
 * zip archive or is inconsistent (LL_E_FILE, operand 1, with libzip's reason); an
 * entry whose name is not safe or whose size is above LL_ZIP_ENTRY_MAX (LL_E_FILE,
 * naming the entry); LL_E_HOST_MEMORY. */
ll_zip *ll_zip_open(const char *path, ll_error *err);

/* The number of files, and the name of file i (0-based, in the archive's order), valid
 * until ll_zip_close. */
size_t ll_zip_count(const ll_zip *zip);
const char *ll_zip_name(const ll_zip *zip, size_t i);

/* Reads file i: *data (ll_malloc'd, one NUL byte after the content; ll_free it) holds its
 * *size bytes. Errors name the archive and the entry: a damaged entry (a CRC or
 * decompression failure: LL_E_FILE, operand 1); LL_E_HOST_MEMORY. */
bool ll_zip_read(ll_zip *zip, size_t i, char **data, size_t *size, ll_error *err);

/* Closes the archive. NULL does nothing. */
void ll_zip_close(ll_zip *zip);

/* Writes a new archive at path holding n files (names[i], data[i] of sizes[i] bytes),
 * replacing any file there. Errors name the path (LL_E_FILE, operand 1) or the entry;
 * on failure the file at path is left as it was. For tests. */
bool ll_zip_write(const char *path, size_t n, const char *const *names,
                  const void *const *data, const size_t *sizes, ll_error *err);

#endif
