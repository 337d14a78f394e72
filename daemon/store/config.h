/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "chair-types.h"
#include "hardware-config.h"

#define HEAT_HARD_CEILING_C 48.0 /* docs/safety-rules.md: no configuration may set MaxTarget above */
#define HEAT_DOSE_WINDOW_MIN_H 1 /* [Heat] DoseWindow= range, hours */
#define HEAT_DOSE_WINDOW_MAX_H 168
#define CONFIG_ERROR_MAX 512
/* Each file (the main one and each drop-in), and how many drop-ins: far beyond any
 * real configuration (the shipped one is 8 KiB). */
#define CONFIG_FILE_SIZE_MAX (64 * 1024)
#define CONFIG_DROPINS_MAX 1024

struct pad_config {
	enum zone zone;
	double max_target_c; /* MaxTarget, ≤ HEAT_HARD_CEILING_C */
};

/* [Limits] ForceMax: the lowest a configuration may set, N. Below it even the lightest
 * level could not be held. */
#define FORCE_MAX_MIN_N 40
#define FORCE_MAX_DEFAULT_N 150

struct limits_config {
	unsigned track_min_mm, track_max_mm; /* 0..780 */
	unsigned depth_max_mm;               /* 0..50 */
	unsigned force_max_n;                /* contact force, FORCE_MAX_MIN_N..ROLLER_LOAD_RANGE_N */
	unsigned width_min_mm, width_max_mm; /* 60..180 */
	unsigned travel_speed_max;           /* mm/s, 1..120 */
	unsigned knead_speed_max;            /* rpm, 0..60 */
	unsigned tap_rate_max;               /* taps/min, 0..720 */
};

struct massaged_config {
	/* [Chair] */
	unsigned session_minutes;     /* default SessionLimit: 5..30, multiple of 5 */
	unsigned max_session_minutes; /* SetTimer ceiling: 5..30, multiple of 5 */
	unsigned seat_grace_s;        /* seat empty this long ends a program: 1..30 */
	char default_program[64];     /* POWER with no previous program */
	unsigned default_shoulder_mm; /* zones before a scan succeeds */

	/* [Defaults] */
	unsigned intensity; /* 1..5 */
	unsigned speed;     /* 1..6 */
	enum width width;

	/* [Limits] */
	struct limits_config limits;

	/* [Heat] */
	double default_target_c; /* 30..MaxTarget */
	double max_target_c;     /* MaxTarget: every pad's ceiling, also for pads a
					* later Pads= (or drop-in) adds */
	unsigned n_pads;
	struct pad_config pads[MAX_PADS];
	double dose_budget_min; /* CEM43 minutes per DoseWindow before a pad drops to 43 °C */
	unsigned dose_window_h; /* DoseWindow: the dose budget's rolling window, hours */
	double relay_cycle_s;   /* time-proportioning cycle of the pad relays */
	double relay_min_on_s, relay_min_off_s;

	/* [Gentle] */
#define GENTLE_MAX_TARGET_DEFAULT_C 40.0
	double gentle_max_target_c; /* MaxTarget while gentle mode is on; a pad's own MaxTarget wins if lower */

	/* [Programs] */
	char program_library[256];  /* shipped programs; empty = built-in location */
	char program_override[256]; /* local overrides of the same ids */

	/* [GPIO], [Modbus], [Binding]: the wiring */
	struct hardware_config hw;

	/* [Simulator] */
	unsigned sim_shoulder_mm; /* the simulated person, 300..780 */
	double sim_load_noise_n;  /* σ of the roller load noise, N */
	char sim_bodies[256];     /* directory of body presets; empty = built-in location */
	char sim_body[64];        /* the preset the simulated person starts as */
};

/* Built-in defaults: the default wiring and limits of docs/hardware.md and docs/safety-rules.md. */
void config_init_defaults(struct massaged_config *c);

/* Parse one INI file on top of *c. On failure returns negative errno and writes
 * "FILE:LINE: what was expected" into err (size CONFIG_ERROR_MAX); *c may be partly
 * changed, so callers parse into a copy. */
int config_parse_file(struct massaged_config *c, const char *path, char *err);

/* Defaults, then `path` (if it exists, or must exist when `required`), then
 * `path`.d/ *.conf in lexical order, then cross-field checks. Each file must be a
 * regular file of at most CONFIG_FILE_SIZE_MAX bytes, and there may be at most
 * CONFIG_DROPINS_MAX drop-ins.
 * On failure *ret is untouched and err says why. */
int config_load(const char *path, bool required, struct massaged_config *ret, char *err);

const struct pad_config *config_find_pad(const struct massaged_config *c, enum zone zone);
