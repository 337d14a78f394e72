/* SPDX-License-Identifier: MIT */
/* chair-sim: docs/hardware.md's Modbus devices over the daemon's chair model. Options,
 * start-up, and the one poll() loop over stdin, signals and the bus. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "chair-sim.h"
#include "config-sim.h"
#include "control.h"
#include "device.h"
#include "macro.h"
#include "rtu.h"
#include "tcp.h"

/* The simulated driver's seed: the same person and noise as massaged --simulate. */
#define DEFAULT_SEED 0x6d61737361676564ULL
#define DEFAULT_TCP_HOST "127.0.0.1"
#define SLAVE_ID_MAX 247
#define TIME_SCALE_MIN 0.001
#define TIME_SCALE_MAX 10000.0

static const enum chair_output default_coils[CHAIR_SIM_COILS] = {
	OUTPUT_HEAT_NECK, OUTPUT_HEAT_SHOULDERS, OUTPUT_HEAT_LOWER_BACK, OUTPUT_INVALID,
	OUTPUT_INVALID,   OUTPUT_INVALID,        OUTPUT_INVALID,         OUTPUT_INVALID,
};

uint64_t chair_sim_now(const struct chair_sim *cs)
{
	return chair_clock_at(&cs->clock, monotonic_usec()); /* chair-sim skips no stalls */
}

__attribute__((format(printf, 1, 0))) static void vlog(const char *fmt, va_list ap)
{
	char buf[1024];

	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	(void)fprintf(stderr, "chair-sim: %s\n", buf);
}

void chair_sim_log(const struct chair_sim *cs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void chair_sim_debug(const struct chair_sim *cs, const char *fmt, ...)
{
	va_list ap;

	if (!cs->verbose)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void chair_sim_say(struct chair_sim *cs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vfprintf(stdout, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stdout);
	if (fflush(stdout) != 0)
		cs->quit = true; /* nobody reads us any more */
}

static void usage(FILE *f)
{
	(void)fprintf(f, "Usage: chair-sim (--rtu PATH | --tcp [HOST:]PORT) [OPTIONS]\n"
			 "Serves docs/hardware.md's Modbus devices (roller board, temperature module, relay board)\n"
			 "backed by the chair model of massaged --simulate, and misbehaves on command.\n"
			 "\n"
			 "  --rtu PATH            Modbus RTU on a new pty; PATH becomes a symlink to its slave\n"
			 "                        side (an existing symlink is replaced, nothing else) and is\n"
			 "                        removed at exit. Open it as 115200 8E1.\n"
			 "  --tcp [HOST:]PORT     Modbus TCP on HOST (default 127.0.0.1); PORT 0 picks a free\n"
			 "                        port. One client at a time; the next once it disconnects.\n"
			 "  --config FILE         massaged configuration: the pads (Pads=) and [Simulator]\n"
			 "  --body NAME|PATH      the person: a preset of [Simulator] Bodies= (average,\n"
			 "                        slim-bony, large-soft, elderly ship) or a body file (a\n"
			 "                        PATH holds a '/'). Default: [Simulator] Body=, average\n"
			 "  --coil N=OUTPUT       relay coil N (0-7) drives OUTPUT (MOTOR_POWER, HEAT_POWER,\n"
			 "                        HEAT_NECK, HEAT_SHOULDERS, HEAT_LOWER_BACK, LED); repeatable.\n"
			 "                        Any --coil replaces the default map 0=HEAT_NECK\n"
			 "                        1=HEAT_SHOULDERS 2=HEAT_LOWER_BACK. Outputs on no coil:\n"
			 "                        MOTOR_POWER and HEAT_POWER closed, the others open.\n"
			 "  --roller-slave ID     slave id of the roller board (default 1)\n"
			 "  --temp-slave ID       of the temperature module (default 2)\n"
			 "  --relay-slave ID      of the relay board (default 3)\n"
			 "  --time-scale X        chair time runs X times faster than the clock (default 1)\n"
			 "  --seed N              the model's noise (default: massaged --simulate's)\n"
			 "  --verbose             log every frame to stderr\n"
			 "  --help                this text\n"
			 "\n"
			 "Once serving, prints one line 'ready rtu PATH' or 'ready tcp PORT'.\n"
			 "Requests to other slave ids are not answered (on TCP neither).\n"
			 "\n"
			 "Commands on stdin, one a line; each is answered 'ok' or 'error: why':\n"
			 "  silent DEVICE on|off        DEVICE (roller, temp, relay or all) stops answering\n"
			 "  bad-crc DEVICE on|off       replies go out with a corrupted CRC (RTU only)\n"
			 "  exception DEVICE CODE|off   every request answered with exception CODE (1-11)\n"
			 "  wrong-slave DEVICE on|off   replies carry another slave id\n"
			 "  delay MS                    every device answers MS ms late (0-1000; 0 = at once)\n"
			 "  pinch on|off                the roller board's overcurrent fault\n"
			 "  sensor ZONE open|short|ok   that pad's channel reads 0x8000 / 0x7FFF / the pad\n"
			 "  pad ZONE CELSIUS            the pad (element, stone, sensor) is at CELSIUS now\n"
			 "  seated on|off               the person in the chair\n"
			 "  line OUTPUT on|off          OUTPUT, on no coil, is switched so: the daemon's\n"
			 "                              GPIO lines are out of sight, a test mirrors them\n"
			 "  stats                       lines 'stats DEVICE|total requests=N replies=N\n"
			 "                              bytes_in=N bytes_out=N', bytes on the wire as the\n"
			 "                              master sees them (RTU: whole ADU; TCP: with MBAP);\n"
			 "                              total also counts frames for no device of ours\n"
			 "  stats reset                 zero them\n"
			 "  state                       one line 'state KEY=VALUE...': holding registers,\n"
			 "                              positions, status, fault_code, coils, each pad's\n"
			 "                              stone and sensor temperature\n"
			 "  body                        one line 'body NAME=VALUE... preset=NAME': the person\n"
			 "  body NAME=VALUE...          set body parameters (Simulator1.SetBody's names), all\n"
			 "                              or none; starts the peak again\n"
			 "  body-preset NAME            the person becomes that preset; starts the peak again\n"
			 "  load                        one line 'load N': the true force on the rollers now\n"
			 "  peak                        one line 'peak N': the highest true force since the\n"
			 "                              last body change or peak reset\n"
			 "  peak reset                  the peak starts again from the force now\n"
			 "  quit                        exit 0 (so does end of file on stdin, or SIGTERM)\n");
}

enum {
	OPT_RTU = 0x100,
	OPT_TCP,
	OPT_CONFIG,
	OPT_BODY,
	OPT_COIL,
	OPT_ROLLER_SLAVE,
	OPT_TEMP_SLAVE,
	OPT_RELAY_SLAVE,
	OPT_TIME_SCALE,
	OPT_SEED,
	OPT_VERBOSE,
	OPT_HELP,
};

static const struct option options[] = {
	{ "rtu", required_argument, NULL, OPT_RTU },
	{ "tcp", required_argument, NULL, OPT_TCP },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "body", required_argument, NULL, OPT_BODY },
	{ "coil", required_argument, NULL, OPT_COIL },
	{ "roller-slave", required_argument, NULL, OPT_ROLLER_SLAVE },
	{ "temp-slave", required_argument, NULL, OPT_TEMP_SLAVE },
	{ "relay-slave", required_argument, NULL, OPT_RELAY_SLAVE },
	{ "time-scale", required_argument, NULL, OPT_TIME_SCALE },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ 0 },
};

/* "[HOST:]PORT"; a bracketed IPv6 host loses its brackets. */
static int parse_tcp(struct chair_sim *cs, const char *arg)
{
	const char *colon = strrchr(arg, ':');
	const char *host = colon ? arg : DEFAULT_TCP_HOST;
	size_t host_len = colon ? (size_t)(colon - arg) : strlen(DEFAULT_TCP_HOST);
	unsigned port;

	if (parse_uint_range(colon ? colon + 1 : arg, 0, 65535, &port) < 0)
		return -EINVAL;
	if (host_len >= 2 && host[0] == '[' && host[host_len - 1] == ']') {
		host++;
		host_len -= 2;
	}
	if (host_len == 0 || host_len >= sizeof(cs->tcp_host))
		return -EINVAL;
	(void)snprintf(cs->tcp_host, sizeof(cs->tcp_host), "%.*s", (int)host_len, host);
	(void)snprintf(cs->tcp_port, sizeof(cs->tcp_port), "%u", port);
	return 0;
}

/* "N=OUTPUT" into a map that starts empty at the first --coil. */
static int parse_coil(struct chair_sim *cs, const char *arg, bool *first)
{
	char num[8];
	const char *eq = strchr(arg, '=');
	enum chair_output o;
	unsigned coil;

	if (!eq || (size_t)(eq - arg) >= sizeof(num))
		return -EINVAL;
	(void)snprintf(num, sizeof(num), "%.*s", (int)(eq - arg), arg);
	o = chair_output_from_name(eq + 1);
	if (parse_uint_range(num, 0, CHAIR_SIM_COILS - 1, &coil) < 0 || o == OUTPUT_INVALID)
		return -EINVAL;
	if (*first) {
		for (int c = 0; c < CHAIR_SIM_COILS; c++)
			cs->coil_output[c] = OUTPUT_INVALID;
		*first = false;
	}
	if (cs->coil_output[coil] != OUTPUT_INVALID)
		return -EEXIST;
	for (int c = 0; c < CHAIR_SIM_COILS; c++)
		if (cs->coil_output[c] == o)
			return -EEXIST;
	cs->coil_output[coil] = o;
	return 0;
}

static int parse_seed(const char *s, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (!s[0] || s[0] == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* 0 to go on, 1 when done (--help), negative on a bad command line. */
static int parse_args(struct chair_sim *cs, int argc, char **argv, unsigned slaves[_BUS_DEVICE_MAX])
{
	bool first_coil = true, have_transport = false;
	int opt, r = 0;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case OPT_RTU:
		case OPT_TCP:
			if (have_transport) {
				chair_sim_log(cs, "give one of --rtu and --tcp, once");
				return -EINVAL;
			}
			have_transport = true;
			cs->transport = opt == OPT_RTU ? TRANSPORT_RTU : TRANSPORT_TCP;
			if (opt == OPT_RTU)
				cs->rtu_path = optarg;
			else
				r = parse_tcp(cs, optarg);
			if (r < 0 || (opt == OPT_RTU && !optarg[0])) {
				chair_sim_log(cs, "bad --%s '%s'", opt == OPT_RTU ? "rtu" : "tcp", optarg);
				return -EINVAL;
			}
			break;
		case OPT_CONFIG:
			cs->config_path = optarg;
			break;
		case OPT_BODY:
			cs->body_arg = optarg;
			break;
		case OPT_COIL:
			r = parse_coil(cs, optarg, &first_coil);
			if (r < 0) {
				chair_sim_log(
					cs, "bad --coil '%s': %s", optarg,
					r == -EEXIST
						? "that coil or output is mapped already"
						: "expected N=OUTPUT with N 0-7 and an output name of docs/hardware.md");
				return r;
			}
			break;
		case OPT_ROLLER_SLAVE:
		case OPT_TEMP_SLAVE:
		case OPT_RELAY_SLAVE:
			if (parse_uint_range(optarg, 1, SLAVE_ID_MAX, &slaves[opt - OPT_ROLLER_SLAVE]) < 0) {
				chair_sim_log(cs, "bad slave id '%s': expected 1-247", optarg);
				return -EINVAL;
			}
			break;
		case OPT_TIME_SCALE:
			if (parse_double_range(optarg, TIME_SCALE_MIN, TIME_SCALE_MAX, &cs->time_scale) < 0) {
				chair_sim_log(cs, "bad --time-scale '%s': expected 0.001-10000", optarg);
				return -EINVAL;
			}
			break;
		case OPT_SEED:
			if (parse_seed(optarg, &cs->seed) < 0) {
				chair_sim_log(cs, "bad --seed '%s'", optarg);
				return -EINVAL;
			}
			break;
		case OPT_VERBOSE:
			cs->verbose = true;
			break;
		case OPT_HELP:
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		chair_sim_log(cs, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!have_transport) {
		usage(stderr);
		return -EINVAL;
	}
	if (slaves[BUS_ROLLER] == slaves[BUS_TEMP] || slaves[BUS_ROLLER] == slaves[BUS_RELAY] ||
	    slaves[BUS_TEMP] == slaves[BUS_RELAY]) {
		chair_sim_log(cs, "the three devices need three different slave ids");
		return -EINVAL;
	}
	return 0;
}

static void chair_sim_init(struct chair_sim *cs)
{
	*cs = (struct chair_sim) {
		.time_scale = 1.0,
		.seed = DEFAULT_SEED,
		.signal_fd = -1,
	};
	memcpy(cs->coil_output, default_coils, sizeof(default_coils));
	rtu_bus_init(&cs->rtu);
	tcp_server_init(&cs->tcp);
}

static int signals_open(struct chair_sim *cs)
{
	sigset_t mask;

	(void)signal(SIGPIPE, SIG_IGN);
	(void)sigemptyset(&mask);
	(void)sigaddset(&mask, SIGTERM);
	(void)sigaddset(&mask, SIGINT);
	(void)sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	cs->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return cs->signal_fd < 0 ? -errno : 0;
}

/* --body, or [Simulator] Body=: the same person as massaged --simulate. */
static int chair_sim_set_body(struct chair_sim *cs)
{
	char err[SIM_BODY_ERROR_MAX];
	struct sim_body body;
	const char *which = cs->body_arg ? cs->body_arg : cs->cfg.sim_body;
	int r;

	r = config_sim_load_body(&cs->cfg, which, &body, err);
	if (r < 0) {
		chair_sim_log(cs, "bad --body '%s': %s", which, err);
		return r;
	}
	sim_chair_set_body(&cs->chair, chair_sim_now(cs), &body);
	(void)snprintf(cs->body_preset, sizeof(cs->body_preset), "%s", strchr(which, '/') ? "" : which);
	return 0;
}

static int chair_sim_setup(struct chair_sim *cs, const unsigned slaves[_BUS_DEVICE_MAX])
{
	char err[CONFIG_ERROR_MAX];
	struct sim_config sim;
	int r;

	r = signals_open(cs);
	if (r < 0) {
		chair_sim_log(cs, "cannot set up signals: %s", strerror(-r));
		return r;
	}
	if (cs->config_path) {
		r = config_load(cs->config_path, true, &cs->cfg, err);
		if (r < 0) {
			chair_sim_log(cs, "%s", err);
			return r;
		}
	} else {
		config_init_defaults(&cs->cfg);
	}
	chair_clock_init(&cs->clock, monotonic_usec(), cs->time_scale);
	config_to_sim(&cs->cfg, &sim);
	sim_chair_init(&cs->chair, &sim, chair_sim_now(cs), cs->seed);
	r = chair_sim_set_body(cs);
	if (r < 0)
		return r;
	r = bus_devices_init(cs, slaves);
	if (r < 0) {
		chair_sim_log(cs, "cannot set up the register maps: %s", modbus_strerror(-r));
		return r;
	}
	r = cs->transport == TRANSPORT_RTU ? rtu_bus_open(cs) : tcp_server_open(cs);
	if (r < 0)
		return r;
	if (cs->transport == TRANSPORT_RTU)
		chair_sim_say(cs, "ready rtu %s", cs->rtu_path);
	else
		chair_sim_say(cs, "ready tcp %u", cs->tcp.port);
	return 0;
}

static void chair_sim_teardown(struct chair_sim *cs)
{
	rtu_bus_close(cs);
	tcp_server_close(cs);
	bus_devices_free(cs);
	if (cs->signal_fd >= 0)
		(void)close(cs->signal_fd);
	cs->signal_fd = -1;
}

static void on_signal(struct chair_sim *cs)
{
	struct signalfd_siginfo si;

	if (read(cs->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		chair_sim_debug(cs, "signal %" PRIu32 ": exiting", si.ssi_signo);
		cs->quit = true;
	}
}

static int chair_sim_run(struct chair_sim *cs)
{
	enum {
		POLL_STDIN,
		POLL_SIGNAL,
		POLL_BUS,
		POLL_WATCH,
		_POLL_MAX
	};
	bool rtu = cs->transport == TRANSPORT_RTU;

	while (!cs->quit) {
		struct pollfd p[_POLL_MAX] = {
			[POLL_STDIN] = { .fd = STDIN_FILENO, .events = POLLIN },
			[POLL_SIGNAL] = { .fd = cs->signal_fd, .events = POLLIN },
			[POLL_BUS] = { .fd = rtu ? cs->rtu.master_fd : tcp_server_fd(cs), .events = POLLIN },
			[POLL_WATCH] = { .fd = rtu ? cs->rtu.watch_fd : -1, .events = POLLIN },
		};
		int r = poll(p, _POLL_MAX, rtu ? rtu_bus_timeout_ms(cs) : -1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			chair_sim_log(cs, "poll: %s", strerror(errno));
			return -errno;
		}
		if (p[POLL_SIGNAL].revents)
			on_signal(cs);
		if (p[POLL_STDIN].revents && !cs->quit)
			control_on_input(cs);
		if (p[POLL_BUS].revents && !cs->quit) {
			if (rtu)
				rtu_bus_on_input(cs);
			else
				tcp_server_on_input(cs);
		}
		/* after the bus: a last request of a master that then closed is still served */
		if (p[POLL_WATCH].revents && !cs->quit)
			rtu_bus_on_watch(cs);
		if (rtu && !cs->quit)
			rtu_bus_on_timeout(cs);
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned slaves[_BUS_DEVICE_MAX] = { [BUS_ROLLER] = 1, [BUS_TEMP] = 2, [BUS_RELAY] = 3 };
	struct chair_sim cs;
	int r;

	chair_sim_init(&cs);
	r = parse_args(&cs, argc, argv, slaves);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	r = chair_sim_setup(&cs, slaves);
	if (r >= 0)
		r = chair_sim_run(&cs);
	chair_sim_teardown(&cs);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
