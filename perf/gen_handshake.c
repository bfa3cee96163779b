/* SPDX-License-Identifier: MIT */
/*
 * gen_memif as a real WireGuard peer: the Noise IK handshake as initiator
 * over the WAN port (lib/wg_noise + lib/wg_cookie), then the confirmation
 * that the gateway, as responder, uses the session (keepalive, then a
 * probe that must come back encrypted).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "gen_memif.h"
#include "wg_cookie.h"
#include "wg_transport.h"

/* Wall-clock time: the initiation's timestamp and the cookie's age. */
static uint64_t unix_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A message from our WAN address and port to the gateway's. */
static void send_wg(struct gen *g, const uint8_t *msg, uint16_t len)
{
	uint8_t f[FRAME_HDR + 256];

	put_headers(f, &g->o.gw_mac[WAN], &g->ports[WAN].mac, wan_peer,
		    wan_gw, WG_PORT, WG_PORT, len, 0);
	memcpy(f + FRAME_HDR, msg, len);
	send_raw(g, WAN, f, (uint16_t)(FRAME_HDR + len));
}

/* The responder may use a session only after its first packet from us:
 * send a keepalive and a LAN probe every 100 ms until the probe comes out
 * of the WAN port encrypted (10 s at most). */
static int confirm(struct gen *g)
{
	uint8_t ka[WG_MSG_TRANSPORT_MIN_LEN];
	uint8_t f[RTE_ETHER_HDR_LEN + 64];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;
	struct sink s = { .role = WAN,
			  .wg_len = (uint16_t)wg_transport_sealed_len(64, MTU) };
	double start = now_s(), sent = 0;

	rte_ether_addr_copy(&g->o.gw_mac[LAN], &eh->dst_addr);
	rte_ether_addr_copy(&g->ports[LAN].mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	put_inner(f + RTE_ETHER_HDR_LEN, 64, lan_host, tun_host, 0);
	while (now_s() - start < 10) {
		if (now_s() - sent >= 0.1) {
			wg_transport_seal(&g->session, g->send_counter++,
					  NULL, 0, MTU, ka);
			send_wg(g, ka, sizeof(ka));
			send_raw(g, LAN, f, sizeof(f));
			sent = now_s();
		}
		poll_rx(g, &s, NULL, NULL);
		if (s.out)
			return 0;
	}
	fprintf(stderr, "gen_memif: session not confirmed within 10 s\n");
	return -1;
}

/* Initiation → response → keypair, then a keepalive so that the gateway
 * (responder) may use the session. Retries every second, 10 s at most. */
int handshake(struct gen *g)
{
	struct wg_identity id;
	struct wg_handshake hs = { 0 }; /* first init: from zero */
	struct wg_cookie_maker cm;
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	uint32_t sender;
	double start = now_s(), sent = 0;
	bool got = false;
	enum wg_noise_result r;

	wg_identity_set(&id, g->o.priv);
	wg_handshake_init(&hs, &id, g->o.gw_pub, NULL);
	wg_cookie_maker_init(&cm, g->o.gw_pub);
	announce(g);
	randombytes_buf(&sender, sizeof(sender));
	while (now_s() - start < 10) {
		if (now_s() - sent >= 1) {
			r = wg_noise_create_initiation(&hs, &id, &init, sender,
						       unix_ns(), NULL);
			if (r != WG_NOISE_OK) {
				fprintf(stderr, "gen_memif: initiation: %s\n",
					wg_noise_result_str(r));
				return -1;
			}
			wg_cookie_add_macs(&cm, (uint8_t *)&init, sizeof(init),
					   unix_ns());
			send_wg(g, (const uint8_t *)&init, sizeof(init));
			sent = now_s();
		}
		poll_rx(g, NULL, &resp, &got);
		if (!got)
			continue;
		got = false;
		r = wg_noise_consume_response(&hs, &id, &resp);
		if (r != WG_NOISE_OK) {
			fprintf(stderr, "gen_memif: response: %s\n",
				wg_noise_result_str(r));
			continue;
		}
		r = wg_noise_derive_keypair(&hs, &g->session);
		if (r != WG_NOISE_OK)
			return -1;
		wg_handshake_destroy(&hs);
		wg_cookie_maker_wipe(&cm);
		wg_identity_clear(&id);
		return confirm(g);
	}
	fprintf(stderr, "gen_memif: no handshake response within 10 s\n");
	return -1;
}
