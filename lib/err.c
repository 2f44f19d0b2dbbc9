/**
 * \file err.c
 * Error code texts.
 */
#include "dyndns-guard/err.h"

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
