/* SPDX-License-Identifier: MIT */
/*
 * Neighbours on both ports: ARP and IPv6 neighbour discovery, and ICMP
 * echo replies for our own addresses. Workers only read the table (one
 * lock-free hash lookup and one atomic 64-bit load of the MAC); the
 * control lcore owns every write, every request and every retry.
 */
#ifndef GW_NEIGHBOUR_H
#define GW_NEIGHBOUR_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_hash.h>

#include "gw_ctx.h"
#include "wg_ratelimit.h"

enum gw_neigh_limits {
	GW_NEIGH_MAX = 1024,
	GW_NEIGH_HOLD = 8,            /* frames held per unresolved entry */
	GW_NEIGH_RETRIES = 5,
	GW_NEIGH_RETRY_MS = 1000,
	GW_NEIGH_REACHABLE_S = 300,   /* refresh after this */
};

struct gw_neigh_key {
	uint8_t role;
	uint8_t family;
	uint8_t pad[2];
	uint8_t ip[16];
};

#define GW_NEIGH_VALID (UINT64_C(1) << 63)

struct gw_neigh_entry {
	uint64_t mac;                 /* atomic: VALID | 48-bit MAC */
	struct gw_neigh_key key;
	uint64_t confirmed_ns;
	uint64_t next_try_ns;
	unsigned int tries;
	bool in_use;
	struct rte_mbuf *held[GW_NEIGH_HOLD];
	unsigned int n_held;
};

struct gw_neigh {
	struct rte_hash *hash;
	struct wg_ratelimit icmp_rl;  /* ICMP errors per destination */
	struct gw_neigh_entry e[GW_NEIGH_MAX];
	unsigned int n;
};

int gw_neigh_create(struct gw_ctx *ctx);
void gw_neigh_free(struct gw_ctx *ctx);

/* The next hop toward dst on port p: dst itself when on a subnet of the
 * port, else the port's gateway. False when there is none. */
bool gw_nexthop(const struct gw_port *p, uint8_t family, const uint8_t *dst,
		uint8_t out[16]);

/* Worker side. */
static inline bool gw_neigh_lookup(struct gw_neigh *n, enum gw_role role,
				   uint8_t family, const uint8_t *ip,
				   struct rte_ether_addr *mac)
{
	struct gw_neigh_key k = { .role = (uint8_t)role, .family = family };
	void *data;
	uint64_t v;

	memcpy(k.ip, ip, family == WG_FAMILY_V4 ? 4 : 16);
	if (rte_hash_lookup_data(n->hash, &k, &data) < 0)
		return false;
	v = __atomic_load_n(&n->e[(uintptr_t)data].mac, __ATOMIC_ACQUIRE);
	if (!(v & GW_NEIGH_VALID))
		return false;
	memcpy(mac->addr_bytes, &v, RTE_ETHER_ADDR_LEN);
	return true;
}

/* Control side. */
/* ARP, ND, ICMP echo addressed to us: consumes m. */
void gw_neigh_input(struct gw_ctx *ctx, enum gw_role role, struct rte_mbuf *m);
/* A whole frame (Ethernet header in place) waiting for the MAC of the
 * next hop toward its IP destination: consumes m. */
void gw_neigh_hold(struct gw_ctx *ctx, enum gw_role role, struct rte_mbuf *m);
/* Start resolving (e.g. the WAN gateway, a peer's endpoint). */
void gw_neigh_want(struct gw_ctx *ctx, enum gw_role role, uint8_t family,
		   const uint8_t *ip);
/* Retries, aging, giving up. */
void gw_neigh_tick(struct gw_ctx *ctx, uint64_t now);
/* Record ip's MAC as an ARP reply or neighbour advertisement would (and
 * send what waited for it): for harnesses without ARP (app tests, the
 * data-plane bench and fuzzer). False when the table is full or the MAC
 * is not a unicast one. */
bool gw_neigh_learn(struct gw_ctx *ctx, enum gw_role role, uint8_t family,
		    const uint8_t *ip, const struct rte_ether_addr *mac);

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

/* Frames held for unresolved neighbours (mbufs out of the pool). */
unsigned int gw_neigh_held(struct gw_ctx *ctx);

/* Send a frame on the control lcore's TX queue of a port (consumes m). */
void gw_ctrl_tx(struct gw_ctx *ctx, enum gw_role role, struct rte_mbuf *m);

#endif /* GW_NEIGHBOUR_H */
