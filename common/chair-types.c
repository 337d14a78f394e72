/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chair-types.h"
#include "macro.h"

/* The D-Bus names (docs/dbus-api.md); program files and configuration use the same words. */
static const char *const technique_names[_TECHNIQUE_MAX] = {
	[TECHNIQUE_KNEAD] = "knead",     [TECHNIQUE_TAP] = "tap",           [TECHNIQUE_GLIDE] = "glide",
	[TECHNIQUE_SHIATSU] = "shiatsu", [TECHNIQUE_FRICTION] = "friction", [TECHNIQUE_PRESS] = "press",
	[TECHNIQUE_DEEP] = "deep",
};

static const char *const zone_names[_ZONE_MAX] = {
	[ZONE_NECK] = "neck",
	[ZONE_SHOULDERS] = "shoulders",
	[ZONE_UPPER_BACK] = "upper-back",
	[ZONE_LOWER_BACK] = "lower-back",
	[ZONE_BACK] = "back",
};

static const char *const width_names[_WIDTH_MAX] = {
	[WIDTH_NARROW] = "narrow",
	[WIDTH_MEDIUM] = "medium",
	[WIDTH_WIDE] = "wide",
};

static const char *name_lookup(const char *const *names, int n, int i)
{
	if (i < 0 || i >= n)
		return NULL;
	return names[i];
}

static int name_index(const char *const *names, int n, const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *technique_to_string(enum technique t)
{
	return name_lookup(technique_names, _TECHNIQUE_MAX, (int)t);
}

enum technique technique_from_string(const char *s)
{
	return (enum technique)name_index(technique_names, _TECHNIQUE_MAX, s);
}

const char *zone_to_string(enum zone z)
{
	return name_lookup(zone_names, _ZONE_MAX, (int)z);
}

enum zone zone_from_string(const char *s)
{
	return (enum zone)name_index(zone_names, _ZONE_MAX, s);
}

const char *width_to_string(enum width w)
{
	return name_lookup(width_names, _WIDTH_MAX, (int)w);
}

enum width width_from_string(const char *s)
{
	return (enum width)name_index(width_names, _WIDTH_MAX, s);
}

int parse_boolean(const char *s)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -EINVAL;
}

/* strto*() skip leading blanks and accept an empty tail; we want the whole string. */
static bool starts_like_number(const char *s)
{
	return s && *s && !isspace((unsigned char)*s);
}

int parse_uint_range(const char *s, unsigned min, unsigned max, unsigned *ret)
{
	unsigned long v;
	char *end;

	/* strtoul() would silently negate "-1" into a huge value */
	if (!starts_like_number(s) || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > UINT_MAX || v < min || v > max)
		return -ERANGE;
	*ret = (unsigned)v;
	return 0;
}

int parse_int_range(const char *s, int min, int max, int *ret)
{
	long v;
	char *end;

	if (!starts_like_number(s))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*ret = (int)v;
	return 0;
}

int parse_double_range(const char *s, double min, double max, double *ret)
{
	double v;
	char *end;

	/* plain decimal notation only: no "nan", "inf" or hex floats */
	if (!starts_like_number(s) || s[strspn(s, "0123456789.eE+-")] != '\0')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end)
		return -EINVAL;
	if (errno == ERANGE || !isfinite(v) || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}
