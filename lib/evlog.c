/**
 * \file evlog.c
 * The event file writer: a bounded byte ring filled by any thread under a
 * mutex held only for a memcpy, drained to the file by one writer thread.
 * See evlog.h for the guarantees.
 *
 * The ring holds whole lines only (a caller adds a line and its newline
 * under the lock), so every line boundary the writer needs is a newline in
 * the ring.  The writer takes a snapshot (head, used) under the lock and
 * writes those bytes without it; callers only ever add bytes after them.
 *
 * The writer wakes when its period is over and lines wait, when a caller
 * finds the ring half full, when a line arrives while it was idle (nothing
 * written for a whole period), and for reopen and close requests.  Under
 * steady load a caller therefore never signals it.
 *
 * A regular file is written with large writes; when one fails in the
 * middle of a line, the file is cut back (ftruncate) to the end of the last
 * whole line, computed from the file position after the last successful
 * write (so copytruncate rotations are no problem), and the rest of the
 * snapshot is dropped.  Any other file (a FIFO) is written in atomic writes
 * of whole lines of at most PIPE_BUF bytes; only a longer line can be cut
 * by a full pipe, and its rest (still in the ring, at head) is written when
 * the pipe has room again.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/evlog.h"

/** no deadline */
#define NEVER UINT64_MAX

/** what the writer thread did in one flush, applied under the lock */
struct delta {
	/** lines written completely */
	uint64_t written;
	/** lines lost */
	uint64_t lost;
	/** failed system calls */
	uint64_t errors;
	/** errno of the last of them */
	int err;
	/** what failed: "write", "open", "truncate" */
	const char *op;
	/** bytes consumed from the ring */
	size_t done;
};

/** the report state (writer thread only) */
struct report_state {
	/** bad (dropped + too_long + lost + errors) at the previous check */
	uint64_t prev_bad;
	/** written at the previous check */
	uint64_t prev_written;
	/** counters when the last report was made */
	struct ddg_evlog_stats seen;
	/** in a failure (lines lost since lines were last written fine) */
	int failing;
	/** a FAILING line was made for this failure, no RECOVERED yet */
	int told;
	/** a report was made at all */
	int have_line;
	/** when the last report was made, ms */
	uint64_t last_line;
	/** when the failure started, ms */
	uint64_t fail_since;
};

/** the writer */
struct ddg_evlog {
	/** protects the fields up to and including st, and the ring bytes
	 * outside [head, head + used) while the writer thread writes those */
	pthread_mutex_t lock;
	/** signalled when there is work for the writer thread */
	pthread_cond_t work;
	/** the ring */
	char *ring;
	/** its size */
	size_t size;
	/** index of the oldest queued byte */
	size_t head;
	/** number of queued bytes */
	size_t used;
	/** used at or above this wakes the writer */
	size_t threshold;
	/** the writer waits with nothing to do: the next line wakes it */
	int idle;
	/** a caller woke the writer because the ring passed threshold */
	int kicked;
	/** reopen requested */
	int reopen;
	/** close requested: drain and stop */
	int closing;
	/** the final drain ends at this time, ms */
	uint64_t close_by;
	/** the counters (queued is computed from used) */
	struct ddg_evlog_stats st;

	/* settings, read-only after open */
	/** the writer thread */
	pthread_t thread;
	/** report receiver, or NULL */
	ddg_evlog_report_fn report;
	/** its argument */
	void *report_arg;
	/** period, drain bound, open retry pause, report interval, ms */
	uint64_t flush_ms, close_ms, retry_ms, report_ms;
	/** the file's path (with a sink: its name) */
	char *path;
	/** the receiver of the lines instead of a file, or NULL */
	ddg_evlog_sink_fn sink;
	/** its argument */
	void *sink_arg;

	/* the writer thread's own (and open/close while it does not run) */
	/** the file, or -1 (a FIFO without reader, or a broken stream) */
	int fd;
	/** the file is not a regular file: non-blocking whole-line writes */
	int stream;
	/** bytes of the line at head already written (stream only) */
	size_t partial;
	/** a regular file still holds part of a line after cut_at */
	int cut_pending;
	/** where to cut it */
	off_t cut_at;
	/** the stream is full: wait for room before writing again */
	int stalled;
	/** lines were written in the current period */
	int recent;
	/** next flush is due at, ms */
	uint64_t next_flush;
	/** next open attempt (fd < 0) not before, ms */
	uint64_t next_open;
	/** a reopen waiting for a started line gives up at, ms */
	uint64_t reopen_by;
	/** what failed last: for the reports */
	const char *last_op;
	/** report state */
	struct report_state rep;
	/** staging buffer of the whole-line writes of a stream */
	char stage[PIPE_BUF];
	/** report text */
	char msg[1536];
};

/** Milliseconds on the monotonic clock. */
static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/** Wait on the condition until at most the time at (ms, monotonic). */
static void
wait_until(struct ddg_evlog *log, uint64_t at)
{
	struct timespec ts;

	if(at == NEVER) {
		pthread_cond_wait(&log->work, &log->lock);
		return;
	}
	ts.tv_sec = (time_t)(at / 1000u);
	ts.tv_nsec = (long)(at % 1000u) * 1000000L;
	pthread_cond_timedwait(&log->work, &log->lock, &ts);
}

/** Open the event file, without blocking; sets *stream when it is not a
 * regular file.  Returns the descriptor or -1 with errno. */
static int
open_file(const char *path, int *stream)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		O_NOCTTY | O_NONBLOCK, 0640);

	if(fd < 0)
		return -1;
	*stream = fstat(fd, &st) == 0 && !S_ISREG(st.st_mode);
	return fd;
}

/** Whether path is a FIFO (open failed with ENXIO: it has no reader). */
static int
is_fifo(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISFIFO(st.st_mode);
}

/**
 * Scan ring bytes [from, to) after h for newlines: their number, and the
 * offset just after the last one (from when there is none).
 */
static uint64_t
ring_scan(struct ddg_evlog *log, size_t h, size_t from, size_t to,
	size_t *after_last)
{
	uint64_t n = 0;
	size_t off = from;

	*after_last = from;
	while(off < to) {
		size_t pos = (h + off) % log->size;
		size_t seg = log->size - pos;
		const char *base = log->ring + pos, *s = base, *end, *p;
		if(seg > to - off)
			seg = to - off;
		end = base + seg;
		while(s < end && (p = memchr(s, '\n', (size_t)(end - s)))
			!= NULL) {
			n++;
			s = p + 1;
			*after_last = off + (size_t)(s - base);
		}
		off += seg;
	}
	return n;
}

/** Offset of the first newline in ring bytes [from, to) after h, or to. */
static size_t
ring_nl(struct ddg_evlog *log, size_t h, size_t from, size_t to)
{
	size_t off = from;

	while(off < to) {
		size_t pos = (h + off) % log->size;
		size_t seg = log->size - pos;
		const char *p;
		if(seg > to - off)
			seg = to - off;
		p = memchr(log->ring + pos, '\n', seg);
		if(p)
			return off + (size_t)(p - (log->ring + pos));
		off += seg;
	}
	return to;
}

/** Copy ring bytes [off, off + len) after h, which may wrap, to dst. */
static void
ring_copy(struct ddg_evlog *log, size_t h, size_t off, size_t len,
	char *dst)
{
	size_t pos = (h + off) % log->size, first = log->size - pos;

	if(first >= len)
		memcpy(dst, log->ring + pos, len);
	else {
		memcpy(dst, log->ring + pos, first);
		memcpy(dst + first, log->ring, len - first);
	}
}

/** Account for w bytes written at offset off after h. */
static void
note_written(struct ddg_evlog *log, size_t h, size_t off, size_t w,
	struct delta *d)
{
	size_t after;
	uint64_t k = ring_scan(log, h, off, off + w, &after);

	d->written += k;
	if(k > 0)
		log->partial = off + w - after;
	else
		log->partial += w;
}

/**
 * One write(2) of len bytes from buf, the snapshot bytes from *off after
 * h.  On progress (or EINTR) *off is advanced past what was written and 1
 * is returned; on failure 0, with errno set (EIO for a write of nothing).
 */
static int
write_once(struct ddg_evlog *log, size_t h, size_t *off, const char *buf,
	size_t len, struct delta *d)
{
	ssize_t w = write(log->fd, buf, len);

	if(w > 0) {
		note_written(log, h, *off, (size_t)w, d);
		*off += (size_t)w;
		return 1;
	}
	if(w < 0 && errno == EINTR)
		return 1;
	if(w == 0)
		errno = EIO;
	return 0;
}

/** Record a failed system call. */
static void
note_error(struct delta *d, const char *op, int err)
{
	d->errors++;
	d->err = err;
	d->op = op;
}

/** Drop snapshot bytes [off, n) after h (they end at a line boundary). */
static void
drop_rest(struct ddg_evlog *log, size_t h, size_t off, size_t n,
	struct delta *d)
{
	size_t after;

	d->lost += ring_scan(log, h, off, n, &after);
	log->partial = 0;
	d->done = n;
}

/** Cut a regular file back to its last line boundary; 0 or -1. */
static int
cut_file(struct ddg_evlog *log, struct delta *d)
{
	int r;

	do
		r = ftruncate(log->fd, log->cut_at);
	while(r != 0 && errno == EINTR);
	if(r != 0) {
		note_error(d, "truncate", errno);
		log->cut_pending = 1;
		return -1;
	}
	log->cut_pending = 0;
	return 0;
}

/** Write snapshot bytes [0, n) after h to a regular file. */
static void
write_file(struct ddg_evlog *log, size_t h, size_t n, struct delta *d)
{
	size_t off = 0;

	if(log->cut_pending && cut_file(log, d) != 0) {
		/* appending now would glue lines to the broken one */
		drop_rest(log, h, 0, n, d);
		return;
	}
	while(off < n) {
		size_t pos = (h + off) % log->size;
		size_t seg = log->size - pos;
		if(seg > n - off)
			seg = n - off;
		if(write_once(log, h, &off, log->ring + pos, seg, d))
			continue;
		note_error(d, "write", errno);
		if(log->partial > 0) {
			/* part of a line is in the file: cut it off */
			off_t at = lseek(log->fd, 0, SEEK_CUR);
			if(at >= (off_t)log->partial) {
				log->cut_at = at - (off_t)log->partial;
				(void)cut_file(log, d);
			} else
				note_error(d, "truncate", at < 0 ? errno :
					EINVAL);
		}
		drop_rest(log, h, off, n, d);
		return;
	}
	d->done = n;
}

/**
 * Write snapshot bytes [0, n) after h to a stream: whole lines of up to
 * PIPE_BUF bytes in one write each (atomic on a pipe), a longer line (or
 * the rest of a started one) directly.  Stops at a full stream (stalled).
 */
static void
write_stream(struct ddg_evlog *log, size_t h, size_t n, struct delta *d)
{
	size_t off = 0;

	while(off < n) {
		size_t nl = ring_nl(log, h, off, n), len;
		const char *buf;
		if(log->partial > 0 || nl + 1 - off > PIPE_BUF) {
			/* a long line: from off to its end, in place */
			size_t pos = (h + off) % log->size;
			len = log->size - pos;
			if(len > nl + 1 - off)
				len = nl + 1 - off;
			buf = log->ring + pos;
		} else {
			/* as many whole lines as fit into PIPE_BUF */
			size_t end = nl + 1;
			while(end < n) {
				size_t next = ring_nl(log, h, end, n);
				if(next + 1 - off > PIPE_BUF)
					break;
				end = next + 1;
			}
			len = end - off;
			ring_copy(log, h, off, len, log->stage);
			buf = log->stage;
		}
		if(write_once(log, h, &off, buf, len, d))
			continue;
		if(errno == EAGAIN || errno == EWOULDBLOCK) {
			log->stalled = 1;
			d->done = off;
			return;
		}
		/* the reader went away (EPIPE) or the stream broke: what
		 * is not written goes, and so does this stream; a new
		 * reader starts at a line boundary */
		note_error(d, "write", errno);
		close(log->fd);
		log->fd = -1;
		log->next_open = 0;
		drop_rest(log, h, off, n, d);
		return;
	}
	d->done = n;
}

/** Hand snapshot bytes [0, n) after h to the sink, line by line. */
static void
write_sink(struct ddg_evlog *log, size_t h, size_t n, struct delta *d)
{
	char line[DDG_EVLOG_MAXLINE + 1];
	size_t off = 0;

	while(off < n) {
		size_t nl = ring_nl(log, h, off, n), len = nl - off;
		ring_copy(log, h, off, len, line);
		line[len] = 0;
		log->sink(log->sink_arg, line, len);
		d->written++;
		off = nl + 1;
	}
	d->done = n;
}

/**
 * Write what is queued.  Called and returns with the lock held; releases
 * it while writing.
 */
static void
flush(struct ddg_evlog *log, uint64_t now)
{
	size_t h = log->head, n = log->used;
	struct delta d;

	memset(&d, 0, sizeof(d));
	pthread_mutex_unlock(&log->lock);
	if(log->sink) {
		write_sink(log, h, n, &d);
	} else if(log->fd < 0 && now >= log->next_open) {
		int stream = 1;
		log->fd = open_file(log->path, &stream);
		if(log->fd >= 0) {
			log->stream = stream;
			log->partial = 0;
			log->cut_pending = 0;
		} else {
			note_error(&d, "open", errno);
			log->next_open = now + log->retry_ms;
		}
	}
	if(log->sink)
		;
	else if(log->fd < 0)
		drop_rest(log, h, 0, n, &d);
	else if(log->stream)
		write_stream(log, h, n, &d);
	else
		write_file(log, h, n, &d);
	pthread_mutex_lock(&log->lock);
	log->head = (log->head + d.done) % log->size;
	log->used -= d.done;
	log->st.written += d.written;
	log->st.lost += d.lost;
	log->st.errors += d.errors;
	if(d.errors) {
		log->st.last_errno = d.err;
		log->last_op = d.op;
	}
}

/** Drop everything queued (lock held). */
static void
drop_queued(struct ddg_evlog *log)
{
	struct delta d;

	memset(&d, 0, sizeof(d));
	drop_rest(log, log->head, 0, log->used, &d);
	log->st.lost += d.lost;
	log->head = (log->head + log->used) % log->size;
	log->used = 0;
}

/** Drop the rest of the line at head, started but not finished on a
 * stream that is being left (lock held). */
static void
drop_started(struct ddg_evlog *log)
{
	size_t nl;

	if(log->partial == 0 || log->used == 0)
		return;
	nl = ring_nl(log, log->head, 0, log->used);
	log->head = (log->head + nl + 1) % log->size;
	log->used -= nl + 1;
	log->st.lost++;
	log->partial = 0;
}

/** Reopen the file by its path (lock held; released while opening). */
static void
do_reopen(struct ddg_evlog *log)
{
	int fd, e, stream = 0;
	struct delta d;

	log->reopen = 0;
	drop_started(log);
	memset(&d, 0, sizeof(d));
	pthread_mutex_unlock(&log->lock);
	fd = open_file(log->path, &stream);
	e = errno;
	if(log->fd >= 0 && log->cut_pending)
		(void)cut_file(log, &d);
	if(fd >= 0) {
		if(log->fd >= 0)
			close(log->fd);
		log->fd = fd;
		log->stream = stream;
		log->cut_pending = 0;
		log->partial = 0;
		log->stalled = 0;
	} else {
		note_error(&d, "reopen", e);
		if(e == ENXIO && is_fifo(log->path)) {
			/* now a FIFO without reader: wait for one */
			if(log->fd >= 0)
				close(log->fd);
			log->fd = -1;
			log->stream = 1;
			log->cut_pending = 0;
			log->stalled = 0;
			log->next_open = now_ms() + log->retry_ms;
		}
		/* else the old file (if any) stays in use */
	}
	pthread_mutex_lock(&log->lock);
	log->st.errors += d.errors;
	if(d.errors) {
		log->st.last_errno = d.err;
		log->last_op = d.op;
	}
}

/* ---- reports ---- */

/** Lines lost one way or another, plus failed calls. */
static uint64_t
bad_of(const struct ddg_evlog_stats *s)
{
	return s->dropped + s->too_long + s->lost + s->errors;
}

/** Describe the cause of the losses since the last report into buf. */
static void
cause(struct ddg_evlog *log, char *buf, size_t len)
{
	const struct ddg_evlog_stats *s = &log->st, *o = &log->rep.seen;

	if(s->errors > o->errors && s->last_errno == ENXIO && log->stream)
		snprintf(buf, len, "no reader on the FIFO");
	else if(s->errors > o->errors)
		snprintf(buf, len, "%s failed: %s", log->last_op ?
			log->last_op : "write", strerror(s->last_errno));
	else if(s->dropped > o->dropped)
		snprintf(buf, len, "queue full (the file or its reader does "
			"not keep up)");
	else if(s->too_long > o->too_long)
		snprintf(buf, len, "line longer than %d bytes",
			DDG_EVLOG_MAXLINE);
	else
		snprintf(buf, len, "not written in time");
}

/** Append ", N what" (or "N what" first) to buf when n is not 0. */
static void
count_item(char *buf, size_t len, uint64_t n, const char *what,
	const char *plural)
{
	size_t at = strlen(buf);

	if(n == 0 || at >= len)
		return;
	snprintf(buf + at, len - at, "%s%llu %s%s", at ? ", " : "",
		(unsigned long long)n, what, n == 1 ? "" : plural);
}

/** Format the counts since the last report into buf, zeros left out. */
static void
counts(struct ddg_evlog *log, char *buf, size_t len)
{
	const struct ddg_evlog_stats *s = &log->st, *o = &log->rep.seen;

	buf[0] = 0;
	count_item(buf, len, s->lost - o->lost, "lost (not written)", "");
	count_item(buf, len, s->dropped - o->dropped, "dropped (queue full)",
		"");
	count_item(buf, len, s->too_long - o->too_long, "too long", "");
	count_item(buf, len, s->errors - o->errors, "write error", "s");
	if(buf[0] == 0)
		snprintf(buf, len, "nothing lost");
}

/** Make a report (lock held; released for the callback). */
static void
emit(struct ddg_evlog *log, enum ddg_evlog_report kind, const char *text,
	uint64_t now)
{
	log->rep.seen = log->st;
	log->rep.have_line = 1;
	log->rep.last_line = now;
	if(!log->report)
		return;
	snprintf(log->msg, sizeof(log->msg), "event file %s: %s", log->path,
		text);
	pthread_mutex_unlock(&log->lock);
	log->report(log->report_arg, kind, log->msg);
	pthread_mutex_lock(&log->lock);
}

/** Whether a rate-limited report may be made now. */
static int
report_may(struct ddg_evlog *log, uint64_t now)
{
	return !log->rep.have_line ||
		now >= log->rep.last_line + log->report_ms;
}

/** When the next report is due (NEVER: none is pending). */
static uint64_t
report_due(struct ddg_evlog *log)
{
	if((log->rep.failing && !log->rep.told) ||
		bad_of(&log->st) > bad_of(&log->rep.seen))
		return log->rep.have_line ? log->rep.last_line +
			log->report_ms : 0;
	return NEVER;
}

/** Follow the state of failure and report what is due (lock held). */
static void
report_check(struct ddg_evlog *log, uint64_t now)
{
	struct report_state *r = &log->rep;
	uint64_t bad = bad_of(&log->st);
	int recovered = 0;
	char why[300], cnt[300], text[700];

	if(bad > r->prev_bad) {
		if(!r->failing) {
			r->failing = 1;
			r->fail_since = now;
		}
	} else if(r->failing && log->st.written > r->prev_written) {
		r->failing = 0;
		recovered = 1;
	}
	r->prev_bad = bad;
	r->prev_written = log->st.written;
	if(r->failing && !r->told && report_may(log, now)) {
		cause(log, why, sizeof(why));
		counts(log, cnt, sizeof(cnt));
		snprintf(text, sizeof(text), "%s: events are being lost; so "
			"far: %s; further reports at most every %g s", why, cnt,
			(double)log->report_ms / 1000.0);
		r->told = 1;
		emit(log, DDG_EVLOG_REPORT_FAILING, text, now);
	} else if(recovered && r->told) {
		counts(log, cnt, sizeof(cnt));
		snprintf(text, sizeof(text), "writing works again after %.1f "
			"s; since the last report: %s",
			(double)(now - r->fail_since) / 1000.0, cnt);
		r->told = 0;
		emit(log, DDG_EVLOG_REPORT_RECOVERED, text, now);
	} else if(bad > bad_of(&r->seen) && report_may(log, now)) {
		cause(log, why, sizeof(why));
		counts(log, cnt, sizeof(cnt));
		snprintf(text, sizeof(text), "%s (%s): in the last %.0f s: %s%s",
			r->failing ? "still failing" : "failed", why,
			(double)(now - r->last_line) / 1000.0, cnt,
			r->failing ? "" : "; writing works again");
		r->told = r->failing;
		emit(log, DDG_EVLOG_REPORT_SUMMARY, text, now);
	}
}

/** Report what was not reported yet, at close (lock held). */
static void
report_final(struct ddg_evlog *log, uint64_t unsent)
{
	const struct ddg_evlog_stats *s = &log->st;
	char why[300], cnt[300], text[900];

	if(bad_of(s) <= bad_of(&log->rep.seen))
		return;
	if(unsent)
		snprintf(why, sizeof(why), "%llu queued line%s not taken by "
			"the reader within %.1f s", (unsigned long long)unsent,
			unsent == 1 ? "" : "s", (double)log->close_ms / 1000.0);
	else
		cause(log, why, sizeof(why));
	counts(log, cnt, sizeof(cnt));
	snprintf(text, sizeof(text), "closed (%s); since the last report: %s; "
		"in total: %llu written, %llu dropped, %llu too long, "
		"%llu lost", why, cnt, (unsigned long long)s->written,
		(unsigned long long)s->dropped,
		(unsigned long long)s->too_long, (unsigned long long)s->lost);
	emit(log, DDG_EVLOG_REPORT_SUMMARY, text, now_ms());
}

/* ---- the thread ---- */

/** Write out what is queued at close, within the bound (lock held). */
static void
final_drain(struct ddg_evlog *log)
{
	uint64_t unsent = 0;
	int opened = 0;

	if(log->reopen)
		do_reopen(log);	/* what is queued goes to the new file */
	log->next_open = 0;	/* one more try for a missing reader */
	while(log->used > 0) {
		uint64_t now = now_ms();
		if(now >= log->close_by)
			break;	/* a stalled reader: give up */
		if(log->fd < 0 && opened)
			break;
		opened = 1;
		flush(log, now);
		if(log->stalled) {
			struct pollfd p;
			p.fd = log->fd;
			p.events = POLLOUT;
			pthread_mutex_unlock(&log->lock);
			(void)poll(&p, 1, (int)(log->close_by - now));
			pthread_mutex_lock(&log->lock);
			log->stalled = 0;
		}
	}
	if(log->used > 0) {
		unsent = log->st.lost;
		drop_queued(log);
		unsent = log->st.lost - unsent;
	}
	report_final(log, unsent);
}

/** The writer thread. */
static void *
writer_main(void *arg)
{
	struct ddg_evlog *log = arg;

	pthread_mutex_lock(&log->lock);
	for(;;) {
		uint64_t now = now_ms(), at;

		if(log->closing)
			break;
		if(log->reopen && (log->partial == 0 ||
			now >= log->reopen_by)) {
			do_reopen(log);
			continue;
		}
		if(log->used > 0 && !log->stalled && (log->kicked ||
			log->reopen || now >= log->next_flush)) {
			log->kicked = 0;
			log->recent = 1;
			log->next_flush = now + log->flush_ms;
			flush(log, now);
			report_check(log, now_ms());
			continue;
		}
		if(log->used == 0 && now >= log->next_flush)
			log->recent = 0;
		report_check(log, now);
		if(log->stalled) {
			/* a full stream: wait for room, a period at most */
			struct pollfd p;
			p.fd = log->fd;
			p.events = POLLOUT;
			pthread_mutex_unlock(&log->lock);
			if(poll(&p, 1, (int)log->flush_ms) > 0)
				log->next_flush = 0;
			pthread_mutex_lock(&log->lock);
			log->stalled = 0;
			continue;
		}
		at = NEVER;
		if(log->used > 0 || log->recent)
			at = log->next_flush;
		if(report_due(log) < at)
			at = report_due(log);
		if(log->reopen && log->reopen_by < at)
			at = log->reopen_by;
		/* with lines written in this period the writer wakes at its
		 * end anyway: callers need not signal */
		log->idle = log->used == 0 && !log->recent;
		wait_until(log, at);
		log->idle = 0;
	}
	final_drain(log);
	pthread_mutex_unlock(&log->lock);
	return NULL;
}

/* ---- the interface ---- */

int
ddg_evlog_open_opts(const char *path, const struct ddg_evlog_opts *opts,
	struct ddg_evlog **out, char *err, size_t errlen)
{
	struct ddg_evlog_opts o;
	struct ddg_evlog *log;
	pthread_condattr_t ca;
	sigset_t all, old;
	int r;

	if(!path || !out) {
		if(err && errlen)
			snprintf(err, errlen, "no event file path");
		return DDG_ERR_INVAL;
	}
	memset(&o, 0, sizeof(o));
	if(opts)
		o = *opts;
	if(o.ring_size == 0)
		o.ring_size = DDG_EVLOG_RING_DEFAULT;
	if(o.ring_size < 4096)
		o.ring_size = 4096;
	log = calloc(1, sizeof(*log));
	if(!log) {
		if(err && errlen)
			snprintf(err, errlen, "%s: out of memory", path);
		return DDG_ERR_NOMEM;
	}
	log->fd = -1;
	log->size = o.ring_size;
	log->threshold = o.ring_size / 2;
	log->report = o.report;
	log->report_arg = o.report_arg;
	log->flush_ms = o.flush_ms ? o.flush_ms : DDG_EVLOG_FLUSH_MS;
	log->close_ms = o.close_ms ? o.close_ms : DDG_EVLOG_CLOSE_MS;
	log->retry_ms = o.retry_ms ? o.retry_ms : DDG_EVLOG_RETRY_MS;
	log->report_ms = o.report_ms ? o.report_ms : DDG_EVLOG_REPORT_MS;
	/* a mapping of its own: its pages go back to the system at close,
	 * not to the allocator (a reload opens a new writer each time) */
	log->ring = mmap(NULL, o.ring_size, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if(log->ring == MAP_FAILED)
		log->ring = NULL;
	log->path = strdup(path);
	if(!log->ring || !log->path) {
		if(err && errlen)
			snprintf(err, errlen, "%s: out of memory", path);
		r = DDG_ERR_NOMEM;
		goto fail;
	}
	log->sink = o.sink;
	log->sink_arg = o.sink_arg;
	if(!log->sink)
		log->fd = open_file(path, &log->stream);
	if(!log->sink && log->fd < 0) {
		int e = errno;
		if(e == ENXIO && is_fifo(path)) {
			/* a FIFO nobody reads yet: not an error; lines are
			 * dropped until a reader comes */
			log->stream = 1;
			log->st.last_errno = ENXIO;
			log->last_op = "open";
		} else {
			if(err && errlen)
				snprintf(err, errlen, "%s: %s", path,
					strerror(e));
			r = DDG_ERR_IO;
			goto fail;
		}
	}
	pthread_mutex_init(&log->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&log->work, &ca);
	pthread_condattr_destroy(&ca);
	/* the writer thread takes no signals: it inherits a full mask (so
	 * SIGPIPE and SIGXFSZ only make write(2) fail) */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&log->thread, NULL, writer_main, log);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if(r != 0) {
		if(err && errlen)
			snprintf(err, errlen, "%s: cannot start the writer "
				"thread: %s", path, strerror(r));
		pthread_cond_destroy(&log->work);
		pthread_mutex_destroy(&log->lock);
		r = DDG_ERR_IO;
		goto fail;
	}
	*out = log;
	return DDG_OK;
fail:
	if(log->fd >= 0)
		close(log->fd);
	if(log->ring)
		munmap(log->ring, log->size);
	free(log->path);
	free(log);
	return r;
}

int
ddg_evlog_open_size(const char *path, size_t ring_size,
	struct ddg_evlog **out, char *err, size_t errlen)
{
	struct ddg_evlog_opts o;

	memset(&o, 0, sizeof(o));
	o.ring_size = ring_size < 4096 ? 4096 : ring_size;
	return ddg_evlog_open_opts(path, &o, out, err, errlen);
}

int
ddg_evlog_open(const char *path, struct ddg_evlog **out, char *err,
	size_t errlen)
{
	return ddg_evlog_open_opts(path, NULL, out, err, errlen);
}

int
ddg_evlog_write(struct ddg_evlog *log, const char *line, size_t len)
{
	size_t tail, first;

	if(!log)
		return DDG_OK;
	pthread_mutex_lock(&log->lock);
	if(log->closing || len > DDG_EVLOG_MAXLINE ||
		log->used + len + 1 > log->size) {
		if(len > DDG_EVLOG_MAXLINE && !log->closing)
			log->st.too_long++;
		else
			log->st.dropped++;
		if(log->idle) {
			/* for the report */
			log->idle = 0;
			pthread_cond_signal(&log->work);
		}
		pthread_mutex_unlock(&log->lock);
		return DDG_ERR_RANGE;
	}
	tail = (log->head + log->used) % log->size;
	first = log->size - tail;
	if(first >= len) {
		memcpy(log->ring + tail, line, len);
	} else {
		memcpy(log->ring + tail, line, first);
		memcpy(log->ring, line + first, len - first);
	}
	log->ring[(tail + len) % log->size] = '\n';
	log->used += len + 1;
	if(log->idle) {
		/* the first line after a quiet period */
		log->idle = 0;
		pthread_cond_signal(&log->work);
	} else if(log->used >= log->threshold && !log->kicked) {
		log->kicked = 1;
		pthread_cond_signal(&log->work);
	}
	pthread_mutex_unlock(&log->lock);
	return DDG_OK;
}

void
ddg_evlog_reopen(struct ddg_evlog *log)
{
	if(!log)
		return;
	pthread_mutex_lock(&log->lock);
	if(!log->reopen) {
		log->reopen = 1;
		log->reopen_by = now_ms() + log->close_ms;
	}
	pthread_cond_signal(&log->work);
	pthread_mutex_unlock(&log->lock);
}

void
ddg_evlog_stats(struct ddg_evlog *log, struct ddg_evlog_stats *out)
{
	memset(out, 0, sizeof(*out));
	if(!log)
		return;
	pthread_mutex_lock(&log->lock);
	*out = log->st;
	out->queued = log->used;
	pthread_mutex_unlock(&log->lock);
}

uint64_t
ddg_evlog_dropped(struct ddg_evlog *log)
{
	struct ddg_evlog_stats s;

	ddg_evlog_stats(log, &s);
	return s.dropped + s.too_long;
}

uint64_t
ddg_evlog_errors(struct ddg_evlog *log)
{
	struct ddg_evlog_stats s;

	ddg_evlog_stats(log, &s);
	return s.errors;
}

void
ddg_evlog_close(struct ddg_evlog *log)
{
	if(!log)
		return;
	pthread_mutex_lock(&log->lock);
	log->closing = 1;
	log->close_by = now_ms() + log->close_ms;
	pthread_cond_signal(&log->work);
	pthread_mutex_unlock(&log->lock);
	pthread_join(log->thread, NULL);
	if(log->fd >= 0) {
		if(log->cut_pending) {
			struct delta d;
			memset(&d, 0, sizeof(d));
			(void)cut_file(log, &d);
		}
		close(log->fd);
	}
	pthread_cond_destroy(&log->work);
	pthread_mutex_destroy(&log->lock);
	munmap(log->ring, log->size);
	free(log->path);
	free(log);
}

size_t
ddg_evlog_mem(const struct ddg_evlog *log)
{
	if(!log)
		return 0;
	return sizeof(*log) + log->size + strlen(log->path) + 1;
}
