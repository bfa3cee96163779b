/* SPDX-License-Identifier: MIT */
/*
 * The data path of a worker lcore (see gw_worker.c).
 *
 * The per-burst functions take an array of mbufs and append what is to be
 * sent to a gw_txbuf, so that they run without a NIC (perf/bench_dataplane,
 * app/tests); gw_worker_main() is the thin poll loop around them: RX a
 * burst, call them, TX with a TSC-timed drain, report quiescence.
 *
 * The WAN side's entry points, which spread one tunnel's decryption over
 * two workers that each transmit what they decrypted in turn, are
 * gw_spread.h's.
 */
#ifndef GW_WORKER_H
#define GW_WORKER_H

#include "gw_ctx.h"
#include "gw_spread.h"

struct gw_peer;

enum gw_worker_limits {
	GW_TXBUF = 4 * GW_BURST,     /* frames buffered per port and lcore */
	GW_TX_DRAIN_US = 100,        /* a partial TX burst waits at most this */
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

/* Report a quiescent state: lc holds no table reference between calls
 * (handed-off frames carry none). Once per loop. */
void gw_worker_quiescent(struct gw_lcore *lc);

/* TX buffered frames on the lcore's queue of a port; unsent ones are
 * dropped and counted. On the LAN port it then passes on the lcore's
 * decrypt-spreading turn, if it holds one (gw_wan_sent). */
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
