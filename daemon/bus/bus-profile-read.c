/* SPDX-License-Identifier: MIT */
/* Chair1.GetProfile: one profile's fields as kept, without applying it (massagectl
 * profile show). The profile in use is read as the chair has it now: the store follows
 * the chair at every publish, ahead of the coalesced write of its file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bus-names.h"
#include "bus-profile-read.h"
#include "context.h"
#include "profile-store.h"
#include "refusal.h"

static const struct profile *profile_lookup(const struct context *c, const char *name)
{
	const struct profile_list *s = &c->profile_store.list;

	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->profiles[i].name, name) == 0)
			return &s->profiles[i];
	return NULL;
}

static int append_zone_pressure(sd_bus_message *reply, const int levels[static _ZONE_MAX])
{
	int r = sd_bus_message_open_container(reply, 'a', "{si}");

	for (enum zone z = 0; r >= 0 && z < _ZONE_MAX; z++)
		if (z != ZONE_BACK)
			r = sd_bus_message_append(reply, "{si}", zone_to_string(z), (int32_t)levels[z]);
	return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int append_focus(sd_bus_message *reply, unsigned focus)
{
	int r = sd_bus_message_open_container(reply, 'a', "s");

	for (enum zone z = 0; r >= 0 && z < _ZONE_MAX; z++)
		if (focus & (1u << z))
			r = sd_bus_message_append(reply, "s", zone_to_string(z));
	return r < 0 ? r : sd_bus_message_close_container(reply);
}

/* One "{sv}" entry whose variant holds a container appended by `append`. */
static int append_entry_open(sd_bus_message *reply, const char *key, const char *signature)
{
	int r = sd_bus_message_open_container(reply, 'e', "sv");

	if (r >= 0)
		r = sd_bus_message_append(reply, "s", key);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'v', signature);
	return r;
}

static int append_entry_close(sd_bus_message *reply)
{
	int r = sd_bus_message_close_container(reply);

	return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int append_profile(sd_bus_message *reply, const struct profile *p)
{
	const struct chair_settings *s = &p->settings;
	int r;

	r = sd_bus_message_open_container(reply, 'a', "{sv}");
	if (r >= 0)
		r = sd_bus_message_append(reply, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}", "Name", "s", p->name, "Intensity", "u",
					  (uint32_t)s->intensity, "Speed", "u", (uint32_t)s->speed, "Width", "s",
					  width_to_string(s->width), "Heat", "b", (int)s->heat, "HeatTarget", "d",
					  s->heat_target_c, "SessionLimit", "u", (uint32_t)s->session_limit_s);
	if (r >= 0)
		r = sd_bus_message_append(reply, "{sv}{sv}{sv}{sv}", "ShoulderHeight", "u", (uint32_t)p->shoulder_mm,
					  "ShoulderAdjust", "i", (int32_t)p->shoulder_adjust_mm, "Favourite", "s",
					  p->favourite, "Gentle", "b", (int)s->gentle);
	if (r >= 0)
		r = append_entry_open(reply, "ZonePressure", "a{si}");
	if (r >= 0)
		r = append_zone_pressure(reply, s->zone_pressure);
	if (r >= 0)
		r = append_entry_close(reply);
	if (r >= 0)
		r = append_entry_open(reply, "Focus", "as");
	if (r >= 0)
		r = append_focus(reply, s->focus);
	if (r >= 0)
		r = append_entry_close(reply);
	return r < 0 ? r : sd_bus_message_close_container(reply);
}

int bus_profile_get(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	const struct context *c = userdata;
	const struct profile *p;
	struct refusal why = {};
	char err[256];
	const char *name;
	int r;

	r = sd_bus_message_read(m, "s", &name);
	if (r < 0)
		return r;
	if (!profile_name_is_valid(name, err, sizeof(err)))
		return bus_reply_command(m, refuse(&why, REFUSAL_INVALID_ARGS, "%s", err), &why, error);
	p = profile_lookup(c, name);
	if (!p)
		return bus_reply_command(m, refuse(&why, REFUSAL_NO_SUCH_PROFILE, "No profile is called '%s'.", name),
					 &why, error);
	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = append_profile(reply, p);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}
