/* SPDX-License-Identifier: MIT */
/* The textbook baseline of docs/heater-bench.md: a PID tuned by the relay
 * method, "3D-printer style" (Marlin's M303). Deliberately plain: nothing here knows
 * the plant, and nothing is tuned beyond the classic rules. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "line-protocol.h"
#include "textbook-pid.h"

#define RELAY_D 0.5             /* relay amplitude, duty units: duty = 0.5 ± 0.5 */
#define RELAY_MIN_HALF_S 5.0    /* as M303: no relay switch within 5 s of the last (noise) */
#define RELAY_CYCLES 5          /* full relay cycles measured */
#define RELAY_AVERAGED 3        /* the last ones, averaged, give a and Tu */
#define AUTOTUNE_LIMIT_S 7000.0 /* give up after this long */
#define DERIV_FILTER_N 10.0     /* derivative filter time constant Td / N */

struct tuning {
	double kp; /* duty per °C */
	double ki; /* duty per °C·s */
	double kd; /* duty·s per °C */
	double ku; /* ultimate gain, duty per °C (for the record) */
	double tu; /* ultimate period, s (for the record) */
};

static int neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

/* ---- PID ---- */

struct pid {
	struct tuning k;
	double integral; /* duty */
	double deriv;    /* filtered derivative term, duty */
	double prev_t, prev_reading;
	bool have_prev;
};

static void pid_reset(struct pid *p)
{
	p->integral = 0.0;
	p->deriv = 0.0;
	p->have_prev = false;
}

static double clamp01(double u)
{
	return u < 0.0 ? 0.0 : u > 1.0 ? 1.0 : u;
}

/* One sample: error = target - reading. Returns the duty, 0..1. */
static double pid_step(struct pid *p, double t, double reading, double target)
{
	double e, u;

	if (!(target > 0.0)) { /* off */
		pid_reset(p);
		return 0.0;
	}
	e = target - reading;
	if (p->have_prev && t > p->prev_t) {
		double dt = t - p->prev_t;
		/* Derivative on measurement, through a first-order low-pass of time constant
		 * Tf = Td/N, N = 10 (backward Euler):
		 *   D = (Tf·D - Kd·(y - y_prev)) / (Tf + dt) */
		double tf = p->k.kp > 0.0 ? p->k.kd / p->k.kp / DERIV_FILTER_N : 0.0;

		p->deriv = (tf * p->deriv - p->k.kd * (reading - p->prev_reading)) / (tf + dt);
		/* Clamping anti-windup: do not integrate while the output is saturated in the
		 * direction the error pushes it. */
		u = p->k.kp * e + p->integral + p->deriv;
		if (!((u >= 1.0 && e > 0.0) || (u <= 0.0 && e < 0.0)))
			p->integral += p->k.ki * e * dt;
	}
	p->prev_t = t;
	p->prev_reading = reading;
	p->have_prev = true;
	return clamp01(p->k.kp * e + p->integral + p->deriv);
}

/* ---- Relay experiment ---- */

struct relay {
	bool started;  /* a target has arrived */
	bool relaying; /* past the first heat-up */
	bool on;
	bool in_cycle; /* a full cycle (from a switch on) is being measured */
	double target, t0, t_switch, t_cycle, hi, lo;
	int cycles;
	double period[RELAY_CYCLES], amplitude[RELAY_CYCLES];
};

/* One sample. Returns 0 with *ret_duty set, 1 when the experiment is complete, or
 * negative errno. */
static int relay_step(struct relay *r, double t, double reading, double target, double *ret_duty)
{
	if (!r->started) {
		if (!(target > 0.0)) { /* wait for a target, heater off */
			*ret_duty = 0.0;
			return 0;
		}
		r->started = true;
		r->target = target;
		r->t0 = t;
	}
	if (target != r->target) {
		fprintf(stderr, "textbook-pid: target changed from %g to %g during the autotune\n", r->target, target);
		return -ECANCELED;
	}
	if (t - r->t0 > AUTOTUNE_LIMIT_S) {
		fprintf(stderr, "textbook-pid: relay autotune gave up after %.0f s (%d of %d cycles)\n", t - r->t0,
			r->cycles, RELAY_CYCLES);
		return -ETIME;
	}

	if (!r->relaying) { /* full power until the reading crosses the target */
		if (reading > r->target) {
			r->relaying = true;
			r->on = false;
			r->t_switch = t;
		}
	} else {
		if (r->in_cycle) {
			r->hi = fmax(r->hi, reading);
			r->lo = fmin(r->lo, reading);
		}
		if (r->on && reading > r->target && t - r->t_switch >= RELAY_MIN_HALF_S) {
			r->on = false;
			r->t_switch = t;
		} else if (!r->on && reading < r->target && t - r->t_switch >= RELAY_MIN_HALF_S) {
			r->on = true;
			r->t_switch = t;
			if (r->in_cycle) { /* a full cycle ends where the next begins */
				r->period[r->cycles] = t - r->t_cycle;
				r->amplitude[r->cycles] = (r->hi - r->lo) / 2.0;
				if (++r->cycles == RELAY_CYCLES)
					return 1;
			}
			r->in_cycle = true;
			r->t_cycle = t;
			r->hi = r->lo = reading;
		}
	}
	*ret_duty = !r->relaying || r->on ? 0.5 + RELAY_D : 0.5 - RELAY_D;
	return 0;
}

/* Classic Ziegler–Nichols PID from the last cycles of a complete experiment. */
static int relay_tuning(const struct relay *r, struct tuning *ret)
{
	double a = 0.0, tu = 0.0, ku;

	for (int i = RELAY_CYCLES - RELAY_AVERAGED; i < RELAY_CYCLES; i++) {
		a += r->amplitude[i] / RELAY_AVERAGED;
		tu += r->period[i] / RELAY_AVERAGED;
	}
	if (!(a > 0.0) || !(tu > 0.0)) {
		fprintf(stderr, "textbook-pid: relay experiment measured a = %g, Tu = %g\n", a, tu);
		return -ERANGE;
	}
	ku = 4.0 * RELAY_D / (M_PI * a);
	*ret = (struct tuning) {
		.kp = 0.6 * ku,
		.ki = 0.6 * ku / (tu / 2.0), /* Ti = Tu/2 */
		.kd = 0.6 * ku * (tu / 8.0), /* Td = Tu/8 */
		.ku = ku,
		.tu = tu,
	};
	fprintf(stderr, "textbook-pid: a = %.3f °C, Tu = %.1f s: Ku = %.4g, Kp = %.4g, Ki = %.4g, Kd = %.4g\n", a, tu,
		ku, ret->kp, ret->ki, ret->kd);
	return 0;
}

/* ---- Tuning file ---- */

static int tuning_save(const char *path, const struct tuning *k)
{
	char tmp[PATH_MAX];
	FILE *f;
	int r;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return neg_errno();
	errno = 0;
	fprintf(f, "[TextbookPID]\nKp=%.17g\nKi=%.17g\nKd=%.17g\nKu=%.17g\nTu=%.17g\n", k->kp, k->ki, k->kd, k->ku,
		k->tu);
	if (ferror(f) || fflush(f) != 0 || fsync(fileno(f)) < 0) {
		r = neg_errno();
		fclose(f);
		unlink(tmp);
		return r;
	}
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		r = neg_errno();
		unlink(tmp);
		return r;
	}
	return 0;
}

static int tuning_load(const char *path, struct tuning *ret)
{
	struct tuning k = { .kp = NAN, .ki = NAN, .kd = NAN, .ku = NAN, .tu = NAN };
	char line[256];
	bool in_section = false;
	FILE *f;
	int r = 0;

	f = fopen(path, "r");
	if (!f)
		return neg_errno();
	while (fgets(line, sizeof(line), f)) {
		char name[8];
		double v;
		int end = 0;

		if (line[strspn(line, " \t\r\n")] == '\0' || line[0] == '#' || line[0] == ';')
			continue;
		if (line[0] == '[') {
			in_section = strncmp(line, "[TextbookPID]", 13) == 0;
			continue;
		}
		if (!in_section)
			continue;
		if (sscanf(line, " %7[A-Za-z] = %lf %n", name, &v, &end) != 2 || line[end] != '\0' || !isfinite(v) ||
		    v < 0.0) {
			r = -EBADMSG;
			break;
		}
		if (strcmp(name, "Kp") == 0)
			k.kp = v;
		else if (strcmp(name, "Ki") == 0)
			k.ki = v;
		else if (strcmp(name, "Kd") == 0)
			k.kd = v;
		else if (strcmp(name, "Ku") == 0)
			k.ku = v;
		else if (strcmp(name, "Tu") == 0)
			k.tu = v;
	}
	if (r == 0 && ferror(f))
		r = -EIO;
	fclose(f);
	if (r == 0 && (isnan(k.kp) || isnan(k.ki) || isnan(k.kd)))
		r = -EBADMSG; /* Kp, Ki, Kd are required; Ku, Tu are only the record */
	if (r == 0)
		*ret = k;
	return r;
}

/* ---- The cosimulation ---- */

static int cosim_autotune(FILE *in, FILE *out, const char *save_path)
{
	struct relay relay = { 0 };
	struct tuning k;
	double t, reading, target, duty;
	int r;

	if (!save_path) {
		fprintf(stderr, "textbook-pid: autotune needs a file to save the tuning to\n");
		return -EINVAL;
	}
	for (;;) {
		r = cosim_read(in, &t, &reading, &target);
		if (r == 0) {
			fprintf(stderr, "textbook-pid: input ended before the relay autotune finished\n");
			return -ENODATA;
		}
		if (r < 0) {
			fprintf(stderr, "textbook-pid: bad line from the plant: %s\n", strerror(-r));
			return r;
		}
		r = relay_step(&relay, t, reading, target, &duty);
		if (r < 0)
			return r;
		if (r > 0)
			break;
		r = cosim_write(out, duty);
		if (r < 0) {
			fprintf(stderr, "textbook-pid: writing the duty: %s\n", strerror(-r));
			return r;
		}
	}
	r = relay_tuning(&relay, &k);
	if (r < 0)
		return r;
	r = tuning_save(save_path, &k);
	if (r < 0) {
		fprintf(stderr, "textbook-pid: saving the tuning to %s: %s\n", save_path, strerror(-r));
		return r;
	}
	return 0;
}

static int cosim_control(FILE *in, FILE *out, const char *load_path)
{
	struct pid pid = { 0 };
	double t, reading, target;
	int r;

	if (!load_path) {
		fprintf(stderr, "textbook-pid: no tuning to load (run the autotune first)\n");
		return -EINVAL;
	}
	r = tuning_load(load_path, &pid.k);
	if (r < 0) {
		fprintf(stderr, "textbook-pid: loading the tuning from %s: %s\n", load_path, strerror(-r));
		return r;
	}
	for (;;) {
		r = cosim_read(in, &t, &reading, &target);
		if (r == 0)
			return 0;
		if (r < 0) {
			fprintf(stderr, "textbook-pid: bad line from the plant: %s\n", strerror(-r));
			return r;
		}
		r = cosim_write(out, pid_step(&pid, t, reading, target));
		if (r < 0) {
			fprintf(stderr, "textbook-pid: writing the duty: %s\n", strerror(-r));
			return r;
		}
	}
}

int textbook_pid_cosim(FILE *in, FILE *out, bool autotune, const char *save_path, const char *load_path)
{
	return autotune ? cosim_autotune(in, out, save_path) : cosim_control(in, out, load_path);
}
