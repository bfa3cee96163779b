/* SPDX-License-Identifier: MIT */
/*
 * What workers hand to the control lcore: one ring per kind of packet
 * (gw_ctrl_kind: handshakes, ARP/ND, other local traffic such as ICMP,
 * packets staged for a handshake, frames waiting for a neighbour, frames
 * answered with "too big") and one ring of events. A kind whose ring is full loses its own
 * packets, counted under its own name, and never takes another kind's
 * room; the control lcore serves every ring each turn of its loop, at
 * most a fixed budget from each, so that a flood of one kind (handshakes
 * cost a DH each) cannot starve the others. "Under load" (cookie replies
 * instead of DH work) is decided from the handshake ring alone.
 */
#ifndef GW_CTRL_RINGS_H
#define GW_CTRL_RINGS_H

#include "gw_ctx.h"
#include "wg_cookie.h"

/* Per turn of the control loop: handshakes answered on the control lcore
 * itself are the dear ones (five X25519 operations each: at most
 * GW_HANDSHAKE_BUDGET, gw_hs_backlog.h); taking packets off any ring is
 * cheap. The handshake intake (mac1, under load mac2 or a cookie reply,
 * a copy into the backlog: a few microseconds each) is a quarter of the
 * ring a turn: a retry wave after a restart arrives at hundreds of
 * thousands a second and a turn with its DH work takes milliseconds, so
 * that a smaller intake lets the ring overflow (the peers dropped wait
 * 5 s for their next retry while the backlog runs dry: perf/storm.sh).
 * It is bounded too by the room left in the control lcore's TX ring
 * (each message taken may make one cookie reply), less what the rest of
 * the turn may send (GW_HANDSHAKE_TX_RESERVE): what does not fit waits in
 * the handshake ring, where it is counted if it overflows, instead of
 * costing a cookie reply that the TX ring drops. */
enum {
	GW_HANDSHAKE_BUDGET = 8,
	GW_HANDSHAKE_INTAKE = GW_HANDSHAKE_RING / 4,
	GW_HANDSHAKE_TX_RESERVE = GW_HANDSHAKE_BUDGET + 2 * GW_BURST,
	GW_CTRL_BUDGET = GW_BURST,
};

/* The counter a packet of this kind is dropped under when its ring is
 * full (kinds are the worker's constants, never a packet's data). */
static inline enum gw_counter gw_ctrl_full_counter(enum gw_ctrl_kind kind)
{
	switch (kind) {
	case GW_CTRL_HANDSHAKE:
		return GW_CTR_DROP_HANDSHAKE_RING_FULL;
	case GW_CTRL_LOCAL:
		return GW_CTR_DROP_LOCAL_RING_FULL;
	case GW_CTRL_NEIGH:
		return GW_CTR_DROP_NEIGHBOUR_RING_FULL;
	case GW_CTRL_TOO_BIG:
		return GW_CTR_DROP_TOO_BIG_RING_FULL;
	case GW_CTRL_ARP_ND:
		return GW_CTR_DROP_ARP_ND_RING_FULL;
	case GW_CTRL_TTL:
		return GW_CTR_DROP_TTL_EXCEEDED_RING_FULL;
	default:
		return GW_CTR_DROP_CONTROL_RING_FULL; /* the staging ring */
	}
}

/* A local frame (GW_CTRL_LOCAL) that is ARP or IPv6 neighbour discovery
 * (router/neighbour solicitation and advertisement, redirect) goes on a
 * ring of its own. */
static inline enum gw_ctrl_kind gw_ctrl_local_kind(const struct rte_mbuf *m)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t et;

	if (m->data_len < RTE_ETHER_HDR_LEN + 41)
		return GW_CTRL_LOCAL;
	et = (uint16_t)(f[12] << 8 | f[13]);
	if (et == RTE_ETHER_TYPE_ARP)
		return GW_CTRL_ARP_ND;
	/* IPv6, next header ICMPv6, types 133..137 */
	if (et == RTE_ETHER_TYPE_IPV6 && f[RTE_ETHER_HDR_LEN + 6] == 58 &&
	    f[RTE_ETHER_HDR_LEN + 40] >= 133 && f[RTE_ETHER_HDR_LEN + 40] <= 137)
		return GW_CTRL_ARP_ND;
	return GW_CTRL_LOCAL;
}

/* Every packet ring (multi-producer, single-consumer) and the event
 * ring; 0 or -ENOMEM. Also what tests and benchmarks that build the
 * data-plane world by hand call. */
int gw_ctrl_rings_create(struct gw_ctx *ctx);
void gw_ctrl_rings_free(struct gw_ctx *ctx);

/* This turn's handshake intake: GW_HANDSHAKE_INTAKE, or less when the
 * control lcore's WAN TX ring has less room (see above). */
unsigned int gw_ctrl_hs_intake(const struct gw_ctx *ctx);

/* One turn: up to each ring's budget from each, in kind order, each
 * packet to input (which owns it then). Returns how many were taken. */
unsigned int gw_ctrl_rings_serve(struct gw_ctx *ctx,
				 void (*input)(struct gw_ctx *ctx,
					       struct rte_mbuf *m));

/* Packets waiting in every packet ring together. */
unsigned int gw_ctrl_rings_depth(const struct gw_ctx *ctx);

/* Whether handshake messages queue up faster than the control lcore
 * answers them: the handshake ring's fill with the initiations waiting in
 * the backlog, against the ring's size (wg_under_load: 1/8). */
bool gw_ctrl_under_load(struct gw_ctx *ctx, struct wg_load_state *load,
			uint64_t now);

#endif /* GW_CTRL_RINGS_H */
