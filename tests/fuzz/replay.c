/**
 * \file replay.c
 * Run a fuzz target (LLVMFuzzerTestOneInput) over every file of one or
 * more corpus directories (or single files), without libFuzzer, so that
 * committed corpora are replayed by `make check` under any compiler and
 * under the sanitizers.  With no argument, replays DDG_CORPUS (a
 * directory set at build time).  Exit 0 on success, 1 if a corpus cannot
 * be read; a crash in the target fails the test by itself.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/** the fuzz target linked with this driver */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** run the target on one file; returns 0 or -1 */
static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if(!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for(;;) {
		if(len == cap) {
			uint8_t *nb;
			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if(!nb) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		if(n == 0)
			break;
		len += n;
	}
	fclose(f);
	/* an exact-size copy, so the sanitizers see reads past the end */
	{
		uint8_t *exact = malloc(len ? len : 1);
		if(!exact) {
			free(buf);
			return -1;
		}
		memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 0;
}

/** run over a directory or a file; returns files run or -1 */
static long
run_path(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	long count = 0;

	if(stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if(!S_ISDIR(st.st_mode))
		return run_file(path) == 0 ? 1 : -1;
	d = opendir(path);
	if(!d) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while((de = readdir(d)) != NULL) {
		char full[4096];
		if(de->d_name[0] == '.')
			continue;
		snprintf(full, sizeof(full), "%s/%s", path, de->d_name);
		if(stat(full, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if(run_file(full) != 0) {
			closedir(d);
			return -1;
		}
		count++;
	}
	closedir(d);
	return count;
}

int
main(int argc, char **argv)
{
	long total = 0, r;
	int i;

	if(argc < 2) {
#ifdef DDG_CORPUS
		r = run_path(DDG_CORPUS);
		if(r < 0)
			return 1;
		printf("replayed %ld inputs from %s\n", r, DDG_CORPUS);
		return r > 0 ? 0 : 1;
#else
		fprintf(stderr, "usage: replay CORPUS_DIR_OR_FILE...\n");
		return 2;
#endif
	}
	for(i = 1; i < argc; i++) {
		r = run_path(argv[i]);
		if(r < 0)
			return 1;
		total += r;
	}
	printf("replayed %ld inputs\n", total);
	return 0;
}
