/* SPDX-License-Identifier: MIT */
#pragma once

/* Between config-keys.c (the key table; reading one file) and config.c (loading the
 * files in order; the checks across keys). */

#include <stddef.h>

#include "config.h"

/* The entries of config_keys[]: a static assertion in config-keys.c keeps it true. */
#define CONFIG_KEY_COUNT 68

/* Where each key was last set, so cross-field errors can name a file and line. */
struct config_origin {
	char path[256];
	unsigned line;
};

/* config_parse_file(), also noting in origins[CONFIG_KEY_COUNT] (unless NULL) the file
 * and line that set each key. */
int config_parse_file_tracked(struct massaged_config *c, const char *path, struct config_origin *origins, char *err);

/* The index in origins[] of the key called `name` (names are unique across sections). */
size_t config_key_index(const char *name);
