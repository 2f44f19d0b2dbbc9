/**
 * \file list.c
 * The .dgl reader: read the file once into private memory, validate all of
 * those bytes once, then match in them without further checks.  Layout in
 * list_format.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <pthread.h>
#include <signal.h>

#include <openssl/evp.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/sfilter.h"
#include "dyndns-guard/list_format.h"
#include "dyndns-guard/name.h"
#include "bytes.h"
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
	/** header information */
	struct ddg_list_info info;
	/** the suffix filter over the entries, built at open from the
	 * validated keys: the "no" of most lookups, without the index */
	struct ddg_sfilter filt;
};

/** format an error "<name>: <reason> at byte offset N" */
static int
fail(char *err, size_t errlen, int code, const char *name, uint64_t off,
	const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int
fail(char *err, size_t errlen, int code, const char *name, uint64_t off,
	const char *fmt, ...)
{
	va_list ap;
	int n;

	if(!err || errlen == 0)
		return code;
	n = snprintf(err, errlen, "%s: ", name);
	if(n < 0 || (size_t)n >= errlen)
		return code;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	n = (int)strlen(err);
	snprintf(err + n, errlen - (size_t)n, " at byte offset %llu",
		(unsigned long long)off);
	return code;
}

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

/** whether a byte may appear in a category name */
static int
catchar(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
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
 */
static const char *
key_check(const uint8_t *k, size_t len, size_t avail, size_t *bad)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	size_t i = 0, lstart = 0, wire = 1;

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
				return key_check_slow(k, len, bad);
			carry = z >> 63;
			i += nb;
		}
		return NULL;
	}
	while(i < len) {
		uint64_t x, hi, z, lt2;
		size_t nb = key_word(k, i, len, avail, &x, &hi);
		z = ddg_bytes_zero(x) & hi;
		lt2 = ddg_bytes_zero(x & 0xfefefefefefefefeULL) & hi;
		if((lt2 & ~z) | (ddg_bytes_upper(x) & hi))
			return key_check_slow(k, len, bad);
		while(z) {
			size_t p = i + (size_t)(__builtin_ctzll(z) >> 3);
			size_t llen = p - lstart;
			if(llen == 0 || llen > DDG_NAME_MAXLABEL)
				return key_check_slow(k, len, bad);
			wire += llen + 1;
			if(wire > DDG_NAME_MAXWIRE)
				return key_check_slow(k, len, bad);
			lstart = p + 1;
			z &= z - 1;
		}
		i += nb;
	}
	if(len == 0 || lstart != len)
		return key_check_slow(k, len, bad);
	return NULL;
#else
	(void)avail;
	return key_check_slow(k, len, bad);
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

/** the first 8 bytes of a key as a big-endian number, zero-padded; avail
 * is how many bytes may be read at k (at least len) */
static inline uint64_t
prefix64_avail(const uint8_t *k, size_t len, size_t avail)
{
	uint64_t p;

	if(len >= 8 || avail < 8) {
		size_t i;
		if(len >= 8) {
			memcpy(&p, k, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			p = __builtin_bswap64(p);
#endif
			return p;
		}
		p = 0;
		for(i = 0; i < 8; i++)
			p = (p << 8) | (i < len ? k[i] : 0);
		return p;
	}
	memcpy(&p, k, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	p = __builtin_bswap64(p);
#endif
	return len == 0 ? 0 : p & (~(uint64_t)0 << (8 * (8 - len)));
}

/** the first 8 bytes of a key as a big-endian number, zero-padded */
static inline uint64_t
prefix64(const uint8_t *k, size_t len)
{
	uint64_t p = 0;
	size_t i;

	if(len >= 8) {
		memcpy(&p, k, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		p = __builtin_bswap64(p);
#endif
		return p;
	}
	for(i = 0; i < 8; i++)
		p = (p << 8) | (i < len ? k[i] : 0);
	return p;
}

/** whether a (alen) is a proper prefix of b (blen) */
static inline int
is_proper_prefix(const uint8_t *a, size_t alen, const uint8_t *b,
	size_t blen)
{
	return alen < blen && memcmp(a, b, alen) == 0;
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

/** free the index copy */
static void
index_free(struct ddg_list *l)
{
	free(l->idxheap);
	l->idxheap = NULL;
	l->nlvl = 0;
}

/** one range of entries to validate (check_blocks): inputs, then what it
 * found */
struct vrange {
	const uint8_t *keys, *blk, *idx;	/**< blocks, block table, index */
	uint64_t off_key, size_key, off_blk, off_idx;	/**< their places */
	uint64_t lvoff1;	/**< offset of index level 1 */
	int nlvl;		/**< index levels */
	uint64_t *heap;		/**< native index copy to fill, or NULL */
	uint32_t ncat;		/**< categories */
	uint32_t n;		/**< entries of the list */
	uint32_t first, last;	/**< entries [first, last); first % 16 == 0 */
	uint64_t pos;		/**< blocks-section offset of entry first */
	struct ddg_sfilter *filt;	/**< marks go here */
	const char *name;	/**< for the messages */
	int r;			/**< result */
	char err[DDG_ERR_LEN];	/**< message of a failure */
	uint64_t end;		/**< offset after the last entry */
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
		/* two key buffers, with room for 8-byte reads past a key */
		uint8_t kb[2][DDG_NAME_MAXKEY + 8];
		size_t pl = 0, pos = (size_t)v->pos;
		int cur = 0;
		memset(kb, 0, sizeof(kb));
		ddg_sfilter_key_state_init(&fst);
		for(i = v->first; i < v->last; i++) {
			uint8_t *kk = kb[cur], *pk = kb[cur ^ 1];
			uint64_t eoff = v->off_key + pos;
			size_t sh, sl, kl, c, need, bad = 0;
			uint32_t cat;
			const char *why;
			if(i % DDG_LIST_BLOCK == 0) {
				uint32_t j = i / DDG_LIST_BLOCK;
				uint32_t bo = ddg_get32(blk + (size_t)j *
					DDG_LIST_BLKREC_SIZE);
				if(bo != pos && j == 0) {
					fail(v->err, sizeof(v->err), DDG_ERR_CORRUPT,
						v->name, v->off_blk, "block 0 "
						"offset %u is not 0", bo);
					return DDG_ERR_CORRUPT;
				}
				if(bo != pos) {
					fail(v->err, sizeof(v->err), DDG_ERR_CORRUPT,
						v->name, v->off_blk + (uint64_t)j *
						DDG_LIST_BLKREC_SIZE, "block %u "
						"offset %u is not where block %u "
						"ends (%llu)", j, bo, j - 1,
						(unsigned long long)pos);
					return DDG_ERR_CORRUPT;
				}
			}
			/* shared, suffix length and category, bounded */
			if(pos + 3 > v->size_key) {
				fail(v->err, sizeof(v->err), DDG_ERR_CORRUPT, v->name, eoff,
					"entry %u truncated (the blocks section "
					"ends)", i);
				return DDG_ERR_CORRUPT;
			}
			sh = keys[pos];
			sl = keys[pos + 1];
			need = pos + 2;
			if(sl & 0x80) {
				sl = ((sl & 0x7f) << 8) | keys[need++];
				if(sl < 128) {
					fail(v->err, sizeof(v->err), DDG_ERR_CORRUPT,
						v->name, eoff + 1, "entry %u "
						"suffix length not in its "
						"shortest form", i);
					return DDG_ERR_CORRUPT;
				}
			}
			if(need >= v->size_key) {
				fail(v->err, sizeof(v->err), DDG_ERR_CORRUPT, v->name, eoff,
					"entry %u truncated (the blocks section "
					"ends)", i);
				return DDG_ERR_CORRUPT;
			}
			cat = keys[need++];
			if(cat & 0x80) {
				if(need >= v->size_key) {
					fail(v->err, sizeof(v->err), DDG_ERR_CORRUPT,
						v->name, eoff, "entry %u "
						"truncated (the blocks section "
						"ends)", i);
					return DDG_ERR_CORRUPT;
				}
				cat = ((cat & 0x7f) << 8) | keys[need++];
				if(cat < 128) {
					fail(v->err, sizeof(v->err), DDG_ERR_CORRUPT,
						v->name, v->off_key + need - 2,
						"entry %u category index not "
						"in its shortest form", i);
					return DDG_ERR_CORRUPT;
				}
			}
			if(cat >= v->ncat) {
				fail(v->err, sizeof(v->err), DDG_ERR_CORRUPT, v->name,
					v->off_key + need - 1, "entry %u "
					"category index %u out of range (%u "
					"categories)", i, cat, v->ncat);
				return DDG_ERR_CORRUPT;
			}
			if(i % DDG_LIST_BLOCK == 0 ? sh != 0 : sh > pl) {
				fail(v->err, sizeof(v->err), DDG_ERR_CORRUPT, v->name, eoff,
					"entry %u shares %zu bytes with %s", i,
					sh, i % DDG_LIST_BLOCK == 0 ? "nothing "
					"(the first entry of a block)" :
					"a shorter previous key");
				return DDG_ERR_CORRUPT;
			}
			kl = sh + sl;
			if(sl == 0 || kl > DDG_NAME_MAXKEY) {
				fail(v->err, sizeof(v->err), DDG_ERR_CORRUPT, v->name,
					eoff + 1, "entry %u key length %zu "
					"(shared %zu + suffix %zu) out of range",
					i, kl, sh, sl);
				return DDG_ERR_CORRUPT;
			}
			if(sl > v->size_key - need) {
				fail(v->err, sizeof(v->err), DDG_ERR_CORRUPT, v->name, eoff,
					"entry %u key (%zu bytes) out of range "
					"of the blocks section", i, sl);
				return DDG_ERR_CORRUPT;
			}
			if(sh)
				memcpy(kk, pk, sh);
			memcpy(kk + sh, keys + need, sl);
			memset(kk + kl, 0, 8);
			why = key_check(kk, kl, kl + 8, &bad);
			if(why) {
				fail(v->err, sizeof(v->err), DDG_ERR_CORRUPT, v->name,
					v->off_key + need + (bad >= sh ? bad -
					sh : 0), "entry %u invalid key: %s", i,
					why);
				return DDG_ERR_CORRUPT;
			}
			c = i > v->first ? cpl(pk, pl, kk, kl) : 0;
			if(i > v->first && (c == kl || (c < pl && pk[c] > kk[c]))) {
				fail(v->err, sizeof(v->err), DDG_ERR_CORRUPT, v->name, eoff,
					"entry %u out of order (not greater than "
					"entry %u)", i, i - 1);
				return DDG_ERR_CORRUPT;
			}
			if(i % DDG_LIST_BLOCK != 0 && sh != (c < 255 ? c :
				255)) {
				fail(v->err, sizeof(v->err), DDG_ERR_CORRUPT, v->name, eoff,
					"entry %u shared prefix %zu is not the "
					"common prefix %zu (at most 255)", i, sh,
					c);
				return DDG_ERR_CORRUPT;
			}
			if(i % DDG_LIST_BLOCK == 0) {
				/* the block's search index number, and the
				 * level 1 number that summarises it */
				uint32_t j = i / DDG_LIST_BLOCK;
				uint64_t p0 = prefix64(kk, kl);
				uint64_t fp0 = idx_get(idx + (size_t)j * 8);
				if(fp0 != p0) {
					fail(v->err, sizeof(v->err), DDG_ERR_CORRUPT,
						v->name, v->off_idx + (uint64_t)j *
						8, "block %u search index "
						"number 0x%016llx differs from "
						"its first key (0x%016llx)", j,
						(unsigned long long)fp0,
						(unsigned long long)p0);
					return DDG_ERR_CORRUPT;
				}
				if(v->heap)
					v->heap[j] = p0;
				if((j & 7) == 0 && v->nlvl > 1) {
					uint64_t o1 = v->lvoff1 +
						(uint64_t)(j >> 3) * 8;
					fp0 = idx_get(idx + o1);
					if(fp0 != p0) {
						fail(v->err, sizeof(v->err),
							DDG_ERR_CORRUPT, v->name,
							v->off_idx + o1,
							"search index level 1 "
							"number %u differs from "
							"block %u", j >> 3, j);
						return DDG_ERR_CORRUPT;
					}
				}
			}
			if(i == v->first) {
				memcpy(v->firstkey, kk, kl);
				v->firstlen = kl;
			}
			ddg_sfilter_add_key(v->filt, &fst, kk, kl, kl + 8, c);
			pos = need + sl;
			pl = kl;
			cur ^= 1;
		}
		ddg_sfilter_key_flush(v->filt, &fst);
		v->end = pos;
		/* the first and the last key, for the order across ranges */
		if(v->last > v->first)
			memcpy(v->lastkey, kb[cur ^ 1], pl);
		v->lastlen = pl;
		if(v->last < v->n)
			return DDG_OK;
		if(pos != v->size_key) {
			fail(v->err, sizeof(v->err), DDG_ERR_CORRUPT, v->name, v->off_key +
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

/** validate everything; on success fill the struct (cat and, if the
 * search index cannot be used in place, idxheap are allocated) */
static int
validate(struct ddg_list *l, const uint8_t *b, size_t len, const char *name,
	char *err, size_t errlen)
{
	/* sections in file order; the keys section is last */
	enum { S_CAT, S_SRC, S_BLK, S_IDX, S_FLT, S_KEY, NSEC };
	uint64_t fsize, off[NSEC], size[NSEC], expect, z;
	static const char *secname[NSEC] = { "categories", "sources",
		"block table", "search index", "suffix filter", "blocks" };
	static const int secfield[NSEC] = { DDG_LH_CAT_OFF, DDG_LH_SRC_OFF,
		DDG_LH_BLK_OFF, DDG_LH_IDX_OFF, DDG_LH_FLT_OFF, DDG_LH_KEY_OFF };
	uint64_t lvcnt[DDG_LIST_MAXLVL], lvoff[DDG_LIST_MAXLVL], idxsize;
	uint32_t version, flags, n, nb, ncat, i;
	const uint8_t *blk, *keys, *p, *idx;
	uint64_t *heap = NULL;
	struct sha_job sha;
	int in_place, nlvl, k;
	uint8_t md[32];
	int s;

	if(len < DDG_LIST_HDR_SIZE)
		return fail(err, errlen, DDG_ERR_CORRUPT, name, len,
			"truncated header (%zu of %d bytes)", len,
			DDG_LIST_HDR_SIZE);
	if(memcmp(b, DDG_LIST_MAGIC, DDG_LIST_MAGIC_LEN) != 0)
		return fail(err, errlen, DDG_ERR_CORRUPT, name, DDG_LH_MAGIC,
			"bad magic (not a dyndns-guard list)");
	version = ddg_get32(b + DDG_LH_VERSION);
	if(version != DDG_LIST_VERSION)
		return fail(err, errlen, DDG_ERR_VERSION, name, DDG_LH_VERSION,
			"unsupported format version %u (this reads %d)",
			version, DDG_LIST_VERSION);
	if(ddg_get32(b + DDG_LH_HDRSIZE) != DDG_LIST_HDR_SIZE)
		return fail(err, errlen, DDG_ERR_CORRUPT, name, DDG_LH_HDRSIZE,
			"bad header size %u", ddg_get32(b + DDG_LH_HDRSIZE));
	flags = ddg_get32(b + DDG_LH_FLAGS);
	if(flags & ~DDG_LIST_F_KNOWN)
		return fail(err, errlen, DDG_ERR_CORRUPT, name, DDG_LH_FLAGS,
			"unknown flags 0x%x", flags);
	n = ddg_get32(b + DDG_LH_ENTRIES);
	ncat = ddg_get32(b + DDG_LH_CATEGORIES);
	if(ncat > 65535 || (n > 0 && ncat == 0))
		return fail(err, errlen, DDG_ERR_CORRUPT, name,
			DDG_LH_CATEGORIES, "bad category count %u", ncat);
	if(ddg_get32(b + DDG_LH_RESERVED1) != 0)
		return fail(err, errlen, DDG_ERR_CORRUPT, name,
			DDG_LH_RESERVED1, "reserved header field not zero");
	fsize = ddg_get64(b + DDG_LH_FILESIZE);
	if(fsize != len)
		return fail(err, errlen, DDG_ERR_CORRUPT, name,
			DDG_LH_FILESIZE, "declared file size %llu differs from "
			"the real size %zu (truncated or extended file)",
			(unsigned long long)fsize, len);
	/* sections: in bounds, in order, aligned, gaps zero */
	expect = DDG_LIST_HDR_SIZE;
	for(s = 0; s < NSEC; s++) {
		off[s] = ddg_get32(b + secfield[s]);
		size[s] = ddg_get32(b + secfield[s] + 4);
		if(off[s] % DDG_LIST_ALIGN)
			return fail(err, errlen, DDG_ERR_CORRUPT, name,
				(uint64_t)secfield[s], "%s section offset %llu "
				"misaligned", secname[s],
				(unsigned long long)off[s]);
		if(off[s] > len || size[s] > len - off[s])
			return fail(err, errlen, DDG_ERR_CORRUPT, name,
				(uint64_t)secfield[s], "%s section (offset %llu, "
				"size %llu) out of range of the file",
				secname[s], (unsigned long long)off[s],
				(unsigned long long)size[s]);
		if(off[s] != expect)
			return fail(err, errlen, DDG_ERR_CORRUPT, name,
				(uint64_t)secfield[s], "%s section offset %llu "
				"out of place (expected %llu)", secname[s],
				(unsigned long long)off[s],
				(unsigned long long)expect);
		if(s > 0) {
			z = zero_upto(b, off[s - 1] + size[s - 1], off[s]);
			if(z != off[s])
				return fail(err, errlen, DDG_ERR_CORRUPT, name,
					z, "nonzero padding before the %s "
					"section", secname[s]);
		}
		expect = align_sec(off[s] + size[s]);
	}
	if(off[S_KEY] + size[S_KEY] != len)
		return fail(err, errlen, DDG_ERR_CORRUPT, name,
			off[S_KEY] + size[S_KEY],
			"trailing bytes after the blocks section");
	nb = ddg_list_blocks(n);
	if(size[S_BLK] != (uint64_t)nb * DDG_LIST_BLKREC_SIZE)
		return fail(err, errlen, DDG_ERR_CORRUPT, name, DDG_LH_BLK_SIZE,
			"block table size %llu does not match %u entries "
			"(%u blocks)", (unsigned long long)size[S_BLK], n, nb);
	nlvl = ddg_list_index_layout(nb, lvcnt, lvoff, &idxsize);
	if(size[S_IDX] != idxsize)
		return fail(err, errlen, DDG_ERR_CORRUPT, name, DDG_LH_IDX_SIZE,
			"search index size %llu does not match %u entries "
			"(expected %llu)", (unsigned long long)size[S_IDX], n,
			(unsigned long long)idxsize);
	if(size[S_FLT] != ddg_sfilter_size(DDG_LIST_FILTER_MEMBERS(n)))
		return fail(err, errlen, DDG_ERR_CORRUPT, name, DDG_LH_FLT_SIZE,
			"suffix filter size %llu does not match %u entries "
			"(expected %zu)", (unsigned long long)size[S_FLT], n,
			ddg_sfilter_size(DDG_LIST_FILTER_MEMBERS(n)));
	idx = b + off[S_IDX];
	/* in place: the numbers are 64-bit aligned (section offsets are
	 * multiples of 64) when the bytes are */
	in_place = DDG_INDEX_IN_PLACE && ((uintptr_t)b & 7) == 0;

	/* the checksum, in parallel with the structural checks below (its
	 * result is looked at last) */
	sha_start(&sha, b, len);
	/* categories */
	l->cat = NULL;
	l->idxheap = NULL;
	l->nlvl = 0;
	if(ncat > 0) {
		l->cat = calloc(ncat, sizeof(*l->cat));
		if(!l->cat) {
			fail(err, errlen, DDG_ERR_NOMEM, name, 0,
				"out of memory");
			goto fail_free;
		}
	}
	p = b + off[S_CAT];
	{
		const uint8_t *end = p + size[S_CAT], *prev = NULL;
		for(i = 0; i < ncat; i++) {
			const uint8_t *c = p;
			while(p < end && *p && catchar(*p) &&
				p - c <= DDG_LIST_MAXCAT)
				p++;
			if(p >= end) {
				fail(err, errlen, DDG_ERR_CORRUPT, name,
					(uint64_t)(p - b), "category %u not "
					"NUL-terminated inside the categories "
					"section", i);
				goto corrupt;
			}
			if(*p != 0 || p == c || p - c > DDG_LIST_MAXCAT) {
				fail(err, errlen, DDG_ERR_CORRUPT, name,
					(uint64_t)(p - b), "category %u has a "
					"bad name (1..%d bytes of "
					"[A-Za-z0-9._-])", i, DDG_LIST_MAXCAT);
				goto corrupt;
			}
			if(prev && strcmp((const char *)prev,
				(const char *)c) >= 0) {
				fail(err, errlen, DDG_ERR_CORRUPT, name,
					(uint64_t)(c - b), "category %u out of "
					"order or duplicate", i);
				goto corrupt;
			}
			l->cat[i] = (const char *)c;
			prev = c;
			p++;
		}
		if(p != end) {
			fail(err, errlen, DDG_ERR_CORRUPT, name,
				(uint64_t)(p - b), "trailing bytes in the "
				"categories section");
			goto corrupt;
		}
	}
	/* sources */
	{
		const uint8_t *src = b + off[S_SRC];
		uint64_t sk;
		if(size[S_SRC] == 0 || src[size[S_SRC] - 1] != 0) {
			fail(err, errlen, DDG_ERR_CORRUPT, name,
				off[S_SRC] + (size[S_SRC] ? size[S_SRC] - 1 : 0),
				"sources section not NUL-terminated");
			goto corrupt;
		}
		for(sk = 0; sk + 1 < size[S_SRC]; sk++) {
			if(src[sk] < 0x20 && src[sk] != '\n' &&
				src[sk] != '\t') {
				fail(err, errlen, DDG_ERR_CORRUPT, name,
					off[S_SRC] + sk, "control byte 0x%02x "
					"in the sources section", src[sk]);
				goto corrupt;
			}
		}
	}
	/* the blocks: every entry decoded once, its key checked, the order
	 * checked, and the suffix filter filled */
	blk = b + off[S_BLK];
	keys = b + off[S_KEY];
	if(!in_place && idxsize > 0) {
		heap = index_mem((size_t)idxsize);
		if(!heap) {
			fail(err, errlen, DDG_ERR_NOMEM, name, 0,
				"out of memory");
			goto fail_free;
		}
		l->idxheap = heap;
	}
	/* rebuilt here from the entries, then compared with the file's:
	 * sized for the entries and a quarter more for their ancestors
	 * (more distinct ancestors only raise the false positive rate) */
	if(ddg_sfilter_init(&l->filt, DDG_LIST_FILTER_MEMBERS(n)) != DDG_OK) {
		fail(err, errlen, DDG_ERR_NOMEM, name, 0, "out of memory");
		goto fail_free;
	}
	{
		struct vrange v[2];
		pthread_t th;
		int nr = 1, k2, threaded = 0;
		struct ddg_sfilter f2;
		memset(&f2, 0, sizeof(f2));
		for(k2 = 0; k2 < 2; k2++) {
			memset(&v[k2], 0, offsetof(struct vrange, r));
			v[k2].keys = keys;
			v[k2].blk = blk;
			v[k2].idx = idx;
			v[k2].off_key = off[S_KEY];
			v[k2].size_key = size[S_KEY];
			v[k2].off_blk = off[S_BLK];
			v[k2].off_idx = off[S_IDX];
			v[k2].lvoff1 = nlvl > 1 ? lvoff[1] : 0;
			v[k2].nlvl = nlvl;
			v[k2].heap = heap;
			v[k2].ncat = ncat;
			v[k2].n = n;
			v[k2].filt = &l->filt;
			v[k2].name = name;
			v[k2].err[0] = 0;
		}
		v[0].first = 0;
		v[0].last = n;
		v[0].pos = 0;
		/* a large list: the second half of the blocks on a thread of
		 * its own, with a filter of its own (merged afterwards: marks
		 * are a set, their order does not matter) */
		if(len >= SHA_THREAD_MIN && nb >= 2) {
			uint32_t half = nb / 2;
			uint64_t p2 = ddg_get32(blk + (size_t)half *
				DDG_LIST_BLKREC_SIZE);
			if(p2 <= size[S_KEY] && ddg_sfilter_init(&f2,
				DDG_LIST_FILTER_MEMBERS(n)) == DDG_OK) {
				sigset_t all, old;
				v[0].last = half * DDG_LIST_BLOCK;
				v[1].first = half * DDG_LIST_BLOCK;
				v[1].last = n;
				v[1].pos = p2;
				v[1].filt = &f2;
				nr = 2;
				sigfillset(&all);
				if(pthread_sigmask(SIG_SETMASK, &all, &old) == 0) {
					threaded = pthread_create(&th, NULL,
						range_thread, &v[1]) == 0;
					(void)pthread_sigmask(SIG_SETMASK, &old,
						NULL);
				}
			}
		}
		v[0].r = check_blocks(&v[0]);
		if(nr == 2) {
			if(threaded)
				(void)pthread_join(th, NULL);
			else
				v[1].r = check_blocks(&v[1]);
		}
		/* the first failure in file order */
		if(v[0].r == DDG_OK && nr == 2 && v[1].r == DDG_OK) {
			/* where the halves meet: contiguous and in order */
			size_t c2 = cpl(v[0].lastkey, v[0].lastlen,
				v[1].firstkey, v[1].firstlen);
			if(v[0].end != v[1].pos) {
				v[1].r = DDG_ERR_CORRUPT;
				fail(v[1].err, sizeof(v[1].err),
					DDG_ERR_CORRUPT, name, off[S_BLK] +
					(uint64_t)(v[1].first / DDG_LIST_BLOCK) *
					DDG_LIST_BLKREC_SIZE, "block %u offset "
					"%llu is not where block %u ends (%llu)",
					v[1].first / DDG_LIST_BLOCK,
					(unsigned long long)v[1].pos,
					v[1].first / DDG_LIST_BLOCK - 1,
					(unsigned long long)v[0].end);
			} else if(c2 == v[1].firstlen || (c2 < v[0].lastlen &&
				v[0].lastkey[c2] > v[1].firstkey[c2])) {
				v[1].r = DDG_ERR_CORRUPT;
				fail(v[1].err, sizeof(v[1].err),
					DDG_ERR_CORRUPT, name, off[S_KEY] +
					v[1].pos, "entry %u out of order (not "
					"greater than entry %u)", v[1].first,
					v[1].first - 1);
			}
		}
		for(k2 = 0; k2 < nr; k2++) {
			if(v[k2].r != DDG_OK) {
				if(err && errlen)
					snprintf(err, errlen, "%s", v[k2].err);
				ddg_sfilter_free(&f2);
				goto corrupt;
			}
		}
		if(nr == 2) {
			size_t w, nw = ddg_sfilter_bytes(&f2) / 8;
			for(w = 0; w < nw; w++)
				l->filt.bits[w] |= f2.bits[w];
			ddg_sfilter_free(&f2);
		}
	}
	/* the file's suffix filter: exactly the one its entries give */
	if(size[S_FLT] && memcmp(l->filt.bits, b + off[S_FLT],
		(size_t)size[S_FLT]) != 0) {
		const uint8_t *a = (const uint8_t *)l->filt.bits;
		uint64_t at = 0;
		while(a[at] == b[off[S_FLT] + at])
			at++;
		fail(err, errlen, DDG_ERR_CORRUPT, name, off[S_FLT] + at,
			"suffix filter byte %llu differs from the filter its "
			"entries give", (unsigned long long)at);
		goto corrupt;
	}
	/* the rest of the search index: level 0 padding, the upper levels
	 * (level 1 numbers were compared in the entry loop) and their
	 * padding */
	for(k = 0; k < nlvl; k++) {
		uint64_t j, end = k + 1 < nlvl ? lvoff[k + 1] : idxsize;
		uint64_t nk = (end - lvoff[k]) / 8;
		for(j = k > 1 ? 0 : lvcnt[k]; j < nk; j++) {
			uint64_t o = lvoff[k] + j * 8, want64, got;
			got = idx_get(idx + o);
			if(j >= lvcnt[k])
				want64 = DDG_LIST_IDX_PAD;
			else
				want64 = idx_get(idx + lvoff[k - 1] +
					j * 8 * DDG_LIST_FANOUT);
			if(got != want64) {
				fail(err, errlen, DDG_ERR_CORRUPT, name,
					off[S_IDX] + o, j >= lvcnt[k] ?
					"search index level %d padding number "
					"%llu is not 0xffffffffffffffff" :
					"search index level %d number %llu "
					"differs from the number it summarises",
					k, (unsigned long long)j);
				goto corrupt;
			}
			if(heap)
				heap[o / 8] = got;
		}
		if(heap && k == 1) {
			for(j = 0; j < lvcnt[1]; j++)
				heap[lvoff[1] / 8 + j] = heap[j * 8];
		}
	}
	/* checksum last: the structural checks name the defect */
	if(sha_finish(&sha, md) != DDG_OK) {
		fail(err, errlen, DDG_ERR_NOMEM, name, 0,
			"cannot compute SHA-256");
		goto fail_free;
	}
	if(memcmp(md, b + DDG_LH_SHA256, 32) != 0) {
		fail(err, errlen, DDG_ERR_CORRUPT, name, DDG_LH_SHA256,
			"checksum mismatch (SHA-256 of the body differs from "
			"the header)");
		goto corrupt;
	}

	if(in_place && size[S_FLT]) {
		/* use the file's bytes, validated; the rebuilt copy goes */
		ddg_sfilter_free(&l->filt);
		ddg_sfilter_init_at(&l->filt, DDG_LIST_FILTER_MEMBERS(n),
			(void *)(uintptr_t)(b + off[S_FLT]));
	}
	for(k = 0; k < nlvl; k++) {
		l->lvl[k] = heap ? heap + lvoff[k] / 8 :
			(const uint64_t *)(const void *)(idx + lvoff[k]);
		l->lvln[k] = (size_t)lvcnt[k];
	}
	l->nlvl = nlvl;
	l->base = b;
	l->len = len;
	l->blk = blk;
	l->stream = keys;
	l->n = n;
	l->nb = nb;
	l->ncat = ncat;
	memset(&l->info, 0, sizeof(l->info));
	l->info.version = version;
	l->info.entries = n;
	l->info.categories = ncat;
	l->info.created = ddg_get64(b + DDG_LH_CREATED);
	l->info.file_size = len;
	memcpy(l->info.sha256, b + DDG_LH_SHA256, 32);
	for(i = 0; i < 32; i++) {
		static const char hx[] = "0123456789abcdef";
		l->info.sha256_hex[2 * i] = hx[md[i] >> 4];
		l->info.sha256_hex[2 * i + 1] = hx[md[i] & 15];
	}
	l->info.sha256_hex[64] = 0;
	l->info.sources = (const char *)(b + off[S_SRC]);
	return DDG_OK;
corrupt:
	sha_join(&sha);
	free(l->cat);
	l->cat = NULL;
	index_free(l);
	ddg_sfilter_free(&l->filt);
	return DDG_ERR_CORRUPT;
fail_free:
	sha_join(&sha);
	free(l->cat);
	l->cat = NULL;
	index_free(l);
	ddg_sfilter_free(&l->filt);
	return DDG_ERR_NOMEM;
}

int
ddg_list_open_mem_name(const uint8_t *buf, size_t len, const char *name,
	struct ddg_list **out, char *err, size_t errlen)
{
	struct ddg_list *l;
	int r;

	if(err && errlen)
		err[0] = 0;
	if(!buf && len)
		return fail(err, errlen, DDG_ERR_INVAL, name, 0, "no buffer");
	l = calloc(1, sizeof(*l));
	if(!l)
		return fail(err, errlen, DDG_ERR_NOMEM, name, 0,
			"out of memory");
	r = validate(l, buf ? buf : (const uint8_t *)"", len, name, err,
		errlen);
	if(r != DDG_OK) {
		free(l);
		return r;
	}
	*out = l;
	return DDG_OK;
}

int
ddg_list_open_mem(const uint8_t *buf, size_t len, struct ddg_list **out,
	char *err, size_t errlen)
{
	return ddg_list_open_mem_name(buf, len, "(memory)", out, err, errlen);
}

/** the largest file the format can describe: the keys section is last,
 * with a 32-bit offset and a 32-bit size */
#define LIST_MAXFILE ((uint64_t)UINT32_MAX * 2)

int
ddg_list_open_stat(const char *path, struct ddg_list **out, struct stat *st,
	char *err, size_t errlen)
{
	struct ddg_image img;
	struct ddg_list *l = NULL;
	int r;

	/* read once into memory of the list's own; validate and then use
	 * exactly those bytes, whatever happens to the file afterwards */
	r = ddg_image_read(path, LIST_MAXFILE > SIZE_MAX ? SIZE_MAX :
		(size_t)LIST_MAXFILE, &img, err, errlen);
	if(r == DDG_ERR_RANGE)
		return DDG_ERR_CORRUPT;	/* no list is that large */
	if(r != DDG_OK)
		return r;
	r = ddg_list_open_mem_name(img.base, img.len, path, &l, err, errlen);
	if(r != DDG_OK) {
		ddg_image_free(&img);
		return r;
	}
	l->img = img;
	if(st)
		*st = img.st;
	*out = l;
	return DDG_OK;
}

int
ddg_list_open(const char *path, struct ddg_list **out, char *err,
	size_t errlen)
{
	return ddg_list_open_stat(path, out, NULL, err, errlen);
}

void
ddg_list_close(struct ddg_list *list)
{
	if(!list)
		return;
	ddg_image_free(&list->img);
	ddg_sfilter_free(&list->filt);
	free(list->cat);
	index_free(list);
	free(list);
}

/** a position in a block: the entry decoded last */
struct cursor {
	/** the next entry's bytes */
	const uint8_t *p;
	/** the key (room for 8-byte reads past it) */
	uint8_t key[DDG_NAME_MAXKEY + 8];
	/** its length */
	size_t klen;
	/** its category */
	uint16_t cat;
};

/** start at block j */
static inline void
cur_block(const struct ddg_list *l, struct cursor *c, uint32_t j)
{
	c->p = l->stream + ddg_get32(l->blk + (size_t)j *
		DDG_LIST_BLKREC_SIZE);
	c->klen = 0;
}

/** decode the next entry (validated bytes) */
static inline void
cur_next(struct cursor *c)
{
	const uint8_t *p = c->p;
	size_t sh = *p++, sl = *p++;
	unsigned cat;
	if(sl & 0x80)
		sl = ((sl & 0x7f) << 8) | *p++;
	cat = *p++;
	if(cat & 0x80)
		cat = ((cat & 0x7f) << 8) | *p++;
	memcpy(c->key + sh, p, sl);
	c->klen = sh + sl;
	c->cat = (uint16_t)cat;
	c->p = p + sl;
}

/** entries of block j */
static inline uint32_t
block_n(const struct ddg_list *l, uint32_t j)
{
	return j + 1 < l->nb ? DDG_LIST_BLOCK :
		l->n - (l->nb - 1) * DDG_LIST_BLOCK;
}

/** the first key of block j, in place (a first entry shares nothing) */
static inline const uint8_t *
block_first(const struct ddg_list *l, uint32_t j, size_t *kl)
{
	const uint8_t *p = l->stream + ddg_get32(l->blk + (size_t)j *
		DDG_LIST_BLKREC_SIZE) + 1;
	size_t sl = *p++;
	if(sl & 0x80)
		sl = ((sl & 0x7f) << 8) | *p++;
	p += (*p & 0x80) ? 2 : 1;
	*kl = sl;
	return p;
}

/** Index of the last block whose first key is <= q, or -1. */
static int64_t
block_le(const struct ddg_list *l, const uint8_t *q, size_t qlen)
{
	const uint64_t *a;
	uint64_t qp = prefix64(q, qlen);
	size_t base, lo, hi, blk = 0, kl;
	const uint8_t *k;
	int lv;

	if(l->nb == 0)
		return -1;
	a = l->lvl[0];
	if(a[0] > qp)
		return -1;
	/* one cache line per level: the last of 8 that is <= qp (the first
	 * one always is: it equals the element chosen one level up) */
	for(lv = l->nlvl - 1; lv >= 1; lv--) {
		const uint64_t *bl = l->lvl[lv] + blk * 8;
		size_t cnt = (bl[0] <= qp) + (bl[1] <= qp) + (bl[2] <= qp) +
			(bl[3] <= qp) + (bl[4] <= qp) + (bl[5] <= qp) +
			(bl[6] <= qp) + (bl[7] <= qp);
		size_t idx = blk * 8 + cnt - 1;
		if(idx >= l->lvln[lv])
			idx = l->lvln[lv] - 1;	/* padding equal to qp */
		blk = idx;
		__builtin_prefetch(l->lvl[lv - 1] + blk * 8);
	}
	{
		const uint64_t *bl = a + blk * 8;
		size_t cnt = (bl[0] <= qp) + (bl[1] <= qp) + (bl[2] <= qp) +
			(bl[3] <= qp) + (bl[4] <= qp) + (bl[5] <= qp) +
			(bl[6] <= qp) + (bl[7] <= qp);
		base = blk * 8 + cnt - 1;
		if(base >= l->nb)
			base = l->nb - 1;
	}
	if(a[base] != qp)
		return (int64_t)base;	/* decided on the numbers */
	/* a run of equal numbers ends at base: find its start, then
	 * binary-search the run on the full first keys */
	lo = base;
	{
		size_t step = 1;
		while(lo >= step && a[lo - step] == qp) {
			lo -= step;
			step <<= 1;
		}
		{
			size_t l0 = lo >= step ? lo - step + 1 : 0, h0 = lo;
			while(l0 < h0) {
				size_t mid = l0 + (h0 - l0) / 2;
				if(a[mid] == qp)
					h0 = mid;
				else
					l0 = mid + 1;
			}
			lo = l0;
		}
	}
	hi = base + 1;
	while(lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		k = block_first(l, (uint32_t)mid, &kl);
		if(ddg_bytes_keycmp(k, kl, q, qlen) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int64_t)lo - 1;
}

/**
 * The entry whose key is exactly q, or -1: a walk over one block that
 * compares each entry's suffix with q where they diverge, without
 * rebuilding the keys.  Invariant: every entry walked so far is < q, and c
 * is how many bytes the last one shares with q.
 * @param cat: set to its category.
 */
static int64_t
find_key(const struct ddg_list *l, const uint8_t *q, size_t qlen,
	uint16_t *cat)
{
	struct cursor cu;
	int64_t j = block_le(l, q, qlen);
	uint32_t i, n;
	const uint8_t *p;
	size_t c = 0;

	if(j < 0)
		return -1;
	n = block_n(l, (uint32_t)j);
	p = l->stream + ddg_get32(l->blk + (size_t)j * DDG_LIST_BLKREC_SIZE);
	for(i = 0; i < n; i++) {
		size_t sh = p[0], sl = p[1], k, m;
		unsigned ec;
		const uint8_t *sfx = p + 2;
		if(sl & 0x80)
			sl = ((sl & 0x7f) << 8) | *sfx++;
		ec = *sfx++;
		if(ec & 0x80)
			ec = ((ec & 0x7f) << 8) | *sfx++;
		p = sfx + sl;
		if(sh == 255)
			goto rebuild;	/* capped: the true share is unknown */
		if(sh > c)
			continue;	/* equal to the last one at c: still < q */
		if(sh < c)
			return -1;	/* greater than the last one where it
					 * agreed with q: > q */
		/* diverges from q inside its suffix, if at all */
		m = sl < qlen - c ? sl : qlen - c;
		for(k = 0; k < m && sfx[k] == q[c + k]; k++)
			;
		if(k == sl && c + k == qlen) {
			*cat = (uint16_t)ec;
			return (int64_t)j * DDG_LIST_BLOCK + i;
		}
		if(k == sl || (c + k < qlen && k < sl && sfx[k] < q[c + k])) {
			c += k;		/* a prefix of q, or less: < q */
			continue;
		}
		return -1;		/* q is a prefix of it, or it is greater */
	}
	return -1;
rebuild:
	/* keys of 255 shared bytes and more: rebuild them */
	cur_block(l, &cu, (uint32_t)j);
	for(i = 0; i < n; i++) {
		int r;
		cur_next(&cu);
		r = ddg_bytes_keycmp(cu.key, cu.klen, q, qlen);
		if(r == 0) {
			*cat = cu.cat;
			return (int64_t)j * DDG_LIST_BLOCK + i;
		}
		if(r > 0)
			break;
	}
	return -1;
}

/** decode entry i into c */
static void
entry_at(const struct ddg_list *l, uint32_t i, struct cursor *c)
{
	uint32_t k;
	cur_block(l, c, i / DDG_LIST_BLOCK);
	for(k = 0; k <= i % DDG_LIST_BLOCK; k++)
		cur_next(c);
}

int
ddg_list_may_match(const struct ddg_list *list, const uint8_t *qname,
	size_t qname_len)
{
	struct ddg_sfilter_hit hit;
	return ddg_sfilter_probe(list ? &list->filt : NULL, qname, qname_len,
		&hit);
}

int
ddg_list_match(const struct ddg_list *list, const uint8_t *qname,
	size_t qname_len, struct ddg_list_match *m)
{
	struct ddg_sfilter_hit hit;
	uint8_t key[DDG_NAME_MAXKEY];
	uint16_t end[128];
	int klen, r, d, nend = 0, j;

	/* the filter: most names stop here, after one or two labels */
	r = ddg_sfilter_probe(list ? &list->filt : NULL, qname, qname_len,
		&hit);
	if(r <= 0 || !list || list->n == 0)
		return r;
	/* some suffix may be listed: the key, and where each label ends */
	klen = ddg_name_key(qname, key);
	for(j = 0; j < klen; j++)
		if(key[j] == 0)
			end[++nend - 1] = (uint16_t)(j + 1);
	/* the deepest candidate that really is an entry is the longest
	 * match: every listed suffix is a candidate */
	for(d = hit.labels; d >= 1; d--) {
		uint16_t cat;
		int64_t f;
		if(!(hit.cand[(d - 1) >> 6] & (1ULL << ((d - 1) & 63))))
			continue;
		f = find_key(list, key, end[d - 1], &cat);
		if(f < 0)
			continue;	/* a false positive of the filter */
		m->zone_off = hit.off[hit.labels - d];
		m->zone_labels = d;
		m->entry = (uint32_t)f;
		m->category = cat;
		m->category_name = list->cat[cat];
		return 1;
	}
	return 0;
}

void
ddg_list_info(const struct ddg_list *list, struct ddg_list_info *info)
{
	*info = list->info;
}

const uint8_t *
ddg_list_data(const struct ddg_list *list, size_t *len)
{
	*len = list->len;
	return list->base;
}

uint32_t
ddg_list_count(const struct ddg_list *list)
{
	return list->n;
}

uint32_t
ddg_list_category_count(const struct ddg_list *list)
{
	return list->ncat;
}

int
ddg_list_entry(const struct ddg_list *list, uint32_t i, uint8_t *wire,
	uint16_t *category, uint32_t *parent)
{
	struct cursor c;

	if(i >= list->n)
		return DDG_ERR_RANGE;
	entry_at(list, i, &c);
	if(wire && ddg_name_from_key(c.key, c.klen, wire) < 0)
		return DDG_ERR_RANGE;	/* cannot happen after validation */
	if(category)
		*category = c.cat;
	if(parent) {
		/* the nearest enclosing entry: the longest proper prefix of
		 * the key at a label boundary that is an entry */
		size_t e = c.klen - 1;
		*parent = DDG_LIST_NO_PARENT;
		while(e > 0) {
			uint16_t cat;
			int64_t f;
			while(e > 0 && c.key[e - 1] != 0)
				e--;
			if(e == 0)
				break;
			f = find_key(list, c.key, e, &cat);
			if(f >= 0) {
				*parent = (uint32_t)f;
				break;
			}
			e--;
		}
	}
	return DDG_OK;
}

int
ddg_list_entry_key(const struct ddg_list *list, uint32_t i, uint8_t *key,
	size_t *keylen)
{
	struct cursor c;

	if(i >= list->n)
		return DDG_ERR_RANGE;
	entry_at(list, i, &c);
	memcpy(key, c.key, c.klen);
	*keylen = c.klen;
	return DDG_OK;
}

int
ddg_list_find(const struct ddg_list *list, const uint8_t *wire,
	uint32_t *idx)
{
	uint8_t key[DDG_NAME_MAXKEY];
	int klen = ddg_name_key(wire, key);
	uint16_t cat;
	int64_t f = find_key(list, key, (size_t)klen, &cat);

	if(f < 0)
		return DDG_ERR_NOTFOUND;
	*idx = (uint32_t)f;
	return DDG_OK;
}

const char *
ddg_list_category_name(const struct ddg_list *list, uint16_t cat)
{
	if(cat >= list->ncat)
		return NULL;
	return list->cat[cat];
}
