/* SPDX-License-Identifier: MIT */
/* Areas of concern (motion/focus.c): the shipped programs under every focus keep their
 * length while the focus zones get more of it, and StartFocus's composed session. */
#include <errno.h>
#include <stdio.h>

#include "check-tap.h"
#include "focus.h"
#include "macro.h"

#define SHIPPED_PROGRAMS SOURCE_ROOT "/config/programs"
#define NECK (1u << ZONE_NECK)
#define SHOULDERS (1u << ZONE_SHOULDERS)
#define UPPER (1u << ZONE_UPPER_BACK)
#define LOWER (1u << ZONE_LOWER_BACK)

static const char *const shipped[] = { "back",    "deep-tissue", "full",    "hot-stone",    "neck",
				       "shiatsu", "shoulder",    "swedish", "trigger-point" };

static void load(const char *id, struct program *p)
{
	char path[512], err[PROGRAM_ERROR_MAX] = "";
	int r;

	(void)snprintf(path, sizeof(path), "%s/%s.program", SHIPPED_PROGRAMS, id);
	r = program_parse_file(path, p, err);
	ck_assert_msg(r >= 0, "%s: %s", path, err);
}

/* Seconds a program spends on steps whose zones are all in `zones` (back counts for
 * upper-back and lower-back, half each). */
static double seconds_on(const struct program *p, unsigned zones)
{
	double s = 0.0;

	for (unsigned i = 0; i < p->n_steps; i++) {
		const struct program_step *st = &p->steps[i];

		if (st->zone == ZONE_BACK)
			s += st->duration_s * (((zones & UPPER) ? 0.5 : 0.0) + ((zones & LOWER) ? 0.5 : 0.0));
		else if (zones & (1u << st->zone))
			s += st->duration_s;
	}
	return s;
}

START_TEST(test_full_focus_neck)
{
	struct program base, p;

	load("full", &base);
	p = base;
	focus_apply(&p, NECK);
	ck_assert_uint_eq(program_duration_s(&p), program_duration_s(&base)); /* 1080 s */
	ck_assert_uint_eq(p.steps[1].zone, ZONE_NECK);
	ck_assert_uint_eq(p.steps[1].duration_s, 180); /* 120 s × 1.5 */
	for (unsigned i = 0; i < p.n_steps; i++) {
		if (i == 1)
			continue;
		/* the 60 s the neck gains come from the other 960 s: each gives 1/16 */
		ck_assert_msg(p.steps[i].duration_s + 1 >= base.steps[i].duration_s * 15 / 16 &&
				      p.steps[i].duration_s <= base.steps[i].duration_s * 15 / 16 + 1,
			      "step %u: %u s of %u", i, p.steps[i].duration_s, base.steps[i].duration_s);
		ck_assert_uint_eq(p.steps[i].technique, base.steps[i].technique);
	}
}
END_TEST

/* Every shipped program under every focus: the length within 2 % (exact here), every
 * step whole seconds of at least 10 s and half its own length, focus steps never
 * shorter and the others never longer, and the focus zones' share grown. */
START_TEST(test_every_program_every_focus)
{
	for (size_t k = 0; k < ELEMENTSOF(shipped); k++) {
		struct program base, p;

		load(shipped[k], &base);
		for (unsigned focus = 1; focus <= FOCUS_ZONES; focus++) {
			unsigned total = program_duration_s(&base), got, least = FOCUS_GAIN_PERMILLE;
			bool inside = false, outside = false;

			for (unsigned i = 0; i < base.n_steps; i++)
				least = MIN(least, focus_step_gain_permille(base.steps[i].zone, focus));

			p = base;
			focus_apply(&p, focus);
			got = program_duration_s(&p);
			ck_assert_msg(got * 50 >= total * 49 && got * 50 <= total * 51, "%s focus %#x: %u s of %u",
				      shipped[k], focus, got, total);
			ck_assert_uint_eq(got, total);
			for (unsigned i = 0; i < p.n_steps; i++) {
				unsigned gain = focus_step_gain_permille(base.steps[i].zone, focus);

				/* the steps that gain least give the time (back steps half in focus
				 * when every other step is in it) */
				inside = inside || gain > least;
				outside = outside || gain == least;
				ck_assert_uint_ge(p.steps[i].duration_s, FOCUS_STEP_MIN_S);
				ck_assert_uint_ge(p.steps[i].duration_s * 2, base.steps[i].duration_s);
				if (gain > least)
					ck_assert_msg(p.steps[i].duration_s >= base.steps[i].duration_s,
						      "%s focus %#x step %u shortened", shipped[k], focus, i);
				if (gain == least)
					ck_assert_uint_le(p.steps[i].duration_s, base.steps[i].duration_s);
				ck_assert_uint_le(p.steps[i].duration_s * 1000,
						  base.steps[i].duration_s * FOCUS_GAIN_PERMILLE + 1000);
			}
			if (inside && outside)
				ck_assert_msg(seconds_on(&p, focus) > seconds_on(&base, focus), "%s focus %#x",
					      shipped[k], focus);
		}
	}
}
END_TEST

START_TEST(test_unchanged_when_all_alike)
{
	struct program base, p;

	load("neck", &base); /* six neck steps and one on the shoulders */
	p = base;
	focus_apply(&p, UPPER | LOWER); /* none inside */
	ck_assert_mem_eq(&p, &base, sizeof(p));
	p = base;
	focus_apply(&p, 0);
	ck_assert_mem_eq(&p, &base, sizeof(p));
	p = base;
	focus_apply(&p, NECK | SHOULDERS); /* none outside */
	ck_assert_mem_eq(&p, &base, sizeof(p));

	load("shoulder", &base); /* shoulders and one upper-back step */
	p = base;
	focus_apply(&p, FOCUS_ZONES);
	ck_assert_mem_eq(&p, &base, sizeof(p));
}
END_TEST

/* The neck program on the neck: the one shoulders step gives half its 90 s, no more;
 * the neck steps share those 45 s. */
START_TEST(test_others_keep_half)
{
	struct program base, p;

	load("neck", &base);
	p = base;
	focus_apply(&p, NECK);
	ck_assert_uint_eq(program_duration_s(&p), program_duration_s(&base));
	ck_assert_uint_eq(p.steps[3].zone, ZONE_SHOULDERS);
	ck_assert_uint_eq(p.steps[3].duration_s, 45);
	ck_assert_uint_eq((unsigned)seconds_on(&p, NECK), 630 + 45);
}
END_TEST

/* A back step works both back zones: ×1.25 with one of them in focus, ×1.5 with both. */
START_TEST(test_back_steps)
{
	struct program p = { .id = "t", .n_steps = 3 };

	ck_assert_uint_eq(focus_step_gain_permille(ZONE_BACK, UPPER), 1250);
	ck_assert_uint_eq(focus_step_gain_permille(ZONE_BACK, LOWER | NECK), 1250);
	ck_assert_uint_eq(focus_step_gain_permille(ZONE_BACK, UPPER | LOWER), 1500);
	ck_assert_uint_eq(focus_step_gain_permille(ZONE_BACK, NECK), 1000);
	ck_assert_uint_eq(focus_step_gain_permille(ZONE_UPPER_BACK, UPPER), 1500);
	ck_assert_uint_eq(focus_step_gain_permille(ZONE_LOWER_BACK, UPPER), 1000);
	ck_assert_uint_eq(focus_zone_bits(ZONE_BACK), UPPER | LOWER);
	ck_assert_uint_eq(focus_zone_bits(ZONE_INVALID), 0);

	p.steps[0] = (struct program_step) { TECHNIQUE_GLIDE, ZONE_BACK, 120, 2, WIDTH_WIDE, -1, false };
	p.steps[1] = (struct program_step) { TECHNIQUE_KNEAD, ZONE_NECK, 200, 3, WIDTH_MEDIUM, 0, false };
	p.steps[2] = (struct program_step) { TECHNIQUE_KNEAD, ZONE_UPPER_BACK, 100, 3, WIDTH_MEDIUM, 0, false };
	focus_apply(&p, UPPER);
	ck_assert_uint_eq(p.steps[0].duration_s, 150); /* ×1.25 */
	ck_assert_uint_eq(p.steps[2].duration_s, 150); /* ×1.5 */
	ck_assert_uint_eq(p.steps[1].duration_s, 120); /* gives the 80 s */
}
END_TEST

/* A running session refocused at its fourth step, 50 s in: what ran stays, the step
 * goes on past where it is, the length stays, and the new focus gets its time. */
START_TEST(test_reshape_from_current_step)
{
	struct program base, p, before;
	unsigned base_s[PROGRAM_STEPS_MAX];

	load("full", &base);
	for (unsigned i = 0; i < base.n_steps; i++)
		base_s[i] = base.steps[i].duration_s;
	p = base;
	focus_apply(&p, NECK);
	before = p;
	focus_reshape(&p, base_s, LOWER, 3, 51);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_uint_eq(p.steps[i].duration_s, before.steps[i].duration_s);
	ck_assert_uint_ge(p.steps[3].duration_s, 51);
	ck_assert_uint_eq(program_duration_s(&p), program_duration_s(&base));
	ck_assert_uint_eq(p.steps[4].zone, ZONE_LOWER_BACK);
	ck_assert_uint_gt(p.steps[4].duration_s, before.steps[4].duration_s);
	ck_assert_uint_gt(p.steps[5].duration_s, before.steps[5].duration_s);
	ck_assert_uint_lt(p.steps[7].duration_s, before.steps[7].duration_s); /* press on the shoulders */

	/* cleared at the last step: nothing left to reshape against, the step keeps its end */
	before = p;
	focus_reshape(&p, base_s, 0, p.n_steps - 1, 10);
	ck_assert_mem_eq(&p, &before, sizeof(p));
	/* past the end: nothing */
	focus_reshape(&p, base_s, NECK, p.n_steps, 0);
	ck_assert_mem_eq(&p, &before, sizeof(p));
	/* the current step's minimum wins even over the others' proportions */
	p = base;
	focus_reshape(&p, base_s, 0, 0, 119);
	ck_assert_mem_eq(&p, &base, sizeof(p));
}
END_TEST

START_TEST(test_compose_shape)
{
	static const enum zone zones[] = { ZONE_NECK, ZONE_SHOULDERS, ZONE_UPPER_BACK, ZONE_LOWER_BACK };
	static const unsigned minutes[] = { FOCUS_MINUTES_MIN, 7, 10, FOCUS_MINUTES_MAX };

	for (size_t k = 0; k < ELEMENTSOF(zones); k++)
		for (size_t m = 0; m < ELEMENTSOF(minutes); m++) {
			struct program p;
			char id[PROGRAM_ID_MAX];
			const struct program_step *warm, *finish;

			ck_assert_int_eq(focus_compose(zones[k], minutes[m], &p), 0);
			(void)snprintf(id, sizeof(id), "focus-%s", zone_to_string(zones[k]));
			ck_assert_str_eq(p.id, id);
			ck_assert(program_id_is_valid(p.id));
			ck_assert_uint_eq(program_duration_s(&p), minutes[m] * 60);
			ck_assert_uint_eq(p.n_steps, 5);
			warm = &p.steps[0];
			finish = &p.steps[p.n_steps - 1];
			/* warm up: gliding, lighter and slower than the work */
			ck_assert_int_eq(warm->technique, TECHNIQUE_GLIDE);
			ck_assert_int_eq(warm->depth_offset, -1);
			/* finish: gliding, lighter and slower still */
			ck_assert_int_eq(finish->technique, TECHNIQUE_GLIDE);
			ck_assert_int_lt(finish->depth_offset, warm->depth_offset);
			ck_assert_uint_lt(finish->speed, warm->speed);
			ck_assert_uint_eq(warm->duration_s, minutes[m] * 60 / 5);
			ck_assert_uint_eq(finish->duration_s, minutes[m] * 60 / 5);
			for (unsigned i = 0; i < p.n_steps; i++) {
				ck_assert_int_eq(p.steps[i].zone, zones[k]);
				ck_assert_uint_ge(p.steps[i].duration_s, FOCUS_STEP_MIN_S);
				if (i == 0 || i == p.n_steps - 1)
					continue;
				/* the work: the zone's own techniques, no glide, none deep */
				ck_assert_int_eq(p.steps[i].depth_offset, 0);
				ck_assert_int_ne(p.steps[i].technique, TECHNIQUE_GLIDE);
				ck_assert_int_ne(p.steps[i].technique, TECHNIQUE_DEEP);
				ck_assert_uint_gt(p.steps[i].speed, finish->speed);
				if (zones[k] == ZONE_NECK)
					ck_assert_int_ne(p.steps[i].technique, TECHNIQUE_TAP);
			}
			ck_assert_int_eq(p.steps[1].technique, TECHNIQUE_KNEAD);
		}
}
END_TEST

START_TEST(test_compose_refuses)
{
	struct program p;

	ck_assert_int_eq(focus_compose(ZONE_BACK, 10, &p), -EINVAL);
	ck_assert_int_eq(focus_compose(ZONE_INVALID, 10, &p), -EINVAL);
	ck_assert_int_eq(focus_compose(_ZONE_MAX, 10, &p), -EINVAL);
	ck_assert_int_eq(focus_compose(ZONE_NECK, FOCUS_MINUTES_MIN - 1, &p), -EINVAL);
	ck_assert_int_eq(focus_compose(ZONE_NECK, FOCUS_MINUTES_MAX + 1, &p), -EINVAL);
}
END_TEST

/* A composed session is one zone: no focus reshapes it. */
START_TEST(test_compose_unchanged_by_focus)
{
	struct program p, q;

	ck_assert_int_eq(focus_compose(ZONE_UPPER_BACK, 10, &p), 0);
	for (unsigned focus = 0; focus <= FOCUS_ZONES; focus++) {
		q = p;
		focus_apply(&q, focus);
		ck_assert_mem_eq(&q, &p, sizeof(p));
	}
}
END_TEST

START_TEST(test_words)
{
	char buf[64];

	focus_to_words(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	focus_to_words(LOWER | NECK, buf, sizeof(buf));
	ck_assert_str_eq(buf, "neck lower-back");
	focus_to_words(FOCUS_ZONES, buf, sizeof(buf));
	ck_assert_str_eq(buf, "neck shoulders upper-back lower-back");
	focus_to_words(FOCUS_ZONES, buf, 10);
	ck_assert_str_eq(buf, "neck shou");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("focus");
	TCase *tc = tcase_create("focus");

	tcase_add_test(tc, test_full_focus_neck);
	tcase_add_test(tc, test_every_program_every_focus);
	tcase_add_test(tc, test_unchanged_when_all_alike);
	tcase_add_test(tc, test_others_keep_half);
	tcase_add_test(tc, test_back_steps);
	tcase_add_test(tc, test_reshape_from_current_step);
	tcase_add_test(tc, test_compose_shape);
	tcase_add_test(tc, test_compose_refuses);
	tcase_add_test(tc, test_compose_unchanged_by_focus);
	tcase_add_test(tc, test_words);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
