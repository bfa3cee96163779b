/* SPDX-License-Identifier: MIT */
/*
 * WAN → LAN: classify WireGuard messages, look up receiver indexes in
 * bulk, pre-check the replay window, decrypt the burst with ipsec-mb,
 * update the window after authentication, check the inner source
 * against the peer's AllowedIPs (see gw_decap.h). Which worker runs a
 * burst's two steps is gw_spread.c's choice.
 */
#include "gw_decap.h"

#include "gw_forward.h"
#include "gw_policy.h"
#include "gw_worker_priv.h"

/* Two endpoints equal, in two word compares rather than a memcmp call:
 * every authenticated packet asks. */
static inline bool same_endpoint(const struct wg_endpoint *a,
				 const struct wg_endpoint *b)
{
	uint64_t a0, a1, b0, b1;

	memcpy(&a0, a->addr, 8);
	memcpy(&a1, a->addr + 8, 8);
	memcpy(&b0, b->addr, 8);
	memcpy(&b1, b->addr + 8, 8);
	return a->family == b->family && a->port == b->port &&
	       ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

/* Per-peer policy on authenticated packets whose source passed (the
 * others are left to the source check): the acl, then the from_peer
 * limit. Only called when some peer has a policy. */
static void policy_from_peer(struct gw_lcore *lc, struct gw_decap_item *items,
			     struct gw_peer *const *peers,
			     struct gw_peer *const *owner,
			     const struct gw_aead_op *ops,
			     const uint32_t *ip_len, const uint8_t *family,
			     uint8_t *live, unsigned int n, uint64_t now)
{
	struct gw_peer *peer[GW_BURST];
	uint8_t *ip[GW_BURST];
	uint32_t len[GW_BURST];
	bool v6[GW_BURST];
	enum gw_counter why[GW_BURST];
	unsigned int at[GW_BURST], i, k = 0;

	for (i = 0; i < n; i++) {
		if (!live[i] || owner[i] != peers[i] || ip_len[i] < 20 ||
		    ip_len[i] > ops[i].len)
			continue;
		peer[k] = peers[i];
		ip[k] = ops[i].data;
		len[k] = ip_len[i];
		v6[k] = family[i] == WG_FAMILY_V6;
		at[k++] = i;
	}
	gw_policy_from_peer(lc, peer, ip, len, v6, k, now, why);
	for (i = 0; i < k; i++)
		if (unlikely(why[i] != GW_CTR_MAX)) {
			live[at[i]] = 0;
			peer_drop(lc, peer[i], items[at[i]].m, why[i]);
		}
}

void gw_decap_burst(struct gw_lcore *lc, struct gw_decap_item *items,
		    unsigned int n, struct rte_mbuf **out, unsigned int *n_out,
		    uint64_t now)
{
	struct gw_ctx *ctx = lc->ctx;
	struct gw_tables *t = ctx->tables;
	struct gw_aead_op ops[GW_BURST];
	struct gw_peer *peers[GW_BURST];
	struct gw_peer *owner[GW_BURST];
	uint32_t ip_len[GW_BURST];
	uint8_t family[GW_BURST];
	uint8_t *dst[GW_BURST];
	uint8_t live[GW_BURST];
	uint8_t fresh[GW_BURST];
	uint32_t ip4[GW_BURST];
	uint64_t nh4[GW_BURST];
	uint8_t at4[GW_BURST];
	struct nh_cache nc = { 0 };
	struct act_run run = { 0 };
	struct gw_peer *data_peer = NULL;
	unsigned int i, n4 = 0, o = 0;

	/* 0: classification (on this worker) read the headers and asked
	 * for the keys; the ciphertext is what ipsec-mb reads first */
	for (i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod_offset(items[i].m, void *,
						      items[i].outer_len));

	/* 1: one AEAD op per packet; the peers' lines start loading */
	for (i = 0; i < n; i++) {
		struct gw_decap_item *it = &items[i];
		uint8_t *data = rte_pktmbuf_mtod_offset(it->m, uint8_t *,
							it->outer_len);
		uint32_t len = it->m->pkt_len - it->outer_len -
			       WG_AEAD_TAG_LEN;

		/* field by field: the nonce and tag scratch are the burst
		 * function's to fill */
		ops[i].data = data;
		ops[i].len = len;
		ops[i].tag = data + len;
		ops[i].key = it->kp->recv_key;
		ops[i].counter = it->counter;
		peers[i] = gw_tables_peer(t, it->kp->rx_peer_id);
		if (peers[i]) {
			rte_prefetch0(peers[i]);
			rte_prefetch0(&peers[i]->act[lc->worker_idx]);
		}
	}

	/* 2: the whole burst through ipsec-mb */
	gw_aead_decrypt_burst(lc->mb, ops, n);
	/* the peers' lines are in by now; their endpoints (the roaming
	 * check below) are the next misses */
	for (i = 0; i < n; i++)
		if (peers[i])
			rte_prefetch0(gw_peer_endpoint(peers[i]));

	/* only an authenticated counter may move the window: once per run
	 * of consecutive counters of one keypair (one tunnel's burst is
	 * one run: one raise of the window's top, a CAS per 32 counters) */
	for (i = 0; i < n;) {
		unsigned int j = i + 1, r;
		uint64_t acc;

		if (!ops[i].ok) {
			fresh[i++] = 0;
			continue;
		}
		while (j < n && j - i < 64 && ops[j].ok &&
		       items[j].kp == items[i].kp &&
		       ops[j].counter == ops[i].counter + (j - i))
			j++;
		acc = j - i == 1 ?
			      wg_replay_update(&items[i].kp->replay,
					       ops[i].counter) :
			      wg_replay_update_run(&items[i].kp->replay,
						   ops[i].counter, j - i);
		for (r = i; r < j; r++)
			fresh[r] = (uint8_t)(acc >> (r - i) & 1);
		i = j;
	}

	/* 3: authenticated: replay window, session and endpoint events,
	 * activity; parse the inner header */
	for (i = 0; i < n; i++) {
		struct gw_decap_item *it = &items[i];
		struct gw_keypair *kp = it->kp;
		struct gw_peer *peer = peers[i];
		const struct wg_endpoint *ep;
		uint8_t *inner;

		live[i] = 0;
		if (!ops[i].ok) {
			peer_drop(lc, peer, it->m,
				  GW_CTR_DROP_AUTHENTICATION_FAILED);
			continue;
		}
		if (!fresh[i]) {
			peer_drop(lc, peer, it->m,
				  wg_replay_outside(&kp->replay,
						    ops[i].counter) ?
					  GW_CTR_DROP_COUNTER_OUTSIDE_WINDOW :
					  GW_CTR_DROP_REPLAYED_COUNTER);
			continue;
		}
		if (!peer) {
			drop(lc, it->m, GW_CTR_DROP_UNKNOWN_RECEIVER_INDEX);
			continue;
		}
		/* the responder's new session is confirmed by its first
		 * packet: the control lcore rotates the slots. If the ring
		 * is full its tick finds the flag (nothing lost). */
		if (kp == gw_kp_load(&peer->kp_next) &&
		    !__atomic_exchange_n(&kp->used_reported, 1,
					 __ATOMIC_RELEASE)) {
			struct gw_event ev = { .kind = GW_EV_KEYPAIR_USED,
					       .peer_id = peer->id,
					       .local_index = kp->local_index };
			(void)post_event(lc, &ev);
		}
		/* roaming: authenticated packets from elsewhere move the
		 * endpoint, one event per change (the flag); on a full
		 * ring the next packet tries again */
		ep = gw_peer_endpoint(peer);
		if ((!ep || !same_endpoint(ep, &it->src)) &&
		    !__atomic_load_n(&peer->endpoint_pending,
				     __ATOMIC_RELAXED) &&
		    !__atomic_exchange_n(&peer->endpoint_pending, 1,
					 __ATOMIC_ACQ_REL)) {
			struct gw_event ev = { .kind = GW_EV_ENDPOINT,
					       .peer_id = peer->id,
					       .ep = it->src };

			if (!post_event(lc, &ev)) {
				__atomic_store_n(&peer->endpoint_pending, 0,
						 __ATOMIC_RELEASE);
				gw_count(lc->stats, GW_CTR_DROP_EVENT_RING_FULL,
					 1);
			}
		}
		if (peer != run.peer) {
			act_flush_rx(lc, &run, now);
			run.peer = peer;
		}
		run.bytes += ops[i].len + WG_MSG_TRANSPORT_MIN_LEN;
		run.packets++;
		if (ops[i].len == 0) {
			drop(lc, it->m, GW_CTR_KEEPALIVES_RECEIVED);
			continue;
		}
		inner = ops[i].data;
		if (inner[0] >> 4 != 4 && inner[0] >> 4 != 6) {
			peer_drop(lc, peer, it->m, GW_CTR_DROP_INNER_NOT_IP);
			continue;
		}
		if (ops[i].len >= sizeof(struct rte_ipv4_hdr) &&
		    inner[0] >> 4 == 4) {
			struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)inner;

			/* no options, no fragments: a gateway that checks
			 * inner sources forwards only plain datagrams */
			if ((inner[0] & 0xf) < 5) {
				peer_drop(lc, peer, it->m,
					  GW_CTR_DROP_INNER_BAD_LENGTH);
				continue;
			}
			if ((inner[0] & 0xf) > 5) {
				peer_drop(lc, peer, it->m,
					  GW_CTR_DROP_INNER_IP_OPTIONS);
				continue;
			}
			if (ip->fragment_offset &
			    rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
					     RTE_IPV4_HDR_OFFSET_MASK)) {
				peer_drop(lc, peer, it->m,
					  GW_CTR_DROP_INNER_FRAGMENT);
				continue;
			}
			family[i] = WG_FAMILY_V4;
			ip_len[i] = rte_be_to_cpu_16(ip->total_length);
			dst[i] = (uint8_t *)&ip->dst_addr;
			ip4[n4] = rte_be_to_cpu_32(ip->src_addr);
			at4[n4++] = (uint8_t)i;
			owner[i] = NULL;
		} else if (ops[i].len >= sizeof(struct rte_ipv6_hdr) &&
			   inner[0] >> 4 == 6) {
			struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)inner;

			if (ip->proto == IPPROTO_FRAGMENT) {
				peer_drop(lc, peer, it->m,
					  GW_CTR_DROP_INNER_FRAGMENT);
				continue;
			}
			family[i] = WG_FAMILY_V6;
			ip_len[i] = sizeof(*ip) +
				    rte_be_to_cpu_16(ip->payload_len);
			dst[i] = ip->dst_addr;
			owner[i] = gw_route6(t, ip->src_addr);
		} else {
			/* IP, but shorter than its fixed header */
			peer_drop(lc, peer, it->m,
				  GW_CTR_DROP_INNER_BAD_LENGTH);
			continue;
		}
		live[i] = 1;
	}
	act_flush_rx(lc, &run, now);

	/* 4: the inner sources' owners, one bulk lookup */
	if (n4) {
		gw_route4_bulk(t, ip4, nh4, n4);
		for (i = 0; i < n4; i++)
			owner[at4[i]] = gw_tables_peer(t, (uint32_t)nh4[i]);
	}

	/* 4b: the peers' rate limits and access rules */
	if (gw_policy_active(ctx))
		policy_from_peer(lc, items, peers, owner, ops, ip_len, family,
				 live, n, now);

	/* 5: source check, outer headers off, Ethernet on */
	for (i = 0; i < n; i++) {
		struct gw_decap_item *it = &items[i];
		struct rte_mbuf *m = it->m;
		bool v6 = family[i] == WG_FAMILY_V6;
		enum gw_counter why;

		if (!live[i])
			continue;
		if (ip_len[i] > ops[i].len || ip_len[i] < 20) {
			peer_drop(lc, peers[i], m,
				  GW_CTR_DROP_INNER_BAD_LENGTH);
			continue;
		}
		if (owner[i] != peers[i]) {
			peer_drop(lc, peers[i], m,
				  GW_CTR_DROP_INNER_SOURCE_NOT_ALLOWED);
			continue;
		}
		why = gw_forward_check(&ctx->port[GW_LAN], ops[i].data,
				       ip_len[i], v6, true);
		if (why == GW_CTR_DROP_TTL_EXCEEDED) {
			/* the inner packet alone: the control lcore answers
			 * through the tunnel */
			rte_pktmbuf_adj(m, it->outer_len);
			seg_trim(m, m->pkt_len - ip_len[i]);
			/* the peer's count here, the global one where the
			 * control lcore takes it (or the ring is full) */
			gw_peer_count_drop(peers[i], lc->worker_idx, why, 1);
			to_control(lc, m, GW_CTRL_TTL, peers[i]->id);
			continue;
		}
		if (why != GW_CTR_MAX) {
			peer_drop(lc, peers[i], m, why);
			continue;
		}
		gw_hop_dec(ops[i].data, v6);
		gw_count(lc->stats, GW_CTR_DECRYPTED_PACKETS, 1);
		/* one store per run of packets of one peer */
		if (peers[i] != data_peer) {
			data_peer = peers[i];
			__atomic_store_n(
				&data_peer->act[lc->worker_idx].last_rx_data_ns,
				now, __ATOMIC_RELAXED);
		}
		/* outer headers off, then padding and tag off, then a new
		 * Ethernet header in front */
		rte_pktmbuf_adj(m, it->outer_len);
		seg_trim(m, m->pkt_len - ip_len[i]);
		if (gw_mss_clamp(rte_pktmbuf_mtod(m, uint8_t *), ip_len[i],
				 lc->ctx->mss4, lc->ctx->mss6))
			gw_count(lc->stats, GW_CTR_TCP_MSS_CLAMPED, 1);
		if (!rte_pktmbuf_prepend(m, RTE_ETHER_HDR_LEN)) {
			drop(lc, m, GW_CTR_DROP_NO_HEADROOM_OR_TAILROOM);
			continue;
		}
		if (eth_out(lc, GW_LAN, m, family[i], dst[i], &nc))
			out[o++] = m;
	}
	*n_out = o;
	gw_drop_flush(lc);
}

/*
 * A WireGuard message arrived (UDP payload at wg, len bytes). True for a
 * transport message, with *it filled in except the keypair; everything
 * else is dealt with here.
 */
static bool wg_classify(struct gw_lcore *lc, struct rte_mbuf *m,
			const uint8_t *wg, uint32_t len,
			struct gw_decap_item *it, uint32_t *index)
{
	struct gw_ctx *ctx = lc->ctx;
	uint32_t type, want;
	const uint8_t *mac1_key;

	if (len < 4) {
		drop(lc, m, GW_CTR_DROP_MESSAGE_TRUNCATED);
		return false;
	}
	type = wg_msg_type_word(wg);
	switch (type) {
	case WG_MSG_INITIATION:
	case WG_MSG_RESPONSE:
		want = type == WG_MSG_INITIATION ? WG_MSG_INITIATION_LEN :
						   WG_MSG_RESPONSE_LEN;
		if (len != want) {
			drop(lc, m,
			     len < want ? GW_CTR_DROP_MESSAGE_TRUNCATED :
					  GW_CTR_DROP_MESSAGE_OVERSIZED);
			return false;
		}
		mac1_key = __atomic_load_n(&ctx->mac1_key, __ATOMIC_ACQUIRE);
		if (!mac1_key || !wg_cookie_mac1_ok(mac1_key, wg, len)) {
			drop(lc, m, GW_CTR_DROP_BAD_MAC1);
			return false;
		}
		/* one source's excess never reaches the ring whose fill
		 * puts every peer under load (gw_hs_limit.h); a response
		 * (and below, a cookie reply) must answer one of our
		 * initiations */
		if (type == WG_MSG_INITIATION ?
			    !gw_hs_limit_allow(lc, &it->src, gw_now_ns(ctx)) :
			    !gw_index_pending(ctx->tables, wg + 8)) {
			drop(lc, m,
			     type == WG_MSG_INITIATION ?
				     GW_CTR_DROP_HANDSHAKE_SOURCE_LIMITED :
				     GW_CTR_DROP_UNKNOWN_RECEIVER_INDEX);
			return false;
		}
		gw_count(lc->stats, GW_CTR_HANDSHAKE_MESSAGES_RECEIVED, 1);
		to_control(lc, m, GW_CTRL_HANDSHAKE, GW_WAN);
		return false;
	case WG_MSG_COOKIE_REPLY:
		if (len != WG_MSG_COOKIE_REPLY_LEN) {
			drop(lc, m,
			     len < WG_MSG_COOKIE_REPLY_LEN ?
				     GW_CTR_DROP_MESSAGE_TRUNCATED :
				     GW_CTR_DROP_MESSAGE_OVERSIZED);
			return false;
		}
		if (!gw_index_pending(ctx->tables, wg + 4)) {
			drop(lc, m, GW_CTR_DROP_COOKIE_REPLY_UNKNOWN_INDEX);
			return false;
		}
		gw_count(lc->stats, GW_CTR_HANDSHAKE_MESSAGES_RECEIVED, 1);
		to_control(lc, m, GW_CTRL_HANDSHAKE, GW_WAN);
		return false;
	case WG_MSG_TRANSPORT:
		break;
	default:
		/* a known type with the three reserved bytes not zero */
		drop(lc, m,
		     (type & 0xff) >= WG_MSG_INITIATION &&
				     (type & 0xff) <= WG_MSG_TRANSPORT ?
			     GW_CTR_DROP_RESERVED_BYTES_SET :
			     GW_CTR_DROP_BAD_MESSAGE_TYPE);
		return false;
	}
	if (len < WG_MSG_TRANSPORT_MIN_LEN) {
		drop(lc, m, GW_CTR_DROP_MESSAGE_TRUNCATED);
		return false;
	}
	*index = wg_get_le32(wg + 4);
	it->counter = wg_get_le64(wg + 8);
	it->m = m;
	/* the outer frame may carry Ethernet padding: cut it now */
	seg_trim(m, m->pkt_len - (uint32_t)(wg - rte_pktmbuf_mtod(m, uint8_t *)) -
			    len);
	it->outer_len = (uint16_t)(wg - rte_pktmbuf_mtod(m, uint8_t *) +
				   WG_MSG_TRANSPORT_HEADER_LEN);
	return true;
}

/* Parse one WAN frame down to its UDP payload; false if it was dealt
 * with (dropped or handed to the control lcore). */
static bool wan_parse(struct gw_lcore *lc, struct gw_port *port,
		      uint16_t listen, struct rte_mbuf *m,
		      struct gw_decap_item *it, uint32_t *index)
{
	struct rte_ether_hdr *eh;
	struct rte_udp_hdr *udp;
	uint16_t et;
	uint8_t *l3;
	uint32_t l4_len, addrs_len;
	const void *addrs;

	if (!rte_pktmbuf_is_contiguous(m)) {
		drop(lc, m, GW_CTR_DROP_MULTISEGMENT);
		return false;
	}
	if (m->data_len < RTE_ETHER_HDR_LEN) {
		drop(lc, m, GW_CTR_DROP_MALFORMED);
		return false;
	}
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	et = rte_be_to_cpu_16(eh->ether_type);
	if (!rte_is_same_ether_addr(&eh->dst_addr, &port->mac) &&
	    !rte_is_multicast_ether_addr(&eh->dst_addr)) {
		drop(lc, m, GW_CTR_DROP_NOT_FOR_US);
		return false;
	}
	l3 = (uint8_t *)(eh + 1);
	if (et == RTE_ETHER_TYPE_ARP) {
		to_control(lc, m, GW_CTRL_LOCAL, GW_WAN);
		return false;
	} else if (et == RTE_ETHER_TYPE_IPV4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
		uint32_t ihl, tot;

		if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip)) {
			drop(lc, m, GW_CTR_DROP_MALFORMED);
			return false;
		}
		ihl = (ip->version_ihl & 0xf) * 4u;
		tot = rte_be_to_cpu_16(ip->total_length);
		if (ihl < 20 || tot < ihl ||
		    tot + RTE_ETHER_HDR_LEN > m->data_len) {
			drop(lc, m, GW_CTR_DROP_MALFORMED);
			return false;
		}
		if (!outer_ip4_cksum_ok(m, ip)) {
			drop(lc, m, GW_CTR_DROP_OUTER_IP_CHECKSUM);
			return false;
		}
		if (!gw_port_has_addr4(port, ip->dst_addr)) {
			drop(lc, m, GW_CTR_DROP_NOT_FOR_US);
			return false;
		}
		if (ip->next_proto_id != IPPROTO_UDP ||
		    (ip->fragment_offset &
		     rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
				      RTE_IPV4_HDR_OFFSET_MASK))) {
			to_control(lc, m, GW_CTRL_LOCAL, GW_WAN);
			return false;
		}
		udp = (struct rte_udp_hdr *)(l3 + ihl);
		l4_len = tot - ihl;
		addrs = &ip->src_addr;
		addrs_len = 8;
		it->src.family = WG_FAMILY_V4;
		memset(it->src.addr, 0, WG_ADDR_LEN);
		memcpy(it->src.addr, &ip->src_addr, 4);
	} else if (et == RTE_ETHER_TYPE_IPV6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)l3;
		uint32_t pl;

		if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip)) {
			drop(lc, m, GW_CTR_DROP_MALFORMED);
			return false;
		}
		pl = rte_be_to_cpu_16(ip->payload_len);
		if (pl + sizeof(*ip) + RTE_ETHER_HDR_LEN > m->data_len) {
			drop(lc, m, GW_CTR_DROP_MALFORMED);
			return false;
		}
		if (is_nd_or_local6(port, ip) &&
		    (ip->proto != IPPROTO_UDP || ip->dst_addr[0] == 0xff)) {
			to_control(lc, m, GW_CTRL_LOCAL, GW_WAN);
			return false;
		}
		if (ip->proto != IPPROTO_UDP ||
		    !gw_port_has_addr6(port, ip->dst_addr)) {
			drop(lc, m, GW_CTR_DROP_NOT_FOR_US);
			return false;
		}
		udp = (struct rte_udp_hdr *)(ip + 1);
		l4_len = pl;
		addrs = ip->src_addr;
		addrs_len = 32;
		it->src.family = WG_FAMILY_V6;
		memcpy(it->src.addr, ip->src_addr, 16);
	} else {
		drop(lc, m, GW_CTR_DROP_UNKNOWN_PROTOCOL);
		return false;
	}
	if (l4_len < sizeof(*udp) ||
	    rte_be_to_cpu_16(udp->dgram_len) > l4_len ||
	    rte_be_to_cpu_16(udp->dgram_len) < sizeof(*udp)) {
		drop(lc, m, GW_CTR_DROP_MALFORMED);
		return false;
	}
	if (udp->dst_port != listen) {
		drop(lc, m, GW_CTR_DROP_NOT_FOR_US);
		return false;
	}
	/* before the message may authenticate or move an endpoint */
	if (!outer_udp_cksum_ok(m, udp, addrs, addrs_len)) {
		drop(lc, m, GW_CTR_DROP_OUTER_UDP_CHECKSUM);
		return false;
	}
	it->src.port = rte_be_to_cpu_16(udp->src_port);
	return wg_classify(lc, m, (const uint8_t *)(udp + 1),
			   rte_be_to_cpu_16(udp->dgram_len) - sizeof(*udp), it,
			   index);
}

unsigned int gw_wan_classify(struct gw_lcore *lc, struct rte_mbuf **pkts,
			     unsigned int n, struct gw_decap_item *items,
			     uint64_t now)
{
	struct gw_ctx *ctx = lc->ctx;
	struct gw_tables *t = ctx->tables;
	struct gw_port *port = &ctx->port[GW_WAN];
	uint16_t listen = __atomic_load_n(&ctx->listen_port, __ATOMIC_RELAXED);
	uint32_t index[GW_BURST];
	const void *keys[GW_BURST];
	uintptr_t entry[GW_BURST], uentry[GW_BURST];
	uint8_t run_of[GW_BURST];
	unsigned int i, k = 0, u, kept = 0;

	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));

	/* 1: parse; transport messages wait for one bulk index lookup */
	for (i = 0; i < n; i++) {
		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD],
						       void *));
		if (wan_parse(lc, port, listen, pkts[i], &items[k], &index[k])) {
			keys[k] = &index[k];
			k++;
		}
	}
	if (!k) {
		gw_drop_flush(lc);
		return 0;
	}

	/* 2: receiver indices to keypairs; their lines start loading. A
	 * run of frames with the same index (one tunnel's burst) is looked
	 * up once: the bulk lookup gets the first index of each run. */
	for (i = 0, u = 0; i < k; i++) {
		if (!u || index[i] != index[i - 1])
			keys[u++] = &index[i];
		run_of[i] = (uint8_t)(u - 1);
	}
	gw_index_lookup_bulk(t, keys, u, uentry);
	for (i = 0; i < k; i++) {
		struct gw_keypair *kp;

		entry[i] = uentry[run_of[i]];
		kp = (struct gw_keypair *)entry[i];
		if (!entry[i] || (entry[i] & GW_INDEX_HANDSHAKE))
			continue;
		if (!i || entry[i] != entry[i - 1]) {
			rte_prefetch0(kp->recv_key);
			rte_prefetch0(&kp->replay.top);
		}
		rte_prefetch0(&kp->replay.slot[(items[i].counter /
						WG_REPLAY_SLOT_BITS) %
					       WG_REPLAY_SLOTS]);
	}

	/* 3: session checks and the replay pre-check */
	for (i = 0; i < k; i++) {
		struct gw_decap_item *it = &items[i];
		struct gw_keypair *kp = (struct gw_keypair *)entry[i];

		if (!entry[i] || (entry[i] & GW_INDEX_HANDSHAKE)) {
			drop(lc, it->m, GW_CTR_DROP_UNKNOWN_RECEIVER_INDEX);
			continue;
		}
		/* signed: kp may be younger than now (see encap_burst) */
		/* the keypair names the peer; its line is a miss paid by
		 * dropped packets only */
		if ((int64_t)(now - kp->rx_birth_ns) >=
		    (int64_t)lc->ctx->reject_after_ns) {
			peer_drop(lc, gw_tables_peer(t, kp->rx_peer_id), it->m,
				  GW_CTR_DROP_KEYPAIR_EXPIRED);
			continue;
		}
		if (!wg_replay_check(&kp->replay, it->counter)) {
			peer_drop(lc, gw_tables_peer(t, kp->rx_peer_id), it->m,
				  wg_replay_outside(&kp->replay, it->counter) ?
					  GW_CTR_DROP_COUNTER_OUTSIDE_WINDOW :
					  GW_CTR_DROP_REPLAYED_COUNTER);
			continue;
		}
		if (kp->rx_peer_id < t->max_peers)
			rte_prefetch0(&t->peers[kp->rx_peer_id]);
		it->kp = kp;
		if (kept != i)
			items[kept] = *it;
		kept++;
	}
	gw_drop_flush(lc);
	return kept;
}
