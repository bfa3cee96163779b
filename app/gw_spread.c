/* SPDX-License-Identifier: MIT */
/*
 * One tunnel's decryption spread over two workers, each transmitting the
 * chunks it decrypted in arrival order by turns of the owner's `tail`
 * (see gw_spread.h). The classification and decryption themselves are
 * gw_decap.c's.
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
	return !lc->spread ||
	       (rob_used(lc->spread) == 0 && !lc->spread->own.held);
}

/* The next sequence number due on the tail that t is a turn on. */
static inline uint32_t due(const struct gw_turn *t, const uint32_t *tail)
{
	return t->held ? t->to : __atomic_load_n(tail, __ATOMIC_ACQUIRE);
}

/* The helper's share. Both workers transmit what they decrypted, so the
 * balance lies where each takes as long: when the owner's part of a
 * burst is due at once (the helper's part of the burst before is out,
 * although the helper started on it at the same time as the owner on its
 * own, and the owner received a burst since), the helper keeps up and
 * takes a step more; otherwise a step less. */
static inline void rebalance(struct gw_spread *sp, bool own_due)
{
	if (own_due) {
		if (sp->share < GW_SHARE_MAX)
			sp->share++;
	} else if (sp->share > GW_SHARE_MIN) {
		sp->share--;
	}
}

/* Hand the newest h frames of pkts to the helper as chunk number seq;
 * false if its ring is full. */
static bool hand_over(struct gw_lcore *lc, struct gw_spread *sp,
		      struct rte_mbuf **pkts, unsigned int h, uint32_t seq)
{
	struct gw_chunk *c = &sp->rob[seq % GW_ROB];

	memcpy(c->pkts, pkts, h * sizeof(pkts[0]));
	c->seq = seq;
	c->n = (uint16_t)h;
	c->n_out = 0;
	c->handed = true;
	if (rte_ring_sp_enqueue(sp->to_helper, c) != 0)
		return false;
	gw_count(lc->stats, GW_CTR_SPREAD_FRAMES_HANDED, h);
	return true;
}

void gw_wan_burst(struct gw_lcore *lc, struct rte_mbuf **pkts, unsigned int n,
		  struct gw_txbuf *lan_tx, uint64_t now)
{
	struct gw_spread *sp = lc->spread;
	struct gw_decap_item items[GW_BURST];
	struct gw_chunk *c;
	bool handed = false, due_now;
	unsigned int kept, cnt;
	uint32_t own;

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
	/* One tunnel's traffic arrives on one queue: hand the newer part of
	 * the burst, as received, to the helper first, which classifies,
	 * decrypts and transmits it (after this worker's older part) while
	 * this worker does the rest. Only received frames cross cores, no
	 * table pointers: each worker looks up (and is done with) its own
	 * keypairs before its next quiescent state. */
	own = sp->head;
	if (n >= GW_SPREAD_MIN && rob_used(sp) + 2 <= GW_ROB &&
	    helper_free(sp, now)) {
		unsigned int h = n * sp->share / 32;

		if (hand_over(lc, sp, pkts + n - h, h, own + 1)) {
			n -= h;
			handed = true;
		}
	}
	/* this worker's part: a chunk even when empty, since the handed
	 * one's turn comes after it */
	c = &sp->rob[own % GW_ROB];
	c->seq = own;
	c->handed = false;
	c->n_out = 0;
	sp->head = own + 1 + handed;
	due_now = due(&sp->own, &sp->tail) == own;
	kept = gw_wan_classify(lc, pkts, n, items, now);
	if (due_now) {
		/* every older chunk is out: this part's turn is now,
		 * straight into the TX buffer (no copy); the turn is held
		 * until that buffer is sent */
		if (kept) {
			gw_decap_burst(lc, items, kept, lan_tx->m + lan_tx->n,
				    &cnt, now);
			lan_tx->n += cnt;
		}
		sp->own.held = true;
		sp->own.to = own + 1;
	} else if (kept) {
		gw_decap_burst(lc, items, kept, c->out, &cnt, now);
		c->n_out = (uint16_t)cnt;
	}
	if (handed)
		rebalance(sp, due_now);
}

/* Owner side: its own chunks due, up to the next handed one. */
static unsigned int collect_own(struct gw_spread *sp, struct gw_txbuf *tx)
{
	uint32_t seq = due(&sp->own, &sp->tail);
	unsigned int moved = 0;

	while (seq != sp->head) {
		struct gw_chunk *c = &sp->rob[seq % GW_ROB];

		if (c->handed || tx->n + c->n_out > GW_TXBUF)
			break;
		memcpy(tx->m + tx->n, c->out, c->n_out * sizeof(c->out[0]));
		tx->n += c->n_out;
		moved += c->n_out;
		sp->own.held = true;
		sp->own.to = ++seq;
	}
	return moved;
}

/* Helper side: the chunks it decrypted whose turn has come. */
static unsigned int collect_help(struct gw_spread *sp, struct gw_txbuf *tx)
{
	unsigned int moved = 0;
	uint32_t seq;

	if (sp->held_tail == sp->held_head)
		return 0;
	seq = due(&sp->help, &sp->owner->tail);
	while (sp->held_tail != sp->held_head) {
		struct gw_chunk *c = sp->held[sp->held_tail % GW_ROB];

		if (c->seq != seq || tx->n + c->n_out > GW_TXBUF)
			break;
		memcpy(tx->m + tx->n, c->out, c->n_out * sizeof(c->out[0]));
		tx->n += c->n_out;
		moved += c->n_out;
		sp->held_tail++;
		sp->help.held = true;
		sp->help.to = ++seq;
	}
	return moved;
}

unsigned int gw_wan_collect(struct gw_lcore *lc, struct gw_txbuf *lan_tx)
{
	struct gw_spread *sp = lc->spread;

	if (!sp)
		return 0;
	return collect_own(sp, lan_tx) + collect_help(sp, lan_tx);
}

void gw_wan_sent(struct gw_lcore *lc)
{
	struct gw_spread *sp = lc->spread;

	if (!sp)
		return;
	/* everything of the turn went through the TX call: the chunk slots
	 * and the next turn go back (release: the other worker then reads
	 * or reuses what this one read) */
	if (sp->own.held) {
		__atomic_store_n(&sp->tail, sp->own.to, __ATOMIC_RELEASE);
		sp->own.held = false;
	}
	if (sp->help.held) {
		__atomic_store_n(&sp->owner->tail, sp->help.to,
				 __ATOMIC_RELEASE);
		sp->help.held = false;
	}
}

unsigned int gw_assist(struct gw_lcore *lc, uint64_t now)
{
	struct gw_spread *sp = lc->spread;
	void *cs[GW_ROB];
	unsigned int i, n, cnt;

	if (!sp)
		return 0;
	/* held[] has room for every chunk the owner can have out */
	n = rte_ring_sc_dequeue_burst(sp->in, cs,
				      GW_ROB - (sp->held_head - sp->held_tail),
				      NULL);
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
		sp->held[sp->held_head++ % GW_ROB] = c;
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
		h->owner = ctx->workers[i].spread;
	}
	return 0;
fail:
	gw_spread_free(ctx);
	return -ENOMEM;
}

static void drop_chunk(struct gw_lcore *lc, struct rte_mbuf **m,
		       unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		drop(lc, m[i], GW_CTR_DROP_TX_QUEUE_FULL);
}

/* The workers are stopped: frames still waiting for their turn never
 * reach a TX queue (counted as such) and go back to the pool. */
static void drop_outstanding(struct gw_lcore *lc)
{
	struct gw_spread *sp = lc->spread;
	void *c;
	uint32_t seq;

	while (sp->held_tail != sp->held_head) {
		struct gw_chunk *h = sp->held[sp->held_tail++ % GW_ROB];

		drop_chunk(lc, h->out, h->n_out);
	}
	while (rte_ring_sc_dequeue(sp->in, &c) == 0)
		drop_chunk(lc, ((struct gw_chunk *)c)->pkts,
			   ((struct gw_chunk *)c)->n);
	for (seq = due(&sp->own, &sp->tail); seq != sp->head; seq++) {
		struct gw_chunk *o = &sp->rob[seq % GW_ROB];

		if (!o->handed)
			drop_chunk(lc, o->out, o->n_out);
	}
	gw_drop_flush(lc);
}

void gw_spread_free(struct gw_ctx *ctx)
{
	unsigned int i;

	/* all first: a helper's chunks live in its owner's buffer */
	for (i = 0; i < ctx->n_workers; i++)
		if (ctx->workers[i].spread)
			drop_outstanding(&ctx->workers[i]);
	for (i = 0; i < ctx->n_workers; i++) {
		struct gw_spread *sp = ctx->workers[i].spread;

		if (!sp)
			continue;
		rte_ring_free(sp->in);
		rte_free(sp);
		ctx->workers[i].spread = NULL;
	}
}
