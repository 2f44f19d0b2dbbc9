/**
 * \file dyndns_guard.c
 * dyndns-guard: the Unbound glue.  Loaded by Unbound's dynlib module
 * (module-config: "dynlib validator iterator"), it exports exactly the six
 * dynlib entry points and keeps all of its state in the dynlib wrapper's
 * dyn_env.  Everything that is not Unbound-specific (names, lists, config,
 * policy, event formatting) lives in the core library, which has no Unbound
 * headers; this file translates between the two.
 *
 * Flow of a client query:
 * - operate(new/pass): decide on the query name for every client attached
 *   to the query; block or sinkhole answers are synthesized here (never
 *   cached); names whose action differs between client networks get
 *   no_cache_store so no client is served another network's answer.
 * - operate(moddone), on the way back from the validator and iterator:
 *   re-decide over the clients now attached (identical in-flight queries of
 *   other clients joined the state: the stricter action wins), then check
 *   the CNAME/DNAME targets of the answer (check-cname).
 * - reply callbacks (mesh answers, cache hits, local answers): one event per
 *   client answer that involves a listed name, with the client's address.
 *
 * Threads: init and deinit run on the main thread while no worker runs;
 * operate, inform_super and clear run on the worker owning the query; the
 * reply callbacks run concurrently on all workers.  Module-wide state is
 * read-only between init and deinit.
 */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "dynlibmod/dynlibmod.h"
#include "services/cache/dns.h"
#include "services/mesh.h"
#include "sldns/rrdef.h"
#include "util/config_file.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/log.h"
#include "util/module.h"
#include "util/net_help.h"
#include "util/netevent.h"
#include "util/regional.h"

#include "dyndns-guard/chain.h"
#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/event.h"
#include "dyndns-guard/evlog.h"
#include "dyndns-guard/file.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/policy.h"
#include "dyndns-guard/sign.h"
#include "ddg_module.h"
#include "ddgm_metrics.h"

/** exported entry points: the only symbols the .so makes visible */
#define DDG_EXPORT __attribute__((visibility("default")))

DDG_EXPORT int init(struct module_env* env, int id);
DDG_EXPORT void deinit(struct module_env* env, int id);
DDG_EXPORT void operate(struct module_qstate* qstate, enum module_ev event,
	int id, struct outbound_entry* outbound);
DDG_EXPORT void inform_super(struct module_qstate* qstate, int id,
	struct module_qstate* super);
DDG_EXPORT void clear(struct module_qstate* qstate, int id);
DDG_EXPORT size_t get_mem(struct module_env* env, int id);

/** the callback types we register, and delete again in deinit: the
 * reply callbacks (one event per client answer) and the iterator's
 * response hook (what may be cached) */
static const enum inplace_cb_list_type cb_types[] = {
	inplace_cb_reply,		/* answers from the mesh */
	inplace_cb_reply_cache,		/* cache hits (qstate is NULL) */
	inplace_cb_reply_local,		/* local and auth zone answers */
	inplace_cb_reply_servfail,	/* SERVFAIL answers */
	inplace_cb_query_response	/* responses from upstream */
};
#define N_CB (sizeof(cb_types)/sizeof(cb_types[0]))
_Static_assert(N_CB == DDGM_N_CB, "callback count");

/** most names of an answer kept for its event (all are decided on) */
#define MAX_CHAIN DDG_CHAIN_KEEP
_Static_assert(DDG_CHAIN_KEEP <= DDG_EVENT_MAXCHAIN, "chain sizes");

/** per-query state in qstate->minfo[id], region-allocated */
struct ddg_qstate {
	/** 1 when this module synthesized the answer */
	int applied;
	/** the action applied */
	enum ddg_action action;
	/** what matched */
	enum ddg_match_kind match;
	/** the decision that applied (zone_off relative to matched_name) */
	struct ddg_decision d;
	/** the name that matched: the qname or a CNAME target (region copy) */
	uint8_t* matched_name;
	/** the names of the answer (region copies), for events */
	uint8_t* chain[MAX_CHAIN];
	/** number of chain elements kept */
	size_t nchain;
	/** number of names the answer had */
	size_t chain_total;
	/** 1 when the qname's action differs between client networks */
	int varies;
	/** 1 when an upstream response of this query carried data of a
	 * name blocked for some client: nothing of it is cached */
	int tainted;
	/** category of the match, copied (the list may be replaced) */
	char category[DDG_CONF_MAXNAME + 1];
	/** list identity of the match, copied */
	char ruleset[DDG_EVENT_RULESET_LEN];
};

/** the client address of a reply */
static struct sockaddr*
reply_addr(struct comm_reply* r)
{
#ifdef DDG_HAVE_CLIENT_ADDR
	return (struct sockaddr*)&r->client_addr;
#else
	return (struct sockaddr*)&r->addr;
#endif
}

/** the module state of a module id, or NULL */
static struct ddg_mod*
mod_get(struct module_env* env, int id)
{
	struct dynlibmod_env* de = (struct dynlibmod_env*)env->modinfo[id];
	if(!de)
		return NULL;
	return (struct ddg_mod*)de->dyn_env;
}

/* ---------------------------------------------------------------- */
/* configuration and lists                                          */

/**
 * Where dyndns-guard.conf is, by the rule the commands use too
 * (ddg_conf_find_path(): $DYNDNS_GUARD_CONF, else the compiled-in
 * $(sysconfdir)/unbound/dyndns-guard.conf).
 * @param origin: set to where the path came from.
 * @return 0 when the path does not fit into out.
 */
static int
find_conf_path(char* out, size_t outlen, enum ddg_conf_origin* origin)
{
	const char* p = ddg_conf_find_path(NULL, origin);
	if(snprintf(out, outlen, "%s", p) >= (int)outlen) {
		log_err("dyndns-guard: configuration path too long: %s", p);
		return 0;
	}
	return 1;
}

/** free everything the module state holds */
static void
mod_free(struct ddg_mod* m)
{
	if(!m)
		return;
	if(m->evlog)
		ddg_evlog_close(m->evlog);
	if(m->textlog)
		ddg_evlog_close(m->textlog);
	free(m->text_path);
	ddg_listset_free(ddg_listset_current(&m->pub));
	ddg_sign_key_free((struct ddg_sign_key*)m->pubkey);
	ddg_policy_free(m->policy);
	ddg_conf_free(m->conf);
	pthread_mutex_destroy(&m->pending_lock);
	free(m);
}

/** whether an action changes the answer */
static int
action_answers(enum ddg_action a)
{
	return a == DDG_ACTION_BLOCK || a == DDG_ACTION_SINKHOLE;
}

/** whether any rule of a configuration blocks or sinkholes */
static int
conf_may_block(const struct ddg_conf* c)
{
	size_t i;
	if(action_answers(c->mode))
		return 1;
	for(i = 0; i < c->nzones; i++)
		if(action_answers(c->zones[i].action))
			return 1;
	for(i = 0; i < c->ncategories; i++)
		if(action_answers(c->categories[i].action))
			return 1;
	for(i = 0; i < c->nnetworks; i++)
		if(action_answers(c->networks[i].action))
			return 1;
	return 0;
}

/** the event writer's failure reports (from its thread) go to Unbound's
 * log */
static void
evlog_report(void* arg, enum ddg_evlog_report kind, const char* msg)
{
	(void)arg;
	if(kind == DDG_EVLOG_REPORT_RECOVERED)
		log_warn("dyndns-guard: %s", msg);
	else
		log_err("dyndns-guard: %s", msg);
}

/** the text event lines, from the text writer's thread, to Unbound's
 * log: the worker that made the event only copied it into a ring */
static void
text_sink(void* arg, const char* line, size_t len)
{
	(void)arg; (void)len;
	log_info("%s", line);
}

/**
 * Open the writer of the events' text lines.  When Unbound logs to a file,
 * the lines are appended to that file by the writer thread, a batch in
 * one write(2), each with the prefix Unbound gives its own lines (the
 * worker formats it; the file is opened in append mode, as Unbound opens
 * it, so whole lines never mix).  With syslog or stderr, the writer thread
 * hands each line to Unbound's logger instead.
 * @return 0 on failure (logged).
 */
static int
text_open(struct ddg_mod* m)
{
	struct config_file* cfg = m->env->cfg;
	struct ddg_evlog_opts eo;
	char err[DDG_ERR_LEN];
	const char* lf = cfg ? cfg->logfile : NULL;
	int r;
	memset(&eo, 0, sizeof(eo));
	eo.report = evlog_report;
	eo.ring_size = 1024 * 1024;
	if(cfg && !cfg->use_syslog && lf && lf[0]) {
		const char* ident = cfg->log_identity && cfg->log_identity[0] ?
			cfg->log_identity : program_invocation_short_name;
		/* as log_init(): inside the chroot the path loses its
		 * prefix */
		if(cfg->chrootdir && cfg->chrootdir[0] && strncmp(lf,
			cfg->chrootdir, strlen(cfg->chrootdir)) == 0)
			lf += strlen(cfg->chrootdir);
		m->text_path = strdup(lf);
		if(!m->text_path) {
			log_err("dyndns-guard: out of memory");
			return 0;
		}
		r = snprintf(m->text_prefix, sizeof(m->text_prefix),
			"%s[%d:0] info: ", ident ? ident : "unbound",
			(int)getpid());
		if(r < 0 || r >= (int)sizeof(m->text_prefix))
			r = snprintf(m->text_prefix, sizeof(m->text_prefix),
				"unbound[%d:0] info: ", (int)getpid());
		m->text_prefix_len = (size_t)r;
		m->text_time_ascii = cfg->log_time_ascii;
		r = ddg_evlog_open_opts(m->text_path, &eo, &m->textlog, err,
			sizeof(err));
		if(r == DDG_OK) {
			ddgm_note_textfile(m);
			verbose(VERB_OPS, "dyndns-guard: event text lines are "
				"appended to %s", lf);
			return 1;
		}
		/* e.g. not writable after Unbound dropped its privileges:
		 * through Unbound's logger then */
		log_warn("dyndns-guard: cannot append the event text lines to "
			"%s (%s): handing them to Unbound's logger", lf, err);
		free(m->text_path);
		m->text_path = NULL;
	}
	eo.sink = text_sink;
	r = ddg_evlog_open_opts("Unbound's log (event text lines)", &eo,
		&m->textlog, err, sizeof(err));
	if(r != DDG_OK) {
		log_err("dyndns-guard: log-text: %s", err);
		return 0;
	}
	verbose(VERB_OPS, "dyndns-guard: event text lines go to Unbound's "
		"logger (%s)", cfg && cfg->use_syslog ? "syslog" : "stderr");
	return 1;
}

/**
 * Read the configuration, build the policy and open the lists.
 * A bad configuration fails (Unbound then stops with our message, as it
 * does for its own configuration); a list that cannot be used is logged
 * and skipped (fail-mode decides what happens without any).
 */
static int
mod_load(struct ddg_mod* m)
{
	char err[DDG_ERR_LEN];
	enum ddg_conf_origin origin;
	struct ddg_listset* ls;
	int r;
	FILE* f;
	if(!find_conf_path(m->conf_path, sizeof(m->conf_path), &origin))
		return 0;
	log_info("dyndns-guard: configuration file %s (%s)",
		m->conf_path, ddg_conf_origin_name(origin));
	f = fopen(m->conf_path, "r");
	if(!f && errno == ENOENT && origin == DDG_CONF_FROM_DEFAULT) {
		log_warn("dyndns-guard: no configuration at %s (set %s to "
			"another path): running with defaults, no lists",
			m->conf_path, DDG_CONF_ENV);
		m->conf = ddg_conf_new_default();
		if(!m->conf) {
			log_err("dyndns-guard: out of memory");
			return 0;
		}
	} else {
		if(f)
			fclose(f);
		r = ddg_conf_load(m->conf_path, &m->conf, err, sizeof(err));
		if(r != DDG_OK) {
			log_err("dyndns-guard: %s", err);
			return 0;
		}
	}
	m->may_block = conf_may_block(m->conf);
	r = ddg_policy_new(m->conf, &m->policy, err, sizeof(err));
	if(r != DDG_OK) {
		log_err("dyndns-guard: %s: %s", m->conf_path, err);
		return 0;
	}
	(void)ddg_event_ruleset(m->conf_path, NULL, m->conf_ruleset,
		sizeof(m->conf_ruleset));
	if(!ddgm_pubkey_load(m))
		return 0;
	ls = ddgm_listset_load(m);
	if(!ls) {
		log_err("dyndns-guard: out of memory");
		return 0;
	}
	ddg_listset_pub_init(&m->pub, ls);
	if(m->conf->nlists > 0 && ls->ok == 0) {
		if(m->conf->fail_mode == DDG_FAIL_CLOSED)
			log_err("dyndns-guard: no usable list and fail-mode: "
				"closed: answering SERVFAIL to every client "
				"query until a list is usable");
		else
			log_err("dyndns-guard: no usable list (fail-mode: "
				"open): resolving normally%s",
				m->conf->nzones ? ", zone: rules still apply" :
				"");
	}
	if(m->conf->log_file) {
		struct ddg_evlog_opts eo;
		memset(&eo, 0, sizeof(eo));
		eo.report = evlog_report;
		r = ddg_evlog_open_opts(m->conf->log_file, &eo, &m->evlog,
			err, sizeof(err));
		if(r != DDG_OK) {
			log_err("dyndns-guard: log-file: %s", err);
			return 0;
		}
		ddgm_note_logfile(m);
	}
	if(m->conf->log_text && !text_open(m))
		return 0;
	return 1;
}

/* ---------------------------------------------------------------- */
/* decisions                                                        */

/** whether an action produces an event */
static int
action_eventful(enum ddg_action a)
{
	return a == DDG_ACTION_LOG || action_answers(a);
}

/** whether the module fails closed now: lists configured, none usable */
static int
failing_closed(struct ddg_mod* m, struct ddg_listset* ls)
{
	return m->conf->nlists > 0 && ls->ok == 0 &&
		m->conf->fail_mode == DDG_FAIL_CLOSED;
}

/** whether there is anything to match */
static int
usable(struct ddg_mod* m, struct ddg_listset* ls)
{
	return (ls && ls->ok > 0) || m->conf->nzones > 0;
}

/** a multiply-xor hash of a name, eight bytes at a time */
static uint64_t
name_hash(const uint8_t* name, size_t len)
{
	uint64_t h = (uint64_t)len * 0x9e3779b97f4a7c15ULL, w;
	while(len >= 8) {
		memcpy(&w, name, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		name += 8;
		len -= 8;
	}
	w = 0;
	while(len > 0)
		w = (w << 8) | name[--len];
	h = (h ^ w) * 0xff51afd7ed558ccdULL;
	h ^= h >> 29;
	return h;
}

/*
 * The chain-block memo.  A name that is not listed itself but whose answer
 * leads into a blocked zone (a CNAME or DNAME) is blocked only after it
 * was resolved, and its answer is kept out of Unbound's caches (see
 * response_cb), so every query for it would be resolved again.  Each
 * worker thread remembers such names (exact bytes, type, class) with the
 * name of the answer that decided, until the answer's TTL runs out or the
 * module instance or list set changes; op_new then decides on that pair
 * for the clients of the new query without resolving it.  It is not a
 * cache of answers: the decision is made again for every client, and a
 * client the target is not blocked for resolves normally.
 */
#define CMEMO_SLOTS 128
#define CMEMO_MAXNAME 94
struct cmemo_slot {
	uint64_t instance;	/* module instance that wrote it */
	uint64_t generation;	/* list set generation */
	time_t expires;		/* the answer's TTL runs out */
	uint16_t qtype, qclass;
	uint8_t len;		/* query name length, 0 = empty */
	uint8_t name[CMEMO_MAXNAME + 1];
	uint8_t tlen;		/* deciding name length */
	uint8_t target[DDG_NAME_MAXWIRE];
	uint32_t total;		/* names the answer had */
};
static __thread struct cmemo_slot tls_cmemo[CMEMO_SLOTS];

/** the chain-block memo slot of a question */
static struct cmemo_slot*
cmemo_slot(const struct query_info* qi)
{
	uint64_t h = name_hash(qi->qname, qi->qname_len) ^
		((uint64_t)qi->qtype << 17);
	return &tls_cmemo[(h ^ (h >> 23)) & (CMEMO_SLOTS - 1)];
}

/** the memo entry of a question, if any and current */
static struct cmemo_slot*
cmemo_find(struct ddg_mod* m, struct ddg_listset* ls,
	const struct query_info* qi, time_t now)
{
	struct cmemo_slot* c;
	if(qi->qname_len > CMEMO_MAXNAME)
		return NULL;
	c = cmemo_slot(qi);
	if(c->len != qi->qname_len || c->instance != m->instance ||
		c->generation != ls->generation || c->qtype != qi->qtype ||
		c->qclass != qi->qclass || c->expires <= now ||
		memcmp(c->name, qi->qname, qi->qname_len) != 0)
		return NULL;
	return c;
}

/** remember that a question was blocked by a name of its answer */
static void
cmemo_put(struct ddg_mod* m, struct ddg_listset* ls,
	const struct query_info* qi, const uint8_t* target, size_t tlen,
	size_t total, time_t ttl, time_t now)
{
	struct cmemo_slot* c;
	if(qi->qname_len > CMEMO_MAXNAME || tlen > DDG_NAME_MAXWIRE ||
		ttl <= 0)
		return;
	c = cmemo_slot(qi);
	c->instance = m->instance;
	c->generation = ls->generation;
	c->expires = now + ttl;
	c->qtype = qi->qtype;
	c->qclass = qi->qclass;
	c->len = (uint8_t)qi->qname_len;
	memcpy(c->name, qi->qname, qi->qname_len);
	c->tlen = (uint8_t)tlen;
	memcpy(c->target, target, tlen);
	c->total = (uint32_t)total;
}

/** the policy decision for one client and name: the list's and the
 * rules' suffix filters answer most names (those matching nothing) from
 * the CPU cache, without a search and without the client's network */
static int
decide(struct ddg_mod* m, struct ddg_listset* ls,
	const struct sockaddr* client, const uint8_t* name, size_t len,
	struct ddg_decision* d)
{
	return ddg_policy_decide(m->policy,
		(const struct ddg_list* const*)ls->lists, ls->n, client, name,
		len, d, NULL);
}

/** what ddg_chain_decide() and friends call decide() with */
struct decide_ctx {
	struct ddg_mod* m;
	struct ddg_listset* ls;
	const struct sockaddr* client;
};

/** decide() as a ddg_chain_decide_fn */
static int
decide_cb(void* arg, const uint8_t* name, size_t len, struct ddg_decision* d)
{
	struct decide_ctx* c = (struct decide_ctx*)arg;
	return decide(c->m, c->ls, c->client, name, len, d);
}

/** RRsets converted on the stack; larger answers use the region */
#define RR_STACK 32

/**
 * The RRsets of a reply (the answer section, or all sections) as the
 * core sees them.
 * @param rep: the reply.
 * @param all: 1 for every section, 0 for the answer section.
 * @param stack: RR_STACK elements of caller storage.
 * @param region: for larger replies, or NULL.
 * @param out: set to the array.
 * @return the number of RRsets in *out.
 */
static size_t
reply_rrsets(struct reply_info* rep, int all, struct ddg_chain_rrset* stack,
	struct regional* region, struct ddg_chain_rrset** out)
{
	size_t n, i;
	*out = stack;
	if(!rep)
		return 0;
	n = all ? rep->rrset_count : rep->an_numrrsets;
	if(n > rep->rrset_count)
		n = rep->rrset_count;
	if(n > RR_STACK) {
		struct ddg_chain_rrset* r = region ? regional_alloc(region,
			n * sizeof(*r)) : NULL;
		if(r)
			*out = r;
		else
			n = RR_STACK; /* out of memory: the first ones */
	}
	for(i = 0; i < n; i++) {
		struct ub_packed_rrset_key* k = rep->rrsets[i];
		struct packed_rrset_data* d = k ?
			(struct packed_rrset_data*)k->entry.data : NULL;
		struct ddg_chain_rrset* c = &(*out)[i];
		memset(c, 0, sizeof(*c));
		if(!k)
			continue;
		c->owner = k->rk.dname;
		c->owner_len = k->rk.dname_len;
		c->type = ntohs(k->rk.type);
		if(d && d->count >= 1 && d->rr_len[0] > 2) {
			c->rdata = d->rr_data[0] + 2;
			c->rdlen = d->rr_len[0] - 2;
		}
	}
	return n;
}

/**
 * Decide on the query name (and, with check-cname, the names of the
 * answer) for every client attached to the query; the stricter action
 * wins (merged in-flight queries of different clients).
 * @return 1 if there is at least one client, else 0 (res untouched).
 */
static int
decide_clients(struct ddg_mod* m, struct ddg_listset* ls,
	struct module_qstate* qstate, const struct ddg_chain_rrset* rr,
	size_t nrr, struct ddg_chain_result* res)
{
	struct mesh_reply* r;
	struct ddg_chain_result cur;
	struct decide_ctx c;
	int n = 0;
	if(!qstate->mesh_info)
		return 0;
	c.m = m;
	c.ls = ls;
	for(r = qstate->mesh_info->reply_list; r; r = r->next) {
		c.client = reply_addr(&r->query_reply);
		if(ddg_chain_decide(decide_cb, &c, qstate->qinfo.qname,
			qstate->qinfo.qname_len, rr, nrr, &cur) < 0)
			return 0; /* invalid name: leave it to Unbound */
		ddg_chain_merge(res, &cur, n == 0);
		n++;
	}
	return n > 0;
}

/** whether a query has a client (not a prefetch, validator fetch or
 * internal query) */
static int
has_client(struct module_qstate* qstate)
{
	return qstate->mesh_info && qstate->mesh_info->reply_list;
}

/*
 * Decide once.  Most client queries are for names that match nothing.
 * op_new then stores no state at all: it tags qstate->minfo[id] with the
 * head of the query's reply list and the low bit set (a mesh_reply is
 * aligned, so the bit is free), meaning "the query name matched nothing
 * for the clients attached up to this head".  moddone and the mesh reply
 * callback skip their decisions when that still holds and the answer has
 * no CNAME or DNAME: no allocation, no second or third look-up.
 */
#define QS_NOMATCH_TAG ((uintptr_t)1)

/** the per-query state, or NULL (none, or only the no-match tag) */
static struct ddg_qstate*
qs_peek(struct module_qstate* qstate, int id)
{
	uintptr_t v = (uintptr_t)qstate->minfo[id];
	return (v & QS_NOMATCH_TAG) ? NULL : (struct ddg_qstate*)v;
}

/** tag a query: its name matched nothing for the clients attached now */
static void
qs_tag_nomatch(struct module_qstate* qstate, int id)
{
	qstate->minfo[id] = (void*)((uintptr_t)qstate->mesh_info->reply_list |
		QS_NOMATCH_TAG);
}

/** whether op_new found no match for exactly the clients attached now */
static int
qs_nomatch(struct module_qstate* qstate, int id)
{
	uintptr_t v = (uintptr_t)qstate->minfo[id];
	return (v & QS_NOMATCH_TAG) && qstate->mesh_info &&
		(v & ~QS_NOMATCH_TAG) ==
		(uintptr_t)qstate->mesh_info->reply_list;
}

/** whether the answer section of a reply holds a CNAME or DNAME */
static int
has_alias(struct reply_info* rep)
{
	size_t i;
	if(!rep)
		return 0;
	for(i = 0; i < rep->an_numrrsets && i < rep->rrset_count; i++) {
		uint16_t t = ntohs(rep->rrsets[i]->rk.type);
		if(t == LDNS_RR_TYPE_CNAME || t == LDNS_RR_TYPE_DNAME)
			return 1;
	}
	return 0;
}

/** per-query state, allocated on first use */
static struct ddg_qstate*
qs_get(struct module_qstate* qstate, int id)
{
	struct ddg_qstate* q = qs_peek(qstate, id);
	if(q)
		return q;
	q = regional_alloc_zero(qstate->region, sizeof(*q));
	qstate->minfo[id] = q;
	return q;
}

/** apply a block or sinkhole decision on name (the qname or a name of
 * the answer); finishes the query */
static void
apply(struct ddg_mod* m, struct ddg_listset* ls,
	struct module_qstate* qstate, int id, const struct ddg_decision* d,
	const uint8_t* name, size_t name_len, enum ddg_match_kind match,
	const struct ddg_chain* chain)
{
	struct ddg_qstate* q = qs_get(qstate, id);
	size_t i;
	qstate->ext_state[id] = module_finished;
	if(!q || !(q->matched_name = regional_alloc_init(qstate->region,
		name, name_len)) || !ddgm_synthesize(m, qstate, d->action,
		q->matched_name + d->zone_off)) {
		log_err("dyndns-guard: out of memory answering a query");
		qstate->return_msg = NULL;
		qstate->return_rcode = LDNS_RCODE_SERVFAIL;
		return;
	}
	q->applied = 1;
	q->action = d->action;
	q->match = match;
	q->d = *d;
	/* nothing that points into a list outlives this call */
	snprintf(q->category, sizeof(q->category), "%s",
		d->category ? d->category : "-");
	q->d.category = q->category;
	if(d->list_index >= 0 && (size_t)d->list_index < ls->n)
		memcpy(q->ruleset, ls->ruleset[d->list_index],
			sizeof(q->ruleset));
	else
		memcpy(q->ruleset, m->conf_ruleset, sizeof(q->ruleset));
	q->nchain = 0;
	q->chain_total = chain ? chain->total : 0;
	for(i = 0; chain && i < chain->n && i < MAX_CHAIN; i++) {
		/* the answer is replaced: keep copies for the event */
		q->chain[i] = regional_alloc_init(qstate->region,
			chain->name[i], chain->len[i]);
		if(!q->chain[i])
			break;
		q->nchain++;
	}
}

/* ---------------------------------------------------------------- */
/* the cache: no real data of a blocked name is stored               */

/** what the taint walk needs */
struct taint_ctx {
	struct decide_ctx c;
};

/** ddg_chain_collect visitor: stop at a name blocked for some client */
static int
taint_visit(void* arg, const uint8_t* name, size_t len)
{
	struct taint_ctx* t = (struct taint_ctx*)arg;
	return ddg_chain_blocked_somewhere(decide_cb, &t->c, name, len);
}

/**
 * The iterator's hook on every response from an authoritative server, for
 * every query state: client queries, their CNAME chase, and the
 * iterator's and validator's own look-ups (name-server addresses, DS,
 * DNSKEY), which start below this module and never reach operate().  A
 * response that carries data of a name blocked or sinkholed for any
 * client (an owner, or a CNAME/DNAME target) must not reach the message or
 * RRset cache, where a later client query would be answered from it
 * without a decision (with CD=1, or without a validator).  The query
 * state is marked, and stays marked for its later responses (other
 * modules may reset no_cache_store before a new upstream query).  The
 * look-up itself still completes, so zones whose name servers live under
 * a listed provider keep resolving.
 */
static int
response_cb(struct module_qstate* qstate, struct dns_msg* response, int id,
	void* cbarg)
{
	struct ddgm_cb_arg* a = (struct ddgm_cb_arg*)cbarg;
	struct ddg_mod* m = a ? a->m : NULL;
	struct ddg_qstate* q;
	struct ddg_listset* ls;
	struct ddg_chain_rrset stack[RR_STACK];
	struct ddg_chain_rrset* rr;
	struct taint_ctx t;
	int slot, taint = 0;
	if(!m || !qstate)
		return 1;
	q = qs_peek(qstate, id);
	if(q && q->tainted) {
		qstate->no_cache_store = 1;
		return 1;
	}
	if(!response)
		return 1;
	ls = ddgm_read_enter(m, &slot);
	if(usable(m, ls)) {
		size_t n = reply_rrsets(response->rep, 1, stack,
			qstate->region, &rr);
		t.c.m = m;
		t.c.ls = ls;
		t.c.client = NULL;
		if(response->qinfo.qname && ddg_name_wire_len(
			response->qinfo.qname, response->qinfo.qname_len) > 0 &&
			taint_visit(&t, response->qinfo.qname,
			response->qinfo.qname_len))
			taint = 1;
		else if(ddg_chain_collect(NULL, 0, rr, n, taint_visit, &t,
			NULL))
			taint = 1;
	}
	ddgm_read_leave(m, slot);
	if(!taint)
		return 1;
	qstate->no_cache_store = 1;
	q = qs_get(qstate, id);
	if(q)
		q->tainted = 1;
	return 1;
}

/* ---------------------------------------------------------------- */
/* events                                                           */

/**
 * The prefix Unbound's logger gives a line ("[1700000000] unbound[1:0]
 * info: ", or with log-time-ascii "Nov 14 22:13:20 unbound[1:0] info: "),
 * into buf (at least 160 bytes).  The local time of log-time-ascii is
 * computed once a second per thread.
 * @return its length.
 */
static size_t
text_prefix(struct ddg_mod* m, time_t now, char* buf)
{
	static __thread time_t tsec = -1;
	static __thread char tbuf[32];
	static __thread size_t tlen;
	size_t n = 0;
	if(m->text_time_ascii) {
		if(now != tsec) {
			struct tm tm;
			tlen = localtime_r(&now, &tm) ? strftime(tbuf,
				sizeof(tbuf), "%b %d %H:%M:%S", &tm) : 0;
			tsec = now;
		}
		if(tlen) {
			memcpy(buf, tbuf, tlen);
			buf[tlen] = ' ';
			n = tlen + 1;
		}
	}
	if(n == 0) {
		/* "[" epoch "] " */
		char d[24];
		int k = 0;
		unsigned long long v = (unsigned long long)(now < 0 ? 0 : now);
		do {
			d[k++] = (char)('0' + v % 10);
			v /= 10;
		} while(v && k < (int)sizeof(d));
		buf[n++] = '[';
		while(k > 0)
			buf[n++] = d[--k];
		buf[n++] = ']';
		buf[n++] = ' ';
	}
	memcpy(buf + n, m->text_prefix, m->text_prefix_len);
	return n + m->text_prefix_len;
}

/** hand one event to the writers of Unbound's log and of the JSON file:
 * a copy into each ring, no system call and no wait */
static void
emit(struct ddg_mod* m, struct ddg_event* ev)
{
	char line[DDG_EVENT_LINE_MIN + 160];
	clock_gettime(CLOCK_REALTIME, &ev->ts);
	ddgm_count_event(m, ev);
	if(m->textlog) {
		size_t p = m->text_path ? text_prefix(m, ev->ts.tv_sec, line) :
			0;
		int n = ddg_event_format_text(ev, line + p,
			sizeof(line) - p);
		if(n > 0)
			(void)ddg_evlog_write(m->textlog, line, p + (size_t)n);
	}
	if(m->evlog) {
		int n = ddg_event_format_json(ev, line, sizeof(line));
		if(n > 0)
			(void)ddg_evlog_write(m->evlog, line, (size_t)n);
	}
}

/** the event of one client answer, if it involves a listed name */
static void
reply_event(struct ddg_mod* m, struct ddg_listset* ls, int type,
	struct query_info* qinfo, struct module_qstate* qstate,
	struct reply_info* rep, int rcode, struct comm_reply* repinfo,
	struct regional* region, int id, int want_events)
{
	struct sockaddr* client = reply_addr(repinfo);
	struct ddg_qstate* q = NULL;
	struct ddg_decision d;
	struct ddg_event ev;
	struct ddg_chain chain;
	const uint8_t* matched;
	enum ddg_action action;
	enum ddg_match_kind match = DDG_MATCH_QNAME;
	const char* ruleset;
	size_t i;
	int alias = m->conf->check_cname && rep && has_alias(rep);
	if(type == inplace_cb_reply && qstate) {
		if(qs_nomatch(qstate, id) && !alias)
			return; /* decided in op_new: nothing matched */
		q = qs_peek(qstate, id);
	}
	if(!(q && q->applied) && !alias && ddg_policy_may_match(m->policy,
		(const struct ddg_list* const*)ls->lists, ls->n, qinfo->qname,
		qinfo->qname_len) == 0)
		return; /* most answers: the filters say no name matches */
	memset(&chain, 0, sizeof(chain));
	if(q && q->applied) {
		/* the answer this module made */
		action = q->action;
		match = q->match;
		matched = q->matched_name;
		d = q->d;
		chain.n = q->nchain;
		chain.total = q->chain_total;
		for(i = 0; i < chain.n; i++) {
			chain.name[i] = q->chain[i];
			chain.len[i] = 0;
		}
		ruleset = q->ruleset;
	} else {
		struct ddg_chain_rrset stack[RR_STACK];
		struct ddg_chain_rrset* rr = stack;
		struct ddg_chain_result res;
		struct decide_ctx c;
		size_t nrr = 0;
		if(alias)
			nrr = reply_rrsets(rep, 0, stack, region, &rr);
		c.m = m;
		c.ls = ls;
		c.client = client;
		if(ddg_chain_decide(decide_cb, &c, qinfo->qname,
			qinfo->qname_len, rr, nrr, &res) <= 0)
			return; /* the common case: nothing to say */
		if(!action_eventful(res.d.action))
			return;
		d = res.d;
		matched = res.name;
		match = res.index < 0 ? DDG_MATCH_QNAME : DDG_MATCH_CNAME;
		(void)ddg_chain_collect(qinfo->qname, qinfo->qname_len, rr,
			nrr, NULL, NULL, &chain);
		action = d.action;
		if(action_answers(action) && rep &&
			type != inplace_cb_reply_servfail) {
			/* the client got an answer this module did not make:
			 * say so, and say what it really got */
			ddgm_bypass_seen(m, qinfo, type ==
				inplace_cb_reply_cache, client, matched +
				d.zone_off);
			action = DDG_ACTION_LOG;
		} else if(!want_events)
			return;
		if(d.list_index >= 0 && (size_t)d.list_index < ls->n)
			ruleset = ls->ruleset[d.list_index];
		else
			ruleset = m->conf_ruleset;
	}
	if(!action_eventful(action))
		return;
	memset(&ev, 0, sizeof(ev));
	if(rep && rcode == 0)
		rcode = FLAGS_GET_RCODE(rep->flags); /* rcode is 0 for a
			return_msg NXDOMAIN */
	ev.action = action;
	ev.match = match;
	ev.ruleset = ruleset;
	ev.client = client;
	ev.network = ddg_policy_network_name(m->policy, client);
	ev.qname = qinfo->qname;
	ev.qtype = qinfo->qtype;
	ev.rcode = rcode;
	ev.zone = matched + d.zone_off;
	ev.category = d.category;
	ev.nchain = chain.n;
	ev.chain_total = chain.total;
	for(i = 0; i < chain.n; i++)
		ev.chain[i] = chain.name[i];
	ev.cached = (type == inplace_cb_reply_cache);
	emit(m, &ev);
}

/** one reply callback for all types; cbarg is a struct ddgm_cb_arg */
static int
reply_cb(struct query_info* qinfo, struct module_qstate* qstate,
	struct reply_info* rep, int rcode, struct edns_data* edns,
	struct edns_option** opt_list_out, struct comm_reply* repinfo,
	struct regional* region, struct timeval* start_time, int id,
	void* cbarg)
{
	struct ddgm_cb_arg* a = (struct ddgm_cb_arg*)cbarg;
	struct ddg_mod* m = a->m;
	struct ddg_listset* ls;
	int slot, want;
	uint64_t t;
	(void)edns; (void)opt_list_out; (void)start_time;
	if(!m || !qinfo || !repinfo || !qinfo->qname)
		return 1; /* CHAOS answers, internal replies */
	ddgm_count_query(m, a->type);
	want = a->type != inplace_cb_reply_cache || m->conf->log_cache_hits;
	if(!want && !m->may_block && m->conf->fail_mode != DDG_FAIL_CLOSED)
		return 1;
	t = ddgm_time_start(m, DDG_MCALL_REPLY);
	ls = ddgm_read_enter(m, &slot);
	if(a->type == inplace_cb_reply_cache && failing_closed(m, ls)) {
		/* put into the cache after start (load_cache): this one
		 * went out, the next operate() expires them all */
		ddgm_closed_hit(m, qinfo);
	} else if(usable(m, ls))
		reply_event(m, ls, a->type, qinfo, qstate, rep, rcode, repinfo,
			region, id, want);
	ddgm_read_leave(m, slot);
	ddgm_time_stop(m, DDG_MCALL_REPLY, t);
	return 1;
}

/* ---------------------------------------------------------------- */
/* the dynlib entry points                                          */

int
init(struct module_env* env, int id)
{
	struct dynlibmod_env* de = (struct dynlibmod_env*)env->modinfo[id];
	struct ddg_mod* m;
	struct ddg_listset* ls;
	size_t i;
	m = calloc(1, sizeof(*m));
	if(!m) {
		log_err("dyndns-guard: out of memory");
		return 0;
	}
	m->id = id;
	m->env = env;
	pthread_mutex_init(&m->pending_lock, NULL);
	{
		struct timespec ts;
		static uint64_t count = 0;
		clock_gettime(CLOCK_REALTIME, &ts);
		m->instance = ((uint64_t)ts.tv_sec * 1000000000ULL +
			(uint64_t)ts.tv_nsec) ^ ((uint64_t)(uintptr_t)m << 20) ^
			++count;
	}
	if(!mod_load(m)) {
		mod_free(m);
		return 0;
	}
	de->dyn_env = m;
	for(i = 0; i < N_CB; i++) {
		void* fn = cb_types[i] == inplace_cb_query_response ?
			(void*)&response_cb : (void*)&reply_cb;
		m->cbargs[i].m = m;
		m->cbargs[i].type = cb_types[i];
		if(!de->inplace_cb_register_wrapped(fn, cb_types[i],
			&m->cbargs[i], env, id)) {
			log_err("dyndns-guard: could not register a callback");
			return 0; /* deinit deletes those registered */
		}
		m->registered[i] = 1;
	}
	if(!ddgm_watcher_start(m) || !ddgm_metrics_start(m))
		return 0;
	/* names cached before a reload_keep_cache-style reload under what
	 * is now blocked: expire them (no worker runs during init) */
	ls = ddg_listset_current(&m->pub);
	if(failing_closed(m, ls))
		(void)ddgm_expire_all(m, time(NULL)); /* no cache hits either */
	else if(usable(m, ls))
		(void)ddgm_expire_cache(m, ls, time(NULL));
	log_info("dyndns-guard: module %d started (built against Unbound %s), "
		"config %s, mode %s, %u of %u lists loaded, %u zone rules, "
		"%u client networks, reload-check %us", id, DDG_UNBOUND_VERSION,
		m->conf_path, ddg_action_name(m->conf->mode), (unsigned)ls->ok,
		(unsigned)m->conf->nlists, (unsigned)m->conf->nzones,
		(unsigned)m->conf->nnetworks, (unsigned)m->conf->reload_check);
	return 1;
}

void
deinit(struct module_env* env, int id)
{
	struct dynlibmod_env* de = (struct dynlibmod_env*)env->modinfo[id];
	struct ddg_mod* m;
	size_t i;
	if(!de || !de->dyn_env)
		return;
	m = (struct ddg_mod*)de->dyn_env;
	/* the watcher thread must be gone before dlclose */
	ddgm_watcher_stop(m);
	ddgm_metrics_stop(m);
	/* the callback lists live in the daemon env and survive a reload:
	 * delete ours, or every reply fires twice afterwards */
	for(i = 0; i < N_CB; i++) {
		if(m->registered[i])
			de->inplace_cb_delete_wrapped(env, cb_types[i], id);
	}
	de->dyn_env = NULL;
	mod_free(m);
}

/**
 * Block a query that the chain-block memo knows: decide for its clients
 * on the query name and the remembered name of its answer.
 * @return 1 when the query was answered.
 */
static int
chain_memo_apply(struct ddg_mod* m, struct ddg_listset* ls,
	struct module_qstate* qstate, int id)
{
	struct cmemo_slot* c;
	struct ddg_chain_rrset one;
	struct ddg_chain_result res;
	struct ddg_chain chain;
	time_t now = qstate->env->now ? *qstate->env->now : time(NULL);
	if(!(c = cmemo_find(m, ls, &qstate->qinfo, now)))
		return 0;
	memset(&one, 0, sizeof(one));
	one.owner = qstate->qinfo.qname;
	one.owner_len = qstate->qinfo.qname_len;
	one.type = LDNS_RR_TYPE_CNAME;
	one.rdata = c->target;
	one.rdlen = c->tlen;
	if(!decide_clients(m, ls, qstate, &one, 1, &res) ||
		!action_answers(res.d.action))
		return 0; /* not blocked for these clients: resolve */
	memset(&chain, 0, sizeof(chain));
	if(res.index >= 0) {
		chain.name[0] = res.name;
		chain.len[0] = res.len;
		chain.n = 1;
		chain.total = c->total > 1 ? c->total : 1;
	}
	apply(m, ls, qstate, id, &res.d, res.name, res.len, res.index < 0 ?
		DDG_MATCH_QNAME : DDG_MATCH_CNAME, &chain);
	return 1;
}

/** the query arrives (new, or pass with dns64 in front) */
static void
op_new(struct ddg_mod* m, struct ddg_listset* ls,
	struct module_qstate* qstate, int id)
{
	struct ddg_chain_result res;
	qstate->ext_state[id] = module_wait_module;
	if(failing_closed(m, ls)) {
		/* failing closed: nothing is resolved for a client, and
		 * nothing resolved otherwise is kept for one */
		qstate->no_cache_store = 1;
		if(!has_client(qstate))
			return;
		qstate->return_msg = NULL;
		qstate->return_rcode = LDNS_RCODE_SERVFAIL;
		qstate->ext_state[id] = module_finished;
		return;
	}
	if(!has_client(qstate))
		return; /* prefetch, DNSSEC or internal fetch: pass */
	if(!usable(m, ls))
		return;
	if(ddg_policy_may_match(m->policy, (const struct ddg_list* const*)
		ls->lists, ls->n, qstate->qinfo.qname,
		qstate->qinfo.qname_len) == 0) {
		/* most queries: no client's decision can match; only the
		 * chain-block memo may know the name */
		if(m->conf->check_cname && chain_memo_apply(m, ls, qstate, id))
			return;
		if(!qstate->minfo[id])
			qs_tag_nomatch(qstate, id);
		return;
	}
	if(!decide_clients(m, ls, qstate, NULL, 0, &res))
		return;
	if(action_answers(res.d.action)) {
		apply(m, ls, qstate, id, &res.d, qstate->qinfo.qname,
			qstate->qinfo.qname_len, DDG_MATCH_QNAME, NULL);
		return;
	}
	if(m->conf->check_cname && !(res.d.matched && res.d.from_rule &&
		res.d.action == DDG_ACTION_ALLOW) && chain_memo_apply(m, ls,
		qstate, id))
		return;
	if(!res.d.matched) {
		if(!qstate->minfo[id])
			qs_tag_nomatch(qstate, id);
		return;
	}
	if(res.varies) {
		/* another network must not get this answer from the cache */
		struct ddg_qstate* q = qs_get(qstate, id);
		qstate->no_cache_store = 1;
		if(q)
			q->varies = 1;
	}
}

/**
 * The answer comes back from the modules below.  Decided again over the
 * clients attached now and over every name of the answer: identical
 * in-flight queries of other clients may have joined (also a query that
 * started below this module, such as the iterator's look-up of a name
 * server address or a prefetch, which never passed op_new), and a CNAME
 * or DNAME may lead into a listed zone.
 */
static void
op_moddone(struct ddg_mod* m, struct ddg_listset* ls,
	struct module_qstate* qstate, int id)
{
	struct ddg_qstate* q = qs_peek(qstate, id);
	struct ddg_chain_rrset stack[RR_STACK];
	struct ddg_chain_rrset* rr = stack;
	struct ddg_chain_result res;
	struct ddg_chain chain;
	size_t nrr = 0;
	qstate->ext_state[id] = module_finished;
	if(!usable(m, ls) || !has_client(qstate))
		return; /* no client to decide for */
	if(q && q->applied)
		return;
	if(m->conf->check_cname && qstate->return_msg &&
		has_alias(qstate->return_msg->rep))
		nrr = reply_rrsets(qstate->return_msg->rep, 0, stack,
			qstate->region, &rr);
	else if(qs_nomatch(qstate, id))
		return; /* the query name alone, decided in op_new */
	if(!decide_clients(m, ls, qstate, rr, nrr, &res) || !res.d.matched)
		return;
	if(action_answers(res.d.action)) {
		(void)ddg_chain_collect(qstate->qinfo.qname,
			qstate->qinfo.qname_len, rr, nrr, NULL, NULL, &chain);
		if(res.index >= 0 && !res.varies) {
			/* blocked by its answer: do not resolve it again
			 * while that answer would live (TTLs are relative in
			 * return_msg) */
			time_t now = qstate->env->now ? *qstate->env->now :
				time(NULL);
			time_t ttl = (time_t)qstate->return_msg->rep->ttl;
			if(ttl > 3600)
				ttl = 3600;
			cmemo_put(m, ls, &qstate->qinfo, res.name, res.len,
				chain.total, ttl, now);
		}
		/* the iterator or validator may have cached the real answer
		 * (one assembled from cached parts): expire it */
		ddgm_expire_query(qstate);
		apply(m, ls, qstate, id, &res.d, res.name, res.len,
			res.index < 0 ? DDG_MATCH_QNAME : DDG_MATCH_CNAME,
			&chain);
		return;
	}
	if(res.varies && !(q && q->varies))
		ddgm_expire_query(qstate); /* another client may be blocked */
}

void
operate(struct module_qstate* qstate, enum module_ev event, int id,
	struct outbound_entry* outbound)
{
	struct ddg_mod* m = mod_get(qstate->env, id);
	struct ddg_listset* ls;
	int slot;
	uint64_t t;
	(void)outbound;
	if(!m) {
		qstate->ext_state[id] = (event == module_event_moddone) ?
			module_finished : module_wait_module;
		return;
	}
	ddgm_expire_pending(m, qstate->env);
	t = ddgm_time_start(m, DDG_MCALL_OPERATE);
	switch(event) {
	case module_event_new:
	case module_event_pass:
		/* pass is treated like new: with dns64 in front of us we get
		 * pass, not new */
		ls = ddgm_read_enter(m, &slot);
		op_new(m, ls, qstate, id);
		ddgm_read_leave(m, slot);
		ddgm_time_stop(m, DDG_MCALL_OPERATE, t);
		return;
	case module_event_moddone:
		ls = ddgm_read_enter(m, &slot);
		op_moddone(m, ls, qstate, id);
		ddgm_read_leave(m, slot);
		ddgm_time_stop(m, DDG_MCALL_OPERATE, t);
		return;
	default:
		qstate->ext_state[id] = module_error;
		return;
	}
}

void
inform_super(struct module_qstate* qstate, int id,
	struct module_qstate* super)
{
	(void)qstate; (void)id; (void)super;
	/* we start no sub-queries */
}

void
clear(struct module_qstate* qstate, int id)
{
	if(qstate)
		qstate->minfo[id] = NULL; /* region-allocated, freed by Unbound */
}

size_t
get_mem(struct module_env* env, int id)
{
	struct ddg_mod* m = mod_get(env, id);
	size_t threads = 1;
	if(!m)
		return 0;
	if(env->cfg && env->cfg->num_threads > 0)
		threads = (size_t)env->cfg->num_threads;
	/* the module state, lists, configuration, event ring, counters;
	 * and the memos of every worker thread */
	return ddgm_mem(m) + threads * sizeof(tls_cmemo);
}
