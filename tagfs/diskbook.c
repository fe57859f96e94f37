/*
 * diskbook.c: mirrored metadata blocks and DiskBook, the write-ahead log.
 *
 * Mirrors: every metadata block has two copies.  tfs_meta_read() asks the
 * device for copy 0 with a check (the block's own BoxHash); when that fails
 * it reads copy 1, rewrites copy 0 from it and counts a heal.
 *
 * The log: L blocks per copy at fixed places, written from block 0 after
 * each checkpoint ("epoch" = the checkpoint's generation, so blocks left over
 * from an older epoch never replay).  A transaction (one API operation) is
 * one or more log blocks carrying its records; the last has LOG_F_LAST.
 * Commit order: the data blocks the records point at were flushed first
 * (files.c), then both copies of every log block are written, then one
 * flush; only then is the operation applied in memory and acknowledged.
 * Replay walks the blocks of the current epoch in order and applies every
 * complete transaction; the first block that is missing, stale or out of
 * sequence ends the log, and a transaction without its last block (a power
 * cut during commit) is dropped: it was never acknowledged.
 */
#include "internal.h"

static const struct tagfs_check meta_check = { tfs_meta_ok, NULL };

int tfs_meta_read(struct tagfs *fs, uint64_t b0, uint64_t b1, uint8_t *buf)
{
	struct tagfs_dev *d = fs->dev;
	int e0 = d->read(d, b0, buf, &meta_check);
	if (e0 == TAGFS_OK)
		return TAGFS_OK;
	if (e0 == TAGFS_ECORRUPT)
		fs->stats.checksum_errors++;
	int e1 = d->read(d, b1, buf, &meta_check);
	if (e1 == TAGFS_OK) {
		if (!fs->readonly && d->write(d, b0, buf) == TAGFS_OK && d->flush(d) == TAGFS_OK)
			fs->stats.heals++;
		return TAGFS_OK;
	}
	if (e1 == TAGFS_ECORRUPT)
		fs->stats.checksum_errors++;
	return (e0 == TAGFS_ECORRUPT || e1 == TAGFS_ECORRUPT) ? TAGFS_ECORRUPT : e0;
}

int tfs_meta_write(struct tagfs *fs, uint64_t b0, uint64_t b1, uint8_t *buf)
{
	tfs_meta_seal(buf);
	int err = fs->dev->write(fs->dev, b0, buf);
	if (!err)
		err = fs->dev->write(fs->dev, b1, buf);
	return err;
}

int tfs_log_commit(struct tagfs *fs, struct tfs_buf *txn)
{
	if (txn->failed)
		return TAGFS_ENOMEM;
	if (!txn->len)
		return TAGFS_OK;
	uint64_t nblk = (txn->len + LOG_PAYLOAD_MAX - 1) / LOG_PAYLOAD_MAX;
	if (nblk > fs->log_blocks)
		return TAGFS_ENOSPC; /* larger than the whole log: refuse, change nothing */
	if (fs->log_suspect || fs->log_seq + nblk > fs->log_blocks) {
		int err = tfs_checkpoint_write(fs);
		if (err)
			return err;
	}
	uint8_t *blk = tagfs_alloc(TAGFS_BLOCK_SIZE);
	if (!blk)
		return TAGFS_ENOMEM;
	int err = TAGFS_OK;
	for (uint64_t i = 0; i < nblk && !err; i++) {
		size_t off = (size_t)i * LOG_PAYLOAD_MAX;
		size_t len = txn->len - off < LOG_PAYLOAD_MAX ? txn->len - off : LOG_PAYLOAD_MAX;
		uint64_t seq = fs->log_seq + i;
		memset(blk, 0, TAGFS_BLOCK_SIZE);
		tfs_put(blk + LOG_MAGIC, 4, TFS_LOG_MAGIC);
		tfs_put(blk + LOG_LEN, 4, len);
		tfs_put(blk + LOG_EPOCH, 8, fs->generation);
		tfs_put(blk + LOG_SEQ, 8, seq);
		tfs_put(blk + LOG_TXN, 8, fs->log_txn);
		tfs_put(blk + LOG_PART, 4, i);
		tfs_put(blk + LOG_FLAGS, 4, i + 1 == nblk ? LOG_F_LAST : 0);
		memcpy(blk + LOG_PAYLOAD, txn->data + off, len);
		err = tfs_meta_write(fs, fs->log_start + seq, fs->log_start + fs->log_blocks + seq, blk);
	}
	tagfs_free(blk);
	if (!err)
		err = fs->dev->flush(fs->dev);
	if (err) {
		/* Some of these blocks may be on disk: never append after them. */
		fs->log_suspect = true;
		return err;
	}
	fs->log_seq += nblk;
	fs->log_txn++;
	fs->stats.log_commits++;
	return TAGFS_OK;
}

/* The log block at seq if it is the one expected next (copy 0, else copy 1). */
static bool log_block_expected(struct tagfs *fs, uint64_t seq, uint64_t txn, uint32_t part,
			       uint8_t *blk)
{
	for (int copy = 0; copy < 2; copy++) {
		uint64_t b0 = fs->log_start + seq, b1 = fs->log_start + fs->log_blocks + seq;
		int err = copy == 0 ? tfs_meta_read(fs, b0, b1, blk)
				    : fs->dev->read(fs->dev, b1, blk, &(struct tagfs_check){ tfs_meta_ok, NULL });
		if (err)
			return false;
		if (tfs_get(blk + LOG_MAGIC, 4) == TFS_LOG_MAGIC &&
		    tfs_get(blk + LOG_EPOCH, 8) == fs->generation && tfs_get(blk + LOG_SEQ, 8) == seq &&
		    tfs_get(blk + LOG_TXN, 8) == txn && tfs_get(blk + LOG_PART, 4) == part &&
		    tfs_get(blk + LOG_LEN, 4) <= LOG_PAYLOAD_MAX && tfs_get(blk + LOG_LEN, 4) > 0)
			return true;
	}
	return false;
}

int tfs_log_replay(struct tagfs *fs)
{
	uint8_t *blk = tagfs_alloc(TAGFS_BLOCK_SIZE);
	if (!blk)
		return TAGFS_ENOMEM;
	struct tfs_buf txn = { 0 };
	uint64_t seq = 0, txn_no = 0, good_end = 0;
	uint32_t part = 0;
	int err = TAGFS_OK;
	while (seq < fs->log_blocks && log_block_expected(fs, seq, txn_no, part, blk)) {
		tfs_buf_put(&txn, blk + LOG_PAYLOAD, (size_t)tfs_get(blk + LOG_LEN, 4));
		seq++;
		part++;
		if (!(tfs_get(blk + LOG_FLAGS, 4) & LOG_F_LAST))
			continue;
		if (txn.failed) {
			err = TAGFS_ENOMEM;
			break;
		}
		err = tfs_apply(fs, txn.data, txn.len);
		if (err)
			break;
		fs->stats.replayed++;
		txn.len = 0;
		txn_no++;
		part = 0;
		good_end = seq;
	}
	tfs_buf_free(&txn);
	tagfs_free(blk);
	fs->log_seq = good_end;
	fs->log_txn = txn_no;
	/* Past the end there may be blocks of a transaction cut short. */
	fs->log_suspect = true;
	return err;
}
