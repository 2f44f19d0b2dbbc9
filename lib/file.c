/**
 * \file file.c
 * Files and paths: the atomic file writer and the directory part of a
 * path; see file.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/file.h"

size_t
ddg_path_dir_len(const char *path)
{
	const char *sl = strrchr(path, '/');

	return sl ? (size_t)(sl - path) + 1 : 0;
}

/** fsync the directory of path, so that a rename in it is durable */
static void
sync_dir(const char *path)
{
	size_t dl = ddg_path_dir_len(path);
	char *dir = dl ? strndup(path, dl) : strdup(".");
	int dfd;

	if(!dir)
		return;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if(dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dir);
}

int
ddg_file_write_atomic(const char *path, const void *buf, size_t len,
	unsigned mode, char *err, size_t errlen)
{
	size_t plen = strlen(path), done = 0;
	char *tmp = malloc(plen + 16);
	int fd, e;

	if(!tmp) {
		snprintf(err, errlen, "%s: out of memory", path);
		return DDG_ERR_IO;
	}
	snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);	/* O_CREAT|O_EXCL, mode 0600 */
	if(fd < 0) {
		snprintf(err, errlen, "%s: cannot create temporary file: %s",
			path, strerror(errno));
		free(tmp);
		return DDG_ERR_IO;
	}
	if(fchmod(fd, (mode_t)mode) != 0)
		goto fail;
	while(done < len) {
		ssize_t w = write(fd, (const char *)buf + done, len - done);
		if(w < 0) {
			if(errno == EINTR)
				continue;
			goto fail;
		}
		done += (size_t)w;
	}
	if(fsync(fd) != 0)
		goto fail;
	if(close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if(rename(tmp, path) != 0)
		goto fail;
	free(tmp);
	sync_dir(path);
	return DDG_OK;
fail:
	e = errno;
	snprintf(err, errlen, "%s: cannot write: %s", path, strerror(e));
	if(fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return DDG_ERR_IO;
}
