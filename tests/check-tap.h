/* SPDX-License-Identifier: MIT */
#pragma once

#include <check.h>

/* Run a Check suite reporting TAP on stdout, as meson's `protocol: 'tap'` reads it. */
static inline int check_run_tap(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

/* Add a test in a test case of its own, with a generous in-process timeout: the
 * harnesses' own deadlines fail first, with better messages. The case is tagged with
 * its name, so that CK_INCLUDE_TAGS="test_a test_b" picks cases across programs (the
 * valgrind phase of tools/test). */
#define CHECK_ADD_TEST(suite, test, timeout_s) \
	do { \
		TCase *_tc = tcase_create(#test); \
		tcase_set_timeout(_tc, (timeout_s)); \
		tcase_set_tags(_tc, #test); \
		tcase_add_test(_tc, test); \
		suite_add_tcase((suite), _tc); \
	} while (0)
