/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "settings.h"

struct context;
struct sd_event_source;

/* What settings-store.c keeps in the context. */
struct settings_store {
	struct settings_file saved, tried; /* what the file holds, what was last tried */
	/* a reload changed the configured defaults while a session ran: they apply at the
	 * next session start, compared with these */
	bool defaults_pending;
	struct chair_settings configured_before;
	bool write_failing;
	struct sd_event_source *timer;
};

/* settings.state in the state directory: the person's settings (settings.h) restored
 * at start and written off the control path, about a second of wall time after a
 * change (a burst of changes costs one write) and at a clean exit. A write that fails
 * (full disk, read-only directory) is logged once until a write succeeds again, never
 * touches the chair, and is tried again on the next change. */

/* At start, after the configuration: the saved settings, adjusted as settings_restore()
 * says, or the configured defaults when there is no valid file (a damaged one is
 * reported with file and line). Removes temporary files a killed write left. */
void settings_store_restore(struct context *c);
/* After a reload: `before` were the configured defaults until now. A default that
 * changed wins over the person's setting as at a restart, from the next session start
 * on (now when no session runs); the session limit is cut to MaxSessionMinutes at once,
 * a running session's too. */
void settings_store_reconfigured(struct context *c, const struct chair_settings *before);
/* Before a session starts: what a reload left for it. */
void settings_store_session_start(struct context *c);
/* From context_publish(): schedule a write if a setting changed since the last one. */
void settings_store_changed(struct context *c);
/* At a clean exit: write now whatever is not saved yet. */
void settings_store_flush(struct context *c);
void settings_store_free(struct context *c);
