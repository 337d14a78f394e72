/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "buttons.h"
#include "context.h"
#include "gentle.h"
#include "log.h"
#include "macro.h"
#include "reload.h"
#include "state-writer.h"
#include "settings-store.h"

/* The shortest wall period of a tick: under --time-scale chair time outruns it. */
#define TICK_WALL_MIN_USEC CHAIR_CLOCK_STALL_TOLERANCE_USEC
/* Between the emergency stop's input (SD_EVENT_PRIORITY_IMPORTANT) and D-Bus (NORMAL). */
#define TICK_PRIORITY (SD_EVENT_PRIORITY_NORMAL - 10)
/* A tick that outlasts its period (a slow Modbus link) is due again as soon as it ends:
 * at TICK_PRIORITY it would run forever before the bus. It then runs at the bus's
 * priority, where sd-event serves whichever became pending first, so that bus messages
 * and ticks take turns, until it keeps its period again. */
#define TICK_OVERRUN_PRIORITY SD_EVENT_PRIORITY_NORMAL

static const char *const state_names[_STATE_MAX] = {
	[STATE_IDLE] = "idle",     [STATE_SCANNING] = "scanning", [STATE_RUNNING] = "running",
	[STATE_PAUSED] = "paused", [STATE_STOPPING] = "stopping", [STATE_FAULT] = "fault",
};

const char *chair_state_to_string(enum chair_state s)
{
	return s >= 0 && s < _STATE_MAX ? state_names[s] : "unknown";
}

int context_new(struct context **ret)
{
	struct context *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->scan.body = malloc(sizeof(*c->scan.body));
	c->clock = calloc(1, sizeof(*c->clock));
	if (!c->scan.body || !c->clock) {
		free(c->scan.body);
		free(c->clock);
		free(c);
		return -ENOMEM;
	}
	config_init_defaults(&c->config);
	c->state = STATE_IDLE;
	*ret = c;
	return 0;
}

struct context *context_free(struct context *c)
{
	if (!c)
		return NULL;
	sd_event_source_disable_unref(c->tick_source);
	buttons_free(c);
	c->reload_worker = reload_worker_free(c->reload_worker);
	c->state_writer = state_writer_free(c->state_writer); /* the last writes land first */
	settings_store_free(c);
	profile_store_free(c);
	heaters_free(c);
	if (c->driver)
		c->driver->ops->free(c->driver);
	sd_event_unref(c->event);
	program_library_clear(&c->programs);
	free(c->scan.body);
	free(c->clock);
	free(c);
	return NULL;
}

void context_freep(struct context **c)
{
	context_free(*c);
}

uint64_t context_now(const struct context *c)
{
	return chair_clock_now(c->clock);
}

struct session_levels context_levels(const struct context *c)
{
	return (struct session_levels) {
		.intensity = c->intensity,
		.speed = c->speed,
		.width = c->width,
		.speed_chosen = c->session.speed_chosen,
		.width_chosen = c->session.width_chosen,
		.level_max = gentle_level_max(c->gentle),
	};
}

unsigned context_shoulder_mm(const struct context *c)
{
	return c->shoulder_mm ? c->shoulder_mm : c->config.default_shoulder_mm;
}

/* The technique the session works with now, "" while it scans or between steps. */
static const char *session_technique(const struct context *c)
{
	const struct session *s = &c->session;
	struct program_position pos;

	if (c->state == STATE_SCANNING)
		return "";
	if (s->manual)
		return technique_to_string(s->manual_technique);
	if (engine_locate(&s->program, s->program_pos_usec, &pos))
		return technique_to_string(s->program.steps[pos.step].technique);
	return "";
}

static void status_text(const struct context *c, char *buf, size_t size)
{
	const char *state = chair_state_to_string(c->state);
	size_t off;

	if (c->state == STATE_FAULT) {
		off = (size_t)snprintf(buf, size, "Fault:");
		for (unsigned i = 0; i < c->n_faults && off < size; i++)
			off += (size_t)snprintf(buf + off, size - off, " %s", c->faults[i].code);
	} else if (c->session.active) {
		const char *technique = session_technique(c);

		(void)snprintf(buf, size, "%s %s%s%s", state, c->session.manual ? "manual" : c->session.program.id,
			       *technique ? ": " : "", technique);
	} else
		(void)snprintf(buf, size, "%s", state);
}

void context_publish(struct context *c)
{
	char status[sizeof(c->notified_status)];

	settings_store_changed(c);
	profile_store_changed(c);
	maintenance_changed(c); /* before events_changed(): what it announces goes out now */
	events_changed(&c->events);
	status_text(c, status, sizeof(status));
	if (strcmp(status, c->notified_status) != 0) {
		(void)sd_notifyf(false, "STATUS=%s", status);
		memcpy(c->notified_status, status, sizeof(status));
	}
}

void context_save_state(struct context *c)
{
	settings_store_flush(c);
	profile_store_flush(c);
	heaters_dose_flush(c);
	maintenance_save(c);
}

/* The clock skips host stalls from the earliest armed tick's due time. */
static void context_update_due(struct context *c)
{
	sd_event_source *sources[] = { c->tick_source, c->heating.tick_source };
	uint64_t due = 0, t;

	for (size_t i = 0; i < ELEMENTSOF(sources); i++)
		if (sources[i] && sd_event_source_get_enabled(sources[i], NULL) > 0 &&
		    sd_event_source_get_time(sources[i], &t) >= 0 && (!due || t < due))
			due = t;
	chair_clock_set_due(c->clock, due);
}

int context_disarm_tick(struct context *c, sd_event_source *source)
{
	int r = source ? sd_event_source_set_enabled(source, SD_EVENT_OFF) : 0;

	context_update_due(c);
	return r;
}

/* The tick ran past its next due time: let the bus take turns with it. */
static int tick_set_priority(sd_event_source *source, uint64_t next_due)
{
	return sd_event_source_set_priority(source,
					    monotonic_usec() >= next_due ? TICK_OVERRUN_PRIORITY : TICK_PRIORITY);
}

int context_arm_tick(struct context *c, sd_event_source **source, uint64_t chair_usec, sd_event_time_handler_t handler,
		     const char *description)
{
	uint64_t period = MAX(chair_clock_wall_span(c->clock, chair_usec), TICK_WALL_MIN_USEC);
	uint64_t wall_now;
	int r;

	if (*source && sd_event_source_get_enabled(*source, NULL) > 0)
		return 0;
	r = sd_event_now(c->event, CLOCK_MONOTONIC, &wall_now);
	if (r < 0)
		return log_errno(r, "Failed to read the event loop's clock");
	if (!*source) {
		/* accuracy 0 would mean sd-event's default slack of 250 ms */
		r = sd_event_add_time(c->event, source, CLOCK_MONOTONIC, wall_now + period, 1, handler, c);
		if (r < 0)
			return log_errno(r, "Failed to add the %s", description);
		(void)sd_event_source_set_description(*source, description);
		/* a due tick goes before bus traffic (the bus is attached at NORMAL), which also
		 * reads the clock: a flood of calls must not hold the rollers' and the pads'
		 * control back, and a late tick must see its stall first. The emergency stop's
		 * input (IMPORTANT) still goes first. */
		r = sd_event_source_set_priority(*source, TICK_PRIORITY);
		if (r < 0)
			return log_errno(r, "Failed to prioritise the %s", description);
		context_update_due(c);
		return 0;
	}
	r = sd_event_source_set_time(*source, wall_now + period);
	if (r < 0)
		return log_errno(r, "Failed to schedule the %s", description);
	r = tick_set_priority(*source, wall_now + period);
	if (r < 0)
		return log_errno(r, "Failed to prioritise the %s", description);
	r = sd_event_source_set_enabled(*source, SD_EVENT_ONESHOT);
	context_update_due(c);
	return r;
}
