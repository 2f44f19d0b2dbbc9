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

#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/event.h"
#include "dyndns-guard/evlog.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/policy.h"
#include "dyndns-guard/sign.h"
#include "ddg_module.h"

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

/** the reply callback types we register, and delete again in deinit */
static const enum inplace_cb_list_type reply_cb_types[] = {
	inplace_cb_reply,		/* answers from the mesh */
	inplace_cb_reply_cache,		/* cache hits (qstate is NULL) */
	inplace_cb_reply_local,		/* local and auth zone answers */
	inplace_cb_reply_servfail	/* SERVFAIL answers */
};
#define N_REPLY_CB (sizeof(reply_cb_types)/sizeof(reply_cb_types[0]))
_Static_assert(N_REPLY_CB == DDGM_N_REPLY_CB, "reply callback count");

/** most CNAME/DNAME targets examined in one answer */
#define MAX_CHAIN DDG_EVENT_MAXCHAIN

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
	/** the CNAME chain of the answer (region copies), for events */
	uint8_t* chain[MAX_CHAIN];
	/** number of chain elements */
	size_t nchain;
	/** 1 when the qname's action differs between client networks */
	int varies;
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

/** dirname of a path into out ("." when it has no slash) */
static void
dir_of(const char* path, char* out, size_t outlen)
{
	const char* s = strrchr(path, '/');
	if(!s)
		snprintf(out, outlen, ".");
	else if(s == path)
		snprintf(out, outlen, "/");
	else
		snprintf(out, outlen, "%.*s", (int)(s - path), path);
}

/**
 * Where dyndns-guard.conf is: $DYNDNS_GUARD_CONF, else next to the
 * unbound.conf this daemon was started with (its -c argument, read from
 * /proc/self/cmdline), else next to Unbound's compiled-in default.
 * @return 1 when the path was set explicitly (a missing file is an error).
 */
static int
find_conf_path(char* out, size_t outlen)
{
	const char* e = getenv(DDG_CONF_ENV);
	char cmd[8192], dir[PATH_MAX];
	const char* unbound_conf = CONFIGFILE;
	FILE* f;
	size_t n = 0;
	if(e && *e) {
		snprintf(out, outlen, "%s", e);
		return 1;
	}
	f = fopen("/proc/self/cmdline", "r");
	if(f) {
		n = fread(cmd, 1, sizeof(cmd) - 1, f);
		fclose(f);
	}
	if(n > 0) {
		size_t i = 0;
		cmd[n] = 0;
		while(i < n) {
			const char* a = cmd + i;
			size_t al = strlen(a);
			if(strcmp(a, "-c") == 0 && i + al + 1 < n) {
				unbound_conf = cmd + i + al + 1;
				break;
			}
			if(strncmp(a, "-c", 2) == 0 && al > 2) {
				unbound_conf = a + 2;
				break;
			}
			i += al + 1;
		}
	}
	dir_of(unbound_conf, dir, sizeof(dir));
	if(snprintf(out, outlen, "%s/dyndns-guard.conf", dir) >= (int)outlen)
		log_warn("dyndns-guard: configuration path too long");
	return 0;
}

/** free everything the module state holds */
static void
mod_free(struct ddg_mod* m)
{
	if(!m)
		return;
	if(m->evlog)
		ddg_evlog_close(m->evlog);
	ddgm_listset_free(atomic_load(&m->cur));
	ddg_sign_key_free((struct ddg_sign_key*)m->pubkey);
	ddg_policy_free(m->policy);
	ddg_conf_free(m->conf);
	free(m);
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
	int explicit_path = find_conf_path(m->conf_path, sizeof(m->conf_path));
	struct ddgm_listset* ls;
	int r;
	FILE* f = fopen(m->conf_path, "r");
	if(!f && errno == ENOENT && !explicit_path) {
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
	r = ddg_policy_new(m->conf, &m->policy, err, sizeof(err));
	if(r != DDG_OK) {
		log_err("dyndns-guard: %s: %s", m->conf_path, err);
		return 0;
	}
	{
		const char* b = strrchr(m->conf_path, '/');
		if(snprintf(m->conf_ruleset, sizeof(m->conf_ruleset), "%s",
			b ? b + 1 : m->conf_path) >= (int)sizeof(m->conf_ruleset))
			m->conf_ruleset[sizeof(m->conf_ruleset) - 2] = '~';
	}
	if(!ddgm_pubkey_load(m))
		return 0;
	ls = ddgm_listset_load(m);
	if(!ls) {
		log_err("dyndns-guard: out of memory");
		return 0;
	}
	atomic_store(&m->cur, ls);
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
	return 1;
}

/* ---------------------------------------------------------------- */
/* decisions                                                        */

/** whether an action changes the answer */
static int
action_answers(enum ddg_action a)
{
	return a == DDG_ACTION_BLOCK || a == DDG_ACTION_SINKHOLE;
}

/** whether an action produces an event */
static int
action_eventful(enum ddg_action a)
{
	return a == DDG_ACTION_LOG || action_answers(a);
}

/** whether there is anything to match */
static int
usable(struct ddg_mod* m, struct ddgm_listset* ls)
{
	return (ls && ls->ok > 0) || m->conf->nzones > 0;
}

/*
 * The no-match memo.  Most answers, above all cache hits, are for names
 * that match nothing, and the same names come back again and again (that
 * is why they are cached).  Whether a name matches does not depend on the
 * client, only on the zone: rules and the list set; so each worker thread
 * remembers the exact names (bytes as asked, length) that matched nothing
 * under this module instance and list set generation, in a small
 * direct-mapped table in its own memory.  A hit costs a hash and a memcmp
 * instead of a list lookup that, with a large list, waits on main memory.
 * Entries are compared exactly: there are no false answers, only misses.
 */
#define MEMO_SLOTS 512
#define MEMO_MAXNAME 94
struct memo_slot {
	uint64_t instance;	/* module instance that wrote it */
	uint64_t generation;	/* list set generation */
	uint8_t len;		/* name length, 0 = empty */
	uint8_t name[MEMO_MAXNAME + 1];
};
/* dynamic TLS of this module: glibc allocates it on a thread's first use
 * and frees it when the thread ends or the module is unloaded */
static __thread struct memo_slot tls_memo[MEMO_SLOTS];

/** the memo slot of a name: a multiply-xor hash, eight bytes at a time */
static struct memo_slot*
memo_slot(const uint8_t* name, size_t len)
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
	return &tls_memo[h & (MEMO_SLOTS - 1)];
}

/** the policy decision for one client and name */
static int
decide(struct ddg_mod* m, struct ddgm_listset* ls,
	const struct sockaddr* client, const uint8_t* name, size_t len,
	struct ddg_decision* d)
{
	struct memo_slot* s = NULL;
	int r;
	if(len <= MEMO_MAXNAME && (s = memo_slot(name, len)) != NULL &&
		s->len == len && s->instance == m->instance &&
		s->generation == ls->generation &&
		memcmp(s->name, name, len) == 0) {
		memset(d, 0, sizeof(*d));
		d->list_index = -1;
		d->rule_index = -1;
		d->network = -1;
		return 0;
	}
	r = ddg_policy_decide(m->policy,
		(const struct ddg_list* const*)ls->lists, ls->n, client, name,
		len, d, NULL);
	if(r == 0 && s) {
		s->instance = m->instance;
		s->generation = ls->generation;
		s->len = (uint8_t)len;
		memcpy(s->name, name, len);
	}
	return r;
}

/**
 * Decide on a name for every client attached to the query; the stricter
 * action wins (merged in-flight queries of different clients).
 * @return 1 if there is at least one client, else 0 (d untouched).
 */
static int
decide_clients(struct ddg_mod* m, struct ddgm_listset* ls,
	struct module_qstate* qstate, const uint8_t* name, size_t name_len,
	struct ddg_decision* d)
{
	struct mesh_reply* r;
	struct ddg_decision cur;
	int n = 0;
	if(!qstate->mesh_info)
		return 0;
	for(r = qstate->mesh_info->reply_list; r; r = r->next) {
		if(decide(m, ls, reply_addr(&r->query_reply), name, name_len,
			&cur) < 0)
			return 0; /* invalid name: leave it to Unbound */
		if(n == 0) {
			*d = cur;
		} else {
			int varies = d->varies_by_client ||
				cur.varies_by_client;
			if(cur.action != d->action && ddg_action_stricter(
				d->action, cur.action) == cur.action)
				*d = cur;
			d->varies_by_client = varies;
		}
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

/** per-query state, allocated on first use */
static struct ddg_qstate*
qs_get(struct module_qstate* qstate, int id)
{
	struct ddg_qstate* q = (struct ddg_qstate*)qstate->minfo[id];
	if(q)
		return q;
	q = regional_alloc_zero(qstate->region, sizeof(*q));
	qstate->minfo[id] = q;
	return q;
}

/** apply a block or sinkhole decision on name (the qname or a CNAME
 * target); finishes the query */
static void
apply(struct ddg_mod* m, struct ddgm_listset* ls,
	struct module_qstate* qstate, int id, const struct ddg_decision* d,
	const uint8_t* name, size_t name_len, enum ddg_match_kind match,
	uint8_t** chain, size_t nchain)
{
	struct ddg_qstate* q = qs_get(qstate, id);
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
	q->nchain = nchain;
	if(nchain)
		memcpy(q->chain, chain, nchain * sizeof(chain[0]));
}

/**
 * The CNAME and DNAME targets of an answer, in answer order.
 * @return the number of targets (pointers into rep's rdata).
 */
static size_t
answer_chain(struct reply_info* rep, const uint8_t** out, size_t max)
{
	size_t i, n = 0;
	if(!rep)
		return 0;
	for(i = 0; i < rep->an_numrrsets && i < rep->rrset_count && n < max;
		i++) {
		struct ub_packed_rrset_key* k = rep->rrsets[i];
		struct packed_rrset_data* d;
		uint16_t t;
		if(!k || !(d = (struct packed_rrset_data*)k->entry.data))
			continue;
		t = ntohs(k->rk.type);
		if(t != LDNS_RR_TYPE_CNAME && t != LDNS_RR_TYPE_DNAME)
			continue;
		if(d->count < 1 || d->rr_len[0] < 3)
			continue;
		/* rr_data[0]: 2-byte rdlength, then the target name */
		if(ddg_name_wire_len(d->rr_data[0] + 2, d->rr_len[0] - 2) < 0)
			continue;
		out[n++] = d->rr_data[0] + 2;
	}
	return n;
}

/** check the CNAME/DNAME chain of the answer on the way back */
static void
check_chain(struct ddg_mod* m, struct ddgm_listset* ls,
	struct module_qstate* qstate, int id)
{
	const uint8_t* chain[MAX_CHAIN];
	uint8_t* copies[MAX_CHAIN];
	size_t n, i;
	int varies = 0;
	if(!qstate->return_msg)
		return;
	n = answer_chain(qstate->return_msg->rep, chain, MAX_CHAIN);
	for(i = 0; i < n; i++) {
		struct ddg_decision d;
		int len = ddg_name_wire_len(chain[i], DDG_NAME_MAXWIRE);
		if(len < 0 || !decide_clients(m, ls, qstate, chain[i],
			(size_t)len, &d))
			continue;
		varies |= d.varies_by_client;
		if(action_answers(d.action)) {
			size_t j;
			for(j = 0; j < n; j++) {
				int l = ddg_name_wire_len(chain[j],
					DDG_NAME_MAXWIRE);
				copies[j] = regional_alloc_init(qstate->region,
					chain[j], (size_t)(l < 0 ? 1 : l));
				if(!copies[j])
					return;
			}
			/* the iterator and validator cached the real
			 * answer already: expire it */
			ddgm_expire_query(qstate);
			apply(m, ls, qstate, id, &d, chain[i], (size_t)len,
				DDG_MATCH_CNAME, copies, n);
			return;
		}
	}
	if(varies)
		ddgm_expire_query(qstate); /* another client may be blocked */
}

/* ---------------------------------------------------------------- */
/* events                                                           */

/** write one event to Unbound's log and the JSON file */
static void
emit(struct ddg_mod* m, struct ddg_event* ev)
{
	char line[DDG_EVENT_LINE_MIN];
	clock_gettime(CLOCK_REALTIME, &ev->ts);
	if(ddg_event_format_text(ev, line, sizeof(line)) > 0)
		log_info("%s", line);
	if(m->evlog) {
		int n = ddg_event_format_json(ev, line, sizeof(line));
		if(n > 0)
			(void)ddg_evlog_write(m->evlog, line, (size_t)n);
	}
}

/** the event of one client answer, if it involves a listed name */
static void
reply_event(struct ddg_mod* m, struct ddgm_listset* ls, int type,
	struct query_info* qinfo, struct module_qstate* qstate,
	struct reply_info* rep, int rcode, struct comm_reply* repinfo, int id)
{
	struct sockaddr* client = reply_addr(repinfo);
	struct ddg_qstate* q = NULL;
	struct ddg_decision d;
	struct ddg_event ev;
	const uint8_t* chain[MAX_CHAIN];
	const uint8_t* matched;
	enum ddg_action action;
	enum ddg_match_kind match = DDG_MATCH_QNAME;
	const char* ruleset;
	size_t n = 0, i;
	if(type == inplace_cb_reply && qstate)
		q = (struct ddg_qstate*)qstate->minfo[id];
	if(q && q->applied) {
		/* the answer this module made */
		action = q->action;
		match = q->match;
		matched = q->matched_name;
		d = q->d;
		n = q->nchain;
		for(i = 0; i < n; i++)
			chain[i] = q->chain[i];
		ruleset = q->ruleset;
	} else {
		if(decide(m, ls, client, qinfo->qname, qinfo->qname_len, &d)
			< 0)
			return;
		matched = qinfo->qname;
		if(m->conf->check_cname && rep)
			n = answer_chain(rep, chain, MAX_CHAIN);
		if(!action_eventful(d.action)) {
			/* the qname is not flagged: a CNAME target may be */
			if(d.matched)
				return; /* allow / off: final */
			for(i = 0; i < n; i++) {
				int l = ddg_name_wire_len(chain[i],
					DDG_NAME_MAXWIRE);
				if(l < 0 || decide(m, ls, client, chain[i],
					(size_t)l, &d) < 0)
					continue;
				if(action_eventful(d.action))
					break;
			}
			if(i == n)
				return; /* the common case: nothing to say */
			matched = chain[i];
			match = DDG_MATCH_CNAME;
		}
		action = d.action;
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
	ev.nchain = n;
	for(i = 0; i < n; i++)
		ev.chain[i] = chain[i];
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
	struct ddgm_listset* ls;
	int slot;
	(void)edns; (void)opt_list_out; (void)region; (void)start_time;
	if(!m || !qinfo || !repinfo || !qinfo->qname)
		return 1; /* CHAOS answers, internal replies */
	if(a->type == inplace_cb_reply_cache && !m->conf->log_cache_hits)
		return 1;
	ls = ddgm_read_enter(m, &slot);
	if(usable(m, ls))
		reply_event(m, ls, a->type, qinfo, qstate, rep, rcode, repinfo,
			id);
	ddgm_read_leave(m, slot);
	return 1;
}

/* ---------------------------------------------------------------- */
/* the dynlib entry points                                          */

int
init(struct module_env* env, int id)
{
	struct dynlibmod_env* de = (struct dynlibmod_env*)env->modinfo[id];
	struct ddg_mod* m;
	struct ddgm_listset* ls;
	size_t i;
	m = calloc(1, sizeof(*m));
	if(!m) {
		log_err("dyndns-guard: out of memory");
		return 0;
	}
	m->id = id;
	m->env = env;
	atomic_init(&m->epoch, 1);
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
	for(i = 0; i < N_REPLY_CB; i++) {
		m->cbargs[i].m = m;
		m->cbargs[i].type = reply_cb_types[i];
		if(!de->inplace_cb_register_wrapped((void*)&reply_cb,
			reply_cb_types[i], &m->cbargs[i], env, id)) {
			log_err("dyndns-guard: could not register a reply "
				"callback");
			return 0; /* deinit deletes those registered */
		}
		m->registered[i] = 1;
	}
	if(!ddgm_watcher_start(m))
		return 0;
	/* names cached before a reload_keep_cache-style reload under what
	 * is now blocked: expire them (no worker runs during init) */
	ls = atomic_load(&m->cur);
	if(usable(m, ls))
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
	/* the callback lists live in the daemon env and survive a reload:
	 * delete ours, or every reply fires twice afterwards */
	for(i = 0; i < N_REPLY_CB; i++) {
		if(m->registered[i])
			de->inplace_cb_delete_wrapped(env, reply_cb_types[i], id);
	}
	de->dyn_env = NULL;
	mod_free(m);
}

/** the query arrives (new, or pass with dns64 in front) */
static void
op_new(struct ddg_mod* m, struct ddgm_listset* ls,
	struct module_qstate* qstate, int id)
{
	struct ddg_decision d;
	qstate->ext_state[id] = module_wait_module;
	if(!has_client(qstate))
		return; /* prefetch, DNSSEC or internal fetch: pass */
	if(m->conf->nlists > 0 && ls->ok == 0 &&
		m->conf->fail_mode == DDG_FAIL_CLOSED) {
		qstate->return_msg = NULL;
		qstate->return_rcode = LDNS_RCODE_SERVFAIL;
		qstate->ext_state[id] = module_finished;
		return;
	}
	if(!usable(m, ls))
		return;
	if(!decide_clients(m, ls, qstate, qstate->qinfo.qname,
		qstate->qinfo.qname_len, &d) || !d.matched)
		return;
	if(action_answers(d.action)) {
		apply(m, ls, qstate, id, &d, qstate->qinfo.qname,
			qstate->qinfo.qname_len, DDG_MATCH_QNAME, NULL, 0);
		return;
	}
	if(d.varies_by_client) {
		/* another network must not get this answer from the cache */
		struct ddg_qstate* q = qs_get(qstate, id);
		qstate->no_cache_store = 1;
		if(q)
			q->varies = 1;
	}
}

/** the answer comes back from the modules below */
static void
op_moddone(struct ddg_mod* m, struct ddgm_listset* ls,
	struct module_qstate* qstate, int id)
{
	struct ddg_qstate* q = (struct ddg_qstate*)qstate->minfo[id];
	struct ddg_decision d;
	qstate->ext_state[id] = module_finished;
	if(!usable(m, ls) || !has_client(qstate) ||
		qstate->mesh_info->super_set.count > 0)
		return; /* the iterator's sub-queries: never touched */
	if(q && q->applied)
		return;
	if(q && q->varies) {
		/* clients of a stricter network may have joined the query */
		if(decide_clients(m, ls, qstate, qstate->qinfo.qname,
			qstate->qinfo.qname_len, &d) &&
			action_answers(d.action))
			apply(m, ls, qstate, id, &d, qstate->qinfo.qname,
				qstate->qinfo.qname_len, DDG_MATCH_QNAME,
				NULL, 0);
		return;
	}
	if(m->conf->check_cname) {
		/* a listed qname decided already (log, allow or off) */
		if(decide_clients(m, ls, qstate, qstate->qinfo.qname,
			qstate->qinfo.qname_len, &d) && d.matched)
			return;
		check_chain(m, ls, qstate, id);
	}
}

void
operate(struct module_qstate* qstate, enum module_ev event, int id,
	struct outbound_entry* outbound)
{
	struct ddg_mod* m = mod_get(qstate->env, id);
	struct ddgm_listset* ls;
	int slot;
	(void)outbound;
	if(!m) {
		qstate->ext_state[id] = (event == module_event_moddone) ?
			module_finished : module_wait_module;
		return;
	}
	switch(event) {
	case module_event_new:
	case module_event_pass:
		/* pass is treated like new: with dns64 in front of us we get
		 * pass, not new */
		ls = ddgm_read_enter(m, &slot);
		op_new(m, ls, qstate, id);
		ddgm_read_leave(m, slot);
		return;
	case module_event_moddone:
		ls = ddgm_read_enter(m, &slot);
		op_moddone(m, ls, qstate, id);
		ddgm_read_leave(m, slot);
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
	if(!m)
		return 0;
	/* the lists are mapped files, shared through the page cache, not
	 * heap */
	return sizeof(*m);
}
