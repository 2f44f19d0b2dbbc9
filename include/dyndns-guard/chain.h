/**
 * \file chain.h
 * The names of an answer and the decision over all of them: the query name,
 * then every owner and CNAME/DNAME target of the answer section, in answer
 * order, of any length.  The strictest action over the chain wins (a
 * listed name with a weaker action in front of a stricter target cannot
 * shield it); an explicit zone: ... allow rule on the query name stays
 * final.  Prefix ddg_chain_.
 *
 * This is the part of the module's per-answer work that reads what an
 * authoritative server sent (untrusted): it is kept free of Unbound
 * headers so that it can be unit-tested and fuzzed.  Nothing allocates;
 * every name is validated before it is used.
 */
#ifndef DDG_CHAIN_H
#define DDG_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "dyndns-guard/policy.h"

/** most names of a chain kept for an event; further names are still
 * decided on, and counted */
#define DDG_CHAIN_KEEP 16

/** one RRset of an answer section, as the caller sees it */
struct ddg_chain_rrset {
	/** owner name, wire form (validated by ddg_chain_collect()) */
	const uint8_t *owner;
	/** bytes available at owner */
	size_t owner_len;
	/** RR type, host order */
	uint16_t type;
	/** rdata of the first RR (without the rdlength), or NULL */
	const uint8_t *rdata;
	/** its length */
	size_t rdlen;
};

/**
 * The distinct names of an answer section other than the query name:
 * owners of every RRset and targets of CNAME and DNAME RRsets, in answer
 * order, a name equal to the one before it (case-insensitive) not
 * repeated.  Invalid names are skipped.
 */
struct ddg_chain {
	/** the names, pointing into the caller's RRsets: the first
	 * DDG_CHAIN_KEEP of them */
	const uint8_t *name[DDG_CHAIN_KEEP];
	/** their lengths */
	size_t len[DDG_CHAIN_KEEP];
	/** number kept in name[] */
	size_t n;
	/** number of names in the answer, also those not kept */
	size_t total;
	/** 1 when the answer holds a CNAME or DNAME RRset */
	int has_alias;
};

/**
 * The function that decides on one name for one client: the module passes
 * its memoised policy lookup, tests pass ddg_policy_decide().
 * @param arg: the caller's argument.
 * @param name: wire name, validated.
 * @param len: its length.
 * @param d: filled with the decision.
 * @return as ddg_policy_decide().
 */
typedef int (*ddg_chain_decide_fn)(void *arg, const uint8_t *name,
	size_t len, struct ddg_decision *d);

/**
 * Visit the names of an answer section (see struct ddg_chain) one by one.
 * @param qname: the query name (not visited itself; an owner equal to it
 *	at the start is not repeated), or NULL.
 * @param qlen: its length.
 * @param rr: the RRsets of the answer section, in order.
 * @param n: their number.
 * @param visit: called with each name (NULL: only collect into out).
 * @param arg: passed to visit; a non-zero return stops the walk.
 * @param out: filled with the names kept and their count, or NULL.
 * @return 1 when visit stopped the walk, else 0.
 */
int ddg_chain_collect(const uint8_t *qname, size_t qlen,
	const struct ddg_chain_rrset *rr, size_t n,
	int (*visit)(void *arg, const uint8_t *name, size_t len), void *arg,
	struct ddg_chain *out);

/** the decision over a query name and its chain, for one client */
struct ddg_chain_result {
	/** the deciding decision (its zone_off is relative to name) */
	struct ddg_decision d;
	/** the deciding name: the query name or a name of the chain */
	const uint8_t *name;
	/** its length */
	size_t len;
	/** -1 when the query name decided, else its position in the answer
	 * (0-based, counting every name, kept or not) */
	long index;
	/** 1 when the decision for any name of the chain varies between
	 * client networks (the answer must stay out of the cache) */
	int varies;
};

/**
 * Decide on a query name and the names of its answer for one client: the
 * strictest action wins (ddg_action_stricter(); on a tie the earlier
 * name); a zone: rule with action allow on the query name is final.
 * @param decide: the per-name decision.
 * @param arg: its argument.
 * @param qname: the query name, wire form, valid.
 * @param qlen: its length.
 * @param rr: the answer section RRsets (NULL when only the query name is
 *	to be decided, e.g. before resolution or with check-cname: no).
 * @param nrr: their number.
 * @param out: filled with the result (always).
 * @return 1 when some name matched, 0 when none did, DDG_ERR_SYNTAX for an
 *	invalid query name.
 */
int ddg_chain_decide(ddg_chain_decide_fn decide, void *arg,
	const uint8_t *qname, size_t qlen, const struct ddg_chain_rrset *rr,
	size_t nrr, struct ddg_chain_result *out);

/**
 * Merge the result for one more client of a shared answer into acc (the
 * stricter action wins; varies is kept from either).
 * @param acc: the result so far.
 * @param cur: the next client's result.
 * @param first: 1 when cur is the first client (acc is set to it).
 */
void ddg_chain_merge(struct ddg_chain_result *acc,
	const struct ddg_chain_result *cur, int first);

/**
 * Whether the data of a name may be kept in a cache that clients are
 * served from without a decision (Unbound's message and RRset caches):
 * not when any client would be blocked or sinkholed for it.
 * @param decide: the per-name decision, called for no client.
 * @param arg: its argument.
 * @param name: wire name, validated.
 * @param len: its length.
 * @return 1 when the name is blocked or sinkholed for some client.
 */
int ddg_chain_blocked_somewhere(ddg_chain_decide_fn decide, void *arg,
	const uint8_t *name, size_t len);

#endif /* DDG_CHAIN_H */
