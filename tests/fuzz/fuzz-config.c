/* SPDX-License-Identifier: MIT */
/* The configuration loader: config_load() on a massaged.conf, and on a drop-in in
 * massaged.conf.d/ when the input has the DROPIN_MARK line (the part after it). What
 * it loads must keep docs/safety-rules.md's limits; what it refuses must say why. */
#include <limits.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fuzz-target.h"
#include "log.h"

#define DROPIN_MARK "\n;--- massaged.conf.d/50-fuzz.conf\n"

static void check_string(const char *s, size_t size, const char *what)
{
	FUZZ_CHECK(memchr(s, '\0', size) != NULL, "%s is not terminated", what);
}

static void check_loaded(const struct massaged_config *c)
{
	const struct limits_config *l = &c->limits;

	FUZZ_CHECK(c->session_minutes >= 5 && c->session_minutes <= c->max_session_minutes &&
			   c->max_session_minutes <= 30,
		   "session %u of %u min", c->session_minutes, c->max_session_minutes);
	FUZZ_CHECK(c->intensity >= INTENSITY_MIN && c->intensity <= INTENSITY_MAX, "intensity %u", c->intensity);
	FUZZ_CHECK(c->speed >= SPEED_MIN && c->speed <= SPEED_MAX, "speed %u", c->speed);
	FUZZ_CHECK(c->width >= 0 && c->width < _WIDTH_MAX, "width %d", c->width);
	FUZZ_CHECK(l->track_min_mm < l->track_max_mm && l->track_max_mm <= 780, "track %u..%u", l->track_min_mm,
		   l->track_max_mm);
	FUZZ_CHECK(l->width_min_mm < l->width_max_mm && l->width_max_mm <= 180, "width %u..%u", l->width_min_mm,
		   l->width_max_mm);
	FUZZ_CHECK(l->depth_max_mm <= 50, "depth %u", l->depth_max_mm);
	/* docs/safety-rules.md: no configuration sets a pad above the hard ceiling */
	FUZZ_CHECK(c->max_target_c >= 30 && c->max_target_c <= HEAT_HARD_CEILING_C, "MaxTarget %g", c->max_target_c);
	FUZZ_CHECK(c->n_pads <= MAX_PADS, "%u pads", c->n_pads);
	for (unsigned i = 0; i < c->n_pads; i++) {
		const struct pad_config *p = &c->pads[i];

		FUZZ_CHECK(p->zone >= 0 && p->zone < _ZONE_MAX, "pad %u zone %d", i, p->zone);
		FUZZ_CHECK(p->max_target_c <= HEAT_HARD_CEILING_C, "pad %u at %g", i, p->max_target_c);
		FUZZ_CHECK(c->default_target_c <= p->max_target_c, "DefaultTarget %g above pad %u's %g",
			   c->default_target_c, i, p->max_target_c);
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(c->pads[j].zone != p->zone, "pads %u and %u share a zone", j, i);
		/* a pad that can heat has a master relay that opens without the relay board */
		FUZZ_CHECK(chair_pad_relay(p->zone) == OUTPUT_INVALID ||
				   c->hw.outputs[chair_pad_relay(p->zone)].kind == SIGNAL_NONE ||
				   c->hw.outputs[OUTPUT_HEAT_POWER].kind == SIGNAL_GPIO,
			   "pad %u heats without a GPIO master", i);
	}
	FUZZ_CHECK(c->hw.outputs[OUTPUT_HEAT_POWER].kind != SIGNAL_COIL, "HeatPower on a coil");
	FUZZ_CHECK(c->hw.outputs[OUTPUT_MOTOR_POWER].kind == SIGNAL_GPIO, "MotorPower not a GPIO line");
	FUZZ_CHECK(isfinite(c->dose_budget_min) && isfinite(c->relay_cycle_s) && isfinite(c->sim_load_noise_n),
		   "a number that is not finite");
	check_string(c->default_program, sizeof(c->default_program), "DefaultProgram");
	check_string(c->program_library, sizeof(c->program_library), "Library");
	check_string(c->program_override, sizeof(c->program_override), "Override");
	check_string(c->hw.gpio_chip, sizeof(c->hw.gpio_chip), "Chip");
	check_string(c->hw.modbus.device, sizeof(c->hw.modbus.device), "Device");
	check_string(c->hw.modbus.host, sizeof(c->hw.modbus.host), "Host");
}

static int parse_one_file(const char *path, char *err)
{
	struct massaged_config c;

	config_init_defaults(&c);
	return config_parse_file(&c, path, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char conf[PATH_MAX], dropin[PATH_MAX];
	const uint8_t *mark = memmem(data, size, DROPIN_MARK, strlen(DROPIN_MARK));
	struct massaged_config c;
	char err[CONFIG_ERROR_MAX];
	int r;

	if (!conf[0]) {
		log_set_max_level(LOG_CRIT);
		fuzz_path(conf, "massaged.conf");
		fuzz_make_dir(dropin, "massaged.conf.d");
		fuzz_path(dropin, "massaged.conf.d/50-fuzz.conf");
	}
	if (mark) {
		size_t head = (size_t)(mark - data), skip = head + strlen(DROPIN_MARK);

		fuzz_write_file(conf, data, head);
		fuzz_write_file(dropin, data + skip, size - skip);
	} else {
		fuzz_write_file(conf, data, size);
		(void)unlink(dropin);
	}

	/* the main file alone: errors name the first bad line */
	config_init_defaults(&c);
	if (config_parse_file(&c, conf, err) < 0)
		fuzz_check_first_bad_line(err, conf, data, mark ? (size_t)(mark - data) : size, parse_one_file);

	memset(err, 'x', sizeof(err));
	r = config_load(conf, true, &c, err);
	if (r < 0) {
		FUZZ_CHECK_ERROR_TEXT(err, sizeof(err));
		FUZZ_CHECK(strncmp(err, fuzz_dir(), strlen(fuzz_dir())) == 0, "the error names no file: %s", err);
		return 0;
	}
	check_loaded(&c);
	return 0;
}
