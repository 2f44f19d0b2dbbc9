/**
 * \file report_out.c
 * dyndns-guard report: the output.  The counted tables are sorted into a
 * view once; the text and HTML forms print the same tables (struct
 * table: rows of cells), the JSON form prints the entries with their
 * numbers.  Every string printed comes from the parser, so it is
 * printable ASCII; it is still escaped for each output (JSON strings,
 * HTML text and attributes), since names are chosen by whoever sends the
 * queries.
 */
#include "ddg_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "dyndns-guard/beacon.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/evparse.h"
#include "dyndns-guard/file.h"
#include "dyndns-guard/sketch.h"
#include "report.h"

/** most columns of a table */
#define MAXCOLS 10
/** longest cell in the text form (longer ones are cut, "...") */
#define TEXT_CELL 60

/** would-block per client, grouped from the (zone, client) table */
struct wbc {
	/** the client (not NUL-terminated inside the key) */
	const char *client;
	/** its length */
	size_t clen;
	/** log events */
	uint64_t count;
	/** over-estimate, summed */
	uint64_t err;
	/** first and last */
	int64_t first, last;
	/** its zones: entries [start, start + n) of wb_by_client */
	size_t start, n;
};

/** a beacon row */
struct brow {
	/** the pair */
	struct ddg_sstab_entry *e;
	/** its interval statistics */
	struct ddg_beacon_summary s;
	/** distinct clients of the name */
	uint64_t name_clients;
};

/** the sorted tables */
struct view {
	/** zones, categories, clients, networks by events */
	struct ddg_sstab_entry **zones, **cats, **clients, **nets;
	/** their numbers */
	size_t nzones, ncats, nclients, nnets;
	/** zones with log events, by log events */
	struct ddg_sstab_entry **wbz;
	/** their number */
	size_t nwbz;
	/** the (zone, client) pairs by zone, and by client */
	struct ddg_sstab_entry **wb_by_zone, **wb_by_client;
	/** their number */
	size_t nwb;
	/** would-block per client, by log events */
	struct wbc *wbc;
	/** their number */
	size_t nwbc;
	/** beacons, by lookups */
	struct brow *beacons;
	/** their number */
	size_t nbeacons;
	/** regular pairs not shown: the name is looked up by many clients */
	uint64_t popular;
	/** first-seen pairs, by time */
	struct ddg_sstab_entry **fs;
	/** their number */
	size_t nfs;
	/** whether anything before the window was read */
	int baseline_known;
	/** trimmed timeline: first and last bin */
	int b0, b1;
};

/* ---- keys ---- */

/** Part k (0 or 1) of a two-part key "a b". */
static const char *
part(const struct ddg_sstab_entry *e, int k, size_t *len)
{
	const char *sp = memchr(e->key, ' ', e->keylen);

	if(!sp) {
		*len = k ? 0 : e->keylen;
		return k ? e->key + e->keylen : e->key;
	}
	if(k == 0) {
		*len = (size_t)(sp - e->key);
		return e->key;
	}
	*len = e->keylen - (size_t)(sp - e->key) - 1;
	return sp + 1;
}

/** compare two byte strings */
static int
bcmp_(const char *a, size_t la, const char *b, size_t lb)
{
	int c = memcmp(a, b, la < lb ? la : lb);

	if(c)
		return c;
	return la < lb ? -1 : la > lb;
}

/** qsort: count descending, then key */
static int
cmp_count(const void *x, const void *y)
{
	const struct ddg_sstab_entry *a = *(struct ddg_sstab_entry *const *)x;
	const struct ddg_sstab_entry *b = *(struct ddg_sstab_entry *const *)y;

	if(a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return bcmp_(a->key, a->keylen, b->key, b->keylen);
}

/** qsort: log events descending, then key (zones) */
static int
cmp_wbz(const void *x, const void *y)
{
	struct ddg_sstab_entry *a = *(struct ddg_sstab_entry *const *)x;
	struct ddg_sstab_entry *b = *(struct ddg_sstab_entry *const *)y;
	uint64_t ca = ((struct zstat *)ddg_sstab_payload(a))->e.act[ACT_LOG];
	uint64_t cb = ((struct zstat *)ddg_sstab_payload(b))->e.act[ACT_LOG];

	if(ca != cb)
		return ca > cb ? -1 : 1;
	return bcmp_(a->key, a->keylen, b->key, b->keylen);
}

/** part k of the keys, then count descending */
static int
cmp_part(const void *x, const void *y, int k)
{
	const struct ddg_sstab_entry *a = *(struct ddg_sstab_entry *const *)x;
	const struct ddg_sstab_entry *b = *(struct ddg_sstab_entry *const *)y;
	size_t la, lb;
	const char *pa = part(a, k, &la), *pb = part(b, k, &lb);
	int c = bcmp_(pa, la, pb, lb);

	if(c)
		return c;
	return cmp_count(x, y);
}

/** qsort: part 0 of the key, then count descending */
static int
cmp_part0(const void *x, const void *y)
{
	return cmp_part(x, y, 0);
}

/** qsort: part 1 of the key, then count descending */
static int
cmp_part1(const void *x, const void *y)
{
	return cmp_part(x, y, 1);
}

/** qsort: would-block clients by count descending, then client */
static int
cmp_wbc(const void *x, const void *y)
{
	const struct wbc *a = x, *b = y;

	if(a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return bcmp_(a->client, a->clen, b->client, b->clen);
}

/** qsort: beacons by lookups descending, then key */
static int
cmp_brow(const void *x, const void *y)
{
	const struct brow *a = x, *b = y;

	if(a->s.arrivals != b->s.arrivals)
		return a->s.arrivals > b->s.arrivals ? -1 : 1;
	return bcmp_(a->e->key, a->e->keylen, b->e->key, b->e->keylen);
}

/** qsort: first-seen pairs by first time, then key */
static int
cmp_first(const void *x, const void *y)
{
	const struct ddg_sstab_entry *a = *(struct ddg_sstab_entry *const *)x;
	const struct ddg_sstab_entry *b = *(struct ddg_sstab_entry *const *)y;
	const struct pstat *pa = ddg_sstab_payload(
		(struct ddg_sstab_entry *)a);
	const struct pstat *pb = ddg_sstab_payload(
		(struct ddg_sstab_entry *)b);

	if(pa->first != pb->first)
		return pa->first < pb->first ? -1 : 1;
	return bcmp_(a->key, a->keylen, b->key, b->keylen);
}

/** Stop on an allocation failure. */
static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if(!p) {
		fprintf(stderr, "dyndns-guard report: out of memory\n");
		exit(EX_IO);
	}
	return p;
}

/** All entries of a table, sorted with cmp. */
static struct ddg_sstab_entry **
sorted(struct ddg_sstab *t, size_t *n, int (*cmp)(const void *, const void *))
{
	size_t i, k = ddg_sstab_size(t);
	struct ddg_sstab_entry **v = xcalloc(k, sizeof(*v));

	for(i = 0; i < k; i++)
		v[i] = ddg_sstab_at(t, i);
	qsort(v, k, sizeof(*v), cmp);
	*n = k;
	return v;
}

/** Build the view of a counted report. */
static void
view_build(struct report *r, struct view *v)
{
	size_t i, k, n;

	memset(v, 0, sizeof(*v));
	v->zones = sorted(r->zones, &v->nzones, cmp_count);
	v->cats = sorted(r->cats, &v->ncats, cmp_count);
	v->clients = sorted(r->clients, &v->nclients, cmp_count);
	v->nets = sorted(r->nets, &v->nnets, cmp_count);

	v->wbz = xcalloc(v->nzones, sizeof(*v->wbz));
	for(i = 0; i < v->nzones; i++)
		if(((struct zstat *)ddg_sstab_payload(v->zones[i]))->
			e.act[ACT_LOG])
			v->wbz[v->nwbz++] = v->zones[i];
	qsort(v->wbz, v->nwbz, sizeof(*v->wbz), cmp_wbz);

	v->wb_by_zone = sorted(r->wb, &v->nwb, cmp_part0);
	v->wb_by_client = sorted(r->wb, &n, cmp_part1);
	v->wbc = xcalloc(n, sizeof(*v->wbc));
	for(i = 0; i < n; i = k) {
		struct wbc *c = &v->wbc[v->nwbc++];
		c->client = part(v->wb_by_client[i], 1, &c->clen);
		c->start = i;
		for(k = i; k < n; k++) {
			struct ddg_sstab_entry *e = v->wb_by_client[k];
			struct wstat *w = ddg_sstab_payload(e);
			size_t l;
			const char *cl = part(e, 1, &l);
			if(bcmp_(cl, l, c->client, c->clen) != 0)
				break;
			c->count += e->count;
			c->err += e->err;
			if(k == i || w->first < c->first)
				c->first = w->first;
			if(k == i || w->last > c->last)
				c->last = w->last;
		}
		c->n = k - i;
	}
	qsort(v->wbc, v->nwbc, sizeof(*v->wbc), cmp_wbc);

	n = ddg_sstab_size(r->pairs);
	v->beacons = xcalloc(n, sizeof(*v->beacons));
	v->fs = xcalloc(n, sizeof(*v->fs));
	for(i = 0; i < n; i++) {
		struct ddg_sstab_entry *e = ddg_sstab_at(r->pairs, i);
		struct pstat *p = ddg_sstab_payload(e);
		struct brow *b = &v->beacons[v->nbeacons];
		if(!p->seen_before)
			v->fs[v->nfs++] = e;
		ddg_beacon_summarize(&p->b, &b->s);
		if(!ddg_beacon_regular(&b->s, &r->bp))
			continue;
		{
			size_t nl;
			const char *name = part(e, 1, &nl);
			struct ddg_sstab_entry *ne = ddg_sstab_find(r->names,
				name, nl);
			b->name_clients = ne ? ddg_distinct_count(
				&((struct nstat *)ddg_sstab_payload(ne))->
				clients, NULL) : 1;
		}
		if(b->name_clients > r->beacon_max_clients) {
			v->popular++;
			continue;
		}
		b->e = e;
		v->nbeacons++;
	}
	qsort(v->beacons, v->nbeacons, sizeof(*v->beacons), cmp_brow);
	qsort(v->fs, v->nfs, sizeof(*v->fs), cmp_first);
	v->baseline_known = r->nbaselines > 0 || r->before > 0;
	if(r->tl_set && r->in_window) {
		v->b0 = (int)((r->first_ev - r->tl_base) / r->tl_width);
		v->b1 = (int)((r->last_ev - r->tl_base) / r->tl_width);
	}
}

/** Free a view. */
static void
view_free(struct view *v)
{
	free(v->zones);
	free(v->cats);
	free(v->clients);
	free(v->nets);
	free(v->wbz);
	free(v->wb_by_zone);
	free(v->wb_by_client);
	free(v->wbc);
	free(v->beacons);
	free(v->fs);
}

/** rows to show of n (the --top limit) */
static size_t
topn(const struct report *r, size_t n)
{
	return r->top && r->top < n ? r->top : n;
}

/* ---- formatting ---- */

/** a small formatted string */
struct fmt {
	/** the text */
	char s[64];
};

/** Format a number. */
static struct fmt
fu(uint64_t v)
{
	struct fmt f;

	snprintf(f.s, sizeof(f.s), "%llu", (unsigned long long)v);
	return f;
}

/** Format a count with its over-estimate: "~N" when err. */
static struct fmt
fcount(uint64_t v, uint64_t err)
{
	struct fmt f;

	snprintf(f.s, sizeof(f.s), "%s%llu", err ? "~" : "",
		(unsigned long long)v);
	return f;
}

/** Format a distinct count: "~N" when estimated. */
static struct fmt
fdist(const struct ddg_distinct *d)
{
	struct fmt f;
	int est;
	uint64_t n = ddg_distinct_count(d, &est);

	snprintf(f.s, sizeof(f.s), "%s%llu", est ? "~" : "",
		(unsigned long long)n);
	return f;
}

/** Format a time to the second, "2026-01-02T03:04:05Z". */
static struct fmt
ftime(int64_t ms)
{
	struct fmt f;
	size_t n;

	ddg_time_format(ms, f.s, sizeof(f.s));
	n = strlen(f.s);
	if(n == 24) {
		f.s[19] = 'Z';
		f.s[20] = 0;
	}
	return f;
}

/** Format seconds: "60.0s", "5m02s", "1h30m". */
static struct fmt
fsecs(double s)
{
	struct fmt f;

	if(s < 100)
		snprintf(f.s, sizeof(f.s), "%.1fs", s);
	else if(s < 3600)
		snprintf(f.s, sizeof(f.s), "%dm%02ds", (int)(s / 60),
			(int)s % 60);
	else
		snprintf(f.s, sizeof(f.s), "%dh%02dm", (int)(s / 3600),
			(int)s / 60 % 60);
	return f;
}

/** Format a ratio with two decimals. */
static struct fmt
fratio(double x)
{
	struct fmt f;

	snprintf(f.s, sizeof(f.s), "%.2f", x);
	return f;
}

/* ---- tables for text and HTML ---- */

/** one table: a title, a note, a header and rows of cells */
struct table {
	/** the title */
	const char *title;
	/** an anchor id for HTML */
	const char *id;
	/** the line under the title */
	char note[512];
	/** columns */
	int ncols;
	/** headers */
	const char *head[MAXCOLS];
	/** 1 for right-aligned (numbers) */
	int num[MAXCOLS];
	/** cells, row by row (malloc'd strings) */
	char **cells;
	/** rows */
	size_t nrows;
	/** rows allocated */
	size_t cap;
	/** the header texts */
	char headbuf[256];
};

/** Start a table; heads is "zone|events|..." with '#' before numbers. */
static void
tab_init(struct table *t, const char *id, const char *title,
	const char *heads)
{
	char *b = t->headbuf, *p, *save = NULL;

	memset(t, 0, sizeof(*t));
	t->title = title;
	t->id = id;
	snprintf(b, sizeof(t->headbuf), "%s", heads);
	for(p = strtok_r(b, "|", &save); p && t->ncols < MAXCOLS;
		p = strtok_r(NULL, "|", &save)) {
		t->num[t->ncols] = p[0] == '#';
		t->head[t->ncols++] = p[0] == '#' ? p + 1 : p;
	}
}

/** Add a row of t->ncols cells (const char *). */
static void
tab_row(struct table *t, ...)
{
	va_list ap;
	int i;

	if(t->nrows == t->cap) {
		char **nc;
		t->cap = t->cap ? t->cap * 2 : 16;
		nc = realloc(t->cells, t->cap * (size_t)t->ncols *
			sizeof(char *));
		if(!nc) {
			fprintf(stderr, "dyndns-guard report: out of memory\n");
			exit(EX_IO);
		}
		t->cells = nc;
	}
	va_start(ap, t);
	for(i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);
		char *d = strdup(s ? s : "");
		if(!d) {
			fprintf(stderr, "dyndns-guard report: out of memory\n");
			exit(EX_IO);
		}
		t->cells[t->nrows * (size_t)t->ncols + (size_t)i] = d;
	}
	va_end(ap);
	t->nrows++;
}

/** Free a table's cells. */
static void
tab_free(struct table *t)
{
	size_t i;

	for(i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
}

/** A key as a C string (copy, cut to cap). */
static const char *
keystr(const char *k, size_t n, char *buf, size_t cap)
{
	if(n >= cap)
		n = cap - 1;
	memcpy(buf, k, n);
	buf[n] = 0;
	return buf;
}

/** the note "top N of M" */
static void
note_top(struct table *t, const struct report *r, size_t n,
	const char *what, const struct ddg_sstab *tab)
{
	size_t k = topn(r, n);
	int m;

	m = snprintf(t->note, sizeof(t->note), "%zu of %zu %s", k, n, what);
	if(tab && ddg_sstab_evicted(tab) && m > 0 &&
		(size_t)m < sizeof(t->note))
		snprintf(t->note + m, sizeof(t->note) - (size_t)m,
			"; bound hit: at most %zu kept, %llu evicted, counts "
			"marked ~ are upper bounds", ddg_sstab_capacity(tab),
			(unsigned long long)ddg_sstab_evicted(tab));
}

/** Fill a table of estat entries (zones, categories, clients, nets). */
static void
tab_estat(struct table *t, const struct report *r,
	struct ddg_sstab_entry **v, size_t n, int zones)
{
	size_t i;
	char kb[DDG_EVREC_MAXFIELD + 8];

	for(i = 0; i < topn(r, n); i++) {
		struct estat *e = zones ? &((struct zstat *)
			ddg_sstab_payload(v[i]))->e : ddg_sstab_payload(v[i]);
		struct fmt c = fcount(v[i]->count, v[i]->err),
			a0 = fu(e->act[0]), a1 = fu(e->act[1]),
			a2 = fu(e->act[2]), dn = fdist(&e->names),
			d2 = fdist(&e->other), f = ftime(e->first),
			l = ftime(e->last);
		tab_row(t, keystr(v[i]->key, v[i]->keylen, kb, sizeof(kb)),
			c.s, a0.s, a1.s, a2.s, dn.s, d2.s, f.s, l.s);
	}
}

/** the index of the first wb entry of zone z in wb_by_zone */
static size_t
wb_zone_start(const struct view *v, const char *z, size_t zl)
{
	size_t lo = 0, hi = v->nwb;

	while(lo < hi) {
		size_t mid = (lo + hi) / 2, l;
		const char *p = part(v->wb_by_zone[mid], 0, &l);
		if(bcmp_(p, l, z, zl) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/** Build all tables: out has room for 8. */
static int
tables_build(const struct report *r, const struct view *v,
	struct table *out)
{
	struct table *t;
	size_t i, k;
	char kb[DDG_EVREC_MAXFIELD + 8], kb2[DDG_EVREC_MAXFIELD + 8],
		list[512];
	int nt = 0;

	t = &out[nt++];
	tab_init(t, "zones", "Zones", "zone|#events|#log|#block|#sinkhole|"
		"#names|#clients|first seen|last seen");
	note_top(t, r, v->nzones, "zones, by events", r->zones);
	tab_estat(t, r, v->zones, v->nzones, 1);

	t = &out[nt++];
	tab_init(t, "categories", "Categories", "category|#events|#log|"
		"#block|#sinkhole|#names|#clients|first seen|last seen");
	note_top(t, r, v->ncats, "categories, by events", r->cats);
	tab_estat(t, r, v->cats, v->ncats, 0);

	t = &out[nt++];
	tab_init(t, "clients", "Clients", "client|#events|#log|#block|"
		"#sinkhole|#names|#zones|first seen|last seen");
	note_top(t, r, v->nclients, "clients, by events", r->clients);
	tab_estat(t, r, v->clients, v->nclients, 0);

	t = &out[nt++];
	tab_init(t, "networks", "Client networks", "network|#events|#log|"
		"#block|#sinkhole|#names|#clients|first seen|last seen");
	note_top(t, r, v->nnets, "client networks, by events (- is no "
		"network)", r->nets);
	tab_estat(t, r, v->nets, v->nnets, 0);

	t = &out[nt++];
	tab_init(t, "would-block", "Would block, per zone", "zone|#lookups|"
		"#names|#clients|first seen|last seen|top clients");
	note_top(t, r, v->nwbz, "zones with log-mode matches: lookups "
		"answered normally that zone: \"ZONE\" block would have "
		"stopped", NULL);
	for(i = 0; i < topn(r, v->nwbz); i++) {
		struct zstat *z = ddg_sstab_payload(v->wbz[i]);
		struct fmt c = fu(z->e.act[ACT_LOG]), dn = fdist(&z->wb_names),
			dc = fdist(&z->wb_clients), f = ftime(z->wb_first),
			l = ftime(z->wb_last);
		size_t s = wb_zone_start(v, v->wbz[i]->key,
			v->wbz[i]->keylen), m = 0;
		list[0] = 0;
		for(k = s; k < v->nwb && m < 3; k++, m++) {
			size_t zl, cl;
			const char *zp = part(v->wb_by_zone[k], 0, &zl);
			const char *cp = part(v->wb_by_zone[k], 1, &cl);
			size_t used = strlen(list);
			if(bcmp_(zp, zl, v->wbz[i]->key, v->wbz[i]->keylen))
				break;
			snprintf(list + used, sizeof(list) - used,
				"%s%.*s (%s%llu)", m ? ", " : "", (int)cl, cp,
				v->wb_by_zone[k]->err ? "~" : "",
				(unsigned long long)v->wb_by_zone[k]->count);
		}
		tab_row(t, keystr(v->wbz[i]->key, v->wbz[i]->keylen, kb,
			sizeof(kb)), c.s, dn.s, dc.s, f.s, l.s, list);
	}

	t = &out[nt++];
	tab_init(t, "would-block-clients", "Would block, per client",
		"client|#lookups|#zones|first seen|last seen|top zones");
	note_top(t, r, v->nwbc, "clients with log-mode matches", r->wb);
	for(i = 0; i < topn(r, v->nwbc); i++) {
		const struct wbc *c = &v->wbc[i];
		struct fmt n = fcount(c->count, c->err), nz = fu(c->n),
			f = ftime(c->first), l = ftime(c->last);
		list[0] = 0;
		for(k = 0; k < c->n && k < 3; k++) {
			struct ddg_sstab_entry *e =
				v->wb_by_client[c->start + k];
			size_t zl, used = strlen(list);
			const char *zp = part(e, 0, &zl);
			snprintf(list + used, sizeof(list) - used,
				"%s%.*s (%s%llu)", k ? ", " : "", (int)zl, zp,
				e->err ? "~" : "",
				(unsigned long long)e->count);
		}
		tab_row(t, keystr(c->client, c->clen, kb, sizeof(kb)), n.s,
			nz.s, f.s, l.s, list);
	}

	t = &out[nt++];
	tab_init(t, "beacons", "Beacons", "client|name|#lookups|"
		"#interval|#jitter|#cv|first seen|last seen|zone");
	note_top(t, r, v->nbeacons, "(client, name) pairs looked up at a "
		"regular interval", r->pairs);
	if(v->popular) {
		size_t m = strlen(t->note);
		snprintf(t->note + m, sizeof(t->note) - m, "; %llu regular "
			"pair(s) not shown: their name is looked up by more "
			"than %llu clients", (unsigned long long)v->popular,
			(unsigned long long)r->beacon_max_clients);
	}
	for(i = 0; i < topn(r, v->nbeacons); i++) {
		const struct brow *b = &v->beacons[i];
		struct pstat *p = ddg_sstab_payload(b->e);
		size_t cl, nl;
		const char *cp = part(b->e, 0, &cl), *np = part(b->e, 1, &nl);
		struct fmt n = fu(b->s.arrivals), iv = fsecs(b->s.median),
			j = fratio(b->s.jitter), cv = fratio(b->s.cv),
			f = ftime(p->b.first_ms), l = ftime(p->b.last_ms);
		tab_row(t, keystr(cp, cl, kb, sizeof(kb)),
			keystr(np, nl, kb2, sizeof(kb2)), n.s, iv.s, j.s,
			cv.s, f.s, l.s, p->zone ? p->zone : "-");
	}

	t = &out[nt++];
	tab_init(t, "first-seen", "First seen", "client|name|zone|#events|"
		"first seen|last seen");
	note_top(t, r, v->nfs, v->baseline_known ? "names a client looked "
		"up for the first time in the window (not in a baseline nor "
		"before --since), earliest first" : "names a client looked up "
		"in the window, earliest first; no --baseline and no event "
		"before --since, so every pair counts as new", r->pairs);
	if(ddg_fpset_dropped(r->seen)) {
		size_t m = strlen(t->note);
		snprintf(t->note + m, sizeof(t->note) - m, "; bound hit: the "
			"baseline keeps at most %zu pairs, %llu not kept, so "
			"some pairs shown may have been seen",
			r->max_baseline, (unsigned long long)
			ddg_fpset_dropped(r->seen));
	}
	for(i = 0; i < topn(r, v->nfs); i++) {
		struct pstat *p = ddg_sstab_payload(v->fs[i]);
		size_t cl, nl;
		const char *cp = part(v->fs[i], 0, &cl),
			*np = part(v->fs[i], 1, &nl);
		struct fmt n = fcount(v->fs[i]->count, v->fs[i]->err),
			f = ftime(p->first), l = ftime(p->last);
		tab_row(t, keystr(cp, cl, kb, sizeof(kb)),
			keystr(np, nl, kb2, sizeof(kb2)),
			p->zone ? p->zone : "-", n.s, f.s, l.s);
	}
	return nt;
}

/* ---- summary lines ---- */

/** Print the summary lines (text form) or fill them (one per call). */
static void
summary_text(const struct report *r, FILE *f, const char *pre)
{
	int i;
	struct fmt a, b;

	fprintf(f, "%sinputs:", pre);
	for(i = 0; i < r->ninputs; i++)
		fprintf(f, "%s %s (%llu lines, %llu events%s)", i ? "," : "",
			r->inputs[i].path,
			(unsigned long long)r->inputs[i].lines,
			(unsigned long long)r->inputs[i].events,
			r->inputs[i].damaged ? ", NOT READ TO ITS END" : "");
	fprintf(f, "\n");
	if(r->nbaselines) {
		fprintf(f, "%sbaseline:", pre);
		for(i = 0; i < r->nbaselines; i++)
			fprintf(f, "%s %s (%llu events%s)", i ? "," : "",
				r->baselines[i].path, (unsigned long long)
				r->baselines[i].events,
				r->baselines[i].damaged ?
				", NOT READ TO ITS END" : "");
		fprintf(f, "\n");
	}
	a = ftime(r->since);
	b = ftime(r->until);
	fprintf(f, "%swindow: %s .. %s: %llu events (log %llu, block %llu, "
		"sinkhole %llu); %llu before, %llu after\n", pre,
		r->has_since ? a.s : "start", r->has_until ? b.s : "end",
		(unsigned long long)r->in_window,
		(unsigned long long)r->act[ACT_LOG],
		(unsigned long long)r->act[ACT_BLOCK],
		(unsigned long long)r->act[ACT_SINKHOLE],
		(unsigned long long)r->before, (unsigned long long)r->after);
	if(r->in_window) {
		a = ftime(r->first_ev);
		b = ftime(r->last_ev);
		fprintf(f, "%sevents: first %s, last %s\n", pre, a.s, b.s);
	}
	fprintf(f, "%slines: %llu, not events: %llu, malformed (skipped): "
		"%llu", pre, (unsigned long long)r->lines,
		(unsigned long long)r->other,
		(unsigned long long)r->malformed);
	if(r->malformed)
		fprintf(f, " (first: %s)", r->first_bad);
	fprintf(f, "\n");
	if(r->out_of_order)
		fprintf(f, "%snote: %llu events earlier than their pair's "
			"previous one by more than 1 s (give inputs oldest "
			"first); not used for intervals\n", pre,
			(unsigned long long)r->out_of_order);
}

/* ---- text ---- */

/** Print a table aligned. */
static void
text_table(const struct table *t, FILE *f)
{
	size_t w[MAXCOLS], i, n;
	int c;

	fprintf(f, "\n%s (%s)\n", t->title, t->note);
	if(t->nrows == 0) {
		fprintf(f, "  (none)\n");
		return;
	}
	for(c = 0; c < t->ncols; c++)
		w[c] = strlen(t->head[c]);
	for(i = 0; i < t->nrows; i++)
		for(c = 0; c < t->ncols; c++) {
			n = strlen(t->cells[i * (size_t)t->ncols + (size_t)c]);
			if(n > TEXT_CELL)
				n = TEXT_CELL;
			if(n > w[c])
				w[c] = n;
		}
	fprintf(f, " ");
	for(c = 0; c < t->ncols; c++)
		if(c == t->ncols - 1 && !t->num[c])
			fprintf(f, " %s", t->head[c]);
		else
			fprintf(f, " %*s", t->num[c] ? (int)w[c] :
				-(int)w[c], t->head[c]);
	fprintf(f, "\n");
	for(i = 0; i < t->nrows; i++) {
		fprintf(f, " ");
		for(c = 0; c < t->ncols; c++) {
			const char *s = t->cells[i * (size_t)t->ncols +
				(size_t)c];
			n = strlen(s);
			if(n > TEXT_CELL)
				fprintf(f, " %.*s...%*s", TEXT_CELL - 3, s,
					(int)(w[c] - TEXT_CELL), "");
			else if(c == t->ncols - 1 && !t->num[c])
				fprintf(f, " %s", s);
			else
				fprintf(f, " %*s", t->num[c] ? (int)w[c] :
					-(int)w[c], s);
		}
		fprintf(f, "\n");
	}
}

/** Print the whole text report. */
static void
out_text(const struct report *r, struct table *tabs, int nt, FILE *f)
{
	int i;

	fprintf(f, "dyndns-guard report\n");
	summary_text(r, f, "  ");
	for(i = 0; i < nt; i++)
		text_table(&tabs[i], f);
	fprintf(f, "\n~: an estimate (distinct counts over %d use "
		"HyperLogLog) or an upper bound (a table was full)\n",
		DDG_DISTINCT_EXACT);
}

/* ---- JSON ---- */

/** Print a JSON string of n bytes. */
static void
js_strn(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for(i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if(c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if(c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/** Print a JSON string. */
static void
js_str(FILE *f, const char *s)
{
	js_strn(f, s, strlen(s));
}

/** Print a key's value: null for "-" (no client, network, category). */
static void
js_key(FILE *f, const char *s, size_t n)
{
	if(n == 1 && s[0] == '-')
		fputs("null", f);
	else
		js_strn(f, s, n);
}

/** Print a time as a JSON string. */
static void
js_time(FILE *f, int64_t ms)
{
	char b[40];

	js_str(f, ddg_time_format(ms, b, sizeof(b)));
}

/** Print "count" (and "count_error") and "actions". */
static void
js_counts(FILE *f, uint64_t count, uint64_t err, const uint64_t *act)
{
	fprintf(f, "\"count\":%llu,", (unsigned long long)count);
	if(err)
		fprintf(f, "\"count_error\":%llu,", (unsigned long long)err);
	fprintf(f, "\"actions\":{\"log\":%llu,\"block\":%llu,"
		"\"sinkhole\":%llu}", (unsigned long long)act[0],
		(unsigned long long)act[1], (unsigned long long)act[2]);
}

/** Print "KEY":N of a distinct counter, and "KEY_estimated":true. */
static void
js_dist(FILE *f, const char *key, const struct ddg_distinct *d)
{
	int est;
	uint64_t n = ddg_distinct_count(d, &est);

	fprintf(f, ",\"%s\":%llu", key, (unsigned long long)n);
	if(est)
		fprintf(f, ",\"%s_estimated\":true", key);
}

/** Print "first_seen" and "last_seen". */
static void
js_span(FILE *f, int64_t first, int64_t last)
{
	fputs(",\"first_seen\":", f);
	js_time(f, first);
	fputs(",\"last_seen\":", f);
	js_time(f, last);
}

/** Print the bound of one table. */
static void
js_bound(FILE *f, const char *name, const struct ddg_sstab *t, int comma)
{
	fprintf(f, "%s\"%s\":{\"capacity\":%zu,\"entries\":%zu,"
		"\"evicted\":%llu}", comma ? "," : "", name,
		ddg_sstab_capacity(t), ddg_sstab_size(t),
		(unsigned long long)ddg_sstab_evicted(t));
}

/** Print a list of estat entries. */
static void
js_estat(FILE *f, const struct report *r, const char *list, const char *key,
	const char *other, struct ddg_sstab_entry **v, size_t n, int zones)
{
	size_t i;

	fprintf(f, ",\n\"%s\":[", list);
	for(i = 0; i < topn(r, n); i++) {
		struct zstat *z = zones ? ddg_sstab_payload(v[i]) : NULL;
		struct estat *e = zones ? &z->e : ddg_sstab_payload(v[i]);
		fprintf(f, "%s\n {\"%s\":", i ? "," : "", key);
		js_key(f, v[i]->key, v[i]->keylen);
		fputc(',', f);
		js_counts(f, v[i]->count, v[i]->err, e->act);
		js_dist(f, "distinct_names", &e->names);
		js_dist(f, other, &e->other);
		js_span(f, e->first, e->last);
		fputc('}', f);
	}
	fputs("]", f);
}

/** Print the JSON document. */
static void
out_json(const struct report *r, const struct view *v, FILE *f)
{
	size_t i, k;
	int j;

	fputs("{\"summary\":{\"version\":", f);
	js_str(f, PACKAGE_VERSION);
	fputs(",\"inputs\":[", f);
	for(j = 0; j < r->ninputs; j++) {
		fprintf(f, "%s{\"path\":", j ? "," : "");
		js_str(f, r->inputs[j].path);
		fprintf(f, ",\"lines\":%llu,\"events\":%llu,\"complete\":%s}",
			(unsigned long long)r->inputs[j].lines,
			(unsigned long long)r->inputs[j].events,
			r->inputs[j].damaged ? "false" : "true");
	}
	fputs("],\"baselines\":[", f);
	for(j = 0; j < r->nbaselines; j++) {
		fprintf(f, "%s{\"path\":", j ? "," : "");
		js_str(f, r->baselines[j].path);
		fprintf(f, ",\"lines\":%llu,\"events\":%llu,\"complete\":%s}",
			(unsigned long long)r->baselines[j].lines,
			(unsigned long long)r->baselines[j].events,
			r->baselines[j].damaged ? "false" : "true");
	}
	fputs("],\"since\":", f);
	if(r->has_since)
		js_time(f, r->since);
	else
		fputs("null", f);
	fputs(",\"until\":", f);
	if(r->has_until)
		js_time(f, r->until);
	else
		fputs("null", f);
	fprintf(f, ",\"lines\":%llu,\"events\":%llu,\"in_window\":%llu,"
		"\"before_window\":%llu,\"after_window\":%llu,"
		"\"other_lines\":%llu,\"malformed\":%llu,",
		(unsigned long long)r->lines, (unsigned long long)r->events,
		(unsigned long long)r->in_window,
		(unsigned long long)r->before, (unsigned long long)r->after,
		(unsigned long long)r->other,
		(unsigned long long)r->malformed);
	fputs("\"malformed_by_reason\":{", f);
	for(j = 0; j < r->nreasons; j++) {
		fputs(j ? "," : "", f);
		js_str(f, r->reasons[j].reason);
		fprintf(f, ":%llu", (unsigned long long)r->reasons[j].n);
	}
	if(r->reasons_other)
		fprintf(f, "%s\"other\":%llu", r->nreasons ? "," : "",
			(unsigned long long)r->reasons_other);
	fputs("},\"first_malformed\":", f);
	if(r->malformed)
		js_str(f, r->first_bad);
	else
		fputs("null", f);
	fprintf(f, ",\"actions\":{\"log\":%llu,\"block\":%llu,"
		"\"sinkhole\":%llu}", (unsigned long long)r->act[0],
		(unsigned long long)r->act[1], (unsigned long long)r->act[2]);
	fputs(",\"first_event\":", f);
	if(r->in_window)
		js_time(f, r->first_ev);
	else
		fputs("null", f);
	fputs(",\"last_event\":", f);
	if(r->in_window)
		js_time(f, r->last_ev);
	else
		fputs("null", f);
	fprintf(f, ",\"out_of_order\":%llu,\"top\":%zu,",
		(unsigned long long)r->out_of_order, r->top);
	fprintf(f, "\"beacon_params\":{\"min_count\":%llu,\"max_jitter\":%g,"
		"\"min_interval\":%g,\"max_clients\":%llu},"
		"\"beacons_not_shown_popular\":%llu,\"baseline_known\":%s,",
		(unsigned long long)r->bp.min_count, r->bp.max_jitter,
		r->bp.min_interval, (unsigned long long)r->beacon_max_clients,
		(unsigned long long)v->popular,
		v->baseline_known ? "true" : "false");
	fputs("\"bounds\":{", f);
	js_bound(f, "zones", r->zones, 0);
	js_bound(f, "categories", r->cats, 1);
	js_bound(f, "clients", r->clients, 1);
	js_bound(f, "networks", r->nets, 1);
	js_bound(f, "names", r->names, 1);
	js_bound(f, "pairs", r->pairs, 1);
	js_bound(f, "would_block", r->wb, 1);
	fprintf(f, ",\"baseline\":{\"capacity\":%zu,\"entries\":%zu,"
		"\"dropped\":%llu}", r->max_baseline, ddg_fpset_size(r->seen),
		(unsigned long long)ddg_fpset_dropped(r->seen));
	fprintf(f, "},\"bound_hit\":%s}", (ddg_sstab_evicted(r->zones) ||
		ddg_sstab_evicted(r->cats) || ddg_sstab_evicted(r->clients) ||
		ddg_sstab_evicted(r->nets) || ddg_sstab_evicted(r->names) ||
		ddg_sstab_evicted(r->pairs) || ddg_sstab_evicted(r->wb) ||
		ddg_fpset_dropped(r->seen)) ? "true" : "false");

	js_estat(f, r, "zones", "zone", "distinct_clients", v->zones,
		v->nzones, 1);
	js_estat(f, r, "categories", "category", "distinct_clients", v->cats,
		v->ncats, 0);
	js_estat(f, r, "clients", "client", "distinct_zones", v->clients,
		v->nclients, 0);
	js_estat(f, r, "networks", "network", "distinct_clients", v->nets,
		v->nnets, 0);

	fputs(",\n\"would_block\":[", f);
	for(i = 0; i < topn(r, v->nwbz); i++) {
		struct zstat *z = ddg_sstab_payload(v->wbz[i]);
		uint64_t act[NACT] = { z->e.act[ACT_LOG], 0, 0 };
		size_t s = wb_zone_start(v, v->wbz[i]->key,
			v->wbz[i]->keylen), m = 0;
		fprintf(f, "%s\n {\"zone\":", i ? "," : "");
		js_key(f, v->wbz[i]->key, v->wbz[i]->keylen);
		fputc(',', f);
		js_counts(f, z->e.act[ACT_LOG], 0, act);
		js_dist(f, "distinct_names", &z->wb_names);
		js_dist(f, "distinct_clients", &z->wb_clients);
		js_span(f, z->wb_first, z->wb_last);
		fputs(",\"clients\":[", f);
		for(k = s; k < v->nwb && (r->top == 0 || m < r->top);
			k++, m++) {
			struct ddg_sstab_entry *e = v->wb_by_zone[k];
			struct wstat *w = ddg_sstab_payload(e);
			size_t zl, cl;
			const char *zp = part(e, 0, &zl), *cp = part(e, 1, &cl);
			uint64_t a[NACT];
			if(bcmp_(zp, zl, v->wbz[i]->key, v->wbz[i]->keylen))
				break;
			a[0] = e->count;
			a[1] = a[2] = 0;
			fputs(m ? ",{\"client\":" : "{\"client\":", f);
			js_key(f, cp, cl);
			fputc(',', f);
			js_counts(f, e->count, e->err, a);
			js_dist(f, "distinct_names", &w->names);
			js_span(f, w->first, w->last);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputs("]", f);

	fputs(",\n\"would_block_clients\":[", f);
	for(i = 0; i < topn(r, v->nwbc); i++) {
		const struct wbc *c = &v->wbc[i];
		uint64_t a[NACT] = { c->count, 0, 0 };
		fprintf(f, "%s\n {\"client\":", i ? "," : "");
		js_key(f, c->client, c->clen);
		fputc(',', f);
		js_counts(f, c->count, c->err, a);
		fprintf(f, ",\"distinct_zones\":%zu", c->n);
		js_span(f, c->first, c->last);
		fputs(",\"zones\":[", f);
		for(k = 0; k < c->n && (r->top == 0 || k < r->top); k++) {
			struct ddg_sstab_entry *e = v->wb_by_client[c->start +
				k];
			size_t zl;
			const char *zp = part(e, 0, &zl);
			fputs(k ? ",{\"zone\":" : "{\"zone\":", f);
			js_key(f, zp, zl);
			fprintf(f, ",\"count\":%llu}",
				(unsigned long long)e->count);
		}
		fputs("]}", f);
	}
	fputs("]", f);

	fputs(",\n\"beacons\":[", f);
	for(i = 0; i < topn(r, v->nbeacons); i++) {
		const struct brow *b = &v->beacons[i];
		struct pstat *p = ddg_sstab_payload(b->e);
		size_t cl, nl;
		const char *cp = part(b->e, 0, &cl), *np = part(b->e, 1, &nl);
		fprintf(f, "%s\n {\"client\":", i ? "," : "");
		js_key(f, cp, cl);
		fputs(",\"name\":", f);
		js_strn(f, np, nl);
		fputs(",\"zone\":", f);
		js_str(f, p->zone ? p->zone : "-");
		fputc(',', f);
		js_counts(f, b->e->count, b->e->err, p->act);
		fprintf(f, ",\"lookups\":%llu,\"intervals\":%llu,"
			"\"interval\":%.3f,\"mean_interval\":%.3f,"
			"\"mad\":%.3f,\"jitter\":%.4f,\"cv\":%.4f,"
			"\"name_clients\":%llu",
			(unsigned long long)b->s.arrivals,
			(unsigned long long)b->s.intervals, b->s.median,
			b->s.mean, b->s.mad, b->s.jitter, b->s.cv,
			(unsigned long long)b->name_clients);
		js_span(f, p->first, p->last);
		fputc('}', f);
	}
	fputs("]", f);

	fputs(",\n\"first_seen\":[", f);
	for(i = 0; i < topn(r, v->nfs); i++) {
		struct pstat *p = ddg_sstab_payload(v->fs[i]);
		size_t cl, nl;
		const char *cp = part(v->fs[i], 0, &cl),
			*np = part(v->fs[i], 1, &nl);
		fprintf(f, "%s\n {\"client\":", i ? "," : "");
		js_key(f, cp, cl);
		fputs(",\"name\":", f);
		js_strn(f, np, nl);
		fputs(",\"zone\":", f);
		js_str(f, p->zone ? p->zone : "-");
		fputc(',', f);
		js_counts(f, v->fs[i]->count, v->fs[i]->err, p->act);
		js_span(f, p->first, p->last);
		fputc('}', f);
	}
	fputs("]}\n", f);
}

/* ---- HTML ---- */

/** Print text HTML-escaped (also fit for attribute values). */
static void
html_esc(FILE *f, const char *s)
{
	for(; *s; s++) {
		switch(*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if((unsigned char)*s < 0x20 ||
				(unsigned char)*s >= 0x7f)
				fprintf(f, "&#%u;", (unsigned char)*s);
			else
				fputc(*s, f);
		}
	}
}

/** Print a table as HTML. */
static void
html_table(const struct table *t, FILE *f)
{
	size_t i;
	int c;

	fprintf(f, "<h2 id=\"%s\">", t->id);
	html_esc(f, t->title);
	fputs("</h2>\n<p class=\"note\">", f);
	html_esc(f, t->note);
	fputs("</p>\n", f);
	if(t->nrows == 0) {
		fputs("<p class=\"none\">(none)</p>\n", f);
		return;
	}
	fputs("<table>\n<thead><tr>", f);
	for(c = 0; c < t->ncols; c++) {
		fputs(t->num[c] ? "<th class=\"num\">" : "<th>", f);
		html_esc(f, t->head[c]);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for(i = 0; i < t->nrows; i++) {
		fputs("<tr>", f);
		for(c = 0; c < t->ncols; c++) {
			fputs(t->num[c] ? "<td class=\"num\">" :
				c == 0 || strcmp(t->head[c], "name") == 0 ?
				"<td class=\"key\">" : "<td>", f);
			html_esc(f, t->cells[i * (size_t)t->ncols +
				(size_t)c]);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

/** timeline drawing size */
#define SVG_W 720
/** height of a timeline's bars */
#define SVG_H 44

/** Print the time axis labels under a timeline. */
static void
svg_axis(const struct report *r, const struct view *v, FILE *f)
{
	struct fmt a = ftime(r->tl_base + (int64_t)v->b0 * r->tl_width),
		b = ftime(r->tl_base + (int64_t)(v->b1 + 1) * r->tl_width);

	fprintf(f, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		"class=\"axis\"/>", SVG_H, SVG_W, SVG_H);
	fprintf(f, "<text x=\"0\" y=\"%d\">%s</text>", SVG_H + 13, a.s);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>",
		SVG_W, SVG_H + 13, b.s);
}

/**
 * Print one timeline: bars of up to three stacked series (log, block,
 * sinkhole; a beacon pair's lookups when only s0) over the bins b0..b1.
 */
static void
svg_timeline(const struct report *r, const struct view *v, FILE *f,
	const char *label, const uint32_t *s0, const uint32_t *s1,
	const uint32_t *s2)
{
	int nb = v->b1 - v->b0 + 1, i;
	uint64_t max = 1;
	double bw = (double)SVG_W / nb;
	static const char *acts[3] = { "log", "block", "sinkhole" };
	static const char *one[3] = { "beacon", "", "" };
	const char *const *cls = s1 || s2 ? acts : one;

	for(i = v->b0; i <= v->b1; i++) {
		uint64_t t = (uint64_t)s0[i] + (s1 ? s1[i] : 0) +
			(s2 ? s2[i] : 0);
		if(t > max)
			max = t;
	}
	fputs("<figure class=\"tl\"><figcaption>", f);
	html_esc(f, label);
	fprintf(f, "</figcaption><svg width=\"%d\" height=\"%d\" viewBox=\"0 "
		"0 %d %d\" role=\"img\">", SVG_W, SVG_H + 16, SVG_W,
		SVG_H + 16);
	for(i = v->b0; i <= v->b1; i++) {
		const uint32_t *s[3] = { s0, s1, s2 };
		double y = SVG_H;
		int k;
		uint64_t tot = (uint64_t)s0[i] + (s1 ? s1[i] : 0) +
			(s2 ? s2[i] : 0);
		struct fmt when;
		if(!tot)
			continue;
		when = ftime(r->tl_base + (int64_t)i * r->tl_width);
		fprintf(f, "<g><title>%s: %llu</title>", when.s,
			(unsigned long long)tot);
		for(k = 0; k < 3; k++) {
			double h;
			if(!s[k] || !s[k][i])
				continue;
			h = (double)s[k][i] * (SVG_H - 2) / (double)max;
			if(h < 1)
				h = 1;
			y -= h;
			fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
				"width=\"%.1f\" height=\"%.1f\"/>", cls[k],
				(i - v->b0) * bw, y, bw > 2 ? bw - 0.5 : bw,
				h);
		}
		fputs("</g>", f);
	}
	svg_axis(r, v, f);
	fputs("</svg></figure>\n", f);
}

/** the page's style sheet */
static const char css[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;"
	"margin:1.5em auto;max-width:1200px;padding:0 1em;color:#1d2330;"
	"background:#fff}\n"
	"h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;"
	"margin-top:1.6em;border-bottom:2px solid #d5dae3;padding-bottom:"
	".2em}\n"
	"p.note{color:#555;margin:.3em 0 .6em;font-size:.9em}"
	"p.none{color:#777}\n"
	"dl.summary{display:grid;grid-template-columns:max-content auto;"
	"gap:.2em 1em;font-size:.92em}dl.summary dt{font-weight:600}"
	"dl.summary dd{margin:0}\n"
	"table{border-collapse:collapse;font-size:.88em;width:100%}"
	"th,td{padding:.25em .6em;text-align:left;vertical-align:top;"
	"border-bottom:1px solid #e3e6ec}th{background:#f2f4f8}"
	"tbody tr:nth-child(even){background:#fafbfd}\n"
	"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}"
	"td.key{font-family:ui-monospace,Menlo,Consolas,monospace;"
	"word-break:break-all}\n"
	"figure.tl{margin:.5em 0 .9em}figure.tl figcaption{font-family:"
	"ui-monospace,Menlo,Consolas,monospace;font-size:.85em;"
	"word-break:break-all}\n"
	"svg text{font-size:10px;fill:#666}svg .axis{stroke:#999;"
	"stroke-width:1}\n"
	"rect.log{fill:#e0a526}rect.block{fill:#c8362e}"
	"rect.sinkhole{fill:#7a4fb5}rect.beacon{fill:#2d6fb7}\n"
	".legend span{display:inline-block;width:.9em;height:.9em;"
	"margin:0 .3em 0 1em;vertical-align:middle}\n"
	"footer{margin-top:2em;color:#777;font-size:.8em}\n";

/** Print the HTML page. */
static void
out_html(const struct report *r, const struct view *v, struct table *tabs,
	int nt, FILE *f)
{
	char *sum = NULL, *line, *save = NULL;
	size_t sumlen = 0, i;
	FILE *mf;
	int t;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		"<meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\""
		"default-src 'none'; style-src 'unsafe-inline'\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, "
		"initial-scale=1\">\n<title>dyndns-guard report</title>\n"
		"<style>\n", f);
	fputs(css, f);
	fputs("</style>\n</head>\n<body>\n<h1>dyndns-guard report</h1>\n",
		f);
	/* the summary: the text lines, as a list */
	mf = open_memstream(&sum, &sumlen);
	if(mf) {
		summary_text(r, mf, "");
		fclose(mf);
	}
	fputs("<dl class=\"summary\">\n", f);
	for(line = sum ? strtok_r(sum, "\n", &save) : NULL; line;
		line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		fputs("<dt>", f);
		if(colon && colon - line < 24) {
			*colon = 0;
			html_esc(f, line);
			fputs("</dt><dd>", f);
			html_esc(f, colon + 1 + (colon[1] == ' '));
		} else {
			fputs("</dt><dd>", f);
			html_esc(f, line);
		}
		fputs("</dd>\n", f);
	}
	free(sum);
	fputs("</dl>\n<p class=\"legend\">actions:<span style=\"background:"
		"#e0a526\"></span>log<span style=\"background:#c8362e\">"
		"</span>block<span style=\"background:#7a4fb5\"></span>"
		"sinkhole <span style=\"background:#2d6fb7\"></span>lookups "
		"of a beacon pair; ~ marks an estimate or an upper bound</p>\n",
		f);
	for(t = 0; t < nt; t++) {
		html_table(&tabs[t], f);
		if(strcmp(tabs[t].id, "zones") == 0 && r->in_window) {
			fprintf(f, "<h3>Timeline per zone</h3>\n<p class=\""
				"note\">events per %s, %s</p>\n",
				fsecs((double)r->tl_width / 1000).s,
				"stacked by action");
			for(i = 0; i < topn(r, v->nzones); i++) {
				struct zstat *z = ddg_sstab_payload(
					v->zones[i]);
				svg_timeline(r, v, f, v->zones[i]->key,
					z->tl[ACT_LOG], z->tl[ACT_BLOCK],
					z->tl[ACT_SINKHOLE]);
			}
		}
		if(strcmp(tabs[t].id, "beacons") == 0 && v->nbeacons) {
			fprintf(f, "<h3>Timeline per beacon pair</h3>\n<p "
				"class=\"note\">lookups per %s</p>\n",
				fsecs((double)r->tl_width / 1000).s);
			for(i = 0; i < topn(r, v->nbeacons); i++) {
				struct pstat *p = ddg_sstab_payload(
					v->beacons[i].e);
				uint32_t s[TL_BINS];
				char label[DDG_EVREC_MAXFIELD * 2 + 64];
				size_t cl, nl;
				const char *cp = part(v->beacons[i].e, 0, &cl),
					*np = part(v->beacons[i].e, 1, &nl);
				int b;
				for(b = 0; b < TL_BINS; b++)
					s[b] = p->tl[b];
				snprintf(label, sizeof(label), "%.*s -> %.*s "
					"(every %s)", (int)cl, cp, (int)nl, np,
					fsecs(v->beacons[i].s.median).s);
				fputs("<div class=\"beacon\">", f);
				svg_timeline(r, v, f, label, s, NULL, NULL);
				fputs("</div>\n", f);
			}
		}
	}
	fputs("<footer>dyndns-guard ", f);
	html_esc(f, PACKAGE_VERSION);
	fputs(" report</footer>\n</body>\n</html>\n", f);
}

/** what fill_html() writes */
struct html_page {
	const struct report *r;		/**< the report */
	const struct view *v;		/**< its view */
	struct table *tabs;		/**< its tables */
	int nt;				/**< their number */
};

/** ddg_file_fill of the HTML page */
static int
fill_html(FILE *f, void *arg)
{
	const struct html_page *pg = arg;

	out_html(pg->r, pg->v, pg->tabs, pg->nt, f);
	return DDG_OK;
}

/** Write the HTML page to path atomically (ddg_file_replace(), with the
 * umask applied to mode 0644); returns 0 or -1 (printed). */
static int
write_html(const struct report *r, const struct view *v, struct table *tabs,
	int nt, const char *path)
{
	struct html_page pg;
	char err[DDG_ERR_LEN];
	mode_t um = umask(0);

	umask(um);
	pg.r = r;
	pg.v = v;
	pg.tabs = tabs;
	pg.nt = nt;
	if(ddg_file_replace(path, 0644 & ~um, DDG_FILE_SYNC, fill_html, &pg,
		err, sizeof(err)) != DDG_OK) {
		fprintf(stderr, "dyndns-guard report: %s\n", err);
		return -1;
	}
	return 0;
}

int
report_output(struct report *r, FILE *out)
{
	struct view v;
	struct table tabs[8];
	int nt, i, ret = EX_OK;

	view_build(r, &v);
	nt = tables_build(r, &v, tabs);
	if(r->json)
		out_json(r, &v, out);
	else
		out_text(r, tabs, nt, out);
	if(r->html && write_html(r, &v, tabs, nt, r->html) != 0)
		ret = EX_IO;
	for(i = 0; i < nt; i++)
		tab_free(&tabs[i]);
	view_free(&v);
	return ret;
}
