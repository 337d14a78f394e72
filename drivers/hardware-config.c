/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hardware-config.h"
#include "macro.h"

/* docs/hardware.md: inputs are active low; the emergency stop and the remote's buttons
 * have pull-ups; outputs are active high. */
enum signal_bias hardware_default_bias(enum chair_input i)
{
	return i == INPUT_SEAT ? BIAS_AS_IS : BIAS_PULL_UP;
}

void hardware_config_init_defaults(struct hardware_config *hw)
{
	memset(hw, 0, sizeof(*hw));
	(void)snprintf(hw->gpio_chip, sizeof(hw->gpio_chip), "gpiochip0");
	hw->debounce_ms = 20;
	for (int i = 0; i < _INPUT_MAX; i++) {
		struct signal_binding *b = &hw->inputs[i];

		b->kind = SIGNAL_GPIO;
		(void)snprintf(b->line, sizeof(b->line), "%s", chair_input_name((enum chair_input)i));
		b->active_low = true;
		b->bias = hardware_default_bias((enum chair_input)i);
	}
	for (int o = 0; o < _OUTPUT_MAX; o++) {
		struct signal_binding *b = &hw->outputs[o];

		b->kind = SIGNAL_GPIO;
		(void)snprintf(b->line, sizeof(b->line), "%s", chair_output_name((enum chair_output)o));
	}
	for (int z = 0; z < _ZONE_MAX; z++)
		hw->sensor_channel[z] = -1;

	hw->modbus = (struct modbus_config) {
		.transport = MODBUS_TRANSPORT_RTU,
		.device = "/dev/ttyAMA0",
		.baud = 115200,
		.parity = 'E',
		.data_bits = 8,
		.stop_bits = 1,
		.host = "",
		.port = 502,
		.timeout_ms = 50,
		.startup_wait_s = 60,
		.roller_slave = 1,
		.temp_slave = 2,
		.relay_slave = 3,
	};
}

static int signal_expected(bool output, char *expected, size_t size)
{
	(void)snprintf(expected, size, "%s",
		       output ? "gpio:LINE or coil:0..7, then optionally active-low or active-high; or none"
			      : "gpio:LINE, then optionally active-low or active-high and pull-up, "
				"pull-down or no-pull (inputs are GPIO lines: the Modbus devices have "
				"no digital inputs)");
	return -EINVAL;
}

static int parse_option(const char *w, bool output, struct signal_binding *b)
{
	if (strcmp(w, "active-low") == 0)
		b->active_low = true;
	else if (strcmp(w, "active-high") == 0)
		b->active_low = false;
	else if (!output && strcmp(w, "pull-up") == 0)
		b->bias = BIAS_PULL_UP;
	else if (!output && strcmp(w, "pull-down") == 0)
		b->bias = BIAS_PULL_DOWN;
	else if (!output && strcmp(w, "no-pull") == 0)
		b->bias = BIAS_NONE;
	else
		return -EINVAL;
	return 0;
}

int signal_binding_parse(const char *value, bool output, enum signal_bias default_bias, struct signal_binding *ret,
			 char *expected, size_t size)
{
	struct signal_binding b = { .active_low = !output, .bias = output ? BIAS_AS_IS : default_bias };
	char buf[160], *save = NULL, *w;

	if (strlen(value) >= sizeof(buf))
		return signal_expected(output, expected, size);
	memcpy(buf, value, strlen(value) + 1);
	w = strtok_r(buf, " \t", &save);
	if (!w)
		return signal_expected(output, expected, size);
	if (strcmp(w, "none") == 0) {
		if (strtok_r(NULL, " \t", &save))
			return signal_expected(output, expected, size);
		*ret = (struct signal_binding) { .kind = SIGNAL_NONE };
		return 0;
	}
	if (strncmp(w, "gpio:", 5) == 0 && w[5] != '\0' && strlen(w + 5) < sizeof(b.line)) {
		b.kind = SIGNAL_GPIO;
		memcpy(b.line, w + 5, strlen(w + 5) + 1);
	} else if (output && strncmp(w, "coil:", 5) == 0 && parse_uint_range(w + 5, 0, RELAY_COILS - 1, &b.coil) == 0) {
		b.kind = SIGNAL_COIL;
	} else {
		return signal_expected(output, expected, size);
	}
	while ((w = strtok_r(NULL, " \t", &save)))
		if (parse_option(w, output, &b) < 0)
			return signal_expected(output, expected, size);
	*ret = b;
	return 0;
}

void signal_binding_format(const struct signal_binding *b, char *buf, size_t size)
{
	switch (b->kind) {
	case SIGNAL_NONE:
		(void)snprintf(buf, size, "none");
		break;
	case SIGNAL_GPIO:
		(void)snprintf(buf, size, "gpio:%s%s", b->line, b->active_low ? " active-low" : "");
		break;
	case SIGNAL_COIL:
		(void)snprintf(buf, size, "coil:%u%s", b->coil, b->active_low ? " active-low" : "");
		break;
	}
}

void modbus_config_format(const struct modbus_config *m, char *buf, size_t size)
{
	if (m->transport == MODBUS_TRANSPORT_RTU)
		(void)snprintf(buf, size, "%s %u %u%c%u", m->device, m->baud, m->data_bits, m->parity, m->stop_bits);
	else
		(void)snprintf(buf, size, "%s:%u", m->host, m->port);
}

int modbus_transport_parse(const char *s, enum modbus_transport *ret)
{
	if (strcmp(s, "rtu") == 0)
		*ret = MODBUS_TRANSPORT_RTU;
	else if (strcmp(s, "tcp") == 0)
		*ret = MODBUS_TRANSPORT_TCP;
	else
		return -EINVAL;
	return 0;
}

int modbus_parity_parse(const char *s, char *ret)
{
	if (strcmp(s, "none") == 0)
		*ret = 'N';
	else if (strcmp(s, "even") == 0)
		*ret = 'E';
	else if (strcmp(s, "odd") == 0)
		*ret = 'O';
	else
		return -EINVAL;
	return 0;
}

struct named_binding {
	const char *name;
	const struct signal_binding *b;
};

static unsigned collect_bindings(const struct hardware_config *hw, struct named_binding *out)
{
	unsigned n = 0;

	for (int i = 0; i < _INPUT_MAX; i++)
		out[n++] = (struct named_binding) { chair_input_name((enum chair_input)i), &hw->inputs[i] };
	for (int o = 0; o < _OUTPUT_MAX; o++)
		out[n++] = (struct named_binding) { chair_output_name((enum chair_output)o), &hw->outputs[o] };
	return n;
}

static bool same_place(const struct signal_binding *a, const struct signal_binding *b)
{
	if (a->kind != b->kind || a->kind == SIGNAL_NONE)
		return false;
	return a->kind == SIGNAL_GPIO ? strcmp(a->line, b->line) == 0 : a->coil == b->coil;
}

int hardware_config_verify(const struct hardware_config *hw, const enum zone *pads, unsigned n_pads, char *why,
			   size_t size)
{
	struct named_binding all[_INPUT_MAX + _OUTPUT_MAX];
	unsigned n = collect_bindings(hw, all);
	char where[HW_NAME_MAX + 16];

	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (same_place(all[i].b, all[j].b)) {
				signal_binding_format(all[i].b, where, sizeof(where));
				(void)snprintf(why, size,
					       "%s and %s are both bound to %s; expected each "
					       "signal on a line or coil of its own",
					       all[i].name, all[j].name, where);
				return -EINVAL;
			}
	for (unsigned i = 0; i < n_pads; i++)
		for (unsigned j = i + 1; j < n_pads; j++)
			if (hardware_sensor_channel(hw, pads[i], i) == hardware_sensor_channel(hw, pads[j], j)) {
				(void)snprintf(why, size,
					       "the %s and %s pads both read temperature channel %u; "
					       "expected a channel (0..7) of its own for each pad",
					       zone_to_string(pads[i]), zone_to_string(pads[j]),
					       hardware_sensor_channel(hw, pads[i], i));
				return -EINVAL;
			}
	return 0;
}

unsigned hardware_sensor_channel(const struct hardware_config *hw, enum zone zone, unsigned index)
{
	if (zone >= 0 && zone < _ZONE_MAX && hw->sensor_channel[zone] >= 0)
		return (unsigned)hw->sensor_channel[zone];
	return index;
}
