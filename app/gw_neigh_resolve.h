/* SPDX-License-Identifier: MIT */
/*
 * The gateway's use of the neighbour table (gw_neigh_table.h), on the
 * control lcore: which addresses are wanted (and the port's gateway
 * pinned), what may be learnt from whom (only on-link addresses of the
 * port), the next hop toward a destination, frames held until that next
 * hop's MAC is known.
 */
#ifndef GW_NEIGH_RESOLVE_H
#define GW_NEIGH_RESOLVE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "gw_ctx.h"
#include "gw_neigh_table.h"

/* The next hop toward dst on port p: dst itself when on a subnet of the
 * port, else the port's gateway. False when there is none. */
bool gw_nexthop(const struct gw_port *p, uint8_t family, const uint8_t *dst,
		uint8_t out[16]);

/* Whether ip may be a neighbour on port p: on one of its subnets, IPv6
 * link-local, or its gateway; never one of our own addresses, never
 * multicast or unspecified. */
bool gw_neigh_on_link(const struct gw_port *p, uint8_t family,
		      const uint8_t *ip);

/* What an ARP or ND message said: ip is at mac (flags:
 * gw_neigh_update_flags). Refused (false) from an address that is not
 * on-link; a new entry only when create (the message was addressed to
 * us), else only an entry we have is updated. Sends what waited. */
bool gw_neigh_heard(struct gw_ctx *ctx, enum gw_role role, uint8_t family,
		    const uint8_t *ip, const struct rte_ether_addr *mac,
		    bool create, unsigned int flags);
/* Record ip's MAC as a solicited ARP reply or neighbour advertisement
 * would (and send what waited for it): for harnesses without ARP (app
 * tests, the data-plane bench and fuzzer). False when the table is full,
 * ip is not on-link or the MAC is not a unicast one. */
bool gw_neigh_learn(struct gw_ctx *ctx, enum gw_role role, uint8_t family,
		    const uint8_t *ip, const struct rte_ether_addr *mac);

/* A whole frame (Ethernet header in place) waiting for the MAC of the
 * next hop toward its IP destination: consumes m (held, sent, or dropped
 * and counted). */
void gw_neigh_hold(struct gw_ctx *ctx, enum gw_role role, struct rte_mbuf *m);
/* Start resolving (e.g. the WAN gateway, a peer's endpoint). */
void gw_neigh_want(struct gw_ctx *ctx, enum gw_role role, uint8_t family,
		   const uint8_t *ip);
/* Retries, aging, giving up, garbage collection. */
void gw_neigh_tick(struct gw_ctx *ctx, uint64_t now);

/* Frames held for unresolved neighbours (mbufs out of the pool), O(1). */
unsigned int gw_neigh_held(struct gw_ctx *ctx);
/* Entries per state and frames held, for logs and telemetry. */
void gw_neigh_counts(struct gw_ctx *ctx, struct gw_neigh_counts *c);
/* Those as "name count" lines at INFO level (the stats dumps). */
void gw_neigh_log_counts(struct gw_ctx *ctx);

#endif /* GW_NEIGH_RESOLVE_H */
