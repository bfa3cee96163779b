/* SPDX-License-Identifier: MIT */
/* Every worker's per-source initiation limit (gw_hs_limit.h). */
#include "gw_hs_limit.h"

#include <errno.h>

#include <rte_malloc.h>

int gw_hs_limit_create(struct gw_ctx *ctx)
{
	struct wg_ratelimit_params p = {
		.per_second = GW_HS_LIMIT_PER_SECOND,
		.burst = gw_hs_limit_burst(ctx->n_workers),
		.evict_oldest = true,
	};
	unsigned int i;

	for (i = 0; i < ctx->n_workers; i++) {
		struct gw_lcore *lc = &ctx->workers[i];
		struct wg_ratelimit *rl = rte_zmalloc("gw_hs_limit",
						      sizeof(*rl), 0);

		if (!rl)
			return -ENOMEM;
		if (wg_ratelimit_init_params(rl, GW_HS_LIMIT_ENTRIES, &p,
					     NULL) < 0) {
			rte_free(rl);
			return -ENOMEM;
		}
		lc->hs_limit = rl;
	}
	GW_LOG(INFO, "handshake initiations per source and worker: burst %u, then %u/s",
	       p.burst, p.per_second);
	return 0;
}

void gw_hs_limit_free(struct gw_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->n_workers; i++) {
		struct gw_lcore *lc = &ctx->workers[i];

		if (!lc->hs_limit)
			continue;
		wg_ratelimit_free(lc->hs_limit);
		rte_free(lc->hs_limit);
		lc->hs_limit = NULL;
	}
}
