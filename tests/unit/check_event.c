/**
 * \file check_event.c
 * Unit tests of event formatting (lib/event.c) and of the event file
 * writer (lib/evlog.c).
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/event.h"
#include "dyndns-guard/evlog.h"
#include "dyndns-guard/name.h"

/* ---- a tiny JSON syntax checker (RFC 8259, no semantic checks) ---- */

static int jvalue(const char **p, int depth);

/** Skip JSON whitespace. */
static void
jws(const char **p)
{
	while(**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

/** A JSON string. */
static int
jstring(const char **p)
{
	if(**p != '"')
		return 0;
	(*p)++;
	for(;;) {
		unsigned char c = (unsigned char)**p;
		if(c == 0 || c < 0x20)
			return 0;
		if(c == '"') {
			(*p)++;
			return 1;
		}
		if(c == '\\') {
			(*p)++;
			c = (unsigned char)**p;
			if(c == 'u') {
				int i;
				for(i = 1; i <= 4; i++)
					if(!strchr("0123456789abcdefABCDEF",
						(*p)[i]) || !(*p)[i])
						return 0;
				*p += 4;
			} else if(!c || !strchr("\"\\/bfnrt", c))
				return 0;
		} else if(c >= 0x80)
			return 0; /* we never emit non-ASCII */
		(*p)++;
	}
}

/** A JSON number (simplified: -?digits(.digits)?). */
static int
jnumber(const char **p)
{
	const char *s = *p;

	if(**p == '-')
		(*p)++;
	if(!(**p >= '0' && **p <= '9'))
		return 0;
	if(**p == '0' && (*p)[1] >= '0' && (*p)[1] <= '9')
		return 0;
	while(**p >= '0' && **p <= '9')
		(*p)++;
	if(**p == '.') {
		(*p)++;
		if(!(**p >= '0' && **p <= '9'))
			return 0;
		while(**p >= '0' && **p <= '9')
			(*p)++;
	}
	return *p > s;
}

/** A JSON value. */
static int
jvalue(const char **p, int depth)
{
	if(depth > 32)
		return 0;
	jws(p);
	if(**p == '{') {
		(*p)++;
		jws(p);
		if(**p == '}') {
			(*p)++;
			return 1;
		}
		for(;;) {
			jws(p);
			if(!jstring(p))
				return 0;
			jws(p);
			if(**p != ':')
				return 0;
			(*p)++;
			if(!jvalue(p, depth + 1))
				return 0;
			jws(p);
			if(**p == ',') {
				(*p)++;
				continue;
			}
			if(**p == '}') {
				(*p)++;
				return 1;
			}
			return 0;
		}
	}
	if(**p == '[') {
		(*p)++;
		jws(p);
		if(**p == ']') {
			(*p)++;
			return 1;
		}
		for(;;) {
			if(!jvalue(p, depth + 1))
				return 0;
			jws(p);
			if(**p == ',') {
				(*p)++;
				continue;
			}
			if(**p == ']') {
				(*p)++;
				return 1;
			}
			return 0;
		}
	}
	if(**p == '"')
		return jstring(p);
	if(strncmp(*p, "true", 4) == 0) {
		*p += 4;
		return 1;
	}
	if(strncmp(*p, "false", 5) == 0) {
		*p += 5;
		return 1;
	}
	if(strncmp(*p, "null", 4) == 0) {
		*p += 4;
		return 1;
	}
	return jnumber(p);
}

/** Whether s is exactly one valid JSON object. */
static int
json_valid(const char *s)
{
	const char *p = s;

	jws(&p);
	if(*p != '{')
		return 0;
	if(!jvalue(&p, 0))
		return 0;
	jws(&p);
	return *p == 0;
}

START_TEST(test_json_checker)
{
	ck_assert(json_valid("{}"));
	ck_assert(json_valid("{\"a\":[1,\"x\\\"\",null,true,{\"b\":-0.5}]}"));
	ck_assert(!json_valid("{\"a\":1,}"));
	ck_assert(!json_valid("{\"a\":\"\n\"}"));
	ck_assert(!json_valid("{\"a\":\"\\q\"}"));
	ck_assert(!json_valid("{\"a\":1}x"));
	ck_assert(!json_valid("{\"a\" 1}"));
}
END_TEST

/* ---- fixtures ---- */

/** Split off the next token ending at sep (consecutive seps skipped);
 * NULL at the end. */
static char *
next_tok(char **cur, char sep)
{
	char *s = *cur, *e;

	while(s && *s == sep)
		s++;
	if(!s || !*s)
		return NULL;
	e = strchr(s, sep);
	if(e) {
		*e = 0;
		*cur = e + 1;
	} else
		*cur = NULL;
	return s;
}

/** Fill a sockaddr_in. */
static const struct sockaddr *
v4(struct sockaddr_in *s, const char *ip, int port)
{
	memset(s, 0, sizeof(*s));
	s->sin_family = AF_INET;
	s->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &s->sin_addr);
	return (const struct sockaddr *)s;
}

/** Fill a sockaddr_in6. */
static const struct sockaddr *
v6(struct sockaddr_in6 *s, const char *ip, int port)
{
	memset(s, 0, sizeof(*s));
	s->sin6_family = AF_INET6;
	s->sin6_port = htons((uint16_t)port);
	inet_pton(AF_INET6, ip, &s->sin6_addr);
	return (const struct sockaddr *)s;
}

/** Wire form of a presentation name into buf. */
static const uint8_t *
W(const char *s, uint8_t *buf)
{
	size_t l;

	ck_assert_int_eq(ddg_name_from_str(s, buf, &l), DDG_OK);
	return buf;
}

START_TEST(test_text_exact)
{
	struct ddg_event ev;
	struct sockaddr_in sin;
	uint8_t q[DDG_NAME_MAXWIRE], z[DDG_NAME_MAXWIRE];
	char buf[DDG_EVENT_LINE_MIN];
	int n;

	memset(&ev, 0, sizeof(ev));
	ev.action = DDG_ACTION_BLOCK;
	ev.client = v4(&sin, "10.1.2.3", 53311);
	ev.network = "ci-cd";
	ev.qname = W("x.duckdns.org", q);
	ev.qtype = 1;
	ev.rcode = 3;
	ev.zone = W("duckdns.org", z);
	ev.category = "ddns-service";
	ev.match = DDG_MATCH_QNAME;
	ev.ruleset = "dyndns.dgl@0123456789ab";
	n = ddg_event_format_text(&ev, buf, sizeof(buf));
	ck_assert_str_eq(buf, "[dyndns-guard] action=block "
		"client=10.1.2.3#53311 network=ci-cd qname=x.duckdns.org. "
		"qtype=A zone=duckdns.org category=ddns-service match=qname "
		"cached=no rcode=NXDOMAIN list=dyndns.dgl@0123456789ab");
	ck_assert_int_eq(n, (int)strlen(buf));

	/* no network, no rcode, IPv6, cname chain, cached */
	{
		struct sockaddr_in6 s6;
		uint8_t c1[DDG_NAME_MAXWIRE], c2[DDG_NAME_MAXWIRE];
		ev.client = v6(&s6, "2001:db8::1", 5353);
		ev.network = NULL;
		ev.rcode = -1;
		ev.action = DDG_ACTION_SINKHOLE;
		ev.qtype = 28;
		ev.match = DDG_MATCH_CNAME;
		ev.chain[0] = W("cdn.example.com", c1);
		ev.chain[1] = W("x.duckdns.org", c2);
		ev.nchain = 2;
		ev.cached = 1;
		ev.ruleset = NULL;
		ev.qname = W("www.example.com", q);
		ddg_event_format_text(&ev, buf, sizeof(buf));
		ck_assert_str_eq(buf, "[dyndns-guard] action=sinkhole "
			"client=2001:db8::1#5353 network=- "
			"qname=www.example.com. qtype=AAAA zone=duckdns.org "
			"category=ddns-service match=cname cached=yes rcode=- "
			"chain=cdn.example.com.,x.duckdns.org. list=-");
	}
	/* nothing at all */
	memset(&ev, 0, sizeof(ev));
	ev.rcode = -1;
	ddg_event_format_text(&ev, buf, sizeof(buf));
	ck_assert_str_eq(buf, "[dyndns-guard] action=none client=- "
		"network=- qname=- qtype=TYPE0 zone=- category=- match=qname "
		"cached=no rcode=- list=-");
}
END_TEST

START_TEST(test_json_exact)
{
	struct ddg_event ev;
	struct sockaddr_in sin;
	uint8_t q[DDG_NAME_MAXWIRE], z[DDG_NAME_MAXWIRE];
	char buf[DDG_EVENT_LINE_MIN];
	int n;

	memset(&ev, 0, sizeof(ev));
	ev.ts.tv_sec = 1767323045;
	ev.ts.tv_nsec = 678999999;
	ev.action = DDG_ACTION_BLOCK;
	ev.client = v4(&sin, "10.1.2.3", 53311);
	ev.network = "ci-cd";
	ev.qname = W("x.duckdns.org", q);
	ev.qtype = 1;
	ev.rcode = 3;
	ev.zone = W("duckdns.org", z);
	ev.category = "ddns-service";
	ev.ruleset = "dyndns.dgl@0123456789ab";
	n = ddg_event_format_json(&ev, buf, sizeof(buf));
	ck_assert_str_eq(buf, "{\"@timestamp\":\"2026-01-02T03:04:05.678Z\","
		"\"event\":{\"kind\":\"alert\",\"module\":\"dyndns_guard\","
		"\"action\":\"block\"},"
		"\"source\":{\"ip\":\"10.1.2.3\",\"port\":53311},"
		"\"dns\":{\"question\":{\"name\":\"x.duckdns.org\","
		"\"type\":\"A\"},\"response_code\":\"NXDOMAIN\"},"
		"\"rule\":{\"name\":\"duckdns.org\",\"category\":"
		"\"ddns-service\",\"ruleset\":\"dyndns.dgl@0123456789ab\"},"
		"\"threat\":{\"framework\":\"MITRE ATT&CK\",\"technique\":"
		"{\"id\":[\"T1568\",\"T1071.004\"]}},"
		"\"dyndns_guard\":{\"match\":\"qname\",\"cname_chain\":[],"
		"\"network\":\"ci-cd\",\"cached\":false}}");
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert(json_valid(buf));

	/* a leap day, no client, no rcode, no zone */
	memset(&ev, 0, sizeof(ev));
	ev.ts.tv_sec = 951868799;
	ev.rcode = -1;
	ev.action = DDG_ACTION_LOG;
	ev.qname = W(".", q);
	ev.qtype = 65280;
	ev.cached = 1;
	ddg_event_format_json(&ev, buf, sizeof(buf));
	ck_assert_str_eq(buf, "{\"@timestamp\":\"2000-02-29T23:59:59.000Z\","
		"\"event\":{\"kind\":\"alert\",\"module\":\"dyndns_guard\","
		"\"action\":\"log\"},"
		"\"dns\":{\"question\":{\"name\":\".\",\"type\":\"TYPE65280\"}},"
		"\"rule\":{\"name\":null,\"category\":null,\"ruleset\":null},"
		"\"threat\":{\"framework\":\"MITRE ATT&CK\",\"technique\":"
		"{\"id\":[\"T1568\",\"T1071.004\"]}},"
		"\"dyndns_guard\":{\"match\":\"qname\",\"cname_chain\":[],"
		"\"network\":null,\"cached\":true}}");
	ck_assert(json_valid(buf));
}
END_TEST

/* ---- hostile names ---- */

/** a wire name literal with its length (the explicit root label included) */
#define H(s) { s, sizeof(s) - 1 }

/** hostile wire names (length-prefixed labels, root label included) */
static const struct {
	const char *wire;
	size_t len;
} hostile[] = {
	H("\003a\000b\000"),
	H("\003a\nb\007example\000"),
	H("\003a\rb\000"),
	H("\003a\"b\000"),
	H("\003a\\b\000"),
	H("\003a b\000"),
	H("\003a=b\000"),
	H("\004\200\377\376=\000"),
	H("\005\"=\\ \t\000"),
	H("\003a.b\000"),
	H("\005\033[31m\000"),
	H("\003a,b\000"),
};

/** Build a 255-byte name of the byte c. */
static void
long_name(uint8_t *w, uint8_t c)
{
	size_t o = 0;
	int i;
	static const int lens[] = { 63, 63, 63, 61 };

	for(i = 0; i < 4; i++) {
		w[o++] = (uint8_t)lens[i];
		memset(w + o, c, (size_t)lens[i]);
		o += (size_t)lens[i];
	}
	w[o++] = 0;
	ck_assert_uint_eq(o, 255);
}

/** Check a text line: one line, printable, key=value fields in order. */
static void
check_text_line(const char *s, int with_chain)
{
	static const char *order[] = { "action", "client", "network", "qname",
		"qtype", "zone", "category", "match", "cached", "rcode",
		"chain", "list" };
	const char *p;
	char copy[DDG_EVENT_LINE_MAX], *tok, *save;
	size_t k = 0;

	/* one assertion per line: Check marks every assertion */
	for(p = s; *p; p++)
		if((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			break;
	ck_assert_msg(*p == 0, "raw byte %u in %s",
		(unsigned)(unsigned char)*p, s);
	ck_assert_msg(strchr(s, '"') == NULL, "quote in %s", s);
	ck_assert_uint_lt(strlen(s), sizeof(copy));
	memcpy(copy, s, strlen(s) + 1);
	save = copy;
	tok = next_tok(&save, ' ');
	ck_assert_str_eq(tok, "[dyndns-guard]");
	while((tok = next_tok(&save, ' ')) != NULL) {
		char *eq = strchr(tok, '=');
		if(!eq || strchr(eq + 1, '=') || eq[1] == 0)
			ck_abort_msg("bad field '%s'", tok);
		*eq = 0;
		if(!with_chain && k == 10)
			k++;
		if(k >= sizeof(order) / sizeof(order[0]) ||
			strcmp(tok, order[k]) != 0)
			ck_abort_msg("field %zu is '%s'", k, tok);
		k++;
	}
	ck_assert_uint_eq(k, 12);
}

/** Check a JSON line. */
static void
check_json_line(const char *s)
{
	const char *p;

	for(p = s; *p; p++)
		if((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			break;
	ck_assert_msg(*p == 0, "raw byte %u", (unsigned)(unsigned char)*p);
	ck_assert_msg(json_valid(s), "invalid JSON: %s", s);
}

/** lines collected for the jq run */
static FILE *jq_lines;

START_TEST(test_hostile)
{
	struct ddg_event ev;
	uint8_t q[DDG_NAME_MAXWIRE], z[DDG_NAME_MAXWIRE], c[DDG_NAME_MAXWIRE];
	char buf[DDG_EVENT_LINE_MIN];
	struct sockaddr_in sin;
	int n;

	memset(&ev, 0, sizeof(ev));
	memcpy(q, hostile[_i].wire, hostile[_i].len);
	ck_assert_int_eq(ddg_name_wire_len(q, hostile[_i].len),
		(int)hostile[_i].len);
	memcpy(z, q, hostile[_i].len);
	long_name(c, (uint8_t)hostile[_i].wire[1]);
	ev.action = DDG_ACTION_BLOCK;
	ev.client = v4(&sin, "192.0.2.1", 1);
	ev.qname = q;
	ev.zone = z;
	ev.chain[0] = c;
	ev.chain[1] = q;
	ev.nchain = 2;
	ev.match = DDG_MATCH_CNAME;
	ev.category = "c\"a t=\\\n\001\377";
	ev.network = "n e=t\"\\";
	ev.ruleset = "l i\"s\\t=\t";
	ev.rcode = 9999;
	ev.qtype = 16;
	n = ddg_event_format_text(&ev, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(n, (int)strlen(buf));
	check_text_line(buf, 1);
	n = ddg_event_format_json(&ev, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	check_json_line(buf);
	if(jq_lines)
		fprintf(jq_lines, "%s\n", buf);
}
END_TEST

START_TEST(test_longest)
{
	/* every byte value as the name byte; 16 longest names in the chain */
	struct ddg_event ev;
	uint8_t q[DDG_NAME_MAXWIRE];
	char buf[DDG_EVENT_LINE_MIN], cat[256], big[DDG_EVENT_LINE_MAX];
	char small[512];
	size_t i;
	int n;

	long_name(q, (uint8_t)_i);
	memset(cat, _i ? _i : '\\', 255);
	cat[255] = 0;
	memset(&ev, 0, sizeof(ev));
	ev.action = DDG_ACTION_LOG;
	ev.qname = q;
	ev.zone = q;
	ev.category = cat;
	ev.network = cat;
	ev.ruleset = cat;
	ev.match = DDG_MATCH_CNAME;
	for(i = 0; i < DDG_EVENT_MAXCHAIN; i++)
		ev.chain[i] = q;
	ev.nchain = DDG_EVENT_MAXCHAIN + 5;	/* clamped */
	ev.rcode = 2;
	n = ddg_event_format_text(&ev, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	check_text_line(buf, 1);
	n = ddg_event_format_json(&ev, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	check_json_line(buf);
	if(_i == 0xff || _i == '"' || _i == '\\') {
		/* the worst bytes do not fit 16 times: shortened */
		ck_assert_ptr_nonnull(strstr(buf,
			"\"cname_chain_truncated\":true"));
		ck_assert_int_gt(ddg_event_format_text(&ev, buf, sizeof(buf)),
			0);
		ck_assert_ptr_nonnull(strstr(buf, ",... list="));
	}
	/* with the big buffer nothing is shortened */
	n = ddg_event_format_json(&ev, big, sizeof(big));
	ck_assert_int_gt(n, 0);
	check_json_line(big);
	ck_assert_ptr_null(strstr(big, "truncated"));
	if(jq_lines && (_i % 37 == 0 || _i == 0xff))
		fprintf(jq_lines, "%s\n", big);
	/* too small even without the chain: empty, error */
	ck_assert_int_eq(ddg_event_format_json(&ev, small, sizeof(small)),
		DDG_ERR_RANGE);
	ck_assert_str_eq(small, "");
	ck_assert_int_eq(ddg_event_format_text(&ev, small, sizeof(small)),
		DDG_ERR_RANGE);
	ck_assert_str_eq(small, "");
}
END_TEST

START_TEST(test_invalid_wire)
{
	struct ddg_event ev;
	static const uint8_t bad[] = { 0xc0, 0x00 };
	char buf[1024];

	memset(&ev, 0, sizeof(ev));
	ev.qname = bad;
	ck_assert_int_eq(ddg_event_format_text(&ev, buf, sizeof(buf)),
		DDG_ERR_INVAL);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(ddg_event_format_json(&ev, buf, sizeof(buf)),
		DDG_ERR_INVAL);
	ck_assert_int_eq(ddg_event_format_json(NULL, buf, sizeof(buf)),
		DDG_ERR_RANGE);
	ck_assert_int_eq(ddg_event_format_json(&ev, buf, 0), DDG_ERR_RANGE);
}
END_TEST

START_TEST(test_names_tables)
{
	char b[16];

	ck_assert_str_eq(ddg_event_type_name(1, b, sizeof(b)), "A");
	ck_assert_str_eq(ddg_event_type_name(28, b, sizeof(b)), "AAAA");
	ck_assert_str_eq(ddg_event_type_name(65, b, sizeof(b)), "HTTPS");
	ck_assert_str_eq(ddg_event_type_name(64, b, sizeof(b)), "SVCB");
	ck_assert_str_eq(ddg_event_type_name(255, b, sizeof(b)), "ANY");
	ck_assert_str_eq(ddg_event_type_name(12, b, sizeof(b)), "PTR");
	ck_assert_str_eq(ddg_event_type_name(999, b, sizeof(b)), "TYPE999");
	ck_assert_str_eq(ddg_event_rcode_name(0, b, sizeof(b)), "NOERROR");
	ck_assert_str_eq(ddg_event_rcode_name(2, b, sizeof(b)), "SERVFAIL");
	ck_assert_str_eq(ddg_event_rcode_name(3, b, sizeof(b)), "NXDOMAIN");
	ck_assert_str_eq(ddg_event_rcode_name(5, b, sizeof(b)), "REFUSED");
	ck_assert_str_eq(ddg_event_rcode_name(23, b, sizeof(b)), "BADCOOKIE");
	ck_assert_str_eq(ddg_event_rcode_name(15, b, sizeof(b)), "RCODE15");
	ck_assert_str_eq(ddg_event_rcode_name(4095, b, sizeof(b)),
		"RCODE4095");
}
END_TEST

START_TEST(test_ruleset)
{
	char b[DDG_EVENT_RULESET_LEN], tiny[8];

	ck_assert_int_eq(ddg_event_ruleset("/var/lib/unbound/dyndns.dgl",
		"0123456789abcdef0123", b, sizeof(b)), 23);
	ck_assert_str_eq(b, "dyndns.dgl@0123456789ab");
	ddg_event_ruleset("x.dgl", NULL, b, sizeof(b));
	ck_assert_str_eq(b, "x.dgl");
	ddg_event_ruleset(NULL, "abc", b, sizeof(b));
	ck_assert_str_eq(b, "-@abc");
	ck_assert_int_eq(ddg_event_ruleset("/a/longname.dgl", "0123456789ab",
		tiny, sizeof(tiny)), DDG_ERR_RANGE);
	ck_assert_str_eq(tiny, "longnam");
}
END_TEST

/** Run jq -e over the collected lines, if jq is installed. */
START_TEST(test_jq)
{
	char cmd[512];
	int st;

	if(!jq_lines)
		return;
	fflush(jq_lines);
	if(system("command -v jq >/dev/null 2>&1") != 0)
		return;
	snprintf(cmd, sizeof(cmd), "jq -e -c '.event.action and "
		"(.threat.technique.id | length == 2) and "
		"(.dyndns_guard.cname_chain | type == \"array\")' "
		"< /tmp/ddg_check_event_%d.jsonl > /dev/null", (int)getpid());
	st = system(cmd);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		"jq rejected a line");
}
END_TEST

/* ---- evlog ---- */

/** a temporary file name */
static char tmpname[256];

/** Read a whole file, malloc'ed, NUL-terminated. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	ck_assert_ptr_nonnull(f);
	for(;;) {
		if(n + 65536 + 1 > cap) {
			cap = (n + 65536 + 1) * 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		r = fread(buf + n, 1, 65536, f);
		n += r;
		if(r == 0)
			break;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

#define NTHREADS 8
#define NLINES 4000

/** a writer thread's argument */
struct warg {
	struct ddg_evlog *log;
	int id;
};

static void *
writer(void *arg)
{
	struct warg *w = arg;
	char line[256];
	int i, n;

	for(i = 0; i < NLINES; i++) {
		n = snprintf(line, sizeof(line), "{\"t\":%d,\"n\":%d,\"pad\":"
			"\"%.*s\"}", w->id, i, (i * 7 + w->id) % 120,
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			"xxxxxxxx");
		ck_assert_int_eq(ddg_evlog_write(w->log, line, (size_t)n),
			DDG_OK);
	}
	return NULL;
}

START_TEST(test_evlog_threads)
{
	struct ddg_evlog *log = NULL;
	pthread_t th[NTHREADS];
	struct warg wa[NTHREADS];
	int seen[NTHREADS][NLINES];
	char err[DDG_ERR_LEN], *data, *line, *save;
	size_t len, lines = 0;
	struct stat st;
	int i;

	snprintf(tmpname, sizeof(tmpname), "/tmp/ddg_evlog_%d.jsonl",
		(int)getpid());
	unlink(tmpname);
	ck_assert_int_eq(ddg_evlog_open(tmpname, &log, err, sizeof(err)),
		DDG_OK);
	for(i = 0; i < NTHREADS; i++) {
		wa[i].log = log;
		wa[i].id = i;
		ck_assert_int_eq(pthread_create(&th[i], NULL, writer, &wa[i]),
			0);
	}
	for(i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	ck_assert_uint_eq(ddg_evlog_dropped(log), 0);
	ddg_evlog_close(log);
	ck_assert_int_eq(stat(tmpname, &st), 0);
	{
		mode_t um = umask(0);
		umask(um);
		ck_assert_int_eq(st.st_mode & 0777, 0640 & ~um);
	}
	memset(seen, 0, sizeof(seen));
	data = slurp(tmpname, &len);
	ck_assert_int_eq(data[len - 1], '\n');
	save = data;
	while((line = next_tok(&save, '\n')) != NULL) {
		int t, n, pad;
		char tail[200];
		ck_assert_msg(sscanf(line, "{\"t\":%d,\"n\":%d,\"pad\":\"%199[x]"
			"\"}", &t, &n, tail) >= 2, "mangled line '%s'", line);
		ck_assert(t >= 0 && t < NTHREADS && n >= 0 && n < NLINES);
		pad = (n * 7 + t) % 120;
		ck_assert_msg(strlen(line) == strlen("{\"t\":,\"n\":,\"pad\":"
			"\"\"}") + (size_t)snprintf(NULL, 0, "%d%d", t, n) +
			(size_t)pad, "mangled line '%s'", line);
		ck_assert(json_valid(line));
		ck_assert_int_eq(seen[t][n], 0);
		seen[t][n] = 1;
		lines++;
	}
	ck_assert_uint_eq(lines, NTHREADS * NLINES);
	free(data);
	unlink(tmpname);
}
END_TEST

/** reader of the fifo: counts lines */
struct fifo_reader {
	int fd;
	size_t lines;
	int ok;
};

static void *
fifo_read(void *arg)
{
	struct fifo_reader *r = arg;
	char buf[4096];
	ssize_t n;
	int fl = fcntl(r->fd, F_GETFL);

	fcntl(r->fd, F_SETFL, fl & ~O_NONBLOCK);
	r->ok = 1;
	while((n = read(r->fd, buf, sizeof(buf))) > 0) {
		ssize_t i;
		for(i = 0; i < n; i++)
			if(buf[i] == '\n')
				r->lines++;
	}
	return NULL;
}

START_TEST(test_evlog_drops)
{
	/* the writer is stuck on a full pipe: the ring fills and lines are
	 * dropped and counted, never waited for */
	struct ddg_evlog *log = NULL;
	struct fifo_reader rd;
	pthread_t th;
	char err[DDG_ERR_LEN], line[100];
	size_t ok = 0, total = 20000, i;
	uint64_t dropped;

	snprintf(tmpname, sizeof(tmpname), "/tmp/ddg_evlog_fifo_%d",
		(int)getpid());
	unlink(tmpname);
	ck_assert_int_eq(mkfifo(tmpname, 0600), 0);
	memset(&rd, 0, sizeof(rd));
	rd.fd = open(tmpname, O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(rd.fd, 0);
	ck_assert_int_eq(ddg_evlog_open_size(tmpname, 8192, &log, err,
		sizeof(err)), DDG_OK);
	memset(line, 'y', sizeof(line));
	for(i = 0; i < total; i++)
		if(ddg_evlog_write(log, line, sizeof(line) - 1) == DDG_OK)
			ok++;
	dropped = ddg_evlog_dropped(log);
	ck_assert_uint_eq(ok + dropped, total);
	/* a pipe holds 64 KiB at most; the ring 8 KiB */
	ck_assert_uint_gt(dropped, 0);
	ck_assert_uint_lt(ok, total);
	/* drain; everything accepted arrives */
	ck_assert_int_eq(pthread_create(&th, NULL, fifo_read, &rd), 0);
	ddg_evlog_close(log);
	pthread_join(th, NULL);
	close(rd.fd);
	ck_assert_uint_eq(rd.lines, ok);
	unlink(tmpname);
}
END_TEST

START_TEST(test_evlog_reopen)
{
	struct ddg_evlog *log = NULL;
	char err[DDG_ERR_LEN], old[300], *data, big[DDG_EVLOG_MAXLINE + 2];
	size_t len;
	struct stat st;
	int i;

	snprintf(tmpname, sizeof(tmpname), "/tmp/ddg_evlog_r_%d.jsonl",
		(int)getpid());
	snprintf(old, sizeof(old), "%s.1", tmpname);
	unlink(tmpname);
	unlink(old);
	ck_assert_int_eq(ddg_evlog_open(tmpname, &log, err, sizeof(err)),
		DDG_OK);
	ck_assert_int_eq(ddg_evlog_write(log, "first", 5), DDG_OK);
	/* wait until written */
	for(i = 0; i < 500; i++) {
		if(stat(tmpname, &st) == 0 && st.st_size == 6)
			break;
		usleep(10000);
	}
	ck_assert_int_eq(st.st_size, 6);
	ck_assert_int_eq(rename(tmpname, old), 0);
	ddg_evlog_reopen(log);
	ck_assert_int_eq(ddg_evlog_write(log, "second", 6), DDG_OK);
	/* too long: dropped and counted */
	memset(big, 'z', sizeof(big));
	ck_assert_int_eq(ddg_evlog_write(log, big, DDG_EVLOG_MAXLINE + 1),
		DDG_ERR_RANGE);
	ck_assert_uint_eq(ddg_evlog_dropped(log), 1);
	ck_assert_int_eq(ddg_evlog_write(log, big, DDG_EVLOG_MAXLINE), DDG_OK);
	ddg_evlog_close(log);
	data = slurp(old, &len);
	ck_assert_str_eq(data, "first\n");
	free(data);
	data = slurp(tmpname, &len);
	ck_assert_uint_eq(len, 7 + DDG_EVLOG_MAXLINE + 1);
	ck_assert_int_eq(memcmp(data, "second\n", 7), 0);
	free(data);
	unlink(tmpname);
	unlink(old);

	/* NULL is accepted everywhere */
	ck_assert_int_eq(ddg_evlog_write(NULL, "x", 1), DDG_OK);
	ddg_evlog_reopen(NULL);
	ck_assert_uint_eq(ddg_evlog_dropped(NULL), 0);
	ck_assert_uint_eq(ddg_evlog_errors(NULL), 0);
	ddg_evlog_close(NULL);
	/* open failure */
	ck_assert_int_eq(ddg_evlog_open("/nonexistent/dir/x.json", &log, err,
		sizeof(err)), DDG_ERR_IO);
	ck_assert_str_eq(err, "/nonexistent/dir/x.json: No such file or "
		"directory");
}
END_TEST

/** The value of field key= of a text line, copied into out. */
static const char *
field(const char *line, const char *key, char *out, size_t len)
{
	char k[32];
	const char *p, *e;

	snprintf(k, sizeof(k), " %s=", key);
	p = strstr(line, k);
	ck_assert_msg(p != NULL, "no %s in %s", k, line);
	p += strlen(k);
	e = strchr(p, ' ');
	if(!e)
		e = p + strlen(p);
	ck_assert_uint_lt((size_t)(e - p), len);
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = 0;
	return out;
}

START_TEST(test_chain_comma)
{
	/* a ',' inside a label (a hostile CNAME target) is written \044, so
	 * chain= splits into exactly its names and no element is forged */
	static const struct {
		const char *wire;
		size_t len;
	} names[] = {
		H("\010cdn,fake\007example\000"),
		H("\001,\000"),
		H("\002a,\002,b\000"),
		H("\017x.duckdns.org.,\007example\000"),
		H("\003,,,\003-,-\000"),
	};
	struct ddg_event ev;
	struct sockaddr_in sin;
	uint8_t q[DDG_NAME_MAXWIRE], z[DDG_NAME_MAXWIRE];
	char buf[DDG_EVENT_LINE_MIN], val[DDG_EVENT_LINE_MIN];
	const char *p;
	size_t i, n = sizeof(names) / sizeof(names[0]), commas = 0;

	memset(&ev, 0, sizeof(ev));
	ev.action = DDG_ACTION_BLOCK;
	ev.client = v4(&sin, "10.1.2.3", 53311);
	ev.qname = W("www.example.com", q);
	ev.qtype = 1;
	ev.rcode = 3;
	ev.zone = W("duckdns.org", z);
	ev.category = "ddns-service";
	ev.match = DDG_MATCH_CNAME;
	ev.chain[0] = (const uint8_t *)names[0].wire;
	ev.chain[1] = W("x.duckdns.org", z);
	ev.nchain = 2;
	ck_assert_int_gt(ddg_event_format_text(&ev, buf, sizeof(buf)), 0);
	ck_assert_str_eq(field(buf, "chain", val, sizeof(val)),
		"cdn\\044fake.example.,x.duckdns.org.");
	ck_assert_int_gt(ddg_event_format_json(&ev, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "\"cname_chain\":["
		"\"cdn\\\\044fake.example\",\"x.duckdns.org\"]"));
	ck_assert(json_valid(buf));

	/* every element: one comma between names, none inside */
	for(i = 0; i < n; i++)
		ev.chain[i] = (const uint8_t *)names[i].wire;
	ev.nchain = n;
	ev.qname = (const uint8_t *)names[0].wire;
	ck_assert_int_gt(ddg_event_format_text(&ev, buf, sizeof(buf)), 0);
	check_text_line(buf, 1);
	field(buf, "chain", val, sizeof(val));
	for(p = val; *p; p++)
		if(*p == ',')
			commas++;
	ck_assert_msg(commas == n - 1, "%zu commas in chain=%s", commas, val);
	ck_assert_str_eq(val, "cdn\\044fake.example.,\\044.,a\\044.\\044b.,"
		"x\\.duckdns\\.org\\.\\044.example.,\\044\\044\\044.-\\044-.");
	/* the same escape in the other names */
	ck_assert_str_eq(field(buf, "qname", val, sizeof(val)),
		"cdn\\044fake.example.");
	ck_assert_int_gt(ddg_event_format_json(&ev, buf, sizeof(buf)), 0);
	ck_assert(json_valid(buf));
	ck_assert_ptr_nonnull(strstr(buf, "\"name\":\"cdn\\\\044fake.example\""));
}
END_TEST

static Suite *
event_suite(void)
{
	Suite *s = suite_create("event");
	TCase *tc;

	tc = tcase_create("format");
	tcase_add_test(tc, test_json_checker);
	tcase_add_test(tc, test_text_exact);
	tcase_add_test(tc, test_json_exact);
	tcase_add_test(tc, test_invalid_wire);
	tcase_add_test(tc, test_names_tables);
	tcase_add_test(tc, test_ruleset);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_loop_test(tc, test_hostile, 0,
		sizeof(hostile) / sizeof(hostile[0]));
	tcase_add_loop_test(tc, test_longest, 0, 256);
	tcase_add_test(tc, test_jq);
	tcase_add_test(tc, test_chain_comma);
	suite_add_tcase(s, tc);

	tc = tcase_create("evlog");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_evlog_threads);
	tcase_add_test(tc, test_evlog_drops);
	tcase_add_test(tc, test_evlog_reopen);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(event_suite());
	char path[128];
	int failed;

	/* the hostile lines are collected for jq; no fork so that the file
	 * is shared by the tests */
	snprintf(path, sizeof(path), "/tmp/ddg_check_event_%d.jsonl",
		(int)getpid());
	jq_lines = fopen(path, "w");
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if(jq_lines) {
		fclose(jq_lines);
		unlink(path);
	}
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
