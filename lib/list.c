/**
 * \file list.c
 * The .dgl reader: read the file once into private memory, have the
 * validator (list_valid.c) check all of those bytes once, then search and
 * match in them without further checks: open and close, the suffix filter
 * probe, the search over the index and a block, and the entry accessors.
 * Layout in list_format.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/list_format.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/sfilter.h"
#include "bytes.h"
#include "fail.h"
#include "image.h"
#include "list_int.h"

/** an error "<name>: <reason> at byte offset N" (fail.h) */
#define fail(...) ddg_fail(__VA_ARGS__)

/** ddg_list_open_mem_name() with flags */
static int
open_mem_flags(const uint8_t *buf, size_t len, unsigned flags,
	const char *name, struct ddg_list **out, char *err, size_t errlen)
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
	r = ddg_list_validate(l, buf ? buf : (const uint8_t *)"", len, flags,
		name, err, errlen);
	if(r != DDG_OK) {
		free(l);
		return r;
	}
	*out = l;
	return DDG_OK;
}

int
ddg_list_open_mem_name(const uint8_t *buf, size_t len, const char *name,
	struct ddg_list **out, char *err, size_t errlen)
{
	return open_mem_flags(buf, len, 0, name, out, err, errlen);
}

int
ddg_list_open_mem_flags(const uint8_t *buf, size_t len, unsigned flags,
	struct ddg_list **out, char *err, size_t errlen)
{
	return open_mem_flags(buf, len, flags, "(memory)", out, err, errlen);
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
ddg_list_open_flags(const char *path, unsigned flags, struct ddg_list **out,
	struct stat *st, char *err, size_t errlen)
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
	r = open_mem_flags(img.base, img.len, flags, path, &l, err, errlen);
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
ddg_list_open_stat(const char *path, struct ddg_list **out, struct stat *st,
	char *err, size_t errlen)
{
	return ddg_list_open_flags(path, 0, out, st, err, errlen);
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
	ddg_list_release(list);
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

/** the first index of the run of numbers equal to v that ends at base
 * (a[base] == v), not before floor */
static size_t
run_start(const uint64_t *a, size_t base, size_t floor, uint64_t v)
{
	size_t lo = base, step = 1, l0, h0;
	while(lo >= floor + step && a[lo - step] == v) {
		lo -= step;
		step <<= 1;
	}
	l0 = lo >= floor + step ? lo - step + 1 : floor;
	h0 = lo;
	while(l0 < h0) {
		size_t mid = l0 + (h0 - l0) / 2;
		if(a[mid] == v)
			h0 = mid;
		else
			l0 = mid + 1;
	}
	return l0;
}

/** Index of the last block whose first key is <= q, or -1. */
static int64_t
block_le(const struct ddg_list *l, const uint8_t *q, size_t qlen)
{
	const uint64_t *a;
	uint64_t qp = ddg_list_key_prefix(q, qlen);
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
	/* a run of equal numbers ends at base: its start, then the last
	 * block of the run whose second number is <= q's */
	lo = run_start(a, base, 0, qp);
	{
		const uint64_t *s = l->sec;
		uint64_t qs = qlen > 8 ? ddg_list_key_prefix(q + 8, qlen - 8) :
			0;
		size_t l0 = lo, h0 = base;
		if(s[lo] > qs)
			return (int64_t)lo - 1;	/* all of the run is > q */
		while(l0 < h0) {	/* s[l0] <= qs */
			size_t mid = l0 + (h0 - l0 + 1) / 2;
			if(s[mid] <= qs)
				l0 = mid;
			else
				h0 = mid - 1;
		}
		base = l0;
		if(s[base] != qs)
			return (int64_t)base;	/* decided on 16 bytes */
		/* blocks that agree with q in 16 bytes: search their
		 * first keys */
		lo = run_start(s, base, lo, qs);
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

/** the list's filter, or NULL while its check is pending (then every
 * suffix is a candidate) */
static inline const struct ddg_sfilter *
filter_of(const struct ddg_list *l)
{
	if(!l || !atomic_load_explicit(&((struct ddg_list *)l)->filt_ready,
		memory_order_acquire))
		return NULL;
	return &l->filt;
}

int
ddg_list_may_match(const struct ddg_list *list, const uint8_t *qname,
	size_t qname_len)
{
	struct ddg_sfilter_hit hit;
	const struct ddg_sfilter *f = filter_of(list);
	int r = ddg_sfilter_probe(f, qname, qname_len, &hit);
	if(r == 0 && !f && list && list->n > 0)
		return 1;	/* no filter yet: maybe */
	return r;
}

int
ddg_list_match(const struct ddg_list *list, const uint8_t *qname,
	size_t qname_len, struct ddg_list_match *m)
{
	struct ddg_sfilter_hit hit;
	const struct ddg_sfilter *filt;
	uint8_t key[DDG_NAME_MAXKEY];
	uint16_t end[128];
	int klen, r, d, nend = 0, j;

	/* the filter: most names stop here, after one or two labels */
	filt = filter_of(list);
	r = ddg_sfilter_probe(filt, qname, qname_len, &hit);
	if(r < 0 || !list || list->n == 0)
		return r;
	if(!filt) {
		/* no filter yet: every suffix is a candidate */
		for(d = 1; d <= hit.labels && d <= list->maxlabels; d++)
			hit.cand[(d - 1) >> 6] |= 1ULL << ((d - 1) & 63);
	} else if(r == 0)
		return 0;
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
