/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "focus.h"
#include "gentle.h"
#include "log.h"
#include "macro.h"
#include "safety.h"
#include "session.h"
#include "settings-store.h"

/* The session's program id, "manual", or NULL when none runs (a scan alone). */
static const char *session_program_id(const struct context *c)
{
	if (!c->session.active)
		return NULL;
	return c->session.manual ? "manual" : c->session.program.id;
}

/* No force is asked while the rollers are not running a technique; the loop starts
 * afresh from the measured depth when one takes over again. */
static void force_rest(struct context *c)
{
	c->force_target_n = 0;
	roller_step_restart(&c->roller_step);
}

/* As force_rest(), and the loop forgets this person's back along the track: whoever is
 * in the chair next may be someone else (a new session, a scan, an empty seat). */
static void force_forget(struct context *c)
{
	c->force_target_n = 0;
	roller_step_forget(&c->roller_step);
}

/* The seat emptied: the shoulder line was that person's. A profile in use keeps its
 * own: the person who sits down next is that profile's until someone picks another. */
static void forget_shoulder(struct context *c)
{
	if (c->profile[0])
		return;
	c->shoulder_mm = 0;
	c->shoulder_adjust_mm = 0;
}

static void scan_begin(struct context *c, enum chair_state after)
{
	force_forget(c);
	body_scan_init(c->scan.body);
	c->scan.active = true;
	c->scan.phase = SCAN_APPROACH;
	c->scan.then = after;
	c->state = STATE_SCANNING;
	(void)safety_set_output(c, OUTPUT_MOTOR_POWER, true);
	log_event(LOG_INFO, LOG_EVENT_SCAN_STARTED,
		  LOG_FIELDS(.program = session_program_id(c), .profile = session_profile(c)), "Body scan started");
}

static void session_begin(struct context *c)
{
	uint64_t now = context_now(c);

	c->session.active = true;
	c->session.start_usec = now;
	/* a profile's person who wants heat gets it with every session they start */
	if (c->profile[0] && c->heat_wanted)
		c->heat = true;
	c->session.program_pos_usec = 0;
	c->session.elapsed_shown_s = 0;
	c->session.speed_chosen = c->session.width_chosen = false;
	c->session.seat_empty = false;
	c->roller_last_ok_usec = now;
	c->scan.active = false;
	force_forget(c);
	(void)safety_set_output(c, OUTPUT_MOTOR_POWER, true);
	if (c->shoulder_mm == 0)
		scan_begin(c, STATE_RUNNING);
	else
		c->state = STATE_RUNNING;
	(void)session_tick_update(c);
	heaters_update(c);
	context_publish(c);
}

void session_start_program(struct context *c, const struct program *p)
{
	session_end(c, "replaced");
	settings_store_session_start(c);
	c->session.manual = false;
	c->session.program = *p;
	for (unsigned i = 0; i < p->n_steps; i++)
		c->session.base_duration_s[i] = p->steps[i].duration_s;
	focus_apply(&c->session.program, c->focus);
	(void)snprintf(c->last_program, sizeof(c->last_program), "%s", p->id);
	if (p->heat_on_start)
		c->heat = true;
	log_event(LOG_INFO, LOG_EVENT_PROGRAM_STARTED, LOG_FIELDS(.program = p->id, .profile = session_profile(c)),
		  "Program %s started (%u steps, %u s)", p->id, p->n_steps, program_duration_s(p));
	session_begin(c);
}

void session_focus_changed(struct context *c)
{
	struct session *s = &c->session;
	struct program_position pos;
	char words[64];

	if (!s->active || s->manual || !engine_locate(&s->program, s->program_pos_usec, &pos))
		return;
	/* the step runs on at least to the next whole second: Step never goes back */
	focus_reshape(&s->program, s->base_duration_s, c->focus, pos.step,
		      (unsigned)(pos.t_in_step_usec / USEC_PER_SEC) + 1);
	focus_to_words(c->focus, words, sizeof(words));
	log_info("Program %s takes the focus (%s) from step %u on: %u s in all", s->program.id,
		 words[0] ? words : "none", pos.step + 1, program_duration_s(&s->program));
}

void session_start_manual(struct context *c, enum technique t, enum zone z)
{
	session_end(c, "replaced");
	settings_store_session_start(c);
	c->session.manual = true;
	c->session.manual_technique = t;
	c->session.manual_zone = z;
	log_event(LOG_INFO, LOG_EVENT_PROGRAM_STARTED,
		  LOG_FIELDS(.program = "manual", .zone = zone_to_string(z), .profile = session_profile(c)),
		  "Manual %s on %s started", technique_to_string(t), zone_to_string(z));
	session_begin(c);
}

static void park_begin(struct context *c)
{
	c->scan.active = false;
	c->state = STATE_STOPPING;
	(void)session_tick_update(c);
}

void session_end(struct context *c, const char *reason)
{
	const char *id;

	if (!c->session.active)
		return;
	id = session_program_id(c);
	log_event(LOG_INFO, LOG_EVENT_PROGRAM_FINISHED,
		  LOG_FIELDS(.program = id, .reason = reason, .profile = session_profile(c)),
		  "Program %s finished: %s at chair time %.3f s", id, reason, context_now(c) / 1e6);
	events_program_finished(&c->events, id, reason);
	c->session.active = false;
	force_rest(c);
	heaters_off(c, reason, NULL);
	if (strcmp(reason, "seat-empty") == 0)
		forget_shoulder(c); /* the next person is scanned afresh */
	if (strcmp(reason, "fault") != 0 && strcmp(reason, "replaced") != 0)
		park_begin(c);
	context_publish(c);
}

void session_stop(struct context *c)
{
	bool scanning_alone = c->scan.active && !c->session.active;

	if (c->session.active)
		session_end(c, "stopped");
	else /* heat alone (SetTarget, autotune) stops too */
		heaters_off(c, "stopped", "Stop");
	if (scanning_alone)
		park_begin(c);
	context_publish(c);
}

void session_pause(struct context *c)
{
	if (c->state != STATE_RUNNING)
		return;
	c->state = STATE_PAUSED;
	force_rest(c);
	log_event(LOG_INFO, LOG_EVENT_PAUSED,
		  LOG_FIELDS(.program = session_program_id(c), .profile = session_profile(c)), "Paused");
	context_publish(c);
}

void session_resume(struct context *c)
{
	if (c->state != STATE_PAUSED)
		return;
	c->state = STATE_RUNNING;
	c->session.seat_empty = false;
	force_rest(c);
	log_event(LOG_INFO, LOG_EVENT_RESUMED,
		  LOG_FIELDS(.program = session_program_id(c), .profile = session_profile(c)), "Resumed");
	context_publish(c);
}

void session_scan(struct context *c)
{
	if (c->scan.active)
		return;
	if (c->session.active) {
		scan_begin(c, c->state == STATE_PAUSED ? STATE_PAUSED : STATE_RUNNING);
	} else {
		c->roller_last_ok_usec = context_now(c); /* the board's silence counts from now */
		scan_begin(c, STATE_STOPPING);
	}
	(void)session_tick_update(c);
	context_publish(c);
}

void session_seat_changed(struct context *c, bool seated)
{
	c->seated = seated;
	if (seated) {
		/* stays paused: rollers restart only when the person asks (Resume) */
		c->session.seat_empty = false;
		log_info("Seat occupied");
		context_publish(c);
		return;
	}
	log_info("Seat empty");
	if (c->session.active &&
	    (c->state == STATE_RUNNING || c->state == STATE_SCANNING || c->state == STATE_PAUSED)) {
		c->scan.active = false;
		c->state = STATE_PAUSED;
		force_forget(c);
		c->session.seat_empty = true;
		c->session.seat_empty_since_usec = context_now(c);
		log_event(LOG_INFO, LOG_EVENT_SEAT_EMPTY_PAUSE,
			  LOG_FIELDS(.program = session_program_id(c), .profile = session_profile(c)),
			  "Paused: the seat is empty; the program ends unless someone sits down within %u s",
			  c->config.seat_grace_s);
	} else {
		if (c->scan.active)
			park_begin(c);
		forget_shoulder(c); /* whoever sits down next is scanned afresh */
	}
	context_publish(c);
}

void session_check_limits(struct context *c)
{
	uint64_t now = context_now(c);
	const struct session *s = &c->session;

	if (!s->active)
		return;
	if (now - MIN(now, s->start_usec) >=
	    (uint64_t)gentle_session_limit_s(c->session_limit_s, c->gentle) * USEC_PER_SEC)
		session_end(c, "timeout");
	else if (s->seat_empty && now - s->seat_empty_since_usec >= (uint64_t)c->config.seat_grace_s * USEC_PER_SEC)
		session_end(c, "seat-empty");
}
