/**
 * \file file.c
 * Files and paths: the atomic file writer, the directory part of a
 * path and file identities; see file.h.
 */
#include "ddg_config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
ddg_file_replace(const char *path, unsigned mode, int flags,
	ddg_file_fill fill, void *arg, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	size_t dl = ddg_path_dir_len(path);
	const char *base = path + dl;
	int fd, e, res;
	FILE *f;

	if(!*base) {
		snprintf(err, errlen, "%s: no file name", path);
		return DDG_ERR_INVAL;
	}
	if(snprintf(tmp, sizeof(tmp), "%.*s.%s.XXXXXX", (int)dl, path,
		base) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return DDG_ERR_INVAL;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if(fd < 0) {
		snprintf(err, errlen, "%s: cannot create a temporary file in "
			"its directory: %s", path, strerror(errno));
		return DDG_ERR_IO;
	}
	if(fchmod(fd, (mode_t)mode) != 0 || !(f = fdopen(fd, "w"))) {
		e = errno;
		close(fd);
		unlink(tmp);
		snprintf(err, errlen, "%s: %s: %s", path, tmp, strerror(e));
		return DDG_ERR_IO;
	}
	errno = 0;
	res = fill(f, arg);
	if(res == DDG_OK && (fflush(f) != 0 || ferror(f)))
		res = DDG_ERR_IO;
	if(res == DDG_OK && (flags & DDG_FILE_SYNC) && fsync(fileno(f)) != 0)
		res = DDG_ERR_IO;
	e = errno;
	if(fclose(f) != 0 && res == DDG_OK) {
		res = DDG_ERR_IO;
		e = errno;
	}
	if(res != DDG_OK) {
		unlink(tmp);
		snprintf(err, errlen, "%s: cannot write %s: %s", path, tmp,
			e ? strerror(e) : "write error");
		return DDG_ERR_IO;
	}
	if(rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		snprintf(err, errlen, "%s: cannot rename %s over it: %s", path,
			tmp, strerror(e));
		return DDG_ERR_IO;
	}
	if(flags & DDG_FILE_SYNC)
		sync_dir(path);
	return DDG_OK;
}

/** the content of ddg_file_write_atomic() */
struct mem_content {
	const void *buf;	/**< the bytes */
	size_t len;		/**< their number */
};

/** ddg_file_fill of bytes in memory */
static int
fill_mem(FILE *f, void *arg)
{
	const struct mem_content *c = arg;

	if(c->len > 0 && fwrite(c->buf, 1, c->len, f) != c->len)
		return DDG_ERR_IO;
	return DDG_OK;
}

int
ddg_file_write_atomic(const char *path, const void *buf, size_t len,
	unsigned mode, int flags, char *err, size_t errlen)
{
	struct mem_content c;

	c.buf = buf;
	c.len = len;
	return ddg_file_replace(path, mode, flags, fill_mem, &c, err, errlen);
}

void
ddg_file_id_stat(const struct stat *st, struct ddg_file_id *id)
{
	memset(id, 0, sizeof(*id));
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime = st->st_mtim;
	id->present = 1;
}

void
ddg_file_id_get(const char *path, struct ddg_file_id *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	if(stat(path, &st) != 0)
		return;
	ddg_file_id_stat(&st, id);
}

int
ddg_file_id_changed(const struct ddg_file_id *a, const struct ddg_file_id *b)
{
	return a->present != b->present || a->dev != b->dev ||
		a->ino != b->ino || a->size != b->size ||
		a->mtime.tv_sec != b->mtime.tv_sec ||
		a->mtime.tv_nsec != b->mtime.tv_nsec;
}

int
ddg_file_id_same_file(const struct ddg_file_id *a, const struct ddg_file_id *b)
{
	return a->present && b->present && a->dev == b->dev &&
		a->ino == b->ino;
}
