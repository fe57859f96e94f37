/*
 * shell: the BoxOS command shell, the first Cabin.
 *
 * The kernel starts it at boot (init=shell:system) and again whenever it
 * ends.  It owns the console: it reads hardware.console.read (serial bytes
 * and keyboard characters, merged), edits the line with line.c, and writes
 * with hardware.console.write, which for the init Cabin goes out to the
 * serial line and the framebuffer as written, escape sequences included.
 *
 * The prompt is "~ ", or "[tag,tag] ~ " while a use context is set; the
 * context lives in the kernel (system.ctx.get before each prompt), so a
 * restarted shell shows it again.  A line is split into words (words.c);
 * the first names a builtin (help, use, clear, exit) or an app of
 * BOX_APPS, the index generated from the apps/NAME/about files, which also
 * gives the auth level to start the app at.  An app runs as a Cabin
 * (system.proc.spawn with the packed words) and the shell waits for it
 * without reading the console, so the app has the input to itself.  The
 * wait polls system.proc.info with a short sleep rather than blocking in
 * system.proc.wait, because proc.wait reaps the Cabin, and with it the
 * record that says why it died; once proc.info says DONE the shell keeps
 * that record, reaps the Cabin (proc.wait, no timeout) and reports a
 * non-zero status or the crash in one line.  A trailing "&" starts the app
 * detached and does not wait (for daemons).
 */
#include <stdarg.h>
#include <stdint.h>

#include "boxlib/apps_index.h"
#include "boxlib/call.h"
#include "boxlib/calls.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"
#include "boxos/abi/proc.h"
#include "boxos/abi/status.h"
#include "line.h"
#include "words.h"

#define READ_WAIT_NS   (30ull * 1000000000ull)  /* one console.read waits this long */
#define CALL_WAIT_US   (35ull * 1000000ull)     /* and box_op a little longer */
#define POLL_FIRST_NS  (1ull * 1000000ull)      /* first look at a running app after 1 ms */
#define POLL_MAX_NS    (20ull * 1000000ull)     /* then less and less often, up to 20 ms */
#define CONSOLE_CHUNK  200                      /* console.write takes at most 200 bytes */

static struct line_editor editor;

/* ---- output: one console.write per 200 bytes, sent at flush() ---------- */

static char out_buf[4096];
static unsigned out_len;

static void flush(void)
{
	for (unsigned at = 0; at < out_len; at += CONSOLE_CHUNK) {
		unsigned n = out_len - at < CONSOLE_CHUNK ? out_len - at : CONSOLE_CHUNK;
		box_hardware_console_write(out_buf + at, n, NULL);
	}
	out_len = 0;
}

static void put(void *ctx, const char *s, unsigned n)
{
	(void)ctx;
	while (n) {
		if (out_len == sizeof(out_buf))
			flush();
		unsigned room = (unsigned)sizeof(out_buf) - out_len;
		unsigned k = n < room ? n : room;
		memcpy(out_buf + out_len, s, k);
		out_len += k;
		s += k;
		n -= k;
	}
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(text) - 1)
		n = sizeof(text) - 1;
	if (n > 0)
		put(NULL, text, (unsigned)n);
}

/* ---- the prompt ---------------------------------------------------------- */

static void prompt(void)
{
	char ctx[256];
	uint64_t len = 0;
	if (box_system_ctx_get(ctx, sizeof(ctx) - 1, &len, NULL) != BOX_OK)
		len = 0;
	ctx[len] = 0;
	for (uint64_t i = 0; i < len; i++)
		if (ctx[i] == ' ')
			ctx[i] = ',';
	if (len)
		say("[%s] ~ ", ctx);
	else
		say("~ ");
	flush();
	line_start(&editor);
}

/* ---- builtins ------------------------------------------------------------ */

static int builtin_help(struct words *w);
static int builtin_use(struct words *w);
static int builtin_clear(struct words *w);

static const struct builtin {
	const char *name, *usage, *about;
	int (*run)(struct words *w);  /* NULL: exit */
} builtins[] = {
	{"help", "help", "list the builtins and the apps", builtin_help},
	{"use", "use [tag ...]", "scope the machine to these tags; no tags: clear", builtin_use},
	{"clear", "clear", "clear the screen", builtin_clear},
	{"exit", "exit", "end this shell (the kernel starts a new one)", NULL},
};
#define BUILTIN_COUNT (sizeof(builtins) / sizeof(builtins[0]))

static int builtin_help(struct words *w)
{
	(void)w;
	say("builtins:\n");
	for (unsigned i = 0; i < BUILTIN_COUNT; i++)
		say("  %-14s %s\n", builtins[i].usage, builtins[i].about);
	say("apps:\n");
	for (unsigned i = 0; i < BOX_APP_COUNT; i++)
		say("  %-14s %s\n", BOX_APPS[i].name, BOX_APPS[i].about);
	say("keys: Left/Right, Home/End, Backspace/Delete, Up/Down for history, Ctrl-C drops the line\n");
	return 0;
}

static int builtin_use(struct words *w)
{
	int32_t st;
	if (w->argc == 1) {
		st = box_system_ctx_clear(NULL);
	} else {
		/* the tags, separated by spaces, as ctx.use reads them */
		char list[256];
		unsigned n = 0;
		for (unsigned i = 1; i < w->argc; i++) {
			unsigned k = (unsigned)strlen(w->argv[i]);
			if (n + k + 1 > sizeof(list)) {
				say("use: too many tags\n");
				return 1;
			}
			memcpy(list + n, w->argv[i], k);
			n += k;
			list[n++] = ' ';
		}
		st = box_system_ctx_use(list, n - 1, NULL);
	}
	if (st == BOX_OK)
		return 0;
	if (st == BOX_ERR_INVALID)
		say("use: a tag is 1 to 31 characters of a-z 0-9 _ . -\n");
	else if (st == BOX_ERR_TOO_BIG)
		say("use: at most 8 tags\n");
	else if (st == BOX_ERR_FULL)
		say("use: the kernel has no room for another tag name\n");
	else
		say("use: %s\n", box_status_name(st));
	return 1;
}

static int builtin_clear(struct words *w)
{
	(void)w;
	put(NULL, "\x1b[2J\x1b[H", 7); /* the framebuffer console clears on it too */
	return 0;
}

/* ---- apps ---------------------------------------------------------------- */

static const struct box_app_info *find_app(const char *name)
{
	for (unsigned i = 0; i < BOX_APP_COUNT; i++)
		if (strcmp(BOX_APPS[i].name, name) == 0)
			return &BOX_APPS[i];
	return NULL;
}

/*
 * Start the app, wait for it to end, report a failure in one line.  In the
 * background (a trailing &) it is started detached instead: the kernel reaps
 * it, and the shell says its id and goes on.
 */
static void run_app(const struct box_app_info *app, struct words *w, bool background)
{
	const char *name = w->argv[0];
	uint64_t id = 0;
	int32_t st = box_system_proc_spawn(background ? BOX_SPAWN_DETACHED : 0, app->auth, w->packed,
					   w->packed_len, NULL, 0, NULL, &id);
	if (st != BOX_OK) {
		say("%s: cannot start: %s\n", name, st == BOX_ERR_NOENT ? "not in the boot bundle"
									 : box_status_name(st));
		return;
	}
	if (background) {
		say("%s: running in the background as cabin %lu\n", name, (unsigned long)id);
		return;
	}
	struct box_proc_info info;
	uint64_t poll_ns = POLL_FIRST_NS;
	for (;;) {
		uint64_t len = 0;
		st = box_system_proc_info(id, &info, sizeof(info), &len, NULL);
		if (st != BOX_OK || len != sizeof(info)) {
			say("%s: lost track of cabin %lu: %s\n", name, (unsigned long)id,
			    box_status_name(st));
			return;
		}
		if (info.state == BOX_PROC_DONE)
			break;
		box_hardware_timer_sleep(poll_ns, NULL);
		poll_ns = poll_ns * 2 > POLL_MAX_NS ? POLL_MAX_NS : poll_ns * 2;
	}
	st = box_system_proc_wait(id, 0, NULL, 0, NULL, NULL); /* reap it */
	if (st != BOX_OK)
		say("%s: could not reap cabin %lu: %s\n", name, (unsigned long)id, box_status_name(st));
	if (info.exit_status == BOX_PROC_KILLED)
		say("%s: killed: %s\n", name, info.why[0] ? info.why : "no reason given");
	else if (info.exit_status != 0)
		say("%s: exit status %d\n", name, info.exit_status);
}

/* Does the line end in a word "&" of its own (not quoted, not escaped)? */
static bool ends_with_ampersand(const char *line, const struct words *w)
{
	if (w->argc < 2 || strcmp(w->argv[w->argc - 1], "&") != 0)
		return false;
	size_t n = strlen(line);
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	return n >= 2 && line[n - 1] == '&' && (line[n - 2] == ' ' || line[n - 2] == '\t');
}

/* One line; false when the shell should end. */
static bool run_line(const char *line)
{
	struct words w;
	const char *error;
	if (words_split(line, &w, &error) != 0) {
		say("%s\n", error);
		return true;
	}
	if (w.argc == 0)
		return true;
	bool background = ends_with_ampersand(line, &w);
	if (background) {
		/* drop the "&" word: it is the last one packed ("&" and its NUL) */
		w.argv[--w.argc] = NULL;
		w.packed_len -= 2;
	}
	for (unsigned i = 0; i < BUILTIN_COUNT; i++) {
		if (strcmp(w.argv[0], builtins[i].name) == 0) {
			if (!builtins[i].run)
				return false;
			builtins[i].run(&w);
			return true;
		}
	}
	const struct box_app_info *app = find_app(w.argv[0]);
	if (!app) {
		say("unknown command: %s\n", w.argv[0]);
		return true;
	}
	flush();
	run_app(app, &w, background);
	return true;
}

/* Is a Cabin with this name running (started by anyone)? */
static bool running(const char *name)
{
	static uint64_t ids[64];
	uint64_t len = 0, count = 0;
	if (box_system_proc_list(ids, sizeof(ids), &len, &count) != BOX_OK)
		return false;
	for (uint64_t i = 0; i < len / 8; i++) {
		struct box_proc_info info;
		uint64_t got = 0;
		if (box_system_proc_info(ids[i], &info, sizeof(info), &got, NULL) == BOX_OK &&
		    info.state != BOX_PROC_DONE && strcmp(info.name, name) == 0)
			return true;
	}
	return false;
}

/*
 * The idle system is the shell and the display daemon: start the daemon
 * (detached, so the kernel reaps it) unless an earlier shell already did.
 */
static void start_daemons(void)
{
	static const char display[] = "display";
	for (unsigned i = 0; i < BOX_APP_COUNT; i++)
		if (strcmp(BOX_APPS[i].name, display) == 0 && !running(display))
			box_system_proc_spawn(BOX_SPAWN_DETACHED, BOX_APPS[i].auth, display,
					      sizeof(display), NULL, 0, NULL, NULL);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	box_call_timeout_us = CALL_WAIT_US;
	start_daemons();
	line_init(&editor, put, NULL);
	say("BoxOS shell: `help` lists the commands\n");
	prompt();

	uint8_t in[64];
	for (;;) {
		uint64_t got = 0;
		int32_t st = box_hardware_console_read(READ_WAIT_NS, NULL, 0, in, sizeof(in), &got, NULL);
		if (st == BOX_ERR_TIMEOUT)
			continue;
		if (st != BOX_OK) {
			box_hardware_timer_sleep(100ull * 1000000ull, NULL); /* do not spin on a broken console */
			continue;
		}
		for (uint64_t i = 0; i < got; i++) {
			enum line_event ev = line_feed(&editor, in[i]);
			if (ev == LINE_ENTER) {
				flush();
				if (!run_line(line_text(&editor))) {
					flush();
					return 0;
				}
				prompt();
			} else if (ev == LINE_CANCEL) {
				prompt();
			}
		}
		flush();
	}
}
