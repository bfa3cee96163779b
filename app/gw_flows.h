/* SPDX-License-Identifier: MIT */
/*
 * Reflexive entries for access rules (gw_flows.c): when a LAN host sends
 * to a peer that has an acl, the reverse of that flow is noted, so the
 * peer's replies pass whatever its rules say, as a stateful firewall
 * lets the answers to connections opened from inside back in. A fixed
 * table of 8-byte entries (a 40-bit tag of a keyed SipHash of the flow,
 * and a 24-bit expiry in ~1 s ticks), 4 per bucket, written and read by
 * every worker lock-free: a lost race loses one entry until the LAN
 * host's next packet notes it again. Only LAN traffic creates entries, so
 * nothing a peer sends can fill it; a LAN flood can only push out older
 * entries (the least lasting one of a bucket goes).
 */
#ifndef GW_FLOWS_H
#define GW_FLOWS_H

#include <stdbool.h>
#include <stdint.h>

/* One direction of a flow as seen from the LAN host: its address and
 * port, and the far end's behind the peer. Ports in host order; ICMP
 * echo uses its identifier as lan_port and 0 as remote_port. */
struct gw_flow {
	uint32_t peer_id;
	uint8_t family;              /* WG_FAMILY_V4 / WG_FAMILY_V6 */
	uint8_t proto;
	uint16_t lan_port, remote_port;
	uint8_t lan_addr[16], remote_addr[16];
	uint8_t zero[2];             /* hashed too: keep 0 */
};
_Static_assert(sizeof(struct gw_flow) == 44, "no hidden padding: hashed whole");

/* How long a noted flow lets replies in, in ticks of 2^30 ns (~1.07 s):
 * TCP about 2 hours (an idle SSH session survives), UDP 2 minutes,
 * ICMP echo 30 s, as Linux's conntrack defaults roughly do. */
enum gw_flow_timeouts {
	GW_FLOW_TICK_SHIFT = 30,
	GW_FLOW_TCP_TICKS = 6700,
	GW_FLOW_UDP_TICKS = 112,
	GW_FLOW_ICMP_TICKS = 28,
};

struct gw_flows;

/* A table of at least n_entries (rounded up to a power of two buckets),
 * with a fresh random hash key. NULL when out of memory. */
struct gw_flows *gw_flows_create(uint32_t n_entries, int socket_id);
void gw_flows_free(struct gw_flows *fl);

/* Callers zero a gw_flow before filling it (the hash covers every byte). */

/* Flows are handled a burst (n <= GW_FLOWS_BURST) at a time, so that
 * their buckets' cache misses overlap. */
#define GW_FLOWS_BURST 64

/* Note f[0..n) (a LAN host's packets toward peers) at now_ns. */
void gw_flows_note(struct gw_flows *fl, const struct gw_flow *f,
		   unsigned int n, uint64_t now_ns);

/* found[i]: whether f[i] (written from the LAN host's side: lan_* is the
 * packet's destination) was noted and has not expired. */
void gw_flows_lookup(const struct gw_flows *fl, const struct gw_flow *f,
		     unsigned int n, uint64_t now_ns, bool *found);

/* Entries the table holds room for. */
uint32_t gw_flows_capacity(const struct gw_flows *fl);

#endif /* GW_FLOWS_H */
