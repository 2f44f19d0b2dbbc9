/**
 * \file image.c
 * A file read once into private, read-only anonymous memory; see image.h.
 *
 * Why not map the file: a MAP_SHARED (or MAP_PRIVATE, for pages not yet
 * copied) mapping of a file shows every later write to the file, and
 * touching a page past a truncated end raises SIGBUS.  The bytes that were
 * validated would not be the bytes used.  A private anonymous copy costs
 * one read(2) from the page cache (about 8 ms for a 37 MB list, with 2 MB
 * pages) and the same resident memory as the mapping did.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dyndns-guard/err.h"
#include "fail.h"
#include "image.h"

/** size of a transparent huge page (x86-64, arm64 with 4 KB pages) */
#define HUGE_PAGE (2u * 1024 * 1024)
/** bytes asked of one pread() */
#define READ_CHUNK (1u << 30)

/** an error "<path>: <reason>" (fail.h) */
#define fail(err, errlen, code, path, ...) \
	ddg_fail(err, errlen, code, path, DDG_FAIL_NOOFF, __VA_ARGS__)

/* see image.h; the 2 MB alignment gives a 37 MB list 19 page faults
 * instead of 9,000 */
uint8_t *
ddg_image_anon(size_t len, size_t *maplen)
{
	long ps = sysconf(_SC_PAGESIZE);
	size_t page = ps > 0 ? (size_t)ps : 4096;
	size_t pl = (len + page - 1) & ~(page - 1);
	size_t extra = len >= HUGE_PAGE ? HUGE_PAGE : 0;
	uint8_t *m, *a;

	if(pl < len || pl + extra < pl)
		return NULL;
	m = mmap(NULL, pl + extra, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if(m == MAP_FAILED)
		return NULL;
	a = m;
	if(extra) {
		a = (uint8_t *)(((uintptr_t)m + HUGE_PAGE - 1) &
			~(uintptr_t)(HUGE_PAGE - 1));
		if(a > m)
			(void)munmap(m, (size_t)(a - m));
		if(m + pl + extra > a + pl)
			(void)munmap(a + pl, (size_t)(m + pl + extra -
				(a + pl)));
#ifdef MADV_HUGEPAGE
		(void)madvise(a, pl, MADV_HUGEPAGE);
#endif
	}
	*maplen = pl;
	return a;
}

/** whether the file changed between two fstat() of the open file: the
 * size and modification time the list watcher compares too */
static int
changed(const struct stat *a, const struct stat *b)
{
	return a->st_size != b->st_size ||
		a->st_mtim.tv_sec != b->st_mtim.tv_sec ||
		a->st_mtim.tv_nsec != b->st_mtim.tv_nsec;
}

int
ddg_image_read(const char *path, size_t maxlen, struct ddg_image *img,
	char *err, size_t errlen)
{
	struct stat st, st2;
	uint8_t *m = NULL;
	size_t len, maplen = 0, got = 0;
	ssize_t n;
	char extra;
	int fd, e;

	if(err && errlen)
		err[0] = 0;
	/* O_NONBLOCK: a FIFO named as the file must not hang the open; it
	 * changes nothing for a regular file */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if(fd < 0)
		return fail(err, errlen, DDG_ERR_IO, path, "cannot open: %s",
			strerror(errno));
	if(fstat(fd, &st) != 0) {
		e = errno;
		close(fd);
		return fail(err, errlen, DDG_ERR_IO, path, "cannot stat: %s",
			strerror(e));
	}
	if(!S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errlen, DDG_ERR_IO, path,
			"not a regular file");
	}
	if(st.st_size < 0 || (unsigned long long)st.st_size > maxlen) {
		close(fd);
		return fail(err, errlen, DDG_ERR_RANGE, path, "too large "
			"(%lld bytes, at most %zu)", (long long)st.st_size,
			maxlen);
	}
	len = (size_t)st.st_size;
	if(len > 0) {
		m = ddg_image_anon(len, &maplen);
		if(!m) {
			close(fd);
			return fail(err, errlen, DDG_ERR_NOMEM, path, "cannot "
				"allocate %zu bytes of memory for it", len);
		}
#ifdef POSIX_FADV_SEQUENTIAL
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	}
	while(got < len) {
		size_t want = len - got < READ_CHUNK ? len - got : READ_CHUNK;
		n = pread(fd, m + got, want, (off_t)got);
		if(n < 0 && errno == EINTR)
			continue;
		if(n < 0) {
			e = errno;
			fail(err, errlen, DDG_ERR_IO, path, "cannot read: %s at "
				"byte offset %zu", strerror(e), got);
			goto fail;
		}
		if(n == 0) {
			fail(err, errlen, DDG_ERR_IO, path, "the file shrank "
				"while it was read (%zu of %zu bytes there): it "
				"is being changed in place", got, len);
			goto fail;
		}
		got += (size_t)n;
	}
	/* nothing past the end, and no change while reading: else the bytes
	 * may be a mix of two versions of the file */
	do
		n = pread(fd, &extra, 1, (off_t)len);
	while(n < 0 && errno == EINTR);
	if(n < 0) {
		e = errno;
		fail(err, errlen, DDG_ERR_IO, path, "cannot read: %s at byte "
			"offset %zu", strerror(e), len);
		goto fail;
	}
	if(n > 0) {
		fail(err, errlen, DDG_ERR_IO, path, "the file grew while it "
			"was read (more than %zu bytes): it is being changed "
			"in place", len);
		goto fail;
	}
	if(fstat(fd, &st2) != 0) {
		e = errno;
		fail(err, errlen, DDG_ERR_IO, path, "cannot stat: %s",
			strerror(e));
		goto fail;
	}
	if(changed(&st, &st2)) {
		fail(err, errlen, DDG_ERR_IO, path, "the file was modified "
			"while it was read: it is being changed in place");
		goto fail;
	}
	close(fd);
	/* read-only from now on: no bug of ours can change the bytes that
	 * are validated next and then used */
	if(m)
		(void)mprotect(m, maplen, PROT_READ);
	img->base = m ? m : (const uint8_t *)"";
	img->len = len;
	img->maplen = maplen;
	img->st = st2;
	return DDG_OK;
fail:
	close(fd);
	if(m)
		(void)munmap(m, maplen);
	return DDG_ERR_IO;
}

void
ddg_image_free(struct ddg_image *img)
{
	if(!img)
		return;
	if(img->maplen)
		(void)munmap((void *)img->base, img->maplen);
	img->base = NULL;
	img->len = 0;
	img->maplen = 0;
}
