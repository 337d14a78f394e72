/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini-file.h"
#include "macro.h"
#include "program.h"

#define PROGRAM_SUFFIX ".program"
#define STEP_DURATION_MIN_S 10
#define STEP_DURATION_MAX_S 900
#define STEP_DEPTH_MIN (-2)
#define STEP_DEPTH_MAX 2
#define PROGRAM_HEAT_MIN_C 30.0
#define PROGRAM_HEAT_MAX_C 48.0 /* the hard ceiling; the daemon clamps to MaxTarget */
#define VALUE_QUOTE_MAX 64      /* an error quotes this much of a value: "expected ..." must fit */

enum program_key_id {
	KEY_TITLE,
	KEY_DESCRIPTION,
	KEY_HEAT_TARGET,
	KEY_PROGRAM_HEAT,
	KEY_PROGRAM_GENTLE,
	KEY_TECHNIQUE,
	KEY_ZONE,
	KEY_DURATION,
	KEY_SPEED,
	KEY_WIDTH,
	KEY_DEPTH,
	KEY_HEAT,
	_KEY_MAX,
};

struct program_parser;

struct program_key {
	const char *section;
	const char *name;
	bool required;
	/* 0, or negative errno when the value is not one of `expected` */
	int (*parse)(struct program_parser *pp, const char *value);
	const char *expected;
};

struct program_parser {
	const char *path;
	char *err;
	struct program *p;
	unsigned program_line;       /* the [Program] header, 0 before it */
	unsigned section_line;       /* the header of the section being read */
	const char *section;         /* "Program", "Step" or NULL before the first header */
	unsigned key_line[_KEY_MAX]; /* where each key was set in this section, 0 = not */
};

static struct program_step *current_step(struct program_parser *pp)
{
	return &pp->p->steps[pp->p->n_steps - 1];
}

static int parse_title(struct program_parser *pp, const char *value)
{
	if (value[0] == '\0' || strlen(value) >= sizeof(pp->p->title))
		return -EINVAL;
	memcpy(pp->p->title, value, strlen(value) + 1);
	return 0;
}

static int parse_description(struct program_parser *pp, const char *value)
{
	if (strlen(value) >= sizeof(pp->p->description))
		return -EINVAL;
	memcpy(pp->p->description, value, strlen(value) + 1);
	return 0;
}

static int parse_heat_target(struct program_parser *pp, const char *value)
{
	return parse_double_range(value, PROGRAM_HEAT_MIN_C, PROGRAM_HEAT_MAX_C, &pp->p->heat_target_c);
}

static int parse_program_heat(struct program_parser *pp, const char *value)
{
	int r = parse_boolean(value);

	if (r < 0)
		return r;
	pp->p->heat_on_start = r;
	return 0;
}

static int parse_program_gentle(struct program_parser *pp, const char *value)
{
	int r = parse_boolean(value);

	if (r < 0)
		return r;
	pp->p->not_gentle = !r;
	return 0;
}

static int parse_technique(struct program_parser *pp, const char *value)
{
	enum technique t = technique_from_string(value);

	if (t == TECHNIQUE_INVALID)
		return -EINVAL;
	current_step(pp)->technique = t;
	return 0;
}

static int parse_zone(struct program_parser *pp, const char *value)
{
	enum zone z = zone_from_string(value);

	if (z == ZONE_INVALID)
		return -EINVAL;
	current_step(pp)->zone = z;
	return 0;
}

static int parse_duration(struct program_parser *pp, const char *value)
{
	return parse_uint_range(value, STEP_DURATION_MIN_S, STEP_DURATION_MAX_S, &current_step(pp)->duration_s);
}

static int parse_speed(struct program_parser *pp, const char *value)
{
	return parse_uint_range(value, SPEED_MIN, SPEED_MAX, &current_step(pp)->speed);
}

static int parse_width(struct program_parser *pp, const char *value)
{
	enum width w = width_from_string(value);

	if (w == WIDTH_INVALID)
		return -EINVAL;
	current_step(pp)->width = w;
	return 0;
}

static int parse_depth(struct program_parser *pp, const char *value)
{
	return parse_int_range(value, STEP_DEPTH_MIN, STEP_DEPTH_MAX, &current_step(pp)->depth_offset);
}

static int parse_heat(struct program_parser *pp, const char *value)
{
	int r = parse_boolean(value);

	if (r < 0)
		return r;
	current_step(pp)->heat = r;
	return 0;
}

static const struct program_key program_keys[_KEY_MAX] = {
	[KEY_TITLE] = { "Program", "Title", true, parse_title, "a title of 1..127 characters" },
	[KEY_DESCRIPTION] = { "Program", "Description", true, parse_description,
			      "a description of at most 511 characters" },
	[KEY_HEAT_TARGET] = { "Program", "HeatTarget", false, parse_heat_target, "a pad temperature 30..48 (°C)" },
	[KEY_PROGRAM_HEAT] = { "Program", "Heat", false, parse_program_heat,
			       "yes or no (turn heat on when the program starts)" },
	[KEY_PROGRAM_GENTLE] = { "Program", "Gentle", false, parse_program_gentle,
				 "yes or no (no: too firm for gentle mode, refused while it is on)" },
	[KEY_TECHNIQUE] = { "Step", "Technique", true, parse_technique,
			    "one of knead, tap, glide, shiatsu, friction, press, deep" },
	[KEY_ZONE] = { "Step", "Zone", true, parse_zone, "one of neck, shoulders, upper-back, lower-back, back" },
	[KEY_DURATION] = { "Step", "Duration", true, parse_duration, "10..900 (seconds)" },
	[KEY_SPEED] = { "Step", "Speed", false, parse_speed, "1..6" },
	[KEY_WIDTH] = { "Step", "Width", false, parse_width, "narrow, medium or wide" },
	[KEY_DEPTH] = { "Step", "Depth", false, parse_depth, "-2..+2 (an offset on the person's intensity)" },
	[KEY_HEAT] = { "Step", "Heat", false, parse_heat, "yes or no" },
};

static void list_keys(const char *section, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < _KEY_MAX && n < size; i++)
		if (strcmp(program_keys[i].section, section) == 0)
			n += (size_t)snprintf(buf + n, size - n, "%s%s=", n ? ", " : "", program_keys[i].name);
}

/* A section ends at the next header or the end of the file: check what it must set. */
static int close_section(struct program_parser *pp)
{
	if (!pp->section)
		return 0;
	for (size_t i = 0; i < _KEY_MAX; i++) {
		const struct program_key *k = &program_keys[i];

		if (!k->required || pp->key_line[i] || strcmp(k->section, pp->section) != 0)
			continue;
		if (strcmp(pp->section, "Step") == 0)
			return ini_file_error(pp->err, pp->path, pp->section_line, -EINVAL,
					      "step %u has no %s=, expected %s", pp->p->n_steps, k->name, k->expected);
		return ini_file_error(pp->err, pp->path, pp->section_line, -EINVAL, "[%s] has no %s=, expected %s",
				      pp->section, k->name, k->expected);
	}
	return 0;
}

static int open_program(struct program_parser *pp, unsigned line)
{
	if (pp->program_line)
		return ini_file_error(pp->err, pp->path, line, -EINVAL,
				      "a second [Program] section (the first is at line %u), "
				      "expected [Step]",
				      pp->program_line);
	pp->program_line = line;
	pp->section = "Program";
	return 0;
}

static int open_step(struct program_parser *pp, unsigned line)
{
	if (!pp->program_line)
		return ini_file_error(pp->err, pp->path, line, -EINVAL,
				      "[Step] before [Program], expected [Program] first");
	if (pp->p->n_steps >= PROGRAM_STEPS_MAX)
		return ini_file_error(pp->err, pp->path, line, -E2BIG, "too many steps, expected at most %d",
				      PROGRAM_STEPS_MAX);
	pp->p->steps[pp->p->n_steps++] = (struct program_step) {
		.technique = TECHNIQUE_INVALID,
		.zone = ZONE_INVALID,
		.speed = 3,
		.width = WIDTH_MEDIUM,
	};
	pp->section = "Step";
	return 0;
}

static int on_header(struct program_parser *pp, const char *section, unsigned line)
{
	int r;

	/* the section before this one is complete now: report its gaps first */
	r = close_section(pp);
	if (r < 0)
		return r;
	if (strcmp(section, "Program") != 0 && strcmp(section, "Step") != 0)
		return ini_file_error(pp->err, pp->path, line, -EINVAL,
				      "unknown section [%s], expected [Program] or [Step]", section);
	r = strcmp(section, "Program") == 0 ? open_program(pp, line) : open_step(pp, line);
	if (r < 0)
		return r;
	pp->section_line = line;
	memset(pp->key_line, 0, sizeof(pp->key_line));
	return 0;
}

static int program_on_line(void *userdata, const char *section, int section_index, const char *key, const char *value,
			   unsigned line)
{
	struct program_parser *pp = userdata;
	char expected[INI_FILE_ERROR_MAX / 2];
	const struct program_key *k = NULL;

	if (!key)
		return on_header(pp, section, line);
	if (section_index < 0)
		return ini_file_error(pp->err, pp->path, line, -EINVAL,
				      "%s= before [Program], expected the [Program] section first", key);
	for (size_t i = 0; i < _KEY_MAX && !k; i++)
		if (strcmp(program_keys[i].section, section) == 0 && strcmp(program_keys[i].name, key) == 0)
			k = &program_keys[i];
	if (!k) {
		list_keys(section, expected, sizeof(expected));
		return ini_file_error(pp->err, pp->path, line, -EINVAL, "unknown key '%s' in [%s], expected one of %s",
				      key, section, expected);
	}
	/* most often a forgotten [Step] header: two steps run together */
	if (pp->key_line[k - program_keys])
		return ini_file_error(pp->err, pp->path, line, -EINVAL,
				      "%s= set twice in this [%s] (first at line %u), "
				      "expected a new [%s] header before it",
				      key, section, pp->key_line[k - program_keys], section);
	if (k->parse(pp, value) < 0)
		return ini_file_error(pp->err, pp->path, line, -EINVAL, "%s=%.*s%s: expected %s", key, VALUE_QUOTE_MAX,
				      value, strlen(value) > VALUE_QUOTE_MAX ? "..." : "", k->expected);
	pp->key_line[k - program_keys] = line;
	return 0;
}

bool program_id_is_valid(const char *id)
{
	size_t len = strlen(id);

	return len > 0 && len < PROGRAM_ID_MAX && strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

static int program_id_from_path(const char *path, char *id, char *err)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len <= strlen(PROGRAM_SUFFIX) || strcmp(base + len - strlen(PROGRAM_SUFFIX), PROGRAM_SUFFIX) != 0)
		return ini_file_error(err, path, 0, -EINVAL, "expected a file name ending in " PROGRAM_SUFFIX);
	len -= strlen(PROGRAM_SUFFIX);
	if (len >= PROGRAM_ID_MAX)
		return ini_file_error(err, path, 0, -EINVAL,
				      "file name too long, expected an id of at most %d characters",
				      PROGRAM_ID_MAX - 1);
	memcpy(id, base, len);
	id[len] = '\0';
	if (!program_id_is_valid(id))
		return ini_file_error(err, path, 0, -EINVAL,
				      "program id '%s' (the file name) must consist of a-z, 0-9 and '-'", id);
	return 0;
}

static int program_finish(struct program_parser *pp)
{
	int r;

	if (!pp->program_line)
		return ini_file_error(pp->err, pp->path, 0, -EINVAL,
				      "no [Program] section, expected [Program] with Title= and "
				      "Description=, then one [Step] per step");
	r = close_section(pp);
	if (r < 0)
		return r;
	if (pp->p->n_steps == 0)
		return ini_file_error(pp->err, pp->path, pp->program_line, -EINVAL,
				      "program has no steps, expected at least one [Step] section");
	return 0;
}

int program_parse_file(const char *path, struct program *ret, char *err)
{
	_cleanup_free_ struct program *p = calloc(1, sizeof(*p));
	struct program_parser pp = { .path = path, .err = err, .p = p };
	int r;

	err[0] = '\0';
	if (!p)
		return ini_file_error(err, path, 0, -ENOMEM, "out of memory");
	r = program_id_from_path(path, p->id, err);
	if (r < 0)
		return r;
	r = ini_file_parse(path, PROGRAM_FILE_SIZE_MAX, program_on_line, &pp, err);
	if (r < 0)
		return r;
	r = program_finish(&pp);
	if (r < 0)
		return r;
	*ret = *p;
	return 0;
}

unsigned program_duration_s(const struct program *p)
{
	unsigned total = 0;

	for (unsigned i = 0; i < p->n_steps; i++)
		total += p->steps[i].duration_s;
	return total;
}

/* The programs of one directory, sorted by id. */
struct program_array {
	unsigned n;
	struct program *programs;
};

static int compare_programs(const void *a, const void *b)
{
	return strcmp(((const struct program *)a)->id, ((const struct program *)b)->id);
}

static int load_file(const char *dir, const char *name, struct program *p, char *err)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return ini_file_error(err, dir, 0, -ENAMETOOLONG, "path too long: %s", name);
	return program_parse_file(path, p, err);
}

static int load_dir(const char *dir, struct program_array *ret, char *err)
{
	char **names = NULL;
	unsigned n = 0;
	int r;

	*ret = (struct program_array) {};
	if (!dir)
		return 0;
	r = ini_file_list_dir(dir, PROGRAM_SUFFIX, PROGRAM_FILES_MAX, &names, &n, err);
	if (r == -ENOENT) {
		err[0] = '\0';
		return 0;
	}
	if (r < 0)
		return r;
	ret->programs = n ? malloc(n * sizeof(*ret->programs)) : NULL;
	if (n && !ret->programs)
		r = ini_file_error(err, dir, 0, -ENOMEM, "out of memory");
	for (unsigned i = 0; r == 0 && i < n; i++)
		r = load_file(dir, names[i], &ret->programs[ret->n++], err);
	ini_file_names_free(names);
	if (r < 0) {
		free(ret->programs);
		*ret = (struct program_array) {};
		return r;
	}
	/* the file names' order is not the ids' ("a-b" < "a" but "a-b.program" < "a.program") */
	qsort(ret->programs, ret->n, sizeof(*ret->programs), compare_programs);
	return 0;
}

/* Both sorted by id, each id once: the union, an override replacing the library's
 * program of its id. */
static int merge(const struct program_array *library, const struct program_array *override, struct program_library *ret)
{
	unsigned i = 0, j = 0, n = 0;
	struct program *all;

	if (library->n + override->n == 0) {
		*ret = (struct program_library) {};
		return 0;
	}
	all = malloc((library->n + override->n) * sizeof(*all));
	if (!all)
		return -ENOMEM;
	while (i < library->n || j < override->n) {
		int cmp = i == library->n    ? 1
			  : j == override->n ? -1
					     : strcmp(library->programs[i].id, override->programs[j].id);

		if (cmp < 0)
			all[n++] = library->programs[i++];
		else {
			all[n++] = override->programs[j++];
			i += cmp == 0;
		}
	}
	*ret = (struct program_library) { .n_programs = n, .programs = all };
	return 0;
}

int program_library_load(const char *library_dir, const char *override_dir, struct program_library *ret, char *err)
{
	struct program_array library, override = {};
	int r;

	err[0] = '\0';
	r = load_dir(library_dir, &library, err);
	if (r == 0)
		r = load_dir(override_dir, &override, err);
	if (r == 0 && merge(&library, &override, ret) < 0)
		r = ini_file_error(err, override_dir ? override_dir : library_dir, 0, -ENOMEM, "out of memory");
	free(library.programs);
	free(override.programs);
	return r;
}

void program_library_clear(struct program_library *lib)
{
	free(lib->programs);
	lib->programs = NULL;
	lib->n_programs = 0;
}

static int compare_id_with_program(const void *key, const void *member)
{
	return strcmp(key, ((const struct program *)member)->id);
}

const struct program *program_library_find(const struct program_library *lib, const char *id)
{
	if (!lib->programs || !id)
		return NULL;
	return bsearch(id, lib->programs, lib->n_programs, sizeof(lib->programs[0]), compare_id_with_program);
}
