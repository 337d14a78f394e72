/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "log.h"
#include "macro.h"
#include "settings-store.h"
#include "state-file.h"
#include "state-writer.h"

#define SETTINGS_FILE "settings.state"
/* A change is written this long after it: a flood of SetIntensity calls costs one write
 * a second at most, and a kill loses at most this much. */
#define SETTINGS_WRITE_DELAY_USEC (1 * USEC_PER_SEC)

static void settings_path(const struct context *c, char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s/" SETTINGS_FILE, c->state_dir);
}

static struct settings_file settings_current(const struct context *c)
{
	struct settings_file f = {
		.last = {
			.intensity = c->intensity,
			.speed = c->speed,
			.width = c->width,
			.heat = false, /* never saved on: see settings_store_restore() */
			.session_limit_s = c->session_limit_s,
			.focus = c->focus,
			.gentle = c->gentle,
			.heat_target_c = c->heat_target_c,
		},
		/* defaults a reload changed but not applied yet: a restart applies them too */
		.configured = c->settings_store.defaults_pending ? c->settings_store.configured_before
							   : settings_from_config(&c->config),
	};

	memcpy(f.last.zone_pressure, c->zone_pressure, sizeof(f.last.zone_pressure));
	(void)snprintf(f.profile, sizeof(f.profile), "%s", c->profile);
	return f;
}

static void settings_apply(struct context *c, const struct chair_settings *s)
{
	c->intensity = s->intensity;
	c->speed = s->speed;
	c->width = s->width;
	c->heat = s->heat;
	c->session_limit_s = s->session_limit_s;
	memcpy(c->zone_pressure, s->zone_pressure, sizeof(c->zone_pressure));
	c->focus = s->focus;
	c->gentle = s->gentle;
	c->heat_target_c = s->heat_target_c;
}

void settings_store_session_start(struct context *c)
{
	struct settings_file f = settings_current(c);
	struct chair_settings s;
	char why[SETTINGS_ERROR_MAX];

	if (!c->settings_store.defaults_pending)
		return;
	s = settings_restore(&f, &c->config, why, sizeof(why));
	c->settings_store.defaults_pending = false;
	if (why[0])
		log_notice("Settings adjusted to the reloaded configuration: %s", why);
	settings_apply(c, &s);
}

void settings_store_reconfigured(struct context *c, const struct chair_settings *before)
{
	unsigned max_s = c->config.max_session_minutes * 60;

	if (!c->settings_store.defaults_pending) {
		c->settings_store.configured_before = *before;
		c->settings_store.defaults_pending = true;
	}
	if (c->session_limit_s > max_s) {
		log_notice("Session limit cut from %u to %u min, the reloaded MaxSessionMinutes",
			   c->session_limit_s / 60, max_s / 60);
		c->session_limit_s = max_s;
	}
	if (!c->session.active)
		settings_store_session_start(c);
}

void settings_store_restore(struct context *c)
{
	struct chair_settings s = settings_from_config(&c->config);
	char path[512], err[SETTINGS_ERROR_MAX], why[SETTINGS_ERROR_MAX];
	struct settings_file saved;
	int r;

	settings_path(c, path, sizeof(path));
	(void)state_file_remove_stale(path);
	r = settings_load(path, &saved, err);
	if (r == -ENOENT)
		log_info("No saved settings in %s: starting from the configured defaults", path);
	else if (r < 0)
		log_warning("Ignoring the saved settings: %s. Starting from the configured defaults", err);
	else {
		s = settings_restore(&saved, &c->config, why, sizeof(why));
		/* profile_store_restore() applies it, or none when it is gone */
		(void)snprintf(c->profile, sizeof(c->profile), "%s", saved.profile);
		if (why[0])
			log_notice("Saved settings adjusted: %s", why);
	}
	/* heat never survives a restart: after a crash or a power cut the next person in the
	 * chair may not be the one who turned it on */
	if (s.heat)
		log_notice("Heat was on when massaged stopped; it starts off");
	s.heat = false;
	settings_apply(c, &s);
	if (r == 0)
		log_info("Settings restored from %s: intensity %u, speed %u, width %s, session limit %u min, "
			 "pressure neck %+d shoulders %+d upper-back %+d lower-back %+d, gentle %s; heat off",
			 path, s.intensity, s.speed, width_to_string(s.width), s.session_limit_s / 60,
			 s.zone_pressure[ZONE_NECK], s.zone_pressure[ZONE_SHOULDERS], s.zone_pressure[ZONE_UPPER_BACK],
			 s.zone_pressure[ZONE_LOWER_BACK], s.gentle ? "on" : "off");
	/* an adjusted file is written again at the first chance; a damaged one at the next change */
	c->settings_store.saved = r == 0 ? saved : settings_current(c);
	c->settings_store.tried = c->settings_store.saved;
}

struct settings_job {
	struct context *context;
	struct settings_file written;
};

static void settings_written(void *userdata, const char *path, int r, uint64_t duration_usec)
{
	struct settings_job *job = userdata;
	struct context *c = job->context;

	if (r < 0) {
		if (c->settings_store.write_failing)
			log_debug("Settings not saved to %s: %s", path, strerror(-r));
		else
			log_warning("Failed to save the settings to %s: %s. The chair keeps them until it "
				    "restarts; the next change tries again",
				    path, strerror(-r));
		c->settings_store.write_failing = true;
	} else {
		if (c->settings_store.write_failing)
			log_notice("Settings saved to %s again", path);
		else
			log_debug("Settings saved to %s in %.1f ms", path, (double)duration_usec / 1e3);
		c->settings_store.write_failing = false;
		c->settings_store.saved = job->written;
	}
	free(job);
}

/* Off the loop, through the state writer: fsync may take long. */
static void settings_write(struct context *c)
{
	struct settings_job *job = malloc(sizeof(*job));
	char path[512], *text;
	size_t size;
	int r;

	if (!job) {
		log_error("Out of memory: the settings are not saved");
		return;
	}
	*job = (struct settings_job) { .context = c, .written = settings_current(c) };
	c->settings_store.tried = job->written;
	settings_path(c, path, sizeof(path));
	text = settings_format(&job->written, &size);
	r = text ? state_writer_submit(c->state_writer, path, text, size, settings_written, job) : -ENOMEM;
	if (r < 0)
		settings_written(job, path, r, 0);
}

static int on_settings_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct context *c = userdata;
	struct settings_file now = settings_current(c);

	(void)s;
	(void)usec;
	if (settings_file_equal(&now, &c->settings_store.saved) && !c->settings_store.write_failing)
		c->settings_store.tried = now; /* changed and changed back */
	else
		settings_write(c);
	return 0;
}

void settings_store_changed(struct context *c)
{
	struct settings_file now = settings_current(c);
	uint64_t wall_now;
	int r;

	if (!c->event || settings_file_equal(&now, &c->settings_store.tried))
		return;
	if (c->settings_store.timer && sd_event_source_get_enabled(c->settings_store.timer, NULL) > 0)
		return; /* the write already scheduled takes this change too */
	r = sd_event_now(c->event, CLOCK_MONOTONIC, &wall_now);
	if (r >= 0 && !c->settings_store.timer) {
		r = sd_event_add_time(c->event, &c->settings_store.timer, CLOCK_MONOTONIC,
				      wall_now + SETTINGS_WRITE_DELAY_USEC, 0, on_settings_timer, c);
		if (r >= 0) {
			(void)sd_event_source_set_description(c->settings_store.timer, "settings-write");
			/* after whatever else is pending: inputs and ticks come first */
			r = sd_event_source_set_priority(c->settings_store.timer, SD_EVENT_PRIORITY_IDLE);
		}
	} else if (r >= 0) {
		r = sd_event_source_set_time(c->settings_store.timer, wall_now + SETTINGS_WRITE_DELAY_USEC);
		if (r >= 0)
			r = sd_event_source_set_enabled(c->settings_store.timer, SD_EVENT_ONESHOT);
	}
	if (r < 0) {
		/* cannot wait: write now rather than lose the change */
		log_errno(r, "Failed to schedule the settings write");
		settings_write(c);
	}
}

void settings_store_flush(struct context *c)
{
	struct settings_file now = settings_current(c);

	if (c->settings_store.timer)
		(void)sd_event_source_set_enabled(c->settings_store.timer, SD_EVENT_OFF);
	if (!settings_file_equal(&now, &c->settings_store.saved))
		settings_write(c);
}

void settings_store_free(struct context *c)
{
	c->settings_store.timer = sd_event_source_disable_unref(c->settings_store.timer);
}
