/*
 * log.h: the kernel log.  Lines go to every console (serial, framebuffer)
 * with a timestamp and a level tag for every level but "info".  kprintf_raw() writes
 * without prefix or lock, for the fault path.
 */
#ifndef LIB_LOG_H
#define LIB_LOG_H

#include <stdarg.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

struct console {
	const char *name;
	void (*write)(const char *s, unsigned long len, enum log_level level);
	struct console *next;
};

void console_register(struct console *c);
void log_set_level(enum log_level level);
int log_level_from_name(const char *name, enum log_level *out);

void klog(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kvlog(enum log_level level, const char *fmt, va_list ap);
void kprintf_raw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Bytes as they are (no timestamp, no newline added) to every console, under the log lock. */
void log_write_raw(const char *s, unsigned long len);

#define log_error(...) klog(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  klog(LOG_WARN, __VA_ARGS__)
#define log_info(...)  klog(LOG_INFO, __VA_ARGS__)
#define log_debug(...) klog(LOG_DEBUG, __VA_ARGS__)

#endif
