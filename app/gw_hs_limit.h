/* SPDX-License-Identifier: MIT */
/*
 * The per-source initiation limit on the workers, before the handshake
 * ring: one source (an IPv4 address, an IPv6 /64) whose initiations come
 * faster than GW_HS_LIMIT_PER_SECOND after a burst has its excess dropped
 * (drop_handshake_source_limited) on the worker that received them, so
 * they never reach the ring whose fill decides "under load" for every
 * peer. The reference drivers limit a source only after mac2, under
 * load; this one applies always, which is why it is looser.
 *
 * Each worker has its own table (lib/wg_ratelimit, one owner, no lock, no
 * allocation after start-up). RSS normally gives one source's packets to
 * one RX queue; a source whose packets spread over every worker still
 * gets at most n_workers times one worker's share, and the burst is
 * divided among the workers so that even then one source's burst stays
 * below the ring fill that means "under load" (see gw_hs_limit_burst).
 * A full table gives the slot of its least recently seen source away
 * (fail open): a spoofed many-source flood is the cookie's job, and must
 * not lock a legitimate source out here.
 */
#ifndef GW_HS_LIMIT_H
#define GW_HS_LIMIT_H

#include "gw_ctx.h"
#include "wg_ratelimit.h"

enum gw_hs_limit_constants {
	/* a legitimate peer retries once per REKEY_TIMEOUT (5 s); 20/s
	 * sustained is twenty peers behind one NAT rekeying every second */
	GW_HS_LIMIT_PER_SECOND = 20,
	GW_HS_LIMIT_BURST_MAX = 20,  /* per worker, few workers */
	GW_HS_LIMIT_BURST_MIN = WG_RATELIMIT_BURST,
	/* one source's burst over every worker together stays below half
	 * of the handshake ring fill that means "under load" (1/8) */
	GW_HS_LIMIT_BURST_TOTAL = GW_HANDSHAKE_RING / 16,
	GW_HS_LIMIT_ENTRIES = 4096,  /* sources per worker */
};

/* One worker's burst for n_workers workers. */
static inline uint32_t gw_hs_limit_burst(unsigned int n_workers)
{
	uint32_t b = GW_HS_LIMIT_BURST_TOTAL / (n_workers ? n_workers : 1);

	return b < GW_HS_LIMIT_BURST_MIN ? GW_HS_LIMIT_BURST_MIN :
	       b > GW_HS_LIMIT_BURST_MAX ? GW_HS_LIMIT_BURST_MAX : b;
}

/* A table for each of ctx->n_workers workers; 0 or -ENOMEM. */
int gw_hs_limit_create(struct gw_ctx *ctx);
void gw_hs_limit_free(struct gw_ctx *ctx);

/* May this worker pass one more initiation from src to the control
 * lcore? (A worker without a table passes everything.) */
static inline bool gw_hs_limit_allow(struct gw_lcore *lc,
				     const struct wg_endpoint *src,
				     uint64_t now)
{
	return !lc->hs_limit ||
	       wg_ratelimit_allow(lc->hs_limit, src->family, src->addr, now);
}

#endif /* GW_HS_LIMIT_H */
