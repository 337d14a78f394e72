/* SPDX-License-Identifier: MIT */
/* `massagectl service reset ZONE`: after a pad was serviced, end its lockout (root). It
 * first says what to check for the fault that locked the pad out, then asks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "massagectl.h"

struct service_arguments {
	const char *zone;
	bool yes;
};

static int service_arguments_parse(char **args, struct service_arguments *ret)
{
	*ret = (struct service_arguments) {};
	if (strcmp(args[0], "reset") != 0)
		return ctl_usage_error("service", "Unknown service command '%s' (there is reset)", args[0]);
	ret->zone = args[1];
	if (args[2] && strcmp(args[2], "--yes") != 0)
		return ctl_usage_error("service", "Unknown option '%s'", args[2]);
	ret->yes = args[2] != NULL;
	return 0;
}

int service_check_arguments(char **args)
{
	struct service_arguments a;

	return service_arguments_parse(args, &a);
}

static bool code_is(const char *code, const char *kind)
{
	size_t n = strlen(kind);

	return strncmp(code, kind, n) == 0 && code[n] == ':';
}

/* What to check before the pad may heat again, by what locked it out. */
static void print_advice(const struct heater *h)
{
	const char *code = h->lockout;

	printf("The %s pad is locked out (%s).\n", h->zone, code);
	if (code_is(code, "heater-stuck"))
		printf("Its relay is welded shut: the pad heated with its relay off, and all heat is off\n"
		       "because only the master relay could stop it. Replace the pad's relay (and check\n"
		       "the relay board's driver for it) before you reset.\n");
	else if (code_is(code, "sensor"))
		printf("Its temperature sensor came off the stone: its readings jumped in a way the pad's\n"
		       "heat cannot explain. Re-seat the sensor on the stone (or replace it) and check its\n"
		       "cable before you reset.\n");
	else if (code_is(code, "runaway"))
		printf("It did not warm although it was heated hard: check the heating element (its\n"
		       "resistance and connector) and that the sensor sits firmly on the stone before you\n"
		       "reset.\n");
	else if (code_is(code, "overtemp"))
		printf("It got hotter than its trip point (MaxTarget + 3 °C), which massaged never drives\n"
		       "it to: heat arrived that was not commanded. Check the pad's relay for sticking or\n"
		       "welding, the relay board's driver, and the sensor against a thermometer before you\n"
		       "reset.\n");
	else
		printf("The saved lockouts could not be read, so massaged cannot tell whether this pad was\n"
		       "locked out or why. Check the pad's element, relay and sensor on the stone, and the\n"
		       "journal (journalctl MASSAGED_EVENT=heat-lockout), before you reset.\n");
	printf("If the part is still broken, the fault comes back the next time the pad heats.\n");
}

static bool confirmed(const char *zone)
{
	char line[64];

	printf("Reset the %s pad's lockout? Type yes to confirm: ", zone);
	(void)fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	line[strcspn(line, "\n")] = '\0';
	return strcmp(line, "yes") == 0;
}

int verb_service(struct ctl *ctl, char **args)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(heater_list_done) struct heater_list heaters = {};
	struct service_arguments a;
	struct heater *h;
	int r;

	if (service_arguments_parse(args, &a) < 0)
		return EXIT_USAGE;
	r = heater_fetch_zone(ctl, a.zone, &heaters, &h);
	if (r != EXIT_SUCCESS)
		return r;
	if (!h->lockout || !*h->lockout) {
		printf("The %s pad is not locked out: nothing to reset.\n", h->zone);
		return EXIT_SUCCESS;
	}
	/* on another host (--host) it is that host's root who counts: massaged decides */
	if (!ctl->host && !ctl->user_bus && geteuid() != 0) {
		return ctl_error("Service reset needs root: only root may end a lockout, after the pad was "
				 "serviced (try sudo massagectl service reset %s)",
				 h->zone);
	}
	print_advice(h);
	if (!a.yes && !confirmed(h->zone)) {
		printf("Not reset: the %s pad stays locked out.\n", h->zone);
		return EXIT_FAILURE;
	}
	r = sd_bus_call_method(ctl->bus, CHAIR_SERVICE, h->path, HEATER_INTERFACE, "ResetLockout", &error, NULL, NULL);
	if (r < 0 && sd_bus_error_has_name(&error, SD_BUS_ERROR_ACCESS_DENIED)) {
		return ctl_error("Service reset needs root: %s",
				 error.message && *error.message ? error.message : "access denied");
	}
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	printf("The %s pad's lockout is reset: it may heat again.\n", h->zone);
	return EXIT_SUCCESS;
}
