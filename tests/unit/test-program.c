/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check-tap.h"
#include "test-files.h"
#include "chair-types.h"
#include "ini-file.h"
#include "macro.h"
#include "program.h"

#define SHIPPED_PROGRAMS SOURCE_ROOT "/config/programs"

/* ---- temporary files ---- */

static char tmp_root[256];

static void tmp_setup(void)
{
	const char *base = getenv("TMPDIR");

	(void)snprintf(tmp_root, sizeof(tmp_root), "%s/test-program-XXXXXX", base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmp_root));
}

static void tmp_teardown(void)
{
	test_remove_tree(tmp_root);
}

/* tmp_root/name, in a static buffer: use it before the next call */
static const char *tmp_path(const char *name)
{
	static char path[PATH_MAX];

	(void)snprintf(path, sizeof(path), "%s/%s", tmp_root, name);
	return path;
}

static void write_file(const char *name, const char *content)
{
	FILE *f = fopen(tmp_path(name), "we");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(content, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static void make_dir(const char *name)
{
	ck_assert_int_eq(mkdir(tmp_path(name), 0755), 0);
}

#define PROGRAM_HEAD "[Program]\nTitle=Test\nDescription=A test program\n"
#define GOOD_STEP "[Step]\nTechnique=glide\nZone=back\nDuration=60\n"

/* Parse `content` as tmp_root/t.program; expect failure with "PATH:LINE: ..." */
static void assert_parse_error(const char *content, unsigned line, const char *expect)
{
	struct program p;
	char err[PROGRAM_ERROR_MAX], prefix[PATH_MAX + 16];

	write_file("t.program", content);
	p.n_steps = 1234;
	ck_assert_int_lt(program_parse_file(tmp_path("t.program"), &p, err), 0);
	ck_assert_uint_eq(p.n_steps, 1234); /* untouched */
	if (line)
		(void)snprintf(prefix, sizeof(prefix), "%s:%u: ", tmp_path("t.program"), line);
	else
		(void)snprintf(prefix, sizeof(prefix), "%s: ", tmp_path("t.program"));
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "'%s' does not start '%s'", err, prefix);
	ck_assert_msg(strstr(err, expect), "'%s' does not mention '%s'", err, expect);
}

START_TEST(test_parse_good)
{
	struct program p;
	char err[PROGRAM_ERROR_MAX];
	int r;

	write_file("neck-2.program", "# a comment\n"
				     "[Program]\n"
				     "Title=Neck relief\n"
				     "Description=Eases a stiff neck ; with an inline comment\n"
				     "HeatTarget=43.5\n"
				     "Heat=yes\n"
				     "\n"
				     "[Step]\n"
				     "Technique=glide\n"
				     "Zone=neck\n"
				     "Duration=90\n"
				     "Speed=2\n"
				     "Width=wide\n"
				     "Depth=-1\n"
				     "Heat=yes\n"
				     "[Step]\n"
				     "  Technique = press\n"
				     "  Zone = upper-back\n"
				     "  Duration = 900\n"
				     "[Step]\n"
				     "Technique=deep\n"
				     "Zone=lower-back\n"
				     "Duration=10\n"
				     "Depth=+2\n"
				     "Heat=no\n");
	r = program_parse_file(tmp_path("neck-2.program"), &p, err);
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_str_eq(p.id, "neck-2");
	ck_assert_str_eq(p.title, "Neck relief");
	ck_assert_str_eq(p.description, "Eases a stiff neck");
	ck_assert_double_eq(p.heat_target_c, 43.5);
	ck_assert(p.heat_on_start);
	ck_assert_uint_eq(p.n_steps, 3);

	ck_assert_int_eq(p.steps[0].technique, TECHNIQUE_GLIDE);
	ck_assert_int_eq(p.steps[0].zone, ZONE_NECK);
	ck_assert_uint_eq(p.steps[0].duration_s, 90);
	ck_assert_uint_eq(p.steps[0].speed, 2);
	ck_assert_int_eq(p.steps[0].width, WIDTH_WIDE);
	ck_assert_int_eq(p.steps[0].depth_offset, -1);
	ck_assert(p.steps[0].heat);

	/* defaults */
	ck_assert_int_eq(p.steps[1].technique, TECHNIQUE_PRESS);
	ck_assert_int_eq(p.steps[1].zone, ZONE_UPPER_BACK);
	ck_assert_uint_eq(p.steps[1].duration_s, 900);
	ck_assert_uint_eq(p.steps[1].speed, 3);
	ck_assert_int_eq(p.steps[1].width, WIDTH_MEDIUM);
	ck_assert_int_eq(p.steps[1].depth_offset, 0);
	ck_assert(!p.steps[1].heat);

	ck_assert_int_eq(p.steps[2].depth_offset, 2);
	ck_assert(!p.steps[2].heat);
	ck_assert_uint_eq(program_duration_s(&p), 1000);
}
END_TEST

START_TEST(test_heat_target_default)
{
	struct program p;
	char err[PROGRAM_ERROR_MAX];

	write_file("plain.program", PROGRAM_HEAD GOOD_STEP);
	ck_assert_int_eq(program_parse_file(tmp_path("plain.program"), &p, err), 0);
	ck_assert_double_eq(p.heat_target_c, 0);
}
END_TEST

START_TEST(test_missing_key)
{
	/* the step's header line, for a step in the middle and the last one */
	assert_parse_error(PROGRAM_HEAD "[Step]\nTechnique=knead\nZone=neck\n" GOOD_STEP, 4,
			   "step 1 has no Duration=, expected 10..900");
	assert_parse_error(PROGRAM_HEAD GOOD_STEP "\n[Step]\nZone=neck\nDuration=60\n", 9,
			   "step 2 has no Technique=, expected one of knead");
	assert_parse_error(PROGRAM_HEAD GOOD_STEP "[Step]\nTechnique=knead\nDuration=60\n", 8, "no Zone=");
	assert_parse_error("\n[Program]\nTitle=Only a title\n" GOOD_STEP, 2, "no Description=");
	assert_parse_error("[Program]\nDescription=No title\n" GOOD_STEP, 1, "no Title=");
	assert_parse_error("[Program]\nTitle=\nDescription=Empty title\n" GOOD_STEP, 2, "Title=");
}
END_TEST

START_TEST(test_bad_values)
{
	assert_parse_error(PROGRAM_HEAD GOOD_STEP "[Step]\nTechnique=massage\n", 9,
			   "Technique=massage: expected one of knead, tap, glide, shiatsu, "
			   "friction, press, deep");
	assert_parse_error(PROGRAM_HEAD "[Step]\nTechnique=knead\nZone=arm\n", 6,
			   "Zone=arm: expected one of neck, shoulders, upper-back, lower-back, back");
	assert_parse_error(PROGRAM_HEAD "[Step]\nTechnique=knead\nZone=neck\nDuration=9\n", 7,
			   "Duration=9: expected 10..900 (seconds)");
	assert_parse_error(PROGRAM_HEAD "[Step]\nDuration=901\n", 5, "Duration=901: expected 10..900");
	assert_parse_error(PROGRAM_HEAD "[Step]\nDuration=1m\n", 5, "10..900");
	assert_parse_error(PROGRAM_HEAD "[Step]\nSpeed=7\n", 5, "Speed=7: expected 1..6");
	assert_parse_error(PROGRAM_HEAD "[Step]\nWidth=broad\n", 5, "narrow, medium or wide");
	assert_parse_error(PROGRAM_HEAD "[Step]\nDepth=3\n", 5, "Depth=3: expected -2..+2");
	assert_parse_error(PROGRAM_HEAD "[Step]\nHeat=maybe\n", 5, "Heat=maybe: expected yes or no");
	assert_parse_error("[Program]\nHeatTarget=49\n", 2,
			   "HeatTarget=49: expected a pad "
			   "temperature 30..48");
	assert_parse_error("[Program]\nHeatTarget=0\n", 2, "30..48");
}
END_TEST

START_TEST(test_structure_errors)
{
	assert_parse_error(PROGRAM_HEAD, 1, "no steps, expected at least one [Step]");
	assert_parse_error("\n\n" PROGRAM_HEAD "\n", 3, "no steps");
	assert_parse_error("Title=Too early\n" PROGRAM_HEAD GOOD_STEP, 1, "Title= before [Program]");
	assert_parse_error("# comment\n" GOOD_STEP PROGRAM_HEAD, 2, "[Step] before [Program]");
	assert_parse_error(PROGRAM_HEAD GOOD_STEP PROGRAM_HEAD, 8, "second [Program]");
	assert_parse_error("", 0, "no [Program] section");
	assert_parse_error(PROGRAM_HEAD "[Steps]\n", 4,
			   "unknown section [Steps], expected "
			   "[Program] or [Step]");
	assert_parse_error(PROGRAM_HEAD "[Step]\nTechnique=knead\nZone=neck\nDuraton=60\n", 7,
			   "unknown key 'Duraton' in [Step], expected one of Technique=, Zone=, "
			   "Duration=, Speed=, Width=, Depth=, Heat=");
	assert_parse_error("[Program]\nTitle=x\nDuration=60\n", 3, "expected one of Title=, Description=, HeatTarget=");
	/* a forgotten [Step] header: two steps run together */
	assert_parse_error(PROGRAM_HEAD GOOD_STEP "Technique=knead\n", 8,
			   "Technique= set twice in this [Step] (first at line 5)");
	assert_parse_error(PROGRAM_HEAD "Step]\n", 4, "syntax error");
}
END_TEST

START_TEST(test_too_many_steps)
{
	char *text = malloc(PROGRAM_STEPS_MAX * 64 + 256);
	size_t n;

	n = (size_t)sprintf(text, PROGRAM_HEAD);
	for (int i = 0; i <= PROGRAM_STEPS_MAX; i++)
		n += (size_t)sprintf(text + n, GOOD_STEP);
	assert_parse_error(text, 4 + 4 * PROGRAM_STEPS_MAX, "too many steps");
	free(text);
}
END_TEST

START_TEST(test_bad_id)
{
	struct program p;
	char err[PROGRAM_ERROR_MAX];

	write_file("Neck_Relief.program", PROGRAM_HEAD GOOD_STEP);
	ck_assert_int_lt(program_parse_file(tmp_path("Neck_Relief.program"), &p, err), 0);
	ck_assert_msg(strstr(err, "Neck_Relief"), "%s", err);
	ck_assert(program_id_is_valid("trigger-point"));
	ck_assert(program_id_is_valid("a1"));
	ck_assert(!program_id_is_valid(""));
	ck_assert(!program_id_is_valid("Full"));
	ck_assert(!program_id_is_valid("a b"));
	ck_assert(!program_id_is_valid("../x"));
}
END_TEST

START_TEST(test_missing_file)
{
	struct program p;
	char err[PROGRAM_ERROR_MAX];

	ck_assert_int_eq(program_parse_file(tmp_path("absent.program"), &p, err), -ENOENT);
	ck_assert_msg(strstr(err, "absent.program"), "%s", err);
}
END_TEST

static void write_program(const char *path, const char *title)
{
	char text[256];

	(void)snprintf(text, sizeof(text), "[Program]\nTitle=%s\nDescription=d\n" GOOD_STEP, title);
	write_file(path, text);
}

START_TEST(test_library_override)
{
	struct program_library lib;
	char err[PROGRAM_ERROR_MAX], override_dir[PATH_MAX];
	const struct program *p;
	int r;

	make_dir("lib");
	make_dir("etc");
	write_program("lib/b.program", "B shipped");
	write_program("lib/a.program", "A shipped");
	write_file("lib/README", "not a program\n");
	write_program("etc/b.program", "B local");
	write_program("etc/c.program", "C local");
	(void)snprintf(override_dir, sizeof(override_dir), "%s", tmp_path("etc"));

	r = program_library_load(tmp_path("lib"), override_dir, &lib, err);
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_uint_eq(lib.n_programs, 3);
	ck_assert_str_eq(lib.programs[0].id, "a");
	ck_assert_str_eq(lib.programs[1].id, "b");
	ck_assert_str_eq(lib.programs[2].id, "c");
	ck_assert_str_eq(lib.programs[1].title, "B local");
	p = program_library_find(&lib, "a");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->title, "A shipped");
	ck_assert_ptr_null(program_library_find(&lib, "d"));
	program_library_clear(&lib);
	ck_assert_uint_eq(lib.n_programs, 0);
	ck_assert_ptr_null(lib.programs);
}
END_TEST

START_TEST(test_library_missing_dirs)
{
	struct program_library lib = { .n_programs = 77 };
	char err[PROGRAM_ERROR_MAX];

	ck_assert_int_eq(program_library_load(tmp_path("nowhere"), NULL, &lib, err), 0);
	ck_assert_uint_eq(lib.n_programs, 0);
	ck_assert_ptr_null(program_library_find(&lib, "neck"));
	program_library_clear(&lib);
}
END_TEST

START_TEST(test_library_invalid_file)
{
	struct program_library lib = { .n_programs = 77 };
	char err[PROGRAM_ERROR_MAX], override_dir[PATH_MAX];

	make_dir("lib");
	make_dir("etc");
	write_program("lib/a.program", "A");
	write_file("lib/b.program", PROGRAM_HEAD "[Step]\nTechnique=knead\nZone=elbow\n");
	ck_assert_int_lt(program_library_load(tmp_path("lib"), NULL, &lib, err), 0);
	ck_assert_uint_eq(lib.n_programs, 77);
	ck_assert_ptr_null(lib.programs);
	ck_assert_msg(strstr(err, "lib/b.program:6: Zone=elbow"), "%s", err);

	/* an invalid override fails the load just as well */
	(void)remove(tmp_path("lib/b.program"));
	write_file("etc/x.program", "[Program]\n");
	(void)snprintf(override_dir, sizeof(override_dir), "%s", tmp_path("etc"));
	ck_assert_int_lt(program_library_load(tmp_path("lib"), override_dir, &lib, err), 0);
	ck_assert_uint_eq(lib.n_programs, 77);
	ck_assert_msg(strstr(err, "etc/x.program:1: "), "%s", err);
}
END_TEST

/* ---- the shipped library ---- */

static const char *const shipped_ids[] = {
	"back", "deep-tissue", "full", "hot-stone", "neck", "shiatsu", "shoulder", "swedish", "trigger-point",
};

static struct program_library load_shipped(void)
{
	struct program_library lib;
	char err[PROGRAM_ERROR_MAX];
	int r;

	r = program_library_load(SHIPPED_PROGRAMS, NULL, &lib, err);
	ck_assert_msg(r == 0, "%s", err);
	return lib;
}

START_TEST(test_shipped_ids)
{
	struct program_library lib = load_shipped();
	size_t n = sizeof(shipped_ids) / sizeof(shipped_ids[0]);

	ck_assert_uint_ge(lib.n_programs, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(program_library_find(&lib, shipped_ids[i]), "no program %s", shipped_ids[i]);
	/* the remote's three buttons */
	ck_assert_ptr_nonnull(program_library_find(&lib, "neck"));
	ck_assert_ptr_nonnull(program_library_find(&lib, "shoulder"));
	ck_assert_ptr_nonnull(program_library_find(&lib, "back"));
	for (unsigned i = 1; i < lib.n_programs; i++)
		ck_assert_str_lt(lib.programs[i - 1].id, lib.programs[i].id);
	program_library_clear(&lib);
}
END_TEST

START_TEST(test_shipped_composition)
{
	struct program_library lib = load_shipped();
	bool techniques[_TECHNIQUE_MAX] = {}, zones[_ZONE_MAX] = {};

	for (unsigned i = 0; i < lib.n_programs; i++) {
		const struct program *p = &lib.programs[i];
		unsigned duration = program_duration_s(p);
		int middle_max = -3;

		ck_assert_msg(duration >= 600 && duration <= 1200, "%s lasts %u s", p->id, duration);
		ck_assert_msg(p->title[0] && p->description[0], "%s lacks a title or description", p->id);
		ck_assert_msg(p->n_steps >= 3, "%s has %u steps", p->id, p->n_steps);
		/* warm up with gliding, finish lighter */
		ck_assert_msg(p->steps[0].technique == TECHNIQUE_GLIDE, "%s starts with %s", p->id,
			      technique_to_string(p->steps[0].technique));
		for (unsigned s = 1; s + 1 < p->n_steps; s++)
			if (p->steps[s].depth_offset > middle_max)
				middle_max = p->steps[s].depth_offset;
		ck_assert_msg(p->steps[p->n_steps - 1].depth_offset <= middle_max, "%s does not finish lighter", p->id);
		for (unsigned s = 0; s < p->n_steps; s++) {
			techniques[p->steps[s].technique] = true;
			zones[p->steps[s].zone] = true;
			ck_assert_msg(p->steps[s].duration_s >= 30 && p->steps[s].duration_s <= 240,
				      "%s step %u lasts %u s", p->id, s + 1, p->steps[s].duration_s);
		}
	}
	for (int t = 0; t < _TECHNIQUE_MAX; t++)
		ck_assert_msg(techniques[t], "no program uses %s", technique_to_string(t));
	for (int z = 0; z < _ZONE_MAX; z++)
		ck_assert_msg(zones[z], "no program works on %s", zone_to_string(z));
	program_library_clear(&lib);
}
END_TEST

START_TEST(test_shipped_hot_stone)
{
	struct program_library lib = load_shipped();
	const struct program *p = program_library_find(&lib, "hot-stone");

	ck_assert_ptr_nonnull(p);
	for (unsigned s = 0; s < p->n_steps; s++)
		ck_assert_msg(p->steps[s].heat, "hot-stone step %u is not heated", s + 1);
	ck_assert_double_le(p->heat_target_c, 45);
	/* hot-stone turns heat on by itself; no other shipped program does */
	for (unsigned i = 0; i < lib.n_programs; i++)
		ck_assert_msg(lib.programs[i].heat_on_start == (lib.programs[i].id == p->id), "%s: Heat= in its header",
			      lib.programs[i].id);
	program_library_clear(&lib);
}
END_TEST

/* ---- files that could stall a load: issue 13 item 6, and long lines (item 10) ---- */

/* A program file of `size` bytes: head and one step, then comment lines to fill it. */
static void write_program_of_size(const char *name, const char *head, size_t size)
{
	char *text = malloc(size + 1);
	size_t n = (size_t)snprintf(text, size + 1, "%s" GOOD_STEP, head);

	ck_assert_uint_le(n, size);
	while (n < size) {
		size_t line = MIN(size - n, (size_t)80);

		memset(text + n, '#', line);
		text[n + line - 1] = '\n';
		n += line;
	}
	text[size] = '\0';
	write_file(name, text);
	free(text);
}

START_TEST(test_description_511_characters)
{
	char head[1024], description[PROGRAM_DESCRIPTION_MAX + 1];
	struct program p;
	char err[PROGRAM_ERROR_MAX];
	int r;

	memset(description, 'd', sizeof(description));
	description[PROGRAM_DESCRIPTION_MAX - 1] = '\0';
	/* blanks around the value and an inline comment: trimmed as inih trims a short line */
	(void)snprintf(head, sizeof(head), "[Program]\nTitle=Long\nDescription =  %s   ; 511 characters\n",
		       description);
	write_program_of_size("long.program", head, strlen(head) + strlen(GOOD_STEP));
	r = program_parse_file(tmp_path("long.program"), &p, err);
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_uint_eq(strlen(p.description), 511);
	ck_assert_str_eq(p.description, description);
	ck_assert_str_eq(p.title, "Long");
	ck_assert_uint_eq(p.n_steps, 1);

	/* 512: the description's own limit refuses it, not the line's */
	(void)snprintf(head, sizeof(head), "[Program]\nTitle=Long\nDescription=%sd\n", description);
	(void)snprintf(head + strlen(head), sizeof(head) - strlen(head), GOOD_STEP);
	assert_parse_error(head, 3, "expected a description of at most 511 characters");
}
END_TEST

START_TEST(test_long_lines)
{
	char text[2 * INI_FILE_LINE_MAX], line[INI_FILE_LINE_MAX + 2];
	struct program p;
	char err[PROGRAM_ERROR_MAX];
	int r;

	/* a long comment line and a long header are lines like others */
	memset(line, '#', INI_FILE_LINE_MAX);
	line[INI_FILE_LINE_MAX] = '\0';
	(void)snprintf(text, sizeof(text), "%s\n" PROGRAM_HEAD GOOD_STEP, line);
	write_file("t.program", text);
	r = program_parse_file(tmp_path("t.program"), &p, err);
	ck_assert_msg(r == 0, "%s", err);

	/* one character more: too long, and said so at its line */
	line[INI_FILE_LINE_MAX] = '#';
	line[INI_FILE_LINE_MAX + 1] = '\0';
	(void)snprintf(text, sizeof(text), PROGRAM_HEAD "%s\n" GOOD_STEP, line);
	assert_parse_error(text, 4, "line too long, at most 1024 characters");

	/* a long line without '=': a syntax error at that line, as for a short one */
	memset(line, 'x', 600);
	line[600] = '\0';
	(void)snprintf(text, sizeof(text), PROGRAM_HEAD "%s\n" GOOD_STEP, line);
	assert_parse_error(text, 4, "syntax error");

	/* a long section header without its ']': a syntax error too */
	line[0] = '[';
	(void)snprintf(text, sizeof(text), PROGRAM_HEAD "%s\n" GOOD_STEP, line);
	assert_parse_error(text, 4, "syntax error");

	/* a long value of a key that takes a short one: the key's own error, line 2 */
	memset(line, 't', 300);
	line[300] = '\0';
	(void)snprintf(text, sizeof(text), "[Program]\nTitle=%s\nDescription=d\n" GOOD_STEP, line);
	assert_parse_error(text, 2, "Title=ttt");
}
END_TEST

START_TEST(test_file_size_limit)
{
	struct program p;
	char err[PROGRAM_ERROR_MAX];
	int r;

	write_program_of_size("big.program", PROGRAM_HEAD, PROGRAM_FILE_SIZE_MAX);
	r = program_parse_file(tmp_path("big.program"), &p, err);
	ck_assert_msg(r == 0, "%s", err);

	write_program_of_size("big.program", PROGRAM_HEAD, PROGRAM_FILE_SIZE_MAX + 1);
	ck_assert_int_eq(program_parse_file(tmp_path("big.program"), &p, err), -EFBIG);
	ck_assert_msg(strstr(err, tmp_path("big.program")) && strstr(err, "65537 bytes") &&
			      strstr(err, "limit of 65536 bytes"),
		      "%s", err);
}
END_TEST

/* Opening a FIFO for reading waits for a writer: a FIFO is refused unopened. Before
 * the fix this case hangs until Check's timeout kills it. */
START_TEST(test_fifo_refused)
{
	struct program_library lib = { .n_programs = 77 };
	struct program p;
	char err[PROGRAM_ERROR_MAX];

	make_dir("lib");
	write_program("lib/a.program", "A");
	ck_assert_int_eq(mkfifo(tmp_path("lib/fifo.program"), 0644), 0);
	ck_assert_int_eq(program_parse_file(tmp_path("lib/fifo.program"), &p, err), -EINVAL);
	ck_assert_msg(strstr(err, "fifo.program: a FIFO, expected a regular file"), "%s", err);
	ck_assert_int_eq(program_library_load(tmp_path("lib"), NULL, &lib, err), -EINVAL);
	ck_assert_uint_eq(lib.n_programs, 77);
	ck_assert_msg(strstr(err, "fifo.program: a FIFO"), "%s", err);

	/* a directory of that name is no program either */
	(void)remove(tmp_path("lib/fifo.program"));
	make_dir("lib/dir.program");
	ck_assert_int_eq(program_library_load(tmp_path("lib"), NULL, &lib, err), -EINVAL);
	ck_assert_msg(strstr(err, "dir.program: a directory, expected a regular file"), "%s", err);
}
END_TEST

static void write_programs(const char *dir, unsigned from, unsigned n)
{
	char name[64];

	for (unsigned i = from; i < from + n; i++) {
		(void)snprintf(name, sizeof(name), "%s/p%04u.program", dir, i);
		write_program(name, "P");
	}
}

START_TEST(test_file_count_limit)
{
	struct program_library lib = { .n_programs = 77 };
	char err[PROGRAM_ERROR_MAX], override_dir[PATH_MAX];
	int r;

	make_dir("lib");
	make_dir("etc");
	/* both directories full; half the override's ids are the library's */
	write_programs("lib", 0, PROGRAM_FILES_MAX);
	write_programs("etc", PROGRAM_FILES_MAX / 2, PROGRAM_FILES_MAX);
	(void)snprintf(override_dir, sizeof(override_dir), "%s", tmp_path("etc"));
	r = program_library_load(tmp_path("lib"), override_dir, &lib, err);
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_uint_eq(lib.n_programs, PROGRAM_FILES_MAX + PROGRAM_FILES_MAX / 2);
	for (unsigned i = 1; i < lib.n_programs; i++)
		ck_assert_str_lt(lib.programs[i - 1].id, lib.programs[i].id);
	ck_assert_ptr_nonnull(program_library_find(&lib, "p0000"));
	ck_assert_ptr_nonnull(program_library_find(&lib, "p1535"));
	program_library_clear(&lib);

	/* one more in the override: refused, naming the directory and the limit */
	lib.n_programs = 77;
	write_programs("etc", PROGRAM_FILES_MAX + PROGRAM_FILES_MAX / 2, 1);
	ck_assert_int_eq(program_library_load(tmp_path("lib"), override_dir, &lib, err), -E2BIG);
	ck_assert_uint_eq(lib.n_programs, 77);
	ck_assert_msg(strstr(err, override_dir) && strstr(err, "more than 1024 *.program files, expected at most 1024"),
		      "%s", err);
}
END_TEST

/* The override replaces a library program of its id wherever the ids fall. */
START_TEST(test_library_merge_order)
{
	static const char *const lib_ids[] = { "a", "a-b", "c", "e", "g" }, *const etc_ids[] = { "a-b", "b", "e", "h" };
	static const char *const want[] = { "a", "a-b", "b", "c", "e", "g", "h" };
	struct program_library lib;
	char err[PROGRAM_ERROR_MAX], name[64], override_dir[PATH_MAX];
	int r;

	make_dir("lib");
	make_dir("etc");
	for (size_t i = 0; i < ELEMENTSOF(lib_ids); i++) {
		(void)snprintf(name, sizeof(name), "lib/%s.program", lib_ids[i]);
		write_program(name, "shipped");
	}
	for (size_t i = 0; i < ELEMENTSOF(etc_ids); i++) {
		(void)snprintf(name, sizeof(name), "etc/%s.program", etc_ids[i]);
		write_program(name, "local");
	}
	(void)snprintf(override_dir, sizeof(override_dir), "%s", tmp_path("etc"));
	r = program_library_load(tmp_path("lib"), override_dir, &lib, err);
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_uint_eq(lib.n_programs, ELEMENTSOF(want));
	for (size_t i = 0; i < ELEMENTSOF(want); i++) {
		bool local = strcmp(want[i], "a-b") == 0 || strcmp(want[i], "b") == 0 || strcmp(want[i], "e") == 0 ||
			     strcmp(want[i], "h") == 0;

		ck_assert_str_eq(lib.programs[i].id, want[i]);
		ck_assert_str_eq(lib.programs[i].title, local ? "local" : "shipped");
	}
	program_library_clear(&lib);
}
END_TEST

static Suite *program_suite(void)
{
	Suite *s = suite_create("program");
	TCase *tc = tcase_create("parse");

	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_parse_good);
	tcase_add_test(tc, test_heat_target_default);
	tcase_add_test(tc, test_missing_key);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_structure_errors);
	tcase_add_test(tc, test_too_many_steps);
	tcase_add_test(tc, test_bad_id);
	tcase_add_test(tc, test_missing_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("library");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_library_override);
	tcase_add_test(tc, test_library_missing_dirs);
	tcase_add_test(tc, test_library_invalid_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_description_511_characters);
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_file_size_limit);
	tcase_add_test(tc, test_fifo_refused);
	tcase_add_test(tc, test_file_count_limit);
	tcase_add_test(tc, test_library_merge_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("shipped");
	tcase_add_test(tc, test_shipped_ids);
	tcase_add_test(tc, test_shipped_composition);
	tcase_add_test(tc, test_shipped_hot_stone);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(program_suite());
}
