/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "events.h"

void events_fault_raised(const struct chair_event_handlers *h, const char *code, const char *message)
{
	if (h->fault_raised)
		h->fault_raised(h->userdata, code, message);
}

void events_fault_cleared(const struct chair_event_handlers *h, const char *code)
{
	if (h->fault_cleared)
		h->fault_cleared(h->userdata, code);
}

void events_program_finished(const struct chair_event_handlers *h, const char *program, const char *reason)
{
	if (h->program_finished)
		h->program_finished(h->userdata, program, reason);
}

void events_programs_changed(const struct chair_event_handlers *h)
{
	if (h->programs_changed)
		h->programs_changed(h->userdata);
}

void events_changed(const struct chair_event_handlers *h)
{
	if (h->changed)
		h->changed(h->userdata);
}
