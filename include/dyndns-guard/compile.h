/**
 * \file compile.h
 * The list compiler: parses text lists (plain, hosts, adblock, RPZ,
 * dnsmasq, CSV, and the dump form of `dyndns-guard dump`) into a writer
 * (list_write.h).  `dyndns-guard compile` is a thin shell around this.
 *
 * Bad lines are rejected one by one with "file:line: reason" through the
 * message callback and counted by reason; the rest is kept.
 */
#ifndef DDG_COMPILE_H
#define DDG_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#include "dyndns-guard/list_write.h"

/** input formats */
enum ddg_fmt {
	DDG_FMT_AUTO = 0,	/**< detect per line (dump: by the first line) */
	DDG_FMT_PLAIN,		/**< one name per line, # comments */
	DDG_FMT_HOSTS,		/**< "ADDRESS name [name...]" */
	DDG_FMT_ADBLOCK,	/**< "||name^" */
	DDG_FMT_RPZ,		/**< RPZ zone file: "name CNAME ." */
	DDG_FMT_DNSMASQ,	/**< address=/name/..., server=/name/..., local=/name/ */
	DDG_FMT_CSV,		/**< comma-separated, name in column N */
	DDG_FMT_DUMP		/**< the output of dyndns-guard dump */
};

/** reasons for rejecting a line */
enum ddg_reject {
	DDG_REJ_INVALID_NAME = 0,	/**< not a valid domain name */
	DDG_REJ_SINGLE_LABEL,		/**< a TLD alone (or the root) */
	DDG_REJ_UNKNOWN_LINE,		/**< no format recognises the line */
	DDG_REJ_UNSUPPORTED,		/**< recognised but unsupported rule */
	DDG_REJ_BAD_CATEGORY,		/**< invalid category name (dump form) */
	DDG_REJ_MISSING_COLUMN,		/**< CSV line without the column */
	DDG_REJ_LINE_TOO_LONG,		/**< over DDG_COMPILE_MAXLINE bytes */
	DDG_REJ_MAX			/**< number of reasons */
};

/** longest accepted input line */
#define DDG_COMPILE_MAXLINE 4096
/** the first line of a dump */
#define DDG_DUMP_HEADER "# dyndns-guard list dump"
/** the default category */
#define DDG_DEFAULT_CATEGORY "ddns-service"

/** a compilation (opaque) */
struct ddg_compile;

/**
 * Called for each rejected line and each warning.
 * @param arg: the caller's argument.
 * @param file: input name.
 * @param line: 1-based line number (0: not about one line).
 * @param is_warning: 1 for a warning (the line was used), 0 for a reject.
 * @param msg: the reason.
 */
typedef void (*ddg_compile_msg_cb)(void *arg, const char *file,
	uint64_t line, int is_warning, const char *msg);

/**
 * Create a compilation.
 * @return it, or NULL when out of memory.  Free with ddg_compile_free().
 */
struct ddg_compile *ddg_compile_new(void);

/**
 * Free a compilation.  Accepts NULL.
 * @param c: the compilation.
 */
void ddg_compile_free(struct ddg_compile *c);

/**
 * Set the message callback (default: none, messages are only counted).
 * @param c: the compilation.
 * @param cb: callback.
 * @param arg: its argument.
 */
void ddg_compile_set_msg(struct ddg_compile *c, ddg_compile_msg_cb cb,
	void *arg);

/**
 * Force the creation time (overrides a dump's #@created line).
 * @param c: the compilation.
 * @param created: seconds since the epoch.
 */
void ddg_compile_set_created(struct ddg_compile *c, uint64_t created);

/**
 * Parse a format name (auto, plain, hosts, adblock, rpz, dnsmasq, csv,
 * dump).
 * @param s: the name.
 * @param f: set on success.
 * @return DDG_OK or DDG_ERR_INVAL.
 */
int ddg_compile_fmt_parse(const char *s, enum ddg_fmt *f);

/**
 * Name of a format.
 * @param f: a format.
 * @return a static string ("unknown" for other values).
 */
const char *ddg_compile_fmt_name(enum ddg_fmt f);

/**
 * Text of a reject reason.
 * @param r: a reason.
 * @return a static string ("unknown" for other values).
 */
const char *ddg_compile_reject_name(enum ddg_reject r);

/**
 * Parse one input held in memory.
 * @param c: the compilation.
 * @param name: input name for messages and the source description.
 * @param buf: the text (need not be NUL-terminated).
 * @param len: its length.
 * @param fmt: its format.
 * @param column: CSV column, 1-based (ignored for other formats).
 * @param category: category of its entries, NULL for the default.
 * @param err: buffer for a fatal error.
 * @param errlen: its size.
 * @return DDG_OK (rejected lines are not fatal), DDG_ERR_INVAL (bad
 *	category or column) or DDG_ERR_NOMEM.
 */
int ddg_compile_add_buf(struct ddg_compile *c, const char *name,
	const char *buf, size_t len, enum ddg_fmt fmt, unsigned column,
	const char *category, char *err, size_t errlen);

/**
 * Read a file ("-" is standard input) and parse it as ddg_compile_add_buf()
 * does.
 * @param c: the compilation.
 * @param path: the file; also its name in messages and sources.
 * @param fmt: its format.
 * @param column: CSV column, 1-based.
 * @param category: category of its entries, NULL for the default.
 * @param err: buffer for a fatal error.
 * @param errlen: its size.
 * @return as ddg_compile_add_buf(), or DDG_ERR_IO.
 */
int ddg_compile_add_file(struct ddg_compile *c, const char *path,
	enum ddg_fmt fmt, unsigned column, const char *category, char *err,
	size_t errlen);

/**
 * Rejected lines so far.
 * @param c: the compilation.
 * @param r: a reason, or DDG_REJ_MAX for the total.
 * @return the count.
 */
uint64_t ddg_compile_rejects(const struct ddg_compile *c, enum ddg_reject r);

/**
 * Names accepted so far (before duplicate and coverage removal).
 * @param c: the compilation.
 * @return the count.
 */
uint64_t ddg_compile_accepted(const struct ddg_compile *c);

/**
 * Build the list image.  Creation time: ddg_compile_set_created(), else
 * the #@created line of a dump input, else default_created.
 * @param c: the compilation.
 * @param default_created: fallback creation time.
 * @param out: set to the malloc'ed image (caller frees).
 * @param outlen: set to its length.
 * @param st: if not NULL, filled with the writer's statistics.
 * @return DDG_OK, DDG_ERR_NOMEM or DDG_ERR_RANGE.
 */
int ddg_compile_finish(struct ddg_compile *c, uint64_t default_created,
	uint8_t **out, size_t *outlen, struct ddg_lw_stats *st);

#endif /* DDG_COMPILE_H */
