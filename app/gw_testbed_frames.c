/* SPDX-License-Identifier: MIT */
/*
 * Frames a LAN host and a WireGuard peer send, for testbeds (see
 * gw_testbed_frames.h).
 */
#include "gw_testbed_frames.h"

#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "wg_addr.h"
#include "wg_transport.h"

void gw_tb_put_eth(uint8_t *b, const uint8_t dst[6], const uint8_t src[6],
		   uint16_t ethertype)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)b;

	memcpy(eh->dst_addr.addr_bytes, dst, RTE_ETHER_ADDR_LEN);
	memcpy(eh->src_addr.addr_bytes, src, RTE_ETHER_ADDR_LEN);
	eh->ether_type = rte_cpu_to_be_16(ethertype);
}

void gw_tb_put_ipv4_udp(uint8_t *b, uint32_t src, uint32_t dst, uint16_t len,
			uint16_t id)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	unsigned int i;

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(1000);
	udp->dst_port = rte_cpu_to_be_16(2000);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(*ip)));
	udp->dgram_cksum = 0;
	for (i = sizeof(*ip) + sizeof(*udp); i < len; i++)
		b[i] = (uint8_t)(id + i);
}

void gw_tb_put_ipv6(uint8_t *b, const uint8_t src[16], const uint8_t dst[16],
		    uint8_t proto, uint8_t hops, uint16_t payload)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)b;

	memset(b, 0, sizeof(*ip) + payload);
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(payload);
	ip->proto = proto;
	ip->hop_limits = hops;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dst, 16);
}

void gw_tb_outer4(struct gw_tb_outer *o, const uint8_t src_mac[6],
		  const uint8_t dst_mac[6], uint32_t src, uint16_t sport,
		  uint32_t dst, uint16_t dport)
{
	uint32_t be;

	memset(o, 0, sizeof(*o));
	memcpy(o->src_mac, src_mac, 6);
	memcpy(o->dst_mac, dst_mac, 6);
	o->family = WG_FAMILY_V4;
	be = rte_cpu_to_be_32(src);
	memcpy(o->src, &be, 4);
	be = rte_cpu_to_be_32(dst);
	memcpy(o->dst, &be, 4);
	o->sport = sport;
	o->dport = dport;
}

static size_t l3_len(const struct gw_tb_outer *o)
{
	return o->family == WG_FAMILY_V6 ? sizeof(struct rte_ipv6_hdr) :
					   sizeof(struct rte_ipv4_hdr);
}

size_t gw_tb_sealed_frame_len(const struct gw_tb_outer *o, size_t len,
			      uint16_t mtu)
{
	return RTE_ETHER_HDR_LEN + l3_len(o) + sizeof(struct rte_udp_hdr) +
	       wg_transport_sealed_len(len, mtu);
}

size_t gw_tb_seal_frame(uint8_t *b, const struct gw_tb_outer *o,
			const struct wg_keypair *sender, uint64_t counter,
			const uint8_t *inner, size_t len, uint16_t mtu,
			size_t pad)
{
	size_t l3 = l3_len(o);
	struct rte_udp_hdr *udp =
		(struct rte_udp_hdr *)(b + RTE_ETHER_HDR_LEN + l3);
	size_t msg = wg_transport_seal(sender, counter, inner, len, mtu,
				       (uint8_t *)(udp + 1));
	uint16_t dgram = (uint16_t)(sizeof(*udp) + msg);

	udp->src_port = rte_cpu_to_be_16(o->sport);
	udp->dst_port = rte_cpu_to_be_16(o->dport);
	udp->dgram_len = rte_cpu_to_be_16(dgram);
	udp->dgram_cksum = 0;
	if (o->family == WG_FAMILY_V6) {
		struct rte_ipv6_hdr *ip =
			(struct rte_ipv6_hdr *)(b + RTE_ETHER_HDR_LEN);

		gw_tb_put_eth(b, o->dst_mac, o->src_mac, RTE_ETHER_TYPE_IPV6);
		memset(ip, 0, sizeof(*ip));
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = udp->dgram_len;
		ip->proto = IPPROTO_UDP;
		ip->hop_limits = 64;
		memcpy(ip->src_addr, o->src, 16);
		memcpy(ip->dst_addr, o->dst, 16);
		if (o->udp_cksum)
			udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip, udp);
	} else {
		struct rte_ipv4_hdr *ip =
			(struct rte_ipv4_hdr *)(b + RTE_ETHER_HDR_LEN);

		gw_tb_put_eth(b, o->dst_mac, o->src_mac, RTE_ETHER_TYPE_IPV4);
		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + dgram));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		memcpy(&ip->src_addr, o->src, 4);
		memcpy(&ip->dst_addr, o->dst, 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		if (o->udp_cksum)
			udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	}
	memset((uint8_t *)(udp + 1) + msg, 0, pad);
	return RTE_ETHER_HDR_LEN + l3 + dgram + pad;
}

struct rte_mbuf *gw_tb_mbuf(struct rte_mempool *pool, const uint8_t *b,
			    size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *d;

	if (!m)
		return NULL;
	d = len > UINT16_MAX ? NULL :
			       (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (!d && len) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (len)
		memcpy(d, b, len);
	return m;
}
