/* SPDX-License-Identifier: MIT */
/* tools/chair-sim's person: --body, and the body, body-preset, load and peak commands,
 * with the LOAD register a master reads following the body. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../check-tap.h"
#include "harness.h"

/* docs/hardware.md: the roller board */
#define ROLLER 1
#define CONTROL 0
#define CONTROL_ENABLE 0x1
#define TRAVEL_POS 2
#define DEPTH_POS 3
#define LOAD 7

/* The number after `prefix ` in the command's reply line. */
static double reply_number(struct sim *s, const char *file, int line, const char *cmd)
{
	const char *reply = sim_command_at(s, file, line, "%s", cmd);
	size_t n = strlen(cmd);
	char *end;
	double v;

	if (strncmp(reply, cmd, n) != 0 || reply[n] != ' ')
		sim_fail(s, file, line, "'%s' answered '%s'", cmd, reply);
	v = strtod(reply + n + 1, &end);
	if (end == reply + n + 1)
		sim_fail(s, file, line, "'%s' answered '%s'", cmd, reply);
	return v;
}
#define S_LOAD(s) reply_number((s), __FILE__, __LINE__, "load")
#define S_PEAK(s) reply_number((s), __FILE__, __LINE__, "peak")

/* The body line holds `entry` as a whole word. */
static bool body_has(struct sim *s, const char *file, int line, const char *entry)
{
	const char *body = sim_command_at(s, file, line, "body");
	size_t n = strlen(entry);

	for (const char *at = body; (at = strstr(at, entry)); at += n)
		if (at[-1] == ' ' && (at[n] == ' ' || at[n] == '\0'))
			return true;
	return false;
}
#define S_BODY_HAS(s, entry) \
	S_ASSERT((s), body_has((s), __FILE__, __LINE__, (entry)), "body lacks %s: %s", (entry), (s)->reply)

/* The rollers to travel_mm and depth_mm (no watchdog), waiting until they are there. */
static void rollers_to(struct sim *s, modbus_t *m, uint16_t travel_mm, uint16_t depth_mm)
{
	uint64_t deadline = sim_now_usec() + 5000000;
	uint16_t pos[2] = { 0, 0 };
	/* CONTROL, TRAVEL_TARGET, TRAVEL_SPEED, KNEAD_SPEED, KNEAD_DIR, TAP_RATE, DEPTH, WIDTH, WATCHDOG */
	const uint16_t regs[] = { CONTROL_ENABLE, travel_mm, 120, 0, 0, 0, depth_mm, 120, 0 };

	S_MB_OK(s, modbus_write_registers(m, CONTROL, 9, regs), 9);
	while (pos[0] != travel_mm || pos[1] != depth_mm) {
		S_ASSERT(s, sim_now_usec() < deadline, "the rollers stopped at %u mm, depth %u mm", pos[0], pos[1]);
		sim_pause_ms(10);
		S_MB_OK(s, modbus_read_input_registers(m, TRAVEL_POS, 2, pos), 2);
	}
}

START_TEST(test_body_option_and_commands)
{
	const char *const args[] = { "--body", "slim-bony", "--time-scale", "10", NULL };
	double deep, shallow, load, peak;
	const char *err;
	uint16_t reg;
	struct sim s;
	modbus_t *m;

	sim_start(&s, false, args);
	S_BODY_HAS(&s, "Weight=8");
	S_BODY_HAS(&s, "BonyStiffness=5");
	S_BODY_HAS(&s, "Noise=2"); /* [Simulator] LoadNoise: the preset says nothing of it */
	S_BODY_HAS(&s, "preset=slim-bony");

	/* no noise: the LOAD register is the true force, to its 0.1 N */
	S_CMD(&s, "body Noise=0");
	S_BODY_HAS(&s, "preset=");
	m = S_MASTER(&s, ROLLER);
	rollers_to(&s, m, 420, 30);
	deep = S_LOAD(&s);
	S_MB_OK(&s, modbus_read_input_registers(m, LOAD, 1, &reg), 1);
	S_ASSERT(&s, fabs(reg / 10.0 - deep) < 3.0, "LOAD reads %.1f N, the true force is %.1f N", reg / 10.0, deep);
	S_ASSERT(&s, deep > 100.0, "only %.1f N at 30 mm on a slim, bony back", deep);

	/* the peak holds it after the rollers come back */
	rollers_to(&s, m, 420, 5);
	shallow = S_LOAD(&s);
	peak = S_PEAK(&s);
	(void)fprintf(stderr, "# slim-bony at 420 mm: %.1f N at 30 mm, %.1f N at 5 mm, peak %.1f N\n", deep, shallow,
		      peak);
	S_ASSERT(&s, shallow < 0.5 * deep && peak >= deep - 1e-3, "load %.1f N, peak %.1f N after %.1f N", shallow,
		 peak, deep);
	S_CMD(&s, "peak reset");
	S_ASSERT(&s, S_PEAK(&s) < 0.5 * deep, "peak %.1f N after peak reset", S_PEAK(&s));

	/* tension: the same depth presses harder, and the body is no preset any more */
	load = S_LOAD(&s);
	S_CMD(&s, "body Tension=3 Weight=20");
	S_BODY_HAS(&s, "Tension=3");
	S_BODY_HAS(&s, "Weight=20");
	S_ASSERT(&s, S_LOAD(&s) > 1.5 * load, "Tension=3: %.1f N, before %.1f N", S_LOAD(&s), load);

	/* all or nothing */
	err = S_CMD_ERR(&s, "body Weight=30 Height=180");
	S_ASSERT(&s, strstr(err, "Unknown body parameter 'Height'") && strstr(err, "StiffnessNeck"), "error: %s", err);
	err = S_CMD_ERR(&s, "body Tension=1 Weight=1000");
	S_ASSERT(&s, strstr(err, "Weight=1000 is out of range: use 0.5 to 400 N"), "error: %s", err);
	err = S_CMD_ERR(&s, "body Weight");
	S_ASSERT(&s, strstr(err, "not NAME=VALUE"), "error: %s", err);
	err = S_CMD_ERR(&s, "body Weight=heavy");
	S_ASSERT(&s, strstr(err, "not a number"), "error: %s", err);
	S_BODY_HAS(&s, "Weight=20");
	S_BODY_HAS(&s, "Tension=3");

	/* presets by name, from the shipped ones */
	S_CMD(&s, "body-preset elderly");
	S_BODY_HAS(&s, "preset=elderly");
	S_BODY_HAS(&s, "Weight=9");
	S_BODY_HAS(&s, "Tension=1");
	S_BODY_HAS(&s, "Noise=0"); /* the load cell's stays */
	err = S_CMD_ERR(&s, "body-preset giant");
	S_ASSERT(&s, strstr(err, "average, elderly, large-soft, slim-bony"), "error: %s", err);
	S_BODY_HAS(&s, "preset=elderly");
	err = S_CMD_ERR(&s, "peak now");
	S_ASSERT(&s, strstr(err, "peak reset"), "error: %s", err);
	sim_stop(&s);
}
END_TEST

START_TEST(test_body_file_and_refusals)
{
	char path[64] = "/tmp/chair-sim-body-XXXXXX", config[64] = "/tmp/chair-sim-conf-XXXXXX";
	const char *args[] = { "--tcp", "0", "--body", path, NULL };
	struct sim s = { 0 };
	FILE *f;
	int fd, status;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	(void)fputs("# a test person\n[Body]\nWeight = 33\nContour = 0\n", f);
	ck_assert_int_eq(fclose(f), 0);
	sim_start(&s, true, ((const char *const[]) { "--body", path, NULL }));
	S_BODY_HAS(&s, "Weight=33");
	S_BODY_HAS(&s, "Contour=0");
	S_BODY_HAS(&s, "StiffnessNeck=1.2"); /* the rest: the average body's */
	S_BODY_HAS(&s, "preset=");
	sim_stop(&s);

	/* a broken file, a missing one, an unknown preset: chair-sim does not start */
	f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	(void)fputs("[Body]\nWeight = 33\nHeight = 180\n", f);
	ck_assert_int_eq(fclose(f), 0);
	status = sim_run(&s, args);
	S_ASSERT(&s, WIFEXITED(status) && WEXITSTATUS(status) != 0, "exit status 0x%x", (unsigned)status);
	S_ASSERT(&s, strstr(s.reply, ":3: unknown key 'Height'"), "stderr: %s", s.reply);
	(void)unlink(path);
	status = sim_run(&s, args);
	S_ASSERT(&s, WIFEXITED(status) && WEXITSTATUS(status) != 0, "exit status 0x%x", (unsigned)status);
	S_ASSERT(&s, strstr(s.reply, "cannot open"), "stderr: %s", s.reply);
	status = sim_run(&s, ((const char *const[]) { "--tcp", "0", "--body", "giant", NULL }));
	S_ASSERT(&s, WIFEXITED(status) && WEXITSTATUS(status) != 0, "exit status 0x%x", (unsigned)status);
	S_ASSERT(&s, strstr(s.reply, "giant.body"), "stderr: %s", s.reply);
	sim_cleanup(&s);

	/* without the bodies' directory (a copy of the binaries alone): the average body is
	 * built in, the others are not */
	fd = mkstemp(config);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	(void)fputs("[Simulator]\nBodies=/nonexistent/bodies\n", f);
	ck_assert_int_eq(fclose(f), 0);
	sim_start(&s, true, ((const char *const[]) { "--config", config, NULL }));
	S_BODY_HAS(&s, "preset=average");
	S_BODY_HAS(&s, "Weight=12");
	sim_stop(&s);
	status = sim_run(&s, ((const char *const[]) { "--tcp", "0", "--config", config, "--body", "elderly", NULL }));
	S_ASSERT(&s, WIFEXITED(status) && WEXITSTATUS(status) != 0, "exit status 0x%x", (unsigned)status);
	S_ASSERT(&s, strstr(s.reply, "/nonexistent/bodies/elderly.body"), "stderr: %s", s.reply);
	sim_cleanup(&s);
	(void)unlink(config);
}
END_TEST

static Suite *chair_sim_body_suite(void)
{
	Suite *s = suite_create("chair-sim-body");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_body_option_and_commands);
	tcase_add_test(tc, test_body_file_and_refusals);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(chair_sim_body_suite());
}
