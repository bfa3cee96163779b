/* SPDX-License-Identifier: MIT */
/*
 * The initiations waiting for DH work, on the control lcore. The control
 * lcore takes handshake messages off the workers' ring quickly (mac1,
 * and under load mac2 or a cookie reply: cheap), copies each initiation
 * that earned DH work here and frees its mbuf at once, and then does the
 * DH work (inline or on a lane) at its own pace.
 *
 * Why: after a restart every peer retries within REKEY_TIMEOUT's jitter
 * (333 ms), many more initiations than a ring of mbufs can hold; dropped,
 * each would wait for its peer's next retry, 5 s later. Here they wait
 * without holding an mbuf, bounded by a capacity fixed at start
 * (interface.max_peers, at least GW_HANDSHAKE_RING, at most
 * GW_HS_BACKLOG_MAX).
 *
 * Oldest first, and only while an answer can still reach its initiator
 * before that retries (REKEY_TIMEOUT after it sent): older than
 * REKEY_TIMEOUT less a fifth (4 s) an initiation is dropped unanswered
 * (drop_handshake_stale; its peer's retry takes its place). When more
 * waits than can be answered in that time (a storm of N peers at R
 * handshakes a second holds N / R seconds of work) oldest first with the
 * limit at REKEY_TIMEOUT itself only reached initiations about to be
 * replaced, and most answers arrived after their initiator had moved on
 * (a quarter of the responses of a 10,000-peer perf/storm.sh); newest
 * first left the oldest waiting until stale whenever arrivals kept up
 * with the answers (bench_handshake lost them). A full backlog drops its
 * oldest to take the new one (drop_handshake_backlog_full).
 * "Under load" counts what waits here with what waits in the ring.
 */
#ifndef GW_HS_BACKLOG_H
#define GW_HS_BACKLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "gw_ctx.h"
#include "gw_hs_respond.h"

enum {
	GW_HS_BACKLOG_MAX = 1 << 17,
	GW_HS_BACKLOG_TURN = 256,  /* taken per turn at most (stale included) */
	GW_HS_BACKLOG_MARGIN = 5,  /* the age limit: REKEY_TIMEOUT less 1/5 */
};

struct gw_hs_backlog;

/* For max_peers peers; 0 or -ENOMEM. */
int gw_hs_backlog_create(struct gw_ctx *ctx, uint32_t max_peers);
void gw_hs_backlog_free(struct gw_ctx *ctx);

/* Keep an initiation (len bytes) that passed the macs, making room by
 * dropping the oldest (counted); false (counted) for a wrong length. */
bool gw_hs_backlog_push(struct gw_ctx *ctx, const uint8_t *msg,
			uint32_t len, const struct gw_hs_src *src);
/* One turn, oldest first: the stale ones dropped, the DH work to lanes
 * while they have room, inline at most GW_HANDSHAKE_BUDGET. Returns how
 * many initiations it took (at most GW_HS_BACKLOG_TURN). */
unsigned int gw_hs_backlog_serve(struct gw_ctx *ctx);
unsigned int gw_hs_backlog_count(const struct gw_ctx *ctx);

#endif /* GW_HS_BACKLOG_H */
