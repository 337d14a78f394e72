/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-tap.h"
#include "state-text.h"
#include "macro.h"
#include "profile-name.h"
#include "profile.h"
#include "test-files.h"

/* Profile names (profile-name.c) and the profile file (profile.c): letters of any
 * script are a name, anything a path, a terminal or a person would trip on is refused
 * with the reason; what is saved loads back, and a damaged file is refused with its
 * file and line. */

static char dir[64];
static char path[160];

static void setup(void)
{
	(void)snprintf(dir, sizeof(dir), "/tmp/test-profile.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/Zoë.profile", dir);
}

static void teardown(void)
{
	test_remove_tree(dir);
}

START_TEST(test_names_valid)
{
	static const char *const names[] = {
		"Zoë",
		"Ана",
		"李雷",
		"अनिल",
		"José María",
		"Mary-Jane_2",
		"a",
		"١٢٣", /* Arabic-Indic digits */
		"e\xCC\x81" /* e and a combining acute */,
		"ÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅ", /* 32 characters, 64 bytes */
		"𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜𝒜", /* 32 four-byte letters: PROFILE_NAME_MAX - 1 bytes */
	};
	char err[256];

	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		ck_assert_msg(profile_name_is_valid(names[i], err, sizeof(err)), "\"%s\" refused: %s", names[i], err);
	ck_assert_uint_eq(strlen(names[ELEMENTSOF(names) - 1]), PROFILE_NAME_MAX - 1);
}
END_TEST

START_TEST(test_names_refused)
{
	static const struct {
		const char *name, *why;
	} bad[] = {
		{ "", "needs a name" },
		{ "abcdefghijklmnopqrstuvwxyz0123456", "at most 32 characters" },
		{ "ÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅ", "at most 32 characters" },
		{ "../x", "'.' (U+002E)" },
		{ "a/b", "'/' (U+002F)" },
		{ ".", "'.'" },
		{ "a\tb", "U+0009" },
		{ "a\x1b[31m", "U+001B" },
		{ "a\x7f", "U+007F" },
		{ "a\xC2\x85", "U+0085" }, /* NEL, a C1 control */
		{ "a\xE2\x80\xAE"
		  "b",
		  "U+202E" }, /* right-to-left override */
		{ "a\xC2\xA0"
		  "b",
		  "U+00A0" }, /* no-break space */
		{ "bad\xC3\x28", "not valid UTF-8" },
		{ "\xC0\xAF", "not valid UTF-8" },     /* overlong '/' */
		{ "\xED\xA0\x80", "not valid UTF-8" }, /* a surrogate */
		{ " Anna", "start or end with a space" },
		{ "Anna ", "start or end with a space" },
		{ "\xCC\x81"
		  "e",
		  "combining mark U+0301" },
		{ "\xF0\x9F\x98\x80", "U+1F600" }, /* 😀 */
		{ "a=b", "'='" },
		{ "a\\b", "'\\'" },
	};
	char err[256];

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		memset(err, 'x', sizeof(err));
		ck_assert_msg(!profile_name_is_valid(bad[i].name, err, sizeof(err)), "\"%s\" taken", bad[i].name);
		ck_assert_msg(memchr(err, '\0', sizeof(err)), "no string");
		ck_assert_msg(strstr(err, bad[i].why), "\"%s\": \"%s\" does not say %s", bad[i].name, err, bad[i].why);
	}
	/* err may be left out */
	ck_assert(!profile_name_is_valid("a/b", NULL, 0));
}
END_TEST

static struct profile sample(void)
{
	struct profile p = {
		.name = "Zoë",
		.settings = { .intensity = 4,
			      .speed = 2,
			      .width = WIDTH_WIDE,
			      .heat = true,
			      .session_limit_s = 900,
			      .zone_pressure = { [ZONE_NECK] = 2, [ZONE_LOWER_BACK] = -2 },
			      .focus = 1u << ZONE_NECK | 1u << ZONE_LOWER_BACK,
			      .gentle = true,
			      .heat_target_c = 38.5 },
		.shoulder_mm = 612,
		.shoulder_adjust_mm = -15,
		.favourite = "full",
	};
	return p;
}

static void write_text(const char *text)
{
	FILE *f = fopen(path, "we");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static void save(const struct profile *p)
{
	_cleanup_free_ char *text = NULL;
	size_t n;

	text = profile_format(p, &n);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(strlen(text), n);
	write_text(text);
}

START_TEST(test_round_trip)
{
	struct profile p = sample(), back;
	char err[PROFILE_ERROR_MAX];

	save(&p);
	memset(&back, 0x5a, sizeof(back));
	ck_assert_msg(profile_load(path, "Zoë", &back, err) == 0, "%s", err);
	ck_assert(profile_equal(&p, &back));
	/* the other end of every range, and nothing set */
	p.settings =
		(struct chair_settings) { .intensity = 1, .speed = 6, .width = WIDTH_NARROW, .session_limit_s = 1800 };
	p.shoulder_mm = 0;
	p.shoulder_adjust_mm = 0;
	p.favourite[0] = '\0';
	save(&p);
	ck_assert_msg(profile_load(path, NULL, &back, err) == 0, "%s", err);
	ck_assert(profile_equal(&p, &back));
}
END_TEST

/* The sample's text with the line of `key` replaced by `line` (removed when NULL). */
static void sample_with(const char *key, const char *line, char *buf, size_t size)
{
	struct profile p = sample();
	_cleanup_free_ char *text = NULL;
	size_t n;

	text = profile_format(&p, &n);
	ck_assert_ptr_nonnull(text);
	state_text_with(text, key, line, buf, size);
}

static void assert_refused(const char *text, unsigned line, const char *what)
{
	struct profile p;
	char err[PROFILE_ERROR_MAX], where[200];

	write_text(text);
	ck_assert_int_eq(profile_load(path, "Zoë", &p, err), -EINVAL);
	if (line)
		(void)snprintf(where, sizeof(where), "%s:%u: ", path, line);
	else
		(void)snprintf(where, sizeof(where), "%s: ", path);
	ck_assert_msg(strncmp(err, where, strlen(where)) == 0, "\"%s\" does not start with \"%s\"", err, where);
	ck_assert_msg(strstr(err, what), "\"%s\" does not say %s", err, what);
}

START_TEST(test_damaged)
{
	static const struct {
		const char *key, *line;
	} bad[] = {
		{ "Intensity", "Intensity=6" },
		{ "Speed", "Speed=" },
		{ "Width", "Width=huge" },
		{ "SessionLimit", "SessionLimit=301" },
		{ "PressureNeck", "PressureNeck=3" },
		{ "Focus", "Focus=neck elbow" },
		{ "Focus", "Focus=neck neck" },
		{ "Gentle", "Gentle=perhaps" },
		{ "HeatTarget", "HeatTarget=49" },
		{ "HeatTarget", "HeatTarget=12" },
		{ "HeatTarget", "HeatTarget=nan" },
		{ "ShoulderHeight", "ShoulderHeight=-1" },
		{ "ShoulderHeight", "ShoulderHeight=99999" },
		{ "ShoulderAdjust", "ShoulderAdjust=x" },
		{ "Favourite", "Favourite=../etc" },
		{ "Version", "Version=2" },
	};
	static const char *const required[] = { "Version",        "Intensity",    "Speed", "Width",
						"Heat",           "SessionLimit", "Name",  "ShoulderHeight",
						"ShoulderAdjust", "Favourite" };
	char text[2048];

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		sample_with(bad[i].key, bad[i].line, text, sizeof(text));
		assert_refused(text, state_text_line_of(text, bad[i].key), bad[i].line);
	}
	for (size_t i = 0; i < ELEMENTSOF(required); i++) {
		sample_with(required[i], NULL, text, sizeof(text));
		assert_refused(text, 0, required[i]);
	}
	/* the value is not repeated: the reason names the character */
	sample_with("Name", "Name=a/b", text, sizeof(text));
	assert_refused(text, state_text_line_of(text, "Name"), "Name=: A profile's name may hold letters");
	sample_with("Name", "Name=Zoe", text, sizeof(text));
	assert_refused(text, 0, "not the file's name");
	sample_with("Heat", "Heat=no\nColour=blue", text, sizeof(text));
	assert_refused(text, state_text_line_of(text, "Colour"), "unknown key Colour");
	sample_with("Heat", "Heat=no\n[Settings]", text, sizeof(text));
	assert_refused(text, state_text_line_of(text, "[Settings]"), "[Settings]");
	/* cut anywhere: Name= is last, so a cut file lacks it */
	{
		struct profile p = sample();
		_cleanup_free_ char *full = NULL;
		size_t n;

		full = profile_format(&p, &n);
		ck_assert_ptr_nonnull(full);
		for (size_t cut = 0; cut + 1 < n; cut += 7) {
			struct profile back;
			char err[PROFILE_ERROR_MAX];

			(void)snprintf(text, sizeof(text), "%.*s", (int)cut, full);
			write_text(text);
			ck_assert_msg(profile_load(path, "Zoë", &back, err) < 0, "a file cut at %zu loads", cut);
		}
	}
}
END_TEST

/* An optional key of a person's settings may be left out of the profile: the file
 * one version of massaged wrote before another key existed. */
START_TEST(test_optional_keys)
{
	struct profile p = sample(), back;
	char text[2048], err[PROFILE_ERROR_MAX];

	sample_with("Gentle", NULL, text, sizeof(text));
	write_text(text);
	ck_assert_msg(profile_load(path, "Zoë", &back, err) == 0, "%s", err);
	p.settings.gentle = false;
	ck_assert(profile_equal(&p, &back));
	ck_assert_int_eq(profile_load("/nonexistent/x.profile", NULL, &back, err), -ENOENT);
}
END_TEST

static Suite *profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_names_valid);
	tcase_add_test(tc, test_names_refused);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_damaged);
	tcase_add_test(tc, test_optional_keys);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(profile_suite());
}
