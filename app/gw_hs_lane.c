/* SPDX-License-Identifier: MIT */
/* Handshake lanes (gw_hs_lane.h). */
#include "gw_hs_lane.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "gw_control.h"
#include "gw_tables.h"
#include "wg_crypto.h"

enum item_step { STEP_DECRYPT = 1, STEP_RESPOND = 2 };

/* One initiation on its way: everything a lane needs, so that a lane
 * never reads the control lcore's state. Holds secrets: wiped when
 * freed. */
struct gw_hs_item {
	enum item_step step;
	enum wg_noise_result result;
	uint32_t len;
	struct gw_hs_src src;
	struct wg_msg_initiation msg;
	struct wg_identity id;           /* ours, when the item was made */
	struct wg_initiation_result res; /* DECRYPT's output */
	/* RESPOND: the peer, and its handshake as accepted */
	struct gw_peer *peer;
	uint32_t peer_id;
	uint32_t local_index;
	struct wg_handshake hs;
	struct wg_msg_response resp;     /* RESPOND's output */
	struct wg_keypair kp;
};

struct gw_hs_lane {
	struct gw_ctx *ctx;
	unsigned int lcore_id;
	struct rte_ring *to_lane;        /* control -> lane */
	struct rte_ring *from_lane;      /* lane -> control */
	struct gw_hs_item *items;        /* GW_HS_LANE_ITEMS */
	struct gw_hs_item *free[GW_HS_LANE_ITEMS]; /* control's */
	unsigned int n_free;
	uint64_t answered;               /* control's count */
} __rte_cache_aligned;

struct gw_hs_lanes {
	unsigned int n;
	unsigned int next;               /* round robin start */
	uint8_t *busy;                   /* by peer id, control's */
	uint32_t n_busy_slots;
	struct gw_hs_lane lane[WG_HANDSHAKE_LCORES_MAX];
};

static bool lcore_usable(const struct gw_ctx *ctx, unsigned int lcore)
{
	unsigned int i;

	if (lcore >= RTE_MAX_LCORE || !rte_lcore_is_enabled(lcore) ||
	    lcore == rte_get_main_lcore())
		return false;
	for (i = 0; i < ctx->n_workers; i++)
		if (ctx->workers[i].lcore_id == lcore)
			return false;
	return true;
}

int gw_hs_lanes_create(struct gw_ctx *ctx, const uint16_t *lcores,
		       unsigned int n)
{
	struct gw_hs_lanes *ls;
	unsigned int i, k;
	char name[RTE_RING_NAMESIZE];

	if (n == 0)
		return 0;
	if (n > WG_HANDSHAKE_LCORES_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!lcore_usable(ctx, lcores[i])) {
			GW_LOG(ERR, "handshakes.lcores: lcore %u is not an EAL lcore free for handshakes (not main, not a worker; see -l)",
			       lcores[i]);
			return -EINVAL;
		}
	ls = rte_zmalloc("gw_hs_lanes", sizeof(*ls), RTE_CACHE_LINE_SIZE);
	if (!ls)
		return -ENOMEM;
	ctx->hs_lanes = ls;
	ls->n_busy_slots = ctx->tables->max_peers;
	ls->busy = rte_zmalloc("gw_hs_busy", ls->n_busy_slots, 0);
	if (!ls->busy)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct gw_hs_lane *l = &ls->lane[i];

		l->ctx = ctx;
		l->lcore_id = lcores[i];
		snprintf(name, sizeof(name), "gw_hs_to%u", i);
		l->to_lane = rte_ring_create(name, GW_HS_LANE_ITEMS,
					     (int)rte_socket_id(),
					     RING_F_SP_ENQ | RING_F_SC_DEQ |
						     RING_F_EXACT_SZ);
		snprintf(name, sizeof(name), "gw_hs_from%u", i);
		l->from_lane = rte_ring_create(name, GW_HS_LANE_ITEMS,
					       (int)rte_socket_id(),
					       RING_F_SP_ENQ | RING_F_SC_DEQ |
						       RING_F_EXACT_SZ);
		l->items = rte_zmalloc("gw_hs_items",
				       GW_HS_LANE_ITEMS * sizeof(*l->items),
				       RTE_CACHE_LINE_SIZE);
		if (!l->to_lane || !l->from_lane || !l->items)
			return -ENOMEM;
		for (k = 0; k < GW_HS_LANE_ITEMS; k++)
			l->free[l->n_free++] = &l->items[k];
		ls->n++;
	}
	GW_LOG(INFO, "%u handshake lane(s): responder X25519 work off the control lcore",
	       ls->n);
	return 0;
}

int gw_hs_lanes_launch(struct gw_ctx *ctx)
{
	struct gw_hs_lanes *ls = ctx->hs_lanes;
	unsigned int i;
	int ret;

	for (i = 0; ls && i < ls->n; i++) {
		ret = rte_eal_remote_launch(gw_hs_lane_main, &ls->lane[i],
					    ls->lane[i].lcore_id);
		if (ret < 0) {
			GW_LOG(ERR, "handshake lane on lcore %u: %s",
			       ls->lane[i].lcore_id, rte_strerror(-ret));
			return ret;
		}
	}
	return 0;
}

void gw_hs_lanes_free(struct gw_ctx *ctx)
{
	struct gw_hs_lanes *ls = ctx->hs_lanes;
	unsigned int i;

	if (!ls)
		return;
	for (i = 0; i < WG_HANDSHAKE_LCORES_MAX; i++) {
		struct gw_hs_lane *l = &ls->lane[i];

		rte_ring_free(l->to_lane);
		rte_ring_free(l->from_lane);
		if (l->items) {
			wg_wipe(l->items, GW_HS_LANE_ITEMS * sizeof(*l->items));
			rte_free(l->items);
		}
	}
	rte_free(ls->busy);
	rte_free(ls);
	ctx->hs_lanes = NULL;
}

unsigned int gw_hs_lanes_count(const struct gw_ctx *ctx)
{
	return ctx->hs_lanes ? ctx->hs_lanes->n : 0;
}

/* ------------------------------------------------------ the lane */

static void lane_work(const struct gw_ctx *ctx, struct gw_hs_item *it)
{
	gw_hs_test_cost(ctx);
	if (it->step == STEP_DECRYPT) {
		it->result = wg_noise_consume_initiation(&it->id, &it->msg,
							 &it->res);
		return;
	}
	it->result = wg_noise_create_response(&it->hs, &it->resp,
					      it->local_index, NULL);
	if (it->result == WG_NOISE_OK)
		it->result = wg_noise_derive_keypair(&it->hs, &it->kp);
}

static unsigned int lane_burst(struct gw_hs_lane *l)
{
	struct gw_hs_item *its[8];
	unsigned int n, i;

	n = rte_ring_sc_dequeue_burst(l->to_lane, (void **)its, RTE_DIM(its),
				      NULL);
	for (i = 0; i < n; i++)
		lane_work(l->ctx, its[i]);
	/* never fails: the ring holds every item there is */
	if (n)
		rte_ring_sp_enqueue_bulk(l->from_lane, (void **)its, n, NULL);
	return n;
}

int gw_hs_lane_main(void *arg)
{
	struct gw_hs_lane *l = arg;

	while (!__atomic_load_n(&l->ctx->quit, __ATOMIC_RELAXED))
		if (!lane_burst(l))
			usleep(20); /* not a data path: idle, let others run */
	return 0;
}

unsigned int gw_hs_lane_run_once(struct gw_ctx *ctx, unsigned int i)
{
	struct gw_hs_lanes *ls = ctx->hs_lanes;

	return ls && i < ls->n ? lane_burst(&ls->lane[i]) : 0;
}

/* -------------------------------------------------- control side */

static void item_free(struct gw_hs_lane *l, struct gw_hs_item *it)
{
	wg_wipe(it, sizeof(*it));
	l->free[l->n_free++] = it;
}

bool gw_hs_lanes_submit(struct gw_ctx *ctx, const uint8_t *msg,
			uint32_t len, const struct gw_hs_src *src)
{
	struct gw_hs_lanes *ls = ctx->hs_lanes;
	struct gw_hs_lane *l = NULL;
	struct gw_hs_item *it;
	unsigned int i;

	if (!ls || len != sizeof(it->msg))
		return false;
	/* the next lane with a free item; each item fits its rings */
	for (i = 0; i < ls->n; i++) {
		struct gw_hs_lane *c = &ls->lane[(ls->next + i) % ls->n];

		if (c->n_free) {
			l = c;
			break;
		}
	}
	if (!l)
		return false;
	ls->next = (unsigned int)(l - ls->lane + 1) % ls->n;
	it = l->free[--l->n_free];
	it->step = STEP_DECRYPT;
	it->len = len;
	it->src = *src;
	memcpy(&it->msg, msg, sizeof(it->msg));
	it->id = ctx->control->id;
	rte_ring_sp_enqueue(l->to_lane, it);
	return true;
}

/* The DECRYPT trip is back: the peer's turn, on the control lcore. */
static void decrypted(struct gw_ctx *ctx, struct gw_hs_lane *l,
		      struct gw_hs_item *it)
{
	struct gw_hs_lanes *ls = ctx->hs_lanes;
	struct gw_peer *peer;

	if (it->result != WG_NOISE_OK) {
		GW_LOG(DEBUG, "initiation refused: %s",
		       wg_noise_result_str(it->result));
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_HANDSHAKE_REJECTED, 1);
		item_free(l, it);
		return;
	}
	peer = gw_hs_accept(ctx, &it->res, &it->src, &it->local_index);
	if (!peer) {
		item_free(l, it);
		return;
	}
	/* the lane works on a copy; the peer's own handshake is left
	 * empty (replay state kept) until the answer is applied */
	it->hs = peer->hs;
	wg_handshake_clear(&peer->hs);
	it->peer = peer;
	it->peer_id = peer->id;
	ls->busy[peer->id] = 1;
	it->step = STEP_RESPOND;
	rte_ring_sp_enqueue(l->to_lane, it);
}

/* The RESPOND trip is back: apply it if the peer is still the one it was
 * made for (not removed, same key, our identity unchanged meanwhile). */
static void responded(struct gw_ctx *ctx, struct gw_hs_lane *l,
		      struct gw_hs_item *it)
{
	struct gw_hs_lanes *ls = ctx->hs_lanes;
	struct gw_control *c = ctx->control;
	struct gw_peer *peer = gw_tables_peer(ctx->tables, it->peer_id);

	ls->busy[it->peer_id] = 0;
	if (it->result != WG_NOISE_OK || peer != it->peer ||
	    !wg_equal(peer->public_key, it->hs.remote_static, WG_KEY_LEN) ||
	    !c->id.has_private_key ||
	    !wg_equal(c->id.public_key, it->id.public_key, WG_KEY_LEN)) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_HANDSHAKE_REJECTED, 1);
		item_free(l, it);
		return;
	}
	gw_hs_answered(ctx, peer, &it->resp, &it->kp, it->len, &it->src);
	l->answered++;
	item_free(l, it);
}

unsigned int gw_hs_lanes_collect(struct gw_ctx *ctx)
{
	struct gw_hs_lanes *ls = ctx->hs_lanes;
	struct gw_hs_item *its[GW_HS_COLLECT_BUDGET];
	unsigned int i, k, n, work = 0;

	for (i = 0; ls && i < ls->n; i++) {
		struct gw_hs_lane *l = &ls->lane[i];

		n = rte_ring_sc_dequeue_burst(l->from_lane, (void **)its,
					      RTE_DIM(its), NULL);
		for (k = 0; k < n; k++) {
			if (its[k]->step == STEP_DECRYPT)
				decrypted(ctx, l, its[k]);
			else
				responded(ctx, l, its[k]);
		}
		work += n;
	}
	return work;
}

bool gw_hs_lane_busy(const struct gw_ctx *ctx, const struct gw_peer *peer)
{
	const struct gw_hs_lanes *ls = ctx->hs_lanes;

	return ls && peer->id < ls->n_busy_slots && ls->busy[peer->id];
}

unsigned int gw_hs_lanes_in_flight(const struct gw_ctx *ctx)
{
	const struct gw_hs_lanes *ls = ctx->hs_lanes;
	unsigned int i, n = 0;

	for (i = 0; ls && i < ls->n; i++)
		n += GW_HS_LANE_ITEMS - ls->lane[i].n_free;
	return n;
}

uint64_t gw_hs_lanes_answered(const struct gw_ctx *ctx)
{
	const struct gw_hs_lanes *ls = ctx->hs_lanes;
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; ls && i < ls->n; i++)
		n += ls->lane[i].answered;
	return n;
}
