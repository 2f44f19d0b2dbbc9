/**
 * \file listset.c
 * The lists in force, the Unbound-bound part: the core's loader and change
 * detection (lib/listset.c) logging to Unbound's log, the watcher thread
 * that publishes a replaced list, the reopening of a rotated event file
 * or Unbound log file, and expiry of the message-cache entries a new list
 * blocks.  See ddg_module.h for the scheme.
 */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <arpa/inet.h>

#include "services/cache/dns.h"
#include "services/cache/rrset.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/log.h"
#include "util/module.h"
#include "util/storage/slabhash.h"
#include "util/locks.h"
#include "sldns/rrdef.h"

#include "dyndns-guard/chain.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/sign.h"
#include "ddg_module.h"

/* ---------------------------------------------------------------- */
/* loading                                                          */

/** ddg_listset_log_fn to Unbound's log: the core's words, prefixed */
static void
listset_log(void* arg, const struct ddg_listset_msg* msg)
{
	struct ddg_mod* m = (struct ddg_mod*)arg;
	if(msg->what == DDG_LISTSET_REFUSED)
		atomic_fetch_add(&m->refusals, 1);
	switch(msg->level) {
	case DDG_LISTSET_ERR:
		log_err("dyndns-guard: %s", msg->text);
		break;
	case DDG_LISTSET_INFO:
		log_info("dyndns-guard: %s", msg->text);
		break;
	default:
		verbose(VERB_OPS, "dyndns-guard: %s", msg->text);
		break;
	}
}

int
ddgm_pubkey_load(struct ddg_mod* m)
{
	char err[DDG_ERR_LEN];
	struct ddg_sign_key* k = NULL;
	if(!m->conf->public_key) {
		/* the signature rule, asked before any list is opened */
		if(ddg_sign_accept(NULL, m->conf->require_signature, NULL, 0,
			NULL, err, sizeof(err)) == DDG_SIGN_REFUSED) {
			log_err("dyndns-guard: %s: %s", m->conf_path, err);
			return 0;
		}
		return 1;
	}
	if(ddg_sign_load_public(m->conf->public_key, &k, err, sizeof(err))
		!= DDG_OK) {
		log_err("dyndns-guard: public-key: %s", err);
		return 0;
	}
	m->pubkey = k;
	return 1;
}

struct ddg_listset*
ddgm_listset_load(struct ddg_mod* m)
{
	/* the suffix filters are checked afterwards, by filters_main() */
	return ddg_listset_load_late(m->conf,
		(const struct ddg_sign_key*)m->pubkey, &listset_log, m);
}

/* ---------------------------------------------------------------- */
/* message-cache expiry                                             */

/** traversal state */
struct expire_arg {
	struct ddg_mod* m;
	struct ddg_listset* ls;
	time_t expired;
	/** 1: every message expires */
	int all;
	/** messages expired */
	size_t count;
	/** RRsets expired */
	size_t rrsets;
};

/** ddg_chain_decide_fn over the policy, for no client */
static int
expire_decide(void* arg, const uint8_t* name, size_t len,
	struct ddg_decision* d)
{
	struct expire_arg* a = (struct expire_arg*)arg;
	return ddg_policy_decide(a->m->policy,
		(const struct ddg_list* const*)a->ls->lists, a->ls->n, NULL,
		name, len, d, NULL);
}

/** whether a name's data must no longer come from the cache */
static int
must_expire(struct expire_arg* a, const uint8_t* name, size_t len)
{
	if(ddg_name_wire_len(name, len) <= 0)
		return 0;
	return ddg_chain_blocked_somewhere(expire_decide, a, name, len);
}

/** whether an RRset (key and data locked by the caller) holds data of a
 * name that must not come from the cache: its owner, or the target of a
 * CNAME or DNAME */
static int
rrset_must_expire(struct expire_arg* a, struct ub_packed_rrset_key* rk)
{
	struct packed_rrset_data* d;
	uint16_t t;
	if(!rk->rk.dname)
		return 0;
	if(must_expire(a, rk->rk.dname, rk->rk.dname_len))
		return 1;
	t = ntohs(rk->rk.type);
	d = (struct packed_rrset_data*)rk->entry.data;
	if((t == LDNS_RR_TYPE_CNAME || t == LDNS_RR_TYPE_DNAME) && d &&
		d->count >= 1 && d->rr_len[0] > 2)
		return must_expire(a, d->rr_data[0] + 2, d->rr_len[0] - 2);
	return 0;
}

/** slabhash_traverse callback over the message cache; the entry is
 * write-locked */
static void
expire_entry(struct lruhash_entry* e, void* arg)
{
	struct expire_arg* a = (struct expire_arg*)arg;
	struct msgreply_entry* k = (struct msgreply_entry*)e->key;
	struct reply_info* rep = (struct reply_info*)e->data;
	int hit = 0;
	size_t i;
	if(!rep || (rep->ttl <= a->expired &&
		rep->serve_expired_ttl <= a->expired))
		return;
	hit = a->all || must_expire(a, k->key.qname, k->key.qname_len);
	/* every RRset of the answer, in any section; rrset keys are
	 * recycled by the rrset cache, so read one only under its lock and
	 * with a matching id, in Unbound's lock order (message, then
	 * rrset) */
	for(i = 0; !hit && i < rep->rrset_count; i++) {
		struct ub_packed_rrset_key* rk = rep->ref[i].key;
		if(!rk)
			continue;
		lock_rw_rdlock(&rk->entry.lock);
		if(rk->id == rep->ref[i].id && rk->id != 0)
			hit = rrset_must_expire(a, rk);
		lock_rw_unlock(&rk->entry.lock);
	}
	if(hit) {
		rep->ttl = a->expired;
		rep->prefetch_ttl = a->expired;
		rep->serve_expired_ttl = a->expired;
		a->count++;
	}
}

/** slabhash_traverse callback over the RRset cache; the entry is
 * write-locked.  Expired as unbound-control flush_zone does. */
static void
expire_rrset(struct lruhash_entry* e, void* arg)
{
	struct expire_arg* a = (struct expire_arg*)arg;
	struct ub_packed_rrset_key* rk = (struct ub_packed_rrset_key*)e->key;
	struct packed_rrset_data* d = (struct packed_rrset_data*)e->data;
	size_t i;
	if(!d || d->ttl <= a->expired || !rrset_must_expire(a, rk))
		return;
	d->ttl = a->expired;
	for(i = 0; i < d->count + d->rrsig_count; i++)
		d->rr_ttl[i] = a->expired;
	a->rrsets++;
}

size_t
ddgm_expire_cache(struct ddg_mod* m, struct ddg_listset* ls, time_t now)
{
	struct expire_arg a;
	if(!m->env || !m->env->msg_cache)
		return 0;
	memset(&a, 0, sizeof(a));
	a.m = m;
	a.ls = ls;
	a.expired = now - 3; /* as flush_zone does */
	slabhash_traverse(m->env->msg_cache, 1, &expire_entry, &a);
	if(m->env->rrset_cache)
		slabhash_traverse(&m->env->rrset_cache->table, 1,
			&expire_rrset, &a);
	return a.count + a.rrsets;
}

size_t
ddgm_expire_all(struct ddg_mod* m, time_t now)
{
	struct expire_arg a;
	if(!m->env || !m->env->msg_cache)
		return 0;
	memset(&a, 0, sizeof(a));
	a.m = m;
	a.all = 1;
	a.expired = now - 3;
	slabhash_traverse(m->env->msg_cache, 1, &expire_entry, &a);
	return a.count;
}

/* ---------------------------------------------------------------- */
/* the watcher                                                      */

/**
 * One check: replace the lists whose file changed (ddg_listset_check()),
 * publish the new set, free the old one once no reader can see it, and
 * expire the cached answers the new set blocks.  A list that fails keeps
 * its predecessor serving: that is the copy in memory, read and validated
 * when it was loaded, whatever happened to its file since.
 */
static void
check_lists(struct ddg_mod* m, struct ddg_listset_watch* w)
{
	struct ddg_listset* cur = ddg_listset_current(&m->pub);
	struct ddg_listset* ls = NULL;
	struct timespec t0, t1, t2;
	size_t n;
	int changed;
	changed = ddg_listset_check(cur, m->conf,
		(const struct ddg_sign_key*)m->pubkey, w, &ls, &listset_log, m);
	if(changed <= 0 || !ls)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cur = ddg_listset_publish(&m->pub, ls);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ddg_listset_retire(cur, ls);
	atomic_fetch_add(&m->replacements, 1);
	n = ddgm_expire_cache(m, ls, time(NULL));
	clock_gettime(CLOCK_MONOTONIC, &t2);
	log_info("dyndns-guard: list set %llu in force (%u changed); "
		"old lists released after %.1f ms; %u cached "
		"answers expired in %.1f ms",
		(unsigned long long)ls->generation, (unsigned)changed,
		(t1.tv_sec - t0.tv_sec) * 1e3 +
		(t1.tv_nsec - t0.tv_nsec) / 1e6, (unsigned)n,
		(t2.tv_sec - t1.tv_sec) * 1e3 +
		(t2.tv_nsec - t1.tv_nsec) / 1e6);
}

void
ddgm_note_logfile(struct ddg_mod* m)
{
	if(m->conf->log_file)
		ddg_file_id_get(m->conf->log_file, &m->log_id);
}

/** reopen the event file when it was renamed or removed (logrotate) */
static void
check_logfile(struct ddg_mod* m)
{
	struct ddg_file_id id;
	if(!m->evlog || !m->conf->log_file)
		return;
	ddg_file_id_get(m->conf->log_file, &id);
	if(id.present && id.dev == m->log_id.dev && id.ino == m->log_id.ino)
		return;
	ddg_evlog_reopen(m->evlog);
	/* the writer thread reopens it; note the new one next time */
	if(id.present)
		m->log_id = id;
	else
		memset(&m->log_id, 0, sizeof(m->log_id));
	verbose(VERB_OPS, "dyndns-guard: event file %s reopened",
		m->conf->log_file);
}

/** reopen Unbound's log file, which the text writer appends to, when it
 * was renamed or removed */
static void
check_textfile(struct ddg_mod* m)
{
	struct ddg_file_id id;
	if(!m->textlog || !m->text_path)
		return;
	ddg_file_id_get(m->text_path, &id);
	if(id.present && id.dev == m->text_id.dev &&
		id.ino == m->text_id.ino)
		return;
	ddg_evlog_reopen(m->textlog);
	if(id.present)
		m->text_id = id;
	else
		memset(&m->text_id, 0, sizeof(m->text_id));
}

void
ddgm_note_textfile(struct ddg_mod* m)
{
	if(m->text_path)
		ddg_file_id_get(m->text_path, &m->text_id);
}

/** whether a configured list is not in force (missing or refused) */
static int
missing_lists(struct ddg_mod* m)
{
	struct ddg_listset* cur = ddg_listset_current(&m->pub);
	return cur->ok < cur->n;
}

/**
 * The filter check thread: check and put to use the suffix filters of the
 * lists loaded at start (ddg_listset_load_late()); until then their
 * lookups search the list for every suffix, no deeper than the deepest
 * entry.  It runs at nice 10, so that the workers answer first on a busy
 * core and it still ends within about a second when they keep the core
 * busy (it gets about a tenth of it against nice 0); the watcher joins it
 * before it replaces (and retires) any list.
 */
static void*
filters_main(void* arg)
{
	struct ddg_mod* m = (struct ddg_mod*)arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
#ifdef SYS_gettid
	/* Linux: the nice value of this thread alone */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
#endif
	ddg_listset_check_filters(ddg_listset_current(&m->pub),
		(const char* const*)m->conf->lists, &listset_log, m);
	return NULL;
}

/** join the filter check thread, if it was started */
static void
filters_join(struct ddg_mod* m)
{
	if(!m->filters_running)
		return;
	pthread_join(m->filters, NULL);
	m->filters_running = 0;
}

/** the watcher thread */
static void*
watcher_main(void* arg)
{
	struct ddg_mod* m = (struct ddg_mod*)arg;
	struct ddg_listset_watch* w;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	w = ddg_listset_watch_new(m->conf->nlists);
	if(!w) {
		log_err("dyndns-guard: out of memory: list watcher stopped");
		return NULL;
	}
	pthread_mutex_lock(&m->stop_lock);
	while(!m->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		/* with reload-check: 0 the watcher only runs until every
		 * list could be loaded, trying each second */
		until.tv_sec += m->conf->reload_check ? m->conf->reload_check
			: 1;
		while(!m->stop && pthread_cond_timedwait(&m->stop_cond,
			&m->stop_lock, &until) != ETIMEDOUT)
			;
		if(m->stop)
			break;
		pthread_mutex_unlock(&m->stop_lock);
		/* no list is replaced before its filter check ended */
		filters_join(m);
		check_lists(m, w);
		check_logfile(m);
		check_textfile(m);
		/* also when no query misses the cache */
		ddgm_expire_pending(m, m->env);
		pthread_mutex_lock(&m->stop_lock);
		if(m->conf->reload_check == 0 && !missing_lists(m)) {
			log_info("dyndns-guard: every list is loaded; "
				"reload-check: 0, so no further checks");
			break;
		}
	}
	pthread_mutex_unlock(&m->stop_lock);
	ddg_listset_watch_free(w);
	return NULL;
}

int
ddgm_watcher_start(struct ddg_mod* m)
{
	int r;
	pthread_mutex_init(&m->stop_lock, NULL);
	pthread_cond_init(&m->stop_cond, NULL);
	m->stop = 0;
	m->filters_running = 0;
	if(ddg_listset_current(&m->pub)->ok > 0) {
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		r = pthread_create(&m->filters, NULL, &filters_main, m);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if(r != 0) {
			/* the lists serve without their filters: slower */
			log_err("dyndns-guard: cannot start the filter check: "
				"%s; lookups go on without the suffix filter",
				strerror(r));
		} else
			m->filters_running = 1;
	}
	if(m->conf->nlists == 0 && !m->conf->log_file)
		return 1;
	if(m->conf->reload_check == 0 && !missing_lists(m))
		return 1; /* nothing to watch; a missing list is retried */
	if(m->conf->reload_check == 0)
		log_warn("dyndns-guard: reload-check: 0, but a list is not "
			"loaded: trying it every second until it is");
	r = pthread_create(&m->watcher, NULL, &watcher_main, m);
	if(r != 0) {
		log_err("dyndns-guard: cannot start the list watcher: %s",
			strerror(r));
		return 0;
	}
	m->watcher_running = 1;
	return 1;
}

void
ddgm_watcher_stop(struct ddg_mod* m)
{
	if(!m->watcher_running) {
		filters_join(m);
		return;
	}
	pthread_mutex_lock(&m->stop_lock);
	m->stop = 1;
	pthread_cond_signal(&m->stop_cond);
	pthread_mutex_unlock(&m->stop_lock);
	pthread_join(m->watcher, NULL);
	m->watcher_running = 0;
	filters_join(m);
}
