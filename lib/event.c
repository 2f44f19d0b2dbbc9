/**
 * \file event.c
 * Match events as a key=value text line and as an ECS JSON line.  See
 * event.h and docs/events.md.
 *
 * Everything is written through a bounded cursor into the caller's
 * buffer; nothing allocates, nothing makes a system call (the timestamp
 * is converted to UTC with arithmetic, not gmtime_r(), which may read the
 * time zone files and takes a global lock).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/event.h"
#include "dyndns-guard/name.h"
#include "civil.h"

/** an output cursor */
struct out {
	/** buffer */
	char *b;
	/** its size */
	size_t size;
	/** bytes written */
	size_t len;
	/** set when something did not fit */
	int over;
};

/** Append n bytes. */
static void
put(struct out *o, const char *s, size_t n)
{
	if(o->over || o->len + n + 1 > o->size) {
		o->over = 1;
		return;
	}
	memcpy(o->b + o->len, s, n);
	o->len += n;
}

/** Append a string literal (its length known at compile time). */
#define put_lit(o, lit) put((o), (lit), sizeof(lit) - 1)

/** Append a C string. */
static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/** Append one byte. */
static inline void
putc_(struct out *o, char c)
{
	if(o->over || o->len + 2 > o->size) {
		o->over = 1;
		return;
	}
	o->b[o->len++] = c;
}

/** Append an unsigned number, at least width digits (zero padded). */
static void
putu(struct out *o, uint64_t v, int width)
{
	char tmp[24];
	int n = 0;

	/* digits from the end of tmp, then one copy */
	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while(v && n < (int)sizeof(tmp));
	while(n < width && n < (int)sizeof(tmp))
		tmp[sizeof(tmp) - 1 - n++] = '0';
	put(o, tmp + sizeof(tmp) - n, (size_t)n);
}

/** bytes a name label or a string keeps as they are in every form: 1 for
 * letters, digits, '-' and '_' (names); 2 for the other printable bytes a
 * string keeps ('!'..'~' but '=', '"', '\\'); 0 for the rest */
static const uint8_t keep[256] = {
	['-'] = 1, ['_'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
	['!'] = 2, ['#'] = 2, ['$'] = 2, ['%'] = 2, ['&'] = 2, ['\''] = 2,
	['('] = 2, [')'] = 2, ['*'] = 2, ['+'] = 2, [','] = 2, ['.'] = 2,
	['/'] = 2, [':'] = 2, [';'] = 2, ['<'] = 2, ['>'] = 2, ['?'] = 2,
	['@'] = 2, ['['] = 2, [']'] = 2, ['^'] = 2, ['`'] = 2, ['{'] = 2,
	['|'] = 2, ['}'] = 2, ['~'] = 2
};

/** "00" .. "99" */
static const char digits2[201] =
	"0001020304050607080910111213141516171819"
	"2021222324252627282930313233343536373839"
	"4041424344454647484950515253545556575859"
	"6061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/** Append v (0..99) as two digits. */
static inline void
put2(struct out *o, unsigned v)
{
	put(o, digits2 + 2 * (v % 100), 2);
}

/** Append \DDD for a byte. */
static void
put_ddd(struct out *o, unsigned char c)
{
	char t[4];

	t[0] = '\\';
	t[1] = (char)('0' + c / 100);
	t[2] = (char)('0' + (c / 10) % 10);
	t[3] = (char)('0' + c % 10);
	put(o, t, 4);
}

/**
 * Append bytes of the text-safe form to o, JSON-escaped when json: '"'
 * and '\' get a backslash (the text-safe form holds no control bytes).
 */
static void
put_safe(struct out *o, const char *s, size_t n, int json)
{
	size_t i;

	if(!json) {
		put(o, s, n);
		return;
	}
	for(i = 0; i < n; i++) {
		if(s[i] == '"' || s[i] == '\\')
			putc_(o, '\\');
		putc_(o, s[i]);
	}
}

/**
 * Append a string (category, network, ruleset) in text-safe form: bytes
 * outside '!'..'~' and '=', '"', '\' as \DDD; JSON-escaped when json.
 */
static void
put_str(struct out *o, const char *s, int json)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = 0;

	/* the common case: nothing to escape, one copy */
	while(keep[u[n]])
		n++;
	if(u[n] == 0) {
		put(o, s, n);
		return;
	}
	for(; *u; u++) {
		if(*u <= 0x20 || *u >= 0x7f || *u == '=' || *u == '"' ||
			*u == '\\') {
			if(json)
				putc_(o, '\\');
			put_ddd(o, *u);
		} else
			putc_(o, (char)*u);
	}
}

/**
 * Append a wire name in text-safe presentation form (ddg_name_to_str,
 * then a space, '=', '"' or ',' inside a label as \032, \061, \034,
 * \044: no name holds a field separator of the text line, nor the ','
 * between chain= elements); JSON-escaped when json; without the trailing
 * dot when nodot (except the root ".").
 */
static int
put_name(struct out *o, const uint8_t *wire, int json, int nodot)
{
	char s[DDG_NAME_MAXSTR];
	int n, i, wl;

	wl = ddg_name_wire_len(wire, DDG_NAME_MAXWIRE);
	if(wl < 0)
		return DDG_ERR_INVAL;
	if(wl > 1 && o->len + (size_t)wl + 1 <= o->size && !o->over) {
		/* the common case: labels of letters, digits, '-' and '_',
		 * which every form writes as they are: copied byte by byte
		 * with the dots, in one pass; undone at the first other
		 * byte */
		const uint8_t *p = wire + 1;
		char *d = o->b + o->len;
		size_t mark = o->len;
		unsigned left = wire[0];
		for(;;) {
			if(left == 0) {
				if(*p == 0) {
					if(!nodot)
						*d++ = '.';
					o->len = (size_t)(d - o->b);
					return DDG_OK;
				}
				*d++ = '.';
				left = *p++;
				continue;
			}
			if(keep[*p] != 1)
				break;
			*d++ = (char)*p++;
			left--;
		}
		o->len = mark;
	}
	n = ddg_name_to_str(wire, s, sizeof(s));
	if(n < 0)
		return DDG_ERR_INVAL;
	if(nodot && n > 1 && s[n - 1] == '.')
		n--;
	for(i = 0; i < n; i++) {
		if(s[i] == '\\' && i + 1 < n) {
			char c = s[i + 1];
			if(c >= '0' && c <= '9') {
				/* \DDD: copy as is */
				int k = i + 4 <= n ? 4 : n - i;
				put_safe(o, s + i, (size_t)k, json);
				i += k - 1;
			} else if(c == ' ' || c == '=' || c == '"') {
				if(json)
					putc_(o, '\\');
				put_ddd(o, (unsigned char)c);
				i++;
			} else {
				put_safe(o, s + i, 2, json);
				i++;
			}
		} else if(s[i] == '=' || s[i] == ' ' || s[i] == ',' ||
			(unsigned char)s[i] < 0x20 ||
			(unsigned char)s[i] >= 0x7f) {
			if(json)
				putc_(o, '\\');
			put_ddd(o, (unsigned char)s[i]);
		} else
			put_safe(o, s + i, 1, json);
	}
	return DDG_OK;
}

const char *
ddg_event_type_name(uint16_t t, char *buf, size_t buflen)
{
	static const struct { uint16_t t; const char *n; } types[] = {
		{1, "A"}, {2, "NS"}, {3, "MD"}, {4, "MF"}, {5, "CNAME"},
		{6, "SOA"}, {7, "MB"}, {8, "MG"}, {9, "MR"}, {10, "NULL"},
		{11, "WKS"}, {12, "PTR"}, {13, "HINFO"}, {14, "MINFO"},
		{15, "MX"}, {16, "TXT"}, {17, "RP"}, {18, "AFSDB"},
		{24, "SIG"}, {25, "KEY"}, {28, "AAAA"}, {29, "LOC"},
		{33, "SRV"}, {35, "NAPTR"}, {36, "KX"}, {37, "CERT"},
		{39, "DNAME"}, {41, "OPT"}, {42, "APL"}, {43, "DS"},
		{44, "SSHFP"}, {45, "IPSECKEY"}, {46, "RRSIG"}, {47, "NSEC"},
		{48, "DNSKEY"}, {49, "DHCID"}, {50, "NSEC3"},
		{51, "NSEC3PARAM"}, {52, "TLSA"}, {53, "SMIMEA"}, {55, "HIP"},
		{59, "CDS"}, {60, "CDNSKEY"}, {61, "OPENPGPKEY"},
		{62, "CSYNC"}, {63, "ZONEMD"}, {64, "SVCB"}, {65, "HTTPS"},
		{99, "SPF"}, {108, "EUI48"}, {109, "EUI64"}, {249, "TKEY"},
		{250, "TSIG"}, {251, "IXFR"}, {252, "AXFR"}, {253, "MAILB"},
		{254, "MAILA"}, {255, "ANY"}, {256, "URI"}, {257, "CAA"},
		{32769, "DLV"}
	};
	struct out o;
	size_t i;

	for(i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if(types[i].t == t)
			return types[i].n;
	if(!buf || buflen == 0)
		return "TYPE?";
	o.b = buf;
	o.size = buflen;
	o.len = 0;
	o.over = 0;
	put_lit(&o, "TYPE");
	putu(&o, t, 0);
	buf[o.over ? 0 : o.len] = 0;
	return buf;
}

const char *
ddg_event_rcode_name(int rcode, char *buf, size_t buflen)
{
	static const char *names[] = { "NOERROR", "FORMERR", "SERVFAIL",
		"NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
		"NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI" };
	static const char *ext[] = { "BADVERS", "BADKEY", "BADTIME",
		"BADMODE", "BADNAME", "BADALG", "BADTRUNC", "BADCOOKIE" };
	struct out o;

	if(rcode >= 0 && rcode < (int)(sizeof(names) / sizeof(names[0])))
		return names[rcode];
	if(rcode >= 16 && rcode < 16 + (int)(sizeof(ext) / sizeof(ext[0])))
		return ext[rcode - 16];
	if(!buf || buflen == 0)
		return "RCODE?";
	o.b = buf;
	o.size = buflen;
	o.len = 0;
	o.over = 0;
	put_lit(&o, "RCODE");
	if(rcode < 0) {
		putc_(&o, '-');
		putu(&o, (uint64_t)(-(int64_t)rcode), 0);
	} else
		putu(&o, (uint64_t)rcode, 0);
	buf[o.over ? 0 : o.len] = 0;
	return buf;
}

/** Append the client address; with port "ip#port" (text) or separately
 * (json: only the ip, *port set).  Returns 0 when there is none. */
static int
put_client(struct out *o, const struct sockaddr *sa, int *port)
{
	char ab[INET6_ADDRSTRLEN];

	if(!sa)
		return 0;
	if(sa->sa_family == AF_INET) {
		/* dotted quad by hand: inet_ntop() formats with sprintf */
		struct sockaddr_in sin;
		const uint8_t *a;
		int k;
		memcpy(&sin, sa, sizeof(sin));
		a = (const uint8_t *)&sin.sin_addr;
		*port = ntohs(sin.sin_port);
		for(k = 0; k < 4; k++) {
			if(k)
				putc_(o, '.');
			if(a[k] >= 100) {
				putc_(o, (char)('0' + a[k] / 100));
				put2(o, a[k] % 100);
			} else if(a[k] >= 10)
				put2(o, a[k]);
			else
				putc_(o, (char)('0' + a[k]));
		}
		return 1;
	} else if(sa->sa_family == AF_INET6) {
		struct sockaddr_in6 sin6;
		memcpy(&sin6, sa, sizeof(sin6));
		if(!inet_ntop(AF_INET6, &sin6.sin6_addr, ab, sizeof(ab)))
			return 0;
		*port = ntohs(sin6.sin6_port);
	} else
		return 0;
	puts_(o, ab);
	return 1;
}

/** Append a date and time, RFC 3339 UTC with milliseconds. */
static void
put_time(struct out *o, const struct timespec *ts)
{
	int64_t secs = (int64_t)ts->tv_sec, days, rem;
	int64_t y, m, dd;
	long ms = ts->tv_nsec / 1000000;

	if(ms < 0 || ms > 999)
		ms = 0;
	days = secs / 86400;
	rem = secs % 86400;
	if(rem < 0) {
		rem += 86400;
		days--;
	}
	ddg_civil_from_days(days, &y, &m, &dd);
	if(y < 0 || y > 9999)
		y = 0;
	{
		/* YYYY-MM-DDTHH:MM:SS.mmmZ, two digits at a time */
		char t[24];
		unsigned hh = (unsigned)(rem / 3600), mi = (unsigned)(rem /
			60 % 60), ss = (unsigned)(rem % 60);
		memcpy(t, digits2 + 2 * (y / 100), 2);
		memcpy(t + 2, digits2 + 2 * (y % 100), 2);
		t[4] = '-';
		memcpy(t + 5, digits2 + 2 * m, 2);
		t[7] = '-';
		memcpy(t + 8, digits2 + 2 * dd, 2);
		t[10] = 'T';
		memcpy(t + 11, digits2 + 2 * hh, 2);
		t[13] = ':';
		memcpy(t + 14, digits2 + 2 * mi, 2);
		t[16] = ':';
		memcpy(t + 17, digits2 + 2 * ss, 2);
		t[19] = '.';
		t[20] = (char)('0' + ms / 100);
		memcpy(t + 21, digits2 + 2 * (ms % 100), 2);
		t[23] = 'Z';
		put(o, t, sizeof(t));
	}
}

/** Format the text line with the first k chain elements. */
static int
text_k(const struct ddg_event *ev, struct out *o, size_t k, size_t nchain)
{
	char tb[16];
	int port = 0, r;
	size_t i;

	put_lit(o, "[dyndns-guard] action=");
	puts_(o, ddg_action_name(ev->action));
	put_lit(o, " client=");
	if(put_client(o, ev->client, &port)) {
		putc_(o, '#');
		putu(o, (uint64_t)port, 0);
	} else
		putc_(o, '-');
	put_lit(o, " network=");
	if(ev->network && *ev->network)
		put_str(o, ev->network, 0);
	else
		putc_(o, '-');
	put_lit(o, " qname=");
	if(ev->qname) {
		r = put_name(o, ev->qname, 0, 0);
		if(r != DDG_OK)
			return r;
	} else
		putc_(o, '-');
	put_lit(o, " qtype=");
	puts_(o, ddg_event_type_name(ev->qtype, tb, sizeof(tb)));
	put_lit(o, " zone=");
	if(ev->zone) {
		r = put_name(o, ev->zone, 0, 1);
		if(r != DDG_OK)
			return r;
	} else
		putc_(o, '-');
	put_lit(o, " category=");
	if(ev->category && *ev->category)
		put_str(o, ev->category, 0);
	else
		putc_(o, '-');
	puts_(o, ev->match == DDG_MATCH_CNAME ? " match=cname" :
		" match=qname");
	puts_(o, ev->cached ? " cached=yes" : " cached=no");
	put_lit(o, " rcode=");
	if(ev->rcode >= 0)
		puts_(o, ddg_event_rcode_name(ev->rcode, tb, sizeof(tb)));
	else
		putc_(o, '-');
	if(nchain) {
		put_lit(o, " chain=");
		for(i = 0; i < k; i++) {
			if(i)
				putc_(o, ',');
			if(!ev->chain[i])
				putc_(o, '-');
			else if((r = put_name(o, ev->chain[i], 0, 0)) !=
				DDG_OK)
				return r;
		}
		if(k < nchain || ev->chain_total > nchain)
			puts_(o, k ? ",..." : "...");
	}
	put_lit(o, " list=");
	if(ev->ruleset && *ev->ruleset)
		put_str(o, ev->ruleset, 0);
	else
		putc_(o, '-');
	return DDG_OK;
}

/** Format the JSON line with the first k chain elements. */
static int
json_k(const struct ddg_event *ev, struct out *o, size_t k, size_t nchain)
{
	char tb[16];
	int port = 0, r;
	size_t i;

	put_lit(o, "{\"@timestamp\":\"");
	put_time(o, &ev->ts);
	puts_(o, "\",\"event\":{\"kind\":\"alert\",\"module\":"
		"\"dyndns_guard\",\"action\":\"");
	puts_(o, ddg_action_name(ev->action));
	put_lit(o, "\"}");
	if(ev->client) {
		size_t mark = o->len;
		put_lit(o, ",\"source\":{\"ip\":\"");
		if(put_client(o, ev->client, &port)) {
			put_lit(o, "\",\"port\":");
			putu(o, (uint64_t)port, 0);
			putc_(o, '}');
		} else if(!o->over)
			o->len = mark;
	}
	put_lit(o, ",\"dns\":{\"question\":{\"name\":\"");
	if(ev->qname) {
		r = put_name(o, ev->qname, 1, 1);
		if(r != DDG_OK)
			return r;
	}
	put_lit(o, "\",\"type\":\"");
	puts_(o, ddg_event_type_name(ev->qtype, tb, sizeof(tb)));
	put_lit(o, "\"}");
	if(ev->rcode >= 0) {
		put_lit(o, ",\"response_code\":\"");
		puts_(o, ddg_event_rcode_name(ev->rcode, tb, sizeof(tb)));
		putc_(o, '"');
	}
	put_lit(o, "},\"rule\":{\"name\":");
	if(ev->zone) {
		putc_(o, '"');
		r = put_name(o, ev->zone, 1, 1);
		if(r != DDG_OK)
			return r;
		putc_(o, '"');
	} else
		put_lit(o, "null");
	put_lit(o, ",\"category\":");
	if(ev->category && *ev->category) {
		putc_(o, '"');
		put_str(o, ev->category, 1);
		putc_(o, '"');
	} else
		put_lit(o, "null");
	put_lit(o, ",\"ruleset\":");
	if(ev->ruleset && *ev->ruleset) {
		putc_(o, '"');
		put_str(o, ev->ruleset, 1);
		putc_(o, '"');
	} else
		put_lit(o, "null");
	puts_(o, "},\"threat\":{\"framework\":\"MITRE ATT&CK\","
		"\"technique\":{\"id\":[\"T1568\",\"T1071.004\"]}}");
	put_lit(o, ",\"dyndns_guard\":{\"match\":\"");
	puts_(o, ev->match == DDG_MATCH_CNAME ? "cname" : "qname");
	put_lit(o, "\",\"cname_chain\":[");
	for(i = 0; i < k; i++) {
		if(i)
			putc_(o, ',');
		if(!ev->chain[i]) {
			put_lit(o, "null");
			continue;
		}
		putc_(o, '"');
		r = put_name(o, ev->chain[i], 1, 1);
		if(r != DDG_OK)
			return r;
		putc_(o, '"');
	}
	putc_(o, ']');
	if(k < nchain || ev->chain_total > nchain)
		put_lit(o, ",\"cname_chain_truncated\":true");
	put_lit(o, ",\"network\":");
	if(ev->network && *ev->network) {
		putc_(o, '"');
		put_str(o, ev->network, 1);
		putc_(o, '"');
	} else
		put_lit(o, "null");
	puts_(o, ev->cached ? ",\"cached\":true}}" : ",\"cached\":false}}");
	return DDG_OK;
}

/** Format with as many chain elements as fit. */
static int
format(const struct ddg_event *ev, char *buf, size_t buflen,
	int (*fn)(const struct ddg_event *, struct out *, size_t, size_t))
{
	size_t nchain, k;
	struct out o;
	int r;

	if(!ev || !buf || buflen == 0)
		return DDG_ERR_RANGE;
	buf[0] = 0;
	nchain = ev->nchain > DDG_EVENT_MAXCHAIN ? DDG_EVENT_MAXCHAIN :
		ev->nchain;
	k = nchain;
	for(;;) {
		o.b = buf;
		o.size = buflen;
		o.len = 0;
		o.over = 0;
		r = fn(ev, &o, k, nchain);
		if(r != DDG_OK) {
			buf[0] = 0;
			return r;
		}
		if(!o.over) {
			buf[o.len] = 0;
			return (int)o.len;
		}
		if(k == 0)
			break;
		k--;
	}
	buf[0] = 0;
	return DDG_ERR_RANGE;
}

int
ddg_event_format_text(const struct ddg_event *ev, char *buf, size_t buflen)
{
	return format(ev, buf, buflen, text_k);
}

int
ddg_event_format_json(const struct ddg_event *ev, char *buf, size_t buflen)
{
	return format(ev, buf, buflen, json_k);
}

int
ddg_event_ruleset(const char *path, const char *sha256_hex, char *buf,
	size_t buflen)
{
	const char *base = "-";
	struct out o;

	if(!buf || buflen == 0)
		return DDG_ERR_RANGE;
	if(path) {
		const char *sl = strrchr(path, '/');
		base = sl ? sl + 1 : path;
	}
	o.b = buf;
	o.size = buflen;
	o.len = 0;
	o.over = 0;
	puts_(&o, base);
	if(sha256_hex && *sha256_hex) {
		size_t n = strnlen(sha256_hex, 12);
		putc_(&o, '@');
		put(&o, sha256_hex, n);
	}
	if(o.over) {
		size_t n = strnlen(base, buflen - 1);
		memcpy(buf, base, n);
		buf[n] = 0;
		return DDG_ERR_RANGE;
	}
	buf[o.len] = 0;
	return (int)o.len;
}
