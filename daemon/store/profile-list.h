/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "profile.h"

/* Every profile, in memory, sorted by name (strcmp: the bytes of their UTF-8). */
struct profile_list {
	struct profile profiles[PROFILES_MAX];
	unsigned n;
};

struct profile *profile_list_find(struct profile_list *l, const char *name);
/* A new profile called `name` (every other field zero) in its place; NULL when the
 * list is full. */
struct profile *profile_list_insert(struct profile_list *l, const char *name);
void profile_list_remove(struct profile_list *l, struct profile *p);
/* The names joined by '\n' into buf. */
void profile_list_names(const struct profile_list *l, char *buf, size_t size);
/* At start: `dir` made if missing, the temporary files a killed write left removed, and
 * every DIR/NAME.profile loaded; a damaged one (or one beyond PROFILES_MAX) is logged
 * with its file and line and skipped. Never fails: at worst the list is empty. */
void profile_list_load(struct profile_list *l, const char *dir);
