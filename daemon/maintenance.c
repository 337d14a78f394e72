/* SPDX-License-Identifier: MIT */
/* The maintenance counters at run time: what they count, when they are announced and
 * when they are saved. The file is store/maintenance-store.c's. */
#include <math.h>

#include "context.h"
#include "maintenance.h"

/* The rollers move: a scan, a running session, parking. A pause holds them still
 * (no travel, kneading or tapping): it wears the mechanism no more than idle does. */
static bool rollers_driven(const struct context *c)
{
	return c->state == STATE_SCANNING || c->state == STATE_RUNNING || c->state == STATE_STOPPING;
}

static bool pad_active(const struct heater *h)
{
	return h->target_c > 0.0 || h->autotune;
}

void maintenance_rollers_ran(struct context *c, uint64_t usec)
{
	c->maintenance.counted.roller_usec += usec;
}

void maintenance_pads_sync(struct context *c)
{
	struct maintenance *m = &c->maintenance;
	uint64_t now = context_now(c);

	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		const struct heater *h = &c->heating.heaters[i];
		struct maintenance_pad *p = &m->pads[i];
		/* the pad's relay and the master relay in series: only both closed heat */
		bool heating = h->relay_on && c->heating.master_on;

		if (h->relay_on && !p->relay_on)
			m->counted.relay_switches[i]++;
		p->relay_on = h->relay_on;
		if (heating == p->heating)
			continue;
		if (heating)
			p->heating_since_usec = now;
		else
			m->counted.heating_usec[i] += now - MIN(now, p->heating_since_usec);
		p->heating = heating;
	}
}

void maintenance_totals_now(struct context *c, struct maintenance_totals *ret)
{
	const struct maintenance *m = &c->maintenance;
	uint64_t now = context_now(c);

	*ret = m->counted;
	for (unsigned i = 0; i < c->heating.n_heaters; i++)
		if (m->pads[i].heating)
			ret->heating_usec[i] += now - MIN(now, m->pads[i].heating_since_usec);
}

void maintenance_announce(struct context *c)
{
	struct maintenance *m = &c->maintenance;
	struct maintenance_totals t;
	uint64_t now = context_now(c);

	maintenance_totals_now(c, &t);
	m->shown.roller_run_s = t.roller_usec / USEC_PER_SEC;
	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		struct maintenance_pad_shown *s = &m->shown.pads[i];
		/* to 0.01: a stone at room warmth gives a dose too small to announce */
		double dose = heat_dose_total(&c->heating.heaters[i].dose, (double)now / 1e6);

		s->heating_s = t.heating_usec[i] / USEC_PER_SEC;
		s->relay_switches = t.relay_switches[i];
		s->dose = round(dose * 100.0) / 100.0;
	}
	m->announced_usec = now;
}

void maintenance_changed(struct context *c)
{
	struct maintenance *m = &c->maintenance;
	uint64_t now = context_now(c);
	bool driven = rollers_driven(c), stopped = m->rollers_driven && !driven, pad_off = false, any_active = false;
	bool at_rest, came_to_rest;

	m->rollers_driven = driven;
	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		bool active = pad_active(&c->heating.heaters[i]);

		pad_off = pad_off || (m->pads[i].active && !active);
		any_active = any_active || active;
		m->pads[i].active = active;
	}
	at_rest = (c->state == STATE_IDLE || c->state == STATE_FAULT) && !any_active;
	came_to_rest = at_rest && !m->at_rest;
	m->at_rest = at_rest;
	/* the rollers stopped (parked, paused, a fault), a pad's heat off: at once, so that
	 * what a session or a heating added is shown when it ends */
	if (stopped || pad_off || now - MIN(now, m->announced_usec) >= MAINTENANCE_ANNOUNCE_USEC)
		maintenance_announce(c);
	if (now - MIN(now, m->saved_usec) >= (came_to_rest ? MAINTENANCE_SAVE_GAP_USEC : MAINTENANCE_SAVE_USEC))
		maintenance_save(c);
}
