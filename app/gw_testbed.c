/* SPDX-License-Identifier: MIT */
/*
 * A gateway context without a NIC, built as gw_setup() builds one (see
 * gw_testbed.h). The steps below follow gw_lcore.c's order; where
 * gw_setup asks the NIC (ports, pool, lcores to launch) the caller's
 * description stands in.
 */
#include "gw_testbed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "gw_control.h"
#include "gw_crypto.h"
#include "gw_ctrl_rings.h"
#include "gw_hs_limit.h"
#include "gw_lcore.h"
#include "gw_neighbour.h"
#include "gw_policy.h"
#include "gw_port.h"
#include "gw_worker.h"
#include "wg_crypto.h"

/* The [lan] / [wan] group of a config file for p (addresses: 2 slots). */
static void port_config(struct wg_port_config *pc, struct wg_prefix *addrs,
			uint16_t port_id, const struct gw_testbed_port *p)
{
	static const uint8_t zero6[16];
	uint32_t be;

	memset(pc, 0, sizeof(*pc));
	memset(addrs, 0, 2 * sizeof(*addrs));
	pc->port = port_id;
	pc->addresses = addrs;
	if (p->addr4) {
		be = rte_cpu_to_be_32(p->addr4);
		addrs[pc->n_addresses].family = WG_FAMILY_V4;
		memcpy(addrs[pc->n_addresses].addr, &be, 4);
		addrs[pc->n_addresses++].cidr = p->plen4;
	}
	if (memcmp(p->addr6, zero6, 16) != 0) {
		addrs[pc->n_addresses].family = WG_FAMILY_V6;
		memcpy(addrs[pc->n_addresses].addr, p->addr6, 16);
		addrs[pc->n_addresses++].cidr = p->plen6;
	}
	if (p->gateway4) {
		be = rte_cpu_to_be_32(p->gateway4);
		pc->has_gateway = true;
		pc->gateway.family = WG_FAMILY_V4;
		memcpy(pc->gateway.addr, &be, 4);
	}
}

/* What gw_ports_setup takes from the NIC and the config. */
static void ports_setup(struct gw_ctx *ctx, const struct gw_testbed_opts *o)
{
	unsigned int r;

	for (r = 0; r < GW_NB_ROLES; r++) {
		const struct gw_testbed_port *tp = r == GW_LAN ? &o->lan : &o->wan;
		const struct wg_port_config *pc =
			r == GW_LAN ? &ctx->cfg->lan : &ctx->cfg->wan;
		struct gw_port *p = &ctx->port[r];

		p->port_id = pc->port;
		p->role = (enum gw_role)r;
		memcpy(p->mac.addr_bytes, tp->mac, RTE_ETHER_ADDR_LEN);
		p->nb_rxq = (uint16_t)ctx->n_workers;
		p->nb_txq = (uint16_t)(ctx->n_workers + 1);
		p->ctrl_txq = (uint16_t)ctx->n_workers;
		p->frame_mtu = tp->frame_mtu ? tp->frame_mtu : RTE_ETHER_MTU;
		gw_port_load_addresses(p, pc);
	}
}

/* The configuration the gateway would have loaded for o. */
static int config_build(struct gw_testbed *tb, const struct gw_testbed_opts *o)
{
	struct wg_config *cfg = &tb->cfg;
	struct wg_interface_config *in = &cfg->interface;

	snprintf(in->name, sizeof(in->name), "testbed");
	in->mtu = o->mtu ? o->mtu : WG_DEFAULT_MTU;
	in->has_mtu = o->mtu != 0;
	in->listen_port = o->listen_port ? o->listen_port : 51820;
	in->has_listen_port = true;
	in->max_peers = o->max_peers ? o->max_peers : WG_DEFAULT_MAX_PEERS;
	in->has_max_peers = o->max_peers != 0;
	in->mss_clamp = o->mss_clamp;
	in->replace_peers = true;
	cfg->testing.reject_after_time = o->reject_after_s;
	cfg->testing.has_testing = o->reject_after_s != 0;
	if (o->private_key) {
		memcpy(in->private_key, o->private_key, WG_KEY_LEN);
		in->has_private_key = true;
	}
	cfg->lan.addresses = calloc(2, sizeof(struct wg_prefix));
	cfg->wan.addresses = calloc(2, sizeof(struct wg_prefix));
	if (!cfg->lan.addresses || !cfg->wan.addresses)
		return -ENOMEM;
	port_config(&cfg->lan, cfg->lan.addresses, 0, &o->lan);
	port_config(&cfg->wan, cfg->wan.addresses, 1, &o->wan);
	return 0;
}

/* cfg->peers[from..] from p (the prefixes copied, as the loader's are
 * the config's own). */
static int config_peers(struct wg_config *cfg, const struct gw_testbed_peer *p,
			uint32_t n)
{
	struct wg_peer_config *all =
		realloc(cfg->peers, (cfg->n_peers + n) * sizeof(*all));
	uint32_t i;

	if (!all && cfg->n_peers + n)
		return -ENOMEM;
	cfg->peers = all;
	for (i = 0; i < n; i++) {
		struct wg_peer_config *pc = &all[cfg->n_peers];

		memset(pc, 0, sizeof(*pc));
		memcpy(pc->public_key, p[i].public_key, WG_KEY_LEN);
		pc->has_public_key = true;
		pc->replace_allowed_ips = true;
		if (p[i].endpoint.family != WG_FAMILY_NONE) {
			pc->endpoint = p[i].endpoint;
			pc->has_endpoint = true;
		}
		if (p[i].n_allowed_ips) {
			pc->allowed_ips = malloc(p[i].n_allowed_ips *
						 sizeof(*pc->allowed_ips));
			if (!pc->allowed_ips)
				return -ENOMEM;
			memcpy(pc->allowed_ips, p[i].allowed_ips,
			       p[i].n_allowed_ips * sizeof(*pc->allowed_ips));
			pc->n_allowed_ips = p[i].n_allowed_ips;
		}
		cfg->n_peers++;
	}
	return 0;
}

/* gw_setup's worker handles: a crypto manager each, counters by lcore. */
static int lcores_setup(struct gw_testbed *tb)
{
	struct gw_ctx *ctx = tb->ctx;
	unsigned int i;

	for (i = 0; i <= tb->lcores; i++) {
		struct gw_lcore *lc = i < tb->lcores ? &ctx->workers[i] :
						       &ctx->ctrl_lc;

		int ret;

		/* the caller's thread is worker 0 (and lcore 0); the
		 * control lcore's counters get a slot of their own */
		lc->lcore_id = i;
		lc->txq = (uint16_t)i;
		ret = gw_lcore_handle_init(ctx, lc, i);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int neighbours(struct gw_testbed *tb, const struct gw_testbed_opts *o)
{
	unsigned int i;

	for (i = 0; i < o->n_neigh; i++) {
		const struct gw_testbed_neigh *n = &o->neigh[i];
		bool ok = n->family == WG_FAMILY_V4 ?
				  gw_testbed_neighbour4(tb, n->role, n->addr4,
							n->mac) :
				  gw_testbed_neighbour(tb, n->role, n->family,
						       n->addr6, n->mac);

		if (!ok)
			return -EINVAL;
	}
	return 0;
}

static int pool_create(struct gw_testbed *tb, const struct gw_testbed_opts *o)
{
	static unsigned int seq;
	char name[RTE_MEMPOOL_NAMESIZE];

	if (o->pool) {
		tb->pool = o->pool;
		return 0;
	}
	snprintf(name, sizeof(name), "testbed%u", seq++);
	tb->pool = rte_pktmbuf_pool_create(
		name, o->n_mbufs ? o->n_mbufs : 4096, o->mbuf_cache, 0,
		(uint16_t)(RTE_PKTMBUF_HEADROOM +
			   (o->data_room ? o->data_room :
					   RTE_MBUF_DEFAULT_DATAROOM)),
		(int)rte_socket_id());
	tb->own_pool = tb->pool != NULL;
	return tb->pool ? 0 : -ENOMEM;
}

static int build(struct gw_testbed *tb, const struct gw_testbed_opts *o)
{
	struct gw_ctx *ctx = tb->ctx;
	int ret;

	ret = config_build(tb, o);
	if (ret == 0)
		ret = config_peers(&tb->cfg, o->peers, o->n_peers);
	if (ret < 0)
		return ret;
	ctx->cfg = &tb->cfg;
	ctx->tsc_hz = rte_get_tsc_hz();
	ctx->mtu = tb->cfg.interface.mtu;
	ctx->stats = gw_stats_create();
	if (!ctx->stats)
		return -ENOMEM;
	ctx->n_workers = o->workers ? o->workers : 1;
	ports_setup(ctx, o);
	ret = pool_create(tb, o);
	if (ret < 0)
		return ret;
	ctx->pool = tb->pool;
	ctx->qsbr = rte_zmalloc("tb_qsbr", rte_rcu_qsbr_get_memsize(tb->lcores),
				RTE_CACHE_LINE_SIZE);
	if (!ctx->qsbr || rte_rcu_qsbr_init(ctx->qsbr, tb->lcores) != 0)
		return -ENOMEM;
	if (gw_ctrl_rings_create(ctx) < 0 || gw_hs_limit_create(ctx) < 0)
		return -ENOMEM;
	ret = lcores_setup(tb);
	if (ret == 0)
		ret = gw_spread_setup(ctx);
	if (ret == 0)
		ret = o->size ? gw_tables_create_sized(ctx, o->size) :
				gw_tables_create(ctx);
	if (ret == 0)
		ret = gw_neigh_create(ctx);
	if (ret == 0)
		ret = neighbours(tb, o);
	if (ret == 0)
		ret = gw_control_create(ctx);
	/* the ports are never started: nothing leaves the process */
	if (ret == 0)
		ret = gw_policy_create(ctx);
	if (ret == 0)
		ret = gw_setup_apply(ctx, &tb->cfg);
	return ret;
}

struct gw_testbed *gw_testbed_create(const struct gw_testbed_opts *o)
{
	struct gw_testbed *tb = calloc(1, sizeof(*tb));
	int ret;

	if (!tb)
		return NULL;
	tb->ctx = calloc(1, sizeof(*tb->ctx));
	tb->lcores = o->lcores ? o->lcores : 1;
	if (!tb->ctx || tb->lcores > GW_MAX_WORKERS ||
	    (o->workers > tb->lcores)) {
		free(tb->ctx);
		free(tb);
		return NULL;
	}
	ret = build(tb, o);
	if (ret < 0) {
		GW_LOG(ERR, "testbed: setup failed: %s", strerror(-ret));
		gw_testbed_free(tb);
		return NULL;
	}
	return tb;
}

void gw_testbed_free(struct gw_testbed *tb)
{
	struct gw_ctx *ctx;

	if (!tb)
		return;
	ctx = tb->ctx;
	/* gw_teardown's order; every worker handle, whatever the caller
	 * left n_workers at */
	gw_control_free(ctx);
	gw_policy_free(ctx);
	gw_neigh_free(ctx);
	if (ctx->tables) {
		gw_tables_retire(ctx->tables, (void *)(uintptr_t)ctx->mac1_key,
				 GW_RETIRE_FREE, 0);
		gw_tables_free(ctx);
	}
	/* the handles built, whatever n_workers the caller left: the
	 * control lcore's is the one after them */
	ctx->n_workers = tb->lcores;
	gw_lcores_free(ctx);
	if (tb->own_pool)
		rte_mempool_free(tb->pool);
	/* the private key and the prefixes, as the loader's */
	wg_config_free(&tb->cfg);
	free(ctx);
	free(tb);
}

struct gw_peer *gw_testbed_peer(struct gw_testbed *tb,
				const uint8_t pub[WG_KEY_LEN])
{
	return gw_peer_find(tb->ctx, pub);
}

/* Peer i of peers added, its endpoint set, its prefixes listed for the
 * batch (ids: the new peer's slot). */
static int add_one(struct gw_ctx *ctx, const struct gw_testbed_peer *tp,
		   struct gw_peer **out)
{
	struct gw_peer *peer;
	struct wg_prefix *list = NULL;

	if (tp->n_allowed_ips) {
		list = malloc(tp->n_allowed_ips * sizeof(*list));
		if (!list)
			return -ENOMEM;
		memcpy(list, tp->allowed_ips, tp->n_allowed_ips * sizeof(*list));
	}
	peer = gw_peer_add(ctx, tp->public_key);
	if (!peer) {
		free(list);
		return -ENOSPC;
	}
	if (tp->endpoint.family != WG_FAMILY_NONE)
		gw_peer_set_endpoint(ctx, peer, &tp->endpoint);
	gw_peer_use_allowed_ips(peer, list, tp->n_allowed_ips,
				tp->n_allowed_ips);
	*out = peer;
	return 0;
}

int gw_testbed_add_peers(struct gw_testbed *tb,
			 const struct gw_testbed_peer *peers, uint32_t n)
{
	struct gw_ctx *ctx = tb->ctx;
	struct gw_peer **added = calloc(n ? n : 1, sizeof(*added));
	struct wg_prefix *pfx = NULL;
	uint32_t *ids = NULL, i, j, k = 0, n_pfx = 0;
	int ret = added ? 0 : -ENOMEM;

	/* as a `wg set` adding peers: the peers first, their prefixes in
	 * one batch */
	for (i = 0; ret == 0 && i < n; i++) {
		n_pfx += peers[i].n_allowed_ips;
		ret = add_one(ctx, &peers[i], &added[i]);
	}
	if (ret == 0 && n_pfx) {
		pfx = malloc(n_pfx * sizeof(*pfx));
		ids = malloc(n_pfx * sizeof(*ids));
		ret = pfx && ids ? 0 : -ENOMEM;
		for (i = 0; ret == 0 && i < n; i++)
			for (j = 0; j < peers[i].n_allowed_ips; j++) {
				pfx[k] = peers[i].allowed_ips[j];
				ids[k++] = added[i]->id;
			}
		if (ret == 0)
			ret = gw_tables_routes_apply(ctx->tables, pfx, ids,
						     n_pfx, false);
	}
	if (ret < 0) {
		/* all or nothing: the routes were not applied */
		for (i = 0; i < n && added && added[i]; i++)
			gw_peer_remove_unrouted(ctx, added[i]);
	}
	free(pfx);
	free(ids);
	free(added);
	return ret;
}

void gw_testbed_remove_peer(struct gw_testbed *tb, struct gw_peer *peer)
{
	gw_peer_remove(tb->ctx, peer);
}

void gw_testbed_endpoint(struct gw_testbed *tb, struct gw_peer *peer,
			 const struct wg_endpoint *ep)
{
	gw_peer_set_endpoint(tb->ctx, peer, ep);
}

static struct gw_keypair *install(struct gw_testbed *tb, struct gw_peer *peer,
				  const struct wg_keypair *k, bool initiator)
{
	struct wg_keypair c = *k;
	int ret;

	c.we_are_initiator = initiator;
	ret = gw_peer_install_keypair(tb->ctx, peer, &c);
	wg_wipe(&c, sizeof(c));
	if (ret < 0)
		return NULL;
	return gw_kp_load(initiator ? &peer->kp_current : &peer->kp_next);
}

struct gw_keypair *gw_testbed_session(struct gw_testbed *tb,
				      struct gw_peer *peer,
				      const struct wg_keypair *k)
{
	return install(tb, peer, k, true);
}

struct gw_keypair *gw_testbed_session_next(struct gw_testbed *tb,
					   struct gw_peer *peer,
					   const struct wg_keypair *k)
{
	return install(tb, peer, k, false);
}

void gw_testbed_peer_side(const struct wg_keypair *k, struct wg_keypair *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->sending_key, k->receiving_key, WG_KEY_LEN);
	memcpy(out->receiving_key, k->sending_key, WG_KEY_LEN);
	out->local_index = k->remote_index;
	out->remote_index = k->local_index;
	out->we_are_initiator = !k->we_are_initiator;
}

void gw_testbed_no_session(struct gw_testbed *tb, struct gw_peer *peer)
{
	gw_peer_zero_keys(tb->ctx, peer);
}

bool gw_testbed_neighbour(struct gw_testbed *tb, enum gw_role role,
			  uint8_t family, const void *addr, const uint8_t mac[6])
{
	return gw_neigh_learn(tb->ctx, role, family, addr,
			      (const struct rte_ether_addr *)mac);
}

bool gw_testbed_neighbour4(struct gw_testbed *tb, enum gw_role role,
			   uint32_t addr_host, const uint8_t mac[6])
{
	uint32_t be = rte_cpu_to_be_32(addr_host);

	return gw_testbed_neighbour(tb, role, WG_FAMILY_V4, &be, mac);
}
