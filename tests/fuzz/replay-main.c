/* SPDX-License-Identifier: MIT */
/* A fuzz target without libFuzzer: every file named, and every file of every folder
 * named, once through LLVMFuzzerTestOneInput(), in name order. A failed check aborts
 * with the file named just before. Run by meson (suite fuzz-replay) on the seed corpus
 * and the regression inputs in every build. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz-target.h"

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rbe");
	uint8_t *data = NULL;
	long size = -1;
	int r = -EIO;

	if (!f) {
		r = -errno;
		fprintf(stderr, "%s: %s\n", path, strerror(-r));
		return r;
	}
	if (fseek(f, 0, SEEK_END) == 0)
		size = ftell(f);
	/* exactly `size` bytes, so ASan sees a read past the input */
	if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (data = malloc(size ? (size_t)size : 1)) &&
	    fread(data, 1, (size_t)size, f) == (size_t)size) {
		fprintf(stderr, "replay: %s\n", path);
		(void)LLVMFuzzerTestOneInput(data, (size_t)size);
		r = 0;
	} else {
		fprintf(stderr, "%s: cannot read\n", path);
	}
	free(data);
	(void)fclose(f);
	return r;
}

static int regular_only(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int replay_dir(const char *dir, unsigned *n)
{
	struct dirent **names;
	char path[PATH_MAX];
	int count, r = 0;

	count = scandir(dir, &names, regular_only, alphasort);
	if (count < 0) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -errno;
	}
	for (int i = 0; i < count; i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (r == 0) {
			r = replay_file(path);
			(*n)++;
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int main(int argc, char **argv)
{
	unsigned n = 0;
	struct stat st;

	for (int i = 1; i < argc; i++) {
		int r;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			return EXIT_FAILURE;
		}
		if (S_ISDIR(st.st_mode))
			r = replay_dir(argv[i], &n);
		else {
			r = replay_file(argv[i]);
			n++;
		}
		if (r < 0)
			return EXIT_FAILURE;
	}
	printf("%u inputs replayed, none failed\n", n);
	return n > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
