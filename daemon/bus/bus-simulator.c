/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bus-names.h"
#include "bus-simulator-body.h"
#include "bus-simulator.h"
#include "heater.h"
#include "log.h"
#include "macro.h"
#include "quote.h"
#include "sim-driver.h"

static const struct {
	const char *name;
	enum chair_input input;
} buttons[] = {
	{ "power", INPUT_BTN_POWER },         { "neck", INPUT_BTN_NECK },   { "shoulder", INPUT_BTN_SHOULDER },
	{ "back", INPUT_BTN_BACK },           { "pause", INPUT_BTN_PAUSE }, { "intensity-up", INPUT_BTN_UP },
	{ "intensity-down", INPUT_BTN_DOWN }, { "heat", INPUT_BTN_HEAT },
};

static int method_set_emergency_stop(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	int pressed, r;

	r = sd_bus_message_read(m, "b", &pressed);
	if (r < 0)
		return r;
	/* logged first: a press reaches the safe state inside the call */
	log_notice("Simulator: emergency stop %s at chair time %.3f s", pressed ? "pressed" : "released",
		   context_now(c) / 1e6);
	sim_driver_set_estop(c->simulator, pressed);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_set_seated(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	int seated, r;

	r = sd_bus_message_read(m, "b", &seated);
	if (r < 0)
		return r;
	log_notice("Simulator: seat %s at chair time %.3f s", seated ? "taken" : "emptied", context_now(c) / 1e6);
	sim_driver_set_seated(c->simulator, seated);
	return sd_bus_reply_method_return(m, NULL);
}

/* With --simulate-lines the roller board and the pads are real: chair-sim or the chair
 * itself models them, not this process. */
static int refuse_if_lines_only(const struct context *c, sd_bus_error *error)
{
	if (!c->simulator_lines_only)
		return 0;
	return sd_bus_error_setf(error, SD_BUS_ERROR_NOT_SUPPORTED,
				 "Only the GPIO lines are simulated (--simulate-lines): the roller board, "
				 "the temperature module and the pads are on the Modbus line. Tell "
				 "tools/chair-sim (or the chair) instead.");
}

static int method_set_shoulder_height(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	uint32_t mm;
	int r;

	r = refuse_if_lines_only(c, error);
	if (r < 0)
		return r;
	r = sd_bus_message_read(m, "u", &mm);
	if (r < 0)
		return r;
	if (mm < 300 || mm > ROLLER_TRAVEL_MAX_MM)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "Shoulder height %u mm is out of range: use 300 to 780 mm.", mm);
	sim_driver_set_shoulder(c->simulator, mm);
	return sd_bus_reply_method_return(m, NULL);
}

/* The button by its name, or -EINVAL after setting error. */
static int button_from_name(const char *name, enum chair_input *ret, sd_bus_error *error)
{
	char q[QUOTE_BUF_SIZE];

	for (size_t i = 0; i < ELEMENTSOF(buttons); i++)
		if (strcmp(name, buttons[i].name) == 0) {
			*ret = buttons[i].input;
			return 0;
		}
	return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
				 "Unknown button '%s': use power, neck, shoulder, back, pause, "
				 "intensity-up, intensity-down or heat.",
				 quote_value(name, q));
}

static int method_press_button(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	enum chair_input button = _INPUT_MAX;
	const char *name;
	int r;

	r = sd_bus_message_read(m, "s", &name);
	if (r < 0)
		return r;
	r = button_from_name(name, &button, error);
	if (r < 0)
		return r;
	sim_driver_press_button(c->simulator, button);
	return sd_bus_reply_method_return(m, NULL);
}

struct button_hold {
	struct context *c;
	enum chair_input button;
};

static int on_button_hold_end(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct button_hold *hold = userdata;

	sim_driver_set_button(hold->c->simulator, hold->button, false);
	/* the loop's is the last reference: the source goes after this call, and hold with it */
	(void)sd_event_source_set_floating(s, false);
	return 0;
}

#define HOLD_MS_MAX 60000u

static int method_hold_button(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	sd_event_source *source = NULL;
	struct button_hold *hold;
	enum chair_input button = _INPUT_MAX;
	uint64_t wall_now;
	const char *name;
	uint32_t ms;
	int r;

	r = sd_bus_message_read(m, "su", &name, &ms);
	if (r < 0)
		return r;
	r = button_from_name(name, &button, error);
	if (r < 0)
		return r;
	if (ms == 0 || ms > HOLD_MS_MAX)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "A button is held 1 to %u ms of chair time, not %u.", HOLD_MS_MAX, ms);
	hold = malloc(sizeof(*hold));
	if (!hold)
		return -ENOMEM;
	*hold = (struct button_hold) { c, button };
	r = sd_event_now(c->event, CLOCK_MONOTONIC, &wall_now);
	if (r >= 0)
		r = sd_event_add_time(c->event, &source, CLOCK_MONOTONIC,
				      wall_now + chair_clock_wall_span(c->clock, ms * USEC_PER_MSEC), 1,
				      on_button_hold_end, hold);
	if (r < 0) {
		free(hold);
		return r;
	}
	(void)sd_event_source_set_destroy_callback(source, free);
	/* the loop owns it from here: freed after it fired, or with the loop at exit */
	(void)sd_event_source_set_floating(source, true);
	sd_event_source_unref(source);
	sim_driver_set_button(c->simulator, button, true);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_inject_fault(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	const char *what;
	char q[QUOTE_BUF_SIZE];
	int on, r;

	r = refuse_if_lines_only(c, error);
	if (r < 0)
		return r;
	r = sd_bus_message_read(m, "sb", &what, &on);
	if (r < 0)
		return r;
	r = sim_driver_inject_fault(c->simulator, what, on);
	if (r == -ENOENT)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "'%s' names a zone without a heating pad.",
					 quote_value(what, q));
	if (r < 0)
		return sd_bus_error_setf(
			error, SD_BUS_ERROR_INVALID_ARGS,
			"Unknown fault '%s': use sensor-open:ZONE, sensor-short:ZONE, "
			"sensor-detached:ZONE, sensor-frozen:ZONE, heater-stuck:ZONE, heater-dead:ZONE, "
			"temp-module-offline, roller-offline, roller-pinch or load-cell-saturated.",
			quote_value(what, q));
	log_notice("Simulator: %s %s at chair time %.3f s", what, on ? "injected" : "removed", context_now(c) / 1e6);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_set_pad_temperature(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	const char *name;
	char q[QUOTE_BUF_SIZE];
	double celsius;
	enum zone z;
	int r;

	r = refuse_if_lines_only(c, error);
	if (r < 0)
		return r;
	r = sd_bus_message_read(m, "sd", &name, &celsius);
	if (r < 0)
		return r;
	z = zone_from_string(name);
	if (!isfinite(celsius) || celsius < -20.0 || celsius > 120.0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "A pad temperature is -20..120 °C, not %g.",
					 celsius);
	if (z == ZONE_INVALID || sim_driver_set_pad_temperature(c->simulator, z, celsius) < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "'%s' is not a zone with a heating pad.",
					 quote_value(name, q));
	log_notice("Simulator: the %s pad set to %.1f °C at chair time %.3f s", name, celsius, context_now(c) / 1e6);
	/* no stone moves like that: the pad's estimate and rules start again from the next
	 * reading instead of taking the step for a sensor off the stone */
	heater_stone_moved(c, z, celsius);
	return sd_bus_reply_method_return(m, NULL);
}

static int property_pad_temperature(sd_bus *bus, const char *path, const char *interface, const char *property,
				    sd_bus_message *rep, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	int r = sd_bus_message_open_container(rep, 'a', "{sd}");
	double celsius;
	enum zone z;

	for (unsigned i = 0; r >= 0 && sim_driver_pad_stone(c->simulator, i, &z, &celsius) >= 0; i++)
		r = sd_bus_message_append(rep, "{sd}", zone_to_string(z), celsius);
	return r < 0 ? r : sd_bus_message_close_container(rep);
}

static int property_roller_position(sd_bus *bus, const char *path, const char *interface, const char *property,
				    sd_bus_message *rep, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;

	return sd_bus_message_append(rep, "u", (uint32_t)(sim_driver_travel_mm(c->simulator) + 0.5));
}

static int property_outputs(sd_bus *bus, const char *path, const char *interface, const char *property,
			    sd_bus_message *rep, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	int r = sd_bus_message_open_container(rep, 'a', "{sb}");

	for (int o = 0; r >= 0 && o < _OUTPUT_MAX; o++)
		r = sd_bus_message_append(rep, "{sb}", chair_output_name(o), (int)sim_driver_output(c->simulator, o));
	return r < 0 ? r : sd_bus_message_close_container(rep);
}

static int property_chair_time(sd_bus *bus, const char *path, const char *interface, const char *property,
			       sd_bus_message *rep, void *userdata, sd_bus_error *error)
{
	return sd_bus_message_append(rep, "t", context_now(userdata));
}

/* Who may call is the bus policy's decision (docs/safety-rules.md: root and group massage);
 * without this flag sd-bus would also refuse every caller but root and our own uid. */
#define METHOD_FLAGS SD_BUS_VTABLE_UNPRIVILEGED

static const sd_bus_vtable simulator_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("SetEmergencyStop", SD_BUS_ARGS("b", pressed), SD_BUS_NO_RESULT,
				method_set_emergency_stop, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetSeated", SD_BUS_ARGS("b", seated), SD_BUS_NO_RESULT, method_set_seated,
				METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetShoulderHeight", SD_BUS_ARGS("u", mm), SD_BUS_NO_RESULT, method_set_shoulder_height,
				METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("PressButton", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT, method_press_button,
				METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("HoldButton", SD_BUS_ARGS("s", name, "u", ms), SD_BUS_NO_RESULT, method_hold_button,
				METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("InjectFault", SD_BUS_ARGS("s", what, "b", on), SD_BUS_NO_RESULT, method_inject_fault,
				METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetPadTemperature", SD_BUS_ARGS("s", zone, "d", celsius), SD_BUS_NO_RESULT,
				method_set_pad_temperature, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetBody", SD_BUS_ARGS("a{sd}", params), SD_BUS_NO_RESULT, bus_simulator_set_body,
				METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetBodyPreset", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT,
				bus_simulator_set_body_preset, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("ResetPeakLoad", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, bus_simulator_reset_peak_load,
				METHOD_FLAGS),
	SD_BUS_PROPERTY("PadTemperature", "a{sd}", property_pad_temperature, 0, 0),
	SD_BUS_PROPERTY("RollerPosition", "u", property_roller_position, 0, 0),
	SD_BUS_PROPERTY("Outputs", "a{sb}", property_outputs, 0, 0),
	SD_BUS_PROPERTY("ChairTime", "t", property_chair_time, 0, 0),
	SD_BUS_PROPERTY("Load", "d", bus_simulator_property_load, 0, 0),
	SD_BUS_PROPERTY("PeakLoad", "d", bus_simulator_property_peak_load, 0, 0),
	SD_BUS_PROPERTY("Body", "a{sd}", bus_simulator_property_body, 0, 0),
	SD_BUS_PROPERTY("BodyPreset", "s", bus_simulator_property_body_preset, 0, 0),
	SD_BUS_VTABLE_END,
};

int bus_simulator_register(struct context *c)
{
	int r = sd_bus_add_object_vtable(c->bus, NULL, SIM_PATH, SIM_INTERFACE, simulator_vtable, c);

	if (r < 0)
		return log_errno(r, "Failed to add the %s object", SIM_INTERFACE);
	return 0;
}
