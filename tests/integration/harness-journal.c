/* SPDX-License-Identifier: MIT */
/* Standing in for systemd-journald: what massaged sends to /run/systemd/journal/socket,
 * captured in the daemon's own mount namespace and parsed (the native protocol). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness-private.h"
#include "harness.h"

#define JOURNAL_DIR "/run/systemd/journal"
#define DATAGRAM_MAX (256 * 1024)

void harness_journal_open(struct harness *h)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[400];
	int fd, size = 4 * 1024 * 1024;

	(void)snprintf(dir, sizeof(dir), "%s/journal", h->tmpdir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		FAIL(h, "mkdir %s: %s", dir, strerror(errno));
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/socket", dir) >= sizeof(sa.sun_path))
		FAIL(h, "journal socket path too long: %s/socket", dir);
	(void)unlink(sa.sun_path); /* a daemon started again binds afresh */
	if (h->journal_fd >= 0)
		(void)close(h->journal_fd);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		FAIL(h, "journal socket %s: %s", sa.sun_path, strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	h->journal_fd = fd;
}

/* In the daemon's child before exec: JOURNAL_DIR is the harness's directory (a tmpfs
 * first where the path is missing, so the host's /run is not touched), and stderr is
 * "connected to the journal" (JOURNAL_STREAM). Exits 126 on failure. */
void harness_journal_child(struct harness *h)
{
	const char *base = access(JOURNAL_DIR, F_OK) == 0      ? JOURNAL_DIR
			   : access("/run/systemd", F_OK) == 0 ? "/run/systemd"
							       : "/run";
	char dir[400], stream[64];
	struct stat st;

	(void)snprintf(dir, sizeof(dir), "%s/journal", h->tmpdir);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", base, "tmpfs", 0, "size=64k,mode=0755") < 0)
		_exit(126);
	(void)mkdir("/run/systemd", 0755);
	(void)mkdir(JOURNAL_DIR, 0755);
	if (mount(dir, JOURNAL_DIR, NULL, MS_BIND, NULL) < 0 || fstat(STDERR_FILENO, &st) < 0)
		_exit(126);
	(void)snprintf(stream, sizeof(stream), "%llu:%llu", (unsigned long long)st.st_dev,
		       (unsigned long long)st.st_ino);
	(void)setenv("JOURNAL_STREAM", stream, 1);
}

/* KEY=value\n, or KEY\n + 64-bit little-endian length + value + \n (a value with a
 * newline). Fields are stored "KEY=value", each NUL-terminated, the list ended by "". */
static int parse_entry(const char *p, size_t n, char **ret)
{
	char *out = malloc(n + 2), *o = out;
	const char *end = p + n;

	if (!out)
		return -ENOMEM;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eq;
		uint64_t len = 0;

		if (!nl)
			goto bad;
		eq = memchr(p, '=', (size_t)(nl - p));
		if (eq) {
			memcpy(o, p, (size_t)(nl - p));
			o += nl - p;
			*o++ = '\0';
			p = nl + 1;
			continue;
		}
		if ((size_t)(end - nl - 1) < 8)
			goto bad;
		for (int i = 7; i >= 0; i--)
			len = len << 8 | (unsigned char)nl[1 + i];
		if (len >= (uint64_t)(end - nl - 9) || nl[9 + len] != '\n')
			goto bad;
		memcpy(o, p, (size_t)(nl - p));
		o += nl - p;
		*o++ = '=';
		memcpy(o, nl + 9, (size_t)len);
		o += len;
		*o++ = '\0';
		p = nl + 10 + len;
	}
	*o = '\0';
	*ret = out;
	return 0;
bad:
	free(out);
	return -EBADMSG;
}

static void add_entry(struct harness *h, const char *data, size_t n)
{
	struct harness_journal_entry *e;
	char *entry;

	if (parse_entry(data, n, &entry) < 0)
		FAIL(h, "the daemon sent a journal datagram that is not the native protocol (%zu bytes)", n);
	if (h->n_journal == h->cap_journal) {
		size_t cap = h->cap_journal ? h->cap_journal * 2 : 64;
		struct harness_journal_entry **list = realloc(h->journal, cap * sizeof(*list));

		if (!list)
			FAIL(h, "out of memory");
		h->journal = list;
		h->cap_journal = cap;
	}
	e = malloc(sizeof(*e));
	if (!e)
		FAIL(h, "out of memory");
	*e = (struct harness_journal_entry) { .fields = entry };
	h->journal[h->n_journal++] = e;
}

/* A large entry comes as a sealed memfd passed with SCM_RIGHTS and an empty datagram. */
static void add_memfd_entry(struct harness *h, int fd)
{
	struct stat st;
	char *buf;

	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > 64 * 1024 * 1024)
		FAIL(h, "a journal memfd of no usable size");
	buf = malloc((size_t)st.st_size);
	if (!buf || pread(fd, buf, (size_t)st.st_size, 0) != st.st_size)
		FAIL(h, "cannot read a journal memfd");
	add_entry(h, buf, (size_t)st.st_size);
	free(buf);
}

void harness_journal_drain(struct harness *h)
{
	static char buf[DATAGRAM_MAX];

	while (h->journal_fd >= 0) {
		union {
			struct cmsghdr hdr;
			char space[CMSG_SPACE(sizeof(int))];
		} control;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control)
		};
		struct cmsghdr *c;
		ssize_t n = recvmsg(h->journal_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			FAIL(h, "recvmsg on the journal socket: %s", strerror(errno));
		}
		if (mh.msg_flags & MSG_TRUNC)
			FAIL(h, "a journal datagram over %d bytes", DATAGRAM_MAX);
		c = CMSG_FIRSTHDR(&mh);
		if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int fd;

			memcpy(&fd, CMSG_DATA(c), sizeof(fd));
			add_memfd_entry(h, fd);
			(void)close(fd);
		} else
			add_entry(h, buf, (size_t)n);
	}
}

const char *harness_journal_field(const struct harness_journal_entry *e, const char *key)
{
	size_t k = strlen(key);

	for (const char *f = e->fields; *f; f += strlen(f) + 1)
		if (strncmp(f, key, k) == 0 && f[k] == '=')
			return f + k + 1;
	return NULL;
}

/* "KEY=value" pairs separated by spaces, e.g. "MASSAGED_EVENT=paused MASSAGED_ZONE=neck". */
static bool entry_matches(const struct harness_journal_entry *e, const char *match)
{
	char copy[512], *save = NULL;

	(void)snprintf(copy, sizeof(copy), "%s", match);
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(t, '=');
		const char *v;

		if (!eq)
			return false;
		*eq = '\0';
		v = harness_journal_field(e, t);
		if (!v || strcmp(v, eq + 1) != 0)
			return false;
	}
	return true;
}

const struct harness_journal_entry *harness_journal_wait(struct harness *h, const char *file, int line,
							 const char *match, unsigned timeout_ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000;
	size_t i = 0;

	for (;;) {
		harness_journal_drain(h);
		for (; i < h->n_journal; i++)
			if (!h->journal[i]->consumed && entry_matches(h->journal[i], match)) {
				h->journal[i]->consumed = true;
				return h->journal[i];
			}
		if (!harness_wait_step(h, deadline))
			break;
	}
	harness_fail(h, file, line, "no journal entry with %s within %u ms; %zu entries, the last: %s", match,
		     timeout_ms, h->n_journal, harness_journal_tail(h));
}

const char *harness_journal_tail(struct harness *h)
{
	char *b = harness_ring_buffer(h);
	size_t len = 0, from = h->n_journal > 12 ? h->n_journal - 12 : 0;

	for (size_t i = from; i < h->n_journal && len < sizeof(h->ring[0]) - 1; i++) {
		const char *ev = harness_journal_field(h->journal[i], "MASSAGED_EVENT");
		const char *msg = harness_journal_field(h->journal[i], "MESSAGE");

		len += (size_t)snprintf(b + len, sizeof(h->ring[0]) - len, "\n  [%s] %s", ev ? ev : "-",
					msg ? msg : "(no MESSAGE)");
	}
	return b;
}

void harness_journal_free(struct harness *h)
{
	for (size_t i = 0; i < h->n_journal; i++) {
		free(h->journal[i]->fields);
		free(h->journal[i]);
	}
	free(h->journal);
	h->journal = NULL;
	h->n_journal = h->cap_journal = 0;
	if (h->journal_fd >= 0)
		(void)close(h->journal_fd);
	h->journal_fd = -1;
}
