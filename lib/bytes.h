/**
 * \file bytes.h
 * Internal byte helpers shared by the core's name and list code: SWAR
 * tests on eight bytes at a time, and the lookup-key order.  Not part of
 * the public API (lib/ only).
 */
#ifndef DDG_LIB_BYTES_H
#define DDG_LIB_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** high bit of each byte of x set exactly where the byte is zero */
static inline uint64_t
ddg_bytes_zero(uint64_t x)
{
	const uint64_t m = 0x7f7f7f7f7f7f7f7fULL;
	return ~(((x & m) + m) | x | m);
}

/** high bit of each byte of x set exactly where the byte is 'A'..'Z' */
static inline uint64_t
ddg_bytes_upper(uint64_t x)
{
	const uint64_t m = 0x7f7f7f7f7f7f7f7fULL;
	uint64_t y = x & m;
	uint64_t ge_a = y + 0x3f3f3f3f3f3f3f3fULL;	/* >= 0x41 */
	uint64_t ge_z = y + 0x2525252525252525ULL;	/* >= 0x5b */
	return ge_a & ~ge_z & ~x & ~m;
}

/** compare two lookup keys (byte order, a prefix first): <0, 0, >0 */
static inline int
ddg_bytes_keycmp(const uint8_t *a, size_t alen, const uint8_t *b,
	size_t blen)
{
	size_t m = alen < blen ? alen : blen;
	int r = memcmp(a, b, m);
	if(r)
		return r;
	return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

#endif /* DDG_LIB_BYTES_H */
