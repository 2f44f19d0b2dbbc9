/**
 * \file list_write.c
 * The .dgl writer.  Layout in list_format.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/list_format.h"
#include "dyndns-guard/sfilter.h"
#include "dyndns-guard/list_write.h"
#include "dyndns-guard/name.h"
#include "bytes.h"

/** keys are stored in blocks that never move */
#define BLOCK_SIZE (1024 * 1024)

/** one added entry */
struct lw_ent {
	const uint8_t *key;	/**< lookup key, in a block */
	uint16_t klen;		/**< key length */
	uint16_t cat;		/**< writer category index */
	uint32_t seq;		/**< insertion order */
	uint64_t tag;		/**< caller tag */
};

/** a block of key storage */
struct lw_block {
	struct lw_block *next;	/**< older block */
	size_t used;		/**< bytes used in data */
	uint8_t data[BLOCK_SIZE];	/**< the keys */
};

/** the writer */
struct ddg_lw {
	struct lw_ent *ent;	/**< entries */
	size_t n, cap;		/**< count, capacity */
	struct lw_block *blk;	/**< newest key block */
	char **cat;		/**< category names */
	size_t ncat;		/**< their count */
	char *src;		/**< source text, lines end in '\n' */
	size_t srclen;		/**< its length */
	uint64_t created;	/**< creation time */
};

struct ddg_lw *
ddg_lw_new(void)
{
	return calloc(1, sizeof(struct ddg_lw));
}

void
ddg_lw_free(struct ddg_lw *lw)
{
	size_t i;

	if(!lw)
		return;
	while(lw->blk) {
		struct lw_block *b = lw->blk;
		lw->blk = b->next;
		free(b);
	}
	for(i = 0; i < lw->ncat; i++)
		free(lw->cat[i]);
	free(lw->cat);
	free(lw->ent);
	free(lw->src);
	free(lw);
}

void
ddg_lw_set_created(struct ddg_lw *lw, uint64_t created)
{
	lw->created = created;
}

int
ddg_lw_add_source(struct ddg_lw *lw, const char *line)
{
	size_t l = strlen(line), i;
	char *s = realloc(lw->src, lw->srclen + l + 2);

	if(!s)
		return DDG_ERR_NOMEM;
	lw->src = s;
	for(i = 0; i < l; i++) {
		unsigned char c = (unsigned char)line[i];
		s[lw->srclen++] = (c < 0x20 && c != '\t') ? '?' : (char)c;
	}
	s[lw->srclen++] = '\n';
	s[lw->srclen] = 0;
	return DDG_OK;
}

int
ddg_lw_category(struct ddg_lw *lw, const char *name, uint16_t *idx)
{
	size_t i;
	char **c;

	if(!ddg_name_category_ok(name, strlen(name)))
		return DDG_ERR_INVAL;
	for(i = 0; i < lw->ncat; i++) {
		if(strcmp(lw->cat[i], name) == 0) {
			*idx = (uint16_t)i;
			return DDG_OK;
		}
	}
	if(lw->ncat >= 65535)
		return DDG_ERR_RANGE;
	c = realloc(lw->cat, (lw->ncat + 1) * sizeof(*c));
	if(!c)
		return DDG_ERR_NOMEM;
	lw->cat = c;
	c[lw->ncat] = strdup(name);
	if(!c[lw->ncat])
		return DDG_ERR_NOMEM;
	*idx = (uint16_t)lw->ncat++;
	return DDG_OK;
}

int
ddg_lw_add(struct ddg_lw *lw, const uint8_t *wire, uint16_t cat,
	uint64_t tag)
{
	uint8_t key[DDG_NAME_MAXKEY];
	int klen;
	struct lw_ent *e;

	if(cat >= lw->ncat || wire[0] == 0)
		return DDG_ERR_INVAL;
	if(lw->n >= UINT32_MAX - 1)
		return DDG_ERR_RANGE;
	klen = ddg_name_key(wire, key);
	if(!lw->blk || lw->blk->used + (size_t)klen > BLOCK_SIZE) {
		struct lw_block *b = malloc(sizeof(*b));
		if(!b)
			return DDG_ERR_NOMEM;
		b->used = 0;
		b->next = lw->blk;
		lw->blk = b;
	}
	if(lw->n == lw->cap) {
		size_t nc = lw->cap ? lw->cap * 2 : 1024;
		struct lw_ent *ne = realloc(lw->ent, nc * sizeof(*ne));
		if(!ne)
			return DDG_ERR_NOMEM;
		lw->ent = ne;
		lw->cap = nc;
	}
	memcpy(lw->blk->data + lw->blk->used, key, (size_t)klen);
	e = &lw->ent[lw->n];
	e->key = lw->blk->data + lw->blk->used;
	e->klen = (uint16_t)klen;
	e->cat = cat;
	e->seq = (uint32_t)lw->n;
	e->tag = tag;
	lw->blk->used += (size_t)klen;
	lw->n++;
	return DDG_OK;
}

/** qsort order: key, then insertion order */
static int
ent_cmp(const void *x, const void *y)
{
	const struct lw_ent *a = x, *b = y;
	int r = ddg_bytes_keycmp(a->key, a->klen, b->key, b->klen);
	if(r)
		return r;
	return a->seq < b->seq ? -1 : (a->seq > b->seq ? 1 : 0);
}

/** a category being sorted */
struct cat_sort {
	const char *name;	/**< its name */
	uint16_t idx;		/**< writer index */
};

/** qsort order of categories by name */
static int
cat_cmp(const void *x, const void *y)
{
	return strcmp(((const struct cat_sort *)x)->name,
		((const struct cat_sort *)y)->name);
}

/** round up to the section alignment */
static size_t
align_sec(size_t v)
{
	return (v + (DDG_LIST_ALIGN - 1)) & ~(size_t)(DDG_LIST_ALIGN - 1);
}

/** the shared-prefix byte of an entry after prev in a block: their
 * common prefix, at most 255 */
static size_t
shared_of(const struct lw_ent *prev, const struct lw_ent *e)
{
	size_t c = 0, m = prev->klen < e->klen ? prev->klen : e->klen;
	if(m > 255)
		m = 255;
	while(c < m && prev->key[c] == e->key[c])
		c++;
	return c;
}

int
ddg_lw_build(struct ddg_lw *lw, ddg_lw_conflict_cb cb, void *arg,
	uint8_t **out, size_t *outlen, struct ddg_lw_stats *st)
{
	struct ddg_lw_stats s;
	uint32_t *keep = NULL, *parent = NULL, nk = 0, nb;
	uint16_t *used = NULL, *remap = NULL, nused = 0;
	uint8_t *buf = NULL;
	size_t i, catsize = 0, srcsize, keysize = 0, off_cat, off_src, off_ent,
		off_idx, off_flt, fltsize, off_key, total;
	uint64_t lvcnt[DDG_LIST_MAXLVL], lvoff[DDG_LIST_MAXLVL], idxsize;
	int nlvl;
	int r = DDG_ERR_NOMEM;

	memset(&s, 0, sizeof(s));
	s.added = lw->n;
	if(lw->n)
		qsort(lw->ent, lw->n, sizeof(*lw->ent), ent_cmp);
	keep = malloc((lw->n ? lw->n : 1) * sizeof(*keep));
	parent = malloc((lw->n ? lw->n : 1) * sizeof(*parent));
	used = calloc(lw->ncat + 1, sizeof(*used));
	remap = calloc(lw->ncat + 1, sizeof(*remap));
	if(!keep || !parent || !used || !remap)
		goto out;
	for(i = 0; i < lw->n; i++) {
		struct lw_ent *e = &lw->ent[i];
		uint32_t k;
		if(i > 0 && ddg_bytes_keycmp(e->key, e->klen, lw->ent[i - 1].key,
			lw->ent[i - 1].klen) == 0) {
			/* the first of the group (lowest seq) is at the
			 * start of the group; find it */
			size_t f = i - 1;
			while(f > 0 && ddg_bytes_keycmp(lw->ent[f - 1].key,
				lw->ent[f - 1].klen, e->key, e->klen) == 0)
				f--;
			if(lw->ent[f].cat == e->cat) {
				s.duplicates++;
			} else {
				s.conflicts++;
				if(cb) {
					uint8_t w[DDG_NAME_MAXWIRE];
					if(ddg_name_from_key(e->key, e->klen,
						w) > 0)
						cb(arg, w, lw->cat[lw->ent[f].cat],
							lw->ent[f].tag,
							lw->cat[e->cat], e->tag);
				}
			}
			continue;
		}
		/* nearest kept enclosing entry */
		k = nk ? nk - 1 : UINT32_MAX;
		while(k != UINT32_MAX) {
			struct lw_ent *a = &lw->ent[keep[k]];
			if(a->klen < e->klen && memcmp(a->key, e->key,
				a->klen) == 0)
				break;
			k = parent[k];
		}
		if(k != UINT32_MAX && lw->ent[keep[k]].cat == e->cat) {
			s.covered++;
			continue;
		}
		keep[nk] = (uint32_t)i;
		parent[nk] = k;
		nk++;
		keysize += e->klen;
		if(!used[e->cat]) {
			used[e->cat] = 1;
			nused++;
		}
	}
	/* used categories sorted by name */
	{
		struct cat_sort *order = malloc((nused ? nused : 1) *
			sizeof(*order));
		uint16_t c, j = 0;
		if(!order)
			goto out;
		for(c = 0; c < lw->ncat; c++) {
			if(used[c]) {
				order[j].name = lw->cat[c];
				order[j++].idx = c;
			}
		}
		qsort(order, nused, sizeof(*order), cat_cmp);
		for(j = 0; j < nused; j++) {
			remap[order[j].idx] = j;
			catsize += strlen(order[j].name) + 1;
		}
		free(order);
		/* keep order[] semantics: write names in sorted order below */
	}
	/* the blocks: front-coded keys, DDG_LIST_BLOCK a block */
	nb = ddg_list_blocks(nk);
	keysize = 0;
	{
		uint32_t j;
		for(j = 0; j < nk; j++) {
			struct lw_ent *e = &lw->ent[keep[j]];
			size_t sh = j % DDG_LIST_BLOCK ? shared_of(
				&lw->ent[keep[j - 1]], e) : 0;
			keysize += 1 + ddg_list_varint_len((uint32_t)(e->klen -
				sh)) + ddg_list_varint_len(remap[e->cat]) +
				(e->klen - sh);
		}
	}
	srcsize = lw->srclen + 1;
	off_cat = DDG_LIST_HDR_SIZE;
	off_src = align_sec(off_cat + catsize);
	off_ent = align_sec(off_src + srcsize);
	off_idx = align_sec(off_ent + (size_t)nb * DDG_LIST_BLKREC_SIZE);
	nlvl = ddg_list_index_layout(nb, lvcnt, lvoff, &idxsize);
	if(idxsize > UINT32_MAX) {
		r = DDG_ERR_RANGE;
		goto out;
	}
	off_flt = align_sec(off_idx + (size_t)idxsize);
	fltsize = ddg_sfilter_size(DDG_LIST_FILTER_MEMBERS(nk));
	off_key = align_sec(off_flt + fltsize);
	total = off_key + keysize;
	if(catsize > UINT32_MAX || srcsize > UINT32_MAX ||
		keysize > UINT32_MAX || off_key > UINT32_MAX ||
		fltsize > UINT32_MAX ||
		(uint64_t)nb * DDG_LIST_BLKREC_SIZE > UINT32_MAX) {
		r = DDG_ERR_RANGE;
		goto out;
	}
	buf = calloc(1, total);
	if(!buf)
		goto out;
	memcpy(buf, DDG_LIST_MAGIC, DDG_LIST_MAGIC_LEN);
	ddg_put32(buf + DDG_LH_VERSION, DDG_LIST_VERSION);
	ddg_put32(buf + DDG_LH_HDRSIZE, DDG_LIST_HDR_SIZE);
	ddg_put32(buf + DDG_LH_FLAGS, 0);
	ddg_put32(buf + DDG_LH_ENTRIES, nk);
	ddg_put32(buf + DDG_LH_CATEGORIES, nused);
	ddg_put64(buf + DDG_LH_FILESIZE, total);
	ddg_put64(buf + DDG_LH_CREATED, lw->created);
	ddg_put32(buf + DDG_LH_CAT_OFF, (uint32_t)off_cat);
	ddg_put32(buf + DDG_LH_CAT_SIZE, (uint32_t)catsize);
	ddg_put32(buf + DDG_LH_SRC_OFF, (uint32_t)off_src);
	ddg_put32(buf + DDG_LH_SRC_SIZE, (uint32_t)srcsize);
	ddg_put32(buf + DDG_LH_BLK_OFF, (uint32_t)off_ent);
	ddg_put32(buf + DDG_LH_BLK_SIZE, (uint32_t)nb * DDG_LIST_BLKREC_SIZE);
	ddg_put32(buf + DDG_LH_KEY_OFF, (uint32_t)off_key);
	ddg_put32(buf + DDG_LH_KEY_SIZE, (uint32_t)keysize);
	ddg_put32(buf + DDG_LH_IDX_OFF, (uint32_t)off_idx);
	ddg_put32(buf + DDG_LH_IDX_SIZE, (uint32_t)idxsize);
	ddg_put32(buf + DDG_LH_FLT_OFF, (uint32_t)off_flt);
	ddg_put32(buf + DDG_LH_FLT_SIZE, (uint32_t)fltsize);
	/* categories, in remapped order */
	{
		size_t o = off_cat;
		uint16_t j, c;
		for(j = 0; j < nused; j++) {
			for(c = 0; c < lw->ncat; c++)
				if(used[c] && remap[c] == j)
					break;
			memcpy(buf + o, lw->cat[c], strlen(lw->cat[c]) + 1);
			o += strlen(lw->cat[c]) + 1;
		}
	}
	if(lw->srclen)
		memcpy(buf + off_src, lw->src, lw->srclen);
	/* block table, blocks, search index level 0 */
	{
		size_t ko = 0;
		uint32_t j;
		for(j = 0; j < nk; j++) {
			struct lw_ent *e = &lw->ent[keep[j]];
			size_t sh = 0;
			uint8_t *o;
			if(j % DDG_LIST_BLOCK == 0) {
				ddg_put32(buf + off_ent + (size_t)(j /
					DDG_LIST_BLOCK) * DDG_LIST_BLKREC_SIZE,
					(uint32_t)ko);
				ddg_put64(buf + off_idx + lvoff[0] +
					(size_t)(j / DDG_LIST_BLOCK) * 8,
					ddg_list_key_prefix(e->key, e->klen));
			} else
				sh = shared_of(&lw->ent[keep[j - 1]], e);
			o = buf + off_key + ko;
			*o++ = (uint8_t)sh;
			o += ddg_list_varint_put(o, (uint32_t)(e->klen - sh));
			o += ddg_list_varint_put(o, remap[e->cat]);
			memcpy(o, e->key + sh, e->klen - sh);
			o += e->klen - sh;
			ko = (size_t)(o - (buf + off_key));
		}
	}
	/* the suffix filter, filled as the reader rebuilds it */
	{
		struct ddg_sfilter f;
		struct ddg_sfilter_key_state *fst = malloc(sizeof(*fst));
		uint32_t j;
		if(!fst) {
			free(buf);
			buf = NULL;
			goto out;
		}
		ddg_sfilter_init_at(&f, DDG_LIST_FILTER_MEMBERS(nk),
			buf + off_flt);
		ddg_sfilter_key_state_init(fst);
		for(j = 0; j < nk; j++) {
			struct lw_ent *e = &lw->ent[keep[j]];
			size_t c = 0;
			if(j > 0) {
				struct lw_ent *pe = &lw->ent[keep[j - 1]];
				size_t m = pe->klen < e->klen ? pe->klen :
					e->klen;
				while(c < m && pe->key[c] == e->key[c])
					c++;
			}
			ddg_sfilter_add_key(&f, fst, e->key, e->klen, e->klen,
				c);
		}
		ddg_sfilter_key_flush(&f, fst);
		free(fst);
	}
	/* search index: padding, then the upper levels */
	{
		int k;
		for(k = 0; k < nlvl; k++) {
			uint8_t *lv = buf + off_idx + lvoff[k];
			uint64_t j, end = k + 1 < nlvl ? lvoff[k + 1] :
				idxsize;
			for(j = 0; j < lvcnt[k]; j++) {
				if(k > 0)
					ddg_put64(lv + j * 8, ddg_get64(buf +
						off_idx + lvoff[k - 1] +
						j * DDG_LIST_FANOUT * 8));
			}
			for(j = lvcnt[k]; lvoff[k] + j * 8 < end; j++)
				ddg_put64(lv + j * 8, DDG_LIST_IDX_PAD);
		}
	}
	if(ddg_list_digest(buf, total, buf + DDG_LH_SHA256) != DDG_OK) {
		free(buf);
		buf = NULL;
		goto out;
	}
	s.written = nk;
	s.categories = nused;
	*out = buf;
	*outlen = total;
	if(st)
		*st = s;
	r = DDG_OK;
out:
	free(keep);
	free(parent);
	free(used);
	free(remap);
	return r;
}
