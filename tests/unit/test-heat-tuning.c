/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-tap.h"
#include "heat-model.h"
#include "heat-tuning.h"
#include "macro.h"

/* A pad's persisted autotune result (heat-tuning.h): what is saved loads back exactly,
 * and every damaged file is refused with the file (and line) named. */

static char dir[64];
static char path[128];

static void setup(void)
{
	(void)snprintf(dir, sizeof(dir), "/tmp/test-heat-tuning.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/heater-neck.tune", dir);
}

static void teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512];

	if (!d)
		return;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			(void)snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			(void)unlink(p);
		}
	(void)closedir(d);
	(void)rmdir(dir);
}

/* Names in the test directory, sorted into one string "a b c". */
static unsigned dir_entries(const char *d_path, char *ret, size_t size)
{
	DIR *d = opendir(d_path);
	struct dirent *de;
	unsigned n = 0;

	ck_assert_ptr_nonnull(d);
	ret[0] = '\0';
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			if (n++ > 0)
				strncat(ret, " ", size - strlen(ret) - 1);
			strncat(ret, de->d_name, size - strlen(ret) - 1);
		}
	(void)closedir(d);
	return n;
}

/* Awkward numbers: none of them has a short decimal form. */
static struct heat_tuning sample_tuning(void)
{
	return (struct heat_tuning) {
		.model = {
			.gain_c = 31.512345678901234,
			.element_s = 100.0 / 3.0,
			.couple_s = 160.3 + 1e-11,
			.loss_s = M_PI * 55.0,
			.sink_c = 30.0 - 2.0 / 7.0,
			.sensor_s = 6.1,
		},
		.target_c = 42.0,
		.fit_rms_c = 0.04134567891234567,
		.duration_s = 651.25,
	};
}

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "we");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

static size_t read_file(const char *p, char *buf, size_t size)
{
	FILE *f = fopen(p, "re");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	ck_assert_int_eq(fclose(f), 0);
	return n;
}

static void assert_same(const struct heat_tuning *a, const struct heat_tuning *b)
{
	/* exactly: bit for bit */
	ck_assert_double_eq(a->model.gain_c, b->model.gain_c);
	ck_assert_double_eq(a->model.element_s, b->model.element_s);
	ck_assert_double_eq(a->model.couple_s, b->model.couple_s);
	ck_assert_double_eq(a->model.loss_s, b->model.loss_s);
	ck_assert_double_eq(a->model.sink_c, b->model.sink_c);
	ck_assert_double_eq(a->model.sensor_s, b->model.sensor_s);
	ck_assert_double_eq(a->target_c, b->target_c);
	ck_assert_double_eq(a->fit_rms_c, b->fit_rms_c);
	ck_assert_double_eq(a->duration_s, b->duration_s);
	ck_assert_int_eq(memcmp(a, b, sizeof(*a)), 0);
}

/* Loading `text` fails with -EINVAL, the reason naming the file and, when line > 0,
 * that line; *ret is untouched. Returns the reason. */
static const char *assert_refused(const char *text, unsigned line, const char *also)
{
	static char err[HEAT_TUNING_ERROR_MAX];
	struct heat_tuning t, before;
	char where[160];

	memset(&t, 0x5a, sizeof(t));
	before = t;
	write_file(path, text);
	err[0] = '\0';
	ck_assert_int_eq(heat_tuning_load(path, &t, err), -EINVAL);
	ck_assert_msg(memcmp(&t, &before, sizeof(t)) == 0, "the result was changed on error");
	if (line > 0)
		(void)snprintf(where, sizeof(where), "%s:%u: ", path, line);
	else
		(void)snprintf(where, sizeof(where), "%s", path);
	ck_assert_msg(strncmp(err, where, strlen(where)) == 0, "error \"%s\" does not start with \"%s\"", err, where);
	if (also)
		ck_assert_msg(strstr(err, also), "error \"%s\" does not say \"%s\"", err, also);
	return err;
}

/* A valid file, with one line replaced (or removed when `with` is NULL). */
static void valid_text_with(char *buf, size_t size, const char *key, const char *with)
{
	char saved[2048], *line, *save = NULL;

	struct heat_tuning t = sample_tuning();
	ck_assert_int_eq(heat_tuning_save(path, &t), 0);
	(void)read_file(path, saved, sizeof(saved));
	buf[0] = '\0';
	for (line = strtok_r(saved, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t k = strlen(key);

		if (strncmp(line, key, k) == 0 && line[k] == '=') {
			if (!with)
				continue;
			strncat(buf, with, size - strlen(buf) - 1);
		} else
			strncat(buf, line, size - strlen(buf) - 1);
		strncat(buf, "\n", size - strlen(buf) - 1);
	}
}

/* The line number of `key=` in text, from 1. */
static unsigned line_of(const char *text, const char *key)
{
	unsigned line = 1;
	size_t k = strlen(key);

	for (const char *p = text; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p), line++)
		if (strncmp(p, key, k) == 0 && p[k] == '=')
			return line;
	ck_abort_msg("no %s= in the file", key);
	return 0;
}

static const char *const keys[] = {
	"Version", "Gain",          "ElementSeconds", "CoupleSeconds", "LossSeconds",
	"Sink",    "SensorSeconds", "Target",         "FitRms",        "Duration",
};

/* ---- tests ---- */

START_TEST(test_round_trip)
{
	struct heat_tuning t = sample_tuning(), back;
	char err[HEAT_TUNING_ERROR_MAX], names[256], text[2048];

	ck_assert_int_eq(heat_model_validate(&t.model), 0);
	ck_assert_int_eq(heat_tuning_save(path, &t), 0);
	memset(&back, 0, sizeof(back));
	ck_assert_int_eq(heat_tuning_load(path, &back, err), 0);
	assert_same(&t, &back);

	/* nothing left beside it: no temporary file */
	ck_assert_uint_eq(dir_entries(dir, names, sizeof(names)), 1);
	ck_assert_str_eq(names, "heater-neck.tune");

	/* the defaults, and numbers at the edges of what validates */
	heat_model_default(&t.model);
	t.target_c = 45.0;
	t.fit_rms_c = 0.0;
	t.duration_s = 1e9 / 7.0;
	ck_assert_int_eq(heat_tuning_save(path, &t), 0);
	ck_assert_int_eq(heat_tuning_load(path, &back, err), 0);
	assert_same(&t, &back);
	/* numbers at the edges of the ranges are written exactly, but no pad is like that */
	t.model = (struct heat_model) { 500.0, 0.5, 36000.0, 1.0, -20.0, 0.05 };
	ck_assert_int_eq(heat_tuning_save(path, &t), 0);
	(void)read_file(path, text, sizeof(text));
	(void)assert_refused(text, 0, "not a model of a pad");
	ck_assert_uint_eq(dir_entries(dir, names, sizeof(names)), 1);
}
END_TEST

START_TEST(test_missing_file)
{
	struct heat_tuning t;
	char err[HEAT_TUNING_ERROR_MAX];

	ck_assert_int_eq(heat_tuning_load(path, &t, err), -ENOENT);
	ck_assert_msg(strstr(err, path), "error \"%s\" does not name the file", err);
}
END_TEST

/* A file cut anywhere before its last value is refused. */
START_TEST(test_truncated)
{
	struct heat_tuning t = sample_tuning();
	char full[2048], cut[2048];
	size_t n, last_value;

	ck_assert_int_eq(heat_tuning_save(path, &t), 0);
	n = read_file(path, full, sizeof(full));
	ck_assert_uint_gt(n, 100);

	/* half of it */
	memcpy(cut, full, n / 2);
	cut[n / 2] = '\0';
	(void)assert_refused(cut, 0, NULL);

	/* cut at every byte up to the last key's '=' (a cut inside the last number leaves a
	 * shorter number, which no parser can tell) */
	last_value = (size_t)(strrchr(full, '=') - full) + 1;
	for (size_t k = 0; k < last_value; k++) {
		memcpy(cut, full, k);
		cut[k] = '\0';
		(void)assert_refused(cut, 0, NULL);
	}
}
END_TEST

START_TEST(test_missing_key)
{
	char text[2048], what[64];

	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		valid_text_with(text, sizeof(text), keys[i], NULL);
		(void)snprintf(what, sizeof(what), "%s", keys[i]);
		(void)assert_refused(text, 0, what);
	}
}
END_TEST

START_TEST(test_unknown_key)
{
	char text[2048];

	valid_text_with(text, sizeof(text), "Sink", "Sink=26.8\nSinkRate=3");
	(void)assert_refused(text, line_of(text, "SinkRate"), "SinkRate");

	/* and a section it does not know */
	valid_text_with(text, sizeof(text), "Duration", "Duration=600\n[Extra]\nGain=3");
	(void)assert_refused(text, line_of(text, "Duration") + 1, "Extra");
}
END_TEST

START_TEST(test_not_a_number)
{
	static const char *const bad[] = { "abc", "", "1.5x", "nan", "inf", "-inf", "1e999", "0x", "3 4" };
	char text[2048], line[64];

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		(void)snprintf(line, sizeof(line), "CoupleSeconds=%s", bad[i]);
		valid_text_with(text, sizeof(text), "CoupleSeconds", line);
		(void)assert_refused(text, line_of(text, "CoupleSeconds"), "CoupleSeconds");
	}
	valid_text_with(text, sizeof(text), "Version", "Version=one");
	(void)assert_refused(text, line_of(text, "Version"), "Version");
}
END_TEST

START_TEST(test_version)
{
	char text[2048];

	valid_text_with(text, sizeof(text), "Version", "Version=2");
	(void)assert_refused(text, line_of(text, "Version"), "Version=2");
	valid_text_with(text, sizeof(text), "Version", "Version=0");
	(void)assert_refused(text, line_of(text, "Version"), "Version");
	valid_text_with(text, sizeof(text), "Version", "Version=1.5");
	(void)assert_refused(text, line_of(text, "Version"), "Version");
}
END_TEST

START_TEST(test_implausible)
{
	static const struct {
		const char *key, *line;
	} bad[] = {
		{ "Gain", "Gain=0" },
		{ "Gain", "Gain=-30" },
		{ "ElementSeconds", "ElementSeconds=-1" },
		{ "ElementSeconds", "ElementSeconds=0" },
		{ "CoupleSeconds", "CoupleSeconds=1e9" },
		{ "LossSeconds", "LossSeconds=0.5" },
		{ "Sink", "Sink=200" },
		{ "SensorSeconds", "SensorSeconds=0" },
	};
	char text[2048];

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		valid_text_with(text, sizeof(text), bad[i].key, bad[i].line);
		(void)assert_refused(text, 0, NULL);
	}
}
END_TEST

START_TEST(test_save_replaces)
{
	struct heat_tuning a = sample_tuning(), b = sample_tuning(), back;
	char err[HEAT_TUNING_ERROR_MAX], names[256];

	ck_assert_int_eq(heat_tuning_save(path, &a), 0);
	b.model.gain_c = 27.25;
	b.target_c = 40.0;
	b.duration_s = 1234.5;
	ck_assert_int_eq(heat_tuning_save(path, &b), 0);
	ck_assert_int_eq(heat_tuning_load(path, &back, err), 0);
	assert_same(&b, &back);
	ck_assert_uint_eq(dir_entries(dir, names, sizeof(names)), 1);

	/* over a damaged file too */
	write_file(path, "[Tuning]\nGain=\n");
	ck_assert_int_eq(heat_tuning_save(path, &a), 0);
	ck_assert_int_eq(heat_tuning_load(path, &back, err), 0);
	assert_same(&a, &back);
	ck_assert_uint_eq(dir_entries(dir, names, sizeof(names)), 1);
}
END_TEST

START_TEST(test_save_fails_cleanly)
{
	struct heat_tuning t = sample_tuning(), back;
	char p[256], names[256], err[HEAT_TUNING_ERROR_MAX];
	struct stat st;
	int r;

	/* a directory that does not exist */
	(void)snprintf(p, sizeof(p), "%s/missing/heater-neck.tune", dir);
	r = heat_tuning_save(p, &t);
	ck_assert_int_lt(r, 0);
	ck_assert_int_eq(r, -ENOENT);
	ck_assert_uint_eq(dir_entries(dir, names, sizeof(names)), 0);
	(void)snprintf(p, sizeof(p), "%s/missing", dir);
	ck_assert_int_eq(stat(p, &st), -1);

	/* an implausible model is not saved, and what was there stays */
	ck_assert_int_eq(heat_tuning_save(path, &t), 0);
	struct heat_tuning bad = t;
	bad.model.gain_c = 0.0;
	ck_assert_int_eq(heat_tuning_save(path, &bad), -EINVAL);
	bad = t;
	bad.model.sensor_s = NAN;
	ck_assert_int_eq(heat_tuning_save(path, &bad), -EINVAL);
	ck_assert_int_eq(heat_tuning_load(path, &back, err), 0);
	assert_same(&t, &back);
	ck_assert_uint_eq(dir_entries(dir, names, sizeof(names)), 1);
}
END_TEST

/* ---- physical plausibility (issue 13, item 8) ---- */

/* A pad's file with its model replaced by `m` (the rest as autotune writes it). */
static void model_text(char *buf, size_t size, const struct heat_model *m)
{
	struct heat_tuning t = sample_tuning();

	t.model = *m;
	ck_assert_int_eq(heat_model_validate(&t.model), 0);
	ck_assert_int_eq(heat_tuning_save(path, &t), 0);
	(void)read_file(path, buf, size);
}

/* What autotune fits on the simulator's pad (rounded). */
static const struct heat_model fitted = { 29.2, 34.0, 146.0, 170.0, 30.2, 6.1 };

/* In range, each number, but no pad: each refused, the reason naming the file and the
 * check. The first is the issue's; the others are the kinds that raised false
 * heater-stuck faults (the model's heat scale far from the pad's). */
START_TEST(test_in_range_but_implausible)
{
	static const struct {
		struct heat_model m;
		const char *check;
	} bad[] = {
		/* Gain=500, ElementSeconds=0.5: a 1000 °C/s element, a 3.4 °C/s stone */
		{ { 500.0, 0.5, 146.0, 170.0, 30.2, 6.1 }, "(Gain)" },
		/* the fit's degenerate valley: an element 500 °C over the stone */
		{ { 499.95, 31.0, 3016.0, 203.0, 30.2, 4.3 }, "(Gain)" },
		/* a tenth of the heat: 0.02 °C/s at full power */
		{ { 3.0, 34.0, 146.0, 170.0, 30.2, 6.1 }, "(Gain/CoupleSeconds)" },
		/* twelve times the heat: 2.4 °C/s */
		{ { 60.0, 34.0, 25.0, 170.0, 30.2, 6.1 }, "(Gain/CoupleSeconds)" },
		/* an element slower and heavier than the stone */
		{ { 29.2, 300.0, 146.0, 170.0, 30.2, 6.1 }, "(ElementSeconds/CoupleSeconds)" },
		/* a stone that keeps its heat for ten hours: an 1000 °C rise at full power */
		{ { 29.2, 34.0, 146.0, 36000.0, 30.2, 6.1 }, "(LossSeconds)" },
		/* a stone that settles at 60 °C unheated */
		{ { 29.2, 34.0, 146.0, 170.0, 60.0, 6.1 }, "(Sink)" },
		/* a sensor that takes ten minutes to follow the stone */
		{ { 29.2, 34.0, 146.0, 170.0, 30.2, 600.0 }, "(SensorSeconds)" },
		/* each number plausible, together a stone lifted only 3 °C at full power */
		{ { 5.0, 34.0, 146.0, 90.0, 30.2, 6.1 }, "(Gain·LossSeconds/CoupleSeconds)" },
	};
	char text[2048], why[HEAT_PLAUSIBLE_WHY_MAX];

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		const char *err;

		ck_assert_int_eq(heat_model_validate(&bad[i].m), 0);
		ck_assert_int_eq(heat_model_plausible(&bad[i].m, 0.0, why, sizeof(why)), -EINVAL);
		model_text(text, sizeof(text), &bad[i].m);
		err = assert_refused(text, 0, bad[i].check);
		ck_assert_msg(strstr(err, "not a model of a pad"), "case %zu: \"%s\"", i, err);
	}
}
END_TEST

/* The bench's plants (bench/plants/), mapped onto the model, and the defaults are
 * plausible, twice as far inside every bound as a fit must be. */
START_TEST(test_bench_plants_plausible)
{
	/* element_s = c_h/(k_hs+k_ha), couple_s = c_s/k_hs, gain = P/(k_hs+k_ha),
	 * loss_s = c_s/(k_sa+k_body), sink from the room and the body */
	static const struct heat_model plants[] = {
		{ 27.4, 34.3, 137.5, 191.3, 31.0, 6.0 },  /* public */
		{ 27.4, 34.3, 275.0, 382.6, 31.0, 6.0 },  /* heavy stone */
		{ 27.4, 34.3, 137.5, 191.3, 31.0, 15.0 }, /* slow sensor */
		{ 22.9, 34.3, 137.5, 191.3, 31.0, 6.0 },  /* weak element */
		{ 27.4, 34.3, 137.5, 191.3, 28.3, 6.0 },  /* cold room */
		{ 27.4, 34.3, 137.5, 112.8, 32.4, 6.0 },  /* public, leaning back */
		{ 27.4, 34.3, 137.5, 628.6, 24.0, 6.0 },  /* public, nobody seated */
	};
	struct heat_model defaults;
	char why[HEAT_PLAUSIBLE_WHY_MAX], text[2048];
	struct heat_tuning back;

	for (size_t i = 0; i < ELEMENTSOF(plants); i++)
		ck_assert_msg(heat_model_plausible(&plants[i], 0.2, why, sizeof(why)) == 0, "plant %zu: %s", i, why);
	heat_model_default(&defaults);
	ck_assert_msg(heat_model_plausible(&defaults, 0.2, why, sizeof(why)) == 0, "defaults: %s", why);
	ck_assert_msg(heat_model_plausible(&fitted, 0.2, why, sizeof(why)) == 0, "fitted: %s", why);
	model_text(text, sizeof(text), &fitted);
	ck_assert_int_eq(heat_tuning_load(path, &back, text), 0);
}
END_TEST

/* A margin narrows every bound: what passes at 0 fails near the edge. */
START_TEST(test_plausible_margin)
{
	struct heat_model m = fitted;
	char why[HEAT_PLAUSIBLE_WHY_MAX];

	m.gain_c = 95.0;
	m.couple_s = 200.0;
	ck_assert_int_eq(heat_model_plausible(&m, 0.0, why, sizeof(why)), 0);
	ck_assert_int_eq(heat_model_plausible(&m, 0.1, why, sizeof(why)), -EINVAL);
	ck_assert_msg(strstr(why, "(Gain)") && strstr(why, "ran to a bound"), "%s", why);
	m = fitted;
	m.sink_c = 39.0;
	ck_assert_int_eq(heat_model_plausible(&m, 0.0, why, sizeof(why)), 0);
	ck_assert_int_eq(heat_model_plausible(&m, 0.1, why, sizeof(why)), -EINVAL);
	m.sink_c = NAN;
	ck_assert_int_eq(heat_model_plausible(&m, 0.0, why, sizeof(why)), -EINVAL);
}
END_TEST

static Suite *heat_tuning_suite(void)
{
	Suite *s = suite_create("heat-tuning");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_missing_key);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_not_a_number);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_implausible);
	tcase_add_test(tc, test_save_replaces);
	tcase_add_test(tc, test_save_fails_cleanly);
	tcase_add_test(tc, test_in_range_but_implausible);
	tcase_add_test(tc, test_bench_plants_plausible);
	tcase_add_test(tc, test_plausible_margin);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(heat_tuning_suite());
}
