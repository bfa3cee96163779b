/* SPDX-License-Identifier: MIT */
/*
 * The staged-packet bounds (gw_staging.h). The per-peer bound is also
 * the fair share of the global one: a peer may hold at most
 * GW_STAGED_MAX of the GW_MAX_PEERS_STAGED, so one peer (or one flow of
 * a port scan) can never take the whole budget, and at least
 * GW_MAX_PEERS_STAGED / GW_STAGED_MAX peers can wait for a handshake at
 * once with a full queue each.
 */
#include "gw_staging.h"

#include <assert.h>
#include <stdlib.h>

#include "gw_control.h"
#include "gw_peer.h"

static_assert(GW_STAGED_MAX * 16 <= GW_MAX_PEERS_STAGED,
	      "one peer's share is a small part of the global budget");

bool gw_staging_hold(struct gw_ctx *ctx, struct gw_peer *peer,
		     struct rte_mbuf *m)
{
	struct gw_control *c = ctx->control;
	enum gw_counter why;

	/* the endpoint may have gone since the worker looked */
	if (!peer->endpoint)
		why = GW_CTR_DROP_PEER_WITHOUT_ENDPOINT;
	else if (!c->id.has_private_key)
		why = GW_CTR_DROP_STAGED_NO_PRIVATE_KEY;
	else if (peer->n_staged >= GW_STAGED_MAX)
		why = GW_CTR_DROP_STAGED_QUEUE_FULL;
	else if (c->n_staged_total >= GW_MAX_PEERS_STAGED)
		why = GW_CTR_DROP_STAGED_GLOBAL_FULL;
	else if (!peer->staged &&
		 !(peer->staged = malloc(GW_STAGED_MAX * sizeof(m))))
		why = GW_CTR_DROP_STAGED_NO_MEMORY;
	else {
		peer->staged[peer->n_staged++] = m;
		c->n_staged_total++;
		gw_count(ctx->ctrl_lc.stats, GW_CTR_PACKETS_STAGED, 1);
		return true;
	}
	gw_count(ctx->ctrl_lc.stats, why, 1);
	gw_peer_count_drop(peer, ctx->ctrl_lc.worker_idx, why, 1);
	rte_pktmbuf_free(m);
	return false;
}

void gw_staging_handed_on(struct gw_ctx *ctx, struct gw_peer *peer)
{
	ctx->control->n_staged_total -= peer->n_staged;
	peer->n_staged = 0;
	/* the slots go with the last packet (libc: workers never read it) */
	free(peer->staged);
	peer->staged = NULL;
}

void gw_staging_drop(struct gw_ctx *ctx, struct gw_peer *peer,
		     enum gw_counter reason)
{
	unsigned int i;

	for (i = 0; i < peer->n_staged; i++)
		rte_pktmbuf_free(peer->staged[i]);
	gw_count(ctx->ctrl_lc.stats, reason, peer->n_staged);
	gw_peer_count_drop(peer, ctx->ctrl_lc.worker_idx, reason,
			   peer->n_staged);
	gw_staging_handed_on(ctx, peer);
}

void gw_staging_drop_all(struct gw_ctx *ctx, enum gw_counter reason)
{
	struct gw_peer *p;

	for (p = ctx->control->peers; p && ctx->control->n_staged_total;
	     p = p->list_next)
		gw_staging_drop(ctx, p, reason);
}

unsigned int gw_staging_total(const struct gw_ctx *ctx)
{
	return ctx->control->n_staged_total;
}
