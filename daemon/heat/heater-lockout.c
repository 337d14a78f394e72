/* SPDX-License-Identifier: MIT */
/* A fault that means a broken part (a runaway, a welded relay, heat past the trip point
 * that the controller never commanded, a sensor off the stone) locks its pad out until
 * the part is serviced: ClearFault gives the chair back for massage, but not that heat.
 * The lockout is written to heater-lockout.state at once (fsync, rename), so that a
 * crash, a restart or a power cut cannot end it; a damaged file locks out every pad. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "context.h"
#include "heater.h"
#include "ini-file.h"
#include "log.h"
#include "macro.h"
#include "state-file.h"

#define LOCKOUT_FILE "heater-lockout.state"
#define LOCKOUT_VERSION 1

static void lockout_path(const struct context *c, char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s/" LOCKOUT_FILE, c->state_dir);
}

static uint64_t realtime_usec(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

static bool code_is_stuck(const char *code)
{
	return strncmp(code, "heater-stuck:", 13) == 0;
}

/* The codes that lock `zone` out: those heater_tick() and the model check raise for a
 * broken part, and the damaged file's. */
static bool code_locks(const char *code, const char *zone)
{
	static const char *const kinds[] = { "runaway", "heater-stuck", "overtemp", "sensor" };
	const char *colon = strchr(code, ':');

	if (strcmp(code, HEATER_LOCKOUT_FILE_DAMAGED) == 0)
		return true;
	if (!colon || strcmp(colon + 1, zone) != 0)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
		if (strlen(kinds[i]) == (size_t)(colon - code) && strncmp(code, kinds[i], (size_t)(colon - code)) == 0)
			return true;
	return false;
}

const struct heater *heater_lockout_holder(const struct heater *h)
{
	const struct context *c = h->context;

	if (h->lockout[0])
		return h;
	for (unsigned i = 0; i < c->heating.n_heaters; i++)
		if (code_is_stuck(c->heating.heaters[i].lockout))
			return &c->heating.heaters[i];
	return NULL;
}

bool heaters_all_locked_out(const struct context *c)
{
	for (unsigned i = 0; i < c->heating.n_heaters; i++)
		if (code_is_stuck(c->heating.heaters[i].lockout))
			return true;
	return false;
}

/* The whole file, every pad's lockout; `skip` (may be NULL) written as if it had none. */
static char *lockout_format(const struct context *c, const struct heater *skip, size_t *ret_size)
{
	struct state_file_text t;
	FILE *f = state_file_text_open(
		&t,
		"# Written by massaged: the pads locked out until serviced, each as\n"
		"# ZONE=FAULT SINCE WHAT, SINCE in µs since the epoch. Only ResetLockout (root) ends\n"
		"# a lockout; a damaged file locks out every pad.\n",
		"Lockout", LOCKOUT_VERSION);

	if (!f)
		return NULL;
	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		const struct heater *h = &c->heating.heaters[i];

		if (h != skip && h->lockout[0])
			(void)fprintf(f, "%s=%s %" PRIu64 " %s\n", zone_to_string(h->zone), h->lockout,
				      h->lockout_since_usec, h->lockout_what);
	}
	return state_file_text_close(&t, ret_size);
}

/* Synchronously: the lockout must outlive a SIGKILL right after it began or ended. */
static int lockout_save(const struct context *c, const struct heater *skip)
{
	char path[512], *text;
	size_t size = 0;
	int r;

	lockout_path(c, path, sizeof(path));
	text = lockout_format(c, skip, &size);
	r = text ? state_file_write(path, text, size) : -ENOMEM;
	free(text);
	return r;
}

static void lockout_set(struct heater *h, const char *code, const char *what, uint64_t since)
{
	(void)snprintf(h->lockout, sizeof(h->lockout), "%s", code);
	(void)snprintf(h->lockout_what, sizeof(h->lockout_what), "%s", what);
	for (char *p = h->lockout_what; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' '; /* one line in the file */
	h->lockout_since_usec = since;
}

static void lockout_log(const struct heater *h, const char *saved)
{
	const char *zone = zone_to_string(h->zone);

	if (code_is_stuck(h->lockout))
		log_event(LOG_ERR, LOG_EVENT_HEAT_LOCKOUT, LOG_FIELDS(.zone = zone, .fault = h->lockout),
			  "All heat is locked out until serviced (%s: the %s pad, %s): the master heat relay "
			  "stays open and no pad heats. After the repair root runs `massagectl service reset "
			  "%s`%s",
			  h->lockout, zone, h->lockout_what, zone, saved);
	else
		log_event(LOG_ERR, LOG_EVENT_HEAT_LOCKOUT, LOG_FIELDS(.zone = zone, .fault = h->lockout),
			  "The %s pad is locked out until serviced (%s: %s): its relay stays open, the other "
			  "pads heat as usual. After the repair root runs `massagectl service reset %s`%s",
			  zone, h->lockout, h->lockout_what, zone, saved);
}

void heater_lock_out(struct heater *h, const char *code, const char *what_broke)
{
	struct context *c = h->context;
	int r;

	if (!code_locks(code, zone_to_string(h->zone))) {
		log_error("Not a lockout of the %s pad: %s", zone_to_string(h->zone), code);
		return;
	}
	if (h->lockout[0] && (code_is_stuck(h->lockout) || !code_is_stuck(code)))
		return; /* the first lockout stays; only a welded relay, the worse, replaces it */
	lockout_set(h, code, what_broke, realtime_usec());
	r = lockout_save(c, NULL);
	if (r < 0)
		log_error("Failed to save the %s pad's lockout to %s/" LOCKOUT_FILE ": %s. It holds until massaged "
			  "restarts",
			  zone_to_string(h->zone), c->state_dir, strerror(-r));
	lockout_log(h, r < 0 ? " (not saved: a restart would forget it)" : "");
	heaters_update(c);
	context_publish(c);
}

bool heater_lockout_stops_all_heat(const struct heater *h)
{
	return code_is_stuck(h->lockout);
}

int heater_lockout_reset(struct heater *h)
{
	struct context *c = h->context;
	const char *zone = zone_to_string(h->zone);
	char code[HEATER_LOCKOUT_CODE_MAX];
	int r;

	/* the file first: a lockout the disk still holds would come back at the next start */
	r = lockout_save(c, h);
	if (r < 0) {
		log_error("Failed to save the end of the %s pad's lockout to %s/" LOCKOUT_FILE ": %s", zone,
			  c->state_dir, strerror(-r));
		return r;
	}
	(void)snprintf(code, sizeof(code), "%s", h->lockout);
	h->lockout[0] = '\0';
	h->lockout_what[0] = '\0';
	h->lockout_since_usec = 0;
	log_event(LOG_NOTICE, LOG_EVENT_HEAT_LOCKOUT_RESET, LOG_FIELDS(.zone = zone, .fault = code),
		  "The %s pad's lockout (%s) was reset after service: it may heat again", zone, code);
	heaters_update(c);
	context_publish(c);
	return 0;
}

struct lockout_parser {
	struct context *context;
	const char *path;
	char *err;
	bool seen[MAX_PADS];
};

static int on_key(void *userdata, const char *key, const char *value, unsigned line)
{
	struct lockout_parser *p = userdata;
	struct context *c = p->context;
	enum zone z = zone_from_string(key);
	char code[HEATER_LOCKOUT_CODE_MAX];
	unsigned long long since;
	int n = 0;

	if (z == ZONE_INVALID)
		return ini_file_error(p->err, p->path, line, -EINVAL, "unknown key %s", key);
	if (sscanf(value, "%39s %llu %n", code, &since, &n) != 2 || n == 0 || !code_locks(code, key) || since == 0)
		return ini_file_error(p->err, p->path, line, -EINVAL,
				      "%s=: expected a lockout's fault code for this pad, µs since the epoch "
				      "and what broke",
				      key);
	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		struct heater *h = &c->heating.heaters[i];

		if (h->zone != z)
			continue;
		if (p->seen[i])
			return ini_file_error(p->err, p->path, line, -EINVAL, "%s= given twice", key);
		p->seen[i] = true;
		lockout_set(h, code, value + n, (uint64_t)since);
		return 0;
	}
	log_warning("%s:%u: the %s pad is locked out (%s) but not configured now", p->path, line, key, code);
	return 0;
}

void heaters_lockout_load(struct context *c)
{
	struct lockout_parser p = { .context = c };
	char path[512], err[INI_FILE_ERROR_MAX];
	uint64_t now = realtime_usec();
	int r;

	lockout_path(c, path, sizeof(path));
	p.path = path;
	p.err = err;
	(void)state_file_remove_stale(path);
	r = state_file_parse(path, "Lockout", LOCKOUT_VERSION, on_key, &p, err);
	if (r == -ENOENT)
		return;
	if (r < 0) {
		log_error("The pads' lockout file is damaged: %s. Every pad is locked out (%s) until root resets "
			  "each after a service check",
			  err, HEATER_LOCKOUT_FILE_DAMAGED);
		for (unsigned i = 0; i < c->heating.n_heaters; i++) {
			struct heater *h = &c->heating.heaters[i];

			lockout_set(h, HEATER_LOCKOUT_FILE_DAMAGED, "the lockout file is damaged", now);
			lockout_log(h, "");
		}
		return;
	}
	for (unsigned i = 0; i < c->heating.n_heaters; i++)
		if (c->heating.heaters[i].lockout[0])
			log_notice("The %s pad stays locked out (%s: %s), as %s says",
				   zone_to_string(c->heating.heaters[i].zone), c->heating.heaters[i].lockout,
				   c->heating.heaters[i].lockout_what, path);
}
