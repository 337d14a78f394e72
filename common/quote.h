/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* Room for a quoted value: QUOTE_MAX_BYTES of the value, escapes and the ellipsis. */
#define QUOTE_MAX_BYTES 64
#define QUOTE_BUF_SIZE (QUOTE_MAX_BYTES * 4 + 8)

/* A caller's string made fit for an error message or a log line: control characters
 * as \xNN, and past QUOTE_MAX_BYTES cut at a character boundary with "…". A client
 * may send megabytes of anything; the reply should not echo them back. Returns buf. */
const char *quote_value(const char *s, char buf[QUOTE_BUF_SIZE]);
