/**
 * \file conf.c
 * The dyndns-guard.conf parser and printer.  See conf.h and
 * docs/configuration.md.
 *
 * Grammar, line by line: leading blanks are ignored; an empty line or one
 * starting with '#' is a comment.  The first other line must be the clause
 * header "dyndns-guard:"; every line after it is "key: value...", values
 * separated by blanks, bare or quoted ("..." or '...').  A '#' outside
 * quotes starts a comment.  A backslash makes the next byte part of the
 * value (the backslash is kept, so name escapes such as \. and \" survive).
 */
#include "ddg_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/file.h"
#include "dyndns-guard/name.h"

/** most values on one line */
#define MAXTOK 256

/** the parser state */
struct parser {
	/** file name for messages */
	const char *fname;
	/** directory (with trailing '/') that relative paths are joined to,
	 * or NULL */
	const char *basedir;
	/** current line number */
	int line;
	/** the configuration being filled */
	struct ddg_conf *conf;
	/** capacities of the arrays of conf */
	size_t cap_lists, cap_zones, cap_cats, cap_nets;
	/** client-network CIDRs so far, in all networks */
	size_t ncidrs;
	/** caller's message buffer */
	char *err;
	/** its size */
	size_t errlen;
};

/** a key and its handler */
struct keydef {
	/** the key without colon */
	const char *name;
	/** minimum number of values */
	int minv;
	/** maximum number of values */
	int maxv;
	/** handler; returns DDG_OK or an error after calling perr */
	int (*fn)(struct parser *p, const struct keydef *k, char **v, int n);
};

static int perr(struct parser *p, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Fill the error buffer with "FILE:LINE: message" and return code. */
static int
perr(struct parser *p, int code, const char *fmt, ...)
{
	char msg[DDG_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if(p->err && p->errlen)
		snprintf(p->err, p->errlen, "%s:%d: %s", p->fname, p->line,
			msg);
	return code;
}

/** Printable, shortened copy of a value for an error message. */
static const char *
show(const char *s, char *buf, size_t buflen)
{
	size_t o = 0;
	const unsigned char *u = (const unsigned char *)s;

	for(; *u && o + 5 < buflen; u++) {
		if(*u < 0x20 || *u >= 0x7f || *u == '\'') {
			int r = snprintf(buf + o, buflen - o, "\\%03u",
				(unsigned)*u);
			if(r < 0)
				break;
			o += (size_t)r;
		} else
			buf[o++] = (char)*u;
	}
	if(*u && buflen > 4 && o + 4 <= buflen) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o < buflen ? o : buflen - 1] = 0;
	return buf;
}

/** Strict compare of a value with a word. */
static int
is(const char *v, const char *w)
{
	return strcmp(v, w) == 0;
}

/** Parse an unsigned decimal number with an upper bound. */
static int
parse_uint(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if(!*s)
		return 0;
	for(; *s; s++) {
		if(*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
		if(v > max)
			return 0;
	}
	*out = (uint32_t)v;
	return 1;
}

/** Duplicate a string; NULL when out of memory. */
static char *
dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	char *r = malloc(n);

	if(r)
		memcpy(r, s, n);
	return r;
}

/** A path from the configuration, resolved against the base directory. */
static char *
resolve_path(struct parser *p, const char *v)
{
	size_t bl, vl;
	char *r;

	if(v[0] == '/' || !p->basedir)
		return dupstr(v);
	bl = strlen(p->basedir);
	vl = strlen(v);
	r = malloc(bl + vl + 1);
	if(!r)
		return NULL;
	memcpy(r, p->basedir, bl);
	memcpy(r + bl, v, vl + 1);
	return r;
}

/** Grow an array by one element if needed; capacity doubles. */
static int
grow(void **arr, size_t n, size_t *cap, size_t elsize)
{
	size_t nc;
	void *na;

	if(n < *cap)
		return 1;
	nc = *cap ? *cap * 2 : 4;
	na = realloc(*arr, nc * elsize);
	if(!na)
		return 0;
	*arr = na;
	*cap = nc;
	return 1;
}

const char *
ddg_action_name(enum ddg_action a)
{
	switch(a) {
	case DDG_ACTION_NONE: return "none";
	case DDG_ACTION_ALLOW: return "allow";
	case DDG_ACTION_OFF: return "off";
	case DDG_ACTION_LOG: return "log";
	case DDG_ACTION_SINKHOLE: return "sinkhole";
	case DDG_ACTION_BLOCK: return "block";
	}
	return "unknown";
}

int
ddg_action_from_str(const char *s, enum ddg_action *out)
{
	static const enum ddg_action all[] = { DDG_ACTION_NONE,
		DDG_ACTION_ALLOW, DDG_ACTION_OFF, DDG_ACTION_LOG,
		DDG_ACTION_SINKHOLE, DDG_ACTION_BLOCK };
	size_t i;

	if(!s)
		return DDG_ERR_INVAL;
	for(i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if(strcmp(s, ddg_action_name(all[i])) == 0) {
			*out = all[i];
			return DDG_OK;
		}
	}
	return DDG_ERR_INVAL;
}

/** Parse an action, accepting only the bits set in mask (1 << action). */
static int
parse_action(const char *s, unsigned mask, enum ddg_action *out)
{
	enum ddg_action a;

	if(ddg_action_from_str(s, &a) != DDG_OK || a == DDG_ACTION_NONE)
		return 0;
	if(!(mask & (1u << a)))
		return 0;
	*out = a;
	return 1;
}

/** action masks */
#define M(a) (1u << (a))
#define MASK_MODE (M(DDG_ACTION_LOG) | M(DDG_ACTION_BLOCK) | \
	M(DDG_ACTION_SINKHOLE) | M(DDG_ACTION_OFF))
#define MASK_ZONE (M(DDG_ACTION_LOG) | M(DDG_ACTION_BLOCK) | \
	M(DDG_ACTION_SINKHOLE) | M(DDG_ACTION_ALLOW))
#define MASK_CAT (MASK_ZONE | M(DDG_ACTION_OFF))

int
ddg_conf_parse_cidr(const char *s, struct ddg_conf_cidr *out)
{
	char addr[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	uint32_t prefix;
	int max, i;
	struct ddg_conf_cidr c;
	static const uint8_t mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };

	memset(&c, 0, sizeof(c));
	if(alen == 0 || alen >= sizeof(addr))
		return DDG_ERR_SYNTAX;
	memcpy(addr, s, alen);
	addr[alen] = 0;
	if(inet_pton(AF_INET, addr, c.addr) == 1) {
		c.family = AF_INET;
		max = 32;
	} else if(inet_pton(AF_INET6, addr, c.addr) == 1) {
		c.family = AF_INET6;
		max = 128;
	} else
		return DDG_ERR_SYNTAX;
	if(slash) {
		/* no leading zeros beyond "0", no sign */
		if(slash[1] == '0' && slash[2] != 0)
			return DDG_ERR_SYNTAX;
		if(!parse_uint(slash + 1, (uint32_t)max, &prefix))
			return DDG_ERR_SYNTAX;
	} else
		prefix = (uint32_t)max;
	c.prefix = (int)prefix;
	/* host bits must be zero */
	for(i = c.prefix; i < max; i++) {
		if(c.addr[i / 8] & (0x80 >> (i % 8)))
			return DDG_ERR_INVAL;
	}
	if(c.family == AF_INET6 && c.prefix >= 96 &&
		memcmp(c.addr, mapped, 12) == 0) {
		memmove(c.addr, c.addr + 12, 4);
		memset(c.addr + 4, 0, 12);
		c.family = AF_INET;
		c.prefix -= 96;
	}
	*out = c;
	return DDG_OK;
}

/* ---- key handlers ---- */

/** list: */
static int
k_list(struct parser *p, const struct keydef *k, char **v, int n)
{
	struct ddg_conf *c = p->conf;
	char *s;

	if(c->nlists >= DDG_CONF_MAX_ITEMS)
		return perr(p, DDG_ERR_RANGE, "too many list: lines");
	if(!*v[0])
		return perr(p, DDG_ERR_SYNTAX, "empty path for list");
	s = resolve_path(p, v[0]);
	if(!s || !grow((void **)&c->lists, c->nlists, &p->cap_lists,
		sizeof(char *))) {
		free(s);
		return perr(p, DDG_ERR_NOMEM, "out of memory");
	}
	c->lists[c->nlists++] = s;
	return DDG_OK;
}

/** mode: */
static int
k_mode(struct parser *p, const struct keydef *k, char **v, int n)
{
	char sb[80];

	if(!parse_action(v[0], MASK_MODE, &p->conf->mode))
		return perr(p, DDG_ERR_SYNTAX, "bad value '%s' for mode: "
			"expected log, block, sinkhole or off",
			show(v[0], sb, sizeof(sb)));
	return DDG_OK;
}

/** zone: */
static int
k_zone(struct parser *p, const struct keydef *k, char **v, int n)
{
	struct ddg_conf *c = p->conf;
	struct ddg_conf_zone z;
	char sb[80];
	int r;

	memset(&z, 0, sizeof(z));
	r = ddg_name_from_str(v[0], z.wire, &z.wire_len);
	if(r != DDG_OK)
		return perr(p, DDG_ERR_SYNTAX, "bad zone name '%s': %s",
			show(v[0], sb, sizeof(sb)), r == DDG_ERR_RANGE ?
			"label over 63 or name over 255 bytes" :
			"empty label or bad escape");
	if(z.wire_len == 1)
		return perr(p, DDG_ERR_SYNTAX, "bad zone name '%s': the root "
			"zone cannot have a zone: rule", show(v[0], sb,
			sizeof(sb)));
	ddg_name_tolower(z.wire);
	if(!parse_action(v[1], MASK_ZONE, &z.action))
		return perr(p, DDG_ERR_SYNTAX, "bad action '%s' for zone: "
			"expected log, block, sinkhole or allow",
			show(v[1], sb, sizeof(sb)));
	/* duplicates are found after the last line, see check_zones() */
	if(c->nzones >= DDG_CONF_MAX_ITEMS)
		return perr(p, DDG_ERR_RANGE, "too many zone: lines");
	if(!grow((void **)&c->zones, c->nzones, &p->cap_zones,
		sizeof(z)))
		return perr(p, DDG_ERR_NOMEM, "out of memory");
	z.line = p->line;
	c->zones[c->nzones++] = z;
	return DDG_OK;
}

/** category: */
static int
k_category(struct parser *p, const struct keydef *k, char **v, int n)
{
	struct ddg_conf *c = p->conf;
	struct ddg_conf_category cat;
	char sb[80];

	memset(&cat, 0, sizeof(cat));
	if(!ddg_name_category_ok(v[0], strlen(v[0])))
		return perr(p, DDG_ERR_SYNTAX, "bad category name '%s': "
			"expected 1 to 63 of A-Z a-z 0-9 _ . -",
			show(v[0], sb, sizeof(sb)));
	if(!parse_action(v[1], MASK_CAT, &cat.action))
		return perr(p, DDG_ERR_SYNTAX, "bad action '%s' for category: "
			"expected log, block, sinkhole, allow or off",
			show(v[1], sb, sizeof(sb)));
	/* duplicates are found after the last line, see check_dups() */
	if(c->ncategories >= DDG_CONF_MAX_ITEMS)
		return perr(p, DDG_ERR_RANGE, "too many category: lines");
	if(!grow((void **)&c->categories, c->ncategories,
		&p->cap_cats, sizeof(cat)))
		return perr(p, DDG_ERR_NOMEM, "out of memory");
	memcpy(cat.name, v[0], strlen(v[0]) + 1);
	cat.line = p->line;
	c->categories[c->ncategories++] = cat;
	return DDG_OK;
}

/** Add one CIDR text to a network being built (duplicates are found
 * after the last line, see check_dups()). */
static int
add_cidr(struct parser *p, struct ddg_conf_network *net, size_t *cap,
	const char *s)
{
	struct ddg_conf_cidr cidr;
	char sb[80];
	int r;

	r = ddg_conf_parse_cidr(s, &cidr);
	if(r == DDG_ERR_INVAL)
		return perr(p, DDG_ERR_SYNTAX, "bad network '%s' for "
			"client-network: host bits set", show(s, sb,
			sizeof(sb)));
	if(r != DDG_OK)
		return perr(p, DDG_ERR_SYNTAX, "bad value '%s' for "
			"client-network: expected an address or "
			"address/prefix, then optionally log, block, "
			"sinkhole or allow", show(s, sb, sizeof(sb)));
	if(net->ncidrs >= DDG_CONF_MAX_ITEMS)
		return perr(p, DDG_ERR_RANGE, "too many networks in "
			"client-network %s", net->name);
	if(p->ncidrs + net->ncidrs >= DDG_CONF_MAX_ITEMS)
		return perr(p, DDG_ERR_RANGE, "too many client-network "
			"prefixes (more than %d in all)", DDG_CONF_MAX_ITEMS);
	if(!grow((void **)&net->cidrs, net->ncidrs, cap, sizeof(cidr)))
		return perr(p, DDG_ERR_NOMEM, "out of memory");
	net->cidrs[net->ncidrs++] = cidr;
	return DDG_OK;
}

/** client-network: */
static int
k_network(struct parser *p, const struct keydef *k, char **v, int n)
{
	struct ddg_conf *c = p->conf;
	struct ddg_conf_network net;
	size_t cap = 0;
	char sb[80];
	int last = n, t, r;

	memset(&net, 0, sizeof(net));
	if(!ddg_name_category_ok(v[0], strlen(v[0])))
		return perr(p, DDG_ERR_SYNTAX, "bad client-network name '%s': "
			"expected 1 to 63 of A-Z a-z 0-9 _ . -",
			show(v[0], sb, sizeof(sb)));
	/* duplicate names are found after the last line, see check_dups() */
	memcpy(net.name, v[0], strlen(v[0]) + 1);
	net.line = p->line;
	net.action = DDG_ACTION_NONE;
	if(n >= 3 && strchr(v[n - 1], ',') == NULL &&
		strchr(v[n - 1], '.') == NULL && strchr(v[n - 1], ':') ==
		NULL) {
		/* the last value is no address: it must be the action */
		if(!parse_action(v[n - 1], MASK_ZONE, &net.action))
			return perr(p, DDG_ERR_SYNTAX, "bad action '%s' for "
				"client-network: expected log, block, "
				"sinkhole or allow", show(v[n - 1], sb,
				sizeof(sb)));
		last = n - 1;
	}
	for(t = 1; t < last; t++) {
		char *s = v[t], *comma;
		for(;;) {
			comma = strchr(s, ',');
			if(comma)
				*comma = 0;
			if(*s) {
				r = add_cidr(p, &net, &cap, s);
				if(r != DDG_OK) {
					free(net.cidrs);
					return r;
				}
			}
			/* empty elements ("a, b" or "a ,b") are skipped */
			if(!comma)
				break;
			s = comma + 1;
		}
	}
	if(net.ncidrs == 0) {
		free(net.cidrs);
		return perr(p, DDG_ERR_SYNTAX, "missing network for "
			"client-network %s", net.name);
	}
	if(c->nnetworks >= DDG_CONF_MAX_ITEMS) {
		free(net.cidrs);
		return perr(p, DDG_ERR_RANGE, "too many client-network: lines");
	}
	if(!grow((void **)&c->networks, c->nnetworks, &p->cap_nets,
		sizeof(net))) {
		free(net.cidrs);
		return perr(p, DDG_ERR_NOMEM, "out of memory");
	}
	c->networks[c->nnetworks++] = net;
	p->ncidrs += net.ncidrs;
	return DDG_OK;
}

/** block-rcode: */
static int
k_rcode(struct parser *p, const struct keydef *k, char **v, int n)
{
	char sb[80];

	if(is(v[0], "nxdomain"))
		p->conf->block_rcode = 3;
	else if(is(v[0], "refused"))
		p->conf->block_rcode = 5;
	else
		return perr(p, DDG_ERR_SYNTAX, "bad value '%s' for "
			"block-rcode: expected nxdomain or refused",
			show(v[0], sb, sizeof(sb)));
	return DDG_OK;
}

/** sinkhole-ipv4: */
static int
k_sink4(struct parser *p, const struct keydef *k, char **v, int n)
{
	char sb[80];

	if(inet_pton(AF_INET, v[0], &p->conf->sinkhole_ipv4) != 1)
		return perr(p, DDG_ERR_SYNTAX, "bad value '%s' for "
			"sinkhole-ipv4: expected an IPv4 address",
			show(v[0], sb, sizeof(sb)));
	return DDG_OK;
}

/** sinkhole-ipv6: */
static int
k_sink6(struct parser *p, const struct keydef *k, char **v, int n)
{
	char sb[80];

	if(inet_pton(AF_INET6, v[0], &p->conf->sinkhole_ipv6) != 1)
		return perr(p, DDG_ERR_SYNTAX, "bad value '%s' for "
			"sinkhole-ipv6: expected an IPv6 address",
			show(v[0], sb, sizeof(sb)));
	return DDG_OK;
}

/** answer-ttl: and reload-check: */
static int
k_seconds(struct parser *p, const struct keydef *k, char **v, int n)
{
	int ttl = (strcmp(k->name, "answer-ttl") == 0);
	uint32_t max = ttl ? DDG_CONF_MAX_TTL : DDG_CONF_MAX_RELOAD;
	uint32_t val;
	char sb[80];

	if(!parse_uint(v[0], max, &val))
		return perr(p, DDG_ERR_SYNTAX, "bad value '%s' for %s: expected seconds 0..%u",
			show(v[0], sb, sizeof(sb)), k->name, (unsigned)max);
	if(ttl)
		p->conf->answer_ttl = val;
	else
		p->conf->reload_check = val;
	return DDG_OK;
}

/** metrics-interval: */
static int
k_interval(struct parser *p, const struct keydef *k, char **v, int n)
{
	uint32_t val;
	char sb[80];

	if(!parse_uint(v[0], DDG_CONF_MAX_METRICS_INTERVAL, &val) || val == 0)
		return perr(p, DDG_ERR_SYNTAX, "bad value '%s' for %s: expected "
			"seconds 1..%u", show(v[0], sb, sizeof(sb)), k->name,
			(unsigned)DDG_CONF_MAX_METRICS_INTERVAL);
	p->conf->metrics_interval = val;
	return DDG_OK;
}

/** yes/no keys */
static int
k_bool(struct parser *p, const struct keydef *k, char **v, int n)
{
	struct ddg_conf *c = p->conf;
	char sb[80];
	int val;

	if(is(v[0], "yes"))
		val = 1;
	else if(is(v[0], "no"))
		val = 0;
	else
		return perr(p, DDG_ERR_SYNTAX, "bad value '%s' for %s: "
			"expected yes or no", show(v[0], sb, sizeof(sb)),
			k->name);
	if(is(k->name, "ede"))
		c->ede = val;
	else if(is(k->name, "check-cname"))
		c->check_cname = val;
	else if(is(k->name, "log-cache-hits"))
		c->log_cache_hits = val;
	else if(is(k->name, "log-text"))
		c->log_text = val;
	else
		c->require_signature = val;
	return DDG_OK;
}

/** fail-mode: */
static int
k_failmode(struct parser *p, const struct keydef *k, char **v, int n)
{
	char sb[80];

	if(is(v[0], "open"))
		p->conf->fail_mode = DDG_FAIL_OPEN;
	else if(is(v[0], "closed"))
		p->conf->fail_mode = DDG_FAIL_CLOSED;
	else
		return perr(p, DDG_ERR_SYNTAX, "bad value '%s' for fail-mode: "
			"expected open or closed", show(v[0], sb, sizeof(sb)));
	return DDG_OK;
}

/** single path keys: log-file:, public-key:, metrics-file: */
static int
k_path(struct parser *p, const struct keydef *k, char **v, int n)
{
	struct ddg_conf *c = p->conf;
	char **dst;
	char *s;

	if(is(k->name, "log-file"))
		dst = &c->log_file;
	else if(is(k->name, "public-key"))
		dst = &c->public_key;
	else
		dst = &c->metrics_file;
	if(!*v[0])
		return perr(p, DDG_ERR_SYNTAX, "empty path for %s", k->name);
	s = resolve_path(p, v[0]);
	if(!s)
		return perr(p, DDG_ERR_NOMEM, "out of memory");
	free(*dst);
	*dst = s;
	return DDG_OK;
}

/** the keys */
static const struct keydef keys[] = {
	{ "list", 1, 1, k_list },
	{ "mode", 1, 1, k_mode },
	{ "zone", 2, 2, k_zone },
	{ "category", 2, 2, k_category },
	{ "client-network", 2, MAXTOK, k_network },
	{ "block-rcode", 1, 1, k_rcode },
	{ "sinkhole-ipv4", 1, 1, k_sink4 },
	{ "sinkhole-ipv6", 1, 1, k_sink6 },
	{ "answer-ttl", 1, 1, k_seconds },
	{ "ede", 1, 1, k_bool },
	{ "check-cname", 1, 1, k_bool },
	{ "log-file", 1, 1, k_path },
	{ "log-cache-hits", 1, 1, k_bool },
	{ "log-text", 1, 1, k_bool },
	{ "fail-mode", 1, 1, k_failmode },
	{ "reload-check", 1, 1, k_seconds },
	{ "public-key", 1, 1, k_path },
	{ "require-signature", 1, 1, k_bool },
	{ "metrics-file", 1, 1, k_path },
	{ "metrics-interval", 1, 1, k_interval },
	{ NULL, 0, 0, NULL }
};

/** Whether c is a blank. */
static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/**
 * Split the value part of a line into NUL-terminated tokens written to
 * store (at least as large as the line plus one).  Returns the number of
 * tokens or a negative error after perr.
 */
static int
tokenize(struct parser *p, const char *s, size_t len, char *store,
	char **tok)
{
	size_t i = 0, o = 0;
	int n = 0;

	while(i < len) {
		char q;
		while(i < len && blank(s[i]))
			i++;
		if(i >= len || s[i] == '#')
			break;
		if(n >= MAXTOK)
			return perr(p, DDG_ERR_SYNTAX, "too many values");
		tok[n++] = store + o;
		if(s[i] == '"' || s[i] == '\'') {
			q = s[i++];
			for(;;) {
				if(i >= len)
					return perr(p, DDG_ERR_SYNTAX,
						"unterminated quote");
				if(s[i] == q)
					break;
				if(s[i] == '\\' && i + 1 < len)
					store[o++] = s[i++];
				store[o++] = s[i++];
			}
			i++;
			if(i < len && !blank(s[i]) && s[i] != '#')
				return perr(p, DDG_ERR_SYNTAX, "unexpected "
					"'%c' after closing quote", s[i]);
		} else {
			while(i < len && !blank(s[i]) && s[i] != '#') {
				if(s[i] == '"' || s[i] == '\'')
					return perr(p, DDG_ERR_SYNTAX,
						"unexpected quote inside a "
						"value (quote the whole "
						"value)");
				if(s[i] == '\\') {
					if(i + 1 >= len)
						return perr(p, DDG_ERR_SYNTAX,
							"backslash at the end "
							"of the line");
					store[o++] = s[i++];
				}
				store[o++] = s[i++];
			}
		}
		store[o++] = 0;
	}
	return n;
}

/** Parse one line (without newline).  *seen_clause tracks the header. */
static int
parse_line(struct parser *p, const char *s, size_t len, int *seen_clause,
	char *store, char **tok)
{
	size_t i = 0, ks, kl;
	const struct keydef *k;
	char key[40], sb[80];
	int n, r;

	while(i < len && blank(s[i]))
		i++;
	if(i >= len || s[i] == '#')
		return DDG_OK;
	ks = i;
	while(i < len && s[i] != ':' && !blank(s[i]) && s[i] != '#' &&
		s[i] != '"' && s[i] != '\'')
		i++;
	kl = i - ks;
	if(i >= len || s[i] != ':' || kl == 0) {
		size_t sl = len - ks < 60 ? len - ks : 60;
		char tmp[64];
		memcpy(tmp, s + ks, sl);
		tmp[sl] = 0;
		return perr(p, DDG_ERR_SYNTAX, "expected 'key: value', got "
			"'%s'", show(tmp, sb, sizeof(sb)));
	}
	i++; /* the colon */
	if(kl >= sizeof(key)) {
		memcpy(key, s + ks, sizeof(key) - 1);
		key[sizeof(key) - 1] = 0;
	} else {
		memcpy(key, s + ks, kl);
		key[kl] = 0;
	}
	n = tokenize(p, s + i, len - i, store, tok);
	if(n < 0)
		return n;
	if(kl < sizeof(key) && strcmp(key, "dyndns-guard") == 0) {
		if(n > 0)
			return perr(p, DDG_ERR_SYNTAX, "unexpected '%s' after "
				"dyndns-guard:", show(tok[0], sb, sizeof(sb)));
		*seen_clause = 1;
		return DDG_OK;
	}
	for(k = keys; k->name; k++) {
		if(kl < sizeof(key) && strcmp(k->name, key) == 0)
			break;
	}
	if(!k->name) {
		if(!*seen_clause && kl < sizeof(key) && strcmp(key,
			"server") == 0)
			return perr(p, DDG_ERR_SYNTAX, "this is an unbound.conf "
				"clause; expected 'dyndns-guard:'");
		return perr(p, DDG_ERR_SYNTAX, "unknown key '%s'",
			show(key, sb, sizeof(sb)));
	}
	if(!*seen_clause)
		return perr(p, DDG_ERR_SYNTAX, "'%s:' outside a clause; "
			"expected 'dyndns-guard:' first", k->name);
	if(n < k->minv)
		return perr(p, DDG_ERR_SYNTAX, "missing value for %s",
			k->name);
	if(n > k->maxv)
		return perr(p, DDG_ERR_SYNTAX, "unexpected '%s' after the "
			"value of %s", show(tok[k->maxv], sb, sizeof(sb)),
			k->name);
	r = k->fn(p, k, tok, n);
	return r;
}

struct ddg_conf *
ddg_conf_new_default(void)
{
	struct ddg_conf *c = calloc(1, sizeof(*c));

	if(!c)
		return NULL;
	c->mode = DDG_ACTION_LOG;
	c->block_rcode = 3;
	c->sinkhole_ipv4.s_addr = htonl(INADDR_ANY);
	c->sinkhole_ipv6 = in6addr_any;
	c->answer_ttl = 60;
	c->ede = 1;
	c->check_cname = 1;
	c->log_cache_hits = 1;
	c->log_text = 1;
	c->fail_mode = DDG_FAIL_OPEN;
	c->reload_check = 60;
	c->require_signature = 0;
	c->metrics_interval = 5;
	return c;
}

/** length of an optional string with its NUL */
static size_t
str_mem(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

size_t
ddg_conf_mem(const struct ddg_conf *c)
{
	size_t n, i;

	if(!c)
		return 0;
	n = sizeof(*c) + str_mem(c->path) + str_mem(c->log_file) +
		str_mem(c->public_key) + str_mem(c->metrics_file) +
		c->nlists * sizeof(*c->lists) +
		c->nzones * sizeof(*c->zones) +
		c->ncategories * sizeof(*c->categories) +
		c->nnetworks * sizeof(*c->networks);
	for(i = 0; i < c->nlists; i++)
		n += str_mem(c->lists[i]);
	for(i = 0; i < c->nnetworks; i++)
		n += c->networks[i].ncidrs * sizeof(*c->networks[i].cidrs);
	return n;
}

void
ddg_conf_free(struct ddg_conf *c)
{
	size_t i;

	if(!c)
		return;
	free(c->path);
	for(i = 0; i < c->nlists; i++)
		free(c->lists[i]);
	free(c->lists);
	free(c->zones);
	free(c->categories);
	for(i = 0; i < c->nnetworks; i++)
		free(c->networks[i].cidrs);
	free(c->networks);
	free(c->log_file);
	free(c->public_key);
	free(c->metrics_file);
	free(c);
}

/*
 * Duplicate checks.  Zones, categories, network names and CIDRs are each
 * sorted once (pointers to them; ties in array order, which is line
 * order), so a configuration of n entries is checked in O(n log n).  In a
 * run of equal keys the first element is the original and the second the
 * earliest repeat; of all runs the repeat with the smallest (line,
 * position) is reported, so the message is the one a line-by-line check
 * would have given first.
 */

/** the earliest duplicate found so far */
struct dup {
	/** 1 when one was found */
	int found;
	/** its line */
	int line;
	/** its position on that line: -1 the network name, else the index
	 * of the CIDR in its network; 0 for zones and categories */
	long pos;
	/** the message, without "FILE:LINE: " */
	char msg[DDG_ERR_LEN];
};

static void dup_note(struct dup *d, int line, long pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** Remember a duplicate if it comes before the one known. */
static void
dup_note(struct dup *d, int line, long pos, const char *fmt, ...)
{
	va_list ap;

	if(d->found && (d->line < line || (d->line == line && d->pos <= pos)))
		return;
	d->found = 1;
	d->line = line;
	d->pos = pos;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

/** Pointer order for ties: array order. */
static int
ptr_order(const void *x, const void *y)
{
	return (const char *)x < (const char *)y ? -1 : (x != y);
}

/** qsort order of zone pointers: length, bytes, then array order. */
static int
zone_ptr_cmp(const void *a, const void *b)
{
	const struct ddg_conf_zone *x = *(const struct ddg_conf_zone *const *)a;
	const struct ddg_conf_zone *y = *(const struct ddg_conf_zone *const *)b;
	int r;

	if(x->wire_len != y->wire_len)
		return x->wire_len < y->wire_len ? -1 : 1;
	r = memcmp(x->wire, y->wire, x->wire_len);
	return r ? r : ptr_order(x, y);
}

/** qsort order of category pointers: name, then array order. */
static int
cat_ptr_cmp(const void *a, const void *b)
{
	const struct ddg_conf_category *x =
		*(const struct ddg_conf_category *const *)a;
	const struct ddg_conf_category *y =
		*(const struct ddg_conf_category *const *)b;
	int r = strcmp(x->name, y->name);

	return r ? r : ptr_order(x, y);
}

/** qsort order of network pointers: name, then array order. */
static int
net_ptr_cmp(const void *a, const void *b)
{
	const struct ddg_conf_network *x =
		*(const struct ddg_conf_network *const *)a;
	const struct ddg_conf_network *y =
		*(const struct ddg_conf_network *const *)b;
	int r = strcmp(x->name, y->name);

	return r ? r : ptr_order(x, y);
}

/** A CIDR and where it is, for the CIDR duplicate check. */
struct cidr_at {
	/** the CIDR */
	const struct ddg_conf_cidr *c;
	/** index of its network */
	size_t net;
	/** its index in that network */
	size_t pos;
};

/** Whether two CIDRs are the same prefix. */
static int
same_cidr(const struct ddg_conf_cidr *a, const struct ddg_conf_cidr *b)
{
	return a->family == b->family && a->prefix == b->prefix &&
		memcmp(a->addr, b->addr, 16) == 0;
}

/** qsort order of CIDRs: family, prefix, address, then network and
 * position (configuration order). */
static int
cidr_at_cmp(const void *a, const void *b)
{
	const struct cidr_at *x = a, *y = b;
	int r;

	if(x->c->family != y->c->family)
		return x->c->family < y->c->family ? -1 : 1;
	if(x->c->prefix != y->c->prefix)
		return x->c->prefix < y->c->prefix ? -1 : 1;
	r = memcmp(x->c->addr, y->c->addr, 16);
	if(r)
		return r;
	if(x->net != y->net)
		return x->net < y->net ? -1 : 1;
	return x->pos < y->pos ? -1 : (x->pos > y->pos);
}

/** Repeated zone: rules.  Returns 0, or -1 when out of memory. */
static int
dup_zones(const struct ddg_conf *c, struct dup *d)
{
	const struct ddg_conf_zone **v;
	size_t i;

	if(c->nzones < 2)
		return 0;
	v = malloc(c->nzones * sizeof(*v));
	if(!v)
		return -1;
	for(i = 0; i < c->nzones; i++)
		v[i] = &c->zones[i];
	qsort(v, c->nzones, sizeof(*v), zone_ptr_cmp);
	for(i = 1; i < c->nzones; i++) {
		char buf[DDG_NAME_MAXSTR];
		if(v[i]->wire_len != v[i - 1]->wire_len || memcmp(v[i]->wire,
			v[i - 1]->wire, v[i]->wire_len) != 0)
			continue;
		/* the first repeat of a run; the rest of it comes later */
		if(i >= 2 && v[i - 2]->wire_len == v[i]->wire_len &&
			memcmp(v[i - 2]->wire, v[i]->wire,
			v[i]->wire_len) == 0)
			continue;
		if(d->found && d->line <= v[i]->line)
			continue;
		ddg_name_to_str(v[i]->wire, buf, sizeof(buf));
		dup_note(d, v[i]->line, 0, "duplicate zone '%s' (first on "
			"line %d)", buf, v[i - 1]->line);
	}
	free(v);
	return 0;
}

/** Repeated category: names.  Returns 0, or -1 when out of memory. */
static int
dup_categories(const struct ddg_conf *c, struct dup *d)
{
	const struct ddg_conf_category **v;
	size_t i;

	if(c->ncategories < 2)
		return 0;
	v = malloc(c->ncategories * sizeof(*v));
	if(!v)
		return -1;
	for(i = 0; i < c->ncategories; i++)
		v[i] = &c->categories[i];
	qsort(v, c->ncategories, sizeof(*v), cat_ptr_cmp);
	for(i = 1; i < c->ncategories; i++) {
		if(strcmp(v[i]->name, v[i - 1]->name) != 0 || (i >= 2 &&
			strcmp(v[i]->name, v[i - 2]->name) == 0))
			continue;
		dup_note(d, v[i]->line, 0, "duplicate category '%s' (first "
			"on line %d)", v[i]->name, v[i - 1]->line);
	}
	free(v);
	return 0;
}

/** Repeated client-network: names.  Returns 0, or -1 when out of
 * memory. */
static int
dup_network_names(const struct ddg_conf *c, struct dup *d)
{
	const struct ddg_conf_network **v;
	size_t i;

	if(c->nnetworks < 2)
		return 0;
	v = malloc(c->nnetworks * sizeof(*v));
	if(!v)
		return -1;
	for(i = 0; i < c->nnetworks; i++)
		v[i] = &c->networks[i];
	qsort(v, c->nnetworks, sizeof(*v), net_ptr_cmp);
	for(i = 1; i < c->nnetworks; i++) {
		if(strcmp(v[i]->name, v[i - 1]->name) != 0 || (i >= 2 &&
			strcmp(v[i]->name, v[i - 2]->name) == 0))
			continue;
		dup_note(d, v[i]->line, -1, "duplicate client-network '%s' "
			"(first on line %d)", v[i]->name, v[i - 1]->line);
	}
	free(v);
	return 0;
}

/** CIDRs given twice, in one network or in two.  Returns 0, or -1 when
 * out of memory. */
static int
dup_cidrs(const struct ddg_conf *c, size_t total, struct dup *d)
{
	struct cidr_at *v;
	size_t i, j, n = 0;

	if(total < 2)
		return 0;
	v = malloc(total * sizeof(*v));
	if(!v)
		return -1;
	for(i = 0; i < c->nnetworks; i++) {
		for(j = 0; j < c->networks[i].ncidrs && n < total; j++) {
			v[n].c = &c->networks[i].cidrs[j];
			v[n].net = i;
			v[n].pos = j;
			n++;
		}
	}
	qsort(v, n, sizeof(*v), cidr_at_cmp);
	for(i = 1; i < n; i++) {
		const struct ddg_conf_network *first = &c->networks[v[i - 1].net];
		const struct ddg_conf_network *rep = &c->networks[v[i].net];
		char ab[INET6_ADDRSTRLEN];
		if(!same_cidr(v[i].c, v[i - 1].c) || (i >= 2 &&
			same_cidr(v[i].c, v[i - 2].c)))
			continue;
		if(d->found && d->line < rep->line)
			continue;
		inet_ntop(v[i].c->family, v[i].c->addr, ab, sizeof(ab));
		if(first == rep)
			dup_note(d, rep->line, (long)v[i].pos, "duplicate "
				"network %s/%d in client-network %s", ab,
				v[i].c->prefix, rep->name);
		else
			dup_note(d, rep->line, (long)v[i].pos, "duplicate "
				"network %s/%d (already in client-network %s, "
				"line %d)", ab, v[i].c->prefix, first->name,
				first->line);
	}
	free(v);
	return 0;
}

/**
 * Find the earliest duplicate zone, category, network name or CIDR of
 * everything parsed so far.  Returns 1 with *d filled when there is one,
 * 0 when there is none, -1 when out of memory.
 */
static int
find_dups(struct parser *p, struct dup *d)
{
	memset(d, 0, sizeof(*d));
	if(dup_zones(p->conf, d) < 0 || dup_categories(p->conf, d) < 0 ||
		dup_network_names(p->conf, d) < 0 ||
		dup_cidrs(p->conf, p->ncidrs, d) < 0)
		return -1;
	return d->found;
}

/** After the last line: report the earliest duplicate, if any. */
static int
check_dups(struct parser *p)
{
	struct dup d;
	int r = find_dups(p, &d);

	if(r < 0)
		return perr(p, DDG_ERR_NOMEM, "out of memory");
	if(r == 0)
		return DDG_OK;
	p->line = d.line;
	return perr(p, DDG_ERR_SYNTAX, "%s", d.msg);
}

/**
 * Line errors: a duplicate on an earlier line is the first error of the
 * file, and wins over the error of the current line (code r, message in
 * p->err).  Returns the code to report.
 */
static int
earlier_dup(struct parser *p, int r)
{
	struct dup d;

	if(r == DDG_ERR_NOMEM || find_dups(p, &d) != 1 || d.line >= p->line)
		return r;
	p->line = d.line;
	return perr(p, DDG_ERR_SYNTAX, "%s", d.msg);
}

/**
 * Refuse text over the size or line limits before parsing it.  Returns
 * DDG_OK or DDG_ERR_RANGE with "FILE: reason" in err.
 */
static int
check_limits(const char *text, size_t len, const char *fname, char *err,
	size_t errlen)
{
	const char *s = text, *end = text + len;
	size_t lines = 0;

	if(len > DDG_CONF_MAXFILE) {
		if(err && errlen)
			snprintf(err, errlen, "%s: too large: %zu bytes (the "
				"limit is %u bytes, 10 MiB)", fname, len,
				DDG_CONF_MAXFILE);
		return DDG_ERR_RANGE;
	}
	while(s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if(++lines > DDG_CONF_MAXLINES) {
			if(err && errlen)
				snprintf(err, errlen, "%s: too many lines "
					"(the limit is %d)", fname,
					DDG_CONF_MAXLINES);
			return DDG_ERR_RANGE;
		}
		if(!nl)
			break;
		s = nl + 1;
	}
	return DDG_OK;
}

/** Parse with an explicit base directory for relative paths. */
static int
parse_text(const char *text, size_t len, const char *fname,
	const char *basedir, struct ddg_conf **out, char *err, size_t errlen)
{
	struct parser p;
	struct ddg_conf *c;
	char *store = NULL;
	char **tok = NULL;
	size_t pos = 0;
	int seen_clause = 0, r = DDG_OK;

	memset(&p, 0, sizeof(p));
	p.fname = fname ? fname : "dyndns-guard.conf";
	p.basedir = basedir;
	p.err = err;
	p.errlen = errlen;
	if(err && errlen)
		err[0] = 0;
	if(!text)
		len = 0;
	r = check_limits(text, len, p.fname, err, errlen);
	if(r != DDG_OK)
		return r;
	c = ddg_conf_new_default();
	store = malloc(DDG_CONF_MAXLINE + 2);
	tok = malloc(MAXTOK * sizeof(*tok));
	if(!c || !store || !tok) {
		r = perr(&p, DDG_ERR_NOMEM, "out of memory");
		goto fail;
	}
	p.conf = c;
	if(fname) {
		c->path = dupstr(fname);
		if(!c->path) {
			r = perr(&p, DDG_ERR_NOMEM, "out of memory");
			goto fail;
		}
	}
	while(pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
		p.line++;
		if(ll > DDG_CONF_MAXLINE) {
			r = perr(&p, DDG_ERR_SYNTAX, "line too long (over %d "
				"bytes)", DDG_CONF_MAXLINE);
			goto linefail;
		}
		if(memchr(text + pos, 0, ll)) {
			r = perr(&p, DDG_ERR_SYNTAX, "NUL byte in line");
			goto linefail;
		}
		/* CRLF line ends */
		r = parse_line(&p, text + pos, (ll > 0 && text[pos + ll - 1] ==
			'\r') ? ll - 1 : ll, &seen_clause, store, tok);
		if(r != DDG_OK)
			goto linefail;
		pos += ll + (nl ? 1 : 0);
	}
	r = check_dups(&p);
	if(r != DDG_OK)
		goto fail;
	if(!seen_clause) {
		if(p.line == 0)
			p.line = 1;
		r = perr(&p, DDG_ERR_SYNTAX, "no 'dyndns-guard:' clause");
		goto fail;
	}
	free(store);
	free(tok);
	*out = c;
	return DDG_OK;
linefail:
	r = earlier_dup(&p, r);
fail:
	free(store);
	free(tok);
	ddg_conf_free(c);
	return r;
}

int
ddg_conf_parse(const char *text, size_t len, const char *fname,
	struct ddg_conf **out, char *err, size_t errlen)
{
	char *base = NULL;
	int r;

	if(!out)
		return DDG_ERR_INVAL;
	if(fname && strchr(fname, '/')) {
		base = strndup(fname, ddg_path_dir_len(fname));
		if(!base) {
			if(err && errlen)
				snprintf(err, errlen, "%s: out of memory",
					fname);
			return DDG_ERR_NOMEM;
		}
	}
	r = parse_text(text, len, fname, base, out, err, errlen);
	free(base);
	return r;
}

int
ddg_conf_load(const char *path, struct ddg_conf **out, char *err,
	size_t errlen)
{
	char *text = NULL, *base = NULL, cwd[4096];
	struct stat st;
	size_t got = 0;
	int fd, r;

	if(!path || !out)
		return DDG_ERR_INVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if(fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return DDG_ERR_IO;
	}
	if(fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return DDG_ERR_IO;
	}
	if(!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return DDG_ERR_IO;
	}
	if((uint64_t)st.st_size > DDG_CONF_MAXFILE) {
		/* refused unread: a huge file is a mistake or an attack */
		snprintf(err, errlen, "%s: too large: %llu bytes (the limit "
			"is %u bytes, 10 MiB)", path,
			(unsigned long long)st.st_size, DDG_CONF_MAXFILE);
		close(fd);
		return DDG_ERR_RANGE;
	}
	text = malloc((size_t)st.st_size + 1);
	if(!text) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return DDG_ERR_NOMEM;
	}
	while(got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
		if(n < 0 && errno == EINTR)
			continue;
		if(n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(text);
			close(fd);
			return DDG_ERR_IO;
		}
		if(n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	/* relative paths are relative to the file's directory, made
	 * absolute */
	if(path[0] == '/')
		base = strndup(path, ddg_path_dir_len(path));
	else if(getcwd(cwd, sizeof(cwd))) {
		size_t cl = strlen(cwd), dl = ddg_path_dir_len(path);
		base = malloc(cl + 1 + dl + 1);
		if(base) {
			memcpy(base, cwd, cl);
			base[cl] = '/';
			memcpy(base + cl + 1, path, dl);
			base[cl + 1 + dl] = 0;
		}
	} else if(ddg_path_dir_len(path) > 0)
		base = strndup(path, ddg_path_dir_len(path));
	r = parse_text(text, got, path, base, out, err, errlen);
	free(base);
	free(text);
	return r;
}

/** Whether s holds the character q outside a backslash escape (as the
 * tokenizer reads it). */
static int
has_unescaped(const char *s, char q)
{
	for(; *s; s++) {
		if(*s == '\\' && s[1]) {
			s++;
			continue;
		}
		if(*s == q)
			return 1;
	}
	return 0;
}

/** Print a value quoted, with the quote character it does not hold. */
static void
print_quoted(FILE *out, const char *s)
{
	char q = has_unescaped(s, '"') ? '\'' : '"';

	fprintf(out, "%c%s%c", q, s, q);
}

int
ddg_conf_print(const struct ddg_conf *c, FILE *out)
{
	char buf[DDG_NAME_MAXSTR], ab[INET6_ADDRSTRLEN];
	size_t i, j;

	fprintf(out, "dyndns-guard:\n");
	fprintf(out, "\tmode: %s\n", ddg_action_name(c->mode));
	for(i = 0; i < c->nlists; i++) {
		fprintf(out, "\tlist: ");
		print_quoted(out, c->lists[i]);
		fputc('\n', out);
	}
	for(i = 0; i < c->nzones; i++) {
		int l = ddg_name_to_str(c->zones[i].wire, buf, sizeof(buf));
		if(l > 1 && buf[l - 1] == '.')
			buf[l - 1] = 0;
		fprintf(out, "\tzone: \"%s\" %s\n", buf,
			ddg_action_name(c->zones[i].action));
	}
	for(i = 0; i < c->ncategories; i++)
		fprintf(out, "\tcategory: %s %s\n", c->categories[i].name,
			ddg_action_name(c->categories[i].action));
	for(i = 0; i < c->nnetworks; i++) {
		const struct ddg_conf_network *n = &c->networks[i];
		fprintf(out, "\tclient-network: %s ", n->name);
		for(j = 0; j < n->ncidrs; j++) {
			inet_ntop(n->cidrs[j].family, n->cidrs[j].addr, ab,
				sizeof(ab));
			fprintf(out, "%s%s/%d", j ? "," : "", ab,
				n->cidrs[j].prefix);
		}
		if(n->action != DDG_ACTION_NONE)
			fprintf(out, " %s", ddg_action_name(n->action));
		fputc('\n', out);
	}
	fprintf(out, "\tblock-rcode: %s\n", c->block_rcode == 5 ? "refused" :
		"nxdomain");
	inet_ntop(AF_INET, &c->sinkhole_ipv4, ab, sizeof(ab));
	fprintf(out, "\tsinkhole-ipv4: %s\n", ab);
	inet_ntop(AF_INET6, &c->sinkhole_ipv6, ab, sizeof(ab));
	fprintf(out, "\tsinkhole-ipv6: %s\n", ab);
	fprintf(out, "\tanswer-ttl: %u\n", (unsigned)c->answer_ttl);
	fprintf(out, "\tede: %s\n", c->ede ? "yes" : "no");
	fprintf(out, "\tcheck-cname: %s\n", c->check_cname ? "yes" : "no");
	if(c->log_file) {
		fprintf(out, "\tlog-file: ");
		print_quoted(out, c->log_file);
		fputc('\n', out);
	}
	fprintf(out, "\tlog-cache-hits: %s\n", c->log_cache_hits ? "yes" :
		"no");
	fprintf(out, "\tlog-text: %s\n", c->log_text ? "yes" : "no");
	fprintf(out, "\tfail-mode: %s\n", c->fail_mode == DDG_FAIL_CLOSED ?
		"closed" : "open");
	fprintf(out, "\treload-check: %u\n", (unsigned)c->reload_check);
	if(c->public_key) {
		fprintf(out, "\tpublic-key: ");
		print_quoted(out, c->public_key);
		fputc('\n', out);
	}
	fprintf(out, "\trequire-signature: %s\n", c->require_signature ?
		"yes" : "no");
	if(c->metrics_file) {
		fprintf(out, "\tmetrics-file: ");
		print_quoted(out, c->metrics_file);
		fputc('\n', out);
	}
	fprintf(out, "\tmetrics-interval: %u\n", (unsigned)c->metrics_interval);
	if(fflush(out) != 0 || ferror(out))
		return DDG_ERR_IO;
	return DDG_OK;
}

/* ---------------------------------------------------------------- */
/* where the configuration is                                        */

const char *
ddg_conf_default_path(void)
{
	return DDG_SYSCONFDIR "/" DDG_CONF_FILE;
}

const char *
ddg_conf_find_path(const char *arg, enum ddg_conf_origin *origin)
{
	const char *env;
	enum ddg_conf_origin o;
	const char *p;

	if(arg) {
		o = DDG_CONF_FROM_ARG;
		p = arg;
	} else if((env = getenv(DDG_CONF_ENV)) != NULL && *env) {
		o = DDG_CONF_FROM_ENV;
		p = env;
	} else {
		o = DDG_CONF_FROM_DEFAULT;
		p = ddg_conf_default_path();
	}
	if(origin)
		*origin = o;
	return p;
}

const char *
ddg_conf_origin_name(enum ddg_conf_origin o)
{
	switch(o) {
	case DDG_CONF_FROM_ARG:
		return "command line";
	case DDG_CONF_FROM_ENV:
		return "$" DDG_CONF_ENV;
	case DDG_CONF_FROM_DEFAULT:
	default:
		return "default";
	}
}
