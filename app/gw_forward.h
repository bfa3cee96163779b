/* SPDX-License-Identifier: MIT */
/*
 * What a router checks and changes in every packet it forwards, in both
 * directions (LAN → tunnel in gw_encap.c, tunnel → LAN in gw_decap.c):
 * addresses no router forwards (RFC 1812 5.3.7, RFC 4291 2.5.6, RFC 3927
 * 7), neighbour discovery that must stay on its own link (RFC 4861), and
 * the hop count (RFC 1812 5.3.1, RFC 8200 3). Header only: the hot path
 * pays no call.
 */
#ifndef GW_FORWARD_H
#define GW_FORWARD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "gw_ctx.h"

/* IPv4 addresses (host order) that are never forwarded, as source or as
 * destination: this network (0/8), loopback (127/8), link-local
 * (169.254/16), multicast (224/4) and the limited broadcast. */
static inline bool gw_martian4(uint32_t a)
{
	return (a >> 24) == 0 || (a >> 24) == 127 || (a >> 16) == 0xa9fe ||
	       (a >> 28) == 0xe || a == 0xffffffff;
}

/* The directed broadcast address of one of the port's subnets (a host
 * order); /31 and /32 have none. */
static inline bool gw_subnet_bcast4(const struct gw_port *p, uint32_t a)
{
	unsigned int i;

	for (i = 0; i < p->n_addr4; i++) {
		uint32_t host = p->plen4[i] ? ~0u >> p->plen4[i] : ~0u;

		if (p->plen4[i] < 31 && (a & host) == host &&
		    ((a ^ rte_be_to_cpu_32(p->addr4[i])) & ~host) == 0)
			return true;
	}
	return false;
}

/* IPv6 addresses never forwarded: multicast (ff00::/8), link-local
 * (fe80::/10), the unspecified address and loopback. */
static inline bool gw_martian6(const uint8_t *a)
{
	uint64_t hi, lo;

	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return true;
	memcpy(&hi, a, 8);
	memcpy(&lo, a + 8, 8);
	return hi == 0 && (lo == 0 || lo == rte_cpu_to_be_64(1));
}

enum { GW_ND_FIRST = 133, GW_ND_LAST = 137 }; /* RS, RA, NS, NA, redirect */

/* An ICMPv6 router/neighbour discovery message or redirect (also behind
 * a few hop-by-hop, routing or destination options headers): they
 * belong to one link and are never carried across a router. */
static inline bool gw_nd6(const uint8_t *l3, uint32_t len)
{
	uint32_t off = sizeof(struct rte_ipv6_hdr);
	uint8_t nh = ((const struct rte_ipv6_hdr *)l3)->proto;
	unsigned int hops;

	for (hops = 0; hops < 4; hops++) {
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING &&
		    nh != IPPROTO_DSTOPTS)
			break;
		if (off + 2 > len)
			return false;
		nh = l3[off];
		off += (l3[off + 1] + 1u) * 8;
	}
	return nh == IPPROTO_ICMPV6 && off < len && l3[off] >= GW_ND_FIRST &&
	       l3[off] <= GW_ND_LAST;
}

/*
 * Whether a router may forward the IP packet at l3 (a complete fixed
 * header of its family, len bytes of packet) that came from the LAN or,
 * from_peer, out of the tunnel: GW_CTR_MAX when it may (then decrement
 * its hop count with gw_hop_dec), GW_CTR_DROP_TTL_EXCEEDED when its hop
 * count runs out here (answer with ICMP time exceeded), else the reason
 * to drop it. lan: the LAN port, whose subnet broadcasts stay on it.
 */
static inline enum gw_counter gw_forward_check(const struct gw_port *lan,
					       const uint8_t *l3, uint32_t len,
					       bool v6, bool from_peer)
{
	if (v6) {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;

		if (gw_martian6(ip->src_addr))
			return GW_CTR_DROP_MARTIAN_SOURCE;
		if (gw_martian6(ip->dst_addr))
			return GW_CTR_DROP_MARTIAN_DESTINATION;
		if (from_peer && gw_nd6(l3, len))
			return GW_CTR_DROP_INNER_NEIGHBOUR_DISCOVERY;
		return ip->hop_limits <= 1 ? GW_CTR_DROP_TTL_EXCEEDED :
					     GW_CTR_MAX;
	} else {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;
		uint32_t src = rte_be_to_cpu_32(ip->src_addr);
		uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);

		if (gw_martian4(src) || gw_subnet_bcast4(lan, src))
			return GW_CTR_DROP_MARTIAN_SOURCE;
		if (gw_martian4(dst) || gw_subnet_bcast4(lan, dst))
			return GW_CTR_DROP_MARTIAN_DESTINATION;
		return ip->time_to_live <= 1 ? GW_CTR_DROP_TTL_EXCEEDED :
					       GW_CTR_MAX;
	}
}

/* One hop less; the IPv4 header checksum follows incrementally
 * (RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m'), m the 16-bit word that
 * holds the TTL, summed as it lies in memory like the checksum). */
static inline void gw_hop_dec(uint8_t *l3, bool v6)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
	uint16_t m, m1;
	uint32_t s;

	if (v6) {
		((struct rte_ipv6_hdr *)l3)->hop_limits--;
		return;
	}
	memcpy(&m, &ip->time_to_live, 2);
	ip->time_to_live--;
	memcpy(&m1, &ip->time_to_live, 2);
	s = (uint32_t)(uint16_t)~ip->hdr_checksum + (uint16_t)~m + m1;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	ip->hdr_checksum = (uint16_t)~s;
}

#endif /* GW_FORWARD_H */
