/* SPDX-License-Identifier: MIT */
/* Between commands.c (a command topic's message into a D-Bus call) and command-queue.c
 * (the calls on their way to massaged, a bounded number at a time). */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "chair-side.h"

/* Calls awaiting massaged's reply at most: well below the bus's limit of pending replies
 * per connection (128, the system bus's default), beyond which it refuses a call
 * LimitsExceeded and the command would be lost. */
#define COMMAND_CALLS_IN_FLIGHT_MAX 16

#define ERROR_CHAIR_UNAVAILABLE "org.massaged.Mqtt.Error.ChairUnavailable"

/* A refusal to publish on B/error: massaged's (its error name and message) or the
 * queue's own (ChairUnavailable). */
typedef void (*command_refused_fn)(void *userdata, const char *topic, const char *payload, const char *error,
				   const char *message);

struct command_queue;
int command_queue_new(struct command_queue **ret, struct chair_side *c, command_refused_fn refused, void *userdata);
/* Drops the queued calls and forgets those in flight (their replies are not waited for). */
struct command_queue *command_queue_free(struct command_queue *q);

/* Sends call (the queue takes it) for the command on topic with payload, or queues it
 * behind the others while COMMAND_CALLS_IN_FLIGHT_MAX await a reply. One call per topic
 * is queued: a newer one replaces it and goes to the end of the queue, so the calls
 * leave in the order of the newest commands (a stop pressed last is sent last).
 * heat_zone: the call is a pad's mode heat (its heat_asked holds until a reply). */
int command_queue_send(struct command_queue *q, const char *topic, const char *payload, const char *heat_zone,
		       sd_bus_message *call);
/* massaged left the bus: every queued call is refused ChairUnavailable. */
void command_queue_daemon_gone(struct command_queue *q);
