/*
 * serial.c - turns the raw serial stream into lines: drops ANSI escape
 * sequences (OVMF writes them), carriage returns and other control bytes,
 * caps line length, and recognises the run's token on result lines.
 */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

static void serial_byte(struct serial *s, unsigned char c, serial_emit_fn emit,
			void *arg)
{
	if (s->esc == 1) {
		s->esc = (c == '[') ? 2 : 0;
		return;
	}
	if (s->esc == 2) {
		/* ECMA-48 5.4: a CSI sequence ends with a byte in 0x40-0x7e. */
		if (c >= 0x40 && c <= 0x7e)
			s->esc = 0;
		return;
	}
	if (c == 0x1b) {
		s->esc = 1;
		return;
	}
	if (c == '\n') {
		s->line[s->len] = '\0';
		emit(arg, s->line);
		s->len = 0;
		return;
	}
	if (c != '\t' && (c < 0x20 || c == 0x7f))
		return;
	if (s->len < SERIAL_LINE_MAX - 1)
		s->line[s->len++] = (char)c;
}

/* Feeds n bytes; emit is called once per complete line, without '\n'. */
void serial_feed(struct serial *s, const char *buf, size_t n,
		 serial_emit_fn emit, void *arg)
{
	for (size_t i = 0; i < n; i++)
		serial_byte(s, (unsigned char)buf[i], emit, arg);
}

/* Emits a last, unterminated line if there is one. */
void serial_flush(struct serial *s, serial_emit_fn emit, void *arg)
{
	if (s->len == 0)
		return;
	s->line[s->len] = '\0';
	emit(arg, s->line);
	s->len = 0;
}

/*
 * If line ends in " TOKEN" or " {TOKEN}", cuts that suffix (and trailing
 * blanks) and returns 1; else leaves line alone and returns 0.
 */
int serial_strip_token(char *line, const char *token)
{
	size_t len = strlen(line), tlen = strlen(token);
	char braced[80];

	if (tlen == 0 || tlen > 64)
		return 0;
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	snprintf(braced, sizeof(braced), " {%s}", token);
	size_t blen = strlen(braced);
	if (len >= blen && memcmp(line + len - blen, braced, blen) == 0)
		len -= blen;
	else if (len >= tlen + 1 && line[len - tlen - 1] == ' ' &&
		 memcmp(line + len - tlen, token, tlen) == 0)
		len -= tlen + 1;
	else
		return 0;
	line[len] = '\0';
	return 1;
}

/* Parses "PREFIX<int>" exactly (nothing after the number); 0 on success. */
int serial_parse_int(const char *line, const char *prefix, long *out)
{
	size_t plen = strlen(prefix);
	char *end;

	if (strncmp(line, prefix, plen) != 0)
		return -1;
	line += plen;
	if (*line == '\0')
		return -1;
	*out = strtol(line, &end, 10);
	return *end == '\0' ? 0 : -1;
}
