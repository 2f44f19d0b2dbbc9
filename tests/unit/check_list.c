/**
 * \file check_list.c
 * Unit tests of the .dgl writer and reader: matching, a property test
 * against a simple reference matcher, corrupted files, and an open list
 * whose file is changed on disk afterwards.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/file.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/list_format.h"
#include "dyndns-guard/list_write.h"
#include "dyndns-guard/name.h"

/** an entry given as text */
struct tent {
	const char *name;	/**< presentation */
	const char *cat;	/**< category */
};

/** build a list image from text entries */
static void
build(const struct tent *e, size_t n, const char *source, uint8_t **buf,
	size_t *len)
{
	struct ddg_lw *lw = ddg_lw_new();
	size_t i;

	ck_assert_ptr_nonnull(lw);
	ddg_lw_set_created(lw, 1700000000);
	if(source)
		ck_assert_int_eq(ddg_lw_add_source(lw, source), DDG_OK);
	for(i = 0; i < n; i++) {
		uint8_t w[DDG_NAME_MAXWIRE];
		size_t wl;
		uint16_t c;
		ck_assert_int_eq(ddg_name_from_str(e[i].name, w, &wl), DDG_OK);
		ck_assert_int_eq(ddg_lw_category(lw, e[i].cat, &c), DDG_OK);
		ck_assert_int_eq(ddg_lw_add(lw, w, c, i), DDG_OK);
	}
	ck_assert_int_eq(ddg_lw_build(lw, NULL, NULL, buf, len, NULL), 0);
	ddg_lw_free(lw);
}

static const struct tent basic[] = {
	{ "duckdns.org", "ddns-service" },
	{ "no-ip.com", "ddns-service" },
	{ "evil.duckdns.org", "malware" },
	{ "deep.evil.duckdns.org", "ddns-service" },
	{ "a\\000b.example", "odd" },
	{ "a\\.b.example", "odd" },
	{ "x.y.z.example", "odd" },
};

/** a match case */
struct mcase {
	const char *q;		/**< query, presentation */
	const char *zone;	/**< expected zone (NULL: no match) */
	const char *cat;	/**< expected category */
};

static const struct mcase mcases[] = {
	{ "duckdns.org", "duckdns.org.", "ddns-service" },
	{ "DuckDNS.ORG.", "DuckDNS.ORG.", "ddns-service" },
	{ "foo.duckdns.org", "duckdns.org.", "ddns-service" },
	{ "a.b.c.DUCKDNS.org", "DUCKDNS.org.", "ddns-service" },
	{ "notduckdns.org", NULL, NULL },
	{ "org", NULL, NULL },
	{ ".", NULL, NULL },
	{ "duckdns.org.evil", NULL, NULL },
	{ "evil.duckdns.org", "evil.duckdns.org.", "malware" },
	{ "x.evil.duckdns.org", "evil.duckdns.org.", "malware" },
	{ "deep.evil.duckdns.org", "deep.evil.duckdns.org.", "ddns-service" },
	{ "a.deep.evil.duckdns.org", "deep.evil.duckdns.org.",
		"ddns-service" },
	{ "eviL2.duckdns.org", "duckdns.org.", "ddns-service" },
	{ "deep.other.duckdns.org", "duckdns.org.", "ddns-service" },
	{ "no-ip.com", "no-ip.com.", "ddns-service" },
	{ "xno-ip.com", NULL, NULL },
	{ "a\\000b.example", "a\\000b.example.", "odd" },
	{ "q.a\\000b.example", "a\\000b.example.", "odd" },
	{ "a.example", NULL, NULL },
	{ "a\\000.example", NULL, NULL },
	{ "b.example", NULL, NULL },
	{ "a\\.b.example", "a\\.b.example.", "odd" },
	{ "b.a.example", NULL, NULL },
	{ "z.example", NULL, NULL },
	{ "y.z.example", NULL, NULL },
	{ "w.x.y.z.example", "x.y.z.example.", "odd" },
	{ "zz.example", NULL, NULL },
	{ "aaa", NULL, NULL },
	{ "zzzz", NULL, NULL },
};

START_TEST(test_match)
{
	const struct mcase *c = &mcases[_i];
	uint8_t *buf, w[DDG_NAME_MAXWIRE];
	size_t len, wl;
	struct ddg_list *l;
	struct ddg_list_match m;
	char err[DDG_ERR_LEN];
	int r;

	build(basic, sizeof(basic) / sizeof(basic[0]), "unit test", &buf,
		&len);
	r = ddg_list_open_mem(buf, len, &l, err, sizeof(err));
	ck_assert_msg(r == DDG_OK, "%s", err);
	ck_assert_int_eq(ddg_name_from_str(c->q, w, &wl), DDG_OK);
	memset(&m, 0, sizeof(m));
	r = ddg_list_match(l, w, wl, &m);
	if(!c->zone) {
		ck_assert_msg(r == 0, "%s matched", c->q);
	} else {
		char z[DDG_NAME_MAXSTR];
		ck_assert_msg(r == 1, "%s did not match", c->q);
		ddg_name_to_str(w + m.zone_off, z, sizeof(z));
		ck_assert_str_eq(z, c->zone);
		ck_assert_str_eq(m.category_name, c->cat);
		ck_assert_int_eq(m.zone_labels, ddg_name_label_count(w +
			m.zone_off));
		ck_assert_str_eq(ddg_list_category_name(l, m.category),
			c->cat);
	}
	ddg_list_close(l);
	free(buf);
}
END_TEST

START_TEST(test_match_bad_qname)
{
	uint8_t *buf;
	size_t len;
	struct ddg_list *l;
	struct ddg_list_match m;
	char err[DDG_ERR_LEN];

	build(basic, 2, NULL, &buf, &len);
	ck_assert_int_eq(ddg_list_open_mem(buf, len, &l, err, sizeof(err)),
		DDG_OK);
	ck_assert_int_eq(ddg_list_match(l, (const uint8_t *)"\300\014", 2,
		&m), DDG_ERR_SYNTAX);
	ck_assert_int_eq(ddg_list_match(l, (const uint8_t *)"\3abc", 4, &m),
		DDG_ERR_SYNTAX);
	ck_assert_int_eq(ddg_list_match(l, (const uint8_t *)"", 0, &m),
		DDG_ERR_SYNTAX);
	ddg_list_close(l);
	free(buf);
}
END_TEST

START_TEST(test_info_and_entries)
{
	uint8_t *buf, w[DDG_NAME_MAXWIRE], w2[DDG_NAME_MAXWIRE];
	size_t len, wl;
	struct ddg_list *l;
	struct ddg_list_info info;
	char err[DDG_ERR_LEN], path[] = "/tmp/check_list_XXXXXX";
	uint32_t i, idx;
	uint16_t cat;
	uint32_t par;
	int fd;

	build(basic, sizeof(basic) / sizeof(basic[0]), "src one", &buf, &len);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(ddg_file_write_atomic(path, buf, len, 0644,
		DDG_FILE_SYNC, err, sizeof(err)), DDG_OK);
	ck_assert_int_eq(ddg_list_open(path, &l, err, sizeof(err)), DDG_OK);
	ddg_list_info(l, &info);
	ck_assert_uint_eq(info.version, DDG_LIST_VERSION);
	ck_assert_uint_eq(info.entries, 7);
	ck_assert_uint_eq(info.categories, 3);
	ck_assert_uint_eq(info.created, 1700000000);
	ck_assert_uint_eq(info.file_size, len);
	ck_assert_str_eq(info.sources, "src one\n");
	ck_assert_uint_eq(strlen(info.sha256_hex), 64);
	ck_assert_str_eq(ddg_list_category_name(l, 0), "ddns-service");
	ck_assert_str_eq(ddg_list_category_name(l, 1), "malware");
	ck_assert_str_eq(ddg_list_category_name(l, 2), "odd");
	ck_assert_ptr_null(ddg_list_category_name(l, 3));
	for(i = 0; i < ddg_list_count(l); i++) {
		ck_assert_int_eq(ddg_list_entry(l, i, w, &cat, &par), DDG_OK);
		ck_assert_int_eq(ddg_list_find(l, w, &idx), DDG_OK);
		ck_assert_uint_eq(idx, i);
		if(par != UINT32_MAX) {
			ck_assert_uint_lt(par, i);
			ck_assert_int_eq(ddg_list_entry(l, par, w2, NULL,
				NULL), DDG_OK);
			ck_assert(ddg_name_is_subdomain(w, w2));
		}
	}
	ck_assert_int_eq(ddg_list_entry(l, i, w, &cat, &par), DDG_ERR_RANGE);
	ck_assert_int_eq(ddg_name_from_str("nope.org", w, &wl), DDG_OK);
	ck_assert_int_eq(ddg_list_find(l, w, &idx), DDG_ERR_NOTFOUND);
	ddg_list_close(l);
	unlink(path);
	/* a missing file is an I/O error */
	ck_assert_int_eq(ddg_list_open(path, &l, err, sizeof(err)),
		DDG_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err, path));
	free(buf);
}
END_TEST

START_TEST(test_empty_list)
{
	uint8_t *buf, w[DDG_NAME_MAXWIRE];
	size_t len, wl;
	struct ddg_list *l;
	struct ddg_list_match m;
	char err[DDG_ERR_LEN];

	build(NULL, 0, NULL, &buf, &len);
	ck_assert_int_eq(ddg_list_open_mem(buf, len, &l, err, sizeof(err)),
		DDG_OK);
	ck_assert_uint_eq(ddg_list_count(l), 0);
	ck_assert_int_eq(ddg_name_from_str("a.b", w, &wl), DDG_OK);
	ck_assert_int_eq(ddg_list_match(l, w, wl, &m), 0);
	ddg_list_close(l);
	free(buf);
}
END_TEST

/** dedup, coverage and determinism through the writer */
START_TEST(test_writer_rules)
{
	struct tent in1[] = {
		{ "a.com", "x" }, { "b.a.com", "x" }, { "c.b.a.com", "y" },
		{ "d.c.b.a.com", "x" }, { "e.d.c.b.a.com", "x" },
		{ "A.COM", "x" }, { "z.org", "y" }, { "z.org", "x" },
	};
	struct tent in2[] = {
		{ "z.org", "y" }, { "e.d.c.b.a.com", "x" }, { "a.com", "x" },
		{ "d.c.b.a.com", "x" }, { "z.org", "x" }, { "c.b.a.com", "y" },
		{ "b.a.com", "x" },
	};
	uint8_t *b1, *b2;
	size_t l1, l2;
	struct ddg_lw *lw = ddg_lw_new();
	struct ddg_lw_stats st;
	size_t i;

	for(i = 0; i < sizeof(in1) / sizeof(in1[0]); i++) {
		uint8_t w[DDG_NAME_MAXWIRE];
		size_t wl;
		uint16_t c;
		ck_assert_int_eq(ddg_name_from_str(in1[i].name, w, &wl), 0);
		ck_assert_int_eq(ddg_lw_category(lw, in1[i].cat, &c), 0);
		ck_assert_int_eq(ddg_lw_add(lw, w, c, i), 0);
	}
	ddg_lw_set_created(lw, 1700000000);
	ck_assert_int_eq(ddg_lw_build(lw, NULL, NULL, &b1, &l1, &st), 0);
	ddg_lw_free(lw);
	ck_assert_uint_eq(st.added, 8);
	ck_assert_uint_eq(st.duplicates, 1);	/* A.COM */
	ck_assert_uint_eq(st.conflicts, 1);	/* z.org x */
	ck_assert_uint_eq(st.covered, 2);	/* b.a.com, e.d.c.b.a.com */
	ck_assert_uint_eq(st.written, 4);
	/* different order, same set (the conflict keeps y both times) */
	build(in2, sizeof(in2) / sizeof(in2[0]), NULL, &b2, &l2);
	ck_assert_uint_eq(l1, l2);
	ck_assert_mem_eq(b1, b2, l1);
	free(b1);
	free(b2);
	/* the root and an unknown category are refused */
	lw = ddg_lw_new();
	ck_assert_int_eq(ddg_lw_add(lw, (const uint8_t *)"", 0, 0),
		DDG_ERR_INVAL);
	ck_assert_int_eq(ddg_lw_add(lw, (const uint8_t *)"\1a\0", 0, 0),
		DDG_ERR_INVAL);
	{
		uint16_t c;
		ck_assert_int_eq(ddg_lw_category(lw, "bad cat", &c),
			DDG_ERR_INVAL);
		ck_assert_int_eq(ddg_lw_category(lw, "", &c), DDG_ERR_INVAL);
	}
	ddg_lw_free(lw);
}
END_TEST

/* ------------------------------------------------------------------ */
/* property test */

/** number of random entries and queries */
#define PROP_N 100000

/** reference entry */
struct rent {
	uint8_t w[DDG_NAME_MAXWIRE];	/**< lowercased wire name */
	uint16_t cat;			/**< category */
	uint32_t idx;			/**< input order */
};

static int
rent_cmp(const void *a, const void *b)
{
	return ddg_name_canon_cmp(((const struct rent *)a)->w,
		((const struct rent *)b)->w);
}

/** name, then input order */
static int
rent_cmp_idx(const void *a, const void *b)
{
	const struct rent *x = a, *y = b;
	int r = ddg_name_canon_cmp(x->w, y->w);
	if(r)
		return r;
	return x->idx < y->idx ? -1 : (x->idx > y->idx ? 1 : 0);
}

/** xorshift random */
static uint64_t rs = 88172645463325252ULL;
static uint32_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs >> 11);
}

/** a random label into w at o; returns new o */
static int
rand_label(uint8_t *w, int o)
{
	static const char *pool[] = { "a", "b", "com", "org", "net", "x",
		"dyn", "host", "zz", "q1" };
	uint32_t k = rnd() % 16;
	int len, i;

	if(k < 10) {
		len = (int)strlen(pool[k]);
		w[o] = (uint8_t)len;
		for(i = 0; i < len; i++)	/* random case */
			w[o + 1 + i] = (uint8_t)(rnd() % 2 ? pool[k][i] :
				(pool[k][i] >= 'a' && pool[k][i] <= 'z' ?
				pool[k][i] - 32 : pool[k][i]));
		return o + 1 + len;
	}
	len = 1 + (int)(rnd() % 4);
	w[o] = (uint8_t)len;
	for(i = 0; i < len; i++) {
		uint32_t c = rnd() % 8;
		w[o + 1 + i] = (uint8_t)(c == 0 ? 0 : c == 1 ? 1 : c == 2 ?
			'.' : 'a' + rnd() % 3);
	}
	return o + 1 + len;
}

/** random name of 1..maxl labels */
static int
rand_name(uint8_t *w, int maxl)
{
	int n = 1 + (int)(rnd() % (uint32_t)maxl), o = 0, i;
	for(i = 0; i < n; i++)
		o = rand_label(w, o);
	w[o++] = 0;
	return o;
}

/** reference: longest suffix found in a sorted array */
static const struct rent *
ref_match(const struct rent *arr, size_t n, const uint8_t *q)
{
	const uint8_t *p = q;
	while(*p) {
		struct rent key;
		const struct rent *f;
		memcpy(key.w, p, (size_t)ddg_name_wire_len(p, 255));
		f = bsearch(&key, arr, n, sizeof(*arr), rent_cmp);
		if(f)
			return f;
		p += *p + 1;
	}
	return NULL;
}

START_TEST(test_property)
{
	struct rent *in = malloc(PROP_N * sizeof(*in));
	struct rent *out;
	struct ddg_lw *lw = ddg_lw_new();
	uint8_t *buf;
	size_t len, nin = 0, nout, i, j;

	struct ddg_list *l, *lu;
	uint8_t *ubuf;
	char err[DDG_ERR_LEN];
	uint16_t cats[3];
	uint64_t matched = 0;
	static const char *catn[3] = { "c0", "c1", "c2" };

	ck_assert_ptr_nonnull(in);
	for(i = 0; i < 3; i++)
		ck_assert_int_eq(ddg_lw_category(lw, catn[i], &cats[i]), 0);
	/* entries: 2..5 labels, random category; the first of a name wins */
	for(i = 0; i < PROP_N; i++) {
		uint8_t w[DDG_NAME_MAXWIRE];
		int wl;
		do {
			wl = rand_name(w, 5);
		} while(ddg_name_label_count(w) < 2);
		memcpy(in[nin].w, w, (size_t)wl);
		ddg_name_tolower(in[nin].w);
		in[nin].cat = (uint16_t)(rnd() % 3);
		in[nin].idx = (uint32_t)i;
		ck_assert_int_eq(ddg_lw_add(lw, w, cats[in[nin].cat], i), 0);
		nin++;
	}
	ck_assert_int_eq(ddg_lw_build(lw, NULL, NULL, &buf, &len, NULL), 0);
	ddg_lw_free(lw);
	ck_assert_int_eq(ddg_list_open_mem(buf, len, &l, err, sizeof(err)),
		DDG_OK);
	/* the same bytes at an odd address: the search index is copied to
	 * the heap instead of used in place; both must answer alike */
	ubuf = malloc(len + 1);
	ck_assert_ptr_nonnull(ubuf);
	memcpy(ubuf + 1, buf, len);
	ck_assert_int_eq(ddg_list_open_mem(ubuf + 1, len, &lu, err,
		sizeof(err)), DDG_OK);
	/* reference A: the input set, the first given of a name wins */
	qsort(in, nin, sizeof(*in), rent_cmp_idx);
	{
		size_t w = 0;
		for(i = 0; i < nin; i++) {
			if(w > 0 && ddg_name_canon_cmp(in[w - 1].w, in[i].w)
				== 0)
				continue;
			in[w++] = in[i];
		}
		nin = w;
	}
	/* reference B: the entries of the file */
	nout = ddg_list_count(l);
	out = malloc((nout ? nout : 1) * sizeof(*out));
	ck_assert_ptr_nonnull(out);
	for(i = 0; i < nout; i++) {
		ck_assert_int_eq(ddg_list_entry(l, (uint32_t)i, out[i].w,
			&out[i].cat, NULL), 0);
		if(i > 0)
			ck_assert_int_lt(ddg_name_canon_cmp(out[i - 1].w,
				out[i].w), 0);
	}
	for(j = 0; j < PROP_N; j++) {
		uint8_t q[DDG_NAME_MAXWIRE];
		int ql;
		struct ddg_list_match m;
		const struct rent *ra, *rb;
		int r;
		if(j % 2) {
			/* under a random entry */
			const struct rent *e = &in[rnd() % nin];
			int pre = (int)(rnd() % 3), o = 0, el, k;
			for(k = 0; k < pre; k++)
				o = rand_label(q, o);
			el = ddg_name_wire_len(e->w, 255);
			if(o + el > 255)
				o = 0;
			memcpy(q + o, e->w, (size_t)el);
			ql = o + el;
			/* random case */
			for(k = 0; k < ql; k++)
				if(rnd() % 4 == 0 && q[k] >= 'a' &&
					q[k] <= 'z')
					q[k] = (uint8_t)(q[k] - 32);
		} else {
			ql = rand_name(q, 6);
		}
		r = ddg_list_match(l, q, (size_t)ql, &m);
		{
			struct ddg_list_match mu;
			memset(&mu, 0, sizeof(mu));
			ck_assert_int_eq(ddg_list_match(lu, q, (size_t)ql,
				&mu), r);
			if(r == 1) {
				ck_assert_uint_eq(mu.entry, m.entry);
				ck_assert_uint_eq(mu.zone_off, m.zone_off);
			}
		}
		ra = ref_match(in, nin, q);
		rb = ref_match(out, nout, q);
		ck_assert_int_eq(r, ra != NULL);
		ck_assert_int_eq(r, rb != NULL);
		if(r == 1) {
			/* zone: the file's longest entry */
			ck_assert_int_eq(ddg_name_canon_cmp(q + m.zone_off,
				rb->w), 0);
			ck_assert_uint_eq(m.category, rb->cat);
			/* category: the input's longest entry (after
			 * coverage removal the category is unchanged) */
			ck_assert_str_eq(m.category_name, catn[ra->cat]);
			matched++;
		}
	}
	ck_assert_uint_gt(matched, PROP_N / 4);
	ddg_list_close(l);
	ddg_list_close(lu);
	free(ubuf);
	free(buf);
	free(in);
	free(out);
}
END_TEST

/* ------------------------------------------------------------------ */
/* corrupted files */

static const struct tent small[] = {
	{ "a.com", "cat-a" },
	{ "b.a.com", "cat-b" },
	{ "c.b.a.com", "cat-a" },
	{ "d.c.b.a.com", "cat-b" },
	{ "x.org", "cat-b" },
	{ "y.org", "cat-a" },
};

/** fresh copy of the small list */
static uint8_t *
small_list(size_t *len)
{
	uint8_t *buf;
	build(small, sizeof(small) / sizeof(small[0]), "corrupt test\nline2",
		&buf, len);
	return buf;
}

/** recompute the checksum after a patch */
static void
reseal(uint8_t *b, size_t len)
{
	ck_assert_int_eq(ddg_list_digest(b, len, b + DDG_LH_SHA256), 0);
}

/** open and expect failure with a message part */
static void
expect_fail(const uint8_t *b, size_t len, int code, const char *part,
	const char *what)
{
	struct ddg_list *l = NULL;
	char err[DDG_ERR_LEN];
	int r = ddg_list_open_mem_name(b, len, "t.dgl", &l, err, sizeof(err));

	ck_assert_msg(r == code, "%s: got %d (%s), want %d", what, r,
		r ? err : "ok", code);
	ck_assert_msg(strstr(err, part) != NULL, "%s: message '%s' lacks "
		"'%s'", what, err, part);
	ck_assert_msg(strncmp(err, "t.dgl: ", 7) == 0, "%s: '%s'", what, err);
	ck_assert_msg(strstr(err, "at byte offset ") != NULL, "%s: '%s'",
		what, err);
}

/** the bytes of entry i (its shared-prefix byte) in the blocks section */
static uint8_t *
entp(uint8_t *b, uint32_t i)
{
	uint8_t *p = b + ddg_get32(b + DDG_LH_KEY_OFF) + ddg_get32(b +
		ddg_get32(b + DDG_LH_BLK_OFF) + (i / DDG_LIST_BLOCK) * 4);
	uint32_t k;
	for(k = 0; k < i % DDG_LIST_BLOCK; k++) {
		size_t sl = p[1], o = 2;
		if(sl & 0x80)
			sl = ((sl & 0x7f) << 8) | p[o++];
		o += (p[o] & 0x80) ? 2 : 1;
		p += o + sl;
	}
	return p;
}

/** the category byte of entry i (one-byte lengths and categories) */
static uint8_t *
catp(uint8_t *b, uint32_t i)
{
	return entp(b, i) + 2;
}

/** the suffix bytes of entry i (one-byte lengths and categories) */
static uint8_t *
keyp(uint8_t *b, uint32_t i)
{
	return entp(b, i) + 3;
}

/** a patch case */
struct patch {
	const char *what;		/**< description */
	void (*fn)(uint8_t *b, size_t len);	/**< the patch */
	int reseal;			/**< recompute the checksum */
	int code;			/**< expected error */
	const char *part;		/**< expected message part */
};

static void p_magic(uint8_t *b, size_t l) { (void)l; b[3] ^= 0x20; }
static void p_version(uint8_t *b, size_t l) { (void)l; ddg_put32(b + 8, DDG_LIST_VERSION + 1); }
static void p_version_old(uint8_t *b, size_t l) { (void)l; ddg_put32(b + 8, 1); }
static void p_version_2(uint8_t *b, size_t l) { (void)l; ddg_put32(b + 8, 2); }
static void p_hdrsize(uint8_t *b, size_t l) { (void)l; ddg_put32(b + 12, 64); }
static void p_flags(uint8_t *b, size_t l) { (void)l; b[DDG_LH_FLAGS] |= 4; }
static void p_res1(uint8_t *b, size_t l) { (void)l; b[DDG_LH_RESERVED1] = 1; }
static void p_fltoff(uint8_t *b, size_t l) { (void)l; b[DDG_LH_FLT_OFF] = 1; }
static void p_fltsize(uint8_t *b, size_t l) { (void)l; ddg_put32(b + DDG_LH_FLT_SIZE, ddg_get32(b + DDG_LH_FLT_SIZE) - 64); }
static void p_fltbyte(uint8_t *b, size_t l) { (void)l; b[ddg_get32(b + DDG_LH_FLT_OFF) + 17] ^= 0x40; }
static void p_fsize(uint8_t *b, size_t l) { ddg_put64(b + 32, l + 8); }
static void p_ncat0(uint8_t *b, size_t l) { (void)l; ddg_put32(b + 24, 0); }
static void p_ncatbig(uint8_t *b, size_t l) { (void)l; ddg_put32(b + 24, 70000); }
static void p_nent(uint8_t *b, size_t l) { (void)l; ddg_put32(b + 20, 17); }
static void p_catoff(uint8_t *b, size_t l) { (void)l; ddg_put32(b + 48, 192); }
static void p_catoff_mis(uint8_t *b, size_t l) { (void)l; ddg_put32(b + 48, 136); }
static void p_catsize(uint8_t *b, size_t l) { (void)l; ddg_put32(b + 52, 0xfffffff0u); }
static void p_keyoff_mis(uint8_t *b, size_t l) { (void)l; ddg_put32(b + 72, ddg_get32(b + 72) + 4); }
static void p_srcoff_far(uint8_t *b, size_t l) { ddg_put32(b + 56, (uint32_t)l + 8); }
static void p_catchar(uint8_t *b, size_t l) { (void)l; b[DDG_LIST_HDR_SIZE + 1] = ' '; }
static void p_catnul(uint8_t *b, size_t l)
{
	uint32_t off = ddg_get32(b + 48), sz = ddg_get32(b + 52);
	(void)l;
	b[off + sz - 1] = 'x';
}
static void p_catorder(uint8_t *b, size_t l)
{
	/* "cat-a\0cat-b\0" -> "cat-b\0cat-a\0" */
	(void)l;
	b[DDG_LIST_HDR_SIZE + 4] = 'b';
	b[DDG_LIST_HDR_SIZE + 10] = 'a';
}
static void p_catdup(uint8_t *b, size_t l) { (void)l; b[DDG_LIST_HDR_SIZE + 10] = 'a'; }
static void p_srcnul(uint8_t *b, size_t l)
{
	uint32_t off = ddg_get32(b + 56), sz = ddg_get32(b + 60);
	(void)l;
	b[off + sz - 1] = 'x';
}
static void p_srcctl(uint8_t *b, size_t l) { (void)l; b[ddg_get32(b + 56) + 2] = 0x1b; }
static void p_pad(uint8_t *b, size_t l)
{
	uint32_t off = ddg_get32(b + 56), sz = ddg_get32(b + 60);
	(void)l;
	ck_assert_uint_lt(off + sz, ddg_get32(b + 64));	/* there is a gap */
	b[off + sz] = 1;
}
static void p_keylen0(uint8_t *b, size_t l) { (void)l; entp(b, 2)[1] = 0; }
static void p_keyrange(uint8_t *b, size_t l) { (void)l; entp(b, 5)[1] = 100; }
static void p_keygap(uint8_t *b, size_t l) { (void)l; ddg_put32(b + ddg_get32(b + DDG_LH_BLK_OFF), 1); }
static void p_cat(uint8_t *b, size_t l) { (void)l; *catp(b, 1) = 2; }
static void p_shared0(uint8_t *b, size_t l) { (void)l; entp(b, 0)[0] = 1; }
static void p_shared_long(uint8_t *b, size_t l) { (void)l; entp(b, 5)[0] = 7; }
static void p_trunc_ent(uint8_t *b, size_t l) { (void)l; ddg_put32(b + DDG_LH_ENTRIES, 7); }
static void p_upper(uint8_t *b, size_t l) { (void)l; keyp(b, 4)[4] = 'X'; }
static void p_escape(uint8_t *b, size_t l) { (void)l; keyp(b, 4)[4] = 1; }
static void p_emptylab(uint8_t *b, size_t l) { (void)l; keyp(b, 4)[4] = 0; }
static void p_nosep(uint8_t *b, size_t l) { (void)l; keyp(b, 5)[1] = 'y'; }
static uint8_t *idxp(uint8_t *b, uint32_t i);
static void p_order(uint8_t *b, size_t l)
{
	/* swap keys "org\0x\0" and "org\0y\0" (entry 5 stores "y\0"
	 * after the 4 bytes it shares) */
	(void)l;
	keyp(b, 4)[4] = 'y';
	keyp(b, 5)[0] = 'x';
}
static void p_dupkey(uint8_t *b, size_t l) { (void)l; keyp(b, 5)[0] = 'x'; }
/** search index number i (level 0 starts the section) */
static uint8_t *
idxp(uint8_t *b, uint32_t i)
{
	return b + ddg_get32(b + DDG_LH_IDX_OFF) + (size_t)i * 8;
}
static void p_idx_p0(uint8_t *b, size_t l) { (void)l; idxp(b, 0)[7] ^= 1; }
static void p_idx_p0_low(uint8_t *b, size_t l) { (void)l; idxp(b, 0)[0] ^= 0x80; }
static void p_idx_pad(uint8_t *b, size_t l) { (void)l; idxp(b, 6)[3] = 0; }
static void p_idx_size(uint8_t *b, size_t l)
{
	/* one number less, the last padding number zeroed: the layout of
	 * the sections still holds, the size does not match N */
	(void)l;
	memset(idxp(b, 7), 0, 8);
	ddg_put32(b + DDG_LH_IDX_SIZE, ddg_get32(b + DDG_LH_IDX_SIZE) - 8);
}
static void p_idx_off(uint8_t *b, size_t l) { (void)l; ddg_put32(b + DDG_LH_IDX_OFF, ddg_get32(b + DDG_LH_IDX_OFF) + 8); }
static void p_idx_range(uint8_t *b, size_t l) { (void)l; ddg_put32(b + DDG_LH_IDX_SIZE, 0xffffffc0u); }
static void p_fltrange(uint8_t *b, size_t l) { (void)l; b[DDG_LIST_HDR_SIZE - 1] = 1; }
static void p_sum(uint8_t *b, size_t l) { (void)l; b[DDG_LH_SHA256 + 5] ^= 1; }
static void p_body(uint8_t *b, size_t l) { (void)l; b[ddg_get32(b + 56)] ^= 0x20; }
static void p_created(uint8_t *b, size_t l) { (void)l; b[DDG_LH_CREATED] ^= 1; }
static void p_signed(uint8_t *b, size_t l) { (void)l; b[DDG_LH_FLAGS] ^= 1; }
static void p_trail(uint8_t *b, size_t l) { ddg_put32(b + 76, ddg_get32(b + 76) - 1); (void)l; }

static const struct patch patches[] = {
	{ "magic", p_magic, 0, DDG_ERR_CORRUPT, "bad magic" },
	{ "version", p_version, 0, DDG_ERR_VERSION, "unsupported format version 4" },
	{ "old version", p_version_old, 0, DDG_ERR_VERSION, "unsupported format version 1 (this reads 3)" },
	{ "version 2", p_version_2, 0, DDG_ERR_VERSION, "unsupported format version 2 (this reads 3)" },
	{ "header size", p_hdrsize, 0, DDG_ERR_CORRUPT, "bad header size" },
	{ "flags", p_flags, 0, DDG_ERR_CORRUPT, "unknown flags" },
	{ "reserved 1", p_res1, 0, DDG_ERR_CORRUPT, "reserved header field" },
	{ "filter offset", p_fltoff, 0, DDG_ERR_CORRUPT, "suffix filter section offset" },
	{ "filter size", p_fltsize, 0, DDG_ERR_CORRUPT, "blocks section offset 448 out of place (expected 384)" },
	{ "filter byte", p_fltbyte, 1, DDG_ERR_CORRUPT, "suffix filter byte 17 differs from the filter its entries give" },
	{ "file size", p_fsize, 0, DDG_ERR_CORRUPT, "declared file size" },
	{ "no categories", p_ncat0, 0, DDG_ERR_CORRUPT, "bad category count" },
	{ "many categories", p_ncatbig, 0, DDG_ERR_CORRUPT, "bad category count" },
	{ "entry count", p_nent, 0, DDG_ERR_CORRUPT, "block table size 4 does not match 17 entries (2 blocks)" },
	{ "entry count, one block", p_trunc_ent, 1, DDG_ERR_CORRUPT, "entry 6 truncated" },
	{ "categories offset", p_catoff, 0, DDG_ERR_CORRUPT, "out of place" },
	{ "categories offset misaligned", p_catoff_mis, 0, DDG_ERR_CORRUPT, "categories section offset 136 misaligned" },
	{ "categories size", p_catsize, 0, DDG_ERR_CORRUPT, "out of range of the file" },
	{ "keys offset misaligned", p_keyoff_mis, 0, DDG_ERR_CORRUPT, "misaligned" },
	{ "sources offset", p_srcoff_far, 0, DDG_ERR_CORRUPT, "sources section" },
	{ "category char", p_catchar, 1, DDG_ERR_CORRUPT, "bad name" },
	{ "category NUL", p_catnul, 1, DDG_ERR_CORRUPT, "not NUL-terminated" },
	{ "category order", p_catorder, 1, DDG_ERR_CORRUPT, "out of order or duplicate" },
	{ "category duplicate", p_catdup, 1, DDG_ERR_CORRUPT, "out of order or duplicate" },
	{ "sources NUL", p_srcnul, 1, DDG_ERR_CORRUPT, "sources section not NUL-terminated" },
	{ "sources control", p_srcctl, 1, DDG_ERR_CORRUPT, "control byte 0x1b" },
	{ "padding", p_pad, 1, DDG_ERR_CORRUPT, "nonzero padding" },
	{ "suffix length 0", p_keylen0, 1, DDG_ERR_CORRUPT, "entry 2 key length 8 (shared 8 + suffix 0) out of range" },
	{ "suffix range", p_keyrange, 1, DDG_ERR_CORRUPT, "entry 5 key (100 bytes) out of range of the blocks section" },
	{ "block offset", p_keygap, 1, DDG_ERR_CORRUPT, "block 0 offset 1 is not 0" },
	{ "category index", p_cat, 1, DDG_ERR_CORRUPT, "entry 1 category index 2" },
	{ "shared in a first entry", p_shared0, 1, DDG_ERR_CORRUPT, "entry 0 shares 1 bytes with nothing" },
	{ "shared too long", p_shared_long, 1, DDG_ERR_CORRUPT, "entry 5 shares 7 bytes with a shorter previous key" },
	{ "key upper case", p_upper, 1, DDG_ERR_CORRUPT, "entry 4 invalid key: key is not lowercased" },
	{ "key escape", p_escape, 1, DDG_ERR_CORRUPT, "entry 4 invalid key: key has a bad escape" },
	{ "key empty label", p_emptylab, 1, DDG_ERR_CORRUPT, "entry 4 invalid key: key has an empty label" },
	{ "key separator", p_nosep, 1, DDG_ERR_CORRUPT, "entry 5 invalid key: key does not end" },
	{ "order", p_order, 1, DDG_ERR_CORRUPT, "entry 5 out of order" },
	{ "duplicate key", p_dupkey, 1, DDG_ERR_CORRUPT, "entry 5 out of order" },
	{ "index number", p_idx_p0, 1, DDG_ERR_CORRUPT, "block 0 search index number" },
	{ "index number low", p_idx_p0_low, 1, DDG_ERR_CORRUPT, "block 0 search index number" },
	{ "index padding", p_idx_pad, 1, DDG_ERR_CORRUPT, "search index level 0 padding number 6" },
	{ "index size", p_idx_size, 1, DDG_ERR_CORRUPT, "search index size 56 does not match 6 entries (expected 64)" },
	{ "index offset", p_idx_off, 0, DDG_ERR_CORRUPT, "search index section offset" },
	{ "index range", p_idx_range, 0, DDG_ERR_CORRUPT, "search index section" },
	{ "filter range", p_fltrange, 0, DDG_ERR_CORRUPT, "suffix filter section (offset" },
	{ "checksum field", p_sum, 0, DDG_ERR_CORRUPT, "checksum mismatch" },
	{ "body byte", p_body, 0, DDG_ERR_CORRUPT, "checksum mismatch" },
	{ "created", p_created, 0, DDG_ERR_CORRUPT, "checksum mismatch" },
	{ "signed flag", p_signed, 0, DDG_ERR_CORRUPT, "checksum mismatch" },
	{ "blocks size", p_trail, 0, DDG_ERR_CORRUPT, "trailing bytes after the blocks" },
};

START_TEST(test_patch)
{
	const struct patch *p = &patches[_i];
	size_t len;
	uint8_t *b = small_list(&len);
	struct ddg_list *l;
	char err[DDG_ERR_LEN];

	/* sanity: the unpatched list is valid */
	ck_assert_int_eq(ddg_list_open_mem(b, len, &l, err, sizeof(err)), 0);
	ddg_list_close(l);
	p->fn(b, len);
	if(p->reseal)
		reseal(b, len);
	expect_fail(b, len, p->code, p->part, p->what);
	free(b);
}
END_TEST

/* keys that share more than 255 bytes (labels of 0x00 bytes, escaped to
 * two key bytes each): the shared byte is capped at 255 and the search
 * must still find exactly the entries */
START_TEST(test_long_shared)
{
	static char names[4][1300], q[1300];
	struct tent e[3];
	char lab[64 * 4 + 1];
	uint8_t *buf, w[DDG_NAME_MAXWIRE];
	size_t len, wl;
	struct ddg_list *l;
	struct ddg_list_match m;
	char err[DDG_ERR_LEN];
	uint32_t idx;
	int i;

	for(i = 0; i < 63; i++)
		memcpy(lab + 4 * i, "\\000", 4);
	lab[4 * 63] = 0;
	for(i = 0; i < 3; i++) {
		snprintf(names[i], sizeof(names[i]), "%c.%s.%s.%s.com",
			'a' + 2 * i, lab, lab, lab);
		e[i].name = names[i];
		e[i].cat = i == 1 ? "c2" : "c1";
	}
	build(e, 3, "long", &buf, &len);
	ck_assert_int_eq(ddg_list_open_mem(buf, len, &l, err, sizeof(err)),
		DDG_OK);
	ck_assert_uint_eq(ddg_list_count(l), 3);
	for(i = 0; i < 3; i++) {
		ck_assert_int_eq(ddg_name_from_str(names[i], w, &wl), DDG_OK);
		ck_assert_int_eq(ddg_list_find(l, w, &idx), DDG_OK);
		ck_assert_uint_eq(idx, (uint32_t)i);
		q[0] = 'x';
		q[1] = '.';
		memcpy(q + 2, names[i], strlen(names[i]) + 1);
		ck_assert_int_eq(ddg_name_from_str(q, w, &wl), DDG_OK);
		ck_assert_int_eq(ddg_list_match(l, w, wl, &m), 1);
		ck_assert_uint_eq(m.entry, (uint32_t)i);
		ck_assert_str_eq(m.category_name, i == 1 ? "c2" : "c1");
		/* between and around the entries: no match */
		snprintf(q, sizeof(q), "%c.%s.%s.%s.com", 'b' + 2 * i, lab,
			lab, lab);
		ck_assert_int_eq(ddg_name_from_str(q, w, &wl), DDG_OK);
		ck_assert_int_eq(ddg_list_match(l, w, wl, &m), 0);
		ck_assert_int_eq(ddg_list_find(l, w, &idx), DDG_ERR_NOTFOUND);
	}
	ddg_list_close(l);
	free(buf);
}
END_TEST

/* encodings of the last entry that are one byte longer and decode to
 * the same key, but are not the one form the format allows */
START_TEST(test_reencode)
{
	static const struct {
		uint8_t tail[6];
		const char *part;
	} cases[] = {
		{ { 3, 3, 0xcc, 0, 'y', 0 }, "entry 5 shared prefix 3 is not "
			"the common prefix 4" },
		{ { 4, 0x80, 2, 0xcc, 'y', 0 }, "entry 5 suffix length not in "
			"its shortest form" },
		{ { 4, 2, 0x80, 0xcc, 'y', 0 }, "entry 5 category index not "
			"in its shortest form" },
	};
	size_t len, i;
	uint8_t *b = small_list(&len), *c = malloc(len + 1);
	uint8_t cat = *catp(b, 5);

	ck_assert_ptr_nonnull(c);
	/* the last entry is "org\0y\0": 4 shared, suffix "y\0" */
	ck_assert_ptr_eq(entp(b, 5), b + len - 5);
	ck_assert_uint_eq(b[len - 5], 4);
	ck_assert_uint_eq(b[len - 4], 2);
	for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t k;
		memcpy(c, b, len - 5);
		memcpy(c + len - 5, cases[i].tail, 6);
		for(k = len - 5; k < len + 1; k++)
			if(c[k] == 0xcc)
				c[k] = cat;
		ddg_put64(c + DDG_LH_FILESIZE, len + 1);
		ddg_put32(c + DDG_LH_KEY_SIZE, ddg_get32(c + DDG_LH_KEY_SIZE) +
			1);
		reseal(c, len + 1);
		expect_fail(c, len + 1, DDG_ERR_CORRUPT, cases[i].part,
			cases[i].part);
	}
	free(c);
	free(b);
}
END_TEST

/** a list of 1600 entries, 100 blocks: three search index levels (100,
 * 13, 2) */
static uint8_t *
hundred_list(size_t *len)
{
	static struct tent e[1600];
	static char names[1600][32];
	uint8_t *buf;
	int i;

	for(i = 0; i < 1600; i++) {
		snprintf(names[i], sizeof(names[i]), "h%04d.example", i);
		e[i].name = names[i];
		e[i].cat = i % 3 ? "c1" : "c2";
	}
	build(e, 1600, "levels", &buf, len);
	return buf;
}

/** every entry is found and matched, the index used in place or copied */
static void
check_all_found(const uint8_t *b, size_t len)
{
	struct ddg_list *l;
	char err[DDG_ERR_LEN];
	uint32_t i, idx;

	ck_assert_int_eq(ddg_list_open_mem(b, len, &l, err, sizeof(err)),
		DDG_OK);
	for(i = 0; i < ddg_list_count(l); i++) {
		uint8_t w[DDG_NAME_MAXWIRE], q[DDG_NAME_MAXWIRE + 8];
		struct ddg_list_match m;
		int wl;
		ck_assert_int_eq(ddg_list_entry(l, i, w, NULL, NULL), DDG_OK);
		ck_assert_int_eq(ddg_list_find(l, w, &idx), DDG_OK);
		ck_assert_uint_eq(idx, i);
		wl = ddg_name_wire_len(w, DDG_NAME_MAXWIRE);
		q[0] = 1;
		q[1] = 'Q';
		memcpy(q + 2, w, (size_t)wl);
		ck_assert_int_eq(ddg_list_match(l, q, (size_t)wl + 2, &m), 1);
		ck_assert_uint_eq(m.entry, i);
		ck_assert_uint_eq(m.zone_off, 2);
	}
	ddg_list_close(l);
}

START_TEST(test_index_levels)
{
	size_t len;
	uint8_t *b = hundred_list(&len), *c = malloc(len + 1);
	uint64_t cnt[DDG_LIST_MAXLVL], off[DDG_LIST_MAXLVL], size;
	uint8_t *idx = b + ddg_get32(b + DDG_LH_IDX_OFF);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(ddg_list_index_layout(100, cnt, off, &size), 3);
	ck_assert_uint_eq(cnt[0], 100);
	ck_assert_uint_eq(cnt[1], 13);
	ck_assert_uint_eq(cnt[2], 2);
	ck_assert_uint_eq(off[1], 104 * 8);
	ck_assert_uint_eq(off[2], 104 * 8 + 16 * 8);
	ck_assert_uint_eq(size, 104 * 8 + 16 * 8 + 8 * 8);
	ck_assert_uint_eq(ddg_get32(b + DDG_LH_IDX_SIZE), size);
	ck_assert_uint_eq(ddg_get32(b + DDG_LH_IDX_OFF) % 64, 0);
	ck_assert_uint_eq(ddg_get32(b + DDG_LH_BLK_OFF) % 64, 0);
	/* level k+1 number j is level k number 8j; padding all ones */
	ck_assert_uint_eq(ddg_get64(idx + off[1] + 2 * 8),
		ddg_get64(idx + 16 * 8));
	ck_assert_uint_eq(ddg_get64(idx + off[2] + 1 * 8),
		ddg_get64(idx + off[1] + 8 * 8));
	ck_assert_uint_eq(ddg_get64(idx + off[2] + 7 * 8), UINT64_MAX);
	/* found in place and from an unaligned copy (heap index) */
	check_all_found(b, len);
	memcpy(c + 1, b, len);
	check_all_found(c + 1, len);
	/* each level: a changed number or padding is refused by name */
	{
		static const struct {
			int lvl, num;
			const char *part;
		} cases[] = {
			{ 0, 17, "block 17 search index number" },
			{ 0, 101, "search index level 0 padding number 101" },
			{ 1, 2, "search index level 1 number 2 differs from "
				"block 16" },
			{ 1, 0, "search index level 1 number 0 differs from "
				"block 0" },
			{ 1, 14, "search index level 1 padding number 14" },
			{ 2, 1, "search index level 2 number 1 differs" },
			{ 2, 5, "search index level 2 padding number 5" },
		};
		size_t i;
		for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			memcpy(c, b, len);
			c[ddg_get32(c + DDG_LH_IDX_OFF) + off[cases[i].lvl] +
				(size_t)cases[i].num * 8] ^= 0x10;
			reseal(c, len);
			expect_fail(c, len, DDG_ERR_CORRUPT, cases[i].part,
				cases[i].part);
			/* and from an unaligned copy */
			memmove(c + 1, c, len);
			expect_fail(c + 1, len, DDG_ERR_CORRUPT,
				cases[i].part, cases[i].part);
		}
	}
	free(c);
	free(b);
}
END_TEST

/** a list large enough (over 1 MB) to be hashed by the helper thread */
static uint8_t *
large_list(size_t *len, uint32_t *n)
{
	struct ddg_lw *lw = ddg_lw_new();
	uint16_t c;
	uint32_t i;
	uint8_t *buf;

	ck_assert_ptr_nonnull(lw);
	ddg_lw_set_created(lw, 1700000000);
	ck_assert_int_eq(ddg_lw_category(lw, "big", &c), DDG_OK);
	*n = 160000;
	for(i = 0; i < *n; i++) {
		char name[64];
		uint8_t w[DDG_NAME_MAXWIRE];
		size_t wl;
		snprintf(name, sizeof(name), "host%07u.dyn%03u.example.org",
			i, i % 997);
		ck_assert_int_eq(ddg_name_from_str(name, w, &wl), DDG_OK);
		ck_assert_int_eq(ddg_lw_add(lw, w, c, i), DDG_OK);
	}
	ck_assert_int_eq(ddg_lw_build(lw, NULL, NULL, &buf, len, NULL), 0);
	ddg_lw_free(lw);
	ck_assert_uint_gt(*len, 1024u * 1024);
	return buf;
}

START_TEST(test_large)
{
	size_t len;
	uint32_t n, i;
	uint8_t *b = large_list(&len, &n);
	struct ddg_list *l;
	struct ddg_list_info info;
	char err[DDG_ERR_LEN], path[] = "/tmp/check_list_large_XXXXXX";
	uint8_t md[32];
	int fd;

	/* from a file (mapped, index in place, hashed in parallel) */
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(ddg_file_write_atomic(path, b, len, 0644,
		DDG_FILE_SYNC, err, sizeof(err)), DDG_OK);
	ck_assert_int_eq(ddg_list_open(path, &l, err, sizeof(err)), DDG_OK);
	unlink(path);
	ddg_list_info(l, &info);
	ck_assert_uint_eq(info.entries, n);
	ck_assert_int_eq(ddg_list_digest(b, len, md), DDG_OK);
	ck_assert_mem_eq(md, info.sha256, 32);
	for(i = 0; i < n; i += 997) {
		char name[80];
		uint8_t w[DDG_NAME_MAXWIRE];
		size_t wl;
		struct ddg_list_match m;
		snprintf(name, sizeof(name), "a.b.host%07u.dyn%03u.example.org",
			i, i % 997);
		ck_assert_int_eq(ddg_name_from_str(name, w, &wl), DDG_OK);
		ck_assert_int_eq(ddg_list_match(l, w, wl, &m), 1);
		ck_assert_int_eq(m.zone_labels, 4);
		snprintf(name, sizeof(name), "host%07u.dyn%03u.example.org",
			i, (i + 1) % 997);
		ck_assert_int_eq(ddg_name_from_str(name, w, &wl), DDG_OK);
		ck_assert_int_eq(ddg_list_match(l, w, wl, &m), 0);
	}
	ddg_list_close(l);
	check_all_found(b, len);
	/* a byte only the checksum covers (the creation time): the
	 * checksum from the helper thread refuses it */
	b[DDG_LH_CREATED] ^= 1;
	expect_fail(b, len, DDG_ERR_CORRUPT, "checksum mismatch", "large body");
	b[DDG_LH_CREATED] ^= 1;
	/* a structural defect is reported while the helper hashes */
	*catp(b, 150000) = 7;
	expect_fail(b, len, DDG_ERR_CORRUPT, "entry 150000 category index 7",
		"large entry, second half (the second validation thread)");
	*catp(b, 5000) = 7;
	expect_fail(b, len, DDG_ERR_CORRUPT, "entry 5000 category index 7",
		"large entry: the first defect in file order");
	free(b);
}
END_TEST

/** a list where most blocks share their first 8 and often 16 key bytes
 * (many entries below one provider), with entries right before, inside
 * and after those runs */
static uint8_t *
runs_list(size_t *len, uint32_t *n)
{
	struct ddg_lw *lw = ddg_lw_new();
	static const char *edge[] = { "a.example.org",
		"dyn.example.org", "dyn5.example.org", "zzz.example.org",
		"exam.org", "examplf.org", "b.dyn007.example.org" };
	uint16_t c;
	uint32_t i;
	uint8_t *buf;

	ck_assert_ptr_nonnull(lw);
	ddg_lw_set_created(lw, 1700000000);
	ck_assert_int_eq(ddg_lw_category(lw, "run", &c), DDG_OK);
	*n = 0;
	for(i = 0; i < 40000; i++) {
		char name[64];
		uint8_t w[DDG_NAME_MAXWIRE];
		size_t wl;
		/* dyn000..dyn019: a run of 16 equal bytes each */
		snprintf(name, sizeof(name), "h%05u.dyn%03u.example.org",
			i / 20, i % 20);
		ck_assert_int_eq(ddg_name_from_str(name, w, &wl), DDG_OK);
		ck_assert_int_eq(ddg_lw_add(lw, w, c, *n), DDG_OK);
		(*n)++;
	}
	for(i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
		uint8_t w[DDG_NAME_MAXWIRE];
		size_t wl;
		ck_assert_int_eq(ddg_name_from_str(edge[i], w, &wl), DDG_OK);
		ck_assert_int_eq(ddg_lw_add(lw, w, c, *n), DDG_OK);
		(*n)++;
	}
	ck_assert_int_eq(ddg_lw_build(lw, NULL, NULL, &buf, len, NULL), 0);
	ddg_lw_free(lw);
	return buf;
}

/** the longest match of a name in l: its zone's labels, 0 for none */
static int
match_labels(const struct ddg_list *l, const char *name)
{
	uint8_t w[DDG_NAME_MAXWIRE];
	size_t wl;
	struct ddg_list_match m;
	int r;
	ck_assert_int_eq(ddg_name_from_str(name, w, &wl), DDG_OK);
	r = ddg_list_match(l, w, wl, &m);
	ck_assert_int_ge(r, 0);
	return r == 1 ? m.zone_labels : 0;
}

/* Blocks whose first keys agree in 8 bytes (and in 16) are told apart by
 * the second search numbers, then by their first keys: every entry is
 * found, and names between entries are not. */
START_TEST(test_runs)
{
	size_t len;
	uint32_t n;
	uint8_t *b = runs_list(&len, &n);
	struct ddg_list *l;
	char err[DDG_ERR_LEN];

	check_all_found(b, len);
	ck_assert_int_eq(ddg_list_open_mem(b, len, &l, err, sizeof(err)),
		DDG_OK);
	ck_assert_uint_eq(ddg_list_count(l), 40007);
	/* names between the entries */
	ck_assert_int_eq(match_labels(l, "h00001.dyn020.example.org"), 0);
	ck_assert_int_eq(match_labels(l, "h02000.dyn000.example.org"), 0);
	ck_assert_int_eq(match_labels(l, "aa.example.org"), 0);
	ck_assert_int_eq(match_labels(l, "dyn0.example.org"), 0);
	ck_assert_int_eq(match_labels(l, "zzzz.example.org"), 0);
	ck_assert_int_eq(match_labels(l, "example.org"), 0);
	/* entries at the edges of the runs */
	ck_assert_int_eq(match_labels(l, "x.a.example.org"), 3);
	ck_assert_int_eq(match_labels(l, "x.dyn.example.org"), 3);
	ck_assert_int_eq(match_labels(l, "x.dyn5.example.org"), 3);
	ck_assert_int_eq(match_labels(l, "x.zzz.example.org"), 3);
	ck_assert_int_eq(match_labels(l, "x.b.dyn007.example.org"), 4);
	ck_assert_int_eq(match_labels(l, "x.h01999.dyn019.example.org"), 4);
	ck_assert_int_eq(match_labels(l, "h00000.dyn000.example.org"), 4);
	ck_assert_int_eq(match_labels(l, "exam.org"), 2);
	ck_assert_int_eq(match_labels(l, "examplf.org"), 2);
	ck_assert_int_eq(match_labels(l, "exampla.org"), 0);
	ck_assert_int_eq(match_labels(l, "examplez.org"), 0);
	ddg_list_close(l);
	free(b);
}
END_TEST

/** write b to a new temporary file; its path goes to path */
static void
tmp_list(const uint8_t *b, size_t len, char *path)
{
	char err[DDG_ERR_LEN];
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(ddg_file_write_atomic(path, b, len, 0644,
		DDG_FILE_SYNC, err, sizeof(err)), DDG_OK);
}

/** the same answers from two lists for the entries' neighbours */
static void
same_answers(const struct ddg_list *a, const struct ddg_list *b,
	uint32_t step)
{
	uint32_t i;
	for(i = 0; i < ddg_list_count(a); i += step) {
		uint8_t w[DDG_NAME_MAXWIRE], q[DDG_NAME_MAXWIRE + 8];
		struct ddg_list_match ma, mb;
		int wl, k;
		ck_assert_int_eq(ddg_list_entry(a, i, w, NULL, NULL), DDG_OK);
		wl = ddg_name_wire_len(w, DDG_NAME_MAXWIRE);
		q[0] = 1;
		q[1] = 'Q';
		memcpy(q + 2, w, (size_t)wl);
		for(k = 0; k < 2; k++) {
			/* the entry's subdomain, then the name with its
			 * first label's last letter changed (mostly none) */
			const uint8_t *nm = k == 0 ? q : w;
			size_t nl = k == 0 ? (size_t)wl + 2 : (size_t)wl;
			int ra, rb;
			if(k == 1)
				w[w[0]] ^= 1;
			ra = ddg_list_match(a, nm, nl, &ma);
			rb = ddg_list_match(b, nm, nl, &mb);
			ck_assert_int_eq(ra, rb);
			if(ra == 1) {
				ck_assert_uint_eq(ma.entry, mb.entry);
				ck_assert_int_eq(ma.zone_labels,
					mb.zone_labels);
			}
			ck_assert_int_eq(ddg_list_may_match(b, nm, nl) >= ra,
				1);
		}
	}
}

/* Opened with the filter checked later (as the module does at start), a
 * list gives the same answers before and after the check as a list
 * validated whole. */
START_TEST(test_late_filter)
{
	size_t len;
	uint32_t n;
	uint8_t *b = large_list(&len, &n);
	struct ddg_list *full, *late;
	char err[DDG_ERR_LEN], path[] = "/tmp/check_list_late_XXXXXX";
	uint8_t w[DDG_NAME_MAXWIRE];
	size_t wl;

	tmp_list(b, len, path);
	ck_assert_int_eq(ddg_list_open(path, &full, err, sizeof(err)),
		DDG_OK);
	ck_assert_int_eq(ddg_list_open_flags(path, DDG_LIST_LATE_FILTER,
		&late, NULL, err, sizeof(err)), DDG_OK);
	unlink(path);
	/* before: no filter, so every name may match */
	ck_assert_int_eq(ddg_name_from_str("nothing.example.net", w, &wl),
		DDG_OK);
	ck_assert_int_eq(ddg_list_may_match(late, w, wl), 1);
	ck_assert_int_eq(ddg_list_may_match(full, w, wl), 0);
	same_answers(full, late, 7);
	{
		/* a name of 104 labels below an entry: searched no deeper
		 * than the deepest entry, and still found */
		char deep[300];
		uint8_t dw[DDG_NAME_MAXWIRE];
		size_t dl;
		struct ddg_list_match m;
		int k, o = 0;
		for(k = 0; k < 100; k++)
			o += snprintf(deep + o, sizeof(deep) - (size_t)o, "a.");
		snprintf(deep + o, sizeof(deep) - (size_t)o,
			"host0000998.dyn001.example.org");
		ck_assert_int_eq(ddg_name_from_str(deep, dw, &dl), DDG_OK);
		ck_assert_int_eq(ddg_list_match(late, dw, dl, &m), 1);
		ck_assert_int_eq(m.zone_labels, 4);
	}
	ck_assert_int_eq(ddg_list_check_filter(late, path, err, sizeof(err)),
		DDG_OK);
	/* after: the file's filter, the full list's answers */
	ck_assert_int_eq(ddg_list_may_match(late, w, wl), 0);
	same_answers(full, late, 7);
	/* a second check changes nothing */
	ck_assert_int_eq(ddg_list_check_filter(late, path, err, sizeof(err)),
		DDG_OK);
	ddg_list_close(full);
	ddg_list_close(late);
	free(b);
}
END_TEST

/* A filter that is not the one its entries give: a whole validation
 * refuses the list; a late check says which byte, and lookups go on right
 * with the filter rebuilt from the entries. */
START_TEST(test_late_filter_corrupt)
{
	size_t len;
	uint32_t n, i;
	uint8_t *b = large_list(&len, &n);
	struct ddg_list *late;
	char err[DDG_ERR_LEN], path[] = "/tmp/check_list_latebad_XXXXXX";
	uint32_t fo = ddg_get32(b + DDG_LH_FLT_OFF);

	/* clear every bit of a stretch of the filter: members are lost */
	memset(b + fo + 64 * 10, 0, 64 * 50);
	reseal(b, len);
	expect_fail(b, len, DDG_ERR_CORRUPT, "suffix filter byte",
		"late: whole validation");
	tmp_list(b, len, path);
	ck_assert_int_eq(ddg_list_open_flags(path, DDG_LIST_LATE_FILTER,
		&late, NULL, err, sizeof(err)), DDG_OK);
	unlink(path);
	ck_assert_int_eq(ddg_list_check_filter(late, path, err, sizeof(err)),
		DDG_ERR_CORRUPT);
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_nonnull(strstr(err, "suffix filter byte"));
	/* every entry is still found: the rebuilt filter serves */
	for(i = 0; i < n; i++) {
		uint8_t w[DDG_NAME_MAXWIRE], q[DDG_NAME_MAXWIRE + 8];
		struct ddg_list_match m;
		int wl;
		ck_assert_int_eq(ddg_list_entry(late, i, w, NULL, NULL),
			DDG_OK);
		wl = ddg_name_wire_len(w, DDG_NAME_MAXWIRE);
		q[0] = 1;
		q[1] = 'Q';
		memcpy(q + 2, w, (size_t)wl);
		ck_assert_int_eq(ddg_list_match(late, q, (size_t)wl + 2, &m),
			1);
		ck_assert_uint_eq(m.entry, i);
	}
	ddg_list_close(late);
	free(b);
}
END_TEST

/** a lookup thread of test_late_filter_threads */
struct late_arg {
	const struct ddg_list *l;	/**< the list */
	uint32_t n;			/**< its entries */
	int bad;			/**< wrong answers seen */
	long rounds;			/**< lookups done */
};

static void *
late_reader(void *arg)
{
	struct late_arg *a = arg;
	uint32_t i;
	int pass;
	for(pass = 0; pass < 3; pass++) {
		for(i = 0; i < a->n; i += 13) {
			char name[80];
			uint8_t w[DDG_NAME_MAXWIRE];
			size_t wl;
			struct ddg_list_match m;
			snprintf(name, sizeof(name),
				"a.host%07u.dyn%03u.example.org", i, i % 997);
			if(ddg_name_from_str(name, w, &wl) != DDG_OK ||
				ddg_list_match(a->l, w, wl, &m) != 1 ||
				m.zone_labels != 4)
				a->bad++;
			snprintf(name, sizeof(name),
				"host%07u.dyn%03u.example.org", i,
				(i + 1) % 997);
			if(ddg_name_from_str(name, w, &wl) != DDG_OK ||
				ddg_list_match(a->l, w, wl, &m) != 0)
				a->bad++;
			a->rounds++;
		}
	}
	return NULL;
}

/* Lookups on other threads while the filter is checked and put to use
 * (run under ThreadSanitizer in the TSan build): always the right
 * answer. */
START_TEST(test_late_filter_threads)
{
	size_t len;
	uint32_t n;
	uint8_t *b = large_list(&len, &n);
	struct ddg_list *late;
	char err[DDG_ERR_LEN], path[] = "/tmp/check_list_latemt_XXXXXX";
	struct late_arg a[2];
	pthread_t th[2];
	int k;

	tmp_list(b, len, path);
	ck_assert_int_eq(ddg_list_open_flags(path, DDG_LIST_LATE_FILTER,
		&late, NULL, err, sizeof(err)), DDG_OK);
	unlink(path);
	for(k = 0; k < 2; k++) {
		a[k].l = late;
		a[k].n = n;
		a[k].bad = 0;
		a[k].rounds = 0;
		ck_assert_int_eq(pthread_create(&th[k], NULL, late_reader,
			&a[k]), 0);
	}
	ck_assert_int_eq(ddg_list_check_filter(late, path, err, sizeof(err)),
		DDG_OK);
	for(k = 0; k < 2; k++) {
		pthread_join(th[k], NULL);
		ck_assert_int_eq(a[k].bad, 0);
		ck_assert_int_gt(a[k].rounds, 0);
	}
	ddg_list_close(late);
	free(b);
}
END_TEST

START_TEST(test_truncate)
{
	size_t len, n;
	uint8_t *b = small_list(&len);

	for(n = 0; n < len; n++) {
		uint8_t *c = malloc(n ? n : 1);
		memcpy(c, b, n);
		if(n < DDG_LIST_HDR_SIZE)
			expect_fail(c, n, DDG_ERR_CORRUPT, "truncated header",
				"truncated");
		else
			expect_fail(c, n, DDG_ERR_CORRUPT, "declared file "
				"size", "truncated");
		free(c);
	}
	/* extended */
	{
		uint8_t *c = calloc(1, len + 8);
		memcpy(c, b, len);
		expect_fail(c, len + 8, DDG_ERR_CORRUPT, "declared file size",
			"extended");
		free(c);
	}
	free(b);
}
END_TEST

/** every single-bit flip is rejected: the plain flip by some check, and
 * with the checksum recomputed never crashes (and the header and the
 * index regions are still rejected structurally) */
START_TEST(test_bitflip)
{
	size_t len, pos;
	uint8_t *b = small_list(&len);
	uint8_t *c = malloc(len);
	uint32_t ent_off = ddg_get32(b + DDG_LH_BLK_OFF);
	uint32_t key_off = ddg_get32(b + DDG_LH_KEY_OFF);
	int bit;

	for(pos = 0; pos < len; pos++) {
		for(bit = 0; bit < 8; bit++) {
			struct ddg_list *l = NULL;
			char err[DDG_ERR_LEN];
			int r;
			memcpy(c, b, len);
			c[pos] ^= (uint8_t)(1 << bit);
			r = ddg_list_open_mem(c, len, &l, err, sizeof(err));
			ck_assert_msg(r == DDG_ERR_CORRUPT ||
				r == DDG_ERR_VERSION, "flip %zu/%d accepted",
				pos, bit);
			ck_assert(strstr(err, "at byte offset") != NULL);
			if(pos >= DDG_LH_SHA256 && pos < DDG_LH_SHA256 + 32)
				ck_assert_ptr_nonnull(strstr(err, "checksum"));
			if(pos >= DDG_LH_SHA256 && pos < DDG_LH_SHA256 + 32)
				continue;
			/* structural check with a valid checksum */
			reseal(c, len);
			r = ddg_list_open_mem(c, len, &l, err, sizeof(err));
			if(r == DDG_OK) {
				/* only possible for a flip that leaves a
				 * valid file: the creation time, the
				 * signature flag, text, and bytes of the
				 * blocks (a key byte, an entry's category
				 * index to the other category); never the
				 * other header fields, the block table or
				 * the search index */
				ck_assert_msg((pos >= DDG_LH_CREATED &&
					pos < DDG_LH_CREATED + 8) ||
					(pos == DDG_LH_FLAGS && bit == 0) ||
					(pos >= DDG_LIST_HDR_SIZE &&
					pos < ent_off) || pos >= key_off,
					"flip %zu/%d accepted", pos, bit);
				ddg_list_close(l);
			} else {
				ck_assert_ptr_null(strstr(err, "checksum"));
			}
		}
	}
	free(c);
	free(b);
}
END_TEST

/* ---------------------------------------------------------------- */
/* the file of an open list changes on disk                           */

/** entries of the lists of test_file_changes */
#define FC_N 20000

/** a list of FC_N entries host<i>.dyn<v>.example.net, category cat<v %
 * 3>; variant v gives other names and categories (a different list) */
static uint8_t *
fc_list(int v, size_t *len)
{
	struct ddg_lw *lw = ddg_lw_new();
	uint16_t c[3];
	uint32_t i;
	uint8_t *buf;

	ck_assert_ptr_nonnull(lw);
	ddg_lw_set_created(lw, 1700000000 + (uint64_t)v);
	ck_assert_int_eq(ddg_lw_category(lw, "cat0", &c[0]), DDG_OK);
	ck_assert_int_eq(ddg_lw_category(lw, "cat1", &c[1]), DDG_OK);
	ck_assert_int_eq(ddg_lw_category(lw, "cat2", &c[2]), DDG_OK);
	for(i = 0; i < FC_N; i++) {
		char name[64];
		uint8_t w[DDG_NAME_MAXWIRE];
		size_t wl;
		snprintf(name, sizeof(name), "host%06u.dyn%d.example.net",
			v ? i * 2 + 1 : i * 2, v);
		ck_assert_int_eq(ddg_name_from_str(name, w, &wl), DDG_OK);
		ck_assert_int_eq(ddg_lw_add(lw, w, c[(i + (uint32_t)v) % 3],
			i), DDG_OK);
	}
	ck_assert_int_eq(ddg_lw_build(lw, NULL, NULL, &buf, len, NULL), 0);
	ddg_lw_free(lw);
	return buf;
}

/** write all of buf to path in place: the same file (inode), truncated
 * first when trunc is set, as `cp` and `curl -o` do */
static void
fc_write_in_place(const char *path, const uint8_t *buf, size_t len,
	int trunc)
{
	int fd = open(path, O_WRONLY | (trunc ? O_TRUNC : 0));
	size_t o = 0;

	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	while(o < len) {
		ssize_t n = write(fd, buf + o, len - o);
		ck_assert_int_gt(n, 0);
		o += (size_t)n;
	}
	ck_assert_int_eq(close(fd), 0);
}

/** the answers of list variant 0, checked in a child process: exits 0
 * when all are right, 1 when an answer is wrong, 2 when the bytes in use
 * are not the validated ones */
static void
fc_lookups(const struct ddg_list *l, const uint8_t *md)
{
	uint32_t i;
	const uint8_t *d;
	size_t dl;
	uint8_t now[32];

	for(i = 0; i < FC_N * 2; i += 7) {
		char name[80];
		uint8_t w[DDG_NAME_MAXWIRE];
		size_t wl;
		struct ddg_list_match m;
		int r, want = (i % 2) == 0;
		char cat[8];
		snprintf(name, sizeof(name), "a.host%06u.dyn0.example.net", i);
		if(ddg_name_from_str(name, w, &wl) != DDG_OK)
			_exit(1);
		r = ddg_list_match(l, w, wl, &m);
		if(r != want)
			_exit(1);
		snprintf(cat, sizeof(cat), "cat%u", (i / 2) % 3);
		if(r == 1 && (m.zone_labels != 4 ||
			strcmp(m.category_name, cat) != 0 || m.entry != i / 2))
			_exit(1);
	}
	d = ddg_list_data(l, &dl);
	if(ddg_list_digest(d, dl, now) != DDG_OK || memcmp(now, md, 32) != 0 ||
		memcmp(d + DDG_LH_SHA256, md, 32) != 0)
		_exit(2);
	_exit(0);
}

/** the ways a list file is changed under an open list */
enum fc_change {
	FC_TRUNC0,	/**< truncated in place to 0 bytes (`: > FILE`) */
	FC_TRUNCHALF,	/**< truncated in place to half its size */
	FC_GARBAGE,	/**< garbage written in place at several offsets */
	FC_CP_OTHER,	/**< another valid list copied over it in place */
	FC_CP_PARTIAL,	/**< the first half of another list written in
			     place over it (an interrupted cp) */
	FC_GROW,	/**< bytes appended */
	FC_UNLINK,	/**< deleted */
	FC_RENAME,	/**< another list renamed over it */
	FC_NCHANGE
};
static const char *const fc_names[FC_NCHANGE] = { "truncated to 0 bytes",
	"truncated to half", "garbage in place", "other list copied over it",
	"half of another list written over it", "bytes appended", "deleted",
	"other list renamed over it" };

/**
 * An open list keeps its validated bytes whatever happens to its file:
 * lookups give the original answers, do not crash, and the bytes in use
 * still have the validated checksum.  The lookups run in a forked child,
 * so that a list read from a changed file (SIGBUS after truncation,
 * SIGSEGV after garbage) fails this test with the signal named instead of
 * killing the runner, also with CK_FORK=no.  Reopening the changed file
 * gives the defect (or the new list).
 */
START_TEST(test_file_changes)
{
	enum fc_change ch = (enum fc_change)_i;
	char path[] = "/tmp/check_list_fc_XXXXXX", err[DDG_ERR_LEN];
	char other[sizeof(path) + 8];
	size_t len, olen;
	uint8_t *b = fc_list(0, &len), *ob = fc_list(1, &olen), md[32];
	struct ddg_list *l = NULL, *l2 = NULL;
	struct ddg_list_info info;
	pid_t pid;
	int fd, status = 0, r;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(ddg_file_write_atomic(path, b, len, 0644,
		DDG_FILE_SYNC, err, sizeof(err)), DDG_OK);
	r = ddg_list_open(path, &l, err, sizeof(err));
	ck_assert_msg(r == DDG_OK, "%s", err);
	ck_assert_int_eq(ddg_list_digest(b, len, md), DDG_OK);
	ddg_list_info(l, &info);
	ck_assert_mem_eq(info.sha256, md, 32);

	switch(ch) {
	case FC_TRUNC0:
		ck_assert_int_eq(truncate(path, 0), 0);
		break;
	case FC_TRUNCHALF:
		ck_assert_int_eq(truncate(path, (off_t)len / 2), 0);
		break;
	case FC_GARBAGE: {
		/* the block table, the search index, the blocks, the header */
		static const uint8_t junk[16] = { 0xff, 0xff, 0xff, 0x7f,
			0xff, 0xff, 0x00, 0x10, 0xff, 0xff, 0xff, 0xff,
			0x55, 0xaa, 0x55, 0xaa };
		size_t offs[8], k;
		offs[0] = ddg_get32(b + DDG_LH_BLK_OFF);
		offs[1] = offs[0] + 1000 * DDG_LIST_BLKREC_SIZE;
		offs[2] = ddg_get32(b + DDG_LH_IDX_OFF);
		offs[3] = offs[2] + 8 * 3000;
		offs[4] = ddg_get32(b + DDG_LH_KEY_OFF) + 100;
		offs[5] = len - 16;
		offs[6] = DDG_LH_BLK_OFF;
		offs[7] = DDG_LH_IDX_OFF;
		fd = open(path, O_WRONLY);
		ck_assert_int_ge(fd, 0);
		for(k = 0; k < 8; k++)
			ck_assert_int_eq(pwrite(fd, junk, sizeof(junk),
				(off_t)offs[k]), (ssize_t)sizeof(junk));
		close(fd);
		break;
	}
	case FC_CP_OTHER:
		fc_write_in_place(path, ob, olen, 1);
		break;
	case FC_CP_PARTIAL:
		fc_write_in_place(path, ob, olen / 2, 0);
		break;
	case FC_GROW:
		fd = open(path, O_WRONLY | O_APPEND);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, "more bytes", 10), 10);
		close(fd);
		break;
	case FC_UNLINK:
		ck_assert_int_eq(unlink(path), 0);
		break;
	case FC_RENAME:
		snprintf(other, sizeof(other), "%s.new", path);
		ck_assert_int_eq(ddg_file_write_atomic(other, ob, olen, 0644,
			DDG_FILE_SYNC, err, sizeof(err)), DDG_OK);
		ck_assert_int_eq(rename(other, path), 0);
		break;
	case FC_NCHANGE:
		break;
	}

	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if(pid == 0)
		fc_lookups(l, md);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(!WIFSIGNALED(status), "%s: lookups killed by signal "
		"%d (%s): the list is read from the changed file",
		fc_names[ch], WIFSIGNALED(status) ? WTERMSIG(status) : 0,
		WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "");
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"%s: %s", fc_names[ch], WEXITSTATUS(status) == 2 ?
		"the bytes in use are not the validated ones" :
		"a lookup gave another answer than before the change");
	/* the open list still describes what was validated */
	ddg_list_info(l, &info);
	ck_assert_mem_eq(info.sha256, md, 32);
	ck_assert_uint_eq(info.entries, FC_N);
	ck_assert_uint_eq(info.file_size, len);

	/* the changed file, opened anew, gives its defect or the new list */
	r = ddg_list_open(path, &l2, err, sizeof(err));
	switch(ch) {
	case FC_TRUNC0:
		ck_assert_int_eq(r, DDG_ERR_CORRUPT);
		ck_assert_ptr_nonnull(strstr(err, "truncated header (0 of"));
		break;
	case FC_TRUNCHALF:
	case FC_GROW:
		ck_assert_int_eq(r, DDG_ERR_CORRUPT);
		ck_assert_ptr_nonnull(strstr(err, "declared file size"));
		break;
	case FC_GARBAGE:
	case FC_CP_PARTIAL:
		ck_assert_int_eq(r, DDG_ERR_CORRUPT);
		ck_assert_ptr_nonnull(strstr(err, path));
		break;
	case FC_CP_OTHER:
	case FC_RENAME:
		ck_assert_msg(r == DDG_OK, "%s", err);
		ddg_list_info(l2, &info);
		ck_assert_uint_eq(info.created, 1700000001);
		ddg_list_close(l2);
		break;
	case FC_UNLINK:
		ck_assert_int_eq(r, DDG_ERR_IO);
		ck_assert_ptr_nonnull(strstr(err, "cannot open"));
		break;
	case FC_NCHANGE:
		break;
	}
	ddg_list_close(l);
	unlink(path);
	free(b);
	free(ob);
}
END_TEST

/** ddg_list_open_stat() names the file the bytes came from; a FIFO or a
 * directory is refused without blocking */
START_TEST(test_open_stat)
{
	char path[] = "/tmp/check_list_st_XXXXXX", err[DDG_ERR_LEN];
	size_t len;
	uint8_t *b = fc_list(0, &len);
	struct ddg_list *l = NULL;
	struct stat st, st2;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(ddg_file_write_atomic(path, b, len, 0644,
		DDG_FILE_SYNC, err, sizeof(err)), DDG_OK);
	ck_assert_int_eq(stat(path, &st2), 0);
	ck_assert_int_eq(ddg_list_open_stat(path, &l, &st, err, sizeof(err)),
		DDG_OK);
	ck_assert(st.st_dev == st2.st_dev && st.st_ino == st2.st_ino);
	ck_assert_int_eq(st.st_size, (off_t)len);
	ck_assert(st.st_mtim.tv_sec == st2.st_mtim.tv_sec &&
		st.st_mtim.tv_nsec == st2.st_mtim.tv_nsec);
	ddg_list_close(l);
	unlink(path);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(ddg_list_open(path, &l, err, sizeof(err)),
		DDG_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	unlink(path);
	ck_assert_int_eq(ddg_list_open("/tmp", &l, err, sizeof(err)),
		DDG_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err, "/tmp: "));
	free(b);
}
END_TEST

/** a file whose reads end before its size (a sysfs attribute says 4096
 * bytes and gives a few) is refused as shrinking while read */
START_TEST(test_open_short_read)
{
	const char *path = "/sys/kernel/mm/transparent_hugepage/enabled";
	char err[DDG_ERR_LEN];
	struct ddg_list *l = NULL;
	struct stat st;

	if(stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 256)
		return;	/* no such sysfs file here: nothing to show */
	ck_assert_int_eq(ddg_list_open(path, &l, err, sizeof(err)),
		DDG_ERR_IO);
	ck_assert_msg(strstr(err, "shrank while it was read") != NULL, "%s",
		err);
}
END_TEST

/** opening a list while another process rewrites it in place, over and
 * over: every open gives one of the two lists whole, or refuses with the
 * file named (shrank, grew or modified while read, or a defect of what
 * was read); never a mix, never a crash */
START_TEST(test_open_while_rewritten)
{
	char path[] = "/tmp/check_list_rw_XXXXXX", err[DDG_ERR_LEN];
	size_t len0, len1;
	uint32_t n;
	uint8_t *b0 = large_list(&len0, &n), *b1 = fc_list(1, &len1);
	uint8_t md0[32], md1[32];
	int fd, k, ok = 0, refused = 0, status;
	pid_t pid;

	ck_assert_int_eq(ddg_list_digest(b0, len0, md0), DDG_OK);
	ck_assert_int_eq(ddg_list_digest(b1, len1, md1), DDG_OK);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	fc_write_in_place(path, b0, len0, 1);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if(pid == 0) {
		/* the writer: cp of one list, then the other, in place */
		for(k = 0; k < 100000; k++) {
			const uint8_t *b = k % 2 ? b1 : b0;
			size_t len = k % 2 ? len1 : len0, o = 0;
			int w = open(path, O_WRONLY | O_TRUNC);
			if(w < 0)
				_exit(1);
			while(o < len) {
				size_t c = len - o < 65536 ? len - o : 65536;
				ssize_t r = write(w, b + o, c);
				if(r <= 0)
					_exit(1);
				o += (size_t)r;
				usleep(50);
			}
			close(w);
			usleep(3000);	/* whole for a while */
		}
		_exit(0);
	}
	/* until both outcomes were seen a few times (bounded) */
	for(k = 0; k < 3000 && (ok < 30 || refused < 30); k++) {
		struct ddg_list *l = NULL;
		int r = ddg_list_open(path, &l, err, sizeof(err));
		if(r == DDG_OK) {
			struct ddg_list_info info;
			ddg_list_info(l, &info);
			ck_assert(memcmp(info.sha256, md0, 32) == 0 ||
				memcmp(info.sha256, md1, 32) == 0);
			ck_assert(info.file_size == len0 ||
				info.file_size == len1);
			ddg_list_close(l);
			ok++;
		} else {
			ck_assert_msg(r == DDG_ERR_IO || r == DDG_ERR_CORRUPT,
				"%d %s", r, err);
			ck_assert_ptr_nonnull(strstr(err, path));
			refused++;
		}
		usleep(300);
	}
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(ok + refused, k);
	unlink(path);
	free(b0);
	free(b1);
}
END_TEST

static Suite *
list_suite(void)
{
	Suite *s = suite_create("list");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_match, 0,
		(int)(sizeof(mcases) / sizeof(mcases[0])));
	tcase_add_test(tc, test_match_bad_qname);
	tcase_add_test(tc, test_info_and_entries);
	tcase_add_test(tc, test_empty_list);
	tcase_add_test(tc, test_writer_rules);
	suite_add_tcase(s, tc);
	tc = tcase_create("property");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_property);
	suite_add_tcase(s, tc);
	tc = tcase_create("corrupt");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_patch, 0,
		(int)(sizeof(patches) / sizeof(patches[0])));
	tcase_add_test(tc, test_reencode);
	tcase_add_test(tc, test_long_shared);
	tcase_add_test(tc, test_index_levels);
	tcase_add_test(tc, test_large);
	tcase_add_test(tc, test_runs);
	tcase_add_test(tc, test_late_filter);
	tcase_add_test(tc, test_late_filter_corrupt);
	tcase_add_test(tc, test_late_filter_threads);
	tcase_add_test(tc, test_truncate);
	tcase_add_test(tc, test_bitflip);
	suite_add_tcase(s, tc);
	tc = tcase_create("file");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_file_changes, 0, FC_NCHANGE);
	tcase_add_test(tc, test_open_stat);
	tcase_add_test(tc, test_open_short_read);
	tcase_add_test(tc, test_open_while_rewritten);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(list_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
