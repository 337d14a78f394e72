/* SPDX-License-Identifier: MIT */
#pragma once

/* The soak: hours of chair time of massaged --simulate under random use, random
 * person events and injected faults, with every property checked against the
 * contract (docs/dbus-api.md, docs/safety-rules.md). soak.c drives and reports, soak-check.c checks
 * values, soak-faults.c injects faults and follows them to the end. */

#include <stdbool.h>
#include <stdint.h>

#include "../integration/harness.h"

#define HEATER_IFACE "org.massaged.Heater1"
#define N_PADS 3
#define MAX_TARGET_C 45.0 /* the built-in default: the soak runs without a config of its own */
#define OVERTEMP_TRIP_C (MAX_TARGET_C + 3.0)
#define MAX_PROGRAMS 32
#define MAX_CODES 32
#define MAX_VIOLATIONS 20
/* A call must be answered within this much wall time. */
#define CALL_DEADLINE_MS 1000

extern const char *const pad_zones[N_PADS];
extern const char *const pad_paths[N_PADS];

struct code_count {
	char code[40];
	unsigned injected, seen, cleared;
};

struct soak {
	struct harness h;
	double hours, scale;
	uint64_t seed, rng;
	bool verbose;

	sd_bus_slot *match_props, *match_signals;
	char programs[MAX_PROGRAMS][64];
	unsigned n_programs;

	/* time: ChairTime read at wall time chair_wall */
	uint64_t wall_start, chair_us, chair_wall;
	uint64_t next_check_us, next_action_us, next_episode_us, seat_return_us;

	/* what the bus told us last */
	char state[16];
	unsigned shoulder, session_limit, elapsed;
	bool seated;         /* as we set it */
	unsigned person_mm;  /* the simulated person's shoulder line */
	int adjust_mm;       /* the person's AdjustShoulder total as the daemon keeps it: a scan adds it */
	bool adjust_unknown; /* a scan ended at an end of the line's range: the daemon's total is not known here */

	/* sessions */
	uint64_t session_start_us; /* chair time of the last accepted start */
	unsigned limit_max;        /* highest SessionLimit since then */
	unsigned finished[6], started, worst_session_s;
	bool finished_pending;
	uint64_t finished_wall;
	char finished_reason[16];

	/* scans */
	bool scanning, scan_clean, scan_ended;
	char scan_end_state[16]; /* what the scan gave way to */
	unsigned scans, scans_checked, scan_worst_mm;

	/* faults */
	struct code_count codes[MAX_CODES];
	unsigned n_codes;
	bool in_episode;
	char raised[8][40]; /* FaultRaised codes since the episode began */
	unsigned n_raised;
	char cleared[8][40];
	unsigned n_cleared;
	bool overtemp_pad[N_PADS]; /* the pad was laid on something hot */
	unsigned episodes, unexpected_faults;

	/* calls */
	unsigned calls_ok, calls_refused;
	double call_worst_ms;

	/* memory */
	long rss_start_kb, rss_end_kb, rss_min_kb, rss_max_kb;

	/* checks */
	unsigned checks, signals_checked;
	double pad_worst_c;
	unsigned n_violations;
	char violations[MAX_VIOLATIONS][400];
	bool summary_printed;
};

/* soak.c */
uint64_t soak_random(struct soak *s);
unsigned soak_uniform(struct soak *s, unsigned n); /* 0..n-1 */
double soak_uniform_d(struct soak *s, double lo, double hi);
void soak_violation(struct soak *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Chair time now: ChairTime read afresh. */
uint64_t soak_chair_now(struct soak *s);
/* Dispatch bus traffic, run due checks, for at most wall_ms. */
void soak_pump(struct soak *s, unsigned wall_ms);
/* Pump until cond(s) holds or chair_s of chair time pass; returns cond's last value. */
bool soak_wait(struct soak *s, double chair_s, bool (*cond)(struct soak *s));
unsigned soak_wall_ms(const struct soak *s, double chair_s);

/* A method call. expect: NULL = must succeed; "ANY" = success or any error in
 * `allowed` (a comma-separated list of error names; NULL: any Chair1 error); else the
 * error name it must fail with. Returns 0 on success, -1 when refused. */
int soak_call(struct soak *s, const char *path, const char *iface, const char *member, const char *expect,
	      const char *allowed, const char *types, ...);
#define CHAIR(s, member, expect, allowed, ...) \
	soak_call((s), CHAIR_PATH, CHAIR_IFACE, (member), (expect), (allowed), __VA_ARGS__)
#define SIM(s, member, ...) soak_call((s), SIM_PATH, SIM_IFACE, (member), NULL, NULL, __VA_ARGS__)
/* A property as text (ring buffer string of the harness); a violation and "" if it fails. */
const char *soak_get(struct soak *s, const char *path, const char *iface, const char *name);

struct code_count *soak_code(struct soak *s, const char *code);

/* soak-check.c */
/* Match every PropertiesChanged and Chair1 signal of the daemon. */
int soak_check_attach(struct soak *s);
/* GetAll of Chair1 and every Heater1, the true pad temperatures and the outputs,
 * each checked against the contract. */
void soak_check_all(struct soak *s);
/* In State fault: every power output off. */
void soak_check_outputs_safe(struct soak *s, const char *why);
/* Simulator1's PadTemperature or Outputs entry for key (booleans as 0/1). */
double soak_sim_dict(struct soak *s, const char *property, const char *key);
/* VmRSS of the daemon in KiB, or -1. */
long soak_rss_kb(struct soak *s);

/* soak-faults.c */
/* Inject the next fault of a shuffled round of every kind, follow it to FaultRaised,
 * the safe state, refusals while it holds, its removal and ClearFault. */
void soak_fault_episode(struct soak *s);
/* A fault no episode injected: counted, a violation, then cleared. */
void soak_unexpected_fault(struct soak *s, const char *code);
