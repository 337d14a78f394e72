/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "chair-types.h"
#include "macro.h"
#include "massagectl.h"

#define PROGRESS_BAR_WIDTH 20

#define ANSI_GREEN "\033[0;32m"
#define ANSI_RED "\033[0;31m"
#define ANSI_NORMAL "\033[0m"

/* Labels right-aligned like systemctl status's, values in one column. */
#define FIELD "%11s "
#define FIELD_COLUMNS 12
/* Lists of values (the pads) wrap before this column. */
#define STATUS_WIDTH 80

static bool isempty(const char *s)
{
	return !s || !*s;
}

static bool streq_ptr(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static bool state_is_active(const char *state)
{
	static const char *const active[] = { "scanning", "running", "paused", "stopping" };

	for (size_t i = 0; i < ELEMENTSOF(active); i++)
		if (streq_ptr(state, active[i]))
			return true;
	return false;
}

/* Like systemctl: a filled bullet for a session or a fault, green or red on a
 * terminal; a hollow one when idle. */
static void render_header(FILE *f, const struct chair_status *s, bool colour)
{
	const char *colour_on = "", *bullet = "○";

	if (streq_ptr(s->state, "fault")) {
		bullet = "●";
		colour_on = ANSI_RED;
	} else if (state_is_active(s->state)) {
		bullet = "●";
		colour_on = ANSI_GREEN;
	}
	if (!colour || !*colour_on)
		(void)fprintf(f, "%s massage chair: %s\n", bullet, isempty(s->state) ? "unknown" : s->state);
	else
		(void)fprintf(f, "%s%s%s massage chair: %s\n", colour_on, bullet, ANSI_NORMAL, s->state);
}

/* Who is in the chair: only from a daemon that has profiles. */
static void render_profile(FILE *f, const struct chair_status *s)
{
	if (s->profile)
		(void)fprintf(f, FIELD "%s\n", "Profile:", *s->profile ? s->profile : "none");
}

/* Gentle mode and the areas of concern: each only from a daemon that has it. */
static void render_person(FILE *f, const struct chair_status *s)
{
	if (s->gentle != SEEN_BOOL_ABSENT)
		(void)fprintf(f, FIELD "%s\n", "Gentle:", s->gentle == SEEN_BOOL_TRUE ? "on" : "off");
	if (!s->focus)
		return;
	(void)fprintf(f, FIELD, "Focus:");
	if (!s->focus[0])
		(void)fputs("none", f);
	for (char **zone = s->focus; *zone; zone++)
		(void)fprintf(f, "%s%s", zone == s->focus ? "" : ", ", *zone);
	(void)fputc('\n', f);
}

static void render_program(FILE *f, const struct chair_status *s, const char *title)
{
	(void)fprintf(f, FIELD, "Program:");
	if (isempty(s->program)) {
		(void)fputs("none\n", f);
		return;
	}
	(void)fputs(s->program, f);
	if (!isempty(title) && strcmp(title, s->program) != 0)
		(void)fprintf(f, " - %s", title);
	if (s->step_count > 0)
		(void)fprintf(f, " (step %" PRIu32 "/%" PRIu32 ")", s->step, s->step_count);
	(void)fputc('\n', f);
}

static void render_doing(FILE *f, const struct chair_status *s)
{
	(void)fprintf(f, FIELD, "Doing:");
	if (!isempty(s->technique) && !isempty(s->zone))
		(void)fprintf(f, "%s on %s\n", s->technique, s->zone);
	else if (!isempty(s->technique) || !isempty(s->zone))
		(void)fprintf(f, "%s\n", isempty(s->technique) ? s->zone : s->technique);
	else if (streq_ptr(s->state, "scanning"))
		(void)fputs("body scan\n", f);
	else
		(void)fputs("nothing\n", f);
}

static void render_progress(FILE *f, const struct chair_status *s)
{
	char bar[PROGRESS_BAR_WIDTH + 1], progress[PROGRESS_MAX];
	unsigned percent;
	size_t filled;

	(void)fprintf(f, FIELD, "Progress:");
	if (!*format_progress(progress, s->elapsed, s->remaining, &percent)) {
		(void)fputs("no session\n", f);
		return;
	}
	filled = (size_t)percent * PROGRESS_BAR_WIDTH / 100;
	memset(bar, '#', filled);
	memset(bar + filled, '-', PROGRESS_BAR_WIDTH - filled);
	bar[PROGRESS_BAR_WIDTH] = '\0';
	(void)fprintf(f, "[%s] %3u%%  %s\n", bar, percent, progress);
}

static void render_levels(FILE *f, const struct chair_status *s)
{
	(void)fprintf(f, FIELD "intensity %" PRIu32 "/%d, speed %" PRIu32 "/%d, width %s, heat %s\n",
		      "Levels:", s->intensity, INTENSITY_MAX, s->speed, SPEED_MAX, isempty(s->width) ? "-" : s->width,
		      s->heat ? "on" : "off");
}

/* "58.2 N (target 60.0 N)" */
static void render_force(FILE *f, const struct chair_status *s)
{
	(void)fprintf(f, FIELD "%.1f N", "Force:", s->force);
	if (s->force_target > 0.0)
		(void)fprintf(f, " (target %.1f N)", s->force_target);
	(void)fputc('\n', f);
}

/* The zones pressed firmer or lighter than the intensity; nothing when none is. */
static void render_pressure(FILE *f, const struct chair_status *s)
{
	char pressure[128];

	format_zone_pressure(pressure, sizeof(pressure), s->zone_pressure);
	if (pressure[0])
		(void)fprintf(f, FIELD "%s\n", "Pressure:", pressure);
}

/* "neck 41.8/42 °C 38 %": reading, target and power; else what keeps it from heating. */
static void format_heater_brief(char *buf, size_t size, const struct heater *h)
{
	char temperature[CELSIUS_MAX], state[CELSIUS_MAX], since[WALL_TIME_MAX];
	size_t len;

	(void)snprintf(buf, size, "%s %.1f", h->zone, h->temperature);
	len = strlen(buf);
	if (h->state && (strcmp(h->state, "heating") == 0 || strcmp(h->state, "holding") == 0))
		(void)snprintf(buf + len, size - len, "/%s %u%%", format_celsius(temperature, h->target),
			       fraction_percent(h->power));
	else
		(void)snprintf(buf + len, size - len, " °C %s", format_heater_state(state, h));
	len = strlen(buf);
	if (h->lockout && *h->lockout)
		(void)snprintf(buf + len, size - len, " since %s", format_wall_time(since, h->lockout_since));
}

static void render_heaters(FILE *f, const struct heater_list *l)
{
	size_t column = FIELD_COLUMNS;

	if (!l || l->n == 0)
		return;
	(void)fprintf(f, FIELD, "Heat:");
	for (size_t i = 0; i < l->n; i++) {
		char entry[128];
		size_t columns;

		format_heater_brief(entry, sizeof(entry), &l->items[i]);
		columns = text_columns(entry, strlen(entry));
		if (i > 0 && column + 2 + columns > STATUS_WIDTH) {
			(void)fprintf(f, ",\n%*s", FIELD_COLUMNS, "");
			column = FIELD_COLUMNS;
		} else if (i > 0) {
			(void)fputs(", ", f);
			column += 2;
		}
		(void)fputs(entry, f);
		column += columns;
	}
	(void)fputc('\n', f);
}

static void render_timer(FILE *f, const struct chair_status *s)
{
	char limit[DURATION_MAX];

	if (s->session_limit % 60 == 0)
		(void)fprintf(f, FIELD "%" PRIu32 " min session limit\n", "Timer:", s->session_limit / 60);
	else
		(void)fprintf(f, FIELD "%s session limit\n", "Timer:", format_duration(limit, s->session_limit));
}

static void render_shoulder(FILE *f, const struct chair_status *s)
{
	if (s->shoulder_height == 0)
		(void)fprintf(f, FIELD "not scanned\n", "Shoulder:");
	else
		(void)fprintf(f, FIELD "%" PRIu32 " mm\n", "Shoulder:", s->shoulder_height);
}

static void render_faults(FILE *f, const struct chair_status *s, bool colour)
{
	(void)fprintf(f, FIELD, "Faults:");
	if (!s->faults || !s->faults[0]) {
		(void)fputs("none\n", f);
		return;
	}
	if (colour)
		(void)fputs(ANSI_RED, f);
	for (char **fault = s->faults; *fault; fault++)
		(void)fprintf(f, "%s%s", fault == s->faults ? "" : ", ", *fault);
	if (colour)
		(void)fputs(ANSI_NORMAL, f);
	(void)fputc('\n', f);
}

void status_render(FILE *f, const struct chair_status *s, const char *program_title, const struct heater_list *heaters,
		   bool colour)
{
	render_header(f, s, colour);
	render_profile(f, s);
	render_program(f, s, program_title);
	render_doing(f, s);
	render_progress(f, s);
	render_levels(f, s);
	/* the monitor (no heaters given) draws the pads and the force as bars of its own */
	if (heaters)
		render_force(f, s);
	render_pressure(f, s);
	render_person(f, s);
	render_heaters(f, heaters);
	render_timer(f, s);
	render_shoulder(f, s);
	(void)fprintf(f, FIELD "%s\n", "Seated:", s->seated ? "yes" : "no");
	render_faults(f, s, colour);
}

/* The running program's title, or NULL: `status` still shows the id without it. */
static char *program_title_lookup(sd_bus *bus, const char *id)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(program_list_done) struct program_list programs = {};
	const struct program *p;

	if (isempty(id) || strcmp(id, "manual") == 0)
		return NULL;
	if (program_list_fetch(bus, &error, &programs) < 0)
		return NULL;
	p = program_list_find(&programs, id);
	return p ? strdup(p->title) : NULL;
}

int verb_status(struct ctl *ctl, char **args)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(chair_status_done) struct chair_status status = {};
	_cleanup_(heater_list_done) struct heater_list heaters = {};
	_cleanup_free_ char *title = NULL;
	int r;

	r = sd_bus_call_method(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, PROPERTIES_INTERFACE, "GetAll", &error, &reply, "s",
			       CHAIR_INTERFACE);
	if (r >= 0)
		r = chair_status_update(&status, reply);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);

	r = EXIT_SUCCESS;
	title = program_title_lookup(ctl->bus, status.program);
	/* The pads are a line of their own: without them (or an answer) `status` shows the rest. */
	(void)heater_list_fetch(ctl->bus, NULL, &heaters);
	if (ctl->json)
		r = json_print(ctl, json_chair_status(&status, title, &heaters));
	else
		status_render(stdout, &status, title, &heaters, ctl->colour);
	if (r == EXIT_SUCCESS && streq_ptr(status.state, "fault"))
		return EXIT_FAULT; /* scripts tell a chair in fault from a healthy one */
	return r;
}
