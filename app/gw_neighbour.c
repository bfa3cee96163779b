/* SPDX-License-Identifier: MIT */
/*
 * ARP, IPv6 neighbour discovery and ICMP echo for our own addresses, all
 * on the control lcore (see gw_neighbour.h). The entries themselves, their
 * aging and their collection are gw_neigh_table.c's; this file decides
 * what may be learnt and builds the packets.
 */
#include "gw_neighbour.h"

#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>

#include "gw_ctrl_tx.h"
#include "gw_port.h"

enum {
	GW_ICMP_RL_ENTRIES = 1024,
	ICMP6_ECHO_REQUEST = 128,
	ICMP6_ECHO_REPLY = 129,
	ND_NEIGHBOR_SOLICIT = 135,
	ND_NEIGHBOR_ADVERT = 136,
	ND_OPT_SOURCE_LL = 1,
	ND_OPT_TARGET_LL = 2,
};

/* neighbour advertisement flags (RFC 4861 4.4) */
#define ND_NA_SOLICITED 0x40000000u
#define ND_NA_OVERRIDE 0x20000000u

struct icmp6_hdr {
	uint8_t type;
	uint8_t code;
	rte_be16_t cksum;
	rte_be32_t data;
} __rte_packed;

static void solicit(void *arg, const struct gw_neigh_entry *e, bool unicast);

int gw_neigh_create(struct gw_ctx *ctx)
{
	struct gw_neigh *n = rte_zmalloc("gw_neigh", sizeof(*n),
					 RTE_CACHE_LINE_SIZE);
	/* harnesses without a control lcore count on the current one */
	struct gw_lcore_stats *st = ctx->ctrl_lc.stats ?
		ctx->ctrl_lc.stats : &ctx->stats->lcore[rte_lcore_id()];

	if (!n)
		return -ENOMEM;
	if (gw_neigh_table_init(&n->tab, "gw_neigh", ctx->qsbr,
				GW_NEIGH_HELD_MAX, solicit, ctx, st) != 0) {
		rte_free(n);
		return -ENOMEM;
	}
	if (wg_ratelimit_init(&n->icmp_rl, GW_ICMP_RL_ENTRIES, NULL) < 0 ||
	    gw_echo_limit_init(&n->echo) < 0) {
		wg_ratelimit_free(&n->icmp_rl);
		gw_neigh_table_fini(&n->tab);
		rte_free(n);
		return -ENOMEM;
	}
	ctx->neigh = n;
	return 0;
}

void gw_neigh_free(struct gw_ctx *ctx)
{
	struct gw_neigh *n = ctx->neigh;

	if (!n)
		return;
	gw_neigh_table_fini(&n->tab);
	wg_ratelimit_free(&n->icmp_rl);
	gw_echo_limit_free(&n->echo);
	rte_free(n);
	ctx->neigh = NULL;
}

/* ------------------------------------------------------ solicitations */

/* A request goes to dst (a unicast probe) or, dst NULL, to everyone; a
 * reply to tha. */
static void send_arp(struct gw_ctx *ctx, enum gw_role role, uint16_t op,
		     const struct rte_ether_addr *tha,
		     const struct rte_ether_addr *dst, uint32_t tip,
		     uint32_t sip)
{
	struct gw_port *p = &ctx->port[role];
	struct rte_mbuf *m = gw_ctrl_tx_alloc(
		ctx, RTE_ETHER_HDR_LEN + sizeof(struct rte_arp_hdr));
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *a;

	if (!m)
		return;
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	a = (struct rte_arp_hdr *)(eh + 1);
	if (op == RTE_ARP_OP_REPLY)
		rte_ether_addr_copy(tha, &eh->dst_addr);
	else if (dst)
		rte_ether_addr_copy(dst, &eh->dst_addr);
	else
		memset(&eh->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&p->mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&p->mac, &a->arp_data.arp_sha);
	a->arp_data.arp_sip = sip;
	if (op == RTE_ARP_OP_REQUEST)
		memset(&a->arp_data.arp_tha, 0, RTE_ETHER_ADDR_LEN);
	else
		rte_ether_addr_copy(tha, &a->arp_data.arp_tha);
	a->arp_data.arp_tip = tip;
	gw_ctrl_tx(ctx, role, m);
}

/* ICMPv6 checksum over the pseudo-header (the IPv6 header must be
 * complete) and the message. */
static void icmp6_finish(struct rte_ipv6_hdr *ip, struct icmp6_hdr *ic)
{
	ic->cksum = 0;
	ic->cksum = rte_ipv6_udptcp_cksum(ip, ic);
}

/* To dst's MAC and the target itself (a probe of a stale entry) or, dst
 * NULL, to the target's solicited-node multicast group. */
static void send_ns(struct gw_ctx *ctx, enum gw_role role,
		    const uint8_t target[16], const struct rte_ether_addr *dst)
{
	struct gw_port *p = &ctx->port[role];
	uint16_t plen = sizeof(struct icmp6_hdr) + 16 + 8;
	struct rte_mbuf *m = gw_ctrl_tx_alloc(
		ctx, RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr) + plen);
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ip;
	struct icmp6_hdr *ic;
	uint8_t *opt;
	static const uint8_t snm[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
					 0,    0,    0, 1, 0xff };

	if (!m)
		return;
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip = (struct rte_ipv6_hdr *)(eh + 1);
	ic = (struct icmp6_hdr *)(ip + 1);
	if (dst) {
		memcpy(ip->dst_addr, target, 16);
		rte_ether_addr_copy(dst, &eh->dst_addr);
	} else {
		memcpy(ip->dst_addr, snm, 13);
		memcpy(ip->dst_addr + 13, target + 13, 3);
		eh->dst_addr.addr_bytes[0] = 0x33;
		eh->dst_addr.addr_bytes[1] = 0x33;
		memcpy(&eh->dst_addr.addr_bytes[2], ip->dst_addr + 12, 4);
	}
	rte_ether_addr_copy(&p->mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(plen);
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = 255;
	memcpy(ip->src_addr, gw_port_src6(p, target), 16);
	ic->type = ND_NEIGHBOR_SOLICIT;
	ic->code = 0;
	ic->data = 0;
	opt = (uint8_t *)(ic + 1);
	memcpy(opt, target, 16);
	opt[16] = ND_OPT_SOURCE_LL;
	opt[17] = 1;
	memcpy(opt + 18, p->mac.addr_bytes, 6);
	icmp6_finish(ip, ic);
	gw_ctrl_tx(ctx, role, m);
}

/* The table's gw_neigh_solicit_fn. */
static void solicit(void *arg, const struct gw_neigh_entry *e, bool unicast)
{
	struct gw_ctx *ctx = arg;
	struct gw_port *p = &ctx->port[e->key.role];
	struct rte_ether_addr mac, *dst = NULL;

	if (unicast) {
		uint64_t v = __atomic_load_n(&e->mac, __ATOMIC_RELAXED);

		memcpy(mac.addr_bytes, &v, RTE_ETHER_ADDR_LEN);
		dst = &mac;
	}
	if (e->key.family == WG_FAMILY_V4) {
		uint32_t tip;

		memcpy(&tip, e->key.ip, 4);
		send_arp(ctx, e->key.role, RTE_ARP_OP_REQUEST, NULL, dst, tip,
			 gw_port_src4(p, tip));
	} else {
		send_ns(ctx, e->key.role, e->key.ip, dst);
	}
}

/* The gateway's own echo replies are rate-limited (gw_echo_limit.h). */
static bool echo_allowed(struct gw_ctx *ctx, uint8_t family,
			 const uint8_t *src)
{
	if (gw_echo_limit_allow(&ctx->neigh->echo, family, src,
				gw_now_ns(ctx)))
		return true;
	gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_ICMP_ECHO_RATELIMITED, 1);
	return false;
}

/* ----------------------------------------------------------- input */

static void arp_input(struct gw_ctx *ctx, enum gw_role role,
		      struct rte_mbuf *m)
{
	struct gw_port *p = &ctx->port[role];
	struct rte_arp_hdr *a = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *,
							RTE_ETHER_HDR_LEN);
	uint32_t sip, tip;
	unsigned int flags;
	bool for_us, reply;

	if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*a) ||
	    a->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    a->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_MALFORMED, 1);
		rte_pktmbuf_free(m);
		return;
	}
	sip = a->arp_data.arp_sip;
	tip = a->arp_data.arp_tip;
	for_us = gw_port_has_addr4(p, tip);
	reply = a->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	/* learn from on-link senders (RFC 826; gw_neigh_heard checks): a new
	 * entry only when they talk to us; a reply to us confirms */
	flags = GW_NEIGH_OVERRIDE | (for_us && reply ? GW_NEIGH_CONFIRMED : 0);
	gw_neigh_heard(ctx, role, WG_FAMILY_V4, (uint8_t *)&sip,
		       &a->arp_data.arp_sha, for_us, flags);
	if (for_us && a->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST))
		send_arp(ctx, role, RTE_ARP_OP_REPLY, &a->arp_data.arp_sha,
			 NULL, sip, tip);
	rte_pktmbuf_free(m);
}

static void swap_eth(struct gw_port *p, struct rte_ether_hdr *eh)
{
	rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(&p->mac, &eh->src_addr);
}

static void ipv4_input(struct gw_ctx *ctx, enum gw_role role,
		       struct rte_mbuf *m)
{
	struct gw_port *p = &ctx->port[role];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	uint32_t ihl = (ip->version_ihl & 0xf) * 4u, tmp;
	uint16_t tot = rte_be_to_cpu_16(ip->total_length);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);

	if (ip->next_proto_id != IPPROTO_ICMP || ihl < 20 ||
	    tot < ihl + sizeof(*ic) ||
	    RTE_ETHER_HDR_LEN + tot > m->data_len ||
	    ic->icmp_type != RTE_IP_ICMP_ECHO_REQUEST ||
	    !gw_port_has_addr4(p, ip->dst_addr)) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_NOT_FOR_US, 1);
		rte_pktmbuf_free(m);
		return;
	}
	if (!echo_allowed(ctx, WG_FAMILY_V4, (const uint8_t *)&ip->src_addr)) {
		rte_pktmbuf_free(m);
		return;
	}
	rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - RTE_ETHER_HDR_LEN - tot));
	/* echo reply in place: swap addresses, fix checksums */
	swap_eth(p, eh);
	tmp = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tmp;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	ic->icmp_cksum = 0;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, tot - ihl);
	gw_ctrl_tx(ctx, role, m);
}

static void ipv6_input(struct gw_ctx *ctx, enum gw_role role,
		       struct rte_mbuf *m)
{
	struct gw_port *p = &ctx->port[role];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eh + 1);
	struct icmp6_hdr *ic = (struct icmp6_hdr *)(ip + 1);
	uint16_t pl = rte_be_to_cpu_16(ip->payload_len);
	uint8_t *body = (uint8_t *)(ic + 1);

	if (ip->proto != IPPROTO_ICMPV6 || pl < sizeof(*ic) ||
	    RTE_ETHER_HDR_LEN + sizeof(*ip) + pl > m->data_len)
		goto drop;
	rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - RTE_ETHER_HDR_LEN -
				       sizeof(*ip) - pl));

	if (ic->type == ND_NEIGHBOR_SOLICIT && pl >= sizeof(*ic) + 16 &&
	    ip->hop_limits == 255) {
		uint8_t target[16];
		bool from_dad = true;
		unsigned int i;

		memcpy(target, body, 16);
		for (i = 0; i < 16; i++)
			from_dad &= ip->src_addr[i] == 0;
		if (!gw_port_has_addr6(p, target))
			goto drop;
		/* told, not asked: a new entry is STALE (RFC 4861 7.2.3) */
		if (!from_dad && pl >= sizeof(*ic) + 24 &&
		    body[16] == ND_OPT_SOURCE_LL)
			gw_neigh_heard(ctx, role, WG_FAMILY_V6, ip->src_addr,
				       (struct rte_ether_addr *)(body + 18),
				       true, GW_NEIGH_OVERRIDE);
		/* advertise in place: solicited, override, target option */
		rte_pktmbuf_trim(m, (uint16_t)(pl - (sizeof(*ic) + 16)));
		if (!rte_pktmbuf_append(m, 8))
			goto drop;
		swap_eth(p, eh);
		if (from_dad) {
			static const uint8_t all_nodes[16] = { 0xff, 2, [15] = 1 };

			memcpy(ip->dst_addr, all_nodes, 16);
			eh->dst_addr = (struct rte_ether_addr){
				{ 0x33, 0x33, 0, 0, 0, 1 } };
		} else {
			memcpy(ip->dst_addr, ip->src_addr, 16);
		}
		memcpy(ip->src_addr, target, 16);
		ip->payload_len = rte_cpu_to_be_16(sizeof(*ic) + 24);
		ip->hop_limits = 255;
		ic->type = ND_NEIGHBOR_ADVERT;
		ic->code = 0;
		ic->data = rte_cpu_to_be_32(from_dad ? 0x20000000 : 0x60000000);
		body[16] = ND_OPT_TARGET_LL;
		body[17] = 1;
		memcpy(body + 18, p->mac.addr_bytes, 6);
		icmp6_finish(ip, ic);
		gw_ctrl_tx(ctx, role, m);
		return;
	}
	if (ic->type == ND_NEIGHBOR_ADVERT && pl >= sizeof(*ic) + 24 &&
	    ip->hop_limits == 255 && body[16] == ND_OPT_TARGET_LL) {
		uint32_t fl = rte_be_to_cpu_32(ic->data);
		unsigned int flags =
			(fl & ND_NA_SOLICITED ? GW_NEIGH_CONFIRMED : 0) |
			(fl & ND_NA_OVERRIDE ? GW_NEIGH_OVERRIDE : 0);

		gw_neigh_heard(ctx, role, WG_FAMILY_V6, body,
			       (struct rte_ether_addr *)(body + 18), false,
			       flags);
		goto drop_quiet;
	}
	if (ic->type == ICMP6_ECHO_REQUEST && gw_port_has_addr6(p, ip->dst_addr)) {
		uint8_t tmp[16];

		if (!echo_allowed(ctx, WG_FAMILY_V6, ip->src_addr))
			goto drop_quiet;

		swap_eth(p, eh);
		memcpy(tmp, ip->src_addr, 16);
		memcpy(ip->src_addr, ip->dst_addr, 16);
		memcpy(ip->dst_addr, tmp, 16);
		ip->hop_limits = 64;
		ic->type = ICMP6_ECHO_REPLY;
		icmp6_finish(ip, ic);
		gw_ctrl_tx(ctx, role, m);
		return;
	}
drop_quiet:
	rte_pktmbuf_free(m);
	return;
drop:
	gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_NOT_FOR_US, 1);
	rte_pktmbuf_free(m);
}

void gw_neigh_input(struct gw_ctx *ctx, enum gw_role role, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint16_t et = rte_be_to_cpu_16(eh->ether_type);

	if (et == RTE_ETHER_TYPE_ARP)
		arp_input(ctx, role, m);
	else if (et == RTE_ETHER_TYPE_IPV4 &&
		 m->data_len >= RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr))
		ipv4_input(ctx, role, m);
	else if (et == RTE_ETHER_TYPE_IPV6 &&
		 m->data_len >= RTE_ETHER_HDR_LEN +
					sizeof(struct rte_ipv6_hdr) +
					sizeof(struct icmp6_hdr))
		ipv6_input(ctx, role, m);
	else {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_UNKNOWN_PROTOCOL, 1);
		rte_pktmbuf_free(m);
	}
}
