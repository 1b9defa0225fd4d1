/* file_tree.h: the files of a folder tree, listed and read, as session:loadLibrary takes a
 * node library from a folder. Not for: writing files, or archives (zip_archive.h). */
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

#endif
