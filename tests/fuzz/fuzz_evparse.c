/**
 * \file fuzz_evparse.c
 * Fuzz target of the event line reader of `dyndns-guard report`
 * (lib/evparse.c).  The input is split at newlines; each line (and the
 * whole input as one line) is parsed.  Checked on every line:
 * - the kind is EVENT, OTHER or BAD, and BAD always comes with a reason;
 * - an EVENT's strings are NUL-terminated inside their fields, not empty,
 *   printable ASCII without '"' (what the outputs rely on), the names
 *   lowercase without a trailing unescaped dot, the client "-" or an
 *   address that inet_pton() reads back to the same text, the action log,
 *   block or sinkhole;
 * - parsing the same bytes again gives the same record;
 * - a query name that converts to wire form, written by lib/event.c as a
 *   JSON and a text line and read back, gives one name in both forms, and
 *   that name is stable (written and read once more, it is the same).
 * The input as a NUL-terminated string also goes through the time
 * argument parser.  A failed check calls abort().
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/event.h"
#include "dyndns-guard/evparse.h"
#include "dyndns-guard/name.h"

/** the fuzz target */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** the parser settings: a fixed reference time (2026-01-02) */
static const struct ddg_evparse_opts opts = { 1767312000000LL };

/** Report a failed check, then abort. */
static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_evparse: %s: %s\n", what, detail ? detail : "");
	abort();
}

/** Check one string field of a record. */
static void
check_field(const char *f, size_t cap, const char *what)
{
	size_t n = strnlen(f, cap);
	size_t i;

	if(n == cap)
		fail("field not NUL-terminated", what);
	if(n == 0)
		fail("empty field", what);
	for(i = 0; i < n; i++)
		if(f[i] < 0x21 || f[i] > 0x7e || f[i] == '"')
			fail("unsafe byte in a field", what);
}

/** Check a name field: lowercase, no trailing unescaped dot. */
static void
check_name(const char *s, const char *what)
{
	size_t n = strlen(s), i, bs = 0;

	for(i = 0; i < n; i++)
		if(s[i] >= 'A' && s[i] <= 'Z')
			fail("upper case in a name", what);
	if(n > 1 && s[n - 1] == '.') {
		for(i = n - 1; i > 0 && s[i - 1] == '\\'; i--)
			bs++;
		if(bs % 2 == 0)
			fail("trailing dot", s);
	}
}

/** Check an EVENT record. */
static void
check_rec(const struct ddg_evrec *r)
{
	check_field(r->client, sizeof(r->client), "client");
	check_field(r->network, sizeof(r->network), "network");
	check_field(r->name, sizeof(r->name), "name");
	check_field(r->qtype, sizeof(r->qtype), "qtype");
	check_field(r->zone, sizeof(r->zone), "zone");
	check_field(r->category, sizeof(r->category), "category");
	check_name(r->name, "name");
	check_name(r->zone, "zone");
	if(r->action != DDG_ACTION_LOG && r->action != DDG_ACTION_BLOCK &&
		r->action != DDG_ACTION_SINKHOLE)
		fail("action", NULL);
	if(strcmp(r->client, "-") != 0) {
		unsigned char a[16];
		char back[INET6_ADDRSTRLEN];
		int fam = strchr(r->client, ':') ? AF_INET6 : AF_INET;
		if(inet_pton(fam, r->client, a) != 1 ||
			!inet_ntop(fam, a, back, sizeof(back)) ||
			strcmp(back, r->client) != 0)
			fail("client not canonical", r->client);
	}
	if((r->cached != 0 && r->cached != 1) ||
		(r->match_cname != 0 && r->match_cname != 1))
		fail("flags", NULL);
}

/**
 * Write name as an event (JSON and text), read both back; returns 0 and
 * the name read, or -1 when the name has no wire form.
 */
static int
rewrite(const char *name, char *out, size_t outlen)
{
	uint8_t wire[DDG_NAME_MAXWIRE], zone[DDG_NAME_MAXWIRE];
	size_t wl;
	struct ddg_event ev;
	struct sockaddr_in sin;
	char json[DDG_EVENT_LINE_MIN], text[DDG_EVENT_LINE_MIN + 32];
	static struct ddg_evrec a, b;
	const char *why;

	if(ddg_name_from_str(name, wire, &wl) != DDG_OK)
		return -1;
	if(ddg_name_from_str("example", zone, &wl) != DDG_OK)
		fail("zone", NULL);
	memset(&ev, 0, sizeof(ev));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(53);
	sin.sin_addr.s_addr = htonl(0x0a000001);
	ev.ts.tv_sec = 1767225600;
	ev.action = DDG_ACTION_LOG;
	ev.client = (const struct sockaddr *)&sin;
	ev.qname = wire;
	ev.qtype = 1;
	ev.rcode = 0;
	ev.zone = zone;
	ev.category = "c";
	if(ddg_event_format_json(&ev, json, sizeof(json)) <= 0)
		fail("format json", name);
	memcpy(text, "[1767225600] unbound[1:0] info: ", 32);
	if(ddg_event_format_text(&ev, text + 32, sizeof(text) - 32) <= 0)
		fail("format text", name);
	if(ddg_evparse_line(&opts, json, strlen(json), &a, &why) !=
		DDG_EVLINE_EVENT)
		fail("own JSON line not read", why);
	if(ddg_evparse_line(&opts, text, strlen(text), &b, &why) !=
		DDG_EVLINE_EVENT)
		fail("own text line not read", why);
	if(strcmp(a.name, b.name) != 0)
		fail("JSON and text name differ", a.name);
	check_rec(&a);
	check_rec(&b);
	snprintf(out, outlen, "%s", a.name);
	return 0;
}

/** Parse one line and check it. */
static void
one_line(const char *p, size_t n)
{
	static struct ddg_evrec r, r2;
	const char *why = NULL, *why2 = NULL;
	enum ddg_evline_kind k, k2;
	char n1[DDG_EVREC_MAXFIELD + 1], n2[DDG_EVREC_MAXFIELD + 1];

	k = ddg_evparse_line(&opts, p, n, &r, &why);
	if(k != DDG_EVLINE_EVENT && k != DDG_EVLINE_OTHER &&
		k != DDG_EVLINE_BAD)
		fail("kind", NULL);
	if(k == DDG_EVLINE_BAD && (!why || !*why))
		fail("BAD without a reason", NULL);
	k2 = ddg_evparse_line(&opts, p, n, &r2, &why2);
	if(k2 != k || (k == DDG_EVLINE_BAD && strcmp(why, why2) != 0))
		fail("not deterministic", why);
	if(k != DDG_EVLINE_EVENT)
		return;
	if(memcmp(&r.time_ms, &r2.time_ms, sizeof(r.time_ms)) != 0 ||
		strcmp(r.name, r2.name) != 0 || strcmp(r.zone, r2.zone) != 0 ||
		strcmp(r.client, r2.client) != 0)
		fail("record not deterministic", r.name);
	check_rec(&r);
	if(rewrite(r.name, n1, sizeof(n1)) == 0) {
		if(rewrite(n1, n2, sizeof(n2)) != 0 || strcmp(n1, n2) != 0)
			fail("name not stable", n1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *e = p + size, *nl;
	char arg[80];
	int64_t t = 0;
	size_t k;

	one_line(p, size);
	while(p < e) {
		nl = memchr(p, '\n', (size_t)(e - p));
		if(!nl)
			nl = e;
		one_line(p, (size_t)(nl - p));
		p = nl + 1;
	}
	k = size < sizeof(arg) - 1 ? size : sizeof(arg) - 1;
	memcpy(arg, data, k);
	arg[k] = 0;
	(void)ddg_time_parse_arg(arg, opts.now_ms, &t);
	{
		char b[40];
		ddg_time_format(t, b, sizeof(b));
	}
	return 0;
}
