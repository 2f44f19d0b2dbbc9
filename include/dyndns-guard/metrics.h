/**
 * \file metrics.h
 * Counters of the module for metrics-file:, and their Prometheus text
 * exposition.  The metrics are listed in docs/module.md, "Metrics".
 *
 * Counting.  Every counter lives in a counter block of its own per thread:
 * the first time a thread counts into a struct ddg_metrics it takes the
 * next free block (one atomic increment, once per thread and instance) and
 * keeps it in thread-local storage; from then on a count is a load and a
 * store to memory only that thread writes (cache-line aligned, so threads
 * never share a line).  No lock, no allocation, no system call.  Threads
 * beyond the blocks made at ddg_metrics_new() share one overflow block,
 * counted with atomic additions (and a mutex for its tables): correct, only
 * slower.
 *
 * Matches are also counted per category, client network and zone, in
 * fixed-size tables per block (DDG_METRICS_CATEGORIES, _NETWORKS, _ZONES
 * keys each); a key that finds its block's table full is counted under
 * "(other)" (zones: as untracked), so the totals stay exact.
 *
 * Timing.  ddg_metrics_time_start() measures one call in DDG_METRICS_SAMPLE
 * per thread and call kind, with clock_gettime(CLOCK_MONOTONIC), which the
 * vDSO answers without a system call on the usual clock sources (TSC,
 * kvm-clock, arch timer).  Unsampled calls cost an increment.
 *
 * Reading.  ddg_metrics_collect() (any thread, typically the metrics
 * writer) sums the blocks with relaxed atomic loads while the counting
 * goes on; every counter it reports is one that was counted, none is lost
 * or seen twice, and each is monotonic from one collection to the next.
 *
 * Writing.  ddg_metrics_format() prints a report (the collected counters,
 * the lists in force, the event writer's counters) in the Prometheus text
 * exposition format, version 0.0.4; ddg_metrics_write() writes it to a
 * temporary file in the directory of the target, then renames it over the
 * target, so a reader (the node exporter's textfile collector) always sees
 * one complete file.
 *
 * No Unbound header is needed.
 */
#ifndef DDG_METRICS_H
#define DDG_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "dyndns-guard/conf.h"
#include "dyndns-guard/evlog.h"

/** one call in this many is timed, per thread and call kind (power of 2) */
#define DDG_METRICS_SAMPLE 64
/** category keys each counter block holds */
#define DDG_METRICS_CATEGORIES 48
/** client network keys each counter block holds */
#define DDG_METRICS_NETWORKS 192
/** zone keys each counter block holds */
#define DDG_METRICS_ZONES 384
/** zones printed, those with the most matches */
#define DDG_METRICS_TOP_ZONES 20
/** finite histogram buckets of the call duration */
#define DDG_METRICS_BUCKETS 11
/** label value for matches of clients in no client network */
#define DDG_METRICS_NO_NETWORK "(none)"
/** label value for keys that found their table full */
#define DDG_METRICS_OTHER "(other)"

/** where the answer to a client came from (Unbound's reply callback) */
enum ddg_metrics_source {
	DDG_MSRC_RESOLVED = 0,	/**< resolved (mesh answer) */
	DDG_MSRC_CACHE,		/**< Unbound's message cache */
	DDG_MSRC_LOCAL,		/**< local-zone, local-data or auth-zone */
	DDG_MSRC_SERVFAIL,	/**< SERVFAIL from the mesh */
	DDG_MSRC_N		/**< number of sources */
};

/** which call of the module is timed */
enum ddg_metrics_call {
	DDG_MCALL_OPERATE = 0,	/**< operate(): a query arrives or returns */
	DDG_MCALL_REPLY,	/**< a reply callback: an answer goes out */
	DDG_MCALL_N		/**< number of call kinds */
};

/** the counters of one instance (opaque) */
struct ddg_metrics;

/** one key of a breakdown and its count */
struct ddg_metrics_key {
	/** the key: a category or network name, or a zone in wire form
	 * (lowercase); not NUL-terminated */
	uint8_t key[256];
	/** its length */
	size_t len;
	/** its count */
	uint64_t count;
};

/** the sums of every counter block, made by ddg_metrics_collect() */
struct ddg_metrics_snapshot {
	/** client answers seen, by source */
	uint64_t queries[DDG_MSRC_N];
	/** matches (events), by enum ddg_action (LOG, SINKHOLE, BLOCK) */
	uint64_t matches[DDG_ACTION_BLOCK + 1];
	/** answers that carried real data of a name blocked for their client
	 * (a cache hit no decision could stop) */
	uint64_t bypass;
	/** timed calls per bucket (not cumulative); index
	 * DDG_METRICS_BUCKETS is the one above the last bound */
	uint64_t hist[DDG_MCALL_N][DDG_METRICS_BUCKETS + 1];
	/** nanoseconds of the timed calls */
	uint64_t hist_sum_ns[DDG_MCALL_N];
	/** matches by category, sorted by name */
	struct ddg_metrics_key *cats;
	/** number of cats */
	size_t ncats;
	/** matches by client network name (DDG_METRICS_NO_NETWORK for
	 * none), sorted by name */
	struct ddg_metrics_key *nets;
	/** number of nets */
	size_t nnets;
	/** matches by zone, sorted by count (descending), then name */
	struct ddg_metrics_key *zones;
	/** number of zones */
	size_t nzones;
	/** category and network matches that found a table full */
	uint64_t cats_other, nets_other;
	/** zone matches that found a table full */
	uint64_t zones_other;
};

/** one configured list, for the report */
struct ddg_metrics_list {
	/** its path as configured */
	const char *path;
	/** 1 when a list from it is in force */
	int loaded;
	/** the rest only when loaded: identity as in events (rule.ruleset) */
	const char *ruleset;
	/** lowercase hex SHA-256 */
	const char *sha256_hex;
	/** format version */
	uint32_t version;
	/** entries */
	uint64_t entries;
	/** categories */
	uint64_t categories;
	/** size of the list in memory (its file), bytes */
	uint64_t size;
	/** creation time stored in the list, seconds since the epoch */
	uint64_t created;
	/** when the module read and validated it */
	time_t loaded_at;
};

/** everything one metrics file says; all pointers borrowed */
struct ddg_metrics_report {
	/** the collected counters */
	const struct ddg_metrics_snapshot *snap;
	/** the time of the report (list ages are computed from it) */
	time_t now;
	/** when the module instance started */
	time_t start;
	/** the Unbound version the module is built for, or NULL */
	const char *unbound_version;
	/** the configured lists */
	const struct ddg_metrics_list *lists;
	/** number of lists */
	size_t nlists;
	/** 1 when failing closed (lists configured, none usable, fail-mode:
	 * closed) */
	int failing_closed;
	/** generation of the list set in force */
	uint64_t generation;
	/** list set replacements published */
	uint64_t replacements;
	/** list replacements refused */
	uint64_t refusals;
	/** 1 when log-file: is set: the event writer's counters follow */
	int have_evlog;
	/** the event writer's counters */
	struct ddg_evlog_stats evlog;
	/** memory of the module, bytes (as get_mem reports it) */
	uint64_t memory;
	/** metrics files that could not be written so far */
	uint64_t write_errors;
};

/**
 * Make the counters of one module instance.
 * @param nthreads: counter blocks to make (threads that count without
 *	sharing one); at least 1.
 * @param id: identity of the instance, not 0, different from that of any
 *	earlier instance in this process (a thread that counted into an
 *	earlier instance, maybe at the same address, takes a new block).
 * @return the counters, all zero, or NULL when out of memory.
 */
struct ddg_metrics *ddg_metrics_new(unsigned nthreads, uint64_t id);

/**
 * Free the counters.  No thread may count into them any more.
 * @param mx: the counters, or NULL.
 */
void ddg_metrics_free(struct ddg_metrics *mx);

/**
 * Memory of the counters, bytes.
 * @param mx: the counters, or NULL (0).
 */
size_t ddg_metrics_mem(const struct ddg_metrics *mx);

/**
 * Count an answer to a client.
 * @param mx: the counters, or NULL (nothing is counted).
 * @param src: where the answer came from.
 */
void ddg_metrics_query(struct ddg_metrics *mx, enum ddg_metrics_source src);

/**
 * Count a match (one event).
 * @param mx: the counters, or NULL.
 * @param action: the action the client got (LOG, SINKHOLE, BLOCK; others
 *	are ignored).
 * @param zone: the matched zone in wire form (any case), or NULL.
 * @param category: the category, or NULL (not counted by category).
 * @param network: the client's network name, or NULL for none.
 */
void ddg_metrics_match(struct ddg_metrics *mx, enum ddg_action action,
	const uint8_t *zone, const char *category, const char *network);

/**
 * Count an answer that carried real data of a name blocked for its client.
 * @param mx: the counters, or NULL.
 */
void ddg_metrics_bypass(struct ddg_metrics *mx);

/**
 * Start timing a call, if it is the one in DDG_METRICS_SAMPLE to time.
 * @param mx: the counters, or NULL (0).
 * @param call: which call.
 * @return the start (CLOCK_MONOTONIC nanoseconds, never 0), or 0 when this
 *	call is not timed.
 */
uint64_t ddg_metrics_time_start(struct ddg_metrics *mx,
	enum ddg_metrics_call call);

/**
 * Count the duration of a call timed by ddg_metrics_time_start().
 * @param mx: the counters, or NULL.
 * @param call: which call.
 * @param start: what ddg_metrics_time_start() returned (0: nothing).
 */
void ddg_metrics_time_stop(struct ddg_metrics *mx, enum ddg_metrics_call call,
	uint64_t start);

/**
 * Count a duration directly (tests).
 * @param mx: the counters, or NULL.
 * @param call: which call.
 * @param ns: the duration, nanoseconds.
 */
void ddg_metrics_time_add(struct ddg_metrics *mx, enum ddg_metrics_call call,
	uint64_t ns);

/**
 * Sum every counter block.  May run while other threads count.
 * @param mx: the counters.
 * @param out: filled; free its arrays with ddg_metrics_snapshot_clear().
 * @return DDG_OK or DDG_ERR_NOMEM (out then holds no arrays).
 */
int ddg_metrics_collect(struct ddg_metrics *mx,
	struct ddg_metrics_snapshot *out);

/**
 * Free the arrays of a snapshot and zero it.
 * @param s: the snapshot.
 */
void ddg_metrics_snapshot_clear(struct ddg_metrics_snapshot *s);

/**
 * Upper bound of a histogram bucket, as printed in its le label.
 * @param i: 0..DDG_METRICS_BUCKETS (the last is "+Inf").
 * @return a static string such as "0.000001".
 */
const char *ddg_metrics_bucket_le(size_t i);

/**
 * Print a report in the Prometheus text exposition format: every metric
 * with # HELP and # TYPE, label values escaped (backslash, double quote,
 * newline, and bytes outside printable ASCII as \\DDD).
 * @param out: the stream.
 * @param r: the report.
 * @return DDG_OK or DDG_ERR_IO when writing failed.
 */
int ddg_metrics_format(FILE *out, const struct ddg_metrics_report *r);

/**
 * Write a report to a file atomically: to ".NAME.XXXXXX" in the file's
 * directory (mode 0644), then rename(2) over the file.  On failure the
 * temporary file is removed and the file is left as it was.
 * @param path: the metrics file.
 * @param r: the report.
 * @param err: buffer of errlen bytes, filled on failure with
 *	"PATH: reason".
 * @param errlen: size of err.
 * @return DDG_OK, DDG_ERR_IO or DDG_ERR_INVAL (a path without a file
 *	name, or too long).
 */
int ddg_metrics_write(const char *path, const struct ddg_metrics_report *r,
	char *err, size_t errlen);

#endif /* DDG_METRICS_H */
