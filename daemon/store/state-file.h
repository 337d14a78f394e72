/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdio.h>

/* The daemon's state files (autotune results, the last settings): small INI files in
 * the state directory, replaced atomically so a kill or a power cut at any moment
 * leaves the old file or the new one, never a mix; a damaged one is refused with the
 * file and line, and the daemon carries on without it. */

/* The state directory: $STATE_DIRECTORY (systemd's StateDirectory=, the first of a
 * ':' list) or the built-in STATE_DIR. */
void state_file_directory(char *buf, size_t size);

/* Replace `path` with the `size` bytes of `data`: a temporary file PATH.XXXXXX in the
 * same directory, every byte written, fsync, rename over `path`, fsync of the
 * directory. Returns 0 or negative errno (-ENOSPC on a full disk, -EROFS, -EACCES...);
 * on failure before the rename `path` is untouched and the temporary file is gone. */
int state_file_write(const char *path, const void *data, size_t size);

/* Remove `path` durably (unlink, fsync of the directory). A file that is not there is
 * no error. Returns 0 or negative errno. */
int state_file_remove(const char *path);

/* Remove the temporary files PATH.XXXXXX a write killed before its rename left beside
 * `path`, each named in the log. Returns how many, or negative errno. */
int state_file_remove_stale(const char *path);

/* The write side: a state file's text built on a stream. state_file_text_open() writes
 * the header (`comment`, its lines already starting with "# ", then [section] and
 * Version=) and returns the stream to print the keys to, or NULL when out of memory;
 * state_file_text_close() returns the text (malloc'd, *ret_size bytes) or NULL. */
struct state_file_text {
	FILE *f;
	char *text;
	size_t size;
};
FILE *state_file_text_open(struct state_file_text *t, const char *comment, const char *section, unsigned version);
char *state_file_text_close(struct state_file_text *t, size_t *ret_size);

/* A state file is a few hundred bytes; a larger one is refused unread. */
#define STATE_FILE_SIZE_MAX (16 * 1024)

/* The load side: one [section] with Version=version, then the caller's keys. The
 * handler sees every other key of that section and returns 0 or negative errno after
 * ini_file_error(). Returns 0, or negative errno with err ("FILE:LINE: what"):
 * -ENOENT when there is no file, -EINVAL for no regular file (a FIFO is never waited
 * on), another section, another Version or none, a syntax error, or the handler's
 * refusal, -EFBIG for a file larger than STATE_FILE_SIZE_MAX. */
typedef int (*state_file_key_t)(void *userdata, const char *key, const char *value, unsigned line);
int state_file_parse(const char *path, const char *section, unsigned version, state_file_key_t on_key, void *userdata,
		     char *err);
