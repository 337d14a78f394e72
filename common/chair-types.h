/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/* Names shared by D-Bus, program files, configuration and the engine. */

enum technique {
	TECHNIQUE_KNEAD,
	TECHNIQUE_TAP,
	TECHNIQUE_GLIDE,
	TECHNIQUE_SHIATSU,
	TECHNIQUE_FRICTION,
	TECHNIQUE_PRESS,
	TECHNIQUE_DEEP,
	_TECHNIQUE_MAX,
	TECHNIQUE_INVALID = -1,
};

enum zone {
	ZONE_NECK,
	ZONE_SHOULDERS,
	ZONE_UPPER_BACK,
	ZONE_LOWER_BACK,
	ZONE_BACK,
	_ZONE_MAX,
	ZONE_INVALID = -1,
};

enum width {
	WIDTH_NARROW,
	WIDTH_MEDIUM,
	WIDTH_WIDE,
	_WIDTH_MAX,
	WIDTH_INVALID = -1,
};

#define MAX_PADS 8 /* heating pads a chair may have */

#define INTENSITY_MIN 1
#define INTENSITY_MAX 5
#define SPEED_MIN 1
#define SPEED_MAX 6

const char *technique_to_string(enum technique t);
enum technique technique_from_string(const char *s);
const char *zone_to_string(enum zone z);
enum zone zone_from_string(const char *s);
const char *width_to_string(enum width w);
enum width width_from_string(const char *s);
/* "yes"/"no"/"true"/"false"/"on"/"off"/"1"/"0": 0 or 1, -EINVAL otherwise. */
int parse_boolean(const char *s);
/* A whole unsigned decimal in [min, max]; -EINVAL or -ERANGE otherwise. */
int parse_uint_range(const char *s, unsigned min, unsigned max, unsigned *ret);
int parse_int_range(const char *s, int min, int max, int *ret);
int parse_double_range(const char *s, double min, double max, double *ret);
