/**
 * \file evparse.c
 * Reading match events back from JSON event files and from Unbound's log.
 * See evparse.h and docs/events.md for the formats.
 *
 * The line is untrusted.  It is checked whole first (length, NUL bytes,
 * UTF-8), then parsed by a small strict JSON reader (RFC 8259, bounded
 * nesting) that keeps only the fields of an event, or split into the
 * key=value fields of the text line.  Every string kept goes through one
 * bounded writer that escapes what is not printable ASCII.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/evparse.h"
#include "dyndns-guard/name.h"
#include "civil.h"

/** deepest JSON nesting accepted */
#define JSON_MAXDEPTH 64

/** bounded writer of one record field */
struct fbuf {
	/** the field */
	char *b;
	/** its size, NUL included */
	size_t cap;
	/** bytes written */
	size_t len;
	/** set when something did not fit */
	int over;
	/** lowercase ASCII letters (names) */
	int lower;
};

/** Start writing into a field of cap bytes. */
static void
fb_init(struct fbuf *f, char *b, size_t cap, int lower)
{
	f->b = b;
	f->cap = cap;
	f->len = 0;
	f->over = 0;
	f->lower = lower;
	b[0] = 0;
}

/** Append one byte, as \DDD when outside '!'..'~' or a '"'. */
static void
fb_byte(struct fbuf *f, unsigned char c)
{
	if(f->over)
		return;
	if(c < 0x21 || c > 0x7e || c == '"') {
		if(f->len + 4 >= f->cap) {
			f->over = 1;
			return;
		}
		f->b[f->len++] = '\\';
		f->b[f->len++] = (char)('0' + c / 100);
		f->b[f->len++] = (char)('0' + (c / 10) % 10);
		f->b[f->len++] = (char)('0' + c % 10);
	} else {
		if(f->len + 1 >= f->cap) {
			f->over = 1;
			return;
		}
		if(f->lower && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		f->b[f->len++] = (char)c;
	}
	f->b[f->len] = 0;
}

/** Set a field to a constant. */
static void
fb_set(char *b, const char *s)
{
	strcpy(b, s);
}

/**
 * Whether s[0..n) is valid UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF).
 */
static int
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while(i < n) {
		unsigned char c = s[i];
		size_t k, need;
		uint32_t cp;

		if(c < 0x80) {
			i++;
			continue;
		}
		if(c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if(c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if(c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else
			return 0; /* continuation byte or 0xc0, 0xc1, > 0xf4 */
		if(i + need >= n)
			return 0; /* cut short */
		for(k = 1; k <= need; k++) {
			if((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
			cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0; /* overlong, out of range, surrogate */
		i += need + 1;
	}
	return 1;
}

/* ---- time ---- */

/** days of a month */
static int
month_days(int y, int m)
{
	static const int md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	if(m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[m - 1];
}

/** read exactly n digits at s; -1 when not digits */
static int
digits(const char *s, size_t avail, size_t n)
{
	int v = 0;
	size_t i;

	if(avail < n)
		return -1;
	for(i = 0; i < n; i++) {
		if(s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/**
 * Read an optional fraction of a second at s ('.' or ',' and digits).
 * @return bytes used; *msec set to the milliseconds.
 */
static size_t
fraction(const char *s, size_t avail, int *msec)
{
	size_t i = 1;
	int v = 0, k = 0;

	*msec = 0;
	if(avail < 2 || (s[0] != '.' && s[0] != ',') || s[1] < '0' ||
		s[1] > '9')
		return 0;
	while(i < avail && s[i] >= '0' && s[i] <= '9') {
		if(k < 3) {
			v = v * 10 + (s[i] - '0');
			k++;
		}
		i++;
		if(i > 32)
			return 0; /* absurdly long */
	}
	while(k < 3) {
		v *= 10;
		k++;
	}
	*msec = v;
	return i;
}

/** Local broken-down time to ms since the epoch (mktime), or -1. */
static int
local_ms(int y, int mo, int d, int h, int mi, int s, int msec, int64_t *ms)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if(t == (time_t)-1 && !(y == 1969 && mo == 12 && d == 31))
		return -1;
	*ms = (int64_t)t * 1000 + msec;
	return 0;
}

size_t
ddg_time_parse_rfc3339(const char *s, size_t len, int64_t *ms)
{
	int y, mo, d, h, mi, sec, msec = 0, oh, om, sign;
	size_t i;
	int64_t t;

	y = digits(s, len, 4);
	if(y < 0 || len < 19 || s[4] != '-' || s[7] != '-' ||
		(s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
		s[13] != ':' || s[16] != ':')
		return 0;
	mo = digits(s + 5, len - 5, 2);
	d = digits(s + 8, len - 8, 2);
	h = digits(s + 11, len - 11, 2);
	mi = digits(s + 14, len - 14, 2);
	sec = digits(s + 17, len - 17, 2);
	if(mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h < 0 ||
		h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return 0;
	if(sec == 60)
		sec = 59; /* a leap second: kept in its minute */
	i = 19;
	i += fraction(s + i, len - i, &msec);
	if(i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
		sign = 0;
		oh = om = 0;
	} else if(i < len && (s[i] == '+' || s[i] == '-')) {
		sign = s[i] == '-' ? -1 : 1;
		oh = digits(s + i + 1, len - i - 1, 2);
		if(oh < 0 || oh > 23)
			return 0;
		if(i + 3 < len && s[i + 3] == ':') {
			om = digits(s + i + 4, len - i - 4, 2);
			i += 6;
		} else {
			om = digits(s + i + 3, len - i - 3, 2);
			i += 5;
		}
		if(om < 0 || om > 59)
			return 0;
	} else {
		/* no offset: local time */
		if(local_ms(y, mo, d, h, mi, sec, msec, &t) != 0)
			return 0;
		*ms = t;
		return i;
	}
	t = ddg_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	if(sign)
		t -= (int64_t)sign * (oh * 3600 + om * 60);
	*ms = t * 1000 + msec;
	return i;
}

/**
 * A BSD syslog / log-time-ascii stamp "Nov 14 22:13:20" (day may be
 * space-padded, an optional fraction) at s; local time, the year put so
 * that the stamp is at most a day after now_ms.
 * @return bytes used, 0 when not one.
 */
static size_t
bsd_time(const char *s, size_t len, int64_t now_ms, int64_t *ms)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int mo = 0, d, h, mi, sec, msec = 0, y;
	size_t i, k;
	time_t now = (time_t)(now_ms / 1000);
	struct tm ntm;
	int64_t t;

	if(len < 15)
		return 0;
	for(k = 0; k < 12; k++)
		if(memcmp(s, months + 3 * k, 3) == 0) {
			mo = (int)k + 1;
			break;
		}
	if(!mo || s[3] != ' ')
		return 0;
	i = 4;
	if(s[i] == ' ')
		i++;
	if(i < len && s[i] >= '0' && s[i] <= '9') {
		d = s[i++] - '0';
		if(i < len && s[i] >= '0' && s[i] <= '9')
			d = d * 10 + (s[i++] - '0');
	} else
		return 0;
	if(i + 9 > len || s[i] != ' ' || s[i + 3] != ':' || s[i + 6] != ':')
		return 0;
	h = digits(s + i + 1, len - i - 1, 2);
	mi = digits(s + i + 4, len - i - 4, 2);
	sec = digits(s + i + 7, len - i - 7, 2);
	if(d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
		sec < 0 || sec > 60)
		return 0;
	if(sec == 60)
		sec = 59;
	i += 9;
	i += fraction(s + i, len - i, &msec);
	if(!localtime_r(&now, &ntm))
		return 0;
	y = ntm.tm_year + 1900;
	if(d > month_days(y, mo) && d > month_days(y - 1, mo))
		return 0;
	if(d > month_days(y, mo) ||
		local_ms(y, mo, d, h, mi, sec, msec, &t) != 0 ||
		t > now_ms + 86400000) {
		y--;
		if(d > month_days(y, mo) ||
			local_ms(y, mo, d, h, mi, sec, msec, &t) != 0)
			return 0;
	}
	*ms = t;
	return i;
}

int
ddg_time_parse_arg(const char *s, int64_t now_ms, int64_t *ms)
{
	size_t n = strlen(s), i;
	int64_t v, total;

	if(n == 0 || n > 64)
		return DDG_ERR_SYNTAX;
	/* epoch seconds, with an optional fraction */
	for(i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if(i > 0 && i <= 12) {
		int msec = 0;
		size_t f = fraction(s + i, n - i, &msec);
		if(i + f == n) {
			v = 0;
			for(i = 0; s[i] >= '0' && s[i] <= '9'; i++)
				v = v * 10 + (s[i] - '0');
			*ms = v * 1000 + msec;
			return DDG_OK;
		}
	}
	/* relative: NUMBER UNIT ... */
	total = 0;
	i = 0;
	while(i < n && s[i] >= '0' && s[i] <= '9') {
		int64_t mult;
		size_t k = 0;
		v = 0;
		while(i < n && s[i] >= '0' && s[i] <= '9') {
			v = v * 10 + (s[i++] - '0');
			if(++k > 9)
				return DDG_ERR_SYNTAX;
		}
		if(i >= n)
			break;
		switch(s[i]) {
		case 's': mult = 1000; break;
		case 'm': mult = 60000; break;
		case 'h': mult = 3600000; break;
		case 'd': mult = 86400000; break;
		case 'w': mult = 7 * (int64_t)86400000; break;
		default: mult = 0; break;
		}
		if(!mult)
			break;
		i++;
		total += v * mult;
		if(i == n) {
			*ms = now_ms - total;
			return DDG_OK;
		}
	}
	/* a date alone: midnight UTC */
	if(n == 10 && s[4] == '-' && s[7] == '-') {
		int y = digits(s, n, 4), mo = digits(s + 5, n - 5, 2),
			d = digits(s + 8, n - 8, 2);
		if(y < 0 || mo < 1 || mo > 12 || d < 1 ||
			d > month_days(y, mo))
			return DDG_ERR_SYNTAX;
		*ms = ddg_days_from_civil(y, mo, d) * 86400 * 1000;
		return DDG_OK;
	}
	if(ddg_time_parse_rfc3339(s, n, &v) == n) {
		*ms = v;
		return DDG_OK;
	}
	return DDG_ERR_SYNTAX;
}

char *
ddg_time_format(int64_t ms, char *buf, size_t buflen)
{
	int64_t secs, days, rem, y, m, d;
	int msec;

	/* floor division, with no negation that could overflow */
	secs = ms / 1000;
	if(ms % 1000 < 0)
		secs--;
	msec = (int)(ms - secs * 1000);
	days = secs / 86400;
	if(secs % 86400 < 0)
		days--;
	rem = secs - days * 86400;
	ddg_civil_from_days(days, &y, &m, &d);
	if(y < 0 || y > 9999)
		snprintf(buf, buflen, "%s", y < 0 ? "0000-01-01T00:00:00.000Z"
			: "9999-12-31T23:59:59.999Z");
	else
		snprintf(buf, buflen, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			(int)y, (int)m, (int)d, (int)(rem / 3600),
			(int)(rem / 60 % 60), (int)(rem % 60), msec);
	return buf;
}

/* ---- fields ---- */

/**
 * Normalize a name field: no trailing (unescaped) dot; and check that it
 * is a DNS name (labels of 1..63 bytes, at most 255 in wire form, valid
 * escapes).  Returns 0 or -1.
 */
static int
name_finish(char *s)
{
	size_t n = strlen(s), bs = 0, wl;
	uint8_t wire[DDG_NAME_MAXWIRE];

	if(n == 0 || ddg_name_from_str(s, wire, &wl) != DDG_OK)
		return -1;
	if(n > 1 && s[n - 1] == '.') {
		size_t k = n - 1;
		while(k > 0 && s[k - 1] == '\\') {
			bs++;
			k--;
		}
		if(bs % 2 == 0)
			s[n - 1] = 0;
	}
	return 0;
}

/**
 * Set the client from an address text (port removed by the caller):
 * validated, canonical.  Returns 0 or -1.
 */
static int
set_client(struct ddg_evrec *rec, const char *a, size_t n)
{
	char tmp[64];
	unsigned char addr[16];

	if(n == 1 && a[0] == '-') {
		fb_set(rec->client, "-");
		return 0;
	}
	if(n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, a, n);
	tmp[n] = 0;
	if(inet_pton(AF_INET, tmp, addr) == 1) {
		if(!inet_ntop(AF_INET, addr, rec->client,
			sizeof(rec->client)))
			return -1;
		return 0;
	}
	if(inet_pton(AF_INET6, tmp, addr) == 1) {
		if(!inet_ntop(AF_INET6, addr, rec->client,
			sizeof(rec->client)))
			return -1;
		return 0;
	}
	return -1;
}

/** Action from its name; -1 when unknown. */
static int
action_of(const char *s, size_t n)
{
	if(n == 3 && memcmp(s, "log", 3) == 0)
		return DDG_ACTION_LOG;
	if(n == 5 && memcmp(s, "block", 5) == 0)
		return DDG_ACTION_BLOCK;
	if(n == 8 && memcmp(s, "sinkhole", 8) == 0)
		return DDG_ACTION_SINKHOLE;
	return -1;
}

/** Reset a record to its defaults. */
static void
rec_init(struct ddg_evrec *rec, enum ddg_evrec_form form)
{
	rec->time_ms = 0;
	rec->action = DDG_ACTION_LOG;
	rec->form = form;
	rec->cached = 0;
	rec->match_cname = 0;
	fb_set(rec->client, "-");
	fb_set(rec->network, "-");
	rec->name[0] = 0;
	fb_set(rec->qtype, "-");
	rec->zone[0] = 0;
	fb_set(rec->category, "-");
}

/* ---- JSON ---- */

/** the JSON reader */
struct jp {
	/** next byte */
	const char *p;
	/** end of the line */
	const char *e;
	/** the reason of a failure */
	const char *err;
};

/** objects whose fields are kept */
enum jpath {
	P_TOP = 0, P_EVENT, P_SOURCE, P_DNS, P_QUESTION, P_RULE, P_DDG,
	P_NONE
};

/** fields kept */
enum jfield {
	F_NONE = 0, F_TS, F_ACTION, F_MODULE, F_IP, F_NAME, F_QTYPE, F_ZONE,
	F_CATEGORY, F_NETWORK, F_MATCH, F_CACHED
};

/** what the JSON reader found */
struct jctx {
	/** the record */
	struct ddg_evrec *rec;
	/** bit (1 << enum jfield) per field seen */
	unsigned have;
	/** the time stamp, as written */
	char ts[48];
	/** event.action */
	char action[16];
	/** event.module */
	char module[16];
	/** source.ip */
	char ip[64];
	/** dyndns_guard.match */
	char match[8];
};

/** Fail with a reason; returns -1. */
static int
jfail(struct jp *j, const char *why)
{
	if(!j->err)
		j->err = why;
	return -1;
}

/** Skip JSON white space. */
static void
jws(struct jp *j)
{
	while(j->p < j->e && (*j->p == ' ' || *j->p == '\t' ||
		*j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/** value of a hex digit or -1 */
static int
hexval(char c)
{
	if(c >= '0' && c <= '9')
		return c - '0';
	if(c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if(c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/** Read 4 hex digits of a \u escape at j->p. */
static int
jhex4(struct jp *j, uint32_t *v)
{
	int k, h;

	if(j->e - j->p < 4)
		return jfail(j, "JSON: cut-off \\u escape");
	*v = 0;
	for(k = 0; k < 4; k++) {
		h = hexval(j->p[k]);
		if(h < 0)
			return jfail(j, "JSON: bad \\u escape");
		*v = (*v << 4) | (uint32_t)h;
	}
	j->p += 4;
	return 0;
}

/** Emit one decoded byte into the outputs of jstring. */
static void
jemit(unsigned char c, struct fbuf *out, char *raw, size_t rawcap,
	size_t *rawlen)
{
	if(out)
		fb_byte(out, c);
	if(raw) {
		if(*rawlen + 1 < rawcap) {
			raw[(*rawlen)++] = (char)c;
			raw[*rawlen] = 0;
		} else
			*rawlen = rawcap; /* marks: too long */
	}
}

/**
 * Read a JSON string at j->p (which is at '"').  Decoded bytes go to out
 * (escaped, may be NULL) and raw (as is, rawcap bytes, may be NULL; on
 * overflow *rawlen becomes rawcap).
 */
static int
jstring(struct jp *j, struct fbuf *out, char *raw, size_t rawcap,
	size_t *rawlen)
{
	if(raw) {
		raw[0] = 0;
		*rawlen = 0;
	}
	if(j->p >= j->e || *j->p != '"')
		return jfail(j, "JSON: expected a string");
	j->p++;
	while(j->p < j->e) {
		unsigned char c = (unsigned char)*j->p++;
		if(c == '"')
			return 0;
		if(c < 0x20)
			return jfail(j, "JSON: control byte in a string");
		if(c != '\\') {
			jemit(c, out, raw, rawcap, rawlen);
			continue;
		}
		if(j->p >= j->e)
			break;
		c = (unsigned char)*j->p++;
		switch(c) {
		case '"': case '\\': case '/':
			jemit(c, out, raw, rawcap, rawlen);
			break;
		case 'b': jemit('\b', out, raw, rawcap, rawlen); break;
		case 'f': jemit('\f', out, raw, rawcap, rawlen); break;
		case 'n': jemit('\n', out, raw, rawcap, rawlen); break;
		case 'r': jemit('\r', out, raw, rawcap, rawlen); break;
		case 't': jemit('\t', out, raw, rawcap, rawlen); break;
		case 'u': {
			uint32_t cp, lo;
			unsigned char u[4];
			int n, k;
			if(jhex4(j, &cp) != 0)
				return -1;
			if(cp >= 0xdc00 && cp <= 0xdfff)
				return jfail(j, "JSON: lone low surrogate");
			if(cp >= 0xd800 && cp <= 0xdbff) {
				if(j->e - j->p < 2 || j->p[0] != '\\' ||
					j->p[1] != 'u')
					return jfail(j,
						"JSON: lone high surrogate");
				j->p += 2;
				if(jhex4(j, &lo) != 0)
					return -1;
				if(lo < 0xdc00 || lo > 0xdfff)
					return jfail(j,
						"JSON: bad surrogate pair");
				cp = 0x10000 + ((cp - 0xd800) << 10) +
					(lo - 0xdc00);
			}
			if(cp < 0x80) {
				u[0] = (unsigned char)cp;
				n = 1;
			} else if(cp < 0x800) {
				u[0] = (unsigned char)(0xc0 | (cp >> 6));
				u[1] = (unsigned char)(0x80 | (cp & 0x3f));
				n = 2;
			} else if(cp < 0x10000) {
				u[0] = (unsigned char)(0xe0 | (cp >> 12));
				u[1] = (unsigned char)(0x80 |
					((cp >> 6) & 0x3f));
				u[2] = (unsigned char)(0x80 | (cp & 0x3f));
				n = 3;
			} else {
				u[0] = (unsigned char)(0xf0 | (cp >> 18));
				u[1] = (unsigned char)(0x80 |
					((cp >> 12) & 0x3f));
				u[2] = (unsigned char)(0x80 |
					((cp >> 6) & 0x3f));
				u[3] = (unsigned char)(0x80 | (cp & 0x3f));
				n = 4;
			}
			for(k = 0; k < n; k++)
				jemit(u[k], out, raw, rawcap, rawlen);
			break;
		}
		default:
			return jfail(j, "JSON: bad escape in a string");
		}
	}
	return jfail(j, "JSON: unterminated string");
}

/** Read a JSON number at j->p. */
static int
jnumber(struct jp *j)
{
	const char *p = j->p;

	if(p < j->e && *p == '-')
		p++;
	if(p >= j->e)
		return jfail(j, "JSON: bad number");
	if(*p == '0')
		p++;
	else if(*p >= '1' && *p <= '9') {
		while(p < j->e && *p >= '0' && *p <= '9')
			p++;
	} else
		return jfail(j, "JSON: bad value");
	if(p < j->e && *p == '.') {
		p++;
		if(p >= j->e || *p < '0' || *p > '9')
			return jfail(j, "JSON: bad number");
		while(p < j->e && *p >= '0' && *p <= '9')
			p++;
	}
	if(p < j->e && (*p == 'e' || *p == 'E')) {
		p++;
		if(p < j->e && (*p == '+' || *p == '-'))
			p++;
		if(p >= j->e || *p < '0' || *p > '9')
			return jfail(j, "JSON: bad number");
		while(p < j->e && *p >= '0' && *p <= '9')
			p++;
	}
	j->p = p;
	return 0;
}

/** Match a literal (true, false, null) at j->p. */
static int
jliteral(struct jp *j, const char *lit)
{
	size_t n = strlen(lit);

	if((size_t)(j->e - j->p) < n || memcmp(j->p, lit, n) != 0)
		return jfail(j, "JSON: bad value");
	j->p += n;
	return 0;
}

static int jobject(struct jp *j, int depth, enum jpath path,
	struct jctx *c);

/** Skip any JSON value at j->p. */
static int
jskip(struct jp *j, int depth)
{
	jws(j);
	if(j->p >= j->e)
		return jfail(j, "JSON: value expected");
	switch(*j->p) {
	case '{':
		return jobject(j, depth + 1, P_NONE, NULL);
	case '[':
		if(depth + 1 > JSON_MAXDEPTH)
			return jfail(j, "JSON: nested too deeply");
		j->p++;
		jws(j);
		if(j->p < j->e && *j->p == ']') {
			j->p++;
			return 0;
		}
		for(;;) {
			if(jskip(j, depth + 1) != 0)
				return -1;
			jws(j);
			if(j->p >= j->e)
				return jfail(j, "JSON: unterminated array");
			if(*j->p == ']') {
				j->p++;
				return 0;
			}
			if(*j->p != ',')
				return jfail(j, "JSON: expected ',' or ']'");
			j->p++;
		}
	case '"':
		return jstring(j, NULL, NULL, 0, NULL);
	case 't':
		return jliteral(j, "true");
	case 'f':
		return jliteral(j, "false");
	case 'n':
		return jliteral(j, "null");
	default:
		return jnumber(j);
	}
}

/** The object path of key k inside path, or P_NONE. */
static enum jpath
jchild(enum jpath path, const char *k)
{
	switch(path) {
	case P_TOP:
		if(strcmp(k, "event") == 0)
			return P_EVENT;
		if(strcmp(k, "source") == 0)
			return P_SOURCE;
		if(strcmp(k, "dns") == 0)
			return P_DNS;
		if(strcmp(k, "rule") == 0)
			return P_RULE;
		if(strcmp(k, "dyndns_guard") == 0)
			return P_DDG;
		break;
	case P_DNS:
		if(strcmp(k, "question") == 0)
			return P_QUESTION;
		break;
	default:
		break;
	}
	return P_NONE;
}

/** The field of key k inside path, or F_NONE. */
static enum jfield
jfield_of(enum jpath path, const char *k)
{
	switch(path) {
	case P_TOP:
		if(strcmp(k, "@timestamp") == 0)
			return F_TS;
		break;
	case P_EVENT:
		if(strcmp(k, "action") == 0)
			return F_ACTION;
		if(strcmp(k, "module") == 0)
			return F_MODULE;
		break;
	case P_SOURCE:
		if(strcmp(k, "ip") == 0)
			return F_IP;
		break;
	case P_QUESTION:
		if(strcmp(k, "name") == 0)
			return F_NAME;
		if(strcmp(k, "type") == 0)
			return F_QTYPE;
		break;
	case P_RULE:
		if(strcmp(k, "name") == 0)
			return F_ZONE;
		if(strcmp(k, "category") == 0)
			return F_CATEGORY;
		break;
	case P_DDG:
		if(strcmp(k, "network") == 0)
			return F_NETWORK;
		if(strcmp(k, "match") == 0)
			return F_MATCH;
		if(strcmp(k, "cached") == 0)
			return F_CACHED;
		break;
	default:
		break;
	}
	return F_NONE;
}

/** Read a string into a record field; "too long" when it does not fit. */
static int
jfield_str(struct jp *j, char *dst, size_t cap, int lower,
	const char *toolong)
{
	struct fbuf f;

	fb_init(&f, dst, cap, lower);
	if(jstring(j, &f, NULL, 0, NULL) != 0)
		return -1;
	if(f.over)
		return jfail(j, toolong);
	return 0;
}

/** Read a short string as is into dst (cap bytes); errs when longer. */
static int
jfield_raw(struct jp *j, char *dst, size_t cap, const char *bad)
{
	size_t n = 0;

	if(jstring(j, NULL, dst, cap, &n) != 0)
		return -1;
	if(n >= cap)
		return jfail(j, bad);
	return 0;
}

/** Read the value of a kept field. */
static int
jvalue(struct jp *j, enum jfield f, struct jctx *c)
{
	struct ddg_evrec *r = c->rec;
	int isnull = 0;

	jws(j);
	if(j->p >= j->e)
		return jfail(j, "JSON: value expected");
	if(f == F_CATEGORY || f == F_NETWORK) {
		if(*j->p == 'n') {
			if(jliteral(j, "null") != 0)
				return -1;
			isnull = 1;
		}
	}
	if(f == F_CACHED) {
		if(*j->p == 't') {
			if(jliteral(j, "true") != 0)
				return -1;
			r->cached = 1;
		} else if(*j->p == 'f') {
			if(jliteral(j, "false") != 0)
				return -1;
			r->cached = 0;
		} else
			return jfail(j, "dyndns_guard.cached is not a boolean");
		c->have |= 1u << f;
		return 0;
	}
	if(!isnull && *j->p != '"') {
		switch(f) {
		case F_TS: return jfail(j, "@timestamp is not a string");
		case F_ACTION: return jfail(j, "event.action is not a string");
		case F_MODULE: return jfail(j, "event.module is not a string");
		case F_IP: return jfail(j, "source.ip is not a string");
		case F_NAME:
			return jfail(j, "dns.question.name is not a string");
		case F_QTYPE:
			return jfail(j, "dns.question.type is not a string");
		case F_ZONE: return jfail(j, "rule.name is not a string");
		case F_CATEGORY:
			return jfail(j, "rule.category is not a string");
		case F_NETWORK:
			return jfail(j, "dyndns_guard.network is not a string");
		default: return jfail(j, "dyndns_guard.match is not a string");
		}
	}
	c->have |= 1u << f;
	if(isnull) {
		fb_set(f == F_CATEGORY ? r->category : r->network, "-");
		return 0;
	}
	switch(f) {
	case F_TS:
		return jfield_raw(j, c->ts, sizeof(c->ts),
			"invalid @timestamp");
	case F_ACTION:
		return jfield_raw(j, c->action, sizeof(c->action),
			"unknown event.action");
	case F_MODULE:
		return jfield_raw(j, c->module, sizeof(c->module),
			"not a dyndns_guard event");
	case F_IP:
		return jfield_raw(j, c->ip, sizeof(c->ip),
			"invalid source.ip");
	case F_MATCH:
		return jfield_raw(j, c->match, sizeof(c->match),
			"unknown dyndns_guard.match");
	case F_NAME:
		return jfield_str(j, r->name, sizeof(r->name), 1,
			"dns.question.name too long");
	case F_QTYPE:
		return jfield_str(j, r->qtype, sizeof(r->qtype), 0,
			"dns.question.type too long");
	case F_ZONE:
		return jfield_str(j, r->zone, sizeof(r->zone), 1,
			"rule.name too long");
	case F_CATEGORY:
		return jfield_str(j, r->category, sizeof(r->category), 0,
			"rule.category too long");
	case F_NETWORK:
		return jfield_str(j, r->network, sizeof(r->network), 0,
			"dyndns_guard.network too long");
	default:
		return jskip(j, 0);
	}
}

/**
 * Read a JSON object at j->p ('{'); keep the fields of path (none for
 * P_NONE or without c).
 */
static int
jobject(struct jp *j, int depth, enum jpath path, struct jctx *c)
{
	char key[32];
	size_t klen;

	if(depth > JSON_MAXDEPTH)
		return jfail(j, "JSON: nested too deeply");
	if(j->p >= j->e || *j->p != '{')
		return jfail(j, "JSON: expected '{'");
	j->p++;
	jws(j);
	if(j->p < j->e && *j->p == '}') {
		j->p++;
		return 0;
	}
	for(;;) {
		enum jpath child = P_NONE;
		enum jfield f = F_NONE;

		jws(j);
		if(j->p >= j->e)
			return jfail(j, "JSON: unterminated object");
		if(jstring(j, NULL, key, sizeof(key), &klen) != 0)
			return -1;
		if(c && path != P_NONE && klen < sizeof(key) &&
			strlen(key) == klen) {
			child = jchild(path, key);
			f = jfield_of(path, key);
		}
		jws(j);
		if(j->p >= j->e || *j->p != ':')
			return jfail(j, "JSON: expected ':'");
		j->p++;
		jws(j);
		if(child != P_NONE) {
			if(j->p >= j->e || *j->p != '{')
				return jfail(j, child == P_SOURCE ?
					"source is not an object" :
					"an ECS field set is not an object");
			if(jobject(j, depth + 1, child, c) != 0)
				return -1;
		} else if(f != F_NONE) {
			if(jvalue(j, f, c) != 0)
				return -1;
		} else if(jskip(j, depth) != 0)
			return -1;
		jws(j);
		if(j->p >= j->e)
			return jfail(j, "JSON: unterminated object");
		if(*j->p == '}') {
			j->p++;
			return 0;
		}
		if(*j->p != ',')
			return jfail(j, "JSON: expected ',' or '}'");
		j->p++;
	}
}

/** Parse a JSON event line. */
static enum ddg_evline_kind
parse_json(const char *s, size_t n, struct ddg_evrec *rec,
	const char **reason)
{
	struct jp j;
	struct jctx c;
	int a;
	size_t tl;

	rec_init(rec, DDG_EVREC_JSON);
	memset(&c, 0, sizeof(c));
	c.rec = rec;
	j.p = s;
	j.e = s + n;
	j.err = NULL;
	if(jobject(&j, 1, P_TOP, &c) != 0) {
		*reason = j.err ? j.err : "JSON: invalid";
		return DDG_EVLINE_BAD;
	}
	jws(&j);
	if(j.p != j.e) {
		*reason = "JSON: text after the object";
		return DDG_EVLINE_BAD;
	}
	if(!(c.have & (1u << F_MODULE)) ||
		strcmp(c.module, "dyndns_guard") != 0)
		return DDG_EVLINE_OTHER;
	if(!(c.have & (1u << F_TS))) {
		*reason = "missing @timestamp";
		return DDG_EVLINE_BAD;
	}
	tl = strlen(c.ts);
	if(ddg_time_parse_rfc3339(c.ts, tl, &rec->time_ms) != tl || !tl) {
		*reason = "invalid @timestamp";
		return DDG_EVLINE_BAD;
	}
	if(!(c.have & (1u << F_ACTION))) {
		*reason = "missing event.action";
		return DDG_EVLINE_BAD;
	}
	a = action_of(c.action, strlen(c.action));
	if(a < 0) {
		*reason = "unknown event.action";
		return DDG_EVLINE_BAD;
	}
	rec->action = (enum ddg_action)a;
	if(!(c.have & (1u << F_NAME))) {
		*reason = "missing dns.question.name";
		return DDG_EVLINE_BAD;
	}
	if(name_finish(rec->name) != 0) {
		*reason = "dns.question.name is not a DNS name";
		return DDG_EVLINE_BAD;
	}
	if(!(c.have & (1u << F_ZONE))) {
		*reason = "missing rule.name";
		return DDG_EVLINE_BAD;
	}
	if(name_finish(rec->zone) != 0) {
		*reason = "rule.name is not a DNS name";
		return DDG_EVLINE_BAD;
	}
	if(c.have & (1u << F_IP)) {
		if(set_client(rec, c.ip, strlen(c.ip)) != 0 ||
			strcmp(rec->client, "-") == 0) {
			*reason = "invalid source.ip";
			return DDG_EVLINE_BAD;
		}
	}
	if(c.have & (1u << F_MATCH)) {
		if(strcmp(c.match, "cname") == 0)
			rec->match_cname = 1;
		else if(strcmp(c.match, "qname") != 0) {
			*reason = "unknown dyndns_guard.match";
			return DDG_EVLINE_BAD;
		}
	}
	if(rec->qtype[0] == 0)
		fb_set(rec->qtype, "-");
	if(rec->category[0] == 0)
		fb_set(rec->category, "-");
	if(rec->network[0] == 0)
		fb_set(rec->network, "-");
	return DDG_EVLINE_EVENT;
}

/* ---- the text line ---- */

/** the marker of an event in Unbound's log */
static const char marker[] = "[dyndns-guard] action=";

/**
 * The time stamp at the start of a log line (before the marker at n).
 * @return 0 or -1.
 */
static int
prefix_time(const struct ddg_evparse_opts *opts, const char *p, size_t n,
	int64_t *ms)
{
	size_t i = 0, k;

	if(n > 0 && p[0] == '<') {
		/* syslog <PRI>, RFC 5424 version */
		for(i = 1; i < n && i < 5 && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if(i == 1 || i >= n || p[i] != '>')
			return -1;
		i++;
		if(i + 1 < n && p[i] == '1' && p[i + 1] == ' ')
			i += 2;
	}
	if(i < n && p[i] == '[') {
		int64_t v = 0;
		for(k = i + 1; k < n && k < i + 14 && p[k] >= '0' &&
			p[k] <= '9'; k++)
			v = v * 10 + (p[k] - '0');
		if(k == i + 1 || k >= n || p[k] != ']')
			return -1;
		*ms = v * 1000;
		return 0;
	}
	if(i < n && p[i] >= '0' && p[i] <= '9') {
		k = ddg_time_parse_rfc3339(p + i, n - i, ms);
		if(k == 0 || (i + k < n && p[i + k] != ' '))
			return -1;
		return 0;
	}
	k = bsd_time(p + i, n - i, opts->now_ms, ms);
	if(k == 0 || (i + k < n && p[i + k] != ' '))
		return -1;
	return 0;
}

/** text keys */
enum tkey {
	T_ACTION = 0, T_CLIENT, T_NETWORK, T_QNAME, T_QTYPE, T_ZONE,
	T_CATEGORY, T_MATCH, T_CACHED, T_OTHER
};

/** Copy a text value into a record field. */
static int
tcopy(char *dst, size_t cap, const char *v, size_t n, int lower)
{
	struct fbuf f;
	size_t i;

	fb_init(&f, dst, cap, lower);
	for(i = 0; i < n; i++)
		fb_byte(&f, (unsigned char)v[i]);
	return f.over ? -1 : 0;
}

/** Parse the key=value fields after the marker's "[dyndns-guard] ". */
static enum ddg_evline_kind
parse_fields(const char *s, size_t n, struct ddg_evrec *rec,
	const char **reason)
{
	static const char *keys[] = { "action", "client", "network", "qname",
		"qtype", "zone", "category", "match", "cached" };
	unsigned have = 0;
	size_t i = 0;

	while(i < n) {
		size_t start, eq, end, klen, vlen;
		const char *v;
		int key = T_OTHER, k;

		while(i < n && s[i] == ' ')
			i++;
		if(i >= n)
			break;
		start = i;
		while(i < n && s[i] != ' ')
			i++;
		end = i;
		for(eq = start; eq < end && s[eq] != '='; eq++)
			;
		if(eq == end) {
			*reason = "text line: a field without '='";
			return DDG_EVLINE_BAD;
		}
		klen = eq - start;
		v = s + eq + 1;
		vlen = end - eq - 1;
		for(k = 0; k < T_OTHER; k++)
			if(strlen(keys[k]) == klen &&
				memcmp(keys[k], s + start, klen) == 0) {
				key = k;
				break;
			}
		if(key == T_OTHER)
			continue; /* rcode, chain, list, later additions */
		if(vlen == 0) {
			*reason = "text line: an empty value";
			return DDG_EVLINE_BAD;
		}
		if(have & (1u << key)) {
			*reason = "text line: a field given twice";
			return DDG_EVLINE_BAD;
		}
		have |= 1u << key;
		switch(key) {
		case T_ACTION:
			k = action_of(v, vlen);
			if(k < 0) {
				*reason = "unknown action=";
				return DDG_EVLINE_BAD;
			}
			rec->action = (enum ddg_action)k;
			break;
		case T_CLIENT: {
			size_t h = vlen;
			if(!(vlen == 1 && v[0] == '-')) {
				while(h > 0 && v[h - 1] != '#')
					h--;
				if(h == 0) {
					*reason = "client= without #port";
					return DDG_EVLINE_BAD;
				}
				h--;
			}
			if(set_client(rec, v, h) != 0) {
				*reason = "invalid client=";
				return DDG_EVLINE_BAD;
			}
			break;
		}
		case T_NETWORK:
			if(tcopy(rec->network, sizeof(rec->network), v, vlen,
				0) != 0) {
				*reason = "network= too long";
				return DDG_EVLINE_BAD;
			}
			break;
		case T_QNAME:
			if(tcopy(rec->name, sizeof(rec->name), v, vlen, 1) !=
				0 || name_finish(rec->name) != 0) {
				*reason = "qname= is not a DNS name";
				return DDG_EVLINE_BAD;
			}
			break;
		case T_QTYPE:
			if(tcopy(rec->qtype, sizeof(rec->qtype), v, vlen, 0)
				!= 0) {
				*reason = "qtype= too long";
				return DDG_EVLINE_BAD;
			}
			break;
		case T_ZONE:
			if(tcopy(rec->zone, sizeof(rec->zone), v, vlen, 1) !=
				0 || name_finish(rec->zone) != 0) {
				*reason = "zone= is not a DNS name";
				return DDG_EVLINE_BAD;
			}
			break;
		case T_CATEGORY:
			if(tcopy(rec->category, sizeof(rec->category), v,
				vlen, 0) != 0) {
				*reason = "category= too long";
				return DDG_EVLINE_BAD;
			}
			break;
		case T_MATCH:
			if(vlen == 5 && memcmp(v, "cname", 5) == 0)
				rec->match_cname = 1;
			else if(!(vlen == 5 && memcmp(v, "qname", 5) == 0)) {
				*reason = "unknown match=";
				return DDG_EVLINE_BAD;
			}
			break;
		case T_CACHED:
			if(vlen == 3 && memcmp(v, "yes", 3) == 0)
				rec->cached = 1;
			else if(!(vlen == 2 && memcmp(v, "no", 2) == 0)) {
				*reason = "cached= is not yes or no";
				return DDG_EVLINE_BAD;
			}
			break;
		default:
			break;
		}
	}
	if(!(have & (1u << T_QNAME))) {
		*reason = "text line: no qname=";
		return DDG_EVLINE_BAD;
	}
	if(!(have & (1u << T_ZONE))) {
		*reason = "text line: no zone=";
		return DDG_EVLINE_BAD;
	}
	if(!(have & (1u << T_CLIENT))) {
		*reason = "text line: no client=";
		return DDG_EVLINE_BAD;
	}
	if(strcmp(rec->zone, "-") == 0) {
		*reason = "text line: zone=-";
		return DDG_EVLINE_BAD;
	}
	return DDG_EVLINE_EVENT;
}

/** Find needle (m bytes) in s (n bytes); NULL when absent. */
static const char *
find(const char *s, size_t n, const char *needle, size_t m)
{
	const char *p = s, *e = s + n;

	while((size_t)(e - p) >= m) {
		const char *q = memchr(p, needle[0], (size_t)(e - p) - m + 1);
		if(!q)
			return NULL;
		if(memcmp(q, needle, m) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

enum ddg_evline_kind
ddg_evparse_line(const struct ddg_evparse_opts *opts, const char *line,
	size_t len, struct ddg_evrec *rec, const char **reason)
{
	const char *dummy, *m, *p = line;
	size_t n = len;

	if(!reason)
		reason = &dummy;
	*reason = NULL;
	if(n > 0 && p[n - 1] == '\n')
		n--;
	if(n > 0 && p[n - 1] == '\r')
		n--;
	if(n > DDG_EVPARSE_MAXLINE) {
		*reason = "line too long";
		return DDG_EVLINE_BAD;
	}
	if(memchr(p, 0, n)) {
		*reason = "NUL byte";
		return DDG_EVLINE_BAD;
	}
	if(!utf8_valid((const unsigned char *)p, n)) {
		*reason = "invalid UTF-8";
		return DDG_EVLINE_BAD;
	}
	while(n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while(n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if(n == 0)
		return DDG_EVLINE_OTHER;
	if(*p == '{')
		return parse_json(p, n, rec, reason);
	m = find(p, n, marker, sizeof(marker) - 1);
	if(!m)
		return DDG_EVLINE_OTHER;
	rec_init(rec, DDG_EVREC_TEXT);
	if(prefix_time(opts, p, (size_t)(m - p), &rec->time_ms) != 0) {
		*reason = "no time stamp in the log line's prefix";
		return DDG_EVLINE_BAD;
	}
	m += sizeof("[dyndns-guard]");
	return parse_fields(m, n - (size_t)(m - p), rec, reason);
}
