/**
 * \file check_conf.c
 * Unit tests of the dyndns-guard.conf parser (lib/conf.c).
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"

/** Parse a text; returns the result code. */
static int
parse(const char *text, struct ddg_conf **c, char *err)
{
	return ddg_conf_parse(text, strlen(text), "dyndns-guard.conf", c, err,
		DDG_ERR_LEN);
}

/** The canonical print of a configuration, malloc'ed. */
static char *
printed(const struct ddg_conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ddg_conf_print(c, f), DDG_OK);
	fclose(f);
	return buf;
}

/* ---- defaults ---- */

START_TEST(test_defaults)
{
	struct ddg_conf *c = NULL;
	char err[DDG_ERR_LEN];
	char a[INET6_ADDRSTRLEN];

	ck_assert_int_eq(parse("dyndns-guard:\n", &c, err), DDG_OK);
	ck_assert_int_eq(c->mode, DDG_ACTION_LOG);
	ck_assert_uint_eq(c->nlists, 0);
	ck_assert_uint_eq(c->nzones, 0);
	ck_assert_uint_eq(c->ncategories, 0);
	ck_assert_uint_eq(c->nnetworks, 0);
	ck_assert_int_eq(c->block_rcode, 3);
	inet_ntop(AF_INET, &c->sinkhole_ipv4, a, sizeof(a));
	ck_assert_str_eq(a, "0.0.0.0");
	inet_ntop(AF_INET6, &c->sinkhole_ipv6, a, sizeof(a));
	ck_assert_str_eq(a, "::");
	ck_assert_uint_eq(c->answer_ttl, 60);
	ck_assert_int_eq(c->ede, 1);
	ck_assert_int_eq(c->check_cname, 1);
	ck_assert_ptr_null(c->log_file);
	ck_assert_int_eq(c->log_cache_hits, 1);
	ck_assert_int_eq(c->fail_mode, DDG_FAIL_OPEN);
	ck_assert_uint_eq(c->reload_check, 60);
	ck_assert_ptr_null(c->public_key);
	ck_assert_int_eq(c->require_signature, 0);
	ck_assert_ptr_null(c->metrics_file);
	ck_assert_uint_eq(c->metrics_interval, 5);
	ck_assert_str_eq(c->path, "dyndns-guard.conf");
	ddg_conf_free(c);

	c = ddg_conf_new_default();
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->mode, DDG_ACTION_LOG);
	ck_assert_uint_eq(c->answer_ttl, 60);
	ddg_conf_free(c);
	ddg_conf_free(NULL);
}
END_TEST

/* ---- good values: each line must print as the expected canonical line */

/** a good line and the canonical line it must produce */
struct good {
	const char *line;
	const char *expect;
};

static const struct good goods[] = {
	{ "mode: log", "\tmode: log\n" },
	{ "mode: block", "\tmode: block\n" },
	{ "mode: sinkhole", "\tmode: sinkhole\n" },
	{ "mode: off", "\tmode: off\n" },
	{ "mode: \"block\"", "\tmode: block\n" },
	{ "mode: 'sinkhole'", "\tmode: sinkhole\n" },
	{ "mode:block", "\tmode: block\n" },
	{ "  \tmode:\t block   # a comment", "\tmode: block\n" },
	{ "list: /var/lib/unbound/dyndns.dgl",
		"\tlist: \"/var/lib/unbound/dyndns.dgl\"\n" },
	{ "list: \"/a dir/with # hash.dgl\"",
		"\tlist: \"/a dir/with # hash.dgl\"\n" },
	{ "list: rel.dgl", "\tlist: \"rel.dgl\"\n" },
	{ "zone: \"duckdns.org\" block", "\tzone: \"duckdns.org\" block\n" },
	{ "zone: \"DuckDNS.ORG.\" allow", "\tzone: \"duckdns.org\" allow\n" },
	{ "zone: x.example log", "\tzone: \"x.example\" log\n" },
	{ "zone: \"x.example\" sinkhole", "\tzone: \"x.example\" sinkhole\n" },
	{ "zone: \"a\\032b.example\" block",
		"\tzone: \"a\\032b.example\" block\n" },
	{ "category: ddns-service block",
		"\tcategory: ddns-service block\n" },
	{ "category: tunnel_2.x off", "\tcategory: tunnel_2.x off\n" },
	{ "category: c allow", "\tcategory: c allow\n" },
	{ "category: c log", "\tcategory: c log\n" },
	{ "category: c sinkhole", "\tcategory: c sinkhole\n" },
	{ "client-network: ci-cd 10.0.0.0/8",
		"\tclient-network: ci-cd 10.0.0.0/8\n" },
	{ "client-network: ci-cd 10.0.0.0/8,192.168.1.7 block",
		"\tclient-network: ci-cd 10.0.0.0/8,192.168.1.7/32 block\n" },
	{ "client-network: lab 10.0.0.0/8, 2001:db8::/32 allow",
		"\tclient-network: lab 10.0.0.0/8,2001:db8::/32 allow\n" },
	{ "client-network: v6 2001:DB8::1", "\tclient-network: v6 "
		"2001:db8::1/128\n" },
	{ "client-network: m ::ffff:10.1.0.0/112 log",
		"\tclient-network: m 10.1.0.0/16 log\n" },
	{ "client-network: all 0.0.0.0/0,::/0 sinkhole",
		"\tclient-network: all 0.0.0.0/0,::/0 sinkhole\n" },
	{ "block-rcode: nxdomain", "\tblock-rcode: nxdomain\n" },
	{ "block-rcode: refused", "\tblock-rcode: refused\n" },
	{ "sinkhole-ipv4: 192.0.2.1", "\tsinkhole-ipv4: 192.0.2.1\n" },
	{ "sinkhole-ipv6: 2001:db8::53", "\tsinkhole-ipv6: 2001:db8::53\n" },
	{ "answer-ttl: 0", "\tanswer-ttl: 0\n" },
	{ "answer-ttl: 604800", "\tanswer-ttl: 604800\n" },
	{ "answer-ttl: 300", "\tanswer-ttl: 300\n" },
	{ "ede: no", "\tede: no\n" },
	{ "ede: yes", "\tede: yes\n" },
	{ "check-cname: no", "\tcheck-cname: no\n" },
	{ "log-file: /var/log/unbound/dyndns-guard.json",
		"\tlog-file: \"/var/log/unbound/dyndns-guard.json\"\n" },
	{ "log-cache-hits: no", "\tlog-cache-hits: no\n" },
	{ "fail-mode: closed", "\tfail-mode: closed\n" },
	{ "fail-mode: open", "\tfail-mode: open\n" },
	{ "reload-check: 5", "\treload-check: 5\n" },
	{ "reload-check: 0", "\treload-check: 0\n" },
	{ "public-key: /etc/unbound/dyndns.pub",
		"\tpublic-key: \"/etc/unbound/dyndns.pub\"\n" },
	{ "require-signature: yes", "\trequire-signature: yes\n" },
	{ "metrics-file: '/run/x\"y.prom'",
		"\tmetrics-file: '/run/x\"y.prom'\n" },
	{ "metrics-interval: 1", "\tmetrics-interval: 1\n" },
	{ "metrics-interval: 3600", "\tmetrics-interval: 3600\n" },
	{ "metrics-interval: 60", "\tmetrics-interval: 60\n" },
};

START_TEST(test_good)
{
	const struct good *g = &goods[_i];
	struct ddg_conf *c = NULL, *c2 = NULL;
	char text[1024], err[DDG_ERR_LEN];
	char *out, *out2;
	int r;

	snprintf(text, sizeof(text), "# comment\ndyndns-guard:\n\t%s\n",
		g->line);
	r = parse(text, &c, err);
	ck_assert_msg(r == DDG_OK, "'%s': %s", g->line, err);
	out = printed(c);
	ck_assert_msg(strstr(out, g->expect) != NULL, "'%s' printed:\n%s",
		g->line, out);
	/* round trip */
	r = parse(out, &c2, err);
	ck_assert_msg(r == DDG_OK, "reparse of '%s': %s", g->line, err);
	out2 = printed(c2);
	ck_assert_str_eq(out, out2);
	free(out);
	free(out2);
	ddg_conf_free(c);
	ddg_conf_free(c2);
}
END_TEST

/* ---- bad input: code and exact message ---- */

/** a bad text and the message it must produce */
struct bad {
	const char *text;
	int code;
	const char *msg;
};

static const struct bad bads[] = {
	{ "dyndns-guard:\n\tmodee: log\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: unknown key 'modee'" },
	{ "dyndns-guard:\n\n\tmode: blok\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:3: bad value 'blok' for mode: expected log, "
		"block, sinkhole or off" },
	{ "dyndns-guard:\nmode: allow\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value 'allow' for mode: expected "
		"log, block, sinkhole or off" },
	{ "dyndns-guard:\nmode:\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: missing value for mode" },
	{ "dyndns-guard:\nmode: # nothing\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: missing value for mode" },
	{ "dyndns-guard:\nmode: log block\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: unexpected 'block' after the value of "
		"mode" },
	{ "dyndns-guard:\nmode: \"log\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: unterminated quote" },
	{ "dyndns-guard:\nmode: \"log\"x\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: unexpected 'x' after closing quote" },
	{ "dyndns-guard:\nmode: lo\"g\"\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: unexpected quote inside a value (quote "
		"the whole value)" },
	{ "dyndns-guard:\nlist: a\\\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: backslash at the end of the line" },
	{ "dyndns-guard:\njust words\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: expected 'key: value', got 'just words'" },
	{ "mode: log\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:1: 'mode:' outside a clause; expected "
		"'dyndns-guard:' first" },
	{ "server:\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:1: this is an unbound.conf clause; expected "
		"'dyndns-guard:'" },
	{ "", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:1: no 'dyndns-guard:' clause" },
	{ "# only\n# comments\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: no 'dyndns-guard:' clause" },
	{ "dyndns-guard: mode: log\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:1: unexpected 'mode:' after dyndns-guard:" },
	{ "dyndns-guard:\nlist:\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: missing value for list" },
	{ "dyndns-guard:\nlist: \"\"\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: empty path for list" },
	{ "dyndns-guard:\nlist: a b\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: unexpected 'b' after the value of list" },
	{ "dyndns-guard:\nzone: \"x.example\"\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: missing value for zone" },
	{ "dyndns-guard:\nzone: \"x.example\" off\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad action 'off' for zone: expected log, "
		"block, sinkhole or allow" },
	{ "dyndns-guard:\nzone: \"a..b\" block\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad zone name 'a..b': empty label or bad "
		"escape" },
	{ "dyndns-guard:\nzone: \".\" block\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad zone name '.': the root zone cannot "
		"have a zone: rule" },
	{ "dyndns-guard:\nzone: \"a.example\" block\nmode: log\n"
		"zone: \"A.Example.\" allow\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:4: duplicate zone 'a.example.' (first on "
		"line 2)" },
	{ "dyndns-guard:\ncategory: ddns block\ncategory: ddns log\n",
		DDG_ERR_SYNTAX, "dyndns-guard.conf:3: duplicate category 'ddns' "
		"(first on line 2)" },
	{ "dyndns-guard:\ncategory: dd/ns block\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad category name 'dd/ns': expected 1 to "
		"63 of A-Z a-z 0-9 _ . -" },
	{ "dyndns-guard:\ncategory: ddns blok\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad action 'blok' for category: expected "
		"log, block, sinkhole, allow or off" },
	{ "dyndns-guard:\nclient-network: lab\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: missing value for client-network" },
	{ "dyndns-guard:\nclient-network: lab 10.0.0.1/8\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad network '10.0.0.1/8' for "
		"client-network: host bits set" },
	{ "dyndns-guard:\nclient-network: lab 10.0.0.0/33\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value '10.0.0.0/33' for "
		"client-network: expected an address or address/prefix, then "
		"optionally log, block, sinkhole or allow" },
	{ "dyndns-guard:\nclient-network: lab 10.0.0.0/8 off\n",
		DDG_ERR_SYNTAX, "dyndns-guard.conf:2: bad action 'off' for "
		"client-network: expected log, block, sinkhole or allow" },
	{ "dyndns-guard:\nclient-network: l@b 10.0.0.0/8\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad client-network name 'l@b': expected "
		"1 to 63 of A-Z a-z 0-9 _ . -" },
	{ "dyndns-guard:\nclient-network: a 10.0.0.0/8\n"
		"client-network: a 10.1.0.0/16\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:3: duplicate client-network 'a' (first on "
		"line 2)" },
	{ "dyndns-guard:\nclient-network: a 10.0.0.0/8\n"
		"client-network: b 10.0.0.0/8\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:3: duplicate network 10.0.0.0/8 (already in "
		"client-network a, line 2)" },
	{ "dyndns-guard:\nclient-network: a 2001:db8::/32,2001:db8::/32\n",
		DDG_ERR_SYNTAX, "dyndns-guard.conf:2: duplicate network "
		"2001:db8::/32 in client-network a" },
	{ "dyndns-guard:\nclient-network: a 2001:db8::1/32\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad network '2001:db8::1/32' for "
		"client-network: host bits set" },
	/* the first error in line order is reported: duplicates are found
	 * by sorting after the last line, but an earlier one wins */
	{ "dyndns-guard:\nzone: a.example block\nzone: A.example. log\n"
		"mode: blok\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:3: duplicate zone 'a.example.' (first on "
		"line 2)" },
	{ "dyndns-guard:\nmode: blok\ncategory: a log\ncategory: a block\n",
		DDG_ERR_SYNTAX, "dyndns-guard.conf:2: bad value 'blok' for "
		"mode: expected log, block, sinkhole or off" },
	{ "dyndns-guard:\ncategory: x log\nclient-network: n 10.0.0.0/8\n"
		"zone: z.example log\ncategory: x block\n"
		"client-network: n 10.1.0.0/16\nzone: z.example block\n",
		DDG_ERR_SYNTAX, "dyndns-guard.conf:5: duplicate category 'x' "
		"(first on line 2)" },
	{ "dyndns-guard:\nclient-network: a 10.0.0.0/8\n"
		"client-network: b 10.1.0.0/16,10.0.0.0/8,10.1.0.0/16\n",
		DDG_ERR_SYNTAX, "dyndns-guard.conf:3: duplicate network "
		"10.0.0.0/8 (already in client-network a, line 2)" },
	{ "dyndns-guard:\nclient-network: a 10.0.0.0/8\n"
		"client-network: b 10.1.0.0/16,10.1.0.0/16,10.0.0.0/8\n",
		DDG_ERR_SYNTAX, "dyndns-guard.conf:3: duplicate network "
		"10.1.0.0/16 in client-network b" },
	{ "dyndns-guard:\nclient-network: a 10.0.0.0/8\n"
		"client-network: a 10.0.0.0/8\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:3: duplicate client-network 'a' (first on "
		"line 2)" },
	{ "dyndns-guard:\nzone: a.example block\nzone: a.example log\n"
		"zone: a.example allow\ncategory: c log\ncategory: c log\n",
		DDG_ERR_SYNTAX, "dyndns-guard.conf:3: duplicate zone "
		"'a.example.' (first on line 2)" },
	{ "dyndns-guard:\nblock-rcode: servfail\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value 'servfail' for block-rcode: "
		"expected nxdomain or refused" },
	{ "dyndns-guard:\nsinkhole-ipv4: ::1\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value '::1' for sinkhole-ipv4: "
		"expected an IPv4 address" },
	{ "dyndns-guard:\nsinkhole-ipv6: 1.2.3\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value '1.2.3' for sinkhole-ipv6: "
		"expected an IPv6 address" },
	{ "dyndns-guard:\nanswer-ttl: 604801\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value '604801' for answer-ttl: "
		"expected seconds 0..604800" },
	{ "dyndns-guard:\nanswer-ttl: -1\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value '-1' for answer-ttl: expected "
		"seconds 0..604800" },
	{ "dyndns-guard:\nanswer-ttl: 99999999999999999999\n",
		DDG_ERR_SYNTAX, "dyndns-guard.conf:2: bad value "
		"'99999999999999999999' for answer-ttl: expected seconds "
		"0..604800" },
	{ "dyndns-guard:\nanswer-ttl: 1m\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value '1m' for answer-ttl: expected "
		"seconds 0..604800" },
	{ "dyndns-guard:\nede: maybe\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value 'maybe' for ede: expected yes "
		"or no" },
	{ "dyndns-guard:\ncheck-cname: YES\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value 'YES' for check-cname: expected "
		"yes or no" },
	{ "dyndns-guard:\nlog-cache-hits: 1\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value '1' for log-cache-hits: "
		"expected yes or no" },
	{ "dyndns-guard:\nrequire-signature: true\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value 'true' for require-signature: "
		"expected yes or no" },
	{ "dyndns-guard:\nfail-mode: shut\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value 'shut' for fail-mode: expected "
		"open or closed" },
	{ "dyndns-guard:\nreload-check: 86401\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value '86401' for reload-check: "
		"expected seconds 0..86400" },
	{ "dyndns-guard:\nmetrics-interval: 0\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value '0' for metrics-interval: "
		"expected seconds 1..3600" },
	{ "dyndns-guard:\nmetrics-interval: 3601\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value '3601' for metrics-interval: "
		"expected seconds 1..3600" },
	{ "dyndns-guard:\nmetrics-interval: 5s\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value '5s' for metrics-interval: "
		"expected seconds 1..3600" },
	{ "dyndns-guard:\nmetrics-interval: -1\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value '-1' for metrics-interval: "
		"expected seconds 1..3600" },
	{ "dyndns-guard:\nmetrics-interval: 5 6\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: unexpected '6' after the value of "
		"metrics-interval" },
	{ "dyndns-guard:\nmetrics-interval:\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: missing value for metrics-interval" },
	{ "dyndns-guard:\nlog-file:\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: missing value for log-file" },
	{ "dyndns-guard:\nmode: bl\001ck\n", DDG_ERR_SYNTAX,
		"dyndns-guard.conf:2: bad value 'bl\\001ck' for mode: expected "
		"log, block, sinkhole or off" },
};

START_TEST(test_bad)
{
	const struct bad *b = &bads[_i];
	struct ddg_conf *c = (struct ddg_conf *)0x1;
	char err[DDG_ERR_LEN];
	int r;

	err[0] = 0;
	r = parse(b->text, &c, err);
	ck_assert_msg(r == b->code, "case %d: got %d (%s)", _i, r, err);
	ck_assert_str_eq(err, b->msg);
	/* untouched on failure */
	ck_assert_ptr_eq(c, (struct ddg_conf *)0x1);
}
END_TEST

START_TEST(test_nul_and_long)
{
	struct ddg_conf *c = NULL;
	char err[DDG_ERR_LEN];
	static const char withnul[] = "dyndns-guard:\nmode: lo\0g\n";
	char *big;
	size_t n;

	ck_assert_int_eq(ddg_conf_parse(withnul, sizeof(withnul) - 1, "f",
		&c, err, sizeof(err)), DDG_ERR_SYNTAX);
	ck_assert_str_eq(err, "f:2: NUL byte in line");

	n = 20 + DDG_CONF_MAXLINE + 10;
	big = malloc(n + 1);
	ck_assert_ptr_nonnull(big);
	memcpy(big, "dyndns-guard:\n#", 15);
	memset(big + 15, 'x', n - 15);
	big[n] = 0;
	ck_assert_int_eq(ddg_conf_parse(big, n, "f", &c, err, sizeof(err)),
		DDG_ERR_SYNTAX);
	ck_assert_str_eq(err, "f:2: line too long (over 4096 bytes)");
	/* exactly 4096 is fine */
	big[15 + DDG_CONF_MAXLINE - 1] = '\n';
	ck_assert_int_eq(ddg_conf_parse(big, 15 + DDG_CONF_MAXLINE - 1, "f",
		&c, err, sizeof(err)), DDG_OK);
	ddg_conf_free(c);
	free(big);

	/* a message buffer that is too small is still terminated */
	{
		char small[8];
		ck_assert_int_eq(ddg_conf_parse("x", 1, "f", &c, small,
			sizeof(small)), DDG_ERR_SYNTAX);
		ck_assert_uint_lt(strlen(small), sizeof(small));
	}
}
END_TEST

START_TEST(test_syntax_family)
{
	struct ddg_conf *c = NULL;
	char err[DDG_ERR_LEN];
	const char *text =
		"# dyndns-guard.conf\r\n"
		"\r\n"
		"dyndns-guard:\r\n"
		"    # indented comment\n"
		"\tlist: \"/var/lib/a.dgl\"   # trailing comment\n"
		"\tlist: /var/lib/b.dgl#no-space comment\n"
		"  zone: \"x.duckdns.org\" allow # ok\n"
		"  zone: 'y.duckdns.org' block\n"
		"  zone: z\\.dot.example block\n"
		"dyndns-guard:\n"
		"  mode: block\n"
		"  mode: sinkhole\n"
		"  client-network: ci-cd 10.0.0.0/8 , 2001:db8::/32 block\n";

	ck_assert_msg(parse(text, &c, err) == DDG_OK, "%s", err);
	ck_assert_uint_eq(c->nlists, 2);
	ck_assert_str_eq(c->lists[0], "/var/lib/a.dgl");
	ck_assert_str_eq(c->lists[1], "/var/lib/b.dgl");
	ck_assert_uint_eq(c->nzones, 3);
	ck_assert_uint_eq(c->zones[0].wire_len, 15);
	ck_assert_int_eq(memcmp(c->zones[0].wire,
		"\001x\007duckdns\003org", 15), 0);
	ck_assert_int_eq(c->zones[0].action, DDG_ACTION_ALLOW);
	ck_assert_int_eq(c->zones[0].line, 7);
	ck_assert_int_eq(c->zones[1].action, DDG_ACTION_BLOCK);
	ck_assert_int_eq(memcmp(c->zones[2].wire, "\005z.dot\007example", 15),
		0);
	/* the last mode: wins */
	ck_assert_int_eq(c->mode, DDG_ACTION_SINKHOLE);
	ck_assert_uint_eq(c->nnetworks, 1);
	ck_assert_str_eq(c->networks[0].name, "ci-cd");
	ck_assert_uint_eq(c->networks[0].ncidrs, 2);
	ck_assert_int_eq(c->networks[0].cidrs[0].family, AF_INET);
	ck_assert_int_eq(c->networks[0].cidrs[0].prefix, 8);
	ck_assert_int_eq(c->networks[0].cidrs[1].family, AF_INET6);
	ck_assert_int_eq(c->networks[0].cidrs[1].prefix, 32);
	ck_assert_int_eq(c->networks[0].action, DDG_ACTION_BLOCK);
	ck_assert_int_eq(c->networks[0].line, 13);
	ddg_conf_free(c);
}
END_TEST

START_TEST(test_relative_paths)
{
	struct ddg_conf *c = NULL;
	char err[DDG_ERR_LEN];
	const char *text = "dyndns-guard:\nlist: a.dgl\nlist: /abs/b.dgl\n"
		"log-file: ev.json\nmetrics-file: m.prom\npublic-key: k.pub\n";
	char dir[] = "/tmp/ddg_conf_XXXXXX", path[256], *cwd;
	FILE *f;

	ck_assert_int_eq(ddg_conf_parse(text, strlen(text), "/etc/x/d.conf",
		&c, err, sizeof(err)), DDG_OK);
	ck_assert_str_eq(c->lists[0], "/etc/x/a.dgl");
	ck_assert_str_eq(c->lists[1], "/abs/b.dgl");
	ck_assert_str_eq(c->log_file, "/etc/x/ev.json");
	ck_assert_str_eq(c->metrics_file, "/etc/x/m.prom");
	ck_assert_str_eq(c->public_key, "/etc/x/k.pub");
	ddg_conf_free(c);

	ck_assert_int_eq(ddg_conf_parse(text, strlen(text), "d.conf", &c, err,
		sizeof(err)), DDG_OK);
	ck_assert_str_eq(c->lists[0], "a.dgl");
	ddg_conf_free(c);

	/* load: made absolute against the file's directory */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/d.conf", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(ddg_conf_load(path, &c, err, sizeof(err)), DDG_OK);
	snprintf(path, sizeof(path), "%s/a.dgl", dir);
	ck_assert_str_eq(c->lists[0], path);
	ddg_conf_free(c);
	cwd = getcwd(NULL, 0);
	ck_assert_int_eq(chdir("/tmp"), 0);
	snprintf(path, sizeof(path), "%s/d.conf", dir + 5);
	ck_assert_int_eq(ddg_conf_load(path, &c, err, sizeof(err)), DDG_OK);
	snprintf(path, sizeof(path), "%s/a.dgl", dir);
	ck_assert_str_eq(c->lists[0], path);
	ddg_conf_free(c);
	ck_assert_int_eq(chdir(cwd), 0);
	free(cwd);
	snprintf(path, sizeof(path), "%s/d.conf", dir);
	unlink(path);
	rmdir(dir);

	/* missing file */
	ck_assert_int_eq(ddg_conf_load("/nonexistent/d.conf", &c, err,
		sizeof(err)), DDG_ERR_IO);
	ck_assert_str_eq(err, "/nonexistent/d.conf: No such file or "
		"directory");
}
END_TEST

START_TEST(test_load_errors_name_file)
{
	struct ddg_conf *c = NULL;
	char err[DDG_ERR_LEN], path[] = "/tmp/ddg_conf_XXXXXX";
	char expect[DDG_ERR_LEN];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "dyndns-guard:\n\n  mode: block\n  modee: x\n",
		40), 40);
	close(fd);
	ck_assert_int_eq(ddg_conf_load(path, &c, err, sizeof(err)),
		DDG_ERR_SYNTAX);
	snprintf(expect, sizeof(expect), "%s:4: unknown key 'modee'", path);
	ck_assert_str_eq(err, expect);
	unlink(path);
	/* a directory is no configuration */
	ck_assert_int_eq(ddg_conf_load("/tmp", &c, err, sizeof(err)),
		DDG_ERR_IO);
	ck_assert_str_eq(err, "/tmp: not a regular file");
}
END_TEST

START_TEST(test_round_trip_full)
{
	struct ddg_conf *c = NULL, *c2 = NULL;
	char err[DDG_ERR_LEN];
	char *a, *b;
	const char *text =
		"dyndns-guard:\n"
		"mode: block\n"
		"list: \"/var/lib/unbound/dyndns.dgl\"\n"
		"list: \"/var/lib/unbound/extra list.dgl\"\n"
		"zone: \"x.duckdns.org\" allow\n"
		"zone: \"we\\\"ird\\\\name.example\" block\n"
		"zone: \"sp\\032ace.example\" log\n"
		"category: ddns-service block\n"
		"category: tunnel off\n"
		"client-network: ci-cd 10.0.0.0/8,fd00::/8 block\n"
		"client-network: staging 10.1.0.0/16\n"
		"client-network: prod 192.0.2.0/24 allow\n"
		"block-rcode: refused\n"
		"sinkhole-ipv4: 192.0.2.53\n"
		"sinkhole-ipv6: 2001:db8::53\n"
		"answer-ttl: 30\n"
		"ede: no\n"
		"check-cname: no\n"
		"log-file: \"/var/log/ddg.json\"\n"
		"log-cache-hits: no\n"
		"fail-mode: closed\n"
		"reload-check: 10\n"
		"public-key: \"/etc/unbound/k.pub\"\n"
		"require-signature: yes\n"
		"metrics-file: \"/run/ddg.prom\"\n"
		"metrics-interval: 15\n";

	ck_assert_msg(parse(text, &c, err) == DDG_OK, "%s", err);
	a = printed(c);
	ck_assert_msg(parse(a, &c2, err) == DDG_OK, "%s\n%s", err, a);
	b = printed(c2);
	ck_assert_str_eq(a, b);
	ck_assert_uint_eq(c2->nzones, 3);
	ck_assert_int_eq(memcmp(c2->zones[1].wire, c->zones[1].wire,
		c->zones[1].wire_len), 0);
	ck_assert_int_eq(c2->block_rcode, 5);
	ck_assert_uint_eq(c2->metrics_interval, 15);
	ck_assert_int_eq(c2->fail_mode, DDG_FAIL_CLOSED);
	ck_assert_int_eq(c2->networks[1].action, DDG_ACTION_NONE);
	free(a);
	free(b);
	ddg_conf_free(c);
	ddg_conf_free(c2);
}
END_TEST

START_TEST(test_actions_and_cidr)
{
	enum ddg_action a;
	struct ddg_conf_cidr cidr;

	ck_assert_str_eq(ddg_action_name(DDG_ACTION_NONE), "none");
	ck_assert_str_eq(ddg_action_name(DDG_ACTION_ALLOW), "allow");
	ck_assert_str_eq(ddg_action_name(DDG_ACTION_OFF), "off");
	ck_assert_str_eq(ddg_action_name(DDG_ACTION_LOG), "log");
	ck_assert_str_eq(ddg_action_name(DDG_ACTION_SINKHOLE), "sinkhole");
	ck_assert_str_eq(ddg_action_name(DDG_ACTION_BLOCK), "block");
	ck_assert_str_eq(ddg_action_name((enum ddg_action)99), "unknown");
	ck_assert_int_eq(ddg_action_from_str("block", &a), DDG_OK);
	ck_assert_int_eq(a, DDG_ACTION_BLOCK);
	ck_assert_int_eq(ddg_action_from_str("Block", &a), DDG_ERR_INVAL);
	ck_assert_int_eq(ddg_action_from_str(NULL, &a), DDG_ERR_INVAL);

	ck_assert_int_eq(ddg_conf_parse_cidr("10.0.0.0/8", &cidr), DDG_OK);
	ck_assert_int_eq(cidr.family, AF_INET);
	ck_assert_int_eq(cidr.prefix, 8);
	ck_assert_int_eq(ddg_conf_parse_cidr("10.0.0.0/08", &cidr),
		DDG_ERR_SYNTAX);
	ck_assert_int_eq(ddg_conf_parse_cidr("10.0.0.0/", &cidr),
		DDG_ERR_SYNTAX);
	ck_assert_int_eq(ddg_conf_parse_cidr("10.0.0.0/+8", &cidr),
		DDG_ERR_SYNTAX);
	ck_assert_int_eq(ddg_conf_parse_cidr("/8", &cidr), DDG_ERR_SYNTAX);
	ck_assert_int_eq(ddg_conf_parse_cidr("10.0.0.0/0", &cidr),
		DDG_ERR_INVAL);
	ck_assert_int_eq(ddg_conf_parse_cidr("0.0.0.0/0", &cidr), DDG_OK);
	ck_assert_int_eq(ddg_conf_parse_cidr("::/0", &cidr), DDG_OK);
	ck_assert_int_eq(cidr.family, AF_INET6);
	ck_assert_int_eq(ddg_conf_parse_cidr("2001:db8::/129", &cidr),
		DDG_ERR_SYNTAX);
	ck_assert_int_eq(ddg_conf_parse_cidr("::ffff:192.0.2.1", &cidr),
		DDG_OK);
	ck_assert_int_eq(cidr.family, AF_INET);
	ck_assert_int_eq(cidr.prefix, 32);
	ck_assert_int_eq(memcmp(cidr.addr, "\300\000\002\001", 4), 0);
	ck_assert_int_eq(ddg_conf_parse_cidr("64:ff9b::/96", &cidr), DDG_OK);
	ck_assert_int_eq(cidr.family, AF_INET6);
}
END_TEST

START_TEST(test_many_zones)
{
	/* duplicate detection stays fast with many zones */
	size_t n = 20000, i, len = 0, cap = n * 40 + 64;
	char *text = malloc(cap);
	struct ddg_conf *c = NULL;
	char err[DDG_ERR_LEN];

	ck_assert_ptr_nonnull(text);
	len += (size_t)snprintf(text + len, cap - len, "dyndns-guard:\n");
	for(i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
			"zone: z%zu.example block\n", i);
	ck_assert_int_eq(ddg_conf_parse(text, len, "f", &c, err, sizeof(err)),
		DDG_OK);
	ck_assert_uint_eq(c->nzones, n);
	ddg_conf_free(c);
	len += (size_t)snprintf(text + len, cap - len, "zone: z7.example log\n");
	ck_assert_int_eq(ddg_conf_parse(text, len, "f", &c, err, sizeof(err)),
		DDG_ERR_SYNTAX);
	ck_assert_str_eq(err, "f:20002: duplicate zone 'z7.example.' (first "
		"on line 9)");
	free(text);
}
END_TEST

/* ---- large configurations ---- */

/** a growing text buffer for generated configurations */
struct gen {
	/** the text */
	char *b;
	/** its length */
	size_t len;
	/** its capacity */
	size_t cap;
	/** lines written */
	int line;
};

static void gen_line(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Append one line. */
static void
gen_line(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	if(g->cap - g->len < 2 * DDG_CONF_MAXLINE) {
		g->cap = g->cap ? g->cap * 2 : 1 << 20;
		g->b = realloc(g->b, g->cap);
		ck_assert_ptr_nonnull(g->b);
	}
	va_start(ap, fmt);
	n = vsnprintf(g->b + g->len, g->cap - g->len - 1, fmt, ap);
	va_end(ap);
	ck_assert(n > 0 && (size_t)n < g->cap - g->len - 1);
	g->len += (size_t)n;
	g->b[g->len++] = '\n';
	g->line++;
}

/** the actions, in turn */
static const char *acts[] = { "block", "log", "sinkhole", "allow" };

/** The CIDR of network k of the big configuration: three of four IPv4
 * /24, one IPv6 /64. */
static const char *
big_cidr(size_t k, char *buf, size_t len)
{
	if(k % 4 == 3)
		snprintf(buf, len, "2001:db8:%zx:%zx::/64", k >> 16,
			k & 0xffff);
	else
		snprintf(buf, len, "%zu.%zu.%zu.0/24", 16 + (k >> 16),
			(k >> 8) & 255, k & 255);
	return buf;
}

/** repeats to put into the big configuration: entry at takes the key of
 * entry from (SIZE_MAX: none) */
struct inject {
	size_t zone_at, zone_from;
	size_t cat_at, cat_from;
	size_t name_at, name_from;
	size_t cidr_at[2], cidr_from[2];
	/** the CIDR of this network is malformed */
	size_t bad_cidr_at;
};

/** nothing injected */
static void
no_inject(struct inject *in)
{
	in->zone_at = in->cat_at = in->name_at = SIZE_MAX;
	in->cidr_at[0] = in->cidr_at[1] = in->bad_cidr_at = SIZE_MAX;
}

/** sizes of the big configuration */
#define BIG_ZONES 100000
#define BIG_CATS 1000
#define BIG_NETS 100000
/** lines of the entries: the header is line 1 */
#define ZONE_LINE(i) (2 + (int)(i))
#define CAT_LINE(j) (2 + BIG_ZONES + (int)(j))
#define NET_LINE(k) (2 + BIG_ZONES + BIG_CATS + (int)(k))

/**
 * The big configuration: 100,000 zone: rules, 1,000 category: lines and
 * 100,000 client-network: lines of one CIDR each, in that order, with the
 * given repeats.
 */
static void
big_conf(struct gen *g, const struct inject *in)
{
	char cb[64];
	size_t i;

	memset(g, 0, sizeof(*g));
	gen_line(g, "dyndns-guard:");
	for(i = 0; i < BIG_ZONES; i++) {
		size_t z = i == in->zone_at ? in->zone_from : i;
		gen_line(g, "zone: \"%s%zu.d%zu.example\" %s", i ==
			in->zone_at ? "H" : "h", z, z % 997, acts[i % 4]);
	}
	for(i = 0; i < BIG_CATS; i++)
		gen_line(g, "category: cat-%zu %s", i == in->cat_at ?
			in->cat_from : i, acts[i % 4]);
	for(i = 0; i < BIG_NETS; i++) {
		size_t c = i == in->cidr_at[0] ? in->cidr_from[0] :
			(i == in->cidr_at[1] ? in->cidr_from[1] : i);
		gen_line(g, "client-network: n%zu %s %s", i == in->name_at ?
			in->name_from : i, i == in->bad_cidr_at ?
			"16.0.0.1/24" : big_cidr(c, cb, sizeof(cb)),
			acts[i % 4]);
	}
}

/** Parse the big configuration with the repeats; returns the code, the
 * message in err. */
static int
parse_big(const struct inject *in, char *err)
{
	struct gen g;
	struct ddg_conf *c = NULL;
	int r;

	big_conf(&g, in);
	r = ddg_conf_parse(g.b, g.len, "big.conf", &c, err, DDG_ERR_LEN);
	ddg_conf_free(c);
	free(g.b);
	return r;
}

START_TEST(test_scale_good)
{
	/* 100,000 CIDRs, 100,000 zones and 1,000 categories load, with
	 * everything where it belongs */
	struct inject in;
	struct gen g;
	struct ddg_conf *c = NULL;
	char err[DDG_ERR_LEN], ab[INET6_ADDRSTRLEN], cb[64], want[80];

	no_inject(&in);
	big_conf(&g, &in);
	ck_assert_msg(ddg_conf_parse(g.b, g.len, "big.conf", &c, err,
		sizeof(err)) == DDG_OK, "%s", err);
	ck_assert_uint_eq(c->nzones, BIG_ZONES);
	ck_assert_uint_eq(c->ncategories, BIG_CATS);
	ck_assert_uint_eq(c->nnetworks, BIG_NETS);
	ck_assert_int_eq(c->zones[77777].line, ZONE_LINE(77777));
	ck_assert_int_eq(c->zones[77777].action, DDG_ACTION_LOG);
	ck_assert_str_eq(c->categories[999].name, "cat-999");
	ck_assert_int_eq(c->categories[999].line, CAT_LINE(999));
	ck_assert_str_eq(c->networks[99999].name, "n99999");
	ck_assert_int_eq(c->networks[99999].line, NET_LINE(99999));
	ck_assert_int_eq(c->networks[99999].cidrs[0].family, AF_INET6);
	ck_assert_int_eq(c->networks[65794].cidrs[0].family, AF_INET);
	inet_ntop(AF_INET, c->networks[65794].cidrs[0].addr, ab, sizeof(ab));
	snprintf(want, sizeof(want), "%s/%d", ab,
		c->networks[65794].cidrs[0].prefix);
	ck_assert_str_eq(want, big_cidr(65794, cb, sizeof(cb)));
	ck_assert_str_eq(want, "17.1.2.0/24");
	ddg_conf_free(c);
	free(g.b);
}
END_TEST

START_TEST(test_scale_dups)
{
	/* duplicates among 100,000 entries: the earliest repeat is
	 * reported, with the line of the first definition */
	struct inject in;
	char err[DDG_ERR_LEN], want[DDG_ERR_LEN];

	/* two repeated CIDRs: the earlier one (IPv4) */
	no_inject(&in);
	in.cidr_at[0] = 80000;
	in.cidr_from[0] = 50003;
	in.cidr_at[1] = 60000;
	in.cidr_from[1] = 4242;
	ck_assert_int_eq(parse_big(&in, err), DDG_ERR_SYNTAX);
	snprintf(want, sizeof(want), "big.conf:%d: duplicate network "
		"16.16.146.0/24 (already in client-network n4242, line %d)",
		NET_LINE(60000), NET_LINE(4242));
	ck_assert_str_eq(err, want);
	/* only the later one (IPv6) */
	in.cidr_at[1] = SIZE_MAX;
	ck_assert_int_eq(parse_big(&in, err), DDG_ERR_SYNTAX);
	snprintf(want, sizeof(want), "big.conf:%d: duplicate network "
		"2001:db8:0:c353::/64 (already in client-network n50003, "
		"line %d)", NET_LINE(80000), NET_LINE(50003));
	ck_assert_str_eq(err, want);
	/* a repeated network name before it */
	in.name_at = 70001;
	in.name_from = 123;
	ck_assert_int_eq(parse_big(&in, err), DDG_ERR_SYNTAX);
	snprintf(want, sizeof(want), "big.conf:%d: duplicate client-network "
		"'n123' (first on line %d)", NET_LINE(70001), NET_LINE(123));
	ck_assert_str_eq(err, want);
	/* a repeated category comes earlier in the file */
	in.cat_at = 999;
	in.cat_from = 500;
	ck_assert_int_eq(parse_big(&in, err), DDG_ERR_SYNTAX);
	snprintf(want, sizeof(want), "big.conf:%d: duplicate category "
		"'cat-500' (first on line %d)", CAT_LINE(999), CAT_LINE(500));
	ck_assert_str_eq(err, want);
	/* a repeated zone (other case) earlier still */
	in.zone_at = 99990;
	in.zone_from = 5;
	ck_assert_int_eq(parse_big(&in, err), DDG_ERR_SYNTAX);
	snprintf(want, sizeof(want), "big.conf:%d: duplicate zone "
		"'h5.d5.example.' (first on line %d)", ZONE_LINE(99990),
		ZONE_LINE(5));
	ck_assert_str_eq(err, want);
	/* a syntax error on the last line: the earlier repeat wins */
	in.bad_cidr_at = BIG_NETS - 1;
	ck_assert_int_eq(parse_big(&in, err), DDG_ERR_SYNTAX);
	ck_assert_str_eq(err, want);
	/* a syntax error before every repeat is the first error */
	no_inject(&in);
	in.bad_cidr_at = 10;
	in.cidr_at[0] = 20;
	in.cidr_from[0] = 5;
	ck_assert_int_eq(parse_big(&in, err), DDG_ERR_SYNTAX);
	snprintf(want, sizeof(want), "big.conf:%d: bad network '16.0.0.1/24' "
		"for client-network: host bits set", NET_LINE(10));
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_scale_same_zone)
{
	/* 100,000 times the same zone: the second line is the repeat */
	struct gen g;
	struct ddg_conf *c = NULL;
	char err[DDG_ERR_LEN];
	int i;

	memset(&g, 0, sizeof(g));
	gen_line(&g, "dyndns-guard:");
	for(i = 0; i < 100000; i++)
		gen_line(&g, "zone: same.example block");
	ck_assert_int_eq(ddg_conf_parse(g.b, g.len, "f", &c, err,
		sizeof(err)), DDG_ERR_SYNTAX);
	ck_assert_str_eq(err, "f:3: duplicate zone 'same.example.' (first on "
		"line 2)");
	free(g.b);
}
END_TEST

START_TEST(test_limits_size)
{
	/* a configuration over 10 MiB is refused unparsed, naming the file
	 * and the limit; exactly 10 MiB is read */
	char path[] = "/tmp/ddg_conf_big_XXXXXX", err[DDG_ERR_LEN];
	char want[DDG_ERR_LEN], line[101];
	struct ddg_conf *c = NULL;
	size_t n = 0;
	FILE *f;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	memset(line, 'x', sizeof(line) - 1);
	line[0] = '#';
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = 0;
	fputs("dyndns-guard:\n", f);
	n = 14;
	while(n + 100 <= DDG_CONF_MAXFILE) {
		fputs(line, f);
		n += 100;
	}
	while(n < DDG_CONF_MAXFILE - 1) {
		fputc('#', f);
		n++;
	}
	fputc('\n', f);
	ck_assert_int_eq(fflush(f), 0);
	ck_assert_int_eq(ddg_conf_load(path, &c, err, sizeof(err)), DDG_OK);
	ddg_conf_free(c);
	fputc('\n', f);
	ck_assert_int_eq(fclose(f), 0);
	c = (struct ddg_conf *)0x1;
	ck_assert_int_eq(ddg_conf_load(path, &c, err, sizeof(err)),
		DDG_ERR_RANGE);
	snprintf(want, sizeof(want), "%s: too large: 10485761 bytes (the "
		"limit is 10485760 bytes, 10 MiB)", path);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_eq(c, (struct ddg_conf *)0x1);
	unlink(path);
}
END_TEST

START_TEST(test_limits_text)
{
	/* the same limits for text: size, and at most 1,000,000 lines */
	size_t n = DDG_CONF_MAXFILE + 1;
	char *text = malloc(n + 1), err[DDG_ERR_LEN];
	struct ddg_conf *c = NULL;

	ck_assert_ptr_nonnull(text);
	memcpy(text, "dyndns-guard:\n", 14);
	memset(text + 14, '\n', n - 14);
	ck_assert_int_eq(ddg_conf_parse(text, n, "f", &c, err, sizeof(err)),
		DDG_ERR_RANGE);
	ck_assert_str_eq(err, "f: too large: 10485761 bytes (the limit is "
		"10485760 bytes, 10 MiB)");
	/* 1,000,000 lines: the header and 999,999 empty ones */
	n = 14 + DDG_CONF_MAXLINES - 1;
	ck_assert_msg(ddg_conf_parse(text, n, "f", &c, err, sizeof(err)) ==
		DDG_OK, "%s", err);
	ddg_conf_free(c);
	/* one more, even without a newline, is too many */
	text[n] = '#';
	ck_assert_int_eq(ddg_conf_parse(text, n + 1, "f", &c, err,
		sizeof(err)), DDG_ERR_RANGE);
	ck_assert_str_eq(err, "f: too many lines (the limit is 1000000)");
	free(text);
}
END_TEST

START_TEST(test_limits_items)
{
	/* DDG_CONF_MAX_ITEMS prefixes in all are accepted, one more is not */
	struct gen g;
	struct ddg_conf *c = NULL;
	char err[DDG_ERR_LEN], want[DDG_ERR_LEN];
	size_t k, i = 0;

	memset(&g, 0, sizeof(g));
	gen_line(&g, "dyndns-guard:");
	for(k = 0; i < DDG_CONF_MAX_ITEMS; k++) {
		char l[2048];
		size_t o = 0, j;
		for(j = 0; j < 64 && i < DDG_CONF_MAX_ITEMS; j++, i++)
			o += (size_t)snprintf(l + o, sizeof(l) - o, "%s10.%zu.%zu.%zu",
				j ? "," : "", i >> 16, (i >> 8) & 255, i & 255);
		gen_line(&g, "client-network: n%zu %s", k, l);
	}
	ck_assert_msg(ddg_conf_parse(g.b, g.len, "f", &c, err, sizeof(err)) ==
		DDG_OK, "%s", err);
	ddg_conf_free(c);
	gen_line(&g, "client-network: last 192.0.2.1");
	ck_assert_int_eq(ddg_conf_parse(g.b, g.len, "f", &c, err,
		sizeof(err)), DDG_ERR_RANGE);
	snprintf(want, sizeof(want), "f:%d: too many client-network prefixes "
		"(more than %d in all)", g.line, DDG_CONF_MAX_ITEMS);
	ck_assert_str_eq(err, want);
	free(g.b);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_defaults);
	tcase_add_loop_test(tc, test_good, 0, sizeof(goods) / sizeof(goods[0]));
	tcase_add_test(tc, test_syntax_family);
	tcase_add_test(tc, test_relative_paths);
	tcase_add_test(tc, test_round_trip_full);
	tcase_add_test(tc, test_actions_and_cidr);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bads) / sizeof(bads[0]));
	tcase_add_test(tc, test_nul_and_long);
	tcase_add_test(tc, test_load_errors_name_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_many_zones);
	tcase_add_test(tc, test_scale_good);
	tcase_add_test(tc, test_scale_dups);
	tcase_add_test(tc, test_scale_same_zone);
	tcase_add_test(tc, test_limits_size);
	tcase_add_test(tc, test_limits_text);
	tcase_add_test(tc, test_limits_items);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
