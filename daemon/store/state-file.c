/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build-config.h"
#include "chair-types.h"
#include "ini-file.h"
#include "log.h"
#include "macro.h"
#include "state-file.h"

#define TEMP_SUFFIX "XXXXXX" /* mkostemp()'s: six letters or digits */

void state_file_directory(char *buf, size_t size)
{
	const char *state = getenv("STATE_DIRECTORY");

	if (state && state[0])
		(void)snprintf(buf, size, "%.*s", (int)strcspn(state, ":"), state);
	else
		(void)snprintf(buf, size, "%s", STATE_DIR);
}

static int open_directory_of(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	int fd;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int write_all(int fd, const char *data, size_t size)
{
	while (size > 0) {
		ssize_t n = write(fd, data, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		data += n;
		size -= (size_t)n;
	}
	return 0;
}

int state_file_write(const char *path, const void *data, size_t size)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int dir_fd = -EBADF;
	int fd, r;

	if (asprintf(&tmp, "%s." TEMP_SUFFIX, path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = fchmod(fd, 0644) < 0 ? -errno : 0;
	if (r == 0)
		r = write_all(fd, data, size);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlink(tmp);
		return r;
	}
	/* the rename is durable only once the directory is */
	dir_fd = open_directory_of(path);
	if (dir_fd < 0)
		return dir_fd;
	return fsync(dir_fd) < 0 ? -errno : 0;
}

int state_file_remove(const char *path)
{
	_cleanup_close_ int dir_fd = -EBADF;

	if (unlink(path) < 0)
		return errno == ENOENT ? 0 : -errno;
	dir_fd = open_directory_of(path);
	if (dir_fd < 0)
		return dir_fd;
	return fsync(dir_fd) < 0 ? -errno : 0;
}

static bool is_temp_of(const char *name, const char *base)
{
	size_t n = strlen(base);

	if (strncmp(name, base, n) != 0 || name[n] != '.' || strlen(name + n + 1) != strlen(TEMP_SUFFIX))
		return false;
	for (const char *p = name + n + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return false;
	return true;
}

FILE *state_file_text_open(struct state_file_text *t, const char *comment, const char *section, unsigned version)
{
	*t = (struct state_file_text) {};
	t->f = open_memstream(&t->text, &t->size);
	if (!t->f)
		return NULL;
	(void)fprintf(t->f, "%s[%s]\nVersion=%u\n", comment, section, version);
	return t->f;
}

char *state_file_text_close(struct state_file_text *t, size_t *ret_size)
{
	if (fclose(t->f) != 0) {
		free(t->text);
		return NULL;
	}
	*ret_size = t->size;
	return t->text;
}

int state_file_remove_stale(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	const char *base, *dir;
	struct dirent *de;
	DIR *d;
	int dir_fd, n = 0;

	if (!copy)
		return -ENOMEM;
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	dir = dirname(copy);
	dir_fd = open_directory_of(path);
	if (dir_fd < 0)
		return dir_fd;
	d = fdopendir(dir_fd);
	if (!d) {
		int r = -errno;

		(void)close(dir_fd);
		return r;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!is_temp_of(de->d_name, base) || fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (unlinkat(dir_fd, de->d_name, 0) < 0) {
			log_warning("Failed to remove %s/%s, left by a write that was cut short: %s", dir, de->d_name,
				    strerror(errno));
			continue;
		}
		log_notice("Removed %s/%s, left by a write that was cut short", dir, de->d_name);
		n++;
	}
	(void)closedir(d);
	return n;
}

struct state_parser {
	const char *path, *section;
	unsigned version;
	bool version_seen;
	state_file_key_t on_key;
	void *userdata;
	char *err;
};

static int on_line(void *userdata, const char *section, int section_index, const char *key, const char *value,
		   unsigned line)
{
	struct state_parser *p = userdata;
	unsigned v;

	(void)section_index;
	if (strcmp(section, p->section) != 0)
		return ini_file_error(p->err, p->path, line, -EINVAL, "unknown section [%s]; expected [%s]", section,
				      p->section);
	if (!key)
		return 0;
	if (strcmp(key, "Version") != 0)
		return p->on_key(p->userdata, key, value, line);
	if (parse_uint_range(value, 0, UINT_MAX, &v) < 0 || v != p->version)
		return ini_file_error(p->err, p->path, line, -EINVAL, "Version=%s; expected %u", value, p->version);
	p->version_seen = true;
	return 0;
}

int state_file_parse(const char *path, const char *section, unsigned version, state_file_key_t on_key, void *userdata,
		     char *err)
{
	struct state_parser p = {
		.path = path,
		.section = section,
		.version = version,
		.on_key = on_key,
		.userdata = userdata,
		.err = err,
	};
	int r;

	r = ini_file_parse(path, STATE_FILE_SIZE_MAX, on_line, &p, err);
	if (r < 0)
		return r;
	if (!p.version_seen)
		return ini_file_error(err, path, 0, -EINVAL, "no Version=%u in [%s]", version, section);
	return 0;
}
