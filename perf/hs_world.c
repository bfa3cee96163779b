/* SPDX-License-Identifier: MIT */
/* The handshake benchmark's and test's world (hs_world.h). */
#include "hs_world.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include "gw_control.h"
#include "gw_crypto.h"
#include "gw_ctrl_rings.h"
#include "gw_hs_lane.h"
#include "gw_neighbour.h"
#include "gw_tables.h"
#include "wg_crypto.h"

#define WAN_ADDR RTE_IPV4(198, 51, 100, 1)
#define WAN_ROUTER RTE_IPV4(198, 51, 100, 254)
#define LISTEN 51820

static const uint8_t wan_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t router_mac[6] = { 0x02, 0, 0, 0, 0, 0x04 };

static uint32_t client_addr(uint32_t p)
{
	return RTE_IPV4(203, 0, 113, 1 + p % 250);
}

static int ctx_build(struct hs_world *w, const char *name, uint32_t n_peers)
{
	struct gw_tables_size sz = {
		.peers = n_peers, .routes4 = 64, .tbl8s4 = 64,
		.indices = 4 * n_peers + 64,
	};
	struct gw_ctx *ctx = calloc(1, sizeof(*ctx));
	char pname[RTE_MEMPOOL_NAMESIZE];
	uint32_t be;

	if (!ctx)
		return -ENOMEM;
	w->ctx = ctx;
	ctx->tsc_hz = rte_get_tsc_hz();
	ctx->mtu = 1420;
	ctx->reject_after_ns = (uint64_t)WG_REJECT_AFTER_TIME * 1000000000ull;
	ctx->listen_port = rte_cpu_to_be_16(LISTEN);
	ctx->stats = gw_stats_create();
	ctx->qsbr = rte_zmalloc("hs_qsbr", rte_rcu_qsbr_get_memsize(1),
				RTE_CACHE_LINE_SIZE);
	snprintf(pname, sizeof(pname), "%s_pool", name);
	w->pool = rte_pktmbuf_pool_create(pname, 8191, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	ctx->pool = w->pool;
	snprintf(pname, sizeof(pname), "%s_tx", name);
	w->wan_tx = rte_ring_create(pname, 4096, (int)rte_socket_id(),
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!ctx->stats || !ctx->qsbr || !w->pool || !w->wan_tx ||
	    rte_rcu_qsbr_init(ctx->qsbr, 1) || gw_ctrl_rings_create(ctx) < 0)
		return -ENOMEM;
	ctx->port[GW_WAN].role = GW_WAN;
	ctx->port[GW_WAN].port_id = 1;
	memcpy(ctx->port[GW_WAN].mac.addr_bytes, wan_mac, 6);
	ctx->port[GW_WAN].addr4[0] = rte_cpu_to_be_32(WAN_ADDR);
	ctx->port[GW_WAN].plen4[0] = 24;
	ctx->port[GW_WAN].n_addr4 = 1;
	ctx->port[GW_WAN].has_gateway = true;
	ctx->port[GW_WAN].gateway.family = WG_FAMILY_V4;
	be = rte_cpu_to_be_32(WAN_ROUTER);
	memcpy(ctx->port[GW_WAN].gateway.addr, &be, 4);
	/* the control lcore's frames land in wan_tx */
	ctx->ctrl_lc.ctx = ctx;
	ctx->ctrl_lc.lcore_id = rte_get_main_lcore();
	ctx->ctrl_lc.stats = &ctx->stats->lcore[ctx->ctrl_lc.lcore_id];
	ctx->ctrl_lc.mb = gw_crypto_mgr_create();
	ctx->ctrl_lc.tx_handoff[GW_WAN] = w->wan_tx;
	if (!ctx->ctrl_lc.mb || gw_tables_create_sized(ctx, &sz) < 0 ||
	    gw_neigh_create(ctx) != 0)
		return -ENOMEM;
	gw_neigh_learn(ctx, GW_WAN, WG_FAMILY_V4, (const uint8_t *)&be,
		       (const struct rte_ether_addr *)router_mac);
	return gw_control_create(ctx);
}

int hs_world_build(struct hs_world *w, const char *name, uint32_t n_peers,
		   const uint16_t *lanes, unsigned int n_lanes, bool launch)
{
	uint8_t key[WG_KEY_LEN];
	uint32_t p;
	int ret;

	memset(w, 0, sizeof(*w));
	w->n_peers = n_peers;
	ret = ctx_build(w, name, n_peers);
	if (ret < 0)
		return ret;
	wg_generate_private(key);
	gw_control_set_private_key(w->ctx, key);
	wg_identity_set(&w->gw_id, key);
	wg_wipe(key, sizeof(key));
	w->cl = calloc(n_peers, sizeof(*w->cl));
	if (!w->cl)
		return -ENOMEM;
	for (p = 0; p < n_peers; p++) {
		struct hs_client *c = &w->cl[p];

		wg_generate_private(key);
		wg_identity_set(&c->id, key);
		wg_handshake_init(&c->hs, &c->id, w->gw_id.public_key, NULL);
		wg_cookie_maker_init(&c->cookie, w->gw_id.public_key);
		c->addr = client_addr(p);
		c->port = (uint16_t)(1024 + p / 250);
		if (!gw_peer_add(w->ctx, c->id.public_key))
			return -ENOSPC;
	}
	wg_wipe(key, sizeof(key));
	ret = gw_hs_lanes_create(w->ctx, lanes, n_lanes);
	return ret < 0 || !launch ? ret : gw_hs_lanes_launch(w->ctx);
}

void hs_world_free(struct hs_world *w)
{
	struct gw_ctx *ctx = w->ctx;
	struct rte_mbuf *m;
	unsigned int lcore;

	if (!ctx)
		return;
	__atomic_store_n(&ctx->quit, true, __ATOMIC_RELAXED);
	RTE_LCORE_FOREACH_WORKER(lcore)
		rte_eal_wait_lcore(lcore);
	gw_hs_lanes_free(ctx);
	while (w->wan_tx && rte_ring_dequeue(w->wan_tx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	gw_control_free(ctx);
	gw_neigh_free(ctx);
	gw_tables_free(ctx);
	gw_ctrl_rings_free(ctx);
	gw_crypto_mgr_free(ctx->ctrl_lc.mb);
	rte_free(ctx->qsbr);
	gw_stats_free(ctx->stats);
	rte_ring_free(w->wan_tx);
	rte_mempool_free(w->pool);
	if (w->cl)
		wg_wipe(w->cl, w->n_peers * sizeof(*w->cl));
	free(w->cl);
	wg_identity_clear(&w->gw_id);
	free(ctx);
	memset(w, 0, sizeof(*w));
}

struct rte_mbuf *hs_client_initiation(struct hs_world *w, uint32_t p,
				      uint64_t unix_ns)
{
	struct hs_client *c = &w->cl[p];
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->pool);
	struct wg_msg_initiation msg;
	const uint16_t l3 = sizeof(struct rte_ipv4_hdr);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint8_t *b;

	if (!m)
		return NULL;
	b = (uint8_t *)rte_pktmbuf_append(
		m, (uint16_t)(RTE_ETHER_HDR_LEN + l3 + 8 + sizeof(msg)));
	/* p in the low 20 bits (at most 1 << 20 peers), then which one of
	 * its initiations this is: responses to older ones are told apart */
	if (!b || wg_noise_create_initiation(&c->hs, &c->id, &msg,
					     ++c->n_initiations << 20 | p,
					     unix_ns, NULL) != WG_NOISE_OK) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	wg_cookie_add_macs(&c->cookie, (uint8_t *)&msg, sizeof(msg),
			   gw_now_ns(w->ctx));
	eh = (struct rte_ether_hdr *)b;
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	udp = (struct rte_udp_hdr *)(ip + 1);
	memcpy(eh->dst_addr.addr_bytes, wan_mac, 6);
	memcpy(eh->src_addr.addr_bytes, router_mac, 6);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + 8 + sizeof(msg)));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(c->addr);
	ip->dst_addr = rte_cpu_to_be_32(WAN_ADDR);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(c->port);
	udp->dst_port = rte_cpu_to_be_16(LISTEN);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + sizeof(msg)));
	udp->dgram_cksum = 0;
	memcpy(udp + 1, &msg, sizeof(msg));
	wg_wipe(&msg, sizeof(msg));
	m->hash.usr = GW_CTRL_TAG(GW_CTRL_HANDSHAKE, 0);
	return m;
}

int hs_frame_client(const struct hs_world *w, struct rte_mbuf *m,
		    uint32_t *p, const uint8_t **msg, uint32_t *len)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const void *)(eh + 1);
	const struct rte_udp_hdr *udp;
	uint32_t dst, q, port;

	if (m->data_len < RTE_ETHER_HDR_LEN + 28 + 4 ||
	    eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    ip->next_proto_id != IPPROTO_UDP)
		return -1;
	udp = (const void *)((const uint8_t *)ip +
			     (ip->version_ihl & 0xf) * 4);
	dst = rte_be_to_cpu_32(ip->dst_addr);
	port = rte_be_to_cpu_16(udp->dst_port);
	if ((dst & 0xffffff00u) != RTE_IPV4(203, 0, 113, 0) || port < 1024 ||
	    (dst & 0xff) < 1 || (dst & 0xff) > 250)
		return -1;
	q = (port - 1024) * 250 + (dst & 0xff) - 1;
	if (q >= w->n_peers)
		return -1;
	*p = q;
	*msg = (const uint8_t *)(udp + 1);
	*len = rte_be_to_cpu_16(udp->dgram_len) - 8u;
	return (int)wg_msg_type_word(*msg);
}

bool hs_client_is_current(const struct hs_world *w, uint32_t p,
			  const uint8_t *msg, uint32_t len)
{
	const struct wg_msg_response *r = (const void *)msg;

	return len == sizeof(*r) &&
	       wg_get_le32(r->receiver_index) == w->cl[p].hs.local_index;
}

enum wg_noise_result hs_client_response(struct hs_world *w, uint32_t p,
					const uint8_t *msg, uint32_t len)
{
	struct hs_client *c = &w->cl[p];
	struct wg_keypair kp;
	enum wg_noise_result r;

	if (len != sizeof(struct wg_msg_response))
		return WG_NOISE_BAD_MESSAGE;
	r = wg_noise_consume_response(&c->hs, &c->id, (const void *)msg);
	if (r == WG_NOISE_OK)
		r = wg_noise_derive_keypair(&c->hs, &kp);
	wg_keypair_wipe(&kp);
	return r;
}
