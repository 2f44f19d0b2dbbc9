/**
 * \file check_compile.c
 * Unit tests of the text list parsers (compile.c).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dyndns-guard/compile.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/name.h"

/** collected messages */
static char msgs[8192];

static void
collect(void *arg, const char *file, uint64_t line, int is_warning,
	const char *msg)
{
	size_t l = strlen(msgs);
	(void)arg;
	snprintf(msgs + l, sizeof(msgs) - l, "%s:%llu: %s%s\n", file,
		(unsigned long long)line, is_warning ? "warning: " : "", msg);
}

/** a format case */
struct fcase {
	enum ddg_fmt fmt;	/**< format */
	unsigned column;	/**< CSV column */
	const char *text;	/**< input */
	const char *names;	/**< expected entries, space separated,
				     "name/category" */
	uint64_t rejects;	/**< expected rejected lines */
	const char *msg;	/**< expected message part, or NULL */
};

static const struct fcase fcases[] = {
	{ DDG_FMT_PLAIN, 0, "# comment\nduckdns.org\n\n  No-IP.com.  # x\n"
		"com\nbad..x\nhttp://a.b/\n*.afraid.org\n.dynu.net\n"
		"two names.org\n",
		"duckdns.org no-ip.com afraid.org dynu.net", 4,
		"t:5: single-label name 'com'" },
	{ DDG_FMT_HOSTS, 0, "127.0.0.1 localhost\n0.0.0.0 a.example b.example "
		"# c\n::1 ip6-localhost\n:: c.example\nfoo.example\n"
		"0.0.0.0 bad_.exa$mple\n",
		"a.example b.example c.example", 2, "t:5: not a hosts line" },
	{ DDG_FMT_ADBLOCK, 0, "[Adblock Plus 2.0]\n! comment\n||duckdns.org^\n"
		"||ddns.net^$important\n@@||ok.duckdns.org^\n/regex/\n"
		"||a.com^$third-party\n",
		"duckdns.org ddns.net", 3, "t:5: adblock exception rule" },
	{ DDG_FMT_RPZ, 0, "$TTL 300\n$ORIGIN rpz.example.\n"
		"@ SOA ns.rpz.example. h.rpz.example. (\n 1 3600\n 600 86400 "
		"60 )\n NS ns.rpz.example.\nduckdns.org CNAME .\n"
		"*.duckdns.org CNAME .\nno-ip.com.rpz.example. 300 IN CNAME .\n"
		"ok.example CNAME rpz-passthru.\nwalled.example A 10.0.0.1\n"
		"32.1.0.0.10.rpz-ip CNAME .\nother.zone. CNAME .\n",
		"duckdns.org no-ip.com walled.example", 3,
		"t:10: rpz-passthru" },
	{ DDG_FMT_DNSMASQ, 0, "# x\naddress=/duckdns.org/0.0.0.0\n"
		"server=/a.example/b.example/\nlocal=/c.example/\n"
		"address=/#/0.0.0.0\nno-resolv\n",
		"duckdns.org a.example b.example c.example", 2,
		"t:6: not a dnsmasq" },
	{ DDG_FMT_CSV, 2, "id,domain,kind\n1,duckdns.org,ddns\n2,\"no-ip.com\","
		"x\n3\n4,bad..x,y\n",
		"duckdns.org no-ip.com", 2, "t:4: no column 2" },
	{ DDG_FMT_AUTO, 0, "duckdns.org\n0.0.0.0 a.example\n||b.example^\n"
		"address=/c.example/1.2.3.4\n$ORIGIN rpz.\nd.example CNAME .\n"
		"what is this line\n! adblock comment\n; rpz comment\n",
		"duckdns.org a.example b.example c.example d.example", 1,
		"t:7: unrecognised line" },
	{ DDG_FMT_AUTO, 0, "# dyndns-guard list dump\n#@created: 42\n"
		"#@source: x\nduckdns.org\tmalware\nno-ip.com\tddns-service\n"
		"a\\046b.example\tddns-service\nq.example\tbad/cat\n",
		"duckdns.org/malware no-ip.com a\\.b.example", 1,
		"t:7: bad category" },
	{ DDG_FMT_PLAIN, 0, "a.b\n\377x.com\n", "a.b", 1,
		"bad character \\255" },
	{ DDG_FMT_AUTO, 0, "\xef\xbb\xbf" "duckdns.org\r\nno-ip.com\r\n",
		"duckdns.org no-ip.com", 0, NULL },
};

START_TEST(test_formats)
{
	const struct fcase *c = &fcases[_i];
	struct ddg_compile *cp = ddg_compile_new();
	char err[DDG_ERR_LEN], names[1024], *tok, *save = NULL;
	uint8_t *img;
	size_t len;
	struct ddg_list *l;
	uint32_t expect = 0;

	msgs[0] = 0;
	ddg_compile_set_msg(cp, collect, NULL);
	ck_assert_int_eq(ddg_compile_add_buf(cp, "t", c->text,
		strlen(c->text), c->fmt, c->column ? c->column : 1, NULL, err,
		sizeof(err)), DDG_OK);
	ck_assert_msg(ddg_compile_rejects(cp, DDG_REJ_MAX) == c->rejects,
		"case %d: %llu rejects, want %llu:\n%s", _i,
		(unsigned long long)ddg_compile_rejects(cp, DDG_REJ_MAX),
		(unsigned long long)c->rejects, msgs);
	if(c->msg)
		ck_assert_msg(strstr(msgs, c->msg) != NULL, "case %d: no '%s' "
			"in:\n%s", _i, c->msg, msgs);
	ck_assert_int_eq(ddg_compile_finish(cp, 7, &img, &len, NULL), 0);
	ck_assert_int_eq(ddg_list_open_mem(img, len, &l, err, sizeof(err)), 0);
	snprintf(names, sizeof(names), "%s", c->names);
	for(tok = names; tok && *tok; tok = save) {
		uint8_t w[DDG_NAME_MAXWIRE];
		size_t wl;
		uint32_t idx;
		uint16_t cat;
		char *slash, *sp = strchr(tok, ' ');
		const char *want = "ddns-service";
		if(sp)
			*sp = 0;
		save = sp ? sp + 1 : NULL;
		slash = strchr(tok, '/');
		if(slash) {
			*slash = 0;
			want = slash + 1;
		}
		ck_assert_int_eq(ddg_name_from_str(tok, w, &wl), 0);
		ck_assert_msg(ddg_list_find(l, w, &idx) == 0, "case %d: %s "
			"missing", _i, tok);
		ck_assert_int_eq(ddg_list_entry(l, idx, NULL, &cat, NULL), 0);
		ck_assert_str_eq(ddg_list_category_name(l, cat), want);
		expect++;
	}
	ck_assert_uint_eq(ddg_list_count(l), expect);
	ddg_list_close(l);
	free(img);
	ddg_compile_free(cp);
}
END_TEST

/** compile a text to an image */
static uint8_t *
compile_text(const char *text, enum ddg_fmt fmt, size_t *len,
	int set_created)
{
	struct ddg_compile *cp = ddg_compile_new();
	char err[DDG_ERR_LEN];
	uint8_t *img;

	ck_assert_int_eq(ddg_compile_add_buf(cp, "in", text, strlen(text), fmt,
		1, NULL, err, sizeof(err)), 0);
	if(set_created)
		ddg_compile_set_created(cp, 1234);
	ck_assert_int_eq(ddg_compile_finish(cp, 99, &img, len, NULL), 0);
	ddg_compile_free(cp);
	return img;
}

START_TEST(test_deterministic)
{
	const char *t = "b.example\na.example\nx.a.example\n";
	size_t l1, l2;
	uint8_t *a = compile_text(t, DDG_FMT_PLAIN, &l1, 0);
	uint8_t *b = compile_text(t, DDG_FMT_PLAIN, &l2, 0);
	struct ddg_list *l;
	struct ddg_list_info info;
	char err[DDG_ERR_LEN];

	ck_assert_uint_eq(l1, l2);
	ck_assert_mem_eq(a, b, l1);
	ck_assert_int_eq(ddg_list_open_mem(a, l1, &l, err, sizeof(err)), 0);
	ddg_list_info(l, &info);
	ck_assert_uint_eq(info.created, 99);
	ck_assert_uint_eq(info.entries, 2);	/* x.a.example covered */
	ddg_list_close(l);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_created)
{
	const char *t = "# dyndns-guard list dump\n#@created: 555\n"
		"#@source: one\n#@source: two\na.example\tc1\n";
	size_t len;
	uint8_t *a;
	struct ddg_list *l;
	struct ddg_list_info info;
	char err[DDG_ERR_LEN];

	a = compile_text(t, DDG_FMT_AUTO, &len, 0);
	ck_assert_int_eq(ddg_list_open_mem(a, len, &l, err, sizeof(err)), 0);
	ddg_list_info(l, &info);
	ck_assert_uint_eq(info.created, 555);
	ck_assert_str_eq(info.sources, "one\ntwo\n");
	ddg_list_close(l);
	free(a);
	a = compile_text(t, DDG_FMT_DUMP, &len, 1);
	ck_assert_int_eq(ddg_list_open_mem(a, len, &l, err, sizeof(err)), 0);
	ddg_list_info(l, &info);
	ck_assert_uint_eq(info.created, 1234);
	ddg_list_close(l);
	free(a);
}
END_TEST

START_TEST(test_conflict)
{
	struct ddg_compile *cp = ddg_compile_new();
	char err[DDG_ERR_LEN];
	uint8_t *img;
	size_t len;
	struct ddg_lw_stats st;
	const char *a = "x.example\n", *b = "\n\nx.example\n";

	msgs[0] = 0;
	ddg_compile_set_msg(cp, collect, NULL);
	ck_assert_int_eq(ddg_compile_add_buf(cp, "first", a, strlen(a),
		DDG_FMT_PLAIN, 1, "zeta", err, sizeof(err)), 0);
	ck_assert_int_eq(ddg_compile_add_buf(cp, "second", b, strlen(b),
		DDG_FMT_PLAIN, 1, "alpha", err, sizeof(err)), 0);
	ck_assert_int_eq(ddg_compile_add_buf(cp, "third", b, strlen(b),
		DDG_FMT_PLAIN, 1, "bad cat", err, sizeof(err)), DDG_ERR_INVAL);
	ck_assert_int_eq(ddg_compile_add_buf(cp, "fourth", b, strlen(b),
		DDG_FMT_CSV, 0, NULL, err, sizeof(err)), DDG_ERR_INVAL);
	ck_assert_int_eq(ddg_compile_finish(cp, 0, &img, &len, &st), 0);
	ck_assert_uint_eq(st.conflicts, 1);
	ck_assert_msg(strstr(msgs, "second:3: warning: x.example. given with "
		"category alpha, keeping zeta (first given at first:1)"),
		"%s", msgs);
	free(img);
	ddg_compile_free(cp);
}
END_TEST

START_TEST(test_long_line)
{
	struct ddg_compile *cp = ddg_compile_new();
	char err[DDG_ERR_LEN];
	size_t n = DDG_COMPILE_MAXLINE + 10;
	char *t = malloc(n + 20);

	memset(t, 'a', n);
	memcpy(t + n, "\nb.example\n", 12);
	ck_assert_int_eq(ddg_compile_add_buf(cp, "in", t, strlen(t),
		DDG_FMT_AUTO, 1, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(ddg_compile_rejects(cp, DDG_REJ_LINE_TOO_LONG), 1);
	ck_assert_uint_eq(ddg_compile_accepted(cp), 1);
	free(t);
	ddg_compile_free(cp);
}
END_TEST

START_TEST(test_fmt_names)
{
	enum ddg_fmt f;
	ck_assert_int_eq(ddg_compile_fmt_parse("rpz", &f), 0);
	ck_assert_int_eq(f, DDG_FMT_RPZ);
	ck_assert_str_eq(ddg_compile_fmt_name(DDG_FMT_DNSMASQ), "dnsmasq");
	ck_assert_int_eq(ddg_compile_fmt_parse("nope", &f), DDG_ERR_INVAL);
	ck_assert_str_eq(ddg_compile_reject_name(DDG_REJ_SINGLE_LABEL),
		"single-label name");
}
END_TEST

static Suite *
compile_suite(void)
{
	Suite *s = suite_create("compile");
	TCase *tc = tcase_create("formats");

	tcase_add_loop_test(tc, test_formats, 0,
		(int)(sizeof(fcases) / sizeof(fcases[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("core");
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_created);
	tcase_add_test(tc, test_conflict);
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_fmt_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(compile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
