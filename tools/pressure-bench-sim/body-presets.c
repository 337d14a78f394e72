/* SPDX-License-Identifier: MIT */
#include "body-presets.h"

#include <errno.h>
#include <string.h>

struct param {
	const char *name;
	double value;
};

static const struct preset {
	const char *name;
	struct param params[12];
} presets[] = {
	{ "average", { { NULL, 0 } } },
	{ "slim-bony",
	  { { "StiffnessNeck", 2.0 },
	    { "StiffnessShoulders", 3.5 },
	    { "StiffnessUpperBack", 4.0 },
	    { "StiffnessLowerBack", 3.0 },
	    { "StiffeningPerMm", 0.09 },
	    { "Contour", 4 },
	    { "BonyStiffness", 5 },
	    { "Weight", 8 },
	    { "Breathing", 2.5 },
	    { "BreathingPeriod", 4 } } },
	{ "large-soft",
	  { { "StiffnessNeck", 0.8 },
	    { "StiffnessShoulders", 1.3 },
	    { "StiffnessUpperBack", 1.4 },
	    { "StiffnessLowerBack", 1.1 },
	    { "StiffeningPerMm", 0.045 },
	    { "Contour", 10 },
	    { "BonyStiffness", 1.8 },
	    { "Weight", 20 },
	    { "Breathing", 3 },
	    { "BreathingPeriod", 5 } } },
	{ "elderly",
	  { { "StiffnessNeck", 1.0 },
	    { "StiffnessShoulders", 1.6 },
	    { "StiffnessUpperBack", 1.8 },
	    { "StiffnessLowerBack", 1.4 },
	    { "StiffeningPerMm", 0.12 },
	    { "Contour", 9 },
	    { "BonyStiffness", 6 },
	    { "Weight", 9 },
	    { "Breathing", 1.5 },
	    { "BreathingPeriod", 3.5 } } },
};

int body_preset(const char *name, struct sim_body *ret)
{
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		struct sim_body b;

		if (strcmp(presets[i].name, name) != 0)
			continue;
		sim_body_default(&b);
		for (const struct param *p = presets[i].params; p->name; p++)
			if (sim_body_set(&b, p->name, p->value) < 0)
				return -EINVAL;
		*ret = b;
		return 0;
	}
	return -ENOENT;
}

const char *body_preset_name(unsigned i)
{
	return i < sizeof(presets) / sizeof(presets[0]) ? presets[i].name : NULL;
}
