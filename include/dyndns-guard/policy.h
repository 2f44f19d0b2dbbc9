/**
 * \file policy.h
 * The decision engine: which action applies to a lookup of a name by a
 * client, given the configuration (zone: rules, category: actions,
 * client-network: definitions, mode:) and the opened lists.
 *
 * Precedence (INTERFACE.md, docs/configuration.md): the longest matching
 * zone: rule or list entry decides which name rule applies (matched zones
 * compared by label count; on a tie the zone: rule wins; across lists the
 * longest match wins, on a tie the earlier list).  A zone: rule's own action
 * is final.  For a list entry: the client network's action if it has one,
 * else the entry's category action (category:), else mode:.
 *
 * A struct ddg_policy is immutable once built; any number of threads may
 * call ddg_policy_decide() on it concurrently.  It copies what it needs
 * from the configuration, which may be freed afterwards.
 */
#ifndef DDG_POLICY_H
#define DDG_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dyndns-guard/conf.h"
#include "dyndns-guard/list.h"

/** the category reported for a decision made by a zone: rule */
#define DDG_CATEGORY_ZONE_RULE "zone-rule"

/** a built policy (opaque) */
struct ddg_policy;

/** why a decision has its action */
enum ddg_reason {
	DDG_REASON_NONE = 0,	/**< nothing matched */
	DDG_REASON_ZONE_RULE,	/**< the action of a zone: rule */
	DDG_REASON_NETWORK,	/**< the action of the client's network */
	DDG_REASON_CATEGORY,	/**< the category: action of the entry */
	DDG_REASON_MODE		/**< mode: */
};

/** the result of ddg_policy_decide() */
struct ddg_decision {
	/** the final action; DDG_ACTION_NONE when nothing matched */
	enum ddg_action action;
	/** why the action is what it is */
	enum ddg_reason reason;
	/** 1 when a zone: rule or a list entry matched, else 0 (all other
	 * fields below then hold their "none" values) */
	int matched;
	/** 1 when a zone: rule decided, 0 when a list entry did */
	int from_rule;
	/** byte offset of the matched zone inside the query name: qname +
	 * zone_off is the zone in wire form (in the query's case) */
	size_t zone_off;
	/** number of labels of the matched zone */
	int zone_labels;
	/** category of the list entry; DDG_CATEGORY_ZONE_RULE for a zone:
	 * rule; NULL when nothing matched.  For a list entry it points into
	 * the list's memory: valid until that list is closed */
	const char *category;
	/** index in the lists array of the matching list, or -1 (zone: rule
	 * or no match) */
	int list_index;
	/** index of the entry in that list (valid when list_index >= 0) */
	uint32_t entry;
	/** index of the zone: rule in conf->zones order, or -1 */
	int rule_index;
	/** index of the client's network in conf->networks order, or -1
	 * (no client, in no network, or nothing matched: a name that
	 * matches nothing is decided without looking at the client) */
	int network;
	/** name of the client's network, or NULL; points into the policy */
	const char *network_name;
	/** 1 when clients in different networks (or in none) would get a
	 * different answer for this name: the decision came from a list entry
	 * and the actions that apply to the possible client classes (each
	 * network with an action, and category/mode for everyone else) do not
	 * all fall into the same answer class, the classes being "answered
	 * normally" (none, allow, off, log), "sinkhole" and "block".  The
	 * module must then keep the answer out of the cache (no_cache_store)
	 * and merged in-flight queries use ddg_action_stricter(). */
	int varies_by_client;
};

/**
 * Collects the steps of a decision as text lines, for
 * "dyndns-guard explain".  Set up with ddg_explain_init().
 */
struct ddg_explain {
	/** caller's buffer; always NUL-terminated */
	char *buf;
	/** its size */
	size_t size;
	/** bytes used, NUL excluded */
	size_t len;
	/** 1 when lines were cut because buf was full */
	int truncated;
};

/**
 * Prepare an explain collector over a caller buffer.
 * @param ex: the collector.
 * @param buf: buffer, at least 1 byte (8 KiB is plenty).
 * @param size: its size.
 */
void ddg_explain_init(struct ddg_explain *ex, char *buf, size_t size);

/**
 * Build a policy from a configuration.  Zone rules are lowercased and
 * sorted by label count, length and bytes (one binary search per suffix of
 * a query name), client-network CIDRs by prefix length and address.
 * @param conf: a configuration from ddg_conf_parse()/ddg_conf_load() (or
 *	ddg_conf_new_default()); not referenced after the call.
 * @param out: set to the policy on success; untouched on failure.
 * @param err: buffer of errlen bytes, filled on failure.
 * @param errlen: size of err.
 * @return DDG_OK, DDG_ERR_INVAL (an inconsistent hand-made conf, e.g. a
 *	duplicate zone or CIDR) or DDG_ERR_NOMEM.
 * @note caller frees with ddg_policy_free().
 */
int ddg_policy_new(const struct ddg_conf *conf, struct ddg_policy **out,
	char *err, size_t errlen);

/**
 * Free a policy.
 * @param p: the policy, or NULL.
 */
void ddg_policy_free(struct ddg_policy *p);

/**
 * Whether a name may match a zone rule or an entry of one of the lists:
 * the suffix filters alone, no search and no client.  0 means the
 * decision for every client is DDG_ACTION_NONE with nothing matched; the
 * fast "no" of the per-query path.
 * @return 1 maybe (or an invalid name: ddg_policy_decide() says why), 0
 *	nothing can match.
 */
int ddg_policy_may_match(const struct ddg_policy *p,
	const struct ddg_list *const *lists, size_t nlists,
	const uint8_t *qname, size_t qname_len);

/**
 * Decide what to do with a lookup.  The hot path of the module: no
 * allocation and no system calls when ex is NULL.
 * @param p: the policy.
 * @param lists: the opened lists, in configuration order; an element may be
 *	NULL (a list that failed to load: skipped).  May be NULL if nlists
 *	is 0.
 * @param nlists: number of elements of lists.
 * @param client: the client's address (AF_INET or AF_INET6; IPv4-mapped
 *	IPv6 addresses count as IPv4), or NULL when there is no client (then
 *	no network applies).
 * @param qname: the wire-form query name (any case).
 * @param qname_len: its length.
 * @param d: filled with the decision (always, also on error: then as "no
 *	match").
 * @param ex: NULL on the hot path; else every step is appended to it as
 *	text lines.
 * @return 1 when a zone: rule or list entry matched, 0 when nothing
 *	matched, DDG_ERR_SYNTAX when qname is not a valid wire name.
 */
int ddg_policy_decide(const struct ddg_policy *p,
	const struct ddg_list *const *lists, size_t nlists,
	const struct sockaddr *client, const uint8_t *qname, size_t qname_len,
	struct ddg_decision *d, struct ddg_explain *ex);

/**
 * The client network of an address (longest-prefix match over all
 * client-network: CIDRs).  No allocation, no system calls.
 * @param p: the policy.
 * @param client: AF_INET or AF_INET6 address, or NULL.
 * @return the network's index in conf->networks order, or -1.
 */
int ddg_policy_network(const struct ddg_policy *p,
	const struct sockaddr *client);

/**
 * The client network name of an address, for events of answers where only
 * the client is known (cache hits).
 * @param p: the policy.
 * @param client: AF_INET or AF_INET6 address, or NULL.
 * @return the name (points into the policy, valid until
 *	ddg_policy_free()), or NULL when the client is in no network.
 */
const char *ddg_policy_network_name(const struct ddg_policy *p,
	const struct sockaddr *client);

/**
 * Number of client networks of a policy.
 * @param p: the policy, or NULL (0).
 * @return the number of client-network: definitions.
 */
size_t ddg_policy_network_count(const struct ddg_policy *p);

/**
 * Memory of a policy: its zone rules, categories, networks and prefixes.
 * @param p: the policy, or NULL (0).
 * @return bytes.
 */
size_t ddg_policy_mem(const struct ddg_policy *p);

/**
 * The stricter of two actions, for one answer shared by several clients
 * (Unbound merges identical in-flight queries of different clients into
 * one mesh state): block > sinkhole > log > off, allow, none.  Between
 * off, allow and none (all answered normally, no event) the greater enum
 * value is returned.
 * @param a: an action.
 * @param b: another.
 * @return the stricter of a and b.
 */
enum ddg_action ddg_action_stricter(enum ddg_action a, enum ddg_action b);

/**
 * Text of a reason, for messages.
 * @param r: the reason.
 * @return "no match", "zone rule", "client network", "category", "mode",
 *	or "unknown"; a static string.
 */
const char *ddg_reason_name(enum ddg_reason r);

#endif /* DDG_POLICY_H */
