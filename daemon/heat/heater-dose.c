/* SPDX-License-Identifier: MIT */
/* Each pad's heat dose window in the state directory: a restart (a crash, a power cut,
 * systemctl restart) must not be a way to reset the dose budget. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "heater.h"
#include "ini-file.h"
#include "log.h"
#include "macro.h"
#include "state-file.h"
#include "state-writer.h"

#define DOSE_FILE "heater-dose.state"
#define DOSE_VERSION 1
#define DOSE_N (HEAT_DOSE_SLICES + 1)
/* a slice holds at most this much: a day at 48 °C is about 46,000 CEM43 minutes */
#define DOSE_SLICE_MAX_MIN 1e6
/* while dose accrues the file is written once a minute of chair time at most, when at
 * least this much is unsaved (so an idle pad at body warmth does not write), and at
 * exit: a crash forgets a minute of dose at most, an exit less than this */
#define DOSE_SAVE_PERIOD_USEC (60 * USEC_PER_SEC)
#define DOSE_SAVE_MIN 0.05

static void dose_path(const struct context *c, char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s/" DOSE_FILE, c->state_dir);
}

struct dose_parser {
	struct context *context;
	const char *path;
	char *err;
	double slices[MAX_PADS][DOSE_N];
	bool seen[MAX_PADS];
};

static int parse_slices(const char *value, double ret[DOSE_N])
{
	const char *p = value;
	char *end;

	for (unsigned i = 0; i < DOSE_N; i++) {
		errno = 0;
		ret[i] = strtod(p, &end);
		if (end == p || errno != 0 || !isfinite(ret[i]) || ret[i] < 0.0 || ret[i] > DOSE_SLICE_MAX_MIN)
			return -EINVAL;
		p = end;
	}
	p += strspn(p, " \t");
	return *p ? -EINVAL : 0;
}

static int on_key(void *userdata, const char *key, const char *value, unsigned line)
{
	struct dose_parser *p = userdata;
	struct context *c = p->context;
	enum zone z = zone_from_string(key);

	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		if (c->heating.heaters[i].zone != z)
			continue;
		if (p->seen[i])
			return ini_file_error(p->err, p->path, line, -EINVAL, "%s= given twice", key);
		if (parse_slices(value, p->slices[i]) < 0)
			return ini_file_error(p->err, p->path, line, -EINVAL,
					      "%s=: expected %u CEM43 minutes, each 0..%.0f", key, DOSE_N,
					      DOSE_SLICE_MAX_MIN);
		p->seen[i] = true;
		return 0;
	}
	if (z == ZONE_INVALID)
		return ini_file_error(p->err, p->path, line, -EINVAL, "unknown key %s", key);
	return 0; /* a pad the configuration no longer has */
}

void heaters_dose_load(struct context *c)
{
	struct dose_parser p = { .context = c };
	char path[512], err[INI_FILE_ERROR_MAX];
	int r;

	dose_path(c, path, sizeof(path));
	p.path = path;
	p.err = err;
	(void)state_file_remove_stale(path);
	r = state_file_parse(path, "Dose", DOSE_VERSION, on_key, &p, err);
	if (r == -ENOENT)
		return;
	if (r < 0) {
		log_warning("Ignoring the saved heat doses: %s. Every pad's dose counts from now", err);
		return;
	}
	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		struct heater *h = &c->heating.heaters[i];
		double sum = 0.0;

		if (!p.seen[i])
			continue;
		heat_dose_put(&h->dose, p.slices[i]);
		for (unsigned k = 0; k < DOSE_N; k++)
			sum += p.slices[i][k];
		log_info("The %s pad's heat dose over the last %u h restored from %s: %.1f CEM43 minutes",
			 zone_to_string(h->zone), c->config.dose_window_h, path, sum);
	}
}

static char *dose_format(struct context *c, size_t *ret_size)
{
	struct state_file_text t;
	FILE *f = state_file_text_open(
		&t,
		"# Written by massaged: each pad's heat dose over the last [Heat] DoseWindow, in\n"
		"# CEM43 minutes per 24th of the window, oldest first. Restored at start, so a\n"
		"# restart does not reset the dose budget; a damaged file is reported and ignored.\n",
		"Dose", DOSE_VERSION);
	double slices[DOSE_N];

	if (!f)
		return NULL;
	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		heat_dose_get(&c->heating.heaters[i].dose, slices);
		(void)fprintf(f, "%s=", zone_to_string(c->heating.heaters[i].zone));
		for (unsigned k = 0; k < DOSE_N; k++)
			(void)fprintf(f, "%s%.4f", k ? " " : "", slices[k]);
		(void)fputc('\n', f);
	}
	return state_file_text_close(&t, ret_size);
}

static void dose_written(void *userdata, const char *path, int r, uint64_t duration_usec)
{
	struct context *c = userdata;

	(void)duration_usec;
	if (r < 0 && !c->heating.dose_write_failing)
		log_warning("Failed to save the heat doses to %s: %s. The chair keeps them until it restarts; "
			    "it tries again while the pads give more",
			    path, strerror(-r));
	else if (r >= 0 && c->heating.dose_write_failing)
		log_notice("Heat doses saved to %s again", path);
	c->heating.dose_write_failing = r < 0;
}

static void dose_save(struct context *c)
{
	char path[512], *text;
	size_t size;
	int r;

	if (!c->state_writer)
		return;
	dose_path(c, path, sizeof(path));
	text = dose_format(c, &size);
	r = text ? state_writer_submit(c->state_writer, path, text, size, dose_written, c) : -ENOMEM;
	if (r < 0)
		dose_written(c, path, r, 0);
	for (unsigned i = 0; i < c->heating.n_heaters; i++)
		c->heating.heaters[i].dose_unsaved_min = 0.0;
}

static bool dose_unsaved(const struct context *c, double at_least)
{
	for (unsigned i = 0; i < c->heating.n_heaters; i++)
		if (c->heating.heaters[i].dose_unsaved_min > at_least)
			return true;
	return false;
}

void heaters_dose_tick(struct context *c, uint64_t now)
{
	if (now - MIN(now, c->heating.dose_saved_usec) < DOSE_SAVE_PERIOD_USEC || !dose_unsaved(c, DOSE_SAVE_MIN))
		return;
	c->heating.dose_saved_usec = now;
	dose_save(c);
}

void heaters_dose_flush(struct context *c)
{
	if (dose_unsaved(c, DOSE_SAVE_MIN))
		dose_save(c);
}
