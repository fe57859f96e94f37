/*
 * create: make a file with a name, tags and content.
 *
 *   create NAME [-t TAG]... [TEXT...]           content = the TEXT words joined by spaces
 *   create NAME [-t TAG]... --size N [--pattern WORD]
 *   create PREFIX [-t TAG]... --count N [--size N]
 *
 * NAME "-" makes a file with no name.  --size writes N bytes of the pattern
 * `show --check` verifies (lines of WORD, default the name, and letters);
 * --count creates PREFIX-0 .. PREFIX-(N-1), each with its own pattern, and
 * prints "created ID NAME" as each one is acknowledged (durable), so a
 * crash test knows what must survive.  The scope's tags (`use`) are added.
 * Exit 0, or 1 with the error.
 */
#include "../storage_app.h"

#define CHUNK (64u * 1024u)
static uint8_t buf[CHUNK + 4096];
static char tags[32 * 64];

static int make(const char *name, size_t tl, const uint8_t *first, uint64_t first_len,
		uint64_t size, const char *word)
{
	size_t nl = strcmp(name, "-") == 0 ? 0 : strlen(name);
	if (nl + tl > 4096) {
		printf("error: name and tags too long\n");
		return 1;
	}
	/* input = name ‖ tags ‖ content (the first chunk) */
	static uint8_t in[CHUNK + 4096 + 128];
	memcpy(in, name, nl);
	memcpy(in + nl, tags, tl);
	uint64_t c0 = first ? first_len : (size < CHUNK ? size : CHUNK);
	if (first)
		memcpy(in + nl + tl, first, c0);
	else
		st_pattern(word, 0, in + nl + tl, c0);
	uint64_t id = 0;
	int32_t st = box_storage_create((uint32_t)nl, (uint32_t)tl, 0, in, nl + tl + c0, NULL, 0,
					NULL, &id);
	if (st != BOX_OK)
		return st_fail("create", st);
	for (uint64_t off = c0; !first && off < size; off += CHUNK) {
		uint64_t n = size - off < CHUNK ? size - off : CHUNK;
		st_pattern(word, off, buf, n);
		st = box_storage_write(id, off, 0, buf, n, NULL);
		if (st != BOX_OK)
			return st_fail("write", st);
	}
	printf("created %lu %s\n", (unsigned long)id, nl ? name : "-");
	return 0;
}

int main(int argc, char **argv)
{
	st_init();
	static const char usage[] =
		"usage: create NAME [-t TAG]... [TEXT...] | create NAME [-t TAG]... --size N [--pattern WORD]"
		" | create PREFIX [-t TAG]... --count N [--size N]";
	if (st_help(argc, argv, usage))
		return 0;
	if (argc < 2) {
		printf("%s\n", usage);
		return 1;
	}
	const char *name = argv[1], *word = NULL;
	uint64_t size = 0, count = 0;
	int have_size = 0;
	size_t tl = 0, textlen = 0;
	static char text[3000];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if ((strcmp(a, "-t") == 0 || strcmp(a, "--tag") == 0) && i + 1 < argc) {
			size_t l = strlen(argv[++i]);
			if (tl + l + 1 > sizeof(tags)) {
				printf("error: too many tags\n");
				return 1;
			}
			memcpy(tags + tl, argv[i], l);
			tl += l;
			tags[tl++] = ' ';
		} else if (strcmp(a, "--size") == 0 && i + 1 < argc) {
			if (st_parse_u64(argv[++i], &size) != 0) {
				printf("error: bad size %s\n", argv[i]);
				return 1;
			}
			have_size = 1;
		} else if (strcmp(a, "--count") == 0 && i + 1 < argc) {
			if (st_parse_u64(argv[++i], &count) != 0 || count == 0 || count > 100000) {
				printf("error: bad count %s (1..100000)\n", argv[i]);
				return 1;
			}
		} else if (strcmp(a, "--pattern") == 0 && i + 1 < argc) {
			word = argv[++i];
		} else {
			size_t l = strlen(a);
			if (textlen + l + 1 > sizeof(text)) {
				printf("error: text too long\n");
				return 1;
			}
			if (textlen)
				text[textlen++] = ' ';
			memcpy(text + textlen, a, l);
			textlen += l;
		}
	}
	if (count) {
		if (!have_size)
			size = 5000;
		for (uint64_t k = 0; k < count; k++) {
			char nm[160];
			snprintf(nm, sizeof(nm), "%s-%lu", name, (unsigned long)k);
			if (make(nm, tl, NULL, 0, size, nm) != 0)
				return 1;
		}
		return 0;
	}
	if (have_size)
		return make(name, tl, NULL, 0, size, word ? word : name);
	if (textlen)
		text[textlen++] = '\n';
	return make(name, tl, (const uint8_t *)text, textlen, 0, NULL);
}
