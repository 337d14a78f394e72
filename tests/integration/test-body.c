/* SPDX-License-Identifier: MIT */
/* The simulated person over Simulator1: SetBody, SetBodyPreset, ResetPeakLoad and the
 * properties Load, PeakLoad, Body and BodyPreset, and every refusal leaving them be. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "check-tap.h"
#include "harness.h"

#define BODY_SCALE 20

static double sim_double(struct harness *h, const char *file, int line, const char *name)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	double v = NAN;
	int r = sd_bus_get_property_trivial(h->bus, CHAIR_SERVICE, SIM_PATH, SIM_IFACE, name, &error, 'd', &v);

	if (r < 0)
		harness_fail(h, file, line, "Get %s: %s", name, error.message ? error.message : "failed");
	sd_bus_error_free(&error);
	return v;
}
#define H_SIM_D(h, name) sim_double((h), __FILE__, __LINE__, (name))

static const char *sim_string(struct harness *h, const char *file, int line, const char *name)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	const char *v = harness_get(h, SIM_PATH, SIM_IFACE, name, &error);

	if (!v)
		harness_fail(h, file, line, "Get %s: %s", name, error.message ? error.message : "failed");
	sd_bus_error_free(&error);
	return v;
}
#define H_SIM_S(h, name) sim_string((h), __FILE__, __LINE__, (name))

/* Body as "Name=value,..." (2 decimals) holds `entry`. */
static bool body_has(struct harness *h, const char *entry)
{
	const char *body = harness_get(h, SIM_PATH, SIM_IFACE, "Body", NULL);
	size_t n = strlen(entry);

	for (const char *at = body; at && (at = strstr(at, entry)); at += n)
		if ((at == body || at[-1] == ',') && (at[n] == ',' || at[n] == '\0'))
			return true;
	return false;
}
#define H_BODY_HAS(h, entry) H_ASSERT((h), body_has((h), (entry)), "Body lacks %s: %s", (entry), H_SIM_S((h), "Body"))

START_TEST(test_presets_and_set_body)
{
	struct harness h;
	double load;

	harness_start(&h, BODY_SCALE, NULL);
	/* the start: [Simulator] Body=average from the source tree, Noise LoadNoise's 2 N */
	H_ASSERT_STR_EQ(&h, H_SIM_S(&h, "BodyPreset"), "average");
	H_BODY_HAS(&h, "Weight=12.00");
	H_BODY_HAS(&h, "StiffnessUpperBack=2.50");
	H_BODY_HAS(&h, "Tension=1.00");
	H_BODY_HAS(&h, "Noise=2.00");
	load = H_SIM_D(&h, "Load");
	H_ASSERT(&h, load > 0.0, "no contact with the rollers at home");
	/* read later: the peak holds every force since, this one too */
	H_ASSERT(&h, H_SIM_D(&h, "PeakLoad") >= load, "PeakLoad below an earlier Load %.2f N", load);

	H_SIM(&h, "SetBodyPreset", "s", "large-soft");
	H_ASSERT_STR_EQ(&h, H_SIM_S(&h, "BodyPreset"), "large-soft");
	H_BODY_HAS(&h, "Weight=20.00");
	H_BODY_HAS(&h, "Contour=10.00");
	H_BODY_HAS(&h, "Noise=2.00"); /* the load cell's, the preset says nothing of it */

	H_SIM(&h, "SetBody", "a{sd}", 2, "Weight", 30.0, "Tension", 2.0);
	H_ASSERT_STR_EQ(&h, H_SIM_S(&h, "BodyPreset"), "");
	H_BODY_HAS(&h, "Weight=30.00");
	H_BODY_HAS(&h, "Tension=2.00");
	H_BODY_HAS(&h, "Contour=10.00"); /* the rest stays */

	/* a SetBody that changes nothing leaves the preset picked */
	H_SIM(&h, "SetBodyPreset", "s", "elderly");
	H_SIM(&h, "SetBody", "a{sd}", 1, "Weight", 9.0);
	H_ASSERT_STR_EQ(&h, H_SIM_S(&h, "BodyPreset"), "elderly");
	H_SIM(&h, "SetBody", "a{sd}", 0);
	H_ASSERT_STR_EQ(&h, H_SIM_S(&h, "BodyPreset"), "elderly");
	H_SIM(&h, "SetBody", "a{sd}", 1, "Noise", 0.0);
	H_ASSERT_STR_EQ(&h, H_SIM_S(&h, "BodyPreset"), "");
	H_BODY_HAS(&h, "Noise=0.00");
	harness_stop(&h);
}
END_TEST

/* A body whose load at the rollers' home differs by a lot with the shoulder height:
 * no breath, a deep curve, stiff, heavy. Shoulder at 300 mm: the rollers at the
 * thoracic curve's lower end; at 420 mm: in the lumbar hollow, the back away. */
static void set_contrast_body(struct harness *h)
{
	H_SIM(h, "SetBody", "a{sd}", 6, "Breathing", 0.0, "Contour", 30.0, "Weight", 400.0, "StiffnessLowerBack", 50.0,
	      "StiffnessUpperBack", 50.0, "Noise", 0.0);
}

START_TEST(test_peak_load)
{
	struct harness h;
	double high, low, peak;

	harness_start(&h, BODY_SCALE, NULL);
	H_SIM(&h, "SetShoulderHeight", "u", 300);
	set_contrast_body(&h);
	high = H_SIM_D(&h, "Load");
	H_ASSERT(&h, fabs(H_SIM_D(&h, "PeakLoad") - high) < 1.0,
		 "SetBody did not start PeakLoad at Load %.1f N: %.1f N", high, H_SIM_D(&h, "PeakLoad"));
	H_SIM(&h, "SetShoulderHeight", "u", 420);
	harness_pump(&h, harness_wall_ms(&h, 2));
	low = H_SIM_D(&h, "Load");
	peak = H_SIM_D(&h, "PeakLoad");
	(void)fprintf(stderr, "# contrast body: %.1f N at 300 mm, %.1f N at 420 mm, peak %.1f N\n", high, low, peak);
	H_ASSERT(&h, high > 200.0 && low < 0.3 * high, "no contrast: %.1f N, %.1f N", high, low);
	H_ASSERT(&h, fabs(peak - high) < 1.0, "PeakLoad %.1f N forgot the %.1f N before", peak, high);

	H_SIM(&h, "ResetPeakLoad", "");
	H_ASSERT(&h, fabs(H_SIM_D(&h, "PeakLoad") - low) < 1.0, "after ResetPeakLoad PeakLoad is %.1f N, Load %.1f N",
		 H_SIM_D(&h, "PeakLoad"), low);
	H_SIM(&h, "SetShoulderHeight", "u", 300);
	harness_pump(&h, harness_wall_ms(&h, 2));
	H_ASSERT(&h, fabs(H_SIM_D(&h, "PeakLoad") - high) < 1.0, "PeakLoad %.1f N missed the %.1f N back",
		 H_SIM_D(&h, "PeakLoad"), high);

	/* a preset starts the peak again, from the force then */
	H_SIM(&h, "SetShoulderHeight", "u", 420);
	H_SIM(&h, "SetBodyPreset", "s", "slim-bony");
	H_ASSERT(&h, H_SIM_D(&h, "PeakLoad") < 100.0, "SetBodyPreset kept PeakLoad %.1f N", H_SIM_D(&h, "PeakLoad"));
	harness_stop(&h);
}
END_TEST

/* Every refusal: the error names what and the allowed range, and Body, BodyPreset and
 * PeakLoad are as they were. */
START_TEST(test_refusals)
{
	struct harness h;
	const char *msg;
	char body[4096], preset[64];
	double peak;

	harness_start(&h, BODY_SCALE, NULL);
	H_SIM(&h, "SetShoulderHeight", "u", 300);
	set_contrast_body(&h);
	H_SIM(&h, "SetBodyPreset", "s", "slim-bony");
	H_SIM(&h, "SetBody", "a{sd}", 6, "Breathing", 0.0, "Contour", 30.0, "Weight", 400.0, "StiffnessLowerBack", 50.0,
	      "StiffnessUpperBack", 50.0, "Noise", 0.0);
	H_SIM(&h, "SetShoulderHeight", "u", 420);
	harness_pump(&h, harness_wall_ms(&h, 1));
	peak = H_SIM_D(&h, "PeakLoad");
	H_ASSERT(&h, peak > H_SIM_D(&h, "Load") + 100.0, "PeakLoad %.1f N no higher than Load", peak);
	(void)snprintf(body, sizeof(body), "%s", H_SIM_S(&h, "Body"));
	(void)snprintf(preset, sizeof(preset), "%s", H_SIM_S(&h, "BodyPreset"));

	msg = H_SIM_ERR(&h, ERROR_INVALID_ARGS, "SetBody", "a{sd}", 2, "Weight", 30.0, "Height", 180.0);
	H_ASSERT(&h, strstr(msg, "'Height'") && strstr(msg, "StiffnessNeck") && strstr(msg, "Noise"),
		 "unknown parameter: %s", msg);
	msg = H_SIM_ERR(&h, ERROR_INVALID_ARGS, "SetBody", "a{sd}", 2, "Tension", 2.0, "Weight", 1000.0);
	H_ASSERT(&h, strstr(msg, "Weight=1000 is out of range: use 0.5 to 400 N"), "Weight: %s", msg);
	msg = H_SIM_ERR(&h, ERROR_INVALID_ARGS, "SetBody", "a{sd}", 1, "BreathingPeriod", 0.0);
	H_ASSERT(&h, strstr(msg, "BreathingPeriod=0 is out of range: use 1 to 20 s"), "BreathingPeriod: %s", msg);
	msg = H_SIM_ERR(&h, ERROR_INVALID_ARGS, "SetBody", "a{sd}", 1, "StiffnessNeck", -1.0);
	H_ASSERT(&h, strstr(msg, "StiffnessNeck=-1 is out of range: use 0.1 to 50 N/mm"), "StiffnessNeck: %s", msg);
	msg = H_SIM_ERR(&h, ERROR_INVALID_ARGS, "SetBody", "a{sd}", 1, "Contour", NAN);
	H_ASSERT(&h, strstr(msg, "Contour=nan is out of range: use 0 to 30 mm"), "Contour: %s", msg);
	msg = H_SIM_ERR(&h, ERROR_INVALID_ARGS, "SetBodyPreset", "s", "giant");
	H_ASSERT(&h, strstr(msg, "'giant'") && strstr(msg, "average, elderly, large-soft, slim-bony"),
		 "unknown preset: %s", msg);
	msg = H_SIM_ERR(&h, ERROR_INVALID_ARGS, "SetBodyPreset", "s", "../config/bodies/average");
	H_ASSERT(&h, strstr(msg, "average, elderly, large-soft, slim-bony"), "a path for a preset: %s", msg);

	H_ASSERT_STR_EQ(&h, H_SIM_S(&h, "Body"), body);
	H_ASSERT_STR_EQ(&h, H_SIM_S(&h, "BodyPreset"), preset);
	H_ASSERT(&h, fabs(H_SIM_D(&h, "PeakLoad") - peak) < 1e-6, "a refused call moved PeakLoad %.1f -> %.1f N", peak,
		 H_SIM_D(&h, "PeakLoad"));
	harness_stop(&h);
}
END_TEST

/* [Simulator] Bodies= and Body=: the daemon starts as that preset from that directory;
 * a broken file there is named with its line. */
START_TEST(test_bodies_directory)
{
	struct harness h;
	char dir[512], path[600], config[700];
	const char *msg;

	harness_init(&h, NULL);
	(void)snprintf(dir, sizeof(dir), "%s/bodies", h.tmpdir);
	H_ASSERT(&h, mkdir(dir, 0755) == 0, "mkdir %s", dir);
	(void)snprintf(path, sizeof(path), "%s/quiet.body", dir);
	harness_write_file(&h, path, "# no noise at all\n[Body]\nWeight = 15\nNoise = 0\n");
	(void)snprintf(path, sizeof(path), "%s/broken.body", dir);
	harness_write_file(&h, path, "[Body]\nWeight = 15\nHeight = 180\n");
	(void)snprintf(config, sizeof(config), "[Simulator]\nBodies=%s\nBody=quiet\nLoadNoise=3\n", dir);
	harness_write_config(&h, config);
	harness_start_daemon(&h, BODY_SCALE);

	H_ASSERT_STR_EQ(&h, H_SIM_S(&h, "BodyPreset"), "quiet");
	H_BODY_HAS(&h, "Weight=15.00");
	H_BODY_HAS(&h, "Noise=0.00"); /* the preset's, over LoadNoise */
	msg = H_SIM_ERR(&h, "org.freedesktop.DBus.Error.Failed", "SetBodyPreset", "s", "broken");
	H_ASSERT(&h, strstr(msg, "broken.body:3: unknown key 'Height'"), "broken preset: %s", msg);
	msg = H_SIM_ERR(&h, ERROR_INVALID_ARGS, "SetBodyPreset", "s", "average");
	H_ASSERT(&h, strstr(msg, "use broken, quiet."), "presets of Bodies=: %s", msg);
	H_ASSERT_STR_EQ(&h, H_SIM_S(&h, "BodyPreset"), "quiet");
	harness_stop(&h);
}
END_TEST

/* The daemon's body scan finds the shoulder line on every shipped body, within the
 * 10 mm of test-scan.c's. */
START_TEST(test_scan_every_preset)
{
	static const char *const presets[] = { "average", "slim-bony", "large-soft", "elderly" };
	static const unsigned heights[] = { 470, 690 };
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		for (size_t k = 0; k < sizeof(heights) / sizeof(heights[0]); k++) {
			unsigned found;

			H_SIM(&h, "SetBodyPreset", "s", presets[i]);
			H_SIM(&h, "SetShoulderHeight", "u", heights[k]);
			harness_clear_history(&h);
			H_CALL(&h, "Scan", "");
			if (!harness_seen(&h, "State", "scanning") &&
			    !harness_try_wait_property(&h, "State", "scanning", 1000))
				harness_fail(&h, __FILE__, __LINE__, "State never read scanning after Scan()");
			H_WAIT_PROP(&h, "State", "idle", SCAN_TIMEOUT_MS(&h));
			found = H_PROP_U(&h, "ShoulderHeight");
			(void)fprintf(stderr, "# %s, shoulder line at %u mm: scan found %u mm\n", presets[i],
				      heights[k], found);
			H_ASSERT(&h, found + 10 >= heights[k] && found <= heights[k] + 10,
				 "%s: scan found the shoulder line at %u mm, the person's is at %u mm", presets[i],
				 found, heights[k]);
		}
	harness_stop(&h);
}
END_TEST

static Suite *body_suite(void)
{
	Suite *s = suite_create("body");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_presets_and_set_body);
	tcase_add_test(tc, test_peak_load);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_bodies_directory);
	tcase_add_test(tc, test_scan_every_preset);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(body_suite());
}
