/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini-file.h"
#include "profile.h"
#include "state-file.h"

#define PROFILE_VERSION 1

enum profile_key {
	KEY_NAME,
	KEY_SHOULDER_HEIGHT,
	KEY_SHOULDER_ADJUST,
	KEY_FAVOURITE,
	_KEY_MAX,
};

static const char *const key_names[_KEY_MAX] = {
	[KEY_NAME] = "Name",
	[KEY_SHOULDER_HEIGHT] = "ShoulderHeight",
	[KEY_SHOULDER_ADJUST] = "ShoulderAdjust",
	[KEY_FAVOURITE] = "Favourite",
};

bool profile_equal(const struct profile *a, const struct profile *b)
{
	return strcmp(a->name, b->name) == 0 && chair_settings_equal(&a->settings, &b->settings) &&
	       a->shoulder_mm == b->shoulder_mm && a->shoulder_adjust_mm == b->shoulder_adjust_mm &&
	       strcmp(a->favourite, b->favourite) == 0;
}

struct profile_parser {
	const char *path;
	char *err;
	struct profile p;
	unsigned settings_seen, seen;
};

static int parse_key(struct profile_parser *pp, enum profile_key k, const char *value, unsigned line)
{
	char why[INI_FILE_ERROR_MAX];

	switch (k) {
	case KEY_NAME:
		if (!profile_name_is_valid(value, why, sizeof(why)))
			return ini_file_error(pp->err, pp->path, line, -EINVAL, "Name=: %s", why);
		(void)snprintf(pp->p.name, sizeof(pp->p.name), "%s", value);
		return 0;
	case KEY_SHOULDER_HEIGHT:
		if (parse_uint_range(value, 0, PROFILE_SHOULDER_MAX_MM, &pp->p.shoulder_mm) < 0)
			return ini_file_error(pp->err, pp->path, line, -EINVAL,
					      "ShoulderHeight=%s: expected 0 (not known) ..%u mm", value,
					      PROFILE_SHOULDER_MAX_MM);
		return 0;
	case KEY_SHOULDER_ADJUST:
		if (parse_int_range(value, -PROFILE_SHOULDER_ADJUST_MAX_MM, PROFILE_SHOULDER_ADJUST_MAX_MM,
				    &pp->p.shoulder_adjust_mm) < 0)
			return ini_file_error(pp->err, pp->path, line, -EINVAL, "ShoulderAdjust=%s: expected %d..%d mm",
					      value, -PROFILE_SHOULDER_ADJUST_MAX_MM, PROFILE_SHOULDER_ADJUST_MAX_MM);
		return 0;
	case KEY_FAVOURITE:
		if (value[0] && !program_id_is_valid(value))
			return ini_file_error(pp->err, pp->path, line, -EINVAL,
					      "Favourite=%s: expected a program id ([a-z0-9-]) or nothing", value);
		(void)snprintf(pp->p.favourite, sizeof(pp->p.favourite), "%s", value);
		return 0;
	default:
		abort();
	}
}

static int on_key(void *userdata, const char *key, const char *value, unsigned line)
{
	struct profile_parser *pp = userdata;
	int r;

	for (unsigned k = 0; k < _KEY_MAX; k++)
		if (strcmp(key, key_names[k]) == 0) {
			pp->seen |= 1u << k;
			return parse_key(pp, k, value, line);
		}
	r = chair_settings_parse_key(&pp->p.settings, &pp->settings_seen, "", key, value, pp->path, line, pp->err);
	if (r <= 0)
		return r;
	return ini_file_error(pp->err, pp->path, line, -EINVAL, "unknown key %s", key);
}

int profile_load(const char *path, const char *name, struct profile *ret, char *err)
{
	struct profile_parser pp = { .path = path, .err = err };
	int r;

	r = state_file_parse(path, "Profile", PROFILE_VERSION, on_key, &pp, err);
	if (r < 0)
		return r;
	r = chair_settings_check_seen(pp.settings_seen, "", true, path, err);
	if (r < 0)
		return r;
	for (unsigned k = 0; k < _KEY_MAX; k++)
		if (!(pp.seen & (1u << k)))
			return ini_file_error(err, path, 0, -EINVAL, "%s= is missing", key_names[k]);
	if (name && strcmp(pp.p.name, name) != 0)
		return ini_file_error(err, path, 0, -EINVAL, "Name=%s is not the file's name (%s" PROFILE_SUFFIX ")",
				      pp.p.name, name);
	*ret = pp.p;
	return 0;
}

char *profile_format(const struct profile *p, size_t *ret_size)
{
	struct state_file_text t;
	FILE *f = state_file_text_open(
		&t,
		"# Written by massaged: a person's settings and shoulder line (Chair1.SaveProfile),\n"
		"# updated while the profile is in use. A damaged file is reported and skipped.\n",
		"Profile", PROFILE_VERSION);

	if (!f)
		return NULL;
	chair_settings_print(f, &p->settings);
	/* Name= last: a file cut anywhere lacks it and is refused */
	(void)fprintf(f, "ShoulderHeight=%u\nShoulderAdjust=%d\nFavourite=%s\nName=%s\n", p->shoulder_mm,
		      p->shoulder_adjust_mm, p->favourite, p->name);
	return state_file_text_close(&t, ret_size);
}
