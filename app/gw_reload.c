/* SPDX-License-Identifier: MIT */
/*
 * The reload hook (gw_reload.h). Applying the file as a difference is not
 * written yet: say so, change nothing, and keep running (a SIGHUP used to
 * kill the gateway).
 */
#include "gw_reload.h"

#include <errno.h>

int gw_reload_request(struct gw_ctx *ctx)
{
	(void)ctx;
	GW_LOG(WARNING, "reload: not implemented yet, configuration unchanged");
	return -ENOSYS;
}
