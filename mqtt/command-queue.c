/* SPDX-License-Identifier: MIT */
/* The commands' D-Bus calls on their way to massaged. At most COMMAND_CALLS_IN_FLIGHT_MAX
 * await a reply; the others wait here in the order they came, one per command topic (the
 * newest value of a setting, one press of a button), so the queue is bounded by the
 * number of command topics and a burst loses no valid command: the bus would refuse the
 * calls beyond its limit of pending replies. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "command-queue.h"
#include "log.h"

struct queued_call {
	struct queued_call *next, *prev;
	struct command_queue *q;
	sd_bus_message *message; /* while queued */
	sd_bus_slot *slot;       /* while in flight */
	char *topic, *payload;
	char *heat_zone; /* a pad's mode heat */
};

struct call_list {
	struct queued_call *head, *tail;
	size_t n;
};

struct command_queue {
	struct chair_side *c;
	command_refused_fn refused;
	void *userdata;
	struct call_list waiting; /* oldest first */
	struct call_list in_flight;
};

static void list_append(struct call_list *l, struct queued_call *e)
{
	e->prev = l->tail;
	e->next = NULL;
	if (l->tail)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
	l->n++;
}

static void list_remove(struct call_list *l, struct queued_call *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		l->tail = e->prev;
	e->next = e->prev = NULL;
	l->n--;
}

static void call_free(struct queued_call *e)
{
	sd_bus_message_unref(e->message);
	sd_bus_slot_unref(e->slot);
	free(e->topic);
	free(e->payload);
	free(e->heat_zone);
	free(e);
}

static void list_free(struct call_list *l)
{
	while (l->head) {
		struct queued_call *e = l->head;

		list_remove(l, e);
		call_free(e);
	}
}

static bool heat_pending(const struct call_list *l, const char *zone)
{
	for (const struct queued_call *e = l->head; e; e = e->next)
		if (e->heat_zone && strcmp(e->heat_zone, zone) == 0)
			return true;
	return false;
}

/* A call answered or refused (already out of its list): a pad's heat_asked holds while
 * another heat for it is still on its way. */
static void call_ended(struct queued_call *e)
{
	struct command_queue *q = e->q;
	struct pad *pad = e->heat_zone ? chair_model_find_pad(&q->c->model, e->heat_zone) : NULL;

	if (pad)
		pad->heat_asked = heat_pending(&q->in_flight, e->heat_zone) || heat_pending(&q->waiting, e->heat_zone);
	call_free(e);
}

static void refuse_unavailable(struct queued_call *e)
{
	struct command_queue *q = e->q;

	q->refused(q->userdata, e->topic, e->payload, ERROR_CHAIR_UNAVAILABLE,
		   "The chair daemon massaged is not on the bus.");
	call_ended(e);
}

static void drain(struct command_queue *q);

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct queued_call *e = userdata;
	struct command_queue *q = e->q;
	const sd_bus_error *error = sd_bus_message_get_error(reply);

	list_remove(&q->in_flight, e);
	if (error)
		q->refused(q->userdata, e->topic, e->payload, error->name,
			   error->message ? error->message : error->name);
	call_ended(e);
	drain(q);
	return 0;
}

/* e (in no list) to massaged. */
static int call_start(struct queued_call *e)
{
	struct command_queue *q = e->q;
	int r;

	if (q->c->model.daemon_online <= 0) {
		refuse_unavailable(e);
		return -ENOTCONN;
	}
	r = sd_bus_call_async(q->c->bus, &e->slot, e->message, on_reply, e, 0);
	if (r < 0) {
		log_error("Cannot send the command on %s to massaged: %s", e->topic, strerror(-r));
		call_ended(e);
		return r;
	}
	e->message = sd_bus_message_unref(e->message);
	list_append(&q->in_flight, e);
	return 0;
}

static void drain(struct command_queue *q)
{
	while (q->waiting.head && q->in_flight.n < COMMAND_CALLS_IN_FLIGHT_MAX) {
		struct queued_call *e = q->waiting.head;

		list_remove(&q->waiting, e);
		(void)call_start(e);
	}
}

int command_queue_send(struct command_queue *q, const char *topic, const char *payload, const char *heat_zone,
		       sd_bus_message *call)
{
	struct queued_call *e = calloc(1, sizeof(*e));

	if (!e) {
		sd_bus_message_unref(call);
		return log_errno(-ENOMEM, "Cannot send the command on %s", topic);
	}
	*e = (struct queued_call) {
		.q = q,
		.message = call,
		.topic = strdup(topic),
		.payload = strdup(payload),
		.heat_zone = heat_zone ? strdup(heat_zone) : NULL,
	};
	if (!e->topic || !e->payload || (heat_zone && !e->heat_zone)) {
		call_free(e);
		return log_errno(-ENOMEM, "Cannot send the command on %s", topic);
	}
	/* the newest value wins; it leaves after the commands that came before it */
	for (struct queued_call *old = q->waiting.head; old; old = old->next)
		if (strcmp(old->topic, topic) == 0) {
			list_remove(&q->waiting, old);
			call_free(old);
			break;
		}
	if (q->in_flight.n < COMMAND_CALLS_IN_FLIGHT_MAX && !q->waiting.head)
		return call_start(e);
	list_append(&q->waiting, e);
	drain(q);
	return 0;
}

void command_queue_daemon_gone(struct command_queue *q)
{
	while (q->waiting.head) {
		struct queued_call *e = q->waiting.head;

		list_remove(&q->waiting, e);
		refuse_unavailable(e);
	}
}

int command_queue_new(struct command_queue **ret, struct chair_side *c, command_refused_fn refused, void *userdata)
{
	struct command_queue *q = calloc(1, sizeof(*q));

	if (!q)
		return -ENOMEM;
	q->c = c;
	q->refused = refused;
	q->userdata = userdata;
	*ret = q;
	return 0;
}

struct command_queue *command_queue_free(struct command_queue *q)
{
	if (!q)
		return NULL;
	list_free(&q->waiting);
	list_free(&q->in_flight);
	free(q);
	return NULL;
}
