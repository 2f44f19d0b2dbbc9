/**
 * \file check_metrics.c
 * Unit tests of the metrics counters and their Prometheus text file
 * (lib/metrics.c): exact counts, case-folded zones, full tables counted
 * as "(other)", the sampling and the histogram buckets, threads counting
 * while a collector reads (totals exact, every counter monotonic; also
 * run under ThreadSanitizer, see configure --enable-tsan), the text
 * format line by line (HELP and TYPE, escaping, the top zones), and the
 * atomic file write (a reader never sees a partial file).
 */
#include "ddg_config.h"
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/metrics.h"
#include "dyndns-guard/name.h"

/* ---- helpers ---- */

/** a wire name from text */
static const uint8_t *
wire(const char *s)
{
	static uint8_t buf[8][DDG_NAME_MAXWIRE];
	static int k;
	size_t len;
	uint8_t *w = buf[k++ % 8];

	ck_assert_int_eq(ddg_name_from_str(s, w, &len), DDG_OK);
	return w;
}

/** the count of a key in a snapshot array, or -1 */
static int64_t
count_of(const struct ddg_metrics_key *k, size_t n, const void *key,
	size_t len)
{
	size_t i;

	for(i = 0; i < n; i++)
		if(k[i].len == len && memcmp(k[i].key, key, len) == 0)
			return (int64_t)k[i].count;
	return -1;
}

/** count of a name key */
static int64_t
name_count(const struct ddg_metrics_key *k, size_t n, const char *s)
{
	return count_of(k, n, s, strlen(s));
}

/** count of a zone key (given in presentation form) */
static int64_t
zone_count(const struct ddg_metrics_snapshot *s, const char *z)
{
	uint8_t w[DDG_NAME_MAXWIRE];
	size_t len;

	ck_assert_int_eq(ddg_name_from_str(z, w, &len), DDG_OK);
	ddg_name_tolower(w);
	return count_of(s->zones, s->nzones, w, len);
}

/** a report with every field set to something */
static void
report_of(struct ddg_metrics_report *r, const struct ddg_metrics_snapshot *s)
{
	memset(r, 0, sizeof(*r));
	r->snap = s;
	r->now = 1700003600;
	r->start = 1700000000;
	r->unbound_version = "1.17.1";
}

/** The text of a report, malloc'ed. */
static char *
formatted(const struct ddg_metrics_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ddg_metrics_format(f, r), DDG_OK);
	fclose(f);
	return buf;
}

/** whether text has a line exactly equal to line */
static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while((p = strstr(p, line)) != NULL) {
		if((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p++;
	}
	return 0;
}

/**
 * Check the exposition grammar line by line: "# HELP name text",
 * "# TYPE name type" once per family before its samples, and samples
 * "name{label="value",...} value" of that family (histogram samples with
 * _bucket, _sum, _count); no empty lines, no bytes outside printable
 * ASCII.  Returns the number of samples.
 */
static int
check_grammar(const char *text)
{
	regex_t help, type, smp;
	char fam[256] = "", line[4096];
	const char *p = text, *nl;
	int samples = 0, typed = 0, hist = 0;
	size_t i;

	ck_assert_int_eq(regcomp(&help, "^# HELP ([a-z_]+) [^\\\\]+$",
		REG_EXTENDED), 0);
	ck_assert_int_eq(regcomp(&type, "^# TYPE ([a-z_]+) "
		"(counter|gauge|histogram)$", REG_EXTENDED), 0);
	ck_assert_int_eq(regcomp(&smp, "^([a-z_]+)(\\{[a-z_][a-z0-9_]*=\"("
		"[^\"\\\\]|\\\\[\"\\\\n])*\"(,[a-z_][a-z0-9_]*=\"([^\"\\\\]|"
		"\\\\[\"\\\\n])*\")*\\})? "
		"([0-9]+(\\.[0-9]+)?)$", REG_EXTENDED), 0);
	for(i = 0; text[i]; i++)
		ck_assert_msg(text[i] == '\n' || (text[i] >= 0x20 &&
			text[i] < 0x7f), "byte %u at %zu", (unsigned)text[i],
			i);
	while(*p) {
		regmatch_t m[2];
		nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_uint_lt((size_t)(nl - p), sizeof(line));
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = 0;
		p = nl + 1;
		if(regexec(&help, line, 2, m, 0) == 0) {
			snprintf(fam, sizeof(fam), "%.*s",
				(int)(m[1].rm_eo - m[1].rm_so), line +
				m[1].rm_so);
			typed = 0;
			continue;
		}
		if(regexec(&type, line, 2, m, 0) == 0) {
			ck_assert_msg(strncmp(line + 7, fam, strlen(fam)) == 0
				&& line[7 + strlen(fam)] == ' ',
				"TYPE without its HELP: %s", line);
			ck_assert_msg(!typed, "second TYPE: %s", line);
			typed = 1;
			hist = strstr(line, " histogram") != NULL;
			continue;
		}
		ck_assert_msg(regexec(&smp, line, 2, m, 0) == 0,
			"not a sample line: '%s'", line);
		ck_assert_msg(typed, "sample before TYPE: %s", line);
		{
			size_t fl = strlen(fam), nl2 = (size_t)(m[1].rm_eo -
				m[1].rm_so);
			int ok = nl2 == fl && strncmp(line, fam, fl) == 0;
			if(hist && !ok)
				ok = strncmp(line, fam, fl) == 0 && (
					strncmp(line + fl, "_bucket{", 8) == 0 ||
					strncmp(line + fl, "_sum{", 5) == 0 ||
					strncmp(line + fl, "_count{", 7) == 0);
			ck_assert_msg(ok, "sample of another family (%s): %s",
				fam, line);
		}
		samples++;
	}
	regfree(&help);
	regfree(&type);
	regfree(&smp);
	return samples;
}

/* ---- counting ---- */

START_TEST(test_counts)
{
	struct ddg_metrics *mx = ddg_metrics_new(2, 11);
	struct ddg_metrics_snapshot s;
	int i;

	ck_assert_ptr_nonnull(mx);
	for(i = 0; i < 7; i++)
		ddg_metrics_query(mx, DDG_MSRC_RESOLVED);
	for(i = 0; i < 3; i++)
		ddg_metrics_query(mx, DDG_MSRC_CACHE);
	ddg_metrics_query(mx, DDG_MSRC_LOCAL);
	ddg_metrics_query(mx, DDG_MSRC_N); /* ignored */
	ddg_metrics_match(mx, DDG_ACTION_LOG, wire("duckdns.org"),
		"ddns-service", NULL);
	ddg_metrics_match(mx, DDG_ACTION_LOG, wire("DuckDNS.ORG"),
		"ddns-service", "ci-cd");
	ddg_metrics_match(mx, DDG_ACTION_BLOCK, wire("no-ip.biz"),
		"ddns-service", "ci-cd");
	ddg_metrics_match(mx, DDG_ACTION_SINKHOLE, wire("myasustor.com"),
		"vendor-ddns", "");
	ddg_metrics_match(mx, DDG_ACTION_ALLOW, wire("x.example"), "c", NULL);
	ddg_metrics_match(mx, DDG_ACTION_BLOCK, NULL, NULL, NULL);
	ddg_metrics_bypass(mx);
	ddg_metrics_bypass(NULL);
	ddg_metrics_query(NULL, DDG_MSRC_CACHE);

	ck_assert_int_eq(ddg_metrics_collect(mx, &s), DDG_OK);
	ck_assert_uint_eq(s.queries[DDG_MSRC_RESOLVED], 7);
	ck_assert_uint_eq(s.queries[DDG_MSRC_CACHE], 3);
	ck_assert_uint_eq(s.queries[DDG_MSRC_LOCAL], 1);
	ck_assert_uint_eq(s.queries[DDG_MSRC_SERVFAIL], 0);
	ck_assert_uint_eq(s.matches[DDG_ACTION_LOG], 2);
	ck_assert_uint_eq(s.matches[DDG_ACTION_BLOCK], 2);
	ck_assert_uint_eq(s.matches[DDG_ACTION_SINKHOLE], 1);
	ck_assert_uint_eq(s.matches[DDG_ACTION_ALLOW], 0);
	ck_assert_uint_eq(s.bypass, 1);
	ck_assert_uint_eq(s.ncats, 2);
	ck_assert_int_eq(name_count(s.cats, s.ncats, "ddns-service"), 3);
	ck_assert_int_eq(name_count(s.cats, s.ncats, "vendor-ddns"), 1);
	ck_assert_uint_eq(s.nnets, 2);
	ck_assert_int_eq(name_count(s.nets, s.nnets, "ci-cd"), 2);
	ck_assert_int_eq(name_count(s.nets, s.nnets, DDG_METRICS_NO_NETWORK),
		3);
	/* zones are case-folded; the zone-less match counts nowhere */
	ck_assert_uint_eq(s.nzones, 3);
	ck_assert_int_eq(zone_count(&s, "duckdns.org"), 2);
	ck_assert_int_eq(zone_count(&s, "no-ip.biz"), 1);
	/* sorted by count, the largest first */
	ck_assert_uint_eq(s.zones[0].count, 2);
	ck_assert_uint_eq(s.cats_other + s.nets_other + s.zones_other, 0);
	ddg_metrics_snapshot_clear(&s);
	ck_assert_ptr_null(s.zones);
	ck_assert_uint_gt(ddg_metrics_mem(mx), 2 * 64 * 1024);
	ddg_metrics_free(mx);
	ddg_metrics_free(NULL);
}
END_TEST

START_TEST(test_full_tables)
{
	struct ddg_metrics *mx = ddg_metrics_new(1, 12);
	struct ddg_metrics_snapshot s;
	char name[80], longcat[100];
	int i, extra = 50;

	ck_assert_ptr_nonnull(mx);
	for(i = 0; i < DDG_METRICS_ZONES + extra; i++) {
		snprintf(name, sizeof(name), "z%d.example", i);
		ddg_metrics_match(mx, DDG_ACTION_LOG, wire(name), "c", NULL);
	}
	/* the zones that got a slot keep counting, the others go on into
	 * "other" */
	ddg_metrics_match(mx, DDG_ACTION_LOG, wire("z0.example"), "c", NULL);
	snprintf(name, sizeof(name), "z%d.example", DDG_METRICS_ZONES + 1);
	ddg_metrics_match(mx, DDG_ACTION_LOG, wire(name), "c", NULL);
	for(i = 0; i < DDG_METRICS_NETWORKS + 3; i++) {
		snprintf(name, sizeof(name), "net%d", i);
		ddg_metrics_match(mx, DDG_ACTION_BLOCK, NULL, NULL, name);
	}
	memset(longcat, 'c', sizeof(longcat) - 1);
	longcat[sizeof(longcat) - 1] = 0;
	ddg_metrics_match(mx, DDG_ACTION_BLOCK, NULL, longcat, "net0");

	ck_assert_int_eq(ddg_metrics_collect(mx, &s), DDG_OK);
	ck_assert_uint_eq(s.nzones, DDG_METRICS_ZONES);
	ck_assert_uint_eq(s.zones_other, (uint64_t)extra + 1);
	ck_assert_int_eq(zone_count(&s, "z0.example"), 2);
	ck_assert_uint_eq(s.nnets, DDG_METRICS_NETWORKS);
	/* the first networks of the first match loop: (none) */
	ck_assert_int_eq(name_count(s.nets, s.nnets, DDG_METRICS_NO_NETWORK),
		DDG_METRICS_ZONES + extra + 2);
	ck_assert_uint_eq(s.nets_other, 3 + 1);
	ck_assert_int_eq(name_count(s.cats, s.ncats, "c"),
		DDG_METRICS_ZONES + extra + 2);
	ck_assert_uint_eq(s.cats_other, 1); /* too long for a key */
	ck_assert_uint_eq(s.matches[DDG_ACTION_LOG] +
		s.matches[DDG_ACTION_BLOCK], (uint64_t)DDG_METRICS_ZONES +
		extra + 2 + DDG_METRICS_NETWORKS + 3 + 1);
	ddg_metrics_snapshot_clear(&s);
	ddg_metrics_free(mx);
}
END_TEST

START_TEST(test_sampling)
{
	struct ddg_metrics *mx = ddg_metrics_new(1, 13);
	struct ddg_metrics_snapshot s;
	uint64_t t;
	int i, timed = 0;

	ck_assert_ptr_nonnull(mx);
	for(i = 0; i < 10 * DDG_METRICS_SAMPLE; i++) {
		t = ddg_metrics_time_start(mx, DDG_MCALL_OPERATE);
		if(i % DDG_METRICS_SAMPLE == 0)
			ck_assert_uint_ne(t, 0);
		else
			ck_assert_uint_eq(t, 0);
		if(t)
			timed++;
		ddg_metrics_time_stop(mx, DDG_MCALL_OPERATE, t);
	}
	ck_assert_int_eq(timed, 10);
	/* the other call kind samples on its own */
	ck_assert_uint_ne(ddg_metrics_time_start(mx, DDG_MCALL_REPLY), 0);
	ck_assert_int_eq(ddg_metrics_collect(mx, &s), DDG_OK);
	{
		uint64_t n = 0;
		for(i = 0; i <= DDG_METRICS_BUCKETS; i++)
			n += s.hist[DDG_MCALL_OPERATE][i];
		ck_assert_uint_eq(n, 10);
		n = 0;
		for(i = 0; i <= DDG_METRICS_BUCKETS; i++)
			n += s.hist[DDG_MCALL_REPLY][i];
		ck_assert_uint_eq(n, 0); /* started, never stopped */
	}
	ddg_metrics_snapshot_clear(&s);
	ddg_metrics_free(mx);

	/* bucket bounds are inclusive (Prometheus le) */
	mx = ddg_metrics_new(1, 14);
	ddg_metrics_time_add(mx, DDG_MCALL_REPLY, 100);
	ddg_metrics_time_add(mx, DDG_MCALL_REPLY, 250);
	ddg_metrics_time_add(mx, DDG_MCALL_REPLY, 251);
	ddg_metrics_time_add(mx, DDG_MCALL_REPLY, 1000000);
	ddg_metrics_time_add(mx, DDG_MCALL_REPLY, 1000001);
	ddg_metrics_time_add(mx, DDG_MCALL_REPLY, 4000000000u);
	ck_assert_int_eq(ddg_metrics_collect(mx, &s), DDG_OK);
	ck_assert_uint_eq(s.hist[DDG_MCALL_REPLY][0], 2);
	ck_assert_uint_eq(s.hist[DDG_MCALL_REPLY][1], 1);
	ck_assert_uint_eq(s.hist[DDG_MCALL_REPLY][DDG_METRICS_BUCKETS - 1], 1);
	ck_assert_uint_eq(s.hist[DDG_MCALL_REPLY][DDG_METRICS_BUCKETS], 2);
	ck_assert_uint_eq(s.hist_sum_ns[DDG_MCALL_REPLY], 100 + 250 + 251 +
		1000000 + 1000001 + 4000000000u);
	ck_assert_str_eq(ddg_metrics_bucket_le(0), "2.5e-07");
	ck_assert_str_eq(ddg_metrics_bucket_le(DDG_METRICS_BUCKETS - 1),
		"0.001");
	ck_assert_str_eq(ddg_metrics_bucket_le(DDG_METRICS_BUCKETS), "+Inf");
	ddg_metrics_snapshot_clear(&s);
	ddg_metrics_free(mx);
}
END_TEST

START_TEST(test_new_instance)
{
	/* a thread that counted into one instance counts into a block of
	 * the next one, also at the same address */
	struct ddg_metrics *a = ddg_metrics_new(1, 21), *b;
	struct ddg_metrics_snapshot s;

	ddg_metrics_query(a, DDG_MSRC_CACHE);
	ddg_metrics_free(a);
	b = ddg_metrics_new(1, 22);
	ck_assert_ptr_nonnull(b);
	ddg_metrics_query(b, DDG_MSRC_LOCAL);
	ck_assert_int_eq(ddg_metrics_collect(b, &s), DDG_OK);
	ck_assert_uint_eq(s.queries[DDG_MSRC_CACHE], 0);
	ck_assert_uint_eq(s.queries[DDG_MSRC_LOCAL], 1);
	ddg_metrics_snapshot_clear(&s);
	ddg_metrics_free(b);
	ck_assert_ptr_null(ddg_metrics_new(1, 0));
}
END_TEST

/* ---- threads ---- */

#define NTHR 6
#define PER_THREAD 20000

/** what the threads share */
struct race {
	struct ddg_metrics *mx;
	int go;
	pthread_mutex_t lock;
	int done;
};

/** a counting thread: queries, matches of a few zones, timings */
static void *
counter_main(void *arg)
{
	struct race *r = arg;
	static const char *zones[] = { "a.example", "b.example", "c.example" };
	static const char *nets[] = { "n1", "n2", NULL };
	uint8_t w[3][DDG_NAME_MAXWIRE];
	size_t len;
	int i;

	for(i = 0; i < 3; i++)
		if(ddg_name_from_str(zones[i], w[i], &len) != DDG_OK)
			return NULL;
	for(i = 0; i < PER_THREAD; i++) {
		uint64_t t = ddg_metrics_time_start(r->mx, DDG_MCALL_OPERATE);
		ddg_metrics_query(r->mx, (enum ddg_metrics_source)(i % 4));
		ddg_metrics_match(r->mx, DDG_ACTION_LOG, w[i % 3], "c",
			nets[i % 3]);
		ddg_metrics_time_stop(r->mx, DDG_MCALL_OPERATE, t);
	}
	pthread_mutex_lock(&r->lock);
	r->done++;
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

START_TEST(test_threads)
{
	/* more threads than blocks: two share the overflow block */
	struct race r;
	pthread_t th[NTHR];
	struct ddg_metrics_snapshot s, prev;
	int i, done = 0, rounds = 0;

	memset(&r, 0, sizeof(r));
	pthread_mutex_init(&r.lock, NULL);
	r.mx = ddg_metrics_new(NTHR - 2, 31);
	ck_assert_ptr_nonnull(r.mx);
	memset(&prev, 0, sizeof(prev));
	for(i = 0; i < NTHR; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, counter_main,
			&r), 0);
	/* collect while they count: nothing may go backwards */
	while(!done || rounds < 2) {
		uint64_t q = 0, pq = 0;
		size_t k;
		pthread_mutex_lock(&r.lock);
		done = r.done == NTHR;
		pthread_mutex_unlock(&r.lock);
		ck_assert_int_eq(ddg_metrics_collect(r.mx, &s), DDG_OK);
		for(k = 0; k < DDG_MSRC_N; k++) {
			ck_assert_uint_ge(s.queries[k], prev.queries[k]);
			q += s.queries[k];
			pq += prev.queries[k];
		}
		ck_assert_uint_ge(q, pq);
		ck_assert_uint_ge(s.matches[DDG_ACTION_LOG],
			prev.matches[DDG_ACTION_LOG]);
		for(k = 0; k < prev.nzones; k++)
			ck_assert_int_ge(count_of(s.zones, s.nzones,
				prev.zones[k].key, prev.zones[k].len),
				(int64_t)prev.zones[k].count);
		ddg_metrics_snapshot_clear(&prev);
		prev = s;
		if(done)
			rounds++;
	}
	for(i = 0; i < NTHR; i++)
		pthread_join(th[i], NULL);
	ddg_metrics_snapshot_clear(&prev);
	ck_assert_int_eq(ddg_metrics_collect(r.mx, &s), DDG_OK);
	for(i = 0; i < DDG_MSRC_N; i++)
		ck_assert_uint_eq(s.queries[i], (uint64_t)NTHR * PER_THREAD / 4);
	ck_assert_uint_eq(s.matches[DDG_ACTION_LOG], (uint64_t)NTHR *
		PER_THREAD);
	ck_assert_uint_eq(s.nzones, 3);
	ck_assert_int_eq(zone_count(&s, "a.example"), NTHR *
		((PER_THREAD + 2) / 3));
	ck_assert_int_eq(name_count(s.nets, s.nnets, "n2"), NTHR *
		((PER_THREAD + 1) / 3));
	ck_assert_int_eq(name_count(s.cats, s.ncats, "c"), NTHR * PER_THREAD);
	{
		uint64_t n = 0;
		for(i = 0; i <= DDG_METRICS_BUCKETS; i++)
			n += s.hist[DDG_MCALL_OPERATE][i];
		/* one call in 64 per block: the two threads of the
		 * overflow block sample over their calls together */
		ck_assert_uint_eq(n, (uint64_t)(NTHR - 2) * ((PER_THREAD +
			DDG_METRICS_SAMPLE - 1) / DDG_METRICS_SAMPLE) +
			(2 * PER_THREAD + DDG_METRICS_SAMPLE - 1) /
			DDG_METRICS_SAMPLE);
	}
	ddg_metrics_snapshot_clear(&s);
	ddg_metrics_free(r.mx);
	pthread_mutex_destroy(&r.lock);
}
END_TEST

/* ---- the text format ---- */

START_TEST(test_format)
{
	struct ddg_metrics *mx = ddg_metrics_new(1, 41);
	struct ddg_metrics_snapshot s;
	struct ddg_metrics_report r;
	struct ddg_metrics_list l[2];
	char *t, name[64], line[256];
	int i, j;

	ck_assert_ptr_nonnull(mx);
	/* 25 zones, zone i matched i+1 times: the top 20 are z24..z5 */
	for(i = 0; i < 25; i++) {
		snprintf(name, sizeof(name), "z%02d.example", i);
		for(j = 0; j <= i; j++)
			ddg_metrics_match(mx, DDG_ACTION_BLOCK, wire(name),
				"ddns-service", "ci-cd");
	}
	ddg_metrics_match(mx, DDG_ACTION_LOG, wire("we\\\"ird\\\\.ex"),
		"ddns-service", NULL);
	for(i = 0; i < 5; i++)
		ddg_metrics_query(mx, DDG_MSRC_CACHE);
	ddg_metrics_time_add(mx, DDG_MCALL_OPERATE, 300);
	ddg_metrics_time_add(mx, DDG_MCALL_OPERATE, 1500000000u);
	ck_assert_int_eq(ddg_metrics_collect(mx, &s), DDG_OK);
	report_of(&r, &s);
	memset(l, 0, sizeof(l));
	l[0].path = "/var/lib/unbound/dyn\"dns\\.dgl\n\377";
	l[0].loaded = 1;
	l[0].ruleset = "dyndns.dgl@0123456789ab";
	l[0].sha256_hex = "0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef";
	l[0].version = 2;
	l[0].entries = 10412;
	l[0].categories = 4;
	l[0].size = 123456;
	l[0].created = 1700000000 - 100;
	l[0].loaded_at = 1700000001;
	l[1].path = "/missing.dgl";
	r.lists = l;
	r.nlists = 2;
	r.generation = 3;
	r.replacements = 2;
	r.refusals = 1;
	r.have_evlog = 1;
	r.evlog.written = 40;
	r.evlog.dropped = 2;
	r.evlog.too_long = 1;
	r.evlog.lost = 5;
	r.evlog.errors = 7;
	r.evlog.queued = 99;
	r.memory = 4242;
	r.write_errors = 1;
	t = formatted(&r);
	ck_assert_int_gt(check_grammar(t), 60);

	ck_assert(has_line(t, "dyndns_guard_build_info{version=\""
		PACKAGE_VERSION "\",unbound=\"1.17.1\"} 1"));
	ck_assert(has_line(t, "dyndns_guard_start_time_seconds 1700000000"));
	ck_assert(has_line(t, "# TYPE dyndns_guard_queries_total counter"));
	ck_assert(has_line(t, "dyndns_guard_queries_total{source=\"cache\"} "
		"5"));
	ck_assert(has_line(t, "dyndns_guard_queries_total{source=\"resolved\"}"
		" 0"));
	ck_assert(has_line(t, "dyndns_guard_matches_total{action=\"block\"} "
		"325"));
	ck_assert(has_line(t, "dyndns_guard_matches_total{action=\"log\"} 1"));
	ck_assert(has_line(t, "dyndns_guard_matches_total{action=\"sinkhole\"}"
		" 0"));
	ck_assert(has_line(t, "dyndns_guard_category_matches_total{category="
		"\"ddns-service\"} 326"));
	ck_assert(has_line(t, "dyndns_guard_network_matches_total{network="
		"\"ci-cd\"} 325"));
	ck_assert(has_line(t, "dyndns_guard_network_matches_total{network="
		"\"(none)\"} 1"));
	/* the top 20 zones, most matches first */
	ck_assert(has_line(t, "dyndns_guard_zone_matches_total{zone="
		"\"z24.example\"} 25"));
	ck_assert(has_line(t, "dyndns_guard_zone_matches_total{zone="
		"\"z05.example\"} 6"));
	ck_assert(!strstr(t, "z04.example"));
	ck_assert(!strstr(t, "ird"));
	ck_assert(strstr(t, "z24.example") < strstr(t, "z23.example"));
	ck_assert(has_line(t, "dyndns_guard_zones_matched 26"));
	ck_assert(has_line(t, "dyndns_guard_zone_matches_untracked_total 0"));
	/* the histogram: cumulative, seconds */
	ck_assert(has_line(t, "# TYPE dyndns_guard_decision_duration_seconds "
		"histogram"));
	ck_assert(has_line(t, "dyndns_guard_decision_duration_seconds_bucket{"
		"call=\"operate\",le=\"2.5e-07\"} 0"));
	ck_assert(has_line(t, "dyndns_guard_decision_duration_seconds_bucket{"
		"call=\"operate\",le=\"5e-07\"} 1"));
	ck_assert(has_line(t, "dyndns_guard_decision_duration_seconds_bucket{"
		"call=\"operate\",le=\"0.001\"} 1"));
	ck_assert(has_line(t, "dyndns_guard_decision_duration_seconds_bucket{"
		"call=\"operate\",le=\"+Inf\"} 2"));
	ck_assert(has_line(t, "dyndns_guard_decision_duration_seconds_sum{"
		"call=\"operate\"} 1.500000300"));
	ck_assert(has_line(t, "dyndns_guard_decision_duration_seconds_count{"
		"call=\"operate\"} 2"));
	ck_assert(has_line(t, "dyndns_guard_decision_duration_seconds_count{"
		"call=\"reply\"} 0"));
	/* lists: the path escaped, bytes outside ASCII as \\DDD */
	snprintf(line, sizeof(line), "dyndns_guard_list_up{list=\"%s\"} 1",
		"/var/lib/unbound/dyn\\\"dns\\\\.dgl\\n\\\\255");
	ck_assert_msg(has_line(t, line), "%s\n%s", line, t);
	ck_assert(has_line(t, "dyndns_guard_list_up{list=\"/missing.dgl\"} 0"));
	ck_assert(strstr(t, "dyndns_guard_list_info{list=\"/var/lib/unbound/"
		"dyn\\\"dns\\\\.dgl\\n\\\\255\",ruleset=\"dyndns.dgl@"
		"0123456789ab\",sha256=\"0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef\",version=\"2\"} 1\n"));
	ck_assert(strstr(t, "dyndns_guard_list_entries{list=\"/var/lib/"
		"unbound/dyn\\\"dns\\\\.dgl\\n\\\\255\"} 10412\n"));
	ck_assert(strstr(t, "dyndns_guard_list_age_seconds{list=\"/var/lib/"
		"unbound/dyn\\\"dns\\\\.dgl\\n\\\\255\"} 3700\n"));
	ck_assert(strstr(t, "dyndns_guard_list_created_timestamp_seconds{"));
	ck_assert(!strstr(t, "dyndns_guard_list_entries{list=\"/missing"));
	ck_assert(has_line(t, "dyndns_guard_lists_configured 2"));
	ck_assert(has_line(t, "dyndns_guard_lists_loaded 1"));
	ck_assert(has_line(t, "dyndns_guard_failing_closed 0"));
	ck_assert(has_line(t, "dyndns_guard_list_set_generation 3"));
	ck_assert(has_line(t, "dyndns_guard_list_replacements_total 2"));
	ck_assert(has_line(t, "dyndns_guard_list_replacements_refused_total "
		"1"));
	ck_assert(has_line(t, "dyndns_guard_events_written_total 40"));
	ck_assert(has_line(t, "dyndns_guard_events_dropped_total{reason="
		"\"queue_full\"} 2"));
	ck_assert(has_line(t, "dyndns_guard_events_dropped_total{reason="
		"\"too_long\"} 1"));
	ck_assert(has_line(t, "dyndns_guard_events_dropped_total{reason="
		"\"write_failed\"} 5"));
	ck_assert(has_line(t, "dyndns_guard_event_write_errors_total 7"));
	ck_assert(has_line(t, "dyndns_guard_event_queue_bytes 99"));
	ck_assert(has_line(t, "dyndns_guard_memory_bytes 4242"));
	ck_assert(has_line(t, "dyndns_guard_metrics_write_errors_total 1"));
	free(t);

	/* without log-file: no event metrics */
	r.have_evlog = 0;
	t = formatted(&r);
	check_grammar(t);
	ck_assert(!strstr(t, "dyndns_guard_events_"));
	free(t);

	/* a list: given twice: its series once (a repeated series makes the
	 * whole file invalid) */
	{
		struct ddg_metrics_list l3[3];
		const char *p;
		int n = 0;
		l3[0] = l[1];
		l3[1] = l[0];
		l3[2] = l[0];
		r.lists = l3;
		r.nlists = 3;
		t = formatted(&r);
		check_grammar(t);
		for(p = t; (p = strstr(p, "\ndyndns_guard_list_entries{")); p++)
			n++;
		ck_assert_int_eq(n, 1);
		ck_assert(has_line(t, "dyndns_guard_lists_configured 3"));
		ck_assert(has_line(t, "dyndns_guard_list_up{list=\"/missing.dgl\"} "
			"0"));
		free(t);
	}
	ddg_metrics_snapshot_clear(&s);
	ddg_metrics_free(mx);
}
END_TEST

START_TEST(test_format_empty)
{
	/* a fresh instance: every family, all zero */
	struct ddg_metrics *mx = ddg_metrics_new(4, 42);
	struct ddg_metrics_snapshot s;
	struct ddg_metrics_report r;
	char *t;

	ck_assert_int_eq(ddg_metrics_collect(mx, &s), DDG_OK);
	report_of(&r, &s);
	t = formatted(&r);
	check_grammar(t);
	ck_assert(has_line(t, "# TYPE dyndns_guard_zone_matches_total "
		"counter"));
	ck_assert(!strstr(t, "dyndns_guard_zone_matches_total{"));
	ck_assert(has_line(t, "dyndns_guard_lists_configured 0"));
	ck_assert(has_line(t, "dyndns_guard_decision_duration_seconds_sum{"
		"call=\"reply\"} 0.000000000"));
	free(t);
	ddg_metrics_snapshot_clear(&s);
	ddg_metrics_free(mx);
}
END_TEST

/* ---- the file ---- */

static char tdir[] = "/tmp/ddg_metrics_XXXXXX";

static void
tdir_make(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tdir));
}

static void
tdir_remove(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
	if(system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tdir);
}

/** number of entries of a directory besides . and .. */
static int
dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while((e = readdir(d)) != NULL)
		if(strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/** what the reader thread needs */
struct reader {
	const char *path;
	int stop;
	int reads;
	int bad;
	pthread_mutex_t lock;
};

/** reads the file again and again: it must always end with the last
 * metric of the format */
static void *
reader_main(void *arg)
{
	struct reader *rd = arg;
	static char buf[1 << 20];
	int stop = 0;

	while(!stop) {
		FILE *f = fopen(rd->path, "r");
		size_t n;
		if(f) {
			n = fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
			buf[n] = 0;
			pthread_mutex_lock(&rd->lock);
			rd->reads++;
			if(n < 100 || !strstr(buf, "\ndyndns_guard_metrics_"
				"write_errors_total ") || buf[n - 1] != '\n')
				rd->bad++;
			pthread_mutex_unlock(&rd->lock);
		}
		pthread_mutex_lock(&rd->lock);
		stop = rd->stop;
		pthread_mutex_unlock(&rd->lock);
	}
	return NULL;
}

START_TEST(test_write)
{
	struct ddg_metrics *mx = ddg_metrics_new(1, 51);
	struct ddg_metrics_snapshot s;
	struct ddg_metrics_report r;
	struct reader rd;
	pthread_t th;
	char path[256], err[DDG_ERR_LEN], bad[300];
	struct stat st;
	int i, reads = 0;

	snprintf(path, sizeof(path), "%s/dyndns-guard.prom", tdir);
	ck_assert_int_eq(ddg_metrics_collect(mx, &s), DDG_OK);
	report_of(&r, &s);
	ck_assert_int_eq(ddg_metrics_write(path, &r, err, sizeof(err)),
		DDG_OK);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(dir_entries(tdir), 1); /* no temporary file left */

	/* a reader never sees a partial file */
	memset(&rd, 0, sizeof(rd));
	rd.path = path;
	pthread_mutex_init(&rd.lock, NULL);
	ck_assert_int_eq(pthread_create(&th, NULL, reader_main, &rd), 0);
	for(i = 0; i < 2000 || reads < 50; i++) {
		ddg_metrics_query(mx, DDG_MSRC_RESOLVED);
		ddg_metrics_snapshot_clear(&s);
		ck_assert_int_eq(ddg_metrics_collect(mx, &s), DDG_OK);
		r.snap = &s;
		ck_assert_int_eq(ddg_metrics_write(path, &r, err, sizeof(err)),
			DDG_OK);
		pthread_mutex_lock(&rd.lock);
		reads = rd.reads;
		pthread_mutex_unlock(&rd.lock);
		ck_assert_int_lt(i, 200000);
	}
	pthread_mutex_lock(&rd.lock);
	rd.stop = 1;
	pthread_mutex_unlock(&rd.lock);
	pthread_join(th, NULL);
	ck_assert_int_eq(rd.bad, 0);
	ck_assert_int_ge(rd.reads, 50);
	ck_assert_int_eq(dir_entries(tdir), 1);

	/* failures name the file and the reason, and leave nothing */
	snprintf(bad, sizeof(bad), "%s/no-such-dir/m.prom", tdir);
	ck_assert_int_eq(ddg_metrics_write(bad, &r, err, sizeof(err)),
		DDG_ERR_IO);
	ck_assert_msg(strstr(err, bad) && strstr(err, "cannot create a "
		"temporary file in its directory: No such file or directory"),
		"%s", err);
	snprintf(bad, sizeof(bad), "%s/", tdir);
	ck_assert_int_eq(ddg_metrics_write(bad, &r, err, sizeof(err)),
		DDG_ERR_INVAL);
	ck_assert(strstr(err, "no file name"));
	/* the target is a directory: the rename fails, the temporary file
	 * is removed */
	snprintf(bad, sizeof(bad), "%s/adir", tdir);
	ck_assert_int_eq(mkdir(bad, 0755), 0);
	ck_assert_int_eq(ddg_metrics_write(bad, &r, err, sizeof(err)),
		DDG_ERR_IO);
	ck_assert_msg(strstr(err, "cannot rename"), "%s", err);
	ck_assert_int_eq(dir_entries(tdir), 2);
	if(geteuid() != 0) {
		/* unwritable directory (root writes anyway) */
		snprintf(bad, sizeof(bad), "%s/ro", tdir);
		ck_assert_int_eq(mkdir(bad, 0555), 0);
		strcat(bad, "/m.prom");
		ck_assert_int_eq(ddg_metrics_write(bad, &r, err, sizeof(err)),
			DDG_ERR_IO);
		ck_assert(strstr(err, "Permission denied"));
	}
	ddg_metrics_snapshot_clear(&s);
	ddg_metrics_free(mx);
	pthread_mutex_destroy(&rd.lock);
}
END_TEST

START_TEST(test_write_full)
{
	/* a full file system: the write fails with the reason, the old file
	 * stays as it was, no temporary file is left */
	struct ddg_metrics *mx = ddg_metrics_new(1, 52);
	struct ddg_metrics_snapshot s;
	struct ddg_metrics_report r;
	char mnt[256], path[300], fill[300], err[DDG_ERR_LEN], cmd[700];
	struct stat st, st2;
	FILE *f;
	static char zero[65536];

	if(geteuid() != 0) {
		fprintf(stderr, "test_write_full: not root, skipped\n");
		ddg_metrics_free(mx);
		return;
	}
	snprintf(mnt, sizeof(mnt), "%s/small", tdir);
	ck_assert_int_eq(mkdir(mnt, 0755), 0);
	snprintf(cmd, sizeof(cmd), "mount -t tmpfs -o size=64k tmpfs '%s'",
		mnt);
	if(system(cmd) != 0) {
		fprintf(stderr, "test_write_full: no tmpfs mount, skipped\n");
		ddg_metrics_free(mx);
		return;
	}
	snprintf(path, sizeof(path), "%s/m.prom", mnt);
	ck_assert_int_eq(ddg_metrics_collect(mx, &s), DDG_OK);
	report_of(&r, &s);
	ck_assert_int_eq(ddg_metrics_write(path, &r, err, sizeof(err)),
		DDG_OK);
	ck_assert_int_eq(stat(path, &st), 0);
	snprintf(fill, sizeof(fill), "%s/fill", mnt);
	f = fopen(fill, "w");
	ck_assert_ptr_nonnull(f);
	while(fwrite(zero, 1, sizeof(zero), f) == sizeof(zero))
		;
	fclose(f);
	ck_assert_int_eq(ddg_metrics_write(path, &r, err, sizeof(err)),
		DDG_ERR_IO);
	ck_assert_msg(strstr(err, "No space left on device"), "%s", err);
	ck_assert_int_eq(stat(path, &st2), 0);
	ck_assert_uint_eq(st2.st_ino, st.st_ino);
	ck_assert_uint_eq(st2.st_size, st.st_size);
	ck_assert_int_eq(dir_entries(mnt), 2); /* m.prom and fill */
	snprintf(cmd, sizeof(cmd), "umount '%s'", mnt);
	ck_assert_int_eq(system(cmd), 0);
	ddg_metrics_snapshot_clear(&s);
	ddg_metrics_free(mx);
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc;

	tc = tcase_create("counting");
	tcase_add_test(tc, test_counts);
	tcase_add_test(tc, test_full_tables);
	tcase_add_test(tc, test_sampling);
	tcase_add_test(tc, test_new_instance);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_format_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_unchecked_fixture(tc, tdir_make, tdir_remove);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_write);
	tcase_add_test(tc, test_write_full);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(metrics_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
