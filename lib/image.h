/**
 * \file image.h
 * Internal: a file read once into private, read-only memory of its own, so
 * that whatever happens to the file afterwards (truncation, writes in
 * place, deletion, a change on an NFS server) cannot change or remove the
 * bytes a caller validated and uses.  Used by the list reader (list.c) and
 * the signer (sign.c).  Not part of the public API (lib/ only).
 */
#ifndef DDG_LIB_IMAGE_H
#define DDG_LIB_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/** a file's bytes in memory of their own */
struct ddg_image {
	/** the bytes: a private anonymous mapping, read-only once
	 * ddg_image_read() returned; page-aligned (2 MB-aligned from 2 MB
	 * on); a static empty buffer for an empty file */
	const uint8_t *base;
	/** their number (the file's size) */
	size_t len;
	/** length of the mapping to unmap, 0 for none */
	size_t maplen;
	/** identity of the file the bytes came from: fstat() of the open
	 * file after reading, equal to the one before */
	struct stat st;
};

/**
 * Read a whole regular file into private anonymous memory, once, and make
 * that memory read-only.  A file that shrinks, grows or is modified while
 * it is read is refused (its bytes would be a mix of two versions).
 * @param path: the file.
 * @param maxlen: larger files are refused without being read.
 * @param img: filled on success; untouched on failure.
 * @param err: buffer of errlen bytes, filled on failure with
 *	"<path>: <reason>".
 * @param errlen: its size.
 * @return DDG_OK, DDG_ERR_IO (cannot open, not a regular file, read error,
 *	changed while being read), DDG_ERR_RANGE (larger than maxlen) or
 *	DDG_ERR_NOMEM.
 */
int ddg_image_read(const char *path, size_t maxlen, struct ddg_image *img,
	char *err, size_t errlen);

/**
 * Private anonymous read-write memory of len bytes (zero-filled), rounded
 * up to whole pages; from 2 MB on it starts on a 2 MB boundary and asks for
 * transparent huge pages (fewer page faults and TLB misses).  Free with
 * munmap(mem, *maplen).  Also used for the suffix filter (sfilter.c).
 * @return the memory or NULL; *maplen is set to its length.
 */
uint8_t *ddg_image_anon(size_t len, size_t *maplen);

/**
 * Release the memory of an image.  Accepts NULL and an image of an empty
 * file.
 */
void ddg_image_free(struct ddg_image *img);

#endif /* DDG_LIB_IMAGE_H */
