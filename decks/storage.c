/*
 * storage.c: the Storage Deck's table, its shared state and the volume-wide
 * ops (scope, stats, Braid status, fsck, why, raw device reads).
 *
 * Kernel-only: every handler works on the volume core/volume.c mounted at
 * boot, synchronously on the K-Core inside the Guide (the disk drivers
 * poll), one op at a time, so no locking is needed.  The file ops are in
 * storage_files.c, the snapshot ops in storage_snap.c, the pure decoding and
 * the error mapping in storage_map.c; docs/storage.md lists every op.
 *
 * Every handler decodes first (parameters, Crates, sizes, names) and
 * returns without touching the volume when something is wrong; it ends
 * with storage_done(), which maps the TagFS code to a box_status and keeps
 * it for storage.why, per Cabin (the Result carries no value on failure).
 *
 * The storage scope: storage.ctx.set stores a list of TagFS tag names that
 * replaces the machine-wide use context (system.ctx.use) for storage;
 * storage.ctx.clear drops it, and storage follows the use context again.
 * Queries AND the scope's tags in, creates add them to the new file.
 */
#include "decks/storage.h"
#include "decks/decks.h"
#include "decks/system.h"
#include "boxos/ops.h"
#include "core/cabin.h"
#include "core/volume.h"
#include "drivers/disk.h"
#include "lib/string.h"

/* ---- per-Cabin last error (storage.why) ---- */

#define WHY_SLOTS 32u
static struct {
	uint32_t cabin;
	int32_t code, status;
} why_slots[WHY_SLOTS];
static unsigned why_next;

int32_t storage_done(const struct op_call *call, int code)
{
	int32_t st = storage_status(code);
	uint32_t id = call->caller ? call->caller->id : 0;
	unsigned slot = WHY_SLOTS;
	for (unsigned i = 0; i < WHY_SLOTS && slot == WHY_SLOTS; i++)
		if (why_slots[i].cabin == id)
			slot = i;
	if (slot == WHY_SLOTS) {
		if (code == BOX_STORAGE_OK)
			return st;  /* nothing to remember */
		slot = why_next++ % WHY_SLOTS;
	}
	why_slots[slot].cabin = id;
	why_slots[slot].code = code;
	why_slots[slot].status = st;
	return st;
}

struct tagfs *storage_fs(void)
{
	return volume_fs();
}

static int32_t storage_why(struct op_call *call)
{
	struct op_buf *out = call->out;
	if (sys_check_out(out, sizeof(struct box_storage_why)) != BOX_OK)
		return BOX_ERR_BOUNDS;
	struct box_storage_why w;
	memset(&w, 0, sizeof(w));
	uint32_t id = call->caller ? call->caller->id : 0;
	for (unsigned i = 0; i < WHY_SLOTS; i++)
		if (why_slots[i].cabin == id) {
			w.code = why_slots[i].code;
			w.status = why_slots[i].status;
		}
	const char *t = storage_code_text(w.code);
	size_t n = strlen(t);
	if (n >= sizeof(w.text))
		n = sizeof(w.text) - 1;
	memcpy(w.text, t, n);
	memcpy(out->data, &w, sizeof(w));
	out->size = sizeof(w);
	call->value = (uint64_t)(int64_t)w.code;
	return BOX_OK;
}

/* ---- the scope ---- */

static struct storage_taglist own_scope;
static bool own_scope_set;

void storage_scope(struct storage_taglist *l, bool *own)
{
	*own = own_scope_set;
	if (own_scope_set) {
		*l = own_scope;
		return;
	}
	l->count = 0;
	char names[TAGS_CTX_MAX * TAGS_NAME_MAX];
	size_t n = tags_ctx_format(sys_tags(), names, sizeof(names));
	if (n <= sizeof(names) && storage_parse_tags(l, names, n, STORAGE_SCOPE_MAX) != BOX_OK)
		l->count = 0;  /* kernel tag names are always valid TagFS names */
}

static int32_t storage_ctx_set(struct op_call *call)
{
	const struct op_buf *in = call->in;
	if (sys_check_small_input(in, STORAGE_SCOPE_MAX * STORAGE_TAG_BYTES) != BOX_OK || !in)
		return BOX_ERR_INVALID;
	struct storage_taglist l;
	l.count = 0;
	int32_t st = storage_parse_tags(&l, (const char *)in->data, in->size, STORAGE_SCOPE_MAX);
	if (st != BOX_OK)
		return st;
	if (l.count == 0)
		return BOX_ERR_INVALID;
	own_scope = l;
	own_scope_set = true;
	call->value = l.count;
	return BOX_OK;
}

static int32_t storage_ctx_clear(struct op_call *call)
{
	own_scope_set = false;
	own_scope.count = 0;
	call->value = 0;
	return BOX_OK;
}

static int32_t storage_ctx_get(struct op_call *call)
{
	struct op_buf *out = call->out;
	if (!out || op_check_buf(out) != BOX_OK)
		return BOX_ERR_INVALID;
	struct storage_taglist l;
	bool own;
	storage_scope(&l, &own);
	uint64_t n = 0;
	for (unsigned i = 0; i < l.count; i++) {
		size_t len = strlen(l.name[i]);
		if (n + len + (i ? 1 : 0) > out->capacity)
			return BOX_ERR_BOUNDS;
		if (i)
			out->data[n++] = ' ';
		memcpy(out->data + n, l.name[i], len);
		n += len;
	}
	out->size = n;
	call->value = own ? 1 : 0;
	return BOX_OK;
}

/* ---- volume-wide records ---- */

static int32_t storage_stats(struct op_call *call)
{
	struct op_buf *out = call->out;
	if (sys_check_out(out, sizeof(struct box_storage_stats)) != BOX_OK)
		return BOX_ERR_BOUNDS;
	struct tagfs *fs = storage_fs();
	if (!fs)
		return storage_done(call, BOX_STORAGE_ENOVOLUME);
	struct tagfs_statfs sf;
	struct tagfs_stats ts;
	tagfs_statfs(fs, &sf);
	tagfs_stats(fs, &ts);
	struct box_storage_stats s;
	memset(&s, 0, sizeof(s));
	size_t wl = strlen(volume_where());
	memcpy(s.where, volume_where(), wl < sizeof(s.where) ? wl : sizeof(s.where) - 1);
	s.kind = volume_kind();
	s.readonly = tagfs_readonly(fs);
	s.block_size = sf.block_size;
	s.total_blocks = sf.total_blocks;
	s.pool_blocks = sf.pool_blocks;
	s.free_blocks = sf.free_blocks;
	s.data_blocks = sf.data_blocks;
	s.meta_blocks = sf.meta_blocks;
	s.log_blocks = sf.log_blocks;
	s.files = sf.files;
	s.tags = sf.tags;
	s.snapshots = sf.snapshots;
	s.logical_bytes = sf.logical_bytes;
	s.checksum_errors = ts.checksum_errors;
	s.heals = ts.heals;
	s.tag_placements = ts.tag_placements;
	s.dedup_blocks = ts.dedup_blocks;
	s.log_commits = ts.log_commits;
	s.replayed = ts.replayed;
	s.checkpoints = ts.checkpoints;
	memcpy(out->data, &s, sizeof(s));
	out->size = sizeof(s);
	call->value = sf.files;
	return storage_done(call, BOX_STORAGE_OK);
}

static int32_t storage_braid_status(struct op_call *call)
{
	struct op_buf *out = call->out;
	if (sys_check_out(out, sizeof(struct box_storage_braid)) != BOX_OK)
		return BOX_ERR_BOUNDS;
	struct braid *b = volume_braid();
	if (!b)
		return storage_done(call, volume_fs() ? BOX_STORAGE_ENOENT : BOX_STORAGE_ENOVOLUME);
	struct braid_stats bs;
	braid_get_stats(b, &bs);
	struct tagfs_stats ts;
	tagfs_stats(volume_fs(), &ts);
	struct box_storage_braid r;
	memset(&r, 0, sizeof(r));
	r.mode = bs.mode;
	r.members = bs.members;
	r.degraded = bs.degraded;
	r.blocks = bs.blocks;
	r.generation = bs.generation;
	r.checksum_errors = bs.checksum_errors;
	r.mismatches = bs.mismatches;
	r.read_errors = bs.read_errors;
	r.heals = bs.heals;
	r.heal_failures = bs.heal_failures;
	r.uncorrectable = bs.uncorrectable;
	r.resync_blocks = bs.resync_blocks;
	r.resync_conflicts = bs.resync_conflicts;
	r.tag_placements = ts.tag_placements;
	for (unsigned i = 0; i < BRAID_MAX_MEMBERS && i < bs.members; i++) {
		const struct braid_member_stats *m = &bs.member[i];
		struct box_storage_member *o = &r.member[i];
		o->state = m->state;
		for (unsigned d = 0; b->member[i] && d < disk_count(); d++)
			if (disk_get(d) == b->member[i]) {
				size_t n = strlen(disk_name(d));
				memcpy(o->disk, disk_name(d), n < sizeof(o->disk) ? n : sizeof(o->disk) - 1);
			}
		o->reads = m->reads;
		o->writes = m->writes;
		o->read_errors = m->read_errors;
		o->checksum_errors = m->checksum_errors;
		o->mismatches = m->mismatches;
		o->heals = m->heals;
		o->resync_blocks = m->resync_blocks;
		o->dirty_extents = m->dirty_extents;
	}
	memcpy(out->data, &r, sizeof(r));
	out->size = sizeof(r);
	call->value = bs.heals;
	return storage_done(call, BOX_STORAGE_OK);
}

static int32_t fsck_common(struct op_call *call, bool repair)
{
	struct op_buf *out = call->out;
	if (sys_check_out(out, sizeof(struct box_storage_fsck)) != BOX_OK)
		return BOX_ERR_BOUNDS;
	struct tagfs *fs = storage_fs();
	if (!fs)
		return storage_done(call, BOX_STORAGE_ENOVOLUME);
	struct tagfs_fsck_report rep;
	memset(&rep, 0, sizeof(rep));
	int rc = tagfs_fsck(fs, repair, &rep);
	struct box_storage_fsck r;
	memset(&r, 0, sizeof(r));
	r.result = rc;
	r.problems = rep.problems;
	r.repaired = rep.repaired;
	r.unrepairable = rep.unrepairable;
	r.blocks_checked = rep.blocks_checked;
	r.files_checked = rep.files_checked;
	memcpy(r.first, rep.first, sizeof(r.first) - 1);
	memcpy(out->data, &r, sizeof(r));
	out->size = sizeof(r);
	call->value = rep.problems;
	/* The report is the answer: an unclean volume is not an op failure
	 * unless checking itself failed. */
	return storage_done(call, rc == TAGFS_ECORRUPT ? BOX_STORAGE_OK : rc);
}

static int32_t storage_fsck(struct op_call *call)
{
	return fsck_common(call, false);
}

static int32_t storage_repair(struct op_call *call)
{
	return fsck_common(call, true);
}

/* Raw disk blocks, for comparing TagFS with the device underneath (bench). */
static int32_t storage_dev_read(struct op_call *call)
{
	OP_PARAMS(box_params_storage_dev_read, p);
	struct op_buf *out = call->out;
	if (!out || op_check_buf(out) != BOX_OK)
		return BOX_ERR_INVALID;
	uint64_t n = out->capacity / TAGFS_BLOCK_SIZE;
	if (n == 0)
		return BOX_ERR_BOUNDS;
	if (n > BOX_STORAGE_DEV_BLOCKS)
		n = BOX_STORAGE_DEV_BLOCKS;
	struct tagfs_dev *d = disk_get(p->disk);
	if (!d)
		return BOX_ERR_NOENT;
	if (p->block >= d->blocks || n > d->blocks - p->block)
		return BOX_ERR_BOUNDS;
	for (uint64_t i = 0; i < n; i++) {
		int rc = d->read(d, p->block + i, out->data + i * TAGFS_BLOCK_SIZE, NULL);
		if (rc != TAGFS_OK) {
			out->size = i * TAGFS_BLOCK_SIZE;
			return storage_done(call, rc);
		}
	}
	out->size = n * TAGFS_BLOCK_SIZE;
	call->value = n;
	return BOX_OK;
}

static const struct deck_op ops[] = {
	{BOX_OP_STORAGE_CREATE, storage_create},
	{BOX_OP_STORAGE_READ, storage_read},
	{BOX_OP_STORAGE_WRITE, storage_write},
	{BOX_OP_STORAGE_DELETE, storage_delete},
	{BOX_OP_STORAGE_RENAME, storage_rename},
	{BOX_OP_STORAGE_LOOKUP, storage_lookup},
	{BOX_OP_STORAGE_QUERY, storage_query},
	{BOX_OP_STORAGE_GETINFO, storage_getinfo},
	{BOX_OP_STORAGE_TAG_SET, storage_tag_set},
	{BOX_OP_STORAGE_TAG_UNSET, storage_tag_unset},
	{BOX_OP_STORAGE_CTX_SET, storage_ctx_set},
	{BOX_OP_STORAGE_CTX_CLEAR, storage_ctx_clear},
	{BOX_OP_STORAGE_CTX_GET, storage_ctx_get},
	{BOX_OP_STORAGE_OPEN, storage_open},
	{BOX_OP_STORAGE_HREAD, storage_hread},
	{BOX_OP_STORAGE_CLOSE, storage_close},
	{BOX_OP_STORAGE_SNAP_CREATE, storage_snap_create},
	{BOX_OP_STORAGE_SNAP_LIST, storage_snap_list},
	{BOX_OP_STORAGE_SNAP_DELETE, storage_snap_delete},
	{BOX_OP_STORAGE_SNAP_FILES, storage_snap_files},
	{BOX_OP_STORAGE_FSCK, storage_fsck},
	{BOX_OP_STORAGE_REPAIR, storage_repair},
	{BOX_OP_STORAGE_STATS, storage_stats},
	{BOX_OP_STORAGE_BRAID_STATUS, storage_braid_status},
	{BOX_OP_STORAGE_WHY, storage_why},
	{BOX_OP_STORAGE_DEV_READ, storage_dev_read},
};

const struct deck storage_deck = {
	"storage", BOX_DECK_STORAGE, ops, sizeof(ops) / sizeof(ops[0]),
};
