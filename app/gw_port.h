/* SPDX-License-Identifier: MIT */
/* DPDK ports and the packet pool (see gw_port.c). */
#ifndef GW_PORT_H
#define GW_PORT_H

#include <rte_byteorder.h>

#include "gw_ctx.h"

/*
 * Check both ports, decide how many workers they can feed (one when a
 * port cannot spread its traffic over several RX queues), create the pool
 * and configure the queues. ctx->n_workers is the wish on entry and the
 * effective count on return. Returns 0 or a negative errno.
 */
int gw_ports_setup(struct gw_ctx *ctx);
int gw_ports_start(struct gw_ctx *ctx);
void gw_ports_stop(struct gw_ctx *ctx);
/* The port's addresses and gateway from its config group, and its IPv6
 * link-local address from its MAC (which must be set). */
void gw_port_load_addresses(struct gw_port *p, const struct wg_port_config *pc);

/* Whether ip (IPv4, network order) is one of our addresses on the port. */
static inline bool gw_port_has_addr4(const struct gw_port *p, uint32_t ip)
{
	unsigned int i;

	for (i = 0; i < p->n_addr4; i++)
		if (p->addr4[i] == ip)
			return true;
	return false;
}

bool gw_port_has_addr6(const struct gw_port *p, const uint8_t ip[16]);
/* Whether IPv4 addresses a and b (network order) share their first plen
 * bits: inline, since the data path's one-address route asks it per
 * packet. */
static inline bool gw_prefix_match4(uint32_t a, uint32_t b, unsigned int plen)
{
	uint32_t mask = plen ? ~0u << (32 - plen) : 0;

	return ((rte_be_to_cpu_32(a) ^ rte_be_to_cpu_32(b)) & mask) == 0;
}
/* Whether dst is on one of the port's subnets. */
bool gw_port_on_link4(const struct gw_port *p, uint32_t dst);
bool gw_port_on_link6(const struct gw_port *p, const uint8_t dst[16]);
/* A source address of ours on the port for talking to dst. */
uint32_t gw_port_src4(const struct gw_port *p, uint32_t dst);
const uint8_t *gw_port_src6(const struct gw_port *p, const uint8_t dst[16]);


/*
 * Put Ethernet (addresses left for the caller), IPv4 or IPv6 and UDP
 * headers in front of len bytes of UDP payload at the start of m, from
 * our WAN address and listen port to ep. False when there is no headroom.
 */
bool gw_udp_prepend(struct gw_ctx *ctx, struct rte_mbuf *m,
		    const struct wg_endpoint *ep, uint32_t len);

#endif /* GW_PORT_H */
