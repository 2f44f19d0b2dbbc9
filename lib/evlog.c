/**
 * \file evlog.c
 * The event file writer: a bounded byte ring filled by any thread under a
 * mutex held only for a memcpy, drained to the file by one writer thread
 * with write(2).  See evlog.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/evlog.h"

/** the writer */
struct ddg_evlog {
	/** protects everything below except fd, path and the ring bytes
	 * between head and head + used (owned by the writer thread while it
	 * writes them) */
	pthread_mutex_t lock;
	/** signalled when there is work for the writer thread */
	pthread_cond_t work;
	/** the writer thread */
	pthread_t thread;
	/** the ring */
	char *ring;
	/** its size */
	size_t size;
	/** index of the oldest queued byte */
	size_t head;
	/** number of queued bytes */
	size_t used;
	/** lines dropped */
	uint64_t dropped;
	/** write or reopen failures */
	uint64_t errors;
	/** 1 while the writer thread waits for work */
	int idle;
	/** reopen requested */
	int reopen;
	/** close requested: drain and stop */
	int closing;
	/** the file (writer thread only after open) */
	int fd;
	/** the file's path */
	char *path;
};

/** Open the event file. */
static int
open_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		O_NOCTTY, 0640);
}

/** Write all of buf; returns 0 or -1. */
static int
write_all(int fd, const char *buf, size_t n)
{
	while(n > 0) {
		ssize_t w = write(fd, buf, n);
		if(w < 0 && errno == EINTR)
			continue;
		if(w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/** The writer thread. */
static void *
writer_main(void *arg)
{
	struct ddg_evlog *log = arg;

	pthread_mutex_lock(&log->lock);
	for(;;) {
		size_t n;
		int r;

		while(log->used == 0 && !log->reopen && !log->closing) {
			log->idle = 1;
			pthread_cond_wait(&log->work, &log->lock);
			log->idle = 0;
		}
		if(log->reopen) {
			int fd;
			log->reopen = 0;
			pthread_mutex_unlock(&log->lock);
			fd = open_file(log->path);
			pthread_mutex_lock(&log->lock);
			if(fd >= 0) {
				if(log->fd >= 0)
					close(log->fd);
				log->fd = fd;
			} else
				log->errors++;
			continue;
		}
		if(log->used == 0) {
			/* closing and drained */
			break;
		}
		n = log->size - log->head;
		if(n > log->used)
			n = log->used;
		pthread_mutex_unlock(&log->lock);
		r = log->fd >= 0 ? write_all(log->fd, log->ring + log->head,
			n) : -1;
		pthread_mutex_lock(&log->lock);
		if(r != 0)
			log->errors++;
		log->head = (log->head + n) % log->size;
		log->used -= n;
	}
	pthread_mutex_unlock(&log->lock);
	return NULL;
}

int
ddg_evlog_open_size(const char *path, size_t ring_size,
	struct ddg_evlog **out, char *err, size_t errlen)
{
	struct ddg_evlog *log;
	sigset_t all, old;
	int r;

	if(!path || !out) {
		if(err && errlen)
			snprintf(err, errlen, "no event file path");
		return DDG_ERR_INVAL;
	}
	if(ring_size < 4096)
		ring_size = 4096;
	log = calloc(1, sizeof(*log));
	if(!log) {
		if(err && errlen)
			snprintf(err, errlen, "%s: out of memory", path);
		return DDG_ERR_NOMEM;
	}
	log->fd = -1;
	log->size = ring_size;
	log->ring = malloc(ring_size);
	log->path = strdup(path);
	if(!log->ring || !log->path) {
		free(log->ring);
		free(log->path);
		free(log);
		if(err && errlen)
			snprintf(err, errlen, "%s: out of memory", path);
		return DDG_ERR_NOMEM;
	}
	log->fd = open_file(path);
	if(log->fd < 0) {
		if(err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(log->ring);
		free(log->path);
		free(log);
		return DDG_ERR_IO;
	}
	pthread_mutex_init(&log->lock, NULL);
	pthread_cond_init(&log->work, NULL);
	/* the writer thread takes no signals: it inherits a full mask */
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
		close(log->fd);
		free(log->ring);
		free(log->path);
		free(log);
		return DDG_ERR_IO;
	}
	*out = log;
	return DDG_OK;
}

int
ddg_evlog_open(const char *path, struct ddg_evlog **out, char *err,
	size_t errlen)
{
	return ddg_evlog_open_size(path, DDG_EVLOG_RING_DEFAULT, out, err,
		errlen);
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
		log->dropped++;
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
	if(log->idle)
		pthread_cond_signal(&log->work);
	pthread_mutex_unlock(&log->lock);
	return DDG_OK;
}

void
ddg_evlog_reopen(struct ddg_evlog *log)
{
	if(!log)
		return;
	pthread_mutex_lock(&log->lock);
	log->reopen = 1;
	pthread_cond_signal(&log->work);
	pthread_mutex_unlock(&log->lock);
}

uint64_t
ddg_evlog_dropped(struct ddg_evlog *log)
{
	uint64_t n;

	if(!log)
		return 0;
	pthread_mutex_lock(&log->lock);
	n = log->dropped;
	pthread_mutex_unlock(&log->lock);
	return n;
}

uint64_t
ddg_evlog_errors(struct ddg_evlog *log)
{
	uint64_t n;

	if(!log)
		return 0;
	pthread_mutex_lock(&log->lock);
	n = log->errors;
	pthread_mutex_unlock(&log->lock);
	return n;
}

void
ddg_evlog_close(struct ddg_evlog *log)
{
	if(!log)
		return;
	pthread_mutex_lock(&log->lock);
	log->closing = 1;
	pthread_cond_signal(&log->work);
	pthread_mutex_unlock(&log->lock);
	pthread_join(log->thread, NULL);
	if(log->fd >= 0)
		close(log->fd);
	pthread_cond_destroy(&log->work);
	pthread_mutex_destroy(&log->lock);
	free(log->ring);
	free(log->path);
	free(log);
}
