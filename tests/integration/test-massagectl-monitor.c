/* SPDX-License-Identifier: MIT */
/* massagectl monitor as a person meets it: through a pipe a line per event or change
 * (as journalctl -f), nothing while the chair is idle; on a terminal (a pty of 40x14,
 * then 30x14) a view that fits the window with its header on top; and a session's
 * total that does not jitter. */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check-tap.h"
#include "harness.h"

/* Twelve 10 s steps: two minutes of chair time, a step line every 10 s. */
#define TWELVE_ID "test-twelve"

struct monitor_child {
	pid_t pid;
	int fd; /* its stdout: a pipe's read end or a pty's master */
	char out[1 << 20];
	size_t len;
	size_t mark; /* child_wait() searches from here */
};

/* massagectl monitor on the harness's bus, its stdout a pipe, or a pty of cols x rows. */
static void child_start(struct harness *h, struct monitor_child *c, bool pty, unsigned short cols, unsigned short rows)
{
	const char *ctl = getenv("MASSAGECTL");
	int pipe_fds[2] = { -1, -1 };

	H_ASSERT(h, ctl, "MASSAGECTL is not set");
	*c = (struct monitor_child) { .fd = -1 };
	if (pty) {
		struct winsize ws = { .ws_row = rows, .ws_col = cols };

		c->pid = forkpty(&c->fd, NULL, NULL, &ws);
	} else {
		H_ASSERT(h, pipe(pipe_fds) == 0, "pipe: %s", strerror(errno));
		c->pid = fork();
		c->fd = pipe_fds[0];
	}
	H_ASSERT(h, c->pid >= 0, "fork: %s", strerror(errno));
	if (c->pid == 0) {
		if (!pty) {
			(void)dup2(pipe_fds[1], STDOUT_FILENO);
			(void)close(pipe_fds[0]);
			(void)close(pipe_fds[1]);
		}
		(void)setenv("DBUS_SYSTEM_BUS_ADDRESS", h->bus_address, 1);
		(void)unsetenv("NO_COLOR");
		(void)setenv("TERM", "xterm", 1);
		execl(ctl, "massagectl", "monitor", (char *)NULL);
		_exit(127);
	}
	if (!pty)
		(void)close(pipe_fds[1]);
}

/* Reads what the child writes for up to ms (or until the first bytes, when
 * until_some); returns the bytes read. */
static size_t child_read_some(struct monitor_child *c, unsigned ms, bool until_some)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)ms * 1000;
	size_t before = c->len;

	for (;;) {
		uint64_t now = harness_now_usec();
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		ssize_t n;

		if (now >= deadline || poll(&p, 1, (int)((deadline - now) / 1000) + 1) <= 0)
			break;
		n = read(c->fd, c->out + c->len, sizeof(c->out) - 1 - c->len);
		if (n <= 0)
			break;
		c->len += (size_t)n;
		c->out[c->len] = '\0';
		if (until_some || c->len + 1 >= sizeof(c->out))
			break;
	}
	return c->len - before;
}

static size_t child_read(struct monitor_child *c, unsigned ms)
{
	return child_read_some(c, ms, false);
}

/* Waits until the child has written `text` after the mark; the mark moves past it. */
static void child_wait(struct harness *h, struct monitor_child *c, const char *text, unsigned ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)ms * 1000;
	const char *at;

	while (!(at = strstr(c->out + c->mark, text))) {
		uint64_t now = harness_now_usec();

		H_ASSERT(h, now < deadline, "no \"%s\" from massagectl monitor within %u ms; it wrote:\n%s", text, ms,
			 c->out);
		(void)child_read_some(c, (unsigned)((deadline - now) / 1000) + 1, true);
	}
	c->mark = (size_t)(at - c->out) + strlen(text);
}

/* SIGINT ends it with status 0, as a person's ^C. */
static void child_stop(struct harness *h, struct monitor_child *c)
{
	int status;

	(void)kill(c->pid, SIGINT);
	(void)child_read(c, 300);
	H_ASSERT(h, waitpid(c->pid, &status, 0) == c->pid, "waitpid: %s", strerror(errno));
	(void)close(c->fd);
	H_ASSERT(h, WIFEXITED(status) && WEXITSTATUS(status) == 0, "massagectl monitor ended with 0x%x:\n%s",
		 (unsigned)status, c->out);
}

/* How many lines are "HH:MM:SS text" exactly. */
static unsigned count_lines(const char *out, const char *text)
{
	unsigned n = 0;

	for (const char *line = out; *line;) {
		size_t len = strcspn(line, "\n");

		if (len == 9 + strlen(text) && memcmp(line + 9, text, strlen(text)) == 0)
			n++;
		line += len + (line[len] == '\n');
	}
	return n;
}

START_TEST(test_monitor_pipe_lines)
{
	struct monitor_child c;
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	child_start(&h, &c, false, 0, 0);
	child_wait(&h, &c, " idle\n", 5000);
	/* idle and nothing changes: not a byte */
	H_ASSERT(&h, child_read(&c, 2000) == 0, "printed while the chair was idle:\n%s", c.out);

	H_START_RUNNING(&h, TEST_SHORT_ID);
	child_wait(&h, &c, " session started: " TEST_SHORT_ID, 5000);
	child_wait(&h, &c, " running " TEST_SHORT_ID " step 1/3 knead on neck, ", 5000);
	child_wait(&h, &c, " running " TEST_SHORT_ID " step 2/3 tap on lower-back, ", harness_wall_ms(&h, 40) + 3000);
	child_wait(&h, &c, " program " TEST_SHORT_ID " finished: completed\n", harness_wall_ms(&h, 90) + 3000);
	child_wait(&h, &c, " idle\n", harness_wall_ms(&h, 30) + 3000);

	H_START_RUNNING(&h, TEST_LONG_ID);
	child_wait(&h, &c, " running " TEST_LONG_ID " step 1/2 ", 5000);
	H_CALL(&h, "Pause", "");
	child_wait(&h, &c, " paused\n", 3000);
	H_CALL(&h, "Resume", "");
	child_wait(&h, &c, " resumed\n", 3000);
	H_CALL(&h, "SetIntensity", "u", 4);
	child_wait(&h, &c, " intensity 4\n", 3000);
	H_CALL(&h, "Stop", "");
	child_wait(&h, &c, " program " TEST_LONG_ID " finished: stopped\n", 3000);
	child_wait(&h, &c, " idle\n", harness_wall_ms(&h, 30) + 3000);

	H_SIM(&h, "SetEmergencyStop", "b", 1);
	child_wait(&h, &c, " fault estop: ", 3000);
	H_SIM(&h, "SetEmergencyStop", "b", 0);
	H_CLEAR_FAULT(&h, "estop");
	child_wait(&h, &c, " fault estop cleared\n", 3000);
	child_wait(&h, &c, " idle\n", 3000);
	H_ASSERT(&h, child_read(&c, 1500) == 0, "printed while the chair was idle again:\n%s", c.out);
	child_stop(&h, &c);

	/* every line "HH:MM:SS text", never an escape sequence or a redrawn view */
	for (const char *line = c.out; *line;) {
		size_t len = strcspn(line, "\n");
		unsigned hh, mm, ss;
		char sep;

		bool stamped = sscanf(line, "%2u:%2u:%2u%c", &hh, &mm, &ss, &sep) == 4 && sep == ' ';

		H_ASSERT(&h, stamped, "not a \"HH:MM:SS text\" line: %.*s\nin:\n%s", (int)len, line, c.out);
		line += len + (line[len] == '\n');
	}
	H_ASSERT(&h, !strchr(c.out, '\033'), "an escape sequence through a pipe:\n%s", c.out);
	H_ASSERT(&h, !strstr(c.out, "massage chair:"), "the status view through a pipe:\n%s", c.out);
	/* one line per event */
	H_ASSERT_UINT_EQ(&h, count_lines(c.out, "paused"), 1);
	H_ASSERT_UINT_EQ(&h, count_lines(c.out, "resumed"), 1);
	H_ASSERT_UINT_EQ(&h, count_lines(c.out, "intensity 4"), 1);
	H_ASSERT_UINT_EQ(&h, count_lines(c.out, "program " TEST_SHORT_ID " finished: completed"), 1);
	H_ASSERT_UINT_EQ(&h, count_lines(c.out, "program " TEST_LONG_ID " finished: stopped"), 1);
	H_ASSERT_UINT_EQ(&h, count_lines(c.out, "session started: " TEST_LONG_ID), 1);
	/* as TAP comments: each line of it behind "# " */
	printf("# massagectl monitor through a pipe:\n");
	for (const char *l = c.out; *l;) {
		const char *end = strchrnul(l, '\n');

		printf("#   %.*s\n", (int)(end - l), l);
		l = *end ? end + 1 : end;
	}
	harness_stop(&h);
}
END_TEST

/* Splits the pty's output into frames (each starts with ESC[H) and checks each fits
 * columns x rows with the header on its first line; returns how many it checked. */
static unsigned check_frames(struct harness *h, const char *out, unsigned columns, unsigned rows)
{
	unsigned frames = 0;

	for (const char *frame = strstr(out, "\033[H"); frame; frame = strstr(frame + 1, "\033[H")) {
		const char *end = strstr(frame + 1, "\033[H");
		size_t n_lines = 0;
		char first[512] = "";

		if (!end)
			break; /* the last may be cut short by ^C */
		for (const char *p = frame + 3; p < end;) {
			size_t columns_used = 0;
			char text[512];
			size_t t = 0;

			/* a line: up to "\r\n" (the pty's newline), without escape sequences */
			while (p < end && *p != '\n') {
				if (*p == '\033' && p + 1 < end && p[1] == '[') {
					p += 2;
					while (p < end && !(*p >= 0x40 && *p <= 0x7e))
						p++;
					p++;
					continue;
				}
				if (*p != '\r') {
					if (((unsigned char)*p & 0xc0) != 0x80)
						columns_used++;
					if (t + 1 < sizeof(text))
						text[t++] = *p;
				}
				p++;
			}
			text[t] = '\0';
			if (p < end) {
				p++;
				n_lines++;
				if (n_lines == 1)
					(void)snprintf(first, sizeof(first), "%s", text);
			}
			H_ASSERT(h, columns_used <= columns, "a line of %zu columns in a %u-column window: \"%s\"",
				 columns_used, columns, text);
		}
		H_ASSERT(h, n_lines < rows, "a view of %zu lines in a %u-row window", n_lines, rows);
		H_ASSERT(h, strstr(first, "massage chair: "), "the view's first line is \"%s\", not the header", first);
		frames++;
	}
	return frames;
}

START_TEST(test_monitor_pty_fits)
{
	struct monitor_child c;
	struct harness h;
	struct winsize ws = { .ws_row = 14, .ws_col = 30 };
	size_t resized_at;
	const char *after;
	unsigned frames;

	harness_start(&h, SCAN_SCALE, NULL);
	child_start(&h, &c, true, 40, 14);
	child_wait(&h, &c, "massage chair: idle", 5000);
	H_START_RUNNING(&h, TEST_LONG_ID);
	H_CALL(&h, "Pause", "");
	H_CALL(&h, "Resume", "");
	(void)child_read(&c, 1500);
	/* the events under the view: the session's start, pause and resume */
	child_wait(&h, &c, "resumed", 2000);
	frames = check_frames(&h, c.out, 40, 14);
	H_ASSERT(&h, frames >= 2, "%u views in 1.5 s", frames);

	/* a narrower window: SIGWINCH, and the view follows */
	resized_at = c.len;
	H_ASSERT(&h, ioctl(c.fd, TIOCSWINSZ, &ws) == 0, "TIOCSWINSZ: %s", strerror(errno));
	(void)child_read(&c, 1500);
	after = strstr(c.out + resized_at, "\033[2J");
	H_ASSERT(&h, after, "no fresh screen after the window changed");
	frames = check_frames(&h, after, 30, 14);
	H_ASSERT(&h, frames >= 1, "%u views after the window changed", frames);
	H_ASSERT(&h, strstr(after, "…"), "nothing cut with an ellipsis at 30 columns");
	child_stop(&h, &c);
	harness_stop(&h);
}
END_TEST

/* Every "left of TOTAL" in out (in frames whose header says running, when
 * running_only) is first's; returns how many there were. */
static unsigned check_totals(struct harness *h, const char *out, bool running_only, char first[static 32])
{
	unsigned n = 0;

	for (const char *p = strstr(out, " left of "); p; p = strstr(p + 1, " left of ")) {
		const char *frame = p;
		char total[32];
		bool read;

		/* the frame's start: the last ESC[H before it */
		while (frame > out && !(frame[0] == '\033' && frame[1] == '[' && frame[2] == 'H'))
			frame--;
		if (running_only && strncmp(strstr(frame, "massage chair: ") ?: "", "massage chair: running", 22) != 0)
			continue;
		read = sscanf(p, " left of %31[0-9:]", total) == 1;
		H_ASSERT(h, read, "no total: %.40s", p);
		if (!first[0])
			(void)snprintf(first, 32, "%s", total);
		H_ASSERT(h, strcmp(total, first) == 0, "the total went from %s to %s", first, total);
		n++;
	}
	return n;
}

/* The total in every progress the monitor prints is the same through a run at a high
 * time scale: in the step lines through a pipe, and in each view on a terminal, which
 * redraws with every second of chair time (so at every part of a wall second). */
START_TEST(test_monitor_total_steady)
{
	struct monitor_child lines, view;
	struct harness h;
	char program[2048] = "[Program]\nTitle=Twelve steps\nDescription=Twelve short steps\n";
	char total[32] = "";
	unsigned n_lines, n_views;
	uint64_t deadline;

	for (int i = 0; i < 12; i++)
		(void)snprintf(
			program + strlen(program), sizeof(program) - strlen(program),
			"\n[Step]\nTechnique=%s\nZone=%s\nDuration=10\nSpeed=3\nWidth=medium\nDepth=0\nHeat=no\n",
			i % 2 ? "knead" : "glide", i % 3 ? "shoulders" : "upper-back");
	harness_init(&h, NULL);
	harness_write_program(&h, TWELVE_ID, program);
	harness_start_daemon(&h, SCAN_SCALE);
	child_start(&h, &lines, false, 0, 0);
	child_start(&h, &view, true, 200, 60);
	child_wait(&h, &lines, " idle\n", 5000);
	child_wait(&h, &view, "massage chair: idle", 5000);
	H_START_RUNNING(&h, TWELVE_ID);
	/* the pty is read as it goes: a full one would hold the monitor up */
	deadline = harness_now_usec() + (harness_wall_ms(&h, 120 + 30) + 5000) * 1000ULL;
	n_views = 0;
	while (!strstr(lines.out, " program " TWELVE_ID " finished: completed\n")) {
		char *last_frame;

		H_ASSERT(&h, harness_now_usec() < deadline, "the run did not end:\n%s", lines.out);
		(void)child_read(&view, 50);
		(void)child_read(&lines, 1);
		/* the whole views so far are checked and dropped: hundreds of them */
		last_frame = view.out + view.len;
		while (last_frame > view.out && strncmp(last_frame, "\033[H", 3) != 0)
			last_frame--;
		*last_frame = '\0';
		n_views += check_totals(&h, view.out, true, total);
		*last_frame = '\033';
		view.len -= (size_t)(last_frame - view.out);
		memmove(view.out, last_frame, view.len + 1);
		view.mark = 0;
	}
	child_stop(&h, &lines);
	child_stop(&h, &view);

	n_lines = check_totals(&h, lines.out, false, total);
	H_ASSERT(&h, n_lines >= 12, "%u progress lines for 12 steps:\n%s", n_lines, lines.out);
	H_ASSERT(&h, n_views >= 50, "%u views of a running program", n_views);
	printf("# 12 steps: %u lines and %u views, every total %s\n", n_lines, n_views, total);
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("massagectl-monitor");

	CHECK_ADD_TEST(s, test_monitor_pipe_lines, 60);
	CHECK_ADD_TEST(s, test_monitor_pty_fits, 60);
	CHECK_ADD_TEST(s, test_monitor_total_steady, 60);
	return check_run_tap(s);
}
