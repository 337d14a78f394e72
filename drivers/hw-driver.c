/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "chair-bus.h"
#include "clock.h"
#include "hw-driver.h"
#include "log.h"

/* A coil or roller write that failed is tried again from the event loop until it
 * lands or a newer one replaces it: the safe state's writes must not be lost to a
 * request that timed out, nor to another device's timeout in the same iteration.
 *
 * The relay board's coils are confirmed by reading them back: after every write, and
 * every COIL_READBACK_USEC while one may be closed, so that a board that falls silent
 * with a pad relay closed is noticed although nothing changes. Each check tells the
 * relay handler how long the coils have gone unconfirmed; the daemon judges that. */
#define RETRY_NEXT_ITERATION_USEC 1000ULL
#define RETRY_SILENT_USEC (100 * 1000ULL)
#define COIL_READBACK_USEC (100 * 1000ULL)

struct hw_driver {
	struct chair_driver base; /* first: a struct chair_driver * is a struct hw_driver * */
	struct chair_driver *lines;
	bool lines_simulated;
	struct chair_bus *bus;
	struct hardware_config hw;
	sd_event *event;
	sd_event_source *retry;
	uint8_t coils_bound;   /* bit per coil an output is bound to */
	uint8_t coils_pending; /* bit per coil whose last write the board did not take */
	bool coil_wanted[RELAY_COILS];
	bool coils_confirmed;        /* read back as driven, and nothing written since */
	uint64_t coils_checked_usec; /* when last confirmed, or first written after that */
	bool roller_pending;
	struct roller_setpoints roller_wanted;
	bool readback_first; /* whose turn it is to go first in on_retry() */
};

static struct hw_driver *to_hw(struct chair_driver *d)
{
	return (struct hw_driver *)d;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata);

/* An earlier retry already armed stays: a coil of the safe state waiting for the next
 * iteration is never pushed back behind a silent device's 100 ms. */
static void retry_in(struct hw_driver *h, uint64_t delay)
{
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

static void retry_later(struct hw_driver *h, int r)
{
	retry_in(h, r == -EAGAIN ? RETRY_NEXT_ITERATION_USEC : RETRY_SILENT_USEC);
}

static bool coil_may_be_closed(const struct hw_driver *h)
{
	for (unsigned coil = 0; coil < RELAY_COILS; coil++)
		if ((h->coils_bound & (1u << coil)) && (h->coil_wanted[coil] || (h->coils_pending & (1u << coil))))
			return true;
	return false;
}

static int coil_write(struct hw_driver *h, unsigned coil, bool on)
{
	int r;

	if (h->coils_confirmed) {
		h->coils_confirmed = false;
		h->coils_checked_usec = monotonic_usec(); /* the board's time to confirm starts now */
	}
	r = chair_bus_coil_write(h->bus, coil, on);
	h->coil_wanted[coil] = on;
	if (r < 0) {
		h->coils_pending |= (uint8_t)(1u << coil);
		retry_later(h, r);
		return -EINPROGRESS;
	}
	h->coils_pending &= (uint8_t)(~(1u << coil));
	retry_in(h, RETRY_NEXT_ITERATION_USEC); /* to read it back */
	return 0;
}

/* Read the coils back: confirmed when each bound coil is as driven; one that is not is
 * written again. Returns 0 when confirmed. */
static int coils_read_back(struct hw_driver *h)
{
	bool on[RELAY_COILS];
	int r;

	r = chair_bus_coils_read(h->bus, on);
	if (r < 0) {
		h->coils_confirmed = false; /* unconfirmed since the last confirmation */
		retry_later(h, r);
		return r;
	}
	for (unsigned coil = 0; coil < RELAY_COILS; coil++)
		if ((h->coils_bound & (1u << coil)) && on[coil] != h->coil_wanted[coil])
			h->coils_pending |= (uint8_t)(1u << coil);
	if (h->coils_pending) {
		h->coils_confirmed = false;
		retry_in(h, RETRY_NEXT_ITERATION_USEC);
		return -EIO;
	}
	h->coils_confirmed = true;
	h->coils_checked_usec = monotonic_usec();
	if (coil_may_be_closed(h))
		retry_in(h, COIL_READBACK_USEC);
	return 0;
}

static int coils_write_pending(struct hw_driver *h)
{
	uint8_t pending = h->coils_pending;

	for (unsigned coil = 0; coil < RELAY_COILS; coil++)
		if (pending & (1u << coil))
			(void)coil_write(h, coil, h->coil_wanted[coil]);
	return h->coils_pending ? -EINPROGRESS : 0;
}

static void coils_report(struct hw_driver *h)
{
	uint64_t unconfirmed = h->coils_confirmed ? 0 : monotonic_usec() - h->coils_checked_usec;

	if (h->base.on_relay)
		h->base.on_relay(h->base.relay_userdata, unconfirmed);
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

/* Read the coils back when one may be closed or they are not yet confirmed. */
static void coils_check(struct hw_driver *h)
{
	if (h->coils_bound && !h->coils_pending && (!h->coils_confirmed || coil_may_be_closed(h)))
		(void)coils_read_back(h);
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct hw_driver *h = userdata;
	bool readback_first = h->readback_first;

	/* A pending coil write (the safe state's) goes first. The coils' read-back and the
	 * roller write then take turns going first: on a slow link one request fills the
	 * iteration's budget, and neither may starve the other (the roller board's
	 * watchdog, the relay board's confirmation); a silent roller board's timeout
	 * leaves the read-back every other turn. */
	h->readback_first = !h->readback_first;
	if (h->coils_bound && coils_write_pending(h) < 0)
		readback_first = false; /* nothing to confirm before the write lands */
	else if (readback_first)
		coils_check(h);
	if (h->roller_pending)
		(void)roller_write(h, &h->roller_wanted);
	if (!readback_first)
		coils_check(h);
	if (h->coils_bound)
		coils_report(h); /* last: the handler may drive outputs */
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

static int hw_relay_confirm(struct chair_driver *d)
{
	struct hw_driver *h = to_hw(d);
	int r;

	if (!h->coils_bound)
		return 0;
	r = coils_write_pending(h);
	if (r < 0)
		return r;
	return coils_read_back(h);
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
			 chair_bus_name(h->bus), (unsigned long long)st->requests, (unsigned long long)st->failures,
			 (unsigned long long)st->timeouts, (unsigned long long)st->reconnects,
			 (unsigned long long)st->deferred, (double)st->longest_iteration_wait_usec / 1000.0);
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
	.relay_confirm = hw_relay_confirm,
};

int hw_driver_new(const struct hardware_config *hw, sd_event *event, struct chair_driver *lines, bool lines_simulated,
		  struct chair_driver **ret)
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
	h->coils_confirmed = true; /* nothing written yet */
	for (int o = 0; o < _OUTPUT_MAX; o++)
		if (hw->outputs[o].kind == SIGNAL_COIL)
			h->coils_bound |= (uint8_t)(1u << hw->outputs[o].coil);
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
