/* SPDX-License-Identifier: MIT */
/*
 * The keypair pool (gw_keypair_pool.h), EAL --no-huge, one simulated
 * worker registered with QSBR:
 *  - a retired keypair is neither wiped nor handed out again while a
 *    worker has not passed a quiescent state; afterwards it is wiped and
 *    is the next one handed out;
 *  - the bound: at cap, get fails and counts; a retirement makes room;
 *  - a keypair the pool did not give is wiped and freed, not pooled.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "gw_keypair_pool.h"
#include "gw_peer.h"

static struct rte_rcu_qsbr *qsbr;

static int setup(void **state)
{
	(void)state;
	qsbr = rte_zmalloc("t_qsbr", rte_rcu_qsbr_get_memsize(1),
			   RTE_CACHE_LINE_SIZE);
	if (!qsbr || rte_rcu_qsbr_init(qsbr, 1))
		return -1;
	if (rte_rcu_qsbr_thread_register(qsbr, 0))
		return -1;
	rte_rcu_qsbr_thread_online(qsbr, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rte_rcu_qsbr_thread_offline(qsbr, 0);
	rte_rcu_qsbr_thread_unregister(qsbr, 0);
	rte_free(qsbr);
	return 0;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void test_reuse_after_grace(void **state)
{
	struct gw_kp_pool *pool = gw_kp_pool_create(qsbr, 16, 0);
	struct gw_keypair *a, *b, *c;
	struct gw_kp_pool_stats st;

	(void)state;
	assert_non_null(pool);
	a = gw_kp_pool_get(pool);
	assert_non_null(a);
	assert_true(a->from_pool);
	memset(a->send_key, 0xab, WG_KEY_LEN);
	memset(a->recv_key, 0xcd, WG_KEY_LEN);
	rte_rcu_qsbr_quiescent(qsbr, 0); /* the worker saw a before */
	gw_kp_pool_retire(pool, a);

	/* the worker may still read a: not wiped, not handed out */
	b = gw_kp_pool_get(pool);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	gw_kp_pool_reclaim(pool);
	assert_int_equal(a->recv_key[0], 0xcd);
	assert_int_equal(a->send_key[WG_KEY_LEN - 1], 0xab);
	gw_kp_pool_stats(pool, &st);
	assert_int_equal(st.in_grace, 1);
	assert_int_equal(st.in_use, 1);

	/* the grace period over: wiped (the first bytes link the free
	 * list) and the next one out */
	rte_rcu_qsbr_quiescent(qsbr, 0);
	gw_kp_pool_reclaim(pool);
	gw_kp_pool_stats(pool, &st);
	assert_int_equal(st.in_grace, 0);
	assert_true(all_zero(a->recv_key, WG_KEY_LEN));
	assert_true(all_zero(&a->send_key[8], WG_KEY_LEN - 8));
	c = gw_kp_pool_get(pool);
	assert_ptr_equal(c, a);
	assert_true(all_zero(c->send_key, WG_KEY_LEN));
	assert_true(all_zero(&c->replay, sizeof(c->replay)));
	gw_kp_pool_stats(pool, &st);
	assert_int_equal(st.in_use, 2);
	assert_int_equal(st.allocated, GW_KP_POOL_CHUNK);

	rte_rcu_qsbr_quiescent(qsbr, 0);
	gw_kp_pool_retire(pool, b);
	gw_kp_pool_retire(pool, c);
	rte_rcu_qsbr_quiescent(qsbr, 0);
	gw_kp_pool_destroy(pool);
}

static void test_bound(void **state)
{
	struct gw_kp_pool *pool = gw_kp_pool_create(qsbr, 1, 3);
	struct gw_keypair *kp[3], *more;
	struct gw_kp_pool_stats st;
	unsigned int i;

	(void)state;
	assert_non_null(pool);
	for (i = 0; i < 3; i++) {
		kp[i] = gw_kp_pool_get(pool);
		assert_non_null(kp[i]);
	}
	assert_null(gw_kp_pool_get(pool));
	assert_null(gw_kp_pool_get(pool));
	gw_kp_pool_stats(pool, &st);
	assert_int_equal(st.cap, 3);
	assert_int_equal(st.allocated, 3);
	assert_int_equal(st.empty, 2);

	/* one retired: once the worker passes a quiescent state it is
	 * there for the next get */
	gw_kp_pool_retire(pool, kp[1]);
	rte_rcu_qsbr_quiescent(qsbr, 0);
	more = gw_kp_pool_get(pool);
	assert_ptr_equal(more, kp[1]);
	gw_kp_pool_stats(pool, &st);
	assert_int_equal(st.empty, 2);
	assert_int_equal(st.in_use, 3);

	for (i = 0; i < 3; i++)
		gw_kp_pool_retire(pool, i == 1 ? more : kp[i]);
	rte_rcu_qsbr_quiescent(qsbr, 0);
	gw_kp_pool_destroy(pool);
}

static void test_default_cap(void **state)
{
	struct gw_kp_pool *pool = gw_kp_pool_create(qsbr, 1000, 0);
	struct gw_kp_pool_stats st;

	(void)state;
	assert_non_null(pool);
	gw_kp_pool_stats(pool, &st);
	assert_int_equal(st.cap, 2000 + GW_KP_POOL_SLACK);
	assert_int_equal(st.allocated, 0); /* nothing until a session */
	gw_kp_pool_destroy(pool);
}

static void test_foreign_keypair(void **state)
{
	struct gw_kp_pool *pool = gw_kp_pool_create(qsbr, 4, 0);
	struct gw_keypair *own = rte_zmalloc("t_kp", sizeof(*own),
					     RTE_CACHE_LINE_SIZE);
	struct gw_kp_pool_stats st;

	(void)state;
	assert_non_null(pool);
	assert_non_null(own);
	gw_kp_pool_retire(pool, own);
	rte_rcu_qsbr_quiescent(qsbr, 0);
	gw_kp_pool_reclaim(pool);
	gw_kp_pool_stats(pool, &st);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.in_grace, 0);
	assert_int_equal(st.allocated, 0);
	gw_kp_pool_destroy(pool);
}

int main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], "-l", "0", "--no-huge", "-m", "256",
			"--no-pci", "--no-shconf", "--file-prefix", prefix,
			"--log-level", "*:error" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reuse_after_grace, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_cap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_foreign_keypair, setup,
						teardown),
	};
	int ret;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "test_gw_kp_pool_%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
