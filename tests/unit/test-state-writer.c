/* SPDX-License-Identifier: MIT */
/* The state writer: files written in the order submitted, callbacks on the event
 * loop, the loop free to run while a write waits on the disk, and every queued write
 * landing before state_writer_free() returns. fsync() is wrapped: a test can hold a
 * write inside it for as long as it likes, as a slow SD card would. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-tap.h"
#include "state-writer.h"
#include "test-files.h"

int __real_fsync(int fd);
int __wrap_fsync(int fd);

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_closed, gate_entered;

int __wrap_fsync(int fd)
{
	(void)pthread_mutex_lock(&gate_lock);
	gate_entered = true;
	(void)pthread_cond_broadcast(&gate_cond);
	while (gate_closed)
		(void)pthread_cond_wait(&gate_cond, &gate_lock);
	(void)pthread_mutex_unlock(&gate_lock);
	return __real_fsync(fd);
}

static void gate_set(bool closed)
{
	(void)pthread_mutex_lock(&gate_lock);
	gate_closed = closed;
	gate_entered = false;
	(void)pthread_cond_broadcast(&gate_cond);
	(void)pthread_mutex_unlock(&gate_lock);
}

static void gate_wait_entered(void)
{
	(void)pthread_mutex_lock(&gate_lock);
	while (!gate_entered)
		(void)pthread_cond_wait(&gate_cond, &gate_lock);
	(void)pthread_mutex_unlock(&gate_lock);
}

struct record {
	char paths[8][512];
	int results[8];
	unsigned n;
	pthread_t loop_thread;
	bool off_loop; /* a callback ran on another thread */
};

static void on_done(void *userdata, const char *path, int r, uint64_t duration_usec)
{
	struct record *rec = userdata;

	(void)duration_usec;
	if (!pthread_equal(pthread_self(), rec->loop_thread))
		rec->off_loop = true;
	if (rec->n < 8) {
		(void)snprintf(rec->paths[rec->n], sizeof(rec->paths[0]), "%s", path);
		rec->results[rec->n++] = r;
	}
}

static void submit(struct state_writer *w, const char *path, const char *text, struct record *rec)
{
	ck_assert_int_eq(state_writer_submit(w, path, strdup(text), strlen(text), on_done, rec), 0);
}

static void run_until(sd_event *e, struct record *rec, unsigned n)
{
	for (unsigned i = 0; rec->n < n && i < 1000; i++)
		ck_assert_int_ge(sd_event_run(e, 10000), 0);
	ck_assert_uint_eq(rec->n, n);
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	(void)fclose(f);
	return buf;
}

START_TEST(test_order_and_callbacks)
{
	char dir[] = "/tmp/state-writer.XXXXXX", a[300], b[300];
	struct record rec = { .loop_thread = pthread_self() };
	struct state_writer *w;
	sd_event *e;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(a, sizeof(a), "%s/a.state", dir);
	(void)snprintf(b, sizeof(b), "%s/b.state", dir);
	ck_assert_int_ge(sd_event_new(&e), 0);
	ck_assert_int_eq(state_writer_new(e, &w), 0);
	submit(w, a, "one\n", &rec);
	submit(w, b, "bee\n", &rec);
	submit(w, a, "two\n", &rec);
	run_until(e, &rec, 3);
	ck_assert_str_eq(rec.paths[0], a);
	ck_assert_str_eq(rec.paths[1], b);
	ck_assert_str_eq(rec.paths[2], a);
	ck_assert(!rec.off_loop);
	ck_assert_str_eq(slurp(a), "two\n");
	ck_assert_str_eq(slurp(b), "bee\n");

	/* a failure is reported with its errno */
	submit(w, "/nonexistent-directory/x.state", "x\n", &rec);
	run_until(e, &rec, 4);
	ck_assert_int_eq(rec.results[3], -ENOENT);
	state_writer_free(w);
	sd_event_unref(e);
	test_remove_tree(dir);
}
END_TEST

/* While a write waits in fsync the loop runs its other events; the write lands once
 * the disk answers. A writer on the loop would hold the loop as long as the disk. */
START_TEST(test_loop_runs_while_the_disk_waits)
{
	char dir[] = "/tmp/state-writer.XXXXXX", path[300];
	struct record rec = { .loop_thread = pthread_self() };
	struct state_writer *w;
	unsigned ran = 0;
	sd_event *e;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/slow.state", dir);
	ck_assert_int_ge(sd_event_new(&e), 0);
	ck_assert_int_eq(state_writer_new(e, &w), 0);
	gate_set(true);
	submit(w, path, "slow\n", &rec);
	gate_wait_entered();
	for (unsigned i = 0; i < 5; i++) {
		ck_assert_int_ge(sd_event_run(e, 1000), 0); /* a loop iteration with the disk busy */
		ran++;
	}
	ck_assert_uint_eq(ran, 5);
	ck_assert_uint_eq(rec.n, 0);
	ck_assert_ptr_null(slurp(path));
	gate_set(false);
	run_until(e, &rec, 1);
	ck_assert_int_eq(rec.results[0], 0);
	ck_assert_str_eq(slurp(path), "slow\n");
	state_writer_free(w);
	sd_event_unref(e);
	test_remove_tree(dir);
}
END_TEST

/* Exit: the writes still queued land, and their callbacks run, before free returns. */
START_TEST(test_free_finishes_queued_writes)
{
	char dir[] = "/tmp/state-writer.XXXXXX", path[300];
	struct record rec = { .loop_thread = pthread_self() };
	struct state_writer *w;
	sd_event *e;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/last.state", dir);
	ck_assert_int_ge(sd_event_new(&e), 0);
	ck_assert_int_eq(state_writer_new(e, &w), 0);
	submit(w, path, "first\n", &rec);
	submit(w, path, "last\n", &rec);
	state_writer_free(w);
	ck_assert_uint_eq(rec.n, 2);
	ck_assert(!rec.off_loop);
	ck_assert_str_eq(slurp(path), "last\n");
	sd_event_unref(e);
	test_remove_tree(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("state-writer");

	CHECK_ADD_TEST(s, test_order_and_callbacks, 30);
	CHECK_ADD_TEST(s, test_loop_runs_while_the_disk_waits, 30);
	CHECK_ADD_TEST(s, test_free_finishes_queued_writes, 30);
	return check_run_tap(s);
}
