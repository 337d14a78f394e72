/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ini-file.h"

#define SYNTAX_QUOTE_MAX 60

struct ini_file_state {
	FILE *f;
	const char *path;
	ini_file_handler_t handler;
	void *userdata;
	char *err;

	unsigned line;     /* lines handed to inih so far: the one it is parsing now */
	int section_index; /* header lines seen so far, minus one */
	char section[INI_FILE_SECTION_MAX];

	int error; /* first error of ours or the handler's, negative errno */
	unsigned error_line;

	size_t size_max, size_read;
	char line_buf[INI_FILE_LINE_MAX + 1]; /* the whole line: inih's own buffer holds 199 bytes */
};

int ini_file_errorv(char *err, const char *path, unsigned line, int r, const char *fmt, va_list ap)
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

/* inih's own split of a "name = value ; comment" line (its ini.c, as Debian builds it:
 * a comment starts a line with ';' or '#', or follows a blank with ';'; name and value
 * are trimmed), for the lines longer than inih's buffer. */
static char *find_separator_or_comment(char *p, const char *separators)
{
	bool after_blank = false;

	for (; *p; p++) {
		if (separators && strchr(separators, *p))
			break;
		if (after_blank && *p == ';')
			break;
		after_blank = isspace((unsigned char)*p);
	}
	return p;
}

static char *trim(char *p)
{
	char *end = p + strlen(p);

	while (*p && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return p;
}

static int state_key(struct ini_file_state *s, const char *name, const char *value)
{
	/* our own section name, so headers and keys agree even past inih's name limit */
	int r = s->handler(s->userdata, s->section_index >= 0 ? s->section : "", s->section_index, name, value,
			   s->line);

	if (r < 0)
		state_fail(s, r);
	return r;
}

/* A line too long for inih's buffer: a key is handed to the handler here, and inih
 * gets a short line of the same kind in its place (a comment, a header, or a line
 * without '=' that it reports as a syntax error), so it counts lines as we do. */
static const char *long_line(struct ini_file_state *s, char *line)
{
	char *separator, *value;

	if (line[0] == ';' || line[0] == '#')
		return ";";
	if (line[0] == '[')
		return section_name_end(line + 1) ? "[]" : "[";
	separator = find_separator_or_comment(line, "=:");
	if (*separator != '=' && *separator != ':')
		return "?";
	*separator = '\0';
	value = separator + 1;
	*find_separator_or_comment(value, NULL) = '\0';
	return state_key(s, trim(line), trim(value)) < 0 ? NULL : ";";
}

static char *ini_file_read_line(char *buf, int size, void *stream)
{
	struct ini_file_state *s = stream;
	char *line = s->line_buf;
	size_t len;

	if (s->error)
		return NULL; /* stop at the first error */
	errno = 0;
	len = read_line(s->f, line, sizeof(s->line_buf));
	if (len == 0) {
		if (ferror(s->f)) {
			int r = errno > 0 ? -errno : -EIO;

			/* name the line only when the file was readable before it */
			(void)ini_file_error(s->err, s->path, s->line ? s->line + 1 : 0, r, "read error: %s",
					     strerror(-r));
			s->line++;
			state_fail(s, r);
		}
		return NULL;
	}
	s->line++;
	s->size_read += len;
	if (s->size_read > s->size_max) {
		/* it grew after it was opened */
		(void)ini_file_error(s->err, s->path, s->line, -EFBIG, "larger than %zu bytes, expected a smaller file",
				     s->size_max);
		state_fail(s, -EFBIG);
		return NULL;
	}
	if (!line_is_complete(s->f, line, len)) {
		(void)ini_file_error(s->err, s->path, s->line, -EINVAL, "line too long, at most %d characters",
				     INI_FILE_LINE_MAX);
		state_fail(s, -EINVAL);
		return NULL;
	}
	if (memchr(line, '\0', len)) {
		(void)ini_file_error(s->err, s->path, s->line, -EINVAL, "a NUL byte, expected text (a damaged file?)");
		state_fail(s, -EINVAL);
		return NULL;
	}
	strip_leading_blanks(line, s->line);
	if (line[0] == '[' && state_section_header(s, line) < 0)
		return NULL;
	if (strlen(line) >= (size_t)size) {
		const char *stand_in = long_line(s, line);

		if (!stand_in)
			return NULL;
		(void)snprintf(buf, (size_t)size, "%s\n", stand_in);
		return buf;
	}
	memcpy(buf, line, strlen(line) + 1);
	return buf;
}

static int ini_file_on_key(void *user, const char *section, const char *name, const char *value)
{
	struct ini_file_state *s = user;

	(void)section;
	if (s->error)
		return 0;
	return state_key(s, name, value) < 0 ? 0 : 1;
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
			      "syntax error in \"%s\": expected '[Section]', 'Key=value' or a comment", quote);
}

static const char *file_type(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	return "not a regular file";
}

/* Only a regular file is opened for good: O_NONBLOCK so that opening a FIFO never waits
 * for a writer (and reading a device never hangs the caller); fstat() then refuses
 * everything else, and anything larger than size_max. */
static int open_regular_file(const char *path, size_t size_max, char *err, FILE **ret)
{
	struct stat st;
	int fd, r;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		return ini_file_error(err, path, 0, r, "cannot open: %s", strerror(-r));
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		(void)close(fd);
		return ini_file_error(err, path, 0, r, "cannot read: %s", strerror(-r));
	}
	if (!S_ISREG(st.st_mode)) {
		(void)close(fd);
		return ini_file_error(err, path, 0, -EINVAL, "%s, expected a regular file", file_type(st.st_mode));
	}
	if ((unsigned long long)st.st_size > size_max) {
		(void)close(fd);
		return ini_file_error(err, path, 0, -EFBIG, "%lld bytes, larger than the limit of %zu bytes",
				      (long long)st.st_size, size_max);
	}
	*ret = fdopen(fd, "re");
	if (!*ret) {
		r = -errno;
		(void)close(fd);
		return ini_file_error(err, path, 0, r, "cannot read: %s", strerror(-r));
	}
	return 0;
}

int ini_file_parse(const char *path, size_t size_max, ini_file_handler_t handler, void *userdata, char *err)
{
	struct ini_file_state state = {
		.path = path,
		.handler = handler,
		.userdata = userdata,
		.err = err,
		.section_index = -1,
		.size_max = size_max,
	}, *s = &state;
	int r;

	err[0] = '\0';
	r = open_regular_file(path, size_max, err, &s->f);
	if (r < 0)
		return r;

	r = ini_parse_stream(ini_file_read_line, s, ini_file_on_key, s);
	/* inih returns the first failing line: ours, the handler's or a syntax error */
	if (s->error && (r <= 0 || (unsigned)r >= s->error_line))
		r = s->error;
	else if (r > 0)
		r = syntax_error(s, (unsigned)r);
	else if (r < 0)
		r = ini_file_error(err, path, 0, -ENOMEM, "out of memory");

	(void)fclose(s->f);
	return r;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t len = strlen(name), n = strlen(suffix);

	return name[0] != '.' && len > n && strcmp(name + len - n, suffix) == 0;
}

void ini_file_names_free(char **names)
{
	if (!names)
		return;
	for (char **p = names; *p; p++)
		free(*p);
	free(names);
}

int ini_file_list_dir(const char *dir, const char *suffix, unsigned max, char ***ret, unsigned *n, char *err)
{
	char **names = calloc((size_t)max + 1, sizeof(*names));
	unsigned count = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (!names)
		return ini_file_error(err, dir, 0, -ENOMEM, "out of memory");
	d = opendir(dir);
	if (!d) {
		r = -errno;
		free(names);
		return ini_file_error(err, dir, 0, r, "cannot read the directory: %s", strerror(-r));
	}
	while (r == 0 && (errno = 0, de = readdir(d))) {
		if (!has_suffix(de->d_name, suffix))
			continue;
		if (count == max)
			r = ini_file_error(err, dir, 0, -E2BIG, "more than %u *%s files, expected at most %u", max,
					   suffix, max);
		else if (!(names[count++] = strdup(de->d_name)))
			r = ini_file_error(err, dir, 0, -ENOMEM, "out of memory");
	}
	if (r == 0 && errno != 0) {
		r = -errno;
		(void)ini_file_error(err, dir, 0, r, "cannot read the directory: %s", strerror(-r));
	}
	(void)closedir(d);
	if (r < 0) {
		ini_file_names_free(names);
		return r;
	}
	qsort(names, count, sizeof(*names), compare_names);
	*ret = names;
	*n = count;
	return 0;
}
