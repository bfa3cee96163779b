/* SPDX-License-Identifier: MIT */
/*
 * The control lcore's transmit: gw_ctrl_tx() sends a frame it built (ARP,
 * ND, ICMP, handshakes) or held (frames that waited for a neighbour).
 *
 * On most ports the control lcore transmits on a queue of its own. On a
 * memif port the far side decides which queues exist: the PMD maps a ring
 * only for the queues the peer opened, and transmitting on any other queue
 * writes through a ring that was never mapped (DPDK 22.11's eth_memif_tx
 * takes its zeroed or stale ring offset at face value). Only queue 0 is
 * there whatever the peer opens, and it is worker 0's. So the control
 * lcore hands its frames to worker 0 through a single-producer,
 * single-consumer ring per port, and the worker sends them on its own
 * queue with its next burst (gw_worker.c).
 */
#ifndef GW_CTRL_TX_H
#define GW_CTRL_TX_H

#include "gw_ctx.h"

enum {
	/* At most one TX queue's worth of descriptors, so the frames it
	 * holds fit in what the pool already counts for the control lcore's
	 * TX queue, which this ring replaces (gw_port.c). */
	GW_CTRL_TX_RING = 512,
};

/* Send a frame on the control lcore's TX queue of a port, or hand it to
 * the worker that sends for it there (consumes m). */
void gw_ctrl_tx(struct gw_ctx *ctx, enum gw_role role, struct rte_mbuf *m);

/* A frame of len bytes for the control lcore to fill and send; NULL
 * (counted as drop_no_mbuf) when the pool has none. */
struct rte_mbuf *gw_ctrl_tx_alloc(struct gw_ctx *ctx, uint16_t len);

/* The ring of port role, drained by worker; the control lcore hands its
 * frames for that port to it from now on. Returns 0 or a negative errno. */
int gw_ctrl_tx_ring_create(struct gw_ctx *ctx, enum gw_role role,
			   struct gw_lcore *worker);

/* Hand n frames for port role to the worker that sends for the control
 * lcore (consumes them): what the ring cannot take is dropped and counted
 * as drop_control_tx_ring_full. Control lcore only. */
void gw_ctrl_tx_handoff(struct gw_lcore *lc, enum gw_role role,
			struct rte_mbuf **m, unsigned int n);

/* After the lcores stopped: free what was never collected, and the rings. */
void gw_ctrl_tx_rings_free(struct gw_ctx *ctx);

#endif /* GW_CTRL_TX_H */
