/* SPDX-License-Identifier: MIT */
/*
 * The responder side of the handshake on the control lcore, and what the
 * control lcore's handshake code shares (sending a handshake message,
 * counting it on the peer, the macs and cookies under load).
 *
 * An initiation is answered either here, at once (no handshake lcores,
 * or every lane full), or in two trips through a handshake lane
 * (gw_hs_lane.h): the lane decrypts it, the control lcore finds and
 * checks the peer (gw_hs_accept), the lane creates the response, and the
 * control lcore installs the session and sends it (gw_hs_answered).
 * Either way the peer's state is only ever changed on the control lcore.
 */
#ifndef GW_HS_RESPOND_H
#define GW_HS_RESPOND_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "gw_ctx.h"
#include "gw_peer.h"
#include "wg_cookie.h"
#include "wg_noise.h"

/* Where a handshake message came from: the endpoint to answer, and the
 * address bytes the cookie is bound to. */
struct gw_hs_src {
	struct wg_endpoint ep;
	uint8_t bytes[WG_COOKIE_SOURCE_MAX];
	size_t len;
};

/* The worker checked lengths and mac1: the UDP payload of m, its length
 * and its source. */
uint8_t *gw_hs_parse_udp(struct rte_mbuf *m, struct gw_hs_src *src,
			 uint32_t *len);

/* Send a handshake message (UDP payload) to ep on the WAN port. With
 * resolve false (answers to sources nobody authenticated), the next hop
 * must already be known. */
void gw_hs_send_udp(struct gw_ctx *ctx, const struct wg_endpoint *ep,
		    const void *msg, uint32_t len, bool resolve);

/* Handshake bytes and packets in the peer's transfer counters. */
void gw_hs_count(struct gw_ctx *ctx, struct gw_peer *peer, uint32_t rx,
		 uint32_t tx);

/* testing.handshake_cost_us (busy time per handshake step); any lcore. */
void gw_hs_test_cost(const struct gw_ctx *ctx);

/* mac1, and under load mac2 (else a cookie reply) and the per-source
 * rate limit. False when the message must not be processed. */
bool gw_hs_check_macs(struct gw_ctx *ctx, uint8_t *msg, uint32_t len,
		      const struct gw_hs_src *src, uint64_t now);

/* An initiation that passed gw_hs_check_macs, answered here and now. */
void gw_hs_respond_inline(struct gw_ctx *ctx, uint8_t *msg, uint32_t len,
			  const struct gw_hs_src *src);

/* A decrypted initiation (res): its peer, which must accept it (replay,
 * flood). Returns the peer, its handshake ready for the response and a
 * fresh local index in *idx, the handshake index of an initiation of ours
 * retired; NULL (counted) when refused. res is wiped either way. */
struct gw_peer *gw_hs_accept(struct gw_ctx *ctx,
			     struct wg_initiation_result *res,
			     const struct gw_hs_src *src, uint32_t *idx);

/* The response is made and wkp derived from peer's handshake: install the
 * session, send the response, run the timers. wkp is wiped. */
void gw_hs_answered(struct gw_ctx *ctx, struct gw_peer *peer,
		    struct wg_msg_response *resp, struct wg_keypair *wkp,
		    uint32_t rx_len, const struct gw_hs_src *src);

#endif /* GW_HS_RESPOND_H */
