/*
 * log.c: formats log lines and hands them to the registered consoles.
 *
 * A line is "[seconds.micros] TEXT" (the time since kernel entry, from the
 * calibrated TSC; zero until the TSC is calibrated), with "ERROR: ",
 * "WARN: " or "debug: " in front of the text for those levels (info lines
 * carry no tag).  One lock keeps lines
 * from different CPUs whole.  Once a panic starts, the lock is bypassed:
 * the panicking CPU may have died holding it, and a dump that never prints
 * is worse than one that interleaves.
 */
#include "lib/log.h"
#include "lib/fmt.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "arch/x86_64/timer.h"
#include "core/panic.h"

static struct console *consoles;
static enum log_level max_level = LOG_INFO;
static struct spinlock log_lock = SPINLOCK_INIT;

void console_register(struct console *c)
{
	c->next = consoles;
	consoles = c;
}

void log_set_level(enum log_level level)
{
	max_level = level;
}

int log_level_from_name(const char *name, enum log_level *out)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	for (unsigned i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

static void emit(const char *s, unsigned long len, enum log_level level)
{
	for (struct console *c = consoles; c; c = c->next)
		c->write(s, len, level);
}

void kvlog(enum log_level level, const char *fmt, va_list ap)
{
	if (level > max_level)
		return;
	static const char *const tags[] = {"ERROR: ", "WARN: ", "", "debug: "};
	char line[512];
	uint64_t us = timer_us_since_boot();
	int n = fmt_snprintf(line, sizeof(line), "[%5lu.%06lu] %s", us / 1000000, us % 1000000,
			     tags[level]);
	n += fmt_vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	line[n] = 0;

	bool locked = !panic_in_progress();
	if (locked)
		spin_lock(&log_lock);
	emit(line, n, level);
	if (locked)
		spin_unlock(&log_lock);
}

void klog(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvlog(level, fmt, ap);
	va_end(ap);
}

void log_write_raw(const char *s, unsigned long len)
{
	bool locked = !panic_in_progress();
	if (locked)
		spin_lock(&log_lock);
	emit(s, len, LOG_INFO);
	if (locked)
		spin_unlock(&log_lock);
}

void kprintf_raw(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	emit(buf, n, LOG_ERROR);
}
