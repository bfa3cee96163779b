/* SPDX-License-Identifier: MIT */
/*
 * bench_dataplane's frames: per worker, SET pristine frames built once
 * per case (encrypt: Ethernet + IPv4 + UDP toward addresses inside the
 * peers' AllowedIPs; decrypt: WireGuard frames pre-encrypted with each
 * peer's keys, counters increasing per peer, the inner IP id carrying the
 * sequence), and their restore into the mbufs before each burst, outside
 * the timed section.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_udp.h>

#include "bench_dataplane.h"
#include "gw_crypto.h"
#include "wg_replay.h"

/* xorshift64: the same pseudo-random peers and prefixes on every run */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* IPv4 + UDP headers of a packet of len bytes (the inner packet, or the
 * outer one of a WireGuard frame). */
static void put_ipv4(uint8_t *b, uint32_t src, uint32_t dst, uint16_t len,
		     uint16_t id)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(10000);
	udp->dst_port = rte_cpu_to_be_16(20000);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(*ip)));
	udp->dgram_cksum = 0;
}

static void put_eth(uint8_t *b, const uint8_t *dst, const uint8_t *src)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)b;

	memcpy(eh->dst_addr.addr_bytes, dst, 6);
	memcpy(eh->src_addr.addr_bytes, src, 6);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
}

/* Worker wi of nw gets peers p with p % nw == wi (one RX queue per peer,
 * as RSS would have it), except that one peer is shared by everybody. */
static uint32_t pick_peer(const struct world *w, unsigned int wi,
			  unsigned int nw)
{
	uint32_t per;

	if (w->n_peers == 1)
		return 0;
	per = w->n_peers / nw;
	return (rnd() % per) * nw + wi;
}

/* Worker wi's frames for a case; cold_payload is --cold (set_restore). */
int set_build(struct world *w, struct wset *s, const struct size_case *sc,
	      bool decrypt, bool cold_payload, unsigned int wi,
	      unsigned int nw)
{
	struct gw_aead_op op;
	uint64_t *ctr = calloc(w->n_peers, sizeof(*ctr));
	uint8_t *seen = calloc(w->n_peers, 1);
	IMB_MGR *mb = w->ctx->workers[0].mb;
	unsigned int i;

	s->pristine = malloc((size_t)SET * FRAME);
	s->reset = calloc(SET, sizeof(*s->reset));
	if (!ctr || !seen || !s->pristine || !s->reset)
		return -ENOMEM;
	s->n_reset = 0;
	s->cold_payload = cold_payload;
	if (rte_pktmbuf_alloc_bulk(w->pool, s->m, SET) != 0)
		return -ENOMEM;
	for (i = 0; i < SET; i++) {
		uint8_t *f = s->pristine + (size_t)i * FRAME;
		uint32_t p = pick_peer(w, wi, nw);
		unsigned int j = rnd() % PREFIXES_PER_PEER;
		uint32_t inner = prefix_addr(p, j) + 1 + rnd() % 14;
		uint16_t size = (uint16_t)sc->sizes[i % sc->n_sizes];
		/* the sequence within a round, checked after decryption */
		uint16_t seq = (uint16_t)(i % ROUND);

		s->peer[i] = p;
		memset(f, 0, FRAME);
		if (!decrypt) {
			put_eth(f, lan_mac, host_mac);
			put_ipv4(f + RTE_ETHER_HDR_LEN, LAN_HOST, inner, size,
				 seq);
			s->len[i] = (uint16_t)(RTE_ETHER_HDR_LEN + size);
		} else {
			struct gw_keypair *kp = w->kps[p];
			uint8_t *ip = f + RTE_ETHER_HDR_LEN;
			uint8_t *udp = ip + sizeof(struct rte_ipv4_hdr);
			uint8_t *wg = udp + sizeof(struct rte_udp_hdr);
			uint8_t *pl = wg + WG_MSG_TRANSPORT_HEADER_LEN;
			uint32_t padded = wg_padded_len(size, MTU);
			uint32_t wg_len = WG_MSG_TRANSPORT_HEADER_LEN + padded +
					  WG_AEAD_TAG_LEN;
			uint32_t ep_ip;
			struct rte_ipv4_hdr *oh = (struct rte_ipv4_hdr *)ip;
			struct rte_udp_hdr *uh = (struct rte_udp_hdr *)udp;

			if (!seen[p]) {
				seen[p] = 1;
				s->reset[s->n_reset++] = kp;
			}
			put_ipv4(pl, inner, LAN_HOST, size, seq);
			memset(&op, 0, sizeof(op));
			op.data = pl;
			op.len = padded;
			op.tag = pl + padded;
			op.key = kp->recv_key;
			op.counter = ctr[p]++;
			gw_aead_encrypt_burst(mb, &op, 1);
			if (!op.ok)
				return -EIO;
			wg_put_le32(wg, WG_MSG_TRANSPORT);
			wg_put_le32(wg + 4, kp->local_index);
			wg_put_le64(wg + 8, op.counter);
			memcpy(&ep_ip, w->eps[p].addr, 4);
			put_eth(f, wan_mac, router_mac);
			put_ipv4(ip, rte_be_to_cpu_32(ep_ip), WAN_ADDR,
				 (uint16_t)(sizeof(*oh) + sizeof(*uh) + wg_len),
				 0);
			uh->src_port = rte_cpu_to_be_16(w->eps[p].port);
			uh->dst_port = rte_cpu_to_be_16(LISTEN);
			uh->dgram_len =
				rte_cpu_to_be_16((uint16_t)(sizeof(*uh) + wg_len));
			s->len[i] = (uint16_t)(RTE_ETHER_HDR_LEN + sizeof(*oh) +
					       sizeof(*uh) + wg_len);
		}
	}
	free(ctr);
	free(seen);
	return 0;
}

void set_free(struct wset *s)
{
	rte_pktmbuf_free_bulk(s->m, SET);
	free(s->pristine);
	free(s->reset);
	memset(s, 0, sizeof(*s));
}

/* Restore frames [from, from + n) to their pristine state. */
void set_restore(struct wset *s, unsigned int from, unsigned int n,
		 bool decrypt)
{
	unsigned int i;

	for (i = from; i < from + n; i++) {
		struct rte_mbuf *m = s->m[i];
		const uint8_t *f = s->pristine + (size_t)i * FRAME;

		m->data_off = RTE_PKTMBUF_HEADROOM;
		m->data_len = s->len[i];
		m->pkt_len = s->len[i];
		/* the whole frame, as a PMD that copies (memif, vhost,
		 * af_packet) leaves it: in this core's cache, as the raw
		 * AEAD's buffers are. Encryption needs only the headers back
		 * (the payload is whatever the last round left), so --cold
		 * restores just those and the payload comes from memory, as
		 * it would behind a DMA NIC without DDIO. */
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), f,
		       decrypt || !s->cold_payload ?
			       s->len[i] :
			       RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr));
	}
}
