/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../test-files.h"
#include "fuzz-target.h"
#include "ini-file.h"

static char dir[PATH_MAX];

static void remove_dir(void)
{
	test_remove_tree(dir);
}

/* tmpfs when there is one: the state-file target fsyncs what it saves. */
static const char *temp_base(void)
{
	const char *t = getenv("TMPDIR");

	if (t && t[0])
		return t;
	return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

const char *fuzz_dir(void)
{
	if (dir[0])
		return dir;
	(void)snprintf(dir, sizeof(dir), "%s/massaged-fuzz.XXXXXX", temp_base());
	if (!mkdtemp(dir)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	(void)atexit(remove_dir);
	return dir;
}

void fuzz_path(char *buf, const char *name)
{
	(void)snprintf(buf, PATH_MAX, "%s/%s", fuzz_dir(), name);
}

void fuzz_make_dir(char *buf, const char *name)
{
	fuzz_path(buf, name);
	if (mkdir(buf, 0700) < 0 && errno != EEXIST) {
		perror("fuzz: mkdir");
		abort();
	}
}

void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0) {
		perror("fuzz: open");
		abort();
	}
	while (size > 0) {
		ssize_t n = write(fd, data, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror("fuzz: write");
			abort();
		}
		data += n;
		size -= (size_t)n;
	}
	(void)close(fd);
}

/* The line number an error names for `path`, or 0. */
static unsigned error_line(const char *err, const char *path)
{
	size_t len = strlen(path);
	unsigned long line;
	char *end;

	if (strncmp(err, path, len) != 0 || err[len] != ':' || !isdigit((unsigned char)err[len + 1]))
		return 0;
	line = strtoul(err + len + 1, &end, 10);
	return *end == ':' && line <= UINT_MAX ? (unsigned)line : 0;
}

/* Where line `line` (from 1) starts in data, or NULL past the end. */
static const uint8_t *line_start(const uint8_t *data, size_t size, unsigned line)
{
	const uint8_t *p = data, *end = data + size;

	for (unsigned l = 1; l < line; l++) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			return NULL;
		p = nl + 1;
	}
	return p;
}

void fuzz_check_first_bad_line(const char *err, const char *path, const uint8_t *data, size_t size,
			       int (*parse)(const char *path, char *err))
{
	unsigned line = error_line(err, path), again_line;
	const uint8_t *start, *end, *nl;
	char part[PATH_MAX], again[INI_FILE_ERROR_MAX];
	const char *message;
	int r, limit;

	if (line == 0)
		return;
	start = line_start(data, size, line);
	FUZZ_CHECK(start && (start < data + size || line == 1 || start[-1] == '\n'),
		   "line %u named, but the file has fewer: %s", line, err);
	nl = memchr(start, '\n', (size_t)(data + size - start));
	end = nl ? nl + 1 : data + size;

	/* the message after "PATH:N: " (a quoted line may say anything) */
	message = strchr(err + strlen(path) + 1, ':') + 2;
	if (sscanf(message, "line too long, at most %d", &limit) == 1)
		FUZZ_CHECK((size_t)(end - start) > (size_t)limit, "line %u of %zu bytes called too long: %s", line,
			   (size_t)(end - start), err);

	fuzz_path(part, "first-lines");
	fuzz_write_file(part, data, (size_t)(start - data));
	r = parse(part, again);
	FUZZ_CHECK(r == 0 || error_line(again, part) == 0, "line %u was named first, but the lines before it fail: %s",
		   line, again);
	fuzz_write_file(part, data, (size_t)(end - data));
	r = parse(part, again);
	again_line = error_line(again, part);
	FUZZ_CHECK(r < 0 && again_line == line, "line %u was named, but the lines up to it %s: %s", line,
		   r < 0 ? "fail at another" : "parse", r < 0 ? again : err);
}
