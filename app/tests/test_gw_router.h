/* SPDX-License-Identifier: MIT */
/*
 * Part of test_gw_worker.c (included there, sharing its world: one peer
 * whose keypair is its own mirror): the gateway forwards like a router.
 *
 *  - the outer UDP checksum's fast sum equals DPDK's;
 *  - the incremental IPv4 checksum of a TTL decrement equals the full one
 *    for every TTL and many header sums;
 *  - LAN → tunnel: TTL 1 is handed to the control lcore (time exceeded),
 *    broadcast, multicast and martian addresses are never encrypted, even
 *    toward a peer with AllowedIPs 0.0.0.0/0 and ::/0;
 *  - tunnel → LAN: TTL 64 leaves with 63 and a valid checksum, TTL and
 *    hop limit 1 go to the control lcore as the inner packet of their
 *    peer, martians and neighbour discovery are dropped and counted;
 *  - the outer IPv4 header and UDP checksums (IPv6: zero is invalid) and
 *    the PMD's RX checksum flags decide before anything authenticates.
 */
#include "gw_forward.h"
#include "gw_worker_priv.h"

static const uint8_t peer_site6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0b,
					[15] = 5 };
static const uint8_t lan_host6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a,
				       [15] = 2 };

static uint64_t ctr(enum gw_counter c)
{
	return ctx->workers[0].stats->c[c];
}

/* 0.0.0.0/0 and all of IPv6 to the peer (add), or back out (remove); the
 * IPv6 half as ::/1 and 8000::/1, two ordinary prefixes (::/0 itself has
 * its own test: test_gw_routes_model, t_default_routes). */
static void default_routes(bool remove)
{
	struct wg_prefix pfx[3];
	uint32_t ids[3] = { 0, 0, 0 };

	memset(pfx, 0, sizeof(pfx));
	pfx[0].family = WG_FAMILY_V4;
	pfx[1].family = pfx[2].family = WG_FAMILY_V6;
	pfx[1].cidr = pfx[2].cidr = 1;
	pfx[2].addr[0] = 0x80;
	CHECK(gw_tables_routes_apply(ctx->tables, pfx, ids, 3, remove) == 0,
	      "default routes (%s)", remove ? "remove" : "add");
}

/* The one mbuf the workers handed to the control lcore, with its tag. */
static struct rte_mbuf *handed(uint32_t want_tag)
{
	struct rte_ring *r = ctx->ctrl_ring[GW_CTRL_KIND(want_tag)];
	void *m = NULL;

	CHECK(gw_ctrl_rings_depth(ctx) == 1, "%u handed over, want 1",
	      gw_ctrl_rings_depth(ctx));
	if (rte_ring_dequeue(r, &m) != 0)
		return NULL;
	CHECK(((struct rte_mbuf *)m)->hash.usr == want_tag,
	      "handed over with tag %#x, want %#x",
	      ((struct rte_mbuf *)m)->hash.usr, want_tag);
	return m;
}

/* The fast checksum sum folds to what DPDK's gives, for every length
 * and alignment a datagram can have here (from a start the size of a
 * pseudo-header's sum: DPDK's own 32-bit sum would overflow from much
 * larger ones). */
static void test_sum_words(void)
{
	static uint8_t buf[1600];
	unsigned int i, len, off, bad = 0;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7 + (i >> 8));
	for (off = 0; off < 8; off++)
		for (len = 0; len <= 1500; len++)
			if (__rte_raw_cksum_reduce(__rte_raw_cksum(
				    buf + off, len, 0x00123456u)) !=
			    __rte_raw_cksum_reduce(
				    sum_words(buf + off, len, 0x00123456u)))
				bad++;
	memset(buf, 0xff, sizeof(buf));
	if (__rte_raw_cksum_reduce(__rte_raw_cksum(buf, 1500, 0x000fffffu)) !=
	    __rte_raw_cksum_reduce(sum_words(buf, 1500, 0x000fffffu)))
		bad++;
	CHECK(bad == 0, "sum_words: %u sums differ from __rte_raw_cksum", bad);
}

static void test_hop_dec(void)
{
	uint8_t b[20];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;
	unsigned int ttl, id, bad = 0;

	for (id = 0; id < 65536; id += 97) {
		for (ttl = 2; ttl < 256; ttl++) {
			gw_tb_put_ipv4_udp(b, LAN_HOST, PEER_NET + id % 256, 20,
				 (uint16_t)id);
			ip->time_to_live = (uint8_t)ttl;
			ip->hdr_checksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
			gw_hop_dec(b, false);
			if (ip->time_to_live != ttl - 1 ||
			    rte_ipv4_cksum(ip) != 0)
				bad++;
		}
	}
	CHECK(bad == 0, "TTL decrement: %u wrong checksums", bad);
}

/* A LAN frame to dst from src with the given TTL (checksum fixed). */
static struct rte_mbuf *lan_frame4(uint32_t src, uint32_t dst, uint8_t ttl)
{
	struct rte_mbuf *m = lan_frame(1, 100);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(
		m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);

	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->time_to_live = ttl;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

static void test_router_lan(void)
{
	static const uint32_t bad_dst[] = {
		RTE_IPV4(255, 255, 255, 255), /* DHCP */
		RTE_IPV4(192, 0, 2, 255),     /* the LAN's directed broadcast */
		RTE_IPV4(224, 0, 0, 251),     /* mDNS */
		RTE_IPV4(239, 255, 255, 250), /* SSDP */
		RTE_IPV4(127, 0, 0, 1),
		RTE_IPV4(169, 254, 1, 1),
	};
	static const uint32_t bad_src[] = {
		0, RTE_IPV4(169, 254, 7, 7), RTE_IPV4(127, 0, 0, 9),
		RTE_IPV4(224, 0, 0, 1),
	};
	struct gw_lcore *lc = &ctx->workers[0];
	struct gw_txbuf tx = { .n = 0 };
	struct rte_mbuf *in[GW_BURST];
	uint64_t enc = ctr(GW_CTR_ENCRYPTED_PACKETS),
		 md = ctr(GW_CTR_DROP_MARTIAN_DESTINATION);
	uint64_t ms = ctr(GW_CTR_DROP_MARTIAN_SOURCE);
	struct rte_mbuf *m;
	unsigned int i, n = 0;

	/* TTL 1: not encrypted, handed over whole for time exceeded */
	in[0] = lan_frame4(LAN_HOST, PEER_NET + 5, 1);
	gw_lan_burst(lc, in, 1, &tx, gw_now_ns(ctx));
	CHECK(tx.n == 0 && ctr(GW_CTR_ENCRYPTED_PACKETS) == enc,
	      "TTL 1 was encrypted");
	m = handed(GW_CTRL_TAG(GW_CTRL_TTL, GW_CTRL_FROM_LAN));
	if (m) {
		CHECK(m->pkt_len == RTE_ETHER_HDR_LEN + 100,
		      "TTL 1: handed over %u bytes", m->pkt_len);
		rte_pktmbuf_free(m);
	}
	/* TTL 2 leaves with 1 */
	in[0] = lan_frame4(LAN_HOST, PEER_NET + 5, 2);
	gw_lan_burst(lc, in, 1, &tx, gw_now_ns(ctx));
	CHECK(tx.n == 1, "TTL 2 was not encrypted");
	rte_pktmbuf_free_bulk(tx.m, tx.n);
	tx.n = 0;
	enc = ctr(GW_CTR_ENCRYPTED_PACKETS);

	/* nothing of this reaches a peer that takes everything */
	default_routes(false);
	for (i = 0; i < RTE_DIM(bad_dst); i++)
		in[n++] = lan_frame4(LAN_HOST, bad_dst[i], 64);
	for (i = 0; i < RTE_DIM(bad_src); i++)
		in[n++] = lan_frame4(bad_src[i], PEER_NET + 5, 64);
	/* a unicast destination in an Ethernet broadcast */
	in[n] = lan_frame4(LAN_HOST, PEER_NET + 5, 64);
	memset(rte_pktmbuf_mtod(in[n], uint8_t *), 0xff, 6);
	n++;
	/* IPv6 from a link-local source */
	in[n] = lan_frame(1, 100);
	{
		static const uint8_t ll[16] = { 0xfe, 0x80, [15] = 2 };
		struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(in[n], struct rte_ether_hdr *);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		gw_tb_put_ipv6((uint8_t *)(eh + 1), ll, peer_site6, IPPROTO_UDP, 64,
			 60);
	}
	n++;
	gw_lan_burst(lc, in, n, &tx, gw_now_ns(ctx));
	default_routes(true);
	CHECK(tx.n == 0 && ctr(GW_CTR_ENCRYPTED_PACKETS) == enc,
	      "martians: %u encrypted", tx.n);
	rte_pktmbuf_free_bulk(tx.m, tx.n);
	CHECK(ctr(GW_CTR_DROP_MARTIAN_DESTINATION) - md == RTE_DIM(bad_dst) + 1,
	      "martian destinations counted %lu, want %zu",
	      (unsigned long)(ctr(GW_CTR_DROP_MARTIAN_DESTINATION) - md),
	      RTE_DIM(bad_dst) + 1);
	CHECK(ctr(GW_CTR_DROP_MARTIAN_SOURCE) - ms == RTE_DIM(bad_src) + 1,
	      "martian sources counted %lu, want %zu",
	      (unsigned long)(ctr(GW_CTR_DROP_MARTIAN_SOURCE) - ms),
	      RTE_DIM(bad_src) + 1);
	CHECK(gw_ctrl_rings_depth(ctx) == 0, "martians handed over");
}

/* A WAN frame from the peer's endpoint carrying inner (len bytes),
 * sealed at the keypair's next counter, over IPv4 or IPv6; udp_cksum:
 * a real UDP checksum, else 0. */
static struct rte_mbuf *peer_frame(const uint8_t *inner, uint16_t len,
				   bool v6, bool udp_cksum)
{
	static const uint8_t wan6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0c,
					  [15] = 1 };
	static const uint8_t ep6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0c,
					 [15] = 7 };
	static uint8_t b[2048];
	struct wg_keypair s;
	struct gw_tb_outer o;
	size_t n;

	gw_testbed_peer_side(&session, &s);
	gw_tb_outer4(&o, router_mac, wan_mac, PEER_EP, ep.port, WAN_ADDR,
		     51820);
	if (v6) {
		o.family = WG_FAMILY_V6;
		memcpy(o.src, ep6, 16);
		memcpy(o.dst, wan6, 16);
	}
	o.udp_cksum = udp_cksum;
	/* the mirror: the peer's counter is the keypair's own */
	n = gw_tb_seal_frame(b, &o, &s,
			     __atomic_fetch_add(&kp->send_counter, 1,
						__ATOMIC_RELAXED),
			     inner, len, ctx->mtu, 0);
	return gw_tb_mbuf(pool, b, n);
}

/* One frame through gw_wan_burst; the frames delivered to the LAN. */
static unsigned int wan_one(struct rte_mbuf *m, struct gw_txbuf *tx)
{
	tx->n = 0;
	gw_wan_burst(&ctx->workers[0], &m, 1, tx, gw_now_ns(ctx));
	return tx->n;
}

/* An inner IPv4 UDP packet from the peer's site to the LAN host. */
static uint8_t *inner4(uint8_t *b, uint32_t src, uint32_t dst, uint8_t ttl)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;

	gw_tb_put_ipv4_udp(b, src, dst, 100, 7);
	ip->time_to_live = ttl;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return b;
}

static void test_router_wan(void)
{
	static const uint8_t ll[16] = { 0xfe, 0x80, [15] = 9 };
	struct gw_txbuf tx = { .n = 0 };
	uint64_t md = ctr(GW_CTR_DROP_MARTIAN_DESTINATION);
	uint64_t ms = ctr(GW_CTR_DROP_MARTIAN_SOURCE);
	uint64_t nd = ctr(GW_CTR_DROP_INNER_NEIGHBOUR_DISCOVERY);
	uint8_t b[200];
	struct rte_mbuf *m;

	/* TTL 64 leaves with 63, the header checksum still right */
	if (wan_one(peer_frame(inner4(b, PEER_NET + 5, LAN_HOST, 64), 100,
			       false, false),
		    &tx) == 1) {
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(
			tx.m[0], const struct rte_ipv4_hdr *,
			RTE_ETHER_HDR_LEN);

		CHECK(ip->time_to_live == 63 && rte_ipv4_cksum(ip) == 0,
		      "tunnel → LAN: TTL %u, checksum %#x", ip->time_to_live,
		      rte_ipv4_cksum(ip));
		rte_pktmbuf_free(tx.m[0]);
	} else {
		CHECK(false, "tunnel → LAN: TTL 64 not delivered");
	}
	/* TTL 1: the inner packet alone goes to the control lcore, with
	 * the peer to answer through */
	CHECK(wan_one(peer_frame(inner4(b, PEER_NET + 5, LAN_HOST, 1), 100,
				 false, false),
		      &tx) == 0,
	      "tunnel → LAN: TTL 1 delivered");
	m = handed(GW_CTRL_TAG(GW_CTRL_TTL, peer->id));
	if (m) {
		CHECK(m->pkt_len == 100 &&
			      memcmp(rte_pktmbuf_mtod(m, uint8_t *), b, 100) ==
				      0,
		      "TTL 1: handed over %u bytes, not the inner packet",
		      m->pkt_len);
		rte_pktmbuf_free(m);
	}
	/* martian destinations; sources, with a peer that may send from
	 * anywhere */
	CHECK(wan_one(peer_frame(inner4(b, PEER_NET + 5,
					RTE_IPV4(192, 0, 2, 255), 64),
				 100, false, false),
		      &tx) == 0,
	      "LAN broadcast from the tunnel delivered");
	CHECK(wan_one(peer_frame(inner4(b, PEER_NET + 5,
					RTE_IPV4(224, 0, 0, 251), 64),
				 100, false, false),
		      &tx) == 0,
	      "multicast from the tunnel delivered");
	default_routes(false);
	CHECK(wan_one(peer_frame(inner4(b, RTE_IPV4(127, 0, 0, 1), LAN_HOST,
					64),
				 100, false, false),
		      &tx) == 0,
	      "loopback source from the tunnel delivered");
	/* a neighbour advertisement (override flag) with hop limit 255 */
	gw_tb_put_ipv6(b, peer_site6, lan_host6, IPPROTO_ICMPV6, 255, 32);
	b[40] = 136;
	b[44] = 0x20;
	CHECK(wan_one(peer_frame(b, 72, false, false), &tx) == 0,
	      "neighbour advertisement from the tunnel delivered");
	/* a router advertisement behind a hop-by-hop options header */
	gw_tb_put_ipv6(b, peer_site6, lan_host6, IPPROTO_HOPOPTS, 255, 24);
	b[40] = IPPROTO_ICMPV6;
	b[48] = 134;
	CHECK(wan_one(peer_frame(b, 64, false, false), &tx) == 0,
	      "router advertisement from the tunnel delivered");
	gw_tb_put_ipv6(b, peer_site6, ll, IPPROTO_UDP, 64, 32);
	CHECK(wan_one(peer_frame(b, 72, false, false), &tx) == 0,
	      "link-local destination from the tunnel delivered");
	/* IPv6 hop limit 1, and 2 (leaves with 1) */
	gw_tb_put_ipv6(b, peer_site6, lan_host6, IPPROTO_UDP, 1, 32);
	CHECK(wan_one(peer_frame(b, 72, false, false), &tx) == 0,
	      "hop limit 1 delivered");
	m = handed(GW_CTRL_TAG(GW_CTRL_TTL, peer->id));
	rte_pktmbuf_free(m);
	default_routes(true);
	CHECK(ctr(GW_CTR_DROP_MARTIAN_DESTINATION) - md == 3,
	      "tunnel martian destinations: %lu, want 3",
	      (unsigned long)(ctr(GW_CTR_DROP_MARTIAN_DESTINATION) - md));
	CHECK(ctr(GW_CTR_DROP_MARTIAN_SOURCE) - ms == 1,
	      "tunnel martian sources: %lu, want 1",
	      (unsigned long)(ctr(GW_CTR_DROP_MARTIAN_SOURCE) - ms));
	CHECK(ctr(GW_CTR_DROP_INNER_NEIGHBOUR_DISCOVERY) - nd == 2,
	      "neighbour discovery from the tunnel: %lu, want 2",
	      (unsigned long)(ctr(GW_CTR_DROP_INNER_NEIGHBOUR_DISCOVERY) - nd));
}

/* Dropped frames go back to the pool when the burst call returns (the
 * workers gather a burst's drops and free them together): frames with
 * an unknown receiver index (dropped while classifying) and with a
 * broken tag (dropped after decryption), in bursts of up to 32 with good
 * frames among them. */
static void test_drops_freed(void)
{
	enum { N = 2 * GW_BURST + 8 };   /* 48 drops: not a bin's multiple */
	uint64_t idx0 = ctr(GW_CTR_DROP_UNKNOWN_RECEIVER_INDEX);
	uint64_t tag0 = ctr(GW_CTR_DROP_AUTHENTICATION_FAILED);
	unsigned int in_use0 = rte_mempool_in_use_count(pool), i, out = 0;
	struct rte_mbuf *m[N];
	struct gw_txbuf tx;
	uint8_t b[128];

	for (i = 0; i < N; i++) {
		uint8_t *msg;

		/* no UDP checksum (IPv4): the changes below must reach
		 * the index lookup and the tag check */
		m[i] = peer_frame(inner4(b, PEER_NET + 5, LAN_HOST, 64), 100,
				  false, false);
		msg = rte_pktmbuf_mtod_offset(m[i], uint8_t *,
					      RTE_ETHER_HDR_LEN +
						      sizeof(struct rte_ipv4_hdr) +
						      sizeof(struct rte_udp_hdr));
		if (i % 3 == 0)
			msg[4] ^= 0x5a;                    /* receiver index */
		else if (i % 3 == 1)
			msg[rte_pktmbuf_data_len(m[i]) - 60] ^= 1; /* the tag */
	}
	for (i = 0; i < N; i += GW_BURST) {
		tx.n = 0;
		gw_wan_burst(&ctx->workers[0], m + i, RTE_MIN(N - i, (unsigned int)GW_BURST),
			     &tx, gw_now_ns(ctx));
		out += tx.n;
		rte_pktmbuf_free_bulk(tx.m, tx.n);
	}
	CHECK(ctr(GW_CTR_DROP_UNKNOWN_RECEIVER_INDEX) - idx0 == N / 3,
	      "drops: %" PRIu64 " unknown indices counted, want %u",
	      ctr(GW_CTR_DROP_UNKNOWN_RECEIVER_INDEX) - idx0, N / 3);
	CHECK(ctr(GW_CTR_DROP_AUTHENTICATION_FAILED) - tag0 == N / 3,
	      "drops: %" PRIu64 " bad tags counted, want %u",
	      ctr(GW_CTR_DROP_AUTHENTICATION_FAILED) - tag0, N / 3);
	CHECK(out == N / 3, "drops: %u good frames out, want %u", out, N / 3);
	CHECK(rte_mempool_in_use_count(pool) == in_use0,
	      "drops: %d mbufs not back in the pool after the bursts",
	      (int)(rte_mempool_in_use_count(pool) - in_use0));
}

static void test_outer_checksums(void)
{
	static const uint8_t wan6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0c,
					  [15] = 1 };
	struct gw_port *wan = &ctx->port[GW_WAN];
	struct gw_txbuf tx = { .n = 0 };
	uint64_t ipc = ctr(GW_CTR_DROP_OUTER_IP_CHECKSUM);
	uint64_t udpc = ctr(GW_CTR_DROP_OUTER_UDP_CHECKSUM);
	uint64_t idx = ctr(GW_CTR_DROP_UNKNOWN_RECEIVER_INDEX);
	uint8_t b[100];
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	inner4(b, PEER_NET + 5, LAN_HOST, 64);
	/* a real UDP checksum passes */
	CHECK(wan_one(peer_frame(b, 100, false, true), &tx) == 1,
	      "good UDP checksum dropped");
	rte_pktmbuf_free_bulk(tx.m, tx.n);
	/* a wrong IPv4 header checksum */
	m = peer_frame(b, 100, false, false);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
				     RTE_ETHER_HDR_LEN);
	ip->hdr_checksum ^= 0x0101;
	CHECK(wan_one(m, &tx) == 0, "bad IPv4 header checksum delivered");
	/* the PMD says GOOD: trusted (a NIC that checked) */
	m = peer_frame(b, 100, false, false);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
				     RTE_ETHER_HDR_LEN);
	ip->hdr_checksum ^= 0x0101;
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	CHECK(wan_one(m, &tx) == 1, "PMD's GOOD IP checksum not trusted");
	rte_pktmbuf_free_bulk(tx.m, tx.n);
	/* the PMD says BAD */
	m = peer_frame(b, 100, false, true);
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_BAD;
	CHECK(wan_one(m, &tx) == 0, "PMD's BAD UDP checksum delivered");
	/* a wrong UDP checksum */
	m = peer_frame(b, 100, false, true);
	udp = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *,
				      RTE_ETHER_HDR_LEN + 20);
	udp->dgram_cksum ^= 0x0400;
	CHECK(wan_one(m, &tx) == 0, "bad UDP checksum delivered");
	/* over IPv6: a real checksum passes, zero does not */
	memcpy(wan->addr6[0], wan6, 16);
	wan->plen6[0] = 64;
	wan->n_addr6 = 1;
	CHECK(wan_one(peer_frame(b, 100, true, true), &tx) == 1,
	      "IPv6 outer with a good UDP checksum dropped");
	rte_pktmbuf_free_bulk(tx.m, tx.n);
	CHECK(wan_one(peer_frame(b, 100, true, false), &tx) == 0,
	      "IPv6 outer with UDP checksum 0 delivered");
	wan->n_addr6 = 0;
	CHECK(ctr(GW_CTR_DROP_OUTER_IP_CHECKSUM) - ipc == 1,
	      "outer IP checksum drops: %lu, want 1",
	      (unsigned long)(ctr(GW_CTR_DROP_OUTER_IP_CHECKSUM) - ipc));
	CHECK(ctr(GW_CTR_DROP_OUTER_UDP_CHECKSUM) - udpc == 3,
	      "outer UDP checksum drops: %lu, want 3",
	      (unsigned long)(ctr(GW_CTR_DROP_OUTER_UDP_CHECKSUM) - udpc));
	CHECK(ctr(GW_CTR_DROP_UNKNOWN_RECEIVER_INDEX) == idx,
	      "checksum failures reached the index lookup");
}
