/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "gentle-mode.h"
#include "log.h"
#include "macro.h"
#include "profile-store.h"
#include "session.h"
#include "settings-store.h"
#include "state-file.h"
#include "state-writer.h"

#define PROFILES_DIR "profiles"
/* as settings.state: a burst of changes costs one write, a kill loses at most this */
#define PROFILE_WRITE_DELAY_USEC (1 * USEC_PER_SEC)
#define PATH_MAX_LEN 512 /* the state writer's */

static void profiles_dir(const struct context *c, char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s/" PROFILES_DIR, c->state_dir);
}

static void profile_path(const struct context *c, const char *name, char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s/" PROFILES_DIR "/%s" PROFILE_SUFFIX, c->state_dir, name);
}

/* The chair's settings and body as profile `name` would hold them now. */
static struct profile profile_current(struct context *c, const char *name)
{
	struct profile *known = profile_list_find(&c->profile_store.list, name);
	struct profile p = {
		.settings = {
			.intensity = c->intensity,
			.speed = c->speed,
			.width = c->width,
			.heat = c->heat_wanted,
			.session_limit_s = c->session_limit_s,
			.focus = c->focus,
			.gentle = c->gentle,
			.heat_target_c = c->heat_target_c,
		},
		.shoulder_mm = c->shoulder_mm,
		.shoulder_adjust_mm = c->shoulder_adjust_mm,
	};

	(void)snprintf(p.name, sizeof(p.name), "%s", name);
	memcpy(p.settings.zone_pressure, c->zone_pressure, sizeof(p.settings.zone_pressure));
	if (c->session.active && !c->session.manual && c->session.program.id[0])
		(void)snprintf(p.favourite, sizeof(p.favourite), "%s", c->session.program.id);
	else if (known)
		(void)snprintf(p.favourite, sizeof(p.favourite), "%s", known->favourite);
	return p;
}

static void profile_apply(struct context *c, const struct profile *p)
{
	const struct chair_settings *s = &p->settings;
	unsigned max_s = c->config.max_session_minutes * 60;

	c->intensity = s->intensity;
	c->speed = s->speed;
	c->width = s->width;
	c->heat_wanted = s->heat; /* Heat itself at the next session start (session.c) */
	c->session_limit_s = MIN(s->session_limit_s, max_s);
	memcpy(c->zone_pressure, s->zone_pressure, sizeof(c->zone_pressure));
	c->focus = s->focus;
	c->gentle = s->gentle;
	c->heat_target_c = s->heat_target_c;
	c->shoulder_mm = p->shoulder_mm ? MIN(p->shoulder_mm, c->config.limits.track_max_mm) : 0;
	c->shoulder_adjust_mm = p->shoulder_adjust_mm;
	(void)snprintf(c->profile, sizeof(c->profile), "%s", p->name);
	gentle_lower_settings(c); /* a file edited by hand asks no more than gentle mode gives */
	c->profile_store.saved = c->profile_store.tried = *p;
}

struct profile_job {
	struct context *context;
	struct profile written;
	bool in_use; /* the coalesced write of the profile in use */
	profile_done_t done;
	void *userdata;
};

static void profile_written(void *userdata, const char *path, int r, uint64_t duration_usec)
{
	struct profile_job *job = userdata;
	struct profile_store *s = &job->context->profile_store;

	if (r < 0) {
		if (s->write_failing)
			log_debug("Profile not saved to %s: %s", path, strerror(-r));
		else
			log_warning("Failed to save the profile to %s: %s. The chair keeps it until it restarts; "
				    "the next change tries again",
				    path, strerror(-r));
		s->write_failing = true;
	} else {
		if (s->write_failing)
			log_notice("Profile saved to %s again", path);
		else
			log_debug("Profile saved to %s in %.1f ms", path, (double)duration_usec / 1e3);
		s->write_failing = false;
		if (strcmp(job->written.name, job->context->profile) == 0)
			s->saved = job->written;
	}
	if (job->done)
		job->done(job->userdata, r);
	free(job);
}

/* Off the loop, through the state writer. */
static int profile_write(struct context *c, const struct profile *p, profile_done_t done, void *userdata)
{
	struct profile_job *job = malloc(sizeof(*job));
	char path[PATH_MAX_LEN], *text;
	size_t size;
	int r;

	if (!job)
		return log_errno(-ENOMEM, "Out of memory: profile %s is not saved", p->name);
	*job = (struct profile_job) { .context = c, .written = *p, .done = done, .userdata = userdata };
	if (strcmp(p->name, c->profile) == 0)
		c->profile_store.tried = *p;
	profile_path(c, p->name, path, sizeof(path));
	text = profile_format(p, &size);
	r = text ? state_writer_submit(c->state_writer, path, text, size, profile_written, job) : -ENOMEM;
	if (r < 0) {
		job->done = NULL; /* the caller hears r */
		profile_written(job, path, r, 0);
	}
	return r;
}

/* The profile in use, as the chair has it now, into the list; true when it differs
 * from what was last tried. */
static bool in_use_update(struct context *c, struct profile *ret)
{
	struct profile *known;

	if (!c->profile[0])
		return false;
	known = profile_list_find(&c->profile_store.list, c->profile);
	if (!known)
		return false;
	*known = profile_current(c, c->profile);
	*ret = *known;
	return !profile_equal(ret, &c->profile_store.tried);
}

static int on_profile_timer(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct context *c = userdata;
	struct profile now;

	(void)source;
	(void)usec;
	(void)in_use_update(c, &now);
	if (!c->profile[0] || !profile_list_find(&c->profile_store.list, c->profile))
		return 0;
	if (profile_equal(&now, &c->profile_store.saved) && !c->profile_store.write_failing)
		c->profile_store.tried = now; /* changed and changed back */
	else
		(void)profile_write(c, &now, NULL, NULL);
	return 0;
}

void profile_store_changed(struct context *c)
{
	struct profile_store *s = &c->profile_store;
	struct profile now;
	uint64_t wall_now;
	int r;

	if (!c->event || !in_use_update(c, &now))
		return;
	if (s->timer && sd_event_source_get_enabled(s->timer, NULL) > 0)
		return; /* the write already scheduled takes this change too */
	r = sd_event_now(c->event, CLOCK_MONOTONIC, &wall_now);
	if (r >= 0 && !s->timer) {
		r = sd_event_add_time(c->event, &s->timer, CLOCK_MONOTONIC, wall_now + PROFILE_WRITE_DELAY_USEC, 0,
				      on_profile_timer, c);
		if (r >= 0) {
			(void)sd_event_source_set_description(s->timer, "profile-write");
			r = sd_event_source_set_priority(s->timer, SD_EVENT_PRIORITY_IDLE);
		}
	} else if (r >= 0) {
		r = sd_event_source_set_time(s->timer, wall_now + PROFILE_WRITE_DELAY_USEC);
		if (r >= 0)
			r = sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
	}
	if (r < 0) {
		log_errno(r, "Failed to schedule the profile write");
		(void)profile_write(c, &now, NULL, NULL);
	}
}

void profile_store_flush(struct context *c)
{
	struct profile now;

	if (c->profile_store.timer)
		(void)sd_event_source_set_enabled(c->profile_store.timer, SD_EVENT_OFF);
	(void)in_use_update(c, &now);
	if (c->profile[0] && profile_list_find(&c->profile_store.list, c->profile) &&
	    !profile_equal(&now, &c->profile_store.saved))
		(void)profile_write(c, &now, NULL, NULL);
}

void profile_store_free(struct context *c)
{
	c->profile_store.timer = sd_event_source_disable_unref(c->profile_store.timer);
}

/* The profile in use changed: settings.state says which at once, not a second later */
static void in_use_changed(struct context *c)
{
	context_publish(c);
	settings_store_flush(c);
}

static int refuse_name(const char *name, struct refusal *why)
{
	char err[256];

	if (!profile_name_is_valid(name, err, sizeof(err)))
		return refuse(why, REFUSAL_INVALID_ARGS, "%s", err);
	return 0;
}

static int refuse_unknown(struct context *c, const char *name, struct refusal *why, struct profile **ret)
{
	int r = refuse_name(name, why);

	if (r < 0)
		return r;
	*ret = profile_list_find(&c->profile_store.list, name);
	if (!*ret)
		return refuse(why, REFUSAL_NO_SUCH_PROFILE, "No profile is called '%s'.", name);
	return 0;
}

int profile_store_save(struct context *c, const char *name, struct refusal *why, profile_done_t done, void *userdata)
{
	struct profile *p;
	int r = refuse_name(name, why);

	if (r < 0)
		return r;
	p = profile_list_find(&c->profile_store.list, name);
	if (!p && c->profile_store.list.n == PROFILES_MAX)
		return refuse(why, REFUSAL_LIMITS_EXCEEDED, "The chair keeps at most %u profiles: delete one first.",
			      PROFILES_MAX);
	profile_store_flush(c); /* the one in use so far keeps what it had */
	if (!p)
		p = profile_list_insert(&c->profile_store.list, name);
	*p = profile_current(c, name);
	(void)snprintf(c->profile, sizeof(c->profile), "%s", name);
	c->profile_store.saved = c->profile_store.tried = *p;
	/* settings.state names it before the profile's file is written, and the reply
	 * waits for that: a kill after the reply restores it */
	settings_store_flush(c);
	log_info("Profile %s saved: the profile in use", name);
	r = profile_write(c, p, done, userdata);
	if (r < 0)
		return refuse(why, REFUSAL_FAILED, "Profile '%s' could not be written: %s.", name, strerror(-r));
	context_publish(c);
	return 0;
}

int profile_store_use(struct context *c, const char *name, struct refusal *why)
{
	struct profile *p;
	int r = refuse_unknown(c, name, why, &p);

	if (r < 0)
		return r;
	bool was_gentle = c->gentle;

	profile_store_flush(c);
	profile_apply(c, p);
	if (c->gentle != was_gentle) {
		/* the caps take hold (a session past them ends) or go, and the journal says so */
		c->gentle = was_gentle;
		(void)chair_set_gentle(c, !was_gentle, why);
	}
	log_info("Profile %s in use: shoulder line %s", name, p->shoulder_mm ? "known" : "not known (a scan finds it)");
	session_check_limits(c); /* a running session past the profile's timer ends, as with SetTimer */
	in_use_changed(c);
	return 0;
}

int profile_store_delete(struct context *c, const char *name, struct refusal *why)
{
	struct profile *p;
	char path[PATH_MAX_LEN];
	int r = refuse_unknown(c, name, why, &p);

	if (r < 0)
		return r;
	if (strcmp(c->profile, name) == 0) {
		if (c->profile_store.timer)
			(void)sd_event_source_set_enabled(c->profile_store.timer, SD_EVENT_OFF);
		c->profile[0] = '\0';
	}
	profile_list_remove(&c->profile_store.list, p);
	profile_path(c, name, path, sizeof(path));
	/* through the writer: after any write of it still queued */
	r = state_writer_submit(c->state_writer, path, NULL, 0, NULL, NULL);
	if (r < 0)
		r = state_file_remove(path);
	log_info("Profile %s deleted", name);
	in_use_changed(c);
	if (r < 0)
		return refuse(why, REFUSAL_FAILED, "Profile '%s' is forgotten but its file could not be removed: %s.",
			      name, strerror(-r));
	return 0;
}

void profile_store_use_none(struct context *c)
{
	profile_store_flush(c);
	if (c->profile[0])
		log_info("No profile in use (was %s)", c->profile);
	c->profile[0] = '\0';
	in_use_changed(c);
}

void profile_store_names(const struct context *c, char *buf, size_t size)
{
	profile_list_names(&c->profile_store.list, buf, size);
}

void profile_store_restore(struct context *c)
{
	char dir[PATH_MAX_LEN];
	struct profile *p;

	profiles_dir(c, dir, sizeof(dir));
	profile_list_load(&c->profile_store.list, dir);
	if (!c->profile[0])
		return;
	p = profile_list_find(&c->profile_store.list, c->profile);
	if (!p) {
		log_warning("The profile in use, %s, is gone or damaged: none in use", c->profile);
		c->profile[0] = '\0';
		return;
	}
	profile_apply(c, p);
	/* heat never survives a restart: see settings_store_restore() */
	c->heat = false;
	log_info("Profile %s in use again", c->profile);
}
