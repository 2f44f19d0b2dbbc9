/**
 * \file check_chain.c
 * Unit tests of the answer's names and the decision over them
 * (lib/chain.c): every owner and CNAME/DNAME target of any length is
 * decided on, the strictest action wins, an explicit allow rule on the
 * query name is final, invalid names are skipped.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dyndns-guard/chain.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/name.h"

#define T_A 1
#define T_CNAME 5
#define T_DNAME 39

/** the fake policy: a name's action by its first label's first letter:
 * b... block, s... sinkhole, l... log, a... allow by zone rule, c...
 * allow by category, v... log varying by client network, else none */
static int decided;
static int
fake_decide(void *arg, const uint8_t *name, size_t len,
	struct ddg_decision *d)
{
	(void)arg; (void)len;
	decided++;
	memset(d, 0, sizeof(*d));
	d->list_index = -1;
	d->rule_index = -1;
	d->network = -1;
	if(name[0] == 0)
		return 0;
	switch(name[1]) {
	case 'b': d->action = DDG_ACTION_BLOCK; break;
	case 's': d->action = DDG_ACTION_SINKHOLE; break;
	case 'l': d->action = DDG_ACTION_LOG; break;
	case 'a': d->action = DDG_ACTION_ALLOW; d->from_rule = 1; break;
	case 'c': d->action = DDG_ACTION_ALLOW; break;
	case 'v': d->action = DDG_ACTION_LOG; d->varies_by_client = 1; break;
	default: return 0;
	}
	d->matched = 1;
	return 1;
}

/** storage for the names of a test answer */
static uint8_t names[64][DDG_NAME_MAXWIRE];
static size_t lens[64];
static struct ddg_chain_rrset rr[64];

/** wire form of a name into slot i */
static const uint8_t *
wire(int i, const char *s)
{
	ck_assert_int_eq(ddg_name_from_str(s, names[i], &lens[i]), DDG_OK);
	return names[i];
}

/** a CNAME chain q -> t1 -> ... -> tn, then an A record at tn; hop i is
 * named PREFIX i ".example", the last one LAST when given */
static size_t
make_chain(const char *q, const char *prefix, int n, const char *last)
{
	char buf[256];
	int i;
	size_t k = 0;
	wire(0, q);
	for(i = 1; i <= n; i++) {
		if(i == n && last)
			snprintf(buf, sizeof(buf), "%s", last);
		else
			snprintf(buf, sizeof(buf), "%s%d.example", prefix, i);
		wire(i, buf);
		rr[k].owner = names[i - 1];
		rr[k].owner_len = lens[i - 1];
		rr[k].type = T_CNAME;
		rr[k].rdata = names[i];
		rr[k].rdlen = lens[i];
		k++;
	}
	rr[k].owner = names[n];
	rr[k].owner_len = lens[n];
	rr[k].type = T_A;
	rr[k].rdata = (const uint8_t *)"\xc0\x00\x02\x01";
	rr[k].rdlen = 4;
	return k + 1;
}

START_TEST(collect_skips_query_and_repeats)
{
	struct ddg_chain c;
	size_t n = make_chain("q.example", "t", 2, NULL);
	ck_assert_int_eq(ddg_chain_collect(names[0], lens[0], rr, n, NULL,
		NULL, &c), 0);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_uint_eq(c.total, 2);
	ck_assert_int_eq(c.has_alias, 1);
	ck_assert_ptr_eq(c.name[0], names[1]);
	ck_assert_ptr_eq(c.name[1], names[2]);
}
END_TEST

START_TEST(collect_long_chain_counts_all)
{
	struct ddg_chain c;
	size_t n = make_chain("q.example", "t", 30, NULL);
	(void)ddg_chain_collect(names[0], lens[0], rr, n, NULL, NULL, &c);
	ck_assert_uint_eq(c.n, DDG_CHAIN_KEEP);
	ck_assert_uint_eq(c.total, 30);
}
END_TEST

START_TEST(collect_skips_invalid_names)
{
	struct ddg_chain c;
	static const uint8_t ptr[] = { 0xc0, 0x0c };
	static const uint8_t cut[] = { 5, 'a', 'b' };
	wire(0, "q.example");
	rr[0].owner = names[0]; rr[0].owner_len = lens[0];
	rr[0].type = T_CNAME; rr[0].rdata = ptr; rr[0].rdlen = sizeof(ptr);
	rr[1].owner = cut; rr[1].owner_len = sizeof(cut);
	rr[1].type = T_CNAME; rr[1].rdata = cut; rr[1].rdlen = sizeof(cut);
	rr[2].owner = NULL; rr[2].owner_len = 0;
	rr[2].type = T_DNAME; rr[2].rdata = NULL; rr[2].rdlen = 0;
	(void)ddg_chain_collect(names[0], lens[0], rr, 3, NULL, NULL, &c);
	ck_assert_uint_eq(c.total, 0);
}
END_TEST

START_TEST(collect_dname_owner_and_target)
{
	struct ddg_chain c;
	wire(0, "x.dn.example");
	wire(1, "dn.example");
	wire(2, "bops.example");
	rr[0].owner = names[1]; rr[0].owner_len = lens[1];
	rr[0].type = T_DNAME; rr[0].rdata = names[2]; rr[0].rdlen = lens[2];
	(void)ddg_chain_collect(names[0], lens[0], rr, 1, NULL, NULL, &c);
	ck_assert_uint_eq(c.total, 2);
	ck_assert_ptr_eq(c.name[1], names[2]);
}
END_TEST

START_TEST(weaker_owner_does_not_shield)
{
	struct ddg_chain_result r;
	size_t n = make_chain("lfiles.example", "t", 1,
		"beacon.example");
	ck_assert_int_eq(ddg_chain_decide(fake_decide, NULL, names[0],
		lens[0], rr, n, &r), 1);
	ck_assert_int_eq(r.d.action, DDG_ACTION_BLOCK);
	ck_assert_int_eq(r.index, 0);
	ck_assert_ptr_eq(r.name, names[1]);
}
END_TEST

START_TEST(block_beyond_the_kept_names_decides)
{
	struct ddg_chain_result r;
	size_t n = make_chain("q.example", "t", 30,
		"beacon.example");
	ck_assert_int_eq(ddg_chain_decide(fake_decide, NULL, names[0],
		lens[0], rr, n, &r), 1);
	ck_assert_int_eq(r.d.action, DDG_ACTION_BLOCK);
	ck_assert_int_eq(r.index, 29);
}
END_TEST

START_TEST(allow_rule_on_qname_is_final)
{
	struct ddg_chain_result r;
	size_t n = make_chain("aok.example", "t", 1,
		"beacon.example");
	decided = 0;
	ck_assert_int_eq(ddg_chain_decide(fake_decide, NULL, names[0],
		lens[0], rr, n, &r), 1);
	ck_assert_int_eq(r.d.action, DDG_ACTION_ALLOW);
	ck_assert_int_eq(r.index, -1);
	ck_assert_int_eq(decided, 1);
}
END_TEST

START_TEST(allow_by_category_is_not_final)
{
	struct ddg_chain_result r;
	size_t n = make_chain("cok.example", "t", 1,
		"sink.example");
	ck_assert_int_eq(ddg_chain_decide(fake_decide, NULL, names[0],
		lens[0], rr, n, &r), 1);
	ck_assert_int_eq(r.d.action, DDG_ACTION_SINKHOLE);
}
END_TEST

START_TEST(tie_keeps_the_earlier_name)
{
	struct ddg_chain_result r;
	size_t n = make_chain("bq.example", "b", 3, NULL);
	ck_assert_int_eq(ddg_chain_decide(fake_decide, NULL, names[0],
		lens[0], rr, n, &r), 1);
	ck_assert_int_eq(r.index, -1);
	ck_assert_ptr_eq(r.name, names[0]);
}
END_TEST

START_TEST(nothing_matches)
{
	struct ddg_chain_result r;
	size_t n = make_chain("q.example", "t", 5, NULL);
	ck_assert_int_eq(ddg_chain_decide(fake_decide, NULL, names[0],
		lens[0], rr, n, &r), 0);
	ck_assert_int_eq(r.d.action, DDG_ACTION_NONE);
	ck_assert_int_eq(r.index, -1);
}
END_TEST

START_TEST(varies_anywhere_in_the_chain)
{
	struct ddg_chain_result r;
	size_t n = make_chain("q.example", "t", 3, "vshared.example");
	(void)ddg_chain_decide(fake_decide, NULL, names[0], lens[0], rr, n,
		&r);
	ck_assert_int_eq(r.varies, 1);
	ck_assert_int_eq(r.d.action, DDG_ACTION_LOG);
}
END_TEST

START_TEST(merge_clients_stricter_wins)
{
	struct ddg_chain_result acc, a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.d.action = DDG_ACTION_LOG;
	a.varies = 1;
	b.d.action = DDG_ACTION_BLOCK;
	ddg_chain_merge(&acc, &a, 1);
	ddg_chain_merge(&acc, &b, 0);
	ck_assert_int_eq(acc.d.action, DDG_ACTION_BLOCK);
	ck_assert_int_eq(acc.varies, 1);
	ddg_chain_merge(&acc, &a, 0);
	ck_assert_int_eq(acc.d.action, DDG_ACTION_BLOCK);
}
END_TEST

START_TEST(blocked_somewhere)
{
	wire(0, "bad.example");
	wire(1, "log.example");
	wire(2, "vary.example");
	ck_assert_int_eq(ddg_chain_blocked_somewhere(fake_decide, NULL,
		names[0], lens[0]), 1);
	ck_assert_int_eq(ddg_chain_blocked_somewhere(fake_decide, NULL,
		names[1], lens[1]), 0);
	ck_assert_int_eq(ddg_chain_blocked_somewhere(fake_decide, NULL,
		names[2], lens[2]), 1);
}
END_TEST

START_TEST(invalid_qname)
{
	struct ddg_chain_result r;
	static const uint8_t bad[] = { 0xc0, 0x0c };
	(void)r;
	/* the caller validates the query name; the per-name function is
	 * what reports it */
	ck_assert_int_eq(ddg_chain_decide(fake_decide, NULL, bad,
		sizeof(bad), NULL, 0, &r), 0);
}
END_TEST

static Suite *
chain_suite(void)
{
	Suite *s = suite_create("chain");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, collect_skips_query_and_repeats);
	tcase_add_test(tc, collect_long_chain_counts_all);
	tcase_add_test(tc, collect_skips_invalid_names);
	tcase_add_test(tc, collect_dname_owner_and_target);
	tcase_add_test(tc, weaker_owner_does_not_shield);
	tcase_add_test(tc, block_beyond_the_kept_names_decides);
	tcase_add_test(tc, allow_rule_on_qname_is_final);
	tcase_add_test(tc, allow_by_category_is_not_final);
	tcase_add_test(tc, tie_keeps_the_earlier_name);
	tcase_add_test(tc, nothing_matches);
	tcase_add_test(tc, varies_anywhere_in_the_chain);
	tcase_add_test(tc, merge_clients_stricter_wins);
	tcase_add_test(tc, blocked_somewhere);
	tcase_add_test(tc, invalid_qname);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(chain_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
