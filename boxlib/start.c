/*
 * start.c: from crt0 to main and from main to box_exit (boxlib/start.h).
 *
 * box_start_main() reads the start page through box_args_parse (args.c),
 * which copies the argument strings into arg_text (main may write them, as
 * C allows) and builds arg_vector; sets up box_global_heap over the heap
 * range when box_heap_range_ok; calls main; flushes the console line
 * buffer; and exits with main's return value.  A bad start page is not
 * fatal: main(0, NULL), no heap, box_start_problem() says why.
 */
#include "boxlib/heap.h"
#include "boxlib/notify.h"
#include "boxlib/start.h"
#include "boxlib/stdio.h"

_Static_assert(BOX_START_VA == 0x0000700000300000ull, "crt0.S passes this address");

int main(int argc, char **argv);

static char arg_text[BOX_START_ARGS_MAX];
static char *arg_vector[BOX_ARGV_MAX + 1];
static const struct box_start *good_page;
static const char *problem;

const struct box_start *box_start_page(void) { return good_page; }
const char *box_start_problem(void) { return problem; }
uint32_t box_cabin_id(void) { return good_page ? good_page->cabin : 0; }
uint64_t box_tsc_hz(void) { return good_page ? good_page->tsc_hz : 0; }

void box_start_main(const struct box_start *sp)
{
	int argc = box_args_parse(sp, arg_text, arg_vector, BOX_ARGV_MAX + 1, &problem);
	char **argv = arg_vector;
	if (argc < 0) {
		argc = 0;
		argv = 0;
		if (sp && sp->magic == BOX_START_MAGIC && sp->version == BOX_START_VERSION)
			good_page = sp;  /* only the arguments are bad: keep the heap and ids */
	} else {
		good_page = sp;
	}
	if (good_page) {
		if (box_heap_range_ok(good_page->heap_base, good_page->heap_size))
			box_heap_init(&box_global_heap, (void *)good_page->heap_base,
				      good_page->heap_size);
		else if (!problem)
			problem = "the heap range is not inside the user range";
	}
	int code = main(argc, argv);
	box_console_flush();
	box_exit(code);
}
