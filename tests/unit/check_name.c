/**
 * \file check_name.c
 * Unit tests of name.c: presentation and wire form, limits, canonical
 * order, lookup keys.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/name.h"

/** a presentation -> wire case */
struct pcase {
	const char *str;	/**< input */
	int rc;			/**< expected result */
	const char *wire;	/**< expected wire (when rc == DDG_OK) */
	size_t wirelen;		/**< its length */
	const char *back;	/**< expected ddg_name_to_str output */
};

#define W(s) s, sizeof(s) - 1

static const struct pcase pcases[] = {
	{ "example.com", DDG_OK, W("\7example\3com\0"), "example.com." },
	{ "example.com.", DDG_OK, W("\7example\3com\0"), "example.com." },
	{ "ExAmPlE.CoM", DDG_OK, W("\7ExAmPlE\3CoM\0"), "ExAmPlE.CoM." },
	{ ".", DDG_OK, W("\0"), "." },
	{ "a", DDG_OK, W("\1a\0"), "a." },
	{ "a\\.b.c", DDG_OK, W("\3a.b\1c\0"), "a\\.b.c." },
	{ "a\\000b.c", DDG_OK, W("\3a\0b\1c\0"), "a\\000b.c." },
	{ "\\001.c", DDG_OK, W("\1\1\1c\0"), "\\001.c." },
	{ "\\255x.c", DDG_OK, W("\2\377x\1c\0"), "\\255x.c." },
	{ "a\\\\b.c", DDG_OK, W("\3a\\b\1c\0"), "a\\\\b.c." },
	{ "a\\ b.c", DDG_OK, W("\3a b\1c\0"), "a\\032b.c." },
	{ "*.c", DDG_OK, W("\1*\1c\0"), "*.c." },
	{ "", DDG_ERR_SYNTAX, NULL, 0, NULL },
	{ "..", DDG_ERR_SYNTAX, NULL, 0, NULL },
	{ "a..b", DDG_ERR_SYNTAX, NULL, 0, NULL },
	{ ".a", DDG_ERR_SYNTAX, NULL, 0, NULL },
	{ "a\\25", DDG_ERR_SYNTAX, NULL, 0, NULL },
	{ "a\\256", DDG_ERR_SYNTAX, NULL, 0, NULL },
	{ "a\\", DDG_ERR_SYNTAX, NULL, 0, NULL },
	{ "a\\2x5", DDG_ERR_SYNTAX, NULL, 0, NULL },
};

START_TEST(test_from_str)
{
	const struct pcase *c = &pcases[_i];
	uint8_t wire[DDG_NAME_MAXWIRE];
	char back[DDG_NAME_MAXSTR];
	size_t wl = 0;
	int r = ddg_name_from_str(c->str, wire, &wl);

	ck_assert_msg(r == c->rc, "'%s': got %d, want %d", c->str, r, c->rc);
	if(r != DDG_OK)
		return;
	ck_assert_uint_eq(wl, c->wirelen);
	ck_assert_mem_eq(wire, c->wire, wl);
	ck_assert_int_eq(ddg_name_wire_len(wire, wl), (int)wl);
	r = ddg_name_to_str(wire, back, sizeof(back));
	ck_assert_int_eq(r, (int)strlen(c->back));
	ck_assert_str_eq(back, c->back);
	/* and back again */
	{
		uint8_t w2[DDG_NAME_MAXWIRE];
		size_t wl2;
		ck_assert_int_eq(ddg_name_from_str(back, w2, &wl2), DDG_OK);
		ck_assert_uint_eq(wl2, wl);
		ck_assert_mem_eq(w2, wire, wl);
	}
}
END_TEST

/** build a name of labels of the given length */
static void
make_name(char *buf, int labels, int llen, int lastlen)
{
	int i, j, o = 0;

	for(i = 0; i < labels; i++) {
		int l = (i == labels - 1) ? lastlen : llen;
		for(j = 0; j < l; j++)
			buf[o++] = (char)('a' + (i + j) % 26);
		buf[o++] = '.';
	}
	buf[o] = 0;
}

START_TEST(test_limits)
{
	char s[1200];
	uint8_t wire[DDG_NAME_MAXWIRE];
	size_t wl;
	int i;

	/* 63-byte label fine, 64 not */
	make_name(s, 2, 63, 3);
	ck_assert_int_eq(ddg_name_from_str(s, wire, &wl), DDG_OK);
	ck_assert_uint_eq(wl, 1 + 63 + 1 + 3 + 1);
	make_name(s, 2, 64, 3);
	ck_assert_int_eq(ddg_name_from_str(s, wire, &wl), DDG_ERR_RANGE);
	/* 255 bytes: 3 x 63 + one of 61 = 4*1 + 189 + 61 + 1 = 255 */
	make_name(s, 4, 63, 61);
	ck_assert_int_eq(ddg_name_from_str(s, wire, &wl), DDG_OK);
	ck_assert_uint_eq(wl, 255);
	ck_assert_int_eq(ddg_name_wire_len(wire, 255), 255);
	ck_assert_int_eq(ddg_name_label_count(wire), 4);
	make_name(s, 4, 63, 62);
	ck_assert_int_eq(ddg_name_from_str(s, wire, &wl), DDG_ERR_RANGE);
	/* 127 one-byte labels = 255 bytes; 128 too many */
	make_name(s, 127, 1, 1);
	ck_assert_int_eq(ddg_name_from_str(s, wire, &wl), DDG_OK);
	ck_assert_uint_eq(wl, 255);
	ck_assert_int_eq(ddg_name_label_count(wire), 127);
	make_name(s, 128, 1, 1);
	ck_assert_int_eq(ddg_name_from_str(s, wire, &wl), DDG_ERR_RANGE);
	/* 63-byte label of escaped zero bytes: key of maximal expansion */
	{
		int o = 0, k;
		uint8_t key[DDG_NAME_MAXKEY], w2[DDG_NAME_MAXWIRE];
		for(k = 0; k < 3; k++) {
			for(i = 0; i < 63; i++) {
				memcpy(s + o, "\\000", 4);
				o += 4;
			}
			s[o++] = '.';
		}
		for(i = 0; i < 61; i++) {
			memcpy(s + o, "\\001", 4);
			o += 4;
		}
		s[o] = 0;
		ck_assert_int_eq(ddg_name_from_str(s, wire, &wl), DDG_OK);
		ck_assert_uint_eq(wl, 255);
		k = ddg_name_key(wire, key);
		ck_assert_int_le(k, DDG_NAME_MAXKEY);
		ck_assert_int_eq(ddg_name_from_key(key, (size_t)k, w2), 255);
		ck_assert_mem_eq(w2, wire, 255);
	}
}
END_TEST

/** a wire validation case */
struct wcase {
	const char *wire;	/**< bytes */
	size_t max;		/**< readable */
	int rc;			/**< expected */
};

static const struct wcase wcases[] = {
	{ "\0", 1, 1 },
	{ "\1a\0", 3, 3 },
	{ "\1a\0", 2, DDG_ERR_SYNTAX },		/* runs past max */
	{ "\300\014", 2, DDG_ERR_SYNTAX },	/* compression pointer */
	{ "\100aaaa", 6, DDG_ERR_SYNTAX },	/* label length 64 */
	{ "", 0, DDG_ERR_SYNTAX },		/* nothing */
};

START_TEST(test_wire_len)
{
	const struct wcase *c = &wcases[_i];
	ck_assert_int_eq(ddg_name_wire_len((const uint8_t *)c->wire, c->max),
		c->rc);
}
END_TEST

START_TEST(test_wire_len_long)
{
	uint8_t w[300];
	int i;

	/* 128 one-byte labels: 256 bytes + root */
	for(i = 0; i < 128; i++) {
		w[2 * i] = 1;
		w[2 * i + 1] = 'a';
	}
	w[256] = 0;
	ck_assert_int_eq(ddg_name_wire_len(w, sizeof(w)), DDG_ERR_RANGE);
	w[254] = 0;	/* 127 labels: 255 */
	ck_assert_int_eq(ddg_name_wire_len(w, sizeof(w)), 255);
}
END_TEST

/* RFC 4034 section 6.1 example, in canonical order */
static const char *canon[] = {
	"example", "a.example", "yljkjljk.a.example", "Z.a.example",
	"zABC.a.EXAMPLE", "z.example", "\\001.z.example", "*.z.example",
	"a.z.example", "a\\000.z.example", "a\\001.z.example",
	"a\\002.z.example", "b.z.example", "\\200.z.example", "example.org",
};

START_TEST(test_canon_order)
{
	size_t n = sizeof(canon) / sizeof(canon[0]), i, j;
	uint8_t w[16][DDG_NAME_MAXWIRE], key[16][DDG_NAME_MAXKEY];
	int klen[16];

	for(i = 0; i < n; i++) {
		size_t wl;
		ck_assert_int_eq(ddg_name_from_str(canon[i], w[i], &wl),
			DDG_OK);
		klen[i] = ddg_name_key(w[i], key[i]);
	}
	for(i = 0; i < n; i++) {
		for(j = 0; j < n; j++) {
			int c = ddg_name_canon_cmp(w[i], w[j]);
			int m, kc;
			size_t mn = (size_t)(klen[i] < klen[j] ? klen[i] :
				klen[j]);
			m = memcmp(key[i], key[j], mn);
			kc = m ? m : klen[i] - klen[j];
			if(i < j) {
				ck_assert_msg(c < 0, "%s !< %s", canon[i],
					canon[j]);
				ck_assert_msg(kc < 0, "key %s !< %s", canon[i],
					canon[j]);
			} else if(i == j) {
				ck_assert_int_eq(c, 0);
				ck_assert_int_eq(kc, 0);
			} else {
				ck_assert(c > 0);
				ck_assert(kc > 0);
			}
		}
	}
}
END_TEST

START_TEST(test_case_fold)
{
	uint8_t a[DDG_NAME_MAXWIRE], b[DDG_NAME_MAXWIRE];
	uint8_t ka[DDG_NAME_MAXKEY], kb[DDG_NAME_MAXKEY];
	size_t la, lb;

	ck_assert_int_eq(ddg_name_from_str("WwW.DuckDNS.Org", a, &la), 0);
	ck_assert_int_eq(ddg_name_from_str("www.duckdns.org.", b, &lb), 0);
	ck_assert_int_eq(ddg_name_canon_cmp(a, b), 0);
	ck_assert_int_eq(ddg_name_key(a, ka), ddg_name_key(b, kb));
	ck_assert_mem_eq(ka, kb, (size_t)ddg_name_key(a, ka));
	ddg_name_tolower(a);
	ck_assert_mem_eq(a, b, lb);
	/* only ASCII letters fold */
	ck_assert_int_eq(ddg_name_from_str("\\196.x", a, &la), 0);
	ck_assert_int_eq(ddg_name_from_str("\\228.x", b, &lb), 0);
	ck_assert_int_ne(ddg_name_canon_cmp(a, b), 0);
}
END_TEST

/** is_subdomain cases */
struct scase {
	const char *name, *zone;	/**< presentation */
	int want;			/**< expected */
};

static const struct scase scases[] = {
	{ "duckdns.org", "duckdns.org", 1 },
	{ "a.b.DUCKDNS.org", "duckdns.ORG", 1 },
	{ "notduckdns.org", "duckdns.org", 0 },
	{ "duckdns.org", "a.duckdns.org", 0 },
	{ "x.org", ".", 1 },
	{ "a\\.duckdns.org", "duckdns.org", 0 },
};

START_TEST(test_subdomain)
{
	const struct scase *c = &scases[_i];
	uint8_t a[DDG_NAME_MAXWIRE], b[DDG_NAME_MAXWIRE];
	size_t la, lb;

	ck_assert_int_eq(ddg_name_from_str(c->name, a, &la), 0);
	ck_assert_int_eq(ddg_name_from_str(c->zone, b, &lb), 0);
	ck_assert_int_eq(ddg_name_is_subdomain(a, b), c->want);
}
END_TEST

/** invalid key cases */
struct kcase {
	const char *key;	/**< bytes */
	size_t len;		/**< length */
};

static const struct kcase kbad[] = {
	{ "com", 3 },			/* no separator */
	{ "\0", 1 },			/* empty label */
	{ "com\0\0", 5 },		/* empty label */
	{ "c\1\3m\0", 5 },		/* bad escape */
	{ "c\1", 2 },			/* escape at end */
	{ "Com\0", 4 },			/* not folded */
};

START_TEST(test_bad_key)
{
	uint8_t w[DDG_NAME_MAXWIRE];
	ck_assert_int_eq(ddg_name_from_key((const uint8_t *)kbad[_i].key,
		kbad[_i].len, w), DDG_ERR_CORRUPT);
}
END_TEST

START_TEST(test_key_roundtrip)
{
	uint8_t w[DDG_NAME_MAXWIRE], w2[DDG_NAME_MAXWIRE],
		key[DDG_NAME_MAXKEY];
	int i, k;
	unsigned seed = 1;

	/* random names with every byte value */
	for(i = 0; i < 20000; i++) {
		int labels = 1 + (int)(rand_r(&seed) % 5), o = 0, j, l;
		for(j = 0; j < labels; j++) {
			int len = 1 + (int)(rand_r(&seed) % 12);
			w[o++] = (uint8_t)len;
			for(l = 0; l < len; l++)
				w[o++] = (uint8_t)(rand_r(&seed) % 6 == 0 ?
					rand_r(&seed) % 3 : 'a' +
					rand_r(&seed) % 26);
		}
		w[o++] = 0;
		k = ddg_name_key(w, key);
		ck_assert_int_eq(ddg_name_from_key(key, (size_t)k, w2), o);
		ck_assert_mem_eq(w, w2, (size_t)o);
	}
	/* root: empty key */
	w[0] = 0;
	ck_assert_int_eq(ddg_name_key(w, key), 0);
	ck_assert_int_eq(ddg_name_from_key(key, 0, w2), 1);
}
END_TEST

START_TEST(test_to_str_small)
{
	uint8_t w[DDG_NAME_MAXWIRE];
	char out[6];
	size_t wl;

	ck_assert_int_eq(ddg_name_from_str("abc.def", w, &wl), 0);
	ck_assert_int_eq(ddg_name_to_str(w, out, sizeof(out)), DDG_ERR_RANGE);
	ck_assert_str_eq(out, "abc.d");
}
END_TEST

static Suite *
name_suite(void)
{
	Suite *s = suite_create("name");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_from_str, 0,
		(int)(sizeof(pcases) / sizeof(pcases[0])));
	tcase_add_loop_test(tc, test_wire_len, 0,
		(int)(sizeof(wcases) / sizeof(wcases[0])));
	tcase_add_loop_test(tc, test_subdomain, 0,
		(int)(sizeof(scases) / sizeof(scases[0])));
	tcase_add_test(tc, test_canon_order);
	tcase_add_test(tc, test_case_fold);
	tcase_add_test(tc, test_to_str_small);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_wire_len_long);
	suite_add_tcase(s, tc);
	tc = tcase_create("key");
	tcase_add_loop_test(tc, test_bad_key, 0,
		(int)(sizeof(kbad) / sizeof(kbad[0])));
	tcase_add_test(tc, test_key_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(name_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
