/**
 * \file list_format.h
 * The on-disk layout of a compiled list (.dgl), version 3.  The validator
 * (lib/list_valid.c), the reader (lib/list.c) and the writer
 * (lib/list_write.c) share these constants;
 * docs/list-format.md has the same table and a worked example.
 *
 * All integers are unsigned little-endian.  The reader reads header and
 * block fields with the unpack helpers below; on a little-endian host it
 * uses the search index section (naturally aligned 64-bit numbers) in place,
 * after validating every value of it.
 *
 * Header (DDG_LIST_HDR_SIZE = 128 bytes at offset 0):
 *
 *  OFFSET SIZE MEANING
 *       0    8 magic "DDGLIST\0"
 *       8    4 format version (3)
 *      12    4 header size (128)
 *      16    4 flags: bit 0 DDG_LIST_F_SIGNED (a detached signature FILE.sig
 *              is expected; reserved, signatures are checked elsewhere);
 *              every other bit must be 0
 *      20    4 number of entries N
 *      24    4 number of categories C (1..65535 if N > 0, else 0..65535)
 *      28    4 reserved, 0
 *      32    8 file size in bytes (must equal the real size)
 *      40    8 creation time, seconds since 1970-01-01 UTC
 *      48    4 categories section offset
 *      52    4 categories section size
 *      56    4 sources section offset
 *      60    4 sources section size
 *      64    4 block table offset
 *      68    4 block table size (B * 4, B = ceil(N / 16) blocks)
 *      72    4 blocks section offset
 *      76    4 blocks section size
 *      80   32 SHA-256 of the whole file except this field: bytes 0..79
 *              followed by bytes 112 .. file size - 1 (padding included)
 *     112    4 search index section offset
 *     116    4 search index section size (ddg_list_index_layout(B))
 *     120    4 suffix filter section offset
 *     124    4 suffix filter section size (ddg_sfilter_size(
 *              DDG_LIST_FILTER_MEMBERS(N)))
 *
 * Sections follow the header in this order: categories, sources, block
 * table, search index, suffix filter, blocks; each starts at the next multiple of 64
 * (DDG_LIST_ALIGN) after the previous one (the first at 128); the gaps are
 * zero bytes.  The file ends exactly at the end of the blocks section.
 *
 * Categories: C names, each NUL-terminated, 1..63 bytes of [A-Za-z0-9._-];
 *   category index i is the i-th name.  Names are unique and sorted.
 * Sources: free text, lines separated by '\n', ending in one NUL; no other
 *   NUL and no control characters except '\n' and '\t'.  Size >= 1.
 * Entries, in strictly increasing lookup-key order (name.h), are stored in
 *   blocks of DDG_LIST_BLOCK (16; the last block may hold fewer), front
 *   coded: each entry is
 *     shared  1 byte: bytes its key shares with the previous key of the
 *             block, min(common prefix, 255); 0 for a block's first entry
 *     suffix  varint: key length - shared (>= 1)
 *     cat     varint: category index (< C)
 *     bytes   the suffix: the key's bytes from offset shared on
 *   where a varint is one byte 0..127, or two bytes 0x80 | (v >> 8), v & 0xff
 *   for 128..32767 (the shortest form only).  Key length 1..512.
 * Block table: B numbers of 4 bytes: the offset of block j inside the
 *   blocks section (block 0 at 0, each where the previous one ends).
 * Search index: a static 8-ary search tree over the blocks' first keys,
 *   levels of 64-bit little-endian numbers, each level padded with
 *   0xffffffffffffffff to a multiple of 8 numbers (one 64-byte cache line
 *   per 8), level 0 first: level 0 has B numbers, number j being the first
 *   8 bytes of block j's first key read as a big-endian number (zero-padded
 *   if the key is shorter: its order agrees with key order); level k+1 has
 *   ceil(n_k / 8) numbers, number i being number 8i of level k; levels are
 *   added while the last one has more than 8 numbers.  Empty for N = 0.
 * Suffix filter: the filter of sfilter.h over the entries' keys, for
 *   DDG_LIST_FILTER_MEMBERS(N) members, filled with the keys in order
 *   (ddg_sfilter_add_key() with each key's common prefix with the key
 *   before); the reader rebuilds it and requires the same bytes.  Empty
 *   for N = 0.
 */
#ifndef DDG_LIST_FORMAT_H
#define DDG_LIST_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** magic bytes at offset 0 */
#define DDG_LIST_MAGIC "DDGLIST"
/** length of the magic, its terminating NUL included */
#define DDG_LIST_MAGIC_LEN 8
/** the format version this code reads and writes */
#define DDG_LIST_VERSION 3
/** header size */
#define DDG_LIST_HDR_SIZE 128
/** entries per block */
#define DDG_LIST_BLOCK 16
/** block table record size */
#define DDG_LIST_BLKREC_SIZE 4
/** largest varint value */
#define DDG_LIST_VARINT_MAX 32767
/** section alignment (a cache line) */
#define DDG_LIST_ALIGN 64
/** header flag: a detached signature is expected (reserved) */
#define DDG_LIST_F_SIGNED 0x1u
/** all flags this version knows */
#define DDG_LIST_F_KNOWN DDG_LIST_F_SIGNED
/** parent index meaning "no enclosing entry" (ddg_list_entry()) */
#define DDG_LIST_NO_PARENT UINT32_MAX
/** longest category name */
#define DDG_LIST_MAXCAT 63
/** search index: numbers per block (one 64-byte cache line) */
#define DDG_LIST_FANOUT 8
/** search index: most levels (8^11 > 2^32 entries) */
#define DDG_LIST_MAXLVL 12
/** search index padding value */
#define DDG_LIST_IDX_PAD UINT64_MAX

/* header field offsets */
#define DDG_LH_MAGIC 0
#define DDG_LH_VERSION 8
#define DDG_LH_HDRSIZE 12
#define DDG_LH_FLAGS 16
#define DDG_LH_ENTRIES 20
#define DDG_LH_CATEGORIES 24
#define DDG_LH_RESERVED1 28
#define DDG_LH_FILESIZE 32
#define DDG_LH_CREATED 40
#define DDG_LH_CAT_OFF 48
#define DDG_LH_CAT_SIZE 52
#define DDG_LH_SRC_OFF 56
#define DDG_LH_SRC_SIZE 60
#define DDG_LH_BLK_OFF 64
#define DDG_LH_BLK_SIZE 68
#define DDG_LH_KEY_OFF 72
#define DDG_LH_KEY_SIZE 76
#define DDG_LH_SHA256 80
#define DDG_LH_IDX_OFF 112
#define DDG_LH_IDX_SIZE 116
#define DDG_LH_FLT_OFF 120
#define DDG_LH_FLT_SIZE 124


/** read a little-endian 16-bit value */
static inline uint16_t
ddg_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

/** read a little-endian 32-bit value */
static inline uint32_t
ddg_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
		((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/** read a little-endian 64-bit value */
static inline uint64_t
ddg_get64(const uint8_t *p)
{
	return (uint64_t)ddg_get32(p) | ((uint64_t)ddg_get32(p + 4) << 32);
}

/** write a little-endian 16-bit value */
static inline void
ddg_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/** write a little-endian 32-bit value */
static inline void
ddg_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/** write a little-endian 64-bit value */
static inline void
ddg_put64(uint8_t *p, uint64_t v)
{
	ddg_put32(p, (uint32_t)v);
	ddg_put32(p + 4, (uint32_t)(v >> 32));
}

/** members the suffix filter of a list of n entries is sized for: the
 * entries and a quarter more for their distinct ancestors */
#define DDG_LIST_FILTER_MEMBERS(n) \
	((n) ? (size_t)(n) + (size_t)(n) / 4 + 16 : (size_t)0)

/** number of blocks of n entries */
static inline uint32_t
ddg_list_blocks(uint32_t n)
{
	return (uint32_t)(((uint64_t)n + DDG_LIST_BLOCK - 1) / DDG_LIST_BLOCK);
}

/** bytes of the varint encoding of v (v <= DDG_LIST_VARINT_MAX) */
static inline size_t
ddg_list_varint_len(uint32_t v)
{
	return v < 128 ? 1 : 2;
}

/** write the varint of v at p; returns the bytes written */
static inline size_t
ddg_list_varint_put(uint8_t *p, uint32_t v)
{
	if(v < 128) {
		p[0] = (uint8_t)v;
		return 1;
	}
	p[0] = (uint8_t)(0x80 | (v >> 8));
	p[1] = (uint8_t)v;
	return 2;
}

/**
 * The search index number of a key: its first 8 bytes as a big-endian
 * number, zero-padded.  The one definition for the writer, the validator
 * and the search (a key of 8 bytes or more is one load, byte-swapped on a
 * little-endian host).
 */
static inline uint64_t
ddg_list_key_prefix(const uint8_t *k, size_t len)
{
	uint64_t p = 0;
	size_t i;

	if(len >= 8) {
		memcpy(&p, k, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		p = __builtin_bswap64(p);
#endif
		return p;
	}
	for(i = 0; i < 8; i++)
		p = (p << 8) | (i < len ? k[i] : 0);
	return p;
}

/**
 * Layout of the search index over n numbers (one per block).
 * @param n: number of blocks.
 * @param cnt: set to the number of numbers of each level (without padding).
 * @param off: set to the byte offset of each level inside the section.
 * @param size: set to the section size in bytes.
 * @return the number of levels (0 for n = 0).
 */
static inline int
ddg_list_index_layout(uint32_t n, uint64_t cnt[DDG_LIST_MAXLVL],
	uint64_t off[DDG_LIST_MAXLVL], uint64_t *size)
{
	uint64_t o = 0, c = n;
	int k = 0;

	if(n > 0) {
		for(;;) {
			cnt[k] = c;
			off[k] = o;
			o += ((c + DDG_LIST_FANOUT - 1) / DDG_LIST_FANOUT) *
				DDG_LIST_FANOUT * 8;
			k++;
			if(c <= DDG_LIST_FANOUT || k == DDG_LIST_MAXLVL)
				break;
			c = (c + DDG_LIST_FANOUT - 1) / DDG_LIST_FANOUT;
		}
	}
	*size = o;
	return k;
}

#endif /* DDG_LIST_FORMAT_H */
