/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "line-protocol.h"

int cosim_read(FILE *in, double *ret_t, double *ret_reading, double *ret_target)
{
	char line[256];

	if (!fgets(line, sizeof(line), in))
		return 0;
	if (sscanf(line, "%lf %lf %lf", ret_t, ret_reading, ret_target) != 3)
		return -EBADMSG;
	return 1;
}

int cosim_write(FILE *out, double duty)
{
	if (!(duty > 0.0)) /* also NaN */
		duty = 0.0;
	else if (duty > 1.0)
		duty = 1.0;
	if (fprintf(out, "%.4f\n", duty) < 0 || fflush(out) != 0)
		return -errno;
	return 0;
}
