/* SPDX-License-Identifier: MIT */
/*
 * The control lcore's transmit (see gw_ctrl_tx.h): on its own TX queue of
 * a port, or handed to the worker that sends for it.
 */
#include "gw_ctrl_tx.h"

#include <errno.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ring.h>

#include "gw_port.h"

int gw_ctrl_tx_ring_create(struct gw_ctx *ctx, enum gw_role role,
			   struct gw_lcore *worker)
{
	struct gw_port *p = &ctx->port[role];
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	snprintf(name, sizeof(name), "gw_ctrl_tx%u", p->port_id);
	r = rte_ring_create(name, GW_CTRL_TX_RING, (int)rte_socket_id(),
			    RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!r)
		return -rte_errno;
	ctx->ctrl_lc.tx_handoff[role] = r;
	worker->tx_collect[role] = r;
	return 0;
}

void gw_ctrl_tx_handoff(struct gw_lcore *lc, enum gw_role role,
			struct rte_mbuf **m, unsigned int n)
{
	unsigned int done, i;

	done = rte_ring_sp_enqueue_burst(lc->tx_handoff[role], (void **)m, n,
					 NULL);
	for (i = done; i < n; i++)
		rte_pktmbuf_free(m[i]);
	gw_count(lc->stats, GW_CTR_DROP_CONTROL_TX_RING_FULL, n - done);
}

void gw_ctrl_tx_rings_free(struct gw_ctx *ctx)
{
	unsigned int r, w, left = 0;
	struct rte_mbuf *m;

	for (r = 0; r < GW_NB_ROLES; r++) {
		struct rte_ring *ring = ctx->ctrl_lc.tx_handoff[r];

		if (!ring)
			continue;
		while (rte_ring_sc_dequeue(ring, (void **)&m) == 0) {
			rte_pktmbuf_free(m);
			left++;
		}
		for (w = 0; w < GW_MAX_WORKERS; w++)
			if (ctx->workers[w].tx_collect[r] == ring)
				ctx->workers[w].tx_collect[r] = NULL;
		ctx->ctrl_lc.tx_handoff[r] = NULL;
		rte_ring_free(ring);
	}
	if (left)
		GW_LOG(INFO, "%u control frame(s) still waiting for a worker at stop: freed",
		       left);
}

struct rte_mbuf *gw_ctrl_tx_alloc(struct gw_ctx *ctx, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ctx->pool);

	if (m && !rte_pktmbuf_append(m, len)) {
		rte_pktmbuf_free(m);
		m = NULL;
	}
	if (!m)
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_NO_MBUF, 1);
	return m;
}

void gw_ctrl_tx(struct gw_ctx *ctx, enum gw_role role, struct rte_mbuf *m)
{
	struct gw_port *p = &ctx->port[role];
	struct gw_lcore_stats *st = ctx->ctrl_lc.stats;

	/* no TX queue of our own on this port: worker 0 sends it */
	if (ctx->ctrl_lc.tx_handoff[role]) {
		gw_ctrl_tx_handoff(&ctx->ctrl_lc, role, &m, 1);
		return;
	}
	if (rte_eth_tx_burst(p->port_id, p->ctrl_txq, &m, 1) != 1) {
		gw_count(st, GW_CTR_DROP_TX_QUEUE_FULL, 1);
		rte_pktmbuf_free(m);
		return;
	}
	gw_count(st,
		 role == GW_LAN ? GW_CTR_TX_LAN_PACKETS : GW_CTR_TX_WAN_PACKETS,
		 1);
}
