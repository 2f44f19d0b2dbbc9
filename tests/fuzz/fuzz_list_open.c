/**
 * \file fuzz_list_open.c
 * Fuzz target: validate arbitrary bytes as a list (ddg_list_open_mem), and
 * the same bytes with the checksum recomputed so that the structural
 * checks are reached; on success, exercise every reader function.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dyndns-guard/err.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/list_format.h"
#include "dyndns-guard/name.h"

/** the fuzz entry point */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** use an opened list as the module would */
static void
exercise(struct ddg_list *l)
{
	struct ddg_list_info info;
	uint32_t i, n = ddg_list_count(l);
	static const char *probes[] = { "\3www\7duckdns\3org", "\1a",
		"\3com", "" };

	ddg_list_info(l, &info);
	for(i = 0; i < n && i < 1000; i++) {
		uint8_t w[DDG_NAME_MAXWIRE + 8], q[DDG_NAME_MAXWIRE + 8];
		uint16_t cat;
		uint32_t par, idx;
		struct ddg_list_match m;
		int wl;
		if(ddg_list_entry(l, i, w, &cat, &par) != DDG_OK)
			abort();
		if(!ddg_list_category_name(l, cat))
			abort();
		if(ddg_list_find(l, w, &idx) != DDG_OK || idx != i)
			abort();
		wl = ddg_name_wire_len(w, DDG_NAME_MAXWIRE);
		if(wl < 0)
			abort();
		/* the entry matches itself; one label more still matches */
		if(ddg_list_match(l, w, (size_t)wl, &m) != 1 || m.entry != i ||
			m.zone_off != 0)
			abort();
		if(wl + 2 <= DDG_NAME_MAXWIRE) {
			q[0] = 1;
			q[1] = 'Z';
			memcpy(q + 2, w, (size_t)wl);
			if(ddg_list_match(l, q, (size_t)wl + 2, &m) != 1 ||
				m.zone_off > 2)
				abort();
		}
	}
	for(i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct ddg_list_match m;
		size_t ql = strlen(probes[i]) + 1;
		(void)ddg_list_match(l, (const uint8_t *)probes[i], ql, &m);
	}
}

/**
 * The module's start-up open: the filter checked after the list serves.
 * It opens what the whole validation opens; it may also open a list
 * whose only defect is its filter, which the check then reports, and
 * every lookup is right before and after the check.
 */
static void
late(const uint8_t *b, size_t size, int whole)
{
	struct ddg_list *l = NULL;
	char err[DDG_ERR_LEN];
	int r = ddg_list_open_mem_flags(b, size, DDG_LIST_LATE_FILTER, &l,
		err, sizeof(err));
	if(r != DDG_OK) {
		if(whole == DDG_OK)
			abort();
		return;
	}
	exercise(l);
	r = ddg_list_check_filter(l, "(memory)", err, sizeof(err));
	if(whole == DDG_OK ? r != DDG_OK : r != DDG_ERR_CORRUPT)
		abort();
	if(r != DDG_OK && !strstr(err, "suffix filter"))
		abort();
	exercise(l);
	ddg_list_close(l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ddg_list *l = NULL;
	char err[DDG_ERR_LEN];
	uint8_t *copy;

	if(ddg_list_open_mem(data, size, &l, err, sizeof(err)) == DDG_OK) {
		exercise(l);
		ddg_list_close(l);
	} else if(strlen(err) == 0) {
		abort();	/* every failure has a message */
	}
	if(size < DDG_LIST_HDR_SIZE)
		return 0;
	copy = malloc(size);
	if(!copy)
		return 0;
	memcpy(copy, data, size);
	if(ddg_list_digest(copy, size, copy + DDG_LH_SHA256) == DDG_OK) {
		int whole = ddg_list_open_mem(copy, size, &l, err,
			sizeof(err));
		if(whole == DDG_OK) {
			exercise(l);
			ddg_list_close(l);
		}
		late(copy, size, whole);
	}
	free(copy);
	return 0;
}
