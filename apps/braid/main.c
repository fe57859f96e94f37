/*
 * braid: the Braid set under the volume, its members and counters.
 *
 *   braid
 *
 * Prints the mode, whether it is degraded, the set counters (checksum
 * errors, heals, tag-driven placements, ...) and one line per member.
 * Exit 0, or 1 when the volume is not on a Braid set.
 */
#include "../storage_app.h"

static const char *state_name(uint32_t s)
{
	return s == 2 ? "active" : s == 1 ? "stale" : "absent";
}

int main(int argc, char **argv)
{
	st_init();
	if (st_help(argc, argv, "usage: braid  (Braid set status and counters)"))
		return 0;
	struct box_storage_braid b;
	uint64_t len = 0;
	int32_t st = box_storage_braid_status(&b, sizeof(b), &len, NULL);
	if (st == BOX_ERR_NOENT) {
		struct box_storage_stats s;
		if (box_storage_stats(&s, sizeof(s), &len, NULL) == BOX_OK) {
			printf("the volume (%s) is not on a Braid set\n", s.where);
			return 1;
		}
	}
	if (st != BOX_OK)
		return st_fail("braid status", st);
	static const char *const modes[] = {"?", "mirror", "stripe", "weave"};
	printf("mode %s, %u members, %s, %lu blocks, generation %lu\n",
	       modes[b.mode < 4 ? b.mode : 0], b.members, b.degraded ? "DEGRADED" : "healthy",
	       (unsigned long)b.blocks, (unsigned long)b.generation);
	printf("checksum_errors %lu heals %lu heal_failures %lu mismatches %lu read_errors %lu "
	       "uncorrectable %lu\n",
	       (unsigned long)b.checksum_errors, (unsigned long)b.heals,
	       (unsigned long)b.heal_failures, (unsigned long)b.mismatches,
	       (unsigned long)b.read_errors, (unsigned long)b.uncorrectable);
	printf("tag_placements %lu resync_blocks %lu resync_conflicts %lu\n",
	       (unsigned long)b.tag_placements, (unsigned long)b.resync_blocks,
	       (unsigned long)b.resync_conflicts);
	for (uint32_t i = 0; i < b.members && i < 3; i++) {
		const struct box_storage_member *m = &b.member[i];
		printf("member %u %s %s: reads %lu writes %lu checksum_errors %lu heals %lu "
		       "dirty_extents %lu\n",
		       i, m->disk[0] ? m->disk : "-", state_name(m->state), (unsigned long)m->reads,
		       (unsigned long)m->writes, (unsigned long)m->checksum_errors,
		       (unsigned long)m->heals, (unsigned long)m->dirty_extents);
	}
	return 0;
}
