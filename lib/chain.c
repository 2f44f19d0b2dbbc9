/**
 * \file chain.c
 * The names of an answer and the decision over all of them.  See chain.h.
 */
#include <string.h>

#include "dyndns-guard/chain.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/name.h"

/** RR types whose rdata starts with an alias target */
#define TYPE_CNAME 5
#define TYPE_DNAME 39

/** whether two valid wire names are equal, ignoring ASCII case */
static int
same_name(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t i;
	if(alen != blen)
		return 0;
	for(i = 0; i < alen; i++) {
		uint8_t x = a[i], y = b[i];
		if(x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if(y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if(x != y)
			return 0;
	}
	return 1;
}

/** the state of one walk */
struct walk {
	int (*visit)(void *, const uint8_t *, size_t);
	void *arg;
	struct ddg_chain *out;
	const uint8_t *last;
	size_t last_len;
	size_t total;
};

/** take one name; returns non-zero to stop */
static int
take(struct walk *w, const uint8_t *name, size_t max)
{
	int len;
	if(!name)
		return 0;
	len = ddg_name_wire_len(name, max > DDG_NAME_MAXWIRE ?
		DDG_NAME_MAXWIRE : max);
	if(len <= 0)
		return 0;
	if(w->last && same_name(w->last, w->last_len, name, (size_t)len))
		return 0;
	w->last = name;
	w->last_len = (size_t)len;
	if(w->out && w->out->n < DDG_CHAIN_KEEP) {
		w->out->name[w->out->n] = name;
		w->out->len[w->out->n] = (size_t)len;
		w->out->n++;
	}
	w->total++;
	if(w->out)
		w->out->total = w->total;
	return w->visit ? w->visit(w->arg, name, (size_t)len) : 0;
}

int
ddg_chain_collect(const uint8_t *qname, size_t qlen,
	const struct ddg_chain_rrset *rr, size_t n,
	int (*visit)(void *arg, const uint8_t *name, size_t len), void *arg,
	struct ddg_chain *out)
{
	struct walk w;
	size_t i;
	memset(&w, 0, sizeof(w));
	w.visit = visit;
	w.arg = arg;
	w.out = out;
	w.last = qname;
	w.last_len = qname ? qlen : 0;
	if(out)
		memset(out, 0, sizeof(*out));
	for(i = 0; rr && i < n; i++) {
		if(take(&w, rr[i].owner, rr[i].owner_len))
			return 1;
		if(rr[i].type == TYPE_CNAME || rr[i].type == TYPE_DNAME) {
			if(out)
				out->has_alias = 1;
			if(rr[i].rdata && take(&w, rr[i].rdata, rr[i].rdlen))
				return 1;
		}
	}
	return 0;
}

/** the state of ddg_chain_decide()'s walk */
struct decide_walk {
	ddg_chain_decide_fn decide;
	void *arg;
	struct ddg_chain_result *res;
	long index;
	int matched;
};

/** visit one name of the chain: keep the stricter decision */
static int
decide_visit(void *arg, const uint8_t *name, size_t len)
{
	struct decide_walk *w = arg;
	struct ddg_decision d;
	long index = w->index++;
	if(w->decide(w->arg, name, len, &d) <= 0)
		return 0;
	w->matched = 1;
	if(d.varies_by_client)
		w->res->varies = 1;
	if(d.action != w->res->d.action &&
		ddg_action_stricter(w->res->d.action, d.action) == d.action) {
		w->res->d = d;
		w->res->name = name;
		w->res->len = len;
		w->res->index = index;
	}
	return 0;
}

int
ddg_chain_decide(ddg_chain_decide_fn decide, void *arg,
	const uint8_t *qname, size_t qlen, const struct ddg_chain_rrset *rr,
	size_t nrr, struct ddg_chain_result *out)
{
	struct decide_walk w;
	int r;
	memset(out, 0, sizeof(*out));
	out->d.list_index = -1;
	out->d.rule_index = -1;
	out->d.network = -1;
	out->name = qname;
	out->len = qlen;
	out->index = -1;
	r = decide(arg, qname, qlen, &out->d);
	if(r < 0)
		return r;
	out->varies = out->d.varies_by_client;
	if(r > 0 && out->d.from_rule && out->d.action == DDG_ACTION_ALLOW)
		return 1; /* an explicit exception on the query name: final */
	if(!rr || nrr == 0)
		return r > 0;
	memset(&w, 0, sizeof(w));
	w.decide = decide;
	w.arg = arg;
	w.res = out;
	w.matched = r > 0;
	(void)ddg_chain_collect(qname, qlen, rr, nrr, decide_visit, &w,
		NULL);
	return w.matched;
}

void
ddg_chain_merge(struct ddg_chain_result *acc,
	const struct ddg_chain_result *cur, int first)
{
	int varies;
	if(first) {
		*acc = *cur;
		return;
	}
	varies = acc->varies || cur->varies;
	if(cur->d.action != acc->d.action && ddg_action_stricter(
		acc->d.action, cur->d.action) == cur->d.action)
		*acc = *cur;
	acc->varies = varies;
}

int
ddg_chain_blocked_somewhere(ddg_chain_decide_fn decide, void *arg,
	const uint8_t *name, size_t len)
{
	struct ddg_decision d;
	if(decide(arg, name, len, &d) <= 0)
		return 0;
	return d.action == DDG_ACTION_BLOCK ||
		d.action == DDG_ACTION_SINKHOLE || d.varies_by_client;
}
