/* SPDX-License-Identifier: MIT */
/* A caller's value quoted in an error message: escaped, and cut short. */
#include <string.h>

#include "check-tap.h"
#include "quote.h"

START_TEST(test_quote_short_values_whole)
{
	char q[QUOTE_BUF_SIZE];

	ck_assert_str_eq(quote_value("", q), "");
	ck_assert_str_eq(quote_value("elbow", q), "elbow");
	ck_assert_str_eq(quote_value("n\xd0\xb5"
				     "ck \xf0\x9f\x92\x86",
				     q),
			 "n\xd0\xb5"
			 "ck \xf0\x9f\x92\x86");
}
END_TEST

START_TEST(test_quote_escapes_controls)
{
	char q[QUOTE_BUF_SIZE];

	ck_assert_str_eq(quote_value("neck\n", q), "neck\\x0a");
	ck_assert_str_eq(quote_value("\x1b[31m\x7f", q), "\\x1b[31m\\x7f");
}
END_TEST

START_TEST(test_quote_cuts_long_values)
{
	char q[QUOTE_BUF_SIZE], big[100000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	quote_value(big, q);
	ck_assert_uint_eq(strlen(q), QUOTE_MAX_BYTES + 3);
	ck_assert_str_eq(q + QUOTE_MAX_BYTES, "\xe2\x80\xa6");
	/* never inside a character: 4-byte emoji, the cut falls after a whole one */
	for (size_t i = 0; i + 4 < sizeof(big); i += 4)
		memcpy(big + i, "\xf0\x9f\x92\x86", 4);
	big[sizeof(big) - 1 - (sizeof(big) - 1) % 4] = '\0';
	quote_value(big, q);
	ck_assert_uint_eq(strlen(q), QUOTE_MAX_BYTES + 3);
	ck_assert_int_eq(memcmp(q + QUOTE_MAX_BYTES - 4, "\xf0\x9f\x92\x86\xe2\x80\xa6", 7), 0);
	/* every byte a control character: the buffer still holds it */
	memset(big, '\x01', 200);
	big[200] = '\0';
	quote_value(big, q);
	ck_assert_uint_eq(strlen(q), QUOTE_MAX_BYTES * 4 + 3);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("quote");

	CHECK_ADD_TEST(s, test_quote_short_values_whole, 10);
	CHECK_ADD_TEST(s, test_quote_escapes_controls, 10);
	CHECK_ADD_TEST(s, test_quote_cuts_long_values, 10);
	return check_run_tap(s);
}
