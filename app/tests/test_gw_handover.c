/* SPDX-License-Identifier: MIT */
/*
 * What a worker hands to the control lcore (EAL --no-huge --no-pci, no
 * ports, one worker driven by hand through gw_wan_burst):
 *
 *  - roaming: 100 authenticated packets from one new source post one
 *    ENDPOINT event, not 100; after the control lcore took it, none; a
 *    further change posts again; an event that finds the ring full is
 *    counted and posted by a later packet;
 *  - a KEYPAIR_USED event that finds the ring full is not lost: the
 *    keypair's used flag is set, nothing is counted as lost, and the
 *    control tick's sweep (gw_peer_confirm_used_next) confirms it;
 *  - cookie replies reach the control lcore only for one of our pending
 *    handshakes (drop_cookie_reply_unknown_index otherwise);
 *  - every kind on its own ring: with the local ring full of echo
 *    requests, ARP still reaches the control lcore, and the full ring
 *    drops under its own counter;
 *  - the workers' per-source initiation limit: one address (or one IPv6
 *    /64) gets its burst through to the handshake ring, the rest is
 *    dropped before it (drop_handshake_source_limited); another source
 *    is not affected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_udp.h>

#include "gw_control.h"
#include "gw_ctrl_rings.h"
#include "gw_hs_limit.h"
#include "gw_peer.h"
#include "gw_tables.h"
#include "gw_testbed.h"
#include "gw_worker.h"
#include "wg_cookie.h"
#include "wg_crypto.h"
#include "wg_messages.h"
#include "wg_transport.h"

#include "test_eal.h"

#define WAN_ADDR RTE_IPV4(198, 51, 100, 1)
#define PEER_EP RTE_IPV4(203, 0, 113, 7)
#define LOCAL_INDEX 0x1234u
#define PENDING_INDEX 0x5151u

static const uint8_t wan_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t router_mac[6] = { 0x02, 0, 0, 0, 0, 0x04 };
static const uint8_t wan6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0c, [15] = 1 };

static struct gw_testbed *tb;
static struct gw_ctx *ctx;
static struct rte_mempool *pool;
static struct gw_lcore *lc;
static struct gw_peer *peer;
static struct gw_keypair *kp;      /* the session the peer sends on */
static struct wg_keypair sender;   /* the peer's side of kp */
static uint64_t next_counter;
static struct wg_endpoint ep;
static const uint8_t peer_pub[WG_KEY_LEN] = { 0x68, 0x6f };
static const uint8_t our_private[WG_KEY_LEN] = { 0x40, 0x01 };

/* A session with fresh random keys and our receiver index local_index,
 * as initiator (current at once) or as responder (next, until the peer
 * uses it); *peer_side: what the peer sends with. */
static struct gw_keypair *new_session(uint32_t local_index, bool initiator,
				      struct wg_keypair *peer_side)
{
	struct wg_keypair k = { .local_index = local_index,
				.remote_index = local_index ^ 0xffff };
	struct gw_keypair *got;

	wg_random(k.sending_key, WG_KEY_LEN);
	wg_random(k.receiving_key, WG_KEY_LEN);
	gw_testbed_peer_side(&k, peer_side);
	got = initiator ? gw_testbed_session(tb, peer, &k) :
			  gw_testbed_session_next(tb, peer, &k);
	wg_wipe(&k, sizeof(k));
	return got;
}

/* One worker, a WAN port on 198.51.100.0/24 and 2001:db8:c::/64 without
 * a gateway, one peer at PEER_EP:40000 in a session. */
static int setup(void)
{
	struct gw_testbed_peer tp = { .endpoint = { .family = WG_FAMILY_V4,
						    .port = 40000 } };
	struct gw_testbed_opts o = {
		.lcores = 1, .workers = 1, .mtu = 1420, .listen_port = 51820,
		.private_key = our_private,
		.wan = { .addr4 = WAN_ADDR, .plen4 = 24, .plen6 = 64 },
		.peers = &tp, .n_peers = 1, .n_mbufs = 4096,
	};
	uint32_t be = rte_cpu_to_be_32(PEER_EP);

	memcpy(o.wan.mac, wan_mac, 6);
	memcpy(o.wan.addr6, wan6, 16);
	memcpy(tp.public_key, peer_pub, WG_KEY_LEN);
	memcpy(tp.endpoint.addr, &be, 4);
	ep = tp.endpoint;
	tb = gw_testbed_create(&o);
	if (!tb)
		return -1;
	ctx = tb->ctx;
	pool = tb->pool;
	lc = &ctx->workers[0];
	peer = gw_testbed_peer(tb, peer_pub);
	kp = peer ? new_session(LOCAL_INDEX, true, &sender) : NULL;
	return kp ? 0 : -1;
}

/* A WAN frame to our port 51820 carrying msg (len bytes) from src4
 * (host order) or, when src6 is set, from that IPv6 address. */
static struct rte_mbuf *wan_udp(uint32_t src4, const uint8_t *src6,
				uint16_t sport, const uint8_t *msg,
				uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint16_t l3 = src6 ? sizeof(struct rte_ipv6_hdr) :
			     sizeof(struct rte_ipv4_hdr);
	uint8_t *b = (uint8_t *)rte_pktmbuf_append(
		m, (uint16_t)(RTE_ETHER_HDR_LEN + l3 + 8 + len));
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)b;
	struct rte_udp_hdr *udp =
		(struct rte_udp_hdr *)(b + RTE_ETHER_HDR_LEN + l3);

	memcpy(eh->dst_addr.addr_bytes, wan_mac, 6);
	memcpy(eh->src_addr.addr_bytes, router_mac, 6);
	if (src6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eh + 1);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		memset(ip, 0, sizeof(*ip));
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(8 + len));
		ip->proto = IPPROTO_UDP;
		ip->hop_limits = 64;
		memcpy(ip->src_addr, src6, 16);
		memcpy(ip->dst_addr, wan6, 16);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + 8 + len));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		ip->src_addr = rte_cpu_to_be_32(src4);
		ip->dst_addr = rte_cpu_to_be_32(WAN_ADDR);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(51820);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + len));
	udp->dgram_cksum = 0;
	memcpy(udp + 1, msg, len);
	if (src6)
		udp->dgram_cksum = rte_ipv6_udptcp_cksum(
			(struct rte_ipv6_hdr *)(eh + 1), udp);
	return m;
}

/* n keepalives of the session from src4:sport through gw_wan_burst. */
static void send_keepalives(unsigned int n, uint32_t src4, uint16_t sport)
{
	struct rte_mbuf *pkts[GW_BURST];
	struct gw_txbuf tx = { .n = 0 };
	uint8_t msg[64];
	unsigned int i, k;

	while (n) {
		k = RTE_MIN(n, (unsigned int)GW_BURST);
		for (i = 0; i < k; i++) {
			size_t len = wg_transport_seal(&sender, next_counter++,
						       NULL, 0, ctx->mtu, msg);

			pkts[i] = wan_udp(src4, NULL, sport, msg,
					  (uint16_t)len);
		}
		tx.n = 0;
		gw_wan_burst(lc, pkts, k, &tx, gw_now_ns(ctx));
		for (i = 0; i < tx.n; i++)
			rte_pktmbuf_free(tx.m[i]);
		n -= k;
	}
}

/* Take every event off the ring: how many, and of kind ENDPOINT. */
static unsigned int drain_events(unsigned int *endpoint,
				 struct gw_event *last_ep)
{
	struct gw_event ev;
	unsigned int n = 0;

	*endpoint = 0;
	while (rte_ring_dequeue_elem(ctx->event_ring, &ev, sizeof(ev)) == 0) {
		n++;
		if (ev.kind == GW_EV_ENDPOINT) {
			(*endpoint)++;
			if (last_ep)
				*last_ep = ev;
		}
	}
	return n;
}

static uint64_t counter(enum gw_counter c)
{
	return gw_stats_sum(ctx->stats, c);
}

/* What the control lcore does with an ENDPOINT event (gw_control.c). */
static void control_takes_endpoint(const struct gw_event *ev)
{
	gw_testbed_endpoint(tb, peer, &ev->ep);
	/* the next change may post again */
	__atomic_store_n(&peer->endpoint_pending, 0, __ATOMIC_RELEASE);
}

static void test_endpoint_once(void)
{
	struct gw_event ev = { 0 };
	unsigned int n, n_ep;
	uint64_t lost0 = counter(GW_CTR_DROP_EVENT_RING_FULL);

	/* from where the peer is: nothing to tell */
	send_keepalives(10, PEER_EP, 40000);
	n = drain_events(&n_ep, NULL);
	CHECK(n == 0, "known source: %u events", n);

	/* 100 packets from a new source: one event, with that source */
	send_keepalives(100, PEER_EP + 1, 40001);
	n = drain_events(&n_ep, &ev);
	CHECK(n == 1 && n_ep == 1,
	      "100 packets from one new source: %u events (%u ENDPOINT), want 1",
	      n, n_ep);
	CHECK(ev.ep.port == 40001 && ev.peer_id == 0,
	      "ENDPOINT event: port %u peer %u", ev.ep.port, ev.peer_id);
	/* more of them before the control lcore took it: none */
	send_keepalives(40, PEER_EP + 1, 40001);
	n = drain_events(&n_ep, NULL);
	CHECK(n == 0, "before the control lcore took it: %u more events", n);
	control_takes_endpoint(&ev);
	send_keepalives(40, PEER_EP + 1, 40001);
	n = drain_events(&n_ep, NULL);
	CHECK(n == 0, "from the new endpoint: %u events", n);
	/* the next change posts again */
	send_keepalives(30, PEER_EP + 2, 40002);
	n = drain_events(&n_ep, &ev);
	CHECK(n == 1 && n_ep == 1 && ev.ep.port == 40002,
	      "second change: %u events (%u ENDPOINT)", n, n_ep);
	CHECK(counter(GW_CTR_DROP_EVENT_RING_FULL) == lost0,
	      "events counted as lost with room in the ring");
	control_takes_endpoint(&ev);
	ep = ev.ep;
	CHECK(memcmp(peer->endpoint, &ep, sizeof(ep)) == 0,
	      "the control lcore did not take the endpoint");
}

/* Fill the event ring; returns how many dummies went in. */
static unsigned int fill_events(void)
{
	struct gw_event dummy = { .kind = GW_EV_ENDPOINT, .peer_id = 99 };
	unsigned int n = 0;

	while (rte_ring_enqueue_elem(ctx->event_ring, &dummy,
				     sizeof(dummy)) == 0)
		n++;
	return n;
}

static void test_keypair_used_ring_full(void)
{
	uint64_t lost0 = counter(GW_CTR_DROP_EVENT_RING_FULL);
	struct gw_event ev = { 0 };
	struct wg_keypair next_side, unused_side;
	struct gw_keypair *next, *unused;
	unsigned int filled, n, n_ep;

	/* a new handshake with us as responder: its keypair waits in
	 * kp_next for its first packet, and the ring has no room for the
	 * news */
	next = new_session(LOCAL_INDEX + 1, false, &next_side);
	CHECK(next && peer->kp_next == next && peer->kp_current == kp,
	      "responder session: next %p current %p",
	      (void *)peer->kp_next, (void *)peer->kp_current);
	if (!next)
		return;
	sender = next_side;
	kp = next;
	filled = fill_events();
	CHECK(filled >= GW_EVENT_RING - 1, "ring took %u events", filled);
	send_keepalives(5, PEER_EP + 2, 40002);
	CHECK(__atomic_load_n(&kp->used_reported, __ATOMIC_ACQUIRE) == 1,
	      "first packet on kp_next: used flag not set");
	CHECK(counter(GW_CTR_DROP_EVENT_RING_FULL) == lost0,
	      "a KEYPAIR_USED that the sweep recovers was counted as lost");
	n = drain_events(&n_ep, NULL);
	CHECK(n == filled, "%u events after the fill of %u", n, filled);
	/* the control tick's sweep confirms it, once */
	CHECK(gw_peer_confirm_used_next(ctx, peer),
	      "sweep did not confirm the used keypair");
	CHECK(peer->kp_current == kp && peer->kp_next == NULL,
	      "after the sweep: current %p next %p", (void *)peer->kp_current,
	      (void *)peer->kp_next);
	CHECK(!gw_peer_confirm_used_next(ctx, peer), "confirmed twice");
	/* a next keypair nobody used yet stays where it is */
	unused = new_session(LOCAL_INDEX + 2, false, &unused_side);
	CHECK(unused && !gw_peer_confirm_used_next(ctx, peer),
	      "unused keypair confirmed");
	CHECK(peer->kp_next == unused && peer->kp_current == kp,
	      "unused keypair moved: next %p current %p",
	      (void *)peer->kp_next, (void *)peer->kp_current);

	/* an ENDPOINT event that finds the ring full is lost for now
	 * (counted), and the next packet from there posts it */
	filled = fill_events();
	send_keepalives(3, PEER_EP + 3, 40003);
	CHECK(counter(GW_CTR_DROP_EVENT_RING_FULL) == lost0 + 3,
	      "ENDPOINT on a full ring: %lu counted, want 3",
	      (unsigned long)(counter(GW_CTR_DROP_EVENT_RING_FULL) - lost0));
	drain_events(&n_ep, NULL);
	send_keepalives(3, PEER_EP + 3, 40003);
	n = drain_events(&n_ep, &ev);
	CHECK(n == 1 && n_ep == 1 && ev.ep.port == 40003,
	      "after the ring drained: %u events (%u ENDPOINT)", n, n_ep);
	control_takes_endpoint(&ev);
}

static unsigned int drain_handshakes(void)
{
	struct rte_mbuf *m = NULL;
	unsigned int n = 0;

	while (rte_ring_dequeue(ctx->ctrl_ring[GW_CTRL_HANDSHAKE],
				(void **)&m) == 0) {
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

static void wan_one(struct rte_mbuf *m)
{
	struct gw_txbuf tx = { .n = 0 };

	gw_wan_burst(lc, &m, 1, &tx, gw_now_ns(ctx));
	CHECK(tx.n == 0, "a handshake message came out on the LAN");
}

static void test_cookie_reply_index(void)
{
	uint8_t msg[WG_MSG_COOKIE_REPLY_LEN];
	uint64_t unknown0 = counter(GW_CTR_DROP_COOKIE_REPLY_UNKNOWN_INDEX);
	unsigned int n;

	memset(msg, 0xa5, sizeof(msg));
	msg[0] = WG_MSG_COOKIE_REPLY;
	msg[1] = msg[2] = msg[3] = 0;
	/* an index nobody handed out, and one of a session (not a
	 * handshake): dropped on the worker */
	wg_put_le32(msg + 4, 0x77777777u);
	wan_one(wan_udp(PEER_EP, NULL, 40000, msg, sizeof(msg)));
	wg_put_le32(msg + 4, kp->local_index);
	wan_one(wan_udp(PEER_EP, NULL, 40000, msg, sizeof(msg)));
	n = drain_handshakes();
	CHECK(n == 0, "%u cookie replies for no pending handshake reached "
		      "the control lcore", n);
	CHECK(counter(GW_CTR_DROP_COOKIE_REPLY_UNKNOWN_INDEX) == unknown0 + 2,
	      "drop_cookie_reply_unknown_index: %lu, want 2",
	      (unsigned long)(counter(GW_CTR_DROP_COOKIE_REPLY_UNKNOWN_INDEX) -
			      unknown0));
	/* one of our initiations waits for an answer: passed on */
	CHECK(gw_tables_index_add(ctx->tables, PENDING_INDEX,
				  (uintptr_t)peer | GW_INDEX_HANDSHAKE) == 0,
	      "index add");
	wg_put_le32(msg + 4, PENDING_INDEX);
	wan_one(wan_udp(PEER_EP, NULL, 40000, msg, sizeof(msg)));
	n = drain_handshakes();
	CHECK(n == 1, "cookie reply for a pending handshake: %u passed", n);
	gw_tables_index_del(ctx->tables, PENDING_INDEX);
}

static unsigned int drain_ring(enum gw_ctrl_kind k)
{
	struct rte_mbuf *m = NULL;
	unsigned int n = 0;

	while (rte_ring_dequeue(ctx->ctrl_ring[k], (void **)&m) == 0) {
		CHECK(GW_CTRL_KIND(m->hash.usr) == (uint32_t)k,
		      "ring %u holds a packet tagged %u", k,
		      GW_CTRL_KIND(m->hash.usr));
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

/* An echo request to our WAN address, or an ARP request for it. */
static struct rte_mbuf *local_frame(bool arp)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *b = (uint8_t *)rte_pktmbuf_append(m, 60);
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)b;

	if (!b)
		abort();
	memset(b, 0, 60);
	memset(eh->dst_addr.addr_bytes, 0xff, 6);
	memcpy(eh->src_addr.addr_bytes, router_mac, 6);
	if (arp) {
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);

		memcpy(eh->dst_addr.addr_bytes, wan_mac, 6);
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16(28);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_ICMP;
		ip->src_addr = rte_cpu_to_be_32(PEER_EP);
		ip->dst_addr = rte_cpu_to_be_32(WAN_ADDR);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		b[RTE_ETHER_HDR_LEN + 20] = 8; /* echo request */
	}
	return m;
}

static void test_rings_per_kind(void)
{
	uint64_t full0 = counter(GW_CTR_DROP_LOCAL_RING_FULL);
	unsigned int i, n_local, n_arp;

	for (i = 0; i < GW_LOCAL_RING + 100; i++)
		wan_one(local_frame(false));
	for (i = 0; i < 10; i++)
		wan_one(local_frame(true));
	n_local = drain_ring(GW_CTRL_LOCAL);
	n_arp = drain_ring(GW_CTRL_ARP_ND);
	CHECK(n_local == GW_LOCAL_RING, "local ring held %u, want %u",
	      n_local, GW_LOCAL_RING);
	CHECK(counter(GW_CTR_DROP_LOCAL_RING_FULL) - full0 == 100,
	      "drop_local_ring_full %lu, want 100",
	      (unsigned long)(counter(GW_CTR_DROP_LOCAL_RING_FULL) - full0));
	CHECK(n_arp == 10, "ARP behind a full local ring: %u of 10 passed",
	      n_arp);
	CHECK(drain_handshakes() == 0, "local traffic on the handshake ring");
}

/* n initiations with a valid mac1 from src4 (or src6); how many reached
 * the handshake ring. */
static unsigned int initiations(struct wg_cookie_maker *mk, unsigned int n,
				uint32_t src4, const uint8_t *src6)
{
	uint8_t msg[WG_MSG_INITIATION_LEN];
	unsigned int i;

	for (i = 0; i < n; i++) {
		wg_random(msg, sizeof(msg));
		msg[0] = WG_MSG_INITIATION;
		msg[1] = msg[2] = msg[3] = 0;
		wg_cookie_add_macs(mk, msg, sizeof(msg), gw_now_ns(ctx));
		wan_one(wan_udp(src4, src6, (uint16_t)(1024 + i), msg,
				sizeof(msg)));
	}
	return drain_handshakes();
}

static void test_source_limit(void)
{
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0e,
					[15] = 1 };
	uint8_t b6[16];
	uint8_t pub[WG_KEY_LEN];
	struct wg_cookie_maker mk;
	uint64_t lim0 = counter(GW_CTR_DROP_HANDSHAKE_SOURCE_LIMITED);
	unsigned int burst = gw_hs_limit_burst(ctx->n_workers), got;

	/* workers check mac1 with the key of our public key */
	wg_public_from_private(pub, our_private);
	wg_cookie_maker_init(&mk, pub);

	/* one address: its burst through (one more if the clock refilled
	 * a token meanwhile), the rest limited */
	got = initiations(&mk, 100, RTE_IPV4(198, 51, 100, 9), NULL);
	CHECK(got >= burst && got <= burst + 1,
	      "one source, 100 initiations: %u passed, want %u", got, burst);
	CHECK(counter(GW_CTR_DROP_HANDSHAKE_SOURCE_LIMITED) - lim0 == 100 - got,
	      "drop_handshake_source_limited: %lu, want %u",
	      (unsigned long)(counter(GW_CTR_DROP_HANDSHAKE_SOURCE_LIMITED) - lim0),
	      100 - got);
	/* another address is not held back by it */
	got = initiations(&mk, 5, RTE_IPV4(198, 51, 100, 10), NULL);
	CHECK(got == 5, "another source: %u of 5 passed", got);
	/* IPv6: one /64 is one source */
	got = initiations(&mk, 30, 0, a6);
	memcpy(b6, a6, 16);
	b6[15] = 2;
	got += initiations(&mk, 10, 0, b6);
	CHECK(got >= burst && got <= burst + 1,
	      "one /64 from two addresses: %u passed, want %u", got, burst);
	b6[7] = 1; /* another /64 */
	got = initiations(&mk, 5, 0, b6);
	CHECK(got == 5, "another /64: %u of 5 passed", got);
	wg_cookie_maker_wipe(&mk);
}

int main(int argc, char **argv)
{
	(void)argc;
	if (check_eal_init(argv[0], "test_gw_handover", false) != 0)
		return 1;
	if (setup() != 0) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	test_endpoint_once();
	test_keypair_used_ring_full();
	test_cookie_reply_index();
	test_rings_per_kind();
	test_source_limit();
	return check_verdict("test_gw_handover");
}
