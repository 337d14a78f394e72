/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "refusal.h"

static int refusal_errno(enum refusal_kind kind)
{
	switch (kind) {
	case REFUSAL_INVALID_ARGS:
	case REFUSAL_NO_SUCH_PROGRAM:
	case REFUSAL_NO_SUCH_PROFILE:
		return -EINVAL;
	case REFUSAL_NOT_SUPPORTED:
		return -EOPNOTSUPP;
	case REFUSAL_ACCESS_DENIED:
		return -EACCES;
	case REFUSAL_FAILED:
		return -EIO;
	case REFUSAL_LIMITS_EXCEEDED:
		return -ENOSPC;
	default:
		return -EBUSY;
	}
}

int refuse(struct refusal *r, enum refusal_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (r) {
		r->kind = kind;
		va_start(ap, fmt);
		(void)vsnprintf(r->message, sizeof(r->message), fmt, ap);
		va_end(ap);
	}
	return refusal_errno(kind);
}
