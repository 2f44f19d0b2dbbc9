/**
 * \file conf.h
 * The dyndns-guard.conf parser: a "dyndns-guard:" clause of "key: value"
 * lines, '#' comments, quoted or bare values (the unbound.conf syntax
 * family).  The grammar and every key are described in
 * docs/configuration.md.
 *
 * Parsing is all-or-nothing: a successful parse returns a fresh, fully
 * validated struct ddg_conf; a failing one returns nothing and fills the
 * caller's error buffer with "FILE:LINE: reason".  The parser does no I/O
 * besides reading the file in ddg_conf_load(); it does not open lists.
 *
 * A struct ddg_conf is read-only after it has been returned; any number of
 * threads may read it.
 */
#ifndef DDG_CONF_H
#define DDG_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#include "dyndns-guard/name.h"

/** environment variable that overrides the default configuration path */
#define DDG_CONF_ENV "DYNDNS_GUARD_CONF"
/** file name of the configuration in the configuration directory */
#define DDG_CONF_FILE "dyndns-guard.conf"
/** maximum length of a configuration line, newline excluded */
#define DDG_CONF_MAXLINE 4096
/** maximum length of a client network or category name (NUL excluded;
 * the rule is ddg_name_category_ok()) */
#define DDG_CONF_MAXNAME DDG_NAME_MAXCAT
/** largest answer-ttl: accepted */
#define DDG_CONF_MAX_TTL 604800
/** largest reload-check: accepted, seconds */
#define DDG_CONF_MAX_RELOAD 86400
/** largest metrics-interval: accepted, seconds */
#define DDG_CONF_MAX_METRICS_INTERVAL 3600
/** maximum number of entries of each repeatable key (list:, zone:,
 * category:, client-network:), and of client-network CIDRs in all */
#define DDG_CONF_MAX_ITEMS 262144
/** largest configuration accepted, bytes (10 MiB) */
#define DDG_CONF_MAXFILE (10u * 1024u * 1024u)
/** most lines a configuration may have */
#define DDG_CONF_MAXLINES 1000000

/**
 * What happens to a lookup.  The numeric order is used by
 * ddg_action_stricter(): values that answer normally first, then log,
 * sinkhole, block.
 */
enum ddg_action {
	/** no rule or list entry matched the name */
	DDG_ACTION_NONE = 0,
	/** a zone: exception: answered normally, not flagged, no event */
	DDG_ACTION_ALLOW,
	/** matched but switched off (mode: off, category: X off): answered
	 * normally, no event */
	DDG_ACTION_OFF,
	/** answered normally, an event is written */
	DDG_ACTION_LOG,
	/** A/AAAA answered with the sinkhole address, other types NODATA;
	 * event written */
	DDG_ACTION_SINKHOLE,
	/** answered with block-rcode (NXDOMAIN with SOA, or REFUSED); event
	 * written */
	DDG_ACTION_BLOCK
};

/** what fail-mode: says to do without a usable list */
enum ddg_fail_mode {
	DDG_FAIL_OPEN = 0,	/**< resolve normally, log errors (default) */
	DDG_FAIL_CLOSED		/**< answer SERVFAIL for everything */
};

/** one zone: rule */
struct ddg_conf_zone {
	/** the zone in wire form, lowercased */
	uint8_t wire[DDG_NAME_MAXWIRE];
	/** length of wire */
	size_t wire_len;
	/** LOG, BLOCK, SINKHOLE or ALLOW */
	enum ddg_action action;
	/** configuration line it came from (for explain) */
	int line;
};

/** one category: rule */
struct ddg_conf_category {
	/** category name as in the list files ([A-Za-z0-9_.-], 1..63) */
	char name[DDG_CONF_MAXNAME + 1];
	/** LOG, BLOCK, SINKHOLE, ALLOW or OFF */
	enum ddg_action action;
	/** configuration line it came from */
	int line;
};

/** one CIDR of a client network */
struct ddg_conf_cidr {
	/** AF_INET or AF_INET6 (IPv4-mapped IPv6 prefixes of /96 or longer
	 * are stored as AF_INET) */
	int family;
	/** network address, host bits zero: 4 bytes used for AF_INET, 16 for
	 * AF_INET6, network byte order */
	uint8_t addr[16];
	/** prefix length: 0..32 or 0..128 */
	int prefix;
};

/** one client-network: */
struct ddg_conf_network {
	/** name for logs ([A-Za-z0-9_.-], 1..63) */
	char name[DDG_CONF_MAXNAME + 1];
	/** its CIDRs (at least one) */
	struct ddg_conf_cidr *cidrs;
	/** number of cidrs */
	size_t ncidrs;
	/** LOG, BLOCK, SINKHOLE or ALLOW for its clients' list matches, or
	 * NONE when the line gives no action (name for logs only) */
	enum ddg_action action;
	/** configuration line it came from */
	int line;
};

/**
 * A parsed configuration.  Every field holds its default when the key is
 * absent.  Paths are as written when absolute, else resolved against the
 * directory of the configuration file (see ddg_conf_parse()).
 * @note caller frees with ddg_conf_free().
 */
struct ddg_conf {
	/** path of the configuration file, as given (for messages), or NULL */
	char *path;

	/** list: paths, in configuration order */
	char **lists;
	/** number of lists */
	size_t nlists;

	/** mode: LOG (default), BLOCK, SINKHOLE or OFF */
	enum ddg_action mode;

	/** zone: rules, in configuration order (no duplicates) */
	struct ddg_conf_zone *zones;
	/** number of zones */
	size_t nzones;

	/** category: rules, in configuration order (no duplicates) */
	struct ddg_conf_category *categories;
	/** number of categories */
	size_t ncategories;

	/** client-network: definitions, in configuration order (names and
	 * CIDRs unique) */
	struct ddg_conf_network *networks;
	/** number of networks */
	size_t nnetworks;

	/** block-rcode: the DNS RCODE of a block answer, 3 (NXDOMAIN,
	 * default) or 5 (REFUSED) */
	int block_rcode;
	/** sinkhole-ipv4: (default 0.0.0.0), network byte order */
	struct in_addr sinkhole_ipv4;
	/** sinkhole-ipv6: (default ::) */
	struct in6_addr sinkhole_ipv6;
	/** answer-ttl: seconds, 0..604800 (default 60) */
	uint32_t answer_ttl;
	/** ede: 1 (default) or 0 */
	int ede;
	/** check-cname: 1 (default) or 0 */
	int check_cname;
	/** log-file: path of the JSON-lines event file, or NULL (default) */
	char *log_file;
	/** log-cache-hits: 1 (default) or 0 */
	int log_cache_hits;
	/** log-text: events also as text lines in Unbound's log, 1
	 * (default) or 0 */
	int log_text;
	/** fail-mode: DDG_FAIL_OPEN (default) or DDG_FAIL_CLOSED */
	enum ddg_fail_mode fail_mode;
	/** reload-check: seconds between checks of the list files,
	 * 0..86400, 0 = never (default 60) */
	uint32_t reload_check;
	/** public-key: path of the Ed25519 public key (PEM), or NULL */
	char *public_key;
	/** require-signature: 1 or 0 (default) */
	int require_signature;
	/** metrics-file: path of the Prometheus text file, or NULL */
	char *metrics_file;
	/** metrics-interval: seconds between two writes of metrics-file:,
	 * 1..3600 (default 5) */
	uint32_t metrics_interval;
};

/**
 * A configuration with every default and no lists, rules or networks.
 * @return the new configuration, or NULL when out of memory.
 * @note caller frees with ddg_conf_free().
 */
struct ddg_conf *ddg_conf_new_default(void);

/**
 * Memory of a configuration: the structure, its paths, rules, networks
 * and prefixes.
 * @param conf: the configuration, or NULL (0).
 * @return bytes.
 */
size_t ddg_conf_mem(const struct ddg_conf *conf);

/**
 * Free a configuration.
 * @param conf: the configuration, or NULL.
 */
void ddg_conf_free(struct ddg_conf *conf);

/**
 * Parse configuration text.  Relative paths (list:, log-file:,
 * public-key:, metrics-file:) are resolved against the directory part of
 * fname when fname contains a '/', else kept as written.
 * @param text: the text; need not be NUL-terminated; a NUL byte in it is
 *	a syntax error.
 * @param len: its length in bytes.
 * @param fname: the file name used in messages and for relative paths;
 *	NULL means "dyndns-guard.conf".
 * @param out: set to the new configuration on success; untouched on
 *	failure.
 * @param err: buffer of errlen bytes, filled on failure with
 *	"FILE:LINE: reason" (e.g. "dyndns-guard.conf:7: unknown key 'modee'").
 * @param errlen: size of err (DDG_ERR_LEN recommended).
 * @return DDG_OK, DDG_ERR_SYNTAX (malformed line, unknown key, bad or
 *	missing value, duplicate zone, network or category), DDG_ERR_RANGE
 *	(a number, name or the number of entries out of range; text longer
 *	than DDG_CONF_MAXFILE bytes or DDG_CONF_MAXLINES lines: then
 *	"FILE: reason" without a line) or DDG_ERR_NOMEM.
 * @note the first error in line order is reported: a duplicate (found by
 *	sorting, after the last line) on an earlier line than a syntax error
 *	wins.
 */
int ddg_conf_parse(const char *text, size_t len, const char *fname,
	struct ddg_conf **out, char *err, size_t errlen);

/**
 * Read and parse a configuration file.  Relative paths in it are resolved
 * against the file's directory, made absolute.
 * @param path: the file.
 * @param out: set to the new configuration on success; untouched on
 *	failure.
 * @param err: buffer of errlen bytes, filled on failure with
 *	"PATH:LINE: reason" or "PATH: <strerror>".
 * @param errlen: size of err (DDG_ERR_LEN recommended).
 * @return DDG_OK, DDG_ERR_IO (cannot read the file, not a regular
 *	file), DDG_ERR_RANGE (larger than DDG_CONF_MAXFILE: refused before
 *	reading), or the results of ddg_conf_parse().
 */
int ddg_conf_load(const char *path, struct ddg_conf **out, char *err,
	size_t errlen);

/**
 * Print a configuration in canonical form: the clause header and every key
 * (defaults included) in a fixed order, one per line, quoted where needed.
 * Parsing the output gives an equal configuration (paths are printed as
 * stored: after ddg_conf_load() they are absolute, so any fname will do;
 * relative ones are resolved again against the new fname's directory).
 * @param conf: the configuration.
 * @param out: the stream.
 * @return DDG_OK or DDG_ERR_IO when writing failed.
 */
int ddg_conf_print(const struct ddg_conf *conf, FILE *out);

/** Where a configuration path came from (ddg_conf_find_path()). */
enum ddg_conf_origin {
	/** named explicitly (a command's argument) */
	DDG_CONF_FROM_ARG = 0,
	/** the environment variable DYNDNS_GUARD_CONF */
	DDG_CONF_FROM_ENV,
	/** the compiled-in default, ddg_conf_default_path() */
	DDG_CONF_FROM_DEFAULT
};

/**
 * The compiled-in default path of the configuration:
 * $(sysconfdir)/unbound/dyndns-guard.conf as configure expanded it.
 * @return static string.
 */
const char *ddg_conf_default_path(void);

/**
 * The one rule by which the module and the commands find
 * dyndns-guard.conf: an explicit path (arg, when not NULL) wins, then a
 * non-empty $DYNDNS_GUARD_CONF, then ddg_conf_default_path().
 * @param arg: the path named by the caller (a command-line argument), or
 *	NULL (the module has none).
 * @param origin: if not NULL, set to where the path came from.
 * @return the path: arg, the environment's string or a static string.
 */
const char *ddg_conf_find_path(const char *arg, enum ddg_conf_origin *origin);

/**
 * How a configuration origin is shown in messages.
 * @param o: the origin.
 * @return "command line", "$DYNDNS_GUARD_CONF" or "default"; static.
 */
const char *ddg_conf_origin_name(enum ddg_conf_origin o);

/**
 * Name of an action as written in the configuration and in events.
 * @param a: the action.
 * @return "none", "allow", "off", "log", "sinkhole", "block"; "unknown"
 *	for other values.  Static string.
 */
const char *ddg_action_name(enum ddg_action a);

/**
 * Parse an action name (exact, lowercase).
 * @param s: NUL-terminated name, as returned by ddg_action_name().
 * @param out: set to the action on success.
 * @return DDG_OK or DDG_ERR_INVAL.
 */
int ddg_action_from_str(const char *s, enum ddg_action *out);

/**
 * Parse an address or CIDR as client-network: accepts it ("10.0.0.0/8",
 * "2001:db8::/32", a bare address meaning /32 or /128).  Host bits must be
 * zero.  IPv4-mapped IPv6 prefixes of /96 or longer become IPv4.
 * @param s: NUL-terminated text.
 * @param out: filled on success.
 * @return DDG_OK, DDG_ERR_SYNTAX (not an address, bad prefix) or
 *	DDG_ERR_INVAL (host bits set).
 */
int ddg_conf_parse_cidr(const char *s, struct ddg_conf_cidr *out);

#endif /* DDG_CONF_H */
