/**
 * \file cmd_report.c
 * dyndns-guard report: read the module's events (JSON event files and
 * Unbound's log, plain or gzip, or standard input), count them in bounded
 * tables for a time window, and write a review: per zone, category,
 * client and client network, would-block, beacons and first-seen names.
 * The output is written by report_out.c; see docs/dyndns-guard-command.md.
 *
 * Memory is bounded whatever the input size: each table holds at most a
 * fixed number of keys (Space-Saving eviction, reported), each key a
 * fixed-size payload (distinct counts switch to HyperLogLog), and a line
 * longer than the read buffer is skipped without being held.
 */
#include "ddg_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "commands.h"
#include "dyndns-guard/beacon.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/evparse.h"
#include "dyndns-guard/sketch.h"
#include "report.h"

/** read buffer: a line longer than this is skipped without being kept */
#define RBUF (1024 * 1024)
/** malformed lines printed one by one */
#define SHOW_BAD 10
/** most input files, baselines included */
#define MAXINPUTS 4096

/** usage */
static void
report_usage(FILE *f)
{
	fprintf(f, "usage: dyndns-guard report [--since T] [--until T] "
		"[--top N] [--json]\n"
		"         [--html FILE] [--baseline LOG]... [--now T] "
		"[--max-keys N]\n"
		"         [--beacon-min-count N] [--beacon-max-jitter X]\n"
		"         [--beacon-min-interval SEC] "
		"[--beacon-max-clients N] [-q] [LOG...]\n"
		"  review dyndns-guard events: JSON event files (log-file:) "
		"and Unbound's\n"
		"  log, plain or gzip; '-' (or no LOG) is standard input.\n"
		"  T: epoch seconds, RFC 3339 (2026-01-02T03:04:05Z), a date, "
		"or a time\n"
		"  before now (24h, 7d, 1h30m).  --top 0 shows every row "
		"(default 10).\n"
		"  --baseline LOG: earlier events, for the names a client "
		"looks up for\n"
		"  the first time.  --html FILE writes a self-contained page "
		"as well.\n");
}

/** Put a fresh random key into k (getrandom, else time and pid). */
static void
random_key(uint8_t k[16])
{
	size_t i;

	if(getrandom(k, 16, 0) == 16)
		return;
	for(i = 0; i < 16; i++)
		k[i] = (uint8_t)((uint64_t)time(NULL) >> (i % 8) ^
			(uint64_t)getpid() >> (i % 4) ^ i * 131);
}

/* ---- reading lines ---- */

/** a line reader over a plain or gzip file */
struct reader {
	/** the stream (zlib reads plain files as they are) */
	gzFile gz;
	/** the buffer */
	char *buf;
	/** unread bytes are buf[start..end) */
	size_t start, end;
	/** end of the input reached */
	int eof;
	/** set when a read failed; the message */
	const char *err;
};

/** Open a reader; path "-" is standard input.  Returns 0 or -1. */
static int
reader_open(struct reader *rd, const char *path)
{
	int fd;

	memset(rd, 0, sizeof(*rd));
	if(strcmp(path, "-") == 0)
		fd = dup(STDIN_FILENO);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if(fd < 0)
		return -1;
	rd->gz = gzdopen(fd, "rb");
	if(!rd->gz) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	gzbuffer(rd->gz, 256 * 1024);
	rd->buf = malloc(RBUF);
	if(!rd->buf) {
		gzclose(rd->gz);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/** Close a reader. */
static void
reader_close(struct reader *rd)
{
	if(rd->gz)
		gzclose(rd->gz);
	free(rd->buf);
	memset(rd, 0, sizeof(*rd));
}

/** Read more into the buffer; returns bytes read, 0 at the end. */
static size_t
reader_fill(struct reader *rd)
{
	int n, errnum = 0;
	const char *msg;

	if(rd->eof)
		return 0;
	if(rd->start > 0) {
		memmove(rd->buf, rd->buf + rd->start, rd->end - rd->start);
		rd->end -= rd->start;
		rd->start = 0;
	}
	if(rd->end >= RBUF)
		return 0;
	n = gzread(rd->gz, rd->buf + rd->end, (unsigned)(RBUF - rd->end));
	if(n > 0) {
		rd->end += (size_t)n;
		return (size_t)n;
	}
	rd->eof = 1;
	msg = gzerror(rd->gz, &errnum);
	if(n < 0 || errnum != Z_OK) {
		if(errnum == Z_ERRNO)
			rd->err = strerror(errno);
		else if(errnum == Z_BUF_ERROR)
			rd->err = "gzip data cut short (unexpected end of file)";
		else
			rd->err = msg && *msg ? msg : "read error";
	}
	return 0;
}

/**
 * The next line (without its newline).
 * @param rd: the reader.
 * @param line: set to the line (valid until the next call).
 * @param len: its length.
 * @param toolong: set to 1 for a line longer than the buffer, which is
 *	skipped (*len is then 0).
 * @return 1 for a line, 0 at the end.
 */
static int
reader_line(struct reader *rd, const char **line, size_t *len, int *toolong)
{
	char *nl;

	*toolong = 0;
	for(;;) {
		nl = memchr(rd->buf + rd->start, '\n', rd->end - rd->start);
		if(nl) {
			*line = rd->buf + rd->start;
			*len = (size_t)(nl - *line);
			rd->start = (size_t)(nl - rd->buf) + 1;
			if(*toolong)
				*len = 0;
			return 1;
		}
		if(rd->end - rd->start >= RBUF) {
			/* a line longer than the buffer: drop what we have,
			 * read on to its end */
			*toolong = 1;
			rd->start = rd->end = 0;
		}
		if(reader_fill(rd) == 0) {
			if(rd->end > rd->start) {
				*line = rd->buf + rd->start;
				*len = rd->end - rd->start;
				rd->start = rd->end;
				if(*toolong)
					*len = 0;
				return 1;
			}
			if(*toolong) {
				*line = rd->buf;
				*len = 0;
				return 1;
			}
			return 0;
		}
	}
}

/* ---- counting ---- */

/** Free the allocations of an estat payload. */
static void
estat_clear(void *p)
{
	struct estat *e = p;

	ddg_distinct_clear(&e->names);
	ddg_distinct_clear(&e->other);
}

/** Free the allocations of a zstat payload. */
static void
zstat_clear(void *p)
{
	struct zstat *z = p;

	estat_clear(&z->e);
	ddg_distinct_clear(&z->wb_names);
	ddg_distinct_clear(&z->wb_clients);
}

/** Free the allocations of an nstat payload. */
static void
nstat_clear(void *p)
{
	struct nstat *n = p;

	ddg_distinct_clear(&n->clients);
}

/** Free the allocations of a pstat payload. */
static void
pstat_clear(void *p)
{
	struct pstat *s = p;

	free(s->zone);
	s->zone = NULL;
}

/** Free the allocations of a wstat payload. */
static void
wstat_clear(void *p)
{
	struct wstat *w = p;

	ddg_distinct_clear(&w->names);
}

/** Stop on an allocation failure (the tables are bounded: rare). */
static void
nomem(void)
{
	fprintf(stderr, "dyndns-guard report: out of memory\n");
	exit(EX_IO);
}

/** the action index of an event */
static int
act_index(enum ddg_action a)
{
	if(a == DDG_ACTION_BLOCK)
		return ACT_BLOCK;
	if(a == DDG_ACTION_SINKHOLE)
		return ACT_SINKHOLE;
	return ACT_LOG;
}

/** floor(a / b) for b > 0 */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/** Double the width of a timeline's bins (uint32_t bins). */
static void
tl_merge32(uint32_t *bins, int64_t base, int64_t w, int64_t nbase,
	int64_t nw)
{
	uint32_t tmp[TL_BINS];
	int i;

	memset(tmp, 0, sizeof(tmp));
	for(i = 0; i < TL_BINS; i++) {
		int64_t j = (base + (int64_t)i * w - nbase) / nw;
		uint64_t s;
		if(!bins[i] || j < 0 || j >= TL_BINS)
			continue;
		s = (uint64_t)tmp[j] + bins[i];
		tmp[j] = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
	}
	memcpy(bins, tmp, sizeof(tmp));
}

/** Double the width of a timeline's bins (uint16_t bins). */
static void
tl_merge16(uint16_t *bins, int64_t base, int64_t w, int64_t nbase,
	int64_t nw)
{
	uint16_t tmp[TL_BINS];
	int i;

	memset(tmp, 0, sizeof(tmp));
	for(i = 0; i < TL_BINS; i++) {
		int64_t j = (base + (int64_t)i * w - nbase) / nw;
		uint32_t s;
		if(!bins[i] || j < 0 || j >= TL_BINS)
			continue;
		s = (uint32_t)tmp[j] + bins[i];
		tmp[j] = s > UINT16_MAX ? UINT16_MAX : (uint16_t)s;
	}
	memcpy(bins, tmp, sizeof(tmp));
}

/**
 * The timeline bin of time t, widening the bins (every zone's and pair's
 * timeline with them) until t is inside.
 */
static int
tl_bin(struct report *r, int64_t t)
{
	size_t i, k;

	if(!r->tl_set) {
		r->tl_width = 1000;
		r->tl_base = floor_div(t, r->tl_width) * r->tl_width;
		r->tl_set = 1;
	}
	while(t < r->tl_base || t - r->tl_base >= TL_BINS * r->tl_width) {
		int64_t nw = r->tl_width * 2;
		int64_t nbase = floor_div(r->tl_base, nw) * nw;
		for(i = 0; i < ddg_sstab_size(r->zones); i++) {
			struct zstat *z = ddg_sstab_payload(
				ddg_sstab_at(r->zones, i));
			for(k = 0; k < NACT; k++)
				tl_merge32(z->tl[k], r->tl_base, r->tl_width,
					nbase, nw);
		}
		for(i = 0; i < ddg_sstab_size(r->pairs); i++) {
			struct pstat *p = ddg_sstab_payload(
				ddg_sstab_at(r->pairs, i));
			tl_merge16(p->tl, r->tl_base, r->tl_width, nbase, nw);
		}
		r->tl_base = nbase;
		r->tl_width = nw;
	}
	return (int)((t - r->tl_base) / r->tl_width);
}

/** Count an event into the common statistics of a key. */
static void
estat_add(struct estat *e, int fresh, int a, int64_t t, uint64_t hname,
	uint64_t hother)
{
	e->act[a]++;
	if(fresh || t < e->first)
		e->first = t;
	if(fresh || t > e->last)
		e->last = t;
	if(ddg_distinct_add(&e->names, hname) != 0 ||
		ddg_distinct_add(&e->other, hother) != 0)
		nomem();
}

/** Hit a key in a table; stop when out of memory. */
static struct ddg_sstab_entry *
hit(struct ddg_sstab *t, const char *key, size_t len, int *fresh)
{
	struct ddg_sstab_entry *e = ddg_sstab_hit(t, key, len, fresh);

	if(!e)
		nomem();
	return e;
}

/** Build "a b" into buf; returns its length or 0 when too long. */
static size_t
join2(char *buf, size_t cap, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if(la + lb + 2 > cap)
		return 0;
	memcpy(buf, a, la);
	buf[la] = ' ';
	memcpy(buf + la + 1, b, lb + 1);
	return la + 1 + lb;
}

/** Remember that a client looked a name up before the window. */
static void
remember_seen(struct report *r, const struct ddg_evrec *ev)
{
	char key[DDG_EVREC_MAXCLIENT + DDG_EVREC_MAXFIELD + 4];
	size_t n = join2(key, sizeof(key), ev->client, ev->name);
	struct ddg_sstab_entry *e;

	if(n == 0)
		return;
	ddg_fpset_add(r->seen, ddg_siphash(r->tabkey, key, n));
	e = ddg_sstab_find(r->pairs, key, n);
	if(e)
		((struct pstat *)ddg_sstab_payload(e))->seen_before = 1;
}

/** Count one event of the inputs. */
static void
account(struct report *r, const struct ddg_evrec *ev)
{
	char key[DDG_EVREC_MAXCLIENT + DDG_EVREC_MAXFIELD + 4];
	int64_t t = ev->time_ms;
	int a = act_index(ev->action), fresh, bin;
	uint64_t hn, hc, hz;
	struct ddg_sstab_entry *e;
	struct zstat *z;
	struct pstat *p;
	size_t n;

	if(r->has_since && t < r->since) {
		r->before++;
		remember_seen(r, ev);
		return;
	}
	if(r->has_until && t > r->until) {
		r->after++;
		return;
	}
	if(r->in_window == 0 || t < r->first_ev)
		r->first_ev = t;
	if(r->in_window == 0 || t > r->last_ev)
		r->last_ev = t;
	r->in_window++;
	r->act[a]++;
	hn = ddg_siphash(r->fixkey, ev->name, strlen(ev->name));
	hc = ddg_siphash(r->fixkey, ev->client, strlen(ev->client));
	hz = ddg_siphash(r->fixkey, ev->zone, strlen(ev->zone));
	bin = tl_bin(r, t);

	e = hit(r->zones, ev->zone, strlen(ev->zone), &fresh);
	z = ddg_sstab_payload(e);
	estat_add(&z->e, fresh, a, t, hn, hc);
	z->tl[a][bin] += z->tl[a][bin] < UINT32_MAX;
	if(a == ACT_LOG) {
		if(z->e.act[ACT_LOG] == 1 || t < z->wb_first)
			z->wb_first = t;
		if(z->e.act[ACT_LOG] == 1 || t > z->wb_last)
			z->wb_last = t;
		if(ddg_distinct_add(&z->wb_names, hn) != 0 ||
			ddg_distinct_add(&z->wb_clients, hc) != 0)
			nomem();
	}
	e = hit(r->cats, ev->category, strlen(ev->category), &fresh);
	estat_add(ddg_sstab_payload(e), fresh, a, t, hn, hc);
	e = hit(r->clients, ev->client, strlen(ev->client), &fresh);
	estat_add(ddg_sstab_payload(e), fresh, a, t, hn, hz);
	e = hit(r->nets, ev->network, strlen(ev->network), &fresh);
	estat_add(ddg_sstab_payload(e), fresh, a, t, hn, hc);
	e = hit(r->names, ev->name, strlen(ev->name), &fresh);
	if(ddg_distinct_add(&((struct nstat *)ddg_sstab_payload(e))->clients,
		hc) != 0)
		nomem();

	n = join2(key, sizeof(key), ev->client, ev->name);
	if(n) {
		e = hit(r->pairs, key, n, &fresh);
		p = ddg_sstab_payload(e);
		if(fresh) {
			p->zone = strdup(ev->zone);
			if(!p->zone)
				nomem();
			p->seen_before = ddg_fpset_has(r->seen,
				ddg_siphash(r->tabkey, key, n));
			p->first = p->last = t;
		}
		if(t < p->first)
			p->first = t;
		if(t > p->last)
			p->last = t;
		p->act[a]++;
		if(p->tl[bin] < UINT16_MAX)
			p->tl[bin]++;
		{
			uint32_t before = p->b.out_of_order;
			ddg_beacon_add(&p->b, t,
				ddg_siphash(r->fixkey, key, n));
			r->out_of_order += p->b.out_of_order - before;
		}
	}
	if(a == ACT_LOG) {
		n = join2(key, sizeof(key), ev->zone, ev->client);
		if(n) {
			struct wstat *w;
			e = hit(r->wb, key, n, &fresh);
			w = ddg_sstab_payload(e);
			if(fresh || t < w->first)
				w->first = t;
			if(fresh || t > w->last)
				w->last = t;
			if(ddg_distinct_add(&w->names, hn) != 0)
				nomem();
		}
	}
}

/** Count a malformed line and report the first ones. */
static void
malformed(struct report *r, const char *path, uint64_t lineno,
	const char *reason)
{
	int i;

	r->malformed++;
	for(i = 0; i < r->nreasons; i++)
		if(r->reasons[i].reason == reason ||
			strcmp(r->reasons[i].reason, reason) == 0)
			break;
	if(i < r->nreasons)
		r->reasons[i].n++;
	else if(r->nreasons < MAXREASONS) {
		r->reasons[r->nreasons].reason = reason;
		r->reasons[r->nreasons++].n = 1;
	} else
		r->reasons_other++;
	if(r->malformed == 1)
		snprintf(r->first_bad, sizeof(r->first_bad), "%s:%llu: %s",
			path, (unsigned long long)lineno, reason);
	if(r->malformed <= SHOW_BAD)
		fprintf(stderr, "%s:%llu: %s (line skipped)\n", path,
			(unsigned long long)lineno, reason);
}

/** monotonic clock, seconds */
static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/** progress line state */
struct progress {
	/** whether to show it (stderr is a terminal, not --quiet) */
	int on;
	/** when reading started */
	double start;
	/** when it was last drawn */
	double last;
	/** whether a line is on the screen */
	int shown;
};

/** Draw the progress line when due. */
static void
progress_tick(struct progress *pg, const struct report *r, const char *path,
	int baseline)
{
	double now = mono();

	if(!pg->on || now - pg->start < 1.0 || now - pg->last < 0.5)
		return;
	pg->last = now;
	pg->shown = 1;
	fprintf(stderr, "\r\033[Kdyndns-guard report: %s%.60s: %llu lines, "
		"%llu events, %.0f s", baseline ? "baseline " : "", path,
		(unsigned long long)(baseline ? r->base_lines : r->lines),
		(unsigned long long)(baseline ? r->base_events : r->events),
		now - pg->start);
}

/** Read one input (or baseline) to its end. */
static void
read_input(struct report *r, struct input *in, int baseline,
	struct progress *pg, const struct ddg_evparse_opts *po)
{
	struct reader rd;
	struct ddg_evrec *ev;
	const char *line, *reason;
	size_t len;
	int toolong;
	uint64_t lineno = 0;

	ev = malloc(sizeof(*ev));
	if(!ev)
		nomem();
	if(reader_open(&rd, in->path) != 0) {
		fprintf(stderr, "dyndns-guard report: %s: %s\n",
			strcmp(in->path, "-") == 0 ? "standard input" :
			in->path, strerror(errno));
		in->damaged = 1;
		r->io_error = 1;
		free(ev);
		return;
	}
	while(reader_line(&rd, &line, &len, &toolong)) {
		enum ddg_evline_kind k;
		lineno++;
		if(baseline)
			r->base_lines++;
		else
			r->lines++;
		if((lineno & 1023) == 0)
			progress_tick(pg, r, in->path, baseline);
		if(toolong) {
			malformed(r, in->path, lineno, "line too long");
			continue;
		}
		k = ddg_evparse_line(po, line, len, ev, &reason);
		if(k == DDG_EVLINE_OTHER) {
			if(!baseline)
				r->other++;
			continue;
		}
		if(k == DDG_EVLINE_BAD) {
			malformed(r, in->path, lineno, reason);
			continue;
		}
		in->events++;
		if(baseline) {
			r->base_events++;
			remember_seen(r, ev);
		} else {
			r->events++;
			account(r, ev);
		}
	}
	in->lines = lineno;
	if(rd.err) {
		fprintf(stderr, "dyndns-guard report: %s: %s after line %llu; "
			"the rest of it is not counted\n", in->path, rd.err,
			(unsigned long long)lineno);
		in->damaged = 1;
		r->io_error = 1;
	}
	reader_close(&rd);
	free(ev);
}

/** Parse a number option; returns 0 or -1. */
static int
parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if(!*s || *s == '-')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if(errno || *end || x > max)
		return -1;
	*v = x;
	return 0;
}

/** Parse a real-number option; returns 0 or -1. */
static int
parse_double(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	if(errno || end == s || *end || *v < 0 || *v != *v)
		return -1;
	return 0;
}

/** Free everything of a report. */
static void
report_free(struct report *r)
{
	ddg_sstab_free(r->zones);
	ddg_sstab_free(r->cats);
	ddg_sstab_free(r->clients);
	ddg_sstab_free(r->nets);
	ddg_sstab_free(r->names);
	ddg_sstab_free(r->pairs);
	ddg_sstab_free(r->wb);
	ddg_fpset_free(r->seen);
	free(r->inputs);
	free(r->baselines);
}

int
ddg_cmd_report(int argc, char **argv)
{
	struct report r;
	struct progress pg;
	struct ddg_evparse_opts po;
	const char *since = NULL, *until = NULL, *now = NULL;
	size_t small;
	uint64_t v;
	double d;
	int i, ret, stdin_used = 0;

	memset(&r, 0, sizeof(r));
	r.top = 10;
	r.max_keys = 50000;
	r.max_baseline = 2000000;
	ddg_beacon_defaults(&r.bp);
	r.beacon_max_clients = 10;
	r.inputs = calloc((size_t)argc + 1, sizeof(struct input));
	r.baselines = calloc((size_t)argc + 1, sizeof(struct input));
	if(!r.inputs || !r.baselines)
		nomem();
	for(i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] :
			NULL;
		if(strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			report_usage(stdout);
			report_free(&r);
			return EX_OK;
		} else if(strcmp(a, "--json") == 0) {
			r.json = 1;
		} else if(strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			r.quiet = 1;
		} else if(strcmp(a, "--") == 0) {
			for(i++; i < argc; i++)
				r.inputs[r.ninputs++].path = argv[i];
			break;
		} else if(strcmp(a, "-") == 0 || a[0] != '-') {
			r.inputs[r.ninputs++].path = a;
		} else if(!val) {
			fprintf(stderr, "dyndns-guard report: %s needs a "
				"value\n", a);
			goto usage;
		} else if(strcmp(a, "--since") == 0) {
			since = argv[++i];
		} else if(strcmp(a, "--until") == 0) {
			until = argv[++i];
		} else if(strcmp(a, "--now") == 0) {
			now = argv[++i];
		} else if(strcmp(a, "--html") == 0) {
			r.html = argv[++i];
		} else if(strcmp(a, "--baseline") == 0) {
			r.baselines[r.nbaselines++].path = argv[++i];
		} else if(strcmp(a, "--top") == 0) {
			if(parse_u64(argv[++i], 1000000000, &v) != 0)
				goto bad_value;
			r.top = (size_t)v;
		} else if(strcmp(a, "--max-keys") == 0) {
			if(parse_u64(argv[++i], 1 << 26, &v) != 0 || v < 16)
				goto bad_value;
			r.max_keys = (size_t)v;
		} else if(strcmp(a, "--beacon-min-count") == 0) {
			if(parse_u64(argv[++i], 1000000000, &v) != 0 || v < 3)
				goto bad_value;
			r.bp.min_count = v;
		} else if(strcmp(a, "--beacon-max-jitter") == 0) {
			if(parse_double(argv[++i], &d) != 0 || d > 10)
				goto bad_value;
			r.bp.max_jitter = d;
		} else if(strcmp(a, "--beacon-min-interval") == 0) {
			if(parse_double(argv[++i], &d) != 0 || d > 1e7)
				goto bad_value;
			r.bp.min_interval = d;
		} else if(strcmp(a, "--beacon-max-clients") == 0) {
			if(parse_u64(argv[++i], 1000000000, &v) != 0 || v < 1)
				goto bad_value;
			r.beacon_max_clients = v;
		} else {
			fprintf(stderr, "dyndns-guard report: unknown option "
				"'%s'\n", a);
			goto usage;
		}
		continue;
	bad_value:
		fprintf(stderr, "dyndns-guard report: bad value for %s: "
			"'%s'\n", a, argv[i]);
		goto usage;
	}
	if(r.ninputs > MAXINPUTS || r.nbaselines > MAXINPUTS) {
		fprintf(stderr, "dyndns-guard report: too many files\n");
		goto usage;
	}
	r.now_ms = (int64_t)time(NULL) * 1000;
	if(now && ddg_time_parse_arg(now, r.now_ms, &r.now_ms) != DDG_OK) {
		fprintf(stderr, "dyndns-guard report: bad time for --now: "
			"'%s'\n", now);
		goto usage;
	}
	if(since) {
		if(ddg_time_parse_arg(since, r.now_ms, &r.since) != DDG_OK) {
			fprintf(stderr, "dyndns-guard report: bad time for "
				"--since: '%s'\n", since);
			goto usage;
		}
		r.has_since = 1;
	}
	if(until) {
		if(ddg_time_parse_arg(until, r.now_ms, &r.until) != DDG_OK) {
			fprintf(stderr, "dyndns-guard report: bad time for "
				"--until: '%s'\n", until);
			goto usage;
		}
		r.has_until = 1;
	}
	if(r.has_since && r.has_until && r.until < r.since) {
		fprintf(stderr, "dyndns-guard report: --until is before "
			"--since\n");
		goto usage;
	}
	if(r.ninputs == 0) {
		if(isatty(STDIN_FILENO)) {
			fprintf(stderr, "dyndns-guard report: no input: give "
				"LOG files, or - for standard input\n");
			goto usage;
		}
		r.inputs[r.ninputs++].path = "-";
	}
	for(i = 0; i < r.ninputs + r.nbaselines; i++) {
		const char *p = i < r.ninputs ? r.inputs[i].path :
			r.baselines[i - r.ninputs].path;
		if(strcmp(p, "-") == 0 && stdin_used++) {
			fprintf(stderr, "dyndns-guard report: standard input "
				"can be read only once\n");
			goto usage;
		}
	}

	random_key(r.tabkey);
	memcpy(r.fixkey, "dyndns-guard rpt", 16);
	small = r.max_keys / 5 < 16 ? 16 : r.max_keys / 5;
	r.zones = ddg_sstab_new(small, sizeof(struct zstat), zstat_clear,
		r.tabkey);
	r.cats = ddg_sstab_new(small, sizeof(struct estat), estat_clear,
		r.tabkey);
	r.nets = ddg_sstab_new(small, sizeof(struct estat), estat_clear,
		r.tabkey);
	r.clients = ddg_sstab_new(r.max_keys, sizeof(struct estat),
		estat_clear, r.tabkey);
	r.names = ddg_sstab_new(r.max_keys, sizeof(struct nstat),
		nstat_clear, r.tabkey);
	r.pairs = ddg_sstab_new(r.max_keys, sizeof(struct pstat),
		pstat_clear, r.tabkey);
	r.wb = ddg_sstab_new(r.max_keys, sizeof(struct wstat), wstat_clear,
		r.tabkey);
	r.seen = ddg_fpset_new(r.max_baseline);
	if(!r.zones || !r.cats || !r.nets || !r.clients || !r.names ||
		!r.pairs || !r.wb || !r.seen)
		nomem();

	memset(&pg, 0, sizeof(pg));
	pg.on = !r.quiet && isatty(STDERR_FILENO);
	pg.start = mono();
	po.now_ms = r.now_ms;
	for(i = 0; i < r.nbaselines; i++)
		read_input(&r, &r.baselines[i], 1, &pg, &po);
	for(i = 0; i < r.ninputs; i++)
		read_input(&r, &r.inputs[i], 0, &pg, &po);
	if(pg.shown)
		fprintf(stderr, "\r\033[K");

	if(r.malformed) {
		int k;
		fprintf(stderr, "dyndns-guard report: %llu malformed line(s) "
			"skipped (first: %s):",
			(unsigned long long)r.malformed, r.first_bad);
		for(k = 0; k < r.nreasons; k++)
			fprintf(stderr, "%s %llu %s", k ? ";" : "",
				(unsigned long long)r.reasons[k].n,
				r.reasons[k].reason);
		if(r.reasons_other)
			fprintf(stderr, "; %llu other",
				(unsigned long long)r.reasons_other);
		fprintf(stderr, "\n");
	}
	ret = report_output(&r, stdout);
	if(fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "dyndns-guard report: standard output: %s\n",
			strerror(errno));
		ret = EX_IO;
	}
	if(ret == EX_OK && r.io_error)
		ret = EX_IO;
	report_free(&r);
	return ret;
usage:
	report_usage(stderr);
	report_free(&r);
	return EX_USAGE;
}
