/* SPDX-License-Identifier: MIT */
/* massagectl: control massaged over D-Bus, in the manner of systemctl. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build-config.h"
#include "chair-types.h"
#include "macro.h"
#include "massagectl.h"

#define USAGE_OPTIONS "[OPTIONS...]"

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
	/* A number's range, said when the argument is not a number in it: "Intensity takes
	 * ..." */
	const char *range;
	/* --json shows what it prints (its forms without arguments, or profile list). */
	bool json;
	/* It changes something when it has at least this many arguments (method verbs
	 * always): -q silences its output then. 0: a query. */
	int changes_from;
};

/* A method verb's arguments, checked for form (not range) before we connect. */
struct method_arguments {
	const char *strings[2];
	uint32_t u;
	int32_t i;
};

static const struct verb verbs[] = {
	{ "status", "", "Show what the chair is doing (exit 3 in fault)", .run = verb_status, .json = true },
	{ "show", "[-p NAME...] [--value]", "The chair's properties as Name=value", .run = verb_show },
	{ "is-running", "", "Exit 0 when a session runs, else 1", .run = verb_is_running },
	{ "list", "", "List the programs with their length and description", .run = verb_list, .json = true },
	{ "start", "PROGRAM", "Start a program (replaces a running one)", .method = "Start",
	  .arguments = ARGUMENTS_STRING },
	{ "manual", "TECHNIQUE ZONE", "One technique on one zone until stopped", .method = "StartManual",
	  .arguments = ARGUMENTS_TWO_STRINGS },
	{ "stop", "", "End the session: rollers park, heat off", .method = "Stop" },
	{ "pause", "", "Hold the rollers where they are", .method = "Pause" },
	{ "resume", "", "Continue a paused session", .method = "Resume" },
	{ "intensity", "1-5", "Contact force, 1 light (30 N) to 5 firm (100 N)", .method = "SetIntensity",
	  .arguments = ARGUMENTS_UINT32, .range = "Intensity takes a whole number from 1 (light) to 5 (firm)" },
	{ "pressure", "\nZONE -2..+2", "Show the intensity offsets by zone\nOne zone firmer or lighter, kept for later",
	  .run = verb_pressure, .max_args = 2, .check = pressure_check_arguments, .changes_from = 1 },
	{ "focus", "\nZONE...|none\n--start ZONE MINUTES",
	  "Show the areas of concern\nGive these zones more of every program\nA session of 3-15 min on one zone",
	  .run = verb_focus, .max_args = 8, .check = focus_check_arguments, .changes_from = 1 },
	{ "profile", "[list]\nshow NAME\nsave NAME\nuse NAME\ndelete NAME\nnone",
	  "List the profiles, * the one in use\nShow a profile's settings\nKeep the settings and shoulder line as "
	  "NAME\nApply a profile: its settings, no scan\nForget a profile\nUse no profile; the settings stay",
	  .run = verb_profile, .max_args = 3, .check = profile_check_arguments, .json = true, .changes_from = 1 },
	{ "speed", "1-6", "Speed of travel, kneading and tapping", .method = "SetSpeed", .arguments = ARGUMENTS_UINT32,
	  .range = "Speed takes a whole number from 1 (slow) to 6 (fast)" },
	{ "width", "narrow|medium|wide", "Roller spacing", .method = "SetWidth", .arguments = ARGUMENTS_STRING },
	{ "timer", "MINUTES", "Session length: 5 to 30 in steps of 5", .method = "SetTimer",
	  .arguments = ARGUMENTS_UINT32, .range = "Timer takes minutes from 5 to 30 in steps of 5" },
	{ "heat", "\non|off\nZONE\nZONE CELSIUS|off",
	  "Show the heating pads\nHot-stone heat for this session\nShow one pad\nSet one pad's target temperature",
	  .run = verb_heat, .max_args = 2, .check = heat_check_arguments, .json = true, .changes_from = 1 },
	{ "heat-target", "\nCELSIUS", "Show the person's heat target\nSessions heat to it; 0 or default: the program's",
	  .run = verb_heat_target, .max_args = 1, .check = heat_target_check_arguments, .changes_from = 1 },
	{ "gentle", "\non|off [--yes]", "Show gentle mode\nCaps for reduced sensation; off asks first",
	  .run = verb_gentle, .max_args = 2, .check = gentle_check_arguments, .changes_from = 1 },
	{ "autotune", "ZONE [--wait]", "Tune a pad's heat control; --wait follows it", .run = verb_autotune,
	  .min_args = 1, .max_args = 2, .check = autotune_check_arguments, .changes_from = 1 },
	{ "scan", "", "Scan the back for the shoulder line", .method = "Scan" },
	{ "adjust", "±MM", "Move the shoulder line by -50 to +50 mm", .method = "AdjustShoulder",
	  .arguments = ARGUMENTS_INT32, .range = "Adjust takes whole millimetres from -50 to +50" },
	{ "clear", "", "Clear faults whose cause is gone", .method = "ClearFault" },
	{ "service", "reset ZONE [--yes]", "After service, end a pad's lockout (root; asks first)", .run = verb_service,
	  .min_args = 2, .max_args = 3, .check = service_check_arguments, .changes_from = 2 },
	{ "faults", "", "List the active faults and what to do", .run = verb_faults, .json = true },
	{ "monitor", "[--keys]", "Live status and events until Ctrl-C; --keys: driven by keys", .run = verb_monitor,
	  .max_args = 1, .check = monitor_check_arguments },
	{ "help", "[COMMAND]", "Show this help, or a command's", .max_args = 1 },
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

static void print_verb_forms(FILE *f, const struct verb *v, const char *first_prefix)
{
	const char *prefix = first_prefix;

	for (const char *form = v->synopsis; form; form = next_line(form), prefix = "      ")
		(void)fprintf(f, "%s massagectl " USAGE_OPTIONS " %s%s%.*s\n", prefix, v->name,
			      line_length(form) > 0 ? " " : "", line_length(form), form);
}

static void print_options(void)
{
	printf("Options:\n"
	       "  --user                   talk to massaged on the session bus instead of the\n"
	       "                           system bus\n"
	       "  -H --host [USER@]HOST    talk to massaged on HOST's system bus, through\n"
	       "                           ssh HOST systemd-stdio-bridge\n"
	       "  --json MODE              print JSON: short, pretty or off (status, list,\n"
	       "                           heat, faults, profile list)\n"
	       "  --no-legend              tables without their header and hints\n"
	       "  --no-pager               accepted: massagectl never pages\n"
	       "  -q --quiet               commands that change something print nothing\n"
	       "  -p --property NAME       show: only these properties (repeat, or NAME,NAME)\n"
	       "  --value                  show: the values only\n"
	       "  -h --help                show this help (after a command: that command's)\n"
	       "  --version                show the version\n"
	       "Options go before or after the command; after '--' all is the command's.\n");
}

/* "  heat ZONE CELSIUS|off     Set one pad's target temperature": one line per form. */
static void print_verb_lines(const struct verb *v)
{
	const char *synopsis = v->synopsis, *help = v->help;

	for (; synopsis && help; synopsis = next_line(synopsis), help = next_line(help)) {
		char command[64];

		(void)snprintf(command, sizeof(command), "%s%s%.*s", v->name, line_length(synopsis) > 0 ? " " : "",
			       line_length(synopsis), synopsis);
		/* "±" is two bytes that take one column. */
		printf("  %-*s %.*s\n", strstr(command, "±") ? 28 : 27, command, line_length(help), help);
	}
}

static void print_help(void)
{
	printf("Usage: massagectl " USAGE_OPTIONS " [COMMAND [ARGS...]]\n\n"
	       "Control massaged, the massage chair daemon, over D-Bus. Without a command: status.\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		print_verb_lines(&verbs[i]);

	printf("\nTechniques:");
	for (int t = 0; t < _TECHNIQUE_MAX; t++)
		printf(" %s", technique_to_string(t));
	printf("\nZones:     ");
	for (int z = 0; z < _ZONE_MAX; z++)
		printf(" %s", zone_to_string(z));
	printf("\n\n");
	print_options();
	printf("\nChanges print nothing on success; autotune --wait shows its progress.\n"
	       "Exit status: 0 done, 1 refused by massaged, massaged not reachable or the\n"
	       "autotune failed (is-running: no session), 2 usage error, 3 status of a chair\n"
	       "in fault.\n");
}

/* `massagectl VERB --help` and `massagectl help VERB`. */
static void print_verb_help(const struct verb *v)
{
	print_verb_forms(stdout, v, "Usage:");
	printf("\n");
	print_verb_lines(v);
	printf("\n");
	if (v->range)
		printf("%s.\n", v->range);
	if (v->json)
		printf("--json=short|pretty prints it as JSON (man massagectl: JSON OUTPUT).\n");
	printf("\n");
	print_options();
}

int ctl_main_usage_error(const char *fmt, ...)
{
	_cleanup_free_ char *text = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (r < 0)
		text = NULL; /* undefined after a failure */
	ctl_message("massagectl", "%s", r < 0 ? "Out of memory" : text);
	(void)fputs("Usage: massagectl " USAGE_OPTIONS " [COMMAND [ARGS...]]\n"
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
	_cleanup_free_ char *text = NULL, *prefix = NULL;

	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL; /* undefined after a failure */
	else if (asprintf(&prefix, "massagectl %s", v->name) < 0)
		prefix = NULL;
	if (!text || !prefix)
		ctl_error("Out of memory");
	else
		ctl_message(prefix, "%s", text);
	print_verb_forms(stderr, v, "Usage:");
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
		/* the daemon says a number's range too; one it cannot be sent, we say */
		r = parse_uint_range(args[0], 0, UINT32_MAX, &u);
		if (r < 0)
			return verb_usage_error(v, "%s, not '%s'", v->range, args[0]);
		ret->u = u;
		return 0;
	case ARGUMENTS_INT32:
		r = parse_int_range(args[0], INT32_MIN, INT32_MAX, &i);
		if (r < 0)
			return verb_usage_error(v, "%s, not '%s'", v->range, args[0]);
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

static bool has_argument(const struct command_line *c, const char *arg)
{
	for (size_t i = 0; i < c->n_args; i++)
		if (strcmp(c->args[i], arg) == 0)
			return true;
	return false;
}

/* The command changes something (else it shows something). */
static bool command_changes(const struct command_line *c)
{
	const struct verb *v = c->verb;

	if (v->method)
		return true;
	if (v->changes_from == 0 || (int)c->n_args < v->changes_from)
		return false;
	if (strcmp(v->name, "profile") == 0)
		return strcmp(c->args[0], "list") != 0 && strcmp(c->args[0], "show") != 0;
	if (strcmp(v->name, "heat") == 0 && c->n_args == 1)
		return parse_boolean(c->args[0]) >= 0; /* heat ZONE shows the pad */
	return true;
}

/* -q silences this command: it changes something, and does not ask first. */
static bool command_is_quiet(const struct ctl *ctl, const struct command_line *c)
{
	const struct verb *v = c->verb;

	if (!ctl->quiet || !command_changes(c))
		return false;
	/* their questions stay: only --yes answers them without a word */
	if (strcmp(v->name, "service") == 0 || (strcmp(v->name, "gentle") == 0 && strcmp(c->args[0], "off") == 0))
		return has_argument(c, "--yes");
	return true;
}

/* What the verb and its arguments need beside the form of the arguments. */
static int check_command(const struct ctl *ctl, const struct command_line *c, struct method_arguments *ret)
{
	const struct verb *v = c->verb;
	int n_args = (int)c->n_args;

	if (ctl->user_bus && ctl->host)
		return ctl_main_usage_error("--user and --host exclude each other: --host reaches the system bus "
					    "of a remote chair");
	if (n_args < (v->method ? method_argument_count(v) : v->min_args))
		return verb_usage_error(v, "Missing argument");
	if (n_args > (v->method ? method_argument_count(v) : v->max_args))
		return verb_usage_error(v, "Too many arguments");
	if (ctl->json != JSON_OFF &&
	    (!v->json || command_changes(c) ||
	     (strcmp(v->name, "profile") == 0 && c->args[0] && strcmp(c->args[0], "list") != 0)))
		return verb_usage_error(v, "--json is for status, list, heat, faults and profile list");
	if ((ctl->properties || ctl->value_only) && strcmp(v->name, "show") != 0)
		return verb_usage_error(v, "--property and --value are for show");
	if (strcmp(v->name, "help") == 0 && c->args[0] && !verb_find(c->args[0]))
		return verb_usage_error(v, "Unknown command '%s'", c->args[0]);
	if (v->check)
		return v->check(c->args);
	return parse_method_arguments(v, c->args, ret);
}

static int silence_stdout(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
		if (fd >= 0)
			(void)close(fd);
		return ctl_error("Cannot open /dev/null for --quiet: %s", strerror(errno));
	}
	(void)close(fd);
	return EXIT_SUCCESS;
}

static bool stdout_takes_colour(void)
{
	const char *term = getenv("TERM");

	return isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && term && strcmp(term, "dumb") != 0;
}

int main(int argc, char *argv[])
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(command_line_done) struct command_line c = {};
	struct method_arguments arguments = {};
	_cleanup_(ctl_done) struct ctl ctl = {};
	int r;

	r = command_line_parse(argc, argv, &ctl, &c);
	if (r == -ENOMEM)
		return EXIT_FAILURE;
	if (r < 0)
		return EXIT_USAGE;
	c.verb = verb_find(c.verb_name ? c.verb_name : "status");
	if (!c.verb) {
		(void)ctl_main_usage_error("Unknown command '%s'", c.verb_name);
		return EXIT_USAGE;
	}
	if (c.version) {
		printf("massagectl " PACKAGE_VERSION "\n");
		return EXIT_SUCCESS;
	}
	/* before the arguments are checked: `massagectl start --help` asks how to start */
	if (c.help || strcmp(c.verb->name, "help") == 0) {
		bool help_verb = strcmp(c.verb->name, "help") == 0;
		const struct verb *v = help_verb ? (c.args[0] ? verb_find(c.args[0]) : NULL) : c.verb;

		if (!c.verb_name)
			v = NULL;
		if (help_verb && c.args[0] && !v) {
			(void)ctl_main_usage_error("Unknown command '%s'", c.args[0]);
			return EXIT_USAGE;
		}
		if (v)
			print_verb_help(v);
		else
			print_help();
		return EXIT_SUCCESS;
	}
	r = check_command(&ctl, &c, &arguments);
	if (r < 0)
		return EXIT_USAGE;

	if (command_is_quiet(&ctl, &c)) {
		r = silence_stdout();
		if (r != EXIT_SUCCESS)
			return r;
	}
	r = ctl_open_bus(&ctl, &bus);
	if (r != EXIT_SUCCESS)
		return r;
	ctl.bus = bus;
	ctl.colour = stdout_takes_colour();

	if (c.verb->run)
		r = c.verb->run(&ctl, c.args);
	else
		r = call_chair_method(&ctl, c.verb, &arguments);

	if (fflush(stdout) != 0 && r == EXIT_SUCCESS)
		r = ctl_error("Cannot write the output: %s", strerror(errno));
	return r;
}
