/* SPDX-License-Identifier: MIT */
/*
 * ICMP errors on the control lcore (see gw_icmp.h): time exceeded, type
 * 11 code 0 (RFC 792) and ICMPv6 type 3 code 0 (RFC 4443 3.3);
 * fragmentation needed, type 3 code 4 (RFC 1191) and ICMPv6 packet too
 * big (RFC 4443 3.2). Each quotes as much of the packet as the minimum
 * MTU leaves room for.
 */
#include "gw_icmp.h"

#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>

#include "gw_ctrl_tx.h"
#include "gw_neighbour.h"
#include "gw_port.h"
#include "gw_tables.h"
#include "gw_worker.h"

enum {
	ICMP4_DEST_UNREACH = 3,
	ICMP4_FRAG_NEEDED = 4,
	ICMP6_PACKET_TOO_BIG = 2,
	ICMP4_TIME_EXCEEDED = 11,
	ICMP6_TIME_EXCEEDED = 3,
	ICMP_TTL_IN_TRANSIT = 0,
	ICMP4_QUOTE_MAX = 576 - 20 - 8,    /* RFC 1812 4.3.2.3 */
	ICMP6_QUOTE_MAX = 1280 - 40 - 8,   /* RFC 4443 2.4 (c) */
};

/* The IP packet's source may get an error at all (and has not had too
 * many lately); the rate limit is shared with "too big". */
static bool may_answer(struct gw_ctx *ctx, const uint8_t *l3, uint32_t len)
{
	bool v6 = (l3[0] >> 4) == 6;
	const uint8_t *src;

	if (v6) {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;

		if (!gw_icmp_error_allowed6(ip, len))
			return false;
		src = ip->src_addr;
	} else {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;

		if (!gw_icmp_error_allowed4(&ctx->port[GW_LAN], ip,
					    (ip->version_ihl & 0xf) * 4u, len))
			return false;
		src = (const uint8_t *)&ip->src_addr;
	}
	if (!wg_ratelimit_allow(&ctx->neigh->icmp_rl,
				v6 ? WG_FAMILY_V6 : WG_FAMILY_V4, src,
				gw_now_ns(ctx))) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_ICMP_ERROR_RATELIMITED,
			 1);
		return false;
	}
	return true;
}

/* The error about the IP packet l3 (len bytes) in a new mbuf, its IP
 * header head bytes in (room for Ethernet); NULL when there is no
 * mbuf or no LAN address to send it from (through the tunnel, only a
 * global one: the peer routes nothing link-local). */
static struct rte_mbuf *build(struct gw_ctx *ctx, const uint8_t *l3,
			      uint32_t len, uint16_t head)
{
	const struct gw_port *lan = &ctx->port[GW_LAN];
	bool v6 = (l3[0] >> 4) == 6;
	uint32_t hlen = v6 ? sizeof(struct rte_ipv6_hdr) :
			     sizeof(struct rte_ipv4_hdr);
	uint32_t quote = RTE_MIN(len, v6 ? (uint32_t)ICMP6_QUOTE_MAX :
					   (uint32_t)ICMP4_QUOTE_MAX);
	struct rte_icmp_hdr *ic;
	struct rte_mbuf *r;
	uint8_t *b;

	r = rte_pktmbuf_alloc(ctx->pool);
	b = r ? (uint8_t *)rte_pktmbuf_append(
			r, (uint16_t)(head + hlen + sizeof(*ic) + quote)) :
		NULL;
	if (!b) {
		rte_pktmbuf_free(r);
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_NO_MBUF, 1);
		return NULL;
	}
	ic = (struct rte_icmp_hdr *)(b + head + hlen);
	memset(ic, 0, sizeof(*ic));
	memcpy(ic + 1, l3, quote);
	if (v6) {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;
		struct rte_ipv6_hdr *rip = (struct rte_ipv6_hdr *)(b + head);
		const uint8_t *src = gw_port_src6(lan, ip->src_addr);

		if (!head && src[0] == 0xfe) {
			rte_pktmbuf_free(r);
			return NULL;
		}
		memset(rip, 0, sizeof(*rip));
		rip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		rip->payload_len = rte_cpu_to_be_16(
			(uint16_t)(sizeof(*ic) + quote));
		rip->proto = IPPROTO_ICMPV6;
		rip->hop_limits = 64;
		memcpy(rip->src_addr, src, 16);
		memcpy(rip->dst_addr, ip->src_addr, 16);
		ic->icmp_type = ICMP6_TIME_EXCEEDED;
		ic->icmp_code = ICMP_TTL_IN_TRANSIT;
		ic->icmp_cksum = rte_ipv6_udptcp_cksum(rip, ic);
	} else {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;
		struct rte_ipv4_hdr *rip = (struct rte_ipv4_hdr *)(b + head);

		memset(rip, 0, sizeof(*rip));
		rip->version_ihl = RTE_IPV4_VHL_DEF;
		rip->total_length = rte_cpu_to_be_16(
			(uint16_t)(hlen + sizeof(*ic) + quote));
		rip->time_to_live = 64;
		rip->next_proto_id = IPPROTO_ICMP;
		rip->src_addr = gw_port_src4(lan, ip->src_addr);
		rip->dst_addr = ip->src_addr;
		if (!rip->src_addr) {
			rte_pktmbuf_free(r);
			return NULL;
		}
		rip->hdr_checksum = rte_ipv4_cksum(rip);
		ic->icmp_type = ICMP4_TIME_EXCEEDED;
		ic->icmp_code = ICMP_TTL_IN_TRANSIT;
		ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic,
							  sizeof(*ic) + quote);
	}
	return r;
}

/* The IP packet's length from its header, if its fixed header fits in
 * avail bytes and it fits too; else 0. */
static uint32_t ip_len(const uint8_t *l3, uint32_t avail)
{
	uint32_t len;

	if (avail < sizeof(struct rte_ipv4_hdr))
		return 0;
	if ((l3[0] >> 4) == 6) {
		if (avail < sizeof(struct rte_ipv6_hdr))
			return 0;
		len = sizeof(struct rte_ipv6_hdr) +
		      rte_be_to_cpu_16(
			      ((const struct rte_ipv6_hdr *)l3)->payload_len);
	} else {
		len = rte_be_to_cpu_16(
			((const struct rte_ipv4_hdr *)l3)->total_length);
		if ((l3[0] & 0xf) < 5 || len < (l3[0] & 0xfu) * 4)
			return 0;
	}
	return len <= avail ? len : 0;
}

/* Back to the LAN host the frame came from, on the LAN port. */
static void answer_lan(struct gw_ctx *ctx, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const uint8_t *l3 = (const uint8_t *)(eh + 1);
	struct rte_ether_hdr *reh;
	struct rte_mbuf *r;
	uint32_t len;

	if (m->data_len < RTE_ETHER_HDR_LEN)
		return;
	len = ip_len(l3, m->data_len - RTE_ETHER_HDR_LEN);
	if (!len || !may_answer(ctx, l3, len))
		return;
	r = build(ctx, l3, len, RTE_ETHER_HDR_LEN);
	if (!r)
		return;
	reh = rte_pktmbuf_mtod(r, struct rte_ether_hdr *);
	rte_ether_addr_copy(&eh->src_addr, &reh->dst_addr);
	rte_ether_addr_copy(&ctx->port[GW_LAN].mac, &reh->src_addr);
	reh->ether_type = rte_cpu_to_be_16((l3[0] >> 4) == 6 ?
						   RTE_ETHER_TYPE_IPV6 :
						   RTE_ETHER_TYPE_IPV4);
	gw_count(ctx->ctrl_lc.stats, GW_CTR_ICMP_ERRORS_SENT, 1);
	gw_ctrl_tx(ctx, GW_LAN, r);
}

/* Back through the tunnel of the peer that sent the packet: the answer's
 * destination (the packet's source) must still be in that peer's
 * AllowedIPs, as for anything the gateway encrypts. */
static void answer_peer(struct gw_ctx *ctx, uint32_t peer_id,
			struct rte_mbuf *m)
{
	struct gw_peer *peer = gw_tables_peer(ctx->tables, peer_id);
	const uint8_t *l3 = rte_pktmbuf_mtod(m, const uint8_t *);
	struct gw_peer *owner;
	struct rte_mbuf *r;
	uint32_t len = ip_len(l3, m->data_len);

	if (!peer || !len)
		return;
	owner = (l3[0] >> 4) == 6 ?
			gw_route6(ctx->tables,
				  ((const struct rte_ipv6_hdr *)l3)->src_addr) :
			gw_route4(ctx->tables,
				  ((const struct rte_ipv4_hdr *)l3)->src_addr);
	if (owner != peer || !may_answer(ctx, l3, len))
		return;
	r = build(ctx, l3, len, 0);
	if (!r)
		return;
	gw_count(ctx->ctrl_lc.stats, GW_CTR_ICMP_ERRORS_SENT, 1);
	gw_encap_send(&ctx->ctrl_lc, peer, &r, 1);
}

void gw_icmp_time_exceeded(struct gw_ctx *ctx, uint32_t from,
			   struct rte_mbuf *m)
{
	gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_TTL_EXCEEDED, 1);
	if (rte_pktmbuf_is_contiguous(m)) {
		if (from == GW_CTRL_FROM_LAN)
			answer_lan(ctx, m);
		else
			answer_peer(ctx, from, m);
	}
	rte_pktmbuf_free(m);
}

/* ------------------------------------------ who may get an ICMP error */

bool gw_icmp_error_allowed4(const struct gw_port *p,
			    const struct rte_ipv4_hdr *ip, uint32_t ihl,
			    uint32_t len)
{
	uint32_t src = rte_be_to_cpu_32(ip->src_addr);
	unsigned int i;

	if ((src >> 28) == 0xe || src == 0xffffffff || src == 0 ||
	    (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)))
		return false;
	for (i = 0; i < p->n_addr4; i++) {
		uint32_t mask = p->plen4[i] ? ~0u << (32 - p->plen4[i]) : 0;

		/* the subnet's broadcast address */
		if (p->plen4[i] < 31 &&
		    (src & ~mask) == (~mask) &&
		    (src & mask) == (rte_be_to_cpu_32(p->addr4[i]) & mask))
			return false;
	}
	if (ip->next_proto_id == IPPROTO_ICMP) {
		const uint8_t *ic = (const uint8_t *)ip + ihl;

		/* only echo request/reply and the like get errors */
		if (len < ihl + 1 || (ic[0] != RTE_IP_ICMP_ECHO_REQUEST &&
				      ic[0] != RTE_IP_ICMP_ECHO_REPLY &&
				      ic[0] != 13 && ic[0] != 14))
			return false;
	}
	return true;
}

bool gw_icmp_error_allowed6(const struct rte_ipv6_hdr *ip, uint32_t len)
{
	static const uint8_t zero[16];

	if (ip->src_addr[0] == 0xff || memcmp(ip->src_addr, zero, 16) == 0)
		return false;
	/* ICMPv6 errors (types below 128) get no error */
	if (ip->proto == IPPROTO_ICMPV6 &&
	    (len < sizeof(*ip) + 1 || ((const uint8_t *)(ip + 1))[0] < 128))
		return false;
	return true;
}

/* ------------------------------------------- fragmentation needed */

static void too_big4(struct gw_ctx *ctx, enum gw_role role,
		     struct rte_mbuf *m)
{
	struct gw_port *p = &ctx->port[role];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	uint32_t ihl = (ip->version_ihl & 0xf) * 4u;
	uint32_t len = m->data_len - RTE_ETHER_HDR_LEN, quote;
	struct rte_ether_hdr *reh;
	struct rte_ipv4_hdr *rip;
	struct rte_icmp_hdr *ric;
	struct rte_mbuf *r;

	if (ihl < 20 || len < ihl || !gw_icmp_error_allowed4(p, ip, ihl, len))
		return;
	/* without DF the sender expects us to fragment, which we do not */
	if (!(ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)))
		return;
	if (!wg_ratelimit_allow(&ctx->neigh->icmp_rl, WG_FAMILY_V4,
				(const uint8_t *)&ip->src_addr, gw_now_ns(ctx))) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_ICMP_ERROR_RATELIMITED,
			 1);
		return;
	}
	/* as much of the packet as fits in 576 bytes (RFC 1812) */
	quote = RTE_MIN(len, 576u - 20 - 8);
	r = gw_ctrl_tx_alloc(ctx,
			     (uint16_t)(RTE_ETHER_HDR_LEN + 20 + 8 + quote));
	if (!r)
		return;
	reh = rte_pktmbuf_mtod(r, struct rte_ether_hdr *);
	rip = (struct rte_ipv4_hdr *)(reh + 1);
	ric = (struct rte_icmp_hdr *)(rip + 1);
	rte_ether_addr_copy(&eh->src_addr, &reh->dst_addr);
	rte_ether_addr_copy(&p->mac, &reh->src_addr);
	reh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(rip, 0, sizeof(*rip));
	rip->version_ihl = 0x45;
	rip->total_length = rte_cpu_to_be_16((uint16_t)(20 + 8 + quote));
	rip->time_to_live = 64;
	rip->next_proto_id = IPPROTO_ICMP;
	rip->src_addr = gw_port_src4(p, ip->src_addr);
	rip->dst_addr = ip->src_addr;
	rip->hdr_checksum = rte_ipv4_cksum(rip);
	ric->icmp_type = ICMP4_DEST_UNREACH;
	ric->icmp_code = ICMP4_FRAG_NEEDED;
	ric->icmp_cksum = 0;
	/* unused (16 bits), then the next-hop MTU (RFC 1191) */
	ric->icmp_ident = 0;
	ric->icmp_seq_nb = rte_cpu_to_be_16(ctx->mtu);
	memcpy(ric + 1, ip, quote);
	ric->icmp_cksum = (uint16_t)~rte_raw_cksum(ric, 8 + quote);
	gw_count(ctx->ctrl_lc.stats, GW_CTR_ICMP_ERRORS_SENT, 1);
	gw_ctrl_tx(ctx, role, r);
}

static void too_big6(struct gw_ctx *ctx, enum gw_role role,
		     struct rte_mbuf *m)
{
	struct gw_port *p = &ctx->port[role];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eh + 1);
	uint32_t len = m->data_len - RTE_ETHER_HDR_LEN, quote;
	struct rte_ether_hdr *reh;
	struct rte_ipv6_hdr *rip;
	struct rte_icmp_hdr *ric;
	struct rte_mbuf *r;

	if (len < sizeof(*ip) || !gw_icmp_error_allowed6(ip, len))
		return;
	if (!wg_ratelimit_allow(&ctx->neigh->icmp_rl, WG_FAMILY_V6,
				ip->src_addr, gw_now_ns(ctx))) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_ICMP_ERROR_RATELIMITED,
			 1);
		return;
	}
	/* as much as fits in the minimum IPv6 MTU (RFC 4443) */
	quote = RTE_MIN(len, 1280u - 40 - 8);
	r = gw_ctrl_tx_alloc(ctx,
			     (uint16_t)(RTE_ETHER_HDR_LEN + 40 + 8 + quote));
	if (!r)
		return;
	reh = rte_pktmbuf_mtod(r, struct rte_ether_hdr *);
	rip = (struct rte_ipv6_hdr *)(reh + 1);
	ric = (struct rte_icmp_hdr *)(rip + 1);
	rte_ether_addr_copy(&eh->src_addr, &reh->dst_addr);
	rte_ether_addr_copy(&p->mac, &reh->src_addr);
	reh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	rip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	rip->payload_len = rte_cpu_to_be_16((uint16_t)(8 + quote));
	rip->proto = IPPROTO_ICMPV6;
	rip->hop_limits = 64;
	memcpy(rip->src_addr, gw_port_src6(p, ip->src_addr), 16);
	memcpy(rip->dst_addr, ip->src_addr, 16);
	ric->icmp_type = ICMP6_PACKET_TOO_BIG;
	ric->icmp_code = 0;
	/* the MTU (32 bits; it is below 65536) */
	ric->icmp_ident = 0;
	ric->icmp_seq_nb = rte_cpu_to_be_16(ctx->mtu);
	memcpy(ric + 1, ip, quote);
	ric->icmp_cksum = 0;
	ric->icmp_cksum = rte_ipv6_udptcp_cksum(rip, ric);
	gw_count(ctx->ctrl_lc.stats, GW_CTR_ICMP_ERRORS_SENT, 1);
	gw_ctrl_tx(ctx, role, r);
}

void gw_icmp_too_big(struct gw_ctx *ctx, enum gw_role role,
		     struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint16_t et = rte_be_to_cpu_16(eh->ether_type);

	gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_TOO_BIG, 1);
	if (et == RTE_ETHER_TYPE_IPV4 &&
	    m->data_len >= RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr))
		too_big4(ctx, role, m);
	else if (et == RTE_ETHER_TYPE_IPV6 &&
		 m->data_len >= RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr))
		too_big6(ctx, role, m);
	rte_pktmbuf_free(m);
}
