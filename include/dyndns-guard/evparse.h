/**
 * \file evparse.h
 * Reading match events back: one line of a JSON event file (the module's
 * log-file:) or of Unbound's log (the key=value text line after Unbound's
 * or syslog's prefix) into a struct ddg_evrec.  Used by `dyndns-guard
 * report`; the formats are those written by event.c (docs/events.md).
 *
 * The input is untrusted: any bytes, any length.  Nothing allocates.  Every
 * string of the record is NUL-terminated, at most DDG_EVREC_MAXFIELD bytes,
 * and printable ASCII: a byte outside '!'..'~' and '"' are written \DDD
 * (as the module writes names), so a value can be printed in a table, a
 * JSON string or HTML text after the usual escaping of that output.
 * Names (the query name and the zone) must be DNS names in presentation
 * form (ddg_name_from_str() accepts them); they are lowercased (ASCII) and
 * have no trailing dot (the root is ".").
 *
 * Time stamps, in the JSON "@timestamp" and in the prefix of a log line:
 * - "[1700000000] unbound[123:0] info: ..." (Unbound's log file),
 * - "2023-11-14T22:13:20.123+01:00 host unbound[1]: ..." (RFC 3339, as
 *   rsyslog, journalctl -o short-iso and log-time-iso write it; without
 *   an offset it is local time),
 * - "Nov 14 22:13:20 ..." (log-time-ascii, BSD syslog, journalctl): local
 *   time, the year is the latest that puts the stamp no more than one day
 *   after the reference time ddg_evparse_opts.now_ms;
 * an optional syslog "<PRI>" (and RFC 5424 version "1 ") in front.
 */
#ifndef DDG_EVPARSE_H
#define DDG_EVPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "dyndns-guard/conf.h"

/** longest line the parser takes (longer ones are DDG_EVLINE_BAD) */
#define DDG_EVPARSE_MAXLINE 65536
/** longest string field of a record, in bytes (after \DDD escaping) */
#define DDG_EVREC_MAXFIELD 1024
/** longest client address (an IPv6 address in text form, NUL excluded) */
#define DDG_EVREC_MAXCLIENT 46

/** what one line is */
enum ddg_evline_kind {
	DDG_EVLINE_EVENT = 0,	/**< a match event; the record is filled */
	DDG_EVLINE_OTHER,	/**< not an event (another log line, a blank
				 * line, JSON of something else) */
	DDG_EVLINE_BAD		/**< meant as an event, or not text, and
				 * malformed; a reason is given */
};

/** the form an event was read from */
enum ddg_evrec_form {
	DDG_EVREC_JSON = 0,	/**< a JSON line of the log-file */
	DDG_EVREC_TEXT		/**< a key=value text line of Unbound's log */
};

/** one event read back */
struct ddg_evrec {
	/** time of the answer, milliseconds since the epoch (UTC) */
	int64_t time_ms;
	/** DDG_ACTION_LOG, DDG_ACTION_BLOCK or DDG_ACTION_SINKHOLE */
	enum ddg_action action;
	/** JSON or text */
	enum ddg_evrec_form form;
	/** 1 for an answer from Unbound's cache */
	int cached;
	/** 1 when a CNAME/DNAME target matched (match=cname) */
	int match_cname;
	/** client address in canonical text form (inet_ntop), without the
	 * port; "-" when the event has no client */
	char client[DDG_EVREC_MAXCLIENT + 1];
	/** the client network name, "-" when none */
	char network[DDG_EVREC_MAXFIELD + 1];
	/** the query name, lowercased, no trailing dot */
	char name[DDG_EVREC_MAXFIELD + 1];
	/** the query type mnemonic ("A", "TYPE65534", ...), "-" when none */
	char qtype[24];
	/** the matched zone, lowercased, no trailing dot */
	char zone[DDG_EVREC_MAXFIELD + 1];
	/** the category, "-" when none */
	char category[DDG_EVREC_MAXFIELD + 1];
};

/** parser settings */
struct ddg_evparse_opts {
	/** reference time (ms since the epoch) for time stamps without a
	 * year: the stamp is put in the latest year that is not more than a
	 * day after it */
	int64_t now_ms;
};

/**
 * Parse one line.
 * @param opts: settings (the reference time).
 * @param line: the bytes of the line, a trailing "\n" or "\r\n" allowed;
 *	need not be NUL-terminated.
 * @param len: its length.
 * @param rec: filled when DDG_EVLINE_EVENT is returned (partly written
 *	otherwise).
 * @param reason: set to a static message when DDG_EVLINE_BAD is returned
 *	("invalid UTF-8", "NUL byte", "JSON: expected ':' at byte 17",
 *	"missing field rule.name", ...); may be NULL.
 * @return DDG_EVLINE_EVENT, DDG_EVLINE_OTHER or DDG_EVLINE_BAD.
 */
enum ddg_evline_kind ddg_evparse_line(const struct ddg_evparse_opts *opts,
	const char *line, size_t len, struct ddg_evrec *rec,
	const char **reason);

/**
 * Parse an RFC 3339 date and time at the start of s:
 * YYYY-MM-DD, 'T', 't' or ' ', HH:MM:SS, optional fraction, then 'Z',
 * +HH:MM, -HH:MM, +HHMM or nothing (then local time, mktime()).
 * @param s: the text.
 * @param len: bytes available.
 * @param ms: set to milliseconds since the epoch.
 * @return the number of bytes used, 0 if s does not start with one.
 */
size_t ddg_time_parse_rfc3339(const char *s, size_t len, int64_t *ms);

/**
 * Parse a time given on a command line: epoch seconds ("1700000000",
 * "1700000000.5"), RFC 3339 ("2023-11-14T22:13:20Z", see
 * ddg_time_parse_rfc3339()), a date alone ("2023-11-14", midnight UTC),
 * or a time before now_ms: a sequence of NUMBER UNIT with units s, m, h,
 * d, w ("24h", "1h30m", "7d").
 * @param s: NUL-terminated text.
 * @param now_ms: the reference time of relative forms.
 * @param ms: the result, milliseconds since the epoch.
 * @return DDG_OK or DDG_ERR_SYNTAX.
 */
int ddg_time_parse_arg(const char *s, int64_t now_ms, int64_t *ms);

/**
 * Format a time as RFC 3339 UTC with milliseconds,
 * "2023-11-14T22:13:20.000Z".
 * @param ms: milliseconds since the epoch.
 * @param buf: output buffer of at least 32 bytes.
 * @param buflen: its size.
 * @return buf.
 */
char *ddg_time_format(int64_t ms, char *buf, size_t buflen);

#endif /* DDG_EVPARSE_H */
