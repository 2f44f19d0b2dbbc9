/**
 * \file evlog.h
 * The event file writer: JSON lines appended to log-file: without blocking
 * the caller.  Lines go into a bounded in-memory ring (a mutex is held only
 * for a memcpy); a writer thread, which takes no signals, wakes every
 * DDG_EVLOG_FLUSH_MS while lines arrive (at once when the ring is half
 * full) and drains the ring to the file.  When the ring is full a line is
 * dropped and counted, never waited for.
 *
 * The file only ever holds whole lines.  A regular file that fails in the
 * middle of a line (ENOSPC, EFBIG, EIO) is cut back to the end of the last
 * whole line, and the lines that could not be written are dropped and
 * counted.  A FIFO (or other non-regular file) is opened and written
 * without blocking: lines go out in atomic writes of whole lines of up to
 * PIPE_BUF bytes; a longer line that was started is finished when the
 * reader makes room.  A FIFO without a reader is not an error at open: the
 * writer retries the open at most once a second while lines wait, and
 * drops (and counts) them until a reader comes.  ddg_evlog_close() waits
 * at most DDG_EVLOG_CLOSE_MS for a slow reader, then drops the rest.
 *
 * Failures are reported through an optional callback, rate-limited: the
 * first at once, then at most one summary per report interval (a minute)
 * while they last, and one line when writing works again.
 *
 * ddg_evlog_write(), ddg_evlog_reopen(), ddg_evlog_stats(),
 * ddg_evlog_dropped() and ddg_evlog_errors() may be called from any number
 * of threads concurrently.
 */
#ifndef DDG_EVLOG_H
#define DDG_EVLOG_H

#include <stddef.h>
#include <stdint.h>

/** default size of the ring, bytes */
#define DDG_EVLOG_RING_DEFAULT (4u * 1024u * 1024u)
/** longest line accepted by ddg_evlog_write(), newline excluded */
#define DDG_EVLOG_MAXLINE 65536
/** default period of the writer thread, milliseconds */
#define DDG_EVLOG_FLUSH_MS 50
/** default bound of the final drain in ddg_evlog_close(), milliseconds */
#define DDG_EVLOG_CLOSE_MS 1000
/** default pause between two open attempts of a missing file or of a FIFO
 * without reader, milliseconds */
#define DDG_EVLOG_RETRY_MS 1000
/** default least time between two rate-limited reports, milliseconds */
#define DDG_EVLOG_REPORT_MS 60000

/** an open event file (opaque) */
struct ddg_evlog;

/** kinds of report */
enum ddg_evlog_report {
	/** events are being lost; the first line of a failure */
	DDG_EVLOG_REPORT_FAILING = 0,
	/** summary of the losses since the previous report */
	DDG_EVLOG_REPORT_SUMMARY,
	/** writing works again after a reported failure */
	DDG_EVLOG_REPORT_RECOVERED
};

/**
 * Receiver of the writer's reports.  Called from the writer thread (and
 * from ddg_evlog_close()), never with a lock of the writer held.
 * @param arg: the report_arg given at open.
 * @param kind: what the report is.
 * @param msg: the text, "event file PATH: ...", without newline.
 */
typedef void (*ddg_evlog_report_fn)(void *arg, enum ddg_evlog_report kind,
	const char *msg);

/**
 * Receiver of the lines of a writer opened with a sink instead of a file
 * (the module's text lines for Unbound's log): called from the writer
 * thread, once per line, in order, never with a lock of the writer held.
 * @param arg: the sink_arg given at open.
 * @param line: the line, without its newline, NUL-terminated.
 * @param len: its length.
 */
typedef void (*ddg_evlog_sink_fn)(void *arg, const char *line, size_t len);

/** settings of ddg_evlog_open_opts(); a zero field takes its default */
struct ddg_evlog_opts {
	/** if set, lines go to this receiver, not to a file; the path is
	 * then only a name for the reports */
	ddg_evlog_sink_fn sink;
	/** its argument */
	void *sink_arg;
	/** ring bytes (default DDG_EVLOG_RING_DEFAULT; under 4096: 4096) */
	size_t ring_size;
	/** receiver of failure reports (default none) */
	ddg_evlog_report_fn report;
	/** its argument */
	void *report_arg;
	/** writer thread period, ms (default DDG_EVLOG_FLUSH_MS) */
	unsigned flush_ms;
	/** final drain bound, ms (default DDG_EVLOG_CLOSE_MS) */
	unsigned close_ms;
	/** open retry pause, ms (default DDG_EVLOG_RETRY_MS) */
	unsigned retry_ms;
	/** least time between rate-limited reports, ms
	 * (default DDG_EVLOG_REPORT_MS) */
	unsigned report_ms;
};

/** counters of a writer, since it was opened */
struct ddg_evlog_stats {
	/** lines written completely */
	uint64_t written;
	/** lines refused by ddg_evlog_write() because the ring was full (or
	 * the writer was closing) */
	uint64_t dropped;
	/** lines refused because longer than DDG_EVLOG_MAXLINE */
	uint64_t too_long;
	/** lines accepted but not written: a write failed, no reader on the
	 * FIFO, no file, or still queued when the close bound ran out */
	uint64_t lost;
	/** failed open(2), write(2) and ftruncate(2) calls (a FIFO without
	 * reader counts one per open attempt) */
	uint64_t errors;
	/** errno of the last failure, 0 when none */
	int last_errno;
	/** bytes queued now */
	size_t queued;
};

/**
 * Open (create, mode 0640, append, non-blocking) the event file and start
 * the writer thread, with a ring of DDG_EVLOG_RING_DEFAULT bytes and no
 * reports.
 * @param path: the file.
 * @param out: set to the writer on success; untouched on failure.
 * @param err: buffer of errlen bytes, filled on failure with
 *	"PATH: reason".
 * @param errlen: size of err.
 * @return DDG_OK (also for a FIFO that has no reader yet), DDG_ERR_IO
 *	(open or thread creation failed), DDG_ERR_INVAL or DDG_ERR_NOMEM.
 * @note close with ddg_evlog_close().
 */
int ddg_evlog_open(const char *path, struct ddg_evlog **out, char *err,
	size_t errlen);

/**
 * Open the event file with a ring of a given size (tests use small rings to
 * see drops).
 * @param path: the file.
 * @param ring_size: ring bytes; values under 4096 are raised to 4096.
 * @param out: set to the writer on success; untouched on failure.
 * @param err: buffer of errlen bytes, filled on failure.
 * @param errlen: size of err.
 * @return as ddg_evlog_open().
 */
int ddg_evlog_open_size(const char *path, size_t ring_size,
	struct ddg_evlog **out, char *err, size_t errlen);

/**
 * Open the event file with settings: ring size, report callback, periods.
 * @param path: the file.
 * @param opts: the settings, or NULL for the defaults (copied).
 * @param out: set to the writer on success; untouched on failure.
 * @param err: buffer of errlen bytes, filled on failure.
 * @param errlen: size of err.
 * @return as ddg_evlog_open().
 */
int ddg_evlog_open_opts(const char *path, const struct ddg_evlog_opts *opts,
	struct ddg_evlog **out, char *err, size_t errlen);

/**
 * Queue one line; a newline is appended.  Never blocks for longer than a
 * memcpy under a mutex and makes no system call, except a rare wake-up of
 * the writer (when it was idle, or when the ring passes half full).
 * @param log: the writer (NULL: the line is ignored).
 * @param line: the line, without newline.
 * @param len: its length.
 * @return DDG_OK, or DDG_ERR_RANGE when the line was dropped (ring full,
 *	line longer than DDG_EVLOG_MAXLINE, or writer closing) and counted.
 */
int ddg_evlog_write(struct ddg_evlog *log, const char *line, size_t len);

/**
 * Ask the writer thread to reopen the file by its path (after logrotate
 * renamed it) before it writes the next lines.  Returns at once.  When the
 * reopen fails, the old file stays in use (if there is one).
 * @param log: the writer, or NULL.
 */
void ddg_evlog_reopen(struct ddg_evlog *log);

/**
 * Read the counters.
 * @param log: the writer, or NULL (all zero).
 * @param out: filled with the counters.
 */
void ddg_evlog_stats(struct ddg_evlog *log, struct ddg_evlog_stats *out);

/**
 * Number of lines refused by ddg_evlog_write() so far (stats dropped +
 * too_long).
 * @param log: the writer, or NULL (0).
 */
uint64_t ddg_evlog_dropped(struct ddg_evlog *log);

/**
 * Number of failed system calls of the writer thread so far (stats
 * errors).
 * @param log: the writer, or NULL (0).
 */
uint64_t ddg_evlog_errors(struct ddg_evlog *log);

/**
 * Memory of a writer: its ring (reserved at open, touched as it fills),
 * the writer itself and its path.
 * @param log: the writer, or NULL (0).
 * @return bytes.
 */
size_t ddg_evlog_mem(const struct ddg_evlog *log);

/**
 * Write out what is queued (waiting at most the close bound for a slow
 * reader, then dropping and counting the rest), report unreported losses,
 * stop the writer thread, close the file and free the writer.
 * @param log: the writer, or NULL.
 */
void ddg_evlog_close(struct ddg_evlog *log);

#endif /* DDG_EVLOG_H */
