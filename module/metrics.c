/**
 * \file metrics.c
 * metrics-file: in the module: the counting hooks the query path calls,
 * the module's memory for get_mem, and the writer thread that sums the
 * per-thread counters every metrics-interval: seconds and writes the
 * Prometheus text file (lib/metrics.c formats and writes it).  See
 * ddgm_metrics.h; the metrics are listed in docs/module.md, "Metrics".
 */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/config_file.h"
#include "util/log.h"
#include "util/module.h"

#include "dyndns-guard/err.h"
#include "dyndns-guard/event.h"
#include "dyndns-guard/metrics.h"
#include "ddg_module.h"
#include "ddgm_metrics.h"

/* the module's get_mem entry point (dyndns_guard.c) */
size_t get_mem(struct module_env* env, int id);

/** least time between two reports of a failing metrics file, seconds */
#define REPORT_INTERVAL 60

void
ddgm_metrics_query_(struct ddg_mod* m, int type)
{
	enum ddg_metrics_source s;
	switch(type) {
	case inplace_cb_reply_cache:
		s = DDG_MSRC_CACHE;
		break;
	case inplace_cb_reply_local:
		s = DDG_MSRC_LOCAL;
		break;
	case inplace_cb_reply_servfail:
		s = DDG_MSRC_SERVFAIL;
		break;
	default:
		s = DDG_MSRC_RESOLVED;
		break;
	}
	ddg_metrics_query(m->metrics->counters, s);
}

void
ddgm_metrics_event_(struct ddg_mod* m, const struct ddg_event* ev)
{
	ddg_metrics_match(m->metrics->counters, ev->action, ev->zone,
		ev->category, ev->network);
}

size_t
ddgm_mem(struct ddg_mod* m)
{
	struct ddg_listset* ls;
	size_t n = sizeof(*m), i, len;
	int slot;
	ls = ddgm_read_enter(m, &slot);
	if(ls) {
		/* the lists are private copies in memory */
		n += sizeof(*ls) + ls->n * (sizeof(*ls->lists) +
			sizeof(*ls->ruleset) + sizeof(*ls->ids) +
			sizeof(*ls->loaded));
		for(i = 0; i < ls->n; i++)
			if(ls->lists[i] && ddg_list_data(ls->lists[i], &len))
				n += len;
	}
	ddgm_read_leave(m, slot);
	n += ddg_conf_mem(m->conf) + ddg_policy_mem(m->policy) +
		ddg_evlog_mem(m->evlog);
	if(m->metrics)
		n += sizeof(*m->metrics) + ddg_metrics_mem(m->metrics->counters) +
			m->conf->nlists * sizeof(*m->metrics->lists);
	return n;
}

/** copy what the report says about the lists in force */
static void
copy_lists(struct ddg_mod* m, struct ddg_metrics_report* r)
{
	struct ddgm_metrics* mm = m->metrics;
	struct ddg_listset* ls;
	size_t i;
	int slot;
	ls = ddgm_read_enter(m, &slot);
	for(i = 0; i < m->conf->nlists; i++) {
		struct ddgm_metrics_list* c = &mm->lists[i];
		struct ddg_list* l = ls && i < ls->n ? ls->lists[i] : NULL;
		memset(&c->l, 0, sizeof(c->l));
		c->l.path = m->conf->lists[i];
		c->l.ruleset = c->ruleset;
		c->l.sha256_hex = c->sha256;
		if(l) {
			struct ddg_list_info info;
			ddg_list_info(l, &info);
			c->l.loaded = 1;
			c->l.version = info.version;
			c->l.entries = info.entries;
			c->l.categories = info.categories;
			c->l.size = info.file_size;
			c->l.created = info.created;
			c->l.loaded_at = ls->loaded[i];
			memcpy(c->sha256, info.sha256_hex, sizeof(c->sha256));
			memcpy(c->ruleset, ls->ruleset[i], sizeof(c->ruleset));
			c->ruleset[sizeof(c->ruleset) - 1] = 0;
		}
	}
	r->generation = ls ? ls->generation : 0;
	r->failing_closed = m->conf->nlists > 0 && ls && ls->ok == 0 &&
		m->conf->fail_mode == DDG_FAIL_CLOSED;
	ddgm_read_leave(m, slot);
	/* mm->lists[i].l is the report's array element by element */
	r->nlists = m->conf->nlists;
}

/**
 * Collect and write the metrics file once.
 * @param m: the module.
 * @param err: filled on failure.
 * @param errlen: its size.
 */
static int
write_once(struct ddg_mod* m, char* err, size_t errlen)
{
	struct ddgm_metrics* mm = m->metrics;
	struct ddg_metrics_snapshot snap;
	struct ddg_metrics_report r;
	struct ddg_metrics_list* lists = NULL;
	size_t i;
	int res;
	if(ddg_metrics_collect(mm->counters, &snap) != DDG_OK) {
		snprintf(err, errlen, "%s: out of memory",
			m->conf->metrics_file);
		return DDG_ERR_NOMEM;
	}
	memset(&r, 0, sizeof(r));
	r.snap = &snap;
	r.start = mm->start;
	r.unbound_version = DDG_UNBOUND_VERSION;
	copy_lists(m, &r);
	if(r.nlists > 0) {
		lists = calloc(r.nlists, sizeof(*lists));
		if(!lists) {
			ddg_metrics_snapshot_clear(&snap);
			snprintf(err, errlen, "%s: out of memory",
				m->conf->metrics_file);
			return DDG_ERR_NOMEM;
		}
		for(i = 0; i < r.nlists; i++)
			lists[i] = mm->lists[i].l;
	}
	r.lists = lists;
	r.replacements = atomic_load(&m->replacements);
	r.refusals = atomic_load(&m->refusals);
	if(m->evlog) {
		r.have_evlog = 1;
		ddg_evlog_stats(m->evlog, &r.evlog);
	}
	/* what get_mem reports, without reading Unbound's configuration: at
	 * a reload and at exit Unbound frees it while this thread runs */
	r.memory = ddgm_mem(m) + mm->thread_mem;
	r.write_errors = mm->write_errors;
	r.now = time(NULL);
	res = ddg_metrics_write(m->conf->metrics_file, &r, err, errlen);
	free(lists);
	ddg_metrics_snapshot_clear(&snap);
	return res;
}

/** write the file from the writer thread; failures are reported in
 * Unbound's log at once, then at most once a minute while they last,
 * and once when writing works again */
static void
write_report(struct ddg_mod* m)
{
	struct ddgm_metrics* mm = m->metrics;
	char err[DDG_ERR_LEN];
	time_t now;
	if(write_once(m, err, sizeof(err)) == DDG_OK) {
		if(mm->failing_since) {
			log_warn("dyndns-guard: metrics-file: %s: writing works "
				"again", m->conf->metrics_file);
			mm->failing_since = 0;
			mm->unreported = 0;
		}
		return;
	}
	mm->write_errors++;
	mm->unreported++;
	now = time(NULL);
	if(!mm->failing_since) {
		mm->failing_since = now;
		mm->last_report = now;
		mm->unreported = 0;
		log_err("dyndns-guard: metrics-file: %s; trying again every "
			"%u s", err, (unsigned)m->conf->metrics_interval);
	} else if(now - mm->last_report >= REPORT_INTERVAL) {
		log_err("dyndns-guard: metrics-file: %s (%llu more failed "
			"writes)", err, (unsigned long long)mm->unreported);
		mm->last_report = now;
		mm->unreported = 0;
	}
}

/** the writer thread */
static void*
metrics_main(void* arg)
{
	struct ddg_mod* m = (struct ddg_mod*)arg;
	struct ddgm_metrics* mm = m->metrics;
	struct timespec until;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	clock_gettime(CLOCK_MONOTONIC, &until);
	pthread_mutex_lock(&mm->lock);
	while(!mm->stop) {
		until.tv_sec += m->conf->metrics_interval;
		while(!mm->stop && pthread_cond_timedwait(&mm->cond, &mm->lock,
			&until) != ETIMEDOUT)
			;
		if(mm->stop)
			break;
		pthread_mutex_unlock(&mm->lock);
		write_report(m);
		pthread_mutex_lock(&mm->lock);
		{
			/* after a long stall, the next write is one interval
			 * from now, not a burst of missed ones */
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			if(now.tv_sec > until.tv_sec)
				until = now;
		}
	}
	pthread_mutex_unlock(&mm->lock);
	return NULL;
}

/** free the metrics of a module */
static void
metrics_free(struct ddg_mod* m)
{
	struct ddgm_metrics* mm = m->metrics;
	if(!mm)
		return;
	m->metrics = NULL;
	ddg_metrics_free(mm->counters);
	free(mm->lists);
	pthread_cond_destroy(&mm->cond);
	pthread_mutex_destroy(&mm->lock);
	free(mm);
}

int
ddgm_metrics_start(struct ddg_mod* m)
{
	struct ddgm_metrics* mm;
	pthread_condattr_t ca;
	char err[DDG_ERR_LEN];
	unsigned nthreads = 1;
	int r;
	if(!m->conf->metrics_file)
		return 1;
	if(m->env && m->env->cfg && m->env->cfg->num_threads > 0)
		nthreads = (unsigned)m->env->cfg->num_threads;
	mm = calloc(1, sizeof(*mm));
	if(!mm) {
		log_err("dyndns-guard: out of memory");
		return 0;
	}
	pthread_mutex_init(&mm->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&mm->cond, &ca);
	pthread_condattr_destroy(&ca);
	mm->start = time(NULL);
	mm->counters = ddg_metrics_new(nthreads, m->instance ? m->instance : 1);
	mm->lists = calloc(m->conf->nlists ? m->conf->nlists : 1,
		sizeof(*mm->lists));
	m->metrics = mm;
	if(!mm->counters || !mm->lists) {
		metrics_free(m);
		log_err("dyndns-guard: out of memory");
		return 0;
	}
	/* the per-thread part of get_mem, while Unbound's configuration
	 * (num-threads) is sure to be there */
	mm->thread_mem = get_mem(m->env, m->id) - ddgm_mem(m);
	/* a file that cannot be written is a configuration error */
	if(write_once(m, err, sizeof(err)) != DDG_OK) {
		metrics_free(m);
		log_err("dyndns-guard: metrics-file: %s", err);
		return 0;
	}
	r = pthread_create(&mm->thread, NULL, &metrics_main, m);
	if(r != 0) {
		metrics_free(m);
		log_err("dyndns-guard: cannot start the metrics writer: %s",
			strerror(r));
		return 0;
	}
	mm->running = 1;
	verbose(VERB_OPS, "dyndns-guard: metrics-file %s, every %u s",
		m->conf->metrics_file, (unsigned)m->conf->metrics_interval);
	return 1;
}

void
ddgm_metrics_stop(struct ddg_mod* m)
{
	struct ddgm_metrics* mm = m->metrics;
	char err[DDG_ERR_LEN];
	if(!mm)
		return;
	if(mm->running) {
		pthread_mutex_lock(&mm->lock);
		mm->stop = 1;
		pthread_cond_signal(&mm->cond);
		pthread_mutex_unlock(&mm->lock);
		pthread_join(mm->thread, NULL);
		mm->running = 0;
		/* the final counts: no worker runs now */
		if(write_once(m, err, sizeof(err)) != DDG_OK)
			log_err("dyndns-guard: metrics-file: %s", err);
	}
	metrics_free(m);
}
