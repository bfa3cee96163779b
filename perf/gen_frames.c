/* SPDX-License-Identifier: MIT */
/*
 * gen_memif's frame layouts: the Ethernet/IPv4/UDP headers of what it
 * sends, the inner packets it sends through the tunnel, and the WireGuard
 * payload of what the gateway sends to its WAN side.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "gen_memif.h"

/* Ethernet + IPv4 + UDP headers in front of l4_len bytes of UDP payload. */
void put_headers(uint8_t *f, const struct rte_ether_addr *dst,
		 const struct rte_ether_addr *src, rte_be32_t sip,
		 rte_be32_t dip, uint16_t sport, uint16_t dport,
		 uint16_t l4_len, uint16_t ip_id)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(src, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + 8 + l4_len));
	ip->packet_id = rte_cpu_to_be_16(ip_id);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = sip;
	ip->dst_addr = dip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + l4_len));
	udp->dgram_cksum = 0; /* none: allowed for IPv4 */
}

/* An inner IPv4/UDP packet of ip_len bytes (>= 28). */
void put_inner(uint8_t *p, uint32_t ip_len, rte_be32_t sip, rte_be32_t dip,
	       uint16_t id)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	memset(p, 0, ip_len);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)ip_len);
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = sip;
	ip->dst_addr = dip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = RTE_BE16(9);
	udp->dst_port = RTE_BE16(9); /* discard */
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - 20));
}

/* The UDP payload of a frame from the gateway's WAN address to our WAN
 * port, or NULL. */
const uint8_t *wg_payload(struct rte_mbuf *m, uint16_t *len)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eh + 1);
	const struct rte_udp_hdr *udp;
	uint16_t ihl;

	if (m->data_len < FRAME_HDR ||
	    eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    ip->next_proto_id != IPPROTO_UDP || ip->src_addr != wan_gw)
		return NULL;
	ihl = (uint16_t)((ip->version_ihl & 0xf) * 4);
	udp = (const struct rte_udp_hdr *)((const uint8_t *)ip + ihl);
	if (RTE_ETHER_HDR_LEN + ihl + 8u > m->data_len ||
	    udp->dst_port != RTE_BE16(WG_PORT))
		return NULL;
	*len = (uint16_t)(rte_be_to_cpu_16(udp->dgram_len) - 8);
	if ((const uint8_t *)(udp + 1) + *len >
	    rte_pktmbuf_mtod(m, const uint8_t *) + m->data_len)
		return NULL;
	return (const uint8_t *)(udp + 1);
}
