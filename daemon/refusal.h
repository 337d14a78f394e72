/* SPDX-License-Identifier: MIT */
#pragma once

/* A command refused: why, in the kind a client can act on, and the sentence a person
 * reads. The commands fill it in; bus/ names it on D-Bus (bus-names.h) and the
 * remote's buttons log it. Below bus/ nothing knows D-Bus error names. */

enum refusal_kind {
	REFUSAL_INVALID_ARGS,
	REFUSAL_NOT_SUPPORTED,
	REFUSAL_FAILED,
	REFUSAL_ACCESS_DENIED,
	REFUSAL_FAULTED,      /* a fault is latched */
	REFUSAL_FAULT_ACTIVE, /* ClearFault: a fault's cause persists */
	REFUSAL_NO_SUCH_PROGRAM,
	REFUSAL_NOT_RUNNING,
	REFUSAL_NOT_SCANNED,
	REFUSAL_NOT_SEATED,
	REFUSAL_TOO_WARM,
	REFUSAL_LOCKED_OUT,
	REFUSAL_NO_SUCH_PROFILE,
	REFUSAL_LIMITS_EXCEEDED, /* a count the chair keeps at most (profiles) */
	_REFUSAL_KIND_MAX,
};

#define REFUSAL_MESSAGE_MAX 512

struct refusal {
	enum refusal_kind kind;
	char message[REFUSAL_MESSAGE_MAX];
};

/* Fill in *r (may be NULL) and return the negative errno that goes with the kind. */
int refuse(struct refusal *r, enum refusal_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
