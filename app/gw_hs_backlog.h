/* SPDX-License-Identifier: MIT */
/*
 * The initiations waiting for DH work, on the control lcore. The control
 * lcore takes handshake messages off the workers' ring quickly (mac1,
 * and under load mac2 or a cookie reply: cheap), copies each initiation
 * that earned DH work here and frees its mbuf at once, and then does the
 * DH work (inline or on a lane) at its own pace, newest first.
 *
 * Why: after a restart every peer retries within REKEY_TIMEOUT's jitter
 * (333 ms), many more initiations than a ring of mbufs can hold; dropped,
 * each would wait for its peer's next retry, 5 s later. Here they wait
 * without holding an mbuf, bounded by a capacity fixed at start
 * (interface.max_peers, at least GW_HANDSHAKE_RING, at most
 * GW_HS_BACKLOG_MAX).
 *
 * Newest first: an initiator keeps waiting for the answer to its latest
 * initiation for REKEY_TIMEOUT and then replaces it. When more waits than
 * can be answered in that time (a storm of N peers at R handshakes a
 * second holds N / R seconds of work), oldest first would only ever reach
 * initiations about to be replaced, and most answers would arrive after
 * their initiator moved on (measured with perf/storm.sh: a quarter of the
 * responses of a 10,000-peer storm). The newest is the one whose
 * initiator is surest to still want it. At the old end, an initiation
 * older than REKEY_TIMEOUT has been replaced by its peer's retry and is
 * dropped unanswered (drop_handshake_stale); a full backlog drops its
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
};

struct gw_hs_backlog;

/* For max_peers peers; 0 or -ENOMEM. */
int gw_hs_backlog_create(struct gw_ctx *ctx, uint32_t max_peers);
void gw_hs_backlog_free(struct gw_ctx *ctx);

/* Keep an initiation (len bytes) that passed the macs, making room by
 * dropping the oldest (counted); false (counted) for a wrong length. */
bool gw_hs_backlog_push(struct gw_ctx *ctx, const uint8_t *msg,
			uint32_t len, const struct gw_hs_src *src);
/* One turn: the stale ones dropped, then the DH work, newest first: to
 * lanes while they have room, inline at most GW_HANDSHAKE_BUDGET. Returns
 * how many initiations it took (at most GW_HS_BACKLOG_TURN). */
unsigned int gw_hs_backlog_serve(struct gw_ctx *ctx);
unsigned int gw_hs_backlog_count(const struct gw_ctx *ctx);

#endif /* GW_HS_BACKLOG_H */
