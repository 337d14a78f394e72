/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check-tap.h"
#include "test-files.h"
#include "chair-types.h"
#include "config.h"
#include "ini-file.h"

/* ---- temporary files ---- */

static char tmp_root[256];

static void tmp_setup(void)
{
	const char *base = getenv("TMPDIR");

	(void)snprintf(tmp_root, sizeof(tmp_root), "%s/test-config-XXXXXX", base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmp_root));
}

static void tmp_teardown(void)
{
	test_remove_tree(tmp_root);
}

/* Write `content` to tmp_root/name; returns the path (static: use before the next call). */
static const char *write_file(const char *name, const char *content)
{
	const char *path = test_write_file(tmp_root, name, content);

	ck_assert_ptr_nonnull(path);
	return path;
}

static void make_dir(const char *name)
{
	char path[PATH_MAX];

	(void)snprintf(path, sizeof(path), "%s/%s", tmp_root, name);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

/* Load `content` as a main file; returns config_load's result. */
static int load_text(const char *content, struct massaged_config *c, char *err)
{
	char path[PATH_MAX];

	(void)snprintf(path, sizeof(path), "%s", write_file("massaged.conf", content));
	return config_load(path, true, c, err);
}

/* err must start "TMP/massaged.conf:LINE:" and mention every `expect` */
static void assert_error_at(const char *err, unsigned line, const char *expect1, const char *expect2)
{
	char prefix[PATH_MAX + 32];

	(void)snprintf(prefix, sizeof(prefix), "%s/massaged.conf:%u: ", tmp_root, line);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "'%s' does not start '%s'", err, prefix);
	if (expect1)
		ck_assert_msg(strstr(err, expect1), "'%s' does not mention '%s'", err, expect1);
	if (expect2)
		ck_assert_msg(strstr(err, expect2), "'%s' does not mention '%s'", err, expect2);
}

static void assert_same_binding(const struct signal_binding *a, const struct signal_binding *b)
{
	ck_assert_int_eq(a->kind, b->kind);
	ck_assert_str_eq(a->line, b->line);
	ck_assert_uint_eq(a->coil, b->coil);
	ck_assert_int_eq(a->active_low, b->active_low);
	ck_assert_int_eq(a->bias, b->bias);
}

/* docs/hardware.md's table: every line by its own name, inputs active low with pull-ups
 * except the seat, outputs active high; 115200 8E1 on /dev/ttyAMA0, slaves 1, 2, 3. */
static void assert_default_wiring(const struct hardware_config *hw)
{
	struct hardware_config d;

	hardware_config_init_defaults(&d);
	ck_assert_str_eq(hw->gpio_chip, "gpiochip0");
	ck_assert_uint_eq(hw->debounce_ms, 20);
	for (int i = 0; i < _INPUT_MAX; i++)
		assert_same_binding(&hw->inputs[i], &d.inputs[i]);
	for (int o = 0; o < _OUTPUT_MAX; o++)
		assert_same_binding(&hw->outputs[o], &d.outputs[o]);
	ck_assert_str_eq(hw->inputs[INPUT_ESTOP].line, "ESTOP");
	ck_assert(hw->inputs[INPUT_ESTOP].active_low);
	ck_assert_int_eq(hw->inputs[INPUT_ESTOP].bias, BIAS_PULL_UP);
	ck_assert_int_eq(hw->inputs[INPUT_SEAT].bias, BIAS_AS_IS);
	ck_assert_str_eq(hw->outputs[OUTPUT_HEAT_LOWER_BACK].line, "HEAT_LOWER_BACK");
	ck_assert(!hw->outputs[OUTPUT_HEAT_LOWER_BACK].active_low);
	ck_assert_int_eq(hw->modbus.transport, MODBUS_TRANSPORT_RTU);
	ck_assert_str_eq(hw->modbus.device, "/dev/ttyAMA0");
	ck_assert_uint_eq(hw->modbus.baud, 115200);
	ck_assert_int_eq(hw->modbus.parity, 'E');
	ck_assert_uint_eq(hw->modbus.data_bits, 8);
	ck_assert_uint_eq(hw->modbus.stop_bits, 1);
	ck_assert_uint_eq(hw->modbus.timeout_ms, 50);
	ck_assert_uint_eq(hw->modbus.roller_slave, 1);
	ck_assert_uint_eq(hw->modbus.temp_slave, 2);
	ck_assert_uint_eq(hw->modbus.relay_slave, 3);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_uint_eq(
			hardware_sensor_channel(hw, (enum zone[]) { ZONE_NECK, ZONE_SHOULDERS, ZONE_LOWER_BACK }[i], i),
			i);
}

static void assert_defaults(const struct massaged_config *c)
{
	ck_assert_uint_eq(c->session_minutes, 20);
	ck_assert_uint_eq(c->max_session_minutes, 30);
	ck_assert_uint_eq(c->seat_grace_s, 30);
	ck_assert_str_eq(c->default_program, "full");
	ck_assert_uint_eq(c->default_shoulder_mm, 600);
	ck_assert_uint_eq(c->intensity, 3);
	ck_assert_uint_eq(c->speed, 3);
	ck_assert_int_eq(c->width, WIDTH_MEDIUM);
	ck_assert_uint_eq(c->limits.track_min_mm, 0);
	ck_assert_uint_eq(c->limits.track_max_mm, 780);
	ck_assert_uint_eq(c->limits.depth_max_mm, 40);
	ck_assert_uint_eq(c->limits.width_min_mm, 60);
	ck_assert_uint_eq(c->limits.width_max_mm, 180);
	ck_assert_uint_eq(c->limits.travel_speed_max, 120);
	ck_assert_uint_eq(c->limits.knead_speed_max, 60);
	ck_assert_uint_eq(c->limits.tap_rate_max, 720);
	ck_assert_double_eq(c->default_target_c, 42.0);
	ck_assert_double_eq(c->max_target_c, 45.0);
	ck_assert_uint_eq(c->dose_window_h, 24);
	ck_assert_uint_eq(c->n_pads, 3);
	ck_assert_int_eq(c->pads[0].zone, ZONE_NECK);
	ck_assert_int_eq(c->pads[1].zone, ZONE_SHOULDERS);
	ck_assert_int_eq(c->pads[2].zone, ZONE_LOWER_BACK);
	for (unsigned i = 0; i < c->n_pads; i++)
		ck_assert_double_eq(c->pads[i].max_target_c, 45.0);
	assert_default_wiring(&c->hw);
	ck_assert_str_eq(c->program_library, "");
	ck_assert_str_eq(c->program_override, "");
	ck_assert_uint_eq(c->sim_shoulder_mm, 600);
	ck_assert_double_eq(c->sim_load_noise_n, 2.0);
}

/* ---- chair-types ---- */

START_TEST(test_names)
{
	ck_assert_str_eq(technique_to_string(TECHNIQUE_SHIATSU), "shiatsu");
	ck_assert_int_eq(technique_from_string("deep"), TECHNIQUE_DEEP);
	ck_assert_int_eq(technique_from_string("Deep"), TECHNIQUE_INVALID);
	ck_assert_int_eq(technique_from_string(NULL), TECHNIQUE_INVALID);
	ck_assert_ptr_null(technique_to_string(_TECHNIQUE_MAX));
	ck_assert_ptr_null(technique_to_string(TECHNIQUE_INVALID));
	for (int t = 0; t < _TECHNIQUE_MAX; t++)
		ck_assert_int_eq(technique_from_string(technique_to_string(t)), t);
	for (int z = 0; z < _ZONE_MAX; z++)
		ck_assert_int_eq(zone_from_string(zone_to_string(z)), z);
	for (int w = 0; w < _WIDTH_MAX; w++)
		ck_assert_int_eq(width_from_string(width_to_string(w)), w);
	ck_assert_str_eq(zone_to_string(ZONE_UPPER_BACK), "upper-back");
	ck_assert_int_eq(zone_from_string("lower-back"), ZONE_LOWER_BACK);
	ck_assert_int_eq(zone_from_string("arm"), ZONE_INVALID);
	ck_assert_str_eq(width_to_string(WIDTH_WIDE), "wide");
	ck_assert_int_eq(width_from_string("huge"), WIDTH_INVALID);
}
END_TEST

START_TEST(test_parsers)
{
	unsigned u = 7;
	int i = 7;
	double d = 7;

	ck_assert_int_eq(parse_boolean("yes"), 1);
	ck_assert_int_eq(parse_boolean("On"), 1);
	ck_assert_int_eq(parse_boolean("1"), 1);
	ck_assert_int_eq(parse_boolean("false"), 0);
	ck_assert_int_eq(parse_boolean("0"), 0);
	ck_assert_int_eq(parse_boolean("maybe"), -EINVAL);
	ck_assert_int_eq(parse_boolean(""), -EINVAL);

	ck_assert_int_eq(parse_uint_range("30", 5, 30, &u), 0);
	ck_assert_uint_eq(u, 30);
	ck_assert_int_eq(parse_uint_range("31", 5, 30, &u), -ERANGE);
	ck_assert_int_eq(parse_uint_range("4", 5, 30, &u), -ERANGE);
	ck_assert_int_eq(parse_uint_range("-1", 0, 30, &u), -EINVAL);
	ck_assert_int_eq(parse_uint_range("+1", 0, 30, &u), -EINVAL);
	ck_assert_int_eq(parse_uint_range("12x", 0, 30, &u), -EINVAL);
	ck_assert_int_eq(parse_uint_range(" 12", 0, 30, &u), -EINVAL);
	ck_assert_int_eq(parse_uint_range("", 0, 30, &u), -EINVAL);
	ck_assert_int_eq(parse_uint_range("99999999999999999999999", 0, 30, &u), -ERANGE);
	ck_assert_uint_eq(u, 30); /* untouched on failure */

	ck_assert_int_eq(parse_int_range("-2", -2, 2, &i), 0);
	ck_assert_int_eq(i, -2);
	ck_assert_int_eq(parse_int_range("+2", -2, 2, &i), 0);
	ck_assert_int_eq(i, 2);
	ck_assert_int_eq(parse_int_range("3", -2, 2, &i), -ERANGE);
	ck_assert_int_eq(parse_int_range("-", -2, 2, &i), -EINVAL);
	ck_assert_int_eq(parse_int_range("1.0", -2, 2, &i), -EINVAL);

	ck_assert_int_eq(parse_double_range("42.5", 30, 48, &d), 0);
	ck_assert_double_eq(d, 42.5);
	ck_assert_int_eq(parse_double_range("48.5", 30, 48, &d), -ERANGE);
	ck_assert_int_eq(parse_double_range("nan", 30, 48, &d), -EINVAL);
	ck_assert_int_eq(parse_double_range("inf", 30, 48, &d), -EINVAL);
	ck_assert_int_eq(parse_double_range("0x2A", 30, 48, &d), -EINVAL);
	ck_assert_int_eq(parse_double_range("1e400", 30, 48, &d), -ERANGE);
	ck_assert_int_eq(parse_double_range("42 C", 30, 48, &d), -EINVAL);
	ck_assert_double_eq(d, 42.5);
}
END_TEST

/* ---- configuration ---- */

START_TEST(test_defaults)
{
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX];
	char missing[PATH_MAX];

	config_init_defaults(&c);
	assert_defaults(&c);
	ck_assert_ptr_nonnull(config_find_pad(&c, ZONE_NECK));
	ck_assert_ptr_null(config_find_pad(&c, ZONE_UPPER_BACK));

	/* a missing optional file: the built-in defaults */
	(void)snprintf(missing, sizeof(missing), "%s/nothing.conf", tmp_root);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(config_load(missing, false, &c, err), 0);
	assert_defaults(&c);
	ck_assert_int_eq(config_load(NULL, false, &c, err), 0);
	assert_defaults(&c);
}
END_TEST

START_TEST(test_every_key)
{
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX];
	int r;

	r = load_text("[Chair]\n"
		      "SessionMinutes=15\n"
		      "MaxSessionMinutes=25\n"
		      "SeatEmptyGraceSeconds=10\n"
		      "DefaultProgram=hot-stone\n"
		      "DefaultShoulderHeight=550\n"
		      "[Defaults]\n"
		      "Intensity=5\n"
		      "Speed=6\n"
		      "Width=narrow\n"
		      "[Limits]\n"
		      "TrackMin=20\n"
		      "TrackMax=700\n"
		      "DepthMax=30\n"
		      "WidthMin=80\n"
		      "WidthMax=160\n"
		      "TravelSpeedMax=100\n"
		      "KneadSpeedMax=0\n"
		      "TapRateMax=600\n"
		      "[Heat]\n"
		      "DefaultTarget=40.5\n"
		      "MaxTarget=44\n"
		      "Pads=back neck\n"
		      "DoseWindow=48\n"
		      "[Programs]\n"
		      "Library=/opt/programs\n"
		      "Override=/srv/programs\n"
		      "[Simulator]\n"
		      "  ShoulderHeight = 650  ; indented, with blanks and a comment\n"
		      "LoadNoise=0\n",
		      &c, err);
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_uint_eq(c.session_minutes, 15);
	ck_assert_uint_eq(c.max_session_minutes, 25);
	ck_assert_uint_eq(c.seat_grace_s, 10);
	ck_assert_str_eq(c.default_program, "hot-stone");
	ck_assert_uint_eq(c.default_shoulder_mm, 550);
	ck_assert_uint_eq(c.intensity, 5);
	ck_assert_uint_eq(c.speed, 6);
	ck_assert_int_eq(c.width, WIDTH_NARROW);
	ck_assert_uint_eq(c.limits.track_min_mm, 20);
	ck_assert_uint_eq(c.limits.track_max_mm, 700);
	ck_assert_uint_eq(c.limits.depth_max_mm, 30);
	ck_assert_uint_eq(c.limits.width_min_mm, 80);
	ck_assert_uint_eq(c.limits.width_max_mm, 160);
	ck_assert_uint_eq(c.limits.travel_speed_max, 100);
	ck_assert_uint_eq(c.limits.knead_speed_max, 0);
	ck_assert_uint_eq(c.limits.tap_rate_max, 600);
	ck_assert_double_eq(c.default_target_c, 40.5);
	ck_assert_double_eq(c.max_target_c, 44);
	ck_assert_uint_eq(c.dose_window_h, 48);
	ck_assert_uint_eq(c.n_pads, 2);
	ck_assert_int_eq(c.pads[0].zone, ZONE_BACK);
	ck_assert_int_eq(c.pads[1].zone, ZONE_NECK);
	ck_assert_double_eq(c.pads[0].max_target_c, 44);
	ck_assert_double_eq(c.pads[1].max_target_c, 44);
	ck_assert_ptr_null(config_find_pad(&c, ZONE_SHOULDERS));
	ck_assert_str_eq(c.program_library, "/opt/programs");
	ck_assert_str_eq(c.program_override, "/srv/programs");
	ck_assert_uint_eq(c.sim_shoulder_mm, 650);
	ck_assert_double_eq(c.sim_load_noise_n, 0);
}
END_TEST

START_TEST(test_empty_pads_and_paths)
{
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX];
	int r;

	r = load_text("[Heat]\nPads=\n[Programs]\nLibrary=\nOverride=\n", &c, err);
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_uint_eq(c.n_pads, 0);
	ck_assert_str_eq(c.program_library, "");
}
END_TEST

START_TEST(test_unknown_key)
{
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX];

	ck_assert_int_eq(load_text("[Chair]\nSessionMinutes=10\nSessionMinute=10\n", &c, err), -EINVAL);
	assert_error_at(err, 3, "SessionMinute'", "SessionMinutes=, MaxSessionMinutes=");
	ck_assert_ptr_nonnull(strstr(err, "DefaultShoulderHeight="));

	/* keys are per section: Speed belongs to [Defaults] */
	ck_assert_int_eq(load_text("[Limits]\nSpeed=3\n", &c, err), -EINVAL);
	assert_error_at(err, 2, "[Limits]", "TrackMin=");
}
END_TEST

START_TEST(test_unknown_section)
{
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX];

	ck_assert_int_eq(load_text("# comment\n[Chair]\n\n[Hardware]\nFoo=1\n", &c, err), -EINVAL);
	assert_error_at(err, 4, "[Hardware]",
			"[Chair], [Defaults], [Limits], [Heat], [Gentle], [Programs], "
			"[GPIO], [Modbus], [Binding], [Simulator]");

	ck_assert_int_eq(load_text("Intensity=3\n[Defaults]\n", &c, err), -EINVAL);
	assert_error_at(err, 1, "Intensity=", "section");
}
END_TEST

START_TEST(test_syntax_error)
{
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX];
	char line[INI_FILE_LINE_MAX + 40];

	ck_assert_int_eq(load_text("[Chair]\nSessionMinutes=10\nthis is not a key\nBogus=1\n", &c, err), -EINVAL);
	assert_error_at(err, 3, "syntax error", "this is not a key");

	ck_assert_int_eq(load_text("[Chair]\n[Defaults\nIntensity=2\n", &c, err), -EINVAL);
	assert_error_at(err, 2, "syntax error", NULL);

	/* longer than the line limit: refused, not split into two lines */
	memset(line, 'x', sizeof(line));
	memcpy(line, "[Chair]\nDefaultProgram=", 23);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	ck_assert_int_eq(load_text(line, &c, err), -EINVAL);
	assert_error_at(err, 2, "too long", NULL);
}
END_TEST

struct bad_value {
	const char *section, *assignment, *expected;
};

static const struct bad_value bad_values[] = {
	{ "Chair", "SessionMinutes=7", "5..30 (minutes), a multiple of 5" },
	{ "Chair", "SessionMinutes=35", "5..30 (minutes)" },
	{ "Chair", "MaxSessionMinutes=0", "5..30 (minutes), a multiple of 5" },
	{ "Chair", "SeatEmptyGraceSeconds=0", "1..30 (seconds)" },
	{ "Chair", "SeatEmptyGraceSeconds=31", "1..30 (seconds)" },
	{ "Chair", "DefaultProgram=Full Body", "a program id" },
	{ "Chair", "DefaultShoulderHeight=299", "300..780 (mm" },
	{ "Defaults", "Intensity=0", "1..5" },
	{ "Defaults", "Intensity=-1", "1..5" },
	{ "Defaults", "Speed=7", "1..6" },
	{ "Defaults", "Speed=3x", "1..6" },
	{ "Defaults", "Width=huge", "narrow, medium or wide" },
	{ "Limits", "TrackMin=781", "0..780 (mm" },
	{ "Limits", "TrackMax=1000", "0..780 (mm" },
	{ "Limits", "DepthMax=51", "0..50 (mm)" },
	{ "Limits", "WidthMin=59", "60..180 (mm)" },
	{ "Limits", "WidthMax=181", "60..180 (mm)" },
	{ "Limits", "TravelSpeedMax=0", "1..120 (mm/s)" },
	{ "Limits", "KneadSpeedMax=61", "0..60 (rpm)" },
	{ "Limits", "TapRateMax=721", "0..720 (taps/min)" },
	{ "Heat", "DefaultTarget=29.9", "30..48" },
	{ "Heat", "DefaultTarget=hot", "30..48" },
	{ "Heat", "MaxTarget=25", "30..48" },
	{ "Heat", "DoseWindow=0", "1..168 (hours)" },
	{ "Heat", "DoseWindow=169", "1..168 (hours)" },
	{ "Heat", "Pads=neck arm", "'arm' is not a zone" },
	{ "Heat", "Pads=neck shoulders neck", "'neck' is listed twice" },
	{ "Programs", "Library=programs", "absolute path" },
	{ "Programs", "Override=~/programs", "absolute path" },
	{ "Simulator", "ShoulderHeight=800", "300..780 (mm" },
	{ "Simulator", "LoadNoise=20.5", "0..20 (newtons)" },
	{ "Simulator", "LoadNoise=-1", "0..20 (newtons)" },
};

START_TEST(test_bad_value)
{
	const struct bad_value *b = &bad_values[_i];
	struct massaged_config c, before;
	char text[256], err[CONFIG_ERROR_MAX];

	(void)snprintf(text, sizeof(text), "; line 1\n[%s]\n\n%s\n", b->section, b->assignment);
	config_init_defaults(&c);
	before = c;
	ck_assert_int_lt(load_text(text, &c, err), 0);
	assert_error_at(err, 4, b->assignment, b->expected);
	ck_assert_int_eq(memcmp(&c, &before, sizeof(c)), 0);
}
END_TEST

START_TEST(test_max_target_ceiling)
{
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX];
	int r;

	r = load_text("[Heat]\nMaxTarget=48\nDefaultTarget=48\n", &c, err);
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_double_eq(c.max_target_c, HEAT_HARD_CEILING_C);
	for (unsigned i = 0; i < c.n_pads; i++)
		ck_assert_double_eq(c.pads[i].max_target_c, 48);

	ck_assert_int_lt(load_text("[Heat]\nMaxTarget=48.5\n", &c, err), 0);
	assert_error_at(err, 2, "48 °C", "docs/safety-rules.md");
	ck_assert_int_lt(load_text("[Heat]\nMaxTarget=60\n", &c, err), 0);
	assert_error_at(err, 2, "hard ceiling", "30..48");
}
END_TEST

/* [Gentle] MaxTarget: 30..48, 40 by default; [Heat] MaxTarget is another key. */
START_TEST(test_gentle_max_target)
{
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX];
	int r;

	r = load_text("[Heat]\nMaxTarget=44\n", &c, err);
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_double_eq(c.gentle_max_target_c, 40.0);
	r = load_text("[Gentle]\nMaxTarget=38.5\n", &c, err);
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_double_eq(c.gentle_max_target_c, 38.5);
	ck_assert_double_eq(c.max_target_c, 45.0);
	ck_assert_int_lt(load_text("[Gentle]\nMaxTarget=48.5\n", &c, err), 0);
	assert_error_at(err, 2, "30..48", "MaxTarget");
	ck_assert_int_lt(load_text("[Gentle]\nMaxTarget=29\n", &c, err), 0);
	assert_error_at(err, 2, "30..48", "MaxTarget");
}
END_TEST

START_TEST(test_cross_field)
{
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX];
	int r;

	ck_assert_int_lt(load_text("[Chair]\nMaxSessionMinutes=20\nSessionMinutes=25\n", &c, err), 0);
	assert_error_at(err, 3, "SessionMinutes=25", "MaxSessionMinutes=20");
	ck_assert_int_lt(load_text("[Chair]\nMaxSessionMinutes=15\n", &c, err), 0);
	assert_error_at(err, 2, "SessionMinutes=20", "MaxSessionMinutes=15");

	ck_assert_int_lt(load_text("[Limits]\nTrackMin=500\nTrackMax=700\n", &c, err), 0);
	assert_error_at(err, 3, "TrackMin=500", "300 mm");
	ck_assert_int_lt(load_text("[Limits]\nTrackMin=780\n", &c, err), 0);
	assert_error_at(err, 2, "TrackMin < TrackMax", NULL);
	ck_assert_int_lt(load_text("[Limits]\nWidthMin=150\nWidthMax=100\n", &c, err), 0);
	assert_error_at(err, 3, "WidthMin < WidthMax", NULL);

	/* DefaultTarget is checked against MaxTarget whatever their order */
	ck_assert_int_lt(load_text("[Heat]\nDefaultTarget=46\n", &c, err), 0);
	assert_error_at(err, 2, "DefaultTarget=46", "30..45");
	r = load_text("[Heat]\nDefaultTarget=46\nMaxTarget=47\n", &c, err);
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_double_eq(c.default_target_c, 46);
}
END_TEST

START_TEST(test_dropins)
{
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX], main_path[PATH_MAX];
	int r;

	(void)snprintf(main_path, sizeof(main_path), "%s",
		       write_file("massaged.conf", "[Defaults]\nIntensity=2\n[Heat]\nMaxTarget=47\n"));
	make_dir("massaged.conf.d");
	(void)write_file("massaged.conf.d/20-b.conf", "[Defaults]\nIntensity=5\n");
	(void)write_file("massaged.conf.d/10-a.conf", "[Defaults]\nIntensity=4\nSpeed=5\n[Heat]\nPads=upper-back\n");
	(void)write_file("massaged.conf.d/30-c.conf.disabled", "garbage\n");
	(void)write_file("massaged.conf.d/README", "not a drop-in\n");

	r = config_load(main_path, true, &c, err);
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_uint_eq(c.intensity, 5); /* 20-b.conf after 10-a.conf */
	ck_assert_uint_eq(c.speed, 5);
	ck_assert_uint_eq(c.n_pads, 1);
	ck_assert_int_eq(c.pads[0].zone, ZONE_UPPER_BACK);
	ck_assert_double_eq(c.pads[0].max_target_c, 47); /* MaxTarget of the main file */

	/* drop-ins apply without a main file too, and their errors name them */
	(void)remove(main_path);
	(void)write_file("massaged.conf.d/40-d.conf", "[Defaults]\nWidth=wide\n\nSpeed=9\n");
	ck_assert_int_lt(config_load(main_path, false, &c, err), 0);
	ck_assert_msg(strstr(err, "massaged.conf.d/40-d.conf:4: [Defaults] Speed=9"), "%s", err);
}
END_TEST

START_TEST(test_cross_field_names_dropin)
{
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX], main_path[PATH_MAX];

	(void)snprintf(main_path, sizeof(main_path), "%s",
		       write_file("massaged.conf", "[Chair]\nMaxSessionMinutes=20\n"));
	make_dir("massaged.conf.d");
	(void)write_file("massaged.conf.d/local.conf", "\n[Chair]\nSessionMinutes=30\n");
	ck_assert_int_lt(config_load(main_path, true, &c, err), 0);
	ck_assert_msg(strstr(err, "massaged.conf.d/local.conf:3: "), "%s", err);
}
END_TEST

START_TEST(test_missing_required)
{
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX], path[PATH_MAX];

	(void)snprintf(path, sizeof(path), "%s/absent.conf", tmp_root);
	memset(&c, 0x5a, sizeof(c));
	ck_assert_int_eq(config_load(path, true, &c, err), -ENOENT);
	ck_assert_msg(strncmp(err, path, strlen(path)) == 0, "%s", err);
	ck_assert_ptr_nonnull(strstr(err, "missing"));
	ck_assert_uint_eq(c.intensity, 0x5a5a5a5a); /* untouched */
}
END_TEST

START_TEST(test_failure_leaves_ret)
{
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX];

	memset(&c, 0x5a, sizeof(c));
	ck_assert_int_lt(load_text("[Defaults]\nIntensity=4\nSpeed=0\n", &c, err), 0);
	ck_assert_uint_eq(c.intensity, 0x5a5a5a5a);
}
END_TEST

static const char *const example_keys[] = {
	"SessionMinutes",
	"MaxSessionMinutes",
	"SeatEmptyGraceSeconds",
	"DefaultProgram",
	"DefaultShoulderHeight",
	"Intensity",
	"Speed",
	"Width",
	"TrackMin",
	"TrackMax",
	"DepthMax",
	"WidthMin",
	"WidthMax",
	"TravelSpeedMax",
	"KneadSpeedMax",
	"TapRateMax",
	"DefaultTarget",
	"MaxTarget",
	"Pads",
	"Library",
	"Override",
	"ShoulderHeight",
	"LoadNoise",
	"Chip",
	"Debounce",
	"Transport",
	"Device",
	"Baud",
	"Parity",
	"DataBits",
	"StopBits",
	"Host",
	"Port",
	"Timeout",
	"RollerSlave",
	"TemperatureSlave",
	"RelaySlave",
	"EmergencyStop",
	"Seat",
	"ButtonPower",
	"ButtonNeck",
	"ButtonShoulder",
	"ButtonBack",
	"ButtonPause",
	"ButtonUp",
	"ButtonDown",
	"ButtonHeat",
	"MotorPower",
	"HeatPower",
	"HeatNeck",
	"HeatShoulders",
	"HeatLowerBack",
	"Led",
	"SensorNeck",
	"SensorShoulders",
	"SensorLowerBack",
};

/* The shipped example: loads as is, and with every "#Key=" uncommented it still gives
 * exactly the built-in defaults, so its documentation cannot drift from the code. */
/* The wiring of a chair whose pads switch on the relay board, read through drop-ins. */
START_TEST(test_binding)
{
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX];
	int r;

	r = load_text("[GPIO]\nChip=/dev/gpiochip3\nDebounce=5\n"
		      "[Modbus]\nTransport=tcp\nHost=10.0.0.9\nPort=1502\nParity=none\nTimeout=30\n"
		      "[Binding]\nEmergencyStop=gpio:STOP_BUTTON active-high pull-down\n"
		      "Seat=gpio:SEAT no-pull\nButtonHeat=none\nHeatNeck=coil:0\n"
		      "HeatShoulders=coil:1 active-low\nHeatLowerBack=coil:7\nLed=none\n"
		      "SensorNeck=5\nSensorLowerBack=0\n",
		      &c, err);
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_str_eq(c.hw.gpio_chip, "/dev/gpiochip3");
	ck_assert_uint_eq(c.hw.debounce_ms, 5);
	ck_assert_int_eq(c.hw.modbus.transport, MODBUS_TRANSPORT_TCP);
	ck_assert_str_eq(c.hw.modbus.host, "10.0.0.9");
	ck_assert_uint_eq(c.hw.modbus.port, 1502);
	ck_assert_int_eq(c.hw.modbus.parity, 'N');
	ck_assert_uint_eq(c.hw.modbus.timeout_ms, 30);
	ck_assert_str_eq(c.hw.inputs[INPUT_ESTOP].line, "STOP_BUTTON");
	ck_assert(!c.hw.inputs[INPUT_ESTOP].active_low);
	ck_assert_int_eq(c.hw.inputs[INPUT_ESTOP].bias, BIAS_PULL_DOWN);
	ck_assert_int_eq(c.hw.inputs[INPUT_SEAT].bias, BIAS_NONE);
	ck_assert(c.hw.inputs[INPUT_SEAT].active_low);
	ck_assert_int_eq(c.hw.inputs[INPUT_BTN_HEAT].kind, SIGNAL_NONE);
	ck_assert_int_eq(c.hw.outputs[OUTPUT_HEAT_NECK].kind, SIGNAL_COIL);
	ck_assert_uint_eq(c.hw.outputs[OUTPUT_HEAT_LOWER_BACK].coil, 7);
	ck_assert(c.hw.outputs[OUTPUT_HEAT_SHOULDERS].active_low);
	ck_assert(!c.hw.outputs[OUTPUT_HEAT_NECK].active_low);
	ck_assert_int_eq(c.hw.outputs[OUTPUT_LED].kind, SIGNAL_NONE);
	/* neck on 5 and lower-back on 0 as bound; shoulders keeps its place, 1 */
	ck_assert_uint_eq(hardware_sensor_channel(&c.hw, ZONE_NECK, 0), 5);
	ck_assert_uint_eq(hardware_sensor_channel(&c.hw, ZONE_SHOULDERS, 1), 1);
	ck_assert_uint_eq(hardware_sensor_channel(&c.hw, ZONE_LOWER_BACK, 2), 0);
}
END_TEST

/* Each bad wiring is refused with the file, line and what would do. */
START_TEST(test_binding_refused)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *says1, *says2;
	} cases[] = {
		{ "[Binding]\nEmergencyStop=none\n", 2, "EmergencyStop=none", "emergency stop and the seat" },
		{ "[Binding]\nSeat=none\n", 2, "Seat=none", "seat wired" },
		{ "[Binding]\nSeat=coil:2\n", 2, "Seat=coil:2", "no digital inputs" },
		{ "[Binding]\nHeatNeck=coil:8\n", 2, "HeatNeck=coil:8", "coil:0..7" },
		{ "[Binding]\nHeatNeck=gpio:\n", 2, "HeatNeck=gpio:", "gpio:LINE" },
		{ "[Binding]\nHeatNeck=gpio:X pull-up\n", 2, "pull-up", "active-low or active-high" },
		{ "[Binding]\nMotorPower=relay:1\n", 2, "MotorPower=relay:1", "coil:0..7" },
		{ "[Binding]\nSensorNeck=8\n", 2, "SensorNeck=8", "0..7" },
		{ "[Modbus]\nTransport=udp\n", 2, "Transport=udp", "rtu or tcp" },
		{ "[Modbus]\nParity=mark\n", 2, "Parity=mark", "none, even or odd" },
		{ "[Modbus]\nTimeout=1000\n", 2, "Timeout=1000", "10..250" },
		{ "[Modbus]\nRollerSlave=0\n", 2, "RollerSlave=0", "1..247" },
		{ "[Modbus]\nTransport=tcp\n", 2, "Transport=tcp", "Host=" },
		{ "[Binding]\nLed=gpio:ESTOP\n", 0, "ESTOP and LED", "gpio:ESTOP" },
		{ "[Binding]\nHeatNeck=coil:1\nHeatShoulders=coil:1\n", 0, "HEAT_NECK and HEAT_SHOULDERS", "coil:1" },
		{ "[Binding]\nSensorShoulders=0\n", 0, "neck and shoulders", "channel 0" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct massaged_config c;
		char err[CONFIG_ERROR_MAX];

		ck_assert_msg(load_text(cases[i].text, &c, err) == -EINVAL, "accepted: %s", cases[i].text);
		if (cases[i].line)
			assert_error_at(err, cases[i].line, cases[i].says1, cases[i].says2);
		else
			ck_assert_msg(strstr(err, cases[i].says1) && strstr(err, cases[i].says2),
				      "'%s' lacks '%s' or '%s'", err, cases[i].says1, cases[i].says2);
	}
}
END_TEST

/* The wiring examples in config/examples/ load and say what their comments say. */
START_TEST(test_wiring_examples)
{
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX];

	ck_assert_msg(config_load(SOURCE_ROOT "/config/examples/gpio-rtu.conf", true, &c, err) == 0, "%s", err);
	ck_assert_int_eq(c.hw.modbus.transport, MODBUS_TRANSPORT_RTU);
	ck_assert_str_eq(c.hw.modbus.device, "/dev/ttyAMA0");
	for (int o = 0; o < _OUTPUT_MAX; o++)
		ck_assert_int_eq(c.hw.outputs[o].kind, SIGNAL_GPIO);

	ck_assert_msg(config_load(SOURCE_ROOT "/config/examples/tcp-gateway.conf", true, &c, err) == 0, "%s", err);
	ck_assert_int_eq(c.hw.modbus.transport, MODBUS_TRANSPORT_TCP);
	ck_assert_str_eq(c.hw.modbus.host, "192.168.10.20");
	ck_assert_int_eq(c.hw.outputs[OUTPUT_HEAT_POWER].kind, SIGNAL_GPIO);
	ck_assert_int_eq(c.hw.outputs[OUTPUT_HEAT_NECK].kind, SIGNAL_COIL);
	ck_assert_uint_eq(c.hw.outputs[OUTPUT_HEAT_LOWER_BACK].coil, 2);
	ck_assert_int_eq(c.hw.inputs[INPUT_BTN_NECK].kind, SIGNAL_GPIO);
}
END_TEST

START_TEST(test_example_config)
{
	const char *example = SOURCE_ROOT "/config/massaged.conf";
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX], line[256], key[64];
	char *text = calloc(1, 32768);
	size_t n = 0;
	FILE *f;
	int r;

	r = config_load(example, true, &c, err);
	ck_assert_msg(r == 0, "%s", err);
	assert_defaults(&c);

	f = fopen(example, "re");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		bool is_key = line[0] == '#' && line[1] >= 'A' && line[1] <= 'Z' && strchr(line, '=');

		n += (size_t)snprintf(text + n, 32768 - n, "%s", is_key ? line + 1 : line);
	}
	(void)fclose(f);
	for (size_t i = 0; i < sizeof(example_keys) / sizeof(example_keys[0]); i++) {
		(void)snprintf(key, sizeof(key), "\n%s=", example_keys[i]);
		ck_assert_msg(strstr(text, key), "example lacks %s", example_keys[i]);
	}
	r = load_text(text, &c, err);
	ck_assert_msg(r == 0, "%s", err);
	assert_defaults(&c);
	free(text);
}
END_TEST

/* Files that could stall a load (issue 13): a FIFO is refused unopened (opening one
 * for reading waits for a writer: before the fix this case hangs until Check's
 * timeout), and a file or a drop-in directory over its limit is refused naming it. */
START_TEST(test_file_limits)
{
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX], main_path[PATH_MAX], path[PATH_MAX], *big;
	int r;

	(void)snprintf(main_path, sizeof(main_path), "%s", write_file("massaged.conf", "[Defaults]\nIntensity=2\n"));
	make_dir("massaged.conf.d");
	(void)snprintf(path, sizeof(path), "%s/massaged.conf.d/50-fifo.conf", tmp_root);
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	ck_assert_int_eq(config_load(main_path, true, &c, err), -EINVAL);
	ck_assert_msg(strstr(err, "50-fifo.conf: a FIFO, expected a regular file"), "%s", err);
	(void)remove(path);

	/* a main file of CONFIG_FILE_SIZE_MAX loads; one byte more does not */
	big = malloc(CONFIG_FILE_SIZE_MAX + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, '#', CONFIG_FILE_SIZE_MAX);
	for (size_t i = 80; i < CONFIG_FILE_SIZE_MAX; i += 80)
		big[i] = '\n';
	big[CONFIG_FILE_SIZE_MAX - 1] = '\n';
	big[CONFIG_FILE_SIZE_MAX] = '\0';
	(void)write_file("massaged.conf", big);
	r = config_load(main_path, true, &c, err);
	ck_assert_msg(r == 0, "%s", err);
	big[CONFIG_FILE_SIZE_MAX] = '\n';
	big[CONFIG_FILE_SIZE_MAX + 1] = '\0';
	(void)write_file("massaged.conf", big);
	free(big);
	ck_assert_int_eq(config_load(main_path, true, &c, err), -EFBIG);
	ck_assert_msg(strstr(err, main_path) && strstr(err, "larger than the limit of 65536 bytes"), "%s", err);

	/* CONFIG_DROPINS_MAX drop-ins load; one more is refused, naming the directory */
	(void)write_file("massaged.conf", "[Defaults]\nIntensity=2\n");
	for (unsigned i = 0; i <= CONFIG_DROPINS_MAX; i++) {
		(void)snprintf(path, sizeof(path), "massaged.conf.d/%04u.conf", i);
		if (i < CONFIG_DROPINS_MAX)
			(void)write_file(path, "[Defaults]\nSpeed=4\n");
	}
	r = config_load(main_path, true, &c, err);
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_uint_eq(c.speed, 4);
	(void)write_file(path, "[Defaults]\nSpeed=4\n");
	ck_assert_int_eq(config_load(main_path, true, &c, err), -E2BIG);
	ck_assert_msg(strstr(err, "massaged.conf.d: more than 1024 *.conf files, expected at most 1024"), "%s", err);
}
END_TEST

/* The master heater relay and motor power are the cut-offs that work without Modbus:
 * a configuration that puts them on the relay board, or nowhere while a pad can heat,
 * is refused with the file, line and why. Pads may stay on coils. */
START_TEST(test_power_relays_need_gpio)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *says1, *says2;
	} refused[] = {
		{ "[Binding]\nHeatPower=coil:3\n", 2, "HeatPower=coil:3", "a silent board cannot open its own coils" },
		{ "[Binding]\nHeatNeck=coil:0\nHeatPower=coil:3 active-low\n", 3, "HeatPower=coil:3 active-low",
		  "independent of" },
		{ "[Binding]\nMotorPower=coil:4\n", 2, "MotorPower=coil:4", "neither board can do for itself" },
		{ "[Binding]\nMotorPower=none\n", 2, "MotorPower=none", "gpio:LINE" },
		{ "[Binding]\nHeatPower=none\n", 2, "HeatPower=none while the neck pad can heat",
		  "independent cut-off" },
		{ "[Heat]\nPads=lower-back\n[Binding]\nHeatNeck=none\nHeatPower=none\nHeatLowerBack=coil:2\n", 5,
		  "lower-back pad can heat (its relay is HEAT_LOWER_BACK)", "gpio:LINE" },
	};
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX];
	int r;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		ck_assert_msg(load_text(refused[i].text, &c, err) == -EINVAL, "accepted: %s", refused[i].text);
		assert_error_at(err, refused[i].line, refused[i].says1, refused[i].says2);
	}
	/* no pad can heat (none listed, or each one's relay is none): nothing for a master to cut */
	r = load_text("[Heat]\nPads=\n[Binding]\nHeatPower=none\n", &c, err);
	ck_assert_msg(r == 0, "%s", err);
	r = load_text("[Heat]\nPads=neck\n[Binding]\nHeatNeck=none\nHeatPower=none\n", &c, err);
	ck_assert_msg(r == 0, "%s", err);
	/* the pads on the relay board, the master and motor power on GPIO lines */
	r = load_text("[Binding]\nHeatNeck=coil:0\nHeatShoulders=coil:1\nHeatLowerBack=coil:2\n"
		      "HeatPower=gpio:MASTER active-low\nMotorPower=gpio:MOTORS\nLed=coil:5\n",
		      &c, err);
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_int_eq(c.hw.outputs[OUTPUT_HEAT_POWER].kind, SIGNAL_GPIO);
	ck_assert_int_eq(c.hw.outputs[OUTPUT_HEAT_NECK].kind, SIGNAL_COIL);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("chair-types");

	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_parsers);
	suite_add_tcase(s, tc);

	tc = tcase_create("config");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_every_key);
	tcase_add_test(tc, test_empty_pads_and_paths);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_unknown_section);
	tcase_add_test(tc, test_syntax_error);
	tcase_add_loop_test(tc, test_bad_value, 0, (int)(sizeof(bad_values) / sizeof(bad_values[0])));
	tcase_add_test(tc, test_max_target_ceiling);
	tcase_add_test(tc, test_gentle_max_target);
	tcase_add_test(tc, test_cross_field);
	tcase_add_test(tc, test_dropins);
	tcase_add_test(tc, test_cross_field_names_dropin);
	tcase_add_test(tc, test_missing_required);
	tcase_add_test(tc, test_failure_leaves_ret);
	tcase_add_test(tc, test_example_config);
	tcase_add_test(tc, test_binding);
	tcase_add_test(tc, test_wiring_examples);
	tcase_add_test(tc, test_binding_refused);
	tcase_add_test(tc, test_file_limits);
	tcase_add_test(tc, test_power_relays_need_gpio);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(config_suite());
}
