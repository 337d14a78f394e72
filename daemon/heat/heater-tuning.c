/* SPDX-License-Identifier: MIT */
/* A pad's tuning lifecycle: its autotune result loaded from the state directory at
 * start, an autotune's finish (the new model applied and saved), and a loaded model that
 * the pad refutes (back to the cautious defaults). */
#include <errno.h>
#include <stdio.h>

#include "context.h"
#include "heat-autotune-summary.h"
#include "heater-internal.h"
#include "log.h"
#include "state-file.h"
#include "state-writer.h"

static void tuning_path(const struct context *c, const struct heater *h, char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s/heater-%s.tune", c->state_dir, zone_to_string(h->zone));
}

void heater_apply_model(struct heater *h)
{
	const struct massaged_config *cfg = &h->context->config;

	/* both were validated: by heat_tuning_load() or as the built-in defaults */
	(void)heat_control_init(&h->control, &h->tuning.model, seconds(HEAT_TICK_CHAIR_USEC));
	(void)heat_model_check_init(&h->model_check, &h->tuning.model, seconds(HEAT_TICK_CHAIR_USEC), h->tuned);
	heat_protect_init(&h->protect, h->max_target_c, &h->tuning.model);
	relay_pwm_init(&h->pwm, cfg->relay_cycle_s, cfg->relay_min_on_s, cfg->relay_min_off_s);
}

void heater_load_tuning(struct heater *h)
{
	char path[512], err[HEAT_TUNING_ERROR_MAX];
	int r;

	heat_model_default(&h->tuning.model);
	h->tuned = false;
	tuning_path(h->context, h, path, sizeof(path));
	(void)state_file_remove_stale(path);
	r = heat_tuning_load(path, &h->tuning, err);
	if (r == -ENOENT)
		log_info("The %s pad has no autotune result yet: using cautious defaults", zone_to_string(h->zone));
	else if (r < 0) {
		log_warning("Ignoring the %s pad's autotune result: %s; using cautious defaults",
			    zone_to_string(h->zone), err);
		heat_model_default(&h->tuning.model);
	} else
		h->tuned = true;
}

static void tuning_written(void *userdata, const char *path, int r, uint64_t duration_usec)
{
	struct heater *h = userdata;

	(void)duration_usec;
	if (r < 0)
		(void)log_errno(r,
				"Failed to save the %s pad's autotune result to %s; it holds until "
				"massaged restarts",
				zone_to_string(h->zone), path);
}

void heater_autotune_finish(struct heater *h, double t, double reading)
{
	struct heat_tuning result;
	double x[HEAT_X_N];
	char path[512], summary[HEAT_AUTOTUNE_SUMMARY_MAX], *text;
	size_t size;
	int r;

	r = heat_autotune_result(h->autotune, &result);
	if (r < 0) {
		log_event(LOG_WARNING, LOG_EVENT_AUTOTUNE_FAILED, LOG_FIELDS(.zone = zone_to_string(h->zone)),
			  "Autotune of the %s pad failed: %s", zone_to_string(h->zone),
			  heat_autotune_error(h->autotune));
		(void)snprintf(h->autotune_error, sizeof(h->autotune_error), "%s", heat_autotune_error(h->autotune));
		h->autotune = heat_autotune_free(h->autotune);
		return;
	}
	r = heat_autotune_state(h->autotune, x);
	h->autotune = heat_autotune_free(h->autotune);
	h->tuning = result;
	h->tuned = true;
	heater_apply_model(h);
	/* the element is still hot from the hold: the estimate starts where the model says
	 * it is, or the stone's warming on would look like a welded relay */
	heat_control_restart(&h->control, t, reading, r == 0 ? x[HEAT_X_ELEMENT] : reading + result.model.gain_c);
	/* the autotune itself refuses an implausible fit: IMPLAUSIBLE here is a bug */
	r = heat_autotune_summary(&result, summary, sizeof(summary));
	log_event(r < 0 ? LOG_WARNING : LOG_INFO, LOG_EVENT_AUTOTUNE_FINISHED,
		  LOG_FIELDS(.zone = zone_to_string(h->zone)), "Autotune of the %s pad done in %.0f s: %s",
		  zone_to_string(h->zone), result.duration_s, summary);
	tuning_path(h->context, h, path, sizeof(path));
	text = heat_tuning_format(&result, &size);
	r = text ? state_writer_submit(h->context->state_writer, path, text, size, tuning_written, h) : -ENOMEM;
	if (r < 0)
		tuning_written(h, path, r, 0);
}

/* The pad does not do what its tuned model predicts: heat on the cautious defaults from
 * this reading on, the element assumed hot so the controller coasts until the readings
 * show otherwise. The dose given so far stays. */
void heater_model_refuted(struct heater *h, double t, double reading)
{
	const char *zone = zone_to_string(h->zone);
	char path[512];

	tuning_path(h->context, h, path, sizeof(path));
	log_warning("The %s pad does not behave as its autotune result %s says: after %.0f s of heating the "
		    "reading is %+.1f °C off the model's prediction (tolerance %.1f °C). Using cautious "
		    "defaults from now on; run Autotune again.",
		    zone, path, h->model_check.heated_s, h->model_check.residual, h->model_check.tolerance);
	heat_model_default(&h->tuning.model);
	h->tuned = false;
	(void)heat_control_init(&h->control, &h->tuning.model, seconds(HEAT_TICK_CHAIR_USEC));
	heat_control_restart(&h->control, t, reading, reading + h->tuning.model.gain_c);
	heat_protect_set_model(&h->protect, &h->tuning.model);
}
