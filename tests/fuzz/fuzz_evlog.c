/**
 * \file fuzz_evlog.c
 * Fuzz target of the event file writer (lib/evlog.c): the input is a
 * sequence of at most MAX_OPS operations on a writer with the smallest
 * ring (4096 bytes) and a 1 ms writer period, so the writer thread drains
 * while the input runs:
 * - write a line whose length is a byte of the input or one of the edge
 *   lengths (0, around half and the whole ring, DDG_EVLOG_MAXLINE and
 *   beyond), its first bytes from the input, the rest made unique to the
 *   line (a newline byte is changed: a line has none, by contract);
 * - ask for a reopen of the same path, or rotate (rename the file away,
 *   then reopen, as logrotate does);
 * - read the counters; pause briefly (a bounded number of times).
 * Checked on every input: whenever read, the refused counters equal the
 * refusals ddg_evlog_write() returned (too_long exactly the lines over
 * DDG_EVLOG_MAXLINE) and nothing is counted twice (written + dropped +
 * too_long + lost, plus queued lines, never exceed the lines offered);
 * after ddg_evlog_close() the rotated files followed by the file hold
 * only whole lines, each byte-identical to an accepted line, in order
 * (they form a subsequence of the accepted lines), their number is the
 * written counter, and written + dropped + too_long + lost == lines
 * offered.  A violation abort()s.
 *
 * The file is in a private temporary directory made once per process
 * (removed at exit); each input starts with no files there.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/evlog.h"
#include "fuzz_input.h"

/** the fuzz target */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** operations per input at most */
#define MAX_OPS 200
/** rotations per input at most */
#define MAX_ROT 4
/** pauses per input at most */
#define MAX_PAUSE 4
/** the ring (the smallest) */
#define RING 4096
/** bytes of a line taken from the input at most */
#define FROM_INPUT 64

/** the directory and the file */
static char dir[256], path[300];
/** a line being built (the longest edge length) */
static char *linebuf;
/** the edge lengths */
static const size_t edge[] = {
	0, 1, RING / 2 - 2, RING / 2 - 1, RING / 2, RING - 2, RING - 1, RING,
	RING + 1, DDG_EVLOG_MAXLINE - 1, DDG_EVLOG_MAXLINE,
	DDG_EVLOG_MAXLINE + 1, DDG_EVLOG_MAXLINE + RING
};
#define LONGEST (DDG_EVLOG_MAXLINE + RING)

/** the accepted lines of an input */
struct acc {
	/** the bytes (a ring holds no more than RING - 1) */
	char *s;
	/** length */
	size_t len;
};

/** Stop with a reason. */
static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_evlog: %s\n", what);
	abort();
}

/** Remove the files of the directory (before each input). */
static void
remove_files(void)
{
	char p[320];
	int i;

	unlink(path);
	for(i = 1; i <= MAX_ROT; i++) {
		snprintf(p, sizeof(p), "%s.%d", path, i);
		unlink(p);
	}
}

/** Remove the files and the directory at exit. */
static void
cleanup(void)
{
	remove_files();
	rmdir(dir);
}

/** Once per process: the directory and the line buffer. */
static void
setup(void)
{
	const char *t = getenv("TMPDIR");

	if(linebuf)
		return;
	snprintf(dir, sizeof(dir), "%s/fuzz_evlog.XXXXXX", t && *t ? t :
		"/tmp");
	if(!mkdtemp(dir))
		fail("mkdtemp failed");
	snprintf(path, sizeof(path), "%s/events.log", dir);
	linebuf = malloc(LONGEST);
	if(!linebuf)
		fail("out of memory");
	atexit(cleanup);
}

/** Read a whole file into a malloc'd buffer (a missing file is empty). */
static char *
slurp(const char *p, size_t *len)
{
	FILE *f = fopen(p, "rb");
	char *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if(!f)
		return NULL;
	for(;;) {
		if(*len == cap) {
			char *nb;
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if(!nb)
				fail("out of memory");
			buf = nb;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		if(n == 0)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

/** Check the lines of one file against the accepted lines from *next on:
 * each must be the next accepted line at or after *next.  Returns the
 * number of lines. */
static uint64_t
check_file(const char *p, struct acc *a, size_t na, size_t *next)
{
	size_t len, off = 0;
	char *buf = slurp(p, &len);
	uint64_t lines = 0;

	while(off < len) {
		char *nl = memchr(buf + off, '\n', len - off);
		size_t l;
		if(!nl)
			fail("the file ends in a partial line");
		l = (size_t)(nl - (buf + off));
		while(*next < na && (a[*next].len != l ||
			memcmp(a[*next].s, buf + off, l) != 0))
			(*next)++;
		if(*next == na)
			fail("a line of the file is no accepted line (or out "
				"of order)");
		(*next)++;
		lines++;
		off += l + 1;
	}
	free(buf);
	return lines;
}

/** Check the counters while the writer runs. */
static void
check_running(const struct ddg_evlog_stats *s, uint64_t offered,
	uint64_t refused_full, uint64_t refused_long)
{
	if(s->too_long != refused_long)
		fail("too_long is not the number of lines refused as too long");
	if(s->dropped != refused_full)
		fail("dropped is not the number of lines refused otherwise");
	if(s->written + s->dropped + s->too_long + s->lost > offered)
		fail("more lines counted than offered");
	if(s->queued > RING)
		fail("more queued than the ring holds");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ddg_evlog_opts o;
	struct ddg_evlog *log = NULL;
	struct ddg_evlog_stats s;
	struct acc *a;
	struct fz z;
	char err[512], p[320];
	uint64_t offered = 0, refused_full = 0, refused_long = 0, lines = 0;
	size_t na = 0, next = 0;
	int ops, rot = 0, pauses = 0, i;

	setup();
	remove_files();
	memset(&o, 0, sizeof(o));
	o.ring_size = RING;
	o.flush_ms = 1;
	o.retry_ms = 1;
	if(ddg_evlog_open_opts(path, &o, &log, err, sizeof(err)) != DDG_OK)
		fail(err);
	a = calloc(MAX_OPS, sizeof(*a));
	if(!a)
		fail("out of memory");
	fz_init(&z, data, size);
	for(ops = 0; ops < MAX_OPS && z.n > 0; ops++) {
		uint8_t op = fz_u8(&z);
		switch(op & 7) {
		default: {
			/* 0..4: a line */
			size_t len, k, j;
			const uint8_t *b;
			unsigned sel = op >> 3;
			if(sel < 16)
				len = fz_u8(&z);
			else if(sel < 16 + sizeof(edge) / sizeof(edge[0]))
				len = edge[sel - 16];
			else
				len = (size_t)fz_un(&z, 2) % (RING + 1);
			k = fz_bytes(&z, len < FROM_INPUT ? len : FROM_INPUT,
				&b);
			memcpy(linebuf, b, k);
			/* the rest unique to this line: its number, then a
			 * pattern */
			for(j = k; j < len; j++)
				linebuf[j] = (char)('a' + (offered + j) % 26);
			if(len - k >= 8)
				snprintf(linebuf + k, 8, "%07llu",
					(unsigned long long)offered % 10000000);
			if(len - k >= 8)
				linebuf[k + 7] = '#';
			for(j = 0; j < len; j++)
				if(linebuf[j] == '\n')
					linebuf[j] = ' ';
			offered++;
			if(ddg_evlog_write(log, linebuf, len) == DDG_OK) {
				if(len > RING - 1)
					fail("a line larger than the ring was "
						"accepted");
				a[na].s = malloc(len ? len : 1);
				if(!a[na].s)
					fail("out of memory");
				memcpy(a[na].s, linebuf, len);
				a[na].len = len;
				na++;
			} else if(len > DDG_EVLOG_MAXLINE)
				refused_long++;
			else
				refused_full++;
			break;
		}
		case 5:
			if((op & 8) && rot < MAX_ROT) {
				/* logrotate: rename, then reopen (no file
				 * yet when the last reopen is still to come) */
				snprintf(p, sizeof(p), "%s.%d", path, rot + 1);
				if(rename(path, p) == 0)
					rot++;
				else if(errno != ENOENT)
					fail("rename failed");
			}
			ddg_evlog_reopen(log);
			break;
		case 6:
			ddg_evlog_stats(log, &s);
			check_running(&s, offered, refused_full, refused_long);
			break;
		case 7:
			if(pauses < MAX_PAUSE) {
				struct timespec ts = { 0, 200000 };
				pauses++;
				nanosleep(&ts, NULL);
			}
			break;
		}
	}
	/* let the writer drain (2 s at most), so that the counters read
	 * before close are final */
	for(i = 0; ; i++) {
		struct timespec ts = { 0, 100000 };
		ddg_evlog_stats(log, &s);
		check_running(&s, offered, refused_full, refused_long);
		if(s.queued == 0)
			break;
		if(i == 20000)
			fail("the writer does not drain the ring");
		nanosleep(&ts, NULL);
	}
	if(s.written + s.dropped + s.too_long + s.lost != offered)
		fail("written + dropped + too long + lost != offered");
	if(s.written + s.lost != na)
		fail("written + lost is not the number of accepted lines");
	/* a regular file that does not fail loses nothing */
	if(s.lost != 0 || s.errors != 0)
		fail("lines lost or errors on a working regular file");
	ddg_evlog_close(log);
	for(i = 1; i <= rot; i++) {
		snprintf(p, sizeof(p), "%s.%d", path, i);
		lines += check_file(p, a, na, &next);
	}
	lines += check_file(path, a, na, &next);
	if(lines != s.written)
		fail("the files do not hold the written lines");
	for(i = 0; (size_t)i < na; i++)
		free(a[i].s);
	free(a);
	return 0;
}
