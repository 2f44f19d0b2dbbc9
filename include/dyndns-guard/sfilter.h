/**
 * \file sfilter.h
 * The suffix filter: a compact, read-only summary of a set of DNS names
 * (the entries of a list, the zone rules of a policy) that answers, from
 * one cache line per label, "which suffixes of this name may be in the
 * set".  Most names a resolver sees match nothing; for them the filter
 * says so without touching the set itself, usually after two labels (the
 * top-level domain, hot in the CPU cache, then the next label, which is no
 * ancestor of any member).
 *
 * It is a blocked Bloom filter over the suffixes of the members: for each
 * member, its name gets "member" bits and each of its proper ancestors
 * "ancestor" bits, all in one 64-byte block chosen by the suffix's hash.
 * A probe walks the query name from the root: a suffix with member bits
 * is a candidate; a suffix with neither kind of bits ends the walk, since
 * no member can lie below it.  There are no false negatives: every member
 * suffix of a name is reported.  False positives (about 1 % per probe at
 * the default size) only cost an exact search of the set.
 *
 * Built once (ddg_sfilter_init(), ddg_sfilter_add_*()), then read by any
 * number of threads without locks.  No allocation and no system call in
 * ddg_sfilter_probe().  Names compare case-insensitively (ASCII).
 */
#ifndef DDG_SFILTER_H
#define DDG_SFILTER_H

#include <stddef.h>
#include <stdint.h>

/** a suffix filter; zero-initialised it is empty (reports nothing) */
struct ddg_sfilter {
	/** nblocks blocks of 8 64-bit words (64 bytes each) */
	uint64_t *bits;
	/** number of blocks, 0 for an empty filter */
	uint32_t nblocks;
	/** length of the memory mapping (0: none) */
	size_t maplen;
};

/** the result of a probe */
struct ddg_sfilter_hit {
	/** labels of the probed name (0 for the root) */
	int labels;
	/** wire offset of each label, off[0] = 0 for the leftmost; the
	 * suffix of d labels starts at off[labels - d] */
	uint8_t off[128];
	/** bit d - 1 (of the 128) set: the suffix of d labels may be a
	 * member */
	uint64_t cand[2];
};

/**
 * Make an empty filter sized for about n members (12 bits each; 64 bytes
 * at least).  n = 0 makes a filter that reports nothing, with no memory.
 * @return DDG_OK or DDG_ERR_NOMEM.
 */
int ddg_sfilter_init(struct ddg_sfilter *f, size_t n);

/** Bytes of the filter ddg_sfilter_init() makes for n members. */
size_t ddg_sfilter_size(size_t n);

/**
 * Make a filter for about n members in caller memory: ddg_sfilter_size(n)
 * bytes, 8-byte aligned, zero for a new filter (or the bytes of a filter
 * made the same way, to read it).  ddg_sfilter_free() leaves the memory
 * to the caller.
 */
void ddg_sfilter_init_at(struct ddg_sfilter *f, size_t n, void *mem);

/** Release a filter's memory and make it empty.  Accepts NULL. */
void ddg_sfilter_free(struct ddg_sfilter *f);

/**
 * Add a member given as a valid wire-form name (any case).
 */
void ddg_sfilter_add_wire(struct ddg_sfilter *f, const uint8_t *wire);

/**
 * Add a member given as a valid lookup key (list.h: root-first labels,
 * lowercase, 0x00-terminated, 0x01 escapes), the form the list stores.
 * @param prev_common: how many leading bytes this key shares with the key
 *	added just before it (0 if unknown): the ancestors that lie wholly
 *	in that prefix were added then and are skipped.
 * @param st: scratch state kept between calls of one sorted run
 *	(ddg_sfilter_key_state_init() before the first).
 */
struct ddg_sfilter_key_state {
	uint64_t h[128];	/**< hash state after each label */
	uint16_t end[128];	/**< key offset after each label */
	int n;			/**< labels of the previous key */
	/** marks not yet set: their blocks were prefetched, so that
	 * filling a filter larger than the CPU caches does not wait on
	 * memory for each one (a ring of DDG_SFILTER_PEND) */
	uint64_t pend[16];
	/** member (1) or ancestor (0) mark, per pending entry */
	uint8_t pend_member[16];
	/** pending marks, and the oldest one's index */
	int npend, head;
};
/** pending marks of a key run */
#define DDG_SFILTER_PEND 16
/** Reset a key run's scratch state. */
void ddg_sfilter_key_state_init(struct ddg_sfilter_key_state *st);
/** Set the marks a key run still holds (after its last key). */
void ddg_sfilter_key_flush(struct ddg_sfilter *f,
	struct ddg_sfilter_key_state *st);
/** Add a member given as a lookup key (see above); avail bytes (at least
 * klen) may be read at key. */
void ddg_sfilter_add_key(struct ddg_sfilter *f,
	struct ddg_sfilter_key_state *st, const uint8_t *key, size_t klen,
	size_t avail, size_t prev_common);

/**
 * Which suffixes of a name may be members.
 * @param f: the filter.
 * @param wire: a wire-form name (any case), at most len bytes are read.
 * @param len: bytes available at wire.
 * @param hit: filled (labels and offsets always, on success).
 * @return 1 if some suffix may be a member, 0 if none is, DDG_ERR_SYNTAX
 *	if wire is not a valid name within len bytes (as
 *	ddg_name_wire_len() decides).
 */
int ddg_sfilter_probe(const struct ddg_sfilter *f, const uint8_t *wire,
	size_t len, struct ddg_sfilter_hit *hit);

/** Bytes of memory a filter holds. */
size_t ddg_sfilter_bytes(const struct ddg_sfilter *f);

#endif /* DDG_SFILTER_H */
