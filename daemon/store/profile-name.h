/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A profile is a person; its name is what they see on the remote and in massagectl. */

#define PROFILE_NAME_CHARS_MAX 32u                        /* characters, not bytes */
#define PROFILE_NAME_MAX (PROFILE_NAME_CHARS_MAX * 4 + 1) /* UTF-8 bytes and the NUL */
#define PROFILES_MAX 32u

/* 1..32 characters, each a letter of any script, a digit, a space, '-' or '_', valid
 * UTF-8, not starting or ending with a space. Returns true, or false with `err` saying
 * what is wrong in a sentence a person can act on (naming the character when one is). */
bool profile_name_is_valid(const char *name, char *err, size_t size);
