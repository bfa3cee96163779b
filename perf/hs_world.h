/* SPDX-License-Identifier: MIT */
/*
 * A gateway's control side without a NIC, for the handshake benchmark and
 * the handshake-lane test: the real control lcore (gw_control_create,
 * gw_control_set_private_key, gw_peer_add, gw_control_poll), N peers, the
 * WAN router resolved, and the control lcore's WAN frames caught in a
 * ring (its tx_handoff, as on a memif port) instead of a port. Beside it,
 * the initiators: one lib/wg_noise identity per peer that makes
 * initiation frames and checks the responses.
 *
 * Kept apart from the data-plane testbed (app/gw_testbed.h) so that it
 * can move onto it once that covers the control lcore.
 */
#ifndef HS_WORLD_H
#define HS_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "gw_ctx.h"
#include "wg_cookie.h"
#include "wg_noise.h"

struct hs_client {
	struct wg_identity id;
	struct wg_handshake hs;      /* towards the gateway */
	struct wg_cookie_maker cookie;
	uint32_t addr;               /* host order, 203.0.113.0/24 */
	uint16_t port;
	uint32_t n_initiations;      /* in the sender index, above p */
};

struct hs_world {
	struct gw_ctx *ctx;
	struct rte_mempool *pool;
	struct rte_ring *wan_tx;     /* what the control lcore sent */
	uint32_t n_peers;
	struct hs_client *cl;
	struct wg_identity gw_id;
};

/* n_peers peers and lanes on lanes[0..n_lanes), launched (stopped by
 * hs_world_free) when launch is set, else left for the caller to drive
 * (gw_hs_lane_run_once). name: unique per process (DPDK objects). */
int hs_world_build(struct hs_world *w, const char *name, uint32_t n_peers,
		   const uint16_t *lanes, unsigned int n_lanes, bool launch);
void hs_world_free(struct hs_world *w);

/* Client p's next initiation as a WAN frame tagged for the handshake
 * ring; unix_ns is its timestamp (must grow per client). NULL: no mbuf. */
struct rte_mbuf *hs_client_initiation(struct hs_world *w, uint32_t p,
				      uint64_t unix_ns);
/* A frame the control lcore sent: the client it is for (by address and
 * port) and its WireGuard message type, or -1 when it is neither. */
int hs_frame_client(const struct hs_world *w, struct rte_mbuf *m,
		    uint32_t *p, const uint8_t **msg, uint32_t *len);
/* Is this response (receiver index) for client p's last initiation? */
bool hs_client_is_current(const struct hs_world *w, uint32_t p,
			  const uint8_t *msg, uint32_t len);
/* Client p consumes the gateway's response: WG_NOISE_OK when it is valid
 * for the client's last initiation. */
enum wg_noise_result hs_client_response(struct hs_world *w, uint32_t p,
					const uint8_t *msg, uint32_t len);

#endif /* HS_WORLD_H */
