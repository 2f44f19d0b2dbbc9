/**
 * \file check_policy.c
 * Unit tests of the decision engine (lib/policy.c): the precedence of
 * zone: rules, list entries, client networks, categories and mode.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "dyndns-guard/conf.h"
#include "dyndns-guard/err.h"
#include "dyndns-guard/list.h"
#include "dyndns-guard/list_write.h"
#include "dyndns-guard/name.h"
#include "dyndns-guard/policy.h"

/** a list entry to build */
struct ent {
	const char *name;
	const char *cat;
};

/** the two lists of the fixture and their images */
static struct ddg_list *lists[3];
static uint8_t *images[3];
static struct ddg_policy *pol;
static struct ddg_conf *conf;

/** Build a list in memory from entries (NULL-terminated). */
static struct ddg_list *
make_list(const struct ent *e, uint8_t **image)
{
	struct ddg_lw *lw = ddg_lw_new();
	struct ddg_list *l = NULL;
	char err[DDG_ERR_LEN];
	size_t len = 0;

	ck_assert_ptr_nonnull(lw);
	for(; e->name; e++) {
		uint8_t wire[DDG_NAME_MAXWIRE];
		size_t wl;
		uint16_t cat;
		ck_assert_int_eq(ddg_name_from_str(e->name, wire, &wl), DDG_OK);
		ck_assert_int_eq(ddg_lw_category(lw, e->cat, &cat), DDG_OK);
		ck_assert_int_eq(ddg_lw_add(lw, wire, cat, 0), DDG_OK);
	}
	ck_assert_int_eq(ddg_lw_build(lw, NULL, NULL, image, &len, NULL),
		DDG_OK);
	ck_assert_msg(ddg_list_open_mem(*image, len, &l, err, sizeof(err)) ==
		DDG_OK, "%s", err);
	ddg_lw_free(lw);
	return l;
}

static const struct ent list0[] = {
	{ "duckdns.org", "ddns-service" },
	{ "no-ip.com", "ddns-service" },
	{ "dynu.net", "ddns-service" },
	{ "t.tunnel.example", "tunnel" },
	{ "q.example", "quiet" },
	{ NULL, NULL }
};

static const struct ent list1[] = {
	{ "a.b.duckdns.org", "other" },
	{ "no-ip.com", "second" },
	{ "dynu.net", "second" },
	{ NULL, NULL }
};

static const char *fixture_conf =
	"dyndns-guard:\n"
	"mode: log\n"
	"zone: \"ok.duckdns.org\" allow\n"
	"zone: \"evil.example\" block\n"
	"zone: \"no-ip.com\" sinkhole\n"
	"zone: \"deep.sub.dynu.net\" log\n"
	"zone: \"b.duckdns.org\" block\n"
	"category: tunnel block\n"
	"category: quiet off\n"
	"category: second sinkhole\n"
	"client-network: ci-cd 10.0.0.0/8,2001:db8::/32 block\n"
	"client-network: ci-inner 10.1.0.0/16 allow\n"
	"client-network: staging 192.168.0.0/16\n"
	"client-network: lab 2001:db8:1::/48 sinkhole\n"
	"client-network: host 10.1.2.3\n";

static void
setup(void)
{
	char err[DDG_ERR_LEN];

	lists[0] = make_list(list0, &images[0]);
	lists[1] = make_list(list1, &images[1]);
	lists[2] = NULL;
	ck_assert_int_eq(ddg_conf_parse(fixture_conf, strlen(fixture_conf),
		"t.conf", &conf, err, sizeof(err)), DDG_OK);
	ck_assert_msg(ddg_policy_new(conf, &pol, err, sizeof(err)) == DDG_OK,
		"%s", err);
}

static void
teardown(void)
{
	int i;

	ddg_policy_free(pol);
	ddg_conf_free(conf);
	for(i = 0; i < 3; i++) {
		ddg_list_close(lists[i]);
		free(images[i]);
		lists[i] = NULL;
		images[i] = NULL;
	}
	pol = NULL;
	conf = NULL;
}

/** Make a sockaddr from text; NULL text gives NULL. */
static const struct sockaddr *
mkaddr(const char *ip, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if(!ip)
		return NULL;
	if(strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(53000);
		ck_assert_int_eq(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(53000);
		ck_assert_int_eq(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
	}
	return (const struct sockaddr *)ss;
}

/** one precedence case */
struct pcase {
	const char *client;
	const char *qname;
	enum ddg_action action;
	enum ddg_reason reason;
	int from_rule;
	const char *zone;	/* NULL: no match */
	const char *category;
	int list_index;
	const char *network;
	int varies;
};

static const struct pcase pcases[] = {
	/* list entry, nobody special: mode */
	{ NULL, "www.duckdns.org", DDG_ACTION_LOG, DDG_REASON_MODE, 0,
		"duckdns.org.", "ddns-service", 0, NULL, 1 },
	/* zone rule allow under a listed zone */
	{ NULL, "x.ok.duckdns.org", DDG_ACTION_ALLOW, DDG_REASON_ZONE_RULE, 1,
		"ok.duckdns.org.", "zone-rule", -1, NULL, 0 },
	{ "10.2.3.4", "x.ok.duckdns.org", DDG_ACTION_ALLOW,
		DDG_REASON_ZONE_RULE, 1, "ok.duckdns.org.", "zone-rule", -1,
		"ci-cd", 0 },
	{ NULL, "OK.DuckDNS.org", DDG_ACTION_ALLOW, DDG_REASON_ZONE_RULE, 1,
		"OK.DuckDNS.org.", "zone-rule", -1, NULL, 0 },
	/* network action overrides mode */
	{ "10.2.3.4", "www.duckdns.org", DDG_ACTION_BLOCK, DDG_REASON_NETWORK,
		0, "duckdns.org.", "ddns-service", 0, "ci-cd", 1 },
	/* longest prefix */
	{ "10.1.2.4", "www.duckdns.org", DDG_ACTION_ALLOW, DDG_REASON_NETWORK,
		0, "duckdns.org.", "ddns-service", 0, "ci-inner", 1 },
	{ "10.1.2.3", "www.duckdns.org", DDG_ACTION_LOG, DDG_REASON_MODE,
		0, "duckdns.org.", "ddns-service", 0, "host", 1 },
	{ "10.255.255.255", "www.duckdns.org", DDG_ACTION_BLOCK,
		DDG_REASON_NETWORK, 0, "duckdns.org.", "ddns-service", 0,
		"ci-cd", 1 },
	{ "11.0.0.0", "www.duckdns.org", DDG_ACTION_LOG, DDG_REASON_MODE,
		0, "duckdns.org.", "ddns-service", 0, NULL, 1 },
	/* network without action: category or mode */
	{ "192.168.1.1", "www.duckdns.org", DDG_ACTION_LOG, DDG_REASON_MODE,
		0, "duckdns.org.", "ddns-service", 0, "staging", 1 },
	{ "192.168.1.1", "x.t.tunnel.example", DDG_ACTION_BLOCK,
		DDG_REASON_CATEGORY, 0, "t.tunnel.example.", "tunnel", 0,
		"staging", 1 },
	/* IPv6 and longest prefix */
	{ "2001:db8::5", "www.duckdns.org", DDG_ACTION_BLOCK,
		DDG_REASON_NETWORK, 0, "duckdns.org.", "ddns-service", 0,
		"ci-cd", 1 },
	{ "2001:db8:1::5", "www.duckdns.org", DDG_ACTION_SINKHOLE,
		DDG_REASON_NETWORK, 0, "duckdns.org.", "ddns-service", 0,
		"lab", 1 },
	{ "2001:db9::5", "www.duckdns.org", DDG_ACTION_LOG, DDG_REASON_MODE,
		0, "duckdns.org.", "ddns-service", 0, NULL, 1 },
	/* IPv4-mapped IPv6 counts as IPv4 */
	{ "::ffff:10.2.3.4", "www.duckdns.org", DDG_ACTION_BLOCK,
		DDG_REASON_NETWORK, 0, "duckdns.org.", "ddns-service", 0,
		"ci-cd", 1 },
	{ "::ffff:10.1.2.3", "www.duckdns.org", DDG_ACTION_LOG,
		DDG_REASON_MODE, 0, "duckdns.org.", "ddns-service", 0, "host",
		1 },
	/* a zone rule for a name in no list */
	{ NULL, "a.evil.example", DDG_ACTION_BLOCK, DDG_REASON_ZONE_RULE, 1,
		"evil.example.", "zone-rule", -1, NULL, 0 },
	{ NULL, "evil.example", DDG_ACTION_BLOCK, DDG_REASON_ZONE_RULE, 1,
		"evil.example.", "zone-rule", -1, NULL, 0 },
	{ NULL, "notevil.example", DDG_ACTION_NONE, DDG_REASON_NONE, 0,
		NULL, NULL, -1, NULL, 0 },
	/* tie between a zone rule and list entries: the rule wins */
	{ "10.2.3.4", "www.no-ip.com", DDG_ACTION_SINKHOLE,
		DDG_REASON_ZONE_RULE, 1, "no-ip.com.", "zone-rule", -1,
		"ci-cd", 0 },
	/* category actions */
	{ NULL, "x.t.tunnel.example", DDG_ACTION_BLOCK, DDG_REASON_CATEGORY,
		0, "t.tunnel.example.", "tunnel", 0, NULL, 1 },
	{ NULL, "q.example", DDG_ACTION_OFF, DDG_REASON_CATEGORY, 0,
		"q.example.", "quiet", 0, NULL, 1 },
	{ "10.2.3.4", "q.example", DDG_ACTION_BLOCK, DDG_REASON_NETWORK, 0,
		"q.example.", "quiet", 0, "ci-cd", 1 },
	/* nothing */
	{ NULL, "unlisted.org", DDG_ACTION_NONE, DDG_REASON_NONE, 0, NULL,
		NULL, -1, NULL, 0 },
	{ "10.2.3.4", "unlisted.org", DDG_ACTION_NONE, DDG_REASON_NONE, 0,
		NULL, NULL, -1, "ci-cd", 0 },
	{ NULL, ".", DDG_ACTION_NONE, DDG_REASON_NONE, 0, NULL, NULL, -1,
		NULL, 0 },
	{ NULL, "org", DDG_ACTION_NONE, DDG_REASON_NONE, 0, NULL, NULL, -1,
		NULL, 0 },
	/* a longer zone rule beats a shorter list entry ... */
	{ NULL, "x.b.duckdns.org", DDG_ACTION_BLOCK, DDG_REASON_ZONE_RULE, 1,
		"b.duckdns.org.", "zone-rule", -1, NULL, 0 },
	/* ... and a longer list entry (second list) beats a shorter rule */
	{ NULL, "z.a.b.duckdns.org", DDG_ACTION_LOG, DDG_REASON_MODE, 0,
		"a.b.duckdns.org.", "other", 1, NULL, 1 },
	{ "10.2.3.4", "a.b.duckdns.org", DDG_ACTION_BLOCK, DDG_REASON_NETWORK,
		0, "a.b.duckdns.org.", "other", 1, "ci-cd", 1 },
	/* multiple lists, equal length: the earlier list */
	{ NULL, "x.dynu.net", DDG_ACTION_LOG, DDG_REASON_MODE, 0, "dynu.net.",
		"ddns-service", 0, NULL, 1 },
	{ NULL, "deep.sub.dynu.net", DDG_ACTION_LOG, DDG_REASON_ZONE_RULE, 1,
		"deep.sub.dynu.net.", "zone-rule", -1, NULL, 0 },
	{ NULL, "a.deep.sub.dynu.net", DDG_ACTION_LOG, DDG_REASON_ZONE_RULE,
		1, "deep.sub.dynu.net.", "zone-rule", -1, NULL, 0 },
};

START_TEST(test_precedence)
{
	const struct pcase *c = &pcases[_i];
	struct sockaddr_storage ss;
	const struct sockaddr *sa = mkaddr(c->client, &ss);
	uint8_t wire[DDG_NAME_MAXWIRE];
	size_t wl;
	struct ddg_decision d;
	char zb[DDG_NAME_MAXSTR], exb[8192];
	struct ddg_explain ex;
	int r;

	ck_assert_int_eq(ddg_name_from_str(c->qname, wire, &wl), DDG_OK);
	r = ddg_policy_decide(pol, (const struct ddg_list *const *)lists, 3,
		sa, wire, wl, &d, NULL);
	ck_assert_int_eq(r, c->zone ? 1 : 0);
	/* the filters' fast "no" is never wrong: a match is a "maybe" */
	if(c->zone)
		ck_assert_int_eq(ddg_policy_may_match(pol,
			(const struct ddg_list *const *)lists, 3, wire, wl), 1);
	ck_assert_msg(d.action == c->action, "case %d %s: action %s, want %s",
		_i, c->qname, ddg_action_name(d.action),
		ddg_action_name(c->action));
	ck_assert_msg(d.reason == c->reason, "case %d: reason %s", _i,
		ddg_reason_name(d.reason));
	ck_assert_int_eq(d.matched, c->zone != NULL);
	ck_assert_int_eq(d.from_rule, c->from_rule);
	if(c->zone) {
		ck_assert_uint_lt(d.zone_off, wl);
		ddg_name_to_str(wire + d.zone_off, zb, sizeof(zb));
		ck_assert_str_eq(zb, c->zone);
		ck_assert_int_eq(d.zone_labels,
			ddg_name_label_count(wire + d.zone_off));
		ck_assert_str_eq(d.category, c->category);
	} else
		ck_assert_ptr_null(d.category);
	ck_assert_int_eq(d.list_index, c->list_index);
	ck_assert_int_eq(d.rule_index >= 0, c->from_rule);
	if(c->network && c->zone) {
		ck_assert_ptr_nonnull(d.network_name);
		ck_assert_str_eq(d.network_name, c->network);
		ck_assert_int_ge(d.network, 0);
		ck_assert_str_eq(conf->networks[d.network].name, c->network);
		ck_assert_str_eq(ddg_policy_network_name(pol, sa), c->network);
	} else {
		/* no network, or nothing matched: the client is not looked
		 * at (ddg_policy_network_name() still tells) */
		ck_assert_ptr_null(d.network_name);
		ck_assert_int_eq(d.network, -1);
		if(c->network)
			ck_assert_str_eq(ddg_policy_network_name(pol, sa),
				c->network);
		else
			ck_assert_ptr_null(ddg_policy_network_name(pol,
				sa));
	}
	ck_assert_msg(d.varies_by_client == c->varies, "case %d: varies %d",
		_i, d.varies_by_client);

	/* the same decision with an explanation */
	{
		struct ddg_decision d2;
		ddg_explain_init(&ex, exb, sizeof(exb));
		r = ddg_policy_decide(pol, (const struct ddg_list *const *)
			lists, 3, sa, wire, wl, &d2, &ex);
		ck_assert_int_eq(r, c->zone ? 1 : 0);
		ck_assert_int_eq(d2.action, d.action);
		ck_assert_int_eq(ex.truncated, 0);
		ck_assert_ptr_nonnull(strstr(exb, "result: "));
		ck_assert_ptr_nonnull(strstr(exb, ddg_action_name(d.action)));
		ck_assert_ptr_nonnull(strstr(exb, "list #3: not loaded"));
		ck_assert_int_eq(exb[ex.len - 1], '\n');
	}
}
END_TEST

START_TEST(test_explain_text)
{
	struct sockaddr_storage ss;
	uint8_t wire[DDG_NAME_MAXWIRE];
	size_t wl;
	struct ddg_decision d;
	struct ddg_explain ex;
	char buf[8192], tiny[40];

	ck_assert_int_eq(ddg_name_from_str("www.no-ip.com", wire, &wl), 0);
	ddg_explain_init(&ex, buf, sizeof(buf));
	ck_assert_int_eq(ddg_policy_decide(pol,
		(const struct ddg_list *const *)lists, 2,
		mkaddr("10.1.9.9", &ss), wire, wl, &d, &ex), 1);
	ck_assert_msg(strstr(buf, "client: 10.1.9.9 is in client network "
		"ci-inner (longest prefix 10.1.0.0/16), whose action is allow")
		!= NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "zone rules: no-ip.com. sinkhole (line 5) "
		"matches, 2 labels") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "equal length, the zone rule wins ties") !=
		NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "result: sinkhole\n") != NULL, "%s", buf);

	/* a tiny buffer is cut, still terminated */
	ddg_explain_init(&ex, tiny, sizeof(tiny));
	ddg_policy_decide(pol, (const struct ddg_list *const *)lists, 2,
		NULL, wire, wl, &d, &ex);
	ck_assert_int_eq(ex.truncated, 1);
	ck_assert_uint_lt(strlen(tiny), sizeof(tiny));
	ck_assert_int_eq(d.action, DDG_ACTION_SINKHOLE);
}
END_TEST

START_TEST(test_invalid_name)
{
	struct ddg_decision d;
	static const uint8_t bad1[] = { 3, 'a', 'b' };	/* runs past */
	static const uint8_t bad2[] = { 0xc0, 0x0c };	/* pointer */
	static const uint8_t bad3[] = { 64, 'a' };	/* label too long */

	ck_assert_int_eq(ddg_policy_decide(pol,
		(const struct ddg_list *const *)lists, 2, NULL, bad1,
		sizeof(bad1), &d, NULL), DDG_ERR_SYNTAX);
	ck_assert_int_eq(d.action, DDG_ACTION_NONE);
	ck_assert_int_eq(d.matched, 0);
	ck_assert_int_eq(ddg_policy_decide(pol,
		(const struct ddg_list *const *)lists, 2, NULL, bad2,
		sizeof(bad2), &d, NULL), DDG_ERR_SYNTAX);
	ck_assert_int_eq(ddg_policy_decide(pol,
		(const struct ddg_list *const *)lists, 2, NULL, bad3,
		sizeof(bad3), &d, NULL), DDG_ERR_SYNTAX);
	/* an invalid name is never a fast "no": decide must refuse it */
	ck_assert_int_eq(ddg_policy_may_match(pol,
		(const struct ddg_list *const *)lists, 2, bad1, sizeof(bad1)), 1);
	ck_assert_int_eq(ddg_policy_may_match(pol, NULL, 0, bad2,
		sizeof(bad2)), 1);
	{
		struct ddg_policy *empty = NULL;
		struct ddg_conf *ec = ddg_conf_new_default();
		char err[DDG_ERR_LEN];
		ck_assert_ptr_nonnull(ec);
		ck_assert_int_eq(ddg_policy_new(ec, &empty, err, sizeof(err)),
			0);
		ck_assert_int_eq(ddg_policy_may_match(empty, NULL, 0, bad3,
			sizeof(bad3)), 1);
		ck_assert_int_eq(ddg_policy_may_match(empty, NULL, 0,
			(const uint8_t *)"\1a", 3), 0);
		ddg_policy_free(empty);
		ddg_conf_free(ec);
	}
	/* no lists at all: zone rules still apply */
	{
		uint8_t wire[DDG_NAME_MAXWIRE];
		size_t wl;
		ck_assert_int_eq(ddg_name_from_str("x.evil.example", wire,
			&wl), 0);
		ck_assert_int_eq(ddg_policy_decide(pol, NULL, 0, NULL, wire,
			wl, &d, NULL), 1);
		ck_assert_int_eq(d.action, DDG_ACTION_BLOCK);
		ck_assert_int_eq(ddg_name_from_str("x.duckdns.org", wire,
			&wl), 0);
		ck_assert_int_eq(ddg_policy_decide(pol, NULL, 0, NULL, wire,
			wl, &d, NULL), 0);
	}
}
END_TEST

/** one varies_by_client case: a config and the expected flag for
 * www.duckdns.org (category ddns-service) */
struct vcase {
	const char *conf;
	int varies;
};

static const struct vcase vcases[] = {
	{ "mode: log\n", 0 },
	{ "mode: block\nclient-network: a 10.0.0.0/8\n", 0 },
	{ "mode: block\nclient-network: a 10.0.0.0/8 block\n", 0 },
	{ "mode: log\nclient-network: a 10.0.0.0/8 block\n", 1 },
	{ "mode: block\nclient-network: a 10.0.0.0/8 log\n", 1 },
	{ "mode: block\nclient-network: a 10.0.0.0/8 allow\n", 1 },
	{ "mode: log\nclient-network: a 10.0.0.0/8 allow\n", 0 },
	{ "mode: off\nclient-network: a 10.0.0.0/8 log\n", 0 },
	{ "mode: sinkhole\nclient-network: a 10.0.0.0/8 block\n", 1 },
	{ "mode: log\ncategory: ddns-service block\n"
		"client-network: a 10.0.0.0/8 block\n", 0 },
	{ "mode: block\ncategory: ddns-service log\n"
		"client-network: a 10.0.0.0/8 log\n", 0 },
	{ "mode: log\ncategory: other block\n"
		"client-network: a 10.0.0.0/8 block\n", 1 },
	{ "mode: log\nzone: \"duckdns.org\" log\n"
		"client-network: a 10.0.0.0/8 block\n", 0 },
};

START_TEST(test_varies)
{
	char text[1024], err[DDG_ERR_LEN];
	struct ddg_conf *c = NULL;
	struct ddg_policy *p = NULL;
	struct ddg_decision d;
	uint8_t wire[DDG_NAME_MAXWIRE];
	size_t wl;

	snprintf(text, sizeof(text), "dyndns-guard:\n%s", vcases[_i].conf);
	ck_assert_int_eq(ddg_conf_parse(text, strlen(text), NULL, &c, err,
		sizeof(err)), DDG_OK);
	ck_assert_int_eq(ddg_policy_new(c, &p, err, sizeof(err)), DDG_OK);
	ck_assert_int_eq(ddg_name_from_str("www.duckdns.org", wire, &wl), 0);
	ck_assert_int_eq(ddg_policy_decide(p,
		(const struct ddg_list *const *)lists, 1, NULL, wire, wl, &d,
		NULL), 1);
	ck_assert_msg(d.varies_by_client == vcases[_i].varies, "case %d",
		_i);
	ddg_policy_free(p);
	ddg_conf_free(c);
}
END_TEST

START_TEST(test_stricter)
{
	static const struct {
		enum ddg_action a, b, want;
	} t[] = {
		{ DDG_ACTION_BLOCK, DDG_ACTION_LOG, DDG_ACTION_BLOCK },
		{ DDG_ACTION_LOG, DDG_ACTION_BLOCK, DDG_ACTION_BLOCK },
		{ DDG_ACTION_SINKHOLE, DDG_ACTION_BLOCK, DDG_ACTION_BLOCK },
		{ DDG_ACTION_SINKHOLE, DDG_ACTION_LOG, DDG_ACTION_SINKHOLE },
		{ DDG_ACTION_ALLOW, DDG_ACTION_LOG, DDG_ACTION_LOG },
		{ DDG_ACTION_OFF, DDG_ACTION_LOG, DDG_ACTION_LOG },
		{ DDG_ACTION_NONE, DDG_ACTION_SINKHOLE, DDG_ACTION_SINKHOLE },
		{ DDG_ACTION_NONE, DDG_ACTION_ALLOW, DDG_ACTION_ALLOW },
		{ DDG_ACTION_OFF, DDG_ACTION_ALLOW, DDG_ACTION_OFF },
		{ DDG_ACTION_NONE, DDG_ACTION_NONE, DDG_ACTION_NONE },
		{ DDG_ACTION_BLOCK, DDG_ACTION_BLOCK, DDG_ACTION_BLOCK },
	};
	size_t i;

	for(i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_int_eq(ddg_action_stricter(t[i].a, t[i].b),
			t[i].want);
}
END_TEST

START_TEST(test_networks)
{
	struct sockaddr_storage ss;
	struct sockaddr sa;

	ck_assert_uint_eq(ddg_policy_network_count(pol), 5);
	ck_assert_int_eq(ddg_policy_network(pol, NULL), -1);
	ck_assert_int_eq(ddg_policy_network(pol, mkaddr("10.0.0.0", &ss)), 0);
	ck_assert_int_eq(ddg_policy_network(pol, mkaddr("10.1.0.0", &ss)), 1);
	ck_assert_int_eq(ddg_policy_network(pol, mkaddr("10.1.255.255", &ss)),
		1);
	ck_assert_int_eq(ddg_policy_network(pol, mkaddr("10.2.0.0", &ss)), 0);
	ck_assert_int_eq(ddg_policy_network(pol, mkaddr("10.1.2.3", &ss)), 4);
	ck_assert_int_eq(ddg_policy_network(pol, mkaddr("9.255.255.255", &ss)),
		-1);
	ck_assert_int_eq(ddg_policy_network(pol, mkaddr("192.168.255.1", &ss)),
		2);
	ck_assert_int_eq(ddg_policy_network(pol, mkaddr("2001:db8:1:ffff::",
		&ss)), 3);
	ck_assert_int_eq(ddg_policy_network(pol, mkaddr("2001:db8:2::", &ss)),
		0);
	ck_assert_int_eq(ddg_policy_network(pol, mkaddr("::1", &ss)), -1);
	ck_assert_int_eq(ddg_policy_network(pol, mkaddr("::ffff:192.168.0.1",
		&ss)), 2);
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	ck_assert_int_eq(ddg_policy_network(pol, &sa), -1);
	ck_assert_ptr_null(ddg_policy_network_name(NULL, NULL));
}
END_TEST

START_TEST(test_lpm_many)
{
	/* every prefix length of one address: the longest always wins */
	char text[16384], err[DDG_ERR_LEN], addr[64];
	struct ddg_conf *c = NULL;
	struct ddg_policy *p = NULL;
	struct sockaddr_storage ss;
	size_t len = 0;
	int i;

	len += (size_t)snprintf(text + len, sizeof(text) - len,
		"dyndns-guard:\n");
	for(i = 0; i <= 32; i++) {
		uint32_t m = i ? htonl(0xffffffffu << (32 - i)) : 0;
		struct in_addr a;
		a.s_addr = htonl(0xC0A8FF01u) & m;
		inet_ntop(AF_INET, &a, addr, sizeof(addr));
		len += (size_t)snprintf(text + len, sizeof(text) - len,
			"client-network: n%d %s/%d\n", i, addr, i);
	}
	for(i = 0; i <= 128; i += 8) {
		struct in6_addr a;
		int b;
		inet_pton(AF_INET6, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
			&a);
		for(b = i; b < 128; b++)
			a.s6_addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		inet_ntop(AF_INET6, &a, addr, sizeof(addr));
		len += (size_t)snprintf(text + len, sizeof(text) - len,
			"client-network: v%d %s/%d\n", i, addr, i);
	}
	ck_assert_msg(ddg_conf_parse(text, len, NULL, &c, err, sizeof(err)) ==
		DDG_OK, "%s", err);
	ck_assert_int_eq(ddg_policy_new(c, &p, err, sizeof(err)), DDG_OK);
	ck_assert_str_eq(ddg_policy_network_name(p, mkaddr("192.168.255.1",
		&ss)), "n32");
	ck_assert_str_eq(ddg_policy_network_name(p, mkaddr("192.168.255.0",
		&ss)), "n31");
	ck_assert_str_eq(ddg_policy_network_name(p, mkaddr("192.168.254.1",
		&ss)), "n23");
	ck_assert_str_eq(ddg_policy_network_name(p, mkaddr("64.0.0.0",
		&ss)), "n0");
	ck_assert_str_eq(ddg_policy_network_name(p, mkaddr("192.0.0.0",
		&ss)), "n8");
	ck_assert_str_eq(ddg_policy_network_name(p, mkaddr(
		"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", &ss)), "v128");
	ck_assert_str_eq(ddg_policy_network_name(p, mkaddr(
		"2001:db8:ffff:ffff:ffff:ffff:ffff:fffe", &ss)), "v120");
	ck_assert_str_eq(ddg_policy_network_name(p, mkaddr("2001:db9::",
		&ss)), "v24");
	ck_assert_str_eq(ddg_policy_network_name(p, mkaddr("fe80::1", &ss)),
		"v0");
	ddg_policy_free(p);
	ddg_conf_free(c);
}
END_TEST

START_TEST(test_new_errors)
{
	struct ddg_conf *c = ddg_conf_new_default();
	struct ddg_policy *p = (struct ddg_policy *)0x1;
	char err[DDG_ERR_LEN];
	struct ddg_conf_cidr cidrs[2];

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(ddg_policy_new(NULL, &p, err, sizeof(err)),
		DDG_ERR_INVAL);
	/* a hand-made conf with the same CIDR in two networks */
	memset(cidrs, 0, sizeof(cidrs));
	ck_assert_int_eq(ddg_conf_parse_cidr("10.0.0.0/8", &cidrs[0]), 0);
	cidrs[1] = cidrs[0];
	c->networks = calloc(2, sizeof(*c->networks));
	ck_assert_ptr_nonnull(c->networks);
	c->nnetworks = 2;
	snprintf(c->networks[0].name, sizeof(c->networks[0].name), "a");
	snprintf(c->networks[1].name, sizeof(c->networks[1].name), "b");
	c->networks[0].cidrs = malloc(sizeof(cidrs[0]));
	c->networks[1].cidrs = malloc(sizeof(cidrs[0]));
	memcpy(c->networks[0].cidrs, &cidrs[0], sizeof(cidrs[0]));
	memcpy(c->networks[1].cidrs, &cidrs[1], sizeof(cidrs[0]));
	c->networks[0].ncidrs = 1;
	c->networks[1].ncidrs = 1;
	ck_assert_int_eq(ddg_policy_new(c, &p, err, sizeof(err)),
		DDG_ERR_INVAL);
	ck_assert_str_eq(err, "duplicate client network 10.0.0.0/8 (in a and "
		"b)");
	ck_assert_ptr_eq(p, (struct ddg_policy *)0x1);
	ddg_conf_free(c);
	ddg_policy_free(NULL);

	/* the default conf gives a policy that matches only lists (mode) */
	c = ddg_conf_new_default();
	ck_assert_int_eq(ddg_policy_new(c, &p, err, sizeof(err)), DDG_OK);
	ddg_conf_free(c);
	{
		uint8_t wire[DDG_NAME_MAXWIRE];
		size_t wl;
		struct ddg_decision d;
		ck_assert_int_eq(ddg_name_from_str("a.duckdns.org", wire, &wl),
			0);
		ck_assert_int_eq(ddg_policy_decide(p,
			(const struct ddg_list *const *)lists, 1, NULL, wire,
			wl, &d, NULL), 1);
		ck_assert_int_eq(d.action, DDG_ACTION_LOG);
		ck_assert_int_eq(d.varies_by_client, 0);
	}
	ddg_policy_free(p);
}
END_TEST

/** Small deterministic PRNG for the random test. */
static uint32_t
rnd(uint32_t *st)
{
	*st = *st * 1103515245u + 12345u;
	return (*st >> 16) & 0x7fff;
}

/** Random name of 1..5 labels over a tiny alphabet (many overlaps). */
static void
rnd_name(uint32_t *st, char *buf, size_t len)
{
	static const char *labs[] = { "a", "B", "c", "ab", "x", "Y" };
	int n = 1 + (int)(rnd(st) % 5), i;
	size_t o = 0;

	buf[0] = 0;
	for(i = 0; i < n && o + 4 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "." : "",
			labs[rnd(st) % 6]);
}

START_TEST(test_rules_random)
{
	/* the longest matching zone rule, compared with a brute-force scan */
	uint32_t st = 12345;
	static char names[400][64];
	char text[65536], err[DDG_ERR_LEN], nb[64];
	struct ddg_conf *c = NULL;
	struct ddg_policy *p = NULL;
	size_t len = 0, i, j, q, n = 0;

	len += (size_t)snprintf(text + len, sizeof(text) - len,
		"dyndns-guard:\n");
	for(i = 0; i < 400; i++) {
		rnd_name(&st, nb, sizeof(nb));
		for(j = 0; j < n; j++)
			if(strcasecmp(names[j], nb) == 0)
				break;
		if(j < n)
			continue; /* a duplicate zone is a config error */
		snprintf(names[n++], sizeof(names[0]), "%s", nb);
		len += (size_t)snprintf(text + len, sizeof(text) - len,
			"zone: %s %s\n", nb, (i % 3) == 0 ? "block" :
			((i % 3) == 1 ? "allow" : "sinkhole"));
	}
	ck_assert_msg(ddg_conf_parse(text, len, NULL, &c, err, sizeof(err)) ==
		0, "%s", err);
	ck_assert_int_eq(ddg_policy_new(c, &p, err, sizeof(err)), 0);
	ck_assert_uint_gt(c->nzones, 50);
	for(q = 0; q < 3000; q++) {
		uint8_t w[DDG_NAME_MAXWIRE];
		size_t wl, z;
		int best = -1, bestl = -1, r;
		struct ddg_decision d;
		rnd_name(&st, nb, sizeof(nb));
		ck_assert_int_eq(ddg_name_from_str(nb, w, &wl), 0);
		for(z = 0; z < c->nzones; z++) {
			int l = ddg_name_label_count(c->zones[z].wire);
			if(ddg_name_is_subdomain(w, c->zones[z].wire) &&
				l > bestl) {
				best = (int)z;
				bestl = l;
			}
		}
		r = ddg_policy_decide(p, NULL, 0, NULL, w, wl, &d, NULL);
		/* the rules' filter: never "no" for a covered name */
		if(best >= 0 && ddg_policy_may_match(p, NULL, 0, w, wl) != 1)
			ck_abort_msg("%s: the filter says no, rule %d covers it",
				nb, best);
		if(best < 0) {
			if(r != 0)
				ck_abort_msg("%s: unexpected match", nb);
			continue;
		}
		if(r != 1 || d.rule_index != best || d.zone_labels != bestl ||
			d.action != c->zones[best].action)
			ck_abort_msg("%s: rule %d, want %d", nb, d.rule_index,
				best);
	}
	ddg_policy_free(p);
	ddg_conf_free(c);
}
END_TEST

/** The CIDR of network k of the big configuration: three of four IPv4
 * /24, one IPv6 /64; host is the address of a host in it. */
static const char *
big_cidr(size_t k, char *buf, size_t len, char *host, size_t hlen)
{
	if(k % 4 == 3) {
		snprintf(buf, len, "2001:db8:%zx:%zx::/64", k >> 16,
			k & 0xffff);
		snprintf(host, hlen, "2001:db8:%zx:%zx::77", k >> 16,
			k & 0xffff);
	} else {
		snprintf(buf, len, "%zu.%zu.%zu.0/24", 16 + (k >> 16),
			(k >> 8) & 255, k & 255);
		snprintf(host, hlen, "%zu.%zu.%zu.77", 16 + (k >> 16),
			(k >> 8) & 255, k & 255);
	}
	return buf;
}

/** sizes of the big configuration */
#define BIG_ZONES 100000
#define BIG_CATS 1000
#define BIG_NETS 100000

/** the zone and network actions of the big configuration, in turn */
static const enum ddg_action big_acts[] = { DDG_ACTION_BLOCK,
	DDG_ACTION_LOG, DDG_ACTION_SINKHOLE, DDG_ACTION_ALLOW };
/** the category actions, in turn */
static const enum ddg_action big_cacts[] = { DDG_ACTION_BLOCK,
	DDG_ACTION_LOG, DDG_ACTION_SINKHOLE, DDG_ACTION_ALLOW,
	DDG_ACTION_OFF };

/** The action of network k of the big configuration (NONE for every
 * fifth). */
static enum ddg_action
big_net_action(size_t k)
{
	return k % 5 == 4 ? DDG_ACTION_NONE : big_acts[k % 4];
}

/** Decide name for client ip (NULL: none) with the list l. */
static int
big_decide(const struct ddg_policy *p, const struct ddg_list *l,
	const char *ip, const char *name, struct ddg_decision *d)
{
	struct sockaddr_storage ss;
	uint8_t w[DDG_NAME_MAXWIRE];
	size_t wl;

	ck_assert_int_eq(ddg_name_from_str(name, w, &wl), DDG_OK);
	return ddg_policy_decide(p, &l, 1, mkaddr(ip, &ss), w, wl, d, NULL);
}

START_TEST(test_scale)
{
	/* 100,000 client-network CIDRs, 100,000 zone rules, 1,000
	 * categories: the policy builds and decides right for sample
	 * clients and names */
	size_t cap = 16u << 20, len = 0, i;
	char *text = malloc(cap), err[DDG_ERR_LEN], cb[64], host[64];
	char name[DDG_NAME_MAXSTR], want[80];
	struct ent *ents = calloc(BIG_CATS + 2, sizeof(*ents));
	char (*enames)[32] = calloc(BIG_CATS + 1, sizeof(*enames));
	char (*ecats)[32] = calloc(BIG_CATS + 1, sizeof(*ecats));
	struct ddg_conf *c = NULL;
	struct ddg_policy *p = NULL;
	struct ddg_list *l;
	struct ddg_decision d;
	struct sockaddr_storage ss;
	uint8_t *image = NULL;
	static const char *an[] = { "block", "log", "sinkhole", "allow",
		"off" };

	ck_assert(text && ents && enames && ecats);
#define ADD(...) do { len += (size_t)snprintf(text + len, cap - len, \
	__VA_ARGS__); ck_assert_uint_lt(len, cap); } while(0)
	ADD("dyndns-guard:\nmode: log\n");
	for(i = 0; i < BIG_ZONES; i++)
		ADD("zone: h%zu.d%zu.example %s\n", i, i % 997, an[i % 4]);
	for(i = 0; i < BIG_CATS; i++)
		ADD("category: cat-%zu %s\n", i, an[i % 5]);
	for(i = 0; i < BIG_NETS; i++) {
		enum ddg_action a = big_net_action(i);
		ADD("client-network: n%zu %s%s%s\n", i, big_cidr(i, cb,
			sizeof(cb), host, sizeof(host)), a ? " " : "",
			a ? ddg_action_name(a) : "");
	}
	ADD("client-network: wide4 16.0.0.0/8\n");
	ADD("client-network: wide6 2001:db8::/32\n");
#undef ADD
	ck_assert_msg(ddg_conf_parse(text, len, "big.conf", &c, err,
		sizeof(err)) == DDG_OK, "%s", err);
	ck_assert_msg(ddg_policy_new(c, &p, err, sizeof(err)) == DDG_OK, "%s",
		err);
	ck_assert_uint_eq(ddg_policy_network_count(p), BIG_NETS + 2);
	/* a list with one entry per category */
	for(i = 0; i < BIG_CATS; i++) {
		snprintf(enames[i], sizeof(enames[i]), "e%zu.cats.example", i);
		snprintf(ecats[i], sizeof(ecats[i]), "cat-%zu", i);
		ents[i].name = enames[i];
		ents[i].cat = ecats[i];
	}
	ents[i].name = "unconfigured.example";
	ents[i].cat = "no-such-category";
	l = make_list(ents, &image);

	/* clients: longest prefix among 100,002 */
	ck_assert_str_eq(ddg_policy_network_name(p, mkaddr("16.0.5.9", &ss)),
		"n5");
	ck_assert_str_eq(ddg_policy_network_name(p, mkaddr("16.0.7.9", &ss)),
		"wide4");
	ck_assert_str_eq(ddg_policy_network_name(p, mkaddr("2001:db8:0:7::1",
		&ss)), "n7");
	ck_assert_str_eq(ddg_policy_network_name(p, mkaddr("2001:db8:0:8::1",
		&ss)), "wide6");
	ck_assert_str_eq(ddg_policy_network_name(p, mkaddr("17.1.2.3", &ss)),
		"n65794");
	ck_assert_str_eq(ddg_policy_network_name(p, mkaddr("::ffff:16.1.0.1",
		&ss)), "n256");
	ck_assert_ptr_null(ddg_policy_network_name(p, mkaddr("17.134.160.1",
		&ss)));
	ck_assert_ptr_null(ddg_policy_network_name(p, mkaddr("2001:db9::1",
		&ss)));
	for(i = 0; i < BIG_NETS; i += 997) {
		big_cidr(i, cb, sizeof(cb), host, sizeof(host));
		snprintf(want, sizeof(want), "n%zu", i);
		ck_assert_str_eq(ddg_policy_network_name(p, mkaddr(host, &ss)),
			want);
		ck_assert_int_eq(ddg_policy_network(p, mkaddr(host, &ss)),
			(int)i);
	}

	/* names: the zone rule, whoever asks */
	for(i = 0; i < BIG_ZONES; i += 991) {
		snprintf(name, sizeof(name), "x.h%zu.d%zu.example", i, i % 997);
		ck_assert_int_eq(big_decide(p, l, "16.0.5.9", name, &d), 1);
		ck_assert_int_eq(d.from_rule, 1);
		ck_assert_int_eq(d.rule_index, (int)i);
		ck_assert_int_eq(d.action, big_acts[i % 4]);
		ck_assert_int_eq(d.reason, DDG_REASON_ZONE_RULE);
		ck_assert_int_eq(d.zone_labels, 3);
		snprintf(name, sizeof(name), "h%zu.d%zu.example", i,
			(i + 1) % 997);
		ck_assert_int_eq(big_decide(p, l, NULL, name, &d), 0);
	}

	/* categories: each entry's category action; a network action wins */
	for(i = 0; i < BIG_CATS; i++) {
		size_t k = (i * 101) % BIG_NETS;
		snprintf(name, sizeof(name), "a.e%zu.cats.example", i);
		ck_assert_int_eq(big_decide(p, l, NULL, name, &d), 1);
		ck_assert_int_eq(d.from_rule, 0);
		ck_assert_str_eq(d.category, ecats[i]);
		ck_assert_int_eq(d.reason, DDG_REASON_CATEGORY);
		ck_assert_int_eq(d.action, big_cacts[i % 5]);
		big_cidr(k, cb, sizeof(cb), host, sizeof(host));
		ck_assert_int_eq(big_decide(p, l, host, name, &d), 1);
		ck_assert_int_eq(d.network, (int)k);
		if(big_net_action(k) != DDG_ACTION_NONE) {
			ck_assert_int_eq(d.reason, DDG_REASON_NETWORK);
			ck_assert_int_eq(d.action, big_net_action(k));
		} else {
			ck_assert_int_eq(d.reason, DDG_REASON_CATEGORY);
			ck_assert_int_eq(d.action, big_cacts[i % 5]);
		}
	}
	/* a category without category: line: mode */
	ck_assert_int_eq(big_decide(p, l, NULL, "unconfigured.example", &d),
		1);
	ck_assert_int_eq(d.reason, DDG_REASON_MODE);
	ck_assert_int_eq(d.action, DDG_ACTION_LOG);

	ddg_list_close(l);
	free(image);
	ddg_policy_free(p);
	ddg_conf_free(c);
	free(text);
	free(ents);
	free(enames);
	free(ecats);
}
END_TEST

static Suite *
policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc;

	tc = tcase_create("precedence");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_precedence, 0,
		sizeof(pcases) / sizeof(pcases[0]));
	tcase_add_test(tc, test_explain_text);
	tcase_add_test(tc, test_invalid_name);
	tcase_add_loop_test(tc, test_varies, 0,
		sizeof(vcases) / sizeof(vcases[0]));
	tcase_add_test(tc, test_new_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("networks");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_networks);
	tcase_add_test(tc, test_lpm_many);
	tcase_add_test(tc, test_stricter);
	tcase_add_test(tc, test_rules_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_scale);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(policy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
