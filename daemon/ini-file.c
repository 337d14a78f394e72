/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>

#include "ini-file.h"

#define SYNTAX_QUOTE_MAX 60

struct ini_file_state {
	FILE *f;
	const char *path;
	ini_file_handler_t handler;
	void *userdata;
	char *err;

	unsigned line;        /* lines handed to inih so far: the one it is parsing now */
	int section_index;    /* header lines seen so far, minus one */
	char section[INI_FILE_SECTION_MAX];

	int error;            /* first error of ours or the handler's, negative errno */
	unsigned error_line;
};

int ini_file_errorv(char *err, const char *path, unsigned line, int r, const char *fmt,
		    va_list ap)
{
	int n;

	if (!err)
		return r;
	if (line > 0)
		n = snprintf(err, INI_FILE_ERROR_MAX, "%s:%u: ", path, line);
	else
		n = snprintf(err, INI_FILE_ERROR_MAX, "%s: ", path);
	if (n < 0 || n >= INI_FILE_ERROR_MAX)
		return r;
	(void)vsnprintf(err + n, INI_FILE_ERROR_MAX - (size_t)n, fmt, ap);
	return r;
}

int ini_file_error(char *err, const char *path, unsigned line, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	r = ini_file_errorv(err, path, line, r, fmt, ap);
	va_end(ap);
	return r;
}

static void state_fail(struct ini_file_state *s, int r)
{
	if (s->error)
		return;
	s->error = r;
	s->error_line = s->line;
	/* a handler that forgot to say why still gets a message naming the line */
	if (s->err[0] == '\0')
		(void)ini_file_error(s->err, s->path, s->line, r, "invalid line: %s", strerror(-r));
}

/* One line into buf, '\n' included, like fgets(), but with its length: fgets() cannot
 * tell a NUL byte in the line from its end. Returns the length, 0 at the end of file. */
static size_t read_line(FILE *f, char *buf, int size)
{
	size_t n = 0;
	int c;

	while (n + 1 < (size_t)size && (c = getc(f)) != EOF) {
		buf[n++] = (char)c;
		if (c == '\n')
			break;
	}
	buf[n] = '\0';
	return n;
}

/* A line that filled the buffer may go on: tell a complete line from a cut one, since
 * inih would take the rest for a line of its own and count lines differently from us. */
static bool line_is_complete(FILE *f, const char *buf, size_t len)
{
	int c;

	if (len > 0 && buf[len - 1] == '\n')
		return true;
	c = getc(f);
	if (c == EOF || c == '\n')
		return true;
	(void)ungetc(c, f);
	return false;
}

static void strip_leading_blanks(char *buf, unsigned line)
{
	size_t skip = 0;

	if (line == 1 && strncmp(buf, "\xEF\xBB\xBF", 3) == 0)
		skip = 3;
	while (buf[skip] && buf[skip] != '\n' && isspace((unsigned char)buf[skip]))
		skip++;
	if (skip > 0)
		memmove(buf, buf + skip, strlen(buf + skip) + 1);
}

/* The closing bracket as inih finds it: an inline comment (';' after a blank) first
 * means the header is malformed, which inih reports as a syntax error. */
static const char *section_name_end(const char *p)
{
	bool after_blank = false;

	for (; *p; p++) {
		if (*p == ']')
			return p;
		if (*p == ';' && after_blank)
			return NULL;
		after_blank = isspace((unsigned char)*p);
	}
	return NULL;
}

static int state_section_header(struct ini_file_state *s, const char *buf)
{
	const char *end = section_name_end(buf + 1);
	int r;

	if (!end)
		return 0; /* inih reports it */
	(void)snprintf(s->section, sizeof(s->section), "%.*s", (int)(end - buf - 1), buf + 1);
	s->section_index++;
	r = s->handler(s->userdata, s->section, s->section_index, NULL, NULL, s->line);
	if (r < 0)
		state_fail(s, r);
	return r;
}

static char *ini_file_read_line(char *buf, int size, void *stream)
{
	struct ini_file_state *s = stream;
	size_t len;

	if (s->error)
		return NULL; /* stop at the first error */
	errno = 0;
	len = read_line(s->f, buf, size);
	if (len == 0) {
		if (ferror(s->f)) {
			int r = errno > 0 ? -errno : -EIO;

			/* name the line only when the file was readable before it */
			(void)ini_file_error(s->err, s->path, s->line ? s->line + 1 : 0, r,
					     "read error: %s", strerror(-r));
			s->line++;
			state_fail(s, r);
		}
		return NULL;
	}
	s->line++;
	if (!line_is_complete(s->f, buf, len)) {
		(void)ini_file_error(s->err, s->path, s->line, -EINVAL,
				     "line too long, at most %d characters", size - 1);
		state_fail(s, -EINVAL);
		return NULL;
	}
	if (memchr(buf, '\0', len)) {
		(void)ini_file_error(s->err, s->path, s->line, -EINVAL,
				     "a NUL byte, expected text (a damaged file?)");
		state_fail(s, -EINVAL);
		return NULL;
	}
	strip_leading_blanks(buf, s->line);
	if (buf[0] == '[' && state_section_header(s, buf) < 0)
		return NULL;
	return buf;
}

static int ini_file_on_key(void *user, const char *section, const char *name, const char *value)
{
	struct ini_file_state *s = user;
	int r;

	if (s->error)
		return 0;
	/* our own section name, so headers and keys agree even past inih's name limit */
	r = s->handler(s->userdata, s->section_index >= 0 ? s->section : "", s->section_index,
		       name, value, s->line);
	if (r < 0) {
		state_fail(s, r);
		return 0;
	}
	return 1;
}

/* Quote the offending line, so a person sees what inih could not read. */
static void read_line_at(FILE *f, unsigned line, char *quote, size_t size)
{
	size_t n = 0;
	int c;

	quote[0] = '\0';
	if (fseek(f, 0, SEEK_SET) < 0)
		return;
	clearerr(f);
	for (unsigned l = 1; l < line; l++) {
		do
			c = getc(f);
		while (c != EOF && c != '\n');
		if (c == EOF)
			return;
	}
	while (n + 1 < size && (c = getc(f)) != EOF && c != '\n' && c != '\r')
		if (n > 0 || !isspace(c))
			quote[n++] = (char)c;
	quote[n] = '\0';
}

static int syntax_error(struct ini_file_state *s, unsigned line)
{
	char quote[SYNTAX_QUOTE_MAX + 1];

	read_line_at(s->f, line, quote, sizeof(quote));
	return ini_file_error(s->err, s->path, line, -EINVAL,
			      "syntax error in \"%s\": expected '[Section]', 'Key=value' or a comment",
			      quote);
}

int ini_file_parse(const char *path, ini_file_handler_t handler, void *userdata, char *err)
{
	struct ini_file_state s = {
		.path = path,
		.handler = handler,
		.userdata = userdata,
		.err = err,
		.section_index = -1,
	};
	int r;

	err[0] = '\0';
	s.f = fopen(path, "re");
	if (!s.f) {
		r = -errno;
		return ini_file_error(err, path, 0, r, "cannot open: %s", strerror(-r));
	}

	r = ini_parse_stream(ini_file_read_line, &s, ini_file_on_key, &s);
	/* inih returns the first failing line: ours, the handler's or a syntax error */
	if (s.error && (r <= 0 || (unsigned)r >= s.error_line))
		r = s.error;
	else if (r > 0)
		r = syntax_error(&s, (unsigned)r);
	else if (r < 0)
		r = ini_file_error(err, path, 0, -ENOMEM, "out of memory");

	(void)fclose(s.f);
	return r;
}
