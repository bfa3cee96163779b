/* SPDX-License-Identifier: MIT */
/*
 * The worker poll loop: RX a burst from each of its queues, classify,
 * encrypt LAN→WAN or decrypt WAN→LAN as one ipsec-mb burst, TX. Workers
 * read the shared tables lock-free, report quiescence once per loop, and
 * hand everything slow (handshakes, ARP/ND, packets waiting for a session
 * or a neighbour) to the control lcore through bounded rings. They never
 * block, lock, allocate from the heap or do X25519.
 */
#include "gw_worker.h"

#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_udp.h>

#include "gw_crypto.h"
#include "gw_mss.h"
#include "gw_neighbour.h"
#include "gw_peer.h"
#include "gw_port.h"
#include "gw_tables.h"
#include "wg_cookie.h"
#include "wg_messages.h"

struct txq_buf {
	struct rte_mbuf *m[2 * GW_BURST];
	unsigned int n;
};

static inline void drop(struct gw_lcore *lc, struct rte_mbuf *m,
			enum gw_counter c)
{
	gw_count(lc->stats, c, 1);
	rte_pktmbuf_free(m);
}

static void to_control(struct gw_lcore *lc, struct rte_mbuf *m,
		       enum gw_ctrl_kind kind, uint32_t arg)
{
	m->hash.usr = GW_CTRL_TAG(kind, arg);
	if (rte_ring_mp_enqueue(lc->ctx->ctrl_ring, m) != 0)
		drop(lc, m, GW_CTR_DROP_CONTROL_FULL);
	else
		gw_count(lc->stats, GW_CTR_TO_CONTROL, 1);
}

static void post_event(struct gw_lcore *lc, struct gw_event *ev)
{
	if (rte_ring_mp_enqueue_elem(lc->ctx->event_ring, ev, sizeof(*ev)) != 0)
		gw_count(lc->stats, GW_CTR_DROP_EVENT_FULL, 1);
}

static void tx_flush(struct gw_lcore *lc, enum gw_role role,
		     struct txq_buf *b)
{
	uint16_t sent;
	unsigned int i;

	if (!b->n)
		return;
	sent = rte_eth_tx_burst(lc->ctx->port[role].port_id, lc->txq, b->m,
				(uint16_t)b->n);
	gw_count(lc->stats, role == GW_LAN ? GW_CTR_TX_LAN : GW_CTR_TX_WAN,
		 sent);
	for (i = sent; i < b->n; i++)
		drop(lc, b->m[i], GW_CTR_DROP_TX_FULL);
	b->n = 0;
}

/*
 * Fill in the Ethernet header of a frame leaving port role toward IP dst.
 * False when the frame was handed to the control lcore (next hop not yet
 * resolved) or dropped.
 */
static bool eth_out(struct gw_lcore *lc, enum gw_role role,
		    struct rte_mbuf *m, uint8_t family, const uint8_t *dst)
{
	struct gw_ctx *ctx = lc->ctx;
	struct gw_port *p = &ctx->port[role];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint8_t nh[16];

	rte_ether_addr_copy(&p->mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(family == WG_FAMILY_V4 ?
						  RTE_ETHER_TYPE_IPV4 :
						  RTE_ETHER_TYPE_IPV6);
	if (!gw_nexthop(p, family, dst, nh)) {
		drop(lc, m, GW_CTR_DROP_NO_NEIGHBOUR);
		return false;
	}
	if (!gw_neigh_lookup(ctx->neigh, role, family, nh, &eh->dst_addr)) {
		to_control(lc, m, GW_CTRL_NEIGH, role);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------ encap */

struct encap_item {
	struct rte_mbuf *m;
	struct gw_peer *peer;
	struct gw_keypair *kp;
	const struct wg_endpoint *ep;
};

/*
 * Build the outer headers in the headroom in front of the ciphertext:
 * Ethernet / IPv4 or IPv6 / UDP / WireGuard transport header.
 */
static bool encap_headers(struct gw_lcore *lc, struct encap_item *it,
			  uint64_t counter)
{
	struct gw_ctx *ctx = lc->ctx;
	const struct wg_endpoint *ep = it->ep;
	struct rte_mbuf *m = it->m;
	uint8_t *wg = (uint8_t *)rte_pktmbuf_prepend(
		m, WG_MSG_TRANSPORT_HEADER_LEN);
	uint32_t wg_len = m->pkt_len;

	if (!wg) {
		drop(lc, m, GW_CTR_DROP_NO_ROOM);
		return false;
	}
	wg_put_le32(wg, WG_MSG_TRANSPORT);
	wg_put_le32(wg + 4, it->kp->remote_index);
	wg_put_le64(wg + 8, counter);
	if (!gw_udp_prepend(ctx, m, ep, wg_len)) {
		drop(lc, m, GW_CTR_DROP_NO_ROOM);
		return false;
	}
	return eth_out(lc, GW_WAN, m, ep->family, ep->addr);
}

/* Sending counters taken for a burst: one fetch-add per keypair. */
struct nonce_res {
	struct gw_keypair *kp;
	uint64_t next;
	uint32_t n;
};

static unsigned int reserve_nonces(struct encap_item *items, unsigned int n,
				   uint64_t now, uint64_t reject_ns,
				   struct nonce_res *res)
{
	unsigned int i, j, n_res = 0;

	for (i = 0; i < n; i++) {
		struct gw_keypair *kp = gw_kp_load(&items[i].peer->kp_current);

		if (kp && (now - kp->birth_ns >= reject_ns ||
			   __atomic_load_n(&kp->send_counter, __ATOMIC_RELAXED) >=
				   WG_REJECT_AFTER_MESSAGES))
			kp = NULL;
		items[i].kp = kp;
		if (!kp)
			continue;
		for (j = 0; j < n_res && res[j].kp != kp; j++)
			;
		if (j == n_res)
			res[n_res++] = (struct nonce_res){ .kp = kp };
		res[j].n++;
	}
	/* a packet dropped later leaves a gap in the counters, which the
	 * receiver's window accepts */
	for (j = 0; j < n_res; j++)
		res[j].next = __atomic_fetch_add(&res[j].kp->send_counter,
						 res[j].n, __ATOMIC_RELAXED);
	return n_res;
}

static uint64_t take_nonce(struct nonce_res *res, unsigned int n_res,
			   const struct gw_keypair *kp)
{
	unsigned int j;

	for (j = 0; j < n_res && res[j].kp != kp; j++)
		;
	return res[j].next++;
}

/*
 * Encrypt the items in place and queue the frames for WAN TX. Items
 * whose peer has no usable keypair go to the control lcore to wait for a
 * handshake (it owns the per-peer staged queue).
 */
static void encap_burst(struct gw_lcore *lc, struct encap_item *items,
			unsigned int n, struct txq_buf *wan_tx, uint64_t now)
{
	struct gw_aead_op ops[GW_BURST];
	struct encap_item ready[GW_BURST];
	struct nonce_res res[GW_BURST];
	uint16_t mtu = lc->ctx->mtu;
	unsigned int i, k = 0, n_res;

	n_res = reserve_nonces(items, n, now, lc->ctx->reject_after_ns, res);
	for (i = 0; i < n; i++) {
		struct encap_item *it = &items[i];
		struct rte_mbuf *m = it->m;
		uint32_t len = m->pkt_len, padded;
		struct gw_keypair *kp = it->kp;
		uint64_t counter;
		uint8_t *tail;

		if (!kp) {
			to_control(lc, m, GW_CTRL_STAGE, it->peer->id);
			continue;
		}
		it->ep = gw_peer_endpoint(it->peer);
		if (!it->ep) {
			drop(lc, m, GW_CTR_DROP_NO_ENDPOINT);
			continue;
		}
		counter = take_nonce(res, n_res, kp);
		if (counter >= WG_REJECT_AFTER_MESSAGES) {
			drop(lc, m, GW_CTR_DROP_KEY_EXPIRED);
			continue;
		}
		padded = wg_padded_len(len, mtu);
		tail = (uint8_t *)rte_pktmbuf_append(
			m, (uint16_t)(padded - len + WG_AEAD_TAG_LEN));
		if (!tail) {
			drop(lc, m, GW_CTR_DROP_NO_ROOM);
			continue;
		}
		memset(tail, 0, padded - len);
		ops[k] = (struct gw_aead_op){
			.data = rte_pktmbuf_mtod(m, uint8_t *),
			.len = padded,
			.tag = rte_pktmbuf_mtod_offset(m, uint8_t *, padded),
			.key = kp->send_key,
			.counter = counter,
		};
		ready[k++] = *it;
	}
	if (!k)
		return;
	gw_aead_encrypt_burst(lc->mb, ops, k);

	for (i = 0; i < k; i++) {
		struct encap_item *it = &ready[i];
		struct gw_peer_act *act = &it->peer->act[lc->worker_idx];
		uint32_t msg_len = ops[i].len + WG_MSG_TRANSPORT_MIN_LEN;

		if (!ops[i].ok) {
			drop(lc, it->m, GW_CTR_DROP_NO_ROOM);
			continue;
		}
		if (!encap_headers(lc, it, ops[i].counter))
			continue;
		/* written by this lcore only; control reads them */
		__atomic_store_n(&act->tx_bytes, act->tx_bytes + msg_len,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&act->last_tx_ns, now, __ATOMIC_RELAXED);
		if (ops[i].len) {
			__atomic_store_n(&act->last_tx_data_ns, now,
					 __ATOMIC_RELAXED);
			gw_count(lc->stats, GW_CTR_ENCRYPTED, 1);
		} else {
			gw_count(lc->stats, GW_CTR_KEEPALIVE_TX, 1);
		}
		wan_tx->m[wan_tx->n++] = it->m;
	}
}

unsigned int gw_encap_send(struct gw_lcore *lc, struct gw_peer *peer,
			   struct rte_mbuf **pkts, unsigned int n)
{
	struct encap_item items[GW_BURST];
	struct txq_buf tx = { .n = 0 };
	uint64_t now = gw_now_ns(lc->ctx);
	unsigned int i, done = 0, sent = 0;

	while (done < n) {
		unsigned int k = RTE_MIN(n - done, (unsigned int)GW_BURST);

		for (i = 0; i < k; i++)
			items[i] = (struct encap_item){ .m = pkts[done + i],
							.peer = peer };
		encap_burst(lc, items, k, &tx, now);
		sent += tx.n;
		tx_flush(lc, GW_WAN, &tx);
		done += k;
	}
	return sent;
}

/* --------------------------------------------------------- LAN → WAN */

static inline bool is_nd_or_local6(const struct gw_port *p,
				   const struct rte_ipv6_hdr *ip)
{
	/* multicast (ND, MLD) and anything to one of our addresses */
	return ip->dst_addr[0] == 0xff || gw_port_has_addr6(p, ip->dst_addr);
}

static void lan_rx(struct gw_lcore *lc, struct rte_mbuf **pkts, uint16_t n,
		   struct txq_buf *wan_tx, uint64_t now)
{
	struct gw_ctx *ctx = lc->ctx;
	struct gw_port *port = &ctx->port[GW_LAN];
	struct encap_item items[GW_BURST];
	unsigned int i, k = 0;

	gw_count(lc->stats, GW_CTR_RX_LAN, n);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct rte_ether_hdr *eh;
		struct gw_peer *peer;
		uint16_t et;
		uint32_t ip_len;

		if (i + 2 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 2], void *));
		if (!rte_pktmbuf_is_contiguous(m)) {
			drop(lc, m, GW_CTR_DROP_NONLINEAR);
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
			ip_len = rte_be_to_cpu_16(ip->total_length);
			if (gw_port_has_addr4(port, ip->dst_addr)) {
				to_control(lc, m, GW_CTRL_LOCAL, GW_LAN);
				continue;
			}
			peer = gw_route4(ctx->tables, ip->dst_addr);
		} else if (et == RTE_ETHER_TYPE_IPV6) {
			struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eh + 1);

			if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip)) {
				drop(lc, m, GW_CTR_DROP_MALFORMED);
				continue;
			}
			ip_len = sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len);
			if (is_nd_or_local6(port, ip)) {
				to_control(lc, m, GW_CTRL_LOCAL, GW_LAN);
				continue;
			}
			peer = gw_route6(ctx->tables, ip->dst_addr);
		} else {
			drop(lc, m, GW_CTR_DROP_UNKNOWN_PROTO);
			continue;
		}
		if (ip_len + RTE_ETHER_HDR_LEN > m->data_len) {
			drop(lc, m, GW_CTR_DROP_MALFORMED);
			continue;
		}
		if (!peer) {
			drop(lc, m, GW_CTR_DROP_NO_ROUTE);
			continue;
		}
		if (ip_len > ctx->mtu) {
			/* the control lcore answers with ICMP */
			to_control(lc, m, GW_CTRL_TOO_BIG, GW_LAN);
			continue;
		}
		/* keep the IP packet only: no Ethernet header, no padding */
		rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
		rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - ip_len));
		if (gw_mss_clamp(rte_pktmbuf_mtod(m, uint8_t *), ip_len,
				 ctx->mss4, ctx->mss6))
			gw_count(lc->stats, GW_CTR_MSS_CLAMPED, 1);
		items[k++] = (struct encap_item){ .m = m, .peer = peer };
	}
	if (k)
		encap_burst(lc, items, k, wan_tx, now);
}

/* --------------------------------------------------------- WAN → LAN */

struct decap_item {
	struct rte_mbuf *m;
	struct gw_keypair *kp;
	uint16_t outer_len;          /* Ethernet + IP + UDP + WG header */
	struct wg_endpoint src;
};

/* The inner packet authenticated: check it is from where the peer may
 * send, strip the outer headers and forward it on the LAN. */
static void decap_deliver(struct gw_lcore *lc, struct decap_item *it,
			  struct gw_peer *peer, uint32_t plain_len,
			  struct txq_buf *lan_tx, uint64_t now)
{
	struct gw_ctx *ctx = lc->ctx;
	struct rte_mbuf *m = it->m;
	uint8_t *inner = rte_pktmbuf_mtod_offset(m, uint8_t *, it->outer_len);
	struct gw_peer *owner;
	uint32_t ip_len;
	uint8_t family, *dst;

	if (inner[0] >> 4 != 4 && inner[0] >> 4 != 6) {
		drop(lc, m, GW_CTR_DROP_INNER_NOT_IP);
		return;
	}
	if (plain_len >= sizeof(struct rte_ipv4_hdr) && inner[0] >> 4 == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)inner;

		/* no options, no fragments: a gateway that checks inner
		 * sources forwards only plain datagrams */
		if ((inner[0] & 0xf) != 5) {
			drop(lc, m, (inner[0] & 0xf) < 5 ?
					    GW_CTR_DROP_INNER_BAD_LEN :
					    GW_CTR_DROP_INNER_OPTIONS);
			return;
		}
		if (ip->fragment_offset &
		    rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
				     RTE_IPV4_HDR_OFFSET_MASK)) {
			drop(lc, m, GW_CTR_DROP_INNER_FRAGMENT);
			return;
		}
		family = WG_FAMILY_V4;
		ip_len = rte_be_to_cpu_16(ip->total_length);
		owner = gw_route4(ctx->tables, ip->src_addr);
		dst = (uint8_t *)&ip->dst_addr;
	} else if (plain_len >= sizeof(struct rte_ipv6_hdr) &&
		   inner[0] >> 4 == 6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)inner;

		if (ip->proto == IPPROTO_FRAGMENT) {
			drop(lc, m, GW_CTR_DROP_INNER_FRAGMENT);
			return;
		}
		family = WG_FAMILY_V6;
		ip_len = sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len);
		owner = gw_route6(ctx->tables, ip->src_addr);
		dst = ip->dst_addr;
	} else {
		/* IP, but shorter than its fixed header */
		drop(lc, m, GW_CTR_DROP_INNER_BAD_LEN);
		return;
	}
	if (ip_len > plain_len || ip_len < 20) {
		drop(lc, m, GW_CTR_DROP_INNER_BAD_LEN);
		return;
	}
	if (owner != peer) {
		drop(lc, m, GW_CTR_DROP_SRC_NOT_ALLOWED);
		return;
	}
	__atomic_store_n(&peer->act[lc->worker_idx].last_rx_data_ns, now,
			 __ATOMIC_RELAXED);
	gw_count(lc->stats, GW_CTR_DECRYPTED, 1);

	/* outer headers off, then padding and tag off, then a new
	 * Ethernet header in front */
	rte_pktmbuf_adj(m, it->outer_len);
	rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - ip_len));
	if (gw_mss_clamp(rte_pktmbuf_mtod(m, uint8_t *), ip_len, ctx->mss4,
			 ctx->mss6))
		gw_count(lc->stats, GW_CTR_MSS_CLAMPED, 1);
	if (!rte_pktmbuf_prepend(m, RTE_ETHER_HDR_LEN)) {
		drop(lc, m, GW_CTR_DROP_NO_ROOM);
		return;
	}
	if (eth_out(lc, GW_LAN, m, family, dst))
		lan_tx->m[lan_tx->n++] = m;
}

static void decap_burst(struct gw_lcore *lc, struct decap_item *items,
			unsigned int n, struct txq_buf *lan_tx, uint64_t now)
{
	struct gw_ctx *ctx = lc->ctx;
	struct gw_aead_op ops[GW_BURST];
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint8_t *wg = rte_pktmbuf_mtod_offset(
			items[i].m, uint8_t *,
			items[i].outer_len - WG_MSG_TRANSPORT_HEADER_LEN);
		uint32_t len = items[i].m->pkt_len - items[i].outer_len -
			       WG_AEAD_TAG_LEN;

		ops[i] = (struct gw_aead_op){
			.data = wg + WG_MSG_TRANSPORT_HEADER_LEN,
			.len = len,
			.tag = wg + WG_MSG_TRANSPORT_HEADER_LEN + len,
			.key = items[i].kp->recv_key,
			.counter = wg_get_le64(wg + 8),
		};
	}
	gw_aead_decrypt_burst(lc->mb, ops, n);

	for (i = 0; i < n; i++) {
		struct decap_item *it = &items[i];
		struct gw_keypair *kp = it->kp;
		struct gw_peer *peer;
		struct gw_peer_act *act;
		const struct wg_endpoint *ep;

		if (!ops[i].ok) {
			drop(lc, it->m, GW_CTR_DROP_DECRYPT);
			continue;
		}
		/* only an authenticated counter may move the window */
		if (!wg_replay_update(&kp->replay, ops[i].counter)) {
			drop(lc, it->m,
			     wg_replay_outside(&kp->replay, ops[i].counter) ?
				     GW_CTR_DROP_COUNTER_WINDOW :
				     GW_CTR_DROP_REPLAY);
			continue;
		}
		peer = gw_tables_peer(ctx->tables, kp->peer_id);
		if (!peer) {
			drop(lc, it->m, GW_CTR_DROP_UNKNOWN_INDEX);
			continue;
		}
		/* the responder's new session is confirmed by its first
		 * packet: the control lcore rotates the slots */
		if (kp == gw_kp_load(&peer->kp_next) &&
		    !__atomic_exchange_n(&kp->used_reported, 1,
					 __ATOMIC_RELAXED)) {
			struct gw_event ev = { .kind = GW_EV_KEYPAIR_USED,
					       .peer_id = peer->id,
					       .local_index = kp->local_index };
			post_event(lc, &ev);
		}
		/* roaming: authenticated packets from elsewhere move the
		 * endpoint */
		ep = gw_peer_endpoint(peer);
		if (!ep || ep->family != it->src.family ||
		    ep->port != it->src.port ||
		    memcmp(ep->addr, it->src.addr, WG_ADDR_LEN) != 0) {
			struct gw_event ev = { .kind = GW_EV_ENDPOINT,
					       .peer_id = peer->id,
					       .ep = it->src };
			post_event(lc, &ev);
		}
		act = &peer->act[lc->worker_idx];
		__atomic_store_n(&act->rx_bytes,
				 act->rx_bytes + ops[i].len +
					 WG_MSG_TRANSPORT_MIN_LEN,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&act->last_rx_ns, now, __ATOMIC_RELAXED);
		if (ops[i].len == 0) {
			drop(lc, it->m, GW_CTR_KEEPALIVE_RX);
			continue;
		}
		decap_deliver(lc, it, peer, ops[i].len, lan_tx, now);
	}
}

/* A WireGuard message arrived (UDP payload at wg, len bytes). */
static bool wg_classify(struct gw_lcore *lc, struct rte_mbuf *m,
			const uint8_t *wg, uint32_t len,
			struct decap_item *it, uint64_t now)
{
	struct gw_ctx *ctx = lc->ctx;
	uint32_t type, want;
	const uint8_t *mac1_key;
	struct gw_keypair *kp;
	uintptr_t entry;

	if (len < 4) {
		drop(lc, m, GW_CTR_DROP_TRUNCATED);
		return false;
	}
	type = wg_msg_type_word(wg);
	switch (type) {
	case WG_MSG_INITIATION:
	case WG_MSG_RESPONSE:
		want = type == WG_MSG_INITIATION ? WG_MSG_INITIATION_LEN :
						   WG_MSG_RESPONSE_LEN;
		if (len != want) {
			drop(lc, m, len < want ? GW_CTR_DROP_TRUNCATED :
						 GW_CTR_DROP_OVERSIZED);
			return false;
		}
		mac1_key = __atomic_load_n(&ctx->mac1_key, __ATOMIC_ACQUIRE);
		if (!mac1_key || !wg_cookie_mac1_ok(mac1_key, wg, len)) {
			drop(lc, m, GW_CTR_DROP_BAD_MAC1);
			return false;
		}
		gw_count(lc->stats, GW_CTR_HANDSHAKE_RX, 1);
		to_control(lc, m, GW_CTRL_HANDSHAKE, GW_WAN);
		return false;
	case WG_MSG_COOKIE_REPLY:
		if (len != WG_MSG_COOKIE_REPLY_LEN) {
			drop(lc, m, len < WG_MSG_COOKIE_REPLY_LEN ?
					    GW_CTR_DROP_TRUNCATED :
					    GW_CTR_DROP_OVERSIZED);
			return false;
		}
		gw_count(lc->stats, GW_CTR_HANDSHAKE_RX, 1);
		to_control(lc, m, GW_CTRL_HANDSHAKE, GW_WAN);
		return false;
	case WG_MSG_TRANSPORT:
		break;
	default:
		/* a known type with the three reserved bytes not zero */
		drop(lc, m, (type & 0xff) >= WG_MSG_INITIATION &&
					    (type & 0xff) <= WG_MSG_TRANSPORT ?
				    GW_CTR_DROP_BAD_RESERVED :
				    GW_CTR_DROP_BAD_TYPE);
		return false;
	}
	if (len < WG_MSG_TRANSPORT_MIN_LEN) {
		drop(lc, m, GW_CTR_DROP_TRUNCATED);
		return false;
	}
	entry = gw_index_lookup(ctx->tables, wg_get_le32(wg + 4));
	if (!entry || (entry & GW_INDEX_HANDSHAKE)) {
		drop(lc, m, GW_CTR_DROP_UNKNOWN_INDEX);
		return false;
	}
	kp = (struct gw_keypair *)entry;
	if (now - kp->birth_ns >= ctx->reject_after_ns) {
		drop(lc, m, GW_CTR_DROP_KEY_EXPIRED);
		return false;
	}
	/* read-only pre-check: replays cost no AEAD work */
	if (!wg_replay_check(&kp->replay, wg_get_le64(wg + 8))) {
		drop(lc, m,
		     wg_replay_outside(&kp->replay, wg_get_le64(wg + 8)) ?
			     GW_CTR_DROP_COUNTER_WINDOW :
			     GW_CTR_DROP_REPLAY);
		return false;
	}
	it->m = m;
	it->kp = kp;
	/* the outer frame may carry Ethernet padding: cut it now */
	rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len -
				       (wg - rte_pktmbuf_mtod(m, uint8_t *)) -
				       len));
	it->outer_len = (uint16_t)(wg - rte_pktmbuf_mtod(m, uint8_t *) +
				   WG_MSG_TRANSPORT_HEADER_LEN);
	return true;
}

static void wan_rx(struct gw_lcore *lc, struct rte_mbuf **pkts, uint16_t n,
		   struct txq_buf *lan_tx, uint64_t now)
{
	struct gw_ctx *ctx = lc->ctx;
	struct gw_port *port = &ctx->port[GW_WAN];
	uint16_t listen = __atomic_load_n(&ctx->listen_port, __ATOMIC_RELAXED);
	struct decap_item items[GW_BURST];
	unsigned int i, k = 0;

	gw_count(lc->stats, GW_CTR_RX_WAN, n);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct decap_item *it = &items[k];
		struct rte_ether_hdr *eh;
		struct rte_udp_hdr *udp;
		uint16_t et;
		uint8_t *l3;
		uint32_t l4_len;

		if (i + 2 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 2], void *));
		if (!rte_pktmbuf_is_contiguous(m)) {
			drop(lc, m, GW_CTR_DROP_NONLINEAR);
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
		l3 = (uint8_t *)(eh + 1);
		if (et == RTE_ETHER_TYPE_ARP) {
			to_control(lc, m, GW_CTRL_LOCAL, GW_WAN);
			continue;
		} else if (et == RTE_ETHER_TYPE_IPV4) {
			struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
			uint32_t ihl, tot;

			if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip)) {
				drop(lc, m, GW_CTR_DROP_MALFORMED);
				continue;
			}
			ihl = (ip->version_ihl & 0xf) * 4u;
			tot = rte_be_to_cpu_16(ip->total_length);
			if (ihl < 20 || tot < ihl ||
			    tot + RTE_ETHER_HDR_LEN > m->data_len) {
				drop(lc, m, GW_CTR_DROP_MALFORMED);
				continue;
			}
			if (!gw_port_has_addr4(port, ip->dst_addr)) {
				drop(lc, m, GW_CTR_DROP_NOT_FOR_US);
				continue;
			}
			if (ip->next_proto_id != IPPROTO_UDP ||
			    (ip->fragment_offset &
			     rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
					      RTE_IPV4_HDR_OFFSET_MASK))) {
				to_control(lc, m, GW_CTRL_LOCAL, GW_WAN);
				continue;
			}
			udp = (struct rte_udp_hdr *)(l3 + ihl);
			l4_len = tot - ihl;
			it->src.family = WG_FAMILY_V4;
			memset(it->src.addr, 0, WG_ADDR_LEN);
			memcpy(it->src.addr, &ip->src_addr, 4);
		} else if (et == RTE_ETHER_TYPE_IPV6) {
			struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)l3;
			uint32_t pl;

			if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip)) {
				drop(lc, m, GW_CTR_DROP_MALFORMED);
				continue;
			}
			pl = rte_be_to_cpu_16(ip->payload_len);
			if (pl + sizeof(*ip) + RTE_ETHER_HDR_LEN > m->data_len) {
				drop(lc, m, GW_CTR_DROP_MALFORMED);
				continue;
			}
			if (is_nd_or_local6(port, ip) &&
			    (ip->proto != IPPROTO_UDP ||
			     ip->dst_addr[0] == 0xff)) {
				to_control(lc, m, GW_CTRL_LOCAL, GW_WAN);
				continue;
			}
			if (ip->proto != IPPROTO_UDP ||
			    !gw_port_has_addr6(port, ip->dst_addr)) {
				drop(lc, m, GW_CTR_DROP_NOT_FOR_US);
				continue;
			}
			udp = (struct rte_udp_hdr *)(ip + 1);
			l4_len = pl;
			it->src.family = WG_FAMILY_V6;
			memcpy(it->src.addr, ip->src_addr, 16);
		} else {
			drop(lc, m, GW_CTR_DROP_UNKNOWN_PROTO);
			continue;
		}
		if (l4_len < sizeof(*udp) ||
		    rte_be_to_cpu_16(udp->dgram_len) > l4_len ||
		    rte_be_to_cpu_16(udp->dgram_len) < sizeof(*udp)) {
			drop(lc, m, GW_CTR_DROP_MALFORMED);
			continue;
		}
		if (udp->dst_port != listen) {
			drop(lc, m, GW_CTR_DROP_NOT_FOR_US);
			continue;
		}
		it->src.port = rte_be_to_cpu_16(udp->src_port);
		if (wg_classify(lc, m, (const uint8_t *)(udp + 1),
				rte_be_to_cpu_16(udp->dgram_len) -
					sizeof(*udp),
				it, now))
			k++;
	}
	if (k)
		decap_burst(lc, items, k, lan_tx, now);
}

/* ------------------------------------------------------------ loop */

int gw_worker_main(void *arg)
{
	struct gw_lcore *lc = arg;
	struct gw_ctx *ctx = lc->ctx;
	struct rte_mbuf *pkts[GW_BURST];
	struct txq_buf lan_tx = { .n = 0 }, wan_tx = { .n = 0 };
	unsigned int q;

	rte_rcu_qsbr_thread_register(ctx->qsbr, lc->worker_idx);
	rte_rcu_qsbr_thread_online(ctx->qsbr, lc->worker_idx);
	GW_LOG(INFO, "worker %u on lcore %u: %u lan / %u wan rx queues, txq %u",
	       lc->worker_idx, lc->lcore_id, lc->n_rxq[GW_LAN],
	       lc->n_rxq[GW_WAN], lc->txq);

	while (!__atomic_load_n(&ctx->quit, __ATOMIC_RELAXED)) {
		uint64_t now = gw_now_ns(ctx);

		for (q = 0; q < lc->n_rxq[GW_LAN]; q++) {
			uint16_t n = rte_eth_rx_burst(
				ctx->port[GW_LAN].port_id, lc->rxq[GW_LAN][q],
				pkts, GW_BURST);

			if (n)
				lan_rx(lc, pkts, n, &wan_tx, now);
			tx_flush(lc, GW_WAN, &wan_tx);
		}
		for (q = 0; q < lc->n_rxq[GW_WAN]; q++) {
			uint16_t n = rte_eth_rx_burst(
				ctx->port[GW_WAN].port_id, lc->rxq[GW_WAN][q],
				pkts, GW_BURST);

			if (n)
				wan_rx(lc, pkts, n, &lan_tx, now);
			tx_flush(lc, GW_LAN, &lan_tx);
		}
		/* no pointer into shared tables survives past here */
		rte_rcu_qsbr_quiescent(ctx->qsbr, lc->worker_idx);
	}

	rte_rcu_qsbr_thread_offline(ctx->qsbr, lc->worker_idx);
	rte_rcu_qsbr_thread_unregister(ctx->qsbr, lc->worker_idx);
	return 0;
}
