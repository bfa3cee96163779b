/* SPDX-License-Identifier: MIT */
/*
 * The worker data path without a NIC (EAL with --no-huge --no-pci, no
 * ports): gw_lan_burst / gw_wan_burst on hand-made frames.
 *
 *  - round trip: a LAN frame encrypted by gw_lan_burst, turned around,
 *    decrypts through gw_wan_burst to the same inner packet;
 *  - outer headers of one burst toward four endpoints, three behind the
 *    WAN router (one header template) and one on the WAN subnet;
 *  - decrypt spreading over two workers, each transmitting in its turn
 *    (test_gw_spread.h);
 *  - a packet for a peer without a session goes to the control lcore to
 *    wait for a handshake only if the peer has an endpoint: without one
 *    the worker drops it at once (drop_peer_without_endpoint), so that
 *    a scan of configured but absent peers holds no mbuf.
 *  - per-peer packets, bytes and drops (test_gw_peer_counters.h);
 *  - router rules (test_gw_router.h): hop count, martians, neighbour
 *    discovery from a peer, outer checksums.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_udp.h>

#include "gw_ctrl_rings.h"
#include "gw_ctx.h"
#include "gw_peer.h"
#include "gw_tables.h"
#include "gw_testbed.h"
#include "gw_testbed_frames.h"
#include "gw_worker.h"
#include "wg_crypto.h"

#include "test_eal.h"

#define LAN_ADDR RTE_IPV4(192, 0, 2, 1)
#define LAN_HOST RTE_IPV4(192, 0, 2, 2)
#define LAN_ROUTER RTE_IPV4(192, 0, 2, 254)
#define WAN_ADDR RTE_IPV4(198, 51, 100, 1)
#define WAN_ROUTER RTE_IPV4(198, 51, 100, 254)
#define PEER_EP RTE_IPV4(203, 0, 113, 7)
#define PEER_NET RTE_IPV4(203, 0, 113, 0)   /* the peer's AllowedIPs /24 */

static const uint8_t lan_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t wan_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t host_mac[6] = { 0x02, 0, 0, 0, 0, 0x03 };
static const uint8_t router_mac[6] = { 0x02, 0, 0, 0, 0, 0x04 };

static struct gw_testbed *tb;
static struct gw_ctx *ctx;
static struct rte_mempool *pool;
static struct gw_peer *peer;
static struct gw_keypair *kp;
static struct wg_endpoint ep;
/* the peer's public key; its session is its own mirror (send = receive
 * key, remote = local index), so what we encrypt we can decrypt */
static const uint8_t peer_pub[WG_KEY_LEN] = { 0x70, 0x65, 0x65, 0x72 };
static struct wg_keypair session;

static void neigh_put(enum gw_role role, uint32_t ip, const uint8_t *mac)
{
	CHECK(gw_testbed_neighbour4(tb, role, ip, mac), "neighbour table");
}

/* The peer's session (again, after test_no_session took it). */
static struct gw_keypair *mirror_session(void)
{
	unsigned int i;

	for (i = 0; i < WG_KEY_LEN; i++)
		session.sending_key[i] = session.receiving_key[i] =
			(uint8_t)(i * 7 + 1);
	session.local_index = session.remote_index = 0x1234;
	return gw_testbed_session(tb, peer, &session);
}

static struct wg_prefix prefix4(uint32_t addr, uint8_t cidr)
{
	struct wg_prefix p = { .family = WG_FAMILY_V4, .cidr = cidr };
	uint32_t be = rte_cpu_to_be_32(addr);

	memcpy(p.addr, &be, 4);
	return p;
}

static struct wg_endpoint endpoint4(uint32_t addr, uint16_t port)
{
	struct wg_endpoint e = { .family = WG_FAMILY_V4, .port = port };
	uint32_t be = rte_cpu_to_be_32(addr);

	memcpy(e.addr, &be, 4);
	return e;
}

/* The world: the LAN and WAN ports behind their routers, their
 * neighbours resolved, one peer with its session. */
static int setup(void)
{
	/* 203.0.113.0/24 behind the peer, and LAN_HOST/32 so that the
	 * turned-around round trip passes the source check */
	struct wg_prefix pfx[2] = { prefix4(PEER_NET, 24),
				    prefix4(LAN_HOST, 32) };
	struct gw_testbed_peer tp = { .allowed_ips = pfx, .n_allowed_ips = 2 };
	struct gw_testbed_neigh nb[3] = {
		{ .role = GW_WAN, .family = WG_FAMILY_V4, .addr4 = WAN_ROUTER },
		{ .role = GW_LAN, .family = WG_FAMILY_V4, .addr4 = LAN_HOST },
		{ .role = GW_LAN, .family = WG_FAMILY_V4, .addr4 = LAN_ROUTER },
	};
	struct gw_testbed_opts o = {
		.lcores = 2, .workers = 1, .mtu = 1420, .listen_port = 51820,
		.lan = { .addr4 = LAN_ADDR, .plen4 = 24, .gateway4 = LAN_ROUTER },
		.wan = { .addr4 = WAN_ADDR, .plen4 = 24, .gateway4 = WAN_ROUTER },
		.neigh = nb, .n_neigh = 3, .peers = &tp, .n_peers = 1,
		.n_mbufs = 8192,
	};

	memcpy(o.lan.mac, lan_mac, 6);
	memcpy(o.wan.mac, wan_mac, 6);
	memcpy(nb[0].mac, router_mac, 6);
	memcpy(nb[1].mac, host_mac, 6);
	memcpy(nb[2].mac, router_mac, 6);
	memcpy(tp.public_key, peer_pub, WG_KEY_LEN);
	ep = endpoint4(PEER_EP, 40000);
	tp.endpoint = ep;
	tb = gw_testbed_create(&o);
	if (!tb)
		return -1;
	ctx = tb->ctx;
	pool = tb->pool;
	peer = gw_testbed_peer(tb, peer_pub);
	kp = peer ? mirror_session() : NULL;
	return kp ? 0 : -1;
}

/* A LAN frame from LAN_HOST to the peer's network, inner IP id = seq. */
static struct rte_mbuf *lan_frame(uint16_t seq, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *b = (uint8_t *)rte_pktmbuf_append(m, RTE_ETHER_HDR_LEN + len);

	gw_tb_put_eth(b, lan_mac, host_mac, RTE_ETHER_TYPE_IPV4);
	gw_tb_put_ipv4_udp(b + RTE_ETHER_HDR_LEN, LAN_HOST, PEER_NET + 5, len,
			   seq);
	return m;
}

/* Turn a frame the gateway sent to the peer into one the peer sent to
 * the gateway (the keypair is its own mirror). */
static void turn_around(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint32_t a = ip->src_addr;
	uint16_t p = udp->src_port;

	memcpy(eh->dst_addr.addr_bytes, wan_mac, 6);
	memcpy(eh->src_addr.addr_bytes, router_mac, 6);
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	udp->src_port = udp->dst_port;
	udp->dst_port = p;
}

/* n WAN frames from the peer, inner ids first..first+n-1, counters
 * taken from the keypair, made by the real encrypt path. */
static void wan_frames(struct rte_mbuf **out, unsigned int n, uint16_t first,
		       uint16_t len)
{
	struct gw_lcore *lc = &ctx->workers[0];
	struct gw_txbuf tx = { .n = 0 };
	struct rte_mbuf *in[GW_BURST];
	unsigned int i, done = 0;

	while (done < n) {
		unsigned int k = RTE_MIN(n - done, (unsigned int)GW_BURST);

		for (i = 0; i < k; i++)
			in[i] = lan_frame((uint16_t)(first + done + i), len);
		tx.n = 0;
		gw_lan_burst(lc, in, k, &tx, gw_now_ns(ctx));
		CHECK(tx.n == k, "encrypt: %u of %u out", tx.n, k);
		for (i = 0; i < tx.n; i++) {
			const struct rte_ipv4_hdr *oip = rte_pktmbuf_mtod_offset(
				tx.m[i], const struct rte_ipv4_hdr *,
				RTE_ETHER_HDR_LEN);

			/* outer header: length and checksum of every frame
			 * (the later ones of a burst come from a template) */
			CHECK(rte_be_to_cpu_16(oip->total_length) ==
				      tx.m[i]->pkt_len - RTE_ETHER_HDR_LEN,
			      "outer IPv4 length");
			CHECK(rte_ipv4_cksum(oip) == 0, "outer IPv4 checksum");
			turn_around(tx.m[i]);
			out[done + i] = tx.m[i];
		}
		done += k;
	}
}

static uint16_t inner_id(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(
		m, const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);

	return rte_be_to_cpu_16(ip->packet_id);
}

static void test_round_trip(void)
{
	static const uint16_t lens[] = { 28, 64, 100, 1000, 1419, 1420 };
	struct gw_lcore *lc = &ctx->workers[0];
	struct gw_txbuf tx = { .n = 0 };
	struct rte_mbuf *w[1];
	uint8_t want[1500];
	unsigned int i;

	for (i = 0; i < RTE_DIM(lens); i++) {
		struct rte_mbuf *ref = lan_frame((uint16_t)i, lens[i]);

		memcpy(want, rte_pktmbuf_mtod_offset(ref, uint8_t *,
						     RTE_ETHER_HDR_LEN),
		       lens[i]);
		rte_pktmbuf_free(ref);
		/* the gateway is a router: one hop less each way, and the
		 * checksum the incremental update gives is the full one */
		((struct rte_ipv4_hdr *)want)->time_to_live = 62;
		((struct rte_ipv4_hdr *)want)->hdr_checksum = 0;
		((struct rte_ipv4_hdr *)want)->hdr_checksum =
			rte_ipv4_cksum((struct rte_ipv4_hdr *)want);
		wan_frames(w, 1, (uint16_t)i, lens[i]);
		tx.n = 0;
		gw_wan_burst(lc, w, 1, &tx, gw_now_ns(ctx));
		CHECK(tx.n == 1, "round trip %u: nothing out", lens[i]);
		if (tx.n != 1)
			continue;
		CHECK(tx.m[0]->pkt_len == (uint32_t)(RTE_ETHER_HDR_LEN + lens[i]),
		      "round trip %u: length %u", lens[i], tx.m[0]->pkt_len);
		CHECK(memcmp(rte_pktmbuf_mtod_offset(tx.m[0], uint8_t *,
						     RTE_ETHER_HDR_LEN),
			     want, lens[i]) == 0,
		      "round trip %u: bytes differ", lens[i]);
		rte_pktmbuf_free(tx.m[0]);
	}
}

/*
 * One burst toward four peers with different IPv4 endpoints, interleaved:
 * three behind the WAN router (one template, patched per endpoint) and
 * one on the WAN subnet (another next hop). Every outer header must be
 * what gw_udp_prepend + eth_out would have built for that endpoint.
 */
static void test_outer_headers(void)
{
	static const uint8_t onlink_mac[6] = { 0x02, 0, 0, 0, 0, 0x05 };
	static const uint32_t ep_ip[4] = {
		PEER_EP, RTE_IPV4(203, 0, 113, 200), RTE_IPV4(203, 0, 113, 201),
		RTE_IPV4(198, 51, 100, 77), /* on the WAN subnet */
	};
	static const uint8_t order[GW_BURST] = {
		0, 1, 2, 3, 1, 0, 3, 2, 2, 2, 1, 3, 3, 0, 0, 1,
		3, 1, 0, 2, 1, 1, 0, 3, 2, 0, 3, 1, 2, 3, 0, 1,
	};
	struct gw_lcore *lc = &ctx->workers[0];
	struct gw_peer *pp[4] = { peer };
	struct gw_keypair *kk[4] = { kp };
	struct gw_testbed_peer tp[3];
	struct wg_prefix pfx[3];
	struct rte_mbuf *in[GW_BURST];
	struct gw_txbuf tx = { .n = 0 };
	unsigned int i, j;

	neigh_put(GW_WAN, ep_ip[3], onlink_mac);
	memset(tp, 0, sizeof(tp));
	for (j = 1; j < 4; j++) {
		/* 203.0.113.16 * j /28: inside peer 0's /24, more specific */
		pfx[j - 1] = prefix4(PEER_NET + 16 * j, 28);
		tp[j - 1].public_key[0] = (uint8_t)j;
		tp[j - 1].endpoint = endpoint4(ep_ip[j], (uint16_t)(40000 + j));
		tp[j - 1].allowed_ips = &pfx[j - 1];
		tp[j - 1].n_allowed_ips = 1;
	}
	CHECK(gw_testbed_add_peers(tb, tp, 3) == 0, "three more peers");
	for (j = 1; j < 4; j++) {
		struct wg_keypair k = { .local_index = 0x6000 + j,
					.remote_index = 0x5000 + j };

		pp[j] = gw_testbed_peer(tb, tp[j - 1].public_key);
		kk[j] = pp[j] ? gw_testbed_session(tb, pp[j], &k) : NULL;
		if (!kk[j]) {
			CHECK(false, "peer %u: no session", j);
			return;
		}
	}
	for (i = 0; i < GW_BURST; i++) {
		struct rte_ipv4_hdr *ip;

		in[i] = lan_frame((uint16_t)i, 100);
		ip = rte_pktmbuf_mtod_offset(in[i], struct rte_ipv4_hdr *,
					     RTE_ETHER_HDR_LEN);
		/* .5 is peer 0's; .16 j + 5 is peer j's */
		ip->dst_addr = rte_cpu_to_be_32(PEER_NET + 16 * order[i] + 5);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	gw_lan_burst(lc, in, GW_BURST, &tx, gw_now_ns(ctx));
	CHECK(tx.n == GW_BURST, "outer: %u of %u out", tx.n, GW_BURST);
	for (i = 0; i < tx.n; i++) {
		struct rte_mbuf *m = tx.m[i];
		const struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		const struct rte_ipv4_hdr *ip =
			(const struct rte_ipv4_hdr *)(eh + 1);
		const struct rte_udp_hdr *udp =
			(const struct rte_udp_hdr *)(ip + 1);
		const uint8_t *wg = (const uint8_t *)(udp + 1);
		unsigned int k = order[i];

		CHECK(memcmp(eh->dst_addr.addr_bytes,
			     k == 3 ? onlink_mac : router_mac, 6) == 0,
		      "outer %u (peer %u): Ethernet destination", i, k);
		CHECK(memcmp(eh->src_addr.addr_bytes, wan_mac, 6) == 0,
		      "outer %u: Ethernet source", i);
		CHECK(ip->src_addr == rte_cpu_to_be_32(WAN_ADDR),
		      "outer %u: IPv4 source", i);
		CHECK(ip->dst_addr == rte_cpu_to_be_32(ep_ip[k]),
		      "outer %u (peer %u): IPv4 destination", i, k);
		CHECK(ip->time_to_live == 64 &&
			      ip->next_proto_id == IPPROTO_UDP,
		      "outer %u: TTL/protocol", i);
		CHECK(rte_be_to_cpu_16(ip->total_length) ==
			      m->pkt_len - RTE_ETHER_HDR_LEN,
		      "outer %u: IPv4 length", i);
		CHECK(rte_ipv4_cksum(ip) == 0, "outer %u: IPv4 checksum", i);
		CHECK(udp->src_port == rte_cpu_to_be_16(51820),
		      "outer %u: UDP source port", i);
		CHECK(rte_be_to_cpu_16(udp->dst_port) ==
			      (k ? 40000 + k : ep.port),
		      "outer %u (peer %u): UDP destination port %u", i, k,
		      rte_be_to_cpu_16(udp->dst_port));
		CHECK(rte_be_to_cpu_16(udp->dgram_len) ==
			      m->pkt_len - RTE_ETHER_HDR_LEN - sizeof(*ip),
		      "outer %u: UDP length", i);
		CHECK(wg_get_le32(wg + 4) == kk[k]->remote_index,
		      "outer %u (peer %u): receiver index", i, k);
		rte_pktmbuf_free(m);
	}
	for (j = 1; j < 4; j++) {
		gw_testbed_remove_peer(tb, pp[j]);
		CHECK(!gw_testbed_peer(tb, tp[j - 1].public_key),
		      "peer %u not removed", j);
	}
}

#include "test_gw_spread.h"

#include "test_gw_router.h"
#include "test_gw_peer_counters.h"

static void test_no_session(void)
{
	struct gw_lcore *lc = &ctx->workers[0];
	const uint64_t *c = lc->stats->c;
	uint64_t noep0 = c[GW_CTR_DROP_PEER_WITHOUT_ENDPOINT], ctl0 = c[GW_CTR_PACKETS_TO_CONTROL];
	struct gw_txbuf tx = { .n = 0 };
	struct rte_mbuf *in[GW_BURST], *m = NULL;
	unsigned int i, in_use0 = rte_mempool_in_use_count(pool), staged = 0;

	gw_testbed_no_session(tb, peer);
	gw_testbed_endpoint(tb, peer, NULL);
	CHECK(!peer->kp_current && !peer->endpoint, "session and endpoint kept");
	for (i = 0; i < GW_BURST; i++)
		in[i] = lan_frame((uint16_t)i, 100);
	gw_lan_burst(lc, in, GW_BURST, &tx, gw_now_ns(ctx));
	CHECK(tx.n == 0, "no endpoint: %u frames out", tx.n);
	CHECK(gw_ctrl_rings_depth(ctx) == 0,
	      "no endpoint: %u handed to the control lcore",
	      gw_ctrl_rings_depth(ctx));
	CHECK(c[GW_CTR_DROP_PEER_WITHOUT_ENDPOINT] - noep0 == GW_BURST,
	      "no endpoint: %" PRIu64 " counted, want %u",
	      c[GW_CTR_DROP_PEER_WITHOUT_ENDPOINT] - noep0, GW_BURST);
	CHECK(rte_mempool_in_use_count(pool) == in_use0,
	      "no endpoint: %u mbufs kept",
	      rte_mempool_in_use_count(pool) - in_use0);

	/* with an endpoint they wait for the handshake */
	gw_testbed_endpoint(tb, peer, &ep);
	for (i = 0; i < GW_BURST; i++)
		in[i] = lan_frame((uint16_t)i, 100);
	tx.n = 0;
	gw_lan_burst(lc, in, GW_BURST, &tx, gw_now_ns(ctx));
	CHECK(tx.n == 0, "no keypair: %u frames out", tx.n);
	CHECK(c[GW_CTR_PACKETS_TO_CONTROL] - ctl0 == GW_BURST,
	      "no keypair: %" PRIu64 " handed over, want %u",
	      c[GW_CTR_PACKETS_TO_CONTROL] - ctl0, GW_BURST);
	while (rte_ring_sc_dequeue(ctx->ctrl_ring[GW_CTRL_STAGE],
				   (void **)&m) == 0) {
		staged += GW_CTRL_KIND(m->hash.usr) == GW_CTRL_STAGE &&
			  GW_CTRL_ARG(m->hash.usr) == peer->id;
		rte_pktmbuf_free(m);
	}
	CHECK(staged == GW_BURST, "no keypair: %u to stage, want %u", staged,
	      GW_BURST);
	/* the handshake is done: the same keys again, fresh counters */
	kp = mirror_session();
	if (!kp) {
		fprintf(stderr, "no session after test_no_session\n");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	if (check_eal_init(argv[0], "test_gw_worker", true) != 0)
		return 1;
	if (setup() != 0) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	test_round_trip();
	test_outer_headers();
	test_spread_one_thread();
	test_spread_two_lcores();
	test_spread_teardown();
	test_no_session();
	test_sum_words();
	test_hop_dec();
	test_router_lan();
	test_router_wan();
	test_outer_checksums();
	test_drops_freed();
	test_peer_counters();
	return check_verdict("test_gw_worker");
}
