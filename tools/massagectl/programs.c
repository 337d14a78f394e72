/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "massagectl.h"

static void program_done(struct program *p)
{
	free(p->id);
	free(p->title);
	free(p->description);
}

void program_list_done(struct program_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		program_done(&l->items[i]);
	free(l->items);
	*l = (struct program_list) {};
}

static int program_list_append(struct program_list *l, const char *id, const char *title, const char *description,
			       uint32_t duration)
{
	struct program *items, *p;

	items = realloc(l->items, (l->n + 1) * sizeof(*items));
	if (!items)
		return -ENOMEM;
	l->items = items;

	p = &l->items[l->n];
	*p = (struct program) {
		.id = strdup(id),
		.title = strdup(title),
		.description = strdup(description),
		.duration = duration,
	};
	if (!p->id || !p->title || !p->description) {
		program_done(p);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

int program_list_read(sd_bus_message *m, struct program_list *ret)
{
	_cleanup_(program_list_done) struct program_list l = {};
	const char *id, *title, *description;
	uint32_t duration;
	int r;

	r = sd_bus_message_enter_container(m, 'a', "(sssu)");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_read(m, "(sssu)", &id, &title, &description, &duration)) > 0) {
		r = program_list_append(&l, id, title, description, duration);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	r = sd_bus_message_exit_container(m);
	if (r < 0)
		return r;

	program_list_done(ret);
	*ret = l;
	l = (struct program_list) {};
	return 0;
}

int program_list_fetch(sd_bus *bus, sd_bus_error *error, struct program_list *ret)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_call_method(bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "ListPrograms", error, &reply, NULL);
	if (r < 0)
		return r;
	return program_list_read(reply, ret);
}

const struct program *program_list_find(const struct program_list *l, const char *id)
{
	if (!id)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].id, id) == 0)
			return &l->items[i];
	return NULL;
}

static void print_program_table(const struct program_list *l, bool colour, bool legend)
{
	size_t id_width = strlen("ID"), width = output_width(), indent;
	char duration[DURATION_MAX];

	for (size_t i = 0; i < l->n; i++)
		id_width = MAX(id_width, strlen(l->items[i].id));
	/* Descriptions go under the title; a very long id would leave them no room. */
	indent = id_width + 2 + 6 + 2;
	if (indent > width / 2)
		indent = 4;

	if (legend)
		printf("%s%-*s  %6s  %s%s\n", colour ? "\033[1m" : "", (int)id_width, "ID", "LENGTH", "TITLE",
		       colour ? "\033[0m" : "");
	for (size_t i = 0; i < l->n; i++) {
		const struct program *p = &l->items[i];

		printf("%-*s  %6s  %s\n", (int)id_width, p->id, format_duration(duration, p->duration), p->title);
		print_wrapped(stdout, p->description, indent, width);
	}
	if (l->n == 0 && legend)
		printf("No programs.\n");
}

int verb_list(struct ctl *ctl, char **args)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(program_list_done) struct program_list programs = {};
	int r;

	r = program_list_fetch(ctl->bus, &error, &programs);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	if (ctl->json)
		return json_print(ctl, json_programs(&programs));
	print_program_table(&programs, ctl->colour, !ctl->no_legend);
	return EXIT_SUCCESS;
}
