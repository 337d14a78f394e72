/* SPDX-License-Identifier: MIT */
/* Setting up a Modbus line (drivers/modbus/modbus-link.c) without opening it: the
 * name its messages use, and each way the set-up fails. The failures free what was
 * set up; the sanitizer build (tools/test) fails the test on a use after free or a
 * leak. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "check-tap.h"
#include "hardware-config.h"
#include "modbus-link.h"

static struct modbus_config default_line(void)
{
	struct hardware_config hw;

	hardware_config_init_defaults(&hw);
	return hw.modbus;
}

START_TEST(test_named_after_its_settings)
{
	struct modbus_config cfg = default_line();
	struct modbus_link *l = NULL;

	ck_assert_int_eq(modbus_link_new(&cfg, NULL, &l), 0);
	ck_assert_str_eq(modbus_link_name(l), "/dev/ttyAMA0 115200 8E1");
	modbus_link_free(l);

	cfg.transport = MODBUS_TRANSPORT_TCP;
	(void)strcpy(cfg.host, "10.0.0.9");
	ck_assert_int_eq(modbus_link_new(&cfg, NULL, &l), 0);
	ck_assert_str_eq(modbus_link_name(l), "10.0.0.9:502");
	modbus_link_free(l);
}
END_TEST

/* libmodbus refuses the settings themselves (an empty device path). */
START_TEST(test_invalid_settings_fail)
{
	struct modbus_config cfg = default_line();
	struct modbus_link *l = NULL;

	cfg.device[0] = '\0';
	ck_assert_int_eq(modbus_link_new(&cfg, NULL, &l), -EINVAL);
	ck_assert_ptr_null(l);
}
END_TEST

/* libmodbus takes the settings but not the response timeout (0 s): the link set up so
 * far is freed, and nothing of it is touched after that. */
START_TEST(test_refused_timeout_fails)
{
	struct modbus_config cfg = default_line();
	struct modbus_link *l = NULL;

	cfg.timeout_ms = 0;
	ck_assert_int_eq(modbus_link_new(&cfg, NULL, &l), -EINVAL);
	ck_assert_ptr_null(l);

	cfg.transport = MODBUS_TRANSPORT_TCP;
	(void)strcpy(cfg.host, "10.0.0.9");
	ck_assert_int_eq(modbus_link_new(&cfg, NULL, &l), -EINVAL);
	ck_assert_ptr_null(l);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("modbus-link");
	TCase *tc = tcase_create("set-up");

	tcase_add_test(tc, test_named_after_its_settings);
	tcase_add_test(tc, test_invalid_settings_fail);
	tcase_add_test(tc, test_refused_timeout_fails);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
