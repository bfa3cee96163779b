/* SPDX-License-Identifier: MIT */
/*
 * The control lcore's frames on a port where it has no TX queue
 * (gw_ctrl_tx.h), without a NIC: gw_ctrl_tx and the control lcore's
 * gw_tx_flush go to the ring worker 0 drains, a full ring drops and counts
 * drop_control_tx_ring_full (the ring is bounded, so the control lcore can
 * never hold more mbufs than that), and freeing the rings gives every mbuf
 * back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "gw_ctrl_tx.h"
#include "gw_neighbour.h"
#include "gw_worker.h"

static struct gw_ctx *ctx;

static unsigned int in_use(void)
{
	return rte_mempool_in_use_count(ctx->pool);
}

static uint64_t ring_full_drops(void)
{
	return gw_stats_sum(ctx->stats, GW_CTR_DROP_CONTROL_TX_RING_FULL);
}

static void test_no_ring_until_created(void **state)
{
	(void)state;
	assert_null(ctx->ctrl_lc.tx_handoff[GW_LAN]);
	assert_null(ctx->workers[0].tx_collect[GW_LAN]);
	assert_int_equal(gw_ctrl_tx_ring_create(ctx, GW_LAN, &ctx->workers[0]),
			 0);
	assert_non_null(ctx->ctrl_lc.tx_handoff[GW_LAN]);
	assert_ptr_equal(ctx->ctrl_lc.tx_handoff[GW_LAN],
			 ctx->workers[0].tx_collect[GW_LAN]);
	/* the other port keeps the control lcore's own queue */
	assert_null(ctx->ctrl_lc.tx_handoff[GW_WAN]);
	assert_null(ctx->workers[0].tx_collect[GW_WAN]);
}

static void test_full_ring_drops_and_counts(void **state)
{
	enum { N = GW_CTRL_TX_RING + 88 };
	struct rte_ring *r = ctx->ctrl_lc.tx_handoff[GW_LAN];
	struct rte_mbuf *m[N];
	unsigned int room = rte_ring_free_count(r);

	(void)state;
	assert_int_equal(rte_pktmbuf_alloc_bulk(ctx->pool, m, N), 0);
	gw_ctrl_tx_handoff(&ctx->ctrl_lc, GW_LAN, m, N);
	assert_int_equal(rte_ring_count(r), room);
	assert_int_equal(ring_full_drops(), N - room);
	/* what the ring did not take went back to the pool */
	assert_int_equal(in_use(), room);
}

static void test_ctrl_tx_and_flush_use_the_ring(void **state)
{
	struct rte_ring *r = ctx->ctrl_lc.tx_handoff[GW_LAN];
	struct gw_txbuf b = { .n = 0 };
	struct rte_mbuf *m;
	unsigned int i;

	(void)state;
	while (rte_ring_sc_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	assert_int_equal(in_use(), 0);

	m = rte_pktmbuf_alloc(ctx->pool);
	assert_non_null(m);
	gw_ctrl_tx(ctx, GW_LAN, m);
	assert_int_equal(rte_ring_count(r), 1);

	/* keepalives and staged packets: gw_encap_send's flush */
	for (i = 0; i < 3; i++) {
		b.m[b.n] = rte_pktmbuf_alloc(ctx->pool);
		assert_non_null(b.m[b.n]);
		b.n++;
	}
	gw_tx_flush(&ctx->ctrl_lc, GW_LAN, &b);
	assert_int_equal(b.n, 0);
	assert_int_equal(rte_ring_count(r), 4);
	assert_int_equal(gw_stats_sum(ctx->stats, GW_CTR_TX_LAN_PACKETS), 0);
}

static void test_free_gives_every_mbuf_back(void **state)
{
	(void)state;
	assert_int_not_equal(in_use(), 0);
	gw_ctrl_tx_rings_free(ctx);
	assert_int_equal(in_use(), 0);
	assert_null(ctx->ctrl_lc.tx_handoff[GW_LAN]);
	assert_null(ctx->workers[0].tx_collect[GW_LAN]);
}

int main(int argc, char **argv)
{
	char prefix[64], rundir[PATH_MAX];
	char *eal[] = { argv[0], "-l", "0", "--no-huge", "-m", "256",
			"--no-pci", "--no-shconf", "--no-telemetry",
			"--file-prefix", prefix,
			"--log-level", "*:error" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_ring_until_created),
		cmocka_unit_test(test_full_ring_drops_and_counts),
		cmocka_unit_test(test_ctrl_tx_and_flush_use_the_ring),
		cmocka_unit_test(test_free_gives_every_mbuf_back),
	};
	int ret;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "test_gw_ctrl_tx_%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return 1;
	ctx->stats = gw_stats_create();
	ctx->pool = rte_pktmbuf_pool_create("t_ctrl_tx", 2047, 0, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE,
					    (int)rte_socket_id());
	if (!ctx->stats || !ctx->pool) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	ctx->n_workers = 1;
	ctx->port[GW_LAN].port_id = 0;
	ctx->port[GW_WAN].port_id = 1;
	ctx->ctrl_lc.ctx = ctx;
	ctx->ctrl_lc.stats = &ctx->stats->lcore[rte_lcore_id()];
	ctx->workers[0].ctx = ctx;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(ctx->pool);
	gw_stats_free(ctx->stats);
	free(ctx);
	/* EAL leaves its (empty) runtime directory behind */
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(rundir);
	return ret;
}
