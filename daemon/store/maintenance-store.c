/* SPDX-License-Identifier: MIT */
/* maintenance.state in the state directory: the maintenance counters across restarts.
 * Written off the loop by the state writer, coalesced (maintenance.h says when); a
 * damaged file is reported and the counters start from 0, never more. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "ini-file.h"
#include "log.h"
#include "macro.h"
#include "maintenance.h"
#include "state-file.h"
#include "state-writer.h"

#define MAINTENANCE_FILE "maintenance.state"
#define MAINTENANCE_VERSION 1
/* far beyond any chair's life (30,000 years), far below what a uint64_t of µs holds */
#define SECONDS_MAX 1000000000000ULL
#define SWITCHES_MAX 1000000000000000ULL
#define HEATING_KEY "HeatingSeconds."
#define SWITCHES_KEY "RelaySwitches."

static void maintenance_path(const struct context *c, char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s/" MAINTENANCE_FILE, c->state_dir);
}

struct maintenance_parser {
	struct context *context;
	const char *path;
	char *err;
	struct maintenance_totals totals;
	bool roller_seen, heating_seen[MAX_PADS], switches_seen[MAX_PADS];
};

/* SECONDS[.FRACTION], at most 6 digits of fraction, in µs */
static int parse_usec(const char *value, uint64_t *ret)
{
	unsigned long long s, frac = 0;
	const char *f;
	size_t digits;
	char *end;

	if (!isdigit((unsigned char)value[0]))
		return -EINVAL;
	errno = 0;
	s = strtoull(value, &end, 10);
	if (errno != 0 || s > SECONDS_MAX)
		return -EINVAL;
	if (*end == '.') {
		f = end + 1;
		digits = strspn(f, "0123456789");
		if (digits == 0 || digits > 6)
			return -EINVAL;
		for (size_t i = 0; i < 6; i++)
			frac = frac * 10 + (i < digits ? (unsigned)(f[i] - '0') : 0);
		end = (char *)f + digits;
	}
	if (*end)
		return -EINVAL;
	*ret = s * USEC_PER_SEC + frac;
	return 0;
}

static int parse_count(const char *value, uint64_t *ret)
{
	unsigned long long n;
	char *end;

	if (!isdigit((unsigned char)value[0]))
		return -EINVAL;
	errno = 0;
	n = strtoull(value, &end, 10);
	if (errno != 0 || *end || n > SWITCHES_MAX)
		return -EINVAL;
	*ret = n;
	return 0;
}

/* The pad of "PREFIX<zone>": its index, -1 for a pad the configuration no longer has,
 * -EINVAL for no zone. */
static int pad_of(const struct context *c, const char *zone_name)
{
	enum zone z = zone_from_string(zone_name);

	if (z == ZONE_INVALID)
		return -EINVAL;
	for (unsigned i = 0; i < c->heating.n_heaters; i++)
		if (c->heating.heaters[i].zone == z)
			return (int)i;
	return -1;
}

static int on_pad_key(struct maintenance_parser *p, const char *key, const char *value, unsigned line)
{
	bool heating = strncmp(key, HEATING_KEY, strlen(HEATING_KEY)) == 0;
	const char *zone = key + strlen(heating ? HEATING_KEY : SWITCHES_KEY);
	int i = pad_of(p->context, zone);
	bool *seen;
	uint64_t v;

	if (i == -EINVAL)
		return ini_file_error(p->err, p->path, line, -EINVAL, "%s: no pad zone %s", key, zone);
	if (heating ? parse_usec(value, &v) < 0 : parse_count(value, &v) < 0)
		return ini_file_error(p->err, p->path, line, -EINVAL, "%s=%s: expected %s", key, value,
				      heating ? "seconds (up to 6 decimals)" : "a count");
	if (i < 0)
		return 0; /* a pad the configuration no longer has */
	seen = heating ? &p->heating_seen[i] : &p->switches_seen[i];
	if (*seen)
		return ini_file_error(p->err, p->path, line, -EINVAL, "%s= given twice", key);
	*seen = true;
	if (heating)
		p->totals.heating_usec[i] = v;
	else
		p->totals.relay_switches[i] = v;
	return 0;
}

static int on_key(void *userdata, const char *key, const char *value, unsigned line)
{
	struct maintenance_parser *p = userdata;

	if (strncmp(key, HEATING_KEY, strlen(HEATING_KEY)) == 0 ||
	    strncmp(key, SWITCHES_KEY, strlen(SWITCHES_KEY)) == 0)
		return on_pad_key(p, key, value, line);
	if (strcmp(key, "RollerRunSeconds") != 0)
		return ini_file_error(p->err, p->path, line, -EINVAL, "unknown key %s", key);
	if (p->roller_seen)
		return ini_file_error(p->err, p->path, line, -EINVAL, "%s= given twice", key);
	if (parse_usec(value, &p->totals.roller_usec) < 0)
		return ini_file_error(p->err, p->path, line, -EINVAL, "%s=%s: expected seconds (up to 6 decimals)", key,
				      value);
	p->roller_seen = true;
	return 0;
}

void maintenance_load(struct context *c)
{
	struct maintenance_parser p = { .context = c };
	char path[512], err[INI_FILE_ERROR_MAX];
	int r;

	maintenance_path(c, path, sizeof(path));
	p.path = path;
	p.err = err;
	(void)state_file_remove_stale(path);
	r = state_file_parse(path, "Maintenance", MAINTENANCE_VERSION, on_key, &p, err);
	c->maintenance.saved = (struct maintenance_totals) {};
	if (r == -ENOENT)
		log_info("No maintenance counters in %s: a first start, they count from 0", path);
	else if (r < 0) {
		log_warning("Ignoring the maintenance counters: %s. They count from 0; the next save replaces the file",
			    err);
		/* unlike any count: the next save (at the latest at exit) replaces the file */
		memset(&c->maintenance.saved, 0xff, sizeof(c->maintenance.saved));
	} else {
		c->maintenance.counted = c->maintenance.saved = p.totals;
		log_info("Maintenance counters restored from %s: rollers ran %.0f s", path,
			 (double)p.totals.roller_usec / 1e6);
	}
	c->maintenance.saved_usec = context_now(c);
	maintenance_announce(c);
}

static void print_usec(FILE *f, const char *key, const char *zone, uint64_t usec)
{
	(void)fprintf(f, "%s%s=%llu.%06llu\n", key, zone, (unsigned long long)(usec / USEC_PER_SEC),
		      (unsigned long long)(usec % USEC_PER_SEC));
}

static char *maintenance_format(struct context *c, const struct maintenance_totals *t, size_t *ret_size)
{
	struct state_file_text text;
	FILE *f = state_file_text_open(
		&text,
		"# Written by massaged: maintenance counters, in seconds of chair time. How long the\n"
		"# rollers were driven (scan, session, parking), and for each pad how long its element\n"
		"# heated (its relay and the master relay closed) and how often its relay closed.\n"
		"# A damaged file is reported and the counters start from 0.\n",
		"Maintenance", MAINTENANCE_VERSION);

	if (!f)
		return NULL;
	print_usec(f, "RollerRunSeconds", "", t->roller_usec);
	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		const char *zone = zone_to_string(c->heating.heaters[i].zone);

		print_usec(f, HEATING_KEY, zone, t->heating_usec[i]);
		(void)fprintf(f, SWITCHES_KEY "%s=%llu\n", zone, (unsigned long long)t->relay_switches[i]);
	}
	return state_file_text_close(&text, ret_size);
}

static void maintenance_written(void *userdata, const char *path, int r, uint64_t duration_usec)
{
	struct context *c = userdata;

	if (r < 0 && !c->maintenance.write_failing)
		log_warning("Failed to save the maintenance counters to %s: %s. The chair keeps counting and tries "
			    "again at the next save",
			    path, strerror(-r));
	else if (r >= 0 && c->maintenance.write_failing)
		log_notice("Maintenance counters saved to %s again", path);
	else if (r >= 0)
		log_debug("Maintenance counters saved to %s in %.1f ms", path, (double)duration_usec / 1e3);
	c->maintenance.write_failing = r < 0;
}

void maintenance_save(struct context *c)
{
	struct maintenance *m = &c->maintenance;
	struct maintenance_totals t;
	char path[512], *text;
	size_t size;
	int r;

	m->saved_usec = context_now(c);
	maintenance_totals_now(c, &t);
	if (!c->state_writer || memcmp(&t, &m->saved, sizeof(t)) == 0)
		return;
	maintenance_path(c, path, sizeof(path));
	text = maintenance_format(c, &t, &size);
	r = text ? state_writer_submit(c->state_writer, path, text, size, maintenance_written, c) : -ENOMEM;
	if (r < 0)
		maintenance_written(c, path, r, 0);
	else
		m->saved = t;
}
