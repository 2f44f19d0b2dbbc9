/**
 * \file ddgm_metrics.h
 * The module's metrics-file: the counting hooks of the query path and the
 * writer thread (module/metrics.c).  Include after ddg_module.h.
 *
 * Without metrics-file: the module makes no counters (m->metrics is NULL)
 * and every hook is one test of that pointer.  With it, a hook counts into
 * the calling worker's own counter block (see dyndns-guard/metrics.h): no
 * lock, no allocation, no system call.  A thread of the module's own wakes
 * every metrics-interval: seconds, sums the blocks and writes the file.
 */
#ifndef DDGM_METRICS_H
#define DDGM_METRICS_H

#include <pthread.h>
#include <time.h>

#include "dyndns-guard/metrics.h"

struct ddg_event;

/** a configured list as the writer last copied it */
struct ddgm_metrics_list {
	/** what the report says */
	struct ddg_metrics_list l;
	/** storage of l.ruleset */
	char ruleset[DDG_EVENT_RULESET_LEN];
	/** storage of l.sha256_hex */
	char sha256[65];
};

/** the metrics of a module instance (m->metrics) */
struct ddgm_metrics {
	/** the counters */
	struct ddg_metrics* counters;
	/** when the instance started */
	time_t start;
	/** the lists, copied at each write (conf->nlists entries) */
	struct ddgm_metrics_list* lists;
	/** the writer thread */
	pthread_t thread;
	/** 1 when it runs */
	int running;
	/** protects stop */
	pthread_mutex_t lock;
	/** signalled on stop (CLOCK_MONOTONIC) */
	pthread_cond_t cond;
	/** 1 when the writer must stop */
	int stop;
	/** files that could not be written */
	uint64_t write_errors;
	/** the per-thread memos get_mem adds to ddgm_mem(), taken in init */
	size_t thread_mem;
	/** failed writes since the last report, and when that was */
	uint64_t unreported;
	/** time of the last failure report, 0 when writing works */
	time_t failing_since;
	/** time of the last failure report */
	time_t last_report;
};

/**
 * Make the counters, write the metrics file once (so a path that cannot
 * be written fails the start, as a log-file: does) and start the writer
 * thread.  Nothing happens without metrics-file:.  Called from init(),
 * with the module state set in the dynlib environment.
 * @param m: the module.
 * @return 1 on success (or no metrics-file:), 0 on error (logged).
 */
int ddgm_metrics_start(struct ddg_mod* m);

/**
 * Stop the writer thread, write the file a last time and free the
 * counters.  Safe when they were never made.  Called from deinit(), while
 * no worker runs, before the module state leaves the dynlib environment.
 * @param m: the module.
 */
void ddgm_metrics_stop(struct ddg_mod* m);

/**
 * The module's memory (what get_mem reports without the per-thread
 * memos): the module state, the lists in force, the configuration and
 * policy, the event ring, the counters.
 * @param m: the module.
 * @return bytes.
 */
size_t ddgm_mem(struct ddg_mod* m);

/** count an answer to a client; type is the reply callback's type */
void ddgm_metrics_query_(struct ddg_mod* m, int type);
/** count an event */
void ddgm_metrics_event_(struct ddg_mod* m, const struct ddg_event* ev);

/** count an answer to a client (reply callback of type `type`) */
static inline void
ddgm_count_query(struct ddg_mod* m, int type)
{
	if(m->metrics)
		ddgm_metrics_query_(m, type);
}

/** count a match: the event written for it */
static inline void
ddgm_count_event(struct ddg_mod* m, const struct ddg_event* ev)
{
	if(m->metrics)
		ddgm_metrics_event_(m, ev);
}

/** count an answer with real data the policy does not allow */
static inline void
ddgm_count_bypass(struct ddg_mod* m)
{
	if(m->metrics)
		ddg_metrics_bypass(m->metrics->counters);
}

/** start timing a call (one in DDG_METRICS_SAMPLE); 0 when not timed */
static inline uint64_t
ddgm_time_start(struct ddg_mod* m, enum ddg_metrics_call call)
{
	return m->metrics ? ddg_metrics_time_start(m->metrics->counters, call)
		: 0;
}

/** count the duration of a call timed by ddgm_time_start() */
static inline void
ddgm_time_stop(struct ddg_mod* m, enum ddg_metrics_call call, uint64_t t)
{
	if(t && m->metrics)
		ddg_metrics_time_stop(m->metrics->counters, call, t);
}

#endif /* DDGM_METRICS_H */
