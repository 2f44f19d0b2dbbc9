/**
 * \file fuzz_chain.c
 * Fuzz target of the decision over an answer's names (lib/chain.c): the
 * input is a query name and the RRsets of an answer section (owners and
 * rdata as raw, possibly invalid wire bytes with declared lengths that
 * never exceed the bytes behind them, as the module guarantees, or names
 * taken from a small table so that chains of listed names are common).
 * A real policy (a fixed configuration with mode, categories, zone rules
 * including an allow rule, client networks with different actions) and
 * two in-memory lists decide, for several clients, with
 * ddg_chain_decide(), merged with ddg_chain_merge().  Checked:
 * - the result is the strictest action (ddg_action_stricter()) over
 *   ddg_policy_decide() of the query name and of every valid name
 *   ddg_chain_collect() visits, the earliest name on a tie, except that a
 *   zone: allow rule on the query name is final;
 * - the return value says whether any name matched; varies is set when
 *   the decision of any matched name varies by client;
 * - result.index is -1 or below the chain's total; chain.n <=
 *   DDG_CHAIN_KEEP and <= total, and the kept names are the first ones
 *   visited;
 * - the merged result is the strictest over the clients;
 * - ddg_chain_blocked_somewhere() of every name says exactly whether a
 *   client of some configured network, or no client, is blocked or
 *   sinkholed for it.
 * A failed check calls abort().
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dyndns-guard/chain.h"
#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/list_write.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/policy.h"
#include "fuzz_input.h"

/** the fuzz target */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** RR types */
#define T_CNAME 5
#define T_DNAME 39
/** most RRsets of one answer */
#define MAXRR 48
/** most names visited (each RRset gives at most two) */
#define MAXVISIT (2 * MAXRR)

/** the fixed configuration */
static const char conf_text[] =
	"dyndns-guard:\n"
	"mode: log\n"
	"zone: \"ok.duckdns.org\" allow\n"
	"zone: \"evil.example\" block\n"
	"zone: \"sink.example\" sinkhole\n"
	"zone: \"quiet.no-ip.com\" log\n"
	"zone: \"b.duckdns.org\" block\n"
	"category: tunnel block\n"
	"category: quiet off\n"
	"category: second sinkhole\n"
	"category: allowed allow\n"
	"client-network: ci-cd 10.0.0.0/8,2001:db8::/32 block\n"
	"client-network: ci-inner 10.1.0.0/16 allow\n"
	"client-network: staging 192.168.0.0/16\n"
	"client-network: lab 2001:db8:1::/48 sinkhole\n"
	"client-network: logger 172.16.0.0/12 log\n"
	"client-network: quiet-net 198.51.100.0/24 log\n";

/** entries of the lists: name, category */
static const char *const list0[][2] = {
	{ "duckdns.org", "ddns-service" },
	{ "no-ip.com", "ddns-service" },
	{ "dynu.net", "ddns-service" },
	{ "t.tunnel.example", "tunnel" },
	{ "q.example", "quiet" },
	{ "a.example", "allowed" },
	{ "s.example", "second" },
	{ NULL, NULL }
};
static const char *const list1[][2] = {
	{ "a.b.duckdns.org", "other" },
	{ "no-ip.com", "second" },
	{ "x.dynu.net", "tunnel" },
	{ "example", "quiet" },
	{ NULL, NULL }
};

/** names the input can refer to by number (wire form) */
static const char *const table[] = {
	"\7duckdns\3org", "\3www\7duckdns\3org", "\2ok\7duckdns\3org",
	"\1x\2ok\7duckdns\3org", "\1b\7duckdns\3org", "\1a\1b\7duckdns\3org",
	"\4evil\7example", "\4sink\7example", "\1t\6tunnel\7example",
	"\1q\7example", "\1a\7example", "\1s\7example", "\7example",
	"\6no-ip\3com", "\5quiet\6no-ip\3com", "\5dynu\3net",
	"\1x\5dynu\3net", "\3cdn\3net", "\3foo\3bar", ""
};
#define NTABLE (sizeof(table) / sizeof(table[0]))

/** the clients: one in each configured network (checked at start-up),
 * some more, and no client (NULL) */
static const char *const client_ip[] = {
	"10.2.3.4", "10.1.2.3", "192.168.1.1", "2001:db8:1::1",
	"172.16.1.1", "198.51.100.7", "2001:db8:2::1", "8.8.8.8",
	"::ffff:10.2.3.4", "2001:db9::1"
};
#define NCLIENT (sizeof(client_ip) / sizeof(client_ip[0]))

/** the policy, lists and clients, built once */
static struct ddg_policy *pol;
static struct ddg_list *lists[3];
static struct sockaddr_storage clients[NCLIENT];

/** one client's decision function argument */
struct dec {
	/** the client, or NULL */
	const struct sockaddr *client;
};

/** The per-name decision: the real policy. */
static int
decide(void *arg, const uint8_t *name, size_t len, struct ddg_decision *d)
{
	const struct dec *c = arg;

	return ddg_policy_decide(pol, (const struct ddg_list *const *)lists,
		3, c->client, name, len, d, NULL);
}

/** Build a list from entries. */
static struct ddg_list *
make_list(const char *const (*e)[2])
{
	struct ddg_lw *lw = ddg_lw_new();
	struct ddg_list *l = NULL;
	char err[DDG_ERR_LEN];
	uint8_t *image = NULL;
	size_t len = 0;

	if(!lw)
		abort();
	for(; (*e)[0]; e++) {
		uint8_t wire[DDG_NAME_MAXWIRE];
		size_t wl;
		uint16_t cat;
		if(ddg_name_from_str((*e)[0], wire, &wl) != DDG_OK ||
			ddg_lw_category(lw, (*e)[1], &cat) != DDG_OK ||
			ddg_lw_add(lw, wire, cat, 0) != DDG_OK)
			abort();
	}
	if(ddg_lw_build(lw, NULL, NULL, &image, &len, NULL) != DDG_OK ||
		ddg_list_open_mem(image, len, &l, err, sizeof(err)) != DDG_OK)
		abort();
	ddg_lw_free(lw);
	/* image stays allocated: the list reads it until the end */
	return l;
}

/** Build the policy, the lists and the clients. */
static void
setup(void)
{
	struct ddg_conf *conf = NULL;
	char err[DDG_ERR_LEN];
	size_t i;
	int seen[16] = { 0 }, n;

	if(ddg_conf_parse(conf_text, sizeof(conf_text) - 1, "fuzz.conf",
		&conf, err, sizeof(err)) != DDG_OK ||
		ddg_policy_new(conf, &pol, err, sizeof(err)) != DDG_OK) {
		fprintf(stderr, "fuzz_chain: setup: %s\n", err);
		abort();
	}
	ddg_conf_free(conf);
	lists[0] = make_list(list0);
	lists[1] = NULL; /* a list that failed to load */
	lists[2] = make_list(list1);
	for(i = 0; i < NCLIENT; i++) {
		memset(&clients[i], 0, sizeof(clients[i]));
		if(strchr(client_ip[i], ':')) {
			struct sockaddr_in6 *s6 =
				(struct sockaddr_in6 *)&clients[i];
			s6->sin6_family = AF_INET6;
			if(inet_pton(AF_INET6, client_ip[i], &s6->sin6_addr)
				!= 1)
				abort();
		} else {
			struct sockaddr_in *s4 =
				(struct sockaddr_in *)&clients[i];
			s4->sin_family = AF_INET;
			if(inet_pton(AF_INET, client_ip[i], &s4->sin_addr)
				!= 1)
				abort();
		}
		n = ddg_policy_network(pol,
			(const struct sockaddr *)&clients[i]);
		if(n >= 0 && n < 16)
			seen[n] = 1;
	}
	/* every configured network has a client, so that deciding for
	 * these clients and NULL covers every class of client */
	n = (int)ddg_policy_network_count(pol);
	if(n > 16)
		abort();
	while(n-- > 0)
		if(!seen[n])
			abort();
}

/** the names a walk visits */
struct visited {
	const uint8_t *name[MAXVISIT];
	size_t len[MAXVISIT];
	size_t n;
};

/** Record a visited name; a valid name is required. */
static int
record(void *arg, const uint8_t *name, size_t len)
{
	struct visited *v = arg;

	if(ddg_name_wire_len(name, len) != (int)len)
		abort(); /* visited an invalid name */
	if(v->n >= MAXVISIT)
		abort();
	v->name[v->n] = name;
	v->len[v->n] = len;
	v->n++;
	return 0;
}

/** A copy of n bytes into an exact-size allocation (freed by the
 * caller): a read past the declared length is seen by ASan. */
static uint8_t *
dup_exact(const uint8_t *p, size_t n, uint8_t **pool, size_t *npool)
{
	uint8_t *b = malloc(n ? n : 1);

	if(!b)
		abort();
	if(n)
		memcpy(b, p, n);
	pool[(*npool)++] = b;
	return b;
}

/** One name for an owner or rdata: raw bytes, a table name, the query
 * name, the last target, or none. */
static const uint8_t *
take_name(struct fz *z, int mode, const uint8_t *qname, size_t qlen,
	const uint8_t *last, size_t last_len, size_t *len, uint8_t **pool,
	size_t *npool)
{
	const uint8_t *p;
	size_t n;

	switch(mode) {
	case 0:
		n = fz_bytes(z, fz_u8(z), &p);
		*len = n;
		return dup_exact(p, n, pool, npool);
	case 1:
		p = (const uint8_t *)table[fz_u8(z) % NTABLE];
		n = strlen((const char *)p) + 1;
		*len = n;
		return dup_exact(p, n, pool, npool);
	case 2:
		if(!last) {
			last = qname;
			last_len = qlen;
		}
		*len = last_len;
		return dup_exact(last, last_len, pool, npool);
	default:
		*len = 0;
		return NULL;
	}
}

/** Check one client's result against deciding every name one by one. */
static void
check_client(struct dec *c, const uint8_t *qname, size_t qlen,
	const struct ddg_chain_rrset *rr, size_t nrr,
	const struct visited *vis, struct ddg_chain_result *res)
{
	struct ddg_decision dq, d;
	enum ddg_action best;
	long best_index = -1;
	const uint8_t *best_name = qname;
	int r, rq, matched, varies;
	size_t i;

	r = ddg_chain_decide(decide, c, qname, qlen, rr, nrr, res);
	rq = decide(c, qname, qlen, &dq);
	if(rq < 0)
		abort();
	if(res->index != -1 && (res->index < 0 ||
		(size_t)res->index >= vis->n))
		abort(); /* index outside the chain */
	if(rq > 0 && dq.from_rule && dq.action == DDG_ACTION_ALLOW) {
		/* an allow rule on the query name is final */
		if(r != 1 || res->d.action != DDG_ACTION_ALLOW ||
			res->index != -1 || res->name != qname ||
			res->varies != dq.varies_by_client)
			abort();
		return;
	}
	best = dq.action;
	matched = rq > 0;
	varies = dq.varies_by_client;
	for(i = 0; i < vis->n; i++) {
		int rn = decide(c, vis->name[i], vis->len[i], &d);
		if(rn < 0)
			abort();
		if(rn == 0)
			continue;
		matched = 1;
		if(d.varies_by_client)
			varies = 1;
		if(d.action != best &&
			ddg_action_stricter(best, d.action) == d.action) {
			best = d.action;
			best_index = (long)i;
			best_name = vis->name[i];
		}
	}
	if(res->d.action != best) {
		fprintf(stderr, "chain decided %s, strictest is %s\n",
			ddg_action_name(res->d.action), ddg_action_name(best));
		abort();
	}
	if(res->index != best_index || res->name != best_name)
		abort(); /* not the earliest strictest name */
	if(best_index >= 0 && res->len != vis->len[best_index])
		abort();
	if(r != matched || res->varies != varies)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz z;
	struct ddg_chain_rrset rr[MAXRR];
	struct ddg_chain chain;
	struct ddg_chain_result res, acc, best;
	struct visited vis;
	struct dec c;
	struct sockaddr_storage own;
	uint8_t *pool[2 * MAXRR + 1];
	size_t npool = 0, nrr, i, qlen, last_len = 0;
	const uint8_t *qname, *p, *last = NULL;
	int has_alias = 0, first = 1, qvalid, someone, r;
	uint8_t f;

	if(!pol)
		setup();
	if(size > 8192)
		return 0;
	fz_init(&z, data, size);
	f = fz_u8(&z);
	/* the query name: raw bytes or a table name */
	qname = take_name(&z, f & 1, NULL, 0, NULL, 0, &qlen, pool, &npool);
	/* a valid query name is passed with its exact length, as the module
	 * does (ddg_chain_decide() requires it); an invalid one must be
	 * refused */
	r = ddg_name_wire_len(qname, qlen);
	qvalid = r > 0;
	if(qvalid)
		qlen = (size_t)r;
	/* a client of the input's choice: IPv4 or IPv6 */
	memset(&own, 0, sizeof(own));
	if(f & 2) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&own;
		s6->sin6_family = AF_INET6;
		fz_bytes(&z, 16, &p);
		memcpy(&s6->sin6_addr, p, (size_t)(z.p - p));
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&own;
		s4->sin_family = AF_INET;
		fz_bytes(&z, 4, &p);
		memcpy(&s4->sin_addr, p, (size_t)(z.p - p));
	}
	/* the answer section */
	nrr = fz_u8(&z) % (MAXRR + 1);
	for(i = 0; i < nrr; i++) {
		uint8_t sel = fz_u8(&z);
		switch(sel & 3) {
		case 0: rr[i].type = T_CNAME; break;
		case 1: rr[i].type = T_DNAME; break;
		case 2: rr[i].type = 1; break;
		default: rr[i].type = (uint16_t)fz_un(&z, 2); break;
		}
		rr[i].owner = take_name(&z, (sel >> 2) & 3, qname, qlen, last,
			last_len, &rr[i].owner_len, pool, &npool);
		rr[i].rdata = take_name(&z, (sel >> 4) & 3, qname, qlen, last,
			last_len, &rr[i].rdlen, pool, &npool);
		if(rr[i].type == T_CNAME || rr[i].type == T_DNAME)
			has_alias = 1;
		if(rr[i].rdata) {
			last = rr[i].rdata;
			last_len = rr[i].rdlen;
		}
	}

	/* the names: every one visited is valid; the kept ones are the
	 * first visited */
	memset(&vis, 0, sizeof(vis));
	if(ddg_chain_collect(qvalid ? qname : NULL, qlen, rr, nrr, record,
		&vis, &chain) != 0)
		abort();
	if(chain.n > DDG_CHAIN_KEEP || chain.n > chain.total ||
		chain.total != vis.n || chain.has_alias != has_alias)
		abort();
	for(i = 0; i < chain.n; i++)
		if(chain.name[i] != vis.name[i] || chain.len[i] != vis.len[i])
			abort();
	if(!qvalid) {
		c.client = NULL;
		if(ddg_chain_decide(decide, &c, qname, qlen, rr, nrr, &res) !=
			DDG_ERR_SYNTAX)
			abort();
		goto out;
	}

	/* every client, one by one, merged; then no client */
	memset(&best, 0, sizeof(best));
	for(i = 0; i <= NCLIENT + 1; i++) {
		if(i < NCLIENT)
			c.client = (const struct sockaddr *)&clients[i];
		else if(i == NCLIENT)
			c.client = (const struct sockaddr *)&own;
		else
			c.client = NULL;
		check_client(&c, qname, qlen, rr, nrr, &vis, &res);
		if(res.index >= (long)chain.total)
			abort();
		ddg_chain_merge(&acc, &res, first);
		if(first || ddg_action_stricter(best.d.action,
			res.d.action) != best.d.action)
			best.d.action = ddg_action_stricter(best.d.action,
				res.d.action);
		best.varies = best.varies || res.varies;
		first = 0;
	}
	if(acc.d.action != best.d.action || acc.varies != best.varies)
		abort(); /* merge is not the strictest over the clients */

	/* blocked somewhere: exactly when a client of some network, or no
	 * client, is blocked or sinkholed for the name */
	for(i = 0; i <= vis.n; i++) {
		const uint8_t *n = i < vis.n ? vis.name[i] : qname;
		size_t nl = i < vis.n ? vis.len[i] : qlen;
		struct ddg_decision d;
		size_t k;

		someone = 0;
		for(k = 0; k <= NCLIENT; k++) {
			c.client = k < NCLIENT ?
				(const struct sockaddr *)&clients[k] : NULL;
			if(decide(&c, n, nl, &d) > 0 &&
				(d.action == DDG_ACTION_BLOCK ||
				d.action == DDG_ACTION_SINKHOLE))
				someone = 1;
		}
		c.client = NULL;
		if(ddg_chain_blocked_somewhere(decide, &c, n, nl) != someone) {
			char s[DDG_NAME_MAXSTR];
			ddg_name_to_str(n, s, sizeof(s));
			fprintf(stderr, "blocked_somewhere(%s) is %d, deciding "
				"for every network gives %d\n", s, !someone,
				someone);
			abort();
		}
	}
out:
	for(i = 0; i < npool; i++)
		free(pool[i]);
	return 0;
}
