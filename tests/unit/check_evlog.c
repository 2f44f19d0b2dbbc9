/**
 * \file check_evlog.c
 * Unit tests of the event file writer (lib/evlog.c) under failure: a file
 * size limit and a full file system (whole lines only, counters, reports),
 * a FIFO without reader and one whose reader stops (nothing blocks), and
 * concurrent writers with reopen and close (also run under ThreadSanitizer,
 * see configure --enable-tsan).
 *
 * Waits in these tests are bounded loops that poll the writer's counters:
 * hang detectors, not timing assertions.  Each test runs in its own
 * process (Check's fork mode), so a limit or a mount does not leak.
 */
#include "ddg_config.h"
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/evlog.h"

/* ---- helpers ---- */

/** most lines a test writes */
#define MAXN 40000
/** producers and lines each of test_sink */
#define NTHREADS_SINK 3
#define PER_SINK 4000

/** the reports received */
struct reports {
	pthread_mutex_t lock;
	int n;
	enum ddg_evlog_report kind[64];
	char msg[64][1600];
};

static struct reports reps = { PTHREAD_MUTEX_INITIALIZER, 0, {0}, {{0}} };

/** The report callback: keeps the reports. */
static void
collect(void *arg, enum ddg_evlog_report kind, const char *msg)
{
	struct reports *r = arg;

	pthread_mutex_lock(&r->lock);
	if(r->n < 64) {
		r->kind[r->n] = kind;
		snprintf(r->msg[r->n], sizeof(r->msg[0]), "%s", msg);
		r->n++;
	}
	pthread_mutex_unlock(&r->lock);
}

/** Number of reports of a kind whose text contains s (NULL: any). */
static int
nreports(enum ddg_evlog_report kind, const char *s)
{
	int i, n = 0;

	pthread_mutex_lock(&reps.lock);
	for(i = 0; i < reps.n; i++)
		if(reps.kind[i] == kind && (!s || strstr(reps.msg[i], s)))
			n++;
	pthread_mutex_unlock(&reps.lock);
	return n;
}

/** Wait (10 s at most) until there is a report of a kind containing s;
 * returns their number. */
static int
wait_report(enum ddg_evlog_report kind, const char *s)
{
	int i;

	for(i = 0; i < 1000 && nreports(kind, s) == 0; i++)
		usleep(10000);
	return nreports(kind, s);
}

/** Print the reports (for failure diagnosis). */
static void
show_reports(void)
{
	int i;

	pthread_mutex_lock(&reps.lock);
	for(i = 0; i < reps.n; i++)
		fprintf(stderr, "report %d: %s\n", (int)reps.kind[i],
			reps.msg[i]);
	pthread_mutex_unlock(&reps.lock);
}

/** Settings with the report callback and a report interval long enough
 * that no rate-limited summary comes during a test. */
static struct ddg_evlog_opts
opts_quiet(void)
{
	struct ddg_evlog_opts o;

	memset(&o, 0, sizeof(o));
	o.report = collect;
	o.report_arg = &reps;
	o.report_ms = 3600u * 1000u;
	return o;
}

/** Test line number n, malloc-free: {"n":N,"pad":"xx..."}. */
static int
make_line(char *buf, size_t len, int n)
{
	return snprintf(buf, len, "{\"n\":%d,\"pad\":\"%.*s\"}", n,
		(n * 37) % 150, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
}

/** Queue test lines [from, to); returns how many were accepted. */
static int
put_lines(struct ddg_evlog *log, int from, int to)
{
	char line[256];
	int i, ok = 0;

	for(i = from; i < to; i++) {
		int n = make_line(line, sizeof(line), i);
		if(ddg_evlog_write(log, line, (size_t)n) == DDG_OK)
			ok++;
	}
	return ok;
}

/**
 * Check that data holds only whole, well-formed test lines, each at most
 * once (seen, MAXN entries, may be NULL); returns the number of lines.
 */
static size_t
check_lines(const char *data, size_t len, char *seen)
{
	size_t off = 0, lines = 0;

	ck_assert_msg(len == 0 || data[len - 1] == '\n',
		"the data does not end with a whole line");
	while(off < len) {
		const char *l = data + off, *nl = memchr(l, '\n', len - off);
		char want[256];
		int n, wn;
		ck_assert_ptr_nonnull(nl);
		ck_assert_msg(sscanf(l, "{\"n\":%d,", &n) == 1 && n >= 0 &&
			n < MAXN, "mangled line at byte %zu: %.60s", off, l);
		wn = make_line(want, sizeof(want), n);
		ck_assert_msg((size_t)(nl - l) == (size_t)wn &&
			memcmp(l, want, (size_t)wn) == 0,
			"mangled line at byte %zu: %.60s", off, l);
		if(seen) {
			ck_assert_msg(!seen[n], "line %d twice", n);
			seen[n] = 1;
		}
		lines++;
		off += (size_t)(nl - l) + 1;
	}
	return lines;
}

/** Read a whole file, malloc'ed, NUL-terminated. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	for(;;) {
		if(n + 65536 + 1 > cap) {
			cap = (n + 65536 + 1) * 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		r = fread(buf + n, 1, 65536, f);
		n += r;
		if(r == 0)
			break;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/** Whole lines of a file; also checks them. */
static size_t
file_lines(const char *path, char *seen)
{
	size_t len, n;
	char *data = slurp(path, &len);

	n = check_lines(data, len, seen);
	free(data);
	return n;
}

/** Wait (10 s at most) until the writer has nothing queued; no assertion.
 */
static void
drain_quietly(struct ddg_evlog *log, struct ddg_evlog_stats *st)
{
	int i;

	for(i = 0; i < 1000; i++) {
		ddg_evlog_stats(log, st);
		if(st->queued == 0)
			return;
		usleep(10000);
	}
}

/** Wait (10 s at most) until the writer has nothing queued. */
static void
wait_drained(struct ddg_evlog *log, struct ddg_evlog_stats *st)
{
	int i;

	for(i = 0; i < 1000; i++) {
		ddg_evlog_stats(log, st);
		if(st->queued == 0)
			return;
		usleep(10000);
	}
	ck_abort_msg("the writer did not drain its queue");
}

/** this test case's scratch directory (made by the unchecked fixture, in
 * the runner process, so that it is removed also after a failure) */
static char tdir[64];

/** Make the scratch directory. */
static void
tdir_make(void)
{
	snprintf(tdir, sizeof(tdir), "/tmp/ddg_check_evlog_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tdir));
}

/** Remove the scratch directory and what the tests left in it. */
static void
tdir_remove(void)
{
	DIR *d = opendir(tdir);
	struct dirent *e;
	char p[400];

	if(!d)
		return;
	while((e = readdir(d)) != NULL) {
		if(strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", tdir, e->d_name);
		if(unlink(p) != 0)
			rmdir(p);
	}
	closedir(d);
	rmdir(tdir);
}

/** A path in the scratch directory. */
static void
tmp_path(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "%s/%s", tdir, what);
	unlink(buf);
}

/** A number in a report: the one just before the text after. */
static unsigned long long
num_before(const char *msg, const char *after)
{
	const char *p = strstr(msg, after);

	if(!p)
		return 0;
	while(p > msg && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return strtoull(p, NULL, 10);
}

/* ---- a file size limit (EFBIG mid-line) ---- */

START_TEST(test_fsize)
{
	struct ddg_evlog_opts o = opts_quiet();
	struct ddg_evlog *log = NULL;
	struct ddg_evlog_stats st;
	struct rlimit rl, old;
	char path[256], err[DDG_ERR_LEN];
	struct stat sb;
	size_t lines;
	int accepted = -1;

	tmp_path(path, sizeof(path), "fsize.jsonl");
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	ck_assert_int_eq(ddg_evlog_open_opts(path, &o, &log, err,
		sizeof(err)), DDG_OK);
	/* no assertion while the limit holds: Check's own message file is
	 * subject to it too */
	rl = old;
	rl.rlim_cur = 20000;
	if(setrlimit(RLIMIT_FSIZE, &rl) == 0) {
		/* about 40 kB: the write that crosses the limit ends
		 * mid-line */
		accepted = put_lines(log, 0, 400);
		drain_quietly(log, &st);
		setrlimit(RLIMIT_FSIZE, &old);
	}
	ck_assert_int_eq(accepted, 400);
	ck_assert_uint_eq(st.queued, 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_le(sb.st_size, 20000);
	lines = file_lines(path, NULL);
	ck_assert_uint_eq(lines, st.written);
	ck_assert_uint_gt(st.written, 0);
	ck_assert_uint_gt(st.lost, 0);
	ck_assert_uint_eq(st.written + st.lost, 400);
	ck_assert_uint_eq(st.dropped, 0);
	ck_assert_uint_ge(st.errors, 1);
	ck_assert_int_eq(st.last_errno, EFBIG);
	/* reported at once, once */
	ck_assert_int_eq(wait_report(DDG_EVLOG_REPORT_FAILING,
		strerror(EFBIG)), 1);
	ck_assert_int_eq(nreports(DDG_EVLOG_REPORT_SUMMARY, NULL), 0);

	/* the limit is gone: writing works again, and no line is glued to
	 * a broken one */
	ck_assert_int_eq(put_lines(log, 400, 500), 100);
	wait_drained(log, &st);
	ck_assert_uint_eq(st.written + st.lost, 500);
	ck_assert_uint_eq(file_lines(path, NULL), st.written);
	ddg_evlog_close(log);
	if(nreports(DDG_EVLOG_REPORT_RECOVERED, "writing works again") != 1)
		show_reports();
	ck_assert_int_eq(nreports(DDG_EVLOG_REPORT_RECOVERED,
		"writing works again"), 1);
	ck_assert_uint_eq(file_lines(path, NULL), st.written);
	unlink(path);
}
END_TEST

/* ---- a full file system that frees again ---- */

START_TEST(test_tmpfs_full)
{
	struct ddg_evlog_opts o = opts_quiet();
	struct ddg_evlog *log = NULL;
	struct ddg_evlog_stats st;
	char dir[256], path[300], filler[300], err[DDG_ERR_LEN], *z;
	uint64_t before;
	FILE *f;

	tmp_path(dir, sizeof(dir), "mnt");
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	/* a private mount namespace: the mount dies with this process even
	 * when the test fails half-way */
	if(unshare(CLONE_NEWNS) != 0 ||
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
		mount("tmpfs", dir, "tmpfs", 0, "size=64k") != 0) {
		fprintf(stderr, "SKIP test_tmpfs_full: cannot mount a tmpfs "
			"(%s); run as root\n", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	snprintf(filler, sizeof(filler), "%s/filler", dir);
	/* 24 kB taken: about 40 kB left for events */
	z = calloc(1, 24576);
	ck_assert_ptr_nonnull(z);
	f = fopen(filler, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(z, 1, 24576, f), 24576);
	ck_assert_int_eq(fclose(f), 0);
	free(z);
	ck_assert_int_eq(ddg_evlog_open_opts(path, &o, &log, err,
		sizeof(err)), DDG_OK);
	/* in batches, as a resolver would: the disk fills during them */
	ck_assert_int_eq(put_lines(log, 0, 300), 300);
	wait_drained(log, &st);
	ck_assert_int_eq(put_lines(log, 300, 600), 300);
	wait_drained(log, &st);
	ck_assert_int_eq(st.last_errno, ENOSPC);
	ck_assert_uint_ge(st.errors, 1);
	ck_assert_uint_gt(st.lost, 0);
	ck_assert_uint_eq(st.written + st.lost, 600);
	ck_assert_uint_eq(file_lines(path, NULL), st.written);
	ck_assert_int_eq(wait_report(DDG_EVLOG_REPORT_FAILING,
		strerror(ENOSPC)), 1);

	/* space comes back */
	before = st.written;
	ck_assert_int_eq(unlink(filler), 0);
	ck_assert_int_eq(put_lines(log, 600, 700), 100);
	wait_drained(log, &st);
	ck_assert_uint_eq(st.written + st.lost, 700);
	ck_assert_uint_eq(st.written, before + 100);
	ck_assert_uint_eq(file_lines(path, NULL), st.written);
	ddg_evlog_close(log);
	ck_assert_int_eq(nreports(DDG_EVLOG_REPORT_RECOVERED, NULL), 1);
	ck_assert_uint_eq(file_lines(path, NULL), st.written);
	unlink(path);
	ck_assert_int_eq(umount(dir), 0);
}
END_TEST

/* ---- FIFOs ---- */

/** Read what is in a FIFO without blocking (until empty or EOF) into
 * buf (cap bytes); returns the new fill. */
static size_t
read_fifo(int fd, char *buf, size_t fill, size_t cap)
{
	for(;;) {
		ssize_t r = read(fd, buf + fill, cap - fill);
		if(r > 0) {
			fill += (size_t)r;
			ck_assert_uint_lt(fill, cap);
			continue;
		}
		if(r < 0 && errno == EINTR)
			continue;
		return fill;
	}
}

START_TEST(test_fifo_noreader)
{
	struct ddg_evlog_opts o = opts_quiet();
	struct ddg_evlog *log = NULL;
	struct ddg_evlog_stats st;
	char path[256], err[DDG_ERR_LEN], *buf;
	size_t fill = 0, cap = 1 << 20, lines;
	int rfd, i, n = 0;

	tmp_path(path, sizeof(path), "noreader.fifo");
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	o.retry_ms = 100;
	/* returns at once (it used to block in open(2)) */
	ck_assert_int_eq(ddg_evlog_open_opts(path, &o, &log, err,
		sizeof(err)), DDG_OK);
	ck_assert_int_eq(put_lines(log, 0, 50), 50);
	n = 50;
	for(i = 0; i < 1000; i++) {
		ddg_evlog_stats(log, &st);
		if(st.lost == 50 && st.queued == 0)
			break;
		usleep(10000);
	}
	ck_assert_uint_eq(st.lost, 50);
	ck_assert_uint_eq(st.written, 0);
	ck_assert_uint_ge(st.errors, 1);
	ck_assert_int_eq(st.last_errno, ENXIO);
	ck_assert_int_eq(wait_report(DDG_EVLOG_REPORT_FAILING,
		"no reader on the FIFO"), 1);

	/* a reader comes: lines flow again, whole */
	rfd = open(path, O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(rfd, 0);
	buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	for(i = 0; i < 1000 && fill == 0; i++) {
		put_lines(log, n, n + 1);
		n++;
		usleep(10000);
		fill = read_fifo(rfd, buf, fill, cap);
	}
	ck_assert_uint_gt(fill, 0);
	ck_assert_int_eq(put_lines(log, n, n + 100), 100);
	n += 100;
	wait_drained(log, &st);
	ck_assert_uint_eq(st.written + st.lost, (uint64_t)n);
	ddg_evlog_close(log);
	fill = read_fifo(rfd, buf, fill, cap);
	close(rfd);
	lines = check_lines(buf, fill, NULL);
	ck_assert_uint_eq(lines, st.written);
	ck_assert_uint_ge(lines, 100);
	ck_assert_int_eq(nreports(DDG_EVLOG_REPORT_RECOVERED, NULL), 1);
	/* one failure, one recovery: the retries are not reported again */
	ck_assert_int_eq(nreports(DDG_EVLOG_REPORT_FAILING, NULL), 1);
	ck_assert_int_eq(nreports(DDG_EVLOG_REPORT_SUMMARY, NULL), 0);
	free(buf);
	unlink(path);
}
END_TEST

START_TEST(test_fifo_stalled)
{
	struct ddg_evlog_opts o = opts_quiet();
	struct ddg_evlog *log = NULL;
	struct ddg_evlog_stats st;
	char path[256], err[DDG_ERR_LEN], *buf;
	size_t fill = 0, cap = 1 << 20, lines;
	int rfd, i, total = 0, closes;
	struct pollfd p;
	ssize_t r;

	tmp_path(path, sizeof(path), "stalled.fifo");
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	rfd = open(path, O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(rfd, 0);
	o.ring_size = 131072;
	ck_assert_int_eq(ddg_evlog_open_opts(path, &o, &log, err,
		sizeof(err)), DDG_OK);
	buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	/* the reader reads a bit (ending mid-line), then stops */
	put_lines(log, 0, 100);
	total = 100;
	p.fd = rfd;
	p.events = POLLIN;
	ck_assert_int_eq(poll(&p, 1, 10000), 1);
	r = read(rfd, buf, 1000);
	ck_assert_int_gt(r, 0);
	fill = (size_t)r;
	/* fill the pipe and the ring until lines are dropped, with more
	 * queued than the pipe (64 kB at most) can ever take */
	for(i = 0; i < 300; i++) {
		put_lines(log, 100 + i * 100, 200 + i * 100);
		total += 100;
		ddg_evlog_stats(log, &st);
		if(st.dropped > 0 && st.queued > 65536 + 8192)
			break;
		usleep(5000);
	}
	ck_assert_uint_gt(st.dropped, 0);
	ck_assert_int_eq(wait_report(DDG_EVLOG_REPORT_FAILING, "queue full"),
		1);
	/* returns although the reader does not read (it used to hang) */
	ddg_evlog_close(log);
	fill = read_fifo(rfd, buf, fill, cap);
	close(rfd);
	/* the stream holds whole lines only: nothing half-written at the
	 * end either */
	lines = check_lines(buf, fill, NULL);
	closes = nreports(DDG_EVLOG_REPORT_SUMMARY, "closed (");
	if(closes != 1)
		show_reports();
	ck_assert_int_eq(closes, 1);
	pthread_mutex_lock(&reps.lock);
	for(i = 0; i < reps.n; i++) {
		const char *t = strstr(reps.msg[i], "in total:");
		if(!strstr(reps.msg[i], "closed ("))
			continue;
		/* the totals add up */
		ck_assert_ptr_nonnull(t);
		ck_assert_uint_eq(num_before(t, " written,"), lines);
		ck_assert_uint_eq(lines + num_before(t, " dropped,") +
			num_before(t, " too long,") + num_before(t, " lost"),
			(unsigned long long)total);
		/* what was queued when the bound ran out */
		ck_assert_uint_gt(num_before(t, " lost"), 0);
	}
	pthread_mutex_unlock(&reps.lock);
	ck_assert_int_eq(nreports(DDG_EVLOG_REPORT_SUMMARY,
		"not taken by the reader within"), 1);
	free(buf);
	unlink(path);
}
END_TEST

/* ---- rate-limited summaries ---- */

START_TEST(test_report_summary)
{
	struct ddg_evlog_opts o = opts_quiet();
	struct ddg_evlog *log = NULL;
	struct ddg_evlog_stats st;
	char path[256], err[DDG_ERR_LEN];
	unsigned long long sum_lost = 0;
	int i, n = 0;

	tmp_path(path, sizeof(path), "summary.fifo");
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	o.retry_ms = 50;
	o.report_ms = 200;
	ck_assert_int_eq(ddg_evlog_open_opts(path, &o, &log, err,
		sizeof(err)), DDG_OK);
	/* lines keep being lost: a summary follows the first report */
	for(i = 0; i < 1000 && nreports(DDG_EVLOG_REPORT_SUMMARY,
		"still failing") == 0; i++) {
		put_lines(log, n, n + 5);
		n += 5;
		usleep(10000);
	}
	ck_assert_int_eq(nreports(DDG_EVLOG_REPORT_FAILING, NULL), 1);
	ck_assert_int_ge(nreports(DDG_EVLOG_REPORT_SUMMARY, "still failing "
		"(no reader on the FIFO): in the last"), 1);
	wait_drained(log, &st);
	ddg_evlog_close(log);
	/* every lost line is in exactly one report */
	pthread_mutex_lock(&reps.lock);
	for(i = 0; i < reps.n; i++)
		sum_lost += num_before(reps.msg[i], " lost (not written)");
	pthread_mutex_unlock(&reps.lock);
	ck_assert_uint_eq(sum_lost, (unsigned long long)n);
	unlink(path);
}
END_TEST

/* ---- counters ---- */

START_TEST(test_counters)
{
	struct ddg_evlog_opts o = opts_quiet();
	struct ddg_evlog *log = NULL;
	struct ddg_evlog_stats st;
	char path[256], err[DDG_ERR_LEN], *big;

	tmp_path(path, sizeof(path), "counters.jsonl");
	ck_assert_int_eq(ddg_evlog_open_opts(path, &o, &log, err,
		sizeof(err)), DDG_OK);
	big = malloc(DDG_EVLOG_MAXLINE + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, 'z', DDG_EVLOG_MAXLINE + 1);
	ck_assert_int_eq(ddg_evlog_write(log, big, DDG_EVLOG_MAXLINE + 1),
		DDG_ERR_RANGE);
	free(big);
	ck_assert_int_eq(put_lines(log, 0, 10), 10);
	wait_drained(log, &st);
	ck_assert_uint_eq(st.written, 10);
	ck_assert_uint_eq(st.too_long, 1);
	ck_assert_uint_eq(st.dropped, 0);
	ck_assert_uint_eq(st.lost, 0);
	ck_assert_uint_eq(st.errors, 0);
	ck_assert_int_eq(st.last_errno, 0);
	ck_assert_uint_eq(ddg_evlog_dropped(log), 1);
	ck_assert_uint_eq(ddg_evlog_errors(log), 0);
	ddg_evlog_close(log);
	ck_assert_uint_eq(file_lines(path, NULL), 10);
	ck_assert_int_eq(nreports(DDG_EVLOG_REPORT_FAILING, "longer than"),
		1);
	unlink(path);
	ddg_evlog_stats(NULL, &st);
	ck_assert_uint_eq(st.written + st.dropped + st.lost + st.errors, 0);
}
END_TEST

/* ---- a sink instead of a file: lines handed over one by one, in order,
 * from the writer thread ---- */

/** what the sink of test_sink received */
struct sink_rx {
	pthread_t writer;	/* the thread that must call it */
	int calls, bad, misordered, other_thread;
	int last[NTHREADS_SINK];
};

static void
sink_fn(void *arg, const char *line, size_t len)
{
	struct sink_rx *rx = arg;
	char want[256];
	int n = -1, wl;
	rx->calls++;
	if(pthread_equal(pthread_self(), rx->writer))
		rx->other_thread++;	/* the caller's own thread: wrong */
	if(sscanf(line, "{\"n\":%d,", &n) != 1 || n < 0) {
		rx->bad++;
		return;
	}
	wl = make_line(want, sizeof(want), n);
	if((size_t)wl != len || strlen(line) != len ||
		memcmp(want, line, len) != 0) {
		rx->bad++;
		return;
	}
	/* each producer's lines arrive in its order */
	if(n / PER_SINK < NTHREADS_SINK) {
		if(n <= rx->last[n / PER_SINK])
			rx->misordered++;
		rx->last[n / PER_SINK] = n;
	}
}

struct sink_warg {
	struct ddg_evlog *log;
	int from;
};

static void *
sink_writer(void *arg)
{
	struct sink_warg *w = arg;
	put_lines(w->log, w->from, w->from + PER_SINK);
	return NULL;
}

START_TEST(test_sink)
{
	struct ddg_evlog_opts o = opts_quiet();
	struct ddg_evlog *log = NULL;
	struct ddg_evlog_stats st;
	struct sink_rx rx;
	struct sink_warg wa[NTHREADS_SINK];
	pthread_t t[NTHREADS_SINK];
	char err[DDG_ERR_LEN], path[256];
	struct stat sb;
	int i;

	memset(&rx, 0, sizeof(rx));
	rx.writer = pthread_self();
	for(i = 0; i < NTHREADS_SINK; i++)
		rx.last[i] = -1;
	o.sink = sink_fn;
	o.sink_arg = &rx;
	tmp_path(path, sizeof(path), "no-such-file");
	ck_assert_int_eq(ddg_evlog_open_opts(path, &o, &log, err,
		sizeof(err)), DDG_OK);
	for(i = 0; i < NTHREADS_SINK; i++) {
		wa[i].log = log;
		wa[i].from = i * PER_SINK;
		ck_assert_int_eq(pthread_create(&t[i], NULL, sink_writer,
			&wa[i]), 0);
	}
	for(i = 0; i < NTHREADS_SINK; i++)
		pthread_join(t[i], NULL);
	wait_drained(log, &st);
	ddg_evlog_stats(log, &st);
	ddg_evlog_close(log);
	ck_assert_int_eq(rx.bad, 0);
	ck_assert_int_eq(rx.misordered, 0);
	ck_assert_int_eq(rx.other_thread, 0);
	/* a ring of the default size holds them all: none dropped */
	ck_assert_int_eq(rx.calls, NTHREADS_SINK * PER_SINK);
	ck_assert_uint_eq(st.written, (uint64_t)NTHREADS_SINK * PER_SINK);
	ck_assert_uint_eq(st.dropped + st.lost + st.errors, 0);
	/* the path is only a name: no file was made */
	ck_assert_int_ne(stat(path, &sb), 0);
}
END_TEST

/* ---- concurrent writers, reopen and close ---- */

#define NTHREADS 4
#define PER_THREAD 5000
#define NROTATE 20

/** a writer thread's argument */
struct warg {
	struct ddg_evlog *log;
	int from;
};

static void *
writer(void *arg)
{
	struct warg *w = arg;

	put_lines(w->log, w->from, w->from + PER_THREAD);
	return NULL;
}

/** a rotating thread's argument */
struct rarg {
	struct ddg_evlog *log;
	const char *path;
};

static void *
rotator(void *arg)
{
	struct rarg *r = arg;
	struct ddg_evlog_stats st;
	char old[300];
	int i;

	for(i = 0; i < NROTATE; i++) {
		snprintf(old, sizeof(old), "%s.%d", r->path, i);
		if(rename(r->path, old) == 0)
			ddg_evlog_reopen(r->log);
		ddg_evlog_stats(r->log, &st);
		usleep(2000);
	}
	return NULL;
}

START_TEST(test_concurrent)
{
	struct ddg_evlog_opts o = opts_quiet();
	struct ddg_evlog *log = NULL;
	struct ddg_evlog_stats st;
	pthread_t th[NTHREADS], rt;
	struct warg wa[NTHREADS];
	struct rarg ra;
	char path[256], old[300], err[DDG_ERR_LEN], *seen;
	size_t lines = 0;
	int i;

	tmp_path(path, sizeof(path), "conc.jsonl");
	for(i = 0; i < NROTATE; i++) {
		snprintf(old, sizeof(old), "%s.%d", path, i);
		unlink(old);
	}
	o.flush_ms = 5;
	ck_assert_int_eq(ddg_evlog_open_opts(path, &o, &log, err,
		sizeof(err)), DDG_OK);
	ra.log = log;
	ra.path = path;
	ck_assert_int_eq(pthread_create(&rt, NULL, rotator, &ra), 0);
	for(i = 0; i < NTHREADS; i++) {
		wa[i].log = log;
		wa[i].from = i * PER_THREAD;
		ck_assert_int_eq(pthread_create(&th[i], NULL, writer, &wa[i]),
			0);
	}
	for(i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	pthread_join(rt, NULL);
	ddg_evlog_stats(log, &st);
	/* close with lines and maybe a reopen still pending */
	ddg_evlog_reopen(log);
	ddg_evlog_close(log);
	seen = calloc(1, MAXN);
	ck_assert_ptr_nonnull(seen);
	lines = file_lines(path, seen);
	for(i = 0; i < NROTATE; i++) {
		snprintf(old, sizeof(old), "%s.%d", path, i);
		if(access(old, F_OK) == 0)
			lines += file_lines(old, seen);
		unlink(old);
	}
	unlink(path);
	/* everything accepted is in one of the files, exactly once */
	ck_assert_uint_eq(lines + st.dropped, NTHREADS * PER_THREAD);
	ck_assert_int_eq(nreports(DDG_EVLOG_REPORT_FAILING, "longer"), 0);
	free(seen);
}
END_TEST

static Suite *
evlog_suite(void)
{
	Suite *s = suite_create("evlog");
	TCase *tc;

	tc = tcase_create("limits");
	tcase_add_unchecked_fixture(tc, tdir_make, tdir_remove);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fsize);
	tcase_add_test(tc, test_tmpfs_full);
	tcase_add_test(tc, test_counters);
	suite_add_tcase(s, tc);

	tc = tcase_create("fifo");
	tcase_add_unchecked_fixture(tc, tdir_make, tdir_remove);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fifo_noreader);
	tcase_add_test(tc, test_fifo_stalled);
	tcase_add_test(tc, test_report_summary);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_add_unchecked_fixture(tc, tdir_make, tdir_remove);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_concurrent);
	tcase_add_test(tc, test_sink);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(evlog_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
