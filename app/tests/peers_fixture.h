/* SPDX-License-Identifier: MIT */
/*
 * What the peer-registry tests share (test_gw_peers.c, test_gw_set.c):
 * a control lcore and its tables under EAL --no-huge, no NIC, no worker;
 * a naive model of the peers (keys in insertion order) and the check
 * that the registry agrees with it.
 */
#ifndef GW_TEST_PEERS_FIXTURE_H
#define GW_TEST_PEERS_FIXTURE_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_fib.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "gw_control.h"
#include "gw_tables.h"
#include "wg_crypto.h"

enum { MAX = 16 };

static struct gw_ctx *ctx;

/* The model: keys in insertion order. */
static uint8_t model[MAX][WG_KEY_LEN];
static unsigned int n_model;

static inline void rand_key(uint8_t k[WG_KEY_LEN])
{
	wg_random(k, WG_KEY_LEN);
}

static inline void model_add(const uint8_t k[WG_KEY_LEN])
{
	memcpy(model[n_model++], k, WG_KEY_LEN);
}

static inline void model_del(const uint8_t k[WG_KEY_LEN])
{
	unsigned int i;

	for (i = 0; i < n_model; i++)
		if (memcmp(model[i], k, WG_KEY_LEN) == 0) {
			memmove(model[i], model[i + 1],
				(n_model - i - 1) * WG_KEY_LEN);
			n_model--;
			return;
		}
	fail_msg("model_del: key not in the model");
}

struct walk {
	unsigned int n;
	bool order_ok;
};

static inline int walk_fn(const struct wg_uapi_peer *info, void *arg)
{
	struct walk *w = arg;

	if (w->n >= n_model ||
	    memcmp(info->config.public_key, model[w->n], WG_KEY_LEN) != 0)
		w->order_ok = false;
	w->n++;
	return 0;
}

/* Everything the registry holds agrees with the model. */
static inline void check_model(void)
{
	struct gw_control *c = ctx->control;
	struct gw_tables *t = ctx->tables;
	struct walk w = { 0, true };
	struct gw_peer *p, *prev = NULL;
	unsigned int i, in_slots = 0;
	uint8_t absent[WG_KEY_LEN];

	assert_int_equal(c->n_peers, n_model);
	assert_int_equal(c->n_free, c->max_peers - n_model);
	gw_device_foreach_peer(&c->dev, walk_fn, &w);
	assert_int_equal(w.n, n_model);
	assert_true(w.order_ok);
	/* the list backwards, and each peer in its slot under its key */
	for (p = c->peers; p; prev = p, p = p->list_next) {
		assert_ptr_equal(p->list_prev, prev);
		assert_ptr_equal(t->peers[p->id], p);
		assert_ptr_equal(gw_peer_find(ctx, p->public_key), p);
		assert_int_equal(p->txn_vpeer, 0);
	}
	assert_ptr_equal(c->peers_tail, prev);
	/* the tick list: linked both ways, exactly the peers marked */
	prev = NULL;
	for (p = c->tick_head, i = 0; p; prev = p, p = p->tick_next, i++) {
		assert_true(p->ticking);
		assert_ptr_equal(p->tick_prev, prev);
		assert_ptr_equal(t->peers[p->id], p);
	}
	assert_ptr_equal(c->tick_tail, prev);
	assert_int_equal(i, c->n_ticking);
	for (p = c->peers, i = 0; p; p = p->list_next)
		i += p->ticking;
	assert_int_equal(i, c->n_ticking);
	for (i = 0; i < t->max_peers; i++)
		in_slots += t->peers[i] != NULL;
	assert_int_equal(in_slots, n_model);
	rand_key(absent);
	assert_null(gw_peer_find(ctx, absent));
}


static inline int setup_sized(const struct gw_tables_size *sz)
{
	static const uint8_t priv[WG_KEY_LEN] = { 1, 2, 3 };

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -1;
	ctx->tsc_hz = rte_get_tsc_hz();
	ctx->qsbr = rte_zmalloc("t_qsbr", rte_rcu_qsbr_get_memsize(1),
				RTE_CACHE_LINE_SIZE);
	ctx->stats = gw_stats_create();
	if (!ctx->qsbr || rte_rcu_qsbr_init(ctx->qsbr, 1) || !ctx->stats)
		return -1;
	ctx->ctrl_lc.stats = &ctx->stats->lcore[0];
	if (gw_tables_create_sized(ctx, sz) != 0 ||
	    gw_control_create(ctx) != 0)
		return -1;
	gw_control_set_private_key(ctx, priv);
	n_model = 0;
	return 0;
}

static inline int teardown(void **state)
{
	(void)state;
	gw_control_free(ctx);
	gw_tables_free(ctx);
	gw_stats_free(ctx->stats);
	rte_free(ctx->qsbr);
	free(ctx);
	return 0;
}

/* EAL up, the tests run, EAL down. */
static inline int fixture_main(char *argv0, const char *name,
			       const struct CMUnitTest *tests, size_t n)
{
	char prefix[64];
	char *eal[] = { argv0, "-l", "0", "--no-huge", "-m", "512",
			"--no-pci", "--no-shconf", "--file-prefix", prefix,
			"--log-level", "*:error" };
	int ret;

	snprintf(prefix, sizeof(prefix), "%s_%d", name, (int)getpid());
	if (wg_crypto_init() != 0 ||
	    rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	ret = _cmocka_run_group_tests(name, tests, n, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}

#endif /* GW_TEST_PEERS_FIXTURE_H */
