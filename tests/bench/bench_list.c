/**
 * \file bench_list.c
 * Benchmark of the list: compile (through the same compiler API as
 * `dyndns-guard compile`), file size, load-and-validate, lookup.
 * Not part of the pass/fail suite: `make bench` builds and runs it.
 *
 * usage: bench_list [N [DIR [LIST]]]  (N names, default 1000000; DIR for
 * the temporary files, default $TMPDIR or /tmp; LIST: take the names from
 * the first N lines of this text file, one name a line, instead of
 * generating them)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dyndns-guard/compile.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/file.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/list_write.h"
#include "dyndns-guard/name.h"

/** monotonic seconds */
static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/** CPU seconds of the process so far, all threads, user and system */
static double
cpu_now(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/** xorshift */
static uint64_t rs = 0x9e3779b97f4a7c15ULL;
static uint32_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs >> 16);
}

static const char *tlds[] = { "com", "net", "org", "io", "de", "uk", "info",
	"biz", "xyz", "top", "ru", "cn", "fr", "nl", "eu", "us", "co", "me",
	"tv", "cc" };

/** a random label of lo..hi letters/digits */
static int
rlabel(char *o, int lo, int hi)
{
	static const char cs[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	int n = lo + (int)(rnd() % (uint32_t)(hi - lo + 1)), i;
	for(i = 0; i < n; i++)
		o[i] = cs[rnd() % 36];
	return n;
}

/** a random listed-style name: label.tld or label.label.tld */
static int
rname(char *o)
{
	int n = rlabel(o, 6, 14);
	const char *t;
	if(rnd() % 4 == 0) {
		o[n++] = '.';
		n += rlabel(o + n, 3, 8);
	}
	o[n++] = '.';
	t = tlds[rnd() % 20];
	memcpy(o + n, t, strlen(t));
	n += (int)strlen(t);
	o[n] = 0;
	return n;
}

/** ns per dependent random access over 64 MB (the machine's memory
 * latency, for reading the lookup figure) */
static double
mem_latency(void)
{
	size_t n = (64u << 20) / sizeof(uint32_t), i;
	uint32_t *a = malloc(n * sizeof(*a)), p = 0;
	double t0, t;

	if(!a)
		return 0;
	for(i = 0; i < n; i++)
		a[i] = (uint32_t)i;
	for(i = n - 1; i > 0; i--) {	/* Sattolo: one big cycle */
		size_t j = rnd() % i;
		uint32_t x = a[i];
		a[i] = a[j];
		a[j] = x;
	}
	t0 = now();
	for(i = 0; i < 2000000; i++)
		p = a[p];
	t = (now() - t0) / 2e6 * 1e9;
	free(a);
	return p == UINT32_MAX ? 0 : t;
}

/** a "Name:   N kB" line of /proc/self/status, in kB; -1 if unknown */
static long
status_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t kl = strlen(key);
	long v = -1;

	if(!f)
		return -1;
	while(fgets(line, sizeof(line), f))
		if(strncmp(line, key, kl) == 0 && line[kl] == ':')
			v = strtol(line + kl + 1, NULL, 10);
	fclose(f);
	return v;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	const char *dir = argc > 2 ? argv[2] : (getenv("TMPDIR") ?
		getenv("TMPDIR") : "/tmp");
	const char *src = argc > 3 ? argv[3] : NULL;
	FILE *in = NULL;
	int bad = 0;
	char txt[4096], dgl[4096], err[DDG_ERR_LEN];
	char **names;
	FILE *f;
	long i;
	double t0, c0, tcompile, tload[7], cload[7], tlook[3][5], tlate[7];
	double tfilt[7];
	static const int pcts[3] = { 0, 10, 50 };
	long matched[3];
	int mix;
	struct ddg_compile *c;
	uint8_t *img, *qbuf;
	size_t imglen, *qoff;
	struct ddg_lw_stats st;
	struct ddg_list *l;
	struct stat sb;
	long nq = n;
	int r, k;
	long anon0 = 0, file0 = 0, anon1 = 0, file1 = 0;

	if(n < 1000)
		n = 1000;
	if(src && !(in = fopen(src, "r"))) {
		perror(src);
		return 1;
	}
	nq = n;
	snprintf(txt, sizeof(txt), "%s/bench_list.%ld.txt", dir, (long)getpid());
	snprintf(dgl, sizeof(dgl), "%s/bench_list.%ld.dgl", dir, (long)getpid());
	names = malloc((size_t)n * sizeof(*names));
	f = fopen(txt, "w");
	if(!names || !f) {
		perror(txt);
		return 1;
	}
	for(i = 0; i < n; i++) {
		char b[300];
		int len;
		if(in) {
			if(!fgets(b, sizeof(b), in))
				break;
			len = (int)strcspn(b, "\r\n");
			b[len] = 0;
			if(len == 0 || len > 253) {
				fprintf(stderr, "%s:%ld: not a name\n", src, i + 1);
				bad = 1;
				break;
			}
		} else
			len = rname(b);
		names[i] = malloc((size_t)len + 1);
		memcpy(names[i], b, (size_t)len + 1);
		fprintf(f, "%s\n", b);
	}
	fclose(f);
	if(in) {
		fclose(in);
		n = i;	/* fewer lines than asked for */
		nq = n;
		if(n == 0 && !bad) {
			fprintf(stderr, "%s: no names\n", src);
			bad = 1;
		}
		if(bad) {
			for(i = 0; i < n; i++)
				free(names[i]);
			free(names);
			unlink(txt);
			return 1;
		}
	}

	/* compile: the code path of `dyndns-guard compile` */
	t0 = now();
	c = ddg_compile_new();
	r = ddg_compile_add_file(c, txt, DDG_FMT_AUTO, 1, NULL, err,
		sizeof(err));
	if(r == DDG_OK)
		r = ddg_compile_finish(c, 1700000000, &img, &imglen, &st);
	if(r == DDG_OK)
		r = ddg_file_write_atomic(dgl, img, imglen, 0644,
			DDG_FILE_SYNC, err, sizeof(err));
	tcompile = now() - t0;
	if(r != DDG_OK) {
		fprintf(stderr, "compile failed: %s (%s)\n", ddg_strerror(r), err);
		return 1;
	}
	free(img);
	ddg_compile_free(c);
	stat(dgl, &sb);

	/* load and validate */
	for(k = 0; k < 7; k++) {
		if(k == 0) {
			anon0 = status_kb("RssAnon");
			file0 = status_kb("RssFile");
		}
		c0 = cpu_now();
		t0 = now();
		r = ddg_list_open(dgl, &l, err, sizeof(err));
		tload[k] = now() - t0;
		cload[k] = cpu_now() - c0;
		if(k == 0) {
			anon1 = status_kb("RssAnon");
			file1 = status_kb("RssFile");
		}
		if(r != DDG_OK) {
			fprintf(stderr, "open failed: %s\n", err);
			return 1;
		}
		if(k < 6)
			ddg_list_close(l);
	}
	qsort(tload, 7, sizeof(double), dcmp);
	qsort(cload, 7, sizeof(double), dcmp);

	/* as the module opens a list at start: everything but the suffix
	 * filter, which is checked afterwards (ddg_list_check_filter) */
	for(k = 0; k < 7; k++) {
		struct ddg_list *l2;
		t0 = now();
		r = ddg_list_open_flags(dgl, DDG_LIST_LATE_FILTER, &l2, NULL,
			err, sizeof(err));
		tlate[k] = now() - t0;
		if(r != DDG_OK) {
			fprintf(stderr, "open failed: %s\n", err);
			return 1;
		}
		t0 = now();
		r = ddg_list_check_filter(l2, dgl, err, sizeof(err));
		tfilt[k] = now() - t0;
		if(r != DDG_OK) {
			fprintf(stderr, "filter check failed: %s\n", err);
			return 1;
		}
		ddg_list_close(l2);
	}
	qsort(tlate, 7, sizeof(double), dcmp);
	qsort(tfilt, 7, sizeof(double), dcmp);

	/* queries: pct % under listed names (one more label, mixed case),
	 * drawn at random, the rest not listed; read in order (the names
	 * themselves come from memory sequentially, as from a packet); 5
	 * rounds each */
	qbuf = malloc((size_t)nq * DDG_NAME_MAXWIRE);
	qoff = malloc((size_t)nq * sizeof(*qoff));
	for(mix = 0; mix < 3; mix++) {
		size_t o = 0;
		for(i = 0; i < nq; i++) {
			char b[300];
			size_t wl;
			int len;
			if((long)(rnd() % 100) < pcts[mix]) {
				len = rlabel(b, 3, 10);
				b[len++] = '.';
				snprintf(b + len, sizeof(b) - (size_t)len, "%s",
					names[rnd() % (uint32_t)n]);
				b[0] = (char)(b[0] >= 'a' ? b[0] - 32 : b[0]);
			} else {
				len = rlabel(b, 3, 10);
				b[len++] = '.';
				rname(b + len);
				b[len] = 'Q';	/* not generated above */
			}
			if(ddg_name_from_str(b, qbuf + o, &wl) != DDG_OK)
				return 1;
			qoff[i] = o;
			o += wl;
		}
		for(k = 0; k < 5; k++) {
			struct ddg_list_match m;
			matched[mix] = 0;
			t0 = now();
			for(i = 0; i < nq; i++)
				matched[mix] += ddg_list_match(l, qbuf +
					qoff[i], DDG_NAME_MAXWIRE, &m) == 1;
			tlook[mix][k] = (now() - t0) / (double)nq * 1e9;
		}
		qsort(tlook[mix], 5, sizeof(double), dcmp);
	}

	printf("names:            %ld (written %llu entries)\n", n,
		(unsigned long long)st.written);
	printf("compile:          %.3f s      (target <= 3 s)\n", tcompile);
	printf("file size:        %.1f MB     (target <= 40 MB)\n",
		(double)sb.st_size / 1e6);
	printf("load+validate:    %.1f ms     (median of 7, best %.1f; "
		"target <= 50 ms)\n", tload[3] * 1e3, tload[0] * 1e3);
	printf("  its CPU time:   %.1f ms     (median of 7, both threads: "
		"what a machine without idle cores pays)\n", cload[3] * 1e3);
	printf("load, filter later: %.1f ms   (median of 7, best %.1f: the "
		"list serves, as the module's at start); then the filter "
		"check %.1f ms (median, in the background)\n", tlate[3] * 1e3,
		tlate[0] * 1e3, tfilt[3] * 1e3);
	if(anon0 >= 0 && anon1 >= 0)
		printf("open memory:      RssAnon +%.1f MB (the list's own "
			"copy), RssFile +%.1f MB; together %.3f x the file "
			"(first open; target <= 1.0)\n",
			(double)(anon1 - anon0) * 1024 / 1e6,
			(double)(file1 - file0) * 1024 / 1e6,
			(double)(anon1 - anon0 + file1 - file0) * 1024 /
			(double)sb.st_size);
	for(mix = 0; mix < 3; mix++)
		printf("lookup, %2d %% listed: %.0f ns/name (median of 5 x %ld, "
			"best %.0f; %ld matched; target <= 150 ns)\n",
			pcts[mix], tlook[mix][2], nq, tlook[mix][0],
			matched[mix]);
	printf("memory latency:   %.0f ns per random access (64 MB pointer "
		"chase; context for the lookup figure)\n", mem_latency());
	ddg_list_close(l);
	unlink(txt);
	unlink(dgl);
	for(i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(qbuf);
	free(qoff);
	return 0;
}
