/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ini-file.h"
#include "log.h"
#include "profile-list.h"
#include "state-file.h"

/* files beyond PROFILES_MAX are reported, not loaded; a listing stops here */
#define PROFILE_FILES_MAX 1024u
#define TEMP_SUFFIX_LEN 6 /* state_file_write()'s PATH.XXXXXX */
#define PATH_LEN_MAX 1024

struct profile *profile_list_find(struct profile_list *l, const char *name)
{
	for (unsigned i = 0; i < l->n; i++)
		if (strcmp(l->profiles[i].name, name) == 0)
			return &l->profiles[i];
	return NULL;
}

struct profile *profile_list_insert(struct profile_list *l, const char *name)
{
	unsigned i = 0;

	if (l->n == PROFILES_MAX)
		return NULL;
	while (i < l->n && strcmp(l->profiles[i].name, name) < 0)
		i++;
	memmove(&l->profiles[i + 1], &l->profiles[i], (l->n - i) * sizeof(l->profiles[0]));
	l->n++;
	l->profiles[i] = (struct profile) {};
	(void)snprintf(l->profiles[i].name, sizeof(l->profiles[i].name), "%s", name);
	return &l->profiles[i];
}

void profile_list_remove(struct profile_list *l, struct profile *p)
{
	unsigned i = (unsigned)(p - l->profiles);

	memmove(&l->profiles[i], &l->profiles[i + 1], (l->n - i - 1) * sizeof(l->profiles[0]));
	l->n--;
}

void profile_list_names(const struct profile_list *l, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < l->n && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? "\n" : "", l->profiles[i].name);
}

/* NAME.profile.XXXXXX: a write killed before its rename */
static void remove_stale(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *suffix = strstr(de->d_name, PROFILE_SUFFIX ".");
		char base[PATH_LEN_MAX];

		if (!suffix || strlen(suffix) != strlen(PROFILE_SUFFIX ".") + TEMP_SUFFIX_LEN)
			continue;
		(void)snprintf(base, sizeof(base), "%s/%.*s", dir, (int)(suffix - de->d_name + strlen(PROFILE_SUFFIX)),
			       de->d_name);
		(void)state_file_remove_stale(base);
	}
	(void)closedir(d);
}

static void load_one(struct profile_list *l, const char *dir, const char *file)
{
	char err[PROFILE_ERROR_MAX], path[PATH_LEN_MAX], name[PROFILE_NAME_MAX];
	size_t len = strlen(file) - strlen(PROFILE_SUFFIX);
	struct profile p;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (len >= sizeof(name)) {
		log_warning("Skipping %s: no profile has a name that long", path);
		return;
	}
	memcpy(name, file, len);
	name[len] = '\0';
	if (profile_load(path, name, &p, err) < 0)
		log_warning("Skipping a damaged profile: %s", err);
	else if (l->n == PROFILES_MAX)
		log_warning("Skipping %s: the chair keeps at most %u profiles", path, PROFILES_MAX);
	else
		*profile_list_insert(l, p.name) = p;
}

void profile_list_load(struct profile_list *l, const char *dir)
{
	char **files = NULL, err[PROFILE_ERROR_MAX];
	unsigned n = 0;

	l->n = 0;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		log_warning("Failed to create %s: %s. Profiles cannot be saved", dir, strerror(errno));
	remove_stale(dir);
	if (ini_file_list_dir(dir, PROFILE_SUFFIX, PROFILE_FILES_MAX, &files, &n, err) < 0) {
		log_warning("No profiles loaded: %s", err);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		load_one(l, dir, files[i]);
	ini_file_names_free(files);
	log_info("%u profile%s loaded from %s", l->n, l->n == 1 ? "" : "s", dir);
}
