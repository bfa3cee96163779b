/* SPDX-License-Identifier: MIT */
/*
 * LAN → WAN: classify a burst of cleartext frames, look up their peers
 * in bulk, take the nonces of each keypair with one fetch-add, encrypt
 * the burst in place with ipsec-mb and put the outer headers in front.
 */
#include "gw_worker_priv.h"

#include "gw_forward.h"
#include "gw_policy.h"
#include "gw_spread.h"

/* ------------------------------------------------------------ encap */

struct encap_item {
	struct rte_mbuf *m;
	struct gw_peer *peer;
};

/* Sending counters taken for a burst: one fetch-add per keypair. */
struct nonce_res {
	struct gw_keypair *kp;
	uint64_t next;
	uint32_t n;
};

#define NO_RES 0xff

/* Where a burst's keypairs sit in res[]: open addressing on the pointer,
 * twice as many slots as a burst can hold. With many peers a burst has
 * as many keypairs as packets, and a scan of res[] per packet cost some
 * 100 instructions a packet at 32. */
enum { RES_SLOTS = 2 * GW_BURST };
static_assert((RES_SLOTS & (RES_SLOTS - 1)) == 0 && GW_BURST < NO_RES,
	      "a mask of slots; NO_RES is no index");

static inline unsigned int res_of(struct nonce_res *res, uint8_t *res_at,
				  unsigned int *n_res, struct gw_keypair *kp)
{
	/* keypairs are cache-line aligned: the line number, mixed */
	unsigned int h = (unsigned int)(((uintptr_t)kp >> 6) * 0x9e3779b1u >>
					16) & (RES_SLOTS - 1);

	while (res_at[h] != NO_RES && res[res_at[h]].kp != kp)
		h = (h + 1) & (RES_SLOTS - 1);
	if (res_at[h] == NO_RES) {
		res_at[h] = (uint8_t)*n_res;
		res[(*n_res)++] = (struct nonce_res){ .kp = kp };
	}
	return res_at[h];
}

/* Outer Ethernet + IPv4 + UDP headers toward one next hop from one of our
 * addresses, built once per burst by the slow path (gw_udp_prepend +
 * eth_out) and copied into the following frames that leave through the
 * same next hop from the same address: only the destination address and
 * port and the lengths differ, and the IPv4 checksum follows from the sum
 * of the rest. With many peers behind one router (the usual WAN), every
 * IPv4 endpoint takes this path, not just a burst's repeated one. */
enum { OUT4_LEN = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) +
		  sizeof(struct rte_udp_hdr),
       /* everything put in front of the encrypted packet, over IPv6 */
       OUTER_MAX = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr) +
		   sizeof(struct rte_udp_hdr) + WG_MSG_TRANSPORT_HEADER_LEN };

struct out4_tmpl {
	bool valid;
	uint32_t nh;                   /* next hop, network order */
	uint32_t src;                  /* our address in the header */
	uint32_t sum;                  /* IPv4 header without dst, length,
					* checksum */
	uint8_t h[OUT4_LEN];
};

static void out4_learn(struct out4_tmpl *t, uint32_t nh, const uint8_t *frame)
{
	struct rte_ipv4_hdr *ip =
		(struct rte_ipv4_hdr *)(t->h + RTE_ETHER_HDR_LEN);

	memcpy(t->h, frame, OUT4_LEN);
	ip->total_length = 0;
	ip->hdr_checksum = 0;
	ip->dst_addr = 0;
	t->sum = __rte_raw_cksum(ip, sizeof(*ip), 0);
	t->src = ip->src_addr;
	t->nh = nh;
	t->valid = true;
}

static void out4_put(const struct out4_tmpl *t, uint8_t *h, uint32_t dst,
		     uint16_t port, uint32_t msg_len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(h + RTE_ETHER_HDR_LEN);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t udp_len = (uint16_t)(msg_len + sizeof(*udp));

	memcpy(h, t->h, OUT4_LEN);
	ip->dst_addr = dst;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(udp_len + sizeof(*ip)));
	/* what rte_ipv4_cksum() computes over the whole header: the raw
	 * sum adds the header's 16-bit words as they lie in memory */
	ip->hdr_checksum = (uint16_t)~__rte_raw_cksum_reduce(
		t->sum + (dst & 0xffff) + (dst >> 16) + ip->total_length);
	udp->dst_port = rte_cpu_to_be_16(port);
	udp->dgram_len = rte_cpu_to_be_16(udp_len);
}

/* The template's next hop and source for an IPv4 endpoint; false when
 * there is no next hop (the slow path drops and counts it). */
static inline bool out4_route(const struct gw_port *wan, uint32_t dst,
			      uint32_t *nh, uint32_t *src)
{
	uint8_t hop[16];

	/* a WAN port with one IPv4 address (the usual one): with many
	 * peers every packet has its own endpoint and asks this, and the
	 * calls below (on-link check, then the source, each a loop over
	 * the addresses) cost some 100 instructions a packet; this is
	 * what they answer for one address: on its prefix the endpoint
	 * itself, else the gateway; the source that address either way */
	if (wan->n_addr4 == 1) {
		*src = wan->addr4[0];
		if (gw_prefix_match4(wan->addr4[0], dst, wan->plen4[0])) {
			*nh = dst;
			return true;
		}
		if (!wan->has_gateway ||
		    wan->gateway.family != WG_FAMILY_V4)
			return false;
		memcpy(nh, wan->gateway.addr, 4);
		return true;
	}
	if (!gw_nexthop(wan, WG_FAMILY_V4, (const uint8_t *)&dst, hop))
		return false;
	memcpy(nh, hop, 4);
	*src = gw_port_src4(wan, dst);
	return true;
}

/* With many peers every keypair, endpoint and activity slot is a cache
 * miss: ask for a peer's (its line must be in, or this waits for it). */
static inline void peer_lines_prefetch(const struct gw_lcore *lc,
				       struct gw_peer *peer)
{
	struct gw_keypair *kp = gw_kp_load(&peer->kp_current);

	if (kp)
		rte_prefetch0(kp->send_key);
	rte_prefetch0(gw_peer_endpoint(peer));
	__builtin_prefetch(&peer->act[lc->worker_idx], 1, 3);
}

/*
 * Encrypt the items in place and queue the frames for WAN TX. Items
 * whose peer has no usable keypair go to the control lcore to wait for a
 * handshake (it owns the per-peer staged queue). prefetched: the caller
 * already asked for every item's peer lines (peer_lines_prefetch).
 */
static void encap_burst(struct gw_lcore *lc, struct encap_item *items,
			unsigned int n, struct gw_txbuf *wan_tx, uint64_t now,
			bool prefetched)
{
	struct gw_aead_op ops[GW_BURST];
	struct encap_item ready[GW_BURST];
	const struct wg_endpoint *eps[GW_BURST];
	uint32_t remote[GW_BURST];
	struct nonce_res res[GW_BURST];
	uint8_t res_at[RES_SLOTS];
	uint8_t ri[GW_BURST];
	struct nh_cache nc = { 0 };
	struct act_run run = { 0 };
	struct out4_tmpl t4 = { .valid = false };
	const struct gw_port *wan = &lc->ctx->port[GW_WAN];
	const struct wg_endpoint *route_ep = NULL;
	uint32_t dst4 = 0, nh4 = 0, src4 = 0;
	bool v4 = false;
	struct gw_peer *last = NULL;
	const struct wg_endpoint *ep = NULL;
	uint16_t mtu = lc->ctx->mtu;
	unsigned int i, j, k = 0, n_res = 0;
	unsigned int cur = NO_RES;

	memset(res_at, NO_RES, sizeof(res_at));
	/* 0: start them all before the first is needed */
	for (i = 0; !prefetched && i < n; i++) {
		if (items[i].peer != last) {
			last = items[i].peer;
			peer_lines_prefetch(lc, last);
		}
	}
	last = NULL;

	/* 1: the keypair of each item; a run of one peer looks it up once */
	for (i = 0; i < n; i++) {
		struct gw_peer *peer = items[i].peer;

		if (peer != last) {
			struct gw_keypair *kp = gw_kp_load(&peer->kp_current);

			last = peer;
			ep = gw_peer_endpoint(peer);
			cur = NO_RES;
			/* signed: now was read before this loop iteration
			 * and the control lcore may have installed kp since
			 * (born "after" now, age 0, not expired) */
			if (kp && (int64_t)(now - kp->birth_ns) <
					  (int64_t)lc->ctx->reject_after_ns)
				cur = res_of(res, res_at, &n_res, kp);
		}
		ri[i] = (uint8_t)cur;
		eps[i] = ep;
		if (cur != NO_RES)
			res[cur].n++;
		if (ep)
			rte_prefetch0(ep);
	}
	/* 2: one fetch-add per keypair; a packet dropped later leaves a gap
	 * in the counters, which the receiver's window accepts */
	for (j = 0; j < n_res; j++)
		res[j].next = __atomic_fetch_add(&res[j].kp->send_counter,
						 res[j].n, __ATOMIC_RELAXED);

	/* 3: pad, and one AEAD op per packet */
	for (i = 0; i < n; i++) {
		struct encap_item *it = &items[i];
		struct rte_mbuf *m = it->m;
		uint32_t len = m->pkt_len, padded;
		struct gw_keypair *kp;
		uint64_t counter;
		uint8_t *tail;

		/* first: with no endpoint no handshake can be sent, so
		 * nothing may wait for one on the control lcore (a scan of
		 * configured but absent peers would fill the staging budget
		 * and the control ring) */
		if (!eps[i]) {
			drop(lc, m, GW_CTR_DROP_PEER_WITHOUT_ENDPOINT);
			continue;
		}
		if (ri[i] == NO_RES) {
			to_control(lc, m, GW_CTRL_STAGE, it->peer->id);
			continue;
		}
		kp = res[ri[i]].kp;
		counter = res[ri[i]].next++;
		if (counter >= WG_REJECT_AFTER_MESSAGES) {
			/* used up: the control lcore holds it and starts a
			 * handshake */
			to_control(lc, m, GW_CTRL_STAGE, it->peer->id);
			continue;
		}
		padded = wg_padded_len(len, mtu);
		tail = seg_append(m, (uint16_t)(padded - len +
						WG_AEAD_TAG_LEN));
		if (!tail) {
			drop(lc, m, GW_CTR_DROP_NO_HEADROOM_OR_TAILROOM);
			continue;
		}
		if (padded != len)
			memset(tail, 0, padded - len);
		/* the outer headers go into the headroom, a line nobody has
		 * touched since the NIC wrote the frame behind it: ask for it
		 * now, so that it is here when the burst leaves ipsec-mb */
		rte_prefetch0_write(rte_pktmbuf_mtod(m, uint8_t *) -
				    OUTER_MAX);
		rte_prefetch0_write(rte_pktmbuf_mtod(m, uint8_t *) - 1);
		/* field by field: a compound literal would also zero the
		 * nonce and tag scratch the burst function fills anyway */
		ops[k].data = rte_pktmbuf_mtod(m, uint8_t *);
		ops[k].len = padded;
		ops[k].tag = ops[k].data + padded;
		ops[k].key = kp->send_key;
		ops[k].counter = counter;
		remote[k] = kp->remote_index;
		eps[k] = eps[i];
		ready[k++] = *it;
	}
	if (!k)
		return;

	/* 4: the whole burst through ipsec-mb */
	gw_aead_encrypt_burst(lc->mb, ops, k);

	/* 5: outer headers in the headroom, then TX */
	for (i = 0; i < k; i++) {
		struct encap_item *it = &ready[i];
		struct rte_mbuf *m = it->m;
		uint32_t msg_len = ops[i].len + WG_MSG_TRANSPORT_MIN_LEN;
		uint8_t *wg;

		if (!ops[i].ok) {
			drop(lc, m, GW_CTR_DROP_NO_HEADROOM_OR_TAILROOM);
			continue;
		}
		wg = (uint8_t *)rte_pktmbuf_prepend(
			m, WG_MSG_TRANSPORT_HEADER_LEN);
		if (!wg) {
			drop(lc, m, GW_CTR_DROP_NO_HEADROOM_OR_TAILROOM);
			continue;
		}
		/* before the UDP header: over IPv6 its checksum covers this */
		wg_put_le32(wg, WG_MSG_TRANSPORT);
		wg_put_le32(wg + 4, remote[i]);
		wg_put_le64(wg + 8, ops[i].counter);
		/* a run of one endpoint routes once */
		if (eps[i] != route_ep) {
			route_ep = eps[i];
			v4 = route_ep->family == WG_FAMILY_V4;
			if (v4) {
				memcpy(&dst4, route_ep->addr, 4);
				v4 = out4_route(wan, dst4, &nh4, &src4);
			}
		}
		if (v4 && t4.valid && t4.nh == nh4 && t4.src == src4) {
			uint8_t *h = (uint8_t *)rte_pktmbuf_prepend(m,
								    OUT4_LEN);

			if (!h) {
				drop(lc, m,
				     GW_CTR_DROP_NO_HEADROOM_OR_TAILROOM);
				continue;
			}
			out4_put(&t4, h, dst4, eps[i]->port, msg_len);
		} else {
			if (!gw_udp_prepend(lc->ctx, m, eps[i], msg_len)) {
				drop(lc, m,
				     GW_CTR_DROP_NO_HEADROOM_OR_TAILROOM);
				continue;
			}
			if (!eth_out(lc, GW_WAN, m, eps[i]->family,
				     eps[i]->addr, &nc))
				continue;
			if (v4)
				out4_learn(&t4, nh4,
					   rte_pktmbuf_mtod(m, uint8_t *));
		}
		if (it->peer != run.peer) {
			act_flush_tx(lc, &run, now);
			run.peer = it->peer;
		}
		run.bytes += msg_len;
		run.packets++;
		if (ops[i].len) {
			run.data = true;
			gw_count(lc->stats, GW_CTR_ENCRYPTED_PACKETS, 1);
		} else {
			gw_count(lc->stats, GW_CTR_KEEPALIVES_SENT, 1);
		}
		wan_tx->m[wan_tx->n++] = m;
	}
	act_flush_tx(lc, &run, now);
}

unsigned int gw_encap_send(struct gw_lcore *lc, struct gw_peer *peer,
			   struct rte_mbuf **pkts, unsigned int n)
{
	struct encap_item items[GW_BURST];
	struct gw_txbuf tx = { .n = 0 };
	uint64_t now = gw_now_ns(lc->ctx);
	unsigned int i, done = 0, sent = 0;

	while (done < n) {
		unsigned int k = RTE_MIN(n - done, (unsigned int)GW_BURST);

		for (i = 0; i < k; i++)
			items[i] = (struct encap_item){ .m = pkts[done + i],
							.peer = peer };
		encap_burst(lc, items, k, &tx, now, false);
		sent += tx.n;
		gw_tx_flush(lc, GW_WAN, &tx);
		done += k;
	}
	gw_drop_flush(lc);
	return sent;
}

/* --------------------------------------------------------- LAN → WAN */

/* How many kept items behind step 3 asks for a peer's lines: one packet's
 * checks take some 80 cycles here, a peer line a few hundred. */
enum { PEER_AHEAD = 4 };

/* Per-peer policy on the packets about to be encrypted (IP at offset 0):
 * the to_peer limit, and reflexive entries for peers with an acl. Only
 * called when some peer has a policy; returns how many items remain. */
static unsigned int policy_to_peer(struct gw_lcore *lc,
				   struct encap_item *items, unsigned int n,
				   uint64_t now)
{
	struct gw_peer *peer[GW_BURST];
	uint8_t *ip[GW_BURST];
	uint32_t len[GW_BURST];
	bool v6[GW_BURST];
	enum gw_counter why[GW_BURST];
	unsigned int i, kept = 0;

	for (i = 0; i < n; i++) {
		peer[i] = items[i].peer;
		ip[i] = rte_pktmbuf_mtod(items[i].m, uint8_t *);
		len[i] = items[i].m->pkt_len;
		v6[i] = ip[i][0] >> 4 == 6;
	}
	gw_policy_to_peer(lc, peer, ip, len, v6, n, now, why);
	for (i = 0; i < n; i++) {
		if (likely(why[i] == GW_CTR_MAX))
			items[kept++] = items[i];
		else
			peer_drop(lc, items[i].peer, items[i].m, why[i]);
	}
	return kept;
}

void gw_lan_burst(struct gw_lcore *lc, struct rte_mbuf **pkts, unsigned int n,
		  struct gw_txbuf *wan_tx, uint64_t now)
{
	struct gw_ctx *ctx = lc->ctx;
	struct gw_tables *t = ctx->tables;
	struct gw_port *port = &ctx->port[GW_LAN];
	struct encap_item items[GW_BURST];
	uint32_t ip_len[GW_BURST];
	bool v6[GW_BURST];
	uint32_t ip4[GW_BURST];
	uint64_t nh4[GW_BURST];
	uint8_t at4[GW_BURST];
	unsigned int i, k = 0, n4 = 0, kept = 0;

	gw_count(lc->stats, GW_CTR_RX_LAN_PACKETS, n);
	note_full(lc, n, now);
	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));

	/* 1: parse; IPv4 destinations are looked up below, in bulk */
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct rte_ether_hdr *eh;
		struct gw_peer *peer = NULL;
		uint16_t et;
		uint32_t len;

		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD],
						       void *));
		if (!rte_pktmbuf_is_contiguous(m)) {
			drop(lc, m, GW_CTR_DROP_MULTISEGMENT);
			continue;
		}
		if (m->data_len < RTE_ETHER_HDR_LEN) {
			drop(lc, m, GW_CTR_DROP_MALFORMED);
			continue;
		}
		eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		et = rte_be_to_cpu_16(eh->ether_type);
		if (!rte_is_same_ether_addr(&eh->dst_addr, &port->mac) &&
		    !rte_is_multicast_ether_addr(&eh->dst_addr)) {
			drop(lc, m, GW_CTR_DROP_NOT_FOR_US);
			continue;
		}
		if (et == RTE_ETHER_TYPE_ARP) {
			to_control(lc, m, GW_CTRL_LOCAL, GW_LAN);
			continue;
		}
		if (et == RTE_ETHER_TYPE_IPV4) {
			struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);

			if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip) ||
			    (ip->version_ihl >> 4) != 4) {
				drop(lc, m, GW_CTR_DROP_MALFORMED);
				continue;
			}
			len = rte_be_to_cpu_16(ip->total_length);
			if (gw_port_has_addr4(port, ip->dst_addr)) {
				to_control(lc, m, GW_CTRL_LOCAL, GW_LAN);
				continue;
			}
			/* link-layer broadcast or multicast stays on the LAN,
			 * whatever the IP destination says */
			if (rte_is_multicast_ether_addr(&eh->dst_addr)) {
				drop(lc, m, GW_CTR_DROP_MARTIAN_DESTINATION);
				continue;
			}
			ip4[n4] = rte_be_to_cpu_32(ip->dst_addr);
			at4[n4++] = (uint8_t)k;
		} else if (et == RTE_ETHER_TYPE_IPV6) {
			struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eh + 1);

			if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip)) {
				drop(lc, m, GW_CTR_DROP_MALFORMED);
				continue;
			}
			len = sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len);
			if (is_nd_or_local6(port, ip)) {
				to_control(lc, m, GW_CTRL_LOCAL, GW_LAN);
				continue;
			}
			if (rte_is_multicast_ether_addr(&eh->dst_addr)) {
				drop(lc, m, GW_CTR_DROP_MARTIAN_DESTINATION);
				continue;
			}
			peer = gw_route6(t, ip->dst_addr);
		} else {
			drop(lc, m, GW_CTR_DROP_UNKNOWN_PROTOCOL);
			continue;
		}
		if (len + RTE_ETHER_HDR_LEN > m->data_len) {
			if (et == RTE_ETHER_TYPE_IPV4)
				n4--;
			drop(lc, m, GW_CTR_DROP_MALFORMED);
			continue;
		}
		ip_len[k] = len;
		v6[k] = et == RTE_ETHER_TYPE_IPV6;
		items[k++] = (struct encap_item){ .m = m, .peer = peer };
	}

	/* 2: AllowedIPs, one bulk lookup for the burst */
	if (n4) {
		gw_route4_bulk(t, ip4, nh4, n4);
		/* with many peers the slots are misses too: all at once */
		for (i = 0; i < n4; i++)
			if (nh4[i] < t->max_peers)
				rte_prefetch0(&t->peers[nh4[i]]);
		for (i = 0; i < n4; i++) {
			struct gw_peer *p = gw_tables_peer(t, (uint32_t)nh4[i]);

			items[at4[i]].peer = p;
			if (p)
				rte_prefetch0(p);
		}
	}

	/* 3: route, router and size checks; keep the IP packet only */
	for (i = 0; i < k; i++) {
		struct rte_mbuf *m = items[i].m;
		struct gw_peer *peer = items[i].peer;
		uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *,
						      RTE_ETHER_HDR_LEN);
		enum gw_counter why;

		if (!peer) {
			drop(lc, m, GW_CTR_DROP_NO_ALLOWED_IP);
			continue;
		}
		why = gw_forward_check(port, l3, ip_len[i], v6[i], false);
		if (why == GW_CTR_DROP_TTL_EXCEEDED) {
			/* the control lcore answers with ICMP */
			to_control(lc, m, GW_CTRL_TTL, GW_CTRL_FROM_LAN);
			continue;
		}
		if (why != GW_CTR_MAX) {
			drop(lc, m, why);
			continue;
		}
		if (ip_len[i] > ctx->mtu) {
			/* the control lcore answers with ICMP */
			to_control(lc, m, GW_CTRL_TOO_BIG, GW_LAN);
			continue;
		}
		gw_hop_dec(l3, v6[i]);
		/* no Ethernet header, no Ethernet padding */
		rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
		seg_trim(m, m->pkt_len - ip_len[i]);
		if (gw_mss_clamp(rte_pktmbuf_mtod(m, uint8_t *), ip_len[i],
				 ctx->mss4, ctx->mss6))
			gw_count(lc->stats, GW_CTR_TCP_MSS_CLAMPED, 1);
		items[kept++] = items[i];
		/* the peer lines step 2 asked for are in by now for the item
		 * PEER_AHEAD kept ones back: its keypair, endpoint and
		 * activity slot start loading here, under the checks of the
		 * items after it, not in encap_burst right before the first
		 * keypair read */
		if (kept > PEER_AHEAD) {
			unsigned int b = kept - 1 - PEER_AHEAD;

			if (!b || items[b].peer != items[b - 1].peer)
				peer_lines_prefetch(lc, items[b].peer);
		}
	}
	/* the last few kept, whose peer lines step 3 did not ask for */
	for (i = kept > PEER_AHEAD ? kept - PEER_AHEAD : 0; i < kept; i++)
		if (!i || items[i].peer != items[i - 1].peer)
			peer_lines_prefetch(lc, items[i].peer);
	if (kept && gw_policy_active(ctx))
		kept = policy_to_peer(lc, items, kept, now);
	if (kept)
		encap_burst(lc, items, kept, wan_tx, now, true);
	gw_drop_flush(lc);
}
