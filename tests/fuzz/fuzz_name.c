/**
 * \file fuzz_name.c
 * Fuzz target: the bytes as a presentation-form name (parse, print,
 * parse again: same wire) and as a wire-form name (validate, key, key
 * back to wire).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/name.h"

/** the fuzz entry point */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** checks on a valid wire name of length wl */
static void
wire_checks(const uint8_t *w, int wl)
{
	uint8_t key[DDG_NAME_MAXKEY], back[DDG_NAME_MAXWIRE],
		low[DDG_NAME_MAXWIRE];
	char str[DDG_NAME_MAXSTR];
	size_t bl;
	int kl, r;

	kl = ddg_name_key(w, key);
	if(kl < 0 || kl > DDG_NAME_MAXKEY)
		abort();
	r = ddg_name_from_key(key, (size_t)kl, back);
	memcpy(low, w, (size_t)wl);
	ddg_name_tolower(low);
	if(r != wl || memcmp(back, low, (size_t)wl) != 0)
		abort();
	if(ddg_name_canon_cmp(w, low) != 0 || !ddg_name_is_subdomain(w, low))
		abort();
	r = ddg_name_to_str(w, str, sizeof(str));
	if(r < 0)
		abort();
	if(ddg_name_from_str(str, back, &bl) != DDG_OK || bl != (size_t)wl ||
		memcmp(back, w, bl) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	uint8_t w[DDG_NAME_MAXWIRE];
	size_t wl;
	int r;

	/* as a wire name */
	r = ddg_name_wire_len(data, size);
	if(r > 0)
		wire_checks(data, r);
	/* as presentation form */
	if(size > 4096)
		return 0;
	s = malloc(size + 1);
	if(!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	if(ddg_name_from_str(s, w, &wl) == DDG_OK) {
		if(ddg_name_wire_len(w, wl) != (int)wl)
			abort();
		wire_checks(w, (int)wl);
	}
	free(s);
	return 0;
}
