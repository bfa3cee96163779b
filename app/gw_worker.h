/* SPDX-License-Identifier: MIT */
/*
 * The data path of a worker lcore (see gw_worker.c).
 *
 * The per-burst functions take an array of mbufs and append what is to be
 * sent to a gw_txbuf, so that they run without a NIC (perf/bench_dataplane,
 * app/tests); gw_worker_main() is the thin poll loop around them: RX a
 * burst, call them, TX with a TSC-timed drain, report quiescence.
 *
 * Decrypt spreading: one tunnel's WAN traffic arrives on one RX queue,
 * hence on one worker. With two or more workers, that worker (the owner)
 * classifies each burst, hands part of it to a helper worker through an
 * SP/SC ring and decrypts the rest itself; both halves sit in the owner's
 * reorder buffer in arrival order, and gw_wan_collect() releases them to
 * TX strictly in that order. Every packet therefore leaves in the order it
 * arrived on its RX queue (per-peer order, hence per-flow order), and the
 * shared replay window is updated by both workers lock-free (wg_replay.h).
 */
#ifndef GW_WORKER_H
#define GW_WORKER_H

#include "gw_ctx.h"

struct gw_peer;

enum gw_worker_limits {
	GW_TXBUF = 4 * GW_BURST,     /* frames buffered per port and lcore */
	GW_ROB = 16,                 /* chunks in flight per owner */
	GW_SPREAD_MIN = 8,           /* smaller bursts are not split */
	GW_TX_DRAIN_US = 100,        /* a partial TX burst waits at most this */
	/* a worker that had a full RX burst of its own this recently is
	 * busy: nothing is handed to it */
	GW_BUSY_NS = 50000,
};

/* Frames waiting for one rte_eth_tx_burst. */
struct gw_txbuf {
	struct rte_mbuf *m[GW_TXBUF];
	unsigned int n;
};

/*
 * LAN → WAN: n (<= GW_BURST) frames received on the LAN port. Classifies
 * them, looks their destinations up in one bulk AllowedIPs lookup,
 * reserves sending counters with one fetch-add per keypair, encrypts them
 * in place as one ipsec-mb burst and appends the WireGuard frames to
 * wan_tx (which needs room for n more). Everything else is dropped
 * (counted) or handed to the control lcore. Consumes the mbufs.
 */
void gw_lan_burst(struct gw_lcore *lc, struct rte_mbuf **pkts, unsigned int n,
		  struct gw_txbuf *wan_tx, uint64_t now);

/*
 * WAN → LAN: n (<= GW_BURST) frames received on the WAN port. Decrypted
 * inner frames are appended to lan_tx (room for n more needed), or, when
 * the lcore spreads its decryption, kept in its reorder buffer until
 * gw_wan_collect() releases them. With spreading on, call only when
 * gw_wan_room() is true. Consumes the mbufs.
 */
void gw_wan_burst(struct gw_lcore *lc, struct rte_mbuf **pkts, unsigned int n,
		  struct gw_txbuf *lan_tx, uint64_t now);

/* Whether gw_wan_burst() may be called (reorder buffer not full). */
bool gw_wan_room(const struct gw_lcore *lc);

/* Append the decrypted frames whose turn has come, in arrival order, to
 * lan_tx as far as it has room. Returns how many were appended. */
unsigned int gw_wan_collect(struct gw_lcore *lc, struct gw_txbuf *lan_tx);

/* Whether the lcore's reorder buffer is empty (nothing handed off is
 * still outstanding). */
bool gw_wan_idle(const struct gw_lcore *lc);

/* Helper side: decrypt the chunks other workers handed to lc. Returns how
 * many chunks were processed. Never waits. */
unsigned int gw_assist(struct gw_lcore *lc, uint64_t now);

/* Report a quiescent state: lc holds no table reference between calls
 * (handed-off frames carry none). Once per loop. */
void gw_worker_quiescent(struct gw_lcore *lc);

/*
 * Decrypt spreading between the workers of ctx (worker i hands work to
 * worker i+1 mod n). No-op with one worker. gw_spread_free() undoes it
 * (workers stopped). Returns 0 or a negative errno.
 */
int gw_spread_setup(struct gw_ctx *ctx);
void gw_spread_free(struct gw_ctx *ctx);

/* TX buffered frames on the lcore's queue of a port; unsent ones are
 * dropped and counted. */
void gw_tx_flush(struct gw_lcore *lc, enum gw_role role, struct gw_txbuf *b);

/* rte_eal_remote_launch entry; arg is the worker's struct gw_lcore. */
int gw_worker_main(void *arg);

/*
 * Encrypt inner IP packets (mbuf data = the IP header; length 0 makes a
 * keepalive) for one peer with its current keypair and send them to its
 * endpoint on lc's WAN TX queue. Used by the control lcore for staged
 * packets and keepalives; the caller checked that the peer has a usable
 * keypair and an endpoint. Consumes the mbufs; returns how many went out.
 */
unsigned int gw_encap_send(struct gw_lcore *lc, struct gw_peer *peer,
			   struct rte_mbuf **pkts, unsigned int n);

#endif /* GW_WORKER_H */
