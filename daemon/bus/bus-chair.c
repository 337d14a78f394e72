/* SPDX-License-Identifier: MIT */
/* org.massaged.Chair1 on /org/massaged/Chair1: each method reads its arguments, runs the
 * command (commands.h) and replies; the properties are bus-chair-properties.c's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus-chair.h"
#include "bus-chair-properties.h"
#include "bus-focus.h"
#include "bus-gentle.h"
#include "bus-names.h"
#include "bus-profile-read.h"
#include "bus-profile.h"
#include "bus-state.h"
#include "commands.h"
#include "faults.h"
#include "log.h"
#include "macro.h"
#include "safety.h"
#include "session.h"

static int method_list_programs(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *rep = NULL;
	int r;

	r = sd_bus_message_new_method_return(m, &rep);
	if (r < 0)
		return r;
	r = sd_bus_message_open_container(rep, 'a', "(sssu)");
	if (r < 0)
		return r;
	for (unsigned i = 0; i < c->programs.n_programs; i++) {
		const struct program *p = &c->programs.programs[i];

		r = sd_bus_message_append(rep, "(sssu)", p->id, p->title, p->description, program_duration_s(p));
		if (r < 0)
			return r;
	}
	r = sd_bus_message_close_container(rep);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, rep, NULL);
}

static int method_start(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct refusal why = {};
	const char *id;
	int r;

	r = sd_bus_message_read(m, "s", &id);
	if (r < 0)
		return r;
	r = chair_start_program(userdata, id, &why);
	return bus_reply_command(m, r, &why, error);
}

static int method_start_manual(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct refusal why = {};
	const char *technique, *zone;
	int r;

	r = sd_bus_message_read(m, "ss", &technique, &zone);
	if (r < 0)
		return r;
	r = chair_start_manual(userdata, technique, zone, &why);
	return bus_reply_command(m, r, &why, error);
}

static int method_stop(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	session_stop(userdata);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_pause(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct refusal why = {};

	return bus_reply_command(m, chair_pause(userdata, &why), &why, error);
}

static int method_resume(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct refusal why = {};

	return bus_reply_command(m, chair_resume(userdata, &why), &why, error);
}

/* The methods that take one unsigned level: SetIntensity, SetSpeed, SetTimer. */
static int method_u32(sd_bus_message *m, void *userdata, sd_bus_error *error,
		      int (*command)(struct context *c, unsigned value, struct refusal *why))
{
	struct refusal why = {};
	uint32_t value;
	int r;

	r = sd_bus_message_read(m, "u", &value);
	if (r < 0)
		return r;
	r = command(userdata, value, &why);
	return bus_reply_command(m, r, &why, error);
}

static int method_set_intensity(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return method_u32(m, userdata, error, chair_set_intensity);
}

static int method_set_speed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return method_u32(m, userdata, error, chair_set_speed);
}

static int method_set_timer(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return method_u32(m, userdata, error, chair_set_timer);
}

static int method_set_width(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct refusal why = {};
	const char *name;
	int r;

	r = sd_bus_message_read(m, "s", &name);
	if (r < 0)
		return r;
	r = chair_set_width(userdata, name, &why);
	return bus_reply_command(m, r, &why, error);
}

static int method_set_heat(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct refusal why = {};
	int on, r;

	r = sd_bus_message_read(m, "b", &on);
	if (r < 0)
		return r;
	r = chair_set_heat(userdata, on, &why);
	return bus_reply_command(m, r, &why, error);
}

static int method_scan(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct refusal why = {};

	return bus_reply_command(m, chair_scan(userdata, &why), &why, error);
}

static int method_adjust_shoulder(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct refusal why = {};
	int32_t mm;
	int r;

	r = sd_bus_message_read(m, "i", &mm);
	if (r < 0)
		return r;
	r = chair_adjust_shoulder(userdata, mm, &why);
	return bus_reply_command(m, r, &why, error);
}

static int method_set_zone_pressure(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct refusal why = {};
	const char *zone;
	int32_t offset;
	int r;

	r = sd_bus_message_read(m, "si", &zone, &offset);
	if (r < 0)
		return r;
	r = chair_set_zone_pressure(userdata, zone, offset, &why);
	return bus_reply_command(m, r, &why, error);
}

static int method_clear_fault(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct refusal why = {};
	int r = faults_clear(userdata, &why);

	return bus_reply_command(m, r, &why, error);
}

#define CHAIR_VTABLE_ROW(name_, kind_, field_, step_) \
	SD_BUS_PROPERTY(name_, BUS_SIG_##kind_, bus_chair_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),

/* Who may call is the bus policy's decision (docs/safety-rules.md: root and group massage);
 * without this flag sd-bus would also refuse every caller but root and our own uid. */
#define METHOD_FLAGS SD_BUS_VTABLE_UNPRIVILEGED

static const sd_bus_vtable chair_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("ListPrograms", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(sssu)", programs),
				method_list_programs, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("Start", SD_BUS_ARGS("s", program), SD_BUS_NO_RESULT, method_start, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("StartManual", SD_BUS_ARGS("s", technique, "s", zone), SD_BUS_NO_RESULT,
				method_start_manual, METHOD_FLAGS),
	SD_BUS_METHOD("Stop", NULL, NULL, method_stop, METHOD_FLAGS),
	SD_BUS_METHOD("Pause", NULL, NULL, method_pause, METHOD_FLAGS),
	SD_BUS_METHOD("Resume", NULL, NULL, method_resume, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetIntensity", SD_BUS_ARGS("u", level), SD_BUS_NO_RESULT, method_set_intensity,
				METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetSpeed", SD_BUS_ARGS("u", level), SD_BUS_NO_RESULT, method_set_speed, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetWidth", SD_BUS_ARGS("s", width), SD_BUS_NO_RESULT, method_set_width, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetTimer", SD_BUS_ARGS("u", minutes), SD_BUS_NO_RESULT, method_set_timer,
				METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetHeat", SD_BUS_ARGS("b", on), SD_BUS_NO_RESULT, method_set_heat, METHOD_FLAGS),
	SD_BUS_METHOD("Scan", NULL, NULL, method_scan, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("AdjustShoulder", SD_BUS_ARGS("i", mm), SD_BUS_NO_RESULT, method_adjust_shoulder,
				METHOD_FLAGS),
	SD_BUS_METHOD("ClearFault", NULL, NULL, method_clear_fault, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetZonePressure", SD_BUS_ARGS("s", zone, "i", offset), SD_BUS_NO_RESULT,
				method_set_zone_pressure, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetFocus", SD_BUS_ARGS("as", zones), SD_BUS_NO_RESULT, bus_focus_method_set,
				METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("StartFocus", SD_BUS_ARGS("s", zone, "u", minutes), SD_BUS_NO_RESULT,
				bus_focus_method_start, METHOD_FLAGS),
	BUS_PROFILE_METHODS(METHOD_FLAGS) SD_BUS_METHOD_WITH_ARGS(
		"GetProfile", SD_BUS_ARGS("s", name), SD_BUS_RESULT("a{sv}", fields), bus_profile_get, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetGentle", SD_BUS_ARGS("b", on), SD_BUS_NO_RESULT, bus_method_set_gentle,
				METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetHeatTarget", SD_BUS_ARGS("d", celsius), SD_BUS_NO_RESULT,
				bus_method_set_heat_target, METHOD_FLAGS),
	SD_BUS_SIGNAL_WITH_ARGS("ProgramFinished", SD_BUS_ARGS("s", program, "s", reason), 0),
	SD_BUS_SIGNAL_WITH_ARGS("FaultRaised", SD_BUS_ARGS("s", code, "s", message), 0),
	SD_BUS_SIGNAL_WITH_ARGS("FaultCleared", SD_BUS_ARGS("s", code), 0),
	SD_BUS_SIGNAL("ProgramsChanged", "", 0),
	CHAIR1_PROPERTIES(CHAIR_VTABLE_ROW) SD_BUS_VTABLE_END,
};

/* The events Chair1 announces (events.h): its signals. */
static void on_program_finished(void *userdata, const char *program, const char *reason)
{
	struct context *c = userdata;

	if (c->bus)
		(void)sd_bus_emit_signal(c->bus, CHAIR_PATH, CHAIR_INTERFACE, "ProgramFinished", "ss", program, reason);
}

static void on_fault_raised(void *userdata, const char *code, const char *message)
{
	struct context *c = userdata;

	if (c->bus)
		(void)sd_bus_emit_signal(c->bus, CHAIR_PATH, CHAIR_INTERFACE, "FaultRaised", "ss", code, message);
}

static void on_fault_cleared(void *userdata, const char *code)
{
	struct context *c = userdata;

	if (c->bus)
		(void)sd_bus_emit_signal(c->bus, CHAIR_PATH, CHAIR_INTERFACE, "FaultCleared", "s", code);
}

static void on_programs_changed(void *userdata)
{
	struct context *c = userdata;

	if (c->bus)
		(void)sd_bus_emit_signal(c->bus, CHAIR_PATH, CHAIR_INTERFACE, "ProgramsChanged", "");
}

/* Chair1's slot goes with the bus (context_free): what bus/ keeps goes with it. */
static void bus_state_free(void *userdata)
{
	struct context *c = userdata;
	struct bus_state *b = c->bus_state;

	if (!b)
		return;
	for (unsigned i = 0; i < b->n_heaters; i++)
		free(b->heaters[i].path);
	free(b);
	c->bus_state = NULL;
}

/* What Chair1 shows from now on is compared with what a client could read now. */
static int bus_state_new(struct context *c)
{
	c->bus_state = calloc(1, sizeof(*c->bus_state));
	if (!c->bus_state)
		return log_errno(-ENOMEM, "Out of memory");
	chair_compute_view(c, &c->bus_state->published);
	c->events.changed = bus_chair_changed;
	c->events.userdata = c;
	return 0;
}

int bus_chair_register(struct context *c)
{
	sd_bus_slot *slot = NULL;
	int r;

	r = bus_state_new(c);
	if (r < 0)
		return r;
	r = sd_bus_add_object_vtable(c->bus, &slot, CHAIR_PATH, CHAIR_INTERFACE, chair_vtable, c);
	if (r < 0) {
		bus_state_free(c);
		return log_errno(r, "Failed to add the %s object", CHAIR_INTERFACE);
	}
	/* the bus owns the slot from now on (floating), as it owns every other */
	(void)sd_bus_slot_set_destroy_callback(slot, bus_state_free);
	(void)sd_bus_slot_set_floating(slot, 1);
	sd_bus_slot_unref(slot);
	r = sd_bus_add_object_manager(c->bus, NULL, CHAIR_PATH);
	if (r < 0)
		return log_errno(r, "Failed to add the object manager");
	c->events.program_finished = on_program_finished;
	c->events.fault_raised = on_fault_raised;
	c->events.fault_cleared = on_fault_cleared;
	c->events.programs_changed = on_programs_changed;
	c->events.userdata = c;
	return 0;
}
