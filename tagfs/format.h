/*
 * format.h: TagFS's on-disk layout (format version 1), byte by byte.
 *
 * Every field is little-endian and read or written through tfs_get/put at a
 * fixed offset (no packed structs), so the layout is the same for every
 * compiler.  docs/tagfs.md describes the same layout with the reasons.
 *
 *   block 0                 superblock, copy A
 *   blocks 2 .. 2+L-1       DiskBook (write-ahead log), copy 0
 *   blocks 2+L .. 2+2L-1    DiskBook, copy 1 (the mirror)
 *   blocks 2+2L .. N-2      the pool: data blocks and checkpoint pages
 *   block N-1               superblock, copy B
 *   (block 1 is reserved and left zero)
 *
 * Every metadata block (superblock, checkpoint page, log block) starts with
 * the XXH3-128 of its bytes 16..4095, so a block checks itself.
 */
#ifndef TAGFS_FORMAT_H
#define TAGFS_FORMAT_H

#include <stdint.h>

#define TFS_VERSION         1u
#define TFS_SB_MAGIC        0x5346476154786f42ull /* "BoxTagFS" */
#define TFS_CP_MAGIC        0x50434654u           /* "TFCP" checkpoint page */
#define TFS_LOG_MAGIC       0x474c4654u           /* "TFLG" log block */
#define TFS_STREAM_MAGIC    0x54534654u           /* "TFST" checkpoint stream */
#define TFS_MIN_BLOCKS      64u
#define TFS_LOG_MIN         16u
#define TFS_LOG_MAX         16384u
#define TFS_FILE_MAX        (1ull << 44)          /* largest file size (16 TiB) */

/* Header common to every metadata block: bytes 0..15 hold the check. */
#define TFS_HDR_CHECK       0

/* Superblock fields. */
#define SB_MAGIC            16  /* u64 */
#define SB_VERSION          24  /* u32: TFS_VERSION; anything else is refused */
#define SB_INCOMPAT         28  /* u32: feature bits; any set bit is refused */
#define SB_BLOCK_SIZE       32  /* u32: 4096 */
#define SB_LOG_BLOCKS       36  /* u32: L, log blocks per copy */
#define SB_TOTAL_BLOCKS     40  /* u64: N */
#define SB_VOLUME_ID        48  /* u64 */
#define SB_GENERATION       56  /* u64: checkpoint generation = log epoch */
#define SB_LOG_START        64  /* u64: 2 */
#define SB_POOL_START       72  /* u64: 2 + 2L */
#define SB_POOL_END         80  /* u64: N - 1 (exclusive) */
#define SB_CP_FIRST0        88  /* u64: first checkpoint page, copy 0 */
#define SB_CP_FIRST1        96  /* u64: first checkpoint page, copy 1 */
#define SB_CP_PAGES         104 /* u32 */
#define SB_CP_BYTES         112 /* u64: stream length */
#define SB_CP_HASH          120 /* 16 bytes: XXH3-128 of the stream */

/* Checkpoint page fields. */
#define CP_MAGIC            16  /* u32 */
#define CP_LEN              20  /* u32: payload bytes in this page */
#define CP_GENERATION       24  /* u64 */
#define CP_INDEX            32  /* u32: page number in the chain */
#define CP_NEXT0            40  /* u64: next page copy 0 (0 = last) */
#define CP_NEXT1            48  /* u64: next page copy 1 */
#define CP_PAYLOAD          64
#define CP_PAYLOAD_MAX      (4096 - CP_PAYLOAD)

/* Log block fields. */
#define LOG_MAGIC           16  /* u32 */
#define LOG_LEN             20  /* u32: payload bytes */
#define LOG_EPOCH           24  /* u64: generation of the checkpoint it follows */
#define LOG_SEQ             32  /* u64: block number in the log since that checkpoint */
#define LOG_TXN             40  /* u64: transaction number since that checkpoint */
#define LOG_PART            48  /* u32: block index within the transaction */
#define LOG_FLAGS           52  /* u32: LOG_F_LAST on a transaction's last block */
#define LOG_PAYLOAD         64
#define LOG_PAYLOAD_MAX     (4096 - LOG_PAYLOAD)
#define LOG_F_LAST          1u

/* DiskBook record types (a transaction's payload is a sequence of records:
 * u8 type, u32 body length, body). */
enum tfs_rec {
	REC_TAG_NEW = 1,   /* u32 id, u8 len, name */
	REC_FILE_NEW = 2,  /* u64 id, u64 time, u8 len, name, u8 ntags, u32 tag[] */
	REC_FILE_DATA = 3, /* u64 id, u64 time, u64 size, hash, u32 n, {u64 block, hash}[n] */
	REC_FILE_TAGS = 4, /* u64 id, u8 ntags, u32 tag[] */
	REC_FILE_NAME = 5, /* u64 id, u8 len, name */
	REC_FILE_DEL = 6,  /* u64 id */
	REC_SNAP_NEW = 7,  /* u32 id, u64 time, u8 len, name */
	REC_SNAP_DEL = 8,  /* u32 id */
};

/* Blocks a file of size bytes takes (no overflow for any size). */
static inline uint64_t tfs_blocks_for(uint64_t size)
{
	return size / 4096 + (size % 4096 != 0);
}

static inline uint64_t tfs_get(const void *p, unsigned bytes)
{
	const uint8_t *b = p;
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static inline void tfs_put(void *p, unsigned bytes, uint64_t v)
{
	uint8_t *b = p;
	for (unsigned i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

#endif
