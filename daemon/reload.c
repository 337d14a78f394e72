/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "build-config.h"
#include "clock.h"
#include "context.h"
#include "faults.h"
#include "heater.h"
#include "log.h"
#include "reload.h"
#include "settings-store.h"

/* The reading thread yields the CPU to the loop's thread on a busy (single-core) host. */
#define RELOAD_THREAD_NICE 10

/* What one reload reads: filled in by the loop, read on the thread, applied by the loop. */
struct reload_job {
	char config_path[256];
	bool config_required;
	struct massaged_config cfg;
	char library[256], override[256];
	struct program_library lib;
	char err[CONFIG_ERROR_MAX > PROGRAM_ERROR_MAX ? CONFIG_ERROR_MAX : PROGRAM_ERROR_MAX];
	int r;
	uint64_t duration_usec;
};

struct reload_worker {
	struct context *context;
	pthread_t thread;
	bool running; /* the thread owns job until the loop joins it */
	bool again;   /* a SIGHUP came while it ran */
	int efd;      /* the thread's "done" */
	sd_event_source *source;
	struct reload_job job;
};

static const char *default_program_dir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		if (strncmp(exe, BUILD_ROOT "/", strlen(BUILD_ROOT) + 1) == 0)
			return SOURCE_PROGRAM_DIR;
	}
	return PROGRAM_LIBRARY_DIR;
}

void program_dirs_from_config(const struct massaged_config *cfg, char *library, size_t library_size, char *override,
			      size_t override_size)
{
	(void)snprintf(library, library_size, "%s",
		       cfg->program_library[0] ? cfg->program_library : default_program_dir());
	(void)snprintf(override, override_size, "%s",
		       cfg->program_override[0] ? cfg->program_override : PROGRAM_OVERRIDE_DIR);
}

static bool same_pads(const struct massaged_config *a, const struct massaged_config *b)
{
	if (a->n_pads != b->n_pads)
		return false;
	for (unsigned i = 0; i < a->n_pads; i++)
		if (a->pads[i].zone != b->pads[i].zone)
			return false;
	return true;
}

/* [Simulator]: the simulated person is built once, at start. */
static bool same_simulator(const struct massaged_config *a, const struct massaged_config *b)
{
	return a->sim_shoulder_mm == b->sim_shoulder_mm && a->sim_load_noise_n == b->sim_load_noise_n &&
	       strcmp(a->sim_bodies, b->sim_bodies) == 0 && strcmp(a->sim_body, b->sim_body) == 0;
}

/* What of the wiring differs, as "[GPIO]/[Modbus]/[Binding], ..." (empty when none).
 * Both configurations were built the same way from zeroed memory (config_load), so
 * the wiring compares bytewise. */
static void wiring_changes(const struct massaged_config *running, const struct massaged_config *cfg, char *buf,
			   size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	if (memcmp(&running->hw, &cfg->hw, sizeof(cfg->hw)) != 0)
		len += (size_t)snprintf(buf + len, size - len, "[GPIO]/[Modbus]/[Binding]");
	if (!same_pads(running, cfg) && len < size)
		len += (size_t)snprintf(buf + len, size - len, "%s[Heat] Pads", len ? ", " : "");
	if (!same_simulator(running, cfg) && len < size)
		(void)snprintf(buf + len, size - len, "%s[Simulator]", len ? ", " : "");
}

/* The running wiring in the new configuration; each pad keeps its ceiling from it. */
static void keep_wiring(struct massaged_config *cfg, const struct massaged_config *running)
{
	struct pad_config pads[MAX_PADS];

	for (unsigned i = 0; i < running->n_pads; i++) {
		const struct pad_config *p = config_find_pad(cfg, running->pads[i].zone);

		pads[i] = (struct pad_config) { running->pads[i].zone, p ? p->max_target_c : cfg->max_target_c };
	}
	memcpy(cfg->pads, pads, sizeof(pads));
	cfg->n_pads = running->n_pads;
	cfg->hw = running->hw;
	cfg->sim_shoulder_mm = running->sim_shoulder_mm;
	cfg->sim_load_noise_n = running->sim_load_noise_n;
	memcpy(cfg->sim_bodies, running->sim_bodies, sizeof(cfg->sim_bodies));
	memcpy(cfg->sim_body, running->sim_body, sizeof(cfg->sim_body));
}

static int reload_refused(struct context *c, int r, const char *why, char *status, size_t size)
{
	log_event(LOG_ERR, LOG_EVENT_CONFIG_RELOAD_FAILED, NULL,
		  "Reload refused, the running configuration and %u programs stay: %s", c->programs.n_programs, why);
	(void)snprintf(status, size, "Reload refused: %s", why);
	return r;
}

/* On the thread: everything a reload reads, nothing of the context. */
static int reload_read(struct reload_job *job)
{
	int r;

	r = config_load(job->config_path[0] ? job->config_path : NULL, job->config_required, &job->cfg, job->err);
	if (r < 0)
		return r;
	program_dirs_from_config(&job->cfg, job->library, sizeof(job->library), job->override, sizeof(job->override));
	return reload_load_program_set(job->library, job->override, job->cfg.default_program, &job->lib, job->err);
}

/* On the loop: the files read are valid; the new configuration and programs take over. */
static void reload_apply(struct context *c, struct reload_job *job, char *status, size_t size)
{
	struct chair_settings defaults_before = settings_from_config(&c->config);
	struct massaged_config *cfg = &job->cfg;
	unsigned n_programs = job->lib.n_programs;
	char wiring[128];

	wiring_changes(&c->config, cfg, wiring, sizeof(wiring));
	if (wiring[0]) {
		log_warning("The wiring changed in the configuration (%s): it takes effect when massaged "
			    "restarts; the running wiring stays until then",
			    wiring);
		keep_wiring(cfg, &c->config);
	}
	c->config = *cfg;
	(void)snprintf(c->program_library_dir, sizeof(c->program_library_dir), "%s", job->library);
	(void)snprintf(c->program_override_dir, sizeof(c->program_override_dir), "%s", job->override);
	program_library_clear(&c->programs);
	c->programs = job->lib;
	job->lib = (struct program_library) {};
	events_programs_changed(&c->events);

	/* [Limits], the seat grace, DefaultProgram and DefaultShoulderHeight are read where
	 * they are used: they hold from the next tick on */
	settings_store_reconfigured(c, &defaults_before);
	heaters_reconfigure(c);
	context_publish(c);
	log_event(LOG_INFO, LOG_EVENT_CONFIG_RELOADED, NULL,
		  "Reloaded the configuration and %u programs%s (read in %.1f ms beside the control loop)", n_programs,
		  wiring[0] ? " (the wiring waits for a restart)" : "", (double)job->duration_usec / 1e3);
	(void)snprintf(status, size, "Reloaded: %u programs%s", n_programs,
		       wiring[0] ? "; the wiring changes wait for a restart" : "");
}

static void *reload_thread(void *userdata)
{
	struct reload_worker *w = userdata;
	uint64_t t0 = monotonic_usec(), one = 1;

	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), RELOAD_THREAD_NICE);
	w->job.r = reload_read(&w->job);
	w->job.duration_usec = monotonic_usec() - t0;
	if (write(w->efd, &one, sizeof(one)) < 0) {
		/* an eventfd counter does not overflow from one write */
	}
	return NULL;
}

static int reload_spawn(struct context *c, struct reload_worker *w)
{
	int r;

	(void)sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading the configuration and programs",
			 (unsigned long long)monotonic_usec());
	log_info("Reloading the configuration (%s) and the programs", c->config_path);
	program_library_clear(&w->job.lib);
	w->job = (struct reload_job) { .config_required = c->config_required };
	(void)snprintf(w->job.config_path, sizeof(w->job.config_path), "%s", c->config_path);
	/* the thread inherits the loop thread's blocked signals: they stay the loop's */
	r = -pthread_create(&w->thread, NULL, reload_thread, w);
	if (r < 0)
		return log_errno(r, "Reload refused: cannot start the thread that reads the files");
	w->running = true;
	return 0;
}

static int on_reload_done(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct reload_worker *w = userdata;
	struct context *c = w->context;
	char status[64 + sizeof(w->job.err)];
	uint64_t n;

	(void)s;
	(void)revents;
	if (read(fd, &n, sizeof(n)) < 0 || !w->running)
		return 0;
	(void)pthread_join(w->thread, NULL);
	w->running = false;
	if (w->job.r < 0)
		(void)reload_refused(c, w->job.r, w->job.err, status, sizeof(status));
	else
		reload_apply(c, &w->job, status, sizeof(status));
	program_library_clear(&w->job.lib);
	(void)sd_notifyf(false, "READY=1\nSTATUS=%s", status);
	if (w->again) {
		w->again = false;
		log_info("Reloading again: a SIGHUP came while the files were read");
		if (reload_spawn(c, w) < 0)
			(void)sd_notifyf(false, "READY=1\nSTATUS=Reload refused: cannot start a thread");
	}
	return 0;
}

static int reload_worker_new(struct context *c, struct reload_worker **ret)
{
	struct reload_worker *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	w->context = c;
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->efd < 0) {
		r = -errno;
		free(w);
		return r;
	}
	r = sd_event_add_io(c->event, &w->source, w->efd, EPOLLIN, on_reload_done, w);
	if (r < 0) {
		(void)close(w->efd);
		free(w);
		return r;
	}
	(void)sd_event_source_set_description(w->source, "reload");
	*ret = w;
	return 0;
}

void reload_start(struct context *c)
{
	int r;

	if (!c->reload_worker) {
		r = reload_worker_new(c, &c->reload_worker);
		if (r < 0) {
			(void)log_errno(r, "Reload refused: cannot set up reading the files");
			(void)sd_notifyf(false, "READY=1\nSTATUS=Reload refused: %s", strerror(-r));
			return;
		}
	}
	if (c->reload_worker->running) {
		c->reload_worker->again = true;
		log_info("A reload is in progress: one more follows it");
		return;
	}
	if (reload_spawn(c, c->reload_worker) < 0)
		(void)sd_notifyf(false, "READY=1\nSTATUS=Reload refused: cannot start a thread");
}

struct reload_worker *reload_worker_free(struct reload_worker *w)
{
	if (!w)
		return NULL;
	if (w->running)
		(void)pthread_join(w->thread, NULL);
	program_library_clear(&w->job.lib);
	sd_event_source_disable_unref(w->source);
	(void)close(w->efd);
	free(w);
	return NULL;
}

int reload_load_program_set(const char *library_dir, const char *override_dir, const char *default_program,
			    struct program_library *ret, char *err)
{
	struct program_library lib = {};
	int r;

	r = program_library_load(library_dir, override_dir, &lib, err);
	if (r < 0)
		return r;
	if (!program_library_find(&lib, default_program)) {
		(void)snprintf(err, PROGRAM_ERROR_MAX, "the new set has no '%s', the configured DefaultProgram",
			       default_program);
		program_library_clear(&lib);
		return -ENOENT;
	}
	*ret = lib;
	return 0;
}

int reload_programs_at_start(struct context *c)
{
	struct program_library lib = {};
	char err[PROGRAM_ERROR_MAX];
	int r;

	r = reload_load_program_set(c->program_library_dir, c->program_override_dir, c->config.default_program, &lib,
				    err);
	if (r < 0) {
		log_error("Cannot load the programs: %s", err);
		return r;
	}
	program_library_clear(&c->programs);
	c->programs = lib;
	log_info("Loaded %u programs", lib.n_programs);
	return 0;
}
