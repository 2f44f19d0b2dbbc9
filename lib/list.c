/**
 * \file list.c
 * The .dgl reader: map, validate everything once, then match without
 * further checks.  Layout in list_format.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/list_format.h"
#include "dyndns-guard/name.h"

/** most index levels: 8^11 > 2^32 entries */
#define DDG_LIST_MAXLVL 12

/** in-memory index record of an entry */
struct lrec {
	/** the first 8 key bytes, big-endian, zero-padded: p0 order agrees
	 * with key order (equal p0 are resolved on the keys) */
	uint64_t p0;
	/** key offset in the keys section */
	uint32_t koff;
	/** nearest enclosing entry or DDG_LIST_NO_PARENT */
	uint32_t parent;
	/** key length */
	uint16_t klen;
	/** category index */
	uint16_t cat;
	/** unused, 0 */
	uint32_t pad;
};
_Static_assert(sizeof(struct lrec) == 24, "lrec is 24 bytes");

/** an opened list */
struct ddg_list {
	/** the bytes (mapping or caller memory) */
	const uint8_t *base;
	/** their number */
	size_t len;
	/** whether base is our mapping */
	int mapped;
	/** entry table */
	const uint8_t *ent;
	/** keys section */
	const uint8_t *keys;
	/** entry count */
	uint32_t n;
	/** category count */
	uint32_t ncat;
	/** category names, ncat pointers into the mapping */
	const char **cat;
	/** search index built at open (not part of the file): one record
	 * per entry, 128-byte aligned, padded to a multiple of 8 with
	 * p0 = UINT64_MAX.  It is level 0 of a static B+tree whose upper
	 * levels lvl[k] (k >= 1) hold every 8th p0 of the level below, so a
	 * search reads one cache line (pair) per level and, unless two keys
	 * share their first 8 bytes with the query, never touches the file */
	struct lrec *rec;
	/** the upper levels; lvl[0] is unused (level 0 is rec) */
	uint64_t *lvl[DDG_LIST_MAXLVL];
	/** elements per level */
	size_t lvln[DDG_LIST_MAXLVL];
	/** number of levels, level 0 included (0 for an empty list) */
	int nlvl;
	/** header information */
	struct ddg_list_info info;
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

/** round up to the section alignment */
static uint64_t
align8(uint64_t v)
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

/** high bit of each byte of x set exactly where the byte is zero */
static inline uint64_t
zero_bytes(uint64_t x)
{
	const uint64_t m = 0x7f7f7f7f7f7f7f7fULL;
	return ~(((x & m) + m) | x | m);
}

/** high bit of each byte set exactly where the byte is 'A'..'Z' */
static inline uint64_t
upper_bytes(uint64_t x)
{
	const uint64_t m = 0x7f7f7f7f7f7f7f7fULL;
	uint64_t y = x & m;
	uint64_t ge_a = y + 0x3f3f3f3f3f3f3f3fULL;	/* >= 0x41 */
	uint64_t ge_z = y + 0x2525252525252525ULL;	/* >= 0x5b */
	return ge_a & ~ge_z & ~x & ~m;
}

/**
 * key_check, eight bytes at a time; falls back to the byte loop (which
 * also names the defect) for keys with escapes or any problem.
 */
static const char *
key_check(const uint8_t *k, size_t len, size_t avail, size_t *bad)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	size_t i = 0, lstart = 0, wire = 1;

	while(i < len) {
		uint64_t x = 0, hi, z, lt2;
		size_t nb = len - i < 8 ? len - i : 8;
		/* a whole word when the buffer has it (the bytes past the key
		 * are masked off below): no partial copy through memory */
		if(avail - i >= 8)
			memcpy(&x, k + i, 8);
		else
			memcpy(&x, k + i, nb);
		hi = nb == 8 ? 0x8080808080808080ULL :
			(0x8080808080808080ULL & ((1ULL << (nb * 8)) - 1));
		z = zero_bytes(x) & hi;
		lt2 = zero_bytes(x & 0xfefefefefefefefeULL) & hi;
		if((lt2 & ~z) | (upper_bytes(x) & hi))
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

/** compare two keys */
static inline int
keycmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t m = alen < blen ? alen : blen;
	int r = memcmp(a, b, m);
	if(r)
		return r;
	return alen < blen ? -1 : (alen > blen ? 1 : 0);
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

/** level 0: n records, padded */
static struct lrec *
rec_alloc(size_t n)
{
	size_t r = (n + 7) & ~(size_t)7, i;
	struct lrec *a = index_mem(r * sizeof(*a));

	if(a) {
		for(i = n; i < r; i++) {
			a[i].p0 = UINT64_MAX;
			a[i].koff = 0;
			a[i].pad = 0;
			a[i].parent = DDG_LIST_NO_PARENT;
			a[i].klen = 0;
			a[i].cat = 0;
		}
	}
	return a;
}

/** free the index */
static void
index_free(struct ddg_list *l)
{
	int k;

	for(k = 1; k < l->nlvl; k++)
		free(l->lvl[k]);
	free(l->rec);
	l->rec = NULL;
	l->nlvl = 0;
}

/** build the upper levels over rec (n > 0); returns 0 or -1 */
static int
index_build(struct ddg_list *l, size_t n)
{
	int k = 0;

	l->lvln[0] = n;
	l->nlvl = 1;
	while(l->lvln[k] > 8 && k + 1 < DDG_LIST_MAXLVL) {
		size_t m = (l->lvln[k] + 7) / 8, r = (m + 7) & ~(size_t)7, j;
		uint64_t *a = index_mem(r * 8);
		if(!a)
			return -1;
		for(j = 0; j < m; j++)
			a[j] = k == 0 ? l->rec[8 * j].p0 : l->lvl[k][8 * j];
		for(j = m; j < r; j++)
			a[j] = UINT64_MAX;
		l->lvl[k + 1] = a;
		l->lvln[k + 1] = m;
		l->nlvl = k + 2;
		k++;
	}
	return 0;
}

/** validate everything; on success fill the struct (cat is allocated) */
static int
validate(struct ddg_list *l, const uint8_t *b, size_t len, const char *name,
	char *err, size_t errlen)
{
	uint64_t fsize, off[4], size[4], expect, z;
	static const char *secname[4] = { "categories", "sources",
		"entry table", "keys" };
	static const int secfield[4] = { DDG_LH_CAT_OFF, DDG_LH_SRC_OFF,
		DDG_LH_ENT_OFF, DDG_LH_KEY_OFF };
	uint32_t version, flags, n, ncat, i;
	const uint8_t *ent, *keys, *p;
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
	z = zero_upto(b, DDG_LH_RESERVED2, DDG_LIST_HDR_SIZE);
	if(z != DDG_LIST_HDR_SIZE)
		return fail(err, errlen, DDG_ERR_CORRUPT, name, z,
			"reserved header field not zero");
	fsize = ddg_get64(b + DDG_LH_FILESIZE);
	if(fsize != len)
		return fail(err, errlen, DDG_ERR_CORRUPT, name,
			DDG_LH_FILESIZE, "declared file size %llu differs from "
			"the real size %zu (truncated or extended file)",
			(unsigned long long)fsize, len);
	/* sections: in bounds, in order, aligned, gaps zero */
	expect = DDG_LIST_HDR_SIZE;
	for(s = 0; s < 4; s++) {
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
		expect = align8(off[s] + size[s]);
	}
	if(off[3] + size[3] != len)
		return fail(err, errlen, DDG_ERR_CORRUPT, name, off[3] + size[3],
			"trailing bytes after the keys section");
	if(size[2] != (uint64_t)n * DDG_LIST_ENTRY_SIZE)
		return fail(err, errlen, DDG_ERR_CORRUPT, name, DDG_LH_ENT_SIZE,
			"entry table size %llu does not match %u entries",
			(unsigned long long)size[2], n);

	/* categories */
	l->cat = NULL;
	l->rec = NULL;
	l->nlvl = 0;
	if(ncat > 0) {
		l->cat = calloc(ncat, sizeof(*l->cat));
		if(!l->cat)
			return fail(err, errlen, DDG_ERR_NOMEM, name, 0,
				"out of memory");
	}
	p = b + off[0];
	{
		const uint8_t *end = p + size[0], *prev = NULL;
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
		const uint8_t *src = b + off[1];
		uint64_t k;
		if(size[1] == 0 || src[size[1] - 1] != 0) {
			fail(err, errlen, DDG_ERR_CORRUPT, name,
				off[1] + (size[1] ? size[1] - 1 : 0),
				"sources section not NUL-terminated");
			goto corrupt;
		}
		for(k = 0; k + 1 < size[1]; k++) {
			if(src[k] < 0x20 && src[k] != '\n' && src[k] != '\t') {
				fail(err, errlen, DDG_ERR_CORRUPT, name,
					off[1] + k, "control byte 0x%02x in the "
					"sources section", src[k]);
				goto corrupt;
			}
		}
	}
	/* entries and keys */
	ent = b + off[2];
	keys = b + off[3];
	expect = 0;
	l->rec = NULL;
	if(n > 0) {
		l->rec = rec_alloc(n);
		if(!l->rec) {
			fail(err, errlen, DDG_ERR_NOMEM, name, 0,
				"out of memory");
			goto fail_free;
		}
	}
	for(i = 0; i < n; i++) {
		const uint8_t *r = ent + (size_t)i * DDG_LIST_ENTRY_SIZE;
		uint64_t roff = off[2] + (uint64_t)i * DDG_LIST_ENTRY_SIZE;
		uint32_t ko = ddg_get32(r + DDG_LE_KEYOFF);
		uint32_t kl = ddg_get16(r + DDG_LE_KEYLEN);
		uint32_t cat = ddg_get16(r + DDG_LE_CAT);
		uint32_t par = ddg_get32(r + DDG_LE_PARENT);
		uint32_t want;
		const char *why;
		size_t bad = 0;

		if(kl == 0 || kl > DDG_NAME_MAXKEY) {
			fail(err, errlen, DDG_ERR_CORRUPT, name,
				roff + DDG_LE_KEYLEN, "entry %u key length %u "
				"out of range", i, kl);
			goto corrupt;
		}
		if(ko > size[3] || kl > size[3] - ko) {
			fail(err, errlen, DDG_ERR_CORRUPT, name,
				roff + DDG_LE_KEYOFF, "entry %u key (offset %u, "
				"length %u) out of range of the keys section",
				i, ko, kl);
			goto corrupt;
		}
		if(ko != expect) {
			fail(err, errlen, DDG_ERR_CORRUPT, name,
				roff + DDG_LE_KEYOFF, "entry %u key offset %u "
				"not contiguous (expected %llu)", i, ko,
				(unsigned long long)expect);
			goto corrupt;
		}
		expect += kl;
		if(cat >= ncat) {
			fail(err, errlen, DDG_ERR_CORRUPT, name,
				roff + DDG_LE_CAT, "entry %u category index %u "
				"out of range (%u categories)", i, cat, ncat);
			goto corrupt;
		}
		why = key_check(keys + ko, kl, size[3] - ko, &bad);
		if(why) {
			fail(err, errlen, DDG_ERR_CORRUPT, name,
				off[3] + ko + bad, "entry %u invalid key: %s",
				i, why);
			goto corrupt;
		}
		/* order and the expected nearest enclosing entry: with c the
		 * common prefix of this key and the previous one, an ancestor
		 * of the previous entry encloses this one iff its key is no
		 * longer than c */
		want = DDG_LIST_NO_PARENT;
		if(i > 0) {
			const uint8_t *pr = r - DDG_LIST_ENTRY_SIZE;
			const uint8_t *pk = keys + ddg_get32(pr);
			size_t pl = ddg_get16(pr + DDG_LE_KEYLEN);
			size_t c = cpl(pk, pl, keys + ko, kl);
			uint32_t j = i - 1;
			if(c == kl || (c < pl && pk[c] > keys[ko + c])) {
				fail(err, errlen, DDG_ERR_CORRUPT, name,
					off[3] + ko, "entry %u out of order "
					"(not greater than entry %u)", i, i - 1);
				goto corrupt;
			}
			while(j != DDG_LIST_NO_PARENT) {
				const uint8_t *q = ent +
					(size_t)j * DDG_LIST_ENTRY_SIZE;
				if(ddg_get16(q + DDG_LE_KEYLEN) <= c) {
					want = j;
					break;
				}
				j = ddg_get32(q + DDG_LE_PARENT);
			}
		}
		l->rec[i].p0 = prefix64_avail(keys + ko, kl, size[3] - ko);
		l->rec[i].koff = ko;
		l->rec[i].pad = 0;
		l->rec[i].parent = par;
		l->rec[i].klen = (uint16_t)kl;
		l->rec[i].cat = (uint16_t)cat;
		if(par != want) {
			const uint8_t *q;
			if(par != DDG_LIST_NO_PARENT && par >= i) {
				fail(err, errlen, DDG_ERR_CORRUPT, name,
					roff + DDG_LE_PARENT, "entry %u parent "
					"index %u not below its own index", i,
					par);
				goto corrupt;
			}
			if(par == DDG_LIST_NO_PARENT) {
				fail(err, errlen, DDG_ERR_CORRUPT, name,
					roff + DDG_LE_PARENT, "entry %u has no "
					"parent link but entry %u encloses it",
					i, want);
				goto corrupt;
			}
			q = ent + (size_t)par * DDG_LIST_ENTRY_SIZE;
			if(!is_proper_prefix(keys + ddg_get32(q),
				ddg_get16(q + 4), keys + ko, kl)) {
				fail(err, errlen, DDG_ERR_CORRUPT, name,
					roff + DDG_LE_PARENT, "entry %u parent "
					"%u is not an enclosing entry", i, par);
				goto corrupt;
			}
			fail(err, errlen, DDG_ERR_CORRUPT, name,
				roff + DDG_LE_PARENT, "entry %u parent %u is "
				"not the nearest enclosing entry (%u is)", i,
				par, want);
			goto corrupt;
		}
	}
	if(expect != size[3]) {
		fail(err, errlen, DDG_ERR_CORRUPT, name, off[3] + expect,
			"keys section has %llu unused bytes",
			(unsigned long long)(size[3] - expect));
		goto corrupt;
	}
	/* checksum last: the structural checks name the defect */
	if(ddg_list_digest(b, len, md) != DDG_OK) {
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

	if(n > 0 && index_build(l, n) != 0) {
		fail(err, errlen, DDG_ERR_NOMEM, name, 0, "out of memory");
		goto fail_free;
	}
	l->base = b;
	l->len = len;
	l->ent = ent;
	l->keys = keys;
	l->n = n;
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
	l->info.sources = (const char *)(b + off[1]);
	return DDG_OK;
corrupt:
	free(l->cat);
	l->cat = NULL;
	index_free(l);
	return DDG_ERR_CORRUPT;
fail_free:
	free(l->cat);
	l->cat = NULL;
	index_free(l);
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

int
ddg_list_open(const char *path, struct ddg_list **out, char *err,
	size_t errlen)
{
	struct stat st;
	void *m;
	int fd, r;
	struct ddg_list *l = NULL;

	if(err && errlen)
		err[0] = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if(fd < 0) {
		if(err)
			snprintf(err, errlen, "%s: cannot open: %s", path,
				strerror(errno));
		return DDG_ERR_IO;
	}
	if(fstat(fd, &st) != 0) {
		if(err)
			snprintf(err, errlen, "%s: cannot stat: %s", path,
				strerror(errno));
		close(fd);
		return DDG_ERR_IO;
	}
	if(!S_ISREG(st.st_mode)) {
		if(err)
			snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return DDG_ERR_IO;
	}
	if(st.st_size < DDG_LIST_HDR_SIZE || (uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return fail(err, errlen, DDG_ERR_CORRUPT, path,
			(uint64_t)st.st_size, "truncated header (%lld of %d "
			"bytes)", (long long)st.st_size, DDG_LIST_HDR_SIZE);
	}
#ifndef MAP_POPULATE
#define MAP_POPULATE 0
#endif
	/* populate: one pass of page-table setup instead of a fault per
	 * page during validation */
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED |
		MAP_POPULATE, fd, 0);
	close(fd);
	if(m == MAP_FAILED) {
		if(err)
			snprintf(err, errlen, "%s: cannot map: %s", path,
				strerror(errno));
		return DDG_ERR_IO;
	}
	r = ddg_list_open_mem_name(m, (size_t)st.st_size, path, &l, err,
		errlen);
	if(r != DDG_OK) {
		munmap(m, (size_t)st.st_size);
		return r;
	}
	l->mapped = 1;
	*out = l;
	return DDG_OK;
}

void
ddg_list_close(struct ddg_list *list)
{
	if(!list)
		return;
	if(list->mapped)
		munmap((void *)list->base, list->len);
	free(list->cat);
	index_free(list);
	free(list);
}

/** key of entry i */
static inline const uint8_t *
ekey(const struct ddg_list *l, uint32_t i, size_t *kl)
{
	const uint8_t *r = l->ent + (size_t)i * DDG_LIST_ENTRY_SIZE;
	*kl = ddg_get16(r + DDG_LE_KEYLEN);
	return l->keys + ddg_get32(r + DDG_LE_KEYOFF);
}

/**
 * Index of the greatest key <= q, or -1.
 * @param c: set to the length of the common prefix of that key and q.
 */
static int64_t
search_le(const struct ddg_list *l, const uint8_t *q, size_t qlen,
	size_t *c)
{
	const struct lrec *a = l->rec;
	uint64_t qp = prefix64(q, qlen), x;
	size_t base, lo, hi, blk = 0, kl;
	const uint8_t *k;
	int lv;

	if(l->n == 0 || a[0].p0 > qp)
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
		if(lv > 1)
			__builtin_prefetch(l->lvl[lv - 1] + blk * 8);
		else {
			/* a block of 8 records spans three cache lines */
			__builtin_prefetch(a + blk * 8);
			__builtin_prefetch(a + blk * 8 + 3);
			__builtin_prefetch(a + blk * 8 + 6);
		}
	}
	{
		const struct lrec *bl = a + blk * 8;
		size_t cnt = (bl[0].p0 <= qp) + (bl[1].p0 <= qp) +
			(bl[2].p0 <= qp) + (bl[3].p0 <= qp) +
			(bl[4].p0 <= qp) + (bl[5].p0 <= qp) +
			(bl[6].p0 <= qp) + (bl[7].p0 <= qp);
		base = blk * 8 + cnt - 1;
		if(base >= l->n)
			base = l->n - 1;
	}
	x = a[base].p0 ^ qp;
	if(x != 0) {
		/* decided on the prefixes: they differ inside the first 8
		 * bytes; the key may be shorter than that */
		size_t cp = (size_t)(__builtin_clzll(x) >> 3);
		*c = cp < a[base].klen ? cp : a[base].klen;
		return (int64_t)base;
	}
	/* a run of equal prefixes ends at base: find its start, then
	 * binary-search the run on the full keys */
	lo = base;
	{
		size_t step = 1;
		while(lo >= step && a[lo - step].p0 == qp) {
			lo -= step;
			step <<= 1;
		}
		/* the run starts in (lo - step, lo]; narrow it */
		{
			size_t l0 = lo >= step ? lo - step + 1 : 0, h0 = lo;
			while(l0 < h0) {
				size_t mid = l0 + (h0 - l0) / 2;
				if(a[mid].p0 == qp)
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
		k = l->keys + a[mid].koff;
		if(keycmp(k, a[mid].klen, q, qlen) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if(lo == 0)
		return -1;
	k = l->keys + a[lo - 1].koff;
	kl = a[lo - 1].klen;
	*c = cpl(k, kl, q, qlen);
	return (int64_t)lo - 1;
}

int
ddg_list_match(const struct ddg_list *list, const uint8_t *qname,
	size_t qname_len, struct ddg_list_match *m)
{
	uint8_t key[DDG_NAME_MAXKEY];
	int wl, klen, nlab, k, skip;
	int64_t f;
	uint32_t i;
	size_t c = 0, j;

	wl = ddg_name_wire_len(qname, qname_len);
	if(wl < 0)
		return DDG_ERR_SYNTAX;
	if(!list || list->n == 0)
		return 0;
	klen = ddg_name_key(qname, key);
	f = search_le(list, key, (size_t)klen, &c);
	if(f < 0)
		return 0;
	/* the first of f and its ancestors no longer than c */
	i = (uint32_t)f;
	while(list->rec[i].klen > c) {
		i = list->rec[i].parent;
		if(i == DDG_LIST_NO_PARENT)
			return 0;
	}
	/* labels of the entry: separators in its key, which is the query
	 * key's first klen bytes */
	k = 0;
	for(j = 0; j < list->rec[i].klen; j++)
		k += key[j] == 0;
	nlab = ddg_name_label_count(qname);
	skip = nlab - k;
	m->zone_off = 0;
	while(skip-- > 0)
		m->zone_off += (size_t)qname[m->zone_off] + 1;
	m->zone_labels = k;
	m->entry = i;
	m->category = list->rec[i].cat;
	m->category_name = list->cat[m->category];
	return 1;
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
	const uint8_t *r, *k;
	size_t kl;

	if(i >= list->n)
		return DDG_ERR_RANGE;
	r = list->ent + (size_t)i * DDG_LIST_ENTRY_SIZE;
	k = ekey(list, i, &kl);
	if(wire && ddg_name_from_key(k, kl, wire) < 0)
		return DDG_ERR_RANGE;	/* cannot happen after validation */
	if(category)
		*category = ddg_get16(r + DDG_LE_CAT);
	if(parent)
		*parent = ddg_get32(r + DDG_LE_PARENT);
	return DDG_OK;
}

int
ddg_list_entry_key(const struct ddg_list *list, uint32_t i,
	const uint8_t **key, size_t *keylen)
{
	if(i >= list->n)
		return DDG_ERR_RANGE;
	*key = ekey(list, i, keylen);
	return DDG_OK;
}

int
ddg_list_find(const struct ddg_list *list, const uint8_t *wire,
	uint32_t *idx)
{
	uint8_t key[DDG_NAME_MAXKEY];
	int klen = ddg_name_key(wire, key);
	size_t kl, c = 0;
	int64_t f = search_le(list, key, (size_t)klen, &c);
	const uint8_t *k;

	if(f < 0)
		return DDG_ERR_NOTFOUND;
	k = ekey(list, (uint32_t)f, &kl);
	if(keycmp(k, kl, key, (size_t)klen) != 0)
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
