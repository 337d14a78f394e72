/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <gpiod.h>
#include <sys/epoll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpio-lines.h"
#include "log.h"
#include "macro.h"

#define EVENT_BUFFER 32
#define NO_OFFSET UINT32_MAX

struct gpio_lines {
	struct chair_driver base; /* first: a struct chair_driver * is a struct gpio_lines * */
	struct gpiod_chip *chip;
	struct gpiod_line_request *request;
	struct gpiod_edge_event_buffer *events;
	sd_event_source *source;
	char chip_name[HW_PATH_MAX + 16];
	unsigned input_offset[_INPUT_MAX]; /* NO_OFFSET: not on this chip */
	unsigned output_offset[_OUTPUT_MAX];
};

static struct gpio_lines *to_gpio(struct chair_driver *d)
{
	return (struct gpio_lines *)d;
}

static int gpio_set_output(struct chair_driver *d, enum chair_output o, bool active)
{
	struct gpio_lines *g = to_gpio(d);

	if (o < 0 || o >= _OUTPUT_MAX || g->output_offset[o] == NO_OFFSET)
		return -EINVAL;
	if (gpiod_line_request_set_value(g->request, g->output_offset[o],
					 active ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) < 0)
		return -errno;
	return 0;
}

static int gpio_get_input(struct chair_driver *d, enum chair_input i, bool *ret_active)
{
	struct gpio_lines *g = to_gpio(d);
	enum gpiod_line_value v;

	if (i < 0 || i >= _INPUT_MAX || g->input_offset[i] == NO_OFFSET)
		return -EINVAL;
	v = gpiod_line_request_get_value(g->request, g->input_offset[i]);
	if (v == GPIOD_LINE_VALUE_ERROR)
		return -errno;
	*ret_active = v == GPIOD_LINE_VALUE_ACTIVE;
	return 0;
}

static enum chair_input input_at(const struct gpio_lines *g, unsigned offset)
{
	for (int i = 0; i < _INPUT_MAX; i++)
		if (g->input_offset[i] == offset)
			return (enum chair_input)i;
	return INPUT_INVALID;
}

/* Edges are logical (the kernel applies active-low), so RISING is a press. The handler
 * runs here, in the loop iteration that saw the edge: the emergency stop's safe state
 * is reached before this returns. */
static int on_gpio_event(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct gpio_lines *g = userdata;
	int n = gpiod_line_request_read_edge_events(g->request, g->events, EVENT_BUFFER);

	if (n < 0)
		return log_errno(-errno, "Failed to read GPIO edge events");
	for (int k = 0; k < n; k++) {
		struct gpiod_edge_event *ev = gpiod_edge_event_buffer_get_event(g->events, (unsigned long)k);
		enum chair_input i = input_at(g, gpiod_edge_event_get_line_offset(ev));
		bool active = gpiod_edge_event_get_event_type(ev) == GPIOD_EDGE_EVENT_RISING_EDGE;

		if (i == INPUT_INVALID || !g->base.on_input)
			continue;
		g->base.on_input(g->base.userdata, i, active);
	}
	return 0;
}

static void gpio_free(struct chair_driver *d)
{
	struct gpio_lines *g = to_gpio(d);

	if (!g)
		return;
	if (g->request) {
		for (int o = 0; o < _OUTPUT_MAX; o++)
			if (g->output_offset[o] != NO_OFFSET)
				(void)gpio_set_output(d, (enum chair_output)o, false);
		gpiod_line_request_release(g->request);
	}
	sd_event_source_disable_unref(g->source);
	gpiod_edge_event_buffer_free(g->events);
	if (g->chip)
		gpiod_chip_close(g->chip);
	free(g);
}

static const struct chair_driver_ops gpio_lines_ops = {
	.name = "gpio",
	.free = gpio_free,
	.set_output = gpio_set_output,
	.get_input = gpio_get_input,
};

static bool chip_has_label(const char *path, const char *label)
{
	struct gpiod_chip *chip = gpiod_chip_open(path);
	struct gpiod_chip_info *info;
	bool match = false;

	if (!chip)
		return false;
	info = gpiod_chip_get_info(chip);
	if (info) {
		match = strcmp(gpiod_chip_info_get_label(info), label) == 0;
		gpiod_chip_info_free(info);
	}
	gpiod_chip_close(chip);
	return match;
}

/* A path, a name under /dev, or the label of one of /dev/gpiochip*. */
static struct gpiod_chip *chip_open(const char *spec, char *path, size_t size)
{
	char name[HW_PATH_MAX + 16];
	DIR *dir;
	struct dirent *e;

	if (strchr(spec, '/'))
		(void)snprintf(path, size, "%s", spec);
	else
		(void)snprintf(path, size, "/dev/%s", spec);
	if (gpiod_is_gpiochip_device(path))
		return gpiod_chip_open(path);
	dir = opendir("/dev");
	if (!dir)
		return NULL;
	while ((e = readdir(dir))) {
		if (strncmp(e->d_name, "gpiochip", 8) != 0)
			continue;
		(void)snprintf(name, sizeof(name), "/dev/%.*s", HW_NAME_MAX, e->d_name);
		if (gpiod_is_gpiochip_device(name) && chip_has_label(name, spec)) {
			(void)snprintf(path, size, "%s", name);
			(void)closedir(dir);
			return gpiod_chip_open(path);
		}
	}
	(void)closedir(dir);
	return NULL;
}

static int find_line(struct gpio_lines *g, const char *signal, const struct signal_binding *b, unsigned *ret)
{
	int offset;

	if (b->kind != SIGNAL_GPIO) {
		*ret = NO_OFFSET;
		return 0;
	}
	offset = gpiod_chip_get_line_offset_from_name(g->chip, b->line);
	if (offset < 0) {
		log_error("GPIO line '%s' (%s) is not on %s: check [Binding] and [GPIO] Chip= in the "
			  "configuration, or the wiring",
			  b->line, signal, g->chip_name);
		return -ENODEV;
	}
	*ret = (unsigned)offset;
	return 0;
}

static enum gpiod_line_bias to_gpiod_bias(enum signal_bias b)
{
	switch (b) {
	case BIAS_NONE:
		return GPIOD_LINE_BIAS_DISABLED;
	case BIAS_PULL_UP:
		return GPIOD_LINE_BIAS_PULL_UP;
	case BIAS_PULL_DOWN:
		return GPIOD_LINE_BIAS_PULL_DOWN;
	default:
		return GPIOD_LINE_BIAS_AS_IS;
	}
}

/* One settings object per line: polarity, bias and debounce differ from line to line. */
static int add_line(struct gpiod_line_config *lc, unsigned offset, const struct signal_binding *b, bool output,
		    unsigned long debounce_us)
{
	struct gpiod_line_settings *s = gpiod_line_settings_new();
	int r = 0;

	if (!s)
		return -ENOMEM;
	gpiod_line_settings_set_active_low(s, b->active_low);
	if (output) {
		(void)gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_OUTPUT);
		(void)gpiod_line_settings_set_output_value(s, GPIOD_LINE_VALUE_INACTIVE);
	} else {
		(void)gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_INPUT);
		(void)gpiod_line_settings_set_edge_detection(s, GPIOD_LINE_EDGE_BOTH);
		(void)gpiod_line_settings_set_bias(s, to_gpiod_bias(b->bias));
		gpiod_line_settings_set_debounce_period_us(s, debounce_us);
	}
	if (gpiod_line_config_add_line_settings(lc, &offset, 1, s) < 0)
		r = -errno;
	gpiod_line_settings_free(s);
	return r;
}

static int request_lines(struct gpio_lines *g, const struct hardware_config *hw)
{
	struct gpiod_line_config *lc = gpiod_line_config_new();
	struct gpiod_request_config *rc = gpiod_request_config_new();
	int r = lc && rc ? 0 : -ENOMEM;

	for (int i = 0; r == 0 && i < _INPUT_MAX; i++)
		if (g->input_offset[i] != NO_OFFSET)
			/* the emergency stop acts on its first edge: never debounced */
			r = add_line(lc, g->input_offset[i], &hw->inputs[i], false,
				     i == INPUT_ESTOP ? 0 : hw->debounce_ms * 1000UL);
	for (int o = 0; r == 0 && o < _OUTPUT_MAX; o++)
		if (g->output_offset[o] != NO_OFFSET)
			r = add_line(lc, g->output_offset[o], &hw->outputs[o], true, 0);
	if (r == 0) {
		gpiod_request_config_set_consumer(rc, "massaged");
		gpiod_request_config_set_event_buffer_size(rc, EVENT_BUFFER);
		g->request = gpiod_chip_request_lines(g->chip, rc, lc);
		if (!g->request)
			r = log_errno(-errno,
				      "Failed to request the chair's lines on %s (is another program "
				      "using them?)",
				      g->chip_name);
	}
	gpiod_request_config_free(rc);
	gpiod_line_config_free(lc);
	return r;
}

static int gpio_lines_open(struct gpio_lines *g, const struct hardware_config *hw, sd_event *event)
{
	int r = 0;

	g->chip = chip_open(hw->gpio_chip, g->chip_name, sizeof(g->chip_name));
	if (!g->chip) {
		log_error("GPIO chip '%s' not found: set [GPIO] Chip= to its path, name or label", hw->gpio_chip);
		return -ENODEV;
	}
	for (int i = 0; r == 0 && i < _INPUT_MAX; i++)
		r = find_line(g, chair_input_name((enum chair_input)i), &hw->inputs[i], &g->input_offset[i]);
	for (int o = 0; r == 0 && o < _OUTPUT_MAX; o++)
		r = find_line(g, chair_output_name((enum chair_output)o), &hw->outputs[o], &g->output_offset[o]);
	if (r < 0)
		return r;
	r = request_lines(g, hw);
	if (r < 0)
		return r;
	g->events = gpiod_edge_event_buffer_new(EVENT_BUFFER);
	if (!g->events)
		return -ENOMEM;
	r = sd_event_add_io(event, &g->source, gpiod_line_request_get_fd(g->request), EPOLLIN, on_gpio_event, g);
	if (r < 0)
		return log_errno(r, "Failed to watch the GPIO lines");
	(void)sd_event_source_set_description(g->source, "gpio-edges");
	/* the emergency stop goes before anything else that is ready at the same time */
	return sd_event_source_set_priority(g->source, SD_EVENT_PRIORITY_IMPORTANT);
}

int gpio_lines_new(const struct hardware_config *hw, sd_event *event, struct chair_driver **ret)
{
	struct gpio_lines *g = calloc(1, sizeof(*g));
	int r;

	if (!g)
		return -ENOMEM;
	g->base.ops = &gpio_lines_ops;
	r = gpio_lines_open(g, hw, event);
	if (r < 0) {
		gpio_free(&g->base);
		return r;
	}
	log_info("GPIO: %s, lines requested", g->chip_name);
	*ret = &g->base;
	return 0;
}
