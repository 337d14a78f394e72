/* SPDX-License-Identifier: MIT */
#pragma once

/* The session and fault events massaged logs with journal fields, each with a fixed
 * MESSAGE_ID (generated once with `systemd-id128 new`; never change one: operators
 * filter on them with `journalctl MESSAGE_ID=...`). README "Journal" lists them. */
#define LOG_EVENTS(X) \
	X(FAULT_RAISED, "fault-raised", "2d4cb4dd9ccb49199fa49b2e7ef2fc45") \
	X(FAULT_CLEARED, "fault-cleared", "f007c76b7faa47b7b9665a304b6e6447") \
	X(PROGRAM_STARTED, "program-started", "2bb914c63ba349f78e8e6a4d50d038fb") \
	X(PROGRAM_FINISHED, "program-finished", "34f7eb5b45ee40c3959bc25a16c421f1") \
	X(PAUSED, "paused", "33ba33630b77446ca444a2913fc952cb") \
	X(RESUMED, "resumed", "46ac08c7d4e54e1a8a6d8866e598da6d") \
	X(SEAT_EMPTY_PAUSE, "seat-empty-pause", "b643d54b059d47bc9a2aac4a4021ca33") \
	X(SCAN_STARTED, "scan-started", "5d3bb354268442dea1c37e2c638d3b04") \
	X(SCAN_FINISHED, "scan-finished", "cb1f1a5e8b924464b0d2de394c09cab0") \
	X(AUTOTUNE_STARTED, "autotune-started", "645ffbaa19074fc187b0cb8095b71bd5") \
	X(AUTOTUNE_FINISHED, "autotune-finished", "3a685263e4e4420f9967ab9c662a567a") \
	X(AUTOTUNE_FAILED, "autotune-failed", "3e35b264c0924ee382f6da5eeda210e7") \
	X(AUTOTUNE_ABANDONED, "autotune-abandoned", "d4b69d694dc74aa2abbbaa06a434ddb2") \
	X(HEAT_ON, "heat-on", "5cc1c146955040dcb9963ffcc112b0c2") \
	X(HEAT_OFF, "heat-off", "a99423274df14752972505b0ac14ba46") \
	X(HEAT_STOPPED, "heat-stopped", "e8bcf280072840a1ba21d98e75f9d9a1") \
	X(HEAT_DOSE_SPENT, "heat-dose-spent", "5793445ea8744abe866f26165ebceece") \
	X(HEAT_LOCKOUT, "heat-lockout", "a4f4b8dd343e44e39949a813b432bb05") \
	X(HEAT_LOCKOUT_RESET, "heat-lockout-reset", "35151ab67bf045119d6162ad848e37a0") \
	X(CONFIG_RELOADED, "config-reloaded", "156ca8e9d81c4724adcec0ff8c203cd9") \
	X(CONFIG_RELOAD_FAILED, "config-reload-failed", "efa25b40107e404884c6036e9de1c195") \
	X(BUS_LOST, "bus-lost", "eff91574ce76483a97f9ffb1e0807b70") \
	X(OVER_FORCE, "over-force", "afa97b69a57341599460e24f19be5dbd") \
	X(GENTLE_ON, "gentle-on", "c364c0dde5484fa3902be206022caf3a") \
	X(GENTLE_OFF, "gentle-off", "d615e577d2944e32b978035e67d3ef99")

enum log_event {
#define LOG_EVENT_ENUM(name, text, id) LOG_EVENT_##name,
	LOG_EVENTS(LOG_EVENT_ENUM)
#undef LOG_EVENT_ENUM
	_LOG_EVENT_MAX,
};
