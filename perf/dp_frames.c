/* SPDX-License-Identifier: MIT */
/*
 * bench_dataplane's frames (app/gw_testbed_frames.h): per worker, SET
 * pristine frames built once per case (encrypt: Ethernet + IPv4 + UDP
 * toward addresses inside the peers' AllowedIPs; decrypt: WireGuard
 * frames the peers sealed with lib/'s transport, counters increasing per
 * peer, the inner IP id carrying the sequence), and their restore into
 * the mbufs before each burst, outside the timed section.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench_dataplane.h"
#include "gw_testbed.h"
#include "gw_testbed_frames.h"

/* xorshift64: the same pseudo-random peers and prefixes on every run */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
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
	uint64_t *ctr = calloc(w->n_peers, sizeof(*ctr));
	uint8_t *seen = calloc(w->n_peers, 1);
	uint8_t inner_pkt[FRAME];
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
			gw_tb_put_eth(f, lan_mac, host_mac, RTE_ETHER_TYPE_IPV4);
			gw_tb_put_ipv4_udp(f + RTE_ETHER_HDR_LEN, LAN_HOST,
					   inner, size, seq);
			s->len[i] = (uint16_t)(RTE_ETHER_HDR_LEN + size);
		} else {
			/* the peer's message, sealed by lib/'s transport
			 * with the peer's side of the session */
			struct wg_keypair k, sender;
			struct gw_tb_outer o;
			uint32_t ep_ip;

			if (!seen[p]) {
				seen[p] = 1;
				s->reset[s->n_reset++] = w->kps[p];
			}
			world_keys(p, &k);
			gw_testbed_peer_side(&k, &sender);
			memcpy(&ep_ip, w->eps[p].addr, 4);
			gw_tb_outer4(&o, router_mac, wan_mac,
				     rte_be_to_cpu_32(ep_ip), w->eps[p].port,
				     WAN_ADDR, LISTEN);
			if (gw_tb_sealed_frame_len(&o, size, MTU) > FRAME)
				return -EINVAL;
			gw_tb_put_ipv4_udp(inner_pkt, inner, LAN_HOST, size, seq);
			s->len[i] = (uint16_t)gw_tb_seal_frame(
				f, &o, &sender, ctr[p]++, inner_pkt, size, MTU, 0);
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
