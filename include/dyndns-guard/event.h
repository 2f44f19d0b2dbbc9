/**
 * \file event.h
 * Match events: the key=value text line for Unbound's log and the JSON line
 * (Elastic Common Schema, nested objects) for the log-file.  The fields are
 * described in docs/events.md.
 *
 * Formatting writes into caller buffers, never allocates and makes no
 * system calls.  Every output is exactly one line (no newline is appended,
 * none is inside), holds no control bytes and no bytes >= 0x80:
 * - names are written with ddg_name_to_str(), so every byte of a name that
 *   is not printable ASCII becomes \DDD; in addition a space, '=' or '"'
 *   inside a label is written \032, \061 or \034, so text values never
 *   contain a space, '=' or '"';
 * - other strings (category, network, list identity) escape bytes outside
 *   '!'..'~' and the characters '=', '"' and '\' as \DDD;
 * - the JSON form is valid JSON: the above, with '"' and '\' escaped.
 */
#ifndef DDG_EVENT_H
#define DDG_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>

#include "dyndns-guard/conf.h"

/** most CNAME chain elements an event carries */
#define DDG_EVENT_MAXCHAIN 16
/** buffer size with which a formatter always succeeds, shortening the
 * CNAME chain if needed (any names, any strings of up to 255 bytes) */
#define DDG_EVENT_LINE_MIN 8192
/** buffer size with which no event line is ever shortened */
#define DDG_EVENT_LINE_MAX 32768
/** size of a list identity string buffer (see ddg_event_ruleset()) */
#define DDG_EVENT_RULESET_LEN 128

/** what matched */
enum ddg_match_kind {
	DDG_MATCH_QNAME = 0,	/**< the query name */
	DDG_MATCH_CNAME		/**< a CNAME or DNAME target of the answer */
};

/**
 * One match event.  All pointers are borrowed: the formatters only read
 * them during the call.  Wire names must be valid (ddg_name_wire_len()).
 */
struct ddg_event {
	/** wall-clock time of the answer (CLOCK_REALTIME); JSON only */
	struct timespec ts;
	/** the action taken: LOG, SINKHOLE or BLOCK (others are printed by
	 * name too) */
	enum ddg_action action;
	/** client address (sockaddr_in or sockaddr_in6), or NULL (printed
	 * as "-") */
	const struct sockaddr *client;
	/** client network name, or NULL (printed as "-", JSON null) */
	const char *network;
	/** query name, wire form */
	const uint8_t *qname;
	/** query type */
	uint16_t qtype;
	/** RCODE of the answer, or -1 when not known (text "-", JSON
	 * omitted) */
	int rcode;
	/** the matched zone, wire form, or NULL */
	const uint8_t *zone;
	/** category of the match (list category or "zone-rule"), or NULL */
	const char *category;
	/** whether the query name or a CNAME target matched */
	enum ddg_match_kind match;
	/** the CNAME/DNAME chain of the answer, wire names in answer order
	 * (first the target of the query name); printed when not empty */
	const uint8_t *chain[DDG_EVENT_MAXCHAIN];
	/** number of elements of chain (values over DDG_EVENT_MAXCHAIN are
	 * treated as DDG_EVENT_MAXCHAIN) */
	size_t nchain;
	/** number of names the answer's chain had, also those not in chain
	 * (0: nchain); when more, the chain is marked as shortened (text
	 * ",...", JSON cname_chain_truncated) */
	size_t chain_total;
	/** 1 when the answer came from Unbound's cache */
	int cached;
	/** identity of the list that matched (ddg_event_ruleset()), or NULL
	 * (printed as "-", JSON null); for a zone: rule decision the module
	 * may pass the configuration file's basename */
	const char *ruleset;
};

/**
 * Format the text line for Unbound's log:
 * "[dyndns-guard] action=block client=10.1.2.3#53311 network=ci-cd
 * qname=x.duckdns.org. qtype=A zone=duckdns.org category=ddns-service
 * match=qname cached=no rcode=NXDOMAIN list=dyndns.dgl@0123456789ab"
 * (one line): the fields of INTERFACE.md in its order, then rcode=, then
 * chain=a.example.,b.example. when the chain is not empty, then list=.
 * Names are in presentation form with a blank, '=', '"' or ',' inside a
 * label written \032, \061, \034, \044, so no value holds a blank and
 * every ',' of chain= separates two names.  See docs/events.md.
 * @param ev: the event.
 * @param buf: output buffer.
 * @param buflen: its size; DDG_EVENT_LINE_MIN always suffices (the chain
 *	is then shortened to what fits and ends with ",...").
 * @return the length of the line (NUL excluded), or DDG_ERR_RANGE when
 *	buflen is too small even without the chain (buf then holds "" if
 *	buflen > 0), DDG_ERR_INVAL for an invalid wire name.
 */
int ddg_event_format_text(const struct ddg_event *ev, char *buf,
	size_t buflen);

/**
 * Format the JSON line for the log-file: one JSON object with nested ECS
 * objects, e.g. {"@timestamp":"2026-01-02T03:04:05.678Z",
 * "event":{"kind":"alert","action":"block",...},"source":{"ip":..},
 * "dns":{"question":{"name":..,"type":"A"},"response_code":"NXDOMAIN"},
 * "rule":{..},"threat":{"technique":{"id":["T1568","T1071.004"]}},
 * "dyndns_guard":{"match":"qname","cname_chain":[..],"network":..,
 * "cached":false}}.  No trailing newline.
 * @param ev: the event.
 * @param buf: output buffer.
 * @param buflen: its size; DDG_EVENT_LINE_MIN always suffices (the chain
 *	is then shortened and "dyndns_guard.cname_chain_truncated" is true).
 * @return the length (NUL excluded), DDG_ERR_RANGE or DDG_ERR_INVAL as for
 *	ddg_event_format_text().
 */
int ddg_event_format_json(const struct ddg_event *ev, char *buf,
	size_t buflen);

/**
 * Build a list identity for ddg_event.ruleset: the basename of the list
 * path, '@', and the first 12 hex digits of its SHA-256
 * ("dyndns.dgl@0123456789ab").
 * @param path: the list path (or NULL: "-").
 * @param sha256_hex: the list's lowercase hex SHA-256 (ddg_list_info()),
 *	or NULL (identity is then only the basename).
 * @param buf: output buffer, DDG_EVENT_RULESET_LEN bytes suffice.
 * @param buflen: its size.
 * @return the length written, or DDG_ERR_RANGE if shortened.
 */
int ddg_event_ruleset(const char *path, const char *sha256_hex, char *buf,
	size_t buflen);

/**
 * Mnemonic of a query type: "A", "NS", "CNAME", "SOA", "PTR", "MX", "TXT",
 * "AAAA", "SRV", "HTTPS", "SVCB", "ANY", ... else "TYPEn".
 * @param t: the type.
 * @param buf: buffer for the "TYPEn" form, at least 12 bytes.
 * @param buflen: its size.
 * @return a static mnemonic or buf.
 */
const char *ddg_event_type_name(uint16_t t, char *buf, size_t buflen);

/**
 * Mnemonic of a response code: "NOERROR", "FORMERR", "SERVFAIL",
 * "NXDOMAIN", "NOTIMP", "REFUSED", ... else "RCODEn".
 * @param rcode: the code (0..4095).
 * @param buf: buffer for the "RCODEn" form, at least 16 bytes.
 * @param buflen: its size.
 * @return a static mnemonic or buf.
 */
const char *ddg_event_rcode_name(int rcode, char *buf, size_t buflen);

#endif /* DDG_EVENT_H */
