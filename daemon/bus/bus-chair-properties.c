/* SPDX-License-Identifier: MIT */
/* The Chair1 properties: their view of the context, their getter, and the
 * PropertiesChanged that follows a change. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "bus-chair-properties.h"
#include "bus-heater.h"
#include "bus-names.h"
#include "bus-state.h"
#include "focus.h"
#include "gentle.h"
#include "macro.h"

#define CHAIR_PROPERTY_ROW(name_, kind_, field_, step_) \
	{ .name = name_, .kind = BUS_KIND_##kind_, .offset = offsetof(struct chair_view, field_), .paced_step = step_ },

static const struct bus_property chair_properties[] = { CHAIR1_PROPERTIES(CHAIR_PROPERTY_ROW) };

static void view_session(const struct context *c, struct chair_view *v)
{
	const struct session *s = &c->session;
	uint64_t now = context_now(c), program_left = UINT64_MAX;
	const struct program_step *step = NULL;
	struct program_position pos;

	if (s->manual) {
		(void)snprintf(v->program, sizeof(v->program), "manual");
		v->technique = technique_to_string(s->manual_technique);
		v->zone = zone_to_string(s->manual_zone);
	} else {
		(void)snprintf(v->program, sizeof(v->program), "%s", s->program.id);
		v->step_count = s->program.n_steps;
		program_left = 0;
		if (engine_locate(&s->program, s->program_pos_usec, &pos)) {
			step = &s->program.steps[pos.step];
			v->step = pos.step + 1;
			program_left = pos.remaining_usec;
			v->technique = technique_to_string(step->technique);
			v->zone = zone_to_string(step->zone);
		}
	}
	if (c->state == STATE_SCANNING)
		v->technique = v->zone = "";

	struct session_levels levels = context_levels(c);
	struct motion_levels lv = engine_levels(step, &levels);
	v->speed = lv.speed;
	v->width = width_to_string(lv.width);
	/* the session's clock read where the program's was, at the last control tick: read
	 * between two ticks it ran up to a tick ahead, and the next tick took a second back */
	if (c->ticking)
		now = c->last_tick_usec;
	engine_session_times(now - MIN(now, s->start_usec), (uint64_t)v->session_limit * USEC_PER_SEC, program_left,
			     &v->elapsed, &v->remaining);
	/* a program made shorter (SetFocus, a step's rounding) shows in Remaining and in the
	 * session's length, never as time taken back */
	v->elapsed = MAX(v->elapsed, s->elapsed_shown_s);
}

/* The rollers press on the back: a session holds them there (a pause too). */
static bool rollers_working(const struct context *c)
{
	return c->state == STATE_SCANNING || c->state == STATE_RUNNING || c->state == STATE_PAUSED;
}

void chair_compute_view(const struct context *c, struct chair_view *v)
{
	size_t off = 0;

	*v = (struct chair_view) {
		.state = chair_state_to_string(c->state),
		.technique = "",
		.zone = "",
		.intensity = c->intensity,
		.speed = c->speed,
		.width = width_to_string(c->width),
		.heat = c->heat,
		.shoulder_height = c->shoulder_mm,
		.seated = c->seated,
		.session_limit = gentle_session_limit_s(c->session_limit_s, c->gentle),
		.gentle = c->gentle,
		.heat_target = c->heat_target_c,
		.roller_run_seconds = c->maintenance.shown.roller_run_s,
		.force = rollers_working(c) ? c->roller.load_dn / 10.0 : 0.0,
		/* to the 0.1 N the load is measured in: no announcement for less */
		.force_target = round(c->force_target_n * 10.0) / 10.0,
	};
	memcpy(v->zone_pressure, c->zone_pressure, sizeof(v->zone_pressure));
	focus_to_words(c->focus, v->focus, sizeof(v->focus));
	(void)snprintf(v->profile, sizeof(v->profile), "%s", c->profile);
	profile_store_names(c, v->profiles, sizeof(v->profiles));
	if (c->session.active)
		view_session(c, v);
	for (unsigned i = 0; i < c->n_faults && off < sizeof(v->faults); i++)
		off += (size_t)snprintf(v->faults + off, sizeof(v->faults) - off, "%s%s", i ? " " : "",
					c->faults[i].code);
}

int bus_chair_property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
			   sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct chair_view v;

	(void)bus, (void)path, (void)interface;
	chair_compute_view(userdata, &v);
	return bus_property_get(chair_properties, ELEMENTSOF(chair_properties), property, &v, reply, error);
}

static void chair_publish(struct context *c, struct bus_state *b)
{
	const char *changed[ELEMENTSOF(chair_properties) + 1];
	size_t n = 0;
	struct chair_view v, *old = &b->published;
	uint64_t now = context_now(c);
	bool paced_sent = false, due;

	chair_compute_view(c, &v);
	due = now - MIN(now, b->paced_usec) >= CHAIR_PACED_PERIOD_USEC || strcmp(v.state, old->state) != 0;
	for (size_t i = 0; i < ELEMENTSOF(chair_properties); i++) {
		const struct bus_property *p = &chair_properties[i];
		bool paced = p->paced_step > 0.0;

		if ((!paced || due) && bus_property_changed(p, old, &v)) {
			changed[n++] = p->name;
			paced_sent = paced_sent || paced;
		} else if (paced) /* keep the value last announced until the next is due */
			memcpy((char *)&v + p->offset, (const char *)old + p->offset, sizeof(double));
	}
	changed[n] = NULL;
	if (n == 0)
		return;
	if (paced_sent)
		b->paced_usec = now;
	(void)sd_bus_emit_properties_changed_strv(c->bus, CHAIR_PATH, CHAIR_INTERFACE, (char **)changed);
	*old = v;
	if (c->session.active)
		c->session.elapsed_shown_s = v.elapsed;
}

void bus_chair_changed(void *userdata)
{
	struct context *c = userdata;

	if (!c->bus || !c->bus_state)
		return;
	bus_heaters_publish(c);
	chair_publish(c, c->bus_state);
}
