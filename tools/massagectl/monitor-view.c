/* SPDX-License-Identifier: MIT */
/* The parts of `massagectl monitor` below the status block: the heating pads, the
 * simulated chair (when massaged simulates one) and the chair's recent signals. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "massagectl.h"
#include "roller.h"

#define ROLLER_TRACK_WIDTH 20
#define POWER_BAR_WIDTH 10
#define FORCE_BAR_WIDTH 10
/* With no target the bar is full at the firmest intensity's force */
#define FORCE_BAR_FULL_N 100.0
/* "42.5 °C" */
#define TARGET_COLUMNS 7
/* "  HH:MM:SS  +mm:ss  " before each event's text */
#define EVENT_PREFIX_COLUMNS 21

void simulator_view_done(struct simulator_view *v)
{
	strv_free(v->active_outputs);
	*v = (struct simulator_view) {};
}

static int read_active_outputs(sd_bus_message *reply, char ***ret)
{
	_cleanup_strv_free_ char **active = NULL;
	const char *name;
	size_t n = 0;
	int on, r;

	r = sd_bus_message_enter_container(reply, 'a', "{sb}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_read(reply, "{sb}", &name, &on)) > 0) {
		char **grown;

		if (!on)
			continue;
		grown = realloc(active, (n + 2) * sizeof(char *));
		if (!grown)
			return -ENOMEM;
		active = grown;
		active[n] = strdup(name);
		active[n + 1] = NULL;
		if (!active[n])
			return -ENOMEM;
		n++;
	}
	if (r < 0)
		return r;
	r = sd_bus_message_exit_container(reply);
	if (r < 0)
		return r;
	strv_free(*ret);
	*ret = active;
	active = NULL;
	return 0;
}

static int read_simulator_property(sd_bus_message *reply, const char *name, struct simulator_view *v)
{
	int r;

	if (strcmp(name, "RollerPosition") == 0 && sd_bus_message_enter_container(reply, 'v', "u") > 0)
		r = sd_bus_message_read_basic(reply, 'u', &v->roller_position);
	else if (strcmp(name, "Outputs") == 0 && sd_bus_message_enter_container(reply, 'v', "a{sb}") > 0)
		r = read_active_outputs(reply, &v->active_outputs);
	else
		return sd_bus_message_skip(reply, "v");
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(reply);
}

int simulator_view_read(struct simulator_view *v, sd_bus_message *reply)
{
	const char *name;
	int r;

	r = sd_bus_message_enter_container(reply, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		r = sd_bus_message_read_basic(reply, 's', &name);
		if (r >= 0)
			r = read_simulator_property(reply, name, v);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r < 0)
			return r;
	}
	return r < 0 ? r : sd_bus_message_exit_container(reply);
}

/* The roller's height as a mark on the track from the seat to the top. */
void simulator_view_render(FILE *f, const struct simulator_view *v)
{
	uint32_t position = MIN(v->roller_position, (uint32_t)ROLLER_TRAVEL_MAX_MM);
	size_t at = (size_t)position * (ROLLER_TRACK_WIDTH - 1) / ROLLER_TRAVEL_MAX_MM;
	char track[ROLLER_TRACK_WIDTH + 1];

	memset(track, '-', ROLLER_TRACK_WIDTH);
	track[at] = 'o';
	track[ROLLER_TRACK_WIDTH] = '\0';
	(void)fprintf(f, "\n%11s seat [%s] top  %" PRIu32 " mm (simulated)\n", "Roller:", track, v->roller_position);

	(void)fprintf(f, "%11s ", "Outputs:");
	if (!v->active_outputs || !v->active_outputs[0])
		(void)fputs("none active", f);
	for (char **o = v->active_outputs; o && *o; o++)
		(void)fprintf(f, "%s%s", o == v->active_outputs ? "" : " ", *o);
	(void)fputc('\n', f);
}

/* "neck   41.8 °C → 42 °C    [####------]  38 %  holding", a line per pad. */
void heater_view_render(FILE *f, const struct heater_list *l, bool colour)
{
	size_t zone_columns = 0;

	for (size_t i = 0; i < l->n; i++)
		zone_columns = MAX(zone_columns, text_columns(l->items[i].zone, strlen(l->items[i].zone)));
	for (size_t i = 0; i < l->n; i++) {
		const struct heater *h = &l->items[i];
		unsigned power = fraction_percent(h->power);
		size_t filled = power * POWER_BAR_WIDTH / 100;
		char bar[POWER_BAR_WIDTH + 1], target[CELSIUS_MAX], state[CELSIUS_MAX], since[WALL_TIME_MAX];
		bool locked = h->lockout && *h->lockout;
		bool fault = colour && ((h->state && strcmp(h->state, "fault") == 0) || locked);

		memset(bar, '#', filled);
		memset(bar + filled, '-', POWER_BAR_WIDTH - filled);
		bar[POWER_BAR_WIDTH] = '\0';
		(void)fprintf(f, i == 0 ? "\n%11s " : "%11s ", i == 0 ? "Pads:" : "");
		fputs_padded(f, h->zone, zone_columns);
		(void)fprintf(f, " %5.1f °C → ", h->temperature);
		fputs_padded(f, format_target(target, h->target), TARGET_COLUMNS);
		(void)fprintf(f, "  [%s] %3u%%  %s%s%s%s%s\n", bar, power, fault ? "\033[0;31m" : "",
			      format_heater_state(state, h), locked ? " since " : "",
			      locked ? format_wall_time(since, h->lockout_since) : "", fault ? "\033[0m" : "");
	}
}

void force_view_render(FILE *f, const struct chair_status *s)
{
	double full = s->force_target > 0.0 ? s->force_target : FORCE_BAR_FULL_N;
	size_t filled = (size_t)CLAMP(s->force / full * FORCE_BAR_WIDTH + 0.5, 0.0, (double)FORCE_BAR_WIDTH);
	char bar[FORCE_BAR_WIDTH + 1];

	memset(bar, '#', filled);
	memset(bar + filled, '-', FORCE_BAR_WIDTH - filled);
	bar[FORCE_BAR_WIDTH] = '\0';
	(void)fprintf(f, "%11s %.0f N", "Force:", s->force);
	if (s->force_target > 0.0)
		(void)fprintf(f, " / %.0f N", s->force_target);
	(void)fprintf(f, "  [%s]\n", bar);
}

void event_history_done(struct event_history *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->events[i].text);
	*h = (struct event_history) {};
}

void event_history_add(struct event_history *h, char *text, uint32_t session_elapsed, bool in_session)
{
	struct chair_event *e;
	time_t now = time(NULL);
	struct tm tm;

	if (h->n == EVENT_HISTORY) {
		free(h->events[0].text);
		memmove(h->events, h->events + 1, (EVENT_HISTORY - 1) * sizeof(h->events[0]));
		h->n--;
	}
	e = &h->events[h->n++];
	*e = (struct chair_event) {
		.text = text,
		.session_elapsed = session_elapsed,
		.in_session = in_session,
	};
	if (!localtime_r(&now, &tm) || strftime(e->wall_time, sizeof(e->wall_time), "%H:%M:%S", &tm) == 0)
		(void)strcpy(e->wall_time, "--:--:--");
}

/* Writes text cut to at most max_columns columns (0: no limit), marking the cut. */
static void print_cut(FILE *f, const char *text, size_t max_columns)
{
	size_t len = strlen(text), end = 0, columns = 0;

	if (max_columns == 0 || text_columns(text, len) <= max_columns) {
		(void)fputs(text, f);
		return;
	}
	/* Keep whole UTF-8 characters and leave a column for the ellipsis. */
	while (end < len) {
		size_t next = end + 1;

		while (next < len && ((unsigned char)text[next] & 0xc0) == 0x80)
			next++;
		if (columns + 1 >= max_columns)
			break;
		columns++;
		end = next;
	}
	(void)fwrite(text, 1, end, f);
	(void)fputs("…", f);
}

void event_history_render(FILE *f, const struct event_history *h, size_t width)
{
	size_t text_width = width > EVENT_PREFIX_COLUMNS + 10 ? width - EVENT_PREFIX_COLUMNS - 1 : 0;
	char elapsed[DURATION_MAX + 1];

	(void)fputs("\nRecent events:\n", f);
	if (h->n == 0)
		(void)fputs("  none yet\n", f);
	for (size_t i = 0; i < h->n; i++) {
		const struct chair_event *e = &h->events[i];

		elapsed[0] = '\0';
		if (e->in_session) {
			elapsed[0] = '+';
			(void)format_duration(elapsed + 1, e->session_elapsed);
		}
		(void)fprintf(f, "  %s %8s  ", e->wall_time, elapsed);
		print_cut(f, e->text, text_width);
		(void)fputc('\n', f);
	}
}
