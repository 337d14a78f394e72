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
	       memcmp(a->zone_pressure, b->zone_pressure, sizeof(a->zone_pressure)) == 0 && a->focus == b->focus &&
	       a->gentle == b->gentle && a->heat_target_c == b->heat_target_c;
}

bool settings_file_equal(const struct settings_file *a, const struct settings_file *b)
{
	return chair_settings_equal(&a->last, &b->last) && chair_settings_equal(&a->configured, &b->configured) &&
	       strcmp(a->profile, b->profile) == 0;
}

struct key_where {
	const char *prefix, *name, *value, *path;
	unsigned line;
	char *err;
};

#define KEY_ERROR(w, fmt, ...) \
	ini_file_error((w)->err, (w)->path, (w)->line, -EINVAL, "%s%s=%s: " fmt, (w)->prefix, (w)->name, (w)->value, \
		       ##__VA_ARGS__)

static int parse_field(struct chair_settings *s, enum settings_field f, const struct key_where *w)
{
	const char *value = w->value;
	int r;

	switch (f) {
	case FIELD_INTENSITY:
		if (parse_uint_range(value, INTENSITY_MIN, INTENSITY_MAX, &s->intensity) < 0)
			return KEY_ERROR(w, "expected %d..%d", INTENSITY_MIN, INTENSITY_MAX);
		return 0;
	case FIELD_SPEED:
		if (parse_uint_range(value, SPEED_MIN, SPEED_MAX, &s->speed) < 0)
			return KEY_ERROR(w, "expected %d..%d", SPEED_MIN, SPEED_MAX);
		return 0;
	case FIELD_WIDTH:
		s->width = width_from_string(value);
		if (s->width == WIDTH_INVALID)
			return KEY_ERROR(w, "expected narrow, medium or wide");
		return 0;
	case FIELD_HEAT:
		r = parse_boolean(value);
		if (r < 0)
			return KEY_ERROR(w, "expected yes or no");
		s->heat = r;
		return 0;
	case FIELD_SESSION_LIMIT:
		if (parse_uint_range(value, SESSION_LIMIT_MIN_S, SESSION_LIMIT_MAX_S, &s->session_limit_s) < 0 ||
		    s->session_limit_s % SESSION_LIMIT_STEP_S != 0)
			return KEY_ERROR(w, "expected %u..%u seconds in steps of %u", SESSION_LIMIT_MIN_S,
					 SESSION_LIMIT_MAX_S, SESSION_LIMIT_STEP_S);
		return 0;
	default:
		abort();
	}
}

/* Focus=: zone names separated by spaces, each once */
static int parse_focus(struct chair_settings *s, const struct key_where *w)
{
	const char *p = w->value;
	unsigned focus = 0;

	while (*(p += strspn(p, " "))) {
		size_t len = strcspn(p, " ");
		char word[32];
		enum zone z;

		(void)snprintf(word, sizeof(word), "%.*s", (int)MIN(len, sizeof(word) - 1), p);
		z = len < sizeof(word) ? zone_from_string(word) : ZONE_INVALID;
		if (z == ZONE_INVALID || focus & (1u << z))
			return KEY_ERROR(w,
					 "expected zones (neck, shoulders, upper-back, lower-back, back), each once");
		focus |= 1u << z;
		p += len;
	}
	s->focus = focus;
	return 0;
}

/* The optional keys: 1 when `name` is none of them */
static int parse_optional(struct chair_settings *s, const struct key_where *w)
{
	int r;

	for (enum zone z = 0; z < _ZONE_MAX; z++) {
		if (!zone_pressure_keys[z] || strcmp(w->name, zone_pressure_keys[z]) != 0)
			continue;
		if (parse_int_range(w->value, ZONE_PRESSURE_MIN, ZONE_PRESSURE_MAX, &s->zone_pressure[z]) < 0)
			return KEY_ERROR(w, "expected %d..%d", ZONE_PRESSURE_MIN, ZONE_PRESSURE_MAX);
		return 0;
	}
	if (strcmp(w->name, "Focus") == 0)
		return parse_focus(s, w);
	if (strcmp(w->name, "Gentle") == 0) {
		r = parse_boolean(w->value);
		if (r < 0)
			return KEY_ERROR(w, "expected yes or no");
		s->gentle = r;
		return 0;
	}
	if (strcmp(w->name, "HeatTarget") == 0) {
		if (parse_double_range(w->value, 0.0, HEAT_HARD_CEILING_C, &s->heat_target_c) < 0 ||
		    (s->heat_target_c != 0.0 && s->heat_target_c < HEAT_TARGET_MIN_C))
			return KEY_ERROR(w, "expected 0 (the default) or %.0f..%.0f °C", HEAT_TARGET_MIN_C,
					 HEAT_HARD_CEILING_C);
		return 0;
	}
	return 1;
}

int chair_settings_parse_key(struct chair_settings *s, unsigned *seen, const char *prefix, const char *name,
			     const char *value, const char *path, unsigned line, char *err)
{
	struct key_where w = { .prefix = prefix, .name = name, .value = value, .path = path, .line = line, .err = err };

	for (unsigned f = 0; f < _FIELD_MAX; f++) {
		if (strcmp(name, field_names[f]) != 0)
			continue;
		*seen |= 1u << f;
		return parse_field(s, f, &w);
	}
	return parse_optional(s, &w);
}

int chair_settings_check_seen(unsigned seen, const char *prefix, bool heat, const char *path, char *err)
{
	for (unsigned f = 0; f < _FIELD_MAX; f++)
		if ((heat || f != FIELD_HEAT) && !(seen & (1u << f)))
			return ini_file_error(err, path, 0, -EINVAL, "%s%s= is missing", prefix, field_names[f]);
	return 0;
}

static void print_focus(FILE *f, unsigned focus)
{
	bool first = true;

	(void)fputs("Focus=", f);
	for (enum zone z = 0; z < _ZONE_MAX; z++)
		if (focus & (1u << z)) {
			(void)fprintf(f, "%s%s", first ? "" : " ", zone_to_string(z));
			first = false;
		}
	(void)fputc('\n', f);
}

void chair_settings_print(FILE *f, const struct chair_settings *s)
{
	(void)fprintf(f, "Intensity=%u\nSpeed=%u\nWidth=%s\nHeat=%s\nSessionLimit=%u\n", s->intensity, s->speed,
		      width_to_string(s->width), s->heat ? "yes" : "no", s->session_limit_s);
	for (enum zone z = 0; z < _ZONE_MAX; z++)
		if (zone_pressure_keys[z])
			(void)fprintf(f, "%s=%d\n", zone_pressure_keys[z], s->zone_pressure[z]);
	print_focus(f, s->focus);
	/* %.17g: the double comes back exactly */
	(void)fprintf(f, "Gentle=%s\nHeatTarget=%.17g\n", s->gentle ? "yes" : "no", s->heat_target_c);
}

struct settings_parser {
	const char *path;
	char *err;
	struct settings_file s;
	unsigned seen, configured_seen;
};

/* Configured defaults exist for these only */
static bool has_configured_default(const char *name)
{
	return strcmp(name, "Intensity") == 0 || strcmp(name, "Speed") == 0 || strcmp(name, "Width") == 0 ||
	       strcmp(name, "SessionLimit") == 0;
}

static int on_key(void *userdata, const char *key, const char *value, unsigned line)
{
	struct settings_parser *p = userdata;
	bool configured = strncmp(key, CONFIGURED_PREFIX, strlen(CONFIGURED_PREFIX)) == 0;
	int r;

	if (strcmp(key, "Profile") == 0) {
		char why[INI_FILE_ERROR_MAX];

		if (value[0] && !profile_name_is_valid(value, why, sizeof(why)))
			return ini_file_error(p->err, p->path, line, -EINVAL, "Profile=: %s", why);
		(void)snprintf(p->s.profile, sizeof(p->s.profile), "%s", value);
		return 0;
	}
	if (configured && has_configured_default(key + strlen(CONFIGURED_PREFIX)))
		r = chair_settings_parse_key(&p->s.configured, &p->configured_seen, CONFIGURED_PREFIX,
					     key + strlen(CONFIGURED_PREFIX), value, p->path, line, p->err);
	else if (!configured)
		r = chair_settings_parse_key(&p->s.last, &p->seen, "", key, value, p->path, line, p->err);
	else
		r = 1;
	if (r <= 0)
		return r;
	return ini_file_error(p->err, p->path, line, -EINVAL, "unknown key %s", key);
}

int settings_load(const char *path, struct settings_file *ret, char *err)
{
	struct settings_parser p = { .path = path, .err = err };
	int r;

	r = state_file_parse(path, "Settings", SETTINGS_VERSION, on_key, &p, err);
	if (r < 0)
		return r;
	r = chair_settings_check_seen(p.seen, "", true, path, err);
	if (r < 0)
		return r;
	r = chair_settings_check_seen(p.configured_seen, CONFIGURED_PREFIX, false, path, err);
	if (r < 0)
		return r;
	*ret = p.s;
	return 0;
}

char *settings_format(const struct settings_file *s, size_t *ret_size)
{
	struct state_file_text t;
	FILE *f = state_file_text_open(
		&t,
		"# Written by massaged: the last intensity, speed, width and session limit,\n"
		"# restored at start, the pressure offsets by zone, areas of concern, gentle mode,\n"
		"# the heat target, the profile in use, and the configured defaults they were saved\n"
		"# under (a default changed since wins). Heat always starts off. Delete it to start\n"
		"# from the configured defaults; a damaged file is reported and ignored.\n",
		"Settings", SETTINGS_VERSION);

	if (!f)
		return NULL;
	chair_settings_print(f, &s->last);
	(void)fprintf(f, "Profile=%s\n", s->profile);
	/* after the optional keys: a file cut among them lacks these and is refused */
	(void)fprintf(f, "ConfiguredIntensity=%u\nConfiguredSpeed=%u\nConfiguredWidth=%s\nConfiguredSessionLimit=%u\n",
		      s->configured.intensity, s->configured.speed, width_to_string(s->configured.width),
		      s->configured.session_limit_s);
	return state_file_text_close(&t, ret_size);
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
