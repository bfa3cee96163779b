/* SPDX-License-Identifier: MIT */
/*
 * SIGHUP: reload the config file (ARCHITECTURE.md §4). main.c's handler
 * only sets ctx->reload_requested; the control lcore takes the flag at
 * its next tick and calls gw_reload_request there, where changing peers
 * and tables is allowed.
 */
#ifndef GW_RELOAD_H
#define GW_RELOAD_H

#include "gw_ctx.h"

/* 0 when the file was applied; a negative errno when nothing changed.
 * Counted as reloads_applied / reloads_failed. */
int gw_reload_request(struct gw_ctx *ctx);

/* The first field (its config name) that differs between the running
 * configuration and the file and only takes effect at start, or NULL. */
const char *gw_reload_fixed_field(const struct wg_config *run,
				  const struct wg_config *file);

#endif /* GW_RELOAD_H */
