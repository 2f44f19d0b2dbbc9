/**
 * \file file.h
 * Files and paths: the one atomic file writer (a list, a signature, an
 * export) and the directory part of a path, for the core, the module and
 * the tools.
 */
#ifndef DDG_FILE_H
#define DDG_FILE_H

#include <stddef.h>

/**
 * Replace a file atomically and durably: write a temporary file in the
 * destination directory (mkstemp, i.e. O_CREAT|O_EXCL), give it mode,
 * fsync it, rename it over path and fsync the directory.  A reader opening
 * path sees the old or the new content, whole, never a truncated or
 * half-written file; on failure path is untouched and no temporary file
 * is left.
 * @param path: the destination.
 * @param buf: the content.
 * @param len: its length.
 * @param mode: the new file's permission bits (e.g. 0644).
 * @param err: filled on failure with "<path>: <reason>".
 * @param errlen: its size.
 * @return DDG_OK or DDG_ERR_IO.
 */
int ddg_file_write_atomic(const char *path, const void *buf, size_t len,
	unsigned mode, char *err, size_t errlen);

/**
 * The length of the directory part of a path, its last '/' included
 * ("a/b/c" gives 4, "/c" gives 1); 0 when the path has no '/'.
 */
size_t ddg_path_dir_len(const char *path);

#endif /* DDG_FILE_H */
