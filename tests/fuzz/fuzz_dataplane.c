/* SPDX-License-Identifier: MIT */
/*
 * The data plane's packet parsers, through the worker's own entry points
 * (gw_lan_burst / gw_wan_burst, app/gw_worker.h) on an EAL without NIC or
 * hugepages (--no-huge --no-pci), set up as app/tests/test_gw_worker.c
 * does: one peer behind 203.0.113.0/24 and 2001:db8:b::/48, resolved
 * neighbours, TCP MSS clamping on.
 *
 * FUZZ_NEEDS_APP (scripts/fuzz links app/ and DPDK for this harness).
 *
 * Input: one flags byte, then records [kind 1][len 2][bytes], at most one
 * burst (32) each way:
 *   kind & 3 == 0: a LAN frame (outer Ethernet, inner IPv4/IPv6, ARP...)
 *   kind & 3 == 1: a WAN frame (Ethernet/IPv4|IPv6/UDP/WireGuard);
 *                  kind & 4: an IPv4 header's checksum made right (the
 *                  fuzzer cannot find one, and the gateway checks it
 *                  before anything else of the message)
 *   kind & 3 == 2: an inner packet the peer sends through the tunnel:
 *                  the harness encrypts it with the peer's key at the next
 *                  counter in an IPv4 WAN frame, so that it authenticates
 *                  and reaches the inner classifier (source check, length,
 *                  MSS clamp); kind & 4: IPv6 outer; kind & 8: add
 *                  Ethernet padding after the UDP datagram
 *   kind & 3 == 3: a LAN frame with our LAN MAC and an IPv4/IPv6 header
 *                  to the peer's networks forced, the rest from the input
 * Properties: nothing read or written out of bounds (ASan on DPDK's
 * mbufs), every mbuf returned to the pool after each input (no leak, no
 * double free), a frame that goes out fits its port.
 */
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_udp.h>

#include "fuzz_common.h"
#include "gw_crypto.h"
#include "gw_ctrl_rings.h"
#include "gw_ctx.h"
#include "gw_neighbour.h"
#include "gw_peer.h"
#include "gw_tables.h"
#include "gw_worker.h"
#include "wg_noise.h"
#include "wg_transport.h"

/* not RTE_IPV4(): in DPDK 22.11 it shifts a signed int into the sign bit
 * (UBSan: "left shift of 192 by 24 places") */
#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))
#define LAN_ADDR IP4(192, 0, 2, 1)
#define LAN_HOST IP4(192, 0, 2, 2)
#define LAN_ROUTER IP4(192, 0, 2, 254)
#define WAN_ADDR IP4(198, 51, 100, 1)
#define WAN_ROUTER IP4(198, 51, 100, 254)
#define PEER_EP IP4(198, 51, 100, 2)
#define PEER_NET IP4(203, 0, 113, 0)

enum { POOL_SIZE = 1024, FRAME_MAX = 9100, LOCAL_INDEX = 0x1234 };

static const uint8_t lan_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t wan_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t host_mac[6] = { 0x02, 0, 0, 0, 0, 0x03 };
static const uint8_t router_mac[6] = { 0x02, 0, 0, 0, 0, 0x04 };
/* 2001:db8:a::1/64 on the LAN, 2001:db8:1::1/64 on the WAN */
static const uint8_t lan6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a, [15] = 1 };
static const uint8_t lan6_host[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a,
				       [15] = 2 };
static const uint8_t wan6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, [15] = 1 };
static const uint8_t peer6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, [15] = 2 };
static const uint8_t peer6_net[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0b };

static struct gw_ctx *ctx;
static struct rte_mempool *pool;
static struct gw_keypair *kp;
static struct wg_keypair sender;      /* the peer's side of kp */
static struct wg_endpoint ep;
static uint64_t next_counter;
static void *lsan_roots[4];

static void neigh_put(enum gw_role role, uint8_t family, const void *ip,
		      const uint8_t *mac)
{
	if (!gw_neigh_learn(ctx, role, family, ip,
			    (const struct rte_ether_addr *)mac))
		abort();
}

static void setup(void)
{
	struct wg_prefix pfx[2];
	uint32_t ids[2] = { 0, 0 }, be;
	struct gw_peer *peer;
	unsigned int i;

	ctx = calloc(1, sizeof(*ctx));
	ctx->tsc_hz = rte_get_tsc_hz();
	ctx->mtu = 1420;
	ctx->mss4 = 1420 - 40;
	ctx->mss6 = 1420 - 60;
	ctx->reject_after_ns = (uint64_t)WG_REJECT_AFTER_TIME * 1000000000ull;
	ctx->listen_port = rte_cpu_to_be_16(51820);
	ctx->stats = gw_stats_create();
	ctx->qsbr = rte_zmalloc("f_qsbr", rte_rcu_qsbr_get_memsize(2),
				RTE_CACHE_LINE_SIZE);
	/* no per-lcore cache: the free count is exact after each input */
	pool = rte_pktmbuf_pool_create("f_pool", POOL_SIZE, 0, 0,
				       RTE_PKTMBUF_HEADROOM + FRAME_MAX, 0);
	ctx->pool = pool;
	if (!ctx->stats || !ctx->qsbr || gw_ctrl_rings_create(ctx) < 0 ||
	    !pool || rte_rcu_qsbr_init(ctx->qsbr, 2))
		abort();
	for (i = 0; i < GW_NB_ROLES; i++) {
		struct gw_port *p = &ctx->port[i];

		memcpy(p->mac.addr_bytes, i == GW_LAN ? lan_mac : wan_mac, 6);
		p->addr4[0] = rte_cpu_to_be_32(i == GW_LAN ? LAN_ADDR : WAN_ADDR);
		p->plen4[0] = 24;
		p->n_addr4 = 1;
		memcpy(p->addr6[0], i == GW_LAN ? lan6 : wan6, 16);
		p->plen6[0] = 64;
		p->n_addr6 = 1;
		p->ll6[0] = 0xfe;
		p->ll6[1] = 0x80;
		p->ll6[15] = (uint8_t)(i + 1);
		p->frame_mtu = 1500;
		p->has_gateway = true;
		p->gateway.family = WG_FAMILY_V4;
		be = rte_cpu_to_be_32(i == GW_LAN ? LAN_ROUTER : WAN_ROUTER);
		memcpy(p->gateway.addr, &be, 4);
	}
	if (gw_neigh_create(ctx) != 0)
		abort();
	/* LeakSanitizer does not scan DPDK's memory: keep what the heap
	 * holds only through rte_malloc'd structs reachable from here */
	lsan_roots[0] = ctx->neigh->icmp_rl.e;
	lsan_roots[1] = ctx->neigh->echo.per_source.e;
	be = rte_cpu_to_be_32(WAN_ROUTER);
	neigh_put(GW_WAN, WG_FAMILY_V4, &be, router_mac);
	be = rte_cpu_to_be_32(PEER_EP);
	neigh_put(GW_WAN, WG_FAMILY_V4, &be, router_mac);
	neigh_put(GW_WAN, WG_FAMILY_V6, peer6, router_mac);
	be = rte_cpu_to_be_32(LAN_HOST);
	neigh_put(GW_LAN, WG_FAMILY_V4, &be, host_mac);
	be = rte_cpu_to_be_32(LAN_ROUTER);
	neigh_put(GW_LAN, WG_FAMILY_V4, &be, router_mac);
	neigh_put(GW_LAN, WG_FAMILY_V6, lan6_host, host_mac);
	for (i = 0; i < 2; i++) {
		ctx->workers[i].ctx = ctx;
		ctx->workers[i].worker_idx = i;
		ctx->workers[i].stats = &ctx->stats->lcore[i];
		ctx->workers[i].mb = gw_crypto_mgr_create();
		if (!ctx->workers[i].mb)
			abort();
	}
	ctx->n_workers = 1;
	if (gw_tables_create(ctx) != 0)
		abort();

	/* the peer's keys: the transcript's go_initiates session */
	peer = rte_zmalloc("f_peer", gw_peer_size(), RTE_CACHE_LINE_SIZE);
	kp = rte_zmalloc("f_kp", sizeof(*kp), RTE_CACHE_LINE_SIZE);
	if (!peer || !kp)
		abort();
	fz_hex(kp->send_key, WG_KEY_LEN, FZ_GO_RESP_SEND);
	fz_hex(kp->recv_key, WG_KEY_LEN, FZ_GO_RESP_RECV);
	kp->local_index = LOCAL_INDEX;
	kp->remote_index = FZ_GO_INIT_INDEX;
	gw_kp_born(kp, 0, gw_now_ns(ctx)); /* peer slot 0 */
	wg_replay_init(&kp->replay);
	memcpy(sender.sending_key, kp->recv_key, WG_KEY_LEN);
	sender.remote_index = LOCAL_INDEX;
	ep.family = WG_FAMILY_V4;
	be = rte_cpu_to_be_32(PEER_EP);
	memcpy(ep.addr, &be, 4);
	ep.port = 51820;
	peer->endpoint = &ep;
	peer->kp_current = kp;
	ctx->tables->peers[0] = peer;
	if (gw_tables_index_add(ctx->tables, kp->local_index, (uintptr_t)kp))
		abort();
	memset(pfx, 0, sizeof(pfx));
	pfx[0].family = WG_FAMILY_V4;
	be = rte_cpu_to_be_32(PEER_NET);
	memcpy(pfx[0].addr, &be, 4);
	pfx[0].cidr = 24;
	pfx[1].family = WG_FAMILY_V6;
	memcpy(pfx[1].addr, peer6_net, 16);
	pfx[1].cidr = 48;
	if (gw_tables_routes_apply(ctx->tables, pfx, ids, 2, false) != 0)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char prefix[64];
	char *eal[] = { "fuzz_dataplane", "-l", "0", "--no-huge", "-m", "1536",
			"--no-pci", "--no-shconf", "--no-telemetry",
			"--file-prefix", prefix, "--log-level", "*:crit" };

	(void)argc;
	(void)argv;
	snprintf(prefix, sizeof(prefix), "fuzz_dataplane_%d", (int)getpid());
	fz_init();
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "fuzz_dataplane: EAL init failed\n");
		abort();
	}
	setup();
	return 0;
}

static struct rte_mbuf *frame(const uint8_t *b, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *d;

	FZ_CHECK(m); /* an empty pool is an mbuf leak */
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	FZ_CHECK(d || len == 0);
	if (len)
		memcpy(d, b, len);
	return m;
}

static void fix_ip4_cksum(uint8_t *l3)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

	ip->hdr_checksum = 0;
	if ((l3[0] & 0xf) >= 5)
		ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* The peer sends inner through the tunnel: Ethernet/IP/UDP/WireGuard. */
static struct rte_mbuf *tunnel_frame(const uint8_t *inner, size_t len,
				     uint8_t kind)
{
	static uint8_t b[FRAME_MAX];
	bool v6 = kind & 4;
	size_t l3 = v6 ? sizeof(struct rte_ipv6_hdr) :
			 sizeof(struct rte_ipv4_hdr);
	size_t off = RTE_ETHER_HDR_LEN + l3 + sizeof(struct rte_udp_hdr);
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)b;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(b + off) - 1;
	size_t wg_len, pad = (kind & 8) ? 6 : 0;

	if (len > 1500)
		len = 1500;
	wg_len = wg_transport_seal(&sender, next_counter++, inner, len,
				   ctx->mtu, b + off);
	memcpy(eh->dst_addr.addr_bytes, wan_mac, 6);
	memcpy(eh->src_addr.addr_bytes, router_mac, 6);
	if (v6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eh + 1);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		memset(ip, 0, sizeof(*ip));
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16(
			(uint16_t)(sizeof(*udp) + wg_len));
		ip->proto = IPPROTO_UDP;
		ip->hop_limits = 64;
		memcpy(ip->src_addr, peer6, 16);
		memcpy(ip->dst_addr, wan6, 16);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16(
			(uint16_t)(l3 + sizeof(*udp) + wg_len));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		ip->src_addr = rte_cpu_to_be_32(PEER_EP);
		ip->dst_addr = rte_cpu_to_be_32(WAN_ADDR);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	udp->src_port = rte_cpu_to_be_16(51820);
	udp->dst_port = rte_cpu_to_be_16(51820);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + wg_len));
	udp->dgram_cksum = 0;
	memset(b + off + wg_len, 0, pad);
	return frame(b, off + wg_len + pad);
}

/* A LAN frame toward the peer's networks, the header mostly forced. */
static struct rte_mbuf *lan_toward_peer(const uint8_t *in, size_t len)
{
	static uint8_t b[FRAME_MAX];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)b;
	uint8_t *ip = (uint8_t *)(eh + 1);

	if (len > sizeof(b) - RTE_ETHER_HDR_LEN)
		len = sizeof(b) - RTE_ETHER_HDR_LEN;
	memcpy(ip, in, len);
	memcpy(eh->dst_addr.addr_bytes, lan_mac, 6);
	memcpy(eh->src_addr.addr_bytes, host_mac, 6);
	if (len >= 1 && (ip[0] >> 4) == 6) {
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		if (len >= 40) {
			memcpy(ip + 8, lan6_host, 16);
			memcpy(ip + 24, peer6_net, 6);
		}
	} else {
		uint32_t s = rte_cpu_to_be_32(LAN_HOST);
		uint32_t d = rte_cpu_to_be_32(PEER_NET | 5);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		if (len >= 20) {
			memcpy(ip + 12, &s, 4);
			memcpy(ip + 16, &d, 4);
		}
	}
	return frame(b, RTE_ETHER_HDR_LEN + len);
}

static void check_out(struct gw_txbuf *tx, enum gw_role role)
{
	unsigned int i;

	for (i = 0; i < tx->n; i++) {
		struct rte_mbuf *m = tx->m[i];

		FZ_CHECK(rte_pktmbuf_is_contiguous(m));
		FZ_CHECK(m->pkt_len >= RTE_ETHER_HDR_LEN);
		FZ_CHECK(m->pkt_len <= RTE_ETHER_HDR_LEN +
					       (uint32_t)ctx->port[role].frame_mtu);
		rte_pktmbuf_free(m);
	}
	tx->n = 0;
}

static void drain_control(void)
{
	struct gw_event ev;
	unsigned int k;
	void *m;

	for (k = 1; k < GW_CTRL_NB_KINDS; k++)
		while (rte_ring_dequeue(ctx->ctrl_ring[k], &m) == 0)
			rte_pktmbuf_free(m);
	while (rte_ring_dequeue_elem(ctx->event_ring, &ev, sizeof(ev)) == 0)
		;
}

/* Once: a packet the peer really sends must come out on the LAN, or the
 * harness would fuzz nothing but drop paths. */
static void self_check(void)
{
	struct gw_lcore *lc = &ctx->workers[0];
	struct gw_txbuf tx = { .n = 0 };
	uint8_t ip[28] = { 0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1 };
	uint32_t s = rte_cpu_to_be_32(PEER_NET | 5);
	uint32_t d = rte_cpu_to_be_32(LAN_HOST);
	struct rte_mbuf *m;

	memcpy(ip + 12, &s, 4);
	memcpy(ip + 16, &d, 4);
	ip[20] = 8; /* ICMP echo request */
	m = tunnel_frame(ip, sizeof(ip), 2);
	gw_kp_born(kp, 0, gw_now_ns(ctx)); /* peer slot 0 */
	gw_wan_burst(lc, &m, 1, &tx, kp->birth_ns);
	gw_wan_collect(lc, &tx);
	if (tx.n != 1) {
		fprintf(stderr, "fuzz_dataplane: self-check: the peer's packet "
				"did not reach the LAN\n");
		abort();
	}
	FZ_CHECK(tx.m[0]->pkt_len == RTE_ETHER_HDR_LEN + sizeof(ip));
	check_out(&tx, GW_LAN);
	drain_control();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool checked;
	struct fz_in in = { data, size };
	struct gw_lcore *lc = &ctx->workers[0];
	struct rte_mbuf *lan[GW_BURST], *wan[GW_BURST];
	static struct gw_txbuf lan_tx, wan_tx;
	static uint8_t buf[FRAME_MAX];
	unsigned int n_lan = 0, n_wan = 0;
	uint64_t now;

	if (!checked) {
		self_check();
		checked = true;
	}
	(void)fz_u8(&in); /* flags: reserved */
	while (in.n && (n_lan < GW_BURST || n_wan < GW_BURST)) {
		uint8_t kind = fz_u8(&in);
		size_t len = fz_u16(&in) % FRAME_MAX;

		len = fz_take(&in, buf, len);
		switch (kind & 3) {
		case 0:
			if (n_lan < GW_BURST)
				lan[n_lan++] = frame(buf, len);
			break;
		case 1:
			if ((kind & 4) && len >= RTE_ETHER_HDR_LEN + 20 &&
			    (buf[RTE_ETHER_HDR_LEN] & 0xf) * 4u <=
				    len - RTE_ETHER_HDR_LEN)
				fix_ip4_cksum(buf + RTE_ETHER_HDR_LEN);
			if (n_wan < GW_BURST)
				wan[n_wan++] = frame(buf, len);
			break;
		case 2:
			if (n_wan < GW_BURST)
				wan[n_wan++] = tunnel_frame(buf, len, kind);
			break;
		case 3:
			if (n_lan < GW_BURST)
				lan[n_lan++] = lan_toward_peer(buf, len);
			break;
		}
	}
	now = gw_now_ns(ctx);
	gw_kp_born(kp, 0, now); /* a long campaign must not age the keypair */
	if (n_lan) {
		gw_lan_burst(lc, lan, n_lan, &wan_tx, now);
		check_out(&wan_tx, GW_WAN);
	}
	if (n_wan) {
		gw_wan_burst(lc, wan, n_wan, &lan_tx, now);
		gw_wan_collect(lc, &lan_tx);
		check_out(&lan_tx, GW_LAN);
	}
	drain_control();
	/* every mbuf is back: none leaked, none freed twice */
	FZ_CHECK(rte_mempool_avail_count(pool) == POOL_SIZE);
	return 0;
}
