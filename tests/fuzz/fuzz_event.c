/**
 * \file fuzz_event.c
 * Fuzz target of the event formatters (lib/event.c): every field of a
 * struct ddg_event is taken from the input (names as raw wire bytes,
 * validated with ddg_name_wire_len() first as the module does; category,
 * network and list strings of any bytes up to 255; action, match, qtype,
 * rcode, cached, chain and chain_total, a client address v4, v6, of
 * another family or none; the buffer size from DDG_EVENT_LINE_MIN up, and
 * a smaller one).  On every input:
 * - each output is exactly one line of printable ASCII (0x20..0x7e);
 * - the text line is "[dyndns-guard] " and blank-separated key=value
 *   fields in the documented order, no value holds a blank, '=' or '"',
 *   and each value reads back as what was given (names parse back to the
 *   same wire bytes, strings unescape to the same bytes);
 * - chain= splits at every ',' that is not inside an escape into exactly
 *   the names given, in order, or a prefix of them followed by "..." when
 *   shortened (and only then);
 * - the JSON line is valid JSON (RFC 8259; a strict checker below) with
 *   an object at the top.
 * A failed check calls abort().
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/event.h"
#include "dyndns-guard/name.h"
#include "fuzz_input.h"

/** the fuzz target */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Report a failed check with the line, then abort. */
static void
fail(const char *what, const char *line)
{
	fprintf(stderr, "fuzz_event: %s\n%s\n", what, line ? line : "");
	abort();
}

/* ---- a strict JSON checker (RFC 8259) ---- */

/** JSON nesting the checker accepts */
#define JSON_MAXDEPTH 64

static int json_value(const char **p, int depth);

/** Skip insignificant whitespace. */
static void
json_ws(const char **p)
{
	while(**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

/** Whether c is a hex digit. */
static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		(c >= 'A' && c <= 'F');
}

/** A string: '"', unescaped chars >= 0x20 other than '"' and '\',
 * escapes \" \\ \/ \b \f \n \r \t \uXXXX, '"'. */
static int
json_string(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;

	if(*s != '"')
		return 0;
	s++;
	for(;;) {
		if(*s == '"')
			break;
		if(*s < 0x20)
			return 0; /* control byte or end of text */
		if(*s == '\\') {
			s++;
			if(*s == 'u') {
				int i;
				for(i = 1; i <= 4; i++)
					if(!is_hex((char)s[i]))
						return 0;
				s += 4;
			} else if(!*s || !strchr("\"\\/bfnrt", *s))
				return 0;
		}
		s++;
	}
	*p = (const char *)s + 1;
	return 1;
}

/** A number: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static int
json_number(const char **p)
{
	const char *s = *p;

	if(*s == '-')
		s++;
	if(*s == '0')
		s++;
	else if(*s >= '1' && *s <= '9') {
		while(*s >= '0' && *s <= '9')
			s++;
	} else
		return 0;
	if(*s == '.') {
		s++;
		if(!(*s >= '0' && *s <= '9'))
			return 0;
		while(*s >= '0' && *s <= '9')
			s++;
	}
	if(*s == 'e' || *s == 'E') {
		s++;
		if(*s == '+' || *s == '-')
			s++;
		if(!(*s >= '0' && *s <= '9'))
			return 0;
		while(*s >= '0' && *s <= '9')
			s++;
	}
	*p = s;
	return 1;
}

/** An object or an array (open is '{' or '['). */
static int
json_container(const char **p, int depth, char open)
{
	char close = open == '{' ? '}' : ']';

	if(depth > JSON_MAXDEPTH)
		return 0;
	(*p)++;
	json_ws(p);
	if(**p == close) {
		(*p)++;
		return 1;
	}
	for(;;) {
		if(open == '{') {
			if(!json_string(p))
				return 0;
			json_ws(p);
			if(**p != ':')
				return 0;
			(*p)++;
			json_ws(p);
		}
		if(!json_value(p, depth + 1))
			return 0;
		json_ws(p);
		if(**p == close) {
			(*p)++;
			return 1;
		}
		if(**p != ',')
			return 0;
		(*p)++;
		json_ws(p);
	}
}

/** Any value, at *p (no leading whitespace). */
static int
json_value(const char **p, int depth)
{
	switch(**p) {
	case '{':
	case '[':
		return json_container(p, depth, **p);
	case '"':
		return json_string(p);
	case 't':
		if(strncmp(*p, "true", 4) != 0)
			return 0;
		*p += 4;
		return 1;
	case 'f':
		if(strncmp(*p, "false", 5) != 0)
			return 0;
		*p += 5;
		return 1;
	case 'n':
		if(strncmp(*p, "null", 4) != 0)
			return 0;
		*p += 4;
		return 1;
	default:
		return json_number(p);
	}
}

/** Whether a NUL-terminated text is one JSON object and nothing else. */
static int
json_valid_object(const char *text)
{
	const char *p = text;

	json_ws(&p);
	if(*p != '{' || !json_value(&p, 0))
		return 0;
	json_ws(&p);
	return *p == 0;
}

/* ---- checks of the text line ---- */

/** Check that the line is one line of printable ASCII of length n. */
static void
check_one_line(const char *line, int n, size_t buflen)
{
	size_t i;

	if(n < 0 || (size_t)n >= buflen || strlen(line) != (size_t)n)
		fail("length does not match the return value", line);
	for(i = 0; i < (size_t)n; i++) {
		unsigned char c = (unsigned char)line[i];
		if(c < 0x20 || c >= 0x7f)
			fail("byte outside printable ASCII", line);
	}
}

/** Whether the n bytes at v, as a presentation-form name, are the wire
 * name w (exactly, case included). */
static int
name_is(const char *v, size_t n, const uint8_t *w)
{
	char s[DDG_NAME_MAXSTR];
	uint8_t back[DDG_NAME_MAXWIRE];
	size_t bl;
	int wl = ddg_name_wire_len(w, DDG_NAME_MAXWIRE);

	if(n >= sizeof(s) || wl <= 0)
		return 0;
	memcpy(s, v, n);
	s[n] = 0;
	if(ddg_name_from_str(s, back, &bl) != DDG_OK)
		return 0;
	return bl == (size_t)wl && memcmp(back, w, bl) == 0;
}

/** Whether the n bytes at v are the text-safe form of the string s
 * (printable bytes other than '=', '"', '\' as is, the rest \DDD). */
static int
str_is(const char *v, size_t n, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while(i < n) {
		unsigned c = (unsigned char)v[i];
		if(c == '\\') {
			if(i + 4 > n || v[i + 1] < '0' || v[i + 1] > '2' ||
				v[i + 2] < '0' || v[i + 2] > '9' ||
				v[i + 3] < '0' || v[i + 3] > '9')
				return 0;
			c = (unsigned)(v[i + 1] - '0') * 100 +
				(unsigned)(v[i + 2] - '0') * 10 +
				(unsigned)(v[i + 3] - '0');
			if(c > 255)
				return 0;
			/* only what must be escaped is */
			if(c > 0x20 && c < 0x7f && c != '=' && c != '"' &&
				c != '\\')
				return 0;
			i += 4;
		} else {
			if(c <= 0x20 || c >= 0x7f || c == '=' || c == '"')
				return 0;
			i++;
		}
		if(*u != c)
			return 0;
		u++;
	}
	return *u == 0;
}

/** The chain= value: split at every ',' outside an escape. */
static void
check_chain(const char *v, size_t n, const struct ddg_event *ev,
	size_t nshow, int full, const char *line)
{
	size_t start = 0, i = 0, k = 0;
	int shortened = 0;

	for(;;) {
		if(i == n || v[i] == ',') {
			size_t len = i - start;
			if(len == 3 && memcmp(v + start, "...", 3) == 0) {
				if(i != n)
					fail("chain: '...' not at the end", line);
				shortened = 1;
				break;
			}
			if(k >= nshow)
				fail("chain: more names than given", line);
			if(!name_is(v + start, len, ev->chain[k]))
				fail("chain: element is not the name given"
					" (forged or misplaced ',')", line);
			k++;
			if(i == n)
				break;
			start = ++i;
			continue;
		}
		if(v[i] == '\\')
			i += (i + 1 < n && v[i + 1] >= '0' && v[i + 1] <= '9')
				? 4 : 2;
		else
			i++;
		if(i > n)
			fail("chain: escape runs past the value", line);
	}
	if(!shortened && (k != nshow || ev->chain_total > nshow))
		fail("chain: shortened without ',...'", line);
	if(shortened && k == nshow && ev->chain_total <= nshow)
		fail("chain: ',...' although nothing is missing", line);
	if(full && k != nshow)
		fail("chain: shortened in a DDG_EVENT_LINE_MAX buffer", line);
}

/** The expected client= value. */
static void
client_text(const struct ddg_event *ev, char *out, size_t len)
{
	char ab[INET6_ADDRSTRLEN];

	snprintf(out, len, "-");
	if(!ev->client)
		return;
	if(ev->client->sa_family == AF_INET) {
		const struct sockaddr_in *s4 =
			(const struct sockaddr_in *)ev->client;
		inet_ntop(AF_INET, &s4->sin_addr, ab, sizeof(ab));
		snprintf(out, len, "%s#%u", ab, (unsigned)ntohs(s4->sin_port));
	} else if(ev->client->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 =
			(const struct sockaddr_in6 *)ev->client;
		inet_ntop(AF_INET6, &s6->sin6_addr, ab, sizeof(ab));
		snprintf(out, len, "%s#%u", ab,
			(unsigned)ntohs(s6->sin6_port));
	}
}

/** Whether value v (n bytes) is the literal s. */
static int
lit_is(const char *v, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(v, s, n) == 0;
}

/** Check a string field: "-" when empty, else its text-safe form. */
static int
opt_str_is(const char *v, size_t n, const char *s)
{
	if(!s || !*s)
		return lit_is(v, n, "-");
	return str_is(v, n, s);
}

/** Check every field of a text line. */
static void
check_text(const char *line, const struct ddg_event *ev, int full)
{
	static const char *keys[] = { "action", "client", "network",
		"qname", "qtype", "zone", "category", "match", "cached",
		"rcode", "chain", "list" };
	static const char prefix[] = "[dyndns-guard] ";
	size_t nshow = ev->nchain > DDG_EVENT_MAXCHAIN ? DDG_EVENT_MAXCHAIN :
		ev->nchain;
	const char *p;
	size_t ki = 0;
	char tb[16], cl[80];

	if(strncmp(line, prefix, sizeof(prefix) - 1) != 0)
		fail("text: no prefix", line);
	p = line + sizeof(prefix) - 1;
	for(;;) {
		const char *e = strchr(p, ' '), *eq;
		size_t tl = e ? (size_t)(e - p) : strlen(p), kl, vl;
		const char *v;

		if(ki < sizeof(keys) / sizeof(keys[0]) &&
			strcmp(keys[ki], "chain") == 0 && nshow == 0)
			ki++; /* no chain= without a chain */
		if(ki >= sizeof(keys) / sizeof(keys[0]))
			fail("text: more fields than expected", line);
		eq = memchr(p, '=', tl);
		if(!eq)
			fail("text: a field without '='", line);
		kl = (size_t)(eq - p);
		v = eq + 1;
		vl = tl - kl - 1;
		if(!lit_is(p, kl, keys[ki]))
			fail("text: unexpected key (forged field?)", line);
		if(vl == 0)
			fail("text: empty value", line);
		if(memchr(v, '=', vl) || memchr(v, '"', vl))
			fail("text: '=' or '\"' inside a value", line);
		switch(ki) {
		case 0:
			if(!lit_is(v, vl, ddg_action_name(ev->action)))
				fail("text: action", line);
			break;
		case 1:
			client_text(ev, cl, sizeof(cl));
			if(!lit_is(v, vl, cl))
				fail("text: client", line);
			break;
		case 2:
			if(!opt_str_is(v, vl, ev->network))
				fail("text: network", line);
			break;
		case 3:
			if(ev->qname ? !name_is(v, vl, ev->qname) :
				!lit_is(v, vl, "-"))
				fail("text: qname", line);
			break;
		case 4:
			if(!lit_is(v, vl, ddg_event_type_name(ev->qtype, tb,
				sizeof(tb))))
				fail("text: qtype", line);
			break;
		case 5:
			if(ev->zone ? !name_is(v, vl, ev->zone) :
				!lit_is(v, vl, "-"))
				fail("text: zone", line);
			break;
		case 6:
			if(!opt_str_is(v, vl, ev->category))
				fail("text: category", line);
			break;
		case 7:
			if(!lit_is(v, vl, ev->match == DDG_MATCH_CNAME ?
				"cname" : "qname"))
				fail("text: match", line);
			break;
		case 8:
			if(!lit_is(v, vl, ev->cached ? "yes" : "no"))
				fail("text: cached", line);
			break;
		case 9:
			if(!lit_is(v, vl, ev->rcode < 0 ? "-" :
				ddg_event_rcode_name(ev->rcode, tb, sizeof(tb))))
				fail("text: rcode", line);
			break;
		case 10:
			check_chain(v, vl, ev, nshow, full, line);
			break;
		case 11:
			if(!opt_str_is(v, vl, ev->ruleset))
				fail("text: list", line);
			break;
		}
		ki++;
		if(!e)
			break;
		p = e + 1;
	}
	if(ki != sizeof(keys) / sizeof(keys[0]))
		fail("text: fields missing", line);
}

/** Check a JSON line. */
static void
check_json(const char *line, const struct ddg_event *ev, int full)
{
	size_t nshow = ev->nchain > DDG_EVENT_MAXCHAIN ? DDG_EVENT_MAXCHAIN :
		ev->nchain;

	if(!json_valid_object(line))
		fail("json: not a valid JSON object", line);
	/* a '"' inside a string is always escaped, so this key is only
	 * found where the formatter put it */
	if(full && (strstr(line, ",\"cname_chain_truncated\":true") != NULL)
		!= (ev->chain_total > nshow))
		fail("json: cname_chain_truncated", line);
}

/* ---- building the event from the input ---- */

/** A wire name from the input: a length byte and that many bytes, kept
 * only when ddg_name_wire_len() accepts them (as the module validates
 * every name before an event); copied into an exact-size allocation. */
static uint8_t *
take_name(struct fz *z)
{
	const uint8_t *p;
	size_t m = fz_bytes(z, fz_u8(z), &p);
	int r = ddg_name_wire_len(p, m);
	uint8_t *w;

	if(r <= 0)
		return NULL;
	w = malloc((size_t)r);
	if(!w)
		abort();
	memcpy(w, p, (size_t)r);
	return w;
}

/** A string of up to 255 arbitrary bytes (a NUL ends it early). */
static char *
take_str(struct fz *z)
{
	const uint8_t *p;
	size_t m = fz_bytes(z, fz_u8(z), &p);
	char *s = malloc(m + 1);

	if(!s)
		abort();
	memcpy(s, p, m);
	s[m] = 0;
	return s;
}

/** Format with both formatters into an exact-size buffer and check. */
static void
format_and_check(const struct ddg_event *ev, size_t buflen, int must_fit)
{
	char *buf = malloc(buflen);
	int n, full = buflen >= DDG_EVENT_LINE_MAX;

	if(!buf)
		abort();
	n = ddg_event_format_text(ev, buf, buflen);
	if(n == DDG_ERR_RANGE && !must_fit) {
		if(buf[0] != 0)
			fail("text: not empty after DDG_ERR_RANGE", buf);
	} else {
		if(n < 0)
			fail("text: formatter failed", NULL);
		check_one_line(buf, n, buflen);
		check_text(buf, ev, full);
	}
	n = ddg_event_format_json(ev, buf, buflen);
	if(n == DDG_ERR_RANGE && !must_fit) {
		if(buf[0] != 0)
			fail("json: not empty after DDG_ERR_RANGE", buf);
	} else {
		if(n < 0)
			fail("json: formatter failed", NULL);
		check_one_line(buf, n, buflen);
		check_json(buf, ev, full);
	}
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz z;
	struct ddg_event ev;
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	struct sockaddr_un su;
	uint8_t *qname, *zone, *chain[DDG_EVENT_MAXCHAIN];
	char *network = NULL, *category = NULL, *ruleset = NULL;
	uint8_t f1, f2;
	size_t buflen, small, i, nnames, nkept = 0;
	const uint8_t *p;

	if(size > 16384)
		return 0;
	fz_init(&z, data, size);
	memset(&ev, 0, sizeof(ev));
	ev.action = (enum ddg_action)(fz_u8(&z) % 7);
	f1 = fz_u8(&z);
	f2 = fz_u8(&z);
	ev.match = (f1 & 1) ? DDG_MATCH_CNAME : DDG_MATCH_QNAME;
	ev.cached = (f1 >> 1) & 1;
	ev.qtype = (uint16_t)fz_un(&z, 2);
	ev.rcode = (int)(int32_t)(uint32_t)fz_un(&z, 4);
	ev.ts.tv_sec = (time_t)(int64_t)fz_un(&z, 8);
	ev.ts.tv_nsec = (long)(int64_t)fz_un(&z, 8);
	buflen = DDG_EVENT_LINE_MIN + (size_t)fz_un(&z, 2) %
		(2 * DDG_EVENT_LINE_MAX);
	small = 1 + (size_t)fz_un(&z, 2) % DDG_EVENT_LINE_MIN;
	switch((f1 >> 2) & 3) {
	case 1:
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		fz_bytes(&z, 4, &p);
		memcpy(&s4.sin_addr, p, (size_t)(z.p - p));
		s4.sin_port = (uint16_t)fz_un(&z, 2);
		ev.client = (const struct sockaddr *)&s4;
		break;
	case 2:
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		fz_bytes(&z, 16, &p);
		memcpy(&s6.sin6_addr, p, (size_t)(z.p - p));
		s6.sin6_port = (uint16_t)fz_un(&z, 2);
		s6.sin6_scope_id = (uint32_t)fz_un(&z, 4);
		ev.client = (const struct sockaddr *)&s6;
		break;
	case 3:
		/* a family the formatter does not print: "-" */
		memset(&su, 0, sizeof(su));
		su.sun_family = AF_UNIX;
		ev.client = (const struct sockaddr *)&su;
		break;
	default:
		break;
	}
	qname = (f2 & 1) ? take_name(&z) : NULL;
	zone = (f1 & 0x10) ? take_name(&z) : NULL;
	if(f1 & 0x20)
		network = take_str(&z);
	if(f1 & 0x40)
		category = take_str(&z);
	if(f1 & 0x80)
		ruleset = take_str(&z);
	ev.qname = qname;
	ev.zone = zone;
	ev.network = network;
	ev.category = category;
	ev.ruleset = ruleset;
	nnames = fz_u8(&z) % (DDG_EVENT_MAXCHAIN + 1);
	for(i = 0; i < nnames; i++) {
		uint8_t *w = take_name(&z);
		if(w)
			chain[nkept++] = w;
	}
	for(i = 0; i < nkept; i++)
		ev.chain[i] = chain[i];
	ev.nchain = nkept;
	/* a count over DDG_EVENT_MAXCHAIN is treated as the maximum */
	if(nkept == DDG_EVENT_MAXCHAIN && (f2 & 2))
		ev.nchain += fz_u8(&z);
	switch((f2 >> 2) & 3) {
	case 1:
		ev.chain_total = ev.nchain + fz_u8(&z);
		break;
	case 2:
		ev.chain_total = fz_u8(&z);
		break;
	case 3:
		ev.chain_total = (size_t)fz_un(&z, 8);
		break;
	default:
		break;
	}

	format_and_check(&ev, buflen, 1);
	format_and_check(&ev, DDG_EVENT_LINE_MAX, 1);
	format_and_check(&ev, small, 0);

	free(qname);
	free(zone);
	free(network);
	free(category);
	free(ruleset);
	for(i = 0; i < nkept; i++)
		free(chain[i]);
	return 0;
}
