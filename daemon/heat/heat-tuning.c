/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heat-tuning.h"
#include "ini-file.h"
#include "macro.h"
#include "state-file.h"

#define TUNING_VERSION 1

struct tuning_key {
	const char *name;
	size_t offset;
};

#define MODEL(f) offsetof(struct heat_tuning, model.f)
static const struct tuning_key tuning_keys[] = {
	{ "Gain", MODEL(gain_c) },
	{ "ElementSeconds", MODEL(element_s) },
	{ "CoupleSeconds", MODEL(couple_s) },
	{ "LossSeconds", MODEL(loss_s) },
	{ "Sink", MODEL(sink_c) },
	{ "SensorSeconds", MODEL(sensor_s) },
	{ "Target", offsetof(struct heat_tuning, target_c) },
	{ "FitRms", offsetof(struct heat_tuning, fit_rms_c) },
	{ "Duration", offsetof(struct heat_tuning, duration_s) },
};

struct tuning_parser {
	const char *path;
	char *err;
	struct heat_tuning t;
	unsigned seen; /* bit per tuning_keys entry */
};

static int on_key(void *userdata, const char *key, const char *value, unsigned line)
{
	struct tuning_parser *p = userdata;
	char *end;

	errno = 0;
	double v = strtod(value, &end);
	if (errno != 0 || end == value || *end != '\0' || !isfinite(v))
		return ini_file_error(p->err, p->path, line, -EINVAL, "%s=%s is not a number", key, value);
	for (size_t i = 0; i < ELEMENTSOF(tuning_keys); i++)
		if (strcmp(key, tuning_keys[i].name) == 0) {
			*(double *)((char *)&p->t + tuning_keys[i].offset) = v;
			p->seen |= 1u << i;
			return 0;
		}
	return ini_file_error(p->err, p->path, line, -EINVAL, "unknown key %s", key);
}

int heat_tuning_load(const char *path, struct heat_tuning *ret, char *err)
{
	struct tuning_parser p = { .path = path, .err = err };
	char why[HEAT_PLAUSIBLE_WHY_MAX];
	int r;

	r = state_file_parse(path, "Tuning", TUNING_VERSION, on_key, &p, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(tuning_keys); i++)
		if (!(p.seen & (1u << i)))
			return ini_file_error(err, path, 0, -EINVAL, "%s= is missing", tuning_keys[i].name);
	if (heat_model_validate(&p.t.model) < 0)
		return ini_file_error(err, path, 0, -EINVAL, "the model's numbers are outside what a pad can be");
	if (heat_model_plausible(&p.t.model, 0.0, why, sizeof(why)) < 0)
		return ini_file_error(err, path, 0, -EINVAL, "not a model of a pad: %s", why);
	*ret = p.t;
	return 0;
}

char *heat_tuning_format(const struct heat_tuning *t, size_t *ret_size)
{
	struct state_file_text text;
	FILE *f;

	if (heat_model_validate(&t->model) < 0)
		return NULL;
	f = state_file_text_open(&text,
				 "# Written by massaged's heater autotune. Delete it to tune again from\n"
				 "# the defaults; a damaged file is reported and ignored.\n",
				 "Tuning", TUNING_VERSION);
	if (!f)
		return NULL;
	for (size_t i = 0; i < ELEMENTSOF(tuning_keys); i++)
		(void)fprintf(f, "%s=%.17g\n", tuning_keys[i].name,
			      *(const double *)((const char *)t + tuning_keys[i].offset));
	return state_file_text_close(&text, ret_size);
}

int heat_tuning_save(const char *path, const struct heat_tuning *t)
{
	_cleanup_free_ char *text = NULL;
	size_t size;

	text = heat_tuning_format(t, &size);
	if (!text)
		return heat_model_validate(&t->model) < 0 ? -EINVAL : -ENOMEM;
	return state_file_write(path, text, size);
}
