/* SPDX-License-Identifier: MIT */
/* Loading the configuration: the defaults, the main file and its drop-ins in order,
 * then the checks across keys, which name the file and line that set the key at fault. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config-keys.h"
#include "ini-file.h"
#include "macro.h"

#define TRACK_SPAN_MIN_MM 300u

void config_init_defaults(struct massaged_config *c)
{
	static const enum zone default_pads[] = { ZONE_NECK, ZONE_SHOULDERS, ZONE_LOWER_BACK };

	memset(c, 0, sizeof(*c));
	c->session_minutes = 20;
	c->max_session_minutes = 30;
	c->seat_grace_s = 30;
	(void)snprintf(c->default_program, sizeof(c->default_program), "full");
	c->default_shoulder_mm = 600;

	c->intensity = 3;
	c->speed = 3;
	c->width = WIDTH_MEDIUM;

	c->limits = (struct limits_config) {
		.track_min_mm = 0,
		.track_max_mm = 780,
		.depth_max_mm = 40,
		.force_max_n = FORCE_MAX_DEFAULT_N,
		.width_min_mm = 60,
		.width_max_mm = 180,
		.travel_speed_max = 120,
		.knead_speed_max = 60,
		.tap_rate_max = 720,
	};

	c->default_target_c = 42.0;
	c->max_target_c = 45.0;
	c->n_pads = ELEMENTSOF(default_pads);
	for (unsigned i = 0; i < c->n_pads; i++)
		c->pads[i] = (struct pad_config) { default_pads[i], c->max_target_c };
	c->dose_budget_min = 40.0;
	c->dose_window_h = 24;
	c->relay_cycle_s = 2.0;
	c->relay_min_on_s = c->relay_min_off_s = 0.1;
	c->gentle_max_target_c = GENTLE_MAX_TARGET_DEFAULT_C;

	hardware_config_init_defaults(&c->hw);

	c->sim_shoulder_mm = 600;
	c->sim_load_noise_n = 2.0;
	(void)snprintf(c->sim_body, sizeof(c->sim_body), "average");
}

const struct pad_config *config_find_pad(const struct massaged_config *c, enum zone zone)
{
	for (unsigned i = 0; i < c->n_pads; i++)
		if (c->pads[i].zone == zone)
			return &c->pads[i];
	return NULL;
}

static int config_parse_dropins(struct massaged_config *c, const char *path, struct config_origin *origins, char *err)
{
	char dir[PATH_MAX], file[PATH_MAX];
	char **names = NULL;
	unsigned n = 0;
	int r;

	if ((size_t)snprintf(dir, sizeof(dir), "%s.d", path) >= sizeof(dir))
		return ini_file_error(err, path, 0, -ENAMETOOLONG, "path too long");
	r = ini_file_list_dir(dir, ".conf", CONFIG_DROPINS_MAX, &names, &n, err);
	if (r == -ENOENT) {
		err[0] = '\0';
		return 0;
	}
	for (unsigned i = 0; r == 0 && i < n; i++) {
		if ((size_t)snprintf(file, sizeof(file), "%s/%s", dir, names[i]) >= sizeof(file))
			r = ini_file_error(err, dir, 0, -ENAMETOOLONG, "path too long: %s", names[i]);
		else
			r = config_parse_file_tracked(c, file, origins, err);
	}
	ini_file_names_free(names);
	return r;
}

struct config_checker {
	const struct massaged_config *c;
	const struct config_origin *origins;
	const char *path; /* the main file: blamed for keys no file set */
	char *err;
};

/* Name the file and line that set `key` (or `other` when `key` kept its default). */
static int cross_error(const struct config_checker *ck, const char *key, const char *other, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int cross_error(const struct config_checker *ck, const char *key, const char *other, const char *fmt, ...)
{
	const struct config_origin *o = &ck->origins[config_key_index(key)];
	va_list ap;

	if (o->line == 0)
		o = &ck->origins[config_key_index(other)];
	va_start(ap, fmt);
	(void)ini_file_errorv(ck->err, o->line ? o->path : ck->path, o->line, -EINVAL, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int hardware_verify(const struct config_checker *ck)
{
	const struct massaged_config *c = ck->c;
	enum zone zones[MAX_PADS];
	char why[INI_FILE_ERROR_MAX / 2];

	if (c->hw.modbus.transport == MODBUS_TRANSPORT_TCP && c->hw.modbus.host[0] == '\0')
		return cross_error(ck, "Host", "Transport",
				   "[Modbus] Transport=tcp needs Host=, the gateway's address");
	for (unsigned i = 0; i < c->n_pads; i++) {
		enum chair_output relay = chair_pad_relay(c->pads[i].zone);

		zones[i] = c->pads[i].zone;
		if (c->hw.outputs[OUTPUT_HEAT_POWER].kind == SIGNAL_NONE && relay != OUTPUT_INVALID &&
		    c->hw.outputs[relay].kind != SIGNAL_NONE)
			return cross_error(ck, "HeatPower", "Pads",
					   "[Binding] HeatPower=none while the %s pad can heat (its relay is %s); "
					   "expected gpio:LINE: the master heater relay is the pads' second, "
					   "independent cut-off",
					   zone_to_string(c->pads[i].zone), chair_output_name(relay));
	}
	if (hardware_config_verify(&c->hw, zones, c->n_pads, why, sizeof(why)) < 0)
		return ini_file_error(ck->err, ck->path, 0, -EINVAL, "[Binding] %s", why);
	return 0;
}

static int config_verify(const struct config_checker *ck)
{
	const struct massaged_config *c = ck->c;
	const struct limits_config *l = &c->limits;

	if (c->session_minutes > c->max_session_minutes)
		return cross_error(ck, "SessionMinutes", "MaxSessionMinutes",
				   "[Chair] SessionMinutes=%u is longer than MaxSessionMinutes=%u; "
				   "expected SessionMinutes <= MaxSessionMinutes",
				   c->session_minutes, c->max_session_minutes);
	if (l->track_min_mm >= l->track_max_mm || l->track_max_mm - l->track_min_mm < TRACK_SPAN_MIN_MM)
		return cross_error(ck, "TrackMax", "TrackMin",
				   "[Limits] TrackMin=%u, TrackMax=%u: expected TrackMin < TrackMax, "
				   "at least %u mm apart (0..780 mm above the seat)",
				   l->track_min_mm, l->track_max_mm, TRACK_SPAN_MIN_MM);
	if (l->width_min_mm >= l->width_max_mm)
		return cross_error(ck, "WidthMax", "WidthMin",
				   "[Limits] WidthMin=%u, WidthMax=%u: expected WidthMin < WidthMax "
				   "(60..180 mm)",
				   l->width_min_mm, l->width_max_mm);
	for (unsigned i = 0; i < c->n_pads; i++)
		if (c->default_target_c > c->pads[i].max_target_c)
			return cross_error(ck, "DefaultTarget", "MaxTarget",
					   "[Heat] DefaultTarget=%g is above MaxTarget=%g of the %s pad; "
					   "expected 30..%g °C",
					   c->default_target_c, c->pads[i].max_target_c,
					   zone_to_string(c->pads[i].zone), c->pads[i].max_target_c);
	return hardware_verify(ck);
}

int config_load(const char *path, bool required, struct massaged_config *ret, char *err)
{
	struct config_origin origins[CONFIG_KEY_COUNT] = {};
	struct config_checker ck = {
		.origins = origins,
		.path = path ? path : "built-in defaults",
		.err = err,
	};
	struct massaged_config c;
	int r;

	config_init_defaults(&c);
	err[0] = '\0';
	if (path) {
		r = config_parse_file_tracked(&c, path, origins, err);
		if (r == -ENOENT && required)
			return ini_file_error(err, path, 0, r, "required configuration file is missing");
		if (r < 0 && r != -ENOENT)
			return r;
		err[0] = '\0'; /* an optional file that is missing is no error */
		r = config_parse_dropins(&c, path, origins, err);
		if (r < 0)
			return r;
	}
	ck.c = &c;
	r = config_verify(&ck);
	if (r < 0)
		return r;
	*ret = c;
	return 0;
}
