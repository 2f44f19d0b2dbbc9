/**
 * \file file.h
 * Files and paths: the one atomic file writer of the core, the module
 * and the tools (a list, a signature, an export, the metrics file), the
 * directory part of a path, and the identity of a file (to notice that it
 * was replaced, written to or rotated).
 */
#ifndef DDG_FILE_H
#define DDG_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

/** ddg_file_replace() flag: make the new content durable (fsync the file
 * before the rename and the directory after it), for a list or a
 * signature; without it (a metrics file rewritten every few seconds) a
 * crash may lose the last content, but path never holds a partial one */
#define DDG_FILE_SYNC 0x1

/**
 * Writes a file's content.
 * @param f: the temporary file.
 * @param arg: the caller's argument.
 * @return DDG_OK, or DDG_ERR_IO (with errno set) when writing failed.
 */
typedef int (*ddg_file_fill)(FILE *f, void *arg);

/**
 * Replace a file atomically: write ".NAME.XXXXXX" in path's directory
 * (mkostemp, i.e. O_CREAT|O_EXCL, then the given mode), fill it, and
 * rename(2) it over path.  A reader opening path sees the old or the new
 * content, whole, never a truncated or half-written file; on failure
 * path is left as it was and the temporary file is removed.
 * @param path: the destination.
 * @param mode: the new file's permission bits (e.g. 0644).
 * @param flags: 0 or DDG_FILE_SYNC.
 * @param fill: writes the content.
 * @param arg: passed to fill.
 * @param err: filled on failure with "<path>: <reason>" (for example
 *	"cannot create a temporary file in its directory: <strerror>").
 * @param errlen: its size.
 * @return DDG_OK, DDG_ERR_IO, or DDG_ERR_INVAL (a path without a file
 *	name, or too long).
 */
int ddg_file_replace(const char *path, unsigned mode, int flags,
	ddg_file_fill fill, void *arg, char *err, size_t errlen);

/**
 * ddg_file_replace() with the content in memory.
 * @param path: the destination.
 * @param buf: the content.
 * @param len: its length.
 * @param mode: the new file's permission bits.
 * @param flags: 0 or DDG_FILE_SYNC.
 * @param err: as for ddg_file_replace().
 * @param errlen: its size.
 * @return as ddg_file_replace().
 */
int ddg_file_write_atomic(const char *path, const void *buf, size_t len,
	unsigned mode, int flags, char *err, size_t errlen);

/**
 * The length of the directory part of a path, its last '/' included
 * ("a/b/c" gives 4, "/c" gives 1); 0 when the path has no '/'.
 */
size_t ddg_path_dir_len(const char *path);

/** the identity of a file as stat(2) gave it: a rename gives a new
 * inode, a write in place a new size or modification time */
struct ddg_file_id {
	dev_t dev;		/**< device */
	ino_t ino;		/**< inode */
	off_t size;		/**< size */
	struct timespec mtime;	/**< modification time */
	int present;		/**< 1 when the values are set */
};

/**
 * The identity of a file from its stat() (or fstat()).
 * @param st: the file's status.
 * @param id: set, with present = 1.
 */
void ddg_file_id_stat(const struct stat *st, struct ddg_file_id *id);

/**
 * The identity of the file at a path now (stat(2), following links).
 * @param path: the file.
 * @param id: set; all 0 (present = 0) when there is no such file.
 */
void ddg_file_id_get(const char *path, struct ddg_file_id *id);

/**
 * Whether two identities differ in any field (presence, device, inode,
 * size, modification time).
 * @return 1 when they differ, 0 when equal.
 */
int ddg_file_id_changed(const struct ddg_file_id *a,
	const struct ddg_file_id *b);

/**
 * Whether two identities are present and name the same file (device and
 * inode), whatever its content: the same file written to in place, not a
 * new one renamed over it.
 * @return 1 or 0.
 */
int ddg_file_id_same_file(const struct ddg_file_id *a,
	const struct ddg_file_id *b);

#endif /* DDG_FILE_H */
