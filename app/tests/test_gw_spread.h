/* SPDX-License-Identifier: MIT */
/*
 * Part of test_gw_worker.c (included there, sharing its world: one peer
 * whose keypair is its own mirror): one tunnel's decryption spread over
 * two workers, each transmitting what it decrypted in its turn.
 *
 *  - one thread, every interleaving chosen by the test: the owner hands
 *    chunks (the newer part of each burst) to the helper's ring, the
 *    helper decrypts only when the test says so, and each worker's
 *    gw_wan_collect() must give only frames
 *    whose turn has come, so that the two TX buffers, taken in the order
 *    the turns pass (gw_wan_sent), carry every inner packet in arrival
 *    order; the helper's chunks come out of the helper's TX only, and
 *    nothing moves while the helper sits on its turn; RX is held back
 *    (gw_wan_room) when the reorder buffer is full, and the shared replay
 *    window rejects every replayed frame whichever worker decrypts it;
 *  - the same with a real helper on a second lcore (if there is one),
 *    checking order (across both TX sinks), count and that the helper
 *    transmitted: no timing assertion anywhere;
 *  - frames still waiting for their turn when spreading is torn down are
 *    counted and go back to the pool.
 */

enum { N_SPREAD = 40 * GW_BURST };

static struct rte_mbuf *frames[N_SPREAD];
static struct rte_mbuf *copies[N_SPREAD];

/* What one worker's collect gives, as its TX would send it: the ids must
 * continue from *next (shared by both workers: turns are serial); then
 * the turn passes on. Returns how many. */
static unsigned int tx_turn(struct gw_lcore *lc, uint16_t *next,
			    unsigned int *errors)
{
	struct gw_txbuf tx = { .n = 0 };
	unsigned int i, n;

	n = gw_wan_collect(lc, &tx);
	if (n != tx.n)
		(*errors)++;
	for (i = 0; i < tx.n; i++) {
		uint16_t id = inner_id(tx.m[i]);

		if (id != *next)
			(*errors)++;
		*next = (uint16_t)(id + 1);
	}
	rte_pktmbuf_free_bulk(tx.m, tx.n);
	gw_wan_sent(lc);
	return tx.n;
}

/* Both workers' turns until neither has anything due (at most 2 ×
 * GW_ROB rounds: each round passes at least one turn, or stops). */
static unsigned int drain(struct gw_lcore *own, struct gw_lcore *help,
			  uint16_t *next, unsigned int *from_help)
{
	unsigned int total = 0, r, o, h, errors = 0;

	for (r = 0; r < 2 * GW_ROB + 2; r++) {
		o = tx_turn(own, next, &errors);
		h = tx_turn(help, next, &errors);
		total += o + h;
		if (from_help)
			*from_help += h;
		if (!o && !h)
			break;
	}
	CHECK(errors == 0, "%u frames out of order or miscounted", errors);
	return total;
}

/* Collect what is due from both, count each inner id. */
static unsigned int drain_unique(struct gw_lcore *own, struct gw_lcore *help,
				 uint8_t *seen)
{
	struct gw_lcore *lcs[2] = { own, help };
	struct gw_txbuf tx = { .n = 0 };
	unsigned int i, k, r, total = 0, got;

	for (r = 0; r < 2 * GW_ROB + 2; r++) {
		got = 0;
		for (k = 0; k < 2; k++) {
			tx.n = 0;
			gw_wan_collect(lcs[k], &tx);
			for (i = 0; i < tx.n; i++) {
				uint16_t id = inner_id(tx.m[i]);

				if (id < N_SPREAD)
					seen[id]++;
			}
			rte_pktmbuf_free_bulk(tx.m, tx.n);
			gw_wan_sent(lcs[k]);
			got += tx.n;
		}
		total += got;
		if (!got)
			break;
	}
	return total;
}

/* A burst's direct output (its turn came at once): checked, sent. */
static unsigned int direct(struct gw_lcore *own, struct gw_txbuf *tx,
			   uint16_t *next)
{
	unsigned int i, n = tx->n;

	for (i = 0; i < tx->n; i++) {
		CHECK(inner_id(tx->m[i]) == *next, "direct out of order");
		*next = (uint16_t)(inner_id(tx->m[i]) + 1);
	}
	rte_pktmbuf_free_bulk(tx->m, tx->n);
	tx->n = 0;
	gw_wan_sent(own);
	return n;
}

static uint64_t both(struct gw_lcore *a, struct gw_lcore *b, enum gw_counter c)
{
	return a->stats->c[c] + b->stats->c[c];
}

static void test_spread_one_thread(void)
{
	static uint8_t seen[N_SPREAD];

	struct gw_lcore *own = &ctx->workers[0], *help = &ctx->workers[1];
	struct gw_txbuf tx = { .n = 0 };
	uint64_t replay0, replays, decrypted0, handed0, handed;
	unsigned int b, i, got, chunks, from_help = 0, errors = 0;
	uint16_t next = 0;

	wg_replay_init(&kp->replay);
	ctx->n_workers = 2;
	CHECK(gw_spread_setup(ctx) == 0, "spread setup");
	/* made before spreading is on: the encrypt path is the same */
	wan_frames(frames, N_SPREAD, 0, 64);
	for (i = 0; i < N_SPREAD; i++)
		copies[i] = rte_pktmbuf_copy(frames[i], pool, 0, UINT32_MAX);
	handed0 = own->stats->c[GW_CTR_SPREAD_FRAMES_HANDED];

	/* the helper does nothing: the first burst's older part (the
	 * owner's) goes out at once, its newer part waits with the helper,
	 * and every later burst's parts must wait behind that */
	for (b = 0; gw_wan_room(own); b++) {
		tx.n = 0;
		gw_wan_burst(own, frames + b * GW_BURST, GW_BURST, &tx,
			     gw_now_ns(ctx));
		if (b == 0) {
			CHECK(tx.n > 0 && tx.n < GW_BURST && gw_wan_turn(own),
			      "first burst: %u frames out directly", tx.n);
			direct(own, &tx, &next);
		}
		CHECK(tx.n == 0, "burst %u went out directly (%u)", b, tx.n);
		CHECK(drain(own, help, &next, NULL) == 0,
		      "released past a pending chunk");
	}
	CHECK(b == GW_ROB / 2 - 1 || b == GW_ROB / 2,
	      "reorder buffer full after %u bursts", b);
	CHECK(!gw_wan_idle(own), "owner idle with chunks out");
	/* the helper decrypts but keeps its turn: nobody moves */
	chunks = gw_assist(help, gw_now_ns(ctx));
	CHECK(chunks == b, "helper did %u chunks, expected %u", chunks, b);
	CHECK(tx_turn(own, &next, &errors) == 0,
	      "the owner sent before the helper's older chunk");
	/* the helper sends its first chunk (the first burst's newer part):
	 * until its TX call is done (gw_wan_sent), the turn is its own and
	 * the owner still waits */
	tx.n = 0;
	CHECK(gw_wan_collect(help, &tx) > 0 && gw_wan_turn(help),
	      "the helper's first chunk not due");
	CHECK(tx_turn(own, &next, &errors) == 0,
	      "the owner sent before the helper's TX call");
	from_help += direct(help, &tx, &next);
	drain(own, help, &next, &from_help);
	CHECK(next == b * GW_BURST, "released up to %u of %u", next,
	      b * GW_BURST);
	CHECK(gw_wan_idle(own), "owner not idle after the helper");
	CHECK(errors == 0, "owner turn: %u errors", errors);

	/* the rest, with the helper decrypting every third burst */
	for (; b < N_SPREAD / GW_BURST; b++) {
		for (i = 0; !gw_wan_room(own) && i < 2 * GW_ROB; i++) {
			gw_assist(help, gw_now_ns(ctx));
			drain(own, help, &next, &from_help);
		}
		tx.n = 0;
		gw_wan_burst(own, frames + b * GW_BURST, GW_BURST, &tx,
			     gw_now_ns(ctx));
		direct(own, &tx, &next);
		if (b % 3 == 2)
			gw_assist(help, gw_now_ns(ctx));
		drain(own, help, &next, &from_help);
	}
	for (i = 0; !gw_wan_idle(own) && i < 2 * GW_ROB; i++) {
		gw_assist(help, gw_now_ns(ctx));
		drain(own, help, &next, &from_help);
	}
	handed = own->stats->c[GW_CTR_SPREAD_FRAMES_HANDED] - handed0;
	CHECK(next == N_SPREAD, "delivered up to %u of %u", next, N_SPREAD);
	CHECK(gw_wan_idle(own), "owner not idle at the end");
	/* what was handed over left through the helper's TX, all of it */
	CHECK(handed > 0 && from_help == handed,
	      "%lu frames handed over, %u sent by the helper",
	      (unsigned long)handed, from_help);
	gw_worker_quiescent(own);

	/* every frame again: whoever classifies it (the owner its part,
	 * the helper the part handed over) refuses it before decryption */
	replay0 = both(own, help, GW_CTR_DROP_REPLAYED_COUNTER);
	decrypted0 = both(own, help, GW_CTR_DECRYPTED_PACKETS);
	for (b = 0; b < N_SPREAD / GW_BURST; b++) {
		for (i = 0; !gw_wan_room(own) && i < 2 * GW_ROB; i++) {
			gw_assist(help, gw_now_ns(ctx));
			CHECK(drain(own, help, &next, NULL) == 0,
			      "replayed frames released");
		}
		tx.n = 0;
		gw_wan_burst(own, copies + b * GW_BURST, GW_BURST, &tx,
			     gw_now_ns(ctx));
		CHECK(tx.n == 0, "replayed frames went out");
		gw_wan_sent(own);
		CHECK(drain(own, help, &next, NULL) == 0,
		      "replayed frames released");
	}
	for (i = 0; !gw_wan_idle(own) && i < 2 * GW_ROB; i++) {
		gw_assist(help, gw_now_ns(ctx));
		CHECK(drain(own, help, &next, NULL) == 0,
		      "replayed frames released");
	}
	CHECK(gw_wan_idle(own), "replays: owner not idle");
	replays = both(own, help, GW_CTR_DROP_REPLAYED_COUNTER) - replay0;
	CHECK(replays == N_SPREAD, "replays dropped: %lu of %u",
	      (unsigned long)replays, N_SPREAD);
	CHECK(both(own, help, GW_CTR_DECRYPTED_PACKETS) == decrypted0,
	      "a replay was decrypted");

	/* duplicates inside one burst: the owner keeps the older part
	 * (originals), the helper gets the rest (copies, and originals when
	 * its share is over half: those pairs both pass the read-only
	 * pre-check and the post-decryption update refuses one); the owner
	 * decrypts first and the helper's pre-check refuses what the owner
	 * accepted. The shared window lets exactly one of each pair through
	 * (which one is up to who gets there first, so only counts and
	 * uniqueness are checked) */
	wg_replay_init(&kp->replay);
	__atomic_store_n(&kp->send_counter, 0, __ATOMIC_RELAXED);
	wan_frames(frames, N_SPREAD / 2, 0, 64);
	for (i = 0; i < N_SPREAD / 2; i++)
		copies[i] = rte_pktmbuf_copy(frames[i], pool, 0, UINT32_MAX);
	replay0 = both(own, help, GW_CTR_DROP_REPLAYED_COUNTER);
	got = 0;
	for (b = 0; b < N_SPREAD / GW_BURST; b++) {
		struct rte_mbuf *burst[GW_BURST];

		for (i = 0; i < GW_BURST / 2; i++) {
			burst[i] = frames[b * GW_BURST / 2 + i];
			burst[GW_BURST / 2 + i] = copies[b * GW_BURST / 2 + i];
		}
		tx.n = 0;
		gw_wan_burst(own, burst, GW_BURST, &tx, gw_now_ns(ctx));
		for (i = 0; i < tx.n; i++)
			if (inner_id(tx.m[i]) < N_SPREAD)
				seen[inner_id(tx.m[i])]++;
		got += tx.n;
		rte_pktmbuf_free_bulk(tx.m, tx.n);
		gw_wan_sent(own);
		gw_assist(help, gw_now_ns(ctx));
		got += drain_unique(own, help, seen);
	}
	for (i = 0; i < N_SPREAD / 2; i++)
		CHECK(seen[i] == 1, "pairs: id %u delivered %u times", i,
		      seen[i]);
	replays = both(own, help, GW_CTR_DROP_REPLAYED_COUNTER) - replay0;
	CHECK(got == N_SPREAD / 2, "pairs: delivered %u of %u", got,
	      N_SPREAD / 2);
	CHECK(replays == N_SPREAD / 2, "pairs: replays dropped %lu of %u",
	      (unsigned long)replays, N_SPREAD / 2);
	CHECK(help->stats->c[GW_CTR_DROP_REPLAYED_COUNTER] > 0,
	      "the helper's post-decryption update refused nothing");
	gw_spread_free(ctx);
	ctx->n_workers = 1;
}

/* Spreading torn down with frames still waiting: with the helper, in its
 * ring, or done and waiting for their turn on either side. Every one is
 * counted (drop_tx_queue_full: it never reached a TX queue) and back in
 * the pool. */
static void test_spread_teardown(void)
{
	struct gw_lcore *own = &ctx->workers[0], *help = &ctx->workers[1];
	struct gw_txbuf tx = { .n = 0 };
	unsigned int in_use0 = rte_mempool_in_use_count(pool), b, n = 0;
	uint64_t full0;

	wg_replay_init(&kp->replay);
	__atomic_store_n(&kp->send_counter, 0, __ATOMIC_RELAXED);
	ctx->n_workers = 2;
	CHECK(gw_spread_setup(ctx) == 0, "spread setup");
	wan_frames(frames, 6 * GW_BURST, 0, 64);
	full0 = both(own, help, GW_CTR_DROP_TX_QUEUE_FULL);
	for (b = 0; b < 6 && gw_wan_room(own); b++) {
		tx.n = 0;
		gw_wan_burst(own, frames + b * GW_BURST, GW_BURST, &tx,
			     gw_now_ns(ctx));
		/* the first burst's older part: out at once */
		n -= tx.n;
		rte_pktmbuf_free_bulk(tx.m, tx.n);
		gw_wan_sent(own);
		/* the helper decrypts the first bursts' chunks only */
		if (b < 3)
			gw_assist(help, gw_now_ns(ctx));
		n += GW_BURST;
	}
	/* one chunk collected by the helper: sent by its TX */
	tx.n = 0;
	gw_wan_collect(help, &tx);
	n -= tx.n;
	rte_pktmbuf_free_bulk(tx.m, tx.n);
	gw_wan_sent(help);
	CHECK(!gw_wan_idle(own), "teardown: nothing outstanding");
	gw_spread_free(ctx);
	ctx->n_workers = 1;
	CHECK(both(own, help, GW_CTR_DROP_TX_QUEUE_FULL) - full0 == n,
	      "teardown: %lu frames counted, %u waiting",
	      (unsigned long)(both(own, help, GW_CTR_DROP_TX_QUEUE_FULL) -
			      full0), n);
	CHECK(rte_mempool_in_use_count(pool) == in_use0,
	      "teardown: %d mbufs not back in the pool",
	      (int)(rte_mempool_in_use_count(pool) - in_use0));
}

/* The two-lcore run: the inner id due next at TX, whichever worker sends
 * it (only the turn's holder touches it), and what the helper saw. */
static volatile int helper_run;
static uint16_t turn_next;
static unsigned int helper_errors, helper_sent;

static int helper_main(void *arg)
{
	struct gw_lcore *lc = arg;

	rte_rcu_qsbr_thread_register(ctx->qsbr, lc->worker_idx);
	rte_rcu_qsbr_thread_online(ctx->qsbr, lc->worker_idx);
	while (__atomic_load_n(&helper_run, __ATOMIC_ACQUIRE)) {
		gw_assist(lc, gw_now_ns(ctx));
		helper_sent += tx_turn(lc, &turn_next, &helper_errors);
		gw_worker_quiescent(lc);
	}
	rte_rcu_qsbr_thread_offline(ctx->qsbr, lc->worker_idx);
	rte_rcu_qsbr_thread_unregister(ctx->qsbr, lc->worker_idx);
	return 0;
}

static void test_spread_two_lcores(void)
{
	struct gw_lcore *own = &ctx->workers[0], *help = &ctx->workers[1];
	unsigned int lcore = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);
	unsigned int b, got, rounds, errors = 0, sent_before;
	uint64_t end;

	if (lcore >= RTE_MAX_LCORE) {
		printf("# one lcore: two-lcore spreading test skipped\n");
		return;
	}
	ctx->n_workers = 2;
	CHECK(gw_spread_setup(ctx) == 0, "spread setup");
	rte_rcu_qsbr_thread_register(ctx->qsbr, own->worker_idx);
	rte_rcu_qsbr_thread_online(ctx->qsbr, own->worker_idx);
	helper_errors = helper_sent = 0;
	for (rounds = 0; rounds < 5; rounds++) {
		struct gw_txbuf tx = { .n = 0 };

		wg_replay_init(&kp->replay);
		__atomic_store_n(&kp->send_counter, 0, __ATOMIC_RELAXED);
		/* frames are made with the helper stopped: nothing of the
		 * encrypt side is handed over, and turn_next is ours */
		wan_frames(frames, N_SPREAD, 0, (uint16_t)(64 + rounds * 300));
		turn_next = 0;
		got = 0;
		sent_before = helper_sent;
		helper_run = 1;
		rte_eal_remote_launch(helper_main, help, lcore);
		/* every wait bounded: 10 s a round, however loaded */
		end = rte_rdtsc() + 10 * rte_get_tsc_hz();
		for (b = 0; b < N_SPREAD / GW_BURST; b++) {
			while (!gw_wan_room(own) && rte_rdtsc() < end)
				got += tx_turn(own, &turn_next, &errors);
			if (!gw_wan_room(own))
				break;
			tx.n = 0;
			gw_wan_burst(own, frames + b * GW_BURST, GW_BURST, &tx,
				     gw_now_ns(ctx));
			got += direct(own, &tx, &turn_next);
			got += tx_turn(own, &turn_next, &errors);
			gw_worker_quiescent(own);
		}
		while (!gw_wan_idle(own) && rte_rdtsc() < end)
			got += tx_turn(own, &turn_next, &errors);
		gw_worker_quiescent(own);
		__atomic_store_n(&helper_run, 0, __ATOMIC_RELEASE);
		rte_eal_wait_lcore(lcore);
		got += helper_sent - sent_before;
		CHECK(got == N_SPREAD && turn_next == N_SPREAD,
		      "round %u: delivered %u of %u, up to id %u", rounds, got,
		      N_SPREAD, turn_next);
		CHECK(helper_sent > sent_before,
		      "round %u: the helper transmitted nothing", rounds);
		if (got != N_SPREAD)
			break;   /* stuck: the next round would be too */
	}
	CHECK(errors == 0 && helper_errors == 0,
	      "two lcores: %u (owner) + %u (helper) frames out of order",
	      errors, helper_errors);
	rte_rcu_qsbr_thread_offline(ctx->qsbr, own->worker_idx);
	rte_rcu_qsbr_thread_unregister(ctx->qsbr, own->worker_idx);
	gw_spread_free(ctx);
	ctx->n_workers = 1;
}
