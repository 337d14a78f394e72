/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "sim-body-file.h"
#include "sim-driver.h"

/* A fixed seed keeps simulated runs reproducible. */
#define SIM_DRIVER_SEED 0x6d61737361676564ULL

struct sim_driver {
	struct chair_driver base; /* first: a struct chair_driver * is a struct sim_driver * */
	struct sim_chair chair;
	struct chair_clock *clock;
	char body_preset[SIM_BODY_NAME_MAX]; /* the preset the body is, "" when none */
	unsigned buttons_held;               /* bit per INPUT_BTN_*: held down (HoldButton) */
};

static struct sim_driver *to_sim(struct chair_driver *d)
{
	return (struct sim_driver *)d;
}

static uint64_t sim_now(const struct sim_driver *sd)
{
	return chair_clock_now(sd->clock);
}

static int sim_set_output(struct chair_driver *d, enum chair_output o, bool active)
{
	struct sim_driver *sd = to_sim(d);
	uint64_t now;

	if (o < 0 || o >= _OUTPUT_MAX)
		return -EINVAL;
	now = sim_now(sd);
	/* the order and time of each change, for tests that measure the safe state */
	if (sd->chair.outputs[o] != active)
		log_debug("Simulator: %s %s at chair time %.3f s", chair_output_name(o), active ? "active" : "inactive",
			  now / 1e6);
	sim_chair_set_output(&sd->chair, now, o, active);
	return 0;
}

static int sim_get_input(struct chair_driver *d, enum chair_input i, bool *ret_active)
{
	struct sim_driver *sd = to_sim(d);

	if (i < 0 || i >= _INPUT_MAX)
		return -EINVAL;
	if (i == INPUT_ESTOP)
		*ret_active = sd->chair.estop;
	else if (i == INPUT_SEAT)
		*ret_active = sd->chair.seated;
	else /* remote buttons are momentary unless held */
		*ret_active = sd->buttons_held & (1u << i);
	return 0;
}

static int sim_roller_write(struct chair_driver *d, const struct roller_setpoints *sp)
{
	struct sim_driver *sd = to_sim(d);

	return sim_chair_roller_write(&sd->chair, sim_now(sd), sp);
}

static int sim_roller_read(struct chair_driver *d, struct roller_status *ret)
{
	struct sim_driver *sd = to_sim(d);

	return sim_chair_roller_read(&sd->chair, sim_now(sd), ret);
}

static int sim_temperatures_read(struct chair_driver *d, int16_t ret_raw[TEMP_CHANNELS])
{
	struct sim_driver *sd = to_sim(d);

	return sim_chair_temperatures_read(&sd->chair, sim_now(sd), ret_raw);
}

static void sim_free(struct chair_driver *d)
{
	bool any = false;

	if (!d)
		return;
	/* what a real chair would be left with: the daemon must have driven it safe */
	for (int o = 0; o < _OUTPUT_MAX; o++)
		if (to_sim(d)->chair.outputs[o]) {
			log_warning("Simulator: %s still active when the driver was released", chair_output_name(o));
			any = true;
		}
	if (!any)
		log_info("Simulator: every output inactive at release");
	for (int o = 0; o < _OUTPUT_MAX; o++)
		(void)sim_set_output(d, (enum chair_output)o, false);
	free(to_sim(d));
}

static const struct chair_driver_ops sim_driver_ops = {
	.name = "sim",
	.free = sim_free,
	.set_output = sim_set_output,
	.get_input = sim_get_input,
	.roller_write = sim_roller_write,
	.roller_read = sim_roller_read,
	.temperatures_read = sim_temperatures_read,
};

int sim_driver_new(struct chair_clock *clock, const struct sim_config *cfg, struct chair_driver **ret)
{
	struct sim_driver *sd;

	if (!clock || !cfg || !ret)
		return -EINVAL;
	sd = calloc(1, sizeof(*sd));
	if (!sd)
		return -ENOMEM;
	sd->base.ops = &sim_driver_ops;
	sd->clock = clock;
	sim_chair_init(&sd->chair, cfg, chair_clock_now(clock), SIM_DRIVER_SEED);
	*ret = &sd->base;
	return 0;
}

struct sim_chair *sim_driver_chair(struct chair_driver *d)
{
	return &to_sim(d)->chair;
}

static void sim_notify(struct chair_driver *d, enum chair_input input, bool active)
{
	if (d->on_input)
		d->on_input(d->userdata, input, active);
}

void sim_driver_set_estop(struct chair_driver *d, bool pressed)
{
	struct sim_driver *sd = to_sim(d);

	if (sd->chair.estop == pressed)
		return;
	sd->chair.estop = pressed;
	sim_notify(d, INPUT_ESTOP, pressed);
}

void sim_driver_set_seated(struct chair_driver *d, bool seated)
{
	struct sim_driver *sd = to_sim(d);

	if (sd->chair.seated == seated)
		return;
	sim_chair_set_seated(&sd->chair, sim_now(sd), seated);
	sim_notify(d, INPUT_SEAT, seated);
}

void sim_driver_set_button(struct chair_driver *d, enum chair_input button, bool pressed)
{
	struct sim_driver *sd = to_sim(d);
	unsigned bit = 1u << button;

	if (button < INPUT_BTN_POWER || button > INPUT_BTN_HEAT || !!(sd->buttons_held & bit) == pressed)
		return;
	sd->buttons_held = pressed ? sd->buttons_held | bit : sd->buttons_held & ~bit;
	sim_notify(d, button, pressed);
}

void sim_driver_press_button(struct chair_driver *d, enum chair_input button)
{
	sim_driver_set_button(d, button, true);
	sim_driver_set_button(d, button, false);
}

static const struct {
	const char *prefix;
	unsigned fault;
} pad_fault_names[] = {
	{ "sensor-open:", SIM_PAD_SENSOR_OPEN },         { "sensor-short:", SIM_PAD_SENSOR_SHORT },
	{ "sensor-detached:", SIM_PAD_SENSOR_DETACHED }, { "sensor-frozen:", SIM_PAD_SENSOR_FROZEN },
	{ "heater-stuck:", SIM_PAD_HEATER_STUCK },       { "heater-dead:", SIM_PAD_HEATER_DEAD },
};

/* "KIND:ZONE": -EINVAL if KIND is not a pad fault, -ENOENT if ZONE has no pad. */
static int sim_inject_pad_fault(struct sim_driver *sd, const char *what, bool on)
{
	for (size_t i = 0; i < ELEMENTSOF(pad_fault_names); i++) {
		size_t n = strlen(pad_fault_names[i].prefix);
		enum zone z;

		if (strncmp(what, pad_fault_names[i].prefix, n) != 0)
			continue;
		if (what[n] == '\0')
			return -EINVAL;
		z = zone_from_string(what + n);
		if (z == ZONE_INVALID)
			return -ENOENT;
		return sim_chair_set_pad_fault(&sd->chair, sim_now(sd), z, pad_fault_names[i].fault, on);
	}
	return -EINVAL;
}

int sim_driver_inject_fault(struct chair_driver *d, const char *what, bool on)
{
	struct sim_driver *sd = to_sim(d);

	if (!what)
		return -EINVAL;
	if (strcmp(what, "roller-offline") == 0) {
		sim_chair_set_offline(&sd->chair, sim_now(sd), on);
		return 0;
	}
	if (strcmp(what, "temp-module-offline") == 0) {
		sd->chair.temp_offline = on;
		return 0;
	}
	if (strcmp(what, "roller-pinch") == 0) {
		sim_chair_set_pinch(&sd->chair, sim_now(sd), on);
		return 0;
	}
	if (strcmp(what, "load-cell-saturated") == 0) {
		sim_chair_advance(&sd->chair, sim_now(sd));
		sd->chair.load_saturated = on;
		return 0;
	}
	return sim_inject_pad_fault(sd, what, on);
}

static struct sim_chair *chair_now(struct chair_driver *d)
{
	struct sim_driver *sd = to_sim(d);

	sim_chair_advance(&sd->chair, sim_now(sd));
	return &sd->chair;
}

void sim_driver_set_shoulder(struct chair_driver *d, unsigned mm)
{
	chair_now(d)->shoulder_mm = mm;
}

int sim_driver_set_pad_temperature(struct chair_driver *d, enum zone z, double celsius)
{
	struct sim_driver *sd = to_sim(d);

	return sim_chair_set_pad_temperature(&sd->chair, sim_now(sd), z, celsius);
}

unsigned sim_driver_n_pads(struct chair_driver *d)
{
	return to_sim(d)->chair.n_pads;
}

int sim_driver_pad_stone(struct chair_driver *d, unsigned i, enum zone *ret_zone, double *ret_celsius)
{
	struct sim_chair *s = chair_now(d);

	if (i >= s->n_pads)
		return -ENOENT;
	*ret_zone = s->pads[i].zone;
	*ret_celsius = s->pads[i].t_stone;
	return 0;
}

double sim_driver_travel_mm(struct chair_driver *d)
{
	return chair_now(d)->travel_mm;
}

bool sim_driver_output(struct chair_driver *d, enum chair_output o)
{
	return o >= 0 && o < _OUTPUT_MAX && chair_now(d)->outputs[o];
}

void sim_driver_set_body(struct chair_driver *d, const struct sim_body *b)
{
	struct sim_driver *sd = to_sim(d);

	sim_chair_set_body(&sd->chair, sim_now(sd), b);
	sd->body_preset[0] = '\0';
}

void sim_driver_set_body_preset(struct chair_driver *d, const char *name, const struct sim_body *b)
{
	struct sim_driver *sd = to_sim(d);

	sim_chair_set_body(&sd->chair, sim_now(sd), b);
	(void)snprintf(sd->body_preset, sizeof(sd->body_preset), "%s", name);
}

const char *sim_driver_body_preset(struct chair_driver *d)
{
	return to_sim(d)->body_preset;
}

void sim_driver_body(struct chair_driver *d, struct sim_body *ret)
{
	*ret = *sim_chair_body(&to_sim(d)->chair);
}

double sim_driver_load_n(struct chair_driver *d)
{
	struct sim_driver *sd = to_sim(d);

	return sim_chair_true_load_n(&sd->chair, sim_now(sd));
}

double sim_driver_peak_load_n(struct chair_driver *d)
{
	struct sim_driver *sd = to_sim(d);

	return sim_chair_peak_load_n(&sd->chair, sim_now(sd));
}

void sim_driver_reset_peak(struct chair_driver *d)
{
	struct sim_driver *sd = to_sim(d);

	sim_chair_reset_peak(&sd->chair, sim_now(sd));
}
