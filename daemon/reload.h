/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "context.h"

/* The program directories a configuration names, or the built-in ones (the source
 * tree's when this binary runs from its build folder). */
void program_dirs_from_config(const struct massaged_config *cfg, char *library, size_t library_size, char *override,
			      size_t override_size);

/* SIGHUP: read the configuration file (and its drop-ins) and the programs again, all
 * or nothing: if either is invalid, the running configuration and programs stay and
 * the journal says why (file and line). Otherwise what can change live does: [Chair],
 * [Limits], [Heat] ceilings and dose, [Programs], and [Defaults] from the next session
 * start. The wiring ([GPIO], [Modbus], [Binding], the set of Pads, [Simulator]) needs
 * its devices reopened: a change there is logged and waits for a restart.
 *
 * The files are read on a thread of their own, so that a large library or a slow disk
 * never holds up the loop (the emergency stop, the heat, D-Bus); the loop applies the
 * result when the thread is done and tells systemd (RELOADING=1, then READY=1 with a
 * STATUS= line). A SIGHUP while a reload runs is queued: one more reload follows. */
void reload_start(struct context *c);

/* Wait for a reload in progress, drop its result, free what reloading holds. */
struct reload_worker *reload_worker_free(struct reload_worker *w);

/* Load the program library at start-up (SIGHUP reads it in reload.c); on failure the
 * set stays empty and the error is logged. */
int reload_programs_at_start(struct context *c);
/* The program set of these directories, which must hold default_program. On failure
 * returns negative errno and says why in err (PROGRAM_ERROR_MAX). */
int reload_load_program_set(const char *library_dir, const char *override_dir, const char *default_program,
			    struct program_library *ret, char *err);
