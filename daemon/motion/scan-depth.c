/* SPDX-License-Identifier: MIT */
#include "scan-depth.h"

#include "macro.h"

double scan_force_ceiling_n(unsigned force_max_n)
{
	return MIN(SCAN_FORCE_MAX_N, SCAN_FORCE_MAX_SHARE * (double)force_max_n);
}

unsigned scan_depth_next(unsigned board_depth_mm, double load_n, double ceiling_n, unsigned scan_depth_mm)
{
	/* one mm from where the board is: the board moves at full speed toward it, and an
	 * asked depth never runs ahead of the board */
	if (load_n > SCAN_STEP_BACK_SHARE * ceiling_n)
		return board_depth_mm > 0 ? MIN(board_depth_mm - 1, scan_depth_mm) : 0;
	if (load_n < SCAN_RETURN_SHARE * ceiling_n)
		return MIN(board_depth_mm + 1, scan_depth_mm);
	return MIN(board_depth_mm, scan_depth_mm);
}

bool scan_depth_settled(unsigned board_depth_mm, double load_n, double ceiling_n, unsigned scan_depth_mm)
{
	return board_depth_mm + 1 >= scan_depth_mm || load_n >= SCAN_RETURN_SHARE * ceiling_n;
}
