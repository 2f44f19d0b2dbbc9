/**
 * \file list_int.h
 * Internal: the opened list (struct ddg_list) that the validator
 * (list_valid.c) fills and the reader (list.c) searches, and the calls
 * between the two.  Not part of the public API (lib/ only); the public one
 * is include/dyndns-guard/list.h.
 */
#ifndef DDG_LIB_LIST_INT_H
#define DDG_LIB_LIST_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "dyndns-guard/list.h"
#include "dyndns-guard/list_format.h"
#include "dyndns-guard/sfilter.h"
#include "image.h"

/** whether the search index is used in place: the file stores it as
 * little-endian 64-bit numbers, so a little-endian host can compare them
 * directly once they are validated */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DDG_INDEX_IN_PLACE 1
#else
#define DDG_INDEX_IN_PLACE 0
#endif

/** an opened list */
struct ddg_list {
	/** the bytes (the list's own image of its file, or caller memory) */
	const uint8_t *base;
	/** their number */
	size_t len;
	/** the image base points into when the list was read from a file
	 * (freed with the list); all zero for caller memory */
	struct ddg_image img;
	/** block table: the offset of each block in the blocks section */
	const uint8_t *blk;
	/** blocks section: the front-coded entries */
	const uint8_t *stream;
	/** entry count */
	uint32_t n;
	/** the most labels of an entry: while the filter is not in use, no
	 * deeper suffix of a name is searched */
	int maxlabels;
	/** block count */
	uint32_t nb;
	/** category count */
	uint32_t ncat;
	/** category names, ncat pointers into the bytes */
	const char **cat;
	/** the search index levels, lvl[0] holding one number per block
	 * (its first key's; padded to a multiple of 8 with
	 * DDG_LIST_IDX_PAD) and lvl[k+1] every 8th number of lvl[k], so that
	 * a search reads one cache line per level and then one block.  They
	 * point into the file (little-endian host, 8-byte aligned bytes) or
	 * into idxheap */
	const uint64_t *lvl[DDG_LIST_MAXLVL];
	/** numbers per level (padding not counted) */
	size_t lvln[DDG_LIST_MAXLVL];
	/** number of levels (0 for an empty list) */
	int nlvl;
	/** native copy of the search index when it cannot be used in place
	 * (big-endian host, or caller memory not 8-byte aligned); else NULL */
	uint64_t *idxheap;
	/** the second search numbers, one per block: bytes 8..15 of its
	 * first key as a big-endian number (zero-padded), built at open.
	 * Where blocks share the first number (a provider with many
	 * entries), they decide among the run without decoding blocks */
	uint64_t *sec;
	/** header information */
	struct ddg_list_info info;
	/** the suffix filter over the entries, built at open from the
	 * validated keys: the "no" of most lookups, without the index */
	struct ddg_sfilter filt;
	/** 1 once filt may be used: stored (release) after filt is set.
	 * 0 while its check is left for ddg_list_check_filter()
	 * (DDG_LIST_LATE_FILTER); until then every lookup searches */
	_Atomic int filt_ready;
	/** the file's suffix filter section: offset and size */
	uint64_t flt_off, flt_size;
	/** whether the file's filter bytes may be used in place (8-byte
	 * aligned on a little-endian host) */
	int flt_in_place;
};

/**
 * Validate every byte of a list image once and, on success, fill l so that
 * the reader can use the bytes without further checks (list_valid.c).
 * @param l: a zeroed list; on success its search structures are set (cat
 *	and, when the search index cannot be used in place, idxheap are
 *	allocated, the suffix filter built or placed on the file's bytes);
 *	on failure nothing is left allocated.
 * @param b: the bytes, valid as long as l is used.
 * @param len: their number.
 * @param flags: 0, or DDG_LIST_LATE_FILTER (list.h): everything but the
 *	suffix filter is checked now, the filter by ddg_list_check_filter().
 * @param name: the file name (or "(memory)") for messages.
 * @param err: filled on failure with "<name>: <reason> at byte offset N".
 * @param errlen: its size.
 * @return DDG_OK, DDG_ERR_CORRUPT, DDG_ERR_VERSION or DDG_ERR_NOMEM.
 */
int ddg_list_validate(struct ddg_list *l, const uint8_t *b, size_t len,
	unsigned flags, const char *name, char *err, size_t errlen);

/**
 * Free what ddg_list_validate() allocated for l (not l itself, not its
 * image) and clear those fields.  Accepts a list it never filled.
 */
void ddg_list_release(struct ddg_list *l);

#endif /* DDG_LIB_LIST_INT_H */
