/**
 * \file err.h
 * Error codes of the dyndns-guard core library.
 *
 * Functions return 0 (DDG_OK) on success and a negative enum ddg_err on
 * failure.  Loaders and parsers also fill a caller-supplied buffer of
 * DDG_ERR_LEN bytes with a message naming the file and line or byte offset.
 */
#ifndef DDG_ERR_H
#define DDG_ERR_H

/** size of the error message buffers passed to loaders and parsers */
#define DDG_ERR_LEN 512

/** error codes; all failures are negative */
enum ddg_err {
	DDG_OK = 0,
	DDG_ERR_NOMEM = -1,	/**< out of memory */
	DDG_ERR_IO = -2,	/**< a system call failed (errno in the message) */
	DDG_ERR_CORRUPT = -3,	/**< a list file failed validation */
	DDG_ERR_INVAL = -4,	/**< invalid argument or value */
	DDG_ERR_SYNTAX = -5,	/**< a text input (list, config) is malformed */
	DDG_ERR_RANGE = -6,	/**< a value or name is out of its range */
	DDG_ERR_VERSION = -7,	/**< unsupported file format version */
	DDG_ERR_NOTFOUND = -8	/**< no such entry */
};

/**
 * Short text for an error code.
 * @param err: a value of enum ddg_err.
 * @return a static string, never NULL ("unknown error" for other values).
 */
const char *ddg_strerror(int err);

#endif /* DDG_ERR_H */
