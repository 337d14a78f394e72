/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon-rig.h"

const char *const rig_coil_map[] = {
	"--coil", "0=HEAT_NECK", "--coil", "1=HEAT_SHOULDERS", "--coil", "2=HEAT_LOWER_BACK", "--coil", "5=LED", NULL,
};

double rig_exit_figure(struct harness *h, const char *label)
{
	char line[512];
	double v = -1;
	FILE *f;

	harness_stop_daemon_at(h, __FILE__, __LINE__);
	f = fopen(h->log_path, "re");
	H_ASSERT(h, f != NULL, "no daemon log");
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, label);

		if (p && strstr(line, "longest wait"))
			v = atof(p + strlen(label));
	}
	(void)fclose(f);
	H_ASSERT(h, v >= 0, "no '%s' in the daemon's exit line", label);
	return v;
}

bool rig_coil(struct sim *s, unsigned n)
{
	const char *coils = S_STATE(s, "coils");

	S_ASSERT(s, strlen(coils) > n, "coils=%s", coils);
	return coils[n] == '1';
}

void rig_wait_coil(struct sim *s, struct harness *h, unsigned n, bool on, unsigned ms, const char *why)
{
	uint64_t end = harness_now_usec() + ms * 1000ULL;

	while (rig_coil(s, n) != on) {
		if (harness_now_usec() > end)
			harness_fail(h, __FILE__, __LINE__, "coil %u not %s after %u ms: %s", n, on ? "on" : "off", ms,
				     why);
		harness_pump(h, 20);
	}
}

void rig_wait_output(struct harness *h, const char *name, bool on, unsigned ms, const char *why)
{
	uint64_t end = harness_now_usec() + ms * 1000ULL;

	while (H_OUTPUT(h, name) != on) {
		if (harness_now_usec() > end)
			harness_fail(h, __FILE__, __LINE__, "%s not %s after %u ms: %s", name, on ? "on" : "off", ms,
				     why);
		harness_pump(h, 20);
	}
}
