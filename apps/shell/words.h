/*
 * words.h: splitting a command line into arguments (words.c).
 *
 * Portable (host-tested).  The words are packed back to back as
 * NUL-terminated strings, the very form system.proc.spawn takes.
 */
#ifndef SHELL_WORDS_H
#define SHELL_WORDS_H

#define WORDS_MAX 32  /* arguments in one command */

struct words {
	unsigned argc;
	char *argv[WORDS_MAX + 1];  /* into packed; argv[argc] is NULL */
	char packed[256];           /* the words, each with its NUL */
	unsigned packed_len;        /* bytes of packed in use */
};

/*
 * Split line: words are separated by spaces and tabs; "double" and 'single'
 * quotes group (the quotes themselves are dropped, "" is an empty word);
 * outside single quotes a backslash takes the next character as it is.
 * Returns 0, or -1 with *error saying what was wrong (an unterminated quote,
 * a backslash at the end, too many words, too long).
 */
int words_split(const char *line, struct words *w, const char **error);

#endif
