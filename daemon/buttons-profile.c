/* SPDX-License-Identifier: MIT */
/* Picking a profile with the remote: POWER held while idle steps through the profiles in
 * sorted order, then none, then around; the LED blinks the number of the profile picked
 * (docs/hardware.md, Remote buttons). The LED is the fault light too: a fault stops the
 * pattern and keeps the LED for itself. */
#include <stdio.h>
#include <string.h>

#include "buttons.h"
#include "faults.h"
#include "log.h"
#include "profile-store.h"
#include "safety.h"

#define BLINK_ON_USEC (400 * USEC_PER_MSEC)
#define BLINK_OFF_USEC (400 * USEC_PER_MSEC)
/* none: one light long enough not to be taken for profile 1 */
#define BLINK_NONE_USEC (2 * USEC_PER_SEC)

static int on_blink(sd_event_source *s, uint64_t usec, void *userdata);

static int led_set(struct context *c, bool on)
{
	c->remote.led_on = on;
	return safety_set_output(c, OUTPUT_LED, on);
}

void remote_blink_stop(struct context *c)
{
	c->remote.blink_changes_left = 0;
	(void)context_disarm_tick(c, c->remote.blink_source);
	if (c->remote.led_on && !faults_any(c))
		(void)led_set(c, false);
	c->remote.led_on = false;
}

static int blink_arm(struct context *c)
{
	return context_arm_tick(c, &c->remote.blink_source, c->remote.led_on ? c->remote.blink_on_usec : BLINK_OFF_USEC,
				on_blink, "remote LED");
}

static int on_blink(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct context *c = userdata;

	if (faults_any(c)) { /* the fault's light wins */
		c->remote.led_on = false;
		c->remote.blink_changes_left = 0;
		return 0;
	}
	if (c->remote.blink_changes_left == 0) {
		remote_blink_stop(c);
		return 0;
	}
	c->remote.blink_changes_left--;
	(void)led_set(c, !c->remote.led_on);
	return blink_arm(c);
}

int remote_blink(struct context *c, unsigned number)
{
	remote_blink_stop(c);
	if (faults_any(c))
		return 0;
	c->remote.blink_on_usec = number == 0 ? BLINK_NONE_USEC : BLINK_ON_USEC;
	/* on, then off and on again for each further blink, and off at the end */
	c->remote.blink_changes_left = number == 0 ? 1 : 2 * number - 1;
	(void)led_set(c, true);
	return blink_arm(c);
}

/* The profile after the one in use, in `names` (sorted, '\n' after each): its 1-based
 * number and name, or 0 and "" for none. */
static unsigned next_in(const char *names, const char *in_use, char *ret, size_t size)
{
	bool take_next = !in_use[0];
	unsigned number = 0;

	for (const char *p = names; *p;) {
		size_t len = strcspn(p, "\n");

		number++;
		if (take_next) {
			(void)snprintf(ret, size, "%.*s", (int)len, p);
			return number;
		}
		take_next = strlen(in_use) == len && strncmp(p, in_use, len) == 0;
		p += len;
		if (*p == '\n')
			p++;
	}
	ret[0] = '\0';
	return 0;
}

const char *remote_program(const struct context *c)
{
	const struct profile_list *s = &c->profile_store.list;

	for (unsigned i = 0; c->profile[0] && i < s->n; i++)
		if (strcmp(s->profiles[i].name, c->profile) == 0 && s->profiles[i].favourite[0])
			return s->profiles[i].favourite;
	return c->last_program[0] ? c->last_program : c->config.default_program;
}

void remote_next_profile(struct context *c)
{
	char names[PROFILES_MAX * PROFILE_NAME_MAX + PROFILES_MAX + 1], next[PROFILE_NAME_MAX];
	struct refusal why = {};
	unsigned number;
	int r;

	profile_store_names(c, names, sizeof(names));
	if (!names[0]) {
		log_notice("Remote power held: there are no profiles to choose from");
		(void)remote_blink(c, 0);
		return;
	}
	number = next_in(names, c->profile, next, sizeof(next));
	if (number == 0) {
		profile_store_use_none(c);
		log_info("Remote: no profile in use; the LED lights once, long");
	} else {
		r = profile_store_use(c, next, &why);
		if (r < 0) {
			log_notice("Remote: profile %s not applied: %s", next,
				   why.message[0] ? why.message : strerror(-r));
			return;
		}
		log_info("Remote: profile %s in use; the LED blinks %u time%s", next, number, number == 1 ? "" : "s");
	}
	(void)remote_blink(c, number);
}
