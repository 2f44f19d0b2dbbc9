/**
 * \file sign.h
 * Detached Ed25519 signatures of list files (OpenSSL EVP).
 *
 * A signature of FILE is the text file FILE.sig:
 *
 *	dyndns-guard-signature: 1
 *	algorithm: ed25519
 *	key-id: <first 16 hex digits of the SHA-256 of the raw public key>
 *	signature: <base64 of the 64-byte Ed25519 signature of FILE's bytes>
 *
 * The key-id is 16 lowercase hex digits; the signature is the canonical
 * base64 (RFC 4648) of the 64 bytes: 86 digits, the last with its unused
 * low bits 0, then "==".
 *
 * Keys are PEM files: BASENAME.key (PKCS#8 private key, mode 0600) and
 * BASENAME.pub (SubjectPublicKeyInfo).  Verification is all-or-nothing and
 * names the defect: missing signature, malformed signature file, signed by
 * another key, or bad signature.
 */
#ifndef DDG_SIGN_H
#define DDG_SIGN_H

#include <stddef.h>
#include <stdint.h>

/** a loaded Ed25519 key, private or public (opaque) */
struct ddg_sign_key;

/** largest signature file accepted */
#define DDG_SIGN_MAXFILE 4096
/** length of a key id in hex digits */
#define DDG_SIGN_KEYID_LEN 16
/** length of an Ed25519 signature in bytes */
#define DDG_SIGN_LEN 64

/** the contents of a signature file, as ddg_sign_parse() read them */
struct ddg_sign_text {
	/** the key-id: DDG_SIGN_KEYID_LEN lowercase hex digits and a NUL */
	char key_id[DDG_SIGN_KEYID_LEN + 1];
	/** the decoded signature */
	uint8_t sig[DDG_SIGN_LEN];
};

/**
 * Generate an Ed25519 key pair into BASENAME.key and BASENAME.pub.
 * Existing files are not overwritten.
 * @param basename: path prefix.
 * @param err: message buffer of errlen bytes, filled on failure.
 * @param errlen: its size.
 * @return DDG_OK, DDG_ERR_IO (a file exists or cannot be written) or
 *	DDG_ERR_NOMEM.
 */
int ddg_sign_keygen(const char *basename, char *err, size_t errlen);

/**
 * Load a PEM private key (for signing).
 * @return DDG_OK, DDG_ERR_IO or DDG_ERR_INVAL (not an Ed25519 key).
 * @note caller frees with ddg_sign_key_free().
 */
int ddg_sign_load_private(const char *path, struct ddg_sign_key **out,
	char *err, size_t errlen);

/**
 * Load a PEM public key (for verifying).
 * @return DDG_OK, DDG_ERR_IO or DDG_ERR_INVAL (not an Ed25519 key).
 * @note caller frees with ddg_sign_key_free().
 */
int ddg_sign_load_public(const char *path, struct ddg_sign_key **out,
	char *err, size_t errlen);

/**
 * Free a key.  Accepts NULL.
 */
void ddg_sign_key_free(struct ddg_sign_key *key);

/**
 * The key id of a key (from its public half).
 * @param key: the key.
 * @param out: DDG_SIGN_KEYID_LEN + 1 bytes, NUL-terminated hex.
 * @return DDG_OK or DDG_ERR_INVAL.
 */
int ddg_sign_key_id(const struct ddg_sign_key *key, char *out);

/**
 * Sign a file and write the detached signature to FILE.sig atomically
 * (temporary file, fsync, rename).  The file is read once into memory and
 * those bytes are signed; a file that changes while it is read is refused.
 * @param key: a private key.
 * @param path: the file to sign.
 * @return DDG_OK, DDG_ERR_IO, DDG_ERR_INVAL or DDG_ERR_NOMEM.
 */
int ddg_sign_file(const struct ddg_sign_key *key, const char *path,
	char *err, size_t errlen);

/**
 * Parse the text of a signature file from memory (the one parser of the
 * format; ddg_sign_verify() reads the file and uses it).  Lines are
 * "key: value" (spaces and tabs before the value, spaces and a CR after
 * it are ignored); the first line of each key counts, other lines are
 * ignored.
 * @param text: the file's bytes (need not be NUL-terminated).
 * @param len: their number; over DDG_SIGN_MAXFILE is an error.
 * @param name: the file name for messages.
 * @param out: filled on success.
 * @param err: filled on failure with "<name>: <defect>".
 * @param errlen: its size.
 * @return DDG_OK or DDG_ERR_SYNTAX (malformed: too large, a NUL byte, not
 *	version 1, not ed25519, no or a malformed key-id or signature,
 *	including a signature that is not canonical base64).
 */
int ddg_sign_parse(const char *text, size_t len, const char *name,
	struct ddg_sign_text *out, char *err, size_t errlen);

/**
 * Verify bytes against the text of a signature file held in memory.
 * @param key: a public key.
 * @param data: the signed bytes.
 * @param len: their length.
 * @param sigtext: the signature file's bytes.
 * @param siglen: their number.
 * @param name: the signature file's name for messages.
 * @param err: filled on failure with "<name>: <defect>".
 * @param errlen: its size.
 * @return DDG_OK, DDG_ERR_SYNTAX (malformed, see ddg_sign_parse()),
 *	DDG_ERR_INVAL (signed by another key) or DDG_ERR_CORRUPT (the
 *	signature does not match the data).
 */
int ddg_sign_verify_mem(const struct ddg_sign_key *key, const uint8_t *data,
	size_t len, const char *sigtext, size_t siglen, const char *name,
	char *err, size_t errlen);

/**
 * Verify bytes against a signature file (read, then
 * ddg_sign_verify_mem()).
 * @param key: a public key.
 * @param data: the signed bytes (the whole list file).
 * @param len: their length.
 * @param sigpath: the signature file (normally FILE.sig).
 * @param err: filled on failure with "<sigpath>: <defect>".
 * @return DDG_OK, DDG_ERR_IO (no signature file), DDG_ERR_SYNTAX
 *	(malformed signature file), DDG_ERR_INVAL (signed by another key) or
 *	DDG_ERR_CORRUPT (the signature does not match the data).
 */
int ddg_sign_verify(const struct ddg_sign_key *key, const uint8_t *data,
	size_t len, const char *sigpath, char *err, size_t errlen);

/** what ddg_sign_accept() decided about a list */
enum ddg_sign_verdict {
	/** accepted: no public key is configured, nothing was checked */
	DDG_SIGN_UNCHECKED = 0,
	/** accepted: LIST.sig verifies over the list's bytes */
	DDG_SIGN_GOOD,
	/** accepted without a signature: there is no LIST.sig and
	 * require-signature is off (the reason is given, for a warning) */
	DDG_SIGN_UNSIGNED,
	/** refused (the reason is given) */
	DDG_SIGN_REFUSED
};

/**
 * The signature rule for a list, in one place for the module (load and
 * reload), `checkconf` and `verify --public-key`: without a public key
 * nothing is checked, unless require-signature is on (refused: the
 * setting needs a key); with a key, LIST.sig must verify over exactly the
 * bytes given (a malformed, foreign-key or wrong signature is always
 * refused), and a missing LIST.sig is refused only when required.
 * @param key: the configured public key, or NULL for none.
 * @param require: require-signature: yes.
 * @param data: the list's bytes, as validated and then used (may be NULL
 *	without a key).
 * @param len: their number.
 * @param listpath: the list file; its signature is listpath.sig (may be
 *	NULL without a key).
 * @param err: for DDG_SIGN_UNSIGNED and DDG_SIGN_REFUSED the reason
 *	("<listpath>.sig: <defect>", or the setting's problem), else "".
 * @param errlen: its size.
 * @return the verdict.
 */
enum ddg_sign_verdict ddg_sign_accept(const struct ddg_sign_key *key,
	int require, const uint8_t *data, size_t len, const char *listpath,
	char *err, size_t errlen);

#endif /* DDG_SIGN_H */
