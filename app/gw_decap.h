/* SPDX-License-Identifier: MIT */
/*
 * WAN → LAN, the two steps of a burst (gw_decap.c): classification down
 * to transport messages with a live keypair, then decryption and
 * delivery. Both run on the worker that decrypts the frames, the owner of
 * the RX queue or its helper (gw_spread.h decides which): a keypair
 * pointer looked up in the first step is used in the second before that
 * worker's next quiescent state.
 */
#ifndef GW_DECAP_H
#define GW_DECAP_H

#include <stdint.h>

#include "gw_ctx.h"
#include "wg_addr.h"

struct gw_keypair;
struct rte_mbuf;

/* A transport message classified and replay pre-checked. */
struct gw_decap_item {
	struct rte_mbuf *m;
	struct gw_keypair *kp;
	uint64_t counter;
	uint16_t outer_len;          /* Ethernet + IP + UDP + WG header */
	struct wg_endpoint src;
};

/*
 * Classify n WAN frames down to transport messages whose keypair is live
 * and whose counter passes the read-only replay pre-check (replays and
 * dead sessions cost no AEAD work); everything else is dropped (counted)
 * or handed to the control lcore here. Returns how many items were
 * filled.
 */
unsigned int gw_wan_classify(struct gw_lcore *lc, struct rte_mbuf **pkts,
			     unsigned int n, struct gw_decap_item *items,
			     uint64_t now);

/* Decrypt items (classified, replay pre-checked), deliver what
 * authenticates to out[]; *n_out is how many. */
void gw_decap_burst(struct gw_lcore *lc, struct gw_decap_item *items,
		    unsigned int n, struct rte_mbuf **out, unsigned int *n_out,
		    uint64_t now);

#endif /* GW_DECAP_H */
