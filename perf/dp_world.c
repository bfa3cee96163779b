/* SPDX-License-Identifier: MIT */
/*
 * bench_dataplane's world: a gateway context as the control lcore would
 * have set it up (ports, neighbours, one ipsec-mb manager per worker), and
 * for one peer count the peers, their keypairs and endpoints, the receiver
 * index and the AllowedIPs tables.
 *
 * The 100,000-peer case: 1,000,000 IPv4 prefixes (10 per peer: nine /24
 * and one /24 or /28), loaded with one gw_tables_routes_apply() call.
 * These prefixes and the peers' endpoints (203.0.113.0/24) never leave the
 * process: nothing is sent anywhere.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "bench_dataplane.h"
#include "gw_ctrl_rings.h"
#include "gw_crypto.h"
#include "gw_neighbour.h"
#include "gw_tables.h"
#include "wg_replay.h"

/* Peer p's prefix j's length: every 100th is a /28. */
static uint8_t prefix_len(uint32_t p, unsigned int j)
{
	return (p * PREFIXES_PER_PEER + j) % 100 == 99 ? 28 : 24;
}

/* A resolved neighbour, as ARP would have left it. */
static void neigh_put(struct gw_ctx *ctx, enum gw_role role, uint32_t ip,
		      const uint8_t *mac)
{
	uint32_t be = rte_cpu_to_be_32(ip);

	gw_neigh_learn(ctx, role, WG_FAMILY_V4, (const uint8_t *)&be,
		       (const struct rte_ether_addr *)mac);
}

/* A context as the control lcore sets it up: the LAN and WAN ports'
 * addresses, the WAN gateway and both neighbours resolved, and an ipsec-mb
 * manager per worker. No port is ever started. */
struct gw_ctx *ctx_create(unsigned int n_lcores)
{
	struct gw_ctx *ctx = calloc(1, sizeof(*ctx));
	unsigned int i;
	size_t qsz;

	if (!ctx)
		return NULL;
	ctx->tsc_hz = rte_get_tsc_hz();
	ctx->mtu = MTU;
	ctx->reject_after_ns = (uint64_t)WG_REJECT_AFTER_TIME * 1000000000ull;
	ctx->listen_port = rte_cpu_to_be_16(LISTEN);
	ctx->stats = gw_stats_create();
	qsz = rte_rcu_qsbr_get_memsize(n_lcores);
	ctx->qsbr = rte_zmalloc("bench_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (!ctx->stats || !ctx->qsbr || gw_ctrl_rings_create(ctx) < 0 ||
	    rte_rcu_qsbr_init(ctx->qsbr, n_lcores) != 0)
		return NULL;
	for (i = 0; i < GW_NB_ROLES; i++) {
		struct gw_port *p = &ctx->port[i];

		p->port_id = (uint16_t)i;
		p->role = (enum gw_role)i;
		memcpy(p->mac.addr_bytes, i == GW_LAN ? lan_mac : wan_mac, 6);
		p->addr4[0] = rte_cpu_to_be_32(i == GW_LAN ? LAN_ADDR : WAN_ADDR);
		p->plen4[0] = 24;
		p->n_addr4 = 1;
	}
	ctx->port[GW_WAN].has_gateway = true;
	ctx->port[GW_WAN].gateway.family = WG_FAMILY_V4;
	{
		uint32_t be = rte_cpu_to_be_32(WAN_ROUTER);

		memcpy(ctx->port[GW_WAN].gateway.addr, &be, 4);
	}
	if (gw_neigh_create(ctx) != 0)
		return NULL;
	neigh_put(ctx, GW_WAN, WAN_ROUTER, router_mac);
	neigh_put(ctx, GW_LAN, LAN_HOST, host_mac);
	for (i = 0; i < n_lcores && i < GW_MAX_WORKERS; i++) {
		struct gw_lcore *lc = &ctx->workers[i];

		lc->ctx = ctx;
		lc->worker_idx = i;
		lc->txq = (uint16_t)i;
		lc->stats = &ctx->stats->lcore[i];
		lc->mb = gw_crypto_mgr_create();
		if (!lc->mb)
			return NULL;
	}
	return ctx;
}

/* Keys that differ per peer and direction; their values do not matter. */
static void fill_key(uint8_t *k, uint32_t p, uint8_t salt)
{
	unsigned int i;

	for (i = 0; i < WG_KEY_LEN; i++)
		k[i] = (uint8_t)(p * 131 + i * 7 + salt);
}

/* n_peers peers, each with a current keypair, an endpoint, a receiver
 * index and PREFIXES_PER_PEER AllowedIPs prefixes. */
int world_build(struct world *w, uint32_t n_peers)
{
	struct gw_ctx *ctx = w->ctx;
	struct gw_tables_size sz = {
		.peers = n_peers,
		.routes4 = n_peers * PREFIXES_PER_PEER + 64,
		.tbl8s4 = 1 << 14,
		.indices = 4 * n_peers,
	};
	struct wg_prefix *pfx;
	uint32_t *ids, p, n = 0;
	uint64_t t0 = rte_rdtsc(), now = gw_now_ns(ctx);
	unsigned int j;
	int ret;

	w->n_peers = n_peers;
	ret = gw_tables_create_sized(ctx, &sz);
	if (ret < 0)
		return ret;
	w->peers = calloc(n_peers, sizeof(*w->peers));
	w->kps = calloc(n_peers, sizeof(*w->kps));
	w->eps = calloc(n_peers, sizeof(*w->eps));
	pfx = calloc((size_t)n_peers * PREFIXES_PER_PEER, sizeof(*pfx));
	ids = calloc((size_t)n_peers * PREFIXES_PER_PEER, sizeof(*ids));
	if (!w->peers || !w->kps || !w->eps || !pfx || !ids)
		return -ENOMEM;
	for (p = 0; p < n_peers; p++) {
		/* allocated as the control lcore does (gw_peer.c): one by
		 * one from DPDK memory, hugepages when there are some */
		struct gw_peer *peer = rte_zmalloc("bench_peer", gw_peer_size(),
						   RTE_CACHE_LINE_SIZE);
		struct gw_keypair *kp = rte_zmalloc("bench_kp", sizeof(*kp),
						    RTE_CACHE_LINE_SIZE);
		struct wg_endpoint *ep = rte_malloc("bench_ep", sizeof(*ep),
						    0);
		uint32_t ep_ip = RTE_IPV4(203, 0, 113, 1 + p % 250);

		if (!peer || !kp || !ep)
			return -ENOMEM;
		fill_key(kp->send_key, p, 1);
		fill_key(kp->recv_key, p, 2);
		kp->local_index = p + 1;
		kp->remote_index = 0x80000000u + p;
		gw_kp_born(kp, p, now);
		wg_replay_init(&kp->replay);
		w->eps[p].family = WG_FAMILY_V4;
		ep_ip = rte_cpu_to_be_32(ep_ip);
		memcpy(w->eps[p].addr, &ep_ip, 4);
		w->eps[p].port = (uint16_t)(1024 + p / 250);
		peer->id = p;
		peer->kp_current = kp;
		*ep = w->eps[p];
		peer->endpoint = ep;
		w->peers[p] = peer;
		w->kps[p] = kp;
		ctx->tables->peers[p] = peer;
		if (gw_tables_index_add(ctx->tables, kp->local_index,
					(uintptr_t)kp) < 0)
			return -ENOSPC;
		for (j = 0; j < PREFIXES_PER_PEER; j++) {
			uint32_t be = rte_cpu_to_be_32(prefix_addr(p, j));

			pfx[n].family = WG_FAMILY_V4;
			memcpy(pfx[n].addr, &be, 4);
			pfx[n].cidr = prefix_len(p, j);
			ids[n++] = p;
		}
	}
	ret = gw_tables_routes_apply(ctx->tables, pfx, ids, n, false);
	free(pfx);
	free(ids);
	if (ret < 0)
		return ret;
	printf("# %u peer(s), %u AllowedIPs prefixes, index table and keys built in %.2f s\n",
	       n_peers, n, (double)(rte_rdtsc() - t0) / (double)ctx->tsc_hz);
	return 0;
}

void world_free(struct world *w)
{
	uint32_t p;

	gw_tables_free(w->ctx);
	for (p = 0; p < w->n_peers; p++) {
		rte_free(w->peers[p]->endpoint);
		rte_free(w->peers[p]);
		rte_free(w->kps[p]);
	}
	free(w->peers);
	free(w->kps);
	free(w->eps);
	w->peers = NULL;
	w->kps = NULL;
	w->eps = NULL;
}
