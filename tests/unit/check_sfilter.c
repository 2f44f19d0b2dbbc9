/*
 * check_sfilter.c: unit tests of the suffix filter (lib/sfilter.c): no
 * false negatives whatever the names (nesting, case, escaped bytes), both
 * ways of adding members agree, names are validated, and the false
 * positive rate stays small.
 */
#include "ddg_config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/sfilter.h"

/** presentation name to wire */
static int
wire(const char *s, uint8_t *w)
{
	size_t wl = 0;
	ck_assert_int_eq(ddg_name_from_str(s, w, &wl), 0);
	return (int)wl;
}

/** whether the suffix of d labels is a candidate */
static int
cand(const struct ddg_sfilter_hit *h, int d)
{
	return (h->cand[(d - 1) >> 6] >> ((d - 1) & 63)) & 1;
}

/** add sorted keys of wire names the way the list does */
static void
add_sorted(struct ddg_sfilter *f, uint8_t (*w)[DDG_NAME_MAXWIRE], size_t n)
{
	struct ddg_sfilter_key_state st;
	uint8_t prev[DDG_NAME_MAXKEY], key[DDG_NAME_MAXKEY];
	int pl = 0, kl;
	size_t i;

	ddg_sfilter_key_state_init(&st);
	for(i = 0; i < n; i++) {
		size_t c = 0;
		kl = ddg_name_key(w[i], key);
		while(i > 0 && c < (size_t)pl && c < (size_t)kl &&
			prev[c] == key[c])
			c++;
		ddg_sfilter_add_key(f, &st, key, (size_t)kl, (size_t)kl, c);
		memcpy(prev, key, (size_t)kl);
		pl = kl;
	}
	ddg_sfilter_key_flush(f, &st);
}

/* an entry below another: the upper one, added first as a member, must
 * also be marked as an ancestor, or the walk stops there */
START_TEST(test_nested)
{
	static const char *names[] = { "duckdns.org", "x.duckdns.org",
		"a.b.x.duckdns.org", "c.x.duckdns.org" };
	uint8_t w[4][DDG_NAME_MAXWIRE], q[DDG_NAME_MAXWIRE];
	struct ddg_sfilter f;
	struct ddg_sfilter_hit h;
	int i, ql;

	for(i = 0; i < 4; i++)
		wire(names[i], w[i]);
	ck_assert_int_eq(ddg_sfilter_init(&f, 1000), DDG_OK);
	add_sorted(&f, w, 4);
	ql = wire("Y.A.b.X.DuckDNS.org", q);
	ck_assert_int_eq(ddg_sfilter_probe(&f, q, (size_t)ql, &h), 1);
	ck_assert_int_eq(h.labels, 6);
	ck_assert(cand(&h, 2));
	ck_assert(cand(&h, 3));
	ck_assert(cand(&h, 5));
	ck_assert_int_eq(h.off[6 - 3], 6);	/* "x.duckdns.org" */
	ql = wire("c.x.duckdns.org", q);
	ck_assert_int_eq(ddg_sfilter_probe(&f, q, (size_t)ql, &h), 1);
	ck_assert(cand(&h, 2) && cand(&h, 3) && cand(&h, 4));
	ql = wire("nothing.example", q);
	ck_assert_int_eq(ddg_sfilter_probe(&f, q, (size_t)ql, &h), 0);
	ddg_sfilter_free(&f);
}
END_TEST

START_TEST(test_invalid)
{
	struct ddg_sfilter f;
	struct ddg_sfilter_hit h;
	uint8_t q[300];
	ck_assert_int_eq(ddg_sfilter_init(&f, 10), DDG_OK);
	/* a compression pointer */
	memcpy(q, "\3abc\300\014", 6);
	ck_assert_int_eq(ddg_sfilter_probe(&f, q, 6, &h), DDG_ERR_SYNTAX);
	/* a label running past the buffer */
	memcpy(q, "\3abc\5de", 7);
	ck_assert_int_eq(ddg_sfilter_probe(&f, q, 7, &h), DDG_ERR_SYNTAX);
	/* no root label within len */
	ck_assert_int_eq(ddg_sfilter_probe(&f, q, 4, &h), DDG_ERR_SYNTAX);
	/* 256 bytes */
	memset(q, 1, sizeof(q));
	{
		int i;
		for(i = 0; i < 128; i++)
			q[2 * i] = 1, q[2 * i + 1] = 'a';
		q[256] = 0;
	}
	ck_assert_int_eq(ddg_sfilter_probe(&f, q, 257, &h), DDG_ERR_SYNTAX);
	/* the root, and an empty filter */
	ck_assert_int_eq(ddg_sfilter_probe(&f, (const uint8_t *)"", 1, &h), 0);
	ck_assert_int_eq(h.labels, 0);
	ddg_sfilter_free(&f);
	ck_assert_int_eq(ddg_sfilter_init(&f, 0), DDG_OK);
	ck_assert_int_eq(ddg_sfilter_probe(&f, (const uint8_t *)"\1a", 3, &h),
		0);
	ck_assert_int_eq(ddg_sfilter_probe(NULL, (const uint8_t *)"\1a", 3,
		&h), 0);
	ck_assert_uint_eq(ddg_sfilter_bytes(&f), 0);
	ddg_sfilter_free(&f);
	ddg_sfilter_free(NULL);
}
END_TEST

static uint64_t rs = 88172645463325252ULL;
static uint32_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs >> 11);
}

/** a random name: 1..5 labels from a small pool (so names nest) or
 * random bytes including 0x00, 0x01, '.', and upper case */
static int
rand_name(uint8_t *w)
{
	static const char *pool[] = { "a", "b", "com", "org", "x", "dyn",
		"Host", "ZZ" };
	int n = 1 + (int)(rnd() % 5), o = 0, i, j;
	for(i = 0; i < n; i++) {
		if(rnd() % 3) {
			const char *p = pool[rnd() % 8];
			int len = (int)strlen(p);
			w[o++] = (uint8_t)len;
			memcpy(w + o, p, (size_t)len);
			o += len;
		} else {
			int len = 1 + (int)(rnd() % 12);
			w[o++] = (uint8_t)len;
			for(j = 0; j < len; j++) {
				uint32_t c = rnd() % 6;
				w[o++] = (uint8_t)(c == 0 ? 0 : c == 1 ? 1 :
					c == 2 ? 'A' + rnd() % 3 : 'a' +
					rnd() % 3);
			}
		}
	}
	w[o++] = 0;
	return o;
}

static int
key_cmp(const void *a, const void *b)
{
	return ddg_name_canon_cmp((const uint8_t *)a, (const uint8_t *)b);
}

#define PROP_N 20000

/* no false negative, for members added by key (sorted, sharing
 * prefixes) or by wire (any order); few false positives */
START_TEST(test_property)
{
	uint8_t (*w)[DDG_NAME_MAXWIRE] = malloc(PROP_N * sizeof(*w));
	struct ddg_sfilter fk, fw;
	size_t i, n = 0, fp = 0, probes = 0;

	ck_assert_ptr_nonnull(w);
	for(i = 0; i < PROP_N; i++)
		(void)rand_name(w[i]);
	ck_assert_int_eq(ddg_sfilter_init(&fk, PROP_N * 3), DDG_OK);
	ck_assert_int_eq(ddg_sfilter_init(&fw, PROP_N * 3), DDG_OK);
	for(i = 0; i < PROP_N; i++)
		ddg_sfilter_add_wire(&fw, w[i]);
	qsort(w, PROP_N, sizeof(*w), key_cmp);
	/* unique, case-insensitively */
	for(i = 0; i < PROP_N; i++)
		if(n == 0 || key_cmp(w[n - 1], w[i]) != 0)
			memmove(w[n++], w[i], DDG_NAME_MAXWIRE);
	add_sorted(&fk, w, n);
	for(i = 0; i < n; i++) {
		uint8_t q[DDG_NAME_MAXWIRE];
		struct ddg_sfilter_hit hk, hw;
		int el = ddg_name_wire_len(w[i], DDG_NAME_MAXWIRE);
		int pre = (int)(rnd() % 3), o = 0, k, d;
		for(k = 0; k < pre; k++) {
			q[o] = 2;
			q[o + 1] = (uint8_t)('p' + rnd() % 4);
			q[o + 2] = (uint8_t)('P' + rnd() % 4);
			o += 3;
		}
		memcpy(q + o, w[i], (size_t)el);
		for(k = o; k < o + el; k++)	/* flip the case */
			if(rnd() % 2 && ((q[k] | 0x20) >= 'a' &&
				(q[k] | 0x20) <= 'z'))
				q[k] ^= 0x20;
		ck_assert_int_eq(ddg_sfilter_probe(&fk, q, (size_t)(o + el),
			&hk), 1);
		ck_assert_int_eq(ddg_sfilter_probe(&fw, q, (size_t)(o + el),
			&hw), 1);
		d = ddg_name_label_count(w[i]);
		ck_assert_msg(cand(&hk, d), "member %zu not a candidate", i);
		ck_assert(cand(&hw, d));
		/* every member that is a suffix of q is a candidate */
		for(k = 1; k <= hk.labels; k++) {
			uint8_t s[DDG_NAME_MAXWIRE];
			int sl = ddg_name_wire_len(q + hk.off[hk.labels - k],
				DDG_NAME_MAXWIRE);
			memcpy(s, q + hk.off[hk.labels - k], (size_t)sl);
			if(bsearch(s, w, n, sizeof(*w), key_cmp)) {
				ck_assert(cand(&hk, k));
				ck_assert(cand(&hw, k));
			} else {
				probes++;
				fp += cand(&hk, k);
			}
		}
	}
	/* sized for three times the members: a few per cent at most */
	ck_assert_msg(fp * 20 < probes, "%zu false positives in %zu", fp,
		probes);
	ck_assert_uint_ge(ddg_sfilter_bytes(&fk), PROP_N * 3 * 12 / 8);
	ddg_sfilter_free(&fk);
	ddg_sfilter_free(&fw);
	free(w);
}
END_TEST

static Suite *
sfilter_suite(void)
{
	Suite *s = suite_create("sfilter");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_nested);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_property);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sfilter_suite());
	int nf;
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
