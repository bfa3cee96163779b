/* SPDX-License-Identifier: MIT */
/* Initiations waiting for DH work (gw_hs_backlog.h). */
#include "gw_hs_backlog.h"

#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "gw_control.h"
#include "gw_ctrl_rings.h"
#include "gw_hs_lane.h"
#include "wg_crypto.h"

struct hs_wait {
	uint64_t arrived_ns;
	struct gw_hs_src src;
	uint8_t msg[WG_MSG_INITIATION_LEN];
};

struct gw_hs_backlog {
	uint32_t cap, head, count;       /* FIFO in e[] */
	struct hs_wait e[];
};

int gw_hs_backlog_create(struct gw_ctx *ctx, uint32_t max_peers)
{
	uint32_t cap = RTE_MAX(max_peers, (uint32_t)GW_HANDSHAKE_RING);
	struct gw_hs_backlog *b;

	cap = RTE_MIN(cap, (uint32_t)GW_HS_BACKLOG_MAX);
	/* libc: only the control lcore reads it */
	b = calloc(1, sizeof(*b) + (size_t)cap * sizeof(b->e[0]));
	if (!b)
		return -ENOMEM;
	b->cap = cap;
	ctx->hs_backlog = b;
	return 0;
}

void gw_hs_backlog_free(struct gw_ctx *ctx)
{
	struct gw_hs_backlog *b = ctx->hs_backlog;

	if (!b)
		return;
	wg_wipe(b->e, (size_t)b->cap * sizeof(b->e[0]));
	free(b);
	ctx->hs_backlog = NULL;
}

unsigned int gw_hs_backlog_count(const struct gw_ctx *ctx)
{
	return ctx->hs_backlog ? ctx->hs_backlog->count : 0;
}

/* A full backlog drops its oldest: the one whose initiator is next to
 * give up on it. */
static void drop_oldest(struct gw_ctx *ctx, struct gw_hs_backlog *b)
{
	gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_HANDSHAKE_BACKLOG_FULL, 1);
	wg_wipe(&b->e[b->head], sizeof(b->e[0]));
	b->head = (b->head + 1) % b->cap;
	b->count--;
}

bool gw_hs_backlog_push(struct gw_ctx *ctx, const uint8_t *msg,
			uint32_t len, const struct gw_hs_src *src)
{
	struct gw_hs_backlog *b = ctx->hs_backlog;
	struct hs_wait *w;

	if (!b || len != WG_MSG_INITIATION_LEN) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_HANDSHAKE_BACKLOG_FULL,
			 1);
		return false;
	}
	if (b->count == b->cap)
		drop_oldest(ctx, b);
	w = &b->e[(b->head + b->count) % b->cap];
	w->arrived_ns = gw_now_ns(ctx);
	w->src = *src;
	memcpy(w->msg, msg, len);
	b->count++;
	return true;
}

unsigned int gw_hs_backlog_serve(struct gw_ctx *ctx)
{
	struct gw_hs_backlog *b = ctx->hs_backlog;
	uint64_t now = gw_now_ns(ctx);
	uint64_t retry = ctx->control->timer_params.rekey_timeout;
	/* an answer must reach its initiator before it retries */
	uint64_t max_age = retry - retry / GW_HS_BACKLOG_MARGIN;
	unsigned int inline_done = 0, taken = 0;

	/* a bound on the turn even when only stale ones wait */
	while (b && b->count && taken < GW_HS_BACKLOG_TURN) {
		struct hs_wait *w = &b->e[b->head];

		if (now - w->arrived_ns > max_age) {
			gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_HANDSHAKE_STALE,
				 1);
		} else if (!gw_hs_lanes_submit(ctx, w->msg, sizeof(w->msg),
					       &w->src)) {
			if (inline_done == GW_HANDSHAKE_BUDGET)
				break;
			inline_done++;
			gw_hs_respond_inline(ctx, w->msg, sizeof(w->msg),
					     &w->src);
		}
		wg_wipe(w, sizeof(*w));
		b->head = (b->head + 1) % b->cap;
		b->count--;
		taken++;
	}
	return taken;
}
