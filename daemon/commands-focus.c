/* SPDX-License-Identifier: MIT */
/* SetFocus and StartFocus: their checks, and the session they change or start. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands-focus.h"
#include "commands.h"
#include "focus.h"
#include "log.h"
#include "quote.h"
#include "session.h"

int chair_set_focus(struct context *c, char *const *zones, struct refusal *why)
{
	char q[QUOTE_BUF_SIZE], words[64];
	unsigned focus = 0, bits;

	for (char *const *z = zones; z && *z; z++) {
		bits = focus_zone_bits(zone_from_string(*z));
		if (bits == 0)
			return refuse(why, REFUSAL_INVALID_ARGS,
				      "Unknown zone '%s': use neck, shoulders, upper-back, lower-back or back (both "
				      "back zones); an empty list clears the focus.",
				      quote_value(*z, q));
		focus |= bits;
	}
	if (focus == c->focus)
		return 0;
	c->focus = focus;
	focus_to_words(focus, words, sizeof(words));
	log_info("Focus %s%s", words[0] ? "on: " : "cleared", words);
	session_focus_changed(c);
	context_publish(c);
	return 0;
}

int chair_start_focus(struct context *c, const char *zone, unsigned minutes, struct refusal *why)
{
	char q[QUOTE_BUF_SIZE], last[sizeof(c->last_program)];
	enum zone z = zone_from_string(zone);
	unsigned limit_min = c->session_limit_s / 60;
	struct program p;
	int r;

	if (z == ZONE_BACK)
		return refuse(why, REFUSAL_INVALID_ARGS,
			      "'back' is two zones and a focus session works one: use upper-back or lower-back.");
	if (z == ZONE_INVALID)
		return refuse(why, REFUSAL_INVALID_ARGS,
			      "Unknown zone '%s': use neck, shoulders, upper-back or lower-back.",
			      quote_value(zone, q));
	if (minutes < FOCUS_MINUTES_MIN || minutes > FOCUS_MINUTES_MAX)
		return refuse(why, REFUSAL_INVALID_ARGS, "A focus session lasts %u to %u minutes, not %u.",
			      FOCUS_MINUTES_MIN, FOCUS_MINUTES_MAX, minutes);
	if (minutes > limit_min)
		return refuse(why, REFUSAL_INVALID_ARGS,
			      "A focus session of %u min is longer than the session limit of %u min: choose at most "
			      "%u minutes, or set a longer timer first.",
			      minutes, limit_min, limit_min);
	r = chair_check_start(c, why);
	if (r < 0)
		return r;
	r = focus_compose(z, minutes, &p);
	if (r < 0)
		return r; /* checked above: not reached */
	/* POWER restarts the last program from the library: a composed one is not there */
	memcpy(last, c->last_program, sizeof(last));
	session_start_program(c, &p);
	memcpy(c->last_program, last, sizeof(last));
	return 0;
}
