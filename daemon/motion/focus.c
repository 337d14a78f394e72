/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "focus.h"
#include "macro.h"

#define BACK_BITS ((1u << ZONE_UPPER_BACK) | (1u << ZONE_LOWER_BACK))

unsigned focus_zone_bits(enum zone z)
{
	if (z == ZONE_BACK)
		return BACK_BITS;
	if (z < 0 || z >= _ZONE_MAX)
		return 0;
	return 1u << z;
}

unsigned focus_step_gain_permille(enum zone z, unsigned focus)
{
	unsigned bits = focus_zone_bits(z) & focus, extra = FOCUS_GAIN_PERMILLE - 1000u;

	if (bits == 0)
		return 1000u;
	if (z == ZONE_BACK && bits != BACK_BITS)
		return 1000u + extra / 2; /* half of a back step works the zone in focus */
	return FOCUS_GAIN_PERMILLE;
}

void focus_to_words(unsigned focus, char *buf, size_t size)
{
	size_t off = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (enum zone z = 0; z < _ZONE_MAX && off < size; z++)
		if (z != ZONE_BACK && (focus & (1u << z)))
			off += (size_t)snprintf(buf + off, size - off, "%s%s", off ? " " : "", zone_to_string(z));
}

struct reshape {
	unsigned from, n;
	double want[PROGRAM_STEPS_MAX];
	unsigned min[PROGRAM_STEPS_MAX];
	bool in_set[PROGRAM_STEPS_MAX]; /* the steps fill() works on */
	double out[PROGRAM_STEPS_MAX];
};

/* Give the steps of the set their wanted lengths scaled by one factor so that they sum
 * to `budget`; a step that would fall below its minimum is held there and the others
 * share the rest. All are held at their minimums when even that is over budget. */
static void fill(struct reshape *r, double budget)
{
	bool held[PROGRAM_STEPS_MAX] = {};

	for (;;) {
		double wanted = 0.0, rest = budget, scale;
		bool more = false;

		for (unsigned i = r->from; i < r->n; i++) {
			if (!r->in_set[i])
				continue;
			if (held[i])
				rest -= r->min[i];
			else
				wanted += r->want[i];
		}
		scale = wanted > 0.0 ? rest / wanted : 0.0;
		for (unsigned i = r->from; i < r->n; i++)
			if (r->in_set[i] && !held[i] && scale * r->want[i] < r->min[i])
				held[i] = more = true;
		if (more)
			continue;
		for (unsigned i = r->from; i < r->n; i++)
			if (r->in_set[i])
				r->out[i] = held[i] ? r->min[i] : scale * r->want[i];
		return;
	}
}

/* Whole seconds summing to target (when the minimums allow): each step's length rounded
 * down, then the seconds left over to the steps that lost most in the rounding. */
static void round_whole(const struct reshape *r, unsigned target, struct program *p)
{
	unsigned long sum = 0;

	for (unsigned i = r->from; i < r->n; i++) {
		unsigned d = (unsigned)floor(r->out[i] + 1e-9);

		p->steps[i].duration_s = MAX(d, r->min[i]);
		sum += p->steps[i].duration_s;
	}
	while (sum != target) {
		bool up = sum < target;
		unsigned best = UINT_MAX;
		double best_gap = -INFINITY;

		for (unsigned i = r->from; i < r->n; i++) {
			double gap = up ? r->out[i] - p->steps[i].duration_s : p->steps[i].duration_s - r->out[i];

			if (!up && p->steps[i].duration_s <= r->min[i])
				continue;
			if (gap > best_gap) {
				best_gap = gap;
				best = i;
			}
		}
		if (best == UINT_MAX)
			return; /* every step at its minimum: a little over the length */
		p->steps[best].duration_s = up ? p->steps[best].duration_s + 1 : p->steps[best].duration_s - 1;
		sum = up ? sum + 1 : sum - 1;
	}
}

void focus_reshape(struct program *p, const unsigned *base_s, unsigned focus, unsigned from, unsigned min_from_s)
{
	struct reshape r = { .from = from, .n = MIN(p->n_steps, PROGRAM_STEPS_MAX) };
	unsigned gain[PROGRAM_STEPS_MAX], gain_min = UINT_MAX, gain_max = 0, target = 0;
	double focus_len = 0.0, others_min = 0.0;

	if (from >= r.n)
		return;
	for (unsigned i = from; i < r.n; i++) {
		target += p->steps[i].duration_s;
		gain[i] = focus_step_gain_permille(p->steps[i].zone, focus);
		gain_min = MIN(gain_min, gain[i]);
		gain_max = MAX(gain_max, gain[i]);
		r.min[i] = MAX(FOCUS_STEP_MIN_S, (base_s[i] + 1) / 2);
		r.want[i] = base_s[i];
	}
	r.min[from] = MAX(r.min[from], min_from_s);

	if (gain_min == gain_max) { /* all alike: the program's own proportions */
		for (unsigned i = from; i < r.n; i++)
			r.in_set[i] = true;
		fill(&r, target);
		round_whole(&r, target, p);
		return;
	}
	/* relative to the steps that gain least: those give the time */
	for (unsigned i = from; i < r.n; i++) {
		r.in_set[i] = gain[i] == gain_min;
		if (r.in_set[i]) {
			others_min += r.min[i];
			continue;
		}
		r.want[i] = (double)base_s[i] * gain[i] / gain_min;
		r.out[i] = MAX(r.want[i], (double)r.min[i]);
		focus_len += r.out[i];
	}
	if (target - focus_len >= others_min) {
		fill(&r, target - focus_len);
	} else { /* the others at their shortest, the focus gets what is left */
		double focus_base = 0.0;

		for (unsigned i = from; i < r.n; i++) {
			if (r.in_set[i])
				r.out[i] = r.min[i];
			else
				focus_base += base_s[i];
			r.in_set[i] = !r.in_set[i];
		}
		/* a back step half in focus gains less, but is never cut below its own length */
		for (unsigned i = from; i < r.n && target - others_min >= focus_base; i++)
			if (r.in_set[i])
				r.min[i] = MAX(r.min[i], base_s[i]);
		fill(&r, target - others_min);
	}
	round_whole(&r, target, p);
}

void focus_apply(struct program *p, unsigned focus)
{
	unsigned base[PROGRAM_STEPS_MAX];

	for (unsigned i = 0; i < p->n_steps && i < PROGRAM_STEPS_MAX; i++)
		base[i] = p->steps[i].duration_s;
	focus_reshape(p, base, focus, 0, 0);
}

/* What a therapist works an area of concern with (the shipped programs and the massage texts they follow):
 * kneading first, then the zone's own work. No deep strokes: a short session has no
 * warm-up long enough for them (the deep-tissue program warms for four minutes). */
struct focus_technique {
	enum technique technique;
	unsigned speed;
	enum width width;
};

#define FOCUS_WORK_STEPS 3

static const struct focus_technique focus_work[][FOCUS_WORK_STEPS] = {
	/* the neck: kneading, finger pressure, held pressure at the base of the skull; never tapped */
	[ZONE_NECK] = { { TECHNIQUE_KNEAD, 3, WIDTH_MEDIUM },
			{ TECHNIQUE_SHIATSU, 2, WIDTH_NARROW },
			{ TECHNIQUE_PRESS, 2, WIDTH_NARROW } },
	/* where stress is carried: kneading, friction across the tight bands, held pressure on knots */
	[ZONE_SHOULDERS] = { { TECHNIQUE_KNEAD, 3, WIDTH_MEDIUM },
			     { TECHNIQUE_FRICTION, 4, WIDTH_NARROW },
			     { TECHNIQUE_PRESS, 2, WIDTH_NARROW } },
	/* between the shoulder blades: kneading, finger pressure along the spine, tapping */
	[ZONE_UPPER_BACK] = { { TECHNIQUE_KNEAD, 3, WIDTH_MEDIUM },
			      { TECHNIQUE_SHIATSU, 2, WIDTH_NARROW },
			      { TECHNIQUE_TAP, 4, WIDTH_MEDIUM } },
	/* where people ache most: kneading, deep circular friction, held pressure */
	[ZONE_LOWER_BACK] = { { TECHNIQUE_KNEAD, 3, WIDTH_MEDIUM },
			      { TECHNIQUE_FRICTION, 4, WIDTH_NARROW },
			      { TECHNIQUE_PRESS, 2, WIDTH_NARROW } },
};

static struct program_step focus_step(enum technique t, enum zone z, unsigned duration_s, unsigned speed, enum width w,
				      int depth_offset)
{
	return (struct program_step) {
		.technique = t,
		.zone = z,
		.duration_s = duration_s,
		.speed = speed,
		.width = w,
		.depth_offset = depth_offset,
		.heat = true, /* the zone's pad, if it has one, while the person has Heat on */
	};
}

int focus_compose(enum zone z, unsigned minutes, struct program *ret)
{
	unsigned total, edge, work, each;
	const char *name;

	if (z < 0 || z >= _ZONE_MAX || z == ZONE_BACK || minutes < FOCUS_MINUTES_MIN || minutes > FOCUS_MINUTES_MAX)
		return -EINVAL;
	name = zone_to_string(z);
	total = minutes * 60;
	edge = total / 5; /* a fifth each to warm up and to finish */
	work = total - 2 * edge;
	each = work / FOCUS_WORK_STEPS;

	*ret = (struct program) { .n_steps = FOCUS_WORK_STEPS + 2 };
	(void)snprintf(ret->id, sizeof(ret->id), "focus-%s", name);
	(void)snprintf(ret->title, sizeof(ret->title), "Focus on the %s", name);
	(void)snprintf(ret->description, sizeof(ret->description),
		       "A short session on the %s: gliding strokes to warm it, its own techniques at your "
		       "intensity, then slower, lighter strokes to finish.",
		       name);
	ret->steps[0] = focus_step(TECHNIQUE_GLIDE, z, edge, 2, WIDTH_WIDE, -1);
	for (unsigned i = 0; i < FOCUS_WORK_STEPS; i++) {
		const struct focus_technique *t = &focus_work[z][i];

		ret->steps[1 + i] = focus_step(t->technique, z, each + (i == 0 ? work % FOCUS_WORK_STEPS : 0), t->speed,
					       t->width, 0);
	}
	ret->steps[FOCUS_WORK_STEPS + 1] = focus_step(TECHNIQUE_GLIDE, z, edge, 1, WIDTH_WIDE, -2);
	return 0;
}
