/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "pty.h"

/* The line as chair-sim leaves it: raw (an echoing line discipline would send every
 * reply back to us), built from scratch rather than from what the last master left.
 * No PARENB: a pty has no parity and Linux drops the bit; Debian's glibc then fails
 * tcsetattr() with EINVAL when nothing else changed. */
static int pty_set_idle(int fd)
{
	struct termios t;

	memset(&t, 0, sizeof(t));
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	(void)cfsetispeed(&t, B115200);
	(void)cfsetospeed(&t, B115200);
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return -errno;
	return 0;
}

int pty_reset_line(int slave_fd)
{
	int r = pty_set_idle(slave_fd);

	if (tcflush(slave_fd, TCIOFLUSH) < 0 && r == 0)
		r = -errno;
	return r;
}

int pty_open_raw(int *ret_master, int *ret_slave, char *ret_slave_name, size_t size)
{
	char name[128];
	int master, slave, r;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (master < 0)
		return -errno;
	if (grantpt(master) < 0 || unlockpt(master) < 0) {
		r = -errno;
		goto fail_master;
	}
	r = ptsname_r(master, name, sizeof(name));
	if (r != 0) {
		r = -r;
		goto fail_master;
	}
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		r = -errno;
		goto fail_master;
	}
	r = pty_set_idle(slave);
	if (r < 0) {
		(void)close(slave);
		goto fail_master;
	}
	if ((size_t)snprintf(ret_slave_name, size, "%s", name) >= size) {
		(void)close(slave);
		r = -ENAMETOOLONG;
		goto fail_master;
	}
	*ret_master = master;
	*ret_slave = slave;
	return 0;

fail_master:
	(void)close(master);
	return r;
}

int symlink_replace(const char *target, const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		if (!S_ISLNK(st.st_mode))
			return -EEXIST;
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
	} else if (errno != ENOENT) {
		return -errno;
	}
	if (symlink(target, path) < 0)
		return -errno;
	return 0;
}

void symlink_remove_if(const char *target, const char *path)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return;
	buf[n] = '\0';
	if (strcmp(buf, target) == 0)
		(void)unlink(path);
}
