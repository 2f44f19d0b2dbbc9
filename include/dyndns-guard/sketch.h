/**
 * \file sketch.h
 * Bounded-memory summaries of event streams, for `dyndns-guard report`:
 * - ddg_siphash(): SipHash-2-4, a keyed hash (with a secret key, hostile
 *   input cannot pick colliding keys for a table);
 * - struct ddg_distinct: a distinct counter, exact up to
 *   DDG_DISTINCT_EXACT values, then a HyperLogLog sketch of
 *   2^DDG_DISTINCT_HLL_P registers (standard error 1.04/sqrt(2^p), 3.3 %);
 *   the exact values are held in a small hash set;
 * - struct ddg_sstab: a table of at most `capacity` keys with counts,
 *   kept by the Space-Saving algorithm (Metwally, Agrawal, El Abbadi
 *   2005): when full, a new key replaces the key with the smallest count
 *   and inherits that count as its possible over-estimate.  Every key
 *   whose true count is above total/capacity is in the table, and each
 *   count is exact when its err is 0.  Each entry carries a fixed-size
 *   payload for the caller's statistics.
 * - struct ddg_fpset: a set of 64-bit fingerprints with a bound.
 */
#ifndef DDG_SKETCH_H
#define DDG_SKETCH_H

#include <stddef.h>
#include <stdint.h>

/**
 * SipHash-2-4 of data.
 * @param key: the 16-byte key.
 * @param data: the bytes.
 * @param len: their number.
 * @return the 64-bit hash.
 */
uint64_t ddg_siphash(const uint8_t key[16], const void *data, size_t len);

/** values a distinct counter keeps inline, before allocating */
#define DDG_DISTINCT_INLINE 4
/** values counted exactly, before the switch to HyperLogLog */
#define DDG_DISTINCT_EXACT 64
/** HyperLogLog precision: 2^p one-byte registers */
#define DDG_DISTINCT_HLL_P 10

/** a distinct counter; all zero is an empty one */
struct ddg_distinct {
	/** the first hashes, exact */
	uint64_t inl[DDG_DISTINCT_INLINE];
	/** once more than inline: a hash set of 2 * DDG_DISTINCT_EXACT
	 * slots (0 is an empty slot; a hash 0 is kept as 1), or NULL */
	uint64_t *exact;
	/** the registers once more than DDG_DISTINCT_EXACT, or NULL */
	uint8_t *hll;
	/** hashes held exactly (while hll is NULL) */
	uint32_t n;
};

/**
 * Add a value, given by a 64-bit hash of it (a well-mixed one, e.g.
 * ddg_siphash()).
 * @param d: the counter.
 * @param h: the hash.
 * @return 0, or -1 when out of memory (the value is then not counted).
 */
int ddg_distinct_add(struct ddg_distinct *d, uint64_t h);

/**
 * The number of distinct values added.
 * @param d: the counter.
 * @param estimated: set to 1 when the count is a HyperLogLog estimate, 0
 *	when exact; may be NULL.
 * @return the count.
 */
uint64_t ddg_distinct_count(const struct ddg_distinct *d, int *estimated);

/**
 * Free what a counter allocated and empty it.
 * @param d: the counter.
 */
void ddg_distinct_clear(struct ddg_distinct *d);

/** key bytes an entry holds inline (longer keys are allocated) */
#define DDG_SSTAB_INLINE 56

/** one key of a Space-Saving table */
struct ddg_sstab_entry {
	/** events counted (an upper bound of the true count) */
	uint64_t count;
	/** the count inherited from the evicted key: the true count is
	 * between count - err and count */
	uint64_t err;
	/** hash of the key */
	uint64_t hash;
	/** the key, NUL-terminated (may hold other bytes before the NUL
	 * than text: keylen is its length) */
	char *key;
	/** length of key */
	uint32_t keylen;
	/** position in the heap */
	uint32_t heap;
	/** the key when it is shorter than DDG_SSTAB_INLINE (then key
	 * points here) */
	char inl[DDG_SSTAB_INLINE];
};

/** a Space-Saving table; opaque */
struct ddg_sstab;

/**
 * Create a table.
 * @param capacity: most keys (1..2^30).
 * @param payload_size: bytes of statistics per key, zeroed for each new
 *	key.
 * @param clear: called on a payload before its key is evicted or the
 *	table freed (to free what it allocated), or NULL.
 * @param seed: the 16-byte key of the table's hash.
 * @return the table, or NULL when out of memory.
 */
struct ddg_sstab *ddg_sstab_new(size_t capacity, size_t payload_size,
	void (*clear)(void *payload), const uint8_t seed[16]);

/**
 * Free a table (clear is called for each payload).
 * @param t: the table, or NULL.
 */
void ddg_sstab_free(struct ddg_sstab *t);

/**
 * Count one event of a key: find it (count + 1) or add it, evicting the
 * key with the smallest count when the table is full.
 * @param t: the table.
 * @param key: the key bytes.
 * @param len: their number.
 * @param fresh: set to 1 when the key is new in the table (its payload
 *	is zeroed), 0 when it was there.
 * @return the key's entry, or NULL when out of memory.
 */
struct ddg_sstab_entry *ddg_sstab_hit(struct ddg_sstab *t, const void *key,
	size_t len, int *fresh);

/**
 * Find a key without counting.
 * @param t: the table.
 * @param key: the key bytes.
 * @param len: their number.
 * @return its entry, or NULL when it is not in the table.
 */
struct ddg_sstab_entry *ddg_sstab_find(struct ddg_sstab *t, const void *key,
	size_t len);

/**
 * The payload of an entry.
 * @param e: an entry of a table.
 * @return its payload (aligned for any type).
 */
void *ddg_sstab_payload(struct ddg_sstab_entry *e);

/**
 * Number of keys in the table.
 * @param t: the table.
 * @return the number.
 */
size_t ddg_sstab_size(const struct ddg_sstab *t);

/**
 * The i-th entry (0 <= i < ddg_sstab_size(), in no particular order; valid
 * until the next ddg_sstab_hit()).
 * @param t: the table.
 * @param i: the index.
 * @return the entry.
 */
struct ddg_sstab_entry *ddg_sstab_at(struct ddg_sstab *t, size_t i);

/**
 * Keys evicted so far (0 while the bound was never hit).
 * @param t: the table.
 * @return the number.
 */
uint64_t ddg_sstab_evicted(const struct ddg_sstab *t);

/**
 * The capacity of a table.
 * @param t: the table.
 * @return its capacity.
 */
size_t ddg_sstab_capacity(const struct ddg_sstab *t);

/** a bounded set of 64-bit fingerprints; opaque */
struct ddg_fpset;

/**
 * Create a fingerprint set that grows up to max members.
 * @param max: the bound (at least 16).
 * @return the set or NULL when out of memory.
 */
struct ddg_fpset *ddg_fpset_new(size_t max);

/**
 * Free a set.
 * @param s: the set, or NULL.
 */
void ddg_fpset_free(struct ddg_fpset *s);

/**
 * Add a fingerprint.
 * @param s: the set.
 * @param fp: the fingerprint (any value).
 * @return 1 when added, 0 when it was there, -1 when not added (the bound
 *	was reached, or out of memory: counted in ddg_fpset_dropped()).
 */
int ddg_fpset_add(struct ddg_fpset *s, uint64_t fp);

/**
 * Whether a fingerprint is in the set.
 * @param s: the set.
 * @param fp: the fingerprint.
 * @return 1 or 0.
 */
int ddg_fpset_has(const struct ddg_fpset *s, uint64_t fp);

/**
 * Members of a set.
 * @param s: the set.
 * @return the number.
 */
size_t ddg_fpset_size(const struct ddg_fpset *s);

/**
 * Fingerprints that could not be added (bound reached).
 * @param s: the set.
 * @return the number.
 */
uint64_t ddg_fpset_dropped(const struct ddg_fpset *s);

#endif /* DDG_SKETCH_H */
