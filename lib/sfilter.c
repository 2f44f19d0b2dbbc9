/**
 * \file sfilter.c
 * The suffix filter (see sfilter.h): a blocked Bloom filter over the
 * suffixes of a set of names, probed once per label from the root.
 */
#include "ddg_config.h"

#include <string.h>
#include <sys/mman.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/sfilter.h"
#include "bytes.h"
#include "image.h"

/** bits of filter per member */
#define BITS_PER_MEMBER 12
/** bits per block: one cache line */
#define BLOCK_BITS 512

static const uint64_t K1 = 0x9fb21c651e98df25ULL;
static const uint64_t K2 = 0x9e3779b97f4a7c15ULL;

/** ASCII lowercase of one byte */
static inline uint8_t
lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

/**
 * The running hash after one more label (its bytes as in the name, any
 * case), root-first: the state of a suffix is a function of its labels,
 * lowercased, alone.  Eight bytes at a time; the last, partial word is
 * read whole when end allows it (the bytes after the label masked off),
 * else byte by byte: the same number either way.
 * @param end: bytes up to end may be read.
 */
static inline uint64_t
label_step(uint64_t h, const uint8_t *p, unsigned len, const uint8_t *end)
{
	unsigned k = 0;
	uint64_t x;
	h = (h ^ (len + 1)) * K1;
	while(k + 8 <= len) {
		memcpy(&x, p + k, 8);
		x |= ddg_bytes_upper(x) >> 2;	/* 0x80 >> 2 = 0x20 */
		h = (h ^ x) * K1;
		h ^= h >> 29;
		k += 8;
	}
	if(k < len) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		if(end - (p + k) >= 8) {
			memcpy(&x, p + k, 8);
			x &= ~(uint64_t)0 >> (8 * (8 - (len - k)));
			x |= ddg_bytes_upper(x) >> 2;
		} else
#else
		(void)end;
#endif
		{
			unsigned i = len;
			x = 0;
			while(i > k)
				x = (x << 8) | lc(p[--i]);
		}
		h = (h ^ x) * K1;
		h ^= h >> 29;
	}
	return h;
}

/** final mix of a suffix's state */
static inline uint64_t
fmix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/** the block of a suffix */
static inline const uint64_t *
block_of(const struct ddg_sfilter *f, uint64_t m)
{
	uint64_t b = ((m >> 32) * (uint64_t)f->nblocks) >> 32;
	return f->bits + b * (BLOCK_BITS / 64);
}

/** bit masks: 4 member bits and 3 ancestor bits, 9-bit positions from g */
#define BIT(w, p) ((w)[(p) >> 6] & (1ULL << ((p) & 63)))
#define SETBIT(w, p) ((w)[(p) >> 6] |= (1ULL << ((p) & 63)))

static inline int
is_member(const uint64_t *w, uint64_t g)
{
	return BIT(w, g & 511) && BIT(w, (g >> 9) & 511) &&
		BIT(w, (g >> 18) & 511) && BIT(w, (g >> 27) & 511);
}

static inline int
is_ancestor(const uint64_t *w, uint64_t g)
{
	return BIT(w, (g >> 36) & 511) && BIT(w, (g >> 45) & 511) &&
		BIT(w, (g >> 54) & 511);
}

/** set the marks of a mixed suffix state m */
static inline void
mark_m(struct ddg_sfilter *f, uint64_t m, int member)
{
	uint64_t g = m * K2;
	uint64_t *w = (uint64_t *)block_of(f, m);
	if(member) {
		SETBIT(w, g & 511);
		SETBIT(w, (g >> 9) & 511);
		SETBIT(w, (g >> 18) & 511);
		SETBIT(w, (g >> 27) & 511);
	} else {
		SETBIT(w, (g >> 36) & 511);
		SETBIT(w, (g >> 45) & 511);
		SETBIT(w, (g >> 54) & 511);
	}
}

/** mark a suffix's state as member (kind 1) or ancestor (kind 0) */
static void
mark(struct ddg_sfilter *f, uint64_t h, int member)
{
	mark_m(f, fmix(h), member);
}

/** queue a mark of a key run: its block is prefetched now and written
 * DDG_SFILTER_PEND marks later */
static inline void
mark_q(struct ddg_sfilter *f, struct ddg_sfilter_key_state *st, uint64_t h,
	int member)
{
	uint64_t m = fmix(h);
	int slot;
	__builtin_prefetch(block_of(f, m), 1);
	if(st->npend == DDG_SFILTER_PEND) {
		mark_m(f, st->pend[st->head], st->pend_member[st->head]);
		st->head = (st->head + 1) % DDG_SFILTER_PEND;
		st->npend--;
	}
	slot = (st->head + st->npend) % DDG_SFILTER_PEND;
	st->pend[slot] = m;
	st->pend_member[slot] = (uint8_t)member;
	st->npend++;
}

void
ddg_sfilter_key_flush(struct ddg_sfilter *f, struct ddg_sfilter_key_state *st)
{
	while(st->npend > 0) {
		mark_m(f, st->pend[st->head], st->pend_member[st->head]);
		st->head = (st->head + 1) % DDG_SFILTER_PEND;
		st->npend--;
	}
}

/** blocks of a filter for n members */
static size_t
nblocks_for(size_t n)
{
	size_t nb;
	if(n == 0)
		return 0;
	if(n > ((size_t)1 << 36))
		n = (size_t)1 << 36;
	nb = (n * BITS_PER_MEMBER + BLOCK_BITS - 1) / BLOCK_BITS;
	return nb > UINT32_MAX ? UINT32_MAX : nb;
}

size_t
ddg_sfilter_size(size_t n)
{
	return nblocks_for(n) * (BLOCK_BITS / 8);
}

void
ddg_sfilter_init_at(struct ddg_sfilter *f, size_t n, void *mem)
{
	memset(f, 0, sizeof(*f));
	f->nblocks = (uint32_t)nblocks_for(n);
	f->bits = f->nblocks ? (uint64_t *)mem : NULL;
}

int
ddg_sfilter_init(struct ddg_sfilter *f, size_t n)
{
	size_t nb, bytes, maplen = 0;
	uint8_t *mem;

	memset(f, 0, sizeof(*f));
	if(n == 0)
		return DDG_OK;
	if(n > ((size_t)1 << 36))
		return DDG_ERR_NOMEM;
	nb = nblocks_for(n);
	bytes = nb * (BLOCK_BITS / 8);
	mem = ddg_image_anon(bytes, &maplen);
	if(!mem)
		return DDG_ERR_NOMEM;
	f->bits = (uint64_t *)(void *)mem;
	f->nblocks = (uint32_t)nb;
	f->maplen = maplen;
	return DDG_OK;
}

void
ddg_sfilter_free(struct ddg_sfilter *f)
{
	if(!f)
		return;
	if(f->maplen)
		(void)munmap(f->bits, f->maplen);
	memset(f, 0, sizeof(*f));
}

size_t
ddg_sfilter_bytes(const struct ddg_sfilter *f)
{
	return f ? (size_t)f->nblocks * (BLOCK_BITS / 8) : 0;
}

void
ddg_sfilter_add_wire(struct ddg_sfilter *f, const uint8_t *wire)
{
	const uint8_t *lab[128], *end;
	int n = 0, i;
	uint64_t h = 0;

	if(!f->nblocks)
		return;
	end = wire;
	while(*end && n < 128) {
		lab[n++] = end;
		end += *end + 1;
	}
	end++;	/* the root label */
	for(i = n - 1; i >= 0; i--) {
		h = label_step(h, lab[i] + 1, lab[i][0], end);
		mark(f, h, i == 0);
	}
}

void
ddg_sfilter_key_state_init(struct ddg_sfilter_key_state *st)
{
	st->n = 0;
	st->npend = 0;
	st->head = 0;
}

void
ddg_sfilter_add_key(struct ddg_sfilter *f, struct ddg_sfilter_key_state *st,
	const uint8_t *key, size_t klen, size_t avail, size_t prev_common)
{
	uint8_t lab[DDG_NAME_MAXLABEL + 1 + 8];
	size_t i = 0;
	int d = 0;
	uint64_t h = 0;

	if(!f->nblocks)
		return;
	/* labels wholly inside the common prefix, ancestors of the previous
	 * key as well: their states are kept and their bits set already */
	while(d < st->n && st->end[d] <= prev_common && st->end[d] < klen) {
		h = st->h[d];
		i = st->end[d];
		if(d == st->n - 1)
			mark_q(f, st, h, 0);	/* the previous member, now
						 * an ancestor too */
		d++;
	}
	while(i < klen && d < 128) {
		unsigned len = 0;
		size_t j = i;
		while(j < klen && key[j] > 1)
			j++;
		if(j >= klen || key[j] == 0) {
			/* no escape: hashed where it is */
			h = label_step(h, key + i, (unsigned)(j - i), key +
				(avail > klen ? avail : klen));
			i = j + 1;
		} else {
			while(i < klen && key[i] != 0 &&
				len <= DDG_NAME_MAXLABEL) {
				uint8_t c = key[i++];
				if(c == 1 && i < klen)
					c = (uint8_t)(key[i++] - 1);
				lab[len++] = c;
			}
			i++;	/* the separator */
			h = label_step(h, lab, len, lab + sizeof(lab));
		}
		st->h[d] = h;
		st->end[d] = (uint16_t)i;
		d++;
		mark_q(f, st, h, i >= klen);
	}
	st->n = d;
}

int
ddg_sfilter_probe(const struct ddg_sfilter *f, const uint8_t *wire,
	size_t len, struct ddg_sfilter_hit *hit)
{
	size_t pos = 0;
	int n = 0, i, found = 0;
	uint64_t h = 0;

	hit->cand[0] = hit->cand[1] = 0;
	/* the labels, validated as ddg_name_wire_len() does */
	for(;;) {
		uint8_t l;
		if(pos >= len)
			return DDG_ERR_SYNTAX;
		l = wire[pos];
		if(l > DDG_NAME_MAXLABEL)
			return DDG_ERR_SYNTAX;
		if(l == 0)
			break;
		if(n >= 127)
			return DDG_ERR_SYNTAX;
		hit->off[n++] = (uint8_t)pos;
		pos += (size_t)l + 1;
		if(pos >= DDG_NAME_MAXWIRE)
			return DDG_ERR_SYNTAX;
	}
	hit->labels = n;
	if(!f || !f->nblocks)
		return 0;
	for(i = n - 1; i >= 0; i--) {
		const uint8_t *p = wire + hit->off[i];
		uint64_t m, g;
		const uint64_t *w;
		int d = n - i;
		h = label_step(h, p + 1, p[0], wire + len);
		m = fmix(h);
		g = m * K2;
		w = block_of(f, m);
		if(is_member(w, g)) {
			hit->cand[(d - 1) >> 6] |= 1ULL << ((d - 1) & 63);
			found = 1;
		}
		if(!is_ancestor(w, g))
			break;	/* nothing listed below this suffix */
	}
	return found;
}
