/**
 * \file evlog.h
 * The event file writer: JSON lines appended to log-file: without blocking
 * the caller.  Lines go into a bounded in-memory ring (a mutex is held only
 * for a memcpy); a writer thread, which takes no signals, drains the ring
 * to the file with write(2).  When the ring is full a line is dropped and
 * counted, never waited for.
 *
 * ddg_evlog_write(), ddg_evlog_reopen() and ddg_evlog_dropped() may be
 * called from any number of threads concurrently.
 */
#ifndef DDG_EVLOG_H
#define DDG_EVLOG_H

#include <stddef.h>
#include <stdint.h>

/** default size of the ring, bytes */
#define DDG_EVLOG_RING_DEFAULT (4u * 1024u * 1024u)
/** longest line accepted by ddg_evlog_write(), newline excluded */
#define DDG_EVLOG_MAXLINE 65536

/** an open event file (opaque) */
struct ddg_evlog;

/**
 * Open (create, mode 0640, append) the event file and start the writer
 * thread, with a ring of DDG_EVLOG_RING_DEFAULT bytes.
 * @param path: the file.
 * @param out: set to the writer on success; untouched on failure.
 * @param err: buffer of errlen bytes, filled on failure with
 *	"PATH: reason".
 * @param errlen: size of err.
 * @return DDG_OK, DDG_ERR_IO (open or thread creation failed) or
 *	DDG_ERR_NOMEM.
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
 * Queue one line; a newline is appended.  Never blocks for longer than a
 * memcpy under a mutex, never makes a system call other than waking the
 * writer.
 * @param log: the writer (NULL: the line is ignored).
 * @param line: the line, without newline.
 * @param len: its length.
 * @return DDG_OK, or DDG_ERR_RANGE when the line was dropped (ring full,
 *	line longer than DDG_EVLOG_MAXLINE, or writer closing) and counted.
 */
int ddg_evlog_write(struct ddg_evlog *log, const char *line, size_t len);

/**
 * Ask the writer thread to reopen the file by its path (after logrotate
 * renamed it) before it writes the next lines.  Returns at once.
 * @param log: the writer, or NULL.
 */
void ddg_evlog_reopen(struct ddg_evlog *log);

/**
 * Number of lines dropped so far.
 * @param log: the writer, or NULL (0).
 */
uint64_t ddg_evlog_dropped(struct ddg_evlog *log);

/**
 * Number of write(2) or reopen failures of the writer thread so far (the
 * bytes concerned are lost).
 * @param log: the writer, or NULL (0).
 */
uint64_t ddg_evlog_errors(struct ddg_evlog *log);

/**
 * Write out everything queued, stop the writer thread, close the file
 * and free the writer.
 * @param log: the writer, or NULL.
 */
void ddg_evlog_close(struct ddg_evlog *log);

#endif /* DDG_EVLOG_H */
