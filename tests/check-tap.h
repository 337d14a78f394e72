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
