/*
 * args.c: checking the start page and building argv from it (the portable
 * part of boxlib/start.h; start.c is the rest).  The page is read once into
 * the caller's copy, so what is checked is what is used, and every length
 * is bounded by BOX_START_ARGS_MAX, never by the page's own claims.
 */
#include "boxlib/start.h"
#include "boxlib/string.h"
#include "boxos/abi/notify.h"

int box_args_parse(const struct box_start *sp, char *text, char **argv, unsigned argv_cap,
		   const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	if (!sp || sp->magic != BOX_START_MAGIC) {
		*why = "start page magic is wrong";
		return -1;
	}
	if (sp->version != BOX_START_VERSION) {
		*why = "start page version is unknown";
		return -1;
	}
	uint32_t argc = sp->argc, size = sp->args_size;
	if (size > BOX_START_ARGS_MAX) {
		*why = "args_size is past the start page";
		return -1;
	}
	if (argv_cap == 0 || argc > argv_cap - 1) {
		*why = "more arguments than argv can hold";
		return -1;
	}
	memcpy(text, sp->args, size);
	if (size && text[size - 1] != 0) {
		*why = "the last argument is not NUL-terminated";
		return -1;
	}
	uint32_t strings = 0;
	for (uint32_t i = 0; i < size; i++)
		strings += text[i] == 0;
	if (strings != argc) {
		*why = "argc does not match the strings in args";
		return -1;
	}
	uint32_t at = 0;
	for (uint32_t i = 0; i < argc; i++) {
		argv[i] = text + at;
		at += (uint32_t)strlen(text + at) + 1;
	}
	argv[argc] = 0;
	*why = 0;
	return (int)argc;
}

int box_heap_range_ok(uint64_t base, uint64_t size)
{
	return size != 0 && (base & 0xFFF) == 0 && base >= BOX_USER_LO && base < BOX_USER_HI &&
	       size <= BOX_USER_HI - base;
}
