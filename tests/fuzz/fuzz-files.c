/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../test-files.h"
#include "fuzz-target.h"

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
