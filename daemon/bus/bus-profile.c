/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "bus-names.h"
#include "bus-profile.h"
#include "context.h"
#include "log.h"
#include "profile-store.h"

/* SaveProfile replies once the file is on the disk: a client that heard "saved" may
 * rely on it surviving a power cut. */
static void on_saved(void *userdata, int r)
{
	sd_bus_message *m = userdata;

	if (r < 0)
		(void)sd_bus_reply_method_errorf(m, SD_BUS_ERROR_FAILED,
						 "The profile is in use but could not be written: %s. The next change "
						 "tries again.",
						 strerror(-r));
	else
		(void)sd_bus_reply_method_return(m, NULL);
	sd_bus_message_unref(m);
}

int bus_profile_save(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct refusal why = {};
	const char *name;
	int r;

	r = sd_bus_message_read(m, "s", &name);
	if (r < 0)
		return r;
	r = profile_store_save(userdata, name, &why, on_saved, sd_bus_message_ref(m));
	if (r < 0) {
		sd_bus_message_unref(m);
		return bus_reply_command(m, r, &why, error);
	}
	return 1; /* on_saved() replies */
}

static int method_name(sd_bus_message *m, void *userdata, sd_bus_error *error,
		       int (*command)(struct context *c, const char *name, struct refusal *why))
{
	struct refusal why = {};
	const char *name;
	int r;

	r = sd_bus_message_read(m, "s", &name);
	if (r < 0)
		return r;
	r = command(userdata, name, &why);
	return bus_reply_command(m, r, &why, error);
}

int bus_profile_use(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return method_name(m, userdata, error, profile_store_use);
}

int bus_profile_delete(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return method_name(m, userdata, error, profile_store_delete);
}

int bus_profile_use_none(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	profile_store_use_none(userdata);
	return sd_bus_reply_method_return(m, NULL);
}
