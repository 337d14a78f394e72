/* SPDX-License-Identifier: MIT */
/* massagectl's command line: its options anywhere, before or after the command (into
 * struct ctl), the command's name and its arguments. */
#include <errno.h>
#include <getopt.h> /* struct option */
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "massagectl.h"

static int out_of_memory(void)
{
	ctl_error("Out of memory");
	return -ENOMEM;
}

void command_line_done(struct command_line *c)
{
	free(c->args);
}

static int command_line_push(struct command_line *c, char *arg)
{
	char **args = realloc(c->args, (c->n_args + 2) * sizeof(char *));

	if (!args)
		return out_of_memory();
	c->args = args;
	c->args[c->n_args++] = arg;
	c->args[c->n_args] = NULL;
	return 0;
}

/* A verb's own options, left to the verb's check: not options of massagectl. */
static bool is_verb_option(const char *arg)
{
	static const char *const verb_options[] = { "--yes", "--wait", "--start", "--keys" };

	for (size_t i = 0; i < ELEMENTSOF(verb_options); i++)
		if (strcmp(arg, verb_options[i]) == 0)
			return true;
	return false;
}

/* "-10", "-2", "+1": a number (adjust -10, pressure neck -2), not an option. */
static bool is_number(const char *arg)
{
	return (arg[0] == '-' || arg[0] == '+') && ((arg[1] >= '0' && arg[1] <= '9') || arg[1] == '.');
}

static int add_properties(struct ctl *ctl, const char *list)
{
	_cleanup_free_ char *copy = strdup(list);
	size_t n = 0;
	char *save = NULL;

	if (!copy)
		return out_of_memory();
	while (ctl->properties && ctl->properties[n])
		n++;
	for (char *name = strtok_r(copy, ", ", &save); name; name = strtok_r(NULL, ", ", &save)) {
		char **l = realloc(ctl->properties, (n + 2) * sizeof(char *));

		if (!l)
			return out_of_memory();
		ctl->properties = l;
		ctl->properties[n] = strdup(name);
		ctl->properties[n + 1] = NULL;
		if (!ctl->properties[n])
			return out_of_memory();
		n++;
	}
	return 0;
}

enum {
	OPTION_USER = 0x100,
	OPTION_VERSION,
	OPTION_JSON,
	OPTION_NO_PAGER,
	OPTION_NO_LEGEND,
	OPTION_VALUE,
};

/* getopt's table (man/check-man reads it), parsed by parse_option(): getopt_long cannot
 * leave a verb's own options and negative numbers to the verb after it. */
static const struct option options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPTION_VERSION },
	{ "user", no_argument, NULL, OPTION_USER },
	{ "host", required_argument, NULL, 'H' },
	{ "json", required_argument, NULL, OPTION_JSON },
	{ "no-pager", no_argument, NULL, OPTION_NO_PAGER },
	{ "no-legend", no_argument, NULL, OPTION_NO_LEGEND },
	{ "quiet", no_argument, NULL, 'q' },
	{ "property", required_argument, NULL, 'p' },
	{ "value", no_argument, NULL, OPTION_VALUE },
	{},
};

/* The option arg names ("--name", "--name=VALUE", "-X", "-XVALUE"), or NULL; *ret_inline
 * is its value when the word carries it. */
static const struct option *option_find(const char *arg, const char **ret_inline)
{
	*ret_inline = NULL;
	for (const struct option *o = options; o->name; o++) {
		size_t len = strlen(o->name);

		if (arg[1] == '-' && strncmp(arg + 2, o->name, len) == 0 &&
		    (arg[2 + len] == '\0' || (arg[2 + len] == '=' && o->has_arg == required_argument))) {
			if (arg[2 + len] == '=')
				*ret_inline = arg + 2 + len + 1;
			return o;
		}
		if (arg[1] != '-' && o->val < 0x100 && arg[1] == o->val &&
		    (arg[2] == '\0' || o->has_arg == required_argument)) {
			if (arg[2])
				*ret_inline = arg + 2;
			return o;
		}
	}
	return NULL;
}

static int parse_json_mode(const char *value, enum json_mode *ret)
{
	if (strcmp(value, "short") == 0)
		*ret = JSON_SHORT;
	else if (strcmp(value, "pretty") == 0)
		*ret = JSON_PRETTY;
	else if (strcmp(value, "off") == 0)
		*ret = JSON_OFF;
	else
		return ctl_main_usage_error("Unknown --json mode '%s': there are short, pretty and off", value);
	return 0;
}

/* One of massagectl's options at argv[*i]: 1 when it was one (*i past its value), 0 when
 * not, or -EINVAL. */
static int parse_option(int argc, char *argv[], int *i, struct ctl *ctl, struct command_line *c)
{
	const struct option *o;
	const char *value;

	o = option_find(argv[*i], &value);
	if (!o)
		return 0;
	if (o->has_arg == required_argument && !value) {
		if (*i + 1 >= argc)
			return ctl_main_usage_error("Option '%s' needs a value", argv[*i]);
		value = argv[++*i];
	}
	switch (o->val) {
	case 'h':
		c->help = true;
		break;
	case OPTION_VERSION:
		c->version = true;
		break;
	case OPTION_USER:
		ctl->user_bus = true;
		break;
	case 'H':
		if (!value[0])
			return ctl_main_usage_error("--host needs a host name, [USER@]HOST");
		ctl->host = value;
		break;
	case OPTION_JSON:
		return parse_json_mode(value, &ctl->json) < 0 ? -EINVAL : 1;
	case OPTION_NO_PAGER:
		break; /* massagectl never pages: accepted as systemctl's is */
	case OPTION_NO_LEGEND:
		ctl->no_legend = true;
		break;
	case 'q':
		ctl->quiet = true;
		break;
	case 'p':
		return add_properties(ctl, value) < 0 ? -ENOMEM : 1;
	case OPTION_VALUE:
		ctl->value_only = true;
		break;
	}
	return 1;
}

/* Options anywhere, before or after the command, as systemctl takes them; after "--"
 * every word is the command's (start -- --help starts a program called --help). */
int command_line_parse(int argc, char *argv[], struct ctl *ctl, struct command_line *c)
{
	char *verb_name = NULL;
	bool options_end = false;
	int r;

	c->args = calloc(1, sizeof(char *));
	if (!c->args)
		return out_of_memory();
	for (int i = 1; i < argc; i++) {
		char *arg = argv[i];

		if (!options_end && strcmp(arg, "--") == 0) {
			options_end = true;
			continue;
		}
		if (!options_end && arg[0] == '-' && arg[1] && !is_number(arg)) {
			r = parse_option(argc, argv, &i, ctl, c);
			if (r < 0)
				return r;
			if (r > 0)
				continue;
			if (!verb_name || !is_verb_option(arg))
				return ctl_main_usage_error("Unknown option '%s'", arg);
		}
		if (!verb_name)
			verb_name = arg;
		else if (command_line_push(c, arg) < 0)
			return -ENOMEM;
	}
	c->verb_name = verb_name;
	return 0;
}
