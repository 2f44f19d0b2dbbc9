/**
 * \file compile.c
 * Text list parsers feeding the .dgl writer.  See compile.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "dyndns-guard/compile.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/list_write.h"
#include "dyndns-guard/name.h"

/** most tokens looked at on one line */
#define MAXTOK 16

/** a compilation */
struct ddg_compile {
	struct ddg_lw *lw;		/**< the writer */
	ddg_compile_msg_cb cb;		/**< messages */
	void *cbarg;			/**< its argument */
	uint64_t rej[DDG_REJ_MAX];	/**< rejects by reason */
	uint64_t accepted;		/**< names added */
	int created_set;		/**< created forced */
	uint64_t created;		/**< forced creation time */
	int dump_created_set;		/**< a dump gave #@created */
	uint64_t dump_created;		/**< that time */
	char **inputs;			/**< input names, by index */
	size_t ninputs;			/**< their count */
};

/** per-input parse state */
struct pstate {
	struct ddg_compile *c;	/**< the compilation */
	const char *name;	/**< input name */
	uint32_t input;		/**< input index */
	uint64_t lineno;	/**< current line */
	enum ddg_fmt fmt;	/**< the input's format */
	unsigned column;	/**< CSV column */
	uint16_t cat;		/**< default category index */
	uint64_t accepted;	/**< names from this input */
	uint64_t rejected;	/**< rejects from this input */
	/* RPZ state */
	uint8_t origin[DDG_NAME_MAXWIRE];	/**< $ORIGIN, wire */
	int have_origin;	/**< whether origin is set */
	char owner[DDG_NAME_MAXSTR];	/**< previous owner, text */
	int paren;		/**< open parentheses */
};

static const char *fmt_names[] = { "auto", "plain", "hosts", "adblock",
	"rpz", "dnsmasq", "csv", "dump" };

static const char *rej_names[DDG_REJ_MAX] = { "invalid name",
	"single-label name", "unrecognised line", "unsupported rule",
	"bad category", "missing column", "line too long" };

int
ddg_compile_fmt_parse(const char *s, enum ddg_fmt *f)
{
	size_t i;

	for(i = 0; i < sizeof(fmt_names) / sizeof(fmt_names[0]); i++) {
		if(strcmp(s, fmt_names[i]) == 0) {
			*f = (enum ddg_fmt)i;
			return DDG_OK;
		}
	}
	return DDG_ERR_INVAL;
}

const char *
ddg_compile_fmt_name(enum ddg_fmt f)
{
	if((size_t)f < sizeof(fmt_names) / sizeof(fmt_names[0]))
		return fmt_names[f];
	return "unknown";
}

const char *
ddg_compile_reject_name(enum ddg_reject r)
{
	if(r < DDG_REJ_MAX)
		return rej_names[r];
	return "unknown";
}

struct ddg_compile *
ddg_compile_new(void)
{
	struct ddg_compile *c = calloc(1, sizeof(*c));

	if(!c)
		return NULL;
	c->lw = ddg_lw_new();
	if(!c->lw) {
		free(c);
		return NULL;
	}
	return c;
}

void
ddg_compile_free(struct ddg_compile *c)
{
	size_t i;

	if(!c)
		return;
	ddg_lw_free(c->lw);
	for(i = 0; i < c->ninputs; i++)
		free(c->inputs[i]);
	free(c->inputs);
	free(c);
}

void
ddg_compile_set_msg(struct ddg_compile *c, ddg_compile_msg_cb cb, void *arg)
{
	c->cb = cb;
	c->cbarg = arg;
}

void
ddg_compile_set_created(struct ddg_compile *c, uint64_t created)
{
	c->created_set = 1;
	c->created = created;
}

uint64_t
ddg_compile_rejects(const struct ddg_compile *c, enum ddg_reject r)
{
	uint64_t t = 0;
	int i;

	if(r < DDG_REJ_MAX)
		return c->rej[r];
	for(i = 0; i < DDG_REJ_MAX; i++)
		t += c->rej[i];
	return t;
}

uint64_t
ddg_compile_accepted(const struct ddg_compile *c)
{
	return c->accepted;
}

/** reject the current line */
static void
reject(struct pstate *ps, enum ddg_reject r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
reject(struct pstate *ps, enum ddg_reject r, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	ps->c->rej[r]++;
	ps->rejected++;
	if(!ps->c->cb)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ps->c->cb(ps->c->cbarg, ps->name, ps->lineno, 0, msg);
}

/** print a token safely into a short buffer for messages */
static const char *
shown(const char *s, char *buf, size_t len)
{
	size_t i, o = 0;

	for(i = 0; s[i] && o + 5 < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if(ch < 0x20 || ch >= 0x7f) {
			snprintf(buf + o, len - o, "\\%03u", ch);
			o += 4;
		} else {
			buf[o++] = (char)ch;
		}
	}
	if(s[i] && o + 4 <= len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = 0;
	return buf;
}

/**
 * Convert a name token to wire form, checking the characters used.
 * Strips a leading "*." and a leading ".".  Reports rejects.
 * @return 1 on success, 0 if rejected.
 */
static int
name_token(struct pstate *ps, const char *tok, uint8_t *wire)
{
	const char *s = tok;
	size_t wl, i;
	int r;
	char b[80];

	if(s[0] == '*' && s[1] == '.')
		s += 2;
	else if(s[0] == '.' && s[1] != 0)
		s++;
	for(i = 0; s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];
		if(!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			(ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
			ch == '.' || ch == '\\')) {
			if(ch >= 0x21 && ch < 0x7f)
				reject(ps, DDG_REJ_INVALID_NAME, "invalid "
					"name '%s': bad character '%c'",
					shown(tok, b, sizeof(b)), ch);
			else
				reject(ps, DDG_REJ_INVALID_NAME, "invalid "
					"name '%s': bad character \\%03u",
					shown(tok, b, sizeof(b)), ch);
			return 0;
		}
		if(ch == '\\' && s[i + 1])
			i++;	/* escaped character: any */
	}
	r = ddg_name_from_str(s, wire, &wl);
	if(r == DDG_ERR_RANGE) {
		reject(ps, DDG_REJ_INVALID_NAME, "invalid name '%s': label "
			"over 63 or name over 255 bytes",
			shown(tok, b, sizeof(b)));
		return 0;
	}
	if(r != DDG_OK) {
		reject(ps, DDG_REJ_INVALID_NAME, "invalid name '%s': empty "
			"label or bad escape", shown(tok, b, sizeof(b)));
		return 0;
	}
	if(wire[0] == 0 || wire[wire[0] + 1] == 0) {
		reject(ps, DDG_REJ_SINGLE_LABEL, "single-label name '%s' "
			"(a TLD alone) not allowed", shown(tok, b, sizeof(b)));
		return 0;
	}
	return 1;
}

/** add an accepted name */
static int
add_name(struct pstate *ps, const uint8_t *wire, uint16_t cat)
{
	int r = ddg_lw_add(ps->c->lw, wire, cat,
		((uint64_t)ps->input << 40) | (ps->lineno & 0xffffffffffULL));
	if(r != DDG_OK)
		return r;
	ps->accepted++;
	ps->c->accepted++;
	return DDG_OK;
}

/** parse a name token and add it */
static int
take(struct pstate *ps, const char *tok)
{
	uint8_t wire[DDG_NAME_MAXWIRE];

	if(!name_token(ps, tok, wire))
		return DDG_OK;
	return add_name(ps, wire, ps->cat);
}

/**
 * Split a line (modified in place) into whitespace-separated tokens,
 * stopping at a comment character that starts a token.
 * @return the token count (at most MAXTOK).
 */
static int
tokenize(char *s, char **tok, const char *comment)
{
	int n = 0;

	while(*s && n < MAXTOK) {
		while(*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if(!*s || strchr(comment, *s))
			break;
		tok[n++] = s;
		while(*s && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
		if(*s)
			*s++ = 0;
	}
	return n;
}

/** whether a token is an IP address */
static int
is_addr(const char *s)
{
	unsigned char b[16];
	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/** hosts names that are not list entries */
static int
hosts_skip(const char *s)
{
	static const char *names[] = { "localhost", "localhost.localdomain",
		"local", "broadcasthost", "ip6-localhost", "ip6-loopback",
		"ip6-localnet", "ip6-mcastprefix", "ip6-allnodes",
		"ip6-allrouters", "ip6-allhosts", "0.0.0.0", NULL };
	int i;

	for(i = 0; names[i]; i++)
		if(strcasecmp(s, names[i]) == 0)
			return 1;
	return 0;
}

/** hosts line: tokens already split */
static int
parse_hosts(struct pstate *ps, char **tok, int n)
{
	int i, r;

	if(n < 2 || !is_addr(tok[0])) {
		reject(ps, DDG_REJ_UNKNOWN_LINE, "not a hosts line (ADDRESS "
			"NAME...)");
		return DDG_OK;
	}
	for(i = 1; i < n; i++) {
		if(hosts_skip(tok[i]))
			continue;
		if((r = take(ps, tok[i])) != DDG_OK)
			return r;
	}
	return DDG_OK;
}

/** adblock rule (trimmed line) */
static int
parse_adblock(struct pstate *ps, char *s)
{
	char *caret;

	if(s[0] == '@' && s[1] == '@') {
		reject(ps, DDG_REJ_UNSUPPORTED, "adblock exception rule not "
			"supported");
		return DDG_OK;
	}
	if(s[0] != '|' || s[1] != '|') {
		reject(ps, DDG_REJ_UNSUPPORTED, "adblock rule not of the form "
			"||name^");
		return DDG_OK;
	}
	s += 2;
	caret = strchr(s, '^');
	if(!caret || (caret[1] != 0 && strcmp(caret + 1, "$important") != 0
		&& strcmp(caret + 1, "|") != 0)) {
		reject(ps, DDG_REJ_UNSUPPORTED, "adblock rule not of the form "
			"||name^ (options or patterns are not supported)");
		return DDG_OK;
	}
	*caret = 0;
	return take(ps, s);
}

/** dnsmasq line (trimmed) */
static int
parse_dnsmasq(struct pstate *ps, char *s)
{
	char *p, *slash;
	int r, any = 0;

	if(strncmp(s, "address=", 8) == 0)
		p = s + 8;
	else if(strncmp(s, "server=", 7) == 0)
		p = s + 7;
	else if(strncmp(s, "local=", 6) == 0)
		p = s + 6;
	else {
		reject(ps, DDG_REJ_UNKNOWN_LINE, "not a dnsmasq address=/, "
			"server=/ or local=/ line");
		return DDG_OK;
	}
	if(*p != '/' || !strchr(p + 1, '/')) {
		reject(ps, DDG_REJ_UNSUPPORTED, "dnsmasq line without "
			"/domain/");
		return DDG_OK;
	}
	p++;
	/* domains: every field followed by another '/' */
	while((slash = strchr(p, '/')) != NULL) {
		*slash = 0;
		if(strcmp(p, "#") == 0) {
			reject(ps, DDG_REJ_UNSUPPORTED, "dnsmasq wildcard "
				"domain '#' not supported");
		} else if(*p == 0) {
			reject(ps, DDG_REJ_INVALID_NAME, "empty dnsmasq "
				"domain");
		} else if((r = take(ps, p)) != DDG_OK) {
			return r;
		}
		any = 1;
		p = slash + 1;
	}
	(void)any;
	return DDG_OK;
}

/** whether a token is an RR type we know */
static int
is_rrtype(const char *s)
{
	static const char *types[] = { "A", "AAAA", "CNAME", "DNAME", "SOA",
		"NS", "TXT", "MX", "PTR", "SRV", "HTTPS", "SVCB", "CAA", "DS",
		"DNSKEY", "RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "LOC", "NULL",
		NULL };
	int i;

	for(i = 0; types[i]; i++)
		if(strcasecmp(s, types[i]) == 0)
			return 1;
	return 0;
}

/** whether a token is a DNS class */
static int
is_class(const char *s)
{
	return strcasecmp(s, "IN") == 0 || strcasecmp(s, "CH") == 0 ||
		strcasecmp(s, "HS") == 0 || strcasecmp(s, "CS") == 0;
}

/** whether a token is a TTL (digits with optional unit letters) */
static int
is_ttl(const char *s)
{
	if(!(*s >= '0' && *s <= '9'))
		return 0;
	for(; *s; s++)
		if(!((*s >= '0' && *s <= '9') || strchr("smhdwSMHDW", *s)))
			return 0;
	return 1;
}

/** count parentheses outside quotes and comments */
static int
paren_delta(const char *s)
{
	int d = 0, q = 0;

	for(; *s; s++) {
		if(*s == '"')
			q = !q;
		else if(!q && *s == ';')
			break;
		else if(!q && *s == '(')
			d++;
		else if(!q && *s == ')')
			d--;
	}
	return d;
}

/**
 * RPZ line (raw, with its leading whitespace; modified).
 */
static int
parse_rpz(struct pstate *ps, char *line)
{
	char *tok[MAXTOK];
	int n, i = 0, lead, d;
	const char *owner, *type, *rdata;
	uint8_t wire[DDG_NAME_MAXWIRE];
	char trig[DDG_NAME_MAXSTR];
	char b[80];

	d = paren_delta(line);
	if(ps->paren > 0) {
		ps->paren += d;
		if(ps->paren < 0)
			ps->paren = 0;
		return DDG_OK;
	}
	lead = (line[0] == ' ' || line[0] == '\t');
	n = tokenize(line, tok, ";");
	if(n == 0)
		return DDG_OK;
	if(d > 0)
		ps->paren = d;
	if(tok[0][0] == '$') {
		if(strcasecmp(tok[0], "$ORIGIN") == 0) {
			size_t wl;
			if(n < 2 || ddg_name_from_str(tok[1], ps->origin,
				&wl) != DDG_OK) {
				reject(ps, DDG_REJ_INVALID_NAME, "bad $ORIGIN");
				return DDG_OK;
			}
			ps->have_origin = 1;
			return DDG_OK;
		}
		if(strcasecmp(tok[0], "$TTL") == 0)
			return DDG_OK;
		reject(ps, DDG_REJ_UNSUPPORTED, "unsupported directive %s",
			shown(tok[0], b, sizeof(b)));
		return DDG_OK;
	}
	if(lead || is_ttl(tok[0]) || is_class(tok[0]) || is_rrtype(tok[0])) {
		owner = ps->owner[0] ? ps->owner : "@";
	} else {
		owner = tok[0];
		i = 1;
		snprintf(ps->owner, sizeof(ps->owner), "%s", owner);
	}
	while(i < n && (is_ttl(tok[i]) || is_class(tok[i])))
		i++;
	if(i >= n || !is_rrtype(tok[i])) {
		reject(ps, DDG_REJ_UNKNOWN_LINE, "not an RPZ record (OWNER "
			"[TTL] [CLASS] TYPE RDATA)");
		return DDG_OK;
	}
	type = tok[i];
	rdata = i + 1 < n ? tok[i + 1] : "";
	if(strcmp(owner, "@") == 0)
		return DDG_OK;	/* apex: SOA, NS */
	if(strcasecmp(type, "SOA") == 0 || strcasecmp(type, "NS") == 0)
		return DDG_OK;
	if(strcasecmp(type, "CNAME") == 0) {
		if(strcasecmp(rdata, "rpz-passthru.") == 0) {
			reject(ps, DDG_REJ_UNSUPPORTED, "rpz-passthru "
				"(exception) rule not supported");
			return DDG_OK;
		}
		if(strcasecmp(rdata, "rpz-tcp-only.") == 0) {
			reject(ps, DDG_REJ_UNSUPPORTED, "rpz-tcp-only rule not "
				"supported");
			return DDG_OK;
		}
	} else if(strcasecmp(type, "A") != 0 && strcasecmp(type, "AAAA") != 0
		&& strcasecmp(type, "TXT") != 0) {
		reject(ps, DDG_REJ_UNSUPPORTED, "RPZ record type %s not "
			"supported", shown(type, b, sizeof(b)));
		return DDG_OK;
	}
	if(strstr(owner, ".rpz-") || strncmp(owner, "rpz-", 4) == 0) {
		reject(ps, DDG_REJ_UNSUPPORTED, "RPZ trigger '%s' (IP, NSDNAME "
			"or client) not supported", shown(owner, b, sizeof(b)));
		return DDG_OK;
	}
	/* absolute owner: strip the origin */
	snprintf(trig, sizeof(trig), "%s", owner);
	{
		size_t tl = strlen(trig);
		if(tl > 1 && trig[tl - 1] == '.' && trig[tl - 2] != '\\' &&
			ps->have_origin) {
			size_t wl;
			int nl, no, k;
			uint8_t *p = wire;
			if(!name_token(ps, trig, wire))
				return DDG_OK;
			(void)wl;
			nl = ddg_name_label_count(wire);
			no = ddg_name_label_count(ps->origin);
			if(nl <= no || !ddg_name_is_subdomain(wire,
				ps->origin)) {
				reject(ps, DDG_REJ_INVALID_NAME, "owner '%s' "
					"outside the zone origin",
					shown(owner, b, sizeof(b)));
				return DDG_OK;
			}
			/* cut: keep nl - no labels, terminate */
			for(k = 0; k < nl - no; k++)
				p += *p + 1;
			*p = 0;
			if(wire[wire[0] + 1] == 0) {
				reject(ps, DDG_REJ_SINGLE_LABEL, "single-label "
					"trigger '%s' (a TLD alone) not allowed",
					shown(owner, b, sizeof(b)));
				return DDG_OK;
			}
			return add_name(ps, wire, ps->cat);
		}
	}
	return take(ps, trig);
}

/** split a CSV line; return field col (1-based) into out, or 0 */
static int
csv_field(const char *s, unsigned col, char *out, size_t outlen)
{
	unsigned c = 1;
	size_t o = 0;

	while(c < col) {
		int q = 0;
		while(*s && (q || *s != ',')) {
			if(*s == '"')
				q = !q;
			s++;
		}
		if(!*s)
			return 0;
		s++;
		c++;
	}
	while(*s == ' ' || *s == '\t')
		s++;
	if(*s == '"') {
		s++;
		while(*s && o + 1 < outlen) {
			if(*s == '"') {
				if(s[1] == '"') {
					out[o++] = '"';
					s += 2;
					continue;
				}
				break;
			}
			out[o++] = *s++;
		}
	} else {
		while(*s && *s != ',' && o + 1 < outlen)
			out[o++] = *s++;
		while(o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t' ||
			out[o - 1] == '\r'))
			o--;
	}
	out[o] = 0;
	return 1;
}

/** parse a decimal uint64 */
static int
parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if(!*s)
		return 0;
	for(; *s; s++) {
		if(*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
			return 0;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 1;
}

/** dump line (trimmed) */
static int
parse_dump(struct pstate *ps, char *s)
{
	char *tok[MAXTOK];
	int n;
	uint16_t cat = ps->cat;
	uint8_t wire[DDG_NAME_MAXWIRE];
	char b[80];

	if(s[0] == '#') {
		if(strncmp(s, "#@created:", 10) == 0) {
			char *v = s + 10;
			uint64_t t;
			while(*v == ' ')
				v++;
			if(!parse_u64(v, &t)) {
				reject(ps, DDG_REJ_UNKNOWN_LINE, "bad #@created "
					"line");
				return DDG_OK;
			}
			if(!ps->c->dump_created_set) {
				ps->c->dump_created_set = 1;
				ps->c->dump_created = t;
			}
		} else if(strncmp(s, "#@source:", 9) == 0) {
			char *v = s + 9;
			if(*v == ' ')
				v++;
			return ddg_lw_add_source(ps->c->lw, v);
		}
		return DDG_OK;
	}
	n = tokenize(s, tok, "#");
	if(n == 0)
		return DDG_OK;
	if(n > 2) {
		reject(ps, DDG_REJ_UNKNOWN_LINE, "dump line not of the form "
			"NAME<TAB>CATEGORY");
		return DDG_OK;
	}
	if(n == 2) {
		int r = ddg_lw_category(ps->c->lw, tok[1], &cat);
		if(r == DDG_ERR_NOMEM)
			return r;
		if(r != DDG_OK) {
			reject(ps, DDG_REJ_BAD_CATEGORY, "bad category '%s'",
				shown(tok[1], b, sizeof(b)));
			return DDG_OK;
		}
	}
	if(!name_token(ps, tok[0], wire))
		return DDG_OK;
	return add_name(ps, wire, cat);
}

/** trim leading and trailing white space in place */
static char *
trim(char *s)
{
	size_t l;

	while(*s == ' ' || *s == '\t')
		s++;
	l = strlen(s);
	while(l > 0 && (s[l - 1] == ' ' || s[l - 1] == '\t' ||
		s[l - 1] == '\r' || s[l - 1] == '\n'))
		s[--l] = 0;
	return s;
}

/** one line, by format; line is NUL-terminated and modifiable */
static int
parse_line(struct pstate *ps, char *line)
{
	char *tok[MAXTOK];
	char *s;
	int n;

	if(ps->fmt == DDG_FMT_RPZ || (ps->fmt == DDG_FMT_AUTO &&
		ps->paren > 0))
		return parse_rpz(ps, line);
	s = trim(line);
	switch(ps->fmt) {
	case DDG_FMT_PLAIN:
		n = tokenize(s, tok, "#");
		if(n == 0)
			return DDG_OK;
		if(n > 1) {
			reject(ps, DDG_REJ_UNKNOWN_LINE, "more than one name "
				"on a plain-list line");
			return DDG_OK;
		}
		return take(ps, tok[0]);
	case DDG_FMT_HOSTS:
		n = tokenize(s, tok, "#");
		if(n == 0)
			return DDG_OK;
		return parse_hosts(ps, tok, n);
	case DDG_FMT_ADBLOCK:
		if(*s == 0 || *s == '!' || *s == '[' || *s == '#')
			return DDG_OK;
		return parse_adblock(ps, s);
	case DDG_FMT_DNSMASQ:
		if(*s == 0 || *s == '#')
			return DDG_OK;
		return parse_dnsmasq(ps, s);
	case DDG_FMT_CSV: {
		char f[DDG_COMPILE_MAXLINE + 1];
		uint8_t wire[DDG_NAME_MAXWIRE];
		size_t wl;
		if(*s == 0 || *s == '#')
			return DDG_OK;
		if(!csv_field(s, ps->column, f, sizeof(f))) {
			reject(ps, DDG_REJ_MISSING_COLUMN, "no column %u",
				ps->column);
			return DDG_OK;
		}
		if(ps->lineno == 1 && (ddg_name_from_str(f, wire, &wl) !=
			DDG_OK || strchr(f, ' ') || ddg_name_label_count(wire)
			< 2))
			return DDG_OK;	/* a header line */
		return take(ps, f);
	}
	case DDG_FMT_DUMP:
		return parse_dump(ps, s);
	case DDG_FMT_AUTO:
	case DDG_FMT_RPZ:
		break;
	}
	/* auto: decide by the line */
	if(*s == 0 || *s == '#' || *s == '!' || *s == '[' || *s == ';')
		return DDG_OK;
	if(*s == '|' || (s[0] == '@' && s[1] == '@'))
		return parse_adblock(ps, s);
	if(strncmp(s, "address=", 8) == 0 || strncmp(s, "server=", 7) == 0 ||
		strncmp(s, "local=", 6) == 0)
		return parse_dnsmasq(ps, s);
	if(*s == '$' || line[0] == ' ' || line[0] == '\t')
		return parse_rpz(ps, line);
	{
		char copy[DDG_COMPILE_MAXLINE + 1];
		snprintf(copy, sizeof(copy), "%s", s);
		n = tokenize(copy, tok, "#;");
		if(n == 0)
			return DDG_OK;
		if(is_addr(tok[0]))
			return parse_hosts(ps, tok, n);
		if(n == 1)
			return take(ps, tok[0]);
		if((n >= 2 && is_rrtype(tok[1])) || (n >= 3 &&
			is_rrtype(tok[2])) || (n >= 4 && is_rrtype(tok[3])))
			return parse_rpz(ps, line);
	}
	reject(ps, DDG_REJ_UNKNOWN_LINE, "unrecognised line (not a name, "
		"hosts, adblock, RPZ or dnsmasq line)");
	return DDG_OK;
}

/** hex of a digest */
static void
hex32(const uint8_t *md, char *out)
{
	static const char hx[] = "0123456789abcdef";
	int i;

	for(i = 0; i < 32; i++) {
		out[2 * i] = hx[md[i] >> 4];
		out[2 * i + 1] = hx[md[i] & 15];
	}
	out[64] = 0;
}

int
ddg_compile_add_buf(struct ddg_compile *c, const char *name,
	const char *buf, size_t len, enum ddg_fmt fmt, unsigned column,
	const char *category, char *err, size_t errlen)
{
	struct pstate *ps;
	size_t pos = 0;
	char line[DDG_COMPILE_MAXLINE + 2];
	const char *orig;
	size_t origlen;
	char **ni;
	int r = DDG_OK;

	if(err && errlen)
		err[0] = 0;
	if(fmt == DDG_FMT_CSV && column == 0) {
		snprintf(err, errlen, "%s: CSV column must be 1 or more", name);
		return DDG_ERR_INVAL;
	}
	ps = calloc(1, sizeof(*ps));
	if(!ps)
		return DDG_ERR_NOMEM;
	ps->c = c;
	ps->fmt = fmt;
	ps->column = column;
	r = ddg_lw_category(c->lw, category ? category : DDG_DEFAULT_CATEGORY,
		&ps->cat);
	if(r != DDG_OK) {
		if(r == DDG_ERR_INVAL)
			snprintf(err, errlen, "bad category '%s' (1..63 bytes "
				"of A-Z a-z 0-9 . _ -)", category);
		else
			snprintf(err, errlen, "%s", ddg_strerror(r));
		free(ps);
		return r;
	}
	ni = realloc(c->inputs, (c->ninputs + 1) * sizeof(*ni));
	if(!ni) {
		free(ps);
		return DDG_ERR_NOMEM;
	}
	c->inputs = ni;
	ni[c->ninputs] = strdup(name);
	if(!ni[c->ninputs]) {
		free(ps);
		return DDG_ERR_NOMEM;
	}
	ps->input = (uint32_t)c->ninputs++;
	ps->name = ni[ps->input];
	/* a UTF-8 byte order mark is not part of the first line */
	orig = buf;
	origlen = len;
	if(len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	/* the dump form is known by its first line */
	if(fmt == DDG_FMT_AUTO && len >= strlen(DDG_DUMP_HEADER) &&
		memcmp(buf, DDG_DUMP_HEADER, strlen(DDG_DUMP_HEADER)) == 0)
		ps->fmt = DDG_FMT_DUMP;
	while(pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		ps->lineno++;
		if(ll > DDG_COMPILE_MAXLINE) {
			reject(ps, DDG_REJ_LINE_TOO_LONG, "line longer than "
				"%d bytes", DDG_COMPILE_MAXLINE);
		} else if(memchr(buf + pos, 0, ll)) {
			reject(ps, DDG_REJ_UNKNOWN_LINE, "NUL byte in line");
		} else {
			memcpy(line, buf + pos, ll);
			line[ll] = 0;
			r = parse_line(ps, line);
			if(r != DDG_OK) {
				snprintf(err, errlen, "%s:%llu: %s", name,
					(unsigned long long)ps->lineno,
					ddg_strerror(r));
				break;
			}
		}
		pos += ll + (nl ? 1 : 0);
	}
	if(r == DDG_OK && ps->fmt != DDG_FMT_DUMP) {
		uint8_t md[32];
		char hx[65], src[DDG_COMPILE_MAXLINE];
		unsigned int mdlen = 0;
		if(!EVP_Digest(orig, origlen, md, &mdlen, EVP_sha256(),
			NULL)) {
			free(ps);
			return DDG_ERR_NOMEM;
		}
		hex32(md, hx);
		snprintf(src, sizeof(src), "%s format=%s lines=%llu names=%llu "
			"rejected=%llu sha256=%s", name,
			ddg_compile_fmt_name(fmt),
			(unsigned long long)ps->lineno,
			(unsigned long long)ps->accepted,
			(unsigned long long)ps->rejected, hx);
		r = ddg_lw_add_source(c->lw, src);
	}
	free(ps);
	return r;
}

int
ddg_compile_add_file(struct ddg_compile *c, const char *path,
	enum ddg_fmt fmt, unsigned column, const char *category, char *err,
	size_t errlen)
{
	int fd, r;
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if(strcmp(path, "-") == 0)
		fd = 0;
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if(fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			strerror(errno));
		return DDG_ERR_IO;
	}
	for(;;) {
		ssize_t n;
		if(cap - len < 65536) {
			char *nb;
			cap = cap ? cap * 2 : 1 << 20;
			nb = realloc(buf, cap);
			if(!nb) {
				free(buf);
				if(fd != 0)
					close(fd);
				snprintf(err, errlen, "%s: out of memory",
					path);
				return DDG_ERR_NOMEM;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if(n < 0) {
			if(errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: cannot read: %s", path,
				strerror(errno));
			free(buf);
			if(fd != 0)
				close(fd);
			return DDG_ERR_IO;
		}
		if(n == 0)
			break;
		len += (size_t)n;
	}
	if(fd != 0)
		close(fd);
	r = ddg_compile_add_buf(c, strcmp(path, "-") == 0 ? "(stdin)" : path,
		buf, len, fmt, column, category, err, errlen);
	free(buf);
	return r;
}

/** conflict callback context */
static void
conflict(void *arg, const uint8_t *wire, const char *kept_cat,
	uint64_t kept_tag, const char *dropped_cat, uint64_t dropped_tag)
{
	struct ddg_compile *c = arg;
	char nm[DDG_NAME_MAXSTR], msg[DDG_NAME_MAXSTR + 600];
	size_t ki = (size_t)(kept_tag >> 40), di = (size_t)(dropped_tag >> 40);

	if(!c->cb || ki >= c->ninputs || di >= c->ninputs)
		return;
	ddg_name_to_str(wire, nm, sizeof(nm));
	snprintf(msg, sizeof(msg), "%s given with category %s, keeping %s "
		"(first given at %s:%llu)", nm, dropped_cat, kept_cat,
		c->inputs[ki],
		(unsigned long long)(kept_tag & 0xffffffffffULL));
	c->cb(c->cbarg, c->inputs[di], dropped_tag & 0xffffffffffULL, 1, msg);
}

int
ddg_compile_finish(struct ddg_compile *c, uint64_t default_created,
	uint8_t **out, size_t *outlen, struct ddg_lw_stats *st)
{
	uint64_t t = default_created;

	if(c->created_set)
		t = c->created;
	else if(c->dump_created_set)
		t = c->dump_created;
	ddg_lw_set_created(c->lw, t);
	return ddg_lw_build(c->lw, conflict, c, out, outlen, st);
}
