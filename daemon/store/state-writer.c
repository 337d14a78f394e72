/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "macro.h"
#include "state-file.h"
#include "state-writer.h"

/* the settings and one autotune result per pad, with room to spare */
#define STATE_WRITER_JOBS 8

enum job_state {
	JOB_FREE,
	JOB_QUEUED,
	JOB_WRITING,
	JOB_DONE
};

struct state_job {
	enum job_state state;
	uint64_t sequence; /* submission order */
	char path[512];
	char *text;
	size_t size;
	state_writer_done_t done;
	void *userdata;
	int result;
	uint64_t duration_usec;
};

struct state_writer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool quit;
	uint64_t submitted;
	struct state_job jobs[STATE_WRITER_JOBS];
	int efd;
	sd_event_source *source;
};

static struct state_job *next_queued(struct state_writer *w)
{
	struct state_job *oldest = NULL;

	for (unsigned i = 0; i < STATE_WRITER_JOBS; i++)
		if (w->jobs[i].state == JOB_QUEUED && (!oldest || w->jobs[i].sequence < oldest->sequence))
			oldest = &w->jobs[i];
	return oldest;
}

static void *writer_thread(void *arg)
{
	struct state_writer *w = arg;
	struct state_job *job;
	uint64_t one = 1, t0;
	int r;

	(void)pthread_mutex_lock(&w->lock);
	for (;;) {
		job = next_queued(w);
		if (!job) {
			if (w->quit)
				break;
			(void)pthread_cond_wait(&w->wake, &w->lock);
			continue;
		}
		job->state = JOB_WRITING;
		(void)pthread_mutex_unlock(&w->lock);
		t0 = monotonic_usec();
		r = job->text ? state_file_write(job->path, job->text, job->size) : state_file_remove(job->path);
		(void)pthread_mutex_lock(&w->lock);
		job->result = r;
		job->duration_usec = monotonic_usec() - t0;
		job->state = JOB_DONE;
		if (write(w->efd, &one, sizeof(one)) < 0) {
			/* the counter cannot overflow in practice; the next write wakes the loop */
		}
	}
	(void)pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Run the callbacks of finished writes, on the calling (loop) thread. */
static void dispatch_done(struct state_writer *w)
{
	struct state_job done[STATE_WRITER_JOBS];
	unsigned n = 0;

	(void)pthread_mutex_lock(&w->lock);
	for (unsigned i = 0; i < STATE_WRITER_JOBS; i++)
		if (w->jobs[i].state == JOB_DONE) {
			done[n++] = w->jobs[i];
			free(w->jobs[i].text);
			w->jobs[i] = (struct state_job) { .state = JOB_FREE };
		}
	(void)pthread_mutex_unlock(&w->lock);
	for (unsigned i = 0; i < n; i++)
		if (done[i].done)
			done[i].done(done[i].userdata, done[i].path, done[i].result, done[i].duration_usec);
}

static int on_written(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	uint64_t n;

	(void)s;
	(void)revents;
	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return log_errno(-errno, "Failed to read the state writer's eventfd");
	dispatch_done(userdata);
	return 0;
}

int state_writer_new(sd_event *event, struct state_writer **ret)
{
	struct state_writer *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->efd < 0) {
		r = -errno;
		free(w);
		return r;
	}
	r = sd_event_add_io(event, &w->source, w->efd, EPOLLIN, on_written, w);
	if (r >= 0)
		r = sd_event_source_set_priority(w->source, SD_EVENT_PRIORITY_IDLE);
	if (r < 0) {
		sd_event_source_unref(w->source);
		(void)close(w->efd);
		free(w);
		return r;
	}
	(void)sd_event_source_set_description(w->source, "state-writer");
	(void)pthread_mutex_init(&w->lock, NULL);
	(void)pthread_cond_init(&w->wake, NULL);
	r = -pthread_create(&w->thread, NULL, writer_thread, w);
	if (r < 0) {
		sd_event_source_disable_unref(w->source);
		(void)close(w->efd);
		(void)pthread_cond_destroy(&w->wake);
		(void)pthread_mutex_destroy(&w->lock);
		free(w);
		return r;
	}
	*ret = w;
	return 0;
}

int state_writer_submit(struct state_writer *w, const char *path, char *text, size_t size, state_writer_done_t done,
			void *userdata)
{
	struct state_job *slot = NULL;

	if (strlen(path) >= sizeof(slot->path)) {
		free(text);
		return -ENAMETOOLONG;
	}
	(void)pthread_mutex_lock(&w->lock);
	for (unsigned i = 0; i < STATE_WRITER_JOBS && !slot; i++)
		if (w->jobs[i].state == JOB_FREE)
			slot = &w->jobs[i];
	if (!slot) {
		(void)pthread_mutex_unlock(&w->lock);
		free(text);
		return -EBUSY;
	}
	*slot = (struct state_job) {
		.state = JOB_QUEUED,
		.sequence = ++w->submitted,
		.text = text,
		.size = size,
		.done = done,
		.userdata = userdata,
	};
	(void)snprintf(slot->path, sizeof(slot->path), "%s", path);
	(void)pthread_cond_signal(&w->wake);
	(void)pthread_mutex_unlock(&w->lock);
	return 0;
}

struct state_writer *state_writer_free(struct state_writer *w)
{
	if (!w)
		return NULL;
	(void)pthread_mutex_lock(&w->lock);
	w->quit = true;
	(void)pthread_cond_signal(&w->wake);
	(void)pthread_mutex_unlock(&w->lock);
	(void)pthread_join(w->thread, NULL);
	dispatch_done(w);
	sd_event_source_disable_unref(w->source);
	(void)close(w->efd);
	(void)pthread_cond_destroy(&w->wake);
	(void)pthread_mutex_destroy(&w->lock);
	free(w);
	return NULL;
}
