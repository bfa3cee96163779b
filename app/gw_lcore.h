/* SPDX-License-Identifier: MIT */
/* Building and tearing down a running gateway (see gw_lcore.c). */
#ifndef GW_LCORE_H
#define GW_LCORE_H

#include "gw_ctx.h"

/* After rte_eal_init: everything up to started ports. 0 or -errno. */
int gw_setup(struct gw_ctx *ctx, struct wg_config *cfg);
/* Launch the workers on their lcores. */
int gw_launch(struct gw_ctx *ctx);
/* Workers must have stopped: ports, tables, keys, rings. */
void gw_teardown(struct gw_ctx *ctx);

#endif /* GW_LCORE_H */
