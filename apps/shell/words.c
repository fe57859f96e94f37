/*
 * words.c: a command line to arguments, with quoting.
 *
 * One pass over the line with two bits of state: whether a word is open
 * (so "" makes an empty word, and "a"b is one word ab) and which quote, if
 * any, is open.  Characters go straight into the packed buffer; a word ends
 * with its NUL at the next unquoted blank or at the end of the line.
 */
#include "words.h"

#include <stddef.h>

int words_split(const char *line, struct words *w, const char **error)
{
	unsigned used = 0, argc = 0;
	char quote = 0;
	int in_word = 0;
	*error = NULL;
	for (const char *p = line;; p++) {
		char c = *p;
		if (c == 0 && quote) {
			*error = quote == '"' ? "unterminated \" quote" : "unterminated ' quote";
			return -1;
		}
		if (c == 0 || (!quote && (c == ' ' || c == '\t'))) {
			if (in_word) {
				w->packed[used++] = 0;
				in_word = 0;
			}
			if (c == 0)
				break;
			continue;
		}
		if (!in_word) {
			if (argc == WORDS_MAX) {
				*error = "too many arguments";
				return -1;
			}
			w->argv[argc++] = w->packed + used;
			in_word = 1;
		}
		if (quote && c == quote) {
			quote = 0;
			continue;
		}
		if (!quote && (c == '"' || c == '\'')) {
			quote = c;
			continue;
		}
		if (c == '\\' && quote != '\'') {
			c = *++p;
			if (c == 0) {
				*error = "a backslash at the end of the line";
				return -1;
			}
		}
		/* room for this character and the word's NUL */
		if (used + 2 > sizeof(w->packed)) {
			*error = "arguments too long";
			return -1;
		}
		w->packed[used++] = c;
	}
	w->argc = argc;
	w->argv[argc] = NULL;
	w->packed_len = used;
	return 0;
}
