/* SPDX-License-Identifier: MIT */
/* A flood of D-Bus calls from many clients at once while hot-stone runs with every pad
 * heating: reads, introspection, refused calls and accepted live ones, pipelined with
 * many outstanding per client. The program must go on, the pads keep heating, every
 * refused call gets its error, the daemon's memory stays flat from one flood to the
 * next, and the control loop keeps time (its lateness from the daemon's exit line).
 *
 * FLOOD_CLIENTS (default 32) and FLOOD_SECONDS (default 10, per flood) change the load
 * for measuring by hand; FLOOD_CLIENTS=0 gives the quiet baseline. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check-tap.h"
#include "harness.h"

#define HEATER_IFACE "org.massaged.Heater1"
#define PROPS_IFACE "org.freedesktop.DBus.Properties"
#define ERR(x) "org.freedesktop.DBus.Error." x
#define NECK_PATH CHAIR_PATH "/heater/neck"

/* Chair time runs 5x: the body scan before hot-stone takes about 4 s of wall time. */
#define TIME_SCALE 5
/* Calls each client keeps in flight; under the bus's per-connection reply limit. */
#define OUTSTANDING 48
#define MAX_CLIENTS 128
/* A tick this late (wall time) is the mark of a starved loop: 10 control periods at
 * time scale 1, and here the roller board's 1 s watchdog of chair time. Load on a
 * shared 2-core machine makes a few ms; a loop that lets the bus traffic go first
 * makes seconds. */
#define LATENESS_WORST_MAX_MS 200.0
/* What a second flood may add to the daemon's resident memory. The first flood grows
 * the allocator's arenas and sd-bus's buffers to their working size; the second, as
 * long and as heavy, reuses them. At some 10^4 calls/s for 10 s, a leak of even 2
 * bytes per call would pass this; one of 4 KiB per 1000 calls would not. */
#define RSS_GROWTH_MAX_KIB 256

enum op {
	OP_GET_STATE,
	OP_GET_ALL_CHAIR,
	OP_GET_ALL_PAD,
	OP_GET_OUTPUTS,
	OP_LIST_PROGRAMS,
	OP_INTROSPECT,
	OP_BAD_INTENSITY,
	OP_NO_SUCH_PROGRAM,
	OP_BAD_ZONE,
	OP_BAD_SIGNATURE,
	OP_BAD_TARGET,
	OP_UNKNOWN_METHOD,
	OP_SET_INTENSITY,
	OP_SET_SPEED,
	OP_PAUSE,
	OP_RESUME,
	_OP_MAX,
};

static const struct op_spec {
	const char *name;
	const char *error; /* expected error, NULL: succeeds */
} op_specs[_OP_MAX] = {
	[OP_GET_STATE] = { "Get(State)", NULL },
	[OP_GET_ALL_CHAIR] = { "GetAll(Chair1)", NULL },
	[OP_GET_ALL_PAD] = { "GetAll(Heater1)", NULL },
	[OP_GET_OUTPUTS] = { "Get(Outputs)", NULL },
	[OP_LIST_PROGRAMS] = { "ListPrograms", NULL },
	[OP_INTROSPECT] = { "Introspect", NULL },
	[OP_BAD_INTENSITY] = { "SetIntensity(0)", ERR("InvalidArgs") },
	[OP_NO_SUCH_PROGRAM] = { "Start(nosuch)", CHAIR_ERROR("NoSuchProgram") },
	[OP_BAD_ZONE] = { "StartManual(knead, elbow)", ERR("InvalidArgs") },
	[OP_BAD_SIGNATURE] = { "Start(u)", ERR("InvalidArgs") },
	[OP_BAD_TARGET] = { "SetTarget(NaN)", ERR("InvalidArgs") },
	[OP_UNKNOWN_METHOD] = { "Explode", ERR("UnknownMethod") },
	[OP_SET_INTENSITY] = { "SetIntensity(3)", NULL },
	[OP_SET_SPEED] = { "SetSpeed(2)", NULL },
	[OP_PAUSE] = { "Pause", NULL },
	[OP_RESUME] = { "Resume", NULL },
};

/* Per client, in memory shared with the test. */
struct client_stats {
	uint64_t sent, replies, wrong[_OP_MAX], failed_to_send;
	char first_wrong[256];
	int done;
};

struct client {
	sd_bus *bus;
	struct client_stats *stats;
	unsigned outstanding;
};

struct pending {
	struct client *client;
	enum op op;
};

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct pending *p = userdata;
	struct client *c = p->client;
	const sd_bus_error *e = sd_bus_message_get_error(m);
	const char *want = op_specs[p->op].error;
	bool ok = want ? e && sd_bus_error_has_name(e, want) && e->message && e->message[0] : !e;

	c->outstanding--;
	c->stats->replies++;
	if (!ok) {
		c->stats->wrong[p->op]++;
		if (!c->stats->first_wrong[0])
			(void)snprintf(c->stats->first_wrong, sizeof(c->stats->first_wrong), "%s: %s (%s), expected %s",
				       op_specs[p->op].name, e ? e->name : "success", e && e->message ? e->message : "",
				       want ? want : "success");
	}
	free(p);
	return 0;
}

static int send_op(struct client *c, enum op op)
{
	sd_bus_message *m = NULL;
	struct pending *p;
	int r;

	switch (op) {
	case OP_GET_STATE:
		r = sd_bus_message_new_method_call(c->bus, &m, CHAIR_SERVICE, CHAIR_PATH, PROPS_IFACE, "Get");
		if (r >= 0)
			r = sd_bus_message_append(m, "ss", CHAIR_IFACE, "State");
		break;
	case OP_GET_ALL_CHAIR:
		r = sd_bus_message_new_method_call(c->bus, &m, CHAIR_SERVICE, CHAIR_PATH, PROPS_IFACE, "GetAll");
		if (r >= 0)
			r = sd_bus_message_append(m, "s", CHAIR_IFACE);
		break;
	case OP_GET_ALL_PAD:
		r = sd_bus_message_new_method_call(c->bus, &m, CHAIR_SERVICE, NECK_PATH, PROPS_IFACE, "GetAll");
		if (r >= 0)
			r = sd_bus_message_append(m, "s", HEATER_IFACE);
		break;
	case OP_GET_OUTPUTS:
		r = sd_bus_message_new_method_call(c->bus, &m, CHAIR_SERVICE, SIM_PATH, PROPS_IFACE, "Get");
		if (r >= 0)
			r = sd_bus_message_append(m, "ss", SIM_IFACE, "Outputs");
		break;
	case OP_LIST_PROGRAMS:
		r = sd_bus_message_new_method_call(c->bus, &m, CHAIR_SERVICE, CHAIR_PATH, CHAIR_IFACE, "ListPrograms");
		break;
	case OP_INTROSPECT:
		r = sd_bus_message_new_method_call(c->bus, &m, CHAIR_SERVICE, CHAIR_PATH,
						   "org.freedesktop.DBus.Introspectable", "Introspect");
		break;
	case OP_BAD_INTENSITY:
	case OP_SET_INTENSITY:
		r = sd_bus_message_new_method_call(c->bus, &m, CHAIR_SERVICE, CHAIR_PATH, CHAIR_IFACE, "SetIntensity");
		if (r >= 0)
			r = sd_bus_message_append(m, "u", op == OP_SET_INTENSITY ? 3 : 0);
		break;
	case OP_SET_SPEED:
		r = sd_bus_message_new_method_call(c->bus, &m, CHAIR_SERVICE, CHAIR_PATH, CHAIR_IFACE, "SetSpeed");
		if (r >= 0)
			r = sd_bus_message_append(m, "u", 2);
		break;
	case OP_NO_SUCH_PROGRAM:
		r = sd_bus_message_new_method_call(c->bus, &m, CHAIR_SERVICE, CHAIR_PATH, CHAIR_IFACE, "Start");
		if (r >= 0)
			r = sd_bus_message_append(m, "s", "nosuch");
		break;
	case OP_BAD_ZONE:
		r = sd_bus_message_new_method_call(c->bus, &m, CHAIR_SERVICE, CHAIR_PATH, CHAIR_IFACE, "StartManual");
		if (r >= 0)
			r = sd_bus_message_append(m, "ss", "knead", "elbow");
		break;
	case OP_BAD_SIGNATURE:
		r = sd_bus_message_new_method_call(c->bus, &m, CHAIR_SERVICE, CHAIR_PATH, CHAIR_IFACE, "Start");
		if (r >= 0)
			r = sd_bus_message_append(m, "u", 7);
		break;
	case OP_BAD_TARGET:
		r = sd_bus_message_new_method_call(c->bus, &m, CHAIR_SERVICE, NECK_PATH, HEATER_IFACE, "SetTarget");
		if (r >= 0)
			r = sd_bus_message_append(m, "d", NAN);
		break;
	case OP_UNKNOWN_METHOD:
		r = sd_bus_message_new_method_call(c->bus, &m, CHAIR_SERVICE, CHAIR_PATH, CHAIR_IFACE, "Explode");
		break;
	case OP_PAUSE:
	case OP_RESUME:
		r = sd_bus_message_new_method_call(c->bus, &m, CHAIR_SERVICE, CHAIR_PATH, CHAIR_IFACE,
						   op == OP_PAUSE ? "Pause" : "Resume");
		break;
	default:
		r = -EINVAL;
	}
	p = malloc(sizeof(*p));
	if (r >= 0 && !p)
		r = -ENOMEM;
	if (r >= 0) {
		*p = (struct pending) { .client = c, .op = op };
		r = sd_bus_call_async(c->bus, NULL, m, on_reply, p, 20 * 1000000ULL);
	}
	sd_bus_message_unref(m);
	if (r < 0) {
		free(p);
		c->stats->failed_to_send++;
		return r;
	}
	c->outstanding++;
	c->stats->sent++;
	return 0;
}

static uint64_t now_usec(void)
{
	return harness_now_usec();
}

/* One client process: its own connection, OUTSTANDING calls in flight, for `seconds`,
 * then every reply collected. */
static void client_main(const char *address, unsigned index, double seconds, struct client_stats *stats)
{
	struct client c = { .stats = stats };
	uint64_t end = now_usec() + (uint64_t)(seconds * 1e6), drain_end = end + 20 * 1000000ULL;
	unsigned next = index; /* clients start at different places in the mix */
	int r;

	r = sd_bus_new(&c.bus);
	if (r >= 0)
		r = sd_bus_set_address(c.bus, address);
	if (r >= 0)
		r = sd_bus_set_bus_client(c.bus, 1);
	if (r >= 0)
		r = sd_bus_start(c.bus);
	if (r < 0) {
		(void)snprintf(stats->first_wrong, sizeof(stats->first_wrong), "cannot connect: %s", strerror(-r));
		_exit(2);
	}
	for (;;) {
		uint64_t now = now_usec();

		if (now >= drain_end || (now >= end && c.outstanding == 0))
			break;
		while (now < end && c.outstanding < OUTSTANDING)
			if (send_op(&c, (enum op)(next++ % _OP_MAX)) < 0)
				break;
		do
			r = sd_bus_process(c.bus, NULL);
		while (r > 0);
		if (r < 0)
			break;
		(void)sd_bus_wait(c.bus, 10000);
	}
	stats->done = c.outstanding == 0 ? 1 : -1;
	sd_bus_flush_close_unref(c.bus);
	_exit(0);
}

struct rss {
	unsigned long rss_kib, hwm_kib;
};

static struct rss read_rss(struct harness *h)
{
	char path[64], line[256];
	struct rss v = { 0, 0 };
	FILE *f;

	(void)snprintf(path, sizeof(path), "/proc/%d/status", (int)h->daemon_pid);
	f = fopen(path, "re");
	H_ASSERT(h, f, "cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		(void)sscanf(line, "VmRSS: %lu kB", &v.rss_kib);
		(void)sscanf(line, "VmHWM: %lu kB", &v.hwm_kib);
	}
	(void)fclose(f);
	return v;
}

struct flood_result {
	uint64_t sent, replies, wrong, failed_to_send;
	double seconds;
	char first_wrong[256];
};

/* n_clients processes for `seconds`; the test process keeps its own bus quiet meanwhile. */
static struct flood_result flood(struct harness *h, unsigned n_clients, double seconds)
{
	struct flood_result res = { 0 };
	struct client_stats *stats;
	pid_t pids[MAX_CLIENTS];
	uint64_t t0;

	if (n_clients == 0) {
		harness_pump(h, (unsigned)(seconds * 1000));
		res.seconds = seconds;
		return res;
	}
	stats = mmap(NULL, sizeof(*stats) * n_clients, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	H_ASSERT(h, stats != MAP_FAILED, "mmap: %s", strerror(errno));
	memset(stats, 0, sizeof(*stats) * n_clients);
	t0 = now_usec();
	for (unsigned i = 0; i < n_clients; i++) {
		pids[i] = fork();
		H_ASSERT(h, pids[i] >= 0, "fork: %s", strerror(errno));
		if (pids[i] == 0)
			client_main(h->bus_address, i, seconds, &stats[i]);
	}
	/* the harness's own connection takes the PropertiesChanged meanwhile */
	for (unsigned i = 0; i < n_clients; i++) {
		int status = 0;

		while (waitpid(pids[i], &status, WNOHANG) == 0)
			harness_pump(h, 20);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			harness_fail(h, __FILE__, __LINE__, "flood client %u ended with status 0x%x: %s", i,
				     (unsigned)status, stats[i].first_wrong);
	}
	res.seconds = (double)(now_usec() - t0) / 1e6;
	for (unsigned i = 0; i < n_clients; i++) {
		res.sent += stats[i].sent;
		res.replies += stats[i].replies;
		res.failed_to_send += stats[i].failed_to_send;
		for (int o = 0; o < _OP_MAX; o++)
			res.wrong += stats[i].wrong[o];
		if (!res.first_wrong[0] && stats[i].first_wrong[0])
			(void)snprintf(res.first_wrong, sizeof(res.first_wrong), "client %u: %s", i,
				       stats[i].first_wrong);
		H_ASSERT(h, stats[i].done == 1, "client %u did not get all its replies", i);
	}
	(void)munmap(stats, sizeof(*stats) * n_clients);
	return res;
}

static unsigned env_unsigned(const char *name, unsigned fallback, unsigned max)
{
	const char *v = getenv(name);
	char *end;
	unsigned long n;

	if (!v || !*v)
		return fallback;
	n = strtoul(v, &end, 10);
	return *end || n > max ? fallback : (unsigned)n;
}

/* Every pad heating or holding toward a target, no fault. */
static void assert_heat_on(struct harness *h)
{
	static const char *const pads[] = { "neck", "shoulders", "lower_2dback" };

	H_ASSERT_STR_EQ(h, H_PROP(h, "Faults"), "");
	for (size_t i = 0; i < sizeof(pads) / sizeof(pads[0]); i++) {
		char path[128], *all;
		const char *state;

		(void)snprintf(path, sizeof(path), CHAIR_PATH "/heater/%s", pads[i]);
		all = harness_get_all_of(h, path, HEATER_IFACE);
		state = harness_field(h, all, "State");
		H_ASSERT(h, strcmp(state, "heating") == 0 || strcmp(state, "holding") == 0,
			 "the %s pad is %s after the flood", pads[i], state);
		H_ASSERT(h, strtod(harness_field(h, all, "Target"), NULL) >= 40.0, "the %s pad's target is %s", pads[i],
			 harness_field(h, all, "Target"));
		free(all);
	}
}

/* "Control loop: N ticks, late by median X ms, 99th percentile Y ms, worst Z ms (...)" */
static bool parse_lateness(struct harness *h, unsigned long long *ticks, double *median, double *p99, double *worst,
			   char *line_out, size_t size)
{
	FILE *f = fopen(h->log_path, "re");
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		const char *at = strstr(line, "Control loop: ");

		if (at &&
		    sscanf(at, "Control loop: %llu ticks, late by median %lf ms, 99th percentile %lf ms, worst %lf ms",
			   ticks, median, p99, worst) == 4) {
			found = true;
			line[strcspn(line, "\n")] = '\0';
			(void)snprintf(line_out, size, "%s", at);
		}
	}
	(void)fclose(f);
	return found;
}

START_TEST(test_flood)
{
	struct harness h;
	unsigned n_clients = env_unsigned("FLOOD_CLIENTS", 32, MAX_CLIENTS);
	double seconds = env_unsigned("FLOOD_SECONDS", 10, 600);
	struct flood_result first, second;
	struct rss before, after_first, after_second;
	unsigned long long ticks;
	double median, p99, worst;
	char line[512];
	uint64_t t0;

	(void)signal(SIGPIPE, SIG_IGN);
	harness_start(&h, TIME_SCALE, NULL);
	H_START_RUNNING(&h, "hot-stone");
	assert_heat_on(&h);
	before = read_rss(&h);

	first = flood(&h, n_clients, seconds);
	after_first = read_rss(&h);
	second = flood(&h, n_clients, seconds);
	after_second = read_rss(&h);

	/* the daemon answers at once, and the program went on */
	t0 = harness_now_usec();
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), "hot-stone");
	{
		double answer_ms = (double)(harness_now_usec() - t0) / 1000.0;

		/* clients paused and resumed it at random; the last word may be either */
		H_CALL(&h, "Resume", "");
		H_WAIT_PROP(&h, "State", "running", 2000);
		H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "ProgramFinished", NULL, NULL), 0);
		assert_heat_on(&h);
		printf("# flood: %u clients x %d calls in flight, 2 x %.0f s: %llu calls answered, %.0f calls/s; "
		       "a Get right after took %.1f ms\n",
		       n_clients, OUTSTANDING, seconds, (unsigned long long)(first.replies + second.replies),
		       (double)(first.replies + second.replies) / (first.seconds + second.seconds), answer_ms);
	}
	printf("# daemon RSS: %lu KiB before, %lu KiB after the first flood, %lu KiB after the second "
	       "(peak %lu, %lu, %lu KiB)\n",
	       before.rss_kib, after_first.rss_kib, after_second.rss_kib, before.hwm_kib, after_first.hwm_kib,
	       after_second.hwm_kib);

	H_ASSERT(&h, first.wrong + second.wrong == 0, "%llu calls got the wrong answer; first: %s",
		 (unsigned long long)(first.wrong + second.wrong),
		 first.first_wrong[0] ? first.first_wrong : second.first_wrong);
	H_ASSERT(&h, first.failed_to_send + second.failed_to_send == 0, "%llu calls could not be sent",
		 (unsigned long long)(first.failed_to_send + second.failed_to_send));
	H_ASSERT(&h, first.replies == first.sent && second.replies == second.sent, "calls went unanswered");
	if (getenv("ASAN_OPTIONS")) {
		/* AddressSanitizer keeps freed memory in quarantine (256 MB by default), so RSS
		 * says nothing here; its leak check at the daemon's exit does */
		printf("# memory flatness not asserted under AddressSanitizer (LeakSanitizer checks at exit)\n");
	} else {
		H_ASSERT(&h, after_second.rss_kib <= after_first.rss_kib + RSS_GROWTH_MAX_KIB,
			 "the daemon's RSS grew from %lu to %lu KiB in the second flood", after_first.rss_kib,
			 after_second.rss_kib);
		H_ASSERT(&h, after_second.hwm_kib <= after_first.hwm_kib + RSS_GROWTH_MAX_KIB,
			 "the daemon's peak RSS grew from %lu to %lu KiB in the second flood", after_first.hwm_kib,
			 after_second.hwm_kib);
	}

	harness_stop_daemon_at(&h, __FILE__, __LINE__);
	H_ASSERT(&h, parse_lateness(&h, &ticks, &median, &p99, &worst, line, sizeof(line)),
		 "no \"Control loop:\" line in the daemon's log");
	printf("# %s\n", line);
	H_ASSERT(&h, ticks > 1000, "only %llu ticks", ticks);
	H_ASSERT(&h, worst < LATENESS_WORST_MAX_MS, "a control tick ran %.1f ms late (median %.2f, p99 %.2f)", worst,
		 median, p99);
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("flood");

	CHECK_ADD_TEST(s, test_flood, 180);
	return check_run_tap(s);
}
