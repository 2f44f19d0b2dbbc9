/**
 * \file list.h
 * The compiled suffix list (.dgl): reader with full validation and
 * longest-suffix matching.  The on-disk format is described in
 * list_format.h and docs/list-format.md.
 *
 * ddg_list_open() reads the file once into a private, read-only anonymous
 * memory mapping of the list's own, validates those bytes and then uses
 * exactly them: whatever happens to the file afterwards (truncated, written
 * in place, deleted, replaced) changes nothing in an open list.
 *
 * A struct ddg_list is immutable once ddg_list_open() returned it; any number
 * of threads may call ddg_list_match() on it concurrently.  The search index
 * over the blocks is part of the file and, on a little-endian host, used in
 * place in the list's memory, and so is the suffix filter (sfilter.h, about
 * 1.9 bytes per entry), which the reader rebuilds from the entries to
 * validate it and which answers most lookups of names that match nothing
 * without touching the entries: an open list holds nothing of size besides
 * the file's bytes.
 */
#ifndef DDG_LIST_H
#define DDG_LIST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

/** an opened, fully validated list (opaque) */
struct ddg_list;

/** result of a successful match */
struct ddg_list_match {
	/** byte offset, inside the query wire name, of the matched zone:
	 * qname + zone_off is the zone in wire form (in the query's case) */
	size_t zone_off;
	/** number of labels of the matched zone */
	int zone_labels;
	/** index of the matching entry in the list */
	uint32_t entry;
	/** category index of the entry */
	uint16_t category;
	/** category name, NUL-terminated; points into the list's memory,
	 * valid until ddg_list_close() */
	const char *category_name;
};

/** descriptive information about an opened list */
struct ddg_list_info {
	uint32_t version;		/**< format version */
	uint32_t entries;		/**< number of entries */
	uint32_t categories;		/**< number of categories */
	uint64_t created;		/**< creation time, seconds since epoch */
	uint64_t file_size;		/**< bytes */
	uint8_t sha256[32];		/**< checksum stored in (and verified against) the file */
	char sha256_hex[65];		/**< the same, lowercase hex */
	const char *sources;		/**< source descriptions, NUL-terminated,
					     one per line; points into the list's
					     memory */
};

/**
 * Read a list file once into private read-only memory and validate all of
 * it (header, sizes, every offset, entry order, enclosing-entry links,
 * categories, every number of the search index, checksum); the open list
 * uses exactly the bytes validated, never the file again.  Large files are
 * hashed by a short-lived helper thread while the structure is checked; it
 * is joined before this returns.
 * @param path: the file.
 * @param out: set to the list on success; untouched on failure.
 * @param err: buffer of errlen bytes, filled on failure with
 *	"<path>: <reason> at byte offset N" (or "<path>: <reason>" for an
 *	error of the file system).
 * @param errlen: size of err (DDG_ERR_LEN recommended).
 * @return DDG_OK, DDG_ERR_IO (cannot open or read, not a regular file,
 *	the file changed while it was read), DDG_ERR_CORRUPT, DDG_ERR_VERSION
 *	or DDG_ERR_NOMEM.  Never aborts, whatever the file holds or whatever
 *	happens to it during or after the call.
 */
int ddg_list_open(const char *path, struct ddg_list **out, char *err,
	size_t errlen);

/**
 * Like ddg_list_open(), and tell which file the list's bytes came from.
 * @param path: the file.
 * @param out: set to the list on success; untouched on failure.
 * @param st: if not NULL, set on success to the fstat() of the file the
 *	bytes were read from, taken after reading and equal to the one taken
 *	before (device, inode, size and modification time identify what was
 *	read, also when path was renamed over meanwhile).
 * @param err: buffer of errlen bytes for the error message.
 * @param errlen: size of err.
 * @return as ddg_list_open().
 */
int ddg_list_open_stat(const char *path, struct ddg_list **out,
	struct stat *st, char *err, size_t errlen);

/** ddg_list_open_flags(): check the suffix filter later, by
 * ddg_list_check_filter(); until then lookups search the list for every
 * suffix of a name (the same answers, slower) */
#define DDG_LIST_LATE_FILTER 0x1

/**
 * Like ddg_list_open_stat(), with flags: 0 or DDG_LIST_LATE_FILTER, which
 * leaves only the suffix filter unchecked (and unused) so that the list
 * serves sooner; every other byte is validated before this returns.
 * @param path: the file.
 * @param flags: 0 or DDG_LIST_LATE_FILTER.
 * @param out: set to the list on success; untouched on failure.
 * @param st: as for ddg_list_open_stat(), or NULL.
 * @param err: buffer of errlen bytes for the error message.
 * @param errlen: size of err.
 * @return as ddg_list_open().
 */
int ddg_list_open_flags(const char *path, unsigned flags,
	struct ddg_list **out, struct stat *st, char *err, size_t errlen);

/**
 * Check the suffix filter of a list opened with DDG_LIST_LATE_FILTER (the
 * filter its entries give, rebuilt and compared byte for byte) and put it
 * to use.  Lookups on other threads may run meanwhile; call it from one
 * thread, before the list is closed.  A filter that differs is replaced
 * by the rebuilt one, so lookups stay right, and DDG_ERR_CORRUPT says so.
 * @param list: the list; a list whose filter is in use returns DDG_OK.
 * @param name: the file, for the message.
 * @param err: buffer of errlen bytes for the message.
 * @param errlen: size of err.
 * @return DDG_OK, DDG_ERR_CORRUPT (the rebuilt filter serves) or
 *	DDG_ERR_NOMEM (the list goes on without a filter).
 */
int ddg_list_check_filter(struct ddg_list *list, const char *name,
	char *err, size_t errlen);

/**
 * Validate and open a list held in caller memory (not copied: the caller
 * keeps buf alive and unchanged until ddg_list_close()).  Used by the fuzz
 * targets and tests.
 * Same results as ddg_list_open().  buf may have any alignment; if it is not
 * 8-byte aligned the search index is copied to the heap.
 */
int ddg_list_open_mem(const uint8_t *buf, size_t len, struct ddg_list **out,
	char *err, size_t errlen);

/**
 * Free a list and its memory.  Accepts NULL.
 */
void ddg_list_close(struct ddg_list *list);

/**
 * Longest listed suffix of a name, at label boundaries: the suffix filter's
 * candidates, deepest first, each searched exactly.
 * No allocation and no system calls.
 * @param list: an opened list.
 * @param qname: wire-form name as Unbound hands it over (any case).
 * @param qname_len: its length (as in query_info.qname_len).
 * @param m: filled on a match.
 * @return 1 on a match, 0 on no match, DDG_ERR_SYNTAX for an invalid name.
 */
int ddg_list_match(const struct ddg_list *list, const uint8_t *qname,
	size_t qname_len, struct ddg_list_match *m);

/**
 * Whether some suffix of a name may be listed: the suffix filter alone
 * (no search), so 0 is certain and 1 may be a false positive.
 * @return 1 maybe, 0 no suffix is listed, DDG_ERR_SYNTAX for an invalid
 *	name.
 */
int ddg_list_may_match(const struct ddg_list *list, const uint8_t *qname,
	size_t qname_len);

/**
 * Descriptive information about a list.
 */
void ddg_list_info(const struct ddg_list *list, struct ddg_list_info *info);

/**
 * Number of entries of a list.
 */
uint32_t ddg_list_count(const struct ddg_list *list);

/**
 * The i-th entry (canonical order) of a list.
 * @param wire: output buffer of DDG_NAME_MAXWIRE bytes, the zone's wire form.
 * @param category: set to the entry's category index.
 * @param parent: set to the index of the nearest enclosing entry, or
 *	UINT32_MAX for none.
 * @return DDG_OK or DDG_ERR_RANGE.
 */
int ddg_list_entry(const struct ddg_list *list, uint32_t i, uint8_t *wire,
	uint16_t *category, uint32_t *parent);

/**
 * Name of a category index, or NULL if out of range.
 */
const char *ddg_list_category_name(const struct ddg_list *list, uint16_t cat);

/**
 * Like ddg_list_open_mem(), with a name for the error messages.
 * @param buf: the bytes of a list; kept alive by the caller until
 *	ddg_list_close().
 * @param len: their number.
 * @param name: used as "<name>: " at the start of error messages.
 * @param out: set to the list on success; untouched on failure.
 * @param err: buffer of errlen bytes for the error message.
 * @param errlen: size of err.
 * @return as ddg_list_open().
 */
int ddg_list_open_mem_name(const uint8_t *buf, size_t len, const char *name,
	struct ddg_list **out, char *err, size_t errlen);

/**
 * ddg_list_open_mem() with flags (0 or DDG_LIST_LATE_FILTER), for the fuzz
 * target of the late filter check.
 */
int ddg_list_open_mem_flags(const uint8_t *buf, size_t len, unsigned flags,
	struct ddg_list **out, char *err, size_t errlen);

/**
 * The lookup key of the i-th entry.
 * @param list: an opened list.
 * @param i: entry index.
 * @param key: output buffer of DDG_NAME_MAXKEY bytes (entries are front
 *	coded in the file: the key is rebuilt here).
 * @param keylen: set to the key length.
 * @return DDG_OK or DDG_ERR_RANGE.
 */
int ddg_list_entry_key(const struct ddg_list *list, uint32_t i,
	uint8_t *key, size_t *keylen);

/**
 * Find the entry with exactly this name (case-insensitive).
 * @param list: an opened list.
 * @param wire: a valid wire-form name.
 * @param idx: set to the entry index when found.
 * @return DDG_OK or DDG_ERR_NOTFOUND.
 */
int ddg_list_find(const struct ddg_list *list, const uint8_t *wire,
	uint32_t *idx);

/**
 * Number of categories of a list.
 * @param list: an opened list.
 * @return the count (category indexes are 0 .. count - 1).
 */
uint32_t ddg_list_category_count(const struct ddg_list *list);

/**
 * The validated bytes of a list (the whole file as it was read), e.g. to
 * check a detached signature against exactly the bytes that were
 * validated and are used, never a second read of the file.
 * @param list: an opened list.
 * @param len: set to the length.
 * @return the bytes (read-only memory of the list's own for
 *	ddg_list_open()); valid until ddg_list_close().
 */
const uint8_t *ddg_list_data(const struct ddg_list *list, size_t *len);

/**
 * The checksum of a list image as stored in its header: SHA-256 of the
 * whole file except the checksum field itself (bytes 0..79 followed by
 * bytes 112..end), so header fields are covered too.
 * @param buf: the image.
 * @param len: its length (at least the header size).
 * @param md: output, 32 bytes.
 * @return DDG_OK, DDG_ERR_INVAL (too short) or DDG_ERR_NOMEM.
 */
int ddg_list_digest(const uint8_t *buf, size_t len, uint8_t *md);

#endif /* DDG_LIST_H */
