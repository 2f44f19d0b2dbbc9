/**
 * \file metrics.c
 * Per-thread counter blocks, their sums, and the Prometheus text file.
 * See metrics.h for the guarantees and docs/module.md, "Metrics", for the
 * metrics.
 *
 * A counter block belongs to one thread, which alone writes it: an
 * increment is a relaxed load and a relaxed store (plain moves on the
 * usual processors; no locked instruction).  The overflow block, shared by
 * threads beyond the blocks made, uses atomic additions and a mutex for
 * its tables.  The collector reads everything with relaxed loads.
 *
 * A breakdown table (categories, networks, zones) is an open-addressing
 * hash table of fixed size.  Its owner fills a free slot (key, count), then
 * appends the slot's index to the table's fill order and publishes the new
 * length of that order with a release store; the collector reads the
 * length with an acquire load and visits exactly the slots filled up to
 * then.  A filled slot's key never changes, so the key bytes need no
 * atomics.  Tables never hold more than three quarters of their slots, so
 * a probe always ends.
 */
#include "ddg_config.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/file.h"
#include "dyndns-guard/metrics.h"
#include "dyndns-guard/name.h"

/** longest key of each table */
#define CAT_KEYMAX 64
#define NET_KEYMAX 64
#define ZONE_KEYMAX 255

/** a slot of a table: this header, then the key bytes */
struct slot {
	/** its count */
	_Atomic uint64_t count;
	/** hash of the key */
	uint32_t hash;
	/** key length; 0 while the slot is free */
	uint32_t len;
	/** the key (keymax bytes) */
	uint8_t key[];
};

/** a breakdown table of one counter block */
struct table {
	/** cap slots, stride bytes apart */
	uint8_t *mem;
	/** fill order: indexes of the filled slots */
	uint16_t *order;
	/** number of slots (a power of 2) */
	size_t cap;
	/** bytes per slot */
	size_t stride;
	/** longest key */
	size_t keymax;
	/** most keys (three quarters of cap) */
	size_t limit;
	/** filled slots: the first n entries of order are valid */
	_Atomic size_t n;
	/** counts of keys that found the table full (or too long) */
	_Atomic uint64_t other;
};

/** the counters of one thread (or of the threads that share the last) */
struct block {
	/** client answers, by source */
	_Alignas(64) _Atomic uint64_t queries[DDG_MSRC_N];
	/** matches by action */
	_Atomic uint64_t matches[DDG_ACTION_BLOCK + 1];
	/** answers with real data of a blocked name */
	_Atomic uint64_t bypass;
	/** calls seen per kind, for the sampling */
	_Atomic uint64_t tick[DDG_MCALL_N];
	/** timed calls per bucket */
	_Atomic uint64_t hist[DDG_MCALL_N][DDG_METRICS_BUCKETS + 1];
	/** nanoseconds of the timed calls */
	_Atomic uint64_t hist_sum[DDG_MCALL_N];
	/** matches by category, network, zone */
	struct table cats, nets, zones;
	/** 1 for the overflow block: atomic additions, tables under lock */
	int shared;
	/** protects the tables of the overflow block */
	pthread_mutex_t lock;
};

/** the counters of one module instance */
struct ddg_metrics {
	/** identity of the instance */
	uint64_t id;
	/** nblocks blocks, then the overflow block */
	struct block *blocks;
	/** number of blocks for threads of their own */
	unsigned nblocks;
	/** blocks handed out so far */
	_Atomic unsigned next;
	/** bytes allocated */
	size_t mem;
};

/** the upper bounds of the histogram buckets, nanoseconds */
static const uint64_t bucket_ns[DDG_METRICS_BUCKETS] = {
	250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
	1000000
};
/** the same, as printed */
static const char *const bucket_le[DDG_METRICS_BUCKETS + 1] = {
	"2.5e-07", "5e-07", "1e-06", "2.5e-06", "5e-06", "1e-05", "2.5e-05",
	"5e-05", "0.0001", "0.00025", "0.001", "+Inf"
};

/** this thread's block and the instance it was taken from */
static __thread struct block *tls_block;
/** identity of that instance */
static __thread uint64_t tls_id;

/* ---- counting ---- */

/** Add to a counter of a block. */
static inline void
add(struct block *b, _Atomic uint64_t *c, uint64_t n)
{
	if(b->shared)
		atomic_fetch_add_explicit(c, n, memory_order_relaxed);
	else
		atomic_store_explicit(c, atomic_load_explicit(c,
			memory_order_relaxed) + n, memory_order_relaxed);
}

/** This thread's block of an instance. */
static inline struct block *
block_of(struct ddg_metrics *mx)
{
	if(tls_id != mx->id) {
		unsigned i = atomic_fetch_add_explicit(&mx->next, 1,
			memory_order_relaxed);
		tls_block = &mx->blocks[i < mx->nblocks ? i : mx->nblocks];
		tls_id = mx->id;
	}
	return tls_block;
}

/** FNV-1a of a key */
static uint32_t
hash_key(const uint8_t *k, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for(i = 0; i < len; i++)
		h = (h ^ k[i]) * 16777619u;
	return h;
}

/** The i-th slot of a table. */
static inline struct slot *
slot_at(const struct table *t, size_t i)
{
	return (struct slot *)(t->mem + i * t->stride);
}

/** Count one for a key (the owner, or under the overflow block's lock). */
static void
table_count_locked(struct block *b, struct table *t, const uint8_t *key,
	size_t len)
{
	uint32_t h;
	size_t i, n;
	struct slot *s;

	if(len == 0 || len > t->keymax) {
		add(b, &t->other, 1);
		return;
	}
	h = hash_key(key, len);
	for(i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		s = slot_at(t, i);
		if(s->len == 0)
			break;
		if(s->len == len && s->hash == h &&
			memcmp(s->key, key, len) == 0) {
			add(b, &s->count, 1);
			return;
		}
	}
	n = atomic_load_explicit(&t->n, memory_order_relaxed);
	if(n >= t->limit) {
		add(b, &t->other, 1);
		return;
	}
	s->hash = h;
	memcpy(s->key, key, len);
	s->len = (uint32_t)len;
	atomic_store_explicit(&s->count, 1, memory_order_relaxed);
	t->order[n] = (uint16_t)i;
	atomic_store_explicit(&t->n, n + 1, memory_order_release);
}

/** Count one for a key in a table of a block. */
static void
table_count(struct block *b, struct table *t, const uint8_t *key, size_t len)
{
	if(b->shared) {
		pthread_mutex_lock(&b->lock);
		table_count_locked(b, t, key, len);
		pthread_mutex_unlock(&b->lock);
	} else
		table_count_locked(b, t, key, len);
}

void
ddg_metrics_query(struct ddg_metrics *mx, enum ddg_metrics_source src)
{
	struct block *b;

	if(!mx || (unsigned)src >= DDG_MSRC_N)
		return;
	b = block_of(mx);
	add(b, &b->queries[src], 1);
}

void
ddg_metrics_match(struct ddg_metrics *mx, enum ddg_action action,
	const uint8_t *zone, const char *category, const char *network)
{
	struct block *b;
	int zl;

	if(!mx || (action != DDG_ACTION_LOG && action != DDG_ACTION_SINKHOLE &&
		action != DDG_ACTION_BLOCK))
		return;
	b = block_of(mx);
	add(b, &b->matches[action], 1);
	if(category)
		table_count(b, &b->cats, (const uint8_t *)category,
			strlen(category));
	if(!network || !*network)
		network = DDG_METRICS_NO_NETWORK;
	table_count(b, &b->nets, (const uint8_t *)network, strlen(network));
	if(zone && (zl = ddg_name_wire_len(zone, DDG_NAME_MAXWIRE)) > 0) {
		uint8_t low[DDG_NAME_MAXWIRE];
		memcpy(low, zone, (size_t)zl);
		ddg_name_tolower(low);
		table_count(b, &b->zones, low, (size_t)zl);
	}
}

void
ddg_metrics_bypass(struct ddg_metrics *mx)
{
	struct block *b;

	if(!mx)
		return;
	b = block_of(mx);
	add(b, &b->bypass, 1);
}

uint64_t
ddg_metrics_time_start(struct ddg_metrics *mx, enum ddg_metrics_call call)
{
	struct block *b;
	struct timespec ts;
	uint64_t t;

	if(!mx || (unsigned)call >= DDG_MCALL_N)
		return 0;
	b = block_of(mx);
	if(b->shared)
		t = atomic_fetch_add_explicit(&b->tick[call], 1,
			memory_order_relaxed);
	else {
		t = atomic_load_explicit(&b->tick[call],
			memory_order_relaxed);
		atomic_store_explicit(&b->tick[call], t + 1,
			memory_order_relaxed);
	}
	if((t & (DDG_METRICS_SAMPLE - 1)) != 0)
		return 0;
	/* the vDSO answers this without a system call */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	return t ? t : 1;
}

void
ddg_metrics_time_add(struct ddg_metrics *mx, enum ddg_metrics_call call,
	uint64_t ns)
{
	struct block *b;
	size_t i;

	if(!mx || (unsigned)call >= DDG_MCALL_N)
		return;
	b = block_of(mx);
	for(i = 0; i < DDG_METRICS_BUCKETS && ns > bucket_ns[i]; i++)
		;
	add(b, &b->hist[call][i], 1);
	add(b, &b->hist_sum[call], ns);
}

void
ddg_metrics_time_stop(struct ddg_metrics *mx, enum ddg_metrics_call call,
	uint64_t start)
{
	struct timespec ts;
	uint64_t now;

	if(!mx || start == 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	ddg_metrics_time_add(mx, call, now > start ? now - start : 0);
}

/* ---- making and freeing ---- */

/** Set up a table of cap slots (a power of 2 up to 65536). */
static int
table_init(struct table *t, size_t cap, size_t keymax, size_t *mem)
{
	void *p = NULL;

	t->cap = cap;
	t->keymax = keymax;
	t->stride = (sizeof(struct slot) + keymax + 7) & ~(size_t)7;
	t->limit = cap / 4 * 3;
	atomic_init(&t->n, 0);
	atomic_init(&t->other, 0);
	/* a line of its own: no false sharing with another thread's data */
	if(posix_memalign(&p, 64, cap * t->stride) != 0)
		return 0;
	memset(p, 0, cap * t->stride);
	t->mem = p;
	t->order = calloc(cap, sizeof(*t->order));
	if(!t->order)
		return 0;
	*mem += cap * t->stride + cap * sizeof(*t->order);
	return 1;
}

/** smallest power of 2 that holds n keys at three quarters */
static size_t
cap_for(size_t n)
{
	size_t c = 4;

	while(c / 4 * 3 < n)
		c *= 2;
	return c;
}

struct ddg_metrics *
ddg_metrics_new(unsigned nthreads, uint64_t id)
{
	struct ddg_metrics *mx;
	void *p = NULL;
	unsigned i;

	if(nthreads < 1)
		nthreads = 1;
	if(nthreads > 4096 || id == 0)
		return NULL;
	mx = calloc(1, sizeof(*mx));
	if(!mx)
		return NULL;
	mx->id = id;
	mx->nblocks = nthreads;
	atomic_init(&mx->next, 0);
	if(posix_memalign(&p, 64, (nthreads + 1) * sizeof(struct block)) != 0) {
		free(mx);
		return NULL;
	}
	memset(p, 0, (nthreads + 1) * sizeof(struct block));
	mx->blocks = p;
	mx->mem = sizeof(*mx) + (nthreads + 1) * sizeof(struct block);
	for(i = 0; i <= nthreads; i++) {
		struct block *b = &mx->blocks[i];
		b->shared = (i == nthreads);
		pthread_mutex_init(&b->lock, NULL);
		if(!table_init(&b->cats, cap_for(DDG_METRICS_CATEGORIES),
			CAT_KEYMAX, &mx->mem) ||
			!table_init(&b->nets, cap_for(DDG_METRICS_NETWORKS),
			NET_KEYMAX, &mx->mem) ||
			!table_init(&b->zones, cap_for(DDG_METRICS_ZONES),
			ZONE_KEYMAX, &mx->mem)) {
			ddg_metrics_free(mx);
			return NULL;
		}
	}
	return mx;
}

void
ddg_metrics_free(struct ddg_metrics *mx)
{
	unsigned i;

	if(!mx)
		return;
	for(i = 0; mx->blocks && i <= mx->nblocks; i++) {
		struct block *b = &mx->blocks[i];
		free(b->cats.mem);
		free(b->cats.order);
		free(b->nets.mem);
		free(b->nets.order);
		free(b->zones.mem);
		free(b->zones.order);
		pthread_mutex_destroy(&b->lock);
	}
	free(mx->blocks);
	free(mx);
}

size_t
ddg_metrics_mem(const struct ddg_metrics *mx)
{
	return mx ? mx->mem : 0;
}

/* ---- collecting ---- */

/** relaxed load */
static inline uint64_t
ld(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/** order of keys by bytes, then length */
static int
key_cmp(const void *a, const void *b)
{
	const struct ddg_metrics_key *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int r = memcmp(x->key, y->key, n);

	if(r)
		return r;
	return x->len < y->len ? -1 : (x->len > y->len);
}

/** order of keys by count (descending), then key */
static int
count_cmp(const void *a, const void *b)
{
	const struct ddg_metrics_key *x = a, *y = b;

	if(x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return key_cmp(a, b);
}

/**
 * The keys of one table of every block, merged: sorted by key, each key
 * once with the sum of its counts.
 * @param off: offset of the table in struct block.
 */
static int
collect_table(struct ddg_metrics *mx, size_t off, struct ddg_metrics_key **out,
	size_t *nout, uint64_t *other)
{
	size_t total = 0, k, j, m;
	size_t *ns;
	struct ddg_metrics_key *keys;
	unsigned i;

	*out = NULL;
	*nout = 0;
	*other = 0;
	ns = calloc(mx->nblocks + 1, sizeof(*ns));
	if(!ns)
		return 0;
	for(i = 0; i <= mx->nblocks; i++) {
		struct table *t = (struct table *)((char *)&mx->blocks[i] +
			off);
		ns[i] = atomic_load_explicit(&t->n, memory_order_acquire);
		total += ns[i];
	}
	keys = calloc(total ? total : 1, sizeof(*keys));
	if(!keys) {
		free(ns);
		return 0;
	}
	m = 0;
	for(i = 0; i <= mx->nblocks; i++) {
		struct table *t = (struct table *)((char *)&mx->blocks[i] +
			off);
		for(k = 0; k < ns[i]; k++) {
			struct slot *s = slot_at(t, t->order[k]);
			keys[m].len = s->len;
			memcpy(keys[m].key, s->key, s->len);
			keys[m].count = ld(&s->count);
			m++;
		}
		/* after the keys: an "other" count read now is never one of
		 * a key read above, so nothing is counted twice */
		*other += ld(&t->other);
	}
	free(ns);
	qsort(keys, m, sizeof(*keys), key_cmp);
	for(j = 0, k = 0; k < m; k++) {
		if(j > 0 && key_cmp(&keys[j - 1], &keys[k]) == 0)
			keys[j - 1].count += keys[k].count;
		else
			keys[j++] = keys[k];
	}
	*out = keys;
	*nout = j;
	return 1;
}

int
ddg_metrics_collect(struct ddg_metrics *mx, struct ddg_metrics_snapshot *s)
{
	unsigned i;
	size_t c, k;

	memset(s, 0, sizeof(*s));
	for(i = 0; i <= mx->nblocks; i++) {
		struct block *b = &mx->blocks[i];
		for(k = 0; k < DDG_MSRC_N; k++)
			s->queries[k] += ld(&b->queries[k]);
		for(k = 0; k <= DDG_ACTION_BLOCK; k++)
			s->matches[k] += ld(&b->matches[k]);
		s->bypass += ld(&b->bypass);
		for(c = 0; c < DDG_MCALL_N; c++) {
			for(k = 0; k <= DDG_METRICS_BUCKETS; k++)
				s->hist[c][k] += ld(&b->hist[c][k]);
			s->hist_sum_ns[c] += ld(&b->hist_sum[c]);
		}
	}
	if(!collect_table(mx, offsetof(struct block, cats), &s->cats,
		&s->ncats, &s->cats_other) ||
		!collect_table(mx, offsetof(struct block, nets), &s->nets,
		&s->nnets, &s->nets_other) ||
		!collect_table(mx, offsetof(struct block, zones), &s->zones,
		&s->nzones, &s->zones_other)) {
		ddg_metrics_snapshot_clear(s);
		return DDG_ERR_NOMEM;
	}
	qsort(s->zones, s->nzones, sizeof(*s->zones), count_cmp);
	return DDG_OK;
}

void
ddg_metrics_snapshot_clear(struct ddg_metrics_snapshot *s)
{
	free(s->cats);
	free(s->nets);
	free(s->zones);
	memset(s, 0, sizeof(*s));
}

const char *
ddg_metrics_bucket_le(size_t i)
{
	return i <= DDG_METRICS_BUCKETS ? bucket_le[i] : "+Inf";
}

/* ---- the text format ---- */

/** Print a label value: \\, \" and \n escaped, bytes outside printable
 * ASCII as \\DDD (so the file is ASCII, hence valid UTF-8). */
static void
put_value(FILE *out, const uint8_t *s, size_t len)
{
	size_t i;

	for(i = 0; i < len; i++) {
		if(s[i] == '\\')
			fputs("\\\\", out);
		else if(s[i] == '"')
			fputs("\\\"", out);
		else if(s[i] == '\n')
			fputs("\\n", out);
		else if(s[i] < 0x20 || s[i] >= 0x7f)
			fprintf(out, "\\\\%03u", (unsigned)s[i]);
		else
			fputc(s[i], out);
	}
}

/** Print a NUL-terminated label value. */
static void
put_str(FILE *out, const char *s)
{
	put_value(out, (const uint8_t *)(s ? s : ""), s ? strlen(s) : 0);
}

/** Print # HELP and # TYPE of a metric. */
static void
head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/** Print a metric without labels, with its head. */
static void
single(FILE *out, const char *name, const char *type, const char *help,
	uint64_t v)
{
	head(out, name, type, help);
	fprintf(out, "%s %" PRIu64 "\n", name, v);
}

/** Print one sample with one label. */
static void
sample1(FILE *out, const char *name, const char *label, const uint8_t *val,
	size_t len, uint64_t v)
{
	fprintf(out, "%s{%s=\"", name, label);
	put_value(out, val, len);
	fprintf(out, "\"} %" PRIu64 "\n", v);
}

/** Print a breakdown: every key, and "(other)" when some found a table
 * full. */
static void
breakdown(FILE *out, const char *name, const char *label, const char *help,
	const struct ddg_metrics_key *keys, size_t n, uint64_t other)
{
	size_t i;

	head(out, name, "counter", help);
	for(i = 0; i < n; i++)
		sample1(out, name, label, keys[i].key, keys[i].len,
			keys[i].count);
	if(other)
		sample1(out, name, label, (const uint8_t *)DDG_METRICS_OTHER,
			strlen(DDG_METRICS_OTHER), other);
}

/** order of list indexes by path, then index (qsort_r; arg: the lists) */
static int
list_idx_cmp(const void *a, const void *b, void *arg)
{
	const struct ddg_metrics_list *l = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = strcmp(l[x].path, l[y].path);

	if(r)
		return r;
	return x < y ? -1 : (x > y);
}

/**
 * Which lists repeat the path of an earlier one (a list: line given
 * twice): their samples would repeat a series, which makes the whole file
 * invalid.  Sorting, so a long list of lists costs n log n.
 * @return a flag per list (1: a repeat), or NULL (none, or out of
 *	memory).
 */
static unsigned char *
repeated_lists(const struct ddg_metrics_report *r)
{
	size_t *idx, i;
	unsigned char *rep;

	if(r->nlists < 2)
		return NULL;
	idx = malloc(r->nlists * sizeof(*idx));
	rep = calloc(r->nlists, 1);
	if(!idx || !rep) {
		free(idx);
		free(rep);
		return NULL;
	}
	for(i = 0; i < r->nlists; i++)
		idx[i] = i;
	qsort_r(idx, r->nlists, sizeof(*idx), list_idx_cmp,
		(void *)r->lists);
	for(i = 1; i < r->nlists; i++)
		if(strcmp(r->lists[idx[i - 1]].path, r->lists[idx[i]].path) == 0)
			rep[idx[i]] = 1;
	free(idx);
	return rep;
}

/** Print the per-list metrics (a path given twice: once). */
static void
lists(FILE *out, const struct ddg_metrics_report *r)
{
	size_t i;
	const struct ddg_metrics_list *l;
	unsigned char *rep = repeated_lists(r);
#define SKIP(i) (rep && rep[i])

	head(out, "dyndns_guard_list_up", "gauge", "Whether a list from this "
		"configured list: file is in force (1) or not (0: missing or "
		"refused at start).");
	for(i = 0; i < r->nlists; i++)
		if(!SKIP(i))
			sample1(out, "dyndns_guard_list_up", "list",
				(const uint8_t *)r->lists[i].path,
				strlen(r->lists[i].path),
				r->lists[i].loaded ? 1 : 0);
	head(out, "dyndns_guard_list_info", "gauge", "Identity of the list in "
		"force: ruleset as in events (rule.ruleset), the SHA-256 "
		"stored in it, its format version.");
	for(i = 0; i < r->nlists; i++) {
		l = &r->lists[i];
		if(!l->loaded || SKIP(i))
			continue;
		fputs("dyndns_guard_list_info{list=\"", out);
		put_str(out, l->path);
		fputs("\",ruleset=\"", out);
		put_str(out, l->ruleset);
		fputs("\",sha256=\"", out);
		put_str(out, l->sha256_hex);
		fprintf(out, "\",version=\"%u\"} 1\n", (unsigned)l->version);
	}
#define PER_LIST(name, type, help, expr) do { \
		head(out, name, type, help); \
		for(i = 0; i < r->nlists; i++) { \
			l = &r->lists[i]; \
			if(l->loaded && !SKIP(i)) \
				sample1(out, name, "list", \
					(const uint8_t *)l->path, \
					strlen(l->path), (uint64_t)(expr)); \
		} \
	} while(0)
	PER_LIST("dyndns_guard_list_entries", "gauge", "Entries (zones) of "
		"the list in force.", l->entries);
	PER_LIST("dyndns_guard_list_categories", "gauge", "Categories of the "
		"list in force.", l->categories);
	PER_LIST("dyndns_guard_list_size_bytes", "gauge", "Size of the list "
		"in force (its private copy in memory, as large as its file).",
		l->size);
	PER_LIST("dyndns_guard_list_created_timestamp_seconds", "gauge",
		"Creation time stored in the list in force (Unix time).",
		l->created);
	PER_LIST("dyndns_guard_list_age_seconds", "gauge", "Seconds from the "
		"creation time stored in the list in force to the time of "
		"this file.", (uint64_t)r->now > l->created ?
		(uint64_t)r->now - l->created : 0);
	PER_LIST("dyndns_guard_list_loaded_timestamp_seconds", "gauge",
		"When the module read and validated the list in force (Unix "
		"time).", l->loaded_at > 0 ? (uint64_t)l->loaded_at : 0);
#undef PER_LIST
#undef SKIP
	free(rep);
}

int
ddg_metrics_format(FILE *out, const struct ddg_metrics_report *r)
{
	const struct ddg_metrics_snapshot *s = r->snap;
	static const char *const src[DDG_MSRC_N] = { "resolved", "cache",
		"local", "servfail" };
	static const char *const call[DDG_MCALL_N] = { "operate", "reply" };
	static const enum ddg_action acts[] = { DDG_ACTION_LOG,
		DDG_ACTION_SINKHOLE, DDG_ACTION_BLOCK };
	const char *hn = "dyndns_guard_decision_duration_seconds";
	size_t i, k, loaded = 0;

	head(out, "dyndns_guard_build_info", "gauge", "The dyndns-guard "
		"version and the Unbound version the module is built for.");
	fprintf(out, "dyndns_guard_build_info{version=\"");
	put_str(out, PACKAGE_VERSION);
	fprintf(out, "\",unbound=\"");
	put_str(out, r->unbound_version ? r->unbound_version : "");
	fprintf(out, "\"} 1\n");
	single(out, "dyndns_guard_start_time_seconds", "gauge", "When this "
		"module instance started (Unix time); its counters start at 0 "
		"then (Unbound start, reload, SIGHUP).", (uint64_t)r->start);

	head(out, "dyndns_guard_queries_total", "counter", "Answers to client "
		"queries the module saw, by where the answer came from.");
	for(k = 0; k < DDG_MSRC_N; k++)
		fprintf(out, "dyndns_guard_queries_total{source=\"%s\"} %"
			PRIu64 "\n", src[k], s->queries[k]);
	head(out, "dyndns_guard_matches_total", "counter", "Answers to "
		"clients that involved a listed name or a zone: rule, by the "
		"action the client got (one per event).");
	for(k = 0; k < sizeof(acts) / sizeof(acts[0]); k++)
		fprintf(out, "dyndns_guard_matches_total{action=\"%s\"} %"
			PRIu64 "\n", ddg_action_name(acts[k]),
			s->matches[acts[k]]);
	breakdown(out, "dyndns_guard_category_matches_total", "category",
		"Matches by category of the list entry (zone-rule for a zone: "
		"rule).", s->cats, s->ncats, s->cats_other);
	breakdown(out, "dyndns_guard_network_matches_total", "network",
		"Matches by client network ((none): the client is in no "
		"client-network:).", s->nets, s->nnets, s->nets_other);
	head(out, "dyndns_guard_zone_matches_total", "counter", "Matches of "
		"the 20 zones with the most matches.");
	for(i = 0; i < s->nzones && i < DDG_METRICS_TOP_ZONES; i++) {
		char name[DDG_NAME_MAXSTR];
		int n = ddg_name_to_str(s->zones[i].key, name, sizeof(name));
		if(n < 0)
			continue;
		if(n > 1 && name[n - 1] == '.')
			name[--n] = 0;
		sample1(out, "dyndns_guard_zone_matches_total", "zone",
			(const uint8_t *)name, (size_t)n, s->zones[i].count);
	}
	single(out, "dyndns_guard_zones_matched", "gauge", "Zones with "
		"matches counted by zone (of these, the 20 with the most are "
		"in dyndns_guard_zone_matches_total).", (uint64_t)s->nzones);
	single(out, "dyndns_guard_zone_matches_untracked_total", "counter",
		"Matches of zones that found the module's zone table full "
		"(counted in the other totals, not by zone).", s->zones_other);
	single(out, "dyndns_guard_blocked_answers_served_total", "counter",
		"Answers that carried real data of a name blocked for their "
		"client (a cache hit no decision could stop; the entry is "
		"expired at once).", s->bypass);

	head(out, hn, "histogram", "Time the module spent in one call: "
		"operate() when a query arrives or returns, or a reply "
		"callback (with its event); one call in 64 per worker thread "
		"is timed.");
	for(k = 0; k < DDG_MCALL_N; k++) {
		uint64_t cum = 0;
		for(i = 0; i <= DDG_METRICS_BUCKETS; i++) {
			cum += s->hist[k][i];
			fprintf(out, "%s_bucket{call=\"%s\",le=\"%s\"} %" PRIu64
				"\n", hn, call[k], bucket_le[i], cum);
		}
		fprintf(out, "%s_sum{call=\"%s\"} %" PRIu64 ".%09" PRIu64 "\n",
			hn, call[k], s->hist_sum_ns[k] / 1000000000u,
			s->hist_sum_ns[k] % 1000000000u);
		fprintf(out, "%s_count{call=\"%s\"} %" PRIu64 "\n", hn, call[k],
			cum);
	}

	for(i = 0; i < r->nlists; i++)
		if(r->lists[i].loaded)
			loaded++;
	single(out, "dyndns_guard_lists_configured", "gauge", "list: lines "
		"in the configuration.", (uint64_t)r->nlists);
	single(out, "dyndns_guard_lists_loaded", "gauge", "Configured lists "
		"with a list in force.", (uint64_t)loaded);
	single(out, "dyndns_guard_failing_closed", "gauge", "1 while no list "
		"is usable and fail-mode: closed answers SERVFAIL to every "
		"client query.", r->failing_closed ? 1 : 0);
	lists(out, r);
	single(out, "dyndns_guard_list_set_generation", "gauge", "Generation "
		"of the lists in force: 1 at start, one more per replacement.",
		r->generation);
	single(out, "dyndns_guard_list_replacements_total", "counter", "List "
		"replacements put in force (a changed file, validated).",
		r->replacements);
	single(out, "dyndns_guard_list_replacements_refused_total", "counter",
		"Changed list files refused (invalid, wrong or missing "
		"signature); the list in memory kept serving.", r->refusals);

	if(r->have_evlog) {
		const struct ddg_evlog_stats *e = &r->evlog;
		single(out, "dyndns_guard_events_written_total", "counter",
			"Events written to log-file:.", e->written);
		head(out, "dyndns_guard_events_dropped_total", "counter",
			"Events not written to log-file:, by reason (they are in "
			"Unbound's log all the same).");
		fprintf(out, "dyndns_guard_events_dropped_total{reason="
			"\"queue_full\"} %" PRIu64 "\n", e->dropped);
		fprintf(out, "dyndns_guard_events_dropped_total{reason="
			"\"too_long\"} %" PRIu64 "\n", e->too_long);
		fprintf(out, "dyndns_guard_events_dropped_total{reason="
			"\"write_failed\"} %" PRIu64 "\n", e->lost);
		single(out, "dyndns_guard_event_write_errors_total", "counter",
			"Failed open, write and truncate calls of the event "
			"writer.", e->errors);
		single(out, "dyndns_guard_event_queue_bytes", "gauge",
			"Event bytes queued in memory, not yet written.",
			(uint64_t)e->queued);
	}
	single(out, "dyndns_guard_memory_bytes", "gauge", "Memory of the "
		"module (lists, event queue, configuration, counters), as "
		"unbound-control stats reports it in mem.mod.dynlibmod.",
		r->memory);
	single(out, "dyndns_guard_metrics_write_errors_total", "counter",
		"Metrics files that could not be written.", r->write_errors);
	if(fflush(out) != 0 || ferror(out))
		return DDG_ERR_IO;
	return DDG_OK;
}

/** ddg_file_fill of a report */
static int
fill_report(FILE *f, void *arg)
{
	return ddg_metrics_format(f, arg);
}

int
ddg_metrics_write(const char *path, const struct ddg_metrics_report *r,
	char *err, size_t errlen)
{
	/* rewritten every few seconds: atomic, not synced */
	return ddg_file_replace(path, 0644, 0, fill_report, (void *)r, err,
		errlen);
}
