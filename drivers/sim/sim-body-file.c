/* SPDX-License-Identifier: MIT */
/* Body files through inih: one [Body] section, sim_body_set()'s names as keys. */
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "quote.h"
#include "sim-body-file.h"

#define SECTION "Body"
#define PRESETS_MAX 64

struct body_parser {
	FILE *f;
	const char *path;
	unsigned line, next_line; /* the line inih is on; the one it reads next */
	struct sim_body body;
	bool sets_noise;
	int error; /* the first, negative errno; err says why */
	char *err;
};

__attribute__((format(printf, 3, 4))) static void parser_fail(struct body_parser *p, int r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->error)
		return;
	p->error = r;
	n = snprintf(p->err, SIM_BODY_ERROR_MAX, "%s:%u: ", p->path, p->line);
	if (n < 0 || n >= SIM_BODY_ERROR_MAX)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(p->err + n, SIM_BODY_ERROR_MAX - (size_t)n, fmt, ap);
	va_end(ap);
}

/* fgets() that counts lines, so the handler can name the one it is given. */
static char *read_counting(char *str, int num, void *stream)
{
	struct body_parser *p = stream;
	char *r = fgets(str, num, p->f);

	p->line = p->next_line;
	if (r && strchr(r, '\n'))
		p->next_line++;
	return r;
}

static void list_names(char *buf, size_t size)
{
	const char *name;
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; (name = sim_body_param_name(i, NULL, NULL, NULL)) && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "", name);
}

static bool param_range(const char *key, double *ret_min, double *ret_max, const char **ret_unit)
{
	const char *name;

	for (size_t i = 0; (name = sim_body_param_name(i, ret_min, ret_max, ret_unit)); i++)
		if (strcmp(name, key) == 0)
			return true;
	return false;
}

static int on_key(void *userdata, const char *section, const char *key, const char *value)
{
	struct body_parser *p = userdata;
	char names[256], *end;
	const char *unit;
	double v, min, max;

	if (p->error)
		return 1; /* inih goes on to the end; the first error is the one told */
	if (strcmp(section, SECTION) != 0) {
		if (section[0])
			parser_fail(p, -EINVAL, "unknown section [%s], expected [" SECTION "]", section);
		else
			parser_fail(p, -EINVAL, "%s= before [" SECTION "]", key);
		return 1;
	}
	if (!param_range(key, &min, &max, &unit)) {
		list_names(names, sizeof(names));
		parser_fail(p, -EINVAL, "unknown key '%s' in [" SECTION "], expected one of %s", key, names);
		return 1;
	}
	errno = 0;
	v = strtod(value, &end);
	if (errno || end == value || *end || sim_body_set(&p->body, key, v) < 0) {
		parser_fail(p, -EINVAL, "%s=%s: expected a number %g..%g (%s)", key, value, min, max, unit);
		return 1;
	}
	if (strcmp(key, "Noise") == 0)
		p->sets_noise = true;
	return 1;
}

static int open_regular(const char *path, FILE **ret, char *err)
{
	struct stat st;
	FILE *f = fopen(path, "re");
	int r;

	if (!f) {
		r = -errno;
		(void)snprintf(err, SIM_BODY_ERROR_MAX, "%s: cannot open: %s", path, strerror(-r));
		return r;
	}
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > SIM_BODY_FILE_SIZE_MAX) {
		(void)fclose(f);
		(void)snprintf(err, SIM_BODY_ERROR_MAX, "%s: not a regular file of at most %d bytes", path,
			       SIM_BODY_FILE_SIZE_MAX);
		return -EINVAL;
	}
	*ret = f;
	return 0;
}

int sim_body_file_load(const char *path, struct sim_body *ret, bool *ret_sets_noise, char *err)
{
	struct body_parser p = { .path = path, .next_line = 1, .err = err };
	int r;

	err[0] = '\0';
	r = open_regular(path, &p.f, err);
	if (r < 0)
		return r;
	sim_body_default(&p.body);
	r = ini_parse_stream(read_counting, &p, on_key, &p);
	(void)fclose(p.f);
	if (p.error)
		return p.error;
	if (r != 0) {
		/* inih's own complaint: a line that is no header, key or comment */
		p.line = r > 0 ? (unsigned)r : p.line;
		parser_fail(&p, -EINVAL, "%s", r > 0 ? "syntax error: expected [Body] or NAME = NUMBER" : "read error");
		return p.error;
	}
	*ret = p.body;
	if (ret_sets_noise)
		*ret_sets_noise = p.sets_noise;
	return 0;
}

int sim_body_set_explained(struct sim_body *b, const char *name, double value, char *why, size_t size)
{
	char names[256], q[QUOTE_BUF_SIZE];
	const char *unit;
	double min, max;
	int r = sim_body_set(b, name, value);

	if (r == -ENOENT || !param_range(name, &min, &max, &unit)) {
		list_names(names, sizeof(names));
		(void)snprintf(why, size, "Unknown body parameter '%s': use %s.", quote_value(name, q), names);
	} else if (r < 0) {
		(void)snprintf(why, size, "%s=%g is out of range: use %g to %g %s.", name, value, min, max, unit);
	}
	return r;
}

bool sim_body_preset_name_is_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= SIM_BODY_NAME_MAX)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

int sim_body_preset_load(const char *dir, const char *name, struct sim_body *ret, bool *ret_sets_noise, char *err)
{
	char path[4096];

	if (!sim_body_preset_name_is_valid(name)) {
		(void)snprintf(err, SIM_BODY_ERROR_MAX, "'%.64s' is no body preset name (a-z, 0-9 and '-')", name);
		return -EINVAL;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s" SIM_BODY_FILE_SUFFIX, dir, name) >= sizeof(path)) {
		(void)snprintf(err, SIM_BODY_ERROR_MAX, "%.256s: path too long", dir);
		return -ENAMETOOLONG;
	}
	return sim_body_file_load(path, ret, ret_sets_noise, err);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* NAME.body with a valid NAME: the length of NAME, else 0. */
static size_t preset_name_length(const char *file)
{
	size_t n = strlen(file), s = strlen(SIM_BODY_FILE_SUFFIX);
	char name[SIM_BODY_NAME_MAX];

	if (n <= s || n - s >= sizeof(name) || strcmp(file + n - s, SIM_BODY_FILE_SUFFIX) != 0)
		return 0;
	(void)snprintf(name, sizeof(name), "%.*s", (int)(n - s), file);
	return sim_body_preset_name_is_valid(name) ? n - s : 0;
}

int sim_body_preset_list(const char *dir, char *buf, size_t size)
{
	char *names[PRESETS_MAX];
	struct dirent *de;
	size_t at = 0;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < PRESETS_MAX) {
		size_t len = preset_name_length(de->d_name);

		if (len == 0 || !(names[n] = strndup(de->d_name, len)))
			continue;
		n++;
	}
	(void)closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), compare_names);
	if (size > 0)
		buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (at < size)
			at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? ", " : "", names[i]);
		free(names[i]);
	}
	return n;
}
