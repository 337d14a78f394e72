/* SPDX-License-Identifier: MIT */
#include "bus-names.h"
#include "macro.h"

#define CHAIR_ERROR(x) "org.massaged.Chair1.Error." x

static const char *const refusal_error_names[_REFUSAL_KIND_MAX] = {
	[REFUSAL_INVALID_ARGS] = SD_BUS_ERROR_INVALID_ARGS,
	[REFUSAL_NOT_SUPPORTED] = SD_BUS_ERROR_NOT_SUPPORTED,
	[REFUSAL_FAILED] = SD_BUS_ERROR_FAILED,
	[REFUSAL_ACCESS_DENIED] = SD_BUS_ERROR_ACCESS_DENIED,
	[REFUSAL_FAULTED] = CHAIR_ERROR("Faulted"),
	[REFUSAL_FAULT_ACTIVE] = CHAIR_ERROR("FaultActive"),
	[REFUSAL_NO_SUCH_PROGRAM] = CHAIR_ERROR("NoSuchProgram"),
	[REFUSAL_NOT_RUNNING] = CHAIR_ERROR("NotRunning"),
	[REFUSAL_NOT_SCANNED] = CHAIR_ERROR("NotScanned"),
	[REFUSAL_NOT_SEATED] = CHAIR_ERROR("NotSeated"),
	[REFUSAL_TOO_WARM] = CHAIR_ERROR("TooWarm"),
	[REFUSAL_LOCKED_OUT] = CHAIR_ERROR("LockedOut"),
	[REFUSAL_NO_SUCH_PROFILE] = CHAIR_ERROR("NoSuchProfile"),
	[REFUSAL_LIMITS_EXCEEDED] = SD_BUS_ERROR_LIMITS_EXCEEDED,
};

const char *bus_refusal_error_name(enum refusal_kind kind)
{
	if (kind < 0 || kind >= _REFUSAL_KIND_MAX || !refusal_error_names[kind])
		return SD_BUS_ERROR_FAILED;
	return refusal_error_names[kind];
}

int bus_refusal_reply(sd_bus_error *error, const struct refusal *r)
{
	return sd_bus_error_set(error, bus_refusal_error_name(r->kind), r->message);
}

int bus_reply_command(sd_bus_message *m, int r, const struct refusal *why, sd_bus_error *error)
{
	if (r >= 0)
		return sd_bus_reply_method_return(m, NULL);
	return why->message[0] ? bus_refusal_reply(error, why) : r;
}
