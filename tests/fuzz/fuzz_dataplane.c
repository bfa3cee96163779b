/* SPDX-License-Identifier: MIT */
/*
 * The data plane's packet parsers, through the worker's own entry points
 * (gw_lan_burst / gw_wan_burst, app/gw_worker.h) on an EAL without NIC or
 * hugepages (--no-huge --no-pci), in a context app/gw_testbed.c builds as
 * gw_setup builds one (the world app/tests/test_gw_worker.c uses): the
 * transcripts' gateway key, one peer behind 203.0.113.0/24 and
 * 2001:db8:b::/48 in a session installed by gw_peer_install_keypair,
 * resolved neighbours, TCP MSS clamping on.
 *
 * FUZZ_NEEDS_APP (scripts/fuzz links app/ and DPDK for this harness;
 * app/gw_testbed*.c are among the app/ files it compiles).
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
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <rte_memory.h>

#include "fuzz_common.h"
#include "gw_ctx.h"
#include "gw_peer.h"
#include "gw_testbed.h"
#include "gw_testbed_frames.h"
#include "gw_worker.h"
#include "wg_noise.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/lsan_interface.h>
#define FZ_LSAN 1
#endif
#endif

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

static struct gw_testbed *tb;
static struct gw_ctx *ctx;
static struct rte_mempool *pool;
static struct wg_keypair sender;      /* the peer's side of the session */
static uint64_t next_counter;

#ifdef FZ_LSAN
/* LeakSanitizer does not scan DPDK's memory, where the context keeps
 * pointers to libc memory (the control state's key map, the peers'
 * AllowedIPs lists, rate limiters): scan it as a root, whatever the
 * context grows, rather than list its fields here. */
static int lsan_root(const struct rte_memseg_list *msl, void *arg)
{
	(void)arg;
	if (msl->base_va && msl->len)
		__lsan_register_root_region(msl->base_va, msl->len);
	return 0;
}
#endif

static struct wg_prefix prefix(uint8_t family, const void *addr, uint8_t cidr)
{
	struct wg_prefix p = { .family = family, .cidr = cidr };

	memcpy(p.addr, addr, family == WG_FAMILY_V4 ? 4 : 16);
	return p;
}

static struct gw_testbed_neigh neigh4(enum gw_role role, uint32_t ip,
				      const uint8_t *mac)
{
	struct gw_testbed_neigh n = { .role = role, .family = WG_FAMILY_V4,
				      .addr4 = ip };

	memcpy(n.mac, mac, 6);
	return n;
}

static struct gw_testbed_neigh neigh6(enum gw_role role, const uint8_t *ip,
				      const uint8_t *mac)
{
	struct gw_testbed_neigh n = { .role = role, .family = WG_FAMILY_V6 };

	memcpy(n.addr6, ip, 16);
	memcpy(n.mac, mac, 6);
	return n;
}

/* The gateway of the transcripts (its private key) with one peer, the
 * wireguard-go one, in the go_initiates session. */
static void setup(void)
{
	uint32_t net = rte_cpu_to_be_32(PEER_NET), be;
	struct wg_prefix pfx[2] = { prefix(WG_FAMILY_V4, &net, 24),
				    prefix(WG_FAMILY_V6, peer6_net, 48) };
	struct gw_testbed_neigh nb[6] = {
		neigh4(GW_WAN, WAN_ROUTER, router_mac),
		neigh4(GW_WAN, PEER_EP, router_mac),
		neigh6(GW_WAN, peer6, router_mac),
		neigh4(GW_LAN, LAN_HOST, host_mac),
		neigh4(GW_LAN, LAN_ROUTER, router_mac),
		neigh6(GW_LAN, lan6_host, host_mac),
	};
	struct gw_testbed_peer tp = { .allowed_ips = pfx, .n_allowed_ips = 2 };
	struct gw_testbed_opts o = {
		.lcores = 2, .workers = 1, .mtu = 1420, .listen_port = 51820,
		.mss_clamp = true, .neigh = nb, .n_neigh = 6,
		.lan = { .addr4 = LAN_ADDR, .plen4 = 24, .plen6 = 64,
			 .gateway4 = LAN_ROUTER, .frame_mtu = 1500 },
		.wan = { .addr4 = WAN_ADDR, .plen4 = 24, .plen6 = 64,
			 .gateway4 = WAN_ROUTER, .frame_mtu = 1500 },
		.peers = &tp, .n_peers = 1,
		/* the test-only knob: a long campaign must not age the
		 * session out */
		.reject_after_s = UINT32_MAX,
		/* no per-lcore cache: the free count is exact after each
		 * input */
		.n_mbufs = POOL_SIZE, .mbuf_cache = 0, .data_room = FRAME_MAX,
	};
	uint8_t priv[WG_KEY_LEN], peer_priv[WG_KEY_LEN];
	struct wg_keypair k = { .local_index = LOCAL_INDEX,
				.remote_index = FZ_GO_INIT_INDEX };
	struct gw_peer *peer;
	struct gw_keypair *kp;

	memcpy(o.lan.mac, lan_mac, 6);
	memcpy(o.wan.mac, wan_mac, 6);
	memcpy(o.lan.addr6, lan6, 16);
	memcpy(o.wan.addr6, wan6, 16);
	fz_key_b64(priv, FZ_GW_PRIVATE);
	fz_key_b64(peer_priv, FZ_PEER_PRIVATE);
	wg_public_from_private(tp.public_key, peer_priv);
	o.private_key = priv;
	tp.endpoint.family = WG_FAMILY_V4;
	be = rte_cpu_to_be_32(PEER_EP);
	memcpy(tp.endpoint.addr, &be, 4);
	tp.endpoint.port = 51820;
	tb = gw_testbed_create(&o);
	if (!tb)
		abort();
	ctx = tb->ctx;
	pool = tb->pool;
#ifdef FZ_LSAN
	rte_memseg_list_walk(lsan_root, NULL);
#endif
	/* the peer's keys: the transcript's go_initiates session */
	fz_hex(k.sending_key, WG_KEY_LEN, FZ_GO_RESP_SEND);
	fz_hex(k.receiving_key, WG_KEY_LEN, FZ_GO_RESP_RECV);
	peer = gw_testbed_peer(tb, tp.public_key);
	kp = peer ? gw_testbed_session(tb, peer, &k) : NULL;
	if (!kp)
		abort();
	gw_testbed_peer_side(&k, &sender);
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
	struct rte_mbuf *m = gw_tb_mbuf(pool, b, len);

	FZ_CHECK(m); /* an empty pool is an mbuf leak */
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
	struct gw_tb_outer o;
	struct rte_mbuf *m;

	if (len > 1500)
		len = 1500;
	gw_tb_outer4(&o, router_mac, wan_mac, PEER_EP, 51820, WAN_ADDR, 51820);
	if (kind & 4) {
		o.family = WG_FAMILY_V6;
		memcpy(o.src, peer6, 16);
		memcpy(o.dst, wan6, 16);
	}
	m = gw_tb_mbuf(pool, b,
		       gw_tb_seal_frame(b, &o, &sender, next_counter++, inner,
					len, ctx->mtu, (kind & 8) ? 6 : 0));
	FZ_CHECK(m); /* an empty pool is an mbuf leak */
	return m;
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
	gw_wan_burst(lc, &m, 1, &tx, gw_now_ns(ctx));
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
