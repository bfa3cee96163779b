/* SPDX-License-Identifier: MIT */
/*
 * ICMP errors, built on the control lcore: time exceeded for packets
 * whose TTL or hop limit runs out at the gateway (the workers hand the
 * packet over with GW_CTRL_TTL), and fragmentation needed / packet too big
 * for frames too big for the tunnel (GW_CTRL_TOO_BIG). Time exceeded
 * always comes from the gateway's LAN address: to a LAN host on the LAN
 * port, to a host behind a peer through that peer's tunnel (the peer
 * routes our LAN into it).
 */
#ifndef GW_ICMP_H
#define GW_ICMP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "gw_ctx.h"

/*
 * from: GW_CTRL_FROM_LAN (m is the whole LAN frame) or the id of the
 * peer that sent m (m's data is the decrypted inner IP packet). Counts
 * drop_ttl_exceeded, answers under the per-source ICMP error rate limit
 * (RFC 1812 4.3.2.7, RFC 4443 2.4 rules: never about ICMP errors,
 * multicast, broadcast or non-first fragments); consumes m.
 */
void gw_icmp_time_exceeded(struct gw_ctx *ctx, uint32_t from,
			   struct rte_mbuf *m);

/* A frame (Ethernet header in place) that came in on port role and is too
 * big for the tunnel: answer its sender with ICMP "fragmentation needed"
 * (IPv4 with DF) or "packet too big" (IPv6), rate-limited per source;
 * counts the drop and consumes m. */
void gw_icmp_too_big(struct gw_ctx *ctx, enum gw_role role,
		     struct rte_mbuf *m);

/* Whether an ICMP error may be sent about an IP packet (len bytes, the
 * IPv4 header ihl bytes) that came in on port p (RFC 1812 4.3.2.7,
 * RFC 4443 2.4): not about an ICMP error, not to a multicast, broadcast
 * or unspecified source, not about a non-first IPv4 fragment. */
struct rte_ipv4_hdr;
struct rte_ipv6_hdr;
bool gw_icmp_error_allowed4(const struct gw_port *p,
			    const struct rte_ipv4_hdr *ip, uint32_t ihl,
			    uint32_t len);
bool gw_icmp_error_allowed6(const struct rte_ipv6_hdr *ip, uint32_t len);

#endif /* GW_ICMP_H */
