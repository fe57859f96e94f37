/*
 * display: the daemon that owns the framebuffer and serializes redraws.
 *
 *   display [-v]                        run the daemon: wait on the inbox
 *                                       (WAIT with BOX_WAIT_INBOX, so it
 *                                       sleeps while idle), perform each
 *                                       request in arrival order, answer it
 *                                       (protocol in display.h); -v logs
 *                                       every request
 *   display --write COL ROW TEXT [FG [BG]]   a client: one redraw through the
 *                                       running daemon
 *   display --clear [BG]                a client: clear the screen
 *   display --demo                      spawn a daemon (-v), ping it, check
 *                                       it is not scheduled while idle for
 *                                       500 ms, send it a clear
 *                                       and three writes from this Cabin,
 *                                       one bad request, then run a separate
 *                                       `display --write` client Cabin, and
 *                                       stop the daemon
 *
 * Clients find the daemon by name: every other Cabin called "display" is
 * pinged (a PING request with a short timeout) and the first to answer is
 * it.  Since the daemon draws with hardware.fb.* only, its log lines go
 * to the console only with -v (console text is drawn on the framebuffer
 * too and would land between redraws).
 * Exit: daemon 0 after QUIT; clients 0 when every request got BOX_OK
 * (the demo also needs its one bad request refused), 1 otherwise, 2 for
 * bad arguments.
 */
#include <stdint.h>

#include "boxlib/calls.h"
#include "boxlib/inbox.h"
#include "boxlib/start.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"
#include "display.h"

#define IDLE_WAIT_US 60000000ull       /* wake once a minute at most when idle */
#define SEND_TIMEOUT_NS 5000000000ull
#define PING_TIMEOUT_NS 300000000ull
#define MAX_LIST 1024
#define IDLE_PROBE_NS 500000000ull    /* the demo watches the idle daemon this long */

static void usage(void)
{
	printf("usage: display [-v] | display --write COL ROW TEXT [FG [BG]] | display --clear [BG] | display --demo | display --help\n");
	printf("the framebuffer daemon: serializes redraws for other Cabins (display --demo shows it)\n");
	printf("colours are 0xRRGGBB; the protocol is in docs/apps.md\n");
}

/* ---- the daemon ----------------------------------------------------------- */

static int32_t perform(const struct box_message *m, int verbose)
{
	struct display_req r;
	if (m->cookie != DISPLAY_COOKIE || m->length < 16 || m->length > sizeof(r))
		return BOX_ERR_INVALID;
	memset(&r, 0, sizeof(r));
	memcpy(&r, m->payload, m->length);
	int32_t st;
	switch (r.cmd) {
	case DISPLAY_WRITE:
		if (r.len == 0 || r.len > DISPLAY_TEXT_MAX || 16u + r.len > m->length)
			return BOX_ERR_INVALID;
		st = box_hardware_fb_write(r.col, r.row, r.fg, r.bg, r.text, r.len, NULL);
		if (verbose)
			printf("cabin %u: write \"%.*s\" at %u,%u fg 0x%06x bg 0x%06x: %s\n",
			       m->sender, (int)r.len, r.text, r.col, r.row, r.fg, r.bg, box_status_name(st));
		return st;
	case DISPLAY_CLEAR:
		st = box_hardware_fb_clear(r.bg, NULL);
		if (verbose)
			printf("cabin %u: clear to 0x%06x: %s\n", m->sender, r.bg, box_status_name(st));
		return st;
	case DISPLAY_PING:
	case DISPLAY_QUIT:
		return BOX_OK;
	default:
		return BOX_ERR_INVALID;
	}
}

static int daemon(int verbose)
{
	uint32_t served = 0;
	if (verbose) /* quiet by default: the shell starts it beside its prompt */
		printf("daemon cabin %u waiting for requests\n", box_cabin_id());
	for (;;) {
		struct box_message m;
		int rc = box_inbox_wait(&m, IDLE_WAIT_US);
		if (rc == BOX_ERR_TIMEOUT)
			continue;
		if (rc != BOX_OK) {
			printf("inbox broken: %s\n", box_status_name(rc));
			return 1;
		}
		if (m.kind != BOX_MSG_IPC)
			continue; /* broadcasts and events need no answer */
		struct display_reply reply = {perform(&m, verbose), ++served};
		int32_t st = box_system_ipc_reply(m.msg_id, &reply, sizeof(reply), NULL);
		if (st != BOX_OK && verbose)
			printf("reply to cabin %u failed: %s\n", m.sender, box_status_name(st));
		if (reply.status == BOX_OK && m.length >= 1 && m.payload[0] == DISPLAY_QUIT &&
		    m.cookie == DISPLAY_COOKIE) {
			printf("served %u requests, quitting\n", served);
			return 0;
		}
	}
}

/* ---- clients -------------------------------------------------------------- */

static int32_t request(uint64_t daemon_id, const struct display_req *r, uint64_t timeout_ns,
		       struct display_reply *reply)
{
	uint64_t len = 0;
	memset(reply, 0, sizeof(*reply));
	int32_t st = box_system_ipc_send(daemon_id, DISPLAY_COOKIE, timeout_ns, r, sizeof(*r), reply,
					 sizeof(*reply), &len, NULL);
	if (st == BOX_OK && len != sizeof(*reply))
		return BOX_ERR_INVALID;
	return st == BOX_OK ? reply->status : st;
}

/* The running daemon's Cabin id, or 0. */
static uint64_t find_daemon(void)
{
	static uint64_t ids[MAX_LIST];
	uint64_t len = 0;
	if (box_system_proc_list(ids, sizeof(ids), &len, NULL) != BOX_OK)
		return 0;
	for (uint64_t i = 0; i < len / 8; i++) {
		struct box_proc_info info;
		uint64_t ilen = 0;
		if (ids[i] == box_cabin_id() ||
		    box_system_proc_info(ids[i], &info, sizeof(info), &ilen, NULL) != BOX_OK ||
		    strcmp(info.name, "display") != 0)
			continue;
		struct display_req ping = {.cmd = DISPLAY_PING};
		struct display_reply reply;
		if (request(ids[i], &ping, PING_TIMEOUT_NS, &reply) == BOX_OK)
			return ids[i];
	}
	return 0;
}

static int parse_u32(const char *s, uint64_t max, uint32_t *out, const char *what)
{
	char *end = NULL;
	uint64_t v;
	if (box_strtou64(s, &end, 0, &v) != 0 || *end || v > max) {
		printf("%s must be a number from 0 to %llu, not '%s'\n", what,
		       (unsigned long long)max, s);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static void make_write(struct display_req *r, uint32_t col, uint32_t row, const char *text,
		       uint32_t fg, uint32_t bg)
{
	memset(r, 0, sizeof(*r));
	r->cmd = DISPLAY_WRITE;
	r->col = (uint16_t)col;
	r->row = (uint16_t)row;
	r->fg = fg;
	r->bg = bg;
	size_t n = strlen(text);
	r->len = (uint8_t)(n > DISPLAY_TEXT_MAX ? DISPLAY_TEXT_MAX : n);
	memcpy(r->text, text, r->len);
}

static int client(int argc, char **argv)
{
	struct display_req r;
	uint32_t col = 0, row = 0, fg = 0xFFFFFF, bg = 0x000000;
	int clear = strcmp(argv[1], "--clear") == 0;
	if (clear) {
		if (argc > 3 || (argc == 3 && parse_u32(argv[2], 0xFFFFFF, &bg, "BG") != 0))
			return 2;
		memset(&r, 0, sizeof(r));
		r.cmd = DISPLAY_CLEAR;
		r.bg = bg;
	} else {
		if (argc < 5 || argc > 7) {
			printf("--write needs COL ROW TEXT [FG [BG]] (try display --help)\n");
			return 2;
		}
		if (parse_u32(argv[2], 65535, &col, "COL") || parse_u32(argv[3], 65535, &row, "ROW") ||
		    (argc > 5 && parse_u32(argv[5], 0xFFFFFF, &fg, "FG")) ||
		    (argc > 6 && parse_u32(argv[6], 0xFFFFFF, &bg, "BG")))
			return 2;
		if (argv[4][0] == 0 || strlen(argv[4]) > DISPLAY_TEXT_MAX) {
			printf("TEXT must be 1 to %u characters\n", DISPLAY_TEXT_MAX);
			return 2;
		}
		make_write(&r, col, row, argv[4], fg, bg);
	}
	uint64_t d = find_daemon();
	if (!d) {
		printf("no display daemon is running (start one with: display)\n");
		return 1;
	}
	struct display_reply reply;
	int32_t st = request(d, &r, SEND_TIMEOUT_NS, &reply);
	printf("client cabin %u: %s through daemon cabin %llu: %s (request %u)\n",
	       box_cabin_id(), clear ? "clear" : "write", (unsigned long long)d, box_status_name(st),
	       reply.served);
	return st == BOX_OK ? 0 : 1;
}

/* ---- the demo ------------------------------------------------------------- */

static uint64_t spawn(const char *args, uint64_t len)
{
	uint8_t out[8];
	uint64_t olen = 0, id = 0;
	int32_t st = box_system_proc_spawn(0, BOX_SPAWN_AUTH_SAME, args, len, out, sizeof(out), &olen, &id);
	if (st != BOX_OK)
		printf("spawn failed: %s\n", box_status_name(st));
	return st == BOX_OK ? id : 0;
}

static int64_t reap(uint64_t id)
{
	uint8_t out[8];
	uint64_t len = 0, status = 0;
	int32_t st = box_system_proc_wait(id, 4000000000ull, out, sizeof(out), &len, &status);
	return st == BOX_OK ? (int64_t)status : -1000;
}

static int demo(void)
{
	static const char daemon_args[] = "display\0-v";
	uint64_t d = spawn(daemon_args, sizeof(daemon_args));
	if (!d)
		return 1;
	printf("demo cabin %u started daemon cabin %llu\n", box_cabin_id(), (unsigned long long)d);
	int bad = 0;
	struct display_req r;
	struct display_reply reply;

	/* idle costs nothing: once it has answered a ping, the daemon is asleep
	 * in WAIT and is not scheduled again while nobody writes to it */
	struct display_req ping = {.cmd = DISPLAY_PING};
	struct box_proc_info info0, info1;
	uint64_t ilen = 0;
	int32_t st = request(d, &ping, SEND_TIMEOUT_NS, &reply);
	if (st == BOX_OK)
		st = box_system_proc_info(d, &info0, sizeof(info0), &ilen, NULL);
	if (st == BOX_OK)
		st = box_hardware_timer_sleep(IDLE_PROBE_NS, NULL);
	if (st == BOX_OK)
		st = box_system_proc_info(d, &info1, sizeof(info1), &ilen, NULL);
	uint64_t idle_runs = st == BOX_OK ? info1.runs - info0.runs : ~0ull;
	printf("demo: daemon idle for %llu ms: scheduled %llu times, state %s\n",
	       IDLE_PROBE_NS / 1000000, (unsigned long long)idle_runs,
	       st == BOX_OK && info1.state == BOX_PROC_BLOCKED ? "blocked" : "not blocked");
	bad |= st != BOX_OK || idle_runs > 1 || info1.state != BOX_PROC_BLOCKED;

	memset(&r, 0, sizeof(r));
	r.cmd = DISPLAY_CLEAR;
	r.bg = 0x102040;
	st = request(d, &r, SEND_TIMEOUT_NS, &reply);
	printf("demo: clear -> %s (request %u)\n", box_status_name(st), reply.served);
	bad |= st != BOX_OK;
	static const char *const lines[] = {
		"BoxOS display daemon demo", "each line is one IPC request,",
		"drawn in order by the daemon Cabin",
	};
	for (unsigned i = 0; i < 3; i++) {
		make_write(&r, 2, 2 + i, lines[i], 0xFFFF80 - i * 0x3000, 0x102040);
		st = request(d, &r, SEND_TIMEOUT_NS, &reply);
		printf("demo: write row %u -> %s (request %u)\n", 2 + i, box_status_name(st),
		       reply.served);
		bad |= st != BOX_OK;
	}
	make_write(&r, 65535, 0, "off the screen", 0xFFFFFF, 0);
	st = request(d, &r, SEND_TIMEOUT_NS, &reply);
	printf("demo: write at column 65535 -> %s (refused, as it should be)\n", box_status_name(st));
	bad |= st == BOX_OK;

	static const char client_args[] = "display\0--write\0002\0006\0drawn by another client Cabin\0000x80FF80\0000x102040";
	uint64_t c = spawn(client_args, sizeof(client_args));
	int64_t cs = c ? reap(c) : -1000;
	printf("demo: client cabin %llu exited with %lld\n", (unsigned long long)c, (long long)cs);
	bad |= cs != 0;

	memset(&r, 0, sizeof(r));
	r.cmd = DISPLAY_QUIT;
	st = request(d, &r, SEND_TIMEOUT_NS, &reply);
	int64_t ds = reap(d);
	printf("demo: daemon served %u requests and exited with %lld\n", reply.served, (long long)ds);
	bad |= st != BOX_OK || ds != 0 || reply.served != 9;
	printf("demo %s\n", bad ? "FAIL" : "PASS");
	return bad;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage();
		return 0;
	}
	if (argc <= 1)
		return daemon(0);
	if (argc == 2 && strcmp(argv[1], "-v") == 0)
		return daemon(1);
	if (argc == 2 && strcmp(argv[1], "--demo") == 0)
		return demo();
	if (strcmp(argv[1], "--write") == 0 || strcmp(argv[1], "--clear") == 0)
		return client(argc, argv);
	printf("unknown option '%s' (try display --help)\n", argv[1]);
	return 2;
}
