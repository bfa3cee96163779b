/* SPDX-License-Identifier: MIT */
/*
 * Port setup by DPDK port id, for any PMD. Each worker gets its own RX
 * queues and one TX queue on each port, and the control lcore gets one
 * more TX queue per port, so nobody ever shares a queue (no locks on the
 * TX path). When a PMD cannot hash flows over several RX queues, a single
 * worker takes all of them, since two workers on one flow would reorder
 * packets and race on the replay window. On ports whose queues the far
 * side opens (memif), only queue 0 is used in each direction and the
 * control lcore sends through worker 0 (gw_ctrl_tx.h).
 */
#include "gw_port.h"

#include <errno.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_kvargs.h>
#include <rte_mempool.h>
#include <rte_udp.h>

#include "gw_neighbour.h"
#include "gw_worker.h"
#include "gw_ctrl_tx.h"
#include "wg_addr.h"

static bool is_af_packet(const struct rte_eth_dev_info *info)
{
	return info->driver_name && strstr(info->driver_name, "af_packet");
}

/*
 * Whether the far side decides which of the port's queues exist. A memif
 * link has a ring only for the queues the peer opened, and DPDK 22.11's
 * memif PMD does not say which: a queue the peer never opened keeps a
 * zeroed (or, after a reconnect, stale) ring offset, so receiving or
 * sending on it reads and writes through rings that belong to other
 * queues or to nothing at all. Queue 0 exists whenever the link is up.
 */
static bool peer_opens_queues(const struct rte_eth_dev_info *info)
{
	return info->driver_name && strstr(info->driver_name, "memif");
}

/* memif's role= devarg (the PMD's default is client). A client opens
 * every ring it has configured and a server refuses rings beyond its own
 * queue count, so a client must open no more than one ring each way. */
static bool memif_is_client(const struct rte_eth_dev_info *info)
{
	const struct rte_devargs *da =
		info->device ? rte_dev_devargs(info->device) : NULL;
	struct rte_kvargs *kv;
	const char *role;
	bool client = true;

	if (!da || !da->args || !*da->args)
		return client;
	kv = rte_kvargs_parse(da->args, NULL);
	if (!kv)
		return client;
	role = rte_kvargs_get(kv, "role");
	if (role && (strstr(role, "server") || strstr(role, "master")))
		client = false;
	rte_kvargs_free(kv);
	return client;
}

/*
 * RX queues the port must have: af_packet opens one socket per queue pair
 * in a fanout group at probe time, and a socket nobody polls would silently
 * eat its share of the traffic, so it gets exactly as many RX queues as
 * qpairs. Other PMDs get one per worker.
 */
static uint16_t rx_queues_needed(const struct rte_eth_dev_info *info,
				 unsigned int n_workers)
{
	if (is_af_packet(info))
		return info->max_rx_queues;
	if (peer_opens_queues(info))
		return 1;
	return (uint16_t)n_workers;
}

void gw_port_load_addresses(struct gw_port *p, const struct wg_port_config *pc)
{
	size_t i;

	p->n_addr4 = 0;
	p->n_addr6 = 0;
	for (i = 0; i < pc->n_addresses; i++) {
		const struct wg_prefix *a = &pc->addresses[i];

		if (a->family == WG_FAMILY_V4 && p->n_addr4 < GW_MAX_ADDRS) {
			memcpy(&p->addr4[p->n_addr4], a->addr, 4);
			p->plen4[p->n_addr4++] = a->cidr;
		} else if (a->family == WG_FAMILY_V6 &&
			   p->n_addr6 < GW_MAX_ADDRS) {
			memcpy(p->addr6[p->n_addr6], a->addr, 16);
			p->plen6[p->n_addr6++] = a->cidr;
		}
	}
	p->gateway = pc->gateway;
	p->has_gateway = pc->has_gateway;

	/* fe80::/64 with the modified EUI-64 of the MAC (RFC 4291) */
	memset(p->ll6, 0, 16);
	p->ll6[0] = 0xfe;
	p->ll6[1] = 0x80;
	p->ll6[8] = p->mac.addr_bytes[0] ^ 0x02;
	p->ll6[9] = p->mac.addr_bytes[1];
	p->ll6[10] = p->mac.addr_bytes[2];
	p->ll6[11] = 0xff;
	p->ll6[12] = 0xfe;
	p->ll6[13] = p->mac.addr_bytes[3];
	p->ll6[14] = p->mac.addr_bytes[4];
	p->ll6[15] = p->mac.addr_bytes[5];
}

bool gw_port_has_addr6(const struct gw_port *p, const uint8_t ip[16])
{
	unsigned int i;

	if (memcmp(ip, p->ll6, 16) == 0)
		return true;
	for (i = 0; i < p->n_addr6; i++)
		if (memcmp(p->addr6[i], ip, 16) == 0)
			return true;
	return false;
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, unsigned int plen)
{
	unsigned int bytes = plen / 8, bits = plen % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (bits) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits));

		return (a[bytes] & mask) == (b[bytes] & mask);
	}
	return true;
}

/* IPv4 (network order) in the same /plen: a mask, not a byte compare,
 * since encryption asks this for every new endpoint in a burst */

bool gw_port_on_link4(const struct gw_port *p, uint32_t dst)
{
	unsigned int i;

	for (i = 0; i < p->n_addr4; i++)
		if (gw_prefix_match4(p->addr4[i], dst, p->plen4[i]))
			return true;
	return false;
}

bool gw_port_on_link6(const struct gw_port *p, const uint8_t dst[16])
{
	unsigned int i;

	if (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80)
		return true;
	for (i = 0; i < p->n_addr6; i++)
		if (prefix_match(p->addr6[i], dst, p->plen6[i]))
			return true;
	return false;
}

uint32_t gw_port_src4(const struct gw_port *p, uint32_t dst)
{
	unsigned int i;

	for (i = 0; i < p->n_addr4; i++)
		if (gw_prefix_match4(p->addr4[i], dst, p->plen4[i]))
			return p->addr4[i];
	return p->n_addr4 ? p->addr4[0] : 0;
}

const uint8_t *gw_port_src6(const struct gw_port *p, const uint8_t dst[16])
{
	unsigned int i;

	if (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80)
		return p->ll6;
	for (i = 0; i < p->n_addr6; i++)
		if (prefix_match(p->addr6[i], dst, p->plen6[i]))
			return p->addr6[i];
	return p->n_addr6 ? p->addr6[0] : p->ll6;
}

static int configure_port(struct gw_ctx *ctx, enum gw_role role,
			  const struct rte_eth_dev_info *info, uint16_t nb_rxq)
{
	struct gw_port *p = &ctx->port[role];
	struct rte_eth_conf conf;
	unsigned int q;
	int ret, socket;

	memset(&conf, 0, sizeof(conf));
	if (nb_rxq > 1 && info->flow_type_rss_offloads) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) &
			info->flow_type_rss_offloads;
	}
	p->nb_rxq = nb_rxq;
	p->nb_txq = (uint16_t)(ctx->n_workers + 1);
	p->ctrl_txq = (uint16_t)ctx->n_workers;
	if (peer_opens_queues(info)) {
		/* The control lcore sends through worker 0's queue 0. As a
		 * server the spare queue is never sent on: it only lets a
		 * client open up to that many RX rings, as before. */
		if (memif_is_client(info))
			p->nb_txq = (uint16_t)ctx->n_workers;
		ret = gw_ctrl_tx_ring_create(ctx, role, &ctx->workers[0]);
		if (ret < 0) {
			GW_LOG(ERR, "port %u: control TX ring: %s", p->port_id,
			       rte_strerror(-ret));
			return ret;
		}
		if (p->nb_txq > 1)
			GW_LOG(INFO,
			       "port %u (%s server): receives on queue 0 and sends on queue 0 only, control frames through worker 0; a client must open 1 TX queue and 1 to %u RX queues",
			       p->port_id, info->driver_name, p->nb_txq);
		else
			GW_LOG(INFO,
			       "port %u (%s client): opens 1 queue each way, control frames through worker 0",
			       p->port_id, info->driver_name);
	}

	ret = rte_eth_dev_configure(p->port_id, p->nb_rxq, p->nb_txq, &conf);
	if (ret < 0) {
		GW_LOG(ERR, "port %u: configure: %s", p->port_id,
		       rte_strerror(-ret));
		return ret;
	}
	socket = rte_eth_dev_socket_id(p->port_id);
	if (socket < 0)
		socket = (int)rte_socket_id();

	for (q = 0; q < p->nb_rxq; q++) {
		uint16_t nd = GW_RX_DESC;

		ret = rte_eth_rx_queue_setup(p->port_id, (uint16_t)q, nd,
					     (unsigned int)socket, NULL,
					     ctx->pool);
		if (ret < 0) {
			GW_LOG(ERR, "port %u: rx queue %u: %s", p->port_id, q,
			       rte_strerror(-ret));
			return ret;
		}
	}
	for (q = 0; q < p->nb_txq; q++) {
		ret = rte_eth_tx_queue_setup(p->port_id, (uint16_t)q,
					     GW_TX_DESC, (unsigned int)socket,
					     NULL);
		if (ret < 0) {
			GW_LOG(ERR, "port %u: tx queue %u: %s", p->port_id, q,
			       rte_strerror(-ret));
			return ret;
		}
	}

	/* RX queues go to workers round-robin; TX queue i to worker i. */
	for (q = 0; q < p->nb_rxq; q++) {
		struct gw_lcore *w = &ctx->workers[q % ctx->n_workers];

		if (w->n_rxq[role] < GW_MAX_RXQ)
			w->rxq[role][w->n_rxq[role]++] = (uint16_t)q;
	}
	for (q = 0; q < ctx->n_workers; q++)
		ctx->workers[q].txq = (uint16_t)q;
	ctx->ctrl_lc.txq = p->ctrl_txq;
	return 0;
}

/* ---- the mbuf pool
 *
 * Everything that can hold an mbuf at once, each bounded: when all of
 * the holders but the RX rings are full, every RX descriptor can still
 * be refilled, so what the network makes the gateway hold can never stop
 * it receiving. */

/* Frames held by the neighbour table while their next hop resolves: its
 * global bound (gw_neighbour.h). */
#define POOL_NEIGH_HELD ((unsigned int)GW_NEIGH_HELD_MAX)
/* Packets in the rings from workers to the control lcore, one term per
 * ring. */
#define POOL_CTRL_RINGS ((unsigned int)GW_CTRL_RING)

/* What one lcore holds outside the rings: its mempool cache, which
 * DPDK lets grow to 1.5 times its size before flushing, plus a burst
 * being filled; and up to four bursts in hand (RX, encap/decap, the TX
 * buffers of both ports). */
#define POOL_PER_LCORE (GW_MBUF_CACHE * 3 / 2 + GW_BURST + 4 * GW_BURST)

static unsigned int pool_size(const struct gw_ctx *ctx,
			      const uint16_t nb_rxq[GW_NB_ROLES])
{
	unsigned int lcores = ctx->n_workers + 1, rx = 0, tx = 0, r;
	/* frames handed to a helper worker, in its reorder buffer */
	unsigned int spread = ctx->n_workers > 1 ?
				      ctx->n_workers * GW_ROB * GW_BURST : 0;
	unsigned int n;

	for (r = 0; r < GW_NB_ROLES; r++) {
		rx += nb_rxq[r] * GW_RX_DESC;
		tx += lcores * GW_TX_DESC; /* one TX queue per lcore */
	}
	n = rx + tx + lcores * POOL_PER_LCORE + POOL_CTRL_RINGS +
	    GW_MAX_PEERS_STAGED + POOL_NEIGH_HELD + spread;
	GW_LOG(INFO,
	       "mbuf pool: %u mbufs of %u bytes = rx descriptors %u + tx descriptors %u + lcore caches and bursts %u + control rings %u + staged %u + neighbour holds %u + spread %u",
	       n, RTE_MBUF_DEFAULT_BUF_SIZE, rx, tx, lcores * POOL_PER_LCORE,
	       POOL_CTRL_RINGS, GW_MAX_PEERS_STAGED, POOL_NEIGH_HELD, spread);
	return n;
}

int gw_ports_setup(struct gw_ctx *ctx)
{
	struct rte_eth_dev_info info[GW_NB_ROLES];
	const struct wg_port_config *pc[GW_NB_ROLES] = { &ctx->cfg->lan,
							 &ctx->cfg->wan };
	uint16_t nb_rxq[GW_NB_ROLES];
	unsigned int nb_mbufs, r;
	int ret;

	if (ctx->cfg->lan.port == ctx->cfg->wan.port) {
		GW_LOG(ERR, "lan.port and wan.port must differ");
		return -EINVAL;
	}
	for (r = 0; r < GW_NB_ROLES; r++) {
		struct gw_port *p = &ctx->port[r];

		p->role = r;
		p->port_id = pc[r]->port;
		if (!rte_eth_dev_is_valid_port(p->port_id)) {
			GW_LOG(ERR, "%s port %u does not exist (%u ports)",
			       r == GW_LAN ? "lan" : "wan", p->port_id,
			       rte_eth_dev_count_avail());
			return -ENODEV;
		}
		ret = rte_eth_dev_info_get(p->port_id, &info[r]);
		if (ret < 0)
			return ret;
		ret = rte_eth_macaddr_get(p->port_id, &p->mac);
		if (ret < 0)
			return ret;
		gw_port_load_addresses(p, pc[r]);
	}

	/* Several workers need every port to hash flows over queues. */
	for (r = 0; r < GW_NB_ROLES && ctx->n_workers > 1; r++) {
		if (peer_opens_queues(&info[r]) ||
		    (!is_af_packet(&info[r]) &&
		     (info[r].max_rx_queues < ctx->n_workers ||
		      !info[r].flow_type_rss_offloads))) {
			GW_LOG(WARNING,
			       "port %u (%s) cannot spread flows over %u queues: using one worker",
			       ctx->port[r].port_id, info[r].driver_name,
			       ctx->n_workers);
			ctx->n_workers = 1;
		}
	}
	for (r = 0; r < GW_NB_ROLES; r++) {
		nb_rxq[r] = rx_queues_needed(&info[r], ctx->n_workers);
		if (info[r].max_tx_queues < ctx->n_workers + 1) {
			GW_LOG(ERR,
			       "port %u (%s) has %u TX queues, needs %u (one per worker and one for control%s)",
			       ctx->port[r].port_id, info[r].driver_name,
			       info[r].max_tx_queues, ctx->n_workers + 1,
			       is_af_packet(&info[r]) ?
				       "; give the vdev qpairs=N" : "");
			return -EINVAL;
		}
	}

	nb_mbufs = pool_size(ctx, nb_rxq);
	ctx->pool = rte_pktmbuf_pool_create("gw_pool", nb_mbufs, GW_MBUF_CACHE,
					    0, RTE_MBUF_DEFAULT_BUF_SIZE,
					    (int)rte_socket_id());
	if (!ctx->pool) {
		GW_LOG(ERR, "mbuf pool of %u: %s", nb_mbufs,
		       rte_strerror(rte_errno));
		return -rte_errno;
	}

	for (r = 0; r < GW_NB_ROLES; r++) {
		ret = configure_port(ctx, r, &info[r], nb_rxq[r]);
		if (ret < 0)
			return ret;
		ctx->port[r].frame_mtu = RTE_ETHER_MTU;
		rte_eth_dev_get_mtu(ctx->port[r].port_id,
				    &ctx->port[r].frame_mtu);
		GW_LOG(INFO,
		       "%s port %u (%s): mac " RTE_ETHER_ADDR_PRT_FMT
		       ", %u rx / %u tx queues, mtu %u",
		       r == GW_LAN ? "lan" : "wan", ctx->port[r].port_id,
		       info[r].driver_name,
		       RTE_ETHER_ADDR_BYTES(&ctx->port[r].mac), nb_rxq[r],
		       ctx->port[r].nb_txq, ctx->port[r].frame_mtu);
	}
	return 0;
}

int gw_ports_start(struct gw_ctx *ctx)
{
	unsigned int r;
	int ret;

	for (r = 0; r < GW_NB_ROLES; r++) {
		struct rte_eth_link link;
		char text[RTE_ETH_LINK_MAX_STR_LEN];

		ret = rte_eth_dev_start(ctx->port[r].port_id);
		if (ret < 0) {
			GW_LOG(ERR, "port %u: start: %s", ctx->port[r].port_id,
			       rte_strerror(-ret));
			return ret;
		}
		/* multicast for IPv6 neighbour discovery */
		rte_eth_allmulticast_enable(ctx->port[r].port_id);
		if (rte_eth_link_get_nowait(ctx->port[r].port_id, &link) == 0) {
			rte_eth_link_to_str(text, sizeof(text), &link);
			GW_LOG(INFO, "port %u: %s", ctx->port[r].port_id,
			       text);
		}
	}
	return 0;
}

void gw_ports_stop(struct gw_ctx *ctx)
{
	unsigned int r;

	for (r = 0; r < GW_NB_ROLES; r++) {
		if (!rte_eth_dev_is_valid_port(ctx->port[r].port_id))
			continue;
		rte_eth_dev_stop(ctx->port[r].port_id);
		rte_eth_dev_close(ctx->port[r].port_id);
	}
}

bool gw_udp_prepend(struct gw_ctx *ctx, struct rte_mbuf *m,
		    const struct wg_endpoint *ep, uint32_t len)
{
	bool v4 = ep->family == WG_FAMILY_V4;
	uint16_t l3 = v4 ? sizeof(struct rte_ipv4_hdr) :
			   sizeof(struct rte_ipv6_hdr);
	uint16_t hlen = RTE_ETHER_HDR_LEN + l3 + sizeof(struct rte_udp_hdr);
	uint8_t *h = (uint8_t *)rte_pktmbuf_prepend(m, hlen);
	struct rte_udp_hdr *udp;

	if (!h)
		return false;
	udp = (struct rte_udp_hdr *)(h + RTE_ETHER_HDR_LEN + l3);
	udp->src_port = __atomic_load_n(&ctx->listen_port, __ATOMIC_RELAXED);
	udp->dst_port = rte_cpu_to_be_16(ep->port);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len + sizeof(*udp)));
	udp->dgram_cksum = 0;
	if (v4) {
		struct rte_ipv4_hdr *ip =
			(struct rte_ipv4_hdr *)(h + RTE_ETHER_HDR_LEN);
		uint32_t dst;

		memcpy(&dst, ep->addr, 4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->type_of_service = 0;
		ip->total_length =
			rte_cpu_to_be_16((uint16_t)(len + sizeof(*udp) + l3));
		ip->packet_id = 0;
		ip->fragment_offset = 0;
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		ip->src_addr = gw_port_src4(&ctx->port[GW_WAN], dst);
		ip->dst_addr = dst;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		struct rte_ipv6_hdr *ip =
			(struct rte_ipv6_hdr *)(h + RTE_ETHER_HDR_LEN);

		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len =
			rte_cpu_to_be_16((uint16_t)(len + sizeof(*udp)));
		ip->proto = IPPROTO_UDP;
		ip->hop_limits = 64;
		memcpy(ip->src_addr,
		       gw_port_src6(&ctx->port[GW_WAN], ep->addr), 16);
		memcpy(ip->dst_addr, ep->addr, 16);
		/* UDP over IPv6 must carry a checksum */
		udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip, udp);
	}
	return true;
}
