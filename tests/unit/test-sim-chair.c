/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check-tap.h"
#include "clock.h"
#include "config-sim.h"
#include "config.h"
#include "driver.h"
#include "sim-chair.h"
#include "sim-driver.h"

#define MS(x) (1000ULL * (uint64_t)(x))
#define SEC(x) ((uint64_t)(1e6 * (x)))

/* Full power from 24 °C, person seated, 300 s: the plant script's own numbers, from
 *   cd bench && python3 -c 'import thermal_plant as tp; \
 *     pad = tp.HotStonePad(dict(tp.PUBLIC), 1); pad.advance(1.0, 300.0); \
 *     print(pad.stone_c, pad.element_c)'
 * and with dict(tp.PUBLIC, k_body=0.0) for the empty seat. */
#define PLANT_300S_STONE_SEATED 53.027484316575126
#define PLANT_300S_ELEMENT_SEATED 76.03392105884966
#define PLANT_300S_STONE_EMPTY 58.57160536709187

static void chair_new(struct sim_chair *s, double noise_n)
{
	struct massaged_config cfg;
	struct sim_config sim;

	config_init_defaults(&cfg);
	cfg.sim_load_noise_n = noise_n;
	config_to_sim(&cfg, &sim);
	sim_chair_init(s, &sim, 0, 42);
}

static struct roller_setpoints setpoints(uint16_t control, uint16_t travel, uint16_t speed, uint16_t depth)
{
	return (struct roller_setpoints) {
		.control = control,
		.travel_target_mm = travel,
		.travel_speed = speed,
		.depth_mm = depth,
		.width_mm = 120,
	};
}

static struct roller_status status_at(struct sim_chair *s, uint64_t t)
{
	struct roller_status st;

	ck_assert_int_eq(sim_chair_roller_read(s, t, &st), 0);
	return st;
}

static void write_at(struct sim_chair *s, uint64_t t, struct roller_setpoints sp)
{
	ck_assert_int_eq(sim_chair_roller_write(s, t, &sp), 0);
}

START_TEST(test_initial_state)
{
	struct sim_chair s;
	struct roller_status st;
	int16_t raw[TEMP_CHANNELS];

	chair_new(&s, 2.0);
	ck_assert(s.seated);
	ck_assert(!s.estop);
	ck_assert_uint_eq(s.shoulder_mm, 600);
	for (int o = 0; o < _OUTPUT_MAX; o++)
		ck_assert(!s.outputs[o]);
	st = status_at(&s, 0);
	ck_assert_uint_eq(st.status, ROLLER_STATUS_HOMED | ROLLER_STATUS_BOTTOM_LIMIT);
	ck_assert_uint_eq(st.travel_mm, 0);
	ck_assert_uint_eq(st.width_mm, 120);
	ck_assert_uint_eq(st.protocol, ROLLER_PROTOCOL);
	ck_assert_int_ge(st.board_temp_dc, 300);
	ck_assert_int_le(st.board_temp_dc, 400);
	ck_assert_uint_eq(s.n_pads, 3);
	ck_assert_int_eq(sim_chair_temperatures_read(&s, 0, raw), 0);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_int_le(abs(raw[i] - 240), 1);
	for (unsigned i = 3; i < TEMP_CHANNELS; i++)
		ck_assert_int_eq(raw[i], TEMP_SENTINEL_OPEN);
}
END_TEST

START_TEST(test_travel_speed)
{
	struct sim_chair s;
	struct roller_status st;

	chair_new(&s, 0.0);
	sim_chair_set_output(&s, 0, OUTPUT_MOTOR_POWER, true);
	write_at(&s, 0, setpoints(ROLLER_CONTROL_ENABLE, 300, 60, 0));
	st = status_at(&s, SEC(2.5));
	ck_assert_int_le(abs(st.travel_mm - 150), 1);
	ck_assert(st.status & ROLLER_STATUS_MOVING);
	ck_assert(st.status & ROLLER_STATUS_ENABLED);
	st = status_at(&s, SEC(4.9));
	ck_assert_int_le(abs(st.travel_mm - 294), 1);
	st = status_at(&s, SEC(5.01));
	ck_assert_uint_eq(st.travel_mm, 300);
	ck_assert(!(st.status & ROLLER_STATUS_MOVING));

	/* past the top of the track is clamped to it */
	write_at(&s, SEC(6), setpoints(ROLLER_CONTROL_ENABLE, 2000, 500, 50));
	st = status_at(&s, SEC(8));
	ck_assert_int_le(abs(st.travel_mm - 540), 1); /* 120 mm/s, the fastest */
	ck_assert_uint_eq(st.depth_mm, 50);           /* 25 mm/s */
	for (uint64_t t = SEC(8); t < SEC(20); t += MS(100)) {
		sim_chair_advance(&s, t);
		ck_assert(s.travel_mm <= ROLLER_TRAVEL_MAX_MM);
	}
	st = status_at(&s, SEC(20));
	ck_assert_uint_eq(st.travel_mm, ROLLER_TRAVEL_MAX_MM);
	ck_assert(st.status & ROLLER_STATUS_TOP_LIMIT);
}
END_TEST

START_TEST(test_no_motion_without_power_or_enable)
{
	struct sim_chair s;
	struct roller_status st;

	chair_new(&s, 0.0);
	write_at(&s, 0, setpoints(ROLLER_CONTROL_ENABLE, 300, 60, 20));
	st = status_at(&s, SEC(10));
	ck_assert_uint_eq(st.travel_mm, 0);
	ck_assert_uint_eq(st.depth_mm, 0);
	ck_assert(!(st.status & ROLLER_STATUS_MOVING));

	sim_chair_set_output(&s, SEC(10), OUTPUT_MOTOR_POWER, true);
	write_at(&s, SEC(10), setpoints(0, 300, 60, 20));
	st = status_at(&s, SEC(20));
	ck_assert_uint_eq(st.travel_mm, 0);
	ck_assert(!(st.status & ROLLER_STATUS_ENABLED));

	write_at(&s, SEC(20), setpoints(ROLLER_CONTROL_ENABLE, 300, 60, 20));
	st = status_at(&s, SEC(22));
	ck_assert_int_le(abs(st.travel_mm - 120), 1);
	/* the motor supply cut stops the rollers where they are */
	sim_chair_set_output(&s, SEC(22), OUTPUT_MOTOR_POWER, false);
	st = status_at(&s, SEC(30));
	ck_assert_int_le(abs(st.travel_mm - 120), 1);
}
END_TEST

START_TEST(test_park)
{
	struct sim_chair s;
	struct roller_status st;

	chair_new(&s, 0.0);
	sim_chair_set_output(&s, 0, OUTPUT_MOTOR_POWER, true);
	write_at(&s, 0, setpoints(ROLLER_CONTROL_ENABLE, 400, 100, 30));
	st = status_at(&s, SEC(5));
	ck_assert_uint_eq(st.travel_mm, 400);
	ck_assert_uint_eq(st.depth_mm, 30);
	write_at(&s, SEC(5), setpoints(ROLLER_CONTROL_ENABLE | ROLLER_CONTROL_PARK, 400, 100, 30));
	st = status_at(&s, SEC(10));
	ck_assert_uint_eq(st.travel_mm, 0);
	ck_assert_uint_eq(st.depth_mm, 0);
	ck_assert(st.status & ROLLER_STATUS_BOTTOM_LIMIT);
	ck_assert(!(st.status & ROLLER_STATUS_MOVING));
}
END_TEST

START_TEST(test_watchdog)
{
	struct sim_chair s;
	struct roller_status st;
	struct roller_setpoints sp = setpoints(ROLLER_CONTROL_ENABLE, 780, 30, 0);
	uint64_t t;

	chair_new(&s, 0.0);
	sp.watchdog_ms = 500;
	sp.knead_rpm = 30;
	sim_chair_set_output(&s, 0, OUTPUT_MOTOR_POWER, true);
	for (t = 0; t <= SEC(3); t += MS(200)) {
		write_at(&s, t, sp);
		ck_assert(!(status_at(&s, t).status & ROLLER_STATUS_WATCHDOG));
	}
	t -= MS(200); /* the last write */
	st = status_at(&s, t + MS(450));
	ck_assert(!(st.status & ROLLER_STATUS_WATCHDOG));
	ck_assert_uint_eq(st.knead_rpm, 30);
	st = status_at(&s, t + MS(600));
	ck_assert(st.status & ROLLER_STATUS_WATCHDOG);
	ck_assert(!(st.status & ROLLER_STATUS_ENABLED));
	ck_assert_uint_eq(st.knead_rpm, 0);
	ck_assert_uint_eq(status_at(&s, t + SEC(5)).travel_mm, st.travel_mm);

	/* the next write with enable re-arms it and the rollers go on */
	write_at(&s, t + SEC(5), sp);
	st = status_at(&s, t + SEC(5.3));
	ck_assert(!(st.status & ROLLER_STATUS_WATCHDOG));
	ck_assert(st.status & ROLLER_STATUS_MOVING);

	/* standing still while kneading, in one long advance: still trips on time */
	chair_new(&s, 0.0);
	sp.travel_target_mm = 0;
	sim_chair_set_output(&s, 0, OUTPUT_MOTOR_POWER, true);
	write_at(&s, 0, sp);
	ck_assert(status_at(&s, SEC(3600)).status & ROLLER_STATUS_WATCHDOG);

	/* disarmed while disabled */
	chair_new(&s, 0.0);
	sp.control = 0;
	write_at(&s, 0, sp);
	ck_assert(!(status_at(&s, SEC(60)).status & ROLLER_STATUS_WATCHDOG));
}
END_TEST

START_TEST(test_pinch)
{
	struct sim_chair s;
	struct roller_status st;

	chair_new(&s, 0.0);
	sim_chair_set_output(&s, 0, OUTPUT_MOTOR_POWER, true);
	write_at(&s, 0, setpoints(ROLLER_CONTROL_ENABLE, 780, 60, 0));
	sim_chair_set_pinch(&s, SEC(1), true);
	st = status_at(&s, SEC(1.01));
	ck_assert(st.status & ROLLER_STATUS_FAULT);
	ck_assert(!(st.status & ROLLER_STATUS_ENABLED));
	ck_assert_uint_eq(st.fault_code, ROLLER_FAULT_OVERCURRENT);
	ck_assert_int_le(abs(st.travel_mm - 60), 1);
	ck_assert_uint_eq(status_at(&s, SEC(3)).travel_mm, st.travel_mm);

	/* clearing while still pinched changes nothing */
	write_at(&s, SEC(3), setpoints(ROLLER_CONTROL_ENABLE | ROLLER_CONTROL_CLEAR_FAULT, 780, 60, 0));
	st = status_at(&s, SEC(3.5));
	ck_assert_uint_eq(st.fault_code, ROLLER_FAULT_OVERCURRENT);
	ck_assert(st.status & ROLLER_STATUS_FAULT);

	sim_chair_set_pinch(&s, SEC(4), false);
	ck_assert_uint_eq(status_at(&s, SEC(4)).fault_code, ROLLER_FAULT_OVERCURRENT); /* latched */
	write_at(&s, SEC(4), setpoints(ROLLER_CONTROL_ENABLE | ROLLER_CONTROL_CLEAR_FAULT, 780, 60, 0));
	st = status_at(&s, SEC(5));
	ck_assert_uint_eq(st.fault_code, ROLLER_FAULT_NONE);
	ck_assert(!(st.status & ROLLER_STATUS_FAULT));
	ck_assert(st.status & ROLLER_STATUS_ENABLED);
	ck_assert_int_le(abs(st.travel_mm - 120), 1);
	ck_assert_uint_eq(s.sp.control & ROLLER_CONTROL_CLEAR_FAULT, 0); /* self-clearing */
}
END_TEST

START_TEST(test_offline)
{
	struct sim_chair s;
	struct roller_status st;
	struct roller_setpoints sp = setpoints(ROLLER_CONTROL_ENABLE, 300, 60, 0);

	chair_new(&s, 0.0);
	sim_chair_set_output(&s, 0, OUTPUT_MOTOR_POWER, true);
	sim_chair_set_offline(&s, 0, true);
	ck_assert_int_eq(sim_chair_roller_read(&s, SEC(1), &st), -EIO);
	ck_assert_int_eq(sim_chair_roller_write(&s, SEC(1), &sp), -EIO);
	ck_assert_uint_eq(s.sp.travel_target_mm, 0);
	sim_chair_set_offline(&s, SEC(5), false);
	st = status_at(&s, SEC(5));
	ck_assert_uint_eq(st.travel_mm, 0);
	ck_assert(!(st.status & ROLLER_STATUS_ENABLED));
}
END_TEST

static double stone(struct sim_chair *s, enum zone z)
{
	return sim_chair_find_pad(s, z)->t_stone;
}

START_TEST(test_pad_needs_master_and_relay)
{
	struct sim_chair s;

	chair_new(&s, 0.0);
	sim_chair_set_seated(&s, 0, false); /* no body heat: an unpowered pad stays at 24 °C */
	sim_chair_set_output(&s, 0, OUTPUT_HEAT_NECK, true);
	sim_chair_advance(&s, SEC(120));
	ck_assert_double_eq_tol(stone(&s, ZONE_NECK), 24.0, 1e-9);
	sim_chair_set_output(&s, SEC(120), OUTPUT_HEAT_NECK, false);
	sim_chair_set_output(&s, SEC(120), OUTPUT_HEAT_POWER, true);
	sim_chair_advance(&s, SEC(240));
	ck_assert_double_eq_tol(stone(&s, ZONE_NECK), 24.0, 1e-9);
	sim_chair_set_output(&s, SEC(240), OUTPUT_HEAT_NECK, true);
	ck_assert(sim_chair_pad_powered(&s, sim_chair_find_pad(&s, ZONE_NECK)));
	sim_chair_advance(&s, SEC(360));
	ck_assert_double_gt(stone(&s, ZONE_NECK), 35.0);
	ck_assert_double_eq_tol(stone(&s, ZONE_SHOULDERS), 24.0, 1e-9);
	ck_assert_double_eq_tol(stone(&s, ZONE_LOWER_BACK), 24.0, 1e-9);
}
END_TEST

START_TEST(test_pad_matches_plant)
{
	struct sim_chair s, stepped;
	struct sim_pad *pad;

	chair_new(&s, 0.0);
	sim_chair_set_output(&s, 0, OUTPUT_HEAT_POWER, true);
	sim_chair_set_output(&s, 0, OUTPUT_HEAT_SHOULDERS, true);
	stepped = s;
	sim_chair_advance(&s, SEC(300)); /* one call: the fast-forward path */
	pad = sim_chair_find_pad(&s, ZONE_SHOULDERS);
	ck_assert_double_eq_tol(pad->t_stone, PLANT_300S_STONE_SEATED, 0.2);
	ck_assert_double_eq_tol(pad->t_heater, PLANT_300S_ELEMENT_SEATED, 0.2);

	/* step by step (as the heater tick reads) lands on the same numbers */
	for (uint64_t t = MS(250); t <= SEC(300); t += MS(250))
		sim_chair_advance(&stepped, t);
	ck_assert_double_eq_tol(sim_chair_find_pad(&stepped, ZONE_SHOULDERS)->t_stone, pad->t_stone, 1e-6);
	ck_assert_double_eq_tol(sim_chair_find_pad(&stepped, ZONE_SHOULDERS)->t_sensor, pad->t_sensor, 1e-6);

	chair_new(&s, 0.0);
	sim_chair_set_seated(&s, 0, false);
	sim_chair_set_output(&s, 0, OUTPUT_HEAT_POWER, true);
	sim_chair_set_output(&s, 0, OUTPUT_HEAT_SHOULDERS, true);
	sim_chair_advance(&s, SEC(300));
	ck_assert_double_eq_tol(stone(&s, ZONE_SHOULDERS), PLANT_300S_STONE_EMPTY, 0.2);
}
END_TEST

START_TEST(test_heater_stuck_and_dead)
{
	struct sim_chair s;

	chair_new(&s, 0.0);
	sim_chair_set_seated(&s, 0, false);
	ck_assert_int_eq(sim_chair_set_pad_fault(&s, 0, ZONE_NECK, SIM_PAD_HEATER_STUCK, true), 0);
	ck_assert_int_eq(sim_chair_set_pad_fault(&s, 0, ZONE_LOWER_BACK, SIM_PAD_HEATER_DEAD, true), 0);
	ck_assert_int_eq(sim_chair_set_pad_fault(&s, 0, ZONE_UPPER_BACK, SIM_PAD_HEATER_DEAD, true), -ENOENT);
	sim_chair_advance(&s, SEC(120)); /* stuck, but the master relay cuts it */
	ck_assert_double_eq_tol(stone(&s, ZONE_NECK), 24.0, 1e-9);

	sim_chair_set_output(&s, SEC(120), OUTPUT_HEAT_POWER, true);
	sim_chair_set_output(&s, SEC(120), OUTPUT_HEAT_LOWER_BACK, true);
	sim_chair_advance(&s, SEC(420));
	ck_assert_double_gt(stone(&s, ZONE_NECK), 45.0);                 /* relay off, heats anyway */
	ck_assert_double_eq_tol(stone(&s, ZONE_LOWER_BACK), 24.0, 1e-9); /* dead */
	ck_assert(!sim_chair_pad_powered(&s, sim_chair_find_pad(&s, ZONE_LOWER_BACK)));
}
END_TEST

START_TEST(test_sensor_faults)
{
	struct sim_chair s;
	int16_t raw[TEMP_CHANNELS];

	chair_new(&s, 0.0);
	sim_chair_set_output(&s, 0, OUTPUT_HEAT_POWER, true);
	sim_chair_set_output(&s, 0, OUTPUT_HEAT_NECK, true);
	ck_assert_int_eq(sim_chair_temperatures_read(&s, SEC(300), raw), 0);
	ck_assert_int_gt(raw[0], 500); /* the neck pad, hot */

	sim_chair_set_pad_fault(&s, SEC(300), ZONE_NECK, SIM_PAD_SENSOR_DETACHED, true);
	ck_assert_int_eq(sim_chair_temperatures_read(&s, SEC(300), raw), 0);
	ck_assert_int_le(abs(raw[0] - 240), 2);
	sim_chair_set_pad_fault(&s, SEC(300), ZONE_NECK, SIM_PAD_SENSOR_DETACHED, false);

	sim_chair_set_pad_fault(&s, SEC(300), ZONE_SHOULDERS, SIM_PAD_SENSOR_OPEN, true);
	sim_chair_set_pad_fault(&s, SEC(300), ZONE_LOWER_BACK, SIM_PAD_SENSOR_SHORT, true);
	ck_assert_int_eq(sim_chair_temperatures_read(&s, SEC(301), raw), 0);
	ck_assert_int_gt(raw[0], 500);
	ck_assert_int_eq(raw[1], TEMP_SENTINEL_OPEN);
	ck_assert_int_eq(raw[2], TEMP_SENTINEL_SHORT);
	for (unsigned i = 3; i < TEMP_CHANNELS; i++)
		ck_assert_int_eq(raw[i], TEMP_SENTINEL_OPEN);
}
END_TEST

/* A frozen sensor repeats the reading it gave when frozen while the stone heats, and
 * reads the stone again once thawed. */
START_TEST(test_sensor_frozen)
{
	struct sim_chair s;
	int16_t raw[TEMP_CHANNELS], frozen;

	chair_new(&s, 0.0);
	sim_chair_set_output(&s, 0, OUTPUT_HEAT_POWER, true);
	sim_chair_set_output(&s, 0, OUTPUT_HEAT_NECK, true);
	ck_assert_int_eq(sim_chair_set_pad_fault(&s, SEC(60), ZONE_NECK, SIM_PAD_SENSOR_FROZEN, true), 0);
	ck_assert_int_eq(sim_chair_temperatures_read(&s, SEC(60), raw), 0);
	frozen = raw[0];
	ck_assert_int_gt(frozen, 245); /* the pad had begun to warm */
	for (unsigned i = 1; i <= 10; i++) {
		ck_assert_int_eq(sim_chair_temperatures_read(&s, SEC(60 + 30 * i), raw), 0);
		ck_assert_int_eq(raw[0], frozen);
	}
	/* freezing a frozen sensor again keeps the old value */
	ck_assert_int_eq(sim_chair_set_pad_fault(&s, SEC(360), ZONE_NECK, SIM_PAD_SENSOR_FROZEN, true), 0);
	ck_assert_int_eq(sim_chair_temperatures_read(&s, SEC(360), raw), 0);
	ck_assert_int_eq(raw[0], frozen);
	ck_assert_int_eq(sim_chair_set_pad_fault(&s, SEC(360), ZONE_NECK, SIM_PAD_SENSOR_FROZEN, false), 0);
	ck_assert_int_eq(sim_chair_temperatures_read(&s, SEC(360), raw), 0);
	ck_assert_int_gt(raw[0], frozen + 100); /* the hot stone, 10 °C and more above */
}
END_TEST

START_TEST(test_load_profile)
{
	struct sim_chair s;
	double back, neck, sum = 0, sum2 = 0, mean, x10 = 0, x90 = 0;
	unsigned shoulder = 600;
	const int n = 4000;

	chair_new(&s, 2.0);
	/* the body's force where the rollers are, relative to the person's shoulder line */
	ck_assert_double_eq(sim_chair_load_n(&s, 420, 8), sim_body_force_n(sim_chair_body(&s), 420.0 - shoulder, 8, 0));
	back = sim_chair_load_n(&s, shoulder - 36, 8);
	neck = sim_chair_load_n(&s, shoulder + 80, 8);
	ck_assert_double_ge(neck, 0.1 * back);
	ck_assert_double_le(neck, 0.35 * back);
	ck_assert_double_gt(sim_chair_load_n(&s, 420, 30) - sim_chair_load_n(&s, 420, 0), 100.0);

	/* a fall across the shoulder line, monotonic near it, 10–90 % within 8–35 mm, its
	 * middle on the line */
	for (double x = shoulder - 30, prev = back; x <= shoulder + 40; x += 1.0) {
		double l = sim_chair_load_n(&s, x, 8);

		if (fabs(x - shoulder) <= 15)
			ck_assert_double_lt(l, prev);
		if (l < neck + 0.9 * (back - neck) && x10 == 0)
			x10 = x;
		if (l < neck + 0.1 * (back - neck) && x90 == 0)
			x90 = x;
		prev = l;
	}
	ck_assert_double_ge(x90 - x10, 8.0);
	ck_assert_double_le(x90 - x10, 35.0);
	ck_assert_double_lt(fabs((x10 + x90) / 2 - shoulder), 5.0);

	/* noisy readings scatter around the true force with σ = the body's Noise
	 * ([Simulator] LoadNoise): the 0.1 N register is within its rounding */
	sim_chair_set_output(&s, 0, OUTPUT_MOTOR_POWER, true);
	write_at(&s, 0, setpoints(ROLLER_CONTROL_ENABLE, 450, 120, 8));
	ck_assert_double_eq(sim_chair_body(&s)->noise_n, 2.0);
	for (int i = 0; i < n; i++) {
		uint64_t t = SEC(10) + MS(i);
		double l = status_at(&s, t).load_dn / 10.0 - sim_chair_true_load_n(&s, t);

		sum += l;
		sum2 += l * l;
	}
	mean = sum / n;
	ck_assert_double_eq_tol(mean, 0.0, 0.15);
	ck_assert_double_eq_tol(sqrt(sum2 / n - mean * mean), 2.0, 0.2);

	sim_chair_set_seated(&s, SEC(20), false);
	ck_assert_double_eq(sim_chair_load_n(&s, 450, 8), 0.0);
	ck_assert_double_eq(sim_chair_true_load_n(&s, SEC(21)), 0.0);
}
END_TEST

START_TEST(test_idle_hour)
{
	struct sim_chair s;

	chair_new(&s, 2.0);
	sim_chair_advance(&s, SEC(3600));
	ck_assert_uint_eq(s.now_usec, SEC(3600));
	sim_chair_advance(&s, SEC(7 * 24 * 3600));
	/* a seated person warms the idle pads to the body/air balance (≈30.2 °C) */
	ck_assert_double_eq_tol(stone(&s, ZONE_NECK), 30.2, 0.1);
}
END_TEST

/* ---- the driver around it ---- */

struct input_event_log {
	unsigned n;
	enum chair_input input[8];
	bool active[8];
};

static void record_input(void *userdata, enum chair_input input, bool active)
{
	struct input_event_log *log = userdata;

	if (log->n < 8) {
		log->input[log->n] = input;
		log->active[log->n] = active;
	}
	log->n++;
}

START_TEST(test_names)
{
	for (int i = 0; i < _INPUT_MAX; i++)
		ck_assert_int_eq(chair_input_from_name(chair_input_name(i)), i);
	for (int o = 0; o < _OUTPUT_MAX; o++)
		ck_assert_int_eq(chair_output_from_name(chair_output_name(o)), o);
	ck_assert_str_eq(chair_input_name(INPUT_BTN_HEAT), "BTN_HEAT");
	ck_assert_str_eq(chair_output_name(OUTPUT_HEAT_LOWER_BACK), "HEAT_LOWER_BACK");
	ck_assert_int_eq(chair_input_from_name("estop"), INPUT_INVALID);
	ck_assert_int_eq(chair_output_from_name(NULL), OUTPUT_INVALID);
	ck_assert_ptr_null(chair_output_name(_OUTPUT_MAX));
}
END_TEST

START_TEST(test_sim_driver)
{
	struct chair_clock clock;
	struct chair_driver *d;
	struct input_event_log log = { 0 };
	struct massaged_config cfg;
	struct sim_config sim;
	struct roller_status st;
	int16_t raw[TEMP_CHANNELS];
	struct timespec ts;
	bool on;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	chair_clock_init(&clock, (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000, 1.0);
	config_init_defaults(&cfg);
	config_to_sim(&cfg, &sim);
	ck_assert_int_eq(sim_driver_new(&clock, &sim, &d), 0);
	chair_driver_set_input_handler(d, record_input, &log);

	sim_driver_set_estop(d, true);
	sim_driver_set_estop(d, true); /* no edge, no event */
	sim_driver_set_seated(d, false);
	sim_driver_press_button(d, INPUT_BTN_PAUSE);
	ck_assert_uint_eq(log.n, 4);
	ck_assert(log.input[0] == INPUT_ESTOP && log.active[0]);
	ck_assert(log.input[1] == INPUT_SEAT && !log.active[1]);
	ck_assert(log.input[2] == INPUT_BTN_PAUSE && log.active[2]);
	ck_assert(log.input[3] == INPUT_BTN_PAUSE && !log.active[3]);
	ck_assert_int_eq(d->ops->get_input(d, INPUT_ESTOP, &on), 0);
	ck_assert(on);
	ck_assert_int_eq(d->ops->get_input(d, INPUT_SEAT, &on), 0);
	ck_assert(!on);
	ck_assert_int_eq(d->ops->get_input(d, INPUT_BTN_POWER, &on), 0);
	ck_assert(!on);

	ck_assert_int_eq(d->ops->set_output(d, OUTPUT_LED, true), 0);
	ck_assert(sim_driver_chair(d)->outputs[OUTPUT_LED]);
	ck_assert_int_eq(d->ops->set_output(d, _OUTPUT_MAX, true), -EINVAL);

	ck_assert_int_eq(sim_driver_inject_fault(d, "sensor-open:neck", true), 0);
	ck_assert_int_eq(d->ops->temperatures_read(d, raw), 0);
	ck_assert_int_eq(raw[0], TEMP_SENTINEL_OPEN);
	ck_assert_int_eq(sim_driver_inject_fault(d, "sensor-short:lower-back", true), 0);
	ck_assert_int_eq(sim_driver_inject_fault(d, "heater-stuck:shoulders", true), 0);
	ck_assert_int_eq(sim_driver_inject_fault(d, "sensor-frozen:shoulders", true), 0);
	ck_assert(sim_chair_find_pad(sim_driver_chair(d), ZONE_SHOULDERS)->faults & SIM_PAD_SENSOR_FROZEN);
	ck_assert_int_eq(sim_driver_inject_fault(d, "sensor-detached:upper-back", true), -ENOENT);
	ck_assert_int_eq(sim_driver_inject_fault(d, "heater-dead:", true), -EINVAL);
	ck_assert_int_eq(sim_driver_inject_fault(d, "roller-melted", true), -EINVAL);
	ck_assert_int_eq(sim_driver_inject_fault(d, "roller-pinch", true), 0);
	ck_assert(sim_driver_chair(d)->pinch);
	ck_assert_int_eq(d->ops->roller_read(d, &st), 0);
	ck_assert_uint_eq(st.protocol, ROLLER_PROTOCOL);
	ck_assert_int_eq(sim_driver_inject_fault(d, "roller-offline", true), 0);
	ck_assert_int_eq(d->ops->roller_read(d, &st), -EIO);
	ck_assert_int_eq(sim_driver_inject_fault(d, "roller-offline", false), 0);
	ck_assert_int_eq(d->ops->roller_read(d, &st), 0);

	d->ops->free(d);
}
END_TEST

static Suite *sim_chair_suite(void)
{
	Suite *s = suite_create("sim-chair");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_initial_state);
	tcase_add_test(tc, test_travel_speed);
	tcase_add_test(tc, test_no_motion_without_power_or_enable);
	tcase_add_test(tc, test_park);
	tcase_add_test(tc, test_watchdog);
	tcase_add_test(tc, test_pinch);
	tcase_add_test(tc, test_offline);
	tcase_add_test(tc, test_pad_needs_master_and_relay);
	tcase_add_test(tc, test_pad_matches_plant);
	tcase_add_test(tc, test_heater_stuck_and_dead);
	tcase_add_test(tc, test_sensor_faults);
	tcase_add_test(tc, test_sensor_frozen);
	tcase_add_test(tc, test_load_profile);
	tcase_add_test(tc, test_idle_hour);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_sim_driver);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suite = sim_chair_suite();

	return check_run_tap(suite);
}
