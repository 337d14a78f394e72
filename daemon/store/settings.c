/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini-file.h"
#include "macro.h"
#include "settings.h"
#include "state-file.h"

#define SETTINGS_VERSION 1

enum settings_field {
	FIELD_INTENSITY,
	FIELD_SPEED,
	FIELD_WIDTH,
	FIELD_HEAT,
	FIELD_SESSION_LIMIT,
	_FIELD_MAX,
};

static const char *const field_names[_FIELD_MAX] = {
	[FIELD_INTENSITY] = "Intensity",        [FIELD_SPEED] = "Speed", [FIELD_WIDTH] = "Width", [FIELD_HEAT] = "Heat",
	[FIELD_SESSION_LIMIT] = "SessionLimit",
};

#define CONFIGURED_PREFIX "Configured"

/* SetZonePressure's offsets, one key a zone; optional: a file written before them loads
 * with 0 */
static const char *const zone_pressure_keys[_ZONE_MAX] = {
	[ZONE_NECK] = "PressureNeck",
	[ZONE_SHOULDERS] = "PressureShoulders",
	[ZONE_UPPER_BACK] = "PressureUpperBack",
	[ZONE_LOWER_BACK] = "PressureLowerBack",
};

struct chair_settings settings_from_config(const struct massaged_config *cfg)
{
	return (struct chair_settings) {
		.intensity = cfg->intensity,
		.speed = cfg->speed,
		.width = cfg->width,
		.heat = false,
		.session_limit_s = cfg->session_minutes * 60,
	};
}

bool chair_settings_equal(const struct chair_settings *a, const struct chair_settings *b)
{
	return a->intensity == b->intensity && a->speed == b->speed && a->width == b->width && a->heat == b->heat &&
	       a->session_limit_s == b->session_limit_s &&
	       memcmp(a->zone_pressure, b->zone_pressure, sizeof(a->zone_pressure)) == 0;
}

bool settings_file_equal(const struct settings_file *a, const struct settings_file *b)
{
	return chair_settings_equal(&a->last, &b->last) && chair_settings_equal(&a->configured, &b->configured);
}

struct settings_parser {
	const char *path;
	char *err;
	struct settings_file s;
	unsigned seen; /* bit per field; the configured ones from bit _FIELD_MAX */
};

static int parse_field(struct settings_parser *p, struct chair_settings *s, enum settings_field f, const char *key,
		       const char *value, unsigned line)
{
	int r;

	switch (f) {
	case FIELD_INTENSITY:
		if (parse_uint_range(value, INTENSITY_MIN, INTENSITY_MAX, &s->intensity) < 0)
			return ini_file_error(p->err, p->path, line, -EINVAL, "%s=%s: expected %d..%d", key, value,
					      INTENSITY_MIN, INTENSITY_MAX);
		return 0;
	case FIELD_SPEED:
		if (parse_uint_range(value, SPEED_MIN, SPEED_MAX, &s->speed) < 0)
			return ini_file_error(p->err, p->path, line, -EINVAL, "%s=%s: expected %d..%d", key, value,
					      SPEED_MIN, SPEED_MAX);
		return 0;
	case FIELD_WIDTH:
		s->width = width_from_string(value);
		if (s->width == WIDTH_INVALID)
			return ini_file_error(p->err, p->path, line, -EINVAL, "%s=%s: expected narrow, medium or wide",
					      key, value);
		return 0;
	case FIELD_HEAT:
		r = parse_boolean(value);
		if (r < 0)
			return ini_file_error(p->err, p->path, line, -EINVAL, "%s=%s: expected yes or no", key, value);
		s->heat = r;
		return 0;
	case FIELD_SESSION_LIMIT:
		if (parse_uint_range(value, SESSION_LIMIT_MIN_S, SESSION_LIMIT_MAX_S, &s->session_limit_s) < 0 ||
		    s->session_limit_s % SESSION_LIMIT_STEP_S != 0)
			return ini_file_error(p->err, p->path, line, -EINVAL,
					      "%s=%s: expected %u..%u seconds in steps of %u", key, value,
					      SESSION_LIMIT_MIN_S, SESSION_LIMIT_MAX_S, SESSION_LIMIT_STEP_S);
		return 0;
	default:
		abort();
	}
}

/* Returns 1 when key is not a zone's pressure, else 0 or negative errno. */
static int parse_zone_pressure(struct settings_parser *p, const char *key, const char *value, unsigned line)
{
	for (enum zone z = 0; z < _ZONE_MAX; z++) {
		if (!zone_pressure_keys[z] || strcmp(key, zone_pressure_keys[z]) != 0)
			continue;
		if (parse_int_range(value, ZONE_PRESSURE_MIN, ZONE_PRESSURE_MAX, &p->s.last.zone_pressure[z]) < 0)
			return ini_file_error(p->err, p->path, line, -EINVAL, "%s=%s: expected %d..%d", key, value,
					      ZONE_PRESSURE_MIN, ZONE_PRESSURE_MAX);
		return 0;
	}
	return 1;
}

static int on_key(void *userdata, const char *key, const char *value, unsigned line)
{
	struct settings_parser *p = userdata;
	int r = parse_zone_pressure(p, key, value, line);
	bool configured = strncmp(key, CONFIGURED_PREFIX, strlen(CONFIGURED_PREFIX)) == 0;
	const char *name = configured ? key + strlen(CONFIGURED_PREFIX) : key;

	if (r <= 0)
		return r;
	for (unsigned f = 0; f < _FIELD_MAX; f++) {
		if (strcmp(name, field_names[f]) != 0 || (configured && f == FIELD_HEAT))
			continue;
		p->seen |= 1u << (f + (configured ? _FIELD_MAX : 0));
		return parse_field(p, configured ? &p->s.configured : &p->s.last, f, key, value, line);
	}
	return ini_file_error(p->err, p->path, line, -EINVAL, "unknown key %s", key);
}

int settings_load(const char *path, struct settings_file *ret, char *err)
{
	struct settings_parser p = { .path = path, .err = err };
	int r;

	r = state_file_parse(path, "Settings", SETTINGS_VERSION, on_key, &p, err);
	if (r < 0)
		return r;
	for (unsigned f = 0; f < 2 * _FIELD_MAX; f++)
		if (f != _FIELD_MAX + FIELD_HEAT && !(p.seen & (1u << f)))
			return ini_file_error(err, path, 0, -EINVAL, "%s%s= is missing",
					      f >= _FIELD_MAX ? CONFIGURED_PREFIX : "", field_names[f % _FIELD_MAX]);
	*ret = p.s;
	return 0;
}

char *settings_format(const struct settings_file *s, size_t *ret_size)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	(void)fprintf(f,
		      "# Written by massaged: the last intensity, speed, width and session limit,\n"
		      "# restored at start, the pressure offsets by zone, and the configured defaults they\n"
		      "# were saved under (a default changed since wins). Heat always starts off. Delete it\n"
		      "# to start from the configured defaults; a damaged file is reported and ignored.\n"
		      "[Settings]\nVersion=%d\n"
		      "Intensity=%u\nSpeed=%u\nWidth=%s\nHeat=%s\nSessionLimit=%u\n",
		      SETTINGS_VERSION, s->last.intensity, s->last.speed, width_to_string(s->last.width),
		      s->last.heat ? "yes" : "no", s->last.session_limit_s);
	/* before the keys every file has: a file cut among them lacks those and is refused */
	for (enum zone z = 0; z < _ZONE_MAX; z++)
		if (zone_pressure_keys[z])
			(void)fprintf(f, "%s=%d\n", zone_pressure_keys[z], s->last.zone_pressure[z]);
	(void)fprintf(f, "ConfiguredIntensity=%u\nConfiguredSpeed=%u\nConfiguredWidth=%s\nConfiguredSessionLimit=%u\n",
		      s->configured.intensity, s->configured.speed, width_to_string(s->configured.width),
		      s->configured.session_limit_s);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	*ret_size = size;
	return text;
}

int settings_save(const char *path, const struct settings_file *s)
{
	_cleanup_free_ char *text = NULL;
	size_t size;

	text = settings_format(s, &size);
	if (!text)
		return -ENOMEM;
	return state_file_write(path, text, size);
}

static void note(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void note(char *why, size_t size, const char *fmt, ...)
{
	size_t n = strlen(why);
	va_list ap;

	if (n >= size)
		return;
	if (n > 0 && n + 2 < size) {
		memcpy(why + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	(void)vsnprintf(why + n, size - n, fmt, ap);
	va_end(ap);
}

struct chair_settings settings_restore(const struct settings_file *saved, const struct massaged_config *cfg, char *why,
				       size_t size)
{
	struct chair_settings now = settings_from_config(cfg), r = saved->last;
	const struct chair_settings *was = &saved->configured;
	unsigned ceiling = cfg->max_session_minutes * 60;

	why[0] = '\0';
	if (now.intensity != was->intensity) {
		note(why, size, "Intensity %u: the configured default is now %u (was %u)", r.intensity, now.intensity,
		     was->intensity);
		r.intensity = now.intensity;
	}
	if (now.speed != was->speed) {
		note(why, size, "Speed %u: the configured default is now %u (was %u)", r.speed, now.speed, was->speed);
		r.speed = now.speed;
	}
	if (now.width != was->width) {
		note(why, size, "Width %s: the configured default is now %s (was %s)", width_to_string(r.width),
		     width_to_string(now.width), width_to_string(was->width));
		r.width = now.width;
	}
	if (now.session_limit_s != was->session_limit_s) {
		note(why, size, "SessionLimit %u min: the configured SessionMinutes is now %u (was %u)",
		     r.session_limit_s / 60, now.session_limit_s / 60, was->session_limit_s / 60);
		r.session_limit_s = now.session_limit_s;
	}
	if (r.session_limit_s > ceiling) {
		note(why, size, "SessionLimit %u min: cut to the configured MaxSessionMinutes=%u",
		     r.session_limit_s / 60, cfg->max_session_minutes);
		r.session_limit_s = ceiling;
	}
	return r;
}
