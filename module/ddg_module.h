/**
 * \file ddg_module.h
 * Internal interfaces of the Unbound glue (module/): the module-wide state,
 * the published list set with its reclamation scheme, the list watcher and
 * answer synthesis.  Include after Unbound's config.h.  Prefix ddgm_.
 *
 * The list set.  The lists in force are one immutable struct ddg_listset
 * (the core's listset.h: loader, change detection and publication, shared
 * with `checkconf` and `explain`), published through m->pub.  Readers
 * (operate() and the reply callbacks, on every worker thread) bracket each
 * use with ddgm_read_enter() / ddgm_read_leave() (ddg_listset_enter() /
 * ddg_listset_leave()), which cost two stores to a cache line private to
 * the thread; no lock is taken per query.  The thread's reader slot is
 * remembered per publication instance id, not per address: a reload may
 * allocate the new module where the old one was.  The watcher thread
 * (listset.c here) runs ddg_listset_check(), publishes a new set with
 * ddg_listset_publish(), which waits until every reader that could still
 * see the old set has left (epoch-based reclamation), and only then frees
 * the old lists; it logs what happened in the words the core gives and
 * expires the cache entries the new set blocks.  Nothing read from a list
 * set is kept beyond ddgm_read_leave(): per-query state copies what it
 * needs.
 */
#ifndef DDG_MODULE_H
#define DDG_MODULE_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/stat.h>

#include "dyndns-guard/conf.h"
#include "dyndns-guard/event.h"
#include "dyndns-guard/evlog.h"
#include "dyndns-guard/file.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/listset.h"
#include "dyndns-guard/policy.h"

struct module_env;
struct module_qstate;
struct query_info;
struct sockaddr;

/** callback types registered (reply callbacks and the response hook) */
#define DDGM_N_CB 5
/** most cached answers waiting to be expired */
#define DDGM_PENDING 8

/** one cached answer to expire */
struct ddgm_pending {
	/** query name, wire form */
	uint8_t qname[255];
	/** its length */
	size_t qname_len;
	/** query type and class */
	uint16_t qtype, qclass;
};

/** argument of a registered reply callback; owned by struct ddg_mod */
struct ddgm_cb_arg {
	/** the module state */
	struct ddg_mod* m;
	/** the callback type (enum inplace_cb_list_type) */
	int type;
};

/** module-wide state, kept in dynlibmod_env.dyn_env; the configuration
 * and policy are read-only between init and deinit */
struct ddg_mod {
	/** module id */
	int id;
	/** Unbound's environment (daemon env) */
	struct module_env* env;
	/** callback arguments, one per type */
	struct ddgm_cb_arg cbargs[DDGM_N_CB];
	/** which reply callback types were registered (for deinit) */
	int registered[DDGM_N_CB];
	/** path of dyndns-guard.conf */
	char conf_path[PATH_MAX];
	/** identity for zone: rule decisions: the config file's basename */
	char conf_ruleset[DDG_EVENT_RULESET_LEN];
	/** the configuration */
	struct ddg_conf* conf;
	/** the policy built from it */
	struct ddg_policy* policy;
	/** JSON event writer, or NULL */
	struct ddg_evlog* evlog;
	/** the text lines of events (log-text: yes), or NULL: appended to
	 * Unbound's log file by a writer thread, each line with Unbound's
	 * own prefix (text_path set), or handed to Unbound's logger by it
	 * (syslog, stderr) */
	struct ddg_evlog* textlog;
	/** Unbound's log file, when the text writer appends to it */
	char* text_path;
	/** identity of that file when opened (to notice a rotation) */
	struct ddg_file_id text_id;
	/** the prefix of Unbound's log lines: identity and process id, as
	 * "unbound[1234:0] info: " (thread 0: the writer's) */
	char text_prefix[96];
	/** its length */
	size_t text_prefix_len;
	/** Unbound's log-time-ascii: yes */
	int text_time_ascii;
	/** Ed25519 public key for list signatures (struct ddg_sign_key*),
	 * or NULL */
	void* pubkey;
	/** identity of the event file when opened (to notice logrotate) */
	struct ddg_file_id log_id;

	/** the list set in force, its reader slots and epoch */
	struct ddg_listset_pub pub;

	/** watcher thread */
	pthread_t watcher;
	/** 1 when the watcher thread runs */
	int watcher_running;
	/** the thread that checks the suffix filters of the lists loaded at
	 * start (at nice 10), joined by the watcher before it
	 * replaces any list, and at stop */
	pthread_t filters;
	/** 1 while filters is to be joined */
	int filters_running;
	/** stop request and its wakeup */
	pthread_mutex_t stop_lock;
	/** signalled on stop */
	pthread_cond_t stop_cond;
	/** 1 when the watcher must stop */
	int stop;
	/** replacements published */
	_Atomic uint64_t replacements;
	/** replacements refused */
	_Atomic uint64_t refusals;
	/** identity of this module instance for the per-thread memo (a
	 * reload makes a new instance, maybe at the same address) */
	uint64_t instance;
	/** 1 when some zone, category, network or mode blocks or
	 * sinkholes: cache hits are then checked even without events */
	int may_block;

	/** cached answers to expire at the next operate() (a cache hit
	 * served the real data of a blocked name; the reply callback that
	 * saw it runs under cache locks and cannot expire it itself) */
	struct ddgm_pending pending[DDGM_PENDING];
	/** number of pending entries; DDGM_PENDING + 1 when some did not
	 * fit (the whole cache is then checked), DDGM_PENDING + 2 when the
	 * whole cache is to be expired (failing closed) */
	_Atomic int npending;
	/** protects pending */
	pthread_mutex_t pending_lock;
	/** second of the last bypass warning, and warnings in it */
	_Atomic int64_t warn_sec;
	/** warnings in warn_sec */
	_Atomic int warn_count;
	/** metrics-file: counters and writer (ddgm_metrics.h), or NULL */
	struct ddgm_metrics* metrics;
};

/**
 * Enter a read-side critical section on the list set.
 * @param m: the module.
 * @param slot: set to this thread's reader slot, for ddgm_read_leave().
 * @return the list set in force; valid until ddgm_read_leave().
 */
static inline struct ddg_listset*
ddgm_read_enter(struct ddg_mod* m, int* slot)
{
	return ddg_listset_enter(&m->pub, slot);
}

/**
 * Leave the read-side critical section entered by ddgm_read_enter().
 * @param m: the module.
 * @param slot: the slot ddgm_read_enter() returned.
 */
static inline void
ddgm_read_leave(struct ddg_mod* m, int slot)
{
	ddg_listset_leave(&m->pub, slot);
}

/**
 * Load the lists of the configuration into a new list set by the core's
 * loader (ddg_listset_load_late(): each list validated but for its
 * suffix filter, which the filter check thread checks afterwards, and its
 * signature checked when the configuration asks for one), logging each.
 * Lists that fail are logged with file and defect and left NULL.
 * @param m: the module (conf and pubkey set).
 * @return the new set, or NULL when out of memory.
 */
struct ddg_listset* ddgm_listset_load(struct ddg_mod* m);

/**
 * Load the Ed25519 public key of the configuration, if any.
 * @return 1 on success (or no key configured), 0 on error (logged).
 */
int ddgm_pubkey_load(struct ddg_mod* m);

/**
 * Start the watcher thread that replaces lists changed on disk and
 * reopens a rotated event file, every reload-check: seconds (0 disables
 * it), and the thread that checks the suffix filters of the lists loaded
 * at start (DDG_LIST_LATE_FILTER) and puts them to use.
 * @return 1 on success, 0 on error (logged).
 */
int ddgm_watcher_start(struct ddg_mod* m);

/**
 * Remember the identity of the event file just opened, so that the
 * watcher reopens it by its path after logrotate renamed it.
 */
void ddgm_note_logfile(struct ddg_mod* m);

/**
 * Remember the identity of Unbound's log file the text writer appends to,
 * so that the watcher reopens it by its path after it was rotated.
 */
void ddgm_note_textfile(struct ddg_mod* m);

/**
 * Stop and join the watcher thread (and the filter check thread).  Safe
 * when they never started.
 */
void ddgm_watcher_stop(struct ddg_mod* m);

/**
 * Expire the message-cache entries whose answer the given list set now
 * blocks or sinkholes (or decides differently per client network), as
 * unbound-control flush_zone does; the rest of the cache stays.  Must not
 * be called from a reply callback (the worker holds cache locks there).
 * @param m: the module.
 * @param ls: the newly published list set.
 * @param now: the current time.
 * @return the number of entries expired.
 */
size_t ddgm_expire_cache(struct ddg_mod* m, struct ddg_listset* ls,
	time_t now);

/**
 * Answer a query with the block or sinkhole answer for a matched zone:
 * NXDOMAIN with SOA or block-rcode, A/AAAA sinkhole addresses, NODATA
 * with SOA; EDE 15 unless ede: no; never cached.
 * @param m: the module.
 * @param qstate: the query.
 * @param action: DDG_ACTION_BLOCK or DDG_ACTION_SINKHOLE.
 * @param zone: the matched zone in wire form.
 * @return 1 on success, 0 when out of memory.
 */
int ddgm_synthesize(struct ddg_mod* m, struct module_qstate* qstate,
	enum ddg_action action, const uint8_t* zone);

/**
 * Expire the message-cache entries of one query (both CD states), so the
 * next identical query misses the cache and reaches operate().
 * @param qstate: the query; called from operate() only.
 */
void ddgm_expire_query(struct module_qstate* qstate);

/**
 * Note that a client was served the real data of a name its policy blocks
 * (a cache hit that no decision could stop): warn in Unbound's log
 * (rate-limited), and have the cached answer expired by the next
 * operate().  Called from reply callbacks; takes a mutex only on this
 * path, which the cache hygiene makes exceptional.
 * @param m: the module.
 * @param qinfo: the query.
 * @param cached: 1 for a cache hit.
 * @param client: the client's address.
 * @param zone: the zone that blocks it, wire form.
 */
void ddgm_bypass_seen(struct ddg_mod* m, const struct query_info* qinfo,
	int cached, const struct sockaddr* client, const uint8_t* zone);

/**
 * Note a cache hit served while failing closed (an answer put into the
 * cache after start, by unbound-control load_cache): warn (rate-limited)
 * and have the next operate() expire the whole message cache.
 * @param m: the module.
 * @param qinfo: the query.
 */
void ddgm_closed_hit(struct ddg_mod* m, const struct query_info* qinfo);

/**
 * Expire the cached answers noted by ddgm_bypass_seen(); one relaxed load
 * when there are none.  Called at the start of operate().
 * @param m: the module.
 * @param env: the worker's module environment.
 */
void ddgm_expire_pending(struct ddg_mod* m, struct module_env* env);

/**
 * Expire every message-cache entry (fail-mode: closed without a usable
 * list: no cached answer may be served either).
 * @param m: the module.
 * @param now: the current time.
 * @return the number of entries expired.
 */
size_t ddgm_expire_all(struct ddg_mod* m, time_t now);

#endif /* DDG_MODULE_H */
