/* SPDX-License-Identifier: MIT */
/*
 * Frames for a testbed (gw_testbed.h): what a LAN host and a WireGuard
 * peer would send. Inner IPv4/UDP and IPv6 packets, Ethernet headers, and
 * a peer's transport messages sealed with lib/'s Noise transport
 * (wg_transport_seal, libsodium) in an Ethernet/IPv4|IPv6/UDP frame, so
 * that what the gateway decrypts was encrypted by code it shares nothing
 * with but the wire format.
 */
#ifndef GW_TESTBED_FRAMES_H
#define GW_TESTBED_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "wg_noise.h"

/* Ethernet header of type ethertype (host order). */
void gw_tb_put_eth(uint8_t *b, const uint8_t dst[6], const uint8_t src[6],
		   uint16_t ethertype);
/* IPv4 + UDP (ports 1000 -> 2000) of len bytes in all, src and dst in
 * host order, IP id id, TTL 64, header checksum set, UDP checksum 0; the
 * payload after the UDP header is (uint8_t)(id + offset). */
void gw_tb_put_ipv4_udp(uint8_t *b, uint32_t src, uint32_t dst, uint16_t len,
			uint16_t id);
/* An IPv6 header with payload bytes of zeros after it. */
void gw_tb_put_ipv6(uint8_t *b, const uint8_t src[16], const uint8_t dst[16],
		    uint8_t proto, uint8_t hops, uint16_t payload);

/* Where a peer's frame comes from and goes to. Addresses in network
 * order, IPv4 in the first 4 bytes; ports in host order. */
struct gw_tb_outer {
	uint8_t src_mac[6], dst_mac[6];
	uint8_t family;              /* WG_FAMILY_V4 or WG_FAMILY_V6 */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	bool udp_cksum;              /* a real UDP checksum, else 0 */
};

/* The outer description of an IPv4 frame from src:sport to dst:dport
 * (host order). */
void gw_tb_outer4(struct gw_tb_outer *o, const uint8_t src_mac[6],
		  const uint8_t dst_mac[6], uint32_t src, uint16_t sport,
		  uint32_t dst, uint16_t dport);

/* Bytes of the frame gw_tb_seal_frame makes of len inner bytes. */
size_t gw_tb_sealed_frame_len(const struct gw_tb_outer *o, size_t len,
			      uint16_t mtu);
/* The peer's transport message (sender: the peer's side of the session,
 * gw_testbed_peer_side) carrying inner at counter, padded as for mtu, in
 * the frame o describes; pad extra zero bytes of Ethernet padding after
 * the datagram. Writes into b (gw_tb_sealed_frame_len + pad bytes) and
 * returns the frame's length. */
size_t gw_tb_seal_frame(uint8_t *b, const struct gw_tb_outer *o,
			const struct wg_keypair *sender, uint64_t counter,
			const uint8_t *inner, size_t len, uint16_t mtu,
			size_t pad);

/* An mbuf from pool holding len bytes of b; NULL when the pool is empty
 * or the mbuf too small. */
struct rte_mbuf *gw_tb_mbuf(struct rte_mempool *pool, const uint8_t *b,
			    size_t len);

#endif /* GW_TESTBED_FRAMES_H */
