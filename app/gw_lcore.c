/* SPDX-License-Identifier: MIT */
/*
 * The order things are built in and torn down: counters, QSBR, rings,
 * worker lcores and their crypto managers, ports, tables, neighbours,
 * control state with the configured peers, then the ports start.
 * Teardown runs the other way round and wipes every key on the way.
 */
#include "gw_lcore.h"
#include "gw_policy.h"

#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "gw_control.h"
#include "gw_crypto.h"
#include "gw_ctrl_tx.h"
#include "gw_ctrl_rings.h"
#include "gw_hs_lane.h"
#include "gw_hs_limit.h"
#include "gw_neighbour.h"
#include "gw_port.h"
#include "gw_tables.h"
#include "gw_worker.h"

static bool is_handshake_lcore(const struct wg_config *cfg, unsigned int lcore)
{
	unsigned int i;

	for (i = 0; i < cfg->handshakes.n_lcores; i++)
		if (cfg->handshakes.lcores[i] == lcore)
			return true;
	return false;
}

static int pick_workers(struct gw_ctx *ctx, const struct wg_config *cfg)
{
	unsigned int lcore, n = 0;
	size_t i;

	if (cfg->has_workers) {
		for (i = 0; i < cfg->n_worker_lcores; i++) {
			lcore = cfg->worker_lcores[i];
			if (lcore >= RTE_MAX_LCORE ||
			    !rte_lcore_is_enabled(lcore) ||
			    lcore == rte_get_main_lcore()) {
				GW_LOG(ERR,
				       "workers.lcores: lcore %u is not an EAL worker lcore (see -l)",
				       lcore);
				return -EINVAL;
			}
			if (n < GW_MAX_WORKERS)
				ctx->workers[n++].lcore_id = lcore;
		}
	} else {
		/* handshake lanes are not workers (gw_hs_lane.h) */
		RTE_LCORE_FOREACH_WORKER(lcore)
			if (n < GW_MAX_WORKERS &&
			    !is_handshake_lcore(cfg, lcore))
				ctx->workers[n++].lcore_id = lcore;
	}
	if (n == 0) {
		GW_LOG(ERR,
		       "no worker lcore: give EAL at least two lcores (-l 0-1)");
		return -EINVAL;
	}
	ctx->n_workers = n;
	return 0;
}

int gw_setup(struct gw_ctx *ctx, struct wg_config *cfg)
{
	size_t qsz;
	unsigned int i;
	int ret;

	ctx->cfg = cfg;
	ctx->tsc_hz = rte_get_tsc_hz();
	ctx->mtu = cfg->interface.mtu;
	ctx->stats = gw_stats_create();
	if (!ctx->stats)
		return -ENOMEM;
	ret = pick_workers(ctx, cfg);
	if (ret < 0)
		return ret;
	/* ports may lower the worker count (no RSS) */
	ret = gw_ports_setup(ctx);
	if (ret < 0)
		return ret;

	qsz = rte_rcu_qsbr_get_memsize(ctx->n_workers);
	ctx->qsbr = rte_zmalloc("gw_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (!ctx->qsbr || rte_rcu_qsbr_init(ctx->qsbr, ctx->n_workers) != 0)
		return -ENOMEM;
	if (gw_ctrl_rings_create(ctx) < 0 || gw_hs_limit_create(ctx) < 0)
		return -ENOMEM;

	for (i = 0; i <= ctx->n_workers; i++) {
		struct gw_lcore *lc = i < ctx->n_workers ? &ctx->workers[i] :
							   &ctx->ctrl_lc;

		if (i == ctx->n_workers)
			lc->lcore_id = rte_get_main_lcore();
		ret = gw_lcore_handle_init(ctx, lc, i);
		if (ret < 0)
			return ret;
	}
	/* one tunnel's decryption over every worker (gw_worker.h) */
	ret = gw_spread_setup(ctx);
	if (ret < 0)
		return ret;
	GW_LOG(INFO, "%u worker(s), intel-ipsec-mb %s (%s)", ctx->n_workers,
	       imb_get_version_str(), gw_crypto_arch_name(ctx->ctrl_lc.mb));

	ret = gw_tables_create(ctx);
	if (ret < 0)
		return ret;
	ret = gw_neigh_create(ctx);
	if (ret < 0)
		return ret;
	ret = gw_control_create(ctx);
	if (ret < 0)
		return ret;
	ret = gw_hs_lanes_create(ctx, cfg->handshakes.lcores,
				 cfg->handshakes.n_lcores);
	if (ret < 0)
		return ret;
	/* ports first: applying peers already sends ARP for endpoints */
	ret = gw_ports_start(ctx);
	if (ret < 0)
		return ret;
	ret = gw_policy_create(ctx);
	if (ret < 0)
		return ret;
	return gw_setup_apply(ctx, cfg);
}

int gw_lcore_handle_init(struct gw_ctx *ctx, struct gw_lcore *lc,
			 unsigned int idx)
{
	lc->ctx = ctx;
	lc->worker_idx = idx;
	lc->stats = &ctx->stats->lcore[lc->lcore_id];
	/* allocated here: workers never allocate */
	lc->mb = gw_crypto_mgr_create();
	if (!lc->mb) {
		GW_LOG(ERR, "intel-ipsec-mb manager: out of memory");
		return -ENOMEM;
	}
	return 0;
}

int gw_setup_apply(struct gw_ctx *ctx, const struct wg_config *cfg)
{
	struct gw_policy_stage *st;
	char err[256];
	int ret;

	/* compiled before anything is applied: bad rules stop here */
	ret = gw_policy_stage(ctx, cfg, &st, err, sizeof(err));
	if (ret < 0) {
		GW_LOG(ERR, "%s", err);
		return ret;
	}
	ret = gw_control_apply_config(ctx, cfg);
	if (ret < 0) {
		GW_LOG(ERR, "applying the configuration: %s", strerror(-ret));
		gw_policy_discard(st);
		return ret;
	}
	gw_policy_commit(ctx, st);
	return 0;
}

int gw_launch(struct gw_ctx *ctx)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ctx->n_workers; i++) {
		ret = rte_eal_remote_launch(gw_worker_main, &ctx->workers[i],
					    ctx->workers[i].lcore_id);
		if (ret < 0) {
			GW_LOG(ERR, "launch on lcore %u: %s",
			       ctx->workers[i].lcore_id, rte_strerror(-ret));
			return ret;
		}
	}
	return gw_hs_lanes_launch(ctx);
}

void gw_teardown(struct gw_ctx *ctx)
{
	if (ctx->stats)
		gw_stats_log(ctx->stats);
	/* the lcores are stopped: what they did not send goes back */
	gw_ctrl_tx_rings_free(ctx);
	/* removes the UAPI socket, every peer and wipes every key */
	gw_control_free(ctx);
	gw_policy_free(ctx);
	if (ctx->pool)
		gw_ports_stop(ctx);
	gw_neigh_free(ctx);
	if (ctx->tables)
		gw_tables_retire(ctx->tables, (void *)(uintptr_t)ctx->mac1_key,
				 GW_RETIRE_FREE, 0);
	/* the process exits next: freeing the route tables would only
	 * cost time (gw_tables.c) */
	gw_tables_free_at_exit(ctx);
	gw_lcores_free(ctx);
	rte_mempool_free(ctx->pool);
}

void gw_lcores_free(struct gw_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i <= ctx->n_workers && i <= GW_MAX_WORKERS; i++) {
		struct gw_lcore *lc = i < ctx->n_workers ? &ctx->workers[i] :
							   &ctx->ctrl_lc;

		gw_crypto_mgr_free(lc->mb);
		lc->mb = NULL;
	}
	gw_spread_free(ctx);
	gw_ctrl_rings_free(ctx);
	gw_hs_limit_free(ctx);
	gw_hs_lanes_free(ctx);
	rte_free(ctx->qsbr);
	ctx->qsbr = NULL;
	gw_stats_free(ctx->stats);
	ctx->stats = NULL;
}
