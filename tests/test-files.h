/* SPDX-License-Identifier: MIT */
#pragma once

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Files for the tests: temporary folders and the logs of the processes they start. */

static inline int test_files_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	(void)remove(path);
	return 0;
}

/* Write `content` to dir/name; returns the path (static: use it before the next call),
 * or NULL when the file cannot be written. */
static inline const char *test_write_file(const char *dir, const char *name, const char *content)
{
	static char path[4096];
	FILE *f;
	int r;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f)
		return NULL;
	r = fputs(content, f);
	if (fclose(f) != 0 || r < 0)
		return NULL;
	return path;
}

/* Remove a folder and everything in it; nothing for "". */
static inline void test_remove_tree(const char *dir)
{
	if (dir[0])
		(void)nftw(dir, test_files_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Print the last `max` (< 65536) bytes of a log to stderr between marker lines naming
 * `what`; nothing when the file cannot be read. */
static inline void test_dump_log_tail(const char *what, const char *path, size_t max)
{
	char buf[65536];
	ssize_t n;
	off_t size;
	int fd;

	if (!path[0] || max >= sizeof(buf))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	(void)lseek(fd, size > (off_t)max ? size - (off_t)max : 0, SEEK_SET);
	n = read(fd, buf, max);
	(void)close(fd);
	buf[n > 0 ? n : 0] = '\0';
	(void)fprintf(stderr, "---- %s (%s%s) ----\n%s\n---- end of %s ----\n", what,
		      size > (off_t)max ? "last bytes of " : "", path, buf, what);
}

/* The first line of a sanitizer's or valgrind's error report in a log (copied into
 * line), or NULL when there is none. ASan, LSan and UBSan (built with
 * -fsanitize=address,undefined) and valgrind's memcheck write these to the stderr of
 * the program they watch; the tests fail on one even where the exit status alone would
 * pass (a program expected to fail, UBSan built to recover). */
static inline const char *test_log_memory_report(const char *path, char *line, size_t size)
{
	static const char *const markers[] = {
		"ERROR: AddressSanitizer",
		"ERROR: LeakSanitizer",
		": runtime error: ",
		"Invalid read of size",
		"Invalid write of size",
		"Conditional jump or move depends on uninitialised",
		"Syscall param",
		"Use of uninitialised value",
		"Invalid free()",
		"definitely lost in loss record",
		"indirectly lost in loss record",
		"Mismatched free()",
		"Source and destination overlap",
	};
	FILE *f = fopen(path, "re");
	const char *found = NULL;

	if (!f)
		return NULL;
	while (!found && fgets(line, (int)size, f))
		for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++)
			if (strstr(line, markers[i])) {
				line[strcspn(line, "\n")] = '\0';
				found = line;
				break;
			}
	(void)fclose(f);
	return found;
}
