/* SPDX-License-Identifier: MIT */
/*
 * The neighbour code through the gateway's own entry points (EAL
 * --no-huge, two net_ring ports whose TX loops back to RX, so that the
 * test reads what the gateway sent):
 *
 *  - learning only from on-link addresses of the port (ARP, NS, NA and
 *    gw_neigh_learn), never from elsewhere or about our own addresses;
 *  - a table filled with unresolved entries (a peer probing unused
 *    addresses of the LAN's /64) gives them up after its retries, frees
 *    what they held, and then admits and resolves a new host; the port's
 *    gateway survives all of it;
 *  - the global bound on held frames;
 *  - ICMP echo replies: per-source and global caps, counted.
 *
 * Only the API that gw_neighbour.h has had since before the table aged,
 * so that this test builds (and fails) on the old gateway too; the
 * table's own states and timers are test_gw_neigh_table.c's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "gw_neighbour.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))
#define SECOND UINT64_C(1000000000)

enum { POOL = 8192, TABLE = 1024, RETRIES = 5, HELD_MAX = 512 };

static const uint8_t lan_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t wan_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t host_mac[6] = { 0x02, 0, 0, 0, 0, 0x03 };
/* 2001:db8:a::/64 on the LAN */
static const uint8_t lan6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a, [15] = 1 };

static struct gw_ctx *ctx;
static struct rte_mempool *pool;
static uint16_t ring_port[GW_NB_ROLES];

/* What the gateway sent on a port, by kind. */
struct sent {
	unsigned int arp_req, arp_reply, ns, na, echo4, echo6, other;
};

static uint64_t counter(const char *name)
{
	unsigned int c;

	for (c = 0; c < GW_CTR_MAX; c++)
		if (strcmp(gw_counter_name((enum gw_counter)c), name) == 0)
			return gw_stats_sum(ctx->stats, (enum gw_counter)c);
	return 0;
}

static void drain(enum gw_role role, struct sent *s)
{
	struct rte_mbuf *b[32];
	uint16_t n, i;

	memset(s, 0, sizeof(*s));
	while ((n = rte_eth_rx_burst(ring_port[role], 0, b, 32)) > 0) {
		for (i = 0; i < n; i++) {
			struct rte_ether_hdr *eh =
				rte_pktmbuf_mtod(b[i], struct rte_ether_hdr *);
			uint16_t et = rte_be_to_cpu_16(eh->ether_type);
			uint8_t *l3 = (uint8_t *)(eh + 1);

			if (et == RTE_ETHER_TYPE_ARP) {
				struct rte_arp_hdr *a = (void *)l3;

				if (a->arp_opcode ==
				    rte_cpu_to_be_16(RTE_ARP_OP_REQUEST))
					s->arp_req++;
				else
					s->arp_reply++;
			} else if (et == RTE_ETHER_TYPE_IPV6 && l3[6] == 58) {
				uint8_t type = l3[40];

				if (type == 135)
					s->ns++;
				else if (type == 136)
					s->na++;
				else if (type == 129)
					s->echo6++;
				else
					s->other++;
			} else if (et == RTE_ETHER_TYPE_IPV4 && l3[9] == 1 &&
				   l3[20] == RTE_IP_ICMP_ECHO_REPLY) {
				s->echo4++;
			} else {
				s->other++;
			}
		}
		rte_pktmbuf_free_bulk(b, n);
	}
}

static void drain_all(void)
{
	struct sent s;

	drain(GW_LAN, &s);
	drain(GW_WAN, &s);
}

static int setup(void **state)
{
	unsigned int i;

	(void)state;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -1;
	ctx->tsc_hz = rte_get_tsc_hz();
	ctx->mtu = 1420;
	ctx->pool = pool;
	ctx->stats = gw_stats_create();
	ctx->qsbr = rte_zmalloc("t_qsbr", rte_rcu_qsbr_get_memsize(1),
				RTE_CACHE_LINE_SIZE);
	if (!ctx->stats || !ctx->qsbr || rte_rcu_qsbr_init(ctx->qsbr, 1))
		return -1;
	ctx->ctrl_lc.stats = &ctx->stats->lcore[rte_lcore_id()];
	for (i = 0; i < GW_NB_ROLES; i++) {
		struct gw_port *p = &ctx->port[i];

		p->port_id = ring_port[i];
		p->role = (enum gw_role)i;
		p->ctrl_txq = 0;
		p->frame_mtu = 1500;
		memcpy(p->mac.addr_bytes, i == GW_LAN ? lan_mac : wan_mac, 6);
		p->addr4[0] = rte_cpu_to_be_32(i == GW_LAN ? IP4(192, 0, 2, 1) :
							    IP4(198, 51, 100, 1));
		p->plen4[0] = 24;
		p->n_addr4 = 1;
		p->ll6[0] = 0xfe;
		p->ll6[1] = 0x80;
		p->ll6[15] = (uint8_t)(i + 1);
	}
	memcpy(ctx->port[GW_LAN].addr6[0], lan6, 16);
	ctx->port[GW_LAN].plen6[0] = 64;
	ctx->port[GW_LAN].n_addr6 = 1;
	/* the LAN's router, 192.0.2.254 */
	ctx->port[GW_LAN].has_gateway = true;
	ctx->port[GW_LAN].gateway.family = WG_FAMILY_V4;
	{
		uint32_t be = rte_cpu_to_be_32(IP4(192, 0, 2, 254));

		memcpy(ctx->port[GW_LAN].gateway.addr, &be, 4);
	}
	if (gw_neigh_create(ctx) != 0)
		return -1;
	drain_all();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gw_neigh_free(ctx);
	drain_all();
	/* every mbuf is back: nothing held, nothing leaked */
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
	gw_stats_free(ctx->stats);
	rte_free(ctx->qsbr);
	free(ctx);
	return 0;
}

static void v6_at(uint8_t ip[16], const uint8_t net[16], uint32_t host)
{
	memcpy(ip, net, 8);
	memset(ip + 8, 0, 4);
	ip[12] = (uint8_t)(host >> 24);
	ip[13] = (uint8_t)(host >> 16);
	ip[14] = (uint8_t)(host >> 8);
	ip[15] = (uint8_t)host;
}

static bool known4(uint32_t ip)
{
	struct rte_ether_addr mac;
	uint32_t be = rte_cpu_to_be_32(ip);

	return gw_neigh_lookup(ctx->neigh, GW_LAN, WG_FAMILY_V4,
			       (const uint8_t *)&be, &mac);
}

static bool known6(const uint8_t ip[16])
{
	struct rte_ether_addr mac;

	return gw_neigh_lookup(ctx->neigh, GW_LAN, WG_FAMILY_V6, ip, &mac);
}

static struct rte_mbuf *frame(uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, len));
	memset(rte_pktmbuf_mtod(m, void *), 0, len);
	return m;
}

static struct rte_mbuf *arp_from(uint32_t sip, uint32_t tip, uint16_t op)
{
	struct rte_mbuf *m = frame(RTE_ETHER_HDR_LEN + sizeof(struct rte_arp_hdr));
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eh + 1);

	memcpy(eh->src_addr.addr_bytes, host_mac, 6);
	memset(eh->dst_addr.addr_bytes, 0xff, 6);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(op);
	memcpy(a->arp_data.arp_sha.addr_bytes, host_mac, 6);
	a->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	a->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	return m;
}

/* An ICMPv6 NS (type 135, source link-layer option) or NA (136, solicited
 * and override, target link-layer option) with hop limit 255. */
static struct rte_mbuf *nd_from(uint8_t type, const uint8_t src[16],
				const uint8_t dst[16], const uint8_t target[16])
{
	uint16_t pl = 8 + 16 + 8;
	struct rte_mbuf *m = frame(RTE_ETHER_HDR_LEN + 40 + pl);
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eh + 1);
	uint8_t *ic = (uint8_t *)(ip + 1);

	memcpy(eh->src_addr.addr_bytes, host_mac, 6);
	memcpy(eh->dst_addr.addr_bytes, lan_mac, 6);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(pl);
	ip->proto = 58;
	ip->hop_limits = 255;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dst, 16);
	ic[0] = type;
	if (type == 136)
		ic[4] = 0x60;
	memcpy(ic + 8, target, 16);
	ic[24] = type == 135 ? 1 : 2;
	ic[25] = 1;
	memcpy(ic + 26, host_mac, 6);
	return m;
}

static void test_learn_on_link_only(void **state)
{
	struct rte_ether_addr mac;
	uint8_t a6[16], off6[16], ll6[16] = { 0xfe, 0x80, [15] = 9 };
	uint8_t net_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0b };
	uint32_t be;
	struct sent s;

	(void)state;
	memcpy(mac.addr_bytes, host_mac, 6);
	/* gw_neigh_learn: on the subnet, the gateway, link-local: yes */
	be = rte_cpu_to_be_32(IP4(192, 0, 2, 7));
	assert_true(gw_neigh_learn(ctx, GW_LAN, WG_FAMILY_V4,
				   (const uint8_t *)&be, &mac));
	be = rte_cpu_to_be_32(IP4(192, 0, 2, 254));
	assert_true(gw_neigh_learn(ctx, GW_LAN, WG_FAMILY_V4,
				   (const uint8_t *)&be, &mac));
	assert_true(gw_neigh_learn(ctx, GW_LAN, WG_FAMILY_V6, ll6, &mac));
	/* off the port's subnets, or our own address: no */
	be = rte_cpu_to_be_32(IP4(203, 0, 113, 7));
	assert_false(gw_neigh_learn(ctx, GW_LAN, WG_FAMILY_V4,
				    (const uint8_t *)&be, &mac));
	be = rte_cpu_to_be_32(IP4(198, 51, 100, 7)); /* the WAN's subnet */
	assert_false(gw_neigh_learn(ctx, GW_LAN, WG_FAMILY_V4,
				    (const uint8_t *)&be, &mac));
	be = rte_cpu_to_be_32(IP4(192, 0, 2, 1));
	assert_false(gw_neigh_learn(ctx, GW_LAN, WG_FAMILY_V4,
				    (const uint8_t *)&be, &mac));
	v6_at(off6, net_b, 7);
	assert_false(gw_neigh_learn(ctx, GW_LAN, WG_FAMILY_V6, off6, &mac));
	assert_false(known6(off6));

	/* ARP requests for us: answered, but learnt only from on-link */
	gw_neigh_input(ctx, GW_LAN, arp_from(IP4(203, 0, 113, 9),
					     IP4(192, 0, 2, 1),
					     RTE_ARP_OP_REQUEST));
	gw_neigh_input(ctx, GW_LAN, arp_from(IP4(192, 0, 2, 9),
					     IP4(192, 0, 2, 1),
					     RTE_ARP_OP_REQUEST));
	drain(GW_LAN, &s);
	assert_int_equal(s.arp_reply, 2);
	assert_false(known4(IP4(203, 0, 113, 9)));
	assert_true(known4(IP4(192, 0, 2, 9)));

	/* NS for our address from an off-link source with its link-layer
	 * option: answered, not learnt; from an on-link one: learnt */
	gw_neigh_input(ctx, GW_LAN, nd_from(135, off6, lan6, lan6));
	v6_at(a6, lan6, 9);
	gw_neigh_input(ctx, GW_LAN, nd_from(135, a6, lan6, lan6));
	drain(GW_LAN, &s);
	assert_int_equal(s.na, 2);
	assert_false(known6(off6));
	assert_true(known6(a6));

	/* an advertisement about an off-link target we asked for: the
	 * entry exists (gw_neigh_want may be asked anything), the
	 * advertisement does not resolve it */
	gw_neigh_want(ctx, GW_LAN, WG_FAMILY_V6, off6);
	gw_neigh_input(ctx, GW_LAN, nd_from(136, off6, lan6, off6));
	assert_false(known6(off6));
	drain_all();
}

/* A peer sends one packet to each of many unused addresses of the LAN's
 * /64: the table fills with unresolved entries holding a frame each. */
static unsigned int hold_v6(uint32_t first, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = frame(RTE_ETHER_HDR_LEN + 40 + 8);
		struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eh + 1);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16(8);
		ip->proto = 17;
		ip->hop_limits = 64;
		v6_at(ip->dst_addr, lan6, first + i);
		gw_neigh_hold(ctx, GW_LAN, m);
		/* the solicitations would fill the ring */
		if (i % 256 == 255)
			drain_all();
	}
	drain_all();
	return gw_neigh_held(ctx);
}

static void test_fill_then_new_host(void **state)
{
	struct rte_ether_addr mac;
	uint8_t fresh[16];
	uint32_t gw_be = rte_cpu_to_be_32(IP4(192, 0, 2, 254));
	uint64_t now = gw_now_ns(ctx), unresolved0;
	unsigned int held, i;

	(void)state;
	memcpy(mac.addr_bytes, host_mac, 6);
	assert_true(gw_neigh_learn(ctx, GW_LAN, WG_FAMILY_V4,
				   (const uint8_t *)&gw_be, &mac));
	unresolved0 = counter("drop_neighbour_unresolved");
	held = hold_v6(0x1000, 2000);
	/* the gateway, the LAN's next hop for everything off-link, stays */
	assert_true(known4(IP4(192, 0, 2, 254)));
	assert_true(held > 0);
	/* nobody answers: RETRIES solicitations a second, then given up */
	for (i = 0; i <= 4 * (RETRIES + 3); i++) {
		gw_neigh_tick(ctx, now + i * SECOND / 4);
		drain_all();
	}
	assert_int_equal(gw_neigh_held(ctx), 0);
	assert_true(counter("drop_neighbour_unresolved") - unresolved0 >=
		    held);
	/* a host that appears now gets an entry, is asked, and answers */
	v6_at(fresh, lan6, 0x9999);
	gw_neigh_want(ctx, GW_LAN, WG_FAMILY_V6, fresh);
	gw_neigh_input(ctx, GW_LAN, nd_from(136, fresh, lan6, fresh));
	assert_true(known6(fresh));
	assert_true(known4(IP4(192, 0, 2, 254)));
	drain_all();
}

static void test_hold_bound(void **state)
{
	unsigned int held;

	(void)state;
	held = hold_v6(0x2000, HELD_MAX + 300);
	assert_int_equal(held, HELD_MAX);
	assert_int_equal(counter("drop_neighbour_hold_full"), 300);
	assert_int_equal(rte_mempool_in_use_count(pool), HELD_MAX);
}

static struct rte_mbuf *echo4_from(uint32_t src)
{
	struct rte_mbuf *m = frame(RTE_ETHER_HDR_LEN + 20 + 8 + 32);
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(ip + 1);

	memcpy(eh->src_addr.addr_bytes, host_mac, 6);
	memcpy(eh->dst_addr.addr_bytes, lan_mac, 6);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(20 + 8 + 32);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(IP4(192, 0, 2, 1));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	return m;
}

/* The i-th of 750 addresses in 192.0.2.0/24, 198.51.100.0/24 and
 * 203.0.113.0/24 (hosts .1 to .250). */
static uint32_t doc_addr(unsigned int i)
{
	static const uint32_t nets[3] = { IP4(192, 0, 2, 0),
					  IP4(198, 51, 100, 0),
					  IP4(203, 0, 113, 0) };

	return nets[i / 250] + i % 250 + 1;
}

static void test_echo_flood(void **state)
{
	struct sent s;
	unsigned int i, replies;

	(void)state;
	/* one source, 200 requests back to back: a burst, then 20/s */
	for (i = 0; i < 200; i++)
		gw_neigh_input(ctx, GW_LAN, echo4_from(IP4(192, 0, 2, 2)));
	drain(GW_LAN, &s);
	print_message("one source: %u of 200 answered\n", s.echo4);
	assert_true(s.echo4 >= 1 && s.echo4 <= 10);
	assert_int_equal(counter("drop_icmp_echo_ratelimited"),
			 200 - s.echo4);
	/* 750 sources, one request each (spoofed, from the three
	 * documentation /24s): the global cap */
	for (i = 0; i < 750; i++)
		gw_neigh_input(ctx, GW_LAN, echo4_from(doc_addr(i)));
	drain(GW_LAN, &s);
	replies = s.echo4;
	print_message("750 sources: %u answered\n", replies);
	assert_true(replies >= 1 && replies <= 100);
	assert_true(counter("drop_icmp_echo_ratelimited") >= 750 - replies);
}

int main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], "-l", "0", "--no-huge", "-m", "512",
			"--no-pci", "--no-shconf", "--file-prefix", prefix,
			"--vdev=net_ring0", "--vdev=net_ring1",
			"--log-level", "*:error" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_learn_on_link_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fill_then_new_host, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hold_bound, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_echo_flood, setup,
						teardown),
	};
	struct rte_eth_conf conf;
	unsigned int i;
	int ret;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "test_gw_neigh_%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	/* no per-lcore cache: the in-use count is exact */
	pool = rte_pktmbuf_pool_create("t_pool", POOL, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	memset(&conf, 0, sizeof(conf));
	for (i = 0; i < GW_NB_ROLES; i++) {
		char name[16];

		snprintf(name, sizeof(name), "net_ring%u", i);
		/* the ring PMD's queues exist from the start */
		if (!pool || rte_eth_dev_get_port_by_name(name, &ring_port[i]) ||
		    rte_eth_dev_configure(ring_port[i], 1, 1, &conf) ||
		    rte_eth_dev_start(ring_port[i])) {
			fprintf(stderr, "net_ring ports failed\n");
			return 1;
		}
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
