/**
 * \file policy.c
 * The decision engine: zone: rules, client networks, categories, mode and
 * the lists.  See policy.h for the precedence.
 *
 * Zone rules are kept lowercased, grouped by label count and sorted within
 * a group by wire length and bytes; the longest rule matching a name is
 * found by lowercasing the name once into a stack buffer and doing one
 * binary search (memcmp) per suffix of the name whose label count has a
 * group, longest suffix first.  Client-network CIDRs are kept per address family, sorted
 * by prefix length (longest first) and address; a lookup masks the address
 * once per distinct prefix length and binary-searches that run, so the
 * first hit is the longest prefix.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/policy.h"
#include "dyndns-guard/sfilter.h"

/** a zone: rule */
struct rule {
	/** zone, wire form, lowercase */
	uint8_t wire[DDG_NAME_MAXWIRE];
	/** its wire length */
	size_t wire_len;
	/** its label count */
	int labels;
	/** its action */
	enum ddg_action action;
	/** index in conf->zones */
	int conf_index;
	/** configuration line */
	int line;
};

/** a category: action */
struct cat {
	/** category name */
	char name[DDG_CONF_MAXNAME + 1];
	/** its action */
	enum ddg_action action;
};

/** a client network */
struct net {
	/** its name */
	char name[DDG_CONF_MAXNAME + 1];
	/** its action or NONE */
	enum ddg_action action;
};

/** one CIDR of either family (IPv4 uses the first 4 bytes) */
struct pfx {
	/** network address, host bits zero */
	uint8_t addr[16];
	/** prefix length */
	int prefix;
	/** index of the network */
	int net;
};

/** a run of CIDRs with the same prefix length */
struct run {
	/** the prefix length */
	int prefix;
	/** first index */
	size_t lo;
	/** one past the last index */
	size_t hi;
};

/** the CIDRs of one family */
struct family {
	/** address length: 4 or 16 */
	size_t alen;
	/** CIDRs sorted by prefix descending, then address */
	struct pfx *p;
	/** number of CIDRs */
	size_t n;
	/** runs of equal prefix length, longest first */
	struct run *runs;
	/** number of runs */
	size_t nruns;
};

/** the policy */
struct ddg_policy {
	/** mode: */
	enum ddg_action mode;
	/** zone: rules grouped by label count, then by wire length and
	 * bytes */
	struct rule *rules;
	/** number of rules */
	size_t nrules;
	/** rules with i labels are rules[group_lo[i]] .. rules[group_hi[i]-1]
	 * (empty when equal) */
	uint32_t group_lo[DDG_NAME_MAXWIRE / 2 + 1];
	/** see group_lo */
	uint32_t group_hi[DDG_NAME_MAXWIRE / 2 + 1];
	/** category: actions sorted by name */
	struct cat *cats;
	/** number of categories */
	size_t ncats;
	/** client networks in configuration order */
	struct net *nets;
	/** number of networks */
	size_t nnets;
	/** IPv4 CIDRs */
	struct family v4;
	/** IPv6 CIDRs */
	struct family v6;
	/** answer classes (bit per class) of the networks with an action */
	unsigned net_classes;
	/** suffix filter over the zone rules: most names are covered by
	 * none, and it says so without a search */
	struct ddg_sfilter rfilt;
};

static void exf(struct ddg_explain *ex, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Append one line to an explain collector (NULL: nothing). */
static void
exf(struct ddg_explain *ex, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int r;

	if(!ex || !ex->buf || ex->size == 0)
		return;
	if(ex->len + 1 >= ex->size) {
		ex->truncated = 1;
		return;
	}
	room = ex->size - ex->len;
	va_start(ap, fmt);
	r = vsnprintf(ex->buf + ex->len, room, fmt, ap);
	va_end(ap);
	if(r < 0) {
		ex->buf[ex->len] = 0;
		return;
	}
	if((size_t)r + 1 >= room) {
		/* cut; keep the line ended */
		ex->len = ex->size - 1;
		ex->buf[ex->len - 1] = '\n';
		ex->buf[ex->len] = 0;
		ex->truncated = 1;
		return;
	}
	ex->len += (size_t)r;
	ex->buf[ex->len++] = '\n';
	ex->buf[ex->len] = 0;
}

void
ddg_explain_init(struct ddg_explain *ex, char *buf, size_t size)
{
	ex->buf = buf;
	ex->size = size;
	ex->len = 0;
	ex->truncated = 0;
	if(buf && size)
		buf[0] = 0;
}

enum ddg_action
ddg_action_stricter(enum ddg_action a, enum ddg_action b)
{
	return a > b ? a : b;
}

const char *
ddg_reason_name(enum ddg_reason r)
{
	switch(r) {
	case DDG_REASON_NONE: return "no match";
	case DDG_REASON_ZONE_RULE: return "zone rule";
	case DDG_REASON_NETWORK: return "client network";
	case DDG_REASON_CATEGORY: return "category";
	case DDG_REASON_MODE: return "mode";
	}
	return "unknown";
}

/** The answer class bit of an action: normal, sinkhole or block. */
static unsigned
answer_class(enum ddg_action a)
{
	if(a == DDG_ACTION_BLOCK)
		return 4;
	if(a == DDG_ACTION_SINKHOLE)
		return 2;
	return 1;
}

/** qsort order of rules: label count, wire length, bytes. */
static int
rule_cmp(const void *a, const void *b)
{
	const struct rule *x = a, *y = b;

	if(x->labels != y->labels)
		return x->labels < y->labels ? -1 : 1;
	if(x->wire_len != y->wire_len)
		return x->wire_len < y->wire_len ? -1 : 1;
	return memcmp(x->wire, y->wire, x->wire_len);
}

/** qsort order of categories: by name. */
static int
cat_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cat *)a)->name,
		((const struct cat *)b)->name);
}

/** qsort order of CIDRs: prefix length descending, then address. */
static int
pfx_cmp16(const void *a, const void *b)
{
	const struct pfx *x = a, *y = b;

	if(x->prefix != y->prefix)
		return x->prefix > y->prefix ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

/** Build the sorted CIDR array and runs of one family. */
static int
build_family(struct family *f, size_t alen, const struct ddg_conf *conf,
	int family, char *err, size_t errlen)
{
	size_t i, j, n = 0;

	f->alen = alen;
	for(i = 0; i < conf->nnetworks; i++)
		for(j = 0; j < conf->networks[i].ncidrs; j++)
			if(conf->networks[i].cidrs[j].family == family)
				n++;
	if(n == 0)
		return DDG_OK;
	f->p = calloc(n, sizeof(*f->p));
	f->runs = calloc(n, sizeof(*f->runs));
	if(!f->p || !f->runs) {
		snprintf(err, errlen, "out of memory");
		return DDG_ERR_NOMEM;
	}
	for(i = 0; i < conf->nnetworks; i++) {
		for(j = 0; j < conf->networks[i].ncidrs; j++) {
			const struct ddg_conf_cidr *c =
				&conf->networks[i].cidrs[j];
			int max = family == AF_INET ? 32 : 128, b;
			if(c->family != family)
				continue;
			if(c->prefix < 0 || c->prefix > max) {
				snprintf(err, errlen, "client-network %s: bad "
					"prefix length %d",
					conf->networks[i].name, c->prefix);
				return DDG_ERR_INVAL;
			}
			memcpy(f->p[f->n].addr, c->addr, alen);
			/* clear host bits of hand-made input */
			for(b = c->prefix; b < max; b++)
				f->p[f->n].addr[b / 8] &= (uint8_t)~(0x80 >>
					(b % 8));
			f->p[f->n].prefix = c->prefix;
			f->p[f->n].net = (int)i;
			f->n++;
		}
	}
	if(f->n > 1)
		qsort(f->p, f->n, sizeof(*f->p), pfx_cmp16);
	for(i = 0; i < f->n; i++) {
		if(i > 0 && pfx_cmp16(&f->p[i - 1], &f->p[i]) == 0) {
			char ab[INET6_ADDRSTRLEN];
			inet_ntop(family, f->p[i].addr, ab, sizeof(ab));
			snprintf(err, errlen, "duplicate client network "
				"%s/%d (in %s and %s)", ab, f->p[i].prefix,
				conf->networks[f->p[i - 1].net].name,
				conf->networks[f->p[i].net].name);
			return DDG_ERR_INVAL;
		}
		if(f->nruns == 0 || f->runs[f->nruns - 1].prefix !=
			f->p[i].prefix) {
			f->runs[f->nruns].prefix = f->p[i].prefix;
			f->runs[f->nruns].lo = i;
			f->runs[f->nruns].hi = i + 1;
			f->nruns++;
		} else
			f->runs[f->nruns - 1].hi = i + 1;
	}
	return DDG_OK;
}

void
ddg_policy_free(struct ddg_policy *p)
{
	if(!p)
		return;
	ddg_sfilter_free(&p->rfilt);
	free(p->rules);
	free(p->cats);
	free(p->nets);
	free(p->v4.p);
	free(p->v4.runs);
	free(p->v6.p);
	free(p->v6.runs);
	free(p);
}

int
ddg_policy_new(const struct ddg_conf *conf, struct ddg_policy **out,
	char *err, size_t errlen)
{
	struct ddg_policy *p;
	char dummy[8];
	size_t i;
	int r;

	if(!err || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = 0;
	if(!conf || !out) {
		snprintf(err, errlen, "no configuration");
		return DDG_ERR_INVAL;
	}
	p = calloc(1, sizeof(*p));
	if(!p) {
		snprintf(err, errlen, "out of memory");
		return DDG_ERR_NOMEM;
	}
	p->mode = conf->mode;
	if(conf->nzones) {
		p->rules = calloc(conf->nzones, sizeof(*p->rules));
		if(!p->rules)
			goto nomem;
	}
	for(i = 0; i < conf->nzones; i++) {
		const struct ddg_conf_zone *z = &conf->zones[i];
		int l = ddg_name_wire_len(z->wire, sizeof(z->wire));
		if(l <= 1) {
			snprintf(err, errlen, "zone rule %zu: invalid name", i);
			r = DDG_ERR_INVAL;
			goto fail;
		}
		memcpy(p->rules[i].wire, z->wire, (size_t)l);
		p->rules[i].wire_len = (size_t)l;
		ddg_name_tolower(p->rules[i].wire);
		p->rules[i].labels = ddg_name_label_count(p->rules[i].wire);
		p->rules[i].action = z->action;
		p->rules[i].conf_index = (int)i;
		p->rules[i].line = z->line;
	}
	p->nrules = conf->nzones;
	if(p->nrules > 1)
		qsort(p->rules, p->nrules, sizeof(*p->rules), rule_cmp);
	for(i = 1; i < p->nrules; i++) {
		if(rule_cmp(&p->rules[i - 1], &p->rules[i]) == 0) {
			char buf[DDG_NAME_MAXSTR];
			ddg_name_to_str(p->rules[i].wire, buf, sizeof(buf));
			snprintf(err, errlen, "duplicate zone rule %s", buf);
			r = DDG_ERR_INVAL;
			goto fail;
		}
	}
	for(i = 0; i < p->nrules; i++) {
		int lab = p->rules[i].labels;
		if(p->group_lo[lab] == p->group_hi[lab])
			p->group_lo[lab] = (uint32_t)i;
		p->group_hi[lab] = (uint32_t)i + 1;
	}
	if(ddg_sfilter_init(&p->rfilt, p->nrules) != DDG_OK)
		goto nomem;
	for(i = 0; i < p->nrules; i++)
		ddg_sfilter_add_wire(&p->rfilt, p->rules[i].wire);
	if(conf->ncategories) {
		p->cats = calloc(conf->ncategories, sizeof(*p->cats));
		if(!p->cats)
			goto nomem;
	}
	for(i = 0; i < conf->ncategories; i++) {
		snprintf(p->cats[i].name, sizeof(p->cats[i].name), "%s",
			conf->categories[i].name);
		p->cats[i].action = conf->categories[i].action;
	}
	p->ncats = conf->ncategories;
	if(p->ncats > 1)
		qsort(p->cats, p->ncats, sizeof(*p->cats), cat_cmp);
	for(i = 1; i < p->ncats; i++) {
		if(cat_cmp(&p->cats[i - 1], &p->cats[i]) == 0) {
			snprintf(err, errlen, "duplicate category %s",
				p->cats[i].name);
			r = DDG_ERR_INVAL;
			goto fail;
		}
	}
	if(conf->nnetworks) {
		p->nets = calloc(conf->nnetworks, sizeof(*p->nets));
		if(!p->nets)
			goto nomem;
	}
	for(i = 0; i < conf->nnetworks; i++) {
		snprintf(p->nets[i].name, sizeof(p->nets[i].name), "%s",
			conf->networks[i].name);
		p->nets[i].action = conf->networks[i].action;
		if(p->nets[i].action != DDG_ACTION_NONE)
			p->net_classes |= answer_class(p->nets[i].action);
	}
	p->nnets = conf->nnetworks;
	r = build_family(&p->v4, 4, conf, AF_INET, err, errlen);
	if(r != DDG_OK)
		goto fail;
	r = build_family(&p->v6, 16, conf, AF_INET6, err, errlen);
	if(r != DDG_OK)
		goto fail;
	*out = p;
	return DDG_OK;
nomem:
	snprintf(err, errlen, "out of memory");
	r = DDG_ERR_NOMEM;
fail:
	ddg_policy_free(p);
	return r;
}

/** Longest-prefix match in one family; returns the CIDR or NULL. */
static const struct pfx *
family_lookup(const struct family *f, const uint8_t *addr)
{
	size_t r;

	for(r = 0; r < f->nruns; r++) {
		uint8_t key[16];
		int pl = f->runs[r].prefix, i;
		size_t lo = f->runs[r].lo, hi = f->runs[r].hi;
		memcpy(key, addr, f->alen);
		for(i = pl; i < (int)f->alen * 8; i++)
			key[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
		/* binary search of key in [lo, hi) */
		while(lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = memcmp(f->p[mid].addr, key, f->alen);
			if(c == 0)
				return &f->p[mid];
			if(c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return NULL;
}

/** Find the client's CIDR; NULL when in no network or no client. */
static const struct pfx *
client_lookup(const struct ddg_policy *p, const struct sockaddr *sa,
	int *family, uint8_t *addr)
{
	if(!p || !sa)
		return NULL;
	if(sa->sa_family == AF_INET) {
		struct sockaddr_in sin;
		memcpy(&sin, sa, sizeof(sin));
		memcpy(addr, &sin.sin_addr, 4);
		*family = AF_INET;
		return family_lookup(&p->v4, addr);
	}
	if(sa->sa_family == AF_INET6) {
		struct sockaddr_in6 sin6;
		memcpy(&sin6, sa, sizeof(sin6));
		if(IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr)) {
			memcpy(addr, sin6.sin6_addr.s6_addr + 12, 4);
			*family = AF_INET;
			return family_lookup(&p->v4, addr);
		}
		memcpy(addr, sin6.sin6_addr.s6_addr, 16);
		*family = AF_INET6;
		return family_lookup(&p->v6, addr);
	}
	return NULL;
}

int
ddg_policy_network(const struct ddg_policy *p, const struct sockaddr *client)
{
	uint8_t addr[16];
	int fam = 0;
	const struct pfx *x = client_lookup(p, client, &fam, addr);

	return x ? x->net : -1;
}

const char *
ddg_policy_network_name(const struct ddg_policy *p,
	const struct sockaddr *client)
{
	int n = ddg_policy_network(p, client);

	return n >= 0 ? p->nets[n].name : NULL;
}

size_t
ddg_policy_network_count(const struct ddg_policy *p)
{
	return p ? p->nnets : 0;
}

/** The longest zone rule covering qname (wire length wl), or NULL; *off
 * is its offset. */
static const struct rule *
rule_lookup(const struct ddg_policy *p, const uint8_t *qname, size_t wl,
	size_t *off)
{
	struct ddg_sfilter_hit hit;
	uint8_t lc[DDG_NAME_MAXWIRE];
	size_t i;
	int d;

	if(p->nrules == 0 ||
		ddg_sfilter_probe(&p->rfilt, qname, wl, &hit) <= 0)
		return NULL;
	for(i = 0; i < wl; i++)
		lc[i] = (qname[i] >= 'A' && qname[i] <= 'Z') ?
			(uint8_t)(qname[i] + ('a' - 'A')) : qname[i];
	/* the candidate suffixes, longest first */
	for(d = hit.labels; d >= 1; d--) {
		size_t lo = p->group_lo[d], hi = p->group_hi[d];
		size_t o = hit.off[hit.labels - d], len = wl - o;
		if(!(hit.cand[(d - 1) >> 6] & (1ULL << ((d - 1) & 63))))
			continue;
		while(lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			const struct rule *r = &p->rules[mid];
			int c;
			if(r->wire_len != len)
				c = r->wire_len < len ? -1 : 1;
			else
				c = memcmp(r->wire, lc + o, len);
			if(c == 0) {
				*off = o;
				return r;
			}
			if(c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return NULL;
}

/** The category: action of a category name, or NONE. */
static enum ddg_action
cat_lookup(const struct ddg_policy *p, const char *name)
{
	size_t lo = 0, hi = p->ncats;

	if(!name)
		return DDG_ACTION_NONE;
	while(lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(p->cats[mid].name, name);
		if(c == 0)
			return p->cats[mid].action;
		if(c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return DDG_ACTION_NONE;
}

/** Explain: the presentation form of a wire name. */
static const char *
nstr(const uint8_t *wire, char *buf, size_t len)
{
	if(ddg_name_to_str(wire, buf, len) < 0 && len)
		buf[len - 1] = 0;
	return buf;
}

/** Explain: the client and its network. */
static void
explain_client(const struct ddg_policy *p, const struct sockaddr *client,
	const struct pfx *x, int fam, const uint8_t *addr,
	struct ddg_explain *ex)
{
	char ab[INET6_ADDRSTRLEN], nb[INET6_ADDRSTRLEN];

	if(!client) {
		exf(ex, "client: none given; no client network applies");
		return;
	}
	if(client->sa_family != AF_INET && client->sa_family != AF_INET6) {
		exf(ex, "client: unsupported address family %d; no client "
			"network applies", (int)client->sa_family);
		return;
	}
	inet_ntop(fam, addr, ab, sizeof(ab));
	if(!x) {
		exf(ex, "client: %s is in no client network (%zu defined)",
			ab, p->nnets);
		return;
	}
	inet_ntop(fam, x->addr, nb, sizeof(nb));
	if(p->nets[x->net].action != DDG_ACTION_NONE)
		exf(ex, "client: %s is in client network %s (longest "
			"prefix %s/%d), whose action is %s", ab,
			p->nets[x->net].name, nb, x->prefix,
			ddg_action_name(p->nets[x->net].action));
	else
		exf(ex, "client: %s is in client network %s (longest "
			"prefix %s/%d), which has no action", ab,
			p->nets[x->net].name, nb, x->prefix);
}

int
ddg_policy_may_match(const struct ddg_policy *p,
	const struct ddg_list *const *lists, size_t nlists,
	const uint8_t *qname, size_t qname_len)
{
	struct ddg_sfilter_hit hit;
	size_t i;
	int valid = 0;

	if(!p || !qname)
		return 1;
	if(p->nrules) {
		if(ddg_sfilter_probe(&p->rfilt, qname, qname_len, &hit) != 0)
			return 1;
		valid = 1;
	}
	for(i = 0; i < nlists; i++) {
		if(!lists || !lists[i])
			continue;
		if(ddg_list_may_match(lists[i], qname, qname_len) != 0)
			return 1;
		valid = 1;
	}
	/* nothing probed: still an invalid name must reach decide */
	return valid ? 0 : ddg_name_wire_len(qname, qname_len) < 0;
}

int
ddg_policy_decide(const struct ddg_policy *p,
	const struct ddg_list *const *lists, size_t nlists,
	const struct sockaddr *client, const uint8_t *qname, size_t qname_len,
	struct ddg_decision *d, struct ddg_explain *ex)
{
	const struct rule *rule = NULL;
	const struct pfx *cx;
	struct ddg_list_match best, m;
	enum ddg_action fallback, cat_action;
	size_t roff = 0, i;
	int best_list = -1, rule_labels = -1, fam = 0, wl, r;
	uint8_t addr[16];
	char nb[DDG_NAME_MAXSTR];

	memset(d, 0, sizeof(*d));
	d->list_index = -1;
	d->rule_index = -1;
	d->network = -1;
	memset(&best, 0, sizeof(best));
	if(!p || !qname)
		return DDG_ERR_INVAL;
	wl = ddg_name_wire_len(qname, qname_len);
	if(wl < 0) {
		exf(ex, "query name: not a valid wire-form name");
		return DDG_ERR_SYNTAX;
	}
	if(ex)
		exf(ex, "query name: %s", nstr(qname, nb, sizeof(nb)));

	/* the client network: now for an explanation, else only once a
	 * name matched (most names do not) */
	cx = NULL;
	if(ex) {
		cx = client_lookup(p, client, &fam, addr);
		explain_client(p, client, cx, fam, addr, ex);
	}

	/* the longest zone: rule */
	rule = rule_lookup(p, qname, (size_t)wl, &roff);
	if(rule) {
		rule_labels = rule->labels;
		if(ex)
			exf(ex, "zone rules: %s %s (line %d) matches, %d "
				"label%s", nstr(rule->wire, nb, sizeof(nb)),
				ddg_action_name(rule->action), rule->line,
				rule->labels, rule->labels == 1 ? "" : "s");
	} else if(ex) {
		if(p->nrules)
			exf(ex, "zone rules: none of %zu matches", p->nrules);
		else
			exf(ex, "zone rules: none configured");
	}

	/* the longest list entry across the lists; ties: earlier list */
	for(i = 0; i < nlists; i++) {
		if(!lists || !lists[i]) {
			exf(ex, "list #%zu: not loaded, skipped", i + 1);
			continue;
		}
		r = ddg_list_match(lists[i], qname, (size_t)wl, &m);
		if(r < 0) {
			exf(ex, "query name: rejected by list #%zu", i + 1);
			return DDG_ERR_SYNTAX;
		}
		if(r == 0) {
			exf(ex, "list #%zu: no match", i + 1);
			continue;
		}
		if(ex)
			exf(ex, "list #%zu: entry %u matches zone %s, %d "
				"label%s, category %s", i + 1,
				(unsigned)m.entry, nstr(qname + m.zone_off, nb,
				sizeof(nb)), m.zone_labels,
				m.zone_labels == 1 ? "" : "s",
				m.category_name ? m.category_name : "?");
		if(best_list < 0 || m.zone_labels > best.zone_labels) {
			best = m;
			best_list = (int)i;
		}
	}
	if(nlists == 0)
		exf(ex, "lists: none loaded");

	if(!rule && best_list < 0) {
		exf(ex, "decision: no zone rule and no list entry match: "
			"answered normally, no event");
		exf(ex, "result: %s", ddg_action_name(DDG_ACTION_NONE));
		return 0;
	}
	d->matched = 1;
	if(!ex)
		cx = client_lookup(p, client, &fam, addr);
	if(cx) {
		d->network = cx->net;
		d->network_name = p->nets[cx->net].name;
	}
	if(rule && rule_labels >= best.zone_labels) {
		d->from_rule = 1;
		d->action = rule->action;
		d->reason = DDG_REASON_ZONE_RULE;
		d->zone_off = roff;
		d->zone_labels = rule->labels;
		d->category = DDG_CATEGORY_ZONE_RULE;
		d->rule_index = rule->conf_index;
		if(ex) {
			if(best_list >= 0)
				exf(ex, "winner: the zone rule (%d label%s) "
					"over list #%d (%d label%s): %s",
					rule_labels, rule_labels == 1 ? "" :
					"s", best_list + 1, best.zone_labels,
					best.zone_labels == 1 ? "" : "s",
					rule_labels == best.zone_labels ?
					"equal length, the zone rule wins ties"
					: "longer match");
			else
				exf(ex, "winner: the zone rule (no list entry "
					"matches)");
			exf(ex, "action: a zone rule's own action is final: "
				"%s", ddg_action_name(rule->action));
			exf(ex, "varies by client: no");
			exf(ex, "result: %s", ddg_action_name(d->action));
		}
		return 1;
	}

	/* a list entry decides */
	d->from_rule = 0;
	d->zone_off = best.zone_off;
	d->zone_labels = best.zone_labels;
	d->category = best.category_name;
	d->list_index = best_list;
	d->entry = best.entry;
	cat_action = cat_lookup(p, best.category_name);
	fallback = cat_action != DDG_ACTION_NONE ? cat_action : p->mode;
	if(cx && p->nets[cx->net].action != DDG_ACTION_NONE) {
		d->action = p->nets[cx->net].action;
		d->reason = DDG_REASON_NETWORK;
	} else if(cat_action != DDG_ACTION_NONE) {
		d->action = cat_action;
		d->reason = DDG_REASON_CATEGORY;
	} else {
		d->action = p->mode;
		d->reason = DDG_REASON_MODE;
	}
	{
		unsigned cl = p->net_classes | answer_class(fallback);
		d->varies_by_client = (cl & (cl - 1)) != 0;
	}
	if(ex) {
		if(rule)
			exf(ex, "winner: list #%d entry (%d label%s) over the "
				"zone rule (%d label%s): longer match",
				best_list + 1, best.zone_labels,
				best.zone_labels == 1 ? "" : "s", rule_labels,
				rule_labels == 1 ? "" : "s");
		else
			exf(ex, "winner: list #%d entry for zone %s (the "
				"longest list match%s)", best_list + 1,
				nstr(qname + best.zone_off, nb, sizeof(nb)),
				nlists > 1 ? ", earlier list on ties" : "");
		switch(d->reason) {
		case DDG_REASON_NETWORK:
			exf(ex, "action: client network %s has action %s "
				"(overrides category and mode)",
				p->nets[cx->net].name,
				ddg_action_name(d->action));
			break;
		case DDG_REASON_CATEGORY:
			exf(ex, "action: %scategory %s has action %s",
				cx ? "the client network has none; " :
				"no client network action; ",
				best.category_name, ddg_action_name(d->action));
			break;
		default:
			exf(ex, "action: no client network action, no "
				"category: action for %s; mode: %s",
				best.category_name ? best.category_name : "?",
				ddg_action_name(d->action));
			break;
		}
		if(d->varies_by_client)
			exf(ex, "varies by client: yes (other client networks "
				"get a different answer; not cached)");
		else
			exf(ex, "varies by client: no");
		exf(ex, "result: %s", ddg_action_name(d->action));
	}
	return 1;
}

size_t
ddg_policy_mem(const struct ddg_policy *p)
{
	if(!p)
		return 0;
	return sizeof(*p) + p->nrules * sizeof(*p->rules) +
		p->ncats * sizeof(*p->cats) + p->nnets * sizeof(*p->nets) +
		(p->v4.n + p->v6.n) * (sizeof(struct pfx) + sizeof(struct run));
}
