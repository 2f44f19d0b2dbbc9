/**
 * \file err.c
 * Error code texts, and the error message formatter (fail.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dyndns-guard/err.h"
#include "fail.h"

const char *
ddg_strerror(int err)
{
	switch(err) {
	case DDG_OK: return "success";
	case DDG_ERR_NOMEM: return "out of memory";
	case DDG_ERR_IO: return "input/output error";
	case DDG_ERR_CORRUPT: return "corrupt list file";
	case DDG_ERR_INVAL: return "invalid argument";
	case DDG_ERR_SYNTAX: return "syntax error";
	case DDG_ERR_RANGE: return "out of range";
	case DDG_ERR_VERSION: return "unsupported format version";
	case DDG_ERR_NOTFOUND: return "not found";
	}
	return "unknown error";
}

int
ddg_fail(char *err, size_t errlen, int code, const char *name, uint64_t off,
	const char *fmt, ...)
{
	va_list ap;
	size_t n = 0;

	if(!err || errlen == 0)
		return code;
	if(name) {
		int w = snprintf(err, errlen, "%s: ", name);
		if(w < 0 || (size_t)w >= errlen)
			return code;
		n = (size_t)w;
	}
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	if(off != DDG_FAIL_NOOFF) {
		n = strlen(err);
		snprintf(err + n, errlen - n, " at byte offset %llu",
			(unsigned long long)off);
	}
	return code;
}
