/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "quote.h"

const char *quote_value(const char *s, char buf[QUOTE_BUF_SIZE])
{
	size_t in = 0, out = 0;

	for (; s[in]; in++) {
		unsigned char ch = (unsigned char)s[in];

		/* stop before a character that starts past the limit (never inside one) */
		if (in >= QUOTE_MAX_BYTES && (ch & 0xc0) != 0x80) {
			out += (size_t)snprintf(buf + out, QUOTE_BUF_SIZE - out, "\xe2\x80\xa6");
			break;
		}
		if (ch < 0x20 || ch == 0x7f)
			out += (size_t)snprintf(buf + out, QUOTE_BUF_SIZE - out, "\\x%02x", ch);
		else
			buf[out++] = (char)ch;
	}
	buf[out] = '\0';
	return buf;
}
