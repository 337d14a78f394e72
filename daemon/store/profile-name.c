/* SPDX-License-Identifier: MIT */
/* Which names a profile may have. "Letters of any script" is Unicode's general
 * category L, which libunistring knows without a locale: the daemon runs in the C
 * locale, where iswalpha() knows ASCII alone. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unictype.h>
#include <unistr.h>

#include "profile-name.h"

static bool fail(char *err, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool fail(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (size > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(err, size, fmt, ap);
		va_end(ap);
	}
	return false;
}

static bool is_letter(ucs4_t uc)
{
	return uc_is_general_category(uc, UC_CATEGORY_L);
}

/* "'x' (U+0078)", or only the code point for what cannot be shown: a control
 * character, a mark alone, a space of another kind */
static void describe(ucs4_t uc, const uint8_t *s, int len, char *buf, size_t size)
{
	if (is_letter(uc) || uc_is_general_category(uc, UC_CATEGORY_N) || uc_is_general_category(uc, UC_CATEGORY_P) ||
	    uc_is_general_category(uc, UC_CATEGORY_S))
		(void)snprintf(buf, size, "'%.*s' (U+%04X)", len, (const char *)s, (unsigned)uc);
	else
		(void)snprintf(buf, size, "U+%04X", (unsigned)uc);
}

bool profile_name_is_valid(const char *name, char *err, size_t size)
{
	const uint8_t *s = (const uint8_t *)name;
	size_t n = strlen(name), chars = 0;
	bool after_letter = false;
	ucs4_t uc = 0;
	char what[48];

	if (n == 0)
		return fail(err, size, "A profile needs a name.");
	if (u8_check(s, n))
		return fail(err, size, "The name is not valid UTF-8.");
	if (name[0] == ' ' || name[n - 1] == ' ')
		return fail(err, size, "A profile's name may not start or end with a space.");
	for (size_t i = 0; i < n; chars++) {
		int len = u8_mbtouc(&uc, s + i, n - i);
		bool mark = uc_is_general_category(uc, UC_CATEGORY_M);

		if (chars == PROFILE_NAME_CHARS_MAX)
			return fail(err, size, "A profile's name has at most %u characters.", PROFILE_NAME_CHARS_MAX);
		if (mark && !after_letter) {
			describe(uc, s + i, len, what, sizeof(what));
			return fail(err, size, "The name has the combining mark %s where no letter precedes it.", what);
		}
		if (!mark && !is_letter(uc) && !uc_is_general_category(uc, UC_CATEGORY_Nd) && uc != ' ' && uc != '-' &&
		    uc != '_') {
			describe(uc, s + i, len, what, sizeof(what));
			return fail(err, size,
				    "A profile's name may hold letters, digits, spaces, '-' and '_'; %s is none of "
				    "them.",
				    what);
		}
		after_letter = is_letter(uc) || (mark && after_letter);
		i += (size_t)len;
	}
	return true;
}
