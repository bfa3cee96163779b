/* SPDX-License-Identifier: MIT */
/* Building and tearing down a running gateway (see gw_lcore.c). */
#ifndef GW_LCORE_H
#define GW_LCORE_H

#include "gw_ctx.h"

/* After rte_eal_init: everything up to started ports. 0 or -errno. */
int gw_setup(struct gw_ctx *ctx, struct wg_config *cfg);
/* The data-path handle lc of worker idx (idx == n_workers: the control
 * lcore), lc->lcore_id set: its counters and crypto manager. 0 or
 * -ENOMEM. */
int gw_lcore_handle_init(struct gw_ctx *ctx, struct gw_lcore *lc,
			 unsigned int idx);
/* gw_setup's last step, once the tables, neighbours, control state and
 * policy exist: the policy staged, the peers applied (setconf), the
 * policy committed. 0 or -errno, the reason logged. */
int gw_setup_apply(struct gw_ctx *ctx, const struct wg_config *cfg);
/* Launch the workers on their lcores. */
int gw_launch(struct gw_ctx *ctx);
/* Workers must have stopped: ports, tables, keys, rings. */
void gw_teardown(struct gw_ctx *ctx);
/* gw_teardown's last step: the n_workers worker handles and the control
 * lcore's, spreading, rings, initiation limits, QSBR, counters. */
void gw_lcores_free(struct gw_ctx *ctx);

#endif /* GW_LCORE_H */
