/* SPDX-License-Identifier: MIT */
/* Fault episodes: each kind of fault Simulator1 can cause, injected where its rule is
 * certain to trip (docs/safety-rules.md; test-heat.c and test-session.c inject them the same
 * way), followed to FaultRaised, the safe state, refusals while it holds, removal and
 * ClearFault. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soak.h"

enum precondition {
	PRE_NONE,    /* trips in any state */
	PRE_SESSION, /* needs the control tick: a session (or scan) under way */
	PRE_HEAT,    /* needs the heat tick: a pad heating */
	PRE_HOLD,    /* needs the pad holding its target: the rule watches the heat it gets */
};

static const struct fault_kind {
	const char *inject; /* InjectFault's name; "ZONE" is replaced; NULL: SetPadTemperature */
	const char *code;   /* the fault expected; "ZONE" is replaced */
	enum precondition pre;
	double within_s; /* chair seconds from injection to FaultRaised, with margin */
	bool persists;   /* ClearFault refused while injected */
	bool zoned;
	bool locks; /* a broken part: the pad stays locked out until ResetLockout */
} kinds[] = {
	{ "estop", "estop", PRE_NONE, 1, true, false, false },
	{ "roller-offline", "roller-offline", PRE_SESSION, 3, true, false, false },
	{ "roller-pinch", "roller-fault", PRE_SESSION, 3, true, false, false },
	{ "temp-module-offline", "temp-module-offline", PRE_HEAT, 5, true, false, false },
	/* the load cell reads past its range, over any ForceMax, however far the rollers
	 * retract; ClearFault is accepted while it lasts (over-force may be a tensing person) */
	{ "load-cell-saturated", "over-force", PRE_SESSION, 3, false, false, false },
	{ "sensor-open:", "sensor:", PRE_HEAT, 3, true, true, false },
	{ "sensor-short:", "sensor:", PRE_HEAT, 3, true, true, false },
	/* off a holding stone the reading jumps to the room's */
	{ "sensor-detached:", "sensor:", PRE_HOLD, 3, false, true, true },
	/* runaway needs 20 s of high duty without a rise, after the 30 s duty average */
	{ "heater-dead:", "runaway:", PRE_HOLD, 300, false, true, true },
	{ "heater-stuck:", "heater-stuck:", PRE_HOLD, 300, false, true, true },
	{ NULL, "overtemp:", PRE_HEAT, 60, false, true, true },
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))
/* every kind, every zone for the zoned ones */
#define N_PLAIN 5
#define N_VARIANTS (N_PLAIN + 6 * N_PADS)

static unsigned order[N_VARIANTS], next_variant = N_VARIANTS;

static void shuffle(struct soak *s)
{
	for (unsigned i = 0; i < N_VARIANTS; i++)
		order[i] = i;
	for (unsigned i = N_VARIANTS - 1; i > 0; i--) {
		unsigned j = soak_uniform(s, i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	next_variant = 0;
}

static void variant(unsigned v, const struct fault_kind **kind, int *pad)
{
	if (v < N_PLAIN) {
		*kind = &kinds[v];
		*pad = -1;
		return;
	}
	*kind = &kinds[N_PLAIN + (v - N_PLAIN) / N_PADS];
	*pad = (int)((v - N_PLAIN) % N_PADS);
}

static const char *zoned(const char *prefix, int pad, char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s%s", prefix, pad >= 0 ? pad_zones[pad] : "");
	return buf;
}

static bool is_running(struct soak *s)
{
	return strcmp(s->state, "running") == 0 || strcmp(s->state, "scanning") == 0;
}

static int wait_pad;
static bool pad_holding(struct soak *s)
{
	return strcmp(soak_get(s, pad_paths[wait_pad], HEATER_IFACE, "State"), "holding") == 0;
}

static bool pad_heating(struct soak *s)
{
	const char *st = soak_get(s, pad_paths[wait_pad], HEATER_IFACE, "State");

	return strcmp(st, "heating") == 0 || strcmp(st, "holding") == 0;
}

static bool is_fault(struct soak *s)
{
	soak_get(s, CHAIR_PATH, CHAIR_IFACE, "State");
	return strcmp(s->state, "fault") == 0;
}

static bool is_idle(struct soak *s)
{
	soak_get(s, CHAIR_PATH, CHAIR_IFACE, "State");
	return strcmp(s->state, "idle") == 0;
}

static const char *expected_code;
static bool expected_raised(struct soak *s)
{
	for (unsigned i = 0; i < s->n_raised; i++)
		if (strcmp(s->raised[i], expected_code) == 0)
			return true;
	return false;
}

static void start_manual(struct soak *s)
{
	static const char *const techniques[] = { "knead", "tap", "glide", "shiatsu", "friction", "press", "deep" };
	static const char *const zones[] = { "neck", "shoulders", "upper-back", "lower-back", "back" };

	CHAIR(s, "SetTimer", NULL, NULL, "u", 30);
	if (CHAIR(s, "StartManual", NULL, NULL, "ss", techniques[soak_uniform(s, 7)], zones[soak_uniform(s, 5)]) == 0) {
		s->session_start_us = soak_chair_now(s);
		s->limit_max = 1800;
	}
}

/* Bring the chair where the fault's rule is certain to trip. */
static bool establish(struct soak *s, const struct fault_kind *k, int pad)
{
	int heat_pad = pad >= 0 ? pad : (int)soak_uniform(s, N_PADS);

	switch (k->pre) {
	case PRE_NONE:
		return true;
	case PRE_SESSION:
		if (!is_running(s) && strcmp(s->state, "paused") != 0)
			start_manual(s);
		return true;
	case PRE_HEAT:
	case PRE_HOLD:
		/* a session's end would turn the pad off: none, or a manual one that outlasts us */
		if (soak_uniform(s, 2))
			CHAIR(s, "Stop", NULL, NULL, "");
		else
			start_manual(s);
		if (soak_call(s, pad_paths[heat_pad], HEATER_IFACE, "SetTarget", NULL, NULL, "d", 42.0) < 0)
			return false;
		wait_pad = heat_pad;
		if (k->pre == PRE_HEAT)
			return soak_wait(s, 5, pad_heating);
		return soak_wait(s, 1500, pad_holding);
	}
	return false;
}

static void refusals_while_faulted(struct soak *s, const struct fault_kind *k)
{
	CHAIR(s, "Start", CHAIR_ERROR("Faulted"), NULL, "s", s->programs[soak_uniform(s, s->n_programs)]);
	CHAIR(s, "StartManual", CHAIR_ERROR("Faulted"), NULL, "ss", "knead", "neck");
	CHAIR(s, "Scan", CHAIR_ERROR("Faulted"), NULL, "");
	CHAIR(s, "SetHeat", CHAIR_ERROR("Faulted"), NULL, "b", 1);
	soak_call(s, pad_paths[soak_uniform(s, N_PADS)], HEATER_IFACE, "SetTarget", CHAIR_ERROR("Faulted"), NULL, "d",
		  40.0);
	if (k->persists)
		CHAIR(s, "ClearFault", CHAIR_ERROR("FaultActive"), NULL, "");
	/* harmless traffic goes on */
	CHAIR(s, "SetIntensity", NULL, NULL, "u", 1 + soak_uniform(s, 5));
	CHAIR(s, "Stop", NULL, NULL, "");
}

static void inject(struct soak *s, const struct fault_kind *k, int pad, bool on)
{
	char name[64];

	if (strcmp(k->code, "estop") == 0)
		SIM(s, "SetEmergencyStop", "b", on);
	else if (k->inject)
		SIM(s, "InjectFault", "sb", zoned(k->inject, pad, name, sizeof(name)), on);
	else if (on) {
		s->overtemp_pad[pad] = true;
		SIM(s, "SetPadTemperature", "sd", pad_zones[pad], soak_uniform_d(s, OVERTEMP_TRIP_C + 1.0, 52.0));
	}
	/* the hot thing is taken away: the stone cools by itself. (Setting it to 40 °C
	 * would leave it colder than its element, which then warms it with the relay off:
	 * what heater-stuck rightly reports.) */
}

/* ClearFault until it is accepted; then FaultCleared for every code raised. */
static void clear_all(struct soak *s, const char *why)
{
	uint64_t end = soak_chair_now(s) + 1800ULL * 1000000ULL; /* a hot stone cools */

	s->n_cleared = 0;
	while (CHAIR(s, "ClearFault", "ANY", CHAIR_ERROR("FaultActive"), "") < 0) {
		if (soak_chair_now(s) > end) {
			soak_violation(s, "ClearFault still refused 30 min after %s was removed", why);
			return;
		}
		soak_pump(s, soak_wall_ms(s, 2));
	}
	if (!soak_wait(s, 5, is_idle))
		soak_violation(s, "State %s after ClearFault (%s)", s->state, why);
	soak_pump(s, 5);
	for (unsigned i = 0; i < s->n_raised; i++) {
		bool cleared = false;

		for (unsigned j = 0; j < s->n_cleared && !cleared; j++)
			cleared = strcmp(s->raised[i], s->cleared[j]) == 0;
		if (!cleared)
			soak_violation(s, "no FaultCleared(%s) after ClearFault (%s)", s->raised[i], why);
	}
	if (soak_sim_dict(s, "Outputs", "LED") != 0.0)
		soak_violation(s, "the LED still shows a fault after ClearFault (%s)", why);
}

/* A broken part locked its pad out (a welded relay: every pad): ClearFault left it so;
 * the part "repaired" (the injection removed), root ends the lockout. */
static void service(struct soak *s, const char *code)
{
	bool locked = false;

	for (unsigned i = 0; i < N_PADS; i++) {
		const char *lockout = soak_get(s, pad_paths[i], HEATER_IFACE, "Lockout");

		if (!*lockout)
			continue;
		locked |= strcmp(lockout, code) == 0;
		if (strcmp(lockout, code) != 0 && !strstr(code, "heater-stuck:"))
			soak_violation(s, "the %s pad locked out by %s after %s", pad_zones[i], lockout, code);
	}
	if (!locked) {
		soak_violation(s, "%s did not lock its pad out", code);
		return;
	}
	for (unsigned i = 0; i < N_PADS; i++)
		if (strcmp(soak_get(s, pad_paths[i], HEATER_IFACE, "Lockout"), code) == 0 &&
		    (strstr(code, "heater-stuck:") == NULL || strstr(code, pad_zones[i])))
			(void)soak_call(s, pad_paths[i], HEATER_IFACE, "ResetLockout", NULL, NULL, "");
	for (unsigned i = 0; i < N_PADS; i++)
		if (*soak_get(s, pad_paths[i], HEATER_IFACE, "Lockout"))
			soak_violation(s, "the %s pad still locked out after ResetLockout (%s)", pad_zones[i], code);
}

void soak_fault_episode(struct soak *s)
{
	const struct fault_kind *k;
	char code[48], what[64];
	uint64_t injected;
	int pad;

	if (next_variant >= N_VARIANTS)
		shuffle(s);
	variant(order[next_variant++], &k, &pad);
	zoned(k->code, pad, code, sizeof(code));
	(void)snprintf(what, sizeof(what), "%s%s", k->inject ? k->inject : "overtemp:",
		       k->inject && !k->zoned ? "" : pad_zones[pad >= 0 ? pad : 0]);
	s->episodes++;
	s->in_episode = true;
	s->scan_clean = false;
	if (!s->seated) {
		SIM(s, "SetSeated", "b", 1);
		s->seated = true;
		s->seat_return_us = 0;
	}
	if (!establish(s, k, pad)) {
		soak_violation(s, "could not set up %s: the pad never heated or held", what);
		s->in_episode = false;
		return;
	}
	if (s->verbose)
		fprintf(stderr, "soak: %.2f h: inject %s (state %s), expect %s\n", (double)soak_chair_now(s) / 3.6e9,
			what, s->state, code);
	s->n_raised = 0;
	soak_code(s, code)->injected++;
	injected = soak_chair_now(s);
	inject(s, k, pad, true);
	expected_code = code;
	if (!soak_wait(s, k->within_s, expected_raised)) {
		soak_violation(s, "%s injected in State %s: no FaultRaised(%s) within %.0f s of chair time", what,
			       s->state, code, k->within_s);
	} else {
		if (!soak_wait(s, 2, is_fault))
			soak_violation(s, "FaultRaised(%s) but State %s", code, s->state);
		soak_check_outputs_safe(s, code);
		if (!strstr(soak_get(s, CHAIR_PATH, CHAIR_IFACE, "Faults"), code))
			soak_violation(s, "Faults lacks %s after FaultRaised", code);
		if (pad >= 0 && strcmp(soak_get(s, pad_paths[pad], HEATER_IFACE, "State"), "fault") != 0)
			soak_violation(s, "the %s pad is not in State fault after %s", pad_zones[pad], code);
	}
	for (unsigned i = 0; i < s->n_raised; i++)
		if (strcmp(s->raised[i], code) != 0)
			soak_violation(s, "%s injected: FaultRaised(%s) as well as %s", what, s->raised[i], code);
	(void)injected;

	/* held for a while, with the refusals the contract promises */
	refusals_while_faulted(s, k);
	soak_pump(s, soak_wall_ms(s, soak_uniform_d(s, 1, 60)));
	refusals_while_faulted(s, k);
	inject(s, k, pad, false);
	clear_all(s, what);
	if (k->locks)
		service(s, code);
	s->n_raised = 0;
	s->in_episode = false;
}

void soak_unexpected_fault(struct soak *s, const char *code)
{
	s->unexpected_faults++;
	soak_violation(s, "FaultRaised(%s) with no fault injected (State %s)", code, s->state);
	s->n_raised = 1;
	clear_all(s, code);
	s->n_raised = 0;
}
