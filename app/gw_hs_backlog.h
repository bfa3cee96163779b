/* SPDX-License-Identifier: MIT */
/*
 * The initiations waiting for DH work, on the control lcore. The control
 * lcore takes handshake messages off the workers' ring quickly (mac1,
 * and under load mac2 or a cookie reply: cheap), copies each initiation
 * that earned DH work here and frees its mbuf at once, and then does the
 * DH work (inline or on a lane) at its own pace, oldest first.
 *
 * Why: after a restart every peer retries within REKEY_TIMEOUT's jitter
 * (333 ms), many more initiations than a ring of mbufs can hold; dropped,
 * each would wait for its peer's next retry, 5 s later. Here they wait
 * without holding an mbuf, bounded by a capacity fixed at start
 * (interface.max_peers, at least GW_HANDSHAKE_RING, at most
 * GW_HS_BACKLOG_MAX) and by age: an initiation older than REKEY_TIMEOUT
 * has been replaced by its peer's retry and is dropped unanswered
 * (drop_handshake_stale), so the DH work goes to initiations whose
 * initiator still waits. A full backlog drops (drop_handshake_backlog_full).
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

/* Keep an initiation (len bytes) that passed the macs; false (counted)
 * when the backlog is full. */
bool gw_hs_backlog_push(struct gw_ctx *ctx, const uint8_t *msg,
			uint32_t len, const struct gw_hs_src *src);
/* The DH work of one turn: to lanes while they have room, inline at most
 * GW_HANDSHAKE_BUDGET. Returns how many initiations it took. */
unsigned int gw_hs_backlog_serve(struct gw_ctx *ctx);
unsigned int gw_hs_backlog_count(const struct gw_ctx *ctx);

#endif /* GW_HS_BACKLOG_H */
