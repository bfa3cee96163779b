/* SPDX-License-Identifier: MIT */
/*
 * What the worker's files share (gw_worker.c: TX and the poll loop;
 * gw_encap.c: LAN → WAN; gw_decap.c: WAN → LAN; gw_spread.c: one
 * tunnel's decryption spread over workers): small helpers of the hot
 * path, kept static inline so that splitting the file costs no call.
 */
#ifndef GW_WORKER_PRIV_H
#define GW_WORKER_PRIV_H

#include "gw_worker.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_udp.h>

#include "gw_crypto.h"
#include "gw_ctrl_rings.h"
#include "gw_hs_limit.h"
#include "gw_mss.h"
#include "gw_neighbour.h"
#include "gw_peer.h"
#include "gw_port.h"
#include "gw_tables.h"
#include "wg_cookie.h"
#include "wg_messages.h"

enum { PREFETCH_AHEAD = 4 };

/*
 * Length changes of single-segment mbufs (every frame here was checked to
 * be contiguous) without rte_pktmbuf_lastseg()'s walk, which reads the
 * mbuf's second cache line: the data path only touches the first.
 */
static inline void seg_trim(struct rte_mbuf *m, uint32_t len)
{
	m->data_len = (uint16_t)(m->data_len - len);
	m->pkt_len -= len;
}

static inline uint8_t *seg_append(struct rte_mbuf *m, uint16_t len)
{
	uint8_t *tail;

	if (m->nb_segs != 1)
		return (uint8_t *)rte_pktmbuf_append(m, len);
	if ((uint32_t)m->data_off + m->data_len + len > m->buf_len)
		return NULL;
	tail = (uint8_t *)m->buf_addr + m->data_off + m->data_len;
	m->data_len = (uint16_t)(m->data_len + len);
	m->pkt_len += len;
	return tail;
}

/* The drops of a call, freed in one go; every burst function that drops
 * calls this before it returns, so nothing stays in the bin between
 * calls. */
static inline void gw_drop_flush(struct gw_lcore *lc)
{
	if (lc->n_drop_bin) {
		rte_pktmbuf_free_bulk(lc->drop_bin, lc->n_drop_bin);
		lc->n_drop_bin = 0;
	}
}

/* A dropped packet, counted; its mbuf waits in the bin for the end of
 * the call. Cold and out of line: the compiler lays every branch that
 * leads here out of the hot path, as unlikely() would. */
static __rte_unused __rte_noinline __rte_cold void drop(struct gw_lcore *lc,
					   struct rte_mbuf *m,
					   enum gw_counter c)
{
	gw_count(lc->stats, c, 1);
	lc->drop_bin[lc->n_drop_bin++] = m;
	if (lc->n_drop_bin == GW_DROP_BIN)
		gw_drop_flush(lc);
}

/* A drop of a packet known to be peer's (peer may be NULL): counted in
 * gw_stats.h and, where gw_peer.h keeps that reason, in the peer's slot
 * of this lcore. */
static __rte_unused __rte_noinline __rte_cold void peer_drop(struct gw_lcore *lc,
						struct gw_peer *peer,
						struct rte_mbuf *m,
						enum gw_counter c)
{
	drop(lc, m, c);
	gw_peer_count_drop(peer, lc->worker_idx, c, 1);
}

/* To the control lcore, on the ring of its kind: a full ring drops this
 * kind only, under its own counter (gw_ctrl_rings.h). */
static inline void to_control(struct gw_lcore *lc, struct rte_mbuf *m,
		       enum gw_ctrl_kind kind, uint32_t arg)
{
	if (kind == GW_CTRL_LOCAL)
		kind = gw_ctrl_local_kind(m);
	m->hash.usr = GW_CTRL_TAG(kind, arg);
	if (rte_ring_mp_enqueue(lc->ctx->ctrl_ring[kind], m) != 0)
		drop(lc, m, gw_ctrl_full_counter(kind));
	else
		gw_count(lc->stats, GW_CTR_PACKETS_TO_CONTROL, 1);
}

/* False when the event ring was full: the caller keeps what the event
 * would have told, so that it is not lost (gw_decap.c). */
static inline bool post_event(struct gw_lcore *lc, struct gw_event *ev)
{
	return rte_ring_mp_enqueue_elem(lc->ctx->event_ring, ev,
					sizeof(*ev)) == 0;
}


/*
 * The next hop's MAC for a burst: the last destination and the last next
 * hop are remembered, so a burst toward one endpoint (or through one
 * gateway) costs one neighbour lookup.
 */
struct nh_cache {
	uint8_t dst_family, nh_family;
	uint8_t dst[16], nh[16];
	struct rte_ether_addr dst_mac, nh_mac;
};

/*
 * Fill in the Ethernet header of a frame leaving port role toward IP dst.
 * False when the frame was handed to the control lcore (next hop not yet
 * resolved) or dropped.
 */
static inline bool eth_out(struct gw_lcore *lc, enum gw_role role,
		    struct rte_mbuf *m, uint8_t family, const uint8_t *dst,
		    struct nh_cache *nc)
{
	struct gw_ctx *ctx = lc->ctx;
	struct gw_port *p = &ctx->port[role];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	bool v4 = family == WG_FAMILY_V4;
	size_t alen = v4 ? 4 : 16;
	uint8_t nh[16];

	rte_ether_addr_copy(&p->mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(family == WG_FAMILY_V4 ?
						  RTE_ETHER_TYPE_IPV4 :
						  RTE_ETHER_TYPE_IPV6);
	/* constant lengths: the compares are inlined */
	if (nc->dst_family == family &&
	    (v4 ? memcmp(nc->dst, dst, 4) : memcmp(nc->dst, dst, 16)) == 0) {
		rte_ether_addr_copy(&nc->dst_mac, &eh->dst_addr);
		return true;
	}
	if (!gw_nexthop(p, family, dst, nh)) {
		drop(lc, m, GW_CTR_DROP_NEIGHBOUR_UNRESOLVED);
		return false;
	}
	if (nc->nh_family == family &&
	    (v4 ? memcmp(nc->nh, nh, 4) : memcmp(nc->nh, nh, 16)) == 0) {
		rte_ether_addr_copy(&nc->nh_mac, &eh->dst_addr);
	} else {
		if (!gw_neigh_lookup(ctx->neigh, role, family, nh,
				     &eh->dst_addr)) {
			to_control(lc, m, GW_CTRL_NEIGH, role);
			return false;
		}
		nc->nh_family = family;
		memcpy(nc->nh, nh, alen);
		nc->nh_mac = eh->dst_addr;
	}
	nc->dst_family = family;
	memcpy(nc->dst, dst, alen);
	nc->dst_mac = eh->dst_addr;
	return true;
}

/* Activity stamps of a peer as seen by this lcore: written once per run
 * of consecutive packets of the same peer, not once per packet. */
struct act_run {
	struct gw_peer *peer;
	uint64_t bytes;
	uint64_t packets;
	bool data;
};

static inline void act_flush_tx(struct gw_lcore *lc, struct act_run *r, uint64_t now)
{
	struct gw_peer_act *act;

	if (!r->peer)
		return;
	/* written by this lcore only; control reads them */
	act = &r->peer->act[lc->worker_idx];
	__atomic_store_n(&act->tx_bytes, act->tx_bytes + r->bytes,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&act->tx_packets, act->tx_packets + r->packets,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&act->last_tx_ns, now, __ATOMIC_RELAXED);
	if (r->data)
		__atomic_store_n(&act->last_tx_data_ns, now, __ATOMIC_RELAXED);
	r->peer = NULL;
	r->bytes = 0;
	r->packets = 0;
	r->data = false;
}

static inline void act_flush_rx(struct gw_lcore *lc, struct act_run *r, uint64_t now)
{
	struct gw_peer_act *act;

	if (!r->peer)
		return;
	act = &r->peer->act[lc->worker_idx];
	__atomic_store_n(&act->rx_bytes, act->rx_bytes + r->bytes,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&act->rx_packets, act->rx_packets + r->packets,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&act->last_rx_ns, now, __ATOMIC_RELAXED);
	r->peer = NULL;
	r->bytes = 0;
	r->packets = 0;
}

static inline bool is_nd_or_local6(const struct gw_port *p,
				   const struct rte_ipv6_hdr *ip)
{
	/* multicast (ND, MLD) and anything to one of our addresses */
	return ip->dst_addr[0] == 0xff || gw_port_has_addr6(p, ip->dst_addr);
}

/* The outer IPv4 header checksum, or the PMD's verdict where it gives
 * one (GOOD; NONE: checked, the field left for software to finish). */
static inline bool outer_ip4_cksum_ok(const struct rte_mbuf *m,
				      const struct rte_ipv4_hdr *ip)
{
	uint64_t f = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	if (f == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN)
		return rte_ipv4_cksum(ip) == 0;
	return f != RTE_MBUF_F_RX_IP_CKSUM_BAD;
}

/*
 * The Internet checksum's running sum of len bytes at p, added to sum,
 * as __rte_raw_cksum() gives it (16-bit words as they lie in memory):
 * 32-bit words summed into four 64-bit accumulators, which the compiler
 * vectorises, then folded (2^32 = 1 modulo 0xffff). DPDK 22.11's
 * 16-bit loop costs some 3,800 cycles on a 1,452-byte datagram here;
 * this, under 100 (a microbenchmark on this machine).
 */
static inline uint32_t sum_words(const uint8_t *p, uint32_t len, uint32_t sum)
{
	uint64_t s0 = sum, s1 = 0, s2 = 0, s3 = 0, w;
	uint32_t v;

	for (; len >= 32; p += 32, len -= 32) {
		memcpy(&w, p, 8);
		s0 += (w & 0xffffffff) + (w >> 32);
		memcpy(&w, p + 8, 8);
		s1 += (w & 0xffffffff) + (w >> 32);
		memcpy(&w, p + 16, 8);
		s2 += (w & 0xffffffff) + (w >> 32);
		memcpy(&w, p + 24, 8);
		s3 += (w & 0xffffffff) + (w >> 32);
	}
	s0 += s1 + s2 + s3;
	for (; len >= 4; p += 4, len -= 4) {
		memcpy(&v, p, 4);
		s0 += v;
	}
	if (len >= 2) {
		uint16_t h;

		memcpy(&h, p, 2);
		s0 += h;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint16_t h = 0;

		memcpy(&h, p, 1);
		s0 += h;
	}
	s0 = (s0 & 0xffffffff) + (s0 >> 32);
	s0 = (s0 & 0xffffffff) + (s0 >> 32);
	return (uint32_t)s0;
}

/* The outer UDP checksum (or the PMD's verdict), over the datagram's own
 * length (it may be shorter than the IP payload) and the pseudo-header;
 * addrs: the IP header's source and destination, addrs_len 8 (IPv4) or
 * 32 (IPv6). Zero means none over IPv4 and is invalid over IPv6
 * (RFC 8200 8.1). */
static inline bool outer_udp_cksum_ok(const struct rte_mbuf *m,
				      const struct rte_udp_hdr *udp,
				      const void *addrs, uint32_t addrs_len)
{
	uint64_t f = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	uint32_t sum;

	if (f != RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN)
		return f != RTE_MBUF_F_RX_L4_CKSUM_BAD;
	if (udp->dgram_cksum == 0)
		return addrs_len == 8;
	sum = __rte_raw_cksum(addrs, addrs_len, 0);
	sum += rte_cpu_to_be_16(IPPROTO_UDP) + (uint32_t)udp->dgram_len;
	sum = sum_words((const uint8_t *)udp, rte_be_to_cpu_16(udp->dgram_len),
			sum);
	return __rte_raw_cksum_reduce(sum) == 0xffff;
}

#endif /* GW_WORKER_PRIV_H */
