/**
 * \file name.h
 * DNS names: presentation and wire form, validation, case folding, canonical
 * order (RFC 4034 section 6.1) and the lookup key.
 *
 * Wire form is the uncompressed RFC 1035 form, labels with length octets,
 * ending in the root label (0).  The lookup key is a byte string in which
 * plain memcmp order equals DNS canonical order of the (case-folded) names:
 * labels in reverse order (root side first), lowercased, encoded so that any
 * byte, 0x00 included, can appear in a label.  No function here allocates.
 */
#ifndef DDG_NAME_H
#define DDG_NAME_H

#include <stddef.h>
#include <stdint.h>

/** maximum length of a wire-form name, root label included */
#define DDG_NAME_MAXWIRE 255
/** maximum length of a label */
#define DDG_NAME_MAXLABEL 63
/** maximum length of a lookup key for any valid name */
#define DDG_NAME_MAXKEY 512
/** buffer size that holds the presentation form of any valid name plus NUL
 * (every byte may become a 4-byte \DDD escape) */
#define DDG_NAME_MAXSTR 1024
/** longest category or client-network name (the .dgl format's limit,
 * DDG_LIST_MAXCAT) */
#define DDG_NAME_MAXCAT 63
/** the category-name rule in words, for messages */
#define DDG_NAME_CATEGORY_RULE "1..63 of A-Z a-z 0-9 . _ -"

/**
 * Convert a presentation-form name to wire form.
 * Accepts \DDD and \X escapes, an optional trailing dot, "." for the root.
 * Does not case-fold.
 * @param str: NUL-terminated presentation form.
 * @param wire: output buffer of at least DDG_NAME_MAXWIRE bytes.
 * @param wirelen: set to the wire length on success.
 * @return DDG_OK, DDG_ERR_SYNTAX (empty label, bad escape) or DDG_ERR_RANGE
 *	(label over 63 bytes, name over 255 bytes).
 */
int ddg_name_from_str(const char *str, uint8_t *wire, size_t *wirelen);

/**
 * Convert a wire-form name to presentation form with a trailing dot.
 * Bytes outside printable ASCII and the characters . \ " ( ) ; @ $ and
 * space inside labels are escaped as \DDD or \X, so the output is one line.
 * @param wire: a valid wire-form name (see ddg_name_wire_len).
 * @param out: output buffer; DDG_NAME_MAXSTR always suffices.
 * @param outlen: size of out.
 * @return length written (without NUL), or DDG_ERR_RANGE if out is too small
 *	(out then holds a NUL-terminated truncation).
 */
int ddg_name_to_str(const uint8_t *wire, char *out, size_t outlen);

/**
 * Validate a wire-form name within a buffer.
 * @param wire: the bytes.
 * @param max: how many bytes may be read.
 * @return the wire length (root label included, 1..255) or DDG_ERR_SYNTAX
 *	(compression pointer, label length over 63, runs past max) or
 *	DDG_ERR_RANGE (over 255 bytes).
 */
int ddg_name_wire_len(const uint8_t *wire, size_t max);

/**
 * Count the labels of a valid wire-form name, the root label excluded.
 * @return 0 for the root name.
 */
int ddg_name_label_count(const uint8_t *wire);

/**
 * Lowercase (ASCII A-Z only) a valid wire-form name in place.
 */
void ddg_name_tolower(uint8_t *wire);

/**
 * Compare two valid wire-form names in DNS canonical order (RFC 4034 6.1),
 * case-insensitively.
 * @return <0, 0 or >0.
 */
int ddg_name_canon_cmp(const uint8_t *a, const uint8_t *b);

/**
 * Whether name lies at or below zone (label boundaries, case-insensitive).
 * @return 1 if name equals zone or is below it, else 0.
 */
int ddg_name_is_subdomain(const uint8_t *name, const uint8_t *zone);

/**
 * Build the lookup key of a valid wire-form name.
 * @param wire: the name.
 * @param key: output buffer of at least DDG_NAME_MAXKEY bytes.
 * @return the key length (0 for the root name).
 */
int ddg_name_key(const uint8_t *wire, uint8_t *key);

/**
 * Rebuild the wire form of a name from its lookup key.
 * @param key: the key.
 * @param keylen: its length.
 * @param wire: output buffer of at least DDG_NAME_MAXWIRE bytes.
 * @return the wire length, or DDG_ERR_CORRUPT if key is not a valid key.
 */
int ddg_name_from_key(const uint8_t *key, size_t keylen, uint8_t *wire);

/**
 * How many leading bytes of s (of at most len) may stand in a category or
 * client-network name: letters, digits, '-', '_' and '.'.
 */
size_t ddg_name_category_span(const char *s, size_t len);

/**
 * Whether s (len bytes) is a valid category or client-network name:
 * 1 to DDG_NAME_MAXCAT bytes of [A-Za-z0-9._-].  The one rule that the
 * list format, the list writer, the configuration and the tools apply.
 * @return 1 or 0.
 */
int ddg_name_category_ok(const char *s, size_t len);

#endif /* DDG_NAME_H */
