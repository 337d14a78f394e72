/* SPDX-License-Identifier: MIT */
/* The real chair's drivers in a build without libgpiod v2 or libmodbus (meson says so
 * at setup): massaged runs --simulate; a real chair or --simulate-lines is refused with
 * what to install. */
#include <errno.h>

#include "gpio-lines.h"
#include "hw-driver.h"
#include "log.h"

static int refuse(void)
{
	log_error("This massaged was built without the real chair's drivers (libgpiod >= 2.0 and libmodbus were "
		  "missing at build time): only --simulate works. Install libgpiod-dev and libmodbus-dev "
		  "(tools/deps does), then build again.");
	return -EOPNOTSUPP;
}

int gpio_lines_new(const struct hardware_config *hw, sd_event *event, struct chair_driver **ret)
{
	return refuse();
}

int hw_driver_new(const struct hardware_config *hw, sd_event *event, struct chair_driver *lines, bool lines_simulated,
		  struct chair_driver **ret)
{
	if (lines)
		lines->ops->free(lines);
	return refuse();
}
