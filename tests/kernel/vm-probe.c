/* SPDX-License-Identifier: MIT */
/* vm-probe: timing probes that run inside the kernel suite's VM, on the gpio-sim
 * chip of chair-gpio.sh (its sysfs folder holds sim_gpioK/value and sim_gpioK/pull).
 *
 *   vm-probe estop SYSFS PRESSES ESTOP OUTPUTS
 *     PRESSES times: clear the fault, start a manual program with the neck pad
 *     heating (busctl), wait until MOTOR_POWER and HEAT_POWER are driven, then pull
 *     ESTOP down (the press edge) and time until every line of OUTPUTS reads 0.
 *     Prints each reaction and "estop presses=N median_us=M worst_us=W".
 *   vm-probe term SYSFS PID OUTPUTS
 *     SIGTERM to PID, then watch OUTPUTS (pulled up beforehand, so a released line
 *     reads 1) until every one is released again: prints "term LINE driven-inactive"
 *     for each line seen at 0 in between, and exits 1 if one never was.
 *
 * OUTPUTS are comma-separated line offsets, the first two MOTOR_POWER and HEAT_POWER. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINES 16

static int open_attr(const char *sysfs, unsigned offset, const char *attr, int flags)
{
	char path[512];
	int fd;

	(void)snprintf(path, sizeof(path), "%s/sim_gpio%u/%s", sysfs, offset, attr);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vm-probe: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return fd;
}

static int read_value(int fd)
{
	char c = '?';

	if (pread(fd, &c, 1, 0) != 1)
		return -1;
	return c == '1';
}

static void write_pull(int fd, const char *pull)
{
	if (pwrite(fd, pull, strlen(pull), 0) < 0) {
		fprintf(stderr, "vm-probe: pull %s: %s\n", pull, strerror(errno));
		exit(2);
	}
}

static unsigned long long now_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000ULL;
}

static unsigned parse_lines(const char *csv, unsigned *out)
{
	unsigned n = 0;
	char *end;

	while (*csv && n < MAX_LINES) {
		out[n++] = (unsigned)strtoul(csv, &end, 10);
		csv = *end == ',' ? end + 1 : end;
		if (end == csv && *csv)
			break;
	}
	return n;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

#define BUSCTL "busctl --quiet call org.massaged.Chair1 /org/massaged/Chair1 org.massaged.Chair1 "

/* Until both power lines are driven active; 0 on success. */
static int wait_powered(const int *fds, unsigned long long timeout_us)
{
	unsigned long long end = now_us() + timeout_us;

	while (now_us() < end) {
		if (read_value(fds[0]) == 1 && read_value(fds[1]) == 1)
			return 0;
		(void)usleep(2000);
	}
	return -1;
}

static int probe_estop(const char *sysfs, unsigned presses, unsigned estop, const char *csv)
{
	unsigned lines[MAX_LINES], n = parse_lines(csv, lines);
	int fds[MAX_LINES], pull = open_attr(sysfs, estop, "pull", O_WRONLY);
	unsigned long long *t = calloc(presses, sizeof(*t));

	if (!t || n < 2)
		return 2;
	for (unsigned i = 0; i < n; i++)
		fds[i] = open_attr(sysfs, lines[i], "value", O_RDONLY);
	for (unsigned p = 0; p < presses; p++) {
		unsigned long long t0, end;
		unsigned inactive = 0;

		(void)system(BUSCTL "ClearFault >/dev/null 2>&1");
		if (system(BUSCTL "StartManual ss knead neck") != 0 ||
		    system("busctl --quiet call org.massaged.Chair1 /org/massaged/Chair1/heater/neck "
			   "org.massaged.Heater1 SetTarget d 44") != 0 ||
		    wait_powered(fds, 5000000ULL) < 0) {
			fprintf(stderr, "vm-probe: press %u: the chair did not start\n", p + 1);
			return 1;
		}
		t0 = now_us();
		write_pull(pull, "pull-down");
		end = t0 + 2000000ULL;
		while (inactive < n && now_us() < end) {
			inactive = 0;
			for (unsigned i = 0; i < n; i++)
				inactive += read_value(fds[i]) == 0;
		}
		t[p] = now_us() - t0;
		write_pull(pull, "pull-up");
		if (inactive < n) {
			fprintf(stderr, "vm-probe: press %u: outputs still active after 2 s\n", p + 1);
			return 1;
		}
		printf("press %u %llu us\n", p + 1, t[p]);
		(void)usleep(30000); /* the release edge, then the next round */
	}
	qsort(t, presses, sizeof(*t), cmp_ull);
	printf("estop presses=%u median_us=%llu worst_us=%llu\n", presses, t[presses / 2], t[presses - 1]);
	free(t);
	return 0;
}

static int probe_term(const char *sysfs, pid_t pid, const char *csv)
{
	unsigned lines[MAX_LINES], n = parse_lines(csv, lines), released = 0;
	int fds[MAX_LINES], seen0[MAX_LINES] = { 0 }, failed = 0;
	unsigned long long end;

	for (unsigned i = 0; i < n; i++)
		fds[i] = open_attr(sysfs, lines[i], "value", O_RDONLY);
	if (kill(pid, SIGTERM) < 0) {
		fprintf(stderr, "vm-probe: kill %d: %s\n", (int)pid, strerror(errno));
		return 2;
	}
	end = now_us() + 10000000ULL;
	while (now_us() < end) {
		released = 0;
		for (unsigned i = 0; i < n; i++) {
			int v = read_value(fds[i]);

			seen0[i] |= v == 0;
			released += seen0[i] && v == 1;
		}
		if (released == n)
			break;
	}
	for (unsigned i = 0; i < n; i++) {
		printf("term line %u %s\n", lines[i], seen0[i] ? "driven-inactive" : "never driven inactive");
		failed |= !seen0[i];
	}
	return failed;
}

int main(int argc, char *argv[])
{
	if (argc == 6 && strcmp(argv[1], "estop") == 0)
		return probe_estop(argv[2], (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]), argv[5]);
	if (argc == 5 && strcmp(argv[1], "term") == 0)
		return probe_term(argv[2], (pid_t)atoi(argv[3]), argv[4]);
	fprintf(stderr, "usage: vm-probe estop SYSFS PRESSES ESTOP OUTPUTS | term SYSFS PID OUTPUTS\n");
	return 2;
}
