/**
 * \file fail.h
 * Internal: the one formatter of the core's error messages,
 * "<name>: <reason>" with " at byte offset N" where an offset is known.
 * Used by the list validator and reader (list_valid.c, list.c), the file
 * reader (image.c) and the signatures (sign.c).  Not part of the public
 * API (lib/ only).
 */
#ifndef DDG_LIB_FAIL_H
#define DDG_LIB_FAIL_H

#include <stddef.h>
#include <stdint.h>

/** the byte offset argument of ddg_fail() when there is none */
#define DDG_FAIL_NOOFF UINT64_MAX

/**
 * Format an error message into err and return code.
 * @param err: the caller's buffer (NULL or errlen 0: nothing written).
 * @param errlen: its size.
 * @param code: returned.
 * @param name: the file (or "(memory)") the message starts with, and
 *	": "; NULL for none.
 * @param off: appended as " at byte offset N"; DDG_FAIL_NOOFF for none.
 * @param fmt: printf format of the reason.
 * @return code.
 */
int ddg_fail(char *err, size_t errlen, int code, const char *name,
	uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

#endif /* DDG_LIB_FAIL_H */
