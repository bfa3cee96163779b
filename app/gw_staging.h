/* SPDX-License-Identifier: MIT */
/*
 * Packets held on the control lcore for a peer that has no usable
 * session yet, until a handshake completes (then they go out) or fails
 * (then they are dropped and counted). Every held packet is an mbuf the
 * RX rings cannot use, so what the network can make the gateway hold is
 * bounded twice: GW_STAGED_MAX per peer and GW_MAX_PEERS_STAGED over all
 * peers (gw_ctx.h), the second kept as a running count so that checking
 * it costs O(1) whatever the number of peers. A peer that has no
 * endpoint, or a gateway without a private key, can never complete a
 * handshake: their packets are dropped at once (the reference drivers
 * answer -EDESTADDRREQ), never held. Control lcore only.
 */
#ifndef GW_STAGING_H
#define GW_STAGING_H

#include <stdbool.h>

#include <rte_mbuf.h>

#include "gw_ctx.h"
#include "gw_stats.h"

struct gw_peer;

/* Hold m for peer, or free it and count why not (false). */
bool gw_staging_hold(struct gw_ctx *ctx, struct gw_peer *peer,
		     struct rte_mbuf *m);
/* The peer's held packets were handed on (sent): forget them. */
void gw_staging_handed_on(struct gw_ctx *ctx, struct gw_peer *peer);
/* Free the packets held for peer, counted under reason. */
void gw_staging_drop(struct gw_ctx *ctx, struct gw_peer *peer,
		     enum gw_counter reason);
/* Free every peer's held packets (the identity is gone), counted under
 * reason. */
void gw_staging_drop_all(struct gw_ctx *ctx, enum gw_counter reason);
/* Packets held over all peers (the running count, O(1)). */
unsigned int gw_staging_total(const struct gw_ctx *ctx);

#endif /* GW_STAGING_H */
