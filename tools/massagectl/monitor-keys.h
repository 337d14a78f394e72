/* SPDX-License-Identifier: MIT */
#pragma once

/* massagectl monitor --keys: the live view driven from the keyboard (p pause/resume,
 * s stop, + and - intensity, h heat, q quit), with the keys and how a second terminal
 * joins shown beneath the view. */
#include <stdbool.h>
#include <stdio.h>
#include <systemd/sd-event.h>
#include <termios.h>

struct monitor;

struct monitor_keys {
	bool enabled;          /* --keys */
	bool terminal_changed; /* saved holds the terminal's mode to restore */
	struct termios saved;
	sd_event_source *input;
};

/* Accepts no argument or "--keys"; -EINVAL after a usage message otherwise. */
int monitor_check_arguments(char **args);
/* Standard input in character mode without echo (signals still work), its keys read
 * in the loop; -ENOTTY after a message when standard input is no terminal. */
int monitor_keys_start(struct monitor *m);
/* The terminal as it was; safe to call twice. */
void monitor_keys_stop(struct monitor *m);
/* The lines beneath the view: the keys, the next step when idle, and the line that
 * reaches this bus from another terminal. */
void monitor_keys_render(const struct monitor *m, FILE *f);
