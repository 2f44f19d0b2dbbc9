/**
 * \file fuzz_compile.c
 * Fuzz target: the bytes as a text list (every format, by the first byte),
 * compiled through the writer; the image must always validate, and every
 * entry must match itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dyndns-guard/compile.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/name.h"

/** the fuzz entry point */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ddg_compile *c;
	char err[DDG_ERR_LEN];
	uint8_t *img = NULL;
	size_t len = 0;
	struct ddg_list *l = NULL;
	enum ddg_fmt fmt;
	uint32_t i, n;

	if(size < 1 || size > 65536)
		return 0;
	fmt = (enum ddg_fmt)(data[0] % 8);
	c = ddg_compile_new();
	if(!c)
		return 0;
	if(ddg_compile_add_buf(c, "fuzz", (const char *)data + 1, size - 1,
		fmt, 1 + data[0] / 8 % 4, NULL, err, sizeof(err)) != DDG_OK) {
		ddg_compile_free(c);
		return 0;
	}
	if(ddg_compile_finish(c, 0, &img, &len, NULL) != DDG_OK) {
		ddg_compile_free(c);
		return 0;
	}
	ddg_compile_free(c);
	if(ddg_list_open_mem(img, len, &l, err, sizeof(err)) != DDG_OK)
		abort();	/* the writer produced an invalid file */
	n = ddg_list_count(l);
	for(i = 0; i < n; i++) {
		uint8_t w[DDG_NAME_MAXWIRE];
		struct ddg_list_match m;
		int wl;
		if(ddg_list_entry(l, i, w, NULL, NULL) != DDG_OK)
			abort();
		wl = ddg_name_wire_len(w, sizeof(w));
		if(wl < 0 || ddg_list_match(l, w, (size_t)wl, &m) != 1 ||
			m.entry != i)
			abort();
	}
	ddg_list_close(l);
	free(img);
	return 0;
}
