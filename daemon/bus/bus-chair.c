/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "bus-chair.h"
#include "bus-names.h"
#include "log.h"
#include "macro.h"
#include "quote.h"
#include "safety.h"
#include "session.h"

#define ADJUST_SHOULDER_MAX_MM 50
#define SHOULDER_MIN_MM 300

static int refuse_if_faulted(const struct context *c, sd_bus_error *error)
{
	if (!faults_any(c))
		return 0;
	return sd_bus_error_setf(error, CHAIR_ERROR("Faulted"),
				 "Refused while a fault is active (%s). Fix its cause, then clear the fault (massagectl clear).",
				 faults_first(c));
}

static int refuse_if_not_seated(const struct context *c, sd_bus_error *error)
{
	if (c->seated)
		return 0;
	return sd_bus_error_set(error, CHAIR_ERROR("NotSeated"), "Nobody is seated: sit down first.");
}

static int refuse_start(const struct context *c, sd_bus_error *error)
{
	int r = refuse_if_faulted(c, error);

	return r < 0 ? r : refuse_if_not_seated(c, error);
}

int chair_start_program(struct context *c, const char *id, sd_bus_error *error)
{
	const struct program *p = program_library_find(&c->programs, id);
	char q[QUOTE_BUF_SIZE];
	int r;

	if (!p)
		return sd_bus_error_setf(error, CHAIR_ERROR("NoSuchProgram"),
					 "No program named '%s'. See 'massagectl list'.", quote_value(id, q));
	r = refuse_start(c, error);
	if (r < 0)
		return r;
	session_start_program(c, p);
	return 0;
}

int chair_pause(struct context *c, sd_bus_error *error)
{
	if (c->state == STATE_PAUSED)
		return 0;
	if (c->state != STATE_RUNNING)
		return sd_bus_error_setf(error, CHAIR_ERROR("NotRunning"),
					 "Nothing to pause: the chair is %s.", chair_state_to_string(c->state));
	session_pause(c);
	return 0;
}

int chair_resume(struct context *c, sd_bus_error *error)
{
	int r;

	if (c->state == STATE_RUNNING)
		return 0;
	if (c->state != STATE_PAUSED)
		return sd_bus_error_setf(error, CHAIR_ERROR("NotRunning"),
					 "Nothing to resume: the chair is %s.", chair_state_to_string(c->state));
	r = refuse_if_not_seated(c, error);
	if (r < 0)
		return r;
	session_resume(c);
	return 0;
}

int chair_set_intensity(struct context *c, unsigned level, sd_bus_error *error)
{
	if (level < INTENSITY_MIN || level > INTENSITY_MAX)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "Intensity %u is out of range: use 1 (light) to 5 (firm).", level);
	c->intensity = level;
	context_publish(c);
	return 0;
}

int chair_set_heat(struct context *c, bool on, sd_bus_error *error)
{
	int r;

	if (on) {
		r = refuse_if_faulted(c, error);
		if (r < 0)
			return r;
	}
	if (on) {
		c->heat = true;
		heaters_update(c);
	} else
		heaters_off(c, "heat-turned-off", "heat turned off");
	context_publish(c);
	return 0;
}

/* sd-bus replies with the error when a handler returns it negative with *error set */
static int reply(sd_bus_message *m, int r)
{
	return r < 0 ? r : sd_bus_reply_method_return(m, NULL);
}

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

		r = sd_bus_message_append(rep, "(sssu)", p->id, p->title, p->description,
					  program_duration_s(p));
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
	const char *id;
	int r = sd_bus_message_read(m, "s", &id);

	return reply(m, r < 0 ? r : chair_start_program(userdata, id, error));
}

static int method_start_manual(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	const char *tname, *zname;
	char q[QUOTE_BUF_SIZE];
	enum technique t;
	enum zone z;
	int r;

	r = sd_bus_message_read(m, "ss", &tname, &zname);
	if (r < 0)
		return r;
	t = technique_from_string(tname);
	if (t == TECHNIQUE_INVALID)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "Unknown technique '%s': use knead, tap, glide, shiatsu, friction, press or deep.", quote_value(tname, q));
	z = zone_from_string(zname);
	if (z == ZONE_INVALID)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "Unknown zone '%s': use neck, shoulders, upper-back, lower-back or back.", quote_value(zname, q));
	r = refuse_start(c, error);
	if (r < 0)
		return r;
	session_start_manual(c, t, z);
	return reply(m, 0);
}

static int method_stop(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	session_stop(userdata);
	return reply(m, 0);
}

static int method_pause(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return reply(m, chair_pause(userdata, error));
}

static int method_resume(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return reply(m, chair_resume(userdata, error));
}

static int method_set_intensity(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	uint32_t level;
	int r = sd_bus_message_read(m, "u", &level);

	return reply(m, r < 0 ? r : chair_set_intensity(userdata, level, error));
}

static int method_set_speed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	uint32_t level;
	int r;

	r = sd_bus_message_read(m, "u", &level);
	if (r < 0)
		return r;
	if (level < SPEED_MIN || level > SPEED_MAX)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "Speed %u is out of range: use 1 (slow) to 6 (fast).", level);
	c->speed = level;
	c->session.speed_chosen = c->session.active;
	context_publish(c);
	return reply(m, 0);
}

static int method_set_width(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	const char *name;
	char q[QUOTE_BUF_SIZE];
	enum width w;
	int r;

	r = sd_bus_message_read(m, "s", &name);
	if (r < 0)
		return r;
	w = width_from_string(name);
	if (w == WIDTH_INVALID)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "Unknown width '%s': use narrow, medium or wide.", quote_value(name, q));
	c->width = w;
	c->session.width_chosen = c->session.active;
	context_publish(c);
	return reply(m, 0);
}

static int method_set_timer(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	uint32_t minutes;
	int r;

	r = sd_bus_message_read(m, "u", &minutes);
	if (r < 0)
		return r;
	if (minutes < 5 || minutes > c->config.max_session_minutes || minutes % 5 != 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "Timer %u min is not allowed: use 5 to %u minutes in steps of 5.",
					 minutes, c->config.max_session_minutes);
	c->session_limit_s = minutes * 60;
	session_check_limits(c);
	context_publish(c);
	return reply(m, 0);
}

static int method_set_heat(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	int on;
	int r = sd_bus_message_read(m, "b", &on);

	return reply(m, r < 0 ? r : chair_set_heat(userdata, on, error));
}

static int method_scan(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	int r = refuse_start(c, error);

	if (r < 0)
		return r;
	session_scan(c);
	return reply(m, 0);
}

static int method_adjust_shoulder(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	int32_t mm;
	int r;

	r = sd_bus_message_read(m, "i", &mm);
	if (r < 0)
		return r;
	if (mm < -ADJUST_SHOULDER_MAX_MM || mm > ADJUST_SHOULDER_MAX_MM)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "Adjustment %d mm is out of range: use -50 to +50 mm.", mm);
	if (c->shoulder_mm == 0)
		return sd_bus_error_set(error, CHAIR_ERROR("NotScanned"),
					"No shoulder height yet: run a scan (massagectl scan) or start a program first.");
	c->shoulder_mm = (unsigned)CLAMP((int)c->shoulder_mm + mm, SHOULDER_MIN_MM,
					 (int)c->config.limits.track_max_mm);
	log_info("Shoulder line adjusted by %+d mm to %u mm", mm, c->shoulder_mm);
	context_publish(c);
	return reply(m, 0);
}

static int method_clear_fault(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct refusal refusal;

	if (faults_clear(userdata, &refusal) < 0)
		return bus_refusal_reply(error, &refusal);
	return reply(m, 0);
}

static int property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
			sd_bus_message *rep, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	struct chair_view v;

	context_compute_view(c, &v);
#define STR(name, val) if (strcmp(property, name) == 0) return sd_bus_message_append(rep, "s", val)
#define U32(name, val) if (strcmp(property, name) == 0) return sd_bus_message_append(rep, "u", (uint32_t)(val))
#define BOOL(name, val) if (strcmp(property, name) == 0) return sd_bus_message_append(rep, "b", (int)(val))
	STR("State", v.state);
	STR("Program", v.program);
	STR("Technique", v.technique);
	STR("Zone", v.zone);
	U32("Step", v.step);
	U32("StepCount", v.step_count);
	U32("Intensity", v.intensity);
	U32("Speed", v.speed);
	STR("Width", v.width);
	BOOL("Heat", v.heat);
	U32("Elapsed", v.elapsed);
	U32("Remaining", v.remaining);
	U32("ShoulderHeight", v.shoulder_height);
	BOOL("Seated", v.seated);
	U32("SessionLimit", v.session_limit);
#undef STR
#undef U32
#undef BOOL
	if (strcmp(property, "Faults") == 0) {
		int r = sd_bus_message_open_container(rep, 'a', "s");

		for (unsigned i = 0; r >= 0 && i < c->n_faults; i++)
			r = sd_bus_message_append(rep, "s", c->faults[i].code);
		return r < 0 ? r : sd_bus_message_close_container(rep);
	}
	return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY, "Unknown property %s", property);
}

#define PROP(name, sig) SD_BUS_PROPERTY(name, sig, property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)

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
	SD_BUS_METHOD_WITH_ARGS("SetIntensity", SD_BUS_ARGS("u", level), SD_BUS_NO_RESULT, method_set_intensity, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetSpeed", SD_BUS_ARGS("u", level), SD_BUS_NO_RESULT, method_set_speed, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetWidth", SD_BUS_ARGS("s", width), SD_BUS_NO_RESULT, method_set_width, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetTimer", SD_BUS_ARGS("u", minutes), SD_BUS_NO_RESULT, method_set_timer, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("SetHeat", SD_BUS_ARGS("b", on), SD_BUS_NO_RESULT, method_set_heat, METHOD_FLAGS),
	SD_BUS_METHOD("Scan", NULL, NULL, method_scan, METHOD_FLAGS),
	SD_BUS_METHOD_WITH_ARGS("AdjustShoulder", SD_BUS_ARGS("i", mm), SD_BUS_NO_RESULT, method_adjust_shoulder, METHOD_FLAGS),
	SD_BUS_METHOD("ClearFault", NULL, NULL, method_clear_fault, METHOD_FLAGS),
	SD_BUS_SIGNAL_WITH_ARGS("ProgramFinished", SD_BUS_ARGS("s", program, "s", reason), 0),
	SD_BUS_SIGNAL_WITH_ARGS("FaultRaised", SD_BUS_ARGS("s", code, "s", message), 0),
	SD_BUS_SIGNAL_WITH_ARGS("FaultCleared", SD_BUS_ARGS("s", code), 0),
	PROP("State", "s"),
	PROP("Program", "s"),
	PROP("Technique", "s"),
	PROP("Zone", "s"),
	PROP("Step", "u"),
	PROP("StepCount", "u"),
	PROP("Intensity", "u"),
	PROP("Speed", "u"),
	PROP("Width", "s"),
	PROP("Heat", "b"),
	PROP("Elapsed", "u"),
	PROP("Remaining", "u"),
	PROP("ShoulderHeight", "u"),
	PROP("Seated", "b"),
	PROP("Faults", "as"),
	PROP("SessionLimit", "u"),
	SD_BUS_VTABLE_END,
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

int bus_chair_register(struct context *c)
{
	int r;

	r = sd_bus_add_object_vtable(c->bus, NULL, CHAIR_PATH, CHAIR_INTERFACE, chair_vtable, c);
	if (r < 0)
		return log_errno(r, "Failed to add the %s object", CHAIR_INTERFACE);
	r = sd_bus_add_object_manager(c->bus, NULL, CHAIR_PATH);
	if (r < 0)
		return log_errno(r, "Failed to add the object manager");
	c->events.program_finished = on_program_finished;
	c->events.fault_raised = on_fault_raised;
	c->events.fault_cleared = on_fault_cleared;
	c->events.userdata = c;
	return 0;
}
