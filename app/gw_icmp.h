/* SPDX-License-Identifier: MIT */
/*
 * ICMP time exceeded for packets whose TTL or hop limit runs out at the
 * gateway, built on the control lcore (the workers hand the packet over
 * with GW_CTRL_TTL). The answer always comes from the gateway's LAN
 * address: to a LAN host on the LAN port, to a host behind a peer through
 * that peer's tunnel (the peer routes our LAN into it).
 */
#ifndef GW_ICMP_H
#define GW_ICMP_H

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

#endif /* GW_ICMP_H */
