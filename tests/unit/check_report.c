/**
 * \file check_report.c
 * Unit tests of what `dyndns-guard report` is built on: reading events
 * back (lib/evparse.c) against the formatters that write them
 * (lib/event.c), the time stamps of log prefixes, the sketches
 * (lib/sketch.c) and the beacon test (lib/beacon.c).
 */
#include <arpa/inet.h>
#include <check.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dyndns-guard/beacon.h"
#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/event.h"
#include "dyndns-guard/evparse.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/sketch.h"

/** 2026-01-01T00:00:00Z */
#define T0 1767225600LL

/** the parser settings of the tests: now is 2026-01-02 */
static struct ddg_evparse_opts opts = { (T0 + 86400) * 1000 };

/** parse a NUL-terminated line */
static enum ddg_evline_kind
parse(const char *line, struct ddg_evrec *rec, const char **why)
{
	return ddg_evparse_line(&opts, line, strlen(line), rec, why);
}

/** wire form of a presentation name */
static const uint8_t *
W(const char *s, uint8_t *buf)
{
	size_t n;

	ck_assert_int_eq(ddg_name_from_str(s, buf, &n), DDG_OK);
	return buf;
}

START_TEST(test_roundtrip)
{
	/* names with every kind of byte; both lines must read back to the
	 * same fields */
	static const char *names[] = { "x.duckdns.org", "X.DuckDNS.Org",
		"a\\032b.duckdns.org", "\\000\\255.duckdns.org",
		"q\\034\\092\\061.duckdns.org", "c\\044d.duckdns.org",
		"<script>.duckdns.org", "\\(a\\).duckdns.org",
		"a\\.b.duckdns.org", "\\010.duckdns.org" };
	static const char *want[] = { "x.duckdns.org", "x.duckdns.org",
		"a\\032b.duckdns.org", "\\000\\255.duckdns.org",
		"q\\034\\\\\\061.duckdns.org", "c\\044d.duckdns.org",
		"<script>.duckdns.org", "\\(a\\).duckdns.org",
		"a\\.b.duckdns.org", "\\010.duckdns.org" };
	struct ddg_event ev;
	struct sockaddr_in sin;
	struct sockaddr_in6 s6;
	uint8_t q[DDG_NAME_MAXWIRE], z[DDG_NAME_MAXWIRE], c[DDG_NAME_MAXWIRE];
	char text[DDG_EVENT_LINE_MIN], json[DDG_EVENT_LINE_MIN + 64];
	struct ddg_evrec a, b;
	const char *why;
	size_t i;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(53311);
	inet_pton(AF_INET, "10.1.2.3", &sin.sin_addr);
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(5353);
	inet_pton(AF_INET6, "2001:DB8:0::1", &s6.sin6_addr);
	for(i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(&ev, 0, sizeof(ev));
		ev.ts.tv_sec = (time_t)(T0 + 3600);
		ev.ts.tv_nsec = 678000000;
		ev.action = i % 3 == 0 ? DDG_ACTION_LOG : i % 3 == 1 ?
			DDG_ACTION_BLOCK : DDG_ACTION_SINKHOLE;
		ev.client = i % 4 == 3 ? NULL : i % 2 ?
			(const struct sockaddr *)&s6 :
			(const struct sockaddr *)&sin;
		ev.network = i % 2 ? "ci-cd" : NULL;
		ev.qname = W(names[i], q);
		ev.qtype = 1;
		ev.rcode = 0;
		ev.zone = W("DuckDNS.org", z);
		ev.category = i % 5 ? "ddns-service" : "we ird\"cat";
		ev.match = i % 2 ? DDG_MATCH_CNAME : DDG_MATCH_QNAME;
		ev.cached = (int)(i % 2);
		if(i % 2) {
			ev.chain[0] = W("cdn,x.example", c);
			ev.nchain = 1;
		}
		ev.ruleset = "dyndns.dgl@0123456789ab";
		ck_assert_int_gt(ddg_event_format_json(&ev, json,
			sizeof(json)), 0);
		ck_assert_int_gt(ddg_event_format_text(&ev, text,
			sizeof(text)), 0);
		ck_assert_int_eq(parse(json, &a, &why), DDG_EVLINE_EVENT);
		ck_assert_int_eq(a.form, DDG_EVREC_JSON);
		{
			/* Unbound's prefix in front of the text line */
			char line[DDG_EVENT_LINE_MIN + 64];
			snprintf(line, sizeof(line), "[%lld] unbound[7:0] info: "
				"%s\n", T0 + 3600, text);
			ck_assert_msg(parse(line, &b, &why) == DDG_EVLINE_EVENT,
				"%s: %s", line, why);
		}
		ck_assert_int_eq(b.form, DDG_EVREC_TEXT);
		ck_assert_str_eq(a.name, want[i]);
		ck_assert_str_eq(b.name, want[i]);
		ck_assert_str_eq(a.zone, "duckdns.org");
		ck_assert_str_eq(b.zone, "duckdns.org");
		ck_assert_str_eq(a.client, b.client);
		ck_assert_str_eq(a.client, i % 4 == 3 ? "-" : i % 2 ?
			"2001:db8::1" : "10.1.2.3");
		ck_assert_str_eq(a.network, b.network);
		ck_assert_str_eq(a.network, i % 2 ? "ci-cd" : "-");
		ck_assert_str_eq(a.category, b.category);
		ck_assert_str_eq(a.category, i % 5 ? "ddns-service" :
			"we\\032ird\\034cat");
		ck_assert_str_eq(a.qtype, "A");
		ck_assert_str_eq(b.qtype, "A");
		ck_assert_int_eq(a.action, ev.action);
		ck_assert_int_eq(b.action, ev.action);
		ck_assert_int_eq(a.cached, ev.cached);
		ck_assert_int_eq(b.cached, ev.cached);
		ck_assert_int_eq(a.match_cname, ev.match == DDG_MATCH_CNAME);
		ck_assert_int_eq(b.match_cname, ev.match == DDG_MATCH_CNAME);
		ck_assert_int_eq(a.time_ms, (T0 + 3600) * 1000 + 678);
		ck_assert_int_eq(b.time_ms, (T0 + 3600) * 1000);
	}
}
END_TEST

/** parse a text event behind prefix; returns the time or -1 */
static int64_t
prefix_ms(const char *prefix)
{
	char line[1024];
	struct ddg_evrec r;
	const char *why;

	snprintf(line, sizeof(line), "%s[dyndns-guard] action=log "
		"client=10.0.0.1#1 network=- qname=a.b. qtype=A zone=b "
		"category=x match=qname cached=no", prefix);
	if(parse(line, &r, &why) != DDG_EVLINE_EVENT)
		return -1;
	return r.time_ms;
}

START_TEST(test_prefixes)
{
	int64_t t = (T0 + 3723) * 1000; /* 2026-01-01T01:02:03Z */

	setenv("TZ", "UTC", 1);
	tzset();
	ck_assert_int_eq(prefix_ms("[1767229323] unbound[4242:0] info: "), t);
	ck_assert_int_eq(prefix_ms("Jan 01 01:02:03 unbound[4242:1] info: "),
		t);
	ck_assert_int_eq(prefix_ms("Jan  1 01:02:03 host unbound: "
		"[4242:0] info: "), t);
	ck_assert_int_eq(prefix_ms("<30>Jan  1 01:02:03 host unbound: "
		"[1:0] info: "), t);
	ck_assert_int_eq(prefix_ms("Jan  1 01:02:03.456789 host unbound[1]: "
		"[1:0] info: "), t + 456);
	ck_assert_int_eq(prefix_ms("2026-01-01T01:02:03.250+00:00 host "
		"unbound[1]: [1:0] info: "), t + 250);
	ck_assert_int_eq(prefix_ms("2026-01-01T02:02:03+01:00 host "
		"unbound[1]: "), t);
	ck_assert_int_eq(prefix_ms("2025-12-31T20:32:03-0430 host "
		"unbound[1]: "), t);
	ck_assert_int_eq(prefix_ms("2026-01-01T01:02:03Z unbound[1:0] info: "),
		t);
	ck_assert_int_eq(prefix_ms("2026-01-01 01:02:03 unbound[1:0] info: "),
		t);
	ck_assert_int_eq(prefix_ms("<30>1 2026-01-01T01:02:03Z host unbound "
		"1 - - [1:0] info: "), t);
	/* December, read on 2026-01-02: the year before */
	ck_assert_int_eq(prefix_ms("Dec 31 23:00:00 unbound[1:0] info: "),
		(T0 - 3600) * 1000);
	/* a day ahead is still this year (clock skew) */
	ck_assert_int_eq(prefix_ms("Jan 03 00:00:00 unbound[1:0] info: "),
		(T0 + 2 * 86400) * 1000);
	/* no or a bad time stamp */
	ck_assert_int_eq(prefix_ms(""), -1);
	ck_assert_int_eq(prefix_ms("info: "), -1);
	ck_assert_int_eq(prefix_ms("[abc] unbound: "), -1);
	ck_assert_int_eq(prefix_ms("Foo 01 01:02:03 x "), -1);
	ck_assert_int_eq(prefix_ms("Jan 32 01:02:03 x "), -1);
	ck_assert_int_eq(prefix_ms("Feb 30 01:02:03 x "), -1);
	ck_assert_int_eq(prefix_ms("2026-02-29T01:02:03Z x "), -1);
	ck_assert_int_eq(prefix_ms("2026-01-01T25:02:03Z x "), -1);
	ck_assert_int_eq(prefix_ms("2026-01-01T01:02:03Zjunk "), -1);
	ck_assert_int_eq(prefix_ms("<999999>Jan 01 01:02:03 x "), -1);
}
END_TEST

START_TEST(test_bad_lines)
{
	static const struct { const char *line; size_t len; const char *why; }
	bad[] = {
		{ "{", 0, "JSON" },
		{ "{\"a\":}", 0, "JSON" },
		{ "{\"a\":1,}", 0, "JSON" },
		{ "{\"a\":01}", 0, "JSON" },
		{ "{\"a\":\"\\x\"}", 0, "JSON: bad escape" },
		{ "{\"a\":\"\\ud800\"}", 0, "surrogate" },
		{ "{\"a\":\"\\udc00\"}", 0, "surrogate" },
		{ "{\"a\":\"\x01\"}", 0, "control byte" },
		{ "{\"a\":1} x", 0, "text after" },
		{ "{\"a\":tru}", 0, "JSON" },
		{ "a\0b", 3, "NUL byte" },
		{ "\xc0\xaf", 0, "invalid UTF-8" },
		{ "\xed\xa0\x80", 0, "invalid UTF-8" },
		{ "\xf4\x90\x80\x80", 0, "invalid UTF-8" },
		{ "\xe2\x82", 0, "invalid UTF-8" },
		{ "{\"event\":{\"module\":\"dyndns_guard\",\"action\":\"log\"},"
			"\"dns\":{\"question\":{\"name\":\"a\"}},\"rule\":"
			"{\"name\":\"a\"}}", 0, "missing @timestamp" },
		{ "{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"event\":"
			"{\"module\":\"dyndns_guard\"},\"dns\":{\"question\":"
			"{\"name\":\"a\"}},\"rule\":{\"name\":\"a\"}}", 0,
			"missing event.action" },
		{ "{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"event\":"
			"{\"module\":\"dyndns_guard\",\"action\":\"log\"},"
			"\"rule\":{\"name\":\"a\"}}", 0,
			"missing dns.question.name" },
		{ "{\"@timestamp\":1,\"event\":{\"module\":\"dyndns_guard\"}}",
			0, "@timestamp is not a string" },
		{ "{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"event\":"
			"{\"module\":\"dyndns_guard\",\"action\":\"log\"},"
			"\"source\":{\"ip\":\"10.0.0\"},\"dns\":{\"question\":"
			"{\"name\":\"a\"}},\"rule\":{\"name\":\"a\"}}", 0,
			"invalid source.ip" },
		{ "{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"event\":"
			"{\"module\":\"dyndns_guard\",\"action\":\"log\"},"
			"\"source\":7,\"dns\":{\"question\":{\"name\":\"a\"}},"
			"\"rule\":{\"name\":\"a\"}}", 0, "source is not" },
		{ "{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"event\":"
			"{\"module\":\"dyndns_guard\",\"action\":\"log\"},"
			"\"dns\":{\"question\":{\"name\":\"a\"}},\"rule\":"
			"{\"name\":\"a\"},\"dyndns_guard\":{\"cached\":\"no\"}}",
			0, "not a boolean" },
		{ "[1] x: [dyndns-guard] action=log client=1.2.3.4 "
			"qname=a. zone=a", 0, "#port" },
		{ "[1] x: [dyndns-guard] action=log client=- qname=a. zone=a "
			"junk", 0, "without '='" },
		{ "[1] x: [dyndns-guard] action=log client=- qname= zone=a",
			0, "empty value" },
		{ "[1] x: [dyndns-guard] action=log client=- qname=a. "
			"qname=b. zone=a", 0, "twice" },
		{ "[1] x: [dyndns-guard] action=deny client=- qname=a. zone=a",
			0, "unknown action" },
		{ "[1] x: [dyndns-guard] action=log client=- zone=a", 0,
			"no qname" },
		{ "[1] x: [dyndns-guard] action=log client=- qname=a.", 0,
			"no zone" },
		{ "[1] x: [dyndns-guard] action=log qname=a. zone=a", 0,
			"no client" },
		{ "[1] x: [dyndns-guard] action=log client=- qname=a. zone=a "
			"cached=maybe", 0, "cached" },
	};
	struct ddg_evrec r;
	const char *why;
	size_t i;

	for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = bad[i].len ? bad[i].len : strlen(bad[i].line);
		why = NULL;
		ck_assert_msg(ddg_evparse_line(&opts, bad[i].line, n, &r,
			&why) == DDG_EVLINE_BAD, "not bad: %s", bad[i].line);
		ck_assert_msg(why && strstr(why, bad[i].why), "%s: '%s', "
			"want '%s'", bad[i].line, why ? why : "(null)",
			bad[i].why);
	}
	/* nested too deeply, and a line over the limit */
	{
		char *deep = malloc(DDG_EVPARSE_MAXLINE + 2);
		size_t k;
		ck_assert_ptr_nonnull(deep);
		for(k = 0; k < 200; k++)
			deep[k] = '[';
		memcpy(deep, "{\"a\":", 5);
		deep[200] = 0;
		ck_assert_int_eq(parse(deep, &r, &why), DDG_EVLINE_BAD);
		ck_assert_ptr_nonnull(strstr(why, "nested too deeply"));
		memset(deep, 'x', DDG_EVPARSE_MAXLINE + 1);
		ck_assert_int_eq(ddg_evparse_line(&opts, deep,
			DDG_EVPARSE_MAXLINE + 1, &r, &why), DDG_EVLINE_BAD);
		ck_assert_str_eq(why, "line too long");
		free(deep);
	}
}
END_TEST

START_TEST(test_other_lines)
{
	struct ddg_evrec r;
	const char *why;

	ck_assert_int_eq(parse("", &r, &why), DDG_EVLINE_OTHER);
	ck_assert_int_eq(parse("   \r\n", &r, &why), DDG_EVLINE_OTHER);
	ck_assert_int_eq(parse("[1700000000] unbound[1:0] notice: init "
		"module 0: dynlib", &r, &why), DDG_EVLINE_OTHER);
	ck_assert_int_eq(parse("[1700000000] unbound[1:0] info: dyndns-guard:"
		" list x replaced", &r, &why), DDG_EVLINE_OTHER);
	ck_assert_int_eq(parse("{\"event\":{\"module\":\"other\"}}", &r,
		&why), DDG_EVLINE_OTHER);
	ck_assert_int_eq(parse("{\"message\":\"x\"}", &r, &why),
		DDG_EVLINE_OTHER);
	/* UTF-8, \u escapes, unknown fields: an event, escaped */
	ck_assert_int_eq(parse("{\"@timestamp\":\"2026-01-01T00:00:00Z\","
		"\"x\":[1,-2.5e3,true,null,{\"y\":\"\xc3\xa9\"}],"
		"\"event\":{\"module\":\"dyndns_guard\",\"action\":\"block\"},"
		"\"dns\":{\"question\":{\"name\":\"\\u00e9\\ud83d\\ude00 "
		"\\\"A\\\".\"}},\"rule\":{\"name\":\"b.\",\"category\":null}}"
		"\r\n", &r, &why), DDG_EVLINE_EVENT);
	ck_assert_str_eq(r.name, "\\195\\169\\240\\159\\152\\128\\032\\034a"
		"\\034");
	ck_assert_str_eq(r.zone, "b");
	ck_assert_str_eq(r.category, "-");
	ck_assert_str_eq(r.client, "-");
	ck_assert_int_eq(r.action, DDG_ACTION_BLOCK);
	ck_assert_int_eq(r.time_ms, T0 * 1000);
}
END_TEST

START_TEST(test_time_args)
{
	int64_t now = (T0 + 86400) * 1000, t;
	char b[40];

	setenv("TZ", "UTC", 1);
	tzset();
	ck_assert_int_eq(ddg_time_parse_arg("1767225600", now, &t), DDG_OK);
	ck_assert_int_eq(t, T0 * 1000);
	ck_assert_int_eq(ddg_time_parse_arg("1767225600.25", now, &t),
		DDG_OK);
	ck_assert_int_eq(t, T0 * 1000 + 250);
	ck_assert_int_eq(ddg_time_parse_arg("24h", now, &t), DDG_OK);
	ck_assert_int_eq(t, T0 * 1000);
	ck_assert_int_eq(ddg_time_parse_arg("1h30m", now, &t), DDG_OK);
	ck_assert_int_eq(t, now - 5400000);
	ck_assert_int_eq(ddg_time_parse_arg("1w", now, &t), DDG_OK);
	ck_assert_int_eq(t, now - 7 * 86400000LL);
	ck_assert_int_eq(ddg_time_parse_arg("90s", now, &t), DDG_OK);
	ck_assert_int_eq(t, now - 90000);
	ck_assert_int_eq(ddg_time_parse_arg("2026-01-01", now, &t), DDG_OK);
	ck_assert_int_eq(t, T0 * 1000);
	ck_assert_int_eq(ddg_time_parse_arg("2026-01-01T01:00:00.5+01:00",
		now, &t), DDG_OK);
	ck_assert_int_eq(t, T0 * 1000 + 500);
	ck_assert_int_ne(ddg_time_parse_arg("", now, &t), DDG_OK);
	ck_assert_int_ne(ddg_time_parse_arg("24x", now, &t), DDG_OK);
	ck_assert_int_ne(ddg_time_parse_arg("h", now, &t), DDG_OK);
	ck_assert_int_ne(ddg_time_parse_arg("1h30", now, &t), DDG_OK);
	ck_assert_int_ne(ddg_time_parse_arg("2026-13-01", now, &t), DDG_OK);
	ck_assert_int_ne(ddg_time_parse_arg("yesterday", now, &t), DDG_OK);
	ck_assert_int_ne(ddg_time_parse_arg("2026-01-01T00:00:00Z ", now, &t),
		DDG_OK);
	ck_assert_str_eq(ddg_time_format(T0 * 1000 + 5, b, sizeof(b)),
		"2026-01-01T00:00:00.005Z");
	ck_assert_str_eq(ddg_time_format(951782400000LL, b, sizeof(b)),
		"2000-02-29T00:00:00.000Z");
	ck_assert_str_eq(ddg_time_format(-1, b, sizeof(b)),
		"1969-12-31T23:59:59.999Z");
}
END_TEST

START_TEST(test_distinct)
{
	struct ddg_distinct d;
	uint8_t k[16] = { 1, 2, 3 };
	uint64_t i, n;
	int est;

	memset(&d, 0, sizeof(d));
	for(i = 0; i < DDG_DISTINCT_EXACT; i++) {
		ck_assert_int_eq(ddg_distinct_add(&d, ddg_siphash(k, &i,
			sizeof(i))), 0);
		ck_assert_int_eq(ddg_distinct_add(&d, ddg_siphash(k, &i,
			sizeof(i))), 0);
	}
	ck_assert_int_eq(ddg_distinct_count(&d, &est), DDG_DISTINCT_EXACT);
	ck_assert_int_eq(est, 0);
	for(i = 0; i < 20000; i++)
		ddg_distinct_add(&d, ddg_siphash(k, &i, sizeof(i)));
	n = ddg_distinct_count(&d, &est);
	ck_assert_int_eq(est, 1);
	ck_assert_msg(n > 19000 && n < 21000, "estimate %llu of 20000",
		(unsigned long long)n);
	ddg_distinct_clear(&d);
	ck_assert_int_eq(ddg_distinct_count(&d, &est), 0);
	/* just over the exact bound: the estimate is not below it */
	for(i = 0; i < DDG_DISTINCT_EXACT + 1; i++)
		ddg_distinct_add(&d, ddg_siphash(k, &i, sizeof(i)));
	n = ddg_distinct_count(&d, &est);
	ck_assert_int_eq(est, 1);
	ck_assert_msg(n >= DDG_DISTINCT_EXACT + 1 && n < 75, "%llu",
		(unsigned long long)n);
	ddg_distinct_clear(&d);
}
END_TEST

/** a payload that allocates, to see clear() called */
struct pl {
	/** a distinct counter */
	struct ddg_distinct d;
	/** the key number */
	uint32_t v;
};

/** clear() of struct pl */
static void
pl_clear(void *p)
{
	ddg_distinct_clear(&((struct pl *)p)->d);
}

START_TEST(test_sstab)
{
	uint8_t k[16] = { 9 };
	struct ddg_sstab *t = ddg_sstab_new(100, sizeof(struct pl), pl_clear,
		k);
	struct ddg_sstab_entry *e;
	char key[32];
	int fresh, i, heavy = 0;
	size_t j;

	ck_assert_ptr_nonnull(t);
	/* exact while not full */
	for(i = 0; i < 5000; i++) {
		int n = snprintf(key, sizeof(key), "k%d", i % 100);
		e = ddg_sstab_hit(t, key, (size_t)n, &fresh);
		ck_assert_ptr_nonnull(e);
		ck_assert_int_eq(fresh, i < 100);
		ddg_distinct_add(&((struct pl *)ddg_sstab_payload(e))->d,
			(uint64_t)i);
	}
	ck_assert_int_eq(ddg_sstab_size(t), 100);
	ck_assert_int_eq(ddg_sstab_evicted(t), 0);
	for(j = 0; j < ddg_sstab_size(t); j++) {
		e = ddg_sstab_at(t, j);
		ck_assert_int_eq(e->count, 50);
		ck_assert_int_eq(e->err, 0);
	}
	e = ddg_sstab_find(t, "k7", 2);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->key, "k7");
	ck_assert_ptr_null(ddg_sstab_find(t, "k700", 4));
	/* a stream of new keys with one heavy hitter: it stays, with a
	 * count between count - err and count */
	for(i = 0; i < 100000; i++) {
		int n;
		if(i % 10 == 0) {
			n = snprintf(key, sizeof(key), "heavy");
			heavy++;
		} else
			n = snprintf(key, sizeof(key), "new%d", i);
		e = ddg_sstab_hit(t, key, (size_t)n, &fresh);
		ck_assert_ptr_nonnull(e);
		if(fresh)
			ck_assert_int_eq(((struct pl *)ddg_sstab_payload(e))->
				d.n, 0);
	}
	ck_assert_int_eq(ddg_sstab_size(t), 100);
	ck_assert_int_gt(ddg_sstab_evicted(t), 80000);
	e = ddg_sstab_find(t, "heavy", 5);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_ge(e->count, (uint64_t)heavy);
	ck_assert_uint_le(e->count - e->err, (uint64_t)heavy);
	/* every key still findable after all the evictions */
	for(j = 0; j < ddg_sstab_size(t); j++) {
		struct ddg_sstab_entry *x = ddg_sstab_at(t, j);
		ck_assert_ptr_eq(ddg_sstab_find(t, x->key, x->keylen), x);
	}
	ddg_sstab_free(t);
}
END_TEST

START_TEST(test_fpset)
{
	struct ddg_fpset *s = ddg_fpset_new(5000);
	uint64_t i;

	ck_assert_ptr_nonnull(s);
	for(i = 0; i < 5000; i++)
		ck_assert_int_eq(ddg_fpset_add(s, i * 0x9e3779b97f4a7c15ULL),
			1);
	/* i = 0 added the fingerprint 0 (kept as 1): there already */
	ck_assert_int_eq(ddg_fpset_add(s, 0), 0);
	for(i = 0; i < 5000; i++)
		ck_assert_int_eq(ddg_fpset_has(s, i * 0x9e3779b97f4a7c15ULL),
			1);
	ck_assert_int_eq(ddg_fpset_has(s, 12345), 0);
	ck_assert_int_eq(ddg_fpset_add(s, 12345), -1);
	ck_assert_int_eq(ddg_fpset_dropped(s), 1);
	ck_assert_int_eq(ddg_fpset_size(s), 5000);
	ddg_fpset_free(s);
}
END_TEST

/** a uniform random number in [0, 1) */
static double
urand(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*s >> 11) / 9007199254740992.0;
}

/** Feed a pair and say whether it is a beacon. */
static int
is_beacon(const int64_t *t, size_t n, struct ddg_beacon_summary *s)
{
	struct ddg_beacon b;
	struct ddg_beacon_params p;
	size_t i;

	memset(&b, 0, sizeof(b));
	for(i = 0; i < n; i++)
		ddg_beacon_add(&b, t[i], 42);
	ddg_beacon_defaults(&p);
	ddg_beacon_summarize(&b, s);
	return ddg_beacon_regular(s, &p);
}

START_TEST(test_beacon)
{
	int64_t t[2000];
	struct ddg_beacon_summary s;
	uint64_t rs = 7;
	size_t i, n;
	int64_t x;

	/* every 60 s +- 3 s: a beacon, interval about 60 */
	for(i = 0; i < 500; i++)
		t[i] = (int64_t)i * 60000 + (int64_t)(urand(&rs) * 6000) -
			3000;
	ck_assert_int_eq(is_beacon(t, 500, &s), 1);
	ck_assert_int_eq(s.arrivals, 500);
	ck_assert_msg(fabs(s.median - 60) < 2.5 && fabs(s.mean - 60) < 0.5,
		"median %f mean %f", s.median, s.mean);
	ck_assert_msg(s.jitter < 0.1 && s.cv < 0.1, "jitter %f cv %f",
		s.jitter, s.cv);
	/* the same with an A and an AAAA lookup each time (folded), and
	 * with 5 beats missed: still a beacon */
	n = 0;
	for(i = 0; i < 300; i++) {
		if(i % 60 == 30)
			continue;
		t[n++] = (int64_t)i * 60000 + (int64_t)(urand(&rs) * 6000);
		t[n] = t[n - 1] + 3;
		n++;
	}
	ck_assert_int_eq(is_beacon(t, n, &s), 1);
	ck_assert_int_eq(s.arrivals, n / 2);
	/* Poisson arrivals at the same mean rate: not a beacon */
	x = 0;
	for(i = 0; i < 500; i++) {
		x += (int64_t)(-log(1 - urand(&rs)) * 60000);
		t[i] = x;
	}
	ck_assert_int_eq(is_beacon(t, 500, &s), 0);
	ck_assert_msg(s.jitter > 0.5, "jitter %f", s.jitter);
	/* too few, too fast */
	for(i = 0; i < 9; i++)
		t[i] = (int64_t)i * 60000;
	ck_assert_int_eq(is_beacon(t, 9, &s), 0);
	for(i = 0; i < 100; i++)
		t[i] = (int64_t)i * 2000;
	ck_assert_int_eq(is_beacon(t, 100, &s), 0);
	/* out of order: counted, not an interval */
	{
		struct ddg_beacon b;
		memset(&b, 0, sizeof(b));
		ddg_beacon_add(&b, 100000, 1);
		ddg_beacon_add(&b, 50000, 1);
		ddg_beacon_add(&b, 99500, 1);
		ck_assert_int_eq(b.out_of_order, 1);
		ck_assert_int_eq(b.arrivals, 1);
		ck_assert_int_eq(b.n, 0);
	}
}
END_TEST

/** the suite */
static Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_prefixes);
	tcase_add_test(tc, test_bad_lines);
	tcase_add_test(tc, test_other_lines);
	tcase_add_test(tc, test_time_args);
	tcase_add_test(tc, test_distinct);
	tcase_add_test(tc, test_sstab);
	tcase_add_test(tc, test_fpset);
	tcase_add_test(tc, test_beacon);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(report_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
