/* SPDX-License-Identifier: MIT */
/*
 * The gateway's use of the neighbour table (gw_neigh_table.h): which
 * addresses are wanted and pinned, what may be learnt from whom, the next
 * hop toward a destination, frames that wait for a MAC and are sent once
 * it is known.
 */
#include "gw_neigh_resolve.h"

#include <string.h>

#include <rte_ip.h>

#include "gw_ctrl_tx.h"
#include "gw_neighbour.h"
#include "gw_port.h"

unsigned int gw_neigh_held(struct gw_ctx *ctx)
{
	return ctx->neigh ? ctx->neigh->tab.n_held : 0;
}

void gw_neigh_counts(struct gw_ctx *ctx, struct gw_neigh_counts *c)
{
	memset(c, 0, sizeof(*c));
	if (ctx->neigh)
		gw_neigh_table_counts(&ctx->neigh->tab, c);
}

void gw_neigh_log_counts(struct gw_ctx *ctx)
{
	struct gw_neigh_counts c;

	gw_neigh_counts(ctx, &c);
	GW_LOG(INFO, "%-32s %u", "neighbours", c.entries);
	GW_LOG(INFO, "%-32s %u", "neighbours_incomplete", c.incomplete);
	GW_LOG(INFO, "%-32s %u", "neighbours_reachable", c.reachable);
	GW_LOG(INFO, "%-32s %u", "neighbours_stale", c.stale);
	GW_LOG(INFO, "%-32s %u", "neighbours_probe", c.probe);
}

static bool is_gateway(const struct gw_port *p, uint8_t family,
		       const uint8_t *ip)
{
	size_t len = family == WG_FAMILY_V4 ? 4 : 16;

	return p->has_gateway && p->gateway.family == family &&
	       memcmp(p->gateway.addr, ip, len) == 0;
}

bool gw_nexthop(const struct gw_port *p, uint8_t family, const uint8_t *dst,
		uint8_t out[16])
{
	if (family == WG_FAMILY_V4) {
		uint32_t d;

		memcpy(&d, dst, 4);
		if (gw_port_on_link4(p, d)) {
			memcpy(out, dst, 4);
			return true;
		}
	} else {
		if (gw_port_on_link6(p, dst)) {
			memcpy(out, dst, 16);
			return true;
		}
	}
	if (p->has_gateway && p->gateway.family == family) {
		memcpy(out, p->gateway.addr, family == WG_FAMILY_V4 ? 4 : 16);
		return true;
	}
	return false;
}

bool gw_neigh_on_link(const struct gw_port *p, uint8_t family,
		      const uint8_t *ip)
{
	if (family == WG_FAMILY_V4) {
		uint32_t a;

		memcpy(&a, ip, 4);
		if (a == 0 || gw_port_has_addr4(p, a))
			return false;
		return gw_port_on_link4(p, a) || is_gateway(p, family, ip);
	}
	if (family != WG_FAMILY_V6 || ip[0] == 0xff ||
	    gw_port_has_addr6(p, ip))
		return false;
	/* link-local sources are on-link by definition (gw_port_on_link6) */
	return gw_port_on_link6(p, ip) || is_gateway(p, family, ip);
}

static struct gw_neigh_key make_key(enum gw_role role, uint8_t family,
				    const uint8_t *ip)
{
	struct gw_neigh_key k = { .role = (uint8_t)role, .family = family };

	memcpy(k.ip, ip, family == WG_FAMILY_V4 ? 4 : 16);
	return k;
}

/* The entry of ip, new ones solicited when ask; the port's gateway is
 * pinned. */
static struct gw_neigh_entry *get(struct gw_ctx *ctx, enum gw_role role,
				  uint8_t family, const uint8_t *ip, bool ask)
{
	struct gw_neigh_key k = make_key(role, family, ip);

	return gw_neigh_table_get(&ctx->neigh->tab, &k,
				  is_gateway(&ctx->port[role], family, ip),
				  ask, gw_now_ns(ctx));
}

/* What e held, to the MAC it has now. */
static void send_held(struct gw_ctx *ctx, struct gw_neigh_entry *e)
{
	struct rte_mbuf *held[GW_NEIGH_HOLD];
	unsigned int i, n = gw_neigh_table_take_held(&ctx->neigh->tab, e, held);
	uint64_t v = __atomic_load_n(&e->mac, __ATOMIC_RELAXED);
	struct rte_ether_addr mac;

	memcpy(mac.addr_bytes, &v, RTE_ETHER_ADDR_LEN);
	for (i = 0; i < n; i++) {
		struct rte_ether_hdr *eh = rte_pktmbuf_mtod(
			held[i], struct rte_ether_hdr *);

		rte_ether_addr_copy(&mac, &eh->dst_addr);
		gw_ctrl_tx(ctx, e->key.role, held[i]);
	}
}

/*
 * What an ARP or ND message says: ip is at mac. Only from on-link
 * addresses of that port; a new entry only when create (the message was
 * addressed to us), else only entries we already have are updated.
 */
bool gw_neigh_heard(struct gw_ctx *ctx, enum gw_role role, uint8_t family,
		    const uint8_t *ip, const struct rte_ether_addr *mac,
		    bool create, unsigned int flags)
{
	struct gw_neigh_key k = make_key(role, family, ip);
	struct gw_neigh_table *t = &ctx->neigh->tab;
	struct gw_neigh_entry *e;
	uint64_t now = gw_now_ns(ctx);

	if (!gw_neigh_on_link(&ctx->port[role], family, ip) ||
	    rte_is_zero_ether_addr(mac) || rte_is_multicast_ether_addr(mac))
		return false;
	if (create)
		e = get(ctx, role, family, ip, false);
	else
		e = gw_neigh_table_find(t, &k);
	if (!e || !gw_neigh_table_update(t, e, mac, flags, now))
		return false;
	send_held(ctx, e);
	return true;
}

bool gw_neigh_learn(struct gw_ctx *ctx, enum gw_role role, uint8_t family,
		    const uint8_t *ip, const struct rte_ether_addr *mac)
{
	return gw_neigh_heard(ctx, role, family, ip, mac, true,
			      GW_NEIGH_CONFIRMED | GW_NEIGH_OVERRIDE);
}

void gw_neigh_want(struct gw_ctx *ctx, enum gw_role role, uint8_t family,
		   const uint8_t *ip)
{
	/* a new entry is solicited at once, an old one by the tick */
	get(ctx, role, family, ip, true);
}

void gw_neigh_hold(struct gw_ctx *ctx, enum gw_role role, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint16_t et = rte_be_to_cpu_16(eh->ether_type);
	uint8_t family, nh[16];
	const uint8_t *dst;
	struct gw_neigh_entry *e;
	struct rte_ether_addr mac;

	if (et == RTE_ETHER_TYPE_IPV4) {
		family = WG_FAMILY_V4;
		dst = (const uint8_t *)&((struct rte_ipv4_hdr *)(eh + 1))
			      ->dst_addr;
	} else {
		family = WG_FAMILY_V6;
		dst = ((struct rte_ipv6_hdr *)(eh + 1))->dst_addr;
	}
	if (!gw_nexthop(&ctx->port[role], family, dst, nh)) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_NEIGHBOUR_UNRESOLVED,
			 1);
		rte_pktmbuf_free(m);
		return;
	}
	/* resolved meanwhile */
	if (gw_neigh_lookup(ctx->neigh, role, family, nh, &mac)) {
		rte_ether_addr_copy(&mac, &eh->dst_addr);
		gw_ctrl_tx(ctx, role, m);
		return;
	}
	e = get(ctx, role, family, nh, true);
	if (!e) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_NEIGHBOUR_UNRESOLVED,
			 1);
		rte_pktmbuf_free(m);
		return;
	}
	gw_neigh_table_hold(&ctx->neigh->tab, e, m);
}

void gw_neigh_tick(struct gw_ctx *ctx, uint64_t now)
{
	gw_neigh_table_tick(&ctx->neigh->tab, now);
}
