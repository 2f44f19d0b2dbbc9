/**
 * \file list_valid.c
 * The .dgl validator: every byte of a list image checked once, section by
 * section (header, section table, categories, sources, blocks and their
 * entries, in two halves on two threads for a large list, suffix filter,
 * search index, checksum), before the reader
 * (list.c) uses them without further checks.  Every defect is reported as
 * "<name>: <reason> at byte offset N".  Layout in list_format.h.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <pthread.h>
#include <signal.h>

#include <openssl/evp.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/list_format.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/sfilter.h"
#include "bytes.h"
#include "fail.h"
#include "list_int.h"

/** the validator's one error: "<name>: <reason> at byte offset off"
 * (fail.h), for v, the validation state (struct vstate) or that of a
 * range of entries (struct vrange) */
#define fail(v, code, off, ...) ddg_fail((v)->err, (v)->errlen, (code), \
	(v)->name, (off), __VA_ARGS__)

int
ddg_list_digest(const uint8_t *buf, size_t len, uint8_t *md)
{
	EVP_MD_CTX *ctx;
	unsigned int mdlen = 0;
	int ok;

	if(len < DDG_LIST_HDR_SIZE)
		return DDG_ERR_INVAL;
	ctx = EVP_MD_CTX_new();
	if(!ctx)
		return DDG_ERR_NOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
		EVP_DigestUpdate(ctx, buf, DDG_LH_SHA256) &&
		EVP_DigestUpdate(ctx, buf + DDG_LH_SHA256 + 32,
			len - DDG_LH_SHA256 - 32) &&
		EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen == 32;
	EVP_MD_CTX_free(ctx);
	return ok ? DDG_OK : DDG_ERR_NOMEM;
}

/** files from this size on are hashed by a helper thread while the
 * structure is checked (the two take about the same time) */
#define SHA_THREAD_MIN (1024u * 1024)

/** the SHA-256 of a list, possibly computed by a helper thread */
struct sha_job {
	const uint8_t *b;	/**< the bytes */
	size_t len;		/**< their number */
	int r;			/**< ddg_list_digest() result */
	int running;		/**< whether th is to be joined */
	pthread_t th;		/**< the helper thread */
	uint8_t md[32];		/**< the digest */
};

/** helper thread body */
static void *
sha_thread(void *arg)
{
	struct sha_job *j = arg;

	j->r = ddg_list_digest(j->b, j->len, j->md);
	return NULL;
}

/** start hashing in a helper thread if the file is large; without a
 * thread (small file, or it cannot be created) sha_finish hashes */
static void
sha_start(struct sha_job *j, const uint8_t *b, size_t len)
{
	sigset_t all, old;

	j->b = b;
	j->len = len;
	j->r = DDG_ERR_NOMEM;
	j->running = 0;
	if(len < SHA_THREAD_MIN)
		return;
	/* no signal is delivered to the helper */
	sigfillset(&all);
	if(pthread_sigmask(SIG_SETMASK, &all, &old) != 0)
		return;
	j->running = pthread_create(&j->th, NULL, sha_thread, j) == 0;
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/** wait for the helper thread, if any (the bytes must stay valid until
 * then: call this on every path after sha_start) */
static void
sha_join(struct sha_job *j)
{
	if(j->running) {
		(void)pthread_join(j->th, NULL);
		j->running = 0;
	}
}

/** the digest: the helper's result, or computed now */
static int
sha_finish(struct sha_job *j, uint8_t *md)
{
	if(j->running)
		sha_join(j);
	else
		j->r = ddg_list_digest(j->b, j->len, j->md);
	memcpy(md, j->md, 32);
	return j->r;
}

/** round up to the section alignment */
static uint64_t
align_sec(uint64_t v)
{
	return (v + (DDG_LIST_ALIGN - 1)) & ~(uint64_t)(DDG_LIST_ALIGN - 1);
}

/** byte classes for key_check: 0 plain label byte, 1 separator,
 * 2 escape, 3 uppercase (not allowed) */
static const uint8_t keycls[256] = {
	[0] = 1, [1] = 2, ['A' ... 'Z'] = 3
};

/**
 * Check that a key is a valid lookup key of a name with at least one label.
 * @return NULL if valid, else a reason; *bad is set to the offending
 *	byte position.
 */
static const char *
key_check_slow(const uint8_t *k, size_t len, size_t *bad)
{
	size_t i = 0, wire = 1;

	if(len == 0) {
		*bad = 0;
		return "empty key";
	}
	if(k[len - 1] != 0) {
		*bad = len - 1;
		return "key does not end in a label separator";
	}
	/* the last byte is a separator, so the inner loops stop there */
	while(i < len) {
		size_t start = i, llen;
		for(;;) {
			while(keycls[k[i]] == 0)
				i++;
			if(k[i] != 1)
				break;
			/* escape: 0x01 0x01 or 0x01 0x02, one label byte */
			if(k[i + 1] != 1 && k[i + 1] != 2) {
				*bad = i;
				return "key has a bad escape";
			}
			i += 2;
			start++;	/* two key bytes for one name byte */
		}
		if(k[i] != 0) {
			*bad = i;
			return "key is not lowercased";
		}
		llen = i - start;
		if(llen == 0) {
			*bad = i;
			return "key has an empty label";
		}
		if(llen > DDG_NAME_MAXLABEL) {
			*bad = i;
			return "key label longer than 63 bytes";
		}
		wire += llen + 1;
		if(wire > DDG_NAME_MAXWIRE) {
			*bad = i;
			return "key name longer than 255 bytes";
		}
		i++;
	}
	return NULL;
}

/** key_check_slow(), and the labels of a valid key */
static const char *
key_check_labels(const uint8_t *k, size_t len, size_t *bad, int *labels)
{
	const char *why = key_check_slow(k, len, bad);
	size_t i;
	int n = 0;
	if(why)
		return why;
	for(i = 0; i < len; i++)
		n += k[i] == 0;
	*labels = n;
	return NULL;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/**
 * The next up to eight key bytes k[i..] as a little-endian word, read as a
 * whole word when the buffer has it (bytes past the key are masked off by
 * *hi, the 0x80 bits of the bytes that belong to the key).
 * @return how many key bytes the word holds.
 */
static inline size_t
key_word(const uint8_t *k, size_t i, size_t len, size_t avail, uint64_t *x,
	uint64_t *hi)
{
	size_t nb = len - i < 8 ? len - i : 8;
	*x = 0;
	if(avail - i >= 8)
		memcpy(x, k + i, 8);
	else
		memcpy(x, k + i, nb);
	*hi = nb == 8 ? 0x8080808080808080ULL :
		(0x8080808080808080ULL & ((1ULL << (nb * 8)) - 1));
	return nb;
}
#endif

/**
 * key_check, eight bytes at a time; falls back to the byte loop (which
 * also names the defect) for keys with escapes or any problem.
 * @param labels: set to the key's labels when it is valid.
 */
static const char *
key_check(const uint8_t *k, size_t len, size_t avail, size_t *bad,
	int *labels)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	size_t i = 0, lstart = 0, wire = 1;
	int nl = 0;

	if(len >= 1 && len <= DDG_NAME_MAXLABEL + 1 && k[len - 1] == 0) {
		/* short key (all real ones): no label can exceed 63 bytes and
		 * the name not 255, so without escapes it is enough that no
		 * byte is 0x01 or uppercase and that no separator follows a
		 * separator or starts the key.  No loop over the labels */
		uint64_t carry = 1;	/* a virtual separator before byte 0 */
		while(i < len) {
			uint64_t x, hi, z, lt2;
			size_t nb = key_word(k, i, len, avail, &x, &hi);
			z = ddg_bytes_zero(x) & hi;
			lt2 = ddg_bytes_zero(x & 0xfefefefefefefefeULL) & hi;
			if((lt2 & ~z) | (ddg_bytes_upper(x) & hi) |
				(z & ((z << 8) | (carry << 7))))
				return key_check_labels(k, len, bad, labels);
			carry = z >> 63;
			/* separators: one 0x80 bit each, summed bytewise */
			nl += (int)(((z >> 7) * 0x0101010101010101ULL) >> 56);
			i += nb;
		}
		*labels = nl;
		return NULL;
	}
	while(i < len) {
		uint64_t x, hi, z, lt2;
		size_t nb = key_word(k, i, len, avail, &x, &hi);
		z = ddg_bytes_zero(x) & hi;
		lt2 = ddg_bytes_zero(x & 0xfefefefefefefefeULL) & hi;
		if((lt2 & ~z) | (ddg_bytes_upper(x) & hi))
			return key_check_labels(k, len, bad, labels);
		while(z) {
			size_t p = i + (size_t)(__builtin_ctzll(z) >> 3);
			size_t llen = p - lstart;
			if(llen == 0 || llen > DDG_NAME_MAXLABEL)
				return key_check_labels(k, len, bad, labels);
			wire += llen + 1;
			if(wire > DDG_NAME_MAXWIRE)
				return key_check_labels(k, len, bad, labels);
			lstart = p + 1;
			nl++;
			z &= z - 1;
		}
		i += nb;
	}
	if(len == 0 || lstart != len)
		return key_check_labels(k, len, bad, labels);
	*labels = nl;
	return NULL;
#else
	(void)avail;
	return key_check_labels(k, len, bad, labels);
#endif
}

/** length of the common prefix of two byte strings */
static inline size_t
cpl(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t m = alen < blen ? alen : blen, i = 0;

	while(i + 8 <= m) {
		uint64_t x, y;
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if(x != y) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return i + (size_t)(__builtin_ctzll(x ^ y) >> 3);
#else
			return i + (size_t)(__builtin_clzll(x ^ y) >> 3);
#endif
		}
		i += 8;
	}
	while(i < m && a[i] == b[i])
		i++;
	return i;
}

/** check that bytes [from, to) are zero; returns the first nonzero or to */
static uint64_t
zero_upto(const uint8_t *b, uint64_t from, uint64_t to)
{
	for(; from < to; from++)
		if(b[from])
			return from;
	return to;
}

/** a number of the search index in the file (any alignment) */
static inline uint64_t
idx_get(const uint8_t *p)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
#else
	return ddg_get64(p);
#endif
}

/** huge page size assumed for large index levels */
#define HUGE_SIZE (2 * 1024 * 1024)

/** aligned memory for an index level of bytes (a multiple of 128);
 * large levels ask for transparent huge pages (fewer TLB misses) */
static void *
index_mem(size_t bytes)
{
	void *a;

	if(bytes >= HUGE_SIZE) {
		bytes = (bytes + HUGE_SIZE - 1) & ~(size_t)(HUGE_SIZE - 1);
		a = aligned_alloc(HUGE_SIZE, bytes);
#ifdef MADV_HUGEPAGE
		if(a)
			(void)madvise(a, bytes, MADV_HUGEPAGE);
#endif
		return a;
	}
	/* C11: the size must be a multiple of the alignment */
	return aligned_alloc(128, (bytes + 127) & ~(size_t)127);
}

/** one range of entries to validate (check_blocks): inputs, then what it
 * found */
struct vrange {
	/** blocks, block table, index */
	const uint8_t *keys, *blk, *idx;
	uint64_t off_key, size_key, off_blk, off_idx;	/**< their places */
	uint64_t lvoff1;	/**< offset of index level 1 */
	int nlvl;		/**< index levels */
	uint64_t *heap;		/**< native index copy to fill, or NULL */
	uint64_t *sec;		/**< second search numbers to fill */
	uint32_t ncat;		/**< categories */
	uint32_t n;		/**< entries of the list */
	uint32_t first, last;	/**< entries [first, last); first % 16 == 0 */
	uint64_t pos;		/**< blocks-section offset of entry first */
	struct ddg_sfilter *filt;	/**< marks go here (NULL: none) */
	const char *name;	/**< for the messages */
	int r;			/**< result */
	char err[DDG_ERR_LEN];	/**< message of a failure */
	size_t errlen;		/**< sizeof(err), for fail() */
	uint64_t end;		/**< offset after the last entry */
	int maxlabels;		/**< the most labels of an entry in the range */
	uint8_t firstkey[DDG_NAME_MAXKEY], lastkey[DDG_NAME_MAXKEY];
	size_t firstlen, lastlen;	/**< their lengths */
};

/**
 * Validate entries [first, last): decode each once, check its fields, its
 * key and the order, the block offsets and index numbers of the blocks
 * starting in the range, and mark it in the filter.
 * @return DDG_OK or DDG_ERR_CORRUPT (v->err says why).
 */
static int
check_blocks(struct vrange *v)
{
	uint32_t i;
	const uint8_t *keys = v->keys, *blk = v->blk, *idx = v->idx;
	{
		struct ddg_sfilter_key_state fst;
		/* the key: each entry's suffix goes over the previous key
		 * from its shared bytes on; room for 8-byte reads past it */
		uint8_t kk[DDG_NAME_MAXKEY + 8];
		size_t pl = 0, pos = (size_t)v->pos;
		memset(kk, 0, sizeof(kk));
		ddg_sfilter_key_state_init(&fst);
		for(i = v->first; i < v->last; i++) {
			uint64_t eoff = v->off_key + pos;
			size_t sh, sl, kl, c, need, bad = 0;
			uint32_t cat;
			int nl = 0, disorder = 0;
			const char *why;
			if(i % DDG_LIST_BLOCK == 0) {
				uint32_t j = i / DDG_LIST_BLOCK;
				uint32_t bo = ddg_get32(blk + (size_t)j *
					DDG_LIST_BLKREC_SIZE);
				if(bo != pos && j == 0) {
					fail(v, DDG_ERR_CORRUPT, v->off_blk,
						"block 0 offset %u is not 0",
						bo);
					return DDG_ERR_CORRUPT;
				}
				if(bo != pos) {
					fail(v, DDG_ERR_CORRUPT, v->off_blk +
						(uint64_t)j *
						DDG_LIST_BLKREC_SIZE,
						"block %u offset %u is not "
						"where block %u ends (%llu)",
						j, bo, j - 1,
						(unsigned long long)pos);
					return DDG_ERR_CORRUPT;
				}
			}
			/* shared, suffix length and category, bounded */
			if(pos + 3 > v->size_key) {
				fail(v, DDG_ERR_CORRUPT, eoff, "entry %u "
					"truncated (the blocks section ends)",
					i);
				return DDG_ERR_CORRUPT;
			}
			sh = keys[pos];
			sl = keys[pos + 1];
			need = pos + 2;
			if(sl & 0x80) {
				sl = ((sl & 0x7f) << 8) | keys[need++];
				if(sl < 128) {
					fail(v, DDG_ERR_CORRUPT, eoff + 1,
						"entry %u suffix length not in "
						"its shortest form", i);
					return DDG_ERR_CORRUPT;
				}
			}
			if(need >= v->size_key) {
				fail(v, DDG_ERR_CORRUPT, eoff, "entry %u "
					"truncated (the blocks section ends)",
					i);
				return DDG_ERR_CORRUPT;
			}
			cat = keys[need++];
			if(cat & 0x80) {
				if(need >= v->size_key) {
					fail(v, DDG_ERR_CORRUPT, eoff,
						"entry %u truncated (the "
						"blocks section ends)", i);
					return DDG_ERR_CORRUPT;
				}
				cat = ((cat & 0x7f) << 8) | keys[need++];
				if(cat < 128) {
					fail(v, DDG_ERR_CORRUPT, v->off_key +
						need - 2, "entry %u category "
						"index not in its shortest "
						"form", i);
					return DDG_ERR_CORRUPT;
				}
			}
			if(cat >= v->ncat) {
				fail(v, DDG_ERR_CORRUPT,
					v->off_key + need - 1, "entry %u "
					"category index %u out of range (%u "
					"categories)", i, cat, v->ncat);
				return DDG_ERR_CORRUPT;
			}
			if(i % DDG_LIST_BLOCK == 0 ? sh != 0 : sh > pl) {
				fail(v, DDG_ERR_CORRUPT, eoff,
					"entry %u shares %zu bytes with %s", i,
					sh, i % DDG_LIST_BLOCK == 0 ? "nothing "
					"(the first entry of a block)" :
					"a shorter previous key");
				return DDG_ERR_CORRUPT;
			}
			kl = sh + sl;
			if(sl == 0 || kl > DDG_NAME_MAXKEY) {
				fail(v, DDG_ERR_CORRUPT, eoff + 1, "entry %u "
					"key length %zu (shared %zu + suffix "
					"%zu) out of range", i, kl, sh, sl);
				return DDG_ERR_CORRUPT;
			}
			if(sl > v->size_key - need) {
				fail(v, DDG_ERR_CORRUPT, eoff,
					"entry %u key (%zu bytes) out of range "
					"of the blocks section", i, sl);
				return DDG_ERR_CORRUPT;
			}
			/* the common prefix with the previous key (still in
			 * kk), from the sh bytes the two share by definition
			 * (sh <= pl above), and the order, before the suffix
			 * goes over it */
			if(i > v->first) {
				c = sh + cpl(kk + sh, pl - sh, keys + need, sl);
				disorder = c == kl || (c < pl &&
					kk[c] > keys[need + c - sh]);
			} else
				c = 0;
			memcpy(kk + sh, keys + need, sl);
			memset(kk + kl, 0, 8);
			why = key_check(kk, kl, kl + 8, &bad, &nl);
			if(why) {
				fail(v, DDG_ERR_CORRUPT,
					v->off_key + need + (bad >= sh ? bad -
					sh : 0), "entry %u invalid key: %s", i,
					why);
				return DDG_ERR_CORRUPT;
			}
			if(disorder) {
				fail(v, DDG_ERR_CORRUPT, eoff, "entry %u out "
					"of order (not greater than entry %u)",
					i, i - 1);
				return DDG_ERR_CORRUPT;
			}
			if(i % DDG_LIST_BLOCK != 0 && sh != (c < 255 ? c :
				255)) {
				fail(v, DDG_ERR_CORRUPT, eoff, "entry %u "
					"shared prefix %zu is not the common "
					"prefix %zu (at most 255)", i, sh, c);
				return DDG_ERR_CORRUPT;
			}
			if(i % DDG_LIST_BLOCK == 0) {
				/* the block's search index number, and the
				 * level 1 number that summarises it */
				uint32_t j = i / DDG_LIST_BLOCK;
				uint64_t p0 = ddg_list_key_prefix(kk, kl);
				uint64_t fp0 = idx_get(idx + (size_t)j * 8);
				if(fp0 != p0) {
					fail(v, DDG_ERR_CORRUPT, v->off_idx +
						(uint64_t)j * 8, "block %u "
						"search index number 0x%016llx "
						"differs from its first key "
						"(0x%016llx)", j,
						(unsigned long long)fp0,
						(unsigned long long)p0);
					return DDG_ERR_CORRUPT;
				}
				if(v->heap)
					v->heap[j] = p0;
				v->sec[j] = kl > 8 ? ddg_list_key_prefix(kk +
					8, kl - 8) : 0;
				if((j & 7) == 0 && v->nlvl > 1) {
					uint64_t o1 = v->lvoff1 +
						(uint64_t)(j >> 3) * 8;
					fp0 = idx_get(idx + o1);
					if(fp0 != p0) {
						fail(v, DDG_ERR_CORRUPT,
							v->off_idx + o1,
							"search index level 1 "
							"number %u differs "
							"from block %u",
							j >> 3, j);
						return DDG_ERR_CORRUPT;
					}
				}
			}
			if(i == v->first) {
				memcpy(v->firstkey, kk, kl);
				v->firstlen = kl;
			}
			if(nl > v->maxlabels)
				v->maxlabels = nl;
			if(v->filt)
				ddg_sfilter_add_key(v->filt, &fst, kk, kl,
					kl + 8, c);
			pos = need + sl;
			pl = kl;
		}
		if(v->filt)
			ddg_sfilter_key_flush(v->filt, &fst);
		v->end = pos;
		/* the first and the last key, for the order across ranges */
		if(v->last > v->first)
			memcpy(v->lastkey, kk, pl);
		v->lastlen = pl;
		if(v->last < v->n)
			return DDG_OK;
		if(pos != v->size_key) {
			fail(v, DDG_ERR_CORRUPT, v->off_key +
				pos, "blocks section has %llu unused bytes",
				(unsigned long long)(v->size_key - pos));
			return DDG_ERR_CORRUPT;
		}
	}
	return DDG_OK;
}

/** the second range's thread */
static void *
range_thread(void *arg)
{
	struct vrange *v = arg;
	v->r = check_blocks(v);
	return NULL;
}

/** sections in file order; the keys (blocks) section is last */
enum { S_CAT, S_SRC, S_BLK, S_IDX, S_FLT, S_KEY, NSEC };

/** what the validation has learned so far, passed from section to section */
struct vstate {
	/** the list being filled */
	struct ddg_list *l;
	/** the bytes */
	const uint8_t *b;
	/** their number */
	size_t len;
	/** the name for messages */
	const char *name;
	/** the message buffer */
	char *err;
	/** its size */
	size_t errlen;
	/** header: format version, entries, blocks, categories */
	uint32_t version, n, nb, ncat;
	/** offset and size of each section */
	uint64_t off[NSEC], size[NSEC];
	/** search index layout: numbers and offset of each level, size */
	uint64_t lvcnt[DDG_LIST_MAXLVL], lvoff[DDG_LIST_MAXLVL], idxsize;
	/** number of search index levels */
	int nlvl;
	/** the search index section */
	const uint8_t *idx;
	/** whether the search index (and the filter) are used in place */
	int in_place;
	/** the native copy of the search index, or NULL (in place) */
	uint64_t *heap;
};

/** the header: magic, version, sizes, flags, counts, reserved fields */
static int
check_header(struct vstate *v)
{
	const uint8_t *b = v->b;
	uint64_t fsize;
	uint32_t flags;

	if(v->len < DDG_LIST_HDR_SIZE)
		return fail(v, DDG_ERR_CORRUPT, v->len,
			"truncated header (%zu of %d bytes)", v->len,
			DDG_LIST_HDR_SIZE);
	if(memcmp(b, DDG_LIST_MAGIC, DDG_LIST_MAGIC_LEN) != 0)
		return fail(v, DDG_ERR_CORRUPT, DDG_LH_MAGIC,
			"bad magic (not a dyndns-guard list)");
	v->version = ddg_get32(b + DDG_LH_VERSION);
	if(v->version != DDG_LIST_VERSION)
		return fail(v, DDG_ERR_VERSION, DDG_LH_VERSION,
			"unsupported format version %u (this "
			"reads %d)", v->version, DDG_LIST_VERSION);
	if(ddg_get32(b + DDG_LH_HDRSIZE) != DDG_LIST_HDR_SIZE)
		return fail(v, DDG_ERR_CORRUPT, DDG_LH_HDRSIZE,
			"bad header size %u",
			ddg_get32(b + DDG_LH_HDRSIZE));
	flags = ddg_get32(b + DDG_LH_FLAGS);
	if(flags & ~DDG_LIST_F_KNOWN)
		return fail(v, DDG_ERR_CORRUPT, DDG_LH_FLAGS,
			"unknown flags 0x%x", flags);
	v->n = ddg_get32(b + DDG_LH_ENTRIES);
	v->ncat = ddg_get32(b + DDG_LH_CATEGORIES);
	if(v->ncat > 65535 || (v->n > 0 && v->ncat == 0))
		return fail(v, DDG_ERR_CORRUPT, DDG_LH_CATEGORIES,
			"bad category count %u", v->ncat);
	if(ddg_get32(b + DDG_LH_RESERVED1) != 0)
		return fail(v, DDG_ERR_CORRUPT, DDG_LH_RESERVED1,
			"reserved header field not zero");
	fsize = ddg_get64(b + DDG_LH_FILESIZE);
	if(fsize != v->len)
		return fail(v, DDG_ERR_CORRUPT, DDG_LH_FILESIZE,
			"declared file size %llu differs from "
			"the real size %zu (truncated or extended file)",
			(unsigned long long)fsize, v->len);
	return DDG_OK;
}

/** the section table: every section in bounds, in order, aligned, the
 * gaps zero, and the sizes the entry count implies */
static int
check_sections(struct vstate *v)
{
	static const char *secname[NSEC] = { "categories", "sources",
		"block table", "search index", "suffix filter", "blocks" };
	static const int secfield[NSEC] = { DDG_LH_CAT_OFF, DDG_LH_SRC_OFF,
		DDG_LH_BLK_OFF, DDG_LH_IDX_OFF, DDG_LH_FLT_OFF,
		DDG_LH_KEY_OFF };
	const uint8_t *b = v->b;
	uint64_t *off = v->off, *size = v->size, expect, z;
	size_t len = v->len;
	uint32_t n = v->n;
	int s;

	expect = DDG_LIST_HDR_SIZE;
	for(s = 0; s < NSEC; s++) {
		off[s] = ddg_get32(b + secfield[s]);
		size[s] = ddg_get32(b + secfield[s] + 4);
		if(off[s] % DDG_LIST_ALIGN)
			return fail(v, DDG_ERR_CORRUPT, (uint64_t)secfield[s],
				"%s section offset %llu "
				"misaligned", secname[s],
				(unsigned long long)off[s]);
		if(off[s] > len || size[s] > len - off[s])
			return fail(v, DDG_ERR_CORRUPT, (uint64_t)secfield[s],
				"%s section (offset %llu, size %llu) out of "
				"range of the file", secname[s],
				(unsigned long long)off[s],
				(unsigned long long)size[s]);
		if(off[s] != expect)
			return fail(v, DDG_ERR_CORRUPT, (uint64_t)secfield[s],
				"%s section offset %llu "
				"out of place (expected %llu)", secname[s],
				(unsigned long long)off[s],
				(unsigned long long)expect);
		if(s > 0) {
			z = zero_upto(b, off[s - 1] + size[s - 1], off[s]);
			if(z != off[s])
				return fail(v, DDG_ERR_CORRUPT, z, "nonzero "
					"padding before the %s section",
					secname[s]);
		}
		expect = align_sec(off[s] + size[s]);
	}
	if(off[S_KEY] + size[S_KEY] != len)
		return fail(v, DDG_ERR_CORRUPT, off[S_KEY] + size[S_KEY],
			"trailing bytes after the blocks section");
	v->nb = ddg_list_blocks(n);
	if(size[S_BLK] != (uint64_t)v->nb * DDG_LIST_BLKREC_SIZE)
		return fail(v, DDG_ERR_CORRUPT, DDG_LH_BLK_SIZE, "block table "
			"size %llu does not match %u entries (%u blocks)",
			(unsigned long long)size[S_BLK], n, v->nb);
	v->nlvl = ddg_list_index_layout(v->nb, v->lvcnt, v->lvoff,
		&v->idxsize);
	if(size[S_IDX] != v->idxsize)
		return fail(v, DDG_ERR_CORRUPT, DDG_LH_IDX_SIZE, "search index "
			"size %llu does not match %u entries (expected %llu)",
			(unsigned long long)size[S_IDX], n,
			(unsigned long long)v->idxsize);
	if(size[S_FLT] != ddg_sfilter_size(DDG_LIST_FILTER_MEMBERS(n)))
		return fail(v, DDG_ERR_CORRUPT, DDG_LH_FLT_SIZE, "suffix "
			"filter size %llu does not match %u entries (expected "
			"%zu)",
			(unsigned long long)size[S_FLT], n,
			ddg_sfilter_size(DDG_LIST_FILTER_MEMBERS(n)));
	v->idx = b + off[S_IDX];
	/* in place: the numbers are 64-bit aligned (section offsets are
	 * multiples of 64) when the bytes are */
	v->in_place = DDG_INDEX_IN_PLACE && ((uintptr_t)b & 7) == 0;
	return DDG_OK;
}

/** the categories: ncat names by the category-name rule, sorted, unique,
 * filling l->cat */
static int
check_categories(struct vstate *v)
{
	struct ddg_list *l = v->l;
	const uint8_t *b = v->b, *p = b + v->off[S_CAT];
	const uint8_t *end = p + v->size[S_CAT], *prev = NULL;
	uint32_t i;

	if(v->ncat > 0) {
		l->cat = calloc(v->ncat, sizeof(*l->cat));
		if(!l->cat)
			return fail(v, DDG_ERR_NOMEM, 0,
				"out of memory");
	}
	for(i = 0; i < v->ncat; i++) {
		const uint8_t *c = p;
		/* the name's bytes, and one more (the NUL, or the byte that
		 * breaks the rule) */
		size_t lim = (size_t)(end - p) < DDG_LIST_MAXCAT + 1 ?
			(size_t)(end - p) : DDG_LIST_MAXCAT + 1;
		p += ddg_name_category_span((const char *)p, lim);
		if(p >= end)
			return fail(v, DDG_ERR_CORRUPT, (uint64_t)(p - b),
				"category %u not "
				"NUL-terminated inside the categories section",
				i);
		if(*p != 0 || !ddg_name_category_ok((const char *)c,
			(size_t)(p - c)))
			return fail(v, DDG_ERR_CORRUPT, (uint64_t)(p - b),
				"category %u has a bad name "
				"(1..%d bytes of [A-Za-z0-9._-])", i,
				DDG_LIST_MAXCAT);
		if(prev && strcmp((const char *)prev, (const char *)c) >= 0)
			return fail(v, DDG_ERR_CORRUPT, (uint64_t)(c - b),
				"category %u out of order or duplicate", i);
		l->cat[i] = (const char *)c;
		prev = c;
		p++;
	}
	if(p != end)
		return fail(v, DDG_ERR_CORRUPT, (uint64_t)(p - b),
			"trailing bytes in the categories "
			"section");
	return DDG_OK;
}

/** the sources: text ending in its only NUL, no control bytes but '\n'
 * and '\t' */
static int
check_sources(struct vstate *v)
{
	const uint8_t *src = v->b + v->off[S_SRC];
	uint64_t size = v->size[S_SRC], sk;

	if(size == 0 || src[size - 1] != 0)
		return fail(v, DDG_ERR_CORRUPT,
			v->off[S_SRC] + (size ? size - 1 : 0),
			"sources section not NUL-terminated");
	for(sk = 0; sk + 1 < size; sk++) {
		if(src[sk] < 0x20 && src[sk] != '\n' && src[sk] != '\t')
			return fail(v, DDG_ERR_CORRUPT, v->off[S_SRC] + sk,
				"control byte 0x%02x in the sources section",
				src[sk]);
	}
	return DDG_OK;
}

/**
 * The block table and the blocks: every entry decoded once, its fields
 * bounded and in their shortest form, its key checked, the order checked,
 * each block's search index numbers compared with its first key, and the
 * suffix filter rebuilt from the keys (check_blocks()).  A large list is
 * checked in two halves, the second on a thread of its own with a filter
 * of its own (marks are a set: the union is the same filter); the halves
 * are then checked where they meet, and the first defect in file order
 * is reported.
 */
static int
check_entries(struct vstate *v, int late)
{
	struct ddg_list *l = v->l;
	const uint8_t *blk = v->b + v->off[S_BLK];
	struct vrange r[2];
	struct ddg_sfilter f2;
	pthread_t th;
	int nr = 1, k, threaded = 0;

	if(!v->in_place && v->idxsize > 0) {
		v->heap = index_mem((size_t)v->idxsize);
		if(!v->heap)
			return fail(v, DDG_ERR_NOMEM, 0, "out of memory");
		l->idxheap = v->heap;
	}
	if(v->nb > 0) {
		l->sec = index_mem((size_t)v->nb * 8);
		if(!l->sec)
			return fail(v, DDG_ERR_NOMEM, 0, "out of memory");
	}
	/* rebuilt here from the entries, then compared with the file's:
	 * sized for the entries and a quarter more for their ancestors
	 * (more distinct ancestors only raise the false positive rate) */
	if(!late && ddg_sfilter_init(&l->filt, DDG_LIST_FILTER_MEMBERS(v->n))
		!= DDG_OK)
		return fail(v, DDG_ERR_NOMEM, 0, "out of memory");
	memset(&f2, 0, sizeof(f2));
	for(k = 0; k < 2; k++) {
		memset(&r[k], 0, offsetof(struct vrange, r));
		r[k].keys = v->b + v->off[S_KEY];
		r[k].blk = blk;
		r[k].idx = v->idx;
		r[k].off_key = v->off[S_KEY];
		r[k].size_key = v->size[S_KEY];
		r[k].off_blk = v->off[S_BLK];
		r[k].off_idx = v->off[S_IDX];
		r[k].lvoff1 = v->nlvl > 1 ? v->lvoff[1] : 0;
		r[k].nlvl = v->nlvl;
		r[k].heap = v->heap;
		r[k].sec = l->sec;
		r[k].ncat = v->ncat;
		r[k].n = v->n;
		r[k].filt = late ? NULL : &l->filt;
		r[k].name = v->name;
		r[k].err[0] = 0;
		r[k].errlen = sizeof(r[k].err);
		r[k].maxlabels = 0;
	}
	r[0].first = 0;
	r[0].last = v->n;
	r[0].pos = 0;
	/* a large list: the second half of the blocks on a thread of its
	 * own, with a filter of its own (merged afterwards: marks are a
	 * set, their order does not matter) */
	if(v->len >= SHA_THREAD_MIN && v->nb >= 2) {
		uint32_t half = v->nb / 2;
		uint64_t p2 = ddg_get32(blk + (size_t)half *
			DDG_LIST_BLKREC_SIZE);
		if(p2 <= v->size[S_KEY] && (late || ddg_sfilter_init(&f2,
			DDG_LIST_FILTER_MEMBERS(v->n)) == DDG_OK)) {
			sigset_t all, old;
			r[0].last = half * DDG_LIST_BLOCK;
			r[1].first = half * DDG_LIST_BLOCK;
			r[1].last = v->n;
			r[1].pos = p2;
			r[1].filt = late ? NULL : &f2;
			nr = 2;
			sigfillset(&all);
			if(pthread_sigmask(SIG_SETMASK, &all, &old) == 0) {
				threaded = pthread_create(&th, NULL,
					range_thread, &r[1]) == 0;
				(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
			}
		}
	}
	r[0].r = check_blocks(&r[0]);
	if(nr == 2) {
		if(threaded)
			(void)pthread_join(th, NULL);
		else
			r[1].r = check_blocks(&r[1]);
	}
	/* the first failure in file order */
	if(r[0].r == DDG_OK && nr == 2 && r[1].r == DDG_OK) {
		/* where the halves meet: contiguous and in order */
		size_t c2 = cpl(r[0].lastkey, r[0].lastlen, r[1].firstkey,
			r[1].firstlen);
		uint32_t j = r[1].first / DDG_LIST_BLOCK;
		if(r[0].end != r[1].pos) {
			r[1].r = fail(&r[1], DDG_ERR_CORRUPT, v->off[S_BLK] +
				(uint64_t)j * DDG_LIST_BLKREC_SIZE, "block %u "
				"offset %llu is not where block %u ends (%llu)",
				j, (unsigned long long)r[1].pos, j - 1,
				(unsigned long long)r[0].end);
		} else if(c2 == r[1].firstlen || (c2 < r[0].lastlen &&
			r[0].lastkey[c2] > r[1].firstkey[c2])) {
			r[1].r = fail(&r[1], DDG_ERR_CORRUPT, v->off[S_KEY] +
				r[1].pos, "entry %u out of order (not greater "
				"than entry %u)", r[1].first, r[1].first - 1);
		}
	}
	for(k = 0; k < nr; k++) {
		if(r[k].r != DDG_OK) {
			if(v->err && v->errlen)
				snprintf(v->err, v->errlen, "%s", r[k].err);
			ddg_sfilter_free(&f2);
			return DDG_ERR_CORRUPT;
		}
	}
	l->maxlabels = r[0].maxlabels;
	if(nr == 2 && r[1].maxlabels > l->maxlabels)
		l->maxlabels = r[1].maxlabels;
	if(nr == 2 && !late) {
		size_t w, nw = ddg_sfilter_bytes(&f2) / 8;
		for(w = 0; w < nw; w++)
			l->filt.bits[w] |= f2.bits[w];
		ddg_sfilter_free(&f2);
	}
	return DDG_OK;
}

/** the suffix filter: exactly the one the entries gave */
static int
check_filter(struct vstate *v)
{
	const uint8_t *a = (const uint8_t *)v->l->filt.bits;
	const uint8_t *f = v->b + v->off[S_FLT];
	uint64_t at = 0;

	if(v->size[S_FLT] == 0 || memcmp(a, f, (size_t)v->size[S_FLT]) == 0)
		return DDG_OK;
	while(a[at] == f[at])
		at++;
	return fail(v, DDG_ERR_CORRUPT, v->off[S_FLT] + at,
		"suffix filter byte %llu differs from the "
		"filter its entries give", (unsigned long long)at);
}

/** the rest of the search index: level 0 padding, the upper levels (level
 * 1 numbers were compared with the blocks) and their padding; the native
 * copy, if any, completed */
static int
check_index(struct vstate *v)
{
	const uint8_t *idx = v->idx;
	uint64_t *heap = v->heap;
	int k;

	for(k = 0; k < v->nlvl; k++) {
		uint64_t j, end = k + 1 < v->nlvl ? v->lvoff[k + 1] :
			v->idxsize;
		uint64_t nk = (end - v->lvoff[k]) / 8;
		for(j = k > 1 ? 0 : v->lvcnt[k]; j < nk; j++) {
			uint64_t o = v->lvoff[k] + j * 8, want64, got;
			got = idx_get(idx + o);
			if(j >= v->lvcnt[k])
				want64 = DDG_LIST_IDX_PAD;
			else
				want64 = idx_get(idx + v->lvoff[k - 1] +
					j * 8 * DDG_LIST_FANOUT);
			if(got != want64)
				return fail(v, DDG_ERR_CORRUPT,
					v->off[S_IDX] + o,
					j >= v->lvcnt[k] ? "search index level "
					"%d padding number %llu is not "
					"0xffffffffffffffff" : "search index "
					"level %d number %llu differs from the "
					"number it summarises", k,
					(unsigned long long)j);
			if(heap)
				heap[o / 8] = got;
		}
		if(heap && k == 1) {
			for(j = 0; j < v->lvcnt[1]; j++)
				heap[v->lvoff[1] / 8 + j] = heap[j * 8];
		}
	}
	return DDG_OK;
}

/** the checksum, last: the structural checks name the defect */
static int
check_checksum(struct vstate *v, struct sha_job *sha, uint8_t *md)
{
	if(sha_finish(sha, md) != DDG_OK)
		return fail(v, DDG_ERR_NOMEM, 0,
			"cannot compute SHA-256");
	if(memcmp(md, v->b + DDG_LH_SHA256, 32) != 0)
		return fail(v, DDG_ERR_CORRUPT, DDG_LH_SHA256,
			"checksum mismatch (SHA-256 of the body "
			"differs from the header)");
	return DDG_OK;
}

/** fill the list from the validated bytes */
static void
fill(struct vstate *v, const uint8_t *md, int late)
{
	struct ddg_list *l = v->l;
	const uint8_t *b = v->b;
	uint32_t i;
	int k;

	l->flt_off = v->off[S_FLT];
	l->flt_size = v->size[S_FLT];
	l->flt_in_place = v->in_place;
	if(!late && v->in_place && v->size[S_FLT]) {
		/* use the file's bytes, validated; the rebuilt copy goes */
		ddg_sfilter_free(&l->filt);
		ddg_sfilter_init_at(&l->filt, DDG_LIST_FILTER_MEMBERS(v->n),
			(void *)(uintptr_t)(b + v->off[S_FLT]));
	}
	for(k = 0; k < v->nlvl; k++) {
		l->lvl[k] = v->heap ? v->heap + v->lvoff[k] / 8 :
			(const uint64_t *)(const void *)(v->idx + v->lvoff[k]);
		l->lvln[k] = (size_t)v->lvcnt[k];
	}
	l->nlvl = v->nlvl;
	l->base = b;
	l->len = v->len;
	l->blk = b + v->off[S_BLK];
	l->stream = b + v->off[S_KEY];
	l->n = v->n;
	l->nb = v->nb;
	l->ncat = v->ncat;
	memset(&l->info, 0, sizeof(l->info));
	l->info.version = v->version;
	l->info.entries = v->n;
	l->info.categories = v->ncat;
	l->info.created = ddg_get64(b + DDG_LH_CREATED);
	l->info.file_size = v->len;
	memcpy(l->info.sha256, b + DDG_LH_SHA256, 32);
	for(i = 0; i < 32; i++) {
		static const char hx[] = "0123456789abcdef";
		l->info.sha256_hex[2 * i] = hx[md[i] >> 4];
		l->info.sha256_hex[2 * i + 1] = hx[md[i] & 15];
	}
	l->info.sha256_hex[64] = 0;
	l->info.sources = (const char *)(b + v->off[S_SRC]);
	/* the list is not shared yet: whoever gets it is handed it by a
	 * publication that orders this store */
	atomic_store_explicit(&l->filt_ready, !late, memory_order_relaxed);
}

int
ddg_list_validate(struct ddg_list *l, const uint8_t *b, size_t len,
	unsigned flags, const char *name, char *err, size_t errlen)
{
	struct vstate v;
	struct sha_job sha;
	uint8_t md[32];
	int r, late = (flags & DDG_LIST_LATE_FILTER) != 0;

	memset(&v, 0, sizeof(v));
	v.l = l;
	v.b = b;
	v.len = len;
	v.name = name;
	v.err = err;
	v.errlen = errlen;
	if((r = check_header(&v)) != DDG_OK ||
		(r = check_sections(&v)) != DDG_OK)
		return r;
	/* the checksum, in parallel with the structural checks (its result
	 * is looked at last) */
	sha_start(&sha, b, len);
	l->cat = NULL;
	l->idxheap = NULL;
	l->sec = NULL;
	l->nlvl = 0;
	if((r = check_categories(&v)) != DDG_OK ||
		(r = check_sources(&v)) != DDG_OK ||
		(r = check_entries(&v, late)) != DDG_OK ||
		(!late && (r = check_filter(&v)) != DDG_OK) ||
		(r = check_index(&v)) != DDG_OK ||
		(r = check_checksum(&v, &sha, md)) != DDG_OK) {
		sha_join(&sha);
		ddg_list_release(l);
		return r;
	}
	fill(&v, md, late);
	return DDG_OK;
}

/**
 * The filter its entries give, rebuilt from the validated blocks (the
 * marks check_blocks() makes, without its checks: the bytes passed them).
 */
static void
filter_from_entries(const struct ddg_list *l, struct ddg_sfilter *f)
{
	struct ddg_sfilter_key_state fst;
	uint8_t kb[2][DDG_NAME_MAXKEY + 8];
	const uint8_t *keys = l->stream;
	size_t pos = 0, pl = 0;
	uint32_t i;
	int cur = 0;

	memset(kb, 0, sizeof(kb));
	ddg_sfilter_key_state_init(&fst);
	for(i = 0; i < l->n; i++) {
		uint8_t *kk = kb[cur], *pk = kb[cur ^ 1];
		size_t sh = keys[pos], sl = keys[pos + 1], kl, c;
		pos += 2;
		if(sl & 0x80)
			sl = ((sl & 0x7f) << 8) | keys[pos++];
		if(keys[pos++] & 0x80)
			pos++;	/* the category's second byte */
		kl = sh + sl;
		if(sh)
			memcpy(kk, pk, sh);
		memcpy(kk + sh, keys + pos, sl);
		memset(kk + kl, 0, 8);
		/* sh is the common prefix (at most 255) within a block */
		c = i == 0 ? 0 : (i % DDG_LIST_BLOCK == 0 || sh == 255) ?
			cpl(pk, pl, kk, kl) : sh;
		ddg_sfilter_add_key(f, &fst, kk, kl, kl + 8, c);
		pos += sl;
		pl = kl;
		cur ^= 1;
	}
	ddg_sfilter_key_flush(f, &fst);
}

int
ddg_list_check_filter(struct ddg_list *l, const char *name, char *err,
	size_t errlen)
{
	struct ddg_sfilter f;
	const uint8_t *fb;
	int r = DDG_OK;

	if(atomic_load_explicit(&l->filt_ready, memory_order_acquire))
		return DDG_OK;
	if(ddg_sfilter_init(&f, DDG_LIST_FILTER_MEMBERS(l->n)) != DDG_OK)
		return ddg_fail(err, errlen, DDG_ERR_NOMEM, name, DDG_FAIL_NOOFF,
			"out of memory for the suffix filter");
	filter_from_entries(l, &f);
	fb = l->base + l->flt_off;
	if(l->flt_size != ddg_sfilter_bytes(&f) || (l->flt_size > 0 &&
		memcmp(f.bits, fb, (size_t)l->flt_size) != 0)) {
		uint64_t at = 0;
		const uint8_t *a = (const uint8_t *)f.bits;
		while(at < l->flt_size && a[at] == fb[at])
			at++;
		/* the rebuilt filter serves: it is the right one */
		r = ddg_fail(err, errlen, DDG_ERR_CORRUPT, name,
			l->flt_off + at, "suffix filter byte %llu differs "
			"from the filter its entries give",
			(unsigned long long)at);
	} else if(l->flt_in_place) {
		ddg_sfilter_free(&f);
		ddg_sfilter_init_at(&f, DDG_LIST_FILTER_MEMBERS(l->n),
			(void *)(uintptr_t)fb);
	}
	l->filt = f;
	atomic_store_explicit(&l->filt_ready, 1, memory_order_release);
	return r;
}

void
ddg_list_release(struct ddg_list *l)
{
	free(l->cat);
	l->cat = NULL;
	free(l->idxheap);
	l->idxheap = NULL;
	free(l->sec);
	l->sec = NULL;
	l->nlvl = 0;
	ddg_sfilter_free(&l->filt);
}
