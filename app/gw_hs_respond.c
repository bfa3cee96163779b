/* SPDX-License-Identifier: MIT */
/* The responder side of the handshake on the control lcore
 * (gw_hs_respond.h). */
#include "gw_hs_respond.h"

#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "gw_control.h"
#include "gw_ctrl_rings.h"
#include "gw_ctrl_tx.h"
#include "gw_hs_lane.h"
#include "gw_neigh_resolve.h"
#include "gw_neighbour.h"
#include "gw_port.h"
#include "gw_tables.h"
#include "wg_crypto.h"
#include "wg_timers.h"

static uint64_t mono_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * WG_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* A flood from spoofed on-link addresses must not fill the neighbour
 * table or make us ARP for each of them: see resolve. */
void gw_hs_send_udp(struct gw_ctx *ctx, const struct wg_endpoint *ep,
		    const void *msg, uint32_t len, bool resolve)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ctx->pool);
	struct rte_ether_hdr *eh;
	struct rte_ether_addr mac;
	uint8_t nh[16];
	void *p;

	if (!m) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_NO_MBUF, 1);
		return;
	}
	/* payload first: the IPv6 UDP checksum covers it */
	p = rte_pktmbuf_append(m, (uint16_t)len);
	if (p)
		memcpy(p, msg, len);
	if (!p || !gw_udp_prepend(ctx, m, ep, len)) {
		rte_pktmbuf_free(m);
		return;
	}
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_ether_addr_copy(&ctx->port[GW_WAN].mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(ep->family == WG_FAMILY_V4 ?
						  RTE_ETHER_TYPE_IPV4 :
						  RTE_ETHER_TYPE_IPV6);
	gw_count(ctx->ctrl_lc.stats, GW_CTR_HANDSHAKE_MESSAGES_SENT, 1);
	if (gw_nexthop(&ctx->port[GW_WAN], ep->family, ep->addr, nh) &&
	    gw_neigh_lookup(ctx->neigh, GW_WAN, ep->family, nh, &mac)) {
		rte_ether_addr_copy(&mac, &eh->dst_addr);
		gw_ctrl_tx(ctx, GW_WAN, m);
	} else if (resolve) {
		gw_neigh_hold(ctx, GW_WAN, m);
	} else {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_NEIGHBOUR_UNRESOLVED, 1);
		rte_pktmbuf_free(m);
	}
}

/* Handshake messages count in a peer's transfer bytes (as in the Linux
 * driver and wireguard-go, so `wg show` agrees on both ends) and so in
 * its packets. */
void gw_hs_count(struct gw_ctx *ctx, struct gw_peer *peer, uint32_t rx,
		 uint32_t tx)
{
	struct gw_peer_act *act = &peer->act[ctx->ctrl_lc.worker_idx];

	__atomic_store_n(&act->rx_bytes, act->rx_bytes + rx, __ATOMIC_RELAXED);
	__atomic_store_n(&act->tx_bytes, act->tx_bytes + tx, __ATOMIC_RELAXED);
	/* and, with them, in its packets: one message each way at most */
	__atomic_store_n(&act->rx_packets, act->rx_packets + (rx != 0),
			 __ATOMIC_RELAXED);
	__atomic_store_n(&act->tx_packets, act->tx_packets + (tx != 0),
			 __ATOMIC_RELAXED);
}

uint8_t *gw_hs_parse_udp(struct rte_mbuf *m, struct gw_hs_src *src,
			 uint32_t *len)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_udp_hdr *udp;

	memset(src, 0, sizeof(*src));
	if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);

		udp = (struct rte_udp_hdr *)((uint8_t *)ip +
					     (ip->version_ihl & 0xf) * 4);
		src->ep.family = WG_FAMILY_V4;
		memcpy(src->ep.addr, &ip->src_addr, 4);
		memcpy(src->bytes, &ip->src_addr, 4);
		src->len = 4;
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eh + 1);

		udp = (struct rte_udp_hdr *)(ip + 1);
		src->ep.family = WG_FAMILY_V6;
		memcpy(src->ep.addr, ip->src_addr, 16);
		memcpy(src->bytes, ip->src_addr, 16);
		src->len = 16;
	}
	src->ep.port = rte_be_to_cpu_16(udp->src_port);
	memcpy(src->bytes + src->len, &udp->src_port, 2);
	src->len += 2;
	*len = rte_be_to_cpu_16(udp->dgram_len) - sizeof(*udp);
	return (uint8_t *)(udp + 1);
}

/* Makes each DH step dearer, to overload the control lcore at a rate a
 * test can generate. */
void gw_hs_test_cost(const struct gw_ctx *ctx)
{
	uint32_t us = ctx->cfg ? ctx->cfg->testing.handshake_cost_us : 0;

	if (us)
		rte_delay_us_block(us);
}

/*
 * As the reference implementations: under load a message without a
 * valid mac2 gets a cookie reply (cheap) instead of DH work, and one with
 * a valid mac2 (its sender proved it receives at its address) gets DH
 * work at most WG_RATELIMIT_PER_SECOND times a second per source.
 */
bool gw_hs_check_macs(struct gw_ctx *ctx, uint8_t *msg, uint32_t len,
		      const struct gw_hs_src *src, uint64_t now)
{
	struct gw_control *c = ctx->control;
	bool under_load = gw_ctrl_under_load(ctx, &c->load, now);
	enum wg_mac_state st = wg_cookie_validate(&c->checker, msg, len,
						  src->bytes, src->len,
						  under_load, now);
	struct wg_msg_cookie_reply reply;

	if (st == WG_MAC_INVALID) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_BAD_MAC1, 1);
		return false;
	}
	if (!under_load)
		return true;
	if (st != WG_MAC_VALID_MAC1_COOKIE) {
		wg_cookie_create_reply(&c->checker, &reply, msg, len,
				       src->bytes, src->len, now, NULL);
		gw_hs_send_udp(ctx, &src->ep, &reply, sizeof(reply), false);
		gw_count(ctx->ctrl_lc.stats, GW_CTR_COOKIE_REPLIES_SENT, 1);
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_HANDSHAKE_UNDER_LOAD, 1);
		return false;
	}
	if (!wg_ratelimit_allow(&c->rl, src->ep.family, src->ep.addr, now)) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_HANDSHAKE_RATELIMITED, 1);
		return false;
	}
	return true;
}

struct gw_peer *gw_hs_accept(struct gw_ctx *ctx,
			     struct wg_initiation_result *res,
			     const struct gw_hs_src *src, uint32_t *idx)
{
	struct gw_peer *peer = gw_peer_find(ctx, res->remote_static);
	enum wg_noise_result r = WG_NOISE_BAD_STATE;

	/* a peer whose response a lane is making has one owner: the lane,
	 * until gw_hs_answered */
	if (peer && !gw_hs_lane_busy(ctx, peer))
		r = wg_noise_accept_initiation(&peer->hs, res, mono_now_ns());
	wg_wipe(res, sizeof(*res));
	if (!peer || r != WG_NOISE_OK) {
		GW_LOG(DEBUG, "initiation refused: %s",
		       !peer ? "unknown peer" :
		       r == WG_NOISE_BAD_STATE ? "response in the making" :
						 wg_noise_result_str(r));
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_HANDSHAKE_REJECTED, 1);
		return NULL;
	}
	gw_peer_set_endpoint(ctx, peer, &src->ep);
	if (peer->hs_index)
		gw_tables_index_del(ctx->tables, peer->hs_index);
	peer->hs_index = 0;
	*idx = gw_tables_index_new(ctx->tables);
	return peer;
}

void gw_hs_answered(struct gw_ctx *ctx, struct gw_peer *peer,
		    struct wg_msg_response *resp, struct wg_keypair *wkp,
		    uint32_t rx_len, const struct gw_hs_src *src)
{
	struct gw_control *c = ctx->control;
	uint64_t now = gw_now_ns(ctx);
	int ret = gw_peer_install_keypair(ctx, peer, wkp);

	wg_keypair_wipe(wkp);
	if (ret < 0)
		return;
	wg_cookie_add_macs(&peer->cookie, (uint8_t *)resp, sizeof(*resp),
			   now);
	gw_hs_send_udp(ctx, &src->ep, resp, sizeof(*resp), true);
	gw_hs_count(ctx, peer, rx_len, sizeof(*resp));
	wg_timers_any_authenticated_packet_received(&peer->timers);
	wg_timers_session_derived(&peer->timers, now);
	wg_timers_any_authenticated_packet_traversal(&peer->timers, now);
	wg_timers_any_authenticated_packet_sent(&peer->timers);
	/* data that arrives before the initiator confirms waits for it:
	 * no initiation of ours crosses this response */
	wg_timers_handshake_response_sent(&peer->timers, now);
	GW_PEER_LOG(&c->peer_log, now, peer, "handshake answered (responder)");
}

void gw_hs_respond_inline(struct gw_ctx *ctx, uint8_t *msg, uint32_t len,
			  const struct gw_hs_src *src)
{
	struct gw_control *c = ctx->control;
	struct wg_initiation_result res;
	struct wg_msg_response resp;
	struct wg_keypair wkp;
	struct gw_peer *peer;
	uint32_t idx;

	gw_hs_test_cost(ctx);
	if (wg_noise_consume_initiation(
		    &c->id, (const struct wg_msg_initiation *)msg, &res) !=
	    WG_NOISE_OK) {
		GW_LOG(DEBUG, "initiation refused: not for us");
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_HANDSHAKE_REJECTED, 1);
		wg_wipe(&res, sizeof(res));
		return;
	}
	peer = gw_hs_accept(ctx, &res, src, &idx);
	if (!peer)
		return;
	if (wg_noise_create_response(&peer->hs, &resp, idx, NULL) !=
		    WG_NOISE_OK ||
	    wg_noise_derive_keypair(&peer->hs, &wkp) != WG_NOISE_OK) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_HANDSHAKE_REJECTED, 1);
		return;
	}
	gw_hs_answered(ctx, peer, &resp, &wkp, len, src);
	wg_wipe(&resp, sizeof(resp));
}
