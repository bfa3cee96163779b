/* SPDX-License-Identifier: MIT */
/* The data path of a worker lcore (see gw_worker.c). */
#ifndef GW_WORKER_H
#define GW_WORKER_H

#include "gw_ctx.h"

struct gw_peer;

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
