/* SPDX-License-Identifier: MIT */
/*
 * The neighbour table's states, timers and collection on a fake clock
 * (EAL --no-huge, no port: solicitations are counted by a callback):
 *
 *  - REACHABLE for 0.5..1.5 x the base reachable time, then STALE; a
 *    stale entry keeps its MAC; one that is used gets unicast probes and
 *    fails when they go unanswered, or is REACHABLE again when answered;
 *  - unused stale entries: kept below gc_thresh1, collected after
 *    gc_stale_time from there, at once from gc_thresh2;
 *  - INCOMPLETE: GW_NEIGH_RETRIES broadcast solicitations a retry time
 *    apart, then removed, its held frames freed and counted;
 *  - a full table admits a new entry in place of the least recently used
 *    one that is neither pinned nor holding frames, and refuses when
 *    there is none;
 *  - the per-entry and global bounds on held frames;
 *  - a removed entry's slot is not reused until the readers have passed
 *    a quiescent state, and its MAC is invalid at once.
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

#include "gw_neigh_table.h"
#include "wg_addr.h"

#define MS UINT64_C(1000000)
#define SEC UINT64_C(1000000000)
#define T0 (UINT64_C(1000) * SEC)

static struct gw_neigh_table tab;
static struct rte_rcu_qsbr *qsbr;
static struct rte_mempool *pool;
static struct gw_lcore_stats stats;
static unsigned int n_broadcast, n_unicast;

static void count_solicit(void *arg, const struct gw_neigh_entry *e,
			  bool unicast)
{
	(void)arg;
	(void)e;
	if (unicast)
		n_unicast++;
	else
		n_broadcast++;
}

static int setup_with(unsigned int held_max)
{
	memset(&stats, 0, sizeof(stats));
	n_broadcast = n_unicast = 0;
	qsbr = rte_zmalloc("t_qsbr", rte_rcu_qsbr_get_memsize(1),
			   RTE_CACHE_LINE_SIZE);
	if (!qsbr || rte_rcu_qsbr_init(qsbr, 1))
		return -1;
	return gw_neigh_table_init(&tab, "t_neigh", qsbr, held_max,
				   count_solicit, NULL, &stats);
}

static int setup(void **state)
{
	(void)state;
	return setup_with(512);
}

/* Holds limited only per entry. */
static int setup_unbounded(void **state)
{
	(void)state;
	return setup_with(GW_NEIGH_SLOTS * GW_NEIGH_HOLD);
}

static int teardown(void **state)
{
	(void)state;
	gw_neigh_table_fini(&tab);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
	rte_free(qsbr);
	return 0;
}

/* 2001:db8:a::<n> on the LAN */
static struct gw_neigh_key key(uint32_t n)
{
	struct gw_neigh_key k = { .role = 0, .family = WG_FAMILY_V6 };

	k.ip[0] = 0x20;
	k.ip[1] = 0x01;
	k.ip[2] = 0x0d;
	k.ip[3] = 0xb8;
	k.ip[5] = 0x0a;
	k.ip[12] = (uint8_t)(n >> 24);
	k.ip[13] = (uint8_t)(n >> 16);
	k.ip[14] = (uint8_t)(n >> 8);
	k.ip[15] = (uint8_t)n;
	return k;
}

static const struct rte_ether_addr mac1 = { { 0x02, 0, 0, 0, 0, 0x11 } };
static const struct rte_ether_addr mac2 = { { 0x02, 0, 0, 0, 0, 0x22 } };

static struct gw_neigh_entry *get(uint32_t n, bool pinned, uint64_t now)
{
	struct gw_neigh_key k = key(n);

	return gw_neigh_table_get(&tab, &k, pinned, true, now);
}

static struct gw_neigh_entry *find(uint32_t n)
{
	struct gw_neigh_key k = key(n);

	return gw_neigh_table_find(&tab, &k);
}

/* What a worker does: look up the MAC (and mark the entry used). */
static bool use(uint32_t n)
{
	struct gw_neigh_key k = key(n);
	struct rte_ether_addr mac;

	return gw_neigh_table_lookup(&tab, &k, &mac);
}

static void confirm(struct gw_neigh_entry *e, uint64_t now)
{
	assert_true(gw_neigh_table_update(&tab, e, &mac1,
					  GW_NEIGH_CONFIRMED |
						  GW_NEIGH_OVERRIDE,
					  now));
}

static void hold_one(struct gw_neigh_entry *e)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	gw_neigh_table_hold(&tab, e, m);
}

static struct gw_neigh_counts counts(void)
{
	struct gw_neigh_counts c;

	gw_neigh_table_counts(&tab, &c);
	return c;
}

static void tick_until(uint64_t from, uint64_t to, uint64_t step)
{
	uint64_t t;

	for (t = from; t <= to; t += step)
		gw_neigh_table_tick(&tab, t);
}

static void test_reachable_stale_probe(void **state)
{
	struct gw_neigh_entry *a, *b;
	uint64_t base = GW_NEIGH_REACHABLE_MS * MS;

	(void)state;
	a = get(1, false, T0);
	b = get(2, false, T0);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(n_broadcast, 2);
	assert_false(use(1));
	confirm(a, T0);
	confirm(b, T0);
	assert_true(use(1));
	assert_int_equal(counts().reachable, 2);
	/* RFC 4861: a random reachable time in [0.5, 1.5) x base */
	tick_until(T0, T0 + base / 2 - MS, 100 * MS);
	assert_int_equal(counts().reachable, 2);
	tick_until(T0 + base / 2, T0 + base * 3 / 2, 100 * MS);
	assert_int_equal(counts().stale, 2);
	/* stale, its MAC still good; below gc_thresh1 nothing goes */
	tick_until(T0 + 2 * base, T0 + 2 * base + 10 * GW_NEIGH_GC_STALE_S * SEC,
		   SEC);
	assert_int_equal(counts().stale, 2);
	assert_int_equal(n_unicast, 0);
	/* a worker uses both: probes, unicast */
	assert_true(use(1));
	assert_true(use(2));
	{
		uint64_t t = T0 + 1000 * SEC;
		unsigned int i;

		gw_neigh_table_tick(&tab, t);
		assert_int_equal(counts().probe, 2);
		assert_int_equal(n_unicast, 2);
		/* b answers, a does not */
		assert_true(gw_neigh_table_update(&tab, b, &mac1,
						  GW_NEIGH_CONFIRMED, t));
		for (i = 1; i <= 10; i++)
			gw_neigh_table_tick(&tab, t + i * 500 * MS);
	}
	assert_int_equal(n_unicast, 1 + GW_NEIGH_PROBES);
	assert_null(find(1));
	assert_false(use(1));
	assert_non_null(find(2));
	assert_int_equal(counts().reachable, 1);
	assert_int_equal(stats.c[GW_CTR_NEIGHBOUR_ENTRIES_FAILED], 1);
	/* unsolicited news of another MAC without override: ignored;
	 * with it: taken, but only stale until confirmed */
	assert_true(gw_neigh_table_update(&tab, b, &mac2, 0, T0 + 1010 * SEC));
	assert_int_equal(b->mac & ~GW_NEIGH_VALID, 0x110000000002);
	assert_true(gw_neigh_table_update(&tab, b, &mac2, GW_NEIGH_OVERRIDE,
					  T0 + 1010 * SEC));
	assert_int_equal(b->state, GW_NEIGH_STALE);
	assert_int_equal(b->mac & ~GW_NEIGH_VALID, 0x220000000002);
}

static void test_stale_collected(void **state)
{
	uint64_t base = GW_NEIGH_REACHABLE_MS * MS, t;
	unsigned int i, n = GW_NEIGH_GC_THRESH1 + 72;

	(void)state;
	for (i = 0; i < n; i++)
		confirm(get(i, false, T0), T0);
	tick_until(T0, T0 + base * 3 / 2, 500 * MS);
	assert_int_equal(counts().stale, n);
	/* between the thresholds: unused for gc_stale_time, and only down
	 * to gc_thresh1 */
	t = T0 + GW_NEIGH_GC_STALE_S * SEC - SEC;
	gw_neigh_table_tick(&tab, t);
	assert_int_equal(counts().entries, n);
	gw_neigh_table_tick(&tab, T0 + GW_NEIGH_GC_STALE_S * SEC);
	assert_int_equal(counts().entries, GW_NEIGH_GC_THRESH1 - 1);
	assert_int_equal(stats.c[GW_CTR_NEIGHBOUR_ENTRIES_COLLECTED],
			 n - GW_NEIGH_GC_THRESH1 + 1);
	gw_neigh_table_tick(&tab, T0 + 100 * GW_NEIGH_GC_STALE_S * SEC);
	assert_int_equal(counts().entries, GW_NEIGH_GC_THRESH1 - 1);
}

static void test_stale_collected_over_thresh2(void **state)
{
	uint64_t base = GW_NEIGH_REACHABLE_MS * MS;
	unsigned int i, n = GW_NEIGH_GC_THRESH2 + 10;

	(void)state;
	for (i = 0; i < n; i++)
		confirm(get(i, false, T0), T0);
	/* each goes stale, and (unused) is collected at the next tick
	 * while the table is over gc_thresh2: down to it */
	tick_until(T0, T0 + base * 3 / 2 + SEC, 500 * MS);
	assert_int_equal(counts().entries, GW_NEIGH_GC_THRESH2 - 1);
}

static void test_incomplete_gives_up(void **state)
{
	struct gw_neigh_entry *e;
	unsigned int i;

	(void)state;
	e = get(7, false, T0);
	for (i = 0; i < 3; i++)
		hold_one(e);
	assert_int_equal(counts().held, 3);
	assert_int_equal(rte_mempool_in_use_count(pool), 3);
	/* 100 ms ticks: one solicitation a retry time */
	tick_until(T0, T0 + GW_NEIGH_RETRIES * GW_NEIGH_RETRY_MS * MS - MS,
		   100 * MS);
	assert_int_equal(n_broadcast, GW_NEIGH_RETRIES);
	assert_non_null(find(7));
	tick_until(T0 + GW_NEIGH_RETRIES * GW_NEIGH_RETRY_MS * MS,
		   T0 + 20 * SEC, 100 * MS);
	assert_int_equal(n_broadcast, GW_NEIGH_RETRIES);
	assert_null(find(7));
	assert_int_equal(counts().entries, 0);
	assert_int_equal(counts().held, 0);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
	assert_int_equal(stats.c[GW_CTR_DROP_NEIGHBOUR_UNRESOLVED], 3);
	assert_int_equal(stats.c[GW_CTR_NEIGHBOUR_ENTRIES_FAILED], 1);
}

static void test_full_table_lru(void **state)
{
	struct gw_neigh_entry *e;
	unsigned int i;

	(void)state;
	/* 0: the gateway, long unused; 1..8 hold a frame; 9.. plain */
	assert_non_null(get(0, true, T0));
	for (i = 1; i < GW_NEIGH_MAX; i++) {
		e = get(i, false, T0 + i);
		assert_non_null(e);
		if (i <= 8)
			hold_one(e);
	}
	assert_int_equal(counts().entries, GW_NEIGH_MAX);
	/* 9 is the least recently used that may go; a reachable one (10)
	 * in use goes after incomplete and stale ones */
	confirm(find(10), T0 + 5000);
	e = get(5000, false, T0 + 5000);
	assert_non_null(e);
	assert_null(find(9));
	assert_non_null(find(10));
	assert_int_equal(counts().entries, GW_NEIGH_MAX);
	assert_int_equal(stats.c[GW_CTR_NEIGHBOUR_ENTRIES_REPLACED], 1);
	/* many more: the gateway and the holders stay */
	for (i = 0; i < 3000; i++)
		assert_non_null(get(10000 + i, false, T0 + 10000 + i));
	for (i = 0; i <= 8; i++)
		assert_non_null(find(i));
	assert_int_equal(counts().entries, GW_NEIGH_MAX);
	assert_int_equal(counts().held, 8);
}

static void test_full_of_unmovable(void **state)
{
	unsigned int i;

	(void)state;
	/* every entry holds a frame (no global bound here) */
	for (i = 0; i < GW_NEIGH_MAX; i++)
		hold_one(get(i, false, T0));
	assert_null(get(99999, false, T0 + 1));
	assert_int_equal(counts().entries, GW_NEIGH_MAX);
}

static void test_hold_bounds(void **state)
{
	struct gw_neigh_entry *e;
	unsigned int i;

	(void)state;
	e = get(1, false, T0);
	for (i = 0; i < GW_NEIGH_HOLD + 3; i++)
		hold_one(e);
	assert_int_equal(counts().held, GW_NEIGH_HOLD);
	assert_int_equal(stats.c[GW_CTR_DROP_NEIGHBOUR_UNRESOLVED], 3);
	for (i = 2; i < 600; i++)
		hold_one(get(i, false, T0));
	assert_int_equal(counts().held, 512);
	assert_int_equal(stats.c[GW_CTR_DROP_NEIGHBOUR_HOLD_FULL],
			 GW_NEIGH_HOLD + 598 - 512);
	assert_int_equal(rte_mempool_in_use_count(pool), 512);
	/* resolved: the frames are handed out and the count goes down */
	{
		struct rte_mbuf *out[GW_NEIGH_HOLD];
		unsigned int n;

		confirm(e, T0);
		n = gw_neigh_table_take_held(&tab, e, out);
		assert_int_equal(n, GW_NEIGH_HOLD);
		rte_pktmbuf_free_bulk(out, n);
	}
	assert_int_equal(counts().held, 512 - GW_NEIGH_HOLD);
	hold_one(get(700, false, T0));
	assert_int_equal(counts().held, 512 - GW_NEIGH_HOLD + 1);
}

static void test_slot_reuse_after_grace(void **state)
{
	struct gw_neigh_entry *e, *f;
	unsigned int free0;

	(void)state;
	/* a reader that has not passed a quiescent state yet */
	assert_int_equal(rte_rcu_qsbr_thread_register(qsbr, 0), 0);
	rte_rcu_qsbr_thread_online(qsbr, 0);
	e = get(1, false, T0);
	confirm(e, T0);
	/* fail it: no answer to the probes of a used stale entry */
	e->state = GW_NEIGH_PROBE;
	e->tries = GW_NEIGH_PROBES;
	tab.n_state[GW_NEIGH_REACHABLE]--;
	tab.n_state[GW_NEIGH_PROBE]++;
	e->timer_ns = T0;
	free0 = tab.n_free;
	gw_neigh_table_tick(&tab, T0 + SEC);
	assert_null(find(1));
	/* the MAC is invalid at once; the slot waits */
	assert_false(__atomic_load_n(&e->mac, __ATOMIC_ACQUIRE) &
		     GW_NEIGH_VALID);
	assert_int_equal(tab.n_free, free0);
	f = get(2, false, T0 + SEC);
	assert_ptr_not_equal(f, e);
	/* the reader moves on: the slot comes back */
	rte_rcu_qsbr_quiescent(qsbr, 0);
	gw_neigh_table_tick(&tab, T0 + 2 * SEC);
	assert_int_equal(tab.n_free, free0);  /* one back, one taken by f */
	rte_rcu_qsbr_thread_offline(qsbr, 0);
	rte_rcu_qsbr_thread_unregister(qsbr, 0);
}

int main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], "-l", "0", "--no-huge", "-m", "512",
			"--no-pci", "--no-shconf", "--file-prefix", prefix,
			"--log-level", "*:error" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reachable_stale_probe,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_collected, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_stale_collected_over_thresh2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incomplete_gives_up,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_table_lru, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_full_of_unmovable,
						setup_unbounded, teardown),
		cmocka_unit_test_setup_teardown(test_hold_bounds, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_slot_reuse_after_grace,
						setup, teardown),
	};
	int ret;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "test_gw_neigh_table_%d",
		 (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	/* no per-lcore cache: the in-use count is exact */
	pool = rte_pktmbuf_pool_create("t_pool", 4096, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (!pool)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
