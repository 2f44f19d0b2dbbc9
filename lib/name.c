/**
 * \file name.c
 * DNS names: presentation and wire form, validation, case folding,
 * canonical order and the lookup key.  See name.h.
 *
 * Lookup key encoding: labels from the root side first; each label's bytes
 * lowercased, 0x00 written as 0x01 0x01 and 0x01 as 0x01 0x02, all other
 * bytes unchanged, then a 0x00 separator.  0x00 thus only appears as the
 * separator and memcmp order of keys equals canonical order of names.
 */
#include <string.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/list_format.h"
#include "bytes.h"

_Static_assert(DDG_NAME_MAXCAT == DDG_LIST_MAXCAT,
	"the category name limit is the list format's");

/** ASCII lowercase of one byte */
static inline uint8_t
lc(uint8_t c)
{
	return (uint8_t)(c + ((unsigned)(c - 'A') < 26u ? 32 : 0));
}

int
ddg_name_from_str(const char *str, uint8_t *wire, size_t *wirelen)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t pos = 0;		/* next free byte in wire */
	size_t lpos;		/* position of the current length byte */
	size_t llen;

	if(!s || !wire || !wirelen)
		return DDG_ERR_INVAL;
	if(s[0] == 0)
		return DDG_ERR_SYNTAX;
	if(s[0] == '.' && s[1] == 0) {
		wire[0] = 0;
		*wirelen = 1;
		return DDG_OK;
	}
	for(;;) {
		/* one label */
		lpos = pos++;
		llen = 0;
		if(lpos >= DDG_NAME_MAXWIRE)
			return DDG_ERR_RANGE;
		while(*s && *s != '.') {
			uint8_t c;
			if(*s == '\\') {
				s++;
				if(*s >= '0' && *s <= '9') {
					unsigned v;
					if(!(s[1] >= '0' && s[1] <= '9') ||
						!(s[2] >= '0' && s[2] <= '9'))
						return DDG_ERR_SYNTAX;
					v = (unsigned)(s[0] - '0') * 100 +
						(unsigned)(s[1] - '0') * 10 +
						(unsigned)(s[2] - '0');
					if(v > 255)
						return DDG_ERR_SYNTAX;
					c = (uint8_t)v;
					s += 3;
				} else if(*s == 0) {
					return DDG_ERR_SYNTAX;
				} else {
					c = *s++;
				}
			} else {
				c = *s++;
			}
			if(llen >= DDG_NAME_MAXLABEL)
				return DDG_ERR_RANGE;
			if(pos >= DDG_NAME_MAXWIRE - 1)
				return DDG_ERR_RANGE;
			wire[pos++] = c;
			llen++;
		}
		if(llen == 0)
			return DDG_ERR_SYNTAX;	/* empty label */
		wire[lpos] = (uint8_t)llen;
		if(*s == 0)
			break;
		s++;	/* the dot */
		if(*s == 0)
			break;	/* trailing dot */
	}
	if(pos >= DDG_NAME_MAXWIRE)
		return DDG_ERR_RANGE;
	wire[pos++] = 0;
	*wirelen = pos;
	return DDG_OK;
}

/** whether a label byte must be escaped in presentation form */
static int
needs_escape(uint8_t c)
{
	switch(c) {
	case '.': case '\\': case '"': case '(': case ')': case ';':
	case '@': case '$': case ' ':
		return 1;
	}
	return 0;
}

int
ddg_name_to_str(const uint8_t *wire, char *out, size_t outlen)
{
	size_t o = 0;
	const uint8_t *p = wire;
	int trunc = 0;

	if(outlen == 0)
		return DDG_ERR_RANGE;
#define PUT(ch) do { if(o + 1 < outlen) out[o++] = (char)(ch); \
	else trunc = 1; } while(0)
	if(*p == 0) {
		PUT('.');
	}
	while(*p) {
		uint8_t len = *p++;
		uint8_t i;
		for(i = 0; i < len; i++) {
			uint8_t c = p[i];
			if(c <= 0x20 || c >= 0x7f) {
				PUT('\\');
				PUT('0' + c / 100);
				PUT('0' + (c / 10) % 10);
				PUT('0' + c % 10);
			} else if(needs_escape(c)) {
				PUT('\\');
				PUT(c);
			} else {
				PUT(c);
			}
		}
		p += len;
		PUT('.');
	}
#undef PUT
	out[o] = 0;
	if(trunc)
		return DDG_ERR_RANGE;
	return (int)o;
}

int
ddg_name_wire_len(const uint8_t *wire, size_t max)
{
	size_t pos = 0;

	if(!wire)
		return DDG_ERR_SYNTAX;
	for(;;) {
		uint8_t len;
		if(pos >= max)
			return DDG_ERR_SYNTAX;
		len = wire[pos];
		if(len > DDG_NAME_MAXLABEL)
			return DDG_ERR_SYNTAX;	/* pointer or bad type */
		if(len == 0) {
			pos++;
			break;
		}
		pos += (size_t)len + 1;
		if(pos >= DDG_NAME_MAXWIRE)
			return DDG_ERR_RANGE;
	}
	if(pos > DDG_NAME_MAXWIRE)
		return DDG_ERR_RANGE;
	return (int)pos;
}

int
ddg_name_label_count(const uint8_t *wire)
{
	int n = 0;
	while(*wire) {
		n++;
		wire += *wire + 1;
	}
	return n;
}

void
ddg_name_tolower(uint8_t *wire)
{
	while(*wire) {
		uint8_t len = *wire++;
		uint8_t i;
		for(i = 0; i < len; i++)
			wire[i] = lc(wire[i]);
		wire += len;
	}
}

/** collect label start offsets; returns count */
static int
label_starts(const uint8_t *wire, const uint8_t **lab)
{
	int n = 0;
	while(*wire && n < 128) {
		lab[n++] = wire;
		wire += *wire + 1;
	}
	return n;
}

int
ddg_name_canon_cmp(const uint8_t *a, const uint8_t *b)
{
	const uint8_t *la[128], *lb[128];
	int na = label_starts(a, la);
	int nb = label_starts(b, lb);
	int i = na - 1, j = nb - 1;

	while(i >= 0 && j >= 0) {
		uint8_t alen = la[i][0], blen = lb[j][0];
		uint8_t m = alen < blen ? alen : blen;
		uint8_t k;
		for(k = 1; k <= m; k++) {
			uint8_t ca = lc(la[i][k]), cb = lc(lb[j][k]);
			if(ca != cb)
				return ca < cb ? -1 : 1;
		}
		if(alen != blen)
			return alen < blen ? -1 : 1;
		i--;
		j--;
	}
	if(i >= 0)
		return 1;
	if(j >= 0)
		return -1;
	return 0;
}

int
ddg_name_is_subdomain(const uint8_t *name, const uint8_t *zone)
{
	int nn = ddg_name_label_count(name);
	int nz = ddg_name_label_count(zone);
	int i;

	if(nn < nz)
		return 0;
	for(i = 0; i < nn - nz; i++)
		name += *name + 1;
	/* same label count: compare bytewise, case-insensitively */
	while(*name) {
		uint8_t len = *name, k;
		if(len != *zone)
			return 0;
		for(k = 1; k <= len; k++)
			if(lc(name[k]) != lc(zone[k]))
				return 0;
		name += len + 1;
		zone += len + 1;
	}
	return 1;
}

int
ddg_name_key(const uint8_t *wire, uint8_t *key)
{
	const uint8_t *lab[128];
	int n = label_starts(wire, lab);
	int i, o = 0;

	for(i = n - 1; i >= 0; i--) {
		const uint8_t *p = lab[i];
		unsigned len = *p++, k = 0;
		/* eight bytes at a time while none is 0x00 or 0x01 */
		while(k + 8 <= len) {
			uint64_t x;
			memcpy(&x, p + k, 8);
			if(ddg_bytes_zero(x & 0xfefefefefefefefeULL))
				break;
			x |= ddg_bytes_upper(x) >> 2;	/* 0x80 >> 2 = 0x20 */
			memcpy(key + o, &x, 8);
			o += 8;
			k += 8;
		}
		for(; k < len; k++) {
			uint8_t c = lc(p[k]);
			if(__builtin_expect(c <= 1, 0)) {
				key[o++] = 1;
				key[o++] = (uint8_t)(c + 1);
			} else {
				key[o++] = c;
			}
		}
		key[o++] = 0;
	}
	return o;
}

int
ddg_name_from_key(const uint8_t *key, size_t keylen, uint8_t *wire)
{
	/* labels in the key are root-first; decode into a scratch buffer of
	 * reversed labels, then reverse the label order */
	uint8_t lab[DDG_NAME_MAXWIRE];
	size_t starts[128];
	int n = 0;
	size_t i = 0, o = 0, w = 0;
	int j;

	while(i < keylen) {
		size_t start = o, llen = 0;
		if(n >= 127)
			return DDG_ERR_CORRUPT;
		while(i < keylen && key[i] != 0) {
			uint8_t c = key[i++];
			if(c == 1) {
				if(i >= keylen || (key[i] != 1 && key[i] != 2))
					return DDG_ERR_CORRUPT;
				c = (uint8_t)(key[i++] - 1);
			} else if(c >= 'A' && c <= 'Z') {
				return DDG_ERR_CORRUPT;	/* not folded */
			}
			if(llen >= DDG_NAME_MAXLABEL || o + 1 >= sizeof(lab))
				return DDG_ERR_CORRUPT;
			lab[o++] = c;
			llen++;
		}
		if(i >= keylen || llen == 0)
			return DDG_ERR_CORRUPT;	/* no separator / empty */
		i++;	/* separator */
		starts[n++] = start;
		/* wire needs llen + 1 per label plus root */
		w += llen + 1;
		if(w + 1 > DDG_NAME_MAXWIRE)
			return DDG_ERR_CORRUPT;
	}
	starts[n] = o;
	w = 0;
	for(j = n - 1; j >= 0; j--) {
		size_t len = starts[j + 1] - starts[j];
		wire[w++] = (uint8_t)len;
		memcpy(wire + w, lab + starts[j], len);
		w += len;
	}
	wire[w++] = 0;
	return (int)w;
}

size_t
ddg_name_category_span(const char *s, size_t len)
{
	size_t i;

	for(i = 0; i < len; i++) {
		char c = s[i];
		if(!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_' ||
			c == '.'))
			break;
	}
	return i;
}

int
ddg_name_category_ok(const char *s, size_t len)
{
	return len >= 1 && len <= DDG_NAME_MAXCAT &&
		ddg_name_category_span(s, len) == len;
}
