/* SPDX-License-Identifier: MIT */
/* The program parser: a library folder holding the input as fuzz.program, loaded with
 * program_library_load() (which parses it with program_parse_file()). A program it
 * takes must be one the engine can run; one it refuses must say why. */
#include <limits.h>
#include <string.h>

#include "fuzz-target.h"
#include "log.h"
#include "program.h"

static void check_program(const struct program *p)
{
	FUZZ_CHECK(strcmp(p->id, "fuzz") == 0, "id '%s'", p->id);
	FUZZ_CHECK(memchr(p->title, '\0', sizeof(p->title)) && p->title[0], "title");
	FUZZ_CHECK(memchr(p->description, '\0', sizeof(p->description)), "description");
	FUZZ_CHECK(p->heat_target_c == 0 || (p->heat_target_c >= 30 && p->heat_target_c <= 48), "HeatTarget %g",
		   p->heat_target_c);
	FUZZ_CHECK(p->n_steps >= 1 && p->n_steps <= PROGRAM_STEPS_MAX, "%u steps", p->n_steps);
	for (unsigned i = 0; i < p->n_steps; i++) {
		const struct program_step *s = &p->steps[i];

		FUZZ_CHECK(s->technique >= 0 && s->technique < _TECHNIQUE_MAX, "step %u technique %d", i, s->technique);
		FUZZ_CHECK(s->zone >= 0 && s->zone < _ZONE_MAX, "step %u zone %d", i, s->zone);
		FUZZ_CHECK(s->width >= 0 && s->width < _WIDTH_MAX, "step %u width %d", i, s->width);
		FUZZ_CHECK(s->duration_s >= 10 && s->duration_s <= 900, "step %u duration %u", i, s->duration_s);
		FUZZ_CHECK(s->speed >= SPEED_MIN && s->speed <= SPEED_MAX, "step %u speed %u", i, s->speed);
		FUZZ_CHECK(s->depth_offset >= -2 && s->depth_offset <= 2, "step %u depth %d", i, s->depth_offset);
	}
	FUZZ_CHECK(program_duration_s(p) <= PROGRAM_STEPS_MAX * 900u, "duration");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[PATH_MAX], file[PATH_MAX];
	struct program_library lib = { .n_programs = 99 };
	char err[PROGRAM_ERROR_MAX];
	int r;

	if (!dir[0]) {
		log_set_max_level(LOG_CRIT);
		fuzz_make_dir(dir, "programs");
		fuzz_path(file, "programs/fuzz.program");
	}
	fuzz_write_file(file, data, size);

	memset(err, 'x', sizeof(err));
	r = program_library_load(dir, NULL, &lib, err);
	if (r < 0) {
		FUZZ_CHECK_ERROR_TEXT(err, sizeof(err));
		FUZZ_CHECK(strncmp(err, file, strlen(file)) == 0, "the error names no file: %s", err);
		FUZZ_CHECK(lib.n_programs == 99, "a failed load changed its result");
		return 0;
	}
	FUZZ_CHECK(lib.n_programs == 1, "%u programs from one file", lib.n_programs);
	FUZZ_CHECK(program_library_find(&lib, "fuzz") == &lib.programs[0], "fuzz not found");
	check_program(&lib.programs[0]);
	program_library_clear(&lib);
	return 0;
}
