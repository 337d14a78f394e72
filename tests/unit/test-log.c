/* SPDX-License-Identifier: MIT */
/* The journal entries of log_event(): MESSAGE_ID, MASSAGED_EVENT and the fields. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check-tap.h"
#include "log.h"

/* The entry's fields joined by '\n', for comparison. */
static const char *entry_text(const struct log_entry *e)
{
	static char buf[4096];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < e->n_iov; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%.*s\n", (int)e->iov[i].iov_len,
					(const char *)e->iov[i].iov_base);
	return buf;
}

/* The README's list: every event, its name and MESSAGE_ID (a change breaks the
 * journalctl filters people wrote, so it must be deliberate). */
static const struct {
	enum log_event event;
	const char *name, *id;
} documented[] = {
	{ LOG_EVENT_FAULT_RAISED, "fault-raised", "2d4cb4dd9ccb49199fa49b2e7ef2fc45" },
	{ LOG_EVENT_FAULT_CLEARED, "fault-cleared", "f007c76b7faa47b7b9665a304b6e6447" },
	{ LOG_EVENT_PROGRAM_STARTED, "program-started", "2bb914c63ba349f78e8e6a4d50d038fb" },
	{ LOG_EVENT_PROGRAM_FINISHED, "program-finished", "34f7eb5b45ee40c3959bc25a16c421f1" },
	{ LOG_EVENT_PAUSED, "paused", "33ba33630b77446ca444a2913fc952cb" },
	{ LOG_EVENT_RESUMED, "resumed", "46ac08c7d4e54e1a8a6d8866e598da6d" },
	{ LOG_EVENT_SEAT_EMPTY_PAUSE, "seat-empty-pause", "b643d54b059d47bc9a2aac4a4021ca33" },
	{ LOG_EVENT_SCAN_STARTED, "scan-started", "5d3bb354268442dea1c37e2c638d3b04" },
	{ LOG_EVENT_SCAN_FINISHED, "scan-finished", "cb1f1a5e8b924464b0d2de394c09cab0" },
	{ LOG_EVENT_AUTOTUNE_STARTED, "autotune-started", "645ffbaa19074fc187b0cb8095b71bd5" },
	{ LOG_EVENT_AUTOTUNE_FINISHED, "autotune-finished", "3a685263e4e4420f9967ab9c662a567a" },
	{ LOG_EVENT_AUTOTUNE_FAILED, "autotune-failed", "3e35b264c0924ee382f6da5eeda210e7" },
	{ LOG_EVENT_AUTOTUNE_ABANDONED, "autotune-abandoned", "d4b69d694dc74aa2abbbaa06a434ddb2" },
	{ LOG_EVENT_HEAT_ON, "heat-on", "5cc1c146955040dcb9963ffcc112b0c2" },
	{ LOG_EVENT_HEAT_OFF, "heat-off", "a99423274df14752972505b0ac14ba46" },
	{ LOG_EVENT_HEAT_STOPPED, "heat-stopped", "e8bcf280072840a1ba21d98e75f9d9a1" },
	{ LOG_EVENT_HEAT_DOSE_SPENT, "heat-dose-spent", "5793445ea8744abe866f26165ebceece" },
	{ LOG_EVENT_HEAT_LOCKOUT, "heat-lockout", "a4f4b8dd343e44e39949a813b432bb05" },
	{ LOG_EVENT_HEAT_LOCKOUT_RESET, "heat-lockout-reset", "35151ab67bf045119d6162ad848e37a0" },
	{ LOG_EVENT_CONFIG_RELOADED, "config-reloaded", "156ca8e9d81c4724adcec0ff8c203cd9" },
	{ LOG_EVENT_CONFIG_RELOAD_FAILED, "config-reload-failed", "efa25b40107e404884c6036e9de1c195" },
	{ LOG_EVENT_BUS_LOST, "bus-lost", "eff91574ce76483a97f9ffb1e0807b70" },
	{ LOG_EVENT_OVER_FORCE, "over-force", "afa97b69a57341599460e24f19be5dbd" },
	{ LOG_EVENT_GENTLE_ON, "gentle-on", "c364c0dde5484fa3902be206022caf3a" },
	{ LOG_EVENT_GENTLE_OFF, "gentle-off", "d615e577d2944e32b978035e67d3ef99" },
};

START_TEST(test_every_event_documented)
{
	ck_assert_uint_eq(sizeof(documented) / sizeof(documented[0]), _LOG_EVENT_MAX);
	for (size_t i = 0; i < sizeof(documented) / sizeof(documented[0]); i++) {
		struct log_entry e;
		char want[256];

		log_entry_build(&e, LOG_INFO, documented[i].event, NULL, "m");
		(void)snprintf(want, sizeof(want), "PRIORITY=6\nMESSAGE_ID=%s\nMASSAGED_EVENT=%s\nMESSAGE=m\n",
			       documented[i].id, documented[i].name);
		ck_assert_str_eq(entry_text(&e), want);
	}
}
END_TEST

/* 128-bit ids in systemd's form, each its own; names in kebab case, each its own. */
START_TEST(test_ids_and_names_well_formed)
{
	for (int i = 0; i < _LOG_EVENT_MAX; i++) {
		const char *id = log_event_message_id((enum log_event)i), *name = log_event_name((enum log_event)i);

		ck_assert_uint_eq(strlen(id), 32);
		for (const char *p = id; *p; p++)
			ck_assert_msg(isxdigit((unsigned char)*p) && !isupper((unsigned char)*p), "%s", id);
		for (const char *p = name; *p; p++)
			ck_assert_msg(islower((unsigned char)*p) || *p == '-', "%s", name);
		for (int j = 0; j < i; j++) {
			ck_assert_str_ne(id, log_event_message_id((enum log_event)j));
			ck_assert_str_ne(name, log_event_name((enum log_event)j));
		}
	}
	ck_assert_ptr_null(log_event_name(_LOG_EVENT_MAX));
}
END_TEST

START_TEST(test_fields)
{
	struct log_entry e;

	log_entry_build(&e, LOG_WARNING, LOG_EVENT_FAULT_RAISED,
			LOG_FIELDS(.fault = "overtemp:neck", .zone = "neck", LOG_TEMPERATURE(49.04)),
			"fault overtemp:neck: hot");
	ck_assert_str_eq(entry_text(&e),
			 "PRIORITY=4\nMESSAGE_ID=2d4cb4dd9ccb49199fa49b2e7ef2fc45\n"
			 "MASSAGED_EVENT=fault-raised\nMASSAGED_FAULT=overtemp:neck\nMASSAGED_ZONE=neck\n"
			 "MASSAGED_TEMPERATURE=49.0\nMESSAGE=fault overtemp:neck: hot\n");

	log_entry_build(&e, LOG_INFO, LOG_EVENT_PROGRAM_FINISHED, LOG_FIELDS(.program = "full", .reason = "timeout"),
			"Program full finished");
	ck_assert_str_eq(entry_text(&e),
			 "PRIORITY=6\nMESSAGE_ID=34f7eb5b45ee40c3959bc25a16c421f1\n"
			 "MASSAGED_EVENT=program-finished\nMASSAGED_PROGRAM=full\nMASSAGED_REASON=timeout\n"
			 "MESSAGE=Program full finished\n");

	/* a temperature not known (a fault with no reading) is left out, as is 0 unset */
	log_entry_build(&e, LOG_WARNING, LOG_EVENT_FAULT_RAISED, LOG_FIELDS(.fault = "estop", LOG_TEMPERATURE(NAN)),
			"fault estop");
	ck_assert_ptr_null(strstr(entry_text(&e), "TEMPERATURE"));
	log_entry_build(&e, LOG_INFO, LOG_EVENT_HEAT_OFF, LOG_FIELDS(.zone = "neck"), "off");
	ck_assert_ptr_null(strstr(entry_text(&e), "TEMPERATURE"));
	log_entry_build(&e, LOG_INFO, LOG_EVENT_HEAT_ON, LOG_FIELDS(.zone = "neck", LOG_TEMPERATURE(0.0)), "on");
	ck_assert_ptr_nonnull(strstr(entry_text(&e), "MASSAGED_TEMPERATURE=0.0\n"));

	/* who is in the chair: the profile in use, left out when none ("" or NULL) */
	log_entry_build(&e, LOG_INFO, LOG_EVENT_PROGRAM_STARTED, LOG_FIELDS(.program = "neck", .profile = "Åsa Berg"),
			"started");
	ck_assert_str_eq(entry_text(&e),
			 "PRIORITY=6\nMESSAGE_ID=2bb914c63ba349f78e8e6a4d50d038fb\n"
			 "MASSAGED_EVENT=program-started\nMASSAGED_PROGRAM=neck\nMASSAGED_PROFILE=Åsa Berg\n"
			 "MESSAGE=started\n");
	log_entry_build(&e, LOG_INFO, LOG_EVENT_PAUSED, LOG_FIELDS(.program = "neck", .profile = ""), "paused");
	ck_assert_ptr_null(strstr(entry_text(&e), "PROFILE"));

	/* a plain message: no event fields */
	log_entry_build(&e, LOG_DEBUG, _LOG_EVENT_MAX, NULL, "just words");
	ck_assert_str_eq(entry_text(&e), "PRIORITY=7\nMESSAGE=just words\n");
}
END_TEST

/* A message longer than the entry's room is cut, never overrun; the fields stay. */
START_TEST(test_long_message_cut)
{
	static char big[8192];
	struct log_entry e;

	memset(big, 'x', sizeof(big) - 1);
	log_entry_build(&e, LOG_INFO, LOG_EVENT_PAUSED, LOG_FIELDS(.program = "full"), big);
	ck_assert_uint_eq(e.n_iov, 5);
	ck_assert_uint_le(e.used, sizeof(e.text));
	ck_assert_int_eq(strncmp(e.iov[4].iov_base, "MESSAGE=xxx", 11), 0);
	ck_assert_str_eq(entry_text(&e) + strlen(entry_text(&e)) - 4, "xxx\n");
}
END_TEST

/* --log-level of massaged and massaged-mqtt: a bad name says what is expected and
 * changes nothing; a good one is the level from then on. */
START_TEST(test_level_option)
{
	FILE *out = tmpfile();
	char text[512] = "";
	int saved = dup(STDERR_FILENO);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_ge(dup2(fileno(out), STDERR_FILENO), 0);
	ck_assert_int_eq(log_set_level_option("loud"), -EINVAL);
	log_msg(LOG_INFO, "still at info");
	ck_assert_int_eq(log_set_level_option("warning"), 0);
	log_msg(LOG_INFO, "hidden at warning");
	log_msg(LOG_WARNING, "shown at warning");
	log_set_max_level(LOG_INFO);
	(void)fflush(stderr);
	ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
	(void)close(saved);
	rewind(out);
	(void)fread(text, 1, sizeof(text) - 1, out);
	(void)fclose(out);
	ck_assert_ptr_nonnull(strstr(text, "--log-level 'loud': expected err, warning, notice, info or debug"));
	ck_assert_ptr_nonnull(strstr(text, "still at info"));
	ck_assert_ptr_null(strstr(text, "hidden at warning"));
	ck_assert_ptr_nonnull(strstr(text, "shown at warning"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("log");

	CHECK_ADD_TEST(s, test_every_event_documented, 10);
	CHECK_ADD_TEST(s, test_ids_and_names_well_formed, 10);
	CHECK_ADD_TEST(s, test_fields, 10);
	CHECK_ADD_TEST(s, test_long_message_cut, 10);
	CHECK_ADD_TEST(s, test_level_option, 10);
	return check_run_tap(s);
}
