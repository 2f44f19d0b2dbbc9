/**
 * \file sketch.c
 * SipHash-2-4, distinct counters (exact, then HyperLogLog), the
 * Space-Saving table and the fingerprint set.  See sketch.h.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dyndns-guard/sketch.h"

/* ---- SipHash-2-4 (Aumasson, Bernstein) ---- */

/** rotate left */
#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

/** one SipRound */
#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while(0)

/** little-endian 64-bit load */
static uint64_t
le64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
		(uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
		(uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
		(uint64_t)p[7] << 56;
}

uint64_t
ddg_siphash(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *in = data;
	uint64_t k0 = le64(key), k1 = le64(key + 8), m, b;
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	size_t i, left = len & 7;
	const uint8_t *end = in + (len - left);

	b = (uint64_t)len << 56;
	for(; in != end; in += 8) {
		m = le64(in);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for(i = 0; i < left; i++)
		b |= (uint64_t)in[i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* ---- distinct counter ---- */

/** registers of the HyperLogLog sketch */
#define HLL_M (1u << DDG_DISTINCT_HLL_P)

/** Put one hash into the registers. */
static void
hll_add(uint8_t *reg, uint64_t h)
{
	uint32_t idx = (uint32_t)(h >> (64 - DDG_DISTINCT_HLL_P));
	uint64_t rest = h << DDG_DISTINCT_HLL_P;
	uint8_t rank = 1;

	while(rank <= 64 - DDG_DISTINCT_HLL_P && !(rest & (1ULL << 63))) {
		rank++;
		rest <<= 1;
	}
	if(reg[idx] < rank)
		reg[idx] = rank;
}

/** slots of the exact hash set */
#define EXACT_SLOTS (2 * DDG_DISTINCT_EXACT)

/** Put h into the exact set; returns 1 when new. */
static int
exact_put(uint64_t *set, uint64_t h)
{
	size_t i;

	if(h == 0)
		h = 1;
	i = (size_t)(h >> 40) & (EXACT_SLOTS - 1);
	while(set[i]) {
		if(set[i] == h)
			return 0;
		i = (i + 1) & (EXACT_SLOTS - 1);
	}
	set[i] = h;
	return 1;
}

int
ddg_distinct_add(struct ddg_distinct *d, uint64_t h)
{
	uint32_t i;

	if(d->hll) {
		hll_add(d->hll, h);
		return 0;
	}
	if(!d->exact) {
		for(i = 0; i < d->n; i++)
			if(d->inl[i] == h)
				return 0;
		if(d->n < DDG_DISTINCT_INLINE) {
			d->inl[d->n++] = h;
			return 0;
		}
		d->exact = calloc(EXACT_SLOTS, sizeof(uint64_t));
		if(!d->exact)
			return -1;
		for(i = 0; i < d->n; i++)
			exact_put(d->exact, d->inl[i]);
	}
	if(d->n < DDG_DISTINCT_EXACT) {
		d->n += (uint32_t)exact_put(d->exact, h);
		return 0;
	}
	{
		/* a 65th value?  (the set is full at DDG_DISTINCT_EXACT) */
		uint64_t x = h ? h : 1;
		size_t k = (size_t)(x >> 40) & (EXACT_SLOTS - 1);
		while(d->exact[k]) {
			if(d->exact[k] == x)
				return 0;
			k = (k + 1) & (EXACT_SLOTS - 1);
		}
	}
	/* more than exact: switch to the sketch */
	d->hll = calloc(1, HLL_M);
	if(!d->hll)
		return -1;
	for(i = 0; i < EXACT_SLOTS; i++)
		if(d->exact[i])
			hll_add(d->hll, d->exact[i]);
	free(d->exact);
	d->exact = NULL;
	hll_add(d->hll, h);
	return 0;
}

uint64_t
ddg_distinct_count(const struct ddg_distinct *d, int *estimated)
{
	double sum = 0, m = HLL_M, e, alpha;
	uint32_t i, zeros = 0;

	if(estimated)
		*estimated = d->hll != NULL;
	if(!d->hll)
		return d->n;
	for(i = 0; i < HLL_M; i++) {
		sum += ldexp(1.0, -(int)d->hll[i]);
		if(d->hll[i] == 0)
			zeros++;
	}
	alpha = 0.7213 / (1 + 1.079 / m);
	e = alpha * m * m / sum;
	if(e <= 2.5 * m && zeros > 0)
		e = m * log(m / zeros); /* linear counting */
	if(e < DDG_DISTINCT_EXACT + 1)
		e = DDG_DISTINCT_EXACT + 1; /* it held more than that */
	return (uint64_t)(e + 0.5);
}

void
ddg_distinct_clear(struct ddg_distinct *d)
{
	free(d->exact);
	free(d->hll);
	memset(d, 0, sizeof(*d));
}

/* ---- Space-Saving table ---- */

/** a heap position: an entry's count and index */
struct hnode {
	/** the count (a copy of the entry's) */
	uint64_t count;
	/** the entry */
	uint32_t idx;
};

/** a slot of the hash index */
struct hslot {
	/** entry index + 1, 0 for an empty slot */
	uint32_t idx1;
	/** the low 32 bits of the key's hash: its home slot, and a filter
	 * that spares reading the entry on most mismatches */
	uint32_t hlo;
};

struct ddg_sstab {
	/** most keys */
	size_t cap;
	/** keys now */
	size_t size;
	/** bytes per entry: header and payload, aligned */
	size_t stride;
	/** bytes of the payload */
	size_t payload_size;
	/** cap entries */
	unsigned char *entries;
	/** min-heap of the entries by count (the counts kept here too, so
	 * that sifting reads no entry) */
	struct hnode *heap;
	/** hash index (linear probing) */
	struct hslot *slots;
	/** number of slots - 1 (a power of two - 1) */
	size_t mask;
	/** keys evicted */
	uint64_t evicted;
	/** payload destructor */
	void (*clear)(void *);
	/** the hash key */
	uint8_t seed[16];
};

/** offset of the payload in an entry */
#define HDR ((sizeof(struct ddg_sstab_entry) + 15) & ~(size_t)15)

/** entry by index */
static struct ddg_sstab_entry *
ent(const struct ddg_sstab *t, uint32_t i)
{
	return (struct ddg_sstab_entry *)(void *)(t->entries +
		(size_t)i * t->stride);
}

struct ddg_sstab *
ddg_sstab_new(size_t capacity, size_t payload_size,
	void (*clear)(void *payload), const uint8_t seed[16])
{
	struct ddg_sstab *t;
	size_t nslots = 16;

	if(capacity < 1 || capacity > ((size_t)1 << 30))
		return NULL;
	t = calloc(1, sizeof(*t));
	if(!t)
		return NULL;
	t->cap = capacity;
	t->payload_size = payload_size;
	t->stride = HDR + ((payload_size + 15) & ~(size_t)15);
	t->clear = clear;
	memcpy(t->seed, seed, 16);
	while(nslots < capacity * 2)
		nslots *= 2;
	t->mask = nslots - 1;
	/* large blocks come from mmap: pages are touched only when used */
	t->entries = calloc(capacity, t->stride);
	t->heap = calloc(capacity, sizeof(struct hnode));
	t->slots = calloc(nslots, sizeof(struct hslot));
	if(!t->entries || !t->heap || !t->slots) {
		ddg_sstab_free(t);
		return NULL;
	}
	return t;
}

void
ddg_sstab_free(struct ddg_sstab *t)
{
	size_t i;

	if(!t)
		return;
	if(t->entries) {
		for(i = 0; i < t->size; i++) {
			struct ddg_sstab_entry *e = ent(t, (uint32_t)i);
			if(t->clear)
				t->clear(ddg_sstab_payload(e));
			if(e->key != e->inl)
				free(e->key);
		}
	}
	free(t->entries);
	free(t->heap);
	free(t->slots);
	free(t);
}

void *
ddg_sstab_payload(struct ddg_sstab_entry *e)
{
	return (unsigned char *)e + HDR;
}

size_t
ddg_sstab_size(const struct ddg_sstab *t)
{
	return t->size;
}

size_t
ddg_sstab_capacity(const struct ddg_sstab *t)
{
	return t->cap;
}

struct ddg_sstab_entry *
ddg_sstab_at(struct ddg_sstab *t, size_t i)
{
	return ent(t, (uint32_t)i);
}

uint64_t
ddg_sstab_evicted(const struct ddg_sstab *t)
{
	return t->evicted;
}

/** Swap two heap positions. */
static void
heap_swap(struct ddg_sstab *t, uint32_t a, uint32_t b)
{
	struct hnode x = t->heap[a];

	t->heap[a] = t->heap[b];
	t->heap[b] = x;
	ent(t, t->heap[a].idx)->heap = a;
	ent(t, t->heap[b].idx)->heap = b;
}

/** Move a heap position down while a child has a smaller count. */
static void
heap_down(struct ddg_sstab *t, uint32_t i)
{
	for(;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		if(l < t->size && t->heap[l].count < t->heap[m].count)
			m = l;
		if(r < t->size && t->heap[r].count < t->heap[m].count)
			m = r;
		if(m == i)
			return;
		heap_swap(t, i, m);
		i = m;
	}
}

/** Move a heap position up while its parent has a larger count. */
static void
heap_up(struct ddg_sstab *t, uint32_t i)
{
	while(i > 0) {
		uint32_t p = (i - 1) / 2;
		if(t->heap[p].count <= t->heap[i].count)
			return;
		heap_swap(t, i, p);
		i = p;
	}
}

/** The slot of a key, or the empty slot where it would go. */
static size_t
slot_of(const struct ddg_sstab *t, const void *key, size_t len, uint64_t h)
{
	size_t i = (size_t)h & t->mask;
	uint32_t lo = (uint32_t)h;

	while(t->slots[i].idx1) {
		if(t->slots[i].hlo == lo) {
			struct ddg_sstab_entry *e = ent(t,
				t->slots[i].idx1 - 1);
			if(e->hash == h && e->keylen == len &&
				memcmp(e->key, key, len) == 0)
				return i;
		}
		i = (i + 1) & t->mask;
	}
	return i;
}

/** Remove the slot of an entry (linear probing, backward shift). */
static void
slot_remove(struct ddg_sstab *t, struct ddg_sstab_entry *e)
{
	size_t i = slot_of(t, e->key, e->keylen, e->hash), j = i, k;

	t->slots[i].idx1 = 0;
	for(;;) {
		j = (j + 1) & t->mask;
		if(!t->slots[j].idx1)
			return;
		k = (size_t)t->slots[j].hlo & t->mask;
		/* move j back to i unless its home k lies in (i, j] */
		if((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->slots[i] = t->slots[j];
		t->slots[j].idx1 = 0;
		i = j;
	}
}

struct ddg_sstab_entry *
ddg_sstab_find(struct ddg_sstab *t, const void *key, size_t len)
{
	uint64_t h = ddg_siphash(t->seed, key, len);
	size_t i = slot_of(t, key, len, h);

	return t->slots[i].idx1 ? ent(t, t->slots[i].idx1 - 1) : NULL;
}

/** Store a key in an entry: in buf (allocated) or inline when NULL. */
static void
key_set(struct ddg_sstab_entry *e, char *buf, const void *key, size_t len)
{
	e->key = buf ? buf : e->inl;
	memcpy(e->key, key, len);
	e->key[len] = 0;
	e->keylen = (uint32_t)len;
}

struct ddg_sstab_entry *
ddg_sstab_hit(struct ddg_sstab *t, const void *key, size_t len, int *fresh)
{
	uint64_t h = ddg_siphash(t->seed, key, len);
	size_t i = slot_of(t, key, len, h);
	struct ddg_sstab_entry *e;
	uint32_t idx;
	char *k;

	if(t->slots[i].idx1) {
		e = ent(t, t->slots[i].idx1 - 1);
		e->count++;
		t->heap[e->heap].count = e->count;
		heap_down(t, e->heap);
		*fresh = 0;
		return e;
	}
	if(len > UINT32_MAX - 1)
		return NULL;
	if(len < DDG_SSTAB_INLINE)
		k = NULL; /* inline, set below */
	else if(!(k = malloc(len + 1)))
		return NULL;
	if(t->size < t->cap) {
		idx = (uint32_t)t->size++;
		e = ent(t, idx);
		memset(e, 0, t->stride);
		e->count = 1;
		e->heap = idx;
		t->heap[idx].idx = idx;
		t->heap[idx].count = 1;
		e->hash = h;
		key_set(e, k, key, len);
		t->slots[i].idx1 = idx + 1;
		t->slots[i].hlo = (uint32_t)h;
		heap_up(t, idx);
	} else {
		/* full: the key with the smallest count makes room */
		uint64_t min;
		idx = t->heap[0].idx;
		e = ent(t, idx);
		min = e->count;
		slot_remove(t, e);
		if(t->clear)
			t->clear(ddg_sstab_payload(e));
		if(e->key != e->inl)
			free(e->key);
		memset(ddg_sstab_payload(e), 0, t->payload_size);
		e->count = min + 1;
		e->err = min;
		e->hash = h;
		key_set(e, k, key, len);
		/* the slot found before may have moved with the removal */
		i = slot_of(t, key, len, h);
		t->slots[i].idx1 = idx + 1;
		t->slots[i].hlo = (uint32_t)h;
		t->heap[0].count = e->count;
		heap_down(t, 0);
		t->evicted++;
	}
	*fresh = 1;
	return e;
}

/* ---- fingerprint set ---- */

struct ddg_fpset {
	/** slots, 0 empty */
	uint64_t *v;
	/** slots - 1 */
	size_t mask;
	/** members */
	size_t size;
	/** bound */
	size_t max;
	/** not added */
	uint64_t dropped;
};

struct ddg_fpset *
ddg_fpset_new(size_t max)
{
	struct ddg_fpset *s = calloc(1, sizeof(*s));

	if(!s)
		return NULL;
	s->max = max < 16 ? 16 : max;
	s->mask = 1023;
	s->v = calloc(s->mask + 1, sizeof(uint64_t));
	if(!s->v) {
		free(s);
		return NULL;
	}
	return s;
}

void
ddg_fpset_free(struct ddg_fpset *s)
{
	if(!s)
		return;
	free(s->v);
	free(s);
}

/** the slot of fp or the empty slot where it would go */
static size_t
fp_slot(const uint64_t *v, size_t mask, uint64_t fp)
{
	size_t i = (size_t)(fp ^ (fp >> 29)) & mask;

	while(v[i] && v[i] != fp)
		i = (i + 1) & mask;
	return i;
}

int
ddg_fpset_add(struct ddg_fpset *s, uint64_t fp)
{
	size_t i;

	if(fp == 0)
		fp = 1;
	i = fp_slot(s->v, s->mask, fp);
	if(s->v[i])
		return 0;
	if(s->size >= s->max) {
		s->dropped++;
		return -1;
	}
	if((s->size + 1) * 2 > s->mask + 1) {
		size_t nm = s->mask * 2 + 1, k;
		uint64_t *nv = calloc(nm + 1, sizeof(uint64_t));
		if(!nv) {
			s->dropped++;
			return -1;
		}
		for(k = 0; k <= s->mask; k++)
			if(s->v[k])
				nv[fp_slot(nv, nm, s->v[k])] = s->v[k];
		free(s->v);
		s->v = nv;
		s->mask = nm;
		i = fp_slot(s->v, s->mask, fp);
	}
	s->v[i] = fp;
	s->size++;
	return 1;
}

int
ddg_fpset_has(const struct ddg_fpset *s, uint64_t fp)
{
	if(fp == 0)
		fp = 1;
	return s->v[fp_slot(s->v, s->mask, fp)] != 0;
}

size_t
ddg_fpset_size(const struct ddg_fpset *s)
{
	return s->size;
}

uint64_t
ddg_fpset_dropped(const struct ddg_fpset *s)
{
	return s->dropped;
}
