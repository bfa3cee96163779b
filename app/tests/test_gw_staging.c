/* SPDX-License-Identifier: MIT */
/*
 * The bounds on packets staged for peers without a session (EAL
 * --no-huge, no NIC, no worker), through gw_staging.h on real peers:
 *
 *  - one peer holds at most GW_STAGED_MAX (drop_staged_queue_full);
 *  - all peers together hold at most GW_MAX_PEERS_STAGED
 *    (drop_staged_global_full), and room freed by one peer is usable by
 *    another;
 *  - a peer without an endpoint holds nothing (drop_peer_without_endpoint),
 *    and a peer whose endpoint is cleared frees what it held;
 *  - without a private key nothing is held, and removing the key frees
 *    what every peer held (drop_staged_no_private_key);
 *  - removing a peer frees what it held (drop_peer_removed);
 *  - after each step the running count equals the sum over the peers and
 *    the mbufs in use equal the packets held: none leaked, none counted
 *    twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "gw_control.h"
#include "gw_staging.h"
#include "gw_tables.h"
#include "wg_crypto.h"

/* enough peers to fill the global budget with full queues, and more */
enum { N_PEERS = GW_MAX_PEERS_STAGED / GW_STAGED_MAX + 4 };

static struct gw_ctx *ctx;
static struct gw_peer *peers[N_PEERS];
static const uint8_t priv[WG_KEY_LEN] = { 1, 2, 3 };

static uint64_t counter(enum gw_counter c)
{
	return ctx->ctrl_lc.stats->c[c];
}

static void set_endpoint(struct gw_peer *p, bool on)
{
	struct wg_endpoint ep = { .family = WG_FAMILY_NONE };

	if (on) {
		ep.family = WG_FAMILY_V4;
		ep.addr[0] = 198;
		ep.addr[1] = 51;
		ep.addr[2] = 100;
		ep.addr[3] = 7;
		ep.port = 51820;
	}
	gw_peer_set_endpoint(ctx, p, &ep);
}

static int setup(void **state)
{
	struct gw_tables_size sz = { .peers = N_PEERS, .routes4 = 1024,
				     .routes6 = 1024, .tbl8s4 = 16 };
	unsigned int i;

	(void)state;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -1;
	ctx->tsc_hz = rte_get_tsc_hz();
	ctx->qsbr = rte_zmalloc("t_qsbr", rte_rcu_qsbr_get_memsize(1),
				RTE_CACHE_LINE_SIZE);
	ctx->stats = gw_stats_create();
	/* small mbufs: only the count matters here */
	ctx->pool = rte_pktmbuf_pool_create("t_stage_pool",
					    GW_MAX_PEERS_STAGED + 256, 0, 0,
					    RTE_PKTMBUF_HEADROOM + 64, 0);
	if (!ctx->qsbr || rte_rcu_qsbr_init(ctx->qsbr, 1) || !ctx->stats ||
	    !ctx->pool)
		return -1;
	ctx->ctrl_lc.stats = &ctx->stats->lcore[0];
	if (gw_tables_create_sized(ctx, &sz) != 0 ||
	    gw_control_create(ctx) != 0)
		return -1;
	gw_control_set_private_key(ctx, priv);
	for (i = 0; i < N_PEERS; i++) {
		uint8_t pub[WG_KEY_LEN];

		wg_random(pub, sizeof(pub));
		peers[i] = gw_peer_add(ctx, pub);
		if (!peers[i])
			return -1;
		set_endpoint(peers[i], true);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gw_control_free(ctx);
	gw_tables_free(ctx);
	/* every held mbuf went back with its peer */
	assert_int_equal(rte_mempool_in_use_count(ctx->pool), 0);
	rte_mempool_free(ctx->pool);
	gw_stats_free(ctx->stats);
	rte_free(ctx->qsbr);
	free(ctx);
	return 0;
}

/* The running count is the sum over the peers, and that many mbufs are
 * out of the pool. */
static void check_total(void)
{
	struct gw_peer *p;
	unsigned int sum = 0;

	for (p = ctx->control->peers; p; p = p->list_next) {
		assert_true(p->n_staged <= GW_STAGED_MAX);
		sum += p->n_staged;
	}
	assert_int_equal(gw_staging_total(ctx), sum);
	assert_true(sum <= GW_MAX_PEERS_STAGED);
	assert_int_equal(rte_mempool_in_use_count(ctx->pool), sum);
}

/* Offer n packets to p; how many it held. */
static unsigned int offer(struct gw_peer *p, unsigned int n)
{
	unsigned int i, held = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(ctx->pool);

		assert_non_null(m);
		held += gw_staging_hold(ctx, p, m);
	}
	return held;
}

static void test_per_peer_bound(void **state)
{
	uint64_t full0 = counter(GW_CTR_DROP_STAGED_QUEUE_FULL);

	(void)state;
	assert_int_equal(offer(peers[0], GW_STAGED_MAX + 10), GW_STAGED_MAX);
	assert_int_equal(counter(GW_CTR_DROP_STAGED_QUEUE_FULL) - full0, 10);
	assert_int_equal(counter(GW_CTR_PACKETS_STAGED), GW_STAGED_MAX);
	check_total();
	/* another peer is not affected */
	assert_int_equal(offer(peers[1], 3), 3);
	check_total();
}

static void test_global_bound(void **state)
{
	unsigned int i, full = GW_MAX_PEERS_STAGED / GW_STAGED_MAX;

	(void)state;
	for (i = 0; i < full; i++)
		assert_int_equal(offer(peers[i], GW_STAGED_MAX),
				 GW_STAGED_MAX);
	assert_int_equal(gw_staging_total(ctx), GW_MAX_PEERS_STAGED);
	check_total();
	/* every other peer, even with an empty queue, is refused */
	for (i = full; i < N_PEERS; i++)
		assert_int_equal(offer(peers[i], 2), 0);
	assert_int_equal(counter(GW_CTR_DROP_STAGED_GLOBAL_FULL),
			 2 * (N_PEERS - full));
	assert_int_equal(counter(GW_CTR_DROP_STAGED_QUEUE_FULL), 0);
	check_total();
	/* what one peer gives up, another can take */
	gw_staging_drop(ctx, peers[0], GW_CTR_DROP_HANDSHAKE_GAVE_UP);
	assert_int_equal(counter(GW_CTR_DROP_HANDSHAKE_GAVE_UP), GW_STAGED_MAX);
	check_total();
	assert_int_equal(offer(peers[full], GW_STAGED_MAX), GW_STAGED_MAX);
	assert_int_equal(offer(peers[full + 1], 1), 0);
	check_total();
}

static void test_no_endpoint(void **state)
{
	(void)state;
	set_endpoint(peers[0], false);
	assert_int_equal(offer(peers[0], 5), 0);
	assert_int_equal(counter(GW_CTR_DROP_PEER_WITHOUT_ENDPOINT), 5);
	check_total();
	/* an endpoint that goes frees what was held */
	assert_int_equal(offer(peers[1], 7), 7);
	check_total();
	set_endpoint(peers[1], false);
	assert_int_equal(peers[1]->n_staged, 0);
	assert_int_equal(counter(GW_CTR_DROP_PEER_WITHOUT_ENDPOINT), 5 + 7);
	check_total();
	assert_int_equal(gw_staging_total(ctx), 0);
}

static void test_private_key(void **state)
{
	static const uint8_t none[WG_KEY_LEN];

	(void)state;
	assert_int_equal(offer(peers[0], 4), 4);
	assert_int_equal(offer(peers[1], 6), 6);
	check_total();
	/* a new key: what is held may still go after a new handshake */
	gw_control_set_private_key(ctx, (const uint8_t[WG_KEY_LEN]){ 9 });
	assert_int_equal(gw_staging_total(ctx), 10);
	/* no key: no handshake can complete, nothing may wait for one */
	gw_control_set_private_key(ctx, none);
	assert_int_equal(counter(GW_CTR_DROP_STAGED_NO_PRIVATE_KEY), 10);
	check_total();
	assert_int_equal(gw_staging_total(ctx), 0);
	assert_int_equal(offer(peers[2], 3), 0);
	assert_int_equal(counter(GW_CTR_DROP_STAGED_NO_PRIVATE_KEY), 13);
	check_total();
	gw_control_set_private_key(ctx, priv);
	assert_int_equal(offer(peers[2], 3), 3);
	check_total();
}

static void test_removed_and_handed_on(void **state)
{
	struct rte_mbuf *sent[GW_STAGED_MAX];
	unsigned int i, n;

	(void)state;
	assert_int_equal(offer(peers[0], 9), 9);
	assert_int_equal(offer(peers[1], 5), 5);
	gw_peer_remove(ctx, peers[0]);
	gw_tables_reclaim(ctx->tables);
	peers[0] = NULL;
	assert_int_equal(counter(GW_CTR_DROP_PEER_REMOVED), 9);
	check_total();
	/* sent on a new session: the caller owns them now */
	n = peers[1]->n_staged;
	memcpy(sent, peers[1]->staged, n * sizeof(sent[0]));
	gw_staging_handed_on(ctx, peers[1]);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(sent[i]);
	check_total();
	assert_int_equal(gw_staging_total(ctx), 0);
}

int main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], "-l", "0", "--no-huge", "-m", "512",
			"--no-pci", "--no-shconf", "--file-prefix", prefix,
			"--log-level", "*:error" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_per_peer_bound, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_global_bound, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_endpoint, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_private_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_removed_and_handed_on,
						setup, teardown),
	};
	int ret;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "test_gw_staging_%d", (int)getpid());
	if (wg_crypto_init() != 0 ||
	    rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
