/**
 * \file report.h
 * dyndns-guard report: the state shared by the reading and counting part
 * (cmd_report.c) and the output part (report_out.c): the options, the
 * bounded tables and their payloads.
 */
#ifndef DDG_TOOLS_REPORT_H
#define DDG_TOOLS_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dyndns-guard/beacon.h"
#include "dyndns-guard/sketch.h"

/** actions counted: log, block, sinkhole */
#define NACT 3
/** index of log in the action counts */
#define ACT_LOG 0
/** index of block */
#define ACT_BLOCK 1
/** index of sinkhole */
#define ACT_SINKHOLE 2
/** bins of a timeline */
#define TL_BINS 128
/** distinct malformed-line reasons counted one by one */
#define MAXREASONS 48

/** counts of one zone, category, client or network */
struct estat {
	/** events by action */
	uint64_t act[NACT];
	/** first and last event, ms */
	int64_t first, last;
	/** distinct query names */
	struct ddg_distinct names;
	/** distinct clients (zones, categories, networks) or distinct
	 * zones (clients) */
	struct ddg_distinct other;
};

/** a zone: its counts, its would-block counts, its timeline */
struct zstat {
	/** all events */
	struct estat e;
	/** distinct names of its log events */
	struct ddg_distinct wb_names;
	/** distinct clients of its log events */
	struct ddg_distinct wb_clients;
	/** first and last log event, ms */
	int64_t wb_first, wb_last;
	/** events per timeline bin, by action */
	uint32_t tl[NACT][TL_BINS];
};

/** a query name: for the beacon test's popularity discount */
struct nstat {
	/** distinct clients that looked it up */
	struct ddg_distinct clients;
};

/** a (client, name) pair: beacon statistics, first seen */
struct pstat {
	/** interval statistics */
	struct ddg_beacon b;
	/** events by action */
	uint64_t act[NACT];
	/** first and last event, ms */
	int64_t first, last;
	/** the zone of its first event (malloc'd) */
	char *zone;
	/** 1 when the pair was in a baseline or before --since */
	int seen_before;
	/** events per timeline bin (saturating) */
	uint16_t tl[TL_BINS];
};

/** a (zone, client) pair of log events: would-block */
struct wstat {
	/** first and last, ms */
	int64_t first, last;
	/** distinct names */
	struct ddg_distinct names;
};

/** one input file */
struct input {
	/** its path, "-" for standard input */
	const char *path;
	/** lines read */
	uint64_t lines;
	/** events in it */
	uint64_t events;
	/** 1 when it could not be read to its end */
	int damaged;
};

/** the whole report */
struct report {
	/* ---- options ---- */
	/** window, ms, when has_since / has_until */
	int64_t since, until;
	/** whether the bounds are set */
	int has_since, has_until;
	/** reference time, ms */
	int64_t now_ms;
	/** rows per table (0: all) */
	size_t top;
	/** JSON on standard output instead of text */
	int json;
	/** the HTML file to write, or NULL */
	const char *html;
	/** no progress line */
	int quiet;
	/** capacity of the per-client, per-name and pair tables */
	size_t max_keys;
	/** capacity of the fingerprint set of the baseline */
	size_t max_baseline;
	/** beacon thresholds */
	struct ddg_beacon_params bp;
	/** a name looked up by more clients than this is no beacon */
	uint64_t beacon_max_clients;
	/** inputs and baselines */
	struct input *inputs, *baselines;
	/** their numbers */
	int ninputs, nbaselines;

	/* ---- tables ---- */
	/** secret key of the tables' hash and the fingerprints */
	uint8_t tabkey[16];
	/** fixed key of the distinct counters (deterministic output) */
	uint8_t fixkey[16];
	/** struct zstat per zone */
	struct ddg_sstab *zones;
	/** struct estat per category */
	struct ddg_sstab *cats;
	/** struct estat per client */
	struct ddg_sstab *clients;
	/** struct estat per client network */
	struct ddg_sstab *nets;
	/** struct nstat per name */
	struct ddg_sstab *names;
	/** struct pstat per "client name" */
	struct ddg_sstab *pairs;
	/** struct wstat per "zone client" of log events */
	struct ddg_sstab *wb;
	/** (client, name) pairs seen before the window */
	struct ddg_fpset *seen;

	/* ---- counters ---- */
	/** lines read from the inputs */
	uint64_t lines;
	/** events read from the inputs */
	uint64_t events;
	/** events in the window, before it, after it */
	uint64_t in_window, before, after;
	/** lines that were not events */
	uint64_t other;
	/** malformed lines */
	uint64_t malformed;
	/** lines and events of the baselines */
	uint64_t base_lines, base_events;
	/** malformed lines by reason */
	struct {
		/** the reason (static) */
		const char *reason;
		/** lines */
		uint64_t n;
	} reasons[MAXREASONS];
	/** reasons used */
	int nreasons;
	/** malformed lines of other reasons, once reasons[] is full */
	uint64_t reasons_other;
	/** "FILE:LINE: reason" of the first malformed line */
	char first_bad[1200];
	/** first and last event in the window, ms */
	int64_t first_ev, last_ev;
	/** events in the window by action */
	uint64_t act[NACT];
	/** events out of time order for their pair (inputs not sorted) */
	uint64_t out_of_order;
	/** set when an input could not be read to its end */
	int io_error;

	/* ---- timeline scale ---- */
	/** whether set */
	int tl_set;
	/** start of bin 0 and width of a bin, ms */
	int64_t tl_base, tl_width;
};

/**
 * Write the report: text (or JSON with r->json) to out, and the HTML page
 * when r->html is set.
 * @param r: the counted report.
 * @param out: standard output.
 * @return EX_OK, or EX_IO when the HTML file could not be written
 *	(printed).
 */
int report_output(struct report *r, FILE *out);

#endif /* DDG_TOOLS_REPORT_H */
