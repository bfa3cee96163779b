/* SPDX-License-Identifier: MIT */
/* The worker -> control rings and their fair service (gw_ctrl_rings.h). */
#include "gw_ctrl_rings.h"
#include "gw_ctrl_tx.h"
#include "gw_hs_backlog.h"

#include <errno.h>
#include <stdio.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>


struct ring_spec {
	const char *name;
	unsigned int size;
	unsigned int budget;
};

static const struct ring_spec specs[GW_CTRL_NB_KINDS] = {
	[GW_CTRL_LOCAL] = { "gw_ctrl_local", GW_LOCAL_RING, GW_CTRL_BUDGET },
	/* cheap to take (mac1, a cookie reply at most): the DH work waits
	 * in the backlog, and a burst must not overflow the ring */
	[GW_CTRL_HANDSHAKE] = { "gw_ctrl_hs", GW_HANDSHAKE_RING,
				0 /* gw_ctrl_hs_intake */ },
	[GW_CTRL_STAGE] = { "gw_ctrl_stage", GW_STAGE_RING, GW_CTRL_BUDGET },
	[GW_CTRL_NEIGH] = { "gw_ctrl_neigh", GW_NEIGH_RING, GW_CTRL_BUDGET },
	[GW_CTRL_TOO_BIG] = { "gw_ctrl_big", GW_TOO_BIG_RING, GW_CTRL_BUDGET },
	[GW_CTRL_ARP_ND] = { "gw_ctrl_arp_nd", GW_ARP_ND_RING, GW_CTRL_BUDGET },
	[GW_CTRL_TTL] = { "gw_ctrl_ttl", GW_TTL_RING, GW_CTRL_BUDGET },
};

int gw_ctrl_rings_create(struct gw_ctx *ctx)
{
	unsigned int k;

	for (k = 1; k < GW_CTRL_NB_KINDS; k++) {
		/* rte_ring_create wants a power of two and holds one less */
		ctx->ctrl_ring[k] = rte_ring_create(specs[k].name,
						    specs[k].size,
						    (int)rte_socket_id(),
						    RING_F_SC_DEQ |
							    RING_F_EXACT_SZ);
		if (!ctx->ctrl_ring[k])
			return -ENOMEM;
	}
	ctx->event_ring = rte_ring_create_elem("gw_events",
					       sizeof(struct gw_event),
					       GW_EVENT_RING,
					       (int)rte_socket_id(),
					       RING_F_SC_DEQ);
	return ctx->event_ring ? 0 : -ENOMEM;
}

void gw_ctrl_rings_free(struct gw_ctx *ctx)
{
	struct rte_mbuf *m;
	unsigned int k;

	for (k = 1; k < GW_CTRL_NB_KINDS; k++) {
		if (!ctx->ctrl_ring[k])
			continue;
		while (rte_ring_dequeue(ctx->ctrl_ring[k], (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(ctx->ctrl_ring[k]);
		ctx->ctrl_ring[k] = NULL;
	}
	rte_ring_free(ctx->event_ring);
	ctx->event_ring = NULL;
}

/* Up to budget packets off r, a burst at a time: a budget may be larger
 * than the burst array (the handshake intake is), and must never decide
 * how much is written into it. */
static unsigned int serve_ring(struct gw_ctx *ctx, struct rte_ring *r,
			       unsigned int budget,
			       void (*input)(struct gw_ctx *ctx,
					     struct rte_mbuf *m))
{
	struct rte_mbuf *pkts[GW_BURST];
	unsigned int i, n, want, taken = 0;

	while (taken < budget) {
		want = RTE_MIN(budget - taken, (unsigned int)RTE_DIM(pkts));
		n = rte_ring_sc_dequeue_burst(r, (void **)pkts, want, NULL);
		for (i = 0; i < n; i++)
			input(ctx, pkts[i]);
		taken += n;
		if (n < want)
			break;
	}
	return taken;
}

unsigned int gw_ctrl_hs_intake(const struct gw_ctx *ctx)
{
	const struct rte_ring *tx = ctx->ctrl_lc.tx_handoff[GW_WAN];
	unsigned int room;

	/* on a TX queue of its own the PMD's queue is the limit (counted
	 * drop_tx_queue_full) */
	if (!tx)
		return GW_HANDSHAKE_INTAKE;
	room = rte_ring_free_count(tx);
	room = room > GW_HANDSHAKE_TX_RESERVE ? room - GW_HANDSHAKE_TX_RESERVE :
						0;
	return RTE_MIN(room, (unsigned int)GW_HANDSHAKE_INTAKE);
}

unsigned int gw_ctrl_rings_serve(struct gw_ctx *ctx,
				 void (*input)(struct gw_ctx *ctx,
					       struct rte_mbuf *m))
{
	unsigned int k, work = 0;

	for (k = 1; k < GW_CTRL_NB_KINDS; k++)
		work += serve_ring(ctx, ctx->ctrl_ring[k],
				   k == GW_CTRL_HANDSHAKE ?
					   gw_ctrl_hs_intake(ctx) :
					   specs[k].budget,
				   input);
	return work;
}

unsigned int gw_ctrl_rings_depth(const struct gw_ctx *ctx)
{
	unsigned int k, n = 0;

	for (k = 1; k < GW_CTRL_NB_KINDS; k++)
		n += rte_ring_count(ctx->ctrl_ring[k]);
	return n;
}

bool gw_ctrl_under_load(struct gw_ctx *ctx, struct wg_load_state *load,
			uint64_t now)
{
	struct rte_ring *r = ctx->ctrl_ring[GW_CTRL_HANDSHAKE];

	/* what waits for DH work, in the ring or in the backlog */
	return wg_under_load(load,
			     rte_ring_count(r) + gw_hs_backlog_count(ctx),
			     rte_ring_get_capacity(r), now);
}
