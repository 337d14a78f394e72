/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "build-config.h"
#include "bus-chair.h"
#include "bus-simulator.h"
#include "faults.h"
#include "gpio-lines.h"
#include "heater.h"
#include "hw-driver.h"
#include "inputs.h"
#include "context.h"
#include "log.h"
#include "macro.h"
#include "reload.h"
#include "safety.h"
#include "session.h"
#include "settings-store.h"
#include "state-writer.h"
#include "config-sim.h"
#include "sim-driver.h"
#include "state-file.h"

#define TIME_SCALE_MAX 100.0
/* How often start-up asks a roller board that does not answer yet. */
#define STARTUP_RETRY_USEC (250 * USEC_PER_MSEC)
/* systemd's start timeout is stretched to StartupWait and this much more. */
#define STARTUP_TIMEOUT_MARGIN_USEC (30 * USEC_PER_SEC)

static void help(void)
{
	printf("Usage: massaged [OPTIONS]\n\n"
	       "The massage chair daemon: programs over D-Bus (org.massaged.Chair1).\n\n"
	       "  -c, --config FILE      configuration (default %s, if present)\n"
	       "  -s, --simulate         run against the simulated chair\n"
	       "      --simulate-lines   simulate only the GPIO lines (Simulator1 drives them);\n"
	       "                         reach the Modbus devices as configured\n"
	       "  -t, --time-scale N     with --simulate: run chair time N times faster (1-%g)\n"
	       "  -u, --user             use the session bus instead of the system bus\n"
	       "      --safe-state       drive every output inactive and disable the roller\n"
	       "                         board, then exit (systemd runs it after massaged stops)\n"
	       "  -l, --log-level LEVEL  err, warning, notice, info (default) or debug\n"
	       "  -h, --help             show this help\n"
	       "      --version          show the version\n",
	       CONFIG_FILE, TIME_SCALE_MAX);
}

struct options {
	const char *config;
	bool simulate, simulate_lines, user, safe_state;
	bool force_control_off; /* hidden: docs/pressure-bench.md's open-loop comparison */
	double time_scale;
};

static int parse_options(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "simulate", no_argument, NULL, 's' },
		{ "simulate-lines", no_argument, NULL, 'L' },
		{ "time-scale", required_argument, NULL, 't' },
		{ "user", no_argument, NULL, 'u' },
		{ "safe-state", no_argument, NULL, 'S' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		/* not in --help: the pressure benchmark's open loop, nothing else */
		{ "force-control", required_argument, NULL, 'F' },
		{},
	};
	bool scale_given = false;
	int opt;

	*o = (struct options) { .time_scale = 1.0 };
	while ((opt = getopt_long(argc, argv, "c:st:ul:h", longopts, NULL)) >= 0) {
		switch (opt) {
		case 'c':
			o->config = optarg;
			break;
		case 's':
			o->simulate = true;
			break;
		case 'L':
			o->simulate_lines = true;
			break;
		case 't':
			if (parse_double_range(optarg, 1.0, TIME_SCALE_MAX, &o->time_scale) < 0) {
				log_error("--time-scale '%s': expected a number from 1 to %g", optarg, TIME_SCALE_MAX);
				return -EINVAL;
			}
			scale_given = true;
			break;
		case 'u':
			o->user = true;
			break;
		case 'S':
			o->safe_state = true;
			break;
		case 'l':
			if (log_set_level_option(optarg) < 0)
				return -EINVAL;
			break;
		case 'F':
			if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0) {
				log_error("--force-control '%s': expected on or off", optarg);
				return -EINVAL;
			}
			o->force_control_off = strcmp(optarg, "off") == 0;
			break;
		case 'h':
			help();
			return 0;
		case 'V':
			printf("massaged %s\n", PACKAGE_VERSION);
			return 0;
		default:
			return -EINVAL;
		}
	}
	if (optind < argc) {
		log_error("Unexpected argument '%s'; see --help", argv[optind]);
		return -EINVAL;
	}
	if (o->simulate && o->simulate_lines) {
		log_error("--simulate and --simulate-lines exclude each other");
		return -EINVAL;
	}
	if (scale_given && !o->simulate) {
		log_error("--time-scale only works with --simulate: a real chair runs in real time");
		return -EINVAL;
	}
	return 1;
}

static int read_config(struct context *c, const struct options *o)
{
	char err[CONFIG_ERROR_MAX];
	int r;

	(void)snprintf(c->config_path, sizeof(c->config_path), "%s", o->config ? o->config : CONFIG_FILE);
	c->config_required = o->config != NULL;
	r = config_load(c->config_path, c->config_required, &c->config, err);
	if (r < 0)
		log_error("%s", err);
	return r;
}

static int load_configuration(struct context *c, const struct options *o)
{
	int r;

	r = read_config(c, o);
	if (r < 0)
		return r;
	program_dirs_from_config(&c->config, c->program_library_dir, sizeof(c->program_library_dir),
				 c->program_override_dir, sizeof(c->program_override_dir));
	r = reload_programs_at_start(c);
	if (r < 0)
		return r;
	state_file_directory(c->state_dir, sizeof(c->state_dir));
	settings_store_restore(c);
	profile_store_restore(c);
	return 0;
}

/* every 100 ms while a coil is closed: faults_raise() publishes what changes */
static void on_relay_board(void *userdata, uint64_t unconfirmed_usec)
{
	faults_check_relay_board(userdata, unconfirmed_usec);
}

static int on_terminate(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct context *c = userdata;

	log_info("Received %s: stopping", strsignal((int)si->ssi_signo));
	faults_force_safe_state(c);
	(void)sd_notify(false, "STOPPING=1\nSTATUS=Stopping");
	session_end(c, "stopped");
	context_save_state(c);
	return sd_event_exit(c->event, 0);
}

static int on_reload(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)s;
	(void)si;
	reload_start(userdata);
	return 0;
}

static int setup_event_loop(struct context *c)
{
	sigset_t mask;
	int r;

	r = sd_event_default(&c->event);
	if (r < 0)
		return log_errno(r, "Failed to create the event loop");
	(void)sigemptyset(&mask);
	(void)sigaddset(&mask, SIGTERM);
	(void)sigaddset(&mask, SIGINT);
	(void)sigaddset(&mask, SIGHUP);
	(void)sigprocmask(SIG_BLOCK, &mask, NULL);
	if ((r = sd_event_add_signal(c->event, NULL, SIGTERM, on_terminate, c)) < 0 ||
	    (r = sd_event_add_signal(c->event, NULL, SIGINT, on_terminate, c)) < 0 ||
	    (r = sd_event_add_signal(c->event, NULL, SIGHUP, on_reload, c)) < 0)
		return log_errno(r, "Failed to add signal handlers");
	r = sd_event_set_watchdog(c->event, true);
	if (r < 0)
		return log_errno(r, "Failed to enable the systemd watchdog");
	/* after the signals are blocked: the writer thread inherits the mask */
	r = state_writer_new(c->event, &c->state_writer);
	if (r < 0)
		return log_errno(r, "Failed to start the state file writer");
	return 0;
}

static int open_driver(struct context *c, const struct options *o)
{
	struct chair_driver *lines;
	struct sim_config sim;
	int r;

	if (o->simulate || o->simulate_lines) {
		config_to_sim(&c->config, &sim);
		r = sim_driver_new(c->clock, &sim, &c->simulator);
		if (r < 0)
			return log_errno(r, "Failed to start the simulated chair");
		c->simulator_lines_only = o->simulate_lines;
		if (o->simulate) {
			c->driver = c->simulator;
			return config_sim_start_body(&c->config, c->simulator);
		}
		lines = c->simulator;
	} else {
		/* requests every output at its inactive level */
		r = gpio_lines_new(&c->config.hw, c->event, &lines);
		if (r < 0)
			return r;
	}
	r = hw_driver_new(&c->config.hw, c->event, lines, o->simulate_lines, &c->driver);
	if (r < 0) {
		char line[HW_PATH_MAX + 32];

		modbus_config_format(&c->config.hw.modbus, line, sizeof(line));
		return log_errno(r, "Failed to set up the Modbus line %s", line);
	}
	return 0;
}

/* Run the loop until `until` (monotonic): SIGTERM, the watchdog, the emergency stop's
 * input and the retried safe-state writes are served. -ECANCELED once told to exit. */
static int run_loop_until(struct context *c, uint64_t until)
{
	uint64_t now;
	int r, code;

	while ((now = monotonic_usec()) < until) {
		r = sd_event_run(c->event, until - now);
		if (r < 0)
			return log_errno(r, "Event loop failed");
		if (sd_event_get_exit_code(c->event, &code) >= 0)
			return -ECANCELED;
	}
	return 0;
}

/* The roller board may boot slower than this computer: ask it again every 250 ms for up
 * to StartupWait seconds, with every output inactive (the safe state's roller write is
 * retried from the loop meanwhile). An answer this massaged cannot use (another
 * PROTOCOL, an exception, nonsense) fails at once. */
static int wait_for_roller_board(struct context *c, struct roller_status *ret)
{
	unsigned wait_s = c->config.hw.modbus.startup_wait_s;
	uint64_t deadline = monotonic_usec() + wait_s * USEC_PER_SEC;
	bool told = false;
	int r;

	for (;;) {
		r = c->driver->ops->roller_read(c->driver, ret);
		if (r == 0 || r == -EPROTO || monotonic_usec() >= deadline)
			return r;
		if (!told) {
			log_notice("The roller board does not answer yet: waiting up to %u s for it (StartupWait=)",
				   wait_s);
			(void)sd_notifyf(false, "STATUS=Waiting for the roller board…\nEXTEND_TIMEOUT_USEC=%llu",
					 (unsigned long long)(wait_s * USEC_PER_SEC + STARTUP_TIMEOUT_MARGIN_USEC));
			told = true;
		}
		r = run_loop_until(c, MIN(deadline, monotonic_usec() + STARTUP_RETRY_USEC));
		if (r < 0)
			return r;
	}
}

/* docs/safety-rules.md start-up: outputs inactive, roller board disabled, PROTOCOL checked. */
static int setup_hardware(struct context *c, const struct options *o)
{
	struct roller_status st;
	int r;

	r = open_driver(c, o);
	if (r < 0)
		return r;
	chair_driver_set_input_handler(c->driver, inputs_changed, c);
	chair_driver_set_relay_handler(c->driver, on_relay_board, c);
	r = heaters_init(c);
	if (r < 0)
		return r;
	maintenance_load(c); /* its pads are the heaters' */

	faults_force_safe_state(c);
	r = wait_for_roller_board(c, &st);
	if (r == -ECANCELED)
		return r;
	if (r == -EPROTO && c->driver != c->simulator)
		return log_errno(r, "The roller board's answer is not one this massaged can use");
	if (r < 0)
		return log_errno(r,
				 "The roller board does not answer (StartupWait=%u s): check its supply and "
				 "the Modbus line",
				 c->config.hw.modbus.startup_wait_s);
	if (st.protocol != ROLLER_PROTOCOL) {
		log_error("The roller board speaks protocol %u; this massaged speaks %u", st.protocol, ROLLER_PROTOCOL);
		return -EPROTO;
	}
	c->roller = st;
	(void)safety_clear_inherited_watchdog(c);
	inputs_read_at_start(c);
	return 0;
}

/* --safe-state, systemd's ExecStopPost=: however massaged stopped. A massaged killed
 * by the watchdog or a crash switched nothing off, and a GPIO line, a relay-board coil
 * and the roller board keep what they were last told. Every output is driven inactive
 * (pad relays before the master) and the roller board disabled; the lines are released
 * at exit, driven inactive. Needs only the configuration's wiring, not the programs. */
static int run_safe_state(struct context *c, const struct options *o)
{
	int r;

	if (o->simulate) {
		log_info("Safe state: nothing to do, the simulated chair stopped with massaged");
		return 0;
	}
	r = read_config(c, o);
	if (r < 0)
		return r;
	/* the drivers attach to a loop, which never runs: no signals, writer or watchdog */
	r = sd_event_default(&c->event);
	if (r < 0)
		return log_errno(r, "Failed to create the event loop");
	r = open_driver(c, o);
	if (r < 0)
		return r;
	r = faults_force_safe_state(c);
	/* the relay board's coils are read back: "inactive" only when it confirms them */
	if (r >= 0 && c->driver->ops->relay_confirm)
		r = c->driver->ops->relay_confirm(c->driver) < 0 ? -EINPROGRESS : 0;
	if (r == -EINPROGRESS) {
		log_error("Safe state: not every write landed: the relay board did not confirm its coils open");
		return -EIO;
	}
	if (r < 0)
		return log_errno(r, "Safe state: not every write landed");
	log_info("Safe state: every output inactive, the roller board disabled");
	return 0;
}

/* sd-bus's own message when the bus connection is gone (the bus daemon died or closed
 * us): no one can reach the chair any more, Stop included. Safe state at once, then
 * exit non-zero so that systemd (Restart=on-failure) starts a massaged that is reachable. */
static int on_bus_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct context *c = userdata;
	int r;

	r = faults_force_safe_state(c);
	log_event(LOG_ERR, LOG_EVENT_BUS_LOST, NULL,
		  "Lost the D-Bus connection: safe state at chair time %.3f s%s; exiting to be started again",
		  context_now(c) / 1e6,
		  r < 0 ? " (not every output confirmed off: the outputs are released at exit)" : "");
	session_end(c, "stopped");
	heaters_off(c, "stopped", "the D-Bus connection was lost");
	context_save_state(c);
	return sd_event_exit(c->event, EXIT_FAILURE);
}

static int setup_bus(struct context *c, const struct options *o)
{
	int r;

	r = o->user ? sd_bus_open_user(&c->bus) : sd_bus_open_system(&c->bus);
	if (r < 0)
		return log_errno(r, "Failed to connect to the %s bus", o->user ? "session" : "system");
	r = sd_bus_attach_event(c->bus, c->event, SD_EVENT_PRIORITY_NORMAL);
	if (r < 0)
		return log_errno(r, "Failed to attach the bus to the event loop");
	r = sd_bus_match_signal(c->bus, NULL, NULL, "/org/freedesktop/DBus/Local", "org.freedesktop.DBus.Local",
				"Disconnected", on_bus_disconnected, c);
	if (r < 0)
		return log_errno(r, "Failed to watch the bus connection");
	r = bus_chair_register(c);
	if (r < 0)
		return r;
	r = bus_heaters_register(c);
	if (r < 0)
		return r;
	if (c->simulator) {
		r = bus_simulator_register(c);
		if (r < 0)
			return r;
	}
	r = sd_bus_request_name(c->bus, "org.massaged.Chair1", 0);
	if (r < 0)
		return log_errno(r, "Failed to own org.massaged.Chair1 (is another massaged running?)");
	return 0;
}

/* One line on how late the timers of the control loop fired, all ticks and each kind. */
static void log_loop_lateness(const struct context *c)
{
	struct loop_lateness all = c->control_lateness;
	char line[192];

	loop_lateness_merge(&all, &c->heat_lateness);
	loop_lateness_format(&all, line, sizeof(line));
	log_info("Control loop: %s (control tick worst %.2f ms of %llu, heat tick worst %.2f ms of %llu)", line,
		 (double)c->control_lateness.worst_usec / 1000.0, (unsigned long long)c->control_lateness.count,
		 (double)c->heat_lateness.worst_usec / 1000.0, (unsigned long long)c->heat_lateness.count);
}

/* The bus connection first (its last signals flushed out), then the rest of the context. */
static void daemon_freep(struct context **c)
{
	if (*c)
		(*c)->bus = sd_bus_flush_close_unref((*c)->bus);
	context_free(*c);
}

int main(int argc, char *argv[])
{
	_cleanup_(daemon_freep) struct context *c = NULL;
	struct options o;
	int r;

	r = parse_options(argc, argv, &o);
	if (r <= 0)
		return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	r = context_new(&c);
	if (r < 0)
		return log_errno(r, "Out of memory"), EXIT_FAILURE;
	chair_clock_init(c->clock, monotonic_usec(), o.time_scale);
	roller_step_init(&c->roller_step, o.force_control_off);
	if (o.force_control_off)
		log_warning("Force control is off (--force-control=off): depth follows the intensity in open loop");
	if (o.safe_state)
		return run_safe_state(c, &o) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

	if (load_configuration(c, &o) < 0 || setup_event_loop(c) < 0)
		return EXIT_FAILURE;
	r = setup_hardware(c, &o);
	if (r == -ECANCELED) /* SIGTERM while waiting for the roller board: already safe */
		return EXIT_SUCCESS;
	if (r < 0 || setup_bus(c, &o) < 0)
		return EXIT_FAILURE;

	context_publish(c);
	(void)sd_notify(false, "READY=1");
	log_info("Ready: %u programs, %s chair%s", c->programs.n_programs,
		 o.simulate         ? "simulated"
		 : o.simulate_lines ? "real (lines simulated)"
				    : "real",
		 o.time_scale != 1.0 ? " (time scaled)" : "");
	r = sd_event_loop(c->event);
	if (r < 0)
		return log_errno(r, "Event loop failed"), EXIT_FAILURE;
	faults_force_safe_state(c);
	log_loop_lateness(c);
	if (c->clock->stalls > 0)
		log_info("Time scale: %llu host stalls, %.1f s of wall time not counted as chair time",
			 (unsigned long long)c->clock->stalls, (double)c->clock->skipped_usec / 1e6);
	return r;
}
