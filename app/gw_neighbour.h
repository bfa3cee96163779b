/* SPDX-License-Identifier: MIT */
/*
 * Neighbours on both ports: ARP and IPv6 neighbour discovery, and ICMP
 * echo replies (rate-limited) for our own addresses. Workers only read the
 * table (one lock-free hash lookup and one atomic 64-bit load of the MAC);
 * the control lcore owns every write, every request and every retry. The
 * table is gw_neigh_table.h, its use by the gateway gw_neigh_resolve.h.
 */
#ifndef GW_NEIGHBOUR_H
#define GW_NEIGHBOUR_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_hash.h>

#include "gw_ctx.h"
#include "gw_echo_limit.h"
#include "gw_neigh_resolve.h"
#include "gw_neigh_table.h"
#include "wg_ratelimit.h"

enum gw_neigh_limits {
	/* frames held for unresolved neighbours over both ports, well
	 * below GW_NEIGH_MAX (gw_neigh_table.h); the mbuf pool has room
	 * for them */
	GW_NEIGH_HELD_MAX = 512,
};
/* a full table always has an entry that holds nothing and is not a
 * port's gateway, so a new neighbour can take its place */
_Static_assert(GW_NEIGH_HELD_MAX + GW_NB_ROLES < GW_NEIGH_MAX,
	       "GW_NEIGH_HELD_MAX leaves no replaceable entry");

struct gw_neigh {
	struct gw_neigh_table tab;
	struct wg_ratelimit icmp_rl;  /* ICMP errors per destination */
	struct gw_echo_limit echo;    /* echo replies */
};

int gw_neigh_create(struct gw_ctx *ctx);
void gw_neigh_free(struct gw_ctx *ctx);

/* Worker side: the MAC of ip on port role (lock-free, see
 * gw_neigh_table.h). */
static inline bool gw_neigh_lookup(struct gw_neigh *n, enum gw_role role,
				   uint8_t family, const uint8_t *ip,
				   struct rte_ether_addr *mac)
{
	struct gw_neigh_key k = { .role = (uint8_t)role, .family = family };

	memcpy(k.ip, ip, family == WG_FAMILY_V4 ? 4 : 16);
	return gw_neigh_table_lookup(&n->tab, &k, mac);
}

/* Control side. */
/* ARP, ND, ICMP echo addressed to us: consumes m. */
void gw_neigh_input(struct gw_ctx *ctx, enum gw_role role, struct rte_mbuf *m);

#endif /* GW_NEIGHBOUR_H */
