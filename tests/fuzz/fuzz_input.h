/**
 * \file fuzz_input.h
 * A reader over a fuzz input for targets that build structured values
 * (events, answers) from the bytes: each call consumes bytes from the
 * front; past the end every number reads as 0 and every byte string as
 * empty, so any input, also a short one, gives a well-defined value.
 */
#ifndef DDG_FUZZ_INPUT_H
#define DDG_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** the unread rest of an input */
struct fz {
	/** next byte */
	const uint8_t *p;
	/** bytes left */
	size_t n;
};

/** Start reading data. */
static inline void
fz_init(struct fz *z, const uint8_t *data, size_t size)
{
	z->p = data;
	z->n = size;
}

/** One byte, 0 past the end. */
static inline uint8_t
fz_u8(struct fz *z)
{
	uint8_t v;

	if(z->n == 0)
		return 0;
	v = *z->p++;
	z->n--;
	return v;
}

/** A big-endian number of n bytes (n <= 8). */
static inline uint64_t
fz_un(struct fz *z, int n)
{
	uint64_t v = 0;

	while(n-- > 0)
		v = (v << 8) | fz_u8(z);
	return v;
}

/**
 * Up to want bytes: *out points at them (inside the input) and the
 * number really available is returned, so a length taken from the input
 * never exceeds the bytes behind it.
 */
static inline size_t
fz_bytes(struct fz *z, size_t want, const uint8_t **out)
{
	size_t k = want < z->n ? want : z->n;

	*out = z->p;
	z->p += k;
	z->n -= k;
	return k;
}

#endif /* DDG_FUZZ_INPUT_H */
