/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon-rig.h"

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
