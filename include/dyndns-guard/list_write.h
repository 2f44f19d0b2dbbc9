/**
 * \file list_write.h
 * The .dgl writer: collect entries (wire name + category) and source
 * descriptions, build the file image deterministically, write it
 * atomically.  Used by the compiler (compile.h), the tests and the
 * benchmark.
 *
 * Determinism: the image depends only on the set of (name, category) pairs,
 * on the order of conflicting duplicates, on the sources and on the
 * creation time.  Categories are stored sorted by name; only categories
 * used by a kept entry are stored.
 */
#ifndef DDG_LIST_WRITE_H
#define DDG_LIST_WRITE_H

#include <stddef.h>
#include <stdint.h>

/** a list under construction (opaque) */
struct ddg_lw;

/** what ddg_lw_build() did */
struct ddg_lw_stats {
	uint64_t added;		/**< entries added */
	uint64_t duplicates;	/**< same name and category given again */
	uint64_t conflicts;	/**< same name with another category (first kept) */
	uint64_t covered;	/**< dropped: enclosed by an entry of the same category */
	uint64_t written;	/**< entries in the file */
	uint32_t categories;	/**< categories in the file */
};

/**
 * Called by ddg_lw_build() for a name given with two categories.
 * @param arg: the caller's argument.
 * @param wire: the name.
 * @param kept_cat: category name kept (the one added first).
 * @param kept_tag: tag given with the kept entry.
 * @param dropped_cat: category name dropped.
 * @param dropped_tag: tag given with the dropped entry.
 */
typedef void (*ddg_lw_conflict_cb)(void *arg, const uint8_t *wire,
	const char *kept_cat, uint64_t kept_tag, const char *dropped_cat,
	uint64_t dropped_tag);

/**
 * Create an empty writer.
 * @return the writer, or NULL when out of memory.  Free with ddg_lw_free().
 */
struct ddg_lw *ddg_lw_new(void);

/**
 * Free a writer.  Accepts NULL.
 * @param lw: the writer.
 */
void ddg_lw_free(struct ddg_lw *lw);

/**
 * Set the creation time stored in the header (default 0).
 * @param lw: the writer.
 * @param created: seconds since the epoch.
 */
void ddg_lw_set_created(struct ddg_lw *lw, uint64_t created);

/**
 * Append one line of source description.
 * @param lw: the writer.
 * @param line: text without newline; control bytes other than tab are
 *	replaced by '?'.
 * @return DDG_OK or DDG_ERR_NOMEM.
 */
int ddg_lw_add_source(struct ddg_lw *lw, const char *line);

/**
 * Index of a category name, creating it when new.
 * @param lw: the writer.
 * @param name: a valid category name (ddg_name_category_ok()).
 * @param idx: set to the (writer-internal) category index.
 * @return DDG_OK, DDG_ERR_INVAL (bad name), DDG_ERR_RANGE (too many
 *	categories) or DDG_ERR_NOMEM.
 */
int ddg_lw_category(struct ddg_lw *lw, const char *name, uint16_t *idx);

/**
 * Add an entry.
 * @param lw: the writer.
 * @param wire: a valid wire-form name with at least one label (any case).
 * @param cat: index from ddg_lw_category().
 * @param tag: opaque value handed back to the conflict callback (e.g. the
 *	input file and line).
 * @return DDG_OK, DDG_ERR_INVAL (root name, bad category) or DDG_ERR_NOMEM.
 */
int ddg_lw_add(struct ddg_lw *lw, const uint8_t *wire, uint16_t cat,
	uint64_t tag);

/**
 * Sort, merge duplicates, drop entries enclosed by an entry of the same
 * category, compute the enclosing-entry links, the checksum, and lay the
 * file out in memory.
 * @param lw: the writer (may be built again after more adds).
 * @param cb: conflict callback, or NULL.
 * @param arg: its argument.
 * @param out: set to the malloc'ed image; caller frees with free().
 * @param outlen: set to its length.
 * @param st: if not NULL, filled with what was done.
 * @return DDG_OK, DDG_ERR_NOMEM or DDG_ERR_RANGE (over 2^32-2 entries or
 *	a section over 4 GiB).
 */
int ddg_lw_build(struct ddg_lw *lw, ddg_lw_conflict_cb cb, void *arg,
	uint8_t **out, size_t *outlen, struct ddg_lw_stats *st);

#endif /* DDG_LIST_WRITE_H */
