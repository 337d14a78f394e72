/* SPDX-License-Identifier: MIT */
/* massagectl monitor: the chair's property changes told as events, the way
 * `journalctl -f` tells a unit's: a session's start, each step, pause and resume, the
 * levels a person changes. The signals (ProgramFinished, FaultRaised...) are events of
 * their own (monitor-bus.c). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"

static bool streq0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool state_is(const char *state, const char *name)
{
	return state && strcmp(state, name) == 0;
}

static bool in_session(const char *state)
{
	return state_is(state, "scanning") || state_is(state, "running") || state_is(state, "paused") ||
	       state_is(state, "stopping");
}

void monitor_seen_done(struct monitor_seen *seen)
{
	free(seen->state);
	free(seen->program);
	free(seen->technique);
	free(seen->zone);
	free(seen->width);
	free(seen->profile);
	*seen = (struct monitor_seen) {};
}

static char *strdup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void remember(struct monitor_seen *seen, const struct chair_status *s)
{
	monitor_seen_done(seen);
	*seen = (struct monitor_seen) {
		.known = true,
		.state = strdup0(s->state),
		.program = strdup0(s->program),
		.technique = strdup0(s->technique),
		.zone = strdup0(s->zone),
		.width = strdup0(s->width),
		.profile = strdup0(s->profile),
		.step = s->step,
		.intensity = s->intensity,
		.speed = s->speed,
		.heat = s->heat,
		.seated = s->seated,
	};
}

/* "back step 3/12 knead on shoulders, 8:00 left of 12:18" */
static void write_doing(FILE *f, const struct chair_status *s)
{
	char progress[PROGRESS_MAX];

	(void)fputs(s->program && *s->program ? s->program : "session", f);
	if (s->step_count > 0)
		(void)fprintf(f, " step %" PRIu32 "/%" PRIu32, s->step, s->step_count);
	if (s->technique && *s->technique)
		(void)fprintf(f, " %s", s->technique);
	if (s->zone && *s->zone)
		(void)fprintf(f, " on %s", s->zone);
	if (*format_progress(progress, s->elapsed, s->remaining, NULL))
		(void)fprintf(f, ", %s", progress);
}

char *monitor_describe_state(const struct monitor *m)
{
	const struct chair_status *s = &m->status;
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	f = open_memstream(&text, &size);
	if (!f)
		return NULL;
	(void)fputs(s->state && *s->state ? s->state : "unknown", f);
	if (state_is(s->state, "running") || state_is(s->state, "paused")) {
		(void)fputc(' ', f);
		write_doing(f, s);
	} else if (state_is(s->state, "scanning") && s->program && *s->program)
		(void)fprintf(f, " for %s", s->program);
	else if (state_is(s->state, "fault") && s->faults && s->faults[0]) {
		for (char **fault = s->faults; *fault; fault++)
			(void)fprintf(f, "%s%s", fault == s->faults ? ": " : ", ", *fault);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void note_state(struct monitor *m, const struct monitor_seen *seen, const struct chair_status *s)
{
	if (streq0(seen->state, s->state))
		return;
	if (!in_session(seen->state) && in_session(s->state))
		monitor_add_event(m, "session started: %s%s", s->program && *s->program ? s->program : "session",
				  state_is(s->state, "scanning") ? ", body scan first" : "");
	else if (state_is(seen->state, "paused") && state_is(s->state, "running"))
		monitor_add_event(m, "resumed");
	else if (state_is(s->state, "running") || state_is(s->state, "fault"))
		return; /* the step's line says it; FaultRaised says why */
	else
		monitor_add_event(m, "%s", s->state && *s->state ? s->state : "unknown");
}

/* A new step of a program, or a new technique or zone of a manual session. */
static bool note_step(struct monitor *m, const struct monitor_seen *seen, const struct chair_status *s)
{
	_cleanup_free_ char *text = NULL;
	size_t size = 0;
	FILE *f;

	if (!state_is(s->state, "running") && !state_is(s->state, "paused"))
		return false;
	if (state_is(seen->state, "running") == state_is(s->state, "running") && streq0(seen->program, s->program) &&
	    seen->step == s->step && streq0(seen->technique, s->technique) && streq0(seen->zone, s->zone))
		return false;
	/* paused → running is "resumed", with the step it had */
	if (state_is(seen->state, "paused") && streq0(seen->program, s->program) && seen->step == s->step)
		return false;
	if (state_is(s->state, "paused"))
		return false;
	f = open_memstream(&text, &size);
	if (!f)
		return false;
	(void)fputs("running ", f);
	write_doing(f, s);
	if (fclose(f) == 0)
		monitor_add_event(m, "%s", text);
	return true;
}

static void note_levels(struct monitor *m, const struct monitor_seen *seen, const struct chair_status *s, bool new_step)
{
	/* A step, a scan, the stop bring speed and width of their own: only a person's
	 * change of them within a step is news. */
	bool own_levels = new_step || !streq0(seen->state, s->state) || !streq0(seen->program, s->program);

	if (seen->intensity != s->intensity)
		monitor_add_event(m, "intensity %" PRIu32, s->intensity);
	if (!own_levels && seen->speed != s->speed)
		monitor_add_event(m, "speed %" PRIu32, s->speed);
	if (!own_levels && !streq0(seen->width, s->width))
		monitor_add_event(m, "width %s", s->width ? s->width : "-");
	if (!seen->heat != !s->heat)
		monitor_add_event(m, "heat %s", s->heat ? "on" : "off");
	if (!seen->seated != !s->seated)
		monitor_add_event(m, s->seated ? "seated" : "seat empty");
	if (!streq0(seen->profile, s->profile))
		monitor_add_event(m, "profile %s", s->profile && *s->profile ? s->profile : "none");
}

void monitor_note_changes(struct monitor *m)
{
	struct monitor_seen *seen = &m->seen;
	bool new_step;

	if (!m->status_known) {
		if (seen->known)
			monitor_seen_done(seen);
		return;
	}
	if (!seen->known) {
		/* the view shows where the chair is; lines say it once */
		if (!m->tty) {
			_cleanup_free_ char *text = monitor_describe_state(m);

			if (text)
				monitor_add_event(m, "%s", text);
		}
		remember(seen, &m->status);
		return;
	}
	note_state(m, seen, &m->status);
	new_step = note_step(m, seen, &m->status);
	note_levels(m, seen, &m->status, new_step);
	remember(seen, &m->status);
}
