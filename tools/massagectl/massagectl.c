/* SPDX-License-Identifier: MIT */
/* massagectl: control massaged over D-Bus, in the manner of systemctl. */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build-config.h"
#include "chair-types.h"
#include "macro.h"
#include "massagectl.h"

#define USAGE_OPTIONS "[--user | --host [USER@]HOST]"

/* What a command that is one Chair1 method call takes on its command line. */
enum argument_kind {
	ARGUMENTS_NONE,
	ARGUMENTS_STRING,
	ARGUMENTS_TWO_STRINGS,
	ARGUMENTS_UINT32,
	ARGUMENTS_INT32,
};

struct verb {
	const char *name;
	/* The arguments, for usage messages, and what the command does; a command with
	 * several forms has one line of each per form. */
	const char *synopsis;
	const char *help;
	/* Either a query of our own, with how many arguments it takes and, if it
	 * takes any, a check of their form ... */
	int (*run)(struct ctl *ctl, char **args);
	int min_args, max_args;
	int (*check)(char **args);
	/* ... or one method call whose success prints nothing. */
	const char *method;
	enum argument_kind arguments;
};

/* A method verb's arguments, checked for form (not range) before we connect. */
struct method_arguments {
	const char *strings[2];
	uint32_t u;
	int32_t i;
};

static const struct verb verbs[] = {
	{ "status", "", "Show what the chair is doing", .run = verb_status },
	{ "list", "", "List the programs with their length and description", .run = verb_list },
	{ "start", "PROGRAM", "Start a program (replaces a running one)", .method = "Start",
	  .arguments = ARGUMENTS_STRING },
	{ "manual", "TECHNIQUE ZONE", "One technique on one zone until stopped", .method = "StartManual",
	  .arguments = ARGUMENTS_TWO_STRINGS },
	{ "stop", "", "End the session: rollers park, heat off", .method = "Stop" },
	{ "pause", "", "Hold the rollers where they are", .method = "Pause" },
	{ "resume", "", "Continue a paused session", .method = "Resume" },
	{ "intensity", "1-5", "Contact force, 1 light (30 N) to 5 firm (100 N)", .method = "SetIntensity",
	  .arguments = ARGUMENTS_UINT32 },
	{ "pressure", "\nZONE -2..+2", "Show the intensity offsets by zone\nOne zone firmer or lighter, kept for later",
	  .run = verb_pressure, .max_args = 2, .check = pressure_check_arguments },
	{ "focus", "\nZONE...|none\n--start ZONE MINUTES",
	  "Show the areas of concern\nGive these zones more of every program\nA session of 3-15 min on one zone",
	  .run = verb_focus, .max_args = 8, .check = focus_check_arguments },
	{ "profile", "[list]\nshow NAME\nsave NAME\nuse NAME\ndelete NAME\nnone",
	  "List the profiles, * the one in use\nShow a profile's settings\nKeep the settings and shoulder line as "
	  "NAME\nApply a profile: its settings, no scan\nForget a profile\nUse no profile; the settings stay",
	  .run = verb_profile, .max_args = 3, .check = profile_check_arguments },
	{ "speed", "1-6", "Speed of travel, kneading and tapping", .method = "SetSpeed",
	  .arguments = ARGUMENTS_UINT32 },
	{ "width", "narrow|medium|wide", "Roller spacing", .method = "SetWidth", .arguments = ARGUMENTS_STRING },
	{ "timer", "MINUTES", "Session length: 5 to 30 in steps of 5", .method = "SetTimer",
	  .arguments = ARGUMENTS_UINT32 },
	{ "heat", "\non|off\nZONE CELSIUS|off",
	  "Show the heating pads\nHot-stone heat for this session\nSet one pad's target temperature", .run = verb_heat,
	  .max_args = 2, .check = heat_check_arguments },
	{ "heat-target", "\nCELSIUS", "Show the person's heat target\nSessions heat to it; 0 or default: the program's",
	  .run = verb_heat_target, .max_args = 1, .check = heat_target_check_arguments },
	{ "gentle", "\non|off [--yes]", "Show gentle mode\nCaps for reduced sensation; off asks first",
	  .run = verb_gentle, .max_args = 2, .check = gentle_check_arguments },
	{ "autotune", "ZONE [--wait]", "Tune a pad's heat control; --wait follows it", .run = verb_autotune,
	  .min_args = 1, .max_args = 2, .check = autotune_check_arguments },
	{ "scan", "", "Scan the back for the shoulder line", .method = "Scan" },
	{ "adjust", "±MM", "Move the shoulder line by -50 to +50 mm", .method = "AdjustShoulder",
	  .arguments = ARGUMENTS_INT32 },
	{ "clear", "", "Clear faults whose cause is gone", .method = "ClearFault" },
	{ "service", "reset ZONE [--yes]", "After service, end a pad's lockout (root; asks first)", .run = verb_service,
	  .min_args = 2, .max_args = 3, .check = service_check_arguments },
	{ "faults", "", "List the active faults", .run = verb_faults },
	{ "monitor", "[--keys]", "Live status and events until Ctrl-C; --keys: driven by keys", .run = verb_monitor,
	  .max_args = 1, .check = monitor_check_arguments },
};

/* The length of the line of a multi-line string s starts with. */
static int line_length(const char *s)
{
	return (int)strcspn(s, "\n");
}

/* The next line of a multi-line string, or NULL after its last. */
static const char *next_line(const char *s)
{
	s += line_length(s);
	return *s == '\n' ? s + 1 : NULL;
}

static void print_help(void)
{
	printf("Usage: massagectl " USAGE_OPTIONS " COMMAND [ARGS]\n\n"
	       "Control massaged, the massage chair daemon, over D-Bus.\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
		const char *synopsis = verbs[i].synopsis, *help = verbs[i].help;

		for (; synopsis && help; synopsis = next_line(synopsis), help = next_line(help)) {
			char command[64];

			(void)snprintf(command, sizeof(command), "%s%s%.*s", verbs[i].name,
				       line_length(synopsis) > 0 ? " " : "", line_length(synopsis), synopsis);
			/* "±" is two bytes that take one column. */
			printf("  %-*s %.*s\n", strstr(command, "±") ? 27 : 26, command, line_length(help), help);
		}
	}

	printf("\nTechniques:");
	for (int t = 0; t < _TECHNIQUE_MAX; t++)
		printf(" %s", technique_to_string(t));
	printf("\nZones:     ");
	for (int z = 0; z < _ZONE_MAX; z++)
		printf(" %s", zone_to_string(z));
	printf("\n\nOptions:\n"
	       "  --user                   talk to massaged on the session bus instead of the\n"
	       "                           system bus\n"
	       "  -H --host [USER@]HOST    talk to massaged on HOST's system bus, through\n"
	       "                           ssh HOST systemd-stdio-bridge\n"
	       "  -h --help                show this help\n"
	       "  --version                show the version\n\n"
	       "Changes print nothing on success; autotune --wait shows its progress.\n"
	       "Exit status: 0 done, 1 refused by massaged, massaged not reachable or the\n"
	       "autotune failed, 2 usage error.\n");
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	(void)fputs("massagectl: ", stderr);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputs("\nUsage: massagectl " USAGE_OPTIONS " COMMAND [ARGS]\n"
		    "Run 'massagectl --help' for the commands.\n",
		    stderr);
	return -EINVAL;
}

static const struct verb *verb_find(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

static int verb_usage_errorv(const struct verb *v, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static int verb_usage_errorv(const struct verb *v, const char *fmt, va_list ap)
{
	const char *prefix = "Usage:";

	(void)fprintf(stderr, "massagectl %s: ", v->name);
	(void)vfprintf(stderr, fmt, ap);
	(void)fputc('\n', stderr);
	for (const char *form = v->synopsis; form; form = next_line(form), prefix = "      ")
		(void)fprintf(stderr, "%s massagectl " USAGE_OPTIONS " %s%s%.*s\n", prefix, v->name,
			      line_length(form) > 0 ? " " : "", line_length(form), form);
	return -EINVAL;
}

static int verb_usage_error(const struct verb *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int verb_usage_error(const struct verb *v, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = verb_usage_errorv(v, fmt, ap);
	va_end(ap);
	return r;
}

int ctl_usage_error(const char *verb, const char *fmt, ...)
{
	const struct verb *v = verb_find(verb);
	va_list ap;
	int r;

	assert(v);
	va_start(ap, fmt);
	r = verb_usage_errorv(v, fmt, ap);
	va_end(ap);
	return r;
}

static int method_argument_count(const struct verb *v)
{
	switch (v->arguments) {
	case ARGUMENTS_NONE:
		return 0;
	case ARGUMENTS_TWO_STRINGS:
		return 2;
	default:
		return 1;
	}
}

/* Checks the form of a method verb's arguments; the daemon checks ranges, so the
 * person sees its message. */
static int parse_method_arguments(const struct verb *v, char **args, struct method_arguments *ret)
{
	unsigned u;
	int i, r;

	switch (v->arguments) {
	case ARGUMENTS_NONE:
		return 0;
	case ARGUMENTS_STRING:
		ret->strings[0] = args[0];
		return 0;
	case ARGUMENTS_TWO_STRINGS:
		ret->strings[0] = args[0];
		ret->strings[1] = args[1];
		return 0;
	case ARGUMENTS_UINT32:
		r = parse_uint_range(args[0], 0, UINT32_MAX, &u);
		if (r == -ERANGE)
			return verb_usage_error(v, "'%s' is far too large", args[0]);
		if (r < 0)
			return verb_usage_error(v, "'%s' is not a whole number", args[0]);
		ret->u = u;
		return 0;
	case ARGUMENTS_INT32:
		r = parse_int_range(args[0], INT32_MIN, INT32_MAX, &i);
		if (r == -ERANGE)
			return verb_usage_error(v, "'%s' is far too large", args[0]);
		if (r < 0)
			return verb_usage_error(v, "'%s' is not a whole number of millimetres", args[0]);
		ret->i = i;
		return 0;
	}
	return -EINVAL;
}

static int append_method_arguments(sd_bus_message *m, const struct verb *v, const struct method_arguments *a)
{
	switch (v->arguments) {
	case ARGUMENTS_NONE:
		return 0;
	case ARGUMENTS_STRING:
		return sd_bus_message_append(m, "s", a->strings[0]);
	case ARGUMENTS_TWO_STRINGS:
		return sd_bus_message_append(m, "ss", a->strings[0], a->strings[1]);
	case ARGUMENTS_UINT32:
		return sd_bus_message_append(m, "u", a->u);
	case ARGUMENTS_INT32:
		return sd_bus_message_append(m, "i", a->i);
	}
	return -EINVAL;
}

static int call_chair_method(struct ctl *ctl, const struct verb *v, const struct method_arguments *a)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	int r;

	r = sd_bus_message_new_method_call(ctl->bus, &m, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, v->method);
	if (r >= 0)
		r = append_method_arguments(m, v, a);
	if (r >= 0)
		r = sd_bus_call(ctl->bus, m, 0, &error, NULL);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	return EXIT_SUCCESS;
}

enum {
	OPTION_USER = 0x100,
	OPTION_VERSION,
};

/* Options come before the command, so `adjust -10` reads -10 as a number. */
static int parse_options(int argc, char *argv[], struct ctl *ctl)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "user", no_argument, NULL, OPTION_USER },
		{ "host", required_argument, NULL, 'H' },
		{ "version", no_argument, NULL, OPTION_VERSION },
		{},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hH:", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			print_help();
			return 1;
		case OPTION_VERSION:
			printf("massagectl " PACKAGE_VERSION "\n");
			return 1;
		case OPTION_USER:
			ctl->user_bus = true;
			break;
		case 'H':
			if (!optarg[0])
				return usage_error("--host needs a host name, [USER@]HOST");
			ctl->host = optarg;
			break;
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (ctl->user_bus && ctl->host)
		return usage_error("--user and --host exclude each other: --host reaches the system bus "
				   "of a remote chair");
	if (optind >= argc)
		return usage_error("no command given");
	return 0;
}

static int parse_command(int argc, char *argv[], const struct verb **ret_verb, struct method_arguments *ret_arguments)
{
	const struct verb *v = verb_find(argv[optind]);
	int n_args = argc - optind - 1;

	if (!v)
		return usage_error("unknown command '%s'", argv[optind]);
	if (n_args < (v->run ? v->min_args : method_argument_count(v)))
		return verb_usage_error(v, "missing argument");
	if (n_args > (v->run ? v->max_args : method_argument_count(v)))
		return verb_usage_error(v, "too many arguments");

	*ret_verb = v;
	if (v->check)
		return v->check(argv + optind + 1);
	return parse_method_arguments(v, argv + optind + 1, ret_arguments);
}

static bool stdout_takes_colour(void)
{
	const char *term = getenv("TERM");

	return isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && term && strcmp(term, "dumb") != 0;
}

int main(int argc, char *argv[])
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	struct method_arguments arguments = {};
	_cleanup_(ctl_done) struct ctl ctl = {};
	const struct verb *v = NULL;
	int r;

	r = parse_options(argc, argv, &ctl);
	if (r > 0)
		return EXIT_SUCCESS;
	if (r >= 0)
		r = parse_command(argc, argv, &v, &arguments);
	if (r < 0)
		return EXIT_USAGE;

	r = ctl_open_bus(&ctl, &bus);
	if (r != EXIT_SUCCESS)
		return r;
	ctl.bus = bus;
	ctl.colour = stdout_takes_colour();

	if (v->run)
		r = v->run(&ctl, argv + optind + 1);
	else
		r = call_chair_method(&ctl, v, &arguments);

	if (fflush(stdout) != 0 && r == EXIT_SUCCESS) {
		(void)fprintf(stderr, "massagectl: cannot write the output: %s\n", strerror(errno));
		r = EXIT_FAILURE;
	}
	return r;
}
