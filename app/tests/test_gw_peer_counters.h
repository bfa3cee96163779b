/* SPDX-License-Identifier: MIT */
/*
 * Part of test_gw_worker.c (included there, sharing its world: one peer
 * whose keypair is its own mirror): per-peer counters in the peer's act
 * slot of the worker, drops in the peer's own set (gw_peer.h).
 *
 *  - a burst encrypted toward the peer adds its messages and bytes to
 *    tx_packets/tx_bytes; the same frames decrypted add them to
 *    rx_packets/rx_bytes;
 *  - the same frames again are replays: counted against the peer under
 *    drop_replayed_counter, not as received packets;
 *  - every per-peer drop slot names a drop_ counter and maps back.
 */
#include "gw_peer.h"

static void test_peer_counters(void)
{
	enum { N = 5, LEN = 64 };
	struct gw_lcore *lc = &ctx->workers[0];
	struct gw_peer_act *a = &peer->act[lc->worker_idx];
	struct gw_txbuf tx = { .n = 0 };
	struct rte_mbuf *w[N], *again[N];
	uint64_t tx0 = a->tx_packets, txb0 = a->tx_bytes;
	uint64_t rx0 = a->rx_packets, rxb0 = a->rx_bytes;
	uint64_t rep0 = peer->drops[GW_PDROP_DROP_REPLAYED_COUNTER];
	/* a 64-byte inner packet is a multiple of 16: no padding */
	uint64_t msg = WG_MSG_TRANSPORT_MIN_LEN + LEN;
	unsigned int i, d;

	wan_frames(w, N, 500, LEN);
	CHECK(a->tx_packets - tx0 == N, "tx_packets +%" PRIu64 ", want %d",
	      a->tx_packets - tx0, N);
	CHECK(a->tx_bytes - txb0 == N * msg, "tx_bytes +%" PRIu64 ", want %" PRIu64,
	      a->tx_bytes - txb0, N * msg);
	for (i = 0; i < N; i++)
		again[i] = rte_pktmbuf_copy(w[i], pool, 0, UINT32_MAX);
	gw_wan_burst(lc, w, N, &tx, gw_now_ns(ctx));
	CHECK(tx.n == N, "decrypt: %u of %d out", tx.n, N);
	for (i = 0; i < tx.n; i++)
		rte_pktmbuf_free(tx.m[i]);
	CHECK(a->rx_packets - rx0 == N, "rx_packets +%" PRIu64 ", want %d",
	      a->rx_packets - rx0, N);
	CHECK(a->rx_bytes - rxb0 == N * msg, "rx_bytes +%" PRIu64 ", want %" PRIu64,
	      a->rx_bytes - rxb0, N * msg);

	tx.n = 0;
	gw_wan_burst(lc, again, N, &tx, gw_now_ns(ctx));
	CHECK(tx.n == 0, "replays: %u out", tx.n);
	CHECK(peer->drops[GW_PDROP_DROP_REPLAYED_COUNTER] - rep0 == N,
	      "per-peer drop_replayed_counter +%" PRIu64 ", want %d",
	      peer->drops[GW_PDROP_DROP_REPLAYED_COUNTER] - rep0, N);
	CHECK(a->rx_packets - rx0 == N, "replays counted as received");

	for (d = 0; d < GW_PDROP_MAX; d++) {
		enum gw_counter c = gw_peer_drop_counter(d);

		CHECK(c < GW_CTR_MAX &&
			      strncmp(gw_counter_name(c), "drop_", 5) == 0,
		      "per-peer slot %u is not a drop", d);
		CHECK(gw_peer_drop_slot(c) == d, "slot %u does not map back", d);
	}
	CHECK(gw_peer_drop_slot(GW_CTR_DROP_NOT_FOR_US) == GW_PDROP_MAX,
	      "a drop before any peer is known has a per-peer slot");
}
