/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* What every fuzz target shares: libFuzzer's entry point, a private folder for the files
 * a loader reads, and checks that hold whatever the input (a failed one aborts, which
 * libFuzzer and the replay runner report as a crash with the input that caused it). */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A private temporary folder, made on first use and removed at exit. */
const char *fuzz_dir(void);
/* fuzz_dir()/name into buf (PATH_MAX bytes). */
void fuzz_path(char *buf, const char *name);
/* Replace the file at path with data; aborts when it cannot. */
void fuzz_write_file(const char *path, const uint8_t *data, size_t size);
/* A folder under fuzz_dir(), made if missing; its path into buf (PATH_MAX bytes). */
void fuzz_make_dir(char *buf, const char *name);

/* For a parser that stops at the first bad line, as ini-file.c does: when its error
 * (err, for the file `path` holding data) names line N, the lines before N must parse
 * and the first N lines must fail naming line N; a line it calls too long must be. */
void fuzz_check_first_bad_line(const char *err, const char *path, const uint8_t *data, size_t size,
			       int (*parse)(const char *path, char *err));

#define FUZZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

/* An error message a loader wrote: not empty, terminated within its buffer. */
#define FUZZ_CHECK_ERROR_TEXT(err, size) \
	FUZZ_CHECK((err)[0] != '\0' && memchr((err), '\0', (size)) != NULL, "a failed load must say why")
