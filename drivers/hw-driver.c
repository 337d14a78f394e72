/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "chair-bus.h"
#include "hw-driver.h"
#include "log.h"

/* A coil or roller write that failed is tried again from the event loop until it
 * lands or a newer one replaces it: the safe state's writes must not be lost to a
 * request that timed out, nor to another device's timeout in the same iteration. */
#define RETRY_NEXT_ITERATION_USEC 1000ULL
#define RETRY_SILENT_USEC (100 * 1000ULL)

struct hw_driver {
	struct chair_driver base; /* first: a struct chair_driver * is a struct hw_driver * */
	struct chair_driver *lines;
	bool lines_simulated;
	struct chair_bus *bus;
	struct hardware_config hw;
	sd_event *event;
	sd_event_source *retry;
	uint8_t coils_pending;        /* bit per coil */
	bool coil_wanted[RELAY_COILS];
	bool roller_pending;
	struct roller_setpoints roller_wanted;
};

static struct hw_driver *to_hw(struct chair_driver *d)
{
	return (struct hw_driver *)d;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata);

/* An earlier retry already armed stays: a coil of the safe state waiting for the next
 * iteration is never pushed back behind a silent device's 100 ms. */
static void retry_later(struct hw_driver *h, int r)
{
	uint64_t delay = r == -EAGAIN ? RETRY_NEXT_ITERATION_USEC : RETRY_SILENT_USEC;
	uint64_t now, armed;
	int enabled = SD_EVENT_OFF;

	if (!h->event)
		return;
	if (!h->retry) {
		/* at the bus's priority (NORMAL): with every device silent the retries would
		 * otherwise take every iteration, one timeout each, and the bus none */
		if (sd_event_add_time_relative(h->event, &h->retry, CLOCK_MONOTONIC, delay, 0, on_retry, h) >= 0)
			(void)sd_event_source_set_description(h->retry, "modbus-retry");
		return;
	}
	(void)sd_event_source_get_enabled(h->retry, &enabled);
	if (enabled != SD_EVENT_OFF && sd_event_now(h->event, CLOCK_MONOTONIC, &now) >= 0 &&
	    sd_event_source_get_time(h->retry, &armed) >= 0 && armed <= now + delay)
		return;
	(void)sd_event_source_set_time_relative(h->retry, delay);
	(void)sd_event_source_set_enabled(h->retry, SD_EVENT_ONESHOT);
}

static int coil_write(struct hw_driver *h, unsigned coil, bool on)
{
	int r = chair_bus_coil_write(h->bus, coil, on);

	h->coil_wanted[coil] = on;
	if (r < 0) {
		h->coils_pending |= (uint8_t)(1u << coil);
		retry_later(h, r);
	} else {
		h->coils_pending &= (uint8_t)~(1u << coil);
	}
	return r;
}

static int roller_write(struct hw_driver *h, const struct roller_setpoints *sp)
{
	int r = chair_bus_roller_write(h->bus, sp);

	h->roller_pending = r < 0;
	h->roller_wanted = *sp;
	if (r < 0)
		retry_later(h, r);
	return r;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct hw_driver *h = userdata;
	uint8_t pending = h->coils_pending;

	for (unsigned coil = 0; coil < RELAY_COILS; coil++)
		if (pending & (1u << coil))
			(void)coil_write(h, coil, h->coil_wanted[coil]);
	if (h->roller_pending)
		(void)roller_write(h, &h->roller_wanted);
	return 0;
}

static int hw_set_output(struct chair_driver *d, enum chair_output o, bool active)
{
	struct hw_driver *h = to_hw(d);
	const struct signal_binding *b;
	int r = 0;

	if (o < 0 || o >= _OUTPUT_MAX)
		return -EINVAL;
	b = &h->hw.outputs[o];
	if (b->kind == SIGNAL_COIL)
		r = coil_write(h, b->coil, active != b->active_low);
	if (b->kind == SIGNAL_GPIO)
		r = h->lines->ops->set_output(h->lines, o, active);
	else if (h->lines_simulated)
		(void)h->lines->ops->set_output(h->lines, o, active); /* Simulator1 shows every output */
	return r;
}

static int hw_get_input(struct chair_driver *d, enum chair_input i, bool *ret_active)
{
	struct hw_driver *h = to_hw(d);

	if (i < 0 || i >= _INPUT_MAX)
		return -EINVAL;
	if (h->hw.inputs[i].kind != SIGNAL_GPIO && !h->lines_simulated) {
		*ret_active = false;
		return 0;
	}
	return h->lines->ops->get_input(h->lines, i, ret_active);
}

static int hw_roller_write(struct chair_driver *d, const struct roller_setpoints *sp)
{
	return roller_write(to_hw(d), sp);
}

static int hw_roller_read(struct chair_driver *d, struct roller_status *ret)
{
	return chair_bus_roller_read(to_hw(d)->bus, ret);
}

static int hw_temperatures_read(struct chair_driver *d, int16_t ret_raw[TEMP_CHANNELS])
{
	return chair_bus_temperatures_read(to_hw(d)->bus, ret_raw);
}

static void hw_free(struct chair_driver *d)
{
	struct hw_driver *h = to_hw(d);

	if (!h)
		return;
	if (h->bus) {
		const struct modbus_link_stats *st = chair_bus_stats(h->bus);

		chair_bus_leaving_loop(h->bus);
		for (int o = 0; o < _OUTPUT_MAX; o++)
			(void)hw_set_output(d, (enum chair_output)o, false);
		log_info("Modbus %s: %llu requests, %llu failed (%llu timed out), %llu connections, "
			 "%llu deferred to a later loop iteration; longest wait in one loop iteration %.1f ms",
			 chair_bus_name(h->bus), (unsigned long long)st->requests,
			 (unsigned long long)st->failures, (unsigned long long)st->timeouts,
			 (unsigned long long)st->reconnects, (unsigned long long)st->deferred,
			 (double)st->longest_iteration_wait_usec / 1000.0);
	}
	if (h->lines)
		h->lines->ops->free(h->lines);
	chair_bus_free(h->bus);
	sd_event_source_disable_unref(h->retry);
	sd_event_unref(h->event);
	free(h);
}

static void on_line_input(void *userdata, enum chair_input input, bool active)
{
	struct hw_driver *h = userdata;

	if (h->base.on_input)
		h->base.on_input(h->base.userdata, input, active);
}

static const struct chair_driver_ops hw_driver_ops = {
	.name = "hardware",
	.free = hw_free,
	.set_output = hw_set_output,
	.get_input = hw_get_input,
	.roller_write = hw_roller_write,
	.roller_read = hw_roller_read,
	.temperatures_read = hw_temperatures_read,
};

int hw_driver_new(const struct hardware_config *hw, sd_event *event, struct chair_driver *lines,
		  bool lines_simulated, struct chair_driver **ret)
{
	struct hw_driver *h = calloc(1, sizeof(*h));
	int r;

	if (!h) {
		lines->ops->free(lines);
		return -ENOMEM;
	}
	h->base.ops = &hw_driver_ops;
	h->lines = lines;
	h->lines_simulated = lines_simulated;
	h->hw = *hw;
	h->event = event ? sd_event_ref(event) : NULL;
	chair_driver_set_input_handler(lines, on_line_input, h);
	r = chair_bus_new(&hw->modbus, event, &h->bus);
	if (r < 0) {
		hw_free(&h->base);
		return r;
	}
	*ret = &h->base;
	return 0;
}
