/* SPDX-License-Identifier: MIT */
/*
 * One tunnel's decryption spread over two workers, and the reorder buffer
 * that releases its packets in arrival order (see gw_spread.h). The
 * classification and decryption themselves are gw_decap.c's.
 */
#include "gw_spread.h"

#include "gw_decap.h"
#include "gw_worker_priv.h"

/* Whether the helper has no saturating traffic of its own. */
static inline bool helper_free(const struct gw_spread *sp, uint64_t now)
{
	uint64_t full = __atomic_load_n(&sp->helper->full_ns,
					__ATOMIC_RELAXED);

	return (int64_t)(now - full) > (int64_t)GW_BUSY_NS;
}

bool gw_wan_room(const struct gw_lcore *lc)
{
	return !lc->spread || rob_used(lc->spread) + 2 <= GW_ROB;
}

bool gw_wan_idle(const struct gw_lcore *lc)
{
	return !lc->spread || rob_used(lc->spread) == 0;
}

void gw_wan_burst(struct gw_lcore *lc, struct rte_mbuf **pkts, unsigned int n,
		  struct gw_txbuf *lan_tx, uint64_t now)
{
	struct gw_spread *sp = lc->spread;
	struct gw_decap_item items[GW_BURST];
	struct gw_chunk *handed = NULL;
	unsigned int kept, cnt;

	gw_count(lc->stats, GW_CTR_RX_WAN_PACKETS, n);
	note_full(lc, n, now);

	if (!sp) {
		kept = gw_wan_classify(lc, pkts, n, items, now);
		if (kept) {
			gw_decap_burst(lc, items, kept, lan_tx->m + lan_tx->n,
				    &cnt, now);
			lan_tx->n += cnt;
		}
		return;
	}
	/* One tunnel's traffic arrives on one queue: hand the older part
	 * of the burst, as received, to the helper, which classifies and
	 * decrypts it while this worker does the rest. Only received
	 * frames cross cores, no table pointers: each worker looks up (and
	 * is done with) its own keypairs before its next quiescent state. */
	if (n >= GW_SPREAD_MIN && rob_used(sp) + 2 <= GW_ROB &&
	    helper_free(sp, now)) {
		struct gw_chunk *c = &sp->rob[sp->head % GW_ROB];
		unsigned int h = n * sp->share / 32;

		memcpy(c->pkts, pkts, h * sizeof(pkts[0]));
		c->n = (uint16_t)h;
		c->n_out = 0;
		__atomic_store_n(&c->done, 0, __ATOMIC_RELAXED);
		if (rte_ring_sp_enqueue(sp->to_helper, c) == 0) {
			gw_count(lc->stats, GW_CTR_SPREAD_FRAMES_HANDED, h);
			sp->head++;
			pkts += h;
			n -= h;
			handed = c;
		}
	}
	kept = gw_wan_classify(lc, pkts, n, items, now);
	if (rob_used(sp) == 0) {
		/* nothing outstanding: no need to wait in line */
		if (kept) {
			gw_decap_burst(lc, items, kept, lan_tx->m + lan_tx->n,
				    &cnt, now);
			lan_tx->n += cnt;
		}
		return;
	}
	if (kept) {
		struct gw_chunk *c = &sp->rob[sp->head % GW_ROB];

		gw_decap_burst(lc, items, kept, c->out, &cnt, now);
		c->n_out = (uint16_t)cnt;
		__atomic_store_n(&c->done, 1, __ATOMIC_RELAXED);
		sp->head++;
	}
	if (handed) {
		/* The reorder buffer is the helper's backlog. The helper need
		 * not finish before this worker's own part does (the buffer
		 * gives it slack, and this worker still has to transmit
		 * everything); it only must not fall behind for good. So:
		 * keeping up (at most one chunk outstanding besides this
		 * burst's two), it takes more; a backlog over half the
		 * buffer, less. */
		unsigned int backlog = rob_used(sp);

		if (backlog <= 3) {
			if (sp->share < GW_SHARE_MAX)
				sp->share++;
		} else if (backlog > GW_ROB / 2 && sp->share > GW_SHARE_MIN) {
			sp->share--;
		}
	}
}

unsigned int gw_wan_collect(struct gw_lcore *lc, struct gw_txbuf *lan_tx)
{
	struct gw_spread *sp = lc->spread;
	unsigned int moved = 0, i;

	if (!sp)
		return 0;
	while (sp->tail != sp->head) {
		struct gw_chunk *c = &sp->rob[sp->tail % GW_ROB];

		if (!__atomic_load_n(&c->done, __ATOMIC_ACQUIRE))
			break;
		if (lan_tx->n + c->n_out > GW_TXBUF)
			break;
		/* the helper wrote these mbufs: the TX that follows reads
		 * each one, so start all the cross-core transfers now */
		for (i = 0; i < c->n_out; i++)
			rte_prefetch0(c->out[i]);
		memcpy(lan_tx->m + lan_tx->n, c->out,
		       c->n_out * sizeof(c->out[0]));
		lan_tx->n += c->n_out;
		moved += c->n_out;
		sp->tail++;
	}
	return moved;
}

unsigned int gw_assist(struct gw_lcore *lc, uint64_t now)
{
	struct gw_spread *sp = lc->spread;
	void *cs[GW_ROB];
	unsigned int i, n, cnt;

	if (!sp)
		return 0;
	n = rte_ring_sc_dequeue_burst(sp->in, cs, GW_ROB, NULL);
	for (i = 0; i < n; i++) {
		struct gw_chunk *c = cs[i];
		unsigned int j, kept;

		/* the frames are in the owner's cache (its PMD wrote or
		 * touched them): ask for all of them at once */
		for (j = 0; j < c->n; j++)
			rte_prefetch0(c->pkts[j]);
		for (j = 0; j < c->n; j++)
			rte_prefetch0(rte_pktmbuf_mtod(c->pkts[j], void *));
		kept = gw_wan_classify(lc, c->pkts, c->n, c->items, now);
		cnt = 0;
		if (kept)
			gw_decap_burst(lc, c->items, kept, c->out, &cnt, now);
		c->n_out = (uint16_t)cnt;
		/* the owner reads out[] after it sees done */
		__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	}
	return n;
}

int gw_spread_setup(struct gw_ctx *ctx)
{
	unsigned int i, n = ctx->n_workers;
	char name[RTE_RING_NAMESIZE];

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++) {
		struct gw_spread *sp = rte_zmalloc("gw_spread", sizeof(*sp),
						   RTE_CACHE_LINE_SIZE);

		if (!sp)
			goto fail;
		ctx->workers[i].spread = sp;
		sp->share = 16;
		snprintf(name, sizeof(name), "gw_assist%u", i);
		/* one producer (the owner before it), one consumer */
		sp->in = rte_ring_create(name, 2 * GW_ROB, (int)rte_socket_id(),
					 RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (!sp->in)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		struct gw_spread *h = ctx->workers[(i + 1) % n].spread;

		ctx->workers[i].spread->helper = h;
		ctx->workers[i].spread->to_helper = h->in;
	}
	return 0;
fail:
	gw_spread_free(ctx);
	return -ENOMEM;
}

void gw_spread_free(struct gw_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->n_workers; i++) {
		struct gw_spread *sp = ctx->workers[i].spread;

		if (!sp)
			continue;
		rte_ring_free(sp->in);
		rte_free(sp);
		ctx->workers[i].spread = NULL;
	}
}
