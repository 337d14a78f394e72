/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "chair-types.h"

#define PROGRAM_ID_MAX 64
#define PROGRAM_TITLE_MAX 128
#define PROGRAM_DESCRIPTION_MAX 512
#define PROGRAM_STEPS_MAX 64
#define PROGRAM_ERROR_MAX 512
/* Far beyond any real program (64 steps of a few lines) and library, and small enough
 * that loading the largest allowed library stays short. */
#define PROGRAM_FILE_SIZE_MAX (64 * 1024)
#define PROGRAM_FILES_MAX 1024 /* in each directory */

struct program_step {
	enum technique technique;
	enum zone zone;
	unsigned duration_s; /* 10..900 */
	unsigned speed;      /* 1..6: the step's rates unless the person chose a speed */
	enum width width;    /* unless the person chose a width */
	int depth_offset;    /* -2..+2 on the person's intensity ("finish lighter") */
	bool heat;           /* heat this step's zone (if it has a pad) while Heat is on */
};

struct program {
	char id[PROGRAM_ID_MAX]; /* the file name without .program */
	char title[PROGRAM_TITLE_MAX];
	char description[PROGRAM_DESCRIPTION_MAX];
	double heat_target_c; /* 0 = the configured default target */
	bool heat_on_start;   /* [Program] Heat=yes: the program turns Heat on */
	bool not_gentle;      /* [Program] Gentle=no: too firm for gentle mode, refused while it is on */
	unsigned n_steps;
	struct program_step steps[PROGRAM_STEPS_MAX];
};

struct program_library {
	unsigned n_programs;
	struct program *programs; /* sorted by id */
};

unsigned program_duration_s(const struct program *p);

/* A program id: [a-z0-9-]+, shorter than PROGRAM_ID_MAX (also DefaultProgram= in the
 * configuration). */
bool program_id_is_valid(const char *id);

/* Parse one *.program file. Errors name file, line and what was expected. */
int program_parse_file(const char *path, struct program *ret, char *err);

/* Load every *.program of `library_dir`, then of `override_dir` (either may be NULL
 * or missing), a file in the override replacing the library's program of the same id.
 * Any invalid file fails the whole load: *ret untouched, err names it; so does a file
 * that is no regular file or is larger than PROGRAM_FILE_SIZE_MAX, and a directory
 * with more than PROGRAM_FILES_MAX of them. Time and memory grow as n log n. */
int program_library_load(const char *library_dir, const char *override_dir, struct program_library *ret, char *err);
void program_library_clear(struct program_library *lib);
const struct program *program_library_find(const struct program_library *lib, const char *id);
