/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

/* Writes state files off the event loop. A state file is replaced with fsync, which
 * can take hundreds of milliseconds on an SD card or a busy disk; the loop that
 * reacts to the emergency stop and feeds the roller board's watchdog must not wait for
 * it. One thread writes the queued files in order (state_file_write()) and the loop
 * hears back through an eventfd, so the callbacks run on the loop. */

struct state_writer;

/* r: 0 or the negative errno of state_file_write(); on the event loop. */
typedef void (*state_writer_done_t)(void *userdata, const char *path, int r, uint64_t duration_usec);

int state_writer_new(sd_event *event, struct state_writer **ret);
/* Queue `text` (taken over, freed by the writer) to replace `path` (text NULL: to
 * remove it, state_file_remove()); writes happen in
 * the order submitted and each one's callback runs. Returns 0, or negative errno
 * (text freed, no callback): -EBUSY when too many writes wait. */
int state_writer_submit(struct state_writer *w, const char *path, char *text, size_t size, state_writer_done_t done,
			void *userdata);
/* Finish every queued write, run their callbacks, stop the thread. Blocks: for exit. */
struct state_writer *state_writer_free(struct state_writer *w);
