/* SPDX-License-Identifier: MIT */
/* The roller board's register logic of the Modbus driver: which registers a write
 * carries, and which answers are taken as data. */
#include <check.h>
#include <string.h>

#include "check-tap.h"
#include "chair-bus.h"

static const struct roller_status healthy = {
	.status = ROLLER_STATUS_ENABLED | ROLLER_STATUS_HOMED,
	.travel_mm = 420,
	.depth_mm = 12,
	.width_mm = 120,
	.knead_rpm = 30,
	.tap_rate = 0,
	.load_dn = 150,
	.board_temp_dc = 412,
	.protocol = ROLLER_PROTOCOL,
};

START_TEST(test_changed_registers)
{
	uint16_t board[9] = { 1, 400, 60, 30, 0, 0, 20, 120, 1000 }, want[9];
	unsigned first, count;

	memcpy(want, board, sizeof(want));
	roller_registers_changed(board, want, &first, &count);
	ck_assert_uint_eq(count, 0);

	want[1] = 410; /* one register: 0x06 */
	roller_registers_changed(board, want, &first, &count);
	ck_assert_uint_eq(first, 1);
	ck_assert_uint_eq(count, 1);

	want[6] = 25; /* TRAVEL_TARGET and DEPTH_TARGET: one 0x10 over 1..6 */
	roller_registers_changed(board, want, &first, &count);
	ck_assert_uint_eq(first, 1);
	ck_assert_uint_eq(count, 6);

	memcpy(want, board, sizeof(want));
	want[0] = 0; /* CONTROL and WATCHDOG_MS: the whole map */
	want[8] = 0;
	roller_registers_changed(board, want, &first, &count);
	ck_assert_uint_eq(first, 0);
	ck_assert_uint_eq(count, 9);
}
END_TEST

/* docs/safety-rules.md: absurd values are errors, never data. */
START_TEST(test_plausible_status)
{
	struct roller_status st = healthy;

	ck_assert(roller_status_is_plausible(&st));
	st.protocol = 2;
	ck_assert(!roller_status_is_plausible(&st));
	st = healthy;
	st.travel_mm = 2000;
	ck_assert(!roller_status_is_plausible(&st));
	st = healthy;
	st.depth_mm = 400;
	ck_assert(!roller_status_is_plausible(&st));
	st = healthy;
	st.fault_code = 9;
	ck_assert(!roller_status_is_plausible(&st));
	st = healthy;
	st.status = 0xffff;
	ck_assert(!roller_status_is_plausible(&st));
	st = healthy;
	st.board_temp_dc = -32768;
	ck_assert(!roller_status_is_plausible(&st));
	st = healthy;
	st.fault_code = ROLLER_FAULT_SUPPLY; /* a real fault is data: the daemon acts on it */
	st.status |= ROLLER_STATUS_FAULT;
	ck_assert(roller_status_is_plausible(&st));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("chair-bus");
	TCase *tc = tcase_create("registers");

	tcase_add_test(tc, test_changed_registers);
	tcase_add_test(tc, test_plausible_status);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
