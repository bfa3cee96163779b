/* SPDX-License-Identifier: MIT */
/*
 * The worker data path: classify a burst, look it up in bulk, encrypt
 * LAN→WAN or decrypt WAN→LAN as one ipsec-mb burst, queue for TX. Workers
 * read the shared tables lock-free, report quiescence once per loop, and
 * hand everything slow (handshakes, ARP/ND, packets waiting for a session
 * or a neighbour) to the control lcore through bounded rings. They never
 * block, lock, allocate from the heap or do X25519.
 *
 * Each burst goes through stages, each a loop over the whole burst, so
 * that what one stage prefetches (a keypair, a peer, a replay-window slot)
 * has arrived by the time the next stage reads it: with 100,000 peers
 * these are cache misses, and a burst of them overlaps. Per-packet shared
 * writes are avoided: one fetch-add per keypair per burst for the sending
 * counters, per-peer activity stamps written once per run of packets of
 * the same peer, counters per lcore.
 */
#include "gw_worker_priv.h"

#include <rte_ring.h>

#include "gw_ctrl_tx.h"

void gw_worker_quiescent(struct gw_lcore *lc)
{
	/* chunks in the reorder buffer hold mbufs only: every keypair and
	 * peer pointer was looked up and used within one call */
	rte_rcu_qsbr_quiescent(lc->ctx->qsbr, lc->worker_idx);
}

void gw_tx_flush(struct gw_lcore *lc, enum gw_role role, struct gw_txbuf *b)
{
	uint16_t sent;
	unsigned int i;

	if (unlikely(lc->tx_handoff[role] != NULL)) {
		/* the control lcore on a port where it has no queue of its
		 * own */
		if (b->n)
			gw_ctrl_tx_handoff(lc, role, b->m, b->n);
		b->n = 0;
	} else if (b->n) {
		sent = rte_eth_tx_burst(lc->ctx->port[role].port_id, lc->txq,
					b->m, (uint16_t)b->n);
		gw_count(lc->stats,
			 role == GW_LAN ? GW_CTR_TX_LAN_PACKETS :
					  GW_CTR_TX_WAN_PACKETS,
			 sent);
		for (i = sent; i < b->n; i++)
			drop(lc, b->m[i], GW_CTR_DROP_TX_QUEUE_FULL);
		b->n = 0;
		gw_drop_flush(lc);
	}
	/* what a turn collected (maybe nothing: a chunk whose frames were
	 * all dropped) went through the TX call: pass the turn on */
	if (role == GW_LAN)
		gw_wan_sent(lc);
}

/* Decrypted chunks whose turn has come (gw_spread.h): sent at once, since
 * the other worker's next chunk waits for this one's TX call. */
static inline void collect_turns(struct gw_lcore *lc, struct gw_txbuf *lan_tx)
{
	if (lan_tx->n + GW_BURST > GW_TXBUF)
		gw_tx_flush(lc, GW_LAN, lan_tx);
	gw_wan_collect(lc, lan_tx);
	if (gw_wan_turn(lc))
		gw_tx_flush(lc, GW_LAN, lan_tx);
}

/* Frames the control lcore handed over for a port, sent with ours. */
static inline void collect_control(struct gw_lcore *lc, enum gw_role role,
				   struct gw_txbuf *b)
{
	struct rte_ring *r = lc->tx_collect[role];

	if (r && b->n < GW_TXBUF)
		b->n += rte_ring_sc_dequeue_burst(r, (void **)&b->m[b->n],
						  GW_TXBUF - b->n, NULL);
}

/* ------------------------------------------------------------ loop */

int gw_worker_main(void *arg)
{
	struct gw_lcore *lc = arg;
	struct gw_ctx *ctx = lc->ctx;
	struct rte_mbuf *pkts[GW_BURST];
	struct gw_txbuf lan_tx = { .n = 0 }, wan_tx = { .n = 0 };
	uint64_t drain = ctx->tsc_hz * GW_TX_DRAIN_US / 1000000;
	uint64_t last_drain = rte_rdtsc(), last_poll = last_drain;
	unsigned int q;

	rte_rcu_qsbr_thread_register(ctx->qsbr, lc->worker_idx);
	rte_rcu_qsbr_thread_online(ctx->qsbr, lc->worker_idx);
	GW_LOG(INFO, "worker %u on lcore %u: %u lan / %u wan rx queues, txq %u%s",
	       lc->worker_idx, lc->lcore_id, lc->n_rxq[GW_LAN],
	       lc->n_rxq[GW_WAN], lc->txq,
	       lc->spread ? ", spreads decryption" : "");

	while (!__atomic_load_n(&ctx->quit, __ATOMIC_RELAXED)) {
		uint64_t now = gw_now_ns(ctx), tsc;
		unsigned int got = 0;

		for (q = 0; q < lc->n_rxq[GW_LAN]; q++) {
			uint16_t n;

			if (wan_tx.n + GW_BURST > GW_TXBUF)
				gw_tx_flush(lc, GW_WAN, &wan_tx);
			n = rte_eth_rx_burst(ctx->port[GW_LAN].port_id,
					     lc->rxq[GW_LAN][q], pkts,
					     GW_BURST);
			if (n)
				gw_lan_burst(lc, pkts, n, &wan_tx, now);
			got |= n;
			if (wan_tx.n >= GW_BURST)
				gw_tx_flush(lc, GW_WAN, &wan_tx);
		}
		for (q = 0; q < lc->n_rxq[GW_WAN]; q++) {
			uint16_t n;

			/* a full reorder buffer holds the queue back */
			if (!gw_wan_room(lc))
				break;
			if (lan_tx.n + GW_BURST > GW_TXBUF)
				gw_tx_flush(lc, GW_LAN, &lan_tx);
			n = rte_eth_rx_burst(ctx->port[GW_WAN].port_id,
					     lc->rxq[GW_WAN][q], pkts,
					     GW_BURST);
			if (n)
				gw_wan_burst(lc, pkts, n, &lan_tx, now);
			got |= n;
			collect_turns(lc, &lan_tx);
			if (lan_tx.n >= GW_BURST)
				gw_tx_flush(lc, GW_LAN, &lan_tx);
		}
		/* decrypt what the worker before this one handed over; sent
		 * from here in its turn */
		got |= gw_assist(lc, now);
		collect_turns(lc, &lan_tx);

		collect_control(lc, GW_WAN, &wan_tx);
		collect_control(lc, GW_LAN, &lan_tx);
		/* how loaded the core is (its CPU always shows 100 %): the
		 * cycles of polls that found packets are busy, the others
		 * idle; the drain's TSC read serves as the clock */
		tsc = rte_rdtsc();
		gw_count(lc->stats,
			 got ? GW_CTR_POLL_BUSY_CYCLES : GW_CTR_POLL_IDLE_CYCLES,
			 tsc - last_poll);
		last_poll = tsc;
		/* a partial burst waits at most GW_TX_DRAIN_US */
		if (tsc - last_drain >= drain) {
			gw_tx_flush(lc, GW_WAN, &wan_tx);
			gw_tx_flush(lc, GW_LAN, &lan_tx);
			last_drain = tsc;
		}
		/* no pointer into shared tables survives past here */
		gw_worker_quiescent(lc);
	}
	collect_control(lc, GW_WAN, &wan_tx);
	collect_control(lc, GW_LAN, &lan_tx);
	gw_tx_flush(lc, GW_WAN, &wan_tx);
	gw_tx_flush(lc, GW_LAN, &lan_tx);

	rte_rcu_qsbr_thread_offline(ctx->qsbr, lc->worker_idx);
	rte_rcu_qsbr_thread_unregister(ctx->qsbr, lc->worker_idx);
	return 0;
}
