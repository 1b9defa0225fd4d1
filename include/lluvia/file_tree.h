/* file_tree.h: the files of a folder tree, listed and read, as session:loadLibrary takes a
 * node library from a folder; and a private temporary tree written and removed again (a
 * zip library's files, where its shaders include them). Not for: archives (zip_archive.h). */
#ifndef LL_FILE_TREE_H
#define LL_FILE_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "lluvia/error.h"

/* Folders deeper than this below the root are an error (a link that loops, say). */
#define LL_FILE_TREE_DEPTH 32

/* The largest file read: 64 MiB. */
#define LL_FILE_MAX ((size_t)64 << 20)

/* Lists the regular files below the folder root, following links, as paths relative to
 * it with '/' between names ("lluvia/color/RGBA2Gray.lua"), sorted bytewise. Names that
 * start with '.' (hidden files and folders) are left out. On success *names (ll_malloc'd;
 * free with ll_file_tree_free) holds *count strings. Errors name the path: a root that is
 * missing or not a folder, a folder that cannot be read, a tree deeper than
 * LL_FILE_TREE_DEPTH (LL_E_FILE, operand 1); LL_E_HOST_MEMORY. */
bool ll_file_tree_list(const char *root, char ***names, size_t *count, ll_error *err);

void ll_file_tree_free(char **names, size_t count);

/* Reads the whole file at path: *data (ll_malloc'd, one NUL after the content; ll_free
 * it) holds *size bytes. Errors name the path: missing, unreadable, or above LL_FILE_MAX
 * bytes (LL_E_FILE, operand 1); LL_E_HOST_MEMORY. */
bool ll_file_read(const char *path, char **data, size_t *size, ll_error *err);

/* Makes a new private folder (mode 0700) in $TMPDIR, else /tmp, and writes the n files
 * there (names[i]: a safe relative path, as ll_zip_name_is_safe says, whose folders are
 * made; data[i] of sizes[i] bytes), so that a compiler can include what an archive holds.
 * *root (ll_malloc'd) receives the folder. Errors: an unsafe name (LL_E_ARGUMENT, operand
 * 2), a file or folder that cannot be made (LL_E_FILE, naming it); LL_E_HOST_MEMORY; on
 * failure nothing is left behind. */
bool ll_file_tree_write_temp(size_t n, const char *const *names, const void *const *data,
                             const size_t *sizes, char **root, ll_error *err);

/* Removes what ll_file_tree_write_temp wrote under root (the same n names), the folders it
 * made and root itself, then frees root. Files added there since are left, with their
 * folders. NULL does nothing. */
void ll_file_tree_remove_temp(char *root, size_t n, const char *const *names);

#endif
