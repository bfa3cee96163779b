/* SPDX-License-Identifier: MIT */
/*
 * Handshake lanes: lcores (config `handshakes = { lcores = [...]; }`)
 * that take the X25519 work of responder handshakes off the control
 * lcore. Of the five X25519 operations a responder does (lib/wg_noise.c:
 * DH(s_r, e_i) and DH(s_r, s_i) to decrypt the initiation, the response's
 * ephemeral key pair, DH(e_r, e_i) and DH(e_r, s_i)), all five run on a
 * lane; the control lcore keeps what touches shared state (macs and
 * cookies, the peer lookup, replay and flood checks, indices, keypairs,
 * timers, sending).
 *
 * One lane per lcore: a single-producer single-consumer ring each way and
 * a fixed set of work items. The control lcore owns the free items; an
 * item belongs to whoever holds it (in a ring: the one that will dequeue
 * it), so no lock is taken anywhere. An initiation makes two trips:
 *
 *   control: macs -> item DECRYPT  -> lane: consume_initiation (2 DH)
 *   control: gw_hs_accept on the peer, its handshake copied into the item,
 *            the peer marked busy -> item RESPOND -> lane: create_response
 *            + derive_keypair (3 X25519)
 *   control: the peer still the same (slot, key, our identity):
 *            gw_hs_answered; busy cleared; item wiped and freed
 *
 * While busy, the peer's handshake is owned by the lane's copy: another
 * initiation for it is refused (drop_handshake_rejected) and the control
 * lcore starts no initiation of its own for it. When every lane is full,
 * the control lcore answers inline, at most GW_HANDSHAKE_BUDGET per turn
 * as without lanes, so timers, ARP and the UAPI never wait behind more
 * than that; results are collected at most GW_HS_COLLECT_BUDGET per lane
 * and turn.
 */
#ifndef GW_HS_LANE_H
#define GW_HS_LANE_H

#include <stdbool.h>
#include <stdint.h>

#include "gw_ctx.h"
#include "gw_hs_respond.h"

enum {
	GW_HS_LANE_ITEMS = 64,      /* in flight per lane (both trips) */
	GW_HS_COLLECT_BUDGET = 32,  /* results applied per lane and turn */
};

struct gw_hs_lanes;

/* Lanes on lcores[0..n) (n may be 0: none, nothing allocated); the lcores
 * must be enabled EAL lcores, not the main one and not workers. 0 or a
 * negative errno (logged). ctx->control must exist. */
int gw_hs_lanes_create(struct gw_ctx *ctx, const uint16_t *lcores,
		       unsigned int n);
/* Start each lane's loop on its lcore; it runs until ctx->quit. */
int gw_hs_lanes_launch(struct gw_ctx *ctx);
/* After the lanes stopped: every item wiped, rings and items freed. */
void gw_hs_lanes_free(struct gw_ctx *ctx);
unsigned int gw_hs_lanes_count(const struct gw_ctx *ctx);

/* Control lcore: hand an initiation that passed the macs to a lane.
 * False when there are no lanes or all are full (answer it inline). */
bool gw_hs_lanes_submit(struct gw_ctx *ctx, const uint8_t *msg,
			uint32_t len, const struct gw_hs_src *src);
/* Control lcore: apply what the lanes finished (bounded); how many. */
unsigned int gw_hs_lanes_collect(struct gw_ctx *ctx);
/* Is a lane making this peer's response? */
bool gw_hs_lane_busy(const struct gw_ctx *ctx, const struct gw_peer *peer);
/* Items out on lanes (tests, stats). */
unsigned int gw_hs_lanes_in_flight(const struct gw_ctx *ctx);
/* Responses the lanes made, all together. */
uint64_t gw_hs_lanes_answered(const struct gw_ctx *ctx);

/* A lane's loop (rte_eal_remote_launch argument: the lane). */
int gw_hs_lane_main(void *lane);
/* One burst of lane i on the calling thread, for tests that drive lanes
 * they did not launch; how many items it worked on. */
unsigned int gw_hs_lane_run_once(struct gw_ctx *ctx, unsigned int i);

#endif /* GW_HS_LANE_H */
